"""Metrics of ordinal targets (ordered class labels), from one confusion matrix
counted on the labels' device.

Examples
--------
>>> from balancekit.metrics import macro_averaged_mean_absolute_error
>>> print(macro_averaged_mean_absolute_error([1, 1, 2, 3], [1, 2, 2, 3]))
0.16666666666666666
"""

from __future__ import annotations

from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit.metrics._common import as_result
from balancekit.metrics._counts import count
from balancekit.metrics._inputs import label_metric_route

__all__ = ["macro_averaged_mean_absolute_error"]


@dask_entry_point
@label_metric_route
def macro_averaged_mean_absolute_error(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None
) -> Any:
    """Compute the macro-averaged mean absolute error of ordinal class labels.

    The mean absolute error ``|y_pred - y_true|`` of the samples of each true class,
    averaged over the classes with equal weight, so that a rare class counts as much
    as a frequent one (Baccianella et al. 2009). The best value is 0.0. As
    :func:`imblearn.metrics.macro_averaged_mean_absolute_error`, with its signature.

    Computed from the confusion matrix on the labels' device: the error of class
    ``i`` is ``sum_j C[i, j] * |l_i - l_j| / sum_j C[i, j]`` over the present labels
    ``l``. Equal to imbalanced-learn's (to float64 round-off with float weights)
    wherever imbalanced-learn returns a value. Two differences: a label only
    predicted (absent from ``y_true``), or whose true samples all weigh 0, has no
    error of its own and is left out of the mean (imbalanced-learn raises
    ``ValueError``: "Found array with 0 sample(s)", "Sample weights must contain at
    least one non-zero number").

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted labels: numbers (integers, booleans or whole-number
        floats) whose differences are meaningful.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    loss : array
        0-d, on the labels' device (``numpy.float64`` for NumPy).

    Raises
    ------
    TypeError
        For labels that are not numbers (strings): their distance is undefined.

    References
    ----------
    .. [1] Baccianella, S., Esuli, A., Sebastiani, F. "Evaluation measures for
       ordinal regression." ISDA 2009: 283-287.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import macro_averaged_mean_absolute_error
    >>> y_true = np.array([1, 1, 1, 1, 1, 2])
    >>> y_pred = np.array([1, 2, 1, 2, 1, 2])
    >>> print(f"{macro_averaged_mean_absolute_error(y_true, y_pred):.4f}")
    0.2000
    >>> weights = np.array([1, 1, 1, 1, 1, 4])
    >>> loss = macro_averaged_mean_absolute_error(y_true, y_pred, sample_weight=weights)
    >>> print(f"{loss:.4f}")
    0.2000
    """
    counts = count(y_true, y_pred, sample_weight)
    if counts.present.dtype.kind not in "biuf":
        raise TypeError(
            "macro_averaged_mean_absolute_error needs numeric (ordinal) labels, "
            "whose differences are the errors; got labels of dtype "
            f"{counts.present.dtype} ({counts.present.tolist()[:5]}). Encode the "
            "classes as ordered integers first."
        )
    xp, device, dtype = counts.xp, counts.device, counts.float_dtype
    # the O(n_classes) label values cross once; the distances live on the device
    values = xp.asarray(counts.present.astype("float64"), dtype=dtype, device=device)
    distance = xp.abs(xp.expand_dims(values, axis=1) - xp.expand_dims(values, axis=0))
    matrix = xp.astype(counts.matrix, dtype)
    error = xp.sum(matrix * distance, axis=1)
    weight = xp.sum(matrix, axis=1)
    has_true = weight > 0
    per_class = error / xp.where(has_true, weight, xp.ones_like(weight))
    n_classes = xp.sum(xp.astype(has_true, dtype))
    total = xp.sum(xp.where(has_true, per_class, xp.zeros_like(per_class)))
    return as_result(total / n_classes, xp)
