"""The partial ROC AUC of every row of an ``(n, k)`` problem, from one row-wise sort.

Each row is its own binary problem over its ``k`` columns (multilabel
``average="samples"``). Its ROC curve is piecewise linear: every group of tied
scores is one segment, from the point of the entries scoring *more* than the group
to the point of those scoring *at least* its score (a vertical or diagonal segment
where positives and negatives tie). The area over ``fpr`` in ``[0, max_fpr]`` sums
the segments below ``max_fpr`` and the part of the segment crossing it, its end
interpolated linearly: the curve and the interpolation of scikit-learn's
``roc_auc_score(max_fpr=...)`` (whose ``roc_curve`` only drops collinear points,
which leaves the curve unchanged), standardised as McClish's.

The counts come from :func:`balancekit.metrics._ranking_kernels.row_rank_counts`
(the sort shared with the full AUC and average precision of the rows); every row is
scored at once on the scores' device.
"""

from __future__ import annotations

from typing import Any

from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._ranking_kernels import row_rank_counts

__all__ = ["row_partial_auc"]


def row_partial_auc(
    score: Array,
    is_positive: Array,
    max_fpr: float,
    *,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array]:
    """McClish-standardised partial ROC AUC of every row, and its positive count.

    Parameters
    ----------
    score : array of shape (n_rows, n_columns)
        Finite scores.
    is_positive : bool array of shape (n_rows, n_columns)
        The positive entries.
    max_fpr : float in (0, 1)
        The area is taken over the false positive rates in ``[0, max_fpr]``.
    dtype : dtype
        The float dtype of the result.
    xp : module
        The namespace.
    device : device
        The arrays' device.

    Returns
    -------
    partial_auc : array of shape (n_rows,)
        Each row's standardised partial AUC (0.5 for a random ranking, 1 for a
        perfect one), as ``sklearn.metrics.roc_auc_score(max_fpr=max_fpr)`` of the
        row; NaN where the row holds one class.
    n_positive : int64 array of shape (n_rows,)
        The positives of each row.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> score = xp.asarray([[0.1, 0.4, 0.35, 0.8], [0.5, 0.5, 0.2, 0.1]])
    >>> is_positive = xp.asarray([[False, False, True, True],
    ...                           [True, False, True, True]])
    >>> partial_auc, n_positive = row_partial_auc(
    ...     score, is_positive, 0.5, dtype=xp.float64, xp=xp, device="cpu")
    >>> partial_auc.round(4).tolist(), n_positive.tolist()
    ([0.6667, 0.3889], [2, 3])
    """
    n_columns = int(score.shape[1])
    positive, below, at_most, pos_below, pos_at_most = row_rank_counts(
        score, is_positive, xp, device
    )
    n_positive = xp.sum(xp.astype(positive, xp.int64), axis=1)
    n_negative = n_columns - n_positive
    defined = (n_positive > 0) & (n_negative > 0)
    positives = xp.reshape(n_positive, (-1, 1))
    negatives = xp.reshape(n_negative, (-1, 1))
    # rates as scikit-learn's roc_curve computes them: counts / the class total
    positive_total = xp.astype(xp.where(positives > 0, positives, 1), dtype)
    negative_total = xp.astype(xp.where(negatives > 0, negatives, 1), dtype)

    def rate(counts: Array, total: Array) -> Array:
        return xp.astype(counts, dtype) / total

    # a tie group's segment: (x0, y0) above its score, (x1, y1) at it; its first
    # entry (in the row's ascending order) stands for it
    x0 = rate(negatives - (at_most - pos_at_most), negative_total)
    x1 = rate(negatives - (below - pos_below), negative_total)
    y0 = rate(positives - pos_at_most, positive_total)
    y1 = rate(positives - pos_below, positive_total)
    column = xp.arange(n_columns, dtype=below.dtype, device=device)
    first_of_group = below == column
    full = x1 <= max_fpr
    crossing = (x0 < max_fpr) & xp.logical_not(full)
    # the segment crossing max_fpr ends at its interpolated point there
    slope = (y1 - y0) / xp.where(crossing, x1 - x0, 1.0)
    y_end = xp.where(full, y1, y0 + slope * (max_fpr - x0))
    width = xp.where(full, x1 - x0, xp.where(crossing, max_fpr - x0, 0.0))
    trapezoids = xp.where(first_of_group, width * (y0 + y_end), 0.0)
    area = xp.sum(trapezoids, axis=1) / 2
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    standardised = 0.5 * (1 + (area - min_area) / (max_area - min_area))
    return xp.where(defined, standardised, float("nan")), n_positive
