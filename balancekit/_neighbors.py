"""Exact k-nearest neighbours where the data lives, in memory-bounded chunks.

NumPy input goes to scikit-learn's ``NearestNeighbors`` (tree or brute force, already
chunked). Other namespaces use one matrix product per chunk of queries
(``|q|^2 - 2 q.f + |f|^2``), keep ``k + margin`` candidates (``torch.topk`` for
PyTorch, a sort elsewhere) and re-rank them by exact differences, so cancellation in
the product never reorders true neighbours. Memory stays O(chunk x n_fit); no n x n
matrix is built.

Samplers take ``k_neighbors=int`` or any object with ``fit`` and ``kneighbors`` (FAISS,
cuML, scikit-learn), as imbalanced-learn does; ``check_neighbors_object`` makes one.
"""

from __future__ import annotations

import copy
import os
from numbers import Integral
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.neighbors import NearestNeighbors as _SklearnNearestNeighbors

from balancekit._array_api import (
    get_namespace_and_device,
    is_numpy_namespace,
    is_sparse,
)

__all__ = [
    "NearestNeighbors",
    "check_enough_samples",
    "check_neighbors_object",
    "kneighbors_of",
]

# Extra candidates kept from the fast product-based distances before the exact re-rank.
RERANK_MARGIN = 8
_DEFAULT_WORKING_MEMORY = 1 << 30  # bytes, as scikit-learn's working_memory default


def memory_budget(xp: ModuleType, device: Any) -> int:
    """Bytes one chunk of distances may use: a quarter of free memory, at most 1 GiB."""
    if array_api_compat.is_torch_namespace(xp) and str(device).startswith("cuda"):
        import torch

        free, _ = torch.cuda.mem_get_info(device)
        return max(free // 4, 1 << 20)
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return _DEFAULT_WORKING_MEMORY
    return max(min(available // 4, _DEFAULT_WORKING_MEMORY), 1 << 20)


def _flatten(X: Any, xp: ModuleType) -> Any:
    """2-D float view of X: (n_samples, n_features) from any trailing shape."""
    if is_sparse(X):
        return X if X.dtype.kind == "f" else X.astype(np.float64)
    if X.ndim != 2:
        X = xp.reshape(X, (X.shape[0], -1))
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, _float_dtype(xp, X))
    return X


def _float_dtype(xp: ModuleType, X: Any) -> Any:
    import array_api_extra as xpx

    return xpx.default_dtype(xp, device=array_api_compat.device(X))


def _smallest(values: Any, k: int, xp: ModuleType) -> Any:
    """Column indices of the k smallest values of each row (unordered)."""
    if array_api_compat.is_torch_namespace(xp):
        import torch

        return torch.topk(values, k, dim=1, largest=False, sorted=False).indices
    return xp.argsort(values, axis=1)[:, :k]


def _ranking_distances(block: Any, fit: Any, fit_sq: Any, xp: ModuleType) -> Any:
    """``|f|^2 - 2 q.f`` for every (query, fit) pair: squared distances less ``|q|^2``.

    The query's own norm is the same along a row, so leaving it out keeps the ranking
    and saves a pass; PyTorch fuses the product and the sum in one ``addmm``.
    """
    if array_api_compat.is_torch_namespace(xp):
        import torch

        return torch.addmm(fit_sq[None, :], block, fit.T, alpha=-2)
    return fit_sq[None, :] - 2 * (block @ fit.T)


def _chunked_kneighbors(query: Any, fit: Any, k: int, xp: ModuleType, device: Any):
    """Exact k nearest rows of ``fit`` for each row of ``query``; both 2-D float."""
    n_fit, n_features = fit.shape
    n_candidates = min(n_fit, k + RERANK_MARGIN)
    itemsize = 8
    per_row = n_fit * itemsize * 3 + n_candidates * n_features * itemsize
    chunk = max(1, min(query.shape[0], memory_budget(xp, device) // per_row))
    fit_sq = xp.sum(fit * fit, axis=1)
    distances, indices = [], []
    for start in range(0, query.shape[0], chunk):
        block = query[start : start + chunk, ...]
        candidates = _smallest(
            _ranking_distances(block, fit, fit_sq, xp), n_candidates, xp
        )
        rows = xp.take(fit, xp.reshape(candidates, (-1,)), axis=0)
        rows = xp.reshape(rows, (block.shape[0], n_candidates, n_features))
        exact = xp.sum((rows - block[:, None, :]) ** 2, axis=2)
        order = xp.argsort(exact, axis=1, stable=True)[:, :k]
        indices.append(xp.take_along_axis(candidates, order, axis=1))
        distances.append(xp.sqrt(xp.take_along_axis(exact, order, axis=1)))
    return xp.concat(distances, axis=0), xp.concat(indices, axis=0)


class NearestNeighbors(BaseEstimator):
    """Exact Euclidean k-nearest neighbours on the data's own device.

    The same protocol as :class:`sklearn.neighbors.NearestNeighbors` (``fit``,
    ``kneighbors``), for NumPy, PyTorch (any device), CuPy, JAX and array-api-strict
    arrays. ``X`` may have more than two dimensions: distances use the flattened
    features.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours returned by ``kneighbors``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [3.0], [7.0]])
    >>> distances, indices = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)
    >>> indices.tolist()
    [[0, 1], [1, 0], [2, 1], [3, 2]]
    """

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: Any, y: Any = None) -> NearestNeighbors:
        """Store the points to search among (flattened to 2-D)."""
        xp, device = get_namespace_and_device(X=X)
        self._xp, self._device = xp, device
        self._fit_X = _flatten(X, xp)
        if is_numpy_namespace(xp):
            self._sklearn = _SklearnNearestNeighbors(n_neighbors=self.n_neighbors)
            self._sklearn.fit(self._fit_X)  # ndarray or SciPy sparse
        self.n_samples_fit_ = int(self._fit_X.shape[0])
        return self

    def kneighbors(
        self, X: Any, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        """Distances to and indices of the nearest fitted points of each row of ``X``.

        The query points are not excluded: a fitted point is its own first neighbour.
        Indices and distances are arrays of shape (n_queries, n_neighbors) in ``X``'s
        namespace and on its device, ordered from nearest.
        """
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if k > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {self.n_samples_fit_}."
            )
        xp = self._xp
        query = _flatten(X, xp)
        if is_numpy_namespace(xp):
            result = self._sklearn.kneighbors(query, n_neighbors=k)
            distances, indices = result
        else:
            if query.dtype != self._fit_X.dtype:
                query = xp.astype(query, self._fit_X.dtype)
            distances, indices = _chunked_kneighbors(
                query, self._fit_X, k, xp, self._device
            )
        return (distances, indices) if return_distance else indices


def check_neighbors_object(name: str, value: Any, additional_neighbor: int = 0) -> Any:
    """A fresh neighbours object from a ``k_neighbors``-style parameter.

    An int ``k`` gives :class:`NearestNeighbors` with ``k + additional_neighbor``
    neighbours (the extra one is the query point itself); an object with ``kneighbors``
    is cloned, as imbalanced-learn does.
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        if value < 1:
            raise ValueError(f"`{name}` must be >= 1; got {value}.")
        return NearestNeighbors(n_neighbors=int(value) + additional_neighbor)
    if hasattr(value, "kneighbors") and hasattr(value, "fit"):
        try:
            return clone(value)
        except TypeError:
            return copy.deepcopy(value)
    raise TypeError(
        f"`{name}` must be an int or an object with `fit` and `kneighbors` methods "
        f"(e.g. sklearn.neighbors.NearestNeighbors); got {type(value).__name__}."
    )


def n_neighbors_of(estimator: Any) -> int | None:
    """The configured number of neighbours of a neighbours object, when it says."""
    n = getattr(estimator, "n_neighbors", None)
    return int(n) if isinstance(n, Integral) else None


def kneighbors_of(
    estimator: Any, query: Any, name: str, xp: ModuleType, device: Any
) -> Any:
    """Neighbour indices from any neighbours object, checked and on ``device``.

    A user's object may compute on the host and return NumPy; its answer is checked
    (shape (n_queries, k) with k >= 1, integer, within range) and moved to the data's
    device once.
    """
    indices = estimator.kneighbors(query, return_distance=False)
    shape = tuple(getattr(indices, "shape", ()))
    n_queries = int(query.shape[0])
    if len(shape) != 2 or shape[0] != n_queries or shape[1] < 1:
        raise ValueError(
            f"The `{name}` object's kneighbors returned shape {shape}; expected "
            f"({n_queries}, n_neighbors): one row of neighbour indices per query row."
        )
    expected = n_neighbors_of(estimator)
    if expected is not None and shape[1] != expected:
        raise ValueError(
            f"The `{name}` object's kneighbors returned {shape[1]} neighbours per row; "
            f"its n_neighbors is {expected}."
        )
    if array_api_compat.array_namespace(indices) is not xp and not (
        is_numpy_namespace(xp) and isinstance(indices, np.ndarray)
    ):
        indices = xp.asarray(np.asarray(indices), device=device)
    if not xp.isdtype(indices.dtype, "integral"):
        raise ValueError(
            f"The `{name}` object's kneighbors returned {indices.dtype} values; "
            "expected integer indices."
        )
    return indices


def check_enough_samples(name: str, n_neighbors: int, n_class: int, cls: Any) -> None:
    """``k_neighbors`` needs more samples in the class than neighbours asked for."""
    if n_neighbors >= n_class:
        raise ValueError(
            f"`{name}`={n_neighbors} needs at least {n_neighbors + 1} samples in class "
            f"{cls!r}, which has {n_class}. Lower `{name}` or gather more samples of "
            "that class."
        )
