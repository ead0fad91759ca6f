"""Validation and tensor helpers shared by the Keras imbalance losses.

The validators mirror ``balancekit.torch._loss_utils`` without importing torch;
the parameter checks are :mod:`balancekit._params`'s.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from balancekit._params import check_choice, check_int

REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "none", None)


def check_reduction(reduction: Any) -> str | None:
    """``reduction``, one of Keras' loss reductions (None: the default)."""
    check_choice(reduction, "reduction", REDUCTIONS)
    return None if reduction is None else str(reduction)


def check_ignore_class(ignore_class: Any) -> int | None:
    """``ignore_class``: None or the int label whose positions are left out."""
    return check_int(ignore_class, "ignore_class", low=None, allow_none=True)


def check_n_classes(vector: np.ndarray, y_pred: tf.Tensor, name: str) -> None:
    n_classes = y_pred.shape[-1]
    if n_classes is not None and vector.shape[0] != n_classes:
        raise ValueError(
            f"`{name}` has {vector.shape[0]} entries but `y_pred` has "
            f"{n_classes} classes (last axis)."
        )


def check_y_pred(y_pred: tf.Tensor) -> tf.Tensor:
    if not y_pred.dtype.is_floating:
        raise TypeError(f"`y_pred` must be floating point; got {y_pred.dtype.name}.")
    if y_pred.shape.rank is None or y_pred.shape.rank < 2:
        raise ValueError(
            "`y_pred` must have shape (N, C) or (N, d1, ..., C); "
            f"got shape {tuple(y_pred.shape)}."
        )
    return y_pred


def to_logits(y_pred: tf.Tensor, from_logits: bool, *, sigmoid: bool) -> tf.Tensor:
    """Logits, or log-probabilities standing in for them (Keras' clipping)."""
    if from_logits:
        return y_pred
    eps = keras.config.epsilon()
    if sigmoid:
        p = tf.clip_by_value(y_pred, eps, 1.0 - eps)
        return tf.math.log(p) - tf.math.log1p(-p)
    # Renormalise first, as Keras' crossentropy does with probabilities that do not
    # quite sum to 1; log-probabilities then act as logits (log_softmax of them is
    # themselves).
    p = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)
    return tf.math.log(tf.clip_by_value(p, eps, 1.0 - eps))


def split_target(
    y_true: Any, y_pred: tf.Tensor, *, soft: bool
) -> tuple[tf.Tensor, bool]:
    """``(y_true, is_sparse)``: integer labels of shape (N, d1, ...) when the
    rank is one less than ``y_pred``'s (or equal with a last axis of 1 and
    ``C > 1``), else targets of ``y_pred``'s shape (only if ``soft``)."""
    y_true = tf.convert_to_tensor(y_true)
    rank_t, rank_p = y_true.shape.rank, y_pred.shape.rank
    if rank_t == rank_p and y_true.shape[-1] == 1 and y_pred.shape[-1] != 1:
        y_true = tf.squeeze(y_true, axis=-1)
        rank_t -= 1
    if rank_t == rank_p - 1 and y_true.shape.is_compatible_with(y_pred.shape[:-1]):
        return tf.cast(y_true, tf.int32), True
    if soft and y_true.shape.is_compatible_with(y_pred.shape):
        return tf.cast(y_true, y_pred.dtype), False
    expected = f"integer labels of shape {tuple(y_pred.shape[:-1])}"
    if soft:
        expected += f" or one-hot/soft targets of shape {tuple(y_pred.shape)}"
    raise ValueError(f"`y_true` must be {expected}; got shape {tuple(y_true.shape)}.")


def valid_mask(labels: tf.Tensor, n_classes: int, ignore_class: int | None) -> Any:
    """Mask of positions that count; checks label range when eager."""
    if ignore_class is None:
        valid = tf.ones_like(labels, dtype=tf.bool)
    else:
        valid = tf.not_equal(labels, ignore_class)
    # Eagerly a bad label can be reported by value; in a graph (no values at trace
    # time) tf.one_hot of it gives a zero row, so the position adds no loss.
    if tf.executing_eagerly():
        values = labels.numpy()[valid.numpy()]
        bad = values[(values < 0) | (values >= n_classes)]
        if bad.size:
            raise ValueError(
                f"`y_true` class labels must be in [0, {n_classes}) or equal "
                f"ignore_class={ignore_class}; got {int(bad[0])}."
            )
    return valid


def one_hot(labels: tf.Tensor, valid: tf.Tensor, n_classes: int, dtype: Any) -> Any:
    """One-hot of shape (..., C) with all-zero rows where not ``valid``."""
    # Ignored positions may hold any value (e.g. -100): map them to class 0 so the
    # one-hot is well defined, then zero their rows.
    safe = tf.where(valid, labels, tf.zeros_like(labels))
    hot = tf.one_hot(safe, n_classes, dtype=dtype)
    return hot * tf.cast(valid, dtype)[..., None]


def one_minus_p(log_p: tf.Tensor) -> tf.Tensor:
    """``1 - exp(log_p)`` accurately, kept >= tiny for finite gradients."""
    # expm1 keeps 1 - p exact when p is close to 1 (where 1 - exp(log_p) cancels);
    # the floor keeps (1 - p) ** gamma differentiable at p = 1.
    tiny = np.finfo(log_p.dtype.as_numpy_dtype).tiny
    return tf.maximum(-tf.math.expm1(log_p), tiny)


def softmax_loss(
    logits: tf.Tensor,
    y_true: Any,
    *,
    gamma: float,
    alpha: tf.Tensor | None,
    ignore_class: int | None,
    label_smoothing: float = 0.0,
    soft: bool = True,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Per-position softmax focal loss and the weights of torch's mean.

    ``gamma=0`` is weighted cross-entropy. The second output holds, per
    position, ``alpha[y]`` (or 1) where not ignored for labels, 1 for soft
    targets: torch's ``"mean"`` divides the summed loss by its sum.
    """
    n_classes = int(logits.shape[-1])
    labels, sparse = split_target(y_true, logits, soft=soft)
    dtype = logits.dtype
    if sparse:
        valid = valid_mask(labels, n_classes, ignore_class)
        dist = one_hot(labels, valid, n_classes, dtype)
    else:
        dist = labels
    if label_smoothing > 0:
        dist = dist * (1.0 - label_smoothing) + label_smoothing / n_classes
        if sparse:
            dist = dist * tf.cast(valid, dtype)[..., None]
    log_p = tf.nn.log_softmax(logits, axis=-1)
    terms = -dist * log_p
    if gamma != 0:
        terms = terms * tf.pow(one_minus_p(log_p), gamma)
    if alpha is not None:
        terms = terms * tf.cast(alpha, dtype)
    loss = tf.reduce_sum(terms, axis=-1)
    if not sparse:
        return loss, tf.ones_like(loss)
    # torch's weighted "mean" divides by the sum of alpha[y] over counted positions,
    # not by their number: those are the weights returned beside the loss.
    weights = tf.cast(valid, dtype)
    if alpha is not None:
        safe = tf.where(valid, labels, tf.zeros_like(labels))
        weights = weights * tf.gather(tf.cast(alpha, dtype), safe)
    return loss, weights


def reduce(
    loss: tf.Tensor,
    weights: tf.Tensor,
    reduction: str | None,
    sample_weight: Any = None,
    mask: Any = None,
) -> tf.Tensor:
    """Apply ``sample_weight``/mask to the loss and its mean weights, reduce."""
    for factor in (sample_weight, mask):
        if factor is None:
            continue
        factor = tf.cast(tf.convert_to_tensor(factor), loss.dtype)
        # Keras passes (N, 1) sample weights for (N,) losses, and (N,) ones for
        # (N, T) losses: align by leading axes (trailing broadcast would misalign).
        if factor.shape.rank == loss.shape.rank + 1 and factor.shape[-1] == 1:
            factor = tf.squeeze(factor, axis=-1)
        while factor.shape.rank is not None and factor.shape.rank < loss.shape.rank:
            factor = factor[..., None]
        loss = loss * factor
        weights = weights * factor
    if reduction in (None, "none"):
        return loss
    total = tf.reduce_sum(loss)
    if reduction == "sum":
        return total
    # An all-ignored batch has weight 0: its mean loss is 0, not NaN.
    return tf.math.divide_no_nan(total, tf.reduce_sum(weights))
