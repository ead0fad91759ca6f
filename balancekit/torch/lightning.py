"""A PyTorch Lightning callback that watches the minority class during training.

Importing this module imports ``lightning`` (the ``lightning`` extra:
``pip install "balancekit[lightning]"``); ``import balancekit.torch`` does not.

:class:`MinorityMonitorCallback` reads what ``validation_step`` returns, so the
validation loop is not run twice: return the batch's scores (and, optionally, its
labels) from ``validation_step``. At the end of every validation epoch the callback
sums the per-class metrics over the DDP ranks, logs them with ``pl_module.log_dict``
(``val_recall_class1``, ...: they reach the loggers, the progress bar's
``callback_metrics``, ``ModelCheckpoint`` and ``EarlyStopping``) and warns with a
:class:`~balancekit.diagnostics.TrainingCollapseWarning` (rank 0 only) when the
model collapses to one class or the minority recall keeps falling.

**BalancedSampler under Lightning's DDP.** ``balancekit.torch.BalancedSampler``
shards itself: built when the process group exists (in ``train_dataloader()``, the
usual place), it takes ``num_replicas`` and ``rank`` from it and each rank yields a
disjoint shard of one balanced draw per epoch. Lightning's default
``use_distributed_sampler=True`` then wraps it in a ``DistributedSamplerWrapper``,
which shards it a second time: every rank gets only half (with 2 ranks) of its
shard, so half of each epoch's balanced draw is never used (the draw stays balanced
and the ranks disjoint, but the epoch is shorter than asked); the callback warns
about it when training starts. Either

* pass ``Trainer(use_distributed_sampler=False)``: the sampler keeps its own
  sharding, and Lightning still calls its ``set_epoch`` every epoch; or
* build the sampler with ``num_replicas=1, rank=0``: the wrapper then shards the
  whole draw disjointly and forwards ``set_epoch`` to it.

Both give every rank a disjoint shard of the full draw, a new draw every epoch. With
``use_distributed_sampler=False`` Lightning shards no loader: give the validation
``DataLoader`` a ``DistributedSampler(dataset, shuffle=False)`` yourself, otherwise
every rank scores the whole validation set and the summed counts are multiplied by
the number of ranks (the rates are unchanged).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import lightning.pytorch as pl
import torch

from balancekit.diagnostics._training_monitor import MinorityMonitor
from balancekit.torch._monitor import reduce_monitor

__all__ = ["MinorityMonitorCallback"]


def _loaders(loaders: Any) -> list[Any]:
    """The DataLoaders of what ``trainer.train_dataloader`` holds (one, a
    collection, or None before the loop starts)."""
    if loaders is None:
        return []
    if isinstance(loaders, Mapping):
        return [x for value in loaders.values() for x in _loaders(value)]
    if isinstance(loaders, list | tuple):
        return [x for value in loaders for x in _loaders(value)]
    return [loaders]


def _sharded_twice(loader: Any) -> Any:
    """The balancekit sampler inside Lightning's DistributedSamplerWrapper that
    already shards itself over several ranks, or None."""
    from lightning.fabric.utilities.distributed import DistributedSamplerWrapper

    batch_sampler = getattr(loader, "batch_sampler", None)
    for sampler in (getattr(loader, "sampler", None), batch_sampler):
        sampler = getattr(sampler, "sampler", sampler)  # a BatchSampler's sampler
        if isinstance(sampler, DistributedSamplerWrapper):
            inner = getattr(sampler.dataset, "_sampler", None)
            shards = getattr(inner, "num_replicas", 1)
            if type(inner).__module__.startswith("balancekit.") and shards > 1:
                return inner
    return None


class MinorityMonitorCallback(pl.Callback):
    """Log per-class recall, precision and PR-AUC of the validation set every
    epoch, and warn when the model collapses to one class.

    ``validation_step`` returns the batch's scores: a tensor, or a dict holding them
    under ``scores_key`` (and the labels under ``target_key``; without them the
    labels are the last element of a tuple or list batch, or ``batch[target_key]``
    for a dict batch). Scores are probabilities, or logits for a monitor built with
    ``from_logits=True``. The sanity-check validation before training is skipped.

    Under DDP each rank updates the monitor with its validation shard and the
    metrics are summed over the ranks (:func:`balancekit.torch.all_reduce_`) at
    the end of the epoch, so every rank logs the same values. (Lightning's
    ``DistributedSampler`` pads the validation set to a multiple of the number of
    ranks: the few repeated samples are counted twice, as in any DDP validation.)
    For ``BalancedSampler`` in the training loader under DDP, see this module's
    notes: pass ``Trainer(use_distributed_sampler=False)`` (and shard the
    validation loader yourself), or build the sampler with ``num_replicas=1,
    rank=0``.

    Parameters
    ----------
    monitor : MinorityMonitor
        The monitor (number of classes, logits or probabilities, warning rules);
        its ``history_`` keeps every epoch's record.
    scores_key : str, default="scores"
        The key of the scores in a dict returned by ``validation_step``.
    target_key : str, default="target"
        The key of the labels in that dict (or in a dict batch).
    prefix : str, default="val_"
        The prefix of the logged names (``val_recall_class1``...).
    dataloader_idx : int, default=0
        With several validation loaders, the one to watch.
    prog_bar : bool, default=False
        Also show the values in the progress bar.

    Attributes
    ----------
    monitor : MinorityMonitor
        The monitor given.

    Examples
    --------
    >>> import warnings
    >>> import lightning.pytorch as pl
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from balancekit.diagnostics import MinorityMonitor
    >>> from balancekit.torch.lightning import MinorityMonitorCallback
    >>> class Model(pl.LightningModule):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.net = torch.nn.Linear(4, 2)
    ...     def training_step(self, batch, batch_idx):
    ...         x, y = batch
    ...         return torch.nn.functional.cross_entropy(self.net(x), y)
    ...     def validation_step(self, batch, batch_idx):
    ...         return {"scores": self.net(batch[0])}
    ...     def configure_optimizers(self):
    ...         return torch.optim.SGD(self.parameters(), lr=0.1)
    >>> _ = torch.manual_seed(0)
    >>> x, y = torch.randn(64, 4), torch.tensor([0] * 56 + [1] * 8)
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32)
    >>> callback = MinorityMonitorCallback(MinorityMonitor(2, from_logits=True))
    >>> trainer = pl.Trainer(max_epochs=2, callbacks=[callback], logger=False,
    ...                      enable_checkpointing=False, enable_progress_bar=False,
    ...                      enable_model_summary=False, accelerator="cpu")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     trainer.fit(Model(), loader, loader)
    >>> len(callback.monitor.history_)
    2
    >>> "val_recall_class1" in trainer.callback_metrics
    True
    """

    def __init__(
        self,
        monitor: MinorityMonitor,
        *,
        scores_key: str = "scores",
        target_key: str = "target",
        prefix: str = "val_",
        dataloader_idx: int = 0,
        prog_bar: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, MinorityMonitor):
            raise TypeError(
                "`monitor` must be a balancekit.diagnostics.MinorityMonitor; got "
                f"{type(monitor).__name__}."
            )
        for name, value in (
            ("scores_key", scores_key),
            ("target_key", target_key),
            ("prefix", prefix),
        ):
            if not isinstance(value, str):
                raise TypeError(f"`{name}` must be a str; got {type(value).__name__}.")
        if isinstance(dataloader_idx, bool) or not isinstance(dataloader_idx, int):
            raise TypeError(
                f"`dataloader_idx` must be an int; got {type(dataloader_idx).__name__}."
            )
        if dataloader_idx < 0:
            raise ValueError(f"`dataloader_idx` must be >= 0; got {dataloader_idx}.")
        if not isinstance(prog_bar, bool):
            raise TypeError(f"`prog_bar` must be True or False; got {prog_bar!r}.")
        self.monitor = monitor
        self.scores_key = scores_key
        self.target_key = target_key
        self.prefix = prefix
        self.dataloader_idx = dataloader_idx
        self.prog_bar = prog_bar

    def on_train_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule
    ) -> None:
        """Warn when Lightning shards a self-sharding balancekit sampler again."""
        for loader in _loaders(trainer.train_dataloader):
            twice = _sharded_twice(loader)
            if twice is not None:
                warnings.warn(
                    f"{type(twice).__name__} shards itself over "
                    f"{twice.num_replicas} ranks and Lightning wrapped it in a "
                    "DistributedSamplerWrapper, which shards it again: each rank "
                    f"uses 1/{twice.num_replicas} of its shard, so most of every "
                    "epoch's balanced draw is dropped. Pass "
                    "Trainer(use_distributed_sampler=False), or build the sampler "
                    "with num_replicas=1, rank=0.",
                    UserWarning,
                    stacklevel=2,
                )

    def on_validation_epoch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule
    ) -> None:
        """Start the epoch from an empty monitor."""
        self.monitor.reset()

    def on_validation_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        """Add the batch's scores and labels to the monitor."""
        if trainer.sanity_checking or dataloader_idx != self.dataloader_idx:
            return
        scores, target = self._scores_and_target(outputs, batch)
        target = torch.as_tensor(target).to(scores.device)
        self.monitor.update(target, scores.detach())

    def _scores_and_target(self, outputs: Any, batch: Any) -> tuple[Any, Any]:
        target = None
        if isinstance(outputs, Mapping):
            if self.scores_key not in outputs:
                raise ValueError(
                    f"validation_step returned a dict without the key "
                    f"{self.scores_key!r} (`scores_key`); its keys: "
                    f"{sorted(map(str, outputs))}. Return the batch's scores under it."
                )
            scores = outputs[self.scores_key]
            target = outputs.get(self.target_key)
        else:
            scores = outputs
        if not isinstance(scores, torch.Tensor):
            raise TypeError(
                "MinorityMonitorCallback needs validation_step to return the batch's "
                f"scores (a tensor, or a dict with {self.scores_key!r}); got "
                f"{type(scores).__name__}."
            )
        if target is None:
            if isinstance(batch, tuple | list) and len(batch) >= 2:
                target = batch[-1]
            elif isinstance(batch, Mapping) and self.target_key in batch:
                target = batch[self.target_key]
            else:
                raise ValueError(
                    "MinorityMonitorCallback cannot find the labels: return them from "
                    f"validation_step under {self.target_key!r} (`target_key`), or "
                    "use (inputs, labels) batches."
                )
        return scores, target

    def on_validation_epoch_end(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule
    ) -> None:
        """Sum the metrics over the ranks, log them, warn on rank 0."""
        if trainer.sanity_checking:
            self.monitor.reset()
            return
        distributed = torch.distributed.is_available() and (
            torch.distributed.is_initialized()
        )
        emit = reduce_monitor(self.monitor)  # a collective under DDP
        if self.monitor.confusion.is_empty:
            return  # no batch of the watched loader on any rank
        record = self.monitor.end_epoch(emit_warnings=emit)
        values = self.monitor.scalars(record, prefix=self.prefix)
        # every rank holds the same values (summed metrics); sync_dist averages
        # identical numbers, and keeps Lightning from asking for it
        pl_module.log_dict(
            values,
            prog_bar=self.prog_bar,
            sync_dist=distributed,
            add_dataloader_idx=False,
        )

    def state_dict(self) -> dict[str, Any]:
        """The monitor's history, saved in Lightning checkpoints."""
        return {"history": list(self.monitor.history_), "falls": self.monitor._falls}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the monitor's history from a checkpoint."""
        self.monitor.history_ = list(state_dict.get("history", []))
        self.monitor._falls = int(state_dict.get("falls", 0))
