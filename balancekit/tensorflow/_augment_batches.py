"""``augment_batches``: any batch augmentation as a ``Dataset.apply`` transformation,
with one stateless seed per batch."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tensorflow as tf

from balancekit._params import check_int
from balancekit.augmentation._mixup import check_num_classes
from balancekit.tensorflow._augmentation_params import PARAMETER_CHECKS

__all__ = ["augment_batches"]

Pair = tuple[tf.Tensor, tf.Tensor]


def _check_fn_arguments(
    fn: Callable[..., Any], num_classes: int, kwargs: dict[str, Any]
) -> None:
    """Check ``kwargs`` fit ``fn``, and their values for the five functions of
    :mod:`balancekit.tensorflow.augmentation`."""
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
    check = PARAMETER_CHECKS.get(fn)
    if check is not None:
        # The defaults count too: the check sees exactly what fn will be called with.
        bound.apply_defaults()
        names = inspect.signature(check).parameters
        check(**{name: bound.arguments[name] for name in names})


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


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class _AugmentBatch:
    """The ``Dataset.map`` function: ``((x, y), batch_seed) -> fn(x, y, ...)``."""

    fn: Callable[..., Pair]
    num_classes: int
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, element: Pair, batch_seed: tf.Tensor) -> Pair:
        x, y = element
        return self.fn(
            x, y, num_classes=self.num_classes, seed=batch_seed, **self.kwargs
        )


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class _AugmentBatches:
    """What :func:`augment_batches` returns: ``dataset -> augmented dataset``."""

    augment: _AugmentBatch
    seed: int | None

    def __call__(self, dataset: tf.data.Dataset) -> tf.data.Dataset:
        _check_dataset(dataset)
        # Dataset.random re-draws on every iteration (epoch) from its seed; pairs of
        # its int64 values are the stateless seeds, one per batch.
        seeds = tf.data.Dataset.random(
            seed=self.seed, rerandomize_each_iteration=True
        ).batch(2, drop_remainder=True)
        pairs = tf.data.Dataset.zip((dataset, seeds))
        return pairs.map(
            tf.autograph.experimental.do_not_convert(self.augment),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
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
        ops, e.g. the functions of :mod:`balancekit.tensorflow.augmentation`
        (``mixup``, ``remix``, ``balanced_mixup``, ``smote_batch``, ``gaussian_noise``).
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
    seed = check_int(seed, "seed", low=None, allow_none=True)
    _check_fn_arguments(fn, num_classes, kwargs)
    return _AugmentBatches(_AugmentBatch(fn, num_classes, dict(kwargs)), seed)
