"""The report's last word: per data set and model, which strategy to use.

The recommendation is the best strategy on the user's metric (``--metric``), and
whether it differs from doing nothing (``none``) beyond the seed-to-seed noise. The
test is the one of the results tables (:func:`balancekit.bench._summary.summarize`:
each strategy against the best, a paired t-test over seeds corrected for overlapping
training sets), read at the ``none`` row, so the report never runs a second test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from balancekit.bench._scores import HIGHER_IS_BETTER
from balancekit.bench._summary import NOISE_ALPHA

__all__ = [
    "BASELINE",
    "Recommendation",
    "recommend",
    "recommendation_markdown",
    "recommendation_section",
]

#: The strategy every recommendation is compared with.
BASELINE = "none"


@dataclass(frozen=True)
class Recommendation:
    """The best strategy of one (data set, model) and how it compares with ``none``.

    Attributes
    ----------
    dataset, model : str
        Where it applies.
    metric : str
        The metric that decided (a :data:`balancekit.bench.METRICS` name).
    best : str or None
        The best strategy by the mean over seeds (None: every run failed).
    best_mean : float
        Its mean ``metric``.
    baseline_mean : float
        The mean ``metric`` of ``none`` (NaN when it did not run or failed).
    p_value : float
        The paired test of ``best`` against ``none`` (NaN: untested, or ``none``
        is the best).
    verdict : str
        ``"baseline is best"``, ``"significant"`` (p <= 0.05), ``"within noise"``,
        ``"untested"`` (fewer than 2 seeds) or ``"no baseline"``.
    n_seeds : int
        Successful seeds of the best strategy.
    """

    dataset: str
    model: str
    metric: str
    best: str | None
    best_mean: float
    baseline_mean: float
    p_value: float
    verdict: str
    n_seeds: int

    @property
    def difference(self) -> float:
        """``best_mean - baseline_mean`` (NaN without a baseline)."""
        return self.best_mean - self.baseline_mean

    @property
    def sentence(self) -> str:
        """The recommendation in one line of words."""
        name = _METRIC_NAMES.get(self.metric, self.metric)
        where = f"{self.dataset} / {self.model}"
        if self.best is None:
            return f"{where}: every run failed; no recommendation."
        best = f"**{self.best}** ({name} {self.best_mean:.3f})"
        if self.verdict == "baseline is best":
            return (
                f"{where}: {best}: doing nothing is best; no strategy beats "
                f"{BASELINE} on {name}."
            )
        if self.verdict == "no baseline":
            return f"{where}: {best}; {BASELINE} did not run, so it is not compared."
        versus = f"{self.baseline_mean:.3f} for {BASELINE}"
        if self.verdict == "untested":
            return (
                f"{where}: {best} against {versus}; untested: fewer than 2 seeds "
                "where both ran, so nothing tells it from noise (run --seeds 5 or "
                "more)."
            )
        if self.verdict == "significant":
            return (
                f"{where}: {best} against {versus}: significantly better than "
                f"{BASELINE} (p = {self.p_value:.2g})."
            )
        return (
            f"{where}: {best} against {versus}: not significantly different from "
            f"{BASELINE} (p = {self.p_value:.2g}); {BASELINE} is as good on this "
            "evidence."
        )


_METRIC_NAMES = {
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


def _one(
    rows: list[dict[str, Any]], dataset: str, model: str, metric: str
) -> Recommendation:
    key = f"{metric}_mean"
    best_row = next(
        (r for r in rows if r.get(f"{metric}_vs_best") == "best" and r["n_ok"]), None
    )
    if best_row is None:  # the verdicts are missing: fall back to the means
        sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
        ok = [r for r in rows if r["n_ok"] and not math.isnan(r[key])]
        best_row = max(ok, key=lambda r: sign * r[key]) if ok else None
    if best_row is None:
        return Recommendation(
            dataset, model, metric, None, math.nan, math.nan, math.nan, "untested", 0
        )
    baseline = next((r for r in rows if r["strategy"] == BASELINE and r["n_ok"]), None)
    best_mean = float(best_row[key])
    n_seeds = int(best_row["n_ok"])
    if baseline is None:
        verdict, p_value, baseline_mean = "no baseline", math.nan, math.nan
    elif baseline is best_row:
        verdict, p_value, baseline_mean = "baseline is best", math.nan, best_mean
    else:
        baseline_mean = float(baseline[key])
        p_value = float(baseline.get(f"{metric}_p_vs_best", math.nan))
        if math.isnan(p_value):
            verdict = "untested"
        elif p_value <= NOISE_ALPHA:
            verdict = "significant"
        else:
            verdict = "within noise"
    return Recommendation(
        dataset,
        model,
        metric,
        str(best_row["strategy"]),
        best_mean,
        baseline_mean,
        p_value,
        verdict,
        n_seeds,
    )


def recommend(
    summary: Sequence[dict[str, Any]], *, metric: str = "pr_auc"
) -> list[Recommendation]:
    """One :class:`Recommendation` per (data set, model) of ``summary``.

    Parameters
    ----------
    summary : list of dict
        Rows of :func:`balancekit.bench.summarize`, which hold each strategy's mean
        and its test against the best on every metric.
    metric : str, default="pr_auc"
        The metric that decides (the report's ``--metric``).

    Returns
    -------
    list of Recommendation
        In the order the (data set, model) pairs first appear.

    Examples
    --------
    >>> from balancekit.bench import summarize
    >>> from balancekit.bench import recommend
    >>> records = [
    ...     {"dataset": "d", "model": "m", "strategy": s, "seed": seed,
    ...      "status": "ok", "reason": "", "pr_auc": v + 0.01 * seed,
    ...      "n_train": 300, "n_test": 100}
    ...     for s, v in [("none", 0.50), ("SMOTE", 0.52)]
    ...     for seed in range(5)
    ... ]
    >>> records[7]["pr_auc"] += 0.05  # SMOTE's lead varies from seed to seed
    >>> [rec] = recommend(summarize(records))
    >>> rec.best, rec.verdict, round(rec.difference, 3)
    ('SMOTE', 'within noise', 0.03)
    >>> print(rec.sentence)  # doctest: +NORMALIZE_WHITESPACE
    d / m: **SMOTE** (PR-AUC 0.550) against 0.520 for none: not significantly
    different from none (p = 0.14); none is as good on this evidence.
    """
    if metric not in HIGHER_IS_BETTER:
        raise ValueError(
            f"`metric` must be one of {sorted(HIGHER_IS_BETTER)}; got {metric!r}."
        )
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in summary:
        groups.setdefault((str(row["dataset"]), str(row["model"])), []).append(row)
    return [
        _one(rows, dataset, model, metric) for (dataset, model), rows in groups.items()
    ]


def _number(value: float, digits: int = 3) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


_VERDICT_CELLS = {
    "baseline is best": "- (none is best)",
    "significant": "yes",
    "within noise": "no (within noise)",
    "untested": "untested (< 2 seeds)",
    "no baseline": "- (none not run)",
}


def recommendation_markdown(recommendations: Sequence[Recommendation]) -> str:
    """The report's "Recommendation" section body: one line per (data set, model),
    then the same in a table.

    Examples
    --------
    >>> rec = Recommendation("d", "m", "pr_auc", "SMOTE", 0.61, 0.52, 0.004,
    ...                      "significant", 5)
    >>> print(recommendation_markdown([rec]))  # doctest: +NORMALIZE_WHITESPACE
    - d / m: **SMOTE** (PR-AUC 0.610) against 0.520 for none: significantly better
      than none (p = 0.004).
    <BLANKLINE>
    | data set | model | best by PR-AUC | PR-AUC | none | difference | p vs. none | differs from none? |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | d | m | SMOTE | 0.610 | 0.520 | +0.090 | 0.004 | yes |
    """  # noqa: E501
    if not recommendations:
        return ""
    metric = recommendations[0].metric
    name = _METRIC_NAMES.get(metric, metric)
    lines = [f"- {rec.sentence}" for rec in recommendations]
    lines += [
        "",
        f"| data set | model | best by {name} | {name} | {BASELINE} | difference | "
        f"p vs. {BASELINE} | differs from {BASELINE}? |",
        "|" + " --- |" * 8,
    ]
    for rec in recommendations:
        difference = rec.difference
        cells = [
            rec.dataset,
            rec.model,
            rec.best if rec.best is not None else "failed",
            _number(rec.best_mean),
            _number(rec.baseline_mean),
            "-" if math.isnan(difference) else f"{difference:+.3f}",
            "-" if math.isnan(rec.p_value) else f"{rec.p_value:.2g}",
            _VERDICT_CELLS.get(rec.verdict, rec.verdict),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recommendation_section(summary: Sequence[dict[str, Any]], *, metric: str) -> str:
    """The report's last section, "## Recommendation", from :func:`summarize` rows
    (an empty string when there is nothing to recommend).

    Examples
    --------
    >>> from balancekit.bench import summarize
    >>> records = [{"dataset": "d", "model": "m", "strategy": s, "seed": 0,
    ...             "status": "ok", "reason": "", "pr_auc": v}
    ...            for s, v in [("none", 0.5), ("SMOTE", 0.4)]]
    >>> print(recommendation_section(summarize(records), metric="pr_auc"))
    ... # doctest: +ELLIPSIS
    ## Recommendation
    <BLANKLINE>
    Per data set and model: the best strategy by PR-AUC (mean over seeds), ...
    """
    body = recommendation_markdown(recommend(summary, metric=metric))
    if not body:
        return ""
    name = _METRIC_NAMES.get(metric, metric)
    return "\n".join(
        [
            "## Recommendation",
            "",
            f"Per data set and model: the best strategy by {name} (mean over seeds), "
            f"and whether it differs from {BASELINE} beyond the seed-to-seed noise "
            "(the paired t-test of the results tables, corrected for overlapping "
            f"training sets, p ≤ {NOISE_ALPHA}).",
            "",
            body,
        ]
    )
