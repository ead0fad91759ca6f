"""Reading a user's table (CSV, Parquet, NumPy ``.npz``) into features and labels.

Shared by ``balancekit bench --data`` and ``balancekit inspect``. Nothing is dropped
silently: missing values stay NaN in ``X`` (the caller decides whether they are an error
or a finding), non-numeric feature columns are coded as integers with their names
listed, and rows whose label is missing are removed and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SUFFIXES", "Table", "read_table"]

SUFFIXES = (".csv", ".parquet", ".npz")


@dataclass
class Table:
    """Features and labels read from a file.

    Attributes
    ----------
    X : numpy.ndarray of shape (n_samples, n_features), float64
        Numeric features; missing values are NaN. Non-numeric columns are coded
        0, 1, ... in order of their sorted values (missing stays NaN).
    y : numpy.ndarray of shape (n_samples,)
        The labels as written in the file (integers, strings, ...).
    feature_names : list of str
        One name per column of ``X``.
    categorical_columns : list of str
        The feature columns that were not numeric and were coded as integers.
    n_missing_labels : int
        Rows dropped because their label was missing.
    source : str
        The file read.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    categorical_columns: list[str] = field(default_factory=list)
    n_missing_labels: int = 0
    source: str = ""


def _read_frame(path: Path) -> Any:
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - pandas is in every extra
        raise ImportError(
            f"Reading {path.suffix} files needs pandas: pip install pandas."
        ) from error
    if path.suffix == ".csv":
        return pd.read_csv(path)
    try:
        return pd.read_parquet(path)
    except ImportError as error:
        raise ImportError(
            f"Reading {path.name} needs a Parquet engine: pip install pyarrow."
        ) from error


def _from_npz(path: Path, target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with np.load(path, allow_pickle=False) as archive:
        names = list(archive.files)
        if target not in names:
            raise ValueError(
                f"`target` {target!r} is not an array of {path.name}; it holds "
                f"{names}. Pass --target with one of them (features are read from "
                "'X' or from the other arrays)."
            )
        y = np.asarray(archive[target])
        if "X" in names and target != "X":
            X = np.asarray(archive["X"])
            if X.ndim == 1:
                X = X[:, None]
            feature_names = [f"x{i}" for i in range(X.shape[1])]
        else:
            columns = [n for n in names if n != target]
            X = np.column_stack([np.asarray(archive[n]) for n in columns])
            feature_names = columns
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{path.name}: features of shape {X.shape} do not match {y.shape[0]} "
            f"labels in {target!r}; the features must be 2-D with one row per label."
        )
    return X, y, feature_names


def _code_column(values: Any) -> np.ndarray:
    """Integer codes (sorted categories) of a non-numeric column; missing -> NaN."""
    import pandas as pd

    codes = pd.Categorical(values).codes.astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


def read_table(path: str | PathLike[str], target: str) -> Table:
    """Read ``path`` (.csv, .parquet or .npz) with ``target`` as the label column.

    Parameters
    ----------
    path : str or path-like
        A CSV or Parquet file with a header row, or an ``.npz`` archive holding either
        ``X`` and the ``target`` array or one 1-D array per feature.
    target : str
        The label column (or array) name.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "toy.csv")
    >>> _ = open(path, "w").write("a,colour,label\\n1,red,yes\\n,blue,no\\n3,red,\\n")
    >>> table = read_table(path, target="label")
    >>> table.X.tolist(), table.y.tolist(), table.n_missing_labels
    ([[1.0, 1.0], [nan, 0.0]], ['yes', 'no'], 1)
    >>> table.categorical_columns
    ['colour']
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ValueError(
            f"`path` must end in one of {SUFFIXES}; got {path.name!r}. Convert the "
            "file to CSV, or save X and y with numpy.savez."
        )
    if not path.is_file():
        raise ValueError(f"`path` {str(path)!r} does not exist or is not a file.")
    if not isinstance(target, str) or not target:
        raise TypeError(f"`target` must be a column name (str); got {target!r}.")
    categorical: list[str] = []
    if path.suffix == ".npz":
        X_raw, y, feature_names = _from_npz(path, target)
        if X_raw.dtype.kind in "biuf":
            X = X_raw.astype(np.float64)
        else:
            X = np.column_stack([_code_column(col) for col in X_raw.T])
            categorical = list(feature_names)
    else:
        frame = _read_frame(path)
        if target not in frame.columns:
            raise ValueError(
                f"`target` {target!r} is not a column of {path.name}; its columns are "
                f"{[str(c) for c in frame.columns]}."
            )
        y = frame[target].to_numpy()
        features = frame.drop(columns=[target])
        feature_names = [str(c) for c in features.columns]
        columns = []
        for name in features.columns:
            column = features[name]
            if column.dtype.kind in "biuf":
                columns.append(column.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                columns.append(_code_column(column))
                categorical.append(str(name))
        X = (
            np.column_stack(columns)
            if columns
            else np.empty((len(frame), 0), dtype=np.float64)
        )
    missing = _missing(y)
    if missing.any():
        X, y = X[~missing], y[~missing]
    if y.dtype == object:
        y = _tidy_object_labels(y)
    elif y.dtype.kind == "f" and np.array_equal(y, np.round(y)):
        y = y.astype(np.int64)  # a label column with blanks is read as float
    return Table(
        X=X,
        y=y,
        feature_names=feature_names,
        categorical_columns=categorical,
        n_missing_labels=int(missing.sum()),
        source=str(path),
    )


def _missing(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype == object:
        import pandas as pd

        return np.asarray(pd.isna(y), dtype=bool)
    return np.zeros(y.shape, dtype=bool)


def _tidy_object_labels(y: np.ndarray) -> np.ndarray:
    """Object labels of one kind become a plain array (str or int) that sorts."""
    if all(isinstance(v, str) for v in y):
        return y.astype(str)
    if all(isinstance(v, (int, np.integer)) for v in y):
        return y.astype(np.int64)
    return y.astype(str)
