"""balancekit: class-imbalance tools for NumPy, PyTorch, CuPy, JAX and TensorFlow data.

``import balancekit`` imports neither PyTorch, TensorFlow nor matplotlib; the framework
adapters (``balancekit.torch``, ``balancekit.tensorflow``) import theirs when imported.
"""

from balancekit._class_targets import ProgressiveSchedule, epoch_class_counts
from balancekit.augmentation import (
    balanced_mixup,
    gaussian_noise,
    mixup,
    remix,
    smote_batch,
)
from balancekit.combine import SMOTEENN, SMOTETomek
from balancekit.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from balancekit.under_sampling import (
    AllKNN,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)
from balancekit.utils import check_sampling_strategy, class_counts
from balancekit.weighting import (
    as_keras_class_weight,
    compute_class_weight,
    compute_sample_weight,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEENN",
    "SMOTEN",
    "SMOTENC",
    "AllKNN",
    "BorderlineSMOTE",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "ProgressiveSchedule",
    "RandomOverSampler",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "SMOTETomek",
    "TomekLinks",
    "__version__",
    "as_keras_class_weight",
    "balanced_mixup",
    "check_sampling_strategy",
    "class_counts",
    "compute_class_weight",
    "compute_sample_weight",
    "epoch_class_counts",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]
