"""The goals checked on ``bench_metrics.py``'s JSON (``metrics.json``)."""

from __future__ import annotations

from _goals import Goal

from goals._figures import METRICS_FLOOR, TORCHMETRICS_F1, named_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "peak RSS added by one call (Linux VmHWM; reused heap reads low)"

GOALS = [
    Goal(
        7,
        "classification report, 10^7 predictions: at least 20x faster than "
        "scikit-learn's",
        "metrics",
        "time",
        named_figure("report: balancekit (numpy)", "balancekit"),
        (named_figure("report: sklearn classification_report", "scikit-learn"),),
        20.0,
    ),
    Goal(
        7,
        "classification report, 10^7 predictions: within 3x of the bincount floor",
        "metrics",
        "time",
        named_figure("report: balancekit (numpy)", "balancekit"),
        (named_figure(METRICS_FLOOR, "np.bincount floor"),),
        1 / 3,
    ),
    Goal(
        7,
        "classification report, 10^7 predictions: reported beside imblearn's",
        "metrics",
        "time",
        named_figure("report: balancekit (numpy)", "balancekit"),
        (
            named_figure(
                "report: imblearn classification_report_imbalanced",
                "imblearn",
            ),
        ),
    ),
    Goal(
        7,
        "macro F1, 10^7 predictions: reported beside scikit-learn's",
        "metrics",
        "time",
        named_figure("f1 macro: balancekit (numpy)", "balancekit"),
        (named_figure("f1 macro: sklearn", "scikit-learn"),),
    ),
    Goal(
        7,
        "macro F1 on torch CPU, 10^7 predictions: reported beside torchmetrics'",
        "metrics",
        "time",
        named_figure("f1 macro: balancekit (torch CPU)", "balancekit torch"),
        (named_figure(TORCHMETRICS_F1, "torchmetrics"),),
    ),
    Goal(
        16,
        "classification report on torch CPU, 10^7 predictions: at least 0.9x NumPy's "
        "speed",
        "metrics",
        "time",
        named_figure("report: balancekit (torch CPU)", "balancekit torch CPU"),
        (named_figure("report: balancekit (numpy)", "balancekit NumPy"),),
        0.9,
    ),
    Goal(
        16,
        "macro F1 on torch CPU, 10^7 predictions: at least 0.9x NumPy's speed",
        "metrics",
        "time",
        named_figure("f1 macro: balancekit (torch CPU)", "balancekit torch CPU"),
        (named_figure("f1 macro: balancekit (numpy)", "balancekit NumPy"),),
        0.9,
    ),
]
