"""Shared measuring code of the benchmark scripts: balancekit against a peer, one run.

Each case times ``fit_resample(X, y)`` of balancekit and its peer, and of balancekit on
torch CPU tensors sharing the NumPy arrays' memory, interleaved in one process (peer,
ours, ours on torch, peer, ...) after one warm-up call each, counts the minor page
faults of every timed call (``resource.getrusage``'s ``ru_minflt``: memory first
touched), traces the peak memory of one more call of each with ``tracemalloc`` (NumPy
reports its allocations to it; torch does not, so torch rows show time only), and
checks that all give the same rows per class. ``run`` prints a Markdown table and
writes every figure to a JSON file.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MIB = 1024**2
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
RESULTS = Path(__file__).resolve().parent / "results"

SamplerFactory = Callable[[], Any]


@dataclass(frozen=True)
class Case:
    """One comparison: a balancekit sampler and its peer on one data set."""

    name: str
    ours: SamplerFactory
    peer: SamplerFactory
    X: np.ndarray
    y: np.ndarray
    repeats: int
    with_torch: bool = True

    @property
    def shape(self) -> str:
        n, d = self.X.shape[0], int(np.prod(self.X.shape[1:]))
        share = np.bincount(self.y).min() / self.y.size
        return f"{n:,} x {d} {self.X.dtype}, minority {share:.1%}"


@dataclass
class Measurement:
    """The figures of one library on one case."""

    library: str
    times_s: list[float]
    peak_bytes: int | None = None
    class_counts: dict[str, int] = field(default_factory=dict)
    minor_faults: list[int] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def min_s(self) -> float:
        return min(self.times_s)

    @property
    def peak_mib(self) -> float | None:
        return None if self.peak_bytes is None else self.peak_bytes / MIB

    @property
    def median_minor_faults(self) -> float | None:
        return statistics.median(self.minor_faults) if self.minor_faults else None

    @property
    def minor_fault_bytes(self) -> list[int]:
        """Memory first touched per call: minor faults times the page size."""
        return [n * PAGE_SIZE for n in self.minor_faults]


@dataclass
class Result:
    """All figures of one case: the peer, balancekit, balancekit on torch."""

    case: Case
    peer: Measurement
    ours: Measurement
    ours_torch: Measurement | None = None

    @property
    def counts_match(self) -> bool:
        return self.peer.class_counts == self.ours.class_counts

    @property
    def speedup(self) -> float:
        """Peer's median time over ours: above 1, balancekit is faster."""
        return self.peer.median_s / self.ours.median_s

    @property
    def speedup_min(self) -> float:
        """The same ratio on the fastest calls, the least noisy figure on a VM."""
        return self.peer.min_s / self.ours.min_s

    @property
    def memory_ratio(self) -> float | None:
        """Our peak over the peer's: below 1, balancekit allocates less."""
        if not self.peer.peak_bytes or self.ours.peak_bytes is None:
            return None
        return self.ours.peak_bytes / self.peer.peak_bytes

    @property
    def torch_speed(self) -> float | None:
        """NumPy's median time over torch CPU's: at least 0.9 is the goal."""
        if self.ours_torch is None:
            return None
        return self.ours.median_s / self.ours_torch.median_s


def count_classes(y: Any) -> dict[str, int]:
    """Rows per class of a NumPy array or torch tensor, as ``{"label": count}``."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    return {str(label): int(n) for label, n in zip(labels, counts, strict=True)}


def _free() -> None:
    gc.collect()


def warm_up_counts(factory: SamplerFactory, X: Any, y: Any) -> dict[str, int]:
    """One untimed call (the warm-up): its rows per class."""
    _, y_res = factory().fit_resample(X, y)
    counts = count_classes(y_res)
    del y_res
    _free()
    return counts


def minor_faults() -> int:
    """Minor page faults of this process so far (first touches of fresh memory)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_call(factory: SamplerFactory, X: Any, y: Any) -> tuple[float, int]:
    """Wall time (seconds) and minor page faults of one ``fit_resample`` call."""
    sampler = factory()
    _free()
    faults = minor_faults()
    start = time.perf_counter()
    result = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - start
    faults = minor_faults() - faults
    del result
    _free()
    return elapsed, faults


def peak_memory(factory: SamplerFactory, X: Any, y: Any) -> int:
    """Peak bytes traced by ``tracemalloc`` during one call."""
    sampler = factory()
    _free()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = sampler.fit_resample(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    _free()
    return peak


def _torch_inputs(case: Case) -> tuple[Any, Any] | None:
    """The case's arrays as CPU tensors sharing their memory (None without torch)."""
    if not case.with_torch:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch.from_numpy(case.X), torch.from_numpy(case.y)


def measure(case: Case) -> Result:
    """Warm up, time interleaved (peer, ours, ours on torch CPU), trace peaks."""
    runs: dict[str, tuple[SamplerFactory, Any, Any]] = {
        "peer": (case.peer, case.X, case.y),
        "balancekit": (case.ours, case.X, case.y),
    }
    tensors = _torch_inputs(case)
    if tensors is not None:
        runs["balancekit (torch CPU)"] = (case.ours, *tensors)
    counts = {name: warm_up_counts(*run) for name, run in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    faults: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(case.repeats):
        for name, run in runs.items():
            elapsed, n_faults = time_call(*run)
            times[name].append(elapsed)
            faults[name].append(n_faults)
    # tracemalloc sees NumPy's allocations, not torch's: no peak for the torch row.
    peaks = {name: peak_memory(*runs[name]) for name in ("peer", "balancekit")}
    peer, ours, *torch_row = (
        Measurement(name, times[name], peaks.get(name), counts[name], faults[name])
        for name in runs
    )
    return Result(case, peer, ours, torch_row[0] if torch_row else None)


def blas_info() -> list[dict[str, Any]]:
    """The BLAS and OpenMP libraries NumPy and SciPy use (threadpoolctl)."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "num_threads")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def environment() -> dict[str, Any]:
    """Versions and machine of this run."""
    import imblearn

    import balancekit

    try:
        import torch

        torch_version, threads = str(torch.__version__), torch.get_num_threads()
    except ImportError:
        torch_version, threads = None, None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()),
        "numpy": np.__version__,
        "torch": torch_version,
        "torch_threads": threads,
        "imblearn": imblearn.__version__,
        "balancekit": balancekit.__version__,
        "blas": blas_info(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown_table(results: list[Result], peer_name: str) -> str:
    """All results as one Markdown table."""
    header = ["case", "library", "median s", "min s", "peak MiB", "minor faults"]
    header += [f"speed-up vs {peer_name} (median / min)", "peak memory ours/peer"]
    header += ["torch CPU / NumPy speed"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in results:
        for m in (r.peer, r.ours, r.ours_torch):
            if m is None:
                continue
            ours = m is r.ours
            library = peer_name if m is r.peer else m.library
            speedup = f"{r.speedup:.2f}x / {r.speedup_min:.2f}x" if ours else ""
            memory = _fmt(r.memory_ratio, 2) if ours else ""
            torch_speed = _fmt(r.torch_speed, 2) if m is r.ours_torch else ""
            cells = [r.case.name, library, _fmt(m.median_s, 3), _fmt(m.min_s, 3)]
            cells += [_fmt(m.peak_mib, 1), _fmt(m.median_minor_faults, 0)]
            cells += [speedup, memory, torch_speed]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _warnings(results: list[Result], env: dict[str, Any]) -> list[str]:
    notes = []
    if env["load_average_at_start"][0] >= (env["cpu_count"] or 1):
        notes.append(
            f"NOTE: the 1-minute load was {env['load_average_at_start'][0]:.2f} on "
            f"{env['cpu_count']} cores before the run: times are noisy."
        )
    for r in results:
        if not r.counts_match:
            notes.append(
                f"WARNING: {r.case.name}: rows per class differ: peer "
                f"{r.peer.class_counts}, balancekit {r.ours.class_counts}"
            )
        if r.ours_torch and r.ours_torch.class_counts != r.ours.class_counts:
            notes.append(
                f"WARNING: {r.case.name}: torch and numpy rows per class differ"
            )
    return notes


def _figures(measurement: Measurement) -> dict[str, Any]:
    """One library's figures for the JSON file."""
    return {
        **asdict(measurement),
        "median_s": measurement.median_s,
        "minor_fault_bytes": measurement.minor_fault_bytes,
    }


def run(cases: list[Case], json_path: Path, peer_name: str = "imblearn") -> int:
    """Measure every case, print the table and notes, write the JSON file."""
    env = environment()
    # Everything allocated so far (torch's import above all) is left out of every
    # collection: each gc.collect() between calls then costs milliseconds, not 0.2 s.
    gc.freeze()
    results = [measure(case) for case in cases]
    env["load_average_at_end"] = list(os.getloadavg())
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']}, "
        f"{b['num_threads']} threads)"
        for b in env["blas"]
        if b["internal_api"] != "openmp"
    )
    print(
        f"numpy {env['numpy']}, torch {env['torch']}, imblearn {env['imblearn']}, "
        f"balancekit {env['balancekit']} | {env['cpu_count']} cores | BLAS: {blas} | "
        f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}"
    )
    for case in cases:
        print(f"{case.name}: {case.shape}, {case.repeats} repeats")
    print()
    print(markdown_table(results, peer_name))
    for note in _warnings(results, env):
        print(note)
    payload = {
        "environment": env,
        "results": [
            {
                "case": r.case.name,
                "data": r.case.shape,
                "peer": _figures(r.peer),
                "balancekit": _figures(r.ours),
                "balancekit_torch_cpu": _figures(r.ours_torch)
                if r.ours_torch
                else None,
                "torch_cpu_speed_vs_numpy": r.torch_speed,
                "counts_match": r.counts_match,
                "speedup_median": r.speedup,
                "speedup_min": r.speedup_min,
                "peak_memory_ratio": r.memory_ratio,
            }
            for r in results
        ],
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {json_path}")
    return 0


def imbalanced_data(
    n_samples: int, n_features: int, minority: float, seed: int = 20240601
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian float32 features; binary int64 labels, the minority at random rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    y = np.zeros(n_samples, dtype=np.int64)
    n_minority = max(1, round(n_samples * minority))
    y[rng.choice(n_samples, size=n_minority, replace=False)] = 1
    return X, y
