"""The multilabel forms of ``sampling_strategy``: a percentage or a target MeanIR."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from balancekit._params import check_choice

__all__ = ["Strategy", "check_strategy", "n_to_resample"]


@dataclass(frozen=True)
class Strategy:
    """One resolved ``sampling_strategy``: exactly one field is set."""

    fraction: float | None = None
    mean_ir: float | None = None
    name: str | None = None


def check_strategy(value: Any, names: tuple[str, ...] = ()) -> Strategy:
    """Validate ``sampling_strategy``: a float P in (0, 1], ``{"mean_ir": t}`` with
    t >= 1, or (label-powerset samplers) one of ``names``.

    Examples
    --------
    >>> check_strategy(0.25)
    Strategy(fraction=0.25, mean_ir=None, name=None)
    >>> check_strategy({"mean_ir": 2})
    Strategy(fraction=None, mean_ir=2.0, name=None)
    >>> check_strategy(1.5)
    Traceback (most recent call last):
    ...
    ValueError: `sampling_strategy` as a float is the share of n_samples to resample...
    """
    if isinstance(value, str):
        if not names:
            raise ValueError(
                f"`sampling_strategy`={value!r}: this sampler takes a float P in "
                "(0, 1] (resample P * n_samples rows) or {'mean_ir': t} (resample "
                "until MeanIR <= t), not a name."
            )
        return Strategy(name=check_choice(value, "sampling_strategy", names))
    if isinstance(value, Real) and not isinstance(value, bool):
        fraction = float(value)
        if not (0 < fraction <= 1):
            raise ValueError(
                "`sampling_strategy` as a float is the share of n_samples to resample "
                f"and must be in (0, 1]; got {value!r}. For a target imbalance pass "
                "{'mean_ir': t}."
            )
        return Strategy(fraction=fraction)
    if isinstance(value, Mapping):
        if set(value) != {"mean_ir"}:
            raise ValueError(
                "`sampling_strategy` as a dict must be {'mean_ir': t} (resample until "
                f"MeanIR <= t, t >= 1); got keys {sorted(map(str, value))}."
            )
        target = value["mean_ir"]
        if (
            isinstance(target, bool)
            or not isinstance(target, Real)
            or not math.isfinite(float(target))
            or float(target) < 1
        ):
            raise ValueError(
                "`sampling_strategy['mean_ir']` must be a finite number >= 1 (MeanIR "
                f"is never below 1); got {target!r}."
            )
        return Strategy(mean_ir=float(target))
    shown = "a float P in (0, 1], {'mean_ir': t}"
    if names:
        shown += " or one of " + ", ".join(repr(name) for name in names)
    raise TypeError(f"`sampling_strategy` must be {shown}; got {type(value).__name__}.")


def n_to_resample(fraction: float, n_samples: int) -> int:
    """``floor(P * n_samples)`` rows (the papers' ``|D| / 100 * P``).

    Examples
    --------
    >>> n_to_resample(0.25, 10)
    2
    """
    return math.floor(fraction * n_samples + 1e-9)
