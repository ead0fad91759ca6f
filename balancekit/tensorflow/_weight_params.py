"""The parameters of ``with_sample_weights``, checked when it is called.

Each of ``class_weight``, ``class_counts``, ``num_classes``, ``one_hot`` and
``multilabel`` is one value shared by every output, or one value per output (a dict
keyed by output name, or a list/tuple with one entry per output).
:func:`check_parameter` tells the two apart and checks every value; :func:`pick`
hands an output its value once the dataset's outputs are known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np

from balancekit._array_api import host_float64
from balancekit._loss_params import as_float64_vector, check_class_weights
from balancekit._params import check_choice, check_int
from balancekit.weighting._class_weight import METHODS

__all__ = [
    "PARAMETERS",
    "WeightSpec",
    "check_parameter",
    "output_name",
    "pick",
]

PARAMETERS = ("class_weight", "class_counts", "num_classes", "one_hot", "multilabel")
OutputKey = str | int | None  # dict key, tuple index, or None for a single output


@dataclass(frozen=True)
class WeightSpec:
    """One output's class-weight specification, checked."""

    method: str | None  # a name of METHODS, or None for given weights
    weights: dict[int, float] | None  # {class: weight}, from a dict or an array
    exact_classes: int | None  # len(array) for an array of per-class weights
    name: str  # how the parameter is named in errors, e.g. "class_weight['a']"


def output_name(name: str, key: OutputKey) -> str:
    """``name`` of output ``key`` in messages: ``class_counts['a']``."""
    return name if key is None else f"{name}[{key!r}]"


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _split_per_output(value: Any, name: str, *, leaf_is_sequence: bool) -> Any:
    """``value`` as a dict/tuple of per-output values, or None if shared.

    Per-output values are a dict keyed by output names (str) or a list/tuple with one
    entry per output. When a single value is itself a sequence (per-class weights or
    counts), a list/tuple is per output only if its entries are not numbers.
    """
    if isinstance(value, Mapping):
        keys = list(value)
        if keys and all(isinstance(k, str) for k in keys):
            return dict(value)
        if not leaf_is_sequence or not keys:
            raise TypeError(
                f"`{name}` as a dict must map output names (str) to per-output "
                f"values; got keys {keys[:5]}."
            )
        return None  # a {class: weight} dict
    if isinstance(value, list | tuple):
        if not leaf_is_sequence:
            return tuple(value)
        numbers = [_is_number(v) for v in value]
        if value and not any(numbers):
            return tuple(value)
        if not all(numbers):
            raise TypeError(
                f"`{name}` must be a sequence of numbers (one per class) or a "
                f"sequence with one entry per output, not a mix; got {value!r}."
            )
    return None


def _check_spec(value: Any, name: str) -> WeightSpec:
    if isinstance(value, str):
        try:
            check_choice(value, name, METHODS)
        except ValueError as exc:
            raise ValueError(
                f"{exc} A dict {{class: weight}} or a sequence of per-class weights "
                "works too."
            ) from None
        return WeightSpec(value, None, None, name)
    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"`{name}` is an empty dict; give at least one class.")
        for cls in value:
            if isinstance(cls, bool) or not isinstance(cls, Integral) or cls < 0:
                raise TypeError(
                    f"`{name}` as a dict must be keyed by class indices (ints >= 0), "
                    f"as Keras' class_weight is; got key {cls!r}."
                )
        classes = [int(c) for c in value]
        weights = check_class_weights([value[c] for c in value], name)
        table = dict(zip(classes, weights.tolist(), strict=True))
        return WeightSpec(None, table, None, name)
    if isinstance(value, bool) or value is None or _is_number(value):
        raise TypeError(
            f"`{name}` must be a method name {METHODS}, a dict {{class: weight}} or a "
            f"sequence of per-class weights; got {value!r}."
        )
    weights = check_class_weights(value, name)
    return WeightSpec(None, dict(enumerate(weights.tolist())), len(weights), name)


def _as_counts(value: Any, name: str) -> np.ndarray:
    """Counts of shape (num_classes,), or (n_labels, 2) for multilabel labels."""
    if getattr(value, "ndim", None) == 2:  # an array or tensor, not a nested list
        counts = host_float64(value)
        if counts.shape[0] == 0 or counts.shape[1] != 2:
            raise ValueError(
                f"`{name}` as a 2-D array holds the counts of multilabel labels, one "
                "row (count of 0s, count of 1s) per label: shape (n_labels, 2); got "
                f"shape {counts.shape}."
            )
        return counts
    return as_float64_vector(value, name)


def _check_counts(value: Any, name: str) -> np.ndarray | None:
    if value is None:
        return None
    counts = _as_counts(value, name)
    rows = counts.reshape(-1, counts.shape[-1] if counts.ndim == 2 else counts.size)
    if (
        not np.all(np.isfinite(counts))
        or np.any(counts < 0)
        or np.any(rows.sum(axis=-1) <= 0)
    ):
        raise ValueError(
            f"`{name}` must hold finite counts >= 0, not all 0 (one per class, in "
            "class order; for multilabel labels one row per label, each with some "
            f"count); got {counts.tolist()}."
        )
    return counts


def _check_num_classes(value: Any, name: str) -> int | None:
    return check_int(value, name, low=2, allow_none=True)


def _check_one_hot(value: Any, name: str) -> bool | None:
    # An optional bool: _params.check_bool has no None, and None means "decide".
    if value is not None and not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be None or a bool; got {type(value).__name__}.")
    return None if value is None else bool(value)


def _check_multilabel(value: Any, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be a bool; got {type(value).__name__}.")
    return bool(value)


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "class_weight": _check_spec,
    "class_counts": _check_counts,
    "num_classes": _check_num_classes,
    "one_hot": _check_one_hot,
    "multilabel": _check_multilabel,
}
_SEQUENCE_LEAVES = ("class_weight", "class_counts")


def check_parameter(value: Any, name: str) -> tuple[Any, Any]:
    """``(shared, per_output)``: the checked value, one of the two None.

    ``per_output`` is a dict (by output name) or a tuple (by output index).
    """
    check = _CHECKS[name]
    per_output = _split_per_output(
        value, name, leaf_is_sequence=name in _SEQUENCE_LEAVES
    )
    if per_output is None:
        return check(value, name), None
    if isinstance(per_output, dict):
        return None, {k: check(v, f"{name}[{k!r}]") for k, v in per_output.items()}
    return None, tuple(check(v, f"{name}[{i}]") for i, v in enumerate(per_output))


def pick(
    name: str, shared: Any, per_output: Any, keys: list[OutputKey], key: OutputKey
) -> Any:
    """The value of output ``key``, checking a per-output value fits the outputs."""
    if per_output is None:
        return shared
    if keys == [None]:
        raise ValueError(
            f"`{name}` is given per output, but the labels are a single tensor; give "
            "one value for it."
        )
    if isinstance(per_output, dict):
        if set(per_output) != set(keys):
            raise ValueError(
                f"`{name}` is given for the outputs {sorted(per_output)}, but the "
                f"labels have the outputs {keys}."
            )
    elif len(per_output) != len(keys) or isinstance(keys[0], str):
        raise ValueError(
            f"`{name}` is given per output as a sequence of {len(per_output)}, but the "
            f"labels have the outputs {keys}; give one entry per output (a dict "
            "keyed by name for a dict of outputs)."
        )
    return per_output[key]
