"""Plots of probability calibration: the reliability diagram.

The bins are computed where the probabilities live (NumPy, PyTorch, array-api-strict,
...); only the O(n_bins) points come to the host for drawing. matplotlib is imported
inside the functions (through ``balancekit._plotting``), so importing this module
never loads it; figures are built without pyplot and without touching the global
backend, as in :mod:`balancekit.metrics.plots`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from balancekit._plotting import PathLike, figure_and_axes, save_figure
from balancekit._typing import Array
from balancekit.decisions._calibration import reliability_points

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_reliability_diagram"]


def draw_reliability_curve(
    axes: Any,
    points: tuple[Any, Any, Any],
    label: str,
    show_counts: bool,
    *,
    small: bool = False,
) -> None:
    """Draw one reliability curve (``reliability_points``' accuracy, confidence and
    bin weights) on ``axes``; with ``show_counts`` the markers grow with the share
    of the samples in their bin. ``small`` draws the smaller markers of a plot
    holding several curves."""
    accuracy, confidence, total = points
    size = 3 if small else 6
    (line,) = axes.plot(confidence, accuracy, marker="o", markersize=size, label=label)
    if show_counts:
        share = total / total.sum()
        base, scale, alpha = (10, 300, 0.3) if small else (20, 400, 0.35)
        axes.scatter(
            confidence,
            accuracy,
            s=base + scale * share,
            color=line.get_color(),
            alpha=alpha,
        )


def plot_reliability_diagram(
    y_true: Array,
    y_proba: Array,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
    sample_weight: Array | None = None,
    label: str | None = None,
    show_counts: bool = True,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Axes:
    """Draw the reliability diagram: observed frequency against mean confidence.

    One point per non-empty bin, on the diagonal when the model is calibrated. A 1-D
    ``y_proba`` (binary) plots the fraction of positives against the mean positive
    probability, as :func:`balancekit.decisions._calibration.calibration_curve`; a
    2-D ``y_proba`` plots top-label accuracy against top-label confidence. The
    legend gives the ECE of the same bins. Call it again with the same ``ax`` to
    compare models (e.g. before and after temperature scaling).

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True labels: binary for 1-D ``y_proba``, column indices for 2-D.
    y_proba : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities in [0, 1].
    n_bins : int, default=10
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width, or of equal numbers of samples.
    pos_label : int, float, bool or str, default=None
        The positive label for 1-D ``y_proba``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    label : str, default=None
        Legend name of the curve (followed by its ECE); default ``"model"``.
    show_counts : bool, default=True
        Size the markers by the share of samples in each bin.
    title : str, default=None
        Axes title.
    ax : matplotlib.axes.Axes, default=None
        Draw here; by default on a new figure.
    path : str or os.PathLike, default=None
        Save the figure to this file (PNG unless the suffix names another format).
    dpi : float, default=None
        Resolution of the saved file; default the figure's.

    Returns
    -------
    matplotlib.axes.Axes
        The axes holding the plot.

    Raises
    ------
    ValueError
        For invalid probabilities or labels, as
        :func:`balancekit.decisions._calibration.expected_calibration_error`.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions.plots import plot_reliability_diagram
    >>> y_true = np.array([0, 0, 1, 1])
    >>> ax = plot_reliability_diagram(y_true, np.array([0.1, 0.3, 0.6, 0.9]), n_bins=2)
    >>> ax.get_xlabel(), ax.get_legend().get_texts()[1].get_text()
    ('Mean predicted probability', 'model (ECE 0.225)')
    """
    accuracy, confidence, total, ece = reliability_points(
        y_true,
        y_proba,
        n_bins=n_bins,
        strategy=strategy,
        pos_label=pos_label,
        sample_weight=sample_weight,
    )
    top_label = getattr(y_proba, "ndim", 1) == 2
    figure, axes = figure_and_axes(ax, (4.5, 4.5))
    axes.plot(
        [0, 1], [0, 1], linestyle="--", color="grey", label="Perfectly calibrated"
    )
    name = "model" if label is None else str(label)
    draw_reliability_curve(
        axes, (accuracy, confidence, total), f"{name} (ECE {ece:.3g})", show_counts
    )
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.set_aspect("equal")
    if top_label:
        axes.set_xlabel("Mean top-label confidence")
        axes.set_ylabel("Top-label accuracy")
    else:
        axes.set_xlabel("Mean predicted probability")
        axes.set_ylabel("Fraction of positives")
    axes.legend(loc="upper left")
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return axes
