"""What every balancekit DataLoader sampler shares: epochs, sharding across ranks and
mid-epoch resume.

An epoch's draw is a pure function of ``(seed, epoch)``, so every rank of a
distributed job derives the same draw without communicating and keeps its own shard,
following ``torch.utils.data.DistributedSampler``'s padding and ``drop_last`` rules.
Iteration hands the DataLoader a plain list iterator (no per-item Python overhead);
``state_dict`` reads how far it got from the iterator's remaining length.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch.distributed as dist

from balancekit._validation import check_int

__all__ = ["EpochDraws", "check_replicas", "shard"]


def check_replicas(num_replicas: Any, rank: Any) -> tuple[int, int]:
    """``(num_replicas, rank)``, defaulting to the initialised process group.

    Without an initialised ``torch.distributed`` process group the defaults are a
    single replica of rank 0.
    """
    initialised = dist.is_available() and dist.is_initialized()
    if num_replicas is None:
        num_replicas = dist.get_world_size() if initialised else 1
    if rank is None:
        rank = dist.get_rank() if initialised else 0
    num_replicas = check_int(num_replicas, "num_replicas", low=1)
    rank = check_int(rank, "rank", low=0)
    if rank >= num_replicas:
        raise ValueError(
            f"`rank` must be in [0, num_replicas - 1] = [0, {num_replicas - 1}]; got "
            f"{rank}."
        )
    return num_replicas, rank


def shard_length(total: int, num_replicas: int, drop_last: bool) -> int:
    """Items per rank, as ``DistributedSampler`` counts them."""
    if drop_last:
        return total // num_replicas
    return -(-total // num_replicas)


def shard(
    items: np.ndarray, num_replicas: int, rank: int, drop_last: bool
) -> np.ndarray:
    """This rank's share of the epoch's items (along axis 0).

    Without ``drop_last`` the items are padded by repeating them from the start until
    every rank gets the same number; with it, the tail is dropped. Rank ``r`` takes
    items ``r, r + num_replicas, ...`` (``DistributedSampler``'s interleaving).
    """
    per_rank = shard_length(int(items.shape[0]), num_replicas, drop_last)
    total_size = per_rank * num_replicas
    if total_size > items.shape[0]:
        repeats = -(-total_size // items.shape[0])
        items = np.concatenate([items] * repeats, axis=0)
    return items[rank:total_size:num_replicas]


class EpochDraws:
    """Epochs, sharding and resume for a sampler that draws a fresh epoch each time.

    Subclasses implement ``_draw(rng, epoch)`` (the whole epoch, every rank's share,
    as a NumPy array of indices or of index batches) and ``_epoch_length()``.
    """

    seed: int
    epoch: int
    num_replicas: int
    rank: int
    drop_last: bool

    def _init_epochs(
        self, seed: Any, num_replicas: Any, rank: Any, drop_last: Any
    ) -> None:
        self.seed = check_int(seed, "seed", low=0)
        self.num_replicas, self.rank = check_replicas(num_replicas, rank)
        if not isinstance(drop_last, bool):
            raise TypeError(
                f"`drop_last` must be a bool; got {type(drop_last).__name__}."
            )
        self.drop_last = drop_last
        self.epoch = 0
        self._resume_at = 0
        self._iterator: Iterator[Any] | None = None
        self._iterator_start = 0
        self._iterator_length = 0

    def _draw(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        raise NotImplementedError

    def _epoch_length(self) -> int:
        raise NotImplementedError

    def set_epoch(self, epoch: int) -> None:
        """Use the draw of ``epoch`` at the next iteration (call it every epoch)."""
        self.epoch = check_int(epoch, "epoch", low=0)

    def epoch_draw(self, epoch: int | None = None) -> np.ndarray:
        """The whole draw of an epoch (every rank's share, before sharding)."""
        epoch = self.epoch if epoch is None else check_int(epoch, "epoch", low=0)
        return self._draw(np.random.default_rng([self.seed, epoch]), epoch)

    def __len__(self) -> int:
        return shard_length(self._epoch_length(), self.num_replicas, self.drop_last)

    def __iter__(self) -> Iterator[Any]:
        items = shard(self.epoch_draw(), self.num_replicas, self.rank, self.drop_last)
        start, self._resume_at = self._resume_at, 0
        remaining = items[start:].tolist()
        self._iterator = iter(remaining)
        self._iterator_start = start
        self._iterator_length = len(remaining)
        return self._iterator

    def _yielded(self) -> int:
        if self._iterator is None:
            return self._resume_at
        left = operator.length_hint(self._iterator)
        return self._iterator_start + self._iterator_length - left

    def state_dict(self) -> dict[str, int]:
        """The epoch and how many items this rank has yielded in it.

        Works with torchdata's ``StatefulDataLoader``, which saves it with the loader's
        state; restoring it with :meth:`load_state_dict` makes the next iteration
        yield exactly the rest of that epoch.
        """
        return {"seed": self.seed, "epoch": self.epoch, "yielded": self._yielded()}

    def load_state_dict(self, state_dict: dict[str, int]) -> None:
        """Resume: the next iteration continues the saved epoch where it stopped."""
        missing = {"seed", "epoch", "yielded"} - set(state_dict)
        if missing:
            raise ValueError(
                f"`state_dict` lacks {sorted(missing)}; pass what `state_dict()` "
                "returned."
            )
        if state_dict["seed"] != self.seed:
            raise ValueError(
                f"`state_dict` was saved with seed={state_dict['seed']} but this "
                f"sampler has seed={self.seed}; build the sampler with the same seed."
            )
        yielded = check_int(state_dict["yielded"], "state_dict['yielded']", low=0)
        if yielded > len(self):
            raise ValueError(
                f"`state_dict` says {yielded} items were yielded, more than this "
                f"rank's epoch of {len(self)}; the sampler's settings differ."
            )
        self.set_epoch(state_dict["epoch"])
        self._resume_at = yielded
        self._iterator = None
