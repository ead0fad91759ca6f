"""Package attributes that load their module on first use (PEP 562).

``import balancekit`` (and the ``balancekit`` command, which must answer a bad
argument within a second) should not pay for scikit-learn, imbalanced-learn and every
sampler up front. A package lists ``{name: module}``; :func:`lazy_attributes` gives it
the module-level ``__getattr__`` and ``__dir__`` that import a module when one of its
names is first asked for, then cache the value in the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, namespace: dict[str, Any], names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` loading ``names`` on demand.

    Parameters
    ----------
    package : str
        The package's ``__name__``, for the error message.
    namespace : dict
        The package's ``globals()``, where a loaded value is cached.
    names : mapping
        ``{attribute: module}``: the module that defines each lazy attribute.

    Examples
    --------
    >>> namespace = {}
    >>> getattr_, dir_ = lazy_attributes("pkg", namespace, {"sqrt": "math"})
    >>> getattr_("sqrt")(4.0), "sqrt" in namespace, dir_()
    (2.0, True, ['sqrt'])
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
