"""Where each script's figures sit in its JSON: the builders the goal modules use.

``sampler_*`` read ``_harness.run``'s JSON, ``named_figure`` the JSON of
``_functions.print_and_save`` (and ``bench_metrics.py``), ``ranking_figure``
``bench_ranking_metrics.py``'s and ``tf_rate`` ``bench_tf_rebalance.py``'s rates.
"""

from __future__ import annotations

from _goals import Figure, Goal, Path, Step, Where


def _step(case: str | int) -> Step:
    return case if isinstance(case, int) else Where.of(case=case)


def sampler_figure(case: str | int, library: str, label: str) -> Figure:
    """A figure of ``_harness.run``'s JSON: ``library`` is ``peer``, ``balancekit``
    or ``balancekit_torch_cpu``; ``case`` the case's name or its index."""
    row: Path = ("results", _step(case), library)
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def sampler_peak(case: str | int, library: str, label: str) -> Figure:
    """The peak bytes of one library on a ``_harness.run`` case, as the figure."""
    peak: Path = ("results", _step(case), library, "peak_bytes")
    return Figure(label, peak, peak)


def torch_cpu_goal(script: str, case: str | int, text: str) -> Goal:
    """Issue 16: balancekit on torch CPU tensors at least 0.9x its NumPy speed."""
    return Goal(
        16,
        text,
        script,
        "time",
        sampler_figure(case, "balancekit_torch_cpu", "balancekit torch CPU"),
        (sampler_figure(case, "balancekit", "balancekit NumPy"),),
        0.9,
    )


def first_touch_goal(script: str, case: str | int, text: str) -> Goal:
    """Issue 16: memory first touched by one call (minor page faults x page size),
    balancekit on torch CPU beside balancekit on NumPy."""

    def figure(library: str, label: str) -> Figure:
        return Figure(label, ("results", _step(case), library, "minor_fault_bytes"))

    return Goal(
        16,
        text,
        script,
        "memory",
        figure("balancekit_torch_cpu", "balancekit torch CPU"),
        (figure("balancekit", "balancekit NumPy"),),
    )


def sampler_goals(
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
            sampler_figure(case, "balancekit", "balancekit"),
            (sampler_figure(case, "peer", "imblearn"),),
            target,
        ),
        Goal(
            issue,
            memory,
            script,
            "memory",
            sampler_peak(case, "balancekit", "balancekit"),
            (sampler_peak(case, "peer", "imblearn"),),
            1.0,
        ),
    ]


def named_figure(name: str, label: str) -> Figure:
    """A figure of ``_functions.print_and_save``'s JSON (and bench_metrics')."""
    row: Path = ("results", Where.of(name=name))
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def ranking_figure(metric: str, kind: str, library: str, label: str) -> Figure:
    row: Path = ("results", Where.of(metric=metric, input=kind), library)
    return Figure(label, (*row, "times_s"), (*row, "peak_bytes"))


def tf_rate(name: str, label: str) -> Figure:
    return Figure(label, ("rates", name))


#: The built-in arrangement that mixes as well as ``rebalance``:
#: ``sample_from_datasets`` over per-class datasets split beforehand, each shuffled
#: with a buffer covering the class and repeated (the JSON key keeps its old name).
TF_MIXING_PEER = (
    tf_rate("sample_from_datasets over split datasets", "sample_from_datasets, split"),
)

METRICS_FLOOR = "floor: np.bincount(y_true*10+y_pred)"
TORCHMETRICS_F1 = "f1 macro: torchmetrics multiclass_f1_score (torch CPU)"
