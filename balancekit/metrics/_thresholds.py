"""Decision-threshold tuning: the score cut-off that maximises a metric.

One sort of the scores gives the (weighted) confusion matrix at every distinct
threshold from cumulative counts (``_ranking_kernels.threshold_counts``); every metric
is then a vectorised formula of those four arrays, so all thresholds are scored in
O(n log n) on the scores' device, not O(n) per threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from balancekit._array_api import widest_float_dtype
from balancekit._dask_route import dask_route
from balancekit._labels import check_same_length
from balancekit._params import check_choice, check_scalar
from balancekit._typing import Namespace
from balancekit.metrics._inputs import score_metric_route
from balancekit.metrics._ranking_kernels import threshold_counts
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_score,
    check_target,
    check_weights,
    resolve_inputs,
)

__all__ = ["THRESHOLD_METRICS", "ThresholdResult", "best_threshold", "check_constraint"]


class ThresholdResult(NamedTuple):
    """The chosen threshold, the metric there and the constraint metric there.

    ``threshold``, ``score`` and ``constraint_score`` are 0-d arrays on the scores'
    device; ``constraint_score`` is None without a constraint.
    """

    threshold: Any
    score: Any
    constraint_score: Any = None


def _ratio(numerator: Any, denominator: Any, xp: Namespace) -> Any:
    """``numerator / denominator`` with 0 where the denominator is 0."""
    safe = xp.where(denominator != 0, denominator, 1.0)
    return xp.where(denominator != 0, numerator / safe, 0.0)


def _fbeta(tp: Any, fp: Any, fn: Any, xp: Namespace, beta: float) -> Any:
    beta2 = beta * beta
    return _ratio((1 + beta2) * tp, (1 + beta2) * tp + beta2 * fn + fp, xp)


def _mcc(tp: Any, fp: Any, fn: Any, tn: Any, xp: Namespace) -> Any:
    denominator = xp.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _ratio(tp * tn - fp * fn, denominator, xp)


Counts = tuple[Any, Any, Any, Any]
_Formula = Callable[[Counts, Namespace, float], Any]


def _recall(c: Counts, xp: Namespace) -> Any:
    return _ratio(c[0], c[0] + c[2], xp)


def _specificity(c: Counts, xp: Namespace) -> Any:
    return _ratio(c[3], c[3] + c[1], xp)


_FORMULAS: dict[str, _Formula] = {
    "f1": lambda c, xp, beta: _fbeta(c[0], c[1], c[2], xp, 1.0),
    "fbeta": lambda c, xp, beta: _fbeta(c[0], c[1], c[2], xp, beta),
    "precision": lambda c, xp, beta: _ratio(c[0], c[0] + c[1], xp),
    "recall": lambda c, xp, beta: _recall(c, xp),
    "specificity": lambda c, xp, beta: _specificity(c, xp),
    "balanced_accuracy": lambda c, xp, beta: (_recall(c, xp) + _specificity(c, xp)) / 2,
    "geometric_mean": lambda c, xp, beta: xp.sqrt(_recall(c, xp) * _specificity(c, xp)),
    "youden": lambda c, xp, beta: _recall(c, xp) + _specificity(c, xp) - 1,
    "mcc": lambda c, xp, beta: _mcc(c[0], c[1], c[2], c[3], xp),
}

#: The metric names ``best_threshold`` accepts, for ``metric`` and ``constraint``.
THRESHOLD_METRICS = tuple(_FORMULAS)


def _check_metric(name: Any, parameter: str) -> str:
    return check_choice(name, parameter, THRESHOLD_METRICS)


def check_constraint(constraint: Any) -> tuple[str, float] | None:
    if constraint is None:
        return None
    if not (isinstance(constraint, tuple | list) and len(constraint) == 2):
        raise ValueError(
            "`constraint` must be a pair (metric, minimum), e.g. ('recall', 0.9) for "
            f"recall >= 0.9; got {constraint!r}."
        )
    name = _check_metric(constraint[0], "constraint[0]")
    minimum = check_scalar(constraint[1], "constraint[1]")
    return name, minimum


def single_class_error(pos_label: Any) -> ValueError:
    """The error of a threshold search on ``y_true`` of one class."""
    return ValueError(
        "`y_true` holds a single class; tuning a threshold needs both positive "
        f"(pos_label={pos_label!r}) and negative samples."
    )


def unmet_constraint_error(name: str, minimum: float, reached: float) -> ValueError:
    """The error of a ``constraint`` that no threshold meets."""
    return ValueError(
        f"`constraint` {name} >= {minimum:g} is met by no threshold: the "
        f"highest {name} reached is {reached:.6g}. Lower the minimum."
    )


@dask_route("_curves")
@score_metric_route
def best_threshold(
    y_true: Any,
    y_score: Any,
    *,
    metric: str = "f1",
    constraint: tuple[str, float] | None = None,
    beta: float = 1.0,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> ThresholdResult:
    """The decision threshold that maximises a metric, optionally under a constraint.

    Predicting positive when ``score >= threshold`` (scikit-learn's convention), every
    distinct score is a candidate threshold; all are scored at once from cumulative
    counts after one sort. Dask arrays and Series are scored by score ranges on the
    workers (``balancekit.dask._curves``); the result holds NumPy 0-d arrays.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True binary labels, both classes present. Unless they are {0, 1} or {-1, 1},
        pass ``pos_label``.
    y_score : array of shape (n_samples,)
        Finite scores of the positive class.
    metric : str, default="f1"
        The metric to maximise: ``"f1"``, ``"fbeta"`` (with ``beta``),
        ``"precision"``, ``"recall"``, ``"specificity"``, ``"balanced_accuracy"``,
        ``"geometric_mean"`` (sqrt of recall x specificity), ``"youden"`` (recall +
        specificity - 1) or ``"mcc"`` (Matthews correlation). Undefined ratios (0/0)
        count as 0, as scikit-learn's ``zero_division=0``.
    constraint : (str, float), default=None
        ``(name, minimum)``: only thresholds where metric ``name`` is at least
        ``minimum`` qualify, e.g. ``("recall", 0.9)`` for the best precision at
        recall >= 0.9. The comparison is exact (no tolerance).
    beta : float, default=1.0
        The weight of recall in ``"fbeta"``; positive.
    pos_label : int, float, bool or str, default=None
        The positive label; ``None`` means 1 for {0, 1} or {-1, 1} labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights: the confusion matrices are weighted.

    Returns
    -------
    ThresholdResult
        ``threshold`` (the score cut-off), ``score`` (the metric there) and
        ``constraint_score`` (the constraint metric there, or None), as 0-d arrays on
        ``y_score``'s device. Ties: the highest threshold among the maxima wins.

    Raises
    ------
    ValueError
        For an unknown metric, a malformed constraint, a constraint no threshold
        meets, or ``y_true`` holding one class only.

    Examples
    --------
    >>> import numpy as np
    >>> y_true = np.array([0, 0, 1, 1, 0, 1])
    >>> y_score = np.array([0.1, 0.4, 0.35, 0.8, 0.5, 0.7])
    >>> result = best_threshold(y_true, y_score, metric="f1")
    >>> float(result.threshold), float(result.score)
    (0.7, 0.8)
    >>> result = best_threshold(y_true, y_score, metric="precision",
    ...                         constraint=("recall", 0.6))
    >>> float(result.threshold), float(result.score), float(result.constraint_score)
    (0.7, 1.0, 0.6666666666666666)
    """
    metric = _check_metric(metric, "metric")
    checked = check_constraint(constraint)
    beta = check_scalar(beta, "beta", low=0, low_open=True)
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    y_true = check_target(y_true, xp)
    y_score = check_score(y_score, xp)
    n_samples = check_same_length("y_true", y_true, "y_score", y_score)
    target = binary_target(y_true, xp, pos_label=pos_label)
    if target.n_positive in (0, n_samples):
        raise single_class_error(target.pos_label)
    weight = check_weights(sample_weight, n_samples, xp, device)
    dtype = widest_float_dtype(xp, device)
    fps, tps, thresholds = threshold_counts(
        y_score,
        target.is_positive,
        weight,
        n_positive=target.n_positive,
        dtype=dtype,
        xp=xp,
        device=device,
    )
    counts = (tps, fps, tps[-1] - tps, fps[-1] - fps)
    values = _FORMULAS[metric](counts, xp, beta)
    constraint_values = None
    if checked is not None:
        name, minimum = checked
        constraint_values = _FORMULAS[name](counts, xp, beta)
        feasible = constraint_values >= minimum
        if not bool(xp.any(feasible)):
            reached = float(xp.max(constraint_values))
            raise unmet_constraint_error(name, minimum, reached)
        values = xp.where(feasible, values, -math.inf)
    # argmax returns the first maximum: thresholds decrease, so the highest one.
    best = xp.reshape(xp.argmax(values), (1,))
    return ThresholdResult(
        threshold=_at(thresholds, best, xp),
        score=_at(values, best, xp),
        constraint_score=(
            None if constraint_values is None else _at(constraint_values, best, xp)
        ),
    )


def _at(array: Any, index: Any, xp: Namespace) -> Any:
    """``array[index]`` as a 0-d array, ``index`` a 1-element index array."""
    return xp.reshape(xp.take(array, index), ())
