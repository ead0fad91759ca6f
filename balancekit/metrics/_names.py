"""The metric names, in one place: what ``balancekit.metrics`` exports, what the
streaming confusion matrix scores, what ``index_balanced_accuracy`` accepts.

Every list of metric names (``balancekit.metrics.__all__``, ``LABEL_METRICS``,
``IBA_METRICS``, the TensorFlow wrappers) is built from these tuples.

Examples
--------
>>> from balancekit.metrics import IBA_METRICS
>>> "geometric_mean_score" in IBA_METRICS
True
"""

from __future__ import annotations

__all__ = [
    "FUNCTION_NAMES",
    "IBA_METRICS",
    "IMBLEARN_METRIC_NAMES",
    "LABEL_METRIC_NAMES",
    "MULTILABEL_METRIC_NAMES",
    "SCORE_METRIC_NAMES",
]

#: Metrics of predicted labels, computed from one confusion matrix (and what
#: ``StreamingConfusionMatrix.score`` accepts).
LABEL_METRIC_NAMES = (
    "balanced_accuracy_score",
    "classification_report",
    "cohen_kappa_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "index_balanced_accuracy",
    "jaccard_score",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
)

#: Metrics of scores (probabilities or decision values).
SCORE_METRIC_NAMES = (
    "average_precision_score",
    "brier_score_loss",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
)

#: Metrics of multilabel indicators (and, for the first two, class labels): not
#: scores of one confusion matrix, so not streaming scores.
MULTILABEL_METRIC_NAMES = (
    "coverage_error",
    "hamming_loss",
    "label_ranking_average_precision_score",
    "label_ranking_loss",
    "multilabel_confusion_matrix",
)

#: Metric names ``index_balanced_accuracy(metric=...)`` accepts as strings.
IBA_METRICS = (
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "specificity_score",
)

#: imbalanced-learn's own names: its report, the ordinal MAE and the IBA decorator
#: factory. Not streaming scores (``StreamingConfusionMatrix.report`` is the report;
#: the replayed cell weights would make its support a float).
IMBLEARN_METRIC_NAMES = (
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
    "make_index_balanced_accuracy",
)

#: Every metric function of ``balancekit.metrics``, sorted.
FUNCTION_NAMES = tuple(
    sorted(
        (
            *LABEL_METRIC_NAMES,
            *SCORE_METRIC_NAMES,
            *IMBLEARN_METRIC_NAMES,
            *MULTILABEL_METRIC_NAMES,
            "best_threshold",
        )
    )
)
