"""InstanceHardnessThreshold and InstanceHardnessCV against imbalanced-learn.

Oracles: for the same estimator, ``cv`` and integer seed, exactly imbalanced-learn's
``sample_indices_`` (InstanceHardnessThreshold) and exactly its folds
(InstanceHardnessCV); the percentile rule recomputed from scikit-learn's
``cross_val_predict``; device residency on every backend.
"""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.model_selection import InstanceHardnessCV as ImbInstanceHardnessCV
from imblearn.under_sampling import (
    InstanceHardnessThreshold as ImbInstanceHardnessThreshold,
)
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier

from balancekit.model_selection import InstanceHardnessCV
from balancekit.under_sampling import InstanceHardnessThreshold


def make_data(weights=(0.2, 0.3, 0.5), n_samples=300, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_classes=len(weights),
        weights=list(weights),
        n_informative=4,
        flip_y=0.05,
        random_state=seed,
    )
    return X, y


ESTIMATORS = {
    "default-forest": None,
    "logistic": LogisticRegression(),
    "tree": DecisionTreeClassifier(max_depth=3),
    "naive-bayes": GaussianNB(),
}


def parameters(cls):
    """Names, kinds and defaults of ``cls``'s constructor (annotations ignored)."""
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()
    ]


# --- InstanceHardnessThreshold: imbalanced-learn's contract ------------------------


def test_threshold_signature_matches_imblearn():
    assert parameters(InstanceHardnessThreshold) == parameters(
        ImbInstanceHardnessThreshold
    )


@pytest.mark.parametrize("estimator", list(ESTIMATORS))
@pytest.mark.parametrize("seed", [0, 11])
@pytest.mark.parametrize(
    "strategy", ["auto", "majority", "not minority", {1: 50, 2: 70}, 0.5]
)
def test_same_rows_kept_as_imblearn(estimator, seed, strategy):
    weights = (0.3, 0.7) if strategy == 0.5 else (0.2, 0.3, 0.5)
    X, y = make_data(weights=weights, seed=seed)
    kwargs = {"estimator": ESTIMATORS[estimator], "random_state": seed, "cv": 4}
    sampler = InstanceHardnessThreshold(sampling_strategy=strategy, **kwargs)
    X_res, y_res = sampler.fit_resample(X, y)
    peer = ImbInstanceHardnessThreshold(sampling_strategy=strategy, **kwargs)
    X_peer, y_peer = peer.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.sample_indices_, peer.sample_indices_)
    np.testing.assert_array_equal(X_res, X_peer)
    np.testing.assert_array_equal(y_res, y_peer)
    assert dict(sampler.sampling_strategy_) == dict(peer.sampling_strategy_)


def test_percentile_rule_recomputed_from_cross_val_predict():
    X, y = make_data()
    sampler = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=3, cv=3)
    sampler.fit_resample(X, y)
    # The rule written from its description: seed the folds with RandomState(3).
    folds = StratifiedKFold(3, shuffle=True, random_state=np.random.RandomState(3))
    proba = cross_val_predict(GaussianNB(), X, y, cv=folds, method="predict_proba")
    own = proba[np.arange(len(y)), y]
    n_min = np.bincount(y).min()
    expected = []
    for cls in range(3):
        members = np.flatnonzero(y == cls)
        threshold = np.percentile(own[members], 100 * (1 - n_min / members.size))
        expected.append(members[own[members] >= threshold])
    np.testing.assert_array_equal(sampler.sample_indices_, np.concatenate(expected))


def test_labels_that_are_not_positions_work():
    # imbalanced-learn indexes the probability columns by label value, so labels
    # 1..3 raise IndexError there; here the columns follow the sorted classes.
    X, y = make_data()
    sampler = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    _, _y_res = sampler.fit_resample(X, y + 1)
    expected = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    expected.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.sample_indices_, expected.sample_indices_)
    with pytest.raises(IndexError):
        ImbInstanceHardnessThreshold(
            estimator=GaussianNB(), random_state=0
        ).fit_resample(X, y + 1)
    names = np.array(["a", "b", "c"])[y]
    _, y_names = InstanceHardnessThreshold(
        estimator=GaussianNB(), random_state=0
    ).fit_resample(X, names)
    np.testing.assert_array_equal(y_names, names[expected.sample_indices_])


def test_estimator_is_seeded_like_imblearn():
    X, y = make_data()
    sampler = InstanceHardnessThreshold(
        estimator=DecisionTreeClassifier(), random_state=5
    )
    sampler.fit_resample(X, y)
    peer = ImbInstanceHardnessThreshold(
        estimator=DecisionTreeClassifier(), random_state=5
    )
    peer.fit_resample(X, y)
    assert sampler.estimator_.random_state == peer.estimator_.random_state
    assert InstanceHardnessThreshold(random_state=5).fit_resample(X, y) is not None


# --- InstanceHardnessThreshold: backends and inputs --------------------------------


def test_threshold_backends_keep_rows_on_device(backend):
    X, y = make_data()
    X = X.astype(np.float32)
    weights = np.linspace(0.5, 1.5, len(y))
    expected = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    X_exp, y_exp, w_exp = expected.fit_resample(X, y, sample_weight=weights)
    sampler = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    X_b, y_b, w_b = (backend.asarray(a) for a in (X, y, weights))
    result = sampler.fit_resample(X_b, y_b, sample_weight=w_b)
    for got, want in zip(result, (X_exp, y_exp, w_exp), strict=True):
        assert backend.device_of(got) == backend.device
        assert type(got) is type(X_b)
        np.testing.assert_array_equal(backend.to_numpy(got), want)
    assert backend.device_of(sampler.sample_indices_) == backend.device
    np.testing.assert_array_equal(
        backend.to_numpy(sampler.sample_indices_), expected.sample_indices_
    )
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)


def test_threshold_containers():
    X, y = make_data()
    expected = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    X_exp, _y_exp = expected.fit_resample(X, y)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    X_res, y_res = InstanceHardnessThreshold(
        estimator=GaussianNB(), random_state=0
    ).fit_resample(frame, pd.Series(y, name="target"))
    assert list(X_res.columns) == list(frame.columns)
    assert y_res.name == "target"
    np.testing.assert_array_equal(X_res.to_numpy(), X_exp)
    lr = LogisticRegression()
    X_sp, _ = InstanceHardnessThreshold(estimator=lr, random_state=0).fit_resample(
        sp.csr_matrix(X), y
    )
    X_dense, _ = InstanceHardnessThreshold(estimator=lr, random_state=0).fit_resample(
        X, y
    )
    assert sp.issparse(X_sp)
    np.testing.assert_allclose(X_sp.toarray(), X_dense)


def test_threshold_pickles_fitted_or_not():
    X, y = make_data()
    sampler = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    assert pickle.loads(pickle.dumps(sampler)).get_params()["cv"] == 5
    sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(restored.sample_indices_, sampler.sample_indices_)
    restored.fit_resample(X, y)
    np.testing.assert_array_equal(restored.sample_indices_, sampler.sample_indices_)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"estimator": LinearRegression()}, TypeError, "`estimator` must be a"),
        ({"estimator": "forest"}, TypeError, "`estimator` must be a"),
        ({"cv": 1}, ValueError, "`cv`"),
        ({"cv": StratifiedKFold(3)}, TypeError, "`cv` must be an int"),
        ({"n_jobs": 1.5}, TypeError, "`n_jobs` must be an int or None"),
    ],
)
def test_threshold_bad_parameters_are_named(params, error, match):
    X, y = make_data()
    with pytest.raises(error, match=match):
        InstanceHardnessThreshold(**params).fit_resample(X, y)


def test_threshold_features_are_needed():
    sampler = InstanceHardnessThreshold()
    with pytest.raises(TypeError, match="needs the features"):
        sampler.fit_resample_indices(np.array([0, 1, 1]))


# --- InstanceHardnessCV -------------------------------------------------------------


def binary_data(seed=0):
    return make_classification(
        n_samples=400, weights=[0.85], flip_y=0.05, class_sep=1.0, random_state=seed
    )


def test_cv_signature_matches_imblearn():
    assert parameters(InstanceHardnessCV) == parameters(ImbInstanceHardnessCV)


@pytest.mark.parametrize("estimator", [LogisticRegression(), GaussianNB()])
@pytest.mark.parametrize("n_splits", [2, 5])
@pytest.mark.parametrize("pos_label", [None, 0, 1])
@pytest.mark.parametrize("seed", [0, 4])
def test_same_folds_as_imblearn(estimator, n_splits, pos_label, seed):
    X, y = binary_data(seed)
    ours = list(
        InstanceHardnessCV(estimator, n_splits=n_splits, pos_label=pos_label).split(
            X, y
        )
    )
    theirs = list(
        ImbInstanceHardnessCV(estimator, n_splits=n_splits, pos_label=pos_label).split(
            X, y
        )
    )
    assert len(ours) == len(theirs) == n_splits
    for (train, test), (peer_train, peer_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, peer_train)
        np.testing.assert_array_equal(test, peer_test)


def test_folds_partition_the_rows_and_share_each_class_evenly():
    X, y = binary_data()
    cv = InstanceHardnessCV(LogisticRegression(), n_splits=4)
    tests = [test for _, test in cv.split(X, y)]
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(len(y)))
    per_fold = np.array([np.bincount(y[test], minlength=2) for test in tests])
    assert (per_fold.max(axis=0) - per_fold.min(axis=0) <= 1).all()
    assert cv.get_n_splits() == 4
    scores = cross_val_score(LogisticRegression(), X, y, cv=cv)
    peer = cross_val_score(
        LogisticRegression(),
        X,
        y,
        cv=ImbInstanceHardnessCV(LogisticRegression(), n_splits=4),
    )
    np.testing.assert_array_equal(scores, peer)


def test_cv_string_labels_and_pandas():
    X, y = binary_data()
    names = np.array(["neg", "pos"])[y]
    got = [test for _, test in InstanceHardnessCV(GaussianNB()).split(X, names)]
    want = [test for _, test in InstanceHardnessCV(GaussianNB()).split(X, y)]
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
    frame = pd.DataFrame(X)
    via_pandas = [
        test for _, test in InstanceHardnessCV(GaussianNB()).split(frame, pd.Series(y))
    ]
    for a, b in zip(via_pandas, want, strict=True):
        np.testing.assert_array_equal(a, b)
    positive = [
        test
        for _, test in InstanceHardnessCV(GaussianNB(), pos_label="pos").split(X, names)
    ]
    for a, b in zip(positive, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_cv_backends_give_numpy_indices_of_the_same_folds(backend):
    X, y = binary_data()
    want = [test for _, test in InstanceHardnessCV(GaussianNB()).split(X, y)]
    got = [
        test
        for _, test in InstanceHardnessCV(GaussianNB()).split(
            backend.asarray(X), backend.asarray(y)
        )
    ]
    for a, b in zip(got, want, strict=True):
        assert isinstance(a, np.ndarray)
        np.testing.assert_array_equal(a, b)


def test_cv_errors_and_warnings():
    X, y = make_data()
    with pytest.raises(ValueError, match="only supports binary classification"):
        list(InstanceHardnessCV(GaussianNB()).split(X, y))
    Xb, yb = binary_data()
    with pytest.raises(ValueError, match="`pos_label`=7 is not a class"):
        list(InstanceHardnessCV(GaussianNB(), pos_label=7).split(Xb, yb))
    with pytest.raises(ValueError, match="`n_splits`"):
        list(InstanceHardnessCV(GaussianNB(), n_splits=1).split(Xb, yb))
    with pytest.raises(TypeError, match="`estimator` must be"):
        list(InstanceHardnessCV(LinearRegression()).split(Xb, yb))
    with pytest.warns(UserWarning, match="groups parameter is ignored"):
        list(InstanceHardnessCV(GaussianNB()).split(Xb, yb, groups=np.zeros(len(yb))))


def test_cv_pickles():
    cv = InstanceHardnessCV(GaussianNB(), n_splits=3, pos_label=1)
    restored = pickle.loads(pickle.dumps(cv))
    X, y = binary_data()
    for (_, a), (_, b) in zip(restored.split(X, y), cv.split(X, y), strict=True):
        np.testing.assert_array_equal(a, b)
