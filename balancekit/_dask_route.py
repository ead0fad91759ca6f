"""Where Dask collections enter: recognise them without importing Dask, and route.

A public function or sampler that runs on Dask keeps one name: given a Dask array,
DataFrame or Series it calls its implementation in ``balancekit.dask`` (imported only
then, so ``import balancekit`` stays light); given anything else, its own body. The
entry points that have no Dask implementation refuse Dask input with a ``TypeError``
that names those that do (``refuse_dask``), instead of failing deep inside a kernel.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

__all__ = [
    "DASK_ENTRY_POINTS",
    "dask_entry_point",
    "dask_route",
    "entry_point_name",
    "gathered_on_dask",
    "has_dask",
    "is_dask_collection",
    "refuse_dask",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# The public names that accept Dask collections, filled as their modules load.
DASK_ENTRY_POINTS: set[str] = set()


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection (array, DataFrame, Series...).

    Looks at the type only, so Dask is never imported to answer.

    Examples
    --------
    >>> import numpy as np
    >>> is_dask_collection(np.zeros(3))
    False
    """
    module = type(obj).__module__
    return module.split(".")[0] in ("dask", "dask_expr") and hasattr(
        obj, "__dask_graph__"
    )


def has_dask(values: Iterable[object]) -> bool:
    """Whether any of ``values`` is a Dask collection."""
    return any(is_dask_collection(value) for value in values)


def dask_entry_point(obj: T) -> T:
    """Register a class or function as taking Dask input: a sampler with
    ``_fit_resample_dask``, or a function whose own body handles Dask collections
    (the confusion-matrix metrics: their ``count`` reduces Dask partitions)."""
    DASK_ENTRY_POINTS.add(getattr(obj, "__name__", repr(obj)))
    return obj


def gathered_on_dask(cls: type[T]) -> type[T]:
    """Register a sampler class whose rule is global and give it the Dask route
    that gathers its rows on one worker (``balancekit.dask._one_worker``): its
    ``fit`` and ``fit_resample`` on Dask input."""

    def _fit_dask(self: Any, X: Any, y: Any) -> None:
        _one_worker().one_worker_fit(self, X, y)

    def _fit_resample_dask(self: Any, X: Any, y: Any, sample_weight: Any) -> tuple:
        return _one_worker().one_worker_resample(self, X, y, sample_weight)

    cls._fit_dask = _fit_dask  # type: ignore[attr-defined]
    cls._fit_resample_dask = _fit_resample_dask  # type: ignore[attr-defined]
    return dask_entry_point(cls)


def _one_worker() -> Any:
    return importlib.import_module("balancekit.dask._one_worker")


def dask_route(module: str, name: str | None = None) -> Callable[[F], F]:
    """Call ``balancekit.dask.<module>.<name>`` when an argument is a Dask collection.

    The implementation gets the call's arguments unchanged; ``name`` defaults to the
    decorated function's name. Without a Dask argument the function runs as written.

    Parameters
    ----------
    module : str
        The module of ``balancekit.dask`` that holds the implementation
        (``"_metrics"`` for ``balancekit.dask._metrics``).
    name : str, optional
        The implementation's name there.
    """

    def decorate(function: F) -> F:
        target = name or function.__name__
        DASK_ENTRY_POINTS.add(function.__name__)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not has_dask((*args, *kwargs.values())):
                return function(*args, **kwargs)
            implementation = getattr(
                importlib.import_module(f"balancekit.dask.{module}"), target
            )
            return implementation(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


# The names of decorators' inner functions: never the entry point itself.
_WRAPPERS = frozenset({"wrapper", "wrapped", "inner", "decorated"})


def entry_point_name(default: str = "this function") -> str:
    """The name of the balancekit function or method the user called: the outermost
    frame of a ``balancekit`` module on the stack (``Class.method`` for a method).
    For error messages raised deep inside, where the entry point is not known.

    Examples
    --------
    >>> entry_point_name()  # called from outside balancekit
    'this function'
    """
    frame: types.FrameType | None = sys._getframe(1)
    found: types.FrameType | None = None
    while frame is not None:  # inner to outer: the last match is the outermost
        module = frame.f_globals.get("__name__", "")
        name = frame.f_code.co_name
        ours = module == "balancekit" or module.startswith("balancekit.")
        if ours and name not in _WRAPPERS and not name.startswith(("_", "<")):
            found = frame
        frame = frame.f_back
    if found is None:
        return default
    name = found.f_code.co_name
    owner = found.f_locals.get("self")
    return f"{type(owner).__name__}.{name}" if owner is not None else f"{name}()"


def refuse_dask(where: str, values: dict[str, Any]) -> None:
    """Raise a ``TypeError`` if one of ``values`` (by parameter name) is a Dask
    collection: ``where`` (a function or class name) has no Dask implementation.

    Examples
    --------
    >>> refuse_dask("SMOTE", {"X": [[0.0]], "y": [0]}) is None
    True
    """
    for parameter, value in values.items():
        if is_dask_collection(value):
            _register_entry_points()
            supported = ", ".join(sorted(DASK_ENTRY_POINTS)) or "none yet"
            raise TypeError(
                f"`{parameter}` is a Dask collection ({type(value).__name__}), but "
                f"{where} does not run on Dask. Entry points that do: {supported}. "
                "Otherwise compute() the data (or a sample of it) into memory first."
            )


def _register_entry_points() -> None:
    """Import the modules whose decorators register entry points (on the error
    path only: none of them imports Dask)."""
    for module in _ENTRY_POINT_MODULES:
        importlib.import_module(module)


# The modules that hold every Dask entry point (their import registers them).
_ENTRY_POINT_MODULES = (
    "balancekit._function_sampler",
    "balancekit.combine",
    "balancekit.datasets",
    "balancekit.diagnostics",
    "balancekit.metrics",
    "balancekit.over_sampling",
    "balancekit.under_sampling",
    "balancekit.utils",
    "balancekit.weighting",
)
