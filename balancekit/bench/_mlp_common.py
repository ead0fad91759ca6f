"""Parameter checks shared by the torch and Keras MLPs of ``balancekit.bench``.

Imports neither framework, so each MLP module imports only its own.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["LOSSES", "check_hidden_layer_sizes"]

#: The losses both MLPs train with (balancekit.torch / balancekit.tensorflow losses).
LOSSES = (
    "cross_entropy",
    "focal",
    "class_balanced",
    "logit_adjusted",
    "balanced_softmax",
    "ldam",
)


def check_hidden_layer_sizes(value: Any) -> tuple[int, ...]:
    """``hidden_layer_sizes`` as a tuple of ints >= 1 (an int means one layer)."""
    sizes = (value,) if isinstance(value, Integral) else value
    if isinstance(sizes, str) or not isinstance(sizes, tuple | list | np.ndarray):
        raise TypeError(
            "`hidden_layer_sizes` must be an int or a tuple of ints; got "
            f"{type(value).__name__}."
        )
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise ValueError(
                f"`hidden_layer_sizes` must hold ints >= 1; got {value!r}."
            )
    return tuple(int(size) for size in sizes)
