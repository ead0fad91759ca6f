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

Multilabel ``y`` (``DataReport.multilabel``), instead of the class and typology rules:

* MeanIR > ``MEAN_IR_IMBALANCED`` (1.5) and CVIR > ``CVIR_IMBALANCED`` (0.2):
  warning, the data set is imbalanced (Charte et al., Neurocomputing 163, 2015);
* SCUMBLE > ``SCUMBLE_HIGH`` (0.1): warning, high concurrence of minority and
  majority labels (Charte et al., Neurocomputing 326, 2019), which harms resampling
  and most of all synthetic generation (MLSMOTE);
* labels whose IRLbl exceeds MeanIR, when imbalanced: info, the minority labels
  (Charte et al.);
* labels with 1 to ``SMOTE_K`` (5) positives: warning; labels never positive and
  labels positive in every sample: warning; samples without any label: info.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from balancekit.diagnostics._findings import SEVERITIES, Finding
from balancekit.diagnostics._report import DataReport

__all__ = [
    "CVIR_IMBALANCED",
    "MEAN_IR_IMBALANCED",
    "SCALE_RATIO_WARNING",
    "SCUMBLE_HIGH",
    "advise",
]

SMOTE_K = 5
SCALE_RATIO_WARNING = 100.0
SAFE_SHARE_WARNING = 0.5
OUTLIER_SHARE_INFO = 0.1
MEAN_IR_IMBALANCED = 1.5
CVIR_IMBALANCED = 0.2
SCUMBLE_HIGH = 0.1
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


def _labels_of(report: DataReport, positions: Any) -> list[str]:
    return [str(report.classes[j]) for j in positions]


_MULTILABEL_METRICS = (
    "judge models per label: macro-averaged f1_score and average_precision_score, "
    "classification_report (one row per label); micro averages and accuracy hide "
    "the rare labels"
)
_REBALANCE = (
    "weigh the positives of each label (compute_pos_weight for "
    "torch.nn.BCEWithLogitsLoss or tf.nn.weighted_cross_entropy_with_logits), or "
    "resample with balancekit.multilabel's MLROS / MLRUS (by IRLbl) or "
    "LabelPowersetRandomOverSampler (when few label combinations occur), or sample "
    "batches class-aware with balancekit.torch.MultilabelBalancedSampler"
)


def _multilabel_summary(report: DataReport) -> list[Finding]:
    m = report.multilabel
    assert m is not None
    imbalanced = m.mean_ir > MEAN_IR_IMBALANCED and m.cvir > CVIR_IMBALANCED
    details = {
        "cardinality": m.cardinality,
        "density": m.density,
        "mean_ir": m.mean_ir,
        "cvir": m.cvir,
        "scumble": m.scumble,
        "label_counts": {
            str(name): int(n) for name, n in zip(m.labels, m.label_counts, strict=True)
        },
        "irlbl": {
            str(name): float(r) for name, r in zip(m.labels, m.irlbl, strict=True)
        },
    }
    findings = [
        Finding(
            "label_counts",
            "info",
            f"{m.n_samples:,} samples with {m.n_labels} labels: cardinality "
            f"{m.cardinality:.3g} labels per sample (density {m.density:.3g}); MeanIR "
            f"{m.mean_ir:.3g}, CVIR {m.cvir:.3g}, SCUMBLE {m.scumble:.3g}",
            "",
            count=m.n_labels,
            details=details,
        )
    ]
    if imbalanced:
        worst = int(np.nanargmax(np.where(np.isfinite(m.irlbl), m.irlbl, np.nan)))
        findings.append(
            Finding(
                "imbalanced_labels",
                "warning",
                f"the labels are imbalanced: MeanIR {m.mean_ir:.3g} > "
                f"{MEAN_IR_IMBALANCED} and CVIR {m.cvir:.3g} > {CVIR_IMBALANCED} "
                f"(Charte et al.); the rarest label, {m.labels[worst]!s}, has "
                f"{int(m.label_counts[worst]):,} positives, IRLbl "
                f"{m.irlbl[worst]:.3g}",
                _REBALANCE + "; " + _MULTILABEL_METRICS,
                details={"mean_ir": m.mean_ir, "cvir": m.cvir},
            )
        )
    if m.scumble > SCUMBLE_HIGH:
        findings.append(
            Finding(
                "label_concurrence",
                "warning",
                f"high concurrence of rare and frequent labels: SCUMBLE "
                f"{m.scumble:.3g} > {SCUMBLE_HIGH} (Charte et al.): minority labels "
                "mostly occur in samples that also carry majority labels",
                "resampling then copies or synthesises the majority labels along "
                "with the minority ones, and synthetic generation (MLSMOTE) suffers "
                "most: prefer per-label losses (compute_pos_weight, AsymmetricLoss, "
                "DistributionBalancedLoss) or class-aware sampling "
                "(MultilabelBalancedSampler); if you resample, MLROS over MLSMOTE",
                details={
                    "scumble": m.scumble,
                    "scumble_per_label": {
                        str(name): float(v)
                        for name, v in zip(m.labels, m.scumble_label, strict=True)
                    },
                },
            )
        )
    return findings


def _label_findings(report: DataReport) -> list[Finding]:
    m = report.multilabel
    assert m is not None
    counts, present = m.label_counts, m.label_counts > 0
    findings = []
    imbalanced = m.mean_ir > MEAN_IR_IMBALANCED and m.cvir > CVIR_IMBALANCED
    minority = np.flatnonzero(present & (m.irlbl > m.mean_ir))
    if minority.size and imbalanced:
        names = _labels_of(report, minority)
        findings.append(
            Finding(
                "minority_labels",
                "info",
                f"{_plural(len(names), 'minority label')} (IRLbl above MeanIR "
                f"{m.mean_ir:.3g}): {_listing(names)}",
                "these are the labels MLROS and MLSMOTE clone or synthesise samples "
                "for, and the ones to watch in per-label metrics",
                count=len(names),
                details={"labels": names},
            )
        )
    tiny = np.flatnonzero((counts > 0) & (counts <= SMOTE_K))
    if tiny.size:
        names = _labels_of(report, tiny)
        tiny_counts = {n: int(counts[j]) for n, j in zip(names, tiny, strict=True)}
        listed = _listing([f"{n}: {c}" for n, c in tiny_counts.items()])
        findings.append(
            Finding(
                "tiny_labels",
                "warning",
                f"{_plural(len(names), 'label')} with at most {SMOTE_K} positive "
                f"samples ({listed})",
                f"MLSMOTE needs k_neighbors + 1 ({SMOTE_K + 1} by default) samples of "
                "a label to synthesise; use MLROS or class-aware sampling "
                "(MultilabelBalancedSampler) and compute_pos_weight, and expect "
                "unstable per-label scores",
                count=len(names),
                details={"labels": tiny_counts},
            )
        )
    never = np.flatnonzero(~present)
    if never.size:
        names = _labels_of(report, never)
        findings.append(
            Finding(
                "absent_labels",
                "warning",
                f"{_plural(len(names), 'label')} never positive: {_listing(names)}",
                "no model can learn them and their per-label metrics (and "
                "compute_pos_weight) are undefined: drop these columns, or check the "
                "binarisation (MultiLabelBinarizer's classes)",
                count=len(names),
                details={"labels": names},
            )
        )
    always = np.flatnonzero(counts == m.n_samples)
    if always.size:
        names = _labels_of(report, always)
        findings.append(
            Finding(
                "constant_labels",
                "warning",
                f"{_plural(len(names), 'label')} positive in every sample: "
                f"{_listing(names)}",
                "a constant label carries nothing to learn and inflates MeanIR's "
                "reference count: drop it",
                count=len(names),
                details={"labels": names},
            )
        )
    if m.n_unlabelled:
        findings.append(
            Finding(
                "unlabelled_samples",
                "info",
                f"{_plural(m.n_unlabelled, 'sample')} "
                f"({_percent(m.n_unlabelled / m.n_samples)}) carry no label",
                "fine when 'none of these' is a real answer; a per-label loss "
                "(BCE with compute_pos_weight) treats them as negatives of every label",
                count=m.n_unlabelled,
            )
        )
    return findings


def _multilabel_findings(report: DataReport) -> list[Finding]:
    return [
        *_multilabel_summary(report),
        *_label_findings(report),
        Finding(
            "typology_skipped",
            "info",
            "the neighbourhood difficulty (safe / borderline / rare / outlier) is "
            "computed for class labels only, not for a multilabel y",
            "",
        ),
    ]


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
    if report.multilabel is not None:
        label_findings, typology = _multilabel_findings(report), []
    else:
        label_findings, typology = _class_findings(report), _typology_findings(report)
    findings = [
        *label_findings,
        *_value_findings(report),
        *_scale_finding(report),
        *_identifier_findings(report),
        *_duplicate_findings(report),
        *typology,
    ]
    return sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
