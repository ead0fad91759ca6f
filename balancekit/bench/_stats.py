"""Ranks, the Friedman test and the Nemenyi critical difference (Demšar, 2006).

A comparison of ``k`` strategies on ``N`` data sets gives a score matrix of shape
``(N, k)``. Each row is ranked (1 = best, ties share the average rank), the Friedman
test asks whether the average ranks differ more than chance allows, and the Nemenyi
critical difference (CD) says how far apart two average ranks must be for the pair to
differ at level ``alpha``.

A NaN score is a failed run: it ranks after every real score of its row (failed
runs of one row tie with each other), so a strategy that fails is penalised rather
than silently dropped.

On one data set the strategies are compared over seeds instead: each seed draws its
own split, and :func:`compare_to_best` tests each strategy's per-seed difference from
the best strategy with a paired t-test, corrected for the overlap of the training
sets of repeated random splits (Nadeau & Bengio's corrected resampled t-test).

References: J. Demšar, "Statistical comparisons of classifiers over multiple data
sets", Journal of Machine Learning Research 7 (2006) 1-30. C. Nadeau and Y. Bengio,
"Inference for the generalization error", Machine Learning 52 (2003) 239-281.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from balancekit._params import check_int, check_scalar

__all__ = [
    "FEW_SEEDS",
    "FriedmanResult",
    "SeedComparison",
    "average_ranks",
    "compare_to_best",
    "critical_difference",
    "friedman_test",
    "nonsignificant_groups",
    "rank_scores",
]


def _check_scores(scores: Any, min_datasets: int) -> np.ndarray:
    try:
        matrix = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            "`scores` must be a 2-D array of numbers (rows: data sets, columns: "
            f"strategies); got {type(scores).__name__}."
        ) from error
    if matrix.ndim != 2:
        raise ValueError(
            "`scores` must be 2-D with shape (n_datasets, n_strategies); got shape "
            f"{matrix.shape}. Reshape a single data set's scores to (1, -1)."
        )
    n_datasets, n_strategies = matrix.shape
    if n_strategies < 2:
        raise ValueError(
            f"`scores` must compare at least 2 strategies (columns); got "
            f"{n_strategies}."
        )
    if n_datasets < min_datasets:
        raise ValueError(
            f"`scores` must hold at least {min_datasets} data sets (rows); got "
            f"{n_datasets}. Add data sets (see balancekit.bench.datasets)."
        )
    return matrix


def rank_scores(scores: Any, *, higher_is_better: bool = True) -> np.ndarray:
    """Rank the strategies on every data set: 1 = best, ties share the mean rank.

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_strategies)
        One score per data set and strategy; NaN marks a failed run, which ranks
        after every real score of its row.
    higher_is_better : bool, default=True
        ``False`` for losses (Brier score, log loss, ...).

    Returns
    -------
    numpy.ndarray of shape (n_datasets, n_strategies)
        Ranks in ``[1, n_strategies]``; every row sums to
        ``n_strategies * (n_strategies + 1) / 2``.

    Examples
    --------
    >>> rank_scores([[0.9, 0.7, 0.7], [0.5, float("nan"), 0.6]])
    array([[1. , 2.5, 2.5],
           [2. , 3. , 1. ]])
    """
    from scipy.stats import rankdata

    matrix = _check_scores(scores, min_datasets=1)
    failed = np.isnan(matrix)
    keys = -matrix if higher_is_better else matrix
    # Failed runs sort after +inf, tying with each other only.
    ranks = rankdata(np.where(failed, np.inf, keys), axis=1)
    if failed.any():
        n_strategies = matrix.shape[1]
        n_ok = (~failed).sum(axis=1, keepdims=True)
        finite_ranks = rankdata(
            np.where(failed, np.nan, keys), axis=1, nan_policy="omit"
        )
        failed_rank = np.broadcast_to((n_ok + 1 + n_strategies) / 2.0, matrix.shape)
        ranks = np.where(failed, failed_rank, finite_ranks)
    return np.asarray(ranks, dtype=np.float64)


def average_ranks(scores: Any, *, higher_is_better: bool = True) -> np.ndarray:
    """Average rank of each strategy over the data sets (1 = best).

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_strategies)
        One score per data set and strategy; NaN marks a failed run, ranked after
        every real score of its row (see :func:`rank_scores`).
    higher_is_better : bool, default=True
        ``False`` for losses.

    Returns
    -------
    numpy.ndarray of shape (n_strategies,)
        Mean rank per strategy; the ranks sum to ``k (k + 1) / 2``.

    Raises
    ------
    ValueError
        For a matrix that is not 2-D, fewer than 2 strategies or no data set.

    Examples
    --------
    >>> from balancekit.bench import average_ranks
    >>> average_ranks([[0.9, 0.8, 0.7], [0.6, 0.8, 0.7]])
    array([2. , 1.5, 2.5])
    >>> average_ranks([[0.1, 0.3]], higher_is_better=False)
    array([1., 2.])
    """
    return rank_scores(scores, higher_is_better=higher_is_better).mean(axis=0)


@functools.lru_cache(maxsize=256)
def _q_alpha(n_strategies: int, alpha: float) -> float:
    from scipy.stats import studentized_range

    return float(studentized_range.ppf(1.0 - alpha, n_strategies, np.inf) / 2**0.5)


def _check_alpha(alpha: Any) -> float:
    """``alpha``, a significance level in (0, 1)."""
    return check_scalar(
        alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True
    )


def critical_difference(
    n_strategies: int, n_datasets: int, alpha: float = 0.05
) -> float:
    """The Nemenyi critical difference of average ranks.

    ``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` with ``q_alpha`` the studentized range
    quantile ``studentized_range.ppf(1 - alpha, k, inf) / sqrt(2)``. Two strategies
    whose average ranks differ by more than ``CD`` differ significantly. The exact
    quantile can differ from the rounded table of Demšar (2006) in the third decimal
    (e.g. 2.344 against 2.343 for k = 3).

    Parameters
    ----------
    n_strategies : int
        ``k``, at least 2.
    n_datasets : int
        ``N``, at least 2.
    alpha : float, default=0.05
        Significance level, in (0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> from balancekit.bench import critical_difference
    >>> round(critical_difference(4, 14), 3)
    1.254
    """
    k = check_int(n_strategies, "n_strategies", low=2)
    n = check_int(n_datasets, "n_datasets", low=2)
    alpha = _check_alpha(alpha)
    return _q_alpha(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n))


def nonsignificant_groups(
    average_ranks: Any, critical_difference: float
) -> list[tuple[int, ...]]:
    """Maximal groups of strategies whose average ranks lie within one CD.

    These are the thick bars of a critical-difference diagram: inside a group no
    pair differs significantly. Groups of one strategy are left out.

    Parameters
    ----------
    average_ranks : array-like of shape (n_strategies,)
        Average ranks (any order).
    critical_difference : float
        The critical difference, > 0.

    Returns
    -------
    list of tuple of int
        Indices into ``average_ranks``, each tuple ordered best rank first; the
        groups in order of their best member.

    Examples
    --------
    >>> nonsignificant_groups([1.2, 3.9, 1.9, 3.0], critical_difference=1.0)
    [(0, 2), (3, 1)]
    """
    ranks = np.asarray(average_ranks, dtype=np.float64).reshape(-1)
    if not np.isfinite(ranks).all():
        raise ValueError("`average_ranks` must be finite numbers.")
    cd = float(critical_difference)
    if not (math.isfinite(cd) and cd > 0):
        raise ValueError(
            "`critical_difference` must be a positive number; got "
            f"{critical_difference}."
        )
    order = np.argsort(ranks, kind="stable")
    sorted_ranks = ranks[order]
    groups: list[tuple[int, ...]] = []
    last_end = -1
    for start in range(order.size):
        end = start
        while (
            end + 1 < order.size and sorted_ranks[end + 1] - sorted_ranks[start] <= cd
        ):
            end += 1
        if end > start and end > last_end:  # not inside the previous group
            groups.append(tuple(int(i) for i in order[start : end + 1]))
            last_end = end
    return groups


@dataclass(frozen=True, eq=False)
class FriedmanResult:
    """The Friedman test of ``k`` strategies on ``N`` data sets and its Nemenyi CD.

    Attributes
    ----------
    statistic : float
        Friedman chi-square (corrected for ties, as :func:`scipy.stats.
        friedmanchisquare`), ``k - 1`` degrees of freedom.
    p_value : float
        Its chi-square p-value.
    iman_davenport_statistic : float
        Iman and Davenport's F, ``(N - 1) chi2 / (N (k - 1) - chi2)``, less
        conservative than the chi-square (Demšar's recommendation).
    iman_davenport_p_value : float
        Its p-value, F distribution with ``k - 1`` and ``(k - 1)(N - 1)`` degrees of
        freedom.
    average_ranks : numpy.ndarray of shape (n_strategies,)
        Average rank per strategy (1 = best).
    critical_difference : float
        The Nemenyi critical difference at ``alpha``.
    alpha : float
        Significance level.
    n_datasets, n_strategies : int
        ``N`` and ``k``.

    Examples
    --------
    >>> from balancekit.bench import friedman_test
    >>> result = friedman_test([[0.9, 0.8, 0.7]] * 6)
    >>> result.average_ranks.tolist(), round(result.p_value, 4)
    ([1.0, 2.0, 3.0], 0.0025)
    >>> result.significant_pairs(["a", "b", "c"])
    [('a', 'c', 2.0)]
    """

    statistic: float
    p_value: float
    iman_davenport_statistic: float
    iman_davenport_p_value: float
    average_ranks: np.ndarray
    critical_difference: float
    alpha: float
    n_datasets: int
    n_strategies: int

    @property
    def significant(self) -> bool:
        """Whether the Friedman test rejects equal ranks at ``alpha`` (Iman-Davenport
        p-value)."""
        return bool(self.iman_davenport_p_value < self.alpha)

    def significant_pairs(
        self, names: Sequence[str] | None = None
    ) -> list[tuple[Any, Any, float]]:
        """Pairs whose average ranks differ by more than the critical difference.

        Parameters
        ----------
        names : sequence of str, default=None
            One name per strategy; by default the pairs hold column indices.

        Returns
        -------
        list of (better, worse, rank difference)
            Better means the lower average rank; sorted by decreasing difference.

        Examples
        --------
        >>> result = friedman_test([[3, 2, 1]] * 10)
        >>> result.significant_pairs()
        [(0, 2, 2.0)]
        """
        labels: list[Any] = list(range(self.n_strategies))
        if names is not None:
            labels = [str(name) for name in names]
            if len(labels) != self.n_strategies:
                raise ValueError(
                    f"`names` must name the {self.n_strategies} strategies; got "
                    f"{len(labels)} names."
                )
        ranks = self.average_ranks
        pairs = []
        for i in range(self.n_strategies):
            for j in range(self.n_strategies):
                difference = float(ranks[j] - ranks[i])
                if difference > self.critical_difference:
                    pairs.append((labels[i], labels[j], difference))
        pairs.sort(key=lambda pair: -pair[2])
        return pairs

    def groups(self) -> list[tuple[int, ...]]:
        """Maximal groups not significantly different (see
        :func:`nonsignificant_groups`).

        Examples
        --------
        >>> friedman_test([[3, 2, 1]] * 10).groups()
        [(0, 1), (1, 2)]
        """
        return nonsignificant_groups(self.average_ranks, self.critical_difference)


def friedman_test(
    scores: Any, *, higher_is_better: bool = True, alpha: float = 0.05
) -> FriedmanResult:
    """Friedman test of equal average ranks, with the Nemenyi critical difference.

    Following Demšar (2006): rank the strategies on each data set, test with the
    Friedman chi-square (tie-corrected, equal to
    :func:`scipy.stats.friedmanchisquare`) and Iman and Davenport's F, and compute
    the critical difference for the pairwise Nemenyi comparisons. Rows whose scores
    are all equal carry no information; if every row is so, the statistic is 0 and
    the p-values 1.

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_strategies)
        One score per data set and strategy, at least 2 of each; NaN marks a failed
        run (ranked last in its row).
    higher_is_better : bool, default=True
        ``False`` for losses.
    alpha : float, default=0.05
        Significance level of the critical difference.

    Returns
    -------
    FriedmanResult

    Raises
    ------
    ValueError
        For fewer than 2 strategies or data sets, or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> from balancekit.bench import friedman_test
    >>> import numpy as np
    >>> scores = np.array([[0.81, 0.80, 0.70], [0.90, 0.85, 0.86], [0.7, 0.6, 0.5],
    ...                    [0.66, 0.64, 0.60], [0.75, 0.76, 0.70]])
    >>> result = friedman_test(scores)
    >>> result.average_ranks
    array([1.2, 2. , 2.8])
    >>> round(result.statistic, 3), round(result.p_value, 4)
    (6.4, 0.0408)
    >>> round(result.critical_difference, 3)
    1.482
    """
    from scipy.stats import chi2, f

    alpha = _check_alpha(alpha)
    matrix = _check_scores(scores, min_datasets=2)
    n, k = matrix.shape
    ranks = rank_scores(matrix, higher_is_better=higher_is_better)
    mean_ranks = ranks.mean(axis=0)
    # Tie correction: 1 - sum(t^3 - t) / (N k (k^2 - 1)) over tied groups.
    tie_sum = 0.0
    for row in ranks:
        _, tie_counts = np.unique(row, return_counts=True)
        tie_sum += float((tie_counts**3 - tie_counts).sum())
    correction = 1.0 - tie_sum / (n * k * (k * k - 1))
    spread = 12.0 * n / (k * (k + 1)) * float(((mean_ranks - (k + 1) / 2.0) ** 2).sum())
    if correction <= 0.0:  # every row is one tie: no evidence of any difference
        statistic, p_value = 0.0, 1.0
    else:
        statistic = spread / correction
        p_value = float(chi2.sf(statistic, k - 1))
    denominator = n * (k - 1) - statistic
    if statistic == 0.0:
        f_statistic, f_p_value = 0.0, 1.0
    elif denominator <= 0.0:  # every data set ranks the strategies the same way
        f_statistic, f_p_value = math.inf, 0.0
    else:
        f_statistic = (n - 1) * statistic / denominator
        f_p_value = float(f.sf(f_statistic, k - 1, (k - 1) * (n - 1)))
    return FriedmanResult(
        statistic=float(statistic),
        p_value=float(p_value),
        iman_davenport_statistic=float(f_statistic),
        iman_davenport_p_value=float(f_p_value),
        average_ranks=mean_ranks,
        critical_difference=critical_difference(k, n, alpha),
        alpha=alpha,
        n_datasets=int(n),
        n_strategies=int(k),
    )


#: Below this many seeds the paired test has little power: the report says so.
FEW_SEEDS = 5


@dataclass(frozen=True, eq=False)
class SeedComparison:
    """Each strategy against the best one on one data set, paired over seeds.

    Attributes
    ----------
    best : int
        Column of the best mean score (failed runs left out of the means).
    differences : numpy.ndarray of shape (n_strategies,)
        Mean per-seed difference from the best, oriented so that it is >= 0 when the
        best is better (0 for the best itself).
    p_values : numpy.ndarray of shape (n_strategies,)
        Two-sided p-value of the paired test against the best; NaN for the best, for
        a strategy without a successful run, and when fewer than 2 seeds pair up.
    within_noise : numpy.ndarray of bool, shape (n_strategies,)
        ``p_value > alpha``: the difference from the best is within the seed-to-seed
        noise. False for the best itself and where no test was possible.
    n_seeds : numpy.ndarray of int, shape (n_strategies,)
        Seeds on which the strategy and the best both succeeded.
    test_fraction : float or None
        ``n_test / n_train`` of the correction (None: plain paired t-test).
    alpha : float
        Significance level.
    """

    best: int
    differences: np.ndarray
    p_values: np.ndarray
    within_noise: np.ndarray
    n_seeds: np.ndarray
    test_fraction: float | None
    alpha: float

    @property
    def test_name(self) -> str:
        """The test in words, for the report."""
        if self.test_fraction is None:
            return "paired t-test over seeds"
        return "paired t-test over seeds, corrected for overlapping training sets"


def _paired_p_value(differences: np.ndarray, test_fraction: float | None) -> float:
    from scipy.stats import t

    n = differences.size
    mean = float(differences.mean())
    variance = float(differences.var(ddof=1))
    if variance <= 1e-24 * max(mean * mean, 1e-300):
        # No seed-to-seed variation: identical runs (no evidence of a difference), or
        # the same gap on every seed (the t statistic is infinite).
        return 1.0 if mean == 0.0 else 0.0
    inflation = 1.0 / n + (0.0 if test_fraction is None else test_fraction)
    statistic = mean / math.sqrt(inflation * variance)
    return float(2.0 * t.sf(abs(statistic), n - 1))


def compare_to_best(
    scores: Any,
    *,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    test_fraction: float | None = None,
) -> SeedComparison:
    """Which strategies are within seed-to-seed noise of the best, on one data set.

    The best strategy has the best mean score over its successful seeds. Every other
    strategy's per-seed difference from it (on the seeds where both succeeded; a
    seed is one split, so the pairing removes the split's luck) is tested with a
    two-sided paired t-test. With ``test_fraction`` (``n_test / n_train``) the
    variance is inflated by ``1 / n + n_test / n_train``: Nadeau & Bengio's correction
    for the overlapping training sets of repeated random splits, which makes the
    plain t-test too eager. A strategy whose p-value exceeds ``alpha`` is *within
    noise*: the data do not say it is worse than the best. With few seeds (below
    :data:`FEW_SEEDS`) the test has little power: a real gap can pass as noise.

    Parameters
    ----------
    scores : array-like of shape (n_seeds, n_strategies)
        One score per seed and strategy; NaN marks a failed run.
    higher_is_better : bool, default=True
        ``False`` for losses (Brier score).
    alpha : float, default=0.05
        Significance level.
    test_fraction : float, default=None
        ``n_test / n_train`` of each split (1/3 for a 25% test split) for the
        corrected test; None for the plain paired t-test.

    Returns
    -------
    SeedComparison

    Raises
    ------
    ValueError
        For a matrix that is not 2-D, fewer than 2 strategies, no successful run,
        ``alpha`` outside (0, 1) or a negative ``test_fraction``.

    Examples
    --------
    Strategy 1 trails by 0.01 with noise of 0.05 between seeds; strategy 2 trails by
    0.2 on every seed:

    >>> scores = [[0.70, 0.75, 0.50], [0.80, 0.74, 0.61], [0.62, 0.60, 0.41],
    ...           [0.75, 0.75, 0.56]]
    >>> result = compare_to_best(scores)
    >>> int(result.best), result.within_noise.tolist()
    (0, [False, True, False])
    >>> [round(float(p), 3) for p in result.p_values[1:]]
    [0.764, 0.0]
    """
    alpha = _check_alpha(alpha)
    matrix = _check_scores(scores, min_datasets=1)
    if test_fraction is not None:
        test_fraction = float(test_fraction)
        if not (math.isfinite(test_fraction) and test_fraction >= 0.0):
            raise ValueError(
                f"`test_fraction` must be a number >= 0 (n_test / n_train); got "
                f"{test_fraction}."
            )
    ok = ~np.isnan(matrix)
    if not ok.any():
        raise ValueError("`scores` holds no successful run (every value is NaN).")
    counts = ok.sum(axis=0)
    sums = np.where(ok, matrix, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    keys = -means if higher_is_better else means
    best = int(np.argmin(np.where(np.isnan(keys), np.inf, keys)))
    n_strategies = matrix.shape[1]
    sign = 1.0 if higher_is_better else -1.0
    differences = np.full(n_strategies, np.nan)
    p_values = np.full(n_strategies, np.nan)
    n_seeds = np.zeros(n_strategies, dtype=np.int64)
    for j in range(n_strategies):
        paired = ok[:, best] & ok[:, j]
        n_seeds[j] = int(paired.sum())
        if not n_seeds[j]:
            continue
        gaps = sign * (matrix[paired, best] - matrix[paired, j])
        differences[j] = float(gaps.mean())
        if j != best and n_seeds[j] >= 2:
            p_values[j] = _paired_p_value(gaps, test_fraction)
    with np.errstate(invalid="ignore"):
        within = np.nan_to_num(p_values, nan=-1.0) > alpha
    return SeedComparison(
        best=best,
        differences=differences,
        p_values=p_values,
        within_noise=within,
        n_seeds=n_seeds,
        test_fraction=test_fraction,
        alpha=alpha,
    )
