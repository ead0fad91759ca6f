"""Borderline-SMOTE: synthetic rows grown only from the class rows in danger.

A row is *in danger* when at least half, but not all, of its ``m_neighbors`` nearest
neighbours (over every class) belong to other classes: it sits on the class border.
Only those rows become parents; partners are among their ``k_neighbors`` nearest rows
of the same class ("borderline-1") or of any class ("borderline-2", where a partner of
another class gets a step below 0.5, so the new row stays nearer its parent).
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from balancekit._array_api import class_indices, index_dtype, take_rows
from balancekit._dask_route import dask_entry_point
from balancekit._neighbors import check_neighbors_object
from balancekit._params import check_choice
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit._warnings import user_stacklevel
from balancekit.over_sampling._smote_base import (
    BaseSMOTE,
    SyntheticRows,
    count_other_class,
    fit_neighbours,
    neighbours_excluding_self,
)

__all__ = ["BorderlineSMOTE"]

_KINDS = ("borderline-1", "borderline-2")


@dask_entry_point
class BorderlineSMOTE(BaseSMOTE):
    """Borderline-SMOTE (Han et al., 2005): SMOTE from the rows on the class border.

    Only rows *in danger* are interpolated from: rows whose ``m_neighbors`` nearest
    neighbours (searched over every class) are at least half, but not all, of other
    classes. Rows deep inside their class are safe and rows surrounded by other classes
    are noise; neither is used. A drop-in for
    ``imblearn.over_sampling.BorderlineSMOTE`` that also runs on PyTorch, CuPy, JAX and
    array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the majority
        to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    k_neighbors : int or object, default=5
        Number of neighbours to interpolate towards (same class for
        ``"borderline-1"``, any class for ``"borderline-2"``), or an object with
        ``fit`` and ``kneighbors`` whose ``kneighbors`` returns the row itself first.
    m_neighbors : int or object, default=10
        Number of neighbours, over every class, that decide whether a row is in
        danger, or such an object.
    kind : {"borderline-1", "borderline-2"}, default="borderline-1"
        ``"borderline-1"`` interpolates towards same-class neighbours with a step in
        [0, 1). ``"borderline-2"`` takes the neighbours among all rows; towards a row of
        another class the step is ``u * v`` with ``u`` in [0, 1) and ``v`` in [0, 0.5).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples asked for. A class with no row in danger gets none
        (a warning says so), as in imbalanced-learn.
    in_danger_indices : dict
        Class to the indices of its rows in danger (the parents), on the input's
        device. Classes without such rows are absent.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``), on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    New rows take their parent's label. ``X`` may have more than two dimensions:
    distances use the flattened features and new rows keep the input's shape. With
    ``sample_weight``, a new row gets its parents' weights interpolated with the same
    step.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import BorderlineSMOTE
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + y[:, None]
    >>> sampler = BorderlineSMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [80, 80]
    >>> bool(np.isin(sampler.synthetic_parents_, sampler.in_danger_indices[1]).all())
    True
    """

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("in_danger_indices",)

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 5,
        m_neighbors: Any = 10,
        kind: str = "borderline-1",
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.m_neighbors = m_neighbors
        self.kind = kind

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_neighbors_object("m_neighbors", self.m_neighbors, additional_neighbor=1)
        check_choice(self.kind, "kind", _KINDS)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._smote import smote_on_dask

        return smote_on_dask(self, X, y, sample_weight)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        flat, y = features.flat, data.labels.y
        recipe = SyntheticRows()
        self.in_danger_indices: dict = {}
        m_estimator = None
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            if m_estimator is None:  # fitted once, on every row
                m_estimator = fit_neighbours("m_neighbors", self.m_neighbors, flat)
            members = class_indices(y, cls, xp)
            danger = _in_danger(m_estimator, flat, y, members, cls, xp, device)
            if int(danger.shape[0]) == 0:
                _warn_no_danger(cls)
                continue
            self.in_danger_indices[cls] = danger
            parents, partners = self._draw_border_pairs(
                flat, members, danger, cls, int(n_new), rng, xp, device
            )
            # Steps after the pairs, in a fixed order: one seed, the same rows
            # everywhere.
            steps = rng.uniform(size=int(n_new))
            if self.kind == "borderline-2":
                other_class = xp.take(y, partners, axis=0) != cls
                steps = _shrink_towards_other_classes(
                    steps, other_class, rng, xp, device, features.values.dtype
                )
            recipe.add(parents, partners, steps)
        return self._generate(data, features, recipe)

    def _draw_border_pairs(
        self,
        flat: Array,
        members: Array,
        danger: Array,
        cls: Any,
        n_new: int,
        rng: np.random.Generator,
        xp: ModuleType,
        device: Device,
    ) -> tuple[Any, Any]:
        """(parent, partner) pairs: a row in danger and one of its k neighbours."""
        # Borderline-1 interpolates towards rows of the own class only; borderline-2
        # towards any row (its steps towards another class are then shrunk below 0.5,
        # so the new row stays nearer the row in danger).
        if self.kind == "borderline-1":
            candidates = members
            points = take_rows(flat, members, xp)
            estimator = fit_neighbours("k_neighbors", self.k_neighbors, points, cls)
        else:
            n_samples = int(flat.shape[0])
            dtype = index_dtype(xp, device)
            candidates = xp.arange(n_samples, dtype=dtype, device=device)
            estimator = fit_neighbours("k_neighbors", self.k_neighbors, flat)
        query = take_rows(flat, danger, xp)
        neighbours = neighbours_excluding_self(
            estimator, query, "k_neighbors", xp, device
        )
        return self._draw_pairs(
            neighbours, danger, n_new, rng, xp, device, partner_rows=candidates
        )


def _shrink_towards_other_classes(
    steps: np.ndarray,
    other_class: Array,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
    dtype: Any,
) -> Any:
    """Borderline-2's steps: ``u`` towards the own class, ``u * v`` towards another.

    ``u`` (``steps``) is in [0, 1) and ``v`` in [0, 0.5), both drawn on the host;
    ``other_class`` says, on the device, which partner is of another class. Both
    candidate steps move to the device at once and are chosen there.
    """
    shrunk = steps * rng.uniform(0.0, 0.5, size=steps.shape[0])
    # Both candidate steps cross at once; the choice needs `other_class`, which
    # lives on the device, so it is made there.
    both = xp.asarray(np.stack([steps, shrunk]), dtype=dtype, device=device)
    return xp.where(other_class, both[1, :], both[0, :])


def _in_danger(
    estimator: Any,
    flat: Array,
    y: Array,
    members: Array,
    cls: Any,
    xp: ModuleType,
    device: Device,
) -> Any:
    """Indices of the rows of ``members`` in danger.

    In danger: among its m nearest rows (``estimator``, fitted on every row), at least
    ``m / 2`` and fewer than ``m`` are of another class than ``cls``.
    """
    query = take_rows(flat, members, xp)
    neighbours = neighbours_excluding_self(estimator, query, "m_neighbors", xp, device)
    m = int(neighbours.shape[1])
    n_other = count_other_class(neighbours, y, cls, xp)
    # All m neighbours of another class is noise, not danger (Han et al., 2005):
    # such rows are not parents.
    in_danger = (2 * n_other >= m) & (n_other < m)
    return xp.take(members, xp.nonzero(in_danger)[0], axis=0)


def _warn_no_danger(cls: Any) -> None:
    """Say that class ``cls`` gets no new rows: none of its rows is in danger."""
    warnings.warn(
        f"BorderlineSMOTE found no sample of class {cls!r} in danger (at least half, "
        "but not all, of its `m_neighbors` nearest neighbours from other classes), so "
        "it adds none to that class, as imbalanced-learn does. Try a larger "
        "`m_neighbors`, or SMOTE.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
