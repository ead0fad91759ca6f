"""Issue 17's ranking study: do the bench's real data sets agree with Kovács (2019)?

Kovács (2019, Applied Soft Computing 83, 105662) ranks 85 SMOTE variants on 104
imbalanced data sets; polynomial-fit SMOTE, ProWSyn and SMOTE-IPF are near the top,
above SMOTE. This script runs "none", SMOTE and balancekit's three on the 12 real data
sets of ``balancekit bench`` with the paper's protocol, as far as 2 cores allow, and
writes the average ranks and the Friedman test (``balancekit.bench._stats``) as JSON
and Markdown, atomically (also after each data set, so an interrupt keeps the
finished ones).

Protocol (the paper's, then what differs here):

* Evaluation: repeated stratified k-fold cross-validation (5 folds; repeats below),
  features standardised on the training folds, the over-sampler applied to the
  training folds only.
* Classifiers: the paper's four families, SVM, k-nearest neighbours, decision tree
  (CART) and multilayer perceptron, each with a small parameter grid.
* Scores: AUC, G-mean (GACC: sqrt(sensitivity x specificity)), F1 of the minority
  class and P20 (the share of the minority among the 20 % highest-scored test rows).
* For each data set, over-sampler, classifier and score, the best mean score over
  the over-sampler's and the classifier's parameter combinations (the paper's
  "best achievable" performance); over-samplers are ranked per data set (1 = best)
  and the ranks averaged.

Deviations (stated in the output too): 12 data sets instead of 104; at most 5
over-sampler parameter combinations instead of up to 35 random ones; 2 settings per
classifier; ``--quick``: one combination each and one repeat; the SVM is a linear
``LinearSVC`` (scores from its decision function) to keep the cost bounded; the
decision tree is CART, not C4.5. The primary table ranks the score averaged over
the four classifiers; per-classifier tables follow.

Usage (from the repository root)::

    .venv/bin/python tools/oversampler_ranking.py --quick --out results/ranking-quick
    .venv/bin/python tools/oversampler_ranking.py --out results/ranking --n-jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SAMPLERS = ("none", "SMOTE", "PolynomialFitSMOTE", "ProWSyn", "SMOTEIPF")
CLASSIFIERS = ("SVM", "kNN", "DecisionTree", "MLP")
METRICS = ("auc", "gacc", "f1", "p20")
PAPER_ORDER = ("PolynomialFitSMOTE", "ProWSyn", "SMOTEIPF", "SMOTE")


def sampler_grid(name: str, quick: bool) -> list[dict[str, Any]]:
    """Parameter combinations per over-sampler (the first one alone with --quick)."""
    grids: dict[str, list[dict[str, Any]]] = {
        "none": [{}],
        "SMOTE": [{"k_neighbors": k} for k in (5, 3, 7)],
        "PolynomialFitSMOTE": [
            {"topology": t} for t in ("star", "bus", "mesh", "poly_1", "poly_2")
        ],
        "ProWSyn": [
            {"n_neighbors": 5, "n_levels": 5, "theta": 1.0},
            {"n_neighbors": 3, "n_levels": 5, "theta": 1.0},
            {"n_neighbors": 7, "n_levels": 3, "theta": 0.1},
            {"n_neighbors": 5, "n_levels": 7, "theta": 2.0},
        ],
        "SMOTEIPF": [
            {"k_neighbors": 5, "voting": "majority"},
            {"k_neighbors": 5, "voting": "consensus"},
            {"k_neighbors": 3, "voting": "majority"},
        ],
    }
    grid = grids[name]
    return grid[:1] if quick else grid


def classifier_grid(name: str, quick: bool) -> list[Callable[[int], Any]]:
    """Classifier builders ``seed -> estimator`` (the first one alone with --quick)."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    grids: dict[str, list[Callable[[int], Any]]] = {
        "SVM": [
            lambda s: LinearSVC(C=1.0, random_state=s),
            lambda s: LinearSVC(C=10.0, random_state=s, max_iter=5000),
        ],
        "kNN": [
            lambda s: KNeighborsClassifier(n_neighbors=5),
            lambda s: KNeighborsClassifier(n_neighbors=3),
        ],
        "DecisionTree": [
            lambda s: DecisionTreeClassifier(max_depth=5, random_state=s),
            lambda s: DecisionTreeClassifier(max_depth=None, random_state=s),
        ],
        "MLP": [
            lambda s: MLPClassifier((32,), max_iter=300, random_state=s),
            lambda s: MLPClassifier((16,), alpha=1e-2, max_iter=300, random_state=s),
        ],
    }
    grid = grids[name]
    return grid[:1] if quick else grid


def build_sampler(name: str, params: dict[str, Any], seed: int) -> Any:
    from balancekit.over_sampling import SMOTE, SMOTEIPF, PolynomialFitSMOTE, ProWSyn

    classes = {
        "SMOTE": SMOTE,
        "PolynomialFitSMOTE": PolynomialFitSMOTE,
        "ProWSyn": ProWSyn,
        "SMOTEIPF": SMOTEIPF,
    }
    return classes[name](random_state=seed, **params)


def scores_of(y_true: np.ndarray, predicted: np.ndarray, ranking: np.ndarray) -> dict:
    """AUC, G-mean, minority F1 and P20 of one test fold."""
    from sklearn.metrics import f1_score, roc_auc_score

    positive = y_true == 1
    sensitivity = float(np.mean(predicted[positive] == 1))
    specificity = float(np.mean(predicted[~positive] == 0))
    top = max(int(0.2 * y_true.shape[0]), 1)
    # Highest scores first; a stable sort keeps the row order among ties.
    order = np.argsort(-ranking, kind="stable")[:top]
    return {
        "auc": float(roc_auc_score(y_true, ranking)),
        "gacc": math.sqrt(sensitivity * specificity),
        "f1": float(f1_score(y_true, predicted, zero_division=0.0)),
        "p20": float(np.mean(y_true[order] == 1)),
    }


def run_fold(
    X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, seed: int,
    quick: bool,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every (sampler setting, classifier setting) on one fold: one row each."""
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        y_train, y_test = y[train], y[test]
        for sampler_name in SAMPLERS:
            for s_index, params in enumerate(sampler_grid(sampler_name, quick)):
                started = time.perf_counter()
                try:
                    if sampler_name == "none":
                        X_fit, y_fit = X_train, y_train
                    else:
                        sampler = build_sampler(sampler_name, params, seed)
                        X_fit, y_fit = sampler.fit_resample(X_train, y_train)
                except Exception as exc:  # a failed setting is recorded, not fatal
                    rows.append(_failed(sampler_name, s_index, exc))
                    continue
                resample_seconds = time.perf_counter() - started
                for classifier_name in CLASSIFIERS:
                    grid = classifier_grid(classifier_name, quick)
                    for c_index, build in enumerate(grid):
                        model = build(seed).fit(X_fit, y_fit)
                        predicted = model.predict(X_test)
                        if hasattr(model, "predict_proba"):
                            ranking = model.predict_proba(X_test)[:, 1]
                        else:
                            ranking = model.decision_function(X_test)
                        rows.append(
                            {
                                "sampler": sampler_name,
                                "sampler_setting": s_index,
                                "classifier": classifier_name,
                                "classifier_setting": c_index,
                                "resample_seconds": resample_seconds,
                                **scores_of(y_test, predicted, ranking),
                            }
                        )
    return rows


def _failed(sampler: str, setting: int, exc: Exception) -> dict[str, Any]:
    return {
        "sampler": sampler,
        "sampler_setting": setting,
        "failed": f"{type(exc).__name__}: {exc}"[:300],
    }


def best_scores(rows: list[dict[str, Any]]) -> dict:
    """Per sampler, classifier and metric: the best mean over settings (NaN if none).

    A setting's mean is over the folds; a setting that failed on any fold is out.
    """
    failed = {(r["sampler"], r["sampler_setting"]) for r in rows if "failed" in r}
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if "failed" in row or (row["sampler"], row["sampler_setting"]) in failed:
            continue
        key = (
            row["sampler"],
            row["classifier"],
            row["sampler_setting"],
            row["classifier_setting"],
        )
        groups.setdefault(key, []).append(row)
    best: dict = {
        s: {c: dict.fromkeys(METRICS, math.nan) for c in CLASSIFIERS} for s in SAMPLERS
    }
    for (sampler, classifier, _, _), group in groups.items():
        for metric in METRICS:
            mean = float(np.mean([r[metric] for r in group]))
            current = best[sampler][classifier][metric]
            if math.isnan(current) or mean > current:
                best[sampler][classifier][metric] = mean
    return best


def evaluate_dataset(
    name: str, *, n_splits: int, n_repeats: int, quick: bool, n_jobs: int
) -> dict:
    from joblib import Parallel, delayed
    from sklearn.model_selection import RepeatedStratifiedKFold

    from balancekit.bench import load_dataset

    data = load_dataset(name)
    X, y = np.asarray(data.X, dtype=np.float64), np.asarray(data.y)
    splitter = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=5
    )
    folds = list(splitter.split(X, y))
    started = time.perf_counter()
    per_fold = Parallel(n_jobs=n_jobs)(
        delayed(run_fold)(X, y, train, test, seed, quick)
        for seed, (train, test) in enumerate(folds)
    )
    rows = [row for fold in per_fold for row in fold]
    return {
        "name": name,
        "n_samples": int(y.shape[0]),
        "n_minority": int(np.sum(y == 1)),
        "seconds": time.perf_counter() - started,
        "failures": sorted({r["failed"] for r in rows if "failed" in r}),
        "best": best_scores(rows),
    }


def rankings(datasets: list[dict]) -> dict:
    """Average ranks and Friedman tests: classifier-averaged, and per classifier."""
    from balancekit.bench._stats import friedman_test

    out: dict = {}
    for metric in METRICS:
        tables = {"mean of classifiers": []}
        for classifier in CLASSIFIERS:
            tables[classifier] = []
        for result in datasets:
            best = result["best"]
            per_classifier = {
                c: [best[s][c][metric] for s in SAMPLERS] for c in CLASSIFIERS
            }
            for classifier, row in per_classifier.items():
                tables[classifier].append(row)
            stacked = np.array(list(per_classifier.values()), dtype=float)
            # NaN (a failed sampler) stays NaN: the Friedman ranks put it last.
            tables["mean of classifiers"].append(stacked.mean(axis=0).tolist())
        out[metric] = {}
        for table_name, scores in tables.items():
            test = friedman_test(np.array(scores, dtype=float))
            ranks = dict(zip(SAMPLERS, test.average_ranks.tolist(), strict=True))
            out[metric][table_name] = {
                "average_ranks": ranks,
                "friedman_statistic": test.statistic,
                "friedman_p_value": test.p_value,
                "iman_davenport_p_value": test.iman_davenport_p_value,
                "critical_difference": test.critical_difference,
                "significant_pairs": test.significant_pairs(list(SAMPLERS)),
                "agrees_with_paper": {
                    name: ranks[name] < ranks["SMOTE"] for name in PAPER_ORDER[:3]
                },
            }
    return out


def markdown(payload: dict) -> str:
    from balancekit._output import markdown_cell

    lines = [
        "# Over-sampler ranking on the bench's real data sets (issue 17)",
        "",
        f"Mode: {'quick' if payload['quick'] else 'full'}; "
        f"{payload['n_splits']}-fold CV x {payload['n_repeats']} repeat(s); "
        f"{len(payload['datasets'])} data sets; {payload['seconds']:.0f} s.",
        "",
        "Rank 1 is best. Kovács (2019) ranks PolynomialFitSMOTE, ProWSyn and "
        "SMOTEIPF above SMOTE; 'agrees' says whether each has a better (lower) "
        "average rank than SMOTE here. Friedman: Iman-Davenport p-value; CD: "
        "Nemenyi critical difference at 0.05.",
        "",
    ]
    for metric, tables in payload["rankings"].items():
        lines += [
            f"## {metric.upper()}",
            "",
            "| table | " + " | ".join(SAMPLERS) + " | Friedman p | CD | agrees |",
            "|---|" + "---:|" * len(SAMPLERS) + "---:|---:|---|",
        ]
        for table_name, result in tables.items():
            ranks = result["average_ranks"]
            agrees = ", ".join(
                f"{name}: {'yes' if ok else 'no'}"
                for name, ok in result["agrees_with_paper"].items()
            )
            cells = " | ".join(f"{ranks[s]:.2f}" for s in SAMPLERS)
            lines.append(
                f"| {markdown_cell(table_name)} | {cells} | "
                f"{result['iman_davenport_p_value']:.3g} | "
                f"{result['critical_difference']:.2f} | {agrees} |"
            )
        lines.append("")
    lines += ["## Data sets", "", "| data set | rows | minority | seconds | failures |"]
    lines.append("|---|---:|---:|---:|---|")
    for result in payload["datasets"]:
        failures = "; ".join(result["failures"]) or "-"
        lines.append(
            f"| {markdown_cell(result['name'])} | {result['n_samples']} | "
            f"{result['n_minority']} | {result['seconds']:.0f} | "
            f"{markdown_cell(failures)} |"
        )
    lines += ["", "## Protocol and deviations from the paper", ""]
    lines += [f"- {markdown_cell(item)}" for item in payload["deviations"]]
    return "\n".join(lines) + "\n"


def deviations(args: argparse.Namespace) -> list[str]:
    return [
        "12 data sets (the bench's real sets) instead of Kovács' 104.",
        f"{args.n_splits}-fold stratified CV repeated {args.repeats} time(s), "
        "random_state=5.",
        "Over-sampler parameters: "
        + ("the default only (--quick)" if args.quick else "2-5 fixed combinations")
        + " instead of up to 35 random combinations.",
        "Classifiers: LinearSVC (decision-function scores), kNN, CART decision "
        "tree, MLP; "
        + ("one setting each (--quick)" if args.quick else "two settings each")
        + "; the paper's grids were larger.",
        "Scores: AUC, G-mean, minority F1, P20; the best mean over settings per "
        "(data set, over-sampler, classifier).",
        "Primary ranking: per data set, the score averaged over the 4 classifiers.",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 repeat, 1 setting")
    parser.add_argument("--out", default="results/oversampler-ranking")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--datasets", default=None, help="comma-separated subset")
    args = parser.parse_args(argv)
    from balancekit._output import atomic_write_text
    from balancekit.bench import list_datasets

    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    names = list_datasets() if args.datasets is None else args.datasets.split(",")
    unknown = sorted(set(names) - set(list_datasets()))
    if unknown or args.n_jobs < 1 or args.n_splits < 2 or args.repeats < 1:
        print(
            f"error: unknown data sets {unknown}, or --n-jobs < 1, --n-splits < 2 "
            "or --repeats < 1.",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create --out {out}: {exc}", file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    started = time.perf_counter()
    results: list[dict] = []
    for name in names:
        results.append(
            evaluate_dataset(
                name,
                n_splits=args.n_splits,
                n_repeats=args.repeats,
                quick=args.quick,
                n_jobs=args.n_jobs,
            )
        )
        print(f"{name}: {results[-1]['seconds']:.0f} s", flush=True)
        payload = {
            "quick": args.quick,
            "n_splits": args.n_splits,
            "n_repeats": args.repeats,
            "samplers": list(SAMPLERS),
            "classifiers": list(CLASSIFIERS),
            "metrics": list(METRICS),
            "seconds": time.perf_counter() - started,
            "deviations": deviations(args),
            "datasets": results,
            "rankings": rankings(results) if len(results) >= 2 else {},
        }
        text = json.dumps(payload, indent=1, allow_nan=True, default=str)
        atomic_write_text(out / "ranking.json", text + "\n")
        if payload["rankings"]:
            atomic_write_text(out / "ranking.md", markdown(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
