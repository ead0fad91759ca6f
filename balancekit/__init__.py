"""balancekit: class-imbalance tools for NumPy, PyTorch, CuPy, JAX and TensorFlow data.

``import balancekit`` imports neither PyTorch, TensorFlow nor matplotlib; the framework
adapters (``balancekit.torch``, ``balancekit.tensorflow``) import theirs when imported.
The names below load on first use (PEP 562), so ``import balancekit`` and the
``balancekit`` command start fast; ``from balancekit import SMOTE`` works as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from balancekit._lazy import lazy_attributes

if TYPE_CHECKING:
    from balancekit._class_targets import ProgressiveSchedule, epoch_class_counts
    from balancekit._function_sampler import FunctionSampler
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
        SMOTEIPF,
        SMOTEN,
        SMOTENC,
        SVMSMOTE,
        BorderlineSMOTE,
        KMeansSMOTE,
        PolynomialFitSMOTE,
        ProWSyn,
        RandomOverSampler,
    )
    from balancekit.under_sampling import (
        AllKNN,
        ClusterCentroids,
        CondensedNearestNeighbour,
        EditedNearestNeighbours,
        InstanceHardnessThreshold,
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
        compute_pos_weight,
        compute_sample_weight,
    )

# Loaded on first use: importing the package stays fast (balancekit._lazy).
__getattr__, __dir__ = lazy_attributes(
    __name__,
    globals(),
    {
        "ProgressiveSchedule": "balancekit._class_targets",
        "FunctionSampler": "balancekit._function_sampler",
        "epoch_class_counts": "balancekit._class_targets",
        "balanced_mixup": "balancekit.augmentation",
        "gaussian_noise": "balancekit.augmentation",
        "mixup": "balancekit.augmentation",
        "remix": "balancekit.augmentation",
        "smote_batch": "balancekit.augmentation",
        "SMOTEENN": "balancekit.combine",
        "SMOTETomek": "balancekit.combine",
        "ADASYN": "balancekit.over_sampling",
        "SMOTE": "balancekit.over_sampling",
        "SMOTEN": "balancekit.over_sampling",
        "SMOTENC": "balancekit.over_sampling",
        "BorderlineSMOTE": "balancekit.over_sampling",
        "KMeansSMOTE": "balancekit.over_sampling",
        "PolynomialFitSMOTE": "balancekit.over_sampling",
        "ProWSyn": "balancekit.over_sampling",
        "SMOTEIPF": "balancekit.over_sampling",
        "SVMSMOTE": "balancekit.over_sampling",
        "RandomOverSampler": "balancekit.over_sampling",
        "AllKNN": "balancekit.under_sampling",
        "ClusterCentroids": "balancekit.under_sampling",
        "CondensedNearestNeighbour": "balancekit.under_sampling",
        "EditedNearestNeighbours": "balancekit.under_sampling",
        "InstanceHardnessThreshold": "balancekit.under_sampling",
        "NearMiss": "balancekit.under_sampling",
        "NeighbourhoodCleaningRule": "balancekit.under_sampling",
        "OneSidedSelection": "balancekit.under_sampling",
        "RandomUnderSampler": "balancekit.under_sampling",
        "RepeatedEditedNearestNeighbours": "balancekit.under_sampling",
        "TomekLinks": "balancekit.under_sampling",
        "check_sampling_strategy": "balancekit.utils",
        "class_counts": "balancekit.utils",
        "as_keras_class_weight": "balancekit.weighting",
        "compute_class_weight": "balancekit.weighting",
        "compute_pos_weight": "balancekit.weighting",
        "compute_sample_weight": "balancekit.weighting",
    },
)

__version__ = "0.1.0.dev0"

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEENN",
    "SMOTEIPF",
    "SMOTEN",
    "SMOTENC",
    "SVMSMOTE",
    "AllKNN",
    "BorderlineSMOTE",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "FunctionSampler",
    "InstanceHardnessThreshold",
    "KMeansSMOTE",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "PolynomialFitSMOTE",
    "ProWSyn",
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
    "compute_pos_weight",
    "compute_sample_weight",
    "epoch_class_counts",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]
