"""Run in spawned processes by test_multilabel_scores_ddp: one gloo rank updates
streaming multilabel score histograms with its share of the data, all-reduces them
and saves what it computes."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import torch
import torch.distributed as dist

from balancekit.metrics import StreamingMultilabelScores
from balancekit.torch.metrics import all_reduce_

N_LABELS = 4
N_BINS = 50
LABELS = [3, 0, 1]
AVERAGES = (None, "micro", "macro", "weighted")


def data() -> dict[str, np.ndarray]:
    """The whole evaluation set every rank takes its share of: scores on the grid
    of ``N_BINS`` bins, so that the binned scores are exact."""
    rng = np.random.default_rng(0)
    n = 301
    y_true = (rng.random((n, N_LABELS)) < [0.5, 0.3, 0.1, 0.05]).astype(np.int64)
    noise = rng.integers(0, N_BINS + 1, size=(n, N_LABELS)) / N_BINS
    y_score = np.round((0.6 * y_true + 0.4 * noise) * N_BINS) / N_BINS
    weight = rng.random(n)
    weight[::7] = 0.0
    return {"y_true": y_true, "y_score": y_score, "weight": weight}


def scores(metric: StreamingMultilabelScores) -> dict:
    """What each rank reports, as NumPy arrays."""
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in AVERAGES:
            results[f"auc-{average}"] = np.asarray(
                metric.roc_auc_score(average=average)
            )
            results[f"ap-{average}"] = np.asarray(
                metric.average_precision_score(average=average)
            )
        results["auc-partial"] = np.asarray(
            metric.roc_auc_score(average="macro", max_fpr=0.3)
        )
    return results


def reduce_metrics(rank: int, world_size: int, store: str, out_dir: str) -> None:
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        d = data()
        part = slice(rank, None, world_size)
        results = {}
        # NumPy state, float weights on rank 0 only, a subset of the columns
        numpy_metric = StreamingMultilabelScores(N_LABELS, n_bins=N_BINS, labels=LABELS)
        weight = d["weight"][part] if rank == 0 else None
        numpy_metric.update(d["y_true"][part], d["y_score"][part], weight)
        all_reduce_(numpy_metric)
        assert isinstance(numpy_metric.histogram(), np.ndarray)
        results["numpy"] = scores(numpy_metric)
        # torch state, unweighted, in two batches
        torch_metric = StreamingMultilabelScores(N_LABELS, n_bins=N_BINS)
        y_true = torch.as_tensor(d["y_true"][part])
        y_score = torch.as_tensor(d["y_score"][part])
        torch_metric.update(y_true[:50], y_score[:50])
        torch_metric.update(y_true[50:], y_score[50:])
        all_reduce_(torch_metric)
        assert isinstance(torch_metric.histogram(), torch.Tensor)
        results["torch"] = scores(torch_metric)
        # a rank without any update still takes part and receives the sum
        idle = StreamingMultilabelScores(N_LABELS, n_bins=N_BINS)
        if rank == 0:
            idle.update(d["y_true"], d["y_score"])
        all_reduce_(idle)
        results["idle"] = scores(idle)
        with open(f"{out_dir}/multilabel-scores-{rank}.pkl", "wb") as file:
            pickle.dump(results, file)
        dist.barrier()
    finally:
        dist.destroy_process_group()
