"""EasyEnsemble: AdaBoost learners, each fitted on a balanced under-sample of X."""

from __future__ import annotations

from typing import Any, ClassVar

from sklearn.ensemble import AdaBoostClassifier
from sklearn.utils import get_tags

from balancekit._random import RandomStateLike
from balancekit.ensemble._bagging import _BalancedBagging

__all__ = ["EasyEnsembleClassifier"]

# EasyEnsemble fixes these bagging parameters (no bootstrap: every learner sees all
# of X before its under-sampler), as imbalanced-learn does.
_FIXED = ("bootstrap", "bootstrap_features", "max_features", "oob_score", "max_samples")


class EasyEnsembleClassifier(_BalancedBagging):
    """A bag of AdaBoost learners, each fitted on a balanced under-sample.

    A drop-in for ``imblearn.ensemble.EasyEnsembleClassifier`` (Liu, Wu and Zhou,
    2009): each member randomly under-samples the whole training set with balancekit's
    ``RandomUnderSampler`` and fits a clone of ``estimator`` (AdaBoost by default) on
    it; predictions average the members. Beyond imbalanced-learn, ``fit`` takes
    ``sample_weight``: the weights follow the kept rows into each learner.

    The members are scikit-learn estimators fitted on the host in NumPy; host-memory
    arrays of other libraries (CPU tensors) are read once into NumPy, arrays on an
    accelerator are refused with a ``TypeError``.

    Parameters
    ----------
    n_estimators : int, default=10
        Number of AdaBoost learners.
    estimator : estimator object, default=None
        The learner cloned for every member; ``AdaBoostClassifier()`` when None.
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)`` more.
    sampling_strategy : float, str, dict or callable, default="auto"
        The under-sampler's strategy: a float (binary: n_minority / n_majority
        after), ``"majority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
        ``"auto"``, a dict ``{class: n_samples}`` or a callable ``f(y) -> dict``.
    replacement : bool, default=False
        Under-sample with replacement.
    n_jobs : int, default=None
        Jobs fitting the members in parallel (joblib); the model does not depend on
        it.
    random_state : int, RandomState instance or None, default=None
        Seeds the under-samplers and the learners.
    verbose : int, default=0
        Verbosity of the fitting.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted ``Pipeline([("sampler", ...), ("classifier", ...)])`` cloned for
        every member.
    estimators_ : list of Pipeline
        The fitted members (under-sampler and learner).
    estimators_samples_ : list of ndarray
        The rows each member's under-sampler started from (all of them, shuffled).
    estimators_features_ : list of ndarray
        The features of each member (all of them).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler and base estimator.
    RUSBoostClassifier : AdaBoost with a balanced resample at every round.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.ensemble import EasyEnsembleClassifier
    >>> X, y = make_classification(
    ...     n_samples=500, weights=[0.9, 0.1], random_state=0
    ... )
    >>> clf = EasyEnsembleClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: ClassVar[dict] = {
        name: constraint
        for name, constraint in _BalancedBagging._parameter_constraints.items()
        if name not in _FIXED
    }

    def __init__(
        self,
        n_estimators: int = 10,
        estimator: Any = None,
        *,
        warm_start: bool = False,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        n_jobs: int | None = None,
        random_state: RandomStateLike = None,
        verbose: int = 0,
    ) -> None:
        super().__init__(
            n_estimators=n_estimators,
            max_samples=1.0,
            max_features=1.0,
            bootstrap=False,
            bootstrap_features=False,
            oob_score=False,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _get_estimator(self) -> Any:
        return AdaBoostClassifier() if self.estimator is None else self.estimator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(self._get_estimator()).input_tags.allow_nan
        return tags
