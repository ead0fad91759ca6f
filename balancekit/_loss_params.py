"""Parameter checks shared by the PyTorch and Keras losses (NumPy only).

Both adapters validate their constructor arguments here and compute their class
statistics in float64 on the host, so the two frameworks agree to the last digit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import host_float64
from balancekit._params import check_bool, check_scalar

__all__ = [
    "as_float64_vector",
    "check_asymmetric_params",
    "check_class_counts",
    "check_class_weights",
    "check_distribution_balanced_params",
    "check_multilabel_loss",
    "class_balanced_weights",
    "ldam_margins",
    "negative_tolerant_bias",
]


def as_float64_vector(values: Any, name: str) -> np.ndarray:
    """``values`` (list, NumPy array or tensor) as a 1-D float64 NumPy array.

    Examples
    --------
    >>> as_float64_vector([3, 1], "class_counts").tolist()
    [3.0, 1.0]
    """
    try:
        # Tensors of any framework and device come to the host through _array_api.
        array = host_float64(values)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`{name}` must be a list, NumPy array or tensor of numbers; "
            f"got {type(values).__name__}."
        ) from exc
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(
            f"`{name}` must be a non-empty 1-D sequence; got shape {array.shape}."
        )
    return array


def check_class_counts(class_counts: Any) -> np.ndarray:
    """``class_counts`` as float64, each finite and positive."""
    counts = as_float64_vector(class_counts, "class_counts")
    if not np.all(np.isfinite(counts)) or np.any(counts <= 0):
        raise ValueError(
            f"`class_counts` must hold finite positive counts; got {counts.tolist()}."
        )
    return counts


def check_class_weights(weights: Any, name: str) -> np.ndarray:
    """``weights`` as float64, each finite and non-negative."""
    array = as_float64_vector(weights, name)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(
            f"`{name}` must hold finite non-negative weights; got {array.tolist()}."
        )
    return array


def class_balanced_weights(counts: np.ndarray, beta: float) -> np.ndarray:
    """Cui et al.'s ``(1 - beta) / (1 - beta ** n)``, normalised to sum to C."""
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights * (counts.shape[0] / weights.sum())


def ldam_margins(counts: np.ndarray, max_m: float) -> np.ndarray:
    """Cao et al.'s margins ``n ** (-1/4)``, scaled so the largest is ``max_m``."""
    margins = counts**-0.25
    return margins * (max_m / margins.max())


def check_asymmetric_params(
    gamma_pos: Any, gamma_neg: Any, clip: Any, eps: Any
) -> tuple[float, float, float, float]:
    """Validated ``(gamma_pos, gamma_neg, clip, eps)`` of the asymmetric loss.

    Examples
    --------
    >>> check_asymmetric_params(0, 4, 0.05, 1e-8)
    (0.0, 4.0, 0.05, 1e-08)
    """
    return (
        check_scalar(gamma_pos, "gamma_pos", low=0.0),
        check_scalar(gamma_neg, "gamma_neg", low=0.0),
        check_scalar(clip, "clip", low=0.0, high=1.0, high_open=True),
        check_scalar(eps, "eps", low=0.0, high=1.0, low_open=True, high_open=True),
    )


def check_distribution_balanced_params(
    alpha: Any, beta: Any, mu: Any, neg_scale: Any, kappa: Any, gamma: Any
) -> tuple[float, float, float, float, float, float]:
    """Validated ``(alpha, beta, mu, neg_scale, kappa, gamma)`` of the
    distribution-balanced loss.

    Examples
    --------
    >>> check_distribution_balanced_params(0.1, 10, 0.2, 5, 0.05, 2)
    (0.1, 10.0, 0.2, 5.0, 0.05, 2.0)
    """
    return (
        check_scalar(alpha, "alpha", low=0.0),
        check_scalar(beta, "beta", low=0.0),
        check_scalar(mu, "mu"),
        check_scalar(neg_scale, "neg_scale", low=0.0, low_open=True),
        check_scalar(kappa, "kappa", low=0.0),
        check_scalar(gamma, "gamma", low=0.0),
    )


def negative_tolerant_bias(
    counts: np.ndarray, n_samples: Any, kappa: float
) -> tuple[float, np.ndarray]:
    """``(N, nu)``: Wu et al.'s class bias ``nu_i = kappa * log(N / n_i - 1)``.

    ``n_samples`` (N) must exceed every count: a label on every sample has no
    negatives and ``log(0)`` is undefined.

    Examples
    --------
    >>> n, nu = negative_tolerant_bias(np.array([10.0, 50.0]), 100, 1.0)
    >>> n, [round(v, 4) for v in nu.tolist()]
    (100.0, [2.1972, 0.0])
    """
    n = check_scalar(n_samples, "n_samples", low=0.0, low_open=True)
    if not np.all(counts < n):
        raise ValueError(
            "`n_samples` must exceed every entry of `class_counts` (a label "
            "present in every sample has no negatives, so its bias "
            f"log(n_samples / n_i - 1) is undefined); got n_samples={n} and "
            f"max(class_counts)={counts.max()}."
        )
    return n, kappa * np.log(n / counts - 1.0)


def check_multilabel_loss(multilabel: Any, loss: str) -> bool:
    """``multilabel`` of ``ClassBalancedLoss``; only sigmoid losses have one.

    Examples
    --------
    >>> check_multilabel_loss(True, "focal")
    True
    """
    multilabel = check_bool(multilabel, "multilabel")
    if multilabel and loss == "softmax":
        raise ValueError(
            "`multilabel=True` needs loss='sigmoid' or loss='focal' (per-label "
            "BCE); loss='softmax' makes the labels compete for one class."
        )
    return multilabel
