"""Stateful metrics for evaluation loops: ``update`` per batch, ``compute`` once.

:class:`StreamingConfusionMatrix` accumulates one confusion matrix over a fixed list
of labels; :class:`StreamingScores` accumulates binned score histograms of a binary
target. Both keep their state on the device of the first batch (one bincount per
update, no host transfer of O(n_samples) data), ``merge`` the state of another
instance, and are summed over ``torch.distributed`` ranks by
:func:`balancekit.torch.metrics.all_reduce_`.

Every score is computed by the functional metric of ``balancekit.metrics`` on a
*replay* of the accumulated state: one sample per non-empty cell (confusion matrix)
or bin (histogram), weighted by the cell's sum. All these metrics depend on the data
only through the weighted confusion matrix (resp. the weighted counts of each
distinct score), and cells that saw samples are replayed even when their weight is 0,
so the present labels, the warnings and the values are those of the functional
metric on the concatenated batches, to float64 round-off.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import (
    index_dtype,
    is_numpy_namespace,
    is_pandas,
    to_host,
)
from balancekit._validation import check_sample_weight
from balancekit.metrics._accumulator import Accumulator
from balancekit.metrics._classification import (
    balanced_accuracy_score,
    cohen_kappa_score,
    f1_score,
    fbeta_score,
    matthews_corrcoef,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from balancekit.metrics._common import float_dtype
from balancekit.metrics._confusion import confusion_matrix
from balancekit.metrics._counts import _check_y, _is_text, bincount
from balancekit.metrics._imbalanced import (
    geometric_mean_score,
    index_balanced_accuracy,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)
from balancekit.metrics._inputs import metric_namespace
from balancekit.metrics._ranking import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_lengths,
    check_score,
    check_target,
    check_weights,
    describe,
    is_binary,
    present_classes,
    resolve_inputs,
)
from balancekit.metrics._report import classification_report
from balancekit.metrics._select import check_labels_param

__all__ = ["LABEL_METRICS", "StreamingConfusionMatrix", "StreamingScores"]

#: The metrics :meth:`StreamingConfusionMatrix.score` computes, by name.
LABEL_METRICS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        balanced_accuracy_score,
        classification_report,
        cohen_kappa_score,
        confusion_matrix,
        f1_score,
        fbeta_score,
        geometric_mean_score,
        index_balanced_accuracy,
        matthews_corrcoef,
        precision_recall_fscore_support,
        precision_score,
        recall_score,
        sensitivity_score,
        sensitivity_specificity_support,
        specificity_score,
    )
}


def _weights_array(sample_weight: Any, n_samples: int, xp: ModuleType) -> Any:
    weights = check_sample_weight(sample_weight, n_samples, xp)
    if weights is not None and is_numpy_namespace(xp):
        weights = np.asarray(weights.to_numpy() if is_pandas(weights) else weights)
    return weights


class StreamingConfusionMatrix(Accumulator):
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
    >>> from balancekit.metrics import f1_score
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
    >>> print(f"{metric.report()['avg_geo']:.4f}")
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
        self._text = any(isinstance(v, str | bytes) for v in ordered)
        self._numbers = [] if self._text else [_number(v) for v in ordered]
        self._range = not self._text and self._numbers == list(range(len(ordered)))
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

    def reset(self) -> StreamingConfusionMatrix:
        """Forget every update; the labels are kept.

        Returns
        -------
        self

        Examples
        --------
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1], [1, 1])
        >>> metric.reset().is_empty
        True
        """
        super().reset()
        self._dtypes = None
        return self

    def merge(self, other: StreamingConfusionMatrix) -> StreamingConfusionMatrix:
        """Add the state of ``other`` (same labels, same device) to this one.

        Parameters
        ----------
        other : StreamingConfusionMatrix
            Another accumulator built with the same ``labels``.

        Returns
        -------
        self

        Examples
        --------
        >>> a = StreamingConfusionMatrix([0, 1]).update([0, 1], [0, 0])
        >>> b = StreamingConfusionMatrix([0, 1]).update([1], [1])
        >>> a.merge(b).compute()
        array([[1, 0],
               [1, 1]])
        """
        self._merge_state(other)
        if self._dtypes is None:
            self._dtypes = other._dtypes
        return self

    def update(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
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
        >>> metric = StreamingConfusionMatrix(["a", "b"])
        >>> metric.update(["a", "b"], ["b", "b"]).compute()
        array([[0, 1],
               [0, 1]])
        """
        xp, device, arrays = metric_namespace(
            "y_pred",
            {"y_true": y_true, "y_pred": y_pred, "sample_weight": sample_weight},
        )
        y_true, y_pred = arrays["y_true"], arrays["y_pred"]
        sample_weight = arrays["sample_weight"]
        self._check_placement(xp, device, "y_true")
        y_true = _check_y(y_true, xp, "y_true")
        y_pred = _check_y(y_pred, xp, "y_pred")
        n_samples = int(y_true.shape[0])
        if int(y_pred.shape[0]) != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"`y_true` has {n_samples} labels but `y_pred` has "
                f"{int(y_pred.shape[0])}. Pass one prediction per sample."
            )
        weights = _weights_array(sample_weight, n_samples, xp)
        integer_weights = True
        if weights is not None:
            integer_weights = not xp.isdtype(weights.dtype, "real floating")
            weights = xp.astype(weights, float_dtype(xp, device), copy=False)
        n_labels = len(self._sorted)
        joint = self._positions(y_true, xp, device, "y_true") * n_labels
        joint += self._positions(y_pred, xp, device, "y_pred")
        counts = xp.reshape(bincount(joint, n_labels * n_labels, None, xp), self._shape)
        summed = None
        if weights is not None:
            summed = xp.reshape(
                bincount(joint, n_labels * n_labels, weights, xp), self._shape
            )
        if self._dtypes is None:
            self._dtypes = (y_true.dtype, y_pred.dtype)
        self._add(counts, summed, integer_weights, xp, device)
        return self

    def _positions(self, y: Any, xp: ModuleType, device: Any, name: str) -> Any:
        """Positions of the labels ``y`` in the sorted labels, on the device."""
        n_labels = len(self._sorted)
        int_dtype = index_dtype(xp, device)
        if is_numpy_namespace(xp):
            if _is_text(y) != self._text:
                kind = "strings" if self._text else "numbers"
                raise ValueError(
                    f"`{name}` and `labels` mix label types: `labels` holds {kind}; "
                    "pass labels of one type."
                )
            values = np.asarray(self._sorted)
            index = np.minimum(np.searchsorted(values, y), n_labels - 1)
            ok = values[index] == y
            if not ok.all():
                self._outside(y[~ok][:1], xp, name)
            return index.astype(int_dtype)
        if self._text:
            raise ValueError(
                "`labels` holds strings, which only NumPy input can hold; "
                f"`{name}` is a {type(y).__module__} array."
            )
        integral = xp.isdtype(y.dtype, ("bool", "integral"))
        if self._range and integral:
            index = xp.astype(y, int_dtype)
            ok = (index >= 0) & (index < n_labels)
            if not bool(xp.all(ok)):
                self._outside(y[~ok][:1], xp, name)
            return index
        whole = all(float(v).is_integer() for v in self._numbers)
        dtype = int_dtype if integral and whole else float_dtype(xp, device)
        values = xp.asarray(self._numbers, dtype=dtype, device=device)
        cast = xp.astype(y, dtype)
        index = xp.searchsorted(values, cast)
        last = xp.full_like(index, n_labels - 1)
        index = xp.where(index > last, last, index)
        ok = xp.take(values, index) == cast
        if not bool(xp.all(ok)):
            self._outside(y[~ok][:1], xp, name)
        return xp.astype(index, int_dtype)

    def _outside(self, example: Any, xp: ModuleType, name: str) -> None:
        value = to_host(example, xp).tolist()[0]
        raise ValueError(
            f"`{name}` contains the label {value!r}, which is not in `labels` "
            f"{self.labels}; pass every class label to the constructor."
        )

    def compute(self) -> Any:
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

    def _replay(self) -> tuple[Any, Any, Any]:
        """One (true, predicted, weight) sample per non-empty cell."""
        cells, sums, xp = self._cells()
        n_labels = len(self._sorted)
        assert self._dtypes is not None
        true_dtype, pred_dtype = self._dtypes
        if is_numpy_namespace(xp):
            rows, columns = np.divmod(np.asarray(cells), n_labels)
            values = np.asarray(self._sorted)
            y_true = values[rows].astype(true_dtype, copy=False)
            y_pred = values[columns].astype(pred_dtype, copy=False)
            return y_true, y_pred, np.asarray(sums)
        rows, columns = cells // n_labels, cells % n_labels
        y_true = xp.take(self._values(true_dtype, xp), rows)
        y_pred = xp.take(self._values(pred_dtype, xp), columns)
        return y_true, y_pred, sums

    def _values(self, dtype: Any, xp: ModuleType) -> Any:
        if xp.isdtype(dtype, "bool"):
            host: list = [bool(v) for v in self._numbers]
        elif xp.isdtype(dtype, "integral"):
            host = [int(v) for v in self._numbers]
        else:
            host = [float(v) for v in self._numbers]
        return xp.asarray(host, dtype=dtype, device=self._device)

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
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1, 1], [0, 1, 0])
        >>> metric.report()["1"]["rec"]
        0.5
        """
        kwargs.setdefault("output_dict", True)
        return self.score("classification_report", **kwargs)

    def precision_recall_fscore_support(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.precision_recall_fscore_support`."""
        return self.score("precision_recall_fscore_support", **kwargs)

    def precision_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.precision_score`."""
        return self.score("precision_score", **kwargs)

    def recall_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.recall_score`."""
        return self.score("recall_score", **kwargs)

    def f1_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.f1_score`."""
        return self.score("f1_score", **kwargs)

    def fbeta_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.fbeta_score` (pass ``beta``)."""
        return self.score("fbeta_score", **kwargs)

    def balanced_accuracy_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.balanced_accuracy_score`."""
        return self.score("balanced_accuracy_score", **kwargs)

    def matthews_corrcoef(self) -> Any:
        """As :func:`~balancekit.metrics.matthews_corrcoef`."""
        return self.score("matthews_corrcoef")

    def cohen_kappa_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.cohen_kappa_score` (``y1`` = ``y_true``)."""
        return self.score("cohen_kappa_score", **kwargs)

    def sensitivity_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.sensitivity_score`."""
        return self.score("sensitivity_score", **kwargs)

    def specificity_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.specificity_score`."""
        return self.score("specificity_score", **kwargs)

    def geometric_mean_score(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.geometric_mean_score`."""
        return self.score("geometric_mean_score", **kwargs)

    def index_balanced_accuracy(self, **kwargs: Any) -> Any:
        """As :func:`~balancekit.metrics.index_balanced_accuracy`."""
        return self.score("index_balanced_accuracy", **kwargs)


def _dtype_name(dtype: Any) -> str:
    """A dtype as a string that :func:`_dtype_of` turns back into it."""
    if isinstance(dtype, np.dtype):
        return dtype.str  # keeps string widths and byte order
    return str(dtype).rsplit(".", 1)[-1]  # "torch.int64" -> "int64"


def _dtype_of(name: str, xp: ModuleType) -> Any:
    if is_numpy_namespace(xp):
        return np.dtype(name)
    return getattr(xp, name)


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def _hashable(value: Any) -> Any:
    return (type(value) is str, value)


class StreamingScores(Accumulator):
    """ROC AUC, average precision and their curves from binned score histograms.

    Each update adds the (weighted) numbers of positives and negatives whose score
    falls in each bin ``[thresholds[k], thresholds[k + 1])`` (the last threshold is a
    bin of its own), one bincount on the batch's device. The metrics treat every
    score of bin ``k`` as ``thresholds[k]``:

    * the curve points are the exact (fpr, tpr), resp. (precision, recall), of the
      rule ``score >= thresholds[k]``; only the points between thresholds are lost;
    * when every score is one of the thresholds (e.g. scores rounded to the grid),
      the ROC AUC, the average precision and the curves equal those of scikit-learn
      on the concatenated batches, to float64 round-off;
    * otherwise the ROC AUC differs from the exact one by at most
      :meth:`roc_auc_error_bound`, ``sum_k P_k N_k / (2 P N)`` (scores of one bin
      count as ties), about ``1 / (2 n_bins)`` for scores spread evenly; the
      average precision differs by the change of precision inside a bin, in practice
      below ``1e-3`` for 1000 bins and continuous scores.

    Parameters
    ----------
    n_bins : int, default=1000
        The bins of the default thresholds ``numpy.arange(n_bins + 1) / n_bins``.
    thresholds : array-like of shape (n_thresholds,), default=None
        Strictly increasing finite bin edges instead; every score must lie in
        ``[thresholds[0], thresholds[-1]]``.
    pos_label : int, float, bool or str, default=1
        The positive label of ``y_true``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import roc_auc_score
    >>> y_true = np.array([0, 0, 1, 1, 0, 1])
    >>> y_score = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    >>> metric = StreamingScores(n_bins=100)
    >>> _ = metric.update(y_true[:3], y_score[:3]).update(y_true[3:], y_score[3:])
    >>> print(f"{metric.compute_roc_auc():.4f} {roc_auc_score(y_true, y_score):.4f}")
    0.8889 0.8889
    >>> print(f"{metric.compute_average_precision():.4f}")
    0.9167
    """

    def __init__(
        self, n_bins: int = 1000, *, thresholds: Any = None, pos_label: Any = 1
    ) -> None:
        super().__init__()
        if thresholds is None:
            if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer):
                raise TypeError(
                    f"`n_bins` must be an int >= 1; got {type(n_bins).__name__}."
                )
            if n_bins < 1:
                raise ValueError(f"`n_bins` must be an int >= 1; got {n_bins}.")
            edges = np.arange(int(n_bins) + 1) / int(n_bins)
        else:
            edges = np.asarray(thresholds, dtype=np.float64)
            if edges.ndim != 1 or edges.shape[0] < 2:
                raise ValueError(
                    "`thresholds` must be a 1-D array of at least 2 bin edges; got "
                    f"shape {edges.shape}."
                )
            if not np.all(np.isfinite(edges)) or not np.all(np.diff(edges) > 0):
                raise ValueError("`thresholds` must be finite and strictly increasing.")
        self.thresholds: np.ndarray = edges
        self.pos_label = pos_label
        self._shape = (2, int(edges.shape[0]))

    def _fingerprint(self) -> int:
        key = repr(("scores", self.pos_label)).encode() + self.thresholds.tobytes()
        return zlib.crc32(key) & 0x7FFFFFFF

    def reset(self) -> StreamingScores:
        """Forget every update; the bins are kept.

        Returns
        -------
        self

        Examples
        --------
        >>> StreamingScores().update([0, 1], [0.2, 0.6]).reset().is_empty
        True
        """
        super().reset()
        return self

    def merge(self, other: StreamingScores) -> StreamingScores:
        """Add the histograms of ``other`` (same bins and ``pos_label``).

        Parameters
        ----------
        other : StreamingScores
            Another accumulator built with the same arguments.

        Returns
        -------
        self

        Examples
        --------
        >>> a = StreamingScores(10).update([0, 1], [0.2, 0.6])
        >>> b = StreamingScores(10).update([1], [0.1])
        >>> float(a.merge(b).compute_roc_auc())
        0.5
        """
        self._merge_state(other)
        return self

    def update(
        self, y_true: Any, y_score: Any, sample_weight: Any = None
    ) -> StreamingScores:
        """Add one batch to the histograms.

        Parameters
        ----------
        y_true : array of shape (n_samples,)
            Binary labels; ``pos_label`` is positive, the other label negative.
        y_score : array of shape (n_samples,)
            Scores of the positive class, within the thresholds' range ([0, 1] by
            default).
        sample_weight : array of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self

        Examples
        --------
        >>> metric = StreamingScores(n_bins=4).update([0, 1, 1], [0.1, 0.5, 1.0])
        >>> metric.histogram()
        array([[1, 0, 0, 0, 0],
               [0, 0, 1, 0, 1]])
        """
        xp, device, y_true, y_score, sample_weight = resolve_inputs(
            y_true, y_score, sample_weight
        )
        self._check_placement(xp, device, "y_score")
        y_true = check_target(y_true, xp)
        y_score = check_score(y_score, xp)
        n_samples = check_lengths(y_true, y_score)
        weights = check_weights(sample_weight, n_samples, xp, device)
        classes = present_classes(y_true, xp)
        if not is_binary(classes):
            raise ValueError(
                f"`y_true` takes more than two values {describe(classes)}; "
                "StreamingScores scores a binary target (``pos_label`` against the "
                "rest needs labels mapped to {0, 1} first)."
            )
        target = binary_target(y_true, xp, pos_label=self.pos_label, classes=classes)
        dtype = float_dtype(xp, device)
        low, high = float(self.thresholds[0]), float(self.thresholds[-1])
        score = xp.astype(y_score, dtype)
        if not bool(xp.all((score >= low) & (score <= high))):
            raise ValueError(
                f"`y_score` has values outside [{low}, {high}], the range of the "
                "bins; pass probabilities, or `thresholds` covering every score."
            )
        int_dtype = index_dtype(xp, device)
        edges = xp.asarray(self.thresholds, dtype=dtype, device=device)
        n_edges = self._shape[1]
        index = xp.astype(xp.searchsorted(edges, score, side="right"), int_dtype) - 1
        joint = xp.astype(target.is_positive, int_dtype) * n_edges + index
        counts = xp.reshape(bincount(joint, 2 * n_edges, None, xp), self._shape)
        summed = None
        if weights is not None:
            summed = xp.reshape(bincount(joint, 2 * n_edges, weights, xp), self._shape)
        self._add(counts, summed, False, xp, device)
        return self

    def histogram(self) -> Any:
        """The accumulated (weighted) counts: row 0 negatives, row 1 positives.

        Returns
        -------
        array of shape (2, n_thresholds)
            Column ``k`` counts the scores in ``[thresholds[k], thresholds[k + 1])``;
            int64 counts, or float sums once a batch had weights.

        Examples
        --------
        >>> StreamingScores(n_bins=2).update([0, 1], [0.2, 0.7]).histogram()
        array([[1, 0, 0],
               [0, 1, 0]])
        """
        self._require_state()
        return self._counts if self._weights is None else self._weights

    def _replay(self) -> tuple[Any, Any, Any]:
        """One (label in {0, 1}, threshold, weight) sample per non-empty bin."""
        cells, sums, xp = self._cells()
        device = self._device
        dtype = float_dtype(xp, device)
        n_edges = self._shape[1]
        edges = xp.asarray(self.thresholds, dtype=dtype, device=device)
        y_true = cells // n_edges
        y_score = xp.take(edges, cells % n_edges)
        return y_true, y_score, xp.astype(sums, dtype)

    def compute_roc_auc(self) -> Any:
        """Area under the ROC curve at bin resolution (see the class notes).

        Returns
        -------
        0-d array
            On the batches' device; NaN with an UndefinedMetricWarning when one
            class never occurred, as :func:`~balancekit.metrics.roc_auc_score`.

        Examples
        --------
        >>> float(StreamingScores().update([0, 1], [0.25, 0.75]).compute_roc_auc())
        1.0
        """
        y_true, y_score, weights = self._replay()
        return roc_auc_score(y_true, y_score, sample_weight=weights)

    def compute_average_precision(self) -> Any:
        """Average precision at bin resolution (see the class notes).

        Returns
        -------
        0-d array
            On the batches' device; 0 with a warning without positives.

        Examples
        --------
        >>> metric = StreamingScores().update([0, 1, 1], [0.25, 0.75, 0.25])
        >>> print(f"{metric.compute_average_precision():.4f}")
        0.8333
        """
        y_true, y_score, weights = self._replay()
        return average_precision_score(y_true, y_score, sample_weight=weights)

    def compute(self) -> dict[str, Any]:
        """Both scores: ``{"roc_auc": ..., "average_precision": ...}``.

        Examples
        --------
        >>> result = StreamingScores().update([0, 1], [0.25, 0.75]).compute()
        >>> sorted(result)
        ['average_precision', 'roc_auc']
        """
        return {
            "roc_auc": self.compute_roc_auc(),
            "average_precision": self.compute_average_precision(),
        }

    def roc_curve(self, *, drop_intermediate: bool = True) -> tuple[Any, Any, Any]:
        """``fpr, tpr, thresholds`` as :func:`~balancekit.metrics.roc_curve`, with
        the bins' lower edges as thresholds.

        Examples
        --------
        >>> fpr, tpr, thr = StreamingScores(4).update([0, 1], [0.25, 0.75]).roc_curve()
        >>> fpr.tolist(), tpr.tolist(), thr.tolist()
        ([0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [inf, 0.75, 0.25])
        """
        y_true, y_score, weights = self._replay()
        return roc_curve(
            y_true,
            y_score,
            sample_weight=weights,
            drop_intermediate=drop_intermediate,
        )

    def precision_recall_curve(
        self, *, drop_intermediate: bool = False
    ) -> tuple[Any, Any, Any]:
        """``precision, recall, thresholds`` as
        :func:`~balancekit.metrics.precision_recall_curve`, at the bins' lower edges.

        Examples
        --------
        >>> metric = StreamingScores(4).update([0, 1], [0.25, 0.75])
        >>> [a.tolist() for a in metric.precision_recall_curve()]
        [[0.5, 1.0, 1.0], [1.0, 1.0, 0.0], [0.25, 0.75]]
        """
        y_true, y_score, weights = self._replay()
        return precision_recall_curve(
            y_true,
            y_score,
            sample_weight=weights,
            drop_intermediate=drop_intermediate,
        )

    def curves(self) -> dict[str, tuple[Any, Any, Any]]:
        """Both curves: ``{"roc": (fpr, tpr, thresholds), "precision_recall":
        (precision, recall, thresholds)}``, with their functions' defaults.

        Examples
        --------
        >>> sorted(StreamingScores().update([0, 1], [0.25, 0.75]).curves())
        ['precision_recall', 'roc']
        """
        return {
            "roc": self.roc_curve(),
            "precision_recall": self.precision_recall_curve(),
        }

    def roc_auc_error_bound(self) -> Any:
        """The largest possible difference between :meth:`compute_roc_auc` and the
        exact ROC AUC of the scores: ``sum_k P_k N_k / (2 P N)``.

        Returns
        -------
        0-d array
            0 when no bin holds both classes (the binned AUC is then exact); NaN
            without one of the classes.

        Examples
        --------
        >>> metric = StreamingScores(n_bins=2).update([0, 1, 1], [0.1, 0.2, 0.9])
        >>> float(metric.roc_auc_error_bound())
        0.25
        """
        xp, device = self._require_state()
        histogram = xp.astype(self.histogram(), float_dtype(xp, device))
        negatives, positives = histogram[0, :], histogram[1, :]
        total = xp.sum(negatives) * xp.sum(positives)
        safe = xp.where(total == 0, xp.ones_like(total), total)
        bound = xp.sum(negatives * positives) / (2 * safe)
        return xp.where(total == 0, xp.full_like(bound, math.nan), bound)
