"""What the SMOTE family shares: same-class neighbours, pair draws, interpolation.

A synthetic row is ``x_parent + step * (x_partner - x_parent)`` with ``step`` in [0, 1)
and the partner among the parent's k nearest same-class neighbours. Neighbours are found
and rows generated on the input's device; only the draws (O(n_new) numbers) come from
the host, and labels and weights of the new rows are taken from their parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import is_pandas, is_sparse, move_indices, take_rows
from balancekit._dask_route import has_dask
from balancekit._features import NumericFeatures, concat_rows, numeric_features
from balancekit._neighbors import (
    NearestNeighbors,
    check_enough_samples,
    check_neighbors_object,
    kneighbors_of,
)
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.base import BaseOverSampler, BaseSampler

__all__ = [
    "BaseSMOTE",
    "SyntheticRows",
    "count_other_class",
    "fit_neighbours",
    "interpolate",
    "neighbours_excluding_self",
]


@dataclass
class SyntheticRows:
    """The recipe of the synthetic rows: parents, partners (on the device) and steps.

    Row ``i`` of the output is ``X[parents[i]] + steps[i] * (X[partners[i]] -
    X[parents[i]])``.
    """

    parents: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    steps: list = field(default_factory=list)

    def add(self, parents: Array, partners: Array, steps: Array) -> None:
        """Record one batch; ``steps`` on the host (NumPy) or already on the device."""
        self.parents.append(parents)
        self.partners.append(partners)
        self.steps.append(steps)

    def concat(
        self, xp: ModuleType, device: Device, dtype: Any
    ) -> tuple[Any, Any, Any]:
        """All parents, partners and steps as three arrays on ``device``."""
        if not self.parents:
            empty = move_indices(np.empty(0, dtype=np.int64), xp, device)
            return empty, empty, xp.asarray(np.empty(0), dtype=dtype, device=device)
        if not all(isinstance(steps, np.ndarray) for steps in self.steps):
            # Some steps were computed on the device (Borderline-2 chooses them there).
            on_device = [xp.asarray(s, dtype=dtype, device=device) for s in self.steps]
            return (
                xp.concat(self.parents),
                xp.concat(self.partners),
                xp.concat(on_device),
            )
        # Host-drawn steps cross to the device once, all batches together.
        steps = np.concatenate(self.steps)
        return (
            xp.concat(self.parents),
            xp.concat(self.partners),
            xp.asarray(steps, dtype=dtype, device=device),
        )


class BaseSMOTE(BaseOverSampler):
    """Base of the SMOTE family. Not for direct use."""

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _check_params(self, data: Validated) -> None:
        check_neighbors_object("k_neighbors", self.k_neighbors, additional_neighbor=1)

    def fit(self, X: Array, y: Array) -> BaseSMOTE:
        """Validate the data (finite numbers) and resolve ``sampling_strategy_``."""
        if has_dask((X, y)):
            self._fit_dask(X, y)
            return self
        self._features(self._validate(X, y))
        return self

    def _fit_dask(self, X: Any, y: Any) -> None:
        """The checks and ``sampling_strategy_`` on Dask, without generating."""
        if type(self)._fit_resample_dask is BaseSampler._fit_resample_dask:
            super()._fit_dask(X, y)  # no Dask route: refused, naming the sampler
            return
        from balancekit.dask._smote import smote_fit_on_dask

        smote_fit_on_dask(self, X, y)

    def _same_class_neighbours(
        self, flat: Array, members: Array, cls: Any, xp: ModuleType, device: Device
    ) -> Any:
        """The k nearest same-class neighbours of each member, itself excluded.

        Returns positions into ``members``, shape (n_members, k), on ``device``.
        """
        points = take_rows(flat, members, xp)
        estimator = fit_neighbours("k_neighbors", self.k_neighbors, points, cls)
        return neighbours_excluding_self(estimator, points, "k_neighbors", xp, device)

    @staticmethod
    def _draw_pairs(
        neighbours: Array,
        members: Array,
        n_new: int,
        rng: np.random.Generator,
        xp: ModuleType,
        device: Device,
        weights: np.ndarray | None = None,
        partner_rows: Array = None,
    ) -> tuple[Any, Any]:
        """Draw ``n_new`` (parent, partner) pairs of global row indices.

        Parents are drawn uniformly, or with probability ``weights`` (host, per member);
        each partner uniformly among its parent's neighbours. Row ``i`` of
        ``neighbours`` belongs to ``members[i]``; its entries are positions into
        ``partner_rows`` (default: ``members``).
        """
        n_members, k = int(neighbours.shape[0]), int(neighbours.shape[1])
        if weights is None:
            # One draw over the n_members x k (parent, neighbour) grid: a uniform parent
            # and a uniform neighbour of it. Drawn on the host, so one seed gives the
            # same pairs on every library and device.
            flat_choice = rng.integers(0, n_members * k, size=n_new)
        else:
            rows = rng.choice(n_members, size=n_new, p=weights)
            # Weighted parents (e.g. ADASYN-style densities), uniform neighbour.
            flat_choice = rows * k + rng.integers(0, k, size=n_new)
        # Flat positions index the reshaped (n_members * k,) table: one 1-D take, as
        # the array API has no 2-D gather.
        choice = move_indices(flat_choice, xp, device)
        rows = choice // k
        partner_local = xp.take(xp.reshape(neighbours, (-1,)), choice, axis=0)
        parents = xp.take(members, rows, axis=0)
        if partner_rows is None:
            partner_rows = members
        partners = xp.take(partner_rows, partner_local, axis=0)
        return parents, partners

    def _generate(
        self, data: Validated, features: NumericFeatures, recipe: SyntheticRows
    ) -> tuple[Any, Any, Any]:
        """Interpolate the new rows and append them (and their labels and weights)."""
        xp, device = data.xp, data.device
        values = features.values
        parents, partners, steps = recipe.concat(xp, device, values.dtype)
        X_new = interpolate(values, parents, partners, steps, xp)
        X_res = features.to_container(concat_rows(values, X_new, xp))
        y_res = concat_rows(data.y, take_rows(data.y, parents, xp), xp)
        w_res = None
        if data.sample_weight is not None:
            w = data.sample_weight
            w = xp.astype(w.to_numpy() if is_pandas(w) else w, values.dtype)
            w_res = xp.concat([w, interpolate(w, parents, partners, steps, xp)])
        self.synthetic_parents_ = parents
        self.synthetic_partners_ = partners
        self.synthetic_steps_ = steps
        return X_res, y_res, w_res

    def _features(self, data: Validated) -> NumericFeatures:
        return numeric_features(data.X, data.xp, data.device)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def interpolate(
    values: Array, parents: Array, partners: Array, steps: Array, xp: ModuleType
):
    """``values[parents] + steps * (values[partners] - values[parents])``, row-wise."""
    if is_sparse(values):
        import scipy.sparse as sp

        # SciPy sparse rows cannot broadcast by a column of steps: scale the row
        # differences with a diagonal matrix instead.
        base = values[np.asarray(parents)]
        delta = values[np.asarray(partners)] - base
        return (base + sp.diags(np.asarray(steps)) @ delta).asformat(values.format)
    base = xp.take(values, parents, axis=0)
    new = xp.take(values, partners, axis=0)
    new -= base  # in place where the library allows it: two buffers, not four
    new *= xp.reshape(steps, (-1,) + (1,) * (values.ndim - 1))
    new += base
    return new


def fit_neighbours(name: str, value: Any, points: Array, cls: Any = None) -> Any:
    """A fresh neighbours object from parameter ``name``, fitted on ``points``.

    An int asks for ``value + 1`` neighbours (the query row comes back first), so
    ``points`` must hold more than ``value`` rows: the rows of class ``cls``, or of the
    whole of X when ``cls`` is None. The check is left to user objects otherwise.
    """
    estimator = check_neighbors_object(name, value, additional_neighbor=1)
    n_points = int(points.shape[0])
    if isinstance(estimator, NearestNeighbors):
        n_neighbors = estimator.n_neighbors - 1
        if cls is not None:
            check_enough_samples(name, n_neighbors, n_points, cls)
        elif n_neighbors >= n_points:
            raise ValueError(
                f"`{name}`={n_neighbors} needs at least {n_neighbors + 1} samples in "
                f"X, which has {n_points}. Lower `{name}` or gather more samples."
            )
    estimator.fit(points)
    return estimator


def neighbours_excluding_self(
    estimator: Any, query: Array, name: str, xp: ModuleType, device: Device
) -> Any:
    """The fitted rows nearest each query row, the first one (the row itself) dropped.

    Returns positions into the fitted points, shape (n_queries, k), on ``device``.
    """
    neighbours = kneighbors_of(estimator, query, name, xp, device)
    if neighbours.shape[1] < 2:
        raise ValueError(
            f"The `{name}` object must return at least 2 neighbours per row: the row "
            "itself and one or more neighbours."
        )
    # Queried on the fitted rows, each row is its own nearest (distance 0; a
    # duplicate of lower index may stand in for it, as in imbalanced-learn, which
    # changes no feature value).
    return neighbours[:, 1:]


def count_other_class(neighbours: Array, y: Array, cls: Any, xp: ModuleType) -> Any:
    """Per row of ``neighbours`` (global row indices), how many are not of ``cls``."""
    # Labels of all neighbours in one take on the flattened table, then reshaped.
    labels = xp.take(y, xp.reshape(neighbours, (-1,)), axis=0)
    other = xp.reshape(labels != cls, tuple(neighbours.shape))
    return xp.count_nonzero(other, axis=1)
