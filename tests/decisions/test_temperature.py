"""Temperature scaling: recovers a planted over-confidence, never raises the NLL above
T = 1, matches a SciPy reference fit, gives the same T on every backend and device,
accepts torch and TensorFlow tensors, and refuses bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from scipy.special import log_expit, log_softmax

from balancekit.decisions._temperature import (
    apply_temperature,
    fit_temperature,
    temperature_nll,
)


def _binary(seed: int, n: int = 20_000):
    """Calibrated log-odds z and labels y ~ Bernoulli(sigmoid(z))."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 2.0, n)
    return z, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)


def _multiclass(seed: int, n: int = 20_000, k: int = 4):
    """Calibrated logits z and labels y ~ Categorical(softmax(z))."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 1.5, (n, k))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return z, (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)


def _reference_nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    z = logits / t
    if z.ndim == 1:
        return float(-np.mean(np.where(y == 1, log_expit(z), log_expit(-z))))
    return float(-np.mean(log_softmax(z, axis=1)[np.arange(len(y)), y]))


def _reference_fit(logits: np.ndarray, y: np.ndarray) -> float:
    result = minimize_scalar(
        lambda u: _reference_nll(logits, y, np.exp(u)),
        bounds=(np.log(0.01), np.log(100.0)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(np.exp(result.x))


# The fitted T over 20 seeds (n = 20k) has sd 0.044 (binary) and 0.033 (4 classes):
# 0.25 is more than 5 sd.
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("make", [_binary, _multiclass])
def test_planted_overconfidence_is_recovered(make, seed):
    z, y = make(seed)
    assert fit_temperature(3.0 * z, y) == pytest.approx(3.0, abs=0.25)
    assert fit_temperature(z / 2.0, y) == pytest.approx(0.5, abs=0.25 / 6)


@pytest.mark.parametrize("make", [_binary, _multiclass])
def test_fit_equals_scipy_reference(make):
    z, y = make(7, n=3000)
    logits = 2.5 * z
    t = fit_temperature(logits, y, tol=1e-10)
    assert t == pytest.approx(_reference_fit(logits, y), rel=1e-6)
    assert temperature_nll(logits, y, t) == pytest.approx(
        _reference_nll(logits, y, t), abs=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 50),
    k=st.sampled_from([0, 2, 3, 6]),
    scale=st.sampled_from([0.1, 1.0, 3.0, 30.0]),
)
def test_nll_never_increases_over_t_equal_1(seed, n, k, scale):
    rng = np.random.default_rng(seed)
    logits = scale * rng.normal(size=(n,) if k == 0 else (n, k))
    y = rng.integers(0, max(k, 2), n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # separable draws hit a bound
        t = fit_temperature(logits, y)
    assert t > 0
    assert temperature_nll(logits, y, t) <= temperature_nll(logits, y, 1.0)


def test_backends_give_the_same_temperature(backend):
    z, y = _multiclass(3, n=2000)
    zb, yb = _binary(3, n=2000)
    for logits, labels in ((2.0 * z, y), (2.0 * zb, yb)):
        expected = fit_temperature(logits, labels)
        got = fit_temperature(backend.asarray(logits), backend.asarray(labels))
        assert got == pytest.approx(expected, rel=1e-9)
        scaled = apply_temperature(backend.asarray(logits), got)
        assert backend.device_of(scaled) == backend.device
        np.testing.assert_allclose(
            backend.to_numpy(scaled), logits / got, rtol=1e-12, atol=0
        )


def test_torch_tensors_with_grad_and_float32():
    z, y = _multiclass(4, n=3000)
    logits = torch.tensor(3.0 * z, dtype=torch.float32, requires_grad=True)
    t = fit_temperature(logits, torch.as_tensor(y))
    assert t == pytest.approx(fit_temperature(3.0 * z, y), rel=1e-4)
    assert logits.grad is None
    scaled = apply_temperature(logits, t)
    assert isinstance(scaled, torch.Tensor)
    assert scaled.dtype == torch.float32


def test_tensorflow_tensors():
    tf = pytest.importorskip("tensorflow")
    z, y = _binary(5, n=3000)
    expected = fit_temperature(3.0 * z, y)
    logits = tf.constant(3.0 * z, dtype=tf.float64)
    got = fit_temperature(logits, tf.constant(y))
    assert got == pytest.approx(expected, rel=1e-12)
    scaled = apply_temperature(logits, got)
    assert isinstance(scaled, tf.Tensor)
    assert scaled.device == logits.device
    np.testing.assert_allclose(scaled.numpy(), 3.0 * z / got, rtol=1e-12)
    with pytest.raises(TypeError, match="floating point"):
        apply_temperature(tf.constant([1, 2]), 2.0)


def test_separable_data_warns_at_the_bound():
    logits = np.array([-5.0, -4.0, 4.0, 5.0])
    with pytest.warns(UserWarning, match="lies at a bound"):
        t = fit_temperature(logits, np.array([0, 0, 1, 1]))
    assert t == pytest.approx(0.01, rel=1e-6)


def test_inputs_are_not_modified():
    z, y = _multiclass(6, n=500)
    logits = 2.0 * z
    copies = logits.copy(), y.copy()
    fit_temperature(logits, y)
    apply_temperature(logits, 2.0)
    np.testing.assert_array_equal(logits, copies[0])
    np.testing.assert_array_equal(y, copies[1])


@pytest.mark.parametrize(
    ("logits", "y", "kwargs", "error", "match"),
    [
        (
            np.zeros(3),
            np.array([0, 1, 2]),
            {},
            ValueError,
            r"class indices in \[0, 1\]",
        ),
        (np.zeros((3, 3)), np.array([0, 1, 3]), {}, ValueError, r"in \[0, 2\]"),
        (np.zeros(3), np.array([0.0, 1.0, 1.0]), {}, TypeError, "integer class"),
        (np.zeros((3, 1)), np.array([0, 0, 0]), {}, ValueError, "at least 2 columns"),
        (np.array([0.0, np.nan]), np.array([0, 1]), {}, ValueError, "NaN"),
        (np.zeros(3), np.array([0, 1]), {}, ValueError, "y"),
        (
            np.zeros(2),
            np.array([0, 1]),
            {"bounds": (2.0, 1.0)},
            ValueError,
            "low < high",
        ),
        (np.zeros(2), np.array([0, 1]), {"bounds": 3.0}, TypeError, "`bounds` must"),
        (np.zeros(2), np.array([0, 1]), {"bounds": (0, 1)}, ValueError, "bounds"),
        (np.zeros(2), np.array([0, 1]), {"max_iter": 0}, ValueError, "`max_iter`"),
        (np.zeros(2), np.array([0, 1]), {"tol": -1.0}, ValueError, "`tol`"),
    ],
)
def test_bad_input(logits, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_temperature(logits, y, **kwargs)


def test_bad_temperature():
    with pytest.raises(ValueError, match="`temperature` must be > 0"):
        apply_temperature(np.zeros(2), 0.0)
    with pytest.raises(TypeError, match="`temperature` must be a number"):
        apply_temperature(np.zeros(2), "2")
    assert apply_temperature(np.array([2, 4]), 2.0).tolist() == [1.0, 2.0]
