"""SMOTE-NC: SMOTE for data that mixes categorical and continuous columns.

Continuous columns of a new row are interpolated as in SMOTE. Each categorical column
takes the value most frequent among the parent's k same-class neighbours, ties broken
uniformly at random. Neighbours are searched on the continuous columns next to the
one-hot encoded categorical ones, scaled by ``median_std / sqrt(2)``: two rows that
differ in one category are then ``median_std`` apart, the median standard deviation of
the class's continuous columns (Chawla et al., 2002, as imbalanced-learn does).

Categorical data is encoded with scikit-learn, on the host: SMOTENC takes NumPy arrays
and pandas DataFrames.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import array_api_compat.numpy as xp_numpy
import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.preprocessing import OneHotEncoder

from balancekit._array_api import class_indices, is_pandas
from balancekit._dask_route import dask_entry_point, has_dask
from balancekit._typing import Array
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import (
    BaseSMOTE,
    SyntheticRows,
    fit_neighbours,
    interpolate,
    neighbours_excluding_self,
)
from balancekit.over_sampling._smote_nc import (
    CHUNK_ELEMENTS,
    HostTable,
    check_encoder,
    check_host_input,
    fitted_categories,
    host_table,
    resampled_targets,
    weights_of,
)

__all__ = ["SMOTENC", "resolve_categorical_columns"]

# Above this many elements a class's encoded points stay sparse (about 128 MB dense).
_DENSE_POINTS_LIMIT = 1 << 24


# --- which columns are categorical ---------------------------------------------------


def resolve_categorical_columns(spec: Any, X: Array) -> np.ndarray:
    """Positions of the categorical columns named by ``categorical_features``.

    ``spec`` is "auto" (pandas ``CategoricalDtype`` columns), integer positions
    (negative ones count from the end), a boolean mask, or column names of a DataFrame.
    """
    n_features = int(X.shape[1])
    if isinstance(spec, str):
        if spec != "auto":
            raise ValueError(
                "`categorical_features` must be 'auto' or an array-like of column "
                f"indices, names or a boolean mask; got {spec!r}."
            )
        return _categorical_dtype_columns(X)
    if np.isscalar(spec) or not hasattr(spec, "__len__"):
        raise TypeError(
            "`categorical_features` must be 'auto' or an array-like of column indices, "
            f"names or a boolean mask; got {type(spec).__name__}."
        )
    values = np.asarray(spec)
    if values.size == 0:
        return np.empty(0, dtype=np.int64)
    if values.ndim != 1:
        raise ValueError(
            "`categorical_features` must be 1-D (one entry per categorical column, or "
            f"a mask of length n_features); got shape {values.shape}."
        )
    if values.dtype.kind == "b":
        return _mask_columns(values, n_features)
    if values.dtype.kind in "iu":
        return _index_columns(values, n_features)
    if all(isinstance(value, str) for value in values.tolist()):
        return _named_columns(values.tolist(), X)
    raise TypeError(
        "`categorical_features` must hold integer column indices, booleans (a mask) "
        f"or column names (strings); got dtype {values.dtype} ({values[:3].tolist()}"
        f"{', ...' if values.size > 3 else ''})."
    )


def _categorical_dtype_columns(X: Array) -> np.ndarray:
    if not is_pandas(X):
        raise ValueError(
            "`categorical_features='auto'` finds the categorical columns from pandas "
            "CategoricalDtype and needs `X` to be a pandas DataFrame; got "
            f"{type(X).__name__}. Pass the column indices, names or a boolean mask."
        )
    import pandas as pd

    is_categorical = [isinstance(dtype, pd.CategoricalDtype) for dtype in X.dtypes]
    return np.flatnonzero(is_categorical).astype(np.int64)


def _mask_columns(mask: np.ndarray, n_features: int) -> np.ndarray:
    if mask.shape[0] != n_features:
        raise ValueError(
            "`categorical_features` as a boolean mask must have one entry per column "
            f"of X ({n_features}); got length {mask.shape[0]}."
        )
    return np.flatnonzero(mask).astype(np.int64)


def _index_columns(indices: np.ndarray, n_features: int) -> np.ndarray:
    bad = indices[(indices < -n_features) | (indices >= n_features)]
    if bad.size:
        raise ValueError(
            f"`categorical_features` holds column indices {bad.tolist()} out of range "
            f"for X with {n_features} feature(s); valid indices are {-n_features} to "
            f"{n_features - 1}."
        )
    positions = np.where(indices < 0, indices + n_features, indices).astype(np.int64)
    _check_no_duplicates(positions)
    return positions


def _named_columns(names: list[str], X: Array) -> np.ndarray:
    if not is_pandas(X):
        raise ValueError(
            "`categorical_features` given as column names needs `X` to be a pandas "
            f"DataFrame; got {type(X).__name__}. Pass column indices or a mask."
        )
    columns = list(X.columns)
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ValueError(
            f"`categorical_features` names columns {unknown} that are not in X; its "
            f"columns are {columns[:10]}{' ...' if len(columns) > 10 else ''}."
        )
    positions = np.array([columns.index(name) for name in names], dtype=np.int64)
    _check_no_duplicates(positions)
    return positions


def _check_no_duplicates(positions: np.ndarray) -> None:
    values, counts = np.unique(positions, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            "`categorical_features` lists columns more than once: positions "
            f"{values[counts > 1].tolist()}."
        )


def _check_mixed(categorical: np.ndarray, n_features: int) -> None:
    """SMOTE-NC needs at least one categorical and one continuous column."""
    if categorical.size == 0:
        raise ValueError(
            "`categorical_features` selects no column of X (which has "
            f"{n_features} feature(s)); SMOTENC needs categorical columns. For "
            "numerical features only, use SMOTE."
        )
    if categorical.size == n_features:
        raise ValueError(
            "`categorical_features` selects every column of X (which has "
            f"{n_features} feature(s)); SMOTENC needs at least one continuous column. "
            "For categorical features only, use SMOTEN."
        )


# --- continuous columns, one-hot codes, encoded points -------------------------------


def continuous_values(table: HostTable, positions: np.ndarray) -> np.ndarray:
    """The continuous columns as finite floats (float32 stays float32)."""
    values = table.columns(positions)
    if is_pandas(values):
        _check_numeric_frame(values)
        values = values.to_numpy(na_value=np.nan)  # nullable dtypes: NA -> NaN
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                "The continuous columns of `X` (those not in `categorical_features`) "
                f"must hold numbers ({exc}). List the non-numeric columns in "
                "`categorical_features` or encode them numerically."
            ) from None
    dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
    values = values.astype(dtype, copy=False)
    finite = np.isfinite(values)
    if not finite.all():
        bad = positions[~finite.all(axis=0)].tolist()
        raise ValueError(
            f"`X` contains NaN or infinity in continuous column(s) {bad}; neighbour "
            "distances need finite values. Impute or drop those entries, or list the "
            "columns in `categorical_features` if they are categories."
        )
    return values


def _check_numeric_frame(frame: Any) -> None:
    from pandas.api.types import is_numeric_dtype

    bad = [
        frame.columns[i]
        for i, dtype in enumerate(frame.dtypes)
        if not is_numeric_dtype(dtype)
    ]
    if bad:
        raise TypeError(
            f"Column(s) {bad} of `X` are not numeric but are not in "
            "`categorical_features`; list them as categorical or encode them "
            "numerically."
        )


def _one_hot_codes(one_hot: Any, offsets: np.ndarray) -> np.ndarray:
    """Per row and categorical column, the position of the active one-hot entry."""
    n_rows, n_columns = one_hot.shape[0], offsets.size - 1
    one_hot = one_hot.copy()
    one_hot.eliminate_zeros()
    one_hot.sort_indices()
    if one_hot.nnz == n_rows * n_columns:  # the usual case: one entry per column
        active = one_hot.indices.reshape(n_rows, n_columns) - offsets[:-1]
        if ((active >= 0) & (active < np.diff(offsets))).all():
            return active.astype(np.intp)
    codes = np.empty((n_rows, n_columns), dtype=np.intp)
    for column, (start, stop) in enumerate(itertools.pairwise(offsets)):
        codes[:, column] = np.asarray(one_hot[:, start:stop].argmax(axis=1)).ravel()
    return codes


def _decode(categories: list[np.ndarray], codes: np.ndarray) -> list[np.ndarray]:
    """The category values of ``codes``, column by column (``categories_[j][code]``)."""
    return [np.asarray(values)[codes[:, j]] for j, values in enumerate(categories)]


def _median_std(continuous: np.ndarray) -> float:
    """Median over the columns of their (population) standard deviation."""
    return float(np.median(np.std(continuous, axis=0, dtype=np.float64)))


def _encoded_points(continuous: np.ndarray, one_hot: Any, scale: float) -> Any:
    """Continuous columns next to the one-hot columns times ``scale``.

    Dense unless that would be large; then CSR (scikit-learn's kNN takes both).
    """
    n_rows = continuous.shape[0]
    n_columns = continuous.shape[1] + one_hot.shape[1]
    if n_rows * n_columns <= _DENSE_POINTS_LIMIT:
        scaled = one_hot.toarray().astype(continuous.dtype) * scale
        return np.hstack([continuous, scaled])
    blocks = [sp.csr_matrix(continuous), one_hot * scale]
    return sp.hstack(blocks, format="csr", dtype=continuous.dtype)


def most_frequent_codes(
    codes: np.ndarray, neighbour_rows: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Per new row and column, the code most frequent among its neighbours' codes.

    ``neighbour_rows`` (n_new, k) indexes ``codes`` (n_samples, n_columns). Ties are
    broken uniformly at random among the tied codes: each of the k neighbours gets a
    key ``count + u / 2`` (``u`` uniform in [0, 1)) and the largest key wins; tied
    codes have equally many neighbours, so each is as likely.
    """
    n_new, k = neighbour_rows.shape
    n_columns = codes.shape[1]
    result = np.empty((n_new, n_columns), dtype=codes.dtype)
    chunk = max(1, CHUNK_ELEMENTS // max(1, k * k * n_columns))
    for start in range(0, n_new, chunk):
        block = codes[neighbour_rows[start : start + chunk]]  # (rows, k, columns)
        counts = (block[:, :, None, :] == block[:, None, :, :]).sum(axis=2)
        keys = counts + 0.5 * rng.random(counts.shape)
        winner = keys.argmax(axis=1)[:, None, :]
        result[start : start + chunk] = np.take_along_axis(block, winner, axis=1)[:, 0]
    return result


def _output_dtype(X: np.ndarray, continuous_dtype: np.dtype) -> np.dtype:
    """NumPy result dtype: X's when float or object, object for text, else float."""
    if X.dtype.kind in "fO":
        return X.dtype
    if X.dtype.kind in "USV":
        return np.dtype(object)
    return continuous_dtype


@dask_entry_point
class SMOTENC(BaseSMOTE):
    """SMOTE for Nominal and Continuous features (Chawla et al., 2002).

    New rows are grown as in SMOTE on the continuous columns: on the segment between a
    random row of the class and one of its ``k_neighbors`` nearest same-class
    neighbours. Each categorical column takes the value most frequent among those k
    neighbours (ties broken uniformly at random). Distances use the continuous columns
    and the one-hot encoded categorical ones scaled so that a differing category counts
    as the median standard deviation of the class's continuous columns. A drop-in for
    ``imblearn.over_sampling.SMOTENC``, for NumPy arrays and pandas DataFrames.

    Parameters
    ----------
    categorical_features : "auto" or array-like
        Which columns are categorical: ``"auto"`` for the pandas ``CategoricalDtype``
        columns of a DataFrame; integer column indices (negative ones count from the
        end); a boolean mask of length ``n_features``; or the column names of a
        DataFrame. At least one column must be categorical and one continuous.
    categorical_encoder : estimator or None, default=None
        One-hot encoder of the categorical columns, cloned and fitted on them; it
        needs ``fit_transform``, ``inverse_transform`` and ``categories_`` and one
        column per category. None uses
        ``OneHotEncoder(handle_unknown="ignore")``.
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the majority
        to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws (pairs, steps and ties).
    k_neighbors : int or object, default=5
        Number of same-class neighbours, or an object with ``fit`` and ``kneighbors``
        (fitted on the encoded rows of the class) whose ``kneighbors`` returns the row
        itself first.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples **added**.
    categorical_features_ : ndarray of shape (n_cat_features,), dtype=int64
        Positions of the categorical columns, in the order given.
    continuous_features_ : ndarray of shape (n_cont_features,), dtype=int64
        Positions of the continuous columns.
    categorical_encoder_ : estimator
        The fitted one-hot encoder of the categorical columns.
    median_std_ : dict
        Class to the median standard deviation of its continuous columns, for each
        class that got new rows.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : ndarray
        The recipe of the new rows' continuous columns: ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``.
    n_features_ : int
        Number of columns of ``X``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` is a DataFrame with string column names.

    Notes
    -----
    ``X`` is a NumPy array (numbers, or objects with strings in the categorical
    columns), a pandas DataFrame (each column keeps its dtype; categoricals stay
    categorical) or a SciPy sparse matrix (densified, with a warning). A NumPy result
    is float when ``X`` is numeric (integer ``X`` gives float64, as in SMOTE) and
    object when ``X`` holds objects or text, with float continuous columns. Tensors
    are refused: encode the categories (an embedding) and use SMOTE on the device.
    NaN is a category in categorical columns, as in scikit-learn's ``OneHotEncoder``,
    but is refused in continuous ones. With ``sample_weight``, a new row gets its
    parents' weights interpolated with the same step.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import SMOTENC
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([rng.normal(size=60), rng.integers(0, 3, size=60)])
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> sampler = SMOTENC(categorical_features=[1], random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [50, 50]
    >>> bool(np.isin(X_res[:, 1], [0, 1, 2]).all())
    True
    """

    _required_parameters: ClassVar[list[str]] = ["categorical_features"]

    _tensor_route = False  # refuses tensors: keeps the native path

    def __init__(
        self,
        categorical_features: Any,
        *,
        categorical_encoder: Any = None,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 5,
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder

    def _check_params(self, data: Validated) -> None:
        check_host_input(data, "SMOTENC")
        super()._check_params(data)
        check_encoder(self.categorical_encoder, "OneHotEncoder")
        categorical = resolve_categorical_columns(self.categorical_features, data.X)
        n_features = int(data.X.shape[1])
        _check_mixed(categorical, n_features)
        self.n_features_ = n_features
        self.categorical_features_ = categorical
        self.continuous_features_ = np.setdiff1d(
            np.arange(n_features, dtype=np.int64), categorical
        )

    def fit(self, X: Array, y: Array) -> SMOTENC:
        """Validate the data as ``fit_resample`` does and fit the encoder.

        Parameters
        ----------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Features; the continuous columns must be finite numbers.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
        """
        if has_dask((X, y)):
            self._fit_dask(X, y)
            return self
        data = self._validate(X, y)
        table = host_table(data.X, "SMOTENC")
        continuous = continuous_values(table, self.continuous_features_)
        self._encode(table, continuous.dtype)
        return self

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._smote import smote_on_dask

        return smote_on_dask(self, X, y, sample_weight)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        table = host_table(data.X, "SMOTENC")
        continuous = continuous_values(table, self.continuous_features_)
        one_hot, offsets = self._encode(table, continuous.dtype)
        codes = _one_hot_codes(one_hot, offsets)
        recipe, new_codes = SyntheticRows(), []
        self.median_std_: dict = {}
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            members = class_indices(data.labels.y, cls, data.xp)
            neighbour_rows = self._draw_class(
                continuous, one_hot, members, cls, int(n_new), recipe, rng
            )
            new_codes.append(most_frequent_codes(codes, neighbour_rows, rng))
        codes_new = (
            np.concatenate(new_codes)
            if new_codes
            else np.empty((0, codes.shape[1]), dtype=codes.dtype)
        )
        return self._assemble(data, table, continuous, recipe, codes_new)

    def _encode(self, table: HostTable, dtype: np.dtype) -> tuple[Any, np.ndarray]:
        """Fit the one-hot encoder; the CSR one-hot matrix and each column's offset."""
        if self.categorical_encoder is None:
            encoder = OneHotEncoder(handle_unknown="ignore", dtype=dtype)
        else:
            encoder = clone(self.categorical_encoder)
        one_hot = sp.csr_matrix(
            encoder.fit_transform(table.columns(self.categorical_features_))
        )
        self.categorical_encoder_ = encoder
        sizes = [len(categories) for categories in fitted_categories(encoder)]
        if one_hot.shape[1] != sum(sizes):
            raise ValueError(
                "`categorical_encoder` must one-hot encode with one column per "
                f"category; it produced {one_hot.shape[1]} columns for {sum(sizes)} "
                "categories (dropped or merged categories are not supported). Use "
                "OneHotEncoder(handle_unknown='ignore')."
            )
        return one_hot, np.cumsum([0, *sizes])

    def _draw_class(
        self,
        continuous: np.ndarray,
        one_hot: Any,
        members: np.ndarray,
        cls: Any,
        n_new: int,
        recipe: SyntheticRows,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Draw the class's (parent, partner, step) triples into ``recipe``.

        Returns the rows of each parent's k neighbours, shape (n_new, k).
        """
        median_std = _median_std(continuous[members])
        self.median_std_[cls] = median_std
        points = _encoded_points(
            continuous[members], one_hot[members], median_std / np.sqrt(2)
        )
        estimator = fit_neighbours("k_neighbors", self.k_neighbors, points, cls)
        neighbours = np.asarray(
            neighbours_excluding_self(estimator, points, "k_neighbors", xp_numpy, "cpu")
        )
        parents, partners = self._draw_pairs(
            neighbours, members, n_new, rng, xp_numpy, "cpu"
        )
        recipe.add(parents, partners, rng.uniform(size=n_new))
        return members[neighbours[np.searchsorted(members, parents)]]

    def _assemble(
        self,
        data: Validated,
        table: HostTable,
        continuous: np.ndarray,
        recipe: SyntheticRows,
        codes_new: np.ndarray,
    ) -> tuple[Any, Any, Any]:
        """The resampled X (in X's container), y and weights; record the recipe."""
        parents, partners, steps = recipe.concat(xp_numpy, "cpu", continuous.dtype)
        new_continuous = interpolate(continuous, parents, partners, steps, xp_numpy)
        categories = fitted_categories(self.categorical_encoder_)
        new_categorical = _decode(categories, codes_new)
        new_columns: list = [None] * self.n_features_
        for j, column in enumerate(self.continuous_features_):
            new_columns[column] = new_continuous[:, j]
        for j, column in enumerate(self.categorical_features_):
            new_columns[column] = new_categorical[j]
        base = _base_table(table, continuous, self.continuous_features_)
        dtype = None if is_pandas(base.X) else _output_dtype(base.X, continuous.dtype)
        X_res = base.with_new_rows(new_columns, dtype)
        new_weights = None
        if data.sample_weight is not None:
            w = weights_of(data).astype(continuous.dtype)
            new_weights = interpolate(w, parents, partners, steps, xp_numpy)
        y_res, w_res = resampled_targets(data, parents, new_weights)
        self.synthetic_parents_ = parents
        self.synthetic_partners_ = partners
        self.synthetic_steps_ = steps
        return X_res, y_res, w_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Strings are accepted in categorical columns only: a column of text alone
        # (imblearn's string check) has no continuous column for SMOTE-NC.
        tags.input_tags.string = False
        tags.input_tags.sparse = True
        return tags


def _base_table(
    table: HostTable, continuous: np.ndarray, positions: np.ndarray
) -> HostTable:
    """The original rows of the result: text/object NumPy X gets float continuous."""
    if is_pandas(table.X) or table.X.dtype.kind not in "OUSV":
        return table
    rows = table.X.astype(object)
    rows[:, positions] = continuous
    return HostTable(X=rows, sparse_format=table.sparse_format)
