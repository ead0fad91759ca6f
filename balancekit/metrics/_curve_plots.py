"""Precision-recall and ROC curves of the ranking metrics, one binary problem for
1-D scores or one per column (one-vs-rest) for 2-D scores. Re-exported by
:mod:`balancekit.metrics.plots`, whose conventions they follow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from balancekit._array_api import to_host
from balancekit._labels import check_labels
from balancekit._plotting import (
    PathLike,
    check_digits,
    display_names,
    figure_and_axes,
    save_figure,
)
from balancekit._typing import Array, Namespace
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
from balancekit.metrics._select import check_labels_param

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_precision_recall", "plot_roc"]


def _as_host_float(x: Array, xp: Namespace) -> np.ndarray:
    return np.asarray(to_host(x, xp), dtype=float)


def _curve_targets(
    y_true: Array, y_score: Array, pos_label: Any, labels: Any, display_labels: Any
) -> tuple[Namespace, list[tuple[Array, Array, str | None]]]:
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
    names = display_names(display_labels, classes, "classes")
    problems: list[tuple[Array, Array, str | None]] = [
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
    y_true: Array,
    y_score: Array,
    *,
    pos_label: Any = None,
    labels: Any = None,
    display_labels: Any = None,
    sample_weight: Array | None = None,
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
    y_true: Array,
    y_score: Array,
    *,
    pos_label: Any = None,
    labels: Any = None,
    display_labels: Any = None,
    sample_weight: Array | None = None,
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
