"""Stateful metrics for evaluation loops: ``update`` per batch, ``compute`` once.

:class:`StreamingMetric` is the machinery the two families share, over
:class:`~balancekit.metrics._accumulator.Accumulator`'s state: ``reset`` and ``merge``
returning the metric, and the *replay* every score is computed from. The families:
:class:`~balancekit.metrics.StreamingConfusionMatrix` (``_stateful_labels``, one
confusion matrix over a fixed list of labels) and
:class:`~balancekit.metrics.StreamingScores` (``_stateful_scores``, binned score
histograms of a binary target). Both keep their state on the device of the first batch
(one bincount per update, no host transfer of O(n_samples) data), ``merge`` the state
of another instance, and are summed over ``torch.distributed`` ranks by
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

from typing import Any, TypeVar

from balancekit._typing import Array
from balancekit.metrics._accumulator import Accumulator

__all__ = ["StreamingMetric"]

_Metric = TypeVar("_Metric", bound="StreamingMetric")


class StreamingMetric(Accumulator):
    """The update / compute / reset / merge contract of the streaming metrics.

    Subclasses add ``update`` (count one batch), ``compute`` and the scores, and
    ``_replay`` (one sample per non-empty cell); ``_reset_extra`` and
    ``_merge_extra`` keep state beyond the counts (e.g. the label dtypes).
    """

    def reset(self: _Metric) -> _Metric:
        """Forget every update; the configuration (labels, bins) is kept.

        Returns
        -------
        self

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1], [1, 1])
        >>> metric.reset().is_empty
        True
        """
        super().reset()
        self._reset_extra()
        return self

    def merge(self: _Metric, other: _Metric) -> _Metric:
        """Add the state of ``other`` (same arguments, same device) to this one.

        Parameters
        ----------
        other : same class
            Another metric built with the same arguments (labels, or bins and
            ``pos_label``).

        Returns
        -------
        self

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> a = StreamingConfusionMatrix([0, 1]).update([0, 1], [0, 0])
        >>> b = StreamingConfusionMatrix([0, 1]).update([1], [1])
        >>> a.merge(b).compute()
        array([[1, 0],
               [1, 1]])
        """
        self._merge_state(other)
        self._merge_extra(other)
        return self

    def _reset_extra(self) -> None:
        """Forget subclass state beyond the counts."""

    def _merge_extra(self, other: StreamingMetric) -> None:
        """Take subclass state beyond the counts from ``other``."""

    def _replay(self) -> tuple[Array, Array, Array]:
        """One (label, prediction or score, weight) sample per non-empty cell."""
        raise NotImplementedError


def __getattr__(name: str) -> Any:
    """The metric classes by their pre-split path, so pickles made when they lived
    here still load (``balancekit.metrics._stateful.StreamingScores``)."""
    if name in ("StreamingConfusionMatrix", "LABEL_METRICS"):
        from balancekit.metrics import _stateful_labels

        return getattr(_stateful_labels, name)
    if name == "StreamingScores":
        from balancekit.metrics._stateful_scores import StreamingScores

        return StreamingScores
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
