"""The goals checked on ``bench_bench_load.py``'s JSON (``bench_load.json``)."""

from __future__ import annotations

from _goals import Figure, Goal

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "not measured (wall-clock times of the command in a subprocess)"

GOALS = [
    Goal(
        15,
        "bench --quick with two competing CPU-bound processes: at most 2x its quiet "
        "time",
        "bench_load",
        "time",
        Figure("--quick, 2 busy processes", ("results", "quick_loaded", "times_s")),
        (Figure("--quick, quiet", ("results", "quick_quiet", "times_s")),),
        1 / 2,
    ),
    Goal(
        15,
        "the full default bench (12 data sets, 2 models, 27 strategies, 3 seeds): at "
        "least 1.7x faster with 2 workers than with 1",
        "bench_load",
        "time",
        Figure("--n-jobs 2", ("results", "full_2_workers", "times_s")),
        (Figure("--n-jobs 1", ("results", "full_1_worker", "times_s")),),
        1.7,
    ),
]
