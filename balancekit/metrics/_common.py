"""Shared pieces of the metrics: parameter checks, safe division, averages, warnings.

Everything here works on O(n_classes) arrays that already live on the input's device;
only boolean masks of the same size come to the host, to decide on warnings.
"""

from __future__ import annotations

import math
import warnings
from numbers import Real
from typing import Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import is_numpy_namespace, to_host
from balancekit._params import check_choice
from balancekit._typing import Array, Namespace
from balancekit._warnings import user_stacklevel

__all__ = [
    "AVERAGES",
    "SINGLE_LABEL_AVERAGES",
    "as_result",
    "check_average",
    "check_zero_division",
    "divide",
    "nanaverage",
    "warn_undefined",
]

AVERAGES = (None, "binary", "micro", "macro", "weighted", "samples")
# The averages of the metrics that take 1-D labels only.
SINGLE_LABEL_AVERAGES = AVERAGES[:-1]


def check_average(average: Any, options: tuple = AVERAGES) -> None:
    """``average`` must be one of ``options``."""
    try:
        check_choice(average, "average", options)
    except ValueError as error:
        hint = ""
        if average == "samples":
            hint = (
                " 'samples' averaging is only meaningful for multilabel indicator "
                "targets, which this metric does not take."
            )
        raise ValueError(f"{error}{hint}") from None


def check_zero_division(zero_division: Any) -> float:
    """The value of an undefined ratio: 0.0 for ``"warn"``, else 0.0, 1.0 or NaN."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, Real | np.number):
        value = float(zero_division)
        if value in (0.0, 1.0) or math.isnan(value):
            return value
    raise ValueError(
        '`zero_division` must be "warn", 0.0, 1.0 or np.nan (the value an undefined '
        f"ratio takes); got {zero_division!r}."
    )


def as_result(value: Array, xp: Namespace) -> Any:
    """A 0-d result as NumPy users expect it (``np.float64``); arrays as they are."""
    if is_numpy_namespace(xp) and getattr(value, "ndim", None) == 0:
        return np.asarray(value)[()]
    return value


def warn_undefined(average: Any, modifier: str, metric: str, result_size: int) -> None:
    """scikit-learn's UndefinedMetricWarning text for an ill-defined ratio: "in labels
    with no predicted samples", or for ``average='samples'`` "in samples with no
    predicted labels"."""
    outputs, counted = (
        ("sample", "label") if average == "samples" else ("label", "sample")
    )
    where = "due to" if result_size == 1 else f"in {outputs}s with"
    message = (
        f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no "
        f"{modifier} {counted}s. Use `zero_division` parameter to control this "
        "behavior."
    )
    warnings.warn(message, UndefinedMetricWarning, stacklevel=user_stacklevel())


def divide(
    numerator: Array,
    denominator: Array,
    *,
    xp: Namespace,
    dtype: Any,
    zero_division: Any = "warn",
    warn: tuple[str, str, Any] | None = None,
) -> Any:
    """``numerator / denominator`` in ``dtype``; ``zero_division`` where it is 0.

    ``warn`` is ``(metric, modifier, average)``: when given and ``zero_division`` is
    ``"warn"``, an UndefinedMetricWarning is raised if any denominator is 0. Only that
    boolean (one value) comes to the host.
    """
    value = check_zero_division(zero_division)
    numerator = xp.astype(numerator, dtype)
    denominator = xp.astype(denominator, dtype)
    is_zero = denominator == 0
    one = xp.ones_like(denominator)
    result = numerator / xp.where(is_zero, one, denominator)
    result = xp.where(is_zero, xp.full_like(result, value), result)
    if (
        warn is not None
        and zero_division == "warn"
        and bool(to_host(xp.any(is_zero), xp))
    ):
        metric, modifier, average = warn
        warn_undefined(average, modifier, metric, int(result.shape[0]))
    return result


def nanaverage(values: Array, weights: Array, xp: Namespace) -> Any:
    """The (weighted) mean of ``values`` ignoring NaN, as scikit-learn's _nanaverage.

    All NaN gives NaN; weights summing to 0 over the non-NaN values fall back to the
    unweighted mean. Computed on the device (a 0-d array).
    """
    is_nan = xp.isnan(values)
    kept = xp.astype(~is_nan, values.dtype)
    clean = xp.where(is_nan, xp.zeros_like(values), values)
    count = xp.sum(kept)
    nan = xp.full_like(count, math.nan)
    mean = xp.sum(clean) / xp.where(count == 0, xp.ones_like(count), count)
    if weights is not None:
        weights = xp.astype(weights, values.dtype) * kept
        total = xp.sum(weights)
        weighted = xp.sum(clean * weights) / xp.where(
            total == 0, xp.ones_like(total), total
        )
        mean = xp.where(total == 0, mean, weighted)
    return xp.where(count == 0, nan, mean)
