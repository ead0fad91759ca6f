"""Input validation at the public boundary: X, y and sample_weight, in any namespace.

Nothing here copies an array to the host or modifies what the caller passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    is_numpy_namespace,
    is_pandas,
    is_sparse,
)
from balancekit._labels import Labels, check_labels
from balancekit._params import check_int, check_n_jobs, check_scalar
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "Validated",
    "check_X",
    "check_X_y",
    "check_int",
    "check_n_jobs",
    "check_sample_weight",
    "check_scalar",
]


@dataclass(frozen=True)
class Validated:
    """The validated inputs of one ``fit_resample`` call.

    ``X``, ``y`` and ``sample_weight`` are the containers rows are taken from (pandas,
    SciPy sparse or arrays of namespace ``xp`` on ``device``); ``labels`` holds the 1-D
    labels and the class counts; ``X_is_list``/``y_is_list`` record list input, given
    back as lists.
    """

    X: Array
    y: Array
    sample_weight: Array
    labels: Labels
    xp: Namespace
    device: Device
    X_is_list: bool
    y_is_list: bool

    @property
    def n_samples(self) -> int:
        return int(self.labels.y.shape[0])


def _numpy_X(X: Array, name: str) -> Array:
    if is_pandas(X):
        if X.ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D (n_samples, n_features); got a pandas Series. "
                "Use `series.to_frame()` for a single feature."
            )
        return X
    if is_sparse(X):
        if X.format not in ("csr", "csc"):
            X = X.tocsr()
        return X
    try:
        return np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"`{name}` could not be read as an array ({exc}). Rows of a list must all "
            "have the same length."
        ) from None


def check_X(X: Array, xp: Namespace, *, name: str = "X") -> Array:
    """Validate the feature container: at least 2-D, non-empty, real or object values.

    X may have any number of dimensions past the first two (images, sequences);
    index-based samplers never look at its values, so NaN, inf and object columns pass.
    """
    if is_numpy_namespace(xp):
        X = _numpy_X(X, name)
    shape = tuple(X.shape)
    if len(shape) < 2:
        raise ValueError(
            f"Expected a 2D array: `{name}` must have shape (n_samples, n_features, "
            f"...); got shape {shape}. Reshape a single feature with `X.reshape(-1, "
            "1)` or a single sample with `X.reshape(1, -1)`."
        )
    if shape[0] == 0:
        raise ValueError(
            f"`{name}` is empty: found array with 0 sample(s) (shape={shape}) while a "
            "minimum of 1 is required."
        )
    if shape[1] == 0:
        raise ValueError(
            f"`{name}` has 0 feature(s) (shape={shape}) while a minimum of 1 is "
            "required."
        )
    dtype = X.dtypes if is_pandas(X) else X.dtype
    complex_kinds = (
        any(getattr(d, "kind", "") == "c" for d in dtype)
        if is_pandas(X)
        else (
            getattr(dtype, "kind", "") == "c"
            if is_numpy_namespace(xp)
            else xp.isdtype(dtype, "complex floating")
        )
    )
    if complex_kinds:
        raise ValueError(
            f"Complex data not supported: `{name}` has a complex dtype. Split it into "
            "real and imaginary feature columns."
        )
    return X


def _length(obj: Array) -> int:
    return int(obj.shape[0]) if hasattr(obj, "shape") else len(obj)


def check_sample_weight(sample_weight: Array, n_samples: int, xp: Namespace) -> Array:
    """Validate per-sample weights: 1-D, one per sample, finite and non-negative."""
    if sample_weight is None:
        return None
    if is_numpy_namespace(xp):
        weights = (
            sample_weight.to_numpy()
            if is_pandas(sample_weight)
            else np.asarray(sample_weight)
        )
        if weights.dtype == object and all(
            isinstance(v, Real) for v in weights.reshape(-1).tolist()
        ):  # real numbers held as Python objects: read as floats (scikit-learn does)
            weights = sample_weight = weights.astype(np.float64)
        if weights.dtype.kind not in "biuf":
            raise TypeError(
                f"`sample_weight` must hold real numbers; got dtype {weights.dtype}."
            )
        sample_weight = sample_weight if is_pandas(sample_weight) else weights
    else:
        weights = sample_weight
        if not xp.isdtype(weights.dtype, ("integral", "real floating")):
            raise TypeError(
                f"`sample_weight` must hold real numbers; got dtype {weights.dtype}."
            )
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"`sample_weight` must have shape ({n_samples},), one weight per sample; "
            f"got shape {tuple(weights.shape)}."
        )
    if xp.isdtype(weights.dtype, "real floating") and not bool(
        xp.all(xp.isfinite(weights))
    ):
        raise ValueError(
            "`sample_weight` contains NaN or infinity; every weight must be finite."
        )
    if bool(xp.any(weights < 0)):
        raise ValueError(
            "`sample_weight` contains negative values; weights must be >= 0."
        )
    return sample_weight


def check_X_y(X: Array, y: Array, sample_weight: Array = None) -> Validated:
    """Validate ``X``, ``y`` and ``sample_weight`` together and resolve their namespace.

    Examples
    --------
    >>> import numpy as np
    >>> data = check_X_y(np.zeros((4, 2)), [0, 1, 1, 1])
    >>> data.labels.class_counts, data.y_is_list
    ({0: 1, 1: 3}, True)
    """
    if X is None:
        raise TypeError(
            "`X` is None; pass the features as an array of shape (n_samples, ...)."
        )
    if y is None:
        raise ValueError(
            "This sampler requires y to be passed, but the target y is None. Pass the "
            "class labels, shape (n_samples,)."
        )
    X_is_list, y_is_list = isinstance(X, list | tuple), isinstance(y, list | tuple)
    xp, device = get_namespace_and_device(X=X, y=y, sample_weight=sample_weight)
    X = check_X(X, xp)
    labels = check_labels(y, xp)
    n_samples = _length(X)
    if labels.y.shape[0] != n_samples:
        raise ValueError(
            f"`X` and `y` have different lengths: X has {n_samples} samples, y has "
            f"{labels.y.shape[0]} labels. Pass one label per row of X."
        )
    if is_numpy_namespace(xp) and not is_pandas(y):
        y = np.asarray(y)
    sample_weight = check_sample_weight(sample_weight, n_samples, xp)
    return Validated(
        X=X,
        y=y,
        sample_weight=sample_weight,
        labels=labels,
        xp=xp,
        device=device,
        X_is_list=X_is_list,
        y_is_list=y_is_list,
    )
