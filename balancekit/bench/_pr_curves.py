"""Precision-recall curves of a strategy comparison: one curve per strategy, on one
test split or over all the seeds (averaged or pooled, so the legend's AP is the
table's figure). Re-exported by :mod:`balancekit.bench.plots`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._params import check_choice
from balancekit._plotting import PathLike, check_digits, figure_and_axes, save_figure
from balancekit.metrics import average_precision_score, precision_recall_curve
from balancekit.metrics.plots import plot_precision_recall

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["POOLING", "plot_pr_curves", "plot_pr_curves_over_seeds"]

#: How :func:`plot_pr_curves_over_seeds` combines seeds.
POOLING = ("average", "concatenate")


def plot_pr_curves(
    y_true: Any,
    scores: Mapping[str, Any],
    *,
    pos_label: Any = 1,
    chance: bool = True,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Precision-recall curves of several strategies on one axes, AP in the legend.

    Each curve is :func:`balancekit.metrics.plots.plot_precision_recall` of one
    strategy's scores (so :func:`balancekit.metrics.precision_recall_curve` and
    :func:`balancekit.metrics.average_precision_score`, computed where the arrays
    live).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True labels of the test set.
    scores : mapping of str to array of shape (n_samples,)
        Positive-class scores per strategy, in legend order.
    pos_label : int, float, bool or str, default=1
        The positive label.
    chance : bool, default=True
        Draw the precision of random guessing (the positive rate) once.
    digits : int, default=3
        Decimals of the APs in the legend.
    title : str, default=None
        Axes title.
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
    >>> from balancekit.bench.plots import plot_pr_curves
    >>> y_true = np.array([0, 0, 0, 1, 1])
    >>> scores = {"none": np.array([0.1, 0.6, 0.2, 0.5, 0.9]),
    ...           "SMOTE": np.array([0.1, 0.3, 0.2, 0.5, 0.9])}
    >>> figure = plot_pr_curves(y_true, scores)
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['none (AP = 0.833)', 'SMOTE (AP = 1.000)', 'chance = 0.400']
    """
    if not isinstance(scores, Mapping):
        raise TypeError(
            "`scores` must be a mapping {strategy name: positive-class scores}; got "
            f"{type(scores).__name__}."
        )
    if not scores:
        raise ValueError("`scores` must hold at least one strategy; got none.")
    figure, axes = figure_and_axes(ax, (5.5, 5.0))
    items = list(scores.items())
    for number, (name, score) in enumerate(items):
        plot_precision_recall(
            y_true,
            score,
            pos_label=pos_label,
            name=str(name),
            chance=chance and number == len(items) - 1,
            digits=digits,
            ax=axes,
        )
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure


def _check_runs(runs: Any) -> list[tuple[str, list[tuple[np.ndarray, np.ndarray]]]]:
    if not isinstance(runs, Mapping):
        raise TypeError(
            "`runs` must be a mapping {strategy name: [(y_true, scores) per seed]}; "
            f"got {type(runs).__name__}."
        )
    if not runs:
        raise ValueError("`runs` must hold at least one strategy; got none.")
    checked = []
    for name, pairs in runs.items():
        if isinstance(pairs, tuple) and len(pairs) == 2:
            pairs = [pairs]  # one seed
        seeds = []
        for pair in pairs:
            y_true, scores = (np.asarray(v).reshape(-1) for v in pair)
            if y_true.shape != scores.shape:
                raise ValueError(
                    f"`runs[{name!r}]`: labels and scores of a seed must have the "
                    f"same length; got {y_true.size} and {scores.size}."
                )
            seeds.append((y_true, scores.astype(np.float64)))
        if not seeds:
            raise ValueError(f"`runs[{name!r}]` holds no seed.")
        checked.append((str(name), seeds))
    return checked


def _interpolated_precision(
    y_true: np.ndarray, scores: np.ndarray, pos_label: Any, grid: np.ndarray
) -> np.ndarray:
    """Precision at each recall of ``grid``: the best precision at that recall or
    more (the usual interpolation, non-increasing in recall)."""
    precision, recall, _ = precision_recall_curve(y_true, scores, pos_label=pos_label)
    precision, recall = np.asarray(precision), np.asarray(recall)
    # recall decreases along the arrays; the running maximum from the high-recall end
    best_from = np.maximum.accumulate(precision)  # max over recall >= recall[i]
    index = np.searchsorted(-recall, -grid, side="right") - 1
    return best_from[np.clip(index, 0, recall.size - 1)]


def plot_pr_curves_over_seeds(
    runs: Mapping[str, Sequence[tuple[Any, Any]]],
    *,
    pos_label: Any = 1,
    pool: str = "average",
    chance: bool = True,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Precision-recall curves of several strategies, each over all its seeds.

    A seed has its own test split, so its curve is one draw; a curve of the first
    seed only would disagree with a table of means over seeds. Two ways to combine
    them, named in the legend:

    * ``pool="average"``: on a grid of 101 recalls, each seed's interpolated precision
      (the best precision at that recall or more) is averaged over the seeds; the
      legend gives the **mean AP over seeds**, the figure of the bench table;
    * ``pool="concatenate"``: the seeds' test labels and scores are concatenated into
      one curve; the legend gives that **pooled AP** (close to, but not, the mean).

    Parameters
    ----------
    runs : mapping of str to sequence of (y_true, scores)
        Per strategy (in legend order), one ``(y_true, positive-class scores)`` pair
        per seed.
    pos_label : int, float, bool or str, default=1
        The positive label.
    pool : {"average", "concatenate"}, default="average"
        How the seeds are combined (see above).
    chance : bool, default=True
        Draw the precision of random guessing (the mean positive rate) once.
    digits : int, default=3
        Decimals of the APs in the legend.
    title : str, default=None
        Axes title.
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
    >>> from balancekit.bench.plots import plot_pr_curves_over_seeds
    >>> seed_0 = (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> seed_1 = (np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.3, 0.7]))
    >>> figure = plot_pr_curves_over_seeds({"SMOTE": [seed_0, seed_1]})
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['SMOTE (mean AP over 2 seeds = 0.917)', 'chance = 0.500']
    """
    checked = _check_runs(runs)
    check_choice(pool, "pool", POOLING)
    digits = check_digits(digits)
    figure, axes = figure_and_axes(ax, (5.5, 5.0))
    grid = np.linspace(0.0, 1.0, 101)
    rates = []
    for name, seeds in checked:
        if pool == "concatenate":
            y_all = np.concatenate([y for y, _ in seeds])
            s_all = np.concatenate([s for _, s in seeds])
            ap = float(average_precision_score(y_all, s_all, pos_label=pos_label))
            precision, recall, _ = precision_recall_curve(
                y_all, s_all, pos_label=pos_label
            )
            axes.plot(
                np.asarray(recall),
                np.asarray(precision),
                drawstyle="steps-post",
                label=f"{name} (pooled AP of {len(seeds)} seeds = {ap:.{digits}f})",
            )
        else:
            aps = [
                float(average_precision_score(y, s, pos_label=pos_label))
                for y, s in seeds
            ]
            curve = np.mean(
                [_interpolated_precision(y, s, pos_label, grid) for y, s in seeds],
                axis=0,
            )
            label = (
                f"{name} (mean AP over {len(seeds)} seeds = {np.mean(aps):.{digits}f})"
                if len(seeds) > 1
                else f"{name} (AP = {aps[0]:.{digits}f}, 1 seed)"
            )
            axes.plot(grid, curve, label=label)
        rates += [float(np.mean(y == pos_label)) for y, _ in seeds]
    if chance:
        rate = float(np.mean(rates))
        axes.axhline(
            rate,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"chance = {rate:.{digits}f}",
        )
    axes.set_xlim(0.0, 1.0)
    axes.set_ylim(0.0, 1.02)
    axes.set_xlabel("Recall")
    axes.set_ylabel("Precision")
    axes.legend(loc="best", fontsize="small")
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure
