"""``StreamingScores.update`` of Dask columns: binned per partition, merged.

Each row partition is binned into a copy of the (empty) metric by one task
(``balancekit-streaming-update``); the copies are merged by a tree reduction
(``balancekit-streaming-merge``), so only the O(n_bins) histogram reaches the client,
where it is merged into the user's metric. The binned form's stated error bound
holds as for in-memory updates.
"""

from __future__ import annotations

import copy
from typing import Any

import dask
from dask.delayed import Delayed

from balancekit.dask._collections import (
    block_key,
    check_partition_length,
    graph_of,
    reduce_tree,
)
from balancekit.dask._metrics import metric_rows

__all__ = ["update_streaming_scores"]


def _partition_update(
    template: Any, y_true: Any, y_score: Any, sample_weight: Any, index: int
) -> Any:
    """A copy of the empty ``template`` updated with one partition (a task)."""
    metric = copy.deepcopy(template)
    check_partition_length(y_score, len(y_true), "y_score", "y_true", index)
    if sample_weight is not None:
        check_partition_length(
            sample_weight, len(y_true), "sample_weight", "y_true", index
        )
    if len(y_true) == 0:
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
    rows = metric_rows(
        {
            "y_true": (y_true, "any_labels"),
            "y_score": (y_score, "scores"),
            "sample_weight": (sample_weight, "weights"),
        }
    )
    true, weights = rows["y_true"], rows.get("sample_weight")
    template = copy.deepcopy(metric).reset()
    token = dask.base.tokenize(template, true.value, rows["y_score"].value, weights)
    name = f"balancekit-streaming-update-{token}"
    graph = graph_of(*rows.values())
    for i in range(true.n_partitions):
        graph[(name, i)] = (
            _partition_update,
            template,
            block_key(true, i),
            block_key(rows["y_score"], i),
            block_key(weights, i),
            i,
        )
    root = reduce_tree(
        graph,
        f"balancekit-streaming-merge-{token}",
        _merged,
        [(name, i) for i in range(true.n_partitions)],
    )
    (merged,) = dask.compute(Delayed(root, graph))
    if merged.is_empty:
        raise ValueError("`y_score` is empty; at least one sample is needed.")
    return metric.merge(merged)
