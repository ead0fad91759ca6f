"""Precision, recall, F-beta, Jaccard and scikit-learn's classification report on
multilabel indicators: scikit-learn's values, dtypes and warnings on NumPy (every
average, labels as columns, weights with zeros, every ``zero_division``), and the same
results on every backend, on the input's device."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import balancekit.metrics as bm

SETTINGS = settings(max_examples=40, deadline=None)
AVERAGES = (None, "micro", "macro", "weighted", "samples")
ZERO_DIVISION = ("warn", 0.0, 1.0, np.nan)


def _run(function, *args, **kwargs):
    """``(result or the exception's class and text, the warnings' texts)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except (ValueError, TypeError) as error:
            result = (type(error), str(error))
    return result, [(w.category, str(w.message)) for w in caught]


def _assert_close(ours, theirs) -> None:
    if isinstance(theirs, tuple) and theirs and isinstance(theirs[0], type):
        assert isinstance(ours, tuple), (ours, theirs)
        assert ours[0] is theirs[0], (ours, theirs)
        return
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _assert_close(a, b)
        return
    if theirs is None:
        assert ours is None
        return
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    if theirs.ndim:  # per-label arrays keep scikit-learn's dtype
        assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@st.composite
def indicator_cases(draw):
    n_samples = draw(st.integers(1, 12))
    n_labels = draw(st.integers(2, 5))
    cells = st.lists(
        st.integers(0, 1), min_size=n_samples * n_labels, max_size=n_samples * n_labels
    )
    y_true = np.asarray(draw(cells)).reshape(n_samples, n_labels)
    y_pred = np.asarray(draw(cells)).reshape(n_samples, n_labels)
    weights = None
    if draw(st.booleans()):
        quarters = draw(
            st.lists(st.integers(0, 8), min_size=n_samples, max_size=n_samples)
        )
        weights = np.asarray(quarters, dtype=float) / 4
        if not weights.any():
            weights[0] = 1.0
    labels = None
    if draw(st.booleans()):
        labels = draw(st.permutations(range(n_labels)))[
            : draw(st.integers(1, n_labels))
        ]
    return y_true, y_pred, weights, labels


@SETTINGS
@given(
    case=indicator_cases(),
    average=st.sampled_from(AVERAGES),
    zero_division=st.sampled_from(ZERO_DIVISION),
    beta=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_prf_equals_sklearn_with_its_warnings(case, average, zero_division, beta):
    y_true, y_pred, weights, labels = case
    kwargs = {
        "average": average,
        "sample_weight": weights,
        "labels": labels,
        "zero_division": zero_division,
        "beta": beta,
    }
    ours, our_warnings = _run(
        bm.precision_recall_fscore_support, y_true, y_pred, **kwargs
    )
    theirs, their_warnings = _run(
        skm.precision_recall_fscore_support, y_true, y_pred, **kwargs
    )
    _assert_close(ours, theirs)
    assert our_warnings == their_warnings


@SETTINGS
@given(
    case=indicator_cases(),
    average=st.sampled_from(AVERAGES),
    zero_division=st.sampled_from(ZERO_DIVISION[:3]),  # scikit-learn: no NaN here
)
def test_jaccard_equals_sklearn_with_its_warnings(case, average, zero_division):
    y_true, y_pred, weights, labels = case
    kwargs = {
        "average": average,
        "sample_weight": weights,
        "labels": labels,
        "zero_division": zero_division,
    }
    ours, our_warnings = _run(bm.jaccard_score, y_true, y_pred, **kwargs)
    theirs, their_warnings = _run(skm.jaccard_score, y_true, y_pred, **kwargs)
    _assert_close(ours, theirs)
    assert our_warnings == their_warnings


def test_jaccard_also_takes_nan_zero_division():
    y_true = np.array([[1, 0], [0, 0]])
    y_pred = np.array([[1, 0], [0, 0]])
    scores = bm.jaccard_score(y_true, y_pred, average=None, zero_division=np.nan)
    np.testing.assert_array_equal(scores, [1.0, np.nan])
    assert np.isnan(
        bm.jaccard_score(y_true, y_pred, average="macro", zero_division=np.nan)
    )


@SETTINGS
@given(
    case=indicator_cases(),
    zero_division=st.sampled_from(ZERO_DIVISION),
    output_dict=st.booleans(),
)
def test_report_equals_sklearns(case, zero_division, output_dict):
    y_true, y_pred, weights, labels = case
    kwargs = {
        "sample_weight": weights,
        "labels": labels,
        "zero_division": zero_division,
        "output_dict": output_dict,
        "digits": 4,
    }
    ours, our_warnings = _run(bm.classification_report, y_true, y_pred, **kwargs)
    theirs, their_warnings = _run(skm.classification_report, y_true, y_pred, **kwargs)
    assert our_warnings == their_warnings
    if not output_dict:
        assert ours == theirs
        return
    assert ours.keys() == theirs.keys()
    for key, row in theirs.items():
        assert ours[key].keys() == row.keys()
        for column, value in row.items():
            assert type(ours[key][column]) is float
            assert ours[key][column] == pytest.approx(value, rel=1e-12, nan_ok=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"average": "binary"}, "Target is multilabel-indicator but average='binary'"),
        (
            {"average": "macro", "labels": [0, 7]},
            r"All labels must be in \[0, n labels\)",
        ),
        (
            {"average": "macro", "labels": [-1]},
            r"All labels must be in \[0, n labels\)",
        ),
    ],
)
def test_errors_name_the_problem(kwargs, match):
    y = np.array([[1, 0, 1], [0, 1, 1]])
    for function in (bm.precision_recall_fscore_support, bm.jaccard_score):
        with pytest.raises(ValueError, match=match):
            function(y, y, **kwargs)


def test_samples_average_needs_indicators():
    with pytest.raises(ValueError, match="Samplewise metrics are not available"):
        bm.f1_score([0, 1, 1], [0, 1, 0], average="samples")
    with pytest.raises(ValueError, match="mix of multilabel-indicator and 1-D"):
        bm.f1_score(np.array([[0, 1], [1, 1]]), [0, 1], average="macro")


def test_the_inputs_are_not_modified():
    rng = np.random.default_rng(0)
    y_true = (rng.random((20, 4)) < 0.4).astype(np.int64)
    y_pred = (rng.random((20, 4)) < 0.4).astype(np.int64)
    weights = rng.random(20)
    copies = [a.copy() for a in (y_true, y_pred, weights)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.f1_score(y_true, y_pred, average="samples", sample_weight=weights)
        bm.classification_report(y_true, y_pred, sample_weight=weights)
    for array, copy in zip((y_true, y_pred, weights), copies, strict=True):
        np.testing.assert_array_equal(array, copy)


# ------------------------------------------------------------------- backends

RNG = np.random.default_rng(190)
Y_TRUE = (RNG.random((150, 6)) < [0.4, 0.3, 0.2, 0.1, 0.05, 0.02]).astype(np.int64)
Y_PRED = np.where(RNG.random((150, 6)) < 0.8, Y_TRUE, 1 - Y_TRUE)
WEIGHTS = RNG.integers(0, 9, 150) / 4


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("average", AVERAGES)
def test_backend_equals_sklearn_on_the_device(backend, average, weighted):
    weights = WEIGHTS if weighted else None
    arrays = [backend.asarray(Y_TRUE), backend.asarray(Y_PRED)]
    on_device = None if weights is None else backend.asarray(weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.precision_recall_fscore_support(
            Y_TRUE, Y_PRED, average=average, sample_weight=weights
        )
        expected_jaccard = skm.jaccard_score(
            Y_TRUE, Y_PRED, average=average, sample_weight=weights
        )
        ours = bm.precision_recall_fscore_support(
            *arrays, average=average, sample_weight=on_device
        )
        jaccard = bm.jaccard_score(*arrays, average=average, sample_weight=on_device)
    for value, reference in zip(
        (*ours, jaccard), (*expected, expected_jaccard), strict=True
    ):
        if reference is None:
            assert value is None
            continue
        if backend.name != "numpy":
            assert backend.device_of(value) == backend.device
        np.testing.assert_allclose(
            backend.to_numpy(value), reference, rtol=1e-12, atol=1e-15
        )


def test_report_on_the_device_equals_sklearns(backend):
    arrays = [backend.asarray(Y_TRUE), backend.asarray(Y_PRED)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = skm.classification_report(Y_TRUE, Y_PRED, digits=6)
        assert bm.classification_report(*arrays, digits=6) == expected
