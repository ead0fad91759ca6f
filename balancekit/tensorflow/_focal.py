"""Focal loss (Lin et al., 2017) for Keras, softmax and sigmoid forms, and the
base class of the Keras imbalance losses (torch's weighted mean)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from balancekit._loss_params import check_class_weights
from balancekit._params import check_bool, check_choice, check_scalar
from balancekit.tensorflow._loss_utils import (
    check_ignore_class,
    check_n_classes,
    check_reduction,
    check_y_pred,
    reduce,
    softmax_loss,
    to_logits,
)


def _float32(array: np.ndarray) -> np.ndarray:
    return np.asarray(array, dtype=np.float32)


class _ImbalanceLoss(keras.losses.Loss):
    """Base: validation of the shared parameters and torch's weighted mean."""

    def __init__(
        self,
        *,
        from_logits: bool,
        reduction: str | None,
        ignore_class: int | None,
        name: str,
    ) -> None:
        super().__init__(name=name, reduction=check_reduction(reduction))
        self.from_logits = check_bool(from_logits, "from_logits")
        self.ignore_class = check_ignore_class(ignore_class)

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        raise NotImplementedError

    def _prepare(self, y_pred: Any) -> tf.Tensor:
        y_pred = check_y_pred(tf.convert_to_tensor(y_pred))
        return tf.cast(y_pred, self.dtype)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        mask = getattr(y_pred, "_keras_mask", None)
        with tf.name_scope(self.name):
            loss, weights = self._loss_and_weights(y_true, self._prepare(y_pred))
            return reduce(loss, weights, self.reduction, sample_weight, mask)

    def call(self, y_true: Any, y_pred: Any) -> tf.Tensor:
        """Per-position losses, shape (N, d1, ...), 0 where ignored."""
        return self._loss_and_weights(y_true, self._prepare(y_pred))[0]

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(from_logits=self.from_logits, ignore_class=self.ignore_class)
        return config


@keras.saving.register_keras_serializable(package="balancekit")
class FocalLoss(_ImbalanceLoss):
    """Focal loss: cross-entropy down-weighting well-classified examples.

    Softmax form (``activation="softmax"``), per position::

        loss_i = sum_c -alpha_c * t_ic * (1 - p_ic) ** gamma * log p_ic

    with ``t_i`` the one-hot of the label (or the given one-hot / soft target),
    smoothed as ``t * (1 - label_smoothing) + label_smoothing / C``. With
    ``gamma=0`` it is weighted categorical cross-entropy.

    Sigmoid form (``activation="sigmoid"``, targets of ``y_pred``'s shape in
    [0, 1]), per element, as torchvision's ``sigmoid_focal_loss``::

        loss = alpha_t * BCE(x, t) * (1 - p_t) ** gamma
        p_t = p * t + (1 - p) * (1 - t),  alpha_t = alpha * t + (1 - alpha) * (1 - t)

    smoothed as ``t * (1 - label_smoothing) + label_smoothing / 2``; elements
    equal to ``ignore_class`` are left out.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter, >= 0.
    alpha : sequence of float, array, float or None, default=None
        Softmax: per-class weights (C,), non-negative. Sigmoid: a float in
        [0, 1] weighing positives. None: no weighting.
    activation : {"softmax", "sigmoid"}, default="softmax"
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    label_smoothing : float in [0, 1], default=0.0
        Share of each target spread uniformly over the classes.
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        ``"sum_over_batch_size"`` is torch's mean (see the module docstring).
    ignore_class : int or None, default=None
        Label value that contributes nothing and is excluded from the mean.
    name : str, default="focal_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import FocalLoss
    >>> y_pred = tf.constant([[2.0, 0.0], [0.0, 1.0]])
    >>> y_true = tf.constant([0, 1])
    >>> round(float(FocalLoss(gamma=0.0)(y_true, y_pred)), 4)
    0.2201
    >>> round(float(FocalLoss(gamma=2.0)(y_true, y_pred)), 4)
    0.0122
    """

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: Any = None,
        *,
        activation: str = "softmax",
        from_logits: bool = True,
        label_smoothing: float = 0.0,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "focal_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        self.activation = check_choice(activation, "activation", ("softmax", "sigmoid"))
        self.gamma = check_scalar(gamma, "gamma", low=0.0)
        self.label_smoothing = check_scalar(
            label_smoothing, "label_smoothing", low=0.0, high=1.0
        )
        self.alpha_value: float | None = None
        self._alpha64: np.ndarray | None = None
        self.alpha: np.ndarray | None = None
        if activation == "sigmoid":
            if alpha is not None:
                self.alpha_value = check_scalar(alpha, "alpha", low=0.0, high=1.0)
        elif isinstance(alpha, (int, float)):
            raise TypeError(
                "`alpha` for activation='softmax' must be per-class weights "
                f"(list, array or tensor); got {type(alpha).__name__}."
            )
        elif alpha is not None:
            self._alpha64 = check_class_weights(alpha, "alpha")
            self.alpha = _float32(self._alpha64)

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        sigmoid = self.activation == "sigmoid"
        logits = to_logits(y_pred, self.from_logits, sigmoid=sigmoid)
        if sigmoid:
            return self._sigmoid(y_true, logits)
        if self.alpha is not None:
            check_n_classes(self.alpha, logits, "alpha")
        return softmax_loss(
            logits,
            y_true,
            gamma=self.gamma,
            alpha=self.alpha,
            ignore_class=self.ignore_class,
            label_smoothing=self.label_smoothing,
        )

    def _sigmoid(self, y_true: Any, logits: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        y_true = tf.convert_to_tensor(y_true)
        if not y_true.shape.is_compatible_with(logits.shape):
            raise ValueError(
                "`y_true` for activation='sigmoid' must have `y_pred`'s shape "
                f"{tuple(logits.shape)}; got {tuple(y_true.shape)}."
            )
        y_true = tf.cast(y_true, logits.dtype)
        if self.ignore_class is None:
            valid = tf.ones_like(y_true, dtype=tf.bool)
        else:
            valid = tf.not_equal(y_true, float(self.ignore_class))
        t = tf.where(valid, y_true, tf.zeros_like(y_true))
        if tf.executing_eagerly() and bool(tf.reduce_any((t < 0) | (t > 1))):
            raise ValueError(
                "`y_true` for activation='sigmoid' must be in [0, 1] (or equal "
                f"ignore_class={self.ignore_class})."
            )
        if self.label_smoothing > 0:
            t = t * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        mask = tf.cast(valid, logits.dtype)
        loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=logits)
        if self.gamma != 0:
            p = tf.exp(tf.math.log_sigmoid(logits))
            q = tf.exp(tf.math.log_sigmoid(-logits))
            one_minus_pt = t * q + (1 - t) * p
            tiny = np.finfo(logits.dtype.as_numpy_dtype).tiny
            loss = loss * tf.pow(tf.maximum(one_minus_pt, tiny), self.gamma)
        if self.alpha_value is not None:
            a = self.alpha_value
            loss = loss * (a * t + (1 - a) * (1 - t))
        return loss * mask, mask

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        alpha: Any = self.alpha_value
        if self._alpha64 is not None:
            alpha = self._alpha64.tolist()
        config.update(
            gamma=self.gamma,
            alpha=alpha,
            activation=self.activation,
            label_smoothing=self.label_smoothing,
        )
        return config
