"""``inspect`` on Dask, duplicates: step 3 of :mod:`balancekit.dask._inspect`.

Each finite row (of the columns checked) is hashed, the rows are shuffled on their
hash so equal rows meet in one partition, and each partition compares its rows
exactly (a hash collision is never counted as a duplicate); identical rows with
different labels are the conflicts.
"""

from __future__ import annotations

from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from balancekit.dask._collections import Rows
from balancekit.dask._inspect_partitions import _codes, _matrix, _per_partition
from balancekit.diagnostics._data_checks import DuplicateSummary

_MAX_EXAMPLE_GROUPS = 5


def _hashed_rows(
    x: Any,
    y: Any,
    index: int,
    columns: list[int],
    offsets: np.ndarray,
    classes: np.ndarray,
    all_finite: bool,
) -> pd.DataFrame:
    """Step 3 for one partition: the finite rows' ``columns`` with hash, code, row."""
    X = _matrix(x)
    finite = np.isfinite(X if all_finite else X[:, columns]).all(axis=1)
    values = X[finite][:, columns] + 0.0  # -0.0 == 0.0: the same hash
    frame = pd.DataFrame(values, columns=[f"f{j}" for j in range(len(columns))])
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    frame.insert(0, "row", np.flatnonzero(finite) + int(offsets[index]))
    frame.insert(0, "code", _codes(y, classes)[finite].astype(np.int64))
    frame.insert(0, "hash", hashes)
    return frame


def _duplicates_in(frame: pd.DataFrame) -> dict[str, Any]:
    """Exact duplicate groups among one shuffled partition's rows (as in memory):
    rows are sorted lexicographically and compared, so equal hashes of different
    rows (collisions) never count."""
    X = frame.iloc[:, 3:].to_numpy()
    if len(X) < 2:
        return {
            "rows": 0,
            "groups": 0,
            "conflict_rows": 0,
            "n_conflicts": 0,
            "conflicts": [],
        }
    order = np.lexsort(X.T[::-1])
    X_sorted = X[order]
    starts = np.concatenate([[True], (X_sorted[1:] != X_sorted[:-1]).any(axis=1)])
    firsts = np.flatnonzero(starts)
    group = np.cumsum(starts) - 1
    sizes = np.bincount(group)
    codes = frame["code"].to_numpy()[order]
    rows = frame["row"].to_numpy()[order]
    differs = np.bincount(group, codes != codes[firsts][group]) > 0
    conflicts = [
        (tuple(X_sorted[firsts[g]].tolist()), sorted(rows[group == g].tolist()))
        for g in np.flatnonzero(differs)[:_MAX_EXAMPLE_GROUPS]
    ]
    return {
        "rows": int(len(X) - len(sizes)),
        "groups": int((sizes > 1).sum()),
        "conflict_rows": int(sizes[differs].sum()),
        "n_conflicts": int(differs.sum()),
        "conflicts": conflicts,
    }


def _shuffle_method() -> str | None:
    """Dask's choice (``dataframe.shuffle.method``, else P2P with a distributed
    client, else on disk), but on disk when a local scheduler is configured while a
    distributed client exists (P2P would need the client's workers)."""
    local = ("sync", "synchronous", "single-threaded", "threads", "threading")
    configured = dask.config.get("dataframe.shuffle.method", None)
    if configured is None and dask.config.get("scheduler", None) in local:
        return "disk"
    return None


def _duplicate_summary(
    X: Rows,
    y: Rows,
    columns: list[int],
    offsets: np.ndarray,
    classes: np.ndarray,
    all_finite: bool,
) -> DuplicateSummary:
    """Step 3: hash, shuffle on the hash, compare exactly within each partition."""
    meta = pd.DataFrame(
        {
            "hash": np.empty(0, np.uint64),
            "code": np.empty(0, np.int64),
            "row": np.empty(0, np.int64),
            **{f"f{j}": np.empty(0) for j in range(len(columns))},
        }
    )
    parts = _per_partition(
        "hash", _hashed_rows, X, y, columns, offsets, classes, all_finite
    )
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    shuffled = frame.shuffle(
        on="hash", npartitions=frame.npartitions, shuffle_method=_shuffle_method()
    )
    compare = dask.delayed(_duplicates_in, pure=True)
    found = dask.compute(*(compare(part) for part in shuffled.to_delayed()))
    conflicts = sorted(c for part in found for c in part["conflicts"])
    return DuplicateSummary(
        n_duplicate_rows=sum(p["rows"] for p in found),
        n_duplicate_groups=sum(p["groups"] for p in found),
        n_conflicting_rows=sum(p["conflict_rows"] for p in found),
        n_conflicting_groups=sum(p["n_conflicts"] for p in found),
        conflict_examples=sorted(c[1] for c in conflicts[:_MAX_EXAMPLE_GROUPS]),
    )
