"""Run in spawned processes by test_metrics_ddp: one gloo rank updates stateful
metrics with its half of the data, all-reduces them and saves what it computes."""

from __future__ import annotations

import pickle

import numpy as np
import torch
import torch.distributed as dist

from balancekit.metrics import StreamingConfusionMatrix, StreamingScores
from balancekit.torch.metrics import all_reduce_

LABELS = [0, 1, 2, 3]


def data() -> dict[str, np.ndarray]:
    """The whole evaluation set every rank takes its half of."""
    rng = np.random.default_rng(0)
    n = 301
    y_true = rng.integers(0, 4, size=n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 4, size=n))
    score = np.round(rng.random(n) * 100) / 100
    binary = (rng.random(n) < score).astype(np.int64)
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "weight": rng.random(n),
        "score": score,
        "binary": binary,
    }


def reduce_metrics(rank: int, world_size: int, store: str, out_dir: str) -> None:
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        d = data()
        part = slice(rank, None, world_size)
        results = {}
        # NumPy state, float weights on this rank only for rank 0
        numpy_cm = StreamingConfusionMatrix(LABELS)
        weight = d["weight"][part] if rank == 0 else None
        numpy_cm.update(d["y_true"][part], d["y_pred"][part], weight)
        all_reduce_(numpy_cm)
        results["numpy_matrix"] = numpy_cm.compute()
        results["numpy_f1"] = float(numpy_cm.f1_score(average="macro"))
        results["numpy_report"] = numpy_cm.report()
        # torch state, unweighted, in two batches
        torch_cm = StreamingConfusionMatrix(LABELS)
        y_true, y_pred = (
            torch.as_tensor(d["y_true"][part]),
            torch.as_tensor(d["y_pred"][part]),
        )
        torch_cm.update(y_true[:50], y_pred[:50]).update(y_true[50:], y_pred[50:])
        all_reduce_(torch_cm)
        matrix = torch_cm.compute()
        assert isinstance(matrix, torch.Tensor)
        results["torch_matrix"] = matrix.numpy()
        results["torch_mcc"] = float(torch_cm.matthews_corrcoef())
        # a rank without any update still takes part and receives the sum
        idle = StreamingConfusionMatrix(LABELS)
        if rank == 0:
            idle.update(d["y_true"], d["y_pred"])
        all_reduce_(idle)
        results["idle_matrix"] = np.asarray(idle.compute())
        results["idle_kappa"] = float(idle.cohen_kappa_score())
        # score histograms
        scores = StreamingScores(n_bins=100)
        scores.update(d["binary"][part], d["score"][part], d["weight"][part])
        all_reduce_(scores)
        results["scores"] = {k: float(v) for k, v in scores.compute().items()}
        with open(f"{out_dir}/metrics-{rank}.pkl", "wb") as file:
            pickle.dump(results, file)
        dist.barrier()
    finally:
        dist.destroy_process_group()
