"""A train/test split of multilabel data by iterative stratification.

Sechidis, Tsoumakas and Vlahavas, "On the Stratification of Multi-Label Data"
(ECML PKDD 2011), Algorithm 1 with two subsets: labels are handled from the rarest
(fewest rows still unassigned) to the most frequent, and each row of the label goes
to the subset that still wants the most rows of that label, ties broken by the
subset that wants the most rows overall, then at random. Rare labels thus get their
share of positives in both parts, which a random split does not promise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._params import check_scalar
from balancekit._random import check_random_state

__all__ = ["iterative_train_test_split"]


def iterative_train_test_split(
    Y: Any, test_size: float = 0.25, random_state: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of a train and a test part, stratified for every label.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_labels)
        0/1 label indicator.
    test_size : float in (0, 1), default=0.25
        Share of the rows in the test part (exact up to rounding of the last ties).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the row order and of the tie breaks.

    Returns
    -------
    train, test : numpy.ndarray of int64
        Sorted row indices; together they are every row once.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.zeros((20, 2), dtype=int)
    >>> Y[:4, 0] = 1
    >>> Y[4:12, 1] = 1
    >>> train, test = iterative_train_test_split(Y, 0.25, random_state=0)
    >>> len(train), len(test), Y[test].sum(axis=0).tolist()
    (15, 5, [1, 2])
    """
    Y = np.asarray(Y)
    if Y.ndim != 2 or not np.isin(Y, (0, 1)).all():
        raise ValueError("`Y` must be a 2-D 0/1 label indicator.")
    check_scalar(
        test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
    )
    rng = check_random_state(random_state)
    positive = Y.astype(bool)
    n_samples = positive.shape[0]
    ratios = np.array([test_size, 1.0 - test_size])
    wanted_rows = ratios * n_samples
    wanted_labels = np.outer(ratios, positive.sum(axis=0)).astype(np.float64)
    subset = np.full(n_samples, -1, dtype=np.int64)
    remaining = positive.copy()
    order = rng.permutation(n_samples)
    while True:
        left = remaining.sum(axis=0)
        candidates = np.flatnonzero(left > 0)
        if candidates.size == 0:
            break
        label = candidates[np.argmin(left[candidates])]  # first of the rarest
        for row in order[remaining[order, label]]:
            want = wanted_labels[:, label]
            best = np.flatnonzero(want == want.max())
            if best.size > 1:
                rows_want = wanted_rows[best]
                best = best[rows_want == rows_want.max()]
            chosen = int(best[0] if best.size == 1 else rng.choice(best))
            subset[row] = chosen
            remaining[row] = False
            wanted_rows[chosen] -= 1
            wanted_labels[chosen] -= positive[row]
    for row in order[subset[order] < 0]:  # rows without any label
        best = np.flatnonzero(wanted_rows == wanted_rows.max())
        chosen = int(best[0] if best.size == 1 else rng.choice(best))
        subset[row] = chosen
        wanted_rows[chosen] -= 1
    return np.flatnonzero(subset == 1), np.flatnonzero(subset == 0)
