"""After rebalancing: correct the probabilities and measure their calibration.

A model trained on resampled or re-weighted data gives probabilities for the training
prior, not the real one: :func:`correct_prior` applies Bayes' rule (or, for logits,
post-hoc logit adjustment) to move them to the prior of the data the model will see,
and :func:`estimate_prior` estimates that prior from unlabelled scores (EM, BBSE).
:func:`expected_calibration_error`, :func:`classwise_calibration_error` and
:func:`calibration_curve` measure calibration, :func:`fit_temperature` /
:func:`apply_temperature` rescale network logits, and
:func:`balancekit.decisions.plots.plot_reliability_diagram` draws it (matplotlib).
Everything runs on the input's device.
"""

from balancekit.decisions._calibration import (
    calibration_curve,
    classwise_calibration_error,
    expected_calibration_error,
)
from balancekit.decisions._prior import correct_prior
from balancekit.decisions._prior_estimate import PriorEstimate, estimate_prior
from balancekit.decisions._temperature import apply_temperature, fit_temperature

__all__ = [
    "PriorEstimate",
    "apply_temperature",
    "calibration_curve",
    "classwise_calibration_error",
    "correct_prior",
    "estimate_prior",
    "expected_calibration_error",
    "fit_temperature",
]
