"""The comparison protocol: what each fit sees, determinism, failures, counts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from balancekit import SMOTE, RandomOverSampler
from balancekit.bench import COLUMNS, _protocol, compare
from balancekit.bench._compare import run_comparison
from balancekit.bench._models import Model, resolve_models
from balancekit.bench._strategies import Strategy, default_strategies

LOG: list[tuple[str, frozenset]] = []


class RecordingSampler(RandomOverSampler):
    """Logs the row ids (column 0) of every ``fit_resample`` call."""

    def fit_resample(self, X, y, **params):
        LOG.append(("resample", frozenset(X[:, 0].astype(int).tolist())))
        return super().fit_resample(X, y, **params)


class RecordingModel(LogisticRegression):
    """Logs the row ids it is fitted on and asked to predict."""

    def fit(self, X, y, sample_weight=None):
        LOG.append(("fit", frozenset(X[:, 0].astype(int).tolist())))
        return super().fit(X[:, 1:], y, sample_weight=sample_weight)

    def predict_proba(self, X):
        LOG.append(("predict", frozenset(X[:, 0].astype(int).tolist())))
        return super().predict_proba(X[:, 1:])


def _data(n=240, seed=0):
    X, y = make_classification(
        n, n_features=4, weights=[0.85], flip_y=0, random_state=seed
    )
    ids = np.arange(n, dtype=np.float64)[:, None]
    return np.hstack([ids, X]), y


RECORDING_MODEL = Model("recording", lambda seed: RecordingModel(), scale=False)
RECORDING_STRATEGY = Strategy(
    "recording",
    "sampler",
    sampler=lambda seed: RecordingSampler(random_state=seed),
    search_space={"sampler__sampling_strategy": [0.5, 1.0]},
)


@pytest.mark.parametrize("tune", [None, "grid", "random"])
def test_no_validation_or_test_row_is_ever_resampled(tune):
    X, y = _data()
    LOG.clear()
    table = compare(
        X,
        y,
        strategies=[RECORDING_STRATEGY],
        models=[RECORDING_MODEL],
        seeds=[3],
        tune=tune,
        n_iter=1,
        cv=3,
    )
    assert table["status"].tolist() == ["ok"]
    _, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=3)
    test_ids = frozenset(X_test[:, 0].astype(int).tolist())
    train_ids = frozenset(range(len(y))) - test_ids
    # The test rows are predicted once, by the final model, after everything else.
    predicts = [ids for kind, ids in LOG if kind == "predict"]
    assert predicts[-1] == test_ids
    assert all(not (ids & test_ids) for ids in predicts[:-1])
    # No fit and no resampling ever sees a test row.
    for kind, ids in LOG:
        if kind != "predict":
            assert ids <= train_ids
    # Each CV round: the sampler gets the training folds; the validation fold, which
    # is what the model then predicts, was never resampled.
    events = LOG[:-3]  # the last three: final resample, fit, test predict
    if tune is None:
        assert events == []
        assert LOG[-3] == ("resample", train_ids)
        return
    rounds = [events[i : i + 3] for i in range(0, len(events), 3)]
    assert len(rounds) == 3 * (2 if tune == "grid" else 1)
    for (k1, resampled), (k2, fitted), (k3, validation) in rounds:
        assert (k1, k2, k3) == ("resample", "fit", "predict")
        assert resampled == fitted
        assert not (resampled & validation)
        assert resampled | validation == train_ids
    assert LOG[-3] == ("resample", train_ids)


class RecordingImputer(SimpleImputer):
    """Logs the row ids (column 0, never missing) it is fitted on and transforms."""

    def fit(self, X, y=None):
        LOG.append(("impute_fit", frozenset(X[:, 0].astype(int).tolist())))
        return super().fit(X, y)

    def transform(self, X):
        LOG.append(("impute_transform", frozenset(X[:, 0].astype(int).tolist())))
        return super().transform(X)


@pytest.mark.parametrize("tune", [None, "grid"])
def test_the_imputer_is_fitted_on_training_rows_only(tune, monkeypatch):
    monkeypatch.setattr(_protocol, "SimpleImputer", RecordingImputer)
    X, y = _data()
    rng = np.random.default_rng(0)
    holes = rng.random(X[:, 1:].shape) < 0.1
    X[:, 1:][holes] = np.nan  # 10% missing, never in the id column
    LOG.clear()
    table = compare(
        X,
        y,
        strategies=[RECORDING_STRATEGY],
        models=[RECORDING_MODEL],
        seeds=[3],
        tune=tune,
        cv=3,
        impute="median",
    )
    assert table["status"].tolist() == ["ok"]
    assert table.attrs["protocol"]["impute"] == "median"
    _, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=3)
    test_ids = frozenset(X_test[:, 0].astype(int).tolist())
    train_ids = frozenset(range(len(y))) - test_ids
    fits = [ids for kind, ids in LOG if kind == "impute_fit"]
    # The imputer learns its medians from training rows only: the training folds
    # in each CV round (never the validation fold), then the whole training part.
    assert fits[-1] == train_ids
    assert all(ids <= train_ids for ids in fits)
    resampled = [ids for kind, ids in LOG if kind == "resample"]
    if tune is None:
        assert fits == [train_ids]
    else:
        assert len(fits) == 3 * 2 + 1  # 3 folds x 2 candidates, then the refit
        for fitted, validation in zip(
            fits[:-1],
            [ids for kind, ids in LOG if kind == "predict"][:-1],
            strict=True,
        ):
            assert not (fitted & validation)
            assert fitted | validation == train_ids
        assert fits[:-1] == resampled[:-1]  # the imputer saw what the sampler saw
    # The test rows are only ever transformed, after the last fit, with the
    # training medians; the model sees them imputed (no NaN reaches it).
    last_fit = max(i for i, (kind, _) in enumerate(LOG) if kind == "impute_fit")
    seen = [(i, ids) for i, (kind, ids) in enumerate(LOG) if ids & test_ids]
    assert seen
    assert all(i > last_fit for i, _ in seen)
    assert {LOG[i][0] for i, _ in seen} == {"impute_transform", "predict"}


def test_missing_values_without_impute_point_to_it():
    X, y = make_classification(60, n_features=3, n_informative=2, n_redundant=0)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"impute='median'.*`--impute`"):
        compare(X, y)
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        compare(X, y, impute="median")
    with pytest.raises(ValueError, match="`impute`"):
        compare(X, y, impute="mean")


def _without_times(table):
    return table.drop(columns=["fit_time_s", "tune_time_s"])


def test_same_seed_same_table():
    X, y = make_classification(300, n_features=5, weights=[0.9], random_state=1)
    kwargs = {
        "strategies": ["none", "class_weight=balanced", "SMOTE", "TomekLinks"],
        "models": ["logistic_regression"],
        "seeds": 2,
        "tune": "random",
        "n_iter": 2,
    }
    first = compare(X, y, **kwargs)
    second = compare(X, y, **kwargs)
    assert list(first.columns) == list(COLUMNS)
    assert _without_times(first).equals(_without_times(second))
    other = compare(X, y, **{**kwargs, "seeds": [5, 6]})
    assert not _without_times(first).equals(_without_times(other))


def test_gradient_boosting_same_seed_same_scores():
    X, y = make_classification(200, n_features=4, weights=[0.9], random_state=7)
    kwargs = {"strategies": ["SMOTE"], "models": ["hist_gradient_boosting"]}
    first = compare(X, y, seeds=1, **kwargs)
    assert _without_times(first).equals(
        _without_times(compare(X, y, seeds=1, **kwargs))
    )


def test_a_failing_strategy_is_reported_and_the_run_continues():
    X, y = make_classification(200, n_features=4, weights=[0.95], random_state=0)
    too_many = Strategy(
        "SMOTE(k=30)", "sampler", sampler=lambda s: SMOTE(k_neighbors=30)
    )
    table = compare(
        X,
        y,
        strategies=["none", too_many, "SMOTE"],
        models=["logistic_regression"],
        seeds=2,
    )
    failed = table[table["strategy"] == "SMOTE(k=30)"]
    assert failed["status"].tolist() == ["failed", "failed"]
    assert all("k_neighbors" in reason for reason in failed["reason"])
    assert failed["pr_auc"].isna().all()
    ok = table[table["strategy"] != "SMOTE(k=30)"]
    assert (ok["status"] == "ok").all()
    assert ok["pr_auc"].notna().all()


def test_tuning_picks_from_the_declared_space_and_records_it():
    X, y = make_classification(300, n_features=5, weights=[0.9], random_state=2)
    table = compare(
        X,
        y,
        strategies=["SMOTE"],
        models=["logistic_regression"],
        seeds=1,
        tune="grid",
        cv=2,
    )
    params = json.loads(table.loc[0, "params"])
    [smote] = [s for s in default_strategies() if s.name == "SMOTE"]
    assert set(params) == set(smote.search_space)
    for key, value in params.items():
        assert value in smote.search_space[key]
    assert table.loc[0, "tune_time_s"] > 0
    untuned = compare(X, y, strategies=["SMOTE"], models=["logistic_regression"])
    assert set(untuned["params"]) == {"{}"}


def test_achieved_counts_are_what_the_model_was_fitted_on():
    X, y = make_classification(400, n_features=4, weights=[0.9], random_state=3)
    table = compare(
        X,
        y,
        strategies=["none", "RandomOverSampler", "RandomUnderSampler"],
        models=["logistic_regression"],
        seeds=1,
    )
    before = json.loads(table.loc[0, "train_counts"])
    assert table.loc[0, "n_train"] == sum(before.values()) == 300
    resampled = [json.loads(c) for c in table["resampled_counts"]]
    assert resampled[0] == before
    majority, minority = max(before.values()), min(before.values())
    assert sorted(resampled[1].values()) == [majority, majority]
    assert sorted(resampled[2].values()) == [minority, minority]


def test_strategies_apply_only_to_their_frameworks_and_missing_models_are_noted():
    X, y = make_classification(150, n_features=4, weights=[0.8], random_state=4)
    absent = Model("absent", lambda seed: None, requires=("no_such_module_xyz",))
    result = run_comparison(
        X,
        y,
        strategies=["none", "loss=focal"],
        models=[*resolve_models(["logistic_regression"]), absent],
        seeds=1,
    )
    assert [r["strategy"] for r in result.records] == ["none"]
    assert result.notes == [
        "absent skipped: no_such_module_xyz is not installed "
        "(pip install balancekit[no_such_module_xyz])"
    ]


def test_labels_of_any_type_and_curves_of_the_minority():
    X, y = make_classification(200, n_features=4, weights=[0.8], random_state=5)
    labels = np.where(y == 1, "rare", "common")
    result = run_comparison(X, labels, strategies=["none"], models=None, seeds=1)
    _, _, y_train, y_test = train_test_split(
        X, labels, test_size=0.25, stratify=labels, random_state=0
    )
    record = result.records[0]
    assert json.loads(record["train_counts"]) == {
        "common": int((y_train == "common").sum()),
        "rare": int((y_train == "rare").sum()),
    }
    y_true, scores = result.curves[("data", "logistic_regression", "none", 0)]
    np.testing.assert_array_equal(y_true, (y_test == "rare").astype(int))
    assert scores.shape == (50,)


def test_multiclass_runs_with_macro_ranking_metrics():
    X, y = make_classification(
        300,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.7, 0.2],
        random_state=6,
    )
    table = compare(
        X, y, strategies=["none", "SMOTE"], models=["logistic_regression"], seeds=1
    )
    assert (table["status"] == "ok").all()
    assert table["pr_auc"].between(0, 1).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tune": "bayes"}, "`tune`"),
        ({"seeds": 0}, "`seeds`"),
        ({"test_size": 1.5}, "`test_size`"),
        ({"cv": 1}, "`cv`"),
        ({"strategies": ["SMOOTE"]}, "`strategies`"),
        ({"models": ["svm"]}, "`models`"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    X, y = make_classification(60, n_features=3, n_informative=2, n_redundant=0)
    with pytest.raises(ValueError, match=match):
        compare(X, y, **kwargs)


def test_bad_data_is_refused_clearly():
    X, y = make_classification(60, n_features=3, n_informative=2, n_redundant=0)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        compare(X_nan, y)
    with pytest.raises(ValueError, match="at least 2 rows"):
        compare(X, np.r_[y[:-1], 7])
    with pytest.raises(ValueError, match="`y`"):
        compare(X, y[:-1])
