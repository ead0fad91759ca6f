"""Speed and peak-memory benchmark: balancekit's random samplers against imblearn's.

Run it from the repository root with ``make bench``, which runs::

    .venv/bin/python benchmarks/bench_random_samplers.py

Options: ``--n-samples``, ``--n-features``, ``--minority``, ``--repeats``,
``--json PATH`` and ``--quick`` (100,000 rows and 3 repeats, a smoke run); see
``--help``.

For each pair (``RandomOverSampler``, ``RandomUnderSampler``; ``random_state=0``,
default parameters) the script times ``fit_resample(X, y)`` interleaved in one
process (imblearn, balancekit, imblearn, balancekit, ...) after one warm-up call
each, measures the peak memory allocated during one more call of each under
``tracemalloc``, checks that both give the same number of rows per class, and times
balancekit on PyTorch CPU tensors too. It prints a Markdown table to stdout and
writes every figure to a JSON file.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import imblearn
import numpy as np
from imblearn.over_sampling import RandomOverSampler as PeerOverSampler
from imblearn.under_sampling import RandomUnderSampler as PeerUnderSampler

import balancekit

DEFAULT_N_SAMPLES = 1_000_000
QUICK_N_SAMPLES = 100_000
DEFAULT_REPEATS = 5
QUICK_REPEATS = 3
DATA_SEED = 20240601
SAMPLER_SEED = 0
MIB = 1024**2
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "random_samplers.json"

Sampler = Any
SamplerFactory = Callable[[], Sampler]


@dataclass(frozen=True)
class Pair:
    """A balancekit sampler and its imbalanced-learn peer, with the same arguments."""

    name: str
    ours: SamplerFactory
    peer: SamplerFactory


@dataclass
class Measurement:
    """The figures of one library on one sampler."""

    library: str
    times_s: list[float]
    peak_bytes: int | None = None
    class_counts: dict[str, int] = field(default_factory=dict)

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def min_s(self) -> float:
        return min(self.times_s)

    @property
    def peak_mib(self) -> float | None:
        return None if self.peak_bytes is None else self.peak_bytes / MIB


@dataclass
class PairResult:
    """All figures of one sampler: imblearn, balancekit, balancekit on torch."""

    sampler: str
    peer: Measurement
    ours: Measurement
    ours_torch: Measurement | None
    counts_match: bool

    @property
    def speedup(self) -> float:
        """imblearn's median time over balancekit's: above 1, balancekit is faster."""
        return self.peer.median_s / self.ours.median_s

    @property
    def speedup_min(self) -> float:
        """The same ratio on the fastest calls, the least noisy figure."""
        return self.peer.min_s / self.ours.min_s

    @property
    def memory_ratio(self) -> float | None:
        """balancekit's peak over imblearn's: below 1, balancekit allocates less."""
        if not self.peer.peak_bytes or self.ours.peak_bytes is None:
            return None
        return self.ours.peak_bytes / self.peer.peak_bytes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line; ``--quick`` only changes what was not given explicitly."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="rows (1,000,000)")
    parser.add_argument("--n-features", type=int, default=32, help="columns (32)")
    parser.add_argument(
        "--minority", type=float, default=0.01, help="minority share in (0, 0.5) (0.01)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (5)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"output file ({DEFAULT_JSON})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 100,000 rows, 3 repeats"
    )
    args = parser.parse_args(argv)
    if args.n_samples is None:
        args.n_samples = QUICK_N_SAMPLES if args.quick else DEFAULT_N_SAMPLES
    if args.repeats is None:
        args.repeats = QUICK_REPEATS if args.quick else DEFAULT_REPEATS
    if args.n_samples < 2 or args.n_features < 1 or args.repeats < 1:
        parser.error("--n-samples must be >= 2, --n-features and --repeats >= 1")
    if not 0 < args.minority < 0.5:
        parser.error("--minority must be in (0, 0.5)")
    if round(args.n_samples * args.minority) < 1:
        parser.error("--n-samples * --minority must give at least one minority row")
    return args


def make_dataset(
    n_samples: int, n_features: int, minority: float, seed: int = DATA_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian float32 features; binary int64 labels, minority at random rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    y = np.zeros(n_samples, dtype=np.int64)
    n_minority = round(n_samples * minority)
    y[rng.choice(n_samples, size=n_minority, replace=False)] = 1
    return X, y


def sampler_pairs() -> list[Pair]:
    """The compared samplers, all with ``random_state=0`` and default parameters."""
    return [
        Pair(
            "RandomOverSampler",
            ours=lambda: balancekit.RandomOverSampler(random_state=SAMPLER_SEED),
            peer=lambda: PeerOverSampler(random_state=SAMPLER_SEED),
        ),
        Pair(
            "RandomUnderSampler",
            ours=lambda: balancekit.RandomUnderSampler(random_state=SAMPLER_SEED),
            peer=lambda: PeerUnderSampler(random_state=SAMPLER_SEED),
        ),
    ]


def count_classes(y: Any) -> dict[str, int]:
    """Rows per class of a NumPy array or torch tensor, as ``{"label": count}``."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    return {str(label): int(n) for label, n in zip(labels, counts, strict=True)}


def resample_counts(factory: SamplerFactory, X: Any, y: Any) -> dict[str, int]:
    """One untimed call (the warm-up): its rows per class; the outputs are freed."""
    _, y_res = factory().fit_resample(X, y)
    counts = count_classes(y_res)
    del y_res
    gc.collect()
    return counts


def time_call(factory: SamplerFactory, X: Any, y: Any) -> float:
    """Wall time of one ``fit_resample`` call, in seconds; the outputs are freed."""
    sampler = factory()
    gc.collect()
    start = time.perf_counter()
    result = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - start
    del result
    gc.collect()
    return elapsed


def peak_memory(factory: SamplerFactory, X: Any, y: Any) -> int:
    """Peak bytes traced by ``tracemalloc`` during one call (NumPy reports to it)."""
    sampler = factory()
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = sampler.fit_resample(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    gc.collect()
    return peak


def time_interleaved(
    factories: dict[str, SamplerFactory], X: Any, y: Any, repeats: int
) -> dict[str, list[float]]:
    """Time each factory ``repeats`` times, alternating between them in every round."""
    times: dict[str, list[float]] = {name: [] for name in factories}
    for _ in range(repeats):
        for name, factory in factories.items():
            times[name].append(time_call(factory, X, y))
    return times


def measure_pair(pair: Pair, X: np.ndarray, y: np.ndarray, repeats: int) -> PairResult:
    """Warm up, time interleaved, then trace the peak memory of each library."""
    factories = {"imblearn": pair.peer, "balancekit": pair.ours}
    counts = {name: resample_counts(f, X, y) for name, f in factories.items()}
    times = time_interleaved(factories, X, y, repeats)
    peaks = {name: peak_memory(f, X, y) for name, f in factories.items()}
    peer, ours = (
        Measurement(name, times[name], peaks[name], counts[name]) for name in factories
    )
    return PairResult(
        sampler=pair.name,
        peer=peer,
        ours=ours,
        ours_torch=None,
        counts_match=peer.class_counts == ours.class_counts,
    )


def measure_torch(
    factory: SamplerFactory, X: np.ndarray, y: np.ndarray, repeats: int
) -> Measurement | None:
    """Time balancekit on torch CPU tensors sharing X's and y's memory (time only)."""
    try:
        import torch
    except ImportError:
        return None
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    counts = resample_counts(factory, X_t, y_t)
    times = time_interleaved({"torch": factory}, X_t, y_t, repeats)["torch"]
    return Measurement("balancekit (torch CPU)", times, None, counts)


def torch_info() -> dict[str, Any]:
    """The installed torch version and its intra-op threads (None without torch)."""
    try:
        import torch
    except ImportError:
        return {"torch": None, "torch_threads": None}
    return {"torch": str(torch.__version__), "torch_threads": torch.get_num_threads()}


def environment(args: argparse.Namespace) -> dict[str, Any]:
    """Versions, machine and parameters of this run."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()),
        "numpy": np.__version__,
        **torch_info(),
        "imblearn": imblearn.__version__,
        "balancekit": balancekit.__version__,
        "n_samples": args.n_samples,
        "n_features": args.n_features,
        "minority": args.minority,
        "repeats": args.repeats,
        "data_seed": DATA_SEED,
        "random_state": SAMPLER_SEED,
        "dtype_X": "float32",
        "dtype_y": "int64",
    }


def warn_on_load(load_1min: float, cpu_count: int | None) -> None:
    """Print a note when other processes kept the cores busy before the run."""
    if load_1min >= (cpu_count or 1):
        print(
            f"NOTE: 1-minute load average was {load_1min:.2f} on {cpu_count} cores "
            "before the run: other processes compete for the CPU, times are noisy."
        )


def warn_on_mismatch(result: PairResult) -> None:
    """Print a warning line when the two libraries disagree on rows per class."""
    torch_counts = result.ours_torch.class_counts if result.ours_torch else None
    if not result.counts_match:
        print(
            f"WARNING: {result.sampler}: rows per class differ: imblearn "
            f"{result.peer.class_counts}, balancekit {result.ours.class_counts}"
        )
    if torch_counts is not None and torch_counts != result.ours.class_counts:
        print(
            f"WARNING: {result.sampler}: rows per class differ between balancekit on "
            f"numpy {result.ours.class_counts} and on torch {torch_counts}"
        )


def fmt(value: float | None, digits: int) -> str:
    """A number with ``digits`` decimals, or ``n/a``."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def table_rows(result: PairResult) -> list[list[str]]:
    """The table rows of one sampler: imblearn, balancekit, balancekit on torch."""
    rows = []
    for m in (result.peer, result.ours, result.ours_torch):
        if m is None:
            continue
        is_ours = m is result.ours
        rows.append(
            [
                result.sampler,
                m.library,
                fmt(m.median_s, 3),
                fmt(m.min_s, 3),
                fmt(m.peak_mib, 1),
                fmt(result.speedup, 2) + "x" if is_ours else "n/a",
                fmt(result.memory_ratio, 2) if is_ours else "n/a",
            ]
        )
    return rows


def markdown_table(results: list[PairResult]) -> str:
    """All results as one Markdown table."""
    header = [
        "sampler",
        "library",
        "median s",
        "min s",
        "peak MiB",
        "speed-up vs imblearn (median)",
        "peak memory ratio (ours/imblearn)",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        lines += ["| " + " | ".join(row) + " |" for row in table_rows(result)]
    return "\n".join(lines)


def header_line(env: dict[str, Any]) -> str:
    """One line with the data set size and the versions behind the figures."""
    return (
        f"n_samples={env['n_samples']:,} n_features={env['n_features']} "
        f"minority={env['minority']:.2%} repeats={env['repeats']} | "
        f"numpy {env['numpy']}, torch {env['torch']}, imblearn {env['imblearn']}, "
        f"balancekit {env['balancekit']} | os.cpu_count()={env['cpu_count']}"
    )


def measurement_json(m: Measurement | None) -> dict[str, Any] | None:
    """One measurement with its derived figures, for the JSON file."""
    if m is None:
        return None
    return {
        **asdict(m),
        "median_s": m.median_s,
        "min_s": m.min_s,
        "peak_mib": m.peak_mib,
    }


def write_json(path: Path, env: dict[str, Any], results: list[PairResult]) -> None:
    """Write the environment and every figure to ``path``, creating its folder."""
    payload = {
        "environment": env,
        "results": [
            {
                "sampler": r.sampler,
                "imblearn": measurement_json(r.peer),
                "balancekit": measurement_json(r.ours),
                "balancekit_torch_cpu": measurement_json(r.ours_torch),
                "counts_match": r.counts_match,
                "speedup_median": r.speedup,
                "speedup_min": r.speedup_min,
                "peak_memory_ratio": r.memory_ratio,
            }
            for r in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON file."""
    args = parse_args(argv)
    env = environment(args)
    warn_on_load(env["load_average_at_start"][0], env["cpu_count"])
    X, y = make_dataset(args.n_samples, args.n_features, args.minority)
    results = []
    for pair in sampler_pairs():
        result = measure_pair(pair, X, y, args.repeats)
        result.ours_torch = measure_torch(pair.ours, X, y, args.repeats)
        warn_on_mismatch(result)
        results.append(result)
    env["load_average_at_end"] = list(os.getloadavg())
    print(header_line(env))
    print()
    print(markdown_table(results))
    write_json(args.json, env, results)
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
