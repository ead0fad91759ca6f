"""ROC AUC and average precision of multilabel indicators (issue 19, part 1):
scikit-learn's results per label and for every average, on every backend on its
device; scikit-learn's warnings and errors; bytes labels refused in the curves."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.exceptions import UndefinedMetricWarning

from balancekit.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

RTOL = 1e-12
AVERAGES = [None, "micro", "macro", "weighted", "samples"]
FUNCTIONS = {"roc_auc": roc_auc_score, "ap": average_precision_score}
ORACLES = {"roc_auc": sk.roc_auc_score, "ap": sk.average_precision_score}


@st.composite
def multilabel_cases(draw):
    """``(y_true, y_score, weights)``: 2-6 labels, scores with many ties, weights
    with zeros, and often a label (column) or a sample (row) of one class."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, k = draw(st.integers(3, 40)), draw(st.integers(2, 6))
    y_true = (rng.random((n, k)) < rng.uniform(0.1, 0.7)).astype(np.int64)
    one_class_label = draw(st.sampled_from([None, 0, 1]))
    if one_class_label is not None:
        y_true[:, rng.integers(k)] = one_class_label
    if draw(st.booleans()):
        y_true[rng.integers(n)] = draw(st.sampled_from([0, 1]))
    levels = draw(st.sampled_from([3, 10, 1000]))  # few levels: many ties
    y_score = rng.integers(0, levels, size=(n, k)) / levels
    if draw(st.booleans()):  # informative scores
        y_score = y_score + y_true * rng.integers(0, 2, size=(n, k))
    weights = rng.random(n) * 3
    weights[rng.random(n) < 0.2] = 0.0
    weights[0] = 1.0
    if draw(st.booleans()):
        weights = np.round(weights) + (np.arange(n) == 0)
    return y_true, y_score, weights


def both(name, y_true, y_score, **kwargs):
    """balancekit's and scikit-learn's results, their warnings silenced; a case
    scikit-learn itself cannot score (a degenerate partial AUC) is skipped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = FUNCTIONS[name](y_true, y_score, **kwargs)
        try:
            theirs = ORACLES[name](y_true, y_score, **kwargs)
        except ValueError as error:
            assume("At least 2 points are needed" not in str(error))
            raise
    return np.asarray(ours), np.asarray(theirs, dtype=float)


@settings(max_examples=40, deadline=None)
@given(
    case=multilabel_cases(),
    name=st.sampled_from(sorted(FUNCTIONS)),
    average=st.sampled_from(AVERAGES),
    weighted=st.booleans(),
)
def test_equals_sklearn(case, name, average, weighted):
    y_true, y_score, weights = case
    kwargs = {"average": average, "sample_weight": weights if weighted else None}
    ours, theirs = both(name, y_true, y_score, **kwargs)
    assert ours.shape == theirs.shape == (() if average else (y_true.shape[1],))
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    case=multilabel_cases(),
    average=st.sampled_from(AVERAGES),
    max_fpr=st.sampled_from([0.1, 0.5, 0.75]),
    weighted=st.booleans(),
)
def test_partial_auc_equals_sklearn(case, average, max_fpr, weighted):
    y_true, y_score, weights = case
    kwargs = {"average": average, "max_fpr": max_fpr}
    if weighted:
        kwargs["sample_weight"] = weights
    ours, theirs = both("roc_auc", y_true, y_score, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(case=multilabel_cases(), average=st.sampled_from(AVERAGES))
def test_bool_and_float_indicators_agree(case, average):
    y_true, y_score, _ = case
    for name in FUNCTIONS:
        expected, _ = both(name, y_true, y_score, average=average)
        for variant in (y_true.astype(bool), y_true.astype(np.float32)):
            ours, _ = both(name, variant, y_score, average=average)
            np.testing.assert_array_equal(ours, expected)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    average=st.sampled_from(["micro", "samples"]),
    weighted=st.booleans(),
)
def test_multiclass_ap_micro_and_samples_equal_sklearn(seed, average, weighted):
    """Multiclass AP with "micro"/"samples" scores the label-binarised target."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 40))
    y = np.concatenate([[0, 1, 2], rng.integers(0, 3, size=n - 3)])
    proba = rng.integers(1, 5, size=(n, 3)).astype(float)
    proba /= proba.sum(axis=1, keepdims=True)
    weights = rng.random(n) if weighted else None
    ours, theirs = both("ap", y, proba, average=average, sample_weight=weights)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-15)


def test_sklearn_toy_cases_and_warnings():
    """scikit-learn's multilabel toy cases, with its warning classes."""
    y_true = np.array([[0, 1], [0, 1]])
    y_score = np.array([[0, 1], [1, 0]])
    one_class = "Only one class is present in y_true"
    for average in ("macro", "weighted"):
        with pytest.warns(UndefinedMetricWarning, match=one_class):
            roc_auc_score(y_true, y_score, average=average)
        with pytest.warns(UserWarning, match="No positive class found in y_true"):
            average_precision_score(y_true, y_score, average=average)
    assert float(roc_auc_score(y_true, y_score, average="samples")) == 0.5
    assert float(average_precision_score(y_true, y_score, average="samples")) == 0.75
    assert float(average_precision_score(y_true, y_score, average="micro")) == 0.5
    none = np.array([[0, 0], [0, 0]])
    with pytest.warns(UserWarning, match="No positive class found in y_true"):
        assert float(average_precision_score(none, y_score, average="samples")) == 0
    # no label has a positive: the weighted average is 0, as in scikit-learn
    assert float(average_precision_score(none, y_score, average="weighted")) == 0
    assert float(roc_auc_score(none, y_score, average="weighted")) == 0
    with pytest.warns(UndefinedMetricWarning, match=one_class):
        assert np.isnan(float(roc_auc_score(none, y_score, average="samples")))


def test_binary_curve_warnings():
    with pytest.warns(UndefinedMetricWarning, match="No positive samples in y_true"):
        roc_curve([0, 0], [0.25, 0.75])
    with pytest.warns(UndefinedMetricWarning, match="No negative samples in y_true"):
        roc_curve([1, 1], [0.25, 0.75])
    with pytest.warns(UserWarning, match="No positive class found in y_true"):
        precision_recall_curve([0, 0], [0.25, 0.75])
    with pytest.warns(UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(float(roc_auc_score([1, 1], [0.25, 0.75])))


def test_multi_class_and_labels_are_ignored_for_multilabel():
    y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    y_score = np.array(
        [[0.9, 0.2, 0.4], [0.3, 0.6, 0.1], [0.6, 0.4, 0.3], [0.2, 0.5, 0.8]]
    )
    expected = sk.roc_auc_score(y_true, y_score, average=None)
    for multi_class in ("raise", "ovr", "ovo"):
        ours = roc_auc_score(y_true, y_score, average=None, multi_class=multi_class)
        np.testing.assert_allclose(ours, expected, rtol=RTOL)


# ------------------------------------------------------------------ backends

RNG = np.random.default_rng(19)
Y_TRUE = (RNG.random((120, 5)) < [0.05, 0.2, 0.4, 0.6, 0.0]).astype(np.int64)
Y_SCORE = np.round(RNG.random((120, 5)) + 0.5 * Y_TRUE, 1)
WEIGHTS = RNG.random(120) * 2
WEIGHTS[::7] = 0.0


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("average", AVERAGES, ids=str)
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_on_backend(backend, name, average, weighted):
    kwargs = {"average": average}
    if name == "roc_auc" and average == "macro":
        kwargs["max_fpr"] = 0.4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ORACLES[name](
            Y_TRUE, Y_SCORE, sample_weight=WEIGHTS if weighted else None, **kwargs
        )
        result = FUNCTIONS[name](
            backend.asarray(Y_TRUE),
            backend.asarray(Y_SCORE),
            sample_weight=backend.asarray(WEIGHTS) if weighted else None,
            **kwargs,
        )
    if backend.name != "numpy":
        assert backend.device_of(result) == backend.device
        assert type(result) is type(backend.asarray(np.zeros(1)))
    np.testing.assert_allclose(
        backend.to_numpy(result), np.asarray(expected), rtol=RTOL, atol=1e-15
    )


# -------------------------------------------------------------------- errors

GOOD_TRUE = np.array([[1, 0], [0, 1], [0, 1], [1, 0]])
GOOD_SCORE = np.array([[0.9, 0.1], [0.1, 0.9], [0.8, 0.2], [0.2, 0.8]])


@pytest.mark.parametrize("pos_label", [0, 2, "a"])
def test_ap_pos_label_is_fixed_for_multilabel(pos_label):
    with pytest.raises(ValueError, match="`pos_label` is fixed to 1 for a multilabel"):
        average_precision_score(GOOD_TRUE, GOOD_SCORE, pos_label=pos_label)
    ours = average_precision_score(GOOD_TRUE, GOOD_SCORE, pos_label=1)
    assert float(ours) == sk.average_precision_score(GOOD_TRUE, GOOD_SCORE)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize(
    ("y_true", "y_score", "kwargs", "error", "match"),
    [
        (GOOD_TRUE, GOOD_SCORE[:, :1], {}, ValueError, "the shape of the multilabel"),
        (GOOD_TRUE, GOOD_SCORE[:3], {}, ValueError, "the shape of the multilabel"),
        (GOOD_TRUE, GOOD_SCORE[:, 0], {}, ValueError, "the shape of the multilabel"),
        (GOOD_TRUE * 2, GOOD_SCORE, {}, ValueError, "must hold only 0 and 1"),
        (
            GOOD_TRUE.astype(str),
            GOOD_SCORE,
            {},
            TypeError,
            "must be a multilabel indicator of 0/1",
        ),
        (GOOD_TRUE, GOOD_SCORE * np.nan, {}, ValueError, "`y_score` contains NaN"),
        (GOOD_TRUE, GOOD_SCORE, {"average": "median"}, ValueError, "average"),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": np.zeros(4)},
            ValueError,
            "`sample_weight` is zero for every sample",
        ),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [1.0, -1.0, 1.0, 1.0]},
            ValueError,
            "negative",
        ),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [1.0, 1.0]},
            ValueError,
            "`sample_weight`",
        ),
    ],
)
def test_bad_multilabel_input(name, y_true, y_score, kwargs, error, match):
    with pytest.raises(error, match=match):
        FUNCTIONS[name](y_true, y_score, **kwargs)


def test_roc_auc_max_fpr_is_checked_for_multilabel():
    with pytest.raises(ValueError, match="`max_fpr` must be in"):
        roc_auc_score(GOOD_TRUE, GOOD_SCORE, max_fpr=1.5)


def test_samples_average_needs_multilabel_for_roc_auc():
    proba = np.array([[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6]])
    match = "got 'samples', which needs a multilabel indicator"
    with pytest.raises(ValueError, match=match):
        roc_auc_score([0, 1, 2], proba, multi_class="ovr", average="samples")
    with pytest.raises(ValueError, match=match):
        roc_auc_score([0, 1, 1], proba[:, 1], average="samples")


@pytest.mark.parametrize("curve", [roc_curve, precision_recall_curve])
def test_curves_refuse_an_indicator(curve):
    """As in scikit-learn: the curves are binary only (a ValueError)."""
    with pytest.raises(ValueError, match="`y_true`"):
        curve(GOOD_TRUE, GOOD_SCORE)


@pytest.mark.parametrize("function", [roc_curve, precision_recall_curve, roc_auc_score])
@pytest.mark.parametrize(
    "labels",
    [[b"a", b"b"], np.array([b"a", b"b"]), np.array([b"a", b"b"], dtype=object)],
    ids=["list", "array", "object"],
)
def test_bytes_labels_are_refused(function, labels):
    """scikit-learn refuses bytes labels (TypeError), even with ``pos_label``."""
    with pytest.raises(TypeError, match="represented as bytes is not supported"):
        function(labels, [0.0, 1.0])
    if function is not roc_auc_score:
        with pytest.raises(TypeError, match="decode them to str"):
            function(labels, [0.0, 1.0], pos_label=b"b")


@pytest.mark.parametrize("function", [roc_curve, precision_recall_curve])
def test_string_labels_need_pos_label(function):
    with pytest.raises(ValueError, match="`pos_label` is not specified"):
        function(np.array(["a", "b"], dtype=object), [0.0, 1.0])
    ours = function(np.array(["a", "b", "b"]), [0.0, 1.0, 0.5], pos_label="b")
    expected = function(np.array([0, 1, 1]), [0.0, 1.0, 0.5])
    for part, reference in zip(ours, expected, strict=True):
        np.testing.assert_array_equal(part, reference)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_dask_indicator_is_refused(name):
    da = pytest.importorskip("dask.array")
    y_true = da.from_array(GOOD_TRUE, chunks=2)
    y_score = da.from_array(GOOD_SCORE, chunks=2)
    with pytest.raises(NotImplementedError, match=r"compute\(\)"):
        FUNCTIONS[name](y_true, y_score)


# ------------------------------------------------------------------- hygiene


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("average", AVERAGES, ids=str)
def test_inputs_are_not_modified(name, average):
    y_true, y_score, weights = Y_TRUE.copy(), Y_SCORE.copy(), WEIGHTS.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        FUNCTIONS[name](y_true, y_score, average=average, sample_weight=weights)
    np.testing.assert_array_equal(y_true, Y_TRUE)
    np.testing.assert_array_equal(y_score, Y_SCORE)
    np.testing.assert_array_equal(weights, WEIGHTS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_pickle(name):
    restored = pickle.loads(pickle.dumps(FUNCTIONS[name]))
    assert restored is FUNCTIONS[name]
    np.testing.assert_allclose(
        restored(GOOD_TRUE, GOOD_SCORE, average=None),
        ORACLES[name](GOOD_TRUE, GOOD_SCORE, average=None),
        rtol=RTOL,
    )


def test_a_bad_indicator_is_reported_before_pos_label():
    """As scikit-learn: the target's type is checked before ``pos_label``."""
    with pytest.raises(ValueError, match="multiclass-multioutput"):
        average_precision_score(GOOD_TRUE * 2, GOOD_SCORE, pos_label=2)
