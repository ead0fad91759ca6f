"""Distributed reduction of the stateful metrics of ``balancekit.metrics``.

Each rank updates its own ``StreamingConfusionMatrix``,
``StreamingMultilabelConfusionMatrix``, ``StreamingScores`` or
``StreamingMultilabelScores`` (see ``balancekit.metrics``) with its shard of the
evaluation data; :func:`all_reduce_` then sums the states over the process group so
that every rank's ``compute()`` is the metric over all the data.
"""

from __future__ import annotations

from typing import Any

import array_api_compat
import numpy as np
import torch
import torch.distributed as dist

from balancekit._array_api import is_numpy_namespace
from balancekit.metrics import (
    StreamingConfusionMatrix,
    StreamingMultilabelConfusionMatrix,
    StreamingMultilabelScores,
    StreamingScores,
)

ReducibleMetric = (
    StreamingConfusionMatrix
    | StreamingMultilabelConfusionMatrix
    | StreamingScores
    | StreamingMultilabelScores
)

__all__ = ["all_reduce_"]


def state_namespace(metric: Any) -> str:
    """``"numpy"``, ``"torch"``, another namespace's name, or ``"empty"``: the library
    a streaming metric accumulates in.

    Examples
    --------
    >>> from balancekit.metrics import StreamingScores
    >>> state_namespace(StreamingScores()), state_namespace(
    ...     StreamingScores().update([0, 1], [0.2, 0.7])
    ... )
    ('empty', 'numpy')
    """
    xp = getattr(metric, "_xp", None)
    if xp is None:
        return "empty"
    if is_numpy_namespace(xp):
        return "numpy"
    if array_api_compat.is_torch_namespace(xp):
        return "torch"
    return str(getattr(xp, "__name__", xp))


def _comm_device(metric: Any, group: Any) -> torch.device:
    if state_namespace(metric) == "torch":
        return torch.device(metric._device)
    if dist.get_backend(group) == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _to_tensor(array: Any, device: torch.device) -> torch.Tensor:
    """A copy on ``device``: the reduction works in place and the state may be
    shared (e.g. with a merged metric)."""
    if isinstance(array, torch.Tensor):
        return array.to(device, copy=True)
    return torch.from_numpy(np.array(array, copy=True)).to(device)


def all_reduce_(metric: ReducibleMetric, group: Any = None) -> ReducibleMetric:
    """Sum the state of ``metric`` over the ranks of ``group``, in place.

    Every rank must call it (it is a collective) with a metric built with the same
    arguments. Afterwards each rank holds the sum of all the ranks' states, so its
    ``compute()`` and scores are those of the whole data. NumPy state is summed
    through CPU tensors (CUDA tensors with the NCCL backend) and comes back as NumPy;
    PyTorch state is summed on its device. A rank without any update takes part and
    receives the sum (as PyTorch tensors on the communication device).

    Parameters
    ----------
    metric : StreamingConfusionMatrix, StreamingMultilabelConfusionMatrix, \
StreamingScores or StreamingMultilabelScores
        The metric to reduce.
    group : torch.distributed.ProcessGroup, default=None
        The process group (default: the world).

    Returns
    -------
    metric
        The same object, now holding the global state.

    Raises
    ------
    TypeError
        For another object, or state held in a library other than NumPy or PyTorch.
    ValueError
        When the ranks' metrics were built with different labels or bins.

    Examples
    --------
    Without an initialised process group (a single process) the state is unchanged:

    >>> from balancekit.metrics import StreamingConfusionMatrix
    >>> from balancekit.torch.metrics import all_reduce_
    >>> metric = StreamingConfusionMatrix([0, 1]).update([0, 1], [1, 1])
    >>> all_reduce_(metric).compute()
    array([[0, 1],
           [0, 1]])
    """
    if not isinstance(metric, ReducibleMetric):
        raise TypeError(
            "`metric` must be a StreamingConfusionMatrix, "
            "StreamingMultilabelConfusionMatrix, StreamingScores or "
            f"StreamingMultilabelScores; got {type(metric).__name__}."
        )
    namespace = state_namespace(metric)
    if namespace not in ("numpy", "torch", "empty"):
        raise TypeError(
            f"`metric` accumulates {namespace} arrays; all_reduce_ sums NumPy or "
            "PyTorch state only."
        )
    if not (dist.is_available() and dist.is_initialized()):
        return metric
    device = _comm_device(metric, group)
    has_state = metric._counts is not None
    header = torch.tensor(
        [
            metric._fingerprint(),
            int(has_state),
            int(metric._weights is not None),
            int(metric._integer_weights),
        ],
        dtype=torch.int64,
        device=device,
    )
    # one collective gives the maximum and (negated) minimum of every entry
    both = torch.cat([header, -header])
    dist.all_reduce(both, op=dist.ReduceOp.MAX, group=group)
    high, low = both[:4].tolist(), (-both[4:]).tolist()
    if high[0] != low[0]:
        raise ValueError(
            "`metric` was built with different labels or bins on different ranks; "
            "every rank needs the same configuration."
        )
    if not high[1]:
        return metric
    any_weights, all_integer = bool(high[2]), bool(low[3])
    if has_state:
        counts = _to_tensor(metric._counts, device).to(torch.int64)
    else:
        counts = torch.zeros(metric._shape, dtype=torch.int64, device=device)
    weights = None
    if any_weights:  # batches without weights count 1 per sample
        local = metric._weights if metric._weights is not None else metric._counts
        if local is None:
            weights = torch.zeros(metric._shape, dtype=torch.float64, device=device)
        else:
            weights = _to_tensor(local, device).to(torch.float64)
        dist.all_reduce(weights, group=group)
    dist.all_reduce(counts, group=group)
    if namespace == "empty":  # take the form of the state on the other ranks
        namespace = "torch" if device.type != "cpu" else "numpy"
        if isinstance(metric, StreamingConfusionMatrix):
            metric._dtypes = _label_dtypes(metric, namespace)
    if namespace == "numpy":
        metric._counts = counts.cpu().numpy()
        metric._weights = None if weights is None else weights.cpu().numpy()
    else:
        metric._counts, metric._weights = counts, weights
    metric._integer_weights = all_integer
    return metric


def _label_dtypes(metric: StreamingConfusionMatrix, namespace: str) -> tuple[Any, Any]:
    """The label dtype a rank without updates replays its labels in."""
    if namespace == "numpy":
        dtype = np.asarray(metric._sorted).dtype
        return dtype, dtype
    if all(isinstance(v, bool) for v in metric._sorted):
        return torch.bool, torch.bool
    whole = all(float(v).is_integer() for v in metric._numbers)
    label_dtype = torch.int64 if whole else torch.float64
    return label_dtype, label_dtype
