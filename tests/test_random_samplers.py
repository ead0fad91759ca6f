"""Random over- and under-sampling: counts, devices, seeds, containers, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.linear_model import LogisticRegression

from balancekit import RandomOverSampler, RandomUnderSampler

SAMPLERS = {
    "ros": lambda **kw: RandomOverSampler(**kw),
    "ros-shrinkage": lambda **kw: RandomOverSampler(shrinkage=1.0, **kw),
    "rus": lambda **kw: RandomUnderSampler(**kw),
    "rus-replacement": lambda **kw: RandomUnderSampler(replacement=True, **kw),
}
PEERS = {
    "ros": ImbRandomOverSampler,
    "ros-shrinkage": lambda **kw: ImbRandomOverSampler(shrinkage=1.0, **kw),
    "rus": ImbRandomUnderSampler,
    "rus-replacement": lambda **kw: ImbRandomUnderSampler(replacement=True, **kw),
}


def make_data(n_per_class=(60, 25, 9), n_features=4, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = (rng.normal(size=(y.size, n_features)) + y[:, None]).astype(dtype)
    return X, y


@pytest.fixture(params=list(SAMPLERS))
def kind(request):
    return request.param


def test_counts_equal_imblearn(kind):
    X, y = make_data()
    _, y_res = SAMPLERS[kind](random_state=0).fit_resample(X, y)
    _, y_peer = PEERS[kind](random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()


@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "all",
        "not majority",
        "not minority",
        "minority",
        "majority",
        0.5,
        "dict",
    ],
)
def test_counts_equal_imblearn_for_every_strategy(kind, strategy):
    X, y = make_data(n_per_class=(60, 25))
    over = kind.startswith("ros")
    if strategy == "dict":
        strategy = {1: 40} if over else {0: 30}
    if strategy == ("majority" if over else "minority"):
        pytest.skip("not a valid strategy for this kind of sampler")
    _, y_res = SAMPLERS[kind](random_state=0, sampling_strategy=strategy).fit_resample(
        X, y
    )
    _, y_peer = PEERS[kind](random_state=0, sampling_strategy=strategy).fit_resample(
        X, y
    )
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()


def test_rows_come_from_the_input(kind):
    X, y = make_data()
    sampler = SAMPLERS[kind](random_state=3)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(y_res, y[idx])
    if kind == "ros-shrinkage":
        np.testing.assert_array_equal(X_res[: len(y)], X)  # originals untouched
        assert not np.array_equal(
            X_res[len(y) :], X[idx[len(y) :]]
        )  # new rows are noisy
    else:
        np.testing.assert_array_equal(X_res, X[idx])
    if kind.startswith("ros"):
        np.testing.assert_array_equal(idx[: len(y)], np.arange(len(y)))
    if kind == "rus":
        assert len(np.unique(idx)) == len(idx)  # without replacement


def test_backend_output_matches_numpy(kind, backend):
    X, y = make_data()
    w = np.linspace(0.5, 2.0, y.size).astype(np.float32)
    X_np, y_np, w_np = SAMPLERS[kind](random_state=7).fit_resample(
        X, y, sample_weight=w
    )
    sampler = SAMPLERS[kind](random_state=7)
    X_b, y_b, w_b = sampler.fit_resample(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(w)
    )
    for out, expected in [(X_b, X_np), (y_b, y_np), (w_b, w_np)]:
        assert type(out) is type(backend.asarray(expected))
        assert backend.device_of(out) == backend.device
        assert backend.to_numpy(out).dtype == expected.dtype
        # float32 reductions (the class std of shrinkage) differ in the last bits
        np.testing.assert_allclose(
            backend.to_numpy(out), expected, rtol=1e-5, atol=1e-6
        )
    assert backend.device_of(sampler.sample_indices_) == backend.device


def test_fit_resample_indices_on_backend(kind, backend):
    _, y = make_data()
    idx = SAMPLERS[kind](random_state=1).fit_resample_indices(backend.asarray(y))
    assert backend.device_of(idx) == backend.device
    idx_np = SAMPLERS[kind](random_state=1).fit_resample_indices(y)
    np.testing.assert_array_equal(backend.to_numpy(idx), idx_np)


def test_same_seed_same_output_other_seed_other_output(kind):
    X, y = make_data()
    first = SAMPLERS[kind](random_state=11).fit_resample(X, y)
    again = SAMPLERS[kind](random_state=11).fit_resample(X, y)
    other = SAMPLERS[kind](random_state=12).fit_resample(X, y)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_generator_random_state_advances(kind):
    X, y = make_data()
    sampler = SAMPLERS[kind](random_state=np.random.default_rng(5))
    first = sampler.fit_resample(X, y)[0]
    second = sampler.fit_resample(X, y)[0]
    assert not np.array_equal(first, second)


def test_inputs_are_not_modified(kind, backend):
    X, y = make_data()
    w = np.ones(y.size)
    X_b, y_b, w_b = (
        backend.asarray(X.copy()),
        backend.asarray(y.copy()),
        backend.asarray(w),
    )
    SAMPLERS[kind](random_state=0).fit_resample(X_b, y_b, sample_weight=w_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)
    np.testing.assert_array_equal(backend.to_numpy(w_b), w)


@pytest.mark.parametrize("shape", [(8, 8), (3, 5, 5), (16,)])
def test_any_number_of_feature_dimensions(kind, backend, shape):
    X2, y = make_data(n_features=int(np.prod(shape)))
    X = X2.reshape(-1, *shape) if len(shape) > 1 else X2
    X_res, y_res = SAMPLERS[kind](random_state=0).fit_resample(
        backend.asarray(X), backend.asarray(y)
    )
    assert tuple(X_res.shape[1:]) == X.shape[1:]
    assert X_res.shape[0] == y_res.shape[0]


def test_sample_weight_follows_the_rows(kind):
    X, y = make_data()
    w = np.arange(y.size, dtype=np.float64)
    sampler = SAMPLERS[kind](random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=w)
    np.testing.assert_array_equal(w_res, w[sampler.sample_indices_])


def test_pandas_in_pandas_out(kind):
    X, y = make_data()
    X_df = pd.DataFrame(
        X, columns=[f"f{i}" for i in range(X.shape[1])], index=np.arange(y.size) * 3
    )
    X_df["cat"] = pd.Categorical(np.where(y == 0, "a", "b"))
    y_s = pd.Series(y, name="target", index=X_df.index)
    if kind == "ros-shrinkage":
        X_df = X_df.drop(columns="cat")
    sampler = SAMPLERS[kind](random_state=0)
    X_res, y_res = sampler.fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame)
    assert isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(X_df.columns)
    assert y_res.name == "target"
    assert (X_res.index == y_res.index).all()
    if kind != "ros-shrinkage":
        assert X_res["cat"].dtype == X_df["cat"].dtype
    np.testing.assert_array_equal(y_res.to_numpy(), y[sampler.sample_indices_])
    np.testing.assert_array_equal(sampler.feature_names_in_, X_df.columns)


def test_string_labels(kind):
    X, y = make_data()
    names = np.array(["cat", "dog", "eel"])[y]
    _, y_res = SAMPLERS[kind](random_state=0).fit_resample(X, names)
    _, y_int = SAMPLERS[kind](random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(y_res, np.array(["cat", "dog", "eel"])[y_int])


def test_one_hot_labels_come_back_one_hot(kind, backend):
    X, y = make_data()
    one_hot = np.eye(3, dtype=np.int64)[y]
    _, y_res = SAMPLERS[kind](random_state=0).fit_resample(
        backend.asarray(X), backend.asarray(one_hot)
    )
    _, y_int = SAMPLERS[kind](random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(
        backend.to_numpy(y_res), np.eye(3, dtype=np.int64)[y_int]
    )


def test_sparse_input_keeps_its_format(kind):
    X, y = make_data()
    X[X < 0.5] = 0
    for fmt in ("csr", "csc"):
        X_sp = sp.csr_matrix(X).asformat(fmt)
        X_res, _ = SAMPLERS[kind](random_state=0).fit_resample(X_sp, y)
        X_dense, _ = SAMPLERS[kind](random_state=0).fit_resample(X, y)
        assert sp.issparse(X_res)
        assert X_res.format == fmt
        np.testing.assert_allclose(X_res.toarray(), X_dense, rtol=1e-5)


def test_imblearn_pipeline():
    X, y = make_data(n_per_class=(200, 20))
    model = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    model.fit(X, y)
    assert model.predict(X).shape == y.shape


def test_shrinkage_noise_scale():
    # Smoothed bootstrap: noise std = shrinkage * h * class std, h from
    # Silverman's rule.
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (2000, 2)), rng.normal(0, 3, (200, 2))])
    y = np.repeat([0, 1], [2000, 200])
    sampler = RandomOverSampler(random_state=0, shrinkage=2.0)
    X_res, _ = sampler.fit_resample(X, y)
    noise = X_res[y.size :] - X[sampler.sample_indices_[y.size :]]
    n, d = X.shape
    h = (4 / ((d + 2) * n)) ** (1 / (d + 4))
    np.testing.assert_allclose(
        noise.std(axis=0), 2.0 * h * X[y == 1].std(axis=0), rtol=0.05
    )
    assert sampler.shrinkage_ == {1: 2.0}


def test_shrinkage_zero_is_a_plain_bootstrap():
    X, y = make_data()
    plain = RandomOverSampler(random_state=0).fit_resample(X, y)[0]
    zero = RandomOverSampler(random_state=0, shrinkage=0.0).fit_resample(X, y)[0]
    np.testing.assert_array_equal(plain, zero)


@pytest.mark.parametrize(
    ("shrinkage", "error", "match"),
    [
        (-1.0, ValueError, "number >= 0"),
        ({1: 0.5}, ValueError, r"missing: \[2\]"),
        ("big", TypeError, "`shrinkage` must be None"),
    ],
)
def test_bad_shrinkage(shrinkage, error, match):
    X, y = make_data()
    with pytest.raises(error, match=match):
        RandomOverSampler(shrinkage=shrinkage).fit_resample(X, y)


def test_shrinkage_needs_numbers():
    X = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    with pytest.raises(
        TypeError, match="`shrinkage` adds noise to the repeated rows and needs numbers"
    ):
        RandomOverSampler(shrinkage=1.0).fit_resample(X, [0, 0, 0, 1])


def test_bad_replacement():
    X, y = make_data()
    with pytest.raises(TypeError, match="`replacement` must be True or False"):
        RandomUnderSampler(replacement="yes").fit_resample(X, y)


def test_lists_in_lists_out(kind):
    X, y = make_data()
    X_res, y_res = SAMPLERS[kind](random_state=0).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list)
    assert isinstance(y_res, list)


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(1, 60), min_size=2, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    over=st.booleans(),
)
def test_balanced_counts_property(counts, seed, over):
    y = np.random.default_rng(seed).permutation(
        np.repeat(np.arange(len(counts)), counts)
    )
    X = np.arange(y.size, dtype=np.float64)[:, None]
    sampler = (RandomOverSampler if over else RandomUnderSampler)(random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    target = max(counts) if over else min(counts)
    assert np.bincount(y_res).tolist() == [target] * len(counts)
    # every output row is an input row of the same class
    np.testing.assert_array_equal(y[X_res[:, 0].astype(int)], y_res)


def test_shrinkage_with_nothing_to_add_returns_the_input():
    X = np.random.default_rng(0).normal(size=(10, 2))
    y = np.array([0] * 5 + [1] * 5)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=np.arange(10.0))
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    np.testing.assert_array_equal(w_res, np.arange(10.0))
