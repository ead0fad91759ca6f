"""Multiclass decision tuning: per-class offsets on log-probabilities, on the device.

The multiclass analogue of a tuned threshold predicts ``argmax_j (log p_j + b_j)``;
offsets ``b`` equal to ``log(w_j)`` are multiplicative weights ``w`` on the
probabilities. :func:`tune_class_offsets` chooses ``b`` on a validation set by
coordinate ascent: for one class ``c`` at a time, every sample has a cut-off
``d = max_{j != c}(log p_j + b_j) - log p_c`` above which ``b_c`` moves it to class
``c``; one sort of the cut-offs and cumulative counts score every distinct ``b_c``
at once, and the best one is kept only if it improves the metric. The metric never
decreases from the plain argmax; only O(n_classes) numbers per step reach the host.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    host_float64,
    widest_float_dtype,
)
from balancekit._params import check_bool, check_choice, check_int
from balancekit._typing import Array, Namespace
from balancekit.decisions._cost import _as_columns, _check_indices
from balancekit.decisions._prior import check_probabilities

__all__ = [
    "OFFSET_METRICS",
    "ClassOffsets",
    "predict_with_offsets",
    "tune_class_offsets",
]

#: The metrics :func:`tune_class_offsets` maximises.
OFFSET_METRICS = ("balanced_accuracy", "macro_f1")

# A strict improvement must exceed this (float64 round-off of a mean of ratios).
_IMPROVEMENT_TOL = 1e-12


class ClassOffsets(NamedTuple):
    """Tuned per-class offsets and the validation metric with and without them.

    ``offsets`` is a 1-D array (one per class) on the scores' device; ``score`` and
    ``argmax_score`` are 0-d arrays there; ``n_iter`` counts the sweeps over the
    classes.
    """

    offsets: Any
    score: Any
    argmax_score: Any
    n_iter: int


def _log_scores(proba: Array, logits: bool, xp: Namespace, dtype: Any) -> Array:
    """Log-probabilities (0 clipped to the smallest normal float), or the logits."""
    values = xp.astype(proba, dtype)
    if logits:
        return values
    return xp.log(xp.maximum(values, xp.finfo(dtype).smallest_normal))


def _counts(
    y: Array, pred: Array, classes: Array, dtype: Any, xp: Namespace
) -> tuple[Array, Array]:
    """Per-class true positives and predicted counts."""
    predicted = xp.astype(pred[:, None] == classes, dtype)
    hits = xp.astype(y[:, None] == classes, dtype) * predicted
    return xp.sum(hits, axis=0), xp.sum(predicted, axis=0)


def _metric(
    tp: Array, n_pred: Array, n_true: Array, metric: str, xp: Namespace
) -> Array:
    """The metric from per-class counts (last axis: classes); every class present."""
    if metric == "balanced_accuracy":
        return xp.mean(tp / n_true, axis=-1)
    return xp.mean(2 * tp / (n_pred + n_true), axis=-1)


def _argmax_metric(
    scores: Array, y: Array, classes: Array, n_true: Array, metric: str, xp: Namespace
) -> Array:
    tp, n_pred = _counts(y, xp.argmax(scores, axis=1), classes, n_true.dtype, xp)
    return _metric(tp, n_pred, n_true, metric, xp)


def _best_offset(
    scores: Array,
    log_p: Array,
    y: Array,
    c: int,
    classes: Array,
    n_true: Array,
    metric: str,
    xp: Namespace,
) -> tuple[float, float]:
    """The metric-maximising offset of class ``c`` (the others fixed) and its value.

    Candidate offsets are the midpoints between consecutive distinct cut-offs and
    one unit beyond the extremes; the first maximum (the lowest offset) wins.
    """
    dtype = n_true.dtype
    is_c = classes == c
    others = xp.where(is_c[None, :], xp.full_like(scores, -xp.inf), scores)
    rival = xp.argmax(others, axis=1)
    cutoff = xp.max(others, axis=1) - log_p[:, c]
    order = xp.argsort(cutoff, stable=True)
    cutoff = xp.take(cutoff, order)
    y_sorted = xp.take(y, order)
    rival = xp.take(rival, order)
    # Moving the first m sorted samples to c: rival columns lose predictions (and
    # hits), column c gains m predictions and the hits among them.
    lost = xp.astype(rival[:, None] == classes, dtype)
    truth = xp.astype(y_sorted[:, None] == classes, dtype)
    lost_pred = xp.cumulative_sum(lost, axis=0, include_initial=True)
    lost_tp = xp.cumulative_sum(lost * truth, axis=0, include_initial=True)
    gained_tp = xp.cumulative_sum(truth[:, c], include_initial=True)
    n = int(cutoff.shape[0])
    moved = xp.arange(n + 1, dtype=dtype, device=cutoff.device)
    column = xp.astype(is_c, dtype)
    tp = lost_tp[-1, :] - lost_tp + gained_tp[:, None] * column
    n_pred = lost_pred[-1, :] - lost_pred + moved[:, None] * column
    values = _metric(tp, n_pred, n_true, metric, xp)
    # A split between equal cut-offs is no threshold: only distinct ones qualify.
    distinct = cutoff[1:] > cutoff[:-1]
    edge = xp.ones((1,), dtype=xp.bool, device=cutoff.device)
    valid = xp.concat([edge, distinct, edge])
    values = xp.where(valid, values, xp.full_like(values, -xp.inf))
    best = int(xp.argmax(values))
    value = float(values[best])
    if best == 0:
        return float(cutoff[0]) - 1.0, value
    if best == n:
        return float(cutoff[n - 1]) + 1.0, value
    return (float(cutoff[best - 1]) + float(cutoff[best])) / 2, value


def tune_class_offsets(
    y_true: Any,
    proba: Any,
    *,
    metric: str = "balanced_accuracy",
    logits: bool = False,
    max_iter: int = 20,
) -> ClassOffsets:
    """Per-class offsets on log-probabilities that maximise a multiclass metric.

    The decision becomes ``argmax_j (log proba[:, j] + offsets[j])`` (for logits,
    ``argmax_j (logits[:, j] + offsets[j])``); equivalently the probabilities are
    weighted by ``exp(offsets)``. Starting from zero offsets (the plain argmax),
    coordinate ascent sweeps the classes in order; for each, all distinct offsets
    are scored at once (one sort, cumulative counts, on the device) and the best is
    kept if it improves the metric by more than 1e-12. Sweeps stop when one changes
    nothing or after ``max_iter``. Deterministic: the same input gives the same
    offsets on every backend (up to the round-off of the log).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        Validation labels as integer class indices ``0 .. n_classes - 1`` (the
        columns of ``proba``); every class must occur.
    proba : array of shape (n_samples, n_classes) or (n_samples,)
        Validation probabilities (rows summing to 1), or logits with
        ``logits=True``; 1-D is binary (the positive class's probability). Same
        namespace and device as ``y_true``.
    metric : {"balanced_accuracy", "macro_f1"}, default="balanced_accuracy"
        The metric to maximise: the mean per-class recall, or the unweighted mean
        of the per-class F1 scores.
    logits : bool, default=False
        Whether ``proba`` holds logits (offsets are then added to them directly).
    max_iter : int, default=20
        The most sweeps over the classes; at least 1.

    Returns
    -------
    ClassOffsets
        ``offsets`` (shape (n_classes,), on the device; defined up to a common
        constant), ``score`` (the metric of the tuned decision on this validation
        set, never below ``argmax_score``), ``argmax_score`` (the metric of the
        plain argmax) and ``n_iter``.

    Raises
    ------
    ValueError
        For an unknown metric, labels out of range or a class absent from
        ``y_true``, arrays of different lengths, or invalid probabilities.
    TypeError
        For non-integer labels or parameters of the wrong type.

    Notes
    -----
    For balanced accuracy with calibrated probabilities the optimum is known: the
    balanced accuracy is the accuracy under a uniform prior, so the Bayes rule is
    ``argmax_j p_j / prior_j``, offsets ``-log(prior_j)`` (Elkan 2001; Menon et
    al. 2021). The tuned offsets approach it on large validation sets; on small
    ones they fit the validation noise, as any tuned threshold does.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import (
    ...     predict_with_offsets, tune_class_offsets)
    >>> proba = np.array([[0.6, 0.3, 0.1], [0.5, 0.2, 0.3], [0.7, 0.1, 0.2],
    ...                   [0.3, 0.6, 0.1], [0.8, 0.1, 0.1]])
    >>> y = np.array([0, 2, 0, 1, 0])
    >>> result = tune_class_offsets(y, proba)
    >>> float(result.argmax_score), float(result.score)
    (0.6666666666666666, 1.0)
    >>> predict_with_offsets(proba, result.offsets).tolist()
    [0, 2, 0, 1, 0]
    """
    metric = check_choice(metric, "metric", OFFSET_METRICS)
    logits = check_bool(logits, "logits")
    max_iter = check_int(max_iter, "max_iter", low=1)
    xp, device = get_namespace_and_device(y_true=y_true, proba=proba)
    values = _as_columns(check_probabilities(proba, xp, logits=logits), xp)
    n_samples, n_classes = int(values.shape[0]), int(values.shape[1])
    y = _check_indices(y_true, "y_true", n_classes, xp)
    if int(y.shape[0]) != n_samples:
        raise ValueError(
            f"`y_true` and `proba` must have the same number of samples; got "
            f"{int(y.shape[0])} and {n_samples}."
        )
    dtype = widest_float_dtype(xp, device)
    classes = xp.arange(n_classes, dtype=y.dtype, device=device)
    n_true = xp.sum(xp.astype(y[:, None] == classes, dtype), axis=0)
    if bool(xp.any(n_true == 0)):
        raise ValueError(
            f"`y_true` lacks some of the {n_classes} classes; every class needs "
            "validation samples to tune its offset."
        )
    log_p = _log_scores(values, logits, xp, dtype)
    offsets = [0.0] * n_classes
    argmax_score = _argmax_metric(log_p, y, classes, n_true, metric, xp)
    current = float(argmax_score)
    n_iter, changed = 0, True
    while changed and n_iter < max_iter:
        n_iter += 1
        changed = False
        for c in range(n_classes):
            shift = xp.asarray(offsets, dtype=dtype, device=device)
            offset, value = _best_offset(
                log_p + shift, log_p, y, c, classes, n_true, metric, xp
            )
            if value <= current + _IMPROVEMENT_TOL:
                continue
            trial = offsets.copy()
            trial[c] = offset
            shifted = log_p + xp.asarray(trial, dtype=dtype, device=device)
            score = float(_argmax_metric(shifted, y, classes, n_true, metric, xp))
            if score > current + _IMPROVEMENT_TOL:  # the real argmax confirms it
                offsets, current, changed = trial, score, True
    final = xp.asarray(offsets, dtype=dtype, device=device)
    score = _argmax_metric(log_p + final, y, classes, n_true, metric, xp)
    return ClassOffsets(
        offsets=final, score=score, argmax_score=argmax_score, n_iter=n_iter
    )


def predict_with_offsets(proba: Any, offsets: Any, *, logits: bool = False) -> Array:
    """The decision ``argmax_j (log proba[:, j] + offsets[j])`` on the device.

    Parameters
    ----------
    proba : array of shape (n_samples, n_classes) or (n_samples,)
        Probabilities, or logits with ``logits=True``; 1-D is binary.
    offsets : array of shape (n_classes,)
        Per-class offsets, e.g. ``tune_class_offsets(...).offsets``; read to the
        host (O(n_classes) numbers) when on another device.
    logits : bool, default=False
        Whether ``proba`` holds logits.

    Returns
    -------
    array of shape (n_samples,)
        Predicted class indices on ``proba``'s device; ties go to the lower index.

    Raises
    ------
    ValueError
        For offsets of the wrong length or not finite, or invalid probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import predict_with_offsets
    >>> proba = np.array([[0.6, 0.4], [0.9, 0.1]])
    >>> predict_with_offsets(proba, np.log([1.0, 2.0])).tolist()
    [1, 0]
    """
    logits = check_bool(logits, "logits")
    xp, device = get_namespace_and_device(proba=proba)
    values = _as_columns(check_probabilities(proba, xp, logits=logits), xp)
    n_classes = int(values.shape[1])
    host = host_float64(offsets)
    if host.shape != (n_classes,) or not np.all(np.isfinite(host)):
        raise ValueError(
            f"`offsets` must be {n_classes} finite numbers, one per class; got "
            f"{host.tolist()}."
        )
    dtype = widest_float_dtype(xp, device)
    shift = xp.asarray(host, dtype=dtype, device=device)
    return xp.argmax(_log_scores(values, logits, xp, dtype) + shift, axis=1)
