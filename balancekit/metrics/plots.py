"""Plots of the imbalanced-classification metrics: confusion matrix, precision-recall
and ROC curves, class distributions.

The metrics run where the arrays live (NumPy, PyTorch, array-api-strict, ...); only
their small results (an O(n_classes**2) matrix, the curve points, the class counts)
come to the host for drawing. matplotlib is imported inside the functions, so
``import balancekit.metrics`` never loads it, and figures are built with
:class:`matplotlib.figure.Figure` directly: no pyplot, no display and no change to the
global backend. Each function returns the figure, draws into ``ax`` when given and
saves to ``path`` (PNG unless the file suffix names another format) when given.

The curves are drawn by ``_curve_plots`` and re-exported here; figure helpers
shared with :mod:`balancekit.bench.plots` and the diagnostics are in
``balancekit._plotting``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._array_api import get_namespace_and_device, to_host
from balancekit._labels import check_labels
from balancekit._params import check_choice
from balancekit._plotting import (
    PathLike,
    display_names,
    figure_and_axes,
    save_figure,
)
from balancekit._typing import Array
from balancekit.metrics._confusion import confusion_from_counts
from balancekit.metrics._counts import count
from balancekit.metrics._curve_plots import plot_precision_recall, plot_roc
from balancekit.metrics._select import check_labels_param, present_or

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_class_distribution",
    "plot_confusion_matrix",
    "plot_precision_recall",
    "plot_roc",
]

_NORMALIZE = (None, "true", "pred", "all")


# ------------------------------------------------------------------ confusion matrix


def plot_confusion_matrix(
    y_true: Array,
    y_pred: Array,
    *,
    labels: Any = None,
    sample_weight: Array | None = None,
    normalize: str | None = None,
    display_labels: Any = None,
    values_format: str | None = None,
    cmap: Any = "Blues",
    colorbar: bool = True,
    xticks_rotation: float = 0.0,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw the confusion matrix as an annotated heat map.

    The matrix is :func:`balancekit.metrics.confusion_matrix`, counted where the
    labels live; only its ``n_classes**2`` cells come to the host.

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels (NumPy, PyTorch, ... arrays, lists; strings
        for NumPy input).
    labels : array-like of shape (n_classes,), default=None
        The labels of the rows and columns, in this order. Default: every label of
        ``y_true`` or ``y_pred``, sorted.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    normalize : {"true", "pred", "all"}, default=None
        Show fractions of each true class (row), of each predicted class (column) or
        of all samples instead of counts.
    display_labels : list of str, default=None
        Tick names of ``labels``, in the same order.
    values_format : str, default=None
        Format spec of the cell texts; default ``"d"`` for integer counts, ``".2f"``
        for fractions and ``".3g"`` for weighted counts.
    cmap : str or matplotlib Colormap, default="Blues"
        The colour map.
    colorbar : bool, default=True
        Add a colour bar.
    xticks_rotation : float, default=0.0
        Rotation of the predicted-label tick names, in degrees.
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
    matplotlib.figure.Figure
        The figure holding the plot.

    Raises
    ------
    ValueError
        For an invalid ``normalize``, labels of different lengths, or
        ``display_labels`` of the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics.plots import plot_confusion_matrix
    >>> y_true = np.array([0, 0, 0, 0, 1, 1])
    >>> y_pred = np.array([0, 0, 0, 1, 1, 0])
    >>> figure = plot_confusion_matrix(y_true, y_pred, normalize="true")
    >>> [text.get_text() for text in figure.axes[0].texts]
    ['0.75', '0.25', '0.50', '0.50']
    """
    check_choice(normalize, "normalize", _NORMALIZE)
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    selected = present_or(counts, labels)
    names = display_names(display_labels, selected, "labels")
    matrix = to_host(confusion_from_counts(counts, labels), counts.xp)
    if normalize is not None:
        matrix = matrix.astype(float)
        axis = {"true": 1, "pred": 0, "all": None}[normalize]
        totals = matrix.sum(axis=axis, keepdims=axis is not None)
        matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals != 0)
    if values_format is None:
        integral = np.issubdtype(matrix.dtype, np.integer)
        values_format = ".2f" if normalize else ("d" if integral else ".3g")

    figure, axes = figure_and_axes(
        ax, (max(4.5, 2.5 + 0.8 * len(names)), max(3.8, 1.8 + 0.7 * len(names)))
    )
    image = axes.imshow(matrix, interpolation="nearest", cmap=cmap)
    middle = (float(image.norm.vmin) + float(image.norm.vmax)) / 2.0
    dark, light = image.cmap(1.0), image.cmap(0.0)
    for (row, column), value in np.ndenumerate(matrix):
        axes.text(
            column,
            row,
            format(value, values_format),
            ha="center",
            va="center",
            color=light if value > middle else dark,
        )
    if colorbar:
        figure.colorbar(image, ax=axes)
    ticks = np.arange(len(names))
    axes.set_xticks(ticks, names, rotation=xticks_rotation)
    axes.set_yticks(ticks, names)
    axes.set_xlabel("Predicted label")
    axes.set_ylabel("True label")
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure


# ---------------------------------------------------------------- class distribution


def _class_counts(y: Array, name: str) -> dict:
    xp, _ = get_namespace_and_device(**{name: y})
    return check_labels(y, xp, name=name).class_counts


def plot_class_distribution(
    y: Array | Mapping[str, Array],
    *,
    labels: Any = None,
    display_labels: Any = None,
    log: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw the number of samples of each class as bars, the counts on the bars.

    Several label arrays, e.g. before and after resampling, given as a dict
    ``{name: labels}``, are drawn as grouped bars with a legend. Classes are counted
    where the labels live; only the counts come to the host.

    Parameters
    ----------
    y : array of shape (n_samples,) or dict of str to arrays
        Class labels (NumPy, PyTorch, ... arrays, lists, pandas; strings for NumPy
        input), or several of them by name.
    labels : array-like, default=None
        The classes to draw, in this order (absent ones get a 0 bar). Default: every
        class found, sorted.
    display_labels : list of str, default=None
        Tick names of the classes, in the order of ``labels``.
    log : bool, default=False
        Logarithmic count axis, for very rare classes.
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
    matplotlib.figure.Figure
        The figure holding the plot.

    Raises
    ------
    ValueError
        For empty or invalid labels, an empty dict, or ``display_labels`` of the wrong
        length.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics.plots import plot_class_distribution
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> figure = plot_class_distribution({"before": y, "after": np.repeat([0, 1], 90)})
    >>> [text.get_text() for text in figure.axes[0].texts]
    ['90', '10', '90', '90']
    """
    if isinstance(y, Mapping):
        if not y:
            raise ValueError(
                "`y` is an empty dict; pass at least one label array, e.g. "
                "{'before': y, 'after': y_resampled}."
            )
        series = {
            str(key): _class_counts(value, f"y[{key!r}]") for key, value in y.items()
        }
        show_legend = True
    else:
        series = {"": _class_counts(y, "y")}
        show_legend = False
    checked = check_labels_param(labels)
    if checked is None:
        found = {c for counts in series.values() for c in counts}
        try:
            classes = sorted(found)
        except TypeError:
            classes = sorted(found, key=str)
    else:
        classes = checked
    names = display_names(display_labels, classes, "classes")
    log = bool(log)

    n_series = len(series)
    figure, axes = figure_and_axes(
        ax, (max(4.0, 1.0 + 0.5 * len(classes) * n_series), 3.5)
    )
    positions = np.arange(len(classes), dtype=float)
    width = 0.8 / n_series
    for i, (series_name, counts) in enumerate(series.items()):
        heights = [counts.get(c, 0) for c in classes]
        offset = (i - (n_series - 1) / 2) * width
        bars = axes.bar(
            positions + offset,
            heights,
            width,
            label=series_name if show_legend else None,
        )
        axes.bar_label(bars, labels=[str(h) for h in heights], padding=2)
    axes.set_xticks(positions, names)
    axes.set_xlabel("Class")
    axes.set_ylabel("Number of samples")
    if log:
        axes.set_yscale("log")
    axes.margins(y=0.12)
    if show_legend:
        axes.legend()
    if title is not None:
        axes.set_title(title)
    save_figure(figure, path, dpi)
    return figure
