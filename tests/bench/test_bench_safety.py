"""``balancekit bench`` loses nothing and mixes nothing: --out checked first, rows
appended as runs end, atomic files, interrupts keep a partial report, --resume,
one folder per run, parallel runs give the same table, data-derived text escaped."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import balancekit._output as output
from balancekit.bench._rundir import read_results_csv
from balancekit.cli import main

SMALL = [
    "--synthetic",
    "300",
    "4",
    "6",
    "--models",
    "logistic_regression",
    "--strategies",
    "none,RandomOverSampler",
    "--no-plots",
    "--no-progress",
]


def _bench(out, *extra):
    return ["bench", *SMALL, "--out", str(out), *extra]


def _command(*argv):
    return [sys.executable, "-m", "balancekit.cli", *argv]


def _one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _table(path):
    """The results.csv rows without the timings (they differ run to run)."""
    rows = read_results_csv(path)
    for row in rows:
        row.pop("fit_time_s")
        row.pop("tune_time_s")
    return rows


# ------------------------------------------------------------------- --out first


@pytest.fixture
def no_data(monkeypatch):
    """Fail the test if the command reaches the data (the --out check comes first)."""
    from balancekit.bench import _cli

    def refuse(args):
        raise AssertionError("the data was read before --out was checked")

    monkeypatch.setattr(_cli, "_datasets", refuse)


def test_out_that_is_a_file_exits_2_before_any_work(tmp_path, capsys, no_data):
    path = tmp_path / "results.txt"
    path.write_text("keep me")
    assert main(_bench(path)) == 2
    line = _one_line(capsys.readouterr().err)
    assert "is a file, not a folder" in line
    assert path.read_text() == "keep me"
    assert main(_bench(path / "sub")) == 2
    assert "is a file" in _one_line(capsys.readouterr().err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_out_exits_2(tmp_path, capsys, no_data):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(_bench(locked / "out")) == 2
        assert "not writable" in _one_line(capsys.readouterr().err)
    finally:
        locked.chmod(0o700)


def test_out_that_cannot_be_created_exits_2_in_a_subprocess(tmp_path):
    # /proc refuses new folders even for root.
    done = subprocess.run(
        _command("bench", *SMALL, "--out", "/proc/balancekit-no/out"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert _one_line(done.stderr).startswith("balancekit bench: error:")
    file_out = tmp_path / "a_file"
    file_out.write_text("")
    done = subprocess.run(
        _command("bench", *SMALL, "--out", str(file_out)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "is a file" in _one_line(done.stderr)


def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys):
    for extra in (["--n-jobs", "0"], ["--resume", "--overwrite"], ["--seeds", "0"]):
        assert main(_bench(tmp_path / "out", *extra)) == 2
        _one_line(capsys.readouterr().err)


# ------------------------------------------------------- another run's files


def test_a_previous_run_is_never_overwritten_silently(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(_bench(out, "--seeds", "1")) == 0
    before = (out / "results.csv").read_bytes()
    capsys.readouterr()
    assert main(_bench(out, "--seeds", "2")) == 2
    line = _one_line(capsys.readouterr().err)
    assert "previous run" in line
    assert "--overwrite" in line
    assert (out / "results.csv").read_bytes() == before
    assert main(_bench(out, "--seeds", "2", "--overwrite")) == 0
    assert len(read_results_csv(out / "results.csv")) == 4
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["arguments"]["seeds"] == [0, 1]


def test_a_folder_in_use_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    handle = output.lock_folder(out, ".balancekit-bench.lock")
    try:
        assert main(_bench(out)) == 2
        assert "in use by another" in _one_line(capsys.readouterr().err)
    finally:
        handle.close()
    assert not (out / "results.csv").exists()


def test_two_concurrent_runs_into_one_folder_never_mix(tmp_path):
    out = tmp_path / "shared"
    argv = [*SMALL, "--out", str(out), "--n-jobs", "1"]
    first = subprocess.Popen(
        _command("bench", *argv, "--seeds", "3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    second = subprocess.Popen(
        _command("bench", *argv, "--seeds", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    codes = []
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        codes.append((process.returncode, err))
    assert sorted(code for code, _ in codes) == [0, 2]
    refused = next(err for code, err in codes if code == 2)
    assert "in use by another" in refused or "previous run" in refused
    manifest = json.loads((out / "run.json").read_text())
    seeds = manifest["arguments"]["seeds"]
    rows = read_results_csv(out / "results.csv")
    assert sorted({r["seed"] for r in rows}) == seeds
    assert len(rows) == 2 * len(seeds)
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert [r["seed"] for r in runs] == [r["seed"] for r in rows]
    assert f"over {len(seeds)} seeds" in (out / "report.md").read_text()


# ----------------------------------------------------------------- interrupts


def _start_and_interrupt(out, signum, n_jobs):
    argv = [
        "bench",
        "--synthetic",
        "2000",
        "8",
        "8",
        "--models",
        "logistic_regression,hist_gradient_boosting",
        "--strategies",
        "none,SMOTE,SMOTEENN,TomekLinks",
        "--seeds",
        "8",
        "--no-plots",
        "--n-jobs",
        str(n_jobs),
        "--out",
        str(out),
    ]
    process = subprocess.Popen(
        _command(*argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    results = out / "results.csv"
    deadline = time.monotonic() + 240  # a guard against a hang, not a timing
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and len(read_results_csv(results)) >= 1:
            break
        time.sleep(0.1)
    assert process.poll() is None, process.communicate()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "code", "n_jobs"),
    [(signal.SIGINT, 130, 2), (signal.SIGTERM, 143, 1)],
    ids=["SIGINT-2-workers", "SIGTERM-1-worker"],
)
def test_interrupt_keeps_finished_runs_in_a_partial_report(
    tmp_path, signum, code, n_jobs
):
    out = tmp_path / "out"
    returncode, _, stderr = _start_and_interrupt(out, signum, n_jobs)
    assert returncode == code
    line = _one_line(stderr)
    assert "interrupted by " + signal.Signals(signum).name in line
    assert "--resume" in line
    rows = read_results_csv(out / "results.csv")
    assert 1 <= len(rows) < 2 * 4 * 8
    report = (out / "report.md").read_text()
    assert report.splitlines()[2].startswith("**PARTIAL RESULTS:** interrupted by")
    results = json.loads((out / "results.json").read_text())
    assert results["status"] == "partial"
    assert len(results["runs"]) == len(rows)
    assert json.loads((out / "run.json").read_text())["status"] == "partial"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------- resume


def test_resume_continues_an_interrupted_run(tmp_path, capsys):
    whole = tmp_path / "whole"
    assert main(_bench(whole, "--seeds", "3", "--n-jobs", "1")) == 0
    cut = tmp_path / "cut"
    shutil.copytree(whole, cut)
    lines = (cut / "results.csv").read_text().splitlines(keepends=True)
    # Two finished runs and half a row, as a killed run leaves them.
    (cut / "results.csv").write_text("".join(lines[:3]) + lines[3][:20])
    manifest = json.loads((cut / "run.json").read_text())
    manifest["status"] = "partial"
    (cut / "run.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(_bench(cut, "--seeds", "3", "--resume", "--n-jobs", "1")) == 0
    assert "resuming: 2 finished runs kept" in capsys.readouterr().out
    assert _table(cut / "results.csv") == _table(whole / "results.csv")
    kept = read_results_csv(cut / "results.csv")[:2]
    original = read_results_csv(whole / "results.csv")[:2]
    assert [r["fit_time_s"] for r in kept] == [r["fit_time_s"] for r in original]
    assert main(_bench(cut, "--seeds", "4", "--resume")) == 2
    line = _one_line(capsys.readouterr().err)
    assert "arguments differ" in line
    assert "seeds" in line
    assert main(_bench(tmp_path / "empty", "--resume")) == 2
    assert "no interrupted run" in _one_line(capsys.readouterr().err)


# ---------------------------------------------------------------- parallelism


def test_same_table_whatever_n_jobs(tmp_path):
    tables = []
    for n_jobs in ("1", "2"):
        out = tmp_path / f"jobs{n_jobs}"
        argv = [
            "bench",
            "--synthetic",
            "400",
            "5",
            "6",
            "--models",
            "logistic_regression,hist_gradient_boosting",
            "--strategies",
            "none,SMOTE,class_weight=balanced",
            "--seeds",
            "2",
            "--no-plots",
            "--no-progress",
            "--n-jobs",
            n_jobs,
            "--out",
            str(out),
        ]
        assert main(argv) == 0
        tables.append(_table(out / "results.csv"))
    assert tables[0] == tables[1]
    assert len(tables[0]) == 12


def test_default_models_and_strategies_cross_to_workers():
    import pickle

    from balancekit.bench._models import default_models

    for model in default_models():
        assert pickle.loads(pickle.dumps(model)).name == model.name


def test_a_model_that_does_not_pickle_is_refused_for_workers():
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    from balancekit.bench import Model, compare

    X, y = make_classification(100, weights=[0.8], random_state=0)
    mine = Model("mine", lambda seed: LogisticRegression())
    with pytest.raises(ValueError, match="cannot be sent to worker processes"):
        compare(X, y, models=[mine], strategies=["none"], seeds=1, n_jobs=2)
    table = compare(X, y, models=[mine], strategies=["none"], seeds=1, n_jobs=1)
    assert table["status"].tolist() == ["ok"]


# -------------------------------------------------------------- atomic writes


def test_a_crash_between_temporary_and_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "report.md"
    path.write_text("old report\n")

    def crash(source, target):
        raise KeyboardInterrupt  # the process dies between write and rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        output.atomic_write_text(path, "new report\n")
    assert path.read_text() == "old report\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary left behind


def test_rows_are_appended_as_runs_finish(tmp_path, monkeypatch):
    from balancekit.bench import _rundir

    seen = []
    original = _rundir.RunFolder.append

    def spy(self, record):
        original(self, record)
        seen.append(len(read_results_csv(self.path / "results.csv")))

    monkeypatch.setattr(_rundir.RunFolder, "append", spy)
    assert main(_bench(tmp_path / "out", "--seeds", "2", "--n-jobs", "1")) == 0
    assert seen == [1, 2, 3, 4]


# ------------------------------------------------------------------- escaping


def test_escaping_helpers():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"):
        escaped = output.csv_cell(text)
        assert escaped.startswith("'")
        assert output.csv_uncell(escaped) == text
    assert output.csv_cell("plain") == "plain"
    assert output.csv_cell(-1.5) == -1.5
    cell = output.markdown_cell("a|b\n<img src=x onerror=alert(1)>&")
    assert "<" not in cell
    assert "\n" not in cell
    assert "\\|" in cell
    assert "&amp;" in cell
    text = output.terminal_text("\x1b[31mred\x1b[0m\x07\x1b]2;t\x07\x9b1m\x85ok\n")
    assert text == "redok\n"


def test_data_derived_text_is_escaped_in_every_output(tmp_path, capsys):
    pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    name = "=cmd|x<b>\x1b[31mred.csv"
    path = tmp_path / name
    label = np.where(rng.random(120) < 0.2, "\x1b[2Jfraud|<i>", "ok")
    X = rng.normal(size=(120, 2)) + (label != "ok")[:, None]
    lines = ["a,b,label"] + [
        f"{r[0]},{r[1]},{lab}" for r, lab in zip(X, label, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    argv = [
        "bench",
        "--data",
        str(path),
        "--target",
        "label",
        "--models",
        "logistic_regression",
        "--strategies",
        "none",
        "--seeds",
        "1",
        "--no-plots",
        "--no-progress",
        "--n-jobs",
        "1",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out
    assert "\x1b" not in printed.err
    assert "=cmd|x<b>[31mred.csv" not in printed.out  # the escape is gone whole
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["dataset"].startswith("'=cmd")
    assert read_results_csv(out / "results.csv")[0]["dataset"] == name
    report = (out / "report.md").read_text()
    assert "<b>" not in report
    assert "<i>" not in report
    assert "\x1b" not in report
    assert "=cmd\\|x&lt;b&gt;" in report
    assert "fraud\\|&lt;i&gt;" in report
    results = json.loads((out / "results.json").read_text())
    assert results["runs"][0]["dataset"] == name  # JSON keeps the exact text


def test_inspect_output_is_escaped_and_atomic(tmp_path, capsys):
    pytest.importorskip("pandas")
    path = tmp_path / "data.csv"
    rng = np.random.default_rng(0)
    sneaky = "\x1b]0;pwned\x07yes"
    rows = ["\x1b[31mcol,label"] + [
        f"{v},{sneaky if i % 5 == 0 else 'no'}"
        for i, v in enumerate(rng.normal(size=60))
    ]
    path.write_text("\n".join(rows) + "\n")
    out = tmp_path / "report"
    argv = ["inspect", str(path), "--target", "label", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "\x1b" not in printed
    assert "\x07" not in printed
    payload = json.loads((out / "report.json").read_text())
    assert payload["files"]  # the plots written with it
    assert not [p for p in out.iterdir() if p.name.startswith(".plots-")]
    assert main(argv) == 2
    assert "previous report.json" in _one_line(capsys.readouterr().err)
    assert main([*argv, "--overwrite"]) == 0
    file_out = tmp_path / "file"
    file_out.write_text("")
    assert (
        main(["inspect", str(path), "--target", "label", "--out", str(file_out)]) == 2
    )
    assert "is a file" in _one_line(capsys.readouterr().err)
