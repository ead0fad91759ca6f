"""The tasks of ``inspect`` on Dask: one per partition.

Every step of :mod:`balancekit.dask._inspect` runs a function on each partition's
blocks of ``X`` and ``y``. Here: a block read as float64 rows, labels read as class
codes, and the graph of one such task per partition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dask
import numpy as np
import pandas as pd
from dask.delayed import Delayed

from balancekit.dask._collections import Rows
from balancekit.dask._counts import label_values


def _matrix(block: Any) -> np.ndarray:
    """A partition's features as float64 rows (pandas' missing values as NaN)."""
    if isinstance(block, pd.DataFrame):
        values = block.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = np.asarray(block, dtype=np.float64)
    return values.reshape(len(values), int(np.prod(values.shape[1:])))


def _codes(block: Any, classes: np.ndarray) -> np.ndarray:
    return np.searchsorted(classes, label_values(block, "y"))


def _per_partition(
    step: str, function: Callable, X: Rows, y: Rows, *args: Any
) -> list[Delayed]:
    """One lazy ``function(x_block, y_block, i, *args)`` per partition ``i``."""
    token = dask.base.tokenize(X.value, y.value, step, *args)
    name = f"balancekit-inspect-{step}-{token}"
    graph: dict = {**X.graph, **y.graph}
    # Arrays and plans are stored once in the graph, not copied into every task.
    shared = list(args)
    for n, value in enumerate(args):
        if isinstance(value, dict | np.ndarray):
            graph[(f"{name}-arg", n)] = (_given, value)
            shared[n] = (f"{name}-arg", n)
    for i in range(X.n_partitions):
        graph[(name, i)] = (function, X.keys[i][0], y.keys[i][0], i, *shared)
    return [Delayed((name, i), graph) for i in range(X.n_partitions)]


def _given(value: Any) -> Any:
    return value
