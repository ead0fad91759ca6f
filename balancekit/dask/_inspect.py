"""``inspect`` on Dask collections: the in-memory report, partition by partition.

The report is :func:`balancekit.diagnostics.inspect`'s, computed in four steps, each
one task per partition whose small result (per-column and per-class numbers) comes
back to the client:

1. **columns**: class counts; NaN, +inf and -inf counts, finite count, sum, minimum,
   maximum, integrality and row-order monotonicity of each column; the same sums over
   the rows whose features are all finite; and a sorted sketch of each column (every
   finite value when the partition has few, else evenly spaced order statistics);
2. **spread**: the squared deviations from the global means (the standard
   deviations, so the scale ratio, as the in-memory two-pass formula), the count of
   each candidate dominant value, and the stratified sample's rows;
3. **duplicates**: each finite row (identifier-like columns left out) is hashed,
   the rows are shuffled on their hash so equal rows meet in one partition, and each
   partition compares its rows exactly (a hash collision is never counted as a
   duplicate); identical rows with different labels are the conflicts;
4. **typology**: of a stratified sample of ``max_samples`` rows (each class's quota
   split over the partitions by a multivariate hypergeometric draw; partition ``i``
   draws from ``SeedSequence(root, spawn_key=(i, 0))``), standardised with the
   global means and standard deviations of the finite rows. When the sample holds
   every finite row, on the client (exact). Otherwise the sample is the query of
   ``kneighbors_on_dask`` among all finite rows (each partition answers, answers
   merged), so each sampled row's category is exact as in memory; past
   ``ALL_ROWS_PAIRS`` (sample rows x finite rows) the neighbours are searched within
   the sample on the client instead, and the categories are estimates.

Exact, equal to the in-memory report on the computed data: class counts and ratios,
NaN and inf counts, non-finite rows, constant and near-constant columns, standard
deviations and the scale ratio (to float round-off), identifier-like columns,
duplicate and conflict counts and examples; the typology of the rows evaluated
(which rows are sampled depends on the partitioning, as it depends on the
generator in memory). Estimated: the typology when searched within the sample (see
step 4), and the interquartile range and a dominant share below one half when a
partition holds more finite values of a column than its sketch (the rank error is
at most one sketch step of each partition). The report's ``dask_estimates``
finding says which fields were estimated.

What reaches the client: O(n_features x n_partitions) numbers per step, the
sketches (``_SKETCH_POINTS`` values in all, at least 32 per column and partition),
the sample (O(max_samples x
n_features)) and up to five conflict examples per partition. No step holds more
than a partition per task, except the shuffle's output partitions (rows sharing
a hash) and the neighbour search's query block (the sample).

This module checks the inputs, plans and assembles the report; the steps live in
``_inspect_columns`` (1 and 2), ``_inspect_duplicates`` (3) and
``_inspect_typology`` (4), their tasks built by ``_inspect_partitions``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import array_api_compat.numpy as xp
import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd

from balancekit._label_messages import missing_message
from balancekit._params import check_int
from balancekit._random import RandomStateLike, check_random_state
from balancekit.dask._collections import (
    Rows,
    check_aligned,
    check_all_dask,
    check_numeric,
    dask_rows,
)
from balancekit.dask._inspect_columns import (
    _at_rank,
    _columns_pass,
    _identifiers,
    _majority_candidates,
    _quantile,
    _spread_pass,
    _summary,
)
from balancekit.dask._inspect_duplicates import _duplicate_summary
from balancekit.dask._inspect_partitions import _per_partition
from balancekit.dask._inspect_typology import (
    _scale,
    _scaling,
    _typology_among_all_rows,
)
from balancekit.dask._random_samplers import split_targets
from balancekit.diagnostics._findings import Finding
from balancekit.diagnostics._inspect import (
    _feature_names,
    _projection,
    assemble_report,
)
from balancekit.diagnostics._report import DataReport
from balancekit.diagnostics._typology import neighbourhood_typology, stratified_quotas

__all__ = ["DEFAULT_MAX_SAMPLES", "inspect"]

#: The typology's sample on Dask when ``max_samples`` is None.
DEFAULT_MAX_SAMPLES = 50_000
_SKETCH_POINTS = 1 << 16  # sketch values sent to the client, all columns together
#: Above this many (sample row, finite row) pairs, a sampled typology searches the
#: neighbours within the sample instead of among all rows (then said in a finding).
ALL_ROWS_PAIRS = 10**10
#: The most bytes of sampled features gathered to the client.
SAMPLE_BYTES = 1 << 30


def _label_codes(y: Any) -> tuple[Any, np.ndarray | None]:
    """Text or categorical Dask labels as integer codes, with their sorted classes
    (one pass over ``y``); other labels unchanged."""
    if isinstance(y, dd.DataFrame) and len(y.columns) == 1:
        y = y[y.columns[0]]
    if not isinstance(y, dd.Series) or getattr(y.dtype, "kind", "O") in "biuf":
        return y, None
    n_missing, distinct = dask.compute(y.isna().sum(), y.dropna().unique())
    if n_missing:
        raise ValueError(missing_message("y", int(n_missing)))
    classes = np.sort(np.asarray(distinct, dtype=object))

    def code(block: pd.Series) -> pd.Series:
        values = pd.Categorical(block, categories=classes).codes.astype(np.int64)
        return pd.Series(values, index=block.index, name=block.name)

    return y.map_partitions(code, meta=(y.name, "int64")), classes


def _check(X: Any, y: Any) -> tuple[Rows, Rows, np.ndarray | None, list[str] | None]:
    """Checked, aligned rows of ``X`` (one block per partition) and coded ``y``."""
    check_all_dask({"X": X, "y": y})
    y, text_classes = _label_codes(y)
    if isinstance(X, da.Array) and X.ndim > 2:
        X = X.reshape((X.shape[0], -1), merge_chunks=True)
    if isinstance(X, da.Array) and X.ndim == 2:
        X = X.rechunk({1: -1})
    X_rows, y_rows = dask_rows(X, "X", "features"), dask_rows(y, "y", "labels")
    check_aligned([X_rows, y_rows])
    check_numeric(X_rows, "`inspect` computes statistics of the features")
    names = None if X_rows.is_array else [str(c) for c in X_rows.value.columns]
    n_features = X_rows.value.shape[1] if X_rows.is_array else len(names or [])
    if n_features == 0:
        raise ValueError("`X` has no feature columns; at least one is needed.")
    return X_rows, y_rows, text_classes, names


def _class_table(parts: Sequence[dict], key: str, classes: np.ndarray) -> np.ndarray:
    """Rows per (partition, class) from each partition's ``(labels, counts)``."""
    table = np.zeros((len(parts), classes.size), dtype=np.int64)
    for i, part in enumerate(parts):
        labels, counts = part[key]
        table[i, np.searchsorted(classes, labels)] = counts
    return table


def _estimates_finding(sampled: bool, exact_sketch: bool, n_sample: int) -> list:
    fields = []
    if sampled:
        fields += ["typology_counts", "projection"]
    if not exact_sketch:
        fields += ["feature_iqr", "dominant_shares (below 0.5)"]
    if not fields:
        return []
    return [
        Finding(
            "dask_estimates",
            "info",
            f"on Dask, {', '.join(fields)} were estimated"
            + (
                f"; the typology's neighbours were searched within a stratified "
                f"sample of {n_sample:,} rows"
                if sampled
                else ""
            ),
            "the fields not listed are exact; a smaller max_samples keeps the "
            "typology's search among all rows",
            count=len(fields),
            details={"fields": fields},
        )
    ]


def inspect(
    X: Any,
    y: Any,
    *,
    n_neighbors: int = 5,
    max_samples: int | None = None,
    feature_names: Any = None,
    random_state: RandomStateLike = 0,
    multilabel: bool | None = None,
) -> DataReport:
    """:func:`balancekit.diagnostics.inspect` for Dask arrays and DataFrames.

    Called by ``balancekit.diagnostics.inspect`` when ``X`` or ``y`` is a Dask
    collection. Computes on the call (the steps of the module docstring) and
    returns the in-memory report: exact fields equal the in-memory report of the
    computed data. The typology uses a stratified sample of ``max_samples`` rows
    (``None``: ``DEFAULT_MAX_SAMPLES``, 50,000), its neighbours searched among all
    finite rows by a distributed search (exact categories), or within the sample
    past ``ALL_ROWS_PAIRS`` pairs (estimated, and said in a ``dask_estimates``
    finding). Text labels of a Dask Series are coded after one pass that finds
    the classes. The duplicate check shuffles the finite rows once, by hash.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(40, 2))
    >>> X[3] = X[7]
    >>> y = np.repeat([0, 1], [30, 10])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     report = inspect(da.from_array(X, chunks=(15, 2)), da.from_array(y, 15))
    >>> report.class_counts, report.n_duplicate_rows, report.typology_sampled
    ([30, 10], 1, False)
    """
    if multilabel or getattr(y, "ndim", 1) == 2:
        raise NotImplementedError(
            "inspect takes one class label per row on Dask collections; a multilabel "
            "indicator is read in memory: compute it first (`y.compute()`, and a "
            "sample of `X` if it does not fit), or call "
            "balancekit.diagnostics.multilabel_imbalance on the computed indicator."
        )
    n_neighbors = check_int(n_neighbors, "n_neighbors", low=1)
    budget = check_int(
        DEFAULT_MAX_SAMPLES if max_samples is None else max_samples,
        "max_samples",
        low=1,
    )
    rng = check_random_state(random_state)
    X_rows, y_rows, text_classes, frame_names = _check(X, y)
    n_features = X_rows.value.shape[1] if X_rows.is_array else len(frame_names or [])
    names = _feature_names(feature_names, frame_names, int(n_features))
    share = _SKETCH_POINTS // (X_rows.n_partitions * len(names))
    steps = _per_partition(
        "columns", _columns_pass, X_rows, y_rows, int(np.clip(share, 32, 4096))
    )
    parts = dask.compute(*steps)
    n_samples = sum(p["n_rows"] for p in parts)
    if n_samples == 0:
        raise ValueError("`X` is empty; at least one sample is needed.")
    classes = np.unique(np.concatenate([p["labels"][0] for p in parts]))
    finite_counts = _class_table(parts, "finite_labels", classes)
    n_finite = np.sum([p["finite"] for p in parts], axis=0)
    n_finite_rows = int(finite_counts.sum())
    sketches = [[p["sketch"][j] for p in parts] for j in range(len(names))]
    medians = [
        _at_rank(sketches[j], (int(f) - 1) // 2) if f else np.nan
        for j, f in enumerate(n_finite)
    ]
    candidates = [_majority_candidates(parts, j, medians[j]) for j in range(len(names))]
    gathered = min(budget, n_finite_rows) * len(names) * 8
    if gathered > SAMPLE_BYTES:
        raise ValueError(
            f"`max_samples` = {budget:,} rows of {len(names)} features would gather "
            f"{gathered / 2**30:.1f} GiB to the client (the limit, SAMPLE_BYTES, is "
            f"{SAMPLE_BYTES / 2**30:.1f} GiB); pass a smaller `max_samples`."
        )
    # The typology's stratified sample: each class's quota split over the
    # partitions as a uniform draw of its rows would split it.
    quotas = stratified_quotas(finite_counts.sum(axis=0), budget)
    plan = {
        "n_finite": n_finite,
        "mean": np.sum([p["sum"] for p in parts], axis=0) / np.maximum(n_finite, 1),
        "row_mean": np.sum([p["row_sum"] for p in parts], axis=0)
        / max(n_finite_rows, 1),
        "medians": medians,
        "candidates": candidates,
        "iqr": [
            _quantile(s, int(f), 0.75) - _quantile(s, int(f), 0.25)
            for s, f in zip(sketches, n_finite, strict=True)
        ],
        "quotas": split_targets(finite_counts, quotas, False, rng),
        "finite_counts": finite_counts,
        "finite_offsets": np.concatenate([[0], np.cumsum(finite_counts.sum(axis=1))]),
        "root": [int(r) for r in rng.integers(0, 2**32, 4)],
    }
    task_plan = {k: plan[k] for k in ("mean", "row_mean", "candidates", "quotas")}
    task_plan |= {k: plan[k] for k in ("finite_counts", "finite_offsets", "root")}
    spread = dask.compute(
        *_per_partition("spread", _spread_pass, X_rows, y_rows, task_plan, classes)
    )
    columns = _summary(parts, spread, plan)
    offsets = np.concatenate([[0], np.cumsum([p["n_rows"] for p in parts])])

    def distinct(j: int) -> bool:
        found = _duplicate_summary(X_rows, y_rows, [j], offsets, classes, False)
        return found.n_duplicate_rows == 0

    identifiers = _identifiers(columns, names, n_samples, distinct)
    keep = [j for j, name in enumerate(names) if name not in identifiers]
    identifiers_kept = not keep
    keep = keep or list(range(len(names)))
    duplicates = _duplicate_summary(X_rows, y_rows, keep, offsets, classes, True)

    scaling = _scaling(spread, plan, keep, n_finite_rows)
    X_scaled = _scale(np.concatenate([s["sample"][0] for s in spread]), scaling)
    codes = np.concatenate([s["sample"][1] for s in spread]).astype(np.int64)
    sample_counts = np.bincount(codes, minlength=classes.size)
    sampled = len(codes) < n_finite_rows
    among_all = sampled and n_finite_rows > n_neighbors
    among_all &= len(codes) * n_finite_rows <= ALL_ROWS_PAIRS
    typology = None
    if among_all:
        positions = np.concatenate([s["sample"][2] for s in spread])
        typology = _typology_among_all_rows(
            X_rows,
            y_rows,
            scaling,
            classes,
            finite_counts.sum(axis=1),
            (X_scaled, codes, positions),
            n_neighbors,
        )
    elif len(codes) > n_neighbors:
        typology = neighbourhood_typology(
            X_scaled, codes, sample_counts, n_neighbors, None, rng, xp, "cpu"
        )
        typology = dataclasses.replace(typology, sampled=sampled)
    projection = _projection(X_scaled, codes, typology, sample_counts, rng, xp, "cpu")

    class_counts = _class_table(parts, "labels", classes).sum(axis=0).tolist()
    labels = classes if text_classes is None else text_classes
    exact_sketch = all(p["exact_sketch"] for p in parts)
    return assemble_report(
        n_samples=n_samples,
        names=names,
        classes=[c.item() if hasattr(c, "item") else c for c in labels],
        class_counts=class_counts,
        columns=columns,
        n_finite_rows=n_finite_rows,
        duplicates=duplicates,
        n_neighbors=n_neighbors,
        typology=typology,
        typology_sampled=False if typology is None else sampled,
        identifiers=identifiers,
        identifiers_kept=identifiers_kept,
        typology_features=[names[j] for j in scaling["columns"]],
        projection=projection,
        extra_findings=tuple(
            _estimates_finding(sampled and not among_all, exact_sketch, len(codes))
        ),
    )
