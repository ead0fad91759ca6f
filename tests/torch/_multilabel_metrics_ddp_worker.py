"""Run in spawned processes by test_multilabel_metrics_ddp: one gloo rank updates
streaming multilabel confusion matrices with its share of the data, all-reduces them
and saves what it computes."""

from __future__ import annotations

import pickle

import numpy as np
import torch
import torch.distributed as dist

from balancekit.metrics import (
    StreamingMultilabelConfusionMatrix,
)
from balancekit.torch.metrics import all_reduce_

N_LABELS = 4
LABELS = [3, 0, 1]


def data() -> dict[str, np.ndarray]:
    """The whole evaluation set every rank takes its share of."""
    rng = np.random.default_rng(0)
    n = 301
    y_true = (rng.random((n, N_LABELS)) < [0.5, 0.3, 0.1, 0.05]).astype(np.int64)
    y_pred = np.where(rng.random((n, N_LABELS)) < 0.7, y_true, 1 - y_true)
    weight = rng.random(n)
    weight[::7] = 0.0
    return {"y_true": y_true, "y_pred": y_pred, "weight": weight}


def _scores(metric: StreamingMultilabelConfusionMatrix) -> dict:
    """What each rank reports, as NumPy values and Python floats."""
    return {
        "matrices": np.asarray(metric.compute()),
        "f1_samples": float(metric.f1_score(average="samples", zero_division=0.0)),
        "jaccard_macro": float(metric.jaccard_score(average="macro")),
        "hamming": float(metric.hamming_loss()),
        "report": metric.report(zero_division=0.0),
    }


def reduce_metrics(rank: int, world_size: int, store: str, out_dir: str) -> None:
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        d = data()
        part = slice(rank, None, world_size)
        results = {}
        # NumPy state, float weights on rank 0 only, a subset of the columns
        numpy_metric = StreamingMultilabelConfusionMatrix(N_LABELS, labels=LABELS)
        weight = d["weight"][part] if rank == 0 else None
        numpy_metric.update(d["y_true"][part], d["y_pred"][part], weight)
        all_reduce_(numpy_metric)
        assert isinstance(numpy_metric.compute(), np.ndarray)
        results["numpy"] = _scores(numpy_metric)
        # torch state, unweighted, in two batches
        torch_metric = StreamingMultilabelConfusionMatrix(N_LABELS)
        y_true = torch.as_tensor(d["y_true"][part])
        y_pred = torch.as_tensor(d["y_pred"][part])
        torch_metric.update(y_true[:50], y_pred[:50]).update(y_true[50:], y_pred[50:])
        all_reduce_(torch_metric)
        assert isinstance(torch_metric.compute(), torch.Tensor)
        results["torch"] = _scores(torch_metric)
        # a rank without any update still takes part and receives the sum
        idle = StreamingMultilabelConfusionMatrix(N_LABELS)
        if rank == 0:
            idle.update(d["y_true"], d["y_pred"])
        all_reduce_(idle)
        results["idle"] = _scores(idle)
        with open(f"{out_dir}/multilabel-metrics-{rank}.pkl", "wb") as file:
            pickle.dump(results, file)
        dist.barrier()
    finally:
        dist.destroy_process_group()
