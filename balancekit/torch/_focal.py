"""Focal loss (Lin et al., 2017), softmax and sigmoid forms."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from balancekit._loss_params import check_class_weights
from balancekit._params import check_choice, check_scalar
from balancekit.torch._loss_utils import (
    check_ignore_index,
    check_index_target,
    check_logits,
    check_n_classes,
    check_reduction,
    class_view,
    is_index_target,
    one_hot_dim1,
    one_minus_p,
    reduce,
    to_buffer,
)


def softmax_focal(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float,
    alpha: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Softmax focal loss; ``gamma=0`` is ``F.cross_entropy(weight=alpha)``."""
    logits = check_logits(logits)
    n_classes = logits.shape[1]
    if alpha is not None:
        check_n_classes(alpha, n_classes, "alpha")
    index = is_index_target(logits, target)
    if index:
        valid = check_index_target(target, n_classes, ignore_index)
        dist = one_hot_dim1(target, valid, n_classes, logits.dtype)
    else:
        dist = target.to(logits.dtype)
    if label_smoothing > 0:
        dist = dist * (1.0 - label_smoothing) + label_smoothing / n_classes
        if index:
            dist = dist * valid.unsqueeze(1).to(logits.dtype)
    log_p = F.log_softmax(logits, dim=1)
    terms = -dist * log_p
    if gamma != 0:
        terms = terms * one_minus_p(log_p) ** gamma
    if alpha is not None:
        terms = terms * class_view(alpha, logits)
    loss = terms.sum(dim=1)
    if reduction != "mean":
        return reduce(loss, reduction, None)
    if not index:
        denominator: Any = loss.numel()
    elif alpha is None:
        denominator = valid.sum().to(logits.dtype)
    else:
        weights = class_view(alpha, logits).squeeze(0)
        safe = torch.where(valid, target, torch.zeros_like(target)).long()
        denominator = (weights.reshape(-1)[safe] * valid.to(logits.dtype)).sum()
    return reduce(loss, reduction, denominator)


def sigmoid_focal(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float,
    alpha: float | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Sigmoid focal loss per element (torchvision's ``sigmoid_focal_loss``)."""
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError("`input` must be a floating point torch.Tensor.")
    if not isinstance(target, torch.Tensor) or target.shape != logits.shape:
        shape = getattr(target, "shape", None)
        raise ValueError(
            "`target` for activation='sigmoid' must be a tensor of the logits' "
            f"shape {tuple(logits.shape)}; got {shape}."
        )
    valid = target != ignore_index
    t = torch.where(valid, target, torch.zeros_like(target)).to(logits.dtype)
    if bool(((t < 0) | (t > 1)).any()):
        raise ValueError(
            "`target` for activation='sigmoid' must be in [0, 1] (or equal "
            f"ignore_index={ignore_index})."
        )
    if label_smoothing > 0:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    mask = valid.to(logits.dtype)
    loss = F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    if gamma != 0:
        log_p = F.logsigmoid(logits)
        log_q = F.logsigmoid(-logits)
        # 1 - p_t = t * (1 - p) + (1 - t) * p, from log-probabilities.
        one_minus_pt = t * log_q.exp() + (1 - t) * log_p.exp()
        tiny = torch.finfo(logits.dtype).tiny
        loss = loss * one_minus_pt.clamp_min(tiny) ** gamma
    if alpha is not None:
        loss = loss * (alpha * t + (1 - alpha) * (1 - t))
    loss = loss * mask
    return reduce(loss, reduction, mask.sum())


class FocalLoss(torch.nn.Module):
    """Focal loss: cross-entropy down-weighting well-classified examples.

    Softmax form (``activation="softmax"``), for integer class indices ``y``::

        loss_i = sum_c -alpha_c * t_ic * (1 - p_ic) ** gamma * log p_ic

    with ``t_i`` the one-hot of ``y_i`` (or the given one-hot / soft target),
    smoothed as ``t * (1 - label_smoothing) + label_smoothing / C``. With
    ``gamma=0`` it equals ``F.cross_entropy(weight=alpha)``, reductions included:
    for integer targets ``"mean"`` divides by the sum of ``alpha[y_i]`` over the
    positions not ignored (their number when ``alpha`` is None); for soft targets
    by the number of positions ``N * d1 * ...``.

    Sigmoid form (``activation="sigmoid"``, targets of the logits' shape in
    [0, 1]), per element, as torchvision's ``sigmoid_focal_loss``::

        loss = alpha_t * BCEWithLogits(x, t) * (1 - p_t) ** gamma
        p_t = p * t + (1 - p) * (1 - t),  alpha_t = alpha * t + (1 - alpha) * (1 - t)

    label smoothing there is ``t * (1 - label_smoothing) + label_smoothing / 2``
    and ``"mean"`` divides by the number of elements not equal to ``ignore_index``.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, >= 0; 0 gives (weighted) cross-entropy.
    alpha : sequence of float, tensor, float or None, default=None
        Softmax: per-class weights (C,), non-negative. Sigmoid: a float in [0, 1]
        weighing positives (``1 - alpha`` for negatives). None: no weighting.
    activation : {"softmax", "sigmoid"}, default="softmax"
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"none"`` returns shape (N, d1, ...) for softmax, the logits' shape for
        sigmoid, with 0 at ignored positions.
    ignore_index : int, default=-100
        Target value that contributes nothing and is excluded from the mean.
    label_smoothing : float in [0, 1], default=0.0
        Share of each target spread uniformly over the classes (see above).

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import FocalLoss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> target = torch.tensor([0, 1])
    >>> round(FocalLoss(gamma=0.0)(logits, target).item(), 4)
    0.2201
    >>> round(FocalLoss(gamma=2.0)(logits, target).item(), 4)
    0.0122
    """

    alpha: torch.Tensor | None

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: Any = None,
        *,
        activation: str = "softmax",
        reduction: str = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        self.activation = check_choice(activation, "activation", ("softmax", "sigmoid"))
        self.gamma = check_scalar(gamma, "gamma", low=0.0)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        self.label_smoothing = check_scalar(
            label_smoothing, "label_smoothing", low=0.0, high=1.0
        )
        self.alpha_value: float | None = None
        if activation == "sigmoid":
            if alpha is not None:
                self.alpha_value = check_scalar(alpha, "alpha", low=0.0, high=1.0)
            self.register_buffer("alpha", None)
        elif alpha is None:
            self.register_buffer("alpha", None)
        elif isinstance(alpha, (int, float)):
            raise TypeError(
                "`alpha` for activation='softmax' must be per-class weights "
                f"(list, array or tensor); got {type(alpha).__name__}."
            )
        else:
            self.register_buffer(
                "alpha", to_buffer(check_class_weights(alpha, "alpha"))
            )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.activation == "sigmoid":
            return sigmoid_focal(
                input,
                target,
                gamma=self.gamma,
                alpha=self.alpha_value,
                reduction=self.reduction,
                ignore_index=self.ignore_index,
                label_smoothing=self.label_smoothing,
            )
        return softmax_focal(
            input,
            target,
            gamma=self.gamma,
            alpha=self.alpha,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self) -> str:
        return (
            f"gamma={self.gamma}, activation={self.activation!r}, "
            f"reduction={self.reduction!r}"
        )
