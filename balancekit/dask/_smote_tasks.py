"""What the SMOTE family's Dask tasks run: select, gather, generate, convert.

The functions here run on the workers (``balancekit.dask._smote`` builds the graph):
each partition selects its rows of the grown classes (or the rows a neighbour search
asked for); one task concatenates them in global row order; one task runs the
in-memory sampler's generation on them; each output partition is an input partition
converted as the in-memory sampler converts ``X``, or a slice of the new rows. The
budget of the rows gathered on one worker is checked here too, since the rows a
neighbour search needs are known only on a worker.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.utils import format_bytes, parse_bytes
from sklearn.base import clone

from balancekit._features import numeric_features
from balancekit._validation import check_X_y
from balancekit.dask._collections import Rows, check_partition_length
from balancekit.dask._counts import label_values
from balancekit.over_sampling._smote_nc import host_table
from balancekit.over_sampling._smotenc import (
    _base_table,
    _output_dtype,
    continuous_values,
)

__all__ = [
    "CONFIG_KEY",
    "MAX_GATHER_BYTES",
    "OVER_SAMPLING_ALTERNATIVES",
    "UNDER_SAMPLING_ALTERNATIVES",
    "SmotencX",
    "check_budget",
    "concat_rows",
    "danger_of",
    "generate",
    "max_gather_bytes",
    "needed_rows",
    "original",
    "piece",
    "query_features",
    "row_bytes",
    "select_rows",
    "smote_X",
    "summary",
]

MAX_GATHER_BYTES = 2 << 30  # 2 GiB of rows on the generating worker
CONFIG_KEY = "balancekit.max-gather-bytes"


def max_gather_bytes() -> int:
    """The budget in bytes: ``dask.config``'s ``balancekit.max-gather-bytes``.

    Examples
    --------
    >>> import dask
    >>> with dask.config.set({"balancekit.max-gather-bytes": "1 MiB"}):
    ...     max_gather_bytes()
    1048576
    """
    value = dask.config.get(CONFIG_KEY, MAX_GATHER_BYTES)
    budget = parse_bytes(value) if isinstance(value, str) else int(value)
    if budget <= 0:
        raise ValueError(f"`{CONFIG_KEY}` must be a positive size; got {value!r}.")
    return budget


# What stays distributed instead of gathering, by what the sampler does.
OVER_SAMPLING_ALTERNATIVES = (
    "RandomOverSampler on Dask (with `shrinkage` for new, noisy rows), or class "
    "weights (`balancekit.compute_sample_weight('balanced', y)`) passed to the "
    "estimator"
)
UNDER_SAMPLING_ALTERNATIVES = (
    "RandomUnderSampler, TomekLinks or EditedNearestNeighbours on Dask, or class "
    "weights (`balancekit.compute_sample_weight('balanced', y)`) passed to the "
    "estimator"
)


def check_budget(
    sampler: str,
    n_rows: int,
    row_bytes: int,
    what: str,
    alternatives: str = OVER_SAMPLING_ALTERNATIVES,
) -> None:
    """A ``ValueError`` naming ``alternatives`` when ``n_rows`` rows of
    ``row_bytes`` bytes exceed :func:`max_gather_bytes`.

    Examples
    --------
    >>> import dask
    >>> with dask.config.set({"balancekit.max-gather-bytes": 1000}):
    ...     check_budget("SMOTE", 10, 8, "the minority rows")  # 80 bytes: fits
    """
    needed, budget = n_rows * row_bytes, max_gather_bytes()
    if needed > budget:
        raise ValueError(
            f"{sampler} on Dask gathers {what} on one worker: {n_rows} rows, about "
            f"{format_bytes(needed)}, above the budget of {format_bytes(budget)} "
            f"(dask.config `{CONFIG_KEY}`). Alternatives that stay distributed: "
            f"{alternatives}. If a worker has the memory, raise the budget: "
            f"dask.config.set({{'{CONFIG_KEY}': '{format_bytes(2 * needed)}'}})."
        )


def row_bytes(rows: Sequence[Rows]) -> int:
    """Bytes per row of the arguments as the generation holds them (numbers as
    floats: 8 bytes unless float32 or smaller; text counts 8 bytes, an estimate)."""

    def size(dtype: Any) -> int:
        itemsize = int(getattr(dtype, "itemsize", 8))
        return itemsize if getattr(dtype, "kind", "O") == "f" else max(itemsize, 8)

    total = 0
    for r in rows:
        value = r.value
        if r.is_array:
            total += int(np.prod(value.shape[1:], dtype=np.int64)) * size(value.dtype)
        elif isinstance(value, dd.DataFrame):
            total += sum(size(d) for d in value.dtypes)
        else:
            total += size(value.dtype)
    return max(total, 1)


def _values(block: Any) -> np.ndarray:
    return np.asarray(block.to_numpy() if hasattr(block, "to_numpy") else block)


def _take(block: Any, positions: np.ndarray) -> Any:
    if isinstance(block, pd.DataFrame | pd.Series):
        return block.iloc[positions]
    return np.take(block, positions, axis=0)


def select_rows(
    X: Any, y: Any, w: Any, wanted: Any, by_class: bool, offset: int, index: int
) -> tuple:
    """One partition's rows of the classes ``wanted`` (or local rows ``wanted``)."""
    labels = label_values(y, "y")
    check_partition_length(X, len(labels), "X", "y", index)
    if w is not None:
        check_partition_length(w, len(labels), "sample_weight", "y", index)
    if by_class:
        positions = np.flatnonzero(np.isin(labels, wanted))
    else:
        positions = np.asarray(wanted, dtype=np.int64)
    taken = [None if v is None else _take(v, positions) for v in (X, y, w)]
    return (*taken, positions.astype(np.int64) + offset)


def concat_rows(parts: list[tuple]) -> tuple:
    """The selected rows of every partition, in global row order."""

    def join(values: list) -> Any:
        if values[0] is None:
            return None
        if isinstance(values[0], pd.DataFrame | pd.Series):
            return pd.concat(values, ignore_index=True)
        return np.concatenate(values)

    return tuple(join([p[j] for p in parts]) for j in range(4))


def query_features(gathered: tuple) -> np.ndarray:
    """The gathered rows' features as distances see them (2-D floats)."""
    return numeric_features(gathered[0], np_xp, "cpu").flat


def needed_rows(
    neighbours: np.ndarray,
    positions: np.ndarray,
    offsets: np.ndarray,
    sampler: str,
    n_new: int,
    row_bytes: int,
) -> list[np.ndarray]:
    """Per partition, the local positions of the minority rows and their neighbours."""
    wanted = np.union1d(positions, np.asarray(neighbours).ravel())
    check_budget(
        sampler, len(wanted) + n_new, row_bytes, "the rows to grow, their neighbours"
    )
    bounds = np.searchsorted(wanted, offsets)
    return [
        wanted[bounds[i] : bounds[i + 1]] - offsets[i] for i in range(len(offsets) - 1)
    ]


def _tail(values: Any, start: int) -> Any:
    if isinstance(values, pd.DataFrame | pd.Series):
        return values.iloc[start:].reset_index(drop=True)
    return np.asarray(values)[start:]


def generate(gathered: tuple, template: Any, strategy: dict, rng: Any) -> dict:
    """The in-memory sampler's new rows from the gathered rows (global indices)."""
    X, y, w, positions = gathered
    data = check_X_y(X, y, w)
    sampler = clone(template)
    sampler.sampling_strategy_ = strategy
    sampler._check_params(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_res, y_res, w_res = sampler._fit_resample(data, copy.deepcopy(rng))
    n = len(positions)
    danger = getattr(sampler, "in_danger_indices", None)
    recipe = [
        np.asarray(getattr(sampler, f"synthetic_{part}_"))
        for part in ("parents", "partners", "steps")
    ]
    return {
        "X": _tail(X_res, n),
        "y": _tail(y_res, n),
        "w": None if w_res is None else _tail(w_res, n),
        "parents": positions[recipe[0]],
        "partners": positions[recipe[1]],
        "steps": recipe[2],
        "danger": None
        if danger is None
        else {c: positions[np.asarray(v)] for c, v in danger.items()},
        "median_std": dict(getattr(sampler, "median_std_", {})),
        "warnings": [(str(w.message), w.category) for w in caught],
    }


def summary(generated: dict, classes: list) -> tuple:
    """O(n_classes) numbers: new rows per class, rows in danger per class."""
    labels = _values(generated["y"])
    danger = generated["danger"] or {}
    return (
        [int(np.sum(labels == c)) for c in classes],
        {c: len(v) for c, v in danger.items()},
        generated["warnings"],
    )


def _dtype_like(dtype: Any) -> Any:
    """``dtype``, or "category" for Dask's categories not known in advance."""
    if isinstance(dtype, pd.CategoricalDtype) and "__UNKNOWN_CATEGORIES__" in list(
        dtype.categories
    ):
        return "category"
    return dtype


def _like(values: Any, meta: Any, start: int) -> Any:
    """``values`` with ``meta``'s dtypes; pandas gets rows ``start...`` as index."""
    if isinstance(meta, pd.DataFrame):
        if isinstance(values, np.ndarray):
            values = pd.DataFrame(values, columns=meta.columns)
        dtypes = {c: _dtype_like(d) for c, d in meta.dtypes.items()}
        values = values.astype(dtypes)
    elif isinstance(meta, pd.Series):
        if isinstance(values, np.ndarray):
            values = pd.Series(values, name=meta.name)
        values = values.astype(_dtype_like(meta.dtype))
    else:
        return np.asarray(values).astype(meta.dtype, copy=False)
    values.index = pd.RangeIndex(start, start + len(values))
    return values


def piece(generated: Any, field: str, first: int, stop: int, meta: Any, start: int):
    values = generated[field]
    return _like(
        values.iloc[first:stop] if hasattr(values, "iloc") else values[first:stop],
        meta,
        start,
    )


def original(
    block: Any,
    convert: Callable | None,
    meta: Any,
    start: int,
    n: int,
    index: int,
    name: str,
) -> Any:
    """One input partition as the in-memory sampler gives its original rows."""
    check_partition_length(block, n, name, "y", index)
    return _like(block if convert is None else convert(block), meta, start)


def smote_X(block: Any) -> Any:
    """SMOTE's original rows: ``X`` as finite floats (a DataFrame keeps its dtypes)."""
    if isinstance(block, np.ndarray) and block.ndim > 2 and len(block) == 0:
        # numeric_features cannot flatten 0 rows of more than 2 dimensions
        return smote_X(np.zeros((1, *block.shape[1:]), block.dtype))[:0]
    features = numeric_features(block, np_xp, "cpu")
    return features.to_container(features.values)


class SmotencX:
    """SMOTENC's original rows: float continuous columns in text/object arrays."""

    def __init__(self, continuous: np.ndarray) -> None:
        self.continuous = continuous

    def __call__(self, block: Any) -> Any:
        table = host_table(block, "SMOTENC")
        values = continuous_values(table, self.continuous)
        base = _base_table(table, values, self.continuous).X
        return (
            base
            if isinstance(base, pd.DataFrame)
            else base.astype(_output_dtype(base, values.dtype), copy=False)
        )


def danger_of(generated: dict, cls: Any) -> np.ndarray:
    return generated["danger"][cls]
