"""``rebalance``: a tf.data transformation that over- and under-samples a stream.

The class counts (given, or counted in one pass) and the strategy are resolved by the
core (:func:`balancekit.epoch_class_counts`) into a target count ``T_c`` per class.
Every class but the largest one that is not over-sampled is *held*: its elements are
collected into tensors once, when the transformation is applied (within
``max_cached_bytes``). Each epoch draws a fresh shuffled set of the held classes'
copies and places them at uniformly random positions among the streamed elements, so
batches look like independent draws from the target distribution whatever the order
of the source. The graph of an epoch is described in
:mod:`balancekit.tensorflow._rebalance_epoch`.

Multilabel labels (a 0/1 vector per element, with ``label_distribution``) take
another route: the elements with a label are held, and each epoch gathers them at
the indices of the class-aware draw plan (:mod:`balancekit._class_aware_draws`)
that :class:`balancekit.torch.MultilabelBalancedSampler` uses, drawn on the host.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit._class_aware_draws import (
    LABEL_DISTRIBUTIONS,
    label_probabilities,
    label_rows,
)
from balancekit._class_targets import SamplingMode, check_mode, epoch_class_counts
from balancekit._params import check_bool, check_choice, check_int
from balancekit.tensorflow._rebalance_checks import (
    COUNTING_BATCH,
    call,
    check_class_counts,
    check_elements,
    default_label,
    element_nbytes,
    indicator_block,
    label_dataset,
    merge_counts,
    multilabel_label_dataset,
    nbytes,
)
from balancekit.tensorflow._rebalance_epoch import (
    EpochPlan,
    HostClassAwareDraws,
    epochs,
    multilabel_epochs,
)

__all__ = ["count_classes", "rebalance"]

_BLOCK_SIZE = 1024
_MAX_CACHED_BYTES = 2**30
#: Bytes of per-epoch index arrays per held copy (row index, position, temporaries).
_INDEX_BYTES_PER_COPY = 32


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
        ``{class: count}`` for every class present, sorted. Labels can be any
        integers in ``[0, 2**63)``: the counts are kept per class present, never in
        a table as long as the largest label.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow import count_classes
    >>> ds = tf.data.Dataset.from_tensor_slices(([[0.0]] * 5, [0, 1, 1, 0, 1]))
    >>> count_classes(ds)
    {0: 2, 1: 3}
    """
    label_fn = default_label if label_fn is None else label_fn
    _check_finite(dataset)
    classes = counts = np.zeros(0, dtype=np.int64)
    for labels in label_dataset(dataset, label_fn).batch(COUNTING_BATCH):
        classes, counts = merge_counts(classes, counts, labels.numpy())
    if classes.shape[0] == 0:
        raise ValueError("`dataset` is empty; there is nothing to rebalance.")
    return {int(c): int(n) for c, n in zip(classes, counts, strict=True)}


def _check_finite(dataset: tf.data.Dataset) -> None:
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "`dataset` is infinite (e.g. `.repeat()`): `rebalance` needs epochs of "
            "known class counts. Apply it before `.repeat()` (each repetition is a "
            "new epoch with a new order): `ds.apply(rebalance(...)).repeat()`."
        )


def rebalance(
    label_fn: Callable[..., Any] | None = None,
    sampling_strategy: Any = "auto",
    *,
    mode: SamplingMode = "over",
    class_counts: Mapping[int, int] | None = None,
    seed: int | None = None,
    block_size: int = _BLOCK_SIZE,
    max_cached_bytes: int = _MAX_CACHED_BYTES,
    label_distribution: Any = None,
    replacement: bool | None = None,
    num_samples: int | None = None,
) -> Callable[[tf.data.Dataset], tf.data.Dataset]:
    """Over- and/or under-sample a stream of unbatched elements, for
    ``dataset.apply``, so that batches look like independent draws.

    What it guarantees, with no shuffle by the user:

    - every class yields exactly its target count per epoch (over-sampling repeats
      every element ``floor(ratio)`` or ``floor(ratio) + 1`` times; under-sampling
      keeps distinct elements), and each epoch (each new iteration) draws anew;
    - every class but the largest not over-sampled one is *held* in memory (the
      over-sampled classes are the small ones): their copies are shuffled and
      placed at uniformly random positions over the epoch, so a batch's class mix,
      its repeats and how a row's copies spread over the epoch are those of an
      independent draw from the target distribution, even for a class-sorted
      source;
    - the streamed class comes in the source order, shuffled within blocks of
      ``block_size`` elements (thinned evenly when under-sampled): if the source is
      sorted by something else within that class (time, file), shuffle it upstream.

    Applying it reads the stream once to fill the held classes (twice without
    ``class_counts``: counting first) and checks ``class_counts``. Random
    augmentation belongs after ``rebalance``: the held elements are read once.
    Above ``max_cached_bytes`` it falls back, with a ``UserWarning``, to the block
    mode: everything streamed, copies of an element kept within its block of
    ``block_size`` elements (follow with a large ``.shuffle(buffer)``).

    Multilabel labels (``label_fn`` returns a 0/1 vector of ``n_labels`` per
    element) are rebalanced class-aware when ``label_distribution`` is given
    (Shen, Lin and Huang 2016): each draw picks a label by that distribution, then
    an element that has it, exactly as
    :class:`balancekit.torch.MultilabelBalancedSampler` does: the ``k``-th
    iteration over the dataset (counted from 0 for each application) yields the
    elements at the indices that sampler draws in epoch ``k`` with the same
    ``seed``, ``label_distribution``, ``replacement`` and ``num_samples``. The
    elements with at least one label are held in memory (within
    ``max_cached_bytes``; elements with no label are never drawn); the draw of an
    epoch's indices runs on the host, in one ``tf.numpy_function`` call.

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
        Counts that disagree with the data raise a ``ValueError`` when applied (or
        an ``InvalidArgumentError`` naming them during iteration, when nothing is
        held).
    seed : int or None, default=None
        Seed of the draws: the same seed gives the same stream; each epoch (each
        new iteration) gets a new order and new repeats.
    block_size : int, default=1024
        Elements of the stream read and shuffled together. In the fallback block
        mode, copies of an element stay within its block.
    max_cached_bytes : int, default=2**30
        Memory allowed for the held classes (their elements plus 32 bytes per copy
        per epoch for the draws). ``0`` forces the block mode. Multilabel
        rebalancing refuses (``ValueError``) a stream whose labelled elements do
        not fit.
    label_distribution : {"uniform", "sqrt", "natural"}, sequence of float or \
None, default=None
        Multilabel class-aware rebalancing: how labels are picked, ``p_c``
        proportional to 1, to ``sqrt(n_c)`` or to ``n_c`` (``n_c`` the elements
        with label ``c``), or ``n_labels`` probabilities summing to 1. ``None``:
        one class label per element, rebalanced by ``sampling_strategy``.
    replacement : bool or None, default=None
        Multilabel only (default ``True``): draw a label's elements with
        replacement; without, run through them in a random order before any
        repeats.
    num_samples : int or None, default=None
        Multilabel only: elements per epoch (default: the stream's length).

    Returns
    -------
    callable
        ``dataset -> dataset`` with the same ``element_spec``; its cardinality is
        the total of the targets when the counts were checked, or given and equal
        to the stream's known length. It pickles when ``label_fn`` does.

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

    Multilabel, class-aware (each label picked uniformly, then an element with it):

    >>> tags = np.zeros((100, 3), dtype=np.int64)
    >>> tags[:, 0], tags[:10, 1], tags[95:, 2] = 1, 1, 1
    >>> ds = tf.data.Dataset.from_tensor_slices((np.arange(100), tags))
    >>> aware = ds.apply(rebalance(label_distribution="uniform", seed=0))
    >>> drawn = np.array([t.numpy() for _, t in aware])
    >>> drawn.shape, bool((drawn.sum(axis=0) >= 33).all())
    ((100, 3), True)
    """
    return Rebalance(
        default_label if label_fn is None else label_fn,
        sampling_strategy,
        mode=mode,
        class_counts=class_counts,
        seed=seed,
        block_size=block_size,
        max_cached_bytes=max_cached_bytes,
        label_distribution=label_distribution,
        replacement=replacement,
        num_samples=num_samples,
    )


class Rebalance:
    """The transformation :func:`rebalance` returns (a picklable callable)."""

    def __init__(
        self,
        label_fn: Callable[..., Any],
        sampling_strategy: Any,
        *,
        mode: SamplingMode,
        class_counts: Mapping[int, int] | None,
        seed: int | None,
        block_size: int,
        max_cached_bytes: int,
        label_distribution: Any = None,
        replacement: bool | None = None,
        num_samples: int | None = None,
    ) -> None:
        if not callable(label_fn):
            raise TypeError(
                f"`label_fn` must be callable; got {type(label_fn).__name__}."
            )
        self.label_fn = label_fn
        self.sampling_strategy = sampling_strategy
        self.mode = check_mode(mode)
        self.class_counts = (
            None if class_counts is None else check_class_counts(class_counts)
        )
        self.block_size = check_int(block_size, "block_size", low=1)
        self.max_cached_bytes = check_int(max_cached_bytes, "max_cached_bytes", low=0)
        self.seed = check_int(seed, "seed", low=0, allow_none=True)
        self.label_distribution = _check_multilabel(
            label_distribution, sampling_strategy, mode, class_counts
        )
        self.multilabel = label_distribution is not None
        if not self.multilabel:
            for name, value in (
                ("replacement", replacement),
                ("num_samples", num_samples),
            ):
                if value is not None:
                    raise ValueError(
                        f"`{name}` applies to multilabel class-aware rebalancing "
                        "only; pass `label_distribution=` (e.g. 'uniform') for "
                        f"multilabel labels, or leave `{name}=None`."
                    )
        self.replacement = (
            True if replacement is None else check_bool(replacement, "replacement")
        )
        self.num_samples = check_int(num_samples, "num_samples", allow_none=True)

    def __call__(self, dataset: tf.data.Dataset) -> tf.data.Dataset:
        if not isinstance(dataset, tf.data.Dataset):
            raise TypeError(
                f"`rebalance` applies to a tf.data.Dataset; got "
                f"{type(dataset).__name__}."
            )
        if self.multilabel:
            return self._class_aware(dataset)
        label_dataset(dataset, self.label_fn)  # checks the labels' spec first
        check_elements(dataset.element_spec)
        _check_finite(dataset)
        counts = (
            count_classes(dataset, self.label_fn)
            if self.class_counts is None
            else self.class_counts
        )
        targets = epoch_class_counts(self.sampling_strategy, counts, mode=self.mode)
        classes = np.array(list(counts), dtype=np.int64)
        n_known = np.array(list(counts.values()), dtype=np.int64)
        held = _held_classes(
            n_known,
            targets,
            element_nbytes(dataset.element_spec),
            self.max_cached_bytes,
        )
        checked = self.class_counts is None
        held_rows, held_codes = None, np.zeros(0, dtype=np.int64)
        if held.any():
            collected = _collect(
                dataset,
                self.label_fn,
                classes,
                n_known,
                targets,
                held,
                self.max_cached_bytes,
            )
            if collected is None:  # the held rows outgrew the budget while read
                held[:] = False
            else:
                held_rows, held_codes = collected
                checked = True
        if not held.any() and (targets > n_known).any():
            _warn_block_mode(n_known, targets, self.max_cached_bytes, self.block_size)
        streamed = classes[~held & (targets > 0)]
        if held.any() and streamed.shape[0] > 1:
            warnings.warn(
                f"`rebalance`: classes {streamed.tolist()} do not fit in "
                f"`max_cached_bytes={self.max_cached_bytes}` together, so they are "
                "streamed: their elements keep the source order relative to each "
                f"other (shuffled within blocks of {self.block_size}). If the source "
                "is sorted by class, shuffle it upstream or raise `max_cached_bytes`.",
                UserWarning,
                stacklevel=2,
            )
        plan = EpochPlan(
            classes=classes,
            counts=n_known,
            targets=targets.astype(np.int64),
            held=held,
            held_codes=held_codes,
            block_size=self.block_size,
            shuffle_copies=not held.any(),
        )
        empty = _empty_block(dataset)
        out = epochs(
            dataset,
            plan,
            empty if held_rows is None else held_rows,
            empty,
            label_fn=self.label_fn,
            default_label=self.label_fn is default_label,
            seed=self.seed,
        )
        # A known cardinality lets Keras size an epoch (progress bar, no
        # steps_per_epoch); it is declared only when the counts were verified
        # against the stream or the stream's own length agrees with them.
        length = int(dataset.cardinality())
        if checked or length == int(n_known.sum()):
            out = out.apply(tf.data.experimental.assert_cardinality(int(targets.sum())))
        return out

    def _class_aware(self, dataset: tf.data.Dataset) -> tf.data.Dataset:
        """Multilabel class-aware rebalancing (the draw plan of
        :class:`balancekit.torch.MultilabelBalancedSampler`)."""
        multilabel_label_dataset(dataset, self.label_fn)  # the labels' spec first
        check_elements(dataset.element_spec)
        _check_finite(dataset)
        held, indicator, n_total = _collect_labelled(
            dataset, self.label_fn, self.max_cached_bytes, self.num_samples
        )
        if indicator.shape[0] == 0 or indicator.shape[1] == 0:
            raise ValueError(
                f"`rebalance`: none of the {n_total} elements has a label (the "
                f"labels `label_fn` returns have {indicator.shape[1]} columns), so "
                "there is nothing to draw from. Check `label_fn`."
            )
        rows = label_rows(indicator)
        probabilities = label_probabilities(self.label_distribution, rows.counts)
        n_draws = n_total if self.num_samples is None else self.num_samples
        seed = (
            int(np.random.default_rng().integers(0, 2**62))
            if self.seed is None
            else self.seed
        )
        draws = HostClassAwareDraws(
            rows, probabilities, n_draws, seed, self.replacement
        )
        out = multilabel_epochs(
            held,
            draws,
            self.block_size,
            isinstance(dataset.element_spec, tuple),
        )
        return out.apply(tf.data.experimental.assert_cardinality(n_draws))


def _check_multilabel(
    label_distribution: Any,
    sampling_strategy: Any,
    mode: Any,
    class_counts: Any,
) -> Any:
    """``label_distribution`` checked (a name now, a sequence once the number of
    labels is known), with no single-label setting beside it."""
    if label_distribution is None:
        return None
    if isinstance(label_distribution, str):
        check_choice(label_distribution, "label_distribution", LABEL_DISTRIBUTIONS)
    given = [
        name
        for name, value, default in (
            ("sampling_strategy", sampling_strategy, "auto"),
            ("mode", mode, "over"),
            ("class_counts", class_counts, None),
        )
        if not (value is default or (isinstance(value, str) and value == default))
    ]
    if given:
        raise ValueError(
            f"`label_distribution` (multilabel class-aware rebalancing) cannot be "
            f"combined with {', '.join(f'`{name}`' for name in given)}, which apply "
            "to one class label per element; leave them at their defaults."
        )
    return label_distribution


def _collect_labelled(
    dataset: tf.data.Dataset,
    label_fn: Callable[..., Any],
    budget: int,
    num_samples: int | None,
) -> tuple[Any, np.ndarray, int]:
    """Read the stream once: check every element's 0/1 labels and hold the elements
    with at least one label. Returns the held elements (a tuple of batched
    components, in stream order), their labels as a bool indicator, and the
    stream's length."""
    is_tuple = isinstance(dataset.element_spec, tuple)
    default = label_fn is default_label

    def split(*block: Any) -> Any:
        if default:
            labels = block[-1]
        else:
            element = block if is_tuple else block[0]
            labels = tf.vectorized_map(lambda e: call(label_fn, e), element)
        keep = tf.reduce_any(tf.not_equal(labels, tf.zeros_like(labels)), axis=1)
        where = tf.where(keep)[:, 0]
        return labels, tf.nest.map_structure(lambda t: tf.gather(t, where), block)

    parts: list[Any] = []
    indicators: list[np.ndarray] = []
    used = n_total = 0
    for labels, rows in dataset.batch(COUNTING_BATCH).map(split):
        block = indicator_block(labels.numpy(), n_total)
        n_total += block.shape[0]
        per_epoch = n_total if num_samples is None else num_samples
        used += nbytes(rows)
        if used + per_epoch * _INDEX_BYTES_PER_COPY > budget:
            raise ValueError(
                "`rebalance`: multilabel class-aware rebalancing holds the elements "
                f"that have a label in memory, and after {n_total:,} elements they "
                f"need more than `max_cached_bytes={budget}` (with "
                f"{_INDEX_BYTES_PER_COPY} bytes per drawn element for the epoch's "
                "indices). Raise `max_cached_bytes`, or rebalance a light dataset "
                "of (row index, labels) and load the rows after it (e.g. "
                "`.map(lambda i, y: (load(i), y))`)."
            )
        parts.append(rows)
        indicators.append(block[block.any(axis=1)])
    if n_total == 0:
        raise ValueError("`dataset` is empty; there is nothing to rebalance.")
    held = tf.nest.map_structure(lambda *pieces: tf.concat(pieces, 0), *parts)
    return held, np.concatenate(indicators), n_total


def _held_classes(
    n_known: np.ndarray,
    targets: np.ndarray,
    row_bytes: int | None,
    budget: int,
) -> np.ndarray:
    """Which classes to hold: every over-sampled class (or none, above the budget),
    then the others from the smallest, leaving the largest one streamed."""
    held = targets > n_known
    per_row = 0 if row_bytes is None else row_bytes

    def cost(mask: np.ndarray) -> int:
        return int(
            n_known[mask].sum() * per_row + targets[mask].sum() * _INDEX_BYTES_PER_COPY
        )

    if cost(held) > budget:
        return np.zeros_like(held)
    candidates = np.flatnonzero(~held & (targets > 0))
    if candidates.shape[0]:
        by_size = candidates[np.argsort(n_known[candidates], kind="stable")]
        for code in by_size[:-1]:  # the largest stays streamed
            trial = held.copy()
            trial[code] = True
            if cost(trial) > budget:
                break
            held = trial
    return held


def _collect(
    dataset: tf.data.Dataset,
    label_fn: Callable[..., Any],
    classes: np.ndarray,
    n_known: np.ndarray,
    targets: np.ndarray,
    held: np.ndarray,
    budget: int,
) -> tuple[Any, np.ndarray] | None:
    """Read the stream once: count every class (checking ``class_counts``) and
    collect the held classes' elements, sorted by class. None above the budget."""
    held_labels = tf.constant(classes[held])  # sorted
    n_held = int(held.sum())
    is_tuple = isinstance(dataset.element_spec, tuple)

    def split(*block: Any) -> Any:
        labels = label_dataset_block(block, label_fn, is_tuple)
        # Membership by binary search on the sorted held labels (clamped so the
        # gather stays in range): no per-class loop over the block.
        found = tf.minimum(tf.searchsorted(held_labels, labels), n_held - 1)
        keep = tf.equal(tf.gather(held_labels, found), labels)
        where = tf.where(keep)[:, 0]
        rows = tf.nest.map_structure(lambda t: tf.gather(t, where), block)
        return labels, tf.boolean_mask(labels, keep), rows

    seen_classes = seen_counts = np.zeros(0, dtype=np.int64)
    parts: list[Any] | None = []
    part_labels: list[np.ndarray] = []
    used = 0
    copies_bytes = int(targets[held].sum()) * _INDEX_BYTES_PER_COPY
    for labels, kept_labels, rows in dataset.batch(COUNTING_BATCH).map(split):
        seen_classes, seen_counts = merge_counts(
            seen_classes, seen_counts, labels.numpy()
        )
        if parts is not None and int(tf.size(kept_labels)):
            used += nbytes(rows)
            if used + copies_bytes > budget:
                parts = None  # over the budget: keep counting, hold nothing
            else:
                parts.append(rows)
                part_labels.append(kept_labels.numpy())
    declared = dict(zip(classes.tolist(), n_known.tolist(), strict=True))
    seen = dict(zip(seen_classes.tolist(), seen_counts.tolist(), strict=True))
    if seen != declared:
        raise ValueError(
            "`class_counts` disagree with the stream: declared "
            f"{_short(declared)}, seen {_short(seen)}. Pass the stream's counts "
            "(`balancekit.tensorflow.count_classes(dataset, label_fn)`) or leave "
            "`class_counts=None` to count them."
        )
    if parts is None:
        return None
    # Sorted by class (stably, so stream order within a class), the held rows of a
    # class are one contiguous run: what the epoch's draw indexes into.
    labels_all = np.concatenate(part_labels)
    order = np.argsort(labels_all, kind="stable")
    rows_all = tf.nest.map_structure(
        lambda *pieces: tf.gather(tf.concat(pieces, 0), order), *parts
    )
    codes = np.searchsorted(classes, labels_all[order])
    return rows_all, codes.astype(np.int64)


def label_dataset_block(
    block: Any, label_fn: Callable[..., Any], is_tuple: bool
) -> Any:
    """The int64 labels of a batched block (a tuple of batched components)."""
    if label_fn is default_label:
        return tf.cast(block[-1], tf.int64)
    element = block if is_tuple else block[0]
    return tf.cast(tf.vectorized_map(lambda e: call(label_fn, e), element), tf.int64)


def _short(counts: dict[int, int], limit: int = 20) -> str:
    items = list(counts.items())
    text = ", ".join(f"{c}: {n}" for c, n in items[:limit])
    more = f", ... ({len(items)} classes)" if len(items) > limit else ""
    return "{" + text + more + "}"


def _empty_block(dataset: tf.data.Dataset) -> Any:
    """A block of zero elements with the dataset's structure (as a tuple)."""
    for first in dataset.batch(1).take(1):
        block = first if isinstance(first, tuple) else (first,)
        return tf.nest.map_structure(lambda t: t[:0], block)
    raise ValueError("`dataset` is empty; there is nothing to rebalance.")


def _warn_block_mode(
    n_known: np.ndarray, targets: np.ndarray, budget: int, block_size: int
) -> None:
    over = targets > n_known
    warnings.warn(
        f"`rebalance`: the over-sampled classes ({int(n_known[over].sum())} "
        f"elements, {int(targets[over].sum())} copies per epoch) do not fit in "
        f"`max_cached_bytes={budget}`, so it falls back to the block mode: copies "
        f"of an element stay within its block of {block_size} elements, so batches "
        "repeat rows and part of an epoch sees only part of the minority. Raise "
        "`max_cached_bytes`, or follow with `.shuffle(buffer)` over many blocks.",
        UserWarning,
        stacklevel=3,
    )
