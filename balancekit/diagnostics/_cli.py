"""``balancekit inspect``: check a data file (and a train/test split) from the shell."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._io import DEFAULT_MAX_BYTES
from balancekit._output import (
    Interrupted,
    atomic_write_text,
    check_out_dir,
    lock_folder,
    terminal_text,
    trap_signals,
)
from balancekit.diagnostics._findings import SEVERITIES, Finding
from balancekit.diagnostics._parquet_input import (
    DaskTable,
    is_parquet_dataset,
    read_parquet_dataset,
)

__all__ = [
    "DESCRIPTION",
    "DaskTable",
    "add_arguments",
    "is_parquet_dataset",
    "read_parquet_dataset",
    "run",
    "table_findings",
]

DESCRIPTION = """\
Check a data set for what hides the minority class from a model: class counts and
imbalance ratios, missing and infinite values, constant and badly scaled features,
duplicate rows, identical rows with different labels, and how hard each class is
(safe / borderline / rare / outlier among its nearest neighbours). With --test, also
check the train/test split for leakage and class shift. Every finding comes with a
next step. Reads CSV, Parquet and .npz files; text labels, missing values and
non-numeric columns are reported, never fatal. A folder of Parquet files, or a glob
of them, is opened lazily with Dask (pip install 'balancekit[dask]') and inspected
partition by partition, so it may be larger than memory (--max-bytes does not
apply; non-numeric columns are left out; no --test).

examples:
  balancekit inspect train.csv --target label
  balancekit inspect train.csv --target label --test test.csv --out report/
  balancekit inspect big.parquet --target y --max-samples 0 --json   # exact typology
  balancekit inspect 'parts/*.parquet' --target y   # with Dask, larger than memory

files: --out is checked before any work; report.json and the plots are each written
atomically. A folder holding another report.json is refused unless --overwrite, and
two runs never write into one folder at once. Files from elsewhere are read safely:
sizes are checked before reading (--max-bytes) and nothing is ever unpickled; a
malformed file is one line on stderr and exit code 2. Ctrl-C exits with 130 (SIGTERM:
143) without a traceback.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``balancekit inspect``."""
    parser.add_argument(
        "file",
        metavar="FILE",
        help="a .csv, .parquet or .npz file, or a folder or glob of .parquet files "
        "(read lazily with Dask)",
    )
    parser.add_argument(
        "--target", required=True, metavar="COLUMN", help="the label column"
    )
    parser.add_argument(
        "--test", metavar="FILE", help="a test file: also check the train/test split"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write report.json and PNG plots to this directory (refused when it "
        "holds another report.json, unless --overwrite)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the report.json and plots of a previous run in --out",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="refuse a file whose declared in-memory size is larger, before reading "
        "it (default 2 GiB)",
    )
    parser.add_argument(
        "--neighbors",
        type=int,
        default=5,
        metavar="K",
        help="neighbours of the difficulty typology (default 5)",
    )
    parser.add_argument(
        "--max-samples",
        type=int,
        default=50_000,
        metavar="N",
        help="compute the difficulty typology for a stratified subsample of N rows, "
        "neighbours searched among all rows (default 50,000; 0: every row, exact "
        "but slow beyond ~200,000 rows). On a Parquet folder or glob, 0 means 50,000; "
        "the neighbours are searched among all rows unless too costly (then within "
        "the subsample, said in the report)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON instead of text"
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES[1:],
        default=None,
        help="exit with 1 when a finding is at least this serious (for CI)",
    )


def table_findings(table: Any, name: str = "the file") -> list[Finding]:
    """Findings about how a file was read: dropped unlabelled rows, coded text columns
    (left-out ones on Dask).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit._io import Table
    >>> table = Table(np.zeros((2, 1)), np.array([0, 1]), ["colour"], ["colour"], 3)
    >>> [(f.code, f.count) for f in table_findings(table)]
    [('missing_labels', 3), ('non_numeric_features', 1)]
    """
    findings = []
    if table.n_missing_labels:
        n = table.n_missing_labels
        findings.append(
            Finding(
                "missing_labels",
                "warning",
                f"{n:,} row{'s' if n != 1 else ''} of {name} had no label and "
                f"{'were' if n != 1 else 'was'} left out",
                "label them or drop them on purpose; if labels are missing more often "
                "for one class, the class counts here are biased",
                count=n,
            )
        )
    if table.categorical_columns:
        columns = list(table.categorical_columns)
        shown = ", ".join(columns[:8]) + (
            f" and {len(columns) - 8} more" if len(columns) > 8 else ""
        )
        findings.append(
            Finding(
                "non_numeric_features",
                "warning",
                f"{len(columns)} non-numeric feature column"
                f"{'s' if len(columns) != 1 else ''} coded as integers (sorted "
                f"categories): {shown}",
                "integer codes are not distances: one-hot encode them, or use SMOTENC "
                "(categorical_features=...) or SMOTEN instead of SMOTE; drop free-text "
                "columns. Duplicates and difficulty here used the codes",
                count=len(columns),
                details={"columns": columns},
            )
        )
    dropped = list(getattr(table, "dropped_columns", []))
    if dropped:
        findings.append(
            Finding(
                "non_numeric_features",
                "warning",
                f"{len(dropped)} non-numeric feature column"
                f"{'s' if len(dropped) != 1 else ''} left out (not coded on Dask): "
                + ", ".join(dropped[:8])
                + (f" and {len(dropped) - 8} more" if len(dropped) > 8 else ""),
                "one-hot or ordinal-encode them when writing the Parquet files to "
                "have them checked; for resampling use SMOTENC or SMOTEN",
                count=len(dropped),
                details={"columns": dropped},
            )
        )
    return findings


def _read(path: str, target: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    from balancekit._io import read_table

    if is_parquet_dataset(path):
        return read_parquet_dataset(path, target)
    return read_table(path, target, max_bytes=max_bytes)


def _numeric_only(table: Any) -> tuple[np.ndarray, list[str]]:
    """Features without the coded text columns (codes differ from file to file)."""
    keep = [
        j
        for j, name in enumerate(table.feature_names)
        if name not in set(table.categorical_columns)
    ]
    return table.X[:, keep], [table.feature_names[j] for j in keep]


def _split_report(train: Any, test: Any) -> tuple[Any, list[Finding]]:
    from balancekit.diagnostics._split import check_split

    if train.feature_names != test.feature_names:
        raise ValueError(
            f"`--test` {test.source!r} has columns {test.feature_names}, but the "
            f"training file has {train.feature_names}; both need the same columns."
        )
    X_train, names = _numeric_only(train)
    X_test, _ = _numeric_only(test)
    notes = []
    dropped = len(train.feature_names) - len(names)
    if dropped:
        notes.append(
            Finding(
                "split_text_columns_ignored",
                "info",
                f"the split check compared the {len(names)} numeric columns only; "
                f"{dropped} non-numeric column{'s' if dropped != 1 else ''} "
                f"{'are' if dropped != 1 else 'is'} coded per file",
                "",
                count=dropped,
            )
        )
    if not names:
        return None, notes
    return check_split(X_train, train.y, X_test, test.y), notes


def _payload(
    table: Any, report: Any, split: Any, split_notes: list[Finding]
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "source": table.source,
        "target_rows_without_label": table.n_missing_labels,
        "non_numeric_columns": list(table.categorical_columns),
        **(
            {"non_numeric_columns_left_out": list(table.dropped_columns)}
            if isinstance(table, DaskTable)
            else {}
        ),
        "data": report.to_dict(),
    }
    if split is not None or split_notes:
        payload["split"] = None if split is None else split.to_dict()
        payload["split_notes"] = [f.to_dict() for f in split_notes]
    return payload


def _text(table: Any, report: Any, split: Any, split_notes: list[Finding]) -> str:
    from balancekit.diagnostics._findings import render_findings

    parts = [f"== {table.source} ==", str(report)]
    if split is not None:
        parts += ["", "== train/test split ==", str(split)]
    if split_notes:
        parts += ["", render_findings(split_notes)]
    return "\n".join(parts)


def _fail(message: str) -> int:
    print(f"balancekit inspect: error: {terminal_text(message)}", file=sys.stderr)
    return 2


def _say(text: str, file: Any = None) -> None:
    print(terminal_text(text), file=file or sys.stdout, flush=True)


#: What ``--out`` holds after a run (plots are listed in report.json's "files").
_REPORT = "report.json"
_LOCK = ".balancekit-inspect.lock"


def _claim(out: Path, overwrite: bool) -> Any:
    """Create ``out``, lock it, and refuse another run's report unless
    ``overwrite``; returns the lock's handle."""
    out.mkdir(parents=True, exist_ok=True)
    lock = lock_folder(out, _LOCK)
    if (out / _REPORT).exists():
        if not overwrite:
            if lock is not None:
                lock.close()
            raise ValueError(
                f"--out {out} holds a previous report.json; pass --overwrite to "
                "replace it, or choose another --out."
            )
        with contextlib.suppress(OSError, ValueError):
            previous = json.loads((out / _REPORT).read_text(encoding="utf-8"))
            for name in previous.get("files", []):
                with contextlib.suppress(OSError):
                    (out / Path(str(name)).name).unlink()
    return lock


def _write_out(out: Path, payload: dict[str, Any], report: Any) -> list[Path]:
    """The plots (drawn in a temporary folder, then moved into place) and
    report.json, each written atomically."""
    import shutil
    import tempfile

    written: list[Path] = []
    staging = Path(tempfile.mkdtemp(prefix=".plots-", dir=out))
    try:
        try:
            drawn = report.plot(staging)
        except ImportError:
            _say("(plots skipped: pip install matplotlib)", sys.stderr)
            drawn = []
        for path in drawn:
            target = out / Path(path).name
            os.replace(path, target)
            written.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    json_path = out / _REPORT
    payload = {**payload, "files": [p.name for p in written]}
    atomic_write_text(json_path, json.dumps(payload, indent=2) + "\n")
    return [json_path, *written]


def run(args: argparse.Namespace) -> int:
    """Run ``balancekit inspect``; returns the exit code (2 for unreadable input or
    a bad ``--out``, 130 / 143 after SIGINT / SIGTERM)."""
    with trap_signals() as ignore_signals:
        try:
            return _run(args)
        except (Interrupted, KeyboardInterrupt) as interrupt:
            ignore_signals()
            name = getattr(interrupt, "name", "SIGINT")
            _say(f"balancekit inspect: interrupted by {name}.", sys.stderr)
            return int(getattr(interrupt, "exit_code", 130))


def _run(args: argparse.Namespace) -> int:
    lock = None
    try:
        if args.max_bytes < 1:
            return _fail(f"--max-bytes must be positive; got {args.max_bytes}.")
        if args.out:
            check_out_dir(args.out)
            lock = _claim(Path(args.out), args.overwrite)
        if args.test and is_parquet_dataset(args.file):
            raise ValueError(
                "--test is not supported with a Parquet folder or glob; inspect the "
                "split on in-memory files (or on samples of the folders)."
            )
        from balancekit.diagnostics._inspect import inspect  # heavy: after the checks

        table = _read(args.file, args.target, args.max_bytes)
        if not isinstance(table, DaskTable) and table.y.shape[0] == 0:
            raise ValueError(f"{args.file}: no row has a label in {args.target!r}.")
        report = inspect(
            table.X,
            table.y,
            n_neighbors=args.neighbors,
            max_samples=args.max_samples or None,
            feature_names=table.feature_names,
        )
        split: Any = None
        split_notes: list[Finding] = []
        if args.test:
            test = _read(args.test, args.target, args.max_bytes)
            split, split_notes = _split_report(table, test)
            dropped = [
                f
                for f in table_findings(test, "the test file")
                if f.code == "missing_labels"
            ]
            split_notes = dropped + split_notes
    except (ValueError, TypeError, ImportError, OSError) as error:
        if lock is not None:
            lock.close()
        return _fail(str(error))
    try:
        extra = table_findings(table)
        findings = sorted(
            extra + report.findings, key=lambda f: -SEVERITIES.index(f.severity)
        )
        report = dataclasses.replace(report, findings=findings)
        payload = _payload(table, report, split, split_notes)
        if args.json:
            print(json.dumps(payload, indent=2))  # ensure_ascii: escapes controls
        else:
            _say(_text(table, report, split, split_notes))
        if args.out:
            written = _write_out(Path(args.out), payload, report)
            stream = sys.stderr if args.json else sys.stdout
            _say("\nwritten:\n" + "\n".join(f"  {p}" for p in written), stream)
    finally:
        if lock is not None:
            lock.close()
    if args.fail_on is not None:
        every = [*report.findings, *split_notes]
        if split is not None:
            every += list(split.findings)
        threshold = SEVERITIES.index(args.fail_on)
        if any(SEVERITIES.index(f.severity) >= threshold for f in every):
            return 1
    return 0
