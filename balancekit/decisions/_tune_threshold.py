"""One entry point for tuning the decision after the scores: :func:`tune_threshold`.

It generalises :func:`balancekit.metrics.best_threshold` (binary: a threshold that
maximises a metric, optionally under a constraint such as recall >= 0.9) to
multiclass scores (per-class offsets on log-probabilities or logits, by
:func:`~balancekit.decisions.tune_class_offsets`) and to a cost matrix (binary: the
threshold of least mean cost on the validation set; multiclass: the Bayes decision).
The result is a :class:`DecisionRule`: plain Python numbers, so it pickles, applies to
scores on any device and is what :class:`~balancekit.decisions.TunedDecision` stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from balancekit._array_api import get_namespace_and_device, to_host, widest_float_dtype
from balancekit._params import check_bool, check_choice, check_scalar
from balancekit._typing import Array, Namespace
from balancekit.decisions._cost import (
    _check_indices,
    bayes_decision,
    check_cost_matrix,
    expected_cost,
)
from balancekit.decisions._multiclass_threshold import (
    OFFSET_METRICS,
    predict_with_offsets,
    tune_class_offsets,
)
from balancekit.decisions._prior import check_probabilities
from balancekit.metrics._ranking_kernels import threshold_counts
from balancekit.metrics._ranking_validation import check_weights
from balancekit.metrics._thresholds import (
    THRESHOLD_METRICS,
    best_threshold,
    check_constraint,
)

__all__ = [
    "RULE_KINDS",
    "DecisionRule",
    "check_decision_options",
    "tune_threshold",
]

#: The kinds of :class:`DecisionRule`.
RULE_KINDS = ("threshold", "offsets", "cost")


@dataclass(frozen=True)
class DecisionRule:
    """A tuned decision on scores: a threshold, per-class offsets or a cost matrix.

    Built by :func:`tune_threshold`; :meth:`predict` applies it to new scores of the
    same kind (probabilities or logits, 1-D or one column per class) on their
    device. Every field is a plain Python value, so a rule pickles and applies to
    any backend.

    Attributes
    ----------
    kind : {"threshold", "offsets", "cost"}
        ``"threshold"``: binary, positive when the positive class's score is
        ``>= threshold``. ``"offsets"``: ``argmax_j (log p_j + offsets[j])``
        (logits: ``z_j + offsets[j]``). ``"cost"``: the Bayes decision
        ``argmin_j sum_i p_i cost_matrix[i][j]``.
    metric : str
        What was optimised: a metric name, or ``"cost"`` (the mean cost, minimised).
    score : float
        The metric (or the mean cost) of the rule on the tuning data.
    threshold : float or None
        The score cut-off (``kind="threshold"``); ``inf`` means never positive.
    offsets : tuple of float or None
        One offset per class (``kind="offsets"``).
    cost_matrix : tuple of tuples of float or None
        The costs (``kind="cost"``, and binary thresholds tuned for a cost).
    constraint : (str, float) or None
        The constraint the threshold meets.
    constraint_score : float or None
        The constraint metric at the threshold.
    logits : bool
        Whether the rule was tuned on logits (then :meth:`predict` takes logits).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import DecisionRule
    >>> rule = DecisionRule(kind="threshold", metric="f1", score=0.8, threshold=0.3)
    >>> rule.predict(np.array([0.1, 0.3, 0.9])).tolist()
    [0, 1, 1]
    """

    kind: str
    metric: str
    score: float
    threshold: float | None = None
    offsets: tuple[float, ...] | None = None
    cost_matrix: tuple[tuple[float, ...], ...] | None = None
    constraint: tuple[str, float] | None = None
    constraint_score: float | None = None
    logits: bool = False

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", RULE_KINDS)
        field = {"threshold": "threshold", "offsets": "offsets", "cost": "cost_matrix"}
        if getattr(self, field[self.kind]) is None:
            raise ValueError(
                f"A DecisionRule of kind={self.kind!r} needs `{field[self.kind]}`."
            )

    @property
    def n_classes(self) -> int:
        """The number of classes the rule decides between."""
        if self.kind == "offsets":
            assert self.offsets is not None
            return len(self.offsets)
        if self.kind == "cost":
            assert self.cost_matrix is not None
            return len(self.cost_matrix)
        return 2

    def predict(self, scores: Any) -> Array:
        """Class indices (0 .. n_classes - 1) for ``scores``, on their device.

        Parameters
        ----------
        scores : array of shape (n_samples,) or (n_samples, n_classes)
            Scores of the kind the rule was tuned on: probabilities (or logits when
            ``logits`` is true); 1-D for binary (the positive class), or one column
            per class.

        Returns
        -------
        array of shape (n_samples,)
            Integer class indices in ``scores``' namespace and on its device.
        """
        xp, _ = get_namespace_and_device(scores=scores)
        values = check_probabilities(scores, xp, name="scores", logits=self.logits)
        n_columns = 2 if values.ndim == 1 else int(values.shape[1])
        if n_columns != self.n_classes:
            raise ValueError(
                f"`scores` has {n_columns} classes but the rule was tuned for "
                f"{self.n_classes}."
            )
        if self.kind == "offsets":
            return predict_with_offsets(
                values, list(self.offsets or ()), logits=self.logits
            )
        if self.kind == "cost":
            return bayes_decision(values, np.asarray(self.cost_matrix))
        positive = values if values.ndim == 1 else values[:, 1]
        return xp.astype(positive >= self.threshold, xp.int64)


def _check_scores(
    y_true: Any, y_score: Any, logits: bool
) -> tuple[Namespace, Array, Array]:
    xp, _ = get_namespace_and_device(y_true=y_true, y_score=y_score)
    values = check_probabilities(y_score, xp, name="y_score", logits=logits)
    n_classes = 2 if values.ndim == 1 else int(values.shape[1])
    y = _check_indices(y_true, "y_true", n_classes, xp)
    if int(y.shape[0]) != int(values.shape[0]):
        raise ValueError(
            "`y_true` and `y_score` must have the same number of samples; got "
            f"{int(y.shape[0])} and {int(values.shape[0])}."
        )
    return xp, y, values


def _least_cost_threshold(
    y: Array, positive: Array, costs: np.ndarray, weight: Any, xp: Namespace
) -> tuple[float, float]:
    """The cut-off of least mean cost (and that cost) over every distinct score.

    ``inf`` (never positive) is a candidate too; ties go to the highest cut-off.
    """
    device = get_namespace_and_device(positive=positive)[1]
    dtype = widest_float_dtype(xp, device)
    is_positive = y == 1
    row = xp.ones(y.shape[0], dtype=dtype, device=device) if weight is None else weight
    n_positive_rows = int(xp.sum(xp.astype(is_positive, xp.int64)))
    fps, tps, thresholds = threshold_counts(
        positive,
        is_positive,
        weight,
        n_positive=n_positive_rows,
        dtype=dtype,
        xp=xp,
        device=device,
    )
    weight_sums = to_host(
        xp.stack([xp.sum(xp.where(is_positive, row, 0.0)), xp.sum(row)]), xp
    )
    n_positive, n_total = float(weight_sums[0]), float(weight_sums[1])
    n_negative = n_total - n_positive
    total = (
        (n_negative - fps) * costs[0, 0]
        + fps * costs[0, 1]
        + (n_positive - tps) * costs[1, 0]
        + tps * costs[1, 1]
    )
    host = to_host(xp.stack([total, xp.astype(thresholds, dtype)]), xp)
    never = n_negative * costs[0, 0] + n_positive * costs[1, 0]
    best = int(np.argmin(host[0]))  # first minimum: the highest cut-off
    if never <= host[0, best]:
        return float("inf"), float(never) / n_total
    return float(host[1, best]), float(host[0, best]) / n_total


def tune_threshold(
    y_true: Any,
    y_score: Any,
    *,
    metric: str | None = None,
    constraint: tuple[str, float] | None = None,
    cost_matrix: Any = None,
    beta: float = 1.0,
    logits: bool = False,
    sample_weight: Any = None,
) -> DecisionRule:
    """Tune the decision on validation scores: a threshold, class offsets or costs.

    * **Binary** scores (1-D, or two columns: the second is the positive class)
      with a ``metric``: the threshold of
      :func:`balancekit.metrics.best_threshold`, optionally under a ``constraint``
      (``("recall", 0.9)``: the best ``metric`` among thresholds with recall >=
      0.9).
    * **Multiclass** scores with a ``metric``: per-class offsets on
      log-probabilities (or logits) by
      :func:`~balancekit.decisions.tune_class_offsets`; offsets ``log w`` are
      weights ``w`` on the probabilities.
    * A ``cost_matrix`` (``cost_matrix[i][j]`` is the cost of predicting ``j``
      when the truth is ``i``) instead of a metric: binary scores get the
      threshold of least mean cost on these samples (Elkan's ``t*`` for calibrated
      probabilities, and still the best cut-off when they are not, e.g. after
      resampling); multiclass probabilities get the Bayes decision
      ``argmin_j sum_i p_i C[i][j]``, which has nothing to tune: calibrate the
      probabilities first (:class:`~balancekit.decisions.PriorCorrected`).

    Everything runs on the scores' device; the rule holds O(n_classes) numbers.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Validation labels as class indices ``0 .. n_classes - 1`` (the columns of
        ``y_score``; binary: 0 negative, 1 positive).
    y_score : array of shape (n_samples,) or (n_samples, n_classes)
        Validation probabilities (or logits with ``logits=True``), same namespace
        and device as ``y_true``.
    metric : str, default=None
        Binary: a :data:`balancekit.metrics.THRESHOLD_METRICS` name (default
        ``"f1"``). Multiclass: ``"balanced_accuracy"`` or ``"macro_f1"`` (default).
        Not with ``cost_matrix``.
    constraint : (str, float), default=None
        Binary only: ``(metric name, minimum)`` every candidate threshold must meet.
    cost_matrix : array-like of shape (n_classes, n_classes), default=None
        Finite costs; replaces ``metric``.
    beta : float, default=1.0
        The ``beta`` of ``metric="fbeta"``.
    logits : bool, default=False
        Whether ``y_score`` holds logits (multiclass offsets; binary thresholds
        then apply to logits too). Not with a multiclass ``cost_matrix``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative weights of the samples in the metric or the cost (binary
        scores and costs; multiclass offsets are tuned unweighted).

    Returns
    -------
    DecisionRule
        The rule, its score on these samples, and what was optimised.

    Raises
    ------
    ValueError
        For an unknown metric, a constraint on multiclass scores or with a cost
        matrix, a constraint no threshold meets, a missing class, or invalid scores.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import tune_threshold
    >>> y = np.array([0, 0, 1, 1, 0, 1])
    >>> p = np.array([0.1, 0.4, 0.35, 0.8, 0.5, 0.7])
    >>> rule = tune_threshold(y, p, metric="precision", constraint=("recall", 0.6))
    >>> rule.threshold, rule.predict(p).tolist()
    (0.7, [0, 0, 0, 1, 0, 1])
    >>> tune_threshold(y, p, cost_matrix=[[0, 1], [5, 0]]).threshold
    0.35
    """
    logits = check_bool(logits, "logits")
    xp, y, values = _check_scores(y_true, y_score, logits)
    device = get_namespace_and_device(y_score=values)[1]
    weight = check_weights(sample_weight, int(y.shape[0]), xp, device)
    n_classes = 2 if values.ndim == 1 else int(values.shape[1])
    metric, costs = check_decision_options(
        n_classes,
        metric=metric,
        constraint=constraint,
        cost_matrix=cost_matrix,
        beta=beta,
        logits=logits,
        weighted=weight is not None,
    )
    positive = None
    if n_classes == 2:
        positive = values if values.ndim == 1 else values[:, 1]
    if costs is not None:
        as_tuple = tuple(tuple(float(c) for c in row) for row in costs)
        if positive is not None:
            threshold, cost = _least_cost_threshold(y, positive, costs, weight, xp)
            return DecisionRule(
                kind="threshold",
                metric="cost",
                score=cost,
                threshold=threshold,
                cost_matrix=as_tuple,
                logits=logits,
            )
        decision = bayes_decision(values, costs)
        cost = float(expected_cost(y, decision, costs, sample_weight=weight))
        return DecisionRule(
            kind="cost", metric="cost", score=cost, cost_matrix=as_tuple
        )
    assert metric is not None
    if positive is not None:
        result = best_threshold(
            y,
            positive,
            metric=metric,
            constraint=constraint,
            beta=beta,
            pos_label=1,
            sample_weight=weight,
        )
        return DecisionRule(
            kind="threshold",
            metric=metric,
            score=float(result.score),
            threshold=float(result.threshold),
            constraint=None
            if constraint is None
            else (constraint[0], float(constraint[1])),
            constraint_score=(
                None
                if result.constraint_score is None
                else float(result.constraint_score)
            ),
            logits=logits,
        )
    offsets = tune_class_offsets(y, values, metric=metric, logits=logits)
    host = to_host(offsets.offsets, xp).tolist()
    return DecisionRule(
        kind="offsets",
        metric=metric,
        score=float(offsets.score),
        offsets=tuple(float(v) for v in host),
        logits=logits,
    )


def check_decision_options(
    n_classes: int,
    *,
    metric: str | None,
    constraint: Any,
    cost_matrix: Any,
    beta: Any,
    logits: bool,
    weighted: bool,
) -> tuple[str | None, np.ndarray | None]:
    """The options of :func:`tune_threshold` checked before any scoring: the metric
    to maximise (None with a cost matrix) and the checked cost matrix (or None).

    :class:`~balancekit.decisions.TunedDecision` calls it before its
    cross-validation, so a bad option fails at once.
    """
    check_scalar(beta, "beta", low=0, low_open=True)
    if cost_matrix is not None:
        if metric is not None or constraint is not None:
            raise ValueError(
                "Give either `cost_matrix` (the mean cost is minimised) or "
                "`metric` / `constraint`, not both."
            )
        if n_classes > 2 and logits:
            raise ValueError(
                "A multiclass `cost_matrix` needs probabilities (the Bayes decision "
                "weighs them by the costs); pass `predict_proba` output with "
                "logits=False."
            )
        return None, check_cost_matrix(cost_matrix, n_classes=n_classes)
    if n_classes == 2:
        check_constraint(constraint)
        return check_choice(metric or "f1", "metric", THRESHOLD_METRICS), None
    if constraint is not None:
        raise ValueError(
            "`constraint` applies to binary scores (one threshold); multiclass "
            f"scores ({n_classes} classes) tune offsets for `metric` only."
        )
    metric = check_choice(metric or "macro_f1", "metric", OFFSET_METRICS)
    if weighted:
        raise ValueError(
            "`sample_weight` is not supported for multiclass offsets (binary "
            "thresholds and cost matrices take it); drop it or pass a cost matrix."
        )
    return metric, None
