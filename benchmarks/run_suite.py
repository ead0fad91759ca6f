"""The speed suite (``make bench``): every ``benchmarks/bench_*.py``, then one table of
the issues' goals.

Run from the repository root::

    .venv/bin/python benchmarks/run_suite.py [--quick] [--only NAME[,NAME]]
                                             [--timeout S] [--results-dir DIR]
                                             [--no-run] [--list]

Each script runs in its own process, one after another (so they never compete for the
two cores), with ``--json DIR/<name>.json`` (``name`` is the file name without
``bench_`` and ``.py``) and ``--quick`` passed through; its output streams to the
terminal. A script that exits non-zero, times out or writes no readable JSON is
reported as failed and the suite goes on. Then every JSON is read, each goal declared
beside its script (``goals/<name>.py``) is checked, and one Markdown table is printed:
the goal (with its issue), balancekit's figure, the peer's, their ratio (above 1,
balancekit is better), the target, met or not, and both peak memories. The rows, the
scripts' statuses and the environment go to ``DIR/suite.json``.

Exit status: 1 if a script failed, else 0. A missed goal is shown in the table and
counted in the summary line, but does not fail the run: the suite measures, it does not
gate (timings on a shared 2-core VM are too noisy for that).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _goals import Goal, Row, all_goals, evaluate, goals_of, memory_method

BENCHMARKS = Path(__file__).resolve().parent
RESULTS = BENCHMARKS / "results"
SUITE_JSON = "suite.json"


@dataclass
class ScriptRun:
    """How one script's run went."""

    name: str
    script: str
    # "ok", "failed", "timed out"; with --no-run: "not run" (its JSON is read) or
    # "no JSON" (there is none)
    status: str
    json: str
    returncode: int | None = None
    seconds: float | None = None
    error: str = ""


def script_name(path: Path) -> str:
    """``bench_smote.py`` -> ``smote``: the name of its JSON file and in ``--only``."""
    return path.stem.removeprefix("bench_")


def discover(directory: Path = BENCHMARKS) -> list[Path]:
    """Every ``bench_*.py`` in ``directory``, in name order."""
    return sorted(directory.glob("bench_*.py"))


def parse_args(argv: list[str] | None, scripts: list[Path]) -> argparse.Namespace:
    names = [script_name(s) for s in scripts]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="pass --quick to every script"
    )
    parser.add_argument(
        "--only",
        default=None,
        help=f"comma-separated scripts to run, of: {', '.join(names)}",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds per script (none)"
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS,
        help="where the JSON files go (benchmarks/results)",
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="run nothing: build the table from the JSON files already there",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scripts and their goals"
    )
    args = parser.parse_args(argv)
    args.selected = scripts
    if args.only:
        wanted = [
            name.strip().removeprefix("bench_").removesuffix(".py")
            for name in args.only.split(",")
            if name.strip()
        ]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"--only: unknown {unknown}; scripts are {names}")
        args.selected = [s for s in scripts if script_name(s) in wanted]
    return args


def run_script(
    script: Path, json_path: Path, quick: bool, timeout: float | None
) -> ScriptRun:
    """Run one benchmark script in a fresh process; its output goes to ours."""
    name = script_name(script)
    json_path.unlink(missing_ok=True)  # never read a previous run's figures
    command = [sys.executable, str(script), "--json", str(json_path)]
    if quick:
        command.append("--quick")
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            timeout=timeout,
            check=False,
            # Line by line even into a pipe (``make bench | tee``).
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - start
        return ScriptRun(
            name,
            script.name,
            "timed out",
            str(json_path),
            None,
            seconds,
            f"stopped after {timeout:g} s",
        )
    seconds = time.perf_counter() - start
    run = ScriptRun(
        name, script.name, "ok", str(json_path), completed.returncode, seconds
    )
    if completed.returncode != 0:
        run.status, run.error = "failed", f"exit status {completed.returncode}"
    return run


def load_payload(run: ScriptRun) -> Any:
    """The script's JSON, or None (and the run marked failed) if it is unreadable."""
    if run.status not in ("ok", "not run"):
        return None
    if not Path(run.json).is_file():
        if run.status == "ok":
            run.status, run.error = "failed", "wrote no JSON"
        else:
            run.status, run.error = "no JSON", f"{run.json} is missing"
        return None
    try:
        return json.loads(Path(run.json).read_text())
    except (OSError, ValueError) as error:
        run.status, run.error = "failed", f"unreadable JSON: {error}"
        return None


def build_rows(
    runs: list[ScriptRun], payloads: dict[str, Any], goals: list[Goal] | None = None
) -> list[Row]:
    """The declared goals of the scripts that ran, in the order of ``goals`` (by
    default every goal module's, by issue), then one "no goal declared" row per
    script that has none."""
    goals = all_goals() if goals is None else goals
    by_name = {run.name: run for run in runs}
    rows: list[Row] = []
    for goal in goals:
        run = by_name.get(goal.script)
        if run is None:
            continue
        payload = payloads.get(run.name)
        if payload is None:
            status = "no JSON" if run.status in ("ok", "not run") else run.status
            rows.append(
                Row(
                    goal.issue,
                    goal.text,
                    goal.script,
                    goal.quantity,
                    f"script {status}" if status != "no JSON" else status,
                    target=1.0 if goal.limit is not None else goal.target,
                )
            )
        else:
            rows.append(evaluate(goal, payload))
    for run in runs:
        if not any(goal.script == run.name for goal in goals):
            status = "no goal declared" if payloads.get(run.name) else run.status
            text = f"{run.script}: no goal declared"
            rows.append(Row(None, text, run.name, None, status))
    return rows


def _value(quantity: str | None, value: float | None) -> str:
    if value is None:
        return "n/a"
    if quantity == "rate":
        return f"{value:,.0f} el/s"
    if quantity == "memory":
        return f"{value / 1024**2:.1f} MiB"
    return f"{value:.3f} s" if value >= 0.1 else f"{value * 1000:.2f} ms"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _met(row: Row) -> str:
    if row.met is True:
        return "yes"
    if row.met is False:
        return "**no**"
    if row.status == "reported":
        return "-"
    return row.status


def markdown_table(rows: list[Row]) -> str:
    """The suite's one table."""
    header = [
        "issue",
        "goal",
        "balancekit",
        "peer",
        "ratio median / best (>1: ours better)",
        "target",
        "met",
        "ours MiB",
        "peer MiB",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        ours = f"{row.ours_label} {_value(row.quantity, row.ours_value)}"
        peer = "-"
        if row.peer_label is not None:
            peer = f"{row.peer_label} {_value(row.quantity, row.peer_value)}"
        ratio = "-"
        if row.ratio is not None:
            ratio = f"{_ratio(row.ratio)} / {_ratio(row.ratio_best)}"
        target = "-" if row.target is None else f">= {row.target:.3g}"
        cells = [
            "-" if row.issue is None else str(row.issue),
            row.goal,
            ours if row.ours_label else "-",
            peer,
            ratio,
            target,
            _met(row),
            _mib(row.ours_peak_mib),
            _mib(row.peer_peak_mib),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(rows: list[Row], runs: list[ScriptRun]) -> dict[str, Any]:
    """Counts of goals met, missed, reported and without figures; failed scripts."""
    checked = [r for r in rows if r.target is not None]
    return {
        "goals_met": sum(r.met is True for r in checked),
        "goals_missed": sum(r.met is False for r in checked),
        "goals_unchecked": sum(r.met is None for r in checked),
        "reported_only": sum(r.target is None and r.issue is not None for r in rows),
        "scripts_failed": [r.name for r in runs if r.status in ("failed", "timed out")],
    }


def notes(rows: list[Row], runs: list[ScriptRun], quick: bool) -> list[str]:
    """The lines printed under the table."""
    lines = [
        "ratio: the peer's time / ours, our elements/s / the peer's, the peer's peak "
        "/ ours: above 1, balancekit is better; median / best = on the medians and "
        "on the best calls (min time, max rate). 'met' is judged on the median.",
        "target: the least ratio that meets the goal (no slower = 1; at most 1.5x "
        "the time = 0.667; within 5% = 0.952; within 3x of a floor = 0.333).",
    ]
    methods = {run.name: memory_method(run.name) for run in runs}
    measured = sorted(name for name, method in methods.items() if method)
    if measured:
        lines.append("peak memory, as each script measures it:")
        lines += [f"- {name}: {methods[name]}" for name in measured]
    for row in rows:
        if row.note:
            lines.append(f"{row.script}: {row.goal}: {row.note}")
    for run in runs:
        seconds = "" if run.seconds is None else f" in {run.seconds:.0f} s"
        error = f" ({run.error})" if run.error else ""
        lines.append(f"{run.script}: {run.status}{seconds}{error}")
    if quick:
        lines.append(
            "NOTE: --quick runs smaller data than the goals are set at: a smoke run, "
            "not a check of the goals."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    scripts = discover()
    args = parse_args(argv, scripts)
    if args.list:
        for script in scripts:
            declared = goals_of(script_name(script))
            print(f"{script.name}: {len(declared) or 'no'} goals")
            for goal in declared:
                print(f"  issue {goal.issue}: {goal.text} ({goal.target_text})")
        return 0
    load_start = list(os.getloadavg())
    runs: list[ScriptRun] = []
    for index, script in enumerate(args.selected, start=1):
        json_path = args.results_dir / f"{script_name(script)}.json"
        if args.no_run:
            runs.append(
                ScriptRun(script_name(script), script.name, "not run", str(json_path))
            )
            continue
        print(f"\n## {script.name} ({index}/{len(args.selected)})\n", flush=True)
        args.results_dir.mkdir(parents=True, exist_ok=True)
        run = run_script(script, json_path, args.quick, args.timeout)
        print(f"\n-> {script.name}: {run.status} in {run.seconds:.0f} s", flush=True)
        runs.append(run)
    payloads = {run.name: load_payload(run) for run in runs}
    rows = build_rows(runs, payloads)
    # After the runs: environment() imports torch, which would otherwise hold memory
    # in this process while the scripts measure theirs.
    from _harness import environment

    env = environment()
    env["load_average_at_start"] = load_start
    env["load_average_at_end"] = list(os.getloadavg())
    counts = summary(rows, runs)
    print("\n# Speed suite\n")
    print(markdown_table(rows))
    print()
    for line in notes(rows, runs, args.quick):
        print(line)
    print(
        f"\ngoals: {counts['goals_met']} met, {counts['goals_missed']} missed, "
        f"{counts['goals_unchecked']} without figures, {counts['reported_only']} "
        f"reported only; scripts failed: {counts['scripts_failed'] or 'none'}"
    )
    payload = {
        "environment": env,
        "quick": args.quick,
        "scripts": [asdict(run) for run in runs],
        "rows": [asdict(row) for row in rows],
        "summary": counts,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    suite_path = args.results_dir / SUITE_JSON
    suite_path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"JSON written to {suite_path}")
    return 1 if counts["scripts_failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
