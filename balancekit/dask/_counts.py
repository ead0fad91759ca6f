"""Class counts per (partition, class) of Dask labels, in one pass.

The one statistic the random samplers, the weights and the metrics all start from:
each partition's task counts its labels (and sums its sample weights per class), and
only these O(n_classes x n_partitions) numbers reach the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import dask
import numpy as np
import pandas as pd
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from pandas.api.types import infer_dtype

from balancekit._label_messages import (
    continuous_message,
    empty_message,
    missing_message,
    nan_message,
)
from balancekit._labels import python_scalar
from balancekit.dask._collections import (
    Rows,
    check_aligned,
    check_all_dask,
    check_partition_length,
    dask_rows,
)

__all__ = [
    "PartitionCounts",
    "class_counts_by_partition",
    "class_moments",
    "class_std",
    "count_columns",
    "count_rows",
]

_FAN_IN = 8  # partial moments merged per task

# Small non-negative integer labels are counted with bincount (as in memory).
_BINCOUNT_MAX_LABEL = 1 << 16


class PartitionCounts(NamedTuple):
    """Class counts of Dask labels, per row partition.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
        The sorted distinct labels over all partitions.
    counts : ndarray of int64, shape (n_partitions, n_classes)
        ``counts[i, k]``: rows of class ``classes[k]`` in partition ``i``.
    weight_sums : ndarray of float64, shape (n_partitions, n_classes), or None
        The sums of ``sample_weight`` per partition and class, when given.
    """

    classes: np.ndarray
    counts: np.ndarray
    weight_sums: np.ndarray | None

    @property
    def lengths(self) -> np.ndarray:
        """Rows per partition, shape (n_partitions,)."""
        return self.counts.sum(axis=1)

    @property
    def totals(self) -> np.ndarray:
        """Rows per class over all partitions, shape (n_classes,)."""
        return self.counts.sum(axis=0)

    def class_counts(self) -> dict:
        """``{class: count}`` over all partitions, classes as Python scalars."""
        return {
            python_scalar(c): int(n)
            for c, n in zip(self.classes, self.totals, strict=True)
        }


def label_values(block: Any, name: str) -> np.ndarray:
    """A partition's labels as a checked 1-D NumPy array (in a task).

    Strings (NumPy, object or pandas string columns) become one fixed-width NumPy
    string dtype, so every partition's labels compare and sort alike and the classes
    are NumPy scalars.
    """
    values = block.to_numpy() if hasattr(block, "to_numpy") else np.asarray(block)
    if values.dtype.kind == "O":
        missing = int(np.sum(pd.isna(values)))
        if missing:  # pandas' nullable dtypes, None or NaN among strings
            raise ValueError(missing_message(name, missing))
        kind = infer_dtype(values, skipna=False)  # one C pass, not a Python loop
        if kind in ("string", "empty"):
            return values.astype(str)
        if kind in _NUMBER_KINDS:
            return label_values(np.asarray(values.tolist()), name)
        raise TypeError(
            f"`{name}` mixes label types ({_types(values)}); on Dask, class labels "
            "must be all numbers or all strings."
        )
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError(nan_message(name))
        if not (values == np.round(values)).all():
            raise ValueError(continuous_message(name))
    return values


# pandas' inferred kinds of object labels that are all numbers
_NUMBER_KINDS = ("integer", "floating", "mixed-integer-float", "boolean", "decimal")


def _types(values: np.ndarray) -> str:
    return ", ".join(sorted({type(v).__name__ for v in values}))


def _partition_counts(
    block: Any, weights: Any, index: int, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The sorted labels of one partition, their counts and weight sums."""
    values = label_values(block, name)
    small = values.dtype.kind in "iu" and values.size > 0
    if small and values.min() >= 0 and values.max() <= _BINCOUNT_MAX_LABEL:
        counts = np.bincount(values)
        present = np.flatnonzero(counts)
        sums = None
        if weights is not None:
            sums = np.bincount(values, _weights(weights, len(values), index))
            sums = sums[present]
        return present.astype(values.dtype), counts[present], sums
    labels, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = None
    if weights is not None:
        w = _weights(weights, len(values), index)
        sums = np.bincount(inverse.ravel(), w, minlength=len(labels))
    return labels, counts, sums


def _weights(block: Any, n_rows: int, index: int) -> np.ndarray:
    check_partition_length(block, n_rows, "sample_weight", "y", index)
    w = np.asarray(block.to_numpy() if hasattr(block, "to_numpy") else block)
    w = w.astype(np.float64)
    if not np.isfinite(w).all():
        raise ValueError(
            "`sample_weight` contains NaN or infinity; every weight must be finite."
        )
    if (w < 0).any():
        raise ValueError(
            "`sample_weight` contains negative values; weights must be >= 0."
        )
    return w


def count_rows(y: Rows, sample_weight: Rows | None = None) -> PartitionCounts:
    """:func:`class_counts_by_partition` on checked and aligned arguments."""
    return count_columns([y], sample_weight)[0]


def count_columns(
    columns: Sequence[Rows], sample_weight: Rows | None = None
) -> list[PartitionCounts]:
    """The class counts of several label columns (one per output), computed together:
    the columns of one collection are read in the same pass.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.dask._collections import dask_rows
    >>> y = da.from_array(np.array([[0, 1], [0, 0], [1, 1]]), chunks=2)
    >>> columns = [dask_rows(y[:, k], "y", "labels") for k in range(2)]
    >>> with dask.config.set(scheduler="synchronous"):
    ...     [c.counts.tolist() for c in count_columns(columns)]
    [[[2, 0], [0, 1]], [[1, 1], [0, 1]]]
    """
    token = dask.base.tokenize(
        [y.value for y in columns],
        None if sample_weight is None else sample_weight.value,
    )
    name = f"balancekit-class-counts-{token}"
    graph: dict = {}
    for y in columns:
        graph.update(y.graph)
    if sample_weight is not None:
        graph.update(sample_weight.graph)
    tasks = []
    for k, y in enumerate(columns):
        for i, keys in enumerate(y.keys):
            w_key = None if sample_weight is None else sample_weight.keys[i][0]
            graph[(name, k, i)] = (_partition_counts, keys[0], w_key, i, y.name)
            tasks.append(Delayed((name, k, i), graph))
    computed = dask.compute(*tasks)
    results, start = [], 0
    for y in columns:
        per_partition = computed[start : start + y.n_partitions]
        start += y.n_partitions
        results.append(_merge_counts(per_partition, y.name, sample_weight is not None))
    return results


def _merge_counts(
    per_partition: Sequence[tuple], name: str, weighted: bool
) -> PartitionCounts:
    """One column's partition counts on the client, over the sorted classes."""
    labels = [p[0] for p in per_partition]
    # empty partitions left out: their dtype would promote numbers to strings
    present = [values for values in labels if values.size] or labels
    classes = np.unique(np.concatenate(present)) if labels else np.empty(0)
    if classes.size == 0:
        raise ValueError(empty_message(name))
    counts = np.zeros((len(labels), classes.size), dtype=np.int64)
    sums = np.zeros(counts.shape) if weighted else None
    for i, (values, n, s) in enumerate(per_partition):
        positions = np.searchsorted(classes, values)
        counts[i, positions] = n
        if sums is not None:
            sums[i, positions] = s
    return PartitionCounts(classes, counts, sums)


def class_counts_by_partition(y: Any, sample_weight: Any = None) -> PartitionCounts:
    """Count the classes of Dask labels per row partition, in one pass.

    Only the counts (and weight sums), O(n_classes x n_partitions) numbers, are
    computed on the client, with the current scheduler.

    Parameters
    ----------
    y : dask.array.Array or dask.dataframe.Series of shape (n_samples,)
        Integer, boolean, whole-number float or string labels (a single column is
        accepted).
    sample_weight : dask.array.Array or Series, optional
        Per-row weights, partitioned like ``y``: their sums per class are returned.

    Returns
    -------
    PartitionCounts
        ``(classes, counts, weight_sums)``; ``counts[i, k]`` is the number of rows
        of ``classes[k]`` in partition ``i``.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> y = da.from_array(np.array([0, 0, 1, 0, 1, 1, 2]), chunks=3)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     counts = class_counts_by_partition(y)
    >>> counts.classes.tolist(), counts.counts.tolist()
    ([0, 1, 2], [[2, 1, 0], [1, 2, 0], [0, 0, 1]])
    """
    check_all_dask({"y": y, "sample_weight": sample_weight})
    y_rows = dask_rows(y, "y", "labels")
    w_rows = None
    if sample_weight is not None:
        w_rows = dask_rows(sample_weight, "sample_weight", "weights")
        check_aligned([y_rows, w_rows])
    return count_rows(y_rows, w_rows)


# ----------------------------------------------------- per-class feature moments


def _flat_values(block: Any) -> np.ndarray:
    values = block.to_numpy() if isinstance(block, pd.DataFrame) else block
    return np.asarray(values, dtype=np.float64).reshape(len(values), -1)


def _moments(block: Any, labels: Any, classes: np.ndarray) -> tuple:
    """Per-class row count, mean and sum of squared deviations of one partition."""
    flat = _flat_values(block)
    values = np.asarray(labels.to_numpy() if hasattr(labels, "to_numpy") else labels)
    positions = np.searchsorted(classes, values)
    n = np.zeros(len(classes))
    mean = np.zeros((len(classes), flat.shape[1]))
    m2 = np.zeros_like(mean)
    for k in np.unique(positions):
        rows = flat[positions == k]
        n[k], mean[k] = len(rows), rows.mean(axis=0)
        m2[k] = ((rows - mean[k]) ** 2).sum(axis=0)
    return n, mean, m2


def _combine(parts: list[tuple]) -> tuple:
    """Chan et al.'s pairwise update of (count, mean, M2), per class and feature."""
    n, mean, m2 = parts[0]
    for n_b, mean_b, m2_b in parts[1:]:
        total = n + n_b
        safe = np.where(total > 0, total, 1.0)[:, None]
        delta = mean_b - mean
        mean = mean + delta * (n_b[:, None] / safe)
        m2 = m2 + m2_b + delta**2 * (n * n_b)[:, None] / safe
        n = total
    return n, mean, m2


def class_moments(X: Rows, y: Rows, classes: np.ndarray) -> Delayed:
    """Lazy per-class ``(count, mean, M2)`` of the features, in one pass over ``X``.

    Each partition computes its moments per class (rows flattened to
    ``n_features`` values, in float64); a tree of tasks merges them
    (Chan et al.'s update, stable where sums of squares are not), so only a
    worker ever holds them. The population variance is ``M2 / count``.

    Parameters
    ----------
    X, y : Rows
        Checked and aligned features (one block per row partition) and labels.
    classes : ndarray
        The sorted classes (``PartitionCounts.classes``).

    Returns
    -------
    dask.delayed.Delayed
        Of ``(count[n_classes], mean[n_classes, n_features], M2[n_classes,
        n_features])``.
    """
    token = dask.base.tokenize(X.value, y.value, classes)
    name = f"balancekit-class-moments-{token}"
    layer: dict = {
        (name, 0, i): (_moments, X.keys[i][0], y.keys[i][0], classes)
        for i in range(X.n_partitions)
    }
    level, width = 0, X.n_partitions
    while width > 1:
        starts = range(0, width, _FAN_IN)
        for g, first in enumerate(starts):
            last = min(width, first + _FAN_IN)
            members = [(name, level, j) for j in range(first, last)]
            layer[(name, level + 1, g)] = (_combine, members)
        level, width = level + 1, len(starts)
    key = f"{name}-total"
    layer[key] = (_combine, [(name, level, 0)])
    graph = HighLevelGraph.from_collections(key, layer, dependencies=[X.value, y.value])
    return Delayed(key, graph)


def _std(moments: tuple, factors: np.ndarray) -> np.ndarray:
    n, _, m2 = moments
    return factors[:, None] * np.sqrt(m2 / np.where(n > 0, n, 1.0)[:, None])


def class_std(
    X: Rows, y: Rows, classes: np.ndarray, factors: np.ndarray | None = None
) -> Delayed:
    """Lazy per-class population standard deviation of the (flattened) features,
    shape (n_classes, n_features), times ``factors[k]`` per class if given.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.dask._collections import dask_rows
    >>> X = dask_rows(da.from_array(np.arange(8.0)[:, None], chunks=3), "X", "features")
    >>> y = dask_rows(da.from_array(np.array([0, 1] * 4), chunks=3), "y", "labels")
    >>> class_std(X, y, np.array([0, 1])).compute(scheduler="sync").ravel().tolist()
    [2.23606797749979, 2.23606797749979]
    """
    scale = np.ones(len(classes)) if factors is None else np.asarray(factors)
    return dask.delayed(_std, pure=True)(class_moments(X, y, classes), scale)
