"""Where scikit-learn's own metric tests fail with balancekit's functions swapped in.

One entry per failing test function (any of its parametrisations), with the reason.
``test_sklearn_suites.py`` checks that the failures are exactly these: a new failure
is a regression, and a listed test that passes again must leave the list. Issue 19's
goal: only error-message wording and documented, deliberate differences remain.
Baseline (stop 25, scikit-learn 1.9.1): 121 failing cases in 49 test functions.
"""

from __future__ import annotations

MULTILABEL = "issue 19: multilabel indicator y is refused"
SAMPLES = "issue 19: average='samples' (multilabel) is refused"
REPORT = (
    "issue 19: classification_report gives imbalanced-learn's columns; "
    "scikit-learn's report is to take the name"
)
WARNING = "issue 19: scikit-learn's UndefinedMetricWarning/UserWarning is not raised"
POS_LABEL = "issue 19: binary pos_label inference differs for bytes and strings"
WORDING = "wording: the same exception class, balancekit's own message"
OBJECT_WEIGHTS = "issue 19: sample_weight of object dtype is refused, not cast"

# test_classification.py: the failing test functions, by reason
_CLASSIFICATION: dict[str, list[str]] = {
    MULTILABEL: [
        "test_average_precision_score_non_binary_class",
        "test_brier_score_loss_binary",
        "test_fscore_warnings",
        "test_multilabel_classification_report",
        "test_precision_recall_f1_no_labels",
        "test_precision_recall_f1_no_labels_average_none",
        "test_precision_recall_f1_score_multilabel_1",
        "test_precision_recall_f1_score_multilabel_2",
        "test_precision_recall_f1_score_with_an_empty_prediction",
        "test_precision_recall_f_extra_labels",
        "test_precision_recall_f_ignored_labels",
        "test_precision_refcall_f1_score_multilabel_unordered_labels",
        "test_precision_warnings",
        "test_prf_average_binary_data_non_binary",
        "test_recall_warnings",
    ],
    WORDING: [
        "test_multilabel_confusion_matrix_errors",
        "test_brier_score_loss_invalid_inputs",
        "test_confusion_matrix_error",
    ],
    WARNING: [
        "test_brier_score_loss_warnings",
        "test_precision_recall_f1_no_labels_average_none_warn",
        "test_precision_recall_f1_no_labels_check_warnings",
        "test_prf_warnings",
    ],
    REPORT: [
        "test_classification_report_dictionary_output",
        "test_classification_report_labels_subset_superset",
        "test_classification_report_labels_target_names_unequal_length",
        "test_classification_report_multiclass",
        "test_classification_report_multiclass_balanced",
        "test_classification_report_multiclass_with_digits",
        "test_classification_report_multiclass_with_label_detection",
        "test_classification_report_multiclass_with_long_string_label",
        "test_classification_report_multiclass_with_string_label",
        "test_classification_report_multiclass_with_unicode_label",
        "test_classification_report_no_labels_target_names_unequal_length",
    ],
    OBJECT_WEIGHTS: [
        "test_confusion_matrix_dtype",
    ],
    SAMPLES: [
        "test_prf_no_warnings_if_zero_division_set",
    ],
}

# test_ranking.py: the failing test functions, by reason
_RANKING: dict[str, list[str]] = {
    WORDING: [
        "test_coverage_1d_error_message",
        "test_average_precision_score_binary_pos_label_errors",
        "test_average_precision_score_multiclass_pos_label_errors",
        "test_confusion_matrix_at_thresholds_multiclass_error",
        "test_multiclass_ranking_metrics_raise_for_incorrect_shape_of_y_score",
        "test_roc_auc_score_multiclass_error",
        "test_roc_auc_score_multiclass_labels_error",
    ],
    MULTILABEL: [
        "test_average_precision_score_multilabel_pos_label_errors",
    ],
    POS_LABEL: [
        "test_confusion_matrix_at_thresholds_implicit_bytes_pos_label",
        "test_confusion_matrix_at_thresholds_implicit_pos_label",
    ],
    WARNING: [
        "test_precision_recall_curve_toydata",
        "test_roc_curve_toydata",
    ],
}

DEVIATIONS: dict[str, str] = {
    f"{module}::{test}": reason
    for module, by_reason in (
        ("test_classification", _CLASSIFICATION),
        ("test_ranking", _RANKING),
    )
    for reason, tests in by_reason.items()
    for test in tests
}
