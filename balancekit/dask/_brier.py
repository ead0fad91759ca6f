"""The Brier score loss of Dask columns: one pass of sums after the labels' classes.

``brier_score_loss`` is a mean of per-sample squared errors, so on Dask it is two
cheap passes: the counting pass over ``y_true`` (its classes, so ``pos_label`` or
the class columns are resolved by the NumPy path's rules and errors), then one
task per partition (``balancekit-brier-sums``) summing the (weighted) errors, the
weights and the rows, with the extreme probabilities and whether some row of a
2-D ``y_proba`` does not sum to one, merged by a tree reduction. The client gets
those few numbers, raises or warns as the NumPy path does, and returns its result
(a NumPy float), equal to it up to the order of float summation.

Examples
--------
>>> import dask
>>> import dask.array as da
>>> from balancekit.metrics import brier_score_loss
>>> y_true = da.from_array([0, 1, 1, 0], chunks=2)
>>> y_proba = da.from_array([0.1, 0.9, 0.8, 0.3], chunks=2)
>>> with dask.config.set(scheduler="synchronous"):
...     print(round(float(brier_score_loss(y_true, y_proba)), 6))
0.0375
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed

from balancekit._labels import as_label_array, label_mask
from balancekit._validation import check_sample_weight
from balancekit._warnings import user_stacklevel
from balancekit.dask._collections import (
    block_key,
    check_partition_length,
    graph_of,
    reduce_tree,
)
from balancekit.dask._metrics import _labels
from balancekit.dask._ranking import label_counts, score_rows
from balancekit.metrics._ranking_brier import check_probability_bounds, column_labels
from balancekit.metrics._ranking_validation import binary_target, is_binary

__all__ = ["brier_score_loss"]

_UNNORMALISED = "The y_prob values do not sum to one. Make sure to pass probabilities."


def _partition_sums(
    y_true: Any, y_proba: Any, sample_weight: Any, positive: Any, index: int
) -> np.ndarray:
    """``[sum of (weighted) errors, rows, weights, min, max, unnormalised rows]``
    of one partition (a task); ``positive``: the positive label (1-D ``y_proba``)
    or the list of column labels (2-D)."""
    true = _labels(y_true, "y_true")
    proba = np.asarray(as_label_array(y_proba, np_xp), dtype=np.float64)
    check_partition_length(proba, true.shape[0], "y_proba", "y_true", index)
    if not np.all(np.isfinite(proba)):
        raise ValueError(
            "`y_proba` contains NaN or infinity; every score must be a finite number. "
            "Drop or impute those samples first."
        )
    if true.dtype.kind == "b":
        true = true.astype(np.int8)
    unnormalised = 0.0
    if isinstance(positive, list):  # one column per class
        truth = np.stack(
            [np.asarray(label_mask(true, c, np_xp), np.float64) for c in positive], 1
        )
        errors = np.sum((truth - proba) ** 2, axis=1)
        totals = proba.sum(axis=1)
        eps = float(np.finfo(np.float64).eps)
        unnormalised = float(np.any(np.abs(totals - 1) > eps**0.5 * np.abs(totals)))
    else:
        proba = proba.reshape(-1)
        truth = np.asarray(label_mask(true, positive, np_xp), dtype=np.float64)
        errors = 2 * (truth - proba) ** 2
    weight_sum = float(true.shape[0])
    if sample_weight is not None:
        check_partition_length(
            sample_weight, true.shape[0], "sample_weight", "y_true", index
        )
        checked = check_sample_weight(sample_weight, len(sample_weight), np_xp)
        weights = np.asarray(as_label_array(checked, np_xp), dtype=np.float64)
        errors, weight_sum = errors * weights, float(weights.sum())
    low, high = (proba.min(), proba.max()) if proba.size else (math.inf, -math.inf)
    return np.array([errors.sum(), true.shape[0], weight_sum, low, high, unnormalised])


def _add(*parts: np.ndarray) -> np.ndarray:
    table = np.stack(parts)
    return np.array(
        [
            table[:, 0].sum(),
            table[:, 1].sum(),
            table[:, 2].sum(),
            table[:, 3].min(),
            table[:, 4].max(),
            table[:, 5].max(),
        ]
    )


def brier_score_loss(
    y_true: Any,
    y_proba: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> Any:
    """:func:`balancekit.metrics.brier_score_loss` of Dask columns (one pass of
    sums after the counting pass over ``y_true``)."""
    if not (scale_by_half == "auto" or isinstance(scale_by_half, bool)):
        raise ValueError(
            f"`scale_by_half` must be True, False or 'auto'; got {scale_by_half!r}."
        )
    rows = score_rows(y_true, y_proba, sample_weight, name="y_proba")
    proba = rows["y_proba"]
    values, _, classes = label_counts(y_true)
    n_columns = 1 if proba.value.ndim == 1 else int(proba.value.shape[1])
    if n_columns == 1:
        if not is_binary(classes):
            raise ValueError(
                "`y_true` holds more than two classes but `y_proba` is 1-D; pass one "
                "probability column per class, shape (n_samples, n_classes)."
            )
        target = binary_target(
            values, np_xp, pos_label=pos_label, infer="greater-numeric", classes=classes
        )
        positive: Any = target.pos_label
        n_classes = 2
    else:
        y_classes = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
        positive = list(column_labels(labels, y_classes, n_columns))
        n_classes = n_columns
    true, weights = rows["y_true"], rows.get("sample_weight")
    token = dask.base.tokenize(true.value, proba.value, sample_weight, positive)
    name = f"balancekit-brier-sums-{token}"
    graph = graph_of(true, proba, weights)
    for i in range(true.n_partitions):
        graph[(name, i)] = (
            _partition_sums,
            block_key(true, i),
            block_key(proba, i),
            block_key(weights, i),
            positive,
            i,
        )
    keys = [(name, i) for i in range(true.n_partitions)]
    root = reduce_tree(graph, f"balancekit-brier-merge-{token}", _add, keys)
    (sums,) = dask.compute(Delayed(root, graph))
    error_sum, n_rows, weight_sum, low, high, unnormalised = sums
    check_probability_bounds(low, high)
    if unnormalised:
        warnings.warn(_UNNORMALISED, UserWarning, stacklevel=user_stacklevel())
    if weights is not None and weight_sum == 0:
        raise ValueError("`sample_weight` sums to zero; no sample counts.")
    loss = np.float64(error_sum / (weight_sum if weights is not None else n_rows))
    if scale_by_half == "auto":
        scale_by_half = n_classes < 3
    return loss / 2 if scale_by_half else loss
