"""``balancekit bench`` on multilabel data: the mode, its checks and its run.

The data decide the mode: ``--multilabel`` (every multilabel set of the bench) or a
``--dataset`` naming one runs the multilabel strategies with the multilabel torch
MLP. The run folder behaves as the single-label bench's: ``--out`` checked first,
one flushed row per finished run, atomic files, a PARTIAL report after an
interrupt, ``--resume`` and ``--overwrite``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._output import Interrupted
from balancekit.bench._multilabel_data import (
    MultilabelDataset,
    list_multilabel_datasets,
    load_multilabel_dataset,
)

__all__ = [
    "QUICK_MULTILABEL_DATASET",
    "check_multilabel_arguments",
    "is_multilabel",
    "print_multilabel_list",
    "run_multilabel",
]

#: The data set of ``--multilabel --quick``.
QUICK_MULTILABEL_DATASET = "solar-flare"
#: ``--metric`` values of the multilabel mode; pr_auc (the default) means macro AP.
_METRIC_ALIASES = {"pr_auc": "macro_ap"}


def is_multilabel(args: argparse.Namespace) -> bool:
    """Whether the arguments ask for the multilabel bench.

    Raises
    ------
    ValueError
        When multilabel and single-label data sets are mixed.
    """
    names = args.dataset or []
    multilabel = [n for n in names if n in list_multilabel_datasets()]
    if multilabel and len(multilabel) != len(names):
        single = [n for n in names if n not in multilabel]
        raise ValueError(
            f"--dataset mixes multilabel sets ({', '.join(multilabel)}) with "
            f"single-label ones ({', '.join(single)}); run them separately."
        )
    return bool(args.multilabel or multilabel)


def _metric(args: argparse.Namespace) -> str:
    return _METRIC_ALIASES.get(args.metric, args.metric)


def check_multilabel_arguments(args: argparse.Namespace) -> None:
    """The checks of the multilabel mode (after the shared ones); ValueError."""
    from balancekit.bench._multilabel_scores import MULTILABEL_METRICS
    from balancekit.bench._multilabel_strategies import resolve_multilabel_strategies

    refused = {
        "--data": args.data is not None,
        "--synthetic": args.synthetic is not None,
        "--tune": args.tune is not None,
        "--impute": args.impute is not None,
    }
    for option, given in refused.items():
        if given:
            raise ValueError(
                f"{option} is not available with multilabel data (the bench's "
                f"multilabel sets: {', '.join(list_multilabel_datasets())})."
            )
    if _metric(args) not in MULTILABEL_METRICS:
        raise ValueError(
            f"--metric must be one of {sorted(MULTILABEL_METRICS)} with multilabel "
            f"data; got {args.metric!r}."
        )
    models = [m.strip() for m in (args.models or "torch_mlp").split(",") if m.strip()]
    if models != ["torch_mlp"]:
        raise ValueError(
            "multilabel data run with the torch MLP only (--models torch_mlp); got "
            f"{','.join(models)}."
        )
    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1; got {args.epochs}.")
    resolve_multilabel_strategies(_strategy_names(args))


def _strategy_names(args: argparse.Namespace) -> list[str] | None:
    if args.strategies is None:
        return None
    return [part.strip() for part in args.strategies.split(",") if part.strip()]


def _datasets(args: argparse.Namespace) -> list[MultilabelDataset]:
    names = args.dataset
    if not names:
        names = [QUICK_MULTILABEL_DATASET] if args.quick else list_multilabel_datasets()
    return [load_multilabel_dataset(name) for name in names]


def _describe(dataset: MultilabelDataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "rows": dataset.n_samples,
        "features": dataset.n_features,
        "labels": dataset.n_labels,
        "label_counts": dict(
            zip(dataset.label_names, dataset.label_counts.tolist(), strict=True)
        ),
        "cardinality": float(dataset.Y.sum(axis=1).mean()),
        "mean_ir": dataset.mean_ir,
        "source": dataset.source,
    }


def _arguments(
    args: argparse.Namespace, chosen: list[MultilabelDataset]
) -> dict[str, Any]:
    """What decides the table: --resume continues only a run with the same."""
    from balancekit.bench._multilabel_strategies import resolve_multilabel_strategies

    data = []
    for dataset in chosen:
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(dataset.X).tobytes())
        digest.update(np.ascontiguousarray(dataset.Y).tobytes())
        data.append({"name": dataset.name, "sha256": digest.hexdigest()[:16]})
    return {
        "mode": "multilabel",
        "datasets": data,
        "models": ["torch_mlp"],
        "strategies": [
            s.name for s in resolve_multilabel_strategies(_strategy_names(args))
        ],
        "seeds": list(range(args.seeds)),
        "test_size": args.test_size,
        "epochs": args.epochs or 30,
    }


def print_multilabel_list() -> None:
    """The multilabel data sets and strategies, for ``--list``."""
    from balancekit.bench._multilabel_strategies import default_multilabel_strategies

    print("multilabel data sets (--dataset, or all with --multilabel):")
    for name in list_multilabel_datasets():
        d = load_multilabel_dataset(name)
        print(
            f"  {name:<20} {d.n_samples:>5} x {d.n_features:<3} {d.n_labels:>2} "
            f"labels  MeanIR {d.mean_ir:>5.1f}  {d.source}"
        )
    print("multilabel strategies (--strategies; model torch_mlp):")
    for strategy in default_multilabel_strategies():
        print(f"  {strategy.name:<32} {strategy.description}")


def run_multilabel(args: argparse.Namespace, ignore_signals: Any) -> int:
    """The multilabel bench with checked ``args``; returns the exit code."""
    from balancekit.bench._cli import _fail, _say
    from balancekit.bench._comparison import Comparison
    from balancekit.bench._multilabel_compare import (
        MULTILABEL_COLUMNS,
        run_multilabel_comparisons,
    )
    from balancekit.bench._multilabel_report import (
        MULTILABEL_FLOATS,
        finish_multilabel,
        table_markdown,
    )
    from balancekit.bench._rundir import RunFolder, RunFolderError
    from balancekit.bench._runner import WorkerDied, available_cores

    folder = RunFolder(args.out, MULTILABEL_COLUMNS, MULTILABEL_FLOATS)
    try:
        folder.claim(overwrite=args.overwrite, resume=args.resume)
    except (RunFolderError, OSError) as error:
        return _fail(str(error))
    try:
        try:
            chosen = _datasets(args)
            arguments = _arguments(args, chosen)
            done = folder.check_resume(arguments) if args.resume else []
        except (ValueError, TypeError, ImportError, OSError) as error:
            return _fail(str(error))
        n_jobs = args.n_jobs or available_cores()
        folder.write_manifest(arguments, "running")
        folder.start_csv(done)
        start = time.perf_counter()
        for d in chosen:
            _say(
                f"{d.name}: {d.n_samples} rows x {d.n_features} features, "
                f"{d.n_labels} labels, MeanIR {d.mean_ir:.1f} (multilabel)"
            )
        if done:
            _say(f"resuming: {len(done)} finished runs kept from {args.out}")
        result = Comparison()
        partial: str | None = None
        code = 0
        try:
            run_multilabel_comparisons(
                [(d.name, d.X, d.Y, d.label_names) for d in chosen],
                strategies=_strategy_names(args),
                seeds=args.seeds,
                test_size=args.test_size,
                epochs=args.epochs or 30,
                n_jobs=n_jobs,
                progress=None if not args.no_progress else False,
                on_run=folder.append,
                done=done,
                result=result,
            )
        except ValueError as error:
            return _fail(str(error))
        except (Interrupted, KeyboardInterrupt) as interrupt:
            ignore_signals()
            partial = f"interrupted by {getattr(interrupt, 'name', 'SIGINT')}"
            code = getattr(interrupt, "exit_code", 130)
        except (WorkerDied, OSError) as error:
            ignore_signals()
            partial = f"stopped: {error}"
            code = 1
        ignore_signals()  # the last writes cannot be cut by a second Ctrl-C
        metric = _metric(args)
        try:
            files = finish_multilabel(
                folder,
                result,
                arguments=arguments,
                datasets=[_describe(d) for d in chosen],
                metric=metric,
                partial=partial,
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
        for d in chosen:
            _say(f"\n## {d.name} — torch_mlp (multilabel)\n")
            _say(table_markdown(folder.summary or [], dataset=d.name, metric=metric))
        failed = sum(r["status"] != "ok" for r in result.records)
        _say(
            f"\n{len(result.records)} runs ({failed} failed) in "
            f"{time.perf_counter() - start:.0f} s. Protocol and every metric: {report}"
        )
        _say("files:\n" + "\n".join(f"  {path}" for path in files))
        return 0
    finally:
        folder.release()
