"""best_threshold against a brute force over every threshold with sklearn's metrics."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn import metrics as sk

from balancekit.metrics._thresholds import THRESHOLD_METRICS, best_threshold

BETA = 2.0


def sklearn_metric(name, y, y_pred, w):
    kw = {"sample_weight": w}
    if name == "f1":
        return sk.f1_score(y, y_pred, **kw)
    if name == "fbeta":
        return sk.fbeta_score(y, y_pred, beta=BETA, **kw)
    if name == "precision":
        return sk.precision_score(y, y_pred, zero_division=0, **kw)
    if name == "recall":
        return sk.recall_score(y, y_pred, **kw)
    if name == "specificity":
        return sk.recall_score(y, y_pred, pos_label=0, **kw)
    if name == "balanced_accuracy":
        return sk.balanced_accuracy_score(y, y_pred, **kw)
    if name == "youden":
        return sk.balanced_accuracy_score(y, y_pred, adjusted=True, **kw)
    if name == "geometric_mean":
        return geometric_mean_score(y, y_pred, **kw)
    if name == "mcc":
        # Weighted, sklearn's variance of an all-positive y_pred can round below 0
        # and give NaN where the definition (zero_division) gives 0.
        with np.errstate(invalid="ignore"):
            return np.nan_to_num(sk.matthews_corrcoef(y, y_pred, **kw))
    raise AssertionError(name)


def brute_force(y, score, w, metric, constraint=None):
    """(best value, highest threshold reaching it) over every distinct score."""
    thresholds = np.unique(score if w is None else score[w > 0])[::-1]
    values = np.array(
        [sklearn_metric(metric, y, (score >= t).astype(int), w) for t in thresholds]
    )
    if constraint is not None:
        name, minimum = constraint
        bound = np.array(
            [sklearn_metric(name, y, (score >= t).astype(int), w) for t in thresholds]
        )
        values = np.where(bound >= minimum - 1e-12, values, -np.inf)
    best = values.max()
    return best, thresholds[np.flatnonzero(values >= best - 1e-12)[0]]


def case(seed, weights=False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    y = rng.permutation(np.r_[0, 1, rng.integers(0, 2, n - 2)])
    score = np.round(rng.random(n) * 0.6 + 0.4 * y, int(rng.integers(1, 3)))
    w = None
    if weights:
        w = rng.random(n) * 2 + 0.05
        w[rng.random(n) < 0.15] = 0.0
    return y, score, w


@pytest.mark.parametrize("metric", THRESHOLD_METRICS)
@pytest.mark.parametrize("weights", [False, True])
def test_equals_brute_force(metric, weights):
    for seed in range(12):
        y, score, w = case(seed, weights)
        if w is not None and (w[y == 0].sum() == 0 or w[y == 1].sum() == 0):
            continue
        result = best_threshold(y, score, metric=metric, beta=BETA, sample_weight=w)
        best, threshold = brute_force(y, score, w, metric)
        np.testing.assert_allclose(float(result.score), best, rtol=1e-12, atol=1e-14)
        assert float(result.threshold) == threshold
        assert result.constraint_score is None


@pytest.mark.parametrize(
    ("metric", "constraint"),
    [
        ("precision", ("recall", 0.8)),
        ("recall", ("precision", 0.75)),
        ("f1", ("specificity", 0.5)),
        ("specificity", ("recall", 0.95)),
        ("mcc", ("geometric_mean", 0.6)),
    ],
)
def test_constraint_equals_brute_force(metric, constraint):
    checked = 0
    for seed in range(15):
        y, score, w = case(seed)
        try:
            best, threshold = brute_force(y, score, w, metric, constraint)
        except ValueError:
            continue
        if not np.isfinite(best):
            with pytest.raises(ValueError, match="is met by no threshold"):
                best_threshold(y, score, metric=metric, constraint=constraint)
            continue
        result = best_threshold(y, score, metric=metric, constraint=constraint)
        np.testing.assert_allclose(float(result.score), best, rtol=1e-12, atol=1e-14)
        assert float(result.threshold) == threshold
        assert float(result.constraint_score) >= constraint[1]
        checked += 1
    assert checked >= 5


def test_tie_break_picks_the_highest_threshold():
    # Thresholds 0.9 and 0.5 both give recall 1.0; 0.9 is chosen.
    y, score = np.array([0, 1, 0, 0]), np.array([0.1, 0.9, 0.5, 0.2])
    assert float(best_threshold(y, score, metric="recall").threshold) == 0.9


def test_pos_label_and_string_labels():
    y = np.array(["no", "yes", "yes", "no", "yes"])
    score = np.array([0.2, 0.9, 0.4, 0.5, 0.7])
    result = best_threshold(y, score, metric="f1", pos_label="yes")
    y01 = (y == "yes").astype(int)
    np.testing.assert_allclose(
        float(result.score), best_threshold(y01, score, metric="f1").score
    )


def test_infeasible_constraint_is_a_clear_error():
    y, score = np.array([0, 1, 0, 1]), np.array([0.8, 0.1, 0.7, 0.2])
    with pytest.raises(ValueError, match=r"precision >= 0.9 is met by no threshold"):
        best_threshold(y, score, metric="recall", constraint=("precision", 0.9))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metric": "accuracy"}, ValueError, "`metric` must be one of"),
        ({"constraint": ("recal", 0.5)}, ValueError, r"`constraint\[0\]` must be one"),
        ({"constraint": "recall"}, ValueError, "`constraint` must be a pair"),
        ({"constraint": ("recall", "high")}, TypeError, r"`constraint\[1\]`"),
        ({"beta": 0}, ValueError, "`beta` must be > 0"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        best_threshold([0, 1, 1], [0.1, 0.5, 0.7], **kwargs)


def test_bad_input():
    with pytest.raises(ValueError, match="single class"):
        best_threshold([1, 1, 1], [0.1, 0.5, 0.7])
    with pytest.raises(ValueError, match="`y_score` contains NaN"):
        best_threshold([0, 1, 1], [0.1, np.nan, 0.7])
    with pytest.raises(ValueError, match="different lengths"):
        best_threshold([0, 1], [0.1, 0.5, 0.7])
    with pytest.raises(ValueError, match="`y_true` is empty"):
        best_threshold([], [])


@pytest.mark.parametrize("weighted", [False, True])
def test_every_backend_keeps_the_device(backend, weighted):
    y, score, w = case(4, weights=weighted)
    expected = best_threshold(
        y, score, metric="mcc", constraint=("recall", 0.5), sample_weight=w
    )
    put = backend.asarray
    ours = best_threshold(
        put(y),
        put(score),
        metric="mcc",
        constraint=("recall", 0.5),
        sample_weight=None if w is None else put(w),
    )
    for out, want in zip(ours, expected, strict=True):
        assert backend.device_of(out) == backend.device
        assert out.shape == ()
        np.testing.assert_allclose(backend.to_numpy(out), want, rtol=1e-12)
