"""``balancekit bench`` under competing CPU load, and with 1 versus 2 workers.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_bench_load.py [--quick] [--json PATH]

Two measurements, each a wall-clock time of the command in a subprocess (files into a
temporary folder, no progress bar, no plots for the subset):

* ``balancekit bench --quick`` (default ``--n-jobs``: the available cores) on a quiet
  machine, then while two CPU-bound busy-loop processes compete for the cores (this
  script starts them and always stops them). Goal: loaded at most 2x quiet.
* the full default bench (``balancekit bench``: 12 shipped data sets, 2 models, 27
  strategies, 3 seeds, 1,944 runs, plots included) with ``--n-jobs 1`` and
  ``--n-jobs 2``. Goal: at least 1.7x faster with 2 workers. ``--quick`` measures a
  two-data-set, one-seed subset instead (a smoke run).

"Quiet" means no load of this script's own; the machine's load averages before and
after each measurement are recorded (on a shared machine they are not zero).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import RESULTS, environment

QUICK_SUBSET = ("--dataset", "haberman", "--dataset", "vehicle0", "--seeds", "1")
BALANCEKIT = Path(sys.executable).with_name("balancekit")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="timed runs (2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one repeat, a two-data-set subset: a smoke run",
    )
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "bench_load.json", help="output"
    )
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 2)
    return args


def _busy() -> None:  # pragma: no cover - runs in the load processes
    while True:
        pass


def _load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def _time_command(argv: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [str(BALANCEKIT), *argv, "--out", folder, "--overwrite"]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def _measure(label: str, argv: list[str], repeats: int) -> dict[str, Any]:
    before = _load_average()
    times = []
    for _ in range(repeats):
        times.append(_time_command(argv))
        print(f"  {label}: {times[-1]:.1f} s", flush=True)
    return {
        "label": label,
        "argv": argv,
        "times_s": times,
        "load_average_before": before,
        "load_average_after": _load_average(),
    }


def _with_load(label: str, argv: list[str], repeats: int) -> dict[str, Any]:
    """Time ``argv`` while two busy-loop processes compete (always stopped)."""
    context = multiprocessing.get_context("spawn")
    hogs = [context.Process(target=_busy, daemon=True) for _ in range(2)]
    try:
        for hog in hogs:
            hog.start()
        time.sleep(1.0)  # let them reach the run queue
        return _measure(label, argv, repeats)
    finally:
        for hog in hogs:
            hog.terminate()
        for hog in hogs:
            hog.join(timeout=10)
            if hog.is_alive():
                hog.kill()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    quick = ["bench", "--quick", "--no-progress"]
    subset = ["bench", "--no-progress", *(QUICK_SUBSET if args.quick else ())]
    label = "subset" if args.quick else "full bench"
    print(f"load averages at the start: {_load_average()}", flush=True)
    results = {
        "quick_quiet": _measure("bench --quick, quiet", quick, args.repeats),
        "quick_loaded": _with_load(
            "bench --quick, 2 busy processes", quick, args.repeats
        ),
        "full_1_worker": _measure(
            f"{label}, --n-jobs 1", [*subset, "--n-jobs", "1"], args.repeats
        ),
        "full_2_workers": _measure(
            f"{label}, --n-jobs 2", [*subset, "--n-jobs", "2"], args.repeats
        ),
    }
    payload = {
        "environment": environment(),
        "available_cores": len(os.sched_getaffinity(0)),
        "full_bench": not args.quick,
        "results": results,
    }
    print()
    print("| measurement | median s | load avg before -> after |")
    print("| --- | --- | --- |")
    for item in results.values():
        times = sorted(item["times_s"])
        median = times[len(times) // 2]
        print(
            f"| {item['label']} | {median:.1f} | {item['load_average_before']} -> "
            f"{item['load_average_after']} |"
        )
    quiet = min(results["quick_quiet"]["times_s"])
    loaded = min(results["quick_loaded"]["times_s"])
    one = min(results["full_1_worker"]["times_s"])
    two = min(results["full_2_workers"]["times_s"])
    print(f"\n--quick loaded / quiet: {loaded / quiet:.2f}x (goal: at most 2x)")
    print(f"{label}, 1 worker / 2 workers: {one / two:.2f}x (goal: at least 1.7x)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {args.json}")
    return payload


if __name__ == "__main__":
    main()
