"""``multilabel_confusion_matrix`` and ``hamming_loss``: scikit-learn's functions for
1-D labels and multilabel indicators, computed where the labels live.

For 1-D labels the one-vs-rest 2x2 matrices are read off the one confusion matrix
balancekit counts on the device (:func:`balancekit.metrics._counts.count`). For an
indicator of shape (n_samples, n_labels) the per-label (or, ``samplewise``,
per-sample) counts are column (row) sums on the device. Only O(n_labels) values (the
label list, a few checks) come to the host; the matrices stay on the input's device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from balancekit._array_api import (
    index_dtype,
    is_numpy_namespace,
    widest_float_dtype,
)
from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._common import as_result
from balancekit.metrics._counts import Counts, count, float_weights
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._multilabel_inputs import (
    check_indicator_pair,
    check_mix,
    checked_weights,
    column_indices,
    resolve_label_pair,
)
from balancekit.metrics._select import host_label_list

__all__ = [
    "SAMPLEWISE_NEEDS_INDICATORS",
    "IndicatorPair",
    "as_sklearn_dtypes",
    "count_positives",
    "hamming_loss",
    "indicator_confusion",
    "multilabel_confusion_matrix",
]

SAMPLEWISE_NEEDS_INDICATORS = (
    "Samplewise metrics are not available outside of multilabel classification: "
    "per-sample scores (`samplewise=True`, `average='samples'`) need (n_samples, "
    "n_labels) 0/1 indicator targets; use another average for 1-D labels."
)


def stack_confusion(tn: Array, fp: Array, fn: Array, tp: Array, xp: Namespace) -> Array:
    """(n_outputs, 2, 2) matrices ``[[tn, fp], [fn, tp]]`` from four 1-D arrays."""
    return xp.reshape(xp.stack([tn, fp, fn, tp], axis=1), (-1, 2, 2))


def as_sklearn_dtypes(counts: Counts, vectors: tuple, weighted: bool) -> tuple:
    """``vectors`` (counts of ``counts``) in scikit-learn's dtype: floats when
    weighted (integer weights included, as its bincount), and floats when no sample
    is predicted right (its quirk); integers otherwise. No transfer: the number
    predicted right (the matrix's trace over the present labels) is
    ``counts.n_right``, read by :func:`~balancekit.metrics._counts.count`."""
    xp = counts.xp
    if not weighted and counts.n_right != 0:
        return vectors
    return tuple(xp.astype(v, counts.float_dtype) for v in vectors)


# ------------------------------------------------------------------ the two kinds


def _one_vs_rest(
    y_true: Array,
    y_pred: Array,
    sample_weight: Any,
    labels: list | None,
    xp: Namespace,
    device: Device,
) -> Array:
    """The 2x2 matrices of 1-D labels, read off the confusion matrix of ``count``."""
    counts = count(y_true, y_pred, sample_weight)
    chosen = counts.present.tolist() if labels is None else labels
    weighted = sample_weight is not None
    tp, true_sum, pred_sum, total = as_sklearn_dtypes(
        counts, counts.per_class(chosen), weighted
    )
    if weighted:  # the total of the weights themselves, as scikit-learn sums them
        n_samples = int(y_true.shape[0])
        total = xp.sum(float_weights(sample_weight, n_samples, xp, total.dtype)[0])
    fp = pred_sum - tp
    fn = true_sum - tp
    return stack_confusion(total - tp - fp - fn, fp, fn, tp, xp)


def count_positives(a: Array, axis: int, xp: Namespace, device: Device) -> Array:
    """The 1s of a 0/1 array along ``axis`` of a 2-D array, as the index dtype.

    Summing a one-byte array in its own dtype is several times faster than
    widening every element (or ``count_nonzero``), so one-byte arrays (bool arrays
    of NumPy, viewed as uint8 at no cost) are summed in their dtype over blocks of
    rows small enough not to overflow it, and only the block sums are widened.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> a = xp.asarray([[1, 0], [1, 1], [0, 1]], dtype=xp.int8)
    >>> count_positives(a, 0, xp, "cpu").tolist()
    [2, 2]
    >>> count_positives(a, 1, xp, "cpu").tolist()
    [1, 2, 1]
    """
    int_dtype = index_dtype(xp, device)
    if is_numpy_namespace(xp) and a.dtype == xp.bool:
        a = a.view(xp.uint8)
    if xp.isdtype(a.dtype, "bool"):
        return xp.astype(xp.count_nonzero(a, axis=axis), int_dtype)
    if a.dtype not in (xp.int8, xp.uint8):
        return xp.sum(a, axis=axis, dtype=int_dtype)
    block = 127 if a.dtype == xp.int8 else 255  # the most 1s the dtype holds
    n_rows, n_columns = int(a.shape[0]), int(a.shape[1])
    if axis == 1:
        if n_columns > block:
            return xp.sum(a, axis=1, dtype=int_dtype)
        return xp.astype(xp.sum(a, axis=1, dtype=a.dtype), int_dtype)
    n_blocks = n_rows // block
    head = xp.reshape(a[: n_blocks * block, :], (n_blocks, block, n_columns))
    block_sums = xp.sum(head, axis=1, dtype=a.dtype)
    return xp.sum(block_sums, axis=0, dtype=int_dtype) + xp.sum(
        a[n_blocks * block :, :], axis=0, dtype=int_dtype
    )


@dataclass(frozen=True)
class IndicatorPair:
    """Two checked indicators (bool, the selected columns) and their weights, from
    which the per-label and per-sample matrices are counted without checking again.
    """

    true: Array
    pred: Array
    both: Array
    weights: Array | None
    integer_weights: bool
    xp: Namespace
    device: Device

    @classmethod
    def check(
        cls,
        y_true: Array,
        y_pred: Array,
        sample_weight: Any,
        labels: list | None,
        xp: Namespace,
        device: Device,
    ) -> IndicatorPair:
        """Check both targets, the weights and ``labels`` (column indices)."""
        true, pred = check_indicator_pair(y_true, y_pred, xp)
        n_samples, n_labels = int(true.shape[0]), int(true.shape[1])
        weights, integer = checked_weights(sample_weight, n_samples, xp, device)
        if labels is not None:
            columns = column_indices(labels, n_labels)
            index = xp.asarray(columns, dtype=index_dtype(xp, device), device=device)
            true, pred = xp.take(true, index, axis=1), xp.take(pred, index, axis=1)
        return cls(true, pred, true & pred, weights, integer, xp, device)

    def _count(self, a: Array, axis: int) -> Array:
        """Positives of a 0/1 array along ``axis`` (see :func:`count_positives`)."""
        return count_positives(a, axis, self.xp, self.device)

    def sums(self, samplewise: bool) -> tuple[Array, Array, Array, Array]:
        """``tp, true_sum, pred_sum, total`` per column, or per row with
        ``samplewise`` (counts times each row's weight)."""
        xp, device, weights = self.xp, self.device, self.weights
        true, pred, both = self.true, self.pred, self.both
        n_samples = int(true.shape[0])
        axis = 1 if samplewise else 0
        if weights is None or samplewise:
            tp, pred_sum, true_sum = (self._count(a, axis) for a in (both, pred, true))
            size = int(true.shape[1]) if samplewise else n_samples
            if weights is None:
                return tp, true_sum, pred_sum, xp.full_like(tp, size)
            # samplewise: each row's counts times its weight (integers stay integers)
            row_weights = weights
            if self.integer_weights:
                row_weights = xp.astype(weights, index_dtype(xp, device))
            tp, pred_sum, true_sum = (
                xp.astype(a, row_weights.dtype) * row_weights
                for a in (tp, pred_sum, true_sum)
            )
            return tp, true_sum, pred_sum, row_weights * size
        column = xp.reshape(weights, (-1, 1))
        zero = xp.zeros((), dtype=weights.dtype, device=device)
        tp, pred_sum, true_sum = (
            xp.sum(
                xp.where(a if xp.isdtype(a.dtype, "bool") else a != 0, column, zero),
                axis=0,
            )
            for a in (both, pred, true)
        )
        return tp, true_sum, pred_sum, xp.zeros_like(tp) + xp.sum(weights)

    def confusion(self, samplewise: bool) -> Array:
        """The 2x2 matrices: one per column, or one per row with ``samplewise``."""
        tp, true_sum, pred_sum, total = self.sums(samplewise)
        fp, fn = pred_sum - tp, true_sum - tp
        return stack_confusion(total - tp - fp - fn, fp, fn, tp, self.xp)


def indicator_confusion(
    y_true: Array,
    y_pred: Array,
    sample_weight: Any,
    labels: list | None,
    samplewise: bool,
    xp: Namespace,
    device: Device,
) -> Array:
    """The 2x2 matrices of indicators: per column, or per row with ``samplewise``."""
    pair = IndicatorPair.check(y_true, y_pred, sample_weight, labels, xp, device)
    return pair.confusion(samplewise)


# ---------------------------------------------------------------------- the API


@label_metric_route
def multilabel_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    labels: Any = None,
    samplewise: bool = False,
) -> Any:
    """Compute one 2x2 confusion matrix per class or label (one-vs-rest).

    Same arguments and results as :func:`sklearn.metrics.multilabel_confusion_matrix`,
    computed where the labels live (NumPy, PyTorch, CuPy, JAX or array-api-strict
    arrays; strings for NumPy input). Each matrix is ``[[tn, fp], [fn, tp]]``.

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        True class labels, or a multilabel indicator of 0/1 values.
    y_pred : array of shape (n_samples,) or (n_samples, n_labels)
        Predicted class labels, or a multilabel indicator like ``y_true``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights, not all 0.
    labels : array-like of shape (n_outputs,), default=None
        The classes (1-D labels) or column indices (indicators) to report, in this
        order; classes absent from the data give ``tn = `` the total. By default
        every label found, sorted (every column for indicators).
    samplewise : bool, default=False
        For indicators only: one matrix per sample (over its labels) instead of one
        per label.

    Returns
    -------
    multi_confusion : array of shape (n_outputs, 2, 2)
        On the input's device: integer counts without weights (floats, as in
        scikit-learn, for 1-D labels of which no sample is predicted right); float
        sums with weights (integer sums of integer weights with ``samplewise``).

    Raises
    ------
    ValueError
        For ``samplewise`` with 1-D labels, indicators of other values than 0/1 or
        of different shapes, a mix of indicator and 1-D targets, or column indices
        outside ``[0, n_labels)``.
    TypeError
        For a Dask collection (compute it first).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import multilabel_confusion_matrix
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0]])
    >>> y_pred = np.array([[1, 0, 0], [0, 1, 1]])
    >>> multilabel_confusion_matrix(y_true, y_pred)[2]
    array([[0, 1],
           [1, 0]])
    >>> multilabel_confusion_matrix(["a", "b", "b"], ["a", "a", "b"], labels=["b"])
    array([[[1, 0],
            [1, 1]]])
    """
    if samplewise not in (True, False):
        raise TypeError(f"`samplewise` must be True or False; got {samplewise!r}.")
    xp, device, y_true, y_pred, sample_weight = resolve_label_pair(
        y_true, y_pred, sample_weight
    )
    chosen = None if labels is None else host_label_list(labels)
    if check_mix(y_true, y_pred):
        return indicator_confusion(
            y_true, y_pred, sample_weight, chosen, bool(samplewise), xp, device
        )
    if samplewise:
        raise ValueError(SAMPLEWISE_NEEDS_INDICATORS)
    return _one_vs_rest(y_true, y_pred, sample_weight, chosen, xp, device)


@label_metric_route
def hamming_loss(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> Any:
    """Compute the Hamming loss: the (weighted) fraction of labels predicted wrong.

    Same arguments and results as :func:`sklearn.metrics.hamming_loss`: for 1-D
    labels the fraction of samples misclassified (``1 - accuracy``); for multilabel
    indicators the fraction of wrong entries among ``n_samples * n_labels``.

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        True class labels, or a multilabel indicator of 0/1 values.
    y_pred : array of shape (n_samples,) or (n_samples, n_labels)
        Predicted class labels, or a multilabel indicator like ``y_true``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights, not all 0.

    Returns
    -------
    loss : 0-d array
        In the widest float dtype of the input's device (``numpy.float64`` for NumPy
        input).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import hamming_loss
    >>> float(hamming_loss(np.array([[0, 1], [1, 1]]), np.zeros((2, 2))))
    0.75
    >>> float(hamming_loss([1, 2, 3, 4], [2, 2, 3, 4]))
    0.25
    """
    xp, device, y_true, y_pred, sample_weight = resolve_label_pair(
        y_true, y_pred, sample_weight
    )
    floating = widest_float_dtype(xp, device)
    if not check_mix(y_true, y_pred):
        counts = count(y_true, y_pred, sample_weight)
        tp, _, _, total = counts.per_class(counts.present.tolist())
        right = xp.sum(xp.astype(tp, floating))
        total = xp.astype(total, floating)
        return as_result((total - right) / total, xp)
    true, pred = check_indicator_pair(y_true, y_pred, xp)
    n_samples, n_labels = int(true.shape[0]), int(true.shape[1])
    weights, _ = checked_weights(sample_weight, n_samples, xp, device)
    wrong = xp.astype(xp.count_nonzero(true != pred, axis=1), floating)
    if weights is None:
        return as_result(xp.sum(wrong) / (n_samples * n_labels), xp)
    mean_weight = xp.sum(weights) / n_samples
    return as_result(xp.sum(wrong * weights) / (n_samples * n_labels * mean_weight), xp)
