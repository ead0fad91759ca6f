"""Exact k-nearest neighbours where the data lives, in memory-bounded chunks.

NumPy input goes to scikit-learn's ``NearestNeighbors`` (tree or brute force, already
chunked). Other namespaces use one matrix product per chunk of queries
(``|q|^2 - 2 q.f + |f|^2``), keep ``k + margin`` candidates (``_array_api.top_k``) and
re-rank them by exact differences, so cancellation in the product never reorders true
neighbours. Memory stays O(chunk x n_fit); no n x n matrix is built. The backend fast
paths (PyTorch's fused ``addmm`` and ``topk``, CUDA's free-memory query) live in
``balancekit._array_api``.

Samplers take ``k_neighbors=int`` or any object with ``fit`` and ``kneighbors`` (FAISS,
cuML, scikit-learn), as imbalanced-learn does; ``check_neighbors_object`` makes one.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from numbers import Integral
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.neighbors import NearestNeighbors as _SklearnNearestNeighbors

from balancekit._array_api import (
    fixed_order_sum,
    free_device_memory,
    get_namespace_and_device,
    is_numpy_namespace,
    is_sparse,
    matmul_add,
    top_k,
)
from balancekit._params import check_int
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "NearestNeighbors",
    "check_enough_samples",
    "check_neighbors_object",
    "kneighbors_of",
]

# Extra candidates kept from the fast product-based distances before the exact re-rank.
RERANK_MARGIN = 8
_DEFAULT_WORKING_MEMORY = 1 << 30  # bytes, as scikit-learn's working_memory default


def memory_budget(xp: Namespace, device: Device) -> int:
    """Bytes one chunk of distances may use: a quarter of free memory, at most 1 GiB."""
    free = free_device_memory(xp, device)
    if free is not None:  # an accelerator: its own memory, not the host's
        return max(free // 4, 1 << 20)
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return _DEFAULT_WORKING_MEMORY
    return max(min(available // 4, _DEFAULT_WORKING_MEMORY), 1 << 20)


def _flatten(X: Array, xp: Namespace) -> Array:
    """2-D float view of X: (n_samples, n_features) from any trailing shape."""
    if is_sparse(X):
        return X if X.dtype.kind == "f" else X.astype(np.float64)
    if X.ndim != 2:
        X = xp.reshape(X, (X.shape[0], -1))
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, _float_dtype(xp, X))
    return X


def _float_dtype(xp: Namespace, X: Array) -> Any:
    # The namespace's default float (float32 for torch): what the native kernels use.
    return xpx.default_dtype(xp, device=array_api_compat.device(X))


def _ranking_distances(block: Array, fit: Array, fit_sq: Array, xp: Namespace) -> Array:
    """``|f|^2 - 2 q.f`` for every (query, fit) pair: squared distances less ``|q|^2``.

    The query's own norm is the same along a row, so leaving it out keeps the ranking
    and saves a pass; ``matmul_add`` fuses the product and the sum where it can.
    """
    return matmul_add(fit_sq[None, :], block, fit.T, -2.0, xp)


def _squared_distances(
    query: Array, fit: Array, candidates: Array, xp: Namespace
) -> Array:
    """Exact squared distances from each query row to its candidate fit rows.

    Differences, not products, summed in one fixed order (``fixed_order_sum``), so
    that every backend gets bit-identical distances: tied points (duplicates, integer
    grids) tie everywhere, and two nearly equal distances are ordered the same way
    everywhere. Dense arrays of any namespace, or SciPy sparse matrices (NumPy path).
    """
    n_queries, n_candidates = candidates.shape
    if is_sparse(fit):
        rows = fit[np.reshape(candidates, (-1,))]
        repeated = query[np.repeat(np.arange(n_queries), n_candidates)]
        diff = rows - repeated
        squared = np.asarray(diff.multiply(diff).sum(axis=1)).ravel()
        return np.reshape(squared, (n_queries, n_candidates))
    rows = xp.take(fit, xp.reshape(candidates, (-1,)), axis=0)
    rows = xp.reshape(rows, (n_queries, n_candidates, fit.shape[1]))
    return fixed_order_sum((rows - query[:, None, :]) ** 2, xp)


def _rank_candidates(
    query: Array, fit: Array, candidates: Array, xp: Namespace
) -> tuple[Array, Array]:
    """Candidates ordered by (exact squared distance, index): ties to the lower index.

    Sorting the candidate indices first makes the stable sort of the distances break
    ties by index, whatever order the candidate search returned them in.
    """
    candidates = xp.sort(candidates, axis=1)
    exact = _squared_distances(query, fit, candidates, xp)
    order = xp.argsort(exact, axis=1, stable=True)
    return (
        xp.take_along_axis(exact, order, axis=1),
        xp.take_along_axis(candidates, order, axis=1),
    )


def _set_rows(values: Array, rows: Array, new: Array, xp: Namespace) -> Array:
    """``values`` with the rows selected by the boolean mask ``rows`` replaced."""
    import array_api_extra as xpx

    return xpx.at(values)[rows].set(new, copy=True, xp=xp)


def _nearest(
    query: Array,
    fit: Array,
    k: int,
    n_candidates: int,
    candidates_of: Callable[[Array, int], Array],
    xp: Namespace,
) -> tuple[Array, Array]:
    """The k nearest fit rows of each query row, ties to the lower index.

    ``candidates_of(query, m)`` returns m candidate indices per row (any order) that
    contain the m nearest up to ties. When the k-th distance ties with the last
    candidate's, further tied points may lie outside the candidates: those rows are
    searched again with twice the candidates, until the tie ends inside them or
    every fit row is a candidate.
    """
    n_fit = int(fit.shape[0])
    exact, indices = _rank_candidates(
        query, fit, candidates_of(query, n_candidates), xp
    )
    exact_k, indices_k = exact[:, :k], indices[:, :k]
    if n_candidates < n_fit:
        open_ties = exact[:, k - 1] >= exact[:, n_candidates - 1]
        if bool(xp.any(open_ties)):
            rows = xp.nonzero(open_ties)[0]
            sub_exact, sub_indices = _nearest(
                xp.take(query, rows, axis=0) if not is_sparse(query) else query[rows],
                fit,
                k,
                min(n_fit, 2 * n_candidates),
                candidates_of,
                xp,
            )
            exact_k = _set_rows(exact_k, open_ties, sub_exact, xp)
            indices_k = _set_rows(indices_k, open_ties, sub_indices, xp)
    return exact_k, indices_k


def ranking_distances(block: Array, fit: Array, fit_sq: Array, xp: Namespace) -> Array:
    """The kNN's product kernel, ``|f|^2 - 2 q.f``, for other kernels (k-means)."""
    return _ranking_distances(block, fit, fit_sq, xp)


def nearest_exact(
    query: Array,
    fit: Array,
    k: int,
    n_candidates: int,
    candidates_of: Callable[[Array, int], Array],
    xp: Namespace,
) -> tuple[Array, Array]:
    """The kNN's exact re-rank (``_nearest``) of one chunk, for other kernels.

    Exact squared distances to, and indices of, the k nearest ``fit`` rows of each
    query row, ties to the lower index; the caller chunks the queries and supplies
    ``candidates_of`` (k-means assigns points to centres with it).
    """
    return _nearest(query, fit, k, n_candidates, candidates_of, xp)


def _chunked_kneighbors(
    query: Array,
    fit: Array,
    k: int,
    xp: Namespace,
    device: Device,
    candidates_of: Callable[[Array, int], Array] | None = None,
) -> tuple[Array, Array]:
    """Exact k nearest rows of ``fit`` for each row of ``query``; both 2-D float.

    Candidates come from ``candidates_of`` (scikit-learn's search on the NumPy path)
    or from the product-based distances; either way they are re-ranked by exact
    distances with ties to the lower index, in chunks of queries.
    """
    n_fit, n_features = fit.shape
    n_candidates = min(n_fit, k + RERANK_MARGIN)
    # Budget at 8 bytes per value (float64, the widest): a float32 chunk then fits
    # twice over; the candidates' rows and their differences take two copies.
    itemsize = 8
    per_row = n_candidates * n_features * itemsize * 2
    if candidates_of is None:
        # The product, its sum with |f|^2 and top-k's workspace: ~3 n_fit values.
        per_row += n_fit * itemsize * 3
        fit_sq = xp.sum(fit * fit, axis=1)

        def candidates_of(block: Array, m: int) -> Array:
            return top_k(_ranking_distances(block, fit, fit_sq, xp), m, xp)

    chunk = max(1, min(query.shape[0], memory_budget(xp, device) // per_row))
    distances, indices = [], []
    for start in range(0, query.shape[0], chunk):
        block = (
            query[start : start + chunk]
            if is_sparse(query)
            else (query[start : start + chunk, ...])
        )
        exact, found = _nearest(block, fit, k, n_candidates, candidates_of, xp)
        indices.append(found)
        distances.append(xp.sqrt(exact))
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

    def fit(self, X: Array, y: Array = None) -> NearestNeighbors:
        """Store the points to search among (flattened to 2-D)."""
        xp, _ = get_namespace_and_device(X=X)
        self._fit_X = _flatten(X, xp)
        if is_numpy_namespace(xp):
            self._sklearn = _SklearnNearestNeighbors(n_neighbors=self.n_neighbors)
            self._sklearn.fit(self._fit_X)  # ndarray or SciPy sparse
        self.n_samples_fit_ = int(self._fit_X.shape[0])
        return self

    def kneighbors(
        self, X: Array, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Array:
        """Distances to and indices of the nearest fitted points of each row of ``X``.

        The query points are not excluded: a fitted point is its own first neighbour.
        Indices and distances are arrays of shape (n_queries, n_neighbors) in ``X``'s
        namespace and on its device, ordered from nearest; among equal distances the
        lower index comes first, on every backend.
        """
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if k > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {self.n_samples_fit_}."
            )
        # The namespace is looked up from the fitted array, never stored: a module
        # on the instance would make it unpicklable.
        xp, device = get_namespace_and_device(X=self._fit_X)
        query = _same_format(_flatten(X, xp), self._fit_X)
        if not is_sparse(query) and query.dtype != self._fit_X.dtype:
            query = xp.astype(query, self._fit_X.dtype)
        candidates_of = None
        if is_numpy_namespace(xp):
            search = self._sklearn

            def candidates_of(block: Array, m: int) -> Array:
                return search.kneighbors(block, n_neighbors=m, return_distance=False)

        distances, indices = _chunked_kneighbors(
            query, self._fit_X, k, xp, device, candidates_of
        )
        return (distances, indices) if return_distance else indices


def _same_format(query: Array, fit: Array) -> Array:
    """The query in the fitted rows' format: SciPy CSR for a sparse fit, dense for a
    dense one (scikit-learn accepts either against either)."""
    if is_sparse(fit) and not is_sparse(query):
        import scipy.sparse as sp

        return sp.csr_matrix(np.asarray(query, dtype=fit.dtype))
    if is_sparse(query) and not is_sparse(fit):
        return query.toarray()
    return query


def check_neighbors_object(name: str, value: Any, additional_neighbor: int = 0) -> Any:
    """A fresh neighbours object from a ``k_neighbors``-style parameter.

    An int ``k`` gives :class:`NearestNeighbors` with ``k + additional_neighbor``
    neighbours (the extra one is the query point itself); an object with ``kneighbors``
    is cloned, as imbalanced-learn does.
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        n_neighbors = check_int(value, name, low=1)
        return NearestNeighbors(n_neighbors=n_neighbors + additional_neighbor)
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
    estimator: Any, query: Array, name: str, xp: Namespace, device: Device
) -> Array:
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
