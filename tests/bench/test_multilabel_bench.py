"""``balancekit bench`` on multilabel data: the shipped sets, the split, the metrics,
the multilabel MLP, and the command's files, determinism, interrupts and resume."""

from __future__ import annotations

import csv
import json
import pickle
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score as sk_average_precision
from sklearn.metrics import f1_score as sk_f1

from balancekit.bench import (
    MultilabelDataset,
    _multilabel_strategies,
    list_multilabel_datasets,
    load_multilabel_dataset,
    make_multilabel_synthetic,
)
from balancekit.bench._multilabel_compare import MULTILABEL_COLUMNS
from balancekit.bench._multilabel_report import MULTILABEL_FLOATS
from balancekit.bench._multilabel_scores import minority_labels, score_multilabel
from balancekit.bench._multilabel_split import iterative_train_test_split
from balancekit.bench._multilabel_strategies import (
    default_multilabel_strategies,
    resolve_multilabel_strategies,
)
from balancekit.bench._rundir import RunFolder, read_results_csv
from balancekit.cli import main

pytest.importorskip("torch")

# ---------------------------------------------------------------------- data


@pytest.mark.parametrize(
    ("name", "shape", "counts"),
    [
        ("solar-flare", (1066, 23), [182, 36, 5]),
        (
            "synthetic-multilabel",
            (2000, 20),
            [600, 411, 282, 193, 132, 91, 62, 43, 29, 20],
        ),
    ],
)
def test_data_sets_have_their_shapes_and_0_1_labels(name, shape, counts):
    data = load_multilabel_dataset(name)
    assert data.name == name
    assert data.X.shape == shape
    assert data.Y.shape == (shape[0], len(counts))
    assert data.X.dtype == np.float64
    assert data.Y.dtype == np.int64
    assert np.isfinite(data.X).all()
    assert set(np.unique(data.Y).tolist()) == {0, 1}
    assert data.label_counts.tolist() == counts
    assert len(data.label_names) == len(counts)
    assert len(data.feature_names) == shape[1]
    assert data.source
    assert data.licence


def test_solar_flare_is_the_uci_file_made_multilabel():
    data = load_multilabel_dataset("solar-flare")
    assert data.label_names == ["c_class_flare", "m_class_flare", "x_class_flare"]
    assert "river 0.26.1" in data.source
    assert "UCI Solar Flare" in data.source
    assert data.licence.startswith("CC BY 4.0")
    one_hot = data.X[:, :16]  # three nominal attributes, one-hot coded
    assert set(np.unique(one_hot).tolist()) == {0.0, 1.0}
    assert one_hot.sum(axis=1).tolist() == [3.0] * data.n_samples
    assert int((data.Y.sum(axis=1) > 0).sum()) == 201  # rows with any flare


def test_loads_are_fresh_copies():
    data = load_multilabel_dataset("solar-flare")
    data.X[:] = 0.0
    data.Y[:] = 0
    again = load_multilabel_dataset("solar-flare")
    assert again.label_counts.tolist() == [182, 36, 5]
    assert again.X.any()


def test_unknown_name_lists_the_valid_ones():
    assert list_multilabel_datasets() == ["solar-flare", "synthetic-multilabel"]
    with pytest.raises(ValueError, match="synthetic-multilabel"):
        load_multilabel_dataset("emotions")


@settings(max_examples=20, deadline=None)
@given(
    n_labels=st.integers(2, 8),
    high=st.sampled_from([0.2, 0.3, 0.5]),
    low=st.sampled_from([0.01, 0.05, 0.2]),
    seed=st.integers(0, 2**16),
)
def test_synthetic_prevalences_fall_geometrically(n_labels, high, low, seed):
    data = make_multilabel_synthetic(
        500, 6, n_labels, max_prevalence=high, min_prevalence=low, random_state=seed
    )
    expected = high * (low / high) ** (np.arange(n_labels) / (n_labels - 1))
    expected = np.maximum(np.rint(expected * 500), 2)
    assert data.label_counts.tolist() == expected.astype(int).tolist()
    again = make_multilabel_synthetic(
        500, 6, n_labels, max_prevalence=high, min_prevalence=low, random_state=seed
    )
    assert np.array_equal(again.X, data.X)
    assert np.array_equal(again.Y, data.Y)


def test_synthetic_labels_are_learnable_and_checked():
    from sklearn.linear_model import LogisticRegression

    data = make_multilabel_synthetic()
    model = LogisticRegression().fit(data.X[:1500], data.Y[:1500, 0])
    assert model.score(data.X[1500:], data.Y[1500:, 0]) > 0.8  # 0.7 by chance
    with pytest.raises(ValueError, match="min_prevalence"):
        make_multilabel_synthetic(min_prevalence=0.5, max_prevalence=0.3)
    with pytest.raises(ValueError, match="n_labels"):
        make_multilabel_synthetic(n_labels=1)


def test_dataset_record_refuses_bad_input():
    common = {"source": "s", "licence": "l", "description": "d"}
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="only 0 and 1"):
        MultilabelDataset("a", X, np.array([[2], [0], [1]]), ["x"], **common)
    with pytest.raises(ValueError, match="label_names"):
        MultilabelDataset("a", X, np.zeros((3, 2), dtype=int), ["x"], **common)
    with pytest.raises(TypeError, match="2-D integer"):
        MultilabelDataset("a", X, np.zeros(3, dtype=int), ["x"], **common)


# --------------------------------------------------------------------- split


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(10, 60),
    n_labels=st.integers(1, 5),
    seed=st.integers(0, 2**16),
    test_size=st.sampled_from([0.2, 0.25, 0.5]),
)
def test_split_is_a_seeded_partition(n, n_labels, seed, test_size):
    Y = (np.random.default_rng(seed).random((n, n_labels)) < 0.3).astype(int)
    train, test = iterative_train_test_split(Y, test_size, random_state=seed)
    assert np.array_equal(np.sort(np.r_[train, test]), np.arange(n))
    again = iterative_train_test_split(Y, test_size, random_state=seed)
    assert np.array_equal(train, again[0])
    assert np.array_equal(test, again[1])


def test_split_spreads_every_label():
    data = make_multilabel_synthetic()
    _train, test = iterative_train_test_split(data.Y, 0.25, random_state=3)
    assert abs(test.size - 0.25 * data.n_samples) <= 0.03 * data.n_samples
    share = data.Y[test].sum(axis=0) / data.label_counts
    assert np.all(np.abs(share - 0.25) < 0.03)  # a random split: up to ~0.1 off
    flare = load_multilabel_dataset("solar-flare")
    _train, test = iterative_train_test_split(flare.Y, 0.25, random_state=0)
    assert flare.Y[test].sum(axis=0).tolist() == [45, 9, 1]


def test_split_refuses_a_non_indicator():
    with pytest.raises(ValueError, match="0/1 label indicator"):
        iterative_train_test_split(np.array([[0, 2]]), 0.25)


# ------------------------------------------------------------------- metrics


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_scores_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    Y = (rng.random((40, 4)) < 0.35).astype(int)
    Y[:2] = 1  # every label has a positive
    S = np.clip(Y * 0.3 + rng.random((40, 4)) * 0.7, 0.0, 1.0)
    minority = minority_labels(Y)
    s = score_multilabel(Y, S, minority)
    P = (S >= 0.5).astype(int)
    assert s["macro_f1"] == pytest.approx(
        sk_f1(Y, P, average="macro", zero_division=0), abs=1e-12
    )
    assert s["micro_f1"] == pytest.approx(
        sk_f1(Y, P, average="micro", zero_division=0), abs=1e-12
    )
    assert s["macro_ap"] == pytest.approx(
        sk_average_precision(Y, S, average="macro"), abs=1e-12
    )
    if minority.size:
        recall = [P[Y[:, j] == 1, j].mean() for j in minority]
        assert s["minority_recall"] == pytest.approx(np.mean(recall), abs=1e-12)


def test_minority_labels_match_the_diagnostics():
    from balancekit.diagnostics import multilabel_imbalance

    Y = make_multilabel_synthetic().Y
    m = multilabel_imbalance(Y)
    expected = np.flatnonzero(np.asarray(m.irlbl) > m.mean_ir)
    assert minority_labels(Y).tolist() == expected.tolist() == [6, 7, 8, 9]
    assert minority_labels(load_multilabel_dataset("solar-flare").Y).tolist() == [2]


def test_labels_without_test_positive_are_left_out_of_macro_ap():
    Y = np.array([[1, 0], [0, 0], [1, 0]])
    S = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.3]])
    s = score_multilabel(Y, S, minority=np.array([1]))
    assert s["macro_ap"] == 1.0
    assert np.isnan(s["minority_recall"])


# ----------------------------------------------------------------- the model


def _toy(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = (X[:, :3] + rng.normal(0, 0.5, size=(n, 3)) > 0.9).astype(int)
    return X, Y


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "bce"},
        {"loss": "pos_weight"},
        {"loss": "asymmetric"},
        {"loss": "distribution_balanced"},
        {"sampler": "class_aware"},
    ],
)
def test_mlp_is_seeded_and_gives_label_probabilities(params):
    from balancekit.bench._multilabel_mlp import TorchMultilabelMLP

    X, Y = _toy()
    first = TorchMultilabelMLP(epochs=2, random_state=1, **params).fit(X, Y)
    second = TorchMultilabelMLP(epochs=2, random_state=1, **params).fit(X, Y)
    proba = first.predict_proba(X)
    assert proba.shape == Y.shape
    assert proba.dtype == np.float64
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.array_equal(proba, second.predict_proba(X))
    assert first.predict(X).shape == Y.shape


def test_mlp_refuses_bad_input():
    from balancekit.bench._multilabel_mlp import TorchMultilabelMLP

    X, Y = _toy()
    with pytest.raises(ValueError, match="0/1 label indicator"):
        TorchMultilabelMLP(epochs=1).fit(X, Y * 2)
    with pytest.raises(ValueError, match="shape"):
        TorchMultilabelMLP(epochs=1).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="loss"):
        TorchMultilabelMLP(epochs=1, loss="focal").fit(X, Y)
    Y[:, 1] = 0
    with pytest.raises(ValueError, match="no positive row"):
        TorchMultilabelMLP(epochs=1, loss="distribution_balanced").fit(X, Y)
    fitted = TorchMultilabelMLP(epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict_proba(X[:, :2])


def test_public_objects_pickle():
    from balancekit.bench._multilabel_mlp import TorchMultilabelMLP

    X, Y = _toy()
    model = TorchMultilabelMLP(epochs=1, random_state=0)
    assert pickle.loads(pickle.dumps(model)).get_params() == model.get_params()
    model.fit(X, Y)
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.predict_proba(X), model.predict_proba(X))
    data = load_multilabel_dataset("solar-flare")
    copy = pickle.loads(pickle.dumps(data))
    assert np.array_equal(copy.Y, data.Y)
    assert copy.name == data.name
    for strategy in default_multilabel_strategies():
        assert pickle.loads(pickle.dumps(strategy)) == strategy


def test_strategy_names_are_checked():
    assert len(resolve_multilabel_strategies(None)) == 8
    with pytest.raises(ValueError, match="unknown"):
        resolve_multilabel_strategies(["SMOTE"])
    with pytest.raises(ValueError, match="unique"):
        resolve_multilabel_strategies(["none", "none"])


# --------------------------------------------------------------- the command

TINY = [
    "bench",
    "--dataset",
    "solar-flare",
    "--strategies",
    "none,MLROS",
    "--seeds",
    "1",
    "--epochs",
    "2",
    "--n-jobs",
    "1",
    "--no-progress",
]


def _table(path):
    rows = read_results_csv(path, MULTILABEL_COLUMNS, MULTILABEL_FLOATS)
    for row in rows:
        row.pop("fit_time_s")
    return rows


def test_tiny_run_writes_its_files_and_is_deterministic(tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main([*TINY, "--out", str(first)]) == 0
    printed = capsys.readouterr().out
    assert "## solar-flare — torch_mlp (multilabel)" in printed
    assert "| strategy | macro AP | vs. best |" in printed
    assert "2 runs (0 failed)" in printed
    assert {p.name for p in first.iterdir()} >= {
        "results.csv",
        "results.json",
        "report.md",
        "run.json",
    }
    with open(first / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(MULTILABEL_COLUMNS)
    assert [r["strategy"] for r in rows] == ["none", "MLROS"]
    assert int(rows[1]["n_fitted"]) > int(rows[0]["n_fitted"]) == 799
    results = json.loads((first / "results.json").read_text())
    assert results["status"] == "complete"
    assert results["mode"] == "multilabel"
    assert results["protocol"]["seeds"] == [0]
    report = (first / "report.md").read_text()
    assert report.startswith("# balancekit bench report (multilabel)")
    assert "iterative stratification" in report
    assert json.loads((first / "run.json").read_text())["status"] == "complete"
    assert main([*TINY, "--out", str(second)]) == 0
    assert _table(first / "results.csv") == _table(second / "results.csv")


def test_resamplers_see_the_training_rows_only(tmp_path, monkeypatch):
    from balancekit.multilabel import MLRUS

    seen = []

    class Spy(MLRUS):
        def fit_resample(self, X, y, **kwargs):
            seen.append(np.asarray(X).shape[0])
            return super().fit_resample(X, y, **kwargs)

    monkeypatch.setattr(
        _multilabel_strategies, "_mlrus", lambda seed: Spy(random_state=seed)
    )
    argv = [*TINY, "--strategies", "MLRUS", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    [row] = read_results_csv(
        tmp_path / "o" / "results.csv", MULTILABEL_COLUMNS, MULTILABEL_FLOATS
    )
    assert seen == [row["n_train"]] == [799]
    assert row["n_test"] == 267
    assert row["n_fitted"] < row["n_train"]


def test_interrupted_run_keeps_finished_work_and_resumes(tmp_path, monkeypatch, capsys):
    argv = [*TINY, "--strategies", "none,MLROS,pos_weight"]
    whole = tmp_path / "whole"
    assert main([*argv, "--out", str(whole)]) == 0
    original = RunFolder.append
    calls = []

    def append_then_interrupt(self, record):
        original(self, record)
        calls.append(record)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(RunFolder, "append", append_then_interrupt)
    cut = tmp_path / "cut"
    assert main([*argv, "--out", str(cut)]) == 130
    err = capsys.readouterr().err
    assert "interrupted by SIGINT" in err
    assert "--resume" in err
    report = (cut / "report.md").read_text()
    assert report.splitlines()[2].startswith("**PARTIAL RESULTS:** interrupted")
    assert json.loads((cut / "results.json").read_text())["status"] == "partial"
    assert json.loads((cut / "run.json").read_text())["status"] == "partial"
    assert len(_table(cut / "results.csv")) == 2
    monkeypatch.setattr(RunFolder, "append", original)
    assert main([*argv, "--out", str(cut)]) == 2  # never overwritten silently
    assert "--resume" in capsys.readouterr().err
    assert main([*argv, "--out", str(cut), "--resume"]) == 0
    assert "resuming: 2 finished runs kept" in capsys.readouterr().out
    assert _table(cut / "results.csv") == _table(whole / "results.csv")
    other = tmp_path / "other"
    shutil.copytree(cut, other)
    assert main([*argv, "--out", str(other), "--resume", "--seeds", "2"]) == 2
    assert "arguments differ" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dataset", "haberman"], "mixes multilabel sets"),
        (["--models", "logistic_regression"], "torch MLP only"),
        (["--tune", "random"], "--tune is not available"),
        (["--metric", "brier"], "--metric must be one of"),
        (["--strategies", "SMOTE"], "unknown"),
        (["--epochs", "0"], "--epochs must be at least 1"),
    ],
)
def test_bad_multilabel_arguments_exit_2_with_one_line(
    tmp_path, capsys, extra, message
):
    argv = [*TINY, *extra, "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


def test_epochs_is_refused_for_single_label_data(tmp_path, capsys):
    argv = ["bench", "--dataset", "haberman", "--epochs", "3"]
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert "only used with multilabel data" in capsys.readouterr().err


def test_list_shows_the_multilabel_sets_and_strategies(capsys):
    assert main(["bench", "--list"]) == 0
    printed = capsys.readouterr().out
    for name in ("synthetic-multilabel", "solar-flare", "MLSMOTE", "loss=asymmetric"):
        assert name in printed
