"""Exact k-means where the data lives: k-means++ seeding and Lloyd iterations.

Every step runs in the input's namespace and on its device. Distances go through the
kNN's kernel (``balancekit._neighbors``): a matrix product per chunk of points and an
``argmin`` assign the points; those within the product's rounding error of a second
centre are re-ranked by exact differences (the kNN's re-rank), so a point equidistant
from two centres goes to the lower centre index on every backend. Memory stays
O(chunk x n_clusters); no n x n matrix is built. The random draws (the first centre,
the k-means++ trial values, the ``"random"`` init) come from a NumPy ``Generator`` on
the host and cross to the device once per run; only scalars (the inertia, the centre
shift, the number of empty clusters) come back per iteration.

The algorithm is scikit-learn's ``KMeans(algorithm="lloyd")``: greedy k-means++ with
``2 + log(n_clusters)`` local trials, ``tol`` relative to the mean feature variance,
empty clusters relocated to the points farthest from their centres, and a final
assignment to the last centres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np
from threadpoolctl import threadpool_limits

from balancekit._array_api import bincount, is_sparse, widest_float_dtype
from balancekit._kmeans_assign import (
    assign_with_sums,
    assigned_squared_distances,
    block_sums,
    dense_rows,
    kmeans_assign,
    kmeans_labels,
)
from balancekit._neighbors import ranking_distances
from balancekit._params import check_choice
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "KMeansResult",
    "assigned_squared_distances",
    "flat_float",
    "kmeans",
    "kmeans_assign",
    "kmeans_labels",
    "kmeans_plusplus",
]

_INITS = ("k-means++", "random")


@dataclass(frozen=True)
class KMeansResult:
    """One k-means solution: centres, labels (on the device), inertia, iterations."""

    centers: Array
    labels: Array
    inertia: float
    n_iter: int


def flat_float(X: Array, xp: Namespace) -> Array:
    """X as a 2-D real floating array of its namespace (the caller's dtype if float).

    SciPy sparse matrices stay sparse (CSR); the kernels densify a chunk at a time.
    """
    if is_sparse(X):
        X = X.tocsr()
        return X if X.dtype.kind == "f" else X.astype(np.float64)
    if X.ndim != 2:
        X = xp.reshape(X, (X.shape[0], -1))
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, xpx.default_dtype(xp, device=X.device))
    return X


def _take_rows(X: Array, rows: Array, xp: Namespace) -> Array:
    """Dense rows ``rows`` of ``X`` (a few centres or candidates)."""
    if is_sparse(X):
        return X[np.asarray(rows)].toarray()
    return xp.take(X, rows, axis=0)


def _row_norms(X: Array, xp: Namespace) -> Array:
    if is_sparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return xp.sum(X * X, axis=1)


def _mean_variance(X: Array, xp: Namespace) -> float:
    """Mean over the features of their variance (scikit-learn's ``tol`` scale)."""
    if is_sparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        squares = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        return float(np.mean(squares - mean**2))
    return float(xp.mean(xp.var(X, axis=0)))


def _squared_distances_to(
    points: Array, X: Array, X_sq: Array, xp: Namespace, device: Device
) -> Array:
    """Squared distances from each of a few ``points`` to every row of ``X``.

    The kNN's product kernel, clipped at 0 (the product can dip below it); shape
    (n_points, n_samples). k-means++ only needs them to weigh its draws.
    """
    points_sq = xp.sum(points * points, axis=1)
    if is_sparse(X):  # sparse @ dense is SciPy's product; the kernel's formula
        product = X_sq[None, :] - 2.0 * (X @ points.T).T + points_sq[:, None]
    else:
        product = ranking_distances(points, X, X_sq, xp) + points_sq[:, None]
    return xp.clip(product, min=0.0)


def kmeans_plusplus(
    X: Array,
    n_clusters: int,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
    n_local_trials: int | None = None,
) -> tuple[Array, Array]:
    """Greedy k-means++ seeding (Arthur and Vassilvitskii, 2007; scikit-learn's).

    The first centre is a uniform row; each next one is the best, by the resulting
    potential (sum of squared distances to the nearest centre), of ``n_local_trials``
    rows drawn with probability proportional to their current squared distance.
    The uniform values are drawn on the host up front and moved once: the loop never
    waits for the device.

    Returns
    -------
    centers, indices : arrays of shape (n_clusters, n_features) and (n_clusters,)
        The chosen rows of ``X`` and their indices, on ``device``.
    """
    n_samples = int(X.shape[0])
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(n_clusters))
    wide = widest_float_dtype(xp, device)
    first = int(rng.integers(n_samples))
    uniforms = xp.asarray(
        rng.uniform(size=(max(n_clusters - 1, 0), n_local_trials)),
        dtype=wide,
        device=device,
    )
    X_sq = _row_norms(X, xp)
    chosen = [xp.asarray([first], device=device)]
    closest = xp.astype(
        _squared_distances_to(dense_rows(X, first, first + 1), X, X_sq, xp, device)[
            0, :
        ],
        wide,
    )
    potential = xp.sum(closest)
    last = xp.asarray(n_samples - 1, device=device)
    for step in range(n_clusters - 1):
        # Draw trial rows with probability closest / potential (inverse CDF).
        targets = uniforms[step, :] * potential
        trials = xp.searchsorted(xp.cumulative_sum(closest), targets)
        trials = xp.minimum(trials, xp.astype(last, trials.dtype))
        candidates = _take_rows(X, trials, xp)
        distances = xp.minimum(
            closest[None, :],
            xp.astype(_squared_distances_to(candidates, X, X_sq, xp, device), wide),
        )
        potentials = xp.sum(distances, axis=1)
        best = xp.reshape(xp.argmin(potentials), (1,))  # first of equal potentials
        potential = xp.take(potentials, best)[0]
        closest = xp.take(distances, best, axis=0)[0, :]
        chosen.append(xp.astype(xp.take(trials, best), chosen[0].dtype))
    indices = xp.concat(chosen)
    return _take_rows(X, indices, xp), indices


def _cluster_sums(
    X: Array, labels: Array, n_clusters: int, xp: Namespace, device: Device
) -> tuple[Array, Array]:
    """Per-cluster sums of the (few) rows of ``X`` and per-cluster counts."""
    sums = block_sums(X, labels, n_clusters, xp)
    return sums, bincount(labels, n_clusters, None, xp)


def _relocate_empty(
    X: Array,
    labels: Array,
    distances: Array,
    sums: Array,
    counts: Array,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array]:
    """Move each empty cluster onto one of the points farthest from their centre.

    scikit-learn's rule, made deterministic: the farthest point (ties to the lower
    index) goes to the lowest empty cluster, and so on; it leaves its old cluster's
    sums. Labels are not changed (the next iteration reassigns).
    """
    empty = counts == 0
    n_empty = int(xp.count_nonzero(empty))
    far = xp.argsort(-distances, stable=True)[:n_empty]
    far_rows = _take_rows(X, far, xp)
    old = xp.take(labels, far)
    n_clusters = int(counts.shape[0])
    removed, removed_counts = _cluster_sums(far_rows, old, n_clusters, xp, device)
    # Boolean-mask writes fill the empty clusters in increasing order (the standard
    # has no integer-array assignment).
    sums = xpx.at(sums - removed)[empty].set(far_rows, copy=True, xp=xp)
    counts = xpx.at(counts - removed_counts)[empty].set(1, copy=True, xp=xp)
    return sums, counts


def _lloyd(
    X: Array,
    centers: Array,
    max_iter: int,
    tol: float,
    xp: Namespace,
    device: Device,
) -> KMeansResult:
    """Lloyd iterations from ``centers`` until the labels stop changing, the centres
    move less than ``tol`` (squared, summed) or ``max_iter`` iterations are done."""
    previous = None
    X_sq = _row_norms(X, xp)  # the same every iteration
    converged = False
    n_iter = 0
    labels = None
    for iteration in range(max_iter):
        n_iter = iteration + 1
        labels, sums, counts = assign_with_sums(X, centers, xp, device, X_sq=X_sq)
        if bool(xp.any(counts == 0)):
            # Only the relocation needs the distances inside the loop.
            distances = assigned_squared_distances(X, centers, labels, xp, device)
            sums, counts = _relocate_empty(
                X, labels, distances, sums, counts, xp, device
            )
        filled = counts > 0
        divisor = xp.astype(xp.where(filled, counts, xp.ones_like(counts)), X.dtype)
        # A cluster emptied by a relocation keeps its centre.
        new_centers = xp.where(filled[:, None], sums / divisor[:, None], centers)
        shift = float(xp.sum((new_centers - centers) ** 2))
        centers = new_centers
        if previous is not None and bool(xp.all(labels == previous)):
            converged = True  # same labels, same centres: the last assignment holds
            break
        if shift <= tol:
            break
        previous = labels
    if not converged:
        # The labels of the final centres, as scikit-learn's last E-step.
        labels = kmeans_labels(X, centers, xp, device)
    distances = assigned_squared_distances(X, centers, labels, xp, device)
    return KMeansResult(centers, labels, float(xp.sum(distances)), n_iter)


def _initial_centers(
    X: Array,
    n_clusters: int,
    init: Any,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
) -> Array:
    if isinstance(init, str) and init == "k-means++":
        return kmeans_plusplus(X, n_clusters, rng, xp, device)[0]
    if isinstance(init, str) and init == "random":
        rows = rng.permutation(int(X.shape[0]))[:n_clusters]
        return _take_rows(X, xp.asarray(rows, device=device), xp)
    return init


def _check_init(init: Any, n_clusters: int, X: Array, xp: Namespace) -> Any:
    """``init`` as a name or as centres of X's namespace, dtype and device (and
    ``n_clusters`` no more than the rows)."""
    n_samples = int(X.shape[0])
    if n_clusters > n_samples:
        raise ValueError(
            f"n_samples={n_samples} should be >= n_clusters={n_clusters}: k-means "
            "cannot make more clusters than there are rows. Lower `n_clusters`."
        )
    if isinstance(init, str):
        return check_choice(init, "init", _INITS)
    if hasattr(init, "shape"):
        device = "cpu" if is_sparse(X) else array_api_compat.device(X)
        xp_init = array_api_compat.array_namespace(init)
        if xp_init is not xp:  # e.g. NumPy centres for device data: moved once
            init = xp.asarray(np.asarray(init), device=device)
        elif array_api_compat.device(init) != device:
            raise ValueError(
                f"`init` is on device {array_api_compat.device(init)!r} but X is on "
                f"{device!r}; move the centres to X's device first."
            )
        shape = tuple(init.shape)
        if shape != (n_clusters, int(X.shape[1])):
            raise ValueError(
                f"`init` as an array must have shape (n_clusters, n_features) = "
                f"({n_clusters}, {int(X.shape[1])}); got {shape}."
            )
        return xp.astype(init, X.dtype)
    raise TypeError(
        "`init` must be 'k-means++', 'random' or an array of initial centres of "
        f"shape (n_clusters, n_features); got {type(init).__name__}."
    )


def kmeans(
    X: Array,
    n_clusters: int,
    *,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
    init: Any = "k-means++",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> KMeansResult:
    """Exact k-means of the rows of ``X`` on its device; the best of ``n_init`` runs.

    ``X`` is a 2-D real floating array of namespace ``xp``; ``tol`` is relative to
    the mean variance of the features, as in scikit-learn. The run with the lowest
    inertia wins (the first among equal ones).
    """
    init = _check_init(init, n_clusters, X, xp)
    tol_abs = tol * _mean_variance(X, xp) if tol > 0 else 0.0
    best: KMeansResult | None = None
    # One BLAS thread, as scikit-learn's k-means: the products are many and small
    # (one per cache-sized chunk), and waking a pool of threads for each costs more
    # than it gains, ruinously so on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(n_init):
            centers = _initial_centers(X, n_clusters, init, rng, xp, device)
            result = _lloyd(X, centers, max_iter, tol_abs, xp, device)
            if best is None or result.inertia < best.inertia:
                best = result
    assert best is not None
    return best
