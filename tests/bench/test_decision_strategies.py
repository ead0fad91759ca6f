"""The bench's decision strategies (issue 20): what each fit sees, where the labels
and the counts come from, the ECE column, the reliability diagram and the
recommendation."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight

from balancekit import RandomOverSampler
from balancekit.bench import compare, summarize
from balancekit.bench._compare import run_comparison
from balancekit.bench._decision_wrappers import (
    PriorCorrection,
    TemperatureScaling,
    ThresholdTuning,
)
from balancekit.bench._models import ClassWeighted, Model, resolve_models
from balancekit.bench._protocol import build_pipeline, run_once
from balancekit.bench._recommend import recommend, recommendation_markdown
from balancekit.bench._report import markdown_report
from balancekit.bench._scores import ECE_BINS, score_run
from balancekit.bench._stats import compare_to_best
from balancekit.bench._strategies import (
    Strategy,
    decision_chain,
    default_strategies,
    resolve_strategies,
)
from balancekit.bench._worker import crossing
from balancekit.decisions import expected_calibration_error

LOG: list[tuple[str, frozenset]] = []


def _ids(X) -> frozenset:
    return frozenset(X[:, 0].astype(int).tolist())


class RecordingSampler(RandomOverSampler):
    """Logs the row ids (column 0) of every ``fit_resample``; duplicates keep ids."""

    def fit_resample(self, X, y, **params):
        LOG.append(("resample", _ids(X)))
        return super().fit_resample(X, y, **params)


class RecordingModel(LogisticRegression):
    """Logs the row ids it is fitted on and asked to score."""

    def fit(self, X, y, sample_weight=None):
        LOG.append(("fit", _ids(X)))
        return super().fit(X[:, 1:], y, sample_weight=sample_weight)

    def predict_proba(self, X):
        LOG.append(("predict", _ids(X)))
        return super().predict_proba(X[:, 1:])


def _recording_model(seed):
    return RecordingModel()


# framework "torch" so that the MLP-only strategies apply to it as well
RECORDING_MODEL = Model("recording", _recording_model, framework="torch", scale=False)
RECORDING_BASE = Strategy(
    "recording",
    "sampler",
    sampler=lambda seed: RecordingSampler(random_state=seed),
    search_space={"sampler__sampling_strategy": [0.5, 1.0]},
)
PRIOR = Strategy(
    "rec + prior", "decision", base=RECORDING_BASE, decision=PriorCorrection()
)
RECORDING_DECISIONS = [
    PRIOR,
    Strategy(
        "rec + tuned", "decision", base=RECORDING_BASE, decision=ThresholdTuning()
    ),
    Strategy("rec + prior + tuned", "decision", base=PRIOR, decision=ThresholdTuning()),
    Strategy(
        "rec + temperature",
        "decision",
        base=RECORDING_BASE,
        decision=TemperatureScaling(),
    ),
]
#: Every default decision strategy whose base does not invent rows (SMOTE's
#: synthetic rows would carry interpolated ids); "SMOTE + prior corr. + tuned F1"
#: is covered by "rec + prior + tuned", the same wrappers over an over-sampler.
DEFAULT_DECISIONS = [
    s.name
    for s in default_strategies()
    if s.kind == "decision" and decision_chain(s)[0].kind != "sampler"
]


def _data(n=240, seed=0):
    X, y = make_classification(
        n, n_features=4, weights=[0.8], flip_y=0, random_state=seed
    )
    return np.hstack([np.arange(n, dtype=np.float64)[:, None], X]), y


def test_the_default_wrappers_are_those_of_the_recording_strategies():
    [smote_tuned] = resolve_strategies(["SMOTE + prior corr. + tuned F1"])
    base, decisions = decision_chain(smote_tuned)
    assert base.name == "SMOTE"
    assert decisions == decision_chain(RECORDING_DECISIONS[2])[1]
    assert set(DEFAULT_DECISIONS) == {
        "none + tuned F1",
        "none + tuned at recall 0.9",
        "class_weight=balanced + prior corr.",
        "none + logit adj.",
        "none + temperature",
    }


CASES = [(s, None) for s in RECORDING_DECISIONS + DEFAULT_DECISIONS] + [
    (s, "grid")
    for s in RECORDING_DECISIONS  # tuning searches the base's space
]


@pytest.mark.parametrize(
    ("strategy", "tune"), CASES, ids=lambda s: getattr(s, "name", str(s))
)
def test_no_test_row_is_seen_by_any_fit_of_a_decision_strategy(strategy, tune):
    name = strategy if isinstance(strategy, str) else strategy.name
    X, y = _data()
    LOG.clear()
    table = compare(
        X, y, strategies=[strategy], models=[RECORDING_MODEL], seeds=[3], tune=tune
    )
    assert table["status"].tolist() == ["ok"], table["reason"].tolist()
    _, X_test, _, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=3)
    test_ids = _ids(X_test)
    train_ids = frozenset(range(len(y))) - test_ids
    fits = [i for i, (kind, _) in enumerate(LOG) if kind == "fit"]
    # No fit and no resampling ever sees a test row, inner CV included.
    for kind, ids in LOG:
        if kind != "predict":
            assert ids <= train_ids, kind
    # The test rows are scored only by the final model, after every fit, whole.
    touching = [i for i, (_, ids) in enumerate(LOG) if ids & test_ids]
    assert touching
    assert min(touching) > max(fits)
    assert all(LOG[i] == ("predict", test_ids) for i in touching)
    assert LOG[fits[-1]] == ("fit", train_ids)
    # A wrapper with its own cross-validation scores each training row with a
    # model fitted on the other folds: validation rows never reach that fit.
    inner_cv = "tuned" in name or "temperature" in name
    if inner_cv:
        pairs = [
            (LOG[i][1], LOG[i + 1][1])
            for i in fits[:-1]
            if LOG[i + 1][0] == "predict" and LOG[i + 1][1] <= train_ids
        ]
        folds = [(f, v) for f, v in pairs if f | v == train_ids and f != train_ids]
        assert len(folds) >= 5
        assert all(not (fitted & validation) for fitted, validation in folds)


def test_label_metrics_come_from_the_tuned_rule_and_probabilities_are_unchanged():
    X, y = make_classification(600, n_features=5, weights=[0.9], random_state=2)
    split = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    X_train, X_test, y_train, y_test = split
    [lr] = resolve_models(["logistic_regression"])
    [none, tuned] = resolve_strategies(["none", "none + tuned at recall 0.9"])
    args = ((X_train, y_train, X_test, y_test),)
    plain = run_once(lr, none, *args, seed=0, minority=1)
    outcome = run_once(lr, tuned, *args, seed=0, minority=1)
    estimator = build_pipeline(lr, tuned, seed=0).fit(X_train, y_train)
    assert estimator.rule_.threshold < 0.5
    pred = estimator.predict(X_test)
    assert not np.array_equal(pred, estimator.predict_proba(X_test).argmax(axis=1))
    recall = float(np.mean(pred[y_test == 1] == 1))
    assert outcome.scores["minority_recall"] == pytest.approx(recall)
    assert outcome.scores["minority_recall"] > plain.scores["minority_recall"]
    for metric in ("pr_auc", "roc_auc", "brier", "ece"):
        assert outcome.scores[metric] == pytest.approx(plain.scores[metric])


def test_a_binary_decision_is_for_the_minority_whatever_its_label():
    X, y = make_classification(600, n_features=5, weights=[0.9], random_state=2)
    labels = np.where(y == 1, "a-rare", "b-common")  # the minority is code 0
    names = ["none", "none + tuned at recall 0.9", "SMOTE + prior corr."]
    first = compare(
        X, labels, strategies=names, models=["logistic_regression"], seeds=2
    )
    by_strategy = first.groupby("strategy")
    recall = by_strategy["minority_recall"].mean()
    assert recall["none + tuned at recall 0.9"] > 0.8 > recall["none"]
    for column in ("pr_auc", "brier"):  # the same model, its decision for code 0
        means = by_strategy[column].mean()
        assert means["none + tuned at recall 0.9"] == pytest.approx(means["none"])
    counts = [json.loads(c) for c in first["resampled_counts"]]
    majority = json.loads(first.loc[2, "train_counts"])["b-common"]
    assert counts[2] == {"a-rare": majority, "b-common": majority}
    assert counts[1] == json.loads(first.loc[1, "train_counts"])


def test_multiclass_tunes_macro_f1_offsets_and_a_recall_floor_fails_clearly():
    X, y = make_classification(
        600,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )
    names = ["none", "none + tuned F1", "none + tuned at recall 0.9"]
    table = compare(X, y, strategies=names, models=["logistic_regression"], seeds=1)
    assert table["status"].tolist() == ["ok", "ok", "failed"]
    assert "binary" in table.loc[2, "reason"]
    none, tuned = table.loc[0], table.loc[1]
    assert tuned["brier"] == pytest.approx(none["brier"])
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    [lr] = resolve_models(["logistic_regression"])
    [strategy] = resolve_strategies(["none + tuned F1"])
    estimator = build_pipeline(lr, strategy, seed=0).fit(X_train, y_train)
    pred = estimator.predict(X_test)
    assert not np.array_equal(pred, estimator.predict_proba(X_test).argmax(axis=1))
    expected = f1_score(y_test, pred, average="macro")
    assert tuned["macro_f1"] == pytest.approx(expected)
    assert none["macro_f1"] != pytest.approx(expected)


def test_fitted_on_counts_are_what_the_wrapped_model_saw():
    X, y = make_classification(400, n_features=4, weights=[0.9], random_state=3)
    names = [
        "none",
        "SMOTE",
        "none + tuned F1",
        "SMOTE + prior corr.",
        "SMOTE + prior corr. + tuned F1",
        "class_weight=balanced + prior corr.",
    ]
    table = compare(X, y, strategies=names, models=["logistic_regression"], seeds=1)
    counts = dict(zip(table["strategy"], table["resampled_counts"], strict=True))
    train = table.loc[0, "train_counts"]
    assert counts["none + tuned F1"] == counts["none"] == train
    assert counts["class_weight=balanced + prior corr."] == train
    smote = json.loads(counts["SMOTE"])
    assert smote["0"] == smote["1"] != json.loads(train)["1"]
    assert counts["SMOTE + prior corr."] == counts["SMOTE"]
    assert counts["SMOTE + prior corr. + tuned F1"] == counts["SMOTE"]
    assert set(table["kind"]) == {"none", "sampler", "decision"}


def test_class_weights_are_exposed_and_read_by_prior_correction():
    labels = np.array(["b", "a", "b", "c", "b", "b", "a", "b"])
    X = np.arange(16, dtype=float).reshape(8, 2)
    model = ClassWeighted(LogisticRegression(), "balanced").fit(X, labels)
    expected = compute_class_weight("balanced", classes=model.classes_, y=labels)
    np.testing.assert_allclose(model.class_weight_, expected)
    [lr] = resolve_models(["logistic_regression"])
    [weighted] = resolve_strategies(["class_weight=balanced + prior corr."])
    X, y = make_classification(300, n_features=4, weights=[0.85], random_state=0)
    corrected = build_pipeline(lr, weighted, seed=0).fit(X, y)
    # balanced weights give every class the same total weight: a uniform prior
    np.testing.assert_allclose(corrected.train_prior_, [0.5, 0.5])
    np.testing.assert_allclose(corrected.data_prior_, np.bincount(y) / y.size)


def test_tuning_searches_the_base_space_and_sets_it_inside_the_wrapper():
    X, y = make_classification(300, n_features=5, weights=[0.9], random_state=2)
    table = compare(
        X,
        y,
        strategies=["SMOTE", "SMOTE + prior corr."],
        models=["logistic_regression"],
        seeds=1,
        tune="grid",
        cv=2,
    )
    params = [json.loads(p) for p in table["params"]]
    assert params[0] == params[1]
    assert set(params[1]) == {"sampler__k_neighbors", "sampler__sampling_strategy"}
    ratio = params[1]["sampler__sampling_strategy"]
    counts = json.loads(table.loc[1, "resampled_counts"])
    assert counts["1"] == int(ratio * counts["0"])  # the tuned ratio was applied


# ------------------------------------------------------------------ strategies


def test_decision_strategies_are_checked():
    with pytest.raises(TypeError, match="needs `base`"):
        Strategy("x", "decision", decision=PriorCorrection())
    with pytest.raises(TypeError, match="needs `decision`"):
        Strategy("x", "decision", base="none")
    with pytest.raises(ValueError, match="only allowed for kind='decision'"):
        Strategy("x", "none", base="none")
    with pytest.raises(ValueError, match="takes its training"):
        Strategy(
            "x",
            "decision",
            base="SMOTE",
            decision=PriorCorrection(),
            search_space={"sampler__k_neighbors": [3]},
        )
    unknown = Strategy("x", "decision", base="no such", decision=PriorCorrection())
    with pytest.raises(ValueError, match="`base` 'no such' is not a known"):
        resolve_strategies([unknown])
    # a strategy named as its base would make the table's names ambiguous
    loop = Strategy("none", "decision", base="none", decision=PriorCorrection())
    with pytest.raises(ValueError, match=r"loops \(none -> none\)"):
        decision_chain(loop)


def test_a_decision_applies_only_where_its_base_does():
    focal = Strategy(
        "f + prior", "decision", base="loss=focal", decision=PriorCorrection()
    )
    assert not focal.applies_to("scikit-learn")
    assert focal.applies_to("keras")
    [temperature] = resolve_strategies(["none + temperature"])
    assert temperature.applies_to("torch")
    assert not temperature.applies_to("scikit-learn")
    X, y = make_classification(150, n_features=4, weights=[0.8], random_state=4)
    table = compare(
        X,
        y,
        strategies=["none", "none + temperature", "none + logit adj."],
        models=["logistic_regression"],
        seeds=1,
    )
    assert table["strategy"].tolist() == ["none"]


def test_default_decision_strategies_cross_to_workers_by_name():
    names = [s.name for s in default_strategies() if s.kind == "decision"]
    specs = crossing(
        resolve_strategies(names),
        {s.name: s for s in default_strategies()},
        "strategies",
        2,
    )
    assert specs == names


def test_decision_strategies_pickle_and_build_the_same_wrapper():
    for strategy in default_strategies():
        if strategy.kind != "decision":
            continue
        again = pickle.loads(pickle.dumps(strategy))
        assert again == strategy
        assert repr(again.decision(LogisticRegression(), 3)) == repr(
            strategy.decision(LogisticRegression(), 3)
        )


# ----------------------------------------------------------------- scores


@pytest.mark.parametrize("minority", [0, 1])
def test_the_ece_column_is_expected_calibration_error_of_the_minority(minority):
    rng = np.random.default_rng(minority)
    y = (rng.random(300) < 0.2).astype(int)
    if minority == 0:
        y = 1 - y
    p = np.clip(rng.beta(2, 5, 300) + 0.3 * (y == minority), 0, 1)
    proba = np.zeros((300, 2))
    proba[:, minority], proba[:, 1 - minority] = p, 1 - p
    scores = score_run(y, proba, minority)
    expected = expected_calibration_error((y == minority).astype(int), p, n_bins=15)
    assert ECE_BINS == 15
    assert scores["ece"] == pytest.approx(float(expected))
    # binary: the minority-class probability, not the top label of the two columns
    top_label = expected_calibration_error(y, proba, n_bins=15)
    assert scores["ece"] != pytest.approx(float(top_label))


def test_the_ece_column_is_top_label_for_multiclass():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1.0, 2.0, 3.0], size=200)
    y = np.array([rng.choice(3, p=row) for row in proba])
    scores = score_run(y, proba, minority=0)
    expected = expected_calibration_error(y, proba, n_bins=15)
    assert scores["ece"] == pytest.approx(float(expected))


def test_given_predictions_decide_the_label_metrics_only():
    y = np.array([0, 0, 0, 0, 1, 1])
    p1 = np.array([0.1, 0.2, 0.3, 0.45, 0.4, 0.9])
    proba = np.column_stack([1 - p1, p1])
    argmax = score_run(y, proba, 1)
    tuned = score_run(y, proba, 1, pred=(p1 >= 0.4).astype(int))
    assert (argmax["minority_recall"], tuned["minority_recall"]) == (0.5, 1.0)
    assert tuned["minority_precision"] == pytest.approx(2 / 3)
    for metric in ("pr_auc", "roc_auc", "brier", "ece"):
        assert tuned[metric] == argmax[metric]
    with pytest.raises(ValueError, match="`pred` must hold one code"):
        score_run(y, proba, 1, pred=np.array([0, 2, 0, 0, 1, 1]))


# ------------------------------------------------------------ recommendation


def _records(values: dict[str, list[float]], metric: str = "pr_auc") -> list[dict]:
    return [
        {
            "dataset": "d",
            "model": "m",
            "strategy": strategy,
            "kind": "none",
            "seed": seed,
            "status": "ok",
            "reason": "",
            metric: value,
            "fit_time_s": 0.01,
            "n_train": 300,
            "n_test": 100,
            "resampled_counts": "{}",
        }
        for strategy, per_seed in values.items()
        for seed, value in enumerate(per_seed)
    ]


NONE = [0.50, 0.56, 0.47, 0.53, 0.49, 0.55]
LUCK = [0.06, -0.04, 0.05, -0.03, 0.04, 0.0]


def _p_against_none(values: dict[str, list[float]], best: str) -> float:
    names = list(values)
    scores = np.array([values[n] for n in names]).T
    result = compare_to_best(scores, test_fraction=100 / 300)
    assert names[result.best] == best
    return float(result.p_values[names.index("none")])


def test_a_planted_significant_winner_is_recommended_with_its_p_value():
    gains = [0.10, 0.12, 0.09, 0.11, 0.10, 0.12]
    values = {
        "none": NONE,
        "noise": [v + 0.01 * (-1) ** i for i, v in enumerate(NONE)],
        "winner": [v + g for v, g in zip(NONE, gains, strict=True)],
    }
    [rec] = recommend(summarize(_records(values)))
    assert (rec.best, rec.verdict) == ("winner", "significant")
    assert rec.p_value == pytest.approx(_p_against_none(values, "winner"))
    assert rec.p_value < 0.05
    assert rec.difference == pytest.approx(np.mean(gains))
    text = recommendation_markdown([rec])
    assert "significantly better than none (p = " in text
    assert f"| d | m | winner | {rec.best_mean:.3f} | 0.517 | +0.107 |" in text
    assert text.endswith("| yes |")


def test_a_winner_within_noise_is_said_to_be_no_better_than_none():
    values = {
        "none": NONE,
        "lucky": [v + d for v, d in zip(NONE, LUCK, strict=True)],
    }
    [rec] = recommend(summarize(_records(values)))
    assert (rec.best, rec.verdict) == ("lucky", "within noise")
    assert rec.p_value == pytest.approx(_p_against_none(values, "lucky"))
    assert rec.p_value > 0.05
    assert "not significantly different from none" in rec.sentence
    assert recommendation_markdown([rec]).endswith("| no (within noise) |")


def test_recommendation_edge_cases_and_lower_is_better_metrics():
    best_none = recommend(summarize(_records({"none": NONE, "b": [0.1] * 6})))
    assert best_none[0].verdict == "baseline is best"
    assert "doing nothing is best" in best_none[0].sentence
    no_none = recommend(summarize(_records({"a": NONE, "b": [0.1] * 6})))
    assert (no_none[0].best, no_none[0].verdict) == ("a", "no baseline")
    one_seed = recommend(summarize(_records({"none": [0.5], "a": [0.6]})))
    assert (one_seed[0].best, one_seed[0].verdict) == ("a", "untested")
    assert math.isnan(one_seed[0].p_value)
    brier = {"none": [0.2, 0.21, 0.19, 0.2], "calibrated": [0.1, 0.11, 0.1, 0.09]}
    [rec] = recommend(summarize(_records(brier, "brier")), metric="brier")
    assert (rec.best, rec.verdict) == ("calibrated", "significant")
    assert rec.difference < 0
    with pytest.raises(ValueError, match="`metric`"):
        recommend([], metric="accuracy")


def test_the_report_ends_with_the_recommendation_and_shows_calibration():
    X, y = make_classification(300, n_features=4, weights=[0.85], random_state=1)
    result = run_comparison(
        X,
        y,
        strategies=["none", "SMOTE", "SMOTE + prior corr."],
        models=["logistic_regression"],
        seeds=2,
    )
    report = markdown_report(result)
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings[-1] == "## Recommendation"
    assert "| Brier | ECE | fit s | fitted on |" in report
    assert "wrap the whole pipeline of their base strategy" in report
    [rec] = recommend(summarize(result.records))
    assert report.rstrip().endswith(recommendation_markdown([rec]).splitlines()[-1])


def test_reliability_diagram_pools_the_seeds(tmp_path):
    pytest.importorskip("matplotlib")
    from balancekit.bench.plots import plot_reliability_over_seeds

    rng = np.random.default_rng(0)
    seeds = []
    for _ in range(3):
        y = (rng.random(200) < 0.3).astype(int)
        seeds.append((y, np.clip(0.25 + 0.4 * y + rng.normal(0, 0.1, 200), 0, 1)))
    path = tmp_path / "reliability.png"
    figure = plot_reliability_over_seeds(
        {"none": seeds, "SMOTE": seeds[:1]}, title="t", path=path
    )
    pooled = expected_calibration_error(
        np.concatenate([y for y, _ in seeds]),
        np.concatenate([p for _, p in seeds]),
        n_bins=15,
    )
    texts = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert texts[1] == f"none: ECE {float(pooled):.3f}"
    assert texts[2].startswith("SMOTE: ECE ")
    assert texts[2].endswith(" (1 seed)")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        plot_reliability_over_seeds({"x": [(np.array([0, 2]), np.array([0.1, 0.2]))]})


def test_the_reliability_diagram_draws_distinct_probabilities_once():
    from balancekit.bench._comparison import Comparison
    from balancekit.bench._report import _distinct_probabilities

    y = np.array([0, 1, 0, 1])
    curves = {
        "none": [0.1, 0.8, 0.3, 0.6],
        "none + tuned F1": [0.1, 0.8, 0.3, 0.6],  # same probabilities as none
        "a": [0.2, 0.7, 0.2, 0.9],
        "b": [0.3, 0.6, 0.1, 0.9],
        "c": [0.4, 0.5, 0.1, 0.8],
    }
    result = Comparison(
        curves={("d", "m", s, 0): (y, np.array(p)) for s, p in curves.items()},
        protocol={"seeds": [0]},
    )
    order = ["none + tuned F1", "a", "none", "b", "c"]
    drawn = _distinct_probabilities(result, "d", "m", order)
    assert list(drawn) == ["none (= none + tuned F1)", "a", "b"]
    drawn = _distinct_probabilities(result, "d", "m", ["a", "b", "c", "none"])
    assert list(drawn) == ["a", "b", "c", "none"]
