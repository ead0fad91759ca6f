"""The state the streaming metrics share: counts (and weight sums) on one device.

:class:`Accumulator` holds unweighted counts (index dtype) and, once a batch brought
``sample_weight``, weighted sums (float) of the same shape. The array namespace and
device are read off the counts whenever they are needed, never stored: a module on
the instance would make it unpicklable (``pickle``, ``joblib``, ``torch.save``).
``state_dict`` / ``load_state_dict`` give the state as plain values and arrays of the
batches' namespace, as ``torch.nn.Module`` and torchmetrics do.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from balancekit._array_api import (
    get_namespace_and_device,
    index_dtype,
    is_numpy_namespace,
)
from balancekit._array_api import widest_float_dtype as float_dtype

__all__ = ["Accumulator"]

_STATE_KEYS = ("kind", "fingerprint", "counts", "weights", "integer_weights")


class Accumulator:
    """State shared by the streaming metrics.

    ``_counts`` is None before the first update; ``_weights`` is None while every
    batch was unweighted (the weights are then the counts).
    """

    _shape: tuple[int, ...]

    def __init__(self) -> None:
        self._counts: Any = None
        self._weights: Any = None
        self._integer_weights = True

    # ------------------------------------------------------------------ placement

    @property
    def _xp(self) -> ModuleType | None:
        """The namespace of the accumulated arrays (None while empty)."""
        return None if self._counts is None else self._placement()[0]

    @property
    def _device(self) -> Any:
        """The device of the accumulated arrays (None while empty)."""
        return None if self._counts is None else self._placement()[1]

    def _placement(self) -> tuple[ModuleType, Any]:
        return get_namespace_and_device(counts=self._counts)

    # ------------------------------------------------------------------ state

    def reset(self) -> Accumulator:
        """Forget every update; the configuration (labels, bins) is kept.

        Returns
        -------
        self
        """
        self._counts, self._weights = None, None
        self._integer_weights = True
        return self

    @property
    def is_empty(self) -> bool:
        """Whether no batch has been added since construction or :meth:`reset`."""
        return self._counts is None

    def _fingerprint(self) -> int:
        """A 31-bit checksum of the configuration; equal configurations agree."""
        raise NotImplementedError

    def _extra_state(self) -> dict[str, Any]:
        """Subclass state beyond the counts, as plain values."""
        return {}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`_extra_state` gave."""

    def state_dict(self) -> dict[str, Any]:
        """The accumulated state, to save and restore with :meth:`load_state_dict`.

        Returns
        -------
        dict
            Plain Python values and the accumulated arrays, in the namespace and on
            the device of the batches (tensors for PyTorch batches, so that
            ``torch.save`` / ``torch.load(weights_only=True)`` take it); a
            fingerprint of the configuration (labels or bins) guards the load.

        Examples
        --------
        >>> from balancekit.metrics import StreamingConfusionMatrix
        >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1, 1], [0, 1, 0])
        >>> restored = StreamingConfusionMatrix([0, 1])
        >>> restored.load_state_dict(metric.state_dict())
        >>> restored.compute()
        array([[1, 0],
               [1, 1]])
        """
        return {
            "kind": type(self).__name__,
            "fingerprint": self._fingerprint(),
            "counts": self._counts,
            "weights": self._weights,
            "integer_weights": bool(self._integer_weights),
            **self._extra_state(),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Replace the accumulated state by one from :meth:`state_dict`.

        Parameters
        ----------
        state_dict : dict
            The state of a metric of the same class built with the same arguments.

        Raises
        ------
        ValueError
            When the state comes from another kind of metric or configuration, or
            its arrays do not have this metric's shape.
        """
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"`state_dict` must be the dict {name}.state_dict() returned; got "
                f"{type(state_dict).__name__}."
            )
        missing = [key for key in _STATE_KEYS if key not in state_dict]
        if missing:
            raise ValueError(
                f"`state_dict` is not a {name} state: it lacks {missing}. Pass what "
                f"{name}.state_dict() returned."
            )
        if state_dict["kind"] != name:
            raise ValueError(
                f"`state_dict` was saved from a {state_dict['kind']}, not a {name}."
            )
        if state_dict["fingerprint"] != self._fingerprint():
            raise ValueError(
                f"`state_dict` was saved from a {name} with other arguments (labels, "
                "bins or pos_label); build the metric with the same arguments first."
            )
        counts, weights = state_dict["counts"], state_dict["weights"]
        for key, array in (("counts", counts), ("weights", weights)):
            shape = None if array is None else tuple(getattr(array, "shape", ()))
            if array is not None and shape != self._shape:
                raise ValueError(
                    f"`state_dict['{key}']` has shape {shape}; this {name} "
                    f"accumulates shape {self._shape}."
                )
        if counts is None and weights is not None:
            raise ValueError("`state_dict` has weights but no counts.")
        if weights is not None:  # one namespace and device, or a clear error
            get_namespace_and_device(counts=counts, weights=weights)
        self._counts, self._weights = counts, weights
        self._integer_weights = bool(state_dict["integer_weights"])
        self._load_extra_state(state_dict)

    # ------------------------------------------------------------------ updates

    def _check_placement(self, xp: ModuleType, device: Any, name: str) -> None:
        if self._counts is None:
            return
        mine, my_device = self._placement()
        if xp is not mine or (not is_numpy_namespace(xp) and device != my_device):
            where = "NumPy" if is_numpy_namespace(mine) else repr(my_device)
            raise ValueError(
                f"`{name}` is not where the metric accumulates ({where}): every "
                "batch since the last reset() must come from the same array library "
                "and device."
            )

    def _add(
        self,
        counts: Any,
        weights: Any,
        integer_weights: bool,
        xp: ModuleType,
        device: Any,
    ) -> None:
        """Add a batch (or another instance's) state, materialising weights once
        either side has them."""
        if self._counts is None:
            self._counts, self._weights = counts, weights
            self._integer_weights = integer_weights
            return
        self._integer_weights = self._integer_weights and integer_weights
        if weights is not None or self._weights is not None:
            dtype = float_dtype(xp, device)
            mine = self._weights
            if mine is None:
                mine = xp.astype(self._counts, dtype)
            theirs = weights if weights is not None else xp.astype(counts, dtype)
            self._weights = mine + theirs
        self._counts = self._counts + counts

    def _merge_state(self, other: Accumulator) -> None:
        if type(other) is not type(self):
            raise TypeError(
                f"`other` must be a {type(self).__name__}; got {type(other).__name__}."
            )
        if other._fingerprint() != self._fingerprint():
            raise ValueError(
                "`other` has a different configuration (labels or bins); only "
                "metrics built with the same arguments can be merged."
            )
        if other._counts is None:
            return
        xp, device = other._placement()
        self._check_placement(xp, device, "other")
        self._add(other._counts, other._weights, other._integer_weights, xp, device)

    def _require_state(self) -> tuple[ModuleType, Any]:
        if self._counts is None:
            raise ValueError(
                f"This {type(self).__name__} has no samples: call update() with a "
                "batch first."
            )
        return self._placement()

    def _cells(self) -> tuple[Any, Any, Any]:
        """Flat indices of the cells that saw samples, and their weight sums."""
        xp, device = self._require_state()
        flat = xp.reshape(self._counts, (-1,))
        cells = xp.nonzero(flat > 0)[0]
        if self._weights is None:
            sums = xp.take(flat, cells)
            if not self._integer_weights:  # score histograms replay float weights
                sums = xp.astype(sums, float_dtype(xp, device))
        else:
            sums = xp.take(xp.reshape(self._weights, (-1,)), cells)
            if self._integer_weights:
                sums = xp.astype(xp.round(sums), index_dtype(xp, device))
        return cells, sums, xp
