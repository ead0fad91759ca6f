"""Class-balanced ``torch.utils.data`` samplers: any epoch size, fresh draws per epoch,
DistributedDataParallel shards and mid-epoch resume.

They draw classes first, then positions inside each class, on the host with NumPy:
O(num_samples) per epoch and no ``torch.multinomial`` limit of 2^24 categories (which
``WeightedRandomSampler`` hits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from torch.utils.data import Sampler

from balancekit._class_targets import (
    ProgressiveSchedule,
    SamplingMode,
    check_positive_int,
    epoch_class_counts,
)
from balancekit._params import check_bool
from balancekit.torch._epoch import EpochDraws, check_epoch_size, shard_length
from balancekit.torch._labels import EncodedLabels, encode_labels
from balancekit.torch._multilabel_sampler import MultilabelBalancedSampler
from balancekit.torch._state import describe

__all__ = ["BalancedBatchSampler", "BalancedSampler", "MultilabelBalancedSampler"]

# Above this many full passes over a class, draw the passes as one argsort of a
# (passes, class size) random matrix instead of one permutation per pass.
_LOOPED_PASSES = 16


def class_positions(
    rng: np.random.Generator, n_members: int, n_draws: int, replacement: bool
) -> np.ndarray:
    """``n_draws`` positions in [0, n_members).

    With replacement they are i.i.d. uniform; without, they run through random
    permutations of the class one after another, so no position repeats before every
    position has been drawn.
    """
    if replacement:
        return rng.integers(0, n_members, size=n_draws)
    passes, rest = divmod(n_draws, n_members)
    if passes > _LOOPED_PASSES:
        full = np.argsort(rng.random((passes, n_members)), axis=1).ravel()
    else:
        full = np.concatenate(
            [rng.permutation(n_members) for _ in range(passes)]
            or [np.empty(0, np.int64)]
        )
    partial = rng.choice(n_members, size=rest, replace=False)
    return np.concatenate([full, partial])


def _members(labels: EncodedLabels, cls: int, positions: np.ndarray) -> np.ndarray:
    start = labels.starts[cls]
    return labels.order[start + positions]


class BalancedSampler(EpochDraws, Sampler[int]):
    """Draw dataset indices so that each epoch has the class counts you ask for.

    Every epoch draws exactly ``epoch_counts(epoch)[c]`` indices of class ``c``
    (largest-remainder rounding of the strategy's proportions), in random order:
    classes first, then positions inside each class, uniformly with replacement or
    running through the class without. The draw is a pure function of ``(seed,
    epoch)``: call :meth:`set_epoch` at the start of every epoch for a fresh one.

    Parameters
    ----------
    labels : sequence, array, tensor or dataset
        One class label per dataset item, on any device (copied once to the host),
        or a dataset whose labels are its ``targets`` or ``labels`` attribute, the
        last tensor of a ``TensorDataset``, or those of a ``Subset``'s parent.
    sampling_strategy : str, float, dict, callable or ProgressiveSchedule, \
default="auto"
        imbalanced-learn's forms (``"auto"``, ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"``, a float ratio, ``{class: n_samples}``, a
        callable), read in ``mode``'s semantics; or a target distribution:
        ``"balanced"``, ``"sqrt"``, ``{class: probability}`` (floats summing to 1),
        or a :class:`balancekit.ProgressiveSchedule` from the natural to the
        balanced distribution over epochs.
    mode : {"over", "under"}, default="over"
        How imbalanced-learn's forms read: ``"over"`` as an over-sampler
        (``"auto"``: every class up to the majority count), ``"under"`` as an
        under-sampler (``"auto"``: every class down to the minority count).
    num_samples : int or None, default=None
        Indices per epoch over all ranks. Default: the strategy's total (the number
        of labels for a distribution).
    replacement : bool, default=True
        Draw positions inside a class with replacement; without, each class is run
        through in a random order before any of its indices repeats.
    seed : int, default=0
        Seed of the draws; must be the same on every rank.
    num_replicas, rank : int or None, default=None
        Distributed training: the number of processes and this one's rank. Default:
        those of the initialised ``torch.distributed`` process group (1 and 0
        without one). Each rank yields a disjoint, equally long shard.
    drop_last : bool, default=False
        With several replicas, drop the tail of the epoch so it splits evenly
        instead of padding it with indices from its start.
    shuffle : bool, default=True
        Yield the epoch in random order; ``False`` yields the drawn indices sorted.
    labels_fn : callable or None, default=None
        ``labels_fn(labels) -> labels``: how to get the labels from the dataset
        passed as ``labels``.

    Attributes
    ----------
    classes : tuple
        The sorted classes.
    class_counts : dict
        ``{class: count}`` in the labels.

    Raises
    ------
    ValueError
        If an epoch would hold more than 2**31 indices, or its draw would not fit
        in this machine's memory (checked before anything is drawn), or for bad
        labels or settings (the message names the parameter).

    Notes
    -----
    Resume: :meth:`state_dict` saves the position in the epoch with a fingerprint
    of every setting that decides the draw; :meth:`load_state_dict` refuses a state
    saved by a sampler built differently (naming what differs), since resuming it
    would repeat and skip indices. A plain ``DataLoader`` with ``num_workers > 0``
    fetches batches ahead of the training loop, so the sampler's own count runs
    ahead of what the loop used: use torchdata's
    ``torchdata.stateful_dataloader.StatefulDataLoader`` (exact, with or without
    workers), or pass ``state_dict(consumed=...)``.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from balancekit.torch import BalancedSampler
    >>> y = torch.tensor([0] * 90 + [1] * 10)
    >>> dataset = TensorDataset(torch.randn(100, 3), y)
    >>> sampler = BalancedSampler(y, "balanced", seed=0)
    >>> loader = DataLoader(dataset, batch_size=20, sampler=sampler)
    >>> sampler.set_epoch(0)
    >>> labels = torch.cat([batch_y for _, batch_y in loader])
    >>> torch.bincount(labels).tolist()
    [50, 50]
    """

    def __init__(
        self,
        labels: Any,
        sampling_strategy: Any = "auto",
        *,
        mode: SamplingMode = "over",
        num_samples: int | None = None,
        replacement: bool = True,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        shuffle: bool = True,
        labels_fn: Callable[[Any], Any] | None = None,
    ) -> None:
        self._labels = encode_labels(labels, labels_fn)
        self.sampling_strategy = sampling_strategy
        self.mode = mode
        self.num_samples = check_positive_int(
            num_samples, "num_samples", allow_none=True
        )
        self.replacement = check_bool(replacement, "replacement")
        self.shuffle = check_bool(shuffle, "shuffle")
        self._init_epochs(seed, num_replicas, rank, drop_last)
        if self.num_samples is not None:
            self._check_size(self.num_samples)
        self._fixed_counts: np.ndarray | None = None
        self._epoch_counts_text: str | None = None
        counts = self._resolve(0)
        self._check_size(int(counts.sum()))
        if not isinstance(sampling_strategy, ProgressiveSchedule):
            self._fixed_counts = counts

    _state_kind = "BalancedSampler"

    @property
    def classes(self) -> tuple:
        return self._labels.classes

    @property
    def class_counts(self) -> dict:
        return self._labels.class_counts

    def _check_size(self, n_items: int) -> None:
        what = (
            f"`num_samples`={self.num_samples}"
            if self.num_samples is not None
            else f"`sampling_strategy`={describe(self.sampling_strategy)} (mode="
            f"{self.mode!r})"
        )
        check_epoch_size(
            n_items,
            shard_length(n_items, self.num_replicas, self.drop_last),
            what,
            "Pass a smaller `num_samples` (e.g. the dataset's length) and train more "
            "epochs: `set_epoch` gives each a fresh draw.",
        )

    def _draw_settings(self) -> dict[str, str]:
        # The counts of a fixed strategy never change: describe them once (O(C)).
        counts_text: str | None = getattr(self, "_epoch_counts_text", None)
        if counts_text is None:
            fixed = self._fixed_counts
            counts_text = "per epoch" if fixed is None else describe(fixed.tolist())
            self._epoch_counts_text = counts_text
        return {
            "sampling_strategy": describe(self.sampling_strategy),
            "mode": describe(self.mode),
            "num_samples": describe(self.num_samples),
            "epoch_counts": counts_text,
            "replacement": describe(self.replacement),
            "shuffle": describe(self.shuffle),
        }

    def _resolve(self, epoch: int) -> np.ndarray:
        labels = None
        if callable(self.sampling_strategy) and not isinstance(
            self.sampling_strategy, ProgressiveSchedule
        ):
            labels = np.asarray(self.classes)[self._labels.codes()]
        counts = epoch_class_counts(
            self.sampling_strategy,
            self.class_counts,
            mode=self.mode,
            num_samples=self.num_samples,
            epoch=epoch,
            labels=labels,
        )
        if int(counts.sum()) == 0:
            raise ValueError(
                "`sampling_strategy` leaves no sample to draw in an epoch; ask for at "
                "least one."
            )
        return counts

    def epoch_counts(self, epoch: int | None = None) -> dict:
        """``{class: samples drawn}`` in the epoch (every rank's share together)."""
        epoch = self.epoch if epoch is None else epoch
        counts = self._counts(epoch)
        return dict(zip(self.classes, counts.tolist(), strict=True))

    def _counts(self, epoch: int) -> np.ndarray:
        return (
            self._fixed_counts
            if self._fixed_counts is not None
            else self._resolve(epoch)
        )

    def _epoch_length(self, epoch: int) -> int:
        return int(self._counts(epoch).sum())

    def _draw(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        labels = self._labels
        counts = self._counts(epoch)
        self._check_size(int(counts.sum()))
        parts = [
            _members(
                labels, cls, class_positions(rng, int(n), int(m), self.replacement)
            )
            for cls, (n, m) in enumerate(zip(labels.counts, counts, strict=True))
        ]
        drawn = np.concatenate(parts)
        if not self.shuffle:
            drawn.sort()
            return drawn
        if self.replacement:
            rng.shuffle(drawn)
            return drawn
        # Keep each class's draws in order (its passes one after another) and shuffle
        # only which class comes at each position.
        code_type = np.uint16 if counts.shape[0] <= 1 << 16 else np.uint32
        sequence = np.repeat(np.arange(counts.shape[0], dtype=code_type), counts)
        rng.shuffle(sequence)
        out = np.empty_like(drawn)
        out[np.argsort(sequence, kind="stable")] = drawn
        return out


class BalancedBatchSampler(EpochDraws, Sampler[list[int]]):
    """Batches with ``n_samples_per_class`` items of each of ``n_classes_per_batch``
    classes (metric learning, few-shot episodes).

    Each batch picks its classes uniformly without replacement among all classes,
    then takes ``n_samples_per_class`` items of each, grouped by class. Without
    replacement, every class is run through in random order before any of its items
    repeats (across the batches of an epoch). Epochs, distributed shards (of whole
    batches) and resume work as in :class:`BalancedSampler`. Pass it as a
    DataLoader's ``batch_sampler``.

    Parameters
    ----------
    labels : sequence, array, tensor or dataset
        As in :class:`BalancedSampler`.
    n_classes_per_batch : int
        Classes in each batch, at most the number of classes.
    n_samples_per_class : int
        Items of each chosen class in each batch.
    num_batches : int or None, default=None
        Batches per epoch over all ranks. Default: ``len(labels) // batch_size``
        (at least 1).
    replacement : bool, default=False
        Draw items inside a class with replacement. Without, every class needs at
        least ``n_samples_per_class`` items.
    seed, num_replicas, rank, drop_last, labels_fn
        As in :class:`BalancedSampler` (sharding is over batches).

    Raises
    ------
    ValueError
        If ``num_batches`` times the batch size exceeds 2**31 indices or the draw
        would not fit in this machine's memory (checked at construction), or for
        bad labels or settings.

    Notes
    -----
    Resume as in :class:`BalancedSampler`, counted in batches: a state is refused
    by a sampler built differently, and by a :class:`BalancedSampler`.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch import BalancedBatchSampler
    >>> y = torch.tensor([0] * 50 + [1] * 30 + [2] * 20)
    >>> sampler = BalancedBatchSampler(y, 2, 4, seed=0)
    >>> batch = next(iter(sampler))
    >>> len(sampler), len(batch), sorted(torch.bincount(y[batch]).tolist())
    (12, 8, [0, 4, 4])
    """

    def __init__(
        self,
        labels: Any,
        n_classes_per_batch: int,
        n_samples_per_class: int,
        *,
        num_batches: int | None = None,
        replacement: bool = False,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        labels_fn: Callable[[Any], Any] | None = None,
    ) -> None:
        self._labels = encode_labels(labels, labels_fn)
        n_classes = len(self._labels.classes)
        self.n_classes_per_batch = check_positive_int(
            n_classes_per_batch, "n_classes_per_batch"
        )
        self.n_samples_per_class = check_positive_int(
            n_samples_per_class, "n_samples_per_class"
        )
        if self.n_classes_per_batch > n_classes:
            raise ValueError(
                f"`n_classes_per_batch` must be at most the number of classes, "
                f"{n_classes}; got {self.n_classes_per_batch}."
            )
        self.replacement = check_bool(replacement, "replacement")
        if not self.replacement:
            small = [
                cls
                for cls, n in self._labels.class_counts.items()
                if n < self.n_samples_per_class
            ]
            if small:
                raise ValueError(
                    f"Classes {small} have fewer than n_samples_per_class="
                    f"{self.n_samples_per_class} items, so a batch cannot hold that "
                    "many distinct ones; pass `replacement=True` or a smaller "
                    "`n_samples_per_class`."
                )
        default = max(int(self._labels.counts.sum()) // self.batch_size, 1)
        self.num_batches = (
            default
            if num_batches is None
            else check_positive_int(num_batches, "num_batches")
        )
        self._init_epochs(seed, num_replicas, rank, drop_last)
        self._check_size(given=num_batches is not None)

    _state_kind = "BalancedBatchSampler"

    def _check_size(self, *, given: bool = True) -> None:
        shape = (
            f"batches of {self.batch_size} (n_classes_per_batch="
            f"{self.n_classes_per_batch} x n_samples_per_class="
            f"{self.n_samples_per_class})"
        )
        what = (
            f"`num_batches`={self.num_batches} {shape}"
            if given
            else f"{self.num_batches} {shape} (the default `num_batches`)"
        )
        per_rank = shard_length(self.num_batches, self.num_replicas, self.drop_last)
        check_epoch_size(
            self.num_batches * self.batch_size,
            per_rank * self.batch_size,
            what,
            "Pass fewer `num_batches` (or smaller batches) and train more epochs: "
            "`set_epoch` gives each a fresh draw.",
        )

    def _draw_settings(self) -> dict[str, str]:
        return {
            "n_classes_per_batch": describe(self.n_classes_per_batch),
            "n_samples_per_class": describe(self.n_samples_per_class),
            "num_batches": describe(self.num_batches),
            "replacement": describe(self.replacement),
        }

    @property
    def batch_size(self) -> int:
        """Items per batch: ``n_classes_per_batch * n_samples_per_class``."""
        return self.n_classes_per_batch * self.n_samples_per_class

    @property
    def classes(self) -> tuple:
        return self._labels.classes

    def _epoch_length(self, epoch: int) -> int:
        return self.num_batches

    def _batch_classes(self, rng: np.random.Generator) -> np.ndarray:
        """(num_batches, n_classes_per_batch) distinct classes per batch."""
        n_classes = len(self.classes)
        rows_per_block = max(1, (1 << 22) // n_classes)
        blocks = []
        for start in range(0, self.num_batches, rows_per_block):
            rows = min(rows_per_block, self.num_batches - start)
            keys = rng.random((rows, n_classes))
            picked = np.argpartition(keys, self.n_classes_per_batch - 1, axis=1)
            # A copy: a view would keep the whole (rows, n_classes) block alive.
            blocks.append(picked[:, : self.n_classes_per_batch].copy())
        return np.concatenate(blocks, axis=0)

    def _draw(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        self._check_size()
        labels, per_class = self._labels, self.n_samples_per_class
        chosen = self._batch_classes(rng).ravel()
        # The k-th time class c is chosen, it takes items k*m .. k*m + m - 1 of its
        # own stream of draws.
        times_chosen = np.bincount(chosen, minlength=len(self.classes))
        streams = [
            _members(
                labels,
                cls,
                class_positions(rng, int(n), int(t) * per_class, self.replacement),
            )
            for cls, (n, t) in enumerate(zip(labels.counts, times_chosen, strict=True))
        ]
        stream_starts = np.concatenate(([0], np.cumsum(times_chosen * per_class)))
        order = np.argsort(chosen, kind="stable")
        occurrence = np.empty_like(order)
        class_first = np.concatenate(([0], np.cumsum(times_chosen)[:-1]))
        occurrence[order] = np.arange(order.shape[0]) - class_first[chosen[order]]
        first = stream_starts[chosen] + occurrence * per_class
        slots = first[:, None] + np.arange(per_class)
        items = np.concatenate(streams)[slots]
        return items.reshape(self.num_batches, self.batch_size)
