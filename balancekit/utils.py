"""Public helpers shared by samplers and adapters."""

from __future__ import annotations

from typing import Any

from balancekit._array_api import get_namespace_and_device
from balancekit._labels import check_labels
from balancekit._sampling_strategy import (
    SAMPLING_TYPES,
    STRATEGY_NAMES,
    SamplingType,
    resolve_sampling_strategy,
)
from balancekit._typing import Array

__all__ = [
    "SAMPLING_TYPES",
    "STRATEGY_NAMES",
    "check_sampling_strategy",
    "class_counts",
    "resolve_sampling_strategy",
]


def class_counts(y: Array) -> dict:
    """Count the samples of each class, on the labels' own device.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Class labels: NumPy, PyTorch (any device), CuPy, JAX, array-api-strict,
        pandas or a list.

    Returns
    -------
    dict
        ``{class: count}`` sorted by class, with Python scalars as keys and values.

    Examples
    --------
    >>> class_counts(["b", "a", "b"])
    {'a': 1, 'b': 2}
    """
    xp, _ = get_namespace_and_device(y=y)
    return check_labels(y, xp).class_counts


def check_sampling_strategy(
    sampling_strategy: Any, y: Array, sampling_type: SamplingType, **kwargs: Any
):
    """Resolve ``sampling_strategy`` for the labels ``y`` as imbalanced-learn does.

    The same signature and result as ``imblearn.utils.check_sampling_strategy``, for
    labels in any supported array library; only the class counts leave the device.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        Any form imbalanced-learn accepts; see ``resolve_sampling_strategy``.
    y : array_like of shape (n_samples,)
        Class labels in any supported array library.
    sampling_type : str
        ``"over-sampling"``, ``"under-sampling"``, ``"clean-sampling"``,
        ``"ensemble"`` or ``"bypass"``.
    **kwargs
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    OrderedDict
        Class to number of samples, sorted by class: samples to add for over-sampling,
        to keep for under-sampling.

    Examples
    --------
    >>> dict(check_sampling_strategy("auto", [0, 0, 0, 1], "over-sampling"))
    {1: 2}
    """
    xp, _ = get_namespace_and_device(y=y)
    labels = check_labels(y, xp)
    return resolve_sampling_strategy(
        sampling_strategy, labels.class_counts, sampling_type, y=labels.y, **kwargs
    )
