"""Plots of a :class:`~balancekit.diagnostics.DataReport`: class counts, difficulty
shares per class and a 2-D projection coloured by class.

They draw from the report's small host summaries (and its projection of at most 5,000
rows), never from the data. As in :mod:`balancekit.metrics.plots`, matplotlib is
imported inside the functions and figures are built without pyplot; each function
returns the figure, draws into ``ax`` when given and saves to ``path`` (PNG unless the
suffix names another format) when given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._plotting import figure_and_axes, save_figure
from balancekit.diagnostics._report import DataReport
from balancekit.diagnostics._typology import CATEGORIES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_class_counts", "plot_difficulty", "plot_projection", "plot_report"]

PathLike = str | os.PathLike
CATEGORY_COLOURS = ("#4c9a2a", "#f2b134", "#e4572e", "#5b2a86")
CATEGORY_MARKERS = ("o", "^", "s", "X")
FILE_NAMES = ("class_distribution.png", "difficulty.png", "projection.png")


def _check_report(report: Any) -> DataReport:
    if not isinstance(report, DataReport):
        raise TypeError(
            "`report` must be a DataReport from balancekit.diagnostics.inspect; got "
            f"{type(report).__name__}."
        )
    return report


def plot_class_counts(
    report: DataReport,
    *,
    log: bool | None = None,
    title: str | None = "Class distribution",
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw the samples per class as bars, with the count and imbalance ratio on each.

    Parameters
    ----------
    report : DataReport
        The report of :func:`balancekit.diagnostics.inspect`.
    log : bool, default=None
        Logarithmic count axis; default when the imbalance ratio is 100 or more.
    title : str, default="Class distribution"
        Axes title (None for none).
    ax : matplotlib.axes.Axes, default=None
        Draw here; by default on a new figure.
    path : str or os.PathLike, default=None
        Save the figure to this file (PNG unless the suffix names another format).
    dpi : float, default=None
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(60, 2))
    >>> report = inspect(X, np.repeat([0, 1], [50, 10]))
    >>> figure = plot_class_counts(report)
    >>> [text.get_text() for text in figure.axes[0].texts]
    ['50', '10\\n(5.0:1)']
    """
    report = _check_report(report)
    figure, axes = figure_and_axes(ax, (max(4.0, 1.5 + 0.7 * report.n_classes), 3.6))
    names = [str(c) for c in report.classes]
    positions = np.arange(report.n_classes)
    axes.bar(positions, report.class_counts, color="#3b75af")
    for x, count, ratio in zip(
        positions, report.class_counts, report.imbalance_ratios, strict=True
    ):
        label = f"{count:,}" if ratio == 1 else f"{count:,}\n({ratio:.1f}:1)"
        axes.text(x, count, label, ha="center", va="bottom", fontsize="small")
    if log if log is not None else max(report.imbalance_ratios) >= 100:
        axes.set_yscale("log")
    axes.set_xticks(positions, names)
    axes.set_xlabel("Class")
    axes.set_ylabel("Samples")
    axes.margins(y=0.15)
    if title:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure


def plot_difficulty(
    report: DataReport,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw each class's safe, borderline, rare and outlier shares as stacked bars.

    Parameters
    ----------
    report : DataReport
        The report of :func:`balancekit.diagnostics.inspect`, with its typology.
    title : str, default=None
        Axes title; default names ``k``.
    ax : matplotlib.axes.Axes, default=None
        Draw here; by default on a new figure.
    path : str or os.PathLike, default=None
        Save the figure to this file.
    dpi : float, default=None
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the report has no typology (too few finite rows).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(60, 2))
    >>> report = inspect(X, np.repeat([0, 1], [50, 10]))
    >>> figure = plot_difficulty(report)
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['safe', 'borderline', 'rare', 'outlier']
    """
    report = _check_report(report)
    shares_by_class = report.typology_shares
    if shares_by_class is None:
        raise ValueError(
            "`report` has no neighbourhood typology (too few rows with finite "
            "features); nothing to draw."
        )
    figure, axes = figure_and_axes(ax, (max(4.5, 2.5 + 0.7 * report.n_classes), 3.6))
    positions = np.arange(report.n_classes)
    bottom = np.zeros(report.n_classes)
    for category, colour in zip(CATEGORIES, CATEGORY_COLOURS, strict=True):
        heights = np.array([shares_by_class[c][category] for c in report.classes])
        axes.bar(positions, heights, bottom=bottom, color=colour, label=category)
        bottom += heights
    axes.set_xticks(positions, [str(c) for c in report.classes])
    axes.set_ylim(0, 1)
    axes.set_xlabel("Class")
    axes.set_ylabel("Share of the class")
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    scope = ", subsample" if report.typology_sampled else ""
    axes.set_title(title or f"Difficulty ({report.n_neighbors} neighbours{scope})")
    save_figure(figure, path, dpi)
    return figure


def plot_projection(
    report: DataReport,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Scatter the 2-D principal-component projection: colour by class, marker by
    difficulty (circle safe, triangle borderline, square rare, cross outlier).

    The projection is the PCA (NumPy SVD) of the standardised features of at most
    5,000 rows drawn per class by ``inspect``; it is for looking, not for measuring.

    Parameters
    ----------
    report : DataReport
        The report of :func:`balancekit.diagnostics.inspect`.
    title : str, default=None
        Axes title; default states the explained variance.
    ax : matplotlib.axes.Axes, default=None
        Draw here; by default on a new figure.
    path : str or os.PathLike, default=None
        Save the figure to this file.
    dpi : float, default=None
        Resolution of the saved file.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the report has no projection (fewer than two finite rows).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(60, 3))
    >>> report = inspect(X, np.repeat([0, 1], [50, 10]))
    >>> figure = plot_projection(report)
    >>> figure.axes[0].get_xlabel()[:3]
    'PC1'
    """
    report = _check_report(report)
    projection = report.projection
    if projection is None:
        raise ValueError(
            "`report` has no projection (fewer than two rows with finite features); "
            "nothing to draw."
        )
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    figure, axes = figure_and_axes(ax, (6.4, 4.8))
    palette = colormaps["tab10" if report.n_classes <= 10 else "tab20"]
    points = projection.coordinates
    categories = projection.categories
    # Draw the largest classes first so the minority stays visible on top.
    order = np.argsort(report.class_counts)[::-1]
    for cls_code in order:
        colour = palette(int(cls_code) % palette.N)
        members = projection.class_codes == cls_code
        if categories is None:
            axes.scatter(*points[members].T, s=12, color=colour, alpha=0.7)
            continue
        for category, marker in enumerate(CATEGORY_MARKERS):
            chosen = members & (categories == category)
            if chosen.any():
                axes.scatter(
                    *points[chosen].T,
                    s=14 if category == 0 else 26,
                    marker=marker,
                    color=colour,
                    alpha=0.6 if category == 0 else 0.9,
                    linewidths=0.3,
                    edgecolors="black" if category else "none",
                )
    handles = [
        Line2D([], [], ls="", marker="o", color=palette(i % palette.N), label=str(c))
        for i, c in enumerate(report.classes)
    ]
    if categories is not None:
        handles += [
            Line2D(
                [],
                [],
                ls="",
                marker=m,
                color="grey",
                markeredgecolor="black",
                label=name,
            )
            for m, name in zip(CATEGORY_MARKERS, CATEGORIES, strict=True)
        ]
    axes.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        fontsize="small",
    )
    first, second = [*projection.explained_variance_ratio, 0.0, 0.0][:2]
    axes.set_xlabel(f"PC1 ({100 * first:.0f}% of variance)")
    axes.set_ylabel(f"PC2 ({100 * second:.0f}% of variance)")
    axes.set_title(title or f"PCA of {points.shape[0]:,} standardised rows")
    save_figure(figure, path, dpi)
    return figure


def plot_report(report: DataReport, path_or_dir: PathLike) -> list[Path]:
    """Save every plot of ``report``; returns the paths written.

    A path without a suffix is a directory (created when missing) receiving
    ``class_distribution.png``, ``difficulty.png`` and ``projection.png`` (the last two
    when the report has them); a file path receives one figure with every panel.

    Examples
    --------
    >>> import numpy as np, tempfile
    >>> from balancekit.diagnostics import inspect
    >>> X = np.random.default_rng(0).normal(size=(60, 2))
    >>> report = inspect(X, np.repeat([0, 1], [50, 10]))
    >>> [p.name for p in plot_report(report, tempfile.mkdtemp())]
    ['class_distribution.png', 'difficulty.png', 'projection.png']
    """
    report = _check_report(report)
    if not isinstance(path_or_dir, str | os.PathLike):
        raise TypeError(
            "`path_or_dir` must be a directory or file path (str or os.PathLike); "
            f"got {type(path_or_dir).__name__}."
        )
    target = Path(path_or_dir)
    drawers: list[tuple[Any, str]] = [(plot_class_counts, FILE_NAMES[0])]
    if report.typology_counts is not None:
        drawers.append((plot_difficulty, FILE_NAMES[1]))
    if report.projection is not None:
        drawers.append((plot_projection, FILE_NAMES[2]))
    if target.suffix:
        from matplotlib.figure import Figure

        target.parent.mkdir(parents=True, exist_ok=True)
        figure = Figure(figsize=(6.0 * len(drawers), 4.8), layout="constrained")
        panels = figure.subplots(1, len(drawers), squeeze=False)[0]
        for (drawer, _), axes in zip(drawers, panels, strict=True):
            drawer(report, ax=axes)
        save_figure(figure, target, None)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for drawer, name in drawers:
        path = target / name
        drawer(report, path=path)
        written.append(path)
    return written
