"""Which labels a metric reports on: ``labels=``, ``pos_label=`` and ``average=``.

The rules are scikit-learn's (``_check_set_wise_labels``); they run on the host, on
the O(n_classes) present labels only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from balancekit._array_api import to_host
from balancekit._warnings import user_stacklevel
from balancekit.metrics._counts import Counts

__all__ = [
    "check_labels_param",
    "present_or",
    "set_wise_labels",
    "warn_ignored_pos_label",
]


def host_label_list(labels: Any) -> list:
    """``labels=`` (a list or an array of any namespace) as a host list of Python
    scalars, checked 1-D; empty lists and repeats are left to the caller.

    Examples
    --------
    >>> import numpy as np
    >>> host_label_list(np.array([2, 0]))
    [2, 0]
    """
    if hasattr(labels, "__array_namespace__") and not isinstance(labels, np.ndarray):
        import array_api_compat

        labels = to_host(labels, array_api_compat.array_namespace(labels))
    values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(
            f"`labels` must be a 1-D list of class labels; got shape {values.shape}."
        )
    return [v.item() if isinstance(v, np.generic) else v for v in values.tolist()]


def check_labels_param(labels: Any) -> list | None:
    """``labels=`` as a host list of Python scalars; refuse empty or repeated ones."""
    if labels is None:
        return None
    host = host_label_list(labels)
    if not host:
        raise ValueError(
            "`labels` should contain at least one label; got an empty list. Pass "
            "None to use every label found in `y_true` and `y_pred`."
        )
    if len(set(host)) != len(host):
        repeated = sorted({str(v) for v in host if host.count(v) > 1})
        raise ValueError(
            f"`labels` must not repeat a label; {', '.join(repeated)} occur more than "
            "once."
        )
    return host


def set_wise_labels(
    counts: Counts, labels: list | None, average: Any, pos_label: Any
) -> list:
    """The labels whose scores are computed, in order (scikit-learn's rules).

    ``average='binary'`` needs binary targets and reports ``pos_label`` only; with
    other averages a ``pos_label`` other than 1 or None is ignored with a warning.
    """
    if average == "binary":
        if counts.y_type != "binary":
            raise ValueError(
                f"Target is {counts.y_type} but average='binary'. Please choose "
                "another average setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        if not counts.contains(pos_label) and counts.present.shape[0] >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one of "
                f"{counts.present.tolist()}."
            )
        return [pos_label]
    warn_ignored_pos_label(pos_label, average)
    return present_or(counts, labels)


def warn_ignored_pos_label(pos_label: Any, average: Any) -> None:
    """scikit-learn's UserWarning: ``pos_label`` other than 1 or None is ignored when
    ``average != 'binary'``."""
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
            f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
            "single positive class.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def present_or(counts: Counts, labels: list | None) -> list:
    """``labels`` if given, else the present labels in sorted order."""
    if labels is not None:
        return labels
    return [v.item() if isinstance(v, np.generic) else v for v in counts.present]
