"""Reliability diagrams of a strategy comparison: one curve per strategy, the seeds'
test predictions pooled. Re-exported by :mod:`balancekit.bench.plots`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._params import check_bool, check_int
from balancekit._plotting import PathLike, check_digits, figure_and_axes, save_figure
from balancekit.bench._pr_curves import _check_runs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_reliability_over_seeds"]


def plot_reliability_over_seeds(
    runs: Mapping[str, Sequence[tuple[Any, Any]]],
    *,
    n_bins: int = 15,
    show_counts: bool = True,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Reliability diagrams of several strategies on one axes, each over its seeds.

    Each seed has its own test split; the seeds' labels and minority-class
    probabilities are pooled, cut into ``n_bins`` bins of equal width, and each
    non-empty bin is a point (mean predicted probability, fraction of positives),
    on the diagonal when the probabilities are calibrated. The legend, below the
    axes, gives the **pooled ECE** of the same bins
    (:func:`balancekit.decisions.expected_calibration_error` of the pooled
    predictions), close to, but not, the table's mean ECE over seeds.

    Parameters
    ----------
    runs : mapping of str to sequence of (y_true, scores)
        Per strategy (in legend order), one ``(y_true, minority-class
        probabilities)`` pair per seed; ``y_true`` is 1 for the minority class.
    n_bins : int, default=15
        Bins of equal width over [0, 1] (the table's ECE uses 15).
    show_counts : bool, default=True
        Size the markers by the share of the predictions in each bin.
    digits : int, default=3
        Decimals of the ECEs in the legend.
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

    Raises
    ------
    ValueError
        For labels that are not 0/1, probabilities outside [0, 1] or seeds whose
        labels and probabilities differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.bench.plots import plot_reliability_over_seeds
    >>> seed_0 = (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> seed_1 = (np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.3, 0.7]))
    >>> figure = plot_reliability_over_seeds({"none": [seed_0, seed_1]}, n_bins=5)
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['perfectly calibrated', 'none: ECE 0.119']
    >>> figure.axes[0].get_legend().get_title().get_text()
    'ECE of the test predictions of 2 seeds, pooled'
    """
    from balancekit.decisions._calibration import reliability_points
    from balancekit.decisions.plots import draw_reliability_curve

    checked = _check_runs(runs)
    n_bins = check_int(n_bins, "n_bins", low=1)
    show_counts = check_bool(show_counts, "show_counts")
    digits = check_digits(digits)
    figure, axes = figure_and_axes(ax, (6.0, 7.5))
    n_seeds = max(len(seeds) for _, seeds in checked)
    axes.plot(
        [0.0, 1.0],
        [0.0, 1.0],
        color="grey",
        linestyle="--",
        linewidth=1,
        label="perfectly calibrated",
    )
    for name, seeds in checked:
        y_all = np.concatenate([y for y, _ in seeds])
        p_all = np.concatenate([p for _, p in seeds])
        if not np.isin(y_all, (0, 1)).all():
            raise ValueError(
                f"`runs[{name!r}]`: labels must be 0 or 1 (1 for the minority "
                f"class); got {np.unique(y_all).tolist()[:5]}."
            )
        accuracy, confidence, total, ece = reliability_points(
            y_all.astype(np.int64),
            p_all,
            n_bins=n_bins,
            strategy="uniform",
            pos_label=1,
            sample_weight=None,
        )
        label = f"{name}: ECE {ece:.{digits}f}"
        if len(seeds) != n_seeds:
            label += f" ({len(seeds)} {'seed' if len(seeds) == 1 else 'seeds'})"
        draw_reliability_curve(
            axes, (accuracy, confidence, total), label, show_counts, small=True
        )
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel(f"Mean predicted probability of the minority class ({n_bins} bins)")
    axes.set_ylabel("Fraction of the minority class")
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        fontsize="small",
        title=f"ECE of the test predictions of {n_seeds} "
        f"{'seed' if n_seeds == 1 else 'seeds'}, pooled",
        title_fontsize="small",
    )
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure
