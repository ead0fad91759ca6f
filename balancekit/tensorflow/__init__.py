"""TensorFlow / Keras adapter: imbalance-aware Keras losses and batch augmentation
for tf.data pipelines. Importing it imports tensorflow and keras."""

from balancekit.tensorflow import augmentation
from balancekit.tensorflow.augmentation import augment_batches
from balancekit.tensorflow.losses import (
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)

__all__ = [
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "augment_batches",
    "augmentation",
]
