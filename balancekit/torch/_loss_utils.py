"""Validation and shape helpers shared by the PyTorch imbalance losses."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from balancekit._params import check_choice, check_int

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: Any) -> str:
    return str(check_choice(reduction, "reduction", REDUCTIONS))


def check_ignore_index(ignore_index: Any) -> int:
    return check_int(ignore_index, "ignore_index", low=None)


def to_buffer(array: np.ndarray) -> torch.Tensor:
    """A float64 host result stored in torch's default dtype (not float64:
    some devices have none); cast to the logits' dtype at forward time."""
    return torch.as_tensor(array, dtype=torch.get_default_dtype())


def check_n_classes(vector: torch.Tensor, n_classes: int, name: str) -> None:
    if vector.shape[0] != n_classes:
        raise ValueError(
            f"`{name}` has {vector.shape[0]} entries but the logits have "
            f"{n_classes} classes (dimension 1)."
        )


def check_logits(logits: Any) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"`input` must be a torch.Tensor; got {type(logits).__name__}.")
    if not logits.is_floating_point():
        raise TypeError(f"`input` must be floating point; got {logits.dtype}.")
    if logits.ndim < 2:
        raise ValueError(
            "`input` must have shape (N, C) or (N, C, d1, ...); "
            f"got shape {tuple(logits.shape)}."
        )
    return logits


def is_index_target(logits: torch.Tensor, target: Any, *, soft: bool = True) -> bool:
    """True for class indices of shape (N, d1, ...), False for targets of the
    logits' shape (one-hot or soft, only if ``soft``); raise otherwise."""
    if not isinstance(target, torch.Tensor):
        raise TypeError(
            f"`target` must be a torch.Tensor; got {type(target).__name__}."
        )
    index_shape = logits.shape[:1] + logits.shape[2:]
    integer = not (target.is_floating_point() or target.is_complex())
    if integer and target.dtype != torch.bool and target.shape == index_shape:
        return True
    if soft and target.is_floating_point() and target.shape == logits.shape:
        return False
    expected = f"integer class indices of shape {tuple(index_shape)}"
    if soft:
        expected += f" or floating targets of shape {tuple(logits.shape)}"
    raise ValueError(
        f"`target` must be {expected}; got {target.dtype} of shape "
        f"{tuple(target.shape)}."
    )


def check_index_target(
    target: torch.Tensor, n_classes: int, ignore_index: int
) -> torch.Tensor:
    """Validate class indices; return the mask of positions that count."""
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= n_classes))
    if bool(bad.any()):
        value = int(target[bad][0])
        raise ValueError(
            f"`target` class indices must be in [0, {n_classes}) or equal "
            f"ignore_index={ignore_index}; got {value}."
        )
    return valid


def one_hot_dim1(
    target: torch.Tensor, valid: torch.Tensor, n_classes: int, dtype: torch.dtype
) -> torch.Tensor:
    """One-hot of shape (N, C, d1, ...) with all-zero columns where not ``valid``."""
    safe = torch.where(valid, target, torch.zeros_like(target))
    hot = torch.nn.functional.one_hot(safe.long(), n_classes).to(dtype)
    hot = hot * valid.unsqueeze(-1).to(dtype)
    return hot.movedim(-1, 1)


def class_view(vector: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """``vector`` of shape (C,) in the logits' dtype/device, broadcastable
    along dimension 1."""
    vector = vector.to(device=logits.device, dtype=logits.dtype)
    return vector.reshape((1, -1) + (1,) * (logits.ndim - 2))


def reduce(loss: torch.Tensor, reduction: str, denominator: Any) -> torch.Tensor:
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    return total / denominator


def one_minus_p(log_p: torch.Tensor) -> torch.Tensor:
    """``1 - exp(log_p)`` accurately, kept >= tiny so ``** gamma`` with
    ``0 < gamma < 1`` has finite gradients where ``p == 1``."""
    return (-torch.expm1(log_p)).clamp_min(torch.finfo(log_p.dtype).tiny)
