"""Streaming ROC AUC, average precision and their curves from binned histograms.

Each ``update`` adds a batch's (weighted) numbers of positives and negatives per score
bin, one bincount on the batch's device; the scores replay the histograms through the
functional score metrics (see ``balancekit.metrics._stateful``).
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import array_api_compat.numpy as compat_numpy
import numpy as np

from balancekit._array_api import (
    bincount,
    cpu_tensor_views,
    index_dtype,
    restore_tensors,
    widest_float_dtype,
)
from balancekit._dask_route import has_dask
from balancekit._labels import check_same_length
from balancekit._params import check_int
from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._ranking import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_score,
    check_target,
    check_weights,
    describe,
    is_binary,
    present_classes,
    resolve_inputs,
)
from balancekit.metrics._stateful import StreamingMetric

__all__ = [
    "StreamingScores",
    "add_binned_batch",
    "bin_index",
]


def add_binned_batch(
    metric: Any, y_true: Any, y_score: Any, sample_weight: Any, kinds: dict[str, str]
) -> Any:
    """Bin one batch into ``metric``'s histograms (its ``_histograms``) and add them.

    CPU tensors are binned through NumPy views (zero copy; ``kinds`` gives the dtype
    kinds a view may take) and the state stays tensors; any other batch is binned
    where it lives. The histograms replay float weights (the thresholds' cells), so
    they are added as non-integer weights. Returns ``metric``.
    """
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    metric._check_placement(xp, device, "y_score")
    batch = {"y_true": y_true, "y_score": y_score, "sample_weight": sample_weight}
    views = cpu_tensor_views(batch, kinds)
    if views is None:
        counts, summed = metric._histograms(batch, xp, device)
    else:
        counts, summed = restore_tensors(metric._histograms(views, compat_numpy, "cpu"))
    metric._add(counts, summed, False, xp, device)
    return metric


def bin_index(
    score: Array, edges: Array, thresholds: np.ndarray, xp: Namespace, int_dtype: Any
) -> Array:
    """The bin of each score: bin k holds [edges[k], edges[k + 1]), the last edge a
    bin of its own (the last edge <= score); ``edges`` are ``thresholds`` on the
    scores' device."""
    n_bins = int(edges.shape[0]) - 1
    if not np.array_equal(thresholds, np.arange(n_bins + 1) / n_bins):
        return xp.astype(xp.searchsorted(edges, score, side="right"), int_dtype) - 1
    # the default edges k / n_bins: the bin is floor(score * n_bins), but for the
    # rounding of the product, which can move a score lying within an ulp of an
    # edge by one bin; one comparison with each neighbouring edge puts it back, so
    # the result is the bisection's exactly, in O(1) per score
    index = xp.clip(xp.astype(xp.floor(score * n_bins), int_dtype), 0, n_bins)
    index = xp.where(score < xp.take(edges, index), index - 1, index)
    following = xp.take(edges, xp.clip(index + 1, 0, n_bins))
    return xp.where((index < n_bins) & (score >= following), index + 1, index)


class StreamingScores(StreamingMetric):
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
    >>> from balancekit.metrics import StreamingScores, roc_auc_score
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
            n_bins = check_int(n_bins, "n_bins")
            edges = np.arange(n_bins + 1) / n_bins
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
        >>> from balancekit.metrics import StreamingScores
        >>> metric = StreamingScores(n_bins=4).update([0, 1, 1], [0.1, 0.5, 1.0])
        >>> metric.histogram()
        array([[1, 0, 0, 0, 0],
               [0, 0, 1, 0, 1]])

        Dask collections are binned partition by partition on the cluster and the
        histograms merged by a tree reduction; only the O(n_bins) histograms reach
        the client, where the state is kept in NumPy.
        """
        if has_dask((y_true, y_score, sample_weight)):
            from balancekit.dask._ranking import update_streaming_scores

            return update_streaming_scores(self, y_true, y_score, sample_weight)
        return add_binned_batch(
            self, y_true, y_score, sample_weight, {"y_true": "biu", "y_score": "f"}
        )

    def _histograms(
        self, batch: dict[str, Any], xp: Namespace, device: Device
    ) -> tuple[Array, Array | None]:
        """The batch's (counts, weighted sums or None), of shape (2, n_thresholds)."""
        y_true = check_target(batch["y_true"], xp)
        y_score = check_score(batch["y_score"], xp)
        n_samples = check_same_length("y_true", y_true, "y_score", y_score)
        weights = check_weights(batch["sample_weight"], n_samples, xp, device)
        classes = present_classes(y_true, xp)
        if not is_binary(classes):
            raise ValueError(
                f"`y_true` takes more than two values {describe(classes)}; "
                "StreamingScores scores a binary target (``pos_label`` against the "
                "rest needs labels mapped to {0, 1} first)."
            )
        target = binary_target(y_true, xp, pos_label=self.pos_label, classes=classes)
        dtype = widest_float_dtype(xp, device)
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
        index = self.bin_index(score, edges, xp, int_dtype)
        joint = xp.astype(target.is_positive, int_dtype) * n_edges + index
        counts = xp.reshape(bincount(joint, 2 * n_edges, None, xp), self._shape)
        if weights is None:
            return counts, None
        summed = xp.reshape(bincount(joint, 2 * n_edges, weights, xp), self._shape)
        return counts, summed

    def bin_index(
        self, score: Array, edges: Array, xp: Namespace, int_dtype: Any
    ) -> Array:
        """The bin of each score (see :func:`bin_index`), on the scores' device."""
        return bin_index(score, edges, self.thresholds, xp, int_dtype)

    def histogram(self) -> Any:
        """The accumulated (weighted) counts: row 0 negatives, row 1 positives.

        Returns
        -------
        array of shape (2, n_thresholds)
            Column ``k`` counts the scores in ``[thresholds[k], thresholds[k + 1])``;
            int64 counts, or float sums once a batch had weights.

        Examples
        --------
        >>> from balancekit.metrics import StreamingScores
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
        dtype = widest_float_dtype(xp, device)
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
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
        >>> from balancekit.metrics import StreamingScores
        >>> metric = StreamingScores(n_bins=2).update([0, 1, 1], [0.1, 0.2, 0.9])
        >>> float(metric.roc_auc_error_bound())
        0.25
        """
        xp, device = self._require_state()
        histogram = xp.astype(self.histogram(), widest_float_dtype(xp, device))
        negatives, positives = histogram[0, :], histogram[1, :]
        total = xp.sum(negatives) * xp.sum(positives)
        safe = xp.where(total == 0, xp.ones_like(total), total)
        bound = xp.sum(negatives * positives) / (2 * safe)
        return xp.where(total == 0, xp.full_like(bound, math.nan), bound)
