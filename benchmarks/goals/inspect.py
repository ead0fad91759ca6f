"""The goals checked on ``bench_inspect.py``'s JSON (``inspect.json``)."""

from __future__ import annotations

from _goals import Figure, Goal

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "peak RSS added by one call (Linux VmHWM)"

# No peer: time and peak memory reported. Rows by position: the first name carries
# the subsample size; the second row is absent without --full.
GOALS = [
    Goal(
        9,
        "inspect, 1M x 32, kNN typology on a 20k-row subsample: completes (time, "
        "peak memory)",
        "inspect",
        "time",
        Figure(
            "inspect(max_samples=20,000)",
            ("results", 0, "times_s"),
            ("results", 0, "peak_bytes"),
        ),
    ),
    Goal(
        9,
        "inspect, 1M x 32, exact typology of every row: completes (time, peak memory)",
        "inspect",
        "time",
        Figure("inspect()", ("results", 1, "times_s"), ("results", 1, "peak_bytes")),
    ),
]
