"""Under-samplers: remove rows from the classes that have too many."""

from balancekit.under_sampling._condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
)
from balancekit.under_sampling._nearmiss import NearMiss
from balancekit.under_sampling._random_under_sampler import RandomUnderSampler

__all__ = ["CondensedNearestNeighbour", "NearMiss", "RandomUnderSampler"]
