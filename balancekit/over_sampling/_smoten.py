"""SMOTEN: SMOTE for data whose columns are all categorical.

A new row copies no value by interpolation: each of its columns takes the value most
frequent among a random row of the class and that row's k nearest same-class
neighbours, the smallest (first sorted) value on ties. Distances are the Value
Difference Metric (Stanfill and Waltz, 1986): two values of a column are as far apart
as their class distributions, and a row distance sums the columns' squared value
distances. imbalanced-learn's ``ValueDifferenceMetric`` gives the class distributions;
the search is exact and chunked, never an n x n matrix for an int ``k_neighbors``.
"""

from __future__ import annotations

from typing import Any

import array_api_compat.numpy as xp_numpy
import numpy as np
from imblearn.metrics.pairwise import ValueDifferenceMetric
from scipy.spatial import distance_matrix
from scipy.stats import mode
from sklearn.base import clone
from sklearn.preprocessing import OrdinalEncoder

from balancekit._array_api import class_indices, is_pandas
from balancekit._dask_route import gathered_on_dask, has_dask
from balancekit._neighbors import (
    NearestNeighbors,
    check_enough_samples,
    check_neighbors_object,
    kneighbors_of,
)
from balancekit._typing import Array
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import BaseSMOTE
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

__all__ = ["SMOTEN"]


def _check_no_missing(table: HostTable) -> None:
    """Refuse NaN/None anywhere and infinity in float columns, naming ``X``."""
    X = table.X
    if is_pandas(X):
        columns = [X.iloc[:, j] for j in range(X.shape[1])]
        bad = any(
            (not np.isfinite(c.to_numpy()).all())
            if c.dtype.kind == "f"
            else bool(c.isna().any())
            for c in columns
        )
    elif X.dtype.kind == "f":
        bad = not np.isfinite(X).all()
    elif X.dtype == object:
        missing = (X == None) | (X != X)  # noqa: E711  (None or NaN, elementwise)
        bad = bool(missing.any())
    else:
        bad = False
    if bad:
        raise ValueError(
            "`X` contains NaN, None or infinity; SMOTEN treats every value as a "
            "category and its encoder cannot encode missing values. Impute or drop "
            "them first."
        )


def value_distances(vdm: ValueDifferenceMetric) -> list[np.ndarray]:
    """Per column, the table of distances between its values.

    Entry ``[a, b]`` is ``|p(.|a) - p(.|b)|_k ** r``, the column's term of the fitted
    metric ``vdm``: a row distance is the sum of its columns' table entries.
    """
    return [distance_matrix(p, p, p=vdm.k) ** vdm.r for p in vdm.proba_per_class_]


def vdm_distances(
    query: np.ndarray, points: np.ndarray, tables: list[np.ndarray]
) -> np.ndarray:
    """Value-difference distances between rows of codes, shape (n_query, n_points)."""
    distances = np.zeros((query.shape[0], points.shape[0]))
    for column, table in enumerate(tables):
        distances += table[np.ix_(query[:, column], points[:, column])]
    return distances


def smallest_stable(distances: np.ndarray, n: int) -> np.ndarray:
    """Per row, the columns of the ``n`` smallest entries, ties to the lower column.

    O(n_columns) per row (a partition, not a sort); the result is ordered nearest
    first.
    """
    kth = np.partition(distances, n - 1, axis=1)[:, n - 1 : n]
    below = distances < kth
    tied = distances == kth
    room = n - below.sum(axis=1, keepdims=True)
    chosen = below | (tied & (np.cumsum(tied, axis=1) <= room))
    columns = np.nonzero(chosen)[1].reshape(distances.shape[0], n)
    order = np.argsort(
        np.take_along_axis(distances, columns, axis=1), axis=1, kind="stable"
    )
    return np.take_along_axis(columns, order, axis=1)


def vdm_neighbourhoods(
    codes: np.ndarray, queries: np.ndarray, tables: list[np.ndarray], k: int
) -> np.ndarray:
    """Each query row and its ``k`` nearest other rows of ``codes``, shape (q, k + 1).

    ``queries`` are positions into ``codes``; the row itself comes first, then the
    others by distance, equal distances by position. Chunked: memory O(chunk x n).
    """
    n_points = codes.shape[0]
    chunk = max(1, CHUNK_ELEMENTS // n_points)
    blocks = []
    for start in range(0, queries.shape[0], chunk):
        positions = queries[start : start + chunk]
        distances = vdm_distances(codes[positions], codes, tables)
        distances[np.arange(positions.shape[0]), positions] = -1.0  # itself first
        blocks.append(smallest_stable(distances, k + 1))
    return np.concatenate(blocks)


def most_common_codes(codes: np.ndarray, neighbourhoods: np.ndarray) -> np.ndarray:
    """Per neighbourhood and column, the most common code (the smallest on ties)."""
    n_rows, size = neighbourhoods.shape
    n_columns = codes.shape[1]
    result = np.empty((n_rows, n_columns), dtype=codes.dtype)
    chunk = max(1, CHUNK_ELEMENTS // max(1, size * n_columns))
    for start in range(0, n_rows, chunk):
        block = codes[neighbourhoods[start : start + chunk]]
        result[start : start + chunk] = mode(block, axis=1).mode
    return result


@gathered_on_dask
class SMOTEN(BaseSMOTE):
    """SMOTE for Nominal features: every column is categorical (Chawla et al., 2002).

    Each new row starts from a random row of the class and takes, column by column,
    the value most common among that row and its ``k_neighbors`` nearest same-class
    neighbours (the first in sorted order on ties). Distances are the Value Difference
    Metric: two values of a column are as far apart as the class distributions of the
    rows holding them. A drop-in for ``imblearn.over_sampling.SMOTEN``, for NumPy
    arrays and pandas DataFrames.

    Parameters
    ----------
    categorical_encoder : estimator or None, default=None
        Ordinal encoder of the columns, cloned and fitted on X; it needs
        ``fit_transform``, ``inverse_transform`` and ``categories_``, with codes
        ``0 .. n_categories - 1``. None uses ``OrdinalEncoder(dtype=np.int32)``.
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the majority
        to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws of the starting rows.
    k_neighbors : int or object, default=5
        Number of same-class neighbours, or an object with ``fit`` and ``kneighbors``
        accepting ``metric="precomputed"``; it is fitted on the class's matrix of
        value-difference distances, and the rows its ``kneighbors`` returns (the row
        itself included) form the neighbourhood, as in imbalanced-learn.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples **added**.
    categorical_encoder_ : estimator
        The fitted ordinal encoder.
    synthetic_parents_ : ndarray of shape (n_new,)
        The row each new row started from (its label and weight are copied).
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` is a DataFrame with string column names.

    Notes
    -----
    With an int ``k_neighbors`` the row itself is always in its neighbourhood, and of
    other rows at equal distance the earlier ones are taken; imbalanced-learn leaves
    both to scikit-learn's partition, which may order ties otherwise. ``X`` is a NumPy
    array, a pandas DataFrame (dtypes kept) or a SciPy sparse matrix (densified, with
    a warning); tensors are refused. Missing values are refused. With
    ``sample_weight``, a new row gets its starting row's weight.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import SMOTEN
    >>> X = np.array(["A"] * 10 + ["B"] * 20 + ["C"] * 30, dtype=object)[:, None]
    >>> y = np.array([0] * 20 + [1] * 40)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [40, 40]
    >>> sorted(set(X_res[60:, 0]))
    ['A', 'B']
    """

    _tensor_route = False  # refuses tensors: keeps the native path

    def __init__(
        self,
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
        self.categorical_encoder = categorical_encoder

    def _check_params(self, data: Validated) -> None:
        check_host_input(data, "SMOTEN")
        super()._check_params(data)
        check_encoder(self.categorical_encoder, "OrdinalEncoder")

    def fit(self, X: Array, y: Array) -> SMOTEN:
        """Validate the data (no missing value) and resolve ``sampling_strategy_``.

        Parameters
        ----------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Categorical features: numbers, strings or other hashable objects.
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
        _check_no_missing(host_table(data.X, "SMOTEN"))
        return self

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        table = host_table(data.X, "SMOTEN")
        _check_no_missing(table)
        codes, tables = self._encode(table, data.labels.y)
        parents, new_codes = [], []
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            members = class_indices(data.labels.y, cls, xp_numpy)
            drawn = rng.integers(0, members.shape[0], size=int(n_new))
            starts, which = np.unique(drawn, return_inverse=True)
            neighbourhoods = self._neighbourhoods(codes[members], starts, tables, cls)
            modes = most_common_codes(codes[members], neighbourhoods)
            parents.append(members[drawn])
            new_codes.append(modes[which])
        return self._assemble(data, table, codes, parents, new_codes)

    def _encode(
        self, table: HostTable, y: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Fit the encoder and the metric; the codes and per-column distance tables."""
        if self.categorical_encoder is None:
            encoder = OrdinalEncoder(dtype=np.int32)
        else:
            encoder = clone(self.categorical_encoder)
        codes = np.asarray(encoder.fit_transform(table.X))
        self.categorical_encoder_ = encoder
        n_categories = [len(c) for c in fitted_categories(encoder)]
        vdm = ValueDifferenceMetric(n_categories=n_categories).fit(codes, y)
        return codes.astype(np.intp), value_distances(vdm)

    def _neighbourhoods(
        self,
        codes: np.ndarray,
        starts: np.ndarray,
        tables: list[np.ndarray],
        cls: Any,
    ) -> np.ndarray:
        """The neighbourhood (positions into ``codes``) of each row of ``starts``."""
        estimator = check_neighbors_object(
            "k_neighbors", self.k_neighbors, additional_neighbor=1
        )
        if isinstance(estimator, NearestNeighbors):
            k = estimator.n_neighbors - 1
            check_enough_samples("k_neighbors", k, codes.shape[0], cls)
            return vdm_neighbourhoods(codes, starts, tables, k)
        if "metric" not in getattr(estimator, "get_params", dict)():
            raise TypeError(
                "SMOTEN gives the `k_neighbors` object precomputed value-difference "
                "distances, so it must take a `metric` parameter accepting "
                f"'precomputed'; {type(estimator).__name__} has none."
            )
        distances = vdm_distances(codes, codes, tables)
        estimator.set_params(metric="precomputed").fit(distances)
        query = distances[starts]
        return np.asarray(
            kneighbors_of(estimator, query, "k_neighbors", xp_numpy, "cpu")
        )

    def _assemble(
        self,
        data: Validated,
        table: HostTable,
        codes: np.ndarray,
        parents: list[np.ndarray],
        new_codes: list[np.ndarray],
    ) -> tuple[Any, Any, Any]:
        """The resampled X (in X's container), y and weights; record the parents."""
        n_features = codes.shape[1]
        parents_all = np.concatenate([np.empty(0, dtype=np.intp), *parents])
        if new_codes:
            values = self.categorical_encoder_.inverse_transform(
                np.concatenate(new_codes).astype(np.int32)
            )
        else:
            values = np.empty((0, n_features), dtype=object)
        values = np.asarray(values)
        X_res = table.with_new_rows([values[:, j] for j in range(n_features)])
        new_weights = None
        if data.sample_weight is not None:
            new_weights = weights_of(data)[parents_all]
        y_res, w_res = resampled_targets(data, parents_all, new_weights)
        self.synthetic_parents_ = parents_all
        return X_res, y_res, w_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.sparse = True
        return tags
