"""multilabel_confusion_matrix and hamming_loss against scikit-learn: exact values and
dtypes on NumPy, the same results on every backend (on the input's device)."""

from __future__ import annotations

import warnings

import array_api_compat
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from balancekit.metrics._multilabel_confusion import (
    hamming_loss,
    multilabel_confusion_matrix,
)

SETTINGS = settings(max_examples=40, deadline=None)


def _weights(draw, n: int) -> np.ndarray:
    """Weights on a grid of quarters (zeros included): sums are exact in any order,
    so float results must equal scikit-learn's bit for bit."""
    quarters = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    weights = np.asarray(quarters, dtype=float) / 4
    if not weights.any():
        weights[0] = 1.0
    return weights


@st.composite
def one_d_case(draw):
    """1-D labels: binary, multiclass ints or strings, optional labels and weights."""
    n = draw(st.integers(1, 30))
    pool = draw(
        st.sampled_from(
            [[0, 1], [0, 1, 2, 5], ["a", "b", "c"], [-3, 4, 70000], [True, False]]
        )
    )
    y_true = np.asarray(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    y_pred = np.asarray(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n)))
    kwargs = {}
    if draw(st.booleans()):
        extra = ["z"] if isinstance(pool[0], str) else [9]
        kwargs["labels"] = draw(st.permutations(pool + extra))[
            : draw(st.integers(1, len(pool) + 1))
        ]
    if draw(st.booleans()):
        kwargs["sample_weight"] = _weights(draw, n)
    return y_true, y_pred, kwargs


@st.composite
def indicator_case(draw):
    """Indicators with 2-6 labels in int, float or bool; labels, weights, samplewise."""
    n = draw(st.integers(1, 25))
    n_labels = draw(st.integers(2, 6))
    cells = st.lists(st.integers(0, 1), min_size=n * n_labels, max_size=n * n_labels)
    dtype = draw(st.sampled_from([np.int64, np.float64, bool]))
    y_true = np.asarray(draw(cells)).reshape(n, n_labels).astype(dtype)
    y_pred = np.asarray(draw(cells)).reshape(n, n_labels).astype(dtype)
    kwargs: dict = {"samplewise": draw(st.booleans())}
    if draw(st.booleans()):
        size = draw(st.integers(1, n_labels))
        kwargs["labels"] = draw(st.permutations(list(range(n_labels))))[:size]
    weighting = draw(st.sampled_from(["none", "float", "int"]))
    if weighting == "float":
        kwargs["sample_weight"] = _weights(draw, n)
    elif weighting == "int":
        kwargs["sample_weight"] = (_weights(draw, n) * 4).astype(np.int64)
    return y_true, y_pred, kwargs


def _assert_same(ours, reference):
    ours = np.asarray(ours)
    assert ours.dtype == reference.dtype
    assert ours.shape == reference.shape
    np.testing.assert_array_equal(ours, reference)


@SETTINGS
@given(one_d_case())
def test_one_d_equals_sklearn(case):
    y_true, y_pred, kwargs = case
    _assert_same(
        multilabel_confusion_matrix(y_true, y_pred, **kwargs),
        skm.multilabel_confusion_matrix(y_true, y_pred, **kwargs),
    )
    weight = {"sample_weight": kwargs.get("sample_weight")}
    assert hamming_loss(y_true, y_pred, **weight) == skm.hamming_loss(
        y_true, y_pred, **weight
    )


@SETTINGS
@given(indicator_case())
def test_indicator_equals_sklearn(case):
    y_true, y_pred, kwargs = case
    _assert_same(
        multilabel_confusion_matrix(y_true, y_pred, **kwargs),
        skm.multilabel_confusion_matrix(y_true, y_pred, **kwargs),
    )
    weight = {"sample_weight": kwargs.get("sample_weight")}
    assert hamming_loss(y_true, y_pred, **weight) == skm.hamming_loss(
        y_true, y_pred, **weight
    )


def test_random_float_weights_to_round_off():
    """Arbitrary float weights: equal to scikit-learn to 1e-12 (summation order)."""
    rng = np.random.default_rng(3)
    weights = rng.random(400)
    one_d = rng.integers(0, 5, 400), rng.integers(0, 5, 400)
    multi = rng.integers(0, 2, (400, 7)), rng.integers(0, 2, (400, 7))
    for (y_true, y_pred), kwargs in [
        (one_d, {}),
        (multi, {}),
        (multi, {"samplewise": True}),
        (multi, {"labels": [6]}),
    ]:
        ours = multilabel_confusion_matrix(
            y_true, y_pred, sample_weight=weights, **kwargs
        )
        reference = skm.multilabel_confusion_matrix(
            y_true, y_pred, sample_weight=weights, **kwargs
        )
        assert ours.dtype == reference.dtype
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(
            hamming_loss(y_true, y_pred, sample_weight=weights),
            skm.hamming_loss(y_true, y_pred, sample_weight=weights),
            rtol=1e-12,
        )


def test_edge_cases_follow_sklearn():
    y = np.array([0, 1, 2, 2])
    wrong = np.array([1, 2, 0, 0])
    indicator = np.array([[0, 1, 1], [1, 1, 0]])
    cases = [
        ((y, wrong), {}),  # no sample right: scikit-learn gives floats
        ((y, y), {"labels": [1, 1]}),  # repeated labels
        ((y, y), {"labels": []}),  # no labels: shape (0, 2, 2)
        ((y, y), {"sample_weight": np.array([1, 2, 0, 3])}),  # int weights: floats
        ((indicator, indicator[::-1]), {"labels": []}),
        ((indicator, indicator[::-1]), {"labels": [0, 0, 2]}),
        ((indicator, indicator[::-1]), {"labels": np.array([2, 1])}),
        ((y[:, None], wrong[:, None]), {}),  # columns are 1-D labels
    ]
    for args, kwargs in cases:
        _assert_same(
            multilabel_confusion_matrix(*args, **kwargs),
            skm.multilabel_confusion_matrix(*args, **kwargs),
        )


# ------------------------------------------------------------------- backends

RNG = np.random.default_rng(19)
N = 120
Y1_TRUE = RNG.choice([0, 1, 2, 5], size=N)
Y1_PRED = np.where(RNG.random(N) < 0.6, Y1_TRUE, RNG.choice([0, 1, 2, 7], size=N))
YM_TRUE = (RNG.random((N, 5)) < 0.3).astype(np.int64)
YM_PRED = np.where(RNG.random((N, 5)) < 0.7, YM_TRUE, 1 - YM_TRUE)
WEIGHTS = RNG.integers(0, 9, N) / 4

BACKEND_CASES = [
    ("1d", {}),
    ("1d", {"labels": [5, 0, 9]}),
    ("1d", {"weighted": True}),
    ("multilabel", {}),
    ("multilabel", {"labels": [4, 0, 2]}),
    ("multilabel", {"weighted": True}),
    ("multilabel", {"weighted": True, "samplewise": True}),
    ("multilabel", {"samplewise": True, "labels": [1, 3]}),
    ("multilabel", {"int_weights": True, "samplewise": True}),
    ("1d-no-match", {}),  # no sample right: floats, as scikit-learn
]


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    BACKEND_CASES,
    ids=[f"{kind}-{i}" for i, (kind, _) in enumerate(BACKEND_CASES)],
)
def test_backend_equals_sklearn(backend, kind, kwargs):
    y_true, y_pred = {
        "1d": (Y1_TRUE, Y1_PRED),
        "1d-no-match": (Y1_TRUE, Y1_TRUE + 1),
        "multilabel": (YM_TRUE, YM_PRED),
    }[kind]
    kwargs = dict(kwargs)
    weights = WEIGHTS if kwargs.pop("weighted", False) else None
    if kwargs.pop("int_weights", False):
        weights = (WEIGHTS * 4).astype(np.int64)
    expected = skm.multilabel_confusion_matrix(
        y_true, y_pred, sample_weight=weights, **kwargs
    )
    expected_loss = skm.hamming_loss(y_true, y_pred, sample_weight=weights)
    arrays = [backend.asarray(y_true), backend.asarray(y_pred)]
    on_device = None if weights is None else backend.asarray(weights)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = multilabel_confusion_matrix(*arrays, sample_weight=on_device, **kwargs)
        loss = hamming_loss(*arrays, sample_weight=on_device)
    if backend.name != "numpy":
        for value in (result, loss):
            assert backend.device_of(value) == backend.device
            assert type(value) is type(backend.asarray(np.zeros(1)))
    host = backend.to_numpy(result)
    assert host.dtype == expected.dtype
    np.testing.assert_array_equal(host, expected)
    assert float(backend.to_numpy(loss)) == expected_loss


# ------------------------------------------------------------------ bad input

INDICATOR = np.array([[0, 1], [1, 1], [0, 0]])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "match"),
    [
        (INDICATOR, INDICATOR[:2], {}, "`y_true` and `y_pred` have different lengths"),
        (
            INDICATOR,
            np.ones((3, 3), dtype=int),
            {},
            "different numbers of labels.*`y_pred` has 3",
        ),
        (
            INDICATOR,
            INDICATOR * 2,
            {},
            "`y_pred` must hold only 0 and 1",
        ),
        (
            INDICATOR - 1,
            INDICATOR,
            {},
            "`y_true` must hold only 0 and 1",
        ),
        (INDICATOR, np.array([0, 1, 1]), {}, "mix of multilabel-indicator.*`y_pred`"),
        (np.array([0, 1, 1]), INDICATOR, {}, "mix of multilabel-indicator.*`y_true`"),
        (
            np.array([0, 1, 1]),
            np.array([0, 1, 0]),
            {"samplewise": True},
            "Samplewise.*`samplewise=True`",
        ),
        (INDICATOR, INDICATOR, {"labels": [0, 2]}, "`labels` holds 2.*2 columns"),
        (INDICATOR, INDICATOR, {"labels": [-1, 0]}, "`labels` holds -1 < 0"),
        (INDICATOR, INDICATOR, {"labels": [0.5]}, "`labels` must be column indices"),
        (INDICATOR, INDICATOR, {"labels": [[0, 1]]}, "`labels` must be a 1-D"),
        (
            INDICATOR,
            INDICATOR,
            {"sample_weight": np.zeros(3)},
            "Sample weights must contain at least one non-zero",
        ),
        (
            INDICATOR.astype(str),
            INDICATOR.astype(str),
            {},
            "`y_true` must be a multilabel indicator of 0/1 values of a bool, integer "
            "or float dtype; got dtype",
        ),
    ],
)
def test_bad_input(y_true, y_pred, kwargs, match):
    """scikit-learn's error class (ValueError), balancekit's wording."""
    with pytest.raises(ValueError, match=match):
        multilabel_confusion_matrix(y_true, y_pred, **kwargs)
    if not _sklearn_reads_as_nonzero(y_true, y_pred):
        with pytest.raises(ValueError, match=r"."):  # scikit-learn's own wording
            skm.multilabel_confusion_matrix(y_true, y_pred, **kwargs)
    if not kwargs or "sample_weight" in kwargs:
        with pytest.raises(ValueError, match=match):
            hamming_loss(y_true, y_pred, **kwargs)


def _sklearn_reads_as_nonzero(y_true, y_pred):
    """scikit-learn takes any 2-D target of two integer values as an indicator (and
    counts the non-zero entries): balancekit asks for 0/1 (a deliberate difference)."""
    both = np.concatenate([y_true.ravel(), y_pred.ravel()])
    return (
        y_true.ndim == y_pred.ndim == 2
        and both.dtype.kind in "iu"
        and (len(np.unique(y_true)) <= 2 and len(np.unique(y_pred)) <= 2)
    )


def test_two_valued_non_binary_indicator_is_refused():
    """The difference above, pinned: scikit-learn counts -1 as a positive."""
    reference = skm.multilabel_confusion_matrix(INDICATOR - 1, INDICATOR)
    # every -1 is counted as a true positive label (the rows [fn, tp])
    assert reference[:, 1, :].sum() == np.count_nonzero(INDICATOR - 1)
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        multilabel_confusion_matrix(INDICATOR - 1, INDICATOR)


def test_samplewise_must_be_a_bool():
    with pytest.raises(TypeError, match="`samplewise` must be True or False"):
        multilabel_confusion_matrix(INDICATOR, INDICATOR, samplewise="yes")


def test_inputs_not_modified():
    y_true, y_pred = INDICATOR.copy(), INDICATOR[::-1].copy()
    weights = np.array([1.0, 0.0, 2.0])
    multilabel_confusion_matrix(y_true, y_pred, sample_weight=weights, labels=[1])
    hamming_loss(y_true, y_pred, sample_weight=weights)
    np.testing.assert_array_equal(y_true, INDICATOR)
    np.testing.assert_array_equal(y_pred, INDICATOR[::-1])
    np.testing.assert_array_equal(weights, [1.0, 0.0, 2.0])


@pytest.mark.parametrize("function", [multilabel_confusion_matrix, hamming_loss])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_dask_refused(function, position):
    """Dask is not in scope: refused with a TypeError naming the parameter."""
    da = pytest.importorskip("dask.array")
    args = [INDICATOR, INDICATOR, np.ones(3)]
    names = ["y_true", "y_pred", "sample_weight"]
    args[position] = da.from_array(args[position])
    with pytest.raises(TypeError, match=f"`{names[position]}` is a Dask collection"):
        function(args[0], args[1], sample_weight=args[2])
    one_d = [np.array([0, 1, 1]), np.array([1, 1, 0]), np.ones(3)]
    one_d[position] = da.from_array(one_d[position])
    with pytest.raises(TypeError, match=f"`{names[position]}` is a Dask collection"):
        function(one_d[0], one_d[1], sample_weight=one_d[2])


@pytest.mark.parametrize("container", ["csr_matrix", "csc_matrix", "csr_array"])
def test_sparse_indicators_are_read_dense(container):
    import scipy.sparse as sp

    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 2, (12, 4)), rng.integers(0, 2, (12, 4))
    make = getattr(sp, container)
    expected = multilabel_confusion_matrix(y_true, y_pred)
    for true, pred in ((make(y_true), y_pred), (y_true, make(y_pred))):
        got = multilabel_confusion_matrix(true, pred)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype
    assert float(hamming_loss(make(y_true), make(y_pred))) == float(
        hamming_loss(y_true, y_pred)
    )


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int64, np.float32])
@pytest.mark.parametrize("shape", [(1, 3), (126, 2), (127, 5), (128, 130), (600, 256)])
def test_count_positives_blocks_never_overflow(backend, dtype, shape):
    """One-byte arrays are summed in blocks of 127 (int8) or 255 (uint8) rows, and
    rows of more columns than that widen first: every count is exact."""
    from balancekit.metrics._multilabel_confusion import count_positives

    rng = np.random.default_rng(shape[0])
    ones = rng.random(shape) < 0.97  # nearly all 1s: the worst case for overflow
    host = ones.astype(dtype)
    if np.issubdtype(dtype, np.floating):
        host = host != 0  # the pair check turns float indicators into bool
    array = backend.asarray(host)
    xp = array_api_compat.array_namespace(array)
    for axis in (0, 1):
        counts = count_positives(array, axis, xp, backend.device)
        np.testing.assert_array_equal(
            backend.to_numpy(counts), ones.sum(axis=axis), err_msg=f"axis {axis}"
        )
