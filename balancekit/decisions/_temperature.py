"""Temperature scaling (Guo et al. 2017), fitted and applied on the logits' device.

One scalar ``T > 0`` divides the logits; it is chosen to minimise the negative
log-likelihood (NLL) of ``softmax(logits / T)`` (or of ``sigmoid(logits / T)`` for
1-D binary logits) on a validation split. As a function of ``beta = 1 / T`` that NLL
is convex (a log-sum-exp of linear functions minus a linear one), so its derivative
increases with ``beta``: a bisection on the sign of the derivative, on ``log beta``
within ``bounds``, brackets the minimum robustly, with no starting point or step
size. Each step evaluates the derivative where the logits live (NumPy, PyTorch on
any device, CuPy, array-api-strict, ...); only its value, one number, comes to the
host.

TensorFlow / Keras tensors do not implement the array API standard: ``fit_temperature``
reads them through ``.numpy()`` (one copy to the host) and ``apply_temperature``
divides them with TensorFlow's own operator, so the scaled logits stay on their
device.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import array_api_compat

from balancekit._array_api import (
    get_namespace_and_device,
    is_tensorflow,
    widest_float_dtype,
)
from balancekit._labels import check_same_length
from balancekit._params import check_int, check_scalar
from balancekit._typing import Array, Namespace
from balancekit._warnings import user_stacklevel
from balancekit.metrics._ranking_validation import check_score

__all__ = ["apply_temperature", "fit_temperature", "temperature_nll"]


def _host_tensor(value: Any) -> Any:
    """A TensorFlow tensor as NumPy (the array-API boundary), anything else as is."""
    return value.numpy() if is_tensorflow(value) else value


def _check_labels(y: Array, logits: Array, xp: Namespace) -> Array:
    """``y`` as integer class indices matching the logits' columns (or 0/1)."""
    if not hasattr(y, "dtype") or not xp.isdtype(y.dtype, ("bool", "integral")):
        raise TypeError(
            "`y` must hold integer class indices (0..n_classes-1, or 0/1 for 1-D "
            f"logits); got {getattr(y, 'dtype', type(y).__name__)}. Encode labels "
            "first, e.g. with sklearn's LabelEncoder."
        )
    if y.ndim != 1:
        raise ValueError(f"`y` must have shape (n_samples,); got {tuple(y.shape)}.")
    check_same_length("logits", logits, "y", y)
    n_classes = 2 if logits.ndim == 1 else int(logits.shape[1])
    y = xp.astype(y, xp.int64) if xp.isdtype(y.dtype, "bool") else y
    low, high = int(xp.min(y)), int(xp.max(y))
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"`y` must hold class indices in [0, {n_classes - 1}] for logits of "
            f"shape {tuple(logits.shape)}; got values in [{low}, {high}]."
        )
    return y


def _prepare(logits: Any, y: Any) -> tuple[Namespace, Array, Array]:
    """Checked float logits (1-D or 2-D) and labels in one namespace and device."""
    logits, y = _host_tensor(logits), _host_tensor(y)
    if array_api_compat.is_torch_array(logits):
        logits = logits.detach()  # no autograd graph for the search
    xp, device = get_namespace_and_device(logits=logits, y=y)
    logits, y = xp.asarray(logits), xp.asarray(y)
    ndim = 2 if getattr(logits, "ndim", 1) == 2 else 1
    logits = check_score(logits, xp, name="logits", ndim=ndim)
    if ndim == 2 and int(logits.shape[1]) < 2:
        raise ValueError(
            "`logits` of shape (n_samples, n_classes) need at least 2 columns; pass "
            "binary logits as a 1-D array (the positive class's logit)."
        )
    y = _check_labels(y, logits, xp)
    return xp, xp.astype(logits, widest_float_dtype(xp, device)), y


def _nll_terms(logits: Array, y: Array, xp: Namespace) -> tuple[Array, Array]:
    """What the NLL needs of the logits: the logits (1-D, with y as floats) or the
    logits with the true class's logit (2-D), computed once."""
    if logits.ndim == 1:
        return logits, xp.astype(y, logits.dtype)
    columns = xp.arange(int(logits.shape[1]), dtype=y.dtype, device=logits.device)
    one_hot = xp.astype(y[:, None] == columns, logits.dtype)
    return logits, xp.sum(logits * one_hot, axis=1)


def _nll(logits: Array, target: Array, temperature: float, xp: Namespace) -> float:
    """Mean NLL of ``sigmoid`` / ``softmax`` of ``logits / temperature``."""
    z = logits / temperature
    if z.ndim == 1:
        # softplus(z) - y z, with softplus(z) = max(z, 0) + log1p(exp(-|z|))
        zero = xp.zeros_like(z)
        loss = xp.maximum(z, zero) + xp.log1p(xp.exp(-xp.abs(z))) - target * z
    else:
        top = xp.max(z, axis=1)
        lse = top + xp.log(xp.sum(xp.exp(z - top[:, None]), axis=1))
        loss = lse - target / temperature
    return float(xp.mean(loss))


def _slope(logits: Array, target: Array, beta: float, xp: Namespace) -> float:
    """The derivative of the mean NLL of ``logits * beta`` with respect to ``beta``.

    ``mean((sigmoid(beta z) - y) z)`` for 1-D logits, ``mean(sum_j p_j z_j - z_y)``
    with ``p = softmax(beta z)`` for 2-D ones.
    """
    z = logits * beta
    if z.ndim == 1:
        small = xp.exp(-xp.abs(z))  # sigmoid(z) without overflow
        sigmoid = xp.where(z >= 0, 1 / (1 + small), small / (1 + small))
        slope = (sigmoid - target) * logits
    else:
        weights = xp.exp(z - xp.max(z, axis=1, keepdims=True))
        weights = weights / xp.sum(weights, axis=1, keepdims=True)
        slope = xp.sum(weights * logits, axis=1) - target
    return float(xp.mean(slope))


def temperature_nll(logits: Any, y: Any, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the logits scaled by ``1 / temperature``.

    Parameters
    ----------
    logits : array of shape (n_samples,) or (n_samples, n_classes)
        Binary logits (sigmoid) or class logits (softmax).
    y : array of shape (n_samples,)
        Class indices (0/1 for 1-D logits).
    temperature : float, default=1.0
        The temperature, > 0.

    Returns
    -------
    float
        The mean NLL, in nats.

    Examples
    --------
    >>> import numpy as np
    >>> round(temperature_nll(np.array([0.0, 0.0]), np.array([0, 1])), 6)
    0.693147
    """
    temperature = check_scalar(temperature, "temperature", low=0, low_open=True)
    xp, logits, y = _prepare(logits, y)
    logits, target = _nll_terms(logits, y, xp)
    return _nll(logits, target, temperature, xp)


def fit_temperature(
    logits: Any,
    y: Any,
    *,
    max_iter: int = 100,
    bounds: tuple[float, float] = (0.01, 100.0),
    tol: float = 1e-12,
) -> float:
    """The temperature ``T > 0`` minimising the NLL of the scaled logits.

    Fit it on a validation split (not the training data, where a network is
    over-confident by construction), then divide new logits by it with
    :func:`apply_temperature`. The search runs where ``logits`` lives; only NLL values
    come to the host. The result never has a higher NLL than ``T = 1``.

    Parameters
    ----------
    logits : array of shape (n_samples,) or (n_samples, n_classes)
        Validation logits: 1-D binary logits (sigmoid) or class logits (softmax).
        NumPy, PyTorch (any device; gradients are not tracked), CuPy, JAX,
        array-api-strict, or TensorFlow / Keras tensors (read via ``.numpy()``).
    y : array of shape (n_samples,)
        True class indices (0..n_classes-1), or 0/1 for 1-D logits.
    max_iter : int, default=100
        Most bisection steps; each halves the bracket of ``log T``.
    bounds : tuple of float, default=(0.01, 100.0)
        The range searched for ``T``.
    tol : float, default=1e-12
        Stop when the bracket of ``log T`` is narrower than this.

    Returns
    -------
    float
        The fitted temperature; above 1 softens over-confident logits.

    Raises
    ------
    ValueError
        For non-finite logits, labels outside the classes, or invalid ``bounds``.

    Warns
    -----
    UserWarning
        When the optimum lies at a bound (e.g. separable validation data, whose NLL
        falls as ``T`` goes to 0): widen ``bounds`` or use more validation data.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import fit_temperature
    >>> rng = np.random.default_rng(0)
    >>> calibrated = rng.normal(0.0, 2.0, 5000)  # the true log-odds
    >>> y = (rng.random(5000) < 1 / (1 + np.exp(-calibrated))).astype(int)
    >>> temperature = fit_temperature(3.0 * calibrated, y)  # 3x over-confident
    >>> bool(2.7 < temperature < 3.3)
    True
    """
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_scalar(tol, "tol", low=0, low_open=True)
    low, high = _check_bounds(bounds)
    xp, logits, y = _prepare(logits, y)
    logits, target = _nll_terms(logits, y, xp)

    # Bisection on the sign of dNLL/dbeta, increasing in beta = 1/T (convexity):
    # the root is pinned to round-off, where the flat NLL itself is only pinned to
    # the square root of it, so every backend lands on the same T.
    a, b = -math.log(high), -math.log(low)  # the bracket of log beta
    if _slope(logits, target, math.exp(a), xp) >= 0:
        u = a
    elif _slope(logits, target, math.exp(b), xp) <= 0:
        u = b
    else:
        for _ in range(max_iter):
            if b - a < tol:
                break
            middle = (a + b) / 2
            if _slope(logits, target, math.exp(middle), xp) > 0:
                b = middle
            else:
                a = middle
        u = (a + b) / 2
    temperature = math.exp(-u)
    if low <= 1.0 <= high and _nll(logits, target, 1.0, xp) <= _nll(
        logits, target, temperature, xp
    ):
        return 1.0
    if u in (-math.log(high), -math.log(low)):
        warnings.warn(
            f"The fitted temperature {temperature:.4g} lies at a bound of `bounds`="
            f"{(low, high)}: the validation NLL keeps falling beyond it (separable or "
            "too few validation samples?). Widen `bounds` or use more validation "
            "data.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return temperature


def _check_bounds(bounds: Any) -> tuple[float, float]:
    if not isinstance(bounds, tuple | list) or len(bounds) != 2:
        raise TypeError(
            f"`bounds` must be a pair (low, high) of temperatures; got {bounds!r}."
        )
    low = check_scalar(bounds[0], "bounds[0]", low=0, low_open=True)
    high = check_scalar(bounds[1], "bounds[1]", low=0, low_open=True)
    if not low < high:
        raise ValueError(
            f"`bounds` must be (low, high) with 0 < low < high; got {tuple(bounds)}."
        )
    return low, high


def apply_temperature(logits: Any, temperature: float) -> Any:
    """The logits divided by ``temperature``, in their own library and device.

    Apply a softmax (2-D) or sigmoid (1-D) afterwards for calibrated probabilities.
    TensorFlow / Keras tensors are divided by TensorFlow itself and stay on their
    device; integer logits become floats.

    Parameters
    ----------
    logits : array of shape (n_samples,) or (n_samples, n_classes)
        Logits of any supported library, TensorFlow included.
    temperature : float
        The temperature from :func:`fit_temperature`, > 0.

    Returns
    -------
    array
        ``logits / temperature``, same type, shape and device as ``logits``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.decisions import apply_temperature
    >>> apply_temperature(np.array([[3.0, -1.5]]), 1.5).tolist()
    [[2.0, -1.0]]
    """
    temperature = check_scalar(temperature, "temperature", low=0, low_open=True)
    if is_tensorflow(logits):
        if not logits.dtype.is_floating:
            raise TypeError(
                f"`logits` must be floating point; got {logits.dtype.name}. Cast "
                "them first, e.g. `tf.cast(logits, tf.float32)`."
            )
        return logits / temperature
    xp, device = get_namespace_and_device(logits=logits)
    if isinstance(logits, list | tuple):
        logits = xp.asarray(logits)
    if not xp.isdtype(logits.dtype, ("bool", "integral", "real floating")):
        raise TypeError(f"`logits` must hold real numbers; got {logits.dtype}.")
    if not xp.isdtype(logits.dtype, "real floating"):
        logits = xp.astype(logits, widest_float_dtype(xp, device))
    return logits / temperature
