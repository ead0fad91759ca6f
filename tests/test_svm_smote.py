"""SVMSMOTE: imbalanced-learn and scikit-learn as oracles, every backend.

The oracles: the same ``SVC`` support vectors as imbalanced-learn's; the noise / danger
/ safe partition computed by imbalanced-learn's own rule (``_in_danger_noise``) with
scikit-learn's kNN; with the Beta draw pinned to the same value on both sides, the same
number of rows per branch as imbalanced-learn, whose own rows are found on the
interpolation (danger) and extrapolation (safe) segments; and the share drawn per class
follows Beta(10, 10) (Kolmogorov-Smirnov).
"""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SVMSMOTE as ImbSVMSMOTE
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors
from sklearn.svm import SVC

from balancekit.over_sampling import SVMSMOTE

K, M = 5, 10


def make_data(n_per_class=(150, 40, 25), n_features=3, seed=0, dtype=np.float64):
    """Overlapping Gaussian classes: every class has support vectors of each kind."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = (rng.normal(size=(y.size, n_features)) + y[:, None]).astype(dtype)
    return X, y


class PinnedGenerator(np.random.Generator):
    """A NumPy Generator whose Beta draw is fixed (balancekit's side)."""

    fraction = 0.3

    def beta(self, a, b, size=None):
        return self.fraction


class PinnedRandomState(np.random.RandomState):
    """A RandomState whose Beta draw is fixed (imbalanced-learn's side)."""

    fraction = 0.3

    def beta(self, a, b, size=None):
        return self.fraction


def parameters(cls):
    """Names, kinds and defaults of ``cls``'s constructor (annotations ignored)."""
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()
    ]


# --- oracles ---------------------------------------------------------------------


def imblearn_partition(X, y, cls, support, m=M):
    """(danger, safe) support vectors of ``cls`` by imbalanced-learn's own rule."""
    vectors = support[y[support] == cls]
    nn = SklearnNearestNeighbors(n_neighbors=m + 1).fit(X)
    rule = ImbSVMSMOTE()._in_danger_noise
    vectors = vectors[~rule(nn, X[vectors], cls, y, kind="noise")]
    danger = rule(nn, X[vectors], cls, y, kind="danger")
    return vectors[danger], vectors[~danger]


def on_segments(rows, X, y, cls, parents, low, high, k=K):
    """Whether every row is ``X[p] + s (X[q] - X[p])``, s in [low, high], for a parent
    p of ``parents`` and q one of its k nearest rows of class ``cls``."""
    members = np.flatnonzero(y == cls)
    nn = SklearnNearestNeighbors(n_neighbors=k + 1).fit(X[members])
    partners = members[nn.kneighbors(X[parents], return_distance=False)[:, 1:]]
    starts = np.repeat(X[parents], k, axis=0)
    deltas = X[partners.ravel()] - starts
    for row in rows:
        offsets = row - starts
        steps = (offsets * deltas).sum(axis=1) / (deltas * deltas).sum(axis=1)
        residual = np.linalg.norm(offsets - steps[:, None] * deltas, axis=1)
        ok = (residual < 1e-8) & (steps >= low - 1e-9) & (steps <= high + 1e-9)
        if not ok.any():
            return False
    return True


# --- imbalanced-learn's contract -------------------------------------------------


def test_signature_matches_imblearn():
    assert parameters(SVMSMOTE) == parameters(ImbSVMSMOTE)


@pytest.mark.parametrize("strategy", ["auto", "minority", {1: 100, 2: 60}])
def test_same_support_vectors_and_partition_as_imblearn(strategy):
    X, y = make_data()
    sampler = SVMSMOTE(sampling_strategy=strategy, random_state=0)
    sampler.fit_resample(X, y)
    peer = ImbSVMSMOTE(sampling_strategy=strategy, random_state=0)
    peer.fit_resample(X, y)
    support = peer.svm_estimator_.support_
    np.testing.assert_array_equal(sampler.svm_estimator_.support_, support)
    assert dict(sampler.sampling_strategy_) == dict(peer.sampling_strategy_)
    assert set(sampler.danger_indices_) == {
        c for c, n in peer.sampling_strategy_.items() if n
    }
    for cls in sampler.danger_indices_:
        danger, safe = imblearn_partition(X, y, cls, support)
        np.testing.assert_array_equal(sampler.danger_indices_[cls], danger)
        np.testing.assert_array_equal(sampler.safe_indices_[cls], safe)
        assert danger.size
        assert safe.size


@pytest.mark.parametrize("fraction", [0.2, 0.55])
def test_rows_per_branch_equal_imblearns_for_the_same_beta_draw(fraction):
    X, y = make_data()
    PinnedGenerator.fraction = PinnedRandomState.fraction = fraction
    sampler = SVMSMOTE(random_state=PinnedGenerator(np.random.PCG64(0)))
    _X_res, y_res = sampler.fit_resample(X, y)
    peer = ImbSVMSMOTE(random_state=PinnedRandomState(0))
    X_peer, y_peer = peer.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()
    steps = np.asarray(sampler.synthetic_steps_)
    labels = y_res[len(y) :]
    peer_new, peer_labels = X_peer[len(y) :], y_peer[len(y) :]
    for cls, n_new in sampler.sampling_strategy_.items():
        n_danger = int(fraction * (n_new + 1))
        mine = steps[labels == cls]
        # Danger rows first (steps >= 0), then safe rows (steps <= 0), as imblearn.
        assert (mine[:n_danger] >= 0).all()
        assert (mine[n_danger:] <= 0).all()
        danger, safe = imblearn_partition(X, y, cls, peer.svm_estimator_.support_)
        theirs = peer_new[peer_labels == cls]
        assert len(theirs) == n_new
        # imblearn's own rows: interpolated from danger, extrapolated from safe.
        assert on_segments(theirs[:n_danger], X, y, cls, danger, 0.0, 1.0)
        assert on_segments(theirs[n_danger:], X, y, cls, safe, -0.5, 0.0)


def test_the_branch_share_follows_beta_10_10():
    X, y = make_data(n_per_class=(60, 20), n_features=2)
    n_new = 40
    shares = []
    for seed in range(120):
        sampler = SVMSMOTE(sampling_strategy={1: 20 + n_new}, random_state=seed)
        sampler.fit_resample(X, y)
        n_danger = int((np.asarray(sampler.synthetic_steps_) > 0).sum())
        shares.append(n_danger / (n_new + 1))
    # n_danger = floor(f * (n_new + 1)): the share is f rounded down by < 1/41.
    shares = np.asarray(shares) + 0.5 / (n_new + 1)
    assert stats.kstest(shares, stats.beta(10, 10).cdf).pvalue > 0.001


@pytest.mark.parametrize("out_step", [0.5, 0.2, 1.0])
def test_new_rows_lie_on_interpolation_and_extrapolation_segments(out_step):
    X, y = make_data()
    sampler = SVMSMOTE(random_state=1, out_step=out_step)
    X_res, y_res = sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    np.testing.assert_allclose(
        X_res[len(y) :], X[parents] + steps[:, None] * (X[partners] - X[parents])
    )
    np.testing.assert_array_equal(y_res[len(y) :], y[parents])
    for cls in sampler.danger_indices_:
        new = X_res[len(y) :][y_res[len(y) :] == cls]
        from_danger = np.isin(parents[y[parents] == cls], sampler.danger_indices_[cls])
        assert on_segments(
            new[from_danger], X, y, cls, sampler.danger_indices_[cls], 0.0, 1.0
        )
        assert on_segments(
            new[~from_danger], X, y, cls, sampler.safe_indices_[cls], -out_step, 0.0
        )
        assert (steps[y[parents] == cls][~from_danger] > -out_step - 1e-12).all()


def test_a_missing_branch_makes_imblearns_shortfall_with_a_warning():
    # A linear SVM on separable classes: every minority support vector is safe.
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [60, 20])
    X = rng.normal(size=(80, 2)) * 0.3 + 3.0 * y[:, None]
    PinnedGenerator.fraction = PinnedRandomState.fraction = 0.4
    svm = SVC(kernel="linear")
    sampler = SVMSMOTE(
        random_state=PinnedGenerator(np.random.PCG64(0)), svm_estimator=svm
    )
    with pytest.warns(UserWarning, match="no support vector of class 1 in danger"):
        _, y_res = sampler.fit_resample(X, y)
    _, y_peer = ImbSVMSMOTE(
        random_state=PinnedRandomState(0), svm_estimator=svm
    ).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()
    assert np.bincount(y_res)[1] == 20 + 40 - int(0.4 * 41)


def test_all_support_vectors_noise_is_a_clear_error():
    # Isolated minority rows on a grid inside a dense majority: every minority row's
    # ten nearest neighbours are majority rows.
    rng = np.random.default_rng(0)
    majority = rng.uniform(0, 12, size=(600, 2))
    grid = np.stack(np.meshgrid([2.0, 6.0, 10.0], [2.0, 6.0, 10.0]), -1).reshape(-1, 2)
    X = np.vstack([majority, grid])
    y = np.repeat([0, 1], [600, 9])
    with pytest.raises(ValueError, match="support vectors of class 1 are noise"):
        SVMSMOTE(random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="noise"):
        ImbSVMSMOTE(random_state=0).fit_resample(X, y)


# --- backends, seeds, inputs -----------------------------------------------------


def test_backend_output_matches_numpy(backend):
    X, y = make_data(dtype=np.float32)
    weights = np.random.default_rng(1).uniform(size=len(y)).astype(np.float32)
    expected = SVMSMOTE(random_state=0).fit_resample(X, y, sample_weight=weights)
    sampler = SVMSMOTE(random_state=0)
    X_b, y_b, w_b = (backend.asarray(a) for a in (X, y, weights))
    result = sampler.fit_resample(X_b, y_b, sample_weight=w_b)
    for got, want in zip(result, expected, strict=True):
        assert backend.device_of(got) == backend.device
        assert type(got) is type(X_b)
        got = backend.to_numpy(got)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    for attribute in ("synthetic_parents_", "synthetic_partners_", "synthetic_steps_"):
        assert backend.device_of(getattr(sampler, attribute)) == backend.device
    for cls, danger in sampler.danger_indices_.items():
        assert backend.device_of(danger) == backend.device
        assert backend.device_of(sampler.safe_indices_[cls]) == backend.device
    # Inputs are never modified.
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)
    np.testing.assert_array_equal(backend.to_numpy(w_b), weights)


def test_images_keep_their_shape(backend):
    X, y = make_data(n_features=6, dtype=np.float32)
    flat_result = SVMSMOTE(random_state=0).fit_resample(X, y)
    X_res, _y_res = SVMSMOTE(random_state=0).fit_resample(
        backend.asarray(X.reshape(-1, 1, 2, 3)), backend.asarray(y)
    )
    assert tuple(X_res.shape) == (len(flat_result[1]), 1, 2, 3)
    np.testing.assert_allclose(
        backend.to_numpy(X_res).reshape(-1, 6), flat_result[0], rtol=1e-6, atol=1e-6
    )


def test_same_seed_same_rows_other_seed_other_rows():
    X, y = make_data()
    first = SVMSMOTE(random_state=3).fit_resample(X, y)[0]
    again = SVMSMOTE(random_state=3).fit_resample(X, y)[0]
    other = SVMSMOTE(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_weights_are_interpolated_with_the_rows_steps():
    X, y = make_data()
    weights = np.random.default_rng(2).uniform(1, 2, size=len(y))
    sampler = SVMSMOTE(random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    expected = weights[parents] + steps * (weights[partners] - weights[parents])
    np.testing.assert_allclose(w_res[len(y) :], expected)


def test_sparse_and_pandas_give_the_dense_rows():
    X, y = make_data()
    expected, y_expected = SVMSMOTE(random_state=0).fit_resample(X, y)
    X_sparse, y_sparse = SVMSMOTE(random_state=0).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse)
    np.testing.assert_allclose(X_sparse.toarray(), expected)
    np.testing.assert_array_equal(y_sparse, y_expected)
    frame = pd.DataFrame(X, columns=list("abc"))
    X_frame, y_series = SVMSMOTE(random_state=0).fit_resample(
        frame, pd.Series(y, name="target")
    )
    assert list(X_frame.columns) == list("abc")
    assert y_series.name == "target"
    np.testing.assert_allclose(X_frame.to_numpy(), expected)


def test_user_neighbours_objects_and_svm_are_used():
    X, y = make_data()
    expected = SVMSMOTE(random_state=0).fit_resample(X, y)[0]
    got = SVMSMOTE(
        random_state=0,
        k_neighbors=SklearnNearestNeighbors(n_neighbors=K + 1),
        m_neighbors=SklearnNearestNeighbors(n_neighbors=M + 1),
        svm_estimator=SVC(gamma="scale"),
    ).fit_resample(X, y)[0]
    np.testing.assert_allclose(got, expected)
    linear = SVMSMOTE(random_state=0, svm_estimator=SVC(kernel="linear"))
    linear.fit_resample(X, y)
    peer = SVC(kernel="linear").fit(X, y)
    np.testing.assert_array_equal(linear.svm_estimator_.support_, peer.support_)


def test_pickles_fitted_or_not():
    X, y = make_data()
    sampler = SVMSMOTE(random_state=0)
    assert pickle.loads(pickle.dumps(sampler)).get_params() == sampler.get_params()
    expected = sampler.fit_resample(X, y)[0]
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(restored.fit_resample(X, y)[0], expected)
    np.testing.assert_array_equal(
        restored.svm_estimator_.support_, sampler.svm_estimator_.support_
    )


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"out_step": 1.5}, ValueError, "`out_step` must be in \\[0, 1\\]"),
        ({"out_step": "big"}, TypeError, "`out_step` must be a number"),
        ({"m_neighbors": "ten"}, TypeError, "`m_neighbors` must be an int"),
        ({"m_neighbors": 0}, ValueError, "m_neighbors"),
        ({"k_neighbors": 40}, ValueError, "`k_neighbors`=40 needs at least 41"),
        ({"svm_estimator": "svc"}, TypeError, "`svm_estimator` must be"),
        ({"svm_estimator": LogisticRegression()}, RuntimeError, "support_"),
    ],
)
def test_bad_parameters_are_named(params, error, match):
    X, y = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            SVMSMOTE(random_state=0, **params).fit_resample(X, y)
