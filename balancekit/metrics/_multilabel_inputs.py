"""Inputs of the label metrics that take multilabel indicators: the pair of targets
read where the predictions live, told apart as indicators or 1-D labels, the
``labels`` parameter as column indices, and the sample weights.

Shared by ``multilabel_confusion_matrix``, ``hamming_loss`` and the
precision/recall/F family and ``jaccard_score`` on indicators.
"""

from __future__ import annotations

from typing import Any

from balancekit._array_api import is_sparse, widest_float_dtype
from balancekit._indicator import check_indicator
from balancekit._labels import as_label_array, check_same_length
from balancekit._typing import Array, Device, Namespace
from balancekit.metrics._counts import float_weights
from balancekit.metrics._inputs import metric_namespace

__all__ = [
    "check_indicator_pair",
    "check_mix",
    "checked_weights",
    "column_indices",
    "is_indicator",
    "positives",
    "resolve_label_pair",
]

ZERO_WEIGHTS = (
    "Sample weights must contain at least one non-zero number: every "
    "`sample_weight` is 0, so no sample counts."
)


def resolve_label_pair(
    y_true: Any, y_pred: Any, sample_weight: Any
) -> tuple[Namespace, Device, Array, Array, Any]:
    """``xp, device`` of ``y_pred`` (Dask refused there) and the labels as arrays;
    SciPy sparse indicators (host memory) are read dense, as scikit-learn takes them."""
    y_true, y_pred = (y.toarray() if is_sparse(y) else y for y in (y_true, y_pred))
    xp, device, arrays = metric_namespace(
        "y_pred", {"y_true": y_true, "y_pred": y_pred, "sample_weight": sample_weight}
    )
    return (
        xp,
        device,
        as_label_array(arrays["y_true"], xp),
        as_label_array(arrays["y_pred"], xp),
        arrays["sample_weight"],
    )


def is_indicator(y: Array) -> bool:
    """Whether ``y`` has an indicator's shape: 2-D with more than one column."""
    return getattr(y, "ndim", 1) == 2 and int(y.shape[1]) != 1


def positives(indicator: Array, xp: Namespace) -> Array:
    """A checked 0/1 indicator as a bool array (itself when already boolean)."""
    return indicator if xp.isdtype(indicator.dtype, "bool") else indicator != 0


def check_indicator_pair(
    y_true: Array, y_pred: Array, xp: Namespace
) -> tuple[Array, Array]:
    """Both targets checked as indicators of the same shape: as they are when both
    hold one-byte integers (they count without a copy), else as bool arrays (one
    byte per entry, whatever the input's width)."""
    true = check_indicator(y_true, xp, "y_true", as_bool=False)
    pred = check_indicator(y_pred, xp, "y_pred", as_bool=False)
    if not all(a.dtype in (xp.int8, xp.uint8) for a in (true, pred)):
        true, pred = positives(true, xp), positives(pred, xp)
    check_same_length("y_true", true, "y_pred", pred)
    if int(true.shape[1]) != int(pred.shape[1]):
        raise ValueError(
            "`y_true` and `y_pred` have different numbers of labels (multi-label "
            f"binary indicator input): `y_true` has {int(true.shape[1])} columns but "
            f"`y_pred` has {int(pred.shape[1])}. Pass one column per label in both."
        )
    return true, pred


def check_mix(y_true: Array, y_pred: Array) -> bool:
    """Whether the targets are indicators; a ValueError when only one of them is."""
    true_2d, pred_2d = is_indicator(y_true), is_indicator(y_pred)
    if true_2d != pred_2d:
        indicator, other = ("y_true", "y_pred") if true_2d else ("y_pred", "y_true")
        raise ValueError(
            "Classification metrics can't handle a mix of multilabel-indicator and "
            f"1-D targets: `{indicator}` is a multilabel indicator but `{other}` has "
            f"shape {tuple(y_pred.shape if true_2d else y_true.shape)}. Pass both as "
            "(n_samples, n_labels) 0/1 indicators, or both as 1-D class labels."
        )
    return true_2d


def column_indices(labels: list, n_labels: int) -> list[int]:
    """``labels`` as column indices of an indicator with ``n_labels`` columns."""
    columns = []
    for label in labels:
        whole = isinstance(label, int | float) and float(label).is_integer()
        if isinstance(label, bool) or not whole:
            raise ValueError(
                "`labels` must be column indices (integers) for multilabel targets; "
                f"got {label!r}."
            )
        columns.append(int(label))
    if columns != list(range(n_labels)) and columns:
        if max(columns) >= n_labels:
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets: "
                f"`labels` holds {max(columns)} but the indicators have {n_labels} "
                f"columns. Pass column indices from 0 to {n_labels - 1}."
            )
        if min(columns) < 0:
            raise ValueError(
                "All labels must be in [0, n labels) for multilabel targets: "
                f"`labels` holds {min(columns)} < 0. Pass column indices from 0 to "
                f"{n_labels - 1}."
            )
    return columns


def checked_weights(
    sample_weight: Any, n_samples: int, xp: Namespace, device: Device
) -> tuple[Array | None, bool]:
    """Checked float weights (or None) and whether they were integers; refuses
    weights that are all 0, as scikit-learn does."""
    weights, integer = float_weights(
        sample_weight, n_samples, xp, widest_float_dtype(xp, device)
    )
    if weights is not None and not bool(xp.any(weights != 0)):
        raise ValueError(ZERO_WEIGHTS)
    return weights, integer
