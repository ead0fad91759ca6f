"""Multilabel losses in PyTorch: class-balanced focal BCE, asymmetric loss
(Ridnik et al., 2021) and distribution-balanced loss (Wu et al., 2020).

Logits and 0/1 targets share one shape ``(..., L)``, labels on the LAST axis
(the layout of ``BCEWithLogitsLoss(pos_weight=...)`` and of Keras); targets in
[0, 1] are accepted, elements equal to ``ignore_index`` contribute nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from balancekit._loss_params import (
    check_asymmetric_params,
    check_class_counts,
    check_distribution_balanced_params,
    negative_tolerant_bias,
)
from balancekit.torch._loss_utils import (
    check_ignore_index,
    check_reduction,
    reduce,
    to_buffer,
)

__all__ = ["AsymmetricLoss", "DistributionBalancedLoss", "class_balanced_multilabel"]


def check_multilabel(
    logits: Any, target: Any, ignore_index: int, n_labels: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(t, mask)``: the target in the logits' dtype (0 where ignored) and the
    mask of the elements that count; raise on a bad input."""
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        got = getattr(logits, "dtype", type(logits).__name__)
        raise TypeError(f"`input` must be a floating point torch.Tensor; got {got}.")
    if logits.ndim < 1:
        raise ValueError("`input` must have shape (..., n_labels); got a scalar.")
    if not isinstance(target, torch.Tensor) or target.shape != logits.shape:
        shape = getattr(target, "shape", type(target).__name__)
        raise ValueError(
            "`target` must be a 0/1 tensor of the logits' shape "
            f"{tuple(logits.shape)} (labels on the last axis); got {shape}."
        )
    if n_labels is not None and logits.shape[-1] != n_labels:
        raise ValueError(
            f"`class_counts` has {n_labels} entries but the logits have "
            f"{logits.shape[-1]} labels (last dimension)."
        )
    valid = target != ignore_index
    t = torch.where(valid, target, torch.zeros_like(target)).to(logits.dtype)
    if bool(((t < 0) | (t > 1)).any()):
        raise ValueError(
            "`target` must hold values in [0, 1] (0/1 label indicators) or "
            f"ignore_index={ignore_index}."
        )
    return t, valid.to(logits.dtype)


def _label_view(vector: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """``vector`` of shape (L,) in the logits' dtype/device (last axis)."""
    return vector.to(device=logits.device, dtype=logits.dtype)


def _pow(base: torch.Tensor, gamma: float) -> torch.Tensor:
    """``base ** gamma`` floored at tiny so gradients stay finite at 0."""
    return base.clamp_min(torch.finfo(base.dtype).tiny) ** gamma


def class_balanced_multilabel(
    logits: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    *,
    gamma: float,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    """Per element ``w_j * BCEWithLogits(x, t) * (1 - p_t) ** gamma``, label j on
    the last axis; ``"mean"`` divides by the number of elements not ignored."""
    t, mask = check_multilabel(logits, target, ignore_index, weight.shape[0])
    loss = F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    if gamma != 0:
        one_minus_pt = t * torch.sigmoid(-logits) + (1 - t) * torch.sigmoid(logits)
        loss = loss * _pow(one_minus_pt, gamma)
    loss = loss * _label_view(weight, logits) * mask
    return reduce(loss, reduction, mask.sum())


class AsymmetricLoss(torch.nn.Module):
    """Asymmetric loss for multilabel classification (Ridnik et al., 2021).

    Per element, with ``p = sigmoid(x)`` and the shifted probability
    ``p_m = max(p - clip, 0)`` of the negatives::

        loss = -[y * L+ + (1 - y) * L-]
        L+ = (1 - p) ** gamma_pos * log(max(p, eps))
        L- = p_m ** gamma_neg * log(max(1 - p_m, eps))

    (Eq. 1-4 of "Asymmetric Loss For Multi-Label Classification", ICCV 2021;
    ``eps`` clamps the probabilities as the authors' code does). ``clip=0`` and
    ``gamma_pos == gamma_neg`` give the sigmoid focal loss; all zero, BCE. The
    authors' code returns the sum: ``reduction="sum"`` reproduces it.

    Parameters
    ----------
    gamma_pos : float, default=0.0
        Focusing parameter of the positives, >= 0 (the paper's best setting).
    gamma_neg : float, default=4.0
        Focusing parameter of the negatives, >= 0.
    clip : float in [0, 1), default=0.05
        Probability margin ``m`` shifting the negatives (hard thresholding of
        easy negatives).
    eps : float in (0, 1), default=1e-8
        Smallest probability entering a log.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides by the number of elements not ignored; ``"none"``
        returns the logits' shape with 0 at ignored elements.
    ignore_index : int, default=-100
        Target value of the elements that contribute nothing.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import AsymmetricLoss
    >>> logits = torch.tensor([[2.0, -1.0, 0.5]])
    >>> target = torch.tensor([[1.0, 0.0, 0.0]])
    >>> loss = AsymmetricLoss(reduction="none")(logits, target)
    >>> [round(v, 4) for v in loss[0].tolist()]
    [0.1269, 0.0006, 0.0913]
    >>> p_m = torch.sigmoid(torch.tensor(0.5)) - 0.05  # third: p_m^4 * -log(1 - p_m)
    >>> round((p_m**4 * -torch.log(1 - p_m)).item(), 4)
    0.0913
    """

    def __init__(
        self,
        gamma_pos: float = 0.0,
        gamma_neg: float = 4.0,
        clip: float = 0.05,
        eps: float = 1e-8,
        *,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        self.gamma_pos, self.gamma_neg, self.clip, self.eps = check_asymmetric_params(
            gamma_pos, gamma_neg, clip, eps
        )
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        t, mask = check_multilabel(input, target, self.ignore_index)
        p = torch.sigmoid(input)
        q = torch.sigmoid(-input)  # 1 - p, exact where p is close to 1
        p_m = (p - self.clip).clamp_min(0.0)
        q_m = (q + self.clip).clamp_max(1.0)  # 1 - p_m
        positive = torch.log(p.clamp_min(self.eps))
        if self.gamma_pos != 0:
            positive = positive * _pow(q, self.gamma_pos)
        negative = torch.log(q_m.clamp_min(self.eps))
        if self.gamma_neg != 0:
            negative = negative * _pow(p_m, self.gamma_neg)
        loss = -(t * positive + (1 - t) * negative) * mask
        return reduce(loss, self.reduction, mask.sum())

    def extra_repr(self) -> str:
        return (
            f"gamma_pos={self.gamma_pos}, gamma_neg={self.gamma_neg}, "
            f"clip={self.clip}, reduction={self.reduction!r}"
        )


class DistributionBalancedLoss(torch.nn.Module):
    """Distribution-balanced loss for long-tailed multilabel data (Wu et al., 2020).

    Wu, Huang, Liu, Wang, Lin, "Distribution-Balanced Loss for Multi-Label
    Classification in Long-Tailed Datasets", ECCV 2020. With ``n_i`` the
    positives of label i, ``N`` the training samples, ``C`` the labels and a
    sample's targets ``y``:

    - re-balanced weights: ``P^C_i = 1/C * 1/n_i``,
      ``P^I = 1/C * sum_{k: y_k=1} 1/n_k``, ``r_i = P^C_i / P^I``, smoothed as
      ``r_hat_i = alpha + sigmoid(beta * (r_i - mu))`` (a sample without
      positive labels has ``r = inf``, so ``r_hat = alpha + 1``);
    - negative-tolerant regularisation with the class bias
      ``nu_i = kappa * log(1 / p_i - 1)``, ``p_i = n_i / N``, and ``z = x - nu``::

        loss_i = r_hat_i * (1 - p_t) ** gamma
                 * [y_i * log(1 + e^-z_i) + (1 - y_i) / lam * log(1 + e^(lam * z_i))]

      where ``p_t = sigmoid(z)`` for positives and ``sigmoid(-lam * z)`` for
      negatives (DB-Focal; ``gamma=0`` is the paper's DB loss).

    Defaults ``alpha=0.1, beta=10, mu=0.2, neg_scale=lam=5, kappa=0.05,
    gamma=2`` (focal on, as in the authors' configurations). The authors'
    configurations use ``mu=0.2, lam=2`` on COCO-MLT and ``mu=0.3, lam=5`` on
    VOC-MLT (``alpha, beta, kappa, gamma`` as here). Their code adds
    ``-kappa / lam * log(1/p - 1)`` before scaling the negatives (the bias of
    the positives divided by ``lam``) and multiplies DB-Focal by 2; this class
    follows the paper's formula above.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (L,)
        Number of training samples having each label, all positive.
    n_samples : float
        Number of training samples ``N``, greater than every count.
    alpha, beta, mu : float, default=0.1, 10.0, 0.2
        Smoothing ``r_hat = alpha + sigmoid(beta * (r - mu))``; alpha, beta >= 0.
    neg_scale : float, default=5.0
        ``lam`` > 0: scale of the negatives' logits (their loss divided by it).
    kappa : float, default=0.05
        Scale of the class bias ``nu``, >= 0 (0: no bias).
    gamma : float, default=2.0
        Focusing parameter, >= 0.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides by the number of elements not ignored (the paper's
        ``1/C`` sum averaged over samples).
    ignore_index : int, default=-100
        Target value of the elements that contribute nothing (they count as
        negatives in ``P^I``).

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import DistributionBalancedLoss
    >>> criterion = DistributionBalancedLoss([10, 50], n_samples=100)
    >>> [round(v, 4) for v in criterion.bias.tolist()]  # 0.05 * log(N / n - 1)
    [0.1099, 0.0]
    >>> logits = torch.tensor([[1.0, -1.0]])
    >>> round(criterion(logits, torch.tensor([[1.0, 0.0]])).item(), 4)
    0.016
    """

    class_counts: torch.Tensor
    inv_counts: torch.Tensor
    bias: torch.Tensor

    def __init__(
        self,
        class_counts: Any,
        n_samples: float,
        *,
        alpha: float = 0.1,
        beta: float = 10.0,
        mu: float = 0.2,
        neg_scale: float = 5.0,
        kappa: float = 0.05,
        gamma: float = 2.0,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        counts = check_class_counts(class_counts)
        (
            self.alpha,
            self.beta,
            self.mu,
            self.neg_scale,
            self.kappa,
            self.gamma,
        ) = check_distribution_balanced_params(alpha, beta, mu, neg_scale, kappa, gamma)
        self.n_samples, bias = negative_tolerant_bias(counts, n_samples, self.kappa)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        self.register_buffer("class_counts", to_buffer(counts))
        self.register_buffer("inv_counts", to_buffer(1.0 / counts))
        self.register_buffer("bias", to_buffer(np.asarray(bias)))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        n_labels = self.class_counts.shape[0]
        t, mask = check_multilabel(input, target, self.ignore_index, n_labels)
        inv = _label_view(self.inv_counts, input)
        # r_i = (1/n_i) / sum_{y_k=1} 1/n_k: the label's share of the sample's
        # expected sampling frequency under class-aware re-sampling.
        repeat = (t * inv).sum(dim=-1, keepdim=True)
        has_positive = repeat > 0
        r = inv / torch.where(has_positive, repeat, torch.ones_like(repeat))
        smooth = torch.sigmoid(self.beta * (r - self.mu))
        r_hat = self.alpha + torch.where(has_positive, smooth, torch.ones_like(r))
        z = input - _label_view(self.bias, input)
        lam = self.neg_scale
        # log(1 + e^-z) and log(1 + e^(lam z)) as BCE-with-logits (stable), the
        # same expression as Keras' sigmoid_cross_entropy_with_logits.
        ones = torch.ones_like(z)
        positive = F.binary_cross_entropy_with_logits(z, ones, reduction="none")
        negative = (
            F.binary_cross_entropy_with_logits(
                lam * z, torch.zeros_like(z), reduction="none"
            )
            / lam
        )
        loss = t * positive + (1 - t) * negative
        if self.gamma != 0:
            one_minus_pt = t * torch.sigmoid(-z) + (1 - t) * torch.sigmoid(lam * z)
            loss = loss * _pow(one_minus_pt, self.gamma)
        loss = r_hat * loss * mask
        return reduce(loss, self.reduction, mask.sum())

    def extra_repr(self) -> str:
        return (
            f"n_samples={self.n_samples}, alpha={self.alpha}, beta={self.beta}, "
            f"mu={self.mu}, neg_scale={self.neg_scale}, kappa={self.kappa}, "
            f"gamma={self.gamma}, reduction={self.reduction!r}"
        )
