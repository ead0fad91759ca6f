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

import inspect
from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import tensorflow as tf

from balancekit._validation import check_scalar
from balancekit.augmentation._mixup import (
    check_class_counts_of,
    check_class_indices,
    check_num_classes,
)
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

__all__ = [
    "augment_batches",
    "balanced_mixup",
    "gaussian_noise",
    "mixup",
    "remix",
    "smote_batch",
]

Pair = tuple[tf.Tensor, tf.Tensor]


# Python-side parameter checks: one per function, shared with augment_batches.


def _check_mixup(*, num_classes: Any, alpha: Any) -> dict[str, Any]:
    return {
        "num_classes": check_num_classes(num_classes),
        "alpha": check_scalar(alpha, "alpha", low=0.0, low_open=True),
    }


def _check_remix(
    *, num_classes: Any, alpha: Any, kappa: Any, tau: Any, class_counts: Any
) -> dict[str, Any]:
    params = _check_mixup(num_classes=num_classes, alpha=alpha)
    params["kappa"] = check_scalar(kappa, "kappa", low=1.0)
    params["tau"] = check_scalar(tau, "tau", low=0.0, high=1.0)
    params["class_counts"] = (
        None
        if class_counts is None
        else check_class_counts_of(class_counts, params["num_classes"])
    )
    return params


def _check_smote(
    *, num_classes: Any, k_neighbors: Any, n_new: Any, target_class: Any
) -> dict[str, Any]:
    num_classes = check_num_classes(num_classes)
    if isinstance(k_neighbors, bool) or not isinstance(k_neighbors, Integral):
        raise TypeError(
            "`k_neighbors` must be an int in TensorFlow (no neighbours objects); got "
            f"{type(k_neighbors).__name__}."
        )
    if k_neighbors < 1:
        raise ValueError(f"`k_neighbors` must be >= 1; got {k_neighbors}.")
    if n_new is not None:
        if isinstance(n_new, bool) or not isinstance(n_new, Integral):
            raise TypeError(
                f"`n_new` must be None or an int; got {type(n_new).__name__}."
            )
        if n_new < 0:
            raise ValueError(f"`n_new` must be >= 0; got {n_new}.")
        n_new = int(n_new)
    targets = (
        None
        if target_class is None
        else sorted(set(check_class_indices(target_class, "target_class", num_classes)))
    )
    return {
        "num_classes": num_classes,
        "k_neighbors": int(k_neighbors),
        "n_new": n_new,
        "target_class": targets,
    }


def _check_noise(*, num_classes: Any, std: Any, classes: Any) -> dict[str, Any]:
    num_classes = check_num_classes(num_classes)
    return {
        "num_classes": num_classes,
        "std": check_scalar(std, "std", low=0.0, low_open=True),
        "classes": (
            None
            if classes is None
            else check_class_indices(classes, "classes", num_classes)
        ),
    }


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
    params = _check_mixup(num_classes=num_classes, alpha=alpha)
    seed = check_seed(seed)
    batch = check_batch(x, y, params["num_classes"])
    seed_lam, seed_perm = split_seed(seed, 2)
    n = tf.shape(batch.x)[0]
    lam = beta(n, params["alpha"], params["alpha"], seed_lam)
    return mix(batch, lam, permutation(n, seed_perm), lam)


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
    params = _check_remix(
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
    params = _check_mixup(num_classes=num_classes, alpha=alpha)
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
    params = _check_smote(
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
    params = _check_noise(num_classes=num_classes, std=std, classes=classes)
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


_PARAMETER_CHECKS: dict[Callable[..., Any], Callable[..., dict[str, Any]]] = {
    mixup: _check_mixup,
    remix: _check_remix,
    balanced_mixup: _check_mixup,
    smote_batch: _check_smote,
    gaussian_noise: _check_noise,
}


def _check_fn_arguments(
    fn: Callable[..., Any], num_classes: int, kwargs: dict[str, Any]
) -> None:
    """Check ``kwargs`` fit ``fn``, and their values for the five functions here."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature (some builtins): trust fn
        return
    try:
        bound = signature.bind(None, None, num_classes=num_classes, seed=None, **kwargs)
    except TypeError as exc:
        raise TypeError(
            f"`fn` cannot be called as fn(x, y, num_classes=..., seed=..., "
            f"**{sorted(kwargs)}): {exc}."
        ) from None
    check = _PARAMETER_CHECKS.get(fn)
    if check is not None:
        bound.apply_defaults()
        names = inspect.signature(check).parameters
        check(**{name: bound.arguments[name] for name in names})


def _check_seed_value(seed: Any) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"`seed` must be None or an int; got {type(seed).__name__}.")
    return int(seed)


def _check_dataset(dataset: Any) -> None:
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(
            f"`dataset` must be a tf.data.Dataset; got {type(dataset).__name__}."
        )
    spec = dataset.element_spec
    if not (
        isinstance(spec, tuple)
        and len(spec) == 2
        and all(isinstance(s, tf.TensorSpec) for s in spec)
    ):
        raise TypeError(
            "`dataset` elements must be 2-tuples (x, y) of dense tensors; got "
            f"element_spec {spec}."
        )
    x_spec, y_spec = spec
    if x_spec.shape.rank == 0 or y_spec.shape.rank == 0:
        raise ValueError(
            "`dataset` elements must be batches (x of shape (N, ...), y of shape (N,) "
            f"or (N, C)); got element_spec {spec}. Apply this after `.batch(...)`."
        )


def augment_batches(
    fn: Callable[..., Pair],
    *,
    num_classes: int,
    seed: int | None = None,
    **kwargs: Any,
) -> Callable[[tf.data.Dataset], tf.data.Dataset]:
    """A ``Dataset.apply`` transformation augmenting each batch with ``fn``.

    The batched dataset of ``(x, y)`` elements is zipped with
    ``tf.data.Dataset.random(seed, rerandomize_each_iteration=True)`` so that each
    batch gets its own stateless seed (shape (2,), int64), and mapped (in parallel,
    order kept) with ``fn(x, y, num_classes=num_classes, seed=batch_seed,
    **kwargs)``. The same ``seed`` gives the same sequence of batches from a fresh
    pipeline; each new iteration (epoch) draws afresh; ``seed=None`` is
    nondeterministic.

    Parameters
    ----------
    fn : callable
        ``fn(x, y, *, num_classes, seed, **kwargs) -> (x_new, y_soft)`` made of TF
        ops, e.g. :func:`mixup`, :func:`remix`, :func:`balanced_mixup`,
        :func:`smote_batch` or :func:`gaussian_noise`.
    num_classes : int
        Number of classes C >= 2.
    seed : int or None, default=None
        Seed of the per-batch seeds. None: nondeterministic (unless a global seed
        was set with ``tf.random.set_seed``).
    **kwargs
        Further parameters of ``fn`` (e.g. ``alpha=0.4``), checked now for the five
        functions above.

    Returns
    -------
    transformation : callable
        ``dataset -> dataset`` of ``(x_new, y_soft)`` for ``dataset.apply``. The
        dataset's elements must be batches ``(x, y)``: a 2-tuple of dense tensors.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.augmentation import augment_batches, mixup
    >>> x = tf.random.stateless_normal((32, 3), seed=[0, 1])
    >>> y = tf.constant([0] * 24 + [1] * 8)
    >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    >>> ds = ds.apply(augment_batches(mixup, num_classes=2, seed=0, alpha=0.4))
    >>> [tuple(t.shape) for t in next(iter(ds))]
    [(16, 3), (16, 2)]
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be callable; got {type(fn).__name__}.")
    num_classes = check_num_classes(num_classes)
    seed = _check_seed_value(seed)
    _check_fn_arguments(fn, num_classes, kwargs)

    def augment(element: Pair, batch_seed: tf.Tensor) -> Pair:
        x, y = element
        return fn(x, y, num_classes=num_classes, seed=batch_seed, **kwargs)

    def transformation(dataset: tf.data.Dataset) -> tf.data.Dataset:
        _check_dataset(dataset)
        seeds = tf.data.Dataset.random(
            seed=seed, rerandomize_each_iteration=True
        ).batch(2, drop_remainder=True)
        pairs = tf.data.Dataset.zip((dataset, seeds))
        return pairs.map(
            tf.autograph.experimental.do_not_convert(augment),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )

    return transformation
