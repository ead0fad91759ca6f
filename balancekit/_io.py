"""Reading a user's table (CSV, Parquet, NumPy ``.npz``) into features and labels.

Shared by ``balancekit bench --data`` and ``balancekit inspect``. Nothing is dropped
silently: missing values stay NaN in ``X`` (the caller decides whether they are an error
or a finding), non-numeric feature columns are coded as integers with their names
listed, and rows whose label is missing are removed and counted.

Files from strangers are read defensively: sizes are checked against ``max_bytes``
before anything is loaded (an ``.npz`` member's declared shape and dtype, a Parquet
file's row and column counts), nothing is ever unpickled, and every malformed file
(random bytes, an empty file, a ragged CSV, nested Parquet columns, a target that is
not one column) is a :class:`ValueError` with one clear line.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._output import terminal_text
from balancekit._typing import Array

__all__ = ["DEFAULT_MAX_BYTES", "SUFFIXES", "Table", "read_table"]

SUFFIXES = (".csv", ".parquet", ".npz")

#: The default limit on a file's expanded (in-memory) size: 2 GiB.
DEFAULT_MAX_BYTES = 2 * 1024**3


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


def _name(path: Path) -> str:
    return repr(terminal_text(path.name))


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return terminal_text(lines[-1] if lines else type(error).__name__)


def _size_text(n_bytes: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n_bytes < 1024 or unit == "TiB":
            return (
                f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
            )
        n_bytes /= 1024
    return ""  # pragma: no cover


def _check_size(path: Path, expanded: float, max_bytes: int, what: str) -> None:
    if expanded > max_bytes:
        raise ValueError(
            f"`path` {_name(path)} would expand to {_size_text(expanded)} in memory "
            f"({what}), over the limit of {_size_text(max_bytes)}; raise it with "
            "--max-bytes (max_bytes=) if you trust the file and have the memory."
        )


def _read_frame(path: Path, max_bytes: int) -> Any:
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - pandas is in every extra
        raise ImportError(
            f"Reading {path.suffix} files needs pandas: pip install pandas."
        ) from error
    if path.suffix == ".csv":
        # A CSV field takes at least 2 bytes ("0,") and becomes 8 (float64).
        _check_size(path, 4.0 * path.stat().st_size, max_bytes, "CSV file size x 4")
        try:
            return pd.read_csv(path)
        except UnicodeDecodeError as error:
            raise ValueError(
                f"`path` {_name(path)} is not a UTF-8 text CSV file (byte "
                f"{error.object[error.start : error.start + 1]!r} at position "
                f"{error.start}); save it as UTF-8 CSV."
            ) from None
        except pd.errors.EmptyDataError:
            raise ValueError(
                f"`path` {_name(path)} has no header row or columns."
            ) from None
        except pd.errors.ParserError as error:
            raise ValueError(
                f"`path` {_name(path)} is not a regular CSV table: "
                f"{_first_line(error)}; every row needs one value per header column."
            ) from None
        except (ValueError, OSError) as error:
            raise ValueError(
                f"`path` {_name(path)} could not be read as CSV: {_first_line(error)}."
            ) from None
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ImportError(
            f"Reading {terminal_text(path.name)} needs a Parquet engine: "
            "pip install pyarrow."
        ) from error
    try:
        parquet = pq.ParquetFile(path)
        metadata = parquet.metadata
        schema = parquet.schema_arrow
    except Exception as error:  # pyarrow raises its own ArrowInvalid, OSError, ...
        raise ValueError(
            f"`path` {_name(path)} is not a readable Parquet file: "
            f"{_first_line(error)}."
        ) from None
    _check_parquet_schema(path, schema)
    uncompressed = sum(
        metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
    )
    expanded = max(8.0 * metadata.num_rows * max(len(schema), 1), uncompressed)
    _check_size(
        path,
        expanded,
        max_bytes,
        f"{metadata.num_rows:,} rows x {len(schema)} columns",
    )
    try:
        return parquet.read().to_pandas()
    except Exception as error:
        raise ValueError(
            f"`path` {_name(path)} could not be read as Parquet: {_first_line(error)}."
        ) from None


def _check_parquet_schema(path: Path, schema: Any) -> None:
    import pyarrow as pa

    nested = [
        f"{terminal_text(field.name)} ({field.type})"
        for field in schema
        if pa.types.is_nested(field.type)
    ]
    if nested:
        shown = ", ".join(nested[:5]) + (
            f" and {len(nested) - 5} more" if len(nested) > 5 else ""
        )
        raise ValueError(
            f"`path` {_name(path)} has nested (list, struct or map) columns: "
            f"{shown}; flatten them into one scalar column each first."
        )


def _npz_headers(path: Path, max_bytes: int) -> dict[str, tuple[tuple[int, ...], Any]]:
    """Each ``.npy`` member's (shape, dtype), read from its header alone."""
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"`path` {_name(path)} is not a NumPy .npz archive (not a zip file); "
            "save the arrays with numpy.savez."
        )
    headers = {}
    total = 0.0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                name = info.filename[: -len(".npy")]
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        header = np.lib.format.read_array_header_1_0(member)
                    elif version == (2, 0):
                        header = np.lib.format.read_array_header_2_0(member)
                    else:
                        raise ValueError(f"unsupported .npy format version {version}")
                shape, _, dtype = header
                if dtype.hasobject:
                    raise ValueError(
                        f"`path` {_name(path)}: array {terminal_text(name)!r} holds "
                        "Python objects (dtype object), which can only be read by "
                        "running code from the file; it is refused. Save numeric or "
                        "fixed-width string arrays (e.g. y.astype(str))."
                    )
                declared = float(np.prod(shape, dtype=float)) * dtype.itemsize
                total += max(declared, float(info.file_size))
                headers[name] = (tuple(int(n) for n in shape), dtype)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        if str(error).startswith("`path`"):
            raise
        raise ValueError(
            f"`path` {_name(path)} is not a valid .npz archive: {_first_line(error)}."
        ) from None
    _check_size(path, total, max_bytes, "the arrays' declared shapes and dtypes")
    if not headers:
        raise ValueError(f"`path` {_name(path)} holds no NumPy arrays.")
    return headers


def _from_npz(
    path: Path, target: str, max_bytes: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    headers = _npz_headers(path, max_bytes)
    names = list(headers)
    if target not in names:
        raise ValueError(
            f"`target` {terminal_text(target)!r} is not an array of "
            f"{terminal_text(path.name)}; it holds "
            f"{[terminal_text(n) for n in names]}. Pass --target with one of them "
            "(features are read from 'X' or from the other arrays)."
        )
    target_shape = headers[target][0]
    if len(target_shape) != 1:
        raise ValueError(
            f"`target` {terminal_text(target)!r} of {_name(path)} must be a 1-D array "
            f"(one label per row); got shape {target_shape}."
        )
    if "X" in names and target != "X":
        columns = ["X"]
        if len(headers["X"][0]) not in (1, 2):
            raise ValueError(
                f"{_name(path)}: 'X' must be 1-D or 2-D (rows x features); got shape "
                f"{headers['X'][0]}."
            )
    else:
        columns = [n for n in names if n != target]
        bad = [n for n in columns if len(headers[n][0]) != 1]
        if not columns or bad:
            raise ValueError(
                f"{_name(path)}: without an 'X' array every other array must be one "
                f"1-D feature column; got shapes "
                f"{ {terminal_text(n): headers[n][0] for n in columns} }."
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            y = np.asarray(archive[target])
            if columns == ["X"]:
                X = np.asarray(archive["X"])
                if X.ndim == 1:
                    X = X[:, None]
                feature_names = [f"x{i}" for i in range(X.shape[1])]
            else:
                arrays = [np.asarray(archive[n]) for n in columns]
                lengths = {a.shape[0] for a in arrays}
                if len(lengths) != 1:
                    raise ValueError(
                        f"{_name(path)}: the feature arrays have different lengths "
                        f"{sorted(lengths)}."
                    )
                X = np.column_stack(arrays)
                feature_names = [terminal_text(n) for n in columns]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        if str(error).startswith(_name(path)):
            raise
        raise ValueError(
            f"`path` {_name(path)} is not a valid .npz archive: {_first_line(error)}."
        ) from None
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{_name(path)}: features of shape {X.shape} do not match {y.shape[0]} "
            f"labels in {terminal_text(target)!r}; the features must be 2-D with one "
            "row per label."
        )
    return X, y, feature_names


def _code_column(values: Array, name: Any, path: Path) -> np.ndarray:
    """Integer codes (sorted categories) of a non-numeric column; missing -> NaN."""
    import pandas as pd

    try:
        categories = pd.Categorical(values)
    except TypeError as error:  # unhashable cells (lists, dicts) or unsortable mixes
        raise ValueError(
            f"column {terminal_text(str(name))!r} of {_name(path)} holds values that "
            f"are not single numbers or text ({_first_line(error)}); flatten it first."
        ) from None
    codes = categories.codes.astype(np.float64)
    codes[codes < 0] = np.nan
    return codes


def read_table(
    path: str | PathLike[str], target: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Table:
    """Read ``path`` (.csv, .parquet or .npz) with ``target`` as the label column.

    Parameters
    ----------
    path : str or path-like
        A CSV or Parquet file with a header row, or an ``.npz`` archive holding either
        ``X`` and the ``target`` array or one 1-D array per feature.
    target : str
        The label column (or array) name.
    max_bytes : int, default=2 GiB
        Refuse a file whose declared in-memory size is larger, before reading its
        data: an ``.npz`` member's header (shape x item size, or the zip's
        uncompressed size), a Parquet file's rows x columns x 8 bytes (or its
        uncompressed size), four times a CSV file's size.

    Raises
    ------
    ValueError
        With one line for every malformed or oversized file; nothing is unpickled.

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
            f"`path` must end in one of {SUFFIXES}; got {_name(path)}. Convert the "
            "file to CSV, or save X and y with numpy.savez."
        )
    if not path.is_file():
        raise ValueError(
            f"`path` {terminal_text(str(path))!r} does not exist or is not a file."
        )
    if not isinstance(target, str) or not target:
        raise TypeError(f"`target` must be a column name (str); got {target!r}.")
    if path.stat().st_size == 0:
        raise ValueError(f"`path` {_name(path)} is empty (0 bytes).")
    categorical: list[str] = []
    if path.suffix == ".npz":
        X_raw, y, feature_names = _from_npz(path, target, max_bytes)
        if X_raw.dtype.kind in "biuf":
            X = X_raw.astype(np.float64)
        else:
            X = np.column_stack(
                [
                    _code_column(col, name, path)
                    for col, name in zip(X_raw.T, feature_names, strict=True)
                ]
            )
            categorical = list(feature_names)
    else:
        frame = _read_frame(path, max_bytes)
        if target not in frame.columns:
            names = [terminal_text(str(c)) for c in frame.columns]
            shown = names[:20] + ([f"... {len(names) - 20} more"] * (len(names) > 20))
            raise ValueError(
                f"`target` {terminal_text(target)!r} is not a column of "
                f"{terminal_text(path.name)}; its columns are {shown}."
            )
        if list(frame.columns).count(target) != 1:
            raise ValueError(
                f"`target` {terminal_text(target)!r} names more than one column of "
                f"{_name(path)}; rename the duplicates."
            )
        y = frame[target].to_numpy()
        features = frame.drop(columns=[target])
        feature_names = [str(c) for c in features.columns]
        columns: list[np.ndarray] = []
        for name in features.columns:
            column = features[name]
            if column.dtype.kind in "biuf":
                columns.append(column.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                columns.append(_code_column(column, name, path))
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
