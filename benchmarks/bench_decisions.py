"""A threshold tuned by cross-validation: balancekit's ``TunedDecision`` against
scikit-learn's ``TunedThresholdClassifierCV``.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_decisions.py [--quick] [--json PATH]

Data: 200,000 rows x 10 standard-normal features, a logistic-style binary label with
about 6% positives. Both fit ``LogisticRegression()`` on the same 5 stratified,
shuffled folds, tune the threshold of best F1 on the out-of-fold scores and refit on
all rows. scikit-learn scores a grid of 100 thresholds per fold with its scorer;
``TunedDecision`` scores every distinct out-of-fold score at once from one sort, so
its threshold is the exact optimum on the pooled out-of-fold probabilities (the F1
of both thresholds on them is printed). The logistic fits are the same work in both.
Protocol: ``benchmarks/_functions.py`` (one warm-up each, then ``--repeats``
interleaved calls, then one call each for the peak memory); the load average is
printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
from _functions import compare, print_and_save
from _harness import RESULTS
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import (
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
)

from balancekit.decisions import TunedDecision

REFERENCE = "sklearn TunedThresholdClassifierCV"
OURS = "balancekit TunedDecision"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "decisions.json")
    args = parser.parse_args(argv)
    n = args.n_samples // (10 if args.quick else 1)
    load_start = os.getloadavg()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 10))
    y = (X[:, 0] + rng.normal(size=n) > 2.2).astype(np.int64)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    fitted = {}

    def ours() -> None:
        model = TunedDecision(LogisticRegression(), metric="f1", cv=folds)
        fitted[OURS] = model.fit(X, y)

    def peer() -> None:
        model = TunedThresholdClassifierCV(LogisticRegression(), scoring="f1", cv=folds)
        fitted[REFERENCE] = model.fit(X, y)

    timings = compare({REFERENCE: peer, OURS: ours}, args.repeats)
    load_end = os.getloadavg()
    print(f"tuned F1 threshold, LogisticRegression, 5 folds: {n:,} x 10")
    print(f"load average (1, 5, 15 min): start {load_start}; end {load_end}")
    print_and_save("Threshold tuned by cross-validation", timings, REFERENCE, args.json)
    thresholds = {
        OURS: float(fitted[OURS].rule_.threshold),
        REFERENCE: float(fitted[REFERENCE].best_threshold_),
    }
    # both thresholds scored on the same pooled out-of-fold probabilities (untimed)
    oof = cross_val_predict(
        LogisticRegression(), X, y, cv=folds, method="predict_proba"
    )[:, 1]
    scores = {name: float(f1_score(y, oof >= t)) for name, t in thresholds.items()}
    print(f"out-of-fold F1 at the chosen threshold: {scores}")
    print(f"thresholds: {thresholds}")
    payload = json.loads(args.json.read_text())
    payload.update(
        {
            "n_samples": n,
            "load_average_start": list(load_start),
            "load_average_end": list(load_end),
            "out_of_fold_f1": scores,
            "thresholds": thresholds,
        }
    )
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
