"""Class and sample weights: the re-weighting answer to imbalance."""

from balancekit.weighting._class_weight import (
    METHODS,
    as_keras_class_weight,
    compute_class_weight,
    compute_sample_weight,
)
from balancekit.weighting._pos_weight import POS_WEIGHT_METHODS, compute_pos_weight

__all__ = [
    "METHODS",
    "POS_WEIGHT_METHODS",
    "as_keras_class_weight",
    "compute_class_weight",
    "compute_pos_weight",
    "compute_sample_weight",
]
