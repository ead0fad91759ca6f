"""Speed and peak memory: balancekit's KMeansSMOTE, ClusterCentroids and SVMSMOTE
against imbalanced-learn's.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_imblearn_samplers.py [--quick] [--json PATH]
    .venv/bin/python benchmarks/bench_imblearn_samplers.py --n-samples 1000000

Data: float32 Gaussian rows with a 1% minority at random rows (``_harness``), the
minority's mean shifted by ``SHIFT`` in every column: on data without any signal every
support vector of SVM-SMOTE is noise (imblearn refuses such data). Issue 17
asks for 1,000,000 x 32 for each; the default sizes are smaller where the algorithm
shared by both libraries makes 1M rows take hours:

- ``KMeansSMOTE``: 1,000,000 x 32. ``cluster_balance_threshold=0.005`` for both:
  with the default ("auto") neither library finds a cluster to fill on data without
  structure (imblearn raises its "No clusters found" error).
- ``ClusterCentroids``: 100,000 x 32 by default. Under-sampling 99% of the rows to the
  1% minority asks k-means for as many clusters as the minority has rows (10,000 at
  1M), so its cost is rows x clusters per iteration in both libraries.
- ``SVMSMOTE``: 50,000 x 32 by default. Both fit scikit-learn's ``SVC`` on every row
  (quadratic in the rows); the rest is where the libraries differ. The minority is
  shifted by 1.0 for both SVM-SMOTE cases (``SHIFTS``).

Two more cases run the algorithms at 1,000,000 x 32 with the shared, quadratic part
capped to the same work in both libraries, so that the rest is measured at the size
the issue names:

- ``ClusterCentroids, capped``: k-means with ``init="random"``, ``n_init=1`` and
  ``max_iter=2`` (scikit-learn's ``KMeans`` for imblearn, ``balancekit.cluster.KMeans``
  for balancekit): 10,000 clusters of 990,000 rows, two Lloyd iterations and the
  final assignment, in each library's own k-means.
- ``SVMSMOTE, capped``: ``SVC(gamma="scale", max_iter=100)`` in both (the same
  scikit-learn fit, ~11 s here; uncapped it takes hours), then each library's
  neighbour searches and 980,000 new rows.

``--n-samples`` sets one size for all five. Protocol: ``benchmarks/_harness.py``
(interleaved calls after a warm-up, tracemalloc peaks, same class counts checked).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from _harness import RESULTS, Case, imbalanced_data, run
from imblearn.over_sampling import SVMSMOTE as PeerSVMSMOTE
from imblearn.over_sampling import KMeansSMOTE as PeerKMeansSMOTE
from imblearn.under_sampling import ClusterCentroids as PeerClusterCentroids
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import SVC

from balancekit.cluster import KMeans
from balancekit.over_sampling import SVMSMOTE, KMeansSMOTE
from balancekit.under_sampling import ClusterCentroids

# Rows per case at the default size (issue 17 names 1M; see the module docstring).
DEFAULT_ROWS = {
    "KMeansSMOTE": 1_000_000,
    "ClusterCentroids": 100_000,
    "SVMSMOTE": 50_000,
    "ClusterCentroids, capped": 1_000_000,
    "SVMSMOTE, capped": 1_000_000,
}
# The shared quadratic steps, capped to the same work in both libraries.
CAPPED_KMEANS = {"init": "random", "n_init": 1, "max_iter": 2, "random_state": 0}
CAPPED_SVC = {"gamma": "scale", "max_iter": 100, "random_state": 0}
THRESHOLD = 0.005
SHIFT = 0.5
# For SVM-SMOTE a shift of 0.5 leaves no minority support vector "safe" (most of its
# neighbours in the class), and both libraries then stop at a random share of the
# target (imblearn's rule, with draws that differ between the two): outputs of
# different sizes. At 1.0 both kinds exist and both reach the target.
SHIFTS = {"SVMSMOTE": 1.0, "SVMSMOTE, capped": 1.0}


def _cases(rows: dict[str, int], n_features: int, repeats: int) -> list[Case]:
    factories = {
        "KMeansSMOTE": (
            lambda: KMeansSMOTE(random_state=0, cluster_balance_threshold=THRESHOLD),
            lambda: PeerKMeansSMOTE(
                random_state=0, cluster_balance_threshold=THRESHOLD
            ),
        ),
        "ClusterCentroids": (
            lambda: ClusterCentroids(random_state=0),
            lambda: PeerClusterCentroids(random_state=0),
        ),
        "SVMSMOTE": (
            lambda: SVMSMOTE(random_state=0),
            lambda: PeerSVMSMOTE(random_state=0),
        ),
        "ClusterCentroids, capped": (
            lambda: ClusterCentroids(estimator=KMeans(**CAPPED_KMEANS)),
            lambda: PeerClusterCentroids(estimator=SklearnKMeans(**CAPPED_KMEANS)),
        ),
        "SVMSMOTE, capped": (
            lambda: SVMSMOTE(svm_estimator=SVC(**CAPPED_SVC), random_state=0),
            lambda: PeerSVMSMOTE(svm_estimator=SVC(**CAPPED_SVC), random_state=0),
        ),
    }
    cases = []
    for name, (ours, peer) in factories.items():
        if name not in rows:
            continue
        X, y = imbalanced_data(rows[name], n_features, 0.01)
        X[y == 1] += SHIFTS.get(name, SHIFT)
        cases.append(
            Case(
                f"{name} {rows[name]:,} x {n_features}",
                ours=ours,
                peer=peer,
                X=X,
                y=y,
                repeats=repeats,
                with_torch=False,  # the torch-CPU route is measured in bench_smote
            )
        )
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="rows, all cases")
    parser.add_argument("--n-features", type=int, default=32, help="columns (32)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (2)")
    parser.add_argument("--quick", action="store_true", help="1/10 of the rows")
    parser.add_argument(
        "--case", action="append", help="run this case only (repeatable; default: all)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "imblearn_samplers.json")
    args = parser.parse_args(argv)
    if args.n_samples is not None and args.n_samples < 1_000:
        parser.error("--n-samples must be >= 1000 (a 1% minority of 10 rows)")
    scale = 10 if args.quick else 1
    rows = {name: args.n_samples or n // scale for name, n in DEFAULT_ROWS.items()}
    repeats = args.repeats or (1 if args.quick else 2)
    # The capped SVC stops at max_iter on purpose (see the module docstring).
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if args.case:
        unknown = set(args.case) - set(DEFAULT_ROWS)
        if unknown:
            parser.error(f"--case: unknown {sorted(unknown)}; known {list(rows)}")
        rows = {name: rows[name] for name in args.case}
    return run(_cases(rows, args.n_features, repeats), args.json)


if __name__ == "__main__":
    sys.exit(main())
