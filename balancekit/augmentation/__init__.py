"""Batch augmentation for imbalanced data: functional, on the input's device.

``mixup``, ``remix``, ``balanced_mixup``, ``smote_batch`` and ``gaussian_noise`` take
``(x, y)`` and return ``(x_new, y_soft)`` in the input's namespace and on its device.
The PyTorch ``collate_fn`` wrapper is :class:`balancekit.torch.BatchAugment`;
``balancekit.augmentation.BatchAugment`` still reaches it, with a ``FutureWarning``.
"""

from __future__ import annotations

import warnings
from typing import Any

from balancekit.augmentation._mixup import balanced_mixup, mixup, remix
from balancekit.augmentation._noise import gaussian_noise
from balancekit.augmentation._smote_batch import smote_batch

__all__ = [
    "balanced_mixup",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]


def __getattr__(name: str) -> Any:
    if name == "BatchAugment":
        warnings.warn(
            "`balancekit.augmentation.BatchAugment` has moved to "
            "`balancekit.torch.BatchAugment` (it imports torch); import it from "
            "there. The old path will be removed in a future release.",
            FutureWarning,
            stacklevel=2,
        )
        from balancekit.torch import BatchAugment

        return BatchAugment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
