"""scikit-learn's confusion-matrix metrics: precision, recall, F-beta, balanced
accuracy, Matthews correlation and Cohen's kappa, on the labels' device.

Each function counts one confusion matrix (see ``_counts``) and derives its scores
from it; results are 0-d arrays (``numpy.float64`` for NumPy) or 1-D per-class arrays
on the input's device.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import to_host
from balancekit._dask_route import dask_entry_point
from balancekit._params import check_choice
from balancekit._warnings import user_stacklevel
from balancekit.metrics._common import (
    as_result,
    check_average,
    check_zero_division,
    divide,
    nanaverage,
)
from balancekit.metrics._confusion import confusion_from_counts
from balancekit.metrics._counts import Counts, count
from balancekit.metrics._inputs import label_metric_route, pair_metric_route
from balancekit.metrics._select import check_labels_param, present_or
from balancekit.metrics._set_wise import SetWiseSums, set_wise_sums

__all__ = [
    "balanced_accuracy_score",
    "cohen_kappa_score",
    "f1_score",
    "fbeta_score",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

PRF_WARN_FOR = ("precision", "recall", "f-score")


def check_beta(beta: Any) -> float:
    if isinstance(beta, bool) or not isinstance(beta, int | float):
        raise TypeError(f"`beta` must be a real number; got {type(beta).__name__}.")
    if math.isnan(beta) or beta < 0:
        raise ValueError(f"`beta` must be >= 0 (inf gives the recall); got {beta}.")
    return float(beta)


def prf_from_sums(
    sums: SetWiseSums,
    *,
    beta: float,
    average: Any,
    warn_for: Any,
    zero_division: Any,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support from the per-label (or per-sample)
    counts, averaged as ``average`` says (scikit-learn's rules)."""
    xp, dtype = sums.xp, sums.float_dtype
    tp, true_sum, pred_sum = sums.tp, sums.true_sum, sums.pred_sum
    if average == "micro":
        tp, true_sum, pred_sum = (
            xp.reshape(xp.sum(v), (1,)) for v in (tp, true_sum, pred_sum)
        )

    def warn(metric: str, modifier: str) -> tuple[str, str, Any] | None:
        return (metric, modifier, average) if metric in warn_for else None

    precision = divide(
        tp,
        pred_sum,
        xp=xp,
        dtype=dtype,
        zero_division=zero_division,
        warn=warn("precision", "predicted"),
    )
    recall = divide(
        tp,
        true_sum,
        xp=xp,
        dtype=dtype,
        zero_division=zero_division,
        warn=warn("recall", "true"),
    )
    if math.isinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        f_score = divide(
            (1 + beta2) * xp.astype(tp, dtype),
            beta2 * xp.astype(true_sum, dtype) + xp.astype(pred_sum, dtype),
            xp=xp,
            dtype=dtype,
            zero_division=zero_division,
            warn=warn("f-score", "true nor predicted"),
        )
    if average is None:
        return precision, recall, f_score, true_sum
    weights = {"weighted": true_sum, "samples": sums.sample_weight}.get(average)
    return (
        as_result(nanaverage(precision, weights, xp), xp),
        as_result(nanaverage(recall, weights, xp), xp),
        as_result(nanaverage(f_score, weights, xp), xp),
        None,
    )


def prf_from_counts(
    counts: Counts,
    labels: list,
    *,
    beta: float,
    average: Any,
    warn_for: Any,
    zero_division: Any,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support of ``labels`` from one confusion matrix."""
    tp, true_sum, pred_sum, total = counts.per_class(labels)
    sums = SetWiseSums(
        tp,
        true_sum,
        pred_sum,
        total,
        counts.xp,
        counts.float_dtype,
        sample_weight=None,
        multilabel=False,
        labels=labels,
        present=present_or(counts, None),
    )
    return prf_from_sums(
        sums,
        beta=beta,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
    )


@dask_entry_point
@label_metric_route
def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Any = PRF_WARN_FOR,
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Compute precision, recall, F-beta and support for each class, or their average.

    Same arguments and values as
    :func:`sklearn.metrics.precision_recall_fscore_support` for binary and multiclass
    targets (multilabel targets and ``average='samples'`` are not supported), computed
    from one confusion matrix counted on the labels' device.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True class labels.
    y_pred : array of shape (n_samples,)
        Predicted class labels.
    beta : float, default=1.0
        Weight of recall in the F-score (``inf``: the recall, ``0``: the precision).
    labels : array-like, default=None
        Labels to score when ``average != 'binary'`` and their order for
        ``average=None``; absent labels score ``zero_division``. Default: every label
        of ``y_true`` or ``y_pred``, sorted.
    pos_label : int, float, bool or str, default=1
        The class scored by ``average='binary'`` (binary targets only).
    average : {"binary", "micro", "macro", "weighted"} or None, default=None
        None gives per-class scores; "micro" pools the counts; "macro" is the mean over
        classes; "weighted" weights that mean by support. NaN scores (from
        ``zero_division=np.nan``) are left out of the averages.
    warn_for : tuple of str, default=("precision", "recall", "f-score")
        The scores that warn when ill-defined.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value of a ratio whose denominator is 0; "warn" gives 0.0 and an
        ``sklearn.exceptions.UndefinedMetricWarning``.

    Returns
    -------
    precision, recall, fbeta_score : array
        0-d (``numpy.float64`` for NumPy) when averaged, else of shape (n_labels,); on
        the input's device.
    support : array of shape (n_labels,) or None
        Number (or weight) of true samples of each label; None when averaged.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import precision_recall_fscore_support
    >>> y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig"])
    >>> y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog"])
    >>> p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro")
    >>> print(f"{p:.3f} {r:.3f} {f:.3f}")
    0.222 0.333 0.267
    >>> precision_recall_fscore_support(y_true, y_pred)[3]
    array([2, 2, 2])
    """
    beta = check_beta(beta)
    check_zero_division(zero_division)
    check_average(average)
    labels = check_labels_param(labels)
    sums = set_wise_sums(y_true, y_pred, sample_weight, labels, average, pos_label)
    return prf_from_sums(
        sums,
        beta=beta,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
    )


@dask_entry_point
@label_metric_route
def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the F-beta score, the weighted harmonic mean of precision and recall.

    As :func:`sklearn.metrics.fbeta_score`; see
    :func:`precision_recall_fscore_support` for the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import fbeta_score
    >>> y_true, y_pred = np.array([0, 1, 2, 0, 1, 2]), np.array([0, 2, 1, 0, 0, 1])
    >>> print(f"{fbeta_score(y_true, y_pred, average='macro', beta=0.5):.4f}")
    0.2381
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


@dask_entry_point
@label_metric_route
def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the F1 score, the harmonic mean of precision and recall.

    As :func:`sklearn.metrics.f1_score`; see :func:`precision_recall_fscore_support`
    for the parameters.

    Examples
    --------
    >>> import torch
    >>> from balancekit.metrics import f1_score
    >>> y_true = torch.tensor([0, 1, 2, 0, 1, 2])
    >>> y_pred = torch.tensor([0, 2, 1, 0, 0, 1])
    >>> f1_score(y_true, y_pred, average=None)
    tensor([0.8000, 0.0000, 0.0000], dtype=torch.float64)
    >>> f1_score(y_true, y_pred, average="macro")
    tensor(0.2667, dtype=torch.float64)
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[2]


@dask_entry_point
@label_metric_route
def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the precision ``tp / (tp + fp)``.

    As :func:`sklearn.metrics.precision_score`; see
    :func:`precision_recall_fscore_support` for the parameters.

    Examples
    --------
    >>> from balancekit.metrics import precision_score
    >>> print(precision_score([0, 1, 1, 0], [0, 1, 0, 1]))
    0.5
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


@dask_entry_point
@label_metric_route
def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the recall ``tp / (tp + fn)``.

    As :func:`sklearn.metrics.recall_score`; see
    :func:`precision_recall_fscore_support` for the parameters.

    Examples
    --------
    >>> from balancekit.metrics import recall_score
    >>> print(recall_score([0, 1, 1, 0], [0, 1, 0, 1]))
    0.5
    """
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]


@dask_entry_point
@label_metric_route
def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> Any:
    """Compute the balanced accuracy: the mean over classes of the recall.

    As :func:`sklearn.metrics.balanced_accuracy_score`: classes found only in
    ``y_pred`` are left out with a warning; ``adjusted=True`` rescales so that chance
    scores 0 and a perfect prediction 1.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    adjusted : bool, default=False
        Whether to adjust for chance.

    Returns
    -------
    balanced_accuracy : 0-d array
        On the input's device (``numpy.float64`` for NumPy).

    Examples
    --------
    >>> from balancekit.metrics import balanced_accuracy_score
    >>> print(balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]))
    0.625
    """
    counts = count(y_true, y_pred, sample_weight)
    xp, dtype = counts.xp, counts.float_dtype
    tp, true_sum, _, _ = counts.per_class(counts.present.tolist())
    has_true = true_sum != 0
    n_kept = int(xp.sum(xp.astype(has_true, xp.int64)))
    if n_kept < int(true_sum.shape[0]):
        warnings.warn(
            "y_pred contains classes not in y_true",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    recall = divide(tp, true_sum, xp=xp, dtype=dtype)
    score = xp.sum(xp.where(has_true, recall, xp.zeros_like(recall))) / n_kept
    if adjusted:
        chance = 1 / n_kept
        score = (score - chance) / (1 - chance)
    return as_result(score, xp)


@dask_entry_point
@label_metric_route
def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> Any:
    """Compute the Matthews correlation coefficient (multiclass: Gorodkin's R_K).

    As :func:`sklearn.metrics.matthews_corrcoef`; 0 when it is undefined.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    mcc : 0-d array
        In [-1, 1], on the input's device (``numpy.float64`` for NumPy).

    Examples
    --------
    >>> from balancekit.metrics import matthews_corrcoef
    >>> print(f"{matthews_corrcoef([1, 1, 1, -1], [1, -1, 1, 1]):.4f}")
    -0.3333
    """
    counts = count(y_true, y_pred, sample_weight)
    xp = counts.xp
    matrix = xp.astype(counts.matrix, counts.float_dtype)
    t_sum = xp.sum(matrix, axis=1)
    p_sum = xp.sum(matrix, axis=0)
    n = int(matrix.shape[0])
    n_correct = xp.sum(
        xp.take(xp.reshape(matrix, (-1,)), xp.arange(n, device=counts.device) * (n + 1))
    )
    n_samples = xp.sum(p_sum)
    cov_ytyp = n_correct * n_samples - xp.sum(t_sum * p_sum)
    cov_ypyp = n_samples**2 - xp.sum(p_sum * p_sum)
    cov_ytyt = n_samples**2 - xp.sum(t_sum * t_sum)
    product = cov_ypyp * cov_ytyt
    is_zero = product == 0
    mcc = cov_ytyp / xp.sqrt(xp.where(is_zero, xp.ones_like(product), product))
    return as_result(xp.where(is_zero, xp.zeros_like(mcc), mcc), xp)


@dask_entry_point
@pair_metric_route
def cohen_kappa_score(
    y1: Any,
    y2: Any,
    *,
    labels: Any = None,
    weights: str | None = None,
    sample_weight: Any = None,
    replace_undefined_by: float = math.nan,
) -> Any:
    """Compute Cohen's kappa, the agreement of two labelings beyond chance.

    As :func:`sklearn.metrics.cohen_kappa_score`.

    Parameters
    ----------
    y1, y2 : array of shape (n_samples,)
        The two labelings.
    labels : array-like, default=None
        Labels to consider (at least one must occur in ``y1``); default all.
    weights : {"linear", "quadratic"} or None, default=None
        Disagreement weights by label distance (ordinal labels).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    replace_undefined_by : float, default=np.nan
        The value returned, with an UndefinedMetricWarning, when kappa is undefined.

    Returns
    -------
    kappa : 0-d array
        On the input's device (``numpy.float64`` for NumPy).

    Examples
    --------
    >>> from balancekit.metrics import cohen_kappa_score
    >>> print(cohen_kappa_score([0, 1, 1, 2, 2], [0, 1, 2, 2, 2]))
    0.6875
    """
    check_choice(weights, "weights", (None, "linear", "quadratic"))
    if isinstance(replace_undefined_by, bool) or not isinstance(
        replace_undefined_by, int | float
    ):
        raise TypeError(
            "`replace_undefined_by` must be a real number in [-1, 1] or np.nan; got "
            f"{type(replace_undefined_by).__name__}."
        )
    if not (math.isnan(replace_undefined_by) or -1 <= replace_undefined_by <= 1):
        raise ValueError(
            "`replace_undefined_by` must be in [-1, 1] or np.nan; got "
            f"{replace_undefined_by}."
        )
    labels = check_labels_param(labels)
    counts = count(y1, y2, sample_weight, names=("y1", "y2"))
    try:
        matrix = confusion_from_counts(counts, labels)
    except ValueError as error:
        raise ValueError(
            "At least one label in `labels` must be present in `y1` (even though "
            "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and "
            f"`y2`); got labels={labels}."
        ) from error
    xp, dtype = counts.xp, counts.float_dtype
    matrix = xp.astype(matrix, dtype)
    n_classes = int(matrix.shape[0])
    sum0 = xp.sum(matrix, axis=0)
    sum1 = xp.sum(matrix, axis=1)
    total = xp.sum(sum0)
    undefined = xp.full_like(total, float(replace_undefined_by))
    if float(to_host(total, xp)) == 0:
        warnings.warn(
            "`y2` contains no labels that are present in both `y1` and `labels`. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"`replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=user_stacklevel(),
        )
        return as_result(undefined, xp)
    expected = (sum0[:, None] * sum1[None, :]) / total
    grid = xp.arange(n_classes, dtype=dtype, device=counts.device)
    distance = grid[None, :] - grid[:, None]
    if weights is None:
        w_mat = xp.astype(distance != 0, dtype)
    elif weights == "linear":
        w_mat = xp.abs(distance)
    else:
        w_mat = distance**2
    numerator = xp.sum(w_mat * matrix)
    denominator = xp.sum(w_mat * expected)
    if float(to_host(denominator, xp)) == 0:
        warnings.warn(
            "`y1`, `y2` and `labels` have only one label in common. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"`replace_undefined_by` param, which is set to {replace_undefined_by}.",
            UndefinedMetricWarning,
            stacklevel=user_stacklevel(),
        )
        return as_result(undefined, xp)
    return as_result(1 - numerator / denominator, xp)
