"""Exact ROC AUC and average precision on Dask by score ranges, and their graph.

Both are sums over the distinct scores ``s`` (in decreasing order) of the positive
and negative weight scoring exactly ``s`` (``p_s``, ``n_s``) and of the weight
scoring above it (``TP``, ``FP``):

* ``AUC = sum_s n_s * (TP + p_s / 2) / (P * N)`` (the trapezoids of the ROC curve,
  ties counting one half, as scikit-learn);
* ``AP = sum_s p_s * (TP + p_s) / (TP + p_s + FP + n_s) / P`` (scikit-learn's
  non-interpolated average precision).

So no worker holds all the scores. The graph (one ``compute``; ``range_graph``,
which the curves, ``best_threshold`` and one-vs-rest reuse) is:

1. ``balancekit-score-runs``: each partition's scores split by class and sorted
   (raw scores, 8 bytes a row: the shuffle below holds them in memory);
2. ``balancekit-score-bounds``: boundaries of up to ``_MAX_RANGES`` score ranges,
   from a few quantiles of each partition's sorted scores;
3. ``balancekit-score-range``: each range's scores from every partition (a shuffle
   of the scores by range), grouped into its *runs*: its distinct scores with
   ``p_s`` and ``n_s`` (one sort of the range);
4. ``balancekit-score-offsets``: the weight above each range (a prefix sum of the
   range totals), then each range's share of the sum, and their total.

Before it, one pass over ``y_true`` (the confusion-cells kernel of ``_metrics``)
gives its classes, so ``pos_label`` is resolved, and errors and warnings are raised,
by the NumPy path's own rules. Only O(n_classes + n_ranges) values reach the client;
the result is what the NumPy path returns (a NumPy float), equal to it to 1e-12.
Multiclass ``y_true`` is scored one-vs-rest (``_one_vs_rest``: one range graph per
class column, all in one ``compute``). The partial AUC (``max_fpr``) is the same sum
over the runs up to the false-positive weight ``max_fpr * N``, the last run's segment
cut there, then McClish-standardised as in memory.

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

import warnings
from typing import Any, NamedTuple

import array_api_compat.numpy as np_xp
import dask
import dask.array as da
import numpy as np
from dask.delayed import Delayed
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._labels import as_label_array, label_mask
from balancekit._params import check_choice
from balancekit._validation import check_sample_weight
from balancekit._warnings import user_stacklevel
from balancekit.dask._collections import (
    Rows,
    block_key,
    check_numeric,
    check_partition_length,
    graph_of,
)
from balancekit.dask._metrics import _labels, cells_on_dask, metric_rows
from balancekit.dask._streaming import update_streaming_scores
from balancekit.metrics._ranking import (
    _NO_POSITIVE_PR,
    _ONE_CLASS_AUC,
    check_max_fpr,
    check_multiclass_auc,
    mcclish,
)
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_target,
    is_binary,
    present_classes,
)

__all__ = [
    "RangeGraph",
    "average_precision_score",
    "label_counts",
    "range_graph",
    "roc_auc_score",
    "score_rows",
    "update_streaming_scores",
]

# Most score ranges merged apart (each is one task holding its runs).
_MAX_RANGES = 64

# ---------------------------------------------------------------------- kernels


def _runs(
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    pos_label: Any,
    index: int,
    column: int | None = None,
) -> tuple:
    """A partition's scores (of one ``column`` of 2-D scores) split by class and
    sorted: ``(positive scores, negative scores, their weights or None)``.

    Raw sorted scores, not grouped: 8 bytes a row (16 with weights) is what the
    shuffle by range holds in the workers' memory, a third of grouped runs.
    """
    true = _labels(y_true, "y_true")
    score = np.asarray(as_label_array(y_score, np_xp))
    score = (score if column is None else score[:, column]).reshape(-1)
    check_partition_length(score, true.shape[0], "y_score", "y_true", index)
    if score.dtype.kind != "f":
        score = score.astype(np.float64)
    elif not np.all(np.isfinite(score)):
        raise ValueError(
            "`y_score` contains NaN or infinity; every score must be a finite number. "
            "Drop or impute those samples first."
        )
    if true.dtype.kind == "b":
        true = true.astype(np.int8)
    positive = np.asarray(label_mask(true, pos_label, np_xp), dtype=bool)
    if sample_weight is None:
        return np.sort(score[positive]), np.sort(score[~positive]), None, None
    check_partition_length(
        sample_weight, true.shape[0], "sample_weight", "y_true", index
    )
    checked = check_sample_weight(sample_weight, len(sample_weight), np_xp)
    weight = np.asarray(as_label_array(checked, np_xp), dtype=np.float64)
    sides = []
    for mask in (positive, ~positive):
        order = np.argsort(score[mask], kind="stable")  # ties in row order
        sides.append((score[mask][order], weight[mask][order]))
    return sides[0][0], sides[1][0], sides[0][1], sides[1][1]


def _sample(scored: tuple, n_ranges: int) -> np.ndarray:
    """About ``n_ranges + 1`` evenly spaced scores of a partition: from each
    class's sorted scores in proportion to its rows."""
    positives, negatives = scored[0], scored[1]
    total = positives.shape[0] + negatives.shape[0]
    picks = []
    for values in (positives, negatives):
        n = values.shape[0]
        if n:
            k = max(1, round((n_ranges + 1) * n / total))
            picks.append(values[np.linspace(0, n - 1, k).round().astype(np.int64)])
    return np.concatenate(picks) if picks else positives


def _bounds(n_ranges: int, *samples: np.ndarray) -> np.ndarray:
    """Inner boundaries of the score ranges (range ``r``: ``bounds[r-1] <= s <
    bounds[r]``)."""
    pooled = np.sort(np.concatenate(samples))
    if pooled.shape[0] == 0:
        return pooled
    positions = np.linspace(0, pooled.shape[0] - 1, n_ranges + 1)[1:-1].round()
    return np.unique(pooled[positions.astype(np.int64)])


def _slice(scored: tuple, bounds: np.ndarray, index: int) -> tuple:
    """The scores (and weights) of a partition in range ``index``."""
    edges = np.concatenate([[-np.inf], bounds, [np.inf]])
    # ranges past the last bound (few distinct scores) are empty
    lower, upper = (edges[index], edges[index + 1]) if index <= bounds.size else (0, 0)
    parts: list = []
    for side in (0, 1):
        values, weights = scored[side], scored[side + 2]
        start, stop = np.searchsorted(values, [lower, upper], side="left")
        parts.append(
            (values[start:stop], None if weights is None else weights[start:stop])
        )
    return parts[0][0], parts[1][0], parts[0][1], parts[1][1]


def _range(*slices: tuple) -> tuple:
    """One range's runs from every partition's slice: its distinct scores
    (ascending) with their positive and negative weight (one sort of the range)."""
    positives = np.concatenate([s[0] for s in slices])
    scores = np.concatenate([positives, *(s[1] for s in slices)])
    order = np.argsort(scores)
    ordered = scores[order]
    if ordered.shape[0] == 0:
        return ordered, np.zeros(0), np.zeros(0)
    first = np.empty(ordered.shape, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    run = np.cumsum(first) - 1  # each sorted score's run
    n_runs = int(run[-1]) + 1
    is_positive = order < positives.shape[0]
    weights = None
    if slices[0][2] is not None:
        parts = [s[2] for s in slices] + [s[3] for s in slices]
        weights = np.concatenate(parts)[order]
    sums = []
    for side in (is_positive, ~is_positive):
        w = None if weights is None else weights[side]
        sums.append(np.bincount(run[side], w, minlength=n_runs).astype(np.float64))
    return ordered[first], sums[0], sums[1]


def _totals(runs: tuple) -> tuple[float, float]:
    return float(runs[1].sum()), float(runs[2].sum())


def _offsets(*totals: tuple[float, float]) -> np.ndarray:
    """``[tp_above, fp_above]`` of each range; the last row: the grand totals."""
    table = np.asarray(totals, dtype=np.float64).reshape(-1, 2)
    above = np.cumsum(table[::-1], axis=0)[::-1]  # weight at or above each range
    return np.concatenate([above[1:], np.zeros((1, 2)), above[:1]])


def _share(
    kind: str, runs: tuple, offsets: np.ndarray, index: int, max_fpr: float = 1.0
) -> float:
    """One range's term of the AUC, partial AUC or AP sum (unnormalised).

    For the partial AUC each run's ROC segment, from ``(fp - n_s, tp - p_s)`` to
    ``(fp, tp)``, is cut at the false-positive weight ``max_fpr * N``, the curve
    interpolated linearly there (as scikit-learn does).
    """
    _, pos, neg = (part[::-1] for part in runs)  # decreasing scores
    tp_above, fp_above = offsets[index]
    tp = tp_above + np.cumsum(pos)
    if kind == "auc":
        return float(np.sum(neg * (tp - pos / 2)))
    fp = fp_above + np.cumsum(neg)
    if kind == "partial-auc":
        width = np.clip(max_fpr * offsets[-1][1] - (fp - neg), 0.0, neg)
        rise = np.divide(pos * width, neg, out=np.zeros(pos.shape), where=neg > 0)
        return float(np.sum(width * (tp - pos + rise / 2)))
    scored = pos > 0
    return float(np.sum(pos[scored] * tp[scored] / (tp[scored] + fp[scored])))


def _finish(kind: str, offsets: np.ndarray, *shares: float) -> float:
    total_pos, total_neg = offsets[-1]
    total = float(np.sum(shares))
    return total / (total_pos * total_neg) if "auc" in kind else total / total_pos


# ---------------------------------------------------------------------- graph


class RangeGraph(NamedTuple):
    """The range-partitioned runs of Dask scores, as tasks of ``graph``.

    ``ranges[j]`` is the key of range ``j``'s merged runs (ascending scores,
    ranges in ascending order); ``offsets`` the key of the ``[tp_above,
    fp_above]`` table, whose last row holds the total positive and negative
    weight.
    """

    graph: dict
    ranges: list
    offsets: Any
    token: str

    def task(self, name: str, index: tuple, *task: Any) -> Any:
        """Add a task ``balancekit-score-<name>`` and return its key."""
        label = f"balancekit-score-{name}-{self.token}"
        key = (label, *index) if index else label
        self.graph[key] = task
        return key

    def compute(self, key: Any) -> Any:
        """Compute one key of the graph with the current scheduler."""
        (value,) = dask.compute(Delayed(key, self.graph))
        return value


def range_graph(
    rows: dict[str, Rows], pos_label: Any, salt: Any, column: int | None = None
) -> RangeGraph:
    """The graph of the runs of each score range (steps 1-4 of the module), of
    ``pos_label`` against the rest, scored by ``column`` of 2-D scores."""
    true, score = rows["y_true"], rows["y_score"]
    weights = rows.get("sample_weight")
    token = dask.base.tokenize(
        true.value, score.value, None if weights is None else weights.value, pos_label
    )
    salted = f"{token}-{salt}-{column}"
    plan = RangeGraph(graph_of(true, score, weights), [], None, salted)
    n_ranges = max(1, min(true.n_partitions, _MAX_RANGES))
    runs = [
        plan.task(
            "runs",
            (i,),
            _runs,
            block_key(true, i),
            block_key(score, i),
            block_key(weights, i),
            pos_label,
            i,
            column,
        )
        for i in range(true.n_partitions)
    ]
    samples = [
        plan.task("sample", (i,), _sample, r, n_ranges) for i, r in enumerate(runs)
    ]
    bounds = plan.task("bounds", (), _bounds, n_ranges, *samples)
    for j in range(n_ranges):
        slices = [
            plan.task("slice", (i, j), _slice, r, bounds, j) for i, r in enumerate(runs)
        ]
        plan.ranges.append(plan.task("range", (j,), _range, *slices))
    totals = [plan.task("totals", (j,), _totals, r) for j, r in enumerate(plan.ranges)]
    return plan._replace(offsets=plan.task("offsets", (), _offsets, *totals))


def n_columns(value: Any) -> int:
    """Columns of a 2-D argument (a DataFrame's or an array's), 1 for a 1-D one."""
    columns = getattr(value, "columns", None)
    if columns is not None:
        return len(columns)
    shape = tuple(getattr(value, "shape", ()))
    return int(shape[1]) if len(shape) == 2 else 1


def score_rows(
    y_true: Any, y_score: Any, sample_weight: Any, *, name: str = "y_score"
) -> dict[str, Rows]:
    """Checked, aligned Dask inputs of a score metric; a 2-D ``y_score`` (one
    column per class) becomes whole rows per block, its columns numbers."""
    kind = "scores" if n_columns(y_score) == 1 else "features"
    if kind == "features" and isinstance(y_score, da.Array):
        y_score = y_score.rechunk({1: -1})
    rows = metric_rows(
        {
            "y_true": (y_true, "any_labels"),
            name: (y_score, kind),
            "sample_weight": (sample_weight, "weights"),
        }
    )
    if kind == "features":
        check_numeric(rows[name], "it holds scores (one column per class)")
    return rows


def require_1d(rows: dict[str, Rows], message: str | None = None) -> None:
    """The NumPy path's ``ValueError`` when binary scores come as several columns."""
    value = rows["y_score"].value
    if n_columns(value) != 1:
        raise ValueError(
            message
            or "`y_score` must have shape (n_samples,) for binary `y_true`: the "
            f"scores of the positive class; got shape {tuple(value.shape)}. For "
            "`predict_proba` output pass its positive column, e.g. `proba[:, 1]`."
        )


def label_counts(y_true: Any) -> tuple[np.ndarray, np.ndarray, tuple]:
    """``y_true``'s distinct labels (checked as in memory), their counts and
    ``present_classes`` of them, by one counting pass."""
    (cells,) = dask.compute(cells_on_dask(y_true, y_true, names=("y_true", "y_true")))
    labels = check_target(cells.true, np_xp)  # raises on no sample at all
    return labels, cells.counts, present_classes(labels, np_xp)


def _score_sum(
    kind: str, rows: dict[str, Rows], pos_label: Any, max_fpr: float = 1.0
) -> float:
    """The AUC, partial AUC (area up to ``max_fpr``) or AP of Dask columns,
    computed by the range graph."""
    plan = range_graph(rows, pos_label, kind)
    shares = [
        plan.task("share", (j,), _share, kind, r, plan.offsets, j, max_fpr)
        for j, r in enumerate(plan.ranges)
    ]
    return plan.compute(plan.task("finish", (), _finish, kind, plan.offsets, *shares))


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
    """:func:`balancekit.metrics.roc_auc_score` of Dask columns (exact), binary
    or multiclass one-vs-rest."""
    check_choice(average, "average", ("micro", "macro", "weighted", None))
    check_choice(multi_class, "multi_class", ("raise", "ovr", "ovo"))
    check_max_fpr(max_fpr)
    rows = score_rows(y_true, y_score, sample_weight)
    values, counts, classes = label_counts(y_true)
    if not is_binary(classes) or n_columns(rows["y_score"].value) > 2:
        check_multiclass_auc(
            max_fpr, multi_class, average=average, sample_weight=sample_weight
        )
        if multi_class == "ovo" or average == "micro":
            raise NotImplementedError(
                "roc_auc_score of multiclass Dask input supports multi_class='ovr' "
                "with average 'macro', 'weighted' or None; got "
                f"multi_class={multi_class!r}, average={average!r}. compute() "
                "`y_true` and `y_score` into memory (NumPy, torch...) for it."
            )
        from balancekit.dask._one_vs_rest import one_vs_rest

        return one_vs_rest("auc", rows, values, counts, average, labels)
    require_1d(rows)
    target = binary_target(values, np_xp, pos_label=classes[-1], classes=classes)
    n_positive = int(
        counts[np.asarray(label_mask(values, target.pos_label, np_xp))].sum()
    )
    if n_positive in (0, int(counts.sum())):
        warnings.warn(
            _ONE_CLASS_AUC, UndefinedMetricWarning, stacklevel=user_stacklevel()
        )
        return np.asarray(float("nan"))
    if max_fpr is not None and max_fpr != 1:
        area = _score_sum("partial-auc", rows, target.pos_label, float(max_fpr))
        return np.float64(mcclish(area, float(max_fpr)))
    return np.float64(_score_sum("auc", rows, target.pos_label))


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """:func:`balancekit.metrics.average_precision_score` of Dask columns (exact),
    binary or multiclass one-vs-rest."""
    check_choice(average, "average", ("macro", "weighted", None))
    rows = score_rows(y_true, y_score, sample_weight)
    values, counts, classes = label_counts(y_true)
    if not is_binary(classes):
        if pos_label != 1:
            raise ValueError(
                "`pos_label` is fixed to 1 for multiclass `y_true` (every class is "
                f"scored against the rest); got pos_label={pos_label!r}. Leave it out."
            )
        from balancekit.dask._one_vs_rest import one_vs_rest

        return one_vs_rest("ap", rows, values, counts, average, None)
    require_1d(rows)
    target = binary_target(values, np_xp, pos_label=pos_label, classes=classes)
    if not np.asarray(label_mask(values, target.pos_label, np_xp)).any():
        warnings.warn(_NO_POSITIVE_PR, UserWarning, stacklevel=user_stacklevel())
        return np.asarray(0.0)
    return np.float64(_score_sum("ap", rows, target.pos_label))
