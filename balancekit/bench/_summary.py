"""Summaries of the tidy table: mean and std over seeds, ranks across data sets."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from balancekit._params import check_choice
from balancekit.bench._scores import HIGHER_IS_BETTER, METRICS
from balancekit.bench._stats import compare_to_best

__all__ = [
    "NOISE_ALPHA",
    "RankTable",
    "rank_table",
    "ranks_of_summary",
    "records_of",
    "summarize",
]

SUMMARY_VALUES = (*METRICS, "fit_time_s")
#: Level of the per-seed test of each strategy against the best.
NOISE_ALPHA = 0.05


def records_of(table: Any) -> list[dict[str, Any]]:
    """The rows of a table from :func:`compare` (DataFrame or records) as dicts."""
    if hasattr(table, "to_dict"):
        return table.to_dict(orient="records")
    return list(table)


def _groups(records: Iterable[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for record in records:
        key = (record["dataset"], record["model"], record["strategy"])
        groups.setdefault(key, []).append(record)
    return groups


def _mean_std(values: list[float]) -> tuple[float, float]:
    if not values:
        return math.nan, math.nan
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std


def summarize(table: Any) -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds per (data set, model, strategy).

    A group's figures use its successful runs; ``n_failed`` counts the others and
    ``reason`` keeps the first failure's reason. ``resampled_counts`` is the first
    successful run's (the counts the model was fitted on).

    Within each (data set, model), every strategy is also tested against the best
    one for each metric (:func:`balancekit.bench._stats.compare_to_best`: a paired
    t-test over seeds, corrected for overlapping training sets when the records hold
    ``n_train`` and ``n_test``): ``<metric>_vs_best`` is ``"best"``, ``"within
    noise"`` (p > 0.05), ``"worse"`` or ``"untested"`` (fewer than 2 shared seeds),
    and ``<metric>_p_vs_best`` its p-value (NaN when untested). ``n_seeds`` counts
    the group's seeds and ``test_fraction`` is the mean ``n_test / n_train`` used by
    the correction (None without those columns).

    Examples
    --------
    >>> from balancekit.bench import summarize
    >>> rows = [{"dataset": "d", "model": "m", "strategy": "s", "kind": "none",
    ...          "status": "ok", "reason": "", "pr_auc": v, "fit_time_s": 1.0,
    ...          "resampled_counts": "{}"} for v in (0.5, 0.7)]
    >>> s = summarize(rows)[0]
    >>> s["n_ok"], round(s["pr_auc_mean"], 2), round(s["pr_auc_std"], 3)
    (2, 0.6, 0.141)
    >>> s["pr_auc_vs_best"]
    'best'
    """
    summary = []
    groups = _groups(records_of(table))
    for (dataset, model, strategy), runs in groups.items():
        ok = [r for r in runs if r["status"] == "ok"]
        failed = [r for r in runs if r["status"] != "ok"]
        row: dict[str, Any] = {
            "dataset": dataset,
            "model": model,
            "strategy": strategy,
            "kind": runs[0].get("kind"),
            "n_ok": len(ok),
            "n_failed": len(failed),
            "reason": failed[0]["reason"] if failed else "",
            "resampled_counts": ok[0].get("resampled_counts") if ok else None,
        }
        for name in SUMMARY_VALUES:
            values = [float(r[name]) for r in ok if r.get(name) is not None]
            row[f"{name}_mean"], row[f"{name}_std"] = _mean_std(values)
        row["n_seeds"] = len(runs)
        summary.append(row)
    _mark_versus_best(summary, groups)
    return summary


def _test_fraction(runs: list[dict[str, Any]]) -> float | None:
    ratios = []
    for r in runs:
        n_train, n_test = r.get("n_train"), r.get("n_test")
        if r["status"] == "ok" and n_train and n_test is not None:
            ratios.append(float(n_test) / float(n_train))
    return statistics.fmean(ratios) if ratios else None


def _mark_versus_best(
    summary: list[dict[str, Any]], groups: dict[tuple, list[dict[str, Any]]]
) -> None:
    """Add ``<metric>_vs_best`` and ``<metric>_p_vs_best`` to the summary rows."""
    by_pair: dict[tuple, list[dict[str, Any]]] = {}
    for row in summary:
        by_pair.setdefault((row["dataset"], row["model"]), []).append(row)
    for (dataset, model), rows in by_pair.items():
        runs = {r["strategy"]: groups[(dataset, model, r["strategy"])] for r in rows}
        seeds = list(
            dict.fromkeys(
                run.get("seed", i)
                for strategy_runs in runs.values()
                for i, run in enumerate(strategy_runs)
            )
        )
        fraction = _test_fraction([run for rs in runs.values() for run in rs])
        for row in rows:
            row["test_fraction"] = fraction
        for metric in METRICS:
            scores = np.full((len(seeds), len(rows)), np.nan)
            for j, row in enumerate(rows):
                for i, run in enumerate(runs[row["strategy"]]):
                    value = run.get(metric)
                    if run["status"] == "ok" and value is not None:
                        scores[seeds.index(run.get("seed", i)), j] = float(value)
            verdicts = ["untested"] * len(rows)
            p_values = [math.nan] * len(rows)
            if len(rows) >= 2 and not np.isnan(scores).all():
                result = compare_to_best(
                    scores,
                    higher_is_better=HIGHER_IS_BETTER[metric],
                    alpha=NOISE_ALPHA,
                    test_fraction=fraction,
                )
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


@dataclass
class RankTable:
    """Mean ``metric`` of each strategy (columns) on each data set (rows), one model.

    ``scores[i, j]`` is NaN where strategy ``j`` failed on data set ``i``.
    """

    model: str
    metric: str
    datasets: list[str]
    strategies: list[str]
    scores: np.ndarray

    @property
    def higher_is_better(self) -> bool:
        return HIGHER_IS_BETTER[self.metric]


def rank_table(table: Any, *, model: str, metric: str = "pr_auc") -> RankTable:
    """The (data sets x strategies) matrix of mean ``metric`` for ``model``.

    Examples
    --------
    >>> from balancekit.bench import rank_table
    >>> rows = [{"dataset": d, "model": "m", "strategy": s, "status": "ok",
    ...          "reason": "", "pr_auc": v, "fit_time_s": 0.1}
    ...         for d, s, v in [("a", "x", 0.1), ("a", "y", 0.3), ("b", "x", 0.2)]]
    >>> t = rank_table(rows, model="m")
    >>> t.datasets, t.strategies, t.scores.tolist()
    (['a', 'b'], ['x', 'y'], [[0.1, 0.3], [0.2, nan]])
    """
    return ranks_of_summary(summarize(table), model=model, metric=metric)


def ranks_of_summary(
    summary: list[dict[str, Any]], *, model: str, metric: str = "pr_auc"
) -> RankTable:
    """:func:`rank_table` from rows already :func:`summarize`-d."""
    check_choice(metric, "metric", sorted(HIGHER_IS_BETTER))
    rows = [r for r in summary if r["model"] == model]
    if not rows:
        raise ValueError(f"`model` {model!r} has no runs in the table.")
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    scores = np.full((len(datasets), len(strategies)), np.nan)
    for r in rows:
        i, j = datasets.index(r["dataset"]), strategies.index(r["strategy"])
        scores[i, j] = r[f"{metric}_mean"]
    return RankTable(model, metric, datasets, strategies, scores)
