"""OneSidedSelection, NeighbourhoodCleaningRule, SMOTETomek and SMOTEENN.

imblearn is the oracle for NCR (the same rows) and for OSS once it is given
imblearn's seeds; OSS's own random seeds are checked by their properties. The
combined samplers are checked against balancekit's SMOTE then TomekLinks / ENN run
by hand, and against imblearn's class counts.
"""

from __future__ import annotations

from collections import Counter

import array_api_strict
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.combine import SMOTEENN as PeerSMOTEENN
from imblearn.combine import SMOTETomek as PeerSMOTETomek
from imblearn.over_sampling import SMOTE as PeerSMOTE
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import EditedNearestNeighbours as PeerENN
from imblearn.under_sampling import NeighbourhoodCleaningRule as PeerNCR
from imblearn.under_sampling import OneSidedSelection as PeerOSS
from imblearn.under_sampling import RepeatedEditedNearestNeighbours as PeerRENN
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors

from balancekit.combine import SMOTEENN, SMOTETomek
from balancekit.over_sampling._random_over_sampler import RandomOverSampler
from balancekit.over_sampling._smote import SMOTE
from balancekit.under_sampling._edited_nearest_neighbours import (
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from balancekit.under_sampling._neighbourhood_cleaning_rule import (
    NeighbourhoodCleaningRule,
)
from balancekit.under_sampling._one_sided_selection import OneSidedSelection
from balancekit.under_sampling._random_under_sampler import RandomUnderSampler
from balancekit.under_sampling._tomek_links import TomekLinks


def make_data(n_per_class=(90, 50, 25), n_features=3, seed=0, shift=0.8):
    """Continuous Gaussian features (no distance ties), classes shifted and shuffled."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = rng.normal(size=(y.size, n_features)) + shift * y[:, None]
    return X, y


DATASETS = {
    "binary": make_data((120, 40), seed=1),
    "3-class": make_data((90, 50, 25), seed=3),
    "4-class": make_data((70, 45, 30, 20), seed=4, shift=0.6),
    "minority-first": make_data((25, 90, 40), seed=5),
}
STRATEGIES = ["auto", "all", "majority", "not majority", "not minority", [1], [0, 2]]


def strategy_for(strategy, y):
    """Drop the classes a list strategy names that ``y`` does not have."""
    if isinstance(strategy, list):
        return [c for c in strategy if c in set(y.tolist())]
    return strategy


# ----------------------------------------------------------------------------------
# NeighbourhoodCleaningRule: imblearn's rows
# ----------------------------------------------------------------------------------


def assert_ncr_equals_peer(ours, peer, X, y):
    X_ours, y_ours = ours.fit_resample(X, y)
    X_peer, y_peer = peer.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)
    np.testing.assert_array_equal(X_ours, X_peer)
    np.testing.assert_array_equal(y_ours, y_peer)
    assert ours.sample_indices_.dtype == np.int64
    assert sorted(ours.classes_to_clean_) == sorted(peer.classes_to_clean_)
    np.testing.assert_array_equal(
        ours.edited_nearest_neighbours_.sample_indices_,
        peer.edited_nearest_neighbours_.sample_indices_,
    )
    assert dict(ours.sampling_strategy_) == dict(peer.sampling_strategy_)


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
def test_ncr_equals_imblearn(data, strategy):
    X, y = DATASETS[data]
    for n_neighbors, threshold in [(3, 0.5), (1, 0.5), (5, 0.1), (2, 2.0)]:
        params = {
            "sampling_strategy": strategy_for(strategy, y),
            "n_neighbors": n_neighbors,
            "threshold_cleaning": threshold,
        }
        assert_ncr_equals_peer(
            NeighbourhoodCleaningRule(**params), PeerNCR(**params), X, y
        )


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(4, 40), min_size=2, max_size=4),
    seed=st.integers(0, 2**16),
    shift=st.sampled_from([0.0, 0.5, 2.0]),
    threshold=st.sampled_from([0.1, 0.5, 1.0, 1.5]),
    n_neighbors=st.integers(1, 3),
)
def test_ncr_equals_imblearn_property(counts, seed, shift, threshold, n_neighbors):
    X, y = make_data(tuple(counts), n_features=2, seed=seed, shift=shift)
    params = {
        "sampling_strategy": "all",
        "threshold_cleaning": threshold,
        "n_neighbors": n_neighbors,
    }
    assert_ncr_equals_peer(NeighbourhoodCleaningRule(**params), PeerNCR(**params), X, y)


def test_ncr_minority_tie_goes_to_the_first_class_in_y():
    # Classes 1 and 2 tie for the minority and 2 comes first in y.
    X, y = make_data((60, 30, 30), seed=0)
    order = np.argsort(y != 2, kind="stable")
    X, y = X[order], y[order]
    assert_ncr_equals_peer(NeighbourhoodCleaningRule(), PeerNCR(), X, y)


def test_ncr_neighbours_object_equals_int_and_imblearn():
    X, y = DATASETS["3-class"]
    with_int = NeighbourhoodCleaningRule(n_neighbors=4)
    with_object = NeighbourhoodCleaningRule(
        n_neighbors=SkNearestNeighbors(n_neighbors=5)
    )
    peer = PeerNCR(n_neighbors=SkNearestNeighbors(n_neighbors=5))
    with_int.fit_resample(X, y)
    assert_ncr_equals_peer(with_object, peer, X, y)
    np.testing.assert_array_equal(with_object.sample_indices_, with_int.sample_indices_)
    assert isinstance(with_object.nn_, SkNearestNeighbors)


@pytest.mark.parametrize(
    ("editor", "peer_editor"),
    [
        (
            EditedNearestNeighbours(n_neighbors=5),
            PeerENN(n_neighbors=5),
        ),
        (
            EditedNearestNeighbours(sampling_strategy="all", kind_sel="mode"),
            PeerENN(sampling_strategy="all", kind_sel="mode"),
        ),
        (RepeatedEditedNearestNeighbours(), PeerRENN()),
    ],
    ids=["enn-5", "enn-all-mode", "renn"],
)
def test_ncr_given_editor_equals_imblearn(editor, peer_editor):
    X, y = DATASETS["4-class"]
    ours = NeighbourhoodCleaningRule(edited_nearest_neighbours=editor)
    assert_ncr_equals_peer(ours, PeerNCR(edited_nearest_neighbours=peer_editor), X, y)
    assert ours.edited_nearest_neighbours_ is not editor
    assert not hasattr(editor, "sample_indices_")  # cloned, not fitted


def test_ncr_accepts_imblearns_editor_on_numpy():
    X, y = DATASETS["3-class"]
    ours = NeighbourhoodCleaningRule(edited_nearest_neighbours=PeerENN(kind_sel="mode"))
    assert_ncr_equals_peer(ours, PeerNCR(), X, y)


class RecordingNeighbors(SkNearestNeighbors):
    """scikit-learn's search, recording how many rows each query had."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        self.queried_ = [*getattr(self, "queried_", []), int(X.shape[0])]
        return super().kneighbors(X, n_neighbors, return_distance)


def test_ncr_second_step_searches_only_from_the_minority():
    X, y = DATASETS["3-class"]
    ncr = NeighbourhoodCleaningRule(n_neighbors=RecordingNeighbors(n_neighbors=4))
    ncr.fit_resample(X, y)
    assert ncr.nn_.queried_ == [int(np.sum(y == 2))]


# ----------------------------------------------------------------------------------
# OneSidedSelection: imblearn's rows from imblearn's seeds, and the properties
# ----------------------------------------------------------------------------------


class RecordingOSS(OneSidedSelection):
    """OSS that records its seeds and the rows kept before the Tomek step.

    With ``imblearn_seeds=True`` it draws imblearn's seeds (``randint`` from a
    ``RandomState``, one class after another).
    """

    def __init__(self, *, imblearn_seeds=False, **params):
        super().__init__(**params)
        self.imblearn_seeds = imblearn_seeds

    def _kept_indices(self, flat, labels, xp, device, rng):
        self.seeds_ = {}
        self._legacy = np.random.RandomState(self.random_state)
        self._labels = np.asarray(labels.y)
        return super()._kept_indices(flat, labels, xp, device, rng)

    def _draw_seeds(self, n_class, cls, rng):
        if self.imblearn_seeds:
            seeds = self._legacy.randint(low=0, high=n_class, size=self.n_seeds_S)
            assert len(set(seeds.tolist())) == seeds.size  # else imblearn repeats
        else:
            seeds = super()._draw_seeds(n_class, cls, rng)
        self.seeds_[cls] = np.flatnonzero(self._labels == cls)[seeds]
        return seeds

    def _without_tomek_links(self, flat, labels, selected, xp, device, rng):
        self.selected_ = np.asarray(selected)
        return super()._without_tomek_links(flat, labels, selected, xp, device, rng)


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("strategy", STRATEGIES, ids=str)
def test_oss_from_imblearns_seeds_equals_imblearn(data, strategy):
    X, y = DATASETS[data]
    for n_neighbors, seed in [(None, 0), (3, 1), (KNeighborsClassifier(1), 2)]:
        params = {
            "sampling_strategy": strategy_for(strategy, y),
            "n_neighbors": n_neighbors,
            "random_state": seed,
        }
        ours = RecordingOSS(imblearn_seeds=True, **params)
        peer = PeerOSS(**params)
        X_ours, y_ours = ours.fit_resample(X, y)
        X_peer, y_peer = peer.fit_resample(X, y)
        np.testing.assert_array_equal(ours.sample_indices_, peer.sample_indices_)
        np.testing.assert_array_equal(X_ours, X_peer)
        np.testing.assert_array_equal(y_ours, y_peer)
        assert len(ours.estimators_) == len(peer.estimators_)


def one_nn_rule(X, y, seeds, minority):
    """The definition: per cleaned class, the seeds and the rows that a 1-NN rule
    on the minority rows and the seeds misclassifies; other classes whole."""
    selected = []
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        if cls not in seeds:
            selected.append(members)
            continue
        store = np.concatenate([np.flatnonzero(y == minority), seeds[cls]])
        model = KNeighborsClassifier(n_neighbors=1).fit(X[store], y[store])
        rest = np.setdiff1d(members, seeds[cls])
        selected.append(seeds[cls])
        selected.append(rest[model.predict(X[rest]) != cls])
    return np.concatenate(selected)


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("strategy", ["auto", "all", [0]], ids=str)
@pytest.mark.parametrize("n_seeds", [1, 4])
def test_oss_is_the_1nn_rule_then_tomek_links(data, strategy, n_seeds):
    X, y = DATASETS[data]
    strategy = strategy_for(strategy, y)
    oss = RecordingOSS(sampling_strategy=strategy, random_state=0, n_seeds_S=n_seeds)
    oss.fit_resample(X, y)
    minority = int(np.argmin(np.bincount(y)))
    np.testing.assert_array_equal(
        oss.selected_, one_nn_rule(X, y, oss.seeds_, minority)
    )
    # then TomekLinks on those rows, cleaning the same classes
    tomek = TomekLinks(sampling_strategy=list(oss.sampling_strategy_))
    tomek.fit_resample(X[oss.selected_], y[oss.selected_])
    np.testing.assert_array_equal(
        oss.sample_indices_, oss.selected_[tomek.sample_indices_]
    )
    assert list(oss.seeds_) == list(oss.sampling_strategy_)
    for estimator in oss.estimators_:
        assert estimator.n_samples_fit_ == np.sum(y == minority) + n_seeds


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_oss_rows_before_tomek_are_a_consistent_subset(seed):
    # A 1-NN rule on the minority and the rows of the class kept before the Tomek
    # step classifies every row of the class correctly.
    X, y = make_data((300, 40), n_features=2, seed=seed)
    oss = RecordingOSS(random_state=seed)
    oss.fit_resample(X, y)
    kept = oss.selected_[y[oss.selected_] == 0]
    assert kept.size < 300
    store = np.concatenate([np.flatnonzero(y == 1), kept])
    model = KNeighborsClassifier(n_neighbors=1).fit(X[store], y[store])
    assert (model.predict(X[y == 0]) == 0).all()


def test_oss_is_deterministic_and_numpy_equals_torch():
    X, y = make_data((150, 60, 30))
    runs = []
    for X_in, y_in in [(X, y), (X, y), (torch.as_tensor(X), torch.as_tensor(y))]:
        oss = OneSidedSelection(random_state=7, n_seeds_S=3)
        oss.fit_resample(X_in, y_in)
        runs.append(np.asarray(oss.sample_indices_))
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])
    other = OneSidedSelection(random_state=8, n_seeds_S=3)
    other.fit_resample(X, y)
    assert not np.array_equal(other.sample_indices_, runs[0])


def test_oss_kept_count_is_close_to_imblearn():
    X, y = make_data((400, 60), n_features=2, seed=0)
    ours, peer = [], []
    for seed in range(8):
        _, y_res = OneSidedSelection(random_state=seed).fit_resample(X, y)
        ours.append(np.sum(y_res == 0))
        _, y_peer = PeerOSS(random_state=seed).fit_resample(X, y)
        peer.append(np.sum(y_peer == 0))
    assert abs(np.mean(ours) - np.mean(peer)) <= 0.15 * np.mean(peer)


def test_oss_cleaning_the_minority_keeps_its_seeds_before_tomek():
    X, y = make_data((90, 40, 25), n_features=2, shift=20.0)  # no links
    _, y_res = OneSidedSelection(
        random_state=0, sampling_strategy="all", n_seeds_S=2
    ).fit_resample(X, y)
    _, y_peer = PeerOSS(random_state=0, sampling_strategy="all").fit_resample(X, y)
    assert np.bincount(y_res)[2] == 2
    assert np.bincount(y_peer)[2] == 1


# ----------------------------------------------------------------------------------
# SMOTETomek and SMOTEENN: SMOTE then the cleaner, by hand
# ----------------------------------------------------------------------------------

COMBINED = {
    "smote-tomek": (SMOTETomek, PeerSMOTETomek, "tomek", TomekLinks),
    "smote-enn": (SMOTEENN, PeerSMOTEENN, "enn", EditedNearestNeighbours),
}
COMBINED_PARAMS = [
    {},
    {"sampling_strategy": "minority"},
    {"sampling_strategy": {1: 80, 2: 70}},
    {"smote": SMOTE(k_neighbors=3, random_state=5)},
    {"cleaner": {"sampling_strategy": "not minority"}},
]


def by_hand(kind, params, X, y, w):
    """balancekit's SMOTE, then the cleaner, with the combined sampler's defaults."""
    _, _, _, cleaner_cls = COMBINED[kind]
    smote = params.get("smote") or SMOTE(
        sampling_strategy=params.get("sampling_strategy", "auto"), random_state=0
    )
    cleaner = cleaner_cls(**params.get("cleaner", {"sampling_strategy": "all"}))
    X_mid, y_mid, w_mid = clone(smote).fit_resample(X, y, sample_weight=w)
    return cleaner.fit_resample(X_mid, y_mid, sample_weight=w_mid)


def build_combined(kind, params):
    ours_cls, _, cleaner_name, cleaner_cls = COMBINED[kind]
    kwargs = {k: v for k, v in params.items() if k != "cleaner"}
    if "cleaner" in params:
        kwargs[cleaner_name] = cleaner_cls(**params["cleaner"])
    return ours_cls(random_state=0, **kwargs)


@pytest.mark.parametrize("kind", list(COMBINED))
@pytest.mark.parametrize("params", COMBINED_PARAMS, ids=str)
def test_combined_equals_smote_then_cleaner_by_hand(kind, params):
    X, y = DATASETS["3-class"]
    w = np.linspace(0.5, 2.0, y.size)
    sampler = build_combined(kind, params)
    outputs = sampler.fit_resample(X, y, sample_weight=w)
    expected = by_hand(kind, params, X, y, w)
    for out, want in zip(outputs, expected, strict=True):
        np.testing.assert_array_equal(out, want)
    # The cleaner's rows index SMOTE's output, whose first rows are the input's:
    # those kept keep their own weights.
    cleaner = getattr(sampler, f"{COMBINED[kind][2]}_")
    kept = np.asarray(cleaner.sample_indices_)
    original = kept < y.size
    np.testing.assert_array_equal(outputs[2][original], w[kept[original]])


@pytest.mark.parametrize("kind", list(COMBINED))
@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not majority", {1: 80, 2: 70}], ids=str
)
def test_combined_class_counts_after_smote_equal_imblearn(kind, strategy):
    X, y = DATASETS["4-class"] if strategy != {1: 80, 2: 70} else DATASETS["3-class"]
    ours_cls, peer_cls, cleaner_name, _ = COMBINED[kind]
    ours = ours_cls(sampling_strategy=strategy, random_state=0)
    peer = peer_cls(sampling_strategy=strategy, random_state=0)
    ours.fit_resample(X, y)
    peer.fit_resample(X, y)
    _, y_mid = ours.smote_.fit_resample(X, y)
    _, y_peer_mid = peer.smote_.fit_resample(X, y)
    assert Counter(y_mid.tolist()) == Counter(y_peer_mid.tolist())
    assert dict(ours.sampling_strategy_) == dict(peer.smote_.sampling_strategy_)
    assert getattr(ours, f"{cleaner_name}_").get_params() == (
        getattr(peer, f"{cleaner_name}_").get_params()
    )


@pytest.mark.parametrize("kind", list(COMBINED))
def test_combined_with_imblearns_smote_equals_imblearn(kind):
    # imblearn's own SMOTE as the first step: our cleaner removes the rows
    # imblearn's does.
    X, y = DATASETS["3-class"]
    ours_cls, peer_cls, _, _ = COMBINED[kind]
    X_ours, y_ours = ours_cls(smote=PeerSMOTE(random_state=0)).fit_resample(X, y)
    X_peer, y_peer = peer_cls(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_ours, X_peer)
    np.testing.assert_array_equal(y_ours, y_peer)


@pytest.mark.parametrize("kind", list(COMBINED))
def test_combined_clones_the_given_steps(kind):
    X, y = DATASETS["binary"]
    ours_cls, _, cleaner_name, cleaner_cls = COMBINED[kind]
    smote, cleaner = SMOTE(random_state=3), cleaner_cls(sampling_strategy="all")
    sampler = ours_cls(smote=smote, **{cleaner_name: cleaner})
    sampler.fit_resample(X, y)
    assert sampler.smote_ is not smote
    assert sampler.smote_.get_params() == smote.get_params()
    assert getattr(sampler, f"{cleaner_name}_") is not cleaner
    assert not hasattr(smote, "sampling_strategy_")
    assert not hasattr(cleaner, "sample_indices_")


@pytest.mark.parametrize("kind", list(COMBINED))
def test_combined_any_over_sampler_and_cleaner(kind):
    X, y = DATASETS["binary"]
    ours_cls, _, cleaner_name, _ = COMBINED[kind]
    over, cleaner = RandomOverSampler(random_state=0), NeighbourhoodCleaningRule()
    sampler = ours_cls(smote=over, **{cleaner_name: cleaner})
    X_res, y_res = sampler.fit_resample(X, y)
    X_mid, y_mid = over.fit_resample(X, y)
    X_want, y_want = cleaner.fit_resample(X_mid, y_mid)
    np.testing.assert_array_equal(X_res, X_want)
    np.testing.assert_array_equal(y_res, y_want)


# ----------------------------------------------------------------------------------
# All four: backends, containers, inputs
# ----------------------------------------------------------------------------------

SAMPLERS = {
    "oss": lambda: OneSidedSelection(random_state=0, n_seeds_S=2),
    "ncr": lambda: NeighbourhoodCleaningRule(),
    "ncr-all": lambda: NeighbourhoodCleaningRule(sampling_strategy="all"),
    "smote-tomek": lambda: SMOTETomek(random_state=0),
    "smote-enn": lambda: SMOTEENN(random_state=0),
}


@pytest.fixture(params=list(SAMPLERS))
def kind(request):
    return request.param


def test_backend_output_matches_numpy(kind, backend):
    X, y = make_data((90, 50, 25))
    w = np.linspace(0.5, 2.0, y.size)
    reference = SAMPLERS[kind]()
    expected = reference.fit_resample(X, y, sample_weight=w)
    sampler = SAMPLERS[kind]()
    outputs = sampler.fit_resample(
        backend.asarray(X), backend.asarray(y), sample_weight=backend.asarray(w)
    )
    if hasattr(reference, "sample_indices_"):
        indices = sampler.sample_indices_
        assert backend.device_of(indices) == backend.device
        np.testing.assert_array_equal(
            backend.to_numpy(indices), reference.sample_indices_
        )
    for out, want in zip(outputs, expected, strict=True):
        assert type(out) is type(backend.asarray(want))
        assert backend.device_of(out) == backend.device
        assert backend.to_numpy(out).dtype == want.dtype
        np.testing.assert_allclose(backend.to_numpy(out), want, rtol=1e-12, atol=0)


def test_float32_and_any_number_of_dimensions(kind, backend):
    X, y = make_data((60, 24), n_features=6, seed=8)
    X = X.astype(np.float32)
    reference = SAMPLERS[kind]()
    X_ref, y_ref = reference.fit_resample(X, y)
    sampler = SAMPLERS[kind]()
    X_res, y_res = sampler.fit_resample(
        backend.asarray(X.reshape(-1, 2, 3)), backend.asarray(y)
    )
    assert tuple(X_res.shape)[1:] == (2, 3)
    assert backend.to_numpy(X_res).dtype == np.float32
    assert backend.device_of(X_res) == backend.device
    np.testing.assert_allclose(
        backend.to_numpy(X_res).reshape(X_ref.shape), X_ref, rtol=1e-6
    )
    np.testing.assert_array_equal(backend.to_numpy(y_res), y_ref)


def test_inputs_are_not_modified(kind, backend):
    X, y = make_data((60, 25, 12))
    X_b, y_b = backend.asarray(X.copy()), backend.asarray(y.copy())
    SAMPLERS[kind]().fit_resample(X_b, y_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)


def test_containers_pandas_lists_sparse(kind):
    X, y = DATASETS["binary"]
    X_res, y_res = SAMPLERS[kind]().fit_resample(X, y)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    X_df, y_ser = SAMPLERS[kind]().fit_resample(frame, pd.Series(y, name="t"))
    assert list(X_df.columns) == ["a", "b", "c"]
    assert y_ser.name == "t"
    np.testing.assert_allclose(X_df.to_numpy(), X_res)
    X_list, y_list = SAMPLERS[kind]().fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list)
    assert y_list == y_res.tolist()
    X_sparse, _ = SAMPLERS[kind]().fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse)
    np.testing.assert_allclose(X_sparse.toarray(), X_res)


def test_string_labels(kind):
    X, y = DATASETS["3-class"]
    names = np.array(["ant", "bee", "cat"])[y]
    X_ref, y_ref = SAMPLERS[kind]().fit_resample(X, y)
    X_res, y_res = SAMPLERS[kind]().fit_resample(X, names)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, np.array(["ant", "bee", "cat"])[y_ref])


def test_imblearn_pipeline(kind):
    X, y = make_data((200, 20))
    model = make_pipeline(SAMPLERS[kind](), LogisticRegression())
    model.fit(X, y)
    assert model.predict(X).shape == y.shape


# ----------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_non_finite_X(kind, bad, method):
    X, y = DATASETS["binary"]
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="`X` contains NaN or infinity"):
        getattr(SAMPLERS[kind](), method)(X, y)


@pytest.mark.parametrize("kind", ["oss", "ncr"])
def test_fit_resample_indices_needs_X(kind):
    with pytest.raises(TypeError, match="needs the features"):
        SAMPLERS[kind]().fit_resample_indices(DATASETS["binary"][1])


@pytest.mark.parametrize(
    ("sampler", "error", "match"),
    [
        (OneSidedSelection(n_seeds_S=0), ValueError, r"`n_seeds_S` must be >= 1"),
        (OneSidedSelection(n_seeds_S=1.5), TypeError, r"`n_seeds_S` must be an int"),
        (OneSidedSelection(n_seeds_S=121), ValueError, r"`n_seeds_S`=121 is larger"),
        (OneSidedSelection(n_neighbors=0), ValueError, r"`n_neighbors` must be >= 1"),
        (OneSidedSelection(n_neighbors=42), ValueError, r"`n_neighbors`=42 is larger"),
        (OneSidedSelection(n_neighbors="1"), TypeError, r"`n_neighbors` must be an"),
        (OneSidedSelection(n_jobs="2"), TypeError, r"`n_jobs` must be an int or None"),
        (NeighbourhoodCleaningRule(n_neighbors=0), ValueError, r"`n_neighbors` must"),
        (NeighbourhoodCleaningRule(n_neighbors=2.5), TypeError, r"`n_neighbors` must"),
        (NeighbourhoodCleaningRule(n_neighbors=160), ValueError, r"`n_neighbors`=160"),
        (NeighbourhoodCleaningRule(n_jobs="2"), TypeError, r"`n_jobs` must be an int"),
        (
            NeighbourhoodCleaningRule(threshold_cleaning=0),
            ValueError,
            r"`threshold_cleaning` must be > 0; got 0",
        ),
        (
            NeighbourhoodCleaningRule(threshold_cleaning=-0.5),
            ValueError,
            r"`threshold_cleaning` must be > 0",
        ),
        (
            NeighbourhoodCleaningRule(threshold_cleaning=float("nan")),
            ValueError,
            r"`threshold_cleaning` must be > 0; got nan",
        ),
        (
            NeighbourhoodCleaningRule(threshold_cleaning="0.5"),
            TypeError,
            r"`threshold_cleaning` must be a number",
        ),
        (
            NeighbourhoodCleaningRule(threshold_cleaning=True),
            TypeError,
            r"`threshold_cleaning` must be a number",
        ),
        (
            NeighbourhoodCleaningRule(edited_nearest_neighbours="enn"),
            TypeError,
            r"`edited_nearest_neighbours` must be None or a sampler",
        ),
        (
            NeighbourhoodCleaningRule(edited_nearest_neighbours=SMOTE()),
            TypeError,
            r"`edited_nearest_neighbours` must set `sample_indices_`",
        ),
        (SMOTETomek(smote="smote"), TypeError, r"`smote` must be None or an over-s"),
        (SMOTETomek(smote=TomekLinks()), TypeError, r"`smote` must be None or an o"),
        (SMOTEENN(smote=RandomUnderSampler()), TypeError, r"`smote` must be None"),
        (SMOTETomek(tomek=SMOTE()), TypeError, r"`tomek` must be None or a cleaner"),
        (SMOTETomek(tomek=TomekLinks), TypeError, r"`tomek` must be a sampler inst"),
        (SMOTEENN(enn=RandomUnderSampler()), TypeError, r"`enn` must be None or a c"),
        (SMOTEENN(n_jobs=1.5), TypeError, r"`n_jobs` must be an int or None"),
        (SMOTETomek(sampling_strategy=2.0), ValueError, r"sampling_strategy"),
        (SMOTEENN(smote=SMOTE(k_neighbors=40)), ValueError, r"`k_neighbors`=40"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_parameters(sampler, error, match):
    X, y = DATASETS["binary"]
    with pytest.raises(error, match=match):
        sampler.fit_resample(X, y)


def test_ncr_editor_must_answer_in_the_inputs_library():
    X, y = DATASETS["binary"]
    ncr = NeighbourhoodCleaningRule(edited_nearest_neighbours=PeerENN())
    # array-api-strict keeps the native path: a NumPy answer is another library's.
    with pytest.raises(TypeError, match="returned `sample_indices_` of type ndarray"):
        ncr.fit_resample(array_api_strict.asarray(X), array_api_strict.asarray(y))
    # CPU tensors run through the NumPy kernels (zero-copy views), where a NumPy
    # answer is the input's library; the result comes back as tensors.
    X_res, y_res = ncr.fit_resample(torch.as_tensor(X), torch.as_tensor(y))
    assert isinstance(X_res, torch.Tensor)
    assert isinstance(y_res, torch.Tensor)


def test_bad_step_types_fail_in_fit_too():
    X, y = DATASETS["binary"]
    with pytest.raises(TypeError, match="`enn` must be None or a cleaner"):
        SMOTEENN(enn=SMOTE()).fit(X, y)
    with pytest.raises(ValueError, match="`threshold_cleaning` must be > 0"):
        NeighbourhoodCleaningRule(threshold_cleaning=0.0).fit(X, y)


def test_tags():
    for make in SAMPLERS.values():
        sampler = make()
        tags = sampler.__sklearn_tags__()
        assert not tags.input_tags.allow_nan
        assert tags.sampler_tags.sample_indices == isinstance(
            sampler, OneSidedSelection | NeighbourhoodCleaningRule
        )
    assert SMOTETomek._sampling_type == SMOTEENN._sampling_type == "over-sampling"
    assert OneSidedSelection._sampling_type == "clean-sampling"
    assert NeighbourhoodCleaningRule._sampling_type == "clean-sampling"
