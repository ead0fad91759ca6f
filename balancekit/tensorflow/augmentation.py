"""Batch augmentation for imbalanced data in TensorFlow ops, for tf.data pipelines.

TensorFlow counterparts of :mod:`balancekit.augmentation` with the same definitions,
parameters and defaults: :func:`mixup`, :func:`remix`, :func:`balanced_mixup`,
:func:`smote_batch` and :func:`gaussian_noise`. Each is a stateless op::

    x_new, y_soft = f(x, y, *, num_classes, ..., seed)

made only of TF ops, so it runs eagerly, in a ``tf.function`` and in the graph of
``Dataset.map`` on batched datasets. ``x`` is a float tensor (N, ...) with any
trailing shape, ``y`` integer labels (N,) or soft labels (N, num_classes); ``y_soft``
comes back in ``x``'s dtype with rows summing to 1. ``seed`` is a shape-(2,) int32 or
int64 tensor (TF's stateless RNG): the same seed gives the same output. The random
draws differ from the NumPy-driven core (another generator); their distributions
are the same.

:func:`augment_batches` turns any of them into a ``dataset.apply`` transformation
that gives each batch its own seed from ``tf.data.Dataset.random`` (reproducible
for a given ``seed``, fresh draws on every epoch).

Python parameters are checked when the function is called or traced (``TypeError``
/ ``ValueError`` naming the parameter). Checks on the data (label range, a
``target_class`` absent from the batch, ...) are ``tf.debugging`` assertions: they
raise ``tf.errors.InvalidArgumentError`` naming the parameter when they run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from balancekit.tensorflow._augment_batches import augment_batches
from balancekit.tensorflow._augmentation_ops import (
    beta,
    check_batch,
    check_seed,
    column,
    mix,
    permutation,
    smote_allocation,
    smote_rows,
    split_seed,
    uniform_member,
)
from balancekit.tensorflow._augmentation_params import (
    check_mixup,
    check_noise,
    check_remix,
    check_smote,
    checked_by,
)

__all__ = [
    "augment_batches",
    "balanced_mixup",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]

Pair = tuple[tf.Tensor, tf.Tensor]


@checked_by(check_mixup)
def mixup(x: Any, y: Any, *, num_classes: int, alpha: float = 0.2, seed: Any) -> Pair:
    """Mixup (Zhang et al., 2018) of a batch with a random permutation of itself.

    For each sample ``i``, ``lam_i ~ Beta(alpha, alpha)`` (one draw per sample) and a
    partner ``perm[i]`` from one random permutation of the batch give
    ``x_new[i] = lam_i * x[i] + (1 - lam_i) * x[perm[i]]`` and the same mix of the
    labels.

    Parameters
    ----------
    x : float tensor of shape (N, ...)
        Features with any trailing shape.
    y : tensor of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft (one-hot) labels.
    num_classes : int
        Number of classes C >= 2.
    alpha : float, default=0.2
        Beta distribution parameter, > 0.
    seed : int tensor of shape (2,)
        Stateless RNG seed (int32 or int64).

    Returns
    -------
    x_new : tensor of shape (N, ...)
        Mixed features in ``x``'s dtype.
    y_soft : tensor of shape (N, num_classes)
        Mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import mixup
    >>> x = tf.reshape(tf.range(8, dtype=tf.float32), (4, 2))
    >>> x_new, y_soft = mixup(x, tf.constant([0, 0, 1, 1]), num_classes=2,
    ...                       seed=[1, 2])
    >>> x_new.shape, y_soft.shape
    (TensorShape([4, 2]), TensorShape([4, 2]))
    >>> bool(tf.reduce_all(tf.abs(tf.reduce_sum(y_soft, axis=1) - 1) < 1e-6))
    True
    """
    params = check_mixup(num_classes=num_classes, alpha=alpha)
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    seed_lam, seed_perm = split_seed(seed, 2)
    n = tf.shape(batch.x)[0]
    lam = beta(n, params["alpha"], params["alpha"], seed_lam)
    return mix(batch, lam, permutation(n, seed_perm), lam)


@checked_by(check_remix)
def remix(
    x: Any,
    y: Any,
    *,
    num_classes: int,
    alpha: float = 0.2,
    kappa: float = 3.0,
    tau: float = 0.5,
    class_counts: Sequence[float] | None = None,
    seed: Any,
) -> Pair:
    """Remix (Chou et al., 2020): mixup whose label leans to the minority class.

    Features are mixed as in :func:`mixup`: ``x_new[i] = lam_i * x[i] + (1 - lam_i) *
    x[j]`` with ``lam_i ~ Beta(alpha, alpha)`` per sample and ``j = perm[i]``. The
    label is ``y_soft[i] = lam_y * y[i] + (1 - lam_y) * y[j]`` with ``n_i`` and
    ``n_j`` the counts of the classes of ``i`` and ``j``:

    - ``lam_y = 0`` (fully class of ``j``) if ``n_i / n_j >= kappa`` and
      ``lam_i < tau``;
    - ``lam_y = 1`` (fully class of ``i``) if ``n_i / n_j <= 1 / kappa`` and
      ``1 - lam_i < tau``;
    - ``lam_y = lam_i`` otherwise.

    For soft ``y`` a sample's class is its argmax.

    Parameters
    ----------
    x : float tensor of shape (N, ...)
        Features with any trailing shape.
    y : tensor of shape (N,) or (N, num_classes)
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
    seed : int tensor of shape (2,)
        Stateless RNG seed (int32 or int64).

    Returns
    -------
    x_new : tensor of shape (N, ...)
        Mixed features in ``x``'s dtype.
    y_soft : tensor of shape (N, num_classes)
        Rebalanced mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import remix
    >>> x = tf.reshape(tf.range(10, dtype=tf.float32), (5, 2))
    >>> x_new, y_soft = remix(x, tf.constant([0, 0, 0, 0, 1]), num_classes=2,
    ...                       kappa=2.0, seed=[1, 2])
    >>> y_soft.shape
    TensorShape([5, 2])
    """
    params = check_remix(
        num_classes=num_classes,
        alpha=alpha,
        kappa=kappa,
        tau=tau,
        class_counts=class_counts,
    )
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    dtype = batch.x.dtype
    seed_lam, seed_perm = split_seed(seed, 2)
    n = tf.shape(batch.x)[0]
    lam64 = beta(n, params["alpha"], params["alpha"], seed_lam)
    partners = permutation(n, seed_perm)
    counts = (
        tf.cast(batch.counts, dtype)
        if params["class_counts"] is None
        else tf.constant(params["class_counts"], dtype=dtype)
    )
    n_i = tf.gather(counts, batch.labels)
    n_j = tf.gather(counts, tf.gather(batch.labels, partners))
    ratio = n_i / n_j
    lam = tf.cast(lam64, dtype)
    kappa_, tau_ = params["kappa"], params["tau"]
    to_j = (ratio >= kappa_) & (lam < tau_)
    to_i = (ratio <= 1 / kappa_) & ((1 - lam) < tau_)
    lam_y = tf.where(to_j, tf.zeros_like(lam), tf.where(to_i, tf.ones_like(lam), lam))
    return mix(batch, lam, partners, lam_y)


@checked_by(check_mixup)
def balanced_mixup(
    x: Any, y: Any, *, num_classes: int, alpha: float = 0.2, seed: Any
) -> Pair:
    """Balanced-MixUp (Galdran et al., 2021): mix each sample with a class-balanced one.

    The partner of each sample is drawn class-balanced from the batch: first a class
    uniformly among the classes present, then a sample of that class uniformly. With
    ``lam_i ~ Beta(alpha, 1)`` per sample::

        x_new[i] = (1 - lam_i) * x[i] + lam_i * x[partner[i]]

    and the same mix of the labels. ``E[lam] = alpha / (alpha + 1)``: a small
    ``alpha`` keeps mostly the original sample.

    Parameters
    ----------
    x : float tensor of shape (N, ...)
        Features with any trailing shape.
    y : tensor of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    alpha : float, default=0.2
        First parameter of Beta(alpha, 1), > 0.
    seed : int tensor of shape (2,)
        Stateless RNG seed (int32 or int64).

    Returns
    -------
    x_new : tensor of shape (N, ...)
        Mixed features in ``x``'s dtype.
    y_soft : tensor of shape (N, num_classes)
        Mixed labels in ``x``'s dtype; rows sum to 1.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import balanced_mixup
    >>> x = tf.reshape(tf.range(12, dtype=tf.float64), (6, 2))
    >>> x_new, y_soft = balanced_mixup(x, tf.constant([0, 0, 0, 0, 0, 1]),
    ...                                num_classes=2, seed=[1, 2])
    >>> x_new.shape, y_soft.dtype.name
    (TensorShape([6, 2]), 'float64')
    """
    params = check_mixup(num_classes=num_classes, alpha=alpha)
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    seed_lam, seed_class, seed_member = split_seed(seed, 3)
    n = tf.shape(batch.x)[0]
    lam = beta(n, params["alpha"], 1.0, seed_lam)
    present = tf.where(batch.counts > 0, 0.0, float("-inf"))
    classes = tf.random.stateless_categorical(
        present[None, :], n, seed_class, dtype=tf.int32
    )[0]
    partners = uniform_member(batch, classes, seed_member)
    return mix(batch, 1.0 - lam, partners, 1.0 - lam)


@checked_by(check_smote)
def smote_batch(
    x: Any,
    y: Any,
    *,
    num_classes: int,
    k_neighbors: int = 5,
    n_new: int | None = None,
    target_class: int | Sequence[int] | None = None,
    seed: Any,
) -> Pair:
    """SMOTE inside a batch: append synthetic rows of the minority classes.

    For each target class ``c``, parents are drawn uniformly among its samples in the
    batch, each with a partner drawn uniformly among the parent's
    ``k_eff = min(k_neighbors, n_c - 1)`` nearest same-class samples (Euclidean on
    the flattened features; ``n_c`` its count in the batch), and the new row is
    ``x[parent] + step * (x[partner] - x[parent])`` with ``step ~ U[0, 1)``.

    Unlike the core (which raises), a class with at most ``k_neighbors`` samples in
    the batch uses the neighbours it has, and a class with a single sample yields
    copies of that sample. The output has a data-dependent number of rows.

    Parameters
    ----------
    x : float tensor of shape (N, ...)
        Features with any trailing shape.
    y : tensor of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    k_neighbors : int, default=5
        Number of same-class neighbours, >= 1 (no neighbours objects in TF).
    n_new : int or None, default=None
        Number of rows to add. Default: enough to bring every target class to the
        count of the largest class. An int is split among the target classes in
        proportion to their deficits (equally if none has one), the rows left over
        going to the largest fractional shares.
    target_class : int, sequence of int or None, default=None
        The classes to over-sample; default: every class present in the batch with
        fewer samples than the largest one. Each must be present in the batch.
    seed : int tensor of shape (2,)
        Stateless RNG seed (int32 or int64).

    Returns
    -------
    x_new : tensor of shape (N + n_new, ...)
        The batch followed by the synthetic rows (by class), in ``x``'s dtype.
    y_soft : tensor of shape (N + n_new, num_classes)
        The batch's labels (one-hot, or the given soft rows) followed by one-hot rows
        of the synthetic samples' classes, in ``x``'s dtype.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import smote_batch
    >>> x = tf.reshape(tf.range(14, dtype=tf.float32), (7, 2))
    >>> y = tf.constant([0, 0, 0, 0, 0, 1, 1])
    >>> x_new, y_soft = smote_batch(x, y, num_classes=2, k_neighbors=1, seed=[1, 2])
    >>> x_new.shape, tf.reduce_sum(y_soft, axis=0).numpy().tolist()
    (TensorShape([10, 2]), [5.0, 5.0])
    """
    params = check_smote(
        num_classes=num_classes,
        k_neighbors=k_neighbors,
        n_new=n_new,
        target_class=target_class,
    )
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    per_class = smote_allocation(batch.counts, params["target_class"], params["n_new"])
    x_synthetic, labels = smote_rows(batch, per_class, params["k_neighbors"], seed)
    y_synthetic = tf.one_hot(labels, batch.num_classes, dtype=batch.x.dtype)
    return (
        tf.concat([batch.x, x_synthetic], axis=0),
        tf.concat([batch.y_soft, y_synthetic], axis=0),
    )


@checked_by(check_noise)
def gaussian_noise(
    x: Any,
    y: Any,
    *,
    num_classes: int,
    std: float = 0.1,
    classes: int | Sequence[int] | None = None,
    seed: Any,
) -> Pair:
    """Add Gaussian noise scaled by each feature's spread to the chosen classes.

    A sample of a chosen class becomes ``x[i] + std * feature_std * z`` with ``z``
    standard normal per element and ``feature_std`` the standard deviation of each
    feature over the whole batch (population, divided by N). Other samples are
    returned unchanged.

    Parameters
    ----------
    x : float tensor of shape (N, ...)
        Features with any trailing shape.
    y : tensor of shape (N,) or (N, num_classes)
        Integer labels in [0, num_classes) or soft labels (class = argmax).
    num_classes : int
        Number of classes C >= 2.
    std : float, default=0.1
        Noise scale relative to each feature's standard deviation, > 0.
    classes : int, sequence of int or None, default=None
        The classes whose samples get noise; default: every class except the most
        frequent one in the batch (the smallest label among ties).
    seed : int tensor of shape (2,)
        Stateless RNG seed (int32 or int64).

    Returns
    -------
    x_new : tensor of shape (N, ...)
        Features in ``x``'s dtype.
    y_soft : tensor of shape (N, num_classes)
        The labels as one-hot (or the given soft) rows in ``x``'s dtype.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import gaussian_noise
    >>> x = tf.reshape(tf.range(8, dtype=tf.float32), (4, 2))
    >>> x_new, _ = gaussian_noise(x, tf.constant([0, 0, 0, 1]), num_classes=2,
    ...                           seed=[1, 2])
    >>> changed = tf.reduce_any(x_new != x, axis=1)
    >>> changed.numpy().tolist()
    [False, False, False, True]
    """
    params = check_noise(num_classes=num_classes, std=std, classes=classes)
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    if params["classes"] is None:
        largest = tf.argmax(batch.counts, output_type=tf.int32)
        chosen = tf.not_equal(tf.range(batch.num_classes), largest)
    else:
        chosen = tf.constant([c in params["classes"] for c in range(batch.num_classes)])
    x = batch.x
    rows = column(tf.gather(chosen, batch.labels), x)
    noise = tf.random.stateless_normal(tf.shape(x), seed, dtype=x.dtype)
    feature_std = tf.math.reduce_std(x, axis=0)
    return tf.where(rows, x + params["std"] * feature_std * noise, x), batch.y_soft
