"""Type aliases for signatures: what a parameter is, where ``Any`` said nothing.

Array-API arrays have no common static type (a NumPy array, a torch tensor, a CuPy
array, ...), so ``Array`` is an alias of ``Any`` for the checker, as in
array-api-extra; the name documents the intent.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, TypeAlias

__all__ = ["Array", "Device", "Namespace"]

Array: TypeAlias = Any
"""An array of any array-API namespace (NumPy, PyTorch, CuPy, JAX, array-api-strict)."""

Device: TypeAlias = Any
"""A device object of an array namespace (``"cpu"``, ``torch.device``, ...)."""

Namespace: TypeAlias = ModuleType
"""An array-API namespace module (what ``array_api_compat.array_namespace`` returns)."""
