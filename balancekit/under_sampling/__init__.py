"""Under-samplers: remove rows from the classes that have too many."""

from balancekit.under_sampling._cluster_centroids import ClusterCentroids
from balancekit.under_sampling._condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
)
from balancekit.under_sampling._edited_nearest_neighbours import (
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from balancekit.under_sampling._instance_hardness_threshold import (
    InstanceHardnessThreshold,
)
from balancekit.under_sampling._nearmiss import NearMiss
from balancekit.under_sampling._neighbourhood_cleaning_rule import (
    NeighbourhoodCleaningRule,
)
from balancekit.under_sampling._one_sided_selection import OneSidedSelection
from balancekit.under_sampling._random_under_sampler import RandomUnderSampler
from balancekit.under_sampling._tomek_links import TomekLinks

__all__ = [
    "AllKNN",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
