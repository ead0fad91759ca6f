"""The goals checked on ``bench_decisions.py``'s JSON (``decisions.json``).

Issue 20 sets no speed figure for the decision meta-estimators; ``TunedDecision`` is
held to "no slower than scikit-learn's TunedThresholdClassifierCV" (target 1), the
floor every balancekit estimator with a peer keeps, so that a regression shows.
"""

from __future__ import annotations

from _goals import Goal

from goals._figures import named_figure

#: How the script measures peak memory (shown under the suite's table).
MEMORY_METHOD = "peak RSS added by one call (Linux VmHWM; reused heap reads low)"

GOALS = [
    Goal(
        20,
        "TunedDecision (tuned F1 threshold, 5 folds, 2*10^5 x 10): no slower than "
        "scikit-learn's TunedThresholdClassifierCV",
        "decisions",
        "time",
        named_figure("balancekit TunedDecision", "balancekit TunedDecision"),
        (
            named_figure(
                "sklearn TunedThresholdClassifierCV",
                "sklearn TunedThresholdClassifierCV",
            ),
        ),
        1.0,
    ),
]
