"""PyTorch adapter: balanced DataLoader samplers, a resampled Dataset and
imbalance-aware losses. Importing it imports torch."""

from balancekit.torch.datasets import ResampledDataset
from balancekit.torch.losses import (
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from balancekit.torch.samplers import BalancedBatchSampler, BalancedSampler

__all__ = [
    "BalancedBatchSampler",
    "BalancedSampler",
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "ResampledDataset",
]
