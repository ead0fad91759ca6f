"""Combined samplers: over-sample with SMOTE, then clean the result."""

from balancekit.combine._smote_enn import SMOTEENN
from balancekit.combine._smote_tomek import SMOTETomek

__all__ = ["SMOTEENN", "SMOTETomek"]
