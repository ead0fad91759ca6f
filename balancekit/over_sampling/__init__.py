"""Over-samplers: add rows to the classes that have too few."""

from balancekit.over_sampling._random_over_sampler import RandomOverSampler
from balancekit.over_sampling._smote import SMOTE

__all__ = ["SMOTE", "RandomOverSampler"]
