"""The metrics of one run, from the test labels, the model's probabilities and (for a
decision strategy) its predicted labels."""

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

__all__ = [
    "CALIBRATION_METRICS",
    "ECE_BINS",
    "HIGHER_IS_BETTER",
    "METRICS",
    "pr_auc",
    "score_run",
]

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
    "ece": "expected calibration error, 15 uniform bins, of the minority-class "
    "probability (top label if C > 2; lower is better)",
}

#: Metrics of the probabilities' calibration, where a smaller value is better.
CALIBRATION_METRICS = ("brier", "ece")
#: Bins of the ECE column (equal widths over [0, 1]).
ECE_BINS = 15

#: Whether a larger value of a column is better.
HIGHER_IS_BETTER = {name: name not in CALIBRATION_METRICS for name in METRICS} | {
    "fit_time_s": False
}


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


def score_run(
    y_test: np.ndarray,
    proba: np.ndarray,
    minority: int,
    *,
    pred: np.ndarray | None = None,
) -> dict[str, float]:
    """Every metric of :data:`METRICS` for integer labels ``0..C-1``.

    The label metrics (balanced accuracy to minority precision) score ``pred``, the
    strategy's own decisions; without it, the most probable class (the 0.5 threshold
    for two classes). The threshold-free PR-AUC and ROC-AUC and the calibration
    measures (Brier, ECE) score ``proba``.

    Parameters
    ----------
    y_test : ndarray of shape (n_samples,)
        True labels, integer codes ``0..C-1``.
    proba : ndarray of shape (n_samples, C)
        Probabilities, one column per code.
    minority : int
        The code of the smallest class.
    pred : ndarray of shape (n_samples,), default=None
        Predicted codes (a tuned threshold's decisions); None for the argmax of
        ``proba``.

    Returns
    -------
    dict
        One float per metric of :data:`METRICS`.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.bench import score_run
    >>> y = np.array([0, 0, 0, 1, 1])
    >>> p1 = np.array([0.1, 0.2, 0.6, 0.7, 0.4])
    >>> s = score_run(y, np.column_stack([1 - p1, p1]), minority=1)
    >>> round(s["pr_auc"], 3), s["minority_recall"], round(s["brier"], 3)
    (0.833, 0.5, 0.172)
    >>> round(s["ece"], 3)
    0.36
    >>> tuned = score_run(y, np.column_stack([1 - p1, p1]), 1, pred=p1 > 0.3)
    >>> tuned["minority_recall"], tuned["pr_auc"] == s["pr_auc"]
    (1.0, True)
    """
    from balancekit.decisions import expected_calibration_error

    n_classes = proba.shape[1]
    if pred is None:
        pred = np.argmax(proba, axis=1)
    else:
        pred = np.asarray(pred).astype(np.int64).reshape(-1)
        if pred.shape != y_test.shape or pred.min() < 0 or pred.max() >= n_classes:
            raise ValueError(
                f"`pred` must hold one code in 0..{n_classes - 1} per test row "
                f"({y_test.shape[0]}); got shape {pred.shape}."
            )
    if n_classes == 2:
        positive = (y_test == minority).astype(np.int64)
        score = proba[:, minority]
        ranking = {
            "roc_auc": roc_auc_score(positive, score),
            "brier": brier_score_loss(positive, score),
            "ece": expected_calibration_error(positive, score, n_bins=ECE_BINS),
        }
    else:
        ranking = {
            "roc_auc": roc_auc_score(y_test, proba, multi_class="ovr"),
            "brier": brier_score_loss(y_test, proba),
            "ece": expected_calibration_error(y_test, proba, n_bins=ECE_BINS),
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
        "ece": ranking["ece"],
    }
    return {name: float(values[name]) for name in METRICS}
