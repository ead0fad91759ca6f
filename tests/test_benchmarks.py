"""The benchmark scripts keep working: smoke runs on tiny data, no timing asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def bench_module(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name):
        monkeypatch.delitem(sys.modules, name, raising=False)
        return __import__(name)

    return load


def test_random_samplers_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    args = ["--n-samples", "3000", "--n-features", "4", "--repeats", "1"]
    assert (
        bench_module("bench_random_samplers").main([*args, "--json", str(out_file)])
        == 0
    )
    assert "| RandomOverSampler | balancekit |" in capsys.readouterr().out
    results = json.loads(out_file.read_text())["results"]
    assert [r["case"] for r in results] == ["RandomOverSampler", "RandomUnderSampler"]
    assert all(r["counts_match"] for r in results)


def test_cleaning_samplers_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_cleaning_samplers")
    assert bench.main(["--n-samples", "800", "--json", str(out_file)]) == 0
    assert "| TomekLinks | balancekit |" in capsys.readouterr().out
    results = json.loads(out_file.read_text())["results"]
    assert [r["case"] for r in results] == ["TomekLinks", "EditedNearestNeighbours"]
    assert all(r["counts_match"] for r in results)


def test_smote_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_smote")
    assert bench.main(["--quick", "--repeats", "1", "--json", str(out_file)]) == 0
    assert "| SMOTE 100,000 x 32 | balancekit |" in capsys.readouterr().out
    assert all(r["counts_match"] for r in json.loads(out_file.read_text())["results"])


def test_torch_samplers_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_torch_samplers")
    args = ["--n-samples", "20000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| balancekit BalancedSampler |" in capsys.readouterr().out
    names = [r["name"] for r in json.loads(out_file.read_text())["results"]]
    assert names == ["WeightedRandomSampler", "balancekit BalancedSampler"]


def test_metrics_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_metrics")
    args = ["--quick", "--n-samples", "20000", "--repeats", "1"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "| report: balancekit (numpy) |" in capsys.readouterr().out
    assert json.loads(out_file.read_text())["max_difference_vs_imblearn"] < 1e-12


def test_ranking_metrics_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_ranking_metrics")
    args = ["--n-samples", "3000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| roc_auc | numpy | balancekit |" in capsys.readouterr().out
    assert all(r["values_agree"] for r in json.loads(out_file.read_text())["results"])


def test_keras_weights_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_keras_weights")
    args = ["--n-samples", "5120", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| with_sample_weights |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    names = [r["name"] for r in payload["results"]]
    expected = ["fit(class_weight=)", "precomputed (x, y, w)", "with_sample_weights"]
    assert names == expected
    assert len(payload["counting_pass_s"]) == 1


def test_tf_rebalance_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_tf_rebalance")
    args = ["--n-samples", "20000", "--repeats", "1", "--slow-elements", "600"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "| balancekit rebalance |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    assert set(payload["median"]) >= {"plain (unbalanced)", "balancekit rebalance"}
