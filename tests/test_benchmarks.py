"""The benchmark script keeps working: a smoke run on tiny data, no timing asserted."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPT = BENCHMARKS / "bench_random_samplers.py"


def test_benchmark_smoke_run(tmp_path, capsys, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_random_samplers", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # dataclasses look it up
    spec.loader.exec_module(bench)
    out_file = tmp_path / "result.json"
    args = ["--n-samples", "3000", "--n-features", "4", "--repeats", "1"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "| RandomOverSampler | balancekit |" in capsys.readouterr().out
    results = json.loads(out_file.read_text())["results"]
    names = [r["sampler"] for r in results]
    assert names == ["RandomOverSampler", "RandomUnderSampler"]
    assert all(r["counts_match"] for r in results)
