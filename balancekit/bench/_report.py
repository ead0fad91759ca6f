"""The bench report: Markdown tables, the Friedman test, and the files on disk."""

from __future__ import annotations

import csv
import json
import math
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from balancekit import __version__
from balancekit._json import plain
from balancekit.bench._compare import COLUMNS, Comparison, protocol_text
from balancekit.bench._scores import HIGHER_IS_BETTER, METRICS
from balancekit.bench._stats import FriedmanResult, friedman_test
from balancekit.bench._summary import ranks_of_summary, summarize

__all__ = [
    "TERMINAL_METRICS",
    "friedman_by_model",
    "markdown_report",
    "summary_markdown",
    "write_files",
]

#: The metric columns printed on the terminal (the report file has all of them).
TERMINAL_METRICS = (
    "pr_auc",
    "balanced_accuracy",
    "g_mean",
    "mcc",
    "minority_recall",
    "brier",
)
_HEADERS = {
    "pr_auc": "PR-AUC",
    "roc_auc": "ROC-AUC",
    "balanced_accuracy": "bal. acc.",
    "g_mean": "G-mean",
    "macro_f1": "macro F1",
    "mcc": "MCC",
    "minority_recall": "min. recall",
    "minority_precision": "min. prec.",
    "brier": "Brier",
    "fit_time_s": "fit s",
}


def _cell(mean: float, std: float, digits: int = 3) -> str:
    if math.isnan(mean):
        return "-"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _counts_cell(text: str | None) -> str:
    if not text:
        return "-"
    return " / ".join(str(n) for n in json.loads(text).values())


def summary_markdown(
    summary: list[dict[str, Any]],
    *,
    dataset: str,
    model: str,
    metrics: Sequence[str] = tuple(METRICS),
    sort_by: str = "pr_auc",
) -> str:
    """One Markdown table: the strategies of (``dataset``, ``model``), best first.

    Examples
    --------
    >>> row = {"dataset": "d", "model": "m", "strategy": "none", "n_ok": 2,
    ...        "n_failed": 0, "reason": "", "resampled_counts": '{"a": 9, "b": 1}',
    ...        "pr_auc_mean": 0.5, "pr_auc_std": 0.1, "fit_time_s_mean": 0.01,
    ...        "fit_time_s_std": 0.0}
    >>> print(summary_markdown([row], dataset="d", model="m", metrics=["pr_auc"]))
    | strategy | PR-AUC | fit s | fitted on |
    | --- | --- | --- | --- |
    | none | 0.500 ± 0.100 | 0.010 | 9 / 1 |
    """
    rows = [r for r in summary if r["dataset"] == dataset and r["model"] == model]
    sign = 1.0 if HIGHER_IS_BETTER[sort_by] else -1.0
    key = f"{sort_by}_mean"
    rows.sort(key=lambda r: -sign * r[key] if not math.isnan(r[key]) else math.inf)
    header = ["strategy", *(_HEADERS[m] for m in metrics), "fit s", "fitted on"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in rows:
        if r["n_ok"] == 0:
            reason = r["reason"].replace("|", "/")
            cells = [r["strategy"], f"failed: {reason}"] + [""] * (len(header) - 2)
        else:
            cells = [r["strategy"]]
            cells += [_cell(r[f"{m}_mean"], r[f"{m}_std"]) for m in metrics]
            cells += [
                f"{r['fit_time_s_mean']:.3f}",
                _counts_cell(r["resampled_counts"]),
            ]
            if r["n_failed"]:
                cells[0] += f" ({r['n_failed']} failed)"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def friedman_by_model(
    summary: list[dict[str, Any]], *, metric: str = "pr_auc", alpha: float = 0.05
) -> dict[str, tuple[Any, FriedmanResult]]:
    """The Friedman test per model over the data sets (models with >= 2 data sets),
    from the rows of :func:`summarize`."""
    results = {}
    models = list(dict.fromkeys(r["model"] for r in summary))
    for model in models:
        ranks = ranks_of_summary(summary, model=model, metric=metric)
        if len(ranks.datasets) < 2 or len(ranks.strategies) < 2:
            continue
        result = friedman_test(
            ranks.scores, higher_is_better=ranks.higher_is_better, alpha=alpha
        )
        results[model] = (ranks, result)
    return results


def _friedman_markdown(model: str, ranks: Any, result: FriedmanResult) -> str:
    order = sorted(range(len(ranks.strategies)), key=lambda j: result.average_ranks[j])
    best = order[0]
    lines = [
        f"### {model}: average ranks by {_HEADERS[ranks.metric]} over "
        f"{result.n_datasets} data sets",
        "",
        f"Friedman chi² = {result.statistic:.2f} (p = {result.p_value:.2g}); "
        f"Iman-Davenport F = {result.iman_davenport_statistic:.2f} "
        f"(p = {result.iman_davenport_p_value:.2g}). Nemenyi critical difference at "
        f"alpha = {result.alpha}: {result.critical_difference:.2f} ranks. A failed run "
        "ranks after every successful one on its data set.",
        "",
        "| rank | strategy | average rank | differs from the best? |",
        "| --- | --- | --- | --- |",
    ]
    for position, j in enumerate(order, start=1):
        gap = result.average_ranks[j] - result.average_ranks[best]
        differs = "yes" if gap > result.critical_difference else "no"
        lines.append(
            f"| {position} | {ranks.strategies[j]} | {result.average_ranks[j]:.2f} | "
            f"{'-' if j == best else differs} |"
        )
    return "\n".join(lines)


def _environment() -> dict[str, str]:
    """Versions of what ran (read from package metadata: nothing is imported)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {"balancekit": __version__, "python": platform.python_version()}
    for package in ("numpy", "scikit-learn", "imbalanced-learn", "torch", "keras"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


def markdown_report(
    result: Comparison,
    *,
    datasets: Sequence[dict[str, Any]] = (),
    metric: str = "pr_auc",
    files: Sequence[str] = (),
    summary: list[dict[str, Any]] | None = None,
    tests: dict[str, tuple[Any, FriedmanResult]] | None = None,
) -> str:
    """The whole report in Markdown: protocol, one table per (data set, model),
    average ranks with the Friedman test, failures, files. ``summary`` and ``tests``
    (:func:`summarize`, :func:`friedman_by_model`) are computed when not given."""
    if summary is None:
        summary = summarize(result.records)
    if tests is None:
        tests = friedman_by_model(summary, metric=metric)
    lines = ["# balancekit bench report", "", "## Protocol", ""]
    lines.append(protocol_text(result.protocol))
    env = ", ".join(f"{k} {v}" for k, v in _environment().items())
    lines += ["", f"Environment: {env}."]
    for note in result.notes:
        lines += ["", f"Note: {note}."]
    if datasets:
        lines += [
            "",
            "## Data sets",
            "",
            "| data set | rows | features | classes "
            "(counts) | imbalance ratio | source |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for d in datasets:
            lines.append(
                f"| {d['name']} | {d['rows']} | {d['features']} | {d['counts']} | "
                f"{d['imbalance_ratio']:.1f} | {d['source']} |"
            )
    pairs = list(dict.fromkeys((r["dataset"], r["model"]) for r in summary))
    lines += ["", f"## Results (sorted by {_HEADERS[metric]}, mean ± std over seeds)"]
    for dataset, model in pairs:
        lines += ["", f"### {dataset} — {model}", ""]
        lines.append(
            summary_markdown(summary, dataset=dataset, model=model, sort_by=metric)
        )
    if tests:
        lines += ["", "## Across data sets", ""]
        for model, (ranks, test) in tests.items():
            lines += [_friedman_markdown(model, ranks, test), ""]
    failures = [r for r in result.records if r["status"] != "ok"]
    if failures:
        lines += ["", "## Failed runs", ""]
        for r in failures:
            lines.append(
                f"- {r['dataset']} / {r['model']} / {r['strategy']} / seed "
                f"{r['seed']}: {r['reason']}"
            )
    if files:
        lines += ["", "## Files", ""] + [f"- {f}" for f in files]
    return "\n".join(lines).rstrip() + "\n"


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")


def _plots(
    result: Comparison,
    out: Path,
    metric: str,
    summary: list[dict[str, Any]],
    tests: dict[str, tuple[Any, FriedmanResult]],
) -> list[Path]:
    from balancekit.bench import plots

    written = []
    for dataset, model in dict.fromkeys((r["dataset"], r["model"]) for r in summary):
        rows = [
            r
            for r in summary
            if r["dataset"] == dataset and r["model"] == model and r["n_ok"]
        ]
        path = out / f"{metric}_{_slug(dataset)}_{_slug(model)}.png"
        plots.plot_metric_by_strategy(
            [r["strategy"] for r in rows],
            [r[f"{metric}_mean"] for r in rows],
            [r[f"{metric}_std"] for r in rows],
            metric=_HEADERS[metric],
            path=path,
        )
        written.append(path)
        sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
        best = sorted(rows, key=lambda r: -sign * r[f"{metric}_mean"])[:3]
        names = [r["strategy"] for r in best]
        if "none" not in names and any(r["strategy"] == "none" for r in rows):
            names.append("none")
        curves = {
            n: result.curves[(dataset, model, n)]
            for n in names
            if (dataset, model, n) in result.curves
        }
        if curves:
            y_true = next(iter(curves.values()))[0]
            path = out / f"pr_curves_{_slug(dataset)}_{_slug(model)}.png"
            plots.plot_pr_curves(
                y_true, {n: c[1] for n, c in curves.items()}, path=path
            )
            written.append(path)
    for model, (ranks, test) in tests.items():
        path = out / f"critical_difference_{_slug(model)}.png"
        plots.plot_critical_difference(
            ranks.strategies, test.average_ranks, test.critical_difference, path=path
        )
        written.append(path)
    return written


def write_files(
    result: Comparison,
    out: str | Path,
    *,
    datasets: Sequence[dict[str, Any]] = (),
    metric: str = "pr_auc",
    plots: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write results.csv, results.json, report.md and the PNG plots into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.csv", out / "results.json"]
    with open(written[0], "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(result.records)
    summary = summarize(result.records)
    tests = friedman_by_model(summary, metric=metric)
    if plots:
        try:
            written += _plots(result, out, metric, summary, tests)
        except ImportError as error:
            if log is not None:
                log(f"plots skipped: {error} (pip install balancekit[plot])")
    payload = {
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
    }
    with open(written[1], "w") as handle:
        json.dump(plain(payload), handle, indent=1)
    report = out / "report.md"
    names = [p.name for p in [*written, report]]
    report.write_text(
        markdown_report(
            result,
            datasets=datasets,
            metric=metric,
            files=names,
            summary=summary,
            tests=tests,
        )
    )
    return [*written, report]
