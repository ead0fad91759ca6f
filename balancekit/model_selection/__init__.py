"""Cross-validation for imbalanced data, as ``imblearn.model_selection``."""

from balancekit.model_selection._instance_hardness_cv import InstanceHardnessCV

__all__ = ["InstanceHardnessCV"]
