"""Multiclass decision tuning (``tune_class_offsets``, ``predict_with_offsets``):
scikit-learn's metrics as the oracle of every reported score, never worse than the
argmax, coordinate-wise optimal against a brute-force scan, recovery of the
Bayes-optimal offsets (minus log prior) on a simulated prior-shift problem, the same
result on every backend and device, clear errors, inputs left alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import balanced_accuracy_score, f1_score

from balancekit.decisions import (
    OFFSET_METRICS,
    predict_with_offsets,
    tune_class_offsets,
)


def _sk_metric(metric, y, pred, n_classes):
    if metric == "balanced_accuracy":
        return balanced_accuracy_score(y, pred)
    return f1_score(y, pred, labels=np.arange(n_classes), average="macro")


def _problem(seed, n_samples, n_classes):
    """Noisy, miscalibrated probabilities and labels holding every class."""
    rng = np.random.default_rng(seed)
    y = np.concatenate(
        [np.arange(n_classes), rng.integers(0, n_classes, n_samples - n_classes)]
    )
    logits = rng.normal(size=(n_samples, n_classes)) + 1.2 * np.eye(n_classes)[y]
    logits[:, 0] += 1.0  # a majority-biased model
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return y, e / e.sum(axis=1, keepdims=True)


# ------------------------------------------------ never worse, scores are right


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(8, 120),
    n_classes=st.integers(2, 5),
    metric=st.sampled_from(OFFSET_METRICS),
)
def test_never_worse_than_argmax_and_scores_match_scikit_learn(
    seed, n_samples, n_classes, metric
):
    y, proba = _problem(seed, n_samples, n_classes)
    result = tune_class_offsets(y, proba, metric=metric)
    pred = predict_with_offsets(proba, result.offsets)
    oracle = _sk_metric(metric, y, pred, n_classes)
    argmax_oracle = _sk_metric(metric, y, np.argmax(proba, axis=1), n_classes)
    assert float(result.score) == pytest.approx(oracle, rel=0, abs=1e-12)
    assert float(result.argmax_score) == pytest.approx(argmax_oracle, rel=0, abs=1e-12)
    assert float(result.score) >= float(result.argmax_score)


@pytest.mark.parametrize("metric", OFFSET_METRICS)
def test_improves_a_majority_biased_model(metric):
    y, proba = _problem(0, 2000, 4)
    result = tune_class_offsets(y, proba, metric=metric)
    # The +1 logit bias of class 0 costs the argmax several points (about 0.1 of
    # balanced accuracy here); undoing it on 2,000 samples gains far more than the
    # 0.02 asked.
    assert float(result.score) > float(result.argmax_score) + 0.02
    assert float(result.offsets[0]) < float(np.mean(result.offsets[1:]))


@pytest.mark.parametrize("metric", OFFSET_METRICS)
@pytest.mark.parametrize("seed", range(3))
def test_result_is_coordinatewise_optimal_by_brute_force(metric, seed):
    # Converged (n_iter < max_iter): no single offset change may beat the score.
    # Brute force: every distinct cut-off's neighbours, scored by scikit-learn.
    n_classes = 3
    y, proba = _problem(seed, 60, n_classes)
    result = tune_class_offsets(y, proba, metric=metric, max_iter=50)
    assert result.n_iter < 50
    offsets = np.asarray(result.offsets)
    log_p = np.log(proba)
    for c in range(n_classes):
        others = np.delete(log_p + offsets, c, axis=1)
        cutoffs = np.unique(others.max(axis=1) - log_p[:, c])
        candidates = np.concatenate(
            [cutoffs - 1e-7, cutoffs + 1e-7, [cutoffs[0] - 1, cutoffs[-1] + 1]]
        )
        for b in candidates:
            trial = offsets.copy()
            trial[c] = b
            pred = np.argmax(log_p + trial, axis=1)
            value = _sk_metric(metric, y, pred, n_classes)
            assert value <= float(result.score) + 1e-12, (c, b)


def test_deterministic_and_binary_1d_equals_two_columns():
    y, proba = _problem(4, 300, 3)
    first, second = tune_class_offsets(y, proba), tune_class_offsets(y, proba)
    np.testing.assert_array_equal(first.offsets, second.offsets)
    y2, proba2 = _problem(5, 300, 2)
    one_d = tune_class_offsets(y2, proba2[:, 1])
    two_d = tune_class_offsets(y2, proba2)
    np.testing.assert_allclose(one_d.offsets, two_d.offsets, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        predict_with_offsets(proba2[:, 1], one_d.offsets),
        predict_with_offsets(proba2, two_d.offsets),
    )


def test_logits_give_the_decisions_of_their_probabilities():
    y, proba = _problem(6, 400, 3)
    logits = np.log(proba) + 2.0  # a per-sample constant does not change argmax
    from_logits = tune_class_offsets(y, logits, logits=True)
    from_proba = tune_class_offsets(y, proba)
    assert float(from_logits.score) == pytest.approx(float(from_proba.score), abs=1e-12)
    np.testing.assert_array_equal(
        predict_with_offsets(logits, from_logits.offsets, logits=True),
        predict_with_offsets(proba, from_proba.offsets),
    )


# ------------------------------------------------------ Bayes-optimal recovery

MEANS = np.array([[1.5, 0.0], [0.0, 1.5], [0.0, 0.0]])


def _posterior(X, prior):
    log_lik = -0.5 * ((X[:, None, :] - MEANS[None]) ** 2).sum(-1) + np.log(prior)
    e = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# Prior shift: three unit-variance Gaussian classes with prior (0.6, 0.3, 0.1) and
# their exact (calibrated) posteriors. Balanced accuracy is the accuracy under the
# uniform prior, so its Bayes rule is argmax p_j / prior_j: offsets -log(prior_j), up
# to a constant. Tuned on 20,000 samples, the centred offsets' largest error was
# measured over seeds 0-29: mean 0.073, standard deviation 0.038, maximum 0.20. The
# tolerance 0.3 is the mean plus 6 standard deviations; the target offsets span 1.8
# and the untuned argmax (zero offsets) is 0.96 away, so a tuner that does not move,
# or moves the wrong way, fails.
OFFSET_TOL = 0.3


@pytest.mark.parametrize("seed", range(3))
def test_recovers_the_bayes_offsets_under_prior_shift(seed):
    prior = np.array([0.6, 0.3, 0.1])
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=20_000, p=prior)
    X = rng.normal(size=(y.shape[0], 2)) + MEANS[y]
    result = tune_class_offsets(y, _posterior(X, prior), metric="balanced_accuracy")
    offsets = np.asarray(result.offsets)
    target = -np.log(prior)
    error = (offsets - offsets.mean()) - (target - target.mean())
    assert np.max(np.abs(error)) < OFFSET_TOL


# -------------------------------------------------------------------- backends


@pytest.mark.parametrize("metric", OFFSET_METRICS)
def test_backends_give_the_numpy_results_on_device(backend, metric):
    y, proba = _problem(8, 250, 4)
    expected = tune_class_offsets(y, proba, metric=metric)
    x, labels = backend.asarray(proba), backend.asarray(y)
    before = backend.to_numpy(x).copy()
    got = tune_class_offsets(labels, x, metric=metric)
    for field in (got.offsets, got.score, got.argmax_score):
        assert backend.device_of(field) == backend.device
    np.testing.assert_allclose(
        backend.to_numpy(got.offsets), expected.offsets, rtol=0, atol=1e-12
    )
    assert float(backend.to_numpy(got.score)) == pytest.approx(
        float(expected.score), abs=1e-12
    )
    pred = predict_with_offsets(x, got.offsets)
    assert backend.device_of(pred) == backend.device
    np.testing.assert_array_equal(
        backend.to_numpy(pred), predict_with_offsets(proba, expected.offsets)
    )
    np.testing.assert_array_equal(backend.to_numpy(x), before)


# ---------------------------------------------------------------------- errors


def test_inputs_are_not_modified():
    y, proba = _problem(9, 100, 3)
    copies = (y.copy(), proba.copy())
    result = tune_class_offsets(y, proba)
    offsets = np.asarray(result.offsets).copy()
    predict_with_offsets(proba, offsets)
    np.testing.assert_array_equal(y, copies[0])
    np.testing.assert_array_equal(proba, copies[1])
    np.testing.assert_array_equal(result.offsets, offsets)


def test_bad_input_is_refused():
    y, proba = _problem(10, 50, 3)
    with pytest.raises(ValueError, match="metric"):
        tune_class_offsets(y, proba, metric="accuracy")
    with pytest.raises(ValueError, match="lacks some"):
        tune_class_offsets(np.zeros(50, dtype=np.int64), proba)
    with pytest.raises(ValueError, match="same number of samples"):
        tune_class_offsets(y[:40], proba)
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        tune_class_offsets(y + 1, proba)
    with pytest.raises(TypeError, match="integer class indices"):
        tune_class_offsets(y.astype(np.float64), proba)
    with pytest.raises(ValueError, match="max_iter"):
        tune_class_offsets(y, proba, max_iter=0)
    with pytest.raises(ValueError, match="sum to 1"):
        tune_class_offsets(y, proba * 0.5)
    with pytest.raises(ValueError, match="3 finite numbers"):
        predict_with_offsets(proba, [0.0, 1.0])
    with pytest.raises(ValueError, match="3 finite numbers"):
        predict_with_offsets(proba, [0.0, np.nan, 1.0])
