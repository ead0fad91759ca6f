"""``inspect`` on Dask, per column: steps 1 and 2 of :mod:`balancekit.dask._inspect`.

In the tasks: each partition's NaN and inf counts, sums, extremes, integrality,
row-order monotonicity and sorted sketch of each column (step 1), then the squared
deviations from the global means, the counts of the candidate dominant values and
the stratified sample's rows (step 2). On the client: the sketches merged into
medians and quantiles (the interquartile range), the candidates of a dominant value,
and the in-memory ``ColumnSummary`` with its identifier-like columns.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from balancekit.dask._collections import check_partition_length
from balancekit.dask._counts import label_values
from balancekit.dask._inspect_partitions import _codes, _matrix
from balancekit.diagnostics._data_checks import (
    IDENTIFIER_MIN_ROWS,
    ColumnSummary,
    identifier_columns,
)

# ------------------------------------------------------------------ in the tasks


def _columns_pass(x: Any, y: Any, index: int, n_sketch: int) -> dict[str, Any]:
    """Step 1 for one partition (see the module docstring)."""
    X = _matrix(x)
    check_partition_length(y, len(X), "y", "X", index)
    labels = label_values(y, "y")
    finite = np.isfinite(X)
    finite_rows = finite.all(axis=1)
    sorted_X = np.sort(np.where(finite, X, np.inf), axis=0)
    n_finite = finite.sum(axis=0)
    sketch = []
    for j, f in enumerate(n_finite):
        if f <= n_sketch:
            sketch.append((sorted_X[:f, j], np.ones(f, dtype=np.int64)))
        else:
            ranks = np.unique(np.linspace(0, f - 1, n_sketch).round().astype(np.int64))
            sketch.append((sorted_X[ranks, j], np.diff(np.append(ranks, f))))
    middle = np.maximum(n_finite - 1, 0) // 2
    median = (
        sorted_X[middle, np.arange(X.shape[1])]
        if len(X)
        else np.full(X.shape[1], np.nan)
    )
    return {
        "n_rows": len(X),
        "labels": np.unique(labels, return_counts=True),
        "finite_labels": np.unique(labels[finite_rows], return_counts=True),
        "nan": np.isnan(X).sum(axis=0),
        "posinf": np.isposinf(X).sum(axis=0),
        "neginf": np.isneginf(X).sum(axis=0),
        "finite": n_finite,
        "sum": np.where(finite, X, 0.0).sum(axis=0),
        "row_sum": X[finite_rows].sum(axis=0),
        "min": np.where(finite, X, np.inf).min(axis=0, initial=np.inf),
        "max": np.where(finite, X, -np.inf).max(axis=0, initial=-np.inf),
        "integer": np.where(finite, np.round(X) == X, True).all(axis=0),
        "increasing": (X[1:] > X[:-1]).all(axis=0),
        "decreasing": (X[1:] < X[:-1]).all(axis=0),
        "first": X[0] if len(X) else None,
        "last": X[-1] if len(X) else None,
        "median": median,
        "median_count": np.array(
            [
                np.searchsorted(sorted_X[:f, j], median[j], side="right")
                - np.searchsorted(sorted_X[:f, j], median[j], side="left")
                for j, f in enumerate(n_finite)
            ]
        ),
        "sketch": sketch,
        "exact_sketch": bool((n_finite <= n_sketch).all()),
    }


def _spread_pass(
    x: Any, y: Any, index: int, plan: dict[str, Any], classes: np.ndarray
) -> dict[str, Any]:
    """Step 2 for one partition: squared deviations, candidate counts, sample."""
    X = _matrix(x)
    finite = np.isfinite(X)
    finite_rows = finite.all(axis=1)
    centred = np.where(finite, X - plan["mean"], 0.0)
    row_centred = X[finite_rows] - plan["row_mean"]
    counts = []
    for j, candidates in enumerate(plan["candidates"]):
        at = np.minimum(np.searchsorted(candidates, X[:, j]), len(candidates) - 1)
        hit = candidates[at] == X[:, j]
        counts.append(np.bincount(at[hit], minlength=len(candidates)))
    codes = _codes(y, classes)
    seed = np.random.SeedSequence(plan["root"], spawn_key=(index, 0))
    rng = np.random.default_rng(seed)
    chosen = [
        np.flatnonzero(finite_rows & (codes == k))[
            rng.choice(int(plan["finite_counts"][index, k]), int(q), replace=False)
        ]
        for k, q in enumerate(plan["quotas"][index])
        if q
    ]
    rows = np.sort(np.concatenate(chosen)) if chosen else np.empty(0, np.int64)
    return {
        "square": (centred * centred).sum(axis=0),
        "row_square": (row_centred * row_centred).sum(axis=0),
        "candidate_counts": counts,
        "sample": (
            X[rows],
            codes[rows],
            np.cumsum(finite_rows)[rows] - 1 + plan["finite_offsets"][index],
        ),
    }


# ------------------------------------------------------------------- the client


def _at_rank(sketches: list[tuple], rank: int) -> float:
    """The value of (0-based) ``rank`` among the merged sketches' finite values."""
    values = np.concatenate([s[0] for s in sketches])
    weights = np.concatenate([s[1] for s in sketches])
    order = np.argsort(values, kind="stable")
    position = np.searchsorted(np.cumsum(weights[order]), rank, side="right")
    return float(values[order][position])


def _quantile(sketches: list[tuple], n_finite: int, q: float) -> float:
    """The ``q`` quantile, linear interpolation as ``numpy.percentile``."""
    if n_finite == 0:
        return np.nan
    position = q * (n_finite - 1)
    low = _at_rank(sketches, int(np.floor(position)))
    high = _at_rank(sketches, int(np.ceil(position)))
    return low + (high - low) * (position - np.floor(position))


def _majority_candidates(parts: Sequence[dict], j: int, median: float) -> np.ndarray:
    """Values of column ``j`` whose count is needed: the estimated median, and each
    value that may cover more than half of the finite values. Such a value covers
    more than half of some partition (so it is that partition's median), and
    elsewhere at most half: values whose bound falls short are left out."""
    half = np.array([p["finite"][j] // 2 for p in parts])
    values = np.array([p["median"][j] for p in parts])
    counts = np.array([p["median_count"][j] for p in parts])
    majority = 2 * counts > np.array([p["finite"][j] for p in parts])
    n_finite = sum(int(p["finite"][j]) for p in parts)
    kept = [median] if np.isfinite(median) else []
    for value in np.unique(values[majority]):
        mine = majority & (values == value)
        bound = counts[mine].sum() + half[~mine].sum()
        if 2 * bound > n_finite:
            kept.append(value)
    return np.unique(np.array(kept, dtype=np.float64)) if kept else np.array([np.nan])


def _monotone(parts: Sequence[dict], n_samples: int, n_features: int) -> np.ndarray:
    """Strictly increasing or decreasing in row order, across the partitions."""
    if n_samples <= 1:
        return np.ones(n_features, dtype=bool)
    filled = [p for p in parts if p["n_rows"]]
    result = []
    for key, before in (("increasing", np.less), ("decreasing", np.greater)):
        ok = np.all([p[key] for p in filled], axis=0)
        for a, b in itertools.pairwise(filled):
            ok &= before(a["last"], b["first"])
        result.append(ok)
    return np.asarray(result[0] | result[1])


def _summary(
    parts: Sequence[dict], spread: Sequence[dict], plan: dict[str, Any]
) -> ColumnSummary:
    """The in-memory ``ColumnSummary`` from both passes' partial results
    (``all_distinct``: only where it can decide an identifier, see ``inspect``)."""
    total = {k: sum(p[k] for p in parts) for k in ("nan", "posinf", "neginf")}
    n_finite = plan["n_finite"]
    n_samples = sum(p["n_rows"] for p in parts)
    empty = n_finite == 0
    nan_if_empty = np.where(empty, np.nan, 1.0)
    square = sum(s["square"] for s in spread)
    dominant = np.zeros(len(n_finite))
    for j, candidates in enumerate(plan["candidates"]):
        counts = sum(s["candidate_counts"][j] for s in spread)
        if empty[j]:
            continue
        if 2 * counts.max() > n_finite[j]:  # a majority value is the median
            dominant[j] = counts.max() / n_finite[j]
        else:
            at = np.searchsorted(candidates, plan["medians"][j])
            dominant[j] = counts[at] / n_finite[j]
    monotone = _monotone(parts, n_samples, len(n_finite))
    return ColumnSummary(
        nan_counts=total["nan"],
        posinf_counts=total["posinf"],
        neginf_counts=total["neginf"],
        finite_counts=n_finite,
        mean=plan["mean"] * nan_if_empty,
        std=np.sqrt(square / np.maximum(n_finite, 1)) * nan_if_empty,
        iqr=np.array(plan["iqr"]) * nan_if_empty,
        minimum=np.min([p["min"] for p in parts], axis=0) * nan_if_empty,
        maximum=np.max([p["max"] for p in parts], axis=0) * nan_if_empty,
        dominant_share=dominant,
        all_distinct=monotone.copy(),  # strictly monotone: distinct
        monotone=monotone,
        integer_valued=np.all([p["integer"] for p in parts], axis=0),
    )


def _identifiers(
    columns: ColumnSummary, names: list[str], n_samples: int, distinct: Callable
) -> dict[str, str]:
    """``identifier_columns``; columns that would be identifiers by their name if
    distinct are checked for distinct values (one shuffle of the column each)."""
    if n_samples < IDENTIFIER_MIN_ROWS:
        return {}
    complete = columns.integer_valued & (columns.finite_counts == n_samples)
    maybe = dataclasses.replace(columns, all_distinct=complete | columns.all_distinct)
    named = identifier_columns(maybe, names, n_samples)
    all_distinct = columns.all_distinct.copy()
    for j, name in enumerate(names):
        if name in named and not columns.monotone[j]:
            all_distinct[j] = distinct(j)
    return identifier_columns(
        dataclasses.replace(columns, all_distinct=all_distinct), names, n_samples
    )
