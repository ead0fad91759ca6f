"""Score-based metrics: ROC and precision-recall curves, ROC AUC, average precision.

scikit-learn's names, argument order ``(y_true, y_score)`` and results (to float64
round-off), computed on the scores' device in their namespace. Curves and scores come
back as arrays (0-d for scores) in that namespace; only O(1) values (class counts, a
flag) cross to the host. See ``_ranking_kernels`` for how one sort does the work.
"""

from __future__ import annotations

import warnings
from typing import Any

from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import widest_float_dtype
from balancekit._dask_route import dask_route
from balancekit._indicator import check_indicator
from balancekit._labels import check_labels, check_same_length
from balancekit._params import check_choice
from balancekit._typing import Device, Namespace
from balancekit._warnings import user_stacklevel
from balancekit.metrics._inputs import score_metric_route
from balancekit.metrics._multilabel_inputs import is_indicator
from balancekit.metrics._ranking_kernels import (
    binary_auc,
    binary_average_precision,
    threshold_counts,
)
from balancekit.metrics._ranking_multilabel import (
    AVERAGES,
    multilabel_score,
    refuse_dask_indicator,
)
from balancekit.metrics._ranking_validation import (
    BinaryTarget,
    binary_target,
    check_score,
    check_target,
    check_weights,
    is_binary,
    positive_mask,
    present_classes,
    resolve_inputs,
)

__all__ = [
    "average_precision_score",
    "precision_recall_curve",
    "roc_auc_score",
    "roc_curve",
]

_ONE_CLASS_AUC = (
    "Only one class is present in y_true. ROC AUC score is not defined in that case."
)
_NO_POSITIVE_PR = (
    "No positive class found in y_true, recall is set to one for all thresholds."
)


def _binary_inputs(
    y_true: Any, y_score: Any, sample_weight: Any, pos_label: Any, infer: str
) -> tuple[Namespace, Any, Any, BinaryTarget, Any]:
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    y_true = check_target(y_true, xp)
    y_score = _as_1d_score(check_score(y_score, xp, ndim=_ndim(y_score)), xp)
    n_samples = check_same_length("y_true", y_true, "y_score", y_score)
    target = binary_target(y_true, xp, pos_label=pos_label, infer=infer)
    weight = check_weights(sample_weight, n_samples, xp, device)
    return xp, device, y_score, target, weight


def _ndim(y_score: Any) -> int:
    """The number of dimensions to check: 2 for a (n, k) input, else 1."""
    return 2 if getattr(y_score, "ndim", 1) == 2 else 1


def _as_1d_score(y_score: Any, xp: Namespace) -> Any:
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        return xp.reshape(y_score, (-1,))
    if y_score.ndim != 1:
        raise ValueError(
            "`y_score` must have shape (n_samples,) for binary `y_true`: the scores "
            f"of the positive class; got shape {tuple(y_score.shape)}. For "
            "`predict_proba` output pass its positive column, e.g. `proba[:, 1]`."
        )
    return y_score


def _counts(
    y_score: Any, target: BinaryTarget, weight: Any, xp: Namespace, device: Device
) -> tuple[Any, Any, Any, Any]:
    dtype = widest_float_dtype(xp, device)
    fps, tps, thresholds = threshold_counts(
        y_score,
        target.is_positive,
        weight,
        n_positive=target.n_positive,
        dtype=dtype,
        xp=xp,
        device=device,
    )
    return fps, tps, thresholds, dtype


def _keep(mask: Any, xp: Namespace, device: Device) -> Any:
    """Indices of ``[True, *mask, True]``."""
    true = xp.ones(1, dtype=xp.bool, device=device)
    return xp.nonzero(xp.concat([true, mask, true]))[0]


@dask_route("_curves")
@score_metric_route
def precision_recall_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = False,
) -> tuple[Any, Any, Any]:
    """Precision-recall pairs at every distinct score threshold.

    Element ``i`` describes predicting positive when ``score >= thresholds[i]``;
    the last point (precision 1, recall 0) has no threshold.

    Dask arrays and Series are computed exactly, by score ranges, without holding
    all the scores anywhere (``balancekit.dask._curves``); NumPy arrays come back.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True binary labels. Unless they are {0, 1} or {-1, 1}, pass ``pos_label``.
    y_score : array of shape (n_samples,)
        Scores of the positive class (probabilities or decision values), finite.
    pos_label : int, float, bool or str, default=None
        The positive label; ``None`` means 1 for {0, 1} or {-1, 1} labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights; samples of weight 0 are ignored.
    drop_intermediate : bool, default=False
        Drop thresholds whose point lies inside a run of equal recall.

    Returns
    -------
    precision, recall : arrays of shape (n_thresholds + 1,)
        Float arrays in ``y_score``'s namespace and device; recall decreases.
    thresholds : array of shape (n_thresholds,)
        The increasing distinct scores.

    Warns
    -----
    UserWarning
        When ``y_true`` has no positive sample: recall is then 1 everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> precision, recall, thresholds = precision_recall_curve(
    ...     np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> precision.round(3).tolist(), recall.tolist(), thresholds.tolist()
    ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    xp, device, y_score, target, weight = _binary_inputs(
        y_true, y_score, sample_weight, pos_label, "standard"
    )
    fps, tps, thresholds, dtype = _counts(y_score, target, weight, xp, device)
    return pr_curve_from_counts(
        fps, tps, thresholds, drop_intermediate, dtype, xp, device
    )


def pr_curve_from_counts(
    fps: Any,
    tps: Any,
    thresholds: Any,
    drop_intermediate: bool,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Any, Any, Any]:
    """Precision, recall and thresholds from the cumulative weighted false and true
    positives at each decreasing distinct threshold (any way they were counted)."""
    if drop_intermediate and fps.shape[0] > 2:
        middle = (tps[1:-1] != tps[:-2]) | (tps[2:] != tps[1:-1])
        keep = _keep(middle, xp, device)
        fps, tps = xp.take(fps, keep), xp.take(tps, keep)
        thresholds = xp.take(thresholds, keep)
    predicted = tps + fps
    precision = xp.where(
        predicted != 0, tps / xp.where(predicted != 0, predicted, 1.0), 0.0
    )
    total = float(tps[-1])
    if total == 0:
        warnings.warn(_NO_POSITIVE_PR, UserWarning, stacklevel=user_stacklevel())
        recall = xp.ones(tps.shape, dtype=dtype, device=device)
    else:
        recall = tps / total
    one = xp.ones(1, dtype=dtype, device=device)
    return (
        xp.concat([xp.flip(precision), one]),
        xp.concat([xp.flip(recall), xp.zeros(1, dtype=dtype, device=device)]),
        xp.flip(thresholds),
    )


@dask_route("_curves")
@score_metric_route
def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[Any, Any, Any]:
    """Receiver operating characteristic: false and true positive rates by threshold.

    Element ``i`` describes predicting positive when ``score >= thresholds[i]``; the
    first threshold is ``inf`` (nothing predicted positive).

    Dask arrays and Series are computed exactly, by score ranges, without holding
    all the scores anywhere (``balancekit.dask._curves``); NumPy arrays come back.

    Parameters
    ----------
    y_true : array of shape (n_samples,)
        True binary labels. Unless they are {0, 1} or {-1, 1}, pass ``pos_label``.
    y_score : array of shape (n_samples,)
        Scores of the positive class (probabilities or decision values), finite.
    pos_label : int, float, bool or str, default=None
        The positive label; ``None`` means 1 for {0, 1} or {-1, 1} labels.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights; samples of weight 0 are ignored.
    drop_intermediate : bool, default=True
        Drop thresholds whose point is collinear with its neighbours (the area and
        the plotted curve do not change).

    Returns
    -------
    fpr, tpr : arrays of shape (n_thresholds,)
        Increasing rates, float, in ``y_score``'s namespace and device.
    thresholds : array of shape (n_thresholds,)
        Decreasing thresholds (float), ``inf`` first.

    Warns
    -----
    sklearn.exceptions.UndefinedMetricWarning
        When ``y_true`` lacks negatives (fpr is NaN) or positives (tpr is NaN).

    Examples
    --------
    >>> import numpy as np
    >>> fpr, tpr, thresholds = roc_curve(
    ...     np.array([1, 1, 2, 2]), np.array([0.1, 0.4, 0.35, 0.8]), pos_label=2)
    >>> fpr.tolist(), tpr.tolist(), thresholds.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
    """
    xp, device, y_score, target, weight = _binary_inputs(
        y_true, y_score, sample_weight, pos_label, "standard"
    )
    fps, tps, thresholds, dtype = _counts(y_score, target, weight, xp, device)
    return roc_curve_from_counts(
        fps, tps, thresholds, drop_intermediate, dtype, xp, device
    )


def roc_curve_from_counts(
    fps: Any,
    tps: Any,
    thresholds: Any,
    drop_intermediate: bool,
    dtype: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Any, Any, Any]:
    """False and true positive rates and thresholds (``inf`` first) from the
    cumulative weighted counts at each decreasing distinct threshold."""
    if drop_intermediate and fps.shape[0] > 2:
        fp_step, tp_step = fps[1:] - fps[:-1], tps[1:] - tps[:-1]
        corner = (fp_step[1:] != fp_step[:-1]) | (tp_step[1:] != tp_step[:-1])
        keep = _keep(corner, xp, device)
        fps, tps = xp.take(fps, keep), xp.take(tps, keep)
        thresholds = xp.take(thresholds, keep)
    zero = xp.zeros(1, dtype=dtype, device=device)
    fps, tps = xp.concat([zero, fps]), xp.concat([zero, tps])
    inf = xp.full(1, float("inf"), dtype=dtype, device=device)
    thresholds = xp.concat([inf, xp.astype(thresholds, dtype)])
    return (
        _rate(fps, "No negative samples in y_true, false positive", xp, device),
        _rate(tps, "No positive samples in y_true, true positive", xp, device),
        thresholds,
    )


def _rate(counts: Any, what: str, xp: Namespace, device: Device) -> Any:
    total = float(counts[-1])
    if total <= 0:
        warnings.warn(
            f"{what} value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=user_stacklevel(),
        )
        return xp.full(counts.shape, float("nan"), dtype=counts.dtype, device=device)
    return counts / total


@refuse_dask_indicator
@dask_route("_ranking")
@score_metric_route
def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: Any = None,
) -> Any:
    """Average precision (AP): the precision at each threshold weighted by recall gain.

    ``AP = sum_n (R_n - R_{n-1}) P_n``, not interpolated, as scikit-learn computes it.
    Multiclass labels are scored one-vs-rest; a multilabel indicator label by label
    (or sample by sample with ``average="samples"``).

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        Binary labels, multiclass labels scored one-vs-rest, or a multilabel
        indicator (0/1, one column per label).
    y_score : array of shape (n_samples,) or (n_samples, n_columns)
        Scores of the positive class (binary), one column per class in sorted label
        order (multiclass), or one column per label (multilabel).
    average : {"micro", "macro", "weighted", "samples"} or None, default="macro"
        Multiclass and multilabel only (ignored for binary ``y_true``):
        ``"micro"`` scores the (binarised) target and the scores ravelled as one
        problem; ``"macro"`` is the unweighted mean over the labels; ``"weighted"``
        the mean weighted by each label's (weighted) positive count, 0 when no label
        has a positive; ``"samples"`` scores each sample over its labels and
        averages the samples with ``sample_weight``; None gives the per-label
        scores.
    pos_label : int, float, bool or str, default=1
        The positive label of binary ``y_true``; must be 1 for multiclass and
        multilabel ``y_true``.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    array
        A 0-d float array (1-D of n_classes or n_labels for ``average=None``) on
        ``y_score``'s device.

    Raises
    ------
    NotImplementedError
        For a Dask multilabel indicator (compute it into memory first).

    Warns
    -----
    UserWarning
        When ``y_true`` (a label, or a sample with ``average="samples"``) has no
        positive: that score is 0.

    Examples
    --------
    >>> import numpy as np
    >>> float(average_precision_score(np.array([0, 0, 1, 1]),
    ...                               np.array([0.1, 0.4, 0.35, 0.8])))
    0.8333333333333333
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> y_score = np.array([[0.9, 0.2, 0.4], [0.3, 0.6, 0.1], [0.6, 0.4, 0.3],
    ...                     [0.2, 0.5, 0.8]])
    >>> average_precision_score(y_true, y_score, average=None).tolist()
    [1.0, 0.8333333333333333, 1.0]
    >>> round(float(average_precision_score(y_true, y_score, average="micro")), 6)
    0.952381
    """
    check_choice(average, "average", AVERAGES)
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    if is_indicator(y_true):
        y_true = check_indicator(y_true, xp, "y_true")  # the target's errors first
        if pos_label != 1:
            raise ValueError(
                "`pos_label` is fixed to 1 for a multilabel indicator `y_true` (1 "
                f"marks each label's positives); got pos_label={pos_label!r}. Leave "
                "it out or pass 1."
            )
        return _multilabel("ap", y_true, y_score, sample_weight, average, xp, device)
    y_true = check_target(y_true, xp)
    classes = present_classes(y_true, xp)
    if not is_binary(classes):
        if pos_label != 1:
            raise ValueError(
                "`pos_label` is fixed to 1 for multiclass `y_true` (every class is "
                f"scored against the rest); got pos_label={pos_label!r}. Leave it out."
            )
        if average in ("micro", "samples"):
            onehot = _one_hot(y_true, y_score, xp)
            return _multilabel(
                "ap", onehot, y_score, sample_weight, average, xp, device
            )
        return _one_vs_rest(
            "ap", y_true, y_score, sample_weight, average, None, xp, device
        )
    y_score = _as_1d_score(check_score(y_score, xp, ndim=_ndim(y_score)), xp)
    n_samples = check_same_length("y_true", y_true, "y_score", y_score)
    target = binary_target(y_true, xp, pos_label=pos_label, classes=classes)
    weight = check_weights(sample_weight, n_samples, xp, device)
    return _binary_ap(y_score, target, weight, xp, device)


def _binary_ap(
    y_score: Any, target: BinaryTarget, weight: Any, xp: Namespace, device: Device
) -> Any:
    dtype = widest_float_dtype(xp, device)
    if target.n_positive == 0:
        warnings.warn(_NO_POSITIVE_PR, UserWarning, stacklevel=user_stacklevel())
        return xp.asarray(0.0, dtype=dtype, device=device)
    return binary_average_precision(
        y_score,
        target.is_positive,
        weight,
        n_positive=target.n_positive,
        n_negative=target.n_negative,
        dtype=dtype,
        xp=xp,
        device=device,
    )


def _binary_roc_auc(
    y_score: Any,
    target: BinaryTarget,
    weight: Any,
    xp: Namespace,
    device: Device,
    max_fpr: float | None = None,
) -> Any:
    dtype = widest_float_dtype(xp, device)
    if target.n_positive in (0, target.n_samples):
        warnings.warn(
            _ONE_CLASS_AUC, UndefinedMetricWarning, stacklevel=user_stacklevel()
        )
        return xp.asarray(float("nan"), dtype=dtype, device=device)
    if max_fpr is not None and max_fpr != 1:
        return _partial_auc(y_score, target, weight, max_fpr, xp, device)
    return binary_auc(
        y_score,
        target.is_positive,
        weight,
        n_positive=target.n_positive,
        n_negative=target.n_negative,
        dtype=dtype,
        xp=xp,
        device=device,
    )


def _partial_auc(
    y_score: Any,
    target: BinaryTarget,
    weight: Any,
    max_fpr: float,
    xp: Namespace,
    device: Device,
) -> Any:
    """McClish-standardised area over fpr in [0, max_fpr], as scikit-learn."""
    fps, tps, _, dtype = _counts(y_score, target, weight, xp, device)
    zero = xp.zeros(1, dtype=dtype, device=device)
    fpr = xp.concat([zero, fps]) / fps[-1]
    tpr = xp.concat([zero, tps]) / tps[-1]
    bound = xp.full(1, max_fpr, dtype=dtype, device=device)
    stop = int(xp.searchsorted(fpr, bound, side="right")[0])
    x0, x1, y0, y1 = fpr[stop - 1], fpr[stop], tpr[stop - 1], tpr[stop]
    y_at = y0 + (y1 - y0) * (max_fpr - x0) / (x1 - x0)
    fpr = xp.concat([fpr[:stop], bound])
    tpr = xp.concat([tpr[:stop], xp.reshape(y_at, (1,))])
    area = xp.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1])) / 2
    return mcclish(area, max_fpr)


def mcclish(area: Any, max_fpr: float) -> Any:
    """The McClish standardisation of the area under the ROC curve over fpr in
    [0, max_fpr]: 0.5 for a random ranking, 1 for a perfect one (as scikit-learn).

    Examples
    --------
    >>> mcclish(0.125, 0.5)  # the chance diagonal's area up to fpr 0.5
    0.5
    """
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (area - min_area) / (max_area - min_area))


def check_max_fpr(max_fpr: Any) -> None:
    """A ``ValueError`` unless ``max_fpr`` is None or a number in (0, 1]."""
    if max_fpr is not None and (
        isinstance(max_fpr, bool)
        or not isinstance(max_fpr, int | float)
        or not 0 < max_fpr <= 1
    ):
        raise ValueError(f"`max_fpr` must be in (0, 1] or None; got {max_fpr!r}.")


def check_multiclass_auc(
    max_fpr: float | None,
    multi_class: str,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
) -> None:
    """The parameters of a multiclass ROC AUC: no partial AUC, ``"ovr"`` or ``"ovo"``
    asked for, and an average (and weights) that scheme defines.

    Examples
    --------
    >>> check_multiclass_auc(None, "ovo", average="weighted")
    >>> check_multiclass_auc(None, "ovo", average="micro")
    Traceback (most recent call last):
    ...
    ValueError: `average` must be one of 'macro', 'weighted' with multi_class='ovo'...
    """
    if max_fpr is not None and max_fpr != 1:
        raise ValueError(
            "`max_fpr` (partial AUC) is only available for binary `y_true`; "
            f"got max_fpr={max_fpr!r} with multiclass labels. Leave it out."
        )
    if multi_class == "raise":
        raise ValueError(
            "`y_true` is multiclass: pass `multi_class='ovr'` to average the "
            "one-vs-rest AUC of each class, or `multi_class='ovo'` to average the "
            "one-vs-one AUC of each pair of classes (Hand & Till)."
        )
    if multi_class != "ovo":
        return
    if average is None:
        raise NotImplementedError(
            "average=None is not implemented for multi_class='ovo': one-vs-one "
            "gives no per-class scores; pass `average='macro'` or 'weighted'."
        )
    if average not in ("macro", "weighted"):
        raise ValueError(
            "`average` must be one of 'macro', 'weighted' with multi_class='ovo' "
            f"(one-vs-one); got {average!r}. 'micro' needs multi_class='ovr'."
        )
    if sample_weight is not None:
        raise ValueError(
            "`sample_weight` is not supported with multi_class='ovo' (one-vs-one "
            "ROC AUC, as in scikit-learn); leave it out or use multi_class='ovr'."
        )


@refuse_dask_indicator
@dask_route("_ranking")
@score_metric_route
def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve: binary, multiclass (ovr or ovo) or multilabel.

    Binary AUC without weights is the Mann-Whitney statistic (ties count one half),
    computed from one sort of each class's scores without building the curve. The
    multiclass schemes reuse it: one-vs-rest scores each class against the others
    (``average="micro"`` scores the binarised labels and scores ravelled as one
    problem); one-vs-one is Hand & Till's (2001) mean over the pairs of classes
    present in ``y_true`` of the two AUCs of each pair, restricted to its samples.

    A multilabel indicator ``y_true`` (0/1, one column per label) is scored label by
    label (binary AUC of each column), or sample by sample with
    ``average="samples"``, as scikit-learn does.

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        Binary or multiclass labels (in the binary case the greater label is
        positive), or a multilabel indicator.
    y_score : array of shape (n_samples,) or (n_samples, n_columns)
        Binary: scores of the greater label. Multiclass: probabilities (rows sum to 1),
        one column per class in the order of ``labels`` or of the sorted labels.
        Multilabel: one score column per label (any real scores).
    average : {"micro", "macro", "weighted", "samples"} or None, default="macro"
        Multiclass and multilabel only (ignored for binary ``y_true``). With
        ``"ovr"`` or a multilabel indicator: the AUC of the (binarised) problem
        ravelled (``"micro"``), the unweighted mean over the classes or labels, the
        mean weighted by their (weighted) positive count (0 when no label has a
        positive), or the per-class scores (None); ``"samples"`` (multilabel only)
        scores each sample over its labels and averages the samples with
        ``sample_weight`` (refused for 1-D ``y_true``). With ``"ovo"``: ``"macro"``
        (uniform over the pairs) or ``"weighted"`` (each pair by its prevalence, the
        share of samples in it).
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights; not supported with ``multi_class="ovo"``.
    max_fpr : float in (0, 1], default=None
        Binary and multilabel: the McClish-standardised partial AUC over fpr in
        [0, max_fpr] (of each label, sample or the ravelled problem).
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Multiclass ``y_true`` needs ``"ovr"`` (one-vs-rest) or ``"ovo"``
        (one-vs-one); ignored for binary and multilabel ``y_true``.
    labels : array-like of shape (n_classes,), default=None
        Multiclass only: the sorted labels indexing the columns of ``y_score``.

    Returns
    -------
    array
        A 0-d float array (1-D for ``average=None``) on ``y_score``'s device.

    Raises
    ------
    NotImplementedError
        For ``multi_class="ovo"`` with ``average=None``, as scikit-learn, and for a
        Dask multilabel indicator (compute it into memory first).

    Warns
    -----
    sklearn.exceptions.UndefinedMetricWarning
        When binary ``y_true`` holds one class (or a one-vs-rest class is absent, or a
        multilabel label or sample holds one class): that result is NaN, as in
        scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> float(roc_auc_score(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])))
    0.75
    >>> y_proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6],
    ...                     [0.3, 0.4, 0.3]])
    >>> float(roc_auc_score(np.array([0, 1, 2, 1]), y_proba, multi_class="ovr"))
    1.0
    >>> float(roc_auc_score(np.array([1, 1, 2, 0]), y_proba, multi_class="ovo"))
    0.75
    >>> float(roc_auc_score(np.array([1, 1, 2, 0]), y_proba, multi_class="ovr",
    ...                     average="micro"))
    0.65625
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> y_score = np.array([[0.9, 0.2, 0.4], [0.3, 0.6, 0.1], [0.6, 0.4, 0.3],
    ...                     [0.2, 0.5, 0.8]])
    >>> roc_auc_score(y_true, y_score, average=None).tolist()
    [1.0, 0.75, 1.0]
    >>> float(roc_auc_score(y_true, y_score, average="samples"))
    1.0
    """
    check_choice(average, "average", AVERAGES)
    check_choice(multi_class, "multi_class", ("raise", "ovr", "ovo"))
    check_max_fpr(max_fpr)
    xp, device, y_true, y_score, sample_weight = resolve_inputs(
        y_true, y_score, sample_weight
    )
    if is_indicator(y_true):  # multilabel: ``multi_class`` and ``labels`` ignored
        return _multilabel(
            "auc", y_true, y_score, sample_weight, average, xp, device, max_fpr
        )
    if average == "samples":
        raise ValueError(
            "`average` must be one of 'micro', 'macro', 'weighted' or None for 1-D "
            "`y_true`; got 'samples', which needs a multilabel indicator `y_true` "
            "(n_samples, n_labels)."
        )
    y_true = check_target(y_true, xp)
    classes = present_classes(y_true, xp)
    multiclass = not is_binary(classes) or (y_score.ndim == 2 and y_score.shape[1] > 2)
    if multiclass:
        check_multiclass_auc(
            max_fpr, multi_class, average=average, sample_weight=sample_weight
        )
        if multi_class == "ovo":
            return _one_vs_one_auc(y_true, y_score, average, labels, xp, device)
        if average == "micro":
            return _micro_ovr_auc(y_true, y_score, sample_weight, labels, xp, device)
        return _one_vs_rest(
            "auc", y_true, y_score, sample_weight, average, labels, xp, device
        )
    y_score = _as_1d_score(check_score(y_score, xp, ndim=_ndim(y_score)), xp)
    n_samples = check_same_length("y_true", y_true, "y_score", y_score)
    target = binary_target(
        y_true, xp, pos_label=classes[-1], infer="greater", classes=classes
    )
    weight = check_weights(sample_weight, n_samples, xp, device)
    return _binary_roc_auc(y_score, target, weight, xp, device, max_fpr)


def _check_ovr_labels(
    labels: Any, y_classes: tuple, n_columns: int, xp: Namespace
) -> tuple:
    if labels is None:
        if len(y_classes) != n_columns:
            raise ValueError(
                f"`y_true` has {len(y_classes)} classes but `y_score` has {n_columns} "
                "columns; pass `labels` to name the column classes."
            )
        return y_classes
    import numpy as np

    given = np.asarray(labels)
    values = tuple(v.item() if isinstance(v, np.generic) else v for v in given)
    if given.ndim != 1 or len(set(values)) != len(values):
        raise ValueError(f"`labels` must be a 1-D list of unique labels; got {labels}.")
    if list(values) != sorted(values):
        raise ValueError(f"`labels` must be sorted; got {labels}.")
    if len(values) != n_columns:
        raise ValueError(
            f"`labels` names {len(values)} classes but `y_score` has {n_columns} "
            "columns; pass one label per column."
        )
    missing = [c for c in y_classes if c not in values]
    if missing:
        raise ValueError(f"`y_true` contains labels {missing} not in `labels`.")
    return values


def _multiclass_inputs(
    metric: str,
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    labels: Any,
    xp: Namespace,
    device: Device,
) -> tuple[Any, int, Any, tuple, tuple]:
    """Checked ``(n, k)`` scores, the sample count, the weights, the column classes
    and the classes present in ``y_true`` (sorted) of a multiclass score metric."""
    if y_score.ndim != 2:
        raise ValueError(
            "`y_score` needs shape (n_samples, n_classes) since `y_true` holds more "
            f"than two classes; got shape {tuple(y_score.shape)}."
        )
    y_score = check_score(y_score, xp, ndim=2)
    n_samples = check_same_length("y_true", y_true, "y_score", y_score)
    weight = check_weights(sample_weight, n_samples, xp, device)
    present = check_labels(y_true, xp, name="y_true").classes
    classes = _check_ovr_labels(labels, present, y_score.shape[1], xp)
    if metric == "auc":
        totals = xp.sum(xp.astype(y_score, widest_float_dtype(xp, device)), axis=1)
        if not bool(xp.all(xp.abs(totals - 1) <= 1e-8 + 1e-5 * xp.abs(totals))):
            raise ValueError(
                "`y_score` rows must be probabilities summing to 1 over the classes "
                "for multiclass ROC AUC; normalise them (e.g. a softmax) first."
            )
    return y_score, n_samples, weight, classes, tuple(present)


def _micro_ovr_auc(
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    labels: Any,
    xp: Namespace,
    device: Device,
) -> Any:
    """One-vs-rest ``average="micro"``: the binary AUC of the label-binarised
    ``(n, k)`` target and the scores, both ravelled (weights repeated per column)."""
    y_score, n_samples, weight, classes, _ = _multiclass_inputs(
        "auc", y_true, y_score, sample_weight, labels, xp, device
    )
    n_classes = len(classes)
    onehot = xp.stack([positive_mask(y_true, label, xp) for label in classes], axis=1)
    is_positive = xp.reshape(onehot, (-1,))
    n_positive = int(xp.sum(xp.astype(is_positive, xp.int64)))
    target = BinaryTarget(is_positive, 1, n_positive, n_samples * n_classes)
    if weight is not None:
        weight = xp.broadcast_to(xp.reshape(weight, (-1, 1)), (n_samples, n_classes))
        weight = xp.reshape(weight, (-1,))
    return _binary_roc_auc(xp.reshape(y_score, (-1,)), target, weight, xp, device)


def _one_vs_one_auc(
    y_true: Any,
    y_score: Any,
    average: str | None,
    labels: Any,
    xp: Namespace,
    device: Device,
) -> Any:
    """Hand & Till's one-vs-one AUC: for each pair ``(a, b)`` of the classes present
    in ``y_true``, the mean of the AUC of column ``a`` separating ``a`` from ``b`` and
    of column ``b`` separating ``b`` from ``a`` on the pair's samples; then the mean
    over the pairs, uniform (``"macro"``) or by the pair's share of the samples
    (``"weighted"``)."""
    y_score, n_samples, _, classes, present = _multiclass_inputs(
        "auc", y_true, y_score, None, labels, xp, device
    )
    dtype = widest_float_dtype(xp, device)
    column = {label: classes.index(label) for label in present}
    masks = {label: positive_mask(y_true, label, xp) for label in present}
    counts = {
        label: int(xp.sum(xp.astype(mask, xp.int64))) for label, mask in masks.items()
    }
    pair_scores, prevalence = [], []
    for i, a in enumerate(present):
        for b in present[i + 1 :]:
            in_pair = masks[a] | masks[b]
            is_a = masks[a][in_pair]
            n_a, n_b = counts[a], counts[b]
            score_a, score_b = y_score[:, column[a]], y_score[:, column[b]]
            auc_a = _pair_auc(score_a[in_pair], is_a, n_a, n_b, xp, device)
            is_b = xp.logical_not(is_a)
            auc_b = _pair_auc(score_b[in_pair], is_b, n_b, n_a, xp, device)
            pair_scores.append((auc_a + auc_b) / 2)
            prevalence.append((n_a + n_b) / n_samples)
    if not pair_scores:
        warnings.warn(
            "Only one class is present in y_true: one-vs-one ROC AUC has no pair of "
            "classes to score and is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=user_stacklevel(),
        )
        return xp.asarray(float("nan"), dtype=dtype, device=device)
    scores = xp.stack([xp.astype(s, dtype) for s in pair_scores])
    if average == "macro":
        return xp.mean(scores)
    weights = xp.asarray(prevalence, dtype=dtype, device=device)
    return xp.sum(scores * weights) / xp.sum(weights)


def _pair_auc(
    score: Any,
    is_positive: Any,
    n_positive: int,
    n_negative: int,
    xp: Namespace,
    device: Device,
) -> Any:
    """The unweighted binary AUC of one side of a one-vs-one pair (both present)."""
    return binary_auc(
        score,
        is_positive,
        None,
        n_positive=n_positive,
        n_negative=n_negative,
        dtype=widest_float_dtype(xp, device),
        xp=xp,
        device=device,
    )


def _one_vs_rest(
    metric: str,
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    average: str | None,
    labels: Any,
    xp: Namespace,
    device: Device,
) -> Any:
    """Average a binary metric over the classes, each scored against the rest."""
    y_score, n_samples, weight, classes, _ = _multiclass_inputs(
        metric, y_true, y_score, sample_weight, labels, xp, device
    )
    dtype = widest_float_dtype(xp, device)
    scores, supports = [], []
    for column, label in enumerate(classes):
        is_positive = positive_mask(y_true, label, xp)
        n_positive = int(xp.sum(xp.astype(is_positive, xp.int64)))
        target = BinaryTarget(is_positive, label, n_positive, n_samples)
        column_score = y_score[:, column]
        if metric == "auc":
            scores.append(_binary_roc_auc(column_score, target, weight, xp, device))
        else:
            scores.append(_binary_ap(column_score, target, weight, xp, device))
        support = (
            xp.asarray(float(n_positive), dtype=dtype, device=device)
            if weight is None
            else xp.sum(xp.where(is_positive, weight, 0.0))
        )
        supports.append(support)
    per_class = xp.stack([xp.astype(s, dtype) for s in scores])
    if average is None:
        return per_class
    if average == "macro":
        return xp.mean(per_class)
    support = xp.stack(supports)
    total = xp.sum(support)
    if float(total) == 0:
        return xp.asarray(0.0, dtype=dtype, device=device)
    per_class = xp.where(support == 0, 0.0, per_class)
    return xp.sum(per_class * support) / total


def _multilabel(
    metric: str,
    y_true: Any,
    y_score: Any,
    sample_weight: Any,
    average: str | None,
    xp: Namespace,
    device: Device,
    max_fpr: float | None = None,
) -> Any:
    """AP or ROC AUC of a multilabel indicator, per label and averaged."""

    def binary_metric(score: Any, target: BinaryTarget, weight: Any) -> Any:
        if metric == "ap":
            return _binary_ap(score, target, weight, xp, device)
        return _binary_roc_auc(score, target, weight, xp, device, max_fpr)

    return multilabel_score(
        binary_metric,
        metric,
        y_true,
        y_score,
        sample_weight,
        average,
        xp,
        device,
        max_fpr=max_fpr,
    )


def _one_hot(y_true: Any, y_score: Any, xp: Namespace) -> Any:
    """Multiclass labels as the ``(n, n_classes)`` indicator of the classes present
    (sorted), which must match ``y_score``'s shape."""
    classes = check_labels(y_true, xp, name="y_true").classes
    shape = (int(y_true.shape[0]), len(classes))
    given = tuple(int(size) for size in getattr(y_score, "shape", ()))
    if given != shape:
        raise ValueError(
            "`y_score` needs shape (n_samples, n_classes) since `y_true` holds "
            f"{len(classes)} classes: expected {shape}, got {given}."
        )
    return xp.stack([positive_mask(y_true, label, xp) for label in classes], axis=1)
