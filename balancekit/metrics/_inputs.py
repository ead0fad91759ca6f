"""Where a metric computes: where the predictions live, with host-side labels moved.

scikit-learn accepts ``y_true`` and ``y_pred`` from different containers (a list and
an ndarray, a tensor and an ndarray). The metrics here compute where the predictions
(``y_pred`` / ``y_score``) live; an argument from another array library is converted
when it sits in host memory (a list, NumPy, pandas, a CPU tensor), which costs at
most one copy of the labels. Arrays on different devices (a CUDA tensor with NumPy
scores) are still refused: moving them is the user's decision.
"""

from __future__ import annotations

from typing import Any

from balancekit._array_api import (
    get_namespace_and_device,
    host_values,
    is_numpy_namespace,
    numpy_for_cpu_tensors,
)
from balancekit._typing import Namespace

__all__ = [
    "label_metric_route",
    "metric_namespace",
    "pair_metric_route",
    "score_metric_route",
]

# The CPU-tensor route of the public metrics (``numpy_for_cpu_tensors``): CPU tensors
# with integer labels run the NumPy kernels on views and get tensors back.
label_metric_route = numpy_for_cpu_tensors(
    "y_true", "y_pred", "sample_weight", labels=("y_true", "y_pred")
)
pair_metric_route = numpy_for_cpu_tensors(
    "y1", "y2", "sample_weight", labels=("y1", "y2")
)
score_metric_route = numpy_for_cpu_tensors(
    "y_true", "y_score", "y_proba", "sample_weight", labels=("y_true",)
)


def metric_namespace(
    lead: str, arrays: dict[str, Any]
) -> tuple[Namespace, Any, dict[str, Any]]:
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
            host = host_values(value)
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
