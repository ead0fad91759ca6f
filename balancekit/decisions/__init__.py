"""After rebalancing: correct the probabilities and measure their calibration.

A model trained on resampled or re-weighted data gives probabilities for the training
prior, not the real one: :func:`correct_prior` applies Bayes' rule (or, for logits,
post-hoc logit adjustment) to move them to the prior of the data the model will see,
and :func:`estimate_prior` estimates that prior from unlabelled scores (EM, BBSE).
:func:`bayes_decision` (with :func:`cost_threshold` and :func:`expected_cost`) takes
the decision of least expected cost under a cost matrix, and
:func:`tune_class_offsets` learns per-class offsets that maximise balanced accuracy
or macro F1 on a validation set; :func:`tune_threshold` is the one entry point for
binary thresholds (with a constraint such as recall >= 0.9), multiclass offsets and
costs. Three scikit-learn meta-estimators apply them to a classifier or a pipeline:
:class:`PriorCorrected` (reads the prior the model was trained under from its fit),
:class:`TunedDecision` (tunes the decision on out-of-fold scores of the training
rows) and :class:`TemperatureScaled`.
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
from balancekit.decisions._cost import bayes_decision, cost_threshold, expected_cost
from balancekit.decisions._multiclass_threshold import (
    OFFSET_METRICS,
    ClassOffsets,
    predict_with_offsets,
    tune_class_offsets,
)
from balancekit.decisions._prior import correct_prior
from balancekit.decisions._prior_corrected import PriorCorrected
from balancekit.decisions._prior_estimate import PriorEstimate, estimate_prior
from balancekit.decisions._temperature import apply_temperature, fit_temperature
from balancekit.decisions._temperature_scaled import TemperatureScaled
from balancekit.decisions._tune_threshold import DecisionRule, tune_threshold
from balancekit.decisions._tuned_decision import TunedDecision

__all__ = [
    "OFFSET_METRICS",
    "ClassOffsets",
    "DecisionRule",
    "PriorCorrected",
    "PriorEstimate",
    "TemperatureScaled",
    "TunedDecision",
    "apply_temperature",
    "bayes_decision",
    "calibration_curve",
    "classwise_calibration_error",
    "correct_prior",
    "cost_threshold",
    "estimate_prior",
    "expected_calibration_error",
    "expected_cost",
    "fit_temperature",
    "predict_with_offsets",
    "tune_class_offsets",
    "tune_threshold",
]
