"""Cost-sensitive decisions (``bayes_decision``, ``cost_threshold``, ``expected_cost``):
slow references written from the definitions, scikit-learn's confusion matrix as the
oracle of the expected cost, Bayes optimality on simulated calibrated data, the same
results on every backend and device, clear errors, inputs left alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix

from balancekit.decisions import bayes_decision, cost_threshold, expected_cost
from balancekit.decisions._cost import check_cost_matrix

# ------------------------------------------------------------------- references


def _reference_decision(proba: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """argmin_j sum_i p[i] C[i, j], one sample and one class at a time; the first
    (lowest) index wins a tie."""
    out = []
    for row in proba:
        best, best_cost = -1, np.inf
        for j in range(costs.shape[1]):
            cost = sum(row[i] * costs[i, j] for i in range(costs.shape[0]))
            if cost < best_cost:
                best, best_cost = j, cost
        out.append(best)
    return np.array(out)


def _margin(proba: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Gap between the two lowest expected costs of each row (rounding-safe rows)."""
    expected = np.sort(proba @ costs, axis=1)
    return expected[:, 1] - expected[:, 0]


def _reference_cost(y_true, y_pred, costs, weight, normalize):
    total = sum(w * costs[t, p] for t, p, w in zip(y_true, y_pred, weight, strict=True))
    return total / sum(weight) if normalize else total


def _random_problem(seed: int, n_samples: int, n_classes: int):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.full(n_classes, 0.7), size=n_samples)
    costs = rng.integers(-3, 10, size=(n_classes, n_classes)).astype(np.float64)
    return rng, proba, costs


# ---------------------------------------------------------------- the decision


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 60),
    n_classes=st.integers(2, 6),
)
def test_bayes_decision_matches_the_slow_reference(seed, n_samples, n_classes):
    _, proba, costs = _random_problem(seed, n_samples, n_classes)
    got = bayes_decision(proba, costs)
    expected = _reference_decision(proba, costs)
    # Rows whose two best classes are within rounding of each other are ties in real
    # arithmetic: either answer is a correct rounding; all others must agree.
    clear = _margin(proba, costs) > 1e-9
    np.testing.assert_array_equal(got[clear], expected[clear])
    assert got.shape == (n_samples,)
    assert np.issubdtype(got.dtype, np.integer)


def test_exact_ties_go_to_the_lower_class_index(backend):
    zero_one = 1 - np.eye(3)
    proba = np.array(
        [[0.375, 0.375, 0.25], [0.25, 0.375, 0.375], [0.375, 0.25, 0.375]]
    )  # dyadic: the expected costs are exact, the ties real
    got = bayes_decision(backend.asarray(proba), zero_one)
    np.testing.assert_array_equal(backend.to_numpy(got), [0, 1, 0])
    binary = bayes_decision(
        backend.asarray(np.array([0.5, 0.25, 0.75])), [[0, 1], [1, 0]]
    )
    np.testing.assert_array_equal(backend.to_numpy(binary), [0, 0, 1])


@pytest.mark.parametrize("n_classes", [2, 3, 7])
@pytest.mark.parametrize("scale", [1.0, 3.5])
def test_zero_one_costs_give_the_argmax(n_classes, scale):
    _, proba, _ = _random_problem(n_classes, 500, n_classes)
    costs = scale * (1 - np.eye(n_classes))
    np.testing.assert_array_equal(
        bayes_decision(proba, costs), np.argmax(proba, axis=1)
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shift=st.lists(st.integers(-5, 5), min_size=3, max_size=3),
    scale=st.sampled_from([0.5, 2.0, 8.0]),
)
def test_decision_invariant_to_row_shifts_and_positive_scaling(seed, shift, scale):
    # Adding a constant to row i adds p[i] * constant to every column's expected
    # cost; scaling by a power of two is exact. Neither may change the decision.
    _, proba, costs = _random_problem(seed, 80, 3)
    clear = _margin(proba, costs) > 1e-9
    moved = scale * (costs + np.array(shift, dtype=np.float64)[:, None])
    np.testing.assert_array_equal(
        bayes_decision(proba, moved)[clear], bayes_decision(proba, costs)[clear]
    )


# ------------------------------------------------------------- binary threshold


@pytest.mark.parametrize(
    ("costs", "threshold"),
    [
        ([[0, 1], [1, 0]], 0.5),
        ([[0, 1], [9, 0]], 0.1),
        ([[0, 4], [1, 0]], 0.8),
        ([[1, 3], [6, 2]], 2 / 6),  # (3 - 1) / (3 - 1 + 6 - 2)
        ([[-1, 1], [2, -2]], 2 / 6),  # benefits: (1 + 1) / (1 + 1 + 2 + 2)
    ],
)
def test_cost_threshold_is_elkans_formula(costs, threshold):
    assert cost_threshold(costs) == pytest.approx(threshold, rel=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    diagonal=st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
    mistakes=st.tuples(st.floats(0.01, 50), st.floats(0.01, 50)),
)
def test_binary_decision_is_thresholding_at_cost_threshold(seed, diagonal, mistakes):
    costs = np.array(
        [
            [diagonal[0], diagonal[0] + mistakes[0]],
            [diagonal[1] + mistakes[1], diagonal[1]],
        ]
    )
    t = cost_threshold(costs)
    assert 0 < t < 1
    # At t the two predictions cost the same (Elkan's derivation).
    at_t = np.array([1 - t, t]) @ costs
    assert at_t[0] == pytest.approx(at_t[1], abs=1e-12 * np.abs(costs).max())
    p = np.random.default_rng(seed).random(400)
    p = p[np.abs(p - t) > 1e-9]  # off the boundary, where rounding decides
    one_d = bayes_decision(p, costs)
    np.testing.assert_array_equal(one_d, (p > t).astype(np.int64))
    np.testing.assert_array_equal(bayes_decision(np.stack([1 - p, p], 1), costs), one_d)


# Bayes optimality on simulated calibrated probabilities. p ~ Beta(0.5, 2) and
# y ~ Bernoulli(p), so p is exactly calibrated; costs [[0, 1], [9, 0]] (t* = 0.1),
# 50,000 samples. The best of 999 grid thresholds, chosen on the very labels it is
# scored on, beats the Bayes decision only by overfitting the noise: measured over
# seeds 0-29 the gap (Bayes cost - best grid cost) had mean 1.4e-3, standard deviation
# 8.9e-4 and maximum 3.2e-3. The tolerance 6e-3 is about 5 standard deviations above
# the mean; the default 0.5 threshold is worse than Bayes by 0.64 or more on every
# seed, 100x the tolerance, so a wrong decision rule fails.
OVERFIT_TOL = 6e-3


@pytest.mark.parametrize("seed", range(3))
def test_bayes_decision_has_the_lowest_cost_among_thresholds(seed):
    rng = np.random.default_rng(seed)
    n = 50_000
    costs = np.array([[0.0, 1.0], [9.0, 0.0]])
    p = rng.beta(0.5, 2.0, size=n)
    y = (rng.random(n) < p).astype(np.int64)
    grid = np.linspace(0.001, 0.999, 999)
    bayes = bayes_decision(p, costs)
    realised = float(expected_cost(y, bayes, costs))
    grid_costs = np.array(
        [float(expected_cost(y, (p > t).astype(np.int64), costs)) for t in grid]
    )
    assert realised <= grid_costs.min() + OVERFIT_TOL
    assert float(expected_cost(y, (p > 0.5).astype(np.int64), costs)) > realised + 0.1
    # Noise-free: the conditional risk sum_i p(i|x) C[i, pred] averaged over the
    # samples. The Bayes decision minimises it sample by sample, so no threshold
    # (nor the grid's best) may be lower, up to float64 round-off.
    columns = np.stack([1 - p, p], axis=1)

    def risk(pred):
        return float(np.mean(np.take_along_axis(columns @ costs, pred[:, None], 1)))

    bayes_risk = risk(bayes)
    for t in grid:
        assert bayes_risk <= risk((p > t).astype(np.int64)) + 1e-12


def test_multiclass_bayes_decision_beats_argmax_and_fixed_rules():
    # Calibrated 3-class probabilities and labels drawn from them; a costly class 2.
    rng = np.random.default_rng(7)
    proba = rng.dirichlet([1.0, 1.0, 0.3], size=40_000)
    y = np.array([rng.choice(3, p=row) for row in proba])
    costs = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [20.0, 20.0, 0.0]])
    risk = proba @ costs  # the noise-free conditional risk of each prediction
    bayes = bayes_decision(proba, costs)
    rows = np.arange(len(y))
    for other in (np.argmax(proba, axis=1), np.zeros_like(y), np.full_like(y, 2)):
        assert np.all(risk[rows, bayes] <= risk[rows, other] + 1e-12)
    # Realised costs: Bayes beats argmax by far more than the noise. The per-sample
    # cost difference has standard deviation below 6 here, so its mean over 40,000
    # samples has a standard error below 0.03; the measured gain is about 1.
    gain = float(expected_cost(y, np.argmax(proba, axis=1), costs)) - float(
        expected_cost(y, bayes, costs)
    )
    assert gain > 0.3


# --------------------------------------------------------------- expected cost


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 50),
    n_classes=st.integers(2, 5),
    weighted=st.booleans(),
    normalize=st.booleans(),
)
def test_expected_cost_matches_references(
    seed, n_samples, n_classes, weighted, normalize
):
    rng, _, costs = _random_problem(seed, 1, n_classes)
    y_true = rng.integers(0, n_classes, n_samples)
    y_pred = rng.integers(0, n_classes, n_samples)
    weight = rng.random(n_samples) + 0.01 if weighted else np.ones(n_samples)
    got = float(
        expected_cost(
            y_true,
            y_pred,
            costs,
            sample_weight=weight if weighted else None,
            normalize=normalize,
        )
    )
    reference = _reference_cost(y_true, y_pred, costs, weight, normalize)
    # scikit-learn's (weighted) confusion matrix is the oracle: sum_ij CM[i, j] C[i, j].
    cm = confusion_matrix(
        y_true, y_pred, labels=np.arange(n_classes), sample_weight=weight
    )
    oracle = float(np.sum(cm * costs)) / (weight.sum() if normalize else 1.0)
    scale = max(1.0, abs(reference))
    assert got == pytest.approx(reference, rel=0, abs=1e-12 * scale)
    assert got == pytest.approx(oracle, rel=0, abs=1e-12 * scale)


def test_expected_cost_of_zero_one_costs_is_the_error_rate():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    got = float(expected_cost(y_true, y_pred, 1 - np.eye(4)))
    assert got == pytest.approx(float(np.mean(y_true != y_pred)), abs=1e-15)


# -------------------------------------------------------------------- backends


def test_backends_give_the_numpy_results_on_device(backend):
    rng, proba, costs = _random_problem(11, 300, 4)
    binary = rng.random(300)
    y_true = rng.integers(0, 4, 300)
    weight = rng.random(300)
    for name, scores, matrix in (
        ("multiclass", proba, costs),
        ("binary-1d", binary, np.array([[0.0, 1.0], [9.0, 0.0]])),
    ):
        x = backend.asarray(scores)
        before = backend.to_numpy(x).copy()
        got = bayes_decision(x, backend.asarray(matrix))  # costs on the device too
        assert backend.device_of(got) == backend.device, name
        np.testing.assert_array_equal(
            backend.to_numpy(got), bayes_decision(scores, matrix), err_msg=name
        )
        np.testing.assert_array_equal(backend.to_numpy(x), before)
    pred = bayes_decision(backend.asarray(proba), costs)
    for sample_weight in (None, weight):
        got = expected_cost(
            backend.asarray(y_true),
            pred,
            costs,
            sample_weight=None if sample_weight is None else backend.asarray(weight),
        )
        assert backend.device_of(got) == backend.device
        assert got.shape == ()
        expected = expected_cost(
            y_true, bayes_decision(proba, costs), costs, sample_weight=sample_weight
        )
        np.testing.assert_allclose(backend.to_numpy(got), expected, rtol=0, atol=1e-12)


def test_float32_input_is_accepted_and_stays_in_its_namespace():
    proba = np.array([[0.125, 0.875], [0.75, 0.25], [0.875, 0.125]], dtype=np.float32)
    costs = [[0, 1], [4, 0]]  # t* = 0.2
    got = bayes_decision(torch.as_tensor(proba), costs)
    assert isinstance(got, torch.Tensor)
    assert got.tolist() == [1, 1, 0]
    assert bayes_decision(proba, costs).tolist() == [1, 1, 0]


# ---------------------------------------------------------- inputs not modified


def test_inputs_are_not_modified():
    rng, proba, costs = _random_problem(5, 50, 3)
    y_true = rng.integers(0, 3, 50)
    weight = rng.random(50)
    binary = np.array([[0.0, 1.0], [9.0, 0.0]])
    copies = [a.copy() for a in (proba, costs, binary, y_true, weight)]
    pred = bayes_decision(proba, costs)
    pred_copy = pred.copy()
    expected_cost(y_true, pred, costs, sample_weight=weight)
    check_cost_matrix(costs)[0, 0] = 99.0  # the check returns a copy
    cost_threshold(binary)
    bayes_decision(proba[:, 0], binary)
    for original, copy in zip(
        (proba, costs, binary, y_true, weight), copies, strict=True
    ):
        np.testing.assert_array_equal(original, copy)
    np.testing.assert_array_equal(pred, pred_copy)


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("matrix", "error", "match"),
    [
        ([[0, 1, 2], [1, 0, 2]], ValueError, "square"),
        ([[0]], ValueError, "n_classes >= 2"),
        ([0, 1], ValueError, "square"),
        ([[0, np.nan], [1, 0]], ValueError, "NaN or infinity"),
        ([[0, np.inf], [1, 0]], ValueError, "NaN or infinity"),
        ([["a", "b"], ["c", "d"]], TypeError, "array of numbers"),
        ([[0, 1, 1], [1, 0, 1], [1, 1, 0]], ValueError, "3 x 3 but there are 2"),
    ],
)
def test_bad_cost_matrices_are_refused(matrix, error, match):
    with pytest.raises(error, match=match):
        bayes_decision(np.array([[0.2, 0.8]]), matrix)


@pytest.mark.parametrize(
    "matrix",
    [
        [[0, 0], [1, 0]],  # a false positive costs nothing: always predict 1
        [[0, 1], [0, 0]],  # a false negative costs nothing: always predict 0
        [[2, 1], [3, 0]],  # predicting 1 is cheaper for either truth
    ],
)
def test_cost_threshold_refuses_unreasonable_matrices(matrix):
    with pytest.raises(ValueError, match="not reasonable"):
        cost_threshold(matrix)
    # The Bayes decision still applies: the dominated class is never chosen.
    got = bayes_decision(np.linspace(0.01, 0.99, 9), matrix)
    assert len(np.unique(got)) == 1


def test_cost_threshold_needs_a_binary_matrix():
    with pytest.raises(ValueError, match="3 x 3 but there are 2"):
        cost_threshold(1 - np.eye(3))


@pytest.mark.parametrize(
    ("proba", "match"),
    [
        (np.array([[0.2, 0.7]]), "sum to 1"),
        (np.array([1.2, 0.3]), r"\[0, 1\]"),
        (np.array([np.nan, 0.3]), "NaN or infinity"),
        (np.zeros((2, 2, 2)), "shape"),
        (np.zeros((0, 2)), "empty"),
    ],
)
def test_bad_probabilities_are_refused(proba, match):
    with pytest.raises(ValueError, match=match):
        bayes_decision(proba, [[0, 1], [1, 0]])


def test_bad_expected_cost_inputs_are_refused():
    costs = [[0, 1], [5, 0]]
    y = np.array([0, 1, 1])
    with pytest.raises(TypeError, match="integer class indices"):
        expected_cost(np.array([0.0, 1.0, 1.0]), y, costs)
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\)"):
        expected_cost(y, np.array([0, 2, 1]), costs)
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\)"):
        expected_cost(np.array([0, -1, 1]), y, costs)
    with pytest.raises(ValueError, match="same length"):
        expected_cost(y, y[:2], costs)
    with pytest.raises(ValueError, match="empty"):
        expected_cost(y[:0], y[:0], costs)
    with pytest.raises(ValueError, match="1-D"):
        expected_cost(y[:, None], y[:, None], costs)
    with pytest.raises(ValueError, match="sums to 0"):
        expected_cost(y, y, costs, sample_weight=np.zeros(3))
    assert (
        float(expected_cost(y, y, costs, sample_weight=np.zeros(3), normalize=False))
        == 0
    )
    with pytest.raises(ValueError, match="negative"):
        expected_cost(y, y, costs, sample_weight=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        expected_cost(y, y, costs, sample_weight=np.ones(2))
    with pytest.raises(TypeError, match="normalize"):
        expected_cost(y, y, costs, normalize="yes")
    with pytest.raises(TypeError, match="different array libraries"):
        expected_cost(torch.as_tensor(y), y, costs)
