"""A user's CSV, Parquet or ``.npz`` file as a :class:`Dataset` (read by
``balancekit._io.read_table``, as ``balancekit inspect`` reads it)."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from balancekit.bench._dataset import Dataset

__all__ = ["load_file"]


def load_file(
    path: str | PathLike[str],
    target: str,
    *,
    max_bytes: int | None = None,
    allow_missing: bool = False,
) -> Dataset:
    """Read a user's CSV, Parquet or ``.npz`` file as a :class:`Dataset`.

    The file is read by the same reader as ``balancekit inspect`` (non-numeric
    feature columns are coded as integers, rows without a label are dropped). Labels
    become codes 0, 1, ...: with two classes the minority is coded 1 (so
    ``class_names`` is ``[majority, minority]``; sorted order breaks a tie); with
    more, codes follow the sorted labels. ``class_names`` hold the file's labels as
    strings.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` or ``.parquet`` file with a header row, or an ``.npz`` archive
        holding ``X`` and the ``target`` array (or one array per feature).
    target : str
        The label column (or array) name.
    max_bytes : int, default=None
        Refuse a file whose declared in-memory size is larger, before reading it
        (None: :func:`balancekit._io.read_table`'s default, 2 GiB).
    allow_missing : bool, default=False
        Keep missing feature values as NaN (for ``compare(..., impute=...)`` and
        ``balancekit bench --impute``, which impute inside the pipeline, on training
        rows only) instead of refusing them.

    Returns
    -------
    Dataset
        Named after the file.

    Raises
    ------
    ValueError
        For missing (unless ``allow_missing``) or infinite feature values (the
        message names the columns), a single class, or a file the reader rejects.

    Examples
    --------
    >>> import os, tempfile
    >>> from balancekit.bench import load_file
    >>> path = os.path.join(tempfile.mkdtemp(), "churn.csv")
    >>> rows = ["age,plan,churned"] + [f"{20 + i},basic,no" for i in range(8)]
    >>> rows += ["51,premium,yes", "60,basic,yes"]
    >>> _ = open(path, "w").write("\\n".join(rows) + "\\n")
    >>> data = load_file(path, target="churned")
    >>> data.class_names, data.class_counts.tolist(), data.feature_names
    (['no', 'yes'], [8, 2], ['age', 'plan'])
    """
    from balancekit._io import read_table

    table = (
        read_table(path, target)
        if max_bytes is None
        else read_table(path, target, max_bytes=max_bytes)
    )
    X = np.asarray(table.X, dtype=np.float64)
    if X.shape[0] == 0:
        raise ValueError(
            f"`path` {table.source!r} holds no rows with a label in {target!r}."
        )
    where = (
        f"run `balancekit inspect {table.source} --target {target}` to see where "
        "they are."
    )
    infinite = [table.feature_names[i] for i in np.flatnonzero(np.isinf(X).any(0))]
    if infinite:
        raise ValueError(
            f"`path` {table.source!r}: feature columns {infinite} hold infinite "
            f"values. Replace or drop them first; {where}"
        )
    missing = [table.feature_names[i] for i in np.flatnonzero(np.isnan(X).any(0))]
    if missing and not allow_missing:
        raise ValueError(
            f"`path` {table.source!r}: feature columns {missing} hold missing (NaN) "
            "values. Impute them inside the pipeline, fitted on the training rows "
            "only: `balancekit bench --impute median` (or most_frequent); from "
            "Python, load_file(..., allow_missing=True) then compare(..., "
            "impute='median'). Imputing the whole file first would leak the test "
            f"rows into the filled values; {where}"
        )
    labels, y = np.unique(np.asarray(table.y), return_inverse=True)
    y = y.astype(np.int64).reshape(-1)
    class_names = [str(label) for label in labels]
    if len(class_names) < 2:
        raise ValueError(
            f"`target` {target!r} of {table.source!r} holds a single class "
            f"({class_names}); a comparison needs at least two."
        )
    if len(class_names) == 2:
        counts = np.bincount(y, minlength=2)
        if counts[0] < counts[1]:  # the minority must be code 1
            y = 1 - y
            class_names.reverse()
    notes = [f"{X.shape[0]} rows of {target!r} read from {table.source}"]
    if table.n_missing_labels:
        notes.append(f"{table.n_missing_labels} rows without a label dropped")
    if missing:
        notes.append(
            f"missing values in {missing} kept as NaN, to be imputed inside the "
            "pipeline"
        )
    if table.categorical_columns:
        notes.append(
            f"non-numeric columns coded as integers: {table.categorical_columns}"
        )
    return Dataset(
        name=Path(table.source).name,
        X=X,
        y=y,
        class_names=class_names,
        source=table.source,
        licence="as set by the file's owner",
        description="; ".join(notes) + ".",
        feature_names=list(table.feature_names),
        allow_missing=allow_missing,
    )
