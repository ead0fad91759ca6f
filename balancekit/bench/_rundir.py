"""The output folder of one ``balancekit bench`` run: nothing lost, nothing mixed.

* One run owns a folder at a time: an advisory lock (``.balancekit-bench.lock``,
  released by the system when the process ends, however it ends) makes a second
  concurrent run into the same folder stop at once.
* A folder holding another run's files is refused unless ``--overwrite`` (which
  removes that run's files first) or ``--resume`` (which continues it).
* ``run.json`` (the manifest) records the arguments that decide the table and the
  run's status (``running``, ``partial``, ``complete``); ``--resume`` refuses other
  arguments.
* ``results.csv`` grows one flushed row per finished run; at the end (also after an
  interrupt) it, ``results.json`` and ``report.md`` are written atomically.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from balancekit import __version__
from balancekit._json import plain
from balancekit._output import (
    FolderInUse,
    atomic_write,
    atomic_write_text,
    csv_cell,
    csv_uncell,
    lock_folder,
    markdown_cell,
)
from balancekit.bench._comparison import COLUMNS, Comparison, protocol_text
from balancekit.bench._scores import METRICS

__all__ = ["RunFolder", "RunFolderError", "read_results_csv"]

MANIFEST = "run.json"
LOCK = ".balancekit-bench.lock"
#: The files a run always writes (PNG plots are listed in the manifest).
RUN_FILES = ("results.csv", "results.json", "report.md", MANIFEST)

_INTS = ("seed", "n_train", "n_test")
_FLOATS = (*METRICS, "fit_time_s", "tune_time_s")
_NULLABLE_TEXT = ("resampled_counts", "params")


class RunFolderError(ValueError):
    """The output folder cannot be used as asked (one line for the user)."""


def _csv_row(
    record: dict[str, Any], columns: Sequence[str] = COLUMNS
) -> dict[str, Any]:
    return {column: csv_cell(record.get(column)) for column in columns}


def read_results_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str] = COLUMNS,
    floats: Sequence[str] = _FLOATS,
) -> list[dict[str, Any]]:
    """The records of a ``results.csv`` written by a run (a cut last row is skipped).

    ``columns`` are the expected header (the multilabel bench has its own) and
    ``floats`` the columns read as numbers.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "results.csv")
    >>> folder = RunFolder(os.path.dirname(path))
    >>> record = {"dataset": "=d", "model": "m", "strategy": "s", "seed": 1,
    ...           "status": "ok", "reason": "", "pr_auc": 0.5}
    >>> folder.start_csv([record])
    >>> folder.close()
    >>> row = read_results_csv(path)[0]
    >>> row["dataset"], row["seed"], row["pr_auc"], row["fit_time_s"]
    ('=d', 1, 0.5, None)
    """
    records = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or list(reader.fieldnames) != list(columns):
            raise RunFolderError(
                f"{path} does not have the columns of a balancekit bench results.csv."
            )
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                continue  # a row cut by a crash
            try:
                records.append(_parse_row(row, floats))
            except ValueError:
                continue
    return records


def _parse_row(row: dict[str, str], floats: Sequence[str] = _FLOATS) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, text in row.items():
        if column in _INTS:
            record[column] = int(text) if text != "" else None
        elif column in floats:
            record[column] = float(text) if text != "" else None
        elif column in _NULLABLE_TEXT:
            record[column] = csv_uncell(text) if text != "" else None
        else:
            record[column] = csv_uncell(text)
    return record


class RunFolder:
    """The folder of one run; see the module's description.

    Examples
    --------
    >>> import tempfile
    >>> folder = RunFolder(tempfile.mkdtemp())
    >>> folder.claim(overwrite=False, resume=False)
    >>> folder.previous_files()
    []
    >>> folder.release()
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        columns: Sequence[str] = COLUMNS,
        floats: Sequence[str] = _FLOATS,
    ) -> None:
        self.path = Path(path)
        #: The columns of results.csv and those read back as numbers.
        self.columns = tuple(columns)
        self.floats = tuple(floats)
        self._lock: IO[Any] | None = None
        #: The summary of the last :meth:`finish` (rows of ``summarize``).
        self.summary: list[dict[str, Any]] | None = None
        self._csv: IO[str] | None = None
        self._writer: Any = None

    # ------------------------------------------------------------------ claiming
    def previous_files(self) -> list[str]:
        """The names of another run's files in the folder."""
        if not self.path.is_dir():
            return []
        names = [n for n in RUN_FILES if (self.path / n).exists()]
        return names

    def claim(self, *, overwrite: bool, resume: bool) -> None:
        """Create the folder, take its lock, and apply the overwrite rule."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        previous = self.previous_files()
        if resume:
            if "results.csv" not in previous or MANIFEST not in previous:
                self.release()
                raise RunFolderError(
                    f"--resume: {self.path} holds no interrupted run (results.csv "
                    "and run.json); start without --resume."
                )
            return
        if previous and not overwrite:
            self.release()
            raise RunFolderError(
                f"--out {self.path} holds a previous run's files "
                f"({', '.join(previous)}); pass --resume to continue it, --overwrite "
                "to replace it, or choose another --out."
            )
        if previous:
            self._remove_previous()

    def _take_lock(self) -> None:
        try:
            self._lock = lock_folder(self.path, LOCK)
        except FolderInUse:
            raise RunFolderError(
                f"--out {self.path} is in use by another balancekit bench run; wait "
                "for it to finish or choose another --out."
            ) from None

    def _remove_previous(self) -> None:
        manifest = self.read_manifest()
        names = list(RUN_FILES) + list(manifest.get("files", []) if manifest else [])
        for name in names:
            target = self.path / Path(str(name)).name  # never outside the folder
            with contextlib.suppress(FileNotFoundError):
                target.unlink()

    def release(self) -> None:
        """Close the CSV and drop the lock."""
        self.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # ------------------------------------------------------------------ manifest
    def read_manifest(self) -> dict[str, Any] | None:
        try:
            value = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def check_resume(self, arguments: dict[str, Any]) -> list[dict[str, Any]]:
        """The finished records of the run to resume; refuses other arguments."""
        manifest = self.read_manifest()
        if manifest is None or "arguments" not in manifest:
            raise RunFolderError(
                f"--resume: {self.path / MANIFEST} is missing or unreadable; start "
                "again with --overwrite."
            )
        stored = manifest["arguments"]
        mine = plain(arguments)
        differing = sorted(
            key for key in set(stored) | set(mine) if stored.get(key) != mine.get(key)
        )
        if differing:
            shown = "; ".join(
                f"{key}: {_short(stored.get(key))} then, {_short(mine.get(key))} now"
                for key in differing[:3]
            )
            raise RunFolderError(
                f"--resume: the arguments differ from the interrupted run's in "
                f"{self.path} ({shown}); rerun with the same arguments, or use "
                "--overwrite to start again."
            )
        return read_results_csv(self.path / "results.csv", self.columns, self.floats)

    def write_manifest(
        self, arguments: dict[str, Any], status: str, files: Sequence[str] = ()
    ) -> None:
        payload = {
            "tool": "balancekit bench",
            "version": __version__,
            "status": status,
            "arguments": arguments,
            "files": list(files),
        }
        atomic_write_text(
            self.path / MANIFEST, json.dumps(plain(payload), indent=1) + "\n"
        )

    # --------------------------------------------------------------- results.csv
    def start_csv(self, records: Sequence[dict[str, Any]]) -> None:
        """Write the header and ``records`` (atomically), then append as runs end."""
        path = self.path / "results.csv"
        with atomic_write(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(self.columns))
            writer.writeheader()
            writer.writerows(_csv_row(r, self.columns) for r in records)
        self._csv = open(path, "a", newline="", encoding="utf-8")  # noqa: SIM115
        self._writer = csv.DictWriter(self._csv, fieldnames=list(self.columns))

    def append(self, record: dict[str, Any]) -> None:
        """One finished run, flushed to disk at once."""
        if self._csv is None:
            return
        self._writer.writerow(_csv_row(record, self.columns))
        self._csv.flush()

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
            self._csv = None

    # ----------------------------------------------------------------- finishing
    def finish(
        self,
        result: Comparison,
        *,
        arguments: dict[str, Any],
        datasets: Sequence[dict[str, Any]],
        metric: str,
        plots: bool,
        partial: str | None,
        log: Any = None,
        n_jobs: int = 1,
    ) -> list[Path]:
        """Write results.csv, results.json, report.md (and the plots), atomically.

        ``partial`` is None for a complete run, else why it stopped (the report and
        results.json say so at the top).
        """
        from balancekit.bench._recommend import recommend
        from balancekit.bench._report import (
            _environment,
            friedman_by_model,
            markdown_report,
        )
        from balancekit.bench._summary import summarize

        self.close()
        out = self.path
        self.write_manifest(arguments, "partial" if partial else "writing")
        with atomic_write(
            out / "results.csv", "w", newline="", encoding="utf-8"
        ) as handle:
            writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(_csv_row(r) for r in result.records)
        summary = summarize(result.records)
        tests = friedman_by_model(summary, metric=metric)
        written = [out / "results.csv", out / "results.json"]
        if plots and partial is None:
            try:
                written += _atomic_plots(result, out, metric, summary, tests, n_jobs)
            except ImportError as error:
                if log is not None:
                    log(f"plots skipped: {error} (pip install balancekit[plot])")
        payload = {
            "status": "partial" if partial else "complete",
            "partial_reason": partial,
            "protocol": result.protocol,
            "protocol_text": protocol_text(result.protocol),
            "environment": _environment(),
            "notes": result.notes,
            "datasets": list(datasets),
            "runs": result.records,
            "summary": summary,
            "friedman": {
                model: {
                    "metric": ranks.metric,
                    "datasets": ranks.datasets,
                    "strategies": ranks.strategies,
                    "average_ranks": test.average_ranks.tolist(),
                    "statistic": test.statistic,
                    "p_value": test.p_value,
                    "iman_davenport_p_value": test.iman_davenport_p_value,
                    "critical_difference": test.critical_difference,
                }
                for model, (ranks, test) in tests.items()
            },
            "recommendation": [
                dataclasses.asdict(r) for r in recommend(summary, metric=metric)
            ],
        }
        atomic_write_text(written[1], json.dumps(plain(payload), indent=1) + "\n")
        report = out / "report.md"
        names = [p.name for p in [*written, report, out / MANIFEST]]
        self.summary = summary
        safe = _markdown_safe(result)
        safe_summary = [
            {
                **r,
                **{
                    k: markdown_cell(r[k]) for k in _LABELS if isinstance(r.get(k), str)
                },
            }
            for r in summary
        ]
        text = markdown_report(
            safe,
            datasets=[_markdown_safe_row(d) for d in datasets],
            metric=metric,
            files=names,
            summary=safe_summary,
            tests=friedman_by_model(safe_summary, metric=metric),
        )
        if partial:
            title, _, rest = text.partition("\n")
            text = (
                f"{title}\n\n**PARTIAL RESULTS:** {markdown_cell(partial)}. Only the "
                f"{len(result.records)} finished runs are below; continue with the "
                "same command and `--resume`.\n" + rest
            )
        atomic_write_text(report, text)
        written.append(report)
        self.write_manifest(
            arguments,
            "partial" if partial else "complete",
            [p.name for p in written],
        )
        written.append(out / MANIFEST)
        return written


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


_LABELS = ("dataset", "model", "strategy", "reason")


def _markdown_safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: markdown_cell(v) if isinstance(v, str) else v for k, v in row.items()}


def _markdown_safe(result: Comparison) -> Comparison:
    """A copy whose data-derived labels are escaped for Markdown."""
    records = [
        {
            **r,
            **{k: markdown_cell(r[k]) for k in _LABELS if isinstance(r.get(k), str)},
        }
        for r in result.records
    ]
    return replace(
        result,
        records=records,
        curves={},
        notes=[markdown_cell(n) for n in result.notes],
    )


def _draw_dataset(job: tuple[Comparison, str, str, list[dict[str, Any]]]) -> list[str]:
    """A worker's share of the plots: one data set's figures."""
    from balancekit.bench._report import _plots

    part, staging, metric, summary = job
    return [str(p) for p in _plots(part, Path(staging), metric, summary, {})]


def _no_setup() -> None:
    return None


def _atomic_plots(
    result: Comparison,
    out: Path,
    metric: str,
    summary: list[dict[str, Any]],
    tests: Any,
    n_jobs: int = 1,
) -> list[Path]:
    """Draw the plots into a temporary folder inside ``out`` (one data set's per
    task, in ``n_jobs`` processes; the critical-difference diagrams here), then move
    each file into place with :func:`os.replace`."""
    import shutil
    import tempfile

    from balancekit.bench._report import _plots
    from balancekit.bench._runner import run_tasks

    staging = Path(tempfile.mkdtemp(prefix=".plots-", dir=out))
    try:
        jobs = []
        for dataset in dict.fromkeys(r["dataset"] for r in summary):
            part = Comparison(
                records=[],
                curves={k: v for k, v in result.curves.items() if k[0] == dataset},
                protocol=result.protocol,
            )
            rows = [r for r in summary if r["dataset"] == dataset]
            jobs.append((part, str(staging), metric, rows))
        drawn: list[str | Path] = []
        run_tasks(
            _draw_dataset,
            jobs,
            initializer=_no_setup,
            n_jobs=n_jobs,
            on_result=drawn.extend,
            modules=("matplotlib",),
        )
        drawn += _plots(
            Comparison(protocol=result.protocol), staging, metric, [], tests
        )
        placed = []
        for path in drawn:
            target = out / Path(path).name
            os.replace(path, target)
            placed.append(target)
        return placed
    finally:
        shutil.rmtree(staging, ignore_errors=True)
