"""Measuring plain callables (not samplers' ``fit_resample``): time and peak memory.

``compare`` warms each callable up once, times them interleaved (a, b, a, b, ...), and
measures the peak resident memory each adds during one more call: Linux's peak RSS
(``VmHWM``) is reset through ``/proc/self/clear_refs`` before the call, so torch's
allocations count as well as NumPy's (``tracemalloc`` sees only NumPy's).
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _harness import MIB, environment

__all__ = ["Timing", "compare", "print_and_save"]


@dataclass
class Timing:
    """The times and peak memory of one callable."""

    name: str
    times: list[float]
    peak_bytes: int | None

    @property
    def median_s(self) -> float:
        return statistics.median(self.times)

    @property
    def min_s(self) -> float:
        return min(self.times)


def _status_kib(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_bytes(fn: Callable[[], Any]) -> int | None:
    """Peak resident memory added during ``fn()`` (None where Linux's /proc is
    missing)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
    except OSError:
        return None
    before = _status_kib("VmRSS")
    result = fn()
    peak = _status_kib("VmHWM")
    del result
    gc.collect()
    if before is None or peak is None:
        return None
    return (peak - before) * 1024


def compare(fns: dict[str, Callable[[], Any]], repeats: int) -> list[Timing]:
    """Warm up, time interleaved ``repeats`` times, then one peak-memory call each."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - start)
            del result
    return [Timing(name, times[name], peak_rss_bytes(fn)) for name, fn in fns.items()]


def print_and_save(
    title: str, timings: list[Timing], reference: str, json_path: Path
) -> None:
    """A Markdown table with each callable's speed-up over ``reference``; JSON file."""
    env = environment()
    base = next(t for t in timings if t.name == reference)
    print(f"{title} | {env['cpu_count']} cores | torch {env['torch']}")
    print()
    print(f"| callable | median s | min s | peak MiB | speed-up vs {reference} |")
    print("|---|---|---|---|---|")
    for t in timings:
        peak = "n/a" if t.peak_bytes is None else f"{t.peak_bytes / MIB:.1f}"
        ratio = f"{base.median_s / t.median_s:.2f}x"
        print(f"| {t.name} | {t.median_s:.3f} | {t.min_s:.3f} | {peak} | {ratio} |")
    payload = {
        "title": title,
        "environment": env,
        "reference": reference,
        "results": [
            {
                "name": t.name,
                "times_s": t.times,
                "median_s": t.median_s,
                "min_s": t.min_s,
                "peak_bytes": t.peak_bytes,
                "speedup_vs_reference": base.median_s / t.median_s,
            }
            for t in timings
        ],
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nJSON written to {json_path}")
