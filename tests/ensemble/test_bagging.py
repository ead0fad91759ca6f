"""BalancedBaggingClassifier: imbalanced-learn's oracle, statistics over seeds,
properties of the members, sample_weight, samplers, array libraries, errors."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.ensemble import BalancedBaggingClassifier as PeerBagging
from imblearn.over_sampling import RandomOverSampler as PeerOverSampler
from imblearn.under_sampling import RandomUnderSampler as PeerUnderSampler
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from balancekit.ensemble import BalancedBaggingClassifier
from balancekit.over_sampling import SMOTE, RandomOverSampler
from balancekit.under_sampling import NearMiss, RandomUnderSampler, TomekLinks

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

# Configurations where both ensembles get imbalanced-learn's own sampler: the draws
# are then the same, so any difference would be in the ensemble machinery.
MATCHED = {
    "binary": ({}, {}),
    "multiclass": ({"n_classes": 3, "weights": (0.6, 0.3, 0.1)}, {}),
    "oob": ({}, {"oob_score": True, "n_estimators": 30}),
    "features": ({}, {"max_features": 0.5, "bootstrap_features": True}),
    "max-samples": ({}, {"max_samples": 0.7, "bootstrap": False}),
    "over-sampler": ({}, {"sampler": PeerOverSampler()}),
    "replacement": ({}, {"sampler": PeerUnderSampler(replacement=True)}),
    "logistic": ({}, {"estimator": LogisticRegression(), "n_estimators": 5}),
    "float-strategy": ({}, {"sampling_strategy": 0.6}),
}


@pytest.mark.parametrize("name", list(MATCHED))
@pytest.mark.parametrize("seed", [0, 7])
def test_predict_proba_equals_imblearn_given_the_same_sampler(name, seed):
    data_kw, params = MATCHED[name]
    X, y = make_data(**data_kw, seed=seed)
    params = {"sampler": PeerUnderSampler(), **params}
    ours = BalancedBaggingClassifier(random_state=seed, **params).fit(X, y)
    peer = PeerBagging(random_state=seed, **clone(params, safe=False)).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), peer.predict(X))
    for a, b in zip(ours.estimators_samples_, peer.estimators_samples_, strict=True):
        np.testing.assert_array_equal(a, b)
    if params.get("oob_score"):
        assert ours.oob_score_ == peer.oob_score_
        np.testing.assert_array_equal(
            ours.oob_decision_function_, peer.oob_decision_function_
        )


def test_string_labels_and_dict_strategy_equal_imblearn():
    X, y = make_data(n_classes=3, weights=(0.6, 0.3, 0.1), n_samples=400)
    labels = np.array(["cat", "dog", "eel"])[y]
    params = {"sampler": PeerUnderSampler(), "sampling_strategy": {"cat": 60}}
    ours = BalancedBaggingClassifier(random_state=3, **params).fit(X, labels)
    peer = PeerBagging(random_state=3, **clone(params, safe=False)).fit(X, labels)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))
    member = ours.estimators_[0]
    assert member["sampler"].sampling_strategy == {0: 60}
    assert list(ours.classes_) == ["cat", "dog", "eel"]


def test_warm_start_equals_imblearn():
    X, y = make_data()
    kw = {"sampler": PeerUnderSampler(), "warm_start": True, "random_state": 1}
    ours = BalancedBaggingClassifier(n_estimators=4, **kw).fit(X, y)
    peer = PeerBagging(n_estimators=4, **clone(kw, safe=False)).fit(X, y)
    ours.set_params(n_estimators=9).fit(X, y)
    peer.set_params(n_estimators=9).fit(X, y)
    assert len(ours.estimators_) == 9
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))


@pytest.mark.parametrize("split", SPLITS, ids=lambda s: s.name)
def test_default_sampler_has_equivalent_accuracy_over_seeds(split):
    # balancekit's RandomUnderSampler draws with a NumPy Generator, imbalanced-learn's
    # with a RandomState: different rows, same distribution. Balanced accuracy over
    # 20 paired seeds must be equivalent within 0.03 (TOST at 5%; the members' own
    # randomness makes single-seed differences of ~0.02 common).
    ours = balanced_accuracies(
        lambda s: BalancedBaggingClassifier(random_state=s), split
    )
    peer = balanced_accuracies(lambda s: PeerBagging(random_state=s), split)
    result = equivalence(ours, peer, margin=MARGIN)
    assert result.equivalent, str(result)


def test_equivalence_test_detects_an_unbalanced_sampler():
    # The same test has the power to see members that are not balanced (a strategy
    # keeping every row): the balanced accuracy drops by 0.05 to 0.19.
    split = SPLITS[2]

    def ours(seed):
        return BalancedBaggingClassifier(
            sampling_strategy=keep_every_row, random_state=seed
        )

    peer = balanced_accuracies(lambda s: PeerBagging(random_state=s), split)
    result = equivalence(balanced_accuracies(ours, split), peer, margin=MARGIN)
    assert not result.equivalent, str(result)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_each_member_fits_a_balanced_resample_of_its_bootstrap(n_classes):
    weights = (0.7, 0.3) if n_classes == 2 else (0.6, 0.3, 0.1)
    X, y = make_data(n_classes=n_classes, weights=weights)
    clf = BalancedBaggingClassifier(random_state=0).fit(X, y)
    for member, rows in zip(clf.estimators_, clf.estimators_samples_, strict=True):
        sampler = member["sampler"]
        assert isinstance(sampler, RandomUnderSampler)
        bootstrap_labels = y[rows]
        kept = bootstrap_labels[np.asarray(sampler.sample_indices_)]
        counts = np.bincount(kept, minlength=n_classes)
        assert counts.min() == counts.max() == np.bincount(bootstrap_labels).min()
        tree = member["classifier"]
        assert tree.tree_.n_node_samples[0] == kept.size


def test_bootstrap_rows_equal_imblearns_with_the_default_samplers():
    X, y = make_data()
    ours = BalancedBaggingClassifier(random_state=5).fit(X, y)
    peer = PeerBagging(random_state=5).fit(X, y)
    for a, b in zip(ours.estimators_samples_, peer.estimators_samples_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_random_state_determines_the_model_and_n_jobs_does_not():
    X, y = make_data()
    a = BalancedBaggingClassifier(random_state=2).fit(X, y).predict_proba(X)
    b = BalancedBaggingClassifier(random_state=2).fit(X, y).predict_proba(X)
    c = BalancedBaggingClassifier(random_state=3).fit(X, y).predict_proba(X)
    parallel = BalancedBaggingClassifier(random_state=2, n_jobs=2).fit(X, y)
    # n_jobs also splits predict_proba's sum (round-off): compare the models.
    d = parallel.set_params(n_jobs=1).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert not np.array_equal(a, c)


def test_unit_weights_equal_no_weights():
    X, y = make_data()
    clf = BalancedBaggingClassifier(random_state=0)
    plain = clone(clf).fit(X, y).predict_proba(X)
    weighted = clone(clf).fit(X, y, sample_weight=np.ones(y.size)).predict_proba(X)
    np.testing.assert_array_equal(plain, weighted)


def test_integer_weights_equal_repeated_rows_when_every_row_is_kept():
    # No bootstrap and a sampler keeping every row: each member is a deterministic
    # tree on all of X, where weight k must equal k copies of the row.
    X, y = make_data(n_samples=120)
    counts = np.random.default_rng(0).integers(1, 4, size=y.size)
    clf = BalancedBaggingClassifier(
        estimator=DecisionTreeClassifier(max_depth=4),
        n_estimators=3,
        bootstrap=False,
        sampling_strategy=keep_every_row,
        random_state=0,
    )
    weighted = clone(clf).fit(X, y, sample_weight=counts)
    repeated = clone(clf).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler(), PeerUnderSampler()],
    ids=["balancekit", "imblearn"],
)
def test_weights_follow_the_rows_into_every_member(sampler):
    # Oracle: refit each member's tree by hand on its bootstrap's resampled rows
    # with their weights; the ensemble's probabilities must be the average.
    X, y = make_data()
    weights = np.random.default_rng(1).uniform(0.1, 3.0, size=y.size)
    clf = BalancedBaggingClassifier(sampler=sampler, n_estimators=5, random_state=4)
    clf.fit(X, y, sample_weight=weights)
    expected = np.zeros((y.size, 2))
    for member, rows in zip(clf.estimators_, clf.estimators_samples_, strict=True):
        kept = rows[np.asarray(member["sampler"].sample_indices_)]
        tree = member["classifier"]
        manual = DecisionTreeClassifier(random_state=tree.random_state)
        manual.fit(X[kept], y[kept], sample_weight=weights[kept])
        expected += manual.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), expected / 5)
    unweighted = clone(clf).fit(X, y).predict_proba(X)
    assert not np.allclose(unweighted, clf.predict_proba(X))


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(k_neighbors=3), RandomOverSampler(), NearMiss(), RandomUnderSampler()],
    ids=lambda s: type(s).__name__,
)
def test_any_balancekit_sampler_balances_the_members(sampler):
    X, y = make_data()
    clf = BalancedBaggingClassifier(sampler=sampler, n_estimators=4, random_state=0)
    clf.fit(X, y, sample_weight=np.ones(y.size))
    for member in clf.estimators_:
        counts = (
            member["classifier"].tree_.value[0, 0]
            * member["classifier"].tree_.weighted_n_node_samples[0]
        )
        assert np.isclose(counts[0], counts[1]), (type(sampler).__name__, counts)
    assert clf.predict(X).shape == y.shape


def test_a_cleaning_sampler_runs_as_a_member_sampler():
    X, y = make_data()
    clf = BalancedBaggingClassifier(sampler=TomekLinks(), random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_the_sampler_parameter_is_cloned_not_fitted():
    X, y = make_data()
    sampler = RandomUnderSampler()
    BalancedBaggingClassifier(sampler=sampler, random_state=0).fit(X, y)
    assert not hasattr(sampler, "sample_indices_")
    assert sampler.sampling_strategy == "auto"


def test_inputs_are_not_modified():
    X, y = make_data()
    weights = np.linspace(0.5, 2, y.size)
    copies = X.copy(), y.copy(), weights.copy()
    BalancedBaggingClassifier(random_state=0).fit(X, y, sample_weight=weights)
    for before, after in zip(copies, (X, y, weights), strict=True):
        np.testing.assert_array_equal(before, after)


def test_array_libraries(backend):
    # Host-memory arrays of any library are read once into NumPy; the model equals
    # the NumPy one. An array on another device cannot be read: a clear TypeError.
    X, y = make_data()
    X_b, y_b = host_inputs(backend, X, y)
    clf = BalancedBaggingClassifier(random_state=0)
    if "device1" in str(backend):
        with pytest.raises(TypeError, match="host memory"):
            clone(clf).fit(X_b, y_b)
        fitted = clone(clf).fit(X, y)
        with pytest.raises(TypeError, match=r"`X` is a .* on device"):
            fitted.predict_proba(X_b)
        return
    expected = clone(clf).fit(X, y)
    fitted = clone(clf).fit(X_b, y_b, sample_weight=backend.asarray(np.ones(y.size)))
    proba = fitted.predict_proba(X_b)
    assert isinstance(proba, np.ndarray)
    np.testing.assert_array_equal(proba, expected.predict_proba(X))
    np.testing.assert_array_equal(fitted.predict(X_b), expected.predict(X))


def test_errors_name_the_parameter():
    X, y = make_data()
    with pytest.raises(TypeError, match="`replacement` must be True or False"):
        BalancedBaggingClassifier(replacement="yes").fit(X, y)
    with pytest.raises(TypeError, match=r"`sampler` must be None .* got str"):
        BalancedBaggingClassifier(sampler="rus").fit(X, y)
    with pytest.raises(ValueError, match="n_estimators"):
        BalancedBaggingClassifier(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError, match="class 'zebra', which is not in `y`"):
        BalancedBaggingClassifier(sampling_strategy={"zebra": 3}).fit(X, y)
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        BalancedBaggingClassifier().fit(X, np.stack([y, y], axis=1))
    with pytest.raises(TypeError, match=r"KNeighborsClassifier\.fit takes no"):
        BalancedBaggingClassifier(estimator=KNeighborsClassifier()).fit(
            X, y, sample_weight=np.ones(y.size)
        )


def test_a_sampler_that_cannot_carry_weights_is_refused():
    from imblearn import FunctionSampler

    X, y = make_data()
    clf = BalancedBaggingClassifier(sampler=FunctionSampler(), random_state=0)
    clf.fit(X, y)  # without weights it runs
    with pytest.raises(TypeError, match="cannot carry `sample_weight`"):
        clone(clf).fit(X, y, sample_weight=np.ones(y.size))


def test_the_ensembles_strategy_replaces_the_samplers_as_in_imblearn():
    X, y = make_data()
    sampler = RandomUnderSampler(sampling_strategy=0.3)
    clf = BalancedBaggingClassifier(sampler=sampler, sampling_strategy=0.8)
    clf.set_params(random_state=0).fit(X, y)
    peer = PeerBagging(sampler=PeerUnderSampler(sampling_strategy=0.3))
    peer.set_params(sampling_strategy=0.8, random_state=0).fit(X, y)
    assert clf.estimators_[0]["sampler"].sampling_strategy == 0.8
    assert peer.estimators_[0]["sampler"].sampling_strategy == 0.8
