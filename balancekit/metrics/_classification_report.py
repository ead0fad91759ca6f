"""scikit-learn's ``classification_report``: precision, recall, F1 and support per
label, then the micro (or accuracy), macro, weighted and, for multilabel indicators,
samples averages, as text or a dict with scikit-learn's keys.

The counts are taken once on the labels' device (:func:`set_wise_sums`; a second,
per-sample count for the samples average); every row is derived from them, and only
the O(n_labels) table comes to the host, where the text is written.
imbalanced-learn's report (``pre``, ``rec``, ``spe``, ``f1``, ``geo``, ``iba``,
``sup``) is :func:`balancekit.metrics.classification_report_imbalanced`.
"""

from __future__ import annotations

import warnings
from typing import Any

from balancekit._array_api import to_host
from balancekit._dask_route import dask_entry_point
from balancekit._warnings import user_stacklevel
from balancekit.metrics._classification import prf_from_sums
from balancekit.metrics._common import check_zero_division
from balancekit.metrics._inputs import label_metric_route
from balancekit.metrics._report import check_report_options
from balancekit.metrics._select import check_labels_param
from balancekit.metrics._set_wise import SetWiseSums, report_sums

__all__ = ["classification_report", "report_from_sums"]

HEADERS = ("precision", "recall", "f1-score", "support")
_WIDEST_AVERAGE = "weighted avg"


def _names(target_names: Any, labels: list, labels_given: bool) -> list[str]:
    """The row names: ``target_names``, or the labels as text (scikit-learn's rules
    for a length mismatch: a warning with ``labels``, else an error)."""
    if target_names is None:
        return [f"{label}" for label in labels]
    names = [f"{name}" for name in target_names]
    if len(names) != len(labels):
        if not labels_given:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of "
                f"target_names, {len(names)}. Try specifying the labels parameter: "
                f"`target_names` must name each of the labels {labels}."
            )
        warnings.warn(
            f"labels size, {len(labels)}, does not match size of target_names, "
            f"{len(names)}: the report has a row for the first "
            f"{min(len(labels), len(names))} only.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return names


def _averages(
    sums: SetWiseSums, samples: SetWiseSums | None, zero_division: Any
) -> dict[str, tuple]:
    """``{average: (precision, recall, f1)}`` as 0-d arrays, in the report's order."""
    rows = {}
    for average in ("micro", "macro", "weighted", "samples"):
        counted = samples if average == "samples" else sums
        if counted is None:
            continue
        rows[average] = prf_from_sums(
            counted,
            beta=1.0,
            average=average,
            warn_for=("precision", "recall", "f-score"),
            zero_division=zero_division,
        )[:3]
    return rows


def _render(per_label: list[tuple], averages: dict[str, list], digits: int) -> str:
    names = [row[0] for row in per_label]
    width = max([*(len(name) for name in names), len(_WIDEST_AVERAGE), digits])
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in HEADERS) + "\n\n"
    for name, *scores, support in per_label:
        text += f"{name:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in scores)
        text += f" {support:>9}\n"
    text += "\n"
    for heading, (*scores, support) in averages.items():
        if heading == "accuracy":
            text += f"{heading:>{width}s} " + f" {'':>9}" * 2
            text += f" {scores[2]:>9.{digits}f} {support:>9}\n"
        else:
            text += f"{heading:>{width}s} " + "".join(
                f" {v:>9.{digits}f}" for v in scores
            )
            text += f" {support:>9}\n"
    return text


def report_from_sums(
    sums: SetWiseSums,
    samples: SetWiseSums | None,
    *,
    target_names: Any,
    labels_given: bool,
    digits: int,
    output_dict: bool,
    zero_division: Any,
) -> str | dict[str, Any]:
    """The report (text or dict) of per-label counts and, for indicators, per-sample
    counts (shared by the function and the streaming metric)."""
    names = _names(target_names, sums.labels, labels_given)
    xp = sums.xp
    precision, recall, f1, support = prf_from_sums(
        sums,
        beta=1.0,
        average=None,
        warn_for=("precision", "recall", "f-score"),
        zero_division=zero_division,
    )
    averages = _averages(sums, samples, zero_division)
    columns = [precision, recall, f1, *(v for row in averages.values() for v in row)]
    flat = to_host(  # one transfer: the per-label scores, then the averages
        xp.concat([xp.reshape(xp.astype(v, sums.float_dtype), (-1,)) for v in columns]),
        xp,
    )
    n_labels = len(sums.labels)
    table = flat[: 3 * n_labels].reshape(3, n_labels)
    average_scores = flat[3 * n_labels :]
    host_support = to_host(support, xp)
    total = host_support.sum()
    per_label = [  # zip: a shorter ``target_names`` (with a warning) cuts the rows
        (name, *table[:3, i].tolist(), host_support[i])
        for name, i in zip(names, range(len(sums.labels)), strict=False)
    ]
    micro_is_accuracy = not sums.multilabel and set(sums.labels) >= set(sums.present)
    rows: dict[str, list] = {}
    for k, average in enumerate(averages):
        heading = f"{average} avg"
        if average == "micro" and micro_is_accuracy:
            heading = "accuracy"
        rows[heading] = [*average_scores[3 * k : 3 * k + 3].tolist(), total]
    if not output_dict:
        return _render(per_label, rows, digits)
    report: dict[str, Any] = {
        name: dict(zip(HEADERS, (*scores, float(s)), strict=True))
        for name, *scores, s in per_label
    }
    for heading, (*scores, s) in rows.items():
        report[heading] = dict(zip(HEADERS, (*scores, float(s)), strict=True))
    if "accuracy" in report:
        report["accuracy"] = report["accuracy"]["precision"]
    return report


@dask_entry_point
@label_metric_route
def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Build a text report (or dict) of precision, recall, F1 and support.

    Same arguments, text and dict as :func:`sklearn.metrics.classification_report`,
    for binary, multiclass and multilabel indicator targets: one row per label, then
    ``micro avg`` (``accuracy`` when every label of the data is reported, for 1-D
    labels), ``macro avg``, ``weighted avg`` and, for indicators, ``samples avg``.
    The counts are taken where the labels live; only the O(n_labels) table comes to
    the host. For imbalanced-learn's columns (specificity, G-mean, IBA) use
    :func:`classification_report_imbalanced`.

    Parameters
    ----------
    y_true : array of shape (n_samples,) or (n_samples, n_labels)
        True class labels, or a multilabel indicator of 0/1 values.
    y_pred : array of shape (n_samples,) or (n_samples, n_labels)
        Predicted class labels, or a multilabel indicator like ``y_true``.
    labels : array-like, default=None
        Labels (column indices for indicators) to report, in order. Default: every
        label found, sorted (every column).
    target_names : list of str, default=None
        Display names of ``labels``, in the same order.
    sample_weight : array of shape (n_samples,), default=None
        Non-negative sample weights (the support is then their sum).
    digits : int, default=2
        Digits of the text report (``output_dict`` values are not rounded).
    output_dict : bool, default=False
        Return a dict instead of text.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value of an undefined precision, recall or F1 ("warn": 0.0 and an
        ``sklearn.exceptions.UndefinedMetricWarning``).

    Returns
    -------
    report : str or dict
        The dict maps each name, and ``"micro avg"`` (or ``"accuracy"``, a float),
        ``"macro avg"``, ``"weighted avg"`` (``"samples avg"``), to
        ``{"precision": ..., "recall": ..., "f1-score": ..., "support": ...}`` of
        Python floats.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.metrics import classification_report
    >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    >>> y_pred = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0]])
    >>> print(classification_report(y_true, y_pred, target_names=["a", "b", "c"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               a       1.00      1.00      1.00         2
               b       1.00      0.50      0.67         2
               c       0.00      0.00      0.00         1
    <BLANKLINE>
       micro avg       1.00      0.60      0.75         5
       macro avg       0.67      0.50      0.56         5
    weighted avg       0.80      0.60      0.67         5
     samples avg       1.00      0.67      0.78         5
    <BLANKLINE>
    """
    check_report_options(digits, output_dict)
    check_zero_division(zero_division)
    labels_given = labels is not None
    labels = check_labels_param(labels)
    sums, samples = report_sums(y_true, y_pred, sample_weight, labels)
    return report_from_sums(
        sums,
        samples,
        target_names=target_names,
        labels_given=labels_given,
        digits=digits,
        output_dict=output_dict,
        zero_division=zero_division,
    )
