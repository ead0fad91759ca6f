"""Exact kNN on every backend equals scikit-learn's on tie-free data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

from balancekit._neighbors import (
    NearestNeighbors,
    check_neighbors_object,
    kneighbors_of,
)


def tie_free(n_fit, n_features, seed, offset=0.0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n_fit, n_features)) * 3 + offset).astype(dtype)


@pytest.mark.parametrize("offset", [0.0, 1000.0])  # 1000: cancellation-prone products
@pytest.mark.parametrize("k", [1, 6])
def test_equals_sklearn_on_every_backend(backend, offset, k):
    fit = tie_free(700, 16, seed=1, offset=offset)
    query = tie_free(90, 16, seed=2, offset=offset)
    ref_dist, ref_idx = (
        SklearnNearestNeighbors(n_neighbors=k).fit(fit).kneighbors(query)
    )
    nn = NearestNeighbors(n_neighbors=k).fit(backend.asarray(fit))
    dist, idx = nn.kneighbors(backend.asarray(query))
    assert backend.device_of(idx) == backend.device
    assert backend.device_of(dist) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(idx), ref_idx)
    np.testing.assert_allclose(backend.to_numpy(dist), ref_dist, rtol=1e-4, atol=1e-2)


def test_self_is_first_neighbour_and_images_are_flattened(backend):
    X = tie_free(50, 12, seed=3).reshape(50, 3, 2, 2)
    idx = NearestNeighbors(n_neighbors=3).fit(backend.asarray(X))
    idx = idx.kneighbors(backend.asarray(X), return_distance=False)
    ref = SklearnNearestNeighbors(n_neighbors=3).fit(X.reshape(50, -1))
    ref_idx = ref.kneighbors(X.reshape(50, -1), return_distance=False)
    np.testing.assert_array_equal(backend.to_numpy(idx), ref_idx)
    np.testing.assert_array_equal(backend.to_numpy(idx)[:, 0], np.arange(50))


def test_chunking_gives_the_same_answer(monkeypatch, backend):
    import balancekit._neighbors as neighbors

    fit, query = tie_free(300, 8, seed=4), tie_free(77, 8, seed=5)
    whole = NearestNeighbors(4).fit(backend.asarray(fit))
    whole = backend.to_numpy(whole.kneighbors(backend.asarray(query))[1])
    monkeypatch.setattr(neighbors, "memory_budget", lambda xp, device: 1)  # 1 row
    chunked = NearestNeighbors(4).fit(backend.asarray(fit))
    chunked = backend.to_numpy(chunked.kneighbors(backend.asarray(query))[1])
    np.testing.assert_array_equal(chunked, whole)


def test_too_many_neighbours():
    nn = NearestNeighbors(n_neighbors=5).fit(tie_free(4, 2, seed=0))
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        nn.kneighbors(tie_free(2, 2, seed=1))


def test_check_neighbors_object():
    assert (
        check_neighbors_object("k_neighbors", 5, additional_neighbor=1).n_neighbors == 6
    )
    user = SklearnNearestNeighbors(n_neighbors=3)
    cloned = check_neighbors_object("k_neighbors", user)
    assert cloned is not user
    assert cloned.get_params() == user.get_params()
    with pytest.raises(ValueError, match="`k_neighbors` must be >= 1"):
        check_neighbors_object("k_neighbors", 0)
    with pytest.raises(TypeError, match="`n_neighbors` must be an int or an object"):
        check_neighbors_object("n_neighbors", "five")


class WrongShape:
    n_neighbors = 3

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        return np.zeros((X.shape[0] - 1, 3), dtype=np.int64)


def test_user_object_with_wrong_shape_is_named():
    import array_api_compat.numpy as xp

    X = tie_free(10, 2, seed=0)
    with pytest.raises(ValueError, match=r"`k_neighbors` object's kneighbors returned"):
        kneighbors_of(WrongShape().fit(X), X, "k_neighbors", xp, "cpu")


def test_user_object_answer_moves_to_the_device():
    import array_api_strict

    import tests.conftest as conftest

    X = tie_free(30, 3, seed=7)
    user = SklearnNearestNeighbors(n_neighbors=2).fit(X)
    xp = array_api_strict
    query = xp.asarray(X, device=conftest.STRICT_CPU)
    idx = kneighbors_of(user, X, "n_neighbors", xp, conftest.STRICT_CPU)
    assert idx.device == query.device


@settings(max_examples=25, deadline=None)
@given(
    n_fit=st.integers(2, 60),
    n_features=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_torch_path_equals_sklearn_property(n_fit, n_features, seed, data):
    import torch

    k = data.draw(st.integers(1, n_fit))
    fit = tie_free(n_fit, n_features, seed, dtype=np.float64)
    query = tie_free(7, n_features, seed + 1, dtype=np.float64)
    ref = SklearnNearestNeighbors(n_neighbors=k).fit(fit)
    ref_idx = ref.kneighbors(query, return_distance=False)
    nn = NearestNeighbors(n_neighbors=k).fit(torch.as_tensor(fit))
    idx = nn.kneighbors(torch.as_tensor(query), return_distance=False)
    np.testing.assert_array_equal(idx.numpy(), ref_idx)


def _lexicographic_reference(fit, query, k):
    """The k nearest by (exact squared distance, index): the tie rule of DESIGN.md."""
    squared = ((query[:, None, :] - fit[None, :, :]) ** 2).sum(axis=2)
    order = np.argsort(squared, axis=1, kind="stable")[:, :k]
    return order, np.sqrt(np.take_along_axis(squared, order, axis=1))


@pytest.mark.parametrize("k", [1, 4, 12])
@pytest.mark.parametrize("levels", [2, 3])  # 2: ties far larger than the margin
def test_ties_go_to_the_lower_index_on_every_backend(backend, k, levels):
    rng = np.random.default_rng(levels)
    fit = rng.integers(0, levels, size=(400, 2)).astype(np.float64)
    query = rng.integers(0, levels, size=(60, 2)).astype(np.float64)
    ref_idx, ref_dist = _lexicographic_reference(fit, query, k)
    nn = NearestNeighbors(n_neighbors=k).fit(backend.asarray(fit))
    dist, idx = nn.kneighbors(backend.asarray(query))
    assert backend.device_of(idx) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(idx), ref_idx)
    np.testing.assert_allclose(backend.to_numpy(dist), ref_dist)


def test_ties_in_the_repro_of_issue_14(backend):
    X = np.array([[2.0], [2.0], [0.0], [1.0]])
    idx = NearestNeighbors(n_neighbors=4).fit(backend.asarray(X))
    idx = backend.to_numpy(idx.kneighbors(backend.asarray(X), return_distance=False))
    np.testing.assert_array_equal(
        idx, [[0, 1, 3, 2], [0, 1, 3, 2], [2, 3, 0, 1], [3, 0, 1, 2]]
    )


@settings(max_examples=40, deadline=None)
@given(
    n_fit=st.integers(1, 60),
    n_features=st.integers(1, 3),
    levels=st.integers(1, 4),
    k=st.integers(1, 20),
    seed=st.integers(0, 2**16),
)
def test_tie_rule_property(n_fit, n_features, levels, k, seed):
    import torch

    k = min(k, n_fit)
    rng = np.random.default_rng(seed)
    fit = rng.integers(0, levels, size=(n_fit, n_features)).astype(np.float32)
    query = rng.integers(0, levels, size=(7, n_features)).astype(np.float32)
    ref_idx, _ = _lexicographic_reference(fit, query, k)
    on_numpy = NearestNeighbors(k).fit(fit).kneighbors(query, return_distance=False)
    on_torch = NearestNeighbors(k).fit(torch.from_numpy(fit))
    on_torch = on_torch.kneighbors(torch.from_numpy(query), return_distance=False)
    np.testing.assert_array_equal(on_numpy, ref_idx)
    np.testing.assert_array_equal(on_torch.numpy(), ref_idx)


def test_ties_with_sparse_input():
    from scipy import sparse

    rng = np.random.default_rng(7)
    fit = rng.integers(0, 2, size=(200, 3)).astype(np.float64)
    ref_idx, ref_dist = _lexicographic_reference(fit, fit, 5)
    dist, idx = (
        NearestNeighbors(5)
        .fit(sparse.csr_matrix(fit))
        .kneighbors(sparse.csr_matrix(fit))
    )
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(dist, ref_dist)


def test_ties_survive_chunking(monkeypatch, backend):
    import balancekit._neighbors as neighbors

    rng = np.random.default_rng(11)
    fit = rng.integers(0, 2, size=(150, 2)).astype(np.float64)
    monkeypatch.setattr(neighbors, "memory_budget", lambda xp, device: 1)  # 1 row
    idx = NearestNeighbors(6).fit(backend.asarray(fit))
    idx = idx.kneighbors(backend.asarray(fit[:20]), return_distance=False)
    np.testing.assert_array_equal(
        backend.to_numpy(idx), _lexicographic_reference(fit, fit[:20], 6)[0]
    )


@pytest.mark.parametrize("fit_sparse", [True, False])
def test_sparse_and_dense_mix_like_scikit_learn(fit_sparse):
    import scipy.sparse as sp
    from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

    X = np.random.default_rng(0).normal(size=(30, 4))
    fit = sp.csr_matrix(X) if fit_sparse else X
    query = X[:5] if fit_sparse else sp.csr_matrix(X[:5])
    distances, indices = NearestNeighbors(n_neighbors=3).fit(fit).kneighbors(query)
    oracle = SklearnNearestNeighbors(n_neighbors=3, algorithm="brute").fit(fit)
    want_d, want_i = oracle.kneighbors(query)
    np.testing.assert_array_equal(indices, want_i)
    np.testing.assert_allclose(distances, want_d, rtol=1e-12, atol=1e-12)
