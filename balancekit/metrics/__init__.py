"""Metrics for imbalanced classification, computed where the labels live.

scikit-learn's and imbalanced-learn's names, argument order (``(y_true, y_pred)``,
``(y_true, y_score)``) and values. The label metrics count one confusion matrix on the
input's device (NumPy, PyTorch, CuPy, JAX, array-api-strict); the score metrics sort
there once. Results are 0-d or per-class arrays on that device.

Dask arrays and Series are accepted by the metrics of predicted labels (the
confusion-matrix family, the G-mean/IBA family, ``macro_averaged_mean_absolute_error``
and both reports): they count the confusion matrix in one pass on the cluster and
return, computed, what the NumPy path returns (see ``balancekit.dask._metrics``).
"""

from balancekit.metrics._classification import (
    balanced_accuracy_score,
    cohen_kappa_score,
    f1_score,
    fbeta_score,
    matthews_corrcoef,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from balancekit.metrics._classification_report import classification_report
from balancekit.metrics._confusion import confusion_matrix
from balancekit.metrics._imbalanced import (
    geometric_mean_score,
    index_balanced_accuracy,
    make_index_balanced_accuracy,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)
from balancekit.metrics._jaccard import jaccard_score
from balancekit.metrics._label_ranking import (
    coverage_error,
    label_ranking_average_precision_score,
    label_ranking_loss,
)
from balancekit.metrics._multilabel_confusion import (
    hamming_loss,
    multilabel_confusion_matrix,
)
from balancekit.metrics._names import IBA_METRICS
from balancekit.metrics._ordinal import macro_averaged_mean_absolute_error
from balancekit.metrics._ranking import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_brier import brier_score_loss
from balancekit.metrics._report import classification_report_imbalanced
from balancekit.metrics._stateful_labels import LABEL_METRICS, StreamingConfusionMatrix
from balancekit.metrics._stateful_multilabel import (
    MULTILABEL_STREAMING_METRICS,
    StreamingMultilabelConfusionMatrix,
)
from balancekit.metrics._stateful_multilabel_scores import StreamingMultilabelScores
from balancekit.metrics._stateful_scores import StreamingScores
from balancekit.metrics._thresholds import (
    THRESHOLD_METRICS,
    ThresholdResult,
    best_threshold,
)

# Static for linters and IDEs; tests/metrics/test_names.py checks it against
# ``_names.FUNCTION_NAMES``, the one source of the metric names.
__all__ = [
    "IBA_METRICS",
    "LABEL_METRICS",
    "MULTILABEL_STREAMING_METRICS",
    "THRESHOLD_METRICS",
    "StreamingConfusionMatrix",
    "StreamingMultilabelConfusionMatrix",
    "StreamingMultilabelScores",
    "StreamingScores",
    "ThresholdResult",
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
