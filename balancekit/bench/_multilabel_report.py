"""The report of a multilabel bench run: summary, Markdown, and the files on disk.

Files are written as the single-label bench writes them (``_rundir``): each one
atomically, ``run.json`` last, and a report marked PARTIAL after an interrupt.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections.abc import Sequence
from typing import Any

import numpy as np

from balancekit._json import plain
from balancekit._output import atomic_write, atomic_write_text, markdown_cell
from balancekit.bench._comparison import Comparison
from balancekit.bench._multilabel_compare import MULTILABEL_COLUMNS
from balancekit.bench._multilabel_scores import MULTILABEL_METRICS
from balancekit.bench._report import _environment, noise_sentence
from balancekit.bench._rundir import MANIFEST, RunFolder, _csv_row
from balancekit.bench._stats import compare_to_best
from balancekit.bench._summary import NOISE_ALPHA

__all__ = [
    "MULTILABEL_FLOATS",
    "finish_multilabel",
    "multilabel_markdown",
    "multilabel_protocol_text",
    "summarize_multilabel",
]

#: The columns of a multilabel results.csv read back as numbers.
MULTILABEL_FLOATS = (
    *MULTILABEL_METRICS,
    "fit_time_s",
    "n_fitted",
    "mean_ir_train",
    "mean_ir_fitted",
)

HEADERS = {
    "macro_ap": "macro AP",
    "macro_f1": "macro F1",
    "micro_f1": "micro F1",
    "minority_recall": "min. label recall",
}


def _mean_std(values: list[float]) -> tuple[float, float]:
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(
        values
    ) > 1 else 0.0


def summarize_multilabel(
    records: Sequence[dict[str, Any]], metric: str = "macro_ap"
) -> list[dict[str, Any]]:
    """Mean and std over seeds per (data set, strategy), tested against the best.

    ``<metric>_vs_best`` is ``"best"``, ``"within noise"``, ``"worse"`` or
    ``"untested"`` for every metric (the corrected paired t-test over seeds of the
    single-label bench, :func:`balancekit.bench._stats.compare_to_best`).

    Examples
    --------
    >>> rows = [{"dataset": "d", "strategy": s, "seed": seed, "status": "ok",
    ...          "reason": "", "macro_ap": v, "n_train": 75, "n_test": 25}
    ...         for s, vs in [("a", (0.5, 0.6)), ("b", (0.4, 0.45))]
    ...         for seed, v in enumerate(vs)]
    >>> summary = summarize_multilabel(rows)
    >>> [(r["strategy"], round(r["macro_ap_mean"], 3)) for r in summary]
    [('a', 0.55), ('b', 0.425)]
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault((record["dataset"], record["strategy"]), []).append(record)
    summary = []
    for (dataset, strategy), runs in groups.items():
        ok = [r for r in runs if r["status"] == "ok"]
        failed = [r for r in runs if r["status"] != "ok"]
        row: dict[str, Any] = {
            "dataset": dataset,
            "model": runs[0].get("model"),
            "strategy": strategy,
            "kind": runs[0].get("kind"),
            "n_ok": len(ok),
            "n_failed": len(failed),
            "reason": failed[0]["reason"] if failed else "",
        }
        for name in (*MULTILABEL_METRICS, "fit_time_s", "n_fitted", "mean_ir_fitted"):
            values = [float(r[name]) for r in ok if r.get(name) is not None]
            values = [v for v in values if not math.isnan(v)]
            row[f"{name}_mean"], row[f"{name}_std"] = _mean_std(values)
        summary.append(row)
    for dataset in dict.fromkeys(r["dataset"] for r in summary):
        rows = [r for r in summary if r["dataset"] == dataset]
        _mark_versus_best(rows, [groups[(dataset, r["strategy"])] for r in rows])
    return summary


def _mark_versus_best(rows: list[dict[str, Any]], runs: list[list[dict]]) -> None:
    seeds = sorted({int(r["seed"]) for group in runs for r in group})
    ratios = [
        float(r["n_test"]) / float(r["n_train"])
        for group in runs
        for r in group
        if r.get("n_train") and r.get("n_test") is not None
    ]
    fraction = statistics.fmean(ratios) if ratios else None
    for row in rows:
        row["test_fraction"] = fraction
    for metric in MULTILABEL_METRICS:
        scores = np.full((len(seeds), len(rows)), np.nan)
        for j, group in enumerate(runs):
            for r in group:
                value = r.get(metric)
                if r["status"] == "ok" and value is not None:
                    scores[seeds.index(int(r["seed"])), j] = float(value)
        verdicts, p_values = ["untested"] * len(rows), [math.nan] * len(rows)
        if len(rows) >= 2 and not np.isnan(scores).all():
            result = compare_to_best(scores, alpha=NOISE_ALPHA, test_fraction=fraction)
            for j in range(len(rows)):
                p_values[j] = float(result.p_values[j])
                if j == result.best:
                    verdicts[j] = "best"
                elif result.within_noise[j]:
                    verdicts[j] = "within noise"
                elif not math.isnan(p_values[j]):
                    verdicts[j] = "worse"
        elif len(rows) == 1 and not np.isnan(scores).all():
            verdicts[0] = "best"
        for j, row in enumerate(rows):
            row[f"{metric}_vs_best"] = verdicts[j]
            row[f"{metric}_p_vs_best"] = p_values[j]


def multilabel_protocol_text(protocol: dict[str, Any]) -> str:
    """The multilabel protocol in words.

    Examples
    --------
    >>> print(multilabel_protocol_text({"test_size": 0.25, "seeds": [0, 1],
    ...                                  "epochs": 30}))  # doctest: +ELLIPSIS
    Each seed draws a 25% test split by iterative stratification ...
    """
    seeds = protocol["seeds"]
    return (
        f"Each seed draws a {protocol['test_size']:.0%} test split by iterative "
        "stratification (Sechidis et al. 2011: every label gets its share of "
        "positives in both parts) that no choice ever sees. The scaler, the "
        "resampler and the model are fitted on the training part only: resamplers "
        "(MLROS, MLRUS, MLSMOTE) change the scaled training rows, never test rows. "
        f"The model is the torch MLP (one hidden layer of 64 ReLU units, Adam, "
        f"{protocol.get('epochs', 30)} epochs) with one sigmoid output per label; "
        "labels are predicted at the 0.5 threshold. The minority labels are those "
        "whose IRLbl exceeds MeanIR on the training part. Figures are the mean and "
        f"standard deviation over {len(seeds)} seeds ({', '.join(map(str, seeds))}); "
        "a seed sets the split, the resampler and the model."
    )


def _cell(mean: float, std: float) -> str:
    return "-" if math.isnan(mean) else f"{mean:.3f} ± {std:.3f}"


def _verdict(row: dict[str, Any], metric: str) -> str:
    verdict = row.get(f"{metric}_vs_best", "untested")
    p_value = row.get(f"{metric}_p_vs_best", math.nan)
    shown = {"best": "best", "within noise": "≈ best", "worse": "worse"}
    if verdict not in shown:
        return "-"
    if verdict == "best" or math.isnan(p_value):
        return shown[verdict]
    return f"{shown[verdict]} (p = {p_value:.2g})"


def table_markdown(
    summary: list[dict[str, Any]], *, dataset: str, metric: str = "macro_ap"
) -> str:
    """One data set's strategies, best ``metric`` first, and the noise sentence.

    Examples
    --------
    >>> row = {"dataset": "d", "strategy": "none", "n_ok": 1, "n_failed": 0,
    ...        "reason": "", "macro_ap_vs_best": "best",
    ...        **{f"{m}_{s}": 0.5 for m in (*MULTILABEL_METRICS, "fit_time_s",
    ...           "n_fitted", "mean_ir_fitted") for s in ("mean", "std")}}
    >>> print(table_markdown([row], dataset="d").splitlines()[2])  # doctest: +ELLIPSIS
    | none | 0.500 ± 0.500 | best | 0.500 ± 0.500 | ...
    """
    rows = [r for r in summary if r["dataset"] == dataset]
    rows.sort(key=lambda r: -r[f"{metric}_mean"] if r["n_ok"] else math.inf)
    metrics = [metric, *(m for m in MULTILABEL_METRICS if m != metric)]
    header = ["strategy", HEADERS[metric], "vs. best"]
    header += [HEADERS[m] for m in metrics[1:]] + ["fit s", "rows fitted", "MeanIR"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in rows:
        name = markdown_cell(r["strategy"])
        if r["n_ok"] == 0:
            cells = [name, f"failed: {markdown_cell(r['reason'])}"]
            cells += [""] * (len(header) - 2)
        else:
            cells = [name, _cell(r[f"{metric}_mean"], r[f"{metric}_std"])]
            cells.append(_verdict(r, metric))
            cells += [_cell(r[f"{m}_mean"], r[f"{m}_std"]) for m in metrics[1:]]
            cells += [
                f"{r['fit_time_s_mean']:.2f}",
                f"{r['n_fitted_mean']:.0f}",
                f"{r['mean_ir_fitted_mean']:.2f}",
            ]
            if r["n_failed"]:
                cells[0] += f" ({r['n_failed']} failed)"
        lines.append("| " + " | ".join(cells) + " |")
    sentence = noise_sentence(rows, metric)
    if sentence:
        lines += ["", sentence]
    return "\n".join(lines)


def multilabel_markdown(
    result: Comparison,
    *,
    datasets: Sequence[dict[str, Any]] = (),
    metric: str = "macro_ap",
    files: Sequence[str] = (),
    summary: list[dict[str, Any]] | None = None,
) -> str:
    """The whole multilabel report in Markdown."""
    if summary is None:
        summary = summarize_multilabel(result.records, metric)
    lines = ["# balancekit bench report (multilabel)", "", "## Protocol", ""]
    lines.append(multilabel_protocol_text(result.protocol))
    env = ", ".join(f"{k} {v}" for k, v in _environment().items())
    lines += ["", f"Environment: {env}."]
    for note in result.notes:
        lines += ["", f"Note: {markdown_cell(note)}."]
    if datasets:
        lines += [
            "",
            "## Data sets",
            "",
            "| data set | rows | features | labels | cardinality | MeanIR | source |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for d in datasets:
            cells = [
                d["name"],
                d["rows"],
                d["features"],
                d["labels"],
                f"{d['cardinality']:.2f}",
                f"{d['mean_ir']:.2f}",
                d["source"],
            ]
            lines.append("| " + " | ".join(markdown_cell(str(c)) for c in cells) + " |")
    lines += [
        "",
        f"## Results (sorted by {HEADERS[metric]}, mean ± std over seeds)",
        "",
        "Columns: "
        + "; ".join(f"{HEADERS[m]}: {text}" for m, text in MULTILABEL_METRICS.items())
        + ". Rows fitted and MeanIR: the training rows the model saw, after "
        "resampling.",
    ]
    for dataset in dict.fromkeys(r["dataset"] for r in summary):
        minority = next(
            (
                r["minority_labels"]
                for r in result.records
                if r["dataset"] == dataset and r.get("minority_labels")
            ),
            "[]",
        )
        lines += ["", f"### {markdown_cell(dataset)} — torch_mlp", ""]
        names = ", ".join(json.loads(minority)) or "none"
        shown = markdown_cell(names)
        lines += [f"Minority labels (the first seed's training part): {shown}.", ""]
        lines.append(table_markdown(summary, dataset=dataset, metric=metric))
    failures = [r for r in result.records if r["status"] != "ok"]
    if failures:
        lines += ["", "## Failed runs", ""]
        for r in failures:
            lines.append(
                f"- {markdown_cell(r['dataset'])} / {markdown_cell(r['strategy'])} / "
                f"seed {r['seed']}: {markdown_cell(r['reason'])}"
            )
    if files:
        lines += ["", "## Files", ""] + [f"- {f}" for f in files]
    return "\n".join(lines).rstrip() + "\n"


def finish_multilabel(
    folder: RunFolder,
    result: Comparison,
    *,
    arguments: dict[str, Any],
    datasets: Sequence[dict[str, Any]],
    metric: str = "macro_ap",
    partial: str | None = None,
) -> list[Any]:
    """Write results.csv, results.json, report.md and run.json, each atomically.

    ``partial`` is None for a complete run, else why it stopped (the report and
    results.json say so at the top).
    """
    folder.close()
    out = folder.path
    folder.write_manifest(arguments, "partial" if partial else "writing")
    with atomic_write(out / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(MULTILABEL_COLUMNS))
        writer.writeheader()
        writer.writerows(_csv_row(r, MULTILABEL_COLUMNS) for r in result.records)
    summary = summarize_multilabel(result.records, metric)
    folder.summary = summary
    payload = {
        "status": "partial" if partial else "complete",
        "partial_reason": partial,
        "mode": "multilabel",
        "protocol": result.protocol,
        "protocol_text": multilabel_protocol_text(result.protocol),
        "environment": _environment(),
        "notes": result.notes,
        "datasets": list(datasets),
        "runs": result.records,
        "summary": summary,
    }
    atomic_write_text(out / "results.json", json.dumps(plain(payload), indent=1) + "\n")
    names = ["results.csv", "results.json", "report.md", MANIFEST]
    text = multilabel_markdown(
        result, datasets=datasets, metric=metric, files=names, summary=summary
    )
    if partial:
        title, _, rest = text.partition("\n")
        text = (
            f"{title}\n\n**PARTIAL RESULTS:** {markdown_cell(partial)}. Only the "
            f"{len(result.records)} finished runs are below; continue with the same "
            "command and `--resume`.\n" + rest
        )
    atomic_write_text(out / "report.md", text)
    folder.write_manifest(arguments, "partial" if partial else "complete", names[:3])
    return [out / name for name in names]
