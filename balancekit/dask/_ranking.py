"""Exact binary ROC AUC and average precision on Dask, by score ranges.

Both are sums over the distinct scores ``s`` (in decreasing order) of the positive
and negative weight scoring exactly ``s`` (``p_s``, ``n_s``) and of the weight
scoring above it (``TP``, ``FP``):

* ``AUC = sum_s n_s * (TP + p_s / 2) / (P * N)`` (the trapezoids of the ROC curve,
  ties counting one half, as scikit-learn);
* ``AP = sum_s p_s * (TP + p_s) / (TP + p_s + FP + n_s) / P`` (scikit-learn's
  non-interpolated average precision).

So no worker holds all the scores. The graph (one ``compute``) is:

1. ``balancekit-score-runs``: each partition's *runs*, its distinct scores with
   ``p_s`` and ``n_s`` (one sort of the partition);
2. ``balancekit-score-bounds``: boundaries of up to ``_MAX_RANGES`` score ranges,
   from a few quantiles of each partition's runs;
3. ``balancekit-score-range``: the runs of each range, merged from every partition
   (a shuffle of the runs, not of the rows);
4. ``balancekit-score-offsets``: the weight above each range (a prefix sum of the
   range totals), then each range's share of the sum, and their total.

Before it, one pass over ``y_true`` (the confusion-cells kernel of ``_metrics``)
gives its classes, so ``pos_label`` is resolved, and errors and warnings are raised,
by the NumPy path's own rules. Only O(n_classes + n_ranges) values reach the client;
the result is what the NumPy path returns (a NumPy float), equal to it to 1e-12.
Multiclass one-vs-rest and the partial AUC (``max_fpr``) are not implemented on
Dask; they raise ``NotImplementedError``.

Examples
--------
>>> import dask
>>> import dask.array as da
>>> from balancekit.metrics import roc_auc_score
>>> y_true = da.from_array([0, 0, 1, 1], chunks=2)
>>> y_score = da.from_array([0.1, 0.4, 0.35, 0.8], chunks=2)
>>> with dask.config.set(scheduler="synchronous"):
...     print(roc_auc_score(y_true, y_score))
0.75
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._labels import as_label_array, label_mask
from balancekit._params import check_choice
from balancekit._validation import check_sample_weight
from balancekit._warnings import user_stacklevel
from balancekit.dask._metrics import (
    _SPLIT_EVERY,
    _check_aligned,
    _check_collections,
    _check_dtype,
    _labels,
    _partitions,
    cells_on_dask,
)
from balancekit.metrics._ranking import _NO_POSITIVE_PR, _ONE_CLASS_AUC
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_target,
    is_binary,
    present_classes,
)

__all__ = ["average_precision_score", "roc_auc_score", "update_streaming_scores"]

# Most score ranges merged apart (each is one task holding its runs).
_MAX_RANGES = 64
_NOT_ON_DASK = "is not implemented on Dask; compute() the data into memory for it"


# ---------------------------------------------------------------------- kernels


def _runs(
    y_true: Any, y_score: Any, sample_weight: Any, pos_label: Any, index: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ascending distinct scores of a partition, with positive and negative weight."""
    true = _labels(y_true, "y_true")
    score = np.asarray(as_label_array(y_score, np_xp)).reshape(-1)
    if score.shape[0] != true.shape[0]:
        raise ValueError(
            f"`y_true` and `y_score` are not partitioned alike: partition {index} "
            f"has {true.shape[0]} and {score.shape[0]} rows. Rechunk or repartition "
            "one like the other."
        )
    if score.dtype.kind != "f":
        score = score.astype(np.float64)
    elif not np.all(np.isfinite(score)):
        raise ValueError(
            "`y_score` contains NaN or infinity; every score must be a finite number. "
            "Drop or impute those samples first."
        )
    weight = np.ones(score.shape[0])
    if sample_weight is not None:
        checked = check_sample_weight(sample_weight, len(sample_weight), np_xp)
        weight = np.asarray(as_label_array(checked, np_xp), dtype=np.float64)
        if weight.shape[0] != score.shape[0]:
            raise ValueError(
                f"`sample_weight` is not partitioned like `y_true`: partition {index} "
                f"has {weight.shape[0]} and {score.shape[0]} rows."
            )
    if true.dtype.kind == "b":
        true = true.astype(np.int8)
    positive = np.asarray(label_mask(true, pos_label, np_xp), dtype=bool)
    return _group(
        score, np.where(positive, weight, 0.0), np.where(positive, 0.0, weight)
    )


def _group(
    score: np.ndarray, pos: np.ndarray, neg: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values, inverse = np.unique(score, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_values = values.shape[0]
    return (
        values,
        np.bincount(inverse, pos, minlength=n_values),
        np.bincount(inverse, neg, minlength=n_values),
    )


def _sample(runs: tuple, n_ranges: int) -> np.ndarray:
    """``n_ranges + 1`` evenly spaced distinct scores of a partition."""
    values = runs[0]
    if values.shape[0] == 0:
        return values
    positions = np.linspace(0, values.shape[0] - 1, n_ranges + 1).round()
    return values[positions.astype(np.int64)]


def _bounds(n_ranges: int, *samples: np.ndarray) -> np.ndarray:
    """Inner boundaries of the score ranges (range ``r``: ``bounds[r-1] <= s <
    bounds[r]``)."""
    pooled = np.sort(np.concatenate(samples))
    if pooled.shape[0] == 0:
        return pooled
    positions = np.linspace(0, pooled.shape[0] - 1, n_ranges + 1)[1:-1].round()
    return np.unique(pooled[positions.astype(np.int64)])


def _slice(runs: tuple, bounds: np.ndarray, index: int) -> tuple:
    """The runs of a partition in range ``index``."""
    n_bounds = bounds.shape[
        0
    ]  # ranges past ``n_bounds`` (few distinct scores) are empty
    lower = (
        -np.inf if index == 0 else (bounds[index - 1] if index <= n_bounds else np.inf)
    )
    upper = bounds[index] if index < n_bounds else np.inf
    values = runs[0]
    start = np.searchsorted(values, lower, side="left")
    stop = np.searchsorted(values, upper, side="left")
    return tuple(part[start:stop] for part in runs)


def _range(*slices: tuple) -> tuple:
    """One range's runs from every partition's slice, ties merged."""
    return _group(*(np.concatenate([s[k] for s in slices]) for k in range(3)))


def _totals(runs: tuple) -> tuple[float, float]:
    return float(runs[1].sum()), float(runs[2].sum())


def _offsets(*totals: tuple[float, float]) -> np.ndarray:
    """``[tp_above, fp_above]`` of each range; the last row: the grand totals."""
    table = np.asarray(totals, dtype=np.float64).reshape(-1, 2)
    above = np.cumsum(table[::-1], axis=0)[::-1]  # weight at or above each range
    return np.concatenate([above[1:], np.zeros((1, 2)), above[:1]])


def _share(kind: str, runs: tuple, offsets: np.ndarray, index: int) -> float:
    """One range's term of the AUC or AP sum (unnormalised)."""
    _, pos, neg = (part[::-1] for part in runs)  # decreasing scores
    tp_above, fp_above = offsets[index]
    tp = tp_above + np.cumsum(pos)
    if kind == "auc":
        return float(np.sum(neg * (tp - pos / 2)))
    fp = fp_above + np.cumsum(neg)
    scored = pos > 0
    return float(np.sum(pos[scored] * tp[scored] / (tp[scored] + fp[scored])))


def _finish(kind: str, offsets: np.ndarray, *shares: float) -> float:
    total_pos, total_neg = offsets[-1]
    total = float(np.sum(shares))
    return total / (total_pos * total_neg) if kind == "auc" else total / total_pos


# ---------------------------------------------------------------------- graph


def _score_sum(
    kind: str, y_true: Any, y_score: Any, sample_weight: Any, pos_label: Any
) -> float:
    """The AUC or AP of Dask columns, computed by the range graph."""
    layouts = {
        "y_true": _partitions(y_true, "y_true", weights=False),
        "y_score": _partitions(y_score, "y_score", weights=False),
    }
    if sample_weight is not None:
        layouts["sample_weight"] = _partitions(
            sample_weight, "sample_weight", weights=True
        )
    _check_aligned("y_true", layouts)
    weights = layouts["sample_weight"][0] if sample_weight is not None else None
    token = dask.base.tokenize(y_true, y_score, sample_weight, pos_label, kind)
    n_parts = len(layouts["y_true"][0])
    n_ranges = max(1, min(n_parts, _MAX_RANGES))

    def task(function: Any, name: str, *args: Any, key: Any) -> Any:
        call = dask.delayed(function, pure=True)
        return call(*args, dask_key_name=(f"balancekit-score-{name}-{token}", *key))

    runs = [
        task(
            _runs,
            "runs",
            t,
            s,
            None if weights is None else weights[i],
            pos_label,
            i,
            key=(i,),
        )
        for i, (t, s) in enumerate(
            zip(layouts["y_true"][0], layouts["y_score"][0], strict=True)
        )
    ]
    samples = [
        task(_sample, "sample", r, n_ranges, key=(i,)) for i, r in enumerate(runs)
    ]
    bounds = task(_bounds, "bounds", n_ranges, *samples, key=())
    ranges = [
        task(
            _range,
            "range",
            *(
                task(_slice, "slice", r, bounds, j, key=(i, j))
                for i, r in enumerate(runs)
            ),
            key=(j,),
        )
        for j in range(n_ranges)
    ]
    totals = [task(_totals, "totals", r, key=(j,)) for j, r in enumerate(ranges)]
    offsets = task(_offsets, "offsets", *totals, key=())
    shares = [
        task(_share, "share", kind, r, offsets, j, key=(j,))
        for j, r in enumerate(ranges)
    ]
    (value,) = dask.compute(task(_finish, "finish", kind, offsets, *shares, key=()))
    return value


def _binary_classes(
    y_true: Any, y_score: Any, sample_weight: Any, what: str
) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Checked Dask inputs, then ``y_true``'s labels, their counts and classes."""
    _check_collections(
        {"y_true": y_true, "y_score": y_score, "sample_weight": sample_weight}
    )
    _check_dtype(y_true, "y_true", weights=False)
    if sample_weight is not None:
        _check_dtype(sample_weight, "sample_weight", weights=True)
    kind = np.dtype(getattr(y_score, "dtype", "O")).kind
    if kind not in "biuf":
        raise TypeError(
            "`y_score` must hold real numbers (probabilities or decision values); "
            f"got {getattr(y_score, 'dtype', type(y_score).__name__)}."
        )
    shape: tuple = tuple(getattr(y_score, "shape", (0,)))
    if len(shape) == 2 and shape[1] != 1:
        raise NotImplementedError(
            f"{what} of a 2-D `y_score` (one column per class) {_NOT_ON_DASK}, or "
            "pass the positive class's column, e.g. `proba[:, 1]`."
        )
    (cells,) = dask.compute(cells_on_dask(y_true, y_true, names=("y_true", "y_true")))
    labels = check_target(cells.true, np_xp)  # raises on no sample at all
    classes = present_classes(labels, np_xp)
    if not is_binary(classes):
        raise NotImplementedError(f"{what} of multiclass `y_true` {_NOT_ON_DASK}.")
    return labels, cells.counts, classes


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """:func:`balancekit.metrics.roc_auc_score` of binary Dask columns (exact)."""
    check_choice(average, "average", ("macro", "weighted", None))
    check_choice(multi_class, "multi_class", ("raise", "ovr"))
    if max_fpr is not None and max_fpr != 1:
        raise NotImplementedError(f"The partial AUC (`max_fpr`) {_NOT_ON_DASK}.")
    values, counts, classes = _binary_classes(y_true, y_score, sample_weight, "ROC AUC")
    target = binary_target(values, np_xp, pos_label=classes[-1], classes=classes)
    n_positive = int(
        counts[np.asarray(label_mask(values, target.pos_label, np_xp))].sum()
    )
    if n_positive in (0, int(counts.sum())):
        warnings.warn(
            _ONE_CLASS_AUC, UndefinedMetricWarning, stacklevel=user_stacklevel()
        )
        return np.asarray(float("nan"))
    return np.float64(
        _score_sum("auc", y_true, y_score, sample_weight, target.pos_label)
    )


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """:func:`balancekit.metrics.average_precision_score` of binary Dask columns
    (exact)."""
    check_choice(average, "average", ("macro", "weighted", None))
    values, _, classes = _binary_classes(
        y_true, y_score, sample_weight, "Average precision"
    )
    target = binary_target(values, np_xp, pos_label=pos_label, classes=classes)
    if not np.asarray(label_mask(values, target.pos_label, np_xp)).any():
        warnings.warn(_NO_POSITIVE_PR, UserWarning, stacklevel=user_stacklevel())
        return np.asarray(0.0)
    return np.float64(
        _score_sum("ap", y_true, y_score, sample_weight, target.pos_label)
    )


# ---------------------------------------------------------------------- streaming


def _partition_update(
    template: Any, y_true: Any, y_score: Any, sample_weight: Any, index: int
) -> Any:
    """A copy of the empty ``template`` updated with one partition (a task)."""
    metric = copy.deepcopy(template)
    n_true, n_score = len(y_true), len(y_score)
    if n_true != n_score:
        raise ValueError(
            f"`y_true` and `y_score` are not partitioned alike: partition {index} "
            f"has {n_true} and {n_score} rows. Rechunk or repartition one like the "
            "other."
        )
    if n_true == 0:
        return metric
    return metric.update(y_true, y_score, sample_weight)


def _merged(*metrics: Any) -> Any:
    first = copy.deepcopy(metrics[0])
    for other in metrics[1:]:
        first.merge(other)
    return first


def update_streaming_scores(
    metric: Any, y_true: Any, y_score: Any, sample_weight: Any = None
) -> Any:
    """``metric.update`` of Dask columns: each partition binned into a copy of the
    (empty) metric on a worker, the copies merged by a tree reduction, and the
    result (O(n_bins) values) merged into ``metric`` on the client.

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> from balancekit.metrics import StreamingScores
    >>> y_true = da.from_array([0, 0, 1, 1], chunks=2)
    >>> y_score = da.from_array([0.1, 0.4, 0.35, 0.8], chunks=2)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     metric = StreamingScores(n_bins=20).update(y_true, y_score)
    >>> print(metric.compute_roc_auc())
    0.75
    """
    arguments = {"y_true": y_true, "y_score": y_score, "sample_weight": sample_weight}
    given = _check_collections(arguments)
    layouts = {
        name: _partitions(value, name, weights=name == "sample_weight")
        for name, value in given.items()
    }
    _check_aligned("y_true", layouts)
    template = copy.deepcopy(metric).reset()
    token = dask.base.tokenize(template, *given.values())
    weights = layouts["sample_weight"][0] if sample_weight is not None else None
    update = dask.delayed(_partition_update, pure=True)
    level = [
        update(
            template,
            true,
            layouts["y_score"][0][i],
            None if weights is None else weights[i],
            i,
            dask_key_name=(f"balancekit-streaming-update-{token}", i),
        )
        for i, true in enumerate(layouts["y_true"][0])
    ]
    merge = dask.delayed(_merged, pure=True)
    depth = 0
    while len(level) > 1:
        level = [
            merge(
                *level[start : start + _SPLIT_EVERY],
                dask_key_name=(f"balancekit-streaming-merge-{token}", depth, j),
            )
            for j, start in enumerate(range(0, len(level), _SPLIT_EVERY))
        ]
        depth += 1
    (merged,) = dask.compute(level[0])
    if merged.is_empty:
        raise ValueError("`y_score` is empty; at least one sample is needed.")
    return metric.merge(merged)
