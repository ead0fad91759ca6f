"""The SMOTE family on Dask: gather the rows it needs on one worker, generate there.

SMOTE and SMOTENC need the rows of the classes they grow; BorderlineSMOTE and ADASYN
also need, for each of those rows, its nearest neighbours over every class. Those
rows (a 1% minority of 10^9 rows is 10^7 rows) are gathered on **one worker**, never
on the client, and the in-memory sampler runs there on them, with the strategy
resolved on the global class counts and the generator ``random_state`` gives in
memory. The rows are gathered in global row order, so the new rows are those of
``sampler.fit_resample(X.compute(), y.compute())`` with the same seed, bit for bit.

1. One pass over ``y`` counts the classes per partition (``_counts``); the client
   resolves ``sampling_strategy_`` and checks the memory budget.
2. Each partition selects its rows of the grown classes; one task concatenates them.
3. BorderlineSMOTE and ADASYN only: those rows are the query of an exact distributed
   kNN search over every row (``_knn``); a task collects the neighbours' global
   indices and every partition sends its rows among them (the minority again, and
   its neighbours of other classes). In memory, the neighbours of a minority row
   over this subset are those over the whole data (same distances, same order).
4. One task runs the in-memory sampler's generation on the gathered rows.
5. The results are the input's partitions (converted as the in-memory sampler
   converts ``X``: floats for SMOTE) followed by the new rows as new partitions, at
   most as long as the longest input partition.

SMOTE and SMOTENC know their number of new rows from ``sampling_strategy_``: their
results are lazy, with known chunks. BorderlineSMOTE (a class without rows in danger
gets none) and ADASYN (shares rounded per row) know it only after the search: the
generation is persisted (it stays on its worker under a distributed client) and only
the per-class numbers of new rows (and of rows in danger) reach the client, so the
chunks are known too and errors and warnings surface in ``fit_resample``.

The budget of the gathered rows plus the new rows is ``balancekit.max-gather-bytes``
in ``dask.config`` (bytes, or a string such as ``"8GiB"``; default
:data:`MAX_GATHER_BYTES`): ``dask.config.set({"balancekit.max-gather-bytes":
"8GiB"})``. Above it, a ``ValueError`` names the alternatives.
"""

from __future__ import annotations

import copy
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from sklearn.base import clone

from balancekit._features import numeric_features
from balancekit._neighbors import check_enough_samples, check_neighbors_object
from balancekit._random import check_random_state
from balancekit._warnings import user_stacklevel
from balancekit.dask._collections import (
    Rows,
    lazy_array,
    sampler_rows,
)
from balancekit.dask._counts import PartitionCounts
from balancekit.dask._knn import fit_rows, kneighbors_on_dask
from balancekit.dask._random_samplers import _fit_counts
from balancekit.dask._smote_tasks import (
    CONFIG_KEY,
    MAX_GATHER_BYTES,
    SmotencX,
    check_budget,
    concat_rows,
    danger_of,
    generate,
    max_gather_bytes,
    needed_rows,
    original,
    piece,
    query_features,
    row_bytes,
    select_rows,
    smote_X,
    summary,
)
from balancekit.over_sampling._smote_nc import check_encoder, host_table
from balancekit.over_sampling._smotenc import (
    _check_mixed,
    continuous_values,
    resolve_categorical_columns,
)

__all__ = [
    "CONFIG_KEY",
    "MAX_GATHER_BYTES",
    "max_gather_bytes",
    "smote_fit_on_dask",
    "smote_on_dask",
]


def _empty(rows: Rows) -> Any:
    """An empty block of ``rows`` (pandas meta, or a NumPy array of its shape)."""
    value = rows.value
    if rows.is_array:
        return np.empty((0, *value.shape[1:]), dtype=value.dtype)
    return value._meta


def _int_neighbours(sampler: Any, name: str, n_rows: int) -> int:
    """An int neighbours parameter searched over every row (distributed search)."""
    value = getattr(sampler, name)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"`{name}` must be an int on Dask: the neighbours over every row are "
            "found by balancekit's exact distributed search, not by a neighbours "
            f"object; got {type(value).__name__}."
        )
    if value >= n_rows:
        raise ValueError(
            f"`{name}`={value} needs at least {value + 1} samples in X, which has "
            f"{n_rows}. Lower `{name}` or gather more samples."
        )
    return int(value)


@dataclass
class _Plan:
    """What one call decides on the client."""

    kind: str  # the sampler's class name
    grown: list  # the classes that get new rows, in ``sampling_strategy_`` order
    n_new: list[int]  # their numbers of new rows asked for
    search: int  # neighbours (the row itself included) over every row, or 0
    convert: Callable  # an input partition of X -> the in-memory originals
    float: np.dtype  # the dtype of the interpolation steps
    metas: list  # empty blocks of the outputs
    row_bytes: int


def _check_same_class(sampler: Any, name: str, counts: PartitionCounts, grown: list):
    value = getattr(sampler, name)
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        totals = counts.class_counts()
        for cls in grown:
            check_enough_samples(name, int(value), totals[cls], cls)


def _plan(sampler: Any, rows: list[Rows], counts: PartitionCounts) -> _Plan:
    """Check the parameters against the class counts and plan the call."""
    kind = type(sampler).__name__
    targets = sampler.sampling_strategy_
    grown = [c for c in targets if targets[c] > 0]
    n_rows, X_meta = int(counts.lengths.sum()), _empty(rows[0])
    search = 0
    if kind == "SMOTENC":
        convert, dtype = _smotenc(sampler, X_meta)
    else:
        sampler._check_params(None)  # its parameters only: the data is not read
        n_flat = int(np.prod(X_meta.shape[1:]))
        flat = X_meta.reshape(0, n_flat) if X_meta.ndim > 2 else X_meta
        convert, dtype = smote_X, numeric_features(flat, np_xp, "cpu").values.dtype
    if kind == "BorderlineSMOTE":
        search = _int_neighbours(sampler, "m_neighbors", n_rows) + 1
        if sampler.kind == "borderline-2":  # partners among every row
            k = _int_neighbours(sampler, "k_neighbors", n_rows)
            search = max(search, k + 1)
        else:
            _check_same_class(sampler, "k_neighbors", counts, grown)
    elif kind == "ADASYN":
        search = _int_neighbours(sampler, "n_neighbors", n_rows) + 1
        _check_same_class(sampler, "n_neighbors", counts, grown)
    else:
        _check_same_class(sampler, "k_neighbors", counts, grown)
    metas = [convert(X_meta), _empty(rows[1])]
    if len(rows) == 3:  # SMOTE casts weights to X's floats, SMOTENC appends floats
        w_meta = _empty(rows[2])
        both = np.result_type(w_meta.dtype, dtype)
        metas.append(w_meta.astype(both if kind == "SMOTENC" else dtype))
    return _Plan(
        kind,
        grown,
        [int(targets[c]) for c in grown],
        search,
        convert,
        dtype,
        metas,
        row_bytes(rows),
    )


def _smotenc(sampler: Any, X_meta: Any) -> tuple[Callable, np.dtype]:
    """SMOTENC's checks and fitted column attributes, from ``X``'s metadata."""
    if X_meta.ndim != 2:
        raise ValueError(
            "`X` must be 2-D (n_samples, n_features) for SMOTENC; got shape "
            f"{(None, *X_meta.shape[1:])}."
        )
    check_neighbors_object("k_neighbors", sampler.k_neighbors, 1)
    check_encoder(sampler.categorical_encoder, "OneHotEncoder")
    categorical = resolve_categorical_columns(sampler.categorical_features, X_meta)
    n_features = int(X_meta.shape[1])
    _check_mixed(categorical, n_features)
    continuous = np.setdiff1d(np.arange(n_features, dtype=np.int64), categorical)
    sampler.n_features_ = n_features
    sampler.categorical_features_ = categorical
    sampler.continuous_features_ = continuous
    table = host_table(X_meta, "SMOTENC")
    return SmotencX(continuous), continuous_values(table, continuous).dtype


def _gather(
    rows: list[Rows], counts: PartitionCounts, plan: _Plan, token: str
) -> Delayed:
    """The rows of the grown classes (with their neighbours for a search)."""
    X, y = rows[0], rows[1]
    w = rows[2] if len(rows) == 3 else None
    offsets = np.concatenate([[0], np.cumsum(counts.lengths)]).astype(np.int64)
    grown = np.isin(counts.classes, plan.grown)
    name = f"balancekit-{plan.kind.lower()}-gather-{token}"

    def select(i: int, wanted: Any, by_class: bool) -> tuple:
        w_key = None if w is None else w.keys[i][0]
        keys = (X.keys[i][0], y.keys[i][0], w_key)
        return (select_rows, *keys, wanted, by_class, int(offsets[i]), i)

    layer: dict = {
        (f"{name}-select", i): select(i, plan.grown, True)
        for i in range(y.n_partitions)
        if counts.counts[i, grown].sum() > 0
    }
    layer[name] = (concat_rows, list(layer))
    collections: list[Any] = [r.value for r in rows]
    gathered = Delayed(name, HighLevelGraph.from_collections(name, layer, collections))
    if not plan.search:
        return gathered
    query = dask.delayed(query_features, pure=True)(
        gathered, dask_key_name=f"{name}-query"
    )
    fit = fit_rows(X, lengths=counts.lengths)
    found = kneighbors_on_dask(fit, query, plan.search)
    final, needed = f"{name}-neighbourhood", f"{name}-needed"
    layer = {
        needed: (
            needed_rows,
            found.indices.key,
            (operator.getitem, name, 3),
            offsets,
            plan.kind,
            sum(plan.n_new),
            plan.row_bytes,
        )
    }
    for i in range(y.n_partitions):
        layer[(f"{final}-select", i)] = select(i, (operator.getitem, needed, i), False)
    layer[final] = (
        concat_rows,
        [(f"{final}-select", i) for i in range(y.n_partitions)],
    )
    dependencies: list[Any] = [*collections, found.indices, gathered]
    return Delayed(final, HighLevelGraph.from_collections(final, layer, dependencies))


def _output(
    source: Rows,
    meta: Any,
    convert: Callable | None,
    lengths: np.ndarray,
    new: tuple[Delayed | None, str, list[int]],
    prefix: str,
) -> Any:
    """``source``'s partitions (converted) followed by pieces of the new rows."""
    generated, field, pieces = new
    token = dask.base.tokenize(source.value, getattr(generated, "key", None))
    name = f"{prefix}-{token}"
    tail = (0,) * (source.value.ndim - 1) if source.is_array else ()
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    layer: dict = {}
    for i, keys in enumerate(source.keys):
        n = int(lengths[i])
        task = (original, keys[0], convert, meta, int(starts[i]), n, i, source.name)
        layer[(name, i, *tail)] = task
    dependencies: list[Any] = [source.value]
    if generated is not None and pieces:
        dependencies.append(generated)
        first = 0
        for j, size in enumerate(pieces):
            start = int(starts[-1]) + first
            new_task = (piece, generated.key, field, first, first + size, meta, start)
            layer[(name, source.n_partitions + j, *tail)] = new_task
            first += size
    all_lengths = [int(n) for n in lengths] + list(pieces)
    if source.is_array:
        chunks = (tuple(all_lengths), *((int(s),) for s in source.value.shape[1:]))
        return lazy_array(name, layer, dependencies, chunks, meta)
    merged: dict = {}
    for collection in dependencies:
        merged.update(collection.__dask_graph__())
    merged.update(layer)
    bounds = np.concatenate([[0], np.cumsum(all_lengths)]).astype(np.int64)
    divisions: tuple = (None,) * (len(all_lengths) + 1)
    if min(all_lengths) > 0:
        divisions = (*(int(s) for s in bounds[:-1]), int(bounds[-1]) - 1)
    return dd.from_graph(merged, meta, divisions, list(layer), prefix)


def _lazy(generated: Any, task: tuple, n: int, dtype: Any, name: str) -> da.Array:
    key = f"{name}-{dask.base.tokenize(generated.key, task)}"
    return lazy_array(
        key, {(key, 0): task}, [generated], ((n,),), np.empty(0, dtype=dtype)
    )


def _generation(
    sampler: Any, rows: list[Rows], counts: PartitionCounts, plan: _Plan
) -> tuple[Delayed | None, list[int], dict]:
    """The task of the new rows, their numbers per class, the rows in danger."""
    rng = check_random_state(sampler.random_state)
    state = copy.deepcopy(rng)
    if rng is sampler.random_state:
        rng.random()  # a user's Generator advances, as in memory
    if not plan.grown:
        return None, [], {}
    token = dask.base.tokenize(
        [r.value for r in rows], sampler.get_params(deep=False), state, plan.n_new
    )
    generated = dask.delayed(generate, pure=True)(
        _gather(rows, counts, plan, token),
        clone(sampler),
        sampler.sampling_strategy_,
        state,
        dask_key_name=f"balancekit-{plan.kind.lower()}-generate-{token}",
    )
    if not plan.search:
        return generated, plan.n_new, {}
    # The numbers of new rows are known after the search: persisted, the new rows
    # stay on their worker (under a distributed client) and only these numbers
    # reach the client.
    (generated,) = dask.persist(generated)
    n_new, danger, caught = dask.delayed(summary)(generated, plan.grown).compute()
    for message, category in caught:
        warnings.warn(message, category, stacklevel=user_stacklevel())
    return generated, n_new, danger


def _median_std(generated: dict, cls: Any) -> np.ndarray:
    return np.asarray(generated["median_std"][cls], dtype=np.float64)


def _lazy_scalar(generated: Any, cls: Any, name: str) -> da.Array:
    """A lazy 0-d float64 of SMOTENC's ``median_std_[cls]``, from the generation."""
    key = f"{name}-{dask.base.tokenize(generated.key, cls)}"
    task = (_median_std, generated.key, cls)
    return lazy_array(key, {(key,): task}, [generated], (), np.empty((), np.float64))


def _recipe(
    sampler: Any,
    generated: Any,
    total: int,
    dtype: Any,
    danger: dict,
    prefix: str,
    grown: list,
) -> None:
    """The lazy fitted arrays: the recipe of the new rows, the rows in danger,
    SMOTENC's ``median_std_`` (a lazy 0-d array per grown class)."""
    for part in ("parents", "partners", "steps"):
        kind = dtype if part == "steps" else np.int64
        if generated is None:
            value: Any = da.from_array(np.empty(0, dtype=kind))
        else:
            task = (operator.getitem, generated.key, part)
            value = _lazy(generated, task, total, kind, f"{prefix}-{part}")
        setattr(sampler, f"synthetic_{part}_", value)
    if type(sampler).__name__ == "SMOTENC":  # each grown class's median std
        sampler.median_std_ = {
            cls: _lazy_scalar(generated, cls, f"{prefix}-median-std")
            for cls in ([] if generated is None else grown)
        }
    if type(sampler).__name__ == "BorderlineSMOTE":
        sampler.in_danger_indices = {
            cls: _lazy(generated, (danger_of, generated.key, cls), n, np.int64, prefix)
            for cls, n in danger.items()
        }


def smote_on_dask(sampler: Any, X: Any, y: Any, sample_weight: Any = None) -> tuple:
    """``fit_resample`` of SMOTE, SMOTENC, BorderlineSMOTE or ADASYN on Dask.

    The rows of the grown classes (and, for BorderlineSMOTE and ADASYN, their
    nearest neighbours over every class, found by an exact distributed search)
    are gathered on **one worker**, in global row order, and the in-memory sampler
    generates the new rows there: they equal those of ``fit_resample`` on the
    computed data with the same ``random_state`` (a ``Generator`` is copied and
    then advanced by one draw). See the module docstring for the plan and the
    memory budget (``dask.config`` key ``balancekit.max-gather-bytes``).

    Parameters
    ----------
    sampler : SMOTE, SMOTENC, BorderlineSMOTE or ADASYN
        Parameters are read, fitted attributes set: ``sampling_strategy_``,
        ``n_features_in_``, the lazy ``synthetic_parents_``,
        ``synthetic_partners_`` (global row indices) and ``synthetic_steps_``;
        BorderlineSMOTE's ``in_danger_indices`` (lazy global indices), SMOTENC's
        ``categorical_features_``, ``continuous_features_`` and ``median_std_`` (a
        lazy 0-d array per grown class). SMOTENC's ``categorical_encoder_`` is
        fitted where the rows are generated and not brought back.
    X, y, sample_weight : Dask arrays, DataFrames or Series
        Partitioned alike; ``y`` holds numeric labels.

    Returns
    -------
    tuple
        ``(X_res, y_res[, sample_weight_res])`` of the inputs' Dask types, with
        known chunks: the input partitions (``X`` converted as in memory: SMOTE
        makes floats), then the new rows as new partitions.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit import SMOTE
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 2)), np.array([0] * 32 + [1] * 8)
    >>> Xd, yd = da.from_array(X, chunks=(10, 2)), da.from_array(y, chunks=10)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = SMOTE(random_state=0).fit_resample(Xd, yd)
    ...     X_mem, _ = SMOTE(random_state=0).fit_resample(X, y)
    ...     X_res.chunks[0], bool((X_res.compute() == X_mem).all())
    ((10, 10, 10, 10, 10, 10, 4), True)
    """
    kind = type(sampler).__name__
    why = None if kind == "SMOTENC" else f"{kind} interpolates between rows"
    rows = sampler_rows(X, y, sample_weight, whole_rows=True, numeric_why=why)
    counts = _fit_counts(sampler, rows)
    plan = _plan(sampler, rows, counts)
    totals = counts.class_counts()
    n_gathered = sum(totals[c] for c in plan.grown)
    what = "the rows of the classes it grows and the new rows"
    check_budget(kind, n_gathered + sum(plan.n_new), plan.row_bytes, what)
    generated, n_new, danger = _generation(sampler, rows, counts, plan)
    total = int(sum(n_new))
    size = max(1, int(counts.lengths.max()))
    pieces = [min(size, total - s) for s in range(0, total, size)]
    prefix = f"balancekit-{kind.lower()}"
    outputs = tuple(
        _output(
            source,
            meta,
            plan.convert if source.name == "X" else None,
            counts.lengths,
            (generated, field, pieces),
            f"{prefix}-{source.name}",
        )
        for source, meta, field in zip(rows, plan.metas, ("X", "y", "w"), strict=False)
    )
    _recipe(sampler, generated, total, plan.float, danger, prefix, plan.grown)
    return outputs


def smote_fit_on_dask(sampler: Any, X: Any, y: Any) -> None:
    """``fit`` of the SMOTE family on Dask: the checks, the class counts (one pass
    over ``y``) and ``sampling_strategy_``, without generating.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit import ADASYN
    >>> X = da.from_array(np.arange(24.0).reshape(12, 2), chunks=(4, 2))
    >>> y = da.from_array(np.array([0] * 9 + [1] * 3), chunks=4)
    >>> sampler = ADASYN(n_neighbors=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     smote_fit_on_dask(sampler, X, y)
    >>> dict(sampler.sampling_strategy_)
    {1: 6}
    """
    kind = type(sampler).__name__
    why = None if kind == "SMOTENC" else f"{kind} interpolates between rows"
    rows = sampler_rows(X, y, None, whole_rows=True, numeric_why=why)
    _plan(sampler, rows, _fit_counts(sampler, rows))
