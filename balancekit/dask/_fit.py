"""``fit`` on Dask: the in-memory ``fit``'s checks and fitted attributes, no resampling.

In memory, ``fit`` validates the data, sets ``n_features_in_`` (and
``feature_names_in_``), resolves ``sampling_strategy_`` and checks the sampler's
parameters against the data; it does not resample. On Dask the same takes one pass
over ``y`` (the class counts): the parameters are checked against a stand-in of the
validated data built from the metadata and the global class counts (no row is read),
and no neighbour search, gathering or draw runs.
"""

from __future__ import annotations

import types
from typing import Any

import array_api_compat.numpy as np_xp

from balancekit.dask._collections import Rows, sampler_rows
from balancekit.dask._counts import PartitionCounts
from balancekit.dask._random_samplers import _fit_counts
from balancekit.dask._smote import _empty

__all__ = ["checked_fit", "fit_on_dask", "stand_in"]


def stand_in(rows: list[Rows], counts: PartitionCounts) -> Any:
    """What the samplers' ``_check_params`` read of the validated data, from the
    metadata and the class counts: ``X`` is an empty block of its type."""
    labels = types.SimpleNamespace(
        class_counts=counts.class_counts(),
        classes=list(counts.class_counts()),
        counts=[int(n) for n in counts.totals],
        y=None,
    )
    return types.SimpleNamespace(
        X=_empty(rows[0]),
        y=None,
        sample_weight=None,
        xp=np_xp,
        device="cpu",
        labels=labels,
    )


def fit_on_dask(sampler: Any, X: Any, y: Any) -> PartitionCounts:
    """A sampler's ``fit`` on Dask collections: the input checks (numeric ``X``
    for the samplers that compute on it), one pass over ``y`` for the class counts,
    ``sampling_strategy_``, ``n_features_in_`` and the parameter checks.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.under_sampling import EditedNearestNeighbours
    >>> X = da.from_array(np.arange(24.0).reshape(12, 2), chunks=(4, 2))
    >>> y = da.from_array(np.array([0] * 9 + [1] * 3), chunks=4)
    >>> enn = EditedNearestNeighbours()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     _ = fit_on_dask(enn, X, y)
    >>> dict(enn.sampling_strategy_), enn.n_features_in_
    ({0: 3}, 2)
    """
    reads = sampler._reads_features()
    why = f"{type(sampler).__name__} computes on the values of the rows"
    return checked_fit(
        sampler, X, y, None, whole_rows=reads, numeric_why=why if reads else None
    )[1]


def checked_fit(
    sampler: Any,
    X: Any,
    y: Any,
    sample_weight: Any,
    *,
    whole_rows: bool,
    numeric_why: str | None,
) -> tuple[list[Rows], PartitionCounts]:
    """The checked rows and class counts, with ``fit``'s fitted attributes set and
    the parameters checked against :func:`stand_in` (what ``fit`` and the routes
    that then resample share)."""
    rows = sampler_rows(
        X, y, sample_weight, whole_rows=whole_rows, numeric_why=numeric_why
    )
    counts = _fit_counts(sampler, rows)
    sampler._check_params(stand_in(rows, counts))
    return rows, counts
