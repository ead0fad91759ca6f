"""Numeric features for the samplers that compute on X (kNN, interpolation).

Index samplers never read X; the neighbour-based ones need finite real numbers. Here X
is turned into a float array of its own namespace (SciPy sparse stays sparse), checked,
and the result is later put back in the caller's container.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import array_api_extra as xpx
import numpy as np

from balancekit._array_api import is_numpy_namespace, is_pandas, is_sparse
from balancekit._typing import Array, Device, Namespace

__all__ = ["NumericFeatures", "concat_rows", "numeric_features"]


@dataclass(frozen=True)
class NumericFeatures:
    """X as finite floats in its namespace, and how to give results back.

    ``values`` has X's shape (sparse stays sparse); ``flat`` is the 2-D view used for
    distances; ``frame`` is the caller's DataFrame, if any, for column names and dtypes.
    """

    values: Array
    flat: Array
    frame: Any = None

    def to_container(self, values: Array) -> Array:
        """Put resampled values back in the caller's container (pandas stays pandas)."""
        if self.frame is None:
            return values
        import pandas as pd

        rebuilt = pd.DataFrame(values, columns=self.frame.columns)
        return rebuilt.astype(self.frame.dtypes.to_dict())


def _float_dtype_for(X: Array, xp: Namespace, device: Device) -> Any:
    if is_numpy_namespace(xp) or is_sparse(X):
        return X.dtype if X.dtype.kind == "f" else np.float64
    if xp.isdtype(X.dtype, "real floating"):
        return X.dtype
    return xpx.default_dtype(xp, device=device)


def _all_finite(values: Array, xp: Namespace) -> bool:
    if is_sparse(values):
        return bool(np.isfinite(values.data).all())
    return bool(xp.all(xp.isfinite(values)))


def _object_to_float(X: np.ndarray, name: str, why: str) -> np.ndarray:
    """Object arrays of numbers become float64; anything else is a TypeError."""
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`{name}` holds values that are not numbers ({exc}); {why} Encode the "
            "features numerically first."
        ) from None


def numeric_features(
    X: Array,
    xp: Namespace,
    device: Device,
    *,
    name: str = "X",
    finite: bool = True,
    why: str = "this sampler computes distances and needs numbers.",
) -> NumericFeatures:
    """Validate that X holds real numbers (finite unless ``finite=False``) as floats.

    ``why`` ends the error message for non-numeric input.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> numeric_features(np.arange(6).reshape(3, 2), xp, "cpu").values.dtype
    dtype('float64')
    """
    frame = X if is_pandas(X) else None
    if frame is not None:
        X = frame.to_numpy()
    if is_numpy_namespace(xp) and not is_sparse(X) and X.dtype == object:
        X = _object_to_float(X, name, why)
    elif not is_sparse(X):
        kind_ok = (
            X.dtype.kind in "biuf"
            if is_numpy_namespace(xp)
            else xp.isdtype(X.dtype, ("bool", "integral", "real floating"))
        )
        if not kind_ok:
            raise TypeError(
                f"`{name}` has dtype {X.dtype}; {why} Encode the features "
                "numerically first."
            )
    dtype = _float_dtype_for(X, xp, device)
    if is_sparse(X):
        values = X.astype(dtype)
    else:
        values = X if X.dtype == dtype else xp.astype(X, dtype)
    if finite and not _all_finite(values, xp):
        raise ValueError(
            f"`{name}` contains NaN or infinity; neighbour distances need finite "
            "values. Impute or drop those entries first."
        )
    if is_sparse(values):
        flat = values.tocsr()
    elif values.ndim == 2:
        flat = values
    else:
        flat = xp.reshape(values, (values.shape[0], -1))
    return NumericFeatures(values=values, flat=flat, frame=frame)


def concat_rows(first: Array, second: Array, xp: Namespace) -> Array:
    """Rows of ``first`` then ``second``, in the container of ``first``."""
    if is_pandas(first):
        import pandas as pd

        return pd.concat([first, second], ignore_index=True)
    if is_sparse(first):
        import scipy.sparse as sp

        return sp.vstack([first, second], format=first.format)
    return xp.concat([first, second], axis=0)
