"""The goals checked on ``bench_keras_weights.py``'s JSON (``keras_weights.json``)."""

from __future__ import annotations

from _goals import Goal

from goals._figures import named_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "peak RSS added by one call (Linux VmHWM; reused heap reads low)"

GOALS = [
    Goal(
        6,
        "with_sample_weights, one Keras fit epoch: within 5% of fit(class_weight=)",
        "keras_weights",
        "time",
        named_figure("with_sample_weights", "with_sample_weights"),
        (named_figure("fit(class_weight=)", "fit(class_weight=)"),),
        1 / 1.05,
    ),
    Goal(
        6,
        "with_sample_weights, one Keras fit epoch: within 5% of precomputed weights",
        "keras_weights",
        "time",
        named_figure("with_sample_weights", "with_sample_weights"),
        (named_figure("precomputed (x, y, w)", "precomputed (x, y, w)"),),
        1 / 1.05,
    ),
]
