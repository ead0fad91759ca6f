"""The partial ROC AUC of every row at once (multilabel ``average="samples"`` with
``max_fpr``): scikit-learn's ``roc_auc_score(max_fpr=...)`` of each row, ties
included, on every backend on its device, without a per-row binary call."""

from __future__ import annotations

import warnings

import array_api_compat.numpy as np_xp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.exceptions import UndefinedMetricWarning

import balancekit.metrics._ranking as ranking
from balancekit.metrics import roc_auc_score
from balancekit.metrics._row_partial_auc import row_partial_auc

MAX_FPRS = [0.1, 0.3, 0.5, 0.99]
TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}


@st.composite
def row_cases(draw):
    """``(y_true, y_score)``: indicators with rows of one class now and then, and
    integer scores in a small range (many ties, whole rows tied too)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_rows, n_columns = draw(st.integers(1, 20)), draw(st.integers(2, 10))
    y_true = rng.random((n_rows, n_columns)) < draw(st.floats(0.1, 0.9))
    levels = draw(st.integers(1, 5))
    y_score = rng.integers(0, levels, size=(n_rows, n_columns)).astype(float)
    return y_true, y_score


def sklearn_rows(y_true: np.ndarray, y_score: np.ndarray, max_fpr: float):
    """scikit-learn's partial AUC of each row (NaN for a row of one class)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return np.array(
            [
                sk.roc_auc_score(t, s, max_fpr=max_fpr)
                for t, s in zip(y_true, y_score, strict=True)
            ]
        )


def ours_rows(y_true: np.ndarray, y_score: np.ndarray, max_fpr: float):
    return row_partial_auc(
        y_score, y_true, max_fpr, dtype=np.float64, xp=np_xp, device="cpu"
    )


@settings(max_examples=150, deadline=None)
@given(case=row_cases(), max_fpr=st.sampled_from(MAX_FPRS))
def test_each_row_equals_sklearn(case, max_fpr):
    y_true, y_score = case
    partial_auc, n_positive = ours_rows(y_true, y_score, max_fpr)
    expected = sklearn_rows(y_true, y_score, max_fpr)
    np.testing.assert_allclose(partial_auc, expected, equal_nan=True, **TOLERANCE)
    assert n_positive.tolist() == y_true.sum(axis=1).tolist()


@settings(max_examples=40, deadline=None)
@given(
    case=row_cases(),
    max_fpr=st.sampled_from(MAX_FPRS),
    weighted=st.booleans(),
)
def test_samples_average_equals_sklearn(case, max_fpr, weighted):
    y_true, y_score = case
    y_true = y_true.astype(np.int64)
    weights = None
    if weighted:
        weights = np.linspace(0.0, 2.0, y_true.shape[0]) + (np.arange(len(y_true)) == 0)
    kwargs = {"average": "samples", "max_fpr": max_fpr, "sample_weight": weights}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        ours = roc_auc_score(y_true, y_score, **kwargs)
        theirs = sk.roc_auc_score(y_true, y_score, **kwargs)
    np.testing.assert_allclose(ours, theirs, equal_nan=True, **TOLERANCE)


def test_known_rows():
    """A perfect ranking scores 1, a row of ties (the chance diagonal) 0.5, and a
    row of one class NaN."""
    y_true = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]], dtype=bool)
    y_score = np.array([[4.0, 3.0, 2.0, 1.0], [2.0, 2.0, 2.0, 2.0], [1, 2, 3, 4]])
    for max_fpr in MAX_FPRS:
        partial_auc, _ = ours_rows(y_true, y_score, max_fpr)
        assert partial_auc[0] == pytest.approx(1.0, abs=1e-15)
        assert partial_auc[1] == pytest.approx(0.5, abs=1e-15)
        assert np.isnan(partial_auc[2])


def test_rows_are_not_scored_one_by_one(monkeypatch):
    """The samples average never calls the binary partial AUC (per-row loop)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the binary partial AUC was called")

    monkeypatch.setattr(ranking, "_partial_auc", refuse)
    rng = np.random.default_rng(3)
    y_true = (rng.random((30, 6)) < 0.4).astype(np.int64)
    y_true[:, 0], y_true[:, 1] = 1, 0  # every row holds both classes
    y_score = rng.integers(0, 4, size=(30, 6)) / 4
    ours = roc_auc_score(y_true, y_score, average="samples", max_fpr=0.3)
    theirs = sk.roc_auc_score(y_true, y_score, average="samples", max_fpr=0.3)
    np.testing.assert_allclose(ours, theirs, **TOLERANCE)


def test_one_class_rows_warn_once():
    y_true = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]])
    y_score = np.array([[0.2, 0.1, 0.3], [0.5, 0.4, 0.1], [0.3, 0.2, 0.1]])
    with pytest.warns(UndefinedMetricWarning, match="for 2 sample") as record:
        result = roc_auc_score(y_true, y_score, average="samples", max_fpr=0.5)
    assert len(record) == 1
    assert np.isnan(float(result))


RNG = np.random.default_rng(31)
Y_TRUE = (RNG.random((60, 7)) < 0.45).astype(np.int64)
Y_TRUE[:, 0], Y_TRUE[:, 1] = 1, 0  # both classes in every row
Y_SCORE = RNG.integers(0, 5, size=(60, 7)) / 5
WEIGHTS = RNG.random(60) * 2
WEIGHTS[::9] = 0.0


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("max_fpr", [0.3, 0.99])
def test_on_backend(backend, max_fpr, weighted):
    weights = WEIGHTS if weighted else None
    expected = sk.roc_auc_score(
        Y_TRUE, Y_SCORE, average="samples", max_fpr=max_fpr, sample_weight=weights
    )
    result = roc_auc_score(
        backend.asarray(Y_TRUE),
        backend.asarray(Y_SCORE),
        average="samples",
        max_fpr=max_fpr,
        sample_weight=None if weights is None else backend.asarray(weights),
    )
    if backend.name != "numpy":
        assert backend.device_of(result) == backend.device
        assert type(result) is type(backend.asarray(np.zeros(1)))
    np.testing.assert_allclose(backend.to_numpy(result), expected, **TOLERANCE)
