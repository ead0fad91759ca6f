"""Class counts and class-weight tables for ``with_sample_weights``.

:func:`count_classes_of` counts the labels of several outputs in one pass over a
dataset (``reduce`` in the graph); :func:`weight_table` turns one output's counts (or
given weights) into its vector of per-class weights with
:mod:`balancekit.weighting`'s formulas, and :func:`multilabel_weight_table` does so
for each label of multilabel labels (the weights of their (label, value) pairs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit.tensorflow._weight_labels import OutputPlan, class_ids
from balancekit.tensorflow._weight_params import OutputKey, WeightSpec
from balancekit.weighting._class_weight import class_weights_from_counts

__all__ = ["count_classes_of", "multilabel_weight_table", "weight_table"]

# Labels per step of the counting pass (ragged batches of about this many labels).
_COUNTING_LABELS = 1 << 16
_ASSUMED_BATCH = 256  # for an unknown (batch) dimension when sizing those batches


def _labels_per_element(spec: tf.TensorSpec) -> int:
    sizes = [_ASSUMED_BATCH if d is None else d for d in spec.shape.as_list()]
    return max(1, int(np.prod(sizes)))


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class _FlatClassIds:
    """``element -> (ids of output 1, ids of output 2, ...)``, each flattened."""

    select: Callable[..., dict]
    plans: tuple[OutputPlan, ...]

    def __call__(self, *element: Any) -> tuple:
        labels = self.select(*element)
        return tuple(
            tf.reshape(
                class_ids(
                    labels[p.key],
                    one_hot=p.one_hot,
                    num_classes=p.num_classes,
                    name=p.label_name,
                    multilabel=p.multilabel,
                ),
                [-1],
            )
            for p in self.plans
        )


def _add_counts(state: tuple, batch: tuple) -> tuple:
    """``state`` plus the class counts of ``batch``, output by output."""
    new = []
    for total, values in zip(state, batch, strict=True):
        if isinstance(values, tf.RaggedTensor):
            values = values.flat_values
        counts = tf.math.bincount(tf.reshape(values, [-1]), dtype=tf.int64)
        # The number of classes may be unknown (the largest label + 1): the two
        # vectors grow to the longer one before they are added.
        size = tf.maximum(tf.size(total), tf.size(counts))
        new.append(
            tf.pad(total, [[0, size - tf.size(total)]])
            + tf.pad(counts, [[0, size - tf.size(counts)]])
        )
    return tuple(new)


def count_classes_of(
    dataset: tf.data.Dataset,
    select: Callable[..., dict],
    plans: list[OutputPlan],
    *,
    batch_first: bool,
) -> dict[OutputKey, np.ndarray]:
    """Class counts of the outputs of ``plans``, in one pass over ``dataset``.

    ``batch_first``: ``select`` works on batches of elements as well (it does not
    depend on the element's shape: no ``label_fn``)."""
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "`dataset` is infinite (cardinality INFINITE, e.g. after `.repeat()`), so "
            "its classes cannot be counted; pass `class_counts=`, or apply "
            "`with_sample_weights` before `.repeat()`."
        )
    largest = max(_labels_per_element(p.label_spec) for p in plans)
    per_step = max(1, _COUNTING_LABELS // largest)
    ids_fn = tf.autograph.experimental.do_not_convert(
        _FlatClassIds(select, tuple(plans))
    )
    if batch_first and all(
        isinstance(s, tf.TensorSpec) and s.shape.is_fully_defined()
        for s in tf.nest.flatten(dataset.element_spec)
    ):
        # Small elements of fixed shape (e.g. unbatched): batch them first, since a
        # map per element costs microseconds; the labels' checks work on any shape.
        ids = dataset.batch(per_step).map(
            ids_fn, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False
        )
    else:
        # Elements of varying shape: ragged batches, so each step still bincounts
        # many labels at once.
        ids = dataset.map(
            ids_fn, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False
        ).ragged_batch(per_step)
    initial = tuple(tf.zeros([p.num_classes or 0], tf.int64) for p in plans)
    totals = ids.reduce(initial, tf.autograph.experimental.do_not_convert(_add_counts))
    result = {}
    for p, total in zip(plans, totals, strict=True):
        counts = total.numpy().astype(np.float64)
        if counts.sum() == 0:
            raise ValueError(
                f"`dataset` holds no labels for `{p.label_name}`, so there are no "
                "class counts to weigh by."
            )
        result[p.key] = counts if p.num_classes is None else counts[: p.num_classes]
    return result


def weight_table(
    spec: WeightSpec,
    counts: np.ndarray | None,
    num_classes: int,
    *,
    beta: float,
    normalize: str | None,
    absent: str,
    counts_name: str,
) -> np.ndarray:
    """Exactly ``compute_class_weight(y, ..., classes=range(num_classes))`` for the
    labels ``y`` of ``counts``, computed from the counts (float64, one per class)."""
    classes = tuple(range(num_classes))
    if counts is None:
        present: tuple = ()
        present_counts: tuple = ()
    else:
        present = tuple(c for c in classes if counts[c] > 0)
        present_counts = tuple(float(counts[c]) for c in present)
    if spec.method is not None:
        assert counts is not None
        missing = [c for c in classes if counts[c] == 0]
        if missing and absent == "raise":
            raise ValueError(
                f"Classes {missing} have no labels ({counts_name} is 0 for them), so "
                f"`{spec.name}`={spec.method!r} would give them infinite weight. Pass "
                "absent='zero' to give them weight 0, or give num_classes / "
                "class_counts without them."
            )
        method: Any = spec.method
    else:
        assert spec.weights is not None
        method = spec.weights
    # absent="zero" here: a missing class under a method was refused above if it
    # had to be, so the formulas give the rest weight 0.
    return class_weights_from_counts(
        None,
        present,
        present_counts,
        classes,
        method,
        beta=beta,
        normalize=normalize,
        absent="zero",
        sample_weight=None,
        xp=np,
    )


def multilabel_weight_table(
    spec: WeightSpec,
    counts: np.ndarray | None,
    n_labels: int,
    *,
    beta: float,
    normalize: str | None,
) -> np.ndarray:
    """Weights of the (label, value) pairs of multilabel labels, pair ``2 * l + v``.

    Label ``l`` is weighed as one output of
    ``compute_sample_weight(Y, method, beta=beta, normalize=normalize)`` is: over the
    classes (0, 1, or the one value it takes) present in its counts ``counts[2 * l],
    counts[2 * l + 1]``; a value the label never takes gets 0 (no element has it).
    Given weights ``{0: w0, 1: w1}`` serve every label (a missing one is 1).

    Examples
    --------
    >>> spec = WeightSpec("balanced", None, None, "class_weight")
    >>> counts = np.array([3.0, 1.0, 2.0, 2.0])  # label 0: three 0s, one 1
    >>> multilabel_weight_table(spec, counts, 2, beta=0.9, normalize=None).tolist()
    [0.6666666666666666, 2.0, 1.0, 1.0]
    """
    method: Any = spec.method if spec.method is not None else spec.weights
    table = np.zeros(2 * n_labels)
    for label in range(n_labels):
        pair = None if counts is None else counts[2 * label : 2 * label + 2]
        present = () if pair is None else tuple(v for v in (0, 1) if pair[v] > 0)
        # a method weighs the classes the label takes, as compute_sample_weight does
        classes = present if spec.method is not None else (0, 1)
        weights = class_weights_from_counts(
            None,
            present,
            tuple(float(pair[v]) for v in present) if pair is not None else (),
            classes,
            method,
            beta=beta,
            normalize=normalize,
            absent="zero",
            sample_weight=None,
            xp=np,
        )
        for value, weight in zip(classes, weights, strict=True):
            table[2 * label + value] = weight
    return table
