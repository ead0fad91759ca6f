"""Array kernels of the score-based metrics: one sort, cumulative counts, tie groups.

All kernels take ``xp`` and run on the arrays' device. Two strategies:

* Without sample weights the kernels sort *values* only (``xp.sort``, unstable), which
  is several times faster than an argsort (SIMD sorts in NumPy), then count with
  ``xp.searchsorted``: positives and negatives are sorted apart, and the count of
  samples of each class scoring at least ``t`` is a binary search. Counts are exact
  integers.
* With sample weights one unstable argsort by decreasing score orders scores, labels
  and weights; weighted cumulative sums (in the widest float dtype) are read at the end
  of each group of tied scores, as scikit-learn does.
"""

from __future__ import annotations

from typing import Any

from balancekit._typing import Array, Device, Namespace

__all__ = [
    "binary_auc",
    "binary_average_precision",
    "threshold_counts",
]


def _split_sorted(
    score: Array, is_positive: Array, xp: Namespace
) -> tuple[Array, Array]:
    """Ascending scores of the positives and of the negatives."""
    positives = xp.sort(score[is_positive], stable=False)
    negatives = xp.sort(score[xp.logical_not(is_positive)], stable=False)
    return positives, negatives


def _drop_zero_weights(
    score: Array, is_positive: Array, weight: Array, xp: Namespace
) -> tuple[Array, Array, Array]:
    """Samples of weight 0 change no count but would add thresholds: drop them."""
    nonzero = weight != 0
    if bool(xp.all(nonzero)):
        return score, is_positive, weight
    return score[nonzero], is_positive[nonzero], weight[nonzero]


def threshold_counts(
    score: Array,
    is_positive: Array,
    weight: Array,
    *,
    n_positive: int,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array, Array]:
    """False and true positives at every distinct score, by decreasing threshold.

    Parameters
    ----------
    score : array of shape (n_samples,)
        Finite scores.
    is_positive : bool array of shape (n_samples,)
        The positive mask.
    weight : float array of shape (n_samples,) or None
        Sample weights.
    n_positive : int
        The number of positives (used without weights).
    dtype : dtype
        The float dtype of the counts.
    xp : module
        The namespace.
    device : device
        The arrays' device.

    Returns
    -------
    fps, tps : arrays of shape (n_thresholds,)
        (Weighted) negatives and positives with ``score >= thresholds[i]``.
    thresholds : array of shape (n_thresholds,)
        The distinct scores, decreasing, in the scores' dtype.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([0.1, 0.4, 0.35, 0.8])
    >>> is_positive = xp.asarray([False, False, True, True])
    >>> fps, tps, thresholds = threshold_counts(
    ...     score, is_positive, None, n_positive=2, dtype=xp.float64, xp=xp,
    ...     device="cpu")
    >>> fps.tolist(), tps.tolist(), thresholds.tolist()
    ([0.0, 1.0, 1.0, 2.0], [1.0, 1.0, 2.0, 2.0], [0.8, 0.4, 0.35, 0.1])
    """
    if weight is None:
        return _counts_unweighted(score, is_positive, n_positive, dtype, xp, device)
    return _counts_weighted(score, is_positive, weight, dtype, xp, device)


def _counts_unweighted(
    score: Array,
    is_positive: Array,
    n_positive: int,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array, Array]:
    n_samples = score.shape[0]
    ordered = xp.sort(score, stable=False)
    positives = xp.sort(score[is_positive], stable=False)
    # each distinct score starts a group of ties; the samples scoring at least it
    # are those from its first occurrence on in the ascending order
    changes = xp.nonzero(ordered[1:] != ordered[:-1])[0]
    starts = xp.concat([xp.zeros(1, dtype=changes.dtype, device=device), changes + 1])
    thresholds = xp.take(ordered, starts)
    n_at_least = xp.astype(n_samples - starts, dtype)
    # positives below a threshold by bisection: no per-sample label gather needed
    positives_below = xp.searchsorted(positives, thresholds, side="left")
    tps = xp.astype(n_positive - positives_below, dtype)
    fps = n_at_least - tps
    return xp.flip(fps), xp.flip(tps), xp.flip(thresholds)


def _counts_weighted(
    score: Array,
    is_positive: Array,
    weight: Array,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array, Array]:
    score, is_positive, weight = _drop_zero_weights(score, is_positive, weight, xp)
    if score.shape[0] == 0:
        raise ValueError(
            "`sample_weight` is zero for every sample; at least one sample needs a "
            "positive weight."
        )
    order = xp.argsort(score, descending=True, stable=False)
    ordered = xp.take(score, order)
    weight = xp.astype(xp.take(weight, order), dtype)
    positive_weight = xp.where(xp.take(is_positive, order), weight, 0.0)
    tps = xp.cumulative_sum(positive_weight)
    fps = xp.cumulative_sum(weight - positive_weight)
    # read the sums at the last sample of each tie group, so tied scores share one
    # point whatever the (unstable) order inside the group, as in scikit-learn
    ends = xp.nonzero(ordered[1:] != ordered[:-1])[0]
    last = xp.asarray([ordered.shape[0] - 1], dtype=ends.dtype, device=device)
    ends = xp.concat([ends, last])
    return xp.take(fps, ends), xp.take(tps, ends), xp.take(ordered, ends)


def binary_auc(
    score: Array,
    is_positive: Array,
    weight: Array,
    *,
    n_positive: int,
    n_negative: int,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> Any:
    """Area under the ROC curve as a 0-d array; both classes must be present.

    Without weights this is the Mann-Whitney statistic: for each sample of the smaller
    class, binary searches count the other class's samples scoring below and equal
    (ties count one half). No curve is materialised.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([0.1, 0.4, 0.35, 0.8])
    >>> is_positive = xp.asarray([False, False, True, True])
    >>> float(binary_auc(score, is_positive, None, n_positive=2, n_negative=2,
    ...                  dtype=xp.float64, xp=xp, device="cpu"))
    0.75
    """
    if weight is not None:
        fps, tps, _ = _counts_weighted(score, is_positive, weight, dtype, xp, device)
        zero = xp.zeros(1, dtype=dtype, device=device)
        fps, tps = xp.concat([zero, fps]), xp.concat([zero, tps])
        area = xp.sum((fps[1:] - fps[:-1]) * (tps[1:] + tps[:-1])) / 2
        return area / (fps[-1] * tps[-1])
    positives, negatives = _split_sorted(score, is_positive, xp)
    # U counts each other-class sample below, plus one half per tie: left + right
    # bisection give 2U exactly in integers. Search with the smaller class (fewer
    # searches); the complement 2PN - 2U' turns it back into the positives' U.
    if n_positive <= n_negative:
        below = xp.searchsorted(negatives, positives, side="left")
        at_most = xp.searchsorted(negatives, positives, side="right")
        twice_u = xp.sum(below) + xp.sum(at_most)
    else:
        below = xp.searchsorted(positives, negatives, side="left")
        at_most = xp.searchsorted(positives, negatives, side="right")
        twice_u = 2 * n_positive * n_negative - (xp.sum(below) + xp.sum(at_most))
    return xp.astype(twice_u, dtype) / (2.0 * n_positive * n_negative)


def binary_average_precision(
    score: Array,
    is_positive: Array,
    weight: Array,
    *,
    n_positive: int,
    n_negative: int,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> Any:
    """Average precision as a 0-d array; there must be at least one positive.

    ``AP = sum_t (R_t - R_{t-1}) P_t`` over the distinct thresholds. Without weights
    this is the mean, over the positives, of the precision at their own score.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([0.1, 0.4, 0.35, 0.8])
    >>> is_positive = xp.asarray([False, False, True, True])
    >>> float(binary_average_precision(score, is_positive, None, n_positive=2,
    ...       n_negative=2, dtype=xp.float64, xp=xp, device="cpu"))
    0.8333333333333333
    """
    if weight is not None:
        fps, tps, _ = _counts_weighted(score, is_positive, weight, dtype, xp, device)
        zero = xp.zeros(1, dtype=dtype, device=device)
        gained = tps - xp.concat([zero, tps[:-1]])
        predicted = tps + fps
        precision = tps / xp.where(predicted > 0, predicted, 1.0)
        total = tps[-1]
        return xp.sum(gained * precision) / xp.where(total > 0, total, 1.0)
    positives, negatives = _split_sorted(score, is_positive, xp)
    # at a positive's own score t, the samples scoring >= t are the positives and
    # negatives from the first element >= t on: ties in t all count, as in sklearn
    tps = n_positive - xp.searchsorted(positives, positives, side="left")
    fps = n_negative - xp.searchsorted(negatives, positives, side="left")
    tps = xp.astype(tps, dtype)
    return xp.sum(tps / (tps + xp.astype(fps, dtype))) / n_positive
