"""Over-samplers: add rows to the classes that have too few."""

from balancekit.over_sampling._random_over_sampler import RandomOverSampler

__all__ = ["RandomOverSampler"]
