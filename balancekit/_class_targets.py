"""How many samples of each class one epoch of a data-loading sampler draws.

Pure Python on O(n_classes) numbers, shared by the PyTorch samplers and the tf.data
transforms. A strategy is either one of imbalanced-learn's ``sampling_strategy`` forms
(resolved by :func:`balancekit._sampling_strategy.resolve_sampling_strategy` in
over- or under-sampling semantics) or a target distribution: ``"balanced"``,
``"sqrt"``, a dict ``{class: probability}`` or a :class:`ProgressiveSchedule`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np

from balancekit._params import check_int
from balancekit._sampling_strategy import (
    STRATEGY_NAMES,
    SamplingType,
    resolve_sampling_strategy,
    unknown_name_message,
)

__all__ = [
    "DISTRIBUTION_NAMES",
    "ProgressiveSchedule",
    "SamplingMode",
    "check_mode",
    "epoch_class_counts",
    "largest_remainder",
]

SamplingMode = Literal["over", "under"]
DISTRIBUTION_NAMES: tuple[str, ...] = ("balanced", "sqrt")
_PROBABILITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ProgressiveSchedule:
    """Move the sampling distribution from the natural one to the balanced one.

    At epoch ``e`` class ``c`` is drawn with probability proportional to
    ``n_c ** q_e``, where ``n_c`` is its count and the exponent falls linearly from
    ``q = 1`` (the natural distribution) at ``start_epoch`` to ``q = 0`` (balanced)
    ``n_epochs`` epochs later, and stays 0 after. Halfway, ``q = 0.5`` is the
    ``"sqrt"`` distribution.

    Parameters
    ----------
    n_epochs : int
        Epochs from natural to balanced, >= 1.
    start_epoch : int, default=0
        The last epoch that draws the natural distribution.

    Examples
    --------
    >>> schedule = ProgressiveSchedule(n_epochs=4)
    >>> [schedule.exponent(epoch) for epoch in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """

    n_epochs: int
    start_epoch: int = 0

    def __post_init__(self) -> None:
        check_int(self.n_epochs, "n_epochs", low=1)
        check_int(self.start_epoch, "start_epoch", low=0)

    def exponent(self, epoch: int) -> float:
        """The exponent ``q`` of the class counts at ``epoch``."""
        progress = (epoch - self.start_epoch) / self.n_epochs
        return 1.0 - min(max(progress, 0.0), 1.0)


def check_mode(mode: Any) -> SamplingMode:
    """``mode`` as ``"over"`` or ``"under"``."""
    if mode not in ("over", "under"):
        raise ValueError(
            "`mode` must be 'over' (imbalanced-learn's over-sampling semantics: grow "
            f"classes) or 'under' (shrink classes); got {mode!r}."
        )
    return mode


def largest_remainder(probabilities: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to ``total``, proportional to ``probabilities``.

    Each class gets the floor of its share; the rest goes one by one to the largest
    fractional parts (ties to the lower index).

    Examples
    --------
    >>> largest_remainder(np.array([0.5, 0.25, 0.25]), 7).tolist()
    [3, 2, 2]
    """
    shares = probabilities * total
    counts = np.floor(shares).astype(np.int64)
    remainder = int(total - counts.sum())
    order = np.argsort(-(shares - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _is_distribution(strategy: Any) -> bool:
    if isinstance(strategy, ProgressiveSchedule):
        return True
    if isinstance(strategy, str):
        return strategy in DISTRIBUTION_NAMES
    if isinstance(strategy, Mapping) and strategy:
        values = list(strategy.values())
        return all(isinstance(v, Real) for v in values) and any(
            not isinstance(v, Integral) for v in values
        )
    return False


def _distribution(
    strategy: Any, classes: list[Hashable], counts: np.ndarray, epoch: int
) -> np.ndarray:
    """Class probabilities of a distribution-form strategy, aligned with ``classes``."""
    if isinstance(strategy, ProgressiveSchedule):
        weights = counts.astype(np.float64) ** strategy.exponent(epoch)
        return weights / weights.sum()
    if strategy == "balanced":
        return np.full(len(classes), 1.0 / len(classes))
    if strategy == "sqrt":
        weights = np.sqrt(counts.astype(np.float64))
        return weights / weights.sum()
    unknown = [c for c in strategy if c not in classes]
    if unknown:
        raise ValueError(
            f"`sampling_strategy` asks for classes {unknown} that have no samples in "
            f"the labels (classes present: {classes}). Remove them or check the labels."
        )
    probabilities = np.array([float(strategy.get(c, 0.0)) for c in classes])
    if not (np.all(np.isfinite(probabilities)) and np.all(probabilities >= 0)):
        raise ValueError(
            "`sampling_strategy` as a distribution must hold probabilities >= 0; got "
            f"{dict(strategy)}."
        )
    if abs(probabilities.sum() - 1.0) > _PROBABILITY_TOLERANCE:
        raise ValueError(
            "`sampling_strategy` as a distribution {class: probability} must sum to 1; "
            f"got a sum of {probabilities.sum():.6g}. (Integer values are read as "
            "imbalanced-learn's {class: n_samples} counts.)"
        )
    return probabilities / probabilities.sum()


def _resolved_counts(
    strategy: Any,
    class_counts: Mapping[Hashable, int],
    mode: SamplingMode,
    labels: Any,
) -> np.ndarray:
    """Per-class counts after imbalanced-learn's resolution of ``strategy``."""
    sampling_type: SamplingType = (
        "over-sampling" if mode == "over" else "under-sampling"
    )
    resolved = resolve_sampling_strategy(
        strategy, class_counts, sampling_type, y=labels
    )
    after = dict(class_counts)
    for cls, n in resolved.items():
        after[cls] = class_counts[cls] + n if mode == "over" else n
    return np.array([after[c] for c in class_counts], dtype=np.int64)


def epoch_class_counts(
    sampling_strategy: str | float | dict | Callable[..., dict] | ProgressiveSchedule,
    class_counts: Mapping[Any, int],
    *,
    mode: SamplingMode = "over",
    num_samples: int | None = None,
    epoch: int = 0,
    labels: Any = None,
) -> np.ndarray:
    """The number of samples of each class to draw in one epoch.

    Parameters
    ----------
    sampling_strategy : str, float, dict, callable or ProgressiveSchedule
        imbalanced-learn's forms (``"auto"``, ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"``, ``"majority"``, a float ratio, a dict
        ``{class: n_samples}`` of ints, a callable) resolved in ``mode``'s
        semantics; or a distribution: ``"balanced"``, ``"sqrt"`` (probabilities
        proportional to the square roots of the counts), a dict ``{class:
        probability}`` of floats summing to 1 (classes left out are not drawn), or a
        :class:`ProgressiveSchedule`.
    class_counts : mapping
        ``{class: count}`` of every class in the labels, in sorted class order.
    mode : {"over", "under"}, default="over"
        The semantics of imbalanced-learn's forms: ``"over"`` grows classes as an
        over-sampler would (``"auto"``: every class to the majority count),
        ``"under"`` shrinks them as an under-sampler would (``"auto"``: every class
        to the minority count).
    num_samples : int or None, default=None
        Samples per epoch. Default: the total of the resolved counts for
        imbalanced-learn's forms, the number of labels for a distribution. Given, the
        epoch draws this many in the proportions of the strategy (largest-remainder
        rounding).
    epoch : int, default=0
        The epoch, for a :class:`ProgressiveSchedule`.
    labels : array or None, default=None
        The labels, passed to a callable strategy.

    Returns
    -------
    numpy.ndarray of int64, shape (n_classes,)
        Samples to draw from each class, aligned with ``class_counts``.

    Examples
    --------
    >>> epoch_class_counts("auto", {0: 90, 1: 10}).tolist()
    [90, 90]
    >>> epoch_class_counts("auto", {0: 90, 1: 10}, mode="under").tolist()
    [10, 10]
    >>> epoch_class_counts("sqrt", {0: 90, 1: 10}).tolist()
    [75, 25]
    """
    mode = check_mode(mode)
    classes = list(class_counts)
    counts = np.array([class_counts[c] for c in classes], dtype=np.int64)
    if isinstance(sampling_strategy, str) and not (
        sampling_strategy in DISTRIBUTION_NAMES or sampling_strategy in STRATEGY_NAMES
    ):
        raise ValueError(
            unknown_name_message(sampling_strategy, DISTRIBUTION_NAMES + STRATEGY_NAMES)
        )
    if _is_distribution(sampling_strategy):
        if len(classes) < 1:
            raise ValueError("`labels` hold no class to draw from.")
        probabilities = _distribution(sampling_strategy, classes, counts, epoch)
        total = int(counts.sum()) if num_samples is None else num_samples
        return largest_remainder(probabilities, total)
    if isinstance(sampling_strategy, Mapping) and not all(
        isinstance(v, Integral) for v in sampling_strategy.values()
    ):
        raise TypeError(
            "`sampling_strategy` as a dict must map classes to ints "
            "(imbalanced-learn's {class: n_samples}) or to floats summing to 1 (a "
            "distribution); got "
            f"{dict(sampling_strategy)}."
        )
    after = _resolved_counts(sampling_strategy, class_counts, mode, labels)
    if num_samples is None:
        return after
    if after.sum() == 0:
        raise ValueError("`sampling_strategy` leaves no sample to draw.")
    return largest_remainder(after / after.sum(), num_samples)


def check_positive_int(value: Any, name: str, *, allow_none: bool = False) -> Any:
    """``value`` as an int >= 1 (or None when allowed)."""
    return check_int(value, name, low=1, allow_none=allow_none)
