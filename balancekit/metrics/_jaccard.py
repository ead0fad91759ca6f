"""``jaccard_score``: scikit-learn's Jaccard index ``tp / (tp + fp + fn)`` per class,
per label or per sample, from the counts of :func:`set_wise_sums` on the labels'
device; :func:`jaccard_from_sums` scores counts accumulated elsewhere (the streaming
multilabel confusion matrix)."""

from __future__ import annotations

from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit.metrics._common import (
    as_result,
    check_average,
    check_zero_division,
    divide,
)
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._select import check_labels_param
from balancekit.metrics._set_wise import SetWiseSums, set_wise_sums

__all__ = ["jaccard_from_sums", "jaccard_score"]


def _mean(values: Any, weights: Any, xp: Any) -> Any:
    """The (weighted) mean, NaN kept (scikit-learn's ``_average``, not its
    NaN-ignoring ``_nanaverage``)."""
    if weights is None:
        return xp.mean(values)
    weights = xp.astype(weights, values.dtype)
    return xp.sum(values * weights) / xp.sum(weights)


@dask_entry_point
@label_metric_route
def jaccard_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the Jaccard similarity coefficient ``tp / (tp + fp + fn)``.

    Same arguments and values as :func:`sklearn.metrics.jaccard_score`, for binary,
    multiclass (one-vs-rest) and multilabel indicator targets, computed where the
    labels live.

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        True class labels, or a multilabel indicator of 0/1 values.
    y_pred : array of shape (n_samples,) or (n_samples, n_labels)
        Predicted class labels, or a multilabel indicator like ``y_true``.
    labels : array-like, default=None
        The classes (column indices for indicators) to score when ``average !=
        'binary'``, and their order for ``average=None``. Default: every label found
        (every column).
    pos_label : int, float, bool or str, default=1
        The class scored by ``average='binary'`` (binary targets only).
    average : {"binary", "micro", "macro", "weighted", "samples"} or None, \
default="binary"
        None gives one score per label; "micro" pools the counts; "macro" is the
        mean over labels; "weighted" weights it by support; "samples" (indicators
        only) is the mean of each sample's score, weighted by ``sample_weight``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The score when ``tp + fp + fn`` is 0 ("warn": 0.0 and an
        ``sklearn.exceptions.UndefinedMetricWarning``). NaN scores stay in the
        averages (the average is then NaN), as in scikit-learn.

    Returns
    -------
    score : array
        0-d (``numpy.float64`` for NumPy) when averaged, else of shape (n_labels,);
        on the input's device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import jaccard_score
    >>> y_true = np.array([[0, 1, 1], [1, 1, 0]])
    >>> y_pred = np.array([[1, 1, 1], [1, 0, 0]])
    >>> print(f"{jaccard_score(y_true, y_pred, average='samples'):.4f}")
    0.5833
    >>> jaccard_score(y_true, y_pred, average=None)
    array([0.5, 0.5, 1. ])
    """
    check_zero_division(zero_division)
    check_average(average)
    labels = check_labels_param(labels)
    sums = set_wise_sums(y_true, y_pred, sample_weight, labels, average, pos_label)
    return jaccard_from_sums(sums, average, zero_division)


def jaccard_from_sums(sums: SetWiseSums, average: Any, zero_division: Any) -> Any:
    """The Jaccard index of the per-label (or, for ``average='samples'``, per-sample)
    counts ``sums``, averaged as ``average`` says (scikit-learn's rules).

    Parameters
    ----------
    sums : SetWiseSums
        The counts; for ``average='samples'`` one entry per sample (or per group of
        samples with the same counts) and their weights in ``sums.sample_weight``.
    average : {"binary", "micro", "macro", "weighted", "samples"} or None
        The checked ``average=``.
    zero_division : {"warn", 0.0, 1.0, np.nan}
        The checked ``zero_division=``.

    Returns
    -------
    score : array
        0-d (``numpy.float64`` for NumPy) when averaged, else one score per output.

    Examples
    --------
    >>> import numpy as np
    >>> sums = set_wise_sums(
    ...     np.array([[1, 0], [1, 1]]), np.array([[1, 1], [0, 1]]), None, None,
    ...     None, 1,
    ... )
    >>> jaccard_from_sums(sums, None, "warn")
    array([0.5, 0.5])
    """
    xp = sums.xp
    numerator, true_sum = sums.tp, sums.true_sum
    denominator = sums.true_sum + sums.pred_sum - sums.tp
    if average == "micro":
        numerator = xp.reshape(xp.sum(numerator), (1,))
        denominator = xp.reshape(xp.sum(denominator), (1,))
    jaccard = divide(
        numerator,
        denominator,
        xp=xp,
        dtype=sums.float_dtype,
        zero_division=zero_division,
        warn=("jaccard", "true or predicted", average),
    )
    if average is None:
        return jaccard
    weights = None
    if average == "weighted" and bool(xp.any(true_sum != 0)):
        weights = true_sum
    elif average == "samples":
        weights = sums.sample_weight
    return as_result(_mean(jaccard, weights, xp), xp)
