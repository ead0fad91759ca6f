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

__all__ = [
    "SAMPLING_TYPES",
    "STRATEGY_NAMES",
    "check_sampling_strategy",
    "class_counts",
    "resolve_sampling_strategy",
]


def class_counts(y: Any) -> dict:
    """``{class: count}`` of the labels ``y``, counted on y's device, sorted by class.

    Examples
    --------
    >>> class_counts(["b", "a", "b"])
    {'a': 1, 'b': 2}
    """
    xp, _ = get_namespace_and_device(y=y)
    return check_labels(y, xp).class_counts


def check_sampling_strategy(
    sampling_strategy: Any, y: Any, sampling_type: SamplingType, **kwargs: Any
):
    """Resolve ``sampling_strategy`` for the labels ``y``, as imbalanced-learn's
    function does.

    The same signature and result as :func:`imblearn.utils.check_sampling_strategy`, for
    labels in any supported array library; only the class counts leave the device.

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
