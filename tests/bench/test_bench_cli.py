"""``balancekit bench``: the command, its files and the report's structure."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from balancekit.bench import COLUMNS
from balancekit.bench._scores import METRICS
from balancekit.cli import main

pytest.importorskip("matplotlib")

STRATEGIES = "none,class_weight=balanced,SMOTE"


@pytest.fixture(scope="module")
def two_sets(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    argv = [
        "bench",
        "--dataset",
        "haberman",
        "--dataset",
        "new_thyroid1",
        "--models",
        "logistic_regression",
        "--strategies",
        STRATEGIES,
        "--seeds",
        "2",
        "--out",
        str(out),
        "--no-progress",
        "--overwrite",
    ]
    return out, argv


def test_bench_prints_tables_and_writes_every_file(two_sets, capsys):
    out, argv = two_sets
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "## haberman — logistic_regression" in printed
    assert "| strategy | PR-AUC |" in printed
    assert "12 runs (0 failed)" in printed
    assert str(out / "report.md") in printed
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "results.json", "report.md"} <= names
    pngs = [n for n in names if n.endswith(".png")]
    assert "critical_difference_logistic_regression.png" in pngs
    assert "pr_auc_haberman_logistic_regression.png" in pngs
    assert "pr_curves_new_thyroid1_logistic_regression.png" in pngs
    assert "reliability_haberman_logistic_regression.png" in pngs
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_structure(two_sets):
    out, argv = two_sets
    assert main(argv) == 0
    report = (out / "report.md").read_text()
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings[:4] == [
        "# balancekit bench report",
        "## Protocol",
        "## Data sets",
        "## Results (sorted by PR-AUC, mean ± std over seeds)",
    ]
    assert "### haberman — logistic_regression" in headings
    assert "## Across data sets" in headings
    assert headings[-2:] == ["## Files", "## Recommendation"]
    assert "| haberman | logistic_regression |" in report.split("## Recommendation")[1]
    assert "test split that no choice ever sees" in report
    assert "Nemenyi critical difference" in report
    results = json.loads((out / "results.json").read_text())
    assert set(results) >= {"protocol", "environment", "runs", "summary", "friedman"}
    assert len(results["runs"]) == 12
    assert results["protocol"]["seeds"] == [0, 1]
    friedman = results["friedman"]["logistic_regression"]
    assert friedman["strategies"] == STRATEGIES.split(",")
    assert sum(friedman["average_ranks"]) == pytest.approx(6.0)
    for run in results["runs"]:
        assert run["status"] == "ok"
        assert all(0.0 <= run[m] <= 1.0 for m in METRICS if m != "mcc")
    with open(out / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 12


def test_user_file_and_its_errors(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    label = np.where(X[:, 0] + rng.normal(0, 0.5, 120) > 1.0, "fraud", "ok")
    path = tmp_path / "mine.csv"
    lines = ["a,b,c,label"] + [
        f"{r[0]},{r[1]},{r[2]},{lab}" for r, lab in zip(X, label, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    argv = [
        "bench",
        "--data",
        str(path),
        "--target",
        "label",
        "--models",
        "logistic_regression",
        "--strategies",
        "none,RandomOverSampler",
        "--seeds",
        "1",
        "--out",
        str(tmp_path / "out"),
        "--no-progress",
        "--no-plots",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "## mine.csv — logistic_regression" in printed
    out = str(tmp_path / "other")
    assert main(["bench", "--data", str(path), "--out", out]) == 2
    assert "--data needs --target" in capsys.readouterr().err
    assert main(["bench", "--data", str(path), "--target", "nope", "--out", out]) == 2
    assert "not a column" in capsys.readouterr().err


def test_list_names_data_sets_models_and_strategies(capsys):
    assert main(["bench", "--list"]) == 0
    printed = capsys.readouterr().out
    for name in ("yeast4", "abalone19", "torch_mlp", "SMOTEENN", "loss=focal"):
        assert name in printed


def test_a_strategy_failing_on_a_tiny_class_is_reported(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = np.r_[np.zeros(55, dtype=int), np.ones(5, dtype=int)]  # 3 or 4 in training
    path = tmp_path / "tiny.npz"
    np.savez(path, X=X, label=y)
    argv = [
        "bench",
        "--data",
        str(path),
        "--target",
        "label",
        "--models",
        "logistic_regression",
        "--strategies",
        "none,SMOTE",
        "--seeds",
        "2",
        "--out",
        str(tmp_path / "out"),
        "--no-progress",
        "--no-plots",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "4 runs (2 failed)" in printed
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    status = {(r["strategy"], r["seed"]): r for r in results["runs"]}
    assert status[("none", 0)]["status"] == "ok"
    assert status[("SMOTE", 1)]["status"] == "failed"
    assert "k_neighbors" in status[("SMOTE", 1)]["reason"]
    assert status[("SMOTE", 1)]["pr_auc"] is None  # NaN is written as null
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## Failed runs" in report
    assert "| SMOTE | failed: ValueError:" in report
