"""One Keras ``fit`` epoch with class weights: Keras' ``class_weight=``, precomputed
per-row weights, and balancekit's ``with_sample_weights`` on tf.data.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_keras_weights.py [--quick] [--json PATH]

Data: 1,000,000 rows x 32 float32 (standard normal), binary labels with 1% minority,
batches of 256. Model: Dense(32, relu) - Dense(2) logits, SparseCategoricalCrossentropy,
SGD. One epoch of ``model.fit`` (``verbose=0``) on each of:

- ``fit(class_weight=)``: ``from_tensor_slices((x, y)).batch(256)`` and Keras'
  ``class_weight`` (balanced weights from ``as_keras_class_weight``); Keras maps the
  dataset to ``(x, y, w)`` itself.
- ``precomputed (x, y, w)``: ``from_tensor_slices((x, y, w)).batch(256)`` with the
  per-row weights computed beforehand in NumPy.
- ``with_sample_weights``: ``from_tensor_slices((x, y)).batch(256)`` with
  ``.apply(with_sample_weights("balanced", class_counts=...))``: the counts are given,
  so no counting pass is timed; the counting pass (``class_counts`` omitted, one
  ``reduce`` over the labels) is timed on its own.

Each variant has its own model (same initial weights); every dataset ends with
``.prefetch(AUTOTUNE)``. Protocol: ``benchmarks/_functions.py`` (one warm-up epoch each,
then ``--repeats`` epochs interleaved, then one epoch each for the peak memory). The
load average is printed before and after: other processes share the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

with contextlib.suppress(ImportError):  # torch before tensorflow (DESIGN.md)
    import torch  # noqa: F401

import keras
import numpy as np
import tensorflow as tf
from _functions import compare, print_and_save
from _harness import RESULTS

from balancekit.tensorflow.weights import with_sample_weights
from balancekit.weighting import as_keras_class_weight

REFERENCE = "fit(class_weight=)"
OURS = "with_sample_weights"


def _data(n: int, n_features: int, minority: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, n_features), dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, size=round(n * minority), replace=False)] = 1
    return x, y


def _model(n_features: int, weights: list | None) -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(2),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    if weights is not None:
        model.set_weights(weights)
    return model


def _loads(values: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=32)
    parser.add_argument("--minority", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "keras_weights.json")
    args = parser.parse_args(argv)
    n = args.n_samples // (10 if args.quick else 1)
    load_start = os.getloadavg()
    keras.utils.set_random_seed(0)
    x, y = _data(n, args.n_features, args.minority)
    class_weight = as_keras_class_weight(y)
    counts = np.bincount(y, minlength=2)
    w = np.asarray([class_weight[0], class_weight[1]], dtype=np.float32)[y]

    def batched(*arrays: np.ndarray) -> tf.data.Dataset:
        return tf.data.Dataset.from_tensor_slices(arrays).batch(args.batch_size)

    plain = batched(x, y).prefetch(tf.data.AUTOTUNE)
    precomputed = batched(x, y, w).prefetch(tf.data.AUTOTUNE)
    ours = (
        batched(x, y)
        .apply(with_sample_weights("balanced", class_counts=counts))
        .prefetch(tf.data.AUTOTUNE)
    )
    first = _model(args.n_features, None)
    initial = first.get_weights()
    models = {
        REFERENCE: first,
        "precomputed (x, y, w)": _model(args.n_features, initial),
        OURS: _model(args.n_features, initial),
    }

    def epoch(name: str, dataset: tf.data.Dataset, **kwargs) -> float:
        history = models[name].fit(
            dataset, epochs=1, verbose=0, shuffle=False, **kwargs
        )
        return float(history.history["loss"][0])

    fns = {
        REFERENCE: lambda: epoch(REFERENCE, plain, class_weight=class_weight),
        "precomputed (x, y, w)": lambda: epoch("precomputed (x, y, w)", precomputed),
        OURS: lambda: epoch(OURS, ours),
    }
    timings = compare(fns, args.repeats)

    counting = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        batched(x, y).apply(with_sample_weights("balanced"))
        counting.append(time.perf_counter() - start)
    load_end = os.getloadavg()

    print(
        f"one fit epoch: {n:,} x {args.n_features} float32, minority "
        f"{args.minority:.0%}, batch {args.batch_size}, Dense(32)-Dense(2); "
        f"tensorflow {tf.__version__}, keras {keras.__version__}"
    )
    print(
        f"load average (1, 5, 15 min): start {_loads(load_start)}; end "
        f"{_loads(load_end)}"
    )
    print_and_save("Keras fit with class weights", timings, REFERENCE, args.json)
    by_name = {t.name: t for t in timings}
    ratios = {
        f"{OURS} / {t.name}": by_name[OURS].median_s / t.median_s
        for t in timings
        if t.name != OURS
    }
    print()
    for label, ratio in ratios.items():
        print(f"median time ratio {label}: {ratio:.3f}")
    print(
        f"counting pass (with_sample_weights without class_counts, applied): median "
        f"{statistics.median(counting):.3f} s, min {min(counting):.3f} s"
    )
    payload = json.loads(args.json.read_text())
    payload.update(
        {
            "n_samples": n,
            "n_features": args.n_features,
            "batch_size": args.batch_size,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "load_average_start": list(load_start),
            "load_average_end": list(load_end),
            "median_ratios": ratios,
            "counting_pass_s": counting,
        }
    )
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
