"""Multilabel Keras losses: class-balanced focal BCE, asymmetric loss (Ridnik
et al., 2021) and distribution-balanced loss (Wu et al., 2020).

Counterparts of :mod:`balancekit.torch._multilabel_losses` (same formulas and
operations, equal to float32 round-off). ``y_true`` and ``y_pred`` share one
shape ``(..., L)``; ``y_true`` holds 0/1 (or [0, 1]) label indicators, elements
equal to ``ignore_class`` contribute nothing. ``"sum_over_batch_size"`` (alias
``"mean"``) divides by the number of elements not ignored.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from balancekit._loss_params import (
    check_asymmetric_params,
    check_class_counts,
    check_distribution_balanced_params,
    negative_tolerant_bias,
)
from balancekit.tensorflow._focal import _float32, _ImbalanceLoss
from balancekit.tensorflow._loss_utils import check_n_classes, to_logits

__all__ = ["AsymmetricLoss", "DistributionBalancedLoss", "class_balanced_multilabel"]


def multilabel_target(
    y_true: Any, logits: tf.Tensor, ignore_class: int | None
) -> tuple[tf.Tensor, tf.Tensor]:
    """``(t, mask)``: ``y_true`` in the logits' dtype (0 where ignored) and the
    mask of the elements that count; values are checked when eager."""
    y_true = tf.convert_to_tensor(y_true)
    if not y_true.shape.is_compatible_with(logits.shape):
        raise ValueError(
            "`y_true` must be 0/1 label indicators of `y_pred`'s shape "
            f"{tuple(logits.shape)} (labels on the last axis); got "
            f"{tuple(y_true.shape)}."
        )
    y_true = tf.cast(y_true, logits.dtype)
    if ignore_class is None:
        valid = tf.ones_like(y_true, dtype=tf.bool)
    else:
        valid = tf.not_equal(y_true, float(ignore_class))
    t = tf.where(valid, y_true, tf.zeros_like(y_true))
    # In a graph there are no values to report at trace time (as FocalLoss).
    if tf.executing_eagerly() and bool(tf.reduce_any((t < 0) | (t > 1))):
        raise ValueError(
            "`y_true` must hold values in [0, 1] (0/1 label indicators) or "
            f"ignore_class={ignore_class}."
        )
    return t, tf.cast(valid, logits.dtype)


def _pow(base: tf.Tensor, gamma: float) -> tf.Tensor:
    """``base ** gamma`` floored at tiny so gradients stay finite at 0."""
    tiny = np.finfo(base.dtype.as_numpy_dtype).tiny
    return tf.pow(tf.maximum(base, tiny), gamma)


def class_balanced_multilabel(
    logits: tf.Tensor,
    y_true: Any,
    weight: np.ndarray,
    *,
    gamma: float,
    ignore_class: int | None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Per element ``w_j * BCE(x, t) * (1 - p_t) ** gamma`` (label j last) and
    the mask the mean divides by."""
    check_n_classes(weight, logits, "class_counts")
    t, mask = multilabel_target(y_true, logits, ignore_class)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=logits)
    if gamma != 0:
        one_minus_pt = t * tf.sigmoid(-logits) + (1 - t) * tf.sigmoid(logits)
        loss = loss * _pow(one_minus_pt, gamma)
    return loss * tf.cast(weight, logits.dtype) * mask, mask


@keras.saving.register_keras_serializable(package="balancekit")
class AsymmetricLoss(_ImbalanceLoss):
    """Asymmetric loss for multilabel classification (Ridnik et al., 2021).

    Per element, with ``p = sigmoid(x)`` and ``p_m = max(p - clip, 0)``::

        loss = -[y * L+ + (1 - y) * L-]
        L+ = (1 - p) ** gamma_pos * log(max(p, eps))
        L- = p_m ** gamma_neg * log(max(1 - p_m, eps))

    as :class:`balancekit.torch.losses.AsymmetricLoss`. The authors' code
    returns the sum: ``reduction="sum"`` reproduces it.

    Parameters
    ----------
    gamma_pos : float, default=0.0
        Focusing parameter of the positives, >= 0.
    gamma_neg : float, default=4.0
        Focusing parameter of the negatives, >= 0.
    clip : float in [0, 1), default=0.05
        Probability margin ``m`` shifting the negatives.
    eps : float in (0, 1), default=1e-8
        Smallest probability entering a log.
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        ``"sum_over_batch_size"`` divides by the number of elements not ignored;
        ``"none"`` returns ``y_pred``'s shape.
    ignore_class : int or None, default=None
        Target value of the elements that contribute nothing.
    name : str, default="asymmetric_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import AsymmetricLoss
    >>> y_pred = tf.constant([[2.0, -1.0, 0.5]])
    >>> y_true = tf.constant([[1.0, 0.0, 0.0]])
    >>> loss = AsymmetricLoss(reduction="none")(y_true, y_pred)
    >>> [round(float(v), 4) for v in loss[0]]
    [0.1269, 0.0006, 0.0913]
    """

    def __init__(
        self,
        gamma_pos: float = 0.0,
        gamma_neg: float = 4.0,
        clip: float = 0.05,
        eps: float = 1e-8,
        *,
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "asymmetric_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        self.gamma_pos, self.gamma_neg, self.clip, self.eps = check_asymmetric_params(
            gamma_pos, gamma_neg, clip, eps
        )

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        logits = to_logits(y_pred, self.from_logits, sigmoid=True)
        t, mask = multilabel_target(y_true, logits, self.ignore_class)
        p = tf.sigmoid(logits)
        q = tf.sigmoid(-logits)  # 1 - p, exact where p is close to 1
        p_m = tf.maximum(p - self.clip, 0.0)
        q_m = tf.minimum(q + self.clip, 1.0)  # 1 - p_m
        positive = tf.math.log(tf.maximum(p, self.eps))
        if self.gamma_pos != 0:
            positive = positive * _pow(q, self.gamma_pos)
        negative = tf.math.log(tf.maximum(q_m, self.eps))
        if self.gamma_neg != 0:
            negative = negative * _pow(p_m, self.gamma_neg)
        return -(t * positive + (1 - t) * negative) * mask, mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            gamma_pos=self.gamma_pos,
            gamma_neg=self.gamma_neg,
            clip=self.clip,
            eps=self.eps,
        )
        return config


@keras.saving.register_keras_serializable(package="balancekit")
class DistributionBalancedLoss(_ImbalanceLoss):
    """Distribution-balanced loss for long-tailed multilabel data (Wu et al., 2020).

    Wu et al., "Distribution-Balanced Loss for Multi-Label Classification in
    Long-Tailed Datasets", ECCV 2020; the formula, defaults and their sources
    are those of :class:`balancekit.torch.losses.DistributionBalancedLoss`::

        r_i = (1 / n_i) / sum_{k: y_k=1} 1 / n_k      (alpha + 1 if no positive)
        r_hat_i = alpha + sigmoid(beta * (r_i - mu))
        z_i = x_i - kappa * log(N / n_i - 1)
        loss_i = r_hat_i * (1 - p_t) ** gamma
                 * [y_i * log(1 + e^-z_i) + (1 - y_i) / lam * log(1 + e^(lam * z_i))]

    with ``p_t = sigmoid(z)`` for positives, ``sigmoid(-lam * z)`` for negatives.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (L,)
        Number of training samples having each label, all positive.
    n_samples : float
        Number of training samples ``N``, greater than every count.
    alpha, beta, mu : float, default=0.1, 10.0, 0.2
        Smoothing ``r_hat = alpha + sigmoid(beta * (r - mu))``.
    neg_scale : float, default=5.0
        ``lam`` > 0: scale of the negatives' logits.
    kappa : float, default=0.05
        Scale of the class bias, >= 0.
    gamma : float, default=2.0
        Focusing parameter, >= 0 (0: the paper's DB loss without focal term).
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        ``"sum_over_batch_size"`` divides by the number of elements not ignored.
    ignore_class : int or None, default=None
        Target value of the elements that contribute nothing.
    name : str, default="distribution_balanced_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import DistributionBalancedLoss
    >>> loss_fn = DistributionBalancedLoss([10, 50], n_samples=100)
    >>> y_pred = tf.constant([[1.0, -1.0]])
    >>> round(float(loss_fn(tf.constant([[1.0, 0.0]]), y_pred)), 4)
    0.016
    """

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
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "distribution_balanced_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
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
        self._counts64 = counts
        self.class_counts = _float32(counts)
        self.inv_counts = _float32(1.0 / counts)
        self.bias = _float32(bias)

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        logits = to_logits(y_pred, self.from_logits, sigmoid=True)
        check_n_classes(self.class_counts, logits, "class_counts")
        t, mask = multilabel_target(y_true, logits, self.ignore_class)
        dtype = logits.dtype
        inv = tf.cast(self.inv_counts, dtype)
        # r_i: the label's share of the sample's expected re-sampling frequency.
        repeat = tf.reduce_sum(t * inv, axis=-1, keepdims=True)
        has_positive = repeat > 0
        r = inv / tf.where(has_positive, repeat, tf.ones_like(repeat))
        smooth = tf.sigmoid(self.beta * (r - self.mu))
        r_hat = self.alpha + tf.where(has_positive, smooth, tf.ones_like(r))
        z = logits - tf.cast(self.bias, dtype)
        lam = self.neg_scale
        positive = tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.ones_like(z), logits=z
        )
        negative = (
            tf.nn.sigmoid_cross_entropy_with_logits(
                labels=tf.zeros_like(z), logits=lam * z
            )
            / lam
        )
        loss = t * positive + (1 - t) * negative
        if self.gamma != 0:
            one_minus_pt = t * tf.sigmoid(-z) + (1 - t) * tf.sigmoid(lam * z)
            loss = loss * _pow(one_minus_pt, self.gamma)
        return r_hat * loss * mask, mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            class_counts=self._counts64.tolist(),
            n_samples=self.n_samples,
            alpha=self.alpha,
            beta=self.beta,
            mu=self.mu,
            neg_scale=self.neg_scale,
            kappa=self.kappa,
            gamma=self.gamma,
        )
        return config
