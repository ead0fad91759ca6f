"""The graph of one epoch of :func:`balancekit.tensorflow.rebalance`.

Classes are either *held* (their elements collected into tensors once, on the host)
or *streamed* (read from the dataset every epoch, in blocks). At the start of each
epoch (each new iteration), from a seed drawn by ``Dataset.random``:

- the held classes' copies are drawn: class ``c`` with ``n_c`` rows and a target of
  ``T_c`` gets every row ``T_c // n_c`` times plus ``T_c % n_c`` distinct rows drawn
  uniformly, and all held copies are shuffled together;
- each held copy gets a position among the ``S`` streamed elements of the epoch:
  the number of streamed elements before it, the order statistics of uniform draws
  on ``{0, ..., S}`` (from exponential spacings, no sort), so held copies land
  uniformly over the epoch and per-class counts stay exact.

The stream is read in blocks. In each block (visited in a random order) the
``i``-th element of a streamed class ``c`` is emitted
``floor(((i + 1) T_c + U_c) / n_c) - floor((i T_c + U_c) / n_c)`` times (``U_c``
uniform in ``[0, n_c)`` per epoch): kept or dropped evenly when under-sampled, and
in the fallback block mode (nothing held) repeated, the copies shuffled within the
block. The held copies whose position falls among the block's streamed elements are
merged in at their positions; empty marker blocks after the stream flush the copies
placed after the last streamed element (in chunks) and check that the stream had the
declared counts.

Multilabel class-aware rebalancing (:func:`multilabel_epochs`) holds every element
that has a label; each iteration draws its epoch's indices on the host in one
``tf.numpy_function`` call (the NumPy draw of
:class:`balancekit.torch.MultilabelBalancedSampler`, so both yield the same
sequence for a seed; the ``k``-th iteration is epoch ``k``) and gathers the held
elements in blocks. Only those O(n_draws) indices cross from the host.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit._class_aware_draws import LabelRows, class_aware_draw
from balancekit.tensorflow._rebalance_checks import call

__all__ = ["EpochPlan", "HostClassAwareDraws", "epochs", "multilabel_epochs"]

_FLUSH_CHUNK = 4096
_SEED_SALT = 0x5EED_BA1A


@dataclass(frozen=True)
class EpochPlan:
    """What one epoch draws, resolved on the host (O(n_classes) numbers, plus the
    held rows' class codes)."""

    classes: np.ndarray  # (K,) sorted int64 labels
    counts: np.ndarray  # (K,) declared elements per class in the stream
    targets: np.ndarray  # (K,) elements per class per epoch
    held: np.ndarray  # (K,) bool: class held in memory
    held_codes: np.ndarray  # (H,) class code of each held row, sorted
    block_size: int
    shuffle_copies: bool  # fallback block mode: spread copies within the block

    @property
    def n_streamed(self) -> int:
        return int(self.targets[~self.held].sum())

    @property
    def n_held_copies(self) -> int:
        return int(self.targets[self.held].sum())


def _is_tuple(spec: Any) -> bool:
    return isinstance(spec, tuple)


def _labels_of(block: Any, label_fn: Callable[..., Any], default: bool) -> tf.Tensor:
    if default:
        return tf.cast(block[-1], tf.int64)
    return tf.cast(
        tf.vectorized_map(lambda element: call(label_fn, element), block), tf.int64
    )


def _rank_within_class(codes: tf.Tensor) -> tf.Tensor:
    """For each position, how many earlier positions hold the same code."""
    size = tf.shape(codes)[0]
    by_code = tf.argsort(codes, stable=True)
    sorted_codes = tf.gather(codes, by_code)
    first = tf.searchsorted(sorted_codes, sorted_codes, side="left")
    rank_sorted = tf.cast(tf.range(size) - first, tf.int64)
    return tf.scatter_nd(by_code[:, None], rank_sorted, [size])


def _held_draws(plan: EpochPlan, seeds: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The epoch's held copies (row indices into the held tensors, shuffled) and
    the number of streamed elements before each."""
    codes = plan.held_codes
    n_rows = codes.shape[0]
    targets, counts = plan.targets[codes], plan.counts[codes]
    whole, extra = targets // counts, targets % counts
    class_start = np.searchsorted(codes, codes, side="left")
    rank = np.arange(n_rows) - class_start  # position within the class block
    # A random order within each class (rows are sorted by class): the first
    # `extra` rows of it get one more copy.
    keys = tf.constant(codes.astype(np.float64)) + tf.random.stateless_uniform(
        [n_rows], seeds[0], dtype=tf.float64
    )
    within = tf.cast(tf.argsort(keys), tf.int64)
    copies = tf.constant(whole) + tf.cast(tf.constant(rank < extra), tf.int64)
    rows = tf.random.experimental.stateless_shuffle(tf.repeat(within, copies), seeds[1])
    n_copies = plan.n_held_copies
    # Sorted uniforms without a sort: cumulative sums of n + 1 exponential spacings,
    # divided by their total, are the order statistics of n uniforms on [0, 1).
    spacings = -tf.math.log1p(
        -tf.random.stateless_uniform([n_copies + 1], seeds[2], dtype=tf.float64)
    )
    cumulative = tf.cumsum(spacings)
    fraction = cumulative[:n_copies] / cumulative[n_copies]
    before = tf.cast(tf.floor(fraction * float(plan.n_streamed + 1)), tf.int64)
    # fraction < 1 in exact arithmetic; rounding may reach 1, i.e. past the end.
    return rows, tf.minimum(before, plan.n_streamed)


def epochs(
    dataset: tf.data.Dataset,
    plan: EpochPlan,
    held: Any,
    empty_block: Any,
    *,
    label_fn: Callable[..., Any],
    default_label: bool,
    seed: int | None,
) -> tf.data.Dataset:
    """The rebalanced dataset: one epoch per iteration.

    One ``scan`` over the stream's blocks followed by empty marker blocks, zipped
    with ``Dataset.random`` pairs (new ones each iteration): the first step draws
    the epoch (held copies, their positions, the offsets), every step seeds its
    block's shuffle with its own pair. Markers flush the held copies placed after
    the last streamed element, ``chunk`` at a time; the unneeded ones are cut by
    ``take_while``.
    """
    spec_is_tuple = _is_tuple(dataset.element_spec)
    classes = tf.constant(plan.classes)
    counts = tf.constant(plan.counts)
    n_classes = int(plan.classes.shape[0])
    streamed_targets = tf.constant(np.where(plan.held, 0, plan.targets))
    n_streamed, n_copies = plan.n_streamed, plan.n_held_copies
    chunk = max(_FLUSH_CHUNK, plan.block_size)
    # Streamed classes kept whole (T_c == n_c, or dropped T_c == 0): no thinning.
    simple = bool(
        np.all((plan.held) | (plan.targets == plan.counts) | (plan.targets == 0))
    )

    n_markers = 1 + -(-n_copies // chunk)
    markers = tf.data.Dataset.range(n_markers).map(lambda _: (empty_block, True))
    if n_streamed:
        blocks = (
            dataset.batch(plan.block_size)
            .prefetch(tf.data.AUTOTUNE)
            .map(lambda *block: (block, False))
        )
        markers = blocks.concatenate(markers)
    pairs = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    inputs = tf.data.Dataset.zip((markers, pairs))

    def draw(pair: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        seeds = tf.random.experimental.stateless_split(pair, 4)
        offsets = tf.cast(
            tf.floor(
                tf.random.stateless_uniform([n_classes], seeds[0], dtype=tf.float64)
                * tf.cast(counts, tf.float64)
            ),
            tf.int64,
        )
        if n_copies:
            rows, before = _held_draws(plan, seeds[1:4])
        else:
            rows = before = tf.zeros([0], tf.int64)
        return offsets, rows, before

    def step(state: Any, inputs: Any) -> Any:
        (block, is_end), pair = inputs
        seen, emitted, next_copy, index, started, ended, drawn = state
        # The epoch's draw happens in the first step, from that step's seed pair, and
        # rides in the state: scan is the only place a new iteration gets a seed.
        offsets, rows, before = tf.cond(started, lambda: drawn, lambda: draw(pair))
        labels = tf.cond(
            is_end,
            lambda: tf.zeros([0], tf.int64),
            lambda: _labels_of(block, label_fn, default_label),
        )
        # Labels -> class codes by binary search on the sorted classes; an unknown
        # label gets a clamped code (so gathers stay in range) and fails `known`.
        codes = tf.searchsorted(classes, labels, side="left")
        safe = tf.minimum(codes, n_classes - 1)
        known = tf.equal(tf.gather(classes, safe), labels)
        block_counts = tf.math.unsorted_segment_sum(
            tf.ones_like(labels), safe, n_classes
        )
        before_block, seen = seen, seen + block_counts
        # At the first marker the whole stream has been seen: every class must
        # then have exactly its declared count (more is caught at any block).
        complete = tf.logical_or(
            tf.logical_not(is_end), tf.reduce_all(tf.equal(seen, counts))
        )
        checks = [
            tf.debugging.Assert(
                tf.reduce_all(known),
                [
                    "`rebalance`: an element's label is not among the classes of "
                    "`class_counts`; pass counts for every class in the data. "
                    "Unknown labels (first 10):",
                    tf.boolean_mask(labels, tf.logical_not(known))[:10],
                ],
            ),
            tf.debugging.Assert(
                tf.logical_and(tf.reduce_all(seen <= counts), complete),
                [
                    "`rebalance`: `class_counts` disagree with the stream. Classes:",
                    classes,
                    "declared (`class_counts`):",
                    counts,
                    "seen so far in this epoch:",
                    seen,
                ],
                summarize=64,
            ),
        ]
        with tf.control_dependencies(checks):
            size = tf.shape(labels)[0]
        block_seeds = tf.random.experimental.stateless_split(pair, 2)
        order = tf.argsort(tf.random.stateless_uniform([size], block_seeds[0]))
        ordered_codes = tf.gather(safe, order)
        t_c = tf.gather(streamed_targets, ordered_codes)
        if simple:
            take = tf.boolean_mask(tf.cast(order, tf.int64), t_c > 0)
        else:
            # The element's position among its class's elements in the stream.
            position = tf.gather(before_block, ordered_codes) + _rank_within_class(
                ordered_codes
            )
            n_c = tf.maximum(tf.gather(counts, ordered_codes), 1)
            u_c = tf.gather(offsets, ordered_codes)
            # Differences of floor((i T + U) / n): over a class's n elements they sum
            # to exactly T, spread evenly, with the random offset U per epoch.
            copies = ((position + 1) * t_c + u_c) // n_c - (position * t_c + u_c) // n_c
            take = tf.repeat(tf.cast(order, tf.int64), copies)
        if plan.shuffle_copies:
            take = tf.gather(
                take,
                tf.argsort(tf.random.stateless_uniform(tf.shape(take), block_seeds[1])),
            )
        n_take = tf.size(take, out_type=tf.int64)
        if n_copies:
            # Held copies due in this block: those placed before the end of the
            # block's emitted elements (a marker flushes up to `chunk` more).
            last = tf.where(
                is_end,
                tf.minimum(next_copy + chunk, n_copies),
                tf.cast(
                    tf.searchsorted(before, [emitted + n_take], side="left")[0],
                    tf.int64,
                ),
            )
            placed = before[next_copy:last]
            take_held = rows[next_copy:last]
            slot_held = (placed - emitted) + tf.range(last - next_copy)
            slot_take = tf.range(n_take) + tf.cast(
                tf.searchsorted(placed, emitted + tf.range(n_take), side="right"),
                tf.int64,
            )
            # Each emitted element's slot in the merged block: streamed elements
            # shift by the held copies placed before them, and vice versa; the
            # inverse permutation gathers them into that order.
            merge = tf.math.invert_permutation(
                tf.cast(tf.concat([slot_take, slot_held], 0), tf.int32)
            )
        else:
            last = next_copy
            take_held = tf.zeros([0], tf.int64)
            merge = tf.range(tf.cast(n_take, tf.int32))
        # A marker after the first one with nothing left to flush: the epoch is over.
        useless = tf.logical_and(ended, next_copy >= n_copies)
        new_state = (
            seen,
            emitted + n_take,
            last,
            index + 1,
            tf.constant(True),
            tf.logical_or(ended, is_end),
            (offsets, rows, before),
        )
        return new_state, (block, take, take_held, merge, useless)

    initial = (
        tf.zeros([n_classes], tf.int64),
        tf.constant(0, tf.int64),
        tf.constant(0, tf.int64),
        tf.constant(0, tf.int64),
        tf.constant(False),
        tf.constant(False),
        (
            tf.zeros([n_classes], tf.int64),
            tf.zeros([n_copies], tf.int64),
            tf.zeros([n_copies], tf.int64),
        ),
    )

    def gather(block: Any, take: Any, take_held: Any, merge: Any, useless: Any) -> Any:
        def one(streamed: Any, kept: Any) -> Any:
            rows = tf.gather(streamed, take)
            if n_copies:
                rows = tf.concat([rows, tf.gather(kept, take_held)], 0)
            return tf.gather(rows, merge)

        out = tf.nest.map_structure(one, block, held)
        return tuple(out) if spec_is_tuple else out[0]

    return (
        inputs.scan(initial, step)
        .take_while(lambda *out: tf.logical_not(out[-1]))
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
        .unbatch()
    )


@dataclass
class HostClassAwareDraws:
    """The class-aware draw of each epoch of a multilabel :func:`rebalance`, on the
    host: the ``k``-th call (the ``k``-th iteration of the dataset) returns epoch
    ``k``'s indices into the held elements, the draw
    :class:`balancekit.torch.MultilabelBalancedSampler` makes for ``(seed, k)``
    (O(n_draws) int64 per epoch; the elements stay in the graph)."""

    rows: LabelRows  # the labels of the held (labelled) elements
    probabilities: np.ndarray
    n_draws: int
    seed: int
    replacement: bool
    _epochs: Any = field(default_factory=itertools.count, repr=False)

    def __call__(self) -> np.ndarray:
        epoch = next(self._epochs)
        return class_aware_draw(
            self.rows,
            self.probabilities,
            self.n_draws,
            np.random.default_rng([self.seed, epoch]),
            replacement=self.replacement,
        ).indices


def multilabel_epochs(
    held: Any, draws: HostClassAwareDraws, block_size: int, spec_is_tuple: bool
) -> tf.data.Dataset:
    """The class-aware dataset: each iteration draws an epoch of indices on the
    host (one ``tf.numpy_function`` call) and gathers the held elements in blocks
    of ``block_size``."""

    def indices(_: tf.Tensor) -> tf.Tensor:
        drawn = tf.numpy_function(draws, [], tf.int64, stateful=True)
        return tf.ensure_shape(drawn, [draws.n_draws])

    def gather(index: tf.Tensor) -> Any:
        out = tf.nest.map_structure(lambda t: tf.gather(t, index), held)
        return tuple(out) if spec_is_tuple else out[0]

    return (
        tf.data.Dataset.from_tensors(tf.constant(0, tf.int64))
        .map(indices)
        .unbatch()
        .batch(block_size)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
        .unbatch()
    )
