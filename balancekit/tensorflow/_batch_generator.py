"""``balanced_batch_generator``: imbalanced-learn's balanced batch generator for
TensorFlow, with its signature and return value.

The framework-free work (sampler, shuffle, batches) is shared with
``balancekit.keras`` (``balancekit.keras._batches``); TensorFlow tensors are read on
the host for the sampler only, and their batches are gathered in TensorFlow
(``tf.gather``). ``balancekit.tensorflow.balanced_dataset`` is the tf.data way (a
new draw every epoch, batches built in the input pipeline).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from balancekit.keras import _batches

__all__ = ["balanced_batch_generator"]


def balanced_batch_generator(
    X: Any,
    y: Any,
    *,
    sample_weight: Any = None,
    sampler: Any = None,
    batch_size: int = 32,
    keep_sparse: bool = False,
    random_state: Any = None,
) -> tuple[Iterator[tuple], int]:
    """Create a balanced batch generator to train a TensorFlow model.

    As :func:`imblearn.tensorflow.balanced_batch_generator`: ``sampler`` (default
    ``RandomUnderSampler``) chooses the rows once (its ``sample_indices_``), they
    are shuffled once with ``random_state``, and the generator yields consecutive
    batches forever; the same sampler and ``random_state`` give imbalanced-learn's
    batches. A ``tf.Tensor`` ``X`` (or ``y``, ``sample_weight``) is batched with
    ``tf.gather``, so its batches are tensors; NumPy, pandas and sparse inputs give
    batches of their own kind, as in imbalanced-learn. For a fresh draw every epoch
    inside a ``tf.data`` pipeline, use :func:`balanced_dataset`.

    Parameters
    ----------
    X : array-like or tf.Tensor of shape (n_samples, ...)
        Features.
    y : array-like or tf.Tensor of shape (n_samples,) or (n_samples, n_classes)
        Targets.
    sample_weight : array-like or tf.Tensor of shape (n_samples,), default=None
        Weights, batched along.
    sampler : sampler object, default=None
        A sampler with ``sample_indices_`` after ``fit_resample``; cloned, never
        fitted itself. Generating samplers (SMOTE) raise ``ValueError``.
    batch_size : int, default=32
        Rows per batch.
    keep_sparse : bool, default=False
        Keep a sparse ``X`` sparse in the batches.
    random_state : int, RandomState instance, Generator or None, default=None
        The shuffle (and the default sampler's draw).

    Returns
    -------
    generator : generator of tuple
        Endless ``(X_batch, y_batch)`` or ``(X_batch, y_batch, sample_weight_batch)``;
        the last batch of each pass over the rows may be shorter.
    steps_per_epoch : int
        ``n_resampled // batch_size``.

    Examples
    --------
    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow import balanced_batch_generator
    >>> X = tf.reshape(tf.range(40, dtype=tf.float32), (20, 2))
    >>> y = tf.constant([0] * 16 + [1] * 4)
    >>> batches, steps = balanced_batch_generator(X, y, batch_size=4, random_state=0)
    >>> X_batch, y_batch = next(batches)
    >>> steps, isinstance(X_batch, tf.Tensor), X_batch.shape.as_list()
    (2, True, [4, 2])
    """
    return _batches.balanced_batch_generator(
        X,
        y,
        sample_weight=sample_weight,
        sampler=sampler,
        batch_size=batch_size,
        keep_sparse=keep_sparse,
        random_state=random_state,
    )
