"""Loss functions for class-imbalanced classification in PyTorch.

All losses are ``torch.nn.Module`` subclasses taking logits of shape (N, C) or
(N, C, d1, ...) and integer class indices of shape (N, d1, ...) as
``torch.nn.CrossEntropyLoss`` does. Class statistics are registered as buffers
in torch's default dtype and cast to the logits' dtype and device at forward
time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from balancekit._loss_params import (
    check_class_counts,
    check_class_weights,
    check_multilabel_loss,
    class_balanced_weights,
    ldam_margins,
)
from balancekit._params import check_choice, check_scalar
from balancekit.torch._focal import FocalLoss, softmax_focal
from balancekit.torch._loss_utils import (
    check_ignore_index,
    check_index_target,
    check_logits,
    check_n_classes,
    check_reduction,
    class_view,
    is_index_target,
    one_hot_dim1,
    reduce,
    to_buffer,
)
from balancekit.torch._multilabel_losses import (
    AsymmetricLoss,
    DistributionBalancedLoss,
    class_balanced_multilabel,
)

__all__ = [
    "AsymmetricLoss",
    "BalancedSoftmaxLoss",
    "ClassBalancedLoss",
    "DistributionBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
]


def _check_target(
    logits: torch.Tensor, target: torch.Tensor, ignore_index: int, soft: bool
) -> bool:
    """Validate ``target``; True if it holds class indices."""
    index = is_index_target(logits, target, soft=soft)
    if index:
        check_index_target(target, logits.shape[1], ignore_index)
    return index


class ClassBalancedLoss(torch.nn.Module):
    """Class-balanced loss by the effective number of samples (Cui et al., 2019).

    Class weights ``w_c = (1 - beta) / (1 - beta ** n_c)``, rescaled so they sum
    to ``C``, computed in float64 at construction. They are applied as:

    - ``"softmax"``: ``F.cross_entropy(weight=w)``; ``"mean"`` divides by the sum
      of ``w[y_i]`` over the positions not ignored (torch's convention).
    - ``"focal"``: :class:`FocalLoss` with ``alpha=w`` and ``gamma`` (same mean).
    - ``"sigmoid"``: per position, ``w[y_i] * sum_c BCEWithLogits(x_ic, t_ic)``
      with ``t_i`` the one-hot of ``y_i`` (the paper's form: the true class's
      weight scales every class term); ``"mean"`` divides by the sum of ``w[y_i]``.

    ``"softmax"`` and ``"focal"`` also take one-hot / soft targets of the logits'
    shape (``"mean"`` then divides by the number of positions, as torch does).

    Multilabel (``multilabel=True``): ``class_counts`` are the positives per
    label, logits and 0/1 targets share a shape ``(..., L)`` with labels on the
    LAST axis, and per element ``w_j * BCEWithLogits(x, t) * (1 - p_t) ** gamma``
    (the focal factor only for ``loss="focal"``; ``"softmax"`` is refused);
    ``"mean"`` divides by the number of elements not equal to ``ignore_index``
    (their sum of ``w_j`` when nothing is ignored, as ``w`` sums to ``L``).

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    beta : float in [0, 1), default=0.9999
        0 gives equal weights; towards 1, inverse-frequency weights.
    loss : {"softmax", "focal", "sigmoid"}, default="softmax"
    gamma : float, default=2.0
        Focusing parameter of ``loss="focal"``.
    reduction : {"mean", "sum", "none"}, default="mean"
    ignore_index : int, default=-100
        Target value that contributes nothing and is excluded from the mean.
    multilabel : bool, default=False
        Take 0/1 label indicators of the logits' shape (see above).

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import ClassBalancedLoss
    >>> criterion = ClassBalancedLoss([90, 10], beta=0.9)
    >>> [round(w, 4) for w in criterion.weight.tolist()]
    [0.7889, 1.2111]
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> round(criterion(logits, torch.tensor([0, 1])).item(), 4)
    0.2398
    """

    class_counts: torch.Tensor
    weight: torch.Tensor

    def __init__(
        self,
        class_counts: Any,
        beta: float = 0.9999,
        *,
        loss: str = "softmax",
        gamma: float = 2.0,
        reduction: str = "mean",
        ignore_index: int = -100,
        multilabel: bool = False,
    ) -> None:
        super().__init__()
        counts = check_class_counts(class_counts)
        self.beta = check_scalar(beta, "beta", low=0.0, high=1.0, high_open=True)
        self.loss = check_choice(loss, "loss", ("softmax", "focal", "sigmoid"))
        self.multilabel = check_multilabel_loss(multilabel, self.loss)
        self.gamma = check_scalar(gamma, "gamma", low=0.0)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        weights = class_balanced_weights(counts, self.beta)
        self.register_buffer("class_counts", to_buffer(counts))
        self.register_buffer("weight", to_buffer(weights))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.multilabel:
            return class_balanced_multilabel(
                input,
                target,
                self.weight,
                gamma=self.gamma if self.loss == "focal" else 0.0,
                reduction=self.reduction,
                ignore_index=self.ignore_index,
            )
        logits = check_logits(input)
        n_classes = logits.shape[1]
        check_n_classes(self.weight, n_classes, "class_counts")
        if self.loss != "sigmoid":
            return softmax_focal(
                logits,
                target,
                gamma=self.gamma if self.loss == "focal" else 0.0,
                alpha=self.weight,
                reduction=self.reduction,
                ignore_index=self.ignore_index,
            )
        _check_target(logits, target, self.ignore_index, soft=False)
        valid = target != self.ignore_index
        one_hot = one_hot_dim1(target, valid, n_classes, logits.dtype)
        bce = F.binary_cross_entropy_with_logits(logits, one_hot, reduction="none")
        row_weight = (one_hot * class_view(self.weight, logits)).sum(dim=1)
        loss = row_weight * bce.sum(dim=1)
        return reduce(loss, self.reduction, row_weight.sum())

    def extra_repr(self) -> str:
        multilabel = ", multilabel=True" if self.multilabel else ""
        return (
            f"beta={self.beta}, loss={self.loss!r}, reduction={self.reduction!r}"
            f"{multilabel}"
        )


class LogitAdjustedLoss(torch.nn.Module):
    """Logit-adjusted cross-entropy (Menon et al., 2021).

    ``F.cross_entropy(logits + tau * log(prior))`` with
    ``prior = class_counts / class_counts.sum()``, added along dimension 1;
    reductions, ``ignore_index`` and soft targets as ``F.cross_entropy``.
    ``tau=0`` is plain cross-entropy. Predict with the raw logits.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    tau : float, default=1.0
        Scaling of the log-prior, >= 0.
    reduction : {"mean", "sum", "none"}, default="mean"
    ignore_index : int, default=-100
        Target value that contributes nothing and is excluded from the mean.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import LogitAdjustedLoss
    >>> criterion = LogitAdjustedLoss([75, 25])
    >>> logits = torch.tensor([[0.0, 0.0]])
    >>> round(criterion(logits, torch.tensor([1])).item(), 4)  # -log(0.25)
    1.3863
    """

    class_counts: torch.Tensor
    log_prior: torch.Tensor

    def __init__(
        self,
        class_counts: Any,
        tau: float = 1.0,
        *,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        counts = check_class_counts(class_counts)
        self.tau = check_scalar(tau, "tau", low=0.0)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        self.register_buffer("class_counts", to_buffer(counts))
        self.register_buffer("log_prior", to_buffer(np.log(counts / counts.sum())))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = check_logits(input)
        check_n_classes(self.log_prior, logits.shape[1], "class_counts")
        _check_target(logits, target, self.ignore_index, soft=True)
        adjusted = logits + self.tau * class_view(self.log_prior, logits)
        return F.cross_entropy(
            adjusted, target, reduction=self.reduction, ignore_index=self.ignore_index
        )

    def extra_repr(self) -> str:
        return f"tau={self.tau}, reduction={self.reduction!r}"


class BalancedSoftmaxLoss(torch.nn.Module):
    """Balanced softmax cross-entropy (Ren et al., 2020).

    ``F.cross_entropy(logits + log(class_counts))``, added along dimension 1.
    ``log(counts)`` and ``log(prior)`` differ by a constant per row, so this
    equals :class:`LogitAdjustedLoss` with ``tau=1``. Predict with the raw logits.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    reduction : {"mean", "sum", "none"}, default="mean"
    ignore_index : int, default=-100
        Target value that contributes nothing and is excluded from the mean.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import BalancedSoftmaxLoss
    >>> criterion = BalancedSoftmaxLoss([75, 25])
    >>> logits = torch.tensor([[0.0, 0.0]])
    >>> round(criterion(logits, torch.tensor([1])).item(), 4)  # -log(25 / 100)
    1.3863
    """

    class_counts: torch.Tensor
    log_counts: torch.Tensor

    def __init__(
        self, class_counts: Any, *, reduction: str = "mean", ignore_index: int = -100
    ) -> None:
        super().__init__()
        counts = check_class_counts(class_counts)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        self.register_buffer("class_counts", to_buffer(counts))
        self.register_buffer("log_counts", to_buffer(np.log(counts)))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = check_logits(input)
        check_n_classes(self.log_counts, logits.shape[1], "class_counts")
        _check_target(logits, target, self.ignore_index, soft=True)
        adjusted = logits + class_view(self.log_counts, logits)
        return F.cross_entropy(
            adjusted, target, reduction=self.reduction, ignore_index=self.ignore_index
        )

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class LDAMLoss(torch.nn.Module):
    """Label-distribution-aware margin loss (Cao et al., 2019).

    Margins ``m_c = n_c ** -0.25``, rescaled so ``max(m) == max_m`` (float64 at
    construction). The true-class logit is lowered by its margin, all logits are
    multiplied by ``s``, then ``F.cross_entropy(weight=weight)``::

        loss_i = CE(s * (x_i - m_{y_i} * onehot(y_i)), y_i; weight)

    with torch's reductions (weighted ``"mean"`` divides by the sum of
    ``weight[y_i]``). Integer targets only.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    max_m : float, default=0.5
        Largest margin (of the rarest class), >= 0.
    s : float, default=30.0
        Logit scale, > 0.
    weight : sequence of float, array or tensor of shape (C,), optional
        Class weights for the cross-entropy (e.g. deferred re-weighting).
    reduction : {"mean", "sum", "none"}, default="mean"
    ignore_index : int, default=-100
        Target value that contributes nothing and is excluded from the mean.

    Examples
    --------
    >>> import torch
    >>> from balancekit.torch.losses import LDAMLoss
    >>> criterion = LDAMLoss([16, 1], max_m=0.5, s=1.0)
    >>> criterion.margins.tolist()
    [0.25, 0.5]
    >>> logits = torch.tensor([[0.0, 0.0]])
    >>> round(criterion(logits, torch.tensor([1])).item(), 4)  # log(1 + e^0.5)
    0.9741
    """

    class_counts: torch.Tensor
    margins: torch.Tensor
    weight: torch.Tensor | None

    def __init__(
        self,
        class_counts: Any,
        max_m: float = 0.5,
        s: float = 30.0,
        *,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        counts = check_class_counts(class_counts)
        self.max_m = check_scalar(max_m, "max_m", low=0.0)
        self.s = check_scalar(s, "s", low=0.0, low_open=True)
        self.reduction = check_reduction(reduction)
        self.ignore_index = check_ignore_index(ignore_index)
        margins = ldam_margins(counts, self.max_m)
        self.register_buffer("class_counts", to_buffer(counts))
        self.register_buffer("margins", to_buffer(margins))
        if weight is None:
            self.register_buffer("weight", None)
        else:
            weights = check_class_weights(weight, "weight")
            if weights.shape[0] != counts.shape[0]:
                raise ValueError(
                    f"`weight` has {weights.shape[0]} entries but `class_counts` "
                    f"has {counts.shape[0]}."
                )
            self.register_buffer("weight", to_buffer(weights))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        logits = check_logits(input)
        n_classes = logits.shape[1]
        check_n_classes(self.margins, n_classes, "class_counts")
        _check_target(logits, target, self.ignore_index, soft=False)
        valid = target != self.ignore_index
        one_hot = one_hot_dim1(target, valid, n_classes, logits.dtype)
        shifted = logits - one_hot * class_view(self.margins, logits)
        weight = None
        if self.weight is not None:
            weight = self.weight.to(device=logits.device, dtype=logits.dtype)
        return F.cross_entropy(
            self.s * shifted,
            target,
            weight=weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
        )

    def extra_repr(self) -> str:
        return f"max_m={self.max_m}, s={self.s}, reduction={self.reduction!r}"
