"""TomekLinks, EditedNearestNeighbours and NeighbourhoodCleaningRule on Dask.

These samplers remove rows of the targeted classes by a rule on their exact nearest
neighbours among all rows; the neighbours are found where the rows live
(:mod:`balancekit.dask._knn`: a block of query rows is sent to every partition, the
partitions' exact top-k answers are merged by (squared distance, global index)), so
the rows removed are the in-memory sampler's on the same data, ties included.

**TomekLinks** (two searches, sub-quadratic when the targeted rows are few):

1. Every link joins two classes, so at most one of its ends is in the largest class
   ``L``. The query rows are those outside ``L`` when ``L`` is targeted, otherwise
   the rows of the targeted classes (a link with a targeted end then has that end
   among them). Each query row ``a`` gets its nearest other row ``p(a)``.
2. When ``p(a)`` is also a query row the link test ``p(p(a)) == a`` needs nothing
   more; the other partners ``B`` (of another class, outside the query rows) are
   searched from in turn.
3. The ends of the links in the targeted classes are removed.

Cost: ``(n_query + |B|) x n`` distances (``|B| <= n_query``), spread over the
partitions; one worker holds the O(n_query) indices and labels of step 2.

**EditedNearestNeighbours** needs the neighbours of every row of the targeted
classes: blocks of those rows are searched against every partition, O(n_targeted x
n) distances, i.e. O(n^2 / workers) time when a large class is targeted (the default
``"auto"`` targets all but the minority). Each partition's kept rows depend only on
the blocks holding its rows. **NeighbourhoodCleaningRule** is that editing step plus
a search from the minority rows (O(n_minority x n)), whose misclassified rows' cleaned
neighbours are removed too. The repeated editors (RENN, AllKNN) run these passes
round by round (``_repeated_editing``).

Query rows are gathered by blocks of ``_knn.QUERY_BLOCK_BYTES`` of features (rows of
consecutive partitions); a task holds one block, one partition and their answer.

Results: the neighbour searches run on the call (with the current scheduler) and the
removed rows are persisted where they were computed (on the workers under
``distributed``); the client receives the number of rows each partition keeps,
O(n_partitions) numbers, so array outputs have known chunks and DataFrames known
divisions. ``X_res``, ``y_res`` (``sample_weight_res``) and ``sample_indices_`` are
lazy: partition ``i`` of each holds the kept rows of input partition ``i`` in input
order (one task per partition); DataFrames and Series get a fresh RangeIndex.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph

from balancekit._sampling_strategy import resolve_sampling_strategy
from balancekit.dask._collections import (
    Key,
    Rows,
    sampler_rows,
)
from balancekit.dask._counts import PartitionCounts, label_values
from balancekit.dask._kept_rows import (
    class_blocks,
    concat_arrays,
    count_by_partition,
    index_blocks,
    kept_rows_output,
    search_blocks,
)
from balancekit.dask._knn import FitRows, fit_rows
from balancekit.dask._random_samplers import _fit_counts
from balancekit.under_sampling._edited_nearest_neighbours import (
    EditedNearestNeighbours,
    _agrees,
    _check_enough_rows,
)

__all__ = ["edited_nearest_neighbours", "neighbourhood_cleaning_rule", "tomek_links"]

# ------------------------------------------------------------------ the inputs


def _check_inputs(
    sampler: Any, X: Any, y: Any, sample_weight: Any
) -> tuple[list[Rows], PartitionCounts, FitRows]:
    """Checked rows, the class counts (fitted attributes set) and the fit set."""
    name = type(sampler).__name__
    rows = sampler_rows(
        X,
        y,
        sample_weight,
        whole_rows=True,
        numeric_why=f"{name} measures distances between rows",
    )
    counts = _fit_counts(sampler, rows)
    return rows, counts, fit_rows(rows[0], rows[1], counts.lengths)


# ------------------------------------------------------------ tasks (on workers)


def _tomek_first(
    query: list[np.ndarray], query_labels: list[np.ndarray], answers: list[tuple]
) -> dict:
    """Step 2 of the module docstring from the first search: the links among the
    query rows, and the partners ``B`` to search from."""
    a = concat_arrays(query)  # increasing: pieces in partition and row order
    labels_a = concat_arrays(query_labels)
    b = concat_arrays([answer[1][:, 0] for answer in answers])
    labels_b = concat_arrays([answer[2][:, 0] for answer in answers])
    in_query = np.isin(b, a)
    position = np.minimum(np.searchsorted(a, b), max(len(a) - 1, 0))
    inner = in_query & (labels_b != labels_a) & (b[position] == a)
    crossing = ~in_query & (labels_b != labels_a)
    return {
        "ends": a[inner],
        "end_labels": labels_a[inner],
        "a": a[crossing],
        "b": b[crossing],
        "labels_a": labels_a[crossing],
        "labels_b": labels_b[crossing],
        "partners": np.unique(b[crossing]),
    }


def _tomek_removed(
    first: dict, back: list[np.ndarray], answers: list[tuple], targets: np.ndarray
) -> np.ndarray:
    """Sorted global indices of the link ends in the targeted classes."""
    searched = concat_arrays(back)  # == first["partners"], sorted
    partner = concat_arrays([answer[1][:, 0] for answer in answers])
    mutual = np.zeros(len(first["b"]), dtype=bool)
    if len(searched):
        position = np.searchsorted(searched, first["b"])
        mutual = partner[position] == first["a"]
    ends = np.concatenate([first["ends"], first["a"][mutual], first["b"][mutual]])
    labels = np.concatenate(
        [first["end_labels"], first["labels_a"][mutual], first["labels_b"][mutual]]
    )
    return np.unique(ends[np.isin(labels, targets)]).astype(np.int64)


def _edited_removed(
    query: np.ndarray,
    query_labels: np.ndarray,
    answer: tuple,
    classes: tuple,
    kind_sel: str,
) -> np.ndarray:
    """Global indices of the block's rows whose neighbours disagree with them."""
    neighbour_labels = answer[2]
    keep = np.ones(len(query), dtype=bool)
    for cls in np.unique(query_labels):
        rows = query_labels == cls
        keep[rows] = _agrees(
            neighbour_labels[rows], cls, classes, kind_sel, np_xp, "cpu"
        )
    return query[~keep]


def _delayed(key: Key, layer: dict, name: str, dependencies: Sequence[Any]) -> Delayed:
    graph = HighLevelGraph.from_collections(name, layer, dependencies=dependencies)
    return Delayed(key, graph, layer=name)


# ---------------------------------------------------------------- the samplers


def _targets(sampler: Any, counts: PartitionCounts) -> np.ndarray:
    wanted = set(sampler.sampling_strategy_)
    return np.asarray([c for c in counts.classes if c.item() in wanted])


def tomek_links(sampler: Any, X: Any, y: Any, sample_weight: Any = None) -> tuple:
    """``TomekLinks.fit_resample`` on Dask collections (see the module docstring).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import TomekLinks
    >>> X = da.from_array(np.array([[0.0], [1.0], [1.5], [5.0], [6.0], [9.0]]),
    ...                   chunks=(3, 1))
    >>> y = da.from_array(np.array([0, 0, 1, 0, 0, 1]), chunks=3)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     tomek = TomekLinks()
    ...     X_res, y_res = tomek.fit_resample(X, y)
    ...     tomek.sample_indices_.compute().tolist(), X_res.chunks[0]
    ([0, 2, 3, 4, 5], (2, 3))
    """
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    targets = _targets(sampler, counts)
    largest = counts.classes[int(np.argmax(counts.totals))]
    if largest in targets:
        query_classes = counts.classes[counts.classes != largest]
    else:
        query_classes = targets
    token = dask.base.tokenize(*fit.collections(), targets, "tomek")
    dependencies = fit.collections()

    # the first search: from the query rows
    name = f"balancekit-tomek-first-{token}"
    layer: dict = {}
    blocks, select = class_blocks(fit, counts, query_classes)
    found = search_blocks(layer, fit, blocks, select, 1, name)
    layer[name] = (
        _tomek_first,
        [f[0] for f in found],
        [f[1] for f in found],
        [f[2] for f in found],
    )
    (first,) = dask.persist(_delayed(name, layer, name, dependencies))
    partners = dask.delayed(operator.getitem)(first, "partners")
    (sizes,) = dask.compute(dask.delayed(count_by_partition)(partners, fit.offsets))

    # the second search: from the partners outside the query rows
    back_name = f"balancekit-tomek-back-{token}"
    layer = {f"{back_name}-partners": (operator.getitem, first.key, "partners")}
    back_blocks, select = index_blocks(fit, sizes, f"{back_name}-partners")
    back = search_blocks(layer, fit, back_blocks, select, 1, back_name)
    layer[back_name] = (
        _tomek_removed,
        first.key,
        [b[0] for b in back],
        [b[2] for b in back],
        targets,
    )
    (removed,) = dask.persist(
        _delayed(back_name, layer, back_name, [*dependencies, first])
    )
    return kept_rows_output(
        sampler, rows, counts, [[removed]] * fit.n_partitions, token
    )


def edited_nearest_neighbours(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``EditedNearestNeighbours.fit_resample`` on Dask collections (see the module
    docstring); ``n_neighbors`` must be an int (the search is balancekit's).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import EditedNearestNeighbours
    >>> X = np.array([[0.0], [1.0], [2.0], [2.2], [3.0], [4.0], [5.0]])
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1])
    >>> enn = EditedNearestNeighbours(n_neighbors=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = enn.fit_resample(
    ...         da.from_array(X, chunks=(4, 1)), da.from_array(y, chunks=4)
    ...     )
    ...     enn.sample_indices_.compute().tolist()
    [0, 1, 2, 4, 5, 6]
    """
    _check_int_neighbours(sampler.n_neighbors, "n_neighbors")
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    sampler.nn_ = sampler._neighbours()
    _check_enough_rows(sampler.nn_, fit.n_rows)
    targets = _targets(sampler, counts)
    k, kind_sel = int(sampler.n_neighbors), sampler.kind_sel
    token = dask.base.tokenize(*fit.collections(), targets, k, kind_sel, "enn")
    sources = _edited_sources(fit, counts, targets, k, kind_sel, token)
    return kept_rows_output(sampler, rows, counts, sources, token)


def _check_int_neighbours(value: Any, name: str) -> None:
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(
            f"`{name}` must be an int on Dask: the exact neighbour search runs in "
            f"the partitions; got {type(value).__name__}. Pass the number of "
            "neighbours, or compute() the data to use a neighbours object."
        )


def _edited_sources(
    fit: FitRows,
    counts: PartitionCounts,
    targets: np.ndarray,
    k: int,
    kind_sel: str,
    token: str,
) -> list[list[Delayed]]:
    """Per partition, the persisted arrays that hold the rows ENN removes from it
    (the removed rows of each block of targeted rows: its partitions' own)."""
    name = f"balancekit-edited-{token}"
    layer: dict = {}
    blocks, select = class_blocks(fit, counts, targets)
    found = search_blocks(layer, fit, blocks, select, k, name)
    classes = tuple(counts.classes)
    for g, (index, labels, answer) in enumerate(found):
        layer[(f"{name}-removed", g)] = (
            _edited_removed,
            index,
            labels,
            answer,
            classes,
            kind_sel,
        )
    graph = HighLevelGraph.from_collections(name, layer, dependencies=fit.collections())
    removed = dask.persist(
        *(Delayed((f"{name}-removed", g), graph, layer=name) for g in range(len(found)))
    )
    sources: list[list[Delayed]] = [[] for _ in range(fit.n_partitions)]
    for g, pieces in enumerate(blocks):
        for partition in {piece[0] for piece in pieces}:
            sources[partition].append(removed[g])
    return sources


def neighbourhood_cleaning_rule(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``NeighbourhoodCleaningRule.fit_resample`` on Dask collections.

    The first step is edited nearest neighbours (as :func:`edited_nearest_neighbours`;
    ``edited_nearest_neighbours`` must be None or an ``EditedNearestNeighbours`` with
    an int ``n_neighbors``); the second searches from the minority rows only
    (O(n_minority x n) distances) and removes the cleaned neighbours of those the
    vote misclassifies.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import NeighbourhoodCleaningRule
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2], [5.3], [0.15]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> ncr = NeighbourhoodCleaningRule(n_neighbors=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     _ = ncr.fit_resample(
    ...         da.from_array(X, chunks=(4, 1)), da.from_array(y, chunks=4)
    ...     )
    ...     ncr.sample_indices_.compute().tolist()
    [0, 3, 4, 5, 6, 7, 8]
    """
    _check_int_neighbours(sampler.n_neighbors, "n_neighbors")
    editor = sampler.edited_nearest_neighbours
    if editor is not None and not isinstance(editor, EditedNearestNeighbours):
        raise TypeError(
            "`edited_nearest_neighbours` must be None or an EditedNearestNeighbours "
            f"on Dask (its search runs in the partitions); got {type(editor).__name__}."
        )
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    editor = sampler._editor()
    _check_int_neighbours(editor.n_neighbors, "edited_nearest_neighbours.n_neighbors")
    editor._check_params(None)
    editor.sampling_strategy_ = resolve_sampling_strategy(
        editor.sampling_strategy,
        counts.class_counts(),
        "clean-sampling",
        y=rows[1].value,
    )
    editor.nn_ = editor._neighbours()
    sampler.edited_nearest_neighbours_ = editor
    sampler.nn_ = sampler._neighbours()
    for estimator in (editor.nn_, sampler.nn_):
        _check_enough_rows(estimator, fit.n_rows)
    edit_targets = _targets(editor, counts)
    k = int(sampler.n_neighbors)
    minority = _first_seen_minority(counts, rows[1])
    totals = counts.totals
    smallest = totals[counts.classes == minority][0] * sampler.threshold_cleaning
    wanted = set(sampler.sampling_strategy_)
    clean = [
        c
        for c, n in zip(counts.classes, totals, strict=True)
        if c.item() in wanted and n > smallest
    ]
    sampler.classes_to_clean_ = [c.item() for c in clean]
    token = dask.base.tokenize(
        *fit.collections(),
        edit_targets,
        editor.n_neighbors,
        editor.kind_sel,
        k,
        minority,
        clean,
        "ncr",
    )
    sources = _edited_sources(
        fit, counts, edit_targets, int(editor.n_neighbors), editor.kind_sel, token
    )
    name = f"balancekit-ncr-outvoted-{token}"
    layer: dict = {}
    blocks, select = class_blocks(fit, counts, np.asarray([minority]))
    found = search_blocks(layer, fit, blocks, select, k + 1, name, exclude_self=False)
    classes = tuple(counts.classes)
    for g, (_, _, answer) in enumerate(found):
        layer[(name, g)] = (_outvoted, answer, classes, minority, np.asarray(clean))
    graph = HighLevelGraph.from_collections(name, layer, dependencies=fit.collections())
    outvoted = dask.persist(
        *(Delayed((name, g), graph, layer=name) for g in range(len(found)))
    )
    for partition_sources in sources:
        partition_sources.extend(outvoted)
    return kept_rows_output(sampler, rows, counts, sources, token)


def _outvoted(
    answer: tuple, classes: tuple, minority: Any, clean: np.ndarray
) -> np.ndarray:
    """The cleaned neighbours of the minority rows their own neighbourhood (the row
    included, ``k`` votes of ``k + 1`` found) outvotes (``outvoted_neighbours``)."""
    found, labels = answer[1], answer[2]
    k = found.shape[1] - 1
    outvoted = ~_agrees(labels[:, :k], minority, classes, "mode", np_xp, "cpu")
    neighbours, neighbour_labels = found[outvoted, 1:], labels[outvoted, 1:]
    return np.unique(neighbours[np.isin(neighbour_labels, clean)]).astype(np.int64)


def _first_positions(block: Any, tied: np.ndarray) -> np.ndarray:
    values = label_values(block, "y")
    return np.asarray(
        [np.argmax(values == c) if (values == c).any() else len(values) for c in tied]
    )


def _first_seen_minority(counts: PartitionCounts, y: Rows) -> Any:
    """The smallest class; among tied ones, the one met first in ``y`` (as in
    memory): one task reads the first partition holding a tied class."""
    totals = counts.totals
    tied_mask = totals == totals.min()
    tied = counts.classes[tied_mask]
    if len(tied) == 1:
        return tied[0]
    present = counts.counts[:, tied_mask] > 0
    partition = int(np.argmax(present.any(axis=1)))
    block = np.asarray(y.value.to_delayed(), dtype=object).ravel()[partition]
    (first,) = dask.compute(dask.delayed(_first_positions)(block, tied))
    return tied[int(np.argmin(first))]
