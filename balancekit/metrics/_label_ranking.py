"""Label-ranking metrics of multilabel scores: coverage error, LRAP, ranking loss.

scikit-learn's names, argument order ``(y_true, y_score)`` and results (to float64
round-off), computed on the scores' device in their namespace. ``y_true`` is a 0/1
indicator matrix of shape (n_samples, n_labels) and ``y_score`` real scores of the
same shape. Ties follow scikit-learn: a label's rank counts every label scored at
least as high as it (the "max" rank of tied scores).

The per-row ranks come from comparing each row's scores with each other, broadcast
over chunks of rows so that at most ``_PAIR_BUDGET`` comparisons are alive at once
(n_labels**2 per row). Per-row values are reduced into a 0-d (weighted) sum on the
device; only O(1) values (validation flags) come to the host.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from balancekit._array_api import is_sparse, widest_float_dtype
from balancekit._indicator import check_indicator
from balancekit._typing import Array, Namespace
from balancekit.metrics._common import as_result
from balancekit.metrics._inputs import score_metric_route
from balancekit.metrics._ranking_validation import (
    check_score,
    check_weights,
    resolve_inputs,
)

__all__ = [
    "coverage_error",
    "label_ranking_average_precision_score",
    "label_ranking_loss",
]

# Comparisons (rows x n_labels x n_labels) computed at once by the pairwise kernel.
_PAIR_BUDGET = 1 << 20


class _Inputs:
    """Checked inputs: relevance mask, scores, weights, the accumulation dtype."""

    def __init__(
        self, xp: Namespace, relevant: Array, score: Array, weight: Any, dtype: Any
    ) -> None:
        self.xp = xp
        self.relevant = relevant
        self.score = score
        self.weight = weight
        self.dtype = dtype

    @property
    def n_samples(self) -> int:
        return int(self.score.shape[0])

    @property
    def n_labels(self) -> int:
        return int(self.score.shape[1])


def _inputs(
    y_true: Any, y_score: Any, sample_weight: Any, *, min_labels: int
) -> _Inputs:
    if is_sparse(y_true):
        # scikit-learn takes a sparse indicator (it is on the host); the dense copy
        # is what every other input is checked and moved as.
        y_true = y_true.toarray()
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    relevant = check_indicator(y_true, xp, "y_true")
    if getattr(y_score, "ndim", None) != 2:
        shape = getattr(y_score, "shape", None)
        raise ValueError(
            "`y_score` must have shape (n_samples, n_labels), one score per label; "
            f"got shape {None if shape is None else tuple(shape)}."
        )
    if tuple(relevant.shape) != tuple(y_score.shape):
        raise ValueError(
            f"`y_true` and `y_score` must have the same shape; got "
            f"{tuple(relevant.shape)} and {tuple(y_score.shape)}."
        )
    score = check_score(y_score, xp, ndim=2)
    n_labels = int(score.shape[1])
    if n_labels < min_labels:
        raise ValueError(
            f"`y_true` has {n_labels} label column(s); this metric needs at least "
            f"{min_labels} (as scikit-learn, which calls one column 'binary')."
        )
    weight = check_weights(sample_weight, int(score.shape[0]), xp, device)
    if weight is not None and not bool(xp.sum(weight) > 0):
        raise ValueError(
            "`sample_weight` sums to zero: the weighted average is undefined. Give "
            "at least one sample a positive weight."
        )
    return _Inputs(xp, relevant, score, weight, widest_float_dtype(xp, device))


def _average(
    inputs: _Inputs, per_row: Callable[[Array, Array], Array], rows: int
) -> Any:
    """The (weighted) mean over samples of ``per_row(scores, relevant)``, computed
    on ``rows`` rows at a time; a 0-d array (NumPy: ``np.float64``)."""
    xp, n_samples = inputs.xp, inputs.n_samples
    total: Any = None
    for start in range(0, n_samples, rows):
        stop = min(start + rows, n_samples)
        values = per_row(
            inputs.score[start:stop, ...], inputs.relevant[start:stop, ...]
        )
        if inputs.weight is not None:
            values = values * inputs.weight[start:stop]
        part = xp.sum(values)
        total = part if total is None else total + part
    denominator = n_samples if inputs.weight is None else xp.sum(inputs.weight)
    return as_result(total / denominator, xp)


def _pair_rows(n_labels: int) -> int:
    """Rows per chunk of the pairwise kernel."""
    return max(1, _PAIR_BUDGET // (n_labels * n_labels))


def _ranks(
    score: Array, relevant: Array, xp: Namespace, dtype: Any
) -> tuple[Array, Array]:
    """For each label ``j`` of each row: how many labels, and how many relevant
    labels, score at least as high as ``j`` (ties counted: scikit-learn's "max"
    rank of the negated scores). Both as ``dtype`` arrays of ``score``'s shape."""
    # at_least[r, j, k]: label k scores at least as high as label j in row r
    at_least = score[:, None, :] >= score[:, :, None]
    rank = xp.sum(xp.astype(at_least, dtype), axis=2)
    relevant_rank = xp.sum(xp.astype(at_least & relevant[:, None, :], dtype), axis=2)
    return rank, relevant_rank


def _degenerate(n_relevant: Array, n_labels: int) -> Array:
    """Rows whose ranking has no meaning: no relevant label, or all relevant."""
    return (n_relevant == 0) | (n_relevant == n_labels)


@score_metric_route
def coverage_error(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> Any:
    """How far down the ranked labels one must go to cover every relevant label.

    For each sample, the number of labels scored at least as high as its lowest
    scored relevant label (ties count against the ranking); 0 for a sample without
    relevant labels. The best value is the mean number of relevant labels. As
    scikit-learn's ``coverage_error``, one more than Tsoumakas et al. (2010).

    Parameters
    ----------
    y_true : array of shape (n_samples, n_labels)
        Label indicator matrix: 1 (or True) marks a relevant label; a SciPy
        sparse matrix is read as its dense copy. At least two labels, as
        scikit-learn.
    y_score : array of shape (n_samples, n_labels)
        Finite scores of each label (probabilities or decision values).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights, not all zero.

    Returns
    -------
    coverage : float or 0-d array
        ``np.float64`` for NumPy input, else a 0-d float array in ``y_score``'s
        namespace and on its device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import coverage_error
    >>> coverage_error(np.array([[1, 0, 0], [0, 1, 1]]),
    ...                np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]))
    np.float64(1.5)
    """
    inputs = _inputs(y_true, y_score, sample_weight, min_labels=2)
    xp, dtype = inputs.xp, inputs.dtype

    def per_row(score: Array, relevant: Array) -> Array:
        # No relevant label: +inf is above every (finite) score, so 0 is counted.
        lowest = xp.min(
            xp.where(relevant, score, xp.full_like(score, math.inf)), axis=1
        )
        return xp.sum(xp.astype(score >= lowest[:, None], dtype), axis=1)

    return _average(inputs, per_row, max(1, _PAIR_BUDGET // inputs.n_labels))


@score_metric_route
def label_ranking_average_precision_score(
    y_true: Any, y_score: Any, *, sample_weight: Any = None
) -> Any:
    """Label ranking average precision (LRAP) of multilabel scores.

    For each relevant label of a sample, the fraction of the labels scored at least
    as high as it that are relevant; averaged over the sample's relevant labels,
    then over samples. A sample with no relevant label or with every label relevant
    scores 1. The best value is 1. As scikit-learn's function of that name.

    Parameters
    ----------
    y_true : array of shape (n_samples, n_labels)
        Label indicator matrix: 1 (or True) marks a relevant label; a SciPy
        sparse matrix is read as its dense copy.
    y_score : array of shape (n_samples, n_labels)
        Finite scores of each label (probabilities or decision values).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights, not all zero.

    Returns
    -------
    score : float or 0-d array
        ``np.float64`` for NumPy input, else a 0-d float array in ``y_score``'s
        namespace and on its device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import label_ranking_average_precision_score
    >>> label_ranking_average_precision_score(
    ...     np.array([[1, 0, 0], [0, 0, 1]]),
    ...     np.array([[0.75, 0.5, 1.0], [1.0, 0.2, 0.1]]))
    np.float64(0.41666666666666663)
    """
    inputs = _inputs(y_true, y_score, sample_weight, min_labels=1)
    xp, dtype, n_labels = inputs.xp, inputs.dtype, inputs.n_labels

    def per_row(score: Array, relevant: Array) -> Array:
        rank, relevant_rank = _ranks(score, relevant, xp, dtype)
        is_relevant = xp.astype(relevant, dtype)
        n_relevant = xp.sum(is_relevant, axis=1)
        precision = xp.sum(is_relevant * relevant_rank / rank, axis=1)
        degenerate = _degenerate(n_relevant, n_labels)
        safe = xp.where(degenerate, xp.ones_like(n_relevant), n_relevant)
        return xp.where(degenerate, xp.ones_like(safe), precision / safe)

    return _average(inputs, per_row, _pair_rows(n_labels))


@score_metric_route
def label_ranking_loss(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> Any:
    """Fraction of (relevant, irrelevant) label pairs that are ordered wrongly.

    For each sample, the number of pairs whose irrelevant label scores at least as
    high as the relevant one (a tie counts as an error), divided by the number of
    such pairs; 0 for a sample with no relevant label or with every label relevant.
    The best value is 0. As scikit-learn's ``label_ranking_loss``.

    Parameters
    ----------
    y_true : array of shape (n_samples, n_labels)
        Label indicator matrix: 1 (or True) marks a relevant label; a SciPy
        sparse matrix is read as its dense copy. At least two labels, as
        scikit-learn.
    y_score : array of shape (n_samples, n_labels)
        Finite scores of each label (probabilities or decision values).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights, not all zero.

    Returns
    -------
    loss : float or 0-d array
        ``np.float64`` for NumPy input, else a 0-d float array in ``y_score``'s
        namespace and on its device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import label_ranking_loss
    >>> label_ranking_loss(np.array([[1, 0, 0], [0, 0, 1]]),
    ...                    np.array([[0.75, 0.5, 1.0], [1.0, 0.2, 0.1]]))
    np.float64(0.75)
    """
    inputs = _inputs(y_true, y_score, sample_weight, min_labels=2)
    xp, dtype, n_labels = inputs.xp, inputs.dtype, inputs.n_labels

    def per_row(score: Array, relevant: Array) -> Array:
        rank, relevant_rank = _ranks(score, relevant, xp, dtype)
        is_relevant = xp.astype(relevant, dtype)
        n_relevant = xp.sum(is_relevant, axis=1)
        # irrelevant labels scored at least as high as each relevant label
        wrong = xp.sum(is_relevant * (rank - relevant_rank), axis=1)
        degenerate = _degenerate(n_relevant, n_labels)
        pairs = xp.where(
            degenerate, xp.ones_like(n_relevant), n_relevant * (n_labels - n_relevant)
        )
        return xp.where(degenerate, xp.zeros_like(pairs), wrong / pairs)

    return _average(inputs, per_row, _pair_rows(n_labels))
