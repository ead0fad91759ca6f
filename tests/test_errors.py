"""Bad input: each case gets its own clear error naming the parameter."""

from __future__ import annotations

import array_api_strict
import numpy as np
import pytest
import tensorflow as tf
import torch

from balancekit import RandomOverSampler, RandomUnderSampler
from tests.conftest import STRICT_CPU, STRICT_DEVICE1

X = np.random.default_rng(0).normal(size=(10, 2))
Y = np.array([0] * 7 + [1] * 3)

CASES = {
    "empty X": (np.empty((0, 2)), np.empty(0, dtype=int), {}, ValueError, "0 sample"),
    "X without features": (np.empty((10, 0)), Y, {}, ValueError, "0 feature"),
    "1-D X": (np.arange(10.0), Y, {}, ValueError, "Expected a 2D array"),
    "one class": (X, np.zeros(10, dtype=int), {}, ValueError, "at least 2 classes"),
    "lengths differ": (X, Y[:-1], {}, ValueError, "X has 10 samples, y has 9 labels"),
    "NaN labels": (
        X,
        np.where(Y == 1, np.nan, 0.0),
        {},
        ValueError,
        "`y` contains NaN",
    ),
    "continuous labels": (X, np.linspace(0, 1, 10), {}, ValueError, "continuous"),
    "None labels": (
        X,
        np.array([None] * 3 + ["a"] * 7, dtype=object),
        {},
        ValueError,
        "missing labels",
    ),
    "mixed label types": (
        X,
        np.array([1] * 3 + ["a"] * 7, dtype=object),
        {},
        TypeError,
        "mixes label types",
    ),
    "multilabel y": (X, np.ones((10, 3), dtype=int), {}, ValueError, "Multilabel"),
    "3-D y": (X, np.zeros((10, 1, 1), dtype=int), {}, ValueError, "`y` must be 1-D"),
    "complex X": (X.astype(complex), Y, {}, ValueError, "Complex data"),
    "float strategy on multiclass": (
        X,
        np.array([0] * 4 + [1] * 3 + [2] * 3),
        {"sampling_strategy": 0.5},
        ValueError,
        "float only when `y` has two classes",
    ),
    "dict asks an over-sampler for fewer": (
        X,
        Y,
        {"sampling_strategy": {0: 3}},
        ValueError,
        "can only add samples",
    ),
    "negative counts": (X, Y, {"sampling_strategy": {1: -2}}, ValueError, "negative"),
    "unknown strategy string": (
        X,
        Y,
        {"sampling_strategy": "balanced"},
        ValueError,
        "must be one of",
    ),
    "unknown class in dict": (
        X,
        Y,
        {"sampling_strategy": {5: 20}},
        ValueError,
        "not present in `y`",
    ),
    "bad random_state": (X, Y, {"random_state": "seed"}, TypeError, "`random_state`"),
    "negative random_state": (X, Y, {"random_state": -1}, ValueError, "`random_state`"),
    "weights of wrong length": (
        X,
        Y,
        {"sample_weight": np.ones(3)},
        ValueError,
        r"`sample_weight` must have shape \(10,\)",
    ),
    "negative weights": (X, Y, {"sample_weight": -np.ones(10)}, ValueError, "negative"),
    "NaN weights": (
        X,
        Y,
        {"sample_weight": np.full(10, np.nan)},
        ValueError,
        "NaN or infinity",
    ),
    "X is None": (None, Y, {}, TypeError, "`X` is None"),
    "y is None": (X, None, {}, ValueError, "target y is None"),
}


@pytest.mark.parametrize("sampler_cls", [RandomOverSampler, RandomUnderSampler])
@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "match"), CASES.values(), ids=CASES.keys()
)
def test_bad_input_gets_a_clear_error(sampler_cls, X, y, kwargs, error, match):
    kwargs = dict(kwargs)
    sample_weight = kwargs.pop("sample_weight", None)
    if sampler_cls is RandomUnderSampler and kwargs.get("sampling_strategy") == {0: 3}:
        kwargs["sampling_strategy"] = {0: 30}
        match = "can only remove samples"
    with pytest.raises(error, match=match):
        sampler_cls(**kwargs).fit_resample(X, y, sample_weight=sample_weight)


def test_mixed_devices():
    X_a = array_api_strict.asarray(X, device=STRICT_CPU)
    y_b = array_api_strict.asarray(Y, device=STRICT_DEVICE1)
    with pytest.raises(ValueError, match=r"`X` is on device .* but `y` is on device"):
        RandomOverSampler().fit_resample(X_a, y_b)


def test_mixed_libraries():
    with pytest.raises(TypeError, match="different array libraries"):
        RandomOverSampler().fit_resample(torch.as_tensor(X), Y)


def test_tensorflow_tensor_points_to_the_adapter():
    with pytest.raises(
        TypeError, match=r"`X` is a TensorFlow tensor.*balancekit\.tensorflow"
    ):
        RandomOverSampler().fit_resample(tf.constant(X), tf.constant(Y))


def test_unsupported_container():
    with pytest.raises(TypeError, match=r"`X` of type .* is not a supported array"):
        RandomOverSampler().fit_resample({"a": 1}, Y)


def test_tensor_labels_of_float_dtype_are_checked():
    with pytest.raises(ValueError, match="continuous"):
        RandomOverSampler().fit_resample(torch.as_tensor(X), torch.linspace(0, 1, 10))
    with pytest.raises(ValueError, match="`y` contains NaN"):
        RandomOverSampler().fit_resample(
            torch.as_tensor(X), torch.full((10,), torch.nan)
        )


def test_errors_leave_inputs_untouched():
    X_copy, y_copy = X.copy(), Y.copy()
    with pytest.raises(ValueError, match="can only add samples"):
        RandomOverSampler(sampling_strategy={0: 1}).fit_resample(X_copy, y_copy)
    np.testing.assert_array_equal(X_copy, X)
    np.testing.assert_array_equal(y_copy, Y)
