"""A PyTorch batch transform usable as (or inside) a DataLoader ``collate_fn``.

Public as ``balancekit.torch.BatchAugment`` (importing ``balancekit.torch`` imports
torch). ``balancekit.augmentation.BatchAugment`` still reaches it, with a
``FutureWarning``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import default_collate

from balancekit._random import RandomStateLike, check_random_state

__all__ = ["BatchAugment"]


class BatchAugment:
    """Apply a balancekit augmentation function to a collated batch.

    Parameters
    ----------
    fn : callable
        An augmentation function such as :func:`balancekit.augmentation.mixup`,
        called as ``fn(x, y, num_classes=num_classes, random_state=rng, **kwargs)``.
    num_classes : int
        Number of classes C >= 2.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of one Generator kept by the transform, so every batch gets fresh draws
        and the sequence of batches is reproducible.
    **kwargs
        Further keyword arguments of ``fn`` (``alpha=``, ``kappa=``, ...).

    Examples
    --------
    >>> import torch
    >>> from balancekit.augmentation import mixup
    >>> from balancekit.torch import BatchAugment
    >>> augment = BatchAugment(mixup, num_classes=2, alpha=0.4, random_state=0)
    >>> pairs = [(torch.ones(3), 0), (torch.zeros(3), 1)]
    >>> x_new, y_soft = augment(pairs)
    >>> tuple(x_new.shape), tuple(y_soft.shape)
    ((2, 3), (2, 2))
    """

    def __init__(
        self,
        fn: Callable[..., tuple[torch.Tensor, torch.Tensor]],
        num_classes: int,
        *,
        random_state: RandomStateLike = None,
        **kwargs: Any,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"`fn` must be callable; got {type(fn).__name__}.")
        self.fn = fn
        self.num_classes = num_classes
        self.kwargs = kwargs
        self._rng = check_random_state(random_state)

    def __call__(self, batch: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Collate ``batch`` if needed and return ``(x_new, y_soft)``.

        ``batch`` is either a list of ``(x, y)`` samples (what a DataLoader passes to
        its ``collate_fn``) or a pair ``(x, y)`` of already stacked tensors.
        """
        if (
            isinstance(batch, tuple | list)
            and len(batch) == 2
            and all(isinstance(part, torch.Tensor) for part in batch)
            and batch[0].ndim >= 1
            and batch[1].ndim >= 1
            and batch[0].shape[0] == batch[1].shape[0]
        ):
            x, y = batch
        elif isinstance(batch, list | tuple) and batch:
            x, y = default_collate(list(batch))
        else:
            raise TypeError(
                "`batch` must be a non-empty list of (x, y) samples or a pair of "
                f"stacked tensors (x, y); got {type(batch).__name__}."
            )
        return self.fn(
            x, y, num_classes=self.num_classes, random_state=self._rng, **self.kwargs
        )
