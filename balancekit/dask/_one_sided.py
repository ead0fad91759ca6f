"""OneSidedSelection on Dask: a k-NN rule on a small store C, then Tomek links.

For each cleaned class, the in-memory sampler builds C from every minority row and
``n_seeds_S`` rows of the class drawn from ``random_state``, keeps the rows of the
class that the k-NN rule fitted on C misclassifies (with the seeds), and removes the
Tomek links of what remains. On Dask:

1. One pass over ``y`` counts the classes per partition; the client resolves
   ``sampling_strategy_`` and the minority class, and draws the seeds exactly as in
   memory (``CondensedNearestNeighbour._draw_seeds``: the draw depends only on the
   class sizes and the generator), as positions within each class; the class counts
   per partition tell which partition holds each seed. No row reaches the client.
2. The minority rows are gathered once by one task (global row order), and each
   class's seed rows by another (in draw order), within the budget
   ``balancekit.max-gather-bytes``: C is small.
3. Each partition applies the in-memory rule (``_ExactVotes`` or, for a neighbours
   object, ``_RefitVotes``) to its own rows of each cleaned class against C; its
   correctly classified rows that are not seeds are removed. The votes of a row
   depend only on the row and C, so they are the in-memory ones.
4. The Tomek links are searched among the rows kept by step 3 **in the in-memory
   order** (class by class; in a cleaned class, the seeds in draw order, then its
   other rows in input order), since equal distances go to the lower index: the kept
   rows of each (class, partition) pair, and each class's seeds, are one persisted
   block of an intermediate Dask array, and TomekLinks on Dask
   (``_cleaning.tomek_links``, the cleaned classes as its ``sampling_strategy``)
   runs on it. No row moves between workers but the seeds.
5. The rows removed by steps 3 and 4 (persisted global indices) give the lazy
   outputs (``_kept_rows.kept_rows_output``): partition ``i`` holds the kept rows of
   input partition ``i`` in input order (in memory, grouped by class, seeds first:
   the same rows as a set).

Cost: step 3 measures, for each row of a cleaned class, its distances to its ``k``
(+ a re-rank margin) nearest minority rows and to its nearest seeds (tree searches
over C, rebuilt per partition); step 4 is ``(n_query + n_partners) x n_kept``
distances (see ``_cleaning``). One worker holds the minority block and the seeds
(``(n_minority + n_seeds) x n_features`` floats); each partition task holds its
partition and C. The rows kept by step 3 are persisted on the workers (as float
features, until step 4 ends) and the removed rows' indices until the outputs are
computed. The client receives O((n_classes + 1) x n_partitions) numbers: the class
counts and the sizes of the blocks of step 4. The fitted ``estimators_`` are the
configured neighbours objects, one per cleaned class, not fitted on the client (that
would bring C there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed
from sklearn.base import clone

from balancekit._neighbors import NearestNeighbors
from balancekit._random import check_random_state
from balancekit.dask._cleaning import _check_inputs, _first_seen_minority, tomek_links
from balancekit.dask._collections import Key, lazy_array
from balancekit.dask._counts import PartitionCounts
from balancekit.dask._kept_rows import kept_rows_output, n_features
from balancekit.dask._knn import FitRows
from balancekit.dask._nearmiss import (
    _class_rows,
    _persist,
    check_gather_budget,
    gather_class,
)
from balancekit.under_sampling._condensed_nearest_neighbour import (
    _check_store_size,
    _ExactVotes,
    _RefitVotes,
    _Store,
)
from balancekit.under_sampling._tomek_links import TomekLinks

__all__ = ["one_sided_selection"]


# ------------------------------------------------------------ tasks (on workers)


def _seeds_in_draw_order(order: np.ndarray, *parts: tuple) -> tuple:
    """The seed rows gathered in row order, put in draw order."""
    features = np.concatenate([p[0] for p in parts])
    index = np.concatenate([p[1] for p in parts])
    return features[order], index[order]


def _redundant(
    block: Any,
    labels: Any,
    cls: Any,
    minority: tuple,
    seeds: tuple,
    estimator: Any,
    tie_to_class: bool,
    is_minority: bool,
    offset: int,
    index: int,
) -> np.ndarray:
    """Global indices of a partition's rows of class ``cls`` that the k-NN rule on
    C classifies correctly, the seeds excepted (the rows removed)."""
    points, rows = _class_rows(block, labels, cls, None, offset, index)
    redundant = ~np.isin(rows, seeds[1])
    if is_minority or len(rows) == 0:  # minority rows are all in C
        return rows[redundant]
    n_seeds = len(seeds[1])
    # The seeds first: C is the minority rows and the seeds in draw order, as in
    # memory; the rows of the partition follow.
    store = _Store(
        np.concatenate([seeds[0], points]),
        minority[0],
        np.arange(n_seeds),
        np_xp,
        "cpu",
    )
    votes = (
        _ExactVotes(store, estimator.n_neighbors, tie_to_class)
        if isinstance(estimator, NearestNeighbors)
        else _RefitVotes(store, clone(estimator), tie_to_class)
    )
    correct = np.asarray(votes.correct())[n_seeds:]
    return rows[redundant & correct].astype(np.int64)


def _seed_block(seeds: tuple, cls: np.generic) -> tuple:
    """The seeds as a block in C's order: ``(features, labels, input rows)``."""
    return seeds[0], np.full(len(seeds[1]), cls), seeds[1]


def _survivors(
    block: Any,
    labels: Any,
    cls: np.generic,
    rule_removed: np.ndarray | None,
    seeds: tuple | None,
    offset: int,
    index: int,
) -> tuple:
    """A partition's rows of class ``cls`` kept by the rule, the seeds excepted
    (they have their own block): ``(features, labels, input rows)``."""
    points, rows = _class_rows(block, labels, cls, None, offset, index)
    keep = np.ones(len(rows), dtype=bool)
    for dropped in (rule_removed, None if seeds is None else seeds[1]):
        if dropped is not None:
            keep &= ~np.isin(rows, dropped)
    return points[keep], np.full(int(keep.sum()), cls), rows[keep]


def _length(block: tuple) -> int:
    return len(block[2])


def _field(block: tuple, field: int) -> np.ndarray:
    return block[field]


def _dropped(block: tuple, kept: np.ndarray, start: int) -> np.ndarray:
    """Input rows of a block that the Tomek step removes (``kept``: positions of
    the kept rows among all blocks, from ``start`` for this one)."""
    keep = np.zeros(len(block[2]), dtype=bool)
    keep[kept - start] = True
    return block[2][~keep].astype(np.int64)


# ---------------------------------------------------------------- graph building


def _draw(
    sampler: Any, counts: PartitionCounts, minority: Any
) -> list[tuple[Any, np.ndarray, bool]]:
    """The cleaned classes in sorted order with their seeds (class positions, in
    draw order) and the vote-tie rule, drawn and checked as in memory."""
    rng = check_random_state(sampler.random_state)
    classes = counts.classes.tolist()
    n_minority = int(counts.totals[classes.index(minority.item())])
    plans = []
    sampler.estimators_ = []
    for cls, n_class in zip(classes, counts.totals.tolist(), strict=True):
        if cls not in sampler.sampling_strategy_:
            continue
        seeds = np.asarray(sampler._draw_seeds(int(n_class), cls, rng), np.int64)
        estimator = sampler._neighbours()
        _check_store_size(estimator, n_minority, len(seeds))
        sampler.estimators_.append(estimator)
        # scikit-learn's vote breaks ties towards the smaller label (as in memory)
        tie_to_class = classes.index(cls) < classes.index(minority.item())
        plans.append((cls, seeds, tie_to_class))
    return plans


def _gather_seeds(
    layer: dict,
    fit: FitRows,
    counts: PartitionCounts,
    cls: Any,
    seeds: np.ndarray,
    name: str,
) -> Key:
    """Add one task gathering the seed rows of ``cls`` in draw order."""
    column = int(np.searchsorted(counts.classes, cls))
    starts = np.concatenate([[0], np.cumsum(counts.counts[:, column])])
    in_order = np.sort(seeds)
    partition = np.searchsorted(starts, in_order, side="right") - 1
    parts = []
    for i in np.unique(partition):
        ranks = in_order[partition == i] - starts[i]
        parts.append((f"{name}-part", int(i)))
        layer[parts[-1]] = (
            _class_rows,
            fit.X.keys[i][0],
            fit.y.keys[i][0],  # type: ignore[union-attr]
            cls,
            ranks,
            int(fit.offsets[i]),
            int(i),
        )
    layer[name] = (_seeds_in_draw_order, np.searchsorted(in_order, seeds), *parts)
    return name


def one_sided_selection(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``OneSidedSelection.fit_resample`` on Dask collections (see the module
    docstring).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import OneSidedSelection
    >>> X = np.array([[0.0], [1.0], [2.0], [20.0], [21.0], [22.0], [10.0], [11.0]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     oss = OneSidedSelection(random_state=0)
    ...     X_res, y_res = oss.fit_resample(
    ...         da.from_array(X, chunks=(3, 1)), da.from_array(y, chunks=3)
    ...     )
    ...     np.bincount(y_res.compute()).tolist()
    [4, 2]
    """
    rows, counts, fit = _check_inputs(sampler, X, y, sample_weight)
    sampler._check_params(None)
    minority = _first_seen_minority(counts, rows[1])
    plans = _draw(sampler, counts, minority)
    n_minority = int(counts.totals[counts.classes == minority][0])
    n_gathered = n_minority + sum(len(seeds) for _, seeds, _ in plans)
    check_gather_budget(
        "OneSidedSelection", n_gathered, rows[0], "the minority class and the seeds"
    )
    token = dask.base.tokenize(
        *fit.collections(),
        sampler.get_params(),
        [(cls, seeds) for cls, seeds, _ in plans],
    )
    name = f"balancekit-one-sided-{token}"
    layer: dict = {}
    minority_key = gather_class(layer, fit, counts, minority, f"{name}-minority")
    targeted = {cls: c for c, (cls, _, _) in enumerate(plans)}
    removed: list[list[Key]] = [[] for _ in range(fit.n_partitions)]
    blocks: list[tuple[int | None, Key]] = []  # (input partition, key), C's order
    for column, cls in enumerate(counts.classes):
        c = targeted.get(cls.item())
        seeds_key = None
        if c is not None:
            _, seeds, tie_to_class = plans[c]
            seeds_key = _gather_seeds(
                layer, fit, counts, cls, seeds, f"{name}-seeds-{c}"
            )
            layer[(f"{name}-block-seeds", c)] = (_seed_block, seeds_key, cls)
            blocks.append((None, (f"{name}-block-seeds", c)))
        for i in np.flatnonzero(counts.counts[:, column]):
            rule = None
            if c is not None:
                rule = (f"{name}-redundant-{c}", int(i))
                layer[rule] = (
                    _redundant,
                    fit.X.keys[i][0],
                    fit.y.keys[i][0],  # type: ignore[union-attr]
                    cls,
                    minority_key,
                    seeds_key,
                    sampler.estimators_[c],
                    tie_to_class,
                    bool(cls == minority),
                    int(fit.offsets[i]),
                    int(i),
                )
                removed[i].append(rule)
            key = (f"{name}-block-{column}", int(i))
            layer[key] = (
                _survivors,
                fit.X.keys[i][0],
                fit.y.keys[i][0],  # type: ignore[union-attr]
                cls,
                rule,
                seeds_key,
                int(fit.offsets[i]),
                int(i),
            )
            blocks.append((int(i), key))
    rule_keys = [key for keys in removed for key in keys]
    block_keys = [key for _, key in blocks]
    persisted = _persist(name, layer, [*rule_keys, *block_keys], fit.collections())
    rule_removed = dict(zip(rule_keys, persisted[: len(rule_keys)], strict=True))
    kept_blocks = persisted[len(rule_keys) :]
    tomek_removed = _tomek_step(
        sampler, kept_blocks, n_features(fit.X), counts.classes, token
    )
    sources: list[list[Any]] = [[rule_removed[key] for key in keys] for keys in removed]
    for (owner, _), dropped in zip(blocks, tomek_removed, strict=True):
        partitions = range(fit.n_partitions) if owner is None else [owner]
        for j in partitions:
            sources[j].append(dropped)
    return kept_rows_output(sampler, rows, counts, sources, token)


def _tomek_step(
    sampler: Any,
    blocks: Sequence[Delayed],
    n_columns: int,
    classes: np.ndarray,
    token: str,
) -> tuple:
    """TomekLinks on Dask on the rows the rule keeps, in the in-memory order (one
    partition per block); per block, the persisted input rows it removes."""
    lengths = dask.compute(*(dask.delayed(_length)(block) for block in blocks))
    chunks = (tuple(int(n) for n in lengths),)
    name = f"balancekit-one-sided-kept-{token}"
    X_kept = lazy_array(
        f"{name}-X",
        {(f"{name}-X", j, 0): (_field, b.key, 0) for j, b in enumerate(blocks)},
        blocks,
        (*chunks, (n_columns,)),
        np.empty((0, n_columns)),
    )
    y_kept = lazy_array(
        f"{name}-y",
        {(f"{name}-y", j): (_field, b.key, 1) for j, b in enumerate(blocks)},
        blocks,
        chunks,
        classes[:0],
    )
    tomek = TomekLinks(sampling_strategy=list(sampler.sampling_strategy_))
    tomek_links(tomek, X_kept, y_kept)
    kept = tomek.sample_indices_
    starts = np.concatenate([[0], np.cumsum(chunks[0])])
    layer = {
        (f"{name}-dropped", j): (_dropped, b.key, (kept.name, j), int(starts[j]))
        for j, b in enumerate(blocks)
    }
    return _persist(f"{name}-dropped", layer, list(layer), [*blocks, kept])
