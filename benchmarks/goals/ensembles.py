"""The goals checked on ``bench_ensembles.py``'s JSON."""

from __future__ import annotations

from _goals import Goal

from goals._figures import sampler_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "not measured (one fit takes tens of seconds)"

GOALS = [
    Goal(
        17,
        "BalancedRandomForestClassifier fit, 1M x 32, 1% minority: no slower than "
        "imblearn",
        "ensembles",
        "time",
        sampler_figure("BalancedRandomForestClassifier", "balancekit", "balancekit"),
        (sampler_figure("BalancedRandomForestClassifier", "peer", "imblearn"),),
        1.0,
    ),
]
