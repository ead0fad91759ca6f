"""``confusion_matrix``: scikit-learn's function, counted on the labels' device."""

from __future__ import annotations

import warnings
from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit._params import check_choice
from balancekit._warnings import user_stacklevel
from balancekit.metrics._counts import Counts, count
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._select import check_labels_param, present_or

__all__ = ["confusion_from_counts", "confusion_matrix"]

_NORMALIZE = (None, "true", "pred", "all")


@dask_entry_point
@label_metric_route
def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> Any:
    """Compute the confusion matrix ``C``: ``C[i, j]`` counts samples of class ``i``
    predicted as class ``j``.

    Same arguments and results as :func:`sklearn.metrics.confusion_matrix`, computed
    with one bincount where the labels live (NumPy, PyTorch, CuPy, JAX or
    array-api-strict arrays; strings for NumPy input).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True class labels.
    y_pred : array of shape (n_samples,)
        Predicted class labels.
    labels : array-like of shape (n_classes,), default=None
        The labels indexing the matrix, in this order; samples whose true or predicted
        label is not among them are left out. At least one must occur in ``y_true``.
        By default every label of ``y_true`` or ``y_pred``, sorted.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    normalize : {"true", "pred", "all"}, default=None
        Divide by the row sums (true), the column sums (pred) or the total; empty rows
        or columns give 0.

    Returns
    -------
    C : array of shape (n_classes, n_classes)
        On the input's device: int64 counts, int64 sums of integer weights, or floats
        (float64 where the device has it) with float weights or ``normalize``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import confusion_matrix
    >>> confusion_matrix(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1]))
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    >>> confusion_matrix(["a", "b", "b"], ["a", "a", "b"], normalize="true")
    array([[1. , 0. ],
           [0.5, 0.5]])
    """
    check_choice(normalize, "normalize", _NORMALIZE)
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    matrix = confusion_from_counts(counts, labels)
    if normalize is not None:
        xp = counts.xp
        matrix = xp.astype(matrix, counts.float_dtype)
        if normalize == "true":
            totals = xp.sum(matrix, axis=1, keepdims=True)
        elif normalize == "pred":
            totals = xp.sum(matrix, axis=0, keepdims=True)
        else:
            totals = xp.sum(matrix)
        is_zero = totals == 0
        matrix = matrix / xp.where(is_zero, xp.ones_like(totals), totals)
        matrix = xp.where(is_zero, xp.zeros_like(matrix), matrix)
    if tuple(matrix.shape) == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion "
            "matrix to have the correct shape, use the 'labels' parameter to pass all "
            "known labels.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return matrix


def confusion_from_counts(counts: Counts, labels: list | None) -> Any:
    """The confusion matrix of ``labels`` (default: all present) from ``counts``."""
    if labels is not None:
        in_y_true = set(counts.present[counts.true_counts > 0].tolist())
        if not any(label in in_y_true for label in labels):
            raise ValueError(
                "At least one label specified must be in y_true: none of `labels` "
                f"{labels} occurs in `y_true` (labels found: "
                f"{sorted(in_y_true, key=str)})."
            )
    return counts.submatrix(present_or(counts, labels))
