"""SMOTEENN and SMOTETomek on Dask: the SMOTE route, persisted, then a cleaning route.

In memory these samplers run their over-sampler (``smote_``) and then their cleaner
(``enn_`` or ``tomek_``) on its output. On Dask the two existing routes compose:

1. **Over-sample** with the over-sampler's Dask route (:mod:`balancekit.dask._smote`):
   one pass over ``y`` counts the classes, the rows of the grown classes are gathered
   on **one worker** (within ``balancekit.max-gather-bytes``; above it the
   ``ValueError`` says which step raised it) and the in-memory sampler generates the
   new rows there. Its lazy output is the input partitions followed by the new rows
   as new partitions, with known chunks: bit for bit the in-memory output.
2. **Persist** that output, so the cleaning step's passes read it where it was
   computed (on the workers under ``distributed``) instead of generating it again.
3. **Clean** it with the cleaner's Dask route (:mod:`balancekit.dask._cleaning`, or
   any cleaner that has one, e.g. RepeatedEditedNearestNeighbours): exact
   distributed neighbour searches, the rows removed those the in-memory cleaner
   removes from the same rows.

Cost: the over-sampler's (the gathered rows and new rows on one worker), then the
cleaner's on the ``n + n_new`` rows: TomekLinks ``(n_query + |B|) x (n + n_new)``
distances, edited nearest neighbours ``n_targeted x (n + n_new)`` (SMOTEENN's default
cleaner targets every class: O((n + n_new)^2 / workers) time). The client receives
only class counts and per-partition row counts.

Results: output partition ``i`` holds the kept rows of partition ``i`` of the
over-sampler's output, in order (the originals' partitions, then the new rows'), so
SMOTETomek's outputs are the in-memory ones row for row; SMOTEENN's hold the same
rows, in that order rather than grouped by class. The cleaner's lazy
``sample_indices_`` index the over-sampler's output, as in memory.
"""

from __future__ import annotations

from typing import Any

import dask
import numpy as np
from sklearn.utils.validation import validate_data

from balancekit.base import BaseSampler
from balancekit.dask._collections import check_all_dask
from balancekit.dask._fit import checked_fit
from balancekit.dask._smote_tasks import CONFIG_KEY

__all__ = ["smote_then_clean", "smote_then_clean_fit"]


def _check_steps(sampler: Any, smote: Any, cleaner: Any) -> None:
    """Both steps must be balancekit samplers: their ``fit_resample`` takes Dask
    collections (or refuses them by name); another library's would compute them."""
    for parameter, step in (("smote", smote), (sampler._cleaner_name, cleaner)):
        if not isinstance(step, BaseSampler):
            raise TypeError(
                f"`{parameter}` must be a balancekit sampler on Dask (its "
                f"fit_resample runs on the partitions); got {type(step).__module__}."
                f"{type(step).__name__}. Pass balancekit's, or compute() the data."
            )


def _meta(X: Any) -> Any:
    """No rows of ``X``, for ``n_features_in_`` and ``feature_names_in_``."""
    return np.empty((0, *X.shape[1:])) if hasattr(X, "chunks") else X._meta


def smote_then_clean(sampler: Any, X: Any, y: Any, sample_weight: Any = None) -> tuple:
    """``fit_resample`` of SMOTEENN or SMOTETomek on Dask collections.

    Sets the in-memory fitted attributes: ``smote_`` and ``enn_`` or ``tomek_``
    (fitted on Dask: lazy ``sample_indices_``, ``synthetic_*_``),
    ``sampling_strategy_`` (the over-sampler's), ``n_features_in_``.

    Returns
    -------
    tuple
        ``(X_res, y_res[, sample_weight_res])`` as ``fit_resample`` returns them:
        lazy, of the inputs' types, with known chunks (see the module docstring
        for the order of the rows).

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.combine import SMOTETomek
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 32 + [1] * 8)
    >>> X = rng.normal(size=(40, 2)) + y[:, None]
    >>> Xd, yd = da.from_array(X, chunks=(10, 2)), da.from_array(y, chunks=10)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     X_res, y_res = SMOTETomek(random_state=0).fit_resample(Xd, yd)
    ...     X_mem, y_mem = SMOTETomek(random_state=0).fit_resample(X, y)
    ...     bool((X_res.compute() == X_mem).all()), len(X_res.chunks[0])
    (True, 7)
    """
    check_all_dask({"X": X, "y": y, "sample_weight": sample_weight})
    sampler._check_params(None)
    validate_data(sampler, X=_meta(X), reset=True, skip_check_array=True)
    smote, cleaner = sampler._smote(), sampler._cleaner()
    _check_steps(sampler, smote, cleaner)
    sampler.smote_ = smote
    setattr(sampler, f"{sampler._cleaner_name}_", cleaner)
    try:
        over = smote.fit_resample(X, y, sample_weight=sample_weight)
    except ValueError as error:
        if CONFIG_KEY in str(error):
            error.add_note(
                f"Raised by the over-sampling step of {type(sampler).__name__} "
                f"({type(smote).__name__}), before the cleaning step."
            )
        raise
    sampler.sampling_strategy_ = smote.sampling_strategy_
    # The new rows generated once, kept where they were computed: the cleaning
    # step's passes (counts, searches, kept rows) read them there.
    X_over, y_over, *w_over = dask.persist(*over)
    if w_over:
        return cleaner.fit_resample(X_over, y_over, sample_weight=w_over[0])
    return cleaner.fit_resample(X_over, y_over)


def smote_then_clean_fit(sampler: Any, X: Any, y: Any) -> None:
    """``fit`` of SMOTEENN or SMOTETomek on Dask: the checks, one pass over ``y``
    for ``sampling_strategy_`` (resolved as an over-sampler's, as in memory) and
    ``n_features_in_``; nothing is generated or cleaned.

    Examples
    --------
    >>> import dask, dask.array as da, numpy as np
    >>> from balancekit.combine import SMOTEENN
    >>> X = da.from_array(np.arange(24.0).reshape(12, 2), chunks=(4, 2))
    >>> y = da.from_array(np.array([0] * 9 + [1] * 3), chunks=4)
    >>> sampler = SMOTEENN()
    >>> with dask.config.set(scheduler="synchronous"):
    ...     smote_then_clean_fit(sampler, X, y)
    >>> dict(sampler.sampling_strategy_), sampler.n_features_in_
    ({1: 6}, 2)
    """
    why = f"{type(sampler).__name__} interpolates between rows"
    checked_fit(sampler, X, y, None, whole_rows=True, numeric_why=why)
