"""Base of the multilabel samplers: ``fit`` / ``fit_resample`` on a 0/1 indicator.

imbalanced-learn's ``BaseSampler`` refuses multilabel targets, so these samplers
derive from scikit-learn's ``BaseEstimator`` and keep the imbalanced-learn protocol:
``fit_resample(X, y, *, sample_weight=None)`` returns ``(X_res, y_res)`` or
``(X_res, y_res, w_res)``, which is all ``imblearn.pipeline.Pipeline`` asks of a step.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from typing import Any, ClassVar, Self

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import cpu_tensor_views, restore_tensors, take_rows
from balancekit._features import numeric_features
from balancekit._random import check_random_state
from balancekit._typing import Array
from balancekit.multilabel._indicator import (
    Combinations,
    MultilabelData,
    check_multilabel_data,
    combinations,
)

__all__ = ["BaseMultilabelSampler"]

# Fitted attributes with one entry per output row: tensors again after the NumPy route.
_ROW_ATTRIBUTES = (
    "sample_indices_",
    "synthetic_parents_",
    "synthetic_partners_",
    "synthetic_steps_",
)


class BaseMultilabelSampler(BaseEstimator):
    """Base class of the multilabel samplers. Not for direct use.

    Subclasses implement ``_resample(data, combos, rng)`` returning ``(X_res, y_res,
    w_res or None)``; the measures of the input (``irlbl_``, ``mean_ir_``) are set
    before it runs.
    """

    _estimator_type = "sampler"
    # Whether the sampler computes on X (MLSMOTE): CPU tensors then route as floats.
    _reads_features: ClassVar[bool] = False

    def fit(self, X: Array, y: Array) -> Self:
        """Validate the data and measure its imbalance, without resampling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features: NumPy, PyTorch (any device), CuPy, JAX or
            array-api-strict.
        y : array-like of shape (n_samples, n_labels)
            0/1 label indicator (bool, integer or float dtype), same library and
            device as ``X``.

        Returns
        -------
        self
            With ``irlbl_``, ``mean_ir_``, ``minority_labels_`` and
            ``n_features_in_`` set.
        """
        data = check_multilabel_data(X, y, None)
        self._check_params(data)
        if self._reads_features:  # the same checks as fit_resample: finite numbers
            numeric_features(data.X, data.xp, data.device)
        self._measure(data, combinations(data.y, data.xp, data.device))
        return self

    def fit_resample(self, X: Array, y: Array, *, sample_weight: Array = None) -> tuple:
        """Resample the data set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features. Never modified.
        y : array-like of shape (n_samples, n_labels)
            0/1 label indicator, same library and device as ``X``. Never modified.
        sample_weight : array-like of shape (n_samples,), optional
            Per-sample weights; each new row carries its source row's weight.

        Returns
        -------
        X_resampled, y_resampled[, sample_weight_resampled]
            In the input's namespace, on its device, with its dtypes (MLSMOTE gives
            floating features). The weights are returned only when given.
        """
        views = cpu_tensor_views(
            {"X": X, "y": y, "sample_weight": sample_weight},
            {"X": "f" if self._reads_features else "biuf"},
        )
        if views is not None:
            # CPU tensors: the NumPy kernels on views of their memory, tensors out.
            X, y, sample_weight = views["X"], views["y"], views["sample_weight"]
        data = check_multilabel_data(X, y, sample_weight)
        self._check_params(data)
        combos = combinations(data.y, data.xp, data.device)
        self._measure(data, combos)
        rng = check_random_state(self.random_state)
        X_res, y_res, w_res = self._resample(data, combos, rng)
        result = (X_res, y_res) if sample_weight is None else (X_res, y_res, w_res)
        if views is not None:
            for name in _ROW_ATTRIBUTES:
                if isinstance(getattr(self, name, None), np.ndarray):
                    setattr(self, name, restore_tensors(getattr(self, name)))
            return restore_tensors(result)
        return result

    def _check_params(self, data: MultilabelData) -> None:
        """Validate the sampler's own parameters (subclass hook)."""

    def _measure(self, data: MultilabelData, combos: Combinations) -> None:
        """``irlbl_``, ``mean_ir_`` and ``minority_labels_`` of the input."""
        if not combos.table[combos.counts > 0].any():
            raise ValueError(
                "`y` has no positive entry: no label occurs, so there is no imbalance "
                "to correct. Check that the indicator is not all zeros."
            )
        from balancekit.diagnostics import multilabel_imbalance

        with warnings.catch_warnings():
            # A label without rows is left out of MeanIR and never resampled; the
            # samplers document it rather than warn on every call.
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            measures = multilabel_imbalance(data.y)
        self.irlbl_ = np.asarray(measures.irlbl, dtype=np.float64).copy()
        self.mean_ir_ = float(measures.mean_ir)
        present = np.isfinite(self.irlbl_)
        self.minority_labels_ = np.flatnonzero(present & (self.irlbl_ > self.mean_ir_))
        self.n_features_in_ = int(data.X.shape[1])
        self.n_labels_ = data.n_labels

    @abstractmethod
    def _resample(
        self, data: MultilabelData, combos: Combinations, rng: np.random.Generator
    ) -> tuple[Any, Any, Any]:
        """``(X_res, y_res, w_res or None)`` from validated data."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.input_tags.allow_nan = not self._reads_features
        return tags


def take_all_rows(data: MultilabelData, indices: Array) -> tuple[Any, Any, Any]:
    """Rows ``indices`` (on the device) of X, y and sample_weight."""
    xp = data.xp
    arrays = (data.X, data.y, data.sample_weight)
    return tuple(  # type: ignore[return-value]
        None if a is None else take_rows(a, indices, xp) for a in arrays
    )
