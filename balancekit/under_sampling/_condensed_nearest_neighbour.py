"""Condensed nearest neighbour (Hart, 1968): keep the rows a k-NN rule needs.

For each cleaned class, the store C starts as the whole minority class plus
``n_seeds_S`` random rows of the class; the rows of the class are then scanned in
order and each one that the k-NN rule on C misclassifies joins C. What is kept of
the class is its part of C.
"""

from __future__ import annotations

from numbers import Integral
from types import ModuleType
from typing import Any, Protocol

import array_api_compat
import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    class_indices,
    index_dtype,
    is_sparse,
    move_indices,
    take_rows,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._features import concat_rows
from balancekit._labels import Labels
from balancekit._neighbors import (
    NearestNeighbors,
    check_neighbors_object,
    kneighbors_of,
)
from balancekit._params import check_int
from balancekit._random import RandomStateLike
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.base import BaseCleaningSampler, BaseFeatureIndexSampler
from balancekit.under_sampling._nearmiss import (
    minority_class,
    with_n_jobs,
)

__all__ = ["CondensedNearestNeighbour"]


@gathered_on_dask
class CondensedNearestNeighbour(BaseFeatureIndexSampler, BaseCleaningSampler):
    """Clean classes down to a subset that a k-NN rule classifies consistently.

    For each class to clean, a store C holds every minority row and ``n_seeds_S``
    random rows of the class. The class rows are visited in order; a row that the
    k-NN rule fitted on C misclassifies (as the minority class) is added to C. The
    rows of the class in C are kept. A drop-in for
    ``imblearn.under_sampling.CondensedNearestNeighbour`` that also runs on PyTorch,
    CuPy, JAX and array-api-strict arrays on their own device.

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
        ``kneighbors(rows)``, refitted after each addition; its neighbours vote
        with equal weights.
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
        cleaned class, the seeds first (in draw order), then the added rows in the
        order of ``X``. On the input's device.
    estimators_ : list
        For each cleaned class in sorted order, a neighbours object fitted on its
        final C (the built-in ``NearestNeighbors``, or a clone of ``n_neighbors``).
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    **Pass structure.** imbalanced-learn visits the rows one at a time and, after
    each addition, refits the classifier and predicts every row again. Here each
    pass computes the vote of every remaining row at once; the first misclassified
    row joins C, the k nearest distances to C of every later row are updated with
    one distance computation to the new row, and the next pass starts after it.
    Rows before the last addition are never re-examined: adding a row of the
    cleaned class only adds votes for that class, so a row classified correctly
    stays so. This is therefore exactly the sequential rule, with one pass per
    added row instead of one classifier fit per added row. Each pass sends one
    scalar (the next row to add) to the host, and the added positions go back to
    the device once at the end. With ``n_neighbors=1`` the result is a consistent
    subset: the 1-NN rule on C classifies every row of the class correctly (with a
    larger k, an added row may still be outvoted; neither implementation examines
    it again).

    **Differences from imbalanced-learn.** The seeds come from a NumPy
    ``Generator``, not a ``RandomState``, so a seed selects other rows than in
    imbalanced-learn, and they are drawn without replacement (imbalanced-learn may
    draw a row twice and then returns it twice). imbalanced-learn also skips the
    rows whose position *within the class* equals the position *in X* of a kept
    row (it compares the two kinds of index), so it can leave misclassified rows
    out and keep fewer rows; every row is examined here. Its ``n_neighbors``
    object must be a ``KNeighborsClassifier`` (whose ``predict`` decides); here
    any neighbours object works and its neighbours vote with equal weights.

    **Ties and special cases.** A tied vote goes to the smaller class label, as in
    scikit-learn's ``KNeighborsClassifier``; with the built-in search, a minority
    row and a class row at the same distance count for the class (a neighbours
    object orders such ties its own way). The minority class is the smallest one
    (ties: the first to appear in ``y``, as imbalanced-learn); when it is itself
    cleaned (``"all"``) its rows are all in C already, so only its seeds are kept,
    as in imbalanced-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import CondensedNearestNeighbour
    >>> X = np.array([[0.0], [1.0], [2.0], [20.0], [21.0], [10.0], [11.0]])
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1])
    >>> sampler = CondensedNearestNeighbour(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)

    Whatever the seed, one row of each group of class 0 is needed:

    >>> np.bincount(y_res).tolist()
    [2, 2]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        n_neighbors: Any = None,
        n_seeds_S: int = 1,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        self._neighbours()
        check_int(self.n_seeds_S, "n_seeds_S")

    def _neighbours(self) -> Any:
        """A fresh neighbours object for ``n_neighbors`` (``None`` is 1)."""
        value = 1 if self.n_neighbors is None else self.n_neighbors
        return with_n_jobs(check_neighbors_object("n_neighbors", value), self.n_jobs)

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        minority = minority_class(labels, xp)
        minority_points = take_rows(flat, class_indices(labels.y, minority, xp), xp)
        self.estimators_: list[Any] = []
        parts = []
        for cls, n_class in zip(labels.classes, labels.counts, strict=True):
            members = class_indices(labels.y, cls, xp)
            if cls in self.sampling_strategy_:
                seeds = self._draw_seeds(n_class, cls, rng)
                points = take_rows(flat, members, xp)
                store = _Store(points, minority_points, seeds, xp, device)
                order = labels.classes
                # scikit-learn's k-NN vote breaks ties towards the smaller label: the
                # class wins a tie only when it sorts before the minority, as in
                # imbalanced-learn.
                tie_to_class = order.index(cls) < order.index(minority)
                kept = self._condense(store, cls == minority, tie_to_class)
                members = xp.take(members, kept, axis=0)
            parts.append(members)
        return xp.concat(parts)

    def _draw_seeds(self, n_class: int, cls: Any, rng: np.random.Generator):
        """Positions (within the class) of the rows C starts with."""
        if self.n_seeds_S > n_class:
            raise ValueError(
                f"`n_seeds_S`={self.n_seeds_S} is larger than class {cls!r}, which "
                f"has {n_class} samples; the seeds are distinct rows of the class. "
                f"Lower `n_seeds_S` to at most {n_class}."
            )
        return rng.choice(n_class, size=int(self.n_seeds_S), replace=False)

    def _condense(self, store: _Store, is_minority: bool, tie_to_class: bool) -> Any:
        """Positions (within the class) of the rows kept, on the device.

        The seeds come first, then the added rows in order.
        """
        estimator = self._neighbours()
        _check_store_size(estimator, store.n_minority, store.n_seeds)
        added: list[int] = []
        if not is_minority:  # minority rows are all in C: none is misclassified
            votes: _Votes
            if isinstance(estimator, NearestNeighbors):
                votes = _ExactVotes(store, estimator.n_neighbors, tie_to_class)
            else:
                votes = _RefitVotes(store, estimator, tie_to_class)
            added = _scan(votes, store)
        xp, device = store.xp, store.device
        kept = xp.concat(
            [store.seeds, move_indices(np.asarray(added, dtype=np.int64), xp, device)]
        )
        estimator.fit(store.rows_of_C(kept), store.labels_of_C(int(kept.shape[0])))
        self.estimators_.append(estimator)
        return kept


class _Store:
    """The rows of one cleaned class, the minority rows, and the seeds (on device)."""

    def __init__(
        self,
        points: Array,
        minority_points: Array,
        seeds: np.ndarray,
        xp: ModuleType,
        device: Device,
    ) -> None:
        self.points = points
        self.minority_points = minority_points
        self.seeds = move_indices(seeds, xp, device)
        self.xp = xp
        self.device = device
        self.n_rows = int(points.shape[0])
        self.n_minority = int(minority_points.shape[0])
        self.n_seeds = int(seeds.size)

    def rows_of_C(self, kept: Array) -> Any:
        """The minority rows, then the rows ``kept`` (positions) of the class."""
        chosen = take_rows(self.points, kept, self.xp)
        return concat_rows(self.minority_points, chosen, self.xp)

    def labels_of_C(self, n_kept: int) -> Any:
        """0 for each minority row, then 1 for each of the ``n_kept`` class rows."""
        xp, dtype = self.xp, index_dtype(self.xp, self.device)
        return xp.concat(
            [
                xp.zeros(self.n_minority, dtype=dtype, device=self.device),
                xp.ones(n_kept, dtype=dtype, device=self.device),
            ]
        )

    def seed_mask(self) -> Any:
        """Whether each row of the class is a seed, on the device."""
        xp, device = self.xp, self.device
        positions = xp.arange(self.n_rows, dtype=index_dtype(xp, device), device=device)
        return xpx.isin(positions, self.seeds, xp=xp)


class _Votes(Protocol):
    """The k-NN rule on C, applied to the rows of the class not yet passed."""

    def correct(self) -> Any:
        """Whether each remaining row is classified as its class (1-D bool)."""

    def advance(self, first: int, position: int) -> None:
        """Add remaining row ``first`` (``position`` in the class) to C.

        The remaining rows become those after it.
        """


def _scan(votes: _Votes, store: _Store) -> list[int]:
    """Hart's pass: the positions of the rows added to C, in order."""
    xp = store.xp
    not_seed = ~store.seed_mask()
    added: list[int] = []
    offset = 0
    while True:
        # The rows before the first misclassified one are judged with the same C as
        # in Hart's row-by-row loop: vote all remaining rows at once, add the first
        # wrong one to C, and resume after it.
        first = _first_true(~votes.correct() & not_seed, xp, store.device)
        if first is None:
            return added
        added.append(offset + first)
        offset += first + 1
        not_seed = not_seed[first + 1 :]
        votes.advance(first, offset - 1)


class _ExactVotes:
    """Exact Euclidean k-NN votes, updated incrementally as rows join C.

    ``minority`` holds each remaining row's k nearest minority distances (fixed),
    ``own`` its k nearest distances to the class rows in C, both sorted and padded
    with infinity. The number of class votes among the k nearest of C is the
    number of ``j`` with ``own[j] <= minority[k - 1 - j]`` (merging two sorted
    lists); a distance tie counts for the class.
    """

    def __init__(self, store: _Store, k: int, tie_to_class: bool) -> None:
        xp = store.xp
        self.xp, self.k, self.tie_to_class = xp, k, tie_to_class
        self.minority = _k_smallest(store.minority_points, store.points, k, xp)
        seed_rows = take_rows(store.points, store.seeds, xp)
        own = _k_smallest(seed_rows, store.points, k, xp)
        # New distances are computed in the precision of the search's (float64 for
        # NumPy, as scikit-learn's), so that all the compared distances agree.
        dtype = self.minority.dtype
        self.own = xp.astype(own, dtype, copy=False)
        self.rest = (
            store.points
            if is_sparse(store.points)
            else xp.astype(store.points, dtype, copy=False)
        )

    def correct(self) -> Any:
        xp = self.xp
        class_votes = xp.sum(
            xp.astype(self.own <= xp.flip(self.minority, axis=1), xp.int32), axis=1
        )
        return _majority_is_class(class_votes, self.k, self.tie_to_class)

    def advance(self, first: int, position: int) -> None:
        xp = self.xp
        new_row = _row(self.rest, first)
        self.rest = self.rest[first + 1 :, ...]
        self.minority = self.minority[first + 1 :, ...]
        own = self.own[first + 1 :, ...]
        # Only the new row of C brings new distances: merge them into each remaining
        # row's k smallest instead of searching again.
        distances = xp.astype(_distances_to(self.rest, new_row, xp), own.dtype)
        if self.k == 1:
            self.own = xp.minimum(own, distances[:, None])
        else:
            merged = xp.concat([own, distances[:, None]], axis=1)
            self.own = xp.sort(merged, axis=1)[:, : self.k]


class _RefitVotes:
    """Votes from any neighbours object, refitted on C after each addition."""

    def __init__(self, store: _Store, estimator: Any, tie_to_class: bool) -> None:
        self.store, self.estimator, self.tie_to_class = store, estimator, tie_to_class
        self.rest = store.points
        self.kept = store.seeds

    def correct(self) -> Any:
        store, xp = self.store, self.store.xp
        labels = store.labels_of_C(int(self.kept.shape[0]))
        self.estimator.fit(store.rows_of_C(self.kept), labels)
        neighbours = kneighbors_of(
            self.estimator, self.rest, "n_neighbors", xp, store.device
        )
        k = int(neighbours.shape[1])
        votes = xp.take(labels, xp.reshape(neighbours, (-1,)), axis=0)
        class_votes = xp.sum(xp.reshape(votes, (-1, k)), axis=1)
        return _majority_is_class(class_votes, k, self.tie_to_class)

    def advance(self, first: int, position: int) -> None:
        xp, device = self.store.xp, self.store.device
        self.rest = self.rest[first + 1 :, ...]
        new = move_indices(np.asarray([position]), xp, device)
        self.kept = xp.concat([self.kept, new])


def _majority_is_class(class_votes: Array, k: int, tie_to_class: bool) -> Any:
    """Whether the class wins the vote: a majority, or a tie if it wins ties."""
    twice = 2 * class_votes
    return twice >= k if tie_to_class else twice > k


def _first_true(mask: Array, xp: ModuleType, device: Device) -> int | None:
    """Position of the first True of a 1-D mask, or None (one scalar to the host)."""
    n = int(mask.shape[0])
    if n == 0:
        return None
    # argmax returns the first maximum; the trailing 1 makes an all-False mask
    # answer n (none) instead of 0.
    sentinel = xp.ones(1, dtype=xp.int8, device=device)
    first = int(xp.argmax(xp.concat([xp.astype(mask, xp.int8), sentinel])))
    return None if first == n else first


def _k_smallest(fit_points: Array, query: Array, k: int, xp: ModuleType) -> Any:
    """Sorted distances to the k nearest of ``fit_points``, padded with infinity."""
    n_fit = int(fit_points.shape[0])
    distances, _ = (
        NearestNeighbors(n_neighbors=min(k, n_fit)).fit(fit_points).kneighbors(query)
    )
    if n_fit >= k:
        return distances
    device = array_api_compat.device(distances)
    padding = xp.full(
        (int(distances.shape[0]), k - n_fit),
        xp.inf,
        dtype=distances.dtype,
        device=device,
    )
    return xp.concat([distances, padding], axis=1)


def _row(points: Array, i: int) -> Any:
    """Row ``i`` as a (1, n_features) array or sparse matrix."""
    return points[i : i + 1] if is_sparse(points) else points[i : i + 1, ...]


def _distances_to(rows: Array, row: Array, xp: ModuleType) -> Any:
    """Euclidean distance of each of ``rows`` to the single ``row``."""
    if is_sparse(rows):
        from sklearn.metrics.pairwise import euclidean_distances

        return euclidean_distances(rows, row)[:, 0]
    return xp.sqrt(xp.sum((rows - row) ** 2, axis=1))


def _check_store_size(estimator: Any, n_minority: int, n_seeds: int) -> None:
    """The k-NN rule needs at least k rows in C from the start: the minority rows
    and the seeds."""
    k = getattr(estimator, "n_neighbors", None)
    n_start = n_minority + n_seeds
    if isinstance(k, Integral) and int(k) > n_start:
        raise ValueError(
            f"`n_neighbors`={k} is larger than the {n_start} rows the k-NN rule "
            f"starts from ({n_minority} minority rows and `n_seeds_S`="
            f"{n_seeds} seeds). Lower `n_neighbors` or raise `n_seeds_S`."
        )
