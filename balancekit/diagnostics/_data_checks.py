"""Per-column and per-row data checks on the data's own device.

Column summaries (missing values, spread, constant columns) and exact duplicate rows
are computed with array-API operations in ``X``'s namespace and on its device; only
O(n_features) summaries and a handful of scalars come back to the host.

Rules (the thresholds are module constants, documented in ``inspect``):

* **constant**: a column with at most one distinct finite value;
* **near-constant**: one value covers at least ``NEAR_CONSTANT_SHARE`` (99%) of the
  column's finite values, or the standard deviation is below ``RELATIVE_STD_FLOOR``
  (1e-6) times the mean absolute value. A value covering more than half of a column is
  its median, so the share is counted for the median of the sorted column: exact,
  with one sort per column and no histogram;
* **scale**: the population standard deviation of the finite values; the interquartile
  range (linear interpolation, as ``numpy.percentile``) is reported alongside;
* **identifier-like** (:func:`identifier_columns`): every value finite and distinct
  (unique per row), in a table of at least ``IDENTIFIER_MIN_ROWS`` (20) rows, and
  either strictly monotone in row order (a row number, an auto-increment key, a
  sorted timestamp) or integer-valued with an identifier's name (a word ``id``,
  ``idx``, ``index``, ``uuid``, ``guid``, ``key`` or pandas' ``Unnamed: 0``, as in
  ``customer_id``, ``CustomerID``). A genuine continuous feature is also unique per
  row, but not monotone in row order (2 / n! by chance), and is not flagged unless
  the file is sorted by it.

Duplicates are exact: a random projection of each row (a fixed sum of column times
weight, evaluated column by column so that equal rows always get equal values) puts
rows that may be equal next to each other, and only rows sharing a projection with
another row are compared exactly, after a lexicographic sort made of one stable sort
per column. Rows holding NaN or inf take no part (NaN never equals itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import bincount, index_dtype, to_host
from balancekit._typing import Array, Device

__all__ = [
    "IDENTIFIER_MIN_ROWS",
    "NEAR_CONSTANT_SHARE",
    "RELATIVE_STD_FLOOR",
    "ColumnSummary",
    "DuplicateSummary",
    "column_summary",
    "duplicate_summary",
    "identifier_columns",
]

NEAR_CONSTANT_SHARE = 0.99
IDENTIFIER_MIN_ROWS = 20
_IDENTIFIER_WORDS = frozenset({"id", "ids", "idx", "index", "uuid", "guid", "key"})
_MONOTONE = "unique per row and increasing or decreasing with the row order"
_NAMED = "integer-valued, unique per row and named like an identifier"
RELATIVE_STD_FLOOR = 1e-6
_PROJECTION_SEED = 20240917
_MAX_EXAMPLE_GROUPS = 5


@dataclass(frozen=True)
class ColumnSummary:
    """Host summaries of every column (NumPy arrays of length n_features)."""

    nan_counts: np.ndarray
    posinf_counts: np.ndarray
    neginf_counts: np.ndarray
    finite_counts: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    iqr: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    dominant_share: np.ndarray
    all_distinct: np.ndarray
    monotone: np.ndarray
    integer_valued: np.ndarray

    @property
    def constant(self) -> np.ndarray:
        """Boolean mask: at most one distinct finite value."""
        return (self.finite_counts == 0) | (self.minimum == self.maximum)

    @property
    def near_constant(self) -> np.ndarray:
        """Boolean mask: not constant, but one value dominates or the spread is ~0."""
        tiny = self.std <= RELATIVE_STD_FLOOR * np.abs(self.mean)
        dominant = self.dominant_share >= NEAR_CONSTANT_SHARE
        return ~self.constant & (dominant | tiny)


def _host_float(x: Array, xp: ModuleType) -> np.ndarray:
    return np.asarray(to_host(x, xp), dtype=np.float64)


def _host_bool(x: Array, xp: ModuleType) -> np.ndarray:
    return np.asarray(to_host(x, xp), dtype=bool).reshape(-1)


def _host_int(x: Array, xp: ModuleType) -> np.ndarray:
    return np.asarray(to_host(x, xp), dtype=np.int64)


def _at_rows(sorted_X: Array, rows: np.ndarray, xp: ModuleType, device: Device) -> Any:
    """``sorted_X[rows[j], j]`` for every column j (rows: host ints)."""
    index = xp.asarray(rows[None, :], dtype=index_dtype(xp, device), device=device)
    return xp.take_along_axis(sorted_X, index, axis=0)[0, ...]


def column_summary(
    X: Array, finite: Any, xp: ModuleType, device: Device
) -> ColumnSummary:
    """Missing-value counts, spread and dominance of each column of 2-D float ``X``.

    ``finite`` is ``xp.isfinite(X)``. Statistics use the finite values of each column.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> X = xp.asarray([[1.0, 5.0], [1.0, float("nan")], [1.0, 7.0], [1.0, 9.0]])
    >>> summary = column_summary(X, xp.isfinite(X), xp, "cpu")
    >>> summary.nan_counts.tolist(), summary.constant.tolist()
    ([0, 1], [True, False])
    >>> summary.iqr.tolist()
    [0.0, 2.0]
    """
    n_samples = int(X.shape[0])
    nan_counts = _host_int(xp.sum(xp.astype(xp.isnan(X), xp.int64), axis=0), xp)
    infinite = xp.isinf(X)
    positive = infinite & (X > 0)
    posinf_counts = _host_int(xp.sum(xp.astype(positive, xp.int64), axis=0), xp)
    neginf_counts = _host_int(
        xp.sum(xp.astype(infinite & ~positive, xp.int64), axis=0), xp
    )
    del infinite, positive
    finite_counts = n_samples - nan_counts - posinf_counts - neginf_counts
    zero = xp.zeros((), dtype=X.dtype, device=device)
    clean = xp.where(finite, X, zero)
    safe_counts = xp.asarray(np.maximum(finite_counts, 1), dtype=X.dtype, device=device)
    mean = xp.sum(clean, axis=0) / safe_counts
    centred = xp.where(finite, X - mean[None, :], zero)
    variance = xp.sum(centred * centred, axis=0) / safe_counts
    del clean, centred

    # Non-finite values sort last, so each column's finite values lead its sort.
    infinity = xp.asarray(np.inf, dtype=X.dtype, device=device)
    sorted_X = xp.sort(xp.where(finite, X, infinity), axis=0)
    last = np.maximum(finite_counts - 1, 0)

    def quantile(sorted_X: Array, q: float) -> np.ndarray:
        position = q * last
        low = np.floor(position).astype(np.int64)
        high = np.ceil(position).astype(np.int64)
        at_low = _host_float(_at_rows(sorted_X, low, xp, device), xp)
        at_high = _host_float(_at_rows(sorted_X, high, xp, device), xp)
        with np.errstate(invalid="ignore"):  # inf - inf in an all-missing column
            return at_low + (at_high - at_low) * (position - low)

    one = xp.ones((), dtype=xp.bool, device=device)
    if n_samples > 1:
        all_distinct = xp.all(sorted_X[1:, ...] != sorted_X[:-1, ...], axis=0)
        increasing = xp.all(X[1:, ...] > X[:-1, ...], axis=0)
        decreasing = xp.all(X[1:, ...] < X[:-1, ...], axis=0)
        monotone = increasing | decreasing
    else:
        all_distinct = monotone = xp.broadcast_to(one, (X.shape[1],))
    integer_valued = xp.all(xp.where(finite, xp.round(X) == X, one), axis=0)
    minimum = _host_float(sorted_X[0, ...], xp)
    maximum = _host_float(_at_rows(sorted_X, last, xp, device), xp)
    median = _at_rows(sorted_X, last // 2, xp, device)
    dominant = xp.sum(xp.astype(xp.equal(X, median[None, :]), xp.int64), axis=0)
    iqr = quantile(sorted_X, 0.75) - quantile(sorted_X, 0.25)
    del sorted_X
    empty = finite_counts == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        dominant_share = np.where(
            empty, 0.0, _host_int(dominant, xp) / np.maximum(finite_counts, 1)
        )
    nan_if_empty = np.where(empty, np.nan, 1.0)
    return ColumnSummary(
        nan_counts=nan_counts,
        posinf_counts=posinf_counts,
        neginf_counts=neginf_counts,
        finite_counts=finite_counts,
        mean=_host_float(mean, xp) * nan_if_empty,
        std=np.sqrt(_host_float(variance, xp)) * nan_if_empty,
        iqr=iqr * nan_if_empty,
        minimum=minimum * nan_if_empty,
        maximum=maximum * nan_if_empty,
        dominant_share=dominant_share,
        all_distinct=_host_bool(all_distinct, xp),
        monotone=_host_bool(monotone, xp),
        integer_valued=_host_bool(integer_valued, xp),
    )


def _name_words(name: str) -> list[str]:
    """Words of a column name: ``"CustomerID"`` -> ``["customer", "id"]``."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name)]


def identifier_columns(
    summary: ColumnSummary, names: list[str], n_samples: int
) -> dict[str, str]:
    """The identifier-like columns (see the module's rules), each with its reason.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> rng = np.random.default_rng(0)
    >>> n = 50
    >>> X = np.column_stack([np.arange(n) + 1000.0, rng.normal(size=n),
    ...                      rng.permutation(n).astype(float),
    ...                      rng.permutation(n).astype(float)])
    >>> summary = column_summary(X, np.isfinite(X), xp, "cpu")
    >>> found = identifier_columns(
    ...     summary, ["row", "amount", "CustomerID", "age"], n
    ... )
    >>> for name, reason in found.items():
    ...     print(f"{name}: {reason}")
    row: unique per row and increasing or decreasing with the row order
    CustomerID: integer-valued, unique per row and named like an identifier
    """
    if n_samples < IDENTIFIER_MIN_ROWS:
        return {}
    found = {}
    complete = summary.finite_counts == n_samples
    for j, name in enumerate(names):
        if not (complete[j] and summary.all_distinct[j]):
            continue
        words = set(_name_words(name))
        if summary.monotone[j]:
            found[name] = _MONOTONE
        elif summary.integer_valued[j] and (
            words & _IDENTIFIER_WORDS or name.lower().startswith("unnamed")
        ):
            found[name] = _NAMED
    return found


@dataclass(frozen=True)
class DuplicateSummary:
    """Exact duplicate rows and identical rows with different labels.

    ``n_duplicate_rows`` counts rows equal to an earlier row (so a row present three
    times counts twice); ``n_duplicate_groups`` counts distinct rows present more than
    once. A conflicting group is such a group whose rows do not all share one label;
    ``n_conflicting_rows`` counts every row of those groups. ``conflict_examples``
    holds the row positions of up to five conflicting groups.
    """

    n_duplicate_rows: int
    n_duplicate_groups: int
    n_conflicting_rows: int
    n_conflicting_groups: int
    conflict_examples: list[list[int]]


_NO_DUPLICATES = DuplicateSummary(0, 0, 0, 0, [])


def _projection(X: Array, xp: ModuleType, device: Device) -> Any:
    """One value per row; equal rows give equal values (elementwise arithmetic only)."""
    weights = np.random.default_rng(_PROJECTION_SEED).uniform(0.5, 1.5, X.shape[1])
    weights = xp.asarray(weights, dtype=X.dtype, device=device)
    total = xp.zeros((X.shape[0],), dtype=X.dtype, device=device)
    for column in range(X.shape[1]):
        total = total + X[:, column] * weights[column]
    return total


def _lexsort_rows(X: Array, xp: ModuleType, device: Device) -> Any:
    """Permutation sorting the rows of ``X`` lexicographically (stable)."""
    order = xp.arange(X.shape[0], dtype=index_dtype(xp, device), device=device)
    for column in range(X.shape[1] - 1, -1, -1):
        keys = xp.take(X[:, column], order)
        order = xp.take(order, xp.argsort(keys, stable=True))
    return order


def duplicate_summary(
    X: Array, codes: Array, rows: Array, xp: ModuleType, device: Device
) -> DuplicateSummary:
    """Exact duplicate rows of 2-D float ``X`` (finite rows only) and label conflicts.

    ``codes`` are integer class codes of the rows of ``X``; ``rows`` the rows' positions
    in the caller's data (reported in ``conflict_examples``).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> X = xp.asarray([[0.0, 1.0], [2.0, 3.0], [0.0, 1.0], [0.0, 1.0]])
    >>> codes, rows = xp.asarray([0, 1, 0, 1]), xp.arange(4)
    >>> found = duplicate_summary(X, codes, rows, xp, "cpu")
    >>> found.n_duplicate_rows, found.n_conflicting_rows, found.conflict_examples
    (2, 3, [[0, 2, 3]])
    """
    n_rows = int(X.shape[0])
    if n_rows < 2:
        return _NO_DUPLICATES
    if X.shape[1] == 0:
        candidates = xp.arange(n_rows, dtype=index_dtype(xp, device), device=device)
    else:
        hashes = _projection(X, xp, device)
        order = xp.argsort(hashes, stable=True)
        sorted_hashes = xp.take(hashes, order)
        same = sorted_hashes[1:] == sorted_hashes[:-1]
        false = xp.zeros((1,), dtype=xp.bool, device=device)
        shared = xp.concat([same, false]) | xp.concat([false, same])
        candidates = xp.take(order, xp.nonzero(shared)[0])
    n_candidates = int(candidates.shape[0])
    if n_candidates < 2:
        return _NO_DUPLICATES
    X_candidates = xp.take(X, candidates, axis=0)
    order = _lexsort_rows(X_candidates, xp, device)
    X_sorted = xp.take(X_candidates, order, axis=0)
    positions = xp.take(candidates, order)
    equal_next = xp.all(X_sorted[1:, ...] == X_sorted[:-1, ...], axis=1)
    true = xp.ones((1,), dtype=xp.bool, device=device)
    starts = xp.concat([true, ~equal_next])
    int_dtype = index_dtype(xp, device)
    group = xp.cumulative_sum(xp.astype(starts, int_dtype)) - 1
    n_groups = int(xp.sum(xp.astype(starts, int_dtype)))
    sizes = bincount(group, n_groups, None, xp)
    labels = xp.take(codes, positions)
    first_label = xp.take(labels, xp.nonzero(starts)[0])
    differs = xp.astype(labels != xp.take(first_label, group), int_dtype)
    conflicting = bincount(group, n_groups, xp.astype(differs, xp.float32), xp) > 0
    n_conflicting_groups = int(xp.sum(xp.astype(conflicting, int_dtype)))
    n_conflicting_rows = int(xp.sum(xp.where(conflicting, sizes, xp.zeros_like(sizes))))
    examples: list[list[int]] = []
    if n_conflicting_groups:
        wanted = xp.nonzero(conflicting)[0]
        wanted = wanted[: min(_MAX_EXAMPLE_GROUPS, int(wanted.shape[0]))]
        in_wanted = xp.any(group[:, None] == wanted[None, :], axis=1)
        chosen = xp.nonzero(in_wanted)[0]
        chosen_rows = _host_int(xp.take(xp.take(rows, positions), chosen), xp)
        chosen_groups = _host_int(xp.take(group, chosen), xp)
        for group_id in np.unique(chosen_groups):
            examples.append(sorted(chosen_rows[chosen_groups == group_id].tolist()))
        examples.sort()
    n_duplicate_groups = int(xp.sum(xp.astype(sizes > 1, int_dtype)))
    return DuplicateSummary(
        n_duplicate_rows=n_candidates - n_groups,
        n_duplicate_groups=n_duplicate_groups,
        n_conflicting_rows=n_conflicting_rows,
        n_conflicting_groups=n_conflicting_groups,
        conflict_examples=examples,
    )
