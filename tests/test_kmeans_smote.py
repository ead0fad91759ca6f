"""KMeansSMOTE: imblearn's clusters and counts, in-cluster segments, every backend."""

from __future__ import annotations

import math
import pickle
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import KMeansSMOTE as ImbKMeansSMOTE
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_classification
from sklearn.metrics import pairwise_distances

from balancekit.cluster import KMeans, MiniBatchKMeans
from balancekit.over_sampling import KMeansSMOTE
from balancekit.over_sampling._kmeans_smote import (
    cluster_sample_counts,
    select_clusters,
)


def make_data(n_samples=600, seed=0, dtype=np.float64, weights=(0.1, 0.3, 0.6)):
    X, y = make_classification(
        n_samples=n_samples,
        n_classes=len(weights),
        weights=list(weights),
        n_informative=4,
        random_state=seed,
    )
    return X.astype(dtype), y


def imblearn_per_cluster(X, y, X_peer, y_peer, estimator):
    """imblearn's new rows per (class, cluster): each lies in its parents' cluster.

    k-means cells are convex, so a segment between two rows of a cell stays in it.
    """
    fitted = estimator.fit(X)
    new_X, new_y = X_peer[len(y) :], y_peer[len(y) :]
    clusters = fitted.predict(new_X)
    return {
        cls: dict(sorted(Counter(clusters[new_y == cls].tolist()).items()))
        for cls in np.unique(new_y).tolist()
    }


@pytest.mark.parametrize(
    ("threshold", "exponent", "k", "n_clusters"),
    [(0.1, "auto", 2, 10), ("auto", "auto", 2, 4), (0.05, 2.0, 3, 12), (0.2, 1, 1, 6)],
)
def test_same_clusters_and_counts_as_imblearn(threshold, exponent, k, n_clusters):
    X, y = make_data()
    estimator = SklearnKMeans(n_clusters=n_clusters, random_state=0, n_init=1)
    params = {
        "kmeans_estimator": estimator,
        "cluster_balance_threshold": threshold,
        "density_exponent": exponent,
        "k_neighbors": k,
        "random_state": 0,
    }
    try:
        X_peer, y_peer = ImbKMeansSMOTE(**params).fit_resample(X, y)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="No clusters found"):
            KMeansSMOTE(**params).fit_resample(X, y)
        return
    sampler = KMeansSMOTE(**params)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()
    expected = imblearn_per_cluster(X, y, X_peer, y_peer, estimator)
    ours = {
        cls: {c: n for c, n in counts.items() if n > 0}
        for cls, counts in sampler.cluster_n_samples_.items()
    }
    assert ours == expected
    np.testing.assert_array_equal(X_res[: len(y)], X)


def test_new_rows_lie_on_segments_within_one_cluster_and_class():
    X, y = make_data()
    sampler = KMeansSMOTE(kmeans_estimator=6, cluster_balance_threshold=0.1)
    sampler.set_params(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    clusters = np.asarray(sampler.cluster_labels_)
    assert ((steps >= 0) & (steps < 1)).all()
    np.testing.assert_array_equal(y[parents], y[partners])
    np.testing.assert_array_equal(clusters[parents], clusters[partners])
    np.testing.assert_array_equal(y_res[len(y) :], y[parents])
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[len(y) :], expected)
    # Partners are among the parent's 2 nearest same-class rows of its cluster.
    for parent, partner in zip(parents[:50], partners[:50], strict=True):
        same = np.flatnonzero((y == y[parent]) & (clusters == clusters[parent]))
        distances = ((X[same] - X[parent]) ** 2).sum(1)
        order = same[np.argsort(distances, kind="stable")]
        assert partner in order[1:3]


def test_default_device_kmeans_gives_counts_at_least_the_targets():
    X, y = make_data(weights=(0.3, 0.7))
    sampler = KMeansSMOTE(random_state=0, cluster_balance_threshold=0.2)
    _, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(y_res)
    majority = np.bincount(y).max()
    used = len(sampler.cluster_n_samples_[0])
    # Shares are rounded up, as imbalanced-learn: at most one extra per cluster.
    assert majority <= counts[0] < majority + used
    assert counts[1] == majority
    # The default clustering is the device mini-batch k-means (imblearn: sklearn's
    # MiniBatchKMeans(n_clusters=8)).
    assert isinstance(sampler.kmeans_estimator_, MiniBatchKMeans)
    assert sampler.kmeans_estimator_.n_clusters == 8
    assert sampler.kmeans_estimator_.n_steps_ >= 1


def test_device_estimators_passed_in_run_on_the_device(backend):
    # balancekit's own estimators, passed as kmeans_estimator, run where X lives
    # (with their own random_state, as imblearn's clone does).
    X, y = make_data(n_samples=400, dtype=np.float32, weights=(0.2, 0.8))
    for estimator in (KMeans(4, random_state=1), MiniBatchKMeans(4, random_state=1)):
        params = {
            "random_state": 5,
            "kmeans_estimator": estimator,
            "cluster_balance_threshold": 0.1,
        }
        expected = KMeansSMOTE(**params).fit_resample(X, y)[0]
        sampler = KMeansSMOTE(**params)
        X_res, _ = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
        assert type(sampler.kmeans_estimator_) is type(estimator)
        assert backend.device_of(sampler.cluster_labels_) == backend.device
        labels = estimator.fit(X).labels_
        np.testing.assert_array_equal(backend.to_numpy(sampler.cluster_labels_), labels)
        np.testing.assert_allclose(
            backend.to_numpy(X_res), expected, rtol=1e-5, atol=1e-5
        )


def test_same_rows_on_every_backend(backend):
    X, y = make_data(n_samples=400, dtype=np.float32, weights=(0.2, 0.8))
    params = {
        "random_state": 5,
        "kmeans_estimator": 4,
        "cluster_balance_threshold": 0.1,
    }
    expected_X, expected_y = KMeansSMOTE(**params).fit_resample(X, y)
    sampler = KMeansSMOTE(**params)
    X_res, y_res = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
    assert backend.device_of(X_res) == backend.device
    assert backend.device_of(y_res) == backend.device
    assert backend.device_of(sampler.cluster_labels_) == backend.device
    assert type(X_res) is type(backend.asarray(X))
    np.testing.assert_array_equal(backend.to_numpy(y_res), expected_y)
    np.testing.assert_allclose(
        backend.to_numpy(X_res), expected_X, rtol=1e-5, atol=1e-5
    )


def test_determinism():
    X, y = make_data()
    params = {"random_state": 2, "cluster_balance_threshold": 0.1}
    first = KMeansSMOTE(**params).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, KMeansSMOTE(**params).fit_resample(X, y)[0])


def test_no_qualifying_cluster_names_the_remedy():
    X, y = make_data(weights=(0.05, 0.95))
    with pytest.raises(RuntimeError, match="Lower `cluster_balance_threshold`") as info:
        KMeansSMOTE(random_state=0, cluster_balance_threshold=0.99).fit_resample(X, y)
    assert "fewer clusters" in str(info.value)
    with pytest.raises(RuntimeError, match="No clusters found"):
        ImbKMeansSMOTE(random_state=0, cluster_balance_threshold=0.99).fit_resample(
            X, y
        )


def test_single_cluster_uses_every_row():
    X, y = make_data(weights=(0.2, 0.8))
    sampler = KMeansSMOTE(kmeans_estimator=1, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.cluster_balance_threshold_ == -math.inf
    assert np.bincount(y_res).tolist() == [np.bincount(y).max()] * 2


def test_selection_and_counts_follow_imblearns_formulas():
    sizes = np.array([10, 7, 0, 3, 9])
    in_class = np.array([6, 3, 0, 3, 2])
    # Shares 0.6, 3/7, -, 1.0, 2/9; cluster 3 has 3 rows of the class, needs 3.
    assert select_clusters(sizes, in_class, 0.4, 3) == [0, 1, 3]
    assert select_clusters(sizes, in_class, 0.4, 4) == [0]
    assert select_clusters(sizes, in_class, -math.inf, 1) == [0, 1, 3, 4]
    sparsities = [0.5, 0.25, 0.25]
    assert cluster_sample_counts(9, sparsities) == [5, 3, 3]  # ceil: 11 >= 9
    assert cluster_sample_counts(4, [0.0, 0.0]) == [2, 2]


def test_cluster_sparsity_matches_pairwise_distances(backend):
    X, _ = make_data(n_samples=300, weights=(0.3, 0.7))
    sampler = KMeansSMOTE(kmeans_estimator=3, cluster_balance_threshold=0.1)
    sampler.set_params(random_state=0, density_exponent=1.5)
    points = X[:40]
    import array_api_compat

    xp = array_api_compat.array_namespace(backend.asarray(points))
    ours = sampler._sparsity(backend.asarray(points), xp, backend.device)
    distances = pairwise_distances(points)
    mean = distances.sum() / (40 * 39)
    assert ours == pytest.approx(mean**1.5 / 40, rel=1e-10)


def test_sparse_input():
    X, y = make_data(weights=(0.2, 0.8))
    X[np.abs(X) < 0.5] = 0.0
    sampler = KMeansSMOTE(random_state=0, kmeans_estimator=3)
    sampler.set_params(cluster_balance_threshold=0.1)
    X_res, y_res = sampler.fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_res)
    dense, _ = (
        KMeansSMOTE(random_state=0, kmeans_estimator=3)
        .set_params(cluster_balance_threshold=0.1)
        .fit_resample(X, y)
    )
    assert X_res.shape[1] == dense.shape[1]
    np.testing.assert_array_equal(X_res[: len(y)].toarray(), X)
    assert np.bincount(y_res)[0] >= np.bincount(y).max()


def test_pickles_fitted_and_unfitted():
    X, y = make_data()
    sampler = KMeansSMOTE(random_state=0, cluster_balance_threshold=0.1)
    assert pickle.loads(pickle.dumps(sampler)).get_params() == sampler.get_params()
    sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    assert restored.cluster_n_samples_ == sampler.cluster_n_samples_
    np.testing.assert_array_equal(
        restored.kmeans_estimator_.predict(X), sampler.cluster_labels_
    )


def test_host_estimator_runs_on_a_host_copy_and_answers_on_the_device(backend):
    X, y = make_data()
    estimator = SklearnKMeans(n_clusters=4, n_init=1, random_state=0)
    sampler = KMeansSMOTE(kmeans_estimator=estimator, random_state=0)
    X_res, y_res = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
    expected = KMeansSMOTE(kmeans_estimator=estimator, random_state=0)
    X_exp, y_exp = expected.fit_resample(X, y)
    for got, want in ((X_res, X_exp), (y_res, y_exp)):
        assert backend.device_of(got) == backend.device
        np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-12)
    assert backend.device_of(sampler.cluster_labels_) == backend.device
    np.testing.assert_array_equal(
        backend.to_numpy(sampler.cluster_labels_), expected.cluster_labels_
    )


class _NoClusters:
    def fit(self, X, y=None):
        return self

    def fit_predict(self, X, y=None):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"kmeans_estimator": 0}, ValueError, "`kmeans_estimator` must be >= 1"),
        ({"kmeans_estimator": "k"}, TypeError, "`kmeans_estimator` must be None"),
        ({"kmeans_estimator": _NoClusters()}, ValueError, "int `n_clusters`"),
        ({"cluster_balance_threshold": "x"}, ValueError, "'auto' or a number"),
        ({"cluster_balance_threshold": [0.1]}, TypeError, "'auto' or a number"),
        ({"density_exponent": "high"}, ValueError, "`density_exponent` must be"),
        ({"density_exponent": float("nan")}, ValueError, "`density_exponent` must"),
        ({"k_neighbors": 0}, ValueError, "`k_neighbors` must be >= 1"),
        ({"n_jobs": 1.5}, TypeError, "`n_jobs` must be an int or None"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y = make_data()
    with pytest.raises(error, match=match):
        KMeansSMOTE(**params).fit_resample(X, y)


def test_inputs_are_not_modified():
    X, y = make_data()
    X_copy, y_copy = X.copy(), y.copy()
    KMeansSMOTE(random_state=0, cluster_balance_threshold=0.1).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@settings(max_examples=15, deadline=None)
@given(
    n_minority=st.integers(8, 40),
    n_clusters=st.integers(1, 5),
    seed=st.integers(0, 1000),
)
def test_counts_reach_the_target_plus_rounding(n_minority, n_clusters, seed):
    rng = np.random.default_rng(seed)
    y = np.array([0] * 100 + [1] * n_minority)
    X = rng.normal(size=(len(y), 2)) + 3 * y[:, None]
    sampler = KMeansSMOTE(
        kmeans_estimator=n_clusters, cluster_balance_threshold=0.05, random_state=seed
    )
    try:
        _, y_res = sampler.fit_resample(X, y)
    except RuntimeError:
        return  # no cluster with enough minority rows: the documented error
    used = len(sampler.cluster_n_samples_[1])
    assert 100 <= np.bincount(y_res)[1] < 100 + max(used, 1)
    assert sum(sampler.cluster_n_samples_[1].values()) == np.bincount(y_res)[1] - (
        n_minority
    )
