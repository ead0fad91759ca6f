"""``TunedDecision``: a classifier whose decision is tuned by cross-validation.

scikit-learn's ``TunedThresholdClassifierCV`` tunes one binary threshold for a score.
This meta-estimator tunes what :func:`~balancekit.decisions.tune_threshold` does:
a binary threshold for a metric under a constraint ("the best precision at recall >=
0.9"), per-class offsets for a multiclass metric, or the decision of least cost. The
scores it tunes on are out-of-fold predictions on the training rows (every fold's
model, samplers included, is fitted on the other folds), so no row is scored by a
model that saw it, and rows outside ``fit`` are never used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from balancekit.decisions._meta import (
    OutOfFoldMetaEstimator,
    inner_has,
    resolve_response_method,
)
from balancekit.decisions._tune_threshold import check_decision_options, tune_threshold

__all__ = ["TunedDecision"]


class TunedDecision(OutOfFoldMetaEstimator):
    """Tune a classifier's decision on out-of-fold scores of its training rows.

    ``fit`` scores every training row with a clone of ``estimator`` fitted on the
    other folds (stratified K-fold), tunes the decision on those scores with
    :func:`~balancekit.decisions.tune_threshold`, then fits ``estimator`` on all
    training rows. ``predict`` applies the tuned rule (not the most probable
    class); ``predict_proba`` is the estimator's, unchanged. Put a sampler or
    :class:`~balancekit.decisions.PriorCorrected` inside: the folds are resampled
    as any training data, the validation folds never.

    Parameters
    ----------
    estimator : classifier or pipeline
        Anything with ``fit`` and ``predict_proba`` or ``decision_function``.
    metric : str, default=None
        Binary: a :data:`balancekit.metrics.THRESHOLD_METRICS` name of the
        ``pos_label`` class (None: "f1"). Multiclass: "balanced_accuracy" or
        "macro_f1" (None).
    constraint : (str, float), default=None
        Binary: ``(metric, minimum)`` the threshold must meet on the out-of-fold
        scores, e.g. ``("recall", 0.9)``.
    cost_matrix : array-like of shape (n_classes, n_classes), default=None
        Costs ``C[i][j]`` of predicting ``classes_[j]`` for truth ``classes_[i]``;
        the decision of least mean cost instead of a metric.
    beta : float, default=1.0
        The ``beta`` of ``metric="fbeta"``.
    cv : int or cross-validation splitter, default=5
        An int gives ``StratifiedKFold(cv, shuffle=True,
        random_state=random_state)``.
    pos_label : label, default=None
        Binary: the class the metric and the constraint are about (the
        minority, usually); None is ``classes_[1]``.
    response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
        The scores tuned on; "auto" prefers probabilities.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds of an int ``cv``.

    Attributes
    ----------
    estimator_ : estimator
        The estimator fitted on all training rows.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    pos_label_ : label or None
        The positive class of a binary decision.
    rule_ : DecisionRule
        The tuned decision (``rule_.threshold`` for a binary threshold, on the
        ``pos_label_`` class's score).
    best_score_ : float
        The metric (or the mean cost) of the rule on the out-of-fold scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from balancekit.decisions import TunedDecision
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = (X[:, 0] + rng.normal(size=2000) > 2.2).astype(int)
    >>> model = TunedDecision(LogisticRegression(), metric="precision",
    ...                       constraint=("recall", 0.9), random_state=0).fit(X, y)
    >>> round(model.rule_.threshold, 3), round(model.rule_.constraint_score, 3)
    (0.035, 0.903)
    >>> bool(model.predict(X).mean() > LogisticRegression().fit(X, y).predict(X).mean())
    True
    """

    def __init__(
        self,
        estimator: Any,
        *,
        metric: str | None = None,
        constraint: tuple[str, float] | None = None,
        cost_matrix: Any = None,
        beta: float = 1.0,
        cv: Any = 5,
        pos_label: Any = None,
        response_method: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.metric = metric
        self.constraint = constraint
        self.cost_matrix = cost_matrix
        self.beta = beta
        self.cv = cv
        self.pos_label = pos_label
        self.response_method = response_method
        self.random_state = random_state

    def fit(self, X: Any, y: Any, **fit_params: Any) -> TunedDecision:
        """Tune the decision on out-of-fold scores, then fit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to every ``estimator.fit`` (split by fold for per-sample values);
            a ``sample_weight`` also weighs the samples in the tuned metric.

        Returns
        -------
        TunedDecision
            The fitted wrapper.
        """
        y, indices = self._encode(y)
        self.pos_label_ = self._resolve_pos_label()
        flip = self._flipped()
        method = resolve_response_method(self.estimator, self.response_method)
        # the options fail before the cross-validation's fits, not after
        _, costs = check_decision_options(
            self.classes_.size,
            metric=self.metric,
            constraint=self.constraint,
            cost_matrix=self.cost_matrix,
            beta=self.beta,
            logits=method == "decision_function",
            weighted=fit_params.get("sample_weight") is not None,
        )
        scores = self._out_of_fold(X, y, indices, method, fit_params)
        if flip and costs is not None:
            costs = costs[::-1, ::-1]
        self.rule_ = tune_threshold(
            1 - indices if flip else indices,
            _scores_for_rule(scores, method, flip),
            metric=self.metric,
            constraint=self.constraint,
            cost_matrix=costs,
            beta=self.beta,
            logits=method == "decision_function",
            sample_weight=fit_params.get("sample_weight"),
        )
        self.best_score_ = self.rule_.score
        self.response_method_ = method
        self._fit_estimator(X, y, fit_params)
        return self

    def _resolve_pos_label(self) -> Any:
        """The class the binary decision is for (``classes_[1]`` by default)."""
        if self.pos_label is None:
            return self.classes_[-1] if self.classes_.size == 2 else None
        if self.classes_.size != 2:
            raise ValueError(
                "`pos_label` applies to binary targets; `y` holds "
                f"{self.classes_.size} classes."
            )
        if self.pos_label not in self.classes_.tolist():
            raise ValueError(
                f"`pos_label`={self.pos_label!r} is not a class of `y` "
                f"({self.classes_.tolist()})."
            )
        return self.pos_label

    def _flipped(self) -> bool:
        """Whether the positive class is ``classes_[0]`` (the rule sees it as 1)."""
        return self.classes_.size == 2 and self.pos_label_ == self.classes_[0]

    def _scores(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        scores = getattr(self.estimator_, self.response_method_)(X)
        return _scores_for_rule(
            np.asarray(scores, dtype=np.float64),
            self.response_method_,
            self._flipped(),
        )

    def predict(self, X: Any) -> np.ndarray:
        """The tuned decision for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Class labels.
        """
        scores = self._scores(X)  # checks the fit first
        decision = np.asarray(self.rule_.predict(scores))
        return self.classes_[1 - decision if self._flipped() else decision]

    @available_if(inner_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """The estimator's probabilities (the tuned decision does not change them).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(inner_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """The estimator's decision function, unchanged.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray
            Its decision values.
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)


def _scores_for_rule(scores: np.ndarray, method: str, flip: bool) -> np.ndarray:
    """Probabilities renormalised against float32 round-off, logits as they are;
    with ``flip`` the binary scores of ``classes_[0]`` as the positive class."""
    if method == "predict_proba" and scores.ndim == 2:
        scores = scores / scores.sum(axis=1, keepdims=True)
    if not flip:
        return scores
    return scores[:, ::-1] if scores.ndim == 2 else -scores
