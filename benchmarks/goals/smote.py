"""The goals checked on ``bench_smote.py``'s JSON (``smote.json``)."""

from __future__ import annotations

from goals._figures import first_touch_goal, sampler_goals, torch_cpu_goal

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "tracemalloc (NumPy and Python allocations)"

# Cases by position: their names carry the data size.
GOALS = [
    *sampler_goals(
        3,
        "smote",
        0,
        "SMOTE, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "SMOTE, 1M x 32: peak memory never above imblearn's",
    ),
    *sampler_goals(
        3,
        "smote",
        1,
        "SMOTE, 100k x 256: reported beside imblearn",
        None,
        "SMOTE, 100k x 256: peak memory never above imblearn's",
    ),
    torch_cpu_goal("smote", 0, "SMOTE, 1M x 32: torch CPU at least 0.9x NumPy's speed"),
    torch_cpu_goal(
        "smote", 1, "SMOTE, 100k x 256: torch CPU at least 0.9x NumPy's speed"
    ),
    first_touch_goal(
        "smote",
        0,
        "SMOTE, 1M x 32: memory first touched (minor page faults) on torch CPU, "
        "reported beside NumPy",
    ),
]
