"""Balanced random forest: every tree grows on a random under-sample of the classes."""

from __future__ import annotations

from typing import Any
from warnings import warn

import numpy as np
from imblearn.pipeline import make_pipeline
from scipy.sparse import issparse
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.ensemble._forest import (
    _generate_sample_indices,
    _get_n_samples_bootstrap,
    _parallel_build_trees,
)
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_sample_weight, validate_data

from balancekit._params import check_bool
from balancekit._random import RandomStateLike
from balancekit.base import BaseIndexSampler
from balancekit.ensemble._common import (
    HostInputMixin,
    check_single_output,
    encoded_strategy,
    host_array,
)
from balancekit.under_sampling import RandomUnderSampler

__all__ = ["BalancedRandomForestClassifier"]

MAX_INT = np.iinfo(np.int32).max
DTYPE = np.float32  # what scikit-learn's trees split on


def _draw_rows(sampler: Any, X: Any, codes: np.ndarray) -> np.ndarray:
    """The rows one tree grows on: the sampler's ``sample_indices_``.

    balancekit's index samplers draw them from the labels alone (no copy of ``X``);
    another sampler resamples ``X`` and its indices are read back.
    """
    if isinstance(sampler, BaseIndexSampler):
        return np.asarray(sampler.fit_resample_indices(codes))
    sampler.fit_resample(X, codes)
    return np.asarray(sampler.sample_indices_)


def _build_tree(
    sampler: Any,
    tree: Any,
    forest: BalancedRandomForestClassifier,
    X: Any,
    y: np.ndarray,
    codes: np.ndarray,
    sample_weight: np.ndarray | None,
    tree_idx: int,
    n_trees: int,
    n_samples_bootstrap: int,
    missing_values_in_feature_mask: Any,
) -> tuple[Any, Any]:
    rows = _draw_rows(sampler, X, codes)
    # The only copy of X per tree: the rows it grows on, which the splitter needs
    # contiguous (weights of zero would keep every row of X in every node).
    X_tree = X[rows] if issparse(X) else np.take(X, rows, axis=0)
    weights = None if sample_weight is None else sample_weight[rows]
    tree = _parallel_build_trees(
        tree,
        forest.bootstrap,
        X_tree,
        y[rows],
        weights,
        tree_idx,
        n_trees,
        verbose=forest.verbose,
        class_weight=forest.class_weight,
        n_samples_bootstrap=min(n_samples_bootstrap, rows.shape[0]),
        missing_values_in_feature_mask=missing_values_in_feature_mask,
    )
    return sampler, tree


class BalancedRandomForestClassifier(HostInputMixin, RandomForestClassifier):
    """A random forest whose trees each grow on a balanced random under-sample.

    A drop-in for ``imblearn.ensemble.BalancedRandomForestClassifier`` (Chen, Liaw and
    Breiman, 2004): before each tree, balancekit's ``RandomUnderSampler`` draws the
    tree's rows from the labels alone (``fit_resample_indices``), and only those rows
    of ``X`` are copied for the tree. With the defaults (``sampling_strategy="all"``,
    ``replacement=True``, ``bootstrap=False``) every class contributes a bootstrap of
    the minority's size. ``sample_weight`` and ``class_weight`` follow the drawn rows.

    The trees are scikit-learn's, fitted on the host in NumPy; host-memory arrays of
    other libraries (CPU tensors) are read once into NumPy, arrays on an accelerator
    are refused with a ``TypeError``.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Split quality measure.
    max_depth : int, default=None
        Maximum depth of the trees.
    min_samples_split : int or float, default=2
        Minimum samples to split a node.
    min_samples_leaf : int or float, default=1
        Minimum samples in a leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum weighted share of the samples in a leaf.
    max_features : {"sqrt", "log2", None}, int or float, default="sqrt"
        Features considered at each split.
    max_leaf_nodes : int, default=None
        Grow trees with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        Split only if the impurity falls by at least this much.
    bootstrap : bool, default=False
        Bootstrap each tree's under-sample again before growing it.
    oob_score : bool or callable, default=False
        Score on the rows of each under-sample left out by its bootstrap (needs
        ``bootstrap=True``).
    sampling_strategy : float, str, dict or callable, default="all"
        The under-sampler's strategy: a float (binary: n_minority / n_majority
        after), ``"majority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
        ``"auto"``, a dict ``{class: n_samples}`` or a callable ``f(y) -> dict``.
    replacement : bool, default=True
        Under-sample with replacement.
    n_jobs : int, default=None
        Threads growing the trees (joblib); the model does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the under-samplers, the bootstraps and the trees.
    verbose : int, default=0
        Verbosity of the fitting.
    warm_start : bool, default=False
        Keep the fitted trees and add ``n_estimators - len(estimators_)`` more.
    class_weight : dict, list of dict, "balanced" or "balanced_subsample", default=None
        Class weights, as in scikit-learn's ``RandomForestClassifier``.
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning.
    max_samples : int or float, default=None
        With ``bootstrap=True``, rows of each under-sample to bootstrap.
    monotonic_cst : array-like of int of shape (n_features,), default=None
        Monotonicity constraints of the features.

    Attributes
    ----------
    estimator_ : DecisionTreeClassifier
        The tree cloned for every member.
    base_sampler_ : RandomUnderSampler
        The sampler cloned for every tree.
    estimators_ : list of DecisionTreeClassifier
        The fitted trees.
    samplers_ : list of RandomUnderSampler
        The fitted samplers; ``samplers_[i].sample_indices_`` are tree ``i``'s rows.
    pipelines_ : list of Pipeline
        ``make_pipeline(sampler, tree)`` per tree (built on access; the pipelines
        share the fitted objects).
    estimators_samples_ : list of ndarray
        The rows of ``X`` each tree grew on (after its bootstrap, if any).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        The number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.
    n_outputs_ : int
        Always 1.
    feature_importances_ : ndarray of shape (n_features,)
        Impurity-based importances.
    oob_score_ : float
        Out-of-bag accuracy (with ``oob_score=True``).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (with ``oob_score=True``).

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler and base estimator.
    EasyEnsembleClassifier : Bag of AdaBoost learners on balanced resamples.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.ensemble import BalancedRandomForestClassifier
    >>> X, y = make_classification(
    ...     n_samples=1000, weights=[0.95, 0.05], random_state=0
    ... )
    >>> clf = BalancedRandomForestClassifier(n_estimators=10, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> import numpy as np
    >>> np.bincount(y[clf.estimators_samples_[0]]).tolist()
    [54, 54]
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: float = 2,
        min_samples_leaf: float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        oob_score: Any = False,
        sampling_strategy: Any = "all",
        replacement: bool = True,
        n_jobs: int | None = None,
        random_state: RandomStateLike = None,
        verbose: int = 0,
        warm_start: bool = False,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: Any = None,
        monotonic_cst: Any = None,
    ) -> None:
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _make_sampler(self) -> Any:
        """The under-sampler cloned for every tree (a hook for other samplers)."""
        return RandomUnderSampler(
            sampling_strategy=self._sampling_strategy, replacement=self.replacement
        )

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> BalancedRandomForestClassifier:
        """Grow the trees, each on a balanced under-sample of ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training features (converted to float32, as scikit-learn's forests do):
            NumPy, pandas, SciPy sparse, or a host-memory array of another library.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; each tree gets those of its rows.

        Returns
        -------
        self : object
            The fitted forest.
        """
        owner = type(self).__name__
        X = host_array(X, "X", owner)
        y = host_array(y, "y", owner)
        sample_weight = host_array(sample_weight, "sample_weight", owner)
        self._validate_params()
        check_bool(self.replacement, "replacement")
        if issparse(y):
            raise ValueError("sparse multilabel-indicator for y is not supported.")
        X, y = validate_data(
            self,
            X=X,
            y=y,
            multi_output=True,
            accept_sparse="csc",
            dtype=DTYPE,
            ensure_all_finite=False,
        )
        check_single_output(y, owner)
        # Which features hold NaN (and whether the criterion allows it), once for all.
        probe = type(self.estimator)(criterion=self.criterion)
        missing_mask = probe._compute_missing_values_in_feature_mask(
            X, estimator_name=owner
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        if issparse(X):
            X.sort_indices()  # once here, not in every tree
        if y.ndim == 2 and y.shape[1] == 1:
            warn(
                "A column-vector y was passed when a 1d array was expected. Please "
                "change the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=2,
            )
        y = np.reshape(np.ravel(y), (-1, 1))
        self.n_outputs_ = 1
        y_encoded, expanded_class_weight = self._validate_y_class_weight(
            y, sample_weight
        )
        y_encoded = np.ascontiguousarray(y_encoded, dtype=np.float64)
        codes = y_encoded[:, 0].astype(np.intp)
        classes: list = self.classes_  # one array per output until the end of fit
        self._sampling_strategy = encoded_strategy(self.sampling_strategy, classes[0])
        if expanded_class_weight is not None:
            sample_weight = (
                expanded_class_weight
                if sample_weight is None
                else sample_weight * expanded_class_weight
            )
        # As imbalanced-learn on scikit-learn 1.9: sized on the whole set (and its
        # weights), then capped at each tree's under-sample.
        n_samples_bootstrap = _get_n_samples_bootstrap(
            n_samples=X.shape[0],
            max_samples=self.max_samples,
            sample_weight=sample_weight,
        )
        self._n_samples_bootstrap = n_samples_bootstrap
        self._validate_estimator()
        self.base_sampler_ = self._make_sampler()
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")

        random_state = check_random_state(self.random_state)
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_: list = []
            self.samplers_: list = []
        n_more = self.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True"
            )
        if n_more == 0:
            warn(
                "Warm-start fitting without increasing n_estimators does not fit "
                "new trees.",
                stacklevel=2,
            )
        else:
            if self.warm_start and len(self.estimators_) > 0:
                random_state.randint(MAX_INT, size=len(self.estimators_))
            trees, samplers = [], []
            # Seeds in imbalanced-learn's order (tree, then sampler), all before the
            # threads start: n_jobs cannot change the model.
            for _ in range(n_more):
                trees.append(
                    self._make_estimator(append=False, random_state=random_state)
                )
                sampler = clone(self.base_sampler_)
                _set_random_states(sampler, random_state)
                samplers.append(sampler)
            # Threads: the tree builder releases the GIL (as scikit-learn's forests).
            built = Parallel(
                n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads"
            )(
                delayed(_build_tree)(
                    sampler,
                    tree,
                    self,
                    X,
                    y_encoded,
                    codes,
                    sample_weight,
                    i,
                    len(trees),
                    n_samples_bootstrap,
                    missing_mask,
                )
                for i, (sampler, tree) in enumerate(zip(samplers, trees, strict=True))
            )
            self.samplers_.extend(pair[0] for pair in built)
            self.estimators_.extend(pair[1] for pair in built)

        self._sample_weight = sample_weight
        if self.oob_score:
            scoring = self.oob_score if callable(self.oob_score) else None
            self._set_oob_score_and_attributes(X, y_encoded, scoring)
        self.n_classes_: Any = self.n_classes_[0]
        self.classes_: Any = classes[0]
        return self

    @property
    def pipelines_(self) -> list:
        """``make_pipeline(sampler, tree)`` per tree (sharing the fitted objects)."""
        return [
            make_pipeline(sampler, tree)
            for sampler, tree in zip(self.samplers_, self.estimators_, strict=True)
        ]

    def _tree_rows(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Per tree: its under-sample's rows of X, and the in-bag positions in them."""
        out: list[tuple[np.ndarray, np.ndarray | None]] = []
        for sampler, tree in zip(self.samplers_, self.estimators_, strict=True):
            rows = np.asarray(sampler.sample_indices_)
            if not self.bootstrap:
                out.append((rows, None))
                continue
            weights = None if self._sample_weight is None else self._sample_weight[rows]
            # The size the fit used (imbalanced-learn's OOB recomputes it from the
            # under-sample's size, which differs when max_samples is set).
            n_bootstrap = min(self._n_samples_bootstrap, rows.shape[0])
            in_bag = _generate_sample_indices(
                tree.random_state, rows.shape[0], n_bootstrap, weights
            )
            out.append((rows, in_bag))
        return out

    @property
    def estimators_samples_(self) -> list[np.ndarray]:
        """The rows of ``X`` each tree grew on (with repeats), after its bootstrap."""
        return [
            rows if in_bag is None else rows[in_bag]
            for rows, in_bag in self._tree_rows()
        ]

    def _set_oob_score_and_attributes(
        self, X: Any, y: np.ndarray, scoring_function: Any = None
    ) -> None:
        # scikit-learn's version calls BaseForest's OOB rows (all rows of X): ours
        # are the under-samples' rows left out by their bootstraps.
        self.oob_decision_function_ = self._compute_oob_predictions(X, y)[..., 0]
        scoring_function = scoring_function or accuracy_score
        self.oob_score_ = scoring_function(
            y, np.argmax(self.oob_decision_function_, axis=1)
        )

    def _compute_oob_predictions(self, X: Any, y: np.ndarray) -> np.ndarray:
        # Out of bag = in a tree's under-sample but left out by its bootstrap; rows
        # the under-sampler never drew are not out of bag (imbalanced-learn's rule).
        if issparse(X):
            X = X.tocsr()
        n_samples = y.shape[0]
        oob_pred = np.zeros((n_samples, self.n_classes_[0], 1), dtype=np.float64)
        n_oob_pred = np.zeros((n_samples, 1), dtype=np.int64)
        for (rows, in_bag), tree in zip(
            self._tree_rows(), self.estimators_, strict=True
        ):
            counts = np.bincount(np.asarray(in_bag), minlength=rows.shape[0])
            oob_rows = rows[counts == 0]
            oob_pred[oob_rows, ...] += self._get_oob_predictions(tree, X[oob_rows])
            n_oob_pred[oob_rows, :] += 1
        if (n_oob_pred == 0).any():
            warn(
                "Some inputs do not have OOB scores. This probably means too few "
                "trees were used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=2,
            )
            n_oob_pred[n_oob_pred == 0] = 1
        oob_pred[..., 0] /= n_oob_pred[..., [0]]
        return oob_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        return tags
