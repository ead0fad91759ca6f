"""Label-ranking metrics against scikit-learn, on every backend, and their errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import balancekit.metrics._label_ranking as lr
from balancekit.metrics._label_ranking import (
    coverage_error,
    label_ranking_average_precision_score,
    label_ranking_loss,
)
from tests.conftest import NUMPY, STRICT_CPU, STRICT_DEVICE1, _strict, _torch

OURS = {
    "coverage_error": coverage_error,
    "label_ranking_average_precision_score": label_ranking_average_precision_score,
    "label_ranking_loss": label_ranking_loss,
}
NAMES = sorted(OURS)
# scikit-learn calls a single label column "binary" and refuses it in these two
NEEDS_TWO_LABELS = {"coverage_error", "label_ranking_loss"}
BACKENDS = [NUMPY, _strict(STRICT_CPU), _strict(STRICT_DEVICE1), _torch("cpu")]
RTOL, ATOL = 1e-12, 1e-15


def _oracle(name, y_true, y_score, weights):
    return getattr(skm, name)(y_true, y_score, sample_weight=weights)


def _check_result(backend, ours, expected):
    if backend.name == "numpy":
        assert isinstance(ours, np.float64)
    else:
        assert backend.device_of(ours) == backend.device
        assert type(ours) is type(backend.asarray(np.zeros(1)))
        assert ours.ndim == 0
    np.testing.assert_allclose(backend.to_numpy(ours), expected, rtol=RTOL, atol=ATOL)


@st.composite
def _cases(draw):
    """Indicator rows (with all-0 and all-1 rows), tied scores, zero weights."""
    n_samples = draw(st.integers(1, 10))
    n_labels = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y_true = rng.random((n_samples, n_labels)) < draw(st.sampled_from([0.2, 0.5, 0.8]))
    y_true = y_true.astype(np.int64)
    extremes = rng.integers(0, 3, n_samples)
    y_true[extremes == 1] = 0
    y_true[extremes == 2] = 1
    levels = draw(st.integers(1, 5))  # few levels: many ties
    y_score = rng.integers(0, levels, (n_samples, n_labels)) / 4.0 - 0.3
    weights = None
    if draw(st.booleans()):
        weights = rng.random(n_samples) * 3
        weights[rng.random(n_samples) < 0.3] = 0.0
        weights[rng.integers(n_samples)] = 0.5  # never all zero
    return y_true, y_score, weights


def _compare(backend, name, y_true, y_score, weights):
    function = OURS[name]
    args = (backend.asarray(y_true), backend.asarray(y_score))
    weight = None if weights is None else backend.asarray(weights)
    if name in NEEDS_TWO_LABELS and y_true.shape[1] < 2:
        with pytest.raises(ValueError, match="format is not supported"):
            _oracle(name, y_true, y_score, weights)
        with pytest.raises(ValueError, match="at least 2"):
            function(*args, sample_weight=weight)
        return
    expected = _oracle(name, y_true, y_score, weights)
    _check_result(backend, function(*args, sample_weight=weight), expected)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None)
@given(case=_cases())
def test_equals_sklearn_numpy(name, case):
    _compare(NUMPY, name, *case)


@pytest.mark.parametrize("backend", BACKENDS[1:], ids=repr)
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(case=_cases())
def test_equals_sklearn_other_backends(backend, name, case):
    """array-api-strict (CPU and device1) and torch CPU: the oracle's value, on the
    input's device."""
    _compare(backend, name, *case)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("score_dtype", [np.float32, np.float64])
def test_every_backend_and_score_dtype(backend, name, score_dtype):
    """A larger case on every backend (torch on its own and on the NumPy route);
    float32 scores keep their ties in float32, as scikit-learn does."""
    rng = np.random.default_rng(3)
    y_true = (rng.random((150, 6)) < 0.4).astype(np.int64)
    y_true[:10] = 0
    y_true[10:20] = 1
    y_score = (rng.integers(0, 7, (150, 6)) / 7.0 + 1e-9).astype(score_dtype)
    weights = rng.random(150)
    weights[::5] = 0.0
    for w in (None, weights):
        expected = _oracle(name, y_true, y_score, w)
        ours = OURS[name](
            backend.asarray(y_true),
            backend.asarray(y_score),
            sample_weight=None if w is None else backend.asarray(w),
        )
        _check_result(backend, ours, expected)


@pytest.mark.parametrize("name", NAMES)
def test_chunked_rows_give_the_same_result(monkeypatch, name):
    """Chunks of a few rows (a tiny budget) reduce to the same value."""
    rng = np.random.default_rng(5)
    y_true = (rng.random((37, 5)) < 0.5).astype(np.int64)
    y_score = rng.integers(0, 4, (37, 5)).astype(float)
    weights = rng.random(37)
    expected = _oracle(name, y_true, y_score, weights)
    monkeypatch.setattr(lr, "_PAIR_BUDGET", 60)
    assert lr._pair_rows(5) == 2
    ours = OURS[name](y_true, y_score, sample_weight=weights)
    np.testing.assert_allclose(ours, expected, rtol=RTOL)


@pytest.mark.parametrize("name", NAMES)
def test_input_forms_and_nothing_modified(name):
    """Lists, booleans and integer scores are read as scikit-learn reads them; the
    caller's arrays are left as they were."""
    y_true = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    y_score = np.array([[3, 3, 1], [0, 2, 2], [1, 1, 5], [2, 2, 2]])
    weights = np.array([1.0, 0.0, 2.0, 1.0])
    copies = y_true.copy(), y_score.copy(), weights.copy()
    expected = _oracle(name, y_true, y_score, weights)
    function = OURS[name]
    for args in [
        (y_true, y_score),
        (y_true.tolist(), y_score.tolist()),
        (y_true.astype(bool), y_score),
        (y_true.astype(np.float32), y_score.astype(np.float64)),
    ]:
        result = function(*args, sample_weight=weights)
        np.testing.assert_allclose(result, expected, rtol=RTOL)
    for given_array, copy in zip((y_true, y_score, weights), copies, strict=True):
        np.testing.assert_array_equal(given_array, copy)


def test_documented_values():
    """scikit-learn's docstring examples."""
    assert coverage_error([[1, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]]) == 1.5
    y_true, y_score = [[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]]
    assert label_ranking_loss(y_true, y_score) == 0.75
    np.testing.assert_allclose(
        label_ranking_average_precision_score(y_true, y_score), 5 / 12, rtol=RTOL
    )


GOOD_TRUE = np.array([[1, 0, 1], [0, 1, 0]])
GOOD_SCORE = np.array([[0.1, 0.5, 0.2], [0.3, 0.3, 0.9]])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("y_true", "y_score", "kwargs", "error", "match"),
    [
        (GOOD_TRUE, GOOD_SCORE[:, :2], {}, ValueError, "same shape"),
        (GOOD_TRUE[:1], GOOD_SCORE, {}, ValueError, "same shape"),
        (GOOD_TRUE[0], GOOD_SCORE[0], {}, ValueError, "`y_true` must be a multilabel"),
        (GOOD_TRUE, GOOD_SCORE[0], {}, ValueError, "`y_score` must have shape"),
        (GOOD_TRUE * 2, GOOD_SCORE, {}, ValueError, "`y_true` must hold only 0 and 1"),
        (GOOD_TRUE - 1, GOOD_SCORE, {}, ValueError, "`y_true` must hold only 0 and 1"),
        (GOOD_TRUE * 0.5, GOOD_SCORE, {}, ValueError, "only 0 and 1"),
        (
            GOOD_TRUE.astype(str),
            GOOD_SCORE,
            {},
            TypeError,
            "`y_true` must be a multilabel",
        ),
        (GOOD_TRUE, GOOD_SCORE.astype(str), {}, TypeError, "`y_score` must hold real"),
        (GOOD_TRUE, GOOD_SCORE * np.nan, {}, ValueError, "`y_score` contains NaN"),
        (GOOD_TRUE, GOOD_SCORE + np.inf, {}, ValueError, "`y_score` contains NaN"),
        (GOOD_TRUE[:0], GOOD_SCORE[:0], {}, ValueError, "`y_true` is empty"),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [1.0, -1.0]},
            ValueError,
            "`sample_weight` contains negative",
        ),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [1.0]},
            ValueError,
            r"`sample_weight` must have shape \(2,\)",
        ),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [0.0, 0.0]},
            ValueError,
            "`sample_weight` sums to zero",
        ),
        (
            GOOD_TRUE,
            GOOD_SCORE,
            {"sample_weight": [np.nan, 1.0]},
            ValueError,
            "`sample_weight` contains NaN",
        ),
    ],
)
def test_bad_input_is_refused_clearly(name, y_true, y_score, kwargs, error, match):
    with pytest.raises(error, match=match):
        OURS[name](y_true, y_score, **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_sparse_y_true_reads_as_dense(name):
    """A sparse indicator (scikit-learn takes one) gives the dense result; with
    other values than 0/1 it is refused as the dense one."""
    sparse = pytest.importorskip("scipy.sparse")
    expected = _oracle(name, GOOD_TRUE, GOOD_SCORE, None)
    for container in (sparse.csr_matrix, sparse.csr_array, sparse.coo_array):
        result = OURS[name](container(GOOD_TRUE), GOOD_SCORE)
        np.testing.assert_allclose(result, expected, rtol=RTOL)
    with pytest.raises(ValueError, match="only 0 and 1"):
        OURS[name](sparse.csr_array(GOOD_TRUE * 3), GOOD_SCORE)


def test_one_label():
    """One column: LRAP is 1 (every row is degenerate), as scikit-learn; the other
    two refuse it, as scikit-learn does."""
    y_true, y_score = np.array([[1], [0], [1]]), np.array([[0.2], [0.4], [0.1]])
    assert label_ranking_average_precision_score(y_true, y_score) == 1.0
    assert skm.label_ranking_average_precision_score(y_true, y_score) == 1.0
    for function in (coverage_error, label_ranking_loss):
        with pytest.raises(ValueError, match="needs at least 2"):
            function(y_true, y_score)


@pytest.mark.parametrize("name", NAMES)
def test_devices(name):
    """Host-side labels follow the scores to their device (as every balancekit
    metric); labels on another device are refused, never moved."""
    import array_api_strict

    on_cpu = array_api_strict.asarray(GOOD_TRUE, device=STRICT_CPU)
    on_device1 = array_api_strict.asarray(GOOD_TRUE, device=STRICT_DEVICE1)
    score_device1 = array_api_strict.asarray(GOOD_SCORE, device=STRICT_DEVICE1)
    ours = OURS[name](on_cpu, score_device1)
    assert ours.device == STRICT_DEVICE1
    expected = _oracle(name, GOOD_TRUE, GOOD_SCORE, None)
    np.testing.assert_allclose(float(ours.to_device(STRICT_CPU)), expected, rtol=RTOL)
    score_cpu = array_api_strict.asarray(GOOD_SCORE, device=STRICT_CPU)
    with pytest.raises(ValueError, match="device"):
        OURS[name](on_device1, score_cpu)


@pytest.mark.parametrize("name", NAMES)
def test_dask_refused_clearly(name):
    da = pytest.importorskip("dask.array")
    d_true = da.from_array(GOOD_TRUE, chunks=1)
    d_score = da.from_array(GOOD_SCORE, chunks=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=rf"Dask collection.*{name}\(\)"):
            OURS[name](d_true, d_score)
