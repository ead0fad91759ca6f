"""Host-side checks and counting for :func:`balancekit.tensorflow.rebalance`.

Labels are checked on their spec when the transformation is applied (one message per
mistake: float labels, string labels, a ``(1,)`` label column, batched datasets,
one-hot vectors, ragged or sparse labels; for multilabel rebalancing, fixed-length
0/1 vectors, whose values are checked block by block on the host), and elements are
checked for components that cannot be gathered in blocks. Counting keeps a sorted
class array (``np.unique``), never a table indexed by the label, so a label of
``10**12`` costs what a label of 1 does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "COUNTING_BATCH",
    "call",
    "check_class_counts",
    "check_elements",
    "default_label",
    "element_nbytes",
    "indicator_block",
    "label_dataset",
    "merge_counts",
    "multilabel_label_dataset",
    "nbytes",
]

COUNTING_BATCH = 65536
_INT64_MAX = 2**63 - 1


def default_label(*element: Any) -> Any:
    """The last component of a tuple element."""
    if len(element) < 2:
        raise ValueError(
            "`label_fn` is needed: the elements are not tuples (x, ..., y), so the "
            "label is not the last component. Pass e.g. `label_fn=lambda d: "
            "d['label']`."
        )
    return element[-1]


def call(label_fn: Callable[..., Any], element: Any) -> Any:
    """Call ``label_fn`` the way ``Dataset.map`` calls its function."""
    if isinstance(element, tuple):
        return label_fn(*element)
    return label_fn(element)


def _looks_batched(dataset: tf.data.Dataset) -> bool:
    """Whether the dataset looks batched (message hint): its last transformation
    batches, or every component has an unknown leading dimension."""
    if "batch" in type(dataset).__name__.lower():
        return True
    leaves = [
        spec
        for spec in tf.nest.flatten(dataset.element_spec)
        if isinstance(spec, tf.TensorSpec | tf.RaggedTensorSpec | tf.SparseTensorSpec)
    ]
    shapes = [spec.shape for spec in leaves]
    return bool(shapes) and all(
        shape.rank is not None and shape.rank >= 1 and shape[0] is None
        for shape in shapes
    )


_RAGGED_LABEL = (
    "`label_fn` returned a variable-length label ({what}); `rebalance` needs one "
    "scalar integer class label per element (a tf.RaggedTensor row is not one). If "
    "each element holds one label, return it as a scalar (e.g. `label_fn=lambda x, "
    "y: y[0]`); for several labels per element, pick the class to balance on."
)


def _label_spec_error(spec: Any, dataset: tf.data.Dataset) -> Exception | None:
    """The error for a label spec that is not a scalar integer, or None."""
    if isinstance(spec, tf.RaggedTensorSpec):
        return ValueError(_RAGGED_LABEL.format(what="a tf.RaggedTensor"))
    if isinstance(spec, tf.SparseTensorSpec):
        return ValueError(
            "`label_fn` returned a tf.SparseTensor; `rebalance` needs one scalar "
            "integer class label per element. Return a dense scalar (e.g. "
            "`tf.argmax(tf.sparse.to_dense(y))` for a sparse one-hot label)."
        )
    if not isinstance(spec, tf.TensorSpec):
        return TypeError(
            "`label_fn` must return one scalar integer tensor per element; it "
            f"returned {spec!r}."
        )
    dtype, shape = spec.dtype, spec.shape
    cast_hint = ""
    if dtype.is_floating:
        cast_hint = (
            f" The labels are also {dtype.name}: cast them to integers in "
            "`label_fn` (e.g. `tf.cast(y, tf.int64)`)."
        )
    if shape.rank is None or shape.rank > 0:
        if (
            shape.rank is not None
            and shape.rank >= 1
            and shape[0] is None
            and not _looks_batched(dataset)
        ):
            return ValueError(
                _RAGGED_LABEL.format(what=f"shape {shape}, e.g. a tf.RaggedTensor row")
            )
        if shape.rank is not None and shape.rank >= 1 and shape[0] is None:
            return ValueError(
                f"`label_fn` must return one scalar class label per element; it "
                f"returned shape {shape}, whose leading dimension is unknown: the "
                "dataset looks batched. `rebalance` works on unbatched elements: "
                "apply it before `.batch()` (or call `.unbatch()` first)." + cast_hint
            )
        if shape.rank == 1 and shape[0] == 1:
            return ValueError(
                "`label_fn` must return one scalar class label per element; it "
                "returned shape (1,), a label column (e.g. y of shape (N, 1)). "
                "Squeeze it: `label_fn=lambda x, y: y[0]` (or `tf.squeeze(y, -1)`), "
                "or slice the labels as a 1-D array." + cast_hint
            )
        batched = (
            " The dataset looks batched: apply `rebalance` before `.batch()` (or "
            "call `.unbatch()` first)."
            if _looks_batched(dataset)
            else " If the dataset was batched (e.g. `drop_remainder=True`), apply "
            "`rebalance` before `.batch()` (or call `.unbatch()` first)."
        )
        return ValueError(
            f"`label_fn` must return one scalar class label per element; it "
            f"returned shape {shape}. For one-hot or probability labels return the "
            "class index, e.g. `label_fn=lambda x, y: tf.argmax(y)`; for multilabel "
            "0/1 vectors (several labels per element) pass `label_distribution=` "
            "(e.g. 'uniform') for class-aware rebalancing." + batched
        )
    if dtype == tf.string:
        return TypeError(
            "`label_fn` must return integer class labels; got string labels. Map "
            "them to integers first (e.g. tf.keras.layers.StringLookup, with "
            "`num_oov_indices=0`)."
        )
    if dtype.is_floating:
        return TypeError(
            f"`label_fn` must return integer class labels; got {dtype.name}. Cast "
            "float labels to integers in `label_fn`, e.g. `label_fn=lambda x, y: "
            "tf.cast(y, tf.int64)`."
        )
    if not (dtype.is_integer or dtype == tf.bool):
        return TypeError(
            f"`label_fn` must return integer class labels; got {dtype.name}."
        )
    return None


def label_dataset(dataset: tf.data.Dataset, label_fn: Callable[..., Any]) -> Any:
    """The int64 labels of ``dataset``, after checking their spec."""
    try:
        raw = dataset.map(lambda *element: call(label_fn, element))
    except (TypeError, ValueError) as error:
        if "`label_fn`" in str(error):
            raise
        raise TypeError(
            f"`label_fn` failed on the elements ({dataset.element_spec}): {error}"
        ) from error
    problem = _label_spec_error(raw.element_spec, dataset)
    if problem is not None:
        raise problem
    return raw.map(lambda label: tf.cast(label, tf.int64))


def _multilabel_spec_error(spec: Any, dataset: tf.data.Dataset) -> Exception | None:
    """The error for a label spec that is not a fixed-length 0/1 vector, or None."""
    if isinstance(spec, tf.RaggedTensorSpec | tf.SparseTensorSpec):
        kind = (
            "tf.RaggedTensor"
            if isinstance(spec, tf.RaggedTensorSpec)
            else ("tf.SparseTensor")
        )
        return ValueError(
            f"`label_fn` returned a {kind}; multilabel rebalancing "
            "(`label_distribution=`) needs one dense 0/1 vector of n_labels per "
            "element. Convert label sets to a multi-hot vector first (e.g. "
            "`tf.reduce_max(tf.one_hot(ids, n_labels, dtype=tf.int8), 0)`)."
        )
    if not isinstance(spec, tf.TensorSpec):
        return TypeError(
            f"`label_fn` must return one 0/1 vector per element; it returned {spec!r}."
        )
    dtype, shape = spec.dtype, spec.shape
    if dtype == tf.string or not (
        dtype.is_integer or dtype.is_floating or dtype == tf.bool
    ):
        return TypeError(
            "multilabel rebalancing (`label_distribution=`) needs 0/1 numbers or "
            f"booleans per label; `label_fn` returned {dtype.name}. Binarize the "
            "label sets first (e.g. tf.keras.layers.StringLookup with "
            "`output_mode='multi_hot'`)."
        )
    if shape.rank == 0:
        return ValueError(
            "multilabel rebalancing (`label_distribution=`) needs a 0/1 vector of "
            "n_labels per element; `label_fn` returned a scalar. For one class "
            "label per element leave `label_distribution=None` and use "
            "`sampling_strategy`."
        )
    if shape.rank == 1 and shape[0] is not None:
        return None
    if shape.rank is not None and shape.rank >= 1 and _looks_batched(dataset):
        return ValueError(
            f"`label_fn` returned shape {shape}; multilabel rebalancing needs one "
            "0/1 vector of n_labels per element and the dataset looks batched: "
            "apply `rebalance` before `.batch()` (or call `.unbatch()` first)."
        )
    return ValueError(
        f"`label_fn` returned shape {shape}; multilabel rebalancing "
        "(`label_distribution=`) needs one 0/1 vector of a fixed length n_labels "
        "per element. Give the labels a static shape (e.g. "
        "`tf.ensure_shape(y, [n_labels])` in `label_fn`)."
    )


def multilabel_label_dataset(
    dataset: tf.data.Dataset, label_fn: Callable[..., Any]
) -> tuple[Any, int]:
    """The labels of ``dataset`` as bool vectors, and their length, after checking
    their spec (their values are checked on the host, :func:`indicator_block`)."""
    try:
        raw = dataset.map(lambda *element: call(label_fn, element))
    except (TypeError, ValueError) as error:
        if "`label_fn`" in str(error):
            raise
        raise TypeError(
            f"`label_fn` failed on the elements ({dataset.element_spec}): {error}"
        ) from error
    problem = _multilabel_spec_error(raw.element_spec, dataset)
    if problem is not None:
        raise problem
    return raw, int(raw.element_spec.shape[0])


def indicator_block(labels: np.ndarray, first_row: int) -> np.ndarray:
    """A block of multilabel labels as bool, refusing values other than 0 and 1
    (naming the element, counted from 0 in the stream)."""
    if labels.dtype == np.bool_:
        return labels
    bad = np.argwhere((labels != 0) & (labels != 1))
    if bad.shape[0]:
        row, label = (int(v) for v in bad[0])
        raise ValueError(
            "multilabel rebalancing needs 0/1 labels; element "
            f"{first_row + row}, label {label} holds {labels[row, label]!s}. "
            "Threshold scores in `label_fn` first (e.g. `y >= 0.5`)."
        )
    return labels != 0


def _paths(spec: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, leaf)`` pairs of a nested element spec ("0", "features/pixels")."""
    if isinstance(spec, Mapping):
        items: list[tuple[Any, Any]] = sorted(spec.items())
    elif isinstance(spec, tuple | list):
        items = list(enumerate(spec))
    else:
        return [(prefix or "0", spec)]
    found = []
    for key, value in items:
        found += _paths(value, f"{prefix}/{key}" if prefix else str(key))
    return found


def check_elements(spec: Any) -> None:
    """Refuse components that cannot be gathered in blocks, naming them."""
    paths = _paths(spec)
    for path, component in paths:
        name = f"component `{path}`" if len(paths) > 1 else "the element"
        if isinstance(component, tf.SparseTensorSpec):
            raise ValueError(
                f"`rebalance`: {name} is a tf.SparseTensor, which cannot be gathered "
                "in blocks. Convert it to dense (`tf.sparse.to_dense`) before "
                "`rebalance`, or rebalance a dataset of (row index, label) and look "
                "the rows up after it."
            )
        if (
            isinstance(component, tf.TensorSpec)
            and not component.shape.is_fully_defined()
        ):
            raise ValueError(
                f"`rebalance`: {name} has the variable shape {component.shape}. "
                "Elements are gathered in blocks (in every mode, including the "
                "fallback block mode), which needs one shape per component. Pad it "
                "to a fixed shape, make it a tf.RaggedTensor, or rebalance a dataset "
                "of (row index, label) and look the rows up after it."
            )
        if not isinstance(component, tf.TensorSpec | tf.RaggedTensorSpec):
            raise TypeError(
                f"`rebalance`: {name} is a {type(component).__name__}; only "
                "tensors and ragged tensors can be rebalanced."
            )


def check_class_counts(class_counts: Any) -> dict[int, int]:
    """``class_counts`` as a sorted ``{int: int}``, checked."""
    if not isinstance(class_counts, Mapping) or not class_counts:
        raise TypeError(
            "`class_counts` must be a non-empty dict {class: count}; got "
            f"{type(class_counts).__name__}."
        )
    checked = {}
    for cls, count in sorted(class_counts.items()):
        if (
            isinstance(cls, bool)
            or not isinstance(cls, int | np.integer)
            or not 0 <= cls <= _INT64_MAX
        ):
            raise ValueError(
                "`class_counts` keys must be integer class labels in [0, 2**63); "
                f"got {cls!r}."
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


def merge_counts(
    classes: np.ndarray, counts: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Add the labels of one batch to sorted ``classes``/``counts`` (no dense table)."""
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"`label_fn` returned the negative label {labels.min()}; class labels "
            "must be integers >= 0."
        )
    found, found_counts = np.unique(labels, return_counts=True)
    merged, inverse = np.unique(np.concatenate([classes, found]), return_inverse=True)
    totals = np.zeros(merged.shape[0], dtype=np.int64)
    np.add.at(totals, inverse, np.concatenate([counts, found_counts]))
    return merged.astype(np.int64), totals


def element_nbytes(spec: Any) -> int | None:
    """Bytes of one element from its spec, or None when not static (strings,
    ragged components)."""
    total = 0
    for component in tf.nest.flatten(spec, expand_composites=False):
        if (
            not isinstance(component, tf.TensorSpec)
            or component.dtype == tf.string
            or not component.shape.is_fully_defined()
        ):
            return None
        total += int(np.prod(component.shape.as_list(), dtype=np.int64)) * int(
            component.dtype.size
        )
    return total


def nbytes(value: Any) -> int:
    """Bytes held by a (nested) tensor, ragged tensors and strings included."""
    total = 0
    for tensor in tf.nest.flatten(value, expand_composites=True):
        if tensor.dtype == tf.string:
            total += int(tf.reduce_sum(tf.strings.length(tensor))) + 16 * int(
                tf.size(tensor)
            )
        else:
            total += int(tf.size(tensor)) * int(tensor.dtype.size)
    return total
