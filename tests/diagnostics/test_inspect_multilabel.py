"""``inspect`` on a multilabel indicator: Charte et al.'s measures become findings
with the literature's thresholds, on every backend, in text and JSON forms."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from balancekit.diagnostics import DataReport, inspect, multilabel_imbalance
from balancekit.diagnostics._advice import (
    CVIR_IMBALANCED,
    MEAN_IR_IMBALANCED,
    SCUMBLE_HIGH,
    SMOTE_K,
)

RNG = np.random.default_rng(19)
N = 240
X = RNG.normal(size=(N, 4))
Y = (RNG.random((N, 5)) < [0.6, 0.3, 0.1, 0.04, 0.02]).astype(np.int64)


def _codes(report: DataReport) -> dict:
    return {f.code: f for f in report.findings}


def test_report_holds_the_measures():
    report = inspect(X, Y)
    measures = multilabel_imbalance(Y)
    assert report.multilabel is not None
    assert report.multilabel.to_dict() == measures.to_dict()
    assert report.classes == [0, 1, 2, 3, 4]
    assert report.class_counts == Y.sum(axis=0).tolist()
    np.testing.assert_allclose(report.imbalance_ratios, measures.irlbl, rtol=1e-15)
    assert report.n_classes == 5
    assert report.typology_counts is None
    assert report.projection is None


def test_worked_example_findings():
    """The worked example of balancekit.diagnostics._multilabel: MeanIR 1.833 and
    CVIR 0.568 (imbalanced), SCUMBLE 0.058 (low); a is constant, b and c tiny."""
    Y3 = np.array([[1, 1, 0], [1, 0, 1], [1, 0, 1]])
    report = inspect(np.arange(6.0).reshape(3, 2), Y3)
    found = _codes(report)
    assert found["imbalanced_labels"].severity == "warning"
    assert (
        "MeanIR 1.83 > 1.5 and CVIR 0.568 > 0.2" in found["imbalanced_labels"].message
    )
    assert "rarest label, 1, has 1 positives" in found["imbalanced_labels"].message
    assert "label_concurrence" not in found
    assert found["constant_labels"].details == {"labels": ["0"]}
    assert found["tiny_labels"].details == {"labels": {"0": 3, "1": 1, "2": 2}}
    assert found["minority_labels"].details == {"labels": ["1"]}
    assert "unlabelled_samples" not in found
    assert "absent_labels" not in found


def test_balanced_labels_have_nothing_above_info():
    Yb = np.zeros((N, 4), dtype=int)
    for j in range(4):
        Yb[j * 60 : (j + 1) * 60, j] = 1  # one label per sample, equal counts
    Yb[:30, 1] = 1  # some samples with two labels, counts still close
    Yb[60:90, 0] = 1
    report = inspect(X, Yb)
    assert report.multilabel is not None
    assert report.worst_severity == "info"
    assert set(_codes(report)) == {"label_counts", "typology_skipped"}


def test_high_concurrence():
    """Ten rare labels, each in 3 samples that all carry the frequent label 0."""
    Yc = np.zeros((100, 11), dtype=int)
    Yc[:90, 0] = 1
    for j in range(1, 11):
        Yc[3 * (j - 1) : 3 * j, j] = 1
    report = inspect(RNG.normal(size=(100, 2)), Yc)
    assert report.multilabel.scumble > SCUMBLE_HIGH
    finding = _codes(report)["label_concurrence"]
    assert finding.severity == "warning"
    assert "MLROS over MLSMOTE" in finding.suggestion
    assert finding.details["scumble"] == report.multilabel.scumble
    assert set(finding.details["scumble_per_label"]) == {str(j) for j in range(11)}


def test_absent_labels_and_unlabelled_samples_without_warnings():
    Ya = Y.copy()
    Ya[:, 4] = 0
    Ya[Ya.sum(axis=1) == 0, 0] = 1
    Ya[:7] = 0  # seven samples without any label
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = inspect(X, Ya)
    found = _codes(report)
    assert found["absent_labels"].severity == "warning"
    assert found["absent_labels"].details == {"labels": ["4"]}
    assert found["unlabelled_samples"].count == 7
    assert report.imbalance_ratios[4] == np.inf
    assert report.to_dict()["imbalance_ratios"][4] is None


@settings(max_examples=30, deadline=None)
@given(
    Y=arrays(
        np.int8,
        st.tuples(st.integers(3, 40), st.integers(2, 6)),
        elements=st.integers(0, 1),
    ).filter(lambda Y: Y.any() and not (Y.sum(axis=1) == 1).all())
)
def test_property_rules_follow_the_measures(Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = multilabel_imbalance(Y)
    report = inspect(np.arange(2.0 * len(Y)).reshape(-1, 2), Y)
    found = _codes(report)
    counts = Y.sum(axis=0)
    assert ("imbalanced_labels" in found) == bool(
        m.mean_ir > MEAN_IR_IMBALANCED and m.cvir > CVIR_IMBALANCED
    )
    assert ("label_concurrence" in found) == bool(m.scumble > SCUMBLE_HIGH)
    if "minority_labels" in found:
        assert "imbalanced_labels" in found
        assert found["minority_labels"].details["labels"] == [
            str(j) for j in np.flatnonzero((counts > 0) & (m.irlbl > m.mean_ir))
        ]
    tiny = {str(j): int(c) for j, c in enumerate(counts) if 0 < c <= SMOTE_K}
    assert (found["tiny_labels"].details["labels"] if tiny else {}) == tiny
    assert ("tiny_labels" in found) == bool(tiny)
    absent = [str(j) for j, c in enumerate(counts) if c == 0]
    assert (found["absent_labels"].details["labels"] if absent else []) == absent
    constant = [str(j) for j, c in enumerate(counts) if c == len(Y)]
    assert (found["constant_labels"].details["labels"] if constant else []) == constant
    assert ("absent_labels" in found) == bool(absent)
    assert ("constant_labels" in found) == bool(constant)
    assert ("unlabelled_samples" in found) == bool(m.n_unlabelled)
    assert report.worst_severity in ("info", "warning")


def test_conflicting_label_sets_and_duplicates():
    Xd, Yd = X.copy(), Y.copy()
    Xd[[10, 11]] = Xd[[100, 101]]
    Yd[[10, 11]] = Yd[[100, 101]]  # plain duplicates
    Xd[[20, 21]] = Xd[[200, 200]]
    Yd[20] = Yd[200]
    Yd[21] = 1 - Yd[200]  # same features, another label set
    report = inspect(Xd, Yd)
    found = _codes(report)
    assert report.n_duplicate_rows == 4
    assert found["conflicting_labels"].severity == "error"
    assert report.n_conflicting_rows == 3
    assert report.conflict_examples == [[20, 21, 200]]


def test_one_hot_rows_stay_class_labels():
    y = RNG.integers(0, 3, size=N)
    one_hot = np.eye(3, dtype=int)[y]
    report = inspect(X, one_hot)
    assert report.multilabel is None
    assert report.to_dict() == inspect(X, y).to_dict()
    forced = inspect(X, one_hot, multilabel=True)
    assert forced.multilabel is not None
    assert forced.class_counts == np.bincount(y).tolist()


def test_multilabel_false_keeps_the_single_label_checks():
    with pytest.raises(ValueError, match="`y`"):
        inspect(X, Y, multilabel=False)


def test_single_label_report_unchanged():
    y = (RNG.random(N) < 0.2).astype(int)
    report = inspect(X, y)
    assert report.multilabel is None
    assert report.to_dict()["multilabel"] is None
    assert "class_counts" in _codes(report)


def test_dataframe_columns_name_the_labels():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(Y, columns=["cat", "dog", "owl", "yak", "emu"])
    report = inspect(X, frame)
    assert report.classes == ["cat", "dog", "owl", "yak", "emu"]
    assert "emu" in str(report)
    assert _codes(report)["imbalanced_labels"].message.count("emu") == 1


def test_lists_and_bool_indicators():
    expected = inspect(X, Y).to_dict()
    assert inspect(X.tolist(), Y.tolist()).to_dict() == expected
    assert inspect(X, Y.astype(bool)).to_dict() == expected
    assert inspect(X, Y.astype(np.float32)).to_dict() == expected


def test_text_form():
    text = str(inspect(X, Y))
    assert text.startswith(
        "Data report: 240 samples x 4 features, 5 labels (multilabel)"
    )
    assert "MeanIR" in text
    assert "SCUMBLE" in text
    assert "label      count   share     IRLbl   SCUMBLE" in text
    assert "[warning] the labels are imbalanced" in text
    assert "compute_pos_weight" in text
    assert "MultilabelBalancedSampler" in text


def test_dict_and_json_forms():
    report = inspect(X, Y)
    out = report.to_dict()
    encoded = json.dumps(out, allow_nan=False)
    back = json.loads(encoded)
    assert back["multilabel"] == report.multilabel.to_dict()
    assert back["multilabel"]["n_labels"] == 5
    codes = [f["code"] for f in back["findings"]]
    assert "imbalanced_labels" in codes
    assert back["worst_severity"] == "warning"
    assert back["typology_counts"] is None


def test_backends(backend):
    expected = inspect(X, Y).to_dict()
    report = inspect(backend.asarray(X), backend.asarray(Y))
    assert report.multilabel is not None
    if backend.name != "numpy":
        assert backend.device_of(report.multilabel.scumble_ins) == backend.device
    out = report.to_dict()
    for key in ("classes", "class_counts", "n_duplicate_rows", "n_conflicting_rows"):
        assert out[key] == expected[key]
    assert [f["code"] for f in out["findings"]] == [
        f["code"] for f in expected["findings"]
    ]
    for key in ("mean_ir", "cvir", "scumble", "cardinality"):
        assert out["multilabel"][key] == pytest.approx(
            expected["multilabel"][key], rel=1e-12
        )


def test_inputs_not_modified():
    Xc, Yc = X.copy(), Y.copy()
    inspect(Xc, Yc)
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(Yc, Y)


def test_report_pickles():
    report = inspect(X, Y)
    restored = pickle.loads(pickle.dumps(report))
    assert restored.to_dict() == report.to_dict()
    assert str(restored) == str(report)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"multilabel": "yes"}, TypeError, "`multilabel` must be None, True or False"),
        ({"y": Y[:, 0], "multilabel": True}, ValueError, "at least 2 label columns"),
        ({"y": Y[:-1]}, ValueError, "`X` has 240 rows but `y` has 239"),
        ({"y": np.zeros_like(Y)}, ValueError, "`y` .* has no positive entry"),
        ({"y": np.where(Y == 1, 2, Y), "multilabel": True}, ValueError, "only 0 and 1"),
    ],
)
def test_errors(kwargs, error, match):
    kwargs = {"y": Y, **kwargs}
    with pytest.raises(error, match=match):
        inspect(X, **kwargs)
