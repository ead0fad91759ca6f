"""ClusterCentroids: imblearn's rows and centroids, device k-means, every backend."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import ClusterCentroids as ImbClusterCentroids
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_classification

from balancekit._array_api import fixed_order_sum
from balancekit.under_sampling import ClusterCentroids


def make_data(n_samples=600, seed=0, dtype=np.float64):
    X, y = make_classification(
        n_samples=n_samples,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        n_informative=4,
        random_state=seed,
    )
    return X.astype(dtype), y


def test_soft_voting_returns_imblearns_centroids():
    X, y = make_data()
    estimator = SklearnKMeans(random_state=0, n_init=1)
    X_peer, y_peer = ImbClusterCentroids(estimator=estimator).fit_resample(X, y)
    X_res, y_res = ClusterCentroids(estimator=estimator).fit_resample(X, y)
    np.testing.assert_allclose(X_res, X_peer)
    np.testing.assert_array_equal(y_res, y_peer)


@pytest.mark.parametrize("estimator", ["kmeans", "minibatch"])
def test_hard_voting_keeps_imblearns_rows_up_to_exact_ties(estimator):
    X, y = make_data()
    make = {
        "kmeans": lambda: SklearnKMeans(random_state=0, n_init=1),
        "minibatch": lambda: MiniBatchKMeans(random_state=0, n_init=1),
    }[estimator]
    peer = ImbClusterCentroids(estimator=make(), voting="hard")
    X_peer, y_peer = peer.fit_resample(X, y)
    X_res, y_res = ClusterCentroids(estimator=make(), voting="hard").fit_resample(X, y)
    np.testing.assert_array_equal(y_res, y_peer)
    differ = np.flatnonzero(~(X_res == X_peer).all(axis=1))
    # Where a centroid is as near to two rows up to float rounding (the midpoint
    # of a two-row cluster), imblearn's search may keep either; balancekit keeps the
    # exact nearest, the lower row on an exact tie. Every other row is identical.
    assert len(differ) < len(y_res) // 10
    for position in differ:
        cls = y_res[position]
        members = np.flatnonzero(y == cls)
        centre = (
            make()
            .set_params(n_clusters=int((y_res == cls).sum()))
            .fit(X[members])
            .cluster_centers_
        )
        first = np.flatnonzero(y_res == cls)[0]
        c = centre[position - first]
        # The exact distance as the neighbour search defines it (one fixed order).
        distances = fixed_order_sum((X[members] - c) ** 2, np)
        ours = members[np.flatnonzero((X[members] == X_res[position]).all(1))[0]]
        theirs = members[np.flatnonzero((X[members] == X_peer[position]).all(1))[0]]
        best = distances.min()
        assert distances[members == ours][0] == best
        assert distances[members == theirs][0] == pytest.approx(best, rel=1e-12)
        if distances[members == theirs][0] == best:
            assert ours < theirs


def test_hard_voting_equal_to_imblearn_without_ties():
    # Few clusters for many rows: no centroid sits half-way between two rows.
    X, y = make_data(n_samples=400, seed=4)
    strategy = {1: 10, 2: 10}
    estimator = SklearnKMeans(random_state=0, n_init=1)
    X_peer, y_peer = ImbClusterCentroids(
        estimator=estimator, voting="hard", sampling_strategy=strategy
    ).fit_resample(X, y)
    X_res, y_res = ClusterCentroids(
        estimator=estimator, voting="hard", sampling_strategy=strategy
    ).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_peer)
    np.testing.assert_array_equal(y_res, y_peer)


def test_default_runs_the_device_kmeans_with_kmeans_centroids():
    X, y = make_data(n_samples=300)
    sampler = ClusterCentroids(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_min = int(np.bincount(y).min())
    assert np.bincount(y_res).tolist() == [n_min] * 3
    assert sampler.voting_ == "soft"
    assert type(sampler.estimator_).__module__ == "balancekit._kmeans_estimator"
    # The minority is kept; the other classes' rows are the fitted centres.
    np.testing.assert_array_equal(X_res[y_res == 0], X[y == 0])
    np.testing.assert_allclose(X_res[y_res == 2], sampler.estimator_.cluster_centers_)
    centres = sampler.estimator_.cluster_centers_
    labels = sampler.estimator_.labels_
    members = X[y == 2]
    for cluster in range(n_min):
        np.testing.assert_allclose(
            centres[cluster], members[labels == cluster].mean(axis=0)
        )


def test_same_result_on_every_backend(backend):
    X, y = make_data(n_samples=300, dtype=np.float32)
    expected_X, expected_y = ClusterCentroids(random_state=3).fit_resample(X, y)
    for voting in ("soft", "hard"):
        sampler = ClusterCentroids(random_state=3, voting=voting)
        X_res, y_res = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
        assert backend.device_of(X_res) == backend.device
        assert backend.device_of(y_res) == backend.device
        assert type(X_res) is type(backend.asarray(X))
        X_host, y_host = backend.to_numpy(X_res), backend.to_numpy(y_res)
        assert X_host.dtype == np.float32
        np.testing.assert_array_equal(y_host, expected_y)
        if voting == "soft":
            np.testing.assert_allclose(X_host, expected_X, rtol=1e-5, atol=1e-6)
        else:  # rows of X: each is one of the class's rows
            for cls in (1, 2):
                rows = X_host[y_host == cls]
                members = X[y == cls]
                assert (rows[:, None, :] == members[None]).all(-1).any(-1).all()


def test_hard_voting_keeps_the_row_nearest_each_centroid():
    X, y = make_data(n_samples=300)
    sampler = ClusterCentroids(random_state=0, voting="hard")
    X_res, y_res = sampler.fit_resample(X, y)
    centres = sampler.estimator_.cluster_centers_
    members = X[y == 2]
    distances = fixed_order_sum((centres[:, None, :] - members[None]) ** 2, np)
    np.testing.assert_array_equal(X_res[y_res == 2], members[distances.argmin(1)])


def test_determinism():
    X, y = make_data(n_samples=300)
    first = ClusterCentroids(random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(
        first, ClusterCentroids(random_state=1).fit_resample(X, y)[0]
    )


def test_auto_voting_is_hard_for_sparse_input():
    X, y = make_data(n_samples=200)
    X[np.abs(X) < 0.8] = 0.0
    X_sparse = sp.csr_matrix(X)
    sampler = ClusterCentroids(random_state=0)
    X_res, _ = sampler.fit_resample(X_sparse, y)
    assert sp.issparse(X_res)
    assert sampler.voting_ == "hard"
    dense = X_res.toarray()
    assert (dense[:, None, :] == X[None]).all(-1).any(-1).all()  # rows of X
    soft = ClusterCentroids(random_state=0, voting="soft").fit_resample(X_sparse, y)[0]
    assert sp.issparse(soft)
    assert soft.shape == X_res.shape


def test_pandas_in_pandas_out():
    X, y = make_data(n_samples=200)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    series = pd.Series(y, name="target")
    X_res, y_res = ClusterCentroids(random_state=0).fit_resample(frame, series)
    assert isinstance(X_res, pd.DataFrame)
    assert list(X_res.columns) == list(frame.columns)
    assert isinstance(y_res, pd.Series)
    assert y_res.name == "target"
    expected = ClusterCentroids(random_state=0).fit_resample(X, y)[0]
    np.testing.assert_allclose(X_res.to_numpy(), expected)


def test_sample_weight_soft_is_the_cluster_mean_and_hard_the_rows_own():
    X, y = make_data(n_samples=300)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    soft = ClusterCentroids(random_state=0)
    _, y_res, w_res = soft.fit_resample(X, y, sample_weight=weights)
    np.testing.assert_array_equal(w_res[y_res == 0], weights[y == 0])
    labels = soft.estimator_.labels_
    expected = [weights[y == 2][labels == c].mean() for c in range(labels.max() + 1)]
    np.testing.assert_allclose(w_res[y_res == 2], expected)
    hard = ClusterCentroids(random_state=0, voting="hard")
    X_res, y_res, w_res = hard.fit_resample(X, y, sample_weight=weights)
    rows = [np.flatnonzero((row == X).all(1))[0] for row in X_res]
    np.testing.assert_array_equal(w_res, weights[rows])


def test_images_keep_their_shape():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2, 3))
    y = np.array([0] * 40 + [1] * 20)
    X_res, y_res = ClusterCentroids(random_state=0).fit_resample(X, y)
    assert X_res.shape == (40, 2, 3)
    np.testing.assert_array_equal(X_res[y_res == 1], X[y == 1])


def test_no_sample_indices_as_imblearn():
    X, y = make_data(n_samples=200)
    sampler = ClusterCentroids(random_state=0, voting="hard").fit(X, y)
    sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    assert not sampler.__sklearn_tags__().sampler_tags.sample_indices


def test_pickles_fitted_and_unfitted(backend):
    X, y = make_data(n_samples=200)
    sampler = ClusterCentroids(random_state=0)
    assert pickle.loads(pickle.dumps(sampler)).get_params() == sampler.get_params()
    sampler.fit_resample(backend.asarray(X), backend.asarray(y))
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(
        backend.to_numpy(restored.estimator_.cluster_centers_),
        backend.to_numpy(sampler.estimator_.cluster_centers_),
    )


@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_host_estimator_runs_on_a_host_copy_and_answers_on_the_device(backend, voting):
    X, y = make_data(n_samples=200)
    weights = np.linspace(0.5, 2.0, len(y))
    estimator = SklearnKMeans(random_state=0, n_init=1)
    X_res, y_res, w_res = ClusterCentroids(
        estimator=estimator, voting=voting
    ).fit_resample(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(weights)
    )
    expected = ClusterCentroids(estimator=estimator, voting=voting).fit_resample(
        X, y, sample_weight=weights
    )
    for got, want in zip((X_res, y_res, w_res), expected, strict=True):
        assert backend.device_of(got) == backend.device
        np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-12)


def test_host_estimator_takes_cpu_tensors():
    torch = pytest.importorskip("torch")
    X, y = make_data(n_samples=200)
    estimator = SklearnKMeans(random_state=0, n_init=1)
    X_res, _ = ClusterCentroids(estimator=estimator).fit_resample(
        torch.as_tensor(X), torch.as_tensor(y)
    )
    expected, _ = ClusterCentroids(estimator=estimator).fit_resample(X, y)
    assert isinstance(X_res, torch.Tensor)
    np.testing.assert_allclose(X_res.numpy(), expected)


class _NoClusters:
    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"voting": "majority"}, ValueError, "`voting` must be one of"),
        ({"estimator": _NoClusters()}, ValueError, "exposing a parameter `n_clusters`"),
        ({"estimator": "kmeans"}, TypeError, "`estimator` must be a clustering"),
        ({"random_state": -1}, ValueError, "`random_state` as an int must be >= 0"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y = make_data(n_samples=200)
    with pytest.raises(error, match=match):
        ClusterCentroids(**params).fit_resample(X, y)


def test_inputs_are_not_modified():
    X, y = make_data(n_samples=200)
    X_copy, y_copy = X.copy(), y.copy()
    ClusterCentroids(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@settings(max_examples=20, deadline=None)
@given(
    counts=st.lists(st.integers(3, 25), min_size=2, max_size=4),
    seed=st.integers(0, 1000),
    voting=st.sampled_from(["soft", "hard"]),
)
def test_counts_equal_the_targets(counts, seed, voting):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), 3)) + y[:, None]
    targets = {cls: int(rng.integers(1, n + 1)) for cls, n in enumerate(counts)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, y_res = ClusterCentroids(
            sampling_strategy=targets, random_state=seed, voting=voting
        ).fit_resample(X, y)
    assert np.bincount(y_res, minlength=len(counts)).tolist() == [
        targets[c] for c in range(len(counts))
    ]
