"""The metrics of one multilabel run, from the test indicator and the label scores."""

from __future__ import annotations

import numpy as np

from balancekit.metrics import average_precision_score, f1_score

__all__ = ["MULTILABEL_METRICS", "THRESHOLD", "minority_labels", "score_multilabel"]

#: Decision threshold of every label.
THRESHOLD = 0.5

#: Metric columns of a multilabel run, in order, and what they are (higher is better).
MULTILABEL_METRICS = {
    "macro_ap": "mean over labels of the average precision (labels with a test "
    "positive)",
    "macro_f1": "mean over labels of F1 at the 0.5 threshold",
    "micro_f1": "F1 of all (row, label) decisions pooled, at the 0.5 threshold",
    "minority_recall": "mean recall of the minority labels (IRLbl > MeanIR on the "
    "training part), at the 0.5 threshold",
}


def minority_labels(Y: np.ndarray) -> np.ndarray:
    """Positions of the labels whose IRLbl exceeds MeanIR (Charte et al. 2015).

    ``IRLbl_l = max_j n_j / n_l`` over labels with a positive row; MeanIR is its
    mean. Labels without any positive row are left out.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 0, 1]])
    >>> minority_labels(Y).tolist()  # IRLbl 1, 4, 4; MeanIR 3
    [1, 2]
    """
    counts = np.asarray(Y).sum(axis=0).astype(np.float64)
    present = counts > 0
    if not present.any():
        return np.empty(0, dtype=np.int64)
    irlbl = np.full(counts.shape, np.inf)
    irlbl[present] = counts[present].max() / counts[present]
    mean_ir = float(irlbl[present].mean())
    return np.flatnonzero(present & (irlbl > mean_ir))


def score_multilabel(
    Y_test: np.ndarray, scores: np.ndarray, minority: np.ndarray
) -> dict[str, float]:
    """Every metric of :data:`MULTILABEL_METRICS`.

    Parameters
    ----------
    Y_test : numpy.ndarray of shape (n_samples, n_labels)
        True 0/1 indicator.
    scores : numpy.ndarray of shape (n_samples, n_labels)
        Predicted probability of each label.
    minority : numpy.ndarray of int
        The minority labels (:func:`minority_labels` of the training part).

    Returns
    -------
    dict of str to float
        NaN where no label qualifies (macro AP without any test positive, minority
        recall without a minority label having a test positive).

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> S = np.array([[0.9, 0.2], [0.4, 0.3], [0.6, 0.7], [0.1, 0.6]])
    >>> s = score_multilabel(Y, S, minority=np.array([1]))
    >>> round(s["macro_ap"], 4), round(s["micro_f1"], 4), s["minority_recall"]
    (0.9167, 0.75, 0.5)
    """
    Y_test = np.asarray(Y_test).astype(np.int64)
    predicted = (scores >= THRESHOLD).astype(np.int64)
    has_positive = Y_test.sum(axis=0) > 0
    ap = [
        float(average_precision_score(Y_test[:, label], scores[:, label]))
        for label in np.flatnonzero(has_positive)
    ]
    recalls = [
        float(predicted[Y_test[:, label] == 1, label].mean())
        for label in minority
        if has_positive[label]
    ]
    return {
        "macro_ap": float(np.mean(ap)) if ap else float("nan"),
        "macro_f1": float(
            f1_score(Y_test, predicted, average="macro", zero_division=0.0)
        ),
        "micro_f1": float(
            f1_score(Y_test, predicted, average="micro", zero_division=0.0)
        ),
        "minority_recall": float(np.mean(recalls)) if recalls else float("nan"),
    }
