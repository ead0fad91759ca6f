"""The labels of a dataset element, for ``with_sample_weights``: where each output's
labels are, how to read them (class indices or one-hot) and how many classes they
have.

:func:`label_structure` lists the outputs of a label spec, :func:`plan_output`
decides how one output is read from its spec and its checked parameters, and
:func:`class_ids` reads the class indices in the graph, with assertions that name
the labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit.tensorflow._weight_params import OutputKey, WeightSpec, output_name

__all__ = [
    "LabelSelector",
    "OutputPlan",
    "class_ids",
    "label_name",
    "label_structure",
    "multilabel_ids",
    "plan_output",
]


@dataclass(frozen=True)
class OutputPlan:
    """One output before its counts are known: how to read its labels."""

    key: OutputKey
    spec: WeightSpec
    counts: np.ndarray | None
    num_classes: int | None  # None: the largest counted label + 1
    one_hot: bool
    label_name: str  # e.g. "y", "y['a']", "label_fn(x, y)[0]"
    label_spec: tf.TensorSpec
    # Multilabel: the last axis holds n_labels 0/1 values; the "classes" are then
    # the 2 * n_labels pairs (label, value), class 2 * label + value.
    multilabel: bool = False


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class LabelSelector:
    """``select(*element) -> {key: labels}``: the labels of each output of an element
    (``element[1]``, or ``label_fn(*element)``), keyed as :func:`label_structure`."""

    label_fn: Callable[..., Any] | None

    def __call__(self, *element: Any) -> dict:
        labels = element[1] if self.label_fn is None else self.label_fn(*element)
        if isinstance(labels, Mapping):
            return {str(k): v for k, v in labels.items()}
        if isinstance(labels, tuple | list):
            return dict(enumerate(labels))
        return {None: labels}


def label_structure(spec: Any, name: str) -> list[tuple[OutputKey, Any]]:
    """``[(key, TensorSpec)]`` of a label structure: a tensor, dict or tuple."""
    if isinstance(spec, tf.TensorSpec):
        return [(None, spec)]
    if isinstance(spec, Mapping):
        items: list[tuple[OutputKey, Any]] = [(str(k), v) for k, v in spec.items()]
    elif isinstance(spec, tuple | list):
        items = list(enumerate(spec))
    else:
        items = []
    if not items or not all(isinstance(v, tf.TensorSpec) for _, v in items):
        raise TypeError(
            f"{name} must be a dense tensor, or a dict or tuple of dense tensors (one "
            f"per output); got {spec}."
        )
    return items


def label_name(label_fn: Any, key: OutputKey) -> str:
    """How the labels of output ``key`` are named in messages."""
    base = "y" if label_fn is None else "label_fn(x, y)"
    return base if key is None else f"{base}[{key!r}]"


def multilabel_ids(labels: tf.Tensor, *, name: str) -> tf.Tensor:
    """``2 * label + value`` (int64) of 0/1 ``labels`` of shape (..., n_labels): the
    index of each (label, value) pair, checked to hold only 0 and 1 first."""
    n_labels = labels.shape[-1]
    if labels.dtype.is_bool:
        values = tf.cast(labels, tf.int64)
    else:
        zero_one = tf.logical_or(
            tf.equal(labels, tf.zeros([], labels.dtype)),
            tf.equal(labels, tf.ones([], labels.dtype)),
        )
        check = tf.debugging.Assert(
            tf.reduce_all(zero_one),
            [
                f"`{name}` must hold only 0 and 1 (a multilabel indicator, one 0/1 "
                "value per label on the last axis); found another value. Binarise it "
                "first, or pass multilabel=False for class indices."
            ],
        )
        with tf.control_dependencies([check] if check is not None else []):
            values = tf.cast(labels, tf.int64)
    return values + 2 * tf.range(n_labels, dtype=tf.int64)


def class_ids(
    labels: tf.Tensor,
    *,
    one_hot: bool,
    num_classes: int | None,
    name: str,
    multilabel: bool = False,
) -> tf.Tensor:
    """Class indices (int64) of ``labels``, checked (assertions naming ``name``)
    before they are returned, so a bad label fails here rather than in a gather.

    For ``multilabel`` labels, the indices of their (label, value) pairs
    (:func:`multilabel_ids`)."""
    if multilabel:
        return multilabel_ids(labels, name=name)
    if one_hot:
        return tf.argmax(labels, axis=-1, output_type=tf.int64)
    if labels.dtype.is_bool:
        return tf.cast(labels, tf.int64)
    checks = []
    if labels.dtype.is_floating:
        # Float index labels (e.g. from a CSV) are fine only if whole: a soft label
        # read as an index would silently pick a class.
        rounded = tf.round(labels)
        checks.append(
            tf.debugging.assert_equal(
                rounded,
                labels,
                message=(
                    f"`{name}` holds float labels that are not whole numbers; they "
                    "are read as class indices. For one-hot labels pass one_hot=True "
                    "(or num_classes)."
                ),
            )
        )
        labels = rounded
    ids = tf.cast(labels, tf.int64)
    bounds = f"in [0, {num_classes})" if num_classes is not None else ">= 0"
    checks.append(
        tf.debugging.assert_non_negative(
            ids,
            message=f"`{name}` must hold class indices {bounds}; found a negative one.",
        )
    )
    if num_classes is not None:
        checks.append(
            tf.debugging.assert_less(
                ids,
                tf.constant(num_classes, tf.int64),
                message=(
                    f"`{name}` must hold class indices {bounds}; found a larger one. "
                    "Pass num_classes (or class_counts / class_weight for every "
                    "class)."
                ),
            )
        )
    # Eagerly the assertions have run already (and return None); in a graph the
    # identity makes every use of the ids wait for them.
    with tf.control_dependencies([c for c in checks if c is not None]):
        return tf.identity(ids)


def _class_number_sources(
    key: OutputKey, values: dict, spec: WeightSpec, counts: np.ndarray | None
) -> dict[str, int]:
    """The numbers of classes the parameters give, by where they come from."""
    sources = {}
    for source, value in (
        (output_name("num_classes", key), values["num_classes"]),
        (output_name("class_counts", key) + " (its length)", counts),
        (spec.name + " (its length)", spec.exact_classes),
    ):
        if value is not None:
            sources[source] = value if isinstance(value, int) else len(value)
    if len(set(sources.values())) > 1:
        raise ValueError(
            f"The numbers of classes disagree: {sources}. Give one per class."
        )
    return sources


def plan_output(
    key: OutputKey, label_spec: tf.TensorSpec, values: dict, name: str
) -> OutputPlan:
    """How to read one output's labels, and its number of classes if known.

    ``values`` holds the output's checked ``class_weight``, ``class_counts``,
    ``num_classes`` and ``one_hot``; ``name`` names its labels in messages.
    """
    spec: WeightSpec = values["class_weight"]
    counts: np.ndarray | None = values["class_counts"]
    dtype = label_spec.dtype
    if not (dtype.is_integer or dtype.is_floating or dtype.is_bool):
        raise TypeError(
            f"`{name}` must hold integer, bool or float labels; got "
            f"{dtype.name}. Map string labels to integers first (e.g. "
            "keras.layers.StringLookup)."
        )
    if values.get("multilabel"):
        return _plan_multilabel(key, label_spec, values, name)
    if counts is not None and counts.ndim != 1:
        raise ValueError(
            f"`{output_name('class_counts', key)}` has shape {counts.shape}: 2-D "
            "counts (n_labels, 2) are for multilabel labels; pass multilabel=True, "
            "or one count per class."
        )
    sources = _class_number_sources(key, values, spec, counts)
    exact = next(iter(sources.values()), None)
    # A dict class_weight only bounds the number of classes from below.
    at_least = None if spec.weights is None else max(spec.weights) + 1
    one_hot = values["one_hot"]
    last = label_spec.shape[-1] if label_spec.shape.rank else None
    if one_hot is None:
        # Float labels are one-hot when their last axis is the class axis; without
        # a number of classes, (N, T) indices and (N, C) one-hot look alike.
        if dtype.is_floating and exact is None:
            raise ValueError(
                f"`{name}` holds float labels and the number of classes is "
                "unknown, so one-hot and index labels cannot be told apart; pass "
                "num_classes= or one_hot=."
            )
        one_hot = dtype.is_floating and last == exact
    if one_hot:
        if last is None:
            raise ValueError(
                f"One-hot `{name}` needs a known class axis (last); got shape "
                f"{label_spec.shape}."
            )
        if exact is not None and last != exact:
            raise ValueError(
                f"One-hot `{name}` has {last} classes (last axis), but {exact} "
                f"were given ({', '.join(sources)})."
            )
        exact = int(last)
        sources["the class axis of the one-hot labels"] = exact
    if exact is None:
        exact = at_least  # Keras' rule for a dict: its largest class + 1
    elif at_least is not None and at_least > exact:
        too_large = sorted(k for k in spec.weights or {} if k >= exact)
        raise ValueError(
            f"`{spec.name}` gives weights for classes {too_large}, but there are "
            f"{exact} classes ({', '.join(sources)})."
        )
    return OutputPlan(key, spec, counts, exact, bool(one_hot), name, label_spec)


def _plan_multilabel(
    key: OutputKey, label_spec: tf.TensorSpec, values: dict, name: str
) -> OutputPlan:
    """The plan of multilabel labels: 0/1 values, one per label on the last axis.

    Each label is an output with the classes 0 and 1; its counts, if given, are the
    row ``(count of 0s, count of 1s)`` of ``class_counts``.
    """
    spec: WeightSpec = values["class_weight"]
    counts: np.ndarray | None = values["class_counts"]
    n_labels = label_spec.shape[-1] if label_spec.shape.rank else None
    if n_labels is None:
        raise ValueError(
            f"Multilabel `{name}` needs a known last axis (one 0/1 value per label); "
            f"got shape {label_spec.shape}."
        )
    if values["one_hot"]:
        raise ValueError(
            f"`{output_name('one_hot', key)}` and `{output_name('multilabel', key)}` "
            "exclude each other: multilabel labels hold one 0/1 value per label, "
            "one-hot labels one class per row."
        )
    if values["num_classes"] not in (None, 2):
        raise ValueError(
            f"Each label of multilabel `{name}` has the classes 0 and 1; "
            f"`{output_name('num_classes', key)}` must be None or 2, got "
            f"{values['num_classes']}."
        )
    if spec.weights is not None and (
        max(spec.weights) > 1 or spec.exact_classes not in (None, 2)
    ):
        raise ValueError(
            f"`{spec.name}` gives weights for the classes {sorted(spec.weights)}, but "
            f"each label of multilabel `{name}` has the classes 0 and 1; give "
            "{0: w0, 1: w1} (used for every label) or a method name."
        )
    if counts is not None:
        if counts.shape != (int(n_labels), 2):
            raise ValueError(
                f"`{output_name('class_counts', key)}` for multilabel `{name}` must "
                f"have shape (n_labels, 2) = ({n_labels}, 2): the count of 0s and of "
                f"1s of each label; got shape {counts.shape}."
            )
        counts = counts.reshape(-1)  # class 2 * label + value
    return OutputPlan(
        key, spec, counts, 2 * int(n_labels), False, name, label_spec, multilabel=True
    )
