"""Class and sample weights: scikit-learn's results, closed forms, every backend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight as sk_class_weight
from sklearn.utils.class_weight import compute_sample_weight as sk_sample_weight

from balancekit import (
    as_keras_class_weight,
    compute_class_weight,
    compute_sample_weight,
)
from balancekit.weighting import METHODS


def labels(counts=(90, 25, 7), seed=0):
    return np.random.default_rng(seed).permutation(
        np.repeat(np.arange(len(counts)), counts)
    )


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 300), min_size=2, max_size=6),
    weighted=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_balanced_equals_sklearn_exactly(counts, weighted, seed):
    y = labels(counts, seed)
    w = np.random.default_rng(seed).uniform(0.1, 3.0, y.size) if weighted else None
    ours = compute_class_weight(y, "balanced", sample_weight=w)
    theirs = sk_class_weight("balanced", classes=np.unique(y), y=y, sample_weight=w)
    np.testing.assert_array_equal(ours, theirs)


def test_dict_equals_sklearn_and_missing_classes_get_one():
    y = np.array(["a", "b", "b", "c"])
    ours = compute_class_weight(y, {"a": 3.0, "c": 0.5})
    theirs = sk_class_weight({"a": 3.0, "c": 0.5, "b": 1.0}, classes=np.unique(y), y=y)
    np.testing.assert_array_equal(ours, theirs)


def test_closed_forms():
    y = labels((90, 25, 7))
    counts = np.array([90.0, 25.0, 7.0])
    np.testing.assert_allclose(compute_class_weight(y, "inverse"), 1 / counts)
    np.testing.assert_allclose(
        compute_class_weight(y, "inverse_sqrt"), 1 / np.sqrt(counts)
    )
    beta = 0.99
    expected = (1 - beta) / (1 - beta**counts)
    np.testing.assert_allclose(
        compute_class_weight(y, "effective_number", beta=beta), expected
    )
    np.testing.assert_allclose(
        compute_class_weight(y, "effective_number", beta=0.0), 1.0
    )


@pytest.mark.parametrize("method", METHODS)
def test_normalisation(method):
    y = labels((90, 25, 7))
    counts = np.array([90.0, 25.0, 7.0])
    by_class = compute_class_weight(y, method, normalize="classes")
    np.testing.assert_allclose(by_class.sum(), 3.0)
    by_sample = compute_class_weight(y, method, normalize="samples")
    np.testing.assert_allclose((by_sample * counts).sum() / counts.sum(), 1.0)
    raw = compute_class_weight(y, method)
    np.testing.assert_allclose(by_class / by_class[0], raw / raw[0])  # same ratios


@pytest.mark.parametrize("method", [*METHODS, "dict"])
def test_every_backend_keeps_the_device(backend, method):
    y = labels()
    method = {0: 1.0, 2: 4.0} if method == "dict" else method
    expected = compute_class_weight(y, method, beta=0.9)
    out = compute_class_weight(backend.asarray(y), method, beta=0.9)
    assert backend.device_of(out) == backend.device
    np.testing.assert_allclose(backend.to_numpy(out), expected, rtol=1e-6)
    per_sample = compute_sample_weight(backend.asarray(y), method, beta=0.9)
    assert backend.device_of(per_sample) == backend.device
    np.testing.assert_allclose(backend.to_numpy(per_sample), expected[y], rtol=1e-6)


def test_weighted_counts_on_a_backend(backend):
    y = labels()
    w = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    expected = compute_class_weight(y, sample_weight=w)
    out = compute_class_weight(backend.asarray(y), sample_weight=backend.asarray(w))
    np.testing.assert_allclose(backend.to_numpy(out), expected, rtol=1e-6)


@pytest.mark.parametrize(
    "method",
    ["balanced", {0: 2.0, 1: 0.5}, "multi-balanced", "multi-dicts"],
)
def test_sample_weight_equals_sklearn(method):
    y = labels((40, 12, 5))
    if method == "multi-balanced":
        y, method = np.column_stack([y, labels((30, 27), seed=3)]), "balanced"
    elif method == "multi-dicts":
        y = np.column_stack([y, labels((30, 27), seed=3)])
        method = [{0: 2.0, 1: 0.5}, {1: 3.0}]
    np.testing.assert_array_equal(
        compute_sample_weight(y, method), sk_sample_weight(method, y)
    )


def test_sample_weight_with_a_subsample_equals_sklearn():
    y = labels((40, 12, 5))
    indices = np.random.default_rng(2).choice(np.flatnonzero(y != 2), size=30)
    ours = compute_sample_weight(y, "balanced", indices=indices)
    np.testing.assert_array_equal(
        ours, sk_sample_weight("balanced", y, indices=indices)
    )
    assert (ours[y == 2] == 0).all()  # a class missing from the subsample


def test_keras_class_weight():
    weights = as_keras_class_weight(np.array([0, 0, 0, 1, 2, 2]))
    assert weights == {0: 2 / 3, 1: 2.0, 2: 1.0}
    assert all(type(k) is int and type(v) is float for k, v in weights.items())
    import torch

    assert as_keras_class_weight(torch.tensor([0, 0, 0, 1, 2, 2])) == pytest.approx(
        weights
    )


def test_absent_classes_are_explicit():
    y = np.array([0, 0, 1])
    with pytest.raises(ValueError, match=r"Classes \[2\] have no samples"):
        compute_class_weight(y, classes=[0, 1, 2])
    np.testing.assert_allclose(
        compute_class_weight(y, classes=[0, 1, 2], absent="zero"), [0.75, 1.5, 0.0]
    )


def test_inputs_are_not_modified():
    y, w = labels(), np.ones(122)
    y_copy, w_copy = y.copy(), w.copy()
    compute_class_weight(y, sample_weight=w)
    compute_sample_weight(y)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(w, w_copy)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "uniform"}, ValueError, "`method` must be one of"),
        (
            {"method": "effective_number", "beta": 1.0},
            ValueError,
            r"`beta` must be .* \[0, 1\)",
        ),
        ({"method": "effective_number", "beta": -0.1}, ValueError, "`beta`"),
        ({"normalize": "max"}, ValueError, "`normalize` must be one of"),
        ({"method": {0: -1.0}}, ValueError, "finite weights >= 0"),
        ({"method": {0: float("nan")}}, ValueError, "finite weights >= 0"),
        ({"method": {7: 1.0}}, ValueError, r"gives weights for \[7\]"),
        (
            {"sample_weight": -np.ones(4)},
            ValueError,
            "`sample_weight` contains negative",
        ),
        ({"sample_weight": np.full(4, np.nan)}, ValueError, "NaN or infinity"),
        ({"classes": [0]}, ValueError, r"`classes` must include every label"),
        ({"absent": "skip"}, ValueError, "`absent` must be one of"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        compute_class_weight(np.array([0, 0, 1, 1]), **kwargs)


def test_bad_sample_weight_options():
    y = np.column_stack([labels((5, 3)), labels((4, 4))])
    with pytest.raises(ValueError, match="one entry per output"):
        compute_sample_weight(y, [{0: 1.0}])
    with pytest.raises(ValueError, match="one dict per output"):
        compute_sample_weight(y, {0: 2.0})
    with pytest.raises(ValueError, match=r"`indices` .* method='balanced' only"):
        compute_sample_weight(labels(), "inverse", indices=[0, 1])
    with pytest.raises(TypeError, match="class index"):
        as_keras_class_weight(np.array(["a", "b"]))
