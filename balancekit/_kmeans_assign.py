"""Nearest-centre assignment for k-means, where the data lives.

One matrix product per chunk of rows (``|c|^2 - 2 x.c``, the kNN's kernel,
``balancekit._neighbors``) and an ``argmin`` settle almost every row. Rows whose best
score is within the product's rounding error of another centre's (an exact or near
tie) are re-ranked by exact differences with the kNN's re-rank, so the exact nearest
centre, and the lower index among equals, wins on every backend. Memory stays
O(chunk x n_centres).

On the host the chunks are cache-sized and grouped into tasks that run in one thread
per core (NumPy releases the GIL inside its kernels, as scikit-learn's k-means uses
OpenMP); each task's per-cluster sums are taken once over its rows and the tasks are
combined in row order, so the result does not depend on the number of threads.
Accelerators run one large chunk at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import array_api_extra as xpx
from joblib import cpu_count
from threadpoolctl import threadpool_limits

from balancekit._array_api import (
    bincount,
    fixed_order_sum,
    free_device_memory,
    is_numpy_namespace,
    is_sparse,
    second_smallest,
    top_k,
)
from balancekit._neighbors import (
    RERANK_MARGIN,
    memory_budget,
    nearest_exact,
    ranking_distances,
)
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "assign_with_sums",
    "assigned_squared_distances",
    "block_sums",
    "dense_rows",
    "kmeans_assign",
    "kmeans_labels",
]

# Host chunks: this many bytes by the per-row estimate of ``assign`` (a few MiB of
# float32 scores), so that the passes over them mostly hit the cache while Python's
# overhead per chunk stays small next to the work; never fewer rows than
# _MIN_HOST_CHUNK. Measured on 2 threads (2 MiB L2 each): 2**24 was best for 8 to
# 1,000 centres, 1.3-1.9x faster than 2**21.
_HOST_CACHE_BYTES = 1 << 24
_MIN_HOST_CHUNK = 256
# Host tasks (a thread's unit of work, and one per-cluster sum): at least this many
# rows, so that the sums' fixed cost (an n_clusters x n_features array) is amortised.
_MIN_TASK_ROWS = 8192
# From this many centres the near ties are found from the second-smallest score.
_SECOND_SMALLEST_MIN_CENTERS = 64
# Up to this many clusters the per-cluster sums are a one-hot matrix product.
_ONE_HOT_MAX_CLUSTERS = 128


def dense_rows(X: Array, start: int, stop: int) -> Array:
    """Rows ``start:stop`` of ``X`` as a dense array (SciPy sparse rows densified)."""
    return X[start:stop].toarray() if is_sparse(X) else X[start:stop, ...]


def chunk_rows(per_row: int, n_rows: int, xp: Namespace, device: Device) -> int:
    """Rows per chunk: within the memory budget and, in host memory, cache-sized.

    On the host the passes that follow the product (argmin, comparisons, sums)
    then read the chunk from cache rather than from memory.
    """
    chunk = memory_budget(xp, device) // per_row
    if free_device_memory(xp, device) is None:
        chunk = min(chunk, max(_MIN_HOST_CHUNK, _HOST_CACHE_BYTES // per_row))
    return max(1, min(n_rows, chunk))


def block_sums(block: Array, labels: Array, n_clusters: int, xp: Namespace) -> Array:
    """Per-cluster sums of the rows of ``block`` (labels: their clusters).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> block_sums(xp.asarray([[1.0], [2.0], [4.0]]), xp.asarray([1, 0, 1]), 2, xp)
    array([[2.],
           [5.]])
    """
    if n_clusters <= _ONE_HOT_MAX_CLUSTERS:
        # Few clusters: a one-hot product, one BLAS call.
        columns = xp.arange(n_clusters, dtype=labels.dtype, device=labels.device)
        one_hot = xp.astype(labels[:, None] == columns[None, :], block.dtype)
        return one_hot.T @ block
    # Many: one weighted bincount over (cluster, feature) cells, the library's own
    # scatter-add; O(rows x features) whatever the number of clusters.
    n_features = int(block.shape[1])
    features = xp.arange(n_features, dtype=labels.dtype, device=labels.device)
    cells = labels[:, None] * n_features + features[None, :]
    sums = bincount(
        xp.reshape(cells, (-1,)),
        n_clusters * n_features,
        xp.reshape(block, (-1,)),
        xp,
    )
    return xp.reshape(sums, (n_clusters, n_features))


def _near_ties(scores: Array, nearest: Array, threshold: Array, xp: Namespace) -> Array:
    """Rows with another centre scored within ``threshold``: a (near) tie.

    Overwrites ``scores``. Many centres: the second-smallest score, found in place;
    few: a count of the scores under the threshold (a reduction along a short axis
    is slow, a comparison is not).
    """
    if int(scores.shape[1]) >= _SECOND_SMALLEST_MIN_CENTERS:
        return second_smallest(scores, nearest, xp) <= threshold
    return xp.count_nonzero(scores <= threshold[:, None], axis=1) > 1


def _host_threads(xp: Namespace, n_tasks: int) -> int:
    """Threads for the tasks of an assignment: the host's cores for NumPy data."""
    if n_tasks < 2 or not is_numpy_namespace(xp):
        return 1
    return max(1, min(cpu_count(only_physical_cores=False), n_tasks))


@dataclass
class _Assignment:
    """The nearest of ``centers`` for rows of ``X``, a chunk or a task at a time."""

    X: Array
    centers: Array
    xp: Namespace
    device: Device
    X_sq: Array | None
    with_sums: bool
    centers_sq: Array = field(init=False)
    slack: float = field(init=False)
    largest_center_sq: Array = field(init=False)

    def __post_init__(self) -> None:
        xp = self.xp
        self.centers_sq = xp.sum(self.centers * self.centers, axis=1)
        # A dot product of n terms errs by at most n * u times the product of the
        # norms (Higham's gamma_n): twice that bounds the error of a difference of
        # two scores.
        unit = float(xp.finfo(self.centers.dtype).eps) / 2
        self.slack = 4.0 * (int(self.X.shape[1]) + 2) * unit
        self.largest_center_sq = xp.max(self.centers_sq)

    @property
    def n_centers(self) -> int:
        return int(self.centers.shape[0])

    def _candidates(self, block: Array, m: int) -> Array:
        """The ``m`` best-scored centres of each row (all of them when m covers it)."""
        xp = self.xp
        if m >= self.n_centers:
            columns = xp.arange(self.n_centers, device=self.device)
            return xp.broadcast_to(
                columns[None, :], (int(block.shape[0]), self.n_centers)
            )
        scores = ranking_distances(block, self.centers, self.centers_sq, xp)
        return top_k(scores, m, xp)

    def chunk_labels(self, start: int, stop: int) -> Array:
        """Nearest centre of rows ``start:stop`` (ties to the lower index)."""
        xp = self.xp
        block = dense_rows(self.X, start, stop)
        scores = ranking_distances(block, self.centers, self.centers_sq, xp)
        nearest = xp.argmin(scores, axis=1)
        if self.n_centers == 1:
            return nearest
        if self.X_sq is None:
            block_sq = xp.sum(block * block, axis=1)
        else:
            block_sq = self.X_sq[start:stop]
        best = xp.take_along_axis(scores, nearest[:, None], axis=1)[:, 0]
        margin = self.slack * (block_sq + self.largest_center_sq)
        near_tie = _near_ties(scores, nearest, best + margin, xp)
        if not bool(xp.any(near_tie)):
            return nearest
        rows = xp.nonzero(near_tie)[0]
        n_candidates = min(self.n_centers, 1 + RERANK_MARGIN)
        _, exact = nearest_exact(
            xp.take(block, rows, axis=0),
            self.centers,
            1,
            n_candidates,
            self._candidates,
            xp,
        )
        exact = xp.astype(xp.reshape(exact, (-1,)), nearest.dtype)
        return xpx.at(nearest)[near_tie].set(exact, copy=True, xp=xp)

    def task(self, start: int, stop: int, chunk: int) -> tuple[Array, Array | None]:
        """Labels of rows ``start:stop``, a chunk at a time, and their cluster sums."""
        xp = self.xp
        parts = [
            self.chunk_labels(begin, min(begin + chunk, stop))
            for begin in range(start, stop, chunk)
        ]
        labels = parts[0] if len(parts) == 1 else xp.concat(parts)
        if not self.with_sums:
            return labels, None
        rows = dense_rows(self.X, start, stop)
        return labels, block_sums(rows, labels, self.n_centers, xp)


def _run_tasks(
    work: _Assignment, bounds: list[tuple[int, int]], chunk: int, xp: Namespace
) -> Iterator[tuple[Array, Array | None]]:
    """The tasks' results in row order: one thread per core on the host."""
    n_threads = _host_threads(xp, len(bounds))
    if n_threads == 1:
        yield from (work.task(start, stop, chunk) for start, stop in bounds)
        return
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(n_threads) as pool,
    ):
        yield from pool.map(lambda bound: work.task(bound[0], bound[1], chunk), bounds)


def _assign(
    X: Array,
    centers: Array,
    xp: Namespace,
    device: Device,
    X_sq: Array | None,
    with_sums: bool,
) -> tuple[Array, Array]:
    """Labels of every row and, ``with_sums``, the per-cluster sums of the rows."""
    n_samples, n_features = int(X.shape[0]), int(X.shape[1])
    n_centers = int(centers.shape[0])
    work = _Assignment(X, centers, xp, device, X_sq, with_sums)
    # The scores, their comparison with the best and a one-hot (~3 values per
    # centre), and the row; 8 bytes a value, the widest float.
    per_row = 8 * (3 * n_centers + 2 * n_features)
    chunk = chunk_rows(per_row, n_samples, xp, device)
    # Dense host rows are views: a task spans several chunks. Sparse rows are
    # densified, so a task is one chunk (the memory budget holds).
    per_task = chunk
    if not is_sparse(X) and free_device_memory(xp, device) is None:
        per_task = chunk * max(1, -(-_MIN_TASK_ROWS // chunk))
    bounds = [
        (start, min(start + per_task, n_samples))
        for start in range(0, n_samples, per_task)
    ]
    labels: list[Array] = []
    sums = xp.zeros((n_centers, n_features), dtype=centers.dtype, device=device)
    # Results arrive in row order whatever the threads: the same sums' bits.
    for task_labels, task_sums in _run_tasks(work, bounds, chunk, xp):
        labels.append(task_labels)
        if task_sums is not None:
            sums = sums + task_sums
    return (labels[0] if len(labels) == 1 else xp.concat(labels)), sums


def assign_with_sums(
    X: Array,
    centers: Array,
    xp: Namespace,
    device: Device,
    *,
    X_sq: Array | None = None,
) -> tuple[Array, Array, Array]:
    """Nearest centre of each row, and the per-cluster sums and counts of the rows.

    ``X_sq`` (the rows' squared norms) may be given when the caller has them.
    """
    labels, sums = _assign(X, centers, xp, device, X_sq, True)
    return labels, sums, bincount(labels, int(centers.shape[0]), None, xp)


def kmeans_labels(X: Array, centers: Array, xp: Namespace, device: Device) -> Array:
    """Nearest centre of each row of ``X``, ties to the lower centre index (exact)."""
    return _assign(X, centers, xp, device, None, False)[0]


def assigned_squared_distances(
    X: Array, centers: Array, labels: Array, xp: Namespace, device: Device
) -> Array:
    """Exact squared distance of each row of ``X`` to its centre, in chunks."""
    n_samples, n_features = int(X.shape[0]), int(X.shape[1])
    chunk = chunk_rows(16 * n_features, n_samples, xp, device)
    parts = []
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        block = dense_rows(X, start, stop)
        assigned = xp.take(centers, labels[start:stop], axis=0)
        parts.append(fixed_order_sum((block - assigned) ** 2, xp))
    return xp.concat(parts)


def kmeans_assign(
    X: Array, centers: Array, xp: Namespace, device: Device
) -> tuple[Array, Array]:
    """Nearest centre of each row (ties to the lower index) and the exact squared
    distance to it, both of shape (n_samples,) on ``device``."""
    labels = kmeans_labels(X, centers, xp, device)
    return labels, assigned_squared_distances(X, centers, labels, xp, device)
