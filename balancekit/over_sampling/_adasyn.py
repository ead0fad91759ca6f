"""ADASYN: more synthetic rows where a class is harder to learn.

Each row of a class gets a share of the class's new rows in proportion to how many of
its ``n_neighbors`` nearest neighbours (over every class) belong to other classes; its
new rows lie on segments towards its same-class neighbours, as in SMOTE.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import class_indices, index_dtype, move_indices, take_rows
from balancekit._dask_route import dask_entry_point
from balancekit._neighbors import check_neighbors_object
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import (
    BaseSMOTE,
    SyntheticRows,
    count_other_class,
    fit_neighbours,
    neighbours_excluding_self,
)

__all__ = ["ADASYN"]


@dask_entry_point
class ADASYN(BaseSMOTE):
    """Adaptive Synthetic sampling (He et al., 2008).

    Like SMOTE, but a row of the class gets more new rows the more of its
    ``n_neighbors`` nearest neighbours (searched over every class) belong to other
    classes. A drop-in for ``imblearn.over_sampling.ADASYN`` that also runs on PyTorch,
    CuPy, JAX and array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to aim for, as for ``SMOTE``: ``"auto"`` grows every class but the
        majority towards the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    n_neighbors : int or object, default=5
        Number of neighbours that measure each row's difficulty and that new rows are
        interpolated towards (same class), or an object with ``fit`` and
        ``kneighbors`` whose ``kneighbors`` returns the row itself first.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples asked for. As in imbalanced-learn, each row's share
        is rounded (half to even), so the number added may differ slightly.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``), on the input's device. New rows are
        grouped by parent.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    Row ``i`` of a class that needs ``n_new`` rows gets ``round(n_new * r_i / sum(r))``
    of them, with ``r_i`` the fraction of its neighbours from other classes; the
    fractions are computed in float64 where the device has it, as imbalanced-learn
    does. A class whose rows have no neighbour of another class raises a
    ``RuntimeError`` (nothing to adapt to: use SMOTE). New rows take their parent's
    label. ``X`` may have more than two dimensions: distances use the flattened
    features and new rows keep the input's shape. With ``sample_weight``, a new row
    gets its parents' weights interpolated with the same step.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import ADASYN
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + y[:, None]
    >>> X_res, y_res = ADASYN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [80, 82]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        n_neighbors: Any = 5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def _check_params(self, data: Validated) -> None:
        check_neighbors_object("n_neighbors", self.n_neighbors, additional_neighbor=1)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._smote import smote_on_dask

        return smote_on_dask(self, X, y, sample_weight)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        flat, y = features.flat, data.labels.y
        recipe = SyntheticRows()
        all_rows_estimator = None
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            if all_rows_estimator is None:  # fitted once, on every row
                all_rows_estimator = fit_neighbours(
                    "n_neighbors", self.n_neighbors, flat
                )
            members = class_indices(y, cls, xp)
            points = take_rows(flat, members, xp)
            neighbours = neighbours_excluding_self(
                all_rows_estimator, points, "n_neighbors", xp, device
            )
            per_row = _rows_per_member(neighbours, y, cls, int(n_new), xp, device)
            # The shares are rounded per row, so their sum may differ from n_new (as in
            # imbalanced-learn): generate what the rounded shares say.
            n_generate = int(xp.sum(per_row))
            if n_generate == 0:
                raise ValueError(
                    f"ADASYN would add no sample to class {cls!r}: each row's share of "
                    f"the {int(n_new)} requested rounds to 0. Ask for more samples "
                    "(`sampling_strategy`) or use SMOTE."
                )
            # Difficulty was measured against every row; partners come from the own
            # class.
            estimator = fit_neighbours("n_neighbors", self.n_neighbors, points, cls)
            same_class = neighbours_excluding_self(
                estimator, points, "n_neighbors", xp, device
            )
            parents, partners = _pairs_per_member(
                same_class, members, per_row, n_generate, rng, xp, device
            )
            recipe.add(parents, partners, rng.uniform(size=n_generate))
        return self._generate(data, features, recipe)


def _ratio_dtype(xp: ModuleType, device: Device) -> Any:
    """float64 where the device supports it (imbalanced-learn's precision)."""
    info = xp.__array_namespace_info__()
    floats = info.dtypes(device=device, kind="real floating")
    return floats.get("float64", info.default_dtypes(device=device)["real floating"])


def _rows_per_member(
    neighbours: Array, y: Array, cls: Any, n_new: int, xp: ModuleType, device: Device
) -> Any:
    """How many new rows each member gets: ``n_new`` shared by difficulty, rounded.

    ``neighbours`` holds each member's nearest rows over every class (global indices).
    The shares are computed in imbalanced-learn's order of operations, so the rounded
    counts match its own.
    """
    n_other = count_other_class(neighbours, y, cls, xp)
    # float64 where available: float32 shares can round differently from
    # imbalanced-learn's and change the per-row counts.
    ratio = xp.astype(n_other, _ratio_dtype(xp, device)) / int(neighbours.shape[1])
    total = xp.sum(ratio)
    if not bool(total > 0):
        raise RuntimeError(
            f"ADASYN cannot weight class {cls!r}: none of its rows has a neighbour of "
            "another class among its `n_neighbors` nearest, so every share would be "
            "0/0. ADASYN does not suit this data set; use SMOTE instead."
        )
    return xp.astype(xp.round(ratio / total * n_new), index_dtype(xp, device))


def _pairs_per_member(
    neighbours: Array,
    members: Array,
    per_row: Array,
    n_generate: int,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
) -> tuple[Any, Any]:
    """Member ``i`` is the parent of ``per_row[i]`` rows, each with a random partner.

    ``neighbours`` holds positions into ``members``, shape (n_members, k); partners
    are drawn uniformly among them on the host and moved once.
    """
    n_members, k = int(neighbours.shape[0]), int(neighbours.shape[1])
    dtype = index_dtype(xp, device)
    # Parents in member order, each repeated by its share (imbalanced-learn's
    # np.repeat); only the partner column is random.
    rows = xp.repeat(xp.arange(n_members, dtype=dtype, device=device), per_row)
    cols = move_indices(rng.integers(0, k, size=n_generate), xp, device)
    # A flat position into the (n_members, k) table: the array API has no 2-D gather.
    partner_local = xp.take(xp.reshape(neighbours, (-1,)), rows * k + cols, axis=0)
    return xp.take(members, rows, axis=0), xp.take(members, partner_local, axis=0)
