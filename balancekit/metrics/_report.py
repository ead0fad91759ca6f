"""imbalanced-learn's report (pre, rec, spe, f1, geo, iba, sup) from one confusion
matrix counted on the labels' device, under imbalanced-learn's name
``classification_report_imbalanced`` (scikit-learn's report, under its own name, is
in ``_classification_report``).

It builds one table of O(n_classes) values on the device; only that table comes to
the host, where the text (or dict) is written."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import to_host
from balancekit._dask_route import dask_entry_point
from balancekit._params import check_bool, check_scalar
from balancekit.metrics._classification import prf_from_counts
from balancekit.metrics._common import check_zero_division
from balancekit.metrics._counts import count
from balancekit.metrics._imbalanced import sensitivity_specificity_from_counts
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._select import check_labels_param, present_or

__all__ = ["check_report_options", "classification_report_imbalanced"]

COLUMNS = ("pre", "rec", "spe", "f1", "geo", "iba", "sup")
_AVERAGE_ROW = "avg / total"


def check_report_options(digits: Any, output_dict: Any) -> None:
    if isinstance(digits, bool) or not isinstance(digits, int | np.integer):
        raise TypeError(f"`digits` must be an int >= 0; got {type(digits).__name__}.")
    if digits < 0:
        raise ValueError(f"`digits` must be an int >= 0; got {digits}.")
    check_bool(output_dict, "output_dict")


def _names(target_names: Any, labels: list) -> list[str]:
    if target_names is None:
        return [f"{label}" for label in labels]
    names = [str(name) for name in target_names]
    if len(names) != len(labels):
        raise ValueError(
            f"`target_names` must name each of the {len(labels)} labels "
            f"{labels}; got {len(names)} names."
        )
    return names


def _weighted_mean(values: np.ndarray, support: np.ndarray) -> float:
    if support.sum() == 0:  # no true sample of any label: plain mean
        return float(np.mean(values))
    return float(np.average(values, weights=support))


@dask_entry_point
@label_metric_route
def classification_report_imbalanced(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    digits: int = 2,
    alpha: float = 0.1,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Build imbalanced-learn's classification report (text or dict).

    :func:`imblearn.metrics.classification_report_imbalanced` under its name,
    signature and defaults: for each label, precision (``pre``), recall (``rec``),
    specificity (``spe``), F1 (``f1``), geometric mean (``geo``,
    ``sqrt(rec * spe)``), index balanced accuracy of the G-mean (``iba``,
    ``(1 + alpha * (rec - spe)) * geo**2``) and support (``sup``), then their
    support-weighted averages (``avg / total``). The text is character for
    character imbalanced-learn's, and the dict has its keys and values.

    The counts are one confusion matrix on the labels' device (NumPy, PyTorch,
    CuPy, JAX, array-api-strict); only the O(n_classes) table comes to the host,
    where the text is written. Differences from imbalanced-learn 0.14, where it
    departs from the definitions:

    * with ``sample_weight``, ``spe``, ``geo`` and ``iba`` use the true negatives
      of the weights (imbalanced-learn's issue #1180, see
      :func:`~balancekit.metrics.sensitivity_specificity_support`);
    * when no sample is predicted right (and no ``sample_weight``), the support is
      written ``2``, not ``2.0`` (scikit-learn's confusion matrix turns float in
      that case only);
    * when the selected labels have no true sample at all, the averages are plain
      means (imbalanced-learn raises ``ZeroDivisionError``);
    * dict values are Python ``float``/``int`` (imbalanced-learn: NumPy scalars of
      the same values).

    Parameters
    ----------
    y_true, y_pred : array of shape (n_samples,)
        True and predicted class labels.
    labels : array-like, default=None
        Labels to report, in order. Default: every label of ``y_true`` or
        ``y_pred``, sorted.
    target_names : list of str, default=None
        Display names of ``labels``, in the same order.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights. The support is then the sum of the weights
        (a float, as in imbalanced-learn).
    digits : int, default=2
        Digits of the text report (``output_dict`` values are not rounded).
    alpha : float, default=0.1
        Weight of the dominance in the IBA.
    output_dict : bool, default=False
        Return a dict instead of text.
    zero_division : {"warn", 0, 1, np.nan}, default="warn"
        The value of an undefined precision, recall or F1 ("warn": 0.0 and a
        warning).

    Returns
    -------
    report : str or dict
        The dict maps each name to ``{"pre": ..., ..., "sup": ...}`` and has the keys
        ``"avg_pre"``, ..., ``"avg_iba"`` and ``"total_support"``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import classification_report_imbalanced
    >>> y_true = np.array([0, 1, 2, 2, 2])
    >>> y_pred = np.array([0, 0, 2, 2, 1])
    >>> names = ["class 0", "class 1", "class 2"]
    >>> report = classification_report_imbalanced(y_true, y_pred, target_names=names)
    >>> print(report)
                       pre       rec       spe        f1       geo       iba       sup
    <BLANKLINE>
        class 0       0.50      1.00      0.75      0.67      0.87      0.77         1
        class 1       0.00      0.00      0.75      0.00      0.00      0.00         1
        class 2       1.00      0.67      1.00      0.80      0.82      0.64         3
    <BLANKLINE>
    avg / total       0.70      0.60      0.90      0.61      0.66      0.54         5
    <BLANKLINE>
    >>> weighted = classification_report_imbalanced(
    ...     y_true, y_pred, sample_weight=[1, 1, 2, 2, 2], output_dict=True
    ... )
    >>> weighted["2"]["sup"], weighted["total_support"]
    (6.0, 8.0)
    """
    return _report(
        y_true,
        y_pred,
        labels=labels,
        target_names=target_names,
        sample_weight=sample_weight,
        digits=digits,
        alpha=alpha,
        output_dict=output_dict,
        zero_division=zero_division,
    )


def _report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any,
    target_names: Any,
    sample_weight: Any,
    digits: int,
    alpha: float,
    output_dict: bool,
    zero_division: Any,
) -> str | dict[str, Any]:
    """imbalanced-learn's table; a weighted support is a float even for integer
    weights (imbalanced-learn's)."""
    check_report_options(digits, output_dict)
    alpha = check_scalar(alpha, "alpha")
    check_zero_division(zero_division)
    labels = check_labels_param(labels)
    counts = count(y_true, y_pred, sample_weight)
    selected = present_or(counts, labels)
    names = _names(target_names, selected)
    xp = counts.xp
    precision, recall, f1, support = prf_from_counts(
        counts,
        selected,
        beta=1.0,
        average=None,
        warn_for=("precision", "recall", "f-score"),
        zero_division=zero_division,
    )
    sensitivity, specificity, _ = sensitivity_specificity_from_counts(
        counts, selected, warn_for=("specificity",) if zero_division == "warn" else ()
    )
    geo = xp.sqrt(sensitivity * specificity)
    iba = (1.0 + alpha * (sensitivity - specificity)) * geo**2
    support_float = xp.astype(support, counts.float_dtype)
    table = to_host(
        xp.stack([precision, recall, specificity, f1, geo, iba, support_float]), xp
    )
    integer_support = xp.isdtype(support.dtype, "integral") and sample_weight is None
    sup = table[-1].astype(np.int64) if integer_support else table[-1]
    report: dict[str, Any] = {}
    for i, name in enumerate(names):
        row: dict[str, Any] = {
            c: float(v) for c, v in zip(COLUMNS[:-1], table[:-1, i], strict=True)
        }
        row["sup"] = sup[i].item()
        report[name] = row
    for column, values in zip(COLUMNS[:-1], table[:-1], strict=True):
        report[f"avg_{column}"] = _weighted_mean(values, table[-1])
    report["total_support"] = sup.sum().item()
    if output_dict:
        return report
    return _render(report, names, table, sup, digits)


def _render(
    report: dict[str, Any],
    names: list[str],
    table: np.ndarray,
    sup: np.ndarray,
    digits: int,
) -> str:
    width = max([*(len(n) for n in names), len(_AVERAGE_ROW), digits])
    line = f"{{:>{width}}}  " + " ".join(["{:>9}"] * len(COLUMNS)) + "\n"
    text = line.format("", *COLUMNS) + "\n"
    for i, name in enumerate(names):
        scores = [f"{v:0.{digits}f}" for v in table[:-1, i]]
        text += line.format(name, *scores, f"{sup[i]}")
    averages = [f"{report[f'avg_{c}']:0.{digits}f}" for c in COLUMNS[:-1]]
    text += "\n" + line.format(_AVERAGE_ROW, *averages, f"{report['total_support']}")
    return text
