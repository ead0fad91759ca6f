"""Exact ROC and precision-recall curves and ``best_threshold`` on Dask.

All three read the confusion matrix at every distinct score, which the range graph
of :mod:`balancekit.dask._ranking` gives without holding all the scores anywhere:
range ``j`` holds the merged runs (distinct scores with their positive and negative
weight) of the scores in its interval, and the offsets table the weight scoring
above it. One more task per range (``balancekit-score-points``) turns its runs into
the cumulative counts ``fps``, ``tps`` at each of its thresholds.

* ``roc_curve`` and ``precision_recall_curve`` concatenate those points on a worker
  (``balancekit-score-curve``) and bring them to the client: the curve has one point
  per distinct score, so that is the size of the result itself (O(n_thresholds),
  never O(n_samples)). ``drop_intermediate``, the rates and the warnings are then
  computed by the NumPy path's rules on the client.
* ``best_threshold`` scores each range's thresholds on its worker
  (``balancekit-score-best``) and a last task keeps the best of the ranges (the
  highest threshold among equal maxima, as in memory): O(n_ranges) values reach the
  client.

Before the graph, one counting pass over ``y_true`` gives its classes, so
``pos_label`` is resolved and label errors are raised by the NumPy path's own
rules. Results are NumPy arrays, equal to the NumPy path's (counts are exact
integers without weights; with weights, sums differ only by float summation order).

Examples
--------
>>> import dask
>>> import dask.array as da
>>> from balancekit.metrics import roc_curve
>>> y_true = da.from_array([0, 0, 1, 1], chunks=2)
>>> y_score = da.from_array([0.1, 0.4, 0.35, 0.8], chunks=2)
>>> with dask.config.set(scheduler="synchronous"):
...     fpr, tpr, thresholds = roc_curve(y_true, y_score)
>>> fpr.tolist(), tpr.tolist(), thresholds.tolist()
([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat.numpy as np_xp
import numpy as np

from balancekit._labels import label_mask
from balancekit._params import check_scalar
from balancekit.dask._ranking import (
    RangeGraph,
    label_counts,
    range_graph,
    require_1d,
    score_rows,
)
from balancekit.metrics._ranking import pr_curve_from_counts, roc_curve_from_counts
from balancekit.metrics._ranking_validation import BinaryTarget, binary_target
from balancekit.metrics._thresholds import (
    _FORMULAS,
    ThresholdResult,
    _check_metric,
    check_constraint,
    single_class_error,
    unmet_constraint_error,
)

__all__ = ["best_threshold", "precision_recall_curve", "roc_curve"]

_ALL_ZERO_WEIGHTS = (
    "`sample_weight` is zero for every sample; at least one sample needs a "
    "positive weight."
)


# ---------------------------------------------------------------------- kernels


def _points(runs: tuple, offsets: np.ndarray, index: int) -> tuple:
    """``(fps, tps, thresholds)`` of one range, by decreasing threshold.

    Scores whose samples all weigh 0 change no count and are dropped, as the
    in-memory kernel drops zero-weight samples.
    """
    values, pos, neg = (part[::-1] for part in runs)
    tp_above, fp_above = offsets[index]
    tps = tp_above + np.cumsum(pos)
    fps = fp_above + np.cumsum(neg)
    kept = (pos + neg) > 0
    return fps[kept], tps[kept], values[kept]


def _curve(*points: tuple) -> tuple:
    """Every range's points, highest range first (a task)."""
    ordered = points[::-1]
    return tuple(np.concatenate([p[k] for p in ordered]) for k in range(3))


def _range_best(
    runs: tuple,
    offsets: np.ndarray,
    index: int,
    metric: str,
    constraint: tuple[str, float] | None,
    beta: float,
) -> tuple | None:
    """The best threshold of one range: ``(value, threshold, constraint value,
    highest constraint value, any feasible)``, or None for an empty range."""
    fps, tps, thresholds = _points(runs, offsets, index)
    if thresholds.shape[0] == 0:
        return None
    total_pos, total_neg = offsets[-1]
    counts = (tps, fps, total_pos - tps, total_neg - fps)
    values = _FORMULAS[metric](counts, np_xp, beta)
    held, reached, feasible_any = None, -math.inf, True
    if constraint is not None:
        name, minimum = constraint
        held = _FORMULAS[name](counts, np_xp, beta)
        feasible = held >= minimum
        reached, feasible_any = float(np.max(held)), bool(np.any(feasible))
        values = np.where(feasible, values, -math.inf)
    best = int(np.argmax(values))  # the first maximum: the highest threshold
    return (
        values[best],
        thresholds[best],
        None if held is None else held[best],
        reached,
        feasible_any,
    )


def _pick(*bests: tuple | None) -> tuple | None:
    """The best of the ranges' bests; equal values: the highest range wins."""
    chosen = None
    for best in bests[::-1]:  # highest scores first
        if best is None:
            continue
        if chosen is None:
            chosen = best
            continue
        better = best[0] > chosen[0]
        chosen = (
            *(best if better else chosen)[:3],
            max(best[3], chosen[3]),
            best[4] or chosen[4],
        )
    return chosen


# ---------------------------------------------------------------------- plan


def _target(
    y_true: Any, pos_label: Any, counts_needed: bool = False
) -> tuple[BinaryTarget, int, int]:
    """``pos_label`` resolved on ``y_true``'s classes (one counting pass), with the
    numbers of positive and of all samples."""
    labels, counts, classes = label_counts(y_true)
    target = binary_target(labels, np_xp, pos_label=pos_label, classes=classes)
    positive = np.asarray(label_mask(labels, target.pos_label, np_xp), dtype=bool)
    return target, int(counts[positive].sum()), int(counts.sum())


def _curve_points(
    y_true: Any, y_score: Any, sample_weight: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = score_rows(y_true, y_score, sample_weight)
    require_1d(rows)
    target, _, _ = _target(y_true, pos_label)
    plan = range_graph(rows, target.pos_label, "curve")
    points = [
        plan.task("points", (j,), _points, r, plan.offsets, j)
        for j, r in enumerate(plan.ranges)
    ]
    fps, tps, thresholds = plan.compute(plan.task("curve", (), _curve, *points))
    if thresholds.shape[0] == 0:
        raise ValueError(_ALL_ZERO_WEIGHTS)
    return fps, tps, thresholds


# ---------------------------------------------------------------------- public


def precision_recall_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[Any, Any, Any]:
    """:func:`balancekit.metrics.precision_recall_curve` of Dask columns (exact)."""
    fps, tps, thresholds = _curve_points(y_true, y_score, sample_weight, pos_label)
    return pr_curve_from_counts(
        fps, tps, thresholds, drop_intermediate, np.float64, np_xp, "cpu"
    )


def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[Any, Any, Any]:
    """:func:`balancekit.metrics.roc_curve` of Dask columns (exact)."""
    fps, tps, thresholds = _curve_points(y_true, y_score, sample_weight, pos_label)
    return roc_curve_from_counts(
        fps, tps, thresholds, drop_intermediate, np.float64, np_xp, "cpu"
    )


def best_threshold(
    y_true: Any,
    y_score: Any,
    *,
    metric: str = "f1",
    constraint: tuple[str, float] | None = None,
    beta: float = 1.0,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> ThresholdResult:
    """:func:`balancekit.metrics.best_threshold` of Dask columns (exact): each
    score range is scored on its worker, the client gets the best of each."""
    metric = _check_metric(metric, "metric")
    checked = check_constraint(constraint)
    beta = check_scalar(beta, "beta", low=0, low_open=True)
    rows = score_rows(y_true, y_score, sample_weight)
    shape = tuple(rows["y_score"].value.shape)
    require_1d(rows, f"`y_score` must have shape (n_samples,); got shape {shape}.")
    target, n_positive, n_samples = _target(y_true, pos_label)
    if n_positive in (0, n_samples):
        raise single_class_error(target.pos_label)
    plan: RangeGraph = range_graph(rows, target.pos_label, "best")
    bests = [
        plan.task("best", (j,), _range_best, r, plan.offsets, j, metric, checked, beta)
        for j, r in enumerate(plan.ranges)
    ]
    chosen = plan.compute(plan.task("pick", (), _pick, *bests))
    if chosen is None:
        raise ValueError(_ALL_ZERO_WEIGHTS)
    value, threshold, held, reached, feasible = chosen
    if checked is not None and not feasible:
        raise unmet_constraint_error(*checked, reached)
    return ThresholdResult(
        threshold=np.asarray(threshold),
        score=np.asarray(value),
        constraint_score=None if held is None else np.asarray(held),
    )
