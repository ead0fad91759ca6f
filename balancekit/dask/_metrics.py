"""Confusion-matrix metrics on Dask: one counting pass, the in-memory code after it.

Every metric of predicted labels (precision, recall, F-beta, balanced accuracy,
sensitivity, specificity, G-mean, IBA, MCC, Cohen's kappa, ordinal MAE, the confusion
matrix and both classification reports) is a function of one weighted confusion
matrix over the labels present in ``y_true`` or ``y_pred``. On Dask collections that
matrix is counted in one pass over the data:

1. each row partition of ``(y_true, y_pred, sample_weight)`` becomes its *cells*: the
   distinct ``(true label, predicted label)`` pairs with their number of samples and
   sum of weights (a bincount for small integer labels, a sort otherwise);
2. the cells are merged by a tree reduction (eight at a time), so the client
   receives one table of at most ``n_labels**2`` rows;
3. the client turns that table into the :class:`~balancekit.metrics._counts.Counts`
   that the NumPy path would count on the whole data (same present labels, dtypes and
   integer or float sums), and the public function carries on with its in-memory
   code: the same parameter checks, label rules, warnings and values.

Results are therefore computed eagerly and are what the NumPy path returns
(``numpy.float64``, NumPy arrays, the report's str or dict), equal to it up to the
order of float summation (1e-12): data-dependent errors (``pos_label`` not a label,
a multiclass target with ``average='binary'``) and ``UndefinedMetricWarning`` are
raised by the call, as in scikit-learn, which a lazy Dask scalar could not do.
Only the cells table (O(n_labels**2) values) reaches the client; the tasks are named
``balancekit-confusion-cells`` and ``balancekit-confusion-merge`` on the dashboard.

Inputs (:func:`metric_rows`, on ``_collections``' checks): Dask arrays (1-D, or one
column) and Series, all Dask, partitioned alike; labels of any kind the NumPy path
takes (``"any_labels"``); unknown chunk sizes (``y[mask]``) accepted, since a metric
needs no output chunks: each partition task checks its rows.

Examples
--------
>>> import dask
>>> import dask.array as da
>>> from balancekit.metrics import f1_score
>>> y_true = da.from_array([0, 1, 1, 0, 1, 1], chunks=2)
>>> y_pred = da.from_array([0, 1, 0, 0, 1, 1], chunks=2)
>>> with dask.config.set(scheduler="synchronous"):
...     print(f"{f1_score(y_true, y_pred):.4f}")
0.8571
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed

from balancekit._label_messages import mixed_types_message
from balancekit._labels import as_label_array, check_class_labels
from balancekit._validation import check_sample_weight
from balancekit.dask._collections import (
    Rows,
    block_key,
    check_aligned,
    check_all_dask,
    check_lengths,
    check_partition_length,
    dask_rows,
    graph_of,
    reduce_tree,
)
from balancekit.metrics._counts import Counts, count

__all__ = ["cells_on_dask", "computed_cells", "count_on_dask"]

# Largest number of (true, pred) value pairs counted by one bincount in a partition.
_DENSE_MAX_BINS = 1 << 16


class Cells(NamedTuple):
    """Distinct ``(true, pred)`` label pairs of some rows, with their totals.

    ``counts`` are int64 numbers of rows; ``weights`` the sums of ``sample_weight``
    (int64 for integer weights, float64 otherwise) or None without weights.
    """

    true: np.ndarray
    pred: np.ndarray
    counts: np.ndarray
    weights: np.ndarray | None


# ---------------------------------------------------------------------- kernels


def _unique(values: np.ndarray, names: tuple[str, str]) -> tuple[Any, Any]:
    """Sorted distinct values and each value's index into them."""
    try:
        distinct, inverse = np.unique(values, return_inverse=True)
    except TypeError:  # labels that cannot be ordered, as the NumPy path says
        raise ValueError(mixed_types_message(*names)) from None
    return distinct, inverse.reshape(-1)


def _group(
    true: np.ndarray,
    pred: np.ndarray,
    counts: np.ndarray | None,
    weights: np.ndarray | None,
    names: tuple[str, str],
) -> Cells:
    """Sum ``counts`` (None: one per row) and ``weights`` per distinct pair."""
    true_values, true_index = _unique(true, names)
    pred_values, pred_index = _unique(pred, names)
    n_pred = pred_values.shape[0]
    code = true_index.astype(np.int64) * n_pred + pred_index
    cells, inverse = np.unique(code, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_cells = cells.shape[0]
    if counts is None:
        summed = np.bincount(inverse, minlength=n_cells).astype(np.int64)
    else:
        summed = np.zeros(n_cells, dtype=np.int64)
        np.add.at(summed, inverse, counts)
    summed_weights = None
    if weights is not None:
        summed_weights = np.zeros(n_cells, dtype=weights.dtype)
        np.add.at(summed_weights, inverse, weights)
    return Cells(
        true_values[cells // n_pred],
        pred_values[cells % n_pred],
        summed,
        summed_weights,
    )


def _dense_cells(
    true: np.ndarray, pred: np.ndarray, weights: np.ndarray | None
) -> Cells | None:
    """The cells of small integer labels by one bincount, else None."""
    if true.dtype.kind not in "biu" or pred.dtype.kind not in "biu":
        return None
    low = min(int(true.min()), int(pred.min()))
    n_values = max(int(true.max()), int(pred.max())) - low + 1
    if n_values * n_values > _DENSE_MAX_BINS:
        return None
    code = (true.astype(np.int64) - low) * n_values + (pred.astype(np.int64) - low)
    n_bins = n_values * n_values
    all_counts = np.bincount(code, minlength=n_bins)
    cells = np.flatnonzero(all_counts)
    summed_weights = None
    if weights is not None:
        summed_weights = np.bincount(code, weights, minlength=n_bins)[cells]
    return Cells(
        (cells // n_values + low).astype(true.dtype),
        (cells % n_values + low).astype(pred.dtype),
        all_counts[cells].astype(np.int64),
        summed_weights,
    )


def _labels(values: Any, name: str) -> np.ndarray:
    """A partition's labels checked as the NumPy path checks them (empty allowed)."""
    array = as_label_array(values, np_xp)
    if array.shape[0] == 0:
        return array.reshape(-1)
    return np.asarray(check_class_labels(array, np_xp, name=name))


def _partition_cells(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    names: tuple[str, str],
    weights_name: str,
    index: int,
) -> Cells:
    """The cells of one row partition (a task on a worker)."""
    true = _labels(y_true, names[0])
    pred = _labels(y_pred, names[1])
    n_rows = true.shape[0]
    check_partition_length(pred, n_rows, names[1], names[0], index)
    weights = None
    if sample_weight is not None:
        check_partition_length(sample_weight, n_rows, weights_name, names[0], index)
        checked = check_sample_weight(sample_weight, n_rows, np_xp)
        weights = np.asarray(as_label_array(checked, np_xp))
    if true.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        no_weights: np.ndarray | None = None
        if weights is not None:
            no_weights = empty.astype(_weight_dtype(weights))
        return Cells(true, pred, empty, no_weights)
    as_float = None if weights is None else weights.astype(np.float64)
    cells = _dense_cells(true, pred, as_float)
    if cells is None:
        cells = _group(true, pred, None, as_float, names)
    integer = weights is not None and _weight_dtype(weights) is np.int64
    if integer and cells.weights is not None:
        # integer weights: partition sums of whole numbers are exact in float64
        # (below 2**53); keep them integer so the merge adds them exactly
        cells = cells._replace(weights=np.round(cells.weights).astype(np.int64))
    return cells


def _weight_dtype(weights: np.ndarray) -> type:
    """int64 for integer (or bool) weights, float64 for real ones."""
    return np.float64 if weights.dtype.kind == "f" else np.int64


def _merge_cells(names: tuple[str, str], *parts: Cells) -> Cells:
    """One cells table from several (a reduction task)."""
    weighted = parts[0].weights is not None
    weights = None
    if weighted:
        kinds = {part.weights.dtype.kind for part in parts}  # type: ignore[union-attr]
        dtype = np.float64 if "f" in kinds else np.int64
        weights = np.concatenate([part.weights.astype(dtype) for part in parts])  # type: ignore[union-attr]
    return _group(
        np.concatenate([part.true for part in parts]),
        np.concatenate([part.pred for part in parts]),
        np.concatenate([part.counts for part in parts]),
        weights,
        names,
    )


# ---------------------------------------------------------------------- inputs


def metric_rows(arguments: dict[str, tuple[Any, str]]) -> dict[str, Rows]:
    """The given (non-None) arguments as checked, aligned row partitions.

    ``arguments`` maps each parameter name to ``(value, kind)`` (kinds of
    :func:`~balancekit.dask._collections.dask_rows`), the lead argument first.
    All must be Dask; unknown row chunk sizes are accepted (a metric needs no
    output chunks: the partition tasks check their rows).
    """
    given = {name: v for name, v in arguments.items() if v[0] is not None}
    check_all_dask({name: value for name, (value, _) in given.items()})
    rows = {
        name: dask_rows(value, name, kind, unknown_lengths=True)
        for name, (value, kind) in given.items()
    }
    check_lengths(list(rows.values()))
    check_aligned(list(rows.values()))
    return rows


# ---------------------------------------------------------------------- counting


def cells_on_dask(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Delayed:
    """The lazy cells table of Dask labels: one Delayed, the tree reduction's root.

    Checks the arguments (all Dask, 1-D labels, the same partitions and, where
    known, the same chunks, label and weight dtypes) before building the graph; the
    partition tasks check what only the data can tell (rows per partition, label
    values, weights).
    """
    rows = metric_rows(
        {
            names[0]: (y_true, "any_labels"),
            names[1]: (y_pred, "any_labels"),
            "sample_weight": (sample_weight, "weights"),
        }
    )
    true, pred = rows[names[0]], rows[names[1]]
    weights = rows.get("sample_weight")
    token = dask.base.tokenize(true.value, pred.value, sample_weight, names)
    name = f"balancekit-confusion-cells-{token}"
    graph = graph_of(true, pred, weights)
    for i in range(true.n_partitions):
        graph[(name, i)] = (
            _partition_cells,
            block_key(true, i),
            block_key(pred, i),
            block_key(weights, i),
            names,
            "sample_weight",
            i,
        )
    cells = [(name, i) for i in range(true.n_partitions)]
    merge = f"balancekit-confusion-merge-{token}"
    return Delayed(reduce_tree(graph, merge, _merge_cells, cells, names), graph)


def computed_cells(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Cells:
    """The cells table of Dask labels, computed (the one pass of a metric)."""
    (cells,) = dask.compute(cells_on_dask(y_true, y_pred, sample_weight, names=names))
    return cells


def count_on_dask(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Counts:
    """:func:`balancekit.metrics._counts.count` of Dask collections, in one pass.

    Computes the cells table on the cluster (the only values that reach the
    client) and counts it with the NumPy code, so the present labels, their dtype,
    the target type and the matrix's integer or float sums are those the NumPy path
    gives on the computed data.

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> y = da.from_array(["a", "b", "b", "c"], chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     counts = count_on_dask(y, y)
    >>> counts.present.tolist(), counts.matrix.tolist()
    (['a', 'b', 'c'], [[1, 0, 0], [0, 2, 0], [0, 0, 1]])
    """
    cells = computed_cells(y_true, y_pred, sample_weight, names=names)
    # the cell totals as the weights of one row per cell: the NumPy code then
    # counts exactly the matrix of the whole data
    unweighted = count(cells.true, cells.pred, cells.counts, names=names)
    true_counts = np.asarray(unweighted.matrix).sum(axis=1)
    pred_counts = np.asarray(unweighted.matrix).sum(axis=0)
    result = unweighted
    if sample_weight is not None:
        result = count(cells.true, cells.pred, cells.weights, names=names)
    return dataclasses.replace(result, true_counts=true_counts, pred_counts=pred_counts)
