"""``balancekit.metrics`` for TensorFlow tensors, through the TensorFlow boundary.

TensorFlow does not implement the array API standard, so the core cannot compute on
a ``tf.Tensor`` where it lives. Each function here has the name, parameters and
values of its ``balancekit.metrics`` counterpart: its tensor arguments are read on
the host (``Tensor.numpy()``, no copy for CPU tensors), the core computes with NumPy,
and array results come back as ``tf.Tensor``s (the report's text and dict as they
are).

Examples
--------
>>> import tensorflow as tf
>>> from balancekit.tensorflow import metrics
>>> y_true = tf.constant([0, 0, 1, 1, 1])
>>> y_pred = tf.constant([0, 1, 1, 1, 0])
>>> score = metrics.geometric_mean_score(y_true, y_pred)
>>> isinstance(score, tf.Tensor), round(float(score), 4)
(True, 0.5774)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit import metrics as _core

__all__ = [
    "average_precision_score",
    "balanced_accuracy_score",
    "best_threshold",
    "brier_score_loss",
    "classification_report",
    "classification_report_imbalanced",
    "cohen_kappa_score",
    "confusion_matrix",
    "coverage_error",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "hamming_loss",
    "index_balanced_accuracy",
    "jaccard_score",
    "label_ranking_average_precision_score",
    "label_ranking_loss",
    "macro_averaged_mean_absolute_error",
    "make_index_balanced_accuracy",
    "matthews_corrcoef",
    "multilabel_confusion_matrix",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]


def _to_host(value: Any) -> Any:
    if isinstance(value, tf.Tensor | tf.Variable):
        return value.numpy()
    return value


def _to_tensor(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        return tf.convert_to_tensor(value)
    if isinstance(value, tuple):
        converted = [_to_tensor(v) for v in value]
        return (
            type(value)(*converted) if hasattr(value, "_fields") else tuple(converted)
        )
    return value


def _across_the_boundary(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        args = tuple(_to_host(a) for a in args)
        kwargs = {k: _to_host(v) for k, v in kwargs.items()}
        return _to_tensor(function(*args, **kwargs))

    wrapper.__doc__ = (
        f"TensorFlow tensors in and out; see ``balancekit.metrics.{function.__name__}``"
        " for the parameters.\n"
    )
    return wrapper


average_precision_score = _across_the_boundary(_core.average_precision_score)
balanced_accuracy_score = _across_the_boundary(_core.balanced_accuracy_score)
best_threshold = _across_the_boundary(_core.best_threshold)
brier_score_loss = _across_the_boundary(_core.brier_score_loss)
classification_report = _across_the_boundary(_core.classification_report)
classification_report_imbalanced = _across_the_boundary(
    _core.classification_report_imbalanced
)
cohen_kappa_score = _across_the_boundary(_core.cohen_kappa_score)
confusion_matrix = _across_the_boundary(_core.confusion_matrix)
f1_score = _across_the_boundary(_core.f1_score)
fbeta_score = _across_the_boundary(_core.fbeta_score)
geometric_mean_score = _across_the_boundary(_core.geometric_mean_score)
index_balanced_accuracy = _across_the_boundary(_core.index_balanced_accuracy)
macro_averaged_mean_absolute_error = _across_the_boundary(
    _core.macro_averaged_mean_absolute_error
)
matthews_corrcoef = _across_the_boundary(_core.matthews_corrcoef)


def make_index_balanced_accuracy(
    *, alpha: float = 0.1, squared: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``balancekit.metrics.make_index_balanced_accuracy`` whose decorated metric
    takes and returns TensorFlow tensors (a factory, so not wrapped itself)."""
    decorate = _core.make_index_balanced_accuracy(alpha=alpha, squared=squared)

    def decorate_across_the_boundary(metric: Callable[..., Any]) -> Any:
        return _across_the_boundary(decorate(metric))

    return decorate_across_the_boundary


precision_recall_curve = _across_the_boundary(_core.precision_recall_curve)
precision_recall_fscore_support = _across_the_boundary(
    _core.precision_recall_fscore_support
)
precision_score = _across_the_boundary(_core.precision_score)
recall_score = _across_the_boundary(_core.recall_score)
roc_auc_score = _across_the_boundary(_core.roc_auc_score)
roc_curve = _across_the_boundary(_core.roc_curve)
sensitivity_score = _across_the_boundary(_core.sensitivity_score)
sensitivity_specificity_support = _across_the_boundary(
    _core.sensitivity_specificity_support
)
specificity_score = _across_the_boundary(_core.specificity_score)
coverage_error = _across_the_boundary(_core.coverage_error)
hamming_loss = _across_the_boundary(_core.hamming_loss)
jaccard_score = _across_the_boundary(_core.jaccard_score)
label_ranking_average_precision_score = _across_the_boundary(
    _core.label_ranking_average_precision_score
)
label_ranking_loss = _across_the_boundary(_core.label_ranking_loss)
multilabel_confusion_matrix = _across_the_boundary(_core.multilabel_confusion_matrix)
