"""The goals checked on ``bench_random_samplers.py``'s JSON."""

from __future__ import annotations

from goals._figures import sampler_goals, torch_cpu_goal

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "tracemalloc (NumPy and Python allocations)"

GOALS = [
    *sampler_goals(
        2,
        "random_samplers",
        "RandomOverSampler",
        "RandomOverSampler, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "RandomOverSampler, 1M x 32: peak memory no higher than imblearn's",
    ),
    *sampler_goals(
        2,
        "random_samplers",
        "RandomUnderSampler",
        "RandomUnderSampler, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "RandomUnderSampler, 1M x 32: peak memory no higher than imblearn's",
    ),
    torch_cpu_goal(
        "random_samplers",
        "RandomOverSampler",
        "RandomOverSampler, 1M x 32: torch CPU at least 0.9x NumPy's speed",
    ),
    torch_cpu_goal(
        "random_samplers",
        "RandomUnderSampler",
        "RandomUnderSampler, 1M x 32: torch CPU at least 0.9x NumPy's speed",
    ),
]
