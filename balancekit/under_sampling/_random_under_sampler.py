"""Random under-sampling: keep a random subset of each targeted class."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import class_indices, index_dtype, move_indices
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels
from balancekit._params import check_bool
from balancekit._random import RandomStateLike
from balancekit._typing import Device
from balancekit.base import BaseIndexSampler, BaseUnderSampler

__all__ = ["RandomUnderSampler"]


@dask_entry_point
class RandomUnderSampler(BaseIndexSampler, BaseUnderSampler):
    """Under-sample the targeted classes by keeping a random subset of their rows.

    A drop-in for ``imblearn.under_sampling.RandomUnderSampler`` that also runs on
    PyTorch, CuPy, JAX and array-api-strict arrays on their own device, accepts ``X``
    of any number of dimensions, and resamples ``sample_weight`` along with the rows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to keep: a float in (0, 1] (binary ``y``: the wanted ratio
        n_minority / n_majority after resampling); ``"majority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not minority"``) to shrink
        those classes to the minority count; a dict ``{class: n_samples_to_keep}``; or a
        callable ``f(y) -> dict``.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    replacement : bool, default=False
        Draw the kept rows with replacement.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples kept, for the targeted classes.
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, grouped by class in sorted class order, on the input's
        device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Dask arrays, DataFrames and Series (all arguments Dask, with the same row
    partitions) give lazy results of the same types: each class's kept count is
    exact and split across the partitions as the in-memory draw would split it
    (see ``balancekit.dask``). Output partition ``i`` holds the kept rows of input
    partition ``i`` in their input order (not grouped by class), DataFrames and
    Series get a fresh RangeIndex, and ``sample_indices_`` is a lazy Dask array.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import RandomUnderSampler
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [2, 2]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        replacement: bool = False,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._random_samplers import random_under_sample

        return random_under_sample(self, X, y, sample_weight)

    def _fit_resample_indices_dask(self, y: Any) -> Any:
        from balancekit.dask._random_samplers import random_sample_indices

        return random_sample_indices(self, y)

    def _check_replacement(self) -> None:
        check_bool(self.replacement, "replacement")

    def _sample_indices(
        self, labels: Labels, xp: ModuleType, device: Device, rng: np.random.Generator
    ) -> Any:
        self._check_replacement()
        targets = self.sampling_strategy_
        draws = [
            rng.choice(count, size=targets[cls], replace=bool(self.replacement))
            for cls, count in zip(labels.classes, labels.counts, strict=True)
            if cls in targets
        ]
        positions = move_indices(
            np.concatenate(draws) if draws else np.empty(0, dtype=np.int64), xp, device
        )
        parts, offset = [], 0
        for cls in labels.classes:
            members = class_indices(labels.y, cls, xp)
            if cls in targets:
                n_keep = targets[cls]
                parts.append(
                    xp.take(members, positions[offset : offset + n_keep], axis=0)
                )
                offset += n_keep
            else:
                parts.append(members)
        return xp.astype(xp.concat(parts), index_dtype(xp, device), copy=False)
