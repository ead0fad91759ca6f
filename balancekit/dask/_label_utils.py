"""``class_counts`` and ``check_sampling_strategy`` on Dask labels.

Both start from the class counts of one pass over ``y`` (``_counts``): only the
O(n_classes x n_partitions) counts reach the client, and the result is the in-memory
function's (a dict of Python scalars; the strategy resolved by the same rules, a
callable receiving the Dask ``y`` as the samplers' callables do).
"""

from __future__ import annotations

from typing import Any

from balancekit._sampling_strategy import SamplingType, resolve_sampling_strategy
from balancekit.dask._collections import Rows, check_all_dask, dask_rows
from balancekit.dask._counts import PartitionCounts, count_rows

__all__ = ["check_sampling_strategy", "class_counts", "strategy_on_counts"]


def class_counts(y: Any) -> dict:
    """:func:`balancekit.utils.class_counts` of Dask labels, in one pass.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> y = da.from_array(np.array([2, 0, 2, 2, 1]), chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     class_counts(y)
    {0: 1, 1: 1, 2: 3}
    """
    check_all_dask({"y": y})
    return count_rows(dask_rows(y, "y", "labels")).class_counts()


def check_sampling_strategy(
    sampling_strategy: Any, y: Any, sampling_type: SamplingType, **kwargs: Any
) -> Any:
    """:func:`balancekit.utils.check_sampling_strategy` of Dask labels: resolved on
    the class counts of one pass over ``y``.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> y = da.from_array(np.array([0, 0, 0, 1]), chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     dict(check_sampling_strategy("auto", y, "over-sampling"))
    {1: 2}
    """
    check_all_dask({"y": y})
    return strategy_on_counts(
        sampling_strategy, dask_rows(y, "y", "labels"), sampling_type, **kwargs
    )[1]


def strategy_on_counts(
    sampling_strategy: Any, y: Rows, sampling_type: SamplingType, **kwargs: Any
) -> tuple[PartitionCounts, Any]:
    """One pass over checked labels ``y``: their class counts per partition, and
    ``sampling_strategy`` resolved on them (a callable gets the Dask ``y``)."""
    counts = count_rows(y)
    strategy = resolve_sampling_strategy(
        sampling_strategy, counts.class_counts(), sampling_type, y=y.value, **kwargs
    )
    return counts, strategy
