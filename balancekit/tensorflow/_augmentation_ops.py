"""Graph-side helpers of :mod:`balancekit.tensorflow.augmentation`.

Batch validation (static checks raise at trace time, data checks are
``tf.debugging`` assertions that raise ``InvalidArgumentError`` when run), stateless
random draws and the mixing / neighbour primitives. Everything here is made of TF
ops and works eagerly, in a ``tf.function`` and in ``Dataset.map``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tensorflow as tf

# Tolerance on the row sums of soft labels, as in the core.
_ROW_SUM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class TFBatch:
    """A validated batch: features, soft and hard labels, class counts."""

    x: tf.Tensor  # (N, ...) floating
    y_soft: tf.Tensor  # (N, C) in x's dtype
    labels: tf.Tensor  # (N,) int32
    counts: tf.Tensor  # (C,) int32: samples of each class in the batch
    num_classes: int


def check_seed(seed: Any) -> tf.Tensor:
    """``seed`` (int32/int64, shape (2,), stateless RNG seed) as an int64 tensor."""
    try:
        seed = tf.convert_to_tensor(seed)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`seed` must be an integer tensor of shape (2,); got {seed!r} ({exc})."
        ) from None
    if seed.dtype not in (tf.int32, tf.int64):
        raise TypeError(
            f"`seed` must be an int32 or int64 tensor of shape (2,); got dtype "
            f"{seed.dtype.name}."
        )
    if not seed.shape.is_compatible_with([2]):
        raise ValueError(
            f"`seed` must have shape (2,) (a stateless RNG seed); got shape "
            f"{tuple(seed.shape)}."
        )
    # int64 so that equal int32 and int64 seeds give equal draws (stateless_split
    # depends on the dtype).
    return tf.cast(tf.ensure_shape(seed, [2]), tf.int64)


def split_seed(seed: tf.Tensor, num: int) -> list[tf.Tensor]:
    """``num`` independent shape-(2,) seeds derived from ``seed``."""
    seeds = tf.random.experimental.stateless_split(seed, num=num)
    return [seeds[i] for i in range(num)]


def _check_x(x: Any) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise TypeError(
            f"`x` must have a real floating dtype; got {x.dtype.name}. Convert it "
            "first (e.g. `tf.cast(x, tf.float32)`)."
        )
    if x.shape.rank is not None and x.shape.rank < 1:
        raise ValueError(f"`x` must have shape (N, ...); got shape {tuple(x.shape)}.")
    return x


def _check_lengths(x: tf.Tensor, y: tf.Tensor) -> list[Any]:
    n_x, n_y = x.shape[0], y.shape[0]
    if n_x is not None and n_y is not None and n_x != n_y:
        raise ValueError(f"`x` and `y` must have the same length; got {n_x} and {n_y}.")
    n = tf.shape(x)[0]
    return [
        tf.debugging.assert_equal(
            n, tf.shape(y)[0], message="`x` and `y` must have the same length."
        ),
        tf.debugging.assert_positive(
            n, message="`x` must have shape (N, ...) with N >= 1."
        ),
    ]


def _hard_labels(y: tf.Tensor, num_classes: int) -> tuple[tf.Tensor, list[Any]]:
    if not y.dtype.is_integer:
        raise TypeError(
            f"`y` of shape (N,) must hold integer class labels; got {y.dtype.name}. "
            "Pass soft labels as (N, num_classes)."
        )
    message = f"`y` labels must lie in [0, num_classes) = [0, {num_classes})."
    asserts = [
        tf.debugging.assert_non_negative(y, message=message),
        tf.debugging.assert_less(y, tf.cast(num_classes, y.dtype), message=message),
    ]
    return tf.cast(y, tf.int32), asserts


def _soft_labels(
    y: tf.Tensor, num_classes: int, dtype: tf.DType
) -> tuple[tf.Tensor, list[Any]]:
    if y.shape[1] is not None and y.shape[1] != num_classes:
        raise ValueError(
            f"`y` as soft labels must have num_classes={num_classes} columns; got "
            f"shape {tuple(y.shape)}."
        )
    if not (y.dtype.is_integer or y.dtype.is_floating or y.dtype == tf.bool):
        raise TypeError(f"`y` has unsupported dtype {y.dtype.name}.")
    y_soft = tf.cast(y, dtype)
    row_sums = tf.reduce_sum(y_soft, axis=1)
    asserts = [
        tf.debugging.assert_equal(
            tf.shape(y)[1],
            num_classes,
            message=f"`y` as soft labels must have num_classes={num_classes} columns.",
        ),
        tf.debugging.assert_equal(
            tf.reduce_all((y_soft >= 0) & (y_soft <= 1)),
            True,
            message="`y` as soft labels must hold probabilities in [0, 1].",
        ),
        tf.debugging.assert_less_equal(
            tf.abs(row_sums - 1),
            tf.cast(_ROW_SUM_TOLERANCE, dtype),
            message="`y` as soft labels must have rows that sum to 1.",
        ),
    ]
    return y_soft, asserts


def check_batch(x: Any, y: Any, num_classes: int) -> TFBatch:
    """Validate ``x`` and ``y`` (``num_classes`` already checked) into a TFBatch."""
    x = _check_x(x)
    y = tf.convert_to_tensor(y)
    if y.shape.rank not in (1, 2):
        raise ValueError(
            "`y` must be integer labels (N,) or soft labels (N, num_classes); got "
            f"shape {tuple(y.shape)}."
        )
    asserts = _check_lengths(x, y)
    if y.shape.rank == 1:
        labels, label_asserts = _hard_labels(y, num_classes)
        y_soft = None
    else:
        y_soft, label_asserts = _soft_labels(y, num_classes, x.dtype)
        labels = tf.argmax(y_soft, axis=1, output_type=tf.int32)
    # In a graph the assertions run only if something depends on them: every later
    # op reads x or labels, so routing both through identity makes them run first.
    with tf.control_dependencies(asserts + label_asserts):
        x = tf.identity(x)
        labels = tf.identity(labels)
    if y_soft is None:
        y_soft = tf.one_hot(labels, num_classes, dtype=x.dtype)
    # one_hot + sum, not bincount: the length is num_classes even when the largest
    # class is absent from the batch, so the shape is static.
    counts = tf.reduce_sum(tf.one_hot(labels, num_classes, dtype=tf.int32), axis=0)
    return TFBatch(x, y_soft, labels, counts, num_classes)


def column(values: tf.Tensor, x: tf.Tensor) -> tf.Tensor:
    """Per-row values (N,) reshaped to (N, 1, ..., 1) to broadcast against ``x``."""
    ones = tf.ones([tf.rank(x) - 1], dtype=tf.int32)
    return tf.reshape(values, tf.concat([[-1], ones], axis=0))


def beta(n: tf.Tensor, a: float, b: float, seed: tf.Tensor) -> tf.Tensor:
    """``n`` draws of Beta(a, b) as Ga / (Ga + Gb), in float64.

    float64 gammas keep ``Ga + Gb`` from underflowing to 0 for small ``a``, ``b``;
    the (practically impossible) 0 / 0 gives 0.5.
    """
    seed_a, seed_b = split_seed(seed, 2)
    shape = tf.reshape(n, [1])
    ga = tf.random.stateless_gamma(shape, seed_a, alpha=a, dtype=tf.float64)
    gb = tf.random.stateless_gamma(shape, seed_b, alpha=b, dtype=tf.float64)
    total = ga + gb
    return tf.where(total > 0, ga / tf.where(total > 0, total, 1.0), 0.5)


def permutation(n: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """A uniformly random permutation of ``range(n)`` (argsort of uniforms)."""
    # TF has no stateless shuffle; float64 keys make ties (which would bias the
    # order towards the original one) practically impossible.
    keys = tf.random.stateless_uniform(tf.reshape(n, [1]), seed, dtype=tf.float64)
    return tf.argsort(keys, stable=True)


def mix(
    batch: TFBatch, weight: tf.Tensor, partners: tf.Tensor, weight_y: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """``w x + (1 - w) x[partners]`` and ``w_y y + (1 - w_y) y[partners]``.

    ``weight`` and ``weight_y`` (N,) are cast to ``x``'s dtype.
    """
    weight = tf.cast(weight, batch.x.dtype)
    weight_y = tf.cast(weight_y, batch.x.dtype)
    w = column(weight, batch.x)
    x_new = w * batch.x + (1 - w) * tf.gather(batch.x, partners)
    wy = weight_y[:, None]
    y_new = wy * batch.y_soft + (1 - wy) * tf.gather(batch.y_soft, partners)
    return x_new, y_new


def class_starts(counts: tf.Tensor) -> tf.Tensor:
    """Start of each class in ``argsort(labels, stable=True)``."""
    return tf.cumsum(counts, exclusive=True)


def uniform_member(batch: TFBatch, classes: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """For each entry of ``classes`` (all present), a uniform row of that class."""
    order = tf.argsort(batch.labels, stable=True)
    count = tf.gather(batch.counts, classes)
    u = tf.random.stateless_uniform(tf.shape(classes), seed, dtype=tf.float64)
    offsets = tf.cast(tf.floor(u * tf.cast(count, tf.float64)), tf.int32)
    # u * count can round up to count itself in floating point.
    offsets = tf.minimum(offsets, count - 1)
    return tf.gather(order, tf.gather(class_starts(batch.counts), classes) + offsets)


def same_class_neighbours(batch: TFBatch, k: int) -> tf.Tensor:
    """Per row, its nearest other rows of its class, then the row itself.

    Shape (N, min(k, N - 1) + 1). Euclidean on the flattened features (float64);
    other classes and the row itself are at +inf, so the first ``min(k, n_c - 1)``
    columns of a row of class ``c`` are its same-class neighbours, nearest first.
    The last column holds the row itself (the partner of a class of one sample).
    """
    n = tf.shape(batch.x)[0]
    flat = tf.cast(tf.reshape(batch.x, tf.stack([n, -1])), tf.float64)
    sq = tf.reduce_sum(flat * flat, axis=1)
    # ||a||^2 + ||b||^2 - 2 a.b: one matmul instead of an (N, N, D) difference; the
    # cancellation can leave tiny negatives, clipped to 0.
    dist = sq[:, None] + sq[None, :] - 2.0 * tf.matmul(flat, flat, transpose_b=True)
    dist = tf.maximum(dist, 0.0)
    same = tf.equal(batch.labels[:, None], batch.labels[None, :])
    valid = same & ~tf.eye(n, dtype=tf.bool)
    dist = tf.where(valid, dist, tf.constant(float("inf"), tf.float64))
    k_top = tf.maximum(tf.minimum(k, n - 1), 0)
    # top_k of the negated distances: the k smallest, nearest first.
    nearest = tf.math.top_k(-dist, k=k_top, sorted=True).indices
    return tf.concat([nearest, tf.range(n)[:, None]], axis=1)


def smote_allocation(
    counts: tf.Tensor, targets: list[int] | None, n_new: int | None
) -> tf.Tensor:
    """New rows per class (C,), as the core's ``_target_classes`` and ``_allocate``.

    Target classes: ``targets`` (each must be present, asserted) or, by default, the
    classes present with fewer samples than the largest. ``n_new=None`` fills their
    deficits to the largest class; an int is split in proportion to the deficits
    (equally if none has one) with the largest-remainder rule, ties to the smaller
    class index.
    """
    num_classes = int(counts.shape[0])
    largest = tf.reduce_max(counts)
    asserts = []
    if targets is None:
        mask = (counts > 0) & (counts < largest)
    else:
        mask = tf.constant([c in targets for c in range(num_classes)])
        asserts.append(
            tf.debugging.assert_equal(
                tf.reduce_all(~mask | (counts > 0)),
                True,
                message="`target_class` holds a class with no sample in the batch "
                "to interpolate.",
            )
        )
    deficits = tf.where(mask, largest - counts, 0)
    if n_new is None:
        allocated = deficits
    else:
        mask_int = tf.cast(mask, tf.int32)
        if n_new > 0:
            asserts.append(
                tf.debugging.assert_equal(
                    tf.reduce_any(mask),
                    True,
                    message="`n_new` > 0 but no class to over-sample in the batch.",
                )
            )
        # No deficit (the targets are as large as the largest class): split equally.
        weights = tf.where(tf.reduce_sum(deficits) > 0, deficits, mask_int)
        total = tf.maximum(tf.reduce_sum(weights), 1)
        shares = tf.cast(n_new * weights, tf.float64) / tf.cast(total, tf.float64)
        floors = tf.floor(shares)
        allocated = tf.cast(floors, tf.int32)
        remainder = n_new - tf.reduce_sum(allocated)
        # Largest remainder: the rows left over go one each to the classes with the
        # largest fractional shares (non-targets at -1 never get one); the stable
        # sort breaks ties towards the smaller class index, as the core does.
        fraction = tf.where(mask, shares - floors, -1.0)
        rank = tf.math.invert_permutation(tf.argsort(-fraction, stable=True))
        allocated += tf.cast(rank < remainder, tf.int32)
    with tf.control_dependencies(asserts):
        return tf.identity(allocated)


def smote_rows(
    batch: TFBatch, per_class: tf.Tensor, k: int, seed: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """Synthetic rows and their class, ``per_class[c]`` of each class ``c``.

    Parent uniform in its class, partner uniform among the parent's
    ``min(k, n_c - 1)`` nearest same-class rows (the parent itself if ``n_c == 1``),
    new row ``x[parent] + step * (x[partner] - x[parent])``, ``step ~ U[0, 1)``.
    """
    seed_parent, seed_partner, seed_step = split_seed(seed, 3)
    new_labels = tf.repeat(tf.range(batch.num_classes), per_class)
    n_synthetic = tf.shape(new_labels)
    parents = uniform_member(batch, new_labels, seed_parent)
    neighbours = same_class_neighbours(batch, k)
    self_column = tf.shape(neighbours)[1] - 1
    k_eff = tf.minimum(k, tf.gather(batch.counts, new_labels) - 1)
    u = tf.random.stateless_uniform(n_synthetic, seed_partner, dtype=tf.float64)
    pick = tf.cast(tf.floor(u * tf.cast(k_eff, tf.float64)), tf.int32)
    # A class of one sample has no neighbour: its parent is its own partner (the
    # last column), so the synthetic row is a copy.
    column_index = tf.where(k_eff > 0, tf.minimum(pick, k_eff - 1), self_column)
    partners = tf.gather_nd(neighbours, tf.stack([parents, column_index], axis=1))
    step = tf.random.stateless_uniform(n_synthetic, seed_step, dtype=batch.x.dtype)
    base = tf.gather(batch.x, parents)
    x_new = base + column(step, batch.x) * (tf.gather(batch.x, partners) - base)
    return x_new, new_labels
