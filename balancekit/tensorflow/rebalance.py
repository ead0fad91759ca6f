"""``rebalance``: a tf.data transformation that over- and under-samples a stream.

The class counts (given, or counted in one pass) and the strategy are resolved by the
core (:func:`balancekit.epoch_class_counts`) into a target count ``T_c`` per class.
The stream is then cut into blocks; in the graph, each block is shuffled and each
element of class ``c`` is emitted ``copies`` times, where, for the ``i``-th element
of class ``c`` in the stream (``n_c`` of them)::

    copies_i = floor(((i + 1) * T_c + U_c) / n_c) - floor((i * T_c + U_c) / n_c)

with ``U_c`` uniform in ``[0, n_c)``, drawn once per epoch. Each element is repeated
``floor(T_c / n_c)`` or one more times (over-sampling keeps every element), or kept
or dropped (under-sampling), and class ``c`` yields exactly ``T_c`` elements per epoch:
the cardinality is known when the counts describe the stream. The expanded block is
shuffled again and unbatched, so the element structure is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit._class_targets import SamplingMode, check_mode, epoch_class_counts

__all__ = ["count_classes", "rebalance"]

_BLOCK_SIZE = 1024
_COUNTING_BATCH = 65536


def _default_label(*element: Any) -> Any:
    if len(element) < 2:
        raise ValueError(
            "`label_fn` is needed: the elements are not tuples (x, ..., y), so the "
            "label is not the last component. Pass e.g. `label_fn=lambda d: "
            "d['label']`."
        )
    return element[-1]


def _call(label_fn: Callable[..., Any], element: Any) -> Any:
    """Call ``label_fn`` the way ``Dataset.map`` calls its function."""
    if isinstance(element, tuple):
        return label_fn(*element)
    return label_fn(element)


def _check_label(label: Any) -> tf.Tensor:
    label = tf.convert_to_tensor(label)
    if label.shape.rank != 0:
        raise ValueError(
            f"`label_fn` must return one scalar class label per element; it returned "
            f"shape {label.shape}. `rebalance` works on unbatched elements: apply it "
            "before `.batch()` (or call `.unbatch()` first); for one-hot labels return "
            "`tf.argmax(y)`."
        )
    if not label.dtype.is_integer:
        raise TypeError(
            f"`label_fn` must return integer class labels; got {label.dtype.name}. "
            "Map string labels to integers first (e.g. tf.keras.layers.StringLookup)."
        )
    return tf.cast(label, tf.int64)


def _labels_dataset(dataset: tf.data.Dataset, label_fn: Callable[..., Any]) -> Any:
    return dataset.map(
        lambda *element: _check_label(_call(label_fn, element)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def count_classes(
    dataset: tf.data.Dataset, label_fn: Callable[..., Any] | None = None
) -> dict[int, int]:
    """Count the elements of each class in one pass over ``dataset``.

    Parameters
    ----------
    dataset : tf.data.Dataset
        A finite dataset of unbatched elements.
    label_fn : callable or None, default=None
        Picks the integer label from an element (called as ``Dataset.map`` calls its
        function); default: the last component of a tuple element.

    Returns
    -------
    dict
        ``{class: count}`` for every class present, sorted.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow import count_classes
    >>> ds = tf.data.Dataset.from_tensor_slices(([[0.0]] * 5, [0, 1, 1, 0, 1]))
    >>> count_classes(ds)
    {0: 2, 1: 3}
    """
    label_fn = _default_label if label_fn is None else label_fn
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "`dataset` is infinite (e.g. `.repeat()`), so its classes cannot be "
            "counted; pass `class_counts=` or apply `rebalance` before `.repeat()`."
        )
    counts = np.zeros(0, dtype=np.int64)
    for labels in _labels_dataset(dataset, label_fn).batch(_COUNTING_BATCH):
        values = labels.numpy()
        if values.size and values.min() < 0:
            raise ValueError(
                f"`label_fn` returned the negative label {values.min()}; class "
                "labels must be integers >= 0."
            )
        batch_counts = np.bincount(values)
        if batch_counts.shape[0] > counts.shape[0]:
            counts = np.pad(counts, (0, batch_counts.shape[0] - counts.shape[0]))
        counts[: batch_counts.shape[0]] += batch_counts
    present = np.flatnonzero(counts)
    if present.shape[0] == 0:
        raise ValueError("`dataset` is empty; there is nothing to rebalance.")
    return {int(c): int(counts[c]) for c in present}


def _check_class_counts(class_counts: Any) -> dict[int, int]:
    if not isinstance(class_counts, Mapping) or not class_counts:
        raise TypeError(
            "`class_counts` must be a non-empty dict {class: count}; got "
            f"{type(class_counts).__name__}."
        )
    checked = {}
    for cls, count in sorted(class_counts.items()):
        if isinstance(cls, bool) or not isinstance(cls, int | np.integer) or cls < 0:
            raise ValueError(
                f"`class_counts` keys must be integer class labels >= 0; got {cls!r}."
            )
        if isinstance(count, bool) or not isinstance(count, int | np.integer):
            raise TypeError(f"`class_counts` values must be ints; got {count!r}.")
        if count <= 0:
            raise ValueError(
                f"`class_counts` must be > 0 for every class; got {count} for class "
                f"{cls}. Leave absent classes out."
            )
        checked[int(cls)] = int(count)
    return checked


def _expand_block(
    state: tuple[tf.Tensor, tf.Tensor, tf.Tensor],
    block: Any,
    seed: tf.Tensor,
    *,
    label_fn: Callable[..., Any],
    code_of: tf.Tensor,
    n_known: tf.Tensor,
    targets: tf.Tensor,
) -> tuple[Any, Any]:
    """Scan step, on the labels only: which rows of the block to emit, in what order.

    Returns the new state and ``(block, take)``; the rows are gathered afterwards, in
    parallel, by :func:`_gather_rows`.
    """
    seen, offsets, started = state
    seeds = tf.random.experimental.stateless_split(seed, 3)
    # Offsets U_c in [0, n_c), drawn at the first block of each epoch.
    fresh = tf.cast(
        tf.floor(
            tf.random.stateless_uniform(tf.shape(n_known), seeds[0], dtype=tf.float64)
            * tf.cast(n_known, tf.float64)
        ),
        tf.int64,
    )
    offsets = tf.where(started, offsets, fresh)
    if label_fn is _default_label:
        labels = tf.cast(block[-1], tf.int64)  # checked on the element spec already
    else:
        labels = tf.vectorized_map(
            lambda element: _check_label(_call(label_fn, element)), block
        )
    size = tf.shape(labels, out_type=tf.int64)[0]
    # Visit the block in a random order, so that which elements get the extra copy
    # (or are kept) is random within the block.
    order = tf.argsort(tf.random.stateless_uniform([size], seeds[1]))
    labels = tf.gather(labels, order)
    in_range = (labels >= 0) & (labels < tf.shape(code_of, out_type=tf.int64)[0])
    codes = tf.gather(code_of, tf.where(in_range, labels, 0))
    tf.debugging.assert_equal(
        in_range & (codes >= 0),
        tf.ones_like(in_range),
        message=(
            "`rebalance`: an element's label is not among the classes of "
            "`class_counts`; pass counts for every class in the data."
        ),
    )
    one_hot = tf.one_hot(codes, tf.shape(n_known)[0], dtype=tf.int64)
    # i: the element's position among the elements of its class in the stream.
    index = tf.gather(seen, codes) + tf.reduce_sum(
        tf.cumsum(one_hot, axis=0, exclusive=True) * one_hot, axis=1
    )
    n_c, t_c, u_c = (tf.gather(v, codes) for v in (n_known, targets, offsets))
    copies = ((index + 1) * t_c + u_c) // n_c - (index * t_c + u_c) // n_c
    expanded = tf.repeat(order, copies)
    shuffle = tf.argsort(tf.random.stateless_uniform(tf.shape(expanded), seeds[2]))
    take = tf.gather(expanded, shuffle)
    new_state = (seen + tf.reduce_sum(one_hot, axis=0), offsets, tf.constant(True))
    return new_state, (block, take)


def _gather_rows(block: Any, take: tf.Tensor) -> Any:
    return tf.nest.map_structure(lambda t: tf.gather(t, take), block)


def rebalance(
    label_fn: Callable[..., Any] | None = None,
    sampling_strategy: Any = "auto",
    *,
    mode: SamplingMode = "over",
    class_counts: Mapping[int, int] | None = None,
    seed: int | None = None,
    block_size: int = _BLOCK_SIZE,
) -> Callable[[tf.data.Dataset], tf.data.Dataset]:
    """Over- and/or under-sample a stream of unbatched elements, for
    ``dataset.apply``.

    Parameters
    ----------
    label_fn : callable or None, default=None
        Picks the integer class label (a scalar) from an element, called the way
        ``Dataset.map`` calls its function (a tuple element is unpacked into
        arguments). Default: the last component of a tuple element.
    sampling_strategy : str, float, dict, callable or ProgressiveSchedule, \
default="auto"
        Any form :func:`balancekit.epoch_class_counts` takes: imbalanced-learn's
        (read in ``mode``'s semantics) or a target distribution (``"balanced"``,
        ``"sqrt"``, ``{class: probability}``; the epoch then keeps the stream's
        length). A schedule is read at epoch 0.
    mode : {"over", "under"}, default="over"
        How imbalanced-learn's forms read: as an over-sampler (``"auto"``: every
        class up to the majority count) or an under-sampler (down to the minority).
    class_counts : dict or None, default=None
        ``{class: count}`` of the stream. Default: counted in one pass over the
        dataset when the transformation is applied (the dataset must be finite).
    seed : int or None, default=None
        Seed of the draws: the same seed gives the same stream; each epoch (each
        new iteration) gets a new order and new repeats.
    block_size : int, default=1024
        Elements shuffled and expanded together. Copies of an element stay within
        its block: follow with ``.shuffle(buffer)`` to spread them further.

    Returns
    -------
    callable
        ``dataset -> dataset`` with the same ``element_spec``; its cardinality is
        the total of the targets when the counts were computed, or given and equal
        to the stream's known length.

    Examples
    --------
    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow import rebalance
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> ds = tf.data.Dataset.from_tensor_slices((np.arange(100.0), y))
    >>> balanced = ds.apply(rebalance(seed=0))
    >>> int(balanced.cardinality())
    180
    >>> np.bincount([int(label) for _, label in balanced]).tolist()
    [90, 90]
    """
    label_fn = _default_label if label_fn is None else label_fn
    if not callable(label_fn):
        raise TypeError(f"`label_fn` must be callable; got {type(label_fn).__name__}.")
    mode = check_mode(mode)
    given = None if class_counts is None else _check_class_counts(class_counts)
    if isinstance(block_size, bool) or not isinstance(block_size, int):
        raise TypeError(f"`block_size` must be an int; got {block_size!r}.")
    if block_size < 1:
        raise ValueError(f"`block_size` must be >= 1; got {block_size}.")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or seed < 0
    ):
        raise ValueError(f"`seed` must be None or an int >= 0; got {seed!r}.")

    def apply(dataset: tf.data.Dataset) -> tf.data.Dataset:
        if not isinstance(dataset, tf.data.Dataset):
            raise TypeError(
                f"`rebalance` applies to a tf.data.Dataset; got "
                f"{type(dataset).__name__}."
            )
        spec = dataset.element_spec
        _check_label(_call(label_fn, _placeholders(spec)))
        counts = count_classes(dataset, label_fn) if given is None else given
        targets = epoch_class_counts(sampling_strategy, counts, mode=mode)
        classes = np.array(list(counts), dtype=np.int64)
        code_of = np.full(int(classes.max()) + 1, -1, dtype=np.int64)
        code_of[classes] = np.arange(classes.shape[0])
        n_known = np.array(list(counts.values()), dtype=np.int64)
        step = _scan_step(label_fn, code_of, n_known, targets)
        initial = (
            tf.zeros(classes.shape[0], tf.int64),
            tf.zeros(classes.shape[0], tf.int64),
            tf.constant(False),
        )
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        out = (
            tf.data.Dataset.zip(dataset.batch(block_size), seeds.batch(2))
            .scan(initial, step)
            .map(_gather_rows, num_parallel_calls=tf.data.AUTOTUNE)
            .unbatch()
        )
        length = int(dataset.cardinality())
        if given is None or length == int(n_known.sum()):
            out = out.apply(tf.data.experimental.assert_cardinality(int(targets.sum())))
        return out

    return apply


def _placeholders(spec: Any) -> Any:
    """Zero tensors of an element spec, to check ``label_fn`` before running."""
    return tf.nest.map_structure(
        lambda s: (
            tf.zeros([d if d is not None else 1 for d in s.shape], s.dtype)
            if isinstance(s, tf.TensorSpec)
            else s
        ),
        spec,
    )


def _scan_step(
    label_fn: Callable[..., Any],
    code_of: np.ndarray,
    n_known: np.ndarray,
    targets: np.ndarray,
) -> Callable[..., Any]:
    constants = {
        "code_of": tf.constant(code_of),
        "n_known": tf.constant(n_known),
        "targets": tf.constant(targets.astype(np.int64)),
    }

    def step(state: Any, block_and_seed: Any) -> Any:
        block, seed = block_and_seed
        return _expand_block(state, block, seed, label_fn=label_fn, **constants)

    return step
