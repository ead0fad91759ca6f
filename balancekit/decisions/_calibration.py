"""Calibration measures: the calibration curve, ECE and classwise ECE.

Everything runs where the probabilities live (NumPy, PyTorch, array-api-strict, ...):
the samples are assigned to bins on the device and the per-bin sums come from one
``bincount``; only the O(n_bins) bin totals cross to the host (to drop empty bins).

Bins follow scikit-learn's ``calibration_curve``: ``n_bins`` intervals of [0, 1]
(``"uniform"``) or of the probabilities' quantiles (``"quantile"``, NumPy's linear
percentiles, unweighted), closed on the right, ``(e[m-1], e[m]]``, the first one
also holding ``e[0]``: the convention of Guo et al. (2017), where a probability equal
to an inner edge falls in the lower bin. (torchmetrics' calibration errors close the
bins on the left, ``[e[m-1], e[m])``, and give 1.0 a bin of its own: the two agree
unless probabilities sit exactly on an edge.)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import array_api_compat
import numpy as np

from balancekit._array_api import (
    bincount,
    index_dtype,
    move_indices,
    to_host,
    widest_float_dtype,
)
from balancekit._labels import check_same_length
from balancekit._params import check_bool, check_choice, check_int
from balancekit._typing import Array, Namespace
from balancekit.metrics._inputs import score_metric_route
from balancekit.metrics._ranking_brier import check_probability_range
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_score,
    check_target,
    check_weights,
    describe,
    is_binary,
    present_classes,
    resolve_inputs,
)

__all__ = [
    "calibration_curve",
    "classwise_calibration_error",
    "expected_calibration_error",
]

_STRATEGIES = ("uniform", "quantile")
_NORMS = ("l1", "l2", "max")


class _Binned(NamedTuple):
    """Per-bin sums, each of shape (n_columns, n_bins), on the device."""

    confidence: Array
    hits: Array
    total: Array


def _quantile_edges(values: Array, n_bins: int, xp: Namespace) -> Array:
    """``numpy.percentile(values, linspace(0, 100, n_bins + 1))`` on the device.

    NumPy's "linear" method step by step: the virtual indices and weights (n_bins + 1
    numbers) on the host, the sort and the interpolation on the device.
    """
    n = int(values.shape[0])
    quantiles = np.linspace(0, 1, n_bins + 1) * 100 / 100
    virtual = (n - 1) * quantiles
    below = np.clip(np.floor(virtual), 0, n - 1)
    above = np.clip(below + 1, 0, n - 1)
    gamma = virtual - np.floor(virtual)
    device = values.device
    ordered = xp.sort(values)
    a = xp.take(ordered, move_indices(below.astype(np.int64), xp, device))
    b = xp.take(ordered, move_indices(above.astype(np.int64), xp, device))
    t = xp.asarray(gamma, dtype=values.dtype, device=device)
    diff = b - a
    return xp.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def _bin_ids(values: Array, n_bins: int, strategy: str, xp: Namespace) -> Array:
    """The bin of each value: ``searchsorted`` on the inner edges (side "left")."""
    if strategy == "quantile":
        edges = _quantile_edges(values, n_bins, xp)
    else:
        edges = xp.asarray(
            np.linspace(0.0, 1.0, n_bins + 1), dtype=values.dtype, device=values.device
        )
    inner = edges[1:-1]
    if array_api_compat.is_torch_array(values):
        values = values.contiguous()  # a column of y_proba; torch copies it anyway
    if int(inner.shape[0]) == 0:
        return xp.zeros(values.shape, dtype=index_dtype(xp, values.device))
    ids = xp.searchsorted(inner, values)
    return xp.astype(ids, index_dtype(xp, values.device))


def _binned_sums(
    confidences: list[Array],
    hits: list[Array],
    weight: Array | None,
    n_bins: int,
    strategy: str,
    xp: Namespace,
) -> _Binned:
    """Per column and bin: the weighted sums of confidence, of hits and of weight.

    Column ``k``'s bins are shifted by ``k * n_bins`` and the three sums by
    ``n_columns * n_bins``, so one ``bincount`` gives them all.
    """
    n_columns = len(confidences)
    size = n_columns * n_bins
    ids = [
        _bin_ids(c, n_bins, strategy, xp) + k * n_bins
        for k, c in enumerate(confidences)
    ]
    w = xp.ones_like(confidences[0]) if weight is None else weight
    index = xp.concat([*ids, *(i + size for i in ids), *(i + 2 * size for i in ids)])
    values = xp.concat(
        [
            *(c * w for c in confidences),
            *(xp.astype(h, w.dtype) * w for h in hits),
            *(w for _ in ids),
        ]
    )
    sums = bincount(index, 3 * size, values, xp)
    sums = xp.reshape(sums, (3, n_columns, n_bins))
    return _Binned(sums[0, ...], sums[1, ...], sums[2, ...])


def _prepare(
    y_true: Any, y_proba: Any, sample_weight: Any, n_bins: Any, strategy: Any
) -> tuple[Namespace, Array, Array, Array | None, int]:
    """Checked labels, float probabilities (1-D or 2-D), weights and ``n_bins``."""
    n_bins = check_int(n_bins, "n_bins", low=1)
    check_choice(strategy, "strategy", _STRATEGIES)
    xp, device, y_true, y_proba, sample_weight = resolve_inputs(
        y_true, y_proba, sample_weight, score_name="y_proba"
    )
    y_true = check_target(y_true, xp)
    ndim = 2 if getattr(y_proba, "ndim", 1) == 2 else 1
    y_proba = check_score(y_proba, xp, name="y_proba", ndim=ndim)
    n_samples = check_same_length("y_true", y_true, "y_proba", y_proba)
    weight = check_weights(sample_weight, n_samples, xp, device)
    check_probability_range(y_proba, xp)
    y_proba = xp.astype(y_proba, widest_float_dtype(xp, device))
    if weight is not None and float(xp.sum(weight)) == 0:
        raise ValueError("`sample_weight` sums to zero; no sample counts.")
    return xp, y_true, y_proba, weight, n_bins


def _positive(y_true: Array, pos_label: Any, xp: Namespace) -> Array:
    """The boolean "is positive" mask of binary ``y_true`` (scikit-learn's rule)."""
    classes = present_classes(y_true, xp)
    if not is_binary(classes):
        raise ValueError(
            f"`y_true` takes more than two values {describe(classes)}; a 1-D "
            "`y_proba` is the probability of one class, so `y_true` must be binary. "
            "Pass one probability column per class, shape (n_samples, n_classes)."
        )
    return binary_target(y_true, xp, pos_label=pos_label, classes=classes).is_positive


def _column_labels(y_true: Array, n_columns: int, xp: Namespace) -> Array:
    """``y_true`` checked as column indices of a 2-D ``y_proba``."""
    if not xp.isdtype(y_true.dtype, "integral"):
        raise TypeError(
            "With a 2-D `y_proba`, `y_true` must hold integer class indices "
            f"0..{n_columns - 1} (the columns of `y_proba`); got dtype {y_true.dtype}. "
            "Encode string labels first, e.g. with sklearn's LabelEncoder."
        )
    low, high = int(xp.min(y_true)), int(xp.max(y_true))
    if low < 0 or high >= n_columns:
        raise ValueError(
            f"With a 2-D `y_proba` of {n_columns} columns, `y_true` must hold class "
            f"indices in [0, {n_columns - 1}]; got values in [{low}, {high}]."
        )
    return y_true


def _error(binned: _Binned, norm: str, xp: Namespace) -> Array:
    """The calibration error of each column (shape (n_columns,)) under ``norm``."""
    filled = binned.total > 0
    total = xp.where(filled, binned.total, xp.ones_like(binned.total))
    gap = xp.abs(binned.hits / total - binned.confidence / total)
    gap = xp.where(filled, gap, xp.zeros_like(gap))
    if norm == "max":
        return xp.max(gap, axis=1)
    share = binned.total / xp.sum(binned.total, axis=1, keepdims=True)
    if norm == "l1":
        return xp.sum(share * gap, axis=1)
    return xp.sqrt(xp.sum(share * gap**2, axis=1))


@score_metric_route
def calibration_curve(
    y_true: Any,
    y_proba: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    sample_weight: Any = None,
    return_counts: bool = False,
) -> tuple[Array, ...]:
    """True and predicted probabilities of the non-empty bins (binary).

    scikit-learn's ``sklearn.calibration.calibration_curve`` (same arguments, bins and
    results), computed where ``y_proba`` lives, with sample weights and the bin
    totals as extras.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True binary labels.
    y_proba : array of shape (n_samples,)
        Probabilities of the positive class, in [0, 1].
    n_bins : int, default=10
        Number of bins of [0, 1].
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width, or bins holding equal numbers of samples (edges at the
        unweighted quantiles of ``y_proba``).
    pos_label : int, float, bool or str, default=None
        The positive label; ``None`` means 1 for {0, 1} or {-1, 1} labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights (scikit-learn has none: it counts samples).
    return_counts : bool, default=False
        Also return the (weighted) number of samples of each non-empty bin.

    Returns
    -------
    prob_true : array of shape (n_nonempty_bins,)
        The fraction of positives in each non-empty bin.
    prob_pred : array of shape (n_nonempty_bins,)
        The mean predicted probability in each non-empty bin.
    counts : array of shape (n_nonempty_bins,)
        Only with ``return_counts``: the sample (weight) total of each bin.

    Raises
    ------
    ValueError
        For probabilities outside [0, 1], non-binary labels, an unknown ``strategy``
        or ``n_bins`` < 1.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import calibration_curve
    >>> y_true = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    >>> y_proba = np.array([0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0])
    >>> prob_true, prob_pred, counts = calibration_curve(
    ...     y_true, y_proba, n_bins=3, return_counts=True
    ... )
    >>> prob_true.round(3).tolist(), prob_pred.round(3).tolist(), counts.tolist()
    ([0.0, 0.5, 1.0], [0.2, 0.525, 0.85], [3.0, 2.0, 4.0])
    """
    return_counts = check_bool(return_counts, "return_counts")
    xp, y_true, y_proba, weight, n_bins = _prepare(
        y_true, y_proba, sample_weight, n_bins, strategy
    )
    if y_proba.ndim != 1:
        raise ValueError(
            "`y_proba` must be 1-D, the probability of the positive class; got shape "
            f"{tuple(y_proba.shape)}. For multiclass probabilities use "
            "`expected_calibration_error` (top-label) or a one-vs-rest column."
        )
    hits = _positive(y_true, pos_label, xp)
    binned = _binned_sums([y_proba], [hits], weight, n_bins, strategy, xp)
    total = binned.total[0, ...]
    kept = np.flatnonzero(to_host(total, xp) != 0)
    where = move_indices(kept, xp, y_proba.device)
    counts = xp.take(total, where)
    prob_true = xp.take(binned.hits[0, ...], where) / counts
    prob_pred = xp.take(binned.confidence[0, ...], where) / counts
    if return_counts:
        return prob_true, prob_pred, counts
    return prob_true, prob_pred


def _columns(
    y_true: Array, y_proba: Array, pos_label: Any, xp: Namespace, top_label: bool
) -> tuple[list[Array], list[Array]]:
    """Confidences and hits: top-label (one column) or one-vs-rest (each class)."""
    if y_proba.ndim == 1:
        positive = _positive(y_true, pos_label, xp)
        if top_label:
            return [y_proba], [positive]
        return [1 - y_proba, y_proba], [~positive, positive]
    n_columns = int(y_proba.shape[1])
    y_true = _column_labels(y_true, n_columns, xp)
    if top_label:
        predicted = xp.astype(xp.argmax(y_proba, axis=1), y_true.dtype)
        return [xp.max(y_proba, axis=1)], [predicted == y_true]
    return (
        [y_proba[:, k] for k in range(n_columns)],
        [y_true == k for k in range(n_columns)],
    )


@score_metric_route
def expected_calibration_error(
    y_true: Any,
    y_proba: Any,
    *,
    n_bins: int = 15,
    strategy: str = "uniform",
    norm: str = "l1",
    pos_label: Any = None,
    sample_weight: Any = None,
) -> Array:
    """Expected calibration error (ECE; Naeini et al. 2015, Guo et al. 2017).

    ``sum_m |B_m| / n * |acc(B_m) - conf(B_m)|`` over the bins ``B_m`` of the
    confidences. For 1-D binary probabilities the confidence is the positive-class
    probability and "acc" the fraction of positives; for 2-D probabilities the
    confidence is the top probability and "acc" the accuracy of the top class.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True labels: binary for 1-D ``y_proba``, column indices 0..n_classes-1
        for 2-D ``y_proba``.
    y_proba : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities in [0, 1]: of the positive class, or one column per class.
    n_bins : int, default=15
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width, or of equal numbers of samples.
    norm : {"l1", "l2", "max"}, default="l1"
        ``"l1"``: the ECE above; ``"l2"``: the root of the bin-weighted mean squared
        gap; ``"max"``: the largest gap of a non-empty bin (MCE).
    pos_label : int, float, bool or str, default=None
        The positive label for 1-D ``y_proba``; ``None`` means 1 for {0, 1} or
        {-1, 1} labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    array
        A 0-d float array on ``y_proba``'s device, in [0, 1].

    Raises
    ------
    ValueError
        For probabilities outside [0, 1], labels that do not match ``y_proba``, or
        an unknown ``strategy`` or ``norm``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import expected_calibration_error
    >>> y_true = np.array([0, 1, 1, 0])
    >>> y_proba = np.array([0.2, 0.8, 0.6, 0.4])
    >>> round(float(expected_calibration_error(y_true, y_proba, n_bins=2)), 6)
    0.3
    """
    check_choice(norm, "norm", _NORMS)
    xp, y_true, y_proba, weight, n_bins = _prepare(
        y_true, y_proba, sample_weight, n_bins, strategy
    )
    confidences, hits = _columns(y_true, y_proba, pos_label, xp, top_label=True)
    binned = _binned_sums(confidences, hits, weight, n_bins, strategy, xp)
    return _error(binned, norm, xp)[0]


@score_metric_route
def classwise_calibration_error(
    y_true: Any,
    y_proba: Any,
    *,
    n_bins: int = 15,
    strategy: str = "uniform",
    norm: str = "l1",
    pos_label: Any = None,
    sample_weight: Any = None,
) -> Array:
    """Classwise ECE (Kull et al. 2019): the mean over classes of one-vs-rest ECEs.

    Each class ``k`` is scored on its own column: the bins of ``y_proba[:, k]`` and
    the fraction of samples of class ``k`` in each. A 1-D binary ``y_proba`` counts
    as the two columns ``1 - p`` and ``p``.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True labels: binary for 1-D ``y_proba``, column indices 0..n_classes-1
        for 2-D ``y_proba``.
    y_proba : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities in [0, 1]: of the positive class, or one column per class.
    n_bins : int, default=15
        Number of bins per class.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width, or of equal numbers of samples (per class column).
    norm : {"l1", "l2", "max"}, default="l1"
        The norm of each class's calibration error, as in
        :func:`expected_calibration_error`.
    pos_label : int, float, bool or str, default=None
        The positive label for 1-D ``y_proba``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    array
        A 0-d float array on ``y_proba``'s device, in [0, 1].

    Raises
    ------
    ValueError
        For probabilities outside [0, 1], labels that do not match ``y_proba``, or
        an unknown ``strategy`` or ``norm``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import classwise_calibration_error
    >>> y_true = np.array([0, 1, 2, 2])
    >>> y_proba = np.array(
    ...     [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]
    ... )
    >>> round(float(classwise_calibration_error(y_true, y_proba, n_bins=5)), 6)
    0.233333
    """
    check_choice(norm, "norm", _NORMS)
    xp, y_true, y_proba, weight, n_bins = _prepare(
        y_true, y_proba, sample_weight, n_bins, strategy
    )
    confidences, hits = _columns(y_true, y_proba, pos_label, xp, top_label=False)
    binned = _binned_sums(confidences, hits, weight, n_bins, strategy, xp)
    return xp.mean(_error(binned, norm, xp))


def reliability_points(
    y_true: Any,
    y_proba: Any,
    *,
    n_bins: int,
    strategy: str,
    pos_label: Any,
    sample_weight: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Host points of a reliability diagram: accuracy, confidence, weight per
    non-empty bin and the (l1) ECE; top-label for a 2-D ``y_proba``.

    Examples
    --------
    >>> import numpy as np
    >>> acc, conf, total, ece = reliability_points(
    ...     np.array([0, 1]), np.array([0.2, 0.9]), n_bins=2, strategy="uniform",
    ...     pos_label=None, sample_weight=None,
    ... )
    >>> acc.tolist(), conf.tolist(), round(ece, 6)
    ([0.0, 1.0], [0.2, 0.9], 0.15)
    """
    xp, y_true, y_proba, weight, n_bins = _prepare(
        y_true, y_proba, sample_weight, n_bins, strategy
    )
    confidences, hits = _columns(y_true, y_proba, pos_label, xp, top_label=True)
    binned = _binned_sums(confidences, hits, weight, n_bins, strategy, xp)
    ece = _error(binned, "l1", xp)[0]
    rows = [binned.total[0, ...], binned.hits[0, ...], binned.confidence[0, ...]]
    # one transfer: the three histograms and the ECE
    host = to_host(
        xp.concat([*rows, xp.reshape(xp.astype(ece, rows[0].dtype), (1,))]), xp
    )
    n = int(rows[0].shape[0])
    total, hit_sums, confidence = host[:n], host[n : 2 * n], host[2 * n : 3 * n]
    kept = total != 0
    return (
        hit_sums[kept] / total[kept],
        confidence[kept] / total[kept],
        total[kept],
        float(host[-1]),
    )
