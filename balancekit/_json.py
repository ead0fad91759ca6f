"""Strictly JSON-serialisable Python values for reports' ``to_dict`` and files."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """``value`` with NumPy scalars unwrapped, NaN and inf as None, tuples as lists.

    Examples
    --------
    >>> plain({"a": np.float64("nan"), 2: (np.int64(3), 1.5)})
    {'a': None, '2': [3, 1.5]}
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
