"""K-Means SMOTE: cluster all rows, then SMOTE in the clusters where a class is rare.

Last, Douzas and Bacao (2017). The data are clustered with k-means; a cluster takes
part for a class when the class makes up at least ``cluster_balance_threshold`` of it
and has enough rows for the neighbour search. The class's new rows are shared among
those clusters in proportion to their sparsity (mean distance between the class's
rows to the power ``density_exponent``, over their number), then made by SMOTE within
each cluster. Clustering, distances and interpolation run on the input's device; only
per-cluster numbers (O(n_clusters)) come to the host to choose the clusters.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from balancekit._array_api import (
    bincount,
    class_indices,
    estimator_input,
    is_sparse,
    move_indices,
    take_rows,
    to_host,
    widest_float_dtype,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._kmeans_estimator import is_device_kmeans
from balancekit._minibatch_kmeans_estimator import MiniBatchKMeans
from balancekit._neighbors import (
    check_neighbors_object,
    memory_budget,
    n_neighbors_of,
    ranking_distances,
)
from balancekit._params import check_int, check_n_jobs, check_scalar
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import (
    BaseSMOTE,
    SyntheticRows,
    fit_neighbours,
    neighbours_excluding_self,
)

__all__ = ["KMeansSMOTE", "cluster_sample_counts", "select_clusters"]

_DEFAULT_N_CLUSTERS = 8  # scikit-learn's MiniBatchKMeans default, imblearn's choice


@gathered_on_dask
class KMeansSMOTE(BaseSMOTE):
    """K-Means SMOTE (Last, Douzas and Bacao, 2017): SMOTE inside chosen clusters.

    All rows are clustered with k-means. For each class to grow, the clusters where
    the class makes up at least ``cluster_balance_threshold`` of the rows (and has
    more rows than ``k_neighbors``) are kept; the new rows are shared among them in
    proportion to their sparsity, and each cluster's share is made by SMOTE among
    the class's rows of that cluster. New rows therefore fill sparse, safe regions
    of the class instead of its overlap with other classes. A drop-in for
    ``imblearn.over_sampling.KMeansSMOTE``.

    By default the clustering is balancekit's mini-batch k-means
    (:class:`balancekit.cluster.MiniBatchKMeans`, scikit-learn's ``MiniBatchKMeans``
    algorithm) with 8 clusters, as imbalanced-learn defaults to scikit-learn's
    ``MiniBatchKMeans(n_clusters=8)``; it runs in the input's library and on its
    device, so that nothing leaves the device and one seed gives the same clusters
    on every library. Pass ``balancekit.cluster.KMeans`` as ``kmeans_estimator`` for
    exact Lloyd k-means, or any scikit-learn clustering estimator (run on a host copy
    of the rows).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the
        majority to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws (balancekit's k-means's and SMOTE's). The same int gives
        the same rows on every array library.
    k_neighbors : int or object, default=2
        Number of same-class neighbours (within the cluster) to interpolate towards,
        or an object with ``fit`` and ``kneighbors`` whose ``kneighbors`` returns the
        row itself first.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; the built-in kernels do not
        use it.
    kmeans_estimator : int, estimator object or None, default=None
        ``None``: balancekit's ``MiniBatchKMeans`` with 8 clusters on the device; an
        int: the same with that many clusters; balancekit's ``KMeans`` or
        ``MiniBatchKMeans`` (``balancekit.cluster``), run on the device with their
        own ``random_state``; or another clustering estimator with an ``n_clusters``
        attribute and ``fit_predict`` (scikit-learn's ``KMeans``,
        ``MiniBatchKMeans``...), which runs on the host: the rows are copied there
        once (no copy for NumPy, SciPy sparse or CPU tensors) and the cluster labels
        come back to ``X``'s device. balancekit's estimators take SciPy sparse ``X``
        too (on the host, densifying a chunk of rows at a time).
    cluster_balance_threshold : "auto" or float, default="auto"
        Smallest share of the class in a cluster for the cluster to be used.
        ``"auto"``: half the class's share of all the rows to generate (0.5 for two
        classes), imbalanced-learn's rule. With a single cluster every cluster
        qualifies.
    density_exponent : "auto" or float, default="auto"
        Exponent of the mean distance in the sparsity. ``"auto"``:
        ``0.16 * log_1.6(m) ** 1.8`` with ``m`` the class's rows in the cluster, as
        imbalanced-learn computes it.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples asked for.
    kmeans_estimator_ : estimator
        The fitted clustering estimator.
    cluster_labels_ : array of shape (n_samples,)
        Cluster of each input row.
    cluster_n_samples_ : dict
        Class to ``{cluster: number of new rows}`` for the clusters used.
    nn_k_ : estimator
        The neighbours object of ``k_neighbors``, fitted on the last cluster used.
    cluster_balance_threshold_ : "auto" or float
        The threshold used (``-inf`` with a single cluster).
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``), on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Raises
    ------
    RuntimeError
        When no cluster qualifies for a class to grow.

    Notes
    -----
    Each cluster's share is rounded up, as in imbalanced-learn, so a class may get
    a few more rows than asked (at most one per cluster used). The clustering runs
    once for all classes (imbalanced-learn refits it per class, which gives the same
    clusters for a seeded estimator). When every cluster used has zero spread
    (duplicated rows), the rows are shared equally. ``X`` may have more than two
    dimensions: distances use the flattened features.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.over_sampling import KMeansSMOTE
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(size=(102, 2)), rng.normal(size=(20, 2)) + 10])
    >>> y = np.array([0] * 100 + [1] * 22)  # rows 100 and 101 of class 1 sit among 0s
    >>> sampler = KMeansSMOTE(kmeans_estimator=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [100, 100]
    >>> bool((X_res[122:, 0] > 5).all())  # all new rows in the cluster of class 1
    True
    """

    cluster_labels_: Any  # set by fit_resample

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("kmeans_estimator_", "cluster_labels_")

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 2,
        n_jobs: int | None = None,
        kmeans_estimator: Any = None,
        cluster_balance_threshold: Any = "auto",
        density_exponent: Any = "auto",
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.n_jobs = n_jobs
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_n_jobs(self.n_jobs)
        _check_auto_or_real(self.cluster_balance_threshold, "cluster_balance_threshold")
        _check_auto_or_real(self.density_exponent, "density_exponent")
        estimator = self.kmeans_estimator
        if estimator is None or isinstance(estimator, Integral):
            check_int(estimator, "kmeans_estimator", low=1, allow_none=True)
            return
        if not hasattr(estimator, "fit") or not (
            hasattr(estimator, "fit_predict") or hasattr(estimator, "predict")
        ):
            raise TypeError(
                "`kmeans_estimator` must be None, an int (the number of clusters) or "
                "a clustering estimator with `fit` and `fit_predict` (e.g. "
                f"sklearn.cluster.KMeans); got {type(estimator).__name__}."
            )
        n_clusters = getattr(estimator, "n_clusters", None)
        if isinstance(n_clusters, bool) or not isinstance(n_clusters, Integral):
            raise ValueError(
                "`kmeans_estimator` must have an int `n_clusters` attribute; "
                f"{type(estimator).__name__} has {n_clusters!r}."
            )

    def _make_estimator(self) -> Any:
        estimator = self.kmeans_estimator
        if estimator is not None and not isinstance(estimator, Integral):
            return clone(estimator)
        n_clusters = _DEFAULT_N_CLUSTERS if estimator is None else int(estimator)
        return MiniBatchKMeans(n_clusters=n_clusters, random_state=self.random_state)

    def _cluster_labels(
        self, flat: Array, rng: np.random.Generator, xp: ModuleType, device: Device
    ) -> Array:
        estimator = self.kmeans_estimator_
        if is_device_kmeans(estimator):
            # The estimator built here draws from the sampler's generator (one seed
            # drives clustering and SMOTE); one passed in keeps its own
            # random_state, as imbalanced-learn's clone of it does.
            own = self.kmeans_estimator is None or isinstance(
                self.kmeans_estimator, Integral
            )
            return estimator.fit_predict(flat, rng=rng if own else None)
        # A scikit-learn estimator: the rows cross to the host once, the labels
        # come back to the device.
        host = estimator_input(flat, xp)
        if hasattr(estimator, "fit_predict"):
            labels = estimator.fit_predict(host)
        else:
            labels = estimator.fit(host).predict(host)
        return move_indices(np.asarray(labels), xp, device)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        flat, y = features.flat, data.labels.y
        self.kmeans_estimator_ = self._make_estimator()
        n_clusters = int(self.kmeans_estimator_.n_clusters)
        self.cluster_balance_threshold_ = (
            self.cluster_balance_threshold if n_clusters != 1 else -math.inf
        )
        self.nn_k_ = check_neighbors_object(
            "k_neighbors", self.k_neighbors, additional_neighbor=1
        )
        n_neighbors = n_neighbors_of(self.nn_k_) or 2
        labels = self._cluster_labels(flat, rng, xp, device)
        self.cluster_labels_ = labels
        cluster_sizes = to_host(bincount(labels, n_clusters, None, xp), xp)
        total = sum(self.sampling_strategy_.values())
        recipe = SyntheticRows()
        self.cluster_n_samples_: dict = {}
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            in_class = y == cls
            class_labels = xp.take(labels, class_indices(y, cls, xp))
            class_sizes = to_host(bincount(class_labels, n_clusters, None, xp), xp)
            threshold = self.cluster_balance_threshold_
            if isinstance(threshold, str):  # "auto"
                threshold = n_new / total / 2
            chosen = select_clusters(
                cluster_sizes, class_sizes, float(threshold), n_neighbors
            )
            if not chosen:
                raise RuntimeError(
                    f"No clusters found with sufficient samples of class {cls!r}: "
                    "no cluster has both a share of that class of at least "
                    f"`cluster_balance_threshold` ({threshold:g}) and more than "
                    f"`k_neighbors` ({n_neighbors - 1}) of its rows. Lower "
                    "`cluster_balance_threshold` (or `k_neighbors`), or use fewer "
                    "clusters (`kmeans_estimator`)."
                )
            members = [
                xp.nonzero(in_class & (labels == cluster))[0] for cluster in chosen
            ]
            points_of = [take_rows(flat, rows, xp) for rows in members]
            sparsities = [self._sparsity(points, xp, device) for points in points_of]
            counts = cluster_sample_counts(int(n_new), sparsities)
            self.cluster_n_samples_[cls] = dict(zip(chosen, counts, strict=True))
            for rows, points, n_cluster in zip(members, points_of, counts, strict=True):
                if n_cluster == 0:
                    continue
                self.nn_k_ = fit_neighbours(
                    "k_neighbors", self.k_neighbors, points, cls
                )
                neighbours = neighbours_excluding_self(
                    self.nn_k_, points, "k_neighbors", xp, device
                )
                parents, partners = self._draw_pairs(
                    neighbours, rows, n_cluster, rng, xp, device
                )
                recipe.add(parents, partners, rng.uniform(size=n_cluster))
        return self._generate(data, features, recipe)

    def _sparsity(self, points: Array, xp: ModuleType, device: Device) -> float:
        """Mean distance between the rows to the density exponent, over their number."""
        n_points = int(points.shape[0])
        exponent = (
            math.log(n_points, 1.6) ** 1.8 * 0.16
            if isinstance(self.density_exponent, str)
            else float(self.density_exponent)
        )
        return mean_pairwise_distance(points, xp, device) ** exponent / n_points


def _check_auto_or_real(value: Any, name: str) -> None:
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"`{name}` must be 'auto' or a number; got {value!r}.")
        return
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"`{name}` must be 'auto' or a number; got {type(value).__name__}."
        )
    check_scalar(value, name)


def select_clusters(
    cluster_sizes: np.ndarray,
    class_sizes: np.ndarray,
    threshold: float,
    n_neighbors: int,
) -> list[int]:
    """The clusters used for a class, in increasing order (imbalanced-learn's rule).

    A non-empty cluster is used when the class's share of its rows is at least
    ``threshold`` and the class has at least ``n_neighbors`` rows in it (the
    neighbour search asks for ``k_neighbors + 1``, the row included).

    Examples
    --------
    >>> select_clusters(np.array([10, 4, 0, 6]), np.array([6, 1, 0, 3]), 0.5, 3)
    [0, 3]
    """
    chosen = []
    for cluster, (size, in_class) in enumerate(
        zip(cluster_sizes.tolist(), class_sizes.tolist(), strict=True)
    ):
        if size == 0:
            continue
        share = in_class / size
        # share * size, not in_class: the same float test as imbalanced-learn's.
        if share < threshold or share * size < n_neighbors:
            continue
        chosen.append(cluster)
    return chosen


def cluster_sample_counts(n_samples: int, sparsities: list[float]) -> list[int]:
    """New rows per cluster: ``ceil(n_samples * sparsity / total sparsity)``.

    Rounded up as imbalanced-learn does; equal shares when every sparsity is 0.

    Examples
    --------
    >>> cluster_sample_counts(10, [1.0, 1.0, 2.0])
    [3, 3, 5]
    """
    values = np.asarray(sparsities, dtype=np.float64)
    total = values.sum()
    weights = values / total if total > 0 else np.full(len(values), 1 / len(values))
    return [math.ceil(n_samples * weight) for weight in weights.tolist()]


def mean_pairwise_distance(points: Array, xp: ModuleType, device: Device) -> float:
    """Mean Euclidean distance between distinct rows, in chunks of rows.

    The kNN's product kernel (``|q|^2 - 2 q.p + |p|^2``, clipped at 0, the diagonal
    set to 0 as scikit-learn's ``pairwise_distances`` does), summed in the widest
    float; memory O(chunk x n_points).
    """
    n_points = int(points.shape[0])
    if n_points < 2:
        return 0.0
    if is_sparse(points):
        from sklearn.metrics import pairwise_distances_chunked

        def reduce(chunk: np.ndarray, start: int) -> np.ndarray:
            rows = np.arange(chunk.shape[0])
            chunk[rows, start + rows] = 0.0  # a row's distance to itself
            return chunk.sum(axis=1)

        total = sum(
            float(part.sum())
            for part in pairwise_distances_chunked(points, reduce_func=reduce)
        )
        return total / (n_points * n_points - n_points)
    wide = widest_float_dtype(xp, device)
    squares = xp.sum(points * points, axis=1)
    columns = xp.arange(n_points, device=device)
    chunk = max(1, min(n_points, memory_budget(xp, device) // (n_points * 8 * 4)))
    total = xp.zeros((), dtype=wide, device=device)
    for start in range(0, n_points, chunk):
        stop = min(start + chunk, n_points)
        block = points[start:stop, ...]
        squared = (
            ranking_distances(block, points, squares, xp) + squares[start:stop, None]
        )
        rows = xp.arange(start, stop, device=device)
        squared = xp.where(
            columns[None, :] == rows[:, None],
            xp.zeros((), dtype=squared.dtype, device=device),
            xp.clip(squared, min=0.0),
        )
        total = total + xp.sum(xp.astype(xp.sqrt(squared), wide))
    return float(total) / (n_points * n_points - n_points)
