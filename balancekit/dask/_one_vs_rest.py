"""Multiclass ROC AUC and average precision on Dask, one class against the rest.

For each class (column ``k`` of a 2-D ``y_score``, in sorted label order or the
order of ``labels``), the range graph of :mod:`balancekit.dask._ranking` scores
column ``k`` with that class as the positive label. The graphs of all classes
share the input partitions and are computed together, so the data is read once;
each class's graph brings O(n_ranges) numbers to the client. ROC AUC also checks,
in the same pass (``balancekit-score-rowsums``), that every row of ``y_score``
holds probabilities summing to one, as the NumPy path does.

The classes, their supports and the averaging follow the NumPy path
(``balancekit.metrics._ranking._one_vs_rest``): the same label checks, warnings for
a class with no positive (or only positives) sample, and results equal to it to
float round-off.

Examples
--------
>>> import dask
>>> import dask.array as da
>>> import numpy as np
>>> from balancekit.metrics import roc_auc_score
>>> y_true = da.from_array(np.array([0, 1, 2, 1]), chunks=2)
>>> y_proba = da.from_array(np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3],
...                                   [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]]), chunks=2)
>>> with dask.config.set(scheduler="synchronous"):
...     print(float(roc_auc_score(y_true, y_proba, multi_class="ovr")))
1.0
"""

from __future__ import annotations

import warnings
from typing import Any

import array_api_compat.numpy as np_xp
import dask
import numpy as np
from dask.delayed import Delayed
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._labels import as_label_array, check_labels, label_mask
from balancekit._warnings import user_stacklevel
from balancekit.dask._collections import Rows, block_key, reduce_tree
from balancekit.dask._ranking import _finish, _share, n_columns, range_graph
from balancekit.metrics._ranking import (
    _NO_POSITIVE_PR,
    _ONE_CLASS_AUC,
    _check_ovr_labels,
)

__all__ = ["one_vs_rest"]

_NOT_PROBABILITIES = (
    "`y_score` rows must be probabilities summing to 1 over the classes for "
    "multiclass ROC AUC; normalise them (e.g. a softmax) first."
)


def _rows_sum_to_one(y_score: Any) -> bool:
    """Whether every row of a partition's scores sums to 1 (a task)."""
    score = np.asarray(as_label_array(y_score, np_xp), dtype=np.float64)
    totals = score.sum(axis=1)
    return bool(np.all(np.abs(totals - 1) <= 1e-8 + 1e-5 * np.abs(totals)))


def _all(*flags: bool) -> bool:
    return all(flags)


def one_vs_rest(
    metric: str,
    rows: dict[str, Rows],
    values: np.ndarray,
    counts: np.ndarray,
    average: str | None,
    labels: Any,
) -> Any:
    """The one-vs-rest ``metric`` (``"auc"`` or ``"ap"``) of checked Dask rows.

    Parameters
    ----------
    metric : {"auc", "ap"}
        ROC AUC or average precision.
    rows : dict of Rows
        ``y_true``, ``y_score`` (2-D, whole rows per block) and ``sample_weight``.
    values, counts : ndarray
        ``y_true``'s distinct labels and their counts (the counting pass).
    average : {"macro", "weighted"} or None
        As the public functions.
    labels : array-like or None
        The labels of the columns of ``y_score`` (ROC AUC only).
    """
    score = rows["y_score"]
    n_classes = n_columns(score.value)
    if score.value.ndim != 2:
        raise ValueError(
            "`y_score` needs shape (n_samples, n_classes) since `y_true` holds more "
            f"than two classes; got shape {tuple(score.value.shape)}."
        )
    y_classes = check_labels(values, np_xp, name="y_true").classes
    classes = _check_ovr_labels(labels, y_classes, n_classes, np_xp)
    n_samples = int(counts.sum())
    graph: dict = {}
    offsets, finals, defined = [], [], []
    for column, label in enumerate(classes):
        plan = range_graph(rows, label, metric, column)
        n_positive = int(counts[np.asarray(label_mask(values, label, np_xp))].sum())
        if metric == "auc":
            defined.append(n_positive not in (0, n_samples))
        else:
            defined.append(n_positive > 0)
        offsets.append(plan.offsets)
        if defined[-1]:
            shares = [
                plan.task("share", (j,), _share, metric, r, plan.offsets, j)
                for j, r in enumerate(plan.ranges)
            ]
            finals.append(
                plan.task("finish", (), _finish, metric, plan.offsets, *shares)
            )
        graph.update(plan.graph)
    keys: list = [*offsets, *finals]
    if metric == "auc":
        name = f"balancekit-score-rowsums-{dask.base.tokenize(score.value)}"
        for i in range(score.n_partitions):
            graph[(name, i)] = (_rows_sum_to_one, block_key(score, i))
        parts = [(name, i) for i in range(score.n_partitions)]
        keys.append(reduce_tree(graph, f"{name}-all", _all, parts))
    root = f"balancekit-score-one-vs-rest-{dask.base.tokenize(keys)}"
    graph[root] = (tuple, list(keys))
    (results,) = dask.compute(Delayed(root, graph))
    if metric == "auc" and not results[-1]:
        raise ValueError(_NOT_PROBABILITIES)
    tables, computed = results[: len(offsets)], iter(results[len(offsets) :])
    per_class = []
    for is_defined in defined:
        if is_defined:
            per_class.append(np.float64(next(computed)))
        elif metric == "auc":
            warnings.warn(
                _ONE_CLASS_AUC, UndefinedMetricWarning, stacklevel=user_stacklevel()
            )
            per_class.append(np.float64("nan"))
        else:
            warnings.warn(_NO_POSITIVE_PR, UserWarning, stacklevel=user_stacklevel())
            per_class.append(np.float64(0.0))
    scores = np.asarray(per_class, dtype=np.float64)
    if average is None:
        return scores
    if average == "macro":
        return np.mean(scores)
    if rows.get("sample_weight") is None:
        support = np.asarray(
            [
                float(counts[np.asarray(label_mask(values, c, np_xp))].sum())
                for c in classes
            ]
        )
    else:
        support = np.asarray([table[-1][0] for table in tables])
    total = np.sum(support)
    if float(total) == 0:
        return np.asarray(0.0)
    scores = np.where(support == 0, 0.0, scores)
    return np.sum(scores * support) / total
