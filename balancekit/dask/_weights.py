"""compute_class_weight and compute_sample_weight on Dask labels.

The class counts (and weighted counts) come from one pass over ``y``
(``_counts``): exact, and O(n_classes x n_partitions) numbers on the client. The
class weights are then the in-memory function's (the same formulas, the same
checks), returned as a NumPy array like the in-memory function's host result; the
per-sample weights are a lazy Dask array or Series with ``y``'s partitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from balancekit.dask._collections import (
    Rows,
    check_aligned,
    check_all_dask,
    dask_rows,
)
from balancekit.dask._counts import PartitionCounts, count_columns, count_rows
from balancekit.weighting._class_weight import (
    _per_output,
    _scalars,
    check_keras_classes,
    check_weight_options,
    class_weights_from_counts,
    keras_class_weight_dict,
)

__all__ = ["as_keras_class_weight", "compute_class_weight", "compute_sample_weight"]


def _weights_from(
    counts: PartitionCounts,
    method: Any,
    classes: Sequence[Any] | None,
    *,
    beta: float,
    normalize: str | None,
    absent: str,
) -> np.ndarray:
    """The in-memory class-weight rule on counts (weighted counts if summed)."""
    present = tuple(c.item() for c in counts.classes)
    # as in memory: a dict of weights is scaled by the unweighted counts
    if counts.weight_sums is None or isinstance(method, Mapping):
        present_counts: tuple = tuple(int(n) for n in counts.totals)
    else:
        present_counts = tuple(float(s) for s in counts.weight_sums.sum(axis=0))
    return class_weights_from_counts(
        None,
        present,
        present_counts,
        present if classes is None else tuple(_scalars(classes)),
        method,
        beta=float(beta),
        normalize=normalize,
        absent=absent,
        sample_weight=None,  # weighted counts, when given, are the counts
        xp=np,
    )


def compute_class_weight(
    y: Any,
    method: str | Mapping[Any, float] = "balanced",
    *,
    classes: Sequence[Any] | None = None,
    beta: float = 0.999,
    normalize: str | None = None,
    sample_weight: Any = None,
    absent: str = "raise",
) -> np.ndarray:
    """``balancekit.weighting.compute_class_weight`` for Dask labels.

    The class counts (weighted by ``sample_weight`` when given) come from one pass
    over ``y``; the result, one weight per class, is computed eagerly and returned
    as a float64 NumPy array aligned with ``classes`` (O(n_classes) values, as the
    in-memory function returns its result on the host for NumPy input).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.weighting import compute_class_weight
    >>> y = da.from_array(np.array([0] * 90 + [1] * 10), chunks=30)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     compute_class_weight(y).tolist()
    [0.5555555555555556, 5.0]
    """
    return _class_weights(
        y,
        method,
        classes=classes,
        beta=beta,
        normalize=normalize,
        sample_weight=sample_weight,
        absent=absent,
    )[0]


def _class_weights(
    y: Any,
    method: Any,
    *,
    classes: Sequence[Any] | None = None,
    beta: float = 0.999,
    normalize: str | None = None,
    sample_weight: Any = None,
    absent: str = "raise",
) -> tuple[np.ndarray, tuple]:
    """The class weights and the classes they align with, from one pass."""
    check_weight_options(method, beta, normalize, absent)
    check_all_dask({"y": y, "sample_weight": sample_weight})
    rows = dask_rows(y, "y", "labels")
    weights = None
    if sample_weight is not None:
        weights = dask_rows(sample_weight, "sample_weight", "weights")
        check_aligned([rows, weights])
    counts = count_rows(rows, weights)
    aligned = tuple(counts.class_counts()) if classes is None else tuple(classes)
    table = _weights_from(
        counts, method, aligned, beta=beta, normalize=normalize, absent=absent
    )
    return table, aligned


def as_keras_class_weight(y: Any, method: Any = "balanced", **kwargs: Any) -> dict:
    """``balancekit.weighting.as_keras_class_weight`` for Dask labels: classes and
    weights from one pass of per-partition counts.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.weighting import as_keras_class_weight
    >>> y = da.from_array(np.array([0, 0, 0, 1]), chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     as_keras_class_weight(y)
    {0: 0.6666666666666666, 1: 2.0}
    """
    given = kwargs.pop("classes", None)
    if given is not None:
        check_keras_classes(tuple(_scalars(given)))
    weights, classes = _class_weights(y, method, classes=given, **kwargs)
    return keras_class_weight_dict(classes, weights)


def _lookup(block: Any, classes: list[np.ndarray], tables: list[np.ndarray]) -> Any:
    """Each row's weight: the product of its class weights over the outputs (one
    task per partition; a Series, a DataFrame with one column per output, or an
    array of shape (rows,) or (rows, outputs))."""
    frame = isinstance(block, pd.DataFrame | pd.Series)
    values = block.to_numpy() if frame else np.asarray(block)
    values = values.reshape(len(values), -1)
    weights = np.ones(len(values))
    for k, (sorted_classes, table) in enumerate(zip(classes, tables, strict=True)):
        weights = weights * table[np.searchsorted(sorted_classes, values[:, k])]
    if frame:
        name = block.name if isinstance(block, pd.Series) else None
        return pd.Series(weights, index=block.index, name=name)
    return weights


def _outputs(y: Any) -> tuple[Any, list[Rows]]:
    """``y`` (rows whole) and one checked label column per output."""
    if isinstance(y, da.Array) and y.ndim == 2 and y.shape[1] > 1:
        y = y.rechunk({1: -1})
        return y, [
            dask_rows(y[:, k], f"y[:, {k}]", "labels") for k in range(y.shape[1])
        ]
    if isinstance(y, dd.DataFrame) and len(y.columns) > 1:
        return y, [dask_rows(y[c], f"y[{c!r}]", "labels") for c in y.columns]
    rows = dask_rows(y, "y", "labels")
    return rows.value, [rows]


def compute_sample_weight(
    y: Any,
    method: str | Mapping[Any, float] | list = "balanced",
    *,
    beta: float = 0.999,
    normalize: str | None = None,
    indices: Any = None,
) -> Any:
    """``balancekit.weighting.compute_sample_weight`` for Dask labels, lazily.

    The class weights come from one pass over ``y`` (or over ``y[indices]``, a
    subsample given as integer positions: a NumPy or Dask array, for a Dask array
    ``y``); the per-sample weights are a lazy float64 Dask array with ``y``'s row
    chunks, or a Dask Series with ``y``'s index and partitions. With several outputs
    (a 2-D array, or a DataFrame with one column per output) the outputs' weights
    multiply, as in memory; their counts are computed in the same pass.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.weighting import compute_sample_weight
    >>> y = da.from_array(np.array([0, 0, 0, 1]), chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     weights = compute_sample_weight(y)
    ...     weights.chunks, weights.compute().tolist()
    (((2, 2),), [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0])
    """
    value, columns = _outputs(y)
    methods = _per_output(method, len(columns))
    for method_k in methods:
        check_weight_options(method_k, beta, normalize, "zero")
    if indices is not None and any(m != "balanced" for m in methods):
        raise ValueError(
            "`indices` (a subsample) works with method='balanced' only; got "
            f"{method!r}."
        )
    counts = count_columns(columns)
    fit_counts = counts
    if indices is not None:
        if not isinstance(value, da.Array):
            raise TypeError(
                "`indices` with a Dask Series or DataFrame `y` is not supported (it "
                "has no positional indexing); pass `y.to_dask_array(lengths=True)`."
            )
        positions = indices if isinstance(indices, da.Array) else np.asarray(indices)
        fit_counts = count_columns(
            [dask_rows(c.value[positions], c.name, "labels") for c in columns]
        )
    tables = [
        _weights_from(
            fitted,
            method_k,
            tuple(c.item() for c in whole.classes),
            beta=beta,
            normalize=normalize,
            absent="zero",
        )
        for fitted, whole, method_k in zip(fit_counts, counts, methods, strict=True)
    ]
    classes = [whole.classes for whole in counts]
    if isinstance(value, da.Array):
        drop = {"drop_axis": 1} if value.ndim == 2 else {}
        return da.map_blocks(
            _lookup, value, classes, tables, dtype=np.float64, meta=np.empty(0), **drop
        )
    name = value.name if isinstance(value, dd.Series) else None
    meta = pd.Series(np.empty(0), name=name)
    return value.map_partitions(_lookup, classes, tables, meta=meta)
