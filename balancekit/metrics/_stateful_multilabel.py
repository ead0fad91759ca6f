"""The streaming multilabel confusion matrix, and every metric of indicators from it.

State (one flat vector of counts, and of weight sums once a batch is weighted, on the
device of the first batch; the layout is ``[tp | true | pred | n | histogram]``):

- per label column: the true positives, true and predicted positives (``fp``, ``fn``
  and ``tn`` follow from them and the total);
- the number of samples (the weight total in the weight sums);
- for the ``samples`` averages, the histogram of the per-row triples
  ``(tp_i, true_i, pred_i)`` over the scored columns: one bincount per batch of the
  code ``(tp_i * (S + 1) + true_i) * (S + 1) + pred_i``. Every samples average of
  scikit-learn (precision, recall, F-beta, Jaccard) is a weighted mean of a function
  of that triple, so the occupied cells, weighted by their weight sums, replay it.
  A row of weight 0 counts as an empty row (``0 / 0`` in every ratio, as the
  functional metric's weighted counts make it), so it warns the same.

The scores run the functional metrics' own code on these counts
(:func:`~balancekit.metrics._classification.prf_from_sums`,
:func:`~balancekit.metrics._jaccard.jaccard_from_sums`), so values, dtypes and
warnings are those of the functional metric on the concatenated batches.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from balancekit._array_api import bincount, index_dtype, to_host, widest_float_dtype
from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._classification import PRF_WARN_FOR, check_beta, prf_from_sums
from balancekit.metrics._classification_report import report_from_sums
from balancekit.metrics._common import as_result, check_average, check_zero_division
from balancekit.metrics._counts import float_weights
from balancekit.metrics._jaccard import jaccard_from_sums
from balancekit.metrics._multilabel_confusion import stack_confusion
from balancekit.metrics._multilabel_inputs import (
    ZERO_WEIGHTS,
    check_indicator_pair,
    column_indices,
    resolve_label_pair,
)
from balancekit.metrics._report import check_report_options
from balancekit.metrics._select import check_labels_param
from balancekit.metrics._set_wise import SetWiseSums, check_multilabel_average
from balancekit.metrics._stateful import StreamingMetric

__all__ = [
    "MAX_HISTOGRAM_CELLS",
    "MULTILABEL_STREAMING_METRICS",
    "StreamingMultilabelConfusionMatrix",
]

#: The largest per-sample histogram kept, ``(n_scored_labels + 1) ** 3`` cells:
#: 255 scored labels at most for the ``samples`` averages.
MAX_HISTOGRAM_CELLS = 2**24

#: The metrics :meth:`StreamingMultilabelConfusionMatrix.score` computes.
MULTILABEL_STREAMING_METRICS = (
    "classification_report",
    "f1_score",
    "fbeta_score",
    "hamming_loss",
    "jaccard_score",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
)


def _positives(a: Array, axis: int, xp: Namespace, int_dtype: Any) -> Array:
    """The ones of a 0/1 (bool or integer) indicator along ``axis``, as integers."""
    if xp.isdtype(a.dtype, "bool"):
        return xp.astype(xp.count_nonzero(a, axis=axis), int_dtype)
    return xp.sum(a, axis=axis, dtype=int_dtype)


def _as_bool(a: Array, xp: Namespace) -> Array:
    return a if xp.isdtype(a.dtype, "bool") else a != 0


def _check_n_labels(n_labels: Any) -> int:
    if isinstance(n_labels, bool) or not isinstance(n_labels, int):
        raise TypeError(
            "`n_labels` must be an int, the number of columns of the indicators; got "
            f"{type(n_labels).__name__}."
        )
    if n_labels < 2:
        raise ValueError(
            "`n_labels` must be >= 2: an indicator with one column is a binary target "
            f"for the metrics (got {n_labels}); use StreamingConfusionMatrix([0, 1]) "
            "on that column."
        )
    return n_labels


class StreamingMultilabelConfusionMatrix(StreamingMetric):
    """Multilabel confusion counts accumulated over batches, and the metrics of them.

    ``update`` counts a batch of (n_samples, n_labels) 0/1 indicators on the batch's
    device (every batch must live on the same device): per label, the true, false
    positives and negatives; per sample, a histogram of its (true positives, true
    labels, predicted labels). ``compute`` gives the per-label 2x2 matrices and the
    score methods give what the functional metric of ``balancekit.metrics`` gives on
    the concatenated batches (scikit-learn's semantics, values to float64 round-off,
    same dtypes and warnings), averages ``None``, ``"micro"``, ``"macro"``,
    ``"weighted"`` and ``"samples"`` included.

    Parameters
    ----------
    n_labels : int
        The number of label columns of every batch (at least 2).
    labels : array-like of int, default=None
        The columns to score (``labels=`` of the functional metrics, column
        indices), in order; default every column. Fixed here so that the state
        has one shape across batches and processes; ``hamming_loss`` reads every
        column, as the functional one does.

    Attributes
    ----------
    n_labels : int
        The number of label columns.
    labels : list of int or None
        The scored columns, None for all.

    Notes
    -----
    The ``samples`` averages need a histogram of ``(len(labels) + 1) ** 3`` cells
    (8 MB of int64 for 100 labels, twice that with weights); beyond 255 scored
    labels (``MAX_HISTOGRAM_CELLS``) it is not kept and the ``samples`` averages
    (and the report, which has a ``samples avg`` row) are refused, while every
    per-label score still works.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix, f1_score
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> y_pred = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1]])
    >>> metric = StreamingMultilabelConfusionMatrix(3)
    >>> for batch in (slice(0, 3), slice(3, 4)):
    ...     _ = metric.update(y_true[batch], y_pred[batch])
    >>> metric.compute()[2]
    array([[1, 1],
           [1, 1]])
    >>> print(f"{metric.f1_score(average='samples'):.4f}")
    0.7500
    >>> print(f"{f1_score(y_true, y_pred, average='samples'):.4f}")
    0.7500
    """

    def __init__(self, n_labels: int, *, labels: Any = None) -> None:
        super().__init__()
        self.n_labels = _check_n_labels(n_labels)
        host = check_labels_param(labels)
        self.labels: list[int] | None = (
            None if host is None else column_indices(host, self.n_labels)
        )
        self._columns: list[int] = (
            list(range(self.n_labels)) if self.labels is None else list(self.labels)
        )
        self._side = len(self._columns) + 1
        cells = self._side**3
        self._n_cells = cells if cells <= MAX_HISTOGRAM_CELLS else 0
        self._shape = (3 * self.n_labels + 1 + self._n_cells,)

    def _fingerprint(self) -> int:
        key = repr(("multilabel", self.n_labels, self.labels))
        return zlib.crc32(key.encode()) & 0x7FFFFFFF

    # ------------------------------------------------------------------ updates

    def update(
        self, y_true: Array, y_pred: Array, sample_weight: Array | None = None
    ) -> StreamingMultilabelConfusionMatrix:
        """Count one batch.

        Parameters
        ----------
        y_true, y_pred : array of shape (n_samples, n_labels)
            True and predicted 0/1 indicators (bool, integer or float dtype), on
            the device of the previous batches.
        sample_weight : array of shape (n_samples,), default=None
            Non-negative sample weights (batches without weights count 1 per
            sample).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For values other than 0/1, another number of columns than
            ``n_labels``, inconsistent lengths, bad weights, or a batch from another
            library or device than the previous ones.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(2)
        >>> metric.update([[1, 0], [1, 1]], [[1, 1], [0, 1]]).compute()[0]
        array([[0, 0],
               [1, 1]])
        """
        xp, device, y_true, y_pred, sample_weight = resolve_label_pair(
            y_true, y_pred, sample_weight
        )
        self._check_placement(xp, device, "y_true")
        true, pred = check_indicator_pair(y_true, y_pred, xp)
        if int(true.shape[1]) != self.n_labels:
            raise ValueError(
                f"`y_true` has {int(true.shape[1])} label columns; this metric was "
                f"built for n_labels={self.n_labels}. Pass every batch with the same "
                "columns."
            )
        n_samples = int(true.shape[0])
        weights, integer = float_weights(
            sample_weight, n_samples, xp, widest_float_dtype(xp, device)
        )
        counts, sums = self._batch_state(true, pred, weights, xp, device)
        self._add(counts, sums, weights is None or integer, xp, device)
        return self

    def _batch_state(
        self, true: Array, pred: Array, weights: Any, xp: Namespace, device: Device
    ) -> tuple[Array, Array | None]:
        """The flat counts (and weight sums) of one checked batch (0/1 integer or
        bool indicators, as :func:`check_indicator_pair` gives them)."""
        int_dtype = index_dtype(xp, device)
        both = true & pred
        n_samples = int(true.shape[0])
        counts = [_positives(a, 0, xp, int_dtype) for a in (both, true, pred)]
        counts.append(xp.asarray([n_samples], dtype=int_dtype, device=device))
        sums = None
        if weights is not None:  # as the functional metric sums them
            column = xp.reshape(weights, (-1, 1))
            zero = xp.zeros((), dtype=weights.dtype, device=device)
            sums = [
                xp.sum(xp.where(_as_bool(a, xp), column, zero), axis=0)
                for a in (both, true, pred)
            ]
            sums.append(xp.reshape(xp.sum(weights), (1,)))
        if self._n_cells:
            if self.labels is not None:
                index = xp.asarray(self._columns, dtype=int_dtype, device=device)
                true, pred = xp.take(true, index, axis=1), xp.take(pred, index, axis=1)
                both = true & pred
            tp_i, true_i, pred_i = (
                _positives(a, 1, xp, int_dtype) for a in (both, true, pred)
            )
            code = (tp_i * self._side + true_i) * self._side + pred_i
            if weights is not None:  # a row of weight 0 scores as an empty row
                code = xp.where(weights == 0, xp.zeros_like(code), code)
            counts.append(bincount(code, self._n_cells, None, xp))
            if sums is not None:
                sums.append(bincount(code, self._n_cells, weights, xp))
        return xp.concat(counts), None if sums is None else xp.concat(sums)

    # ------------------------------------------------------------------ counts

    def _state(self) -> tuple[Namespace, Device, Array]:
        """The namespace, device and the counts (weight sums once weighted); a
        ValueError when empty or when every weight is 0 (as the functional metrics
        refuse)."""
        xp, device = self._require_state()
        if self._weights is None:
            return xp, device, self._counts
        total = self._weights[3 * self.n_labels]
        if float(to_host(total, xp)) == 0:
            raise ValueError(ZERO_WEIGHTS)
        return xp, device, self._weights

    def _matrices(self) -> Array:
        """The (n_scored, 2, 2) matrices ``[[tn, fp], [fn, tp]]``."""
        xp, device, state = self._state()
        n = self.n_labels
        tp, true_sum, pred_sum = state[:n], state[n : 2 * n], state[2 * n : 3 * n]
        if self.labels is not None:
            index = xp.asarray(
                self._columns, dtype=index_dtype(xp, device), device=device
            )
            tp, true_sum, pred_sum = (
                xp.take(v, index) for v in (tp, true_sum, pred_sum)
            )
        fp, fn = pred_sum - tp, true_sum - tp
        return stack_confusion(state[3 * n] - tp - fp - fn, fp, fn, tp, xp)

    def _label_sums(self) -> SetWiseSums:
        """The per-label counts, as :func:`set_wise_sums` gives them."""
        matrices = self._matrices()
        xp, device = self._placement()
        tn, fp = matrices[:, 0, 0], matrices[:, 0, 1]
        fn, tp = matrices[:, 1, 0], matrices[:, 1, 1]
        return SetWiseSums(
            tp=tp,
            true_sum=tp + fn,
            pred_sum=tp + fp,
            total=tn + fp + fn + tp,
            xp=xp,
            float_dtype=widest_float_dtype(xp, device),
            sample_weight=None,
            multilabel=True,
            labels=list(self._columns),
            present=list(range(len(self._columns))),
        )

    def _sample_sums(self) -> SetWiseSums:
        """The per-sample counts, one entry per occupied histogram cell weighted by
        the cell's weight sum."""
        if not self._n_cells:
            scored = len(self._columns)
            raise ValueError(
                "average='samples' (and the report's 'samples avg' row) needs the "
                f"histogram of per-sample counts, which for {scored} scored labels "
                f"would have {scored + 1}**3 > 2**24 cells, so this metric does not "
                "keep it. Build it with at most 255 `labels` (columns), or compute "
                "the samples average with the functional metric; the other averages "
                "work."
            )
        xp, device, _ = self._state()
        start = 3 * self.n_labels + 1
        occupied = self._counts[start:]
        cells = xp.nonzero(occupied > 0)[0]
        float_dtype = widest_float_dtype(xp, device)
        source = occupied if self._weights is None else self._weights[start:]
        # float weight sums (the ratios only are read: integer sums give the same)
        weights = xp.astype(xp.take(source, cells), float_dtype)
        n_samples = int(to_host(self._counts[start - 1], xp))
        if int(cells.shape[0]) == 1 and n_samples > 1:
            # the warnings say "due to" for a single output: keep two, as the rows
            cells, weights = (
                xp.concat([cells, cells]),
                xp.concat([weights, weights]) / 2,
            )
        side = self._side
        tp, true_sum, pred_sum = (
            xp.astype(v, float_dtype) * weights
            for v in (cells // (side * side), (cells // side) % side, cells % side)
        )
        scored = len(self._columns)
        return SetWiseSums(
            tp=tp,
            true_sum=true_sum,
            pred_sum=pred_sum,
            total=weights * scored,
            xp=xp,
            float_dtype=float_dtype,
            sample_weight=weights,
            multilabel=True,
            labels=list(self._columns),
            present=list(range(scored)),
        )

    def _sums(self, average: Any) -> SetWiseSums:
        return self._sample_sums() if average == "samples" else self._label_sums()

    def _check_labels(self, labels: Any) -> None:
        """``labels=`` at score time: None, or the columns the metric was built with."""
        if labels is None:
            return
        host = check_labels_param(labels)
        assert host is not None
        columns = column_indices(host, self.n_labels)
        if columns != self._columns:
            raise ValueError(
                f"`labels` is fixed when the metric is built: this metric scores the "
                f"columns {self._columns}, not {columns}. Build "
                f"StreamingMultilabelConfusionMatrix({self.n_labels}, labels="
                f"{columns}) and update it to score those."
            )

    # ------------------------------------------------------------------ results

    def compute(self) -> Array:
        """The per-label 2x2 confusion matrices of every batch so far.

        Returns
        -------
        multi_confusion : array of shape (n_scored_labels, 2, 2)
            ``[[tn, fp], [fn, tp]]`` per scored column, on the batches' device:
            integer counts, float sums once a batch had weights. Equals
            ``multilabel_confusion_matrix(y_true, y_pred, labels=labels, ...)`` on
            the concatenated batches.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(3, labels=[2])
        >>> metric.update([[0, 1, 1]], [[1, 1, 0]]).compute()
        array([[[0, 0],
                [1, 0]]])
        """
        return self._matrices()

    def multilabel_confusion_matrix(
        self, *, labels: Any = None, samplewise: bool = False
    ) -> Array:
        """As :func:`~balancekit.metrics.multilabel_confusion_matrix` (:meth:`compute`).

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        samplewise : bool, default=False
            Only False: one matrix per sample would need every sample, which the
            stream does not keep (it keeps the histogram of their counts).

        Returns
        -------
        multi_confusion : array of shape (n_scored_labels, 2, 2)
            As :meth:`compute`.
        """
        if samplewise not in (True, False):
            raise TypeError(f"`samplewise` must be True or False; got {samplewise!r}.")
        if samplewise:
            raise ValueError(
                "samplewise=True gives one matrix per sample, which a stream does not "
                "keep (its state does not grow with the samples): call "
                "balancekit.metrics.multilabel_confusion_matrix(y_true, y_pred, "
                "samplewise=True) on the batch."
            )
        self._check_labels(labels)
        return self._matrices()

    def precision_recall_fscore_support(
        self,
        *,
        beta: float = 1.0,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = None,
        warn_for: Any = PRF_WARN_FOR,
        zero_division: Any = "warn",
    ) -> tuple[Any, Any, Any, Any]:
        """As :func:`~balancekit.metrics.precision_recall_fscore_support`.

        Parameters
        ----------
        beta : float, default=1.0
            Weight of recall in the F-score.
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, default=None
            The average; None gives one score per scored label.
        warn_for : tuple of str, default=("precision", "recall", "f-score")
            The scores that warn when ill-defined.
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of a ratio whose denominator is 0.

        Returns
        -------
        precision, recall, fbeta_score, support
            As the functional metric on the concatenated batches.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(2)
        >>> metric = metric.update([[1, 0], [1, 1]], [[1, 1], [0, 1]])
        >>> metric.precision_recall_fscore_support()[3]
        array([2, 1])
        """
        beta = check_beta(beta)
        check_zero_division(zero_division)
        check_average(average)
        self._check_labels(labels)
        sums = self._sums(average)
        check_multilabel_average(average, pos_label)
        return prf_from_sums(
            sums,
            beta=beta,
            average=average,
            warn_for=warn_for,
            zero_division=zero_division,
        )

    def fbeta_score(
        self,
        *,
        beta: float,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = "binary",
        zero_division: Any = "warn",
    ) -> Any:
        """As :func:`~balancekit.metrics.fbeta_score`.

        Parameters
        ----------
        beta : float
            Weight of recall in the F-score.
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, \
default="binary"
            The average ("binary" is refused for indicators, as by scikit-learn).
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of a ratio whose denominator is 0.

        Returns
        -------
        fbeta_score : array
            As the functional metric on the concatenated batches.
        """
        return self._one("f-score", 2, beta, labels, pos_label, average, zero_division)

    def f1_score(
        self,
        *,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = "binary",
        zero_division: Any = "warn",
    ) -> Any:
        """As :func:`~balancekit.metrics.f1_score`.

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, \
default="binary"
            The average ("binary" is refused for indicators, as by scikit-learn).
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of a ratio whose denominator is 0.

        Returns
        -------
        f1_score : array
            As the functional metric on the concatenated batches.
        """
        return self._one("f-score", 2, 1.0, labels, pos_label, average, zero_division)

    def precision_score(
        self,
        *,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = "binary",
        zero_division: Any = "warn",
    ) -> Any:
        """As :func:`~balancekit.metrics.precision_score`.

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, \
default="binary"
            The average ("binary" is refused for indicators, as by scikit-learn).
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of a ratio whose denominator is 0.

        Returns
        -------
        precision : array
            As the functional metric on the concatenated batches.
        """
        return self._one("precision", 0, 1.0, labels, pos_label, average, zero_division)

    def recall_score(
        self,
        *,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = "binary",
        zero_division: Any = "warn",
    ) -> Any:
        """As :func:`~balancekit.metrics.recall_score`.

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, \
default="binary"
            The average ("binary" is refused for indicators, as by scikit-learn).
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of a ratio whose denominator is 0.

        Returns
        -------
        recall : array
            As the functional metric on the concatenated batches.
        """
        return self._one("recall", 1, 1.0, labels, pos_label, average, zero_division)

    def _one(
        self,
        warn: str,
        position: int,
        beta: float,
        labels: Any,
        pos_label: Any,
        average: Any,
        zero_division: Any,
    ) -> Any:
        return self.precision_recall_fscore_support(
            beta=beta,
            labels=labels,
            pos_label=pos_label,
            average=average,
            warn_for=(warn,),
            zero_division=zero_division,
        )[position]

    def jaccard_score(
        self,
        *,
        labels: Any = None,
        pos_label: Any = 1,
        average: str | None = "binary",
        zero_division: Any = "warn",
    ) -> Any:
        """As :func:`~balancekit.metrics.jaccard_score`.

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        pos_label : object, default=1
            Ignored (with a warning when not 1 or None), as for indicators.
        average : {"micro", "macro", "weighted", "samples"} or None, \
default="binary"
            The average ("binary" is refused for indicators, as by scikit-learn).
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The score when ``tp + fp + fn`` is 0.

        Returns
        -------
        score : array
            As the functional metric on the concatenated batches.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(3)
        >>> metric = metric.update([[0, 1, 1], [1, 1, 0]], [[1, 1, 1], [1, 0, 0]])
        >>> print(f"{metric.jaccard_score(average='samples'):.4f}")
        0.5833
        """
        check_zero_division(zero_division)
        check_average(average)
        self._check_labels(labels)
        sums = self._sums(average)
        check_multilabel_average(average, pos_label)
        return jaccard_from_sums(sums, average, zero_division)

    def hamming_loss(self) -> Any:
        """As :func:`~balancekit.metrics.hamming_loss`, over every label column.

        Returns
        -------
        loss : 0-d array
            The (weighted) fraction of wrong label entries, on the batches' device
            (``numpy.float64`` for NumPy).

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(2).update([[0, 1]], [[0, 0]])
        >>> float(metric.update([[1, 1]], [[0, 0]]).hamming_loss())
        0.75
        """
        xp, device, state = self._state()
        floating = widest_float_dtype(xp, device)
        n = self.n_labels
        tp, true_sum, pred_sum = state[:n], state[n : 2 * n], state[2 * n : 3 * n]
        wrong = xp.sum(xp.astype(true_sum - tp + (pred_sum - tp), floating))
        n_samples = xp.astype(self._counts[3 * n], floating)
        if self._weights is None:
            return as_result(wrong / (n_samples * n), xp)
        mean_weight = state[3 * n] / n_samples
        return as_result(wrong / (n_samples * n * mean_weight), xp)

    def classification_report(
        self,
        *,
        labels: Any = None,
        target_names: Any = None,
        digits: int = 2,
        output_dict: bool = False,
        zero_division: Any = "warn",
    ) -> str | dict[str, Any]:
        """As :func:`~balancekit.metrics.classification_report`.

        Parameters
        ----------
        labels : array-like of int, default=None
            None or the metric's own ``labels``.
        target_names : list of str, default=None
            Display names of the scored labels, in order.
        digits : int, default=2
            Digits of the text report.
        output_dict : bool, default=False
            Return a dict instead of text.
        zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
            The value of an undefined precision, recall or F1.

        Returns
        -------
        report : str or dict
            One row per scored label, then the micro, macro, weighted and samples
            averages.
        """
        check_report_options(digits, output_dict)
        check_zero_division(zero_division)
        self._check_labels(labels)
        sums = self._label_sums()
        samples = self._sample_sums()
        return report_from_sums(
            sums,
            samples,
            target_names=target_names,
            labels_given=self.labels is not None,
            digits=digits,
            output_dict=output_dict,
            zero_division=zero_division,
        )

    def report(self, **kwargs: Any) -> str | dict[str, Any]:
        """:meth:`classification_report`, a dict by default.

        Parameters
        ----------
        **kwargs
            Its arguments; ``output_dict`` defaults to True here.

        Returns
        -------
        report : dict or str
            As :meth:`classification_report`.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(2)
        >>> metric.update([[1, 0], [1, 1]], [[1, 1], [0, 1]]).report()["0"]["recall"]
        0.5
        """
        kwargs.setdefault("output_dict", True)
        return self.classification_report(**kwargs)

    def score(self, metric: str, **kwargs: Any) -> Any:
        """A metric of ``balancekit.metrics`` over every batch so far, by name.

        Parameters
        ----------
        metric : str
            One of ``MULTILABEL_STREAMING_METRICS``: ``"f1_score"``,
            ``"jaccard_score"``, ``"hamming_loss"``, ``"classification_report"``, ...
        **kwargs
            The metric's keyword arguments (``average``, ``zero_division``, ...);
            ``sample_weight`` goes to :meth:`update`.

        Returns
        -------
        The metric's result on the concatenated batches, on their device.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelConfusionMatrix
        >>> metric = StreamingMultilabelConfusionMatrix(2)
        >>> metric = metric.update([[1, 0], [1, 1]], [[1, 1], [0, 1]])
        >>> print(metric.score("recall_score", average="micro"))
        0.6666666666666666
        """
        if not isinstance(metric, str) or metric not in MULTILABEL_STREAMING_METRICS:
            raise ValueError(
                f"`metric` must be one of {list(MULTILABEL_STREAMING_METRICS)}; got "
                f"{metric!r}."
            )
        if "sample_weight" in kwargs:
            raise TypeError(
                "`sample_weight` is not a score() argument: pass the weights of each "
                "batch to update()."
            )
        method: Callable[..., Any] = getattr(self, metric)
        return method(**kwargs)
