"""``BalancedBatchGenerator``: imbalanced-learn's balanced Keras sequence, as a Keras 3
``keras.utils.PyDataset`` (the successor of ``Sequence``)."""

from __future__ import annotations

from typing import Any

import keras

from balancekit.keras._batches import (
    check_batch_options,
    check_same_place,
    draw_batch_order,
    take_batch,
)

__all__ = ["BalancedBatchGenerator"]


class BalancedBatchGenerator(keras.utils.PyDataset):
    """Balanced batches for ``model.fit``: a Keras 3 ``PyDataset``.

    imbalanced-learn's ``BalancedBatchGenerator`` under its signature and semantics:
    ``sampler`` (default ``RandomUnderSampler``) chooses the rows once (its
    ``sample_indices_``), they are shuffled once with ``random_state``, and batch
    ``i`` is the ``i``-th slice of ``batch_size`` rows (the last, shorter slice is
    dropped: ``len`` is ``n_resampled // batch_size``). Given the same sampler
    (balancekit's or imbalanced-learn's) and the same ``random_state``, the batches
    are imbalanced-learn's.

    Rows are gathered where the data lives: NumPy, pandas, SciPy sparse and lists
    as scikit-learn's ``_safe_indexing`` does; PyTorch, CuPy, JAX and
    array-api-strict arrays with ``take`` on their device; TensorFlow tensors with
    ``tf.gather``. The sampler runs once, on the host for NumPy and TensorFlow data
    and on the device of ``y`` for a balancekit sampler given device arrays.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Features.
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Targets (class labels, or one-hot rows as ``keras.utils.to_categorical``
        makes).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights, batched along (each batch is then ``(X, y, sample_weight)``).
    sampler : sampler object, default=None
        A sampler with ``sample_indices_`` after ``fit_resample``; cloned, never
        fitted itself. Generating samplers (SMOTE) raise ``ValueError``.
    batch_size : int, default=32
        Rows per batch.
    keep_sparse : bool, default=False
        Keep a sparse ``X`` sparse in the batches.
    random_state : int, RandomState instance, Generator or None, default=None
        The shuffle (and the default sampler's draw).
    **kwargs
        ``keras.utils.PyDataset``'s ``workers``, ``use_multiprocessing`` and
        ``max_queue_size`` (a balancekit extra).

    Attributes
    ----------
    sampler_ : sampler object
        The fitted clone of ``sampler``.
    indices_ : array of shape (n_resampled,)
        The shuffled row indices (NumPy, or on the device of ``y``).

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from balancekit.keras import BalancedBatchGenerator
    >>> from balancekit.under_sampling import NearMiss
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 4)).astype("float32")
    >>> y = np.array([0] * 90 + [1] * 20 + [2] * 10)
    >>> batches = BalancedBatchGenerator(
    ...     X, y, sampler=NearMiss(), batch_size=10, random_state=42
    ... )
    >>> len(batches), np.bincount(y[batches.indices_]).tolist()
    (3, [10, 10, 10])
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> model.compile(
    ...     optimizer="sgd",
    ...     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    ... )
    >>> history = model.fit(batches, epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
    """

    # flag for keras sequence duck-typing (imbalanced-learn's)
    use_sequence_api = True

    def __init__(
        self,
        X: Any,
        y: Any,
        *,
        sample_weight: Any = None,
        sampler: Any = None,
        batch_size: int = 32,
        keep_sparse: bool = False,
        random_state: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.sampler = sampler
        self.batch_size = batch_size
        self.keep_sparse = keep_sparse
        self.random_state = random_state
        self._sample()

    def _sample(self) -> None:
        self._batch_size = check_batch_options(self.batch_size, self.keep_sparse)
        self.sampler_, self.indices_ = draw_batch_order(
            self.X, self.y, self.sampler, self.random_state
        )
        check_same_place(self.X, self.y, self.sample_weight, self.indices_)

    def __len__(self) -> int:
        return int(self.indices_.shape[0]) // self._batch_size

    def __getitem__(self, index: int) -> tuple:
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"Batch index {index} is out of range for {len(self)} batches."
            )
        index %= len(self)
        start = index * self._batch_size
        rows = self.indices_[start : start + self._batch_size]
        return take_batch(self.X, self.y, self.sample_weight, rows, self.keep_sparse)
