"""Host-side bookkeeping of the resampling loops: label counts, bags, uniform rows.

The loops of MLROS, MLRUS and the label-powerset samplers only ever need each
combination's label set and how many of its rows are (still) there: O(n_combinations
x n_labels) numbers. A row drawn uniformly from the bag of label ``i`` is a draw
``u`` in ``[0, bag size)`` over the bag's rows listed by (combination id, row index),
located here as (combination, occurrence); the occurrences become row indices on the
device afterwards (``Combinations.rows``).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

__all__ = [
    "Bag",
    "RemovedOccurrences",
    "irlbl",
    "mean_ir",
]


def irlbl(label_counts: np.ndarray) -> np.ndarray:
    """``max(counts) / counts`` per label; inf for a label without rows.

    Examples
    --------
    >>> irlbl(np.array([3, 1, 2])).tolist()
    [1.0, 3.0, 1.5]
    """
    counts = np.asarray(label_counts, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return counts.max() / counts


def mean_ir(label_counts: np.ndarray) -> float:
    """MeanIR over the labels that have rows (as ``multilabel_imbalance`` does).

    Examples
    --------
    >>> round(mean_ir(np.array([3, 1, 2, 0])), 4)
    1.8333
    """
    counts = np.asarray(label_counts)
    present = counts > 0
    if not present.any():
        return math.nan
    return float(np.mean(irlbl(counts)[present]))


class Bag:
    """The rows of one label's bag, by combination: ``sizes[j]`` rows of
    combination ``members[j]`` (combinations in increasing id).

    Examples
    --------
    >>> table = np.array([[0, 1], [1, 0], [1, 1]], dtype=bool)
    >>> bag = Bag(table, np.array([4, 2, 3]), label=0)
    >>> bag.size, bag.locate(0), bag.locate(2)
    (5, (1, 0), (2, 0))
    """

    def __init__(
        self,
        table: np.ndarray,
        sizes: np.ndarray,
        label: int,
        allowed: np.ndarray | None = None,
    ) -> None:
        having = table[:, label]
        if allowed is not None:
            having = having & allowed
        self.members = np.flatnonzero(having)
        self.sizes = np.asarray(sizes, dtype=np.int64)[self.members].copy()

    @property
    def size(self) -> int:
        return int(self.sizes.sum())

    def locate(self, u: int) -> tuple[int, int]:
        """Combination id and occurrence (among the bag's rows of it) of row ``u``."""
        ends = np.cumsum(self.sizes)
        j = int(np.searchsorted(ends, u, side="right"))
        return int(self.members[j]), int(u - (ends[j] - self.sizes[j]))

    def remove(self, combination: int) -> None:
        """One row of ``combination`` has left the bag."""
        j = int(np.searchsorted(self.members, combination))
        if j < self.members.size and self.members[j] == combination:
            self.sizes[j] -= 1


class RemovedOccurrences:
    """Occurrences already removed from each combination (sorted lists).

    ``take(c, o)`` removes the ``o``-th still-present occurrence of combination ``c``
    (in row order) and returns its original occurrence number.

    Examples
    --------
    >>> removed = RemovedOccurrences()
    >>> removed.take(0, 1), removed.take(0, 1), removed.take(0, 0)
    (1, 2, 0)
    """

    def __init__(self) -> None:
        self.removed: dict[int, list[int]] = {}

    def take(self, combination: int, occurrence: int) -> int:
        gone = self.removed.setdefault(combination, [])
        # The smallest x with x - #(gone <= x) == occurrence and x not gone: the
        # fixed point of x = occurrence + #(gone <= x), reached from below.
        x = occurrence
        while True:
            shifted = occurrence + bisect.bisect_right(gone, x)
            if shifted == x:
                break
            x = shifted
        bisect.insort(gone, x)
        return x

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """All removed (combination, occurrence) pairs, by combination."""
        combos = [c for c, occ in sorted(self.removed.items()) for _ in occ]
        occurrences = [o for _, occ in sorted(self.removed.items()) for o in occ]
        return np.asarray(combos, dtype=np.int64), np.asarray(occurrences, np.int64)
