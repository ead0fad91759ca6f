"""Parameter checks: the one way every public class and function validates its
parameters.

Classes check in ``fit`` / ``fit_resample`` / at first use (``__init__`` only stores,
as scikit-learn requires for ``clone``); functions check on entry. Each check names
the parameter, says what was expected and what was received, and returns the value
normalised (a Python ``int``/``float``), so callers write
``k = check_int(self.k_neighbors, "k_neighbors")``. A wrong type is a ``TypeError``,
a wrong value a ``ValueError``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

__all__ = ["check_bool", "check_choice", "check_int", "check_n_jobs", "check_scalar"]


def check_int(
    value: Any,
    name: str,
    *,
    low: int | None = 1,
    high: int | None = None,
    allow_none: bool = False,
) -> Any:
    """``value`` as an int in ``[low, high]`` (or None when ``allow_none``).

    Examples
    --------
    >>> check_int(3, "epochs"), check_int(None, "max_samples", allow_none=True)
    (3, None)
    >>> check_int(0, "epochs")
    Traceback (most recent call last):
    ...
    ValueError: `epochs` must be >= 1; got 0.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        expected = "None or an int" if allow_none else "an int"
        raise TypeError(f"`{name}` must be {expected}; got {type(value).__name__}.")
    number = int(value)  # a Python int: NumPy integers compare and print the same
    if low is not None and number < low:
        raise ValueError(f"`{name}` must be >= {low}; got {number}.")
    if high is not None and number > high:
        raise ValueError(f"`{name}` must be <= {high}; got {number}.")
    return number


def check_scalar(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real ``value`` in the interval given by ``low`` and ``high``.

    Examples
    --------
    >>> check_scalar(0.5, "alpha", low=0, low_open=True)
    0.5
    >>> check_scalar(0, "alpha", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: `alpha` must be > 0; got 0.0.
    >>> check_scalar(1.0, "beta", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: `beta` must be in [0, 1); got 1.0.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"`{name}` must be a number (int or float); got {type(value).__name__}."
        )
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if math.isinf(value):
        raise ValueError(f"`{name}` must be a finite number; got {value}.")
    # NaN compares False with everything: isfinite catches it, not the bounds.
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(
            f"`{name}` must be {_interval(low, high, low_open, high_open)}"
            f"; got {value}."
        )
    return value


def _interval(
    low: float | None, high: float | None, low_open: bool, high_open: bool
) -> str:
    """The allowed range in words: ``> 0`` for one bound, ``in [0, 1)`` for two."""
    if high is None and low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None and high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"in {left}{lo}, {hi}{right}"


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is a bool (NumPy's ``bool_`` included).

    Examples
    --------
    >>> check_bool(True, "replacement")
    True
    >>> check_bool("yes", "replacement")
    Traceback (most recent call last):
    ...
    TypeError: `replacement` must be True or False; got str.
    """
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"`{name}` must be True or False; got {type(value).__name__}.")
    return bool(value)


def check_choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options`` (strings by equality, others by identity
    or equality); else a ``ValueError`` listing them, with the closest string.

    Examples
    --------
    >>> check_choice("macro", "average", ("micro", "macro"))
    'macro'
    >>> check_choice("marco", "average", ("micro", "macro"))
    Traceback (most recent call last):
    ...
    ValueError: `average` must be one of 'micro', 'macro'; got 'marco'. Did you mean...
    """
    options = tuple(options)
    for option in options:
        if value is option:
            return value
        if type(value) is type(option) and value == option:
            return value
    shown = ", ".join(repr(option) for option in options)
    message = f"`{name}` must be one of {shown}; got {value!r}."
    if isinstance(value, str):
        names = [option for option in options if isinstance(option, str)]
        close = difflib.get_close_matches(value, names, n=1)
        if close:
            message += f" Did you mean {close[0]!r}?"
    raise ValueError(message)


def check_n_jobs(n_jobs: Any) -> None:
    """``n_jobs`` (kept for imbalanced-learn compatibility) must be an int or None.

    Examples
    --------
    >>> check_n_jobs(-1)
    >>> check_n_jobs(1.5)
    Traceback (most recent call last):
    ...
    TypeError: `n_jobs` must be an int or None; got float.
    """
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral)
    ):
        raise TypeError(
            f"`n_jobs` must be an int or None; got {type(n_jobs).__name__}."
        )
