"""The goals checked on ``bench_dask.py``'s JSON."""

from __future__ import annotations

from _goals import Figure, Goal, Path, Where

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = (
    "ru_maxrss of the client and of each worker process; the peers' child process"
)


def _times(step: str, library: str, label: str) -> Figure:
    path: Path = ("steps", Where.of(step=step), library, "times_s")
    return Figure(label, path)


def _within_peers(step: str, text: str) -> Goal:
    """Issue 18: balancekit on Dask within 1.5x of pandas + imbalanced-learn /
    scikit-learn where the table fits in memory."""
    return Goal(
        18,
        text,
        "dask_scaling",
        "time",
        _times(step, "balancekit", "balancekit on Dask"),
        (_times(step, "peer", "pandas + imblearn/sklearn"),),
        1 / 1.5,
    )


def _against_floor(step: str, text: str) -> Goal:
    """Issue 18 (reported): a step's time beside the floor of reading the data once."""
    return Goal(
        18,
        text,
        "dask_scaling",
        "time",
        _times(step, "balancekit", "balancekit on Dask"),
        (_times("floor", "balancekit", "read once (Dask)"),),
    )


def _peak(key: str, text: str, limit: float | None = None) -> Goal:
    peak: Path = (key,)
    figure = Figure("balancekit", peak, peak)
    return Goal(18, text, "dask_scaling", "memory", figure, limit=limit)


GOALS = [
    _within_peers("rus", "RandomUnderSampler 1:1 to parquet: within 1.5x of the peers"),
    _within_peers("weights", "compute_sample_weight: within 1.5x of scikit-learn"),
    _within_peers("report", "classification report + AP: within 1.5x of the peers"),
    _against_floor("rus", "RandomUnderSampler to parquet beside reading the data once"),
    _against_floor("report", "report + AP beside reading the data once"),
    _peak(
        "balancekit_worker_peak_bytes",
        "peak memory of the largest Dask worker: under 4 GiB",
        limit=4 * 1024**3,
    ),
    _peak("balancekit_client_peak_bytes", "peak memory of the client"),
]
