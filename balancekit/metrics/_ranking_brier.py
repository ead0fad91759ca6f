"""The Brier score loss of predicted probabilities, binary or multiclass.

scikit-learn 1.9's ``brier_score_loss`` (same arguments and results), computed on the
probabilities' device; the result is a 0-d array there.
"""

from __future__ import annotations

import warnings
from typing import Any

from balancekit._array_api import widest_float_dtype
from balancekit._dask_route import dask_route
from balancekit._indicator import check_indicator
from balancekit._labels import check_labels, check_same_length
from balancekit._warnings import user_stacklevel
from balancekit.metrics._inputs import score_metric_route
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_score,
    check_target,
    check_weights,
    positive_mask,
    present_classes,
    resolve_inputs,
)

__all__ = [
    "brier_score_loss",
    "check_probability_bounds",
    "check_probability_range",
]


def check_probability_bounds(low: float, high: float) -> None:
    """The smallest and largest value of ``y_proba`` (host numbers) must lie in
    [0, 1]; shared by the in-memory and Dask Brier score and the calibration
    measures, so all word it alike."""
    if high > 1 or low < 0:
        raise ValueError(
            "`y_proba` must hold probabilities in [0, 1]; got values in "
            f"[{low:g}, {high:g}]. Pass `predict_proba` output, not decision values "
            "(apply a sigmoid or softmax first)."
        )


def check_probability_range(y_proba: Any, xp: Any) -> None:
    """``y_proba`` must lie in [0, 1] (two reductions, two numbers to the host)."""
    check_probability_bounds(float(xp.min(y_proba)), float(xp.max(y_proba)))


@dask_route("_brier")
@score_metric_route
def brier_score_loss(
    y_true: Any,
    y_proba: Any,
    *,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> Any:
    """Brier score loss: the mean squared error of predicted probabilities.

    Dask arrays, Series and DataFrames (one column per class) are reduced by one
    pass of sums on the workers (``balancekit.dask._brier``).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True labels.
    y_proba : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities in [0, 1]: of the positive class (1-D), or one column per class
        in sorted label order (2-D).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    pos_label : int, float, bool or str, default=None
        The positive label for 1-D ``y_proba``. ``None`` means 1 for {0, 1} or
        {-1, 1} labels, else the greater label (string labels need it).
    labels : array-like of shape (n_classes,), default=None
        The labels of the columns of a 2-D ``y_proba``; default: those of ``y_true``.
    scale_by_half : bool or "auto", default="auto"
        Halve the score so it lies in [0, 1]; ``"auto"`` halves it for two classes
        only.

    Returns
    -------
    array
        A 0-d float array on ``y_proba``'s device.

    Examples
    --------
    >>> import numpy as np
    >>> y_proba = np.array([0.1, 0.9, 0.8, 0.3])
    >>> round(float(brier_score_loss(np.array([0, 1, 1, 0]), y_proba)), 6)
    0.0375
    >>> labels = np.array(["spam", "ham", "ham", "spam"])
    >>> round(float(brier_score_loss(labels, y_proba, pos_label="ham")), 6)
    0.0375
    """
    if not (scale_by_half == "auto" or isinstance(scale_by_half, bool)):
        raise ValueError(
            f"`scale_by_half` must be True, False or 'auto'; got {scale_by_half!r}."
        )
    xp, device, y_true, y_proba, sample_weight = resolve_inputs(
        y_true, y_proba, sample_weight, score_name="y_proba"
    )
    one_hot = getattr(y_true, "ndim", 1) == 2 and int(y_true.shape[1]) > 1
    truth = _one_hot_truth(y_true, xp) if one_hot else None
    if truth is None:
        y_true = check_target(y_true, xp)
    ndim = 2 if getattr(y_proba, "ndim", 1) == 2 else 1
    y_proba = check_score(y_proba, xp, name="y_proba", ndim=ndim)
    n_samples = check_same_length("y_true", y_true, "y_proba", y_proba)
    weight = check_weights(sample_weight, n_samples, xp, device)
    check_probability_range(y_proba, xp)
    dtype = widest_float_dtype(xp, device)
    y_proba = xp.astype(y_proba, dtype)
    if truth is None and ndim == 2 and y_proba.shape[1] == 1:
        y_proba = xp.reshape(y_proba, (-1,))
    if truth is not None:
        errors, n_classes = _one_hot_errors(truth, y_proba, xp, dtype)
    elif y_proba.ndim == 1:
        classes = present_classes(y_true, xp)
        if len(classes) > 2:
            raise ValueError(
                "`y_true` holds more than two classes but `y_proba` is 1-D; pass one "
                "probability column per class, shape (n_samples, n_classes)."
            )
        target = binary_target(
            y_true, xp, pos_label=pos_label, infer="greater-numeric", classes=classes
        )
        truth = xp.astype(target.is_positive, dtype)
        errors = 2 * (truth - y_proba) ** 2
        n_classes = 2
    else:
        errors, n_classes = _multiclass_errors(y_true, y_proba, labels, xp, dtype)
    if weight is None:
        loss = xp.mean(errors)
    else:
        total = float(xp.sum(weight))
        if total == 0:
            raise ValueError("`sample_weight` sums to zero; no sample counts.")
        loss = xp.sum(errors * weight) / total
    if scale_by_half == "auto":
        scale_by_half = n_classes < 3
    return loss / 2 if scale_by_half else loss


def _one_hot_truth(y_true: Any, xp: Any) -> Any:
    """A one-hot ``y_true`` (one 1 per row, one column per class) as a bool matrix."""
    truth = check_indicator(y_true, xp, "y_true")
    if not bool(xp.all(xp.count_nonzero(truth, axis=1) == 1)):
        raise ValueError(
            "A 2-D `y_true` must be one-hot: exactly one 1 per row (one column per "
            "class, in the order of `y_proba`'s columns). Multilabel targets have no "
            "Brier score here; pass 1-D class labels or one-hot rows."
        )
    return truth


def _one_hot_errors(truth: Any, y_proba: Any, xp: Any, dtype: Any) -> tuple[Any, int]:
    """Per-sample squared error of one-hot rows against ``y_proba``'s columns."""
    n_classes = int(truth.shape[1])
    if y_proba.ndim != 2 or int(y_proba.shape[1]) != n_classes:
        raise ValueError(
            f"`y_true` is one-hot with {n_classes} columns, so `y_proba` must have one "
            f"probability column per class, shape (n_samples, {n_classes}); got shape "
            f"{tuple(y_proba.shape)}."
        )
    return xp.sum((xp.astype(truth, dtype) - y_proba) ** 2, axis=1), n_classes


def _multiclass_errors(
    y_true: Any, y_proba: Any, labels: Any, xp: Any, dtype: Any
) -> tuple[Any, int]:
    """Per-sample squared error summed over the class columns."""

    n_columns = y_proba.shape[1]
    y_classes = check_labels(y_true, xp, name="y_true").classes
    classes = column_labels(labels, tuple(y_classes), n_columns)
    totals = xp.sum(y_proba, axis=1)
    eps = float(xp.finfo(dtype).eps)
    if not bool(xp.all(xp.abs(totals - 1) <= eps**0.5 * xp.abs(totals))):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    truth = xp.stack(
        [xp.astype(positive_mask(y_true, c, xp), dtype) for c in classes], axis=1
    )
    return xp.sum((truth - y_proba) ** 2, axis=1), n_columns


def column_labels(labels: Any, y_classes: tuple, n_columns: int) -> tuple:
    """The class of each column of a 2-D ``y_proba``: ``labels`` (sorted, distinct)
    or the classes of ``y_true``, checked against the number of columns.

    Examples
    --------
    >>> column_labels(None, (0, 1, 2), 3)
    (0, 1, 2)
    >>> column_labels(["b", "a"], ("a",), 2)
    ('a', 'b')
    """
    import numpy as np

    if labels is None:
        if len(y_classes) != n_columns:
            raise ValueError(
                f"`y_true` has {len(y_classes)} classes but `y_proba` has {n_columns} "
                "columns; pass the column labels through `labels`."
            )
        return tuple(y_classes)
    classes = tuple(
        v.item() if isinstance(v, np.generic) else v
        for v in np.unique(np.asarray(labels))
    )
    given = [v.item() if isinstance(v, np.generic) else v for v in np.asarray(labels)]
    if given != list(classes):
        warnings.warn(
            f"`labels` were given as {given}, but the columns of `y_proba` are read "
            f"in sorted label order, {list(classes)}: pass labels={list(classes)} "
            "and make sure `y_proba`'s columns follow that order.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if len(classes) != n_columns:
        raise ValueError(
            f"`labels` names {len(classes)} distinct classes but `y_proba` has "
            f"{n_columns} columns; pass one label per column."
        )
    missing = [c for c in y_classes if c not in classes]
    if missing:
        raise ValueError(f"`y_true` contains labels {missing} not in `labels`.")
    return classes
