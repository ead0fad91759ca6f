"""The goal engine: how a goal is declared and checked on a script's JSON.

Each benchmark script writes its figures to ``benchmarks/results/<name>.json`` (``name``
is the script's file name without ``bench_`` and ``.py``); its goals are declared
beside it, in ``benchmarks/goals/<name>.py`` (``GOALS`` and ``MEMORY_METHOD``). A
:class:`Goal` names the script, a :class:`Figure` for balancekit and one or more for the
peer (the best of several when the goal says "the fastest built-in arrangement"), and
the target.

Every ratio reads the same way: **above 1, balancekit is better**.

- ``time`` (seconds per call, lower is better): peer / balancekit;
- ``rate`` (elements per second, higher is better): balancekit / peer;
- ``memory`` (peak bytes, lower is better): peer / balancekit.

``target`` is the least ratio that meets the goal: "at least 2x faster" is 2, "no
slower" is 1, "at most 1.5x the plain pipeline's time" is 1 / 1.5, "within 5%" is
1 / 1.05. A goal with ``target=None`` is reported only (the issue asks for the figure,
not a ratio). A goal may instead set a fixed ``limit`` in the figure's own unit
(seconds, elements per second, bytes: "under 4 GiB per worker"): the limit stands in
for the peer, so the ratio reads the same way and the goal is met at ratio >= 1.
:func:`evaluate` turns a goal and the loaded JSON into a :class:`Row`.
"""

from __future__ import annotations

import importlib
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, Literal

MIB = 1024**2

Quantity = Literal["time", "rate", "memory"]


@dataclass(frozen=True)
class Where:
    """Path step: the element of a JSON list whose fields equal ``fields``."""

    fields: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **fields: str) -> Where:
        return cls(tuple(fields.items()))

    def matches(self, item: Any) -> bool:
        return isinstance(item, Mapping) and all(
            item.get(key) == value for key, value in self.fields
        )

    def __str__(self) -> str:
        return "[" + ", ".join(f"{k}={v!r}" for k, v in self.fields) + "]"


Step = str | int | Where
Path = tuple[Step, ...]


class MissingFigure(LookupError):
    """A path of a goal does not lead to a figure in the script's JSON."""


def resolve(payload: Any, path: Path) -> Any:
    """Follow ``path`` (dict keys, list indices, :class:`Where` matches) in JSON."""
    node = payload
    for depth, step in enumerate(path):
        where = "".join(_step_text(s) for s in path[: depth + 1])
        # Not isinstance(step, Where): a goal module may hold the Where of an earlier
        # import of this module (the tests reload it).
        if not isinstance(step, str | int):
            if not isinstance(node, list):
                raise MissingFigure(f"{where}: not a list")
            found = [item for item in node if step.matches(item)]
            if len(found) != 1:
                raise MissingFigure(f"{where}: {len(found)} matches")
            node = found[0]
        elif isinstance(step, int):
            if not isinstance(node, list) or not -len(node) <= step < len(node):
                raise MissingFigure(f"{where}: no such index")
            node = node[step]
        else:
            if not isinstance(node, Mapping) or step not in node:
                raise MissingFigure(f"{where}: no such key")
            node = node[step]
    return node


def _step_text(step: Step) -> str:
    return str(step) if isinstance(step, Where) else f"[{step!r}]"


@dataclass(frozen=True)
class Figure:
    """One library's figure: ``value`` leads to a number or a list of numbers (the
    repeats: their median is the figure, their best the second ratio); ``peak`` to
    its peak bytes, if measured."""

    label: str
    value: Path
    peak: Path | None = None


@dataclass(frozen=True)
class Goal:
    """A goal of an issue, checked on one script's JSON."""

    issue: int
    text: str
    script: str
    quantity: Quantity
    ours: Figure
    peers: tuple[Figure, ...] = ()
    target: float | None = None
    limit: float | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and (self.peers or self.target is not None):
            raise ValueError(
                f"goal {self.text!r}: a fixed `limit` replaces the peers and the "
                "target; give either a limit or peers (with a target)."
            )

    @property
    def target_text(self) -> str:
        if self.limit is not None:
            return _limit_text(self.quantity, self.limit)
        if self.target is None:
            return "reported"
        return f">= {self.target:.3g}"


def _limit_text(quantity: Quantity, limit: float) -> str:
    if quantity == "memory":
        return f"<= {limit / MIB:,.0f} MiB"
    if quantity == "time":
        return f"<= {limit:.3g} s"
    return f">= {limit:.3g}/s"


@dataclass
class Row:
    """One line of the suite's table."""

    issue: int | None
    goal: str
    script: str
    quantity: Quantity | None = None
    status: str = "reported"
    ours_label: str | None = None
    ours_value: float | None = None
    peer_label: str | None = None
    peer_value: float | None = None
    ratio: float | None = None
    ratio_best: float | None = None
    target: float | None = None
    met: bool | None = None
    ours_peak_mib: float | None = None
    peer_peak_mib: float | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _figure(payload: Any, figure: Figure, quantity: Quantity) -> dict[str, Any]:
    """The median and best value of a figure, and its peak in MiB."""
    raw = resolve(payload, figure.value)
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(_is_number(v) for v in items):
        raise MissingFigure(f"{figure.label}: no figure (got {raw!r})")
    values = [float(v) for v in items]
    best = max(values) if quantity == "rate" else min(values)
    peak = None
    if figure.peak is not None:
        try:
            peak_bytes = resolve(payload, figure.peak)
        except MissingFigure:
            peak_bytes = None
        peak = None if peak_bytes is None else float(peak_bytes) / MIB
    return {
        "label": figure.label,
        "median": statistics.median(values),
        "best": best,
        "peak_mib": peak,
    }


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _ratio(quantity: Quantity, ours: float, peer: float) -> float | None:
    """Above 1, balancekit is better."""
    top, bottom = (ours, peer) if quantity == "rate" else (peer, ours)
    if bottom == 0:
        return math.inf if top > 0 else None
    return top / bottom


def evaluate(goal: Goal, payload: Any) -> Row:
    """The table row of ``goal`` on the loaded JSON of its script.

    A figure the JSON lacks gives status ``"missing figure"`` (with the path in
    ``note``) rather than an error, so one missing row does not hide the others.
    """
    row = Row(
        issue=goal.issue,
        goal=goal.text,
        script=goal.script,
        quantity=goal.quantity,
        target=goal.target,
        ours_label=goal.ours.label,
    )
    try:
        ours = _figure(payload, goal.ours, goal.quantity)
        peers = [_figure(payload, peer, goal.quantity) for peer in goal.peers]
    except MissingFigure as missing:
        row.status, row.note = "missing figure", str(missing)
        return row
    row.ours_value, row.ours_peak_mib = ours["median"], ours["peak_mib"]
    row.details = {"ours": ours, "peers": peers}
    if goal.limit is not None:
        row.peer_label = "fixed limit"
        row.peer_value = goal.limit
        row.ratio = _ratio(goal.quantity, ours["median"], goal.limit)
        row.ratio_best = _ratio(goal.quantity, ours["best"], goal.limit)
        row.target = 1.0
        row.met = row.ratio is not None and row.ratio >= 1.0
        row.status = "met" if row.met else "missed"
        return row
    if not peers:
        return row
    better_is_higher = goal.quantity == "rate"
    peer = (max if better_is_higher else min)(peers, key=lambda p: p["median"])
    row.peer_label, row.peer_value = peer["label"], peer["median"]
    row.peer_peak_mib = peer["peak_mib"]
    row.ratio = _ratio(goal.quantity, ours["median"], peer["median"])
    row.ratio_best = _ratio(goal.quantity, ours["best"], peer["best"])
    if goal.target is not None and row.ratio is not None:
        row.met = row.ratio >= goal.target
        row.status = "met" if row.met else "missed"
    return row


GOALS_DIR = FilePath(__file__).resolve().parent / "goals"


def goal_scripts() -> list[str]:
    """The names of the scripts with a goal module (``goals/<name>.py``)."""
    return sorted(
        path.stem for path in GOALS_DIR.glob("*.py") if not path.stem.startswith("_")
    )


def _goal_module(script: str) -> Any:
    if script not in goal_scripts():
        return None
    return importlib.import_module(f"goals.{script}")


def goals_of(script: str) -> list[Goal]:
    """The declared goals of one script (its name without ``bench_`` and ``.py``)."""
    module = _goal_module(script)
    goals = [] if module is None else list(module.GOALS)
    wrong = [goal.text for goal in goals if goal.script != script]
    if wrong:
        raise ValueError(f"goals/{script}.py declares goals of another script: {wrong}")
    return goals


def all_goals() -> list[Goal]:
    """Every declared goal, ordered by issue (then as declared)."""
    goals = [goal for script in goal_scripts() for goal in goals_of(script)]
    return sorted(goals, key=lambda goal: goal.issue)


def memory_method(script: str) -> str | None:
    """How ``script`` measures peak memory, as its goal module says (or None)."""
    module = _goal_module(script)
    return None if module is None else getattr(module, "MEMORY_METHOD", None)
