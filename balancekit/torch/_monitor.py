"""Per-class validation metrics for a hand-written PyTorch training loop.

:func:`monitor_epoch` runs the model over a validation loader (evaluation mode, no
gradients), feeds :class:`~balancekit.diagnostics.MinorityMonitor` and closes its
epoch; under ``torch.distributed`` the metrics are summed over the ranks first, so
every rank gets the record of the whole validation set. :func:`finish_epoch` is that
last step alone, :func:`reduce_monitor` its reduction (the Lightning callback uses
it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
import torch.distributed as dist

from balancekit.diagnostics._training_monitor import MinorityMonitor
from balancekit.torch.metrics import all_reduce_

__all__ = ["finish_epoch", "monitor_epoch", "reduce_monitor"]


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def reduce_monitor(monitor: MinorityMonitor, group: Any = None) -> bool:
    """Sum the monitor's metrics over the ranks when ``torch.distributed`` is
    initialised (a collective: every rank calls it); True on the rank that warns
    (rank 0, or the only process)."""
    if not isinstance(monitor, MinorityMonitor):
        raise TypeError(
            "`monitor` must be a balancekit.diagnostics.MinorityMonitor; got "
            f"{type(monitor).__name__}."
        )
    if not _distributed():
        return True
    all_reduce_(monitor.confusion, group)
    all_reduce_(monitor.scores, group)
    return dist.get_rank(group) == 0


def finish_epoch(monitor: MinorityMonitor, group: Any = None) -> dict[str, Any]:
    """Sum the monitor's metrics over the ranks (when ``torch.distributed`` is
    initialised) and end its epoch; only rank 0 issues the warnings.

    Parameters
    ----------
    monitor : MinorityMonitor
        The monitor fed with this rank's share of the validation set.
    group : torch.distributed.ProcessGroup, default=None
        The process group (default: the world). Every rank must call this.

    Returns
    -------
    dict
        The epoch's record (see :meth:`MinorityMonitor.end_epoch`), the same on
        every rank.

    Examples
    --------
    >>> import torch
    >>> from balancekit.diagnostics import MinorityMonitor
    >>> from balancekit.torch import finish_epoch
    >>> monitor = MinorityMonitor(2).update(torch.tensor([0, 1]),
    ...                                     torch.tensor([0.3, 0.8]))
    >>> finish_epoch(monitor)["recall"]
    [1.0, 1.0]
    """
    emit = reduce_monitor(monitor, group)
    return monitor.end_epoch(emit_warnings=emit)


def _to_device(inputs: Any, device: torch.device) -> Any:
    if isinstance(inputs, torch.Tensor):
        return inputs.to(device)
    if isinstance(inputs, tuple | list):
        return type(inputs)(_to_device(each, device) for each in inputs)
    if isinstance(inputs, dict):
        return {key: _to_device(value, device) for key, value in inputs.items()}
    return inputs


def monitor_epoch(
    model: torch.nn.Module,
    loader: Iterable[Any],
    monitor: MinorityMonitor,
    *,
    device: torch.device | str | None = None,
    output_fn: Callable[[Any], torch.Tensor] | None = None,
    group: Any = None,
) -> dict[str, Any]:
    """Score a validation loader with ``model`` and close one epoch of ``monitor``.

    The model runs in evaluation mode under ``torch.no_grad()`` (its previous mode
    is restored afterwards); each batch's scores and labels go to
    :meth:`MinorityMonitor.update` on the scores' device. Under an initialised
    ``torch.distributed`` process group the metrics are summed over the ranks
    (:func:`balancekit.torch.all_reduce_`) before the record is computed, so every
    rank returns the same record (each rank scores its own shard of the loader, e.g.
    through a ``DistributedSampler``); only rank 0 warns.

    Parameters
    ----------
    model : torch.nn.Module
        The model; ``model(inputs)`` gives the scores (probabilities, or logits for
        a monitor built with ``from_logits=True``).
    loader : iterable of (inputs, targets)
        The validation batches, e.g. a ``DataLoader``; ``inputs`` (a tensor, or a
        tuple, list or dict of tensors) is moved to ``device``; ``targets`` holds
        the class indices.
    monitor : MinorityMonitor
        The monitor to feed; its history grows by one record.
    device : torch.device or str, default=None
        Where the model runs; default the device of its first parameter (CPU for a
        model without parameters).
    output_fn : callable, default=None
        ``output_fn(model_output) -> scores`` for models whose output is not the
        score tensor itself (a tuple, a dict...).
    group : torch.distributed.ProcessGroup, default=None
        The process group of the reduction (default: the world).

    Returns
    -------
    dict
        The epoch's record (see :meth:`MinorityMonitor.end_epoch`).

    Raises
    ------
    TypeError
        When a batch is not an (inputs, targets) pair.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from balancekit.diagnostics import MinorityMonitor
    >>> from balancekit.torch import monitor_epoch
    >>> _ = torch.manual_seed(0)
    >>> x, y = torch.randn(40, 3), torch.tensor([0] * 30 + [1] * 10)
    >>> model = torch.nn.Linear(3, 2)
    >>> monitor = MinorityMonitor(2, from_logits=True)
    >>> record = monitor_epoch(model, DataLoader(TensorDataset(x, y), batch_size=16),
    ...                        monitor)
    >>> record["support"], model.training
    ([30, 10], True)
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(
            f"`model` must be a torch.nn.Module; got {type(model).__name__}."
        )
    if not isinstance(monitor, MinorityMonitor):
        raise TypeError(
            "`monitor` must be a balancekit.diagnostics.MinorityMonitor; got "
            f"{type(monitor).__name__}."
        )
    if output_fn is not None and not callable(output_fn):
        raise TypeError(
            f"`output_fn` must be callable or None; got {type(output_fn).__name__}."
        )
    if device is None:
        first = next(iter(model.parameters()), None)
        device = torch.device("cpu") if first is None else first.device
    device = torch.device(device)
    was_training = model.training
    monitor.reset()  # an epoch starts from the batches of this call only
    model.eval()
    try:
        with torch.no_grad():
            for batch in loader:
                if not isinstance(batch, tuple | list) or len(batch) != 2:
                    raise TypeError(
                        "Every batch of `loader` must be an (inputs, targets) pair; "
                        f"got {type(batch).__name__}"
                        + (
                            f" of length {len(batch)}."
                            if hasattr(batch, "__len__")
                            else "."
                        )
                    )
                inputs, targets = batch
                output = model(_to_device(inputs, device))
                scores = output if output_fn is None else output_fn(output)
                if not isinstance(scores, torch.Tensor):
                    raise TypeError(
                        "The model's output must be a tensor of scores; got "
                        f"{type(scores).__name__}. Pass `output_fn` to pick the "
                        "scores out of it."
                    )
                targets = torch.as_tensor(targets).to(scores.device)
                monitor.update(targets, scores.detach())
    finally:
        model.train(was_training)
    return finish_epoch(monitor, group)
