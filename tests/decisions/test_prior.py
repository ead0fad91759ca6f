"""Prior-shift correction (``correct_prior``) and test-prior estimation
(``estimate_prior``): statistical recovery on simulated data, exact algebraic
properties, slow reference formulas, backends and devices, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from balancekit.decisions import PriorEstimate, correct_prior, estimate_prior
from balancekit.over_sampling import RandomOverSampler

# --------------------------------------------------------------------------------------
# Simulated Gaussian problems with a known prior
# --------------------------------------------------------------------------------------

TWO_CLASS_MEANS = np.array([[1.0, 1.0], [0.0, 0.0]])
THREE_CLASS_MEANS = np.array([[1.5, 0.0], [0.0, 1.5], [0.0, 0.0]])


def _sample(rng, n, prior, means):
    """``n`` draws of a Gaussian mixture (unit covariance) whose class prior is
    ``prior``; labels drawn at random."""
    y = rng.choice(len(prior), size=n, p=prior)
    return rng.normal(size=(n, means.shape[1])) + means[y], y


def _sample_exact(rng, n, prior, means):
    """As ``_sample`` but with exactly ``prior * n`` samples per class: the planted
    prior holds without binomial noise."""
    y = rng.permutation(
        np.repeat(np.arange(len(prior)), np.round(np.array(prior) * n).astype(np.int64))
    )
    y = y.astype(np.int64)
    return rng.normal(size=(y.shape[0], means.shape[1])) + means[y], y


def _brier(proba, y):
    """Multiclass Brier score: mean squared distance to the one-hot labels."""
    one_hot = np.eye(proba.shape[1])[y]
    return float(np.mean(np.sum((proba - one_hot) ** 2, axis=1)))


# Tolerance of the resampling-inversion test. Measured with this very setup over seeds
# 0-29 (4,000 training rows, 50,000 test rows): the paired difference
# Brier(corrected oversampled model) - Brier(model fit on the original data) had mean
# -7e-6 / -5e-6 and standard deviation 2.6e-4 / 2.0e-4 (2 / 3 classes), at most
# 7.8e-4 in absolute value; the seed-to-seed spread of the Brier score itself was
# 1.7e-3 / 1.8e-3. The tolerance 1e-3 is about 4-5 paired standard deviations and
# 0.6 of the Brier score's own spread: "equal within noise". The uncorrected
# oversampled model is worse by 0.084 to 0.200 on every seed, 80x the tolerance or
# more, so a missing or reversed correction fails.
BRIER_TOL = 1e-3


@pytest.mark.parametrize(
    ("prior", "means"),
    [((0.1, 0.9), TWO_CLASS_MEANS), ((0.1, 0.3, 0.6), THREE_CLASS_MEANS)],
    ids=["2-class", "3-class"],
)
@pytest.mark.parametrize("seed", range(4))
def test_correct_prior_inverts_random_oversampling(prior, means, seed):
    rng = np.random.default_rng(seed)
    prior = np.array(prior)
    n_classes = len(prior)
    X, y = _sample(rng, 4000, prior, means)
    X_test, y_test = _sample(rng, 50_000, prior, means)
    original = LogisticRegression().fit(X, y)
    X_over, y_over = RandomOverSampler(random_state=seed).fit_resample(X, y)
    assert np.all(np.bincount(y_over) == np.bincount(y_over)[0])  # balanced
    oversampled = LogisticRegression().fit(X_over, y_over)

    balanced = np.full(n_classes, 1 / n_classes)
    corrected = correct_prior(oversampled.predict_proba(X_test), balanced, prior)

    reference = _brier(original.predict_proba(X_test), y_test)
    uncorrected = _brier(oversampled.predict_proba(X_test), y_test)
    assert abs(_brier(corrected, y_test) - reference) < BRIER_TOL
    assert uncorrected - reference > 50 * BRIER_TOL
    # Counts work as priors: the resampled counts and the original ones.
    by_counts = correct_prior(
        oversampled.predict_proba(X_test), np.bincount(y_over), np.bincount(y)
    )
    empirical = np.bincount(y) / y.shape[0]
    np.testing.assert_allclose(
        by_counts,
        correct_prior(oversampled.predict_proba(X_test), balanced, empirical),
        rtol=0,
        atol=1e-12,
    )


# Planted-prior recovery. Training and validation sets follow `train`, the test set
# has exactly the planted prior (20,000 rows each). Over 50 seeds the largest error
# (max over classes) was 0.0063 (EM) and 0.0075 (BBSE) for 2 classes, 0.0066 and
# 0.0105 for 3 classes: the 0.02 holds with a margin of 2 or more.
PLANTED = [
    ((0.5, 0.5), (0.3, 0.7), np.array([[2.5, 0.0], [0.0, 0.0]])),
    ((0.4, 0.3, 0.3), (0.2, 0.3, 0.5), np.array([[3.0, 0.0], [0.0, 3.0], [0.0, 0.0]])),
]


@pytest.mark.parametrize(
    ("train", "test", "means"), PLANTED, ids=["2-class", "3-class"]
)
@pytest.mark.parametrize("seed", range(3))
def test_em_and_bbse_recover_a_planted_test_prior(train, test, means, seed):
    rng = np.random.default_rng(seed)
    X, y = _sample_exact(rng, 20_000, train, means)
    X_val, y_val = _sample_exact(rng, 20_000, train, means)
    X_test, _ = _sample_exact(rng, 20_000, test, means)
    model = LogisticRegression().fit(X, y)  # well specified: calibrated
    proba = model.predict_proba(X_test)

    em = estimate_prior(proba, train)
    bbse = estimate_prior(
        proba,
        train,
        method="bbse",
        y_val=y_val,
        proba_val=model.predict_proba(X_val),
    )
    assert em.converged
    assert em.method == "em"
    assert bbse.method == "bbse"
    np.testing.assert_allclose(em.prior, test, rtol=0, atol=0.02)
    np.testing.assert_allclose(bbse.prior, test, rtol=0, atol=0.02)
    # The training prior itself is far off: the estimators moved.
    assert np.max(np.abs(np.array(train) - test)) > 0.09
    # BBSE's confusion matrix is the joint distribution on the validation set.
    assert bbse.confusion.shape == (len(train), len(train))
    np.testing.assert_allclose(bbse.confusion.sum(axis=0), train, atol=1e-12)
    # Binary 1-D input gives the same estimate as its two columns.
    if len(train) == 2:
        em_1d = estimate_prior(proba[:, 1], train)
        np.testing.assert_allclose(em_1d.prior, em.prior, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------
# Slow references
# --------------------------------------------------------------------------------------


def _reference_correct(proba, train, target, tau=1.0):
    """Bayes' rule sample by sample: p'(c) = p(c) w_c / sum_k p(k) w_k."""
    train = np.asarray(train, float) / np.sum(train)
    target = np.asarray(target, float) / np.sum(target)
    out = np.empty_like(proba)
    for i, row in enumerate(proba):
        numerators = [row[c] * (target[c] / train[c]) ** tau for c in range(len(row))]
        out[i] = np.array(numerators) / sum(numerators)
    return out


def _reference_em(proba, train, tol, max_iter):
    """Saerens et al. (2002), written out with loops."""
    train = np.asarray(train, float)
    prior = train.copy()
    for _ in range(max_iter):
        posteriors = []
        for row in proba:
            scaled = row * prior / train
            posteriors.append(scaled / scaled.sum())
        new = np.mean(posteriors, axis=0)
        done = np.max(np.abs(new - prior)) <= tol
        prior = new
        if done:
            break
    return prior


def _reference_bbse(proba, proba_val, y_val):
    """Lipton et al. (2018) with NumPy's least squares."""
    k = proba.shape[1]
    confusion = np.zeros((k, k))
    for predicted, label in zip(np.argmax(proba_val, axis=1), y_val, strict=True):
        confusion[predicted, label] += 1 / len(y_val)
    mu = np.bincount(np.argmax(proba, axis=1), minlength=k) / len(proba)
    w = np.linalg.lstsq(confusion, mu, rcond=None)[0]
    prior = np.maximum(w * confusion.sum(axis=0), 0)
    return prior / prior.sum()


def _random_proba(rng, n, k, *, zeros=False):
    logits = rng.normal(scale=3, size=(n, k))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if zeros:
        proba[::3, 0] = 0
        proba /= proba.sum(axis=1, keepdims=True)
    return proba


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("tau", [1.0, 0.5, 2.0])
def test_correct_prior_matches_the_reference(k, tau):
    rng = np.random.default_rng(k)
    proba = _random_proba(rng, 50, k, zeros=True)
    train, target = rng.uniform(0.1, 1, k), rng.uniform(0.1, 1, k)
    train, target = train / train.sum(), target / target.sum()
    got = correct_prior(proba, train, target, tau=tau)
    np.testing.assert_allclose(
        got, _reference_correct(proba, train, target, tau), rtol=0, atol=1e-12
    )
    assert np.all(got[::3, 0] == 0)  # a probability of exactly 0 stays 0
    np.testing.assert_allclose(got.sum(axis=1), 1, rtol=0, atol=1e-12)


def test_probabilities_of_exactly_zero_and_one_stay():
    proba = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(correct_prior(proba, [0.5, 0.5], [0.01, 0.99]), proba)
    binary = np.array([0.0, 1.0, 0.5])
    got = correct_prior(binary, [0.5, 0.5], [0.01, 0.99])
    assert got[0] == 0
    assert got[1] == 1
    assert got[2] == pytest.approx(0.99, abs=1e-15)


def test_extreme_priors_stay_finite():
    proba = _random_proba(np.random.default_rng(0), 20, 3)
    train = [1e-300, 0.5, 0.5 - 1e-300]
    got = correct_prior(proba, train, [0.5, 1e-300, 0.5 - 1e-300])
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got.sum(axis=1), 1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got[:, 0], 1, rtol=0, atol=1e-12)  # 1e300x favoured


def test_em_matches_the_reference():
    rng = np.random.default_rng(1)
    proba = _random_proba(rng, 200, 3)
    result = estimate_prior(proba, [0.2, 0.3, 0.5], tol=1e-10, max_iter=500)
    expected = _reference_em(proba, [0.2, 0.3, 0.5], 1e-10, 500)
    np.testing.assert_allclose(result.prior, expected, rtol=0, atol=1e-12)
    assert result.converged
    assert 1 < result.n_iter < 500
    assert result.confusion is None


@pytest.mark.parametrize("singular", [False, True], ids=["regular", "singular"])
def test_bbse_matches_the_reference(singular):
    rng = np.random.default_rng(2)
    proba, proba_val = _random_proba(rng, 300, 3), _random_proba(rng, 400, 3)
    y_val = rng.integers(0, 3, 400)
    y_val[np.argmax(proba_val, axis=1) == 0] = 0  # predictions informative
    if singular:  # class 2 is never predicted: C has a zero row
        proba_val[:, 1] += proba_val[:, 2]
        proba_val[:, 2] = 0
        proba[:, 1] += proba[:, 2]
        proba[:, 2] = 0
    result = estimate_prior(
        proba, [1, 1, 1], method="bbse", y_val=y_val, proba_val=proba_val
    )
    expected = _reference_bbse(proba, proba_val, y_val)
    np.testing.assert_allclose(result.prior, expected, rtol=0, atol=1e-12)
    assert result.n_iter is None
    assert result.converged


# --------------------------------------------------------------------------------------
# Exact properties (hypothesis)
# --------------------------------------------------------------------------------------


@st.composite
def _logits_and_priors(draw, n_priors=3):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, 12))
    logits = draw(
        arrays(np.float64, (n, k), elements=st.floats(-20, 20, allow_nan=False))
    )
    priors = [
        draw(arrays(np.float64, (k,), elements=st.floats(0.01, 1)))
        for _ in range(n_priors)
    ]
    return logits, [p / p.sum() for p in priors]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


_HYPOTHESIS = settings(max_examples=40, deadline=None)


@_HYPOTHESIS
@given(_logits_and_priors())
def test_identity_when_the_priors_agree(case):
    logits, (prior, _, _) = case
    proba = _softmax(logits)
    np.testing.assert_allclose(
        correct_prior(proba, prior, prior), proba, rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(
        correct_prior(logits, prior, prior, logits=True), logits
    )


@_HYPOTHESIS
@given(_logits_and_priors())
def test_tau_zero_is_the_identity(case):
    logits, (a, b, _) = case
    proba = _softmax(logits)
    np.testing.assert_allclose(correct_prior(proba, a, b, tau=0), proba, atol=1e-12)


@_HYPOTHESIS
@given(_logits_and_priors())
def test_corrections_compose(case):
    logits, (a, b, c) = case
    proba = _softmax(logits)
    two_steps = correct_prior(correct_prior(proba, a, b), b, c)
    np.testing.assert_allclose(two_steps, correct_prior(proba, a, c), atol=1e-12)
    back = correct_prior(correct_prior(proba, a, b), b, a)
    np.testing.assert_allclose(back, proba, rtol=0, atol=1e-12)


@_HYPOTHESIS
@given(_logits_and_priors(), st.sampled_from([0.5, 1.0, 1.5]))
def test_logit_adjustment_equals_the_probability_correction(case, tau):
    logits, (a, b, _) = case
    adjusted = correct_prior(logits, a, b, logits=True, tau=tau)
    np.testing.assert_allclose(
        adjusted, logits - tau * np.log(a) + tau * np.log(b), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        _softmax(adjusted),
        correct_prior(_softmax(logits), a, b, tau=tau),
        rtol=0,
        atol=1e-12,
    )


@_HYPOTHESIS
@given(
    arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 1)),
    st.floats(0.01, 0.99),
    st.floats(0.01, 0.99),
)
def test_binary_1d_equals_2d(positive, train, target):
    train_prior, target_prior = [1 - train, train], [1 - target, target]
    one_d = correct_prior(positive, train_prior, target_prior)
    two_d = correct_prior(
        np.stack([1 - positive, positive], axis=1), train_prior, target_prior
    )
    assert one_d.shape == positive.shape
    np.testing.assert_allclose(one_d, two_d[:, 1], rtol=0, atol=1e-12)
    # 1-D logits are the positive class's log-odds (kept finite by the clip).
    inner = np.clip(positive, 1e-9, 1 - 1e-9)
    log_odds = np.log(inner) - np.log1p(-inner)
    adjusted = correct_prior(log_odds, train_prior, target_prior, logits=True)
    np.testing.assert_allclose(
        1 / (1 + np.exp(-adjusted)),
        correct_prior(inner, train_prior, target_prior),
        rtol=0,
        atol=1e-12,
    )


def test_counts_and_proportions_agree():
    proba = _random_proba(np.random.default_rng(3), 10, 3)
    np.testing.assert_array_equal(
        correct_prior(proba, [100, 300, 600], [5, 5, 10]),
        correct_prior(proba, [0.1, 0.3, 0.6], [0.25, 0.25, 0.5]),
    )


def test_float32_stays_float32():
    proba = _random_proba(np.random.default_rng(4), 10, 3).astype(np.float32)
    got = correct_prior(proba, [0.2, 0.3, 0.5], [0.5, 0.3, 0.2])
    assert got.dtype == np.float32
    expected = _reference_correct(
        proba.astype(np.float64), [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert correct_prior(proba, [1, 1, 1], [1, 2, 1], logits=True).dtype == np.float32


def test_lists_and_integer_input_are_accepted():
    got = correct_prior([[1, 0], [0, 1]], [0.5, 0.5], [0.2, 0.8])
    np.testing.assert_array_equal(got, [[1.0, 0.0], [0.0, 1.0]])
    assert got.dtype == np.float64


# --------------------------------------------------------------------------------------
# Backends and devices
# --------------------------------------------------------------------------------------


def test_backends_give_the_numpy_results_on_device(backend):
    rng = np.random.default_rng(5)
    proba = _random_proba(rng, 60, 3, zeros=True)
    proba_val = _random_proba(rng, 80, 3)
    y_val = rng.integers(0, 3, 80)
    train, target = [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]
    train_on_device = backend.asarray(np.array(train))  # a prior on the device too

    cases = {
        "2-D": (correct_prior, (proba, train, target), {}),
        "1-D": (correct_prior, (proba[:, 0], [0.4, 0.6], [0.7, 0.3]), {}),
        "logits": (
            correct_prior,
            (np.log(proba + 0.1), train, target),
            {"logits": True},
        ),
    }
    for name, (function, (scores, *priors), kwargs) in cases.items():
        x = backend.asarray(scores)
        before = backend.to_numpy(x).copy()
        got = function(x, *priors, **kwargs)
        assert backend.device_of(got) == backend.device, name
        np.testing.assert_allclose(
            backend.to_numpy(got),
            function(scores, *priors, **kwargs),
            rtol=0,
            atol=1e-12,
            err_msg=name,
        )
        np.testing.assert_array_equal(backend.to_numpy(x), before)

    em = estimate_prior(backend.asarray(proba), train_on_device)
    assert backend.device_of(em.prior) == backend.device
    np.testing.assert_allclose(
        backend.to_numpy(em.prior), estimate_prior(proba, train).prior, atol=1e-12
    )
    bbse = estimate_prior(
        backend.asarray(proba),
        train,
        method="bbse",
        y_val=backend.asarray(y_val),
        proba_val=backend.asarray(proba_val),
    )
    expected = estimate_prior(
        proba, train, method="bbse", y_val=y_val, proba_val=proba_val
    )
    assert backend.device_of(bbse.prior) == backend.device
    assert backend.device_of(bbse.confusion) == backend.device
    np.testing.assert_allclose(backend.to_numpy(bbse.prior), expected.prior, atol=1e-12)
    np.testing.assert_allclose(
        backend.to_numpy(bbse.confusion), expected.confusion, rtol=0, atol=1e-15
    )


# --------------------------------------------------------------------------------------
# Input left alone, errors
# --------------------------------------------------------------------------------------


def test_inputs_are_not_modified():
    rng = np.random.default_rng(6)
    proba, proba_val = _random_proba(rng, 30, 3), _random_proba(rng, 30, 3)
    y_val = np.arange(30) % 3
    train, target = np.array([2.0, 3.0, 5.0]), np.array([0.5, 0.3, 0.2])
    inputs = (proba, proba_val, y_val, train, target)
    copies = [a.copy() for a in inputs]
    correct_prior(proba, train, target)
    correct_prior(proba, train, target, logits=True)
    estimate_prior(proba, train)
    estimate_prior(proba, train, method="bbse", y_val=y_val, proba_val=proba_val)
    for original, copy in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(original, copy)


PROBA = np.array([[0.2, 0.8], [0.6, 0.4]])


@pytest.mark.parametrize(
    ("train", "error", "match"),
    [
        ([0.2, 0.3, 0.5], ValueError, r"`train_prior` has 3 entries but .* 2 classes"),
        ([1.2, -0.2], ValueError, r"`train_prior` must be positive"),
        ([0.0, 1.0], ValueError, r"`train_prior` must be positive"),
        ([0.5, 0.6], ValueError, r"summing to 1 or class counts .* sum to 1\.1"),
        ([np.nan, 0.5], ValueError, r"`train_prior` contains NaN"),
        ([[0.5, 0.5]], ValueError, r"`train_prior` must be 1-D"),
        (["a", "b"], TypeError, r"`train_prior` must be a sequence .* of numbers"),
    ],
)
def test_bad_priors_are_refused(train, error, match):
    with pytest.raises(error, match=match):
        correct_prior(PROBA, train, [0.5, 0.5])
    with pytest.raises(error, match=match.replace("train_prior", "target_prior")):
        correct_prior(PROBA, [0.5, 0.5], train)
    with pytest.raises(error, match=match):
        estimate_prior(PROBA, train)


@pytest.mark.parametrize(
    ("proba", "kwargs", "error", "match"),
    [
        ([[0.2, 0.7], [0.5, 0.5]], {}, ValueError, r"Every row of `proba` must sum"),
        ([[1.2, -0.2]], {}, ValueError, r"probabilities in \[0, 1\].*logits=True"),
        ([1.5, 0.2], {}, ValueError, r"probabilities in \[0, 1\]"),
        ([[np.nan, 1.0]], {}, ValueError, r"`proba` contains NaN"),
        ([[np.inf, 1.0]], {"logits": True}, ValueError, r"`proba` contains NaN or inf"),
        (np.zeros((2, 2, 2)), {}, ValueError, r"`proba` must have shape"),
        (np.zeros((0, 2)), {}, ValueError, r"`proba` is empty"),
        ([[1.0], [1.0]], {}, ValueError, r"at least 2 columns"),
        (["a", "b"], {}, TypeError, r"`proba` must hold real numbers"),
        (PROBA, {"tau": -1.0}, ValueError, r"`tau` must be >= 0"),
        (PROBA, {"logits": "yes"}, TypeError, r"`logits` must be True or False"),
    ],
)
def test_bad_scores_are_refused(proba, kwargs, error, match):
    with pytest.raises(error, match=match):
        correct_prior(np.asarray(proba), [0.5, 0.5], [0.5, 0.5], **kwargs)


def test_bad_estimation_calls_are_refused():
    y_val = np.array([0, 1])
    with pytest.raises(ValueError, match=r"`method` must be one of 'em', 'bbse'"):
        estimate_prior(PROBA, [0.5, 0.5], method="bsse")
    with pytest.raises(ValueError, match=r"needs a labelled validation set"):
        estimate_prior(PROBA, [0.5, 0.5], method="bbse", y_val=y_val)
    with pytest.raises(ValueError, match=r"used by method='bbse' only"):
        estimate_prior(PROBA, [0.5, 0.5], y_val=y_val, proba_val=PROBA)
    with pytest.raises(ValueError, match=r"`max_iter` must be >= 1"):
        estimate_prior(PROBA, [0.5, 0.5], max_iter=0)
    with pytest.raises(ValueError, match=r"`tol` must be > 0"):
        estimate_prior(PROBA, [0.5, 0.5], tol=0.0)
    bbse = {"method": "bbse", "proba_val": PROBA}
    with pytest.raises(
        ValueError, match=r"class indices in \[0, 1\] .*got values in \[0, 2\]"
    ):
        estimate_prior(PROBA, [0.5, 0.5], y_val=np.array([0, 2]), **bbse)
    with pytest.raises(ValueError, match=r"no sample of class\(es\) \[1\]"):
        estimate_prior(PROBA, [0.5, 0.5], y_val=np.array([0, 0]), **bbse)
    with pytest.raises(TypeError, match=r"integer class indices"):
        estimate_prior(PROBA, [0.5, 0.5], y_val=np.array([0.0, 1.0]), **bbse)
    with pytest.raises(ValueError, match=r"`y_val` has 3 labels but `proba_val` has 2"):
        estimate_prior(PROBA, [0.5, 0.5], y_val=np.array([0, 1, 1]), **bbse)
    with pytest.raises(ValueError, match=r"`proba_val` must have the layout"):
        estimate_prior(
            PROBA, [0.5, 0.5], method="bbse", y_val=y_val, proba_val=PROBA[:, 1]
        )


def test_em_warns_when_it_does_not_converge():
    proba = _random_proba(np.random.default_rng(7), 100, 3)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in 1 iter"):
        result = estimate_prior(proba, [0.1, 0.1, 0.8], max_iter=1)
    assert not result.converged
    assert result.n_iter == 1
    assert isinstance(result, PriorEstimate)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert estimate_prior(proba, [0.1, 0.1, 0.8]).converged


def test_logit_adjustment_keeps_the_autograd_graph():
    torch = pytest.importorskip("torch")
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.5]], dtype=torch.float64)
    logits.requires_grad_(True)
    adjusted = correct_prior(logits, [0.5, 0.5], [0.9, 0.1], logits=True)
    assert adjusted.requires_grad
    adjusted.sum().backward()
    np.testing.assert_array_equal(logits.grad.numpy(), np.ones((2, 2)))
