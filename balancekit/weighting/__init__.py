"""Class and sample weights: the re-weighting answer to imbalance."""

from balancekit.weighting._class_weight import (
    METHODS,
    as_keras_class_weight,
    compute_class_weight,
    compute_sample_weight,
)

__all__ = [
    "METHODS",
    "as_keras_class_weight",
    "compute_class_weight",
    "compute_sample_weight",
]
