"""What every balancekit DataLoader sampler shares: epochs, sharding across ranks and
mid-epoch resume.

An epoch's draw is a pure function of ``(seed, epoch)``, so every rank of a
distributed job derives the same draw without communicating and keeps its own shard,
following ``torch.utils.data.DistributedSampler``'s padding and ``drop_last`` rules.
Iteration hands the DataLoader a plain list iterator (no per-item Python overhead);
``state_dict`` reads how far it got from the iterator's remaining length, and carries a
fingerprint of the settings so that only a sampler drawing the same epoch can resume
it (``balancekit.torch._state``). Epoch sizes are checked before anything is drawn.
"""

from __future__ import annotations

import operator
import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch.distributed as dist
from torch.utils.data import get_worker_info

from balancekit._params import check_bool, check_int
from balancekit.torch._labels import EncodedLabels
from balancekit.torch._state import (
    checked_position,
    describe,
    labels_digest,
    make_state,
)

__all__ = [
    "MAX_EPOCH_ITEMS",
    "EpochDraws",
    "check_epoch_size",
    "check_replicas",
    "shard",
]

# An epoch is drawn whole, as NumPy arrays, and this rank's share is handed over as a
# Python list: about six int64 working arrays per drawn index, and a list slot plus an
# int object per index of the shard.
MAX_EPOCH_ITEMS = 2**31
_DRAW_BYTES_PER_ITEM = 48
_LIST_BYTES_PER_ITEM = 36
_GIB = 2**30


def memory_bound() -> int | None:
    """This machine's physical memory in bytes, or None where it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_epoch_size(n_items: int, per_rank: int, what: str, advice: str) -> None:
    """Refuse, before anything is allocated, an epoch of more than ``MAX_EPOCH_ITEMS``
    indices or whose draw would not fit in this machine's memory.

    ``what`` names the parameter and its value, ``advice`` what to do instead.
    """
    if n_items > MAX_EPOCH_ITEMS:
        raise ValueError(
            f"{what} makes an epoch of {n_items:,} indices, more than the limit of "
            f"{MAX_EPOCH_ITEMS:,} (2**31) indices per epoch. {advice}"
        )
    needed = n_items * _DRAW_BYTES_PER_ITEM + per_rank * _LIST_BYTES_PER_ITEM
    bound = memory_bound()
    if bound is not None and needed > bound:
        raise ValueError(
            f"{what} makes an epoch of {n_items:,} indices, whose draw needs about "
            f"{needed / _GIB:.1f} GiB, more than this machine's {bound / _GIB:.1f} GiB "
            f"of memory. {advice}"
        )


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
    as a NumPy array of indices or of index batches), ``_epoch_length(epoch)`` and
    ``_draw_settings()`` (a canonical text of every setting that decides the draw,
    apart from the seed and the sharding, which are added here), and set
    ``_state_kind``, the name saved states are checked against.
    """

    _state_kind: str
    _labels: EncodedLabels
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
        self.drop_last = check_bool(drop_last, "drop_last")
        self.epoch = 0
        self._resume_at = 0
        self._iterator: Iterator[Any] | None = None
        self._iterator_start = 0
        self._iterator_length = 0
        self._labels_text: dict[str, str] | None = None

    def _draw(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        raise NotImplementedError

    def _epoch_length(self, epoch: int) -> int:
        raise NotImplementedError

    def _draw_settings(self) -> dict[str, str]:
        raise NotImplementedError

    def _shard_length(self, epoch: int) -> int:
        return shard_length(
            self._epoch_length(epoch), self.num_replicas, self.drop_last
        )

    def _settings(self) -> dict[str, str]:
        """Everything apart from the seed that decides this rank's items."""
        return {
            **self._labels_settings(),
            **self._draw_settings(),
            "num_replicas": str(self.num_replicas),
            "rank": str(self.rank),
            "drop_last": str(self.drop_last),
        }

    def _labels_settings(self) -> dict[str, str]:
        # The labels never change after construction: describe them once (O(n)).
        cached: dict[str, str] | None = getattr(self, "_labels_text", None)
        if cached is None:
            cached = {
                "labels": f"digest {labels_digest(self._labels)}",
                "class_counts": describe(self._labels.class_counts),
            }
            self._labels_text = cached
        return cached

    def set_epoch(self, epoch: int) -> None:
        """Use the draw of ``epoch`` at the next iteration (call it every epoch).

        Moving to another epoch than the one a :meth:`load_state_dict` restored
        drops the resume point: the new epoch starts at its beginning.
        """
        epoch = check_int(epoch, "epoch", low=0)
        if epoch != self.epoch:
            self._resume_at = 0
            self._iterator = None
        self.epoch = epoch

    def epoch_draw(self, epoch: int | None = None) -> np.ndarray:
        """The whole draw of an epoch (every rank's share, before sharding)."""
        epoch = self.epoch if epoch is None else check_int(epoch, "epoch", low=0)
        return self._draw(np.random.default_rng([self.seed, epoch]), epoch)

    def __len__(self) -> int:
        return self._shard_length(self.epoch)

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

    def state_dict(self, consumed: int | None = None) -> dict[str, int | str]:
        """Where this rank is in the epoch, with a fingerprint of the settings.

        A flat dict of ints and strings: ``seed``, ``epoch``, ``yielded`` (items this
        rank has handed out in the epoch), the settings that decide the draw (the
        labels as a digest of every sample's class) and ``fingerprint``, a digest
        of them all. :meth:`load_state_dict` restores it only into a sampler built
        the same way.

        Parameters
        ----------
        consumed : int or None, default=None
            Items (batches for :class:`BalancedBatchSampler`) of this epoch that the
            training loop has actually used, counted from the start of the epoch.
            Default: all those the sampler has handed out. A ``DataLoader`` with
            ``num_workers > 0`` fetches ``prefetch_factor * num_workers`` batches
            ahead, so that count runs ahead of the loop and resuming from it skips
            the prefetched items: pass ``consumed=batches_done * batch_size``, or
            use torchdata's ``StatefulDataLoader``, which calls this method at the
            right moment itself and resumes exactly.

        Returns
        -------
        dict
            Ready for ``torch.save`` or ``json.dump``.

        Examples
        --------
        >>> from balancekit.torch import BalancedSampler
        >>> sampler = BalancedSampler([0] * 8 + [1] * 2, "balanced", seed=0)
        >>> items = iter(sampler)
        >>> first = [next(items) for _ in range(4)]
        >>> state = sampler.state_dict()
        >>> state["epoch"], state["yielded"], state["sampler"]
        (0, 4, 'BalancedSampler')
        >>> sampler.state_dict(consumed=2)["yielded"]  # the loop used only 2
        2
        """
        if get_worker_info() is not None:
            warnings.warn(
                "`state_dict()` was called in a DataLoader worker process, whose copy "
                "of the sampler is never iterated; call it on the sampler in the main "
                "process.",
                UserWarning,
                stacklevel=2,
            )
        yielded = self._yielded()
        if consumed is not None:
            consumed = check_int(consumed, "consumed", low=0)
            if consumed > yielded:
                raise ValueError(
                    f"`consumed` must be at most the {yielded} items this rank has "
                    f"handed out in epoch {self.epoch}; got {consumed}."
                )
            yielded = consumed
        return make_state(
            self._state_kind,
            self._settings(),
            seed=self.seed,
            epoch=self.epoch,
            yielded=yielded,
        )

    def load_state_dict(self, state_dict: dict[str, int | str]) -> None:
        """Resume: the next iteration continues the saved epoch where it stopped.

        Raises
        ------
        ValueError
            If the state was saved by a sampler that draws another epoch (another
            class, seed, labels, strategy, size, replacement, ``num_replicas``,
            ``rank`` or ``drop_last``: the message names which), or if its position
            is out of range. A state saved before states had a fingerprint loads with
            a ``UserWarning`` (its settings cannot be checked).
        TypeError
            If it is not a dict of ints and strings as :meth:`state_dict` returns.

        Examples
        --------
        >>> from balancekit.torch import BalancedSampler
        >>> labels = [0] * 8 + [1] * 2
        >>> sampler = BalancedSampler(labels, "balanced", seed=0)
        >>> items = iter(sampler)
        >>> first = [next(items) for _ in range(4)]
        >>> state = sampler.state_dict()
        >>> resumed = BalancedSampler(labels, "balanced", seed=0)
        >>> resumed.load_state_dict(state)
        >>> first + list(resumed) == list(sampler)
        True
        >>> other = BalancedSampler(labels, "balanced", seed=0, shuffle=False)
        >>> other.load_state_dict(state)
        Traceback (most recent call last):
        ...
        ValueError: `state_dict` was saved by a BalancedSampler with other settings, \
so resuming would repeat and skip indices: shuffle (saved True; this sampler False). \
Build the sampler exactly as it was when saved (the same labels in the same order, \
strategy, sizes, and num_replicas/rank: every rank loads the state it saved), or \
start the epoch afresh with `set_epoch()` instead of `load_state_dict()`.
        """
        epoch, yielded = checked_position(
            state_dict,
            kind=self._state_kind,
            seed=self.seed,
            settings=self._settings,
        )
        length = self._shard_length(epoch)
        if yielded > length:
            raise ValueError(
                f"`state_dict['yielded']` must be at most this rank's {length} items "
                f"of epoch {epoch}; got {yielded}. The state does not come from this "
                "sampler."
            )
        self.epoch = epoch
        self._resume_at = yielded
        self._iterator = None
