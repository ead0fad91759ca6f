"""compute_pos_weight: per-label pos_weight for BCE losses, on every backend."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.utils.class_weight import compute_class_weight as sk_class_weight

from balancekit.weighting import POS_WEIGHT_METHODS, compute_pos_weight

RNG = np.random.default_rng(19)
N, Q = 200, 5
Y = (RNG.random((N, Q)) < [0.5, 0.2, 0.05, 0.3, 0.1]).astype(np.int64)
Y[0] = 1  # every label has a positive
WEIGHTS = RNG.random(N) * 2


def _reference(Y, method, beta=0.999, sample_weight=None):
    """The formulas of the docstring, written out in NumPy."""
    w = np.ones(Y.shape[0]) if sample_weight is None else np.asarray(sample_weight)
    pos = (w[:, None] * Y).sum(axis=0)
    neg = w.sum() - pos
    if method == "ratio":
        return neg / pos
    if method == "sqrt":
        return np.sqrt(neg / pos)
    effective = lambda n: (1 - beta**n) / (1 - beta)  # noqa: E731
    return effective(neg) / effective(pos)


@pytest.mark.parametrize("method", POS_WEIGHT_METHODS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_equals_formula(method, weighted):
    sw = WEIGHTS if weighted else None
    result = compute_pos_weight(Y, method=method, beta=0.99, sample_weight=sw)
    assert result.dtype == np.float64
    assert result.shape == (Q,)
    np.testing.assert_allclose(
        result, _reference(Y, method, 0.99, sw), rtol=1e-12, atol=0
    )


def test_ratio_is_scikit_learn_balanced_ratio():
    """n_neg / n_pos is the ratio of scikit-learn's balanced weights per label."""
    expected = []
    for j in range(Q):
        w0, w1 = sk_class_weight("balanced", classes=np.array([0, 1]), y=Y[:, j])
        expected.append(w1 / w0)
    np.testing.assert_allclose(compute_pos_weight(Y), expected, rtol=1e-12)


def test_effective_number_limits():
    """beta = 0: no re-weighting; beta -> 1: the plain ratio."""
    np.testing.assert_array_equal(
        compute_pos_weight(Y, method="effective_number", beta=0.0), np.ones(Q)
    )
    np.testing.assert_allclose(
        compute_pos_weight(Y, method="effective_number", beta=1 - 1e-9),
        compute_pos_weight(Y),
        rtol=1e-5,
    )


@settings(max_examples=25, deadline=None)
@given(
    Y=arrays(
        np.int8,
        st.tuples(st.integers(2, 30), st.integers(1, 4)),
        elements=st.integers(0, 1),
    ),
    method=st.sampled_from(POS_WEIGHT_METHODS),
    beta=st.floats(0.0, 0.9999),
)
def test_property_formula(Y, method, beta):
    Y = Y.copy()
    Y[0] = 1  # a positive in every column
    Y[-1] = 0  # and a negative
    result = compute_pos_weight(Y, method=method, beta=beta)
    np.testing.assert_allclose(result, _reference(Y, method, beta), rtol=1e-12)
    assert (result > 0).all()
    if method == "ratio":  # positives then weigh as much as negatives per label
        pos = Y.sum(axis=0)
        np.testing.assert_allclose(result * pos, Y.shape[0] - pos, rtol=1e-12)


@pytest.mark.parametrize("dtype", [bool, np.int32, np.float32, np.float64])
def test_indicator_dtypes_and_lists(dtype):
    expected = compute_pos_weight(Y)
    np.testing.assert_array_equal(compute_pos_weight(Y.astype(dtype)), expected)
    np.testing.assert_array_equal(compute_pos_weight(Y.tolist()), expected)


def test_one_dimensional_y_is_one_label():
    result = compute_pos_weight(Y[:, 1])
    assert result.shape == (1,)
    np.testing.assert_array_equal(result, compute_pos_weight(Y)[1:2])


def test_pandas_input():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(Y, columns=list("abcde"))
    np.testing.assert_allclose(  # a frame's values are column-major: other sums
        compute_pos_weight(frame, sample_weight=pd.Series(WEIGHTS)),
        compute_pos_weight(Y, sample_weight=WEIGHTS),
        rtol=1e-12,
    )


@pytest.mark.parametrize("method", POS_WEIGHT_METHODS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_backends(backend, method, weighted):
    expected = compute_pos_weight(
        Y, method=method, sample_weight=WEIGHTS if weighted else None
    )
    sw = backend.asarray(WEIGHTS) if weighted else None
    result = compute_pos_weight(backend.asarray(Y), method=method, sample_weight=sw)
    if backend.name != "numpy":
        assert backend.device_of(result) == backend.device
        assert type(result) is type(backend.asarray(np.zeros(1)))
    rtol = 1e-12 if backend.to_numpy(result).dtype == np.float64 else 1e-6
    np.testing.assert_allclose(backend.to_numpy(result), expected, rtol=rtol)


def test_torch_default_dtype_and_float_targets():
    targets = torch.as_tensor(Y, dtype=torch.float32)
    result = compute_pos_weight(targets)
    assert result.dtype == torch.get_default_dtype()
    np.testing.assert_allclose(result.numpy(), compute_pos_weight(Y), rtol=1e-6)


def test_bce_with_logits_end_to_end():
    """The weights plug into BCEWithLogitsLoss and weigh positives as documented."""
    targets = torch.as_tensor(Y, dtype=torch.float32)
    logits = torch.as_tensor(RNG.normal(size=(N, Q)), dtype=torch.float32)
    logits.requires_grad_(True)
    pos_weight = compute_pos_weight(targets)
    loss = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)(logits, targets)
    loss.backward()
    assert logits.grad is not None
    assert torch.isfinite(logits.grad).all()
    p = torch.sigmoid(logits.detach()).double()
    t, w = targets.double(), pos_weight.double()
    manual = -(w * t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()
    assert abs(float(loss.detach()) - float(manual)) < 1e-5
    # with the ratio, each label's positives and negatives weigh the same in total
    np.testing.assert_allclose(
        (pos_weight * targets.sum(0)).numpy(), (1 - targets).sum(0).numpy(), rtol=1e-6
    )


def test_missing_label_raises_with_columns():
    Y2 = Y.copy()
    Y2[:, [1, 3]] = 0
    with pytest.raises(ValueError, match=r"2 label column\(s\) \(1, 3\).*on_missing"):
        compute_pos_weight(Y2)
    result = compute_pos_weight(Y2, on_missing="one")
    assert result[1] == 1.0
    assert result[3] == 1.0
    np.testing.assert_array_equal(result[[0, 2, 4]], compute_pos_weight(Y)[[0, 2, 4]])


def test_zero_weight_positives_count_as_missing():
    sw = np.ones(N)
    sw[Y[:, 2] == 1] = 0.0
    with pytest.raises(ValueError, match=r"\(2\)"):
        compute_pos_weight(Y, sample_weight=sw)


@pytest.mark.parametrize("method", POS_WEIGHT_METHODS)
def test_all_positive_label_gets_zero_and_a_warning(method):
    Y2 = Y.copy()
    Y2[:, 4] = 1
    with pytest.warns(UserWarning, match=r"\(4\).*positive in every sample") as record:
        result = compute_pos_weight(Y2, method=method)
    assert record[0].filename == __file__
    assert result[4] == 0.0
    np.testing.assert_array_equal(result[:4], compute_pos_weight(Y, method=method)[:4])


def test_no_warning_normally():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_pos_weight(Y)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "balanced"}, ValueError, "`method`"),
        ({"beta": 1.0}, ValueError, "`beta`"),
        ({"beta": -0.1}, ValueError, "`beta`"),
        ({"on_missing": "zero"}, ValueError, "`on_missing`"),
        ({"sample_weight": np.ones(3)}, ValueError, r"`sample_weight` must have shape"),
        ({"sample_weight": -np.ones(N)}, ValueError, "negative"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        compute_pos_weight(Y, **kwargs)


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (np.array([[0, 2], [1, 0]]), ValueError, r"`y` .*only 0 and 1"),
        (np.array([[0.0, np.nan], [1, 1]]), ValueError, r"`y` .*NaN"),
        (np.array([["a", "b"]]), TypeError, r"`y` .*dtype"),
        (
            np.zeros((2, 2, 2)),
            ValueError,
            r"`y` must be a multilabel indicator of shape",
        ),
        (np.zeros((0, 3)), ValueError, r"`y` .*empty"),
        ([[1, 0], [1]], ValueError, "same length"),
    ],
)
def test_bad_indicator(y, error, match):
    with pytest.raises(error, match=match):
        compute_pos_weight(y)


def test_sparse_refused():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="`y` is a SciPy sparse matrix"):
        compute_pos_weight(sparse.csr_matrix(Y))


def test_inputs_not_modified():
    Y2, sw = Y.copy(), WEIGHTS.copy()
    compute_pos_weight(Y2, sample_weight=sw, method="effective_number")
    np.testing.assert_array_equal(Y2, Y)
    np.testing.assert_array_equal(sw, WEIGHTS)


def test_pickles():
    assert pickle.loads(pickle.dumps(compute_pos_weight)) is compute_pos_weight


def test_weighted_all_positive_label_is_exactly_zero():
    Y2 = Y.copy()
    Y2[:, 0] = 1
    with pytest.warns(UserWarning, match=r"\(0\)"):
        result = compute_pos_weight(Y2, sample_weight=WEIGHTS * 0.1)
    assert result[0] == 0.0
