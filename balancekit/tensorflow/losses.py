"""Keras losses for class-imbalanced classification (TensorFlow backend).

Keras counterparts of :mod:`balancekit.torch.losses`, with the same class
names, parameters and values (to float32 round-off), in Keras' conventions:

- ``call(y_true, y_pred)``, class axis last: ``y_pred`` of shape (N, C) or
  (N, d1, ..., C); ``y_true`` holds integer labels of shape (N, d1, ...)
  (or with a trailing axis of 1) or one-hot / soft targets of ``y_pred``'s
  shape, told apart by rank as Keras' sparse and categorical losses do.
- ``from_logits=False`` takes probabilities; their log, clipped to
  ``[epsilon, 1 - epsilon]`` after normalising, stands in for the logits.
- ``ignore_class``: an integer label contributing nothing, excluded from the
  mean (torch's ``ignore_index``; default None, nothing ignored).
- ``reduction``: ``"sum_over_batch_size"`` (alias ``"mean"``) is **torch's
  "mean"**: the summed loss divided by the sum of the per-class weights of the
  targets not ignored (``alpha[y]``, class-balanced ``w[y]``, LDAM
  ``weight[y]``), i.e. by their number without weights, and by the number of
  positions for one-hot / soft targets. Keras' own ``"sum_over_batch_size"``
  would divide by the number of positions instead; the two agree without
  class weights. ``"sum"`` and ``"none"`` (or None) are as in Keras; ``"none"``
  returns shape (N, d1, ...) (the logits' shape for the sigmoid focal loss)
  with 0 at ignored positions. A ``sample_weight`` multiplies both the loss
  and the weights of the mean; an all-ignored batch gives 0, not NaN.

Class statistics are computed in float64 NumPy at construction and stored as
float32 arrays, cast to ``y_pred``'s dtype at call time. Only the TensorFlow
backend is supported.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from balancekit._loss_params import (
    check_class_counts,
    check_class_weights,
    check_multilabel_loss,
    class_balanced_weights,
    ldam_margins,
)
from balancekit._params import check_choice, check_scalar
from balancekit.tensorflow._focal import FocalLoss, _float32, _ImbalanceLoss
from balancekit.tensorflow._loss_utils import (
    check_n_classes,
    one_hot,
    softmax_loss,
    split_target,
    to_logits,
    valid_mask,
)
from balancekit.tensorflow._multilabel_losses import (
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


@keras.saving.register_keras_serializable(package="balancekit")
class ClassBalancedLoss(_ImbalanceLoss):
    """Class-balanced loss by the effective number of samples (Cui et al., 2019).

    Class weights ``w_c = (1 - beta) / (1 - beta ** n_c)``, rescaled to sum to
    ``C`` (float64 at construction), applied as:

    - ``"softmax"``: weighted cross-entropy; the mean divides by the sum of
      ``w[y]`` over the positions not ignored.
    - ``"focal"``: :class:`FocalLoss` with ``alpha=w`` and ``gamma``.
    - ``"sigmoid"``: per position ``w[y] * sum_c BCE(x_c, t_c)`` with ``t`` the
      one-hot of ``y``; the mean divides by the sum of ``w[y]``. Labels only.

    Multilabel (``multilabel=True``): ``class_counts`` are the positives per
    label, ``y_true`` holds 0/1 indicators of ``y_pred``'s shape, and per element
    ``w_j * BCE(x, t) * (1 - p_t) ** gamma`` (the focal factor only for
    ``loss="focal"``; ``"softmax"`` is refused); the mean divides by the number
    of elements not equal to ``ignore_class``.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    beta : float in [0, 1), default=0.9999
        0 gives equal weights; towards 1, inverse-frequency weights.
    loss : {"softmax", "focal", "sigmoid"}, default="softmax"
    gamma : float, default=2.0
        Focusing parameter of ``loss="focal"``.
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        How the per-sample losses are reduced, as in Keras.
    ignore_class : int or None, default=None
        Label value that contributes nothing and is excluded from the mean.
    multilabel : bool, default=False
        Take 0/1 label indicators of ``y_pred``'s shape (see above).
    name : str, default="class_balanced_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import ClassBalancedLoss
    >>> loss_fn = ClassBalancedLoss([90, 10], beta=0.9)
    >>> [round(float(w), 4) for w in loss_fn.weight]
    [0.7889, 1.2111]
    >>> y_pred = tf.constant([[2.0, 0.0], [0.0, 1.0]])
    >>> round(float(loss_fn(tf.constant([0, 1]), y_pred)), 4)
    0.2398
    """

    def __init__(
        self,
        class_counts: Any,
        beta: float = 0.9999,
        *,
        loss: str = "softmax",
        gamma: float = 2.0,
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        multilabel: bool = False,
        name: str = "class_balanced_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        counts = check_class_counts(class_counts)
        self.beta = check_scalar(beta, "beta", low=0.0, high=1.0, high_open=True)
        self.loss = check_choice(loss, "loss", ("softmax", "focal", "sigmoid"))
        self.multilabel = check_multilabel_loss(multilabel, self.loss)
        self.gamma = check_scalar(gamma, "gamma", low=0.0)
        weights = class_balanced_weights(counts, self.beta)
        self._counts64 = counts
        self.class_counts = _float32(counts)
        self.weight = _float32(weights)

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        if self.multilabel:
            return class_balanced_multilabel(
                to_logits(y_pred, self.from_logits, sigmoid=True),
                y_true,
                self.weight,
                gamma=self.gamma if self.loss == "focal" else 0.0,
                ignore_class=self.ignore_class,
            )
        logits = to_logits(y_pred, self.from_logits, sigmoid=False)
        check_n_classes(self.weight, logits, "class_counts")
        if self.loss != "sigmoid":
            return softmax_loss(
                logits,
                y_true,
                gamma=self.gamma if self.loss == "focal" else 0.0,
                alpha=self.weight,
                ignore_class=self.ignore_class,
            )
        n_classes = int(logits.shape[-1])
        labels, _ = split_target(y_true, logits, soft=False)
        valid = valid_mask(labels, n_classes, self.ignore_class)
        hot = one_hot(labels, valid, n_classes, logits.dtype)
        bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=hot, logits=logits)
        # The sigmoid form weighs a whole row by its true class's weight (Cui et
        # al.), so the row's weight is also its share of the weighted mean.
        row_weight = tf.reduce_sum(hot * tf.cast(self.weight, logits.dtype), axis=-1)
        return row_weight * tf.reduce_sum(bce, axis=-1), row_weight

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            class_counts=self._counts64.tolist(),
            beta=self.beta,
            loss=self.loss,
            gamma=self.gamma,
            multilabel=self.multilabel,
        )
        return config


@keras.saving.register_keras_serializable(package="balancekit")
class LogitAdjustedLoss(_ImbalanceLoss):
    """Logit-adjusted cross-entropy (Menon et al., 2021).

    Cross-entropy of ``logits + tau * log(prior)``, ``prior = counts / sum``,
    added along the last axis; labels or one-hot / soft targets. ``tau=0`` is
    plain cross-entropy. Predict with the raw logits.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    tau : float, default=1.0
        Scaling of the log-prior, >= 0.
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        How the per-sample losses are reduced, as in Keras.
    ignore_class : int or None, default=None
        Label value that contributes nothing and is excluded from the mean.
    name : str, default="logit_adjusted_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import LogitAdjustedLoss
    >>> loss_fn = LogitAdjustedLoss([75, 25])
    >>> y_pred = tf.constant([[0.0, 0.0]])
    >>> round(float(loss_fn(tf.constant([1]), y_pred)), 4)  # -log(0.25)
    1.3863
    """

    def __init__(
        self,
        class_counts: Any,
        tau: float = 1.0,
        *,
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "logit_adjusted_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        counts = check_class_counts(class_counts)
        self.tau = check_scalar(tau, "tau", low=0.0)
        self._counts64 = counts
        self.class_counts = _float32(counts)
        self.log_prior = _float32(np.log(counts / counts.sum()))

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        logits = to_logits(y_pred, self.from_logits, sigmoid=False)
        check_n_classes(self.log_prior, logits, "class_counts")
        # Adding tau * log prior during training only makes the plain argmax of the
        # unadjusted logits the balanced-error classifier at inference.
        adjusted = logits + self.tau * tf.cast(self.log_prior, logits.dtype)
        return softmax_loss(
            adjusted, y_true, gamma=0.0, alpha=None, ignore_class=self.ignore_class
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(class_counts=self._counts64.tolist(), tau=self.tau)
        return config


@keras.saving.register_keras_serializable(package="balancekit")
class BalancedSoftmaxLoss(_ImbalanceLoss):
    """Balanced softmax cross-entropy (Ren et al., 2020).

    Cross-entropy of ``logits + log(class_counts)`` (last axis); equals
    :class:`LogitAdjustedLoss` with ``tau=1``. Predict with the raw logits.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        How the per-sample losses are reduced, as in Keras.
    ignore_class : int or None, default=None
        Label value that contributes nothing and is excluded from the mean.
    name : str, default="balanced_softmax_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import BalancedSoftmaxLoss
    >>> loss_fn = BalancedSoftmaxLoss([75, 25])
    >>> y_pred = tf.constant([[0.0, 0.0]])
    >>> round(float(loss_fn(tf.constant([1]), y_pred)), 4)  # -log(25 / 100)
    1.3863
    """

    def __init__(
        self,
        class_counts: Any,
        *,
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "balanced_softmax_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        counts = check_class_counts(class_counts)
        self._counts64 = counts
        self.class_counts = _float32(counts)
        self.log_counts = _float32(np.log(counts))

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        logits = to_logits(y_pred, self.from_logits, sigmoid=False)
        check_n_classes(self.log_counts, logits, "class_counts")
        # softmax(z + log n) is the training-set posterior when z models the
        # balanced one: log counts, not log priors (the constant cancels).
        adjusted = logits + tf.cast(self.log_counts, logits.dtype)
        return softmax_loss(
            adjusted, y_true, gamma=0.0, alpha=None, ignore_class=self.ignore_class
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(class_counts=self._counts64.tolist())
        return config


@keras.saving.register_keras_serializable(package="balancekit")
class LDAMLoss(_ImbalanceLoss):
    """Label-distribution-aware margin loss (Cao et al., 2019).

    Margins ``m_c = n_c ** -0.25`` rescaled so ``max(m) == max_m`` (float64 at
    construction); the true-class logit is lowered by its margin, all logits
    are multiplied by ``s``, then weighted cross-entropy::

        loss_i = CE(s * (x_i - m_{y_i} * onehot(y_i)), y_i; weight)

    The mean divides by the sum of ``weight[y]``. Integer labels only.

    Parameters
    ----------
    class_counts : sequence of float, array or tensor of shape (C,)
        Number of training samples per class, all positive.
    max_m : float, default=0.5
        Largest margin (of the rarest class), >= 0.
    s : float, default=30.0
        Logit scale, > 0.
    weight : sequence of float, array or tensor of shape (C,), optional
        Class weights for the cross-entropy.
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (True) or probabilities (False).
    reduction : {"sum_over_batch_size", "mean", "sum", "none", None}
        How the per-sample losses are reduced, as in Keras.
    ignore_class : int or None, default=None
        Label value that contributes nothing and is excluded from the mean.
    name : str, default="ldam_loss"
        Name of the loss instance (Keras).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from balancekit.tensorflow.losses import LDAMLoss
    >>> loss_fn = LDAMLoss([16, 1], max_m=0.5, s=1.0)
    >>> loss_fn.margins.tolist()
    [0.25, 0.5]
    >>> y_pred = tf.constant([[0.0, 0.0]])
    >>> round(float(loss_fn(tf.constant([1]), y_pred)), 4)  # log(1 + e^0.5)
    0.9741
    """

    def __init__(
        self,
        class_counts: Any,
        max_m: float = 0.5,
        s: float = 30.0,
        *,
        weight: Any = None,
        from_logits: bool = True,
        reduction: str | None = "sum_over_batch_size",
        ignore_class: int | None = None,
        name: str = "ldam_loss",
    ) -> None:
        super().__init__(
            from_logits=from_logits,
            reduction=reduction,
            ignore_class=ignore_class,
            name=name,
        )
        counts = check_class_counts(class_counts)
        self.max_m = check_scalar(max_m, "max_m", low=0.0)
        self.s = check_scalar(s, "s", low=0.0, low_open=True)
        margins = ldam_margins(counts, self.max_m)
        self._counts64 = counts
        self.class_counts = _float32(counts)
        self.margins = _float32(margins)
        self._weight64: np.ndarray | None = None
        self.weight: np.ndarray | None = None
        if weight is not None:
            weights = check_class_weights(weight, "weight")
            if weights.shape[0] != counts.shape[0]:
                raise ValueError(
                    f"`weight` has {weights.shape[0]} entries but `class_counts` "
                    f"has {counts.shape[0]}."
                )
            self._weight64 = weights
            self.weight = _float32(weights)

    def _loss_and_weights(
        self, y_true: Any, y_pred: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        logits = to_logits(y_pred, self.from_logits, sigmoid=False)
        n_classes = int(logits.shape[-1])
        check_n_classes(self.margins, logits, "class_counts")
        labels, _ = split_target(y_true, logits, soft=False)
        valid = valid_mask(labels, n_classes, self.ignore_class)
        hot = one_hot(labels, valid, n_classes, logits.dtype)
        # The margin is subtracted from the true class's logit only (a zero row for
        # ignored positions), so rare classes must win by a larger margin.
        shifted = logits - hot * tf.cast(self.margins, logits.dtype)
        return softmax_loss(
            self.s * shifted,
            labels,
            gamma=0.0,
            alpha=self.weight,
            ignore_class=self.ignore_class,
            soft=False,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        weight = None if self._weight64 is None else self._weight64.tolist()
        config.update(
            class_counts=self._counts64.tolist(),
            max_m=self.max_m,
            s=self.s,
            weight=weight,
        )
        return config
