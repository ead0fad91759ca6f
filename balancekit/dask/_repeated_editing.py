"""RepeatedEditedNearestNeighbours and AllKNN on Dask: editing rounds, each one
distributed edited-nearest-neighbours pass over the rows the previous round kept.

The in-memory loop (``_RepeatedEditing._kept_indices``) edits the rows left after
the previous rounds, with ``sampling_strategy`` resolved on them, and stops after a
round by the sampler's own rules (``_stops``: no row removed, a class fallen below
the original minority count, a class gone; RENN's ``max_iter``, AllKNN's rounds of
1, 2, ... ``n_neighbors`` neighbours and ``allow_minority``). Here:

1. **Round 1** is the ENN pass of :mod:`balancekit.dask._cleaning` on the input
   partitions (``_edited_sources``: blocks of the targeted rows searched against
   every partition, exact neighbours, ties to the lower row index).
2. **Each partition splits its kept rows by class** in one task (features as the
   floats distances see, labels, original row indices); the splits are persisted
   (they stay on the workers) and only their per-(partition, class) row counts,
   O(n_classes x n_partitions) numbers, reach the client. The client applies the
   stopping rule and resolves the next round's targeted classes on those counts.
3. **The next round's rows** are the kept rows in the order the in-memory loop
   holds them, grouped by class in sorted class order, input order within a class,
   cut into partitions of at most the largest input partition's rows (one
   concatenating task each), persisted. A neighbour tie is broken by the position
   in that order, as in memory, so the rows kept are the in-memory sampler's,
   ties included. Each round's graph is built on the persisted previous round: it
   does not grow from round to round.
4. When the loop stops, each input partition gets the original indices of its
   removed rows (one task reading the last splits holding its rows), and the
   outputs are built as for ENN (``_kept_rows.kept_rows_output``): partition ``i``
   holds the kept rows of input partition ``i`` in input order (not grouped by
   class), ``sample_indices_`` is a lazy Dask array of original row indices.

Cost: every round is an ENN pass, O(n_targeted x n_remaining) distances spread over
the workers (O(n^2 / workers) when a large class is targeted, as by the default
``"auto"``), times the number of rounds (RENN: until nothing changes, at most
``max_iter``; AllKNN: at most ``n_neighbors``). Between rounds the kept rows are
copied once on the workers; the client receives O(n_classes x n_partitions)
counts per round. ``n_neighbors`` must be an int (the search is balancekit's).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import dask
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph

from balancekit._label_messages import empty_message
from balancekit._sampling_strategy import resolve_sampling_strategy
from balancekit.dask._cleaning import (
    _check_inputs,
    _check_int_neighbours,
    _edited_sources,
    _first_seen_minority,
)
from balancekit.dask._collections import (
    Rows,
    check_partition_length,
    dask_rows,
    lazy_array,
)
from balancekit.dask._counts import PartitionCounts, label_values
from balancekit.dask._kept_rows import _kept_positions, kept_rows_output, n_features
from balancekit.dask._knn import (
    FitRows,
    fit_rows,
    partition_features,
    plan_query_blocks,
)
from balancekit.dask._random_samplers import _members
from balancekit.under_sampling._edited_nearest_neighbours import _check_enough_rows

__all__ = ["repeated_editing"]


@dataclass(frozen=True)
class _Layout:
    """The rows a round edits.

    ``fit`` holds their features and labels (one block per partition, global
    index = position in the in-memory loop's order); ``index`` the original row
    index of each (None in round 1: the input itself); ``origins[j]`` the input
    partitions whose rows partition ``j`` holds.
    """

    fit: FitRows
    counts: PartitionCounts
    index: Rows | None
    origins: tuple[frozenset[int], ...]

    @property
    def n_rows(self) -> int:
        return self.fit.n_rows

    def class_counts(self) -> dict:
        return self.counts.class_counts()


# ------------------------------------------------------------ tasks (on workers)


def _split_kept(
    block: Any,
    labels: Any,
    index: Any,
    removed: list[np.ndarray],
    offset: int,
    n_rows: int,
    classes: np.ndarray,
    empty: np.ndarray,
    partition: int,
) -> dict:
    """One partition's kept rows split by class: per class ``(features, labels,
    original indices)`` in row order, and the counts."""
    values = label_values(labels, "y")
    check_partition_length(block, len(values), "X", "y", partition)
    kept = _kept_positions(removed, offset, n_rows)
    flat = partition_features(block)[kept] if n_rows else empty
    values = values[kept]
    original = kept + offset if index is None else np.asarray(index)[kept]
    members = _members(values, classes)
    return {
        "counts": np.asarray([len(m) for m in members], dtype=np.int64),
        "pieces": [(flat[m], values[m], original[m]) for m in members],
    }


def _split_counts(split: dict) -> np.ndarray:
    return split["counts"]


def _gather_pieces(
    splits: list[dict], classes: np.ndarray, firsts: np.ndarray, stops: np.ndarray
) -> tuple:
    """A partition of the next round: slices of class pieces, end to end."""
    parts = [split["pieces"][k] for split, k in zip(splits, classes, strict=True)]
    return tuple(
        np.concatenate(
            [p[field][a:b] for p, a, b in zip(parts, firsts, stops, strict=True)]
        )
        for field in range(3)
    )


def _removed_rows(splits: list[dict], offset: int, n_rows: int) -> np.ndarray:
    """Original indices of input partition rows ``offset...`` no split kept."""
    kept = [piece[2] for split in splits for piece in split["pieces"]]
    kept_rows = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
    kept_rows = kept_rows[(kept_rows >= offset) & (kept_rows < offset + n_rows)]
    keep = np.zeros(n_rows, dtype=bool)
    keep[kept_rows - offset] = True
    return np.flatnonzero(~keep).astype(np.int64) + offset


# ---------------------------------------------------------------- graph building


def _first_layout(fit: FitRows, counts: PartitionCounts) -> _Layout:
    origins = tuple(frozenset({i}) for i in range(fit.n_partitions))
    return _Layout(fit, counts, None, origins)


def _flat_empty(X: Rows) -> np.ndarray:
    """No rows of the features as distances see them: ``(0, n_features)`` floats."""
    value = X.value
    if X.is_array:
        sample = partition_features(np.zeros((1, *value.shape[1:]), value.dtype))
    else:
        sample = partition_features(value._meta_nonempty)
    return np.empty((0, n_features(X)), dtype=sample.dtype)


def _edit(
    layout: _Layout, targets: np.ndarray, k: int, kind_sel: str, empty: np.ndarray
) -> tuple[list[Delayed], np.ndarray]:
    """One ENN pass over ``layout``: the persisted splits of each partition's kept
    rows and the kept rows per (partition, class)."""
    fit, counts = layout.fit, layout.counts
    token = dask.base.tokenize(
        *fit.collections(), fit.offsets, targets, k, kind_sel, "repeated-editing"
    )
    sources = _edited_sources(fit, counts, targets, k, kind_sel, token)
    name = f"balancekit-repeated-editing-split-{token}"
    layer: dict = {}
    dependencies: list[Any] = fit.collections()
    if layout.index is not None:
        dependencies.append(layout.index.value)
    for p in range(fit.n_partitions):
        index = None if layout.index is None else layout.index.keys[p][0]
        layer[(name, p)] = (
            _split_kept,
            fit.X.keys[p][0],
            fit.y.keys[p][0],  # type: ignore[union-attr]
            index,
            [d.key for d in sources[p]],
            int(fit.offsets[p]),
            int(fit.offsets[p + 1] - fit.offsets[p]),
            counts.classes,
            empty,
            p,
        )
    unique = {d.key: d for ds in sources for d in ds}
    dependencies.extend(unique.values())
    graph = HighLevelGraph.from_collections(name, layer, dependencies=dependencies)
    splits = list(
        dask.persist(
            *(Delayed((name, p), graph, layer=name) for p in range(fit.n_partitions))
        )
    )
    kept = dask.compute(*(dask.delayed(_split_counts)(s) for s in splits))
    return splits, np.asarray(kept, dtype=np.int64).reshape(len(splits), -1)


def _next_layout(
    layout: _Layout,
    splits: list[Delayed],
    kept: np.ndarray,
    size: int,
    empty: np.ndarray,
) -> _Layout:
    """The kept rows grouped by class (input order within a class), in partitions
    of at most ``size`` rows, persisted."""
    classes = layout.counts.classes
    segments = [
        (p, k)
        for k in range(len(classes))
        for p in range(len(splits))
        if kept[p, k] > 0
    ]
    sizes = [int(kept[p, k]) for p, k in segments]
    blocks = plan_query_blocks(sizes, 1, budget=8 * size)
    present = np.flatnonzero(kept.sum(axis=0) > 0)
    token = dask.base.tokenize([s.key for s in splits], kept, size)
    gather = f"balancekit-repeated-editing-rows-{token}"
    layer: dict = {}
    counts = np.zeros((len(blocks), len(present)), dtype=np.int64)
    origins = []
    for j, pieces in enumerate(blocks):
        which = [segments[s] for s, _, _ in pieces]
        layer[(gather, j)] = (
            _gather_pieces,
            [splits[p].key for p, _ in which],
            np.asarray([k for _, k in which], dtype=np.int64),
            np.asarray([first for _, first, _ in pieces], dtype=np.int64),
            np.asarray([stop for _, _, stop in pieces], dtype=np.int64),
        )
        for (_, k), (_, first, stop) in zip(which, pieces, strict=True):
            counts[j, np.searchsorted(present, k)] += stop - first
        origins.append(frozenset().union(*(layout.origins[p] for p, _ in which)))
    lengths = tuple(int(n) for n in counts.sum(axis=1))
    metas = (empty, np.empty(0, classes.dtype), np.empty(0, np.int64))
    arrays = []
    for field, meta in enumerate(metas):
        name = f"{gather}-{field}"
        tail = (0,) if field == 0 else ()
        own = {
            (name, j, *tail): (operator.getitem, (gather, j), field)
            for j in range(len(blocks))
        }
        chunks = (lengths, (empty.shape[1],)) if field == 0 else (lengths,)
        arrays.append(lazy_array(name, {**layer, **own}, splits, chunks, meta))
    X, y, index = dask.persist(*arrays)
    y_rows = dask_rows(y, "y", "labels")
    fit = fit_rows(dask_rows(X, "X", "features"), y_rows, lengths)
    partition_counts = PartitionCounts(classes[present], counts, None)
    index_rows = dask_rows(index, "sample_indices_", "labels")
    return _Layout(fit, partition_counts, index_rows, tuple(origins))


def _removed_sources(
    layout: _Layout, splits: list[Delayed] | None, counts: PartitionCounts
) -> list[list[Delayed]]:
    """Per input partition, the persisted original indices of its removed rows."""
    n_rows = counts.lengths
    if splits is None:  # no round ran
        return [[] for _ in n_rows]
    offsets = np.concatenate([[0], np.cumsum(n_rows)]).astype(np.int64)
    token = dask.base.tokenize([s.key for s in splits], offsets)
    name = f"balancekit-repeated-editing-removed-{token}"
    layer: dict = {}
    for i in range(len(n_rows)):
        holding = [s.key for p, s in enumerate(splits) if i in layout.origins[p]]
        layer[(name, i)] = (_removed_rows, holding, int(offsets[i]), int(n_rows[i]))
    dependencies: list[Any] = list(splits)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=dependencies)
    removed = dask.persist(
        *(Delayed((name, i), graph, layer=name) for i in range(len(n_rows)))
    )
    return [[d] for d in removed]


# ---------------------------------------------------------------- the samplers


def repeated_editing(sampler: Any, X: Any, y: Any, sample_weight: Any = None) -> tuple:
    """``fit_resample`` of RepeatedEditedNearestNeighbours or AllKNN on Dask
    collections (see the module docstring); ``n_neighbors`` must be an int.

    Sets the in-memory fitted attributes: ``sampling_strategy_``, ``nn_``,
    ``enn_``, ``n_iter_``, ``n_features_in_`` and a lazy ``sample_indices_``
    (original row indices, in input order).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import RepeatedEditedNearestNeighbours
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.5 * y[:, None]
    >>> renn = RepeatedEditedNearestNeighbours()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = renn.fit_resample(
    ...         da.from_array(X, chunks=(30, 2)), da.from_array(y, chunks=30)
    ...     )
    ...     kept = renn.sample_indices_.compute()
    >>> memory = RepeatedEditedNearestNeighbours()
    >>> _ = memory.fit_resample(X, y)
    >>> renn.n_iter_, np.bincount(y[kept]).tolist(), X_res.chunks[0]
    (3, [42, 20], (13, 15, 24, 10))
    >>> bool((kept == np.sort(memory.sample_indices_)).all())
    True
    """
    _check_int_neighbours(sampler.n_neighbors, "n_neighbors")
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    sampler.nn_ = sampler._neighbours()
    sampler.enn_ = sampler._enn(sampler.nn_)
    original = counts.class_counts()
    minority = _first_seen_minority(counts, rows[1])
    size = max(1, int(counts.lengths.max()))
    empty = _flat_empty(fit.X)
    layout, splits, n_rounds = _first_layout(fit, counts), None, 0
    # The in-memory loop, round by round; advancing the sampler's own generator of
    # rounds also sets what it sets (AllKNN's enn_).
    rounds = sampler._rounds(sampler.nn_)
    estimator = next(rounds, None)
    while estimator is not None:
        n_rounds += 1
        resolved = resolve_sampling_strategy(
            sampler.sampling_strategy, layout.class_counts(), "clean-sampling"
        )
        _check_enough_rows(estimator, layout.n_rows)
        classes = layout.counts.classes
        targets = classes[np.isin(classes, list(resolved))]
        k = int(estimator.n_neighbors) - 1  # the row itself counts in memory
        splits, kept = _edit(layout, targets, k, sampler.kind_sel, empty)
        totals = kept.sum(axis=0)
        if totals.sum() == 0:  # in memory, the labels left fail validation
            raise ValueError(empty_message("y"))
        remaining = {
            c.item(): int(n) for c, n in zip(classes, totals, strict=True) if n > 0
        }
        converged = int(totals.sum()) == layout.n_rows
        if sampler._stops(converged, remaining, original, minority):
            break
        estimator = next(rounds, None)
        if estimator is not None:
            layout = _next_layout(layout, splits, kept, size, empty)
    sampler.n_iter_ = n_rounds
    sources = _removed_sources(layout, splits, counts)
    token = dask.base.tokenize(*fit.collections(), [s.key for s in splits or []])
    return kept_rows_output(sampler, rows, counts, sources, token)
