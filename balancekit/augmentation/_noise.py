"""Gaussian feature noise for chosen classes of a batch, on the input's device."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from balancekit._array_api import index_dtype, numpy_for_cpu_tensors
from balancekit._random import RandomStateLike, check_random_state
from balancekit._typing import Array
from balancekit._validation import check_scalar
from balancekit.augmentation._mixup import check_batch, check_class_indices

__all__ = ["gaussian_noise"]


def _check_classes(classes: Any, counts: np.ndarray) -> np.ndarray:
    """The classes to perturb as a host boolean mask of length num_classes."""
    num_classes = int(counts.shape[0])
    if classes is None:
        chosen = np.ones(num_classes, dtype=bool)
        chosen[int(np.argmax(counts))] = False
        return chosen
    chosen = np.zeros(num_classes, dtype=bool)
    chosen[check_class_indices(classes, "classes", num_classes)] = True
    return chosen


@numpy_for_cpu_tensors("x", "y", floats=("x",))
def gaussian_noise(
    x: Array,
    y: Array,
    *,
    num_classes: int,
    std: float = 0.1,
    classes: int | Sequence[int] | None = None,
    random_state: RandomStateLike = None,
) -> tuple[Array, Array]:
    """Add Gaussian noise scaled by each feature's spread to the chosen classes.

    A sample of a chosen class becomes ``x[i] + std * feature_std * z`` with ``z``
    standard normal per element and ``feature_std`` the standard deviation of each
    feature over the whole batch (population, ``correction=0``); i.e. noise
    ``N(0, std**2 * feature_std**2)``. Other samples are returned unchanged. The
    normal draws (one per element of the chosen rows) are made on the host and moved
    once.

    Parameters
    ----------
    x : array of shape (N, ...)
        Real floating features with any trailing shape.
    y : array of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    std : float, default=0.1
        Noise scale relative to each feature's standard deviation, > 0.
    classes : int, sequence of int or None, default=None
        The classes whose samples get noise; default: every class except the most
        frequent one in the batch (the smallest label among ties).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the host draws.

    Returns
    -------
    x_new : array of shape (N, ...)
        Features, dtype, namespace and device of ``x``.
    y_soft : array of shape (N, num_classes)
        The labels as one-hot (or the given soft) rows in ``x``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.augmentation import gaussian_noise
    >>> x = np.arange(8, dtype=np.float32).reshape(4, 2)
    >>> x_new, y_soft = gaussian_noise(x, np.array([0, 0, 0, 1]), num_classes=2,
    ...                                random_state=0)
    >>> bool(np.array_equal(x_new[:3], x[:3])), bool(np.any(x_new[3] != x[3]))
    (True, True)
    """
    batch = check_batch(x, y, num_classes)
    std = check_scalar(std, "std", low=0.0, low_open=True)
    chosen = _check_classes(classes, batch.counts)
    rng = check_random_state(random_state)
    xp, device, x = batch.xp, batch.device, batch.x
    n_chosen = int(batch.counts[chosen].sum())
    trailing = tuple(int(d) for d in x.shape[1:])
    if n_chosen == 0:
        return xp.asarray(x, copy=True), batch.y_soft
    chosen_dev = xp.asarray(chosen, device=device)
    mask = xp.take(chosen_dev, batch.labels, axis=0)
    # Row i takes noise row (rank of i among the chosen rows), or a zero row.
    rank = xp.cumulative_sum(xp.astype(mask, batch.labels.dtype)) - 1
    fill = xp.full_like(rank, n_chosen)
    rows = xp.where(mask, rank, fill)
    noise = xp.asarray(
        rng.standard_normal((n_chosen, *trailing)), dtype=x.dtype, device=device
    )
    zero_row = xp.zeros((1, *trailing), dtype=x.dtype, device=device)
    noise = xp.concat([noise, zero_row], axis=0)
    feature_std = xp.std(x, axis=0, correction=0)
    index = xp.astype(rows, index_dtype(xp, device))
    return x + std * feature_std * xp.take(noise, index, axis=0), batch.y_soft
