"""The one confusion matrix every metric derives from, counted on the labels' device.

Labels are mapped to indices ``0..L-1`` and one bincount of ``true * L + pred``
(weighted by ``sample_weight``) gives the ``L x L`` matrix (:func:`joint_counts`, the
counting kernel the stateful metrics reuse). Small non-negative integer labels (the
usual case) skip the sort: their values are the indices, and the present labels are
read off the matrix's row and column sums. Only O(n_classes) values (the labels, their
counts) come to the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np

from balancekit._array_api import (
    bincount,
    index_dtype,
    to_host,
    widest_float_dtype,
)
from balancekit._dask_route import has_dask
from balancekit._labels import (
    as_label_array,
    check_class_labels,
    check_same_length,
    host_positions,
    sorted_positions,
    union_positions,
)
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import check_sample_weight
from balancekit.metrics._inputs import metric_namespace

__all__ = [
    "Counts",
    "bincount",
    "count",
    "float_weights",
    "joint_counts",
    "matrix_diagonal",
]

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
    n_right : int or float
        The trace of ``matrix`` (host): the number of samples predicted right, or
        their total weight (an int for integer weights). Read with the label counts,
        in the same transfer.
    y_type : {"binary", "multiclass"}
        scikit-learn's target type: binary for at most two labels.
    """

    matrix: Array
    present: np.ndarray
    true_counts: np.ndarray
    pred_counts: np.ndarray
    n_right: int | float
    y_type: str
    xp: Namespace
    device: Device
    float_dtype: Any

    def contains(self, label: Any) -> bool:
        """Whether ``label`` occurs in ``y_true`` or ``y_pred``."""
        present = self.present.tolist()
        return host_positions([label], present, default=-1)[0] >= 0

    def indices(self, labels: Any) -> Array:
        """Positions of ``labels`` in ``present`` on the device; absent labels map to
        ``n_present`` (a zero row appended by the callers)."""
        present = self.present.tolist()
        host = host_positions(labels, present, default=len(present))
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
        diagonal = matrix_diagonal(matrix, xp)
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


# ---------------------------------------------------------------------- counting


def matrix_diagonal(matrix: Array, xp: Namespace) -> Array:
    """The diagonal of a square matrix, on its device.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> matrix_diagonal(xp.asarray([[1, 2], [3, 4]]), xp).tolist()
    [1, 4]
    """
    n = int(matrix.shape[0])
    device = array_api_compat.device(matrix)
    positions = xp.arange(n, dtype=index_dtype(xp, device), device=device) * (n + 1)
    return xp.take(xp.reshape(matrix, (-1,)), positions)


def joint_counts(
    true_index: Array, pred_index: Array, n_labels: int, weights: Array, xp: Namespace
) -> tuple[Array, Array]:
    """The ``n_labels x n_labels`` (weighted matrix, unweighted counts) of index pairs.

    The counting kernel of every confusion matrix (functional and stateful): one
    bincount of the flat cell index ``true * L + pred``; a second, weighted, only
    when there are weights.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> matrix, counts = joint_counts(
    ...     xp.asarray([0, 1, 1]), xp.asarray([1, 1, 1]), 2, None, xp
    ... )
    >>> counts.tolist()
    [[0, 1], [0, 2]]
    """
    int_dtype = index_dtype(xp, array_api_compat.device(true_index))
    joint = xp.astype(true_index, int_dtype, copy=False) * n_labels
    # in place: no third array of n_samples
    joint += xp.astype(pred_index, int_dtype, copy=False)
    shape = (n_labels, n_labels)
    counts = xp.reshape(bincount(joint, n_labels * n_labels, None, xp), shape)
    if weights is None:
        return counts, counts
    matrix = xp.reshape(bincount(joint, n_labels * n_labels, weights, xp), shape)
    return matrix, counts


def _label_sums(counts: Array, xp: Namespace) -> np.ndarray:
    """Row sums, column sums and diagonal of an unweighted matrix, on the host
    (shape ``(3, n)``): one transfer of O(n_classes) values."""
    rows = [xp.sum(counts, axis=1), xp.sum(counts, axis=0), matrix_diagonal(counts, xp)]
    return to_host(xp.stack(rows), xp)


# (matrix, unweighted matrix, present, host label sums of the unweighted matrix
# (:func:`_label_sums`) when already read, else None)
_Counted = tuple[Array, Array, np.ndarray, np.ndarray | None]


def _dense_counts(
    y_true: Array, y_pred: Array, weights: Array, xp: Namespace, device: Device
) -> _Counted | None:
    """The counts by value (see ``_Counted``), or None for other labels."""
    small_int = ("bool", "integral")
    if not (
        xp.isdtype(y_true.dtype, small_int) and xp.isdtype(y_pred.dtype, small_int)
    ):
        return None
    int_dtype = index_dtype(xp, device)
    y_true = xp.astype(y_true, int_dtype, copy=False)
    y_pred = xp.astype(y_pred, int_dtype, copy=False)
    extremes = [xp.min(y_true), xp.min(y_pred), xp.max(y_true), xp.max(y_pred)]
    low_true, low_pred, high_true, high_pred = to_host(xp.stack(extremes), xp).tolist()
    low, high = min(low_true, low_pred), max(high_true, high_pred)
    if low < 0 or high >= _DENSE_MAX_LABEL:
        return None
    n_values = high + 1
    if n_values * n_values > _DENSE_MAX_BINS:
        # few labels with large values: a K x K matrix over every value up to the
        # largest would be too big, so index the values present (by bisection)
        true_seen = bincount(y_true, n_values, None, xp) > 0
        pred_seen = bincount(y_pred, n_values, None, xp) > 0
        values = xp.astype(xp.nonzero(true_seen | pred_seen)[0], int_dtype)
        true_index = sorted_positions(values, y_true, xp)
        pred_index = sorted_positions(values, y_pred, xp)
        matrix, counts = joint_counts(
            true_index, pred_index, int(values.shape[0]), weights, xp
        )
        return matrix, counts, to_host(values, xp), None
    # the label values are the indices: no sort, no search
    matrix, counts = joint_counts(y_true, y_pred, n_values, weights, xp)
    sums = _label_sums(counts, xp)
    present = np.flatnonzero(sums[0] + sums[1])
    if present.shape[0] < n_values:  # drop the values no sample has
        keep = xp.asarray(present, dtype=int_dtype, device=device)
        counts = xp.take(xp.take(counts, keep, axis=0), keep, axis=1)
        matrix = xp.take(xp.take(matrix, keep, axis=0), keep, axis=1)
    return matrix, counts, present, sums[:, present]


def _sorted_counts(
    y_true: Array, y_pred: Array, weights: Array, xp: Namespace, names: tuple[str, str]
) -> _Counted:
    """The counts through one sort of the labels (see ``_Counted``)."""
    present, true_index, pred_index = union_positions(y_true, y_pred, xp, names)
    n_labels = int(present.shape[0])
    matrix, counts = joint_counts(true_index, pred_index, n_labels, weights, xp)
    return matrix, counts, present, None


def float_weights(
    sample_weight: Any, n_samples: int, xp: Namespace, dtype: Any
) -> tuple[Array | None, bool]:
    """Checked ``sample_weight`` in the float ``dtype`` (or None), and whether the
    weights were integers (their sums are then given back as integers).
    """
    weights = check_sample_weight(sample_weight, n_samples, xp)
    if weights is None:
        return None, False
    weights = as_label_array(weights, xp)  # pandas / lists as NumPy, as labels are
    integer_weights = not xp.isdtype(weights.dtype, "real floating")
    return xp.astype(weights, dtype, copy=False), integer_weights


def count(
    y_true: Array,
    y_pred: Array,
    sample_weight: Array | None = None,
    *,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> Counts:
    """Validate the inputs of a metric and count its confusion matrix on device.

    Dask collections are counted in one pass on the cluster
    (:func:`balancekit.dask._metrics.count_on_dask`, imported only then); the
    result is then a NumPy ``Counts``, as for the computed data.

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
    if has_dask((y_true, y_pred, sample_weight)):
        from balancekit.dask._metrics import count_on_dask

        return count_on_dask(y_true, y_pred, sample_weight, names=names)
    true_name, pred_name = names
    xp, device, arrays = metric_namespace(
        pred_name,
        {true_name: y_true, pred_name: y_pred, "sample_weight": sample_weight},
    )
    y_true, y_pred = arrays[true_name], arrays[pred_name]
    sample_weight = arrays["sample_weight"]
    y_true = check_class_labels(y_true, xp, name=true_name)
    y_pred = check_class_labels(y_pred, xp, name=pred_name)
    n_samples = check_same_length(true_name, y_true, pred_name, y_pred)
    floating = widest_float_dtype(xp, device)
    weights, integer_weights = float_weights(sample_weight, n_samples, xp, floating)
    result = _dense_counts(y_true, y_pred, weights, xp, device)
    if result is None:
        result = _sorted_counts(y_true, y_pred, weights, xp, names)
    matrix, counts, present, sums = result
    n_right: int | float = 0
    if weights is not None:
        # one transfer: the total weight (checked) and the weight predicted right
        weight_sums = xp.stack([xp.sum(matrix), xp.sum(matrix_diagonal(matrix, xp))])
        total, n_right = to_host(weight_sums, xp).tolist()
        if total == 0:
            raise ValueError(
                "Sample weights must contain at least one non-zero number: every "
                "`sample_weight` is 0, so no sample counts."
            )
    if integer_weights:  # integer weights give integer sums, as in scikit-learn
        matrix = xp.astype(xp.round(matrix), index_dtype(xp, device))
        n_right = round(n_right)
    if sums is None:  # the label counts and the diagonal, in one transfer
        sums = _label_sums(counts, xp)
    if weights is None:
        n_right = int(sums[2].sum())
    if xp.isdtype(y_true.dtype, "bool") and xp.isdtype(y_pred.dtype, "bool"):
        present = present.astype(bool)
    return Counts(
        matrix=matrix,
        present=np.asarray(present),
        true_counts=sums[0],
        pred_counts=sums[1],
        n_right=n_right,
        y_type="binary" if present.shape[0] <= 2 else "multiclass",
        xp=xp,
        device=device,
        float_dtype=floating,
    )
