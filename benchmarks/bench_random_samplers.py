"""Speed and peak memory: balancekit's random samplers against imbalanced-learn's.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_random_samplers.py [--quick] [--json PATH]

Default data: 1,000,000 x 32 float32 rows, a 1% minority at random rows. The measuring
protocol is in ``benchmarks/_harness.py`` and ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _harness import RESULTS, Case, imbalanced_data, run
from imblearn.over_sampling import RandomOverSampler as PeerOverSampler
from imblearn.under_sampling import RandomUnderSampler as PeerUnderSampler

from balancekit import RandomOverSampler, RandomUnderSampler


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="rows (1,000,000)")
    parser.add_argument("--n-features", type=int, default=32, help="columns (32)")
    parser.add_argument("--minority", type=float, default=0.01, help="share (0.01)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (5)")
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 3 repeats")
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "random_samplers.json", help="output"
    )
    args = parser.parse_args(argv)
    args.n_samples = args.n_samples or (100_000 if args.quick else 1_000_000)
    args.repeats = args.repeats or (3 if args.quick else 5)
    if not 0 < args.minority < 0.5:
        parser.error("--minority must be in (0, 0.5)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    X, y = imbalanced_data(args.n_samples, args.n_features, args.minority)
    cases = [
        Case(
            "RandomOverSampler",
            ours=lambda: RandomOverSampler(random_state=0),
            peer=lambda: PeerOverSampler(random_state=0),
            X=X,
            y=y,
            repeats=args.repeats,
        ),
        Case(
            "RandomUnderSampler",
            ours=lambda: RandomUnderSampler(random_state=0),
            peer=lambda: PeerUnderSampler(random_state=0),
            X=X,
            y=y,
            repeats=args.repeats,
        ),
    ]
    return run(cases, args.json)


if __name__ == "__main__":
    sys.exit(main())
