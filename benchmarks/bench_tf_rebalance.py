"""Elements per second and mixing of rebalanced tf.data pipelines: balancekit's
``rebalance`` against TensorFlow's own arrangements, in one run.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_tf_rebalance.py [--quick] [--json PATH]

Speed data: 1,000,000 rows x 32 float32 features, a 1% minority, batches of 256,
every pipeline balanced 50/50 and iterated as Keras would (``.batch(256).prefetch``):

- plain: the unbalanced pipeline, the floor;
- ``rejection_resample`` (with ``initial_dist``) over the repeated stream, mapped
  back to ``(x, y)``;
- ``sample_from_datasets`` over per-class ``filter``s of the stream;
- ``sample_from_datasets`` over per-class datasets split beforehand, each shuffled
  with a buffer covering the class (``reshuffle_each_iteration``) and repeated: the
  built-in arrangement that mixes as well as ``rebalance`` (the JSON key keeps its
  name, "over split datasets");
- ``rebalance`` (class counts given, as a pipeline would cache them);
- ``rebalance`` in the fallback block mode (``max_cached_bytes=0``).

The slow arrangements are timed once over a prefix of their stream
(``--slow-elements``); the others over whole passes, their repeats interleaved
(plain, peer, ours, ... then again). Rates are output elements per second (median of
the repeats).

Mixing, on the issue's repro (``--mixing-rows`` rows, default 20,000, at most a fifth
of ``--n-samples``; 5% positives, balanced 50/50, batches of 256, row ids as
features, one epoch = twice the majority count): distinct minority rows per batch
against an independent draw's expectation ``n_min (1 - (1 - 1/2 / n_min) ** 256)``,
the mean span in batches of a minority row's copies against the same minority slots
filled uniformly at random, and the share of minority rows seen in the first
half-epoch.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

# torch before tensorflow when both share a process (environment() imports it).
with contextlib.suppress(ImportError):
    import torch  # noqa: F401
import tensorflow as tf
from _harness import RESULTS, environment

from balancekit.tensorflow import rebalance

BATCH = 256
PLAIN = "plain (unbalanced)"
REJECTION = "rejection_resample"
FILTERS = "sample_from_datasets over filters"
SPLIT = "sample_from_datasets over split datasets"
OURS = "balancekit rebalance"
BLOCK = "balancekit rebalance, block mode (fallback)"
#: The arrangements timed over a prefix of their stream only.
SLOW = (REJECTION, FILTERS)


def _rate(dataset: tf.data.Dataset, max_elements: int | None) -> float:
    """Elements per second over one pass (or its first ``max_elements``)."""
    batches = dataset.batch(BATCH).prefetch(2)
    if max_elements is not None:
        batches = batches.take(max(1, max_elements // BATCH))
    start, seen = time.perf_counter(), 0
    for _, labels in batches:
        seen += int(labels.shape[0])
    return seen / (time.perf_counter() - start)


def pipelines(features: np.ndarray, y: np.ndarray) -> dict[str, tf.data.Dataset]:
    """Every arrangement over ``(features, y)``, balanced 50/50."""
    plain = tf.data.Dataset.from_tensor_slices((features, y))
    counts = np.bincount(y)
    by_class = [
        tf.data.Dataset.from_tensor_slices((features[y == c], y[y == c]))
        .shuffle(int(counts[c]), seed=c, reshuffle_each_iteration=True)
        .repeat()
        for c in (0, 1)
    ]
    given = {0: int(counts[0]), 1: int(counts[1])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the fallback's warning
        block = plain.apply(rebalance(class_counts=given, seed=0, max_cached_bytes=0))
    return {
        PLAIN: plain,
        REJECTION: plain.repeat()
        .rejection_resample(
            lambda x, label: tf.cast(label, tf.int32),
            target_dist=[0.5, 0.5],
            initial_dist=(counts / counts.sum()).tolist(),
            seed=0,
        )
        .map(lambda label, element: element),
        FILTERS: tf.data.Dataset.sample_from_datasets(
            [plain.filter(lambda x, label, c=c: label == c).repeat() for c in (0, 1)],
            weights=[0.5, 0.5],
            seed=0,
        ),
        SPLIT: tf.data.Dataset.sample_from_datasets(
            by_class, weights=[0.5, 0.5], seed=0
        ),
        OURS: plain.apply(rebalance(class_counts=given, seed=0)),
        BLOCK: block,
    }


def mixing(ids: np.ndarray, is_minority: np.ndarray, n_minority: int) -> dict:
    """The mixing figures of one epoch of row ids (see the module docstring)."""
    batch_of = np.arange(ids.shape[0]) // BATCH
    full = batch_of < ids.shape[0] // BATCH
    pairs = np.unique(
        np.stack([batch_of[is_minority & full], ids[is_minority & full]]), axis=1
    )
    distinct = float(np.bincount(pairs[0], minlength=ids.shape[0] // BATCH).mean())
    share = float(is_minority.mean())
    expected = n_minority * (1 - (1 - share / n_minority) ** BATCH)

    def span(rows: np.ndarray) -> float:
        batches = batch_of[is_minority]
        first = np.full(n_minority, np.iinfo(np.int64).max)
        last = np.full(n_minority, -1)
        np.minimum.at(first, rows, batches)
        np.maximum.at(last, rows, batches)
        present = last >= 0
        return float(np.mean(last[present] - first[present]))

    rows = ids[is_minority]
    uniform = np.random.default_rng(0).permutation(rows)
    half = ids[: ids.shape[0] // 2][is_minority[: ids.shape[0] // 2]]
    return {
        "distinct_minority_per_batch": distinct,
        "independent_draw_expectation": expected,
        "distinct_vs_independent": distinct / expected,
        "mean_copy_span_batches": span(rows),
        "uniform_placement_span_batches": span(uniform),
        "half_epoch_coverage": np.unique(half).shape[0] / n_minority,
        "minority_share": share,
    }


def mixing_figures(n_rows: int) -> dict[str, dict]:
    """Mixing of every arrangement on the issue's repro (row ids as features)."""
    y = (np.random.default_rng(14).random(n_rows) < 0.05).astype(np.int64)
    minority_ids = np.full(n_rows, -1)
    minority_ids[y == 1] = np.arange(int(y.sum()))
    epoch = 2 * int((y == 0).sum())
    figures = {}
    for name, dataset in pipelines(np.arange(n_rows), y).items():
        if name == PLAIN:
            continue
        ids = np.concatenate([i.numpy() for i, _ in dataset.take(epoch).batch(4096)])
        is_minority = y[ids] == 1
        figures[name] = mixing(
            np.where(is_minority, minority_ids[ids], 0), is_minority, int(y.sum())
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow-elements", type=int, default=5_000)
    parser.add_argument("--mixing-rows", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "tf_rebalance.json")
    args = parser.parse_args(argv)
    n = args.n_samples // (10 if args.quick else 1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 32), dtype=np.float32)
    y = (rng.random(n) < 0.01).astype(np.int64)
    limits = {
        REJECTION: min(args.slow_elements // 5, n),
        FILTERS: min(args.slow_elements, n),
        SPLIT: n,
    }
    arrangements = pipelines(X, y)
    rates: dict[str, list[float]] = {name: [] for name in arrangements}
    for name, dataset in arrangements.items():
        limit = limits.get(name)
        _rate(dataset, min(limit or n, 4 * BATCH))  # warm-up: tracing, buffers
        if name in SLOW:
            rates[name].append(_rate(dataset, limit))
    # The others interleaved (plain, peer, ours, ...), so that a noisy machine's
    # load falls on every arrangement alike.
    for _ in range(args.repeats):
        for name, dataset in arrangements.items():
            if name not in SLOW:
                rates[name].append(_rate(dataset, limits.get(name)))
    median = {name: statistics.median(values) for name, values in rates.items()}
    # The repro's 20,000 rows for --quick and full runs; fewer for small smoke runs
    # (rejection_resample and the filters draw a whole epoch at ~1,000 elements/s).
    mixing_rows = min(args.mixing_rows, max(n // 5, 2_000))
    mixed = mixing_figures(mixing_rows)
    ours, plain, peer = median[OURS], median[PLAIN], median[SPLIT]
    print(f"{n:,} rows x 32 float32, 1% minority, batch {BATCH} | TF {tf.__version__}")
    print(
        f"mixing on {mixing_rows:,} rows, 5% minority, "
        "one epoch; independent draw / uniform placement in brackets"
    )
    print()
    print(
        "| pipeline | elements/s (median) | runs | distinct minority rows per batch "
        "| mean span of a row's copies (batches) | half-epoch coverage |"
    )
    print("|---|---|---|---|---|---|")
    for name, value in median.items():
        row: Any = mixed.get(name)
        cells = (
            ["-", "-", "-"]
            if row is None
            else [
                f"{row['distinct_minority_per_batch']:.1f} "
                f"({row['independent_draw_expectation']:.1f})",
                f"{row['mean_copy_span_batches']:.1f} "
                f"({row['uniform_placement_span_batches']:.1f})",
                f"{row['half_epoch_coverage']:.1%}",
            ]
        )
        print(
            f"| {name} | {value:,.0f} | {len(rates[name])} | "
            + " | ".join(cells)
            + " |"
        )
    print()
    print(
        "rebalance vs sample_from_datasets over shuffled split classes (the built-in "
        f"arrangement that mixes as well): {ours / peer:.1f}x"
    )
    print(f"rebalance's time per element vs the plain pipeline: {plain / ours:.2f}x")
    payload = {
        "environment": environment(),
        "n_samples": n,
        "rates": rates,
        "median": median,
        "mixing_rows": mixing_rows,
        "mixing": mixed,
        "speedup_vs_shuffled_split": ours / peer,
        "time_per_element_vs_plain": plain / ours,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
