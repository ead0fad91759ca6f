"""Elements per second of rebalanced tf.data pipelines: balancekit's ``rebalance``
against TensorFlow's own arrangements, in one run.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_tf_rebalance.py [--quick] [--json PATH]

Data: 1,000,000 rows x 32 float32 features, a 1% minority, batches of 256, every
pipeline balanced 50/50 and iterated as Keras would (``.batch(256).prefetch``):

- plain: the unbalanced pipeline, the floor;
- ``rejection_resample`` (with ``initial_dist``), mapped back to ``(x, y)``;
- ``sample_from_datasets`` over per-class ``filter``s of the stream;
- ``sample_from_datasets`` over per-class datasets split beforehand;
- ``rebalance`` (class counts given, as a pipeline would cache them).

The slow arrangements are timed over a prefix of their stream (``--slow-elements``);
rates are output elements per second (median of the repeats).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
from _harness import RESULTS, environment

from balancekit.tensorflow import rebalance

BATCH = 256


def _rate(dataset: tf.data.Dataset, max_elements: int | None) -> float:
    """Elements per second over one pass (or its first ``max_elements``)."""
    batches = dataset.batch(BATCH).prefetch(2)
    if max_elements is not None:
        batches = batches.take(max(1, max_elements // BATCH))
    start, seen = time.perf_counter(), 0
    for _, labels in batches:
        seen += int(labels.shape[0])
    return seen / (time.perf_counter() - start)


def pipelines(X: np.ndarray, y: np.ndarray) -> dict[str, tf.data.Dataset]:
    plain = tf.data.Dataset.from_tensor_slices((X, y))
    counts = np.bincount(y)
    by_class = [
        tf.data.Dataset.from_tensor_slices((X[y == c], y[y == c])).repeat()
        for c in (0, 1)
    ]
    return {
        "plain (unbalanced)": plain,
        "rejection_resample": plain.rejection_resample(
            lambda x, label: tf.cast(label, tf.int32),
            target_dist=[0.5, 0.5],
            initial_dist=(counts / counts.sum()).tolist(),
            seed=0,
        ).map(lambda label, element: element),
        "sample_from_datasets over filters": tf.data.Dataset.sample_from_datasets(
            [plain.filter(lambda x, label, c=c: label == c).repeat() for c in (0, 1)],
            weights=[0.5, 0.5],
            seed=0,
        ),
        "sample_from_datasets over split datasets": (
            tf.data.Dataset.sample_from_datasets(by_class, weights=[0.5, 0.5], seed=0)
        ),
        "balancekit rebalance": plain.apply(
            rebalance(class_counts={0: int(counts[0]), 1: int(counts[1])}, seed=0)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow-elements", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "tf_rebalance.json")
    args = parser.parse_args(argv)
    n = args.n_samples // (10 if args.quick else 1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 32), dtype=np.float32)
    y = (rng.random(n) < 0.01).astype(np.int64)
    limits = {
        "rejection_resample": min(args.slow_elements // 5, n),
        "sample_from_datasets over filters": min(args.slow_elements, n),
        "sample_from_datasets over split datasets": n,
    }
    rates: dict[str, list[float]] = {}
    for name, dataset in pipelines(X, y).items():
        limit = limits.get(name)
        _rate(dataset, min(limit or n, 4 * BATCH))  # warm-up: tracing, buffers
        repeats = 1 if limit is not None and limit < n else args.repeats
        rates[name] = [_rate(dataset, limit) for _ in range(repeats)]
    median = {name: statistics.median(values) for name, values in rates.items()}
    builtin = max(v for k, v in median.items() if k.startswith(("rej", "sample")))
    ours, plain = median["balancekit rebalance"], median["plain (unbalanced)"]
    print(f"{n:,} rows x 32 float32, 1% minority, batch {BATCH} | TF {tf.__version__}")
    print()
    print("| pipeline | elements/s (median) | runs |")
    print("|---|---|---|")
    for name, value in median.items():
        print(f"| {name} | {value:,.0f} | {len(rates[name])} |")
    print()
    print(f"rebalance vs the fastest built-in arrangement: {ours / builtin:.1f}x")
    print(f"rebalance's time per element vs the plain pipeline: {plain / ours:.2f}x")
    payload = {
        "environment": environment(),
        "n_samples": n,
        "rates": rates,
        "median": median,
        "speedup_vs_fastest_builtin": ours / builtin,
        "time_per_element_vs_plain": plain / ours,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
