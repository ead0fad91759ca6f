"""What the decision meta-estimators share: labels, delegation, out-of-fold scores.

:class:`~balancekit.decisions.PriorCorrected`,
:class:`~balancekit.decisions.TunedDecision` and
:class:`~balancekit.decisions.TemperatureScaled` wrap a classifier or a pipeline
(scikit-learn's or imbalanced-learn's, samplers included). They are scikit-learn
meta-estimators: parameters are checked in ``fit``, the fitted inner model is
``estimator_``, and ``n_features_in_`` / ``feature_names_in_`` are the inner
model's. Out-of-fold scores come from :func:`sklearn.model_selection.cross_val_predict`
on the rows given to ``fit`` only, so a sampler inside the pipeline resamples
training folds and never sees a validation fold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_predict
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

__all__ = [
    "RESPONSE_METHODS",
    "DecisionMetaEstimator",
    "OutOfFoldMetaEstimator",
    "folds_of",
    "inner_has",
    "out_of_fold_scores",
    "resolve_response_method",
]

#: The ``response_method`` values of the meta-estimators that score.
RESPONSE_METHODS = ("auto", "predict_proba", "decision_function")


class DecisionMetaEstimator(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """The base of the decision meta-estimators (not public)."""

    estimator: Any

    # ----------------------------------------------------------- fitted delegation
    @property
    def n_features_in_(self) -> int:
        """The number of features seen at fit (the inner model's)."""
        check_is_fitted(self, "estimator_")
        return int(self.estimator_.n_features_in_)

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The feature names seen at fit, when they were strings."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.feature_names_in_

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "estimator_")

    # ------------------------------------------------------------------ helpers
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator).input_tags
        tags.input_tags.sparse = inner.sparse
        tags.input_tags.allow_nan = inner.allow_nan
        return tags

    def _encode(self, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Check classification targets and set ``classes_``; returns ``y`` as 1-D
        labels (a column vector is raveled with a warning) and as class indices."""
        check_classification_targets(y)
        values = column_or_1d(y, warn=True)
        self.classes_, indices = np.unique(values, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"`y` holds one class ({self.classes_.tolist()}); "
                f"{type(self).__name__} needs at least 2 classes."
            )
        return values, indices.reshape(-1)

    def _check_inner_classes(self) -> None:
        """The fitted inner model must know every class of ``y``, in order."""
        inner = np.asarray(getattr(self.estimator_, "classes_", self.classes_))
        if inner.shape != self.classes_.shape or not np.array_equal(
            inner, self.classes_
        ):
            raise ValueError(
                f"The fitted `estimator` knows the classes {inner.tolist()} but `y` "
                f"holds {self.classes_.tolist()}; a step of the pipeline removed a "
                "class. Keep every class in the training data."
            )


class OutOfFoldMetaEstimator(DecisionMetaEstimator):
    """A decision meta-estimator that learns from out-of-fold scores of its
    training rows (``cv``, ``random_state``), then fits on all of them."""

    cv: Any
    random_state: Any

    def _out_of_fold(
        self,
        X: Any,
        y: np.ndarray,
        indices: np.ndarray,
        method: str,
        fit_params: dict[str, Any],
    ) -> np.ndarray:
        """Each training row scored by a clone fitted on the other folds of ``cv``."""
        folds = folds_of(self.cv, indices, self.random_state)
        return out_of_fold_scores(
            clone(self.estimator),
            X,
            y,
            folds=folds,
            method=method,
            fit_params=fit_params,
        )

    def _fit_estimator(self, X: Any, y: np.ndarray, fit_params: dict[str, Any]) -> None:
        """Fit a clone on all training rows as ``estimator_``; check its classes."""
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self._check_inner_classes()


def inner_has(method: str) -> Any:
    """For ``available_if``: the wrapped estimator (fitted or not) has ``method``."""

    def check(self: Any) -> bool:
        inner = getattr(self, "estimator_", self.estimator)
        return hasattr(inner, method)

    return check


def resolve_response_method(estimator: Any, response_method: str) -> str:
    """``predict_proba`` or ``decision_function`` for ``estimator``."""
    if response_method not in RESPONSE_METHODS:
        raise ValueError(
            f"`response_method` must be one of {RESPONSE_METHODS}; got "
            f"{response_method!r}."
        )
    if response_method != "auto":
        return response_method
    for name in RESPONSE_METHODS[1:]:
        if hasattr(estimator, name):
            return name
    raise TypeError(
        f"`estimator` ({type(estimator).__name__}) has neither `predict_proba` nor "
        "`decision_function`; a decision needs scores."
    )


def folds_of(cv: Any, y: np.ndarray, random_state: Any) -> Any:
    """A stratified, shuffled K-fold for an int ``cv``; any CV object as given."""
    if isinstance(cv, bool) or not (
        isinstance(cv, int | np.integer)
        or hasattr(cv, "split")
        or hasattr(cv, "__iter__")
    ):
        raise TypeError(
            "`cv` must be an int (the number of stratified folds, >= 2), a "
            f"cross-validation splitter or an iterable of splits; got {cv!r}."
        )
    if isinstance(cv, int | np.integer):
        if cv < 2:
            raise ValueError(f"`cv` must be at least 2 folds; got {cv}.")
        smallest = int(np.bincount(y).min())
        if smallest < cv:
            raise ValueError(
                f"`cv`={cv} folds need at least {cv} samples of every class; the "
                f"smallest class has {smallest}. Lower `cv`."
            )
        return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, y, classifier=True)


def out_of_fold_scores(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    folds: Any,
    method: str,
    fit_params: dict[str, Any],
) -> np.ndarray:
    """Each row's score from a clone fitted on the other folds (float64, host)."""
    scores = cross_val_predict(
        estimator, X, y, cv=folds, method=method, params=fit_params or None
    )
    return np.asarray(scores, dtype=np.float64)
