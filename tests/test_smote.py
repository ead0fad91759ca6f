"""SMOTE: rows on same-class neighbour segments, imblearn's counts, every backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SMOTE as ImbSMOTE
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

from balancekit import SMOTE


def make_data(n_per_class=(120, 30, 12), n_features=5, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = (rng.normal(size=(y.size, n_features)) + 2 * y[:, None]).astype(dtype)
    return X, y


def assert_on_neighbour_segments(X, y, sampler, k=5):
    """Every new row is parent + step * (partner - parent), partner a kNN of parent."""
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    assert ((steps >= 0) & (steps < 1)).all()
    np.testing.assert_array_equal(y[parents], y[partners])
    for cls in np.unique(y[parents]):
        members = np.flatnonzero(y == cls)
        nn = SklearnNearestNeighbors(n_neighbors=k + 1).fit(X[members])
        neighbours = members[nn.kneighbors(X[members], return_distance=False)[:, 1:]]
        position = {row: i for i, row in enumerate(members)}
        for parent, partner in zip(
            parents[y[parents] == cls], partners[y[parents] == cls], strict=True
        ):
            assert partner in neighbours[position[parent]]
    return parents, partners, steps


def test_new_rows_lie_on_same_class_neighbour_segments():
    X, y = make_data()
    sampler = SMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    parents, partners, steps = assert_on_neighbour_segments(X, y, sampler)
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[len(y) :], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(X_res[: len(y)], X)
    np.testing.assert_array_equal(y_res[len(y) :], y[parents])


@pytest.mark.parametrize(
    "strategy", ["auto", "all", "minority", "not minority", {1: 80, 2: 50}, "float"]
)
def test_counts_equal_imblearn(strategy):
    X, y = make_data(n_per_class=(120, 30)) if strategy == "float" else make_data()
    strategy = 0.6 if strategy == "float" else strategy
    _, y_res = SMOTE(random_state=0, sampling_strategy=strategy).fit_resample(X, y)
    _, y_peer = ImbSMOTE(random_state=0, sampling_strategy=strategy).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()


def test_backend_output_matches_numpy(backend):
    X, y = make_data()
    w = np.linspace(0.5, 2.0, y.size).astype(np.float32)
    X_np, y_np, w_np = SMOTE(random_state=3).fit_resample(X, y, sample_weight=w)
    sampler = SMOTE(random_state=3)
    X_b, y_b, w_b = sampler.fit_resample(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(w)
    )
    for out, expected in [(X_b, X_np), (y_b, y_np), (w_b, w_np)]:
        assert backend.device_of(out) == backend.device
        assert backend.to_numpy(out).dtype == expected.dtype
        np.testing.assert_allclose(
            backend.to_numpy(out), expected, rtol=1e-6, atol=1e-6
        )
    assert backend.device_of(sampler.synthetic_parents_) == backend.device


def test_numpy_and_torch_are_identical():
    import torch

    X, y = make_data()
    X_np, y_np = SMOTE(random_state=9).fit_resample(X, y)
    X_t, y_t = SMOTE(random_state=9).fit_resample(
        torch.from_numpy(X), torch.from_numpy(y)
    )
    np.testing.assert_array_equal(X_t.numpy(), X_np)
    np.testing.assert_array_equal(y_t.numpy(), y_np)


def test_seeds():
    X, y = make_data()
    first = SMOTE(random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, SMOTE(random_state=1).fit_resample(X, y)[0])
    assert not np.array_equal(first, SMOTE(random_state=2).fit_resample(X, y)[0])


def test_images_keep_their_shape(backend):
    X2, y = make_data(n_features=12)
    X = X2.reshape(-1, 3, 2, 2)
    sampler = SMOTE(random_state=0)
    X_res, _ = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
    assert tuple(X_res.shape[1:]) == (3, 2, 2)
    flat = backend.to_numpy(X_res).reshape(X_res.shape[0], -1)
    flat_sampler = SMOTE(random_state=0)
    np.testing.assert_allclose(flat, flat_sampler.fit_resample(X2, y)[0], rtol=1e-6)


def test_weights_are_interpolated_like_rows():
    X, y = make_data(dtype=np.float64)
    w = np.arange(y.size, dtype=np.float64)
    sampler = SMOTE(random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=w)
    p, q, s = (
        sampler.synthetic_parents_,
        sampler.synthetic_partners_,
        sampler.synthetic_steps_,
    )
    np.testing.assert_allclose(w_res[len(y) :], w[p] + s * (w[q] - w[p]))
    np.testing.assert_array_equal(w_res[: len(y)], w)


def test_inputs_are_not_modified(backend):
    X, y = make_data()
    X_b, y_b = backend.asarray(X.copy()), backend.asarray(y.copy())
    SMOTE(random_state=0).fit_resample(X_b, y_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)


def test_pandas_and_sparse_containers():
    X, y = make_data(dtype=np.float64)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    X_df, y_s = SMOTE(random_state=0).fit_resample(frame, pd.Series(y, name="label"))
    X_np, _ = SMOTE(random_state=0).fit_resample(X, y)
    assert list(X_df.columns) == list(frame.columns)
    assert y_s.name == "label"
    np.testing.assert_allclose(X_df.to_numpy(), X_np)
    X_sp, _ = SMOTE(random_state=0).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sp)
    np.testing.assert_allclose(X_sp.toarray(), X_np)


def test_string_and_one_hot_labels():
    X, y = make_data()
    names = np.array(["a", "b", "c"])
    _, y_str = SMOTE(random_state=0).fit_resample(X, names[y])
    _, y_int = SMOTE(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(y_str, names[y_int])
    _, y_hot = SMOTE(random_state=0).fit_resample(X, np.eye(3, dtype=int)[y])
    np.testing.assert_array_equal(y_hot, np.eye(3, dtype=int)[y_int])


def test_user_neighbours_object_gives_the_same_rows():
    X, y = make_data(dtype=np.float64)
    ours = SMOTE(random_state=0).fit_resample(X, y)[0]
    theirs = SMOTE(random_state=0, k_neighbors=SklearnNearestNeighbors(n_neighbors=6))
    np.testing.assert_allclose(theirs.fit_resample(X, y)[0], ours)


def test_integer_features_become_floats():
    X, y = make_data()
    X_res, _ = SMOTE(random_state=0).fit_resample((X * 10).astype(np.int64), y)
    assert X_res.dtype == np.float64


class WrongShape:
    n_neighbors = 6

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        return np.zeros((X.shape[0], 2), dtype=np.int64)

    def get_params(self, deep=True):
        return {}


@pytest.mark.parametrize(
    ("kwargs", "X_change", "error", "match"),
    [
        ({"k_neighbors": 12}, None, ValueError, r"`k_neighbors`=12 needs at least 13"),
        ({"k_neighbors": 0}, None, ValueError, "`k_neighbors` must be >= 1"),
        ({"k_neighbors": "5"}, None, TypeError, "`k_neighbors` must be an int or"),
        ({}, "nan", ValueError, "`X` contains NaN or infinity"),
        ({}, "inf", ValueError, "`X` contains NaN or infinity"),
        ({}, "strings", TypeError, "needs numbers"),
        ({"k_neighbors": WrongShape()}, None, ValueError, "returned 2 neighbours"),
    ],
)
def test_bad_input(kwargs, X_change, error, match):
    X, y = make_data()
    if X_change == "nan":
        X[3, 1] = np.nan
    elif X_change == "inf":
        X[5, 0] = np.inf
    elif X_change == "strings":
        X = X.astype(str)
    with pytest.raises(error, match=match):
        SMOTE(**kwargs).fit_resample(X, y)
