"""Speed and peak memory: balancekit.metrics against scikit-learn, imbalanced-learn,
torchmetrics and a bare ``np.bincount`` floor.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_metrics.py [--quick] [--json PATH]

Default data: 10,000,000 int64 predictions of 10 classes, imbalanced (class 0 holds
50%, class 9 1%), 80% of them correct. Protocol: ``benchmarks/_functions.py`` (one
warm-up call each, timed calls interleaved across the contenders, min and median, and
the peak resident memory one more call adds, torch's included).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _functions import compare
from _harness import MIB, RESULTS, environment

import balancekit.metrics as bm

FLOOR = "floor: np.bincount(y_true*10+y_pred)"
OURS = "report: balancekit (numpy)"
SKLEARN = "report: sklearn classification_report"
IMBLEARN = "report: imblearn classification_report_imbalanced"
TORCHMETRICS = "f1 macro: torchmetrics multiclass_f1_score (torch CPU)"
SHARES = np.array([0.50, 0.15, 0.10, 0.07, 0.05, 0.04, 0.03, 0.03, 0.02, 0.01])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="(10,000,000)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (5)")
    parser.add_argument("--quick", action="store_true", help="1/10 size, 3 repeats")
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "metrics.json", help="output"
    )
    args = parser.parse_args(argv)
    args.n_samples = args.n_samples or (1_000_000 if args.quick else 10_000_000)
    args.repeats = args.repeats or (3 if args.quick else 5)
    return args


def predictions(n_samples: int, seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    """Imbalanced true labels; predictions 80% correct, else uniform."""
    rng = np.random.default_rng(seed)
    y_true = rng.choice(SHARES.shape[0], size=n_samples, p=SHARES)
    wrong = rng.random(n_samples) >= 0.8
    y_pred = np.where(wrong, rng.integers(0, SHARES.shape[0], n_samples), y_true)
    return y_true.astype(np.int64), y_pred.astype(np.int64)


def contenders(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Callable[[], Any]]:
    from imblearn.metrics import classification_report_imbalanced
    from sklearn.metrics import classification_report, f1_score

    n_classes = SHARES.shape[0]
    rows: dict[str, Callable[[], Any]] = {
        FLOOR: lambda: np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2),
        OURS: lambda: bm.classification_report_imbalanced(y_true, y_pred),
        SKLEARN: lambda: classification_report(y_true, y_pred),
        IMBLEARN: lambda: classification_report_imbalanced(y_true, y_pred),
        "f1 macro: balancekit (numpy)": lambda: bm.f1_score(
            y_true, y_pred, average="macro"
        ),
        "f1 macro: sklearn": lambda: f1_score(y_true, y_pred, average="macro"),
    }
    try:
        import torch
    except ImportError:
        return rows
    t_true, t_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    rows["report: balancekit (torch CPU)"] = lambda: (
        bm.classification_report_imbalanced(t_true, t_pred)
    )
    rows["f1 macro: balancekit (torch CPU)"] = lambda: bm.f1_score(
        t_true, t_pred, average="macro"
    )
    try:
        from torchmetrics.functional.classification import multiclass_f1_score
    except ImportError:
        return rows
    rows[TORCHMETRICS] = lambda: multiclass_f1_score(
        t_pred, t_true, num_classes=n_classes
    )
    return rows


def check_values(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Largest difference between our report dict and imbalanced-learn's."""
    from imblearn.metrics import classification_report_imbalanced

    n = min(y_true.shape[0], 200_000)
    ours = bm.classification_report_imbalanced(y_true[:n], y_pred[:n], output_dict=True)
    theirs = classification_report_imbalanced(y_true[:n], y_pred[:n], output_dict=True)
    worst = 0.0
    for key, value in theirs.items():
        pairs = value.items() if isinstance(value, dict) else [(None, value)]
        for column, score in pairs:
            mine = ours[key] if column is None else ours[key][column]
            worst = max(worst, abs(float(mine) - float(score)))
    return worst


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    y_true, y_pred = predictions(args.n_samples)
    env = environment()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = compare(contenders(y_true, y_pred), args.repeats)
        max_difference = check_values(y_true, y_pred)
    by_name = {row.name: row for row in rows}
    floor = by_name[FLOOR]
    ours = by_name[OURS]
    ratios = {
        "sklearn report / balancekit report": (
            by_name[SKLEARN].median_s / ours.median_s
        ),
        "imblearn report / balancekit report": (
            by_name[IMBLEARN].median_s / ours.median_s
        ),
        "balancekit report / bincount floor": ours.median_s / floor.median_s,
        "sklearn f1 / balancekit f1": (
            by_name["f1 macro: sklearn"].median_s
            / by_name["f1 macro: balancekit (numpy)"].median_s
        ),
    }
    if TORCHMETRICS in by_name:
        ratios["torchmetrics f1 / balancekit f1 (torch)"] = (
            by_name[TORCHMETRICS].median_s
            / by_name["f1 macro: balancekit (torch CPU)"].median_s
        )
    print(
        f"numpy {env['numpy']}, torch {env['torch']}, imblearn {env['imblearn']} | "
        f"{env['cpu_count']} cores | {args.n_samples:,} predictions, 10 classes "
        f"(shares {SHARES.tolist()}), {args.repeats} repeats\n"
    )
    print("| contender | median s | min s | peak MiB | x floor (median) |")
    print("|---|---|---|---|---|")
    for row in rows:
        peak = "n/a" if row.peak_bytes is None else f"{row.peak_bytes / MIB:.1f}"
        print(
            f"| {row.name} | {row.median_s:.4f} | {row.min_s:.4f} | {peak} | "
            f"{row.median_s / floor.median_s:.2f} |"
        )
    print()
    for name, ratio in ratios.items():
        print(f"{name}: {ratio:.1f}x")
    goals = {
        "report >= 20x faster than sklearn": (
            ratios["sklearn report / balancekit report"] >= 20
        ),
        "report within 3x of the bincount floor": (
            ratios["balancekit report / bincount floor"] <= 3
        ),
    }
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'NOT met'}")
    print(f"max |balancekit - imblearn| over the report dict: {max_difference:.2e}")
    payload = {
        "environment": env,
        "n_samples": args.n_samples,
        "repeats": args.repeats,
        "results": [
            {
                "name": row.name,
                "times_s": row.times,
                "median_s": row.median_s,
                "min_s": row.min_s,
                "peak_bytes": row.peak_bytes,
            }
            for row in rows
        ],
        "ratios": ratios,
        "goals": goals,
        "max_difference_vs_imblearn": max_difference,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
