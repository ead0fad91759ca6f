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


def test_multilabel_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_multilabel")
    args = ["--n-samples", "3000", "--average-samples", "2000"]
    args += ["--mlsmote-samples", "2000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| report: balancekit (numpy) |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    assert payload["values_agree"]
    assert payload["mlsmote"]["n_synthetic"] > 0
    assert payload["mlsmote"]["mean_ir_after"] < payload["mlsmote"]["mean_ir_before"]
    goals = bench_module("_goals")
    for goal in goals.goals_of("multilabel"):
        assert goals.evaluate(goal, payload).ours_value is not None, goal.text


def test_ranking_metrics_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_ranking_metrics")
    args = ["--n-samples", "3000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| roc_auc | numpy | balancekit |" in capsys.readouterr().out
    assert all(r["values_agree"] for r in json.loads(out_file.read_text())["results"])


def test_imblearn_samplers_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_imblearn_samplers")
    args = ["--n-samples", "3000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| ClusterCentroids 3,000 x 32 | balancekit |" in capsys.readouterr().out
    results = json.loads(out_file.read_text())["results"]
    assert [r["case"].split(" 3,000")[0] for r in results] == [
        "KMeansSMOTE",
        "ClusterCentroids",
        "SVMSMOTE",
        "ClusterCentroids, capped",
        "SVMSMOTE, capped",
    ]


def test_ensembles_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_ensembles")
    args = ["--n-samples", "3000", "--n-estimators", "3", "--repeats", "1"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "BalancedRandomForestClassifier" in capsys.readouterr().out
    assert out_file.is_file()


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


def test_decisions_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_decisions")
    args = ["--n-samples", "3000", "--repeats", "1", "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| balancekit TunedDecision |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    names = [r["name"] for r in payload["results"]]
    assert names == ["sklearn TunedThresholdClassifierCV", "balancekit TunedDecision"]
    f1 = payload["out_of_fold_f1"]
    # the exact optimum is never below a grid's
    assert f1["balancekit TunedDecision"] >= f1["sklearn TunedThresholdClassifierCV"]


@pytest.mark.slow
def test_tf_rebalance_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_tf_rebalance")
    args = ["--n-samples", "20000", "--repeats", "1", "--slow-elements", "600"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "| balancekit rebalance |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    assert set(payload["median"]) >= {"plain (unbalanced)", "balancekit rebalance"}


def _harness_payload(cases: dict[str, tuple[list[float], list[float]]]) -> dict:
    """A fabricated ``_harness.run`` JSON: per case (peer times, our times); the
    peer's peak is 200 MiB, ours 100 MiB."""
    mib = 1024**2
    return {
        "results": [
            {
                "case": case,
                "peer": {"times_s": peer, "peak_bytes": 200 * mib},
                "balancekit": {"times_s": ours, "peak_bytes": 100 * mib},
                "balancekit_torch_cpu": None,
            }
            for case, (peer, ours) in cases.items()
        ]
    }


def test_suite_goal_extraction(bench_module):
    goals = bench_module("_goals")
    payload = _harness_payload(
        {"RandomOverSampler": ([0.4, 0.2, 0.3], [0.1, 0.1, 0.2])}
    )
    by_text = {
        g.text: goals.evaluate(g, payload) for g in goals.goals_of("random_samplers")
    }
    speed = by_text["RandomOverSampler, 1M x 32: at least 2x faster than imblearn"]
    assert (speed.status, speed.met, speed.target) == ("met", True, 2.0)
    assert speed.ratio == pytest.approx(3.0)  # medians: 0.3 / 0.1
    assert speed.ratio_best == pytest.approx(2.0)  # mins: 0.2 / 0.1
    assert (speed.ours_peak_mib, speed.peer_peak_mib) == (100.0, 200.0)
    memory = by_text[
        "RandomOverSampler, 1M x 32: peak memory no higher than imblearn's"
    ]
    assert (memory.quantity, memory.ratio, memory.met) == ("memory", 2.0, True)
    # The under-sampler's case is absent: its rows say so instead of failing.
    missing = by_text["RandomUnderSampler, 1M x 32: at least 2x faster than imblearn"]
    assert (missing.status, missing.met, missing.ratio) == (
        "missing figure",
        None,
        None,
    )
    assert "RandomUnderSampler" in missing.note

    # Rates: higher is better, and the best of several peers is the one compared.
    rates = {
        "rates": {
            "plain (unbalanced)": [800.0],
            "rejection_resample": [3.0],
            "sample_from_datasets over filters": [8.0],
            "sample_from_datasets over split datasets": [40.0, 50.0, 45.0],
            "balancekit rebalance": [600.0, 700.0],
        }
    }
    fastest, plain = (goals.evaluate(g, rates) for g in goals.goals_of("tf_rebalance"))
    assert fastest.peer_label == "sample_from_datasets, split"
    assert fastest.ratio == pytest.approx(650 / 45)
    assert (fastest.met, plain.met) == (False, True)  # 14.4 < 20; 0.81 >= 0.667
    assert plain.ratio == pytest.approx(650 / 800)


def test_every_script_has_its_goal_module(bench_module):
    goals = bench_module("_goals")
    scripts = sorted(
        path.stem[len("bench_") :] for path in BENCHMARKS.glob("bench_*.py")
    )
    assert goals.goal_scripts() == scripts
    for script in scripts:
        declared = goals.goals_of(script)
        assert all(goal.script == script for goal in declared)
        assert goals.memory_method(script)
    assert len(goals.all_goals()) == sum(len(goals.goals_of(s)) for s in scripts)


def test_suite_rows_for_failed_and_undeclared_scripts(bench_module):
    suite = bench_module("run_suite")
    runs = [
        suite.ScriptRun("random_samplers", "bench_random_samplers.py", "ok", "a.json"),
        suite.ScriptRun("smote", "bench_smote.py", "failed", "b.json", 1, 2.0, "x"),
        suite.ScriptRun("inspect_new", "bench_inspect_new.py", "ok", "c.json"),
    ]
    payloads = {
        "random_samplers": _harness_payload(
            {
                "RandomOverSampler": ([0.2], [0.1]),
                "RandomUnderSampler": ([0.1], [0.1]),
            }
        ),
        "smote": None,
        "inspect_new": {"results": []},
    }
    rows = suite.build_rows(runs, payloads)
    # Issue 2's and 3's rows, then issue 16's (torch CPU beside NumPy: 2 + 3).
    assert [r.script for r in rows] == ["random_samplers"] * 4 + ["smote"] * 4 + [
        "random_samplers"
    ] * 2 + ["smote"] * 3 + ["inspect_new"]
    assert [r.met for r in rows[:4]] == [True, True, False, True]
    assert {r.status for r in rows[4:8]} == {"script failed"}
    assert {r.status for r in rows[8:10]} == {"missing figure"}  # no torch figures
    assert {r.status for r in rows[10:13]} == {"script failed"}
    assert (rows[-1].issue, rows[-1].status) == (None, "no goal declared")
    table = suite.markdown_table(rows)
    assert table.count("\n") == len(rows) + 1
    assert "| 2 | RandomUnderSampler, 1M x 32: at least 2x faster" in table
    assert suite.summary(rows, runs)["scripts_failed"] == ["smote"]


@pytest.mark.slow
def test_suite_smoke_run(tmp_path):
    import subprocess

    command = [
        sys.executable,
        str(BENCHMARKS / "run_suite.py"),
        "--quick",
        "--only",
        "random_samplers",
        "--results-dir",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| RandomOverSampler | balancekit |" in done.stdout  # the script's table
    assert "| issue | goal | balancekit | peer |" in done.stdout  # the suite's
    assert "| 2 | RandomOverSampler, 1M x 32: at least 2x faster" in done.stdout
    suite = json.loads((tmp_path / "suite.json").read_text())
    assert set(suite) >= {"environment", "quick", "scripts", "rows", "summary"}
    assert suite["quick"] is True
    assert [s["name"] for s in suite["scripts"]] == ["random_samplers"]
    assert suite["scripts"][0]["status"] == "ok"
    assert (tmp_path / "random_samplers.json").is_file()
    rows = suite["rows"]
    assert len(rows) == 6  # issue 2's four, issue 16's two (torch CPU vs NumPy)
    assert [r["issue"] for r in rows] == [2, 2, 2, 2, 16, 16]
    assert all(r["status"] in ("met", "missed") for r in rows)
    assert all(r["ratio"] > 0 for r in rows)
    assert all(r["ours_peak_mib"] is not None for r in rows[:4])
    assert suite["summary"]["scripts_failed"] == []


def test_inspect_smoke_run(bench_module, tmp_path, capsys):
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_inspect")
    args = ["--quick", "--full", "--n-samples", "5000", "--n-features", "8"]
    assert bench.main([*args, "--json", str(out_file)]) == 0
    assert "| inspect(max_samples=2,500) |" in capsys.readouterr().out
    results = json.loads(out_file.read_text())["results"]
    assert [r["planted_found"] for r in results] == [True, True]


def test_dask_smoke_run(bench_module, tmp_path, capsys):
    pytest.importorskip("distributed")
    out_file = tmp_path / "result.json"
    bench = bench_module("bench_dask_scaling")
    args = ["--rows", "3000", "--partition-rows", "1000", "--repeats", "1"]
    args += ["--data-dir", str(tmp_path / "data"), "--json", str(out_file)]
    assert bench.main(args) == 0
    assert "| rus |" in capsys.readouterr().out
    payload = json.loads(out_file.read_text())
    assert [row["step"] for row in payload["steps"]] == [
        "floor",
        "rus",
        "weights",
        "report",
    ]
    assert all("peer" in row for row in payload["steps"]), payload["steps"]
    written = list((tmp_path / "data" / "resampled" / "balancekit").glob("*.parquet"))
    assert written  # the under-sampled table went back to parquet
    goals = bench_module("_goals")
    for goal in goals.goals_of("dask_scaling"):
        row = goals.evaluate(goal, payload)
        assert row.ours_value is not None, (goal.text, row)


def test_a_fixed_limit_goal_is_met_below_it_and_missed_above(bench_module):
    goals = bench_module("_goals")
    (worker,) = [
        g
        for g in goals.goals_of("dask_scaling")
        if g.text.startswith("peak memory of the largest Dask worker")
    ]
    assert worker.limit == 4 * 1024**3
    assert worker.target_text == "<= 4,096 MiB"
    under = goals.evaluate(worker, {"balancekit_worker_peak_bytes": 3 * 1024**3})
    assert (under.status, under.met, under.target) == ("met", True, 1.0)
    assert under.ratio == pytest.approx(4 / 3)  # above 1: better than the limit
    assert under.peer_label == "fixed limit"
    over = goals.evaluate(worker, {"balancekit_worker_peak_bytes": 5 * 1024**3})
    assert (over.status, over.met) == ("missed", False)
    assert over.ratio == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="either a limit or peers"):
        goals.Goal(18, "x", "dask_scaling", "memory", worker.ours, limit=1.0, target=2)
