"""``balancekit inspect``: messy files are findings, not crashes; --out writes files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from balancekit.cli import main

pd = pytest.importorskip("pandas")


@pytest.fixture
def messy_csv(tmp_path):
    """String labels, 3 missing feature values, 1 missing label, a text column."""
    rng = np.random.default_rng(0)
    n = 240
    label = np.where(np.arange(n) % 8 == 0, "fraud", "ok")
    frame = pd.DataFrame(
        {
            "amount": rng.normal(0, 1, n) + (label == "fraud") * 4,
            "age": rng.normal(0, 1, n),
            "comment": rng.choice(["late", "ok", "call back"], n),
            "label": label,
        }
    )
    frame.loc[[4, 9, 17], "age"] = np.nan
    frame.loc[33, "label"] = None
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path


def test_messy_file_is_reported(messy_csv, capsys):
    assert main(["inspect", str(messy_csv), "--target", "label"]) == 0
    out = capsys.readouterr().out
    assert "Data report: 239 samples x 3 features, 2 classes" in out
    assert "[error] 3 NaN values in 1 column (age: 3)" in out
    assert "1 row of the file had no label and was left out" in out
    assert "non-numeric feature column coded as integers" in out
    assert "comment" in out
    assert "fraud" in out


def test_out_writes_json_and_pngs(messy_csv, tmp_path, capsys):
    out_dir = tmp_path / "report"
    args = ["inspect", str(messy_csv), "--target", "label", "--out", str(out_dir)]
    assert main([*args, "--neighbors", "3"]) == 0
    printed = capsys.readouterr().out
    payload = json.loads((out_dir / "report.json").read_text())
    assert payload["target_rows_without_label"] == 1
    assert payload["non_numeric_columns"] == ["comment"]
    data = payload["data"]
    assert data["n_neighbors"] == 3
    assert data["nan_counts"] == [0, 3, 0]
    assert data["classes"] == ["fraud", "ok"]
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["missing_labels"]["count"] == 1
    assert codes["non_numeric_features"]["details"] == {"columns": ["comment"]}
    assert codes["nan_values"]["count"] == 3
    for name in ("class_distribution.png", "difficulty.png", "projection.png"):
        path = out_dir / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(path) in printed


def test_json_flag_prints_json(messy_csv, capsys):
    assert main(["inspect", str(messy_csv), "--target", "label", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["data"]["class_counts"] == [30, 209]


def test_with_test_file_checks_the_split(messy_csv, tmp_path, capsys):
    frame = pd.read_csv(messy_csv)
    test_path = tmp_path / "test.csv"
    frame.iloc[:40].to_csv(test_path, index=False)  # 40 rows copied: leakage
    args = ["inspect", str(messy_csv), "--target", "label", "--test", str(test_path)]
    assert main([*args, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "split" in payload
    split_codes = {f["code"] for f in payload["split"]["findings"]}
    assert any("duplicate" in code for code in split_codes)
    notes = {f["code"] for f in payload["split_notes"]}
    assert "split_text_columns_ignored" in notes
    assert main(args) == 0
    assert "== train/test split ==" in capsys.readouterr().out
    assert main([*args, "--fail-on", "error"]) == 1


def test_unreadable_input_exits_2(messy_csv, tmp_path, capsys):
    assert main(["inspect", str(messy_csv), "--target", "nope"]) == 2
    assert "`target` 'nope' is not a column" in capsys.readouterr().err
    assert main(["inspect", str(tmp_path / "missing.csv"), "--target", "y"]) == 2


def test_npz_input(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    X[:, 2] = 1.0
    path = tmp_path / "data.npz"
    np.savez(path, X=X, y=np.repeat([0, 1], [100, 20]))
    assert main(["inspect", str(path), "--target", "y", "--fail-on", "warning"]) == 1
    assert "1 constant feature: x2" in capsys.readouterr().out
