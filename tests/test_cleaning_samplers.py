"""Tomek links, ENN, RENN and AllKNN: imblearn's rows exactly, on every backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import AllKNN as PeerAllKNN
from imblearn.under_sampling import EditedNearestNeighbours as PeerENN
from imblearn.under_sampling import RepeatedEditedNearestNeighbours as PeerRENN
from imblearn.under_sampling import TomekLinks as PeerTomekLinks
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

import balancekit.under_sampling._edited_nearest_neighbours as enn_module
import balancekit.under_sampling._tomek_links as tomek_module
from balancekit.under_sampling._edited_nearest_neighbours import (
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from balancekit.under_sampling._tomek_links import TomekLinks

SAMPLERS = {
    "tomek": (TomekLinks, PeerTomekLinks),
    "enn": (EditedNearestNeighbours, PeerENN),
    "renn": (RepeatedEditedNearestNeighbours, PeerRENN),
    "allknn": (AllKNN, PeerAllKNN),
}
STRATEGIES = ["auto", "all", "majority", "not majority", "not minority", [1], [0, 2]]


def make_data(n_per_class=(90, 50, 25), n_features=3, seed=0, shift=0.8):
    """Continuous Gaussian features (no distance ties), classes shifted and shuffled."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = rng.normal(size=(y.size, n_features)) + shift * y[:, None]
    return X, y


DATASETS = {
    "binary": make_data((120, 40), seed=1),
    "binary-wide": make_data((80, 30), n_features=8, seed=2, shift=0.4),
    "3-class": make_data((90, 50, 25), seed=3),
    "4-class": make_data((70, 45, 30, 20), seed=4, shift=0.6),
}


def strategy_for(strategy, y):
    """Drop class 2 from a list strategy on binary data."""
    if isinstance(strategy, list):
        return [c for c in strategy if c in set(y.tolist())]
    return strategy


def assert_same_as_peer(ours, peer, X, y):
    X_ours, y_ours = ours.fit_resample(X, y)
    X_peer, y_peer = peer.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)
    np.testing.assert_array_equal(X_ours, X_peer)
    np.testing.assert_array_equal(y_ours, y_peer)
    assert ours.sample_indices_.dtype == np.int64
    assert dict(ours.sampling_strategy_) == dict(peer.sampling_strategy_)


# --- imbalanced-learn as the oracle ---------------------------------------------------


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
def test_tomek_links_equal_imblearn(data, strategy):
    X, y = DATASETS[data]
    strategy = strategy_for(strategy, y)
    assert_same_as_peer(
        TomekLinks(sampling_strategy=strategy),
        PeerTomekLinks(sampling_strategy=strategy),
        X,
        y,
    )


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(2, 40), min_size=2, max_size=4),
    seed=st.integers(0, 2**16),
    shift=st.sampled_from([0.0, 0.5, 2.0]),
)
def test_tomek_links_equal_imblearn_property(counts, seed, shift):
    X, y = make_data(tuple(counts), n_features=2, seed=seed, shift=shift)
    ours, peer = (
        TomekLinks(sampling_strategy="all"),
        PeerTomekLinks(sampling_strategy="all"),
    )
    assert_same_as_peer(ours, peer, X, y)


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_enn_equals_imblearn(data, strategy, kind_sel):
    X, y = DATASETS[data]
    params = {"sampling_strategy": strategy_for(strategy, y), "kind_sel": kind_sel}
    for n_neighbors in (1, 3, 6):
        params["n_neighbors"] = n_neighbors
        assert_same_as_peer(EditedNearestNeighbours(**params), PeerENN(**params), X, y)


REPEATED_PARAMS = [
    {},
    {"kind_sel": "mode"},
    {"n_neighbors": 1},
    {"n_neighbors": 5, "kind_sel": "mode"},
    {"sampling_strategy": "all"},
    {"sampling_strategy": "majority"},
    {"sampling_strategy": [0, 1]},
]


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("params", [*REPEATED_PARAMS, {"max_iter": 2}], ids=str)
def test_renn_equals_imblearn(data, params):
    X, y = DATASETS[data]
    ours = RepeatedEditedNearestNeighbours(**params)
    peer = PeerRENN(**params)
    assert_same_as_peer(ours, peer, X, y)
    assert ours.n_iter_ == peer.n_iter_


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize(
    "params", [*REPEATED_PARAMS, {"allow_minority": True, "n_neighbors": 6}], ids=str
)
def test_allknn_equals_imblearn(data, params):
    X, y = DATASETS[data]
    assert_same_as_peer(AllKNN(**params), PeerAllKNN(**params), X, y)


@pytest.mark.parametrize(
    ("sampler", "peer"),
    [
        (RepeatedEditedNearestNeighbours(), PeerRENN()),
        (AllKNN(n_neighbors=5), PeerAllKNN(n_neighbors=5)),
    ],
    ids=["renn", "allknn"],
)
def test_stopping_rules_use_the_first_seen_tied_minority(sampler, peer, monkeypatch):
    # Classes 1 and 2 tie for the minority and 2 comes first in y: imblearn's rules
    # measure classes 0 and 1 against it, so class 2 may shrink and the loop goes on.
    X, y = make_data((60, 30, 30), seed=0, shift=0.8)
    order = np.argsort(y != 2, kind="stable")
    X, y = X[order], y[order]
    assert_same_as_peer(clone(sampler), peer, X, y)
    # The rule matters here: taking the first tied class in sorted order stops early.
    monkeypatch.setattr(
        enn_module, "_first_seen_minority", lambda labels, xp: labels.classes[1]
    )
    other = clone(sampler)
    other.fit_resample(X, y)
    assert other.sample_indices_.size > peer.sample_indices_.size


def test_renn_indices_match_the_rows_when_nothing_is_removed():
    # Far-apart classes in interleaved order: the first round removes nothing.
    # imbalanced-learn 0.14.2 then applies that round's reordering twice to its
    # sample_indices_ (they no longer index the rows it returns); ours do.
    X, y = make_data((12, 8), seed=6, shift=50.0)
    ours, peer = RepeatedEditedNearestNeighbours(), PeerRENN()
    X_ours, y_ours = ours.fit_resample(X, y)
    X_peer, y_peer = peer.fit_resample(X, y)
    np.testing.assert_array_equal(X_ours, X_peer)
    np.testing.assert_array_equal(y_ours, y_peer)
    np.testing.assert_array_equal(X[ours.sample_indices_], X_ours)
    assert ours.n_iter_ == peer.n_iter_ == 1
    assert not np.array_equal(X[peer.sample_indices_], X_peer)  # the peer's bug


@pytest.mark.parametrize("kind", list(SAMPLERS))
def test_callable_and_dict_strategies_are_rejected_like_imblearn(kind):
    ours_cls, peer_cls = SAMPLERS[kind]
    X, y = DATASETS["binary"]
    for strategy in ({0: 10}, lambda y: {0: 10}):
        with pytest.raises(ValueError, match="sampling_strategy"):
            peer_cls(sampling_strategy=strategy).fit_resample(X, y)
        with pytest.raises(ValueError, match="cannot be a dict for a cleaning"):
            ours_cls(sampling_strategy=strategy).fit_resample(X, y)


def test_tomek_links_search_only_outside_the_largest_class(monkeypatch):
    queried = []

    class Counting(tomek_module.NearestNeighbors):
        def kneighbors(self, X, n_neighbors=None, return_distance=True):
            queried.append(int(X.shape[0]))
            return super().kneighbors(X, n_neighbors, return_distance)

    monkeypatch.setattr(tomek_module, "NearestNeighbors", Counting)
    X, y = make_data((400, 30, 20), seed=7)
    TomekLinks().fit_resample(X, y)
    assert queried[0] == 50  # the rows outside the largest class
    assert sum(queried[1:]) <= 50  # their neighbours inside it


class RecordingNeighbors(SklearnNearestNeighbors):
    """scikit-learn's search, recording how many rows each query had."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        self.queried_ = [*getattr(self, "queried_", []), int(X.shape[0])]
        return super().kneighbors(X, n_neighbors, return_distance)


def test_enn_searches_only_from_the_targeted_classes():
    X, y = DATASETS["3-class"]
    enn = EditedNearestNeighbours(
        sampling_strategy=[1], n_neighbors=RecordingNeighbors(n_neighbors=4)
    ).fit(X, y)
    enn.fit_resample(X, y)
    assert enn.nn_.queried_ == [int(np.sum(y == 1))]


# --- a user's neighbours object -------------------------------------------------------


@pytest.mark.parametrize("kind", ["enn", "renn", "allknn"])
@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_user_neighbours_object_gives_the_same_rows(kind, kind_sel):
    ours_cls, peer_cls = SAMPLERS[kind]
    X, y = DATASETS["3-class"]
    with_int = ours_cls(n_neighbors=4, kind_sel=kind_sel)
    with_object = ours_cls(
        n_neighbors=SklearnNearestNeighbors(n_neighbors=5), kind_sel=kind_sel
    )
    peer = peer_cls(n_neighbors=SklearnNearestNeighbors(n_neighbors=5))
    peer.set_params(kind_sel=kind_sel)
    with_int.fit_resample(X, y)
    with_object.fit_resample(X, y)
    peer.fit_resample(X, y)
    np.testing.assert_array_equal(with_object.sample_indices_, with_int.sample_indices_)
    np.testing.assert_array_equal(with_object.sample_indices_, peer.sample_indices_)
    assert isinstance(with_object.nn_, SklearnNearestNeighbors)


# --- backends, determinism, inputs ----------------------------------------------------

BACKEND_CASES = {
    "tomek": {},
    "tomek-all": {"sampling_strategy": "all"},
    "enn": {},
    "enn-mode": {"kind_sel": "mode", "sampling_strategy": "all"},
    "renn": {},
    "allknn": {"n_neighbors": 4},
}


def build(case):
    kind = case.split("-")[0]
    return SAMPLERS[kind][0](**BACKEND_CASES[case])


@pytest.mark.parametrize("case", list(BACKEND_CASES))
def test_backend_output_matches_numpy(case, backend):
    X, y = DATASETS["3-class"]
    w = np.linspace(0.5, 2.0, y.size)
    reference = build(case)
    expected = reference.fit_resample(X, y, sample_weight=w)
    sampler = build(case)
    outputs = sampler.fit_resample(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(w)
    )
    indices = sampler.sample_indices_
    assert backend.device_of(indices) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(indices), reference.sample_indices_)
    for out, want in zip(outputs, expected, strict=True):
        assert type(out) is type(backend.asarray(want))
        assert backend.device_of(out) == backend.device
        assert backend.to_numpy(out).dtype == want.dtype
        np.testing.assert_array_equal(backend.to_numpy(out), want)


@pytest.mark.parametrize("case", ["tomek", "enn", "renn"])
def test_float32_features_keep_their_dtype(case, backend):
    X, y = DATASETS["binary"]
    X_res, _ = build(case).fit_resample(
        backend.asarray(X.astype(np.float32)), backend.asarray(y)
    )
    assert backend.to_numpy(X_res).dtype == np.float32
    assert backend.device_of(X_res) == backend.device


@pytest.mark.parametrize("case", list(BACKEND_CASES))
def test_deterministic_and_inputs_untouched(case, backend):
    X, y = DATASETS["4-class"]
    X_in, y_in = backend.asarray(X.copy()), backend.asarray(y.copy())
    first = build(case)
    first.fit_resample(X_in, y_in)
    second = build(case)
    second.fit_resample(X_in, y_in)
    np.testing.assert_array_equal(
        backend.to_numpy(first.sample_indices_),
        backend.to_numpy(second.sample_indices_),
    )
    np.testing.assert_array_equal(backend.to_numpy(X_in), X)
    np.testing.assert_array_equal(backend.to_numpy(y_in), y)


@pytest.mark.parametrize("case", ["tomek", "enn", "allknn"])
def test_any_number_of_feature_dimensions(case, backend):
    X, y = make_data((40, 20), n_features=6, seed=8)
    reference = build(case)
    reference.fit_resample(X, y)
    sampler = build(case)
    X_res, _ = sampler.fit_resample(
        backend.asarray(X.reshape(-1, 2, 3)), backend.asarray(y)
    )
    assert tuple(X_res.shape)[1:] == (2, 3)
    np.testing.assert_array_equal(
        backend.to_numpy(sampler.sample_indices_), reference.sample_indices_
    )


# --- containers -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SAMPLERS))
def test_containers_pandas_lists_sparse_weights(kind):
    X, y = DATASETS["binary"]
    sampler = SAMPLERS[kind][0]()
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    X_df, y_ser = SAMPLERS[kind][0]().fit_resample(frame, pd.Series(y, name="t"))
    assert list(X_df.columns) == ["a", "b", "c"]
    assert y_ser.name == "t"
    np.testing.assert_array_equal(X_df.to_numpy(), X_res)
    X_list, y_list = SAMPLERS[kind][0]().fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list)
    assert y_list == y_res.tolist()
    X_sparse, _ = SAMPLERS[kind][0]().fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse)
    np.testing.assert_array_equal(X_sparse.toarray(), X_res)
    w = np.arange(y.size, dtype=np.float64)
    *_, w_res = SAMPLERS[kind][0]().fit_resample(X, y, sample_weight=w)
    np.testing.assert_array_equal(w_res, w[idx])


@pytest.mark.parametrize("kind", ["tomek", "enn"])
def test_string_labels(kind):
    X, y = DATASETS["3-class"]
    names = np.array(["ant", "bee", "cat"])[y]
    sampler = SAMPLERS[kind][0](sampling_strategy="all")
    _, y_res = sampler.fit_resample(X, names)
    reference = SAMPLERS[kind][0](sampling_strategy="all")
    reference.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.sample_indices_, reference.sample_indices_)
    np.testing.assert_array_equal(y_res, names[reference.sample_indices_])


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SAMPLERS))
def test_fit_resample_indices_needs_X(kind):
    with pytest.raises(TypeError, match="needs the features `X`"):
        SAMPLERS[kind][0]().fit_resample_indices(np.array([0, 1, 1]))


@pytest.mark.parametrize("kind", list(SAMPLERS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_features(kind, bad):
    X, y = DATASETS["binary"]
    X = X.copy()
    X[3, 1] = bad
    for call in ("fit", "fit_resample"):
        with pytest.raises(ValueError, match="NaN or infinity"):
            getattr(SAMPLERS[kind][0](), call)(X, y)


@pytest.mark.parametrize("kind", ["enn", "renn", "allknn"])
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_neighbors": 0}, ValueError, "`n_neighbors` must be >= 1; got 0"),
        ({"n_neighbors": -2}, ValueError, "`n_neighbors` must be >= 1"),
        ({"n_neighbors": 2.0}, TypeError, "`n_neighbors` must be an int or"),
        ({"n_neighbors": True}, TypeError, "`n_neighbors` must be an int or"),
        ({"n_neighbors": "3"}, TypeError, "`n_neighbors` must be an int or"),
        ({"kind_sel": "any"}, ValueError, "`kind_sel` must be one of"),
        ({"n_jobs": "2"}, TypeError, "`n_jobs` must be an int or None"),
    ],
)
def test_bad_parameters(kind, params, error, match):
    X, y = DATASETS["binary"]
    with pytest.raises(error, match=match):
        SAMPLERS[kind][0](**params).fit_resample(X, y)


@pytest.mark.parametrize(
    ("sampler", "error", "match"),
    [
        (EditedNearestNeighbours(n_neighbors=160), ValueError, "`n_neighbors`=160"),
        (RepeatedEditedNearestNeighbours(n_neighbors=500), ValueError, "at least 501"),
        (RepeatedEditedNearestNeighbours(max_iter=0), ValueError, "`max_iter` must"),
        (RepeatedEditedNearestNeighbours(max_iter=1.5), TypeError, "`max_iter` must"),
        (AllKNN(allow_minority="yes"), TypeError, "`allow_minority` must be True"),
        (TomekLinks(n_jobs=1.5), TypeError, "`n_jobs` must be an int or None"),
    ],
)
def test_bad_sampler_specific_parameters(sampler, error, match):
    X, y = DATASETS["binary"]
    with pytest.raises(error, match=match):
        sampler.fit_resample(X, y)


class WrongShapeNeighbors(SklearnNearestNeighbors):
    """Returns one neighbour column too few."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        return super().kneighbors(X, n_neighbors, return_distance)[:, :-1]


class FlatNeighbors(SklearnNearestNeighbors):
    """Returns a 1-D array: one neighbour per row, without the column axis."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        return super().kneighbors(X, n_neighbors, return_distance)[:, 0]


class NoCountNeighbors:
    """A ``fit``/``kneighbors`` object without an ``n_neighbors`` parameter."""

    def fit(self, X, y=None):
        self._nn = SklearnNearestNeighbors(n_neighbors=4).fit(X)
        return self

    def kneighbors(self, X, return_distance=True):
        return self._nn.kneighbors(X, return_distance=return_distance)


@pytest.mark.parametrize("kind", ["enn", "renn", "allknn"])
@pytest.mark.parametrize(
    ("neighbours", "match"),
    [
        (WrongShapeNeighbors, r"kneighbors returned \d neighbours per row; its"),
        (FlatNeighbors, r"kneighbors returned shape \(\d+,\); expected"),
    ],
)
def test_neighbours_object_with_the_wrong_shape(kind, neighbours, match):
    X, y = DATASETS["binary"]
    sampler = SAMPLERS[kind][0](n_neighbors=neighbours(n_neighbors=4))
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(X, y)


def test_allknn_needs_the_objects_neighbour_count():
    X, y = DATASETS["binary"]
    with pytest.raises(TypeError, match="integer `n_neighbors` parameter"):
        AllKNN(n_neighbors=NoCountNeighbors()).fit_resample(X, y)
    enn = EditedNearestNeighbours(n_neighbors=NoCountNeighbors())
    peer = EditedNearestNeighbours(n_neighbors=3)
    enn.fit_resample(X, y)
    peer.fit_resample(X, y)
    np.testing.assert_array_equal(enn.sample_indices_, peer.sample_indices_)


def test_tags():
    for ours, _ in SAMPLERS.values():
        tags = ours().__sklearn_tags__()
        assert not tags.input_tags.allow_nan
        assert not tags.input_tags.string
        assert tags.sampler_tags.sample_indices
