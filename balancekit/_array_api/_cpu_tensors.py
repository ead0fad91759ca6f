"""The CPU-tensor route: plain PyTorch CPU tensors run through the NumPy kernels.

A PyTorch tensor in CPU memory shares its buffer with a NumPy view both ways
(``tensor.numpy()``, ``torch.from_numpy``), so a public entry point can run such
tensors through the NumPy kernels (faster on the CPU than PyTorch's for the
small, branchy steps of resampling and counting) and hand tensors back: no copy,
no device crossing, the same results. Every other input, an accelerator tensor
included, keeps its native path. ``native_dispatch`` turns the route off for tests
and benchmarks that compare the two.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import array_api_compat
import numpy as np

from balancekit._typing import Array

__all__ = [
    "cpu_tensor_view",
    "cpu_tensor_views",
    "native_dispatch",
    "numpy_for_cpu_tensors",
    "restore_tensors",
]

# Tensor dtypes that have a NumPy twin: a CPU tensor of these is viewed as NumPy.
_NUMPY_TWINS = "bool uint8 int8 int16 int32 int64 float16 float32 float64"
_VIEWABLE_TORCH_DTYPES = frozenset(f"torch.{name}" for name in _NUMPY_TWINS.split())
# A context variable, not a global: one thread (or task) comparing routes does not
# switch another's.
_native_only: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "balancekit_native_only", default=False
)

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def native_dispatch() -> Iterator[None]:
    """Within the block, CPU tensors keep their native (PyTorch) path.

    For tests and benchmarks, which compare the NumPy route of CPU tensors against
    the PyTorch kernels it replaces.

    Examples
    --------
    >>> with native_dispatch():
    ...     pass
    """
    token = _native_only.set(True)
    try:
        yield
    finally:
        _native_only.reset(token)


def cpu_tensor_view(obj: object) -> np.ndarray | None:
    """A NumPy view (no copy) of a plain CPU PyTorch tensor, else None.

    Tensors that require grad (autograd must see the operations), subclasses, sparse
    or conjugate/negative-bit tensors, dtypes NumPy lacks (bfloat16, complex32) and
    every tensor off the CPU get None: they keep the native path.

    Examples
    --------
    >>> import numpy as np
    >>> cpu_tensor_view(np.zeros(2)) is None
    True
    """
    if _native_only.get() or not array_api_compat.is_torch_array(obj):
        return None
    tensor: Any = obj
    if (
        type(tensor) is not sys.modules["torch"].Tensor  # loaded: obj is a tensor
        or tensor.device.type != "cpu"
        or tensor.requires_grad
        or str(tensor.layout) != "torch.strided"
        or str(tensor.dtype) not in _VIEWABLE_TORCH_DTYPES
        or tensor.is_conj()
        or tensor.is_neg()
    ):
        return None
    return tensor.numpy()


def _as_tensor(array: np.ndarray) -> Array:
    import torch

    # torch.from_numpy shares the buffer; it refuses negative strides and warns on
    # read-only arrays, which only NumPy views of the kernels' own making can be.
    if not array.flags.writeable or any(stride < 0 for stride in array.strides):
        array = np.array(array)
    return torch.from_numpy(array)


def restore_tensors(result: Any, *, default_float: bool = False) -> Any:
    """NumPy arrays and scalars in ``result`` as CPU tensors sharing their memory.

    Tuples (named ones too), lists and dicts are walked (their other items are
    kept); a NumPy scalar becomes a 0-d tensor, as the PyTorch kernels return. With
    ``default_float``, float64 results (NumPy's default float) are cast to PyTorch's
    default float, which the native kernels create.
    """
    if isinstance(result, np.generic) and result.dtype.kind in "biuf":
        result = np.asarray(result)
    if isinstance(result, np.ndarray) and result.dtype.kind in "biufc":
        tensor = _as_tensor(result)
        if default_float and result.dtype == np.float64:
            import torch

            tensor = tensor.to(torch.get_default_dtype())
        return tensor
    if isinstance(result, tuple | list):
        items = [restore_tensors(item, default_float=default_float) for item in result]
        if hasattr(result, "_fields"):  # a NamedTuple
            return type(result)(*items)
        return type(result)(items)
    if isinstance(result, dict):
        return type(result)(
            (key, restore_tensors(value, default_float=default_float))
            for key, value in result.items()
        )
    return result


def numpy_for_cpu_tensors(
    *names: str,
    labels: tuple[str, ...] = (),
    floats: tuple[str, ...] = (),
    default_float: bool = False,
) -> Callable[[F], F]:
    """Run a public function on NumPy views of CPU tensors and give tensors back.

    When every argument named in ``names`` is either None or a CPU tensor that
    :func:`cpu_tensor_view` accepts (and at least one is a tensor), those arguments
    (and any other argument that is such a tensor) are replaced by their NumPy views,
    the function runs its NumPy kernels, and the NumPy arrays in its result become
    tensors again (``torch.from_numpy``): zero copy, no device crossing, results
    equal to the PyTorch kernels'. Any other input (an accelerator tensor, a tensor
    that requires grad, mixed libraries) takes the function's native path unchanged.

    Parameters
    ----------
    *names : str
        The array parameters that decide the route.
    labels, floats : tuple of str
        Parameters (among ``names``) routed only when they hold integers or booleans
        (``labels``) or real floats (``floats``): other dtypes keep the native path,
        whose messages name the tensor's dtype.
    default_float : bool, default=False
        Cast float64 results to PyTorch's default float, for functions whose native
        kernels create floats in the namespace's default dtype.

    Examples
    --------
    >>> import numpy as np
    >>> @numpy_for_cpu_tensors("x")
    ... def double(x):
    ...     return 2 * x
    >>> double(np.arange(3)).tolist()
    [0, 2, 4]
    """
    kinds = dict.fromkeys(labels, "biu") | dict.fromkeys(floats, "f")

    def decorate(function: F) -> F:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _native_only.get() or not any(
                array_api_compat.is_torch_array(a) for a in (*args, *kwargs.values())
            ):
                return function(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                bound = None
            if bound is None:
                # a wrong call: the function itself answers, outside the except
                # block, so its TypeError is not chained to the binding failure
                return function(*args, **kwargs)
            views = _views_of(bound.arguments, names, kinds)
            if views is None:
                return function(*args, **kwargs)
            bound.arguments.update(views)
            result = function(*bound.args, **bound.kwargs)
            return restore_tensors(result, default_float=default_float)

        return wrapper  # type: ignore[return-value]

    return decorate


def cpu_tensor_views(
    arrays: Mapping[str, Any], kinds: Mapping[str, str] | None = None
) -> dict[str, np.ndarray | None] | None:
    """NumPy views (no copy) of arrays that are all plain CPU tensors, else None.

    The one test of the CPU-tensor route for several arrays at once: every value
    that is not None must be a tensor :func:`cpu_tensor_view` accepts, with a dtype
    kind among ``kinds[name]`` (default ``"biuf"``, e.g. ``"biu"`` for labels,
    ``"f"`` for scores); None values stay None. One array that fails sends them all
    down the native path, where its own messages apply.

    Examples
    --------
    >>> import numpy as np
    >>> cpu_tensor_views({"y_true": np.array([0, 1])}, {"y_true": "biu"}) is None
    True
    """
    kinds = kinds or {}
    views: dict[str, np.ndarray | None] = {}
    for name, value in arrays.items():
        if value is None:
            views[name] = None
            continue
        view = cpu_tensor_view(value)
        if view is None or view.dtype.kind not in kinds.get(name, "biuf"):
            return None
        views[name] = view
    return views


def _views_of(
    arguments: dict[str, Any], names: tuple[str, ...], kinds: dict[str, str]
) -> dict[str, np.ndarray] | None:
    """NumPy views of the tensor arguments, or None when the native path must run.

    The deciding arguments (``names``) must each be None or a routable tensor; any
    other argument that is a tensor must be routable too, since a NumPy kernel
    cannot take a tensor beside NumPy arrays.
    """
    chosen = {
        name: value
        for name, value in arguments.items()
        if name in names or array_api_compat.is_torch_array(value)
    }
    views = cpu_tensor_views(chosen, kinds)
    if views is None:
        return None
    routed = {name: view for name, view in views.items() if view is not None}
    return routed or None
