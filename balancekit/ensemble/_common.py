"""What the balanced ensembles share: host inputs, weights that follow the rows.

The ensembles are scikit-learn estimators: their members are fitted by scikit-learn on
the host, in NumPy. Arrays of another library are read once into NumPy when they are
in host memory (a CPU tensor is viewed without a copy); arrays on an accelerator are
refused with a ``TypeError`` that says how to fix it.
"""

from __future__ import annotations

import inspect
from typing import Any

import array_api_compat
import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from balancekit._array_api import host_values, is_pandas, is_sparse
from balancekit._typing import Array

__all__ = [
    "HostInputMixin",
    "check_sampler",
    "check_single_output",
    "encoded_strategy",
    "fit_member",
    "host_array",
    "resample",
]


def host_array(value: Any, name: str, owner: str) -> Any:
    """``value`` as scikit-learn reads it on the host.

    NumPy arrays, lists, pandas objects and SciPy sparse matrices are returned as they
    are (scikit-learn validates them). Other array-API arrays in host memory (PyTorch
    or array-api-strict on the CPU, JAX on the CPU) become NumPy arrays, without a copy
    where the library allows; arrays on an accelerator raise a ``TypeError``.
    """
    if (
        value is None
        or isinstance(value, np.ndarray | list | tuple | np.generic)
        or is_pandas(value)
        or is_sparse(value)
        or not array_api_compat.is_array_api_obj(value)
    ):
        return value
    values = host_values(value)
    if values is None:
        device = array_api_compat.device(value)
        raise TypeError(
            f"{owner} fits scikit-learn estimators, which run on the host with NumPy; "
            f"`{name}` is a {type(value).__module__}.{type(value).__name__} on device "
            f"{device!s}, which cannot be read from the host. Copy it to host memory "
            "first (e.g. move it to the CPU, then pass it or its NumPy view)."
        )
    return values


def check_single_output(y: Any, owner: str) -> None:
    """Refuse multilabel and multi-output targets, which the samplers cannot balance."""
    kind = type_of_target(y)
    if kind in ("multilabel-indicator", "multiclass-multioutput"):
        raise ValueError(
            "Multilabel and multioutput targets are not supported. "
            f"{owner} balances one target: `y` must have shape (n_samples,) with one "
            f"class label per row; got a {kind} target. Fit one ensemble per output."
        )


def check_sampler(sampler: Any) -> None:
    """The ``sampler`` parameter must be None or have ``fit_resample``."""
    if sampler is not None and not callable(getattr(sampler, "fit_resample", None)):
        raise TypeError(
            "`sampler` must be None (a RandomUnderSampler) or a sampler with a "
            "`fit_resample(X, y)` method, e.g. a balancekit or imbalanced-learn "
            f"sampler; got {type(sampler).__name__}."
        )


def encoded_strategy(sampling_strategy: Any, classes: np.ndarray) -> Any:
    """``sampling_strategy`` with dict keys turned to class codes (``y`` is encoded).

    The ensembles encode ``y`` as ``0 .. n_classes - 1`` before their samplers see it,
    so a ``{label: n_samples}`` dict is rekeyed by position in ``classes``.
    """
    if not isinstance(sampling_strategy, dict):
        return sampling_strategy
    encoded = {}
    for label, n_samples in sampling_strategy.items():
        position = np.flatnonzero(classes == label)
        if position.size == 0:
            raise ValueError(
                f"`sampling_strategy` names the class {label!r}, which is not in `y`; "
                f"the classes are {classes.tolist()}."
            )
        encoded[int(position[0])] = n_samples
    return encoded


def _returns_weights(sampler: Any) -> bool:
    """Whether ``sampler.fit_resample`` takes ``sample_weight`` (returned third)."""
    try:
        parameters = inspect.signature(sampler.fit_resample).parameters
    except (TypeError, ValueError):  # builtins and C extensions have none
        return False
    return "sample_weight" in parameters


def resample(sampler: Any, X: Array, y: Array, sample_weight: Array = None) -> tuple:
    """``(X_res, y_res, sample_weight_res)`` from any sampler, weights following rows.

    balancekit samplers resample the weights themselves (returned third); other
    samplers' ``sample_indices_`` pick them. A sampler offering neither cannot carry
    weights: ``TypeError``.
    """
    if sample_weight is None:
        X_res, y_res = sampler.fit_resample(X, y)
        return X_res, y_res, None
    if _returns_weights(sampler):
        return tuple(sampler.fit_resample(X, y, sample_weight=sample_weight))
    X_res, y_res = sampler.fit_resample(X, y)
    indices = getattr(sampler, "sample_indices_", None)
    if indices is None:
        raise TypeError(
            f"{type(sampler).__name__} cannot carry `sample_weight`: its fit_resample "
            "takes no sample_weight and it exposes no `sample_indices_` to pick them "
            "with. Use a balancekit sampler, or fit without sample_weight."
        )
    return X_res, y_res, _safe_indexing(sample_weight, np.asarray(indices))


def fit_member(pipeline: Any, X: Array, y: Array, sample_weight: Array = None) -> Any:
    """Fit one ``Pipeline([("sampler", ...), ("classifier", ...)])`` member.

    Without weights this is ``pipeline.fit(X, y)``, as imbalanced-learn does; with
    weights the sampler resamples them with the rows and the classifier gets them.
    """
    if sample_weight is None:
        return pipeline.fit(X, y)
    sampler, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
    check_weighted_classifier(classifier)
    X_res, y_res, weight_res = resample(sampler, X, y, sample_weight)
    classifier.fit(X_res, y_res, sample_weight=weight_res)
    return pipeline


def check_weighted_classifier(classifier: Any) -> None:
    """With weights, the base estimator's ``fit`` must take ``sample_weight``."""
    if not has_fit_parameter(classifier, "sample_weight"):
        raise TypeError(
            f"`sample_weight` was given, but {type(classifier).__name__}.fit takes no "
            "sample_weight: use a base estimator that accepts it, or fit without "
            "sample_weight."
        )


def _has_decision_function(ensemble: Any) -> bool:
    members = getattr(ensemble, "estimators_", None)
    probe = members[0] if members else ensemble._get_estimator()
    return hasattr(probe, "decision_function")


class HostInputMixin:
    """Predict on host-readable arrays of any library (see ``host_array``).

    Placed before the scikit-learn ensemble in the bases: its ``predict*`` methods read
    ``X`` into NumPy once, then defer to the ensemble's. Outputs are NumPy arrays.
    """

    def _host(self, X: Any) -> Any:
        return host_array(X, "X", type(self).__name__)

    def predict(self, X: Any, **params: Any) -> np.ndarray:
        """Predict the class of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NumPy, pandas, SciPy sparse, or a host-memory array of another library.
        **params : dict
            Passed to scikit-learn's method (metadata routing).

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted classes.
        """
        return super().predict(self._host(X), **params)  # type: ignore[misc]

    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Class probabilities of each row of ``X``, averaged over the members.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NumPy, pandas, SciPy sparse, or a host-memory array of another library.
        **params : dict
            Passed to scikit-learn's method (metadata routing).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        return super().predict_proba(self._host(X), **params)  # type: ignore[misc]

    def predict_log_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NumPy, pandas, SciPy sparse, or a host-memory array of another library.
        **params : dict
            Passed to scikit-learn's method (metadata routing).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        return super().predict_log_proba(self._host(X), **params)  # type: ignore[misc]


class BaggingDecisionMixin:
    """``decision_function`` on host-readable arrays, when the members have one."""

    @available_if(_has_decision_function)
    def decision_function(self, X: Any, **params: Any) -> np.ndarray:
        """Average of the members' decision functions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NumPy, pandas, SciPy sparse, or a host-memory array of another library.
        **params : dict
            Passed to scikit-learn's method (metadata routing).

        Returns
        -------
        score : ndarray of shape (n_samples, n_classes) or (n_samples,)
            As scikit-learn's ``BaggingClassifier.decision_function``.
        """
        check_is_fitted(self)
        X = host_array(X, "X", type(self).__name__)
        return super().decision_function(X, **params)  # type: ignore[misc]
