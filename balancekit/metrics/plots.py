"""Plots of the imbalanced-classification metrics: confusion matrix, precision-recall
and ROC curves, class distributions.

The metrics run where the arrays live (NumPy, PyTorch, array-api-strict, ...); only
their small results (an O(n_classes**2) matrix, the curve points, the class counts)
come to the host for drawing. matplotlib is imported inside the functions, so
``import balancekit.metrics`` never loads it, and figures are built with
:class:`matplotlib.figure.Figure` directly: no pyplot, no display and no change to the
global backend. Each function returns the figure, draws into ``ax`` when given and
saves to ``path`` (PNG unless the file suffix names another format) when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._array_api import get_namespace_and_device, to_host
from balancekit._labels import check_labels
from balancekit._plotting import PathLike, check_digits, figure_and_axes, save_figure
from balancekit.metrics._confusion import confusion_from_counts
from balancekit.metrics._counts import count
from balancekit.metrics._ranking import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_validation import (
    binary_target,
    check_target,
    positive_mask,
    resolve_inputs,
)
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
# --------------------------------------------------------------------------- helpers


def _names(display_labels: Any, labels: list, what: str) -> list[str]:
    if display_labels is None:
        return [str(label) for label in labels]
    names = [str(name) for name in display_labels]
    if len(names) != len(labels):
        raise ValueError(
            f"`display_labels` must name each of the {len(labels)} {what} "
            f"{labels}; got {len(names)} names."
        )
    return names


def _as_host_float(x: Any, xp: ModuleType) -> np.ndarray:
    return np.asarray(to_host(x, xp), dtype=float)


# ------------------------------------------------------------------ confusion matrix


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
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
    if normalize not in _NORMALIZE:
        raise ValueError(f"`normalize` must be one of {_NORMALIZE}; got {normalize!r}.")
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    selected = present_or(counts, labels)
    names = _names(display_labels, selected, "labels")
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


# ------------------------------------------------------------------------ the curves


def _curve_targets(
    y_true: Any, y_score: Any, pos_label: Any, labels: Any, display_labels: Any
) -> tuple[ModuleType, list[tuple[Any, Any, str | None]]]:
    """``[(is_positive, score column, class name or None), ...]``: one binary
    problem for 1-D scores, one per column (one-vs-rest) for 2-D scores."""
    xp, _, y_true, y_score, _ = resolve_inputs(y_true, y_score, None)
    if not hasattr(y_score, "ndim"):
        raise TypeError(
            f"`y_score` must be an array of scores; got {type(y_score).__name__}."
        )
    y_true = check_target(y_true, xp)
    if y_score.ndim == 1 or (y_score.ndim == 2 and y_score.shape[1] == 1):
        if labels is not None or display_labels is not None:
            raise ValueError(
                "`labels` and `display_labels` name the columns of a 2-D `y_score`; "
                "for 1-D (binary) scores use `pos_label` (and `name`)."
            )
        target = binary_target(y_true, xp, pos_label=pos_label)
        return xp, [(target.is_positive, xp.reshape(y_score, (-1,)), None)]
    if y_score.ndim != 2:
        raise ValueError(
            "`y_score` must have shape (n_samples,) (binary scores) or "
            f"(n_samples, n_classes); got shape {tuple(y_score.shape)}."
        )
    if pos_label is not None:
        raise ValueError(
            "`pos_label` applies to 1-D (binary) scores; a 2-D `y_score` is drawn one "
            "class against the rest per column (name the columns with `labels`)."
        )
    n_columns = int(y_score.shape[1])
    if labels is None:
        classes = list(check_labels(y_true, xp, name="y_true").classes)
        if len(classes) != n_columns:
            raise ValueError(
                f"`y_true` has {len(classes)} classes but `y_score` has {n_columns} "
                "columns; pass `labels` to name the class of each column."
            )
    else:
        classes = check_labels_param(labels) or []
        if len(classes) != n_columns:
            raise ValueError(
                f"`labels` names {len(classes)} classes but `y_score` has "
                f"{n_columns} columns; pass one label per column."
            )
    names = _names(display_labels, classes, "classes")
    problems: list[tuple[Any, Any, str | None]] = [
        (positive_mask(y_true, label, xp), y_score[:, column], names[column])
        for column, label in enumerate(classes)
    ]
    return xp, problems


def _legend_label(name: str | None, metric: str, value: float, digits: int) -> str:
    text = f"{metric} = {value:.{digits}f}"
    return text if name is None else f"{name} ({text})"


def _finish_curve_axes(
    axes: Any, xlabel: str, ylabel: str, title: str | None, n_curves: int
) -> None:
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xlim(-0.01, 1.01)
    axes.set_ylim(-0.01, 1.01)
    axes.set_aspect("equal")
    if title is not None:
        axes.set_title(title)
    axes.legend(loc="best", fontsize="small" if n_curves > 4 else None)


def plot_precision_recall(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    labels: Any = None,
    display_labels: Any = None,
    sample_weight: Any = None,
    name: str | None = None,
    chance: bool = True,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw precision-recall curves with their average precision (AP) in the legend.

    1-D scores give the curve of the positive class; an (n_samples, n_classes) score
    matrix gives one curve per class, each scored against the rest. The curves and
    APs are :func:`balancekit.metrics.precision_recall_curve` and
    :func:`balancekit.metrics.average_precision_score`, computed where the scores
    live; only the curve points come to the host.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True class labels.
    y_score : array of shape (n_samples,) or (n_samples, n_classes)
        Scores of the positive class, or one column per class (e.g.
        ``predict_proba`` output) in sorted label order.
    pos_label : int, float, bool or str, default=None
        1-D scores only: the positive label; ``None`` means 1 for {0, 1} or {-1, 1}
        labels.
    labels : array-like of shape (n_classes,), default=None
        2-D scores only: the class of each column. Default: the sorted labels of
        ``y_true``.
    display_labels : list of str, default=None
        2-D scores only: legend names of the classes, in column order.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    name : str, default=None
        1-D scores only: legend name of the curve (e.g. the model), to tell several
        calls on one ``ax`` apart.
    chance : bool, default=True
        1-D scores only: draw the precision of random guessing, the positive rate
        (the AP a chance classifier has in expectation).
    digits : int, default=3
        Decimals of the AP in the legend.
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
        For labels and scores of different lengths, a score shape that fits neither
        case, or ``labels`` / ``display_labels`` that do not match the columns.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics.plots import plot_precision_recall
    >>> y_true = np.array([0, 0, 1, 1])
    >>> figure = plot_precision_recall(y_true, np.array([0.1, 0.4, 0.35, 0.8]))
    >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    ['AP = 0.833', 'chance = 0.500']
    """
    digits = check_digits(digits)
    xp, problems = _curve_targets(y_true, y_score, pos_label, labels, display_labels)
    figure, axes = figure_and_axes(ax, (5.0, 5.0))
    positive_rate = 0.0
    for is_positive, column, class_name in problems:
        precision, recall, _ = precision_recall_curve(
            is_positive, column, sample_weight=sample_weight
        )
        ap = float(
            average_precision_score(is_positive, column, sample_weight=sample_weight)
        )
        precision = _as_host_float(precision, xp)
        # The first point predicts every sample positive: its precision is the
        # (weighted) positive rate.
        positive_rate = float(precision[0])
        axes.plot(
            _as_host_float(recall, xp),
            precision,
            drawstyle="steps-post",
            label=_legend_label(
                name if class_name is None else class_name, "AP", ap, digits
            ),
        )
    if chance and len(problems) == 1:
        axes.axhline(
            positive_rate,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"chance = {positive_rate:.{digits}f}",
        )
    _finish_curve_axes(axes, "Recall", "Precision", title, len(problems))
    save_figure(figure, path, dpi)
    return figure


def plot_roc(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    labels: Any = None,
    display_labels: Any = None,
    sample_weight: Any = None,
    name: str | None = None,
    chance: bool = True,
    digits: int = 3,
    title: str | None = None,
    ax: Axes | None = None,
    path: PathLike | None = None,
    dpi: float | None = None,
) -> Figure:
    """Draw ROC curves with their area (AUC) in the legend and the chance diagonal.

    1-D scores give the curve of the positive class; an (n_samples, n_classes) score
    matrix gives one curve per class, each scored against the rest (the AUCs are
    those of ``roc_auc_score(..., multi_class="ovr", average=None)``). The curves and
    AUCs are :func:`balancekit.metrics.roc_curve` and
    :func:`balancekit.metrics.roc_auc_score`, computed where the scores live; only
    the curve points come to the host. On rare positives prefer
    :func:`plot_precision_recall`: the ROC curve hides false positives behind the
    many true negatives.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True class labels.
    y_score : array of shape (n_samples,) or (n_samples, n_classes)
        Scores of the positive class, or one column per class (e.g.
        ``predict_proba`` output) in sorted label order.
    pos_label : int, float, bool or str, default=None
        1-D scores only: the positive label; ``None`` means 1 for {0, 1} or {-1, 1}
        labels.
    labels : array-like of shape (n_classes,), default=None
        2-D scores only: the class of each column. Default: the sorted labels of
        ``y_true``.
    display_labels : list of str, default=None
        2-D scores only: legend names of the classes, in column order.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.
    name : str, default=None
        1-D scores only: legend name of the curve (e.g. the model), to tell several
        calls on one ``ax`` apart.
    chance : bool, default=True
        Draw the diagonal of random guessing (AUC 0.5).
    digits : int, default=3
        Decimals of the AUC in the legend.
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
        For labels and scores of different lengths, a score shape that fits neither
        case, or ``labels`` / ``display_labels`` that do not match the columns.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics.plots import plot_roc
    >>> y_true = np.array([0, 0, 1, 1])
    >>> figure = plot_roc(y_true, np.array([0.1, 0.4, 0.35, 0.8]), name="model")
    >>> [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    ['model (AUC = 0.750)', 'chance (AUC = 0.5)']
    """
    digits = check_digits(digits)
    xp, problems = _curve_targets(y_true, y_score, pos_label, labels, display_labels)
    figure, axes = figure_and_axes(ax, (5.0, 5.0))
    for is_positive, column, class_name in problems:
        fpr, tpr, _ = roc_curve(is_positive, column, sample_weight=sample_weight)
        auc = float(roc_auc_score(is_positive, column, sample_weight=sample_weight))
        axes.plot(
            _as_host_float(fpr, xp),
            _as_host_float(tpr, xp),
            label=_legend_label(
                name if class_name is None else class_name, "AUC", auc, digits
            ),
        )
    if chance:
        axes.plot(
            [0, 1],
            [0, 1],
            color="grey",
            linestyle="--",
            linewidth=1,
            label="chance (AUC = 0.5)",
        )
    _finish_curve_axes(axes, "False positive rate", "True positive rate", title, 1)
    save_figure(figure, path, dpi)
    return figure


# ---------------------------------------------------------------- class distribution


def _class_counts(y: Any, name: str) -> dict:
    xp, _ = get_namespace_and_device(**{name: y})
    return check_labels(y, xp, name=name).class_counts


def plot_class_distribution(
    y: Any,
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
    names = _names(display_labels, classes, "classes")
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
