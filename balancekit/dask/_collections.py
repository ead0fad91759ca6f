"""Dask arguments as row partitions: the checks, their messages, and lazy outputs.

Every Dask implementation starts here: :func:`dask_rows` checks one argument (a Dask
array, DataFrame or Series) and gives its row partitions as graph keys;
:func:`check_aligned` checks that the arguments share one row partitioning;
:func:`rows_output` builds a lazy collection of the input's type whose partition
``i`` is computed from partition ``i`` of a source by one task.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.dataframe.dask_expr import new_collection
from dask.highlevelgraph import HighLevelGraph

from balancekit._dask_route import is_dask_collection
from balancekit._label_messages import complex_message, dtype_message, length_message

__all__ = [
    "Rows",
    "block_key",
    "check_aligned",
    "check_all_dask",
    "check_lengths",
    "check_numeric",
    "check_partition_length",
    "dask_rows",
    "graph_of",
    "lazy_array",
    "reduce_tree",
    "rows_output",
    "sampler_rows",
    "take_block_rows",
]

Key = Hashable

# What each kind of argument may hold (NumPy dtype kinds), and why not otherwise.
_KINDS = {
    "labels": (
        "biufOUS",
        "class labels must be integers, booleans, whole-number floats or strings",
    ),
    # the labels the in-memory metrics take: also strings, objects, pandas strings
    # (checked value by value in the partition tasks, as the NumPy path does)
    "any_labels": ("biufOUS", ""),
    "weights": ("biuf", "sample weights must be real numbers"),
    "scores": (
        "biuf",
        "scores must be real numbers (probabilities or decision values)",
    ),
    "features": (
        "biufcmMSUV",
        "an object array has no dtype Dask can plan with; "
        "convert the column(s) to numbers or strings, or use a DataFrame",
    ),
}


@dataclass(frozen=True)
class Rows:
    """One Dask argument seen as its row partitions.

    Attributes
    ----------
    name : str
        The parameter name, for messages.
    value : dask.array.Array, dask.dataframe.DataFrame or Series
        The collection (DataFrames optimised, so ``graph`` and ``keys`` agree).
    keys : tuple of tuple
        Per row partition, the keys of its blocks (one for a DataFrame; one per
        block along the other axes, in C order, for an array).
    lengths : tuple of int or None
        The rows of each partition when known (arrays), else None (DataFrames).
    """

    name: str
    value: Any
    keys: tuple[tuple[Key, ...], ...]
    lengths: tuple[int, ...] | None

    @property
    def is_array(self) -> bool:
        return isinstance(self.value, da.Array)

    @property
    def n_partitions(self) -> int:
        return len(self.keys)

    @property
    def graph(self) -> Mapping:
        return self.value.__dask_graph__()


def check_all_dask(arguments: Mapping[str, Any]) -> None:
    """A ``TypeError`` when Dask and in-memory arguments are mixed (None skipped)."""
    given = {k: v for k, v in arguments.items() if v is not None}
    dask_names = [k for k, v in given.items() if is_dask_collection(v)]
    for name, value in given.items():
        if name not in dask_names:
            module = type(value).__module__
            kind = type(value).__name__
            kind = kind if module == "builtins" else f"{module}.{kind}"
            raise TypeError(
                f"`{name}` is a {kind} but "
                f"`{dask_names[0]}` is a Dask collection: pass every argument as a "
                "Dask collection with the same row partitions (e.g. "
                f"`dask.array.from_array({name}, chunks=...)` with the row chunks of "
                f"`{dask_names[0]}`), or compute the Dask ones first."
            )


def _unknown_chunks_message(name: str) -> str:
    return (
        f"`{name}` has unknown chunk sizes (NaN chunks), e.g. after boolean indexing "
        "or `to_dask_array()`; the rows per partition are needed to plan the work. "
        f"Call `{name}.compute_chunk_sizes()` first, or build it with "
        "`.to_dask_array(lengths=True)` from a DataFrame."
    )


def _check_dtype(name: str, dtype: Any, kind: str) -> None:
    allowed, why = _KINDS[kind]
    code = getattr(dtype, "kind", "O")  # pandas' strings and categories are "O"
    if code in allowed:
        return
    if kind == "any_labels":
        message = complex_message if code == "c" else dtype_message
        raise TypeError(message(name, dtype))
    raise TypeError(f"`{name}` has dtype {dtype}; {why}.")


_WHAT = {
    "labels": "class labels",
    "any_labels": "class labels",
    "weights": "sample weights",
    "scores": "scores",
}


def _array_rows(
    value: da.Array, name: str, kind: str, unknown_lengths: bool = False
) -> Rows:
    if kind == "features" and value.ndim < 2:
        raise ValueError(
            f"`{name}` must be 2-D or more, shape (n_samples, n_features, ...); got "
            f"shape {value.shape}. Reshape a single feature with `{name}[:, None]`."
        )
    if kind != "features" and value.ndim == 2 and value.shape[1] == 1:
        value = value[:, 0]  # a column: one value per row
    if kind != "features" and value.ndim != 1:
        hint = (
            f"; one-hot rows are not decoded: pass `{name}.argmax(axis=1)`"
            if kind in ("labels", "any_labels")
            else ""
        )
        raise ValueError(
            f"`{name}` must hold 1-D {_WHAT[kind]} of shape (n_samples,) on Dask; got "
            f"shape {value.shape}. On Dask, pass one output per call (`{name}[:, 0]`)"
            f"{hint}."
        )
    unknown = any(np.isnan(c) for c in value.chunks[0]) or np.isnan(value.shape[0])
    if unknown and not unknown_lengths:
        raise ValueError(_unknown_chunks_message(name))
    _check_dtype(name, value.dtype, kind)
    rest = [range(n) for n in value.numblocks[1:]]
    keys = tuple(
        tuple((value.name, i, *block) for block in itertools.product(*rest))
        for i in range(value.numblocks[0])
    )
    lengths = None if unknown else tuple(int(c) for c in value.chunks[0])
    return Rows(name, value, keys, lengths)


def _frame_rows(value: Any, name: str, kind: str) -> Rows:
    if kind == "features" and not isinstance(value, dd.DataFrame):
        raise ValueError(
            f"`{name}` must be 2-D (a DataFrame) of shape (n_samples, n_features); "
            f"got a Dask Series. Use `{name}.to_frame()`."
        )
    if kind != "features":
        if isinstance(value, dd.DataFrame):
            if len(value.columns) != 1:
                raise ValueError(
                    f"`{name}` must be a Series (one value per row); got a DataFrame "
                    f"with {len(value.columns)} columns."
                )
            value = value[value.columns[0]]
        _check_dtype(name, value.dtype, kind)
    # Simplified (projections pushed into the reads) and lowered, but not tuned:
    # tuning fuses the partitions of a read that lost most of its columns, so
    # `df["label"]` would get fewer partitions than `df` (each optimised alone).
    # The lowered expression's keys are those of its graph.
    value = new_collection(value.expr.simplify().lower_completely())
    keys = tuple((key,) for key in value.__dask_keys__())
    return Rows(name, value, keys, None)


def dask_rows(
    value: Any, name: str, kind: str, *, unknown_lengths: bool = False
) -> Rows:
    """Check one Dask argument and split it into row partitions.

    Parameters
    ----------
    value : dask.array.Array, dask.dataframe.DataFrame or Series
        The argument.
    name : str
        Its parameter name, for messages.
    kind : {"labels", "any_labels", "weights", "scores", "features"}
        What it holds: labels, weights and scores are one value per row (a column
        is accepted), features are 2-D or more. ``"labels"`` are numbers (what the
        samplers can plan with); ``"any_labels"`` also strings, objects and pandas
        string or categorical columns (what the in-memory metrics take; their
        values are checked in the partition tasks). ``"scores"`` are real numbers.
    unknown_lengths : bool, default=False
        Accept a Dask array with unknown row chunk sizes (``y[mask]``): ``lengths``
        is then None, as for a DataFrame, and the tasks must check their rows
        (:func:`check_partition_length`). For reductions, which need no output
        chunks; the default refuses with a message naming the fix.

    Examples
    --------
    >>> import dask.array as da
    >>> dask_rows(da.zeros((5, 2), chunks=(2, 2)), "X", "features").lengths
    (2, 2, 1)
    """
    if isinstance(value, da.Array):
        return _array_rows(value, name, kind, unknown_lengths)
    if isinstance(value, dd.DataFrame | dd.Series):
        return _frame_rows(value, name, kind)
    raise TypeError(
        f"`{name}` is a Dask {type(value).__name__}; balancekit takes Dask arrays, "
        "DataFrames and Series. Convert it (e.g. `bag.to_dataframe()`)."
    )


def check_aligned(rows: Sequence[Rows]) -> None:
    """A ``ValueError`` unless the arguments share one row partitioning.

    Arrays must have the same row chunks; DataFrames with known divisions the same
    divisions. Otherwise only the number of partitions can be checked up front; the
    rows of each partition are checked when it is computed
    (:func:`check_partition_length`).
    """
    first = rows[0]
    for other in rows[1:]:
        hint = (
            f"rechunk it like `{first.name}`: `{other.name}.rechunk({{0: "
            f"{first.name}.chunks[0]}})`"
            if other.is_array and first.is_array
            else f"build both from one DataFrame (`df[columns]` and `df[target]`) or "
            f"repartition `{other.name}` like `{first.name}`"
        )
        if other.n_partitions != first.n_partitions:
            raise ValueError(
                f"`{first.name}` has {first.n_partitions} row partitions but "
                f"`{other.name}` has {other.n_partitions}; the rows of each "
                f"partition must match. To fix: {hint}."
            )
        if None not in (first.lengths, other.lengths) and (
            first.lengths != other.lengths
        ):
            raise ValueError(
                f"`{first.name}` and `{other.name}` have different row chunks "
                f"({first.lengths} and {other.lengths}); the rows of each partition "
                f"must match. To fix: {hint}."
            )
        if not (first.is_array or other.is_array):
            a, b = first.value, other.value
            if a.known_divisions and b.known_divisions and a.divisions != b.divisions:
                raise ValueError(
                    f"`{first.name}` and `{other.name}` have different divisions; "
                    f"the rows of each partition must match. To fix: {hint}."
                )


def check_lengths(rows: Sequence[Rows]) -> None:
    """A ``ValueError`` naming both arguments when the known total numbers of rows
    differ (the in-memory message); call before :func:`check_aligned`, whose
    message is about the chunks."""
    first = rows[0]
    for other in rows[1:]:
        if first.lengths is None or other.lengths is None:
            continue
        n_first, n_other = sum(first.lengths), sum(other.lengths)
        if n_first != n_other:
            raise ValueError(length_message(first.name, n_first, other.name, n_other))


def sampler_rows(
    X: Any,
    y: Any,
    sample_weight: Any,
    *,
    whole_rows: bool,
    numeric_why: str | None = None,
) -> list[Rows]:
    """A sampler's ``X``, ``y`` (and ``sample_weight``) checked and as row partitions.

    All must be Dask collections with one row partitioning; ``whole_rows`` puts each
    array row in one block (the task needs all its features); ``numeric_why`` (the
    reason, for the message) requires numeric features.
    """
    check_all_dask({"X": X, "y": y, "sample_weight": sample_weight})
    if X is None or y is None:
        raise ValueError("`X` and `y` are both needed, partitioned alike.")
    if whole_rows and isinstance(X, da.Array) and X.ndim > 1:
        X = X.rechunk(dict.fromkeys(range(1, X.ndim), -1))
    rows = [dask_rows(X, "X", "features"), dask_rows(y, "y", "labels")]
    if sample_weight is not None:
        rows.append(dask_rows(sample_weight, "sample_weight", "weights"))
    check_lengths(rows)
    check_aligned(rows)
    if numeric_why is not None:
        check_numeric(rows[0], numeric_why)
    return rows


def check_numeric(rows: Rows, why: str) -> None:
    """A ``TypeError`` unless every column (or the dtype) of ``rows`` is numeric."""
    value = rows.value
    dtypes = [value.dtype] if rows.is_array else list(value.dtypes)
    if any(getattr(d, "kind", "O") not in "biuf" for d in dtypes):
        raise TypeError(
            f"`{rows.name}` has non-numeric dtype(s) "
            f"{sorted({str(d) for d in dtypes})}; {why} and needs numbers."
        )


def check_partition_length(
    block: Any, n_rows: int, name: str, reference: str, index: int
) -> None:
    """In a task: partition ``index`` of ``name`` must have ``n_rows`` rows."""
    if len(block) != n_rows:
        raise ValueError(
            f"Partition {index} of `{name}` has {len(block)} rows but partition "
            f"{index} of `{reference}` has {n_rows}; the rows of each partition "
            "must match. Build both from one DataFrame, or rechunk/repartition one "
            "like the other."
        )


def take_block_rows(
    block: Any, positions: np.ndarray, start: int, n_rows: int, name: str, index: int
) -> Any:
    """In a task: rows ``positions`` of partition ``index`` of ``name`` (which must
    have ``n_rows`` rows); pandas output gets rows ``start...`` of a RangeIndex."""
    check_partition_length(block, n_rows, name, "y", index)
    if isinstance(block, pd.DataFrame | pd.Series):
        taken = block.iloc[positions]
        taken.index = pd.RangeIndex(start, start + len(positions))
        return taken
    return np.take(block, positions, axis=0)


def lazy_array(
    name: str,
    layer: Mapping[Any, Any],
    dependencies: Sequence[Any],
    chunks: tuple,
    meta: Any,
) -> da.Array:
    """A Dask array of the tasks ``layer`` (keys ``(name, i, ...)``)."""
    graph = HighLevelGraph.from_collections(
        name, dict(layer), dependencies=list(dependencies)
    )
    return da.Array(graph, name, chunks, meta=meta)


def rows_output(
    source: Rows,
    lengths: Sequence[int],
    tasks: Callable[[int, Key], tuple],
    *,
    prefix: str,
    token: str,
    dependencies: Sequence[Any],
    meta: Any,
) -> Any:
    """A lazy collection of ``source``'s type with ``lengths[i]`` rows in partition
    ``i``, computed by one task per block: ``tasks(i, block_key)``.

    Arrays keep the chunks of the other axes. DataFrames and Series get a fresh
    RangeIndex over the whole result (imbalanced-learn's pandas output), with known
    divisions when no partition is empty. ``dependencies`` are the collections whose
    keys the tasks use; ``meta`` is an empty block of the result's type and dtype.
    """
    name = f"{prefix}-{token}"
    if source.is_array:
        layer = {
            (name, i, *key[2:]): tasks(i, key)  # type: ignore[index]
            for i, keys in enumerate(source.keys)
            for key in keys
        }
        chunks = (tuple(int(n) for n in lengths), *source.value.chunks[1:])
        return lazy_array(name, layer, dependencies, chunks, meta)
    layer = {(name, i): tasks(i, keys[0]) for i, keys in enumerate(source.keys)}
    merged: dict = {}
    for collection in dependencies:
        merged.update(collection.__dask_graph__())
    merged.update(layer)
    starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    divisions: tuple = (None,) * (len(lengths) + 1)
    if len(lengths) and min(lengths) > 0:
        divisions = (*(int(s) for s in starts[:-1]), int(starts[-1]) - 1)
    return dd.from_graph(merged, meta, divisions, list(layer), prefix)


def graph_of(*rows: Rows | None) -> dict:
    """One task graph holding the graphs of ``rows`` (None skipped)."""
    graph: dict = {}
    for row in rows:
        if row is not None:
            graph.update(row.graph)
    return graph


def block_key(rows: Rows | None, index: int) -> Any:
    """The key of row partition ``index`` of ``rows``, or None."""
    return None if rows is None else rows.keys[index][0]


def reduce_tree(
    graph: dict,
    name: str,
    function: Callable[..., Any],
    keys: list,
    *args: Any,
    split_every: int = 8,
) -> Any:
    """Add a tree of ``function(*args, *parts)`` tasks (``split_every`` parts each)
    over ``keys`` to ``graph``; the key of its root (at least one task)."""
    depth, level = 0, keys
    while len(level) > 1 or depth == 0:
        merged = []
        for j, start in enumerate(range(0, len(level), split_every)):
            key = (name, depth, j)
            graph[key] = (function, *args, *level[start : start + split_every])
            merged.append(key)
        level, depth = merged, depth + 1
    return level[0]


def range_index(start: int, n_rows: int) -> pd.RangeIndex:
    """Rows ``start .. start + n_rows - 1`` of a result's fresh RangeIndex."""
    return pd.RangeIndex(start, start + n_rows)
