"""The goals checked on ``bench_cleaning_samplers.py``'s JSON."""

from __future__ import annotations

from _goals import Goal

from goals._figures import sampler_figure, sampler_goals, torch_cpu_goal

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "tracemalloc (NumPy and Python allocations; torch: n/a)"

GOALS = [
    *sampler_goals(
        3,
        "cleaning_samplers",
        "TomekLinks",
        "TomekLinks, 100k x 32: at least 5x faster than imblearn",
        5.0,
        "TomekLinks, 100k x 32: peak memory never above imblearn's",
    ),
    *sampler_goals(
        3,
        "cleaning_samplers",
        "EditedNearestNeighbours",
        "EditedNearestNeighbours, 100k x 32: no slower than imblearn on NumPy",
        1.0,
        "EditedNearestNeighbours, 100k x 32: peak memory never above imblearn's",
    ),
    Goal(
        3,
        "EditedNearestNeighbours, 100k x 32: the torch CPU path, reported beside it",
        "cleaning_samplers",
        "time",
        sampler_figure(
            "EditedNearestNeighbours", "balancekit_torch_cpu", "balancekit torch"
        ),
        (sampler_figure("EditedNearestNeighbours", "peer", "imblearn"),),
    ),
    torch_cpu_goal(
        "cleaning_samplers",
        "TomekLinks",
        "TomekLinks, 100k x 32: torch CPU at least 0.9x NumPy's speed",
    ),
    torch_cpu_goal(
        "cleaning_samplers",
        "EditedNearestNeighbours",
        "EditedNearestNeighbours, 100k x 32: torch CPU at least 0.9x NumPy's speed",
    ),
]
