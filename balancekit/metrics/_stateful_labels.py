"""The streaming confusion matrix, and every metric of predicted labels from it.

Each ``update`` maps the batch's labels to their positions among the labels fixed up
front (:func:`balancekit._labels.class_positions`) and counts them with the counting
kernel of the functional metrics (:func:`balancekit.metrics._counts.joint_counts`);
the scores replay the matrix through the functional metrics (see
``balancekit.metrics._stateful``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import array_api_compat.numpy as compat_numpy
import numpy as np

from balancekit._array_api import (
    cpu_tensor_views,
    index_dtype,
    is_numpy_namespace,
    restore_tensors,
    widest_float_dtype,
)
from balancekit._dask_route import has_dask
from balancekit._label_messages import empty_message
from balancekit._labels import (
    check_class_labels,
    check_same_length,
    class_positions,
    classes_array,
    number_values,
)
from balancekit._typing import Array, Namespace
from balancekit.metrics import (
    _classification,
    _classification_report,
    _confusion,
    _imbalanced,
    _jaccard,
    _report,
)
from balancekit.metrics._counts import float_weights, joint_counts
from balancekit.metrics._inputs import metric_namespace
from balancekit.metrics._names import LABEL_METRIC_NAMES
from balancekit.metrics._select import check_labels_param
from balancekit.metrics._stateful import StreamingMetric

__all__ = ["LABEL_METRICS", "StreamingConfusionMatrix"]


def _function(name: str) -> Callable[..., Any]:
    modules = (_classification, _classification_report, _confusion, _imbalanced)
    for module in (*modules, _jaccard, _report):
        if hasattr(module, name):
            return getattr(module, name)
    raise LookupError(name)  # pragma: no cover - _names and the modules disagree


#: The metrics :meth:`StreamingConfusionMatrix.score` computes, by name.
LABEL_METRICS: dict[str, Callable[..., Any]] = {
    name: _function(name) for name in LABEL_METRIC_NAMES
}


def _forward(name: str, note: str = "") -> Callable[..., Any]:
    """A method computing the functional metric ``name`` on every batch so far."""

    def method(self: StreamingConfusionMatrix, **kwargs: Any) -> Any:
        return self.score(name, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"As :func:`~balancekit.metrics.{name}`{note}."
    return method


class StreamingConfusionMatrix(StreamingMetric):
    """A confusion matrix accumulated over batches, and every metric derived from it.

    ``update`` counts each batch with one bincount on the batch's device (every batch
    must live on the same device); ``compute`` returns the matrix; the score methods
    give the value the functional metric of ``balancekit.metrics`` has on the
    concatenation of every batch (same arguments, warnings and scikit-learn
    semantics, to float64 round-off). The labels are fixed up front so that the
    matrix has one shape across batches and processes.

    Parameters
    ----------
    labels : array-like of shape (n_classes,)
        Every class label that can occur in ``y_true`` or ``y_pred``, in the row and
        column order of :meth:`compute`. Labels that never occur do not count as
        present for the metrics (as in the functional metrics).

    Attributes
    ----------
    labels : list
        The labels, as Python scalars.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import StreamingConfusionMatrix, f1_score
    >>> metric = StreamingConfusionMatrix(labels=[0, 1, 2])
    >>> y_true, y_pred = np.array([0, 1, 2, 2, 1, 0]), np.array([0, 2, 2, 2, 1, 1])
    >>> for batch in (slice(0, 4), slice(4, 6)):
    ...     _ = metric.update(y_true[batch], y_pred[batch])
    >>> metric.compute()
    array([[1, 1, 0],
           [0, 1, 1],
           [0, 0, 2]])
    >>> print(f"{metric.f1_score(average='macro'):.4f}")
    0.6556
    >>> print(f"{f1_score(y_true, y_pred, average='macro'):.4f}")
    0.6556
    >>> print(f"{metric.report_imbalanced()['avg_geo']:.4f}")
    0.7285
    """

    def __init__(self, labels: Any) -> None:
        super().__init__()
        host = check_labels_param(labels)
        if host is None:
            raise ValueError(
                "`labels` is required: the metric needs every class label up front so "
                "that the matrix keeps one shape across batches."
            )
        try:
            ordered = sorted(host)
        except TypeError:
            raise ValueError(
                f"`labels` mixes label types that cannot be ordered; got {host}."
            ) from None
        self.labels: list = host
        self._sorted = ordered
        self._numbers = number_values(ordered)
        # position in the sorted order of each label of ``labels``
        rank = {_hashable(v): i for i, v in enumerate(ordered)}
        self._user_order = [rank[_hashable(v)] for v in host]
        self._shape = (len(ordered), len(ordered))
        self._dtypes: tuple[Any, Any] | None = None

    def _fingerprint(self) -> int:
        return zlib.crc32(repr(("confusion", self.labels)).encode()) & 0x7FFFFFFF

    def _extra_state(self) -> dict[str, Any]:
        if self._dtypes is None:
            return {"label_dtypes": None}
        return {"label_dtypes": [_dtype_name(dtype) for dtype in self._dtypes]}

    def _load_extra_state(self, state: Any) -> None:
        names = state.get("label_dtypes")
        if self._counts is None or names is None:
            self._dtypes = None
            return
        xp = self._placement()[0]
        true_dtype, pred_dtype = (_dtype_of(name, xp) for name in names)
        self._dtypes = (true_dtype, pred_dtype)

    def _reset_extra(self) -> None:
        self._dtypes = None

    def _merge_extra(self, other: StreamingMetric) -> None:
        if self._dtypes is None and isinstance(other, StreamingConfusionMatrix):
            self._dtypes = other._dtypes

    def update(
        self, y_true: Array, y_pred: Array, sample_weight: Array | None = None
    ) -> StreamingConfusionMatrix:
        """Count one batch.

        Parameters
        ----------
        y_true, y_pred : array of shape (n_samples,)
            True and predicted labels, each one of ``labels``.
        sample_weight : array of shape (n_samples,), default=None
            Non-negative sample weights (batches without weights count 1 per sample).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For a label outside ``labels``, inconsistent lengths, or a batch on
            another device than the previous ones.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix(["a", "b"])
        >>> metric.update(["a", "b"], ["b", "b"]).compute()
        array([[0, 1],
               [0, 1]])

        Dask collections are counted in one pass on the cluster (each partition's
        cells, merged by a tree reduction); the state is then kept in NumPy, and
        only the O(n_classes**2) cells reach the client.
        """
        if has_dask((y_true, y_pred, sample_weight)):
            from balancekit.dask._metrics import computed_cells

            cells = computed_cells(y_true, y_pred, sample_weight)
            return self._update_cells(
                cells.true, cells.pred, cells.counts, cells.weights
            )
        xp, device, arrays = metric_namespace(
            "y_pred",
            {"y_true": y_true, "y_pred": y_pred, "sample_weight": sample_weight},
        )
        self._check_placement(xp, device, "y_true")
        # CPU tensors are counted through NumPy views (zero copy), the state stays
        # tensors; any other batch is counted where it lives
        views = cpu_tensor_views(arrays, {"y_true": "biu", "y_pred": "biu"})
        kernel_xp, given = (xp, arrays) if views is None else (compat_numpy, views)
        kernel_device = device if views is None else "cpu"
        y_true = check_class_labels(given["y_true"], kernel_xp, name="y_true")
        y_pred = check_class_labels(given["y_pred"], kernel_xp, name="y_pred")
        n_samples = check_same_length("y_true", y_true, "y_pred", y_pred)
        weights, integer_weights = float_weights(
            given["sample_weight"],
            n_samples,
            kernel_xp,
            widest_float_dtype(kernel_xp, kernel_device),
        )
        # positions among the fixed labels (not the batch's own): every batch, and
        # every process, counts into the same L x L cells
        true_index = class_positions(y_true, self._sorted, kernel_xp, name="y_true")
        pred_index = class_positions(y_pred, self._sorted, kernel_xp, name="y_pred")
        matrix, counts = joint_counts(
            true_index, pred_index, len(self._sorted), weights, kernel_xp
        )
        if views is not None:
            matrix, counts = restore_tensors((matrix, counts))
        if self._dtypes is None:  # the replay gives the labels back in these dtypes
            self._dtypes = (
                (y_true.dtype, y_pred.dtype)
                if views is None
                else (arrays["y_true"].dtype, arrays["y_pred"].dtype)
            )
        summed = None if weights is None else matrix
        # a batch without weights counts 1 per sample: integer sums
        self._add(counts, summed, weights is None or integer_weights, xp, device)
        return self

    def _update_cells(
        self, true: Any, pred: Any, counts: Any, weights: Any
    ) -> StreamingConfusionMatrix:
        """Count a batch given as its distinct (true, pred) cells (NumPy), with the
        number of samples and the sum of weights (None: unweighted) of each."""
        xp = compat_numpy
        self._check_placement(xp, "cpu", "y_true")
        if int(counts.sum()) == 0:
            raise ValueError(empty_message("y_true"))
        n_labels = len(self._sorted)
        index = (
            class_positions(true, self._sorted, xp, name="y_true"),
            class_positions(pred, self._sorted, xp, name="y_pred"),
        )
        matrix = np.zeros((n_labels, n_labels), dtype=np.int64)
        np.add.at(matrix, index, counts)
        summed = None
        if weights is not None:
            summed = np.zeros((n_labels, n_labels), dtype=np.float64)
            np.add.at(summed, index, weights.astype(np.float64))
        if self._dtypes is None:
            self._dtypes = (true.dtype, pred.dtype)
        integer = weights is None or weights.dtype.kind != "f"
        self._add(matrix, summed, integer, xp, "cpu")
        return self

    def compute(self) -> Array:
        """The accumulated confusion matrix, rows and columns in ``labels`` order.

        Returns
        -------
        C : array of shape (n_classes, n_classes)
            On the batches' device: int64 counts (or sums of integer weights), float
            sums once a batch had float weights. Equals
            ``confusion_matrix(y_true, y_pred, labels=labels, sample_weight=...)``
            over the concatenated batches.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> StreamingConfusionMatrix([1, 0]).update([0, 1, 1], [0, 1, 0]).compute()
        array([[1, 1],
               [0, 1]])
        """
        xp, device = self._require_state()
        matrix = self._counts if self._weights is None else self._weights
        if self._weights is not None and self._integer_weights:
            matrix = xp.astype(xp.round(matrix), index_dtype(xp, device))
        if self._user_order != list(range(len(self._sorted))):
            order = xp.asarray(
                self._user_order, dtype=index_dtype(xp, device), device=device
            )
            matrix = xp.take(xp.take(matrix, order, axis=0), order, axis=1)
        return matrix

    def _replay(self) -> tuple[Array, Array, Array]:
        """One (true, predicted, weight) sample per non-empty cell."""
        cells, sums, xp = self._cells()
        n_labels = len(self._sorted)
        assert self._dtypes is not None
        true_dtype, pred_dtype = self._dtypes
        device = self._device
        rows, columns = cells // n_labels, cells % n_labels
        y_true = xp.take(classes_array(self._sorted, xp, device, true_dtype), rows)
        y_pred = xp.take(classes_array(self._sorted, xp, device, pred_dtype), columns)
        return y_true, y_pred, sums

    def score(self, metric: str, **kwargs: Any) -> Any:
        """A metric of ``balancekit.metrics`` over every batch so far.

        Parameters
        ----------
        metric : str
            One of ``LABEL_METRICS``: ``"f1_score"``, ``"matthews_corrcoef"``,
            ``"classification_report"``, ``"confusion_matrix"``, ...
        **kwargs
            The metric's keyword arguments (``average``, ``labels``,
            ``zero_division``, ...); ``sample_weight`` goes to :meth:`update`.

        Returns
        -------
        The metric's result on the concatenated batches, on their device.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1, 1], [0, 1, 0])
        >>> print(metric.score("recall_score"))
        0.5
        """
        function = LABEL_METRICS.get(metric) if isinstance(metric, str) else None
        if function is None:
            raise ValueError(
                f"`metric` must be one of {sorted(LABEL_METRICS)}; got {metric!r}."
            )
        if "sample_weight" in kwargs:
            raise TypeError(
                "`sample_weight` is not a score() argument: pass the weights of each "
                "batch to update()."
            )
        y_true, y_pred, weights = self._replay()
        return function(y_true, y_pred, sample_weight=weights, **kwargs)

    def report(self, **kwargs: Any) -> Any:
        """:func:`~balancekit.metrics.classification_report` (a dict by default).

        Parameters
        ----------
        **kwargs
            Its arguments; ``output_dict`` defaults to True here.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1, 1], [0, 1, 0])
        >>> metric.report()["1"]["recall"]
        0.5
        """
        kwargs.setdefault("output_dict", True)
        return self.score("classification_report", **kwargs)

    def report_imbalanced(self, **kwargs: Any) -> Any:
        """:func:`~balancekit.metrics.classification_report_imbalanced` (a dict by
        default); the support is the sum of the batches' weights (a float).

        Parameters
        ----------
        **kwargs
            Its arguments (``alpha``, ``labels``, ...); ``output_dict`` defaults to
            True here.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1, 1], [0, 1, 0])
        >>> metric.report_imbalanced()["1"]["spe"]
        1.0
        """
        if "sample_weight" in kwargs:
            raise TypeError(
                "`sample_weight` is not a report_imbalanced() argument: pass the "
                "weights of each batch to update()."
            )
        kwargs.setdefault("output_dict", True)
        y_true, y_pred, weights = self._replay()
        return _report.classification_report_imbalanced(
            y_true, y_pred, sample_weight=weights, **kwargs
        )

    # Each metric of predicted labels, as a method (``metric.f1_score(...)``).
    precision_recall_fscore_support = _forward("precision_recall_fscore_support")
    precision_score = _forward("precision_score")
    recall_score = _forward("recall_score")
    f1_score = _forward("f1_score")
    fbeta_score = _forward("fbeta_score", " (pass ``beta``)")
    balanced_accuracy_score = _forward("balanced_accuracy_score")
    matthews_corrcoef = _forward("matthews_corrcoef")
    cohen_kappa_score = _forward("cohen_kappa_score", " (``y1`` = ``y_true``)")
    sensitivity_score = _forward("sensitivity_score")
    specificity_score = _forward("specificity_score")
    geometric_mean_score = _forward("geometric_mean_score")
    index_balanced_accuracy = _forward("index_balanced_accuracy")
    jaccard_score = _forward("jaccard_score")


def _dtype_name(dtype: Any) -> str:
    """A dtype as a string that :func:`_dtype_of` turns back into it."""
    if isinstance(dtype, np.dtype):
        return dtype.str  # keeps string widths and byte order
    return str(dtype).rsplit(".", 1)[-1]  # "torch.int64" -> "int64"


def _dtype_of(name: str, xp: Namespace) -> Any:
    if is_numpy_namespace(xp):
        return np.dtype(name)
    return getattr(xp, name)


def _hashable(value: Any) -> Any:
    return (type(value) is str, value)
