"""NearMiss-1, -2 and -3 on Dask: the minority class shipped, a distributed top-n.

The rows NearMiss keeps are scored against the minority class, the smallest one: it
is gathered **once**, by one task, in global row order (within the budget
``balancekit.max-gather-bytes``), and the neighbours object of ``n_neighbors`` is
fitted on it there. That fitted object (with the block, for NearMiss-2) is shipped
to every partition, which scores its own rows of each targeted class with the
in-memory sampler's kernel (``NearMiss._scores`` / ``_farthest_scores``: exact
squared distances summed in one fixed order, ``balancekit._neighbors``), so every
score is bit-equal to the in-memory one.

1. One pass over ``y`` counts the classes per partition; the client resolves
   ``sampling_strategy_`` and the minority class (ties: the class seen first in
   ``y``), checks the parameters and the budget.
2. NearMiss-3 only: for each targeted class, the ``n_neighbors_ver3`` nearest rows
   of that class around each minority row, by the exact distributed search of
   :mod:`balancekit.dask._knn` over the class's rows (each partition's rows of the
   class, in order, are the rows searched); the candidates (their class positions)
   are one small sorted array, shipped to every partition.
3. Each partition keeps its best ``n_keep`` rows of each targeted class as
   ``(score, global index)`` in the in-memory tie order (smallest score first for
   NearMiss-1 and -2, largest for -3; equal scores: lower index first); a tree of
   tasks (``reduce_tree``) merges them into the chosen rows.
4. Each partition's removed rows (its rows of the targeted classes not chosen) are
   persisted where computed and ``_kept_rows.kept_rows_output`` builds the lazy
   outputs: partition ``i`` holds the kept rows of input partition ``i``, **in input
   order** (in memory, ``sample_indices_`` is grouped by class, best score first:
   the same rows as a set).

Cost: NearMiss-1 and -3 measure each scored row against its ``n_neighbors`` (+ a
re-rank margin) nearest minority rows (a tree search over the minority); NearMiss-2
measures ``n_targeted x n_minority`` distances; NearMiss-3 adds ``n_minority x
n_class`` distances per targeted class (the distributed search). One worker holds
the minority block (``n_minority x n_features`` floats) and each merge the best
``n_keep`` pairs; each partition task holds its partition, the minority block and
its best ``n_keep`` pairs. The client receives O(n_classes x n_partitions) numbers.

``n_neighbors`` may be an int or a neighbours object (fitted once on the minority
block, then queried in every partition; results equal the in-memory ones when its
answer for a row does not depend on the other rows queried with it).
``n_neighbors_ver3`` must be an int: its search over a whole class runs in the
partitions. The fitted ``nn_`` (and ``nn_ver3_``) are the configured neighbours
objects, not fitted on the client (that would bring the minority rows there).
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Sequence
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from sklearn.base import clone

from balancekit._warnings import user_stacklevel
from balancekit.dask._cleaning import (
    _check_inputs,
    _check_int_neighbours,
    _first_seen_minority,
)
from balancekit.dask._collections import (
    Key,
    Rows,
    check_partition_length,
    lazy_array,
    reduce_tree,
)
from balancekit.dask._counts import PartitionCounts, label_values
from balancekit.dask._kept_rows import (
    _concat,
    _select_classes,
    concat_arrays,
    kept_rows_output,
    n_features,
)
from balancekit.dask._knn import FitRows, neighbour_tasks, partition_features
from balancekit.dask._smote_tasks import (
    UNDER_SAMPLING_ALTERNATIVES,
    check_budget,
    row_bytes,
)
from balancekit.under_sampling._nearmiss import (
    _n_neighbors_attribute,
    check_at_most,
)

__all__ = ["check_gather_budget", "class_fit_rows", "gather_class", "near_miss"]


# ------------------------------------------------------------ tasks (on workers)


class _Scorer:
    """NearMiss's in-memory scores, from ``nn_`` fitted on the minority rows."""

    def __init__(self, template: Any, minority: np.ndarray) -> None:
        self.sampler = clone(template)
        self.sampler.nn_ = self.sampler._neighbours("n_neighbors", template.n_neighbors)
        self.sampler.nn_.fit(minority)
        self.minority = minority
        self.k = _n_neighbors_attribute(self.sampler.nn_)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        if self.sampler.version == 2:
            return self.sampler._farthest_scores(
                points, self.minority, self.k, np_xp, "cpu"
            )
        return self.sampler._scores(points, self.k, self.k, np_xp, "cpu")


def _class_rows(
    block: Any, labels: Any, cls: Any, ranks: np.ndarray | None, offset: int, index: int
) -> tuple[np.ndarray, np.ndarray]:
    """A partition's rows of class ``cls`` (those of local class ranks ``ranks``,
    or all): ``(features, global indices)``."""
    values = label_values(labels, "y")
    check_partition_length(block, len(values), "X", "y", index)
    members = np.flatnonzero(values == cls)
    if ranks is not None:
        members = members[ranks]
    return partition_features(block)[members], (members + offset).astype(np.int64)


def _local_ranks(
    candidates: np.ndarray | None, start: int, n_class: int
) -> np.ndarray | None:
    """The class positions ``start .. start + n_class - 1`` among the sorted
    ``candidates``, as ranks within the partition (None: all rows)."""
    if candidates is None:
        return None
    low, high = np.searchsorted(candidates, [start, start + n_class])
    return candidates[low:high] - start


def _best(scores: np.ndarray, index: np.ndarray, n_keep: int, largest: bool) -> tuple:
    """The ``n_keep`` best ``(score, index)`` pairs, best first; ties: lower index."""
    order = np.lexsort((index, -scores if largest else scores))[:n_keep]
    return scores[order], index[order]


def _partition_best(
    block: Any,
    labels: Any,
    scorer: _Scorer,
    cls: Any,
    candidates: np.ndarray | None,
    class_start: int,
    n_keep: int,
    largest: bool,
    offset: int,
    index: int,
) -> tuple:
    """One partition's best ``n_keep`` rows of class ``cls`` (the candidates only,
    for NearMiss-3), as ``(scores, global indices)``."""
    n_class = int(np.sum(label_values(labels, "y") == cls))
    ranks = _local_ranks(candidates, class_start, n_class)
    points, rows = _class_rows(block, labels, cls, ranks, offset, index)
    if len(rows) == 0:
        return np.empty(0, dtype=np.float64), rows
    return _best(scorer(points), rows, n_keep, largest)


def _merge_best(n_keep: int, largest: bool, *parts: tuple) -> tuple:
    scores = np.concatenate([p[0] for p in parts])
    index = np.concatenate([p[1] for p in parts])
    return _best(scores, index, n_keep, largest)


def _chosen(*best: tuple) -> np.ndarray:
    return np.sort(concat_arrays([b[1] for b in best])).astype(np.int64)


def _removed(
    labels: Any, targets: np.ndarray, chosen: np.ndarray, offset: int
) -> np.ndarray:
    """Global indices of a partition's rows of the targeted classes not chosen."""
    rows = np.flatnonzero(np.isin(label_values(labels, "y"), targets)) + offset
    return rows[~np.isin(rows, chosen)].astype(np.int64)


def _candidates(answer: tuple) -> np.ndarray:
    """Sorted distinct class positions found around the minority rows."""
    return np.unique(answer[1].ravel()).astype(np.int64)


# ---------------------------------------------------------------- graph building


def gather_class(
    layer: dict, fit: FitRows, counts: PartitionCounts, cls: Any, name: str
) -> Key:
    """Add the tasks gathering every row of class ``cls`` (global row order) into
    one task; the key of its ``(features, global indices, labels)``."""
    column = int(np.searchsorted(counts.classes, cls))
    classes = np.asarray([cls])
    members = []
    for i, n in enumerate(counts.counts[:, column]):
        if n:
            key = (f"{name}-select", i)
            layer[key] = (
                _select_classes,
                fit.X.keys[i][0],
                fit.y.keys[i][0],  # type: ignore[union-attr]
                classes,
                (i, 0, int(n)),
                int(fit.offsets[i]),
            )
            members.append(key)
    layer[name] = (_concat, members)
    return name


def check_gather_budget(sampler: str, n_rows: int, X: Rows, what: str) -> None:
    """``_smote_tasks.check_budget`` for rows gathered by an under-sampler: the
    message names the alternatives that stay distributed for under-sampling."""
    check_budget(sampler, n_rows, row_bytes([X]), what, UNDER_SAMPLING_ALTERNATIVES)


def class_fit_rows(
    fit: FitRows, counts: PartitionCounts, cls: Any, token: str
) -> FitRows:
    """The rows of class ``cls`` as rows to search among: partition ``i`` holds its
    rows of the class in order, so a row's index is its position in the class."""
    column = int(np.searchsorted(counts.classes, cls))
    sizes = counts.counts[:, column].astype(np.int64)
    name = f"balancekit-class-rows-{token}"
    layer = {
        (name, i, 0): (
            operator.getitem,
            (
                _class_rows,
                fit.X.keys[i][0],
                fit.y.keys[i][0],  # type: ignore[union-attr]
                cls,
                None,
                int(fit.offsets[i]),
                i,
            ),
            0,
        )
        for i in range(fit.n_partitions)
    }
    chunks = (tuple(int(s) for s in sizes), (n_features(fit.X),))
    value = lazy_array(name, layer, fit.collections(), chunks, np.empty((0, 0)))
    rows = Rows("X", value, tuple(((name, i, 0),) for i in range(len(sizes))), None)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return FitRows(rows, None, offsets)


def _persist(
    name: str, layer: dict, keys: Sequence[Key], dependencies: Sequence[Any]
) -> tuple:
    graph = HighLevelGraph.from_collections(name, layer, dependencies=dependencies)
    return dask.persist(*(Delayed(key, graph, layer=name) for key in keys))


def near_miss(sampler: Any, X: Any, y: Any, sample_weight: Any = None) -> tuple:
    """``NearMiss.fit_resample`` on Dask collections (see the module docstring).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import NearMiss
    >>> X = np.array([[0.0], [0.1], [0.2], [1.0], [5.0], [9.0], [0.3], [0.4]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     sampler = NearMiss(n_neighbors=1)
    ...     X_res, y_res = sampler.fit_resample(
    ...         da.from_array(X, chunks=(3, 1)), da.from_array(y, chunks=3)
    ...     )
    ...     sampler.sample_indices_.compute().tolist(), X_res.chunks[0]
    ([1, 2, 6, 7], (2, 0, 2))
    """
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    version = int(sampler.version)
    if version == 3:
        _check_int_neighbours(sampler.n_neighbors_ver3, "n_neighbors_ver3")
    minority = _first_seen_minority(counts, rows[1])
    totals = dict(zip(counts.classes.tolist(), counts.totals.tolist(), strict=True))
    sampler.nn_ = sampler._neighbours("n_neighbors", sampler.n_neighbors)
    if version != 2:
        check_at_most("n_neighbors", sampler.nn_, totals[minority.item()])
    _n_neighbors_attribute(sampler.nn_)
    targets = [c for c in counts.classes if c.item() in sampler.sampling_strategy_]
    if version == 3 and targets:
        sampler.nn_ver3_ = sampler._neighbours(
            "n_neighbors_ver3", sampler.n_neighbors_ver3
        )
        for cls in targets:
            check_at_most(
                "n_neighbors_ver3", sampler.nn_ver3_, totals[cls.item()], cls=cls.item()
            )
    check_gather_budget(
        "NearMiss", totals[minority.item()], rows[0], "the minority class"
    )
    token = dask.base.tokenize(
        *fit.collections(), sampler.get_params(), dict(sampler.sampling_strategy_)
    )
    name = f"balancekit-nearmiss-{token}"
    layer: dict = {}
    dependencies = list(fit.collections())
    gathered = gather_class(layer, fit, counts, minority, f"{name}-minority")
    layer[f"{name}-minority-X"] = (operator.getitem, gathered, 0)
    layer[f"{name}-scorer"] = (_Scorer, clone(sampler), f"{name}-minority-X")
    roots, n_candidates = [], []
    for c, cls in enumerate(targets):
        candidates = None
        if version == 3:
            class_fit = class_fit_rows(fit, counts, cls, f"{token}-{c}")
            dependencies.extend(class_fit.collections())
            answer = neighbour_tasks(
                layer,
                class_fit,
                f"{name}-minority-X",
                int(sampler.n_neighbors_ver3),
                exclude_self=False,
                name=f"{name}-ver3-{c}",
            )
            candidates = f"{name}-candidates-{c}"
            layer[candidates] = (_candidates, answer)
            layer[f"{name}-n-candidates-{c}"] = (len, candidates)
            n_candidates.append(f"{name}-n-candidates-{c}")
        roots.append(
            _best_of_class(layer, fit, counts, sampler, cls, candidates, name, c)
        )
    layer[f"{name}-chosen"] = (_chosen, *roots)
    removed_keys = []
    for i in range(fit.n_partitions):
        removed_keys.append((f"{name}-removed", i))
        layer[removed_keys[-1]] = (
            _removed,
            fit.y.keys[i][0],  # type: ignore[union-attr]
            np.asarray(targets),
            f"{name}-chosen",
            int(fit.offsets[i]),
        )
    persisted = _persist(name, layer, [*removed_keys, *n_candidates], dependencies)
    removed = persisted[: fit.n_partitions]
    if n_candidates:
        found = dask.compute(*persisted[fit.n_partitions :])
        _warn_few_candidates(sampler, targets, found)
    return kept_rows_output(sampler, rows, counts, [[r] for r in removed], token)


def _best_of_class(
    layer: dict,
    fit: FitRows,
    counts: PartitionCounts,
    sampler: Any,
    cls: Any,
    candidates: Key | None,
    name: str,
    c: int,
) -> Key:
    """Add the top-n of class ``cls``: each partition's best, merged by a tree."""
    column = int(np.searchsorted(counts.classes, cls))
    sizes = counts.counts[:, column]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n_keep = int(sampler.sampling_strategy_[cls.item()])
    largest = int(sampler.version) == 3
    keys = []
    for i in np.flatnonzero(sizes):
        keys.append((f"{name}-best-{c}", int(i)))
        layer[keys[-1]] = (
            _partition_best,
            fit.X.keys[i][0],
            fit.y.keys[i][0],  # type: ignore[union-attr]
            f"{name}-scorer",
            cls,
            candidates,
            int(starts[i]),
            n_keep,
            largest,
            int(fit.offsets[i]),
            int(i),
        )
    return reduce_tree(layer, f"{name}-merge-{c}", _merge_best, keys, n_keep, largest)


def _warn_few_candidates(
    sampler: Any, targets: list, n_candidates: Sequence[int]
) -> None:
    """NearMiss-3's warning when a class has fewer candidates than it keeps."""
    for cls, found in zip(targets, n_candidates, strict=True):
        n_keep = int(sampler.sampling_strategy_[cls.item()])
        if found < n_keep:
            warnings.warn(
                f"NearMiss-3 found {found} candidate rows of class {cls.item()!r} "
                f"(the `n_neighbors_ver3` nearest rows of each minority row), fewer "
                f"than the {n_keep} that `sampling_strategy` asks to keep; all "
                f"{found} are kept. Raise `n_neighbors_ver3` to keep more.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
