"""balancekit's k-means estimator: scikit-learn's ``KMeans`` API on the data's device.

The kernels (seeding, Lloyd iterations, assignment) live in ``balancekit._kmeans``;
this class holds the parameters, validates them and keeps the fitted arrays, so that
``ClusterCentroids`` and ``KMeansSMOTE`` treat it like any clustering estimator.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from balancekit._array_api import get_namespace_and_device, is_pandas, is_sparse
from balancekit._kmeans import KMeansResult, flat_float, kmeans, kmeans_labels
from balancekit._params import check_int, check_scalar
from balancekit._random import check_random_state
from balancekit._typing import Array, Namespace
from balancekit._validation import check_X

__all__ = ["DeviceKMeansBase", "KMeans", "finite_rows", "is_device_kmeans"]


class DeviceKMeansBase(ClusterMixin, BaseEstimator):
    """What balancekit's k-means estimators share: input checks, ``fit``,
    ``predict`` and ``fit_predict``; subclasses check their parameters
    (``_checked_params``) and run their algorithm (``_cluster``)."""

    # Turned back into tensors when a sampler ran it on views of CPU tensors
    # (balancekit.base.BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("cluster_centers_", "labels_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # SciPy sparse X, clustered on the host
        return tags

    def fit(self, X: Array, y: Any = None, *, rng: Any = None) -> Self:
        """Cluster the rows of ``X`` (flattened to 2-D; integers become floats).

        Parameters
        ----------
        X : array of shape (n_samples, n_features, ...)
            Finite numbers in any supported array library, or a SciPy sparse
            matrix (clustered on the host, a chunk of rows densified at a time).
        y : None
            Ignored.
        rng : numpy.random.Generator, optional
            Draws from this generator instead of ``random_state`` (a sampler passes
            its own, so that one seed drives every step).

        Returns
        -------
        self
        """
        n_clusters = check_int(self.n_clusters, "n_clusters", low=1)
        params = self._checked_params()
        xp, device = get_namespace_and_device(X=X)
        flat = finite_rows(X, xp)
        generator = rng if rng is not None else check_random_state(self.random_state)
        result = self._cluster(flat, n_clusters, generator, xp, device, params)
        self.cluster_centers_ = result.centers
        if result.labels is not None:
            self.labels_ = result.labels
        elif hasattr(self, "labels_"):
            del self.labels_  # from an earlier fit: not these centres' labels
        self.inertia_ = result.inertia
        self.n_iter_ = result.n_iter
        self.n_features_in_ = int(flat.shape[1])
        return self

    def _checked_params(self) -> dict[str, Any]:
        """The algorithm's parameters, checked (subclasses)."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def _cluster(
        self,
        flat: Array,
        n_clusters: int,
        rng: Any,
        xp: Namespace,
        device: Any,
        params: dict[str, Any],
    ) -> Any:
        """Run the algorithm: a result with centers, labels, inertia, n_iter."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def predict(self, X: Array) -> Array:
        """Nearest fitted centre of each row of ``X`` (ties to the lower index).

        Parameters
        ----------
        X : array of shape (n_samples, n_features, ...)
            Rows in the fitted centres' namespace and on their device.

        Returns
        -------
        labels : array of shape (n_samples,)
        """
        check_is_fitted(self, "cluster_centers_")
        xp, device = get_namespace_and_device(X=X, centers=self.cluster_centers_)
        flat = finite_rows(X, xp)
        if int(flat.shape[1]) != self.n_features_in_:
            raise ValueError(
                f"X has {int(flat.shape[1])} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        centers = self.cluster_centers_
        if not is_sparse(flat) and flat.dtype != centers.dtype:
            flat = xp.astype(flat, centers.dtype)
        return kmeans_labels(flat, centers, xp, device)

    def fit_predict(self, X: Array, y: Any = None, *, rng: Any = None) -> Array:
        """Fit and return the nearest centre of each row of ``X``.

        Parameters
        ----------
        X : array of shape (n_samples, n_features, ...)
            Finite numbers in any supported array library.
        y : None
            Ignored.
        rng : numpy.random.Generator, optional
            Draws from this generator instead of ``random_state``.

        Returns
        -------
        labels : array of shape (n_samples,)
        """
        self.fit(X, rng=rng)
        if hasattr(self, "labels_"):
            return self.labels_
        return self.predict(X)  # an estimator that does not keep its labels


def finite_rows(X: Array, xp: Namespace) -> Array:
    """``X`` checked (2-D or more, non-empty, real, finite) and flattened to 2-D
    floats: a SciPy CSR matrix or an array of ``xp``.

    pandas and lists become NumPy; integers become the namespace's default float.
    """
    if len(getattr(X, "shape", (0, 0))) < 2 and not isinstance(X, list | tuple):
        raise ValueError(
            f"Expected a 2D array, got an array of shape {tuple(X.shape)} instead. "
            "Reshape your data either using X.reshape(-1, 1) if it has a single "
            "feature or X.reshape(1, -1) if it contains a single sample."
        )
    X = check_X(X, xp)
    if is_pandas(X):
        X = X.to_numpy()
    flat = flat_float(X, xp)
    values = flat.data if is_sparse(flat) else flat
    if not bool(xp.all(xp.isfinite(xp.asarray(values)))):
        raise ValueError(
            "`X` contains NaN or infinity; k-means needs finite values. Impute "
            "or drop those entries first."
        )
    return flat


class KMeans(DeviceKMeansBase):
    """Exact k-means on the data's own device (scikit-learn's Lloyd algorithm).

    The same parameters and fitted attributes as :class:`sklearn.cluster.KMeans`
    (``algorithm="lloyd"``) for NumPy, PyTorch (any device), CuPy, JAX and
    array-api-strict arrays: seeding, iterations and assignment run where ``X``
    lives. ``ClusterCentroids`` and ``KMeansSMOTE`` use it by default.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features), \
default="k-means++"
        Greedy k-means++ (``2 + log(n_clusters)`` local trials), distinct random
        rows, or the initial centres.
    n_init : "auto" or int, default="auto"
        Number of runs, the lowest inertia kept; ``"auto"`` is 1 for
        ``"k-means++"`` and an array, 10 for ``"random"`` (scikit-learn's rule).
    max_iter : int, default=300
        Maximum number of Lloyd iterations of a run.
    tol : float, default=1e-4
        Convergence when the centres move (squared, summed) less than ``tol`` times
        the mean variance of the features.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws, made on the host: the same int gives the same clusters on
        every array library.

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
        The centres, in ``X``'s namespace and on its device.
    labels_ : array of shape (n_samples,)
        Cluster of each training row (ties to the lower centre index).
    inertia_ : float
        Sum of squared distances of the rows to their centre.
    n_iter_ : int
        Lloyd iterations of the kept run.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_.tolist())
    [[0.0, 0.5], [10.0, 0.5]]
    >>> bool(km.labels_[0] == km.labels_[1] != km.labels_[2])
    True
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: Any = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _n_init(self) -> int:
        if isinstance(self.n_init, str) and self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        if isinstance(self.n_init, str):
            raise ValueError(f"`n_init` must be 'auto' or an int; got {self.n_init!r}.")
        return check_int(self.n_init, "n_init", low=1)

    def _checked_params(self) -> dict[str, Any]:
        return {
            "max_iter": check_int(self.max_iter, "max_iter", low=1),
            "tol": check_scalar(self.tol, "tol", low=0),
            "n_init": self._n_init(),
        }

    def _cluster(
        self,
        flat: Array,
        n_clusters: int,
        rng: Any,
        xp: Namespace,
        device: Any,
        params: dict[str, Any],
    ) -> KMeansResult:
        return kmeans(
            flat, n_clusters, rng=rng, xp=xp, device=device, init=self.init, **params
        )


def is_device_kmeans(estimator: Any) -> bool:
    """Whether ``estimator`` is one of balancekit's own k-means estimators
    (``KMeans``, ``MiniBatchKMeans``), which run on the device."""
    return isinstance(estimator, DeviceKMeansBase)
