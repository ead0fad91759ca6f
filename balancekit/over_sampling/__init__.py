"""Over-samplers: add rows to the classes that have too few."""

from balancekit.over_sampling._adasyn import ADASYN
from balancekit.over_sampling._borderline_smote import BorderlineSMOTE
from balancekit.over_sampling._random_over_sampler import RandomOverSampler
from balancekit.over_sampling._smote import SMOTE
from balancekit.over_sampling._smoten import SMOTEN
from balancekit.over_sampling._smotenc import SMOTENC

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEN",
    "SMOTENC",
    "BorderlineSMOTE",
    "RandomOverSampler",
]
