"""Random over-sampling: repeat random rows of the targeted classes, maybe smoothed."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import (
    class_indices,
    index_dtype,
    is_sparse,
    move_indices,
    take_rows,
)
from balancekit._dask_route import dask_entry_point
from balancekit._features import numeric_features
from balancekit._labels import Labels
from balancekit._random import RandomStateLike
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.base import BaseIndexSampler, BaseOverSampler

__all__ = ["RandomOverSampler"]


@dask_entry_point
class RandomOverSampler(BaseIndexSampler, BaseOverSampler):
    """Over-sample the targeted classes by repeating random rows (bootstrap).

    A drop-in for ``imblearn.over_sampling.RandomOverSampler`` that also runs on
    PyTorch, CuPy, JAX and array-api-strict arrays on their own device, accepts ``X``
    of any number of dimensions (images, sequences: rows are repeated, never looked at)
    and resamples ``sample_weight`` along with the rows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach: a float in (0, 1] (binary ``y``: the wanted ratio
        n_minority / n_majority after resampling); ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not majority"``) to grow those
        classes to the majority count; a dict ``{class: n_samples_after}``; or a
        callable ``f(y) -> dict``.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    shrinkage : float, dict or None, default=None
        With a value, new rows are a smoothed bootstrap: each repeated row plus Gaussian
        noise of per-feature scale ``shrinkage * h * std(class)``, where
        ``h = (4 / ((d + 2) n)) ** (1 / (d + 4))`` (Silverman's rule, ``d`` the number
        of features, ``n`` the number of samples). A float applies to every resampled
        class, a dict ``{class: shrinkage}`` per class; ``0`` means a plain bootstrap.
        Needs numeric ``X``.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples **added**, for the targeted classes.
    sample_indices_ : array of shape (n_resampled,)
        Source row of every output row (the originals first, in order), on the input's
        device. With ``shrinkage``, the new rows are noisy copies of these rows.
    shrinkage_ : dict or None
        Shrinkage per resampled class.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Dask arrays, DataFrames and Series (all arguments Dask, with the same row
    partitions) give lazy results of the same types: each class's new rows are
    split across the partitions as the in-memory draw would split them (see
    ``balancekit.dask``). Output partition ``i`` holds the rows of input partition
    ``i``, then its new rows grouped by class; DataFrames and Series get a fresh
    RangeIndex, and ``sample_indices_`` is a lazy Dask array. ``shrinkage`` takes
    one more pass over ``X`` for the class standard deviations.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import RandomOverSampler
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [8, 8]
    >>> bool((X_res[:10] == X).all())  # the original rows come first
    True
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        shrinkage: float | Mapping[Any, float] | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.shrinkage = shrinkage

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = self.shrinkage is None  # the noise needs numbers
        return tags

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._random_samplers import random_over_sample

        return random_over_sample(self, X, y, sample_weight)

    def _fit_resample_indices_dask(self, y: Any) -> Any:
        from balancekit.dask._random_samplers import random_sample_indices

        return random_sample_indices(self, y)

    def _check_params(self, data: Validated) -> None:
        self._resolve_shrinkage()
        if self.shrinkage_ is not None:
            numeric_features(
                data.X, data.xp, data.device, finite=False, why=_NEEDS_NUMBERS
            )

    def _resolve_shrinkage(self) -> None:
        """Check ``shrinkage`` against ``sampling_strategy_``; set ``shrinkage_``."""
        shrinkage = self.shrinkage
        if shrinkage is None:
            self.shrinkage_ = None
            return
        if isinstance(shrinkage, Real) and not isinstance(shrinkage, bool):
            shrinkage = dict.fromkeys(self.sampling_strategy_, float(shrinkage))
        elif isinstance(shrinkage, Mapping):
            missing = [c for c in self.sampling_strategy_ if c not in shrinkage]
            if missing:
                raise ValueError(
                    "`shrinkage` as a dict needs a factor for every resampled class; "
                    f"missing: {missing}."
                )
        else:
            raise TypeError(
                "`shrinkage` must be None, a float or a dict {class: float}; got "
                f"{type(shrinkage).__name__}."
            )
        for cls, factor in shrinkage.items():
            if (
                isinstance(factor, bool)
                or not isinstance(factor, Real)
                or not factor >= 0
            ):
                raise ValueError(
                    "`shrinkage` must be a number >= 0 for every class; got "
                    f"{factor!r} for class {cls!r}."
                )
        self.shrinkage_ = {cls: float(f) for cls, f in shrinkage.items()}

    def _sample_indices(
        self, labels: Labels, xp: ModuleType, device: Device, rng: np.random.Generator
    ) -> Any:
        targets = self.sampling_strategy_
        resampled = [
            (cls, targets[cls]) for cls in labels.classes if targets.get(cls, 0) > 0
        ]
        counts = labels.class_counts
        draws = [rng.integers(0, counts[cls], size=n_new) for cls, n_new in resampled]
        positions = move_indices(
            np.concatenate(draws) if draws else np.empty(0, dtype=np.int64), xp, device
        )
        n_samples = int(labels.y.shape[0])
        originals = xp.arange(n_samples, dtype=index_dtype(xp, device), device=device)
        parts, offset = [originals], 0
        for cls, n_new in resampled:
            members = class_indices(labels.y, cls, xp)
            parts.append(xp.take(members, positions[offset : offset + n_new], axis=0))
            offset += n_new
        return xp.astype(xp.concat(parts), index_dtype(xp, device), copy=False)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        if self.shrinkage_ is None:
            return super()._fit_resample(data, rng)
        # Smoothed bootstrap: X is rebuilt with noise, so only y and the weights are
        # gathered by index (no throw-away gather of X).
        indices = self._sample_indices(data.labels, data.xp, data.device, rng)
        self.sample_indices_ = indices
        y_res, w_res = (
            None if a is None else take_rows(a, indices, data.xp)
            for a in (data.y, data.sample_weight)
        )
        return self._smooth(data, indices, rng), y_res, w_res

    def _smooth(self, data: Validated, indices: Array, rng: np.random.Generator) -> Any:
        """X's rows ``indices``, with the smoothed-bootstrap noise on the new ones."""
        xp, n_samples, shrinkage = data.xp, data.n_samples, self.shrinkage_
        assert shrinkage is not None  # only called with a shrinkage
        features = numeric_features(
            data.X, xp, data.device, finite=False, why=_NEEDS_NUMBERS
        )
        X = features.values
        X = X.toarray() if is_sparse(X) else X
        feature_shape = tuple(X.shape[1:])
        n_features = int(np.prod(feature_shape))
        bandwidth = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
        scales, n_new = [], []
        for cls in data.labels.classes:
            count = self.sampling_strategy_.get(cls, 0)
            if count > 0:
                members = xp.take(X, class_indices(data.labels.y, cls, xp), axis=0)
                scale = shrinkage[cls] * bandwidth * xp.std(members, axis=0)
                scales.append(xp.broadcast_to(scale, (count, *feature_shape)))
                n_new.append(count)
        smoothed = X
        if n_new:  # no new rows (e.g. a class already at its target): nothing to add
            host_dtype = np.float32 if X.dtype == xp.float32 else np.float64
            noise = rng.standard_normal((sum(n_new), *feature_shape), dtype=host_dtype)
            noise = xp.asarray(noise, device=data.device) * xp.concat(scales, axis=0)
            new_rows = xp.take(X, indices[n_samples:], axis=0) + noise
            smoothed = xp.concat([X, new_rows], axis=0)
        if is_sparse(data.X):
            import scipy.sparse as sp

            return sp.csr_matrix(smoothed).asformat(data.X.format)
        return features.to_container(smoothed)


_NEEDS_NUMBERS = "`shrinkage` adds noise to the repeated rows and needs numbers."
