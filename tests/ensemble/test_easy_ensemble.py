"""EasyEnsembleClassifier: imbalanced-learn's oracle, statistics over seeds,
balanced members, sample_weight, array libraries, errors."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.ensemble import EasyEnsembleClassifier as PeerEasyEnsemble
from imblearn.under_sampling import RandomUnderSampler as PeerUnderSampler
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier

from balancekit.ensemble import EasyEnsembleClassifier
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
SMALL_ADABOOST = AdaBoostClassifier(n_estimators=15)


class EasyEnsembleOnPeerDraws(EasyEnsembleClassifier):
    """Our EasyEnsemble under-sampling with imbalanced-learn's sampler."""

    def _make_sampler(self):
        return PeerUnderSampler(replacement=self.replacement)


MATCHED = {
    "defaults": ({}, {"n_estimators": 4}),
    "multiclass": ({"n_classes": 3, "weights": (0.6, 0.3, 0.1)}, {"n_estimators": 4}),
    "tree": ({}, {"estimator": DecisionTreeClassifier(max_depth=3)}),
    "replacement": ({}, {"replacement": True, "n_estimators": 4}),
    "majority": ({}, {"sampling_strategy": "majority", "n_estimators": 4}),
}


@pytest.mark.parametrize("name", list(MATCHED))
@pytest.mark.parametrize("seed", [0, 5])
def test_predict_proba_equals_imblearn_on_the_same_draws(name, seed):
    data_kw, params = MATCHED[name]
    X, y = make_data(**data_kw, seed=seed)
    ours = EasyEnsembleOnPeerDraws(random_state=seed, **params).fit(X, y)
    peer = PeerEasyEnsemble(random_state=seed, **clone(params, safe=False)).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))
    assert hasattr(ours, "decision_function") == hasattr(peer, "decision_function")
    if hasattr(peer, "decision_function"):  # AdaBoost members have one, trees not
        np.testing.assert_array_equal(
            ours.decision_function(X), peer.decision_function(X)
        )


def test_string_labels_and_dict_strategy_equal_imblearn():
    X, y = make_data(n_classes=3, weights=(0.6, 0.3, 0.1), n_samples=400)
    labels = np.array(["x", "y", "z"])[y]
    kw = {"n_estimators": 3, "random_state": 1, "sampling_strategy": {"x": 50}}
    ours = EasyEnsembleOnPeerDraws(**kw).fit(X, labels)
    peer = PeerEasyEnsemble(**kw).fit(X, labels)
    np.testing.assert_array_equal(ours.predict_proba(X), peer.predict_proba(X))


# EasyEnsemble's per-seed spread is larger than the other ensembles' (SD of the
# paired difference ~0.033 vs ~0.02): 40 seeds, not 20. With 20 seeds (0-19) the
# binary 1:9 split failed the 0.03 margin (mean -0.018, 90% CI [-0.030, -0.006]);
# fresh seeds 20-79 gave +0.002, CI [-0.005, +0.009], i.e. noise, not a bias.
EASY_SEEDS = range(40)


@pytest.mark.parametrize("split", SPLITS, ids=lambda s: s.name)
def test_default_sampler_has_equivalent_accuracy_over_seeds(split):
    # Different under-sampling draws (Generator vs RandomState), same distribution:
    # balanced accuracy over 40 paired seeds equivalent within 0.03 (TOST at 5%).
    kw = {"n_estimators": 5, "estimator": SMALL_ADABOOST}

    def ours(seed):
        return EasyEnsembleClassifier(random_state=seed, **kw)

    def peer(seed):
        return PeerEasyEnsemble(random_state=seed, **kw)

    result = equivalence(
        balanced_accuracies(ours, split, EASY_SEEDS),
        balanced_accuracies(peer, split, EASY_SEEDS),
        margin=MARGIN,
    )
    assert result.equivalent, str(result)


def test_equivalence_test_detects_unbalanced_members():
    split = SPLITS[1]
    kw = {"n_estimators": 5, "estimator": SMALL_ADABOOST}

    def ours(seed):
        return EasyEnsembleClassifier(
            sampling_strategy=keep_every_row, random_state=seed, **kw
        )

    peer = balanced_accuracies(lambda s: PeerEasyEnsemble(random_state=s, **kw), split)
    result = equivalence(balanced_accuracies(ours, split), peer, margin=MARGIN)
    assert not result.equivalent, str(result)


def test_each_member_under_samples_all_of_x_to_balance():
    X, y = make_data(n_classes=3, weights=(0.6, 0.3, 0.1))
    clf = EasyEnsembleClassifier(n_estimators=4, random_state=0).fit(X, y)
    minority = np.bincount(y).min()
    for member, rows in zip(clf.estimators_, clf.estimators_samples_, strict=True):
        assert np.array_equal(np.sort(rows), np.arange(y.size))  # no bootstrap
        sampler = member["sampler"]
        assert isinstance(sampler, RandomUnderSampler)
        kept = y[rows][np.asarray(sampler.sample_indices_)]
        assert np.bincount(kept).tolist() == [minority] * 3
        assert isinstance(member["classifier"], AdaBoostClassifier)


def test_random_state_determines_the_model_and_n_jobs_does_not():
    X, y = make_data()

    def proba(**kw):
        clf = EasyEnsembleClassifier(n_estimators=4, **kw).fit(X, y)
        # n_jobs also splits predict_proba's sum (round-off): compare the models.
        return clf.set_params(n_jobs=1).predict_proba(X)

    a = proba(random_state=3)
    np.testing.assert_array_equal(a, proba(random_state=3))
    np.testing.assert_array_equal(a, proba(random_state=3, n_jobs=2))
    assert not np.array_equal(a, proba(random_state=4))


def test_unit_weights_equal_no_weights():
    X, y = make_data()
    clf = EasyEnsembleClassifier(n_estimators=3, random_state=0)
    plain = clone(clf).fit(X, y).predict_proba(X)
    weighted = clone(clf).fit(X, y, sample_weight=np.ones(y.size)).predict_proba(X)
    np.testing.assert_allclose(plain, weighted, rtol=1e-12)


def test_integer_weights_equal_repeated_rows_when_every_row_is_kept():
    X, y = make_data(n_samples=120)
    counts = np.random.default_rng(0).integers(1, 4, size=y.size)
    clf = EasyEnsembleClassifier(
        n_estimators=2,
        estimator=DecisionTreeClassifier(max_depth=4),
        sampling_strategy=keep_every_row,
        random_state=0,
    )
    weighted = clone(clf).fit(X, y, sample_weight=counts)
    repeated = clone(clf).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


def test_weights_reach_the_adaboost_learners():
    X, y = make_data()
    weights = np.random.default_rng(2).uniform(0.1, 3.0, size=y.size)
    clf = EasyEnsembleClassifier(n_estimators=3, random_state=6)
    clf.fit(X, y, sample_weight=weights)
    expected = np.zeros((y.size, 2))
    for member, rows in zip(clf.estimators_, clf.estimators_samples_, strict=True):
        kept = rows[np.asarray(member["sampler"].sample_indices_)]
        learner = member["classifier"]
        manual = clone(learner).fit(X[kept], y[kept], sample_weight=weights[kept])
        expected += manual.predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), expected / 3)


def test_array_libraries(backend):
    X, y = make_data()
    X_b, y_b = host_inputs(backend, X, y)
    clf = EasyEnsembleClassifier(n_estimators=3, random_state=0)
    if "device1" in str(backend):
        with pytest.raises(TypeError, match="cannot be read from the host"):
            clone(clf).fit(X_b, y_b)
        return
    expected = clone(clf).fit(X, y)
    fitted = clone(clf).fit(X_b, y_b)
    np.testing.assert_array_equal(fitted.predict_proba(X_b), expected.predict_proba(X))
    np.testing.assert_array_equal(
        fitted.decision_function(X_b), expected.decision_function(X)
    )


def test_fixed_bagging_parameters_are_not_parameters():
    params = EasyEnsembleClassifier().get_params()
    for name in ("bootstrap", "max_samples", "max_features", "oob_score", "sampler"):
        assert name not in params


def test_errors_name_the_parameter():
    X, y = make_data()
    with pytest.raises(TypeError, match="`replacement` must be True or False"):
        EasyEnsembleClassifier(replacement=None).fit(X, y)
    with pytest.raises(ValueError, match="n_estimators"):
        EasyEnsembleClassifier(n_estimators=-2).fit(X, y)
    with pytest.raises(ValueError, match="sampling_strategy"):
        EasyEnsembleClassifier(sampling_strategy="most").fit(X, y)
