"""RandomUnderSampler and RandomOverSampler on Dask collections, lazily.

One pass over ``y`` counts the classes per partition (``_counts``); the client
resolves ``sampling_strategy`` on the global counts exactly as in memory and splits
each class's target across the partitions with the in-memory draw's distribution:
multivariate hypergeometric over the partitions' class counts for draws without
replacement, multinomial for draws with replacement. Partition ``i`` then draws its
rows from ``SeedSequence(root, spawn_key=(i, 0))`` (``root``: 128 bits drawn once from
``random_state``), so the result depends on ``random_state`` and the partitioning,
never on the workers or the scheduler.

Output partition ``i`` holds rows of input partition ``i`` only:

- under-sampling keeps the drawn rows in their input order (a filter: with
  replacement, repeats of a row are adjacent);
- over-sampling gives the partition's original rows first, in order, then its new
  rows grouped by class in sorted class order.

``sample_indices_`` is the lazy array of the output rows' global positions.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import dask
import dask.array as da
import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from balancekit._random import check_random_state
from balancekit.dask._collections import (
    Rows,
    check_all_dask,
    check_partition_length,
    dask_rows,
    lazy_array,
    rows_output,
    sampler_rows,
    take_block_rows,
)
from balancekit.dask._counts import PartitionCounts, class_std
from balancekit.dask._label_utils import strategy_on_counts

__all__ = [
    "random_over_sample",
    "random_sample_indices",
    "random_under_sample",
    "split_targets",
]

Key = Hashable


def split_targets(
    counts: np.ndarray, n_draws: np.ndarray, replace: bool, rng: np.random.Generator
) -> np.ndarray:
    """Split each class's number of draws across the partitions.

    Parameters
    ----------
    counts : ndarray of shape (n_partitions, n_classes)
        Rows per partition and class.
    n_draws : ndarray of shape (n_classes,)
        Rows to draw per class (0 for the classes not drawn).
    replace : bool
        Multinomial split (draws with replacement: each draw picks a partition with
        probability proportional to its rows of the class), else multivariate
        hypergeometric (a uniform subset of the class's rows).
    rng : numpy.random.Generator
        The client's generator.

    Returns
    -------
    ndarray of int64, shape (n_partitions, n_classes)

    Examples
    --------
    >>> counts = np.array([[3, 1], [5, 1]])
    >>> split = split_targets(counts, np.array([4, 0]), False, np.random.default_rng(0))
    >>> split.sum(axis=0).tolist(), bool((split <= counts).all())
    ([4, 0], True)
    """
    split = np.zeros(counts.shape, dtype=np.int64)
    for k in range(counts.shape[1]):
        n, column = int(n_draws[k]), counts[:, k]
        if n == 0:
            continue
        if replace:
            split[:, k] = rng.multinomial(n, column / column.sum())
        else:
            split[:, k] = rng.multivariate_hypergeometric(column, n)
    return split


# ------------------------------------------------------------------ the partitions


def _generator(root: tuple[int, ...], index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(
        np.random.SeedSequence(root, spawn_key=(index, stream))
    )


def _members(values: np.ndarray, classes: np.ndarray) -> list[np.ndarray]:
    """Positions of each class's rows in one partition, each in row order."""
    positions = np.searchsorted(classes, values)
    order = np.argsort(positions, kind="stable")
    bounds = np.searchsorted(positions[order], np.arange(len(classes) + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(len(classes))]


def _draw_partition(
    block: Any,
    classes: np.ndarray,
    draws: np.ndarray,
    mode: str,
    root: tuple[int, ...],
    index: int,
) -> np.ndarray:
    """Local row positions of one output partition (see the module docstring).

    ``mode`` is ``"over"`` (all rows, then ``draws[k]`` new rows of class ``k``),
    ``"under"`` or ``"under-replace"`` (``draws[k]`` rows of class ``k``, or all its
    rows when ``draws[k] < 0``).
    """
    values = np.asarray(block.to_numpy() if hasattr(block, "to_numpy") else block)
    rng = _generator(root, index, 0)
    parts = [np.arange(len(values))] if mode == "over" else []
    for members, n in zip(_members(values, classes), draws, strict=True):
        if n < 0:
            parts.append(members)
        elif n > 0:
            if members.size == 0 or (mode == "under" and n > members.size):
                raise RuntimeError(
                    f"Partition {index} of `y` changed between the counting pass and "
                    "the draw (non-deterministic labels?); persist `y` first."
                )
            if mode == "under":
                parts.append(members[rng.choice(members.size, n, replace=False)])
            else:
                parts.append(members[rng.integers(0, members.size, n)])
    positions = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    positions = positions.astype(np.int64, copy=False)
    return positions if mode == "over" else np.sort(positions, kind="stable")


# -------------------------------------------------------------- the smoothed rows


def _smooth(
    block: Any,
    labels: Any,
    positions: np.ndarray,
    scales: np.ndarray,
    classes: np.ndarray,
    root: tuple[int, ...],
    index: int,
    start: int,
    dtype: Any,
) -> Any:
    """One partition's originals, then its new rows plus Gaussian noise."""
    check_partition_length(block, len(labels), "X", "y", index)
    n_rows = len(labels)
    values = np.asarray(labels.to_numpy() if hasattr(labels, "to_numpy") else labels)
    new = positions[n_rows:]
    rng = _generator(root, index, 1)
    frame = block if isinstance(block, pd.DataFrame) else None
    array = np.asarray(frame.to_numpy() if frame is not None else block, dtype=dtype)
    noise = rng.standard_normal((len(new), *array.shape[1:]), dtype=dtype)
    scale = scales[np.searchsorted(classes, values[new])]
    noisy = array[new] + noise * scale.reshape(noise.shape).astype(dtype)
    out = np.concatenate([array, noisy], axis=0)
    if frame is None:
        return out
    return pd.DataFrame(
        out, columns=frame.columns, index=pd.RangeIndex(start, start + len(out))
    )


def _fit_counts(sampler: Any, rows: list[Rows]) -> PartitionCounts:
    """Fitted attributes from ``X``'s metadata and the class counts of ``y``."""
    X, y = rows[0], rows[1]
    sample = np.empty((0, *X.value.shape[1:])) if X.is_array else X.value._meta
    validate_data(sampler, X=sample, reset=True, skip_check_array=True)
    return _strategy_counts(sampler, y)


def _strategy_counts(sampler: Any, y: Rows) -> PartitionCounts:
    """The class counts of ``y`` (one pass) and ``sampling_strategy_`` on them."""
    counts, sampler.sampling_strategy_ = strategy_on_counts(
        sampler.sampling_strategy, y, sampler._sampling_type
    )
    return counts


def _targets(sampler: Any, counts: PartitionCounts) -> np.ndarray:
    """``sampling_strategy_`` as an array aligned with the classes (-1: untouched)."""
    targets = sampler.sampling_strategy_
    return np.asarray(
        [targets.get(c.item(), -1) for c in counts.classes], dtype=np.int64
    )


def _root(rng: np.random.Generator) -> tuple[int, ...]:
    """The entropy every partition's seed derives from, drawn once."""
    return tuple(int(v) for v in rng.integers(0, 2**63, size=2))


def _positions(
    sampler: Any,
    y: Rows,
    counts: PartitionCounts,
    draws: np.ndarray,
    mode: str,
    root: tuple[int, ...],
    token: str,
) -> tuple[da.Array, np.ndarray]:
    """The drawn rows' positions in each partition (lazy, known chunks) and the
    output rows per partition; sets the lazy global ``sample_indices_``."""
    n_rows = counts.lengths
    if mode == "over":
        lengths = n_rows + draws.sum(axis=1)
    else:
        lengths = np.where(draws < 0, counts.counts, draws).sum(axis=1)
    prefix = "balancekit-random-" + ("over" if mode == "over" else "under")
    index_name = f"{prefix}-positions-{token}"
    layer = {
        (index_name, i): (
            _draw_partition,
            keys[0],
            counts.classes,
            draws[i],
            mode,
            root,
            i,
        )
        for i, keys in enumerate(y.keys)
    }
    chunks = (tuple(int(n) for n in lengths),)
    local = lazy_array(index_name, layer, [y.value], chunks, np.empty(0, np.int64))
    name = f"{prefix}-sample-indices-{token}"
    offsets = np.concatenate([[0], np.cumsum(n_rows)])
    shifts = {
        (name, i): (np.add, (index_name, i), int(offsets[i]))
        for i in range(len(n_rows))
    }
    sampler.sample_indices_ = lazy_array(
        name, shifts, [local], chunks, np.empty(0, np.int64)
    )
    return local, lengths


def _resample(
    sampler: Any,
    rows: list[Rows],
    counts: PartitionCounts,
    draws: np.ndarray,
    mode: str,
    root: tuple[int, ...],
    smoothing: tuple | None = None,
) -> tuple:
    """The lazy outputs of the plan ``draws[i, k]`` (rows per partition and class)."""
    X, y = rows[0], rows[1]
    n_rows = counts.lengths
    token = dask.base.tokenize([r.value for r in rows], draws, mode, root, smoothing)
    local, lengths = _positions(sampler, y, counts, draws, mode, root, token)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1].astype(np.int64)
    prefix = "balancekit-random-" + ("over" if mode == "over" else "under")

    def take(source: Rows) -> Any:
        def task(i: int, key: Key) -> tuple:
            start, n = int(starts[i]), int(n_rows[i])
            return (take_block_rows, key, (local.name, i), start, n, source.name, i)

        return rows_output(
            source,
            [int(n) for n in lengths],
            task,
            prefix=f"{prefix}-{source.name}",
            token=token,
            dependencies=[source.value, local],
            meta=source.value._meta,
        )

    outputs = [take(source) for source in rows[1:]]
    if smoothing is None:
        outputs.insert(0, take(X))
    else:
        outputs.insert(
            0, _smoothed(X, y, local, starts, counts.classes, root, smoothing)
        )
    return tuple(outputs)


def _under_draws(
    sampler: Any, counts: PartitionCounts, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """RandomUnderSampler's rows to draw per (partition, class); -1: kept whole."""
    targets = _targets(sampler, counts)
    replace = bool(sampler.replacement)
    draws = split_targets(counts.counts, np.maximum(targets, 0), replace, rng)
    draws[:, targets < 0] = -1  # classes kept whole
    return draws, "under-replace" if replace else "under"


def _over_draws(
    sampler: Any, counts: PartitionCounts, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """RandomOverSampler's new rows to draw per (partition, class)."""
    targets = np.maximum(_targets(sampler, counts), 0)
    return split_targets(counts.counts, targets, True, rng), "over"


def _smoothed(
    X: Rows,
    y: Rows,
    local: da.Array,
    starts: np.ndarray,
    classes: np.ndarray,
    root: tuple[int, ...],
    smoothing: tuple,
) -> Any:
    """``X_res`` of the smoothed bootstrap: originals, then noisy new rows."""
    factors, n_samples = smoothing
    n_features = int(np.prod(X.value.shape[1:]))
    bandwidth = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
    # the noise scale per class: shrinkage * h * std (one more pass over X)
    scales = class_std(X, y, classes, factors * bandwidth)
    meta = X.value._meta
    if isinstance(meta, pd.DataFrame):
        kind = np.result_type(*meta.dtypes)
        dtype = kind if kind.kind == "f" else np.dtype(np.float64)
        meta = pd.DataFrame(np.empty((0, meta.shape[1]), dtype), columns=meta.columns)
    else:
        dtype = X.value.dtype if X.value.dtype.kind == "f" else np.dtype(np.float64)
        meta = np.empty((0,) * X.value.ndim, dtype)

    def task(i: int, key: Key) -> tuple:
        return (
            _smooth,
            key,
            y.keys[i][0],
            (local.name, i),
            scales.key,
            classes,
            root,
            i,
            int(starts[i]),
            dtype,
        )

    return rows_output(
        X,
        local.chunks[0],
        task,
        prefix="balancekit-random-over-smoothed-X",
        token=dask.base.tokenize(local.name, scales.key),
        dependencies=[X.value, y.value, local, scales],
        meta=meta,
    )


def random_under_sample(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``RandomUnderSampler.fit_resample`` on Dask collections (lazy results).

    Parameters
    ----------
    sampler : RandomUnderSampler
        The sampler, whose parameters are read and fitted attributes set
        (``sampling_strategy_``, ``sample_indices_``, ``n_features_in_``).
        A callable ``sampling_strategy`` receives the Dask ``y``.
    X, y, sample_weight : Dask arrays, DataFrames or Series
        Partitioned alike (``balancekit.dask._collections``).

    Returns
    -------
    tuple
        ``(X_res, y_res[, sample_weight_res])``: lazy, of the inputs' types, with
        known chunks (and, unless a partition is empty, known divisions).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit import RandomUnderSampler
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=(5, 2))
    >>> y = da.from_array(np.array([0, 1, 0, 0, 0, 0, 0, 1, 0, 0]), chunks=5)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    ...     np.bincount(y_res.compute()).tolist()
    [2, 2]
    """
    sampler._check_replacement()
    rows = sampler_rows(X, y, sample_weight, whole_rows=False)
    counts = _fit_counts(sampler, rows)
    rng = check_random_state(sampler.random_state)
    draws, mode = _under_draws(sampler, counts, rng)
    result = _resample(sampler, rows, counts, draws, mode, _root(rng))
    return result if sample_weight is not None else result[:2]


def random_over_sample(
    sampler: Any, X: Any, y: Any, sample_weight: Any = None
) -> tuple:
    """``RandomOverSampler.fit_resample`` on Dask collections (lazy results).

    With ``shrinkage``, the per-class standard deviations take one more pass over
    ``X`` (per-partition moments merged by a tree of tasks), as part of the result's
    graph; the features of a row are rechunked into one block.
    Parameters and returns as :func:`random_under_sample` (``shrinkage_`` is set
    too).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit import RandomOverSampler
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=(5, 2))
    >>> y = da.from_array(np.array([0, 1, 0, 0, 0, 0, 0, 1, 0, 0]), chunks=5)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    ...     np.bincount(y_res.compute()).tolist(), X_res.chunks[0]
    ([8, 8], (8, 8))
    """
    shrinks = sampler.shrinkage is not None
    rows = sampler_rows(
        X,
        y,
        sample_weight,
        whole_rows=shrinks,
        numeric_why="`shrinkage` adds noise to the new rows" if shrinks else None,
    )
    counts = _fit_counts(sampler, rows)
    sampler._resolve_shrinkage()
    rng = check_random_state(sampler.random_state)
    draws, mode = _over_draws(sampler, counts, rng)
    smoothing = None
    if sampler.shrinkage_ is not None:
        factors = np.asarray(
            [sampler.shrinkage_.get(c.item(), 0.0) for c in counts.classes]
        )
        smoothing = (factors, int(counts.lengths.sum()))
    result = _resample(sampler, rows, counts, draws, mode, _root(rng), smoothing)
    return result if sample_weight is not None else result[:2]


def random_sample_indices(sampler: Any, y: Any) -> da.Array:
    """``fit_resample_indices`` of RandomUnderSampler / RandomOverSampler on Dask
    labels: the lazy global indices of the output rows (known chunks), equal to the
    ``sample_indices_`` that ``fit_resample(X, y)`` sets with the same
    ``random_state``. One pass over ``y`` counts the classes; ``X`` is not needed.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit import RandomUnderSampler
    >>> y = da.from_array(np.array([0, 1, 0, 0, 0, 0, 0, 1, 0, 0]), chunks=5)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     indices = RandomUnderSampler(random_state=0).fit_resample_indices(y)
    ...     np.bincount(y.compute()[indices.compute()]).tolist(), indices.chunks
    ([2, 2], ((2, 2),))
    """
    over = type(sampler).__name__ == "RandomOverSampler"
    if not over:
        sampler._check_replacement()
    check_all_dask({"y": y})
    if y is None:
        raise ValueError(
            "`y` is None: fit_resample_indices requires the class labels, shape "
            "(n_samples,)."
        )
    labels = dask_rows(y, "y", "labels")
    counts = _strategy_counts(sampler, labels)
    rng = check_random_state(sampler.random_state)
    draws, mode = (_over_draws if over else _under_draws)(sampler, counts, rng)
    token = dask.base.tokenize(labels.value, draws, mode, "indices")
    _positions(sampler, labels, counts, draws, mode, _root(rng), token)
    return sampler.sample_indices_
