"""ClusterCentroids: replace each targeted class by the centres of its k-means clusters.

A class to shrink to ``n`` rows is clustered into ``n`` clusters; the centres
(``voting="soft"``) or the row nearest each centre (``"hard"``) stand for the class.
balancekit's own k-means runs on the input's device by default; a scikit-learn
clustering estimator runs on the host, on a copy of the class's rows, and its centres
come back to the device.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from balancekit._array_api import (
    bincount,
    class_indices,
    estimator_input,
    index_dtype,
    is_pandas,
    is_sparse,
    move_indices,
    take_rows,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._features import NumericFeatures, numeric_features
from balancekit._kmeans_estimator import (
    KMeans,
    is_device_kmeans,
)
from balancekit._neighbors import NearestNeighbors
from balancekit._params import check_choice
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import Validated
from balancekit.base import BaseNumericFit, BaseUnderSampler

__all__ = ["ClusterCentroids"]

_VOTING = ("auto", "hard", "soft")


@gathered_on_dask
class ClusterCentroids(BaseNumericFit, BaseUnderSampler):
    """Under-sample by replacing each targeted class with k-means centroids.

    A class kept at ``n`` rows is clustered into ``n`` clusters; the ``n`` centroids
    (``voting="soft"``), or the ``n`` rows nearest them (``"hard"``), replace it. A
    drop-in for ``imblearn.under_sampling.ClusterCentroids``. By default the
    clustering is balancekit's exact k-means (k-means++ and Lloyd iterations, as
    scikit-learn's ``KMeans``), run in the input's library and on its device (NumPy,
    PyTorch, CuPy, JAX, array-api-strict); the nearest rows are found with the same
    exact neighbour search as the other samplers.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to keep, as for ``RandomUnderSampler``: ``"auto"`` shrinks every class
        but the minority to the minority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the built-in k-means (its draws are made on the host, so the same
        int gives the same centroids on every array library). Not passed to a user
        ``estimator``, as in imbalanced-learn.
    estimator : estimator object or None, default=None
        A clustering estimator with an ``n_clusters`` parameter and a fitted
        ``cluster_centers_`` attribute (scikit-learn's ``KMeans`` or
        ``MiniBatchKMeans``...). It runs on the host: each class's rows are copied
        there once (no copy for NumPy, SciPy sparse or CPU tensors) and the centres
        come back to ``X``'s device. ``None``: balancekit's k-means on the device
        (for SciPy sparse ``X``, on the host, densifying a chunk of rows at a time).
    voting : {"auto", "hard", "soft"}, default="auto"
        ``"soft"`` returns the centroids; ``"hard"`` the original row nearest each
        centroid (ties to the lower row index); ``"auto"`` is ``"hard"`` for sparse
        ``X`` and ``"soft"`` otherwise.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples kept, for the targeted classes.
    estimator_ : estimator object
        The clustering estimator, fitted on the last targeted class.
    voting_ : str
        The voting used (``"auto"`` resolved).
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    The output holds the classes in sorted order; a targeted class is given by its
    centroids (or their nearest rows) in cluster order. With ``"hard"`` voting two
    centroids may share their nearest row, which then appears twice; like
    imbalanced-learn, no ``sample_indices_`` is given. With ``sample_weight``, a
    centroid gets the mean weight of its cluster's rows and a hard-voted row its own
    weight. ``X`` may have more than two dimensions: distances use the flattened
    features and centroids keep the input's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import ClusterCentroids
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 2))
    >>> y = np.array([0] * 100 + [1] * 20)
    >>> X_res, y_res = ClusterCentroids(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [20, 20]
    >>> bool(np.allclose(X_res[20:], X[100:]))
    True
    """

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("estimator_",)

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        estimator: Any = None,
        voting: str = "auto",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting

    def _check_params(self, data: Validated) -> None:
        check_choice(self.voting, "voting", _VOTING)
        if self.estimator is None or is_device_kmeans(self.estimator):
            return
        if not (
            hasattr(self.estimator, "fit") and hasattr(self.estimator, "get_params")
        ):
            raise TypeError(
                "`estimator` must be a clustering estimator with `fit`, `get_params` "
                "and `set_params` (e.g. sklearn.cluster.KMeans); got "
                f"{type(self.estimator).__name__}."
            )
        if "n_clusters" not in self.estimator.get_params():
            raise ValueError(
                "`estimator` should be a clustering estimator exposing a parameter "
                "`n_clusters` and a fitted parameter `cluster_centers_`; "
                f"{type(self.estimator).__name__} has no `n_clusters`."
            )

    def _make_estimator(self) -> Any:
        if self.estimator is not None:
            return clone(self.estimator)
        return KMeans(random_state=self.random_state)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = numeric_features(data.X, xp, device)
        sparse = is_sparse(features.flat)
        if self.voting == "auto":
            self.voting_ = "hard" if sparse else "soft"
        else:
            self.voting_ = self.voting
        self.estimator_ = self._make_estimator()
        weights = data.sample_weight
        if weights is not None and self.voting_ == "soft":
            # Centroids get mean weights: every weight becomes a float of X's dtype.
            w = weights.to_numpy() if is_pandas(weights) else weights
            weights = xp.astype(w, features.values.dtype)
        blocks: list[tuple[Any, Any, Any]] = []
        for cls in data.labels.classes:
            members = class_indices(data.labels.y, cls, xp)
            if cls in self.sampling_strategy_:
                blocks.append(
                    self._replace_class(
                        data, features, weights, members, cls, rng, xp, device
                    )
                )
            else:
                blocks.append(_rows(data, features, weights, members, xp))
        X_res = features.to_container(_concat([b[0] for b in blocks], xp))
        y_res = _concat([b[1] for b in blocks], xp)
        w_res = None if weights is None else _concat([b[2] for b in blocks], xp)
        return X_res, y_res, w_res

    def _replace_class(
        self,
        data: Validated,
        features: NumericFeatures,
        weights: Any,
        members: Array,
        cls: Any,
        rng: np.random.Generator,
        xp: Namespace,
        device: Device,
    ) -> tuple[Any, Any, Any]:
        """The rows standing for class ``cls``: centroids or their nearest rows."""
        n_keep = int(self.sampling_strategy_[cls])
        if n_keep == 0:
            return _rows(data, features, weights, members[:0], xp)
        points = take_rows(features.flat, members, xp)
        centers, cluster_of = self._cluster(points, n_keep, rng, xp, device)
        if self.voting_ == "hard":
            nearest = _nearest_rows(points, centers, xp)
            return _rows(data, features, weights, xp.take(members, nearest), xp)
        values = features.values
        if is_sparse(values):
            import scipy.sparse as sp

            X_new = sp.csr_matrix(np.asarray(centers), dtype=values.dtype)
        else:
            X_new = xp.reshape(
                xp.astype(centers, values.dtype), (n_keep, *values.shape[1:])
            )
        # The class label, n_keep times, in y's own container and dtype.
        first = xp.zeros((n_keep,), dtype=index_dtype(xp, device), device=device)
        y_new = take_rows(data.y, xp.take(members, first), xp)
        w_new = None
        if weights is not None:
            member_weights = xp.take(weights, members)
            labels = cluster_of()
            totals = bincount(labels, n_keep, member_weights, xp)
            sizes = bincount(labels, n_keep, None, xp)
            w_new = totals / xp.astype(
                xp.maximum(sizes, xp.ones_like(sizes)), totals.dtype
            )
        return X_new, y_new, w_new

    def _cluster(
        self,
        points: Array,
        n_clusters: int,
        rng: np.random.Generator,
        xp: Namespace,
        device: Device,
    ) -> tuple[Array, Any]:
        """Centroids of ``points`` (on ``device``) and a callable for the labels."""
        estimator = self.estimator_
        estimator.set_params(n_clusters=n_clusters)
        if is_device_kmeans(estimator):
            estimator.fit(points, rng=rng if self.estimator is None else None)
            return estimator.cluster_centers_, lambda: estimator.labels_
        # A scikit-learn estimator: the class's rows cross to the host once, the
        # centres (and labels) come back to the device.
        host_points = estimator_input(points, xp)
        estimator.fit(host_points)
        if not hasattr(estimator, "cluster_centers_"):
            raise RuntimeError(
                "`estimator` should be a clustering estimator exposing a fitted "
                f"parameter `cluster_centers_`; {type(estimator).__name__} has none "
                "after fit."
            )
        centers = np.asarray(estimator.cluster_centers_)
        if not is_sparse(points):
            centers = xp.asarray(centers, device=device)

        def labels() -> Array:
            found = getattr(estimator, "labels_", None)
            if found is None:
                found = estimator.predict(host_points)
            return move_indices(np.asarray(found), xp, device)

        return centers, labels


def _nearest_rows(points: Array, centers: Array, xp: Namespace) -> Array:
    """Position in ``points`` of the row nearest each centre (ties: lower index)."""
    if is_sparse(points):
        import scipy.sparse as sp

        centers = sp.csr_matrix(np.asarray(centers), dtype=points.dtype)
    elif centers.dtype != points.dtype:
        centers = xp.astype(centers, points.dtype)
    search = NearestNeighbors(n_neighbors=1).fit(points)
    indices = search.kneighbors(centers, return_distance=False)
    return xp.reshape(indices, (-1,))


def _rows(
    data: Validated,
    features: NumericFeatures,
    weights: Any,
    rows: Array,
    xp: Namespace,
) -> tuple[Any, Any, Any]:
    """Rows ``rows`` of the features, labels and weights."""
    values = features.values
    return (
        take_rows(values, rows, xp),
        take_rows(data.y, rows, xp),
        None if weights is None else take_rows(weights, rows, xp),
    )


def _concat(blocks: list, xp: Namespace) -> Any:
    """Blocks of rows, one after the other, in their common container."""
    if is_pandas(blocks[0]):
        import pandas as pd

        return pd.concat(blocks, ignore_index=True)
    if is_sparse(blocks[0]):
        import scipy.sparse as sp

        return sp.vstack(blocks, format=blocks[0].format)
    return xp.concat(blocks, axis=0)
