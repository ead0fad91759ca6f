"""The metrics of one run, from the test labels and the model's probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    geometric_mean_score,
    matthews_corrcoef,
    precision_recall_fscore_support,
    roc_auc_score,
)

__all__ = ["HIGHER_IS_BETTER", "METRICS", "pr_auc", "score_run"]

#: Metric columns of the table, in order, and what they are.
METRICS = {
    "pr_auc": "average precision of the minority class (macro one-vs-rest if C > 2)",
    "roc_auc": "ROC AUC of the minority class (macro one-vs-rest if C > 2)",
    "balanced_accuracy": "mean recall over classes",
    "g_mean": "geometric mean of the recalls of the classes",
    "macro_f1": "unweighted mean of the classes' F1",
    "mcc": "Matthews correlation coefficient",
    "minority_recall": "recall of the smallest class",
    "minority_precision": "precision of the smallest class (0 when never predicted)",
    "brier": "Brier score of the predicted probabilities (lower is better)",
}

#: Whether a larger value of a column is better.
HIGHER_IS_BETTER = {name: name != "brier" for name in METRICS} | {"fit_time_s": False}


def pr_auc(y: np.ndarray, proba: np.ndarray, minority: int) -> float:
    """Average precision of class ``minority`` (macro one-vs-rest when C > 2).

    ``y`` holds integer codes ``0..C-1``, the columns of ``proba``.

    Examples
    --------
    >>> p1 = np.array([0.1, 0.2, 0.6, 0.7, 0.4])
    >>> round(pr_auc(np.array([0, 0, 0, 1, 1]), np.column_stack([1 - p1, p1]), 1), 3)
    0.833
    """
    if proba.shape[1] == 2:
        positive = (y == minority).astype(np.int64)
        return float(average_precision_score(positive, proba[:, minority]))
    return float(average_precision_score(y, proba, average="macro"))


def score_run(y_test: np.ndarray, proba: np.ndarray, minority: int) -> dict[str, float]:
    """Every metric of :data:`METRICS` for integer labels ``0..C-1``.

    Predictions are the most probable class (the 0.5 threshold for two classes): the
    threshold-free PR-AUC and ROC-AUC show what a tuned threshold could recover.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.bench import score_run
    >>> y = np.array([0, 0, 0, 1, 1])
    >>> p1 = np.array([0.1, 0.2, 0.6, 0.7, 0.4])
    >>> s = score_run(y, np.column_stack([1 - p1, p1]), minority=1)
    >>> round(s["pr_auc"], 3), s["minority_recall"], round(s["brier"], 3)
    (0.833, 0.5, 0.172)
    """
    n_classes = proba.shape[1]
    pred = np.argmax(proba, axis=1)
    if n_classes == 2:
        positive = (y_test == minority).astype(np.int64)
        score = proba[:, minority]
        ranking = {
            "roc_auc": roc_auc_score(positive, score),
            "brier": brier_score_loss(positive, score),
        }
    else:
        ranking = {
            "roc_auc": roc_auc_score(y_test, proba, multi_class="ovr"),
            "brier": brier_score_loss(y_test, proba),
        }
    labels = list(range(n_classes))
    precision, recall, _, _ = precision_recall_fscore_support(
        y_test, pred, labels=labels, average=None, zero_division=0.0
    )
    values: dict[str, Any] = {
        "pr_auc": pr_auc(y_test, proba, minority),
        "roc_auc": ranking["roc_auc"],
        "balanced_accuracy": balanced_accuracy_score(y_test, pred),
        "g_mean": geometric_mean_score(y_test, pred, labels=labels),
        "macro_f1": f1_score(
            y_test, pred, labels=labels, average="macro", zero_division=0.0
        ),
        "mcc": matthews_corrcoef(y_test, pred),
        "minority_recall": recall[minority],
        "minority_precision": precision[minority],
        "brier": ranking["brier"],
    }
    return {name: float(values[name]) for name in METRICS}
