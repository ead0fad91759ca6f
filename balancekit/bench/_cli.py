"""``balancekit bench``: compare imbalance strategies on real data, write a report."""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path
from typing import Any

__all__ = ["DESCRIPTION", "QUICK_DATASET", "add_arguments", "run"]

QUICK_DATASET = "yeast4"

DESCRIPTION = """\
Compare imbalance strategies (none, class weights, every sampler, and for the torch MLP
the BalancedSampler, losses and batch augmentation) across models on real imbalanced
data, with an honest protocol: a stratified test split no choice ever sees, resampling
inside training folds only, optional tuning by cross-validation on the training part,
repeated over seeds. Prints a Markdown table and writes results.csv, results.json,
report.md and PNG plots.

examples:
  balancekit bench --quick                      # one real data set, about a minute
  balancekit bench                              # every shipped real data set
  balancekit bench --data my.csv --target label --tune random
  balancekit bench --synthetic 20000 16 50      # 20,000 x 16, imbalance ratio 50
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``balancekit bench``."""
    data = parser.add_argument_group("data (default: every shipped real data set)")
    data.add_argument(
        "--dataset",
        action="append",
        metavar="NAME",
        help="a shipped data set (repeatable); see --list",
    )
    data.add_argument("--data", metavar="FILE", help="your own .csv, .parquet or .npz")
    data.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    data.add_argument(
        "--synthetic",
        nargs=3,
        type=float,
        metavar=("ROWS", "FEATURES", "RATIO"),
        help="a synthetic binary set with this imbalance ratio (majority/minority)",
    )
    data.add_argument(
        "--list", action="store_true", help="list the shipped data sets and exit"
    )
    runs = parser.add_argument_group("what runs")
    runs.add_argument(
        "--models",
        metavar="M[,M]",
        help="logistic_regression, hist_gradient_boosting, torch_mlp, keras_mlp "
        "(default: the first two; --quick adds torch_mlp when torch is installed)",
    )
    runs.add_argument(
        "--strategies",
        metavar="S[,S]",
        help="strategy names (default: every one that applies); see --list",
    )
    runs.add_argument("--seeds", type=int, default=3, help="repetitions (default 3)")
    runs.add_argument(
        "--test-size", type=float, default=0.25, help="held-out share (default 0.25)"
    )
    runs.add_argument(
        "--tune",
        choices=("random", "grid"),
        help="search each strategy's parameters by CV on the training part",
    )
    runs.add_argument("--n-iter", type=int, default=8, help="random-search candidates")
    runs.add_argument("--cv", type=int, default=3, help="folds of the search")
    runs.add_argument(
        "--metric", default="pr_auc", help="sort and rank by this metric (pr_auc)"
    )
    runs.add_argument(
        "--quick",
        action="store_true",
        help=f"one data set ({QUICK_DATASET}), a few strategies, under a minute or two",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        default="balancekit-bench",
        metavar="DIR",
        help="folder for the files (default ./balancekit-bench)",
    )
    output.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    output.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr"
    )


def _split_names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _datasets(args: argparse.Namespace) -> list[Any]:
    from balancekit.bench import datasets

    chosen = []
    if args.data is not None:
        if not args.target:
            raise SystemExit("balancekit bench: --data needs --target COLUMN.")
        chosen.append(datasets.load_file(args.data, args.target))
    elif args.target:
        raise SystemExit("balancekit bench: --target is only used with --data FILE.")
    if args.synthetic is not None:
        rows, features, ratio = args.synthetic
        chosen.append(
            datasets.make_synthetic(
                n_samples=int(rows),
                n_features=int(features),
                imbalance_ratio=ratio,
                random_state=0,
            )
        )
    names = args.dataset or ([] if chosen else None)
    if names is None:
        names = [QUICK_DATASET] if args.quick else datasets.list_datasets()
    chosen += [datasets.load_dataset(name) for name in names]
    return chosen


def _models(args: argparse.Namespace) -> list[str]:
    names = _split_names(args.models)
    if names is not None:
        return names
    names = ["logistic_regression", "hist_gradient_boosting"]
    if args.quick and importlib.util.find_spec("torch") is not None:
        names.append("torch_mlp")
    return names


def _strategies(args: argparse.Namespace) -> list[str] | None:
    from balancekit.bench._strategies import QUICK_STRATEGIES

    names = _split_names(args.strategies)
    if names is None and args.quick:
        return [*QUICK_STRATEGIES, "torch BalancedSampler", "loss=focal"]
    return names


def _describe(dataset: Any) -> dict[str, Any]:
    counts = dataset.class_counts.tolist()
    return {
        "name": dataset.name,
        "rows": dataset.n_samples,
        "features": dataset.n_features,
        "counts": " / ".join(
            f"{name} {n}" for name, n in zip(dataset.class_names, counts, strict=True)
        ),
        "imbalance_ratio": float(dataset.imbalance_ratio),
        "source": dataset.source,
    }


def _print_list() -> None:
    from balancekit.bench import datasets
    from balancekit.bench._models import default_models
    from balancekit.bench._strategies import default_strategies

    print("data sets (--dataset):")
    for name in datasets.list_datasets():
        d = _describe(datasets.load_dataset(name))
        print(
            f"  {name:<20} {d['rows']:>5} x {d['features']:<3} ratio "
            f"{d['imbalance_ratio']:>6.1f}  {d['source']}"
        )
    print("models (--models):")
    for model in default_models():
        print(f"  {model.name:<24} {model.description}")
    print("strategies (--strategies):")
    for strategy in default_strategies():
        only = (
            f" [{', '.join(strategy.frameworks)} only]" if strategy.frameworks else ""
        )
        print(f"  {strategy.name:<32} {strategy.description}{only}")


def run(args: argparse.Namespace) -> int:
    """Run ``balancekit bench`` with parsed ``args``; returns the exit code."""
    if args.list:
        _print_list()
        return 0
    from balancekit.bench._compare import Comparison, run_comparison
    from balancekit.bench._report import (
        TERMINAL_METRICS,
        summary_markdown,
        write_files,
    )
    from balancekit.bench._scores import HIGHER_IS_BETTER
    from balancekit.bench._summary import summarize

    if args.metric not in HIGHER_IS_BETTER:
        raise SystemExit(
            f"balancekit bench: --metric must be one of {sorted(HIGHER_IS_BETTER)}."
        )
    try:
        chosen = _datasets(args)
    except ValueError as error:
        raise SystemExit(f"balancekit bench: {error}") from error
    start = time.perf_counter()
    result = Comparison()
    for dataset in chosen:
        print(
            f"{dataset.name}: {dataset.n_samples} rows x {dataset.n_features} "
            f"features, imbalance ratio {dataset.imbalance_ratio:.1f}",
            flush=True,
        )
        try:
            part = run_comparison(
                dataset.X,
                dataset.y,
                strategies=_strategies(args),
                models=_models(args),
                dataset=dataset.name,
                seeds=args.seeds,
                test_size=args.test_size,
                tune=args.tune,
                n_iter=args.n_iter,
                cv=args.cv,
                progress=None if not args.no_progress else False,
            )
        except ValueError as error:
            raise SystemExit(f"balancekit bench: {error}") from error
        result.extend(part)
    for note in result.notes:
        print(f"note: {note}")
    summary = summarize(result.records)
    terminal_metrics = list(dict.fromkeys([args.metric, *TERMINAL_METRICS]))
    for dataset, model in dict.fromkeys((r["dataset"], r["model"]) for r in summary):
        print(f"\n## {dataset} — {model}\n")
        print(
            summary_markdown(
                summary,
                dataset=dataset,
                model=model,
                metrics=terminal_metrics,
                sort_by=args.metric,
            )
        )
    files = write_files(
        result,
        args.out,
        datasets=[_describe(d) for d in chosen],
        metric=args.metric,
        plots=not args.no_plots,
        log=print,
    )
    elapsed = time.perf_counter() - start
    failed = sum(r["status"] != "ok" for r in result.records)
    print(
        f"\n{len(result.records)} runs ({failed} failed) in {elapsed:.0f} s. "
        f"Protocol and every metric: {Path(args.out) / 'report.md'}"
    )
    print("files:")
    for path in files:
        print(f"  {path}")
    return 0
