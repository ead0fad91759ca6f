"""Figure helpers shared by the plotting modules (matplotlib loads only to draw)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "PathLike",
    "check_digits",
    "display_names",
    "figure_and_axes",
    "save_figure",
]

PathLike = str | os.PathLike


def figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """A new figure with one axes (no pyplot), or the root figure of ``ax``."""
    if ax is None:
        from matplotlib.figure import Figure

        new_figure = Figure(figsize=figsize, layout="constrained")
        return new_figure, new_figure.add_subplot()
    if not hasattr(ax, "get_figure") or not hasattr(ax, "plot"):
        raise TypeError(
            f"`ax` must be a matplotlib Axes or None; got {type(ax).__name__}."
        )
    figure: Any
    try:
        figure = ax.get_figure(root=True)  # matplotlib >= 3.10
    except TypeError:
        figure = ax.get_figure()
        while getattr(figure, "figure", figure) is not figure:  # a SubFigure
            figure = figure.figure
    return figure, ax


def save_figure(figure: Any, path: PathLike | None, dpi: float | None) -> None:
    """Save ``figure`` to ``path`` (PNG unless its suffix says); None: do nothing."""
    if path is None:
        return
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"`path` must be a file path (str or os.PathLike) or None; got "
            f"{type(path).__name__}."
        )
    suffix = os.path.splitext(os.fspath(path))[1]
    figure.savefig(path, format=None if suffix else "png", dpi=dpi or "figure")


def check_digits(digits: Any) -> int:
    """``digits`` (decimals shown in labels) as an int >= 0."""
    if isinstance(digits, bool) or not isinstance(digits, int | np.integer):
        raise TypeError(f"`digits` must be an int >= 0; got {type(digits).__name__}.")
    if digits < 0:
        raise ValueError(f"`digits` must be an int >= 0; got {digits}.")
    return int(digits)


def display_names(display_labels: Any, labels: list, what: str) -> list[str]:
    """Tick or legend names of ``labels``: ``display_labels`` (one per label, checked)
    or the labels as strings; ``what`` names the labels in the error."""
    if display_labels is None:
        return [str(label) for label in labels]
    names = [str(name) for name in display_labels]
    if len(names) != len(labels):
        raise ValueError(
            f"`display_labels` must name each of the {len(labels)} {what} "
            f"{labels}; got {len(names)} names."
        )
    return names
