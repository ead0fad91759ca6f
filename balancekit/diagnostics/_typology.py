"""How hard each class is: Napierala & Stefanowski's neighbourhood typology.

Each sample is labelled by how many of its ``k`` nearest neighbours (itself excluded)
share its class. With ``k = 5`` (the paper's setting): 5 or 4 -> *safe*, 3 or 2 ->
*borderline*, 1 -> *rare*, 0 -> *outlier* (K. Napierala and J. Stefanowski, "Types of
minority class examples and their influence on learning classifiers from imbalanced
data", Journal of Intelligent Information Systems 46, 2016). Other ``k`` use the same
cut points on the same-class fraction ``f``: safe ``f > 0.7``, borderline
``0.3 < f <= 0.7``, rare ``0 < f <= 0.3``, outlier ``f = 0`` (``k = 7`` then gives the
paper's 7-5 / 4-3 / 2-1 / 0).

The neighbours come from :class:`balancekit._neighbors.NearestNeighbors` (exact,
chunked, on the data's device). A query's own row is removed from its ``k + 1``
neighbours wherever it appears; when exact duplicates push it out of the list, the
farthest neighbour is dropped instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import bincount, index_dtype, move_indices, to_host
from balancekit._neighbors import NearestNeighbors
from balancekit._typing import Array, Device

__all__ = [
    "CATEGORIES",
    "Typology",
    "neighbourhood_typology",
    "stratified_quotas",
    "stratified_sample",
]

CATEGORIES = ("safe", "borderline", "rare", "outlier")


@dataclass(frozen=True)
class Typology:
    """The typology of the evaluated rows.

    Attributes
    ----------
    counts : numpy.ndarray of shape (n_classes, 4)
        Rows of each class in each category (columns in ``CATEGORIES`` order).
    n_neighbors : int
        The ``k`` used.
    sampled : bool
        Whether only a stratified subsample of the rows was evaluated.
    rows : array
        Positions of the evaluated rows (in the data given), on the data's device.
    categories : array
        Category code (0 safe ... 3 outlier) of each evaluated row, on device.
    """

    counts: np.ndarray
    n_neighbors: int
    sampled: bool
    rows: Any
    categories: Any

    @property
    def shares(self) -> np.ndarray:
        """Fraction of each class's evaluated rows in each category."""
        totals = self.counts.sum(axis=1, keepdims=True)
        return self.counts / np.maximum(totals, 1)


def categorise(n_same: Any, n_neighbors: int, xp: ModuleType) -> Any:
    """Category code per row (0 safe ... 3 outlier) from its same-class neighbours.

    Each passed cut point lowers the code by one: ``n_same > 0`` (not an outlier),
    ``10 n_same > 3 k`` (not rare), ``10 n_same > 7 k`` (safe).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> categorise(xp.asarray([0, 1, 2, 3, 4, 5]), 5, xp).tolist()
    [3, 2, 1, 1, 0, 0]
    """
    tenfold = n_same * 10
    passed = (
        xp.astype(n_same > 0, n_same.dtype)
        + xp.astype(tenfold > 3 * n_neighbors, n_same.dtype)
        + xp.astype(tenfold > 7 * n_neighbors, n_same.dtype)
    )
    return 3 - passed


def stratified_quotas(class_counts: np.ndarray, budget: int) -> np.ndarray:
    """Rows to draw from each class: ``min(n_c, t)`` with ``t`` filling ``budget``.

    Small classes are kept whole; the rest of the budget is shared evenly among the
    larger ones.

    Examples
    --------
    >>> stratified_quotas(np.array([900, 30, 70]), 100).tolist()
    [35, 30, 35]
    """
    class_counts = np.asarray(class_counts, dtype=np.int64)
    quotas = np.zeros_like(class_counts)
    remaining = min(int(budget), int(class_counts.sum()))
    order = np.argsort(class_counts, kind="stable")
    for position, cls in enumerate(order):
        share = remaining // (len(order) - position)
        quotas[cls] = min(int(class_counts[cls]), share)
        remaining -= int(quotas[cls])
    # Integer division leaves a few rows; give them to classes with rows to spare.
    for cls in order[::-1]:
        extra = min(remaining, int(class_counts[cls] - quotas[cls]))
        quotas[cls] += extra
        remaining -= extra
    return quotas


def stratified_sample(
    codes: Array,
    class_counts: np.ndarray,
    budget: int,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
) -> Any:
    """Sorted positions of a stratified subsample (see ``stratified_quotas``)."""
    quotas = stratified_quotas(class_counts, budget)
    chosen = []
    for cls, quota in enumerate(quotas):
        if quota == 0:
            continue
        members = xp.nonzero(codes == cls)[0]
        picks = np.sort(rng.choice(int(class_counts[cls]), int(quota), replace=False))
        chosen.append(xp.take(members, move_indices(picks, xp, device)))
    return xp.sort(xp.concat(chosen))


def neighbourhood_typology(
    X: Array,
    codes: Array,
    class_counts: np.ndarray,
    n_neighbors: int,
    max_samples: int | None,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
) -> Typology:
    """Categorise rows of 2-D float ``X`` (finite) with integer class ``codes``.

    ``class_counts`` are the host counts of each code. All rows are evaluated unless
    ``max_samples`` is smaller than their number: then a stratified subsample is, with
    neighbours still searched among all rows (so each evaluated row's category is
    exactly the one the full computation gives).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> X = xp.asarray([[0.0], [0.11], [0.23], [5.0], [5.1], [0.9]])
    >>> codes = xp.asarray([0, 0, 0, 1, 1, 1])
    >>> typology = neighbourhood_typology(
    ...     X, codes, np.array([3, 3]), 2, None, np.random.default_rng(0), xp, "cpu"
    ... )
    >>> typology.counts.tolist()  # the stray class-1 point at 0.9 is an outlier
    [[3, 0, 0, 0], [2, 0, 0, 1]]
    """
    n_rows = int(X.shape[0])
    n_classes = int(class_counts.shape[0])
    int_dtype = index_dtype(xp, device)
    sampled = max_samples is not None and n_rows > max_samples
    if sampled:
        assert max_samples is not None
        rows = stratified_sample(codes, class_counts, max_samples, rng, xp, device)
        queries = xp.take(X, rows, axis=0)
    else:
        rows = xp.arange(n_rows, dtype=int_dtype, device=device)
        queries = X
    search = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(X)
    neighbours = search.kneighbors(queries, return_distance=False)
    neighbours = xp.astype(neighbours, int_dtype)
    is_self = neighbours == rows[:, None]
    own = xp.astype(xp.take(codes, rows), int_dtype)
    neighbour_codes = xp.reshape(
        xp.take(codes, xp.reshape(neighbours, (-1,))), neighbours.shape
    )
    same = (neighbour_codes == own[:, None]) & ~is_self
    n_same = xp.sum(xp.astype(same, int_dtype), axis=1)
    has_self = xp.any(is_self, axis=1)
    surplus = xp.astype(same[:, n_neighbors] & ~has_self, int_dtype)
    categories = xp.astype(categorise(n_same - surplus, n_neighbors, xp), int_dtype)
    cells = bincount(own * 4 + categories, n_classes * 4, None, xp)
    counts = np.asarray(to_host(cells, xp), dtype=np.int64).reshape(n_classes, 4)
    return Typology(
        counts=counts,
        n_neighbors=n_neighbors,
        sampled=sampled,
        rows=rows,
        categories=categories,
    )
