"""The goals checked on ``bench_imblearn_samplers.py``'s JSON."""

from __future__ import annotations

from goals._figures import sampler_goals

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "tracemalloc (NumPy and Python allocations)"

# Cases by position (their names carry the data size, which --n-samples changes).
GOALS = [
    *sampler_goals(
        17,
        "imblearn_samplers",
        0,
        "KMeansSMOTE, 1M x 32, 1% minority: no slower than imblearn",
        1.0,
        "KMeansSMOTE, 1M x 32: peak memory reported beside imblearn's",
    ),
    *sampler_goals(
        17,
        "imblearn_samplers",
        1,
        "ClusterCentroids, 1% minority (100k x 32 by default): no slower than imblearn",
        1.0,
        "ClusterCentroids: peak memory reported beside imblearn's",
    ),
    *sampler_goals(
        17,
        "imblearn_samplers",
        2,
        "SVMSMOTE, 1% minority (50k x 32 by default): no slower than imblearn",
        1.0,
        "SVMSMOTE: peak memory reported beside imblearn's",
    ),
    *sampler_goals(
        17,
        "imblearn_samplers",
        3,
        "ClusterCentroids, 1M x 32, k-means capped to 2 iterations in both: no slower",
        1.0,
        "ClusterCentroids, 1M x 32 capped: peak memory reported beside imblearn's",
    ),
    *sampler_goals(
        17,
        "imblearn_samplers",
        4,
        "SVMSMOTE, 1M x 32, SVC capped to 100 iterations in both: no slower",
        1.0,
        "SVMSMOTE, 1M x 32 capped: peak memory reported beside imblearn's",
    ),
]
