"""PyTorch adapter: balanced DataLoader samplers (class-aware for multilabel), a
resampled Dataset,
imbalance-aware losses, a batch-augmentation collate function, the distributed
reduction of streaming metrics and :func:`monitor_epoch` (the minority monitor of a
hand-written training loop; ``balancekit.torch.lightning`` holds the Lightning
callback). Importing it imports torch, not lightning."""

from balancekit.torch._batch_augment import BatchAugment
from balancekit.torch._monitor import finish_epoch, monitor_epoch
from balancekit.torch.datasets import ResampledDataset
from balancekit.torch.losses import (
    AsymmetricLoss,
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    DistributionBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from balancekit.torch.metrics import all_reduce_
from balancekit.torch.samplers import (
    BalancedBatchSampler,
    BalancedSampler,
    MultilabelBalancedSampler,
)

__all__ = [
    "AsymmetricLoss",
    "BalancedBatchSampler",
    "BalancedSampler",
    "BalancedSoftmaxLoss",
    "BatchAugment",
    "ClassBalancedLoss",
    "DistributionBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "MultilabelBalancedSampler",
    "ResampledDataset",
    "all_reduce_",
    "finish_epoch",
    "monitor_epoch",
]
