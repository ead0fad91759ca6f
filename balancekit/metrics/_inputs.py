"""Where a metric computes: where the predictions live, with host-side labels moved.

scikit-learn accepts ``y_true`` and ``y_pred`` from different containers (a list and
an ndarray, a tensor and an ndarray). The metrics here compute where the predictions
(``y_pred`` / ``y_score``) live; an argument from another array library is converted
when it sits in host memory (a list, NumPy, pandas, a CPU tensor), which costs at
most one copy of the labels. Arrays on different devices (a CUDA tensor with NumPy
scores) are still refused: moving them is the user's decision.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    is_numpy_namespace,
    is_pandas,
    is_sparse,
    is_tensorflow,
)

__all__ = ["metric_namespace"]


def _host_values(obj: Any) -> np.ndarray | None:
    """``obj`` as a NumPy array when it lives in host memory, else None."""
    if is_tensorflow(obj) or is_sparse(obj):
        return None
    if is_pandas(obj):
        return obj.to_numpy()
    if isinstance(obj, list | tuple | np.ndarray | np.generic) or np.isscalar(obj):
        return np.asarray(obj)
    if array_api_compat.is_torch_array(obj):
        if obj.device.type != "cpu":
            return None
        values = obj.detach().resolve_conj()
        if str(values.dtype) == "torch.bfloat16":  # NumPy has no bfloat16
            values = values.float()
        return values.numpy()
    if array_api_compat.is_array_api_strict_namespace(
        array_api_compat.array_namespace(obj)
    ):
        import array_api_strict

        if obj.device != array_api_strict.Device("CPU_DEVICE"):
            return None
        return np.asarray(obj)
    if array_api_compat.is_jax_array(obj):
        on_cpu = getattr(obj.device, "platform", None) == "cpu"
        return np.asarray(obj) if on_cpu else None
    return None


def metric_namespace(
    lead: str, arrays: dict[str, Any]
) -> tuple[ModuleType, Any, dict[str, Any]]:
    """``xp, device`` of the predictions, and every argument moved there if needed.

    Parameters
    ----------
    lead : str
        The name (a key of ``arrays``) of the predictions, which decide where the
        metric computes.
    arrays : dict
        The metric's array arguments by name; ``None`` values are passed through.

    Returns
    -------
    xp, device, arrays
        The arrays unchanged when they share a library and device; otherwise the
        host-side ones converted to the predictions' library and device.

    Raises
    ------
    TypeError, ValueError
        As :func:`balancekit._array_api.get_namespace_and_device` when an argument of
        another library is not in host memory (another device).

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> xp, device, moved = metric_namespace(
    ...     "y_pred", {"y_true": torch.tensor([0, 1]), "y_pred": np.array([1, 1])}
    ... )
    >>> type(moved["y_true"]).__name__, device
    ('ndarray', 'cpu')
    """
    given = {name: value for name, value in arrays.items() if value is not None}
    try:
        xp, device = get_namespace_and_device(**given)
        return xp, device, arrays
    except (TypeError, ValueError) as mixed:
        xp, device = get_namespace_and_device(**{lead: arrays[lead]})
        moved = dict(arrays)
        for name, value in given.items():
            other_xp, other_device = get_namespace_and_device(**{name: value})
            if other_xp is xp and (is_numpy_namespace(xp) or other_device == device):
                continue  # already with the predictions
            host = _host_values(value)
            if host is None:
                raise mixed
            if not is_numpy_namespace(xp):
                if host.dtype.kind not in "biuf":
                    raise TypeError(
                        f"`{name}` holds {host.dtype} values, which "
                        f"{xp.__name__.split('.')[-1]} arrays cannot hold; pass "
                        f"`{lead}` as NumPy too, or encode `{name}` as integers."
                    ) from None
                moved[name] = xp.asarray(host, device=device)
            else:
                moved[name] = host
        return xp, device, moved
