"""Label-powerset random over- and under-sampling (LP-ROS, LP-RUS; Charte 2013).

Each distinct label combination is one class. With a percentage P, the combinations
below the mean combination size share ``floor(P * n)`` clones (LP-ROS), or those above
it share ``floor(P * n)`` deletions (LP-RUS): they are visited from the one nearest
the mean, each takes an equal share of what is left, at most what brings it to the
mean (``ceil(mean)``), and its unused share passes on to the next.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from balancekit._array_api import bincount, index_dtype, to_host
from balancekit._random import RandomStateLike
from balancekit.multilabel._bags import RemovedOccurrences, mean_ir
from balancekit.multilabel._base import BaseMultilabelSampler, take_all_rows
from balancekit.multilabel._indicator import Combinations, MultilabelData
from balancekit.multilabel._mlrus import kept_rows
from balancekit.multilabel._strategy import Strategy, check_strategy, n_to_resample

__all__ = [
    "LabelPowersetRandomOverSampler",
    "LabelPowersetRandomUnderSampler",
    "lp_plan",
]

_OVER_NAMES = ("auto", "not majority", "not minority", "all", "minority")
_UNDER_NAMES = ("auto", "not majority", "not minority", "all", "majority")


def _shares(gaps: list[int], budget: int) -> list[int]:
    """Share ``budget`` among bags in order: each an equal part of what is left,
    at most its gap; unused parts pass on."""
    taken = []
    for j, gap in enumerate(gaps):
        left = len(gaps) - j
        take = min(gap, -(-budget // left))
        taken.append(take)
        budget -= take
    return taken


def lp_plan(
    counts: np.ndarray,
    table: np.ndarray,
    strategy: Strategy,
    over: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Clones (``over``) or deletions of LP-ROS/LP-RUS as (combination, occurrence)
    pairs, by combination; decided on the host.

    Examples
    --------
    >>> table = np.array([[0, 1], [1, 0], [1, 1]], dtype=bool)
    >>> combos, occ = lp_plan(np.array([1, 8, 3]), table, Strategy(fraction=0.5),
    ...                       True, np.random.default_rng(0))
    >>> np.bincount(combos).tolist()
    [3, 0, 1]
    """
    n_samples = int(counts.sum())
    size = math.ceil(n_samples / counts.size)  # the mean combination size, rounded up
    ids = np.arange(counts.size)
    if over:
        chosen = ids[counts < n_samples / counts.size]
        chosen = chosen[np.argsort(-counts[chosen], kind="stable")]
        gaps = [int(size - counts[c]) for c in chosen]
    else:
        chosen = ids[counts > n_samples / counts.size]
        chosen = chosen[np.argsort(counts[chosen], kind="stable")]
        gaps = [int(counts[c] - size) for c in chosen]
    if strategy.fraction is not None:
        amounts = _shares(gaps, n_to_resample(strategy.fraction, n_samples))
        combination_ids, occurrences = [], []
        for c, amount in sorted(zip(chosen.tolist(), amounts, strict=True)):
            if over:
                drawn = rng.integers(counts[c], size=amount)
            else:
                drawn = np.sort(rng.choice(counts[c], size=amount, replace=False))
            combination_ids.extend([c] * amount)
            occurrences.extend(drawn.tolist())
        return np.asarray(combination_ids, np.int64), np.asarray(occurrences, np.int64)
    return _towards_mean_ir(counts, table, chosen, gaps, strategy, over, rng)


def _towards_mean_ir(
    counts: np.ndarray,
    table: np.ndarray,
    chosen: np.ndarray,
    gaps: list[int],
    strategy: Strategy,
    over: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One row at a time, round-robin over the chosen combinations, until MeanIR is
    at most the target or every combination has reached the mean."""
    label_counts = counts @ table.astype(np.int64)
    remaining = counts.astype(np.int64).copy()
    left = dict(zip(chosen.tolist(), gaps, strict=True))
    left = {c: gap for c, gap in left.items() if gap > 0}
    removed = RemovedOccurrences()
    picked: list[tuple[int, int]] = []
    sign = 1 if over else -1
    while left and mean_ir(label_counts) > strategy.mean_ir:  # type: ignore[operator]
        for c in list(left):
            if mean_ir(label_counts) <= strategy.mean_ir:  # type: ignore[operator]
                break
            u = int(rng.integers(remaining[c] if not over else counts[c]))
            if over:
                picked.append((c, u))
            else:
                removed.take(c, u)
                remaining[c] -= 1
            label_counts += sign * table[c]
            left[c] -= 1
            if left[c] == 0:
                del left[c]
    if not over:
        return removed.pairs()
    pairs = sorted(picked, key=lambda pair: pair[0])  # stable: draw order kept
    array = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return array[:, 0], array[:, 1]


class _LabelPowersetSampler(BaseMultilabelSampler):
    _over: bool
    _names: tuple[str, ...]

    sampling_strategy: Any
    random_state: RandomStateLike

    def _check_params(self, data: MultilabelData) -> None:
        check_strategy(self.sampling_strategy, self._names)

    def _resample(
        self, data: MultilabelData, combos: Combinations, rng: np.random.Generator
    ) -> tuple[Any, Any, Any]:
        xp, device = data.xp, data.device
        strategy = check_strategy(self.sampling_strategy, self._names)
        int_dtype = index_dtype(xp, device)
        if strategy.name is not None:
            indices = self._by_name(strategy.name, combos, rng)
        else:
            combination_ids, occurrences = lp_plan(
                combos.counts, combos.table, strategy, self._over, rng
            )
            if self._over:
                originals = xp.arange(data.n_samples, dtype=int_dtype, device=device)
                new = combos.rows(combination_ids, occurrences, xp, device)
                indices = xp.concat([originals, xp.astype(new, int_dtype)])
            else:
                indices = kept_rows(combos, combination_ids, occurrences, xp, device)
        indices = xp.astype(indices, int_dtype)
        self.sample_indices_ = indices
        codes = xp.take(combos.codes, indices, axis=0)
        final = np.asarray(
            to_host(bincount(codes, combos.counts.size, None, xp), xp), dtype=np.int64
        )
        self.mean_ir_resampled_ = mean_ir(final @ combos.table.astype(np.int64))
        return take_all_rows(data, indices)

    def _by_name(
        self, name: str, combos: Combinations, rng: np.random.Generator
    ) -> Any:
        """imbalanced-learn's named strategies with combinations as classes."""
        if self._over:
            from balancekit.over_sampling import RandomOverSampler

            sampler: Any = RandomOverSampler(sampling_strategy=name, random_state=rng)
            return sampler.fit_resample_indices(combos.codes)
        from balancekit.under_sampling import RandomUnderSampler

        sampler = RandomUnderSampler(sampling_strategy=name, random_state=rng)
        indices = sampler.fit_resample_indices(combos.codes)
        xp = _namespace(indices)
        return xp.sort(indices)  # kept rows in input order


def _namespace(array: Any) -> Any:
    import array_api_compat

    return array_api_compat.array_namespace(array)


class LabelPowersetRandomOverSampler(_LabelPowersetSampler):
    """Label-powerset random over-sampling (LP-ROS, Charte et al. 2013).

    Every distinct label combination of ``y`` is a class. With a percentage P,
    the combinations with fewer rows than the mean combination size share
    ``floor(P * n_samples)`` clones: visited from the largest, each takes an equal
    share of the clones left, at most what brings it to ``ceil(mean)`` rows, and
    its unused share passes to the next ones; clones are drawn uniformly (with
    replacement) among the combination's rows. F. Charte, A. J. Rivera, M. J. del
    Jesus, F. Herrera, "A first approach to deal with imbalance in multi-label
    datasets", HAIS 2013.

    Parameters
    ----------
    sampling_strategy : float, dict or str, default=0.25
        A float P in (0, 1]: the share of ``n_samples`` to clone (at most; fewer
        once every minority combination reached the mean). ``{"mean_ir": t}``
        (t >= 1): clone one row at a time, round-robin over those combinations,
        until MeanIR ``<= t`` or all reached the mean. ``"auto"``, ``"not
        majority"``, ``"not minority"``, ``"all"`` or ``"minority"``:
        imbalanced-learn's meaning with combinations as classes (balancekit's
        ``RandomOverSampler`` on the combination ids).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws; the same int gives the same rows on every library.

    Attributes
    ----------
    sample_indices_ : array of shape (n_resampled,)
        Source row of every output row, on the input's device: the originals in
        input order, then the clones grouped by combination (combinations in
        lexicographic order of their 0/1 rows).
    irlbl_ : numpy.ndarray of shape (n_labels,)
        IRLbl of each input label.
    mean_ir_ : float
        MeanIR of the input.
    mean_ir_resampled_ : float
        MeanIR of the output.
    minority_labels_ : numpy.ndarray
        Positions of the labels with ``IRLbl > MeanIR``.
    n_features_in_ : int
        Number of features.
    n_labels_ : int
        Number of labels.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.multilabel import LabelPowersetRandomOverSampler
    >>> X = np.arange(24.0).reshape(12, 2)
    >>> y = np.array([[1, 0]] * 8 + [[1, 1]] * 3 + [[0, 1]])
    >>> sampler = LabelPowersetRandomOverSampler(sampling_strategy=0.5,
    ...                                          random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> len(y_res), int((y_res == [1, 1]).all(axis=1).sum())
    (16, 4)
    """

    _over = True
    _names = _OVER_NAMES

    def __init__(
        self, *, sampling_strategy: Any = 0.25, random_state: RandomStateLike = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state


class LabelPowersetRandomUnderSampler(_LabelPowersetSampler):
    """Label-powerset random under-sampling (LP-RUS, Charte et al. 2013).

    Every distinct label combination of ``y`` is a class. With a percentage P,
    the combinations with more rows than the mean combination size share
    ``floor(P * n_samples)`` deletions: visited from the smallest, each takes an
    equal share of the deletions left, at most what brings it down to
    ``ceil(mean)`` rows, and its unused share passes to the next ones; deleted rows
    are drawn uniformly without replacement within the combination.

    Parameters
    ----------
    sampling_strategy : float, dict or str, default=0.25
        A float P in (0, 1]: the share of ``n_samples`` to delete (at most).
        ``{"mean_ir": t}`` (t >= 1): delete one row at a time, round-robin over
        those combinations, until MeanIR ``<= t`` or all reached the mean.
        ``"auto"``, ``"not majority"``, ``"not minority"``, ``"all"`` or
        ``"majority"``: imbalanced-learn's meaning with combinations as classes
        (balancekit's ``RandomUnderSampler`` on the combination ids).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws; the same int gives the same rows on every library.

    Attributes
    ----------
    sample_indices_ : array of shape (n_resampled,)
        The kept rows, in input order, on the input's device.
    irlbl_ : numpy.ndarray of shape (n_labels,)
        IRLbl of each input label.
    mean_ir_ : float
        MeanIR of the input.
    mean_ir_resampled_ : float
        MeanIR of the output.
    minority_labels_ : numpy.ndarray
        Positions of the labels with ``IRLbl > MeanIR``.
    n_features_in_ : int
        Number of features.
    n_labels_ : int
        Number of labels.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.multilabel import LabelPowersetRandomUnderSampler
    >>> X = np.arange(24.0).reshape(12, 2)
    >>> y = np.array([[1, 0]] * 8 + [[1, 1]] * 3 + [[0, 1]])
    >>> sampler = LabelPowersetRandomUnderSampler(sampling_strategy=0.25,
    ...                                           random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> len(y_res), int((y_res == [1, 0]).all(axis=1).sum())
    (9, 5)
    """

    _over = False
    _names = _UNDER_NAMES

    def __init__(
        self, *, sampling_strategy: Any = 0.25, random_state: RandomStateLike = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
