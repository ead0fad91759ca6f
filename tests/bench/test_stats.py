"""Ranks, Friedman test and Nemenyi critical difference against their oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import f as f_distribution
from scipy.stats import friedmanchisquare, rankdata

from balancekit.bench._stats import (
    FriedmanResult,
    average_ranks,
    critical_difference,
    friedman_test,
    nonsignificant_groups,
    rank_scores,
)

# Demšar (2006), Table 5: q_alpha of the two-tailed Nemenyi test, k = 2..10.
DEMSAR_Q05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]
DEMSAR_Q10 = [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920]

score_matrices = st.integers(2, 8).flatmap(
    lambda k: st.integers(2, 12).flatmap(
        lambda n: arrays(
            np.float64,
            (n, k),
            elements=st.sampled_from([0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0]),
        )
    )
)


# ------------------------------------------------------------------------- ranks


def test_rank_scores_best_is_one_and_ties_share():
    ranks = rank_scores([[0.9, 0.7, 0.7, 0.1]])
    np.testing.assert_array_equal(ranks, [[1.0, 2.5, 2.5, 4.0]])


def test_rank_scores_lower_is_better():
    ranks = rank_scores([[0.2, 0.1, 0.3]], higher_is_better=False)
    np.testing.assert_array_equal(ranks, [[2.0, 1.0, 3.0]])


@pytest.mark.parametrize(
    ("higher_is_better", "expected"),
    [(True, [3.5, 2.0, 3.5, 1.0]), (False, [3.5, 1.0, 3.5, 2.0])],
)
def test_failed_runs_rank_last_and_tie(higher_is_better, expected):
    nan = float("nan")
    ranks = rank_scores([[nan, 0.5, nan, 0.7]], higher_is_better=higher_is_better)
    np.testing.assert_array_equal(ranks, [expected])


def test_failed_run_ranks_after_infinite_loss():
    ranks = rank_scores([[np.inf, np.nan, 1.0]], higher_is_better=False)
    np.testing.assert_array_equal(ranks, [[2.0, 3.0, 1.0]])


def test_all_failed_row_ties():
    np.testing.assert_array_equal(rank_scores([[np.nan, np.nan]]), [[1.5, 1.5]])


@given(score_matrices, st.booleans())
@settings(max_examples=60, deadline=None)
def test_ranks_match_scipy_rankdata(scores, higher_is_better):
    sign = -1.0 if higher_is_better else 1.0
    expected = np.array([rankdata(sign * row) for row in scores])
    ranks = rank_scores(scores, higher_is_better=higher_is_better)
    np.testing.assert_allclose(ranks, expected)
    k = scores.shape[1]
    np.testing.assert_allclose(ranks.sum(axis=1), k * (k + 1) / 2)
    np.testing.assert_allclose(
        average_ranks(scores, higher_is_better=higher_is_better), ranks.mean(axis=0)
    )


@given(score_matrices)
@settings(max_examples=30, deadline=None)
def test_ranks_invariant_under_monotone_transform(scores):
    np.testing.assert_allclose(
        rank_scores(scores), rank_scores(np.exp(3 * scores) - 7.0)
    )


@pytest.mark.parametrize(
    ("scores", "error", "match"),
    [
        ([0.1, 0.2, 0.3], ValueError, "2-D"),
        ([[0.1], [0.2]], ValueError, "at least 2 strategies"),
        (np.zeros((0, 3)), ValueError, "at least 1 data sets"),
        ([["a", "b"]], TypeError, "`scores`"),
    ],
)
def test_average_ranks_rejects_bad_scores(scores, error, match):
    with pytest.raises(error, match=match):
        average_ranks(scores)


# ----------------------------------------------------------------------- Friedman


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [3, 4, 6])
def test_friedman_matches_scipy(seed, k):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 20))
    scores = rng.normal(size=(n, k)) + np.linspace(0.0, 1.0, k)
    if seed % 2:  # coarse scores: plenty of ties
        scores = np.round(scores)
    oracle = friedmanchisquare(*scores.T)
    result = friedman_test(scores)
    assert result.statistic == pytest.approx(oracle.statistic, rel=1e-10)
    assert result.p_value == pytest.approx(oracle.pvalue, rel=1e-8)
    # Iman-Davenport from its definition.
    chi2 = oracle.statistic
    f_value = (n - 1) * chi2 / (n * (k - 1) - chi2)
    assert result.iman_davenport_statistic == pytest.approx(f_value, rel=1e-10)
    assert result.iman_davenport_p_value == pytest.approx(
        f_distribution.sf(f_value, k - 1, (k - 1) * (n - 1)), rel=1e-8
    )
    assert (result.n_datasets, result.n_strategies) == (n, k)
    assert result.critical_difference == pytest.approx(critical_difference(k, n))


def test_friedman_lower_is_better_reverses_ranks():
    scores = np.array([[0.1, 0.2, 0.3]] * 5)
    higher = friedman_test(scores)
    lower = friedman_test(scores, higher_is_better=False)
    np.testing.assert_array_equal(higher.average_ranks, [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(lower.average_ranks, [1.0, 2.0, 3.0])
    assert higher.statistic == lower.statistic


def test_friedman_demsar_formula_without_ties():
    rng = np.random.default_rng(3)
    scores = rng.random((10, 4))
    n, k = scores.shape
    ranks = average_ranks(scores)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(ranks**2) - k * (k + 1) ** 2 / 4)
    assert friedman_test(scores).statistic == pytest.approx(chi2)


def test_friedman_all_tied_has_no_evidence():
    result = friedman_test(np.ones((5, 3)))
    assert (result.statistic, result.p_value) == (0.0, 1.0)
    assert (result.iman_davenport_statistic, result.iman_davenport_p_value) == (
        0.0,
        1.0,
    )
    assert not result.significant
    assert result.significant_pairs() == []


def test_friedman_perfect_agreement():
    result = friedman_test([[3.0, 2.0, 1.0]] * 10)
    assert result.statistic == pytest.approx(20.0)  # N (k - 1)
    assert math.isinf(result.iman_davenport_statistic)
    assert result.iman_davenport_p_value == 0.0
    assert result.significant
    assert result.significant_pairs() == [(0, 2, 2.0)]
    assert result.significant_pairs(["a", "b", "c"]) == [("a", "c", 2.0)]
    assert result.groups() == [(0, 1), (1, 2)]


def test_friedman_with_failed_runs():
    scores = np.array([[0.9, 0.8, np.nan]] * 4 + [[0.7, 0.9, 0.8]] * 2)
    result = friedman_test(scores)
    assert result.average_ranks.tolist() == pytest.approx([10 / 6, 10 / 6, 16 / 6])
    assert result.average_ranks.sum() == pytest.approx(6.0)


def test_significant_pairs_names_must_match():
    result = friedman_test([[3.0, 2.0, 1.0]] * 10)
    with pytest.raises(ValueError, match="`names`"):
        result.significant_pairs(["a", "b"])
    assert isinstance(result, FriedmanResult)


@pytest.mark.parametrize(
    ("scores", "kwargs", "match"),
    [
        ([[0.1, 0.2, 0.3]], {}, "at least 2 data sets"),
        ([[0.1], [0.2]], {}, "at least 2 strategies"),
        ([[0.1, 0.2], [0.3, 0.4]], {"alpha": 0.0}, "`alpha`"),
        ([[0.1, 0.2], [0.3, 0.4]], {"alpha": 1.5}, "`alpha`"),
    ],
)
def test_friedman_rejects_bad_input(scores, kwargs, match):
    with pytest.raises(ValueError, match=match):
        friedman_test(scores, **kwargs)


# ------------------------------------------------------------ critical difference


@pytest.mark.parametrize(("alpha", "table"), [(0.05, DEMSAR_Q05), (0.10, DEMSAR_Q10)])
def test_q_alpha_matches_demsar_table(alpha, table):
    for k, q in zip(range(2, 11), table, strict=True):
        # CD = q sqrt(k (k+1) / (6 N)); pick N so the square root is 1.
        n_datasets = k * (k + 1)
        cd = critical_difference(k, n_datasets, alpha) * math.sqrt(6)
        assert cd == pytest.approx(q, abs=1.5e-3), k


def test_critical_difference_formula():
    # Demšar's example: k = 4, N = 14, q_0.05 = 2.569 gives CD = 1.25.
    assert critical_difference(4, 14) == pytest.approx(1.25, abs=5e-3)
    assert critical_difference(4, 14, 0.10) < critical_difference(4, 14, 0.05)
    assert critical_difference(4, 56) == pytest.approx(critical_difference(4, 14) / 2)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((1, 10), ValueError, "`n_strategies`"),
        ((3, 1), ValueError, "`n_datasets`"),
        ((3.0, 10), TypeError, "`n_strategies`"),
        ((3, 10, 0.0), ValueError, "`alpha`"),
        ((3, 10, "0.05"), TypeError, "`alpha`"),
    ],
)
def test_critical_difference_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        critical_difference(*args)


# ------------------------------------------------------------------------- groups


def test_nonsignificant_groups_example():
    ranks = [1.0, 1.5, 2.2, 3.5, 3.9, 5.0]
    assert nonsignificant_groups(ranks, 1.3) == [(0, 1, 2), (2, 3), (3, 4), (4, 5)]
    assert nonsignificant_groups(ranks, 0.1) == []
    assert nonsignificant_groups(ranks, 10.0) == [(0, 1, 2, 3, 4, 5)]


@given(
    st.lists(st.floats(1.0, 8.0), min_size=2, max_size=8),
    st.floats(0.05, 4.0),
)
@settings(max_examples=100, deadline=None)
def test_groups_are_within_cd_and_maximal(ranks, cd):
    values = np.asarray(ranks)
    groups = nonsignificant_groups(values, cd)
    order = list(np.argsort(values, kind="stable"))
    for group in groups:
        members = values[list(group)]
        assert members.max() - members.min() <= cd
        positions = [order.index(i) for i in group]
        assert positions == list(range(positions[0], positions[-1] + 1))
        # Maximal: the next strategy in rank order would break the group.
        if positions[-1] + 1 < len(order):
            assert values[order[positions[-1] + 1]] - members.min() > cd
    # Every pair within the CD shares a group.
    for i in range(len(values)):
        for j in range(len(values)):
            if i != j and abs(values[i] - values[j]) <= cd:
                assert any(i in g and j in g for g in groups)


def test_nonsignificant_groups_rejects_bad_cd():
    with pytest.raises(ValueError, match="`critical_difference`"):
        nonsignificant_groups([1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="`average_ranks`"):
        nonsignificant_groups([1.0, np.nan], 1.0)
