"""Mini-batch k-means where the data lives (scikit-learn's ``MiniBatchKMeans``).

The algorithm of Sculley (2010) as scikit-learn runs it: the centres are seeded
(k-means++ or random rows) on a random subsample of ``init_size`` rows, the best of
``n_init`` seedings by inertia on a second subsample; then each step draws
``batch_size`` rows with replacement, assigns them to the nearest centre and moves
every centre that received rows to the running mean of all the rows it ever
received (a per-centre learning rate of ``batch count / accumulated count``).
Centres whose accumulated count falls below ``reassignment_ratio`` times the largest
are moved onto rows of the batch. The run stops after ``max_iter`` passes' worth of
steps, when an exponentially weighted average of the batch inertia has not improved
for ``max_no_improvement`` steps, or when the centres move less than ``tol``. The
final labels and inertia of all the rows come from the exact assignment kernel of
``balancekit._kmeans`` (ties to the lower centre index).

Device residency: every array step runs in ``X``'s namespace and on its device. The
batch indices are drawn on the host with a NumPy ``Generator`` for a block of steps
at a time and cross to the device once per block; a reassigned centre takes the
batch's first rows (the batch rows are independent uniform draws, so these are a
uniform draw of distinct batch positions, as scikit-learn's), so no other draw is
needed. Per step only the batch inertia (and, with ``tol``, the centre shift) come
back to the host, for the early stopping.

Determinism: the steps compute in the widest float of the device (float64 where it
exists). Products of float32 values are exact there and their sums nearly so, so
the assignments, sums and running means of a step agree across libraries to
~1e-16 and one seed gives the same clusters on every backend.

Examples
--------
>>> import numpy as np
>>> import array_api_compat.numpy as xp
>>> rng = np.random.default_rng(0)
>>> X = np.concatenate([rng.normal(size=(200, 2)), rng.normal(size=(200, 2)) + 8])
>>> result = minibatch_kmeans(X, 2, rng=np.random.default_rng(0), xp=xp, device="cpu")
>>> sorted(np.bincount(result.labels).tolist())
[200, 200]
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from balancekit._array_api import (
    is_sparse,
    move_indices,
    to_host,
    widest_float_dtype,
)
from balancekit._kmeans import (
    _check_init,
    _cluster_sums,
    _mean_variance,
    _take_rows,
    kmeans_assign,
    kmeans_plusplus,
)
from balancekit._neighbors import ranking_distances
from balancekit._typing import Array, Device, Namespace

__all__ = ["MiniBatchResult", "minibatch_kmeans", "resolve_n_init", "resolve_sizes"]

# Batch indices drawn (and moved to the device) per block of steps: ~2 MiB of int64.
_INDICES_PER_BLOCK = 1 << 18
# scikit-learn's rule: reassign low-count centres once 10 * n_clusters rows were seen.
_ROWS_PER_REASSIGN_CHECK = 10


@dataclass(frozen=True)
class MiniBatchResult:
    """A mini-batch k-means solution.

    ``labels`` is None when the labels were not asked for; ``inertia`` is then the
    smoothed batch inertia scaled to all the rows (as scikit-learn reports it).
    """

    centers: Array
    labels: Array | None
    inertia: float
    n_iter: int
    n_steps: int


@dataclass
class _EarlyStopping:
    """scikit-learn's stopping rules, on host floats (one batch inertia per step).

    The batch inertia per row is smoothed by an exponentially weighted average with
    weight ``2 * batch_size / (n_samples + 1)``; the run stops when that average has
    not reached a new minimum for ``max_no_improvement`` steps, or when the squared
    centre shift is at most ``tol`` (absolute; 0 disables). The first step is only
    the inertia of the seeding and is ignored.
    """

    n_samples: int
    batch_size: int
    tol: float
    max_no_improvement: int | None
    ewa: float | None = None
    ewa_min: float | None = None
    last: float = math.nan
    no_improvement: int = 0

    def stop(self, step: int, batch_inertia: float, shift: float) -> bool:
        """Whether to stop after ``step`` (0-based) given its batch inertia."""
        per_row = batch_inertia / self.batch_size
        self.last = per_row
        if step == 0:
            return False
        if self.ewa is None:
            self.ewa = per_row
        else:
            alpha = min(self.batch_size * 2.0 / (self.n_samples + 1), 1.0)
            self.ewa = self.ewa * (1.0 - alpha) + per_row * alpha
        if self.tol > 0.0 and shift <= self.tol:
            return True
        if self.ewa_min is None or self.ewa < self.ewa_min:
            self.no_improvement = 0
            self.ewa_min = self.ewa
        else:
            self.no_improvement += 1
        limit = self.max_no_improvement
        return limit is not None and self.no_improvement >= limit

    def smoothed_inertia(self) -> float:
        """The smoothed inertia per row (the last batch's before any smoothing)."""
        return self.last if self.ewa is None else self.ewa


def resolve_n_init(n_init: int | str, init: Any) -> int:
    """Seedings to try: ``"auto"`` is 3 for ``"random"``, else 1 (scikit-learn's).

    Initial centres given as an array are used once, with a warning if more runs
    were asked for (as scikit-learn does).

    Examples
    --------
    >>> resolve_n_init("auto", "random"), resolve_n_init("auto", "k-means++")
    (3, 1)
    """
    is_random = isinstance(init, str) and init == "random"
    if isinstance(n_init, str):
        return 3 if is_random else 1
    if not isinstance(init, str) and n_init != 1:
        warnings.warn(
            "Explicit initial centres were passed as `init`: performing one "
            f"initialisation instead of n_init={n_init}.",
            RuntimeWarning,
            stacklevel=3,
        )
        return 1
    return n_init


def resolve_sizes(
    n_samples: int, n_clusters: int, batch_size: int, init_size: int | None
) -> tuple[int, int]:
    """``batch_size`` and ``init_size`` as scikit-learn sets them for ``n_samples``.

    Examples
    --------
    >>> resolve_sizes(100_000, 8, 1024, None)
    (1024, 3072)
    >>> resolve_sizes(50, 8, 1024, None)
    (50, 50)
    """
    batch_size = min(batch_size, n_samples)
    if init_size is None:
        init_size = 3 * batch_size
        if init_size < n_clusters:
            init_size = 3 * n_clusters
    elif init_size < n_clusters:
        warnings.warn(
            f"init_size={init_size} should be larger than n_clusters={n_clusters}; "
            "using min(3 * n_clusters, n_samples) instead.",
            RuntimeWarning,
            stacklevel=3,
        )
        init_size = 3 * n_clusters
    return batch_size, min(init_size, n_samples)


def _seed(
    X: Array,
    n_clusters: int,
    init: Any,
    init_size: int,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
) -> Array:
    """Initial centres from a random subsample of ``init_size`` rows of ``X``."""
    if not isinstance(init, str):
        return init
    n_samples = int(X.shape[0])
    if init_size < n_samples:
        rows = move_indices(rng.integers(0, n_samples, size=init_size), xp, device)
        X = _take_rows(X, rows, xp)
    if init == "k-means++":
        return kmeans_plusplus(X, n_clusters, rng, xp, device)[0]
    rows = rng.choice(int(X.shape[0]), size=n_clusters, replace=False)
    return _take_rows(X, move_indices(rows, xp, device), xp)


def _best_seeding(
    X: Array,
    n_clusters: int,
    init: Any,
    n_init: int,
    init_size: int,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
) -> Array:
    """The seeding of lowest inertia on a validation subsample (the first on ties)."""
    n_samples = int(X.shape[0])
    valid_rows = move_indices(rng.integers(0, n_samples, size=init_size), xp, device)
    X_valid = _take_rows(X, valid_rows, xp)
    best, best_inertia = None, math.inf
    for _ in range(n_init):
        centers = _seed(X, n_clusters, init, init_size, rng, xp, device)
        inertia = float(xp.sum(kmeans_assign(X_valid, centers, xp, device)[1]))
        if best is None or inertia < best_inertia:
            best, best_inertia = centers, inertia
    return best


def _nearest_in_batch(
    batch: Array, centers: Array, xp: Namespace
) -> tuple[Array, Array]:
    """Nearest centre of each batch row and the batch's inertia (0-d), no host sync.

    The kNN's product kernel in the widest float: there the products of the
    input's float32 values are exact, so exact ties (duplicates, grids) give equal
    scores and ``argmin`` gives the lower centre index on every backend.
    """
    centers_sq = xp.sum(centers * centers, axis=1)
    scores = ranking_distances(batch, centers, centers_sq, xp)
    nearest = xp.argmin(scores, axis=1)
    best = xp.min(scores, axis=1)
    return nearest, xp.sum(best) + xp.sum(batch * batch)


def _move_centers(
    batch: Array,
    labels: Array,
    centers: Array,
    counts: Array,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array]:
    """Each centre that got batch rows moves to the mean of all the rows it got.

    ``counts`` are the rows received so far; a centre's new position is
    ``(centre * count + batch sum) / (count + batch count)``, so its learning rate
    is its share of its rows that are new. Other centres stay where they are.
    """
    n_clusters = int(centers.shape[0])
    sums, batch_counts = _cluster_sums(batch, labels, n_clusters, xp, device)
    batch_counts = xp.astype(batch_counts, counts.dtype)
    new_counts = counts + batch_counts
    grown = batch_counts > 0
    divisor = xp.where(grown, new_counts, xp.ones_like(new_counts))
    moved = (centers * counts[:, None] + sums) / divisor[:, None]
    return xp.where(grown[:, None], moved, centers), new_counts


def _reassign_starved(
    batch: Array,
    centers: Array,
    counts: Array,
    ratio: float,
    due: Array | None,
    xp: Namespace,
) -> tuple[Array, Array]:
    """Move the centres with fewer than ``ratio`` times the largest count.

    scikit-learn's rule: at most half a batch of them (the lowest counts, ties to
    the lower index), each onto a row of the batch (the j-th such centre onto the
    batch's j-th row: the rows are independent uniform draws); their counts are
    raised to the smallest count kept, so that they are not moved again at once.
    ``due`` (a 0-d bool) switches the step off on the device, with no host sync.
    """
    n_clusters = int(centers.shape[0])
    starved = counts < ratio * xp.max(counts)
    cap = int(0.5 * int(batch.shape[0]))
    if n_clusters > cap:
        order = xp.argsort(counts, stable=True)
        starved = starved & (xp.argsort(order, stable=True) < cap)
    if due is not None:
        starved = starved & due
    slots = xp.cumulative_sum(xp.astype(starved, xp.int64)) - 1
    slots = xp.where(starved, slots, xp.zeros_like(slots))
    new_rows = xp.take(batch, slots, axis=0)
    centers = xp.where(starved[:, None], new_rows, centers)
    kept = xp.min(xp.where(starved, xp.full_like(counts, math.inf), counts))
    return centers, xp.where(starved, kept, counts)


@dataclass
class _Steps:
    """The state carried from step to step, on the device."""

    centers: Array
    counts: Array
    since_reassign: Array  # rows seen since the last reassignment (0-d)


def _step(
    batch: Array,
    state: _Steps,
    reassignment_ratio: float,
    every_step: bool,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array]:
    """One mini-batch step on ``state``; returns the batch inertia and the centres
    before the step (for the shift)."""
    before = state.centers
    due = None
    if not every_step:  # scikit-learn: when a centre is empty or enough rows passed
        n_clusters = int(before.shape[0])
        seen = state.since_reassign + int(batch.shape[0])
        due = xp.any(state.counts == 0) | (
            seen >= _ROWS_PER_REASSIGN_CHECK * n_clusters
        )
        state.since_reassign = xp.where(due, xp.zeros_like(seen), seen)
    labels, inertia = _nearest_in_batch(batch, before, xp)
    centers, counts = _move_centers(batch, labels, before, state.counts, xp, device)
    if reassignment_ratio > 0:
        centers, counts = _reassign_starved(
            batch, centers, counts, reassignment_ratio, due, xp
        )
    state.centers, state.counts = centers, counts
    return inertia, before


def _run_steps(
    X: Array,
    centers: Array,
    *,
    n_steps: int,
    batch_size: int,
    tol: float,
    max_no_improvement: int | None,
    reassignment_ratio: float,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
) -> tuple[Array, int, _EarlyStopping]:
    """Mini-batch steps from ``centers`` until a stopping rule holds."""
    n_samples = int(X.shape[0])
    wide = widest_float_dtype(xp, device)
    n_clusters = int(centers.shape[0])
    state = _Steps(
        xp.astype(centers, wide),
        xp.zeros((n_clusters,), dtype=wide, device=device),
        xp.zeros((), dtype=xp.int64, device=device),
    )
    every_step = batch_size >= _ROWS_PER_REASSIGN_CHECK * n_clusters
    stopping = _EarlyStopping(n_samples, batch_size, tol, max_no_improvement)
    block = max(1, _INDICES_PER_BLOCK // batch_size)
    step = 0
    for start in range(0, n_steps, block):
        size = min(block, n_steps - start)
        draws = rng.integers(0, n_samples, size=(size, batch_size))
        indices = draws if is_sparse(X) else move_indices(draws, xp, device)
        for step in range(start, start + size):
            batch = _take_rows(X, indices[step - start, :], xp)
            batch = xp.astype(batch, wide)
            inertia, before = _step(
                batch, state, reassignment_ratio, every_step, xp, device
            )
            if tol > 0.0:
                shift = xp.sum((state.centers - before) ** 2)
                values = xp.stack([inertia, shift])
                batch_inertia, shift_value = to_host(values, xp).tolist()
            else:
                batch_inertia, shift_value = float(inertia), 0.0
            if stopping.stop(step, batch_inertia, shift_value):
                return state.centers, step + 1, stopping
    return state.centers, step + 1, stopping


def minibatch_kmeans(
    X: Array,
    n_clusters: int,
    *,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
    init: Any = "k-means++",
    n_init: int | str = "auto",
    max_iter: int = 100,
    batch_size: int = 1024,
    tol: float = 0.0,
    max_no_improvement: int | None = 10,
    init_size: int | None = None,
    reassignment_ratio: float = 0.01,
    compute_labels: bool = True,
) -> MiniBatchResult:
    """Mini-batch k-means of the rows of ``X`` on its device.

    ``X`` is a 2-D real floating array of namespace ``xp`` (or a SciPy CSR matrix,
    on the host); the parameters are scikit-learn's ``MiniBatchKMeans``'s, checked
    by the caller. ``tol`` is relative to the mean variance of the features. The
    centres come back in ``X``'s dtype; with ``compute_labels`` every row's nearest
    centre (ties to the lower index) and the exact inertia.
    """
    n_samples = int(X.shape[0])
    init = _check_init(init, n_clusters, X, xp)
    n_init = resolve_n_init(n_init, init)
    batch_size, init_size = resolve_sizes(n_samples, n_clusters, batch_size, init_size)
    tol_abs = tol * _mean_variance(X, xp) if tol > 0 else 0.0
    n_steps = max(1, (max_iter * n_samples) // batch_size)
    # One BLAS thread, as scikit-learn's mini-batch steps: the products are small.
    with threadpool_limits(limits=1, user_api="blas"):
        seeds = _best_seeding(X, n_clusters, init, n_init, init_size, rng, xp, device)
        centers, steps_run, stopping = _run_steps(
            X,
            seeds,
            n_steps=n_steps,
            batch_size=batch_size,
            tol=tol_abs,
            max_no_improvement=max_no_improvement,
            reassignment_ratio=reassignment_ratio,
            rng=rng,
            xp=xp,
            device=device,
        )
        centers = xp.astype(centers, X.dtype)
        n_iter = math.ceil(steps_run * batch_size / n_samples)
        if not compute_labels:
            inertia = stopping.smoothed_inertia() * n_samples
            return MiniBatchResult(centers, None, inertia, n_iter, steps_run)
        labels, distances = kmeans_assign(X, centers, xp, device)
        wide = widest_float_dtype(xp, device)
        inertia = float(xp.sum(xp.astype(distances, wide)))
    return MiniBatchResult(centers, labels, inertia, n_iter, steps_run)
