"""MLRUS: multilabel random under-sampling by label imbalance ratio (Charte 2015)."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import bincount, index_dtype
from balancekit._random import RandomStateLike
from balancekit._typing import Array
from balancekit.multilabel._bags import Bag, RemovedOccurrences, irlbl, mean_ir
from balancekit.multilabel._base import BaseMultilabelSampler, take_all_rows
from balancekit.multilabel._indicator import Combinations, MultilabelData
from balancekit.multilabel._strategy import Strategy, check_strategy, n_to_resample

__all__ = ["MLRUS", "kept_rows", "mlrus_plan"]


def mlrus_plan(
    table: np.ndarray,
    counts: np.ndarray,
    strategy: Strategy,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The deletions of MLRUS as (combination, occurrence) pairs, on the host.

    Examples
    --------
    >>> table = np.array([[1, 0], [0, 1]], dtype=bool)
    >>> combos, occ = mlrus_plan(table, np.array([6, 2]), Strategy(fraction=0.25),
    ...                          np.random.default_rng(0))
    >>> combos.tolist()
    [0, 0]
    """
    n_samples = int(counts.sum())
    label_counts = counts @ table.astype(np.int64)
    start_mean_ir = mean_ir(label_counts)
    ratios = irlbl(label_counts)
    present = label_counts > 0
    minority = present & (ratios > start_mean_ir)
    # A row holding any minority label is never deleted (Charte et al.).
    deletable = np.asarray(~table[:, minority].any(axis=1), dtype=bool)
    majority = np.flatnonzero(present & (ratios < start_mean_ir))
    bags = {int(i): Bag(table, counts, int(i), allowed=deletable) for i in majority}
    budget = (
        n_to_resample(strategy.fraction, n_samples)
        if strategy.fraction is not None
        else n_samples
    )
    target = strategy.mean_ir

    def done() -> bool:
        return budget <= 0 or (target is not None and mean_ir(label_counts) <= target)

    removed = RemovedOccurrences()
    while bags and not done():
        for label in list(bags):
            if done():
                break
            bag = bags[label]
            if bag.size == 0:  # every row of the bag is gone or protected
                del bags[label]
                continue
            combination, occurrence = bag.locate(int(rng.integers(bag.size)))
            removed.take(combination, occurrence)
            for other in bags.values():  # the row leaves every bag holding it
                other.remove(combination)
            label_counts -= table[combination]
            with np.errstate(divide="ignore"):
                ratio = label_counts.max() / label_counts[label]
            if ratio >= start_mean_ir:
                del bags[label]
            budget -= 1
    return removed.pairs()


def kept_rows(
    combos: Combinations,
    combination_ids: np.ndarray,
    occurrences: np.ndarray,
    xp: Any,
    device: Any,
) -> Array:
    """Indices (on the device, increasing) of the rows not removed."""
    n_samples = int(combos.codes.shape[0])
    gone = combos.rows(combination_ids, occurrences, xp, device)
    if int(gone.shape[0]) == 0:
        return xp.arange(n_samples, dtype=index_dtype(xp, device), device=device)
    hits = bincount(xp.astype(gone, index_dtype(xp, device)), n_samples, None, xp)
    kept = xp.nonzero(hits == 0)[0]
    return xp.astype(kept, index_dtype(xp, device))


class MLRUS(BaseMultilabelSampler):
    """Multilabel random under-sampling (MLRUS, Charte et al. 2015).

    Labels whose ``IRLbl`` is below the data set's ``MeanIR`` are the majority
    labels; their rows form one *bag* per label. In rounds, each remaining bag (in
    label order) loses one uniformly drawn row still present in it; the label counts
    are updated with the row's whole label set, and a bag leaves once its label's
    ``IRLbl`` is ``>= MeanIR`` (the input's MeanIR, computed once) or it has no
    deletable row left. As in the paper, a row that holds any minority label
    (``IRLbl > MeanIR``) is never deleted. F. Charte, A. J. Rivera, M. J. del Jesus,
    F. Herrera, Neurocomputing 163 (2015).

    Parameters
    ----------
    sampling_strategy : float or dict, default=0.25
        A float P in (0, 1]: delete ``floor(P * n_samples)`` rows (25 % by
        default), fewer when no bag is left. ``{"mean_ir": t}`` (t >= 1): delete
        until the recomputed MeanIR is ``<= t`` or no bag is left.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library
        and device.

    Attributes
    ----------
    sample_indices_ : array of shape (n_resampled,)
        The kept rows, in input order, on the input's device.
    irlbl_ : numpy.ndarray of shape (n_labels,)
        IRLbl of each input label (inf for a label without rows, left out of MeanIR).
    mean_ir_ : float
        MeanIR of the input.
    mean_ir_resampled_ : float
        MeanIR of the output.
    minority_labels_ : numpy.ndarray
        Positions of the labels with ``IRLbl > MeanIR`` (their rows are protected).
    n_features_in_ : int
        Number of features.
    n_labels_ : int
        Number of labels.

    Notes
    -----
    MeanIR is not guaranteed to fall: deleting a row of a majority label that is not
    the most frequent one raises that label's IRLbl, and when the most frequent
    label's rows are all protected, only such deletions happen.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.multilabel import MLRUS
    >>> X = np.arange(16.0).reshape(8, 2)
    >>> y = np.array([[1, 0]] * 6 + [[1, 1], [0, 1]])
    >>> sampler = MLRUS(sampling_strategy=0.25, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> y_res.sum(axis=0).tolist()
    [5, 2]
    >>> sampler.mean_ir_, sampler.mean_ir_resampled_
    (2.25, 1.75)
    """

    def __init__(
        self, *, sampling_strategy: Any = 0.25, random_state: RandomStateLike = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def _check_params(self, data: MultilabelData) -> None:
        check_strategy(self.sampling_strategy)

    def _resample(
        self, data: MultilabelData, combos: Combinations, rng: np.random.Generator
    ) -> tuple[Any, Any, Any]:
        strategy = check_strategy(self.sampling_strategy)
        combination_ids, occurrences = mlrus_plan(
            combos.table, combos.counts, strategy, rng
        )
        indices = kept_rows(combos, combination_ids, occurrences, data.xp, data.device)
        self.sample_indices_ = indices
        final = combos.label_counts - np.bincount(
            combination_ids, minlength=combos.counts.size
        ) @ combos.table.astype(np.int64)
        self.mean_ir_resampled_ = mean_ir(final)
        return take_all_rows(data, indices)
