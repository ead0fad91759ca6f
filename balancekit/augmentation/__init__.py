"""Batch augmentation for imbalanced data: functional, on the input's device.

``mixup``, ``remix``, ``balanced_mixup``, ``smote_batch`` and ``gaussian_noise`` take
``(x, y)`` and return ``(x_new, y_soft)`` in the input's namespace and on its device.
``BatchAugment`` (a PyTorch ``collate_fn`` wrapper) imports torch only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from balancekit.augmentation._mixup import balanced_mixup, mixup, remix
from balancekit.augmentation._noise import gaussian_noise
from balancekit.augmentation._smote_batch import smote_batch

if TYPE_CHECKING:
    from balancekit.augmentation._torch import BatchAugment

__all__ = [
    "BatchAugment",
    "balanced_mixup",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]


def __getattr__(name: str) -> Any:
    if name == "BatchAugment":
        from balancekit.augmentation._torch import BatchAugment

        return BatchAugment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
