"""The per-label counts the set-wise metrics (precision, recall, F-beta, Jaccard,
sensitivity, specificity) divide: ``tp``, ``true_sum``, ``pred_sum`` and the total, for
1-D labels or multilabel indicators, on the labels' device.

1-D labels: read off the one confusion matrix (:func:`balancekit.metrics._counts.count`)
for the labels scikit-learn's rules choose. Indicators: column sums, or row sums for
``average='samples'`` (:func:`indicator_confusion`), with ``labels`` as column indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balancekit._array_api import widest_float_dtype
from balancekit._dask_route import has_dask
from balancekit._typing import Array, Namespace
from balancekit.metrics._counts import count
from balancekit.metrics._multilabel_confusion import (
    SAMPLEWISE_NEEDS_INDICATORS,
    IndicatorPair,
    as_sklearn_dtypes,
)
from balancekit.metrics._multilabel_inputs import (
    check_mix,
    resolve_label_pair,
)
from balancekit.metrics._select import (
    present_or,
    set_wise_labels,
    warn_ignored_pos_label,
)

__all__ = ["SetWiseSums", "report_sums", "set_wise_sums"]

_MULTILABEL_AVERAGES = "[None, 'micro', 'macro', 'weighted', 'samples']"


@dataclass(frozen=True)
class SetWiseSums:
    """Per-label (or, for ``average='samples'``, per-sample) counts on the device.

    Attributes
    ----------
    tp, true_sum, pred_sum, total : array of shape (n_outputs,)
        True positives, true and predicted positives, and the number (or weight) of
        samples each output counts over (``tn = total - true_sum - pred_sum + tp``).
    xp, float_dtype
        The namespace and its widest float dtype on the labels' device.
    sample_weight : array or None
        The checked float sample weights, given for ``average='samples'`` only (the
        weights of the per-sample average).
    multilabel : bool
        Whether the targets were indicators.
    labels : list
        The labels (classes, or column indices) of the outputs, in order (for
        ``average='samples'``: every selected column).
    present : list
        Every label found in either target (every column for indicators), sorted.
    """

    tp: Array
    true_sum: Array
    pred_sum: Array
    total: Array
    xp: Namespace
    float_dtype: Any
    sample_weight: Array | None
    multilabel: bool
    labels: list
    present: list


def _indicator_sums(
    pair: IndicatorPair, labels: list | None, samplewise: bool
) -> SetWiseSums:
    """The per-label (or per-sample) counts of checked indicators."""
    xp, device = pair.xp, pair.device
    tp, true_sum, pred_sum, total = pair.sums(samplewise)
    columns = list(range(int(pair.true.shape[1])))
    return SetWiseSums(
        tp=tp,
        true_sum=true_sum,
        pred_sum=pred_sum,
        total=total,
        xp=xp,
        float_dtype=widest_float_dtype(xp, device),
        sample_weight=pair.weights if samplewise else None,
        multilabel=True,
        labels=columns if labels is None else labels,
        present=columns,
    )


def check_multilabel_average(average: Any, pos_label: Any) -> None:
    if average == "binary":
        raise ValueError(
            "Target is multilabel-indicator but average='binary'. Please choose "
            f"another average setting, one of {_MULTILABEL_AVERAGES}."
        )
    warn_ignored_pos_label(pos_label, average)


def _label_sums(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    labels: list | None,
    average: Any,
    pos_label: Any,
) -> SetWiseSums:
    """The counts of 1-D labels (in memory or Dask), from one confusion matrix."""
    if average == "samples":
        raise ValueError(SAMPLEWISE_NEEDS_INDICATORS)
    counts = count(y_true, y_pred, sample_weight)
    selected = set_wise_labels(counts, labels, average, pos_label)
    tp, true_sum, pred_sum, total = as_sklearn_dtypes(
        counts, counts.per_class(selected), sample_weight is not None
    )
    return SetWiseSums(
        tp=tp,
        true_sum=true_sum,
        pred_sum=pred_sum,
        total=counts.xp.reshape(total, (1,)) + counts.xp.zeros_like(tp),
        xp=counts.xp,
        float_dtype=counts.float_dtype,
        sample_weight=None,
        multilabel=False,
        labels=selected,
        present=present_or(counts, None),
    )


def _indicator_pair(
    y_true: Any, y_pred: Any, sample_weight: Any, labels: list | None
) -> tuple[IndicatorPair | None, tuple[Any, Any, Any]]:
    """The checked indicators when the targets are indicators (else None), and the
    arguments resolved where the predictions live (Dask ones unchanged)."""
    if has_dask((y_true, y_pred, sample_weight)):  # Dask: 1-D labels, counted
        return None, (y_true, y_pred, sample_weight)
    xp, device, y_true, y_pred, sample_weight = resolve_label_pair(
        y_true, y_pred, sample_weight
    )
    if not check_mix(y_true, y_pred):
        return None, (y_true, y_pred, sample_weight)
    pair = IndicatorPair.check(y_true, y_pred, sample_weight, labels, xp, device)
    return pair, (y_true, y_pred, sample_weight)


def report_sums(
    y_true: Any, y_pred: Any, sample_weight: Any, labels: list | None
) -> tuple[SetWiseSums, SetWiseSums | None]:
    """The per-label counts and, for indicators, the per-sample counts, from one
    check of the targets (what ``classification_report`` reads)."""
    pair, resolved = _indicator_pair(y_true, y_pred, sample_weight, labels)
    if pair is None:
        return _label_sums(*resolved, labels, None, 1), None
    return _indicator_sums(pair, labels, False), _indicator_sums(pair, labels, True)


def set_wise_sums(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    labels: list | None,
    average: Any,
    pos_label: Any,
) -> SetWiseSums:
    """The counts of the labels scikit-learn's set-wise rules select.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,) or (n_samples, n_labels)
        1-D class labels, or 0/1 multilabel indicators (both alike).
    sample_weight : array of shape (n_samples,) or None
        Non-negative sample weights.
    labels : list or None
        The checked ``labels=`` (classes, or column indices for indicators).
    average : str or None
        The checked ``average=``; ``'samples'`` needs indicators.
    pos_label : object
        The class ``average='binary'`` scores.

    Returns
    -------
    SetWiseSums
        On the device of ``y_pred``.

    Examples
    --------
    >>> import numpy as np
    >>> sums = set_wise_sums(
    ...     np.array([[1, 0], [1, 1]]), np.array([[1, 1], [0, 1]]), None, None,
    ...     "macro", 1,
    ... )
    >>> sums.tp.tolist(), sums.true_sum.tolist(), sums.pred_sum.tolist()
    ([1, 1], [2, 1], [1, 2])
    """
    pair, resolved = _indicator_pair(y_true, y_pred, sample_weight, labels)
    if pair is None:
        return _label_sums(*resolved, labels, average, pos_label)
    check_multilabel_average(average, pos_label)
    return _indicator_sums(pair, labels, average == "samples")
