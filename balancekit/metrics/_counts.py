"""The one confusion matrix every metric derives from, counted on the labels' device.

Labels are mapped to indices ``0..L-1`` and one bincount of ``true * L + pred``
(weighted by ``sample_weight``) gives the ``L x L`` matrix. Small non-negative integer
labels (the usual case) skip the sort: their values are the indices, and the present
labels are read off the matrix's row and column sums. Only O(n_classes) values (the
labels, their counts) come to the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import (
    bincount,
    index_dtype,
    is_numpy_namespace,
    is_pandas,
    to_host,
)
from balancekit._labels import check_float_labels
from balancekit._validation import check_sample_weight
from balancekit.metrics._common import float_dtype
from balancekit.metrics._inputs import metric_namespace

__all__ = ["Counts", "bincount", "count"]

# Largest label (exclusive) counted by value rather than sorted.
_DENSE_MAX_LABEL = 1 << 16
# Largest K * K for which the joint bincount runs on the raw label values.
_DENSE_MAX_BINS = 1 << 16


@dataclass(frozen=True)
class Counts:
    """The confusion matrix over the labels present in ``y_true`` or ``y_pred``.

    Attributes
    ----------
    matrix : array of shape (n_present, n_present)
        Row = true label, column = predicted label, in the order of ``present``; int64
        counts, or sums of ``sample_weight`` (int64 or float), on ``device``.
    present : numpy.ndarray
        The sorted labels found in ``y_true`` or ``y_pred`` (host).
    true_counts, pred_counts : numpy.ndarray
        Unweighted number of samples of each present label in ``y_true``, ``y_pred``.
    y_type : {"binary", "multiclass"}
        scikit-learn's target type: binary for at most two labels.
    """

    matrix: Any
    present: np.ndarray
    true_counts: np.ndarray
    pred_counts: np.ndarray
    y_type: str
    xp: ModuleType
    device: Any
    float_dtype: Any

    def contains(self, label: Any) -> bool:
        """Whether ``label`` occurs in ``y_true`` or ``y_pred``."""
        return _key(label) in self._positions

    @property
    def _positions(self) -> dict:
        return {_key(v): i for i, v in enumerate(self.present.tolist())}

    def indices(self, labels: Any) -> Any:
        """Positions of ``labels`` in ``present`` on the device; absent labels map to
        ``n_present`` (a zero row appended by the callers)."""
        positions = self._positions
        n_present = len(positions)
        host = [positions.get(_key(v), n_present) for v in labels]
        return self.xp.asarray(
            host, dtype=index_dtype(self.xp, self.device), device=self.device
        )

    def _padded(self, vector: Any) -> Any:
        xp = self.xp
        zero = xp.zeros((1,), dtype=vector.dtype, device=self.device)
        return xp.concat([vector, zero])

    def per_class(self, labels: Any) -> tuple[Any, Any, Any, Any]:
        """``tp, true_sum, pred_sum`` of ``labels`` (1-D, on device) and ``total``.

        Samples of labels outside ``labels`` still count in ``total`` (the true
        negatives), as in scikit-learn's multilabel_confusion_matrix.
        """
        xp, matrix = self.xp, self.matrix
        n = int(matrix.shape[0])
        positions = xp.arange(n, device=self.device) * (n + 1)
        diagonal = xp.take(xp.reshape(matrix, (-1,)), positions)
        index = self.indices(labels)
        row_sums = xp.sum(matrix, axis=1)
        tp = xp.take(self._padded(diagonal), index)
        true_sum = xp.take(self._padded(row_sums), index)
        pred_sum = xp.take(self._padded(xp.sum(matrix, axis=0)), index)
        # the total of the row sums: exactly a class's row sum when the other rows
        # are empty, so ``total - true_sum`` is then exactly 0
        return tp, true_sum, pred_sum, xp.sum(row_sums)

    def submatrix(self, labels: Any) -> Any:
        """The confusion matrix of ``labels`` (rows and columns, in that order)."""
        xp, matrix = self.xp, self.matrix
        n = int(matrix.shape[0])
        if list(labels) == self.present.tolist():
            return matrix
        index = self.indices(labels)
        padded = xp.concat(
            [matrix, xp.zeros((1, n), dtype=matrix.dtype, device=self.device)], axis=0
        )
        padded = xp.concat(
            [padded, xp.zeros((n + 1, 1), dtype=matrix.dtype, device=self.device)],
            axis=1,
        )
        return xp.take(xp.take(padded, index, axis=0), index, axis=1)


def _key(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------- validation


def _check_y(y: Any, xp: ModuleType, name: str) -> Any:
    """1-D class labels: a column vector is raveled, anything else 2-D is refused."""
    if is_numpy_namespace(xp):
        y = np.asarray(y.to_numpy() if is_pandas(y) else y)
        if y.dtype.kind not in "biufOUS":
            raise TypeError(
                f"`{name}` has dtype {y.dtype}; class labels must be integers, "
                "booleans, whole-number floats or strings."
            )
    elif not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
        raise TypeError(
            f"`{name}` has dtype {y.dtype}; array labels must be integers, booleans or "
            "whole-number floats (string labels are accepted for NumPy input only)."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = xp.reshape(y, (-1,))
    if y.ndim != 1:
        raise ValueError(
            f"`{name}` must be 1-D class labels of shape (n_samples,); got shape "
            f"{tuple(y.shape)}. Multilabel and multioutput targets are not supported: "
            "pass one label per sample (e.g. `argmax` of one-hot rows)."
        )
    if y.shape[0] == 0:
        raise ValueError(
            f"`{name}` is empty: found empty input array while a minimum of 1 sample "
            "is required."
        )
    if is_numpy_namespace(xp) and y.dtype.kind == "O":
        missing = (y == None) | (y != y)  # noqa: E711  (None or NaN, elementwise)
        if missing.any():
            raise ValueError(
                f"`{name}` contains {int(missing.sum())} missing labels (None or "
                "NaN); drop those samples or give them a label first."
            )
    if _is_floating(y, xp):
        check_float_labels(y, xp, name)
    return y


def _is_floating(y: Any, xp: ModuleType) -> bool:
    if is_numpy_namespace(xp):
        return y.dtype.kind == "f"
    return xp.isdtype(y.dtype, "real floating")


def _is_bool(y: Any, xp: ModuleType) -> bool:
    if is_numpy_namespace(xp):
        return y.dtype.kind == "b"
    return xp.isdtype(y.dtype, "bool")


def _is_text(y: Any) -> bool:
    if y.dtype.kind in "US":
        return True
    return y.dtype.kind == "O" and any(isinstance(v, str) for v in y[:1000].tolist())


def _is_small_int(y: Any, xp: ModuleType) -> bool:
    if is_numpy_namespace(xp):
        return y.dtype.kind in "biu"
    return xp.isdtype(y.dtype, ("bool", "integral"))


# ---------------------------------------------------------------------- counting


def _dense_counts(
    y_true: Any, y_pred: Any, weights: Any, xp: ModuleType, device: Any
) -> tuple[Any, Any, np.ndarray] | None:
    """(matrix, unweighted matrix, present) by value, or None for other labels."""
    if not (_is_small_int(y_true, xp) and _is_small_int(y_pred, xp)):
        return None
    int_dtype = index_dtype(xp, device)
    y_true = xp.astype(y_true, int_dtype, copy=False)
    y_pred = xp.astype(y_pred, int_dtype, copy=False)
    low = min(int(xp.min(y_true)), int(xp.min(y_pred)))
    high = max(int(xp.max(y_true)), int(xp.max(y_pred)))
    if low < 0 or high >= _DENSE_MAX_LABEL:
        return None
    n_values = high + 1
    if n_values * n_values <= _DENSE_MAX_BINS:
        joint = y_true * n_values
        joint += y_pred
        values = None
    else:  # few labels with large values: find their positions by bisection
        true_seen = bincount(y_true, n_values, None, xp) > 0
        pred_seen = bincount(y_pred, n_values, None, xp) > 0
        values = xp.astype(xp.nonzero(true_seen | pred_seen)[0], int_dtype)
        n_values = int(values.shape[0])
        joint = xp.astype(xp.searchsorted(values, y_true), int_dtype) * n_values
        joint += xp.astype(xp.searchsorted(values, y_pred), int_dtype)
    shape = (n_values, n_values)
    counts = xp.reshape(bincount(joint, n_values * n_values, None, xp), shape)
    matrix = counts
    if weights is not None:
        matrix = xp.reshape(bincount(joint, n_values * n_values, weights, xp), shape)
    if values is not None:
        return matrix, counts, to_host(values, xp)
    sums = to_host(xp.stack([xp.sum(counts, axis=1), xp.sum(counts, axis=0)]), xp)
    present = np.flatnonzero(sums.sum(axis=0))
    if present.shape[0] < n_values:
        keep = xp.asarray(present, dtype=int_dtype, device=device)
        counts = xp.take(xp.take(counts, keep, axis=0), keep, axis=1)
        matrix = xp.take(xp.take(matrix, keep, axis=0), keep, axis=1)
    return matrix, counts, present


def _sorted_counts(
    y_true: Any, y_pred: Any, weights: Any, xp: ModuleType, device: Any
) -> tuple[Any, Any, np.ndarray]:
    """(matrix, unweighted matrix, present) through a sort of the labels."""
    n_samples = int(y_true.shape[0])
    if is_numpy_namespace(xp):
        if _is_text(y_true) != _is_text(y_pred):
            raise ValueError(
                "Mix of label input types (string and number): `y_true` and `y_pred` "
                "must both hold strings or both hold numbers."
            )
        try:
            present, inverse = np.unique(
                np.concatenate([y_true, y_pred]), return_inverse=True
            )
        except TypeError:
            raise ValueError(
                "Mix of label input types (string and number): the labels of "
                "`y_true` and `y_pred` cannot be ordered; use one type for every label."
            ) from None
        inverse = inverse.reshape(-1)
        true_index, pred_index = inverse[:n_samples], inverse[n_samples:]
        present_host = present
    else:
        if y_true.dtype != y_pred.dtype:
            common = xp.result_type(y_true.dtype, y_pred.dtype)
            y_true, y_pred = xp.astype(y_true, common), xp.astype(y_pred, common)
        present = xp.unique_values(xp.concat([y_true, y_pred]))
        true_index = xp.searchsorted(present, y_true)
        pred_index = xp.searchsorted(present, y_pred)
        present_host = to_host(present, xp)
    n_labels = int(present_host.shape[0])
    int_dtype = index_dtype(xp, device)
    joint = xp.astype(true_index, int_dtype) * n_labels
    joint += xp.astype(pred_index, int_dtype)
    shape = (n_labels, n_labels)
    counts = xp.reshape(bincount(joint, n_labels * n_labels, None, xp), shape)
    matrix = counts
    if weights is not None:
        matrix = xp.reshape(bincount(joint, n_labels * n_labels, weights, xp), shape)
    return matrix, counts, present_host


def count(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Counts:
    """Validate the inputs of a metric and count its confusion matrix on device.

    Examples
    --------
    >>> import numpy as np
    >>> counts = count(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2]))
    >>> counts.present.tolist(), counts.y_type
    ([0, 1, 2], 'multiclass')
    >>> counts.matrix
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 0, 2]])
    """
    true_name, pred_name = names
    xp, device, arrays = metric_namespace(
        pred_name,
        {true_name: y_true, pred_name: y_pred, "sample_weight": sample_weight},
    )
    y_true, y_pred = arrays[true_name], arrays[pred_name]
    sample_weight = arrays["sample_weight"]
    y_true = _check_y(y_true, xp, true_name)
    y_pred = _check_y(y_pred, xp, pred_name)
    n_samples = int(y_true.shape[0])
    if int(y_pred.shape[0]) != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"`{true_name}` has {n_samples} labels but `{pred_name}` has "
            f"{int(y_pred.shape[0])}. Pass one prediction per sample."
        )
    floating = float_dtype(xp, device)
    weights = check_sample_weight(sample_weight, n_samples, xp)
    integer_weights = False
    if weights is not None:
        if is_numpy_namespace(xp):
            weights = np.asarray(weights.to_numpy() if is_pandas(weights) else weights)
        integer_weights = not xp.isdtype(weights.dtype, "real floating")
        weights = xp.astype(weights, floating, copy=False)
    result = _dense_counts(y_true, y_pred, weights, xp, device)
    if result is None:
        result = _sorted_counts(y_true, y_pred, weights, xp, device)
    matrix, counts, present = result
    if weights is not None and float(to_host(xp.sum(matrix), xp)) == 0:
        raise ValueError(
            "Sample weights must contain at least one non-zero number: every "
            "`sample_weight` is 0, so no sample counts."
        )
    if integer_weights:  # integer weights give integer sums, as in scikit-learn
        matrix = xp.astype(xp.round(matrix), index_dtype(xp, device))
    sums = to_host(xp.stack([xp.sum(counts, axis=1), xp.sum(counts, axis=0)]), xp)
    if _is_bool(y_true, xp) and _is_bool(y_pred, xp):
        present = present.astype(bool)
    return Counts(
        matrix=matrix,
        present=np.asarray(present),
        true_counts=sums[0],
        pred_counts=sums[1],
        y_type="binary" if present.shape[0] <= 2 else "multiclass",
        xp=xp,
        device=device,
        float_dtype=floating,
    )
