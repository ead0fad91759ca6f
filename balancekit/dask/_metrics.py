"""Confusion-matrix metrics on Dask: one counting pass, the in-memory code after it.

Every metric of predicted labels (precision, recall, F-beta, balanced accuracy,
sensitivity, specificity, G-mean, IBA, MCC, Cohen's kappa, ordinal MAE, the confusion
matrix and both classification reports) is a function of one weighted confusion
matrix over the labels present in ``y_true`` or ``y_pred``. On Dask collections that
matrix is counted in one pass over the data:

1. each row partition of ``(y_true, y_pred, sample_weight)`` becomes its *cells*: the
   distinct ``(true label, predicted label)`` pairs with their number of samples and
   sum of weights (a bincount for small integer labels, a sort otherwise);
2. the cells are merged by a tree reduction (``_SPLIT_EVERY`` at a time), so the
   client receives one table of at most ``n_labels**2`` rows;
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

Inputs: Dask arrays (1-D, or one column) and Dask Series (one-column DataFrames), all
per-sample arguments Dask, partitioned alike. Labels may be anything the NumPy path
takes (integers, booleans, whole floats, strings, object or pandas string columns).
Unknown chunk sizes (``y[mask]``) are accepted: a metric needs no output chunks, and
each partition task checks that its rows match (as for DataFrames, whose partition
lengths are unknown too).

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
import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import array_api_compat.numpy as np_xp
import dask
import dask.array as da
import numpy as np

from balancekit import metrics as _public
from balancekit._dask_route import is_dask_collection
from balancekit._label_messages import (
    complex_message,
    dtype_message,
    length_message,
    mixed_types_message,
    shape_message,
)
from balancekit._labels import as_label_array, check_class_labels
from balancekit._validation import check_sample_weight
from balancekit.metrics._counts import Counts, count

__all__ = [
    "balanced_accuracy_score",
    "classification_report",
    "classification_report_imbalanced",
    "cohen_kappa_score",
    "computed_cells",
    "confusion_matrix",
    "count_on_dask",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "index_balanced_accuracy",
    "macro_averaged_mean_absolute_error",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]

# Partial cell tables merged by one reduction task.
_SPLIT_EVERY = 8
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
    if true.shape[0] != pred.shape[0]:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` are not partitioned alike: partition "
            f"{index} has {true.shape[0]} and {pred.shape[0]} rows. Rechunk or "
            "repartition one like the other (e.g. "
            f"`{names[1]}.rechunk({names[0]}.chunks)` for Dask arrays)."
        )
    weights = None
    if sample_weight is not None:
        n_rows = len(sample_weight)
        if n_rows != true.shape[0]:
            raise ValueError(
                f"`{weights_name}` is not partitioned like `{names[0]}`: partition "
                f"{index} has {n_rows} and {true.shape[0]} rows. Rechunk or "
                "repartition it like the labels."
            )
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


def _check_collections(arguments: dict[str, Any]) -> dict[str, Any]:
    """The given (non-None) arguments, all Dask collections, else a TypeError."""
    given = {name: value for name, value in arguments.items() if value is not None}
    dask_names = [name for name, value in given.items() if is_dask_collection(value)]
    listed = ", ".join(f"`{name}`" for name in dask_names)
    verb = "is a Dask collection" if len(dask_names) == 1 else "are Dask collections"
    for name, value in given.items():
        if not is_dask_collection(value):
            raise TypeError(
                f"`{name}` is a {type(value).__name__}, but {listed} {verb}. "
                "Pass every per-sample argument as Dask (e.g. "
                f"`dask.array.from_array({name}, chunks={dask_names[0]}.chunks)`), or "
                "compute() them all into memory."
            )
    return given


def _meta_dtype(value: Any) -> np.dtype:
    """The NumPy dtype the partitions of ``value`` convert to."""
    if isinstance(value, da.Array):
        return np.dtype(value.dtype)
    if value.ndim != 1 or not hasattr(value, "_meta"):  # a DataFrame
        return np.dtype("O")
    meta = value._meta
    return np.asarray(meta.to_numpy() if hasattr(meta, "to_numpy") else meta).dtype


def _check_dtype(value: Any, name: str, *, weights: bool) -> None:
    """Refuse dtypes the NumPy path refuses, before any work."""
    dtype = _meta_dtype(value)
    if weights:
        if dtype.kind not in "biuf":
            raise TypeError(f"`{name}` must hold real numbers; got dtype {dtype}.")
        return
    if dtype.kind == "c":
        raise TypeError(complex_message(name, dtype))
    if dtype.kind not in "biufOUS":
        raise TypeError(dtype_message(name, dtype))


def _partitions(value: Any, name: str, *, weights: bool) -> tuple[list, tuple | None]:
    """The row partitions of ``value`` (Delayed) and their lengths when known."""
    if not isinstance(value, da.Array):  # a Dask DataFrame or Series
        columns = getattr(value, "columns", None)
        if value.ndim == 2 and columns is not None and len(columns) != 1:
            raise ValueError(
                f"`{name}` is a Dask DataFrame with {len(columns)} columns; pass one "
                "column (a Series) of one value per sample."
            )
        return list(value.to_delayed(optimize_graph=True)), None
    shape = tuple(value.shape)
    if value.ndim != 1 and not (value.ndim == 2 and shape[1] == 1 and not weights):
        if weights:
            raise ValueError(
                f"`{name}` must have shape (n_samples,), one weight per sample; got "
                f"shape {shape}."
            )
        raise ValueError(shape_message(name, shape))
    rows = value.chunks[0]
    if any(math.isnan(n) for n in rows):
        # unknown chunk sizes (after boolean indexing): a metric needs no output
        # chunks, and each partition task checks that its rows match
        rows = None
    return list(np.asarray(value.to_delayed(), dtype=object).reshape(-1)), rows


def _check_aligned(lead: str, layouts: dict[str, tuple[list, tuple | None]]) -> None:
    """Same number of partitions, and the same rows in each where known."""
    lead_parts, lead_rows = layouts[lead]
    for name, (parts, rows) in layouts.items():
        if name == lead:
            continue
        if lead_rows is not None and rows is not None:
            if sum(lead_rows) != sum(rows):
                raise ValueError(length_message(lead, sum(lead_rows), name, sum(rows)))
            if tuple(lead_rows) != tuple(rows):
                raise ValueError(
                    f"`{lead}` and `{name}` have the same length but different "
                    f"chunks ({tuple(lead_rows)} and {tuple(rows)}): rechunk one "
                    f"like the other, e.g. `{name}.rechunk({lead}.chunks)`."
                )
        if len(parts) != len(lead_parts):
            raise ValueError(
                f"`{lead}` has {len(lead_parts)} partitions and `{name}` "
                f"{len(parts)}; rechunk or repartition them alike (the same rows "
                "in each partition)."
            )


# ---------------------------------------------------------------------- counting


def cells_on_dask(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Any:
    """The lazy cells table of Dask labels: one Delayed, the tree reduction's root.

    Checks the arguments (all Dask, 1-D labels, the same partitions and, where
    known, the same chunks, label and weight dtypes) before building the graph; the
    partition tasks check what only the data can tell (rows per partition, label
    values, weights).
    """
    arguments = {names[0]: y_true, names[1]: y_pred, "sample_weight": sample_weight}
    given = _check_collections(arguments)
    layouts = {}
    for name, value in given.items():
        is_weights = name == "sample_weight"
        _check_dtype(value, name, weights=is_weights)
        layouts[name] = _partitions(value, name, weights=is_weights)
    _check_aligned(names[0], layouts)
    true_parts, pred_parts = layouts[names[0]][0], layouts[names[1]][0]
    weight_parts = layouts["sample_weight"][0] if sample_weight is not None else None
    token = dask.base.tokenize(*given.values(), names)
    kernel = dask.delayed(_partition_cells, pure=True)
    level = [
        kernel(
            true_part,
            pred_parts[i],
            None if weight_parts is None else weight_parts[i],
            names,
            "sample_weight",
            i,
            dask_key_name=(f"balancekit-confusion-cells-{token}", i),
        )
        for i, true_part in enumerate(true_parts)
    ]
    merge = dask.delayed(_merge_cells, pure=True)
    depth = 0
    while len(level) > 1 or depth == 0:
        level = [
            merge(
                names,
                *level[start : start + _SPLIT_EVERY],
                dask_key_name=(f"balancekit-confusion-merge-{token}", depth, j),
            )
            for j, start in enumerate(range(0, len(level), _SPLIT_EVERY))
        ]
        depth += 1
    return level[0]


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


# ---------------------------------------------------------------------- public


def _counted_on_dask(public: Callable[..., Any]) -> Callable[..., Any]:
    """The Dask implementation of a public metric: its own body, whose ``count``
    of Dask collections is :func:`count_on_dask`."""
    body = public.__wrapped__  # type: ignore[attr-defined]  # under @dask_route

    @functools.wraps(body)
    def run(*args: Any, **kwargs: Any) -> Any:
        return body(*args, **kwargs)

    return run


confusion_matrix = _counted_on_dask(_public.confusion_matrix)
precision_recall_fscore_support = _counted_on_dask(
    _public.precision_recall_fscore_support
)
fbeta_score = _counted_on_dask(_public.fbeta_score)
f1_score = _counted_on_dask(_public.f1_score)
precision_score = _counted_on_dask(_public.precision_score)
recall_score = _counted_on_dask(_public.recall_score)
balanced_accuracy_score = _counted_on_dask(_public.balanced_accuracy_score)
matthews_corrcoef = _counted_on_dask(_public.matthews_corrcoef)
cohen_kappa_score = _counted_on_dask(_public.cohen_kappa_score)
sensitivity_specificity_support = _counted_on_dask(
    _public.sensitivity_specificity_support
)
sensitivity_score = _counted_on_dask(_public.sensitivity_score)
specificity_score = _counted_on_dask(_public.specificity_score)
geometric_mean_score = _counted_on_dask(_public.geometric_mean_score)
index_balanced_accuracy = _counted_on_dask(_public.index_balanced_accuracy)
macro_averaged_mean_absolute_error = _counted_on_dask(
    _public.macro_averaged_mean_absolute_error
)
classification_report = _counted_on_dask(_public.classification_report)
classification_report_imbalanced = _counted_on_dask(
    _public.classification_report_imbalanced
)
