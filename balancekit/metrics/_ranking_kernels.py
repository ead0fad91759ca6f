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
    "row_auc_and_ap",
    "row_rank_counts",
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


def row_rank_counts(
    score: Array, is_positive: Array, xp: Namespace, device: Device
) -> tuple[Array, Array, Array, Array, Array]:
    """Per-row tie-aware counts of an ``(n, k)`` score matrix, from one row-wise sort.

    For every entry, read in each row's ascending score order: whether it is
    positive, how many entries of its row score strictly below it (``below``) and
    at most its score (``at_most``), and how many *positives* do so. Ties share
    their counts, as the thresholds of scikit-learn's curves do. All counts are
    exact integers (``int64``) of shape ``(n, k)``.

    Parameters
    ----------
    score : array of shape (n_samples, n_labels)
        Finite scores.
    is_positive : bool array of shape (n_samples, n_labels)
        The positive entries.
    xp : module
        The namespace.
    device : device
        The arrays' device.

    Returns
    -------
    positive, below, at_most, positives_below, positives_at_most : arrays
        Of shape ``(n_samples, n_labels)``, in each row's sorted order.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([[0.1, 0.4, 0.4]])
    >>> is_positive = xp.asarray([[True, False, True]])
    >>> counts = row_rank_counts(score, is_positive, xp, "cpu")
    >>> [c.tolist() for c in counts]  # doctest: +NORMALIZE_WHITESPACE
    [[[True, False, True]], [[0, 1, 1]], [[1, 3, 3]], [[0, 1, 1]], [[1, 2, 2]]]
    """
    n_rows, n_columns = int(score.shape[0]), int(score.shape[1])
    size = n_rows * n_columns
    order = xp.argsort(score, axis=1, stable=False)  # ties are grouped below
    row_start = xp.reshape(
        xp.arange(n_rows, dtype=xp.int64, device=device) * n_columns, (-1, 1)
    )
    flat_order = xp.reshape(xp.astype(order, xp.int64) + row_start, (-1,))
    ordered = xp.reshape(xp.take(xp.reshape(score, (-1,)), flat_order), (-1,))
    positive = xp.take(xp.reshape(is_positive, (-1,)), flat_order)
    # a tie group starts at each row's first entry and at each change of score
    column = xp.reshape(
        xp.broadcast_to(
            xp.arange(n_columns, dtype=xp.int64, device=device), (n_rows, n_columns)
        ),
        (-1,),
    )
    changed = xp.concat(
        [xp.ones(1, dtype=xp.bool, device=device), ordered[1:] != ordered[:-1]]
    )
    starts_group = changed | (column == 0)
    group = xp.cumulative_sum(xp.astype(starts_group, xp.int64)) - 1
    first = xp.nonzero(starts_group)[0]
    end = xp.concat([first[1:], xp.asarray([size], dtype=first.dtype, device=device)])
    group_first = xp.take(xp.astype(first, xp.int64), group)
    group_end = xp.take(xp.astype(end, xp.int64), group)
    start = xp.reshape(xp.broadcast_to(row_start, (n_rows, n_columns)), (-1,))
    zero = xp.zeros(1, dtype=xp.int64, device=device)
    running = xp.concat([zero, xp.cumulative_sum(xp.astype(positive, xp.int64))])
    positives_before_row = xp.take(running, start)

    def shaped(values: Array) -> Array:
        return xp.reshape(values, (n_rows, n_columns))

    return (
        shaped(positive),
        shaped(group_first - start),
        shaped(group_end - start),
        shaped(xp.take(running, group_first) - positives_before_row),
        shaped(xp.take(running, group_end) - positives_before_row),
    )


def row_auc_and_ap(
    score: Array, is_positive: Array, *, dtype: Any, xp: Namespace, device: Device
) -> tuple[Array, Array, Array]:
    """Unweighted ROC AUC and average precision of every row of an ``(n, k)``
    problem (each row its own binary problem over the ``k`` columns), vectorised.

    Returns the per-row AUC (NaN where a row holds one class), AP (0 where a row
    has no positive) and positive count, each of shape ``(n,)``.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([[0.1, 0.4, 0.35, 0.8], [0.5, 0.5, 0.2, 0.1]])
    >>> is_positive = xp.asarray([[False, False, True, True],
    ...                           [True, False, True, True]])
    >>> auc, ap, n_positive = row_auc_and_ap(score, is_positive, dtype=xp.float64,
    ...                                      xp=xp, device="cpu")
    >>> auc.tolist(), ap.round(4).tolist(), n_positive.tolist()
    ([0.75, 0.16666666666666666], [0.8333, 0.6389], [2, 3])
    """
    n_columns = int(score.shape[1])
    positive, below, at_most, pos_below, pos_at_most = row_rank_counts(
        score, is_positive, xp, device
    )
    n_positive = xp.sum(xp.astype(positive, xp.int64), axis=1)
    n_negative = n_columns - n_positive
    # Mann-Whitney: each negative below a positive counts 1, each tie 1/2
    negatives_twice = (below - pos_below) + (at_most - pos_at_most)
    twice_u = xp.sum(xp.where(positive, negatives_twice, 0), axis=1)
    pairs = xp.astype(2 * n_positive * n_negative, dtype)
    defined = pairs > 0
    auc = xp.where(
        defined,
        xp.astype(twice_u, dtype) / xp.where(defined, pairs, 1.0),
        float("nan"),
    )
    # precision at each positive's own score: entries scoring at least it
    at_least = xp.astype(n_columns - below, dtype)
    positives_at_least = xp.astype(xp.reshape(n_positive, (-1, 1)) - pos_below, dtype)
    precision = xp.where(positive, positives_at_least / at_least, 0.0)
    has_positive = n_positive > 0
    count = xp.astype(xp.where(has_positive, n_positive, 1), dtype)
    ap = xp.where(has_positive, xp.sum(precision, axis=1) / count, 0.0)
    return auc, ap, n_positive
