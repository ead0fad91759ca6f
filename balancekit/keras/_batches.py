"""The batches of imbalanced-learn's Keras and TensorFlow generators: a sampler
chooses the rows once, they are shuffled once, and consecutive slices of that order
are the batches.

Framework-free (NumPy, scikit-learn and the array API); ``balancekit.keras`` wraps it
in a ``keras.utils.PyDataset`` and ``balancekit.tensorflow`` exposes the generator
function. What crosses where:

- the sampler runs where its input lives: a balancekit sampler on the device of ``y``
  (label-only samplers such as ``RandomUnderSampler`` read ``y`` alone, through
  ``fit_resample_indices``); TensorFlow tensors are read on the host for it;
- the shuffle is drawn on the host (``random_state``, as in imbalanced-learn, so the
  same sampler and seed give imbalanced-learn's batches) and moved once;
- each batch is gathered where the data lives: ``_safe_indexing`` for NumPy, pandas,
  SciPy sparse and lists (imbalanced-learn's batches), ``xp.take`` for array-API
  arrays (PyTorch, CuPy, JAX, array-api-strict) on their device, ``tf.gather`` for
  TensorFlow tensors.
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral
from typing import Any

import array_api_compat
import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils import check_random_state as sklearn_random_state

from balancekit._array_api import (
    get_namespace_and_device,
    is_numpy_namespace,
    is_pandas,
    is_sparse,
    is_tensorflow,
    move_indices,
)
from balancekit._params import check_bool, check_int
from balancekit.base import BaseFeatureIndexSampler, BaseIndexSampler

__all__ = [
    "balanced_batch_generator",
    "batch_stream",
    "check_batch_options",
    "check_same_place",
    "draw_batch_order",
    "take_batch",
]

_NO_INDICES = (
    "'sampler' needs to have an attribute 'sample_indices_': the batches are rows of "
    "X chosen by index. {name} {why}. Use a sampler that selects rows "
    "(RandomUnderSampler, RandomOverSampler, NearMiss, TomekLinks, "
    "EditedNearestNeighbours, ...), or resample first and batch the result (for "
    "TensorFlow: balancekit.tensorflow.balanced_dataset)."
)


def check_batch_options(batch_size: Any, keep_sparse: Any) -> int:
    """``batch_size`` as an int >= 1; ``keep_sparse`` a bool."""
    check_bool(keep_sparse, "keep_sparse")
    return int(check_int(batch_size, "batch_size", low=1))


def _random_state(random_state: Any) -> np.random.RandomState | np.random.Generator:
    """imbalanced-learn's ``check_random_state`` (a ``RandomState``: its shuffles),
    and a NumPy ``Generator`` as it is."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"`random_state` as an int must be >= 0; got {random_state}."
            )
    elif random_state is not None and not isinstance(
        random_state, np.random.RandomState
    ):
        raise TypeError(
            "`random_state` must be None, a non-negative int, a "
            "numpy.random.RandomState or a numpy.random.Generator; got "
            f"{type(random_state).__name__}."
        )
    return sklearn_random_state(random_state)


def _on_host(data: Any) -> Any:
    """TensorFlow tensors as NumPy for the sampler (a view on CPU); others as is."""
    return data.numpy() if is_tensorflow(data) else data


def _check_sampler(sampler: Any) -> None:
    if not callable(getattr(sampler, "fit_resample", None)):
        raise TypeError(
            "`sampler` must be a sampler with `fit_resample` (a balancekit or "
            f"imbalanced-learn sampler) or None; got {type(sampler).__name__}."
        )
    try:
        tags = getattr(get_tags(sampler), "sampler_tags", None)
    except Exception:  # a duck-typed sampler without scikit-learn tags
        tags = None
    if tags is not None and not tags.sample_indices:
        # refused before fitting: a generating sampler's fit may be long
        raise ValueError(
            _NO_INDICES.format(
                name=type(sampler).__name__, why="generates new rows, so it has none"
            )
        )


def _fit_indices(sampler: Any, X: Any, y: Any) -> Any:
    """Fit ``sampler`` and return its ``sample_indices_`` (its own container)."""
    y_fit = _on_host(y)
    label_only = isinstance(sampler, BaseIndexSampler) and not isinstance(
        sampler, BaseFeatureIndexSampler
    )
    n_dims = y_fit.ndim if hasattr(y_fit, "ndim") else np.ndim(y_fit)
    if label_only and n_dims == 1:
        # the rows of a label-only sampler come from y alone: X is never copied
        sampler.fit_resample_indices(y_fit)
    else:
        sampler.fit_resample(_on_host(X), y_fit)
    if not hasattr(sampler, "sample_indices_"):
        raise ValueError(
            _NO_INDICES.format(
                name=type(sampler).__name__, why="has none after fit_resample"
            )
        )
    return sampler.sample_indices_


def draw_batch_order(
    X: Any, y: Any, sampler: Any, random_state: Any
) -> tuple[Any, Any]:
    """Fit a clone of ``sampler`` (default: ``RandomUnderSampler``) and shuffle its
    ``sample_indices_`` with ``random_state``.

    Returns
    -------
    sampler_, indices
        The fitted clone, and the shuffled row indices: NumPy for host data, else
        in the namespace and on the device of ``y``. The shuffle equals
        imbalanced-learn's ``random_state.shuffle(sampler_.sample_indices_)``.
    """
    rng = _random_state(random_state)
    if sampler is None:
        from balancekit.under_sampling import RandomUnderSampler

        # the default sampler draws from the same stream before the shuffle, as in
        # imbalanced-learn
        sampler_ = RandomUnderSampler(random_state=rng)
    else:
        _check_sampler(sampler)
        sampler_ = clone(sampler)
    indices = _fit_indices(sampler_, X, y)
    n_rows = int(indices.shape[0])
    # ``permutation(n)`` is ``shuffle(arange(n))``: the same draws as shuffling the
    # indices in place, and it is drawn on the host whatever the device
    order = rng.permutation(n_rows)
    xp = array_api_compat.array_namespace(indices)
    if is_numpy_namespace(xp):
        return sampler_, np.asarray(indices)[order]
    device = array_api_compat.device(indices)
    return sampler_, xp.take(indices, move_indices(order, xp, device), axis=0)


def check_same_place(X: Any, y: Any, sample_weight: Any, indices: Any) -> None:
    """``X``, ``y`` and ``sample_weight`` must live with the indices (one library,
    one device; host containers count as NumPy), TensorFlow tensors aside."""
    arrays = {"X": X, "y": y, "sample_weight": sample_weight}
    get_namespace_and_device(
        **{k: v for k, v in arrays.items() if not is_tensorflow(v)},
        sample_indices_=indices,
    )


def _rows(data: Any, rows: Any) -> Any:
    """Rows ``rows`` of ``data``, in ``data``'s container and place."""
    if is_tensorflow(data):
        import tensorflow as tf

        return tf.gather(data, rows)
    if (
        isinstance(data, np.ndarray | list | tuple)
        or is_pandas(data)
        or is_sparse(data)
    ):
        return _safe_indexing(data, rows)
    xp = array_api_compat.array_namespace(data)
    return xp.take(data, rows, axis=0)


def take_batch(
    X: Any, y: Any, sample_weight: Any, rows: Any, keep_sparse: bool
) -> tuple:
    """``(X[rows], y[rows])``, plus ``sample_weight[rows]`` when given; a sparse
    ``X`` batch is made dense unless ``keep_sparse``."""
    X_batch = _rows(X, rows)
    if is_sparse(X_batch) and not keep_sparse:
        X_batch = X_batch.toarray()
    y_batch = _rows(y, rows)
    if sample_weight is None:
        return X_batch, y_batch
    return X_batch, y_batch, _rows(sample_weight, rows)


def batch_stream(
    X: Any,
    y: Any,
    sample_weight: Any,
    indices: Any,
    batch_size: int,
    keep_sparse: bool,
) -> Iterator[tuple]:
    """The batches, endlessly: every epoch runs over ``indices`` in order, the last
    batch shorter when ``batch_size`` does not divide it (imbalanced-learn's)."""
    n_rows = int(indices.shape[0])
    while True:
        for start in range(0, n_rows, batch_size):
            rows = indices[start : start + batch_size]
            yield take_batch(X, y, sample_weight, rows, keep_sparse)


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
    """Create a balanced batch generator to train a Keras (or TensorFlow) model.

    imbalanced-learn's ``balanced_batch_generator`` under its signature and
    semantics: ``sampler`` (default ``RandomUnderSampler``) chooses the rows once
    (its ``sample_indices_``), they are shuffled once with ``random_state``, and the
    generator yields consecutive batches of them forever. Given the same sampler
    (balancekit's or imbalanced-learn's) and the same ``random_state``, the batches
    are imbalanced-learn's.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Features: NumPy, pandas, SciPy sparse, a list, an array-API array (PyTorch,
        CuPy, JAX, array-api-strict: gathered on its device) or a TensorFlow tensor
        (gathered with ``tf.gather``).
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Targets (class labels, or one-hot rows).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights, batched along (not given to the sampler, as in imbalanced-learn).
    sampler : sampler object, default=None
        A sampler with ``sample_indices_`` after ``fit_resample`` (balancekit's
        ``RandomUnderSampler``, ``RandomOverSampler``, ``NearMiss``, ...; or
        imbalanced-learn's). It is cloned, never fitted itself. Default:
        ``RandomUnderSampler(random_state=<the generator's random state>)``.
    batch_size : int, default=32
        Rows per batch.
    keep_sparse : bool, default=False
        Keep a sparse ``X`` sparse in the batches (default: dense batches).
    random_state : int, RandomState instance, Generator or None, default=None
        The shuffle (and the default sampler's draw).

    Returns
    -------
    generator : generator of tuple
        Endless ``(X_batch, y_batch)`` or ``(X_batch, y_batch, sample_weight_batch)``.
    steps_per_epoch : int
        ``n_resampled // batch_size`` (imbalanced-learn's; the generator also yields
        the last, shorter batch, so an epoch of that many steps may not end where
        the order does).

    Raises
    ------
    ValueError
        When the sampler has no ``sample_indices_`` (SMOTE and the other
        generating samplers); for a bad ``batch_size``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.keras import balanced_batch_generator
    >>> from balancekit.under_sampling import RandomUnderSampler
    >>> X = np.arange(40, dtype=np.float32).reshape(20, 2)
    >>> y = np.array([0] * 16 + [1] * 4)
    >>> batches, steps = balanced_batch_generator(
    ...     X, y, sampler=RandomUnderSampler(random_state=0), batch_size=4,
    ...     random_state=42,
    ... )
    >>> steps
    2
    >>> X_batch, y_batch = next(batches)
    >>> X_batch.shape, int(y_batch.sum() + next(batches)[1].sum())
    ((4, 2), 4)
    """
    batch_size = check_batch_options(batch_size, keep_sparse)
    _, indices = draw_batch_order(X, y, sampler, random_state)
    check_same_place(X, y, sample_weight, indices)
    stream = batch_stream(X, y, sample_weight, indices, batch_size, keep_sparse)
    return stream, int(indices.shape[0]) // batch_size
