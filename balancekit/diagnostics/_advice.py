"""Turn the quantities of a ``DataReport`` into findings with concrete next steps.

Thresholds (module constants, documented in ``inspect``):

* a class with fewer than ``SMOTE_K + 1`` (6) samples: warning, SMOTE's default
  ``k_neighbors=5`` cannot run on it; 1 sample: no interpolating sampler can;
* NaN or inf values: error; exact duplicate rows: warning; identical rows with
  different labels: error; constant columns: warning; near-constant columns: info;
  identifier-like columns: warning;
* scale disparity ``>= SCALE_RATIO_WARNING`` (100): warning;
* typology, for each class smaller than the largest (every class when all are equal):
  fewer than half of its rows safe -> warning (borderline- or rare/outlier-dominated,
  whichever is larger); otherwise ``OUTLIER_SHARE_INFO`` (10%) outliers -> info.
"""

from __future__ import annotations

import math
from typing import Any

from balancekit.diagnostics._findings import SEVERITIES, Finding
from balancekit.diagnostics._report import DataReport

__all__ = ["SCALE_RATIO_WARNING", "advise"]

SMOTE_K = 5
SCALE_RATIO_WARNING = 100.0
SAFE_SHARE_WARNING = 0.5
OUTLIER_SHARE_INFO = 0.1
_KNN_SAMPLERS = "SMOTE, ADASYN, NearMiss, TomekLinks, EditedNearestNeighbours"
_MAX_LISTED = 8


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _per_column(names: list[str], counts: list[int]) -> dict[str, int]:
    return {name: int(n) for name, n in zip(names, counts, strict=True) if n}


def _percent(share: float) -> str:
    if 0 < share < 0.01:
        return f"{100 * share:.1f}%"
    return f"{100 * share:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _class_findings(report: DataReport) -> list[Finding]:
    counts = dict(zip(report.classes, report.class_counts, strict=True))
    total = report.n_samples
    parts = [f"{c!s}: {n:,} ({_percent(n / total)})" for c, n in counts.items()]
    largest = max(report.imbalance_ratios)
    findings = [
        Finding(
            "class_counts",
            "info",
            f"{total:,} samples in {report.n_classes} classes: {', '.join(parts)}; "
            f"imbalance ratio {largest:.1f} (majority / smallest class)",
            (
                "judge models by balanced metrics (balanced_accuracy_score, "
                "geometric_mean_score, average_precision_score), not accuracy"
                if largest >= 3
                else ""
            ),
            count=report.n_classes,
            details={
                "class_counts": {str(c): n for c, n in counts.items()},
                "imbalance_ratios": {
                    str(c): r
                    for c, r in zip(
                        report.classes, report.imbalance_ratios, strict=True
                    )
                },
            },
        )
    ]
    if report.n_classes == 1:
        findings.append(
            Finding(
                "single_class",
                "error",
                f"only one class ({report.classes[0]!s}) is present",
                "a classifier needs at least two classes: check the target column "
                "and how the data were filtered",
                count=1,
            )
        )
    for cls, n in counts.items():
        if n > SMOTE_K or report.n_classes == 1:
            continue
        if n == 1:
            advice = (
                "SMOTE, ADASYN and BorderlineSMOTE need at least 2 samples of a "
                "class; use RandomOverSampler or class weights (compute_class_weight),"
                " or gather more samples"
            )
        else:
            advice = (
                f"SMOTE needs k_neighbors <= {n - 1} for it (e.g. "
                f"SMOTE(k_neighbors={n - 1})); StratifiedKFold needs n_splits <= {n}"
            )
        findings.append(
            Finding(
                "tiny_class",
                "warning",
                f"class {cls!s} has {n} sample{'s' if n > 1 else ''}",
                advice,
                count=n,
                details={"class": _plain_label(cls)},
            )
        )
    return findings


def _plain_label(value: Any) -> Any:
    return value if isinstance(value, int | float | str | bool) else str(value)


def _value_findings(report: DataReport) -> list[Finding]:
    findings = []
    names = report.feature_names
    n_rows = report.n_nonfinite_rows
    excluded = (
        f"; {_plural(n_rows, 'row')} holding NaN or inf "
        f"{'was' if n_rows == 1 else 'were'} left out of the duplicate and "
        "neighbourhood checks"
        if n_rows
        else ""
    )
    for code, label, counts in (
        ("nan_values", "NaN value", report.nan_counts),
        ("inf_values", "infinite value", report.inf_counts),
    ):
        total = sum(counts)
        if not total:
            continue
        columns = _per_column(names, counts)
        listed = _listing([f"{k}: {v:,}" for k, v in columns.items()])
        advice = (
            "impute them inside the pipeline, fitted on training rows only: "
            "`balancekit bench --impute median` (or most_frequent; in Python "
            "compare(..., impute='median')), or in your own code "
            "sklearn.impute.SimpleImputer as the first step of an imblearn Pipeline, "
            "before the sampler. Never impute the whole file before splitting: the "
            "test rows would leak into the filled values. balancekit samplers reject "
            "NaN"
            if code == "nan_values"
            else "replace them (often an overflow or a division by zero) or drop "
            "those rows: no imputer fills infinities, and balancekit samplers "
            "reject them"
        )
        findings.append(
            Finding(
                code,
                "error",
                f"{_plural(total, label)} in {_plural(len(columns), 'column')} "
                f"({listed}){excluded}",
                advice,
                count=total,
                details={"columns": columns, "rows": report.n_nonfinite_rows},
            )
        )
        excluded = ""  # said once
    if report.constant_features:
        n = len(report.constant_features)
        findings.append(
            Finding(
                "constant_features",
                "warning",
                f"{_plural(n, 'constant feature')}: "
                f"{_listing(report.constant_features)}",
                "drop (sklearn.feature_selection.VarianceThreshold): a constant "
                "column carries no information and divides by zero when standardised",
                count=n,
                details={"columns": list(report.constant_features)},
            )
        )
    if report.near_constant_features:
        n = len(report.near_constant_features)
        findings.append(
            Finding(
                "near_constant_features",
                "info",
                f"{_plural(n, 'near-constant feature')} (one value covers "
                f">= 99% of rows, or ~0 variance): "
                f"{_listing(report.near_constant_features)}",
                "before dropping one, check whether its rare values mark the "
                "minority class",
                count=n,
                details={"columns": list(report.near_constant_features)},
            )
        )
    return findings


def _scale_finding(report: DataReport) -> list[Finding]:
    ratio = report.scale_ratio
    if ratio is None or ratio < SCALE_RATIO_WARNING:
        return []
    stds = {
        name: std
        for name, std, bad in zip(
            report.feature_names,
            report.feature_std,
            [
                n in report.constant_features
                or n in report.near_constant_features
                or (report.identifiers_excluded and n in report.identifier_features)
                for n in report.feature_names
            ],
            strict=True,
        )
        if not bad and math.isfinite(std)
    }
    widest = max(stds, key=lambda k: stds[k])
    narrowest = min(stds, key=lambda k: stds[k])
    exponent = math.log10(ratio)
    return [
        Finding(
            "scale_disparity",
            "warning",
            f"features differ in scale by 10^{exponent:.1f} (std of {widest}: "
            f"{stds[widest]:.3g}, of {narrowest}: {stds[narrowest]:.3g})",
            f"standardise before kNN samplers ({_KNN_SAMPLERS}): put "
            "sklearn.preprocessing.StandardScaler before the sampler in an imblearn "
            "Pipeline (the neighbourhood difficulty below is computed on "
            "standardised features, as such a pipeline gives)",
            count=None,
            details={"ratio": ratio, "widest": widest, "narrowest": narrowest},
        )
    ]


def _identifier_findings(report: DataReport) -> list[Finding]:
    found = report.identifier_features
    if not found:
        return []
    listed = _listing([f"{name} ({reason})" for name, reason in found.items()])
    where = (
        "; left out of the scale, duplicate and neighbourhood checks and of the "
        "projection"
        if report.identifiers_excluded
        else "; kept in the checks, as they are the only columns"
    )
    return [
        Finding(
            "identifier_columns",
            "warning",
            f"{_plural(len(found), 'identifier-like column')}: {listed}{where}",
            "drop it from the model's features and keep it aside to trace rows: a "
            "model can learn the row order or the key, kNN samplers measure distances "
            "along it, and duplicates hide behind it. If it is a genuine feature (a "
            "file sorted by a measurement), ignore this",
            count=len(found),
            details={"columns": dict(found)},
        )
    ]


def _duplicate_findings(report: DataReport) -> list[Finding]:
    findings = []
    if report.n_duplicate_rows:
        findings.append(
            Finding(
                "duplicate_rows",
                "warning",
                f"{_plural(report.n_duplicate_rows, 'row')} duplicate an earlier row "
                f"({_plural(report.n_duplicate_groups, 'distinct row')} "
                f"{'occurs' if report.n_duplicate_groups == 1 else 'occur'} more "
                "than once)",
                "drop them before splitting (pandas DataFrame.drop_duplicates): "
                "copies land on both sides of a train/test split and crowd kNN "
                "neighbourhoods (SMOTE interpolates between identical points)",
                count=report.n_duplicate_rows,
                details={"groups": report.n_duplicate_groups},
            )
        )
    if report.n_conflicting_rows:
        findings.append(
            Finding(
                "conflicting_labels",
                "error",
                f"{_plural(report.n_conflicting_rows, 'row')} in "
                f"{_plural(report.n_conflicting_groups, 'group')} of identical "
                "features carry different labels",
                "no model can separate them: fix the labels (or add the feature that "
                "tells them apart); resampling would copy the contradiction",
                count=report.n_conflicting_rows,
                details={
                    "groups": report.n_conflicting_groups,
                    "example_rows": report.conflict_examples,
                },
            )
        )
    return findings


def _typology_findings(report: DataReport) -> list[Finding]:
    shares = report.typology_shares
    if shares is None:
        return [
            Finding(
                "typology_skipped",
                "info",
                f"too few rows with finite features for the {report.n_neighbors}-"
                "neighbour difficulty analysis",
                "",
            )
        ]
    largest = max(report.class_counts)
    all_equal = min(report.class_counts) == largest
    findings = []
    for cls, count in zip(report.classes, report.class_counts, strict=True):
        if count == largest and not all_equal:
            continue
        share = shares[cls]
        listed = ", ".join(f"{_percent(share[c])} {c}" for c in share)
        details = {"class": _plain_label(cls), "shares": dict(share)}
        hard = share["rare"] + share["outlier"]
        if share["safe"] < SAFE_SHARE_WARNING and share["borderline"] >= hard:
            findings.append(
                Finding(
                    "borderline_class",
                    "warning",
                    f"{_percent(share['borderline'])} of class {cls!s} is borderline "
                    f"({listed})",
                    "the classes overlap: try SMOTEENN or BorderlineSMOTE (or "
                    "SMOTETomek), which clean or focus on the class boundary",
                    details=details,
                )
            )
        elif share["safe"] < SAFE_SHARE_WARNING:
            findings.append(
                Finding(
                    "rare_outlier_class",
                    "warning",
                    f"rare/outlier-dominated class {cls!s}: {_percent(hard)} of it is "
                    f"rare or outlier ({listed})",
                    "SMOTE would interpolate across other classes here: prefer "
                    "RandomOverSampler or class weights (compute_class_weight), "
                    "avoid cleaning samplers (EditedNearestNeighbours, TomekLinks) "
                    "that delete these samples, and check the outliers for label "
                    "noise",
                    details=details,
                )
            )
        elif share["outlier"] >= OUTLIER_SHARE_INFO:
            findings.append(
                Finding(
                    "outliers",
                    "info",
                    f"{_percent(share['outlier'])} of class {cls!s} are outliers (no "
                    f"same-class neighbour among {report.n_neighbors})",
                    "check them for label noise before oversampling",
                    details=details,
                )
            )
    if report.typology_sampled:
        evaluated = sum(sum(row) for row in report.typology_counts or [])
        findings.append(
            Finding(
                "typology_subsample",
                "info",
                f"the neighbourhood difficulty was computed for a stratified "
                f"subsample of {evaluated:,} rows (max_samples)",
                "",
                count=evaluated,
            )
        )
    return findings


def advise(report: DataReport) -> list[Finding]:
    """Every finding of ``report``'s quantities, most serious first.

    Examples
    --------
    >>> import dataclasses
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(50, 2))
    >>> report = inspect(X, np.repeat([0, 1], [47, 3]))
    >>> [f.code for f in advise(dataclasses.replace(report, findings=[]))][:2]
    ['tiny_class', 'rare_outlier_class']
    """
    findings = [
        *_class_findings(report),
        *_value_findings(report),
        *_scale_finding(report),
        *_identifier_findings(report),
        *_duplicate_findings(report),
        *_typology_findings(report),
    ]
    return sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
