"""``with_sample_weights``: per-element sample weights for Keras ``fit`` on tf.data.

Keras' ``fit(class_weight=...)`` weighs one output of integer (N,) or one-hot (N, C)
labels only: it refuses multi-output models and any ``sample_weight``, and it argmaxes
sparse labels of rank >= 2 over their last axis, so (N, T) sequence labels silently
get one weight per row, taken from the wrong class. :func:`with_sample_weights`
instead adds the weights to the dataset: ``(x, y) -> (x, y, w)`` with ``w`` of the
labels' shape, one weight per label (per time step, per pixel), and one weight
structure per output for multi-output models. Keras multiplies them into the
per-position losses exactly as it does its own ``class_weight``.

The class weights follow :func:`balancekit.weighting.compute_class_weight`; when a
method needs class counts and none are given, they are counted in the graph in one
pass over the dataset. The per-element weights are gathered in the graph
(``tf.gather`` of a constant weight vector by class index), so features never leave
TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit._loss_params import as_float64_vector, check_class_weights
from balancekit.weighting._class_weight import (
    METHODS,
    check_weight_options,
    class_weights_from_counts,
)

__all__ = ["with_sample_weights"]

# Labels per step of the counting pass (ragged batches of about this many labels).
_COUNTING_LABELS = 1 << 16
_ASSUMED_BATCH = 256  # for an unknown (batch) dimension when sizing those batches


@dataclass(frozen=True)
class _Spec:
    """One output's class-weight specification, checked."""

    method: str | None  # a name of METHODS, or None for given weights
    weights: dict[int, float] | None  # {class: weight}, from a dict or an array
    exact_classes: int | None  # len(array) for an array of per-class weights
    name: str  # how the parameter is named in errors, e.g. "class_weight['a']"


@dataclass(frozen=True)
class _Output:
    """One output: where its labels are, how to read them and its weight table."""

    key: str | int | None  # dict key, tuple index, or None for a single output
    label_name: str  # e.g. "y", "y['a']", "label_fn(x, y)[0]"
    one_hot: bool
    num_classes: int
    table: np.ndarray  # float64 weights of shape (num_classes,)


@dataclass(frozen=True)
class _Plan:
    """One output before its counts are known."""

    key: str | int | None
    spec: _Spec
    counts: np.ndarray | None
    num_classes: int | None  # None: the largest counted label + 1
    one_hot: bool
    label_name: str
    label_spec: tf.TensorSpec


# --------------------------------------------------------------------------------------
# Checks of the parameters, when with_sample_weights is called.


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _output_name(name: str, key: str | int | None) -> str:
    return name if key is None else f"{name}[{key!r}]"


def _split_per_output(value: Any, name: str, *, leaf_is_sequence: bool) -> Any:
    """``value`` as a dict/tuple of per-output values, or None if shared.

    Per-output values are a dict keyed by output names (str) or a list/tuple with one
    entry per output. When a single value is itself a sequence (per-class weights or
    counts), a list/tuple is per output only if its entries are not numbers.
    """
    if isinstance(value, Mapping):
        keys = list(value)
        if keys and all(isinstance(k, str) for k in keys):
            return dict(value)
        if not leaf_is_sequence or not keys:
            raise TypeError(
                f"`{name}` as a dict must map output names (str) to per-output "
                f"values; got keys {keys[:5]}."
            )
        return None  # a {class: weight} dict
    if isinstance(value, list | tuple):
        if not leaf_is_sequence:
            return tuple(value)
        numbers = [_is_number(v) for v in value]
        if value and not any(numbers):
            return tuple(value)
        if not all(numbers):
            raise TypeError(
                f"`{name}` must be a sequence of numbers (one per class) or a "
                f"sequence with one entry per output, not a mix; got {value!r}."
            )
    return None


def _check_spec(value: Any, name: str) -> _Spec:
    if isinstance(value, str):
        if value not in METHODS:
            raise ValueError(
                f"`{name}` must be one of {METHODS}, a dict {{class: weight}} or a "
                f"sequence of per-class weights; got {value!r}."
            )
        return _Spec(value, None, None, name)
    if isinstance(value, Mapping):
        if not value:
            raise ValueError(f"`{name}` is an empty dict; give at least one class.")
        for cls in value:
            if isinstance(cls, bool) or not isinstance(cls, Integral) or cls < 0:
                raise TypeError(
                    f"`{name}` as a dict must be keyed by class indices (ints >= 0), "
                    f"as Keras' class_weight is; got key {cls!r}."
                )
        classes = [int(c) for c in value]
        weights = check_class_weights([value[c] for c in value], name)
        return _Spec(
            None, dict(zip(classes, weights.tolist(), strict=True)), None, name
        )
    if isinstance(value, bool) or value is None or _is_number(value):
        raise TypeError(
            f"`{name}` must be a method name {METHODS}, a dict {{class: weight}} or a "
            f"sequence of per-class weights; got {value!r}."
        )
    weights = check_class_weights(value, name)
    table = dict(enumerate(weights.tolist()))
    return _Spec(None, table, int(weights.shape[0]), name)


def _check_counts(value: Any, name: str) -> np.ndarray | None:
    if value is None:
        return None
    counts = as_float64_vector(value, name)
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError(
            f"`{name}` must hold finite counts >= 0, not all 0 (one per class, in "
            f"class order); got {counts.tolist()}."
        )
    return counts


def _check_num_classes(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be None or an int; got {type(value).__name__}.")
    if value < 2:
        raise ValueError(f"`{name}` must be >= 2; got {value}.")
    return int(value)


def _check_one_hot(value: Any, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be None or a bool; got {type(value).__name__}.")
    return None if value is None else bool(value)


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "class_weight": _check_spec,
    "class_counts": _check_counts,
    "num_classes": _check_num_classes,
    "one_hot": _check_one_hot,
}
_SEQUENCE_LEAVES = ("class_weight", "class_counts")


def _check_parameter(value: Any, name: str) -> tuple[Any, Any]:
    """``(shared, per_output)``: the checked value, one of the two None."""
    check = _CHECKS[name]
    per_output = _split_per_output(
        value, name, leaf_is_sequence=name in _SEQUENCE_LEAVES
    )
    if per_output is None:
        return check(value, name), None
    if isinstance(per_output, dict):
        return None, {k: check(v, f"{name}[{k!r}]") for k, v in per_output.items()}
    return None, tuple(check(v, f"{name}[{i}]") for i, v in enumerate(per_output))


def _pick(
    name: str, shared: Any, per_output: Any, keys: list[str | int | None], key: Any
) -> Any:
    """The value of output ``key``, checking a per-output value fits the outputs."""
    if per_output is None:
        return shared
    if keys == [None]:
        raise ValueError(
            f"`{name}` is given per output, but the labels are a single tensor; give "
            "one value for it."
        )
    if isinstance(per_output, dict):
        if set(per_output) != set(keys):
            raise ValueError(
                f"`{name}` is given for the outputs {sorted(per_output)}, but the "
                f"labels have the outputs {keys}."
            )
    elif len(per_output) != len(keys) or isinstance(keys[0], str):
        raise ValueError(
            f"`{name}` is given per output as a sequence of {len(per_output)}, but the "
            f"labels have the outputs {keys}; give one entry per output (a dict "
            "keyed by name for a dict of outputs)."
        )
    return per_output[key]


# --------------------------------------------------------------------------------------
# The labels of an element, and how to read them.


def _label_structure(spec: Any, name: str) -> list[tuple[str | int | None, Any]]:
    """``[(key, TensorSpec)]`` of a label structure: a tensor, dict or tuple."""
    if isinstance(spec, tf.TensorSpec):
        return [(None, spec)]
    if isinstance(spec, Mapping):
        items: list[tuple[str | int | None, Any]] = [
            (str(k), v) for k, v in spec.items()
        ]
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


def _label_name(label_fn: Any, key: str | int | None) -> str:
    base = "y" if label_fn is None else "label_fn(x, y)"
    return base if key is None else f"{base}[{key!r}]"


def _class_ids(
    labels: tf.Tensor, *, one_hot: bool, num_classes: int | None, name: str
) -> tf.Tensor:
    """Class indices (int64) of ``labels``, checked (assertions naming ``name``)
    before they are returned, so a bad label fails here rather than in a gather."""
    if one_hot:
        return tf.argmax(labels, axis=-1, output_type=tf.int64)
    if labels.dtype.is_bool:
        return tf.cast(labels, tf.int64)
    checks = []
    if labels.dtype.is_floating:
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
    with tf.control_dependencies([c for c in checks if c is not None]):
        return tf.identity(ids)


# --------------------------------------------------------------------------------------
# The counting pass.


def _labels_per_element(spec: tf.TensorSpec) -> int:
    sizes = [_ASSUMED_BATCH if d is None else d for d in spec.shape.as_list()]
    return max(1, int(np.prod(sizes)))


def _count(
    dataset: tf.data.Dataset,
    select: Callable[..., dict],
    plans: list[_Plan],
    *,
    batch_first: bool,
) -> dict[str | int | None, np.ndarray]:
    """Class counts of the outputs of ``plans``, in one pass over ``dataset``.

    ``batch_first``: ``select`` works on batches of elements as well (it does not
    depend on the element's shape: no ``label_fn``)."""
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "`dataset` is infinite (cardinality INFINITE, e.g. after `.repeat()`), so "
            "its classes cannot be counted; pass `class_counts=`, or apply "
            "`with_sample_weights` before `.repeat()`."
        )

    def ids_of(*element: Any) -> tuple:
        labels = select(*element)
        return tuple(
            tf.reshape(
                _class_ids(
                    labels[p.key],
                    one_hot=p.one_hot,
                    num_classes=p.num_classes,
                    name=p.label_name,
                ),
                [-1],
            )
            for p in plans
        )

    largest = max(_labels_per_element(p.label_spec) for p in plans)
    per_step = max(1, _COUNTING_LABELS // largest)
    ids_fn = tf.autograph.experimental.do_not_convert(ids_of)
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
        ids = dataset.map(
            ids_fn, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False
        ).ragged_batch(per_step)

    def step(state: tuple, batch: tuple) -> tuple:
        new = []
        for total, values in zip(state, batch, strict=True):
            if isinstance(values, tf.RaggedTensor):
                values = values.flat_values
            counts = tf.math.bincount(tf.reshape(values, [-1]), dtype=tf.int64)
            size = tf.maximum(tf.size(total), tf.size(counts))
            new.append(
                tf.pad(total, [[0, size - tf.size(total)]])
                + tf.pad(counts, [[0, size - tf.size(counts)]])
            )
        return tuple(new)

    initial = tuple(tf.zeros([p.num_classes or 0], tf.int64) for p in plans)
    totals = ids.reduce(initial, tf.autograph.experimental.do_not_convert(step))
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


# --------------------------------------------------------------------------------------
# Class weights from counts (balancekit.weighting's formulas).


def _class_weights(
    spec: _Spec,
    counts: np.ndarray | None,
    num_classes: int,
    *,
    beta: float,
    normalize: str | None,
    absent: str,
    counts_name: str,
) -> np.ndarray:
    """Exactly ``compute_class_weight(y, ..., classes=range(num_classes))`` for the
    labels ``y`` of ``counts``, computed from the counts."""
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


# --------------------------------------------------------------------------------------
# Existing sample weights.


def _times(existing: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """``existing * weights``, the lower-rank one padded with trailing axes."""
    existing = tf.cast(existing, weights.dtype)
    rank_e, rank_w = existing.shape.rank, weights.shape.rank
    if rank_e is None or rank_w is None:
        raise ValueError(
            "The dataset's sample weights and the class weights need known ranks to "
            "be multiplied."
        )
    for _ in range(rank_w - rank_e):
        existing = existing[..., None]
    for _ in range(rank_e - rank_w):
        weights = weights[..., None]
    return existing * weights


def _combine(existing: Any, weights: Any) -> Any:
    nested_e = tf.nest.is_nested(existing)
    nested_w = tf.nest.is_nested(weights)
    if not nested_e:
        if nested_w:
            return tf.nest.map_structure(lambda w: _times(existing, w), weights)
        return _times(existing, weights)
    if not nested_w:
        return tf.nest.map_structure(lambda e: _times(e, weights), existing)
    try:
        tf.nest.assert_same_structure(existing, weights, check_types=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "The dataset's sample weights (third component) must be one tensor or "
            "have the structure of the labels' outputs; got "
            f"{tf.nest.map_structure(lambda t: t.shape, existing)}."
        ) from exc
    return tf.nest.map_structure(_times, existing, weights)


def _plan(
    key: str | int | None, label_spec: tf.TensorSpec, values: dict, label_name: str
) -> _Plan:
    """How to read one output's labels, and its number of classes if known."""
    spec: _Spec = values["class_weight"]
    counts: np.ndarray | None = values["class_counts"]
    dtype = label_spec.dtype
    if not (dtype.is_integer or dtype.is_floating or dtype.is_bool):
        raise TypeError(
            f"`{label_name}` must hold integer, bool or float labels; got "
            f"{dtype.name}. Map string labels to integers first (e.g. "
            "keras.layers.StringLookup)."
        )
    sources = {}
    for source, value in (
        (_output_name("num_classes", key), values["num_classes"]),
        (_output_name("class_counts", key) + " (its length)", counts),
        (spec.name + " (its length)", spec.exact_classes),
    ):
        if value is not None:
            sources[source] = value if isinstance(value, int) else len(value)
    if len(set(sources.values())) > 1:
        raise ValueError(
            f"The numbers of classes disagree: {sources}. Give one per class."
        )
    exact = next(iter(sources.values()), None)
    # A dict class_weight only bounds the number of classes from below.
    at_least = None if spec.weights is None else max(spec.weights) + 1
    one_hot = values["one_hot"]
    last = label_spec.shape[-1] if label_spec.shape.rank else None
    if one_hot is None:
        if dtype.is_floating and exact is None:
            raise ValueError(
                f"`{label_name}` holds float labels and the number of classes is "
                "unknown, so one-hot and index labels cannot be told apart; pass "
                "num_classes= or one_hot=."
            )
        one_hot = dtype.is_floating and last == exact
    if one_hot:
        if last is None:
            raise ValueError(
                f"One-hot `{label_name}` needs a known class axis (last); got shape "
                f"{label_spec.shape}."
            )
        if exact is not None and last != exact:
            raise ValueError(
                f"One-hot `{label_name}` has {last} classes (last axis), but {exact} "
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
    return _Plan(key, spec, counts, exact, bool(one_hot), label_name, label_spec)


# --------------------------------------------------------------------------------------


def with_sample_weights(
    class_weight: Any = "balanced",
    *,
    label_fn: Callable[..., Any] | None = None,
    class_counts: Any = None,
    num_classes: Any = None,
    one_hot: Any = None,
    beta: float = 0.999,
    normalize: str | None = None,
    absent: str = "raise",
    dtype: Any = "float32",
) -> Callable[[tf.data.Dataset], tf.data.Dataset]:
    """A ``Dataset.apply`` transformation adding class-based sample weights.

    Elements ``(x, y)`` become ``(x, y, w)`` where ``w`` holds, for each label, its
    class's weight: Keras ``fit`` multiplies it into the loss of each position, as it
    does with its own ``class_weight`` (``"sum_over_batch_size"`` then divides by the
    number of positions, not by the sum of the weights). Elements ``(x, y, w0)`` keep
    their weights: ``w = w0 * class weights`` (the lower-rank one broadcast over
    trailing axes). Batched and unbatched datasets both work: the weights are
    computed per element from the labels' own shape.

    Labels (of one output) and their weights:

    - integer (or bool) labels are class indices of any shape: (N,) per row, (N, T)
      per time step, (N, H, W) per pixel (unbatched: (), (T,), (H, W)); ``w`` has the
      labels' shape.
    - float labels whose last axis has ``num_classes`` entries are one-hot (or soft):
      the class is the argmax over that axis, as in Keras; ``w`` drops that axis.
      Other float labels must hold whole numbers and are read as class indices.
      ``one_hot=True/False`` overrides this rule; float labels with an unknown
      number of classes need ``num_classes`` or ``one_hot``.
    - several outputs: ``y`` a dict or tuple of such tensors gives ``w`` of the same
      structure (which Keras accepts for multi-output models). Each of
      ``class_weight``, ``class_counts``, ``num_classes`` and ``one_hot`` is either
      one value for every output, or per output: a dict keyed by output name (for a
      dict ``y``) or a list/tuple with one entry per output (for a tuple ``y``).

    Class indices outside ``[0, num_classes)`` raise ``tf.errors.InvalidArgumentError``
    naming ``y`` when the element is read.

    Parameters
    ----------
    class_weight : str, dict, array-like, or one per output; default="balanced"
        A method of :func:`balancekit.weighting.compute_class_weight`
        (``"balanced"``, ``"inverse"``, ``"inverse_sqrt"``, ``"effective_number"``),
        computed from the class counts; a dict ``{class: weight}`` as Keras takes it
        (missing classes get 1); or a sequence of per-class weights (class ``i`` gets
        entry ``i``).
    label_fn : callable, optional
        Picks the labels the weights are computed from, called as ``Dataset.map``
        calls its function: ``label_fn(x, y)`` (or ``label_fn(x, y, w0)``). It returns
        a tensor, or a dict or tuple of tensors for several outputs; ``w`` gets that
        structure. Default: ``y``. The elements stay ``(x, y)`` -> ``(x, y, w)``
        either way, e.g. ``label_fn=lambda x, y: y["mask"]`` weighs one output of a
        dict ``y``.
    class_counts : array-like of shape (num_classes,), or one per output; optional
        Number of labels of each class (every label counts: a (N, T) batch adds
        ``N * T``). When a method needs counts and none are given, they are counted
        in **one pass over the dataset** when the transformation is applied (``reduce``
        in the graph); an infinite dataset (``.repeat()``) then raises a ValueError.
    num_classes : int or one per output, optional
        Number of classes C. By default: ``len(class_counts)``, the length of a
        sequence ``class_weight``, the largest key + 1 of a dict ``class_weight``
        (Keras' rule), the last axis of one-hot labels, or the largest label + 1 seen
        while counting.
    one_hot : bool or one per output, optional
        Whether the labels are one-hot (class axis last); default: decided as above.
    beta : float in [0, 1), default=0.999
        The ``"effective_number"`` parameter.
    normalize : {None, "classes", "samples"}, default=None
        As in ``compute_class_weight``: ``"classes"`` scales the class weights to mean
        1 per class; ``"samples"`` to mean 1 per label (this needs counts, also for
        given weights).
    absent : {"raise", "zero"}, default="raise"
        A class with count 0 under a method: raise a ValueError, or give it weight 0.
    dtype : str or tf.DType, default="float32"
        Floating dtype of the weights.

    Returns
    -------
    transformation : callable
        ``dataset -> dataset`` for ``dataset.apply``. The dataset's elements must be
        ``(x, y)`` or ``(x, y, w0)`` tuples; the result's element_spec gains the
        weights' spec.

    See Also
    --------
    balancekit.weighting.as_keras_class_weight : the ``dict[int, float]`` for Keras'
        own ``fit(class_weight=...)`` (single output, (N,) or one-hot labels).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.weights import with_sample_weights
    >>> x = tf.zeros((4, 3))
    >>> y = tf.constant([0, 0, 0, 1])
    >>> ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    >>> weighted = ds.apply(with_sample_weights("balanced"))  # counts 3 and 1
    >>> [w.numpy().tolist() for _, _, w in weighted]
    [[0.6666666865348816, 0.6666666865348816], [0.6666666865348816, 2.0]]

    Sequence labels (N, T) get one weight per time step:

    >>> y_seq = tf.constant([[0, 1, 1], [2, 0, 1]])
    >>> ds = tf.data.Dataset.from_tensor_slices((tf.zeros((2, 3, 4)), y_seq))
    >>> ds = ds.batch(2).apply(with_sample_weights({0: 1.0, 1: 2.0, 2: 5.0}))
    >>> next(iter(ds))[2].numpy().tolist()
    [[1.0, 2.0, 2.0], [5.0, 1.0, 2.0]]
    """
    shared: dict[str, Any] = {}
    per_output: dict[str, Any] = {}
    for name, value in (
        ("class_weight", class_weight),
        ("class_counts", class_counts),
        ("num_classes", num_classes),
        ("one_hot", one_hot),
    ):
        shared[name], per_output[name] = _check_parameter(value, name)
    check_weight_options("balanced", beta, normalize, absent)
    beta = float(beta)
    if label_fn is not None and not callable(label_fn):
        raise TypeError(
            f"`label_fn` must be None or callable; got {type(label_fn).__name__}."
        )
    try:
        weight_dtype = tf.as_dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"`dtype` must be a floating dtype; got {dtype!r}.") from exc
    if not weight_dtype.is_floating:
        raise TypeError(f"`dtype` must be a floating dtype; got {weight_dtype.name}.")

    def outputs_of(dataset: tf.data.Dataset) -> tuple[list, Any, Callable[..., dict]]:
        spec = dataset.element_spec
        if not isinstance(spec, tuple) or len(spec) not in (2, 3):
            raise TypeError(
                "`dataset` elements must be tuples (x, y) or (x, y, sample_weight), as "
                f"Keras fit takes them; got element_spec {spec}. Map them to (x, y) "
                "first (use `label_fn` to pick the labels out of y)."
            )
        if label_fn is None:
            label_spec = spec[1]
            label_items = _label_structure(label_spec, "`y` (the second component)")
        else:
            try:
                label_spec = dataset.map(
                    tf.autograph.experimental.do_not_convert(label_fn)
                ).element_spec
            except Exception as exc:
                raise TypeError(
                    f"`label_fn` failed on the dataset's elements {spec} (it is "
                    f"called as Dataset.map calls its function): {exc}"
                ) from exc
            label_items = _label_structure(label_spec, "`label_fn` results")

        def select(*element: Any) -> dict:
            labels = element[1] if label_fn is None else label_fn(*element)
            if isinstance(labels, Mapping):
                return {str(k): v for k, v in labels.items()}
            if isinstance(labels, tuple | list):
                return dict(enumerate(labels))
            return {None: labels}

        return label_items, label_spec, select

    def resolve(dataset: tf.data.Dataset) -> tuple[list[_Output], Any, Callable]:
        label_items, label_spec, select = outputs_of(dataset)
        keys = [key for key, _ in label_items]
        plans = [
            _plan(
                key,
                spec,
                {
                    name: _pick(name, shared[name], per_output[name], keys, key)
                    for name in shared
                },
                _label_name(label_fn, key),
            )
            for key, spec in label_items
        ]
        to_count = [
            p
            for p in plans
            if p.counts is None
            and (p.spec.method is not None or normalize == "samples")
        ]
        counted = (
            _count(dataset, select, to_count, batch_first=label_fn is None)
            if to_count
            else {}
        )
        outputs = []
        for p in plans:
            counts, num_classes = p.counts, p.num_classes
            counts_name = f"`{_output_name('class_counts', p.key)}`"
            if p.key in counted:
                counts = counted[p.key]
                counts_name = "their count in the dataset"
                num_classes = num_classes or int(counts.shape[0])
            if num_classes is None:  # given weights, no counts needed
                raise ValueError(
                    f"The number of classes of `{p.label_name}` is unknown; pass "
                    "num_classes=."
                )
            table = _class_weights(
                p.spec,
                counts,
                num_classes,
                beta=beta,
                normalize=normalize,
                absent=absent,
                counts_name=counts_name,
            )
            outputs.append(_Output(p.key, p.label_name, p.one_hot, num_classes, table))
        return outputs, label_spec, select

    def transformation(dataset: tf.data.Dataset) -> tf.data.Dataset:
        if not isinstance(dataset, tf.data.Dataset):
            raise TypeError(
                f"`dataset` must be a tf.data.Dataset; got {type(dataset).__name__}."
            )
        outputs, label_spec, select = resolve(dataset)
        tables = {
            o.key: tf.constant(o.table.astype(weight_dtype.as_numpy_dtype))
            for o in outputs
        }

        def weights_of(labels: dict) -> Any:
            weights = {
                o.key: tf.gather(
                    tables[o.key],
                    _class_ids(
                        labels[o.key],
                        one_hot=o.one_hot,
                        num_classes=o.num_classes,
                        name=o.label_name,
                    ),
                )
                for o in outputs
            }
            if None in weights:
                return weights[None]
            if isinstance(label_spec, Mapping):
                return {k: weights[str(k)] for k in label_spec}
            return tuple(weights[i] for i in range(len(label_spec)))

        def add_weights(*element: Any) -> tuple:
            weights = weights_of(select(*element))
            if len(element) == 3:
                weights = _combine(element[2], weights)
            return element[0], element[1], weights

        return dataset.map(
            tf.autograph.experimental.do_not_convert(add_weights),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )

    return transformation
