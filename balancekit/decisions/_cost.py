"""Cost-sensitive decisions: the Bayes decision under a cost matrix, on the device.

Convention (scikit-learn's and Elkan 2001's, transposed to rows = truth):
``cost_matrix[i, j]`` is the cost of predicting class ``j`` when the true class is
``i``. The Bayes decision for a sample with class probabilities ``p`` predicts
``argmin_j sum_i p[i] * cost_matrix[i, j]``, the class of lowest expected cost (Elkan
2001, "The foundations of cost-sensitive learning"). It is one matrix product and one
argmin on the probabilities' device; only the cost matrix (O(n_classes**2) numbers)
is handled on the host.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    host_float64,
    widest_float_dtype,
)
from balancekit._params import check_bool
from balancekit._typing import Array, Namespace
from balancekit.decisions._prior import check_probabilities
from balancekit.metrics._ranking_validation import check_weights

__all__ = ["bayes_decision", "check_cost_matrix", "cost_threshold", "expected_cost"]


def check_cost_matrix(cost_matrix: Any, n_classes: int | None = None) -> np.ndarray:
    """A cost matrix as float64 NumPy values: square, at least 2 x 2, finite.

    ``cost_matrix[i, j]`` is the cost of predicting ``j`` when the truth is ``i``.
    Negative entries (benefits) are allowed. A cost matrix is O(n_classes**2)
    values, so an array on any device is read to the host.

    Parameters
    ----------
    cost_matrix : array-like of shape (n_classes, n_classes)
        The costs, rows = true class, columns = predicted class.
    n_classes : int, default=None
        The number of classes the matrix must have, or None for any.

    Returns
    -------
    numpy.ndarray of shape (n_classes, n_classes)
        A float64 copy of the costs.

    Raises
    ------
    TypeError
        For values that are not numbers.
    ValueError
        For a matrix that is not square, smaller than 2 x 2, of the wrong size or
        not finite.

    Examples
    --------
    >>> check_cost_matrix([[0, 1], [5, 0]]).tolist()
    [[0.0, 1.0], [5.0, 0.0]]
    >>> check_cost_matrix([[0, 1], [5, 0]], n_classes=3)
    Traceback (most recent call last):
    ...
    ValueError: `cost_matrix` is 2 x 2 but there are 3 classes; ...
    """
    try:
        values = np.array(host_float64(cost_matrix), dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise TypeError(
            "`cost_matrix` must be a square 2-D array of numbers (rows: true class, "
            f"columns: predicted class); got {type(cost_matrix).__name__}."
        ) from None
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 2:
        raise ValueError(
            "`cost_matrix` must be a square array of shape (n_classes, n_classes) "
            "with n_classes >= 2, cost_matrix[i, j] the cost of predicting j when "
            f"the truth is i; got shape {values.shape}."
        )
    if n_classes is not None and values.shape[0] != n_classes:
        raise ValueError(
            f"`cost_matrix` is {values.shape[0]} x {values.shape[0]} but there are "
            f"{n_classes} classes; pass one row and one column per class, in the "
            "order of the probability columns (binary 1-D: [negative, positive])."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"`cost_matrix` contains NaN or infinity; got {values.tolist()}. Every "
            "cost must be a finite number."
        )
    return values


def cost_threshold(cost_matrix: Any) -> float:
    """The probability threshold of the binary Bayes decision (Elkan 2001).

    With ``C = cost_matrix`` (``C[i, j]``: cost of predicting ``j`` when the truth is
    ``i``), predicting the positive class has the lower expected cost exactly when
    the positive-class probability exceeds
    ``t* = (C[0, 1] - C[0, 0]) / (C[0, 1] - C[0, 0] + C[1, 0] - C[1, 1])``.
    :func:`bayes_decision` predicts positive iff ``p > t*`` (a tie goes to class 0).

    Parameters
    ----------
    cost_matrix : array-like of shape (2, 2)
        Binary costs, rows = true class, columns = predicted class, class 0 the
        negative one. It must be "reasonable" (Elkan 2001): a mistake costs more
        than the correct prediction, ``C[0, 1] > C[0, 0]`` and ``C[1, 0] > C[1,
        1]``; otherwise one class is always (weakly) the cheaper prediction and no
        threshold in (0, 1) exists.

    Returns
    -------
    float
        The threshold ``t*``, strictly between 0 and 1.

    Raises
    ------
    ValueError
        For a matrix that is not 2 x 2, not finite, or not reasonable.
    TypeError
        For values that are not numbers.

    Examples
    --------
    >>> from balancekit.decisions import cost_threshold
    >>> cost_threshold([[0, 1], [1, 0]])
    0.5
    >>> cost_threshold([[0, 1], [9, 0]])  # a missed positive costs 9 false alarms
    0.1
    """
    c = check_cost_matrix(cost_matrix, n_classes=2)
    false_positive = c[0, 1] - c[0, 0]
    false_negative = c[1, 0] - c[1, 1]
    if not (false_positive > 0 and false_negative > 0):
        raise ValueError(
            "`cost_matrix` is not reasonable (Elkan 2001): a wrong prediction must "
            "cost more than the right one, cost_matrix[0, 1] > cost_matrix[0, 0] and "
            f"cost_matrix[1, 0] > cost_matrix[1, 1]; got {c.tolist()}. Otherwise one "
            "class is always the cheaper prediction and there is no threshold; "
            "`bayes_decision` still applies."
        )
    return float(false_positive / (false_positive + false_negative))


def _as_columns(values: Array, xp: Namespace) -> Array:
    """Binary 1-D positive-class probabilities as two columns ``[1 - p, p]``."""
    return xp.stack([1 - values, values], axis=1) if values.ndim == 1 else values


def bayes_decision(proba: Any, cost_matrix: Any) -> Array:
    """The class of lowest expected cost for each sample (the Bayes decision).

    Predicts ``argmin_j sum_i proba[:, i] * cost_matrix[i, j]`` (Elkan 2001), with
    ``cost_matrix[i, j]`` the cost of predicting ``j`` when the truth is ``i``
    (scikit-learn's convention). With 0/1 costs (``1 - eye``) it is the argmax of
    the probabilities. For calibrated probabilities no other rule has a lower
    expected cost.

    Parameters
    ----------
    proba : array of shape (n_samples,) or (n_samples, n_classes)
        Class probabilities (rows summing to 1), e.g. ``predict_proba`` output. 1-D
        input is binary: the positive class's probability. NumPy, PyTorch, CuPy, JAX
        or array-api-strict, on any device.
    cost_matrix : array-like of shape (n_classes, n_classes)
        Finite costs, rows = true class, columns = predicted class, in the order of
        the probability columns (binary 1-D: [negative, positive]). Negative entries
        (benefits) are allowed.

    Returns
    -------
    array of shape (n_samples,)
        Predicted class indices (column numbers, an integer dtype) in ``proba``'s
        namespace and on its device. Ties go to the lower class index; binary: the
        positive class iff ``p > cost_threshold(cost_matrix)``.

    Raises
    ------
    ValueError
        For a cost matrix of the wrong shape or not finite; for NaN, infinite or
        out-of-range probabilities, or rows not summing to 1.
    TypeError
        For non-numeric input.

    Notes
    -----
    The expected costs are one matrix product in the device's widest float (float64
    where it exists), then one argmin (first minimum: the lower index on a tie).
    Ties are exact comparisons: two expected costs equal in real arithmetic may
    differ in the last bit when the matrix product rounds differently, which only
    matters for probabilities on the decision boundary.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import bayes_decision
    >>> proba = np.array([[0.7, 0.3], [0.95, 0.05], [0.2, 0.8]])
    >>> bayes_decision(proba, [[0, 1], [1, 0]]).tolist()  # 0/1 costs: argmax
    [0, 0, 1]
    >>> bayes_decision(proba, [[0, 1], [9, 0]]).tolist()  # threshold 0.1
    [1, 0, 1]
    >>> bayes_decision(np.array([0.3, 0.05, 0.8]), [[0, 1], [9, 0]]).tolist()
    [1, 0, 1]
    """
    xp, device = get_namespace_and_device(proba=proba)
    values = check_probabilities(proba, xp, name="proba")
    n_classes = 2 if values.ndim == 1 else int(values.shape[1])
    costs = check_cost_matrix(cost_matrix, n_classes=n_classes)
    dtype = widest_float_dtype(xp, device)
    columns = xp.astype(_as_columns(values, xp), dtype)
    expected = columns @ xp.asarray(costs, dtype=dtype, device=device)
    return xp.argmin(expected, axis=1)


def _check_indices(y: Any, name: str, n_classes: int, xp: Namespace) -> Array:
    """1-D integer class indices in ``[0, n_classes)``, checked on the device."""
    if not hasattr(y, "dtype"):
        y = xp.asarray(y)
    if not xp.isdtype(y.dtype, "integral"):
        raise TypeError(
            f"`{name}` must hold integer class indices 0 .. n_classes - 1 (the rows "
            f"and columns of `cost_matrix`); got dtype {y.dtype}. Encode labels "
            "first, e.g. with `numpy.unique(y, return_inverse=True)`."
        )
    if y.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D; got shape {tuple(y.shape)}.")
    if y.shape[0] > 0 and not bool(xp.all((y >= 0) & (y < n_classes))):
        raise ValueError(
            f"`{name}` must hold class indices in [0, {n_classes}) (the rows and "
            f"columns of the {n_classes} x {n_classes} `cost_matrix`); some are "
            "outside."
        )
    return y


def expected_cost(
    y_true: Any,
    y_pred: Any,
    cost_matrix: Any,
    *,
    sample_weight: Any = None,
    normalize: bool = True,
) -> Array:
    """The (mean or total) cost of predictions under a cost matrix.

    Sums ``cost_matrix[y_true[k], y_pred[k]]`` over the samples ``k``, weighted by
    ``sample_weight``; with ``normalize``, divides by the total weight (the sample
    count without weights).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True class indices, integers in ``[0, n_classes)``.
    y_pred : array of shape (n_samples,)
        Predicted class indices, e.g. :func:`bayes_decision` output; same namespace
        and device as ``y_true``.
    cost_matrix : array-like of shape (n_classes, n_classes)
        Finite costs, ``cost_matrix[i, j]`` the cost of predicting ``j`` when the
        truth is ``i``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    normalize : bool, default=True
        Whether to return the (weighted) mean cost per sample instead of the total.

    Returns
    -------
    array of shape ()
        The cost, a 0-d array of the device's widest float on ``y_true``'s device.

    Raises
    ------
    ValueError
        For arrays of different lengths, no samples, indices out of range, a bad
        cost matrix or weights, or ``normalize`` with weights summing to 0.
    TypeError
        For labels that are not integers or non-numeric weights.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import expected_cost
    >>> y_true, y_pred = np.array([0, 1, 1, 0]), np.array([0, 0, 1, 1])
    >>> float(expected_cost(y_true, y_pred, [[0, 1], [9, 0]]))
    2.5
    >>> float(expected_cost(y_true, y_pred, [[0, 1], [9, 0]], normalize=False))
    10.0
    """
    normalize = check_bool(normalize, "normalize")
    xp, device = get_namespace_and_device(
        y_true=y_true, y_pred=y_pred, sample_weight=sample_weight
    )
    costs = check_cost_matrix(cost_matrix)
    n_classes = int(costs.shape[0])
    truth = _check_indices(y_true, "y_true", n_classes, xp)
    pred = _check_indices(y_pred, "y_pred", n_classes, xp)
    n_samples = int(truth.shape[0])
    if int(pred.shape[0]) != n_samples:
        raise ValueError(
            f"`y_true` and `y_pred` must have the same length; got {n_samples} and "
            f"{int(pred.shape[0])}."
        )
    if n_samples == 0:
        raise ValueError("`y_true` is empty; at least one sample is needed.")
    weights = check_weights(sample_weight, n_samples, xp, device)
    dtype = widest_float_dtype(xp, device)
    flat = xp.asarray(costs.reshape(-1), dtype=dtype, device=device)
    index = xp.astype(truth, xp.int64) * n_classes + xp.astype(pred, xp.int64)
    per_sample = xp.take(flat, index)
    if weights is None:
        total = xp.sum(per_sample)
        return total / n_samples if normalize else total
    total = xp.sum(per_sample * weights)
    if not normalize:
        return total
    weight_sum = xp.sum(weights)
    if not bool(weight_sum > 0):
        raise ValueError(
            "`sample_weight` sums to 0, so the mean cost is undefined; pass "
            "positive weights or `normalize=False`."
        )
    return total / weight_sum
