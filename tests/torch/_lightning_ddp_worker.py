"""Importable pieces of the training-monitor tests that run in spawned processes:
a tiny Lightning module whose training batches carry their dataset indices, and a
callback recording what was logged."""

from __future__ import annotations

import pickle
from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
import torch.distributed as dist
from lightning.pytorch.utilities import CombinedLoader
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from balancekit.torch import BalancedSampler

N_CLASSES = 3
TRAIN_COUNTS = [150, 40, 10]
EPOCH_SIZE = 96
SEED = 5
BATCH = 16


def train_labels() -> np.ndarray:
    return np.repeat(np.arange(N_CLASSES), TRAIN_COUNTS)


def _features(y: np.ndarray, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(y.shape[0], 4)) + np.eye(N_CLASSES, 4)[y]
    return torch.as_tensor(x, dtype=torch.float32)


def validation_set() -> TensorDataset:
    """64 samples (a multiple of 2 ranks: no padding of the shards)."""
    y = np.repeat(np.arange(N_CLASSES), [44, 14, 6])
    return TensorDataset(_features(y, 1), torch.as_tensor(y))


class IndexedModel(pl.LightningModule):
    """A linear classifier; training batches are (x, index, y), validation (x, y).

    ``loaders`` chooses the training loaders (built in ``train_dataloader``, after
    the process group exists, as users do): ``"own"``, a BalancedSampler with the
    defaults (sharding itself); ``"both"``, that one and one built with
    ``num_replicas=1, rank=0``, as a dict of loaders. ``shard_validation`` gives the
    validation loader its own DistributedSampler (needed when Lightning does not
    inject one).
    """

    def __init__(
        self, loaders: str = "own", shard_validation: bool = False, lr: float = 0.5
    ) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, N_CLASSES)
        self.lr = lr
        self.loaders = loaders
        self.shard_validation = shard_validation
        self.seen: dict[str, dict[int, list[int]]] = {}
        self.val_outputs: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}

    def _loader(self, **sampler_kwargs: Any) -> DataLoader:
        y = train_labels()
        dataset = TensorDataset(
            _features(y, 0), torch.arange(y.shape[0]), torch.as_tensor(y)
        )
        sampler = BalancedSampler(
            y, "balanced", num_samples=EPOCH_SIZE, seed=SEED, **sampler_kwargs
        )
        return DataLoader(dataset, batch_size=BATCH, sampler=sampler)

    def train_dataloader(self) -> Any:
        if self.loaders == "own":
            return self._loader()
        loaders = {
            "own": self._loader(),
            "single": self._loader(num_replicas=1, rank=0),
        }
        # "max_size": each loader runs through its epoch once (None once exhausted)
        return CombinedLoader(loaders, mode="max_size")

    def val_dataloader(self) -> DataLoader:
        dataset = validation_set()
        sampler = None
        if self.shard_validation and dist.is_initialized():
            sampler = DistributedSampler(dataset, shuffle=False)
        return DataLoader(dataset, batch_size=BATCH, sampler=sampler)

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        parts = batch if isinstance(batch, dict) else {"own": batch}
        loss = torch.zeros(())
        for name, part in parts.items():
            if part is None:
                continue
            x, index, y = part
            epoch = self.seen.setdefault(name, {})
            epoch.setdefault(self.current_epoch, []).extend(index.tolist())
            loss = loss + torch.nn.functional.cross_entropy(self.net(x), y)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> dict[str, Any]:
        x, y = batch
        scores = self.net(x)
        if not self.trainer.sanity_checking:
            self.val_outputs.setdefault(self.current_epoch, []).append(
                (scores.numpy().copy(), y.numpy().copy())
            )
        return {"scores": scores}

    def configure_optimizers(self) -> Any:
        return torch.optim.SGD(self.parameters(), lr=self.lr)


class Recorder(pl.Callback):
    """Save, per rank, the values logged each epoch, the monitor's history, the
    indices each training loader gave, the validation outputs and the samplers'
    types (to ``out_dir/rank-{rank}.pkl`` at the end of fit)."""

    def __init__(self, out_dir: str, monitor_callback: Any) -> None:
        self.out_dir = out_dir
        self.monitor_callback = monitor_callback
        self.logged: list[dict[str, float]] = []

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
        self.logged.append(
            {
                key: float(value)
                for key, value in trainer.callback_metrics.items()
                if key.startswith("val_")
            }
        )

    def on_fit_end(self, trainer: pl.Trainer, pl_module: Any) -> None:
        loaders = trainer.train_dataloader
        if isinstance(loaders, CombinedLoader):
            loaders = loaders.iterables
        loaders = loaders if isinstance(loaders, dict) else {"own": loaders}
        result = {
            "world_size": trainer.world_size,
            "logged": self.logged,
            "history": self.monitor_callback.monitor.history_,
            "seen": pl_module.seen,
            "val_outputs": pl_module.val_outputs,
            "samplers": {
                name: type(loader.sampler).__name__ for name, loader in loaders.items()
            },
        }
        with open(f"{self.out_dir}/rank-{trainer.global_rank}.pkl", "wb") as file:
            pickle.dump(result, file)
