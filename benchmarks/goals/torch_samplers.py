"""The goals checked on ``bench_torch_samplers.py``'s JSON (``torch_samplers.json``)."""

from __future__ import annotations

from _goals import Goal

from goals._figures import named_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "peak RSS added by one call (Linux VmHWM)"

GOALS = [
    Goal(
        5,
        "BalancedSampler, one epoch of 10^7 indices: at least 5x faster than "
        "WeightedRandomSampler",
        "torch_samplers",
        "time",
        named_figure("balancekit BalancedSampler", "BalancedSampler"),
        (named_figure("WeightedRandomSampler", "WeightedRandomSampler"),),
        5.0,
    ),
]
