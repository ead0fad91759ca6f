"""The messages of the label faults: one per fault, written once.

Every label validator (``balancekit._labels``) and every consumer that finds one of
these faults itself raises with these functions, so a fault reads the same whoever
finds it: samplers, weights, metrics, ranking, streaming metrics.

Examples
--------
>>> from balancekit._label_messages import empty_message
>>> empty_message("y_true")
'`y_true` is empty; at least one labelled sample is needed.'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "complex_message",
    "continuous_message",
    "dtype_message",
    "empty_message",
    "length_message",
    "missing_message",
    "mixed_types_message",
    "nan_message",
    "shape_message",
    "string_classes_message",
    "unorderable_message",
    "unseen_message",
]


def empty_message(name: str) -> str:
    """No sample at all."""
    return f"`{name}` is empty; at least one labelled sample is needed."


def dtype_message(name: str, dtype: Any) -> str:
    """A dtype that cannot hold class labels (TypeError)."""
    return (
        f"`{name}` has dtype {dtype}; class labels must be integers, booleans, "
        "whole-number floats or strings (strings for NumPy input only)."
    )


def complex_message(name: str, dtype: Any) -> str:
    """Complex labels (TypeError)."""
    return f"`{name}` has complex dtype {dtype}; class labels must be real."


def shape_message(name: str, shape: tuple) -> str:
    """Not one label per sample: a scalar, 3-D, or a multilabel / multioutput 2-D."""
    got = "a scalar" if shape == () else f"shape {shape}"
    return (
        f"`{name}` must be 1-D class labels of shape (n_samples,); got {got}. "
        "Multilabel and multioutput targets are not supported: pass one label per "
        "sample (e.g. the `argmax` of one-hot rows)."
    )


def nan_message(name: str) -> str:
    """NaN or infinite float labels."""
    return (
        f"`{name}` contains NaN or infinity; every sample needs a finite class label. "
        "Drop or impute the unlabelled rows first."
    )


def continuous_message(name: str) -> str:
    """Float labels that are not whole numbers: a regression target."""
    return (
        f"Unknown label type: `{name}` holds continuous (non-integer) float values, "
        "which are regression targets, not classes. Pass integer or string class "
        "labels (e.g. bin the values first)."
    )


def missing_message(name: str, n_missing: int) -> str:
    """None or NaN entries of an object array."""
    return (
        f"`{name}` contains {n_missing} missing labels (None or NaN); drop those rows "
        "or give them a class first."
    )


def unorderable_message(name: str) -> str:
    """One array mixing label types that cannot be sorted (TypeError)."""
    return (
        f"`{name}` mixes label types that cannot be ordered (e.g. strings and "
        "numbers); use one type for every label."
    )


def mixed_types_message(first: str, second: str) -> str:
    """Two label arrays of different kinds (strings against numbers)."""
    return (
        f"Mix of label input types (string and number): `{first}` and `{second}` "
        "must both hold strings or both hold numbers; use one type for every label."
    )


def length_message(first: str, n_first: int, second: str, n_second: int) -> str:
    """Labels and another per-sample array of different lengths."""
    return (
        f"`{first}` and `{second}` have different lengths (inconsistent numbers of "
        f"samples): `{first}` has {n_first} labels but `{second}` has {n_second}. "
        "Pass one entry of each per sample."
    )


def unseen_message(name: str, value: Any, labels: Sequence, labels_name: str) -> str:
    """A label outside the classes given up front."""
    return (
        f"`{name}` contains the label {value!r}, which is not in `{labels_name}` "
        f"{list(labels)}; pass every class label in `{labels_name}`."
    )


def string_classes_message(name: str, labels_name: str, module: str) -> str:
    """String classes against a non-NumPy array (TypeError-free: a ValueError)."""
    return (
        f"`{labels_name}` holds strings, which only NumPy input can hold; `{name}` is "
        f"a {module} array."
    )
