"""A folder or glob of Parquet files, read lazily with Dask for ``balancekit inspect``.

Dask is imported only when such a path is read, so importing this module (and
``balancekit.diagnostics``) never imports it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._output import terminal_text

__all__ = ["DaskTable", "is_parquet_dataset", "read_parquet_dataset"]


def is_parquet_dataset(path: str) -> bool:
    """Whether ``path`` names a folder or a glob (read with Dask), not one file."""
    return Path(path).is_dir() or any(c in path for c in "*?[")


@dataclasses.dataclass(frozen=True)
class DaskTable:
    """A Parquet folder or glob opened lazily: Dask features and labels.

    The non-numeric feature columns are left out (``dropped_columns``): coding them
    as in memory would need every distinct value on the client.
    """

    X: Any
    y: Any
    feature_names: list[str]
    n_missing_labels: int
    source: str
    dropped_columns: list[str]
    categorical_columns: tuple[str, ...] = ()


def _whole_labels(block: Any) -> Any:
    """Float labels (a column with blanks) as integers, checked whole (in a task)."""
    import pandas as pd

    from balancekit.dask._counts import label_values

    return pd.Series(
        label_values(block, "target").astype(np.int64),
        index=block.index,
        name=block.name,
    )


def read_parquet_dataset(path: str, target: str) -> DaskTable:
    """Open a folder or glob of Parquet files with Dask, lazily (one pass over the
    label column counts the rows without a label; they are left out).

    Examples
    --------
    >>> import tempfile, os, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> for i in range(2):
    ...     pd.DataFrame({"a": [1.0, 2.0], "t": ["x", None]}).to_parquet(
    ...         os.path.join(folder, f"part{i}.parquet"))
    >>> table = read_parquet_dataset(folder, "t")
    >>> table.feature_names, table.n_missing_labels, table.X.npartitions
    (['a'], 2, 2)
    """
    import glob

    try:
        import dask
        import dask.dataframe as dd
    except ImportError as error:
        raise ImportError(
            f"Reading the folder or glob {terminal_text(path)!r} needs Dask: pip "
            "install 'balancekit[dask]'."
        ) from error
    if Path(path).is_dir():
        if not any(Path(path).rglob("*.parquet")):
            raise ValueError(f"`FILE` {terminal_text(path)!r} holds no .parquet file.")
    elif not glob.glob(path, recursive=True):
        raise ValueError(f"`FILE` {terminal_text(path)!r} matches no file.")
    try:
        frame = dd.read_parquet(path)
    except Exception as error:  # pyarrow's and fsspec's own errors
        lines = [line for line in str(error).splitlines() if line.strip()]
        raise ValueError(
            f"`FILE` {terminal_text(path)!r} could not be read as Parquet: "
            f"{terminal_text(lines[-1] if lines else type(error).__name__)}."
        ) from None
    columns = [str(c) for c in frame.columns]
    if target not in columns:
        shown = [terminal_text(c) for c in columns[:20]]
        raise ValueError(
            f"`target` {terminal_text(target)!r} is not a column of "
            f"{terminal_text(path)!r}; its columns are {shown}."
        )
    numeric = [
        c
        for c in columns
        if c != target and getattr(frame[c].dtype, "kind", "O") in "biuf"
    ]
    dropped = [c for c in columns if c != target and c not in numeric]
    if not numeric:
        raise ValueError(
            f"{terminal_text(path)!r} has no numeric feature column (besides "
            f"{terminal_text(target)!r}) to inspect on Dask."
        )
    labels = frame[target]
    n_missing, n_rows = (int(n) for n in dask.compute(labels.isna().sum(), labels.size))
    if n_rows == n_missing:
        raise ValueError(f"{path}: no row has a label in {target!r}.")
    if n_missing:
        frame = frame[frame[target].notnull()]
    y = frame[target]
    if y.dtype.kind == "f":
        y = y.map_partitions(_whole_labels, meta=(target, "int64"))
    return DaskTable(frame[numeric], y, numeric, n_missing, path, dropped)
