"""The class prior of unlabelled test data under label shift, on the input's device.

Two estimators: the EM of Saerens, Latinne & Decaestecker (2002), which needs
probabilities calibrated for the training prior, and black-box shift estimation
(BBSE, Lipton, Wang & Smola 2018), which needs a labelled validation set drawn from
the training distribution but no calibration. The scores stay on their device; only
the prior iterates and the n_classes x n_classes confusion matrix's solution come back
as O(n_classes) numbers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from balancekit._array_api import (
    bincount,
    get_namespace_and_device,
    to_host,
    widest_float_dtype,
)
from balancekit._params import check_choice, check_int, check_scalar
from balancekit._typing import Array, Namespace
from balancekit._warnings import user_stacklevel
from balancekit.decisions._prior import check_prior, check_probabilities

__all__ = ["PriorEstimate", "estimate_prior"]


@dataclass(frozen=True)
class PriorEstimate:
    """The estimated class prior of the test data, with how it was found.

    Attributes
    ----------
    prior : array of shape (n_classes,)
        The estimated prior (non-negative, summing to 1), in the namespace and on
        the device of the scores, in their widest float dtype.
    method : str
        ``"em"`` or ``"bbse"``.
    n_iter : int or None
        EM iterations run (None for BBSE).
    converged : bool
        Whether EM met ``tol`` within ``max_iter`` (always True for BBSE).
    confusion : array of shape (n_classes, n_classes) or None
        BBSE's joint confusion matrix on the validation set, ``C[i, j] =
        P(predicted i, true j)``, on the device (None for EM).
    """

    prior: Array
    method: str
    n_iter: int | None
    converged: bool
    confusion: Array | None = None


def _two_columns(proba: Array, xp: Namespace) -> Array:
    """Binary 1-D probabilities of the positive class as ``[1 - p, p]`` columns."""
    return xp.stack([1 - proba, proba], axis=1) if proba.ndim == 1 else proba


def _em(
    proba: Array, train: Array, max_iter: int, tol: float, xp: Namespace
) -> PriorEstimate:
    """Saerens et al. (2002): rescale by ``prior / train``, renormalise, average."""
    prior = train
    for n_iter in range(1, max_iter + 1):
        rescaled = proba * (prior / train)
        rescaled = rescaled / xp.sum(rescaled, axis=1, keepdims=True)
        new_prior = xp.mean(rescaled, axis=0)
        change = float(xp.max(xp.abs(new_prior - prior)))  # one number to the host
        prior = new_prior
        if change <= tol:
            return PriorEstimate(prior, "em", n_iter, True)
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(
        f"estimate_prior's EM did not converge in {max_iter} iterations (last change "
        f"{change:.3g} > tol={tol:g}); raise `max_iter` or `tol`.",
        ConvergenceWarning,
        stacklevel=user_stacklevel(),
    )
    return PriorEstimate(prior, "em", max_iter, False)


def _check_labels(y_val: Any, n_val: int, n_classes: int, xp: Namespace) -> Array:
    """Validation labels: 1-D integer class indices in ``[0, n_classes)``, every
    class present."""
    if not hasattr(y_val, "dtype"):
        y_val = xp.asarray(y_val)
    if not xp.isdtype(y_val.dtype, ("integral", "bool")) or y_val.ndim != 1:
        raise TypeError(
            "`y_val` must be a 1-D array of integer class indices (0 to n_classes - "
            f"1, the columns of the scores); got dtype {y_val.dtype} and shape "
            f"{tuple(y_val.shape)}. Encode labels first, e.g. with LabelEncoder."
        )
    if int(y_val.shape[0]) != n_val:
        raise ValueError(
            f"`y_val` has {y_val.shape[0]} labels but `proba_val` has {n_val} rows."
        )
    y_val = xp.astype(y_val, xp.int64)
    low, high = int(xp.min(y_val)), int(xp.max(y_val))
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"`y_val` must hold class indices in [0, {n_classes - 1}] (the columns "
            f"of the scores); got values in [{low}, {high}]."
        )
    return y_val


def _bbse(
    proba: Array, proba_val: Array, y_val: Array, n_classes: int, xp: Namespace
) -> PriorEstimate:
    """Lipton et al. (2018): solve ``C w = mu``; the test prior is ``w * pi_val``."""
    dtype = proba.dtype
    k = n_classes
    predicted_val = xp.astype(xp.argmax(proba_val, axis=1), xp.int64)
    n_val = int(y_val.shape[0])
    joint = bincount(predicted_val * k + y_val, k * k, None, xp)
    confusion = xp.reshape(xp.astype(joint, dtype), (k, k)) / n_val
    val_prior = xp.sum(confusion, axis=0)  # class frequencies of the validation set
    counts = to_host(bincount(y_val, k, None, xp), xp)  # O(n_classes) numbers
    missing = [c for c in range(k) if counts[c] == 0]
    if missing:
        raise ValueError(
            f"`y_val` has no sample of class(es) {missing}; BBSE needs every class "
            "in the validation set."
        )
    predicted = xp.astype(xp.argmax(proba, axis=1), xp.int64)
    mu = xp.astype(bincount(predicted, k, None, xp), dtype) / int(proba.shape[0])
    if int(xp.linalg.matrix_rank(confusion)) == k:
        weights = xp.linalg.solve(confusion, mu)
    else:  # a class never predicted (or two confused alike): least squares
        weights = xp.linalg.pinv(confusion) @ mu
    prior = xp.maximum(weights * val_prior, xp.zeros_like(val_prior))
    total = float(xp.sum(prior))
    if total <= 0:
        raise ValueError(
            "BBSE found no positive class weight: the validation predictions do not "
            "explain the test predictions. Use method='em' or a better model."
        )
    return PriorEstimate(prior / total, "bbse", None, True, confusion)


def estimate_prior(
    proba: Any,
    train_prior: Any,
    *,
    method: str = "em",
    y_val: Any = None,
    proba_val: Any = None,
    max_iter: int = 1000,
    tol: float = 1e-6,
) -> PriorEstimate:
    """Estimate the class prior of unlabelled test data under label shift.

    Label shift: ``p(x|y)`` is the same in training and test, only ``p(y)`` moved.

    - ``"em"`` (Saerens, Latinne & Decaestecker 2002): start from ``train_prior``;
      rescale the probabilities by ``prior / train_prior``, renormalise each row,
      take the new prior as their mean; stop when no entry moves more than ``tol``.
      Needs probabilities calibrated for ``train_prior``.
    - ``"bbse"`` (black-box shift estimation, Lipton, Wang & Smola 2018): with hard
      predictions (the argmax of the scores), ``C[i, j] = P(predicted i, true j)``
      on a labelled validation set from the training distribution and ``mu[i] =
      P(predicted i)`` on the test data; ``w = C^{-1} mu`` by a linear solve (the
      pseudo-inverse's least-squares solution if ``C`` is singular); the prior is
      ``w`` times the validation class frequencies, clipped at 0 and renormalised.
      Needs no calibration.

    Parameters
    ----------
    proba : array of shape (n_samples,) or (n_samples, n_classes)
        The model's probabilities on the unlabelled test data (1-D: binary, the
        positive class's), rows summing to 1. NumPy, PyTorch, CuPy, JAX or
        array-api-strict, on any device.
    train_prior : sequence or 1-D array of shape (n_classes,)
        The class prior the model's probabilities are calibrated for (after any
        resampling or class weighting): probabilities summing to 1 or class counts,
        all positive, in the columns' order. BBSE uses it only for the number of
        classes: its source prior is the validation set's class frequencies.
    method : {"em", "bbse"}, default="em"
        The estimator.
    y_val : array of shape (n_val,), optional
        BBSE only (required there): the validation labels as integer class indices
        0 to n_classes - 1, every class present.
    proba_val : array of shape (n_val,) or (n_val, n_classes), optional
        BBSE only (required there): the model's probabilities on the validation
        set, in the layout of ``proba``, in its namespace and on its device.
    max_iter : int, default=1000
        EM's iteration limit.
    tol : float, default=1e-6
        EM stops when no prior entry changes more than this in an iteration.

    Returns
    -------
    PriorEstimate
        ``prior`` (on the device of ``proba``, in its widest float dtype), and
        ``n_iter`` / ``converged`` (EM) or ``confusion`` (BBSE).

    Raises
    ------
    ValueError
        For invalid scores or priors (see ``correct_prior``), a missing or
        mismatched validation set, or an unknown ``method``.
    TypeError
        For non-numeric scores or non-integer validation labels.

    Warns
    -----
    ConvergenceWarning
        If EM does not converge within ``max_iter`` iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import estimate_prior
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.1, 0.9]])
    >>> result = estimate_prior(proba, [0.5, 0.5])
    >>> result.converged, round(float(result.prior[1]), 2)
    (True, 0.76)
    """
    method = check_choice(method, "method", ("em", "bbse"))
    max_iter = check_int(max_iter, "max_iter")
    tol = check_scalar(tol, "tol", low=0, low_open=True)
    xp, device = get_namespace_and_device(proba=proba, proba_val=proba_val, y_val=y_val)
    values = check_probabilities(proba, xp, name="proba")
    ndim = values.ndim
    n_classes = 2 if ndim == 1 else int(values.shape[1])
    train = check_prior(train_prior, "train_prior", n_classes)
    dtype = widest_float_dtype(xp, device)
    values = xp.astype(_two_columns(values, xp), dtype)
    if method == "em":
        if y_val is not None or proba_val is not None:
            raise ValueError(
                "`y_val` and `proba_val` are used by method='bbse' only; drop them "
                "or pass method='bbse'."
            )
        train_device = xp.asarray(train, dtype=dtype, device=device)
        return _em(values, train_device, max_iter, tol, xp)
    if y_val is None or proba_val is None:
        raise ValueError(
            "method='bbse' needs a labelled validation set from the training "
            "distribution: pass `y_val` (class indices) and `proba_val` (the model's "
            "probabilities on it)."
        )
    val = check_probabilities(proba_val, xp, name="proba_val")
    if val.ndim != ndim or (ndim == 2 and val.shape[1] != n_classes):
        raise ValueError(
            f"`proba_val` must have the layout of `proba` ({n_classes} classes, "
            f"{ndim}-D); got shape {tuple(val.shape)}."
        )
    val = xp.astype(_two_columns(val, xp), dtype)
    labels = _check_labels(y_val, int(val.shape[0]), n_classes, xp)
    return _bbse(values, val, labels, n_classes, xp)
