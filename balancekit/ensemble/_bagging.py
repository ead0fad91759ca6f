"""Bagging where every member resamples its bootstrap with a sampler before fitting."""

from __future__ import annotations

import itertools
import numbers
from typing import Any, ClassVar
from warnings import warn

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier
from sklearn.ensemble._bagging import (
    _generate_bagging_indices,
    _get_n_samples_bootstrap,
)
from sklearn.ensemble._base import _partition_estimators
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, validate_data

from balancekit._params import check_bool
from balancekit._random import RandomStateLike
from balancekit.ensemble._common import (
    BaggingDecisionMixin,
    HostInputMixin,
    check_sampler,
    check_single_output,
    encoded_strategy,
    fit_member,
    host_array,
)
from balancekit.under_sampling import RandomUnderSampler

__all__ = ["BalancedBaggingClassifier"]

MAX_INT = np.iinfo(np.int32).max


def _build_members(
    ensemble: Any,
    n_estimators: int,
    X: Any,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    seeds: np.ndarray,
    total_n_estimators: int,
    verbose: int,
) -> tuple[list, list]:
    """Fit a batch of members in one job: bootstrap, resample, fit.

    The draws are scikit-learn's (``_generate_bagging_indices`` on each seed, with no
    weights), so ``estimators_samples_`` regenerates them; the weights of the drawn
    rows follow them into the member instead of biasing the draw.
    """
    n_samples, n_features = X.shape
    max_features, max_samples = ensemble._max_features, ensemble._max_samples
    subset_features = ensemble.bootstrap_features or max_features != n_features
    members, member_features = [], []
    for i, seed in enumerate(seeds):
        if verbose > 1:
            print(
                f"Building estimator {i + 1} of {n_estimators} for this parallel run "
                f"(total {total_n_estimators})..."
            )
        member = ensemble._make_estimator(append=False, random_state=seed)
        features, indices = _generate_bagging_indices(
            seed,
            ensemble.bootstrap_features,
            ensemble.bootstrap,
            n_features,
            n_samples,
            max_features,
            max_samples,
            None,
        )
        X_member = _safe_indexing(X, indices)
        if subset_features:
            X_member = X_member[:, features]
        weights = None if sample_weight is None else sample_weight[indices]
        fit_member(member, X_member, _safe_indexing(y, indices), weights)
        members.append(member)
        member_features.append(features)
    return members, member_features


class _BalancedBagging(HostInputMixin, BaggingDecisionMixin, BaggingClassifier):
    """Bagging of ``Pipeline([("sampler", ...), ("classifier", ...)])`` members.

    Subclasses give the sampler (``_make_sampler``) and the default estimator
    (``_get_estimator``). Not for direct use.
    """

    # scikit-learn's constraints check its own parameters (in fit); the balancing
    # parameters are checked by balancekit._params and by the sampler itself.
    _parameter_constraints: ClassVar[dict] = dict(
        BaggingClassifier._parameter_constraints
    )

    def _make_sampler(self) -> Any:
        return RandomUnderSampler(replacement=self.replacement)

    def _check_balancing_params(self) -> None:
        check_bool(self.replacement, "replacement")

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _BalancedBagging:
        """Fit the members, each on a balanced resample of its bootstrap.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training features: NumPy, pandas, SciPy sparse (if the base estimator
            takes it), or a host-memory array of another library (read once into
            NumPy).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights. They follow the rows through the bootstrap and the
            sampler and are passed to each base estimator's ``fit`` (which must take
            ``sample_weight``); they do not bias the bootstrap draw.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        owner = type(self).__name__
        X = host_array(X, "X", owner)
        y = host_array(y, "y", owner)
        sample_weight = host_array(sample_weight, "sample_weight", owner)
        self._validate_params()
        self._check_balancing_params()
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            multi_output=True,
        )
        check_single_output(y, owner)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=None)
        return self._fit(X, y, self.max_samples, sample_weight=sample_weight)

    def _validate_y(self, y: Any) -> np.ndarray:
        y_encoded = super()._validate_y(y)
        self._sampling_strategy = encoded_strategy(
            self.sampling_strategy, self.classes_
        )
        return y_encoded

    def _validate_estimator(self, default: Any = None) -> None:
        estimator = clone(self.estimator if self.estimator is not None else default)
        sampler = self.sampler_
        # As imbalanced-learn: the ensemble's sampling_strategy is the sampler's,
        # except for samplers that bypass it (FunctionSampler).
        if getattr(
            sampler, "_sampling_type", None
        ) != "bypass" and "sampling_strategy" in sampler.get_params(deep=False):
            sampler.set_params(sampling_strategy=self._sampling_strategy)
        self.estimator_ = Pipeline([("sampler", sampler), ("classifier", estimator)])

    def _fit(
        self,
        X: Any,
        y: Any,
        max_samples: Any = None,
        max_depth: Any = None,
        check_input: bool = True,
        sample_weight: Any = None,
        **fit_params: Any,
    ) -> _BalancedBagging:
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit takes no fit parameters other than "
                f"sample_weight; got {sorted(fit_params)}."
            )
        self.sampler_ = self._make_sampler()
        random_state = check_random_state(self.random_state)
        n_samples = X.shape[0]
        self._n_samples = n_samples
        y = self._validate_y(y)
        self._validate_estimator(self._get_estimator())
        if max_depth is not None:
            self.estimator_.set_params(classifier__max_depth=max_depth)

        max_samples = self.max_samples if max_samples is None else max_samples
        max_samples = _get_n_samples_bootstrap(n_samples, max_samples, None)
        if not self.bootstrap and max_samples > n_samples:
            raise ValueError(
                f"Effective max_samples={max_samples} must be <= n_samples="
                f"{n_samples} to be able to sample without replacement."
            )
        self._max_samples = max_samples
        max_features: Any
        if isinstance(self.max_features, numbers.Integral):
            max_features = int(self.max_features)
        else:
            max_features = int(self.max_features * self.n_features_in_)
        if max_features > self.n_features_in_:
            raise ValueError("max_features must be <= n_features")
        self._max_features = max(1, int(max_features))
        # The draws are unweighted: estimators_samples_ regenerates them from _seeds.
        self._sample_weight = None

        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        if self.warm_start and self.oob_score:
            raise ValueError("Out of bag estimate only available if warm_start=False")
        if hasattr(self, "oob_score_") and self.warm_start:
            del self.oob_score_
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_: list = []
            self.estimators_features_: list = []

        n_more_estimators = self.n_estimators - len(self.estimators_)
        if n_more_estimators < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if n_more_estimators == 0:
            warn(
                "Warm-start fitting without increasing n_estimators does not fit "
                "new trees.",
                stacklevel=2,
            )
            return self

        n_jobs, n_estimators, starts = _partition_estimators(
            n_more_estimators, self.n_jobs
        )
        total_n_estimators = sum(n_estimators)
        if self.warm_start and len(self.estimators_) > 0:
            # Where the seeds would be had the first members been fitted now.
            random_state.randint(MAX_INT, size=len(self.estimators_))
        # Every member's seed is drawn here, before the jobs: n_jobs cannot change
        # the model.
        seeds = random_state.randint(MAX_INT, size=n_more_estimators)
        self._seeds = seeds

        results = Parallel(
            n_jobs=n_jobs, verbose=self.verbose, **self._parallel_args()
        )(
            delayed(_build_members)(
                self,
                n_estimators[i],
                X,
                y,
                sample_weight,
                seeds[starts[i] : starts[i + 1]],
                total_n_estimators,
                self.verbose,
            )
            for i in range(n_jobs)
        )
        self.estimators_ += list(itertools.chain.from_iterable(r[0] for r in results))
        self.estimators_features_ += list(
            itertools.chain.from_iterable(r[1] for r in results)
        )
        if self.oob_score:
            self._set_oob_score(X, y)
        return self

    @property
    def base_estimator_(self) -> Any:
        """The fitted ``estimator_`` (the name older scikit-learn versions used)."""
        return self.estimator_


class BalancedBaggingClassifier(_BalancedBagging):
    """A bagging classifier whose members each fit a balanced resample.

    A drop-in for ``imblearn.ensemble.BalancedBaggingClassifier``: each member draws a
    bootstrap (scikit-learn's ``BaggingClassifier`` draws), resamples it with
    ``sampler`` (by default balancekit's ``RandomUnderSampler``), and fits a clone of
    ``estimator`` on the result. Any sampler with ``fit_resample`` works: a balancekit
    sampler, or an imbalanced-learn one. Beyond imbalanced-learn, ``fit`` takes
    ``sample_weight``: the weights follow the rows through the bootstrap and the
    sampler into the base estimator.

    The members are scikit-learn estimators fitted on the host in NumPy; host-memory
    arrays of other libraries (CPU tensors) are read once into NumPy, arrays on an
    accelerator are refused with a ``TypeError``.

    Parameters
    ----------
    estimator : estimator object, default=None
        The base estimator, cloned for every member; a ``DecisionTreeClassifier``
        when None.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=1.0
        Rows drawn for each member's bootstrap: a count, or a share of ``X``.
    max_features : int or float, default=1.0
        Features drawn for each member: a count, or a share of the columns.
    bootstrap : bool, default=True
        Draw the rows with replacement.
    bootstrap_features : bool, default=False
        Draw the features with replacement.
    oob_score : bool, default=False
        Score the ensemble on the out-of-bag rows (needs ``bootstrap=True``).
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)`` more.
    sampling_strategy : float, str, dict or callable, default="auto"
        The sampler's strategy (it replaces the strategy of a given ``sampler``, as
        in imbalanced-learn, unless the sampler bypasses it). Dict keys are class
        labels of ``y``.
    replacement : bool, default=False
        Whether the default under-sampler draws with replacement (ignored when
        ``sampler`` is given).
    n_jobs : int, default=None
        Jobs fitting the members in parallel (joblib); -1 uses every core. The model
        does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstraps, the samplers and the base estimators.
    verbose : int, default=0
        Verbosity of the fitting.
    sampler : sampler object, default=None
        The sampler cloned for every member; ``RandomUnderSampler`` when None.

    Attributes
    ----------
    estimator_ : Pipeline
        The unfitted ``Pipeline([("sampler", ...), ("classifier", ...)])`` cloned for
        every member.
    estimators_ : list of Pipeline
        The fitted members.
    sampler_ : sampler object
        The sampler the members are built from.
    estimators_samples_ : list of ndarray
        The rows of each member's bootstrap (before its sampler).
    estimators_features_ : list of ndarray
        The features of each member.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    oob_score_ : float
        Out-of-bag accuracy (with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (with ``oob_score=True``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    See Also
    --------
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced resamples.
    BalancedRandomForestClassifier : Random forest whose trees fit balanced resamples.
    RUSBoostClassifier : AdaBoost with a balanced resample at every round.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.ensemble import BalancedBaggingClassifier
    >>> X, y = make_classification(
    ...     n_samples=500, weights=[0.9, 0.1], random_state=0
    ... )
    >>> clf = BalancedBaggingClassifier(random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> [int(n) for n in clf.estimators_[0]["sampler"].sampling_strategy_.values()]
    [52]
    """

    def __init__(
        self,
        estimator: Any = None,
        n_estimators: int = 10,
        *,
        max_samples: float = 1.0,
        max_features: float = 1.0,
        bootstrap: bool = True,
        bootstrap_features: bool = False,
        oob_score: bool = False,
        warm_start: bool = False,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        n_jobs: int | None = None,
        random_state: RandomStateLike = None,
        verbose: int = 0,
        sampler: Any = None,
    ) -> None:
        super().__init__(
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def _get_estimator(self) -> Any:
        return DecisionTreeClassifier() if self.estimator is None else self.estimator

    def _check_balancing_params(self) -> None:
        super()._check_balancing_params()
        check_sampler(self.sampler)

    def _make_sampler(self) -> Any:
        if self.sampler is None:
            return super()._make_sampler()
        return clone(self.sampler)
