"""The one check of a multilabel indicator: a 2-D array of 0/1 values, one column per
label, on any array-API backend.

The metrics, the multilabel measures and the multilabel samplers all read their
targets through :func:`check_indicator`, so a bad target gets the same message
everywhere. Only a few flags and counts (never the matrix) come to the host.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import is_pandas, is_sparse, to_host
from balancekit._labels import python_scalar
from balancekit._typing import Array, Namespace

__all__ = ["BINARIZE_HINT", "IndicatorDtypeError", "check_indicator", "host_array"]

BINARIZE_HINT = (
    "Encode each label as a 0/1 column (e.g. with "
    "sklearn.preprocessing.MultiLabelBinarizer for label lists)."
)


class IndicatorDtypeError(TypeError, ValueError):
    """A target that is not numeric: a TypeError, and the ValueError scikit-learn's
    metrics raise for it (as a "multiclass-multioutput" target)."""


def _dtype_text(y: Any) -> str:
    dtype = getattr(y, "dtype", None)  # a NumPy dtype of no fields is falsy: test None
    return f"dtype {dtype}" if dtype is not None else type(y).__name__


def _check_dtype(y: Any, xp: Namespace, name: str) -> None:
    dtype = getattr(y, "dtype", None)
    numeric = getattr(dtype, "kind", "b") in "biuf"
    if dtype is None or not (
        numeric and xp.isdtype(dtype, ("bool", "integral", "real floating"))
    ):
        raise IndicatorDtypeError(
            f"`{name}` must be a multilabel indicator of 0/1 values of a bool, integer "
            f"or float dtype; got {_dtype_text(y)}. {BINARIZE_HINT}"
        )


def _check_shape(y: Array, name: str, min_labels: int) -> None:
    shape = tuple(int(size) for size in y.shape)
    if len(shape) != 2:
        raise ValueError(
            f"`{name}` must be a multilabel indicator of shape (n_samples, n_labels); "
            f"got shape {shape}. For 1-D class labels use the single-label functions. "
            f"{BINARIZE_HINT}"
        )
    if shape[0] == 0 or shape[1] < min_labels:
        raise ValueError(
            f"`{name}` is empty (shape {shape}): a multilabel indicator needs at least "
            f"one sample and {min_labels} label column(s)."
        )


def _check_zero_one(y: Array, xp: Namespace, name: str) -> None:
    if xp.isdtype(y.dtype, "integral"):  # two reductions, no temporary: 0 <= y <= 1
        low, high = to_host(xp.stack([xp.min(y), xp.max(y)]), xp).tolist()
        if low >= 0 and high <= 1:
            return
    flat = xp.reshape(y, (-1,))
    if xp.isdtype(y.dtype, "real floating"):
        n_nan = int(to_host(xp.count_nonzero(xp.isnan(flat)), xp))
        if n_nan:
            raise ValueError(
                f"`{name}` contains {n_nan} NaN value(s); a multilabel indicator holds "
                "only 0 and 1. Fill or drop the missing labels first."
            )
    bad = (flat != 0) & (flat != 1)
    n_bad = int(to_host(xp.count_nonzero(bad), xp))
    if n_bad:
        first = xp.argmax(xp.astype(bad, xp.int8))
        found = python_scalar(to_host(flat[first], xp)[()])
        raise ValueError(
            f"`{name}` must hold only 0 and 1 (a multilabel indicator); found {n_bad} "
            f"other value(s), e.g. {found!r} (multiclass-multioutput targets are not "
            f"supported). {BINARIZE_HINT}"
        )


def check_indicator(
    y: Any, xp: Namespace, name: str = "y", *, min_labels: int = 1, as_bool: bool = True
) -> Array:
    """``y`` checked as a multilabel indicator, returned as a bool array on its device.

    Parameters
    ----------
    y : array of shape (n_samples, n_labels)
        An array of ``xp`` holding only 0 and 1 (bool, integer or real float dtype).
    xp : namespace
        ``y``'s array namespace.
    name : str, default="y"
        The parameter's name, for the messages.
    min_labels : int, default=1
        The fewest label columns accepted.
    as_bool : bool, default=True
        Return ``y == 1``; False returns ``y`` itself once checked (integer 0/1
        arrays can then be counted without a boolean copy).

    Returns
    -------
    array of shape (n_samples, n_labels)
        ``y == 1`` (``y`` itself when it is already boolean, or with
        ``as_bool=False``); ``y`` is not modified.

    Raises
    ------
    IndicatorDtypeError
        (a TypeError and a ValueError) For a non-numeric dtype.
    ValueError
        For another shape than 2-D, no sample, fewer than ``min_labels`` columns,
        NaN or any value other than 0 and 1 (one of them is shown).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> check_indicator(xp.asarray([[0, 1], [1, 1]]), xp).tolist()
    [[False, True], [True, True]]
    >>> check_indicator(xp.asarray([[0, 2]]), xp, "y_true")
    Traceback (most recent call last):
    ...
    ValueError: `y_true` must hold only 0 and 1 (a multilabel indicator); found 1 ...
    """
    _check_dtype(y, xp, name)
    _check_shape(y, name, min_labels)
    if xp.isdtype(y.dtype, "bool"):
        return y
    _check_zero_one(y, xp, name)
    return y == 1 if as_bool else y


def host_array(value: Any, name: str) -> Any:
    """Host containers (lists, tuples, pandas) as NumPy arrays; other arrays unchanged;
    SciPy sparse matrices refused (the multilabel tools take dense indicators).

    Examples
    --------
    >>> host_array([[0, 1], [1, 0]], "y").shape
    (2, 2)
    """
    if is_sparse(value):
        raise TypeError(
            f"`{name}` is a SciPy sparse matrix; pass a dense array, e.g. "
            f"`{name}.toarray()`."
        )
    if is_pandas(value):
        return value.to_numpy()
    if isinstance(value, list | tuple):
        try:
            return np.asarray(value)
        except ValueError as exc:
            raise ValueError(
                f"`{name}` could not be read as an array ({exc}). Rows of a list "
                "must all have the same length."
            ) from None
    return value
