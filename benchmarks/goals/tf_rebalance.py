"""The goals checked on ``bench_tf_rebalance.py``'s JSON (``tf_rebalance.json``)."""

from __future__ import annotations

from _goals import Goal

from goals._figures import TF_MIXING_PEER, tf_rate

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = (
    "not measured (rebalance holds the over-sampled classes: their elements plus 32 "
    "bytes per copy, within max_cached_bytes)"
)

GOALS = [
    Goal(
        6,
        "rebalance, 1M x 32 stream: at least 20x the elements/s of the built-in "
        "arrangement that mixes as well (sample_from_datasets over pre-split, "
        "shuffled, repeated classes)",
        "tf_rebalance",
        "rate",
        tf_rate("balancekit rebalance", "rebalance"),
        TF_MIXING_PEER,
        20.0,
    ),
    Goal(
        6,
        "rebalance, 1M x 32 stream: at most 1.5x the plain pipeline's time per element",
        "tf_rebalance",
        "rate",
        tf_rate("balancekit rebalance", "rebalance"),
        (tf_rate("plain (unbalanced)", "plain pipeline"),),
        1 / 1.5,
    ),
]
