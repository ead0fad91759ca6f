"""Per-label ``pos_weight`` for binary cross-entropy on a multilabel indicator.

``torch.nn.BCEWithLogitsLoss(pos_weight=w)`` and
``tf.nn.weighted_cross_entropy_with_logits(pos_weight=w)`` multiply the loss of
each positive target of label ``l`` by ``w[l]``; negatives keep weight 1. Only the
per-label counts (O(n_labels) numbers) cross to the host; the weights go back to the
indicator's device.
"""

from __future__ import annotations

import warnings
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    get_namespace_and_device,
    numpy_for_cpu_tensors,
    to_host,
    widest_float_dtype,
)
from balancekit._indicator import check_indicator, host_array
from balancekit._params import check_choice, check_scalar
from balancekit._typing import Array, Namespace
from balancekit._validation import check_sample_weight
from balancekit._warnings import user_stacklevel

__all__ = ["POS_WEIGHT_METHODS", "compute_pos_weight"]

POS_WEIGHT_METHODS = ("ratio", "sqrt", "effective_number")
_ON_MISSING = ("raise", "one")


@numpy_for_cpu_tensors("y", "sample_weight", default_float=True)
def compute_pos_weight(
    y: Any,
    *,
    method: str = "ratio",
    beta: float = 0.999,
    sample_weight: Any = None,
    on_missing: str = "raise",
) -> Any:
    """Per-label ``pos_weight`` that counters the rarity of each label's positives.

    With ``n_pos[l]`` the positive samples of label ``l`` and ``n_neg[l]`` its
    negative samples (weighted sums with ``sample_weight``):

    - ``"ratio"``: ``n_neg / n_pos``, the usual recipe for ``BCEWithLogitsLoss``:
      positives and negatives of each label then weigh the same in total.
    - ``"sqrt"``: ``sqrt(n_neg / n_pos)``, a milder correction.
    - ``"effective_number"``: the ratio of the effective numbers of negatives and
      positives (Cui et al., "Class-Balanced Loss Based on Effective Number of
      Samples", CVPR 2019). The effective number of ``n`` samples is
      ``E(n) = (1 - beta ** n) / (1 - beta)``; the class-balanced weights
      ``1 / E(n)`` of the positive and the negative class, divided, give
      ``pos_weight = E(n_neg) / E(n_pos) = (1 - beta ** n_neg) / (1 - beta ** n_pos)``.
      ``beta = 0`` gives 1 (no re-weighting); as ``beta`` tends to 1 it tends to
      ``"ratio"``.

    A label positive in every sample (``n_neg = 0``) gets weight 0 from each
    formula, so the loss ignores its positives; a ``UserWarning`` names such labels
    (a constant label has nothing to learn from; drop it).

    Parameters
    ----------
    y : array-like of shape (n_samples, n_labels) or (n_samples,)
        0/1 multilabel indicator (bool, integer or float dtype), from any supported
        array library and on any device; a 1-D ``y`` is one binary label.
    method : {"ratio", "sqrt", "effective_number"}, default="ratio"
        The formula above.
    beta : float in [0, 1), default=0.999
        The effective-number parameter (``method="effective_number"`` only).
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative per-sample weights: the counts become weighted sums.
    on_missing : {"raise", "one"}, default="raise"
        A label without any positive sample (or only zero-weight ones) has no
        defined ratio: ``"raise"`` raises a ValueError naming the columns, ``"one"``
        gives it the neutral weight 1.

    Returns
    -------
    pos_weight : array of shape (n_labels,)
        In ``y``'s namespace and on its device, in the namespace's default floating
        dtype (float64 for NumPy, ``torch.get_default_dtype()`` for PyTorch).

    Raises
    ------
    TypeError
        If ``y`` is sparse or not of a bool, integer or float dtype.
    ValueError
        If ``y`` is not a 0/1 indicator, a parameter is out of range, or a label has
        no positive sample and ``on_missing="raise"``.

    See Also
    --------
    compute_class_weight : Weights per class of single-label ``y``.
    compute_sample_weight : Per-sample weights, also for multi-output ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.weighting import compute_pos_weight
    >>> Y = np.array([[1, 0], [0, 1], [0, 0], [0, 1], [0, 0]])
    >>> compute_pos_weight(Y).tolist()
    [4.0, 1.5]
    >>> compute_pos_weight(Y, method="sqrt").round(4).tolist()
    [2.0, 1.2247]
    >>> compute_pos_weight(Y, method="effective_number", beta=0.5).tolist()
    [1.875, 1.1666666666666667]
    """
    check_choice(method, "method", POS_WEIGHT_METHODS)
    beta = check_scalar(beta, "beta", low=0.0, high=1.0, high_open=True)
    check_choice(on_missing, "on_missing", _ON_MISSING)
    xp, device = get_namespace_and_device(y=y, sample_weight=sample_weight)
    Y = _indicator(y, xp)
    n_samples = int(Y.shape[0])
    sample_weight = check_sample_weight(sample_weight, n_samples, xp)
    n_pos, n_neg = _label_counts(Y, sample_weight, xp)
    weights = pos_weight_from_counts(
        n_pos, n_neg, method=method, beta=beta, on_missing=on_missing
    )
    dtype = xpx.default_dtype(xp, device=device)
    return xp.asarray(weights, dtype=dtype, device=device)


def pos_weight_from_counts(
    n_pos: np.ndarray, n_neg: np.ndarray, *, method: str, beta: float, on_missing: str
) -> np.ndarray:
    """``pos_weight`` (host float64) from the positives and negatives of each label.

    Examples
    --------
    >>> import numpy as np
    >>> pos_weight_from_counts(
    ...     np.array([1.0, 2.0]),
    ...     np.array([4.0, 3.0]),
    ...     method="ratio",
    ...     beta=0.0,
    ...     on_missing="raise",
    ... ).tolist()
    [4.0, 1.5]
    """
    n_pos = np.asarray(n_pos, dtype=np.float64)
    n_neg = np.asarray(n_neg, dtype=np.float64)
    missing = np.flatnonzero(n_pos <= 0)
    if missing.size and on_missing == "raise":
        raise ValueError(
            f"{_columns(missing)} of `y` have no positive sample (or only samples of "
            "weight 0), so their pos_weight would be infinite. Drop these labels, or "
            "pass on_missing='one' to give them the neutral weight 1."
        )
    weights = np.ones_like(n_pos)
    has = n_pos > 0
    pos, neg = n_pos[has], n_neg[has]
    if method == "ratio":
        weights[has] = neg / pos
    elif method == "sqrt":
        weights[has] = np.sqrt(neg / pos)
    else:
        weights[has] = (1.0 - np.power(beta, neg)) / (1.0 - np.power(beta, pos))
    constant = np.flatnonzero(has & (n_neg <= 0))
    if constant.size:
        warnings.warn(
            f"{_columns(constant)} of `y` are positive in every sample (no negative "
            "of positive weight): their pos_weight is 0, so the loss ignores their "
            "positives. A constant label has nothing to learn; consider dropping it.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return weights


def _columns(positions: np.ndarray) -> str:
    shown = ", ".join(str(int(j)) for j in positions[:10])
    more = ", ..." if positions.size > 10 else ""
    return f"{positions.size} label column(s) ({shown}{more})"


def _indicator(y: Any, xp: Namespace) -> Array:
    """``y`` as a checked 2-D 0/1 indicator (a 1-D ``y`` becomes one column)."""
    y = host_array(y, "y")
    if getattr(y, "ndim", None) == 1:
        y = xp.reshape(y, (-1, 1))
    return check_indicator(y, xp, "y")


def _label_counts(
    Y: Array, sample_weight: Array | None, xp: Namespace
) -> tuple[np.ndarray, np.ndarray]:
    """Host positives and negatives per label of the boolean ``Y`` (weighted sums
    with ``sample_weight``: each its own sum, so a label without negatives gets
    exactly 0, whatever the rounding)."""
    device = array_api_compat.device(Y)
    if sample_weight is None:
        counts = xp.count_nonzero(Y, axis=0)
        n_pos = np.asarray(to_host(counts, xp), dtype=np.float64)
        return n_pos, int(Y.shape[0]) - n_pos
    dtype = widest_float_dtype(xp, device)
    weights = xp.astype(xp.asarray(sample_weight, device=device), dtype)
    n_pos = xp.matmul(weights, xp.astype(Y, dtype))
    n_neg = xp.matmul(weights, xp.astype(~Y, dtype))
    return (
        np.asarray(to_host(n_pos, xp), dtype=np.float64),
        np.asarray(to_host(n_neg, xp), dtype=np.float64),
    )
