"""Input checks of the score-based metrics: labels, scores, weights, ``pos_label``.

Everything runs where the arrays live; only O(1) values (the extreme labels, counts,
flags) come back to the host. Labels are never sorted or passed through ``unique``:
two reductions (min, max) and one comparison pass tell binary from multiclass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np

from balancekit._array_api import widest_float_dtype
from balancekit._labels import as_label_array, check_class_labels, text_classes
from balancekit._labels import label_mask as positive_mask
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import check_sample_weight
from balancekit.metrics._inputs import metric_namespace

__all__ = [
    "BinaryTarget",
    "binary_target",
    "check_score",
    "positive_mask",
    "present_classes",
    "resolve_inputs",
]

# Marks "a third distinct label exists" in the tuple returned by present_classes.
_MORE = object()


def resolve_inputs(
    y_true: Any, y_score: Any, sample_weight: Any, *, score_name: str = "y_score"
) -> tuple[Namespace, Any, Any, Any, Any]:
    """Resolve ``xp, device`` once (where the scores live) and read list / pandas
    input as NumPy arrays; labels and weights in host memory follow the scores.

    Examples
    --------
    >>> xp, device, y_true, y_score, weights = resolve_inputs([0, 1], [0.2, 0.7], None)
    >>> device, y_true.tolist(), weights
    ('cpu', [0, 1], None)
    """
    xp, device, arrays = metric_namespace(
        score_name,
        {"y_true": y_true, score_name: y_score, "sample_weight": sample_weight},
    )
    return (
        xp,
        device,
        as_label_array(arrays["y_true"], xp),
        as_label_array(arrays[score_name], xp),
        arrays["sample_weight"],
    )


def check_score(
    y_score: Any, xp: Namespace, *, name: str = "y_score", ndim: int = 1
) -> Any:
    """Validate real, finite, non-empty scores of ``ndim`` dimensions.

    Integer and boolean scores are cast to the widest float dtype; floating scores keep
    their dtype (ties are decided in it, as scikit-learn does).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> check_score(xp.asarray([1, 3]), xp)
    array([1., 3.])
    """
    if not hasattr(y_score, "dtype") or not xp.isdtype(
        y_score.dtype, ("bool", "integral", "real floating")
    ):
        kind = getattr(y_score, "dtype", type(y_score).__name__)
        raise TypeError(
            f"`{name}` must hold real numbers (probabilities or decision values); "
            f"got {kind}."
        )
    if y_score.ndim != ndim:
        shape = "(n_samples,)" if ndim == 1 else "(n_samples, n_classes)"
        raise ValueError(
            f"`{name}` must have shape {shape}; got shape {tuple(y_score.shape)}."
        )
    if y_score.shape[0] == 0:
        raise ValueError(f"`{name}` is empty; at least one sample is needed.")
    if not xp.isdtype(y_score.dtype, "real floating"):
        device = array_api_compat.device(y_score)
        return xp.astype(y_score, widest_float_dtype(xp, device))
    if not bool(xp.all(xp.isfinite(y_score))):
        raise ValueError(
            f"`{name}` contains NaN or infinity; every score must be a finite number. "
            "Drop or impute those samples first."
        )
    return y_score


def check_target(y_true: Any, xp: Namespace) -> Array:
    """1-D class labels (a column vector is raveled): integer, boolean (as int8),
    whole-number float or string; the label toolkit's checks and messages.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> check_target(xp.asarray([True, False]), xp).tolist()
    [1, 0]
    >>> check_target(xp.asarray([b"a", b"b"]), xp)
    Traceback (most recent call last):
    ...
    TypeError: `y_true` holds bytes labels (e.g. b'a'). Support for labels ...
    """
    _refuse_bytes(y_true)
    y_true = check_class_labels(y_true, xp, name="y_true")
    if xp.isdtype(y_true.dtype, "bool"):  # the kernels compare and sum the labels
        return xp.astype(y_true, xp.int8)
    return y_true


def _refuse_bytes(y_true: Any) -> None:
    """A ``TypeError`` for bytes labels, refused as scikit-learn's score metrics
    refuse them (with or without ``pos_label``): decode them first."""
    if not isinstance(y_true, np.ndarray) or y_true.size == 0:
        return
    first = y_true.reshape(-1)[0]
    if y_true.dtype.kind == "S" or isinstance(first, bytes):
        raise TypeError(
            f"`y_true` holds bytes labels (e.g. {bytes(first)!r}). Support for labels "
            "represented as bytes is not supported by the score metrics: decode them "
            "to str (e.g. `y_true.astype(str)`) or encode them as integers."
        )


def _host(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    number = float(value)
    return int(number) if number.is_integer() else number


def present_classes(y_true: Any, xp: Namespace) -> tuple:
    """The distinct labels if there are at most two; a third marker entry otherwise.

    For numeric labels this costs three O(n) reductions and no sort. String labels
    (NumPy only) go through ``numpy.unique``.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> present_classes(xp.asarray([1, 0, 1]), xp)
    (0, 1)
    """
    classes = text_classes(y_true, xp, "y_true")
    if classes is not None:
        return classes if len(classes) <= 2 else (*classes[:2], _MORE)
    low, high = xp.min(y_true), xp.max(y_true)
    if bool(low == high):
        return (_host(low),)
    if bool(xp.all((y_true == low) | (y_true == high))):
        return (_host(low), _host(high))
    return (_host(low), _MORE, _host(high))


def is_binary(classes: tuple) -> bool:
    """Whether ``present_classes`` found at most two labels."""
    return _MORE not in classes


def describe(classes: tuple) -> str:
    shown = ", ".join("..." if c is _MORE else repr(c) for c in classes)
    return "{" + shown + "}"


def _is_string(value: Any) -> bool:
    return isinstance(value, str | bytes | np.str_ | np.bytes_)


def _equal(a: Any, b: Any) -> bool:
    if _is_string(a) != _is_string(b):
        return False
    return bool(a == b)


def _is_standard_binary(classes: tuple) -> bool:
    """{0, 1}, {-1, 1} or one of their members alone (scikit-learn's rule)."""
    if not is_binary(classes) or any(_is_string(c) for c in classes):
        return False
    allowed = ((0, 1), (-1, 1), (0,), (-1,), (1,))
    return any(
        len(classes) == len(ok)
        and all(_equal(c, o) for c, o in zip(classes, ok, strict=True))
        for ok in allowed
    )


@dataclass(frozen=True)
class BinaryTarget:
    """``y_true`` reduced to a boolean "is positive" mask on the labels' device."""

    is_positive: Any
    pos_label: Any
    n_positive: int
    n_samples: int

    @property
    def n_negative(self) -> int:
        return self.n_samples - self.n_positive


def binary_target(
    y_true: Any,
    xp: Namespace,
    *,
    pos_label: Any = None,
    infer: str = "standard",
    classes: tuple | None = None,
) -> BinaryTarget:
    """Resolve ``pos_label`` and the positive mask of binary ``y_true``.

    Parameters
    ----------
    y_true : array
        Checked 1-D labels (``check_target``).
    xp : module
        The namespace of the call.
    pos_label : scalar or None
        The positive label given by the user.
    infer : {"standard", "greater", "greater-numeric"}
        How ``pos_label=None`` is resolved. ``"standard"``: labels must be {0, 1} or
        {-1, 1} (or one of their members) and 1 is positive, as in scikit-learn's
        curves. ``"greater"``: the greater label is positive (``roc_auc_score``).
        ``"greater-numeric"``: the standard rule, else the greater numeric label
        (``brier_score_loss``).
    classes : tuple, optional
        ``present_classes(y_true, xp)`` when already known.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> target = binary_target(xp.asarray(["a", "b", "b"]), xp, pos_label="b")
    >>> target.n_positive, target.n_negative
    (2, 1)
    """
    classes = present_classes(y_true, xp) if classes is None else classes
    binary = is_binary(classes)
    if pos_label is None:
        if not binary:
            raise ValueError(
                f"`y_true` takes more than two values {describe(classes)} and "
                "`pos_label` is not specified: pass binary labels, or pass "
                "`pos_label` to score that class against the rest."
            )
        if _is_standard_binary(classes):
            pos_label = 1
        elif infer == "greater" or (
            infer == "greater-numeric" and not any(_is_string(c) for c in classes)
        ):
            pos_label = classes[-1]
        else:
            raise ValueError(
                f"`y_true` takes values in {describe(classes)} and `pos_label` is not "
                "specified: either make y_true take values in {0, 1} or {-1, 1} or "
                "pass `pos_label` explicitly."
            )
    elif (
        binary and len(classes) == 2 and not any(_equal(pos_label, c) for c in classes)
    ):
        raise ValueError(
            f"`pos_label`={pos_label!r} is not a valid label: it should be one of "
            f"{describe(classes)}, the labels found in `y_true`."
        )
    is_positive = positive_mask(y_true, pos_label, xp)
    n_positive = int(xp.sum(xp.astype(is_positive, xp.int64)))
    if not binary and n_positive == 0:
        raise ValueError(
            f"`pos_label`={pos_label!r} does not occur in `y_true`; pass one of its "
            "labels."
        )
    return BinaryTarget(
        is_positive=is_positive,
        pos_label=pos_label,
        n_positive=n_positive,
        n_samples=int(y_true.shape[0]),
    )


def check_weights(
    sample_weight: Any, n_samples: int, xp: Namespace, device: Device
) -> Any:
    """Validated weights as a float array on the scores' device, or None."""
    weights = check_sample_weight(sample_weight, n_samples, xp)
    if weights is None:
        return None
    weights = as_label_array(weights, xp)
    return xp.astype(weights, widest_float_dtype(xp, device))


def is_finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
