"""Watch the minority class while a model trains: per-class validation metrics each
epoch, and a clear warning when the model collapses to one class or keeps losing the
minority class.

:class:`MinorityMonitor` is the framework-neutral core: it accumulates one epoch of
validation predictions in the streaming metrics of ``balancekit.metrics`` (a
:class:`~balancekit.metrics.StreamingConfusionMatrix` for recall and precision, a
:class:`~balancekit.metrics.StreamingMultilabelScores` of the one-vs-rest problems
for the average precision, i.e. the PR-AUC, of each class), on the device of the
predictions. ``end_epoch`` turns them into a record of plain Python numbers. The
adapters drive it: ``balancekit.torch.monitor_epoch`` (a hand-written PyTorch loop),
``balancekit.torch.lightning.MinorityMonitorCallback`` (Lightning) and
``balancekit.tensorflow.MinorityMonitorCallback`` (Keras).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from balancekit._array_api import get_namespace_and_device, index_dtype, to_host
from balancekit._params import check_bool, check_int, check_scalar
from balancekit._typing import Array, Namespace
from balancekit._warnings import user_stacklevel
from balancekit.metrics import StreamingConfusionMatrix, StreamingMultilabelScores

__all__ = ["MinorityMonitor", "TrainingCollapseWarning"]

_ADVICE = (
    "Try class weights (balancekit.weighting.compute_class_weight) or a "
    "class-balanced loss (e.g. balancekit.torch.LogitAdjustedLoss), balanced "
    "batches (balancekit.torch.BalancedSampler, balancekit.tensorflow.rebalance), "
    "or a lower decision threshold for the minority class."
)


class TrainingCollapseWarning(UserWarning):
    """The model is losing a class: its validation predictions collapsed to one
    class, or the minority class's recall kept falling.

    Issued by :class:`~balancekit.diagnostics.MinorityMonitor` (and the training
    callbacks built on it). Turn it into an error to stop a run early:
    ``warnings.simplefilter("error", TrainingCollapseWarning)``.

    Examples
    --------
    >>> from balancekit.diagnostics import TrainingCollapseWarning
    >>> issubclass(TrainingCollapseWarning, UserWarning)
    True
    """


class MinorityMonitor:
    """Per-class recall, precision and PR-AUC of a validation set, epoch by epoch,
    with warnings when the model collapses to one class or loses the minority.

    Call :meth:`update` with every validation batch, then :meth:`end_epoch`: it
    computes the epoch's record (see :meth:`end_epoch`), appends it to
    ``history_``, starts the next epoch and warns with a
    :class:`TrainingCollapseWarning` when

    (a) **collapse**: at least ``collapse_share`` of the epoch's predictions are one
        class while the validation labels hold another class;
    (b) **falling minority recall**: the recall of the minority class fell from
        each epoch to the next ``patience`` times in a row.

    The metrics are the streaming metrics of ``balancekit.metrics``, updated on the
    device of the scores (one bincount per batch); only O(n_classes) values reach
    the host, at ``end_epoch``.

    Parameters
    ----------
    n_classes : int
        The number of classes (at least 2). Labels are the class indices
        ``0 .. n_classes - 1``, the columns of the scores.
    from_logits : bool, default=False
        Whether the scores are logits (softmax over the columns, or a sigmoid for
        1-D binary scores, is applied on their device) rather than probabilities.
    threshold : float in (0, 1), default=None
        Binary problems only: the predicted class is 1 where the probability of
        class 1 is at least ``threshold`` (0.5 by default). With more classes the
        prediction is the column of the largest score.
    minority : int, default=None
        The class whose recall is followed; default the class with the fewest
        validation labels in each epoch (the lowest index among ties).
    collapse_share : float in (0.5, 1], default=0.99
        The share of the predictions in one class from which the model counts as
        collapsed.
    patience : int, default=3
        The number of consecutive falls of the minority recall that triggers the
        warning (it then counts again from 0).
    zero_division : float, default=0.0
        Recall of a class absent from the validation labels, precision of a class
        never predicted (scikit-learn's ``zero_division``, without its warning;
        ``numpy.nan`` allowed).
    n_bins : int, default=1000
        The score bins of the PR-AUC (see
        :class:`~balancekit.metrics.StreamingMultilabelScores`): exact for scores
        on the grid ``k / n_bins``, otherwise within the change of precision inside
        a bin (below ``1e-3`` in practice).

    Attributes
    ----------
    history_ : list of dict
        One record per finished epoch, as returned by :meth:`end_epoch`.
    confusion : StreamingConfusionMatrix
        The current epoch's confusion matrix (``labels=range(n_classes)``).
    scores : StreamingMultilabelScores
        The current epoch's one-vs-rest score histograms. Distributed adapters sum
        both over the ranks (``balancekit.torch.all_reduce_``) before ``end_epoch``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from balancekit.diagnostics import MinorityMonitor, TrainingCollapseWarning
    >>> y_val = np.array([0] * 95 + [1] * 5)
    >>> monitor = MinorityMonitor(n_classes=2)
    >>> always_majority = np.tile([0.9, 0.1], (100, 1))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     record = monitor.update(y_val, always_majority).end_epoch()
    >>> record["recall"], record["prediction_share"]
    ([1.0, 0.0], [1.0, 0.0])
    >>> caught[0].category is TrainingCollapseWarning
    True
    >>> record["collapsed_to"], monitor.scalars()["val_recall_class1"]
    (0, 0.0)
    """

    def __init__(
        self,
        n_classes: int,
        *,
        from_logits: bool = False,
        threshold: float | None = None,
        minority: int | None = None,
        collapse_share: float = 0.99,
        patience: int = 3,
        zero_division: float = 0.0,
        n_bins: int = 1000,
    ) -> None:
        self.n_classes = check_int(n_classes, "n_classes", low=2)
        self.from_logits = check_bool(from_logits, "from_logits")
        if threshold is not None:
            if self.n_classes != 2:
                raise ValueError(
                    "`threshold` applies to binary problems (n_classes=2) only; got "
                    f"n_classes={self.n_classes}. With more classes the prediction "
                    "is the column of the largest score."
                )
            threshold = check_scalar(
                threshold, "threshold", low=0, high=1, low_open=True, high_open=True
            )
        self.threshold = threshold
        self.minority = check_int(
            minority, "minority", low=0, high=self.n_classes - 1, allow_none=True
        )
        self.collapse_share = check_scalar(
            collapse_share, "collapse_share", low=0.5, high=1, low_open=True
        )
        self.patience = check_int(patience, "patience", low=1)
        if isinstance(zero_division, bool) or not isinstance(
            zero_division, int | float
        ):
            raise TypeError(
                "`zero_division` must be a number (0.0, 1.0 or numpy.nan); got "
                f"{type(zero_division).__name__}."
            )
        if not (math.isnan(zero_division) or 0 <= zero_division <= 1):
            raise ValueError(
                f"`zero_division` must be in [0, 1] or NaN; got {zero_division}."
            )
        self.zero_division = float(zero_division)
        self.n_bins = check_int(n_bins, "n_bins", low=1)
        classes = list(range(self.n_classes))
        self.confusion = StreamingConfusionMatrix(classes)
        self.scores = StreamingMultilabelScores(self.n_classes, n_bins=self.n_bins)
        self.history_: list[dict[str, Any]] = []
        self._falls = 0

    # ------------------------------------------------------------------ updates

    def update(self, y_true: Any, scores: Any) -> MinorityMonitor:
        """Add one validation batch.

        Parameters
        ----------
        y_true : array of shape (n_samples,)
            Integer class labels in ``[0, n_classes)`` (NumPy, PyTorch, any array
            API library), in the library and on the device of ``scores``.
        scores : array of shape (n_samples, n_classes) or (n_samples,)
            Class probabilities (rows summing to 1), or logits with
            ``from_logits=True``; for ``n_classes=2`` also the 1-D probability (or
            logit) of class 1.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For scores of the wrong shape, non-finite scores, probabilities outside
            [0, 1], labels outside ``[0, n_classes)`` or mismatched lengths.
        TypeError
            For labels and scores from different libraries, or non-float scores.

        Examples
        --------
        >>> from balancekit.diagnostics import MinorityMonitor
        >>> monitor = MinorityMonitor(3).update([0, 2], [[0.7, 0.2, 0.1],
        ...                                               [0.1, 0.3, 0.6]])
        >>> monitor.confusion.compute().tolist()
        [[1, 0, 0], [0, 0, 0], [0, 0, 1]]
        """
        xp, device = get_namespace_and_device(y_true=y_true, scores=scores)
        y_true, probabilities = xp.asarray(y_true), xp.asarray(scores)
        if xp.isdtype(y_true.dtype, "bool"):  # False / True: classes 0 and 1
            y_true = xp.astype(y_true, index_dtype(xp, device))
        probabilities = self._probabilities(probabilities, y_true, xp)
        n_classes = self.n_classes
        if self.n_classes == 2:
            cut = 0.5 if self.threshold is None else self.threshold
            y_pred = xp.astype(probabilities[:, 1] >= cut, y_true.dtype)
        else:
            y_pred = xp.astype(xp.argmax(probabilities, axis=1), y_true.dtype)
        # validates the labels (1-D integers, same length as the scores)
        self.confusion.update(y_true, y_pred)
        columns = xp.arange(n_classes, dtype=y_true.dtype, device=device)
        indicator = xp.reshape(y_true, (-1, 1)) == xp.reshape(columns, (1, -1))
        self.scores.update(indicator, probabilities)
        return self

    def _label_range_error(self, y_true: Array, xp: Namespace) -> ValueError:
        """The error of labels outside ``[0, n_classes)`` (read on the error path)."""
        low, high = float(xp.min(y_true)), float(xp.max(y_true))
        return ValueError(
            f"`y_true` must hold class indices in [0, {self.n_classes - 1}], the "
            f"columns of `scores`; got labels from {low:g} to {high:g}. Encode "
            "the labels as 0 .. n_classes - 1 first (e.g. with "
            "sklearn.preprocessing.LabelEncoder)."
        )

    def _probabilities(self, scores: Array, y_true: Array, xp: Namespace) -> Array:
        """``(n_samples, n_classes)`` probabilities from the given scores.

        The scores' values and the labels' range are checked with one host read
        (this runs for every validation batch)."""
        if not xp.isdtype(scores.dtype, "real floating"):
            raise TypeError(
                "`scores` must hold floats (probabilities or logits); got dtype "
                f"{scores.dtype}."
            )
        shape = tuple(int(size) for size in scores.shape)
        binary_1d = len(shape) == 1 and self.n_classes == 2
        if not binary_1d and (len(shape) != 2 or shape[1] != self.n_classes):
            expected = (
                "(n_samples, 2) or (n_samples,)"
                if self.n_classes == 2
                else (f"(n_samples, {self.n_classes})")
            )
            raise ValueError(
                f"`scores` must have shape {expected}, one column per class; got "
                f"shape {shape}."
            )
        # float rounding of a softmax may overshoot [0, 1] by an ulp or so
        tolerance = 1e-6
        flags = [
            xp.all(xp.isfinite(scores)),
            xp.all((scores >= -tolerance) & (scores <= 1 + tolerance)),
            xp.any((y_true < 0) | (y_true >= self.n_classes)),
        ]
        finite, inside, outside = to_host(xp.stack(flags), xp).tolist()
        if not finite:
            raise ValueError(
                "`scores` holds NaN or infinite values: the model's outputs are not "
                "finite (did the training diverge?)."
            )
        if self.from_logits:
            if binary_1d:
                scores = 1 / (1 + xp.exp(-scores))
            else:
                shifted = scores - xp.max(scores, axis=1, keepdims=True)
                exp = xp.exp(shifted)
                scores = exp / xp.sum(exp, axis=1, keepdims=True)
        else:
            if not inside:
                raise ValueError(
                    "`scores` has values outside [0, 1]: pass probabilities, or "
                    "logits with from_logits=True."
                )
            scores = xp.clip(scores, 0, 1)
        if outside:
            raise self._label_range_error(y_true, xp)
        if binary_1d:
            scores = xp.stack([1 - scores, scores], axis=1)
        return scores

    def reset(self) -> MinorityMonitor:
        """Forget the current epoch's batches (the history is kept).

        Examples
        --------
        >>> from balancekit.diagnostics import MinorityMonitor
        >>> monitor = MinorityMonitor(2).update([0, 1], [0.2, 0.9])
        >>> monitor.reset().confusion.is_empty
        True
        """
        self.confusion.reset()
        self.scores.reset()
        return self

    # ------------------------------------------------------------------ epochs

    def end_epoch(self, *, emit_warnings: bool = True) -> dict[str, Any]:
        """Compute the epoch's record, append it to ``history_``, warn if needed and
        start a new epoch.

        Parameters
        ----------
        emit_warnings : bool, default=True
            Issue the :class:`TrainingCollapseWarning` (the messages are in the
            record either way); distributed adapters pass False on all ranks but 0.

        Returns
        -------
        dict
            Plain Python values: ``epoch`` (0, 1, ... per record), ``n_samples``,
            and per class (lists indexed by class) ``support`` (validation
            labels), ``recall``, ``precision``, ``average_precision`` (PR-AUC; NaN
            for a class absent from the labels) and ``prediction_share``; then
            ``balanced_accuracy``, ``minority`` (the followed class),
            ``minority_recall_falls`` (consecutive falls so far), ``collapsed_to``
            (the class of a collapse, else None) and ``warnings`` (messages).

        Raises
        ------
        ValueError
            When no batch was added since the last epoch.

        Examples
        --------
        >>> from balancekit.diagnostics import MinorityMonitor
        >>> monitor = MinorityMonitor(2).update([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.8])
        >>> record = monitor.end_epoch()
        >>> record["recall"], record["precision"], record["average_precision"]
        ([0.5, 0.5], [0.5, 0.5], [0.8333333333333333, 0.8333333333333333])
        >>> len(monitor.history_)
        1
        """
        emit = check_bool(emit_warnings, "emit_warnings")
        if self.confusion.is_empty:
            raise ValueError(
                "No validation batch since the last end_epoch(): call update() with "
                "the epoch's validation predictions first."
            )
        record = self._record()
        self.history_.append(record)
        self.reset()
        if emit:
            for message in record["warnings"]:
                warnings.warn(
                    message, TrainingCollapseWarning, stacklevel=user_stacklevel()
                )
        return record

    def _record(self) -> dict[str, Any]:
        xp = self.confusion._xp
        assert xp is not None
        matrix = to_host(self.confusion.compute(), xp)
        support = [int(v) for v in matrix.sum(axis=1)]
        predicted = matrix.sum(axis=0)
        n_samples = int(matrix.sum())
        labels = list(range(self.n_classes))
        kwargs = {
            "average": None,
            "labels": labels,
            "zero_division": self.zero_division,
        }
        with warnings.catch_warnings():
            # absent classes get NaN (PR-AUC) or zero_division below, rather than
            # a warning of the functional metrics every epoch
            warnings.filterwarnings("ignore", message="No positive class found")
            warnings.filterwarnings("ignore", message="y_pred contains classes not")
            recall = _floats(self.confusion.recall_score(**kwargs), xp)
            precision = _floats(self.confusion.precision_score(**kwargs), xp)
            ap = _floats(self.scores.average_precision_score(average=None), xp)
            balanced = _floats(self.confusion.balanced_accuracy_score(), xp)[0]
        ap = [v if n > 0 else math.nan for v, n in zip(ap, support, strict=True)]
        present = [c for c in labels if support[c] > 0]
        minority = self.minority
        if minority is None:
            minority = min(present, key=lambda c: (support[c], c))
        record: dict[str, Any] = {
            "epoch": len(self.history_),
            "n_samples": n_samples,
            "support": support,
            "recall": recall,
            "precision": precision,
            "average_precision": ap,
            "prediction_share": [float(v) / n_samples for v in predicted],
            "balanced_accuracy": balanced,
            "minority": minority,
        }
        messages = []
        top = max(labels, key=lambda c: (predicted[c], -c))
        share = record["prediction_share"][top]
        others = [c for c in present if c != top]
        record["collapsed_to"] = None
        if share >= self.collapse_share and others:
            record["collapsed_to"] = top
            messages.append(self._collapse_message(record, top, others))
        self._count_falls(record)
        record["minority_recall_falls"] = self._falls
        if self._falls >= self.patience:
            messages.append(self._falls_message(record))
            self._falls = 0
        record["warnings"] = messages
        return record

    def _count_falls(self, record: dict[str, Any]) -> None:
        minority = record["minority"]
        previous = self.history_[-1] if self.history_ else None
        if previous is None or previous["minority"] != minority:
            self._falls = 0
            return
        before, now = previous["recall"][minority], record["recall"][minority]
        self._falls = self._falls + 1 if now < before else 0

    def _collapse_message(
        self, record: dict[str, Any], top: int, others: list[int]
    ) -> str:
        support, recall = record["support"], record["recall"]
        lost = ", ".join(f"class {c}: {recall[c]:.3f}" for c in others)
        counts = ", ".join(f"{c}: {n}" for c, n in enumerate(support) if n)
        return (
            f"Epoch {record['epoch']}: the model predicts class {top} for "
            f"{record['prediction_share'][top]:.1%} of the {record['n_samples']} "
            f"validation samples (labels per class {{{counts}}}); recall of the "
            f"other classes: {lost}. It has collapsed to one class. {_ADVICE}"
        )

    def _falls_message(self, record: dict[str, Any]) -> str:
        minority = record["minority"]
        steps = [r["recall"][minority] for r in self.history_[-self.patience :]]
        path = " -> ".join(f"{v:.3f}" for v in [*steps, record["recall"][minority]])
        return (
            f"Epoch {record['epoch']}: the recall of the minority class {minority} "
            f"fell {self.patience} epochs in a row ({path}); the model is trading "
            "the minority class for the others. Consider stopping on it (e.g. "
            f"early stopping on 'val_recall_class{minority}'). {_ADVICE}"
        )

    # ------------------------------------------------------------------ output

    def scalars(
        self, record: dict[str, Any] | None = None, *, prefix: str = "val_"
    ) -> dict[str, float]:
        """A record as flat ``{name: float}`` values for a logger.

        Parameters
        ----------
        record : dict, default=None
            A record of :meth:`end_epoch`; default the last one.
        prefix : str, default="val_"
            Put in front of every name.

        Returns
        -------
        dict
            ``{prefix}recall_class{c}``, ``{prefix}precision_class{c}``,
            ``{prefix}average_precision_class{c}`` and
            ``{prefix}prediction_share_class{c}`` for every class ``c``, and
            ``{prefix}balanced_accuracy``.

        Examples
        --------
        >>> from balancekit.diagnostics import MinorityMonitor
        >>> monitor = MinorityMonitor(2).update([0, 1], [0.2, 0.9])
        >>> _ = monitor.end_epoch()
        >>> monitor.scalars()["val_recall_class1"]
        1.0
        """
        if not isinstance(prefix, str):
            raise TypeError(f"`prefix` must be a str; got {type(prefix).__name__}.")
        if record is None:
            if not self.history_:
                raise ValueError("No record yet: call end_epoch() first.")
            record = self.history_[-1]
        values = {}
        for key in ("recall", "precision", "average_precision", "prediction_share"):
            for c, value in enumerate(record[key]):
                values[f"{prefix}{key}_class{c}"] = float(value)
        values[f"{prefix}balanced_accuracy"] = float(record["balanced_accuracy"])
        return values

    def __repr__(self) -> str:
        return (
            f"MinorityMonitor(n_classes={self.n_classes}, epochs={len(self.history_)})"
        )


def _floats(values: Any, xp: Namespace) -> list[float]:
    """An O(n_classes) result of the metrics as a list of Python floats."""
    host = to_host(xp.asarray(values), xp)
    return [float(v) for v in host.reshape(-1)]
