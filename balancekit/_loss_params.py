"""Parameter checks shared by the PyTorch and Keras losses (NumPy only).

Both adapters validate their constructor arguments here and compute their class
statistics in float64 on the host, so the two frameworks agree to the last digit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import host_float64

__all__ = [
    "as_float64_vector",
    "check_class_counts",
    "check_class_weights",
    "class_balanced_weights",
    "ldam_margins",
]


def as_float64_vector(values: Any, name: str) -> np.ndarray:
    """``values`` (list, NumPy array or tensor) as a 1-D float64 NumPy array.

    Examples
    --------
    >>> as_float64_vector([3, 1], "class_counts").tolist()
    [3.0, 1.0]
    """
    try:
        # Tensors of any framework and device come to the host through _array_api.
        array = host_float64(values)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`{name}` must be a list, NumPy array or tensor of numbers; "
            f"got {type(values).__name__}."
        ) from exc
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(
            f"`{name}` must be a non-empty 1-D sequence; got shape {array.shape}."
        )
    return array


def check_class_counts(class_counts: Any) -> np.ndarray:
    """``class_counts`` as float64, each finite and positive."""
    counts = as_float64_vector(class_counts, "class_counts")
    if not np.all(np.isfinite(counts)) or np.any(counts <= 0):
        raise ValueError(
            f"`class_counts` must hold finite positive counts; got {counts.tolist()}."
        )
    return counts


def check_class_weights(weights: Any, name: str) -> np.ndarray:
    """``weights`` as float64, each finite and non-negative."""
    array = as_float64_vector(weights, name)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(
            f"`{name}` must hold finite non-negative weights; got {array.tolist()}."
        )
    return array


def class_balanced_weights(counts: np.ndarray, beta: float) -> np.ndarray:
    """Cui et al.'s ``(1 - beta) / (1 - beta ** n)``, normalised to sum to C."""
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights * (counts.shape[0] / weights.sum())


def ldam_margins(counts: np.ndarray, max_m: float) -> np.ndarray:
    """Cao et al.'s margins ``n ** (-1/4)``, scaled so the largest is ``max_m``."""
    margins = counts**-0.25
    return margins * (max_m / margins.max())
