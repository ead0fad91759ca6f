"""NearMiss and CondensedNearestNeighbour: imblearn oracle, devices, CNN properties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN
from imblearn.under_sampling import NearMiss as ImbNearMiss
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from balancekit.under_sampling._condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
)
from balancekit.under_sampling._nearmiss import NearMiss


def make_data(n_per_class=(60, 25), n_features=4, seed=0, dtype=np.float64):
    """Shuffled Gaussian classes shifted apart: continuous, so free of ties."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = rng.normal(size=(y.size, n_features)) + 0.7 * y[:, None]
    return X.astype(dtype), y


def halve_the_majority(y):
    counts = np.bincount(np.asarray(y))
    return {int(np.argmax(counts)): int(counts.max() // 2)}


BINARY_STRATEGIES = ["auto", "majority", "all", 0.6, {0: 30}, halve_the_majority]
MULTICLASS_STRATEGIES = [
    "auto",
    "all",
    "majority",
    "not majority",
    {0: 20, 1: 12},
    halve_the_majority,
]
CASES = [((60, 25), s) for s in BINARY_STRATEGIES] + [
    ((60, 25, 12), s) for s in MULTICLASS_STRATEGIES
]


def strategy_id(strategy):
    return getattr(strategy, "__name__", repr(strategy))


def run_quietly(sampler, X, y, **kwargs):
    """fit_resample without NearMiss-3's warning about too few candidates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return sampler.fit_resample(X, y, **kwargs)


# ----------------------------------------------------------------------------------
# NearMiss: imbalanced-learn is the oracle
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize(
    ("counts", "strategy"), CASES, ids=[f"{c}-{strategy_id(s)}" for c, s in CASES]
)
def test_nearmiss_keeps_the_rows_imblearn_keeps(version, counts, strategy):
    X, y = make_data(counts)
    ours = NearMiss(version=version, sampling_strategy=strategy)
    peer = ImbNearMiss(version=version, sampling_strategy=strategy)
    X_res, y_res = run_quietly(ours, X, y)
    X_peer, y_peer = run_quietly(peer, X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)
    np.testing.assert_array_equal(X_res, X_peer)
    np.testing.assert_array_equal(y_res, y_peer)
    assert ours.sampling_strategy_ == peer.sampling_strategy_


@pytest.mark.parametrize("version", [1, 2, 3])
def test_nearmiss_with_neighbour_objects_equals_imblearn(version):
    X, y = make_data((60, 25, 12))
    kwargs = {
        "n_neighbors": SkNearestNeighbors(n_neighbors=2),
        "n_neighbors_ver3": SkNearestNeighbors(n_neighbors=5),
    }
    ours = NearMiss(version=version, **kwargs)
    peer = ImbNearMiss(version=version, **kwargs)
    run_quietly(ours, X, y)
    run_quietly(peer, X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 5])
def test_nearmiss_other_neighbour_counts_equal_imblearn(version, k):
    X, y = make_data((50, 20, 15), seed=3)
    ours = NearMiss(version=version, n_neighbors=k, n_neighbors_ver3=k)
    peer = ImbNearMiss(version=version, n_neighbors=k, n_neighbors_ver3=k)
    run_quietly(ours, X, y)
    run_quietly(peer, X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_nearmiss_minority_tie_goes_to_the_first_class_in_y(version):
    # Classes 1 and 2 have 15 rows each; class 2 appears first in y, so it is the
    # minority for imblearn (Counter order), not class 1 (sorted order).
    X, y = make_data((50, 15, 15), seed=1)
    first_of_2 = np.flatnonzero(y == 2)[0]
    y[[0, first_of_2]] = y[[first_of_2, 0]]
    assert y[0] == 2
    ours, peer = NearMiss(version=version), ImbNearMiss(version=version)
    run_quietly(ours, X, y)
    run_quietly(peer, X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)


def test_nearmiss3_warns_and_keeps_fewer_when_candidates_are_few():
    X, y = make_data((80, 10))
    sampler = NearMiss(version=3, n_neighbors_ver3=1)
    with pytest.warns(UserWarning, match="Raise `n_neighbors_ver3`"):
        _, y_res = sampler.fit_resample(X, y)
    peer = ImbNearMiss(version=3, n_neighbors_ver3=1)
    run_quietly(peer, X, y)
    assert np.bincount(y_res)[0] < 10
    np.testing.assert_array_equal(sampler.sample_indices_, peer.sample_indices_)


def test_nearmiss_fitted_attributes():
    X, y = make_data((60, 25, 12))
    sampler = NearMiss(version=3)
    sampler.fit_resample(X, y)
    assert sampler.nn_.n_samples_fit_ == 12  # fitted on the minority rows
    assert sampler.nn_ver3_.n_samples_fit_ == 25  # the last class resampled
    assert sampler.n_features_in_ == 4


def test_nearmiss_multidimensional_X_uses_flattened_features():
    X, y = make_data(n_features=12)
    flat = NearMiss(version=2)
    flat.fit_resample(X, y)
    cube = NearMiss(version=2)
    X_res, _ = cube.fit_resample(X.reshape(-1, 2, 3, 2), y)
    assert X_res.shape[1:] == (2, 3, 2)
    np.testing.assert_array_equal(cube.sample_indices_, flat.sample_indices_)


# ----------------------------------------------------------------------------------
# Both samplers on every backend
# ----------------------------------------------------------------------------------

SAMPLERS = {
    "nearmiss-1": lambda: NearMiss(version=1),
    "nearmiss-2": lambda: NearMiss(version=2),
    "nearmiss-3": lambda: NearMiss(version=3, n_neighbors_ver3=4),
    "cnn": lambda: CondensedNearestNeighbour(random_state=0),
    "cnn-3nn": lambda: CondensedNearestNeighbour(random_state=0, n_neighbors=3),
}


@pytest.fixture(params=list(SAMPLERS))
def kind(request):
    return request.param


def test_backend_output_matches_numpy(kind, backend):
    X, y = make_data((60, 25, 12), dtype=np.float32)
    w = np.linspace(0.5, 2.0, y.size).astype(np.float32)
    reference = SAMPLERS[kind]()
    X_np, y_np, w_np = run_quietly(reference, X, y, sample_weight=w)
    sampler = SAMPLERS[kind]()
    X_b, y_b, w_b = run_quietly(
        sampler,
        backend.asarray(X),
        backend.asarray(y),
        sample_weight=backend.asarray(w),
    )
    np.testing.assert_array_equal(
        backend.to_numpy(sampler.sample_indices_), reference.sample_indices_
    )
    assert backend.device_of(sampler.sample_indices_) == backend.device
    for out, expected in [(X_b, X_np), (y_b, y_np), (w_b, w_np)]:
        assert type(out) is type(backend.asarray(expected))
        assert backend.device_of(out) == backend.device
        assert backend.to_numpy(out).dtype == expected.dtype
        np.testing.assert_array_equal(backend.to_numpy(out), expected)


def test_inputs_are_not_modified(kind, backend):
    X, y = make_data((60, 25, 12))
    X_b, y_b = backend.asarray(X.copy()), backend.asarray(y.copy())
    SAMPLERS[kind]().fit_resample(X_b, y_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)


def test_same_input_same_output(kind):
    X, y = make_data((60, 25, 12))
    first, again = SAMPLERS[kind](), SAMPLERS[kind]()
    first.fit_resample(X, y)
    again.fit_resample(X, y)
    np.testing.assert_array_equal(first.sample_indices_, again.sample_indices_)


def test_sparse_input_gives_the_dense_rows(kind):
    X, y = make_data((60, 25, 12))
    X[np.abs(X) < 0.5] = 0
    dense = SAMPLERS[kind]()
    X_dense, _ = dense.fit_resample(X, y)
    for fmt in ("csr", "csc"):
        sampler = SAMPLERS[kind]()
        X_res, _ = sampler.fit_resample(sp.csr_matrix(X).asformat(fmt), y)
        assert sp.issparse(X_res)
        assert X_res.format == fmt
        np.testing.assert_array_equal(sampler.sample_indices_, dense.sample_indices_)
        np.testing.assert_allclose(X_res.toarray(), X_dense)


def test_imblearn_pipeline(kind):
    X, y = make_data((200, 20))
    model = make_pipeline(SAMPLERS[kind](), LogisticRegression())
    model.fit(X, y)
    assert model.predict(X).shape == y.shape


# ----------------------------------------------------------------------------------
# CondensedNearestNeighbour: the defining properties
# ----------------------------------------------------------------------------------


def kept_of_class(sampler, y, cls):
    idx = sampler.sample_indices_
    return idx[y[idx] == cls]


def sequential_cnn(X, y, cls, minority, seeds, k):
    """Hart's rule row by row, refitting a k-NN classifier after each addition."""
    store = [*np.flatnonzero(y == minority), *seeds]
    kept = list(seeds)
    for row in np.flatnonzero(y == cls):
        if row in seeds:
            continue
        model = KNeighborsClassifier(n_neighbors=k).fit(X[store], y[store])
        if model.predict(X[row : row + 1])[0] != cls:
            store.append(row)
            kept.append(row)
    return np.array(kept)


@pytest.mark.parametrize("counts", [(120, 30), (90, 50, 25)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cnn_keeps_a_consistent_subset(counts, seed):
    X, y = make_data(counts, n_features=2, seed=seed)
    sampler = CondensedNearestNeighbour(random_state=seed)
    _, y_res = sampler.fit_resample(X, y)
    minority = len(counts) - 1
    assert np.bincount(y_res)[minority] == counts[minority]  # kept whole
    minority_rows = np.flatnonzero(y == minority)
    for cls in range(len(counts) - 1):
        kept = kept_of_class(sampler, y, cls)
        assert len(np.unique(kept)) == len(kept) < counts[cls]
        store = np.concatenate([minority_rows, kept])
        model = KNeighborsClassifier(n_neighbors=1).fit(X[store], y[store])
        assert (model.predict(X[y == cls]) == cls).all()


@pytest.mark.parametrize(("k", "n_seeds"), [(1, 1), (1, 3), (2, 1), (3, 4)])
@pytest.mark.parametrize("counts", [(90, 40, 25), (25, 90, 40)])
def test_cnn_equals_the_row_by_row_definition(k, n_seeds, counts):
    # k=2 has tied votes, which go to the smaller label: the cleaned class when the
    # minority is class 2, the minority when it is class 0.
    X, y = make_data(counts, n_features=2, seed=4)
    sampler = CondensedNearestNeighbour(
        random_state=0, n_neighbors=k, n_seeds_S=n_seeds
    )
    sampler.fit_resample(X, y)
    minority = int(np.argmin(counts))
    for cls in set(range(3)) - {minority}:
        kept = kept_of_class(sampler, y, cls)
        seeds = kept[:n_seeds]
        expected = sequential_cnn(X, y, cls, minority, seeds, k)
        np.testing.assert_array_equal(kept, expected)


def test_cnn_is_deterministic_and_numpy_equals_torch():
    X, y = make_data((150, 60, 30), n_features=3)
    runs = []
    for X_in, y_in in [(X, y), (X, y), (torch.as_tensor(X), torch.as_tensor(y))]:
        sampler = CondensedNearestNeighbour(random_state=7)
        sampler.fit_resample(X_in, y_in)
        runs.append(np.asarray(sampler.sample_indices_))
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])
    other = CondensedNearestNeighbour(random_state=8)
    other.fit_resample(X, y)
    assert not np.array_equal(other.sample_indices_, runs[0])


def test_cnn_generator_random_state_advances():
    X, y = make_data((150, 60), n_features=3)
    sampler = CondensedNearestNeighbour(random_state=np.random.default_rng(5))
    sampler.fit_resample(X, y)
    first = sampler.sample_indices_.copy()
    sampler.fit_resample(X, y)
    assert not np.array_equal(first, sampler.sample_indices_)


def test_cnn_count_is_close_to_imblearn():
    X, y = make_data((200, 40), n_features=2, seed=0)
    ours, peer, rowwise = [], [], []
    for seed in range(3):
        _, y_res = CondensedNearestNeighbour(random_state=seed).fit_resample(X, y)
        ours.append(np.bincount(y_res)[0])
        imb = ImbCNN(random_state=seed)
        imb.fit_resample(X, y)
        kept = kept_of_class(imb, y, 0)
        peer.append(len(kept))
        # imblearn's own seed (its first kept row), every row examined in order
        rowwise.append(len(sequential_cnn(X, y, 0, 1, [kept[0]], 1)))
    n_ours, n_peer, n_rowwise = np.mean(ours), np.mean(peer), np.mean(rowwise)
    # imblearn keeps fewer rows: it skips rows whose position within the class
    # equals the position in X of a kept row (see the Notes of the class). From
    # its own seeds, examining every row keeps as many rows as we do.
    assert n_peer < n_rowwise
    assert abs(n_ours - n_rowwise) <= 0.05 * n_rowwise
    assert n_peer <= n_ours <= 1.25 * n_peer


def test_cnn_neighbour_objects_give_the_int_result():
    X, y = make_data((90, 40, 25), n_features=2, seed=2)
    expected = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    expected.fit_resample(X, y)
    for estimator in (KNeighborsClassifier(3), SkNearestNeighbors(n_neighbors=3)):
        sampler = CondensedNearestNeighbour(random_state=0, n_neighbors=estimator)
        sampler.fit_resample(X, y)
        np.testing.assert_array_equal(sampler.sample_indices_, expected.sample_indices_)


def test_cnn_estimators_are_fitted_on_the_final_store():
    X, y = make_data((90, 40, 25), n_features=2)
    sampler = CondensedNearestNeighbour(random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert len(sampler.estimators_) == 2
    for cls, estimator in enumerate(sampler.estimators_):
        assert estimator.n_samples_fit_ == 25 + np.sum(y_res == cls)


def test_cnn_cleaning_the_minority_keeps_its_seeds_as_imblearn():
    X, y = make_data((90, 40, 25), n_features=2)
    _, y_res = CondensedNearestNeighbour(
        random_state=0, sampling_strategy="all", n_seeds_S=2
    ).fit_resample(X, y)
    _, y_peer = ImbCNN(random_state=0, sampling_strategy="all").fit_resample(X, y)
    assert np.bincount(y_res)[2] == 2
    assert np.bincount(y_peer)[2] == 1


def test_cnn_rows_duplicated_across_classes():
    # A class row equal to a minority row is at distance 0 from both: the scan
    # still ends, and every kept row is a distinct row of its class.
    X, y = make_data((60, 20), n_features=2)
    X_dup = np.concatenate([X, X[y == 1][:5]])
    y_dup = np.concatenate([y, np.zeros(5, dtype=y.dtype)])
    sampler = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    _, y_res = sampler.fit_resample(X_dup, y_dup)
    kept = kept_of_class(sampler, y_dup, 0)
    assert len(np.unique(kept)) == len(kept) == np.sum(y_res == 0)
    assert np.all(y_dup[kept] == 0)


def test_cnn_sampling_strategy_list_cleans_only_those_classes():
    X, y = make_data((90, 40, 25), n_features=2)
    sampler = CondensedNearestNeighbour(random_state=0, sampling_strategy=[1])
    _, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert counts[0] == 90
    assert counts[1] < 40
    assert counts[2] == 25


# ----------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------


class WrongShapeNeighbors(SkNearestNeighbors):
    """Returns one row of neighbours too few."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        result = super().kneighbors(X, n_neighbors, return_distance)
        if return_distance:
            return result[0][:-1], result[1][:-1]
        return result[:-1]


@pytest.mark.parametrize("version", [0, 4, 1.0, "1", True, None])
def test_bad_version(version):
    X, y = make_data()
    with pytest.raises(ValueError, match="`version` must be 1, 2 or 3"):
        NearMiss(version=version).fit_resample(X, y)


@pytest.mark.parametrize(
    ("sampler", "match"),
    [
        (NearMiss(n_neighbors=26), r"`n_neighbors`=26 is larger than the minority"),
        (NearMiss(version=3, n_neighbors=26), r"`n_neighbors`=26 is larger"),
        (
            NearMiss(version=3, n_neighbors_ver3=61),
            r"`n_neighbors_ver3`=61 is larger than class 0",
        ),
        (
            CondensedNearestNeighbour(n_neighbors=27),
            r"`n_neighbors`=27 is larger than the 26 rows",
        ),
        (
            CondensedNearestNeighbour(n_seeds_S=61),
            r"`n_seeds_S`=61 is larger than class 0",
        ),
        (CondensedNearestNeighbour(n_seeds_S=0), r"`n_seeds_S` must be >= 1"),
        (NearMiss(n_neighbors=0), r"`n_neighbors` must be >= 1"),
        (NearMiss(n_neighbors_ver3=0, version=3), r"`n_neighbors_ver3` must be >= 1"),
        (CondensedNearestNeighbour(n_neighbors=0), r"`n_neighbors` must be >= 1"),
    ],
)
def test_bad_neighbour_counts(sampler, match):
    X, y = make_data()
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize(
    ("sampler", "match"),
    [
        (NearMiss(n_neighbors="three"), "`n_neighbors` must be an int or an object"),
        (CondensedNearestNeighbour(n_neighbors=2.5), "`n_neighbors` must be an int"),
        (CondensedNearestNeighbour(n_seeds_S=1.5), "`n_seeds_S` must be an int"),
    ],
)
def test_bad_parameter_types(sampler, match):
    X, y = make_data()
    with pytest.raises(TypeError, match=match):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_non_finite_X(kind, bad, method):
    X, y = make_data()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="`X` contains NaN or infinity"):
        getattr(SAMPLERS[kind](), method)(X, y)


def test_string_X(kind):
    X = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    with pytest.raises(TypeError, match="needs numbers"):
        SAMPLERS[kind]().fit_resample(X, [0, 0, 0, 1])


@pytest.mark.parametrize(
    "sampler",
    [
        NearMiss(n_neighbors=WrongShapeNeighbors(n_neighbors=3)),
        NearMiss(version=2, n_neighbors=WrongShapeNeighbors(n_neighbors=3)),
        NearMiss(version=3, n_neighbors_ver3=WrongShapeNeighbors(n_neighbors=3)),
        CondensedNearestNeighbour(n_neighbors=WrongShapeNeighbors(n_neighbors=1)),
    ],
)
def test_neighbour_object_with_wrong_shape(sampler):
    X, y = make_data()
    with pytest.raises(ValueError, match="kneighbors returned shape"):
        sampler.fit_resample(X, y)


def test_nearmiss_neighbour_object_without_n_neighbors():
    class Anonymous:
        def fit(self, X, y=None):
            self.nn = SkNearestNeighbors(n_neighbors=3).fit(X)
            return self

        def kneighbors(self, X, n_neighbors=None, return_distance=True):
            return self.nn.kneighbors(X, n_neighbors, return_distance)

    X, y = make_data()
    with pytest.raises(TypeError, match="integer `n_neighbors` attribute"):
        NearMiss(n_neighbors=Anonymous()).fit_resample(X, y)


def test_fit_resample_indices_needs_X(kind):
    _, y = make_data()
    with pytest.raises(TypeError, match="needs the features"):
        SAMPLERS[kind]().fit_resample_indices(y)


# ----------------------------------------------------------------------------------
# scikit-learn's and imbalanced-learn's conformance suites
# ----------------------------------------------------------------------------------

CHECKED = [
    NearMiss(),
    NearMiss(version=2),
    # With the default n_neighbors_ver3=3, NearMiss-3 finds fewer candidates than
    # check_samplers_fit_resample asks for (imblearn marks that check xfail for it);
    # 15 give enough, and no check data set has a class smaller than 15.
    NearMiss(version=3, n_neighbors_ver3=15),
    CondensedNearestNeighbour(random_state=0),
]


@sklearn_parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@imblearn_parametrize_with_checks(CHECKED)
def test_imblearn_compatible(estimator, check):
    check(estimator)
