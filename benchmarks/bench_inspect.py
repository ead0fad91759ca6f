"""Speed and peak memory of ``balancekit.diagnostics.inspect`` on a million rows.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_inspect.py [--quick] [--json PATH]

Data: 1,000,000 x 32 float32 Gaussian rows, 1% minority (shifted by 0.5 in every
feature, so its difficulty is mixed), with 1,000 planted duplicate rows, 100 of them
relabelled (conflicts), and 50 NaN. Two calls are measured:

* ``inspect(max_samples=20_000)``: every check on every row, the kNN typology for a
  stratified subsample of 20,000 rows (neighbours still searched among all rows),
  timed ``--repeats`` times after a warm-up (``benchmarks/_functions.py``);
* ``inspect()``: the exact typology of every row, an all-pairs kNN search (minutes
  on a few cores: about 35 min at 1,000,000 rows here), timed once with ``--full``.

Each row also checks that the planted duplicates, conflicts and NaN are found exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _functions import compare, peak_rss_bytes
from _harness import MIB, RESULTS, environment

from balancekit.diagnostics import inspect

N_DUPLICATES = 1_000
N_CONFLICTS = 100
N_NAN = 50
SUBSAMPLE = 20_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="(1,000,000)")
    parser.add_argument("--n-features", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (3)")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 rows, 1 repeat: a smoke run"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also time the exact all-rows typology (tens of minutes at 1M rows)",
    )
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "inspect.json", help="output"
    )
    args = parser.parse_args(argv)
    args.n_samples = args.n_samples or (20_000 if args.quick else 1_000_000)
    args.repeats = args.repeats or (1 if args.quick else 3)
    return args


def planted_data(
    n_samples: int, n_features: int, seed: int = 20240601
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian float32 rows, 1% shifted minority, planted duplicates and NaN."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    y = np.zeros(n_samples, dtype=np.int64)
    y[rng.choice(n_samples, size=max(1, n_samples // 100), replace=False)] = 1
    X[y == 1] += 0.5
    rows = rng.permutation(n_samples)
    sources, copies = rows[:N_DUPLICATES], rows[N_DUPLICATES : 2 * N_DUPLICATES]
    nan_rows = rows[2 * N_DUPLICATES : 2 * N_DUPLICATES + N_NAN]
    X[copies] = X[sources]
    y[copies] = y[sources]
    y[copies[:N_CONFLICTS]] = 1 - y[sources[:N_CONFLICTS]]
    X[nan_rows, 0] = np.nan
    return X, y


def planted_found(report: Any) -> bool:
    """Whether the report counts exactly what was planted."""
    return (
        report.n_duplicate_rows == N_DUPLICATES
        and report.n_duplicate_groups == N_DUPLICATES
        and report.n_conflicting_groups == N_CONFLICTS
        and report.n_conflicting_rows == 2 * N_CONFLICTS
        and sum(report.nan_counts) == N_NAN
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    X, y = planted_data(args.n_samples, args.n_features)
    env = environment()
    subsample = min(SUBSAMPLE, args.n_samples // 2)
    sampled_name = f"inspect(max_samples={subsample:,})"
    timings = compare(
        {sampled_name: lambda: inspect(X, y, max_samples=subsample)}, args.repeats
    )
    sampled_report = inspect(X, y, max_samples=subsample)
    results = [
        {
            "name": sampled_name,
            "times_s": timings[0].times,
            "median_s": timings[0].median_s,
            "min_s": timings[0].min_s,
            "peak_bytes": timings[0].peak_bytes,
            "planted_found": planted_found(sampled_report),
            "typology_shares": sampled_report.to_dict()["typology_shares"],
        }
    ]
    if args.full:
        holder: dict[str, Any] = {}

        def full() -> Any:
            start = time.perf_counter()
            holder["report"] = inspect(X, y)
            holder["seconds"] = time.perf_counter() - start
            return None

        peak = peak_rss_bytes(full)
        report = holder["report"]
        results.append(
            {
                "name": "inspect() exact typology of every row",
                "times_s": [holder["seconds"]],
                "median_s": holder["seconds"],
                "min_s": holder["seconds"],
                "peak_bytes": peak,
                "planted_found": planted_found(report),
                "typology_shares": report.to_dict()["typology_shares"],
            }
        )
    data_bytes = X.nbytes + y.nbytes
    print(
        f"numpy {env['numpy']} | {env['cpu_count']} cores | {args.n_samples:,} x "
        f"{args.n_features} float32 ({data_bytes / MIB:.0f} MiB), minority 1%, "
        f"{N_DUPLICATES:,} duplicates ({N_CONFLICTS} relabelled), {N_NAN} NaN\n"
    )
    print("| call | median s | min s | peak MiB | planted found | minority safe |")
    print("|---|---|---|---|---|---|")
    for row in results:
        peak = "n/a" if row["peak_bytes"] is None else f"{row['peak_bytes'] / MIB:.0f}"
        safe = row["typology_shares"]["1"]["safe"]
        print(
            f"| {row['name']} | {row['median_s']:.2f} | {row['min_s']:.2f} | {peak} "
            f"| {row['planted_found']} | {safe:.3f} |"
        )
    payload = {
        "title": "balancekit.diagnostics.inspect",
        "environment": env,
        "n_samples": args.n_samples,
        "n_features": args.n_features,
        "data_bytes": data_bytes,
        "results": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)

    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0 if all(row["planted_found"] for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
