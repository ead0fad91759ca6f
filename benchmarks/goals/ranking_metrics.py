"""The goals checked on ``bench_ranking_metrics.py``'s JSON."""

from __future__ import annotations

from _goals import Goal

from goals._figures import ranking_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "tracemalloc on NumPy; torch rows n/a"

GOALS = [
    Goal(
        7,
        "average precision, 10^7 scores, NumPy: at least 2x faster than scikit-learn",
        "ranking_metrics",
        "time",
        ranking_figure("average_precision", "numpy", "balancekit", "balancekit"),
        (ranking_figure("average_precision", "numpy", "peer", "scikit-learn"),),
        2.0,
    ),
    Goal(
        7,
        "ROC AUC, 10^7 scores, NumPy: at least 2x faster than scikit-learn",
        "ranking_metrics",
        "time",
        ranking_figure("roc_auc", "numpy", "balancekit", "balancekit"),
        (ranking_figure("roc_auc", "numpy", "peer", "scikit-learn"),),
        2.0,
    ),
    Goal(
        7,
        "average precision, 10^7 scores, torch CPU: no slower than torchmetrics",
        "ranking_metrics",
        "time",
        ranking_figure(
            "average_precision", "torch CPU", "balancekit", "balancekit torch"
        ),
        (ranking_figure("average_precision", "torch CPU", "peer", "torchmetrics"),),
        1.0,
    ),
    Goal(
        7,
        "ROC AUC, 10^7 scores, torch CPU: no slower than torchmetrics",
        "ranking_metrics",
        "time",
        ranking_figure("roc_auc", "torch CPU", "balancekit", "balancekit torch"),
        (ranking_figure("roc_auc", "torch CPU", "peer", "torchmetrics"),),
        1.0,
    ),
    *(
        Goal(
            16,
            f"{text}, 10^7 scores, torch CPU: at least 0.9x NumPy's speed",
            "ranking_metrics",
            "time",
            ranking_figure(metric, "torch CPU", "balancekit", "balancekit torch CPU"),
            (ranking_figure(metric, "numpy", "balancekit", "balancekit NumPy"),),
            0.9,
        )
        for metric, text in (
            ("average_precision", "average precision"),
            ("roc_auc", "ROC AUC"),
        )
    ),
]
