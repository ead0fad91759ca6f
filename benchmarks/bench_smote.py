"""Speed and peak memory: balancekit's SMOTE against imbalanced-learn's.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_smote.py [--quick] [--json PATH]

Cases: 1,000,000 x 32 float32 with a 1% minority (the issue's goal: at least 2x
faster), and 100,000 x 256 float32 with a 1% minority (wide rows: the kNN and the
interpolation weigh more). The kNN of both libraries is scikit-learn's on NumPy input,
so the difference is everything around it. Protocol: ``benchmarks/_harness.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _harness import RESULTS, Case, imbalanced_data, run
from imblearn.over_sampling import SMOTE as PeerSMOTE

from balancekit import SMOTE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (5)")
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "smote.json")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    repeats = args.repeats or (2 if args.quick else 5)
    cases = []
    for n_samples, n_features in [(1_000_000, 32), (100_000, 256)]:
        X, y = imbalanced_data(n_samples // scale, n_features, 0.01)
        cases.append(
            Case(
                f"SMOTE {n_samples // scale:,} x {n_features}",
                ours=lambda: SMOTE(random_state=0),
                peer=lambda: PeerSMOTE(random_state=0),
                X=X,
                y=y,
                repeats=repeats,
            )
        )
    return run(cases, args.json)


if __name__ == "__main__":
    sys.exit(main())
