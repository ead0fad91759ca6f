"""Speed and peak memory: balancekit's AP and ROC AUC against scikit-learn/torchmetrics.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_ranking_metrics.py [--quick] [--json PATH]

Default data: 10,000,000 binary predictions, float64 scores (a sigmoid of a noisy
score, so ties are rare), 10% positives. Same protocol as ``_harness.py`` (one warm-up
call each, interleaved timed calls, min and median, ``tracemalloc`` peak of one more
call on NumPy), with metric functions instead of samplers: balancekit on NumPy against
scikit-learn, balancekit on torch CPU tensors against torchmetrics' functional
``binary_average_precision`` / ``binary_auroc``. Results must agree to 1e-9 (1e-6
against torchmetrics, which returns float32).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _harness import MIB, RESULTS, environment

Metric = Callable[[Any, Any], Any]


@dataclass
class Timing:
    library: str
    times_s: list[float]
    value: float
    peak_bytes: int | None = None

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def min_s(self) -> float:
        return min(self.times_s)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=None, help="(10,000,000)")
    parser.add_argument("--positive", type=float, default=0.1, help="share (0.1)")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (3)")
    parser.add_argument("--quick", action="store_true", help="1,000,000 samples")
    parser.add_argument("--no-torch", action="store_true", help="skip torch rows")
    parser.add_argument(
        "--json", type=Path, default=RESULTS / "ranking_metrics.json", help="output"
    )
    args = parser.parse_args(argv)
    args.n_samples = args.n_samples or (1_000_000 if args.quick else 10_000_000)
    args.repeats = args.repeats or 3
    if not 0 < args.positive < 1:
        parser.error("--positive must be in (0, 1)")
    return args


def predictions(n_samples: int, positive: float, seed: int = 20240601) -> tuple:
    """Binary int64 labels and float64 probabilities that rank them imperfectly."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_samples) < positive).astype(np.int64)
    score = 1 / (1 + np.exp(-(rng.standard_normal(n_samples) + 1.5 * y - 1)))
    return y, score


def _call(fn: Metric, y: Any, score: Any) -> tuple[float, float]:
    start = time.perf_counter()
    value = float(fn(y, score))
    return time.perf_counter() - start, value


def _peak(fn: Metric, y: Any, score: Any) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(y, score)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(
    pair: dict[str, Metric], y: Any, score: Any, repeats: int, traced: bool
) -> list[Timing]:
    """Warm up, time interleaved (peer, ours, peer, ...), trace peaks if NumPy."""
    values = {name: _call(fn, y, score)[1] for name, fn in pair.items()}
    times: dict[str, list[float]] = {name: [] for name in pair}
    for _ in range(repeats):
        for name, fn in pair.items():
            times[name].append(_call(fn, y, score)[0])
    return [
        Timing(name, times[name], values[name], _peak(fn, y, score) if traced else None)
        for name, fn in pair.items()
    ]


def main(argv: list[str] | None = None) -> int:
    import sklearn.metrics as sk

    from balancekit.metrics._ranking import average_precision_score, roc_auc_score

    args = parse_args(argv)
    y, score = predictions(args.n_samples, args.positive)
    cases: list[tuple[str, str, list[Timing]]] = []
    numpy_pairs = {
        "average_precision": (sk.average_precision_score, average_precision_score),
        "roc_auc": (sk.roc_auc_score, roc_auc_score),
    }
    for metric, (peer, ours) in numpy_pairs.items():
        pair = {"scikit-learn": peer, "balancekit": ours}
        cases.append((metric, "numpy", measure(pair, y, score, args.repeats, True)))
    if not args.no_torch:
        import torch
        from torchmetrics.functional.classification import (
            binary_auroc,
            binary_average_precision,
        )

        y_t, score_t = torch.from_numpy(y), torch.from_numpy(score)
        torch_pairs = {
            "average_precision": binary_average_precision,
            "roc_auc": binary_auroc,
        }
        for metric, peer_fn in torch_pairs.items():
            ours_fn = numpy_pairs[metric][1]
            pair = {
                "torchmetrics": lambda y, s, f=peer_fn: f(s, y),
                "balancekit": ours_fn,
            }
            cases.append(
                (metric, "torch CPU", measure(pair, y_t, score_t, args.repeats, False))
            )
    return report(cases, args, environment())


def report(
    cases: list[tuple[str, str, list[Timing]]], args: argparse.Namespace, env: dict
) -> int:
    print(
        f"numpy {env['numpy']}, torch {env['torch']} ({env['torch_threads']} threads)"
        f" | {env['cpu_count']} cores | {args.n_samples:,} predictions, "
        f"{args.positive:.0%} positive, float64 scores, {args.repeats} repeats"
    )
    header = "| metric | input | library | median s | min s | peak MiB | speed-up |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    payload, notes = [], []
    for metric, kind, (peer, ours) in cases:
        ratio = peer.median_s / ours.median_s
        ratio_min = peer.min_s / ours.min_s
        for t in (peer, ours):
            peak = "n/a" if t.peak_bytes is None else f"{t.peak_bytes / MIB:.1f}"
            speed = f"{ratio:.2f}x / {ratio_min:.2f}x" if t is ours else ""
            lines.append(
                f"| {metric} | {kind} | {t.library} | {t.median_s:.3f} | "
                f"{t.min_s:.3f} | {peak} | {speed} |"
            )
        # torchmetrics returns float32 values; scikit-learn float64 ones.
        tolerance = 1e-6 if peer.library == "torchmetrics" else 1e-9
        agree = abs(peer.value - ours.value) <= tolerance * max(1.0, abs(peer.value))
        if not agree:
            notes.append(
                f"WARNING: {metric} ({kind}): {peer.library} {peer.value!r} != "
                f"balancekit {ours.value!r}"
            )
        payload.append(
            {
                "metric": metric,
                "input": kind,
                "peer": {**vars(peer), "median_s": peer.median_s},
                "balancekit": {**vars(ours), "median_s": ours.median_s},
                "speedup_median": ratio,
                "speedup_min": ratio_min,
                "values_agree": agree,
            }
        )
    print("\n".join(lines))
    print("speed-up: the peer's time over balancekit's (median / min); above 1 is us")
    for note in notes:
        print(note)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"environment": env, "results": payload}, indent=2) + "\n"
    )
    print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
