"""MLROS: multilabel random over-sampling by label imbalance ratio (Charte 2015)."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import index_dtype
from balancekit._random import RandomStateLike
from balancekit.multilabel._bags import Bag, irlbl, mean_ir
from balancekit.multilabel._base import BaseMultilabelSampler, take_all_rows
from balancekit.multilabel._indicator import Combinations, MultilabelData
from balancekit.multilabel._strategy import Strategy, check_strategy, n_to_resample

__all__ = ["MLROS", "mlros_plan"]


def mlros_plan(
    table: np.ndarray,
    counts: np.ndarray,
    strategy: Strategy,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The clones of MLROS as (combination, occurrence) pairs, decided on the host.

    ``table``/``counts`` are the label combinations and their row counts
    (``Combinations``); a clone of combination ``c``, occurrence ``o`` copies the
    ``o``-th row (in row order) having that combination.

    Examples
    --------
    >>> table = np.array([[1, 0], [0, 1]], dtype=bool)
    >>> combos, occ = mlros_plan(table, np.array([6, 2]), Strategy(fraction=0.25),
    ...                          np.random.default_rng(0))
    >>> combos.tolist(), occ.tolist()
    ([1], [1])
    """
    n_samples = int(counts.sum())
    label_counts = counts @ table.astype(np.int64)
    start_mean_ir = mean_ir(label_counts)
    ratios = irlbl(label_counts)
    minority = np.flatnonzero((label_counts > 0) & (ratios > start_mean_ir))
    bags = {int(label): Bag(table, counts, int(label)) for label in minority}
    # The percentage form clones P * n rows; the MeanIR form at most n (the data
    # at most doubles), in case the target cannot be reached.
    budget = (
        n_to_resample(strategy.fraction, n_samples)
        if strategy.fraction is not None
        else n_samples
    )
    target = strategy.mean_ir

    def done() -> bool:
        return budget <= 0 or (target is not None and mean_ir(label_counts) <= target)

    picked: list[tuple[int, int]] = []
    while bags and not done():
        for label in list(bags):
            if done():
                break
            bag = bags[label]
            combination, occurrence = bag.locate(int(rng.integers(bag.size)))
            picked.append((combination, occurrence))
            label_counts += table[combination]
            if label_counts.max() / label_counts[label] <= start_mean_ir:
                del bags[label]
            budget -= 1
    pairs = np.asarray(picked, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


class MLROS(BaseMultilabelSampler):
    """Multilabel random over-sampling (MLROS, Charte et al. 2015).

    Labels whose imbalance ratio ``IRLbl`` exceeds the data set's ``MeanIR`` are the
    minority labels; their rows form one *bag* per label. In rounds, each remaining
    bag (in label order) gets one clone of a uniformly drawn original row of the
    bag; the label counts are updated with the clone's whole label set, and a bag
    leaves once its label's ``IRLbl`` is ``<= MeanIR`` (the MeanIR of the input,
    computed once). F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera,
    "Addressing imbalance in multilabel classification: Measures and random
    resampling algorithms", Neurocomputing 163 (2015).

    Parameters
    ----------
    sampling_strategy : float or dict, default=0.25
        A float P in (0, 1]: clone ``floor(P * n_samples)`` rows (the paper's
        percentage, 25 % by default); the loop stops exactly there (the paper's
        round may overshoot by a few clones), or earlier when no bag is left.
        ``{"mean_ir": t}`` (t >= 1): clone until the recomputed MeanIR is ``<= t``,
        no bag is left, or ``n_samples`` rows were cloned (the data at most doubles).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library
        and device.

    Attributes
    ----------
    sample_indices_ : array of shape (n_resampled,)
        Source row of every output row, on the input's device: the originals in
        input order, then the clones in the order they were made.
    irlbl_ : numpy.ndarray of shape (n_labels,)
        IRLbl of each label of the input (inf for a label without rows; such a label
        is left out of MeanIR and never resampled).
    mean_ir_ : float
        MeanIR of the input.
    mean_ir_resampled_ : float
        MeanIR of the output.
    minority_labels_ : numpy.ndarray
        Positions of the labels with ``IRLbl > MeanIR`` (the bags).
    n_features_in_ : int
        Number of features.
    n_labels_ : int
        Number of labels.

    Notes
    -----
    MeanIR usually falls, but is not guaranteed to: a clone also raises the counts of
    the other labels of its row, which can raise the most frequent label's count and
    with it every other label's IRLbl.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.multilabel import MLROS
    >>> X = np.arange(16.0).reshape(8, 2)
    >>> y = np.array([[1, 0]] * 6 + [[1, 1], [0, 1]])
    >>> sampler = MLROS(sampling_strategy=0.25, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> y_res.sum(axis=0).tolist()
    [9, 4]
    >>> sampler.mean_ir_, sampler.mean_ir_resampled_
    (2.25, 1.625)
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
        xp, device = data.xp, data.device
        strategy = check_strategy(self.sampling_strategy)
        combination_ids, occurrences = mlros_plan(
            combos.table, combos.counts, strategy, rng
        )
        new_rows = combos.rows(combination_ids, occurrences, xp, device)
        originals = xp.arange(
            data.n_samples, dtype=index_dtype(xp, device), device=device
        )
        indices = xp.concat([originals, xp.astype(new_rows, originals.dtype)])
        self.sample_indices_ = indices
        final = combos.label_counts + np.bincount(
            combination_ids, minlength=combos.counts.size
        ) @ combos.table.astype(np.int64)
        self.mean_ir_resampled_ = mean_ir(final)
        return take_all_rows(data, indices)
