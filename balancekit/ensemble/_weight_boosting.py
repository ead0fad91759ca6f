"""RUSBoost: AdaBoost (SAMME) with a random under-sample at every boosting round."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import has_fit_parameter

from balancekit._params import check_bool, check_choice
from balancekit._random import RandomStateLike
from balancekit.ensemble._common import (
    HostInputMixin,
    check_single_output,
    host_array,
    resample,
)
from balancekit.under_sampling import RandomUnderSampler

__all__ = ["RUSBoostClassifier"]


class RUSBoostClassifier(HostInputMixin, AdaBoostClassifier):
    """AdaBoost whose learner at every round fits a balanced random under-sample.

    A drop-in for ``imblearn.ensemble.RUSBoostClassifier`` (Seiffert et al., 2010):
    at each boosting round balancekit's ``RandomUnderSampler`` draws a balanced subset
    of ``(X, y)`` and its boosting weights, a clone of ``estimator`` fits it, and the
    round is weighted by the learner's (weighted) error on all of ``X`` with the SAMME
    rule. ``sample_weight`` initialises the boosting weights.

    The learners are scikit-learn estimators fitted on the host in NumPy; host-memory
    arrays of other libraries (CPU tensors) are read once into NumPy, arrays on an
    accelerator are refused with a ``TypeError``.

    Parameters
    ----------
    estimator : estimator object, default=None
        The learner, which must take ``sample_weight``; a depth-1
        ``DecisionTreeClassifier`` when None.
    n_estimators : int, default=50
        Maximum number of boosting rounds (fewer if a learner is perfect).
    learning_rate : float, default=1.0
        Weight applied to each learner at each round.
    algorithm : {"SAMME", "SAMME.R"}, default="deprecated"
        Kept for imbalanced-learn compatibility: SAMME is always used (scikit-learn
        removed SAMME.R); any other value than the default warns
        (``FutureWarning``).
    sampling_strategy : float, str, dict or callable, default="auto"
        The under-sampler's strategy: a float (binary: n_minority / n_majority
        after), ``"majority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
        ``"auto"``, a dict ``{class: n_samples}`` or a callable ``f(y) -> dict``.
    replacement : bool, default=False
        Under-sample with replacement.
    random_state : int, RandomState instance or None, default=None
        Seeds the under-samplers and the learners.

    Attributes
    ----------
    estimator_ : estimator object
        The learner cloned at every round.
    base_sampler_ : RandomUnderSampler
        The sampler cloned at every round.
    estimators_ : list of estimators
        The fitted learners.
    samplers_ : list of RandomUnderSampler
        The fitted samplers; ``samplers_[i].sample_indices_`` are round ``i``'s rows.
    pipelines_ : list of Pipeline
        ``make_pipeline(sampler, learner)`` per round (built on access; they share
        the fitted objects).
    estimator_weights_ : ndarray of float
        Weight of each learner.
    estimator_errors_ : ndarray of float
        Weighted error of each learner.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based importances (tree learners).

    See Also
    --------
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced resamples.
    BalancedRandomForestClassifier : Random forest whose trees fit balanced resamples.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.ensemble import RUSBoostClassifier
    >>> X, y = make_classification(
    ...     n_samples=500, weights=[0.9, 0.1], random_state=0
    ... )
    >>> clf = RUSBoostClassifier(n_estimators=5, random_state=0).fit(X, y)
    >>> len(clf.samplers_) == len(clf.estimators_)
    True
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_estimators: int = 50,
        learning_rate: float = 1.0,
        algorithm: str = "deprecated",
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        random_state: RandomStateLike = None,
    ) -> None:
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            random_state=random_state,
        )
        self.algorithm = algorithm
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _make_sampler(self) -> Any:
        """The under-sampler cloned at every round (a hook for other samplers)."""
        return RandomUnderSampler(
            sampling_strategy=self.sampling_strategy, replacement=self.replacement
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RUSBoostClassifier:
        """Boost learners, each fitted on a balanced under-sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training features: NumPy, pandas, SciPy sparse, or a host-memory array of
            another library (read once into NumPy).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Initial boosting weights (uniform when None).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        owner = type(self).__name__
        X = host_array(X, "X", owner)
        y = host_array(y, "y", owner)
        sample_weight = host_array(sample_weight, "sample_weight", owner)
        check_choice(self.algorithm, "algorithm", ("deprecated", "SAMME", "SAMME.R"))
        check_bool(self.replacement, "replacement")
        if self.algorithm != "deprecated":
            warnings.warn(
                "`algorithm` is deprecated (as in imbalanced-learn 0.12) and has no "
                "effect: the SAMME algorithm is always used. Remove the argument.",
                FutureWarning,
                stacklevel=2,
            )
        if y is not None:
            check_single_output(y, owner)
        self.samplers_: list = []
        return super().fit(X, y, sample_weight)

    def _validate_estimator(self) -> None:
        default = DecisionTreeClassifier(max_depth=1)
        self.estimator_ = clone(default if self.estimator is None else self.estimator)
        if not has_fit_parameter(self.estimator_, "sample_weight"):
            raise ValueError(
                f"{type(self.estimator_).__name__} doesn't support sample_weight: "
                "RUSBoost passes its boosting weights to every learner's fit; use an "
                "`estimator` whose fit takes sample_weight."
            )
        self.base_sampler_ = self._make_sampler()

    def _boost(
        self,
        iboost: int,
        X: Any,
        y: np.ndarray,
        sample_weight: np.ndarray,
        random_state: np.random.RandomState,
    ) -> tuple:
        """One SAMME round on a balanced under-sample (the weights follow its rows)."""
        estimator = self._make_estimator(random_state=random_state)
        sampler = clone(self.base_sampler_)
        _set_random_states(sampler, random_state)
        self.samplers_.append(sampler)
        X_res, y_res, weight_res = resample(sampler, X, y, sample_weight)
        estimator.fit(X_res, y_res, sample_weight=weight_res)

        y_predict = estimator.predict(X)
        if iboost == 0:
            self.classes_ = estimator.classes_
            self.n_classes_ = len(self.classes_)
        incorrect = y_predict != y
        # The error is measured on all of X with the boosting weights.
        estimator_error = np.mean(np.average(incorrect, weights=sample_weight, axis=0))
        if estimator_error <= 0:
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        if estimator_error >= 1.0 - (1.0 / n_classes):
            self.estimators_.pop(-1)
            self.samplers_.pop(-1)
            if len(self.estimators_) == 0:
                raise ValueError(
                    "BaseClassifier in AdaBoostClassifier ensemble is worse than "
                    "random, ensemble can not be fit."
                )
            return None, None, None
        estimator_weight = self.learning_rate * (
            np.log((1.0 - estimator_error) / estimator_error) + np.log(n_classes - 1.0)
        )
        if iboost != self.n_estimators - 1:
            sample_weight = sample_weight * np.exp(
                estimator_weight * incorrect * (sample_weight > 0)
            )
        return sample_weight, estimator_weight, estimator_error

    @property
    def pipelines_(self) -> list:
        """``make_pipeline(sampler, learner)`` per round (sharing fitted objects)."""
        return [
            make_pipeline(sampler, estimator)
            for sampler, estimator in zip(self.samplers_, self.estimators_, strict=True)
        ]
