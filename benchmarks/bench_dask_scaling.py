"""Past one machine's memory: balancekit on Dask against the floor of reading the data.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_dask_scaling.py [--quick] [--rows N] [--json PATH]

Data: a parquet folder of ``--rows`` rows (32 float32 features ``f0..f31``, an int64
``label`` with a 1% minority, a float64 ``score`` that ranks the minority higher),
written once by this script into ``--data-dir`` (reused while rows, features and
seed match; written to a temporary folder and renamed, so an interrupted write
leaves nothing half-made). At least 1.2 x this machine's memory makes it a table
that does not fit: ``--rows 230000000`` (~29 GiB in memory) here.

Work, on a ``distributed.LocalCluster`` started by the script (2 worker processes,
one thread each, ``--memory-limit`` each), every step reading the parquet again:

- ``floor``: read every column once (``dd.read_parquet(...).sum()``), the least any
  pass over the data can cost;
- ``rus``: ``RandomUnderSampler`` to 1:1 on the DataFrame, written back to parquet;
- ``weights``: ``compute_sample_weight(y, "balanced")``, reduced to its sum;
- ``report``: ``classification_report`` of ``score > 0.5`` and
  ``average_precision_score`` of ``score``.

Reported: rows/s of each step and its ratio to the floor; the peak memory of the
client (``ru_maxrss``) and of the workers (``distributed``'s ``MemorySampler``, the
cluster's total, and each worker's ``ru_maxrss``). The same work with pandas +
imbalanced-learn + scikit-learn (in a child process, so its memory is its own) runs
when the table holds in memory (``--peer-max-rows``, default 30M rows, ~4 GiB).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _harness import MIB, RESULTS, environment

N_FEATURES = 32
MINORITY = 0.01
SEED = 20261203
THRESHOLD = 0.5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None, help="(4,000,000)")
    parser.add_argument("--partition-rows", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=None, help="timed runs (2)")
    parser.add_argument("--memory-limit", default="4GiB", help="per worker")
    parser.add_argument("--peer-max-rows", type=int, default=30_000_000)
    parser.add_argument("--quick", action="store_true", help="200,000 rows, 1 run")
    parser.add_argument(
        "--data-dir", type=Path, default=RESULTS / "dask_data", help="parquet home"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "dask_scaling.json")
    args = parser.parse_args(argv)
    args.rows = args.rows or (200_000 if args.quick else 4_000_000)
    args.repeats = args.repeats or (1 if args.quick else 2)
    if args.rows < 1_000 or args.partition_rows < 100:
        parser.error("--rows must be >= 1000 and --partition-rows >= 100")
    return args


def _partition(index: int, rows: int, partition_rows: int) -> pd.DataFrame:
    """Rows ``index * partition_rows ...`` of the table, from a seed of their own."""
    rng = np.random.default_rng([SEED, index])
    n = min(partition_rows, rows - index * partition_rows)
    label = (rng.random(n) < MINORITY).astype(np.int64)
    features = rng.standard_normal((n, N_FEATURES), dtype=np.float32)
    features[label == 1] += 0.5
    frame = pd.DataFrame(features, columns=[f"f{j}" for j in range(N_FEATURES)])
    frame["label"] = label
    frame["score"] = 1 / (1 + np.exp(-(2.0 * label - 1.0 + rng.normal(size=n))))
    return frame


def write_table(folder: Path, rows: int, partition_rows: int) -> Path:
    """The parquet folder for these parameters, written once (atomically)."""
    import dask.dataframe as dd

    table = folder / f"rows{rows}_part{partition_rows}_seed{SEED}"
    if (table / "_balancekit_done").exists():
        return table
    scratch = table.with_name(f"{table.name}.tmp{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    n_parts = -(-rows // partition_rows)
    frame = dd.from_map(
        _partition, range(n_parts), rows=rows, partition_rows=partition_rows
    )
    frame.to_parquet(scratch, write_index=False)
    (scratch / "_balancekit_done").write_text(f"{rows} rows\n")
    shutil.rmtree(table, ignore_errors=True)
    scratch.rename(table)
    return table


def _balancekit_steps(table: Path, out: Path) -> dict[str, Callable[[], Any]]:
    import dask.dataframe as dd

    from balancekit.metrics import average_precision_score, classification_report
    from balancekit.under_sampling import RandomUnderSampler
    from balancekit.weighting import compute_sample_weight

    def floor() -> Any:
        return dd.read_parquet(table).sum().compute()

    def rus() -> Any:
        frame = dd.read_parquet(table)
        X_res, _ = RandomUnderSampler(random_state=0).fit_resample(
            frame, frame["label"]
        )
        shutil.rmtree(out, ignore_errors=True)
        return X_res.to_parquet(out, write_index=False)

    def weights() -> Any:
        y = dd.read_parquet(table, columns=["label"])["label"]
        return _computed(compute_sample_weight(y, "balanced").sum())

    def report() -> Any:
        frame = dd.read_parquet(table, columns=["label", "score"])
        predicted = (frame["score"] > THRESHOLD).astype("int64")
        text = classification_report(frame["label"], predicted, digits=6)
        ap = average_precision_score(frame["label"], frame["score"])
        return _computed(text), _computed(ap)

    return {"floor": floor, "rus": rus, "weights": weights, "report": report}


def _computed(value: Any) -> Any:
    return value.compute() if hasattr(value, "compute") else value


def _peer_run(table: str, out: str, repeats: int, queue: Any) -> None:
    """The in-memory peers in a child process: times per step, its peak memory."""
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.metrics import average_precision_score, classification_report
    from sklearn.utils.class_weight import compute_sample_weight

    def floor() -> None:
        pd.read_parquet(table).sum()

    def rus() -> None:
        frame = pd.read_parquet(table)
        X_res, _ = RandomUnderSampler(random_state=0).fit_resample(
            frame, frame["label"]
        )
        X_res.to_parquet(out, index=False)

    def weights() -> None:
        label = pd.read_parquet(table, columns=["label"])["label"]
        float(compute_sample_weight("balanced", label).sum())

    def report() -> None:
        frame = pd.read_parquet(table, columns=["label", "score"])
        predicted = (frame["score"] > THRESHOLD).astype("int64")
        classification_report(frame["label"], predicted, digits=6)
        average_precision_score(frame["label"], frame["score"])

    # Each step reads from the parquet what it needs, as balancekit's steps do.
    steps = {"floor": floor, "rus": rus, "weights": weights, "report": report}
    times: dict[str, list[float]] = {}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times.setdefault(name, []).append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put({"times_s": times, "peak_bytes": peak})


def run_peers(table: Path, out: Path, repeats: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(
        target=_peer_run, args=(str(table), str(out), repeats, queue)
    )
    child.start()
    result = queue.get()
    child.join()
    return result


def run_balancekit(table: Path, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    from distributed import Client, LocalCluster
    from distributed.diagnostics import MemorySampler

    times: dict[str, list[float]] = {}
    cluster_peaks: dict[str, float] = {}
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit=args.memory_limit,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        sampler = MemorySampler()
        steps = _balancekit_steps(table, out)
        for repeat in range(args.repeats):
            for name, step in steps.items():
                with sampler.sample(f"{name}{repeat}", interval=0.1):
                    start = time.perf_counter()
                    step()
                    times.setdefault(name, []).append(time.perf_counter() - start)
                print(f"  {name}: {times[name][-1]:.2f} s", flush=True)
        for label, series in sampler.to_pandas().items():
            name = label.rstrip("0123456789")
            cluster_peaks[name] = max(cluster_peaks.get(name, 0.0), float(series.max()))
        worker_peaks = client.run(
            lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        )
    return {
        "times_s": times,
        "cluster_peak_bytes": cluster_peaks,
        "worker_peak_bytes": max(worker_peaks.values()),
        "client_peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = environment()
    started = time.perf_counter()
    table = write_table(args.data_dir, args.rows, args.partition_rows)
    print(
        f"table: {args.rows:,} rows at {table} ({time.perf_counter() - started:.0f} s)"
    )
    out = args.data_dir / "resampled"
    ours = run_balancekit(table, out / "balancekit", args)
    peers = None
    if args.rows <= args.peer_max_rows:
        peers = run_peers(table, out / "peers.parquet", args.repeats)
    steps = []
    for name, seconds in ours["times_s"].items():
        best = min(seconds)
        row = {
            "step": name,
            "balancekit": {"times_s": seconds, "rows_per_s": args.rows / best},
            "floor_over_step": min(ours["times_s"]["floor"]) / best,
            "peak_cluster_bytes": ours["cluster_peak_bytes"].get(name),
        }
        if peers is not None:
            row["peer"] = {"times_s": peers["times_s"][name]}
        steps.append(row)
    payload = {
        "environment": env | {"load_average_at_end": list(os.getloadavg())},
        "rows": args.rows,
        "partition_rows": args.partition_rows,
        "memory_limit_per_worker": args.memory_limit,
        "steps": steps,
        "balancekit_worker_peak_bytes": ours["worker_peak_bytes"],
        "balancekit_client_peak_bytes": ours["client_peak_bytes"],
        "peer_peak_bytes": None if peers is None else peers["peak_bytes"],
    }
    _print_table(payload)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    scratch = args.json.with_suffix(".tmp")
    scratch.write_text(json.dumps(payload, indent=2))
    scratch.replace(args.json)
    print(f"JSON written to {args.json}")
    return 0


def _print_table(payload: dict[str, Any]) -> None:
    load = payload["environment"]["load_average_at_start"]
    print(f"\n{payload['rows']:,} rows, load {load}")
    print("| step | balancekit s | rows/s | floor / step | peers s | peers / ours |")
    print("|---|---|---|---|---|---|")
    for row in payload["steps"]:
        ours = min(row["balancekit"]["times_s"])
        peer = min(row["peer"]["times_s"]) if "peer" in row else None
        ratio = "" if peer is None else f"{peer / ours:.2f}x"
        print(
            f"| {row['step']} | {ours:.2f} | {row['balancekit']['rows_per_s']:,.0f} | "
            f"{row['floor_over_step']:.2f} | {'' if peer is None else f'{peer:.2f}'} | "
            f"{ratio} |"
        )
    print(
        f"peak MiB: client {payload['balancekit_client_peak_bytes'] / MIB:.0f}, "
        f"largest worker {payload['balancekit_worker_peak_bytes'] / MIB:.0f}, peers "
        + (
            "not run"
            if payload["peer_peak_bytes"] is None
            else f"{payload['peer_peak_bytes'] / MIB:.0f}"
        )
    )


if __name__ == "__main__":
    sys.exit(main())
