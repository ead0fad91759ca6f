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

The steps, each a named piece: the parameters are checked when
:func:`with_sample_weights` is called (``_weight_params``); applying the returned
:class:`_SampleWeighting` to a dataset reads its label structure and plans each
output (``_weight_labels``), counts the classes if needed and builds the weight
tables (``_weight_counts``), then maps :class:`_AddWeights` over the elements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from balancekit.tensorflow._weight_counts import (
    count_classes_of,
    multilabel_weight_table,
    weight_table,
)
from balancekit.tensorflow._weight_labels import (
    LabelSelector,
    OutputPlan,
    class_ids,
    label_name,
    label_structure,
    plan_output,
)
from balancekit.tensorflow._weight_params import (
    PARAMETERS,
    OutputKey,
    check_parameter,
    output_name,
    pick,
)
from balancekit.weighting._class_weight import check_weight_options

__all__ = ["with_sample_weights"]


@dataclass(frozen=True)
class _Output:
    """One output, resolved: where its labels are, how to read them, its weights."""

    key: OutputKey
    label_name: str
    one_hot: bool
    num_classes: int
    table: np.ndarray  # weights of shape (num_classes,), in the weights' dtype
    # Multilabel: ``table`` holds the weights of the (label, value) pairs, and an
    # element's weight is the product of its labels' weights.
    multilabel: bool = False


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
    # Trailing axes, not leading ones: a (N,) weight per row must broadcast over the
    # time steps of (N, T) labels, which NumPy-style broadcasting would not do.
    for _ in range(rank_w - rank_e):
        existing = existing[..., None]
    for _ in range(rank_e - rank_w):
        weights = weights[..., None]
    return existing * weights


def _combine(existing: Any, weights: Any) -> Any:
    """``existing`` sample weights (a tensor or one per output) times ``weights``."""
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


# --------------------------------------------------------------------------------------
# The per-element step and the dataset transformation.


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class _AddWeights:
    """The ``Dataset.map`` function: ``(x, y[, w0]) -> (x, y, w)``."""

    outputs: tuple[_Output, ...]
    label_spec: Any  # the labels' structure: one spec, or a dict / tuple of them
    select: LabelSelector

    def weights_of(self, labels: dict) -> Any:
        """The weights of ``labels`` (``{key: tensor}``), in the labels' structure."""
        weights = {}
        for o in self.outputs:
            gathered = tf.gather(
                # A graph constant: the table is traced once into the map function.
                tf.constant(o.table),
                class_ids(
                    labels[o.key],
                    one_hot=o.one_hot,
                    num_classes=o.num_classes,
                    name=o.label_name,
                    multilabel=o.multilabel,
                ),
            )
            # multilabel: the product over the labels (last axis), as
            # compute_sample_weight multiplies the weights of its outputs
            weights[o.key] = (
                tf.reduce_prod(gathered, axis=-1) if o.multilabel else gathered
            )
        if None in weights:
            return weights[None]
        if isinstance(self.label_spec, Mapping):
            return {k: weights[str(k)] for k in self.label_spec}
        return tuple(weights[i] for i in range(len(self.label_spec)))

    def __call__(self, *element: Any) -> tuple:
        weights = self.weights_of(self.select(*element))
        if len(element) == 3:
            weights = _combine(element[2], weights)
        return element[0], element[1], weights


@dataclass(frozen=True, eq=False)  # hashed by identity, as a function
class _SampleWeighting:
    """What :func:`with_sample_weights` returns: its checked parameters, applied to a
    dataset by ``__call__`` in named steps."""

    shared: dict[str, Any]  # parameter -> its value for every output (or None)
    per_output: dict[str, Any]  # parameter -> its values per output (or None)
    label_fn: Callable[..., Any] | None
    beta: float
    normalize: str | None
    absent: str
    dtype: str  # the weights' floating dtype, by name

    def label_specs(self, dataset: tf.data.Dataset) -> tuple[list, Any]:
        """``([(key, TensorSpec)], structure)`` of the labels of ``dataset``."""
        spec = dataset.element_spec
        if not isinstance(spec, tuple) or len(spec) not in (2, 3):
            raise TypeError(
                "`dataset` elements must be tuples (x, y) or (x, y, sample_weight), as "
                f"Keras fit takes them; got element_spec {spec}. Map them to (x, y) "
                "first (use `label_fn` to pick the labels out of y)."
            )
        if self.label_fn is None:
            return label_structure(spec[1], "`y` (the second component)"), spec[1]
        try:
            # The element_spec of a map is the only way to learn what label_fn
            # returns without running it on data.
            label_spec = dataset.map(
                tf.autograph.experimental.do_not_convert(self.label_fn)
            ).element_spec
        except Exception as exc:
            raise TypeError(
                f"`label_fn` failed on the dataset's elements {spec} (it is "
                f"called as Dataset.map calls its function): {exc}"
            ) from exc
        return label_structure(label_spec, "`label_fn` results"), label_spec

    def plans(self, label_items: list) -> list[OutputPlan]:
        """How each output's labels are read, with its parameters."""
        keys = [key for key, _ in label_items]
        return [
            plan_output(
                key,
                spec,
                {
                    name: pick(
                        name, self.shared[name], self.per_output[name], keys, key
                    )
                    for name in PARAMETERS
                },
                label_name(self.label_fn, key),
            )
            for key, spec in label_items
        ]

    def outputs(
        self, dataset: tf.data.Dataset, plans: list[OutputPlan]
    ) -> list[_Output]:
        """The resolved outputs: counted where needed, with their weight tables."""
        to_count = [
            p
            for p in plans
            if p.counts is None
            and (p.spec.method is not None or self.normalize == "samples")
        ]
        counted = (
            count_classes_of(
                dataset,
                LabelSelector(self.label_fn),
                to_count,
                batch_first=self.label_fn is None,
            )
            if to_count
            else {}
        )
        numpy_dtype = tf.as_dtype(self.dtype).as_numpy_dtype
        outputs = []
        for p in plans:
            counts, num_classes = p.counts, p.num_classes
            counts_name = f"`{output_name('class_counts', p.key)}`"
            if p.key in counted:
                counts = counted[p.key]
                counts_name = "their count in the dataset"
                num_classes = num_classes or int(counts.shape[0])
            if num_classes is None:  # given weights, no counts needed
                raise ValueError(
                    f"The number of classes of `{p.label_name}` is unknown; pass "
                    "num_classes=."
                )
            if p.multilabel:
                table = multilabel_weight_table(
                    p.spec,
                    counts,
                    num_classes // 2,
                    beta=self.beta,
                    normalize=self.normalize,
                )
            else:
                table = weight_table(
                    p.spec,
                    counts,
                    num_classes,
                    beta=self.beta,
                    normalize=self.normalize,
                    absent=self.absent,
                    counts_name=counts_name,
                )
            outputs.append(
                _Output(
                    p.key,
                    p.label_name,
                    p.one_hot,
                    num_classes,
                    table.astype(numpy_dtype),
                    p.multilabel,
                )
            )
        return outputs

    def __call__(self, dataset: tf.data.Dataset) -> tf.data.Dataset:
        if not isinstance(dataset, tf.data.Dataset):
            raise TypeError(
                f"`dataset` must be a tf.data.Dataset; got {type(dataset).__name__}."
            )
        label_items, label_spec = self.label_specs(dataset)
        outputs = self.outputs(dataset, self.plans(label_items))
        add_weights = _AddWeights(
            tuple(outputs), label_spec, LabelSelector(self.label_fn)
        )
        return dataset.map(
            tf.autograph.experimental.do_not_convert(add_weights),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )


def with_sample_weights(
    class_weight: Any = "balanced",
    *,
    label_fn: Callable[..., Any] | None = None,
    class_counts: Any = None,
    num_classes: Any = None,
    one_hot: Any = None,
    multilabel: Any = False,
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
    - multilabel labels (``multilabel=True``): 0/1 values, one per label on the last
      axis, (N, n_labels) batched, (n_labels,) unbatched; ``w`` drops that axis. Each
      label is weighed as an output of its own with the classes 0 and 1, and an
      element's weight is the product of its labels' weights: exactly
      ``balancekit.weighting.compute_sample_weight(Y, class_weight)`` for the label
      matrix ``Y`` of the dataset (scikit-learn's ``compute_sample_weight`` for
      ``"balanced"``), ``normalize`` and ``beta`` included. A method weighs the
      classes a label takes (a constant label weighs 1 under ``"balanced"``), so
      ``absent`` does not apply; a dict or sequence ``class_weight`` gives the
      weights of 0 and 1 for every label.
    - several outputs: ``y`` a dict or tuple of such tensors gives ``w`` of the same
      structure (which Keras accepts for multi-output models). Each of
      ``class_weight``, ``class_counts``, ``num_classes``, ``one_hot`` and
      ``multilabel`` is either
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
        ``N * T``). For multilabel labels, an array or tensor of shape
        (n_labels, 2): the number of elements with a 0 and with a 1 for each label
        (a nested list reads as one entry per output). When a method needs counts
        and none are given, they are counted in **one pass over the dataset** when
        the transformation is applied (``reduce`` in the graph); an infinite dataset
        (``.repeat()``) then raises a ValueError.
    num_classes : int or one per output, optional
        Number of classes C. By default: ``len(class_counts)``, the length of a
        sequence ``class_weight``, the largest key + 1 of a dict ``class_weight``
        (Keras' rule), the last axis of one-hot labels, or the largest label + 1 seen
        while counting.
    one_hot : bool or one per output, optional
        Whether the labels are one-hot (class axis last); default: decided as above.
    multilabel : bool or one per output, default=False
        Whether the labels are a multilabel indicator (one 0/1 value per label on
        the last axis), weighed as described above. Values other than 0 and 1 raise
        ``tf.errors.InvalidArgumentError`` naming ``y`` when the element is read.
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

    Multilabel labels: one weight per element, the product over its labels:

    >>> Y = tf.constant([[1, 0], [0, 1], [0, 0], [0, 1]])
    >>> ds = tf.data.Dataset.from_tensor_slices((tf.zeros((4, 3)), Y)).batch(4)
    >>> ds = ds.apply(with_sample_weights("balanced", multilabel=True))
    >>> next(iter(ds))[2].numpy().tolist()
    [2.0, 0.6666666865348816, 0.6666666865348816, 0.6666666865348816]
    """
    shared: dict[str, Any] = {}
    per_output: dict[str, Any] = {}
    for name, value in zip(
        PARAMETERS,
        (class_weight, class_counts, num_classes, one_hot, multilabel),
        strict=True,
    ):
        shared[name], per_output[name] = check_parameter(value, name)
    check_weight_options("balanced", beta, normalize, absent)
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
    return _SampleWeighting(
        shared,
        per_output,
        label_fn,
        float(beta),  # checked by check_weight_options
        normalize,
        absent,
        weight_dtype.name,
    )
