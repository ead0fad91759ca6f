"""Charte et al.'s multilabel imbalance measures equal a slow reference written from
the published formulas, on every backend, with per-sample SCUMBLE on the input's
device; bad input is refused by name; inputs are never modified."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import array_api_strict
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import UndefinedMetricWarning

from balancekit.diagnostics import _multilabel
from balancekit.diagnostics._multilabel import MultilabelImbalance, multilabel_imbalance

TOL = 1e-12


def _reference(Y: list[list[int]]) -> dict:
    """The measures by the papers' formulas, one sample and one label at a time.

    Conventions (documented in the module): a label without positives has IRLbl inf
    and per-label SCUMBLE nan and is left out of MeanIR/CVIR; a sample without labels
    has SCUMBLE_ins 0 and counts in SCUMBLE's 1/|D|.
    """
    n = len(Y)
    q = len(Y[0])
    counts = [sum(Y[i][j] for i in range(n)) for j in range(q)]
    top = max(counts)
    irlbl = [top / c if c else math.inf for c in counts]
    present = [irlbl[j] for j in range(q) if counts[j]]
    mean_ir = sum(present) / len(present)
    if len(present) > 1:
        sigma = math.sqrt(sum((r - mean_ir) ** 2 for r in present) / (len(present) - 1))
        cvir = sigma / mean_ir
    else:
        cvir = math.nan
    ins = []
    for i in range(n):
        own = [irlbl[j] for j in range(q) if Y[i][j]]
        if not own:
            ins.append(0.0)
            continue
        product = 1.0
        for r in own:
            product *= r
        ins.append(1 - product ** (1 / len(own)) / (sum(own) / len(own)))
    per_label = []
    for j in range(q):
        having = [ins[i] for i in range(n) if Y[i][j]]
        per_label.append(sum(having) / len(having) if having else math.nan)
    cardinality = sum(counts) / n
    return {
        "counts": counts,
        "irlbl": irlbl,
        "mean_ir": mean_ir,
        "cvir": cvir,
        "scumble_ins": ins,
        "scumble": sum(ins) / n,
        "scumble_label": per_label,
        "cardinality": cardinality,
        "density": cardinality / q,
        "n_unlabelled": sum(1 for row in Y if not any(row)),
    }


def _close(a, b) -> None:
    np.testing.assert_allclose(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=TOL, atol=TOL
    )


def _assert_matches(result: MultilabelImbalance, expected: dict, to_numpy) -> None:
    assert result.label_counts.tolist() == expected["counts"]
    assert result.n_unlabelled == expected["n_unlabelled"]
    _close(result.irlbl, expected["irlbl"])  # inf == inf
    _close(result.scumble_label, expected["scumble_label"])  # nan == nan
    ins = to_numpy(result.scumble_ins)
    _close(ins, expected["scumble_ins"])
    assert (ins >= 0).all()  # an Atkinson index: AM >= GM, never negative
    for name in ("mean_ir", "cvir", "scumble", "cardinality", "density"):
        value = getattr(result, name)
        assert type(value) is float, name
        _close(value, expected[name])


def _quiet(Y, **kwargs) -> MultilabelImbalance:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return multilabel_imbalance(Y, **kwargs)


@st.composite
def indicators(draw) -> np.ndarray:
    n = draw(st.integers(1, 25))
    q = draw(st.integers(1, 7))
    density = draw(st.sampled_from([0.05, 0.3, 0.7]))
    seed = draw(st.integers(0, 2**32 - 1))
    Y = (np.random.default_rng(seed).random((n, q)) < density).astype(np.int64)
    if not Y.any():
        Y[draw(st.integers(0, n - 1)), draw(st.integers(0, q - 1))] = 1
    return Y


@settings(max_examples=80, deadline=None)
@given(indicators())
def test_equals_reference(Y):
    _assert_matches(_quiet(Y), _reference(Y.tolist()), np.asarray)


@settings(max_examples=25, deadline=None)
@given(indicators())
def test_equals_reference_on_strict_device1(Y):
    device1 = array_api_strict.Device("device1")
    result = _quiet(array_api_strict.asarray(Y, device=device1))
    assert result.scumble_ins.device == device1

    def to_numpy(x):
        return np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE")))

    _assert_matches(result, _reference(Y.tolist()), to_numpy)


def test_worked_example():
    """The module docstring's example, each number from the definitions by hand."""
    Y = np.array([[1, 1, 0], [1, 0, 1], [1, 0, 1]])
    m = multilabel_imbalance(Y, label_names=["a", "b", "c"])
    assert m.irlbl.tolist() == [1.0, 3.0, 1.5]
    mean_ir = 5.5 / 3
    sigma = math.sqrt(
        ((1 - mean_ir) ** 2 + (3 - mean_ir) ** 2 + (1.5 - mean_ir) ** 2) / 2
    )
    first = 1 - math.sqrt(3) / 2
    second = 1 - math.sqrt(1.5) / 1.25
    _close(m.mean_ir, mean_ir)
    _close(m.cvir, sigma / mean_ir)
    _close(m.scumble_ins, [first, second, second])
    _close(m.scumble, (first + 2 * second) / 3)
    _close(m.scumble_label, [(first + 2 * second) / 3, first, second])
    assert (m.cardinality, m.density) == (2.0, 2 / 3)
    assert m.labels == ("a", "b", "c")


def test_unlabelled_and_single_label_samples_count_as_zero():
    # counts 2, 1 -> IRLbl 1, 2; sample 0 has both, sample 1 one label, sample 2 none
    Y = np.array([[1, 1], [1, 0], [0, 0]], dtype=bool)
    m = multilabel_imbalance(Y)
    first = 1 - math.sqrt(2) / 1.5
    _close(m.scumble_ins, [first, 0.0, 0.0])
    assert m.n_unlabelled == 1
    _close(m.scumble, first / 3)  # the published 1/|D|, unlabelled row included
    _close(m.scumble_label, [first / 2, first])
    _close(m.cvir, (math.sqrt(0.5) / 1.5))


def test_balanced_labels_have_no_imbalance():
    Y = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 0]])
    m = multilabel_imbalance(Y)
    assert m.irlbl.tolist() == [1.0, 1.0, 1.0]
    assert (m.mean_ir, m.cvir, m.scumble) == (1.0, 0.0, 0.0)


def test_equal_ratios_in_a_row_give_exactly_zero():
    # labels b, c both have IRLbl 3; exp(log 3) rounds above 3 in float64, and the
    # round-off must not make SCUMBLE_ins negative
    m = multilabel_imbalance(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0], [1, 0, 0]]))
    assert m.irlbl.tolist() == [1.0, 3.0, 3.0]
    assert m.scumble_ins.tolist() == [0.0] * 4
    assert m.scumble == 0.0


def test_single_label_column_has_nan_cvir():
    m = multilabel_imbalance(np.array([[1], [0], [1]]))
    assert m.irlbl.tolist() == [1.0]
    assert m.mean_ir == 1.0
    assert math.isnan(m.cvir)


def test_label_without_positives_warns_and_is_left_out():
    Y = np.array([[1, 0, 1], [1, 0, 0], [1, 0, 0]])
    with pytest.warns(UndefinedMetricWarning, match=r"1 label\(s\).*\(y\)"):
        m = multilabel_imbalance(Y, label_names=["x", "y", "z"])
    assert m.irlbl[1] == math.inf
    assert math.isnan(m.scumble_label[1])
    assert m.mean_ir == 2.0  # (1 + 3) / 2 over the labels that occur
    _close(m.cvir, math.sqrt(2) / 2)
    _close(m.scumble_ins, [1 - math.sqrt(3) / 2, 0, 0])
    assert math.isfinite(m.scumble)


def test_chunks_give_the_same_result(monkeypatch):
    Y = (np.random.default_rng(4).random((97, 6)) < 0.4).astype(np.float32)
    whole = _quiet(Y)
    monkeypatch.setattr(_multilabel, "_CHUNK_ENTRIES", 13)  # 2 rows per chunk
    chunked = _quiet(Y)
    _assert_matches(chunked, _reference(Y.astype(int).tolist()), np.asarray)
    _close(chunked.scumble_ins, whole.scumble_ins)


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "float32", "float64"])
def test_backends_equal_numpy_and_stay_on_device(backend, dtype):
    rng = np.random.default_rng(7)
    Y = (rng.random((60, 5)) < np.array([0.6, 0.3, 0.1, 0.05, 0.5])).astype(dtype)
    expected = _reference(Y.astype(int).tolist())
    given_Y = backend.asarray(Y)
    result = _quiet(given_Y)
    _assert_matches(result, expected, backend.to_numpy)
    assert type(result.scumble_ins) is type(given_Y)
    assert backend.device_of(result.scumble_ins) == backend.device
    assert tuple(result.scumble_ins.shape) == (60,)
    np.testing.assert_array_equal(backend.to_numpy(given_Y), Y)  # unmodified


def test_strict_device1_bad_values_refused_on_device():
    Y = array_api_strict.asarray(
        [[1, 2], [0, 1]], device=array_api_strict.Device("device1")
    )
    with pytest.raises(ValueError, match=r"`Y` must hold only 0 and 1.*e\.g\. 2"):
        multilabel_imbalance(Y)


def test_input_not_modified():
    Y = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    Y.setflags(write=False)  # any write would raise
    before = Y.copy()
    names = ["p", "q"]
    multilabel_imbalance(Y, label_names=names)
    np.testing.assert_array_equal(Y, before)
    assert names == ["p", "q"]
    tensor = torch.tensor([[1, 0], [1, 1]])
    multilabel_imbalance(tensor)
    assert tensor.tolist() == [[1, 0], [1, 1]]


def test_lists_and_pandas():
    rows = [[1, 0, 1], [0, 0, 1], [1, 1, 0]]
    expected = _reference(rows)
    _assert_matches(multilabel_imbalance(rows), expected, np.asarray)
    frame = pd.DataFrame(rows, columns=["cat", "dog", "owl"])
    m = multilabel_imbalance(frame, label_names=frame.columns)
    _assert_matches(m, expected, np.asarray)
    assert m.labels == ("cat", "dog", "owl")


@pytest.mark.parametrize(
    ("Y", "error", "match"),
    [
        (
            np.array([1, 0, 1]),
            ValueError,
            r"`Y` must be a multilabel indicator of shape .* got shape \(3,\)",
        ),
        (
            np.ones((2, 2, 2)),
            ValueError,
            r"`Y` must be a multilabel indicator of shape",
        ),
        (np.zeros((0, 3)), ValueError, r"`Y` is empty \(shape \(0, 3\)\)"),
        (np.zeros((3, 0)), ValueError, r"`Y` is empty"),
        (np.array([[0, 2], [1, 1]]), ValueError, r"found 1 other value\(s\), e\.g\. 2"),
        (np.array([[0, -1]]), ValueError, r"e\.g\. -1"),
        (np.array([[0.5, 1.0]]), ValueError, r"e\.g\. 0\.5"),
        (np.array([[np.nan, 1.0]]), ValueError, r"`Y` contains 1 NaN"),
        (np.array([[0, 0], [0, 0]]), ValueError, r"`Y` has no positive entry"),
        (
            np.array([["a", "b"]]),
            TypeError,
            r"`Y` must be a multilabel indicator of 0/1 .* dtype <U1",
        ),
        (
            np.array([[1 + 0j, 0]]),
            TypeError,
            r"`Y` must be a multilabel indicator of 0/1 .* complex",
        ),
        (sp.csr_matrix(np.eye(2)), TypeError, r"`Y` is a SciPy sparse.*toarray"),
        ([[1, 0], [1]], ValueError, r"`Y` could not be read"),
    ],
)
def test_bad_input(Y, error, match):
    with pytest.raises(error, match=match):
        multilabel_imbalance(Y)


def test_bad_input_other_namespaces():
    with pytest.raises(ValueError, match=r"`Y` contains 2 NaN"):
        multilabel_imbalance(torch.tensor([[float("nan"), 1.0], [float("nan"), 0.0]]))
    with pytest.raises(TypeError, match=r"`Y` must be a multilabel indicator of 0/1"):
        multilabel_imbalance(torch.tensor([[1 + 0j, 0j]]))
    with pytest.raises(
        ValueError, match=r"`Y` must be a multilabel indicator of shape"
    ):
        multilabel_imbalance(array_api_strict.asarray([1, 0]))


@pytest.mark.parametrize(
    ("names", "error", "match"),
    [
        (["a"], ValueError, r"`label_names` has 1 name\(s\) but `Y` has 2"),
        (["a", "a"], ValueError, r"`label_names` repeats"),
        ("ab", TypeError, r"`label_names` must be a sequence"),
    ],
)
def test_bad_label_names(names, error, match):
    with pytest.raises(error, match=match):
        multilabel_imbalance(np.eye(2), label_names=names)


def test_result_is_frozen_and_read_only():
    m = multilabel_imbalance(np.array([[1, 0], [1, 1]]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.mean_ir = 0.0  # type: ignore[misc]
    for values in (m.label_counts, m.irlbl, m.scumble_label):
        with pytest.raises(ValueError, match="read-only"):
            values[0] = 0


def test_to_dict_is_strict_json_and_str_is_a_table():
    Y = np.array([[1, 0, 1], [1, 0, 0]])
    m = _quiet(Y, label_names=["spam", 7, "ham"])
    out = m.to_dict()
    text = json.dumps(out, allow_nan=False)  # inf and nan became None
    assert json.loads(text) == out
    assert out["labels"]["7"] == {"count": 0, "irlbl": None, "scumble": None}
    assert out["labels"]["ham"]["irlbl"] == 2.0
    assert out["n_labels"] == 3
    assert "scumble_ins" not in out
    lines = str(m).splitlines()
    assert lines[0] == "Multilabel imbalance: 2 samples, 3 labels (0 without any label)"
    assert lines[2].split() == ["label", "count", "IRLbl", "SCUMBLE"]
    assert lines[4].split() == ["7", "0", "inf", "nan"]


def test_public_name():
    import balancekit.diagnostics as diagnostics

    assert diagnostics.multilabel_imbalance is multilabel_imbalance
    assert diagnostics.MultilabelImbalance is MultilabelImbalance
    assert {"multilabel_imbalance", "MultilabelImbalance"} <= set(diagnostics.__all__)
