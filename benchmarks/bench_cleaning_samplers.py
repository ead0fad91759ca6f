"""Speed and peak memory: balancekit's TomekLinks and ENN against imbalanced-learn's.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_cleaning_samplers.py [--quick] [--json PATH]

Default data: 100,000 x 32 float32 rows, a 1% minority at random rows (imbalanced-learn
takes about 20 s per sampler here, so one timed call each). Goals of the issue:
TomekLinks at least 5x faster (it searches neighbours only from the rows outside the
largest class and from their neighbours inside it, not from every row);
EditedNearestNeighbours no slower on NumPy, its torch path reported beside it.
Protocol: ``benchmarks/_harness.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _harness import RESULTS, Case, imbalanced_data, run
from imblearn.under_sampling import EditedNearestNeighbours as PeerENN
from imblearn.under_sampling import TomekLinks as PeerTomekLinks

from balancekit import EditedNearestNeighbours, TomekLinks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="rows (100,000)")
    parser.add_argument("--repeats", type=int, default=1, help="timed calls (1)")
    parser.add_argument("--quick", action="store_true", help="5,000 rows")
    parser.add_argument("--json", type=Path, default=RESULTS / "cleaning_samplers.json")
    args = parser.parse_args(argv)
    n_samples = args.n_samples or (5_000 if args.quick else 100_000)
    X, y = imbalanced_data(n_samples, 32, 0.01)
    cases = [
        Case("TomekLinks", TomekLinks, PeerTomekLinks, X, y, args.repeats),
        Case(
            "EditedNearestNeighbours",
            EditedNearestNeighbours,
            PeerENN,
            X,
            y,
            args.repeats,
        ),
    ]
    return run(cases, args.json)


if __name__ == "__main__":
    sys.exit(main())
