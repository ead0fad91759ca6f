"""One-sided selection (Kubat and Matwin, 1997): a 1-NN pass, then Tomek links.

For each cleaned class, a store C holds the minority class and ``n_seeds_S`` random
rows of the class; the rows of the class that the k-NN rule fitted on C misclassifies
are kept with the seeds (one pass, C never grows: the first pass of condensed nearest
neighbour). The Tomek links of the rows kept are then removed from the cleaned classes.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import index_dtype, take_rows
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels, check_labels
from balancekit._neighbors import NearestNeighbors
from balancekit._params import check_n_jobs
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.base import BaseSampler
from balancekit.under_sampling._condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
    _check_store_size,
    _ExactVotes,
    _RefitVotes,
    _Store,
)
from balancekit.under_sampling._tomek_links import TomekLinks

__all__ = ["OneSidedSelection"]


@dask_entry_point
class OneSidedSelection(CondensedNearestNeighbour):
    """Keep the rows a k-NN rule on a few seeds gets wrong, then drop Tomek links.

    For each class to clean, a store C holds every minority row and ``n_seeds_S``
    random rows of the class. The rows of the class that the k-NN rule fitted on C
    misclassifies are kept, with the seeds; the others are redundant. The Tomek links
    of what remains are then removed from the cleaned classes (``TomekLinks`` with
    the cleaned classes as its ``sampling_strategy``). A drop-in for
    ``imblearn.under_sampling.OneSidedSelection`` that also runs on PyTorch, CuPy, JAX
    and array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw of the seeds. The same int gives the same rows on every
        array library.
    n_neighbors : int, object or None, default=None
        The k of the k-NN rule (``None`` is 1), or an object with ``fit`` and
        ``kneighbors`` (scikit-learn, FAISS or cuML style, e.g. a
        ``KNeighborsClassifier``), called as ``fit(rows_of_C, labels_of_C)`` and
        ``kneighbors(rows)``; its neighbours vote with equal weights.
    n_seeds_S : int, default=1
        Number of rows of each cleaned class C starts with, drawn without
        replacement.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; set on a neighbours object
        that has an ``n_jobs`` parameter. The built-in search does not use it.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The cleaned classes (with placeholder values, as imbalanced-learn).
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, grouped by class in sorted class order; within a
        cleaned class, the seeds first (in draw order), then the misclassified rows
        in the order of ``X``. On the input's device.
    estimators_ : list
        For each cleaned class in sorted order, the neighbours object fitted on its
        C (the minority rows and the seeds).
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    **Differences from imbalanced-learn.** The seeds come from a NumPy
    ``Generator``, not a ``RandomState``, so a seed selects other rows than in
    imbalanced-learn, and they are drawn without replacement (imbalanced-learn may
    draw a row twice and then returns it twice); ``n_seeds_S`` larger than a cleaned
    class is an error. Its ``n_neighbors`` object must be a
    ``KNeighborsClassifier`` (whose ``predict`` decides); here any neighbours object
    works and its neighbours vote with equal weights.

    **Ties and special cases.** A tied vote goes to the smaller class label, as in
    scikit-learn's ``KNeighborsClassifier``. The minority class is the smallest one
    (ties: the first to appear in ``y``, as imbalanced-learn); when it is itself
    cleaned (``"all"``) its rows are all in C, so only its seeds are kept before
    the Tomek links are removed, as in imbalanced-learn.

    References
    ----------
    M. Kubat, S. Matwin, "Addressing the curse of imbalanced training sets: one-sided
    selection", in ICML, vol. 97, pp. 179-186, 1997.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import OneSidedSelection
    >>> X = np.array([[0.0], [1.0], [2.0], [20.0], [21.0], [22.0], [10.0], [11.0]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> oss = OneSidedSelection(random_state=0)
    >>> X_res, y_res = oss.fit_resample(X, y)

    Whatever the seed, the rest of its group is redundant and goes, while the other
    group of class 0, nearer the minority than the seed, stays:

    >>> np.bincount(y_res).tolist()
    [4, 2]
    """

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_n_jobs(self.n_jobs)

    def _fit_dask(self, X: Any, y: Any) -> None:
        # BaseSampler's (no resampling), not CondensedNearestNeighbour's gathering.
        BaseSampler._fit_dask(self, X, y)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._one_sided import one_sided_selection

        result = one_sided_selection(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        selected = super()._kept_indices(flat, labels, xp, device, rng)
        selected = xp.astype(selected, index_dtype(xp, device), copy=False)
        # Tomek links are searched among the rows CNN kept, not the whole X.
        kept = self._without_tomek_links(flat, labels, selected, xp, device, rng)
        return xp.take(selected, kept, axis=0)

    def _without_tomek_links(
        self,
        flat: Array,
        labels: Labels,
        selected: Array,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        """Positions in ``selected`` that ``TomekLinks`` on those rows keeps."""
        subset = check_labels(xp.take(labels.y, selected, axis=0), xp)
        tomek = TomekLinks(sampling_strategy=list(self.sampling_strategy_))
        tomek._resolve_sampling_strategy(subset)
        points = take_rows(flat, selected, xp)
        return tomek._kept_indices(points, subset, xp, device, rng)

    def _condense(self, store: _Store, is_minority: bool, tie_to_class: bool) -> Any:
        """Positions (within the class) of the seeds, then of the misclassified rows.

        One pass of the k-NN rule on C (the minority rows and the seeds), which
        does not grow; minority rows are all in C, so none is misclassified.
        """
        estimator = self._neighbours()
        _check_store_size(estimator, store.n_minority, store.n_seeds)
        xp = store.xp
        kept = store.seeds
        if not is_minority:
            votes = (
                _ExactVotes(store, estimator.n_neighbors, tie_to_class)
                if isinstance(estimator, NearestNeighbors)
                else _RefitVotes(store, estimator, tie_to_class)
            )
            # Unlike CNN, one pass with the initial C (it does not grow), as in
            # imbalanced-learn: every row is voted at once.
            wrong = xp.nonzero(~votes.correct() & ~store.seed_mask())[0]
            kept = xp.concat([kept, xp.astype(wrong, kept.dtype, copy=False)])
        estimator.fit(store.rows_of_C(store.seeds), store.labels_of_C(store.n_seeds))
        self.estimators_.append(estimator)
        return kept
