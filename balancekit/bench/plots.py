"""Figures of a strategy comparison: score bars, critical-difference diagram, PR curves,
reliability diagrams.

Bars of a bounded metric stay inside its range (``limits``: error bars are clipped, the
axis ends at the bound plus a small margin), and PR curves over several seeds are
averaged (or pooled) so that the legend's AP is the table's figure.

Same conventions as :mod:`balancekit.metrics.plots`: matplotlib is imported inside the
functions, figures are built without pyplot (no display, no backend change), each
function draws into ``ax`` when given, saves to ``path`` (PNG unless the suffix names
another format) when given, and returns the figure. The PR curves are drawn by
``_pr_curves`` and the reliability diagrams by ``_reliability``, re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._plotting import (
    PathLike,
    check_digits,
    figure_and_axes,
    save_figure,
)
from balancekit.bench._pr_curves import (
    POOLING,
    plot_pr_curves,
    plot_pr_curves_over_seeds,
)
from balancekit.bench._reliability import plot_reliability_over_seeds
from balancekit.bench._stats import nonsignificant_groups

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "POOLING",
    "plot_critical_difference",
    "plot_metric_by_strategy",
    "plot_pr_curves",
    "plot_pr_curves_over_seeds",
    "plot_reliability_over_seeds",
]


def _check_names(names: Any) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence | np.ndarray):
        raise TypeError(
            f"`names` must be a sequence of strategy names; got {type(names).__name__}."
        )
    labels = [str(name) for name in names]
    if not labels:
        raise ValueError("`names` must name at least one strategy; got none.")
    return labels


def _check_values(values: Any, name: str, n: int, *, allow_nan: bool) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`{name}` must be a sequence of numbers; got {type(values).__name__}."
        ) from error
    if array.size != n:
        raise ValueError(
            f"`{name}` must hold one value per name ({n}); got {array.size}."
        )
    if np.isinf(array).any() or (not allow_nan and np.isnan(array).any()):
        raise ValueError(f"`{name}` must be finite numbers; got {array.tolist()}.")
    return array


# --------------------------------------------------------------------- score bars


def _check_limits(limits: Any) -> tuple[float, float] | None:
    if limits is None:
        return None
    try:
        low, high = (float(v) for v in limits)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`limits` must be a pair (low, high) of numbers or None; got {limits!r}."
        ) from error
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(
            f"`limits` must be finite with low < high, e.g. (0, 1); got {limits!r}."
        )
    return low, high


def plot_metric_by_strategy(
    names: Sequence[str],
    means: Any,
    stds: Any = None,
    *,
    metric: str,
    higher_is_better: bool = True,
    limits: tuple[float, float] | None = None,
    within_noise: Sequence[bool] | None = None,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Horizontal bars of one metric per strategy, best at the top, with error bars.

    The value of each bar (``mean ± std``) is written in a column right of the axes.

    Parameters
    ----------
    names : sequence of str
        Strategy names.
    means : array-like of shape (n_strategies,)
        Mean score per strategy; NaN marks a failed strategy (drawn last, labelled
        "failed").
    stds : array-like of shape (n_strategies,), default=None
        Standard deviation per strategy, drawn as error bars; ``None`` or NaN for
        none.
    metric : str
        The metric's name, the x-axis label.
    higher_is_better : bool, default=True
        ``False`` for losses: then the lowest mean is at the top.
    limits : (float, float), default=None
        The metric's range, e.g. ``(0, 1)``; MCC's is ``(-1, 1)``. Error bars are
        clipped to it and the axis runs from 0 (or the lowest value) to the upper
        bound plus 2% of the range: a score capped at 1 never shows an axis to 1.2.
        The written values are not clipped. None: the axis follows the data.
    within_noise : sequence of bool, default=None
        One flag per strategy: True for the best and the strategies whose difference
        from it is within noise (drawn blue), False for the others (drawn grey); the
        x-axis label says so. None: every bar blue.
    digits : int, default=3
        Decimals of the value written next to each bar.
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
    >>> from balancekit.bench.plots import plot_metric_by_strategy
    >>> figure = plot_metric_by_strategy(
    ...     ["none", "SMOTE", "weights"], [0.61, 0.97, 0.66], [0.02, 0.05, 0.01],
    ...     metric="balanced accuracy", limits=(0, 1), title="haberman",
    ... )
    >>> axes = figure.axes[0]
    >>> [label.get_text() for label in axes.get_yticklabels()]
    ['SMOTE', 'weights', 'none']
    >>> len(axes.patches), axes.texts[0].get_text()
    (3, '0.970 ± 0.050')
    >>> [round(float(limit), 2) for limit in axes.get_xlim()]
    [0.0, 1.02]
    """
    labels = _check_names(names)
    n = len(labels)
    mean_values = _check_values(means, "means", n, allow_nan=True)
    std_values = (
        np.full(n, np.nan)
        if stds is None
        else _check_values(stds, "stds", n, allow_nan=True)
    )
    if (std_values < 0).any():
        raise ValueError(f"`stds` must be >= 0; got {std_values.tolist()}.")
    if not isinstance(metric, str):
        raise TypeError(f"`metric` must be a str; got {type(metric).__name__}.")
    bounds = _check_limits(limits)
    flags = None
    if within_noise is not None:
        flags = np.asarray(within_noise, dtype=bool).reshape(-1)
        if flags.size != n:
            raise ValueError(
                f"`within_noise` must hold one flag per name ({n}); got {flags.size}."
            )
    digits = check_digits(digits)
    keys = -mean_values if higher_is_better else mean_values
    order = np.argsort(np.where(np.isnan(keys), np.inf, keys), kind="stable")

    figure, axes = figure_and_axes(ax, (6.5, 1.2 + 0.4 * n))
    positions = np.arange(n)
    shown_means = np.nan_to_num(mean_values[order], nan=0.0)
    shown_stds = np.nan_to_num(std_values[order], nan=0.0)
    below, above = shown_stds.copy(), shown_stds.copy()
    if bounds is not None:
        below = np.clip(np.minimum(below, shown_means - bounds[0]), 0.0, None)
        above = np.clip(np.minimum(above, bounds[1] - shown_means), 0.0, None)
    colours = ["tab:blue"] * n
    if flags is not None:
        colours = ["tab:blue" if flags[i] else "tab:gray" for i in order]
    axes.barh(
        positions,
        shown_means,
        xerr=np.vstack([below, above]) if (shown_stds > 0).any() else None,
        color=colours,
        ecolor="black",
        capsize=3,
    )
    # The values in a column right of the axes: never outside the metric's range.
    value_column = axes.get_yaxis_transform()  # x in axes fraction, y in data
    for position, index in zip(positions, order, strict=True):
        mean, std = mean_values[index], std_values[index]
        if np.isnan(mean):
            text = "failed"
        elif np.isnan(std):
            text = f"{mean:.{digits}f}"
        else:
            text = f"{mean:.{digits}f} ± {std:.{digits}f}"
        axes.annotate(
            text,
            xy=(1.0, position),
            xycoords=value_column,
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize="small",
            annotation_clip=False,
        )
    axes.set_yticks(positions, [labels[i] for i in order])
    axes.invert_yaxis()  # best at the top
    axes.set_xlabel(metric)
    axes.axvline(0.0, color="black", linewidth=0.8)
    if bounds is None:
        axes.margins(x=0.05)
    else:
        low, high = bounds
        pad = 0.02 * (high - low)
        lowest = float(np.min(shown_means - below))
        left = max(low, 0.0) if lowest >= 0.0 else max(low - pad, lowest - pad)
        axes.set_xlim(float(left), float(high + pad))
    if flags is not None:
        axes.set_xlabel(
            f"{metric}\n(blue: the best or within noise of it; grey: worse)"
        )
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure


# ------------------------------------------------------ critical-difference diagram


def plot_critical_difference(
    names: Sequence[str],
    average_ranks: Any,
    critical_difference: float,
    *,
    digits: int = 2,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Demšar's critical-difference diagram of average ranks.

    The rank axis runs from 1 (best, left) to the number of strategies. The better
    half of the strategies hangs to the left, the rest to the right, each labelled
    with its average rank. Thick bars join groups whose ranks lie within one
    critical difference (no significant difference inside a group, Nemenyi test);
    the bar above the axis shows the length of the critical difference.

    Parameters
    ----------
    names : sequence of str
        Strategy names, at least 2.
    average_ranks : array-like of shape (n_strategies,)
        Average rank per strategy (from
        :func:`balancekit.bench._stats.friedman_test`).
    critical_difference : float
        The Nemenyi critical difference, > 0.
    digits : int, default=2
        Decimals of the ranks next to the names.
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
        Its artists carry gids: ``"strategy"`` (one elbow line per strategy),
        ``"group"`` (one thick bar per group), ``"cd"`` (the CD scale bar).

    Examples
    --------
    >>> from balancekit.bench.plots import plot_critical_difference
    >>> figure = plot_critical_difference(
    ...     ["none", "SMOTE", "ADASYN", "weights"], [3.4, 1.6, 2.3, 2.7], 1.2
    ... )
    >>> axes = figure.axes[0]
    >>> sorted(t.get_text() for t in axes.texts if "(" in t.get_text())
    ['ADASYN (2.30)', 'SMOTE (1.60)', 'none (3.40)', 'weights (2.70)']
    >>> len([line for line in axes.lines if line.get_gid() == "group"])
    2
    """
    labels = _check_names(names)
    n = len(labels)
    if n < 2:
        raise ValueError(f"`names` must name at least 2 strategies; got {n}.")
    ranks = _check_values(average_ranks, "average_ranks", n, allow_nan=False)
    cd = float(critical_difference)
    groups = nonsignificant_groups(ranks, cd)
    digits = check_digits(digits)

    low = 1.0
    high = float(max(n, math.ceil(ranks.max())))
    low = float(min(low, math.floor(ranks.min())))
    order = np.argsort(ranks, kind="stable")
    n_left = math.ceil(n / 2)
    left, right = order[:n_left], order[n_left:][::-1]  # outermost names first

    group_step, name_step = 0.12, 0.22
    first_name_y = 0.15 + group_step * max(len(groups), 1)
    n_rows = max(len(left), len(right))
    bottom = first_name_y + name_step * n_rows
    # Room for the longest name on each side: about 0.075 inch per character.
    label_chars = max(
        len(f"{name} ({rank:.{digits}f})")
        for name, rank in zip(labels, ranks, strict=True)
    )
    inch_per_rank, label_inches = 0.4, 0.075 * label_chars + 0.3
    span = high - low
    width = span * inch_per_rank + 2 * label_inches
    figure, axes = figure_and_axes(ax, (max(width, 6.0), 1.0 + 1.8 * bottom))
    margin = label_inches / inch_per_rank
    axes.set_xlim(low - margin, high + margin)
    axes.set_ylim(bottom + 0.05, -0.55)
    axes.set_axis_off()
    axes.plot([low, high], [0.0, 0.0], color="black", linewidth=1.2, gid="axis")
    label_every = 1 if span <= 12 else 2 if span <= 24 else 5
    for tick in range(int(low), int(high) + 1):
        axes.plot([tick, tick], [-0.05, 0.0], color="black", linewidth=1.2, gid="tick")
        if (tick - int(low)) % label_every == 0:
            axes.text(
                tick, -0.08, str(tick), ha="center", va="bottom", fontsize="small"
            )

    # The CD scale bar above the axis, starting at the best rank.
    cd_y = -0.38
    axes.plot([low, low + cd], [cd_y, cd_y], color="black", linewidth=1.5, gid="cd")
    for end in (low, low + cd):
        axes.plot([end, end], [cd_y - 0.03, cd_y + 0.03], color="black", gid="cd")
    axes.text(
        low + cd / 2, cd_y - 0.04, f"CD = {cd:.{digits}f}", ha="center", va="bottom"
    )

    for row, index in enumerate(left):
        y = first_name_y + name_step * row
        axes.plot(
            [ranks[index], ranks[index], low - 0.1],
            [0.0, y, y],
            color="black",
            linewidth=0.9,
            gid="strategy",
        )
        axes.text(
            low - 0.15,
            y,
            f"{labels[index]} ({ranks[index]:.{digits}f})",
            ha="right",
            va="center",
        )
    for row, index in enumerate(right):
        y = first_name_y + name_step * row
        axes.plot(
            [ranks[index], ranks[index], high + 0.1],
            [0.0, y, y],
            color="black",
            linewidth=0.9,
            gid="strategy",
        )
        axes.text(
            high + 0.15,
            y,
            f"{labels[index]} ({ranks[index]:.{digits}f})",
            ha="left",
            va="center",
        )

    for number, group in enumerate(groups):
        y = 0.1 + group_step * (number + 0.5)
        group_ranks = ranks[list(group)]
        axes.plot(
            [group_ranks.min() - 0.03, group_ranks.max() + 0.03],
            [y, y],
            color="black",
            linewidth=4,
            solid_capstyle="round",
            gid="group",
        )
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure
