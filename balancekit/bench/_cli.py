"""``balancekit bench``: compare imbalance strategies on real data, write a report."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._io import DEFAULT_MAX_BYTES
from balancekit._output import Interrupted, check_out_dir, terminal_text, trap_signals

__all__ = ["DESCRIPTION", "QUICK_DATASET", "add_arguments", "run"]

QUICK_DATASET = "yeast4"

DESCRIPTION = """\
Compare imbalance strategies (none, class weights, every sampler, decision strategies
(tuned threshold, prior correction, temperature), and for the torch MLP the
BalancedSampler, losses and batch augmentation) across models on real imbalanced
data, with an honest protocol: a stratified test split no choice ever sees, resampling
inside training folds only, optional tuning by cross-validation on the training part,
repeated over seeds. Prints a Markdown table and writes results.csv, results.json,
report.md and PNG plots.

examples:
  balancekit bench --quick                      # one real data set, about 20 s
  balancekit bench                              # every shipped real data set
  balancekit bench --data my.csv --target label --tune random
  balancekit bench --synthetic 20000 16 50      # 20,000 x 16, imbalance ratio 50
  balancekit bench --multilabel                 # the multilabel sets and strategies
  balancekit bench --resume                     # continue an interrupted run

time: fits run in --n-jobs worker processes, one thread each, so a busy machine slows
a run in proportion. Measured on 2 cores (benchmarks/bench_bench_load.py): --quick
takes about 20 s; the full default bench (1,944 runs) about 2 minutes with 2 workers,
3.5 with one.
Two competing CPU-bound processes about double them.

files: results.csv grows one row per finished run; results.json, report.md and the
plots are written at the end, each atomically. Ctrl-C (SIGINT) or SIGTERM keeps the
finished runs, writes a report marked PARTIAL and exits with 130 / 143; continue with
the same command and --resume. A folder holding another run's files is refused unless
--overwrite (replace them) or --resume; two runs never write into one folder at once.
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
        "--multilabel",
        action="store_true",
        help="the multilabel data sets (solar-flare, synthetic-multilabel) with "
        "the multilabel strategies and the torch MLP; naming one with --dataset "
        "does the same",
    )
    data.add_argument(
        "--list", action="store_true", help="list the shipped data sets and exit"
    )
    data.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="refuse a --data file whose declared in-memory size is larger, before "
        "reading it (default 2 GiB)",
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
    runs.add_argument(
        "--impute",
        choices=("median", "most_frequent"),
        help="fill missing feature values inside the pipeline (a SimpleImputer "
        "fitted on the training rows only); without it, missing values are an error",
    )
    runs.add_argument(
        "--epochs",
        type=int,
        default=None,
        metavar="N",
        help="training epochs of the multilabel torch MLP (default 30; multilabel "
        "data only)",
    )
    runs.add_argument("--n-iter", type=int, default=8, help="random-search candidates")
    runs.add_argument("--cv", type=int, default=3, help="folds of the search")
    runs.add_argument(
        "--metric", default="pr_auc", help="sort and rank by this metric (pr_auc)"
    )
    runs.add_argument(
        "--quick",
        action="store_true",
        help=f"one data set ({QUICK_DATASET}), a few strategies: about 20 s on 2 cores",
    )
    runs.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes, one thread per fit (default: the available cores); "
        "the table is the same for every N",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        default="balancekit-bench",
        metavar="DIR",
        help="folder for the files (default ./balancekit-bench); refused when it "
        "holds another run's files, unless --overwrite or --resume",
    )
    output.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the files of a previous run in --out",
    )
    output.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted run in --out: its finished rows of "
        "results.csv are kept, the rest run (the arguments must be the same)",
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
        chosen.append(
            datasets.load_file(
                args.data,
                args.target,
                max_bytes=args.max_bytes,
                allow_missing=args.impute is not None,
            )
        )
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
    from balancekit.bench._multilabel_cli import print_multilabel_list

    print_multilabel_list()


def _fail(message: str) -> int:
    print(f"balancekit bench: error: {terminal_text(message)}", file=sys.stderr)
    return 2


def _check_arguments(args: argparse.Namespace) -> None:
    """Every argument that can be checked without reading data; ValueError if bad."""
    check_out_dir(args.out)  # first: answered before anything heavy is imported
    from balancekit.bench._multilabel_cli import (
        check_multilabel_arguments,
        is_multilabel,
    )
    from balancekit.bench._scores import HIGHER_IS_BETTER

    multilabel = is_multilabel(args)
    if not multilabel and args.metric not in HIGHER_IS_BETTER:
        raise ValueError(f"--metric must be one of {sorted(HIGHER_IS_BETTER)}.")
    if not multilabel and args.epochs is not None:
        raise ValueError("--epochs is only used with multilabel data (--multilabel).")
    if args.n_jobs is not None and args.n_jobs < 1:
        raise ValueError(f"--n-jobs must be at least 1; got {args.n_jobs}.")
    if args.seeds < 1:
        raise ValueError(f"--seeds must be at least 1; got {args.seeds}.")
    if not 0.0 < args.test_size < 1.0:
        raise ValueError(f"--test-size must be in (0, 1); got {args.test_size}.")
    if args.cv < 2:
        raise ValueError(f"--cv must be at least 2; got {args.cv}.")
    if args.n_iter < 1:
        raise ValueError(f"--n-iter must be at least 1; got {args.n_iter}.")
    if args.max_bytes < 1:
        raise ValueError(f"--max-bytes must be positive; got {args.max_bytes}.")
    if args.resume and args.overwrite:
        raise ValueError("--resume and --overwrite exclude each other; choose one.")
    if args.data is not None and not args.target:
        raise ValueError("--data needs --target COLUMN.")
    if args.data is None and args.target:
        raise ValueError("--target is only used with --data FILE.")
    if multilabel:
        check_multilabel_arguments(args)


def _arguments(
    args: argparse.Namespace, chosen: list[Any], models: list[str]
) -> dict[str, Any]:
    """What decides the table: --resume continues only a run with the same."""
    import hashlib

    from balancekit.bench._strategies import resolve_strategies

    data = []
    for dataset in chosen:
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(dataset.X).tobytes())
        digest.update(np.ascontiguousarray(dataset.y).tobytes())
        data.append({"name": dataset.name, "sha256": digest.hexdigest()[:16]})
    return {
        "datasets": data,
        "models": models,
        "strategies": [s.name for s in resolve_strategies(_strategies(args))],
        "seeds": list(range(args.seeds)),
        "test_size": args.test_size,
        "tune": args.tune,
        "n_iter": args.n_iter,
        "cv": args.cv,
        "impute": args.impute,
    }


def _print_tables(result: Any, metric: str, summary: Any = None) -> None:
    from balancekit.bench._report import TERMINAL_METRICS, summary_markdown
    from balancekit.bench._summary import summarize

    if summary is None:
        summary = summarize(result.records)
    terminal_metrics = list(dict.fromkeys([metric, *TERMINAL_METRICS]))
    for dataset, model in dict.fromkeys((r["dataset"], r["model"]) for r in summary):
        _say(f"\n## {dataset} — {model}\n")
        _say(
            summary_markdown(
                summary,
                dataset=dataset,
                model=model,
                metrics=terminal_metrics,
                sort_by=metric,
            )
        )
    from balancekit.bench._recommend import recommendation_section

    _say("\n" + recommendation_section(summary, metric=metric))


def _say(text: str, file: Any = None) -> None:
    print(terminal_text(text), file=file or sys.stdout, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run ``balancekit bench`` with parsed ``args``; returns the exit code.

    0 when every run finished, 2 for bad arguments or input (one line on stderr),
    130 / 143 after SIGINT / SIGTERM (the finished runs are kept and reported as a
    partial report), 1 when a worker process died.
    """
    if args.list:
        _print_list()
        return 0
    try:
        _check_arguments(args)
    except ValueError as error:
        return _fail(str(error))
    with trap_signals() as ignore_signals:
        try:
            return _run(args, ignore_signals)
        except Interrupted as interrupt:
            ignore_signals()
            _say(f"balancekit bench: interrupted by {interrupt.name}.", sys.stderr)
            return interrupt.exit_code
        except KeyboardInterrupt:
            ignore_signals()
            _say("balancekit bench: interrupted by SIGINT.", sys.stderr)
            return 130


def _run(args: argparse.Namespace, ignore_signals: Any) -> int:
    from balancekit.bench._multilabel_cli import is_multilabel, run_multilabel

    if is_multilabel(args):
        return run_multilabel(args, ignore_signals)
    from balancekit.bench._compare import Comparison, run_comparisons
    from balancekit.bench._rundir import RunFolder, RunFolderError
    from balancekit.bench._runner import WorkerDied, available_cores, warm_up

    folder = RunFolder(args.out)
    try:
        folder.claim(overwrite=args.overwrite, resume=args.resume)
    except (RunFolderError, OSError) as error:
        return _fail(str(error))
    if (args.n_jobs or available_cores()) > 1:
        warm_up()  # workers' imports overlap with reading the data
    try:
        try:
            chosen = _datasets(args)
            models = _models(args)
            arguments = _arguments(args, chosen, models)
            done = folder.check_resume(arguments) if args.resume else []
        except (ValueError, TypeError, ImportError, OSError) as error:
            return _fail(str(error))
        n_jobs = args.n_jobs or available_cores()
        folder.write_manifest(arguments, "running")
        folder.start_csv(done)
        start = time.perf_counter()
        for dataset in chosen:
            _say(
                f"{dataset.name}: {dataset.n_samples} rows x {dataset.n_features} "
                f"features, imbalance ratio {dataset.imbalance_ratio:.1f}"
            )
        if done:
            _say(f"resuming: {len(done)} finished runs kept from {args.out}")
        result = Comparison()
        partial: str | None = None
        code = 0
        try:
            run_comparisons(
                [(d.name, d.X, d.y) for d in chosen],
                strategies=_strategies(args),
                models=models,
                seeds=args.seeds,
                test_size=args.test_size,
                tune=args.tune,
                n_iter=args.n_iter,
                cv=args.cv,
                impute=args.impute,
                progress=None if not args.no_progress else False,
                on_run=folder.append,
                n_jobs=n_jobs,
                done=done,
                result=result,
            )
        except ValueError as error:
            return _fail(str(error))
        except (Interrupted, KeyboardInterrupt) as interrupt:
            ignore_signals()
            name = getattr(interrupt, "name", "SIGINT")
            partial = f"interrupted by {name}"
            code = getattr(interrupt, "exit_code", 130)
        except (WorkerDied, OSError) as error:
            ignore_signals()
            partial = f"stopped: {error}"
            code = 1
        ignore_signals()  # the last writes cannot be cut by a second Ctrl-C
        try:
            files = folder.finish(
                result,
                arguments=arguments,
                datasets=[_describe(d) for d in chosen],
                metric=args.metric,
                plots=not args.no_plots,
                partial=partial,
                log=_say,
                n_jobs=n_jobs,
            )
        except OSError as error:
            _fail(f"could not write the report into {args.out}: {error}")
            return 1
        report = Path(args.out) / "report.md"
        if partial is not None:
            _say(
                f"balancekit bench: {partial}; kept {len(result.records)} finished "
                f"runs, partial report in {report}; continue with --resume.",
                sys.stderr,
            )
            return code
        for note in result.notes:
            _say(f"note: {note}")
        _print_tables(result, args.metric, folder.summary)
        elapsed = time.perf_counter() - start
        failed = sum(r["status"] != "ok" for r in result.records)
        _say(
            f"\n{len(result.records)} runs ({failed} failed) in {elapsed:.0f} s. "
            f"Protocol and every metric: {report}"
        )
        _say("files:\n" + "\n".join(f"  {path}" for path in files))
        return 0
    finally:
        folder.release()
