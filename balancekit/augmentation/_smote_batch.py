"""SMOTE inside one batch: append synthetic minority rows, on the input's device."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

from balancekit._array_api import class_indices, move_indices, numpy_for_cpu_tensors
from balancekit._random import RandomStateLike, check_random_state
from balancekit._typing import Array
from balancekit.augmentation._mixup import check_batch, check_class_indices, one_hot
from balancekit.over_sampling._smote_base import (
    fit_neighbours,
    interpolate,
    neighbours_excluding_self,
)

__all__ = ["smote_batch"]


def _target_classes(target_class: Any, counts: np.ndarray) -> list[int]:
    num_classes = int(counts.shape[0])
    if target_class is None:
        return [c for c in range(num_classes) if 0 < counts[c] < counts.max()]
    targets = check_class_indices(target_class, "target_class", num_classes)
    for value in targets:
        if counts[value] == 0:
            raise ValueError(
                f"`target_class` {value} has no sample in the batch to interpolate."
            )
    return sorted(set(targets))


def _allocate(n_new: Any, targets: list[int], counts: np.ndarray) -> list[int]:
    """New rows per target class: the deficits to the largest class, or ``n_new``
    split in proportion to them (equally when no target class has a deficit)."""
    deficits = np.array([counts.max() - counts[c] for c in targets], dtype=np.int64)
    if n_new is None:
        return [int(d) for d in deficits]
    if isinstance(n_new, bool) or not isinstance(n_new, Integral):
        raise TypeError(f"`n_new` must be None or an int; got {type(n_new).__name__}.")
    n_new = int(n_new)
    if n_new < 0:
        raise ValueError(f"`n_new` must be >= 0; got {n_new}.")
    if not targets:
        if n_new > 0:
            raise ValueError("`n_new` > 0 but no class to over-sample in the batch.")
        return []
    weights = deficits if deficits.sum() > 0 else np.ones(len(targets), np.int64)
    shares = n_new * weights / weights.sum()
    allocated = np.floor(shares).astype(np.int64)
    remainder = int(n_new - allocated.sum())
    order = np.argsort(-(shares - allocated), kind="stable")
    allocated[order[:remainder]] += 1
    return [int(a) for a in allocated]


@numpy_for_cpu_tensors("x", "y", floats=("x",))
def smote_batch(
    x: Array,
    y: Array,
    *,
    num_classes: int,
    k_neighbors: Any = 5,
    n_new: int | None = None,
    target_class: int | Sequence[int] | None = None,
    random_state: RandomStateLike = None,
) -> tuple[Array, Array]:
    """SMOTE inside a batch: append synthetic rows of the minority classes.

    For each target class, ``n_c`` parents are drawn uniformly among its samples in the
    batch, each with a partner drawn uniformly among the parent's ``k_neighbors``
    nearest same-class samples (Euclidean on the flattened features), and the new row
    is ``x[parent] + step * (x[partner] - x[parent])`` with ``step ~ U[0, 1)``.

    Parameters
    ----------
    x : array of shape (N, ...)
        Real floating features with any trailing shape.
    y : array of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    k_neighbors : int or object with ``fit`` and ``kneighbors``, default=5
        Number of same-class neighbours (each target class needs more samples than
        this), or a neighbours object as in :class:`balancekit.over_sampling.SMOTE`.
    n_new : int or None, default=None
        Number of rows to add. Default: enough to bring every target class to the
        count of the largest class. An int is split among the target classes in
        proportion to their deficits (equally if none has one).
    target_class : int, sequence of int or None, default=None
        The classes to over-sample; default: every class present in the batch with
        fewer samples than the largest one.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the host draws.

    Returns
    -------
    x_new : array of shape (N + n_new, ...)
        The batch followed by the synthetic rows; dtype, namespace, device of ``x``.
    y_soft : array of shape (N + n_new, num_classes)
        The batch's labels (one-hot, or the given soft rows) followed by one-hot rows
        of the synthetic samples' classes, in ``x``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.augmentation import smote_batch
    >>> x = np.arange(14, dtype=np.float32).reshape(7, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1])
    >>> x_new, y_soft = smote_batch(x, y, num_classes=2, k_neighbors=1, random_state=0)
    >>> x_new.shape, y_soft.sum(axis=0).tolist()
    ((10, 2), [5.0, 5.0])
    """
    batch = check_batch(x, y, num_classes)
    targets = _target_classes(target_class, batch.counts)
    per_class = _allocate(n_new, targets, batch.counts)
    rng = check_random_state(random_state)
    xp, device, values = batch.xp, batch.device, batch.x
    parents, partners, steps, new_labels = [], [], [], []
    for cls, n_class_new in zip(targets, per_class, strict=True):
        if n_class_new == 0:
            continue
        members = class_indices(batch.labels, cls, xp)
        points = xp.take(values, members, axis=0)
        estimator = fit_neighbours("k_neighbors", k_neighbors, points, cls)
        neighbours = neighbours_excluding_self(
            estimator, points, "k_neighbors", xp, device
        )
        n_members, k = int(neighbours.shape[0]), int(neighbours.shape[1])
        choice = move_indices(
            rng.integers(0, n_members * k, size=n_class_new), xp, device
        )
        partner_local = xp.take(xp.reshape(neighbours, (-1,)), choice, axis=0)
        parents.append(xp.take(members, choice // k, axis=0))
        partners.append(xp.take(members, partner_local, axis=0))
        steps.append(rng.random(n_class_new))
        new_labels.append(np.full(n_class_new, cls, dtype=np.int64))
    if not parents:
        return xp.asarray(values, copy=True), batch.y_soft
    step = xp.asarray(np.concatenate(steps), dtype=values.dtype, device=device)
    x_synthetic = interpolate(values, xp.concat(parents), xp.concat(partners), step, xp)
    labels = move_indices(np.concatenate(new_labels), xp, device)
    y_synthetic = one_hot(labels, batch.counts.shape[0], values.dtype, xp)
    return (
        xp.concat([values, x_synthetic], axis=0),
        xp.concat([batch.y_soft, y_synthetic], axis=0),
    )
