"""Label validation and class counting, on the labels' own device.

Only the sorted classes and their counts (O(n_classes) values) come back to the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import bincount, is_numpy_namespace, is_pandas, to_host

__all__ = ["Labels", "check_labels"]

_MULTILABEL_MESSAGE = (
    "Multilabel and multioutput targets are not supported: each row of a 2-D `y` must "
    "be one-hot (exactly one 1). Pass class labels of shape (n_samples,) instead."
)


@dataclass(frozen=True)
class Labels:
    """Validated labels.

    Attributes
    ----------
    y : array
        1-D labels in the input's namespace and device (one-hot rows decoded to
        positions).
    classes : tuple
        The sorted distinct labels as Python scalars.
    counts : tuple of int
        The number of samples of each class, aligned with ``classes``.
    """

    y: Any
    classes: tuple
    counts: tuple[int, ...]

    @property
    def class_counts(self) -> dict:
        """``{class: count}`` in sorted class order."""
        return dict(zip(self.classes, self.counts, strict=True))


def _python_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _as_numpy_labels(y: Any, name: str) -> np.ndarray:
    if is_pandas(y):
        y = y.to_numpy()
    array = np.asarray(y)
    if array.dtype.kind == "c":
        raise TypeError(
            f"`{name}` has complex dtype {array.dtype}; class labels must be real."
        )
    return array


def _to_1d(y: Any, xp: ModuleType, name: str) -> Any:
    """Ravel a column vector, decode one-hot rows; reject any other non-1-D shape."""
    if y.ndim == 1:
        return y
    if y.ndim == 2 and y.shape[1] == 1:
        return xp.reshape(y, (-1,))
    if y.ndim == 2:
        if not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
            raise ValueError(_MULTILABEL_MESSAGE)
        is_binary = xp.all((y == 0) | (y == 1))
        one_per_row = xp.all(xp.sum(xp.astype(y != 0, xp.int32), axis=1) == 1)
        if not (bool(is_binary) and bool(one_per_row)):
            raise ValueError(_MULTILABEL_MESSAGE)
        return xp.argmax(xp.astype(y, xp.int32), axis=1)
    raise ValueError(f"`{name}` must be 1-D (n_samples,); got shape {tuple(y.shape)}.")


def check_float_labels(y: Any, xp: ModuleType, name: str) -> None:
    if bool(xp.any(xp.isnan(y))):
        raise ValueError(
            f"`{name}` contains NaN; every sample needs a class label. Drop or impute "
            "the unlabelled rows first."
        )
    if not bool(xp.all(y == xp.round(y))):
        raise ValueError(
            f"Unknown label type: `{name}` holds continuous (non-integer) float "
            "values, which are regression targets, not classes. Pass integer or "
            "string class labels (e.g. bin the values first)."
        )


# Labels 0..65535 are counted with bincount: O(n) instead of a sort, and only the
# counts (at most this many values) cross to the host.
_BINCOUNT_MAX_LABEL = 1 << 16


def _bincount_counts(y: Any, xp: ModuleType) -> tuple[tuple, tuple[int, ...]] | None:
    """Class counts by bincount for small non-negative integer labels, else None."""
    if not xp.isdtype(y.dtype, "integral"):
        return None
    low, high = int(xp.min(y)), int(xp.max(y))
    if low < 0 or high > _BINCOUNT_MAX_LABEL:
        return None
    counts = to_host(bincount(y, high + 1, None, xp), xp)
    present = np.flatnonzero(counts)
    return tuple(int(c) for c in present), tuple(int(n) for n in counts[present])


def _numpy_counts(y: np.ndarray, name: str) -> tuple[tuple, tuple[int, ...]]:
    if y.dtype == object:
        missing = (y == None) | (y != y)  # noqa: E711  (None or NaN, elementwise)
        if missing.any():
            raise ValueError(
                f"`{name}` contains {int(missing.sum())} missing labels (None or NaN); "
                "drop those rows or give them a class first."
            )
    try:
        values, counts = np.unique(y, return_counts=True)
    except TypeError:
        raise TypeError(
            f"`{name}` mixes label types that cannot be ordered (e.g. strings and "
            "numbers); use one type for every label."
        ) from None
    return tuple(_python_scalar(c) for c in values), tuple(int(n) for n in counts)


def check_labels(y: Any, xp: ModuleType, *, name: str = "y") -> Labels:
    """Validate class labels and count the classes where the labels live.

    Parameters
    ----------
    y : array-like
        Labels of shape (n_samples,), (n_samples, 1) or one-hot (n_samples, n_classes):
        integers or booleans in any namespace, and floats holding whole numbers; strings
        and other objects for NumPy input.
    xp : module
        The namespace resolved for the call.
    name : str
        The parameter name used in error messages.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> check_labels(np.array([0, 1, 1, 2]), xp).class_counts
    {0: 1, 1: 2, 2: 1}
    """
    if is_numpy_namespace(xp):
        y = _as_numpy_labels(y, name)
        if y.dtype.kind not in "biufOUS":
            raise TypeError(
                f"`{name}` has dtype {y.dtype}; use integer or string class labels."
            )
    elif not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
        raise TypeError(
            f"`{name}` has dtype {y.dtype}; array labels must be integers or booleans "
            "(string labels are accepted for NumPy input only)."
        )
    if y.ndim == 0:
        raise ValueError(f"`{name}` must be 1-D (n_samples,); got a scalar.")
    y = _to_1d(y, xp, name)
    if y.shape[0] == 0:
        raise ValueError(f"`{name}` is empty; at least one labelled sample is needed.")
    if is_numpy_namespace(xp):
        if y.dtype.kind == "f":
            check_float_labels(y, xp, name)
        classes, counts = _bincount_counts(y, xp) or _numpy_counts(y, name)
    else:
        if xp.isdtype(y.dtype, "real floating"):
            check_float_labels(y, xp, name)
        dense = _bincount_counts(y, xp)
        if dense is not None:
            classes, counts = dense
        else:
            values, value_counts = xp.unique_counts(y)
            classes = tuple(_python_scalar(c) for c in to_host(values, xp))
            counts = tuple(int(n) for n in to_host(value_counts, xp))
    return Labels(y=y, classes=classes, counts=counts)
