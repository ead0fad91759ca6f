"""The decision wrappers of the bench's decision strategies, as picklable factories.

Each is a small frozen dataclass called as ``(estimator, seed) -> estimator``: it wraps
a strategy's whole pipeline in a :mod:`balancekit.decisions` estimator seeded with the
run's seed. Being module-level and comparable, the default decision strategies cross
to worker processes by name, like every default strategy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PriorCorrection", "TemperatureScaling", "ThresholdTuning"]


@dataclass(frozen=True)
class ThresholdTuning:
    """``(estimator, seed) -> TunedDecision``: a decision rule tuned by stratified
    ``cv``-fold cross-validation on the training rows (the folds seeded by the run's
    seed). ``metric=None`` is F1 of the positive class on binary data and macro F1
    with more classes (``TunedDecision``'s default). Module-level and comparable, so
    default strategies cross to workers by name.

    Examples
    --------
    >>> ThresholdTuning("precision", ("recall", 0.9))
    ThresholdTuning(metric='precision', constraint=('recall', 0.9), cv=5)
    """

    metric: str | None = None
    constraint: tuple[str, float] | None = None
    cv: int = 5

    def __call__(self, estimator: Any, seed: int) -> Any:
        from balancekit.decisions import TunedDecision

        return TunedDecision(
            estimator,
            metric=self.metric,
            constraint=self.constraint,
            cv=self.cv,
            random_state=seed,
        )


@dataclass(frozen=True)
class PriorCorrection:
    """``(estimator, seed) -> PriorCorrected``: Bayes correction of the probabilities
    from the prior the model was fitted on to ``target_prior`` (None: the training
    data's prior; ``"uniform"``: post-hoc logit adjustment).

    Examples
    --------
    >>> PriorCorrection("uniform")
    PriorCorrection(target_prior='uniform')
    """

    target_prior: str | None = None

    def __call__(self, estimator: Any, seed: int) -> Any:
        from balancekit.decisions import PriorCorrected

        return PriorCorrected(estimator, target_prior=self.target_prior)


@dataclass(frozen=True)
class TemperatureScaling:
    """``(estimator, seed) -> TemperatureScaled``: one temperature fitted on
    out-of-fold probabilities of the training rows (stratified ``cv`` folds seeded
    by the run's seed).

    Examples
    --------
    >>> TemperatureScaling()
    TemperatureScaling(cv=5)
    """

    cv: int = 5

    def __call__(self, estimator: Any, seed: int) -> Any:
        from balancekit.decisions import TemperatureScaled

        return TemperatureScaled(estimator, cv=self.cv, random_state=seed)
