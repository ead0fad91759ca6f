"""The label toolkit: validation, classes, counts and per-sample class positions.

Every consumer of class labels goes through here: the samplers and the weights
(:func:`check_labels`: validated labels with their classes and counts), the metrics of
predicted labels and the score metrics (:func:`check_class_labels`: validation only),
the stateful metrics (:func:`class_positions`: each label's index among classes fixed
up front). Each fault has one message (``balancekit._label_messages``), whoever
finds it.

Labels are integers, booleans or whole-number floats in any namespace; strings,
objects, lists and pandas are accepted for NumPy input and read as NumPy arrays here,
at the boundary (:func:`as_label_array`), so that consumers never branch on the
namespace for labels. Only the sorted classes and their counts (O(n_classes) values)
come back to the host.

A *label kind* (:class:`LabelKind`) says how one type of target is validated, counted
and indexed; :func:`target_kind` picks it from the target's shape, in one place.
:class:`ClassLabels` (one class per sample) is the only kind today: a multilabel
indicator matrix becomes a second subclass registered in ``_KINDS``, not a copy of
these functions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np

from balancekit._array_api import (
    bincount,
    index_dtype,
    is_numpy_namespace,
    is_pandas,
    to_host,
    widest_float_dtype,
)
from balancekit._label_messages import (
    complex_message,
    continuous_message,
    dtype_message,
    empty_message,
    length_message,
    missing_message,
    mixed_types_message,
    nan_message,
    shape_message,
    string_classes_message,
    unorderable_message,
    unseen_message,
)
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "ClassLabels",
    "LabelKind",
    "Labels",
    "as_label_array",
    "check_class_labels",
    "check_labels",
    "check_same_length",
    "class_positions",
    "classes_array",
    "host_positions",
    "is_text_labels",
    "label_mask",
    "number_values",
    "python_scalar",
    "sorted_positions",
    "target_kind",
    "text_classes",
    "union_positions",
]

# ------------------------------------------------------------------- the boundary


def python_scalar(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def as_label_array(y: Any, xp: Namespace) -> Array:
    """``y`` as an array of ``xp``: lists and pandas read as NumPy for NumPy input.

    The one place where host containers become arrays, so consumers never branch on
    the namespace for labels.
    """
    if not is_numpy_namespace(xp):
        return y
    return np.asarray(y.to_numpy() if is_pandas(y) else y)


def is_text_labels(y: Array) -> bool:
    """Whether NumPy labels hold strings (by dtype, or the first 1000 objects)."""
    kind = getattr(getattr(y, "dtype", None), "kind", "")
    if kind in ("U", "S"):
        return True
    return kind == "O" and any(isinstance(v, str) for v in y[:1000].tolist())


def text_classes(y: Array, xp: Namespace, name: str) -> tuple | None:
    """The sorted classes of string or object labels (NumPy input only), else None.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> text_classes(xp.asarray(["b", "a", "b"]), xp, "y_true")
    ('a', 'b')
    """
    if not (is_numpy_namespace(xp) and y.dtype.kind in "OUS"):
        return None
    try:
        values = np.unique(y)
    except TypeError:
        raise TypeError(unorderable_message(name)) from None
    return tuple(python_scalar(v) for v in values)


def label_mask(y: Array, label: Any, xp: Namespace) -> Array:
    """``y == label`` as a bool array on ``y``'s device; a string label never equals
    a number, and a non-whole float never equals an integer label.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> label_mask(xp.asarray([0, 1, 1]), True, xp).tolist()
    [False, True, True]
    """
    if is_numpy_namespace(xp) and y.dtype.kind in "OUS":
        return np.asarray(y == label, dtype=bool)
    device = array_api_compat.device(y)
    if isinstance(label, str | bytes | np.str_ | np.bytes_):
        return xp.zeros(y.shape, dtype=xp.bool, device=device)
    value = int(label) if isinstance(label, bool) else label
    if xp.isdtype(y.dtype, "integral"):
        if isinstance(value, float) and not value.is_integer():
            return xp.zeros(y.shape, dtype=xp.bool, device=device)
        value = int(value)
    return y == value


def check_same_length(first: str, a: Array, second: str, b: Array) -> int:
    """The common number of samples of two per-sample arrays, else a ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> check_same_length("y_true", np.zeros(3), "y_pred", np.zeros(3))
    3
    """
    n_first, n_second = int(a.shape[0]), int(b.shape[0])
    if n_first != n_second:
        raise ValueError(length_message(first, n_first, second, n_second))
    return n_first


# ---------------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Labels:
    """Validated labels.

    Attributes
    ----------
    y : array
        1-D labels in the input's namespace and device (one-hot rows decoded to
        positions).
    classes : tuple
        The sorted distinct labels as Python scalars.
    counts : tuple of int
        The number of samples of each class, aligned with ``classes``.
    """

    y: Array
    classes: tuple
    counts: tuple[int, ...]

    @property
    def class_counts(self) -> dict:
        """``{class: count}`` in sorted class order."""
        return dict(zip(self.classes, self.counts, strict=True))

    def positions(self, xp: Namespace) -> Array:
        """Each sample's index into ``classes``, on the labels' device.

        Examples
        --------
        >>> import array_api_compat.numpy as xp
        >>> check_labels(xp.asarray([5, 3, 5]), xp).positions(xp).tolist()
        [1, 0, 1]
        """
        return ClassLabels().positions(self.y, self.classes, xp)


class LabelKind(ABC):
    """One type of target: how it is validated, counted and indexed."""

    @abstractmethod
    def accepts(self, y: Array) -> bool:
        """Whether ``y`` (an array) has this kind's shape."""

    @abstractmethod
    def validate(self, y: Array, xp: Namespace, name: str) -> Array:
        """Checked labels in their canonical form (raises with ``_label_messages``)."""

    @abstractmethod
    def count(self, y: Array, xp: Namespace, name: str) -> tuple[tuple, tuple]:
        """The sorted classes and their counts (host values) of validated ``y``."""

    @abstractmethod
    def positions(self, y: Array, classes: Sequence[Any], xp: Namespace) -> Array:
        """Each sample's index (or indicator row) into ``classes``, on device."""

    def check(self, y: Array, xp: Namespace, name: str) -> Labels:
        """Validate and count."""
        y = self.validate(y, xp, name)
        classes, counts = self.count(y, xp, name)
        return Labels(y=y, classes=classes, counts=counts)


# Labels 0..65535 are counted with bincount: O(n) instead of a sort, and only the
# counts (at most this many values) cross to the host.
_BINCOUNT_MAX_LABEL = 1 << 16


@dataclass(frozen=True)
class ClassLabels(LabelKind):
    """One class label per sample: shape (n_samples,), a column, or one-hot rows.

    Parameters
    ----------
    one_hot : bool
        Whether one-hot rows of shape (n_samples, n_classes) are decoded to positions
        (samplers, weights); the metrics refuse every 2-D target but a column.
    """

    one_hot: bool = False

    def accepts(self, y: Array) -> bool:
        return y.ndim == 1 or (y.ndim == 2 and (self.one_hot or y.shape[1] == 1))

    def validate(self, y: Array, xp: Namespace, name: str) -> Array:
        y = as_label_array(y, xp)
        _check_dtype(y, xp, name)
        if not self.accepts(y):
            raise ValueError(shape_message(name, tuple(y.shape)))
        if y.ndim == 2:
            y = _decode_rows(y, xp, name)
        if y.shape[0] == 0:
            raise ValueError(empty_message(name))
        if is_numpy_namespace(xp) and y.dtype.kind == "O":
            missing = (y == None) | (y != y)  # noqa: E711  (None or NaN, elementwise)
            if missing.any():
                raise ValueError(missing_message(name, int(missing.sum())))
        if xp.isdtype(y.dtype, "real floating"):
            _check_whole_numbers(y, xp, name)
        return y

    def count(self, y: Array, xp: Namespace, name: str) -> tuple[tuple, tuple]:
        dense = _bincount_counts(y, xp)
        if dense is not None:
            return dense
        if is_numpy_namespace(xp):
            try:
                values, counts = np.unique(y, return_counts=True)
            except TypeError:
                raise TypeError(unorderable_message(name)) from None
            return tuple(python_scalar(c) for c in values), tuple(
                int(n) for n in counts
            )
        values, counts = xp.unique_counts(y)
        return (
            tuple(python_scalar(c) for c in to_host(values, xp)),
            tuple(int(n) for n in to_host(counts, xp)),
        )

    def positions(self, y: Array, classes: Sequence[Any], xp: Namespace) -> Array:
        return class_positions(y, classes, xp, check=False)


# The kinds :func:`target_kind` chooses from, in order (issue 19 appends the
# multilabel indicator kind).
_KINDS: tuple[LabelKind, ...] = (ClassLabels(one_hot=True),)


def target_kind(y: Array, *, name: str = "y") -> LabelKind:
    """The label kind of ``y`` (type_of_target's role, by shape), else a ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> target_kind(np.array([0, 1, 1]))
    ClassLabels(one_hot=True)
    """
    for kind in _KINDS:
        if kind.accepts(y):
            return kind
    raise ValueError(shape_message(name, tuple(y.shape)))


def _check_dtype(y: Array, xp: Namespace, name: str) -> None:
    if is_numpy_namespace(xp):
        if y.dtype.kind == "c":
            raise TypeError(complex_message(name, y.dtype))
        if y.dtype.kind not in "biufOUS":
            raise TypeError(dtype_message(name, y.dtype))
        return
    if xp.isdtype(y.dtype, "complex floating"):
        raise TypeError(complex_message(name, y.dtype))
    if not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
        raise TypeError(dtype_message(name, y.dtype))


def is_zero_one(y: Array, xp: Namespace) -> bool:
    """Whether a numeric array holds only 0 and 1 (an indicator); one host flag.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> is_zero_one(xp.asarray([[0, 1], [1, 1]]), xp), is_zero_one(xp.asarray([2]), xp)
    (True, False)
    """
    if is_numpy_namespace(xp) and y.dtype.kind not in "biuf":
        return False
    if xp.isdtype(y.dtype, "bool"):
        return True
    return bool(xp.all((y == 0) | (y == 1)))


def _decode_rows(y: Array, xp: Namespace, name: str) -> Array:
    """Ravel a column; decode one-hot rows to positions (exactly one 1 per row)."""
    if y.shape[1] == 1:
        return xp.reshape(y, (-1,))
    if not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
        raise ValueError(shape_message(name, tuple(y.shape)))
    one_per_row = xp.all(xp.sum(xp.astype(y != 0, xp.int32), axis=1) == 1)
    if not (is_zero_one(y, xp) and bool(one_per_row)):
        raise ValueError(shape_message(name, tuple(y.shape)))
    return xp.argmax(xp.astype(y, xp.int32), axis=1)


def _check_whole_numbers(y: Array, xp: Namespace, name: str) -> None:
    # float labels are classes only when finite whole numbers (2.0 is class 2)
    if not bool(xp.all(xp.isfinite(y))):
        raise ValueError(nan_message(name))
    if not bool(xp.all(y == xp.round(y))):
        raise ValueError(continuous_message(name))


def _bincount_counts(y: Array, xp: Namespace) -> tuple[tuple, tuple] | None:
    """Class counts by bincount for small non-negative integer labels, else None."""
    if not xp.isdtype(y.dtype, "integral"):
        return None
    low, high = int(xp.min(y)), int(xp.max(y))
    if low < 0 or high > _BINCOUNT_MAX_LABEL:
        return None
    counts = to_host(bincount(y, high + 1, None, xp), xp)
    present = np.flatnonzero(counts)
    return tuple(int(c) for c in present), tuple(int(n) for n in counts[present])


# ---------------------------------------------------------------- the validators


def check_class_labels(
    y: Any, xp: Namespace, *, name: str = "y", one_hot: bool = False
) -> Array:
    """Validate class labels without counting them (the metrics' check).

    Parameters
    ----------
    y : array-like
        Labels of shape (n_samples,) or (n_samples, 1) (or one-hot rows with
        ``one_hot``).
    xp : module
        The namespace resolved for the call.
    name : str
        The parameter name used in error messages.
    one_hot : bool
        Whether one-hot rows are decoded to positions instead of refused.

    Returns
    -------
    array of shape (n_samples,)
        In ``xp`` (lists and pandas read as NumPy), on the input's device.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> check_class_labels([[1], [0]], xp, name="y_true").tolist()
    [1, 0]
    """
    return ClassLabels(one_hot=one_hot).validate(y, xp, name)


def check_labels(y: Any, xp: Namespace, *, name: str = "y") -> Labels:
    """Validate class labels and count the classes where the labels live.

    Parameters
    ----------
    y : array-like
        Labels of shape (n_samples,), (n_samples, 1) or one-hot (n_samples, n_classes):
        integers or booleans in any namespace, and floats holding whole numbers; strings
        and other objects for NumPy input.
    xp : module
        The namespace resolved for the call.
    name : str
        The parameter name used in error messages.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> check_labels(np.array([0, 1, 1, 2]), xp).class_counts
    {0: 1, 1: 2, 2: 1}
    """
    y = as_label_array(y, xp)
    _check_dtype(y, xp, name)
    return target_kind(y, name=name).check(y, xp, name)


# ----------------------------------------------------------------- the positions


def sorted_positions(values: Array, y: Array, xp: Namespace) -> Array:
    """Index of each label of ``y`` among the sorted ``values`` (same namespace).

    The caller knows every label occurs in ``values`` (``values`` came from ``y``).
    """
    if y.dtype != values.dtype:  # searchsorted needs one dtype on strict namespaces
        common = xp.result_type(y.dtype, values.dtype)
        y, values = xp.astype(y, common), xp.astype(values, common)
    return xp.searchsorted(values, y)


def union_positions(
    a: Array, b: Array, xp: Namespace, names: tuple[str, str]
) -> tuple[np.ndarray, Array, Array]:
    """The sorted labels of ``a`` and ``b`` together (host), and each sample's index
    into them: one sort of both arrays.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> present, ia, ib = union_positions(
    ...     xp.asarray(["b", "a"]), xp.asarray(["c", "a"]), xp, ("y_true", "y_pred")
    ... )
    >>> present.tolist(), ia.tolist(), ib.tolist()
    (['a', 'b', 'c'], [1, 0], [2, 0])
    """
    n_a = int(a.shape[0])
    if is_numpy_namespace(xp):
        # strings and objects have no array-API sort: NumPy's unique gives the
        # positions (its inverse) in the same pass
        if is_text_labels(a) != is_text_labels(b):
            raise ValueError(mixed_types_message(*names))
        try:
            present, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
        except TypeError:
            raise ValueError(mixed_types_message(*names)) from None
        inverse = inverse.reshape(-1)
        return present, inverse[:n_a], inverse[n_a:]
    if a.dtype != b.dtype:
        common = xp.result_type(a.dtype, b.dtype)
        a, b = xp.astype(a, common), xp.astype(b, common)
    values = xp.unique_values(xp.concat([a, b]))
    present = to_host(values, xp)
    return present, sorted_positions(values, a, xp), sorted_positions(values, b, xp)


def class_positions(
    y: Array,
    classes: Sequence[Any],
    xp: Namespace,
    *,
    name: str = "y",
    labels_name: str = "labels",
    check: bool = True,
) -> Array:
    """Each sample's index into the sorted ``classes``, on the labels' device.

    Parameters
    ----------
    y : array of shape (n_samples,)
        Validated labels (:func:`check_class_labels`).
    classes : sequence
        The sorted class labels, as host values.
    xp : module
        The namespace of ``y``.
    name, labels_name : str
        The names of ``y`` and ``classes`` in error messages.
    check : bool
        Whether to verify that every label is one of ``classes`` (a ValueError naming
        the first that is not); skip it when ``classes`` came from ``y``.

    Returns
    -------
    array of shape (n_samples,)
        Indices in the index dtype of ``y``'s device; for labels ``0..C-1`` already
        in that dtype, ``y`` itself (read it, never write to it).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> class_positions(xp.asarray(["b", "a", "b"]), ["a", "b"], xp).tolist()
    [1, 0, 1]
    """
    n_classes = len(classes)
    device = array_api_compat.device(y)
    int_dtype = index_dtype(xp, device)
    text = any(isinstance(v, str | bytes) for v in classes)
    if is_numpy_namespace(xp):
        if check and is_text_labels(y) != text:
            raise ValueError(mixed_types_message(name, labels_name))
    elif text:
        raise ValueError(string_classes_message(name, labels_name, type(y).__module__))
    numbers = number_values(classes)
    integral = xp.isdtype(y.dtype, ("bool", "integral"))
    if integral and numbers == list(range(n_classes)):
        # classes 0..C-1 (the usual case): the labels are their own positions, no
        # search and, for index-dtype labels, no copy; two reductions check them
        index = xp.astype(y, int_dtype, copy=False)
        if (
            check
            and n_classes
            and not (int(xp.min(index)) >= 0 and int(xp.max(index)) < n_classes)
        ):
            outside = (index < 0) | (index >= n_classes)
            _raise_unseen(y[outside][:1], classes, xp, name, labels_name)
        return index
    if is_numpy_namespace(xp):  # strings and objects: NumPy's own sort order
        values = np.asarray(classes)
        index = np.searchsorted(values, y)
        if check:  # a label past the last class lands at n_classes: clip, compare
            index = np.minimum(index, n_classes - 1)
            ok = values[index] == y
            if not ok.all():
                _raise_unseen(y[~ok][:1], classes, xp, name, labels_name)
        return index.astype(int_dtype, copy=False)
    whole = all(float(v).is_integer() for v in numbers)
    dtype = int_dtype if integral and whole else widest_float_dtype(xp, device)
    values = xp.asarray(numbers, dtype=dtype, device=device)
    cast = xp.astype(y, dtype)
    index = xp.searchsorted(values, cast)
    if check:
        last = xp.full_like(index, n_classes - 1)
        index = xp.where(index > last, last, index)
        ok = xp.take(values, index) == cast
        if not bool(xp.all(ok)):
            _raise_unseen(y[~ok][:1], classes, xp, name, labels_name)
    return xp.astype(index, int_dtype)


def number_values(classes: Sequence[Any]) -> list:
    """Numeric classes as Python ints (whole numbers, booleans) and floats; ``[]``
    for string classes."""
    if any(isinstance(v, str | bytes) for v in classes):
        return []
    numbers = [int(v) if isinstance(v, int) else float(v) for v in classes]
    return [int(v) if isinstance(v, float) and v.is_integer() else v for v in numbers]


def classes_array(
    classes: Sequence[Any], xp: Namespace, device: Device, dtype: Any
) -> Array:
    """The host ``classes`` as an array of ``dtype`` on ``device`` (strings and
    objects for NumPy only).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> classes_array([0, 2], xp, "cpu", xp.float32).tolist()
    [0.0, 2.0]
    """
    if is_numpy_namespace(xp):
        return np.asarray(classes).astype(dtype, copy=False)
    numbers = number_values(classes)
    if xp.isdtype(dtype, "bool"):
        host: list = [bool(v) for v in numbers]
    elif xp.isdtype(dtype, "integral"):
        host = [int(v) for v in numbers]
    else:
        host = [float(v) for v in numbers]
    return xp.asarray(host, dtype=dtype, device=device)


def host_positions(values: Iterable[Any], classes: Sequence[Any], default: int) -> list:
    """Positions of host ``values`` in ``classes`` (``default`` for absent ones).

    Examples
    --------
    >>> host_positions([2, 7], [0, 2], default=-1)
    [1, -1]
    """
    lookup = {python_scalar(v): i for i, v in enumerate(classes)}
    return [lookup.get(python_scalar(v), default) for v in values]


def _raise_unseen(
    example: Array, classes: Sequence, xp: Namespace, name: str, labels_name: str
) -> None:
    value = to_host(example, xp).tolist()[0]
    raise ValueError(unseen_message(name, value, classes, labels_name))
