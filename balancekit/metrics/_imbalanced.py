"""imbalanced-learn's metrics: sensitivity, specificity, geometric mean and the index
balanced accuracy, from one confusion matrix counted on the labels' device.

Two deliberate differences from imbalanced-learn 0.14, where its code departs from
the definitions its documentation gives:

* ``geometric_mean_score(average="macro" | "weighted")`` is the (weighted) mean of
  the per-class G-means ``sqrt(sensitivity_c * specificity_c)``; imbalanced-learn
  returns ``sqrt(mean(sensitivity) * mean(specificity))`` (its issue #1096).
* With ``sample_weight``, the true negatives are the total *weight* minus the other
  cells (as in scikit-learn's ``multilabel_confusion_matrix``); imbalanced-learn
  subtracts weighted sums from the *number* of samples, so its specificity can even
  exceed 1 (its issue #1180).

And one edge case: with ``average="binary"`` and neither ``y_true`` nor ``y_pred``
holding ``pos_label``, the scores follow scikit-learn's rule (sensitivity is 0/0,
set by ``zero_division``; specificity is ``tn / tn = 1``) where imbalanced-learn
returns 0.0 for both.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit._params import check_bool, check_scalar
from balancekit.metrics._common import (
    SINGLE_LABEL_AVERAGES,
    as_result,
    check_average,
    check_zero_division,
    divide,
    nanaverage,
)
from balancekit.metrics._counts import Counts, count
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._names import IBA_METRICS
from balancekit.metrics._select import (
    check_labels_param,
    present_or,
    set_wise_labels,
)

__all__ = [
    "geometric_mean_score",
    "index_balanced_accuracy",
    "make_index_balanced_accuracy",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]

_GMEAN_AVERAGES = (*SINGLE_LABEL_AVERAGES, "multiclass")


def sensitivity_specificity_from_counts(
    counts: Counts,
    labels: list,
    *,
    micro: bool = False,
    warn_for: Any = ("sensitivity", "specificity"),
    zero_division: Any = "warn",
    average: Any = None,
) -> tuple[Any, Any, Any]:
    """Per-class (or pooled, ``micro``) sensitivity, specificity and support."""
    xp, dtype = counts.xp, counts.float_dtype
    tp, true_sum, pred_sum, total = counts.per_class(labels)
    negatives = total - true_sum  # tn + fp
    tn = negatives - (pred_sum - tp)
    if micro:
        tp, true_sum, pred_sum, tn, negatives = (
            xp.reshape(xp.sum(v), (1,)) for v in (tp, true_sum, pred_sum, tn, negatives)
        )
    sensitivity = divide(
        tp,
        true_sum,
        xp=xp,
        dtype=dtype,
        zero_division=zero_division,
        warn=("sensitivity", "true", average) if "sensitivity" in warn_for else None,
    )
    specificity = divide(
        tn,
        negatives,
        xp=xp,
        dtype=dtype,
        zero_division=zero_division,
        warn=(
            ("specificity", "predicted", average) if "specificity" in warn_for else None
        ),
    )
    return sensitivity, specificity, true_sum


def _average(values: Any, true_sum: Any, average: Any, counts: Counts) -> Any:
    """Average per-class ``values`` as imbalanced-learn does (0-d result)."""
    xp = counts.xp
    if average in ("binary", "micro"):
        return as_result(xp.reshape(values, ()), xp)
    if average == "weighted":
        if float(xp.sum(xp.astype(true_sum, counts.float_dtype))) == 0:
            return as_result(xp.zeros((), dtype=values.dtype, device=counts.device), xp)
        return as_result(nanaverage(values, true_sum, xp), xp)
    return as_result(nanaverage(values, None, xp), xp)


@dask_entry_point
@label_metric_route
def sensitivity_specificity_support(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Any = ("sensitivity", "specificity"),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any]:
    """Compute the sensitivity ``tp / (tp + fn)``, the specificity ``tn / (tn + fp)``
    and the support of each class, or their averages.

    As :func:`imblearn.metrics.sensitivity_specificity_support`, computed from one
    confusion matrix where the labels live, with a ``zero_division`` parameter as in
    scikit-learn. Differences from imbalanced-learn (its bug #1180 with
    ``sample_weight``; ``average='binary'`` without ``pos_label`` in the data) are
    described in the module documentation of ``balancekit.metrics._imbalanced``.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    labels : array-like, default=None
        Labels to score when ``average != 'binary'``, and their order for
        ``average=None``. Default: every label of ``y_true`` or ``y_pred``, sorted.
    pos_label : int, float, bool or str, default=1
        The class scored by ``average='binary'`` (binary targets only).
    average : {"binary", "micro", "macro", "weighted"} or None, default=None
        None gives per-class scores; "micro" pools the counts; "macro" is the mean over
        classes; "weighted" weights it by support (0 when the support is 0).
    warn_for : tuple of str, default=("sensitivity", "specificity")
        The scores that warn when ill-defined.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value of a ratio whose denominator is 0 ("warn": 0.0 and a warning).

    Returns
    -------
    sensitivity, specificity : array
        0-d (``numpy.float64`` for NumPy) when averaged, else of shape (n_labels,).
    support : array of shape (n_labels,) or None
        Number (or weight) of true samples of each label; None when averaged.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import sensitivity_specificity_support
    >>> y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig"])
    >>> y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog"])
    >>> sen, spe, _ = sensitivity_specificity_support(y_true, y_pred, average="macro")
    >>> print(f"{sen:.4f} {spe:.4f}")
    0.3333 0.6667
    """
    check_zero_division(zero_division)
    check_average(average, SINGLE_LABEL_AVERAGES)
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    selected = set_wise_labels(counts, labels, average, pos_label)
    sensitivity, specificity, true_sum = sensitivity_specificity_from_counts(
        counts,
        selected,
        micro=average == "micro",
        warn_for=warn_for,
        zero_division=zero_division,
        average=average,
    )
    if average is None:
        return sensitivity, specificity, true_sum
    return (
        _average(sensitivity, true_sum, average, counts),
        _average(specificity, true_sum, average, counts),
        None,
    )


@dask_entry_point
@label_metric_route
def sensitivity_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the sensitivity ``tp / (tp + fn)`` (the recall).

    As :func:`imblearn.metrics.sensitivity_score`; see
    :func:`sensitivity_specificity_support` for the parameters.

    Examples
    --------
    >>> from balancekit.metrics import sensitivity_score
    >>> sensitivity_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average=None)
    array([1., 0., 0.])
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("sensitivity",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[0]


@dask_entry_point
@label_metric_route
def specificity_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Compute the specificity ``tn / (tn + fp)``.

    As :func:`imblearn.metrics.specificity_score`; see
    :func:`sensitivity_specificity_support` for the parameters.

    Examples
    --------
    >>> from balancekit.metrics import specificity_score
    >>> specificity_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average=None)
    array([0.75, 0.5 , 0.75])
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("specificity",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )[1]


@dask_entry_point
@label_metric_route
def geometric_mean_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "multiclass",
    sample_weight: Any = None,
    correction: float = 0.0,
) -> Any:
    """Compute the geometric mean (G-mean) of class-wise accuracies.

    With ``average='multiclass'`` (the default), the G-mean is the geometric mean of
    the per-class recalls; ``correction`` replaces recalls of 0 so that one missed
    class does not zero the score. Otherwise each class gets its one-vs-rest G-mean
    ``sqrt(sensitivity_c * specificity_c)``, returned per class (``None``), for
    ``pos_label`` (``'binary'``), from pooled counts (``'micro'``), or averaged over
    classes (``'macro'``: plain mean, ``'weighted'``: weighted by support).

    Values equal :func:`imblearn.metrics.geometric_mean_score` except for
    ``average='macro'`` and ``'weighted'``: imbalanced-learn computes
    ``sqrt(mean(sensitivity) * mean(specificity))`` there, not the mean of the
    per-class G-means its documentation describes (imbalanced-learn issue #1096);
    balancekit follows the definition. With ``sample_weight`` the specificity also
    differs (imbalanced-learn issue #1180, see ``sensitivity_specificity_support``).

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    labels : array-like, default=None
        Labels to include, and their order for ``average=None``.
    pos_label : int, float, bool or str, default=1
        The class scored by ``average='binary'``.
    average : {"multiclass", "binary", "micro", "macro", "weighted"} or None, \
default="multiclass"
        See above.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    correction : float, default=0.0
        The recall substituted for classes with a recall of 0 (``'multiclass'``
        only).

    Returns
    -------
    geometric_mean : array
        0-d (``numpy.float64`` for NumPy) or, for ``average=None``, per class.

    Examples
    --------
    >>> from balancekit.metrics import geometric_mean_score
    >>> y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]
    >>> print(geometric_mean_score(y_true, y_pred))
    0.0
    >>> print(f"{geometric_mean_score(y_true, y_pred, correction=0.001):.4f}")
    0.0100
    >>> geometric_mean_score(y_true, y_pred, average=None)
    array([0.8660254, 0.       , 0.       ])
    >>> print(f"{geometric_mean_score(y_true, y_pred, average='macro'):.4f}")
    0.2887
    """
    check_average(average, _GMEAN_AVERAGES)
    correction = check_scalar(correction, "correction", low=0.0)
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    xp = counts.xp
    if average == "multiclass":
        selected = present_or(counts, labels)
        tp, true_sum, _, _ = counts.per_class(selected)
        recall = divide(
            tp,
            true_sum,
            xp=xp,
            dtype=counts.float_dtype,
            warn=("recall", "true", None),
        )
        is_zero = recall == 0
        recall = xp.where(is_zero, xp.full_like(recall, correction), recall)
        has_zero = xp.any(recall == 0)
        safe = xp.where(recall == 0, xp.ones_like(recall), recall)
        gmean = xp.exp(xp.mean(xp.log(safe)))
        return as_result(xp.where(has_zero, xp.zeros_like(gmean), gmean), xp)
    selected = set_wise_labels(counts, labels, average, pos_label)
    sensitivity, specificity, true_sum = sensitivity_specificity_from_counts(
        counts,
        selected,
        micro=average == "micro",
        warn_for=("specificity",),
        average=average,
    )
    per_class = xp.sqrt(sensitivity * specificity)
    if average is None:
        return per_class
    return _average(per_class, true_sum, average, counts)


_METRIC_PARAMS = ("labels", "pos_label", "average", "sample_weight")
_SCORE_PARAMS = {"y_score", "y_prob", "y_proba", "y2"}


def _resolve_metric(metric: Any) -> Callable[..., Any]:
    from balancekit import metrics

    if callable(metric):
        parameters = set(inspect.signature(metric).parameters)
        if parameters & _SCORE_PARAMS:
            raise TypeError(
                f"`metric` {getattr(metric, '__name__', metric)!r} takes scores "
                f"({sorted(parameters & _SCORE_PARAMS)}); the index balanced accuracy "
                "needs a metric of predicted labels `(y_true, y_pred, ...)`."
            )
        return metric
    if isinstance(metric, str) and metric in IBA_METRICS:
        return getattr(metrics, metric)
    raise ValueError(
        f"`metric` must be a callable metric(y_true, y_pred, ...) or one of "
        f"{sorted(IBA_METRICS)}; got {metric!r}."
    )


@dask_entry_point
@label_metric_route
def index_balanced_accuracy(
    y_true: Any,
    y_pred: Any,
    *,
    metric: str | Callable[..., Any] = "geometric_mean_score",
    alpha: float = 0.1,
    squared: bool = True,
    **metric_kwargs: Any,
) -> Any:
    """Compute the index balanced accuracy (IBA) of a metric.

    ``IBA = (1 + alpha * dominance) * M`` where ``M`` is the metric (squared when
    ``squared``) and ``dominance = sensitivity - specificity`` [1]_. This is the value
    of imbalanced-learn's ``make_index_balanced_accuracy(alpha=alpha,
    squared=squared)(metric)(y_true, y_pred, **metric_kwargs)``, as a function.

    The sensitivity and specificity use the metric's ``labels``, ``pos_label``,
    ``average`` and ``sample_weight`` (from ``metric_kwargs``, else the metric's
    defaults); ``average='multiclass'`` becomes ``'macro'``, and metrics without an
    ``average`` parameter, like ``accuracy_score``, use ``'binary'``. With
    ``metric="geometric_mean_score"`` and ``average='macro'``/``'weighted'`` the value
    differs from imbalanced-learn's through the G-mean itself (issue #1096, see
    :func:`geometric_mean_score`).

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    metric : str or callable, default="geometric_mean_score"
        The name of a balancekit metric of predicted labels (see
        ``balancekit.metrics.IBA_METRICS``) or a callable ``metric(y_true, y_pred,
        **metric_kwargs)``.
    alpha : float, default=0.1
        Weight of the dominance.
    squared : bool, default=True
        Whether the metric is squared before weighting.
    **metric_kwargs
        Passed to the metric.

    Returns
    -------
    iba : array
        0-d, or per class when the metric is per class (``average=None``).

    References
    ----------
    .. [1] García, V., Sánchez, J. S., Mollineda, R. A. "On the effectiveness of
       preprocessing methods when dealing with different levels of class
       imbalance." Knowledge-Based Systems 25.1 (2012): 13-21.

    Examples
    --------
    >>> from balancekit.metrics import index_balanced_accuracy
    >>> y_true, y_pred = [1, 0, 0, 1, 0, 1], [0, 0, 1, 1, 0, 1]
    >>> index_balanced_accuracy(y_true, y_pred, average=None)
    array([0.44444444, 0.44444444])
    """
    alpha = check_scalar(alpha, "alpha")
    squared = check_bool(squared, "squared")
    function = _resolve_metric(metric)
    bound = _bind(function, (y_true, y_pred), metric_kwargs, "`metric_kwargs`")
    return _iba_of_bound(function, bound, alpha, squared, missing_average="binary")


def _bind(
    function: Callable[..., Any], args: tuple, kwargs: dict, what: str
) -> inspect.BoundArguments:
    """The metric's arguments by name, its defaults filled in."""
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(
            f"{what} do not fit the metric "
            f"{getattr(function, '__name__', function)!r}: {error}"
        ) from None
    bound.apply_defaults()
    return bound


def _iba_of_bound(
    function: Callable[..., Any],
    bound: inspect.BoundArguments,
    alpha: float,
    squared: bool,
    *,
    missing_average: str | None,
) -> Any:
    """``(1 + alpha * (sensitivity - specificity)) * metric(**bound)[**2]``.

    The sensitivity and specificity take the metric's ``labels``, ``pos_label``,
    ``average`` and ``sample_weight``; ``missing_average`` is the ``average`` of a
    metric without one (other than accuracy and Jaccard, always ``'binary'``).
    """
    y_true, y_pred = bound.args[:2]
    score = function(*bound.args, **bound.kwargs)
    options = {k: v for k, v in bound.arguments.items() if k in _METRIC_PARAMS}
    name = getattr(function, "__name__", "")
    if name in ("accuracy_score", "jaccard_score"):
        options["average"] = "binary"
    elif "average" not in options:
        options["average"] = missing_average
    elif options["average"] == "multiclass":
        options["average"] = "macro"
    sensitivity, specificity, _ = sensitivity_specificity_support(
        y_true, y_pred, **options
    )
    import array_api_compat

    xp = array_api_compat.array_namespace(sensitivity)
    if not hasattr(score, "shape") or array_api_compat.is_numpy_array(score):
        device = array_api_compat.device(sensitivity)
        score = xp.asarray(score, dtype=sensitivity.dtype, device=device)
    if squared:
        score = score**2
    return as_result((1.0 + alpha * (sensitivity - specificity)) * score, xp)


def make_index_balanced_accuracy(
    *, alpha: float = 0.1, squared: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn a metric of predicted labels into its index balanced accuracy (IBA).

    imbalanced-learn's decorator factory, with its signature and behaviour: the
    decorated ``metric(y_true, y_pred, ...)`` returns ``(1 + alpha * dominance) *
    M``, where ``M`` is the metric's value (squared when ``squared``) and
    ``dominance = sensitivity - specificity`` [1]_, computed by
    :func:`sensitivity_specificity_support` with the metric's ``labels``,
    ``pos_label``, ``average`` and ``sample_weight``. ``average='multiclass'`` (the
    G-mean's) becomes ``'macro'``; ``accuracy_score`` and ``jaccard_score`` use
    ``'binary'``; any other metric without ``average`` gets per-class
    sensitivities and specificities (``average=None``), hence a per-class result,
    as in imbalanced-learn. The functional form is
    :func:`index_balanced_accuracy`.

    Works on balancekit's metrics (on the labels' device) and on scikit-learn's
    (``precision_score``, ``accuracy_score``, ...); the arguments are checked when
    the decorated metric is called. Metrics of scores (``y_score``, ``y_prob``) or
    of two raters (``y2``) raise ``TypeError`` there: their dominance is undefined.

    Parameters
    ----------
    alpha : float, default=0.1
        Weight of the dominance.
    squared : bool, default=True
        Whether the metric is squared before weighting.

    Returns
    -------
    decorate : callable
        ``decorate(metric)`` gives the IBA of ``metric``, with ``metric``'s name,
        docstring and signature.

    References
    ----------
    .. [1] García, V., Sánchez, J. S., Mollineda, R. A. "On the effectiveness of
       preprocessing methods when dealing with different levels of class
       imbalance." Knowledge-Based Systems 25.1 (2012): 13-21.

    Examples
    --------
    >>> from balancekit.metrics import geometric_mean_score
    >>> from balancekit.metrics import make_index_balanced_accuracy
    >>> gmean = make_index_balanced_accuracy(alpha=0.1, squared=True)(
    ...     geometric_mean_score
    ... )
    >>> y_true, y_pred = [1, 0, 0, 1, 0, 1], [0, 0, 1, 1, 0, 1]
    >>> gmean(y_true, y_pred, average=None)
    array([0.44444444, 0.44444444])
    >>> from sklearn.metrics import precision_score
    >>> print(f"{make_index_balanced_accuracy()(precision_score)(y_true, y_pred):.4f}")
    0.4444
    """

    def decorate(metric: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(metric)
        def compute_score(*args: Any, **kwargs: Any) -> Any:
            # checked per call, as imbalanced-learn does (decorating never fails)
            checked_alpha = check_scalar(alpha, "alpha")
            checked_squared = check_bool(squared, "squared")
            function = _resolve_metric(metric)
            bound = _bind(function, args, kwargs, "The arguments")
            return _iba_of_bound(
                function, bound, checked_alpha, checked_squared, missing_average=None
            )

        return compute_score

    return decorate
