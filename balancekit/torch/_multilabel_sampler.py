"""Class-aware sampling for multilabel data (Shen, Lin and Huang 2016): a
``torch.utils.data`` sampler that picks a label, then a row that has it.

The draw itself is :mod:`balancekit._class_aware_draws` (host NumPy, shared with
tf.data); epochs, DDP shards and resume are :class:`balancekit.torch._epoch.EpochDraws`,
as for :class:`balancekit.torch.BalancedSampler`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from balancekit._class_aware_draws import (
    class_aware_draw,
    label_probabilities,
    label_rows,
)
from balancekit._class_targets import check_positive_int
from balancekit._params import check_bool
from balancekit.torch._epoch import EpochDraws, check_epoch_size, shard_length
from balancekit.torch._labels import _from_dataset, host_labels
from balancekit.torch._state import describe

__all__ = ["MultilabelBalancedSampler"]


def _host_indicator(labels: Any, labels_fn: Callable[[Any], Any] | None) -> Any:
    """The labels (or a dataset's) as a host NumPy array, copied once."""
    if labels_fn is not None:
        if not callable(labels_fn):
            raise TypeError(
                f"`labels_fn` must be callable; got {type(labels_fn).__name__}."
            )
        labels = labels_fn(labels)
        if labels is None:
            raise TypeError(
                "`labels_fn` returned None; it must return the labels, an "
                "(n_samples, n_labels) 0/1 indicator."
            )
    elif isinstance(labels, Dataset) and not isinstance(labels, torch.Tensor):
        labels = _from_dataset(labels)
    return host_labels(labels)


class MultilabelBalancedSampler(EpochDraws, Sampler[int]):
    """Class-aware sampling for multilabel data: each draw picks a label, then a
    row that has it (Shen, Lin and Huang 2016).

    Labels are picked by ``label_distribution``: in every epoch label ``c`` is
    picked ``num_samples * p_c`` times, rounded down or up at random (so the mix
    is exact whatever the epoch size). Each pick then draws a row with that label,
    uniformly with replacement, or without: running through the label's rows in a
    random order before any repeats (the paper's per-label shuffled lists, restarted
    every epoch). A row with several labels can be drawn through each of them; a
    row with no label is never drawn. The draw is a pure function of ``(seed,
    epoch)``: call :meth:`set_epoch` at the start of every epoch for a fresh one.

    Parameters
    ----------
    labels : array, tensor or dataset
        An ``(n_samples, n_labels)`` 0/1 indicator (integers, booleans or floats)
        on any device (copied once to the host), or a dataset whose labels are its
        ``targets`` or ``labels`` attribute, the last tensor of a
        ``TensorDataset``, or those of a ``Subset``'s parent.
    label_distribution : {"uniform", "sqrt", "natural"} or sequence of float, \
default="uniform"
        How labels are picked: ``p_c`` proportional to 1 (the paper's class-aware
        sampling), to ``sqrt(n_c)`` or to ``n_c`` (``n_c`` the rows with label
        ``c``), or ``n_labels`` probabilities summing to 1. A label with no row
        must get no weight.
    num_samples : int or None, default=None
        Indices per epoch over all ranks. Default: the number of rows.
    replacement : bool, default=True
        Draw a label's rows with replacement; without, each label's rows are run
        through in a random order before any of them repeats.
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
        ``labels_fn(labels) -> labels``: how to get the indicator from the dataset
        passed as ``labels``.

    Attributes
    ----------
    n_labels : int
        Columns of the indicator.
    label_counts : numpy.ndarray of int64
        Rows with each label.
    label_probabilities : numpy.ndarray of float64
        The probability of picking each label.
    n_unlabelled : int
        Rows with no label, which are never drawn.

    Raises
    ------
    ValueError
        If the labels are not a 0/1 indicator, if ``label_distribution`` gives
        weight to a label no row has (the message lists them), if an epoch would
        hold more than 2**31 indices or not fit in memory, or for bad settings (the
        message names the parameter).

    See Also
    --------
    balancekit.torch.BalancedSampler : One class label per sample.

    Notes
    -----
    Resume as in :class:`balancekit.torch.BalancedSampler`: :meth:`state_dict`
    saves the position in the epoch with a fingerprint of the settings (the
    indicator as a digest), and :meth:`load_state_dict` refuses a state saved by a
    sampler that draws another epoch. The same draw plan is used by
    :func:`balancekit.tensorflow.rebalance` for multilabel labels.

    References
    ----------
    L. Shen, Z. Lin and Q. Huang, "Relay Backpropagation for Effective Learning of
    Deep Convolutional Neural Networks", ECCV 2016.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.samplers import MultilabelBalancedSampler
    >>> y = torch.zeros(100, 3)
    >>> y[:, 0] = 1  # label 0 on every row
    >>> y[:10, 1] = 1
    >>> y[95:, 2] = 1
    >>> sampler = MultilabelBalancedSampler(y, seed=0, num_samples=300)
    >>> drawn = y[list(sampler)]
    >>> len(sampler), (drawn.sum(0) >= 100).tolist()
    (300, [True, True, True])
    >>> sampler.label_probabilities.round(3).tolist()
    [0.333, 0.333, 0.333]
    """

    _state_kind = "MultilabelBalancedSampler"

    def __init__(
        self,
        labels: Any,
        label_distribution: Any = "uniform",
        *,
        num_samples: int | None = None,
        replacement: bool = True,
        seed: int = 0,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        shuffle: bool = True,
        labels_fn: Callable[[Any], Any] | None = None,
    ) -> None:
        self._rows = label_rows(_host_indicator(labels, labels_fn))
        self.label_distribution = label_distribution
        self._probabilities = label_probabilities(label_distribution, self._rows.counts)
        self.num_samples = check_positive_int(
            num_samples, "num_samples", allow_none=True
        )
        self.replacement = check_bool(replacement, "replacement")
        self.shuffle = check_bool(shuffle, "shuffle")
        self._init_epochs(seed, num_replicas, rank, drop_last)
        self._check_size()

    @property
    def n_labels(self) -> int:
        return self._rows.n_labels

    @property
    def label_counts(self) -> np.ndarray:
        return self._rows.counts

    @property
    def label_probabilities(self) -> np.ndarray:
        return self._probabilities.copy()

    @property
    def n_unlabelled(self) -> int:
        return self._rows.n_unlabelled

    def _epoch_length(self, epoch: int) -> int:
        return self._rows.n_samples if self.num_samples is None else self.num_samples

    def _check_size(self) -> None:
        n_items = self._epoch_length(0)
        check_epoch_size(
            n_items,
            shard_length(n_items, self.num_replicas, self.drop_last),
            f"`num_samples`={n_items}",
            "Pass a smaller `num_samples` (e.g. the dataset's length) and train more "
            "epochs: `set_epoch` gives each a fresh draw.",
        )

    def _labels_settings(self) -> dict[str, str]:
        # The labels never change after construction: describe them once (O(nnz)).
        cached: dict[str, str] | None = getattr(self, "_labels_text", None)
        if cached is None:
            cached = {
                "labels": f"digest {self._rows.digest()}",
                "label_counts": describe(self._rows.counts.tolist()),
            }
            self._labels_text = cached
        return cached

    def _draw_settings(self) -> dict[str, str]:
        distribution = self.label_distribution
        if not isinstance(distribution, str):
            distribution = "a sequence"
        return {
            "label_distribution": describe(distribution),
            "label_probabilities": describe(self._probabilities.tolist()),
            "num_samples": describe(self.num_samples),
            "replacement": describe(self.replacement),
            "shuffle": describe(self.shuffle),
        }

    def _draw(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        return class_aware_draw(
            self._rows,
            self._probabilities,
            self._epoch_length(epoch),
            rng,
            replacement=self.replacement,
            shuffle=self.shuffle,
        ).indices
