"""Mixup-family batch augmentation on the input's device: mixup, Remix, Balanced-MixUp.

Every function takes a batch ``x`` of shape (N, ...) and labels ``y`` (integer (N,) or
soft (N, num_classes)) and returns ``(x_new, y_soft)`` in the input's namespace and on
its device. The mixing coefficients and partner indices are drawn on the host by a
NumPy Generator (O(N) scalars) and moved to the device once per call; only O(C) values
(class counts) and scalar checks come back to the host.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    index_dtype,
    move_indices,
    numpy_for_cpu_tensors,
    to_host,
)
from balancekit._loss_params import check_class_counts
from balancekit._random import RandomStateLike, check_random_state
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import check_scalar

__all__ = ["balanced_mixup", "mixup", "remix"]

# Tolerance on the row sums of soft labels (float32 one-hot rows sum exactly to 1).
_ROW_SUM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Batch:
    """A validated batch: namespace, device, features, soft and hard labels, counts."""

    xp: Namespace
    device: Device
    x: Array
    y_soft: Array
    labels: Array
    counts: np.ndarray  # host, (num_classes,): samples of each class in the batch


def check_num_classes(num_classes: Any) -> int:
    """``num_classes`` as an int >= 2."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, Integral):
        raise TypeError(
            f"`num_classes` must be an int; got {type(num_classes).__name__}."
        )
    if num_classes < 2:
        raise ValueError(f"`num_classes` must be >= 2; got {num_classes}.")
    return int(num_classes)


def check_class_indices(value: Any, name: str, num_classes: int) -> list[int]:
    """An int or a sequence of ints, each a class index in [0, num_classes)."""
    values = [value] if isinstance(value, Integral) else value
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(
            f"`{name}` must be None, an int or a sequence of ints; got "
            f"{type(value).__name__}."
        )
    indices = []
    for item in values:
        if isinstance(item, bool) or not isinstance(item, Integral):
            raise TypeError(f"`{name}` must hold ints; got {item!r}.")
        if not 0 <= int(item) < num_classes:
            raise ValueError(
                f"`{name}` must lie in [0, num_classes) = [0, {num_classes}); got "
                f"{int(item)}."
            )
        indices.append(int(item))
    return indices


def one_hot(labels: Array, num_classes: int, dtype: Any, xp: Namespace) -> Array:
    """One-hot rows (N, num_classes) of integer ``labels`` in ``dtype``, on device."""
    return xpx.one_hot(labels, num_classes, dtype=dtype, xp=xp)


def check_batch(x: Array, y: Array, num_classes: Any) -> Batch:
    """Validate ``x``, ``y`` and ``num_classes``; soft labels in ``x``'s dtype."""
    num_classes = check_num_classes(num_classes)
    if isinstance(x, list | tuple):
        x = np.asarray(x)
    if isinstance(y, list | tuple):
        y = np.asarray(y)
    xp, device = get_namespace_and_device(x=x, y=y)
    if not xp.isdtype(x.dtype, "real floating"):
        raise TypeError(
            f"`x` must have a real floating dtype; got {x.dtype}. Convert it first "
            "(e.g. `x.float()` in PyTorch, `x.astype(np.float32)` in NumPy)."
        )
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(
            f"`x` must have shape (N, ...) with N >= 1; got {tuple(x.shape)}."
        )
    n_samples = int(x.shape[0])
    if y.ndim not in (1, 2):
        raise ValueError(
            "`y` must be integer labels (N,) or soft labels (N, num_classes); got "
            f"shape {tuple(y.shape)}."
        )
    if int(y.shape[0]) != n_samples:
        raise ValueError(
            f"`x` and `y` must have the same length; got {n_samples} and "
            f"{int(y.shape[0])}."
        )
    if y.ndim == 1:
        if not xp.isdtype(y.dtype, "integral"):
            raise TypeError(
                f"`y` of shape (N,) must hold integer class labels; got {y.dtype}. "
                "Pass soft labels as (N, num_classes)."
            )
        low, high = int(xp.min(y)), int(xp.max(y))
        if low < 0 or high >= num_classes:
            raise ValueError(
                f"`y` labels must lie in [0, num_classes) = [0, {num_classes}); got "
                f"values in [{low}, {high}]."
            )
        labels = y
        y_soft = one_hot(y, num_classes, x.dtype, xp)
    else:
        if int(y.shape[1]) != num_classes:
            raise ValueError(
                f"`y` as soft labels must have num_classes={num_classes} columns; "
                f"got shape {tuple(y.shape)}."
            )
        if not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
            raise TypeError(f"`y` has unsupported dtype {y.dtype}.")
        y_soft = xp.astype(y, x.dtype)
        if not bool(xp.all((y_soft >= 0) & (y_soft <= 1))):
            raise ValueError(
                "`y` as soft labels must hold probabilities in [0, 1]; got values "
                "outside (or NaN)."
            )
        row_sums = xp.sum(y_soft, axis=1)
        if not bool(xp.all(xp.abs(row_sums - 1) <= _ROW_SUM_TOLERANCE)):
            raise ValueError("`y` as soft labels must have rows that sum to 1.")
        labels = xp.argmax(y_soft, axis=1)
    hot = one_hot(labels, num_classes, index_dtype(xp, device), xp)
    counts_dev = xp.sum(hot, axis=0)
    counts = to_host(counts_dev, xp).astype(np.int64)
    return Batch(xp, device, x, y_soft, labels, counts)


def _column(values: np.ndarray, batch: Batch) -> Array:
    """Host draws (N,) as an (N, 1, ..., 1) array of x's dtype on the device."""
    xp = batch.xp
    on_device = xp.asarray(values, dtype=batch.x.dtype, device=batch.device)
    return xp.reshape(on_device, (-1,) + (1,) * (batch.x.ndim - 1))


def _mix(
    batch: Batch, lam: np.ndarray, partners: np.ndarray
) -> tuple[Array, Array, Array]:
    """``lam * x + (1 - lam) * x[partners]``; also returns lam and the partner rows."""
    xp = batch.xp
    index = move_indices(partners, xp, batch.device)
    lam_x = _column(lam, batch)
    x_partner = xp.take(batch.x, index, axis=0)
    x_new = lam_x * batch.x + (1 - lam_x) * x_partner
    return x_new, index, xp.reshape(lam_x, (-1, 1))


@numpy_for_cpu_tensors("x", "y", floats=("x",))
def mixup(
    x: Array,
    y: Array,
    *,
    num_classes: int,
    alpha: float = 0.2,
    random_state: RandomStateLike = None,
) -> tuple[Array, Array]:
    """Mixup (Zhang et al., 2018) of a batch with a random permutation of itself.

    For each sample ``i``, ``lam_i ~ Beta(alpha, alpha)`` (one draw per sample) and a
    partner ``perm[i]`` from one random permutation of the batch give
    ``x_new[i] = lam_i * x[i] + (1 - lam_i) * x[perm[i]]`` and the same mix of the
    labels.

    Parameters
    ----------
    x : array of shape (N, ...)
        Real floating features with any trailing shape.
    y : array of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft (one-hot) labels.
    num_classes : int
        Number of classes C >= 2.
    alpha : float, default=0.2
        Beta distribution parameter, > 0.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the host draws (one seed: same output on every array library).

    Returns
    -------
    x_new : array of shape (N, ...)
        Mixed features, dtype, namespace and device of ``x``.
    y_soft : array of shape (N, num_classes)
        Mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.augmentation import mixup
    >>> x = np.arange(8, dtype=np.float32).reshape(4, 2)
    >>> x_new, y_soft = mixup(x, np.array([0, 0, 1, 1]), num_classes=2, random_state=0)
    >>> x_new.shape, y_soft.shape, bool(np.allclose(y_soft.sum(axis=1), 1))
    ((4, 2), (4, 2), True)
    """
    batch = check_batch(x, y, num_classes)
    alpha = check_scalar(alpha, "alpha", low=0.0, low_open=True)
    rng = check_random_state(random_state)
    n_samples = int(batch.x.shape[0])
    lam = rng.beta(alpha, alpha, size=n_samples)
    partners = rng.permutation(n_samples)
    x_new, index, lam_y = _mix(batch, lam, partners)
    y_partner = batch.xp.take(batch.y_soft, index, axis=0)
    return x_new, lam_y * batch.y_soft + (1 - lam_y) * y_partner


def check_class_counts_of(class_counts: Any, num_classes: int) -> np.ndarray:
    """``class_counts`` as num_classes finite counts > 0 (float64, on the host)."""
    counts = check_class_counts(class_counts)
    if counts.shape != (num_classes,):
        raise ValueError(
            f"`class_counts` must have length num_classes={num_classes}; got shape "
            f"{counts.shape}."
        )
    return counts


@numpy_for_cpu_tensors("x", "y", floats=("x",))
def remix(
    x: Array,
    y: Array,
    *,
    num_classes: int,
    alpha: float = 0.2,
    kappa: float = 3.0,
    tau: float = 0.5,
    class_counts: Sequence[float] | None = None,
    random_state: RandomStateLike = None,
) -> tuple[Array, Array]:
    """Remix (Chou et al., 2020): mixup whose label leans to the minority class.

    Features are mixed as in :func:`mixup`: ``x_new[i] = lam_i * x[i] + (1 - lam_i) *
    x[j]`` with ``lam_i ~ Beta(alpha, alpha)`` per sample and ``j = perm[i]``. The
    label is ``y_soft[i] = lam_y * y[i] + (1 - lam_y) * y[j]`` with, as in the paper
    (Eq. 3), ``n_i`` and ``n_j`` the counts of the classes of ``i`` and ``j``:

    - ``lam_y = 0`` (fully class of ``j``) if ``n_i / n_j >= kappa`` and
      ``lam_i < tau``;
    - ``lam_y = 1`` (fully class of ``i``) if ``n_i / n_j <= 1 / kappa`` and
      ``1 - lam_i < tau``;
    - ``lam_y = lam_i`` otherwise.

    So the label moves fully to the minority class of the pair when that class is at
    least ``kappa`` times rarer and the minority sample contributes enough of the
    features (more than ``1 - tau``). For soft ``y`` a sample's class is its argmax.

    Parameters
    ----------
    x : array of shape (N, ...)
        Real floating features with any trailing shape.
    y : array of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft (one-hot) labels.
    num_classes : int
        Number of classes C >= 2.
    alpha : float, default=0.2
        Beta distribution parameter, > 0.
    kappa : float, default=3.0
        Imbalance ratio threshold, >= 1.
    tau : float, default=0.5
        Mixing threshold in [0, 1].
    class_counts : sequence of C numbers > 0, default=None
        Class counts to use (e.g. of the whole training set); default: the counts in
        the batch.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the host draws.

    Returns
    -------
    x_new : array of shape (N, ...)
        Mixed features, dtype, namespace and device of ``x``.
    y_soft : array of shape (N, num_classes)
        Rebalanced mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.augmentation import remix
    >>> x = np.arange(10, dtype=np.float32).reshape(5, 2)
    >>> y = np.array([0, 0, 0, 0, 1])
    >>> x_new, y_soft = remix(x, y, num_classes=2, kappa=2.0, random_state=0)
    >>> y_soft.shape, bool(np.allclose(y_soft.sum(axis=1), 1))
    ((5, 2), True)
    """
    batch = check_batch(x, y, num_classes)
    num_classes = int(batch.counts.shape[0])
    alpha = check_scalar(alpha, "alpha", low=0.0, low_open=True)
    kappa = check_scalar(kappa, "kappa", low=1.0)
    tau = check_scalar(tau, "tau", low=0.0, high=1.0)
    counts = (
        batch.counts.astype(np.float64)
        if class_counts is None
        else check_class_counts_of(class_counts, num_classes)
    )
    rng = check_random_state(random_state)
    xp, device = batch.xp, batch.device
    n_samples = int(batch.x.shape[0])
    lam = rng.beta(alpha, alpha, size=n_samples)
    partners = rng.permutation(n_samples)
    x_new, index, lam_x = _mix(batch, lam, partners)
    counts_dev = xp.asarray(counts, dtype=batch.x.dtype, device=device)
    n_i = xp.take(counts_dev, batch.labels, axis=0)
    n_j = xp.take(counts_dev, xp.take(batch.labels, index, axis=0), axis=0)
    ratio = xp.reshape(n_i / n_j, (-1, 1))
    to_j = (ratio >= kappa) & (lam_x < tau)
    to_i = (ratio <= 1 / kappa) & ((1 - lam_x) < tau)
    zero, one = xp.zeros_like(lam_x), xp.ones_like(lam_x)
    lam_y = xp.where(to_j, zero, xp.where(to_i, one, lam_x))
    y_partner = xp.take(batch.y_soft, index, axis=0)
    return x_new, lam_y * batch.y_soft + (1 - lam_y) * y_partner


def balanced_partners(
    counts: np.ndarray, n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Class-balanced draws: a present class uniformly, then a position in it.

    Returns the drawn classes and positions into the labels sorted stably by class
    (``argsort(labels, stable=True)``), both on the host.
    """
    present = np.flatnonzero(counts)
    classes = present[rng.integers(0, present.shape[0], size=n_draws)]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    offsets = np.floor(rng.random(n_draws) * counts[classes]).astype(np.int64)
    return classes, starts[classes] + np.minimum(offsets, counts[classes] - 1)


@numpy_for_cpu_tensors("x", "y", floats=("x",))
def balanced_mixup(
    x: Array,
    y: Array,
    *,
    num_classes: int,
    alpha: float = 0.2,
    random_state: RandomStateLike = None,
) -> tuple[Array, Array]:
    """Balanced-MixUp (Galdran et al., 2021): mix each sample with a class-balanced one.

    The partner of each sample is drawn class-balanced from the batch: first a class
    uniformly among the classes present, then a sample of that class uniformly. With
    ``lam_i ~ Beta(alpha, 1)`` per sample, following the authors' code
    (``(1 - lam) * x_instance + lam * x_balanced``)::

        x_new[i] = (1 - lam_i) * x[i] + lam_i * x[partner[i]]

    and the same mix of the labels. ``E[lam] = alpha / (alpha + 1)``: a small ``alpha``
    keeps mostly the original sample and adds a little of the balanced one.

    Parameters
    ----------
    x : array of shape (N, ...)
        Real floating features with any trailing shape.
    y : array of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft (one-hot) labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    alpha : float, default=0.2
        First parameter of Beta(alpha, 1), > 0.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the host draws.

    Returns
    -------
    x_new : array of shape (N, ...)
        Mixed features, dtype, namespace and device of ``x``.
    y_soft : array of shape (N, num_classes)
        Mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.augmentation import balanced_mixup
    >>> x = np.arange(12, dtype=np.float64).reshape(6, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 1])
    >>> x_new, y_soft = balanced_mixup(x, y, num_classes=2, random_state=0)
    >>> x_new.shape, bool(np.allclose(y_soft.sum(axis=1), 1))
    ((6, 2), True)
    """
    batch = check_batch(x, y, num_classes)
    alpha = check_scalar(alpha, "alpha", low=0.0, low_open=True)
    rng = check_random_state(random_state)
    xp, device = batch.xp, batch.device
    n_samples = int(batch.x.shape[0])
    lam = rng.beta(alpha, 1.0, size=n_samples)
    _, positions = balanced_partners(batch.counts, n_samples, rng)
    order = xp.argsort(batch.labels, stable=True)
    partners = xp.take(order, move_indices(positions, xp, device), axis=0)
    # x_new = (1 - lam) x + lam x_partner, i.e. _mix's form with weight 1 - lam on x.
    weight = _column(1.0 - lam, batch)
    x_partner = xp.take(batch.x, partners, axis=0)
    x_new = weight * batch.x + (1 - weight) * x_partner
    weight_y = xp.reshape(weight, (-1, 1))
    y_partner = xp.take(batch.y_soft, partners, axis=0)
    return x_new, weight_y * batch.y_soft + (1 - weight_y) * y_partner
