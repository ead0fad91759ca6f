"""Speed and peak memory of issue 19's multilabel code: the classification report,
samples-averaged F1 and macro average precision against scikit-learn, and MLSMOTE.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_multilabel.py [--quick] [--json PATH]
    .venv/bin/python benchmarks/bench_multilabel.py --case mlsmote   # one case

About two minutes on 2 cores (20 s with ``--quick``), 0.6 GB of memory at most.

Default data (a fixed seed: every run and both libraries see the same arrays):

* **report**: a 1,000,000 x 100 int8 0/1 indicator ``Y``, label ``j`` set
  independently with probability ``p_j``, the ``p_j`` geometric from 30% (label 0)
  down to 0.5% (label 99); predictions ``P`` keep each true label with probability 0.8
  and set each absent one with probability ``0.2 * p_j`` (so each label is predicted
  about as often as it occurs). ``classification_report(Y, P, output_dict=True)`` of
  balancekit and of scikit-learn.
* **averages**: the same kind of pair at 200,000 x 20 (``p_j`` from 30% to 0.5%), and
  float64 scores ``sigmoid(noise + 1.5 * Y - 1)``: ``f1_score(Y, P,
  average="samples")`` and ``average_precision_score(Y, S, average="macro")``.
* **MLSMOTE**: 100,000 x 32 float64 features and a 100,000 x 20 int8 indicator, label
  ``j`` set with probability geometric from 40% down to 0.5%; each label adds a fixed
  Gaussian direction to the rows that have it (``X = noise + Y @ W``), so neighbours
  share labels. ``balancekit.multilabel.MLSMOTE(random_state=0).fit_resample(X, Y)``:
  no library offers a peer, the time is reported; the rows it adds, the minority
  labels and MeanIR before and after go in the notes.

The cases run in that order reversed (MLSMOTE first: see ``CASES``). Every
balancekit row also runs on torch CPU tensors sharing the arrays' memory.
Protocol: ``benchmarks/_functions.py`` (one warm-up call each, timed calls interleaved
across the contenders of a case, min and median, and the peak resident memory one
more call adds, torch's included). The values must equal scikit-learn's to 1e-12
(every key and column of the report), and torch's NumPy's: else a ``WARNING:`` line
and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _functions import Timing, compare
from _harness import MIB, RESULTS, environment

REPORT_OURS = "report: balancekit (numpy)"
REPORT_TORCH = "report: balancekit (torch CPU)"
REPORT_SKLEARN = "report: sklearn classification_report"
F1_OURS = "f1 samples: balancekit (numpy)"
F1_TORCH = "f1 samples: balancekit (torch CPU)"
F1_SKLEARN = "f1 samples: sklearn"
AP_OURS = "ap macro: balancekit (numpy)"
AP_TORCH = "ap macro: balancekit (torch CPU)"
AP_SKLEARN = "ap macro: sklearn"
MLSMOTE_OURS = "MLSMOTE: balancekit (numpy)"
MLSMOTE_TORCH = "MLSMOTE: balancekit (torch CPU)"

#: Largest difference allowed between balancekit's values and scikit-learn's.
TOLERANCE = 1e-12
#: Label frequencies: geometric between these shares.
METRIC_SHARES = (0.30, 0.005)
MLSMOTE_SHARES = (0.40, 0.005)

Contenders = dict[str, Callable[[], Any]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n-samples", type=int, default=None, help="report rows (1,000,000)"
    )
    parser.add_argument("--n-labels", type=int, default=100, help="report labels")
    parser.add_argument(
        "--average-samples", type=int, default=None, help="F1 / AP rows (200,000)"
    )
    parser.add_argument(
        "--mlsmote-samples", type=int, default=None, help="MLSMOTE rows (100,000)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (5)")
    parser.add_argument("--quick", action="store_true", help="1/10 size, 3 repeats")
    parser.add_argument("--no-torch", action="store_true", help="skip torch rows")
    parser.add_argument(
        "--case",
        action="append",
        choices=sorted(CASES),
        help="run only this case (repeatable; default: all three)",
    )
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "multilabel.json", help="output"
    )
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    args.n_samples = args.n_samples or 1_000_000 // scale
    args.average_samples = args.average_samples or 200_000 // scale
    args.mlsmote_samples = args.mlsmote_samples or 100_000 // scale
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.case = [name for name in CASES if name in (args.case or CASES)]
    if min(args.n_samples, args.average_samples, args.mlsmote_samples) < 100:
        parser.error("every size must be at least 100 rows")
    if args.n_labels < 2:
        parser.error("--n-labels must be at least 2")
    return args


def label_shares(n_labels: int, shares: tuple[float, float]) -> np.ndarray:
    """Label frequencies, geometric from ``shares[0]`` down to ``shares[1]``."""
    return np.geomspace(shares[0], shares[1], n_labels)


def indicator(
    rng: np.random.Generator, n_samples: int, shares: np.ndarray
) -> np.ndarray:
    """An int8 0/1 indicator: label ``j`` set with probability ``shares[j]``."""
    draws = rng.random((n_samples, shares.shape[0]), dtype=np.float32)
    return (draws < shares.astype(np.float32)).astype(np.int8)


def indicator_pair(
    n_samples: int, n_labels: int, seed: int = 20240601
) -> tuple[np.ndarray, np.ndarray]:
    """True labels and predictions: recall 0.8, each label predicted about as often
    as it occurs (false positives at ``0.2 * p_j``)."""
    rng = np.random.default_rng(seed)
    shares = label_shares(n_labels, METRIC_SHARES)
    y_true = indicator(rng, n_samples, shares)
    kept = rng.random(y_true.shape, dtype=np.float32) < 0.8
    added = indicator(rng, n_samples, 0.2 * shares)
    y_pred = np.where(y_true == 1, kept, added).astype(np.int8)
    return y_true, y_pred


def scores(y_true: np.ndarray, seed: int = 20240602) -> np.ndarray:
    """Float64 scores that rank each label's rows imperfectly (ties are rare)."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(y_true.shape)
    return 1 / (1 + np.exp(-(noise + 1.5 * y_true - 1)))


def mlsmote_data(
    n_samples: int, n_features: int = 32, n_labels: int = 20, seed: int = 20240603
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 features ``noise + Y @ W`` and an int8 indicator ``Y``."""
    rng = np.random.default_rng(seed)
    y = indicator(rng, n_samples, label_shares(n_labels, MLSMOTE_SHARES))
    directions = rng.standard_normal((n_labels, n_features))
    X = rng.standard_normal((n_samples, n_features)) + y @ directions
    return X, y


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def report_contenders(y_true: Any, y_pred: Any, with_torch: bool) -> Contenders:
    from sklearn.metrics import classification_report

    import balancekit.metrics as bm

    rows: Contenders = {
        REPORT_SKLEARN: lambda: classification_report(y_true, y_pred, output_dict=True),
        REPORT_OURS: lambda: bm.classification_report(y_true, y_pred, output_dict=True),
    }
    torch = _torch() if with_torch else None
    if torch is not None:
        t_true, t_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
        rows[REPORT_TORCH] = lambda: bm.classification_report(
            t_true, t_pred, output_dict=True
        )
    return rows


def average_contenders(
    y_true: Any, y_pred: Any, y_score: Any, with_torch: bool
) -> Contenders:
    from sklearn.metrics import average_precision_score, f1_score

    import balancekit.metrics as bm

    rows: Contenders = {
        F1_SKLEARN: lambda: f1_score(y_true, y_pred, average="samples"),
        F1_OURS: lambda: bm.f1_score(y_true, y_pred, average="samples"),
        AP_SKLEARN: lambda: average_precision_score(y_true, y_score, average="macro"),
        AP_OURS: lambda: bm.average_precision_score(y_true, y_score, average="macro"),
    }
    torch = _torch() if with_torch else None
    if torch is not None:
        t_true, t_pred, t_score = (
            torch.from_numpy(a) for a in (y_true, y_pred, y_score)
        )
        rows[F1_TORCH] = lambda: bm.f1_score(t_true, t_pred, average="samples")
        rows[AP_TORCH] = lambda: bm.average_precision_score(
            t_true, t_score, average="macro"
        )
    return rows


def mlsmote_contenders(X: Any, y: Any, with_torch: bool) -> Contenders:
    from balancekit.multilabel import MLSMOTE

    rows: Contenders = {
        MLSMOTE_OURS: lambda: MLSMOTE(random_state=0).fit_resample(X, y),
    }
    torch = _torch() if with_torch else None
    if torch is not None:
        t_X, t_y = torch.from_numpy(X), torch.from_numpy(y)
        rows[MLSMOTE_TORCH] = lambda: MLSMOTE(random_state=0).fit_resample(t_X, t_y)
    return rows


def _host(value: Any) -> np.ndarray:
    """A NumPy copy of a NumPy array, torch tensor or scalar."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def report_difference(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """Largest difference over every key and column of two report dicts (inf if
    their keys differ)."""
    if ours.keys() != theirs.keys():
        return float("inf")
    worst = 0.0
    for key, value in theirs.items():
        mine = ours[key]
        if isinstance(value, dict):
            if mine.keys() != value.keys():
                return float("inf")
            pairs = [(mine[column], value[column]) for column in value]
        else:
            pairs = [(mine, value)]
        for a, b in pairs:
            worst = max(worst, abs(float(a) - float(b)))
    return worst


def check_values(contenders: Contenders) -> dict[str, float]:
    """For every balancekit contender, its largest difference from its reference:
    scikit-learn's value for NumPy rows, the NumPy row for torch rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = {name: fn() for name, fn in contenders.items()}
    differences: dict[str, float] = {}
    for name, value in values.items():
        if "sklearn" in name:
            continue
        metric = name.split(":")[0]
        if name.endswith("(torch CPU)"):
            reference = values[f"{metric}: balancekit (numpy)"]
        else:
            reference = values[f"{metric}: sklearn" + _sklearn_suffix(metric)]
        if isinstance(reference, dict):
            differences[name] = report_difference(value, reference)
        else:
            differences[name] = float(np.max(np.abs(_host(value) - _host(reference))))
    return differences


def _sklearn_suffix(metric: str) -> str:
    return " classification_report" if metric == "report" else ""


def mlsmote_summary(
    contenders: Contenders, X: np.ndarray, y: np.ndarray
) -> dict[str, Any]:
    """Rows added, minority labels and MeanIR before and after; torch against NumPy."""
    from balancekit.multilabel import MLSMOTE

    sampler = MLSMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    same = True
    if MLSMOTE_TORCH in contenders:
        t_X, t_y = contenders[MLSMOTE_TORCH]()
        same = bool(
            np.array_equal(_host(t_y), _host(y_res))
            and np.allclose(_host(t_X), X_res, rtol=0, atol=1e-12)
        )
    counts_before = y.sum(axis=0, dtype=np.int64)
    counts_after = np.asarray(y_res).sum(axis=0, dtype=np.int64)
    return {
        "n_samples_in": int(y.shape[0]),
        "n_synthetic": int(X_res.shape[0] - y.shape[0]),
        "n_minority_labels": len(sampler.minority_labels_),
        "label_counts_before": counts_before.tolist(),
        "label_counts_after": counts_after.tolist(),
        "mean_ir_before": mean_ir(counts_before),
        "mean_ir_after": mean_ir(counts_after),
        "torch_equals_numpy": same,
    }


def mean_ir(counts: np.ndarray) -> float:
    """MeanIR (Charte et al.): the mean over labels of max count / count."""
    present = counts[counts > 0]
    return float(np.mean(present.max() / present))


@dataclass
class Case:
    """One case's data (in words), timings, value differences and extra figures."""

    data: str
    timings: list[Timing]
    differences: dict[str, float]
    extra: dict[str, Any] | None = None


def _timed(
    contenders: Contenders, repeats: int, checked: bool = True
) -> tuple[list[Timing], dict[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined-metric warnings, both libraries
        timings = compare(contenders, repeats)
    return timings, check_values(contenders) if checked else {}


def run_report(args: argparse.Namespace) -> Case:
    """The multilabel classification report against scikit-learn's."""
    y_true, y_pred = indicator_pair(args.n_samples, args.n_labels)
    text = (
        f"report: {args.n_samples:,} x {args.n_labels} int8, label shares "
        f"{METRIC_SHARES[0]:.1%}..{METRIC_SHARES[1]:.1%}"
    )
    contenders = report_contenders(y_true, y_pred, not args.no_torch)
    return Case(text, *_timed(contenders, args.repeats))


def run_averages(args: argparse.Namespace) -> Case:
    """Samples-averaged F1 and macro AP against scikit-learn's."""
    y_true, y_pred = indicator_pair(args.average_samples, 20)
    y_score = scores(y_true)
    text = (
        f"averages: {args.average_samples:,} x 20 int8, label shares "
        f"{METRIC_SHARES[0]:.1%}..{METRIC_SHARES[1]:.1%}, float64 scores"
    )
    contenders = average_contenders(y_true, y_pred, y_score, not args.no_torch)
    return Case(text, *_timed(contenders, args.repeats))


def run_mlsmote(args: argparse.Namespace) -> Case:
    """MLSMOTE alone (no peer), and what it generated."""
    X, y = mlsmote_data(args.mlsmote_samples)
    text = (
        f"mlsmote: {args.mlsmote_samples:,} x {X.shape[1]} float64, {y.shape[1]} "
        f"labels, shares {MLSMOTE_SHARES[0]:.1%}..{MLSMOTE_SHARES[1]:.1%}"
    )
    contenders = mlsmote_contenders(X, y, not args.no_torch)
    timings, _ = _timed(contenders, args.repeats, checked=False)
    return Case(text, timings, {}, mlsmote_summary(contenders, X, y))


#: The cases, in the order they run: the smaller ones first, as the peak RSS of a
#: call reads low (even 0) once earlier, larger calls have grown the heap it reuses.
CASES: dict[str, Callable[[argparse.Namespace], Case]] = {
    "mlsmote": run_mlsmote,
    "averages": run_averages,
    "report": run_report,
}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = environment()
    cases = {name: CASES[name](args) for name in args.case}
    env["load_average_at_end"] = list(os.getloadavg())
    timings = [row for case in cases.values() for row in case.timings]
    differences = {
        name: value
        for case in cases.values()
        for name, value in case.differences.items()
    }
    mlsmote = cases["mlsmote"].extra if "mlsmote" in cases else None
    ratios = _ratios({row.name: row for row in timings})
    agree = all(d <= TOLERANCE for d in differences.values()) and (
        mlsmote is None or bool(mlsmote["torch_equals_numpy"])
    )
    data = {name: case.data for name, case in cases.items()}
    _print(args, env, data, timings, ratios, differences, mlsmote, agree)
    payload = {
        "environment": env,
        "data": data,
        "n_samples": args.n_samples,
        "n_labels": args.n_labels,
        "average_samples": args.average_samples,
        "mlsmote_samples": args.mlsmote_samples,
        "repeats": args.repeats,
        "quick": args.quick,
        "results": [
            {
                "name": row.name,
                "times_s": row.times,
                "median_s": row.median_s,
                "min_s": row.min_s,
                "peak_bytes": row.peak_bytes,
            }
            for row in timings
        ],
        "ratios": ratios,
        "max_difference": differences,
        "values_agree": agree,
        "mlsmote": mlsmote,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0 if agree else 1


def _ratios(by_name: dict[str, Timing]) -> dict[str, float]:
    """Speed-ups on the medians: above 1, balancekit is faster."""
    pairs = {
        "report: sklearn / balancekit": (REPORT_SKLEARN, REPORT_OURS),
        "f1 samples: sklearn / balancekit": (F1_SKLEARN, F1_OURS),
        "ap macro: sklearn / balancekit": (AP_SKLEARN, AP_OURS),
        "report: balancekit numpy / torch CPU": (REPORT_OURS, REPORT_TORCH),
        "f1 samples: balancekit numpy / torch CPU": (F1_OURS, F1_TORCH),
        "ap macro: balancekit numpy / torch CPU": (AP_OURS, AP_TORCH),
        "MLSMOTE: balancekit numpy / torch CPU": (MLSMOTE_OURS, MLSMOTE_TORCH),
    }
    return {
        text: by_name[slow].median_s / by_name[fast].median_s
        for text, (slow, fast) in pairs.items()
        if slow in by_name and fast in by_name
    }


def _print(
    args: argparse.Namespace,
    env: dict[str, Any],
    data: dict[str, str],
    timings: list[Timing],
    ratios: dict[str, float],
    differences: dict[str, float],
    mlsmote: dict[str, Any] | None,
    agree: bool,
) -> None:
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']})"
        for b in env["blas"]
        if b["internal_api"] != "openmp"
    )
    start, end = env["load_average_at_start"], env["load_average_at_end"]
    print(
        f"numpy {env['numpy']}, torch {env['torch']} ({env['torch_threads']} threads), "
        f"balancekit {env['balancekit']} | {env['cpu_count']} cores | BLAS: {blas} | "
        f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} | load average "
        f"{start[0]:.2f} / {start[1]:.2f} / {start[2]:.2f} at the start, "
        f"{end[0]:.2f} at the end | {args.repeats} repeats"
    )
    for text in data.values():
        print(text)
    print()
    print("| contender | median s | min s | peak MiB |")
    print("|---|---|---|---|")
    for row in timings:
        peak = "n/a" if row.peak_bytes is None else f"{row.peak_bytes / MIB:.1f}"
        print(f"| {row.name} | {row.median_s:.4f} | {row.min_s:.4f} | {peak} |")
    print()
    print("speed-ups, the first's median time over the second's (above 1, the second")
    print(
        "is faster; balancekit second against scikit-learn, torch second beside NumPy):"
    )
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:.2f}x")
    for name, difference in differences.items():
        print(f"max |difference| of {name}: {difference:.2e}")
    if mlsmote is not None:
        print(
            f"MLSMOTE added {mlsmote['n_synthetic']:,} synthetic rows to "
            f"{mlsmote['n_samples_in']:,} ({mlsmote['n_minority_labels']} minority "
            f"labels); MeanIR {mlsmote['mean_ir_before']:.2f} -> "
            f"{mlsmote['mean_ir_after']:.2f}; torch CPU gives NumPy's rows: "
            f"{mlsmote['torch_equals_numpy']}"
        )
    if start[0] >= (env["cpu_count"] or 1):
        print(
            f"NOTE: the 1-minute load was {start[0]:.2f} on {env['cpu_count']} cores "
            "before the run: times are noisy."
        )
    if args.quick:
        print("NOTE: --quick: 1/10 of the data; the ratios are not the goals' figures.")
    if not agree:
        print(
            f"WARNING: a value differs from its reference by more than {TOLERANCE:g} "
            "(or torch's MLSMOTE differs from NumPy's): see above."
        )


if __name__ == "__main__":
    sys.exit(main())
