"""Class and sample weights for imbalanced data, computed where the labels live.

Only per-class numbers (counts, weights: O(n_classes) values) cross to the host; the
per-sample weights are gathered on the labels' device.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    bincount,
    get_namespace_and_device,
    numpy_for_cpu_tensors,
    to_host,
    widest_float_dtype,
)
from balancekit._dask_route import dask_route
from balancekit._labels import Labels, as_label_array, check_labels, python_scalar
from balancekit._params import check_choice, check_scalar
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import check_sample_weight

__all__ = [
    "METHODS",
    "as_keras_class_weight",
    "compute_class_weight",
    "compute_sample_weight",
]

METHODS = ("balanced", "inverse", "inverse_sqrt", "effective_number")
_NORMALIZE = (None, "classes", "samples")
_ABSENT = ("raise", "zero")


def check_weight_options(method: Any, beta: Any, normalize: Any, absent: Any) -> None:
    """The one check of the weighting options (``balancekit._params``' family)."""
    if not isinstance(method, Mapping):
        try:
            check_choice(method, "method", METHODS)
        except ValueError as error:
            raise ValueError(f"{error} A dict {{class: weight}} works too.") from None
    check_scalar(beta, "beta", low=0.0, high=1.0, high_open=True)
    check_choice(normalize, "normalize", _NORMALIZE)
    check_choice(absent, "absent", _ABSENT)


def _weighted_counts(labels: Labels, weights: Array, xp: Namespace) -> np.ndarray:
    """Per-class sums of ``weights`` over the labels, on the host."""
    weights = xp.astype(
        weights, widest_float_dtype(xp, array_api_compat.device(weights))
    )
    # one bincount over the class positions, as scikit-learn's, so the sums round
    # the same way; only the n_classes sums cross to the host
    sums = bincount(labels.positions(xp), len(labels.classes), weights, xp)
    return np.asarray(to_host(sums, xp), dtype=np.float64)


def _dict_weights(method: Mapping, classes: tuple) -> np.ndarray:
    unknown = [c for c in method if c not in classes]
    if unknown:
        raise ValueError(
            f"`method` gives weights for {unknown}, which are not among the classes "
            f"{list(classes)}."
        )
    weights = np.asarray([float(method.get(c, 1.0)) for c in classes])
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(
            "`method` as a dict must give finite weights >= 0; got "
            f"{dict(zip(classes, weights.tolist(), strict=True))}."
        )
    return weights


def _formula(
    method: str, counts: np.ndarray, n_present: int, beta: float
) -> np.ndarray:
    with np.errstate(divide="ignore"):
        if method == "balanced":
            return counts.sum() / (n_present * counts)
        if method == "inverse":
            return 1.0 / counts
        if method == "inverse_sqrt":
            return 1.0 / np.sqrt(counts)
        return (1.0 - beta) / (1.0 - np.power(beta, counts))


def class_weights_from_counts(
    labels: Labels | None,
    present: tuple,
    present_counts: tuple,
    classes: tuple,
    method: Any,
    *,
    beta: float,
    normalize: str | None,
    absent: str,
    sample_weight: Array | None,
    xp: Namespace,
) -> np.ndarray:
    """Class weights aligned with ``classes``, float64 on the host."""
    missing_from_classes = [c for c in present if c not in classes]
    if missing_from_classes:
        raise ValueError(
            f"`classes` must include every label of `y`; {missing_from_classes} are "
            "missing."
        )
    if isinstance(method, Mapping):
        weights = _dict_weights(method, classes)
        lookup = dict(zip(present, present_counts, strict=True))
        counts = np.asarray([float(lookup.get(c, 0)) for c in classes])
    else:
        if sample_weight is None:
            weighted = np.asarray(present_counts, dtype=np.float64)
        else:  # the validated labels come along whenever there are weights
            assert labels is not None
            weighted = _weighted_counts(labels, sample_weight, xp)
        lookup = dict(zip(present, weighted.tolist(), strict=True))
        counts = np.asarray([lookup.get(c, 0.0) for c in classes])
        absent_classes = [c for c, n in zip(classes, counts, strict=True) if n == 0]
        if absent_classes and absent == "raise":
            raise ValueError(
                f"Classes {absent_classes} have no samples in `y` (or zero total "
                f"weight), so `method={method!r}` would give them infinite weight. "
                "Pass absent='zero' to give them weight 0, or drop them from "
                "`classes`."
            )
        weights = np.zeros(len(classes))
        mask = counts > 0
        weights[mask] = _formula(method, counts[mask], len(present), beta)
    if normalize == "classes" and weights.sum() > 0:
        weights = weights * (len(classes) / weights.sum())
    elif normalize == "samples":
        total = (weights * counts).sum()
        if total > 0:
            weights = weights * (counts.sum() / total)
    return weights


@dask_route("_weights")
@numpy_for_cpu_tensors("y", "sample_weight", labels=("y",), default_float=True)
def compute_class_weight(
    y: Any,
    method: str | Mapping[Any, float] = "balanced",
    *,
    classes: Sequence[Any] | None = None,
    beta: float = 0.999,
    normalize: str | None = None,
    sample_weight: Any = None,
    absent: str = "raise",
) -> Any:
    """Weights per class that counter the imbalance of ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels: NumPy, PyTorch (any device), CuPy, JAX, array-api-strict,
        pandas or a list (strings for NumPy input only); or a Dask array or Series
        (then ``sample_weight`` too is Dask, and the result a NumPy array: see
        ``balancekit.dask._weights``).
    method : str or dict, default="balanced"
        ``"balanced"``: ``n_samples / (n_classes * count)``, scikit-learn's rule.
        ``"inverse"``: ``1 / count``. ``"inverse_sqrt"``: ``1 / sqrt(count)``.
        ``"effective_number"``: ``(1 - beta) / (1 - beta ** count)`` (Cui et al.,
        2019). A dict ``{class: weight}`` sets weights directly; missing classes get 1.
    classes : sequence, optional
        The classes to weigh, in the order of the result; by default the sorted labels
        of ``y``. It must include every label of ``y``.
    beta : float in [0, 1), default=0.999
        The effective-number parameter; 0 gives equal weights.
    normalize : {None, "classes", "samples"}, default=None
        ``"classes"``: scale so the class weights sum to ``n_classes`` (mean 1 per
        class). ``"samples"``: scale so the mean weight over the samples of ``y`` is 1,
        which keeps a loss on its usual scale.
    sample_weight : array-like of shape (n_samples,), optional
        Counts become weighted sums, as in scikit-learn.
    absent : {"raise", "zero"}, default="raise"
        What to do with a class of ``classes`` that has no sample in ``y``: raise a
        ValueError, or give it weight 0.

    Returns
    -------
    weights : array of shape (n_classes,)
        In ``y``'s namespace and on its device, in its default floating dtype (float64
        for NumPy), aligned with ``classes``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.weighting import compute_class_weight
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> compute_class_weight(y).tolist()
    [0.5555555555555556, 5.0]
    >>> compute_class_weight(y, "effective_number", beta=0.9).round(3).tolist()
    [0.1, 0.154]
    """
    return _class_weights(
        y,
        method,
        classes=classes,
        beta=beta,
        normalize=normalize,
        sample_weight=sample_weight,
        absent=absent,
    )[0]


def _class_weights(
    y: Any,
    method: Any,
    *,
    classes: Sequence[Any] | None = None,
    beta: float = 0.999,
    normalize: str | None = None,
    sample_weight: Any = None,
    absent: str = "raise",
) -> tuple[Any, tuple, Namespace]:
    """``compute_class_weight``'s weights, the classes they align with, and the
    namespace: from one count of the labels."""
    check_weight_options(method, beta, normalize, absent)
    xp, device = get_namespace_and_device(y=y, sample_weight=sample_weight)
    labels = check_labels(y, xp)
    sample_weight = check_sample_weight(sample_weight, int(labels.y.shape[0]), xp)
    if sample_weight is not None:
        sample_weight = as_label_array(sample_weight, xp)  # pandas as NumPy
    classes_t = labels.classes if classes is None else tuple(_scalars(classes))
    weights = class_weights_from_counts(
        labels,
        labels.classes,
        labels.counts,
        classes_t,
        method,
        beta=float(beta),
        normalize=normalize,
        absent=absent,
        sample_weight=sample_weight,
        xp=xp,
    )
    dtype = xpx.default_dtype(xp, device=device)
    return xp.asarray(weights, dtype=dtype, device=device), classes_t, xp


def _scalars(values: Sequence[Any]) -> list:
    return [python_scalar(v) for v in values]


def _columns(y: Any, xp: Namespace) -> list:
    """The outputs of ``y``: one column for 1-D labels, one per column for 2-D."""
    y = as_label_array(y, xp)
    if y.ndim == 1:
        return [y]
    if y.ndim == 2:
        return [y[:, k] for k in range(y.shape[1])]
    raise ValueError(f"`y` must be 1-D or 2-D (multi-output); got shape {y.shape}.")


def _per_output(method: Any, n_outputs: int) -> list:
    if isinstance(method, list):
        if len(method) != n_outputs:
            raise ValueError(
                f"`method` as a list needs one entry per output of `y` ({n_outputs}); "
                f"got {len(method)}."
            )
        return method
    if n_outputs > 1 and isinstance(method, Mapping):
        raise ValueError(
            "For multi-output `y`, `method` must be a method name or a list with one "
            "dict per output."
        )
    return [method] * n_outputs


@dask_route("_weights")
@numpy_for_cpu_tensors("y", "sample_weight", labels=("y",), default_float=True)
def compute_sample_weight(
    y: Any,
    method: str | Mapping[Any, float] | list = "balanced",
    *,
    beta: float = 0.999,
    normalize: str | None = None,
    indices: Any = None,
) -> Any:
    """Per-sample weights: each sample gets its class's weight.

    The same result as ``sklearn.utils.class_weight.compute_sample_weight`` for every
    option the two share (``"balanced"``, a dict, a list of dicts for multi-output,
    ``indices``), for labels in any supported array library.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels; with several outputs the weights of the outputs multiply. A
        Dask array, Series or DataFrame (one column per output) gives a lazy Dask
        result with its partitions (``balancekit.dask._weights``).
    method : str, dict or list of dicts, default="balanced"
        A method of ``compute_class_weight`` (used for every output), a dict
        ``{class: weight}``, or one dict per output.
    beta : float in [0, 1), default=0.999
        The effective-number parameter.
    normalize : {None, "classes", "samples"}, default=None
        Applied to each output's class weights, as in ``compute_class_weight``.
    indices : array-like of int, optional
        A subsample (e.g. a bootstrap): class weights come from ``y[indices]`` and
        samples of classes missing from it get weight 0.

    Returns
    -------
    sample_weight : array of shape (n_samples,)
        In ``y``'s namespace and on its device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.weighting import compute_sample_weight
    >>> compute_sample_weight(np.array([0, 0, 0, 1])).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    xp, device = get_namespace_and_device(y=y)
    columns = _columns(y, xp)
    methods = _per_output(method, len(columns))
    if indices is not None and any(m != "balanced" for m in methods):
        raise ValueError(
            "`indices` (a subsample) works with method='balanced' only; got "
            f"{method!r}."
        )
    dtype = xpx.default_dtype(xp, device=device)
    total = None
    for column, method_k in zip(columns, methods, strict=True):
        check_weight_options(method_k, beta, normalize, "zero")
        labels = check_labels(column, xp)
        fit_labels = (
            labels if indices is None else check_labels(_take(column, indices, xp), xp)
        )
        class_weights = class_weights_from_counts(
            fit_labels,
            fit_labels.classes,
            fit_labels.counts,
            labels.classes,
            method_k,
            beta=float(beta),
            normalize=normalize,
            absent="zero",
            sample_weight=None,
            xp=xp,
        )
        weights = _gather(labels, class_weights, xp, device, dtype)
        total = weights if total is None else total * weights
    return total


def _take(column: Array, indices: Any, xp: Namespace) -> Array:
    device = array_api_compat.device(column)
    return xp.take(column, xp.asarray(indices, device=device), axis=0)


def _gather(
    labels: Labels, class_weights: np.ndarray, xp: Namespace, device: Device, dtype: Any
) -> Array:
    """Each sample's class weight, on the labels' device."""
    table = xp.asarray(class_weights, dtype=dtype, device=device)
    return xp.take(table, labels.positions(xp))


@dask_route("_weights")
def as_keras_class_weight(y: Any, method: Any = "balanced", **kwargs: Any) -> dict:
    """Class weights as the ``dict[int, float]`` Keras' ``fit(class_weight=...)`` takes.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Integer class labels (Keras keys are class indices); Dask labels too (one
        pass of per-partition counts).
    method : str or dict, default="balanced"
        As in ``compute_class_weight``.
    **kwargs
        Passed to ``compute_class_weight`` (``beta``, ``normalize``, ``classes``...).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.weighting import as_keras_class_weight
    >>> as_keras_class_weight(np.array([0, 0, 0, 1]))
    {0: 0.6666666666666666, 1: 2.0}
    """
    given = kwargs.pop("classes", None)
    if given is not None:
        check_keras_classes(tuple(_scalars(given)))
    weights, classes, xp = _class_weights(y, method, classes=given, **kwargs)
    return keras_class_weight_dict(classes, to_host(weights, xp))


def check_keras_classes(classes: tuple) -> None:
    """A ``TypeError`` unless every class is an integer (Keras keys are indices)."""
    if not all(isinstance(c, int | bool) for c in classes):
        raise TypeError(
            "Keras' class_weight is keyed by class index; `y` must hold integer labels "
            f"(got classes {list(classes)[:5]}). Encode the labels first, e.g. with "
            "sklearn.preprocessing.LabelEncoder."
        )


def keras_class_weight_dict(classes: tuple, weights: Any) -> dict:
    """``{class index: weight}`` from the classes and their host weights."""
    check_keras_classes(classes)
    return {int(c): float(w) for c, w in zip(classes, weights, strict=True)}
