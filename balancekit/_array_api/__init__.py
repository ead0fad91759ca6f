"""Namespace and device dispatch: the one place that decides which array library runs.

Every public entry point resolves ``xp, device`` here once and passes them down;
kernels never look the namespace up themselves. Only O(n_classes) values ever cross to
the host (``to_host``).

This package owns every backend branch of the core (array-api-extra's delegation
style): a native fast path per library (``bincount``, ``top_k``, ``matmul_add``,
``free_device_memory``) and an agnostic fallback. Its ``_cpu_tensors`` module holds
the CPU-tensor route (``numpy_for_cpu_tensors``): a PyTorch tensor in CPU memory
shares its buffer with a NumPy view both ways, so public entry points run such
tensors through the NumPy kernels and hand tensors back, with no copy and no
device crossing.
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat
import array_api_compat.numpy as compat_numpy
import array_api_extra as xpx
import numpy as np

from balancekit._array_api._cpu_tensors import (
    cpu_tensor_view,
    cpu_tensor_views,
    native_dispatch,
    numpy_for_cpu_tensors,
    restore_tensors,
)
from balancekit._dask_route import entry_point_name, has_dask, refuse_dask
from balancekit._typing import Array, Device, Namespace

__all__ = [
    "bincount",
    "class_indices",
    "cpu_tensor_view",
    "cpu_tensor_views",
    "estimator_input",
    "fixed_order_sum",
    "free_device_memory",
    "get_namespace_and_device",
    "host_float64",
    "host_values",
    "index_dtype",
    "is_numpy_namespace",
    "is_pandas",
    "is_sparse",
    "is_tensorflow",
    "matmul_add",
    "move_indices",
    "native_dispatch",
    "numpy_for_cpu_tensors",
    "restore_tensors",
    "second_smallest",
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


def is_numpy_namespace(xp: Namespace) -> bool:
    """Whether ``xp`` is NumPy or array-api-compat's NumPy wrapper."""
    return array_api_compat.is_numpy_namespace(xp)


def _describe(obj: object) -> str:
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _namespace_of(obj: Any, name: str) -> Namespace:
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


def get_namespace_and_device(**arrays: Any) -> tuple[Namespace, Device]:
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
    # A Dask collection reaching a kernel: its entry point has no Dask route.
    if has_dask(given.values()):
        refuse_dask(entry_point_name(), given)
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


def to_host(x: Array, xp: Namespace) -> np.ndarray:
    """Copy a small array (O(n_classes) values) to a NumPy array on the host.

    One of the two sanctioned device-to-host transfers in the core; it must never be
    called on anything of O(n_samples) size, except through ``estimator_input``.
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


def estimator_input(X: Array, xp: Namespace) -> Any:
    """``X`` for a scikit-learn estimator run inside a sampler: the estimator boundary.

    The other sanctioned device-to-host transfer. A sampler step that fits a
    scikit-learn estimator (SVMSMOTE's SVM, InstanceHardnessThreshold's classifier,
    SMOTE-IPF's filter, a clustering estimator given by the user) hands it the
    features on the host, once: NumPy arrays and SciPy sparse matrices as they are,
    anything else copied. What the step finds (indices, labels, centres) goes back to
    the input's device, so the sampler's output stays there.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> estimator_input(xp.asarray([[1.0, 2.0]]), xp)
    array([[1., 2.]])
    """
    if is_numpy_namespace(xp) or is_sparse(X):
        return X
    return to_host(X, xp)


def take_rows(X: Array, indices: Array, xp: Namespace) -> Array:
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


def index_dtype(xp: Namespace, device: Device) -> Any:
    """The namespace's default integer type for indices on ``device``."""
    return xpx.default_dtype(xp, "indexing", device=device)


def class_indices(y: Array, cls: Any, xp: Namespace) -> Array:
    """Positions of the samples of class ``cls`` in the 1-D labels ``y``, on device."""
    return xp.nonzero(y == cls)[0]


def move_indices(host_indices: np.ndarray, xp: Namespace, device: Device) -> Array:
    """Move host-drawn integer indices to ``device`` in one transfer."""
    return xp.asarray(host_indices, dtype=index_dtype(xp, device), device=device)


# Bins up to which the generic bincount sums a one-hot encoding (else it sorts).
_ONE_HOT_MAX_BINS = 1024
_ONE_HOT_CHUNK = 1 << 20


def bincount(x: Array, minlength: int, weights: Array, xp: Namespace) -> Array:
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
    x: Array, minlength: int, weights: Array, out_dtype: Any, xp: Namespace
) -> Array:
    device = x.device
    if weights is not None:
        weights = xp.astype(weights, out_dtype)
    # Few bins: sum a one-hot encoding in chunks (the standard has no scatter-add).
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
    # Many bins: sort once; each bin is then a run [left, right) found by bisection.
    order = xp.argsort(x, stable=True)
    sorted_x = xp.take(x, order)
    bins = xp.arange(minlength, dtype=x.dtype, device=device)
    left = xp.searchsorted(sorted_x, bins, side="left")
    right = xp.searchsorted(sorted_x, bins, side="right")
    if weights is None:
        return xp.astype(right - left, out_dtype)
    # A run's weight total is a difference of the prefix sums of the sorted weights.
    cumulative = xp.cumulative_sum(xp.take(weights, order), include_initial=True)
    return xp.take(cumulative, right) - xp.take(cumulative, left)


def widest_float_dtype(xp: Namespace, device: Device) -> Any:
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


def top_k(values: Array, k: int, xp: Namespace, *, largest: bool = False) -> Array:
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


def host_values(obj: Any) -> np.ndarray | None:
    """``obj`` as a NumPy array when it lives in host memory, else None.

    Lists, NumPy, pandas, and CPU arrays of PyTorch, array-api-strict and JAX: at
    most one copy (none for a CPU tensor, whose NumPy view shares its memory). For
    accelerator arrays, TensorFlow tensors and SciPy sparse matrices, None.

    Examples
    --------
    >>> host_values([1, 2]).tolist()
    [1, 2]
    """
    if is_tensorflow(obj) or is_sparse(obj):
        return None
    if is_pandas(obj):
        return obj.to_numpy()
    if isinstance(obj, list | tuple | np.ndarray | np.generic) or np.isscalar(obj):
        return np.asarray(obj)
    if array_api_compat.is_torch_array(obj):
        tensor: Any = obj
        if tensor.device.type != "cpu":
            return None
        values = tensor.detach().resolve_conj()
        if str(values.dtype) == "torch.bfloat16":  # NumPy has no bfloat16
            values = values.float()
        return values.numpy()
    if array_api_compat.is_array_api_strict_namespace(
        array_api_compat.array_namespace(obj)
    ):
        import array_api_strict

        if getattr(obj, "device", None) != array_api_strict.Device("CPU_DEVICE"):
            return None
        return np.asarray(obj)
    if array_api_compat.is_jax_array(obj):
        on_cpu = getattr(getattr(obj, "device", None), "platform", None) == "cpu"
        return np.asarray(obj) if on_cpu else None
    return None


def matmul_add(bias: Array, a: Array, b: Array, alpha: float, xp: Namespace) -> Array:
    """``bias + alpha * (a @ b)``, fused in one kernel where the library has one.

    PyTorch's ``addmm`` saves the pass (and the temporary) of the separate sum; the
    fallback is the plain expression. ``bias`` broadcasts against the product.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> a = xp.asarray([[1.0, 2.0]])
    >>> matmul_add(xp.asarray([[10.0]]), a, a.T, -2.0, xp).tolist()
    [[0.0]]
    """
    if array_api_compat.is_torch_namespace(xp):
        import torch

        return torch.addmm(bias, a, b, alpha=alpha)
    if math.frexp(alpha)[0] in (0.5, -0.5):
        # A power of two scales exactly: scaling the smaller factor gives the same
        # bits as scaling the product, and saves a pass over the product.
        if math.prod(a.shape) <= math.prod(b.shape):
            product = (alpha * a) @ b
        else:
            product = a @ (alpha * b)
    else:
        product = alpha * (a @ b)
    if is_numpy_namespace(xp) and _adds_in_place(product, bias):
        # The product is our own temporary: adding into it saves allocating (and
        # page-faulting) a second one, three times faster on cache-sized chunks.
        product += bias
        return product
    return bias + product


def _adds_in_place(product: np.ndarray, bias: np.ndarray) -> bool:
    """Whether ``product + bias`` has ``product``'s shape and dtype."""
    shape = np.broadcast_shapes(np.shape(product), np.shape(bias))
    return shape == product.shape and np.result_type(product, bias) == product.dtype


def fixed_order_sum(values: Array, xp: Namespace) -> Array:
    """Sum over the last axis in one fixed order: the same bits on every library.

    ``xp.sum`` adds in an order of the library's choosing (NumPy's pairwise blocks,
    PyTorch's vector lanes), so two sums of the same numbers can differ in the last
    bit, enough to flip which of two nearly equal distances is smaller. Here the
    halves are added elementwise until one column is left; each addition is
    correctly rounded, so every library gives the same result.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> fixed_order_sum(xp.asarray([[1.0, 2.0, 3.0], [0.5, 0.25, 0.25]]), xp).tolist()
    [6.0, 1.0]
    """
    while int(values.shape[-1]) > 1:
        width = int(values.shape[-1])
        half = width // 2
        summed = values[..., :half] + values[..., half : 2 * half]
        if width % 2:
            summed = xp.concat([summed, values[..., 2 * half :]], axis=-1)
        values = summed
    return values[..., 0]


def second_smallest(values: Array, first: Array, xp: Namespace) -> Array:
    """Smallest value of each row of ``values`` outside column ``first[row]``.

    ``values`` is a temporary of the caller's: NumPy and PyTorch overwrite the
    ``first`` entries in place (one write per row and one pass, instead of a
    masked copy); other libraries mask a copy.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> scores = xp.asarray([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    >>> second_smallest(scores, xp.argmin(scores, axis=1), xp).tolist()
    [2.0, 4.0]
    """
    if is_numpy_namespace(xp):
        values[np.arange(values.shape[0]), first] = np.inf
        return np.min(values, axis=1)
    if array_api_compat.is_torch_namespace(xp):
        values.scatter_(1, first[:, None], float("inf"))
        return values.amin(dim=1)
    columns = xp.arange(values.shape[1], dtype=first.dtype, device=values.device)
    masked = xp.where(columns[None, :] == first[:, None], xp.inf, values)
    return xp.min(masked, axis=1)


def free_device_memory(xp: Namespace, device: Device) -> int | None:
    """Free bytes of an accelerator's memory, or None for host memory / unknown.

    Only CUDA (through PyTorch) reports it; the caller falls back to the host's
    available memory.
    """
    if array_api_compat.is_torch_namespace(xp) and str(device).startswith("cuda"):
        import torch  # pragma: no cover - needs a GPU

        free, _ = torch.cuda.mem_get_info(device)  # pragma: no cover
        return int(free)  # pragma: no cover
    return None


def host_float64(values: object) -> np.ndarray:
    """``values`` (a list, NumPy array or any framework's tensor) as float64 NumPy.

    For small parameter vectors (class counts, class weights) that the adapters pass
    as tensors of their framework, on any device. Raises what ``numpy.asarray`` raises
    for values that are not numbers.

    Examples
    --------
    >>> host_float64([1, 2]).dtype
    dtype('float64')
    """
    if array_api_compat.is_torch_array(values):
        # Through float64 first: bfloat16 has no NumPy dtype.
        values = values.detach().cpu().double().numpy()
    elif is_tensorflow(values):
        values = values.numpy()  # type: ignore[attr-defined]
    elif not isinstance(values, np.ndarray) and array_api_compat.is_array_api_obj(
        values
    ):
        values = to_host(values, array_api_compat.array_namespace(values))
    return np.asarray(values, dtype=np.float64)
