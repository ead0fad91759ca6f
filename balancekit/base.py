"""Base classes of every sampler: the ``fit_resample`` template, the index samplers.

Samplers are imbalanced-learn samplers (they subclass its ``BaseSampler``), so they
drop into ``imblearn.pipeline.Pipeline`` and pass its estimator checks, but validation
and resampling run in the input's own array namespace and on its device.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar, Self

import numpy as np
from imblearn.base import BaseSampler as _ImblearnBaseSampler
from imblearn.over_sampling.base import BaseOverSampler as _ImblearnBaseOverSampler
from imblearn.under_sampling.base import (
    BaseCleaningSampler as _ImblearnBaseCleaningSampler,
)
from imblearn.under_sampling.base import BaseUnderSampler as _ImblearnBaseUnderSampler
from sklearn.utils.validation import validate_data

from balancekit._array_api import (
    cpu_tensor_views,
    get_namespace_and_device,
    index_dtype,
    restore_tensors,
    take_rows,
)
from balancekit._dask_route import has_dask, is_dask_collection, refuse_dask
from balancekit._features import numeric_features
from balancekit._labels import Labels, check_labels
from balancekit._random import check_random_state
from balancekit._sampling_strategy import SamplingType, resolve_sampling_strategy
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import Validated, check_X_y

__all__ = [
    "BaseCleaningSampler",
    "BaseFeatureIndexSampler",
    "BaseIndexSampler",
    "BaseNumericFit",
    "BaseOverSampler",
    "BaseSampler",
    "BaseUnderSampler",
]


class BaseSampler(_ImblearnBaseSampler):
    """Base class of balancekit samplers. Not for direct use.

    Subclasses set ``_sampling_type`` and implement ``_fit_resample(data, rng)``, which
    gets validated inputs (``balancekit._validation.Validated``) and a NumPy
    ``Generator`` and returns ``(X_res, y_res, sample_weight_res)`` in the input's
    containers.
    """

    _sampling_type: ClassVar[SamplingType]
    # One way to validate parameters: balancekit._params, called in fit/fit_resample
    # (_check_params). imbalanced-learn's declarative constraints never ran (our
    # fit_resample overrides theirs), so they are cleared rather than left to drift.
    _parameter_constraints: ClassVar[dict] = {}
    # False for samplers that refuse tensors: they keep the native path (and refuse).
    _tensor_route: ClassVar[bool] = True
    # Fitted attributes, beyond the row attributes (sample_indices_, ...), holding
    # arrays or dicts of arrays in the input's library, or a fitted estimator of
    # balancekit's own that lists its arrays the same way: after the NumPy kernels
    # ran on views of CPU tensors, they are turned back into tensors.
    _fitted_arrays: ClassVar[tuple[str, ...]] = ()

    def _check_params(self, data: Validated) -> None:
        """Validate the sampler's own parameters against the data (subclass hook)."""

    def _validate(self, X: Array, y: Array, sample_weight: Array = None) -> Validated:
        # Dask input reaching validation: this path of the sampler has no Dask route.
        refuse_dask(
            type(self).__name__, {"X": X, "y": y, "sample_weight": sample_weight}
        )
        views = self._numpy_views(X, y, sample_weight)
        if views is not None:  # validating CPU tensors is validating their views
            X, y, sample_weight = views
        data = check_X_y(X, y, sample_weight)
        # n_features_in_ and feature_names_in_, the scikit-learn way; the
        # arrays are not touched.
        validate_data(self, X=data.X, reset=True, skip_check_array=True)
        self._resolve_sampling_strategy(data.labels)
        self._check_params(data)
        return data

    def _resolve_sampling_strategy(self, labels: Labels) -> None:
        self.sampling_strategy_ = resolve_sampling_strategy(
            self.sampling_strategy, labels.class_counts, self._sampling_type, y=labels.y
        )

    def fit(self, X: Array, y: Array) -> BaseSampler:
        """Validate the data and resolve ``sampling_strategy_`` without resampling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features, ...)
            Features: a NumPy, PyTorch, CuPy, JAX or array-api-strict array, a pandas
            DataFrame, a SciPy sparse matrix or a list.
        y : array-like of shape (n_samples,)
            Class labels, in the same library and on the same device as ``X``.

        Returns
        -------
        self
        """
        if has_dask((X, y)):
            self._fit_dask(X, y)
            return self
        self._validate(X, y)
        return self

    def _numpy_views(
        self, X: Array, y: Array, sample_weight: Array = None
    ) -> tuple | None:
        """NumPy views of CPU tensors ``X``, ``y`` (and weights), or None.

        CPU tensors run through the NumPy kernels (zero copy, same results): the
        views are returned when every given array is a plain CPU tensor (see
        ``cpu_tensor_views``), the labels are integers or booleans and ``X`` holds
        floats or is never read. Anything else keeps its native path, errors
        included.
        """
        if not self._tensor_route or X is None or y is None:
            return None
        # Kernels that compute on X make floats of other dtypes in the namespace's
        # default float (float32 for torch, float64 for NumPy): route floats only.
        x_kinds = "f" if self._reads_features() else "biuf"
        views = cpu_tensor_views(
            {"X": X, "y": y, "sample_weight": sample_weight}, {"X": x_kinds, "y": "biu"}
        )
        if views is None:
            return None
        return views["X"], views["y"], views["sample_weight"]

    def _reads_features(self) -> bool:
        """Whether the sampler computes on the values of ``X`` (subclass hook)."""
        return True

    def fit_resample(self, X: Array, y: Array, *, sample_weight: Array = None) -> tuple:
        """Resample the data set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features, ...)
            Features: a NumPy, PyTorch, CuPy, JAX or array-api-strict array, a pandas
            DataFrame, a SciPy sparse matrix or a list. Never modified.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels (one-hot rows are accepted and given back one-hot), in the same
            library and on the same device as ``X``.
        sample_weight : array-like of shape (n_samples,), optional
            Per-sample weights, resampled along with the rows and returned third.

        Returns
        -------
        X_resampled, y_resampled[, sample_weight_resampled]
            In the input's containers, namespace, device and dtypes. The weights are
            returned only when ``sample_weight`` was given.
        """
        if has_dask((X, y, sample_weight)):
            return self._fit_resample_dask(X, y, sample_weight)
        views = self._numpy_views(X, y, sample_weight)
        if views is not None:
            # The NumPy kernels on views of the tensors' memory; tensors back out.
            # (Inline, not a helper: warnings' stack levels count these frames.)
            X, y, sample_weight = views
        data = self._validate(X, y, sample_weight)
        rng = check_random_state(getattr(self, "random_state", None))
        X_res, y_res, w_res = self._fit_resample(data, rng)
        if data.X_is_list:
            X_res = np.asarray(X_res).tolist()
        if data.y_is_list:
            y_res = np.asarray(y_res).tolist()
        result = (X_res, y_res) if sample_weight is None else (X_res, y_res, w_res)
        if views is not None:
            _restore_fitted_arrays(self)
            return restore_tensors(result)
        return result

    def _fit_dask(self, X: Any, y: Any) -> None:
        """``fit`` on Dask collections: the in-memory ``fit``'s checks and fitted
        attributes from one pass over ``y`` (``balancekit.dask._fit``); refused for
        a sampler without a Dask route."""
        if type(self)._fit_resample_dask is BaseSampler._fit_resample_dask:
            refuse_dask(type(self).__name__, {"X": X, "y": y})
        from balancekit.dask._fit import fit_on_dask

        fit_on_dask(self, X, y)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        """Resample Dask collections (lazily); samplers that can, override this."""
        refuse_dask(
            type(self).__name__, {"X": X, "y": y, "sample_weight": sample_weight}
        )
        raise AssertionError("unreachable: refuse_dask raises on Dask input")

    @abstractmethod
    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        """Resample validated data to ``(X_res, y_res, sample_weight_res or None)``."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class BaseIndexSampler(BaseSampler):
    """A sampler whose output rows are rows of the input, chosen by index.

    It never looks at the features, so ``X`` may hold anything (images, strings, NaN),
    and ``fit_resample_indices`` serves the rows to a data loader without copying
    ``X``. Subclasses implement ``_sample_indices(labels, xp, device, rng)``.
    """

    @abstractmethod
    def _sample_indices(
        self, labels: Labels, xp: Namespace, device: Device, rng: np.random.Generator
    ) -> Array:
        """Indices of the output rows, an integer array on ``device``."""

    def _reads_features(self) -> bool:
        # Rows are taken by index; only the smoothed bootstrap computes on X.
        return getattr(self, "shrinkage", None) is not None

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        indices = self._sample_indices(data.labels, data.xp, data.device, rng)
        self.sample_indices_ = indices
        return _take_all_rows(data, indices)

    def fit_resample_indices(self, y: Array) -> Array:
        """Resample by index from the labels alone; ``X`` is never needed.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels: NumPy, PyTorch (any device), CuPy, JAX, array-api-strict,
            pandas or a list.

        Returns
        -------
        indices : integer array of shape (n_resampled,)
            Rows of the data set to use, in ``y``'s namespace and on its device (NumPy
            for host containers). Also stored as ``sample_indices_``.

        Examples
        --------
        >>> import numpy as np
        >>> from balancekit import RandomUnderSampler
        >>> y = np.array([0] * 8 + [1] * 2)
        >>> idx = RandomUnderSampler(random_state=0).fit_resample_indices(y)
        >>> np.bincount(y[idx]).tolist()
        [2, 2]
        """
        if is_dask_collection(y):
            return self._fit_resample_indices_dask(y)
        if y is None:
            raise ValueError(
                "`y` is None: fit_resample_indices requires the class labels, shape "
                "(n_samples,)."
            )
        views = cpu_tensor_views({"y": y}, {"y": "biu"}) if self._tensor_route else None
        on_view = views is not None
        if views is not None:  # CPU tensors: the NumPy kernels on a view, tensors out
            y = views["y"]
        xp, device = get_namespace_and_device(y=y)
        labels = check_labels(y, xp)
        self._resolve_sampling_strategy(labels)
        rng = check_random_state(getattr(self, "random_state", None))
        self.sample_indices_ = self._sample_indices(labels, xp, device, rng)
        if on_view:
            _restore_fitted_arrays(self)
        return self.sample_indices_

    def _fit_resample_indices_dask(self, y: Any) -> Any:
        """``fit_resample_indices`` for Dask labels (lazy indices); refused unless a
        subclass has a Dask route."""
        refuse_dask(f"{type(self).__name__}.fit_resample_indices", {"y": y})
        raise AssertionError("unreachable: refuse_dask raises on Dask input")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags


class BaseNumericFit:
    """``fit`` for samplers whose rule computes on ``X``: it must hold finite numbers.

    Put it first among the bases (``class S(BaseNumericFit, BaseSampler)``).
    """

    def fit(self, X: Array, y: Array) -> Self:
        """Validate the data (finite numeric ``X``) and resolve the strategy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features, ...)
            Finite numeric features in any supported array library.
        y : array-like of shape (n_samples,)
            Class labels, in the same library and on the same device as ``X``.

        Returns
        -------
        self
        """
        if has_dask((X, y)):
            self._fit_dask(X, y)  # type: ignore[attr-defined]
            return self
        data = self._validate(X, y)  # type: ignore[attr-defined]
        numeric_features(data.X, data.xp, data.device)
        return self


class BaseFeatureIndexSampler(BaseNumericFit, BaseIndexSampler):
    """An index sampler whose rule reads the features. Not for direct use.

    The output rows are rows of the input (``sample_indices_``), but choosing them needs
    distances: ``X`` must hold finite numbers (``fit`` checks it too) and
    ``fit_resample_indices(y)`` is not available. Subclasses implement
    ``_kept_indices(flat, labels, xp, device, rng)`` on the 2-D float features.
    """

    def _reads_features(self) -> bool:
        return True

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        flat = numeric_features(data.X, xp, device).flat
        indices = self._kept_indices(flat, data.labels, xp, device, rng)
        indices = xp.astype(indices, index_dtype(xp, device), copy=False)
        self.sample_indices_ = indices
        return _take_all_rows(data, indices)

    @abstractmethod
    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: Namespace,
        device: Device,
        rng: np.random.Generator,
    ) -> Array:
        """Rows kept, an integer array on ``device``, from the 2-D features."""

    def _needs_features(self) -> TypeError:
        name = type(self).__name__
        return TypeError(
            f"{name} needs the features `X`: it chooses rows by distances between "
            "rows of `X`, which the labels alone cannot give. Call "
            f"`{name}().fit_resample(X, y)` and read `sample_indices_`."
        )

    def _sample_indices(
        self, labels: Labels, xp: Namespace, device: Device, rng: np.random.Generator
    ) -> Array:
        raise self._needs_features()

    def fit_resample_indices(self, y: Array) -> Array:
        """Not available: the rule measures distances between rows of ``X``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class labels (not enough on their own).

        Raises
        ------
        TypeError
            Always; use ``fit_resample(X, y)`` and read ``sample_indices_``.
        """
        raise self._needs_features()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.string = False
        return tags


# Fitted arrays with one entry per output row: tensors again after the NumPy route.
_ROW_ATTRIBUTES = (
    "sample_indices_",
    "synthetic_parents_",
    "synthetic_partners_",
    "synthetic_steps_",
)


def _restore_fitted_arrays(fitted: object) -> None:
    """Turn the NumPy arrays of ``fitted`` (and its sub-samplers) into tensors.

    The row attributes and the names in the class's ``_fitted_arrays`` are
    converted (arrays, and dicts of arrays); sub-samplers (``smote_``, ``enn_``,
    ...) and listed estimators of balancekit's own ran on the same NumPy views and
    are walked the same way.
    """
    names = _ROW_ATTRIBUTES + getattr(type(fitted), "_fitted_arrays", ())
    for name, value in list(vars(fitted).items()):
        if name in names and isinstance(value, np.ndarray | dict):
            setattr(fitted, name, restore_tensors(value))
        elif _holds_fitted_arrays(name, value, names):
            _restore_fitted_arrays(value)


def _holds_fitted_arrays(name: str, value: object, names: tuple[str, ...]) -> bool:
    """A sub-sampler (``smote_``, ...) or a listed estimator of balancekit's own."""
    if isinstance(value, BaseSampler):
        return name.endswith("_")
    return name in names and hasattr(type(value), "_fitted_arrays")


def _take_all_rows(data: Validated, indices: Array) -> tuple:
    """Rows ``indices`` of X, y and sample_weight, each in its own container."""
    arrays = (data.X, data.y, data.sample_weight)
    return tuple(None if a is None else take_rows(a, indices, data.xp) for a in arrays)


class BaseOverSampler(BaseSampler, _ImblearnBaseOverSampler):
    """Base of over-samplers: ``sampling_strategy_`` holds the samples to add."""

    _sampling_type = "over-sampling"


class BaseUnderSampler(BaseSampler, _ImblearnBaseUnderSampler):
    """Base of under-samplers: ``sampling_strategy_`` holds the samples to keep."""

    _sampling_type = "under-sampling"


class BaseCleaningSampler(BaseSampler, _ImblearnBaseCleaningSampler):
    """Base of cleaning samplers: they remove what their rule finds.

    ``sampling_strategy`` names the classes to clean (a list, or ``"auto"``, ``"all"``,
    ``"majority"``, ``"not minority"``, ``"not majority"``); ``sampling_strategy_``
    holds placeholders, as in imbalanced-learn.
    """

    _sampling_type = "clean-sampling"
