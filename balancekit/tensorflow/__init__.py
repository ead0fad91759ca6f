"""TensorFlow / Keras adapter: tf.data rebalancing, per-element sample weights,
resampled in-memory datasets, imbalance-aware Keras losses and batch augmentation.
Importing it imports tensorflow and keras."""

from balancekit.tensorflow import augmentation, metrics
from balancekit.tensorflow._batch_generator import balanced_batch_generator
from balancekit.tensorflow._monitor_callback import MinorityMonitorCallback
from balancekit.tensorflow.augmentation import augment_batches
from balancekit.tensorflow.balanced_dataset import balanced_dataset
from balancekit.tensorflow.losses import (
    AsymmetricLoss,
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    DistributionBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from balancekit.tensorflow.rebalance import count_classes, rebalance
from balancekit.tensorflow.weights import with_sample_weights

__all__ = [
    "AsymmetricLoss",
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "DistributionBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "MinorityMonitorCallback",
    "augment_batches",
    "augmentation",
    "balanced_batch_generator",
    "balanced_dataset",
    "count_classes",
    "metrics",
    "rebalance",
    "with_sample_weights",
]
