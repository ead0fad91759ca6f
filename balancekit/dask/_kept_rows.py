"""The rows cleaning samplers search from, and the rows they keep, on Dask.

Searching from the data's own rows (:func:`search_blocks`): the query rows of each
partition (its rows of some classes, or given global indices) are cut into pieces
and grouped into blocks of bounded size (``_knn.plan_query_blocks``); each block is
gathered by one task and searched from (``_knn.neighbour_tasks``), the rows
themselves left out.

Keeping rows (:func:`kept_rows_output`): given, per partition, the persisted sorted
arrays of global indices that may hold its removed rows, each partition's kept
positions are one task; the client computes the number of rows each partition keeps
(O(n_partitions) numbers) and builds lazy outputs of the inputs' types with those
chunks (``_collections.rows_output``), plus ``sample_indices_``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import dask
import numpy as np
from dask.delayed import Delayed

from balancekit.dask._collections import (
    Key,
    Rows,
    check_partition_length,
    lazy_array,
    rows_output,
    take_block_rows,
)
from balancekit.dask._counts import PartitionCounts, label_values
from balancekit.dask._knn import (
    FitRows,
    neighbour_tasks,
    partition_features,
    plan_query_blocks,
)

__all__ = [
    "Piece",
    "class_blocks",
    "concat_arrays",
    "index_blocks",
    "kept_rows_output",
    "search_blocks",
]

Piece = tuple[int, int, int]  # (partition, first, stop) of its query rows


def n_features(X: Rows) -> int:
    """Features per row (flattened)."""
    return int(np.prod(X.value.shape[1:])) if X.is_array else len(X.value.columns)


# ------------------------------------------------------------ tasks (on workers)


def _select_classes(
    block: Any, labels: Any, classes: np.ndarray, piece: Piece, offset: int
) -> tuple:
    """Rows ``first:stop`` among those of ``classes`` in one partition:
    ``(features, global indices, labels)``."""
    values = label_values(labels, "y")
    check_partition_length(block, len(values), "X", "y", piece[0])
    chosen = np.flatnonzero(np.isin(values, classes))[piece[1] : piece[2]]
    features = partition_features(block)
    return features[chosen], chosen + offset, values[chosen]


def _select_indices(block: Any, wanted: np.ndarray, piece: Piece, offset: int) -> tuple:
    """Rows ``first:stop`` among the sorted global indices ``wanted`` that lie in
    this partition: ``(features, global indices, None)``."""
    features = partition_features(block)
    low, high = np.searchsorted(wanted, [offset, offset + len(features)])
    chosen = wanted[low:high][piece[1] : piece[2]]
    return features[chosen - offset], chosen, None


def _concat(pieces: list[tuple]) -> tuple:
    labels = None if pieces[0][2] is None else np.concatenate([p[2] for p in pieces])
    return (
        np.concatenate([p[0] for p in pieces]),
        np.concatenate([p[1] for p in pieces]),
        labels,
    )


def concat_arrays(parts: list[np.ndarray]) -> np.ndarray:
    """The arrays end to end (int64 and empty when there are none)."""
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def count_by_partition(indices: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """How many of the sorted global ``indices`` lie in each partition."""
    return np.diff(np.searchsorted(indices, offsets)).astype(np.int64)


def _kept_positions(removed: list[np.ndarray], offset: int, n_rows: int) -> np.ndarray:
    """Local positions of a partition's kept rows, in order."""
    dropped = concat_arrays(removed)
    dropped = dropped[(dropped >= offset) & (dropped < offset + n_rows)] - offset
    keep = np.ones(n_rows, dtype=bool)
    keep[dropped] = False
    return np.flatnonzero(keep).astype(np.int64)


def _kept_count(removed: list[np.ndarray], offset: int, n_rows: int) -> int:
    return len(_kept_positions(removed, offset, n_rows))


# ---------------------------------------------------------------- graph building


def search_blocks(
    layer: dict,
    fit: FitRows,
    blocks: list[list[Piece]],
    select: Callable[[Piece], tuple],
    k: int,
    name: str,
    *,
    exclude_self: bool = True,
) -> list[tuple[Key, Key, Key]]:
    """For each block of pieces: its rows gathered by one task (``select(piece)``
    gives the task of a piece), then searched from: the ``k`` nearest rows of ``fit``
    (other than the row itself with ``exclude_self``). Gives per block the keys of
    ``(global indices, labels, answer)`` (see ``_knn.neighbour_tasks``)."""
    keys: list[tuple[Key, Key, Key]] = []
    for g, pieces in enumerate(blocks):
        members = []
        for p, piece in enumerate(pieces):
            layer[(f"{name}-select", g, p)] = select(piece)
            members.append((f"{name}-select", g, p))
        block = (f"{name}-block", g)
        layer[block] = (_concat, members)
        fields = [(f"{name}-{field}", g) for field in ("features", "index", "label")]
        for position, key in enumerate(fields):
            layer[key] = (operator.getitem, block, position)
        answer = neighbour_tasks(
            layer, fit, fields[0], k, exclude_self=exclude_self, name=f"{name}-{g}"
        )
        keys.append((fields[1], fields[2], answer))
    return keys


def class_blocks(
    fit: FitRows, counts: PartitionCounts, classes: np.ndarray
) -> tuple[list[list[Piece]], Callable[[Piece], tuple]]:
    """The blocks of the rows of ``classes`` (in row order), and the task of a piece.

    ``fit`` must carry the labels; the sizes come from the class counts.
    """
    sizes = counts.counts[:, np.isin(counts.classes, classes)].sum(axis=1)
    blocks = plan_query_blocks(sizes, n_features(fit.X))
    y = fit.y
    if y is None:
        raise ValueError("Selecting rows by class needs the labels `y`.")

    def select(piece: Piece) -> tuple:
        i = piece[0]
        offset = int(fit.offsets[i])
        return (_select_classes, fit.X.keys[i][0], y.keys[i][0], classes, piece, offset)

    return blocks, select


def index_blocks(
    fit: FitRows, sizes: np.ndarray, wanted: Key
) -> tuple[list[list[Piece]], Callable[[Piece], tuple]]:
    """The blocks of the rows at the sorted global indices held by key ``wanted``
    (``sizes[i]`` of them in partition ``i``), and the task of a piece."""
    blocks = plan_query_blocks(sizes, n_features(fit.X))

    def select(piece: Piece) -> tuple:
        i = piece[0]
        offset = int(fit.offsets[i])
        return (_select_indices, fit.X.keys[i][0], wanted, piece, offset)

    return blocks, select


def kept_rows_output(
    sampler: Any,
    rows: list[Rows],
    counts: PartitionCounts,
    sources: list[list[Delayed]],
    token: str,
) -> tuple:
    """The lazy outputs ``(X, y[, sample_weight])`` of the kept rows, and the
    sampler's ``sample_indices_``.

    ``sources[i]``: persisted arrays of global indices (any order, duplicates
    allowed) among which are the removed rows of partition ``i``. One task per
    partition counts its kept rows; those O(n_partitions) numbers are computed.
    """
    n_rows = counts.lengths
    offsets = np.concatenate([[0], np.cumsum(n_rows)]).astype(np.int64)
    unique = {d.key: d for ds in sources for d in ds}
    kept = [
        dask.delayed(_kept_count, pure=True)(sources[i], int(offsets[i]), int(n))
        for i, n in enumerate(n_rows)
    ]
    lengths = np.asarray(dask.compute(*kept), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1].astype(np.int64)
    prefix = f"balancekit-{type(sampler).__name__.lower()}"
    positions = f"{prefix}-positions-{token}"
    layer = {
        (positions, i): (
            _kept_positions,
            [d.key for d in sources[i]],
            int(offsets[i]),
            int(n_rows[i]),
        )
        for i in range(len(n_rows))
    }
    chunks = (tuple(int(n) for n in lengths),)
    local = lazy_array(
        positions, layer, list(unique.values()), chunks, np.empty(0, np.int64)
    )

    def take(source: Rows) -> Any:
        def task(i: int, key: Key) -> tuple:
            start, n = int(starts[i]), int(n_rows[i])
            return (take_block_rows, key, (positions, i), start, n, source.name, i)

        return rows_output(
            source,
            [int(n) for n in lengths],
            task,
            prefix=f"{prefix}-{source.name}",
            token=token,
            dependencies=[source.value, local],
            meta=source.value._meta,
        )

    outputs = tuple(take(source) for source in rows)
    name = f"{prefix}-sample-indices-{token}"
    shifts = {
        (name, i): (np.add, (positions, i), int(offsets[i])) for i in range(len(n_rows))
    }
    sampler.sample_indices_ = lazy_array(
        name, shifts, [local], chunks, np.empty(0, np.int64)
    )
    return outputs
