"""Under-samplers: remove rows from the classes that have too many."""

from balancekit.under_sampling._random_under_sampler import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
