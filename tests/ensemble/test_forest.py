"""BalancedRandomForestClassifier: imbalanced-learn's oracle, statistics over seeds,
the trees' rows, sample_weight, class_weight, array libraries, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from imblearn.ensemble import BalancedRandomForestClassifier as PeerForest
from imblearn.under_sampling import RandomUnderSampler as PeerUnderSampler
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier

from balancekit.ensemble import BalancedRandomForestClassifier
from balancekit.under_sampling import RandomUnderSampler

from ._helpers import (
    balanced_accuracies,
    benchmark_splits,
    equivalence,
    host_inputs,
    keep_every_row,
    make_data,
)

SPLITS = benchmark_splits()
MARGIN = 0.03  # of balanced accuracy


class ForestOnPeerDraws(BalancedRandomForestClassifier):
    """Our forest drawing its rows with imbalanced-learn's under-sampler."""

    def _make_sampler(self):
        return PeerUnderSampler(
            sampling_strategy=self._sampling_strategy, replacement=self.replacement
        )


def peer_forest(**params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return PeerForest(**params)


MATCHED = {
    "defaults": ({}, {}),
    "multiclass": ({"n_classes": 3, "weights": (0.6, 0.3, 0.1)}, {}),
    "bootstrap-oob": ({}, {"bootstrap": True, "oob_score": True}),
    "max-samples": ({}, {"bootstrap": True, "max_samples": 0.5}),
    "auto-no-replacement": ({}, {"sampling_strategy": "auto", "replacement": False}),
    "class-weight": ({}, {"class_weight": "balanced"}),
    "balanced-subsample": (
        {},
        {"class_weight": "balanced_subsample", "bootstrap": True},
    ),
    "entropy-depth": ({}, {"criterion": "entropy", "max_depth": 3}),
    "float-strategy": ({}, {"sampling_strategy": 0.5}),
}


@pytest.mark.parametrize("name", list(MATCHED))
@pytest.mark.parametrize("seed", [0, 11])
def test_predict_proba_equals_imblearn_on_the_same_draws(name, seed):
    data_kw, params = MATCHED[name]
    X, y = make_data(**data_kw, seed=seed)
    kw = {"n_estimators": 15, "random_state": seed, **params}
    ours = ForestOnPeerDraws(**kw).fit(X, y)
    peer = peer_forest(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))
    np.testing.assert_array_equal(ours.feature_importances_, peer.feature_importances_)
    for a, b in zip(ours.samplers_, peer.samplers_, strict=True):
        np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)
    if params.get("oob_score"):
        assert ours.oob_score_ == peer.oob_score_
        np.testing.assert_array_equal(
            ours.oob_decision_function_, peer.oob_decision_function_
        )


def test_sample_weight_and_dict_strategy_equal_imblearn():
    X, y = make_data(n_classes=3, weights=(0.6, 0.3, 0.1), n_samples=400)
    labels = np.array(["a", "b", "c"])[y]
    weights = np.random.default_rng(0).uniform(0.2, 2.0, size=y.size)
    kw = {"n_estimators": 10, "random_state": 2, "sampling_strategy": {"a": 80}}
    ours = ForestOnPeerDraws(**kw).fit(X, labels, sample_weight=weights)
    peer = peer_forest(**kw).fit(X, labels, sample_weight=weights)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))
    assert list(ours.classes_) == ["a", "b", "c"]


def test_warm_start_equals_imblearn():
    X, y = make_data()
    kw = {"n_estimators": 5, "random_state": 4, "warm_start": True}
    ours, peer = ForestOnPeerDraws(**kw).fit(X, y), peer_forest(**kw).fit(X, y)
    ours.set_params(n_estimators=12).fit(X, y)
    peer.set_params(n_estimators=12).fit(X, y)
    assert len(ours.estimators_) == 12
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))


def test_missing_values_equal_imblearn():
    X, y = make_data(seed=3)
    X = X.copy()
    X[::7, 1] = np.nan
    ours = ForestOnPeerDraws(n_estimators=10, random_state=0).fit(X, y)
    peer = peer_forest(n_estimators=10, random_state=0).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))


@pytest.mark.parametrize("split", SPLITS, ids=lambda s: s.name)
def test_default_sampler_has_equivalent_accuracy_over_seeds(split):
    # Our RandomUnderSampler's draws differ from imbalanced-learn's (Generator vs
    # RandomState); balanced accuracy over 20 paired seeds must be equivalent
    # within 0.03 (TOST at 5%).
    kw = {"n_estimators": 50}
    ours = balanced_accuracies(
        lambda s: BalancedRandomForestClassifier(random_state=s, **kw), split
    )
    peer = balanced_accuracies(lambda s: peer_forest(random_state=s, **kw), split)
    result = equivalence(ours, peer, margin=MARGIN)
    assert result.equivalent, str(result)


def test_equivalence_test_detects_unbalanced_trees():
    split = SPLITS[0]
    kw = {"n_estimators": 50}

    def ours(seed):
        return BalancedRandomForestClassifier(
            sampling_strategy=keep_every_row, replacement=False, random_state=seed, **kw
        )

    peer = balanced_accuracies(lambda s: peer_forest(random_state=s, **kw), split)
    result = equivalence(balanced_accuracies(ours, split), peer, margin=MARGIN)
    assert not result.equivalent, str(result)


@pytest.mark.parametrize("bootstrap", [False, True])
def test_each_tree_grows_on_balanced_rows(bootstrap):
    X, y = make_data(n_classes=3, weights=(0.6, 0.3, 0.1))
    clf = BalancedRandomForestClassifier(
        n_estimators=8, bootstrap=bootstrap, random_state=0
    ).fit(X, y)
    minority = np.bincount(y).min()
    for sampler, tree, rows in zip(
        clf.samplers_, clf.estimators_, clf.estimators_samples_, strict=True
    ):
        assert isinstance(sampler, RandomUnderSampler)
        drawn = np.bincount(y[np.asarray(sampler.sample_indices_)])
        assert drawn.tolist() == [minority] * 3  # "all", with replacement
        assert rows.size == 3 * minority
        assert tree.tree_.weighted_n_node_samples[0] == pytest.approx(rows.size)
        if not bootstrap:
            np.testing.assert_array_equal(rows, sampler.sample_indices_)
    assert len(clf.pipelines_) == 8
    assert clf.pipelines_[0][-1] is clf.estimators_[0]


def test_random_state_determines_the_model_and_n_jobs_does_not():
    X, y = make_data()

    def proba(**kw):
        clf = BalancedRandomForestClassifier(n_estimators=10, **kw)
        return clf.fit(X, y).predict_proba(X)

    a = proba(random_state=1)
    np.testing.assert_array_equal(a, proba(random_state=1))
    np.testing.assert_array_equal(a, proba(random_state=1, n_jobs=2))
    assert not np.array_equal(a, proba(random_state=2))


def test_unit_weights_equal_no_weights():
    X, y = make_data()
    clf = BalancedRandomForestClassifier(n_estimators=10, random_state=0)
    plain = clone(clf).fit(X, y).predict_proba(X)
    weighted = clone(clf).fit(X, y, sample_weight=np.ones(y.size)).predict_proba(X)
    np.testing.assert_array_equal(plain, weighted)


def test_integer_weights_equal_repeated_rows_when_every_row_is_kept():
    X, y = make_data(n_samples=150)
    counts = np.random.default_rng(0).integers(1, 4, size=y.size)
    clf = BalancedRandomForestClassifier(
        n_estimators=4,
        max_features=None,
        sampling_strategy=keep_every_row,
        replacement=False,
        random_state=0,
    )
    weighted = clone(clf).fit(X, y, sample_weight=counts)
    repeated = clone(clf).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


def test_weights_follow_the_rows_into_every_tree():
    X, y = make_data()
    weights = np.random.default_rng(1).uniform(0.1, 3.0, size=y.size)
    clf = BalancedRandomForestClassifier(n_estimators=5, random_state=3)
    clf.fit(X, y, sample_weight=weights)
    expected = np.zeros((y.size, 2))
    for sampler, tree in zip(clf.samplers_, clf.estimators_, strict=True):
        rows = np.asarray(sampler.sample_indices_)
        manual = DecisionTreeClassifier(
            max_features="sqrt", random_state=tree.random_state
        )
        manual.fit(X[rows].astype(np.float32), y[rows], sample_weight=weights[rows])
        expected += manual.predict_proba(X.astype(np.float32))
    np.testing.assert_allclose(clf.predict_proba(X), expected / 5)


def test_oob_rows_are_the_under_samples_rows_left_out_by_the_bootstrap():
    X, y = make_data(n_samples=200)
    clf = BalancedRandomForestClassifier(
        n_estimators=40, bootstrap=True, oob_score=True, random_state=0
    ).fit(X, y)
    in_some_tree = np.zeros(y.size, dtype=bool)
    for sampler in clf.samplers_:
        in_some_tree[np.asarray(sampler.sample_indices_)] = True
    scored = ~np.all(clf.oob_decision_function_ == 0, axis=1)
    assert not np.any(scored & ~in_some_tree)
    assert 0.5 < clf.oob_score_ <= 1


def test_inputs_are_not_modified():
    X, y = make_data()
    weights = np.linspace(0.5, 2, y.size)
    copies = X.copy(), y.copy(), weights.copy()
    BalancedRandomForestClassifier(n_estimators=5).fit(X, y, sample_weight=weights)
    for before, after in zip(copies, (X, y, weights), strict=True):
        np.testing.assert_array_equal(before, after)


def test_array_libraries(backend):
    X, y = make_data()
    X_b, y_b = host_inputs(backend, X, y)
    clf = BalancedRandomForestClassifier(n_estimators=10, random_state=0)
    if "device1" in str(backend):
        with pytest.raises(TypeError, match="cannot be read from the host"):
            clone(clf).fit(X_b, y_b)
        return
    expected = clone(clf).fit(X, y)
    fitted = clone(clf).fit(X_b, y_b)
    np.testing.assert_array_equal(fitted.predict_proba(X_b), expected.predict_proba(X))
    np.testing.assert_array_equal(fitted.predict(X_b), expected.predict(X))


def test_errors_name_the_parameter():
    X, y = make_data()
    with pytest.raises(TypeError, match="`replacement` must be True or False"):
        BalancedRandomForestClassifier(replacement=1).fit(X, y)
    with pytest.raises(ValueError, match="max_depth"):
        BalancedRandomForestClassifier(max_depth=-1).fit(X, y)
    with pytest.raises(ValueError, match="only available if bootstrap=True"):
        BalancedRandomForestClassifier(oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        BalancedRandomForestClassifier().fit(X, np.stack([y, y], axis=1))
    with pytest.raises(ValueError, match="sampling_strategy"):
        BalancedRandomForestClassifier(sampling_strategy=1.5).fit(X, y)


def test_estimators_samples_are_the_rows_each_tree_grew_on():
    # With bootstrap and max_samples: a tree refitted on exactly those rows (with
    # repeats) is the forest's tree.
    X, y = make_data()
    X32 = X.astype(np.float32)
    clf = BalancedRandomForestClassifier(
        n_estimators=5,
        bootstrap=True,
        max_samples=0.3,
        max_features=None,
        random_state=0,
    ).fit(X, y)
    for tree, rows in zip(clf.estimators_, clf.estimators_samples_, strict=True):
        assert tree.tree_.weighted_n_node_samples[0] == rows.size
        manual = DecisionTreeClassifier(random_state=tree.random_state)
        manual.fit(X32[rows], y[rows])
        np.testing.assert_allclose(manual.predict_proba(X32), tree.predict_proba(X32))
