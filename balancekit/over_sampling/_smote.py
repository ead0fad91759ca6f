"""SMOTE: synthetic minority rows on segments between same-class neighbours."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import class_indices
from balancekit._dask_route import dask_entry_point
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import BaseSMOTE, SyntheticRows

__all__ = ["SMOTE"]


@dask_entry_point
class SMOTE(BaseSMOTE):
    """Synthetic Minority Over-sampling TEchnique (Chawla et al., 2002).

    Each new row lies on the segment between a random row of its class and one of that
    row's ``k_neighbors`` nearest same-class neighbours. A drop-in for
    ``imblearn.over_sampling.SMOTE`` that also runs on PyTorch, CuPy, JAX and
    array-api-strict arrays on their own device: neighbours are searched and rows
    generated there, never on the host.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``RandomOverSampler``: ``"auto"`` grows every class but
        the majority to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    k_neighbors : int or object, default=5
        Number of same-class neighbours to interpolate towards, or an object with
        ``fit`` and ``kneighbors`` (scikit-learn, FAISS or cuML style) whose
        ``kneighbors`` returns the row itself first.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples **added**.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``), on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    ``X`` may have more than two dimensions (images, sequences, embeddings): distances
    use the flattened features and new rows keep the input's shape. With
    ``sample_weight``, a new row gets its parents' weights interpolated with the same
    step. Integer features are turned into floats.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import SMOTE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [50, 50]
    """

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._smote import smote_on_dask

        return smote_on_dask(self, X, y, sample_weight)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        recipe = SyntheticRows()
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            members = class_indices(data.labels.y, cls, xp)
            neighbours = self._same_class_neighbours(
                features.flat, members, cls, xp, device
            )
            parents, partners = self._draw_pairs(
                neighbours, members, n_new, rng, xp, device
            )
            recipe.add(parents, partners, rng.uniform(size=n_new))
        return self._generate(data, features, recipe)
