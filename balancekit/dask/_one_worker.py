"""Samplers whose rule is global, on Dask: gather the rows on ONE worker, run there.

An SVM or a classifier fitted on every row, k-means over all rows, a sequential
condensing pass over a random permutation: these rules read rows of every partition
together, so there is no partition-wise plan. The rows the rule reads are gathered,
in global row order, on **one worker** (never the client), within the budget
``balancekit.max-gather-bytes`` (``_smote_tasks.check_budget``), and the in-memory
sampler (a clone) runs there with the generator ``random_state`` gives in memory (a
``Generator`` is copied, then advanced by one draw on the client, as for SMOTE). Its
results equal ``sampler.fit_resample(X.compute(), y.compute())`` on the same seed.

The rows each sampler gathers, and why:

- ``SVMSMOTE``: all rows (the SVM and the ``m_neighbors`` search use every class).
- ``KMeansSMOTE``: all rows (k-means clusters every row; shares are per cluster).
- ``ProWSyn``: all rows (the proximity levels are claimed by the other classes' rows).
- ``PolynomialFitSMOTE``: the rows of the classes it grows only (each topology
  reads its own class's rows, in row order, and nothing else).
- ``SMOTEN``: all rows (the encoder's categories and the value-difference metric's
  class distributions come from every row).
- ``SMOTEIPF``: all rows (its filter's classifiers are fitted on every row).
- ``CondensedNearestNeighbour``: all rows (the store holds the minority, and every
  cleaned class is scanned in order).
- ``InstanceHardnessThreshold``: all rows (a cross-validated classifier on every row).
- ``ClusterCentroids``: all rows (k-means over each class it shrinks; the classes
  it leaves are in its output, in class order).
- ``FunctionSampler``: all rows (the function may read anything).

Plan and cost:

1. One pass over ``y`` counts the classes per partition (``_counts``); the client
   resolves ``sampling_strategy_``, checks the parameters and the budget (gathered
   rows plus the rows the result holds on the worker, at ``row_bytes`` each).
2. Each partition selects its rows (``select_rows``); one task concatenates them
   (``concat_rows``); one task runs the sampler. It is persisted (it stays on its
   worker under a distributed client); a summary brings the client O(1) numbers:
   output lengths, empty blocks of the outputs' types, the warnings, and the fitted
   sampler without its per-row arrays (those become lazy Dask arrays).
3. Outputs, by kind of sampler:

   - index samplers (``CondensedNearestNeighbour``, ``InstanceHardnessThreshold``):
     the worker keeps the removed global indices; the client gets the kept rows per
     partition (``_kept_rows.kept_rows_output``), and lazy outputs keep the rows in
     their partitions, in input order, plus a lazy ``sample_indices_``;
   - over-samplers whose output is the input followed by new rows (``SVMSMOTE``,
     ``KMeansSMOTE``, ``ProWSyn``, ``PolynomialFitSMOTE``, ``SMOTEN``): the input
     partitions converted as in memory, then the new rows as new partitions
     (``_smote._output``);
   - the others (``SMOTEIPF``, ``ClusterCentroids``, ``FunctionSampler``): the
     in-memory result cut into new partitions, no longer than the longest input one.

Cost: one pass over ``y``, one over the gathered rows, then the in-memory sampler's
time on one worker (one core, for most of them), whose memory holds the gathered
rows, the result's rows and the sampler's own working copies. The client computes
only the class counts, the summary and (index samplers) one number per partition.
The fitted models come back as in memory (``svm_estimator_``, ``estimator_``,
``kmeans_estimator_``, ...), their per-row arrays lazy; the neighbours objects whose
fitted state is rows of the data (CondensedNearestNeighbour's ``estimators_``, its
condensed store; KMeansSMOTE's ``nn_k_``, one cluster) come back as configured, not
fitted, as ``nn_`` does on the other Dask routes.
"""

from __future__ import annotations

import copy
import itertools
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.delayed import Delayed
from dask.highlevelgraph import HighLevelGraph
from sklearn.base import clone

from balancekit._random import check_random_state
from balancekit._validation import check_X_y
from balancekit._warnings import user_stacklevel
from balancekit.dask._collections import Rows, lazy_array, sampler_rows
from balancekit.dask._counts import PartitionCounts, count_rows
from balancekit.dask._fit import checked_fit
from balancekit.dask._kept_rows import kept_rows_output
from balancekit.dask._random_samplers import _fit_counts
from balancekit.dask._smote import _empty, _output
from balancekit.dask._smote_tasks import (
    check_budget,
    concat_rows,
    piece,
    row_bytes,
    select_rows,
    smote_X,
)

__all__ = ["SPECS", "Spec", "one_worker_fit", "one_worker_resample"]

_SYNTHETIC = ("synthetic_parents_", "synthetic_partners_", "synthetic_steps_")


@dataclass(frozen=True)
class Spec:
    """How one sampler runs on one worker.

    Attributes
    ----------
    output : {"kept", "appended", "result"}
        Index sampler, input followed by new rows, or a result of its own.
    grown_only : bool
        Gather only the rows of the classes to grow (else every row).
    row_attributes : tuple of str
        Fitted attributes with one entry per row (dotted paths into sub-objects),
        kept on the worker and given to the client as lazy Dask arrays.
    convert : callable or None
        An input partition of ``X`` -> the in-memory output's original rows
        (appended outputs only).
    numeric : bool
        Whether ``X`` must hold numbers.
    unfitted : tuple of str
        Fitted neighbours objects (or lists of them) whose state is rows of the
        data: the client gets them as configured, not fitted (as the other Dask
        routes give ``nn_``).
    """

    output: str
    grown_only: bool = False
    row_attributes: tuple[str, ...] = ()
    convert: Callable | None = smote_X
    numeric: bool = True
    unfitted: tuple[str, ...] = ()


SPECS: dict[str, Spec] = {
    "SVMSMOTE": Spec(
        "appended", row_attributes=(*_SYNTHETIC, "danger_indices_", "safe_indices_")
    ),
    "KMeansSMOTE": Spec(
        "appended",
        row_attributes=(*_SYNTHETIC, "cluster_labels_", "kmeans_estimator_.labels_"),
        unfitted=("nn_k_",),
    ),
    "ProWSyn": Spec("appended", row_attributes=(*_SYNTHETIC, "proximity_levels_")),
    "PolynomialFitSMOTE": Spec("appended", grown_only=True, row_attributes=_SYNTHETIC),
    "SMOTEN": Spec(
        "appended",
        row_attributes=("synthetic_parents_",),
        convert=None,
        numeric=False,
    ),
    "SMOTEIPF": Spec(
        "result",
        row_attributes=("kept_indices_", *(f"smote_.{a}" for a in _SYNTHETIC)),
    ),
    "CondensedNearestNeighbour": Spec(
        "kept", row_attributes=("sample_indices_",), unfitted=("estimators_",)
    ),
    "InstanceHardnessThreshold": Spec("kept", row_attributes=("sample_indices_",)),
    "ClusterCentroids": Spec("result", row_attributes=("estimator_.labels_",)),
    "FunctionSampler": Spec("result"),
}

_ALTERNATIVES = (
    "RandomUnderSampler, RandomOverSampler, SMOTE (gathers only the rows it grows), "
    "TomekLinks or EditedNearestNeighbours on Dask, or class weights "
    "(`balancekit.compute_sample_weight('balanced', y)`) passed to the estimator"
)


# ------------------------------------------------------------ tasks (on workers)


def _walk(obj: Any, path: str) -> tuple[Any, str]:
    """The object holding the dotted attribute ``path``, and its last name."""
    *parents, last = path.split(".")
    for name in parents:
        obj = getattr(obj, name, None)
    return obj, last


def _shapes(value: Any) -> Any:
    """The shape tree of a per-row attribute: dicts and lists kept, arrays as
    ``(shape, dtype)`` leaves."""
    if isinstance(value, dict):
        return {key: _shapes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shapes(item) for item in value]
    array = np.asarray(value)
    return (array.shape, array.dtype)


def _to_global(value: Any, positions: np.ndarray) -> Any:
    """Row indices into the gathered rows as global indices (``-1`` kept)."""
    array = np.asarray(value)
    return np.where(array >= 0, positions[np.maximum(array, 0)], array)


def _head(values: Any, start: int, stop: int | None = None) -> Any:
    if values is None:
        return None
    if isinstance(values, pd.DataFrame | pd.Series):
        return values.iloc[start:stop].reset_index(drop=True)
    return np.asarray(values)[start:stop]


def run_sampler(gathered: tuple, template: Any, strategy: Any, rng: Any) -> dict:
    """The in-memory sampler on the gathered rows (global indices ``positions``).

    Returns the worker's result: the output rows the client will read (none for an
    index sampler; only the new rows for an appended output), the removed global
    indices (index samplers), the per-row attributes, the fitted sampler without
    them, and the warnings raised.
    """
    X, y, w, positions = gathered
    kind = type(template).__name__
    spec = SPECS[kind]
    sampler = clone(template)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if kind == "FunctionSampler":
            output = sampler.fit_resample(X, y, sample_weight=w)
            X_res, y_res = output[0], output[1]
            w_res = output[2] if w is not None else None
        else:
            data = check_X_y(X, y, w)
            sampler.sampling_strategy_ = strategy
            sampler._check_params(data)
            X_res, y_res, w_res = sampler._fit_resample(data, copy.deepcopy(rng))
    rows = {}
    for path in spec.row_attributes:
        holder, name = _walk(sampler, path)
        if holder is None or getattr(holder, name, None) is None:
            continue
        value = getattr(holder, name)
        if spec.grown_only and name in ("synthetic_parents_", "synthetic_partners_"):
            value = _to_global(value, positions)
        rows[path] = value
        setattr(holder, name, None)
    for name in spec.unfitted:
        value = getattr(sampler, name, None)
        if isinstance(value, list):
            setattr(sampler, name, [clone(item) for item in value])
        elif value is not None:
            setattr(sampler, name, clone(value))
    result: dict = {"fitted": sampler, "rows": rows, "removed": None}
    n = len(positions)
    if spec.output == "kept":
        kept = positions[np.asarray(rows["sample_indices_"])]
        result["removed"] = np.setdiff1d(positions, kept).astype(np.int64)
        X_res = y_res = w_res = None
    first = n if spec.output == "appended" else 0
    result.update(X=_head(X_res, first), y=_head(y_res, first), w=_head(w_res, first))
    result["warnings"] = [(str(c.message), c.category) for c in caught]
    return result


def summarise(result: dict) -> dict:
    """What the client receives: O(1) numbers, empty blocks, the fitted sampler."""
    return {
        "fitted": result["fitted"],
        "shapes": {path: _shapes(value) for path, value in result["rows"].items()},
        "n_out": 0 if result["y"] is None else len(result["y"]),
        "metas": {
            field: None if result[field] is None else _head(result[field], 0, 0)
            for field in ("X", "y", "w")
        },
        "warnings": result["warnings"],
    }


def _leaf(result: dict, path: str, where: tuple) -> np.ndarray:
    value = result["rows"][path]
    for step in where:
        value = value[step]
    return np.asarray(value)


# ---------------------------------------------------------------- graph building


def _gather(
    rows: list[Rows], counts: PartitionCounts, wanted: list, prefix: str, token: str
) -> Delayed:
    """The rows of the classes ``wanted``, in global row order, in one task."""
    X, y = rows[0], rows[1]
    w = rows[2] if len(rows) == 3 else None
    offsets = np.concatenate([[0], np.cumsum(counts.lengths)]).astype(np.int64)
    name = f"{prefix}-gather-{token}"
    chosen = np.isin(counts.classes, wanted)
    layer: dict = {}
    for i in range(y.n_partitions):
        if i and counts.counts[i, chosen].sum() == 0:
            continue  # partition 0 always answers: the result has its types
        w_key = None if w is None else w.keys[i][0]
        keys = (X.keys[i][0], y.keys[i][0], w_key)
        task = (select_rows, *keys, wanted, True, int(offsets[i]), i)
        layer[(f"{prefix}-gather-select-{token}", i)] = task
    layer[name] = (concat_rows, list(layer))
    graph = HighLevelGraph.from_collections(name, layer, [r.value for r in rows])
    return Delayed(name, graph)


def _lazy_tree(tree: Any, result: Delayed, path: str, where: tuple, name: str):
    """Lazy Dask arrays in the shape tree ``tree`` of attribute ``path``."""
    if isinstance(tree, dict):
        return {
            key: _lazy_tree(item, result, path, (*where, key), name)
            for key, item in tree.items()
        }
    if isinstance(tree, list):
        return [
            _lazy_tree(item, result, path, (*where, j), name)
            for j, item in enumerate(tree)
        ]
    shape, dtype = tree
    key = f"{name}-{dask.base.tokenize(result.key, path, where)}"
    block = (key, *(0,) * max(len(shape), 1))
    chunks = tuple((int(s),) for s in shape) if shape else ((1,),)
    task = (_leaf, result.key, path, where)
    meta = np.empty((0,) * max(len(shape), 1), dtype=dtype)
    return lazy_array(key, {block: task}, [result], chunks, meta)


def _pieces(total: int, size: int) -> list[int]:
    return [min(size, total - s) for s in range(0, total, size)]


def _result_output(result: Delayed, field: str, meta: Any, pieces: list, name: str):
    """A field of the worker's result as new partitions of ``pieces`` rows."""
    pieces = pieces or [0]
    starts = np.concatenate([[0], np.cumsum(pieces)]).astype(np.int64)
    tail = () if isinstance(meta, pd.DataFrame | pd.Series) else (0,) * (meta.ndim - 1)
    layer = {
        (name, j, *tail): (piece, result.key, field, int(a), int(b), meta, int(a))
        for j, (a, b) in enumerate(itertools.pairwise(starts))
    }
    if not isinstance(meta, pd.DataFrame | pd.Series):
        chunks = (tuple(pieces), *((int(s),) for s in meta.shape[1:]))
        return lazy_array(name, layer, [result], chunks, meta)
    graph = dict(result.__dask_graph__())
    graph.update(layer)
    divisions: tuple = (None,) * (len(pieces) + 1)
    if min(pieces) > 0:
        divisions = (*(int(s) for s in starts[:-1]), int(starts[-1]) - 1)
    return dd.from_graph(graph, meta, divisions, list(layer), name.rsplit("-", 1)[0])


def _container(meta: Any, source: Rows) -> Any:
    """The output's empty block in the input's container: a NumPy result of a
    pandas input becomes a Series (a DataFrame) with the input's name (columns)."""
    given = _empty(source)
    if isinstance(meta, pd.DataFrame | pd.Series) or source.is_array:
        return meta
    if isinstance(given, pd.Series) and meta.ndim == 1:
        return pd.Series(meta, name=given.name)
    if meta.ndim == 2 and meta.shape[1] == len(given.columns):
        return pd.DataFrame(meta, columns=given.columns)
    return meta


def _check_inputs(sampler: Any, X: Any, y: Any, sample_weight: Any) -> tuple:
    """Checked rows and the class counts; fitted attributes as the in-memory fit."""
    kind = type(sampler).__name__
    spec = SPECS[kind]
    why = None
    if kind == "FunctionSampler":
        sampler._check_own_params()
        if sampler.validate:
            why = "FunctionSampler(validate=True) needs numbers"
    elif spec.numeric:
        why = f"{kind} computes on the values of the rows"
    if kind != "FunctionSampler":
        return checked_fit(
            sampler, X, y, sample_weight, whole_rows=True, numeric_why=why
        )
    rows = sampler_rows(X, y, sample_weight, whole_rows=True, numeric_why=why)
    if sampler.validate:
        return rows, _fit_counts(sampler, rows)
    sampler.sampling_strategy_ = sampler.sampling_strategy
    return rows, count_rows(rows[1])


def one_worker_fit(sampler: Any, X: Any, y: Any) -> None:
    """``fit`` on Dask: the checks, the class counts and ``sampling_strategy_``.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import InstanceHardnessThreshold
    >>> X = da.from_array(np.arange(24.0).reshape(12, 2), chunks=(4, 2))
    >>> y = da.from_array(np.array([0] * 9 + [1] * 3), chunks=4)
    >>> sampler = InstanceHardnessThreshold()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     one_worker_fit(sampler, X, y)
    >>> dict(sampler.sampling_strategy_), sampler.n_features_in_
    ({0: 3}, 2)
    """
    _check_inputs(sampler, X, y, None)


def _budget(
    kind: str, rows: list[Rows], strategy: Any, counts: PartitionCounts, wanted: list
) -> None:
    """Check the budget on the client: the gathered rows and those the result holds
    on the worker (at most)."""
    spec = SPECS[kind]
    n_rows = int(counts.lengths.sum())
    n_gathered = int(counts.counts[:, np.isin(counts.classes, wanted)].sum())
    targets = strategy if isinstance(strategy, dict) else {}
    n_new = sum(int(n) for n in targets.values())
    held = {"kept": 0, "appended": n_new, "result": n_rows}[spec.output]
    if kind == "SMOTEIPF":
        held += n_new
    what = (
        "the rows of the classes it grows"
        if spec.grown_only
        else "every row (its rule reads them all)"
    )
    check_budget(kind, n_gathered + held, row_bytes(rows), what, _ALTERNATIVES)


def one_worker_resample(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``fit_resample`` on Dask of a sampler whose rule is global (see the module
    docstring): the rows its rule reads gathered on one worker, the in-memory
    sampler run there.

    Parameters
    ----------
    sampler : a sampler named in ``SPECS``
        Parameters are read; fitted attributes set as in memory, per-row ones
        (``sample_indices_``, ``synthetic_parents_``, ...) as lazy Dask arrays.
    X, y, sample_weight : Dask arrays, DataFrames or Series
        Partitioned alike; ``y`` holds numeric labels.

    Returns
    -------
    tuple
        ``(X_res, y_res[, sample_weight_res])``, lazy, with known chunks.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.over_sampling import ProWSyn
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 30 + [1] * 10)
    >>> X = rng.normal(size=(40, 2)) + y[:, None]
    >>> Xd, yd = da.from_array(X, chunks=(10, 2)), da.from_array(y, chunks=10)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = ProWSyn(random_state=0).fit_resample(Xd, yd)
    ...     X_mem, _ = ProWSyn(random_state=0).fit_resample(X, y)
    ...     X_res.chunks[0], bool((X_res.compute() == X_mem).all())
    ((10, 10, 10, 10, 10, 10), True)
    """
    kind = type(sampler).__name__
    spec = SPECS[kind]
    rows, counts = _check_inputs(sampler, X, y, sample_weight)
    strategy = sampler.sampling_strategy_
    wanted = [c.item() for c in counts.classes]
    if spec.grown_only:
        grown = [c for c, n in strategy.items() if n > 0]
        wanted = grown or wanted  # nothing to grow: the run needs some rows
    _budget(kind, rows, strategy, counts, wanted)
    random_state = getattr(sampler, "random_state", None)
    rng = check_random_state(random_state)
    state = copy.deepcopy(rng)
    if rng is random_state:
        rng.random()  # a user's Generator advances, as in memory
    prefix = f"balancekit-{kind.lower()}"
    token = dask.base.tokenize(
        [r.value for r in rows], sampler.get_params(deep=False), state, strategy
    )
    result = dask.delayed(run_sampler, pure=True)(
        _gather(rows, counts, wanted, prefix, token),
        clone(sampler),
        strategy,
        state,
        dask_key_name=f"{prefix}-run-{token}",
    )
    # The result's size is known only after the run: persisted, it stays on its
    # worker (under a distributed client); the client gets the summary.
    (result,) = dask.persist(result)
    (summary,) = dask.compute(
        dask.delayed(summarise, pure=True)(
            result, dask_key_name=f"{prefix}-summary-{token}"
        )
    )
    for message, category in summary["warnings"]:
        warnings.warn(message, category, stacklevel=user_stacklevel())
    _set_fitted(sampler, summary, result, prefix)
    if spec.output == "kept":
        name = f"{prefix}-removed-{token}"
        task = (operator.getitem, result.key, "removed")
        graph = HighLevelGraph.from_collections(name, {name: task}, [result])
        removed = Delayed(name, graph)
        (removed,) = dask.persist(removed)
        sources = [[removed] for _ in range(len(counts.lengths))]
        return kept_rows_output(sampler, rows, counts, sources, token)
    size = max(1, int(counts.lengths.max()))
    pieces = _pieces(summary["n_out"], size)
    fields = ("X", "y", "w")[: len(rows)]
    metas = {
        field: _container(summary["metas"][field], source)
        for field, source in zip(fields, rows, strict=True)
    }
    if spec.output == "appended":
        return tuple(
            _output(
                source,
                metas[field],
                spec.convert if field == "X" else None,
                counts.lengths,
                (result, field, pieces),
                f"{prefix}-{source.name}",
            )
            for source, field in zip(rows, fields, strict=True)
        )
    return tuple(
        _result_output(result, field, metas[field], pieces, f"{prefix}-{field}-{token}")
        for field in fields
    )


def _set_fitted(sampler: Any, summary: dict, result: Delayed, prefix: str) -> None:
    """The worker's fitted attributes on ``sampler``; per-row ones lazy."""
    fitted = summary["fitted"]
    for name, value in vars(fitted).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(sampler, name, value)
    for path, tree in summary["shapes"].items():
        holder, name = _walk(sampler, path)
        if path == "sample_indices_":
            continue  # kept_rows_output gives it in input order
        lazy = _lazy_tree(tree, result, path, (), f"{prefix}-{name.strip('_')}")
        setattr(holder, name, lazy)
