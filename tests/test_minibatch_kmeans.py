"""Device mini-batch k-means: scikit-learn's quality, stopping rules, reassignment,
backends, sparse input, parameters."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.cluster import MiniBatchKMeans as SklearnMiniBatchKMeans
from sklearn.datasets import make_blobs

from balancekit._minibatch_kmeans import _EarlyStopping
from balancekit.cluster import MiniBatchKMeans


def blobs(n_samples=2000, centers=5, seed=0, std=0.6, n_features=3):
    X, truth = make_blobs(
        n_samples,
        n_features=n_features,
        centers=centers,
        cluster_std=std,
        random_state=seed,
    )
    return X, truth


def minority_gaussian(n_samples=20_000, n_features=16, seed=0):
    """The benchmark's data, smaller: float32 Gaussian, a 1% minority shifted +0.5."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    minority = rng.choice(n_samples, size=n_samples // 100, replace=False)
    X[minority] += 0.5
    return X


def same_partition(a, b):
    """The two labellings group the rows the same way (up to renaming clusters)."""
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def max_steps(n_samples, max_iter, batch_size):
    return max_iter * n_samples // min(batch_size, n_samples)


# Both algorithms are randomised (their draws differ: NumPy Generator here,
# RandomState there), so equivalence is statistical: over 10 seeds, the median of
# the per-seed inertia ratios and the ratio of the median inertias stay within
# 1.5%. Measured: 0.03% and 0.04% (blobs), 0.04% and 0.01% (Gaussian), with per-seed
# ratios spread by about +-1.3% (blobs, an occasional local minimum aside, which the
# median ignores) and +-0.1% (Gaussian). Real differences in the algorithm cost
# more on the blobs: centres moved to the batch mean instead of the running mean
# +2.7%, random seeding instead of k-means++ +58%. (Reassignment does not matter on
# these data; its own tests check it.)
@pytest.mark.parametrize(
    ("data", "batch_size"),
    [("blobs", 256), ("minority_gaussian", 1024)],
)
def test_inertia_is_statistically_sklearns(data, batch_size):
    if data == "blobs":
        X = blobs(n_samples=5000, centers=8, std=1.5, n_features=5)[0]
    else:
        X = minority_gaussian()
    ours, peer = [], []
    for seed in range(10):
        params = {"n_clusters": 8, "batch_size": batch_size, "random_state": seed}
        ours.append(MiniBatchKMeans(**params).fit(X).inertia_)
        peer.append(SklearnMiniBatchKMeans(**params).fit(X).inertia_)
    ratios = np.array(ours) / np.array(peer)
    assert abs(np.median(ratios) - 1) < 0.015
    assert abs(np.median(ours) / np.median(peer) - 1) < 0.015


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_equals_sklearn_kmeans_on_separated_blobs(seed):
    X, truth = blobs(seed=seed, std=0.3)
    ours = MiniBatchKMeans(5, batch_size=256, random_state=seed).fit(X)
    exact = SklearnKMeans(5, random_state=seed, n_init=1).fit(X)
    assert same_partition(ours.labels_, exact.labels_)
    assert same_partition(ours.labels_, truth)
    # Same partition, centres near the clusters' means: the running means of the
    # sampled rows, not the means of all rows (a fraction of a percent of inertia).
    assert exact.inertia_ <= ours.inertia_ < 1.01 * exact.inertia_


def test_same_clusters_on_every_backend(backend):
    X, _ = blobs(n_samples=3000, centers=4, seed=5, std=1.5)
    X = X.astype(np.float32)
    params = {"n_clusters": 4, "batch_size": 200, "random_state": 7, "n_init": 2}
    expected = MiniBatchKMeans(**params).fit(X)
    km = MiniBatchKMeans(**params).fit(backend.asarray(X))
    assert backend.device_of(km.labels_) == backend.device
    assert backend.device_of(km.cluster_centers_) == backend.device
    assert type(km.cluster_centers_) is type(backend.asarray(X))
    assert km.n_steps_ == expected.n_steps_
    assert km.n_steps_ > 5
    np.testing.assert_array_equal(backend.to_numpy(km.labels_), expected.labels_)
    np.testing.assert_allclose(
        backend.to_numpy(km.cluster_centers_), expected.cluster_centers_, rtol=1e-6
    )
    assert km.inertia_ == pytest.approx(expected.inertia_, rel=1e-5)
    new = backend.asarray(X[:50])
    np.testing.assert_array_equal(
        backend.to_numpy(km.predict(new)), expected.labels_[:50]
    )


def test_determinism_under_a_seed():
    X = minority_gaussian(n_samples=5000, n_features=4)
    first = MiniBatchKMeans(6, batch_size=100, random_state=3).fit(X)
    again = MiniBatchKMeans(6, batch_size=100, random_state=3).fit(X)
    np.testing.assert_array_equal(first.cluster_centers_, again.cluster_centers_)
    np.testing.assert_array_equal(first.labels_, again.labels_)
    assert first.n_steps_ == again.n_steps_
    generator = MiniBatchKMeans(6, batch_size=100).fit(X, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(generator.labels_, first.labels_)


def test_early_stopping_stops_and_none_runs_every_step():
    X, _ = blobs(n_samples=2000, std=1.0)
    params = {"n_clusters": 5, "batch_size": 100, "max_iter": 5, "random_state": 0}
    steps = max_steps(2000, 5, 100)
    stopped = MiniBatchKMeans(**params).fit(X)
    assert stopped.n_steps_ < steps
    assert stopped.n_iter_ == -(-stopped.n_steps_ * 100 // 2000)
    full = MiniBatchKMeans(**params, max_no_improvement=None).fit(X)
    assert full.n_steps_ == steps
    assert full.n_iter_ == 5
    # A large tol stops at the second step (the first only measures the seeding).
    assert MiniBatchKMeans(**params, tol=1e3).fit(X).n_steps_ == 2
    patient = MiniBatchKMeans(**params, max_no_improvement=50).fit(X)
    assert patient.n_steps_ > stopped.n_steps_


def test_early_stopping_follows_sklearns_rule():
    rule = _EarlyStopping(n_samples=999, batch_size=10, tol=0.0, max_no_improvement=2)
    alpha = 10 * 2.0 / 1000
    assert not rule.stop(0, 1e6, 0.0)  # the seeding's inertia is ignored
    assert not rule.stop(1, 50.0, 0.0)
    assert rule.ewa == 5.0
    assert not rule.stop(2, 60.0, 0.0)  # no improvement 1
    assert rule.ewa == pytest.approx(5.0 * (1 - alpha) + 6.0 * alpha)
    assert not rule.stop(3, 10.0, 0.0)  # new minimum
    assert not rule.stop(4, 90.0, 0.0)
    assert rule.stop(5, 90.0, 0.0)  # two steps without a new minimum
    assert _EarlyStopping(999, 10, 0.5, None).stop(1, 1.0, 0.5)


def test_reassignment_moves_a_starved_centre(backend):
    X, _ = blobs(n_samples=1000, centers=3, std=0.5, seed=1)
    init = np.vstack([X[[0, 400, 800]], [[1e3, 1e3, 1e3]]])  # centre 3 gets nothing
    params = {"n_clusters": 4, "init": init, "batch_size": 100, "random_state": 0}
    stuck = MiniBatchKMeans(**params, reassignment_ratio=0.0).fit(X)
    np.testing.assert_array_equal(stuck.cluster_centers_[3], init[3])
    assert 3 not in stuck.labels_
    moved = MiniBatchKMeans(**params).fit(backend.asarray(X))
    centres = backend.to_numpy(moved.cluster_centers_)
    assert np.abs(centres[3]).max() < 50  # among the rows now
    assert 3 in backend.to_numpy(moved.labels_)


def test_reassignment_when_rows_per_step_are_few():
    # batch_size < 10 * n_clusters: scikit-learn reassigns only every 10 * n_clusters
    # rows or when a centre is still empty; the device flag follows it.
    X, _ = blobs(n_samples=600, centers=3, std=0.5, seed=2)
    init = np.vstack([X[[0, 200, 400]], [[1e3, 1e3, 1e3]]])
    km = MiniBatchKMeans(4, init=init, batch_size=8, random_state=0).fit(X)
    assert np.abs(km.cluster_centers_[3]).max() < 50
    many = MiniBatchKMeans(30, batch_size=16, random_state=0).fit(X)  # cap: 8 per step
    assert len(np.unique(many.labels_)) == 30


def test_compute_labels_false_leaves_no_labels():
    X, _ = blobs()
    km = MiniBatchKMeans(5, compute_labels=False, random_state=0).fit(X)
    assert not hasattr(km, "labels_")
    labelled = MiniBatchKMeans(5, random_state=0).fit(X)
    np.testing.assert_array_equal(km.cluster_centers_, labelled.cluster_centers_)
    # The smoothed batch inertia, scaled to all rows: close to the exact one.
    assert km.inertia_ == pytest.approx(labelled.inertia_, rel=0.2)
    np.testing.assert_array_equal(km.fit_predict(X), labelled.labels_)
    labelled.set_params(compute_labels=False).fit(X)
    assert not hasattr(labelled, "labels_")


def test_predict_assigns_the_nearest_centre():
    X, _ = blobs()
    km = MiniBatchKMeans(5, batch_size=128, random_state=0).fit(X)
    new = np.random.default_rng(1).normal(size=(80, 3)) * 5
    distances = ((new[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(km.predict(new), distances.argmin(1))
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)
    np.testing.assert_array_equal(km.predict(X), km.labels_)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_sparse_input_gives_the_dense_result(init):
    X, _ = blobs(n_samples=1500, centers=6, std=2.0)
    X[np.abs(X) < 2.0] = 0.0
    params = {"n_clusters": 6, "init": init, "batch_size": 100, "random_state": 0}
    dense = MiniBatchKMeans(**params).fit(X)
    sparse = MiniBatchKMeans(**params).fit(sp.csr_matrix(X))
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_)
    assert sparse.n_steps_ == dense.n_steps_
    assert sparse.inertia_ == pytest.approx(dense.inertia_)
    np.testing.assert_array_equal(sparse.predict(sp.csr_matrix(X)), dense.labels_)


def test_random_init_and_n_init():
    X, _ = blobs(n_samples=1000, centers=6, std=2.0)
    km = MiniBatchKMeans(6, init="random", random_state=0).fit(X)
    assert km.inertia_ > 0
    best = MiniBatchKMeans(6, n_init=4, random_state=0).fit(X)
    assert best.cluster_centers_.shape == (6, 3)
    with pytest.warns(RuntimeWarning, match="one initialisation"):
        MiniBatchKMeans(2, init=X[:2], n_init=3).fit(X)
    with pytest.warns(RuntimeWarning, match="init_size=1 should be larger"):
        MiniBatchKMeans(3, init_size=1, random_state=0).fit(X)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_clusters": 0}, ValueError, "`n_clusters` must be >= 1"),
        ({"n_clusters": 2.5}, TypeError, "`n_clusters` must be an int"),
        ({"n_clusters": 200}, ValueError, "should be >= n_clusters=200"),
        ({"init": "kmeans"}, ValueError, "`init` must be one of"),
        ({"init": np.zeros((2, 3))}, ValueError, r"shape \(n_clusters, n_features\)"),
        ({"init": 3}, TypeError, "`init` must be"),
        ({"max_iter": 0}, ValueError, "`max_iter` must be >= 1"),
        ({"batch_size": 0}, ValueError, "`batch_size` must be >= 1"),
        ({"batch_size": 1.5}, TypeError, "`batch_size` must be an int"),
        ({"compute_labels": "yes"}, TypeError, "`compute_labels`"),
        ({"tol": -1.0}, ValueError, "`tol` must be >= 0"),
        ({"max_no_improvement": -1}, ValueError, "`max_no_improvement` must be >= 0"),
        ({"max_no_improvement": 1.5}, TypeError, "`max_no_improvement` must be"),
        ({"init_size": 0}, ValueError, "`init_size` must be >= 1"),
        ({"n_init": "many"}, ValueError, "`n_init` must be 'auto' or an int"),
        ({"n_init": 0}, ValueError, "`n_init` must be >= 1"),
        ({"reassignment_ratio": -0.1}, ValueError, "`reassignment_ratio` must be"),
        ({"reassignment_ratio": "a"}, TypeError, "`reassignment_ratio` must be"),
        ({"random_state": "a"}, TypeError, "`random_state` must be"),
    ],
)
def test_bad_parameters(params, error, match):
    X, _ = blobs(n_samples=100)
    with pytest.raises(error, match=match):
        MiniBatchKMeans(**{"n_clusters": 3, **params}).fit(X)


def test_non_finite_input_is_refused():
    X, _ = blobs(n_samples=50)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        MiniBatchKMeans(3).fit(X)


def test_verbose_is_accepted_and_silent(capsys):
    X, _ = blobs(n_samples=200)
    MiniBatchKMeans(3, verbose=2, random_state=0).fit(X)
    assert capsys.readouterr().out == ""


def test_nothing_passed_is_modified():
    X, _ = blobs(n_samples=500)
    init = X[:3].copy()
    X_copy, init_copy = X.copy(), init.copy()
    MiniBatchKMeans(3, init=init, batch_size=50, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(init, init_copy)
    rng = np.random.default_rng(0)
    km = MiniBatchKMeans(3, random_state=rng)
    km.fit(X)
    assert km.get_params()["random_state"] is rng


def test_pickles_fitted_and_unfitted():
    X, _ = blobs(n_samples=300)
    km = MiniBatchKMeans(3, random_state=0)
    assert pickle.loads(pickle.dumps(km)).get_params() == km.get_params()
    km.fit(X)
    restored = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(restored.predict(X), km.labels_)
    assert restored.n_steps_ == km.n_steps_


@settings(max_examples=25, deadline=None)
@given(
    n_samples=st.integers(4, 60),
    n_clusters=st.integers(1, 4),
    batch_size=st.integers(1, 16),
    seed=st.integers(0, 1000),
)
def test_labels_are_nearest_centres_and_inertia_their_sum(
    n_samples, n_clusters, batch_size, seed
):
    # Integer grids make many exact ties: the lower centre index must win them.
    X = np.random.default_rng(seed).integers(0, 4, size=(n_samples, 2)).astype(float)
    km = MiniBatchKMeans(
        n_clusters, batch_size=batch_size, max_iter=3, random_state=seed
    ).fit(X)
    distances = ((X[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(km.labels_, distances.argmin(1))
    assert km.inertia_ == pytest.approx(distances.min(1).sum(), abs=1e-9)
    assert np.isfinite(km.cluster_centers_).all()


def test_predict_checks_its_input():
    from sklearn.exceptions import NotFittedError

    X, _ = blobs(n_samples=200)
    with pytest.raises(NotFittedError):
        MiniBatchKMeans(3).predict(X)
    km = MiniBatchKMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but MiniBatchKMeans"):
        km.predict(X[:, :2])
    with pytest.raises(ValueError, match="Reshape your data"):
        km.predict(X[:, 0])
    with pytest.raises(ValueError, match="NaN or infinity"):
        km.predict(np.full((2, 3), np.nan))
