"""The decision meta-estimators (``PriorCorrected``, ``TunedDecision``,
``TemperatureScaled``): scikit-learn's estimator checks; the training prior read from
samplers, routed weights and class weights; the corrected Brier equal to the
unresampled model's over seeds; the tuned decision and the temperature equal to the
functions applied to out-of-fold scores computed by hand; instrumented models that
prove no fit ever sees a row outside ``fit``; pickling; clear errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from imblearn.pipeline import Pipeline, make_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from balancekit import SMOTE, RandomOverSampler, RandomUnderSampler
from balancekit.decisions import (
    PriorCorrected,
    TemperatureScaled,
    TunedDecision,
    correct_prior,
    fit_temperature,
    tune_threshold,
)


def _data(seed: int, n: int = 3000, threshold: float = 2.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > threshold).astype(int)
    return X, y


# ------------------------------------------------------ scikit-learn's checks
_TUNED_XFAIL = {
    "check_classifiers_train": (
        "the tuned threshold is not the argmax of predict_proba (as scikit-learn's "
        "TunedThresholdClassifierCV)"
    ),
}


def _expected_failures(estimator):
    return _TUNED_XFAIL if isinstance(estimator, TunedDecision) else {}


@parametrize_with_checks(
    [
        PriorCorrected(LogisticRegression()),
        PriorCorrected(LogisticRegression(class_weight="balanced"), tau=0.5),
        TunedDecision(LogisticRegression(), cv=3, random_state=0),
        TemperatureScaled(LogisticRegression(), cv=3, random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------- PriorCorrected
class _WithFittedClassWeights(ClassifierMixin, BaseEstimator):
    """A model exposing its class weights as SVC does (``class_weight_``)."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        self.class_weight_ = np.array([1.0, 3.0])
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class _OddClassWeight(LogisticRegression):
    """Class weights of a form PriorCorrected cannot read (a list)."""

    def fit(self, X, y, sample_weight=None):
        self.class_weight, kept = None, self.class_weight
        super().fit(X, y)
        self.class_weight = kept
        return self


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: make_pipeline(
                RandomOverSampler(random_state=0), LogisticRegression()
            ),
            lambda n0, n1: [0.5, 0.5],
        ),
        (
            lambda: make_pipeline(
                RandomUnderSampler(sampling_strategy=0.5, random_state=0),
                LogisticRegression(),
            ),
            lambda n0, n1: [2 / 3, 1 / 3],
        ),
        (
            lambda: make_pipeline(
                StandardScaler(),
                SMOTE(sampling_strategy=0.25, random_state=0),
                LogisticRegression(),
            ),
            lambda n0, n1: [
                n0 / (n0 + int(0.25 * n0)),
                int(0.25 * n0) / (n0 + int(0.25 * n0)),
            ],
        ),
        (
            lambda: LogisticRegression(class_weight="balanced"),
            lambda n0, n1: [0.5, 0.5],
        ),
        (
            lambda: LogisticRegression(class_weight={1: 4.0}),
            lambda n0, n1: [n0 / (n0 + 4 * n1), 4 * n1 / (n0 + 4 * n1)],
        ),
        (
            lambda: _WithFittedClassWeights(),
            lambda n0, n1: [n0 / (n0 + 3 * n1), 3 * n1 / (n0 + 3 * n1)],
        ),
        (
            lambda: make_pipeline(
                StandardScaler(),
                make_pipeline(RandomOverSampler(random_state=0), LogisticRegression()),
            ),
            lambda n0, n1: [0.5, 0.5],
        ),
    ],
    ids=[
        "oversampler",
        "undersampler",
        "smote",
        "balanced",
        "dict",
        "fitted-attr",
        "nested",
    ],
)
def test_training_prior_is_read_from_the_fit(build, expected):
    X, y = _data(0, n=1000)
    n0, n1 = np.bincount(y)
    model = PriorCorrected(build()).fit(X, y)
    np.testing.assert_allclose(model.train_prior_, expected(n0, n1), rtol=1e-12)
    np.testing.assert_allclose(model.data_prior_, [n0 / y.size, n1 / y.size])
    np.testing.assert_array_equal(model.target_prior_, model.data_prior_)
    inner = model.estimator_.predict_proba(X)
    np.testing.assert_allclose(
        model.predict_proba(X),
        correct_prior(inner, model.train_prior_, model.data_prior_),
        rtol=0,
        atol=1e-15,
    )


def test_routed_sample_weight_counts_in_the_training_prior():
    X, y = _data(1, n=800)
    weights = np.where(y == 1, 5.0, 1.0)
    pipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    model = PriorCorrected(pipe).fit(X, y, model__sample_weight=weights)
    n0, n1 = np.bincount(y)
    np.testing.assert_allclose(model.fitted_class_totals_, [n0, 5.0 * n1], rtol=1e-12)


def test_fitted_pipeline_holds_the_model_not_the_recorder():
    X, y = _data(2, n=600)
    pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    model = PriorCorrected(pipe).fit(X, y)
    assert type(model.estimator_.steps[-1][1]) is LogisticRegression
    assert not hasattr(pipe.steps[-1][1], "coef_")  # the user's pipeline untouched
    reference = clone(pipe).fit(X, y)
    np.testing.assert_allclose(
        model.estimator_.predict_proba(X), reference.predict_proba(X)
    )


@pytest.mark.parametrize("sampler", ["random", "smote"])
def test_correction_brings_the_brier_score_back_over_seeds(sampler):
    """The corrected probabilities of a model trained on balanced data score the
    Brier of the model trained without resampling, within 10% of the resampled
    model's excess (5 seeds, 4000 test rows each); the ranking is untouched."""
    excess_kept = []
    for seed in range(5):
        X, y = _data(seed, n=8000, threshold=2.2)
        X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:], y[4000:]
        over = (
            RandomOverSampler(random_state=seed)
            if sampler == "random"
            else SMOTE(random_state=seed)
        )
        pipe = make_pipeline(over, LogisticRegression())
        plain = LogisticRegression().fit(X_train, y_train).predict_proba(X_test)[:, 1]
        resampled = clone(pipe).fit(X_train, y_train).predict_proba(X_test)[:, 1]
        model = PriorCorrected(pipe).fit(X_train, y_train)
        corrected = model.predict_proba(X_test)[:, 1]
        b_plain = brier_score_loss(y_test, plain)
        b_resampled = brier_score_loss(y_test, resampled)
        b_corrected = brier_score_loss(y_test, corrected)
        assert b_resampled > b_plain + 0.02
        excess_kept.append((b_corrected - b_plain) / (b_resampled - b_plain))
        assert roc_auc_score(y_test, corrected) == pytest.approx(
            roc_auc_score(y_test, resampled), abs=1e-12
        )
    assert abs(np.mean(excess_kept)) < 0.1


def test_uniform_target_and_tau():
    X, y = _data(3, n=800)
    plain = LogisticRegression().fit(X, y).predict_proba(X)
    uniform = PriorCorrected(LogisticRegression(), target_prior="uniform").fit(X, y)
    np.testing.assert_allclose(
        uniform.predict_proba(X), correct_prior(plain, uniform.data_prior_, [0.5, 0.5])
    )
    assert recall_score(y, uniform.predict(X)) > recall_score(y, plain.argmax(1))
    unchanged = PriorCorrected(LogisticRegression(), target_prior="uniform", tau=0)
    np.testing.assert_allclose(unchanged.fit(X, y).predict_proba(X), plain)
    given = PriorCorrected(LogisticRegression(), train_prior=[0.5, 0.5]).fit(X, y)
    assert given.fitted_class_totals_ is None
    np.testing.assert_array_equal(given.train_prior_, [0.5, 0.5])


def test_string_labels_and_multiclass():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(900, 2))
    y = np.array(["a", "b", "c"])[np.digitize(X[:, 0] + rng.normal(size=900), [1, 2])]
    pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    model = PriorCorrected(pipe).fit(X, y)
    assert model.classes_.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(model.train_prior_, [1 / 3] * 3)
    assert set(model.predict(X)) <= {"a", "b", "c"}
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)


def test_prior_corrected_errors():
    X, y = _data(5, n=400)
    with pytest.raises(ValueError, match="`target_prior`"):
        PriorCorrected(LogisticRegression(), target_prior="balanced").fit(X, y)
    with pytest.raises(ValueError, match="`target_prior` has 3 entries"):
        PriorCorrected(LogisticRegression(), target_prior=[1, 1, 1]).fit(X, y)
    with pytest.raises(ValueError, match="`tau`"):
        PriorCorrected(LogisticRegression(), tau=-1).fit(X, y)
    from sklearn.model_selection import GridSearchCV

    from balancekit.ensemble import BalancedRandomForestClassifier

    search = GridSearchCV(
        make_pipeline(RandomOverSampler(random_state=0), LogisticRegression()),
        {"logisticregression__C": [0.1, 1.0]},
        cv=3,
    )
    for hidden in (search, BalancedRandomForestClassifier(n_estimators=3)):
        with pytest.raises(ValueError, match="Pass `train_prior`"):
            PriorCorrected(hidden).fit(X, y)
    forest = BalancedRandomForestClassifier(n_estimators=3, random_state=0)
    given = PriorCorrected(forest, train_prior=[0.5, 0.5]).fit(X, y)
    np.testing.assert_array_equal(given.train_prior_, [0.5, 0.5])
    with pytest.raises(TypeError, match="`class_weight`"):
        PriorCorrected(_OddClassWeight(class_weight=[1, 2])).fit(X, y)


# -------------------------------------------------------------- TunedDecision
def test_tuned_decision_is_tune_threshold_on_out_of_fold_scores():
    X, y = _data(6, n=1500)
    pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    model = TunedDecision(
        pipe, metric="precision", constraint=("recall", 0.8), cv=4, random_state=3
    ).fit(X, y)
    folds = StratifiedKFold(4, shuffle=True, random_state=3)
    oof = cross_val_predict(clone(pipe), X, y, cv=folds, method="predict_proba")
    expected = tune_threshold(y, oof, metric="precision", constraint=("recall", 0.8))
    assert model.rule_ == expected
    assert model.best_score_ == expected.score
    reference = clone(pipe).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_array_equal(
        model.predict(X), (reference.predict_proba(X)[:, 1] >= expected.threshold)
    )


@pytest.mark.parametrize("method", ["predict_proba", "decision_function"])
@pytest.mark.parametrize(
    "options",
    [
        {"metric": "f1"},
        {"metric": "precision", "constraint": ("recall", 0.8)},
        {"cost_matrix": [[0, 9], [1, 0]]},  # missing class 0 costs 9
    ],
)
def test_pos_label_first_class_is_the_swapped_problem(options, method):
    X, y = _data(14, n=900)
    minority_is_zero = 1 - y  # the minority is class 0 now
    costs = options.get("cost_matrix")
    swapped_options = dict(options)
    if costs is not None:
        swapped_options["cost_matrix"] = np.asarray(costs)[::-1, ::-1]
    common = {"response_method": method, "random_state": 0}
    model = TunedDecision(LogisticRegression(), pos_label=0, **options, **common)
    model.fit(X, minority_is_zero)
    swapped = TunedDecision(LogisticRegression(), **swapped_options, **common)
    swapped.fit(X, y)
    assert model.pos_label_ == 0
    # the two logistic fits agree to round-off, not bit for bit
    assert model.rule_.threshold == pytest.approx(swapped.rule_.threshold, abs=1e-9)
    assert model.rule_.score == pytest.approx(swapped.rule_.score, abs=1e-12)
    np.testing.assert_array_equal(model.predict(X), 1 - swapped.predict(X))


def test_pos_label_errors():
    X, y = _data(15, n=300)
    with pytest.raises(ValueError, match="`pos_label`=7 is not a class"):
        TunedDecision(LogisticRegression(), pos_label=7).fit(X, y)
    three = np.arange(300) % 3
    with pytest.raises(ValueError, match="`pos_label` applies to binary"):
        TunedDecision(LogisticRegression(), pos_label=1).fit(X, three)


def test_recall_constraint_holds_on_new_data():
    X, y = _data(7, n=6000, threshold=2.2)
    model = TunedDecision(
        LogisticRegression(),
        metric="precision",
        constraint=("recall", 0.9),
        random_state=0,
    ).fit(X[:3000], y[:3000])
    assert recall_score(y[3000:], model.predict(X[3000:])) > 0.85
    plain = LogisticRegression().fit(X[:3000], y[:3000]).predict(X[3000:])
    assert recall_score(y[3000:], plain) < 0.6


def test_tuned_decision_multiclass_strings_and_costs():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(1200, 2))
    y = np.array(["low", "mid", "top"])[
        np.digitize(X[:, 0] + rng.normal(size=1200), [1.0, 2.0])
    ]
    model = TunedDecision(LogisticRegression(), random_state=0).fit(X, y)
    assert model.rule_.kind == "offsets"
    assert set(model.predict(X)) <= {"low", "mid", "top"}
    assert (
        model.rule_.score
        >= tune_threshold(  # never below the argmax
            np.searchsorted(model.classes_, y),
            cross_val_predict(
                LogisticRegression(),
                X,
                y,
                cv=StratifiedKFold(5, shuffle=True, random_state=0),
                method="predict_proba",
            ),
            metric="macro_f1",
        ).score
        - 1e-12
    )
    costs = [[0, 1, 1], [5, 0, 1], [20, 5, 0]]
    costly = TunedDecision(LogisticRegression(), cost_matrix=costs).fit(X, y)
    assert costly.rule_.kind == "cost"
    # Missing the top class costs most: it is predicted more often than by argmax.
    plain = LogisticRegression().fit(X, y).predict(X)
    assert (costly.predict(X) == "top").sum() > (plain == "top").sum()


def test_decision_function_scores_when_no_probabilities():
    from sklearn.svm import LinearSVC

    X, y = _data(9, n=800)
    model = TunedDecision(LinearSVC(), metric="f1", random_state=0).fit(X, y)
    assert model.response_method_ == "decision_function"
    assert model.rule_.logits
    assert not hasattr(model, "predict_proba")
    assert f1_of(y, model.predict(X)) >= f1_of(y, LinearSVC().fit(X, y).predict(X))


def f1_of(y, pred):
    from sklearn.metrics import f1_score

    return f1_score(y, pred)


class _NeverFit(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        raise AssertionError("fitted before the options were checked")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"metric": "accuracy"}, "`metric`"),
        ({"constraint": ("recall",)}, "`constraint`"),
        ({"metric": "f1", "cost_matrix": [[0, 1], [1, 0]]}, "either `cost_matrix`"),
        ({"cost_matrix": [[0, 1, 2], [1, 0, 1], [1, 1, 0]]}, "cost"),
        ({"beta": 0}, "`beta`"),
    ],
)
def test_bad_options_fail_before_any_fit(options, match):
    X, y = _data(16, n=200)
    with pytest.raises(ValueError, match=match):
        TunedDecision(_NeverFit(), **options).fit(X, y)


def test_tuned_decision_errors():
    X, y = _data(10, n=300)
    with pytest.raises(ValueError, match="`cv`=5 folds need at least 5"):
        TunedDecision(LogisticRegression()).fit(X[:40], np.r_[np.zeros(37), np.ones(3)])
    with pytest.raises(ValueError, match="`cv` must be at least 2"):
        TunedDecision(LogisticRegression(), cv=1).fit(X, y)
    with pytest.raises(TypeError, match="`cv`"):
        TunedDecision(LogisticRegression(), cv=2.5).fit(X, y)
    with pytest.raises(ValueError, match="`response_method`"):
        TunedDecision(LogisticRegression(), response_method="proba").fit(X, y)
    with pytest.raises(ValueError, match="one class"):
        TunedDecision(LogisticRegression()).fit(X, np.zeros(300))


# ---------------------------------------------------------- TemperatureScaled
def test_temperature_is_fit_temperature_of_out_of_fold_log_probabilities():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(800, 1))
    X = x + 0.3 * rng.normal(size=(800, 5))
    y = (x[:, 0] + rng.normal(size=800) > 1).astype(int)
    model = TemperatureScaled(GaussianNB(), cv=4, random_state=2).fit(X, y)
    folds = StratifiedKFold(4, shuffle=True, random_state=2)
    oof = cross_val_predict(GaussianNB(), X, y, cv=folds, method="predict_proba")
    log_p = np.maximum(np.log(np.maximum(oof, 1e-300)), np.log(np.finfo(float).eps))
    assert model.temperature_ == pytest.approx(fit_temperature(log_p, y), rel=1e-12)
    assert model.temperature_ > 2
    plain = GaussianNB().fit(X, y)
    np.testing.assert_array_equal(model.predict(X), plain.predict(X))
    # Held-out log-loss improves.
    X_new = (x_new := rng.normal(size=(4000, 1))) + 0.3 * rng.normal(size=(4000, 5))
    y_new = (x_new[:, 0] + rng.normal(size=4000) > 1).astype(int)
    assert log_loss(y_new, model.predict_proba(X_new)) < log_loss(
        y_new, plain.predict_proba(X_new)
    )


# ------------------------------------------------ no row outside fit is seen
_LOG: list = []  # clone() deep-copies parameters, so the log is global


class _RowLogger(ClassifierMixin, BaseEstimator):
    """Logistic regression that logs the row ids (column 0) it fits and scores."""

    def fit(self, X, y, sample_weight=None):
        _LOG.append(("fit", set(np.asarray(X)[:, 0].astype(int).tolist())))
        self.model_ = LogisticRegression().fit(np.asarray(X)[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        _LOG.append(("score", set(np.asarray(X)[:, 0].astype(int).tolist())))
        return self.model_.predict_proba(np.asarray(X)[:, 1:])

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.parametrize("wrapper", ["prior", "tuned", "temperature", "tuned-prior"])
def test_no_fit_sees_a_row_outside_fit(wrapper):
    X, y = _data(12, n=900)
    ids = np.arange(y.size, dtype=float)[:, None]
    Xi = np.hstack([ids, X])
    train, test = np.arange(600), np.arange(600, 900)
    log = _LOG
    log.clear()
    # Random over-sampling repeats rows with their ids, so the log stays readable.
    pipe = make_pipeline(RandomOverSampler(random_state=0), _RowLogger())
    wrapped = {
        "prior": lambda: PriorCorrected(pipe),
        "tuned": lambda: TunedDecision(pipe, cv=3, random_state=0),
        "temperature": lambda: TemperatureScaled(pipe, cv=3, random_state=0),
        "tuned-prior": lambda: TunedDecision(
            PriorCorrected(pipe), cv=3, random_state=0
        ),
    }[wrapper]()
    wrapped.fit(Xi[train], y[train])
    fit_log = list(log)
    assert fit_log
    for _, seen in fit_log:
        assert seen <= set(train.tolist())
    # Out-of-fold: every scoring during fit is of rows its model was not fitted on.
    for (kind, seen), previous in zip(fit_log[1:], fit_log[:-1], strict=True):
        if kind == "score" and previous[0] == "fit":
            assert not seen & previous[1]
    log.clear()
    wrapped.predict(Xi[test])
    assert [kind for kind, _ in log] == ["score"]
    assert log[0][1] == set(test.tolist())


# ------------------------------------------------------------------ pickling
@pytest.mark.parametrize(
    "build",
    [
        lambda: PriorCorrected(
            make_pipeline(SMOTE(random_state=0), LogisticRegression())
        ),
        lambda: TunedDecision(
            LogisticRegression(),
            constraint=("recall", 0.5),
            metric="precision",
            random_state=0,
        ),
        lambda: TemperatureScaled(LogisticRegression(), random_state=0),
    ],
)
def test_fitted_and_unfitted_pickle(build):
    X, y = _data(13, n=500)
    unfitted = build()
    again = pickle.loads(pickle.dumps(unfitted))
    assert again.get_params().keys() == unfitted.get_params().keys()
    fitted = build().fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    np.testing.assert_allclose(restored.predict_proba(X), fitted.predict_proba(X))
