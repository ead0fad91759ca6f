"""Speed: balancekit's BalancedRandomForestClassifier against imbalanced-learn's.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_ensembles.py [--quick] [--json PATH]

Default data: 1,000,000 x 32 float32 rows, a 1% minority at random rows (issue 17's
goal: no slower than imbalanced-learn). Each repeat times one ``fit`` of each library,
interleaved (imblearn, then balancekit) so drifting load hits both; both use the
defaults (100 trees, ``sampling_strategy="all"``, ``replacement=True``,
``bootstrap=False``) with ``n_jobs=1``. The balanced accuracy of each fitted forest on
a held-out set is reported too, to show the faster model is not a worse one. Peak
memory is not measured (one fit takes tens of seconds; the per-tree copies are a few
MiB in both libraries).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _harness import RESULTS, count_classes, environment, imbalanced_data
from imblearn.ensemble import BalancedRandomForestClassifier as PeerForest
from sklearn.metrics import balanced_accuracy_score

from balancekit.ensemble import BalancedRandomForestClassifier

CASE = "BalancedRandomForestClassifier"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="rows (1,000,000)")
    parser.add_argument("--n-features", type=int, default=32, help="columns (32)")
    parser.add_argument("--minority", type=float, default=0.01, help="share (0.01)")
    parser.add_argument("--n-estimators", type=int, default=100, help="trees (100)")
    parser.add_argument("--repeats", type=int, default=None, help="timed fits (3)")
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 2 repeats")
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "ensembles.json", help="output"
    )
    args = parser.parse_args(argv)
    args.n_samples = args.n_samples or (100_000 if args.quick else 1_000_000)
    args.repeats = args.repeats or (2 if args.quick else 3)
    if not 0 < args.minority < 0.5:
        parser.error("--minority must be in (0, 0.5)")
    if args.n_estimators < 1 or args.repeats < 1 or args.n_samples < 100:
        parser.error("--n-estimators and --repeats must be >= 1, --n-samples >= 100")
    return args


def _forests(n_estimators: int) -> dict[str, Any]:
    def peer() -> Any:
        return PeerForest(n_estimators=n_estimators, random_state=0, n_jobs=1)

    def ours() -> Any:
        return BalancedRandomForestClassifier(
            n_estimators=n_estimators, random_state=0, n_jobs=1
        )

    return {"peer": peer, "balancekit": ours}


def _timed_fit(factory: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, Any]:
    model = factory()
    gc.collect()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # imblearn's defaults notice
        model.fit(X, y)
    return time.perf_counter() - start, model


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = environment()
    X, y = imbalanced_data(args.n_samples, args.n_features, args.minority)
    X_test, y_test = imbalanced_data(
        max(args.n_samples // 10, 1_000), args.n_features, args.minority, seed=7
    )
    forests = _forests(args.n_estimators)
    # Warm-up on a slice: imports, code paths and thread pools, off the clock.
    warm = slice(0, min(args.n_samples, 20_000))
    for factory in forests.values():
        _timed_fit(factory, X[warm], y[warm])
    times: dict[str, list[float]] = {name: [] for name in forests}
    scores: dict[str, list[float]] = {name: [] for name in forests}
    for _ in range(args.repeats):
        for name, factory in forests.items():  # interleaved: peer, then ours
            elapsed, model = _timed_fit(factory, X, y)
            times[name].append(elapsed)
            scores[name].append(balanced_accuracy_score(y_test, model.predict(X_test)))
            del model
    env["load_average_at_end"] = list(os.getloadavg())

    def figures(name: str) -> dict[str, Any]:
        return {
            "library": name,
            "times_s": times[name],
            "median_s": statistics.median(times[name]),
            "peak_bytes": None,
            "balanced_accuracy": scores[name],
        }

    peer, ours = figures("peer"), figures("balancekit")
    speedup = peer["median_s"] / ours["median_s"]
    speedup_min = min(times["peer"]) / min(times["balancekit"])
    shape = f"{args.n_samples:,} x {args.n_features} float32"
    print(
        f"{CASE}: {shape}, minority {args.minority:.1%} "
        f"({count_classes(y)}), {args.n_estimators} trees, n_jobs=1, "
        f"{args.repeats} repeats | load average {env['load_average_at_start']} -> "
        f"{env['load_average_at_end']}"
    )
    print()
    print("| library | median s | min s | balanced accuracy (mean) | speed-up |")
    print("|---|---|---|---|---|")
    for row, label in ((peer, "imblearn"), (ours, "balancekit")):
        gain = f"{speedup:.2f}x / {speedup_min:.2f}x" if row is ours else ""
        print(
            f"| {label} | {row['median_s']:.2f} | {min(row['times_s']):.2f} | "
            f"{statistics.mean(row['balanced_accuracy']):.4f} | {gain} |"
        )
    if args.quick:
        print("NOTE: --quick size; the goal is set at 1M x 32.")
    payload = {
        "environment": env,
        "quick": args.quick,
        "results": [
            {
                "case": CASE,
                "data": f"{shape}, minority {args.minority:.1%}",
                "n_estimators": args.n_estimators,
                "peer": peer,
                "balancekit": ours,
                "speedup_median": speedup,
                "speedup_min": speedup_min,
            }
        ],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.json.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n")
    temporary.replace(args.json)
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
