"""The bench report: Markdown tables, the Friedman test, the recommendation, and the
files on disk."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from balancekit import __version__
from balancekit._output import markdown_cell
from balancekit.bench._comparison import Comparison, protocol_text
from balancekit.bench._recommend import BASELINE, recommendation_section
from balancekit.bench._scores import ECE_BINS, HIGHER_IS_BETTER, METRICS
from balancekit.bench._stats import FEW_SEEDS, FriedmanResult, friedman_test
from balancekit.bench._summary import NOISE_ALPHA, ranks_of_summary, summarize

__all__ = [
    "DECISION_PROTOCOL",
    "METRIC_RANGES",
    "TERMINAL_METRICS",
    "friedman_by_model",
    "markdown_report",
    "noise_sentence",
    "summary_markdown",
    "tuned_parameters_markdown",
]

#: The metric columns printed on the terminal (the report file has all of them).
TERMINAL_METRICS = (
    "pr_auc",
    "balanced_accuracy",
    "g_mean",
    "mcc",
    "minority_recall",
    "brier",
    "ece",
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
    "ece": "ECE",
    "fit_time_s": "fit s",
}


#: The protocol of the decision strategies, stated when one ran.
DECISION_PROTOCOL = (
    "Decision strategies (a name with `+ tuned`, `+ prior corr.`, `+ logit adj.` or "
    "`+ temperature`) wrap the whole pipeline of their base strategy; the wrapper is "
    "fitted on the training part only, and its own cross-validation (5 stratified "
    "folds: out-of-fold probabilities for a threshold or a temperature) splits the "
    "training part, resampling training folds only. Their label metrics (bal. acc. "
    "to min. prec.) come from the wrapper's decisions (a tuned threshold, or the most "
    "probable class after the correction), PR-AUC, ROC-AUC, Brier and ECE from its "
    "probabilities; a tuned threshold leaves the probabilities unchanged. Their "
    '"fit s" includes that cross-validation, and with tuning they use their base\'s '
    "search space, searched on the base pipeline."
)


def _cell(mean: float, std: float, digits: int = 3) -> str:
    if math.isnan(mean):
        return "-"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _counts_cell(text: str | None) -> str:
    if not text:
        return "-"
    return " / ".join(str(n) for n in json.loads(text).values())


_VERDICTS = {"best": "best", "within noise": "≈ best", "worse": "worse"}


def _verdict_cell(row: dict[str, Any], metric: str) -> str:
    verdict = row.get(f"{metric}_vs_best", "untested")
    p_value = row.get(f"{metric}_p_vs_best", math.nan)
    if verdict not in _VERDICTS:
        return "-"
    if verdict == "best" or p_value is None or math.isnan(p_value):
        return _VERDICTS[verdict]
    return f"{_VERDICTS[verdict]} (p = {p_value:.2g})"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def noise_sentence(rows: list[dict[str, Any]], metric: str) -> str:
    """The sentence under a results table: which differences from the best are noise.

    ``rows`` are the :func:`summarize` rows of one (data set, model).

    Examples
    --------
    >>> rows = [{"strategy": "a", "n_ok": 3, "pr_auc_vs_best": "best"},
    ...         {"strategy": "b", "n_ok": 3, "pr_auc_vs_best": "within noise"},
    ...         {"strategy": "c", "n_ok": 3, "pr_auc_vs_best": "worse",
    ...          "test_fraction": 1 / 3}]
    >>> print(noise_sentence(rows, "pr_auc"))  # doctest: +NORMALIZE_WHITESPACE
    Differences from the best (a) are within noise for 1 strategy (marked ≈ best;
    paired t-test over 3 seeds, corrected for overlapping training sets, p > 0.05):
    the ranking among them is not meaningful. With only 3 seeds the test has little
    power: a real gap can pass as noise (more seeds, e.g. --seeds 10, sharpen it).
    """
    verdicts = [r.get(f"{metric}_vs_best", "untested") for r in rows]
    ok = [r for r in rows if r["n_ok"]]
    if len(ok) < 2:
        return ""
    best = next(r["strategy"] for r in rows if r.get(f"{metric}_vs_best") == "best")
    n_seeds = max(int(r["n_ok"]) for r in ok)
    if n_seeds < 2 or all(v in ("best", "untested") for v in verdicts):
        return (
            f"With {_plural(n_seeds, 'seed', 'seeds')}, no test can tell a difference "
            "from noise: the order of this table may be chance. Run more seeds "
            "(--seeds 5 or more)."
        )
    corrected = any(r.get("test_fraction") is not None for r in rows)
    test = f"paired t-test over {n_seeds} seeds" + (
        ", corrected for overlapping training sets" if corrected else ""
    )
    n_noise = verdicts.count("within noise")
    if n_noise:
        text = (
            f"Differences from the best ({best}) are within noise for "
            f"{_plural(n_noise, 'strategy', 'strategies')} (marked ≈ best; {test}, "
            f"p > {NOISE_ALPHA}): the ranking among them is not meaningful."
        )
    else:
        text = (
            f"Every other strategy is worse than the best ({best}) beyond the "
            f"seed-to-seed noise ({test}, p ≤ {NOISE_ALPHA})."
        )
    if n_seeds < FEW_SEEDS:
        text += (
            f" With only {n_seeds} seeds the test has little power: a real gap can "
            "pass as noise (more seeds, e.g. --seeds 10, sharpen it)."
        )
    return text


def summary_markdown(
    summary: list[dict[str, Any]],
    *,
    dataset: str,
    model: str,
    metrics: Sequence[str] = tuple(METRICS),
    sort_by: str = "pr_auc",
) -> str:
    """One Markdown table: the strategies of (``dataset``, ``model``), best first,
    then a sentence saying which differences from the best are within noise.

    The "vs. best" column, right after the ``sort_by`` metric, gives the verdict of
    the paired test over seeds on that metric (see :func:`summarize`): ``best``,
    ``≈ best`` (within noise, with its p-value) or ``worse``.

    Examples
    --------
    >>> row = {"dataset": "d", "model": "m", "strategy": "none", "n_ok": 2,
    ...        "n_failed": 0, "reason": "", "resampled_counts": '{"a": 9, "b": 1}',
    ...        "pr_auc_mean": 0.5, "pr_auc_std": 0.1, "fit_time_s_mean": 0.01,
    ...        "fit_time_s_std": 0.0, "pr_auc_vs_best": "best"}
    >>> print(summary_markdown([row], dataset="d", model="m", metrics=["pr_auc"]))
    | strategy | PR-AUC | vs. best | fit s | fitted on |
    | --- | --- | --- | --- | --- |
    | none | 0.500 ± 0.100 | best | 0.010 | 9 / 1 |
    """
    rows = [r for r in summary if r["dataset"] == dataset and r["model"] == model]
    sign = 1.0 if HIGHER_IS_BETTER[sort_by] else -1.0
    key = f"{sort_by}_mean"
    rows.sort(key=lambda r: -sign * r[key] if not math.isnan(r[key]) else math.inf)
    metrics = list(metrics)
    # The verdict sits right after the column it judges (first when not shown).
    verdict_at = metrics.index(sort_by) + 2 if sort_by in metrics else 1
    header = ["strategy", *(_HEADERS[m] for m in metrics), "fit s", "fitted on"]
    header.insert(verdict_at, "vs. best")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for r in rows:
        name = markdown_cell(r["strategy"])
        if r["n_ok"] == 0:
            reason = markdown_cell(r["reason"])
            cells = [name, f"failed: {reason}"] + [""] * (len(header) - 2)
        else:
            cells = [name]
            cells += [_cell(r[f"{m}_mean"], r[f"{m}_std"]) for m in metrics]
            cells += [
                f"{r['fit_time_s_mean']:.3f}",
                _counts_cell(r["resampled_counts"]),
            ]
            cells.insert(verdict_at, _verdict_cell(r, sort_by))
            if r["n_failed"]:
                cells[0] += f" ({r['n_failed']} failed)"
        lines.append("| " + " | ".join(cells) + " |")
    sentence = noise_sentence(rows, sort_by)
    if sentence:
        lines += ["", sentence]
    return "\n".join(lines)


def _param_text(params: dict[str, Any]) -> str:
    """``k_neighbors=5, sampling_strategy=0.5``: pipeline prefixes dropped when no
    two keys would then clash."""
    if not params:
        return "defaults"
    short = {key.split("__", 1)[-1] for key in params}
    plain_keys = len(short) == len(params)
    parts = []
    for key, value in sorted(params.items()):
        shown = key.split("__", 1)[-1] if plain_keys else key
        parts.append(f"{shown}={value}")
    return ", ".join(parts)


def tuned_parameters_markdown(records: Sequence[dict[str, Any]]) -> str:
    """The parameters tuning chose: one row per (data set, model, strategy), the most
    frequent choice with its share of the seeds, and every seed's choice.

    Strategies without a search space ran with their defaults and are listed
    together; an empty string when nothing was tuned.

    Examples
    --------
    >>> records = [
    ...     {"dataset": "d", "model": "m", "strategy": "SMOTE", "seed": seed,
    ...      "status": "ok", "params": p} for seed, p in enumerate([
    ...         '{"sampler__k_neighbors": 5}', '{"sampler__k_neighbors": 5}',
    ...         '{"sampler__k_neighbors": 3}'])
    ... ] + [{"dataset": "d", "model": "m", "strategy": "none", "seed": 0,
    ...       "status": "ok", "params": "{}"}]
    >>> print(tuned_parameters_markdown(records))
    | data set | model | strategy | most chosen (seeds) | per seed |
    | --- | --- | --- | --- | --- |
    | d | m | SMOTE | k_neighbors=5 (2 of 3) | 0: k_neighbors=5; 1: k_neighbors=5; 2: k_neighbors=3 |
    <BLANKLINE>
    Nothing to tune (no search space; defaults): none.
    """  # noqa: E501
    groups: dict[tuple[str, str, str], list[tuple[Any, dict[str, Any]]]] = {}
    for r in records:
        if r.get("status") != "ok" or r.get("params") in (None, ""):
            continue
        params = r["params"]
        if isinstance(params, str):
            params = json.loads(params)
        key = (str(r["dataset"]), str(r["model"]), str(r["strategy"]))
        groups.setdefault(key, []).append((r.get("seed"), params))
    tuned = {k: v for k, v in groups.items() if any(p for _, p in v)}
    if not tuned:
        return ""
    lines = [
        "| data set | model | strategy | most chosen (seeds) | per seed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (dataset, model, strategy), choices in tuned.items():
        texts = [_param_text(params) for _, params in choices]
        mode = max(dict.fromkeys(texts), key=texts.count)
        per_seed = "; ".join(
            f"{seed}: {text}" for (seed, _), text in zip(choices, texts, strict=True)
        )
        cells = [
            dataset,
            model,
            strategy,
            f"{mode} ({texts.count(mode)} of {len(texts)})",
            per_seed,
        ]
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    untuned = list(dict.fromkeys(k[2] for k in groups if k not in tuned))
    if untuned:
        lines += [
            "",
            "Nothing to tune (no search space; defaults): "
            + ", ".join(markdown_cell(n) for n in untuned)
            + ".",
        ]
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
    n_close = 0
    for position, j in enumerate(order, start=1):
        gap = result.average_ranks[j] - result.average_ranks[best]
        differs = "yes" if gap > result.critical_difference else "no"
        n_close += j != best and differs == "no"
        lines.append(
            f"| {position} | {markdown_cell(ranks.strategies[j])} | "
            f"{result.average_ranks[j]:.2f} | {'-' if j == best else differs} |"
        )
    best_name = markdown_cell(ranks.strategies[best])
    if n_close:
        lines += [
            "",
            f"{_plural(n_close, 'strategy is', 'strategies are')} within one critical "
            f"difference of the best ({best_name}): on these {result.n_datasets} data "
            "sets their order is not meaningful.",
        ]
    else:
        lines += [
            "",
            f"Every other strategy ranks significantly below the best ({best_name}).",
        ]
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
    average ranks with the Friedman test, failures, files, and last the
    recommendation per (data set, model) (:mod:`balancekit.bench._recommend`).
    ``summary`` and ``tests`` (:func:`summarize`, :func:`friedman_by_model`) are
    computed when not given."""
    if summary is None:
        summary = summarize(result.records)
    if tests is None:
        tests = friedman_by_model(summary, metric=metric)
    lines = ["# balancekit bench report", "", "## Protocol", ""]
    lines.append(protocol_text(result.protocol))
    env = ", ".join(f"{k} {v}" for k, v in _environment().items())
    lines += ["", f"Environment: {env}."]
    if any(r.get("kind") == "decision" for r in result.records):
        lines += ["", DECISION_PROTOCOL]
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
    lines += [
        "",
        f"## Results (sorted by {_HEADERS[metric]}, mean ± std over seeds)",
        "",
        f'"vs. best" tests each strategy against the best one on {_HEADERS[metric]} '
        "with a paired t-test over the seeds (each seed is one split, so the pairing "
        "removes the split's luck; corrected for the overlap of the training sets): "
        f"≈ best means the difference is within the seed-to-seed noise (p > "
        f"{NOISE_ALPHA}), so the order among those strategies is not meaningful.",
    ]
    for dataset, model in pairs:
        lines += ["", f"### {dataset} — {model}", ""]
        lines.append(
            summary_markdown(summary, dataset=dataset, model=model, sort_by=metric)
        )
    tuned = tuned_parameters_markdown(result.records)
    if tuned:
        lines += ["", "## Tuned parameters", "", tuned]
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
        lines += ["", "## Files", ""] + [f"- {f}{_caption(f)}" for f in files]
    section = recommendation_section(summary, metric=metric)
    if section:
        lines += ["", section]
    return "\n".join(lines).rstrip() + "\n"


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")


#: The range of each metric: bars and error bars of a plot stay inside it.
METRIC_RANGES = dict.fromkeys(METRICS, (0.0, 1.0)) | {"mcc": (-1.0, 1.0)}


def _caption(name: str) -> str:
    captions = {
        "pr_curves_": ": PR curves of the three best strategies and none; precision "
        "averaged over the seeds at each recall, AP in the legend = the mean over "
        "seeds (the table's figure)",
        "critical_difference_": ": average ranks over the data sets; a thick bar "
        "joins strategies within one critical difference",
        "reliability_": ": reliability diagrams of the three best strategies with "
        "distinct probabilities and none (a tuned threshold shares its base's "
        "curve): the seeds' test predictions pooled in 15 bins, pooled ECE in the "
        "legend (the table's ECE is the mean over seeds)",
    }
    for prefix, caption in captions.items():
        if name.startswith(prefix):
            return caption
    if name.endswith(".png"):
        return ": the metric by strategy, mean ± std over seeds (blue: the best or "
        "within noise of it)"
    return ""


def _seed_curves(
    result: Comparison, dataset: str, model: str, strategy: str
) -> list[tuple[Any, Any]]:
    """The test labels and scores of every seed of one (dataset, model, strategy)."""
    seeds = result.protocol.get("seeds") or sorted(
        {k[3] for k in result.curves if len(k) == 4}
    )
    return [
        result.curves[(dataset, model, strategy, seed)]
        for seed in seeds
        if (dataset, model, strategy, seed) in result.curves
    ]


def _distinct_probabilities(
    result: Comparison,
    dataset: str,
    model: str,
    names: Sequence[str],
    n_best: int = 3,
) -> dict[str, list[tuple[Any, Any]]]:
    """The seeds' test curves of the ``n_best`` first strategies of ``names`` (best
    first) with distinct probabilities, and of ``none``. A strategy with the same
    probabilities as one kept (a tuned threshold on it) joins that one's label,
    which names ``none`` first when it is in the group."""
    groups: list[tuple[list[str], list[tuple[Any, Any]]]] = []
    for name in names:
        pairs = _seed_curves(result, dataset, model, name)
        if not pairs:
            continue
        same = next((g for g in groups if _same_curves(g[1], pairs)), None)
        if same is not None:
            same[0].append(name)
        elif len(groups) < n_best or name == BASELINE:
            groups.append(([name], pairs))
    drawn = {}
    for members, pairs in groups:
        if BASELINE in members:  # named after none, whatever came first
            members = [BASELINE] + [m for m in members if m != BASELINE]
        others = f" (= {', '.join(members[1:])})" if len(members) > 1 else ""
        drawn[members[0] + others] = pairs
    return drawn


def _same_curves(first: list[tuple[Any, Any]], second: list[tuple[Any, Any]]) -> bool:
    return len(first) == len(second) and all(
        np.array_equal(a[1], b[1]) for a, b in zip(first, second, strict=True)
    )


def _plots(
    result: Comparison,
    out: Path,
    metric: str,
    summary: list[dict[str, Any]],
    tests: dict[str, tuple[Any, FriedmanResult]],
) -> list[Path]:
    from balancekit.bench import plots

    written = []
    header = _HEADERS[metric]
    for dataset, model in dict.fromkeys((r["dataset"], r["model"]) for r in summary):
        rows = [
            r
            for r in summary
            if r["dataset"] == dataset and r["model"] == model and r["n_ok"]
        ]
        if not rows:
            continue
        n_seeds = max(int(r["n_ok"]) for r in rows)
        path = out / f"{metric}_{_slug(dataset)}_{_slug(model)}.png"
        plots.plot_metric_by_strategy(
            [r["strategy"] for r in rows],
            [r[f"{metric}_mean"] for r in rows],
            [r[f"{metric}_std"] for r in rows],
            metric=header,
            higher_is_better=HIGHER_IS_BETTER[metric],
            limits=METRIC_RANGES.get(metric),
            within_noise=[
                r.get(f"{metric}_vs_best") in ("best", "within noise") for r in rows
            ],
            title=f"{header} by strategy: {dataset}, {model}\n(mean ± std over "
            f"{_plural(n_seeds, 'seed', 'seeds')})",
            path=path,
        )
        written.append(path)
        sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
        best = sorted(rows, key=lambda r: -sign * r[f"{metric}_mean"])[:3]
        names = [r["strategy"] for r in best]
        if "none" not in names and any(r["strategy"] == "none" for r in rows):
            names.append("none")
        runs = {n: _seed_curves(result, dataset, model, n) for n in names}
        runs = {n: pairs for n, pairs in runs.items() if pairs}
        if runs:
            n_curves = max(len(pairs) for pairs in runs.values())
            path = out / f"pr_curves_{_slug(dataset)}_{_slug(model)}.png"
            plots.plot_pr_curves_over_seeds(
                runs,
                title=f"PR curves: {dataset}, {model}\n(precision averaged over "
                f"{_plural(n_curves, 'seed', 'seeds')} at each recall)",
                path=path,
            )
            written.append(path)
            ordered = sorted(rows, key=lambda r: -sign * r[f"{metric}_mean"])
            distinct = _distinct_probabilities(
                result, dataset, model, [r["strategy"] for r in ordered]
            )
            path = out / f"reliability_{_slug(dataset)}_{_slug(model)}.png"
            plots.plot_reliability_over_seeds(
                distinct,
                n_bins=ECE_BINS,
                title=f"Reliability: {dataset}, {model}\n(test predictions of "
                f"{_plural(n_curves, 'seed', 'seeds')} pooled)",
                path=path,
            )
            written.append(path)
    for model, (ranks, test) in tests.items():
        path = out / f"critical_difference_{_slug(model)}.png"
        plots.plot_critical_difference(
            ranks.strategies,
            test.average_ranks,
            test.critical_difference,
            title=f"{model}: average ranks by {_HEADERS[ranks.metric]} over "
            f"{test.n_datasets} data sets (Nemenyi, alpha = {test.alpha})",
            path=path,
        )
        written.append(path)
    return written
