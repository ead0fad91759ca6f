"""``DataReport``: everything ``inspect`` computed, its findings, text and plots."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._json import plain
from balancekit.diagnostics._findings import Finding, render_findings, worst_severity
from balancekit.diagnostics._typology import CATEGORIES

if TYPE_CHECKING:
    from balancekit.diagnostics._multilabel import MultilabelImbalance

__all__ = ["DataReport", "Projection"]


@dataclass(frozen=True)
class Projection:
    """A 2-D principal-component view of a host subsample, for plotting only.

    Attributes
    ----------
    coordinates : numpy.ndarray of shape (n_points, 2)
        The first two principal components of the standardised features.
    class_codes : numpy.ndarray of shape (n_points,)
        Position of each point's class in ``DataReport.classes``.
    categories : numpy.ndarray of shape (n_points,) or None
        Typology category (0 safe, 1 borderline, 2 rare, 3 outlier) of each point.
    explained_variance_ratio : tuple of float
        Share of the (standardised) variance each component explains.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(50, 4))
    >>> inspect(X, np.repeat([0, 1], [40, 10])).projection.coordinates.shape
    (50, 2)
    """

    coordinates: np.ndarray
    class_codes: np.ndarray
    categories: np.ndarray | None
    explained_variance_ratio: tuple[float, ...]


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


@dataclass(frozen=True)
class DataReport:
    """What :func:`balancekit.diagnostics.inspect` found in a data set.

    Counts refer to the rows given; the duplicate checks and the typology use the rows
    whose features are all finite (``n_samples - n_nonfinite_rows`` of them).

    For a multilabel ``y`` (a 0/1 indicator), the "classes" are the labels:
    ``classes`` names the label columns, ``class_counts`` counts each label's
    positive samples, ``imbalance_ratios`` are Charte et al.'s IRLbl (inf for a label
    without positives), ``multilabel`` holds the multilabel measures, and the
    neighbourhood typology and the projection are not computed.

    Attributes
    ----------
    n_samples, n_features : int
        Shape of ``X``.
    feature_names : list of str
        Column names (``x0``, ``x1``, ... unless given).
    classes : list
        The sorted class labels (multilabel: the label names, in column order).
    class_counts : list of int
        Samples per class (multilabel: positive samples per label).
    imbalance_ratios : list of float
        Majority-class count over each class's count (1.0 for the majority;
        multilabel: IRLbl, the most frequent label's count over each label's).
    nan_counts, inf_counts : list of int
        NaN and +/-inf values per column.
    n_nonfinite_rows : int
        Rows holding at least one NaN or inf.
    constant_features, near_constant_features : list of str
        Columns with at most one distinct finite value; columns where one value covers
        at least 99% of the finite values or the standard deviation is below 1e-6 of
        the mean absolute value.
    dominant_shares : list of float
        Per column, the share of its most frequent finite value when that value covers
        more than half of them (the share of the column's median value otherwise).
    feature_std, feature_iqr : list of float
        Standard deviation and interquartile range of each column's finite values
        (NaN for a column without any).
    scale_ratio : float or None
        Largest over smallest standard deviation among the columns that are neither
        constant nor near-constant (None with fewer than two such columns).
    n_duplicate_rows, n_duplicate_groups : int
        Rows equal to an earlier row; distinct rows present more than once.
    n_conflicting_rows, n_conflicting_groups : int
        Rows (groups) of identical features that carry different labels.
    conflict_examples : list of list of int
        Row positions of up to five conflicting groups.
    n_neighbors : int
        ``k`` of the neighbourhood typology.
    typology_counts : list of list of int or None
        Per class, the evaluated rows that are safe, borderline, rare and outlier
        (None when there were too few finite rows).
    typology_sampled : bool
        Whether the typology was computed on a stratified subsample (``max_samples``).
    identifier_features : dict of str to str
        Identifier-like columns (unique per row, and monotone in row order or
        integer-valued with an identifier's name), each with the reason it was
        flagged.
    identifiers_excluded : bool
        Whether those columns were left out of the scale ratio, the duplicate check,
        the typology and the projection (False when they are the only columns).
    typology_features : list of str
        The columns the typology and the projection used, each standardised (mean 0,
        standard deviation 1 over the finite rows): every column but the
        identifier-like and the constant ones.
    multilabel : MultilabelImbalance or None
        The multilabel measures (cardinality, density, IRLbl, MeanIR, CVIR, SCUMBLE)
        of a multilabel ``y``; None for class labels.
    findings : list of Finding
        What deserves attention, most serious first.
    projection : Projection or None
        2-D view of at most 5,000 rows for :meth:`plot` (not part of ``to_dict``).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (90, 2)), rng.normal(6, 1, (10, 2))])
    >>> report = inspect(X, np.repeat([0, 1], [90, 10]))
    >>> report.class_counts, report.imbalance_ratios
    ([90, 10], [1.0, 9.0])
    >>> report.typology_shares[1]["safe"]
    1.0
    """

    n_samples: int
    n_features: int
    feature_names: list[str]
    classes: list
    class_counts: list[int]
    imbalance_ratios: list[float]
    nan_counts: list[int]
    inf_counts: list[int]
    n_nonfinite_rows: int
    constant_features: list[str]
    near_constant_features: list[str]
    dominant_shares: list[float]
    feature_std: list[float]
    feature_iqr: list[float]
    scale_ratio: float | None
    n_duplicate_rows: int
    n_duplicate_groups: int
    n_conflicting_rows: int
    n_conflicting_groups: int
    conflict_examples: list[list[int]]
    n_neighbors: int
    typology_counts: list[list[int]] | None
    typology_sampled: bool
    identifier_features: dict[str, str] = field(default_factory=dict)
    identifiers_excluded: bool = False
    typology_features: list[str] = field(default_factory=list)
    multilabel: MultilabelImbalance | None = field(default=None, compare=False)
    findings: list[Finding] = field(default_factory=list)
    projection: Projection | None = field(default=None, repr=False, compare=False)

    @property
    def n_classes(self) -> int:
        """The number of classes."""
        return len(self.classes)

    @property
    def typology_shares(self) -> dict[Any, dict[str, float]] | None:
        """``{class: {"safe": share, "borderline": ..., "rare": ..., "outlier": ...}}``.

        Shares of each class's evaluated rows; each class's shares sum to 1 (all 0
        for a class without evaluated rows).
        """
        if self.typology_counts is None:
            return None
        shares = {}
        for cls, row in zip(self.classes, self.typology_counts, strict=True):
            total = sum(row)
            shares[cls] = {
                name: (count / total if total else 0.0)
                for name, count in zip(CATEGORIES, row, strict=True)
            }
        return shares

    @property
    def worst_severity(self) -> str | None:
        """The most serious severity among the findings (None without findings)."""
        return worst_severity(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Every computed quantity as plain Python types (JSON-serialisable).

        NaN and infinite floats become ``None``; class labels become dictionary keys
        as strings in ``typology_shares``. ``multilabel`` is
        ``MultilabelImbalance.to_dict()`` (or None).
        """
        out: dict[str, Any] = {}
        for item in fields(self):
            if item.name in ("findings", "projection", "multilabel"):
                continue
            out[item.name] = plain(getattr(self, item.name))
        out["multilabel"] = (
            None if self.multilabel is None else self.multilabel.to_dict()
        )
        out["typology_shares"] = plain(self.typology_shares)
        out["worst_severity"] = self.worst_severity
        out["findings"] = [plain(f.to_dict()) for f in self.findings]
        return out

    def _label_table(self, measures: MultilabelImbalance) -> list[str]:
        names = [str(c) for c in self.classes]
        width = max([5, *(len(n) for n in names)])
        lines = [
            f"cardinality {measures.cardinality:.4g}  density {measures.density:.4g}  "
            f"MeanIR {measures.mean_ir:.4g}  CVIR {measures.cvir:.4g}  "
            f"SCUMBLE {measures.scumble:.4g}  "
            f"({measures.n_unlabelled:,} samples without any label)",
            "",
            f"{'label':<{width}}  {'count':>9}  {'share':>6}  {'IRLbl':>8}  "
            f"{'SCUMBLE':>8}",
        ]
        total = max(self.n_samples, 1)
        for j, name in enumerate(names):
            count = int(measures.label_counts[j])
            lines.append(
                f"{name:<{width}}  {count:>9,}  {_percent(count / total):>6}  "
                f"{measures.irlbl[j]:>8.4g}  {measures.scumble_label[j]:>8.4g}"
            )
        return lines

    def _class_table(self) -> list[str]:
        names = [str(c) for c in self.classes]
        width = max([5, *(len(n) for n in names)])
        header = f"{'class':<{width}}  {'count':>9}  {'share':>6}  {'ratio':>7}"
        shares = self.typology_shares
        if shares is not None:
            header += "".join(f"  {name:>10}" for name in CATEGORIES)
        lines = [header]
        total = max(self.n_samples, 1)
        for name, cls, count, ratio in zip(
            names, self.classes, self.class_counts, self.imbalance_ratios, strict=True
        ):
            line = (
                f"{name:<{width}}  {count:>9,}  {_percent(count / total):>6}  "
                f"{ratio:>7.1f}"
            )
            if shares is not None:
                line += "".join(
                    f"  {_percent(shares[cls][cat]):>10}" for cat in CATEGORIES
                )
            lines.append(line)
        return lines

    def __str__(self) -> str:
        title = (
            f"Data report: {self.n_samples:,} samples x {self.n_features} features, "
            f"{self.n_classes} classes"
        )
        if self.multilabel is not None:
            title = (
                f"Data report: {self.n_samples:,} samples x {self.n_features} "
                f"features, {self.n_classes} labels (multilabel)"
            )
            parts = [title, "", *self._label_table(self.multilabel), ""]
            worst = self.worst_severity
            parts.append(f"Findings (worst: {worst}):" if worst else "Findings:")
            parts.append(render_findings(self.findings))
            return "\n".join(parts)
        if self.typology_counts is not None:
            scope = ", subsample" if self.typology_sampled else ""
            n_used = len(self.typology_features)
            title += (
                f"; difficulty from {self.n_neighbors} neighbours on {n_used} "
                f"standardised feature{'' if n_used == 1 else 's'}{scope}"
            )
        parts = [title, "", *self._class_table(), ""]
        worst = self.worst_severity
        parts.append(f"Findings (worst: {worst}):" if worst else "Findings:")
        parts.append(render_findings(self.findings))
        return "\n".join(parts)

    def plot(self, path_or_dir: str | os.PathLike[str]) -> list[Path]:
        """Save the plots as PNG files; returns their paths.

        A directory (created when missing; any path without a suffix) receives
        ``class_distribution.png``, ``difficulty.png`` and ``projection.png`` (the last
        two only when computed); a file path receives one figure with every panel.
        Needs matplotlib.
        """
        from balancekit.diagnostics.plots import plot_report

        return plot_report(self, path_or_dir)
