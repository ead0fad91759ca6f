"""Streaming ROC AUC and average precision of multilabel indicators.

State: for each scored label column, the (weighted) numbers of negatives and
positives whose score falls in each bin of a fixed grid, an array of shape
``(n_scored_labels, 2, n_thresholds)`` on the device of the first batch, filled by one
bincount per batch over the code ``(2 * label + is_positive) * n_thresholds + bin``.

The scores replay these histograms through the binary functional metrics of
``balancekit.metrics`` (one sample per non-empty bin, weighted by the bin's sum, as
:class:`~balancekit.metrics.StreamingScores` does): each label's histogram for the
per-label scores and the ``"macro"`` and ``"weighted"`` averages, the histogram summed
over the labels for ``"micro"`` (the ravelled problem). The averaging is that of the
functional multilabel metric, so values and warnings are those of
:func:`~balancekit.metrics.roc_auc_score` and
:func:`~balancekit.metrics.average_precision_score` on the concatenated batches
whenever every score lies on the grid. ``average="samples"`` ranks each row's labels,
which per-label histograms do not keep: it is refused.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from balancekit._array_api import (
    bincount,
    index_dtype,
    to_host,
    widest_float_dtype,
)
from balancekit._dask_route import has_dask
from balancekit._indicator import check_indicator
from balancekit._params import check_choice
from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._multilabel_inputs import column_indices
from balancekit.metrics._ranking import (
    average_precision_score,
    check_max_fpr,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_multilabel import AVERAGES, average_labels
from balancekit.metrics._ranking_validation import (
    check_score,
    check_weights,
)
from balancekit.metrics._select import check_labels_param
from balancekit.metrics._stateful import StreamingMetric
from balancekit.metrics._stateful_scores import StreamingScores, add_binned_batch

__all__ = ["StreamingMultilabelScores"]

_ALL_ZERO_WEIGHTS = (
    "`sample_weight` is zero for every sample; at least one sample needs a positive "
    "weight."
)


def _check_n_labels(n_labels: Any) -> int:
    if isinstance(n_labels, bool) or not isinstance(n_labels, int):
        raise TypeError(
            "`n_labels` must be an int, the number of columns of the indicators; got "
            f"{type(n_labels).__name__}."
        )
    if n_labels < 2:
        raise ValueError(
            "`n_labels` must be >= 2: an indicator with one column is a binary target "
            f"for the metrics (got {n_labels}); use StreamingScores on that column."
        )
    return n_labels


class StreamingMultilabelScores(StreamingMetric):
    """Multilabel ROC AUC and average precision from per-label score histograms.

    ``update`` adds a batch of (n_samples, n_labels) 0/1 indicators and scores: per
    scored label, the (weighted) numbers of negatives and positives whose score falls
    in each bin ``[thresholds[k], thresholds[k + 1])`` (the last threshold a bin of
    its own), one bincount on the batch's device. The scores treat every score of bin
    ``k`` as ``thresholds[k]``, label by label, as
    :class:`~balancekit.metrics.StreamingScores` does for one binary target: when
    every score is one of the thresholds (e.g. probabilities rounded to the grid),
    :meth:`roc_auc_score` and :meth:`average_precision_score` equal the functional
    metrics on the concatenated batches (averages None, ``"micro"``, ``"macro"`` and
    ``"weighted"``, warnings included) to float64 round-off; otherwise they are
    those of the scores rounded down to the grid.

    Parameters
    ----------
    n_labels : int
        The number of label columns of every batch (at least 2).
    n_bins : int, default=1000
        The bins of the default thresholds ``numpy.arange(n_bins + 1) / n_bins``.
    thresholds : array-like of shape (n_thresholds,), default=None
        Strictly increasing finite bin edges instead; every score must lie in
        ``[thresholds[0], thresholds[-1]]``.
    labels : array-like of int, default=None
        The columns to score (column indices), in order; default every column. The
        histograms are kept for these columns only, and the scores are those of the
        functional metrics on ``y_true[:, labels]`` and ``y_score[:, labels]``.

    Attributes
    ----------
    n_labels : int
        The number of label columns.
    labels : list of int or None
        The scored columns, None for all.
    thresholds : numpy.ndarray of shape (n_thresholds,)
        The bin edges.

    Notes
    -----
    The state holds ``2 * n_scored_labels * n_thresholds`` counts (1.6 MB of int64
    for 100 labels and 1000 bins), twice that once a batch had weights.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import roc_auc_score
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> y_score = np.array([[0.9, 0.2, 0.4], [0.3, 0.6, 0.1], [0.6, 0.4, 0.3],
    ...                     [0.2, 0.5, 0.8]])
    >>> from balancekit.metrics import StreamingMultilabelScores
    >>> metric = StreamingMultilabelScores(3, n_bins=10)
    >>> _ = metric.update(y_true[:2], y_score[:2]).update(y_true[2:], y_score[2:])
    >>> metric.roc_auc_score(average=None).tolist()
    [1.0, 0.75, 1.0]
    >>> print(f"{metric.roc_auc_score(average='micro'):.4f}")
    0.9444
    >>> print(f"{roc_auc_score(y_true, y_score, average='micro'):.4f}")
    0.9444
    """

    def __init__(
        self,
        n_labels: int,
        *,
        n_bins: int = 1000,
        thresholds: Any = None,
        labels: Any = None,
    ) -> None:
        super().__init__()
        self.n_labels = _check_n_labels(n_labels)
        # the grid, its checks and the binning are StreamingScores' own
        self._grid = StreamingScores(n_bins, thresholds=thresholds)
        self.thresholds: np.ndarray = self._grid.thresholds
        host = check_labels_param(labels)
        self.labels: list[int] | None = (
            None if host is None else column_indices(host, self.n_labels)
        )
        self._columns: list[int] = (
            list(range(self.n_labels)) if self.labels is None else list(self.labels)
        )
        self._shape = (len(self._columns), 2, int(self.thresholds.shape[0]))

    def _fingerprint(self) -> int:
        key = repr(("multilabel_scores", self.n_labels, self.labels)).encode()
        return zlib.crc32(key + self.thresholds.tobytes()) & 0x7FFFFFFF

    # ------------------------------------------------------------------ updates

    def update(
        self, y_true: Any, y_score: Any, sample_weight: Any = None
    ) -> StreamingMultilabelScores:
        """Add one batch to the histograms.

        Parameters
        ----------
        y_true : array of shape (n_samples, n_labels)
            The 0/1 indicator (bool, integer or float dtype).
        y_score : array of shape (n_samples, n_labels)
            One score column per label, within the thresholds' range ([0, 1] by
            default), on the device of the previous batches.
        sample_weight : array of shape (n_samples,), default=None
            Non-negative sample weights (batches without weights count 1 per
            sample).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For values other than 0/1 in ``y_true``, another number of columns than
            ``n_labels``, scores of another shape or outside the bins, bad weights,
            or a batch from another library or device than the previous ones.
        NotImplementedError
            For Dask collections (compute them into memory first).

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=2)
        >>> metric.update([[1, 0], [0, 0]], [[0.9, 0.2], [0.5, 0.7]]).histogram()
        array([[[0, 1, 0],
                [0, 1, 0]],
        <BLANKLINE>
               [[1, 1, 0],
                [0, 0, 0]]])
        """
        if has_dask((y_true, y_score, sample_weight)):
            raise NotImplementedError(
                "StreamingMultilabelScores.update of Dask collections is not "
                "implemented: compute() `y_true`, `y_score` (and `sample_weight`) "
                "into memory (NumPy, torch, CuPy...) first, e.g. partition by "
                "partition; in memory they are binned on their device."
            )
        # the indicator is checked (any dtype) by _histograms, so only the scores
        # need a NumPy view's dtype kind
        return add_binned_batch(self, y_true, y_score, sample_weight, {"y_score": "f"})

    def _histograms(
        self, batch: dict[str, Any], xp: Namespace, device: Device
    ) -> tuple[Array, Array | None]:
        """The batch's (counts, weighted sums or None), of the state's shape."""
        indicator = check_indicator(batch["y_true"], xp, "y_true")
        n_samples, n_columns = int(indicator.shape[0]), int(indicator.shape[1])
        if n_columns != self.n_labels:
            raise ValueError(
                f"`y_true` has {n_columns} label columns; this metric was built for "
                f"n_labels={self.n_labels}. Pass every batch with the same columns."
            )
        given = tuple(int(size) for size in getattr(batch["y_score"], "shape", ()))
        if given != (n_samples, n_columns):
            raise ValueError(
                "`y_score` must have the shape of the multilabel indicator `y_true`, "
                f"one score column per label: `y_true` has shape "
                f"{(n_samples, n_columns)} but `y_score` has shape {given}."
            )
        y_score = check_score(batch["y_score"], xp, ndim=2)
        weights = check_weights(batch["sample_weight"], n_samples, xp, device)
        int_dtype = index_dtype(xp, device)
        if self.labels is not None:
            index = xp.asarray(self._columns, dtype=int_dtype, device=device)
            indicator = xp.take(indicator, index, axis=1)
            y_score = xp.take(y_score, index, axis=1)
        dtype = widest_float_dtype(xp, device)
        low, high = float(self.thresholds[0]), float(self.thresholds[-1])
        score = xp.reshape(xp.astype(y_score, dtype), (-1,))
        if not bool(xp.all((score >= low) & (score <= high))):
            raise ValueError(
                f"`y_score` has values outside [{low}, {high}], the range of the "
                "bins; pass probabilities, or `thresholds` covering every score."
            )
        n_scored, _, n_edges = self._shape
        edges = xp.asarray(self.thresholds, dtype=dtype, device=device)
        bins = self._grid.bin_index(score, edges, xp, int_dtype)
        # code (2 * label + is_positive) * n_edges + bin, row-major like `score`
        label_rows = xp.reshape(
            xp.arange(n_scored, dtype=int_dtype, device=device) * 2, (1, n_scored)
        )
        rows = label_rows + xp.astype(indicator, int_dtype)
        joint = xp.reshape(rows, (-1,)) * n_edges + bins
        size = n_scored * 2 * n_edges
        counts = xp.reshape(bincount(joint, size, None, xp), self._shape)
        if weights is None:
            return counts, None
        repeated = xp.broadcast_to(xp.reshape(weights, (-1, 1)), (n_samples, n_scored))
        repeated = xp.reshape(repeated, (-1,))
        summed = xp.reshape(bincount(joint, size, repeated, xp), self._shape)
        return counts, summed

    # ------------------------------------------------------------------ state

    def histogram(self) -> Any:
        """The accumulated (weighted) counts per scored label and bin.

        Returns
        -------
        array of shape (n_scored_labels, 2, n_thresholds)
            ``[label, 0, k]`` negatives and ``[label, 1, k]`` positives of the
            label (in the order of ``labels``) whose score is in
            ``[thresholds[k], thresholds[k + 1])``; int64 counts, or float sums
            once a batch had weights.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(3, n_bins=1, labels=[2])
        >>> y_true, y_score = [[0, 1, 1], [1, 1, 0]], [[0.1, 0.2, 1.0], [0, 0, 0]]
        >>> metric.update(y_true, y_score).histogram()
        array([[[1, 0],
                [0, 1]]])
        """
        self._require_state()
        return self._counts if self._weights is None else self._weights

    def _replay(self, position: int | None = None) -> tuple[Any, Any, Any]:
        """One (label in {0, 1}, threshold, weight) sample per non-empty bin of the
        scored label at ``position`` (of ``labels``), or of the histograms summed
        over the labels (None: the ravelled problem of ``average="micro"``)."""
        xp, device = self._require_state()
        dtype = widest_float_dtype(xp, device)
        counts = self._counts
        sums = xp.astype(
            self._counts if self._weights is None else self._weights, dtype
        )
        if position is None:
            counts, sums = xp.sum(counts, axis=0), xp.sum(sums, axis=0)
        else:
            counts, sums = counts[position, ...], sums[position, ...]
        n_edges = self._shape[2]
        cells = xp.nonzero(xp.reshape(counts, (-1,)) > 0)[0]
        edges = xp.asarray(self.thresholds, dtype=dtype, device=device)
        y_true = cells // n_edges
        y_score = xp.take(edges, cells % n_edges)
        return y_true, y_score, xp.take(xp.reshape(sums, (-1,)), cells)

    def _check_weight_total(self, xp: Namespace) -> None:
        """The functional metrics refuse weights that are all 0: so does the stream."""
        if self._weights is None:
            return
        total = xp.sum(self._weights[0, ...])  # every label sees every sample
        if float(to_host(total, xp)) == 0:
            raise ValueError(_ALL_ZERO_WEIGHTS)

    def _position(self, label: Any) -> int:
        """The position among the scored columns of the column index ``label``."""
        whole = isinstance(label, int | np.integer) and not isinstance(label, bool)
        if not whole or int(label) not in self._columns:
            raise ValueError(
                f"`label` must be the index of a scored column, one of "
                f"{self._columns}; got {label!r}."
            )
        return self._columns.index(int(label))

    # ------------------------------------------------------------------ scores

    def _score(self, metric: str, average: Any, max_fpr: Any = None) -> Any:
        check_choice(average, "average", AVERAGES)
        if average == "samples":
            raise ValueError(
                "average='samples' scores each sample over its labels, which needs "
                "each row's scores: the per-label histograms of a stream do not keep "
                "them. Use average='micro', 'macro', 'weighted' or None here, or the "
                "functional metric (balancekit.metrics.roc_auc_score or "
                "average_precision_score) on the whole data for 'samples'."
            )
        xp, device = self._require_state()
        self._check_weight_total(xp)

        def binary(position: int | None) -> Any:
            y_true, y_score, weights = self._replay(position)
            if metric == "ap":
                return average_precision_score(y_true, y_score, sample_weight=weights)
            return roc_auc_score(
                y_true, y_score, sample_weight=weights, max_fpr=max_fpr
            )

        if average == "micro":
            return binary(None)
        dtype = widest_float_dtype(xp, device)
        state = self._counts if self._weights is None else self._weights
        support = xp.sum(xp.astype(state[:, 1, :], dtype), axis=1)
        return average_labels(
            binary, len(self._columns), support, average, xp, dtype, device
        )

    def roc_auc_score(
        self, *, average: str | None = "macro", max_fpr: float | None = None
    ) -> Any:
        """ROC AUC of the scored labels, as :func:`~balancekit.metrics.roc_auc_score`
        of a multilabel indicator (exact for scores on the grid).

        Parameters
        ----------
        average : {"micro", "macro", "weighted"} or None, default="macro"
            The AUC of the labels ravelled into one problem (``"micro"``), their
            mean, their mean weighted by each label's (weighted) positive count (0
            when no label has a positive), or the per-label AUCs (None).
            ``"samples"`` is refused: it needs each row's scores.
        max_fpr : float in (0, 1], default=None
            The McClish-standardised partial AUC over fpr in [0, max_fpr].

        Returns
        -------
        array
            0-d, or of shape ``(n_scored_labels,)`` for ``average=None``, on the
            batches' device.

        Warns
        -----
        sklearn.exceptions.UndefinedMetricWarning
            For a label (or the ravelled problem) holding one class: its AUC is NaN.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=4)
        >>> metric = metric.update([[1, 0], [0, 1], [1, 1]],
        ...                        [[1.0, 0.25], [0.5, 0.75], [0.75, 0.5]])
        >>> metric.roc_auc_score(average=None).tolist()
        [1.0, 1.0]
        >>> float(metric.roc_auc_score(average="micro"))
        0.9375
        """
        check_max_fpr(max_fpr)
        return self._score("auc", average, max_fpr)

    def average_precision_score(self, *, average: str | None = "macro") -> Any:
        """Average precision of the scored labels, as
        :func:`~balancekit.metrics.average_precision_score` of a multilabel
        indicator (exact for scores on the grid).

        Parameters
        ----------
        average : {"micro", "macro", "weighted"} or None, default="macro"
            As in :meth:`roc_auc_score`; ``"samples"`` is refused.

        Returns
        -------
        array
            0-d, or of shape ``(n_scored_labels,)`` for ``average=None``, on the
            batches' device.

        Warns
        -----
        UserWarning
            For a label without positives: its average precision is 0.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=4)
        >>> metric = metric.update([[1, 0], [0, 1], [1, 1]],
        ...                        [[1.0, 0.25], [0.5, 0.75], [0.75, 0.5]])
        >>> metric.average_precision_score(average=None).tolist()
        [1.0, 1.0]
        """
        return self._score("ap", average)

    def compute(self, *, average: str | None = "macro") -> dict[str, Any]:
        """Both scores: ``{"roc_auc": ..., "average_precision": ...}``.

        Parameters
        ----------
        average : {"micro", "macro", "weighted"} or None, default="macro"
            As in :meth:`roc_auc_score`.

        Returns
        -------
        dict
            The two scores, on the batches' device.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2).update([[1, 0], [0, 1]],
        ...                                              [[0.75, 0.25], [0.5, 0.5]])
        >>> {key: float(value) for key, value in metric.compute().items()}
        {'roc_auc': 1.0, 'average_precision': 1.0}
        """
        return {
            "roc_auc": self.roc_auc_score(average=average),
            "average_precision": self.average_precision_score(average=average),
        }

    # ------------------------------------------------------------------ curves

    def roc_curve(
        self, label: int, *, drop_intermediate: bool = True
    ) -> tuple[Any, Any, Any]:
        """``fpr, tpr, thresholds`` of one label as
        :func:`~balancekit.metrics.roc_curve` of its column, with the bins' lower
        edges as thresholds.

        Parameters
        ----------
        label : int
            The column index of a scored label.
        drop_intermediate : bool, default=True
            Drop the thresholds that are not corners of the curve.

        Returns
        -------
        fpr, tpr, thresholds : arrays
            On the batches' device.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=4)
        >>> metric = metric.update([[1, 0], [0, 1]], [[0.75, 0.25], [0.25, 0.5]])
        >>> [a.tolist() for a in metric.roc_curve(0)]
        [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [inf, 0.75, 0.25]]
        """
        y_true, y_score, weights = self._replay(self._position(label))
        return roc_curve(
            y_true, y_score, sample_weight=weights, drop_intermediate=drop_intermediate
        )

    def precision_recall_curve(
        self, label: int, *, drop_intermediate: bool = False
    ) -> tuple[Any, Any, Any]:
        """``precision, recall, thresholds`` of one label as
        :func:`~balancekit.metrics.precision_recall_curve` of its column, at the
        bins' lower edges.

        Parameters
        ----------
        label : int
            The column index of a scored label.
        drop_intermediate : bool, default=False
            Drop the thresholds where the precision does not change.

        Returns
        -------
        precision, recall, thresholds : arrays
            On the batches' device.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=4)
        >>> metric = metric.update([[1, 0], [0, 1]], [[0.75, 0.25], [0.25, 0.5]])
        >>> [a.tolist() for a in metric.precision_recall_curve(1)]
        [[0.5, 1.0, 1.0], [1.0, 1.0, 0.0], [0.25, 0.5]]
        """
        y_true, y_score, weights = self._replay(self._position(label))
        return precision_recall_curve(
            y_true, y_score, sample_weight=weights, drop_intermediate=drop_intermediate
        )

    def roc_auc_error_bound(self) -> Any:
        """The largest possible difference, per scored label, between the binned and
        the exact ROC AUC of the scores: ``sum_k P_k N_k / (2 P N)``.

        Returns
        -------
        array of shape (n_scored_labels,)
            0 for a label whose bins never hold both classes (its binned AUC is
            then exact); NaN for a label holding one class.

        Examples
        --------
        >>> from balancekit.metrics import StreamingMultilabelScores
        >>> metric = StreamingMultilabelScores(2, n_bins=2)
        >>> metric = metric.update([[0, 0], [1, 1], [1, 0]],
        ...                        [[0.1, 0.1], [0.2, 0.6], [0.9, 0.4]])
        >>> metric.roc_auc_error_bound().tolist()
        [0.25, 0.0]
        """
        xp, device = self._require_state()
        histogram = xp.astype(self.histogram(), widest_float_dtype(xp, device))
        negatives, positives = histogram[:, 0, :], histogram[:, 1, :]
        total = xp.sum(negatives, axis=1) * xp.sum(positives, axis=1)
        safe = xp.where(total == 0, xp.ones_like(total), total)
        bound = xp.sum(negatives * positives, axis=1) / (2 * safe)
        return xp.where(total == 0, xp.full_like(bound, float("nan")), bound)
