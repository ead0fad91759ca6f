"""Prior-shift correction of class probabilities and logits, on the input's device.

A model trained under one class prior (after resampling or class weighting) and used
on data with another holds probabilities for the wrong prior. Bayes' rule fixes them
(Elkan 2001; Saerens, Latinne & Decaestecker 2002): ``p'(c|x)`` is proportional to
``p(c|x) * target_prior[c] / train_prior[c]``. On logits the same correction is
post-hoc logit adjustment (Menon et al. 2021). Only the priors (O(n_classes) numbers)
are handled on the host; the probabilities never leave their device.
"""

from __future__ import annotations

from typing import Any

import array_api_compat
import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    host_float64,
    widest_float_dtype,
)
from balancekit._params import check_bool, check_scalar
from balancekit._typing import Array, Namespace

__all__ = ["check_prior", "check_probabilities", "correct_prior"]

# How far a prior given as probabilities may sum from 1 (float32 priors pass).
_PRIOR_SUM_TOL = 1e-6


def check_prior(prior: Any, name: str, n_classes: int) -> np.ndarray:
    """A class prior as float64 NumPy values summing to 1, checked and normalised.

    ``prior`` holds either probabilities (summing to 1 within 1e-6; renormalised
    exactly) or class counts (whole numbers, divided by their total). Every entry
    must be positive; there must be one per class. A prior is O(n_classes) values,
    so an array on any device is read to the host.

    Examples
    --------
    >>> check_prior([900, 100], "train_prior", 2).tolist()
    [0.9, 0.1]
    >>> check_prior([0.5, 0.6], "train_prior", 2)
    Traceback (most recent call last):
    ...
    ValueError: `train_prior` must be probabilities summing to 1 or class counts ...
    """
    try:
        values = host_float64(prior)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be a sequence or 1-D array of numbers, one per class; "
            f"got {type(prior).__name__}."
        ) from None
    if values.ndim != 1:
        raise ValueError(
            f"`{name}` must be 1-D (one value per class); got shape {values.shape}."
        )
    if values.shape[0] != n_classes:
        raise ValueError(
            f"`{name}` has {values.shape[0]} entries but the scores have {n_classes} "
            "classes; pass one prior per class, in the order of the columns "
            "(binary 1-D scores: [negative, positive])."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"`{name}` contains NaN or infinity; got {values.tolist()}.")
    if np.any(values <= 0):
        raise ValueError(
            f"`{name}` must be positive for every class; got {values.tolist()}. A "
            "class with prior 0 cannot be corrected: drop its column first."
        )
    total = float(values.sum())
    is_counts = bool(np.all(values == np.round(values)))
    if abs(total - 1.0) > _PRIOR_SUM_TOL and not is_counts:
        raise ValueError(
            f"`{name}` must be probabilities summing to 1 or class counts (whole "
            f"numbers); got {values.tolist()}, which sum to {total:.6g}. Divide by "
            "the total to pass proportions."
        )
    return values / total


def check_probabilities(
    proba: Any, xp: Namespace, *, name: str = "proba", logits: bool = False
) -> Array:
    """Real, finite 1-D or 2-D scores as a float array of ``xp``, checked on device.

    Integer and boolean input becomes the widest float of the device; floats keep
    their dtype. Unless ``logits``, values must lie in [0, 1] and 2-D rows must sum
    to 1 within the square root of the dtype's epsilon (1.5e-8 for float64). Only
    O(1) flags leave the device.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> check_probabilities([[0.2, 0.8]], xp).dtype
    dtype('float64')
    >>> check_probabilities([[0.2, 0.7]], xp)
    Traceback (most recent call last):
    ...
    ValueError: Every row of `proba` must sum to 1 (probabilities of all classes) ...
    """
    if not hasattr(proba, "dtype"):
        proba = xp.asarray(proba)
    if not xp.isdtype(proba.dtype, ("bool", "integral", "real floating")):
        raise TypeError(
            f"`{name}` must hold real numbers (probabilities or logits); got "
            f"{proba.dtype}."
        )
    if proba.ndim not in (1, 2):
        raise ValueError(
            f"`{name}` must have shape (n_samples,) (binary: the positive class) or "
            f"(n_samples, n_classes); got shape {tuple(proba.shape)}."
        )
    if proba.shape[0] == 0:
        raise ValueError(f"`{name}` is empty; at least one sample is needed.")
    if proba.ndim == 2 and proba.shape[1] < 2:
        raise ValueError(
            f"`{name}` must have at least 2 columns (one per class); got "
            f"{proba.shape[1]}. For binary scores of the positive class pass a 1-D "
            "array."
        )
    if not xp.isdtype(proba.dtype, "real floating"):
        proba = xp.astype(proba, widest_float_dtype(xp, array_api_compat.device(proba)))
    if not bool(xp.all(xp.isfinite(proba))):
        raise ValueError(
            f"`{name}` contains NaN or infinity; every value must be a finite "
            "number. Drop or impute those samples first."
        )
    if logits:
        return proba
    if not bool(xp.all((proba >= 0) & (proba <= 1))):
        raise ValueError(
            f"`{name}` must hold probabilities in [0, 1]; for logits (decision "
            "values) pass `logits=True`."
        )
    if proba.ndim == 2:
        tol = float(np.sqrt(xp.finfo(proba.dtype).eps))
        if not bool(xp.all(xp.abs(xp.sum(proba, axis=1) - 1) <= tol)):
            raise ValueError(
                f"Every row of `{name}` must sum to 1 (probabilities of all "
                f"classes) within {tol:.2g}. Pass `predict_proba` output, or "
                "`logits=True` for decision values."
            )
    return proba


def _log(proba: Array, xp: Namespace) -> Array:
    """``log(proba)`` with ``log(0) = -inf`` and no division-by-zero warning."""
    positive = proba > 0
    safe = xp.where(positive, proba, xp.ones_like(proba))
    return xp.where(positive, xp.log(safe), xp.full_like(proba, -xp.inf))


def _softmax(z: Array, xp: Namespace) -> Array:
    """Row-wise softmax, shifted by the row maximum (finite: each row has a
    positive probability)."""
    e = xp.exp(z - xp.max(z, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def correct_prior(
    proba: Any,
    train_prior: Any,
    target_prior: Any,
    *,
    logits: bool = False,
    tau: float = 1.0,
) -> Array:
    """Correct class probabilities (or logits) for a change of the class prior.

    Bayes' rule under label shift (Elkan 2001; Saerens et al. 2002):
    ``p'(c|x) = p(c|x) w_c / sum_k p(k|x) w_k`` with ``w = target_prior /
    train_prior``. With ``logits=True`` it is post-hoc logit adjustment (Menon et
    al. 2021): ``z' = z + tau * (log(target_prior) - log(train_prior))``, whose
    softmax (binary 1-D: sigmoid) is the corrected probability. ``tau`` scales the
    correction in both forms (probabilities: ``w ** tau``); ``tau=1`` is Bayes'.

    Parameters
    ----------
    proba : array of shape (n_samples,) or (n_samples, n_classes)
        Probabilities (rows summing to 1), or logits with ``logits=True``. 1-D
        input is binary: the positive class's probability (or its log-odds).
        NumPy, PyTorch, CuPy, JAX or array-api-strict, on any device.
    train_prior : sequence or 1-D array of shape (n_classes,)
        The class prior the model was trained under (after any resampling or class
        weighting), in the order of the columns (binary 1-D: [negative, positive]).
        Probabilities summing to 1 (within 1e-6), or class counts (whole numbers),
        which are normalised. Every entry must be positive.
    target_prior : sequence or 1-D array of shape (n_classes,)
        The class prior of the data the model will be used on; same format.
    logits : bool, default=False
        Whether ``proba`` holds logits (decision values) instead of probabilities.
    tau : float, default=1.0
        Strength of the correction, >= 0: 0 leaves the input unchanged, 1 is the
        Bayes correction.

    Returns
    -------
    array of the shape, dtype, namespace and device of ``proba``
        The corrected probabilities (rows sum to 1; a probability of exactly 0
        stays 0), or the adjusted logits. ``proba`` itself is not modified.

    Raises
    ------
    ValueError
        For priors of the wrong length, with non-positive entries, or neither
        summing to 1 nor counts; for NaN or infinite scores; for probabilities
        outside [0, 1] or rows not summing to 1.
    TypeError
        For non-numeric input or parameters of the wrong type.

    Notes
    -----
    The work is done in log space: ``log p + tau * log(w)``, then a softmax shifted
    by the row maximum, so extreme priors neither overflow nor underflow.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import correct_prior
    >>> proba = np.array([[0.5, 0.5], [0.8, 0.2]])
    >>> correct_prior(proba, [0.5, 0.5], [0.9, 0.1]).round(4).tolist()
    [[0.9, 0.1], [0.973, 0.027]]
    >>> correct_prior(np.array([0.5, 0.2]), [0.5, 0.5], [0.9, 0.1]).round(4).tolist()
    [0.1, 0.027]
    """
    logits = check_bool(logits, "logits")
    tau = check_scalar(tau, "tau", low=0)
    xp, device = get_namespace_and_device(proba=proba)
    values = check_probabilities(proba, xp, name="proba", logits=logits)
    binary_1d = values.ndim == 1
    n_classes = 2 if binary_1d else int(values.shape[1])
    train = check_prior(train_prior, "train_prior", n_classes)
    target = check_prior(target_prior, "target_prior", n_classes)
    shift = tau * (np.log(target) - np.log(train))  # host float64, O(n_classes)
    if logits:
        if binary_1d:  # log-odds of the positive class
            return values + float(shift[1] - shift[0])
        return values + xp.asarray(shift, dtype=values.dtype, device=device)
    columns = xp.stack([1 - values, values], axis=1) if binary_1d else values
    z = _log(columns, xp) + xp.asarray(shift, dtype=values.dtype, device=device)
    corrected = _softmax(z, xp)
    return corrected[:, 1] if binary_1d else corrected
