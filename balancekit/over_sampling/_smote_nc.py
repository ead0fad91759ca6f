"""Host-side pieces shared by SMOTENC and SMOTEN: input checks, tables, targets.

Both samplers encode categories with scikit-learn, so they read NumPy arrays and
pandas DataFrames on the host (sparse matrices are densified) and give results back in
the caller's container, pandas columns keeping their dtypes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning

from balancekit._array_api import is_numpy_namespace, is_pandas, is_sparse, take_rows
from balancekit._features import concat_rows
from balancekit._typing import Array
from balancekit._validation import Validated
from balancekit._warnings import user_stacklevel

__all__ = [
    "CHUNK_ELEMENTS",
    "HostTable",
    "check_encoder",
    "check_host_input",
    "fitted_categories",
    "host_table",
    "resampled_targets",
    "weights_of",
]

# Elements of the temporary arrays built per chunk of rows (about 32 MB of float64).
CHUNK_ELEMENTS = 1 << 22


def check_host_input(data: Validated, sampler: str) -> None:
    """Refuse what the categorical samplers cannot read: tensors, more than 2-D."""
    if not is_numpy_namespace(data.xp):
        kind = type(data.X)
        raise TypeError(
            f"{sampler} works on NumPy arrays and pandas DataFrames (its categorical "
            "columns are encoded with scikit-learn on the host); got `X` of type "
            f"{kind.__module__}.{kind.__qualname__}. For tensors, encode the "
            "categorical features numerically (e.g. a learned embedding) and use "
            "SMOTE, which runs on the tensor's device."
        )
    if len(data.X.shape) != 2:
        raise ValueError(
            f"`X` must be 2-D (n_samples, n_features) for {sampler}; got shape "
            f"{tuple(data.X.shape)}."
        )


def check_encoder(encoder: Any, kind: str) -> None:
    """``categorical_encoder`` is None or has fit_transform and inverse_transform."""
    if encoder is None:
        return
    methods = ("fit_transform", "inverse_transform")
    if not all(hasattr(encoder, method) for method in methods):
        raise TypeError(
            "`categorical_encoder` must be None or an encoder with `fit_transform` and "
            f"`inverse_transform` methods (e.g. sklearn.preprocessing.{kind}); got "
            f"{type(encoder).__name__}."
        )


def fitted_categories(encoder: Any) -> list[np.ndarray]:
    """The fitted encoder's ``categories_``, one array per encoded column."""
    categories = getattr(encoder, "categories_", None)
    if categories is None:
        raise TypeError(
            "`categorical_encoder` must expose `categories_` once fitted (one array of "
            f"categories per column), as scikit-learn's encoders do; "
            f"{type(encoder).__name__} does not."
        )
    return list(categories)


@dataclass(frozen=True)
class HostTable:
    """X as the categorical samplers read it: a 2-D NumPy array or the DataFrame.

    SciPy sparse input is made dense; ``sparse_format`` records it, so the result is
    given back in that format.
    """

    X: Any
    sparse_format: str | None = None

    def columns(self, indices: np.ndarray) -> Any:
        """Columns ``indices`` (a DataFrame for pandas input)."""
        if is_pandas(self.X):
            return self.X.iloc[:, indices]
        return self.X[:, indices]

    def with_new_rows(self, new_columns: list[np.ndarray], dtype: Any = None) -> Any:
        """X followed by new rows, given column by column, in X's container.

        pandas keeps each column's dtype (categoricals stay categorical); a NumPy
        result has ``dtype`` (default X's).
        """
        if is_pandas(self.X):
            return _frame_with_new_rows(self.X, new_columns)
        dtype = self.X.dtype if dtype is None else np.dtype(dtype)
        n_new = len(new_columns[0])
        new = np.empty((n_new, len(new_columns)), dtype=dtype)
        for position, values in enumerate(new_columns):
            new[:, position] = values
        stacked = np.concatenate([self.X.astype(dtype, copy=False), new])
        if self.sparse_format is not None:
            return sp.csr_matrix(stacked).asformat(self.sparse_format)
        return stacked


def _frame_with_new_rows(frame: Any, new_columns: list[np.ndarray]) -> Any:
    """``frame`` followed by the new rows, each column cast to the frame's dtype."""
    import pandas as pd

    parts = {
        position: pd.Series(values).astype(frame.dtypes.iloc[position])
        for position, values in enumerate(new_columns)
    }
    new = pd.DataFrame(parts)
    new.columns = frame.columns
    return pd.concat([frame, new], ignore_index=True)


def host_table(X: Array, sampler: str) -> HostTable:
    """Wrap validated NumPy/pandas X; sparse X is densified, with a warning."""
    if not is_sparse(X):
        return HostTable(X=X)
    warnings.warn(
        f"{sampler} converts the sparse `X` to a dense array internally (categorical "
        "columns are encoded from dense values); the result is sparse again.",
        DataConversionWarning,
        stacklevel=user_stacklevel(),
    )
    return HostTable(X=X.toarray(), sparse_format=X.format)


def resampled_targets(
    data: Validated, parents: np.ndarray, new_weights: np.ndarray | None
) -> tuple[Any, Any]:
    """y with its parents' labels appended; weights with ``new_weights`` appended."""
    y_res = concat_rows(data.y, take_rows(data.y, parents, data.xp), data.xp)
    if data.sample_weight is None:
        return y_res, None
    return y_res, np.concatenate([weights_of(data), new_weights])


def weights_of(data: Validated) -> np.ndarray:
    """The validated ``sample_weight`` as a NumPy array."""
    w = data.sample_weight
    return w.to_numpy() if is_pandas(w) else np.asarray(w)
