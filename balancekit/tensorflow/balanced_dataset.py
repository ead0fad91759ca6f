"""``balanced_dataset``: a tf.data pipeline over in-memory tensors resampled by a
balancekit sampler, with the features kept in TensorFlow.

Only the labels cross to the core (``Tensor.numpy()``: no copy for CPU tensors); the
sampler chooses row indices there and the features are gathered in the graph
(``tf.gather`` inside ``Dataset.map``). What each kind of sampler costs:

- label-only samplers (``RandomOverSampler``, ``RandomUnderSampler``): a fresh draw
  every epoch, from the labels alone;
- samplers that select rows by their features (``TomekLinks``,
  ``EditedNearestNeighbours``, ``NearMiss``, ...): ``X`` is read once on the host to
  choose the rows, which are then gathered in the graph;
- generating samplers (the SMOTE family): ``X`` is resampled once on the host and the
  result is materialised as a new tensor (documented memory cost), reshuffled every
  epoch. Integer ``X`` gives float features (as the core's SMOTE returns for NumPy
  integers: float64), so synthetic rows are not truncated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf
from sklearn.base import clone

from balancekit._params import check_int
from balancekit.base import BaseFeatureIndexSampler, BaseIndexSampler

__all__ = ["balanced_dataset"]


def _tensor(value: Any, name: str) -> tf.Tensor:
    try:
        return tf.convert_to_tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"`{name}` must be a tensor or an array; got {type(value).__name__}."
        ) from error


def _host(tensor: tf.Tensor) -> np.ndarray:
    """A NumPy view (CPU) or copy of a tensor."""
    return tensor.numpy()


def _epoch_seed_dataset(seed: int | None) -> tf.data.Dataset:
    """One fresh int64 per epoch (per iteration), reproducible from ``seed``."""
    return tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)


def balanced_dataset(
    X: Any,
    y: Any,
    sampler: Any,
    *,
    batch_size: int,
    seed: int | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches of ``(x, y)`` resampled by ``sampler``, a new draw every epoch.

    Parameters
    ----------
    X : tensor or array of shape (n_samples, ...)
        Features, kept in TensorFlow (any trailing shape). With a generating
        sampler (SMOTE), integer ``X`` gives float64 batches (synthetic rows are
        interpolated, not truncated).
    y : tensor or array of shape (n_samples,)
        Class labels.
    sampler : balancekit sampler
        E.g. ``RandomUnderSampler()``, ``RandomOverSampler()``, ``TomekLinks()`` or
        ``SMOTE()``; its ``random_state`` is replaced by a per-epoch seed drawn from
        ``seed`` for the label-only samplers.
    batch_size : int
        Rows per batch.
    seed : int or None, default=None
        Seed of the epochs' draws and shuffles: the same seed gives the same stream.
    drop_remainder : bool, default=False
        Drop the last, smaller batch of each epoch.

    Returns
    -------
    tf.data.Dataset
        Shuffled batches ``(x, y)``, a new draw and order each time it is iterated.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import RandomUnderSampler
    >>> from balancekit.tensorflow import balanced_dataset
    >>> X = np.arange(200, dtype=np.float32).reshape(100, 2)
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> ds = balanced_dataset(X, y, RandomUnderSampler(), batch_size=8, seed=0)
    >>> labels = np.concatenate([batch_y.numpy() for _, batch_y in ds])
    >>> np.bincount(labels).tolist()
    [10, 10]
    """
    X, y = _tensor(X, "X"), _tensor(y, "y")
    if y.shape.rank != 1:
        raise ValueError(f"`y` must be 1-D (n_samples,); got shape {y.shape}.")
    if X.shape.rank is None or X.shape.rank < 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"`X` and `y` must have the same number of rows; got shapes {X.shape} and "
            f"{y.shape}."
        )
    batch_size = check_int(batch_size, "batch_size")
    if not callable(getattr(sampler, "fit_resample", None)):
        raise TypeError(
            "`sampler` must be a balancekit sampler (with `fit_resample`); got "
            f"{type(sampler).__name__}."
        )
    y_host = _host(y)
    if isinstance(sampler, BaseIndexSampler) and not isinstance(
        sampler, BaseFeatureIndexSampler
    ):
        rows = _redrawn_rows(sampler, y_host, seed)
        features, labels = X, y
    elif isinstance(sampler, BaseIndexSampler):
        chosen = clone(sampler)
        chosen.fit_resample(_host(X), y_host)  # only its row choice is used
        indices = np.asarray(chosen.sample_indices_, dtype=np.int64)
        rows = tf.data.Dataset.from_tensor_slices(indices)
        rows = rows.shuffle(indices.shape[0], seed=seed, reshuffle_each_iteration=True)
        features, labels = X, y
    else:
        X_res, y_res = sampler.fit_resample(_host(X), y_host)
        features = _synthetic_features(X_res, X.dtype)
        labels = tf.convert_to_tensor(y_res, dtype=y.dtype)
        n_rows = int(labels.shape[0])
        rows = tf.data.Dataset.range(n_rows).shuffle(
            n_rows, seed=seed, reshuffle_each_iteration=True
        )
    return rows.batch(batch_size, drop_remainder=drop_remainder).map(
        lambda index: (tf.gather(features, index), tf.gather(labels, index)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _synthetic_features(X_res: Any, dtype: tf.DType) -> tf.Tensor:
    """The resampled features as a tensor: float ``X`` keeps its dtype; integer
    ``X`` gets the dtype the core gives its synthetic rows (float64 for NumPy
    integers), never truncated back to integers."""
    X_res = np.asarray(X_res)
    if dtype.is_floating or not np.issubdtype(X_res.dtype, np.floating):
        return tf.convert_to_tensor(X_res, dtype=dtype)
    return tf.convert_to_tensor(X_res)


def _redrawn_rows(
    sampler: Any, y_host: np.ndarray, seed: int | None
) -> tf.data.Dataset:
    """Row indices of a fresh label-only draw every epoch, shuffled."""

    def draw(epoch_seed: np.int64) -> np.ndarray:
        rng = np.random.default_rng(int(epoch_seed) & 0x7FFFFFFFFFFFFFFF)
        fresh = clone(sampler).set_params(random_state=int(rng.integers(2**31 - 1)))
        indices = np.asarray(fresh.fit_resample_indices(y_host), dtype=np.int64)
        return rng.permutation(indices)

    n_rows = int(draw(np.int64(0)).shape[0])  # the counts do not depend on the seed
    rows = _epoch_seed_dataset(seed).flat_map(
        lambda epoch_seed: tf.data.Dataset.from_tensor_slices(
            tf.ensure_shape(
                tf.numpy_function(draw, [epoch_seed], tf.int64, stateful=False),
                [n_rows],
            )
        )
    )
    return rows.apply(tf.data.experimental.assert_cardinality(n_rows))
