"""Multiclass ROC AUC one-vs-one (Hand & Till) and one-vs-rest ``average="micro"``:
scikit-learn's results, every backend on its device, scikit-learn's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.exceptions import UndefinedMetricWarning

from balancekit.metrics import roc_auc_score

RTOL = 1e-12
LABEL_SETS = {
    "int": [-3, 0, 2, 7, 11, 40],
    "str": ["ant", "bee", "cat", "dog", "eel", "fox"],
}


def ties_proba(rng, n, k):
    """Probability rows with many ties: small integer counts over their row sum."""
    counts = rng.integers(0, 4, size=(n, k)).astype(float)
    counts[counts.sum(axis=1) == 0, 0] = 1.0
    return counts / counts.sum(axis=1, keepdims=True)


@st.composite
def multiclass_cases(draw, *, all_present=False):
    """``(y, proba, labels, weights)``: 3-6 column classes, labels of int or str
    values, each of y's classes present or absent (then ``labels`` names them)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    k = draw(st.integers(3, 6))
    values = np.asarray(LABEL_SETS[draw(st.sampled_from(sorted(LABEL_SETS)))][:k])
    n = draw(st.integers(6, 60))
    if all_present:
        present = np.arange(k)
    else:
        n_present = draw(st.integers(2, k))
        present = np.sort(rng.choice(k, size=n_present, replace=False))
    codes = np.concatenate([present, rng.choice(present, size=n - present.size)])
    rng.shuffle(codes)
    proba = ties_proba(rng, n, k)
    if draw(st.booleans()):  # informative scores: the true class gets more mass
        proba = proba + 2 * np.eye(k)[codes]
        proba /= proba.sum(axis=1, keepdims=True)
    weights = rng.random(n) * 3
    weights[rng.random(n) < 0.2] = 0.0
    weights[0] = 1.0  # at least one sample counts
    if draw(st.booleans()):
        weights = np.round(weights)
        weights[0] = 1.0
    labels = None if present.size == k and draw(st.booleans()) else values.tolist()
    return values[codes], proba, labels, weights


def both(y, proba, **kwargs):
    """balancekit's and scikit-learn's results, their warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = roc_auc_score(y, proba, **kwargs)
        theirs = sk.roc_auc_score(y, proba, **kwargs)
    return np.asarray(ours), theirs


@settings(max_examples=60, deadline=None)
@given(case=multiclass_cases(), average=st.sampled_from(["macro", "weighted"]))
def test_ovo_equals_sklearn(case, average):
    y, proba, labels, _ = case
    ours, theirs = both(y, proba, multi_class="ovo", average=average, labels=labels)
    assert ours.shape == ()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(case=multiclass_cases(), weighted=st.booleans())
def test_ovr_micro_equals_sklearn(case, weighted):
    y, proba, labels, weights = case
    w = weights if weighted else None
    ours, theirs = both(
        y, proba, multi_class="ovr", average="micro", labels=labels, sample_weight=w
    )
    assert ours.shape == ()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(case=multiclass_cases(all_present=True))
def test_labels_must_be_given_sorted(case):
    """``labels`` index the columns in sorted order; other orders are refused by
    both libraries with a ``ValueError``, for each scheme."""
    y, proba, _, _ = case
    values = sorted(set(y.tolist()))
    for order in (values[::-1], values[1:] + values[:1]):
        for multi_class, average in (("ovo", "macro"), ("ovr", "micro")):
            kwargs = {"multi_class": multi_class, "average": average}
            with pytest.raises(ValueError, match="`labels` must be sorted"):
                roc_auc_score(y, proba, labels=order, **kwargs)
            with pytest.raises(ValueError, match="must be ordered"):
                sk.roc_auc_score(y, proba, labels=order, **kwargs)


def test_ovo_hand_and_till_by_hand():
    """The pairwise formula written out: the mean over the pairs of the two AUCs of
    each pair on its own samples; weighted by the pairs' share of the samples."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 50)
    proba = ties_proba(rng, 50, 4)
    pairs, shares = [], []
    for a in range(4):
        for b in range(a + 1, 4):
            keep = (y == a) | (y == b)
            auc_a = sk.roc_auc_score(y[keep] == a, proba[keep, a])
            auc_b = sk.roc_auc_score(y[keep] == b, proba[keep, b])
            pairs.append((auc_a + auc_b) / 2)
            shares.append(keep.mean())
    macro = roc_auc_score(y, proba, multi_class="ovo")
    weighted = roc_auc_score(y, proba, multi_class="ovo", average="weighted")
    np.testing.assert_allclose(float(macro), np.mean(pairs), rtol=RTOL)
    np.testing.assert_allclose(
        float(weighted), np.average(pairs, weights=shares), rtol=RTOL
    )


def test_ovo_skips_the_columns_of_absent_classes():
    """Only the pairs of classes present in ``y_true`` count: a zero column for an
    absent label changes nothing, wherever it sits."""
    rng = np.random.default_rng(5)
    y = rng.choice([0, 1, 3], 40)
    proba = ties_proba(rng, 40, 3)
    padded = np.insert(proba, 2, 0.0, axis=1)
    for average in ("macro", "weighted"):
        plain = roc_auc_score(y, proba, multi_class="ovo", average=average)
        with_2 = roc_auc_score(
            y, padded, multi_class="ovo", average=average, labels=[0, 1, 2, 3]
        )
        assert float(plain) == float(with_2)


def test_micro_is_the_ravelled_binary_problem():
    rng = np.random.default_rng(8)
    y = rng.integers(0, 3, 70)
    proba = ties_proba(rng, 70, 3)
    w = rng.random(70)
    onehot = np.eye(3)[y]
    expected = sk.roc_auc_score(
        onehot.ravel(), proba.ravel(), sample_weight=np.repeat(w, 3)
    )
    ours = roc_auc_score(y, proba, multi_class="ovr", average="micro", sample_weight=w)
    np.testing.assert_allclose(float(ours), expected, rtol=RTOL)


def test_binary_y_true_ignores_ovo_and_micro():
    """Binary labels with one score column: ``multi_class`` and ``average`` do not
    apply (scikit-learn's binary path), weights included."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 30)
    score = np.round(rng.random(30), 1)
    w = rng.random(30)
    expected = roc_auc_score(y, score, sample_weight=w)
    for kwargs in ({"multi_class": "ovo"}, {"average": "micro"}):
        ours = roc_auc_score(y, score, sample_weight=w, **kwargs)
        assert float(ours) == float(expected)
        np.testing.assert_allclose(
            float(ours), sk.roc_auc_score(y, score, sample_weight=w, **kwargs)
        )


def test_binary_y_true_with_more_columns_is_multiclass():
    """Two classes in ``y_true`` and three columns: the multiclass path (one pair)."""
    y = np.array(["a", "d", "a", "d"])
    proba = np.array(
        [[0.2, 0.0, 0.8], [0.6, 0.0, 0.4], [0.55, 0.0, 0.45], [0.4, 0, 0.6]]
    )
    for kwargs in (
        {"multi_class": "ovo"},
        {"multi_class": "ovo", "average": "weighted"},
        {"multi_class": "ovr", "average": "micro"},
    ):
        ours, theirs = both(y, proba, labels=["a", "b", "d"], **kwargs)
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_ovo_with_one_present_class_is_nan_with_a_warning():
    y = np.zeros(4, dtype=int)
    proba = np.full((4, 3), 1 / 3)
    for average in ("macro", "weighted"):
        with pytest.warns(UndefinedMetricWarning, match="no pair of classes"):
            result = roc_auc_score(
                y, proba, multi_class="ovo", average=average, labels=[0, 1, 2]
            )
        assert np.isnan(float(result))


def test_inputs_are_not_modified():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 4, 30)
    proba = ties_proba(rng, 30, 4)
    w = rng.random(30)
    copies = y.copy(), proba.copy(), w.copy()
    roc_auc_score(y, proba, multi_class="ovo", average="weighted")
    roc_auc_score(y, proba, multi_class="ovr", average="micro", sample_weight=w)
    for given_, copy in zip((y, proba, w), copies, strict=True):
        np.testing.assert_array_equal(given_, copy)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"multi_class": "ovo", "average": None}, NotImplementedError, "average=None"),
        ({"multi_class": "ovo", "average": "micro"}, ValueError, "`average` must be"),
        ({"multi_class": "ovo", "sample_weight": []}, ValueError, "`sample_weight`"),
        (
            {"multi_class": "ovo", "sample_weight": np.ones(20)},
            ValueError,
            "`sample_weight` is not supported with multi_class='ovo'",
        ),
        ({"multi_class": "ovo", "max_fpr": 0.5}, ValueError, "`max_fpr`"),
        ({"multi_class": "ovr", "average": "samples"}, ValueError, "`average`"),
        ({"multi_class": "ovx"}, ValueError, "`multi_class` must be one of"),
        ({}, ValueError, "multi_class='ovo'"),
        ({"multi_class": "ovo", "labels": [0, 1]}, ValueError, "`labels` names 2"),
        (
            {"multi_class": "ovr", "average": "micro", "labels": [0, 1, 1]},
            ValueError,
            "unique",
        ),
    ],
)
def test_errors_as_sklearn_with_the_parameter_named(kwargs, error, match):
    """The exception class scikit-learn raises, balancekit's message naming the
    parameter."""
    rng = np.random.default_rng(404)
    y = rng.integers(0, 3, 20)
    proba = ties_proba(rng, 20, 3)
    with pytest.raises(error, match=match):
        roc_auc_score(y, proba, **kwargs)
    with pytest.raises(error):
        sk.roc_auc_score(y, proba, **kwargs)


@pytest.mark.parametrize("multi_class", ["ovo", "ovr"])
def test_scores_must_be_probabilities(multi_class):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 20)
    proba = ties_proba(rng, 20, 3) * 2
    average = "macro" if multi_class == "ovo" else "micro"
    with pytest.raises(ValueError, match="summing to 1"):
        roc_auc_score(y, proba, multi_class=multi_class, average=average)


def _case(seed=11, n=90, k=4):
    rng = np.random.default_rng(seed)
    y = rng.choice([0, 2, 5, 9][:k], n)
    return y, ties_proba(rng, n, k), rng.random(n) * (rng.random(n) > 0.1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"multi_class": "ovo"},
        {"multi_class": "ovo", "average": "weighted"},
        {"multi_class": "ovr", "average": "micro"},
        {"multi_class": "ovr", "average": "micro", "weighted": True},
        {"multi_class": "ovo", "labels": [0, 2, 3, 5, 9]},
    ],
    ids=["ovo-macro", "ovo-weighted", "micro", "micro-weights", "ovo-labels"],
)
def test_every_backend_on_its_device(backend, kwargs):
    """The same result on every backend, as a 0-d array on the input's device."""
    kwargs = dict(kwargs)
    y, proba, w = _case()
    if kwargs.pop("weighted", False):
        kwargs["sample_weight"] = w
    if "labels" in kwargs:  # a zero column for the absent label 3
        proba = np.insert(proba, 2, 0.0, axis=1)
    expected = roc_auc_score(y, proba, **kwargs)
    np.testing.assert_allclose(
        float(expected), sk.roc_auc_score(y, proba, **kwargs), rtol=RTOL
    )
    put = backend.asarray
    if "sample_weight" in kwargs:
        kwargs["sample_weight"] = put(kwargs["sample_weight"])
    ours = roc_auc_score(put(y), put(proba), **kwargs)
    assert ours.shape == ()
    if backend.name != "numpy":
        assert backend.device_of(ours) == backend.device
        assert type(ours) is type(backend.asarray(np.zeros(1)))
    np.testing.assert_allclose(backend.to_numpy(ours), float(expected), rtol=RTOL)


@pytest.mark.parametrize(
    "kwargs",
    [{"multi_class": "ovo"}, {"multi_class": "ovr", "average": "micro"}],
    ids=["ovo", "micro"],
)
def test_dask_refuses_ovo_and_micro_clearly(kwargs):
    """No Dask implementation yet: multiclass Dask input is refused with an error
    naming the option, not a wrong number."""
    da = pytest.importorskip("dask.array")
    y, proba, _ = _case()
    d_true = da.from_array(y, chunks=30)
    d_proba = da.from_array(proba, chunks=(30, 4))
    option = kwargs.get("average", kwargs["multi_class"])
    with pytest.raises((NotImplementedError, ValueError), match=option):
        roc_auc_score(d_true, d_proba, **kwargs)
