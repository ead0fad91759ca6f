"""``inspect`` on Dask, typology: step 4 of :mod:`balancekit.dask._inspect`.

The stratified sample (drawn in step 2) is standardised as in memory, with the
global means and standard deviations of the finite rows; its rows' neighbours are
searched among all finite rows by ``kneighbors_on_dask`` and each row is categorised
by the in-memory rule.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import array_api_compat.numpy as xp
import dask
import dask.array as da
import numpy as np

from balancekit.dask._collections import Rows, dask_rows
from balancekit.dask._inspect_partitions import _codes, _matrix, _per_partition
from balancekit.dask._knn import fit_rows, kneighbors_on_dask
from balancekit.diagnostics._typology import Typology, categorise


def _scaling(
    spread: Sequence[dict], plan: dict[str, Any], keep: list[int], n_rows: int
) -> dict[str, Any]:
    """The in-memory standardisation: columns ``keep`` of the finite rows minus
    their mean, over their population standard deviation; constant ones dropped."""
    row_std = np.sqrt(sum(s["row_square"] for s in spread) / max(n_rows, 1))
    usable = [j for j in keep if row_std[j] > 0.0] if n_rows else []
    return {"columns": usable, "mean": plan["row_mean"][usable], "std": row_std[usable]}


def _scale(X: np.ndarray, scaling: dict[str, Any]) -> np.ndarray:
    if not scaling["columns"]:  # nothing varies: every row is the same point
        return np.zeros((len(X), 1))
    return (X[:, scaling["columns"]] - scaling["mean"]) / scaling["std"]


def _scaled_rows(
    x: Any, y: Any, index: int, scaling: dict[str, Any], classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """In a task: a partition's finite rows standardised, and their class codes."""
    X = _matrix(x)
    finite_rows = np.isfinite(X).all(axis=1)
    return _scale(X[finite_rows], scaling), _codes(y, classes)[finite_rows]


def _typology_among_all_rows(
    X: Rows,
    y: Rows,
    scaling: dict[str, Any],
    classes: np.ndarray,
    lengths: np.ndarray,
    sample: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
) -> Typology:
    """The typology of the sample's rows, neighbours searched among all finite
    rows (``kneighbors_on_dask``) and counted by the in-memory rule."""
    parts = _per_partition("scaled", _scaled_rows, X, y, scaling, classes)
    width = max(len(scaling["columns"]), 1)
    take = dask.delayed(operator.getitem, pure=True)
    features = da.concatenate(
        [
            da.from_delayed(take(part, 0), (int(n), width), dtype=np.float64)
            for part, n in zip(parts, lengths, strict=True)
        ]
    )
    labels = da.concatenate(
        [
            da.from_delayed(take(part, 1), (int(n),), dtype=np.int64)
            for part, n in zip(parts, lengths, strict=True)
        ]
    )
    fit = fit_rows(features, dask_rows(labels, "y", "labels"))
    queries, own, positions = sample
    found = kneighbors_on_dask(fit, queries, k + 1, compute=True)
    is_self = found.indices == positions[:, None]
    same = (found.labels == own[:, None]) & ~is_self
    surplus = same[:, k] & ~is_self.any(axis=1)
    categories = categorise(same.sum(axis=1) - surplus, k, xp)
    cells = np.bincount(own * 4 + categories, minlength=classes.size * 4)
    return Typology(
        counts=cells.reshape(classes.size, 4),
        n_neighbors=k,
        sampled=True,
        rows=np.arange(len(own)),
        categories=categories,
    )
