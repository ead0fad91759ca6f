"""PyTorch adapter: balanced DataLoader samplers, a resampled Dataset,
imbalance-aware losses, a batch-augmentation collate function and the distributed
reduction of streaming metrics. Importing it imports torch."""

from balancekit.torch._batch_augment import BatchAugment
from balancekit.torch.datasets import ResampledDataset
from balancekit.torch.losses import (
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from balancekit.torch.metrics import all_reduce_
from balancekit.torch.samplers import BalancedBatchSampler, BalancedSampler

__all__ = [
    "BalancedBatchSampler",
    "BalancedSampler",
    "BalancedSoftmaxLoss",
    "BatchAugment",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "ResampledDataset",
    "all_reduce_",
]
