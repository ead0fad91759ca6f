"""ROC AUC and average precision of multilabel indicators: one binary problem per
label column (or per sample row), averaged as scikit-learn averages them.

``y_true`` is an ``(n_samples, n_labels)`` 0/1 indicator and ``y_score`` holds one
score column per label. The averages:

* ``"micro"``: both matrices ravelled into one binary problem (the sample weights
  repeated along each row);
* ``"macro"``: the plain mean of the per-label scores;
* ``"weighted"``: the mean weighted by each label's (weighted) positive count; a
  label without positives weighs 0, and the score is 0 when no label has one;
* ``"samples"``: each row scored over its labels (unweighted), then the rows
  averaged with the sample weights; vectorised by one row-wise sort (the partial
  AUC of ``max_fpr`` too);
* ``None``: the per-label scores.

Everything runs on the scores' device; only the per-label (or per-row) counts
cross to the host.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import to_host, widest_float_dtype
from balancekit._dask_route import is_dask_collection
from balancekit._indicator import check_indicator
from balancekit._typing import Array, Device, Namespace
from balancekit._warnings import user_stacklevel
from balancekit.metrics._multilabel_inputs import is_indicator
from balancekit.metrics._ranking_kernels import row_auc_and_ap
from balancekit.metrics._ranking_validation import (
    BinaryTarget,
    check_score,
    check_weights,
)
from balancekit.metrics._row_partial_auc import row_partial_auc

__all__ = [
    "AVERAGES",
    "BinaryMetric",
    "average_labels",
    "multilabel_score",
    "refuse_dask_indicator",
]

AVERAGES = ("micro", "macro", "weighted", "samples", None)

# ``(scores, target, weights) -> 0-d array``: a binary score on the device
BinaryMetric = Callable[[Any, BinaryTarget, Any], Any]

F = TypeVar("F", bound=Callable[..., Any])


def refuse_dask_indicator(function: F) -> F:
    """Refuse a Dask multilabel indicator ``y_true`` before the Dask route.

    The Dask implementations score 1-D labels only; an indicator there raises a
    ``NotImplementedError`` that names the alternative (compute the arrays first).
    """

    @functools.wraps(function)
    def wrapper(y_true: Any, y_score: Any, *args: Any, **kwargs: Any) -> Any:
        if is_dask_collection(y_true) and is_indicator(y_true):
            raise NotImplementedError(
                f"{function.__name__} of a Dask multilabel indicator `y_true` is not "
                "implemented: compute() `y_true` and `y_score` into memory (NumPy, "
                "torch, CuPy...) first; in memory they are scored on their device."
            )
        return function(y_true, y_score, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _check_scores(y_score: Any, indicator: Array, xp: Namespace) -> Array:
    shape = tuple(int(size) for size in indicator.shape)
    given = tuple(int(size) for size in getattr(y_score, "shape", ()))
    if given != shape:
        raise ValueError(
            "`y_score` must have the shape of the multilabel indicator `y_true`, "
            f"one score column per label: `y_true` has shape {shape} but `y_score` "
            f"has shape {given}."
        )
    return check_score(y_score, xp, ndim=2)


def _check_all_zero(weight: Any, xp: Namespace) -> None:
    if weight is not None and not bool(xp.any(weight != 0)):
        raise ValueError(
            "`sample_weight` is zero for every sample; at least one sample needs a "
            "positive weight."
        )


def multilabel_score(
    binary_metric: BinaryMetric,
    metric: str,
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    average: str | None,
    xp: Namespace,
    device: Device,
    *,
    max_fpr: float | None = None,
) -> Any:
    """A binary score of every label of a multilabel indicator, averaged.

    Parameters
    ----------
    binary_metric : callable
        ``(scores, target, weights) -> 0-d array``: the binary score (with its
        warnings for a label holding one class).
    metric : {"auc", "ap"}
        Which score ``binary_metric`` is; used by ``average="samples"``, whose
        rows are scored by a vectorised kernel.
    y_true : array of shape (n_samples, n_labels)
        The indicator.
    y_score : array of shape (n_samples, n_labels)
        One score column per label.
    sample_weight : array of shape (n_samples,) or None
        Non-negative sample weights.
    average : {"micro", "macro", "weighted", "samples"} or None
        How the scores are combined (the module's docstring).
    xp : module
        The namespace of the call.
    device : device
        The scores' device.
    max_fpr : float, optional
        The ``max_fpr`` ``binary_metric`` applies (ROC AUC); the rows of
        ``average="samples"`` then get the same partial AUC, all at once.

    Returns
    -------
    array
        0-d, or of shape ``(n_labels,)`` for ``average=None``, on ``device``.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> from balancekit.metrics import roc_auc_score
    >>> def auc(score, target, weight):
    ...     return roc_auc_score(target.is_positive, score, sample_weight=weight)
    >>> y_true = xp.asarray([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> y_score = xp.asarray([[0.9, 0.2], [0.3, 0.6], [0.6, 0.4], [0.2, 0.5]])
    >>> multilabel_score(auc, "auc", y_true, y_score, None, None, xp, "cpu").tolist()
    [1.0, 0.75]
    """
    indicator = check_indicator(y_true, xp, "y_true")
    y_score = _check_scores(y_score, indicator, xp)
    n_samples, n_labels = int(indicator.shape[0]), int(indicator.shape[1])
    weight = check_weights(sample_weight, n_samples, xp, device)
    _check_all_zero(weight, xp)
    if average == "micro":
        return _micro(binary_metric, indicator, y_score, weight, xp)
    if average == "samples":
        return _samples(metric, indicator, y_score, weight, xp, device, max_fpr)
    dtype = widest_float_dtype(xp, device)
    counts = xp.count_nonzero(indicator, axis=0)
    if weight is None:
        support = xp.astype(counts, dtype)
    else:
        support = xp.sum(xp.where(indicator, xp.reshape(weight, (-1, 1)), 0.0), axis=0)
    n_positive = [int(count) for count in to_host(counts, xp).tolist()]

    def score_of(label: int) -> Any:
        target = BinaryTarget(indicator[:, label], 1, n_positive[label], n_samples)
        return binary_metric(y_score[:, label], target, weight)

    return average_labels(score_of, n_labels, support, average, xp, dtype, device)


def average_labels(
    score_of: Callable[[int], Any],
    n_labels: int,
    support: Array,
    average: str | None,
    xp: Namespace,
    dtype: Any,
    device: Any,
) -> Any:
    """The labels' scores (``score_of(label)``), per label or averaged "macro" or
    "weighted" by ``support`` as scikit-learn averages them: a weighted average of
    labels without support is 0, and a label without positives adds nothing."""
    if average == "weighted" and float(to_host(xp.sum(support), xp)) <= 1e-8:
        return xp.asarray(0.0, dtype=dtype, device=device)
    per_label = xp.stack([xp.astype(score_of(k), dtype) for k in range(n_labels)])
    if average is None:
        return per_label
    if average == "macro":
        return xp.mean(per_label)
    per_label = xp.where(support == 0, 0.0, per_label)
    return xp.sum(per_label * support) / xp.sum(support)


def _micro(
    binary_metric: BinaryMetric,
    indicator: Array,
    y_score: Array,
    weight: Any,
    xp: Namespace,
) -> Any:
    n_samples, n_labels = int(indicator.shape[0]), int(indicator.shape[1])
    is_positive = xp.reshape(indicator, (-1,))
    n_positive = int(xp.sum(xp.astype(is_positive, xp.int64)))
    target = BinaryTarget(is_positive, 1, n_positive, n_samples * n_labels)
    if weight is not None:
        weight = xp.broadcast_to(xp.reshape(weight, (-1, 1)), (n_samples, n_labels))
        weight = xp.reshape(weight, (-1,))
    return binary_metric(xp.reshape(y_score, (-1,)), target, weight)


def _samples(
    metric: str,
    indicator: Array,
    y_score: Array,
    weight: Any,
    xp: Namespace,
    device: Device,
    max_fpr: float | None,
) -> Any:
    dtype = widest_float_dtype(xp, device)
    if metric == "auc" and max_fpr is not None and max_fpr != 1:
        per_row, n_positive = row_partial_auc(
            y_score, indicator, max_fpr, dtype=dtype, xp=xp, device=device
        )
    else:
        auc, ap, n_positive = row_auc_and_ap(
            y_score, indicator, dtype=dtype, xp=xp, device=device
        )
        per_row = ap if metric == "ap" else auc
    n_labels = int(indicator.shape[1])
    if metric == "ap":
        n_undefined = int(xp.sum(xp.astype(n_positive == 0, xp.int64)))
        if n_undefined:
            warnings.warn(
                f"No positive class found in y_true for {n_undefined} sample(s) (rows "
                "of the indicator): recall is one at every threshold there and their "
                "average precision is 0.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
    else:
        one_class = (n_positive == 0) | (n_positive == n_labels)
        n_undefined = int(xp.sum(xp.astype(one_class, xp.int64)))
        if n_undefined:
            warnings.warn(
                f"Only one class is present in y_true for {n_undefined} sample(s) "
                "(rows of the indicator): their ROC AUC is not defined (NaN).",
                UndefinedMetricWarning,
                stacklevel=user_stacklevel(),
            )
    if weight is None:
        return xp.mean(per_row)
    per_row = xp.where(weight == 0, 0.0, per_row)
    return xp.sum(per_row * weight) / xp.sum(weight)
