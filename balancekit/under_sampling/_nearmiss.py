"""NearMiss: keep the majority rows nearest to (or farthest from) the minority class.

Distances come from a neighbours object fitted on the minority rows (the built-in
exact search by default), scores and orderings are computed with ``xp`` on the input's
device, and only class sizes cross to the host.
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    class_indices,
    is_numpy_namespace,
    is_sparse,
    take_rows,
    top_k,
)
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels
from balancekit._neighbors import (
    RERANK_MARGIN,
    NearestNeighbors,
    check_neighbors_object,
    kneighbors_of,
    memory_budget,
)
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import Validated
from balancekit._warnings import user_stacklevel
from balancekit.base import BaseFeatureIndexSampler, BaseUnderSampler

__all__ = ["NearMiss"]

_VERSIONS = (1, 2, 3)


@dask_entry_point
class NearMiss(BaseFeatureIndexSampler, BaseUnderSampler):
    """Under-sample with the NearMiss-1, -2 or -3 rules (Mani and Zhang, 2003).

    Each targeted class keeps the rows whose distances to the minority class score
    best: NearMiss-1 keeps the rows with the smallest summed distance to their
    ``n_neighbors`` nearest minority rows, NearMiss-2 the rows with the smallest
    summed distance to their ``n_neighbors`` *farthest* minority rows, and NearMiss-3
    first restricts each class to the ``n_neighbors_ver3`` nearest rows of every
    minority row, then keeps the candidates with the *largest* summed distance to
    their ``n_neighbors`` nearest minority rows. A drop-in for
    ``imblearn.under_sampling.NearMiss`` (same rows, same order) that also runs on
    PyTorch, CuPy, JAX and array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to keep, as for ``RandomUnderSampler``: ``"auto"`` shrinks every class
        but the minority to the minority count.
    version : {1, 2, 3}, default=1
        The NearMiss rule.
    n_neighbors : int or object, default=3
        Number of minority neighbours the distances are summed over, or an object
        with ``fit``, ``kneighbors`` and an integer ``n_neighbors`` attribute
        (scikit-learn, FAISS or cuML style) whose ``kneighbors`` returns distances
        and indices.
    n_neighbors_ver3 : int or object, default=3
        NearMiss-3 only: number of nearest rows of the class taken around each
        minority row to form the candidates, or a neighbours object.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; set on a neighbours object
        that has an ``n_jobs`` parameter. The built-in search does not use it.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples kept, for the targeted classes.
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, grouped by class in sorted class order; within a
        targeted class, best score first. On the input's device.
    nn_ : object
        The neighbours object of ``n_neighbors``, fitted on the minority rows.
    nn_ver3_ : object
        NearMiss-3 only: the neighbours object of ``n_neighbors_ver3``, fitted on the
        rows of the last targeted class.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    The minority class is the smallest one; among classes of equal size, the one
    whose first row comes first in ``y`` (as imbalanced-learn). Equal scores keep
    the order of the rows in ``X``. NearMiss-3 can keep fewer rows than
    ``sampling_strategy`` asks when the candidates are too few; a ``UserWarning``
    then says so. ``X`` may have more than two dimensions: distances use the
    flattened features.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import NearMiss
    >>> X = np.array([[0.0], [0.1], [0.2], [1.0], [5.0], [9.0], [0.3], [0.4]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> sampler = NearMiss(n_neighbors=1)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.sample_indices_.tolist()
    [2, 1, 6, 7]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        version: int = 1,
        n_neighbors: Any = 3,
        n_neighbors_ver3: Any = 3,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        if (
            isinstance(self.version, bool)
            or not isinstance(self.version, Integral)
            or self.version not in _VERSIONS
        ):
            raise ValueError(
                f"`version` must be 1, 2 or 3 (NearMiss-1, -2 or -3); got "
                f"{self.version!r}."
            )
        self._neighbours("n_neighbors", self.n_neighbors)
        if self.version == 3:
            self._neighbours("n_neighbors_ver3", self.n_neighbors_ver3)

    def _neighbours(self, name: str, value: Any) -> Any:
        """A fresh neighbours object for parameter ``name``, with ``n_jobs`` set."""
        estimator = check_neighbors_object(name, value)
        return with_n_jobs(estimator, self.n_jobs)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._nearmiss import near_miss

        result = near_miss(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: Namespace,
        device: Device,
        rng: np.random.Generator,
    ) -> Array:
        minority = minority_class(labels, xp)
        minority_points = take_rows(flat, class_indices(labels.y, minority, xp), xp)
        self.nn_ = self._neighbours("n_neighbors", self.n_neighbors)
        if self.version != 2:
            check_at_most("n_neighbors", self.nn_, labels.class_counts[minority])
        self.nn_.fit(minority_points)
        parts = []
        for cls in labels.classes:
            members = class_indices(labels.y, cls, xp)
            if cls in self.sampling_strategy_:
                n_keep = self.sampling_strategy_[cls]
                points = take_rows(flat, members, xp)
                local = self._select(points, minority_points, cls, n_keep, xp, device)
                members = xp.take(members, local, axis=0)
            parts.append(members)
        return xp.concat(parts)

    def _select(
        self,
        points: Array,
        minority_points: Array,
        cls: Any,
        n_keep: int,
        xp: Namespace,
        device: Device,
    ) -> Array:
        """Positions (into ``points``) of the ``n_keep`` best rows of class ``cls``."""
        k = _n_neighbors_attribute(self.nn_)
        if self.version == 1:
            scores = self._scores(points, k, k, xp, device)
            return xp.argsort(scores, stable=True)[:n_keep]
        if self.version == 2:
            scores = self._farthest_scores(points, minority_points, k, xp, device)
            return xp.argsort(scores, stable=True)[:n_keep]
        candidates = self._ver3_candidates(points, minority_points, cls, xp, device)
        scores = self._scores(take_rows(points, candidates, xp), k, k, xp, device)
        order = xp.argsort(-scores, stable=True)
        n_candidates = int(candidates.shape[0])
        if n_candidates < n_keep:
            warnings.warn(
                f"NearMiss-3 found {n_candidates} candidate rows of class {cls!r} "
                f"(the `n_neighbors_ver3` nearest rows of each minority row), fewer "
                f"than the {n_keep} that `sampling_strategy` asks to keep; all "
                f"{n_candidates} are kept. Raise `n_neighbors_ver3` to keep more.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return xp.take(candidates, order[: min(n_keep, n_candidates)], axis=0)

    def _scores(
        self, points: Array, n_query: int, n_sum: int, xp: Namespace, device: Device
    ) -> Array:
        """Summed distance of each row to its ``n_sum`` farthest of ``n_query``.

        The ``n_query`` nearest minority rows are asked of ``nn_``; the last
        ``n_sum`` (the farthest of them) are summed.
        """
        distances = kneighbor_distances(
            self.nn_, points, n_query, "n_neighbors", xp, device
        )
        start = max(int(distances.shape[1]) - n_sum, 0)
        return xp.sum(distances[:, start:], axis=1)

    def _farthest_scores(
        self,
        points: Array,
        minority_points: Array,
        k: int,
        xp: Namespace,
        device: Device,
    ) -> Array:
        """NearMiss-2: summed distance of each row to its k farthest minority rows.

        A neighbours object of the user is asked for every minority row, as in
        imbalanced-learn; the built-in search is replaced by a kernel that keeps
        only the farthest candidates, which avoids sorting all the distances.
        """
        if isinstance(self.nn_, NearestNeighbors) and not is_sparse(points):
            return farthest_distance_sums(points, minority_points, k, xp, device)
        n_minority = int(minority_points.shape[0])
        return self._scores(points, n_minority, k, xp, device)

    def _ver3_candidates(
        self,
        points: Array,
        minority_points: Array,
        cls: Any,
        xp: Namespace,
        device: Device,
    ) -> Array:
        """Sorted positions of the rows among the nearest of some minority row."""
        self.nn_ver3_ = self._neighbours("n_neighbors_ver3", self.n_neighbors_ver3)
        check_at_most("n_neighbors_ver3", self.nn_ver3_, int(points.shape[0]), cls=cls)
        self.nn_ver3_.fit(points)
        neighbours = kneighbors_of(
            self.nn_ver3_, minority_points, "n_neighbors_ver3", xp, device
        )
        return xp.sort(xp.unique_values(xp.reshape(neighbours, (-1,))))


def minority_class(labels: Labels, xp: Namespace) -> Any:
    """The smallest class; ties go to the class whose first row comes first in ``y``.

    This is imbalanced-learn's rule (``min`` over a ``Counter``, which keeps the order
    of first appearance). Only one index per tied class crosses to the host.
    """
    smallest = min(labels.counts)
    tied = [
        c for c, n in zip(labels.classes, labels.counts, strict=True) if n == smallest
    ]
    if len(tied) == 1:
        return tied[0]
    first_rows = [int(xp.min(class_indices(labels.y, c, xp))) for c in tied]
    return tied[int(np.argmin(first_rows))]


def with_n_jobs(estimator: Any, n_jobs: int | None) -> Any:
    """Set ``n_jobs`` on a neighbours object that has such a parameter."""
    get_params = getattr(estimator, "get_params", None)
    if n_jobs is not None and get_params is not None and "n_jobs" in get_params():
        estimator.set_params(n_jobs=n_jobs)
    return estimator


def farthest_distance_sums(
    points: Array, fit_points: Array, k: int, xp: Namespace, device: Device
) -> Array:
    """Sum of the distances from each row of ``points`` to its k farthest fit rows.

    Chunked like the nearest-neighbour search: squared distances from one matrix
    product per chunk of rows, the ``k + margin`` largest kept, then exact
    distances of those candidates re-ranked, so round-off in the product never
    changes which rows are the farthest. The k largest are summed from smallest to
    largest (as imbalanced-learn sums the tail of a sorted neighbour list).
    Memory stays O(chunk x n_fit).
    """
    n_fit, n_features = int(fit_points.shape[0]), int(fit_points.shape[1])
    k = min(k, n_fit)
    n_candidates = min(n_fit, k + RERANK_MARGIN)
    per_row = n_fit * 8 * 3 + n_candidates * n_features * 8
    n_rows = int(points.shape[0])
    chunk = max(1, min(n_rows, memory_budget(xp, device) // per_row))
    fit_sq = xp.sum(fit_points * fit_points, axis=1)
    # The exact distances in the wider of the input's and the namespace's default
    # float: float64 for NumPy, as scikit-learn's (hence imbalanced-learn's).
    exact_dtype = xp.result_type(points.dtype, xpx.default_dtype(xp, device=device))
    sums = []
    for start in range(0, n_rows, chunk):
        block = points[start : start + chunk, ...]
        approx = xp.sum(block * block, axis=1)[:, None] - 2 * (block @ fit_points.T)
        approx = approx + fit_sq[None, :]
        # Only the k + margin largest approximate distances: no full sort of n_fit.
        candidates = top_k(approx, n_candidates, xp, largest=True)
        rows = xp.take(fit_points, xp.reshape(candidates, (-1,)), axis=0)
        rows = xp.reshape(rows, (int(block.shape[0]), n_candidates, n_features))
        rows, block = xp.astype(rows, exact_dtype), xp.astype(block, exact_dtype)
        exact = xp.sqrt(xp.sum((rows - block[:, None, :]) ** 2, axis=2))
        sums.append(xp.sum(xp.sort(exact, axis=1)[:, n_candidates - k :], axis=1))
    return xp.concat(sums)


def _n_neighbors_attribute(estimator: Any) -> int:
    """The ``n_neighbors`` a neighbours object is configured with."""
    value = getattr(estimator, "n_neighbors", None)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            "The `n_neighbors` object must have an integer `n_neighbors` attribute "
            "(as scikit-learn's NearestNeighbors): NearMiss sums the distances to "
            f"that many minority rows. {type(estimator).__name__} has "
            f"{value!r}."
        )
    return int(value)


def check_at_most(name: str, estimator: Any, n_class: int, cls: Any = None) -> None:
    """The neighbours asked of ``estimator`` must not outnumber the rows searched."""
    value = getattr(estimator, "n_neighbors", None)
    if not isinstance(value, Integral) or value <= n_class:
        return
    where = "the minority class" if cls is None else f"class {cls!r}"
    raise ValueError(
        f"`{name}`={value} is larger than {where}, which has {n_class} samples; "
        f"neighbours are searched among those samples. Lower `{name}` to at most "
        f"{n_class}."
    )


class _DistanceRecorder:
    """Shows ``kneighbors_of`` a neighbours object that also keeps the distances.

    ``kneighbors_of`` asks for indices only and checks them; this asks the wrapped
    object for ``n_neighbors`` neighbours with their distances, keeps the distances
    and hands the indices on.
    """

    def __init__(self, estimator: Any, n_neighbors: int, name: str) -> None:
        self.estimator = estimator
        self.n_neighbors = n_neighbors
        self.name = name
        self.distances: Any = None

    def kneighbors(self, X: Array, return_distance: bool = False) -> Array:
        result = self.estimator.kneighbors(X, n_neighbors=self.n_neighbors)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError(
                f"The `{self.name}` object's kneighbors(X, n_neighbors=k) returned "
                f"{type(result).__name__}; expected the pair (distances, indices)."
            )
        self.distances, indices = result
        return indices


def kneighbor_distances(
    estimator: Any,
    query: Array,
    n_neighbors: int,
    name: str,
    xp: Namespace,
    device: Device,
) -> Array:
    """Distances from each query row to its ``n_neighbors`` nearest fitted rows.

    The answer of ``estimator.kneighbors`` is checked by ``kneighbors_of`` and
    moved to ``device`` once if the object computed elsewhere (e.g. on the host).
    """
    recorder = _DistanceRecorder(estimator, n_neighbors, name)
    indices = kneighbors_of(recorder, query, name, xp, device)
    distances = recorder.distances
    if not _in_namespace(distances, xp):
        distances = xp.asarray(np.asarray(distances), device=device)
    if tuple(distances.shape) != tuple(indices.shape) or not xp.isdtype(
        distances.dtype, "real floating"
    ):
        raise ValueError(
            f"The `{name}` object's kneighbors returned distances of shape "
            f"{tuple(distances.shape)} and dtype {distances.dtype}; expected real "
            f"floats of shape {tuple(indices.shape)}, like its indices."
        )
    return distances


def _in_namespace(values: Array, xp: Namespace) -> bool:
    if is_numpy_namespace(xp):
        return isinstance(values, np.ndarray)
    try:
        return array_api_compat.array_namespace(values) is xp
    except TypeError:
        return False
