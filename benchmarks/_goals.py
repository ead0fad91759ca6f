"""The speed and memory goals of the issues, and where their figures sit in the JSON.

Each benchmark script writes its figures to ``benchmarks/results/<name>.json`` (``name``
is the script's file name without ``bench_`` and ``.py``). A :class:`Goal` names the
script, a :class:`Figure` for balancekit and one or more for the peer (the best of
several when the goal says "the fastest built-in arrangement"), and the target.

Every ratio reads the same way: **above 1, balancekit is better**.

- ``time`` (seconds per call, lower is better): peer / balancekit;
- ``rate`` (elements per second, higher is better): balancekit / peer;
- ``memory`` (peak bytes, lower is better): peer / balancekit.

``target`` is the least ratio that meets the goal: "at least 2x faster" is 2, "no
slower" is 1, "at most 1.5x the plain pipeline's time" is 1 / 1.5, "within 5%" is
1 / 1.05. A goal with ``target=None`` is reported only (the issue asks for the figure,
not a ratio). :func:`evaluate` turns a goal and the loaded JSON into a :class:`Row`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
        if isinstance(step, Where):
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

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "reported"
        return f">= {self.target:.3g}"


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


# --- where each script's figures are -------------------------------------------------


def _step(case: str | int) -> Step:
    return case if isinstance(case, int) else Where.of(case=case)


def _sampler(case: str | int, library: str, label: str) -> Figure:
    """A figure of ``_harness.run``'s JSON: ``library`` is ``peer``, ``balancekit``
    or ``balancekit_torch_cpu``; ``case`` the case's name or its index."""
    row: Path = ("results", _step(case), library)
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def _sampler_peak(case: str | int, library: str, label: str) -> Figure:
    """The peak bytes of one library on a ``_harness.run`` case, as the figure."""
    peak: Path = ("results", _step(case), library, "peak_bytes")
    return Figure(label, peak, peak)


def _sampler_goals(
    issue: int,
    script: str,
    case: str | int,
    speed: str,
    target: float | None,
    memory: str,
) -> list[Goal]:
    """A speed goal and a peak-memory goal on one ``_harness.run`` case."""
    return [
        Goal(
            issue,
            speed,
            script,
            "time",
            _sampler(case, "balancekit", "balancekit"),
            (_sampler(case, "peer", "imblearn"),),
            target,
        ),
        Goal(
            issue,
            memory,
            script,
            "memory",
            _sampler_peak(case, "balancekit", "balancekit"),
            (_sampler_peak(case, "peer", "imblearn"),),
            1.0,
        ),
    ]


def _named(name: str, label: str) -> Figure:
    """A figure of ``_functions.print_and_save``'s JSON (and bench_metrics')."""
    row: Path = ("results", Where.of(name=name))
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def _ranking(metric: str, kind: str, library: str, label: str) -> Figure:
    row: Path = ("results", Where.of(metric=metric, input=kind), library)
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def _tf(name: str, label: str) -> Figure:
    return Figure(label, ("rates", name))


#: The built-in arrangement that mixes as well as ``rebalance``:
#: ``sample_from_datasets`` over per-class datasets split beforehand, each shuffled
#: with a buffer covering the class and repeated (the JSON key keeps its old name).
_TF_MIXING_PEER = (
    _tf("sample_from_datasets over split datasets", "sample_from_datasets, split"),
)

_METRICS_FLOOR = "floor: np.bincount(y_true*10+y_pred)"
_TORCHMETRICS_F1 = "f1 macro: torchmetrics multiclass_f1_score (torch CPU)"

GOALS: list[Goal] = [
    # issue 2: the random samplers, 1,000,000 x 32 float32, 1% minority
    *_sampler_goals(
        2,
        "random_samplers",
        "RandomOverSampler",
        "RandomOverSampler, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "RandomOverSampler, 1M x 32: peak memory no higher than imblearn's",
    ),
    *_sampler_goals(
        2,
        "random_samplers",
        "RandomUnderSampler",
        "RandomUnderSampler, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "RandomUnderSampler, 1M x 32: peak memory no higher than imblearn's",
    ),
    # issue 3: SMOTE (cases by position: their names carry the data size)
    *_sampler_goals(
        3,
        "smote",
        0,
        "SMOTE, 1M x 32: at least 2x faster than imblearn",
        2.0,
        "SMOTE, 1M x 32: peak memory never above imblearn's",
    ),
    *_sampler_goals(
        3,
        "smote",
        1,
        "SMOTE, 100k x 256: reported beside imblearn",
        None,
        "SMOTE, 100k x 256: peak memory never above imblearn's",
    ),
    # issue 3: cleaning samplers, 100,000 x 32
    *_sampler_goals(
        3,
        "cleaning_samplers",
        "TomekLinks",
        "TomekLinks, 100k x 32: at least 5x faster than imblearn",
        5.0,
        "TomekLinks, 100k x 32: peak memory never above imblearn's",
    ),
    *_sampler_goals(
        3,
        "cleaning_samplers",
        "EditedNearestNeighbours",
        "EditedNearestNeighbours, 100k x 32: no slower than imblearn on NumPy",
        1.0,
        "EditedNearestNeighbours, 100k x 32: peak memory never above imblearn's",
    ),
    Goal(
        3,
        "EditedNearestNeighbours, 100k x 32: the torch CPU path, reported beside it",
        "cleaning_samplers",
        "time",
        _sampler("EditedNearestNeighbours", "balancekit_torch_cpu", "balancekit torch"),
        (_sampler("EditedNearestNeighbours", "peer", "imblearn"),),
    ),
    # issue 5: one epoch of 10^7 indices
    Goal(
        5,
        "BalancedSampler, one epoch of 10^7 indices: at least 5x faster than "
        "WeightedRandomSampler",
        "torch_samplers",
        "time",
        _named("balancekit BalancedSampler", "BalancedSampler"),
        (_named("WeightedRandomSampler", "WeightedRandomSampler"),),
        5.0,
    ),
    # issue 6: tf.data and Keras
    Goal(
        6,
        "rebalance, 1M x 32 stream: at least 20x the elements/s of the built-in "
        "arrangement that mixes as well (sample_from_datasets over pre-split, "
        "shuffled, repeated classes)",
        "tf_rebalance",
        "rate",
        _tf("balancekit rebalance", "rebalance"),
        _TF_MIXING_PEER,
        20.0,
    ),
    Goal(
        6,
        "rebalance, 1M x 32 stream: at most 1.5x the plain pipeline's time per element",
        "tf_rebalance",
        "rate",
        _tf("balancekit rebalance", "rebalance"),
        (_tf("plain (unbalanced)", "plain pipeline"),),
        1 / 1.5,
    ),
    Goal(
        6,
        "with_sample_weights, one Keras fit epoch: within 5% of fit(class_weight=)",
        "keras_weights",
        "time",
        _named("with_sample_weights", "with_sample_weights"),
        (_named("fit(class_weight=)", "fit(class_weight=)"),),
        1 / 1.05,
    ),
    Goal(
        6,
        "with_sample_weights, one Keras fit epoch: within 5% of precomputed weights",
        "keras_weights",
        "time",
        _named("with_sample_weights", "with_sample_weights"),
        (_named("precomputed (x, y, w)", "precomputed (x, y, w)"),),
        1 / 1.05,
    ),
    # issue 7: metrics on 10^7 predictions
    Goal(
        7,
        "classification report, 10^7 predictions: at least 20x faster than "
        "scikit-learn's",
        "metrics",
        "time",
        _named("report: balancekit (numpy)", "balancekit"),
        (_named("report: sklearn classification_report", "scikit-learn"),),
        20.0,
    ),
    Goal(
        7,
        "classification report, 10^7 predictions: within 3x of the bincount floor",
        "metrics",
        "time",
        _named("report: balancekit (numpy)", "balancekit"),
        (_named(_METRICS_FLOOR, "np.bincount floor"),),
        1 / 3,
    ),
    Goal(
        7,
        "classification report, 10^7 predictions: reported beside imblearn's",
        "metrics",
        "time",
        _named("report: balancekit (numpy)", "balancekit"),
        (
            _named(
                "report: imblearn classification_report_imbalanced",
                "imblearn",
            ),
        ),
    ),
    Goal(
        7,
        "macro F1, 10^7 predictions: reported beside scikit-learn's",
        "metrics",
        "time",
        _named("f1 macro: balancekit (numpy)", "balancekit"),
        (_named("f1 macro: sklearn", "scikit-learn"),),
    ),
    Goal(
        7,
        "macro F1 on torch CPU, 10^7 predictions: reported beside torchmetrics'",
        "metrics",
        "time",
        _named("f1 macro: balancekit (torch CPU)", "balancekit torch"),
        (_named(_TORCHMETRICS_F1, "torchmetrics"),),
    ),
    Goal(
        7,
        "average precision, 10^7 scores, NumPy: at least 2x faster than scikit-learn",
        "ranking_metrics",
        "time",
        _ranking("average_precision", "numpy", "balancekit", "balancekit"),
        (_ranking("average_precision", "numpy", "peer", "scikit-learn"),),
        2.0,
    ),
    Goal(
        7,
        "ROC AUC, 10^7 scores, NumPy: at least 2x faster than scikit-learn",
        "ranking_metrics",
        "time",
        _ranking("roc_auc", "numpy", "balancekit", "balancekit"),
        (_ranking("roc_auc", "numpy", "peer", "scikit-learn"),),
        2.0,
    ),
    Goal(
        7,
        "average precision, 10^7 scores, torch CPU: no slower than torchmetrics",
        "ranking_metrics",
        "time",
        _ranking("average_precision", "torch CPU", "balancekit", "balancekit torch"),
        (_ranking("average_precision", "torch CPU", "peer", "torchmetrics"),),
        1.0,
    ),
    Goal(
        7,
        "ROC AUC, 10^7 scores, torch CPU: no slower than torchmetrics",
        "ranking_metrics",
        "time",
        _ranking("roc_auc", "torch CPU", "balancekit", "balancekit torch"),
        (_ranking("roc_auc", "torch CPU", "peer", "torchmetrics"),),
        1.0,
    ),
    # issue 9: diagnostics, no peer: time and peak memory reported (rows by
    # position: the first name carries the subsample size; the second row is absent
    # without --full)
    Goal(
        9,
        "inspect, 1M x 32, kNN typology on a 20k-row subsample: completes (time, "
        "peak memory)",
        "inspect",
        "time",
        Figure(
            "inspect(max_samples=20,000)",
            ("results", 0, "times_s"),
            ("results", 0, "peak_bytes"),
        ),
    ),
    Goal(
        9,
        "inspect, 1M x 32, exact typology of every row: completes (time, peak memory)",
        "inspect",
        "time",
        Figure("inspect()", ("results", 1, "times_s"), ("results", 1, "peak_bytes")),
    ),
    # issue 15: the commands degrade gently under load and use the cores
    Goal(
        15,
        "bench --quick with two competing CPU-bound processes: at most 2x its quiet "
        "time",
        "bench_load",
        "time",
        Figure("--quick, 2 busy processes", ("results", "quick_loaded", "times_s")),
        (Figure("--quick, quiet", ("results", "quick_quiet", "times_s")),),
        1 / 2,
    ),
    Goal(
        15,
        "the full default bench (12 data sets, 2 models, 19 strategies, 3 seeds): at "
        "least 1.7x faster with 2 workers than with 1",
        "bench_load",
        "time",
        Figure("--n-jobs 2", ("results", "full_2_workers", "times_s")),
        (Figure("--n-jobs 1", ("results", "full_1_worker", "times_s")),),
        1.7,
    ),
]

#: How each script measures peak memory (shown under the table).
MEMORY_METHOD: dict[str, str] = {
    "random_samplers": "tracemalloc (NumPy and Python allocations)",
    "smote": "tracemalloc (NumPy and Python allocations)",
    "cleaning_samplers": "tracemalloc (NumPy and Python allocations; torch: n/a)",
    "ranking_metrics": "tracemalloc on NumPy; torch rows n/a",
    "torch_samplers": "peak RSS added by one call (Linux VmHWM)",
    "metrics": "peak RSS added by one call (Linux VmHWM; reused heap reads low)",
    "keras_weights": "peak RSS added by one call (Linux VmHWM; reused heap reads low)",
    "tf_rebalance": "not measured (rebalance holds the over-sampled classes: their "
    "elements plus 32 bytes per copy, within max_cached_bytes)",
    "inspect": "peak RSS added by one call (Linux VmHWM)",
    "bench_load": "not measured (wall-clock times of the command in a subprocess)",
}


def goals_of(script: str, goals: Sequence[Goal] = GOALS) -> list[Goal]:
    """The declared goals of one script (its name without ``bench_`` and ``.py``)."""
    return [goal for goal in goals if goal.script == script]
