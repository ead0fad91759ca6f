"""Device k-means: scikit-learn's partition and inertia, ties, relocation, backends."""

from __future__ import annotations

import pickle

import array_api_compat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_blobs

import balancekit._kmeans_assign as assign_module
from balancekit._kmeans import kmeans_assign, kmeans_plusplus
from balancekit._kmeans_estimator import KMeans


def blobs(n_samples=600, centers=5, seed=0, std=0.6):
    X, truth = make_blobs(
        n_samples, n_features=3, centers=centers, cluster_std=std, random_state=seed
    )
    return X, truth


def same_partition(a, b):
    """The two labellings group the rows the same way (up to renaming clusters)."""
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_equals_sklearn_on_separated_blobs(seed):
    X, truth = blobs(seed=seed, std=0.3)
    ours = KMeans(5, random_state=seed).fit(X)
    peer = SklearnKMeans(5, random_state=seed, n_init=1).fit(X)
    assert same_partition(ours.labels_, peer.labels_)
    assert same_partition(ours.labels_, truth)
    assert ours.inertia_ == pytest.approx(peer.inertia_, rel=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_init_gives_sklearns_inertia_labels_and_centres(dtype):
    # Overlapping blobs: Lloyd needs several iterations; from the same initial
    # centres both implementations take the same steps.
    X, _ = blobs(n_samples=800, centers=4, seed=3, std=2.5)
    X = X.astype(dtype)
    init = X[[0, 100, 200, 300]]
    ours = KMeans(4, init=init).fit(X)
    peer = SklearnKMeans(4, init=init, n_init=1).fit(X)
    rtol = 1e-6 if dtype == np.float64 else 1e-4
    assert ours.inertia_ == pytest.approx(peer.inertia_, rel=rtol)
    np.testing.assert_array_equal(ours.labels_, peer.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_, rtol=rtol)
    assert ours.n_iter_ == peer.n_iter_
    assert ours.n_iter_ > 1


def test_tol_is_relative_to_the_feature_variance():
    X, _ = blobs(n_samples=800, centers=4, seed=3, std=2.5)
    init = X[:4]
    for scale in (1.0, 1000.0):
        for tol in (1e-1, 1e-4):
            ours = KMeans(4, init=init * scale, tol=tol).fit(X * scale)
            peer = SklearnKMeans(4, init=init * scale, tol=tol, n_init=1).fit(X * scale)
            assert ours.n_iter_ == peer.n_iter_


def test_predict_assigns_the_nearest_centre():
    X, _ = blobs()
    km = KMeans(5, random_state=0).fit(X)
    new = np.random.default_rng(1).normal(size=(50, 3)) * 5
    distances = ((new[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(km.predict(new), distances.argmin(1))
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)


def test_ties_go_to_the_lower_centre_index(backend):
    X = backend.asarray(np.array([[1.0, 0.0], [1.0, 5.0], [3.0, 0.0]]))
    for centres in ([[0.0, 0.0], [2.0, 0.0]], [[2.0, 0.0], [0.0, 0.0]]):
        centres = backend.asarray(np.array(centres))
        xp = array_api_compat.array_namespace(centres)
        labels, squared = kmeans_assign(X, centres, xp, backend.device)
        # Row 0 is 1 from both centres: centre 0 wins whichever it is.
        assert backend.to_numpy(labels)[0] == 0
        assert backend.to_numpy(squared)[0] == 1.0


@pytest.mark.parametrize("one_hot_max", [128, 0])  # one-hot product or bincount sums
def test_chunks_and_sums_give_the_same_result(monkeypatch, one_hot_max):
    X, _ = blobs(n_samples=300)
    whole = KMeans(5, random_state=0).fit(X)
    monkeypatch.setattr(assign_module, "memory_budget", lambda xp, device: 1)
    monkeypatch.setattr(assign_module, "_MIN_HOST_CHUNK", 1)
    monkeypatch.setattr(assign_module, "_MIN_TASK_ROWS", 7)
    monkeypatch.setattr(assign_module, "_ONE_HOT_MAX_CLUSTERS", one_hot_max)
    chunked = KMeans(5, random_state=0).fit(X)
    np.testing.assert_array_equal(whole.labels_, chunked.labels_)
    np.testing.assert_allclose(whole.cluster_centers_, chunked.cluster_centers_)
    assert chunked.n_iter_ == whole.n_iter_


@pytest.mark.parametrize("one_hot_max", [128, 0])
def test_threads_do_not_change_a_bit(monkeypatch, one_hot_max):
    X, _ = blobs(n_samples=2_000, centers=40, std=2.0)
    xp = array_api_compat.array_namespace(X)
    centers = X[::50].copy()  # 40 centres
    monkeypatch.setattr(assign_module, "_MIN_HOST_CHUNK", 16)
    monkeypatch.setattr(assign_module, "_HOST_CACHE_BYTES", 1)
    monkeypatch.setattr(assign_module, "_MIN_TASK_ROWS", 100)
    monkeypatch.setattr(assign_module, "_ONE_HOT_MAX_CLUSTERS", one_hot_max)
    results = []
    for n_threads in (1, 2, 5):
        monkeypatch.setattr(
            assign_module, "_host_threads", lambda xp, n, threads=n_threads: threads
        )
        results.append(assign_module.assign_with_sums(X, centers, xp, "cpu"))
    for labels, sums, counts in results[1:]:
        np.testing.assert_array_equal(labels, results[0][0])
        np.testing.assert_array_equal(sums, results[0][1])  # bit for bit
        np.testing.assert_array_equal(counts, results[0][2])
    labels, sums, counts = results[0]
    expected = np.stack([X[labels == c].sum(axis=0) for c in range(40)])
    np.testing.assert_allclose(sums, expected, rtol=1e-12)
    np.testing.assert_array_equal(counts, np.bincount(labels, minlength=40))


def test_empty_cluster_moves_to_the_farthest_point():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.2], [30.0]])
    # Centre 1 starts far from every row: empty after the first assignment, it is
    # moved onto row 5 (the farthest from its centre), as scikit-learn does.
    init = np.array([[0.1], [100.0], [10.0]])
    ours = KMeans(3, init=init).fit(X)
    peer = SklearnKMeans(3, init=init, n_init=1).fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, [[0.1], [30.0], [10.1]])
    np.testing.assert_allclose(ours.cluster_centers_, peer.cluster_centers_)
    np.testing.assert_array_equal(ours.labels_, peer.labels_)


def test_empty_cluster_ties_take_the_lower_row(backend):
    # Every row is at distance 0 from its centre: the relocation takes row 0.
    X = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 3)
    init = np.array([[0.0, 0.0], [50.0, 50.0], [1.0, 1.0]])
    km = KMeans(3, init=backend.asarray(init)).fit(backend.asarray(X))
    centres = backend.to_numpy(km.cluster_centers_)
    np.testing.assert_array_equal(centres, [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])


def test_kmeans_plusplus_picks_distinct_rows():
    X = np.arange(40, dtype=float).reshape(20, 2) ** 2
    import array_api_compat.numpy as xp

    centres, indices = kmeans_plusplus(X, 20, np.random.default_rng(0), xp, "cpu")
    assert sorted(indices.tolist()) == list(range(20))
    np.testing.assert_array_equal(centres, X[indices])


def test_same_clusters_on_every_backend(backend):
    X, _ = blobs(n_samples=400, centers=4, seed=5, std=1.5)
    X = X.astype(np.float32)
    expected = KMeans(4, random_state=7, n_init=2).fit(X)
    km = KMeans(4, random_state=7, n_init=2).fit(backend.asarray(X))
    assert backend.device_of(km.labels_) == backend.device
    assert backend.device_of(km.cluster_centers_) == backend.device
    assert type(km.cluster_centers_) is type(backend.asarray(X))
    np.testing.assert_array_equal(backend.to_numpy(km.labels_), expected.labels_)
    np.testing.assert_allclose(
        backend.to_numpy(km.cluster_centers_), expected.cluster_centers_, rtol=1e-5
    )
    assert km.inertia_ == pytest.approx(expected.inertia_, rel=1e-5)
    new = backend.asarray(X[:20])
    np.testing.assert_array_equal(
        backend.to_numpy(km.predict(new)), expected.labels_[:20]
    )


def test_determinism_and_n_init():
    X, _ = blobs(n_samples=300, centers=6, std=2.0)
    first = KMeans(6, random_state=3).fit(X)
    again = KMeans(6, random_state=3).fit(X)
    np.testing.assert_array_equal(first.labels_, again.labels_)
    best = KMeans(6, random_state=3, n_init=5).fit(X)
    assert best.inertia_ <= first.inertia_ + 1e-9
    assert KMeans(6, init="random", random_state=0).fit(X).inertia_ > 0


def test_pickles_fitted_and_unfitted():
    X, _ = blobs(n_samples=100)
    km = KMeans(3, random_state=0)
    assert pickle.loads(pickle.dumps(km)).get_params() == km.get_params()
    km.fit(X)
    restored = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(restored.predict(X), km.labels_)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_clusters": 0}, ValueError, "`n_clusters` must be >= 1"),
        ({"n_clusters": 2.5}, TypeError, "`n_clusters` must be an int"),
        ({"n_clusters": 200}, ValueError, "should be >= n_clusters=200"),
        ({"init": "kmeans"}, ValueError, "`init` must be one of"),
        ({"init": np.zeros((2, 3))}, ValueError, r"shape \(n_clusters, n_features\)"),
        ({"init": 3}, TypeError, "`init` must be"),
        ({"n_init": "many"}, ValueError, "`n_init` must be 'auto' or an int"),
        ({"n_init": 0}, ValueError, "`n_init` must be >= 1"),
        ({"max_iter": 0}, ValueError, "`max_iter` must be >= 1"),
        ({"tol": -1.0}, ValueError, "`tol` must be >= 0"),
    ],
)
def test_bad_parameters(params, error, match):
    X, _ = blobs(n_samples=100)
    with pytest.raises(error, match=match):
        KMeans(**{"n_clusters": 3, **params}).fit(X)


def test_sparse_input_gives_the_dense_result():
    import scipy.sparse as sp

    X, _ = blobs(n_samples=300, centers=6, std=2.0)
    X[np.abs(X) < 2.0] = 0.0
    dense = KMeans(6, random_state=0).fit(X)
    sparse = KMeans(6, random_state=0).fit(sp.csr_matrix(X))
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_)
    assert sparse.n_iter_ == dense.n_iter_
    np.testing.assert_array_equal(sparse.predict(sp.csr_matrix(X)), dense.labels_)


@settings(max_examples=25, deadline=None)
@given(
    n_samples=st.integers(4, 40),
    n_clusters=st.integers(1, 4),
    seed=st.integers(0, 1000),
)
def test_labels_are_nearest_centres_and_inertia_their_sum(n_samples, n_clusters, seed):
    # Integer grids make many exact ties: the lower centre index must win them.
    X = np.random.default_rng(seed).integers(0, 4, size=(n_samples, 2)).astype(float)
    km = KMeans(n_clusters, random_state=seed).fit(X)
    distances = ((X[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(km.labels_, distances.argmin(1))
    assert km.inertia_ == pytest.approx(distances.min(1).sum(), abs=1e-9)


def test_exact_nearest_centre_where_the_product_cancels(backend):
    # float32 points far from the origin: |x|^2 ~ 1e7, so the product-based scores
    # err by ~1 while the true squared distances are small integers with many exact
    # ties. The exact re-rank must give the true nearest, lower index on a tie.
    rng = np.random.default_rng(0)
    X = (3000 + rng.integers(0, 6, size=(400, 3))).astype(np.float32)
    centres = (3000 + rng.integers(0, 6, size=(12, 3))).astype(np.float32)
    squared = ((X[:, None, :].astype(np.float64) - centres[None]) ** 2).sum(-1)
    expected = squared.argmin(axis=1)  # first (lowest) index among equals
    assert (np.sort(squared, axis=1)[:, 0] == np.sort(squared, axis=1)[:, 1]).any()
    X_b, centres_b = backend.asarray(X), backend.asarray(centres)
    xp = array_api_compat.array_namespace(X_b)
    labels, distances = kmeans_assign(X_b, centres_b, xp, backend.device)
    np.testing.assert_array_equal(backend.to_numpy(labels), expected)
    np.testing.assert_array_equal(backend.to_numpy(distances), squared.min(axis=1))


def test_non_finite_input_is_refused():
    X, _ = blobs(n_samples=50)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        KMeans(3).fit(X)
