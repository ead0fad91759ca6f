"""Exact k-nearest neighbours of a query block among the rows of a Dask collection.

The fitted rows stay where they are: the query block (a NumPy array on a worker) is
sent to every row partition, each partition answers its local exact top-k with the
in-memory kernel (``balancekit._neighbors``: candidates from scikit-learn's search,
re-ranked by exact squared distances summed in one fixed order, ties to the lower
index), and the answers are merged by a tree of tasks (``_FAN_IN`` at a time) in the
order ``(squared distance, global row index)``. Distances of a pair do not depend on
the partitioning, and partition offsets keep the order of the indices, so the result
is the in-memory search's on the whole data, bit for bit and tie for tie.

Two forms of the same search:

- :func:`kneighbors_on_dask` (for callers): one query, given as a NumPy array, a
  ``Delayed`` of one (e.g. rows gathered on a worker) or a Dask array; returns
  ``Delayed`` results (or NumPy arrays with ``compute=True``).
- :func:`neighbour_tasks` (for graph builders): adds the tasks of one query whose
  features are at a graph key to a layer, and gives the key of the merged answer.
  The cleaning samplers run one query per block of rows (:func:`plan_query_blocks`).

Cost: each (query block, partition) task measures ``n_queries x n_partition_rows``
distances; the query block is shipped to every worker once, and every task holds one
partition, the block and its answer (``n_queries x k`` values). Results carry, per
neighbour, its squared distance, its global row index (the position in the whole
collection, partitions in order) and, when ``labels`` are given, its label.

Examples
--------
>>> import dask, dask.array as da, numpy as np
>>> X = da.from_array(np.array([[0.0], [1.0], [3.0], [7.0], [8.0]]), chunks=(2, 1))
>>> fit = fit_rows(X)
>>> with dask.config.set(scheduler="synchronous"):
...     found = kneighbors_on_dask(fit, np.array([[2.9], [7.4]]), 2, compute=True)
>>> found.indices.tolist(), found.squared_distances.round(2).tolist()
([[2, 1], [3, 4]], [[0.01, 3.61], [0.16, 0.36]])
"""

from __future__ import annotations

import operator
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import array_api_compat.numpy as np_xp
import dask
import dask.array as da
import numpy as np
import pandas as pd
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from sklearn.neighbors import NearestNeighbors as _SklearnNearestNeighbors

from balancekit._features import numeric_features
from balancekit._neighbors import RERANK_MARGIN, memory_budget, nearest_exact
from balancekit.dask._collections import Rows, check_partition_length, dask_rows
from balancekit.dask._counts import label_values

__all__ = [
    "FitRows",
    "Neighbours",
    "fit_rows",
    "kneighbors_on_dask",
    "neighbour_tasks",
    "partition_features",
    "plan_query_blocks",
]

Key = Hashable
_FAN_IN = 8  # partial answers merged per task
# Bytes of query features per block (cleaning samplers): one block per task.
QUERY_BLOCK_BYTES = 64 << 20


@dataclass(frozen=True)
class FitRows:
    """The rows searched among: features (one block per row partition), their
    labels if wanted, and each partition's first global row index.

    Attributes
    ----------
    X : Rows
        The features, each row partition one block (rows whole).
    y : Rows or None
        Labels carried along with each neighbour.
    offsets : ndarray of int64, shape (n_partitions + 1,)
        ``offsets[i]``: global index of partition ``i``'s first row; the last is
        the number of rows.
    """

    X: Rows
    y: Rows | None
    offsets: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.offsets[-1])

    @property
    def n_partitions(self) -> int:
        return self.X.n_partitions

    def collections(self) -> list[Any]:
        return [self.X.value] + ([] if self.y is None else [self.y.value])


def fit_rows(
    X: Any, y: Rows | None = None, lengths: Any = None, *, name: str = "X"
) -> FitRows:
    """The rows of ``X`` (a Dask collection or checked ``Rows``) to search among.

    Array features are rechunked so that each row partition is one block.
    ``lengths`` (rows per partition) is needed for DataFrames: pass
    ``PartitionCounts.lengths`` when the class counts are known; without it the
    rows of each partition are counted (one pass, O(n_partitions) numbers).
    """
    rows = X if isinstance(X, Rows) else None
    if rows is None:
        if isinstance(X, da.Array) and X.ndim > 1:
            X = X.rechunk(dict.fromkeys(range(1, X.ndim), -1))
        rows = dask_rows(X, name, "features")
    if any(len(keys) != 1 for keys in rows.keys):
        raise ValueError(
            f"`{rows.name}` must have one block per row partition for a neighbour "
            f"search: rechunk it with `{rows.name}.rechunk({{1: -1}})`."
        )
    if lengths is None:
        lengths = rows.lengths
    if lengths is None:
        lengths = _count_lengths(rows)
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.shape != (rows.n_partitions,):
        raise ValueError(
            f"`lengths` must give the rows of each of the {rows.n_partitions} "
            f"partitions of `{rows.name}`; got shape {lengths.shape}."
        )
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return FitRows(rows, y, offsets)


def _count_lengths(rows: Rows) -> np.ndarray:
    tasks = [dask.delayed(len)(Delayed(keys[0], rows.graph)) for keys in rows.keys]
    return np.asarray(dask.compute(*tasks), dtype=np.int64)


def partition_features(block: Any, name: str = "X") -> np.ndarray:
    """One partition's features as the 2-D float array distances are measured on.

    The in-memory samplers' conversion (``numeric_features``): floats keep their
    dtype, other numbers become float64, NaN and infinity are refused.
    """
    return numeric_features(block, np_xp, "cpu", name=name).flat


def _exact_top_k(query: np.ndarray, fit: np.ndarray, k: int) -> tuple:
    """Exact squared distances and local indices of the ``k`` nearest ``fit`` rows,
    ties to the lower index: ``balancekit._neighbors``' kernel on one partition."""
    n_fit, n_features = fit.shape
    n_candidates = min(n_fit, k + RERANK_MARGIN)
    search = _SklearnNearestNeighbors(n_neighbors=n_candidates).fit(fit)

    def candidates_of(block: np.ndarray, m: int) -> np.ndarray:
        return search.kneighbors(block, n_neighbors=m, return_distance=False)

    per_row = max(1, n_candidates * n_features * 8 * 2)
    chunk = max(1, min(len(query), memory_budget(np_xp, "cpu") // per_row))
    distances, indices = [], []
    for start in range(0, len(query), chunk):
        exact, found = nearest_exact(
            query[start : start + chunk], fit, k, n_candidates, candidates_of, np_xp
        )
        distances.append(exact)
        indices.append(found)
    return np.concatenate(distances), np.concatenate(indices).astype(np.int64)


def _local_neighbours(
    block: Any, labels: Any, query: Any, k: int, offset: int, index: int
) -> tuple:
    """Partition ``index``'s exact top-k for every query row (global indices)."""
    fit = partition_features(block)
    if labels is not None:
        check_partition_length(labels, len(fit), "y", "X", index)
    values = np.asarray(query.to_numpy() if hasattr(query, "to_numpy") else query)
    values = values.reshape(len(values), -1)
    if values.shape[1] != fit.shape[1]:
        raise ValueError(
            f"The query rows have {values.shape[1]} features but the rows of `X` "
            f"have {fit.shape[1]}."
        )
    values = values.astype(fit.dtype, copy=False)
    k = min(k, len(fit))
    if k == 0 or len(values) == 0:
        sq = np.empty((len(values), 0), dtype=fit.dtype)
        found = np.empty((len(values), 0), dtype=np.int64)
    else:
        sq, found = _exact_top_k(values, fit, k)
    neighbour_labels = None
    if labels is not None:
        neighbour_labels = label_values(labels, "y")[found]
    return sq, found + offset, neighbour_labels


def _merge(parts: list[tuple], k: int) -> tuple:
    """The ``k`` best of partial answers by (squared distance, global index)."""
    sq = np.concatenate([p[0] for p in parts], axis=1)
    found = np.concatenate([p[1] for p in parts], axis=1)
    order = np.lexsort((found, sq), axis=1)[:, :k]
    labels = None
    if parts[0][2] is not None:
        labels = np.concatenate([p[2] for p in parts], axis=1)
        labels = np.take_along_axis(labels, order, axis=1)
    return (
        np.take_along_axis(sq, order, axis=1),
        np.take_along_axis(found, order, axis=1),
        labels,
    )


def _finish(parts: list[tuple], k: int, exclude_self: bool) -> tuple:
    sq, found, labels = _merge(parts, k + int(exclude_self))
    if exclude_self:  # the first hit is the row itself (or a lower-index copy)
        sq, found = sq[:, 1:], found[:, 1:]
        labels = None if labels is None else labels[:, 1:]
    return sq, found, labels


def neighbour_tasks(
    layer: MutableMapping[Key, Any],
    fit: FitRows,
    query_key: Key,
    k: int,
    *,
    exclude_self: bool,
    name: str,
) -> Key:
    """Add the tasks of one search to ``layer``; return the key of its answer.

    The answer is ``(squared_distances, indices, labels or None)``, each of shape
    (n_queries, k), ordered from nearest, ties to the lower global index.
    ``query_key`` holds the query features (n_queries rows). With
    ``exclude_self``, ``k + 1`` neighbours are found and the first dropped: the
    in-memory convention for queries that are fitted rows (the row itself comes
    first, or a duplicate of lower index in its place). Task names start with
    ``name``; the graph's dependencies are ``fit.collections()``.
    """
    wanted = k + int(exclude_self)
    level = [(f"{name}-local", i) for i in range(fit.n_partitions)]
    for i, key in enumerate(level):
        y_key = None if fit.y is None else fit.y.keys[i][0]
        offset = int(fit.offsets[i])
        layer[key] = (
            _local_neighbours,
            fit.X.keys[i][0],
            y_key,
            query_key,
            wanted,
            offset,
            i,
        )
    depth = 0
    while len(level) > _FAN_IN:
        depth += 1
        groups = [level[j : j + _FAN_IN] for j in range(0, len(level), _FAN_IN)]
        level = [(f"{name}-merge-{depth}", g) for g in range(len(groups))]
        for key, members in zip(level, groups, strict=True):
            layer[key] = (_merge, list(members), wanted)
    final = f"{name}-neighbours"
    layer[final] = (_finish, list(level), k, exclude_self)
    return final


class Neighbours(NamedTuple):
    """The answer of :func:`kneighbors_on_dask`: ``Delayed`` values (or NumPy
    arrays when computed), each of shape (n_queries, k), nearest first."""

    squared_distances: Any
    indices: Any
    labels: Any


def kneighbors_on_dask(
    fit: FitRows,
    query: Any,
    k: int,
    *,
    exclude_self: bool = False,
    compute: bool = False,
) -> Neighbours:
    """Exact k nearest rows of ``fit`` for each query row, found where they live.

    Parameters
    ----------
    fit : FitRows
        The rows searched among (:func:`fit_rows`); with labels, each neighbour's
        label is returned too.
    query : ndarray, Delayed or dask.array.Array of shape (n_queries, ...)
        The query rows, flattened to the fitted rows' number of features and cast
        to their float dtype. A ``Delayed`` (rows gathered on a worker) is sent to
        the workers as it is: nothing passes through the client.
    k : int
        Neighbours per query row.
    exclude_self : bool, default=False
        The query rows are rows of ``fit``: find ``k + 1`` and drop the first
        (the row itself, or a duplicate of lower index), as the in-memory samplers.
    compute : bool, default=False
        Return NumPy arrays (computed with the current scheduler) instead of
        ``Delayed`` values.

    Returns
    -------
    Neighbours
        ``(squared_distances, indices, labels)``: float distances in the features'
        dtype, int64 global row indices, the neighbours' labels (None without
        ``fit.y``); ties go to the lower global index.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> X = da.from_array(np.array([[0.0], [1.0], [1.0], [5.0]]), chunks=(2, 1))
    >>> y = dask_rows(da.from_array(np.array([0, 1, 1, 0]), chunks=2), "y", "labels")
    >>> fit = fit_rows(X, y)
    >>> found = kneighbors_on_dask(fit, np.array([[0.0], [1.0]]), 1, exclude_self=True)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     indices, labels = dask.compute(found.indices, found.labels)
    >>> indices.tolist(), labels.tolist()
    ([[1], [2]], [[1], [1]])
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"`k` must be at least 1; got {k}.")
    if k + int(exclude_self) > fit.n_rows:
        raise ValueError(
            f"{k} neighbours{' besides the row itself' if exclude_self else ''} need "
            f"at least {k + int(exclude_self)} rows in `{fit.X.name}`, which has "
            f"{fit.n_rows}."
        )
    if isinstance(query, pd.DataFrame | pd.Series):
        query = query.to_numpy()
    if not isinstance(query, Delayed):
        query = dask.delayed(query, pure=True)
    token = dask.base.tokenize(
        *fit.collections(), fit.offsets, query.key, k, exclude_self
    )
    name = f"balancekit-kneighbors-{token}"
    layer: dict = {}
    final = neighbour_tasks(
        layer, fit, query.key, k, exclude_self=exclude_self, name=name
    )
    for position, field in enumerate(("distances", "indices", "labels")):
        layer[f"{name}-{field}"] = (operator.getitem, final, position)
    graph = HighLevelGraph.from_collections(
        name, layer, dependencies=[*fit.collections(), query]
    )
    result = Neighbours(
        *(
            Delayed(f"{name}-{f}", graph, layer=name)
            for f in ("distances", "indices", "labels")
        )
    )
    if compute:
        return Neighbours(*dask.compute(*result))
    return result


def plan_query_blocks(
    sizes: Any, n_features: int, budget: int = QUERY_BLOCK_BYTES
) -> list[list[tuple[int, int, int]]]:
    """Group the query rows of consecutive partitions into blocks of bounded size.

    ``sizes[i]`` query rows come from partition ``i``; a block holds at most
    ``budget`` bytes of float64 features (at least one row). Each block is a list of
    pieces ``(partition, first, stop)``: the query rows ``first:stop`` of that
    partition, in partition order.

    Examples
    --------
    >>> plan_query_blocks([3, 0, 2, 4], 1, budget=8 * 4)
    [[(0, 0, 3), (2, 0, 1)], [(2, 1, 2), (3, 0, 3)], [(3, 3, 4)]]
    """
    per_block = max(1, budget // (8 * max(1, n_features)))
    blocks: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    room = per_block
    for partition, size in enumerate(int(s) for s in sizes):
        first = 0
        while first < size:
            stop = min(size, first + room)
            current.append((partition, first, stop))
            room -= stop - first
            first = stop
            if room == 0:
                blocks.append(current)
                current, room = [], per_block
    if current:
        blocks.append(current)
    return blocks
