"""Namespace and device dispatch: the one place that decides which array library runs.

Every public entry point resolves ``xp, device`` here once and passes them down;
kernels never look the namespace up themselves. Only O(n_classes) values ever cross to
the host (``to_host``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat
import array_api_compat.numpy as compat_numpy
import array_api_extra as xpx
import numpy as np

__all__ = [
    "bincount",
    "class_indices",
    "get_namespace_and_device",
    "index_dtype",
    "is_numpy_namespace",
    "is_pandas",
    "is_sparse",
    "is_tensorflow",
    "move_indices",
    "take_rows",
    "to_host",
    "top_k",
    "widest_float_dtype",
]


def is_tensorflow(obj: object) -> bool:
    """Whether ``obj`` is a TensorFlow or Keras tensor (TensorFlow is not imported)."""
    module = type(obj).__module__ or ""
    return module.startswith(("tensorflow", "keras", "tf_keras"))


def is_pandas(obj: object) -> bool:
    """Whether ``obj`` is a pandas DataFrame or Series (pandas is not imported)."""
    module = type(obj).__module__ or ""
    return module.startswith("pandas") and hasattr(obj, "iloc")


def is_sparse(obj: object) -> bool:
    """Whether ``obj`` is a SciPy sparse matrix or array (SciPy is not imported)."""
    module = type(obj).__module__ or ""
    return module.startswith("scipy.sparse")


def is_numpy_namespace(xp: ModuleType) -> bool:
    """Whether ``xp`` is NumPy or array-api-compat's NumPy wrapper."""
    return array_api_compat.is_numpy_namespace(xp)


def _describe(obj: object) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _namespace_of(obj: Any, name: str) -> ModuleType:
    """The namespace of one argument; lists, pandas and sparse matrices are NumPy."""
    if is_tensorflow(obj):
        raise TypeError(
            f"`{name}` is a TensorFlow tensor ({_describe(obj)}). TensorFlow does not "
            "implement the array API standard that the balancekit core is written "
            "against; use the adapters in `balancekit.tensorflow` for tf.Tensor and "
            "tf.data input, or pass `tensor.numpy()`."
        )
    if (
        isinstance(obj, list | tuple)
        or is_pandas(obj)
        or is_sparse(obj)
        or np.isscalar(obj)
        or isinstance(obj, np.ndarray | np.generic)
    ):
        return compat_numpy
    try:
        return array_api_compat.array_namespace(obj)
    except TypeError:
        raise TypeError(
            f"`{name}` of type {_describe(obj)} is not a supported array. Pass a "
            "NumPy, PyTorch, CuPy, JAX or array-api-strict array, a pandas object, a "
            "SciPy sparse matrix or a list."
        ) from None


def get_namespace_and_device(**arrays: Any) -> tuple[ModuleType, Any]:
    """Resolve the common array namespace and device of the named arrays.

    Parameters
    ----------
    **arrays
        The arrays by parameter name (``X=X, y=y``); ``None`` values are skipped. Lists,
        tuples, pandas objects and SciPy sparse matrices count as NumPy on the CPU.

    Returns
    -------
    xp, device
        The array-api-compat namespace and the device every array lives on.

    Raises
    ------
    TypeError
        For a TensorFlow tensor, an unsupported type or arrays from different libraries.
    ValueError
        For arrays of one library on different devices.

    Examples
    --------
    >>> import numpy as np
    >>> xp, device = get_namespace_and_device(X=np.zeros((3, 2)), y=np.arange(3))
    >>> xp.__name__, device
    ('array_api_compat.numpy', 'cpu')
    """
    given = {name: value for name, value in arrays.items() if value is not None}
    if not given:
        raise ValueError("At least one array is needed to find the array namespace.")
    namespaces = {name: _namespace_of(value, name) for name, value in given.items()}
    first_name, xp = next(iter(namespaces.items()))
    for name, other in namespaces.items():
        if other is not xp:
            raise TypeError(
                f"`{first_name}` and `{name}` come from different array libraries "
                f"({_describe(given[first_name])} and {_describe(given[name])}). Pass "
                "both from the same library, e.g. convert one with `torch.as_tensor` "
                "or `numpy.asarray`."
            )
    if is_numpy_namespace(xp):
        return xp, "cpu"
    devices = {name: array_api_compat.device(value) for name, value in given.items()}
    device = devices[first_name]
    for name, other in devices.items():
        if other != device:
            raise ValueError(
                f"`{first_name}` is on device {device!r} but `{name}` is on device "
                f"{other!r}. Move them to one device first (in PyTorch: "
                f"`{name}.to({first_name}.device)`); balancekit never moves data "
                "between devices behind your back."
            )
    return xp, device


def to_host(x: Any, xp: ModuleType) -> np.ndarray:
    """Copy a small array (O(n_classes) values) to a NumPy array on the host.

    This is the only sanctioned device-to-host transfer in the core; it must never be
    called on anything of O(n_samples) size.
    """
    if is_numpy_namespace(xp):
        return np.asarray(x)
    if array_api_compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_array_api_strict_namespace(xp):
        import array_api_strict

        return np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE")))
    return np.asarray(x)


def take_rows(X: Any, indices: Any, xp: ModuleType) -> Any:
    """Rows ``indices`` of ``X`` along the first axis, in X's own container.

    ``indices`` lives in X's namespace and device (NumPy for host containers). pandas
    objects keep their columns, dtypes and name (with a fresh RangeIndex, as
    imbalanced-learn does); SciPy sparse matrices keep their format.
    """
    if is_pandas(X):
        return X.iloc[np.asarray(indices)].reset_index(drop=True)
    if is_sparse(X):
        return X[np.asarray(indices)]
    return xp.take(X, indices, axis=0)


def index_dtype(xp: ModuleType, device: Any) -> Any:
    """The namespace's default integer type for indices on ``device``."""
    return xpx.default_dtype(xp, "indexing", device=device)


def class_indices(y: Any, cls: Any, xp: ModuleType) -> Any:
    """Positions of the samples of class ``cls`` in the 1-D labels ``y``, on device."""
    return xp.nonzero(y == cls)[0]


def move_indices(host_indices: np.ndarray, xp: ModuleType, device: Any) -> Any:
    """Move host-drawn integer indices to ``device`` in one transfer."""
    return xp.asarray(host_indices, dtype=index_dtype(xp, device), device=device)


# Bins up to which the generic bincount sums a one-hot encoding (else it sorts).
_ONE_HOT_MAX_BINS = 1024
_ONE_HOT_CHUNK = 1 << 20


def bincount(x: Any, minlength: int, weights: Any, xp: ModuleType) -> Any:
    """``bincount`` of non-negative indices ``x`` on their device, length ``minlength``.

    NumPy, PyTorch, CuPy and JAX use their own kernels; other namespaces sum a chunked
    one-hot encoding (few bins) or sort (many bins). Without weights the result is
    int64 counts; with (floating) weights, sums in the weights' dtype.
    """
    int_dtype = index_dtype(xp, None if is_numpy_namespace(xp) else x.device)
    out_dtype = int_dtype if weights is None else weights.dtype
    if is_numpy_namespace(xp):
        return np.bincount(x, weights=weights, minlength=minlength).astype(
            out_dtype, copy=False
        )
    if array_api_compat.is_torch_namespace(xp):
        import torch

        counts = torch.bincount(x, weights=weights, minlength=minlength)
        return counts if counts.dtype == out_dtype else counts.to(out_dtype)
    if array_api_compat.is_cupy_namespace(xp):  # pragma: no cover - needs a GPU
        import cupy

        return cupy.bincount(x, weights=weights, minlength=minlength).astype(out_dtype)
    if array_api_compat.is_jax_namespace(xp):  # pragma: no cover - jax not installed
        import jax.numpy as jnp

        return jnp.bincount(x, weights=weights, length=minlength).astype(out_dtype)
    return _generic_bincount(x, minlength, weights, out_dtype, xp)


def _generic_bincount(
    x: Any, minlength: int, weights: Any, out_dtype: Any, xp: ModuleType
) -> Any:
    device = x.device
    if weights is not None:
        weights = xp.astype(weights, out_dtype)
    if minlength <= _ONE_HOT_MAX_BINS:
        bins = xp.arange(minlength, dtype=x.dtype, device=device)
        total = xp.zeros((minlength,), dtype=out_dtype, device=device)
        chunk = max(1, _ONE_HOT_CHUNK // minlength)
        n_samples = int(x.shape[0])
        for start in range(0, n_samples, chunk):
            stop = min(start + chunk, n_samples)
            one_hot = xp.astype(x[start:stop, None] == bins, out_dtype)
            if weights is not None:
                one_hot = one_hot * weights[start:stop, None]
            total = total + xp.sum(one_hot, axis=0, dtype=out_dtype)
        return total
    order = xp.argsort(x, stable=True)
    sorted_x = xp.take(x, order)
    bins = xp.arange(minlength, dtype=x.dtype, device=device)
    left = xp.searchsorted(sorted_x, bins, side="left")
    right = xp.searchsorted(sorted_x, bins, side="right")
    if weights is None:
        return xp.astype(right - left, out_dtype)
    cumulative = xp.cumulative_sum(xp.take(weights, order), include_initial=True)
    return xp.take(cumulative, right) - xp.take(cumulative, left)


def widest_float_dtype(xp: ModuleType, device: Any) -> Any:
    """The widest real floating dtype of ``xp`` on ``device``: float64 where it exists.

    Some devices have no float64 (Apple MPS): there it is float32. Metrics accumulate
    in this dtype so that their results match scikit-learn's to float64 round-off.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> widest_float_dtype(xp, "cpu")
    dtype('float64')
    """
    try:
        dtypes = xp.__array_namespace_info__().dtypes(
            device=device, kind="real floating"
        )
    except Exception:  # pragma: no cover - a namespace without the inspection API
        return xp.float64
    return dtypes.get("float64", dtypes.get("float32"))


def top_k(values: Any, k: int, xp: ModuleType, *, largest: bool = False) -> Any:
    """Column indices of the ``k`` smallest (or largest) values of each row, unordered.

    PyTorch has a dedicated kernel (``topk``); elsewhere a partition (NumPy's
    ``argpartition`` through array-api-extra) or, where the namespace lacks one, a
    full sort does it. Which of several equal values is returned is unspecified:
    callers that need the lower-index tie rule re-rank the candidates exactly.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> values = xp.asarray([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    >>> sorted(top_k(values, 2, xp)[0].tolist())
    [1, 2]
    >>> sorted(top_k(values, 1, xp, largest=True)[1].tolist())
    [1]
    """
    if array_api_compat.is_torch_namespace(xp):
        return xp.topk(values, k, dim=1, largest=largest, sorted=False).indices
    keys = -values if largest else values
    return xpx.argpartition(keys, k - 1, axis=1, xp=xp)[:, :k]
