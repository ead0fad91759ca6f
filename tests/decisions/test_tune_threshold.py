"""``tune_threshold`` and ``DecisionRule``: binary thresholds equal ``best_threshold``
(itself tested against scikit-learn) and their scores scikit-learn's metrics of the
rule's own predictions; the least-cost threshold against a brute-force scan and
Elkan's ``t*``; weights equal repeated rows; multiclass offsets equal
``tune_class_offsets``; multiclass costs equal the Bayes decision; the same rule on
every backend, predictions on the scores' device; clear errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score, precision_score, recall_score

from balancekit.decisions import (
    DecisionRule,
    bayes_decision,
    cost_threshold,
    expected_cost,
    predict_with_offsets,
    tune_class_offsets,
    tune_threshold,
)
from balancekit.metrics import best_threshold


def _binary(seed: int, n: int = 400, prevalence: float = 0.1):
    """Calibrated probabilities of a logistic model and labels drawn from them."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n) * 2 + np.log(prevalence / (1 - prevalence))
    p = 1 / (1 + np.exp(-z))
    y = (rng.random(n) < p).astype(np.int64)
    return y, p


def _mean_cost(y, pred, costs):
    return float(np.mean(np.asarray(costs)[y, pred]))


# -------------------------------------------------------------------- binary
@pytest.mark.parametrize("metric", ["f1", "balanced_accuracy", "mcc", "recall"])
def test_binary_threshold_is_best_threshold(metric):
    y, p = _binary(0)
    rule = tune_threshold(y, p, metric=metric)
    expected = best_threshold(y, p, metric=metric)
    assert rule.kind == "threshold"
    assert rule.metric == metric
    assert rule.threshold == float(expected.threshold)
    assert rule.score == pytest.approx(float(expected.score), abs=1e-15)
    two_columns = tune_threshold(y, np.column_stack([1 - p, p]), metric=metric)
    assert two_columns.threshold == pytest.approx(rule.threshold, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    metric=st.sampled_from(["f1", "precision", "recall"]),
)
def test_binary_score_is_sklearn_metric_of_the_rule(seed, metric):
    y, p = _binary(seed, n=120, prevalence=0.3)
    if y.min() == y.max():
        return
    p = np.round(p, 2)  # ties between scores
    rule = tune_threshold(y, p, metric=metric)
    pred = rule.predict(p)
    oracle = {"f1": f1_score, "precision": precision_score, "recall": recall_score}
    assert rule.score == pytest.approx(
        oracle[metric](y, pred, zero_division=0), abs=1e-12
    )


def test_constraint_is_met_and_best_among_feasible():
    y, p = _binary(1, n=2000)
    rule = tune_threshold(y, p, metric="precision", constraint=("recall", 0.9))
    pred = rule.predict(p)
    assert recall_score(y, pred) >= 0.9
    assert rule.constraint == ("recall", 0.9)
    assert rule.constraint_score == pytest.approx(recall_score(y, pred), abs=1e-12)
    # No feasible threshold gives a better precision.
    positive = y == 1
    for t in np.unique(p):
        cut = p >= t
        tp = np.sum(cut & positive)
        if tp / positive.sum() >= 0.9:
            assert tp / cut.sum() <= rule.score + 1e-12


def test_least_cost_threshold_matches_a_brute_force_scan():
    y, p = _binary(2, n=300)
    p = np.round(p, 2)
    costs = [[0.0, 1.0], [7.0, 0.0]]
    rule = tune_threshold(y, p, cost_matrix=costs)
    candidates = [*np.unique(p), np.inf]
    brute = [_mean_cost(y, (p >= t).astype(int), costs) for t in candidates]
    assert rule.metric == "cost"
    assert rule.cost_matrix == ((0.0, 1.0), (7.0, 0.0))
    assert rule.score == pytest.approx(min(brute), abs=1e-12)
    assert _mean_cost(y, rule.predict(p), costs) == pytest.approx(rule.score)
    # Ties go to the highest cut-off among the minima.
    best = max(t for t, c in zip(candidates, brute, strict=True) if c <= min(brute))
    assert rule.threshold == best


def test_never_positive_wins_when_positives_cost_too_much():
    y = np.array([1, 0, 1, 0, 0])
    p = np.array([0.1, 0.9, 0.2, 0.8, 0.05])  # the top scores are negatives
    rule = tune_threshold(y, p, cost_matrix=[[0, 10], [1, 0]])
    assert rule.threshold == np.inf
    assert rule.score == pytest.approx(2 / 5)
    assert rule.predict(p).sum() == 0


def test_least_cost_threshold_approaches_elkans_t_star_when_calibrated():
    y, p = _binary(4, n=200_000, prevalence=0.2)
    costs = [[0, 1], [4, 0]]
    rule = tune_threshold(y, p, cost_matrix=costs)
    assert rule.threshold == pytest.approx(cost_threshold(costs), abs=0.03)


@pytest.mark.parametrize("kind", ["metric", "cost"])
def test_integer_weights_equal_repeated_rows(kind):
    y, p = _binary(5, n=150, prevalence=0.3)
    w = np.random.default_rng(0).integers(0, 4, size=y.size)
    options = (
        {"metric": "f1"} if kind == "metric" else {"cost_matrix": [[0, 1], [3, 0]]}
    )
    weighted = tune_threshold(y, p, sample_weight=w, **options)
    repeated = tune_threshold(np.repeat(y, w), np.repeat(p, w), **options)
    assert weighted.threshold == repeated.threshold
    assert weighted.score == pytest.approx(repeated.score, abs=1e-12)


# ---------------------------------------------------------------- multiclass
def _multiclass(seed: int, n: int = 300, n_classes: int = 3):
    rng = np.random.default_rng(seed)
    y = np.concatenate(
        [np.arange(n_classes), rng.integers(0, n_classes, n - n_classes)]
    )
    logits = rng.normal(size=(n, n_classes)) + 1.5 * np.eye(n_classes)[y]
    logits[:, 0] += 1.0
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return y, e / e.sum(axis=1, keepdims=True), logits


@pytest.mark.parametrize("metric", ["balanced_accuracy", "macro_f1"])
def test_multiclass_offsets_are_tune_class_offsets(metric):
    y, proba, _ = _multiclass(0)
    rule = tune_threshold(y, proba, metric=metric)
    expected = tune_class_offsets(y, proba, metric=metric)
    assert rule.kind == "offsets"
    np.testing.assert_array_equal(rule.offsets, expected.offsets)
    assert rule.score == float(expected.score)
    np.testing.assert_array_equal(
        rule.predict(proba), predict_with_offsets(proba, expected.offsets)
    )
    assert tune_threshold(y, proba).metric == "macro_f1"  # the multiclass default


def test_multiclass_logits_tune_offsets_on_logits():
    y, _, logits = _multiclass(1)
    rule = tune_threshold(y, logits, logits=True)
    expected = tune_class_offsets(y, logits, metric="macro_f1", logits=True)
    np.testing.assert_array_equal(rule.offsets, expected.offsets)
    assert rule.logits
    np.testing.assert_array_equal(
        rule.predict(logits),
        predict_with_offsets(logits, expected.offsets, logits=True),
    )


def test_multiclass_cost_is_the_bayes_decision():
    y, proba, _ = _multiclass(2)
    costs = np.array([[0, 1, 2], [5, 0, 1], [9, 3, 0]], dtype=float)
    rule = tune_threshold(y, proba, cost_matrix=costs)
    assert rule.kind == "cost"
    np.testing.assert_array_equal(rule.predict(proba), bayes_decision(proba, costs))
    assert rule.score == pytest.approx(
        float(expected_cost(y, bayes_decision(proba, costs), costs)), abs=1e-15
    )


# ------------------------------------------------------------------ backends
@pytest.mark.parametrize("case", ["binary", "multiclass"])
def test_backends_give_the_numpy_rule_and_predict_on_device(backend, case):
    if case == "binary":
        y, p = _binary(6)
    else:
        y, p, _ = _multiclass(3)
    expected = tune_threshold(y, p)
    labels, scores = backend.asarray(y), backend.asarray(p)
    before = backend.to_numpy(scores).copy()
    rule = tune_threshold(labels, scores)
    assert rule == expected or (
        rule.kind == expected.kind
        and np.allclose(rule.offsets, expected.offsets, rtol=0, atol=1e-12)
    )
    pred = rule.predict(scores)
    assert backend.device_of(pred) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(pred), expected.predict(p))
    np.testing.assert_array_equal(backend.to_numpy(scores), before)


def test_rule_pickles_and_predicts_the_same():
    y, p = _binary(7)
    rule = tune_threshold(y, p, metric="precision", constraint=("recall", 0.8))
    again = pickle.loads(pickle.dumps(rule))
    assert again == rule
    np.testing.assert_array_equal(again.predict(p), rule.predict(p))


# -------------------------------------------------------------------- errors
def test_errors_name_the_parameter():
    y, p = _binary(8)
    ym, pm, _ = _multiclass(4)
    with pytest.raises(ValueError, match="either `cost_matrix`"):
        tune_threshold(y, p, metric="f1", cost_matrix=[[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="`constraint` applies to binary"):
        tune_threshold(ym, pm, metric="macro_f1", constraint=("recall", 0.5))
    with pytest.raises(ValueError, match="`metric`"):
        tune_threshold(ym, pm, metric="f1")
    with pytest.raises(ValueError, match="`metric`"):
        tune_threshold(y, p, metric="macro_f1")
    with pytest.raises(ValueError, match="met by no threshold"):
        tune_threshold(y, p, metric="f1", constraint=("precision", 1.1))
    with pytest.raises(ValueError, match="`sample_weight` is not supported"):
        tune_threshold(ym, pm, sample_weight=np.ones(ym.size))
    with pytest.raises(ValueError, match="logits=False"):
        tune_threshold(ym, np.log(pm), logits=True, cost_matrix=1 - np.eye(3))
    with pytest.raises(ValueError, match="same number of samples"):
        tune_threshold(y[:-1], p)
    with pytest.raises(TypeError, match="`y_true`"):
        tune_threshold(y.astype(float), p)
    rule = tune_threshold(y, p)
    with pytest.raises(ValueError, match="tuned for 2"):
        rule.predict(pm)
    with pytest.raises(ValueError, match="needs `offsets`"):
        DecisionRule(kind="offsets", metric="macro_f1", score=0.5)
    with pytest.raises(ValueError, match="`kind`"):
        DecisionRule(kind="vote", metric="f1", score=0.5, threshold=0.5)
