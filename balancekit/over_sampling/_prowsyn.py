"""ProWSyn: more synthetic rows near the class border, by proximity level.

A class's rows are peeled into proximity levels: level 1 holds the rows that are
among the ``n_neighbors`` nearest class rows of some row of another class; they are
set aside and the peeling repeats on the rest, up to ``n_levels`` levels (the last
one takes whatever remains). Level ``l`` gets a share ``exp(-theta (l - 1))`` of the
new rows, which are interpolated between random pairs of rows of the same level.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from balancekit._array_api import (
    bincount,
    class_indices,
    move_indices,
    take_rows,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._neighbors import NearestNeighbors
from balancekit._params import check_int, check_scalar
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import BaseSMOTE, SyntheticRows

__all__ = ["ProWSyn", "level_shares"]


@gathered_on_dask
class ProWSyn(BaseSMOTE):
    """Proximity Weighted Synthetic over-sampling (Barua et al., 2013).

    Ranked among the best over-samplers by Kovács (2019, 85 SMOTE variants on 104
    data sets). Each targeted class is partitioned by proximity to the other
    classes, and rows near the border get more synthetic rows:

    1. Level 1: for every row of another class, its ``n_neighbors`` nearest rows of
       the class; their union is level 1. Those rows are removed and the search
       repeats on the remaining class rows for levels 2, 3, ... up to
       ``n_levels - 1``; level ``n_levels`` takes the rows still left.
    2. Level ``l`` has weight ``exp(-theta * (l - 1))``; the class's new rows are
       shared between the levels in proportion to the weights (largest remainder,
       so the total is exact).
    3. Each new row of a level lies on the segment between two distinct random rows
       of that level, at a uniform random step in [0, 1).

    Neighbours are searched and rows generated on the input's device for NumPy,
    PyTorch, CuPy, JAX and array-api-strict arrays.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the
        majority to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    n_neighbors : int, default=5
        Number of nearest class rows each row of another class claims per level
        (fewer when fewer class rows remain).
    n_levels : int, default=5
        Number of proximity levels ``L`` (the paper's ``L``), at least 1.
    theta : float, default=1.0
        Smoothing of the level weights ``exp(-theta (l - 1))``: 0 shares the new
        rows equally between levels; larger values favour the border. At least 0.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples added.
    proximity_levels_ : dict
        Class to a list with, per level (level 1 first), the indices of its rows on
        the input's device. Empty levels (the class ran out of rows) are absent.
    level_counts_ : dict
        Class to the list of the number of new rows given to each level.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``), on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    Multiclass targets follow imbalanced-learn: each targeted class is partitioned
    against the rows of every other class. A level of one row gets copies of that
    row (no partner to interpolate towards). smote-variants runs ``L`` peeling
    rounds and puts the remaining rows at level ``L`` again; here (our reading of
    the paper's steps 3-4) ``L - 1`` rounds and the rest at level ``L``: the same
    partition as smote-variants with ``L - 1``. With ``sample_weight``, a new row
    gets its two rows' weights interpolated with the same step.

    References
    ----------
    S. Barua, M. M. Islam and K. Murase, "ProWSyn: Proximity Weighted Synthetic
    Oversampling Technique for Imbalanced Data Set Learning", PAKDD 2013, LNCS 7819,
    pp. 317-328.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.over_sampling import ProWSyn
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 2.0 * y[:, None]
    >>> sampler = ProWSyn(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [80, 80]
    >>> [len(rows) for rows in sampler.proximity_levels_[1]]
    [11, 8, 1]
    >>> sampler.level_counts_[1]
    [40, 15, 5]
    """

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("proximity_levels_",)

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        n_neighbors: int = 5,
        n_levels: int = 5,
        theta: float = 1.0,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_levels = n_levels
        self.theta = theta

    def _check_params(self, data: Validated) -> None:
        check_int(self.n_neighbors, "n_neighbors", low=1)
        check_int(self.n_levels, "n_levels", low=1)
        check_scalar(self.theta, "theta", low=0.0)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        flat, y = features.flat, data.labels.y
        n_neighbors = int(self.n_neighbors)
        theta = float(self.theta)
        recipe = SyntheticRows()
        self.proximity_levels_: dict = {}
        self.level_counts_: dict = {}
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            members = class_indices(y, cls, xp)
            others = xp.nonzero(y != cls)[0]
            levels = proximity_levels(
                flat, members, others, n_neighbors, int(self.n_levels), xp
            )
            sizes = [int(rows.shape[0]) for rows in levels]
            counts = level_shares(len(levels), int(n_new), theta)
            self.proximity_levels_[cls] = levels
            self.level_counts_[cls] = counts.tolist()
            for rows, size, n_level in zip(levels, sizes, counts, strict=True):
                if n_level == 0:
                    continue
                parents, partners = _pairs_within(
                    rows, size, int(n_level), rng, xp, device
                )
                recipe.add(parents, partners, rng.uniform(size=int(n_level)))
        return self._generate(data, features, recipe)


def proximity_levels(
    flat: Array,
    members: Array,
    others: Array,
    n_neighbors: int,
    n_levels: int,
    xp: ModuleType,
) -> list:
    """The class rows ``members`` peeled into proximity levels (device index arrays).

    Round ``l`` (of ``n_levels - 1``) fits the remaining class rows, queries every
    row of ``others`` for its ``min(n_neighbors, n_remaining)`` nearest of them, and
    moves the union of the answers to level ``l``; the rows left form the last
    level.
    """
    levels = []
    remaining = members
    query = take_rows(flat, others, xp)
    for _ in range(n_levels - 1):
        n_remaining = int(remaining.shape[0])
        if n_remaining == 0:
            break
        k = min(n_neighbors, n_remaining)
        estimator = NearestNeighbors(n_neighbors=k).fit(take_rows(flat, remaining, xp))
        claimed = estimator.kneighbors(query, return_distance=False)
        # A class row is in this level when any row of another class claimed it:
        # count the claims per row (on the device) rather than sort a union.
        hits = bincount(xp.reshape(claimed, (-1,)), n_remaining, None, xp) > 0
        levels.append(xp.take(remaining, xp.nonzero(hits)[0], axis=0))
        remaining = xp.take(remaining, xp.nonzero(~hits)[0], axis=0)
    if int(remaining.shape[0]) > 0:
        levels.append(remaining)
    return levels


def level_shares(n_levels: int, n_new: int, theta: float) -> np.ndarray:
    """New rows per level: ``n_new`` shared by ``exp(-theta (l - 1))``, exact total.

    The shares are floored and the rows left over go to the largest remainders
    (the lower level first among equal remainders).

    Examples
    --------
    >>> level_shares(3, 10, 0.0).tolist()
    [4, 3, 3]
    """
    if n_levels == 0:
        return np.zeros(0, dtype=np.int64)
    weights = np.exp(-theta * np.arange(n_levels, dtype=np.float64))
    exact = weights / weights.sum() * n_new
    counts = np.floor(exact).astype(np.int64)
    left = n_new - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:left]] += 1
    return counts


def _pairs_within(
    rows: Array,
    size: int,
    n_new: int,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
) -> tuple[Any, Any]:
    """``n_new`` pairs of distinct random rows of one level (global indices)."""
    first = rng.integers(0, size, size=n_new)
    if size == 1:
        second = first
    else:
        # A uniform pick among the size - 1 other rows: skip over the first one.
        second = rng.integers(0, size - 1, size=n_new)
        second = second + (second >= first)
    parents = xp.take(rows, move_indices(first, xp, device), axis=0)
    partners = xp.take(rows, move_indices(second, xp, device), axis=0)
    return parents, partners
