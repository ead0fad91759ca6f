"""Python-side parameter checks of the TensorFlow batch augmentations.

One check per function of :mod:`balancekit.tensorflow.augmentation`, run when the
function is called (or traced) and, through :data:`PARAMETER_CHECKS`, by
``augment_batches`` before any dataset is built, so a bad ``alpha`` fails at once
rather than inside ``Dataset.map``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from balancekit._params import check_int, check_scalar
from balancekit.augmentation._mixup import (
    check_class_counts_of,
    check_class_indices,
    check_num_classes,
)

__all__ = [
    "PARAMETER_CHECKS",
    "check_mixup",
    "check_noise",
    "check_remix",
    "check_smote",
    "checked_by",
]

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[..., dict[str, Any]]

PARAMETER_CHECKS: dict[Callable[..., Any], Check] = {}
"""Augmentation function -> its parameter check (keyword arguments named as the
function's, returning the checked values)."""


def checked_by(check: Check) -> Callable[[F], F]:
    """Register ``check`` as the parameter check of the decorated function (which is
    returned unchanged)."""

    def register(fn: F) -> F:
        PARAMETER_CHECKS[fn] = check
        return fn

    return register


def check_mixup(*, num_classes: Any, alpha: Any) -> dict[str, Any]:
    """Parameters of ``mixup`` and ``balanced_mixup``."""
    return {
        "num_classes": check_num_classes(num_classes),
        "alpha": check_scalar(alpha, "alpha", low=0.0, low_open=True),
    }


def check_remix(
    *, num_classes: Any, alpha: Any, kappa: Any, tau: Any, class_counts: Any
) -> dict[str, Any]:
    """Parameters of ``remix``."""
    params = check_mixup(num_classes=num_classes, alpha=alpha)
    params["kappa"] = check_scalar(kappa, "kappa", low=1.0)
    params["tau"] = check_scalar(tau, "tau", low=0.0, high=1.0)
    params["class_counts"] = (
        None
        if class_counts is None
        else check_class_counts_of(class_counts, params["num_classes"])
    )
    return params


def check_smote(
    *, num_classes: Any, k_neighbors: Any, n_new: Any, target_class: Any
) -> dict[str, Any]:
    """Parameters of ``smote_batch``."""
    num_classes = check_num_classes(num_classes)
    try:
        k_neighbors = check_int(k_neighbors, "k_neighbors")
    except TypeError as exc:
        raise TypeError(
            f"{exc} TensorFlow takes no neighbours objects (the kNN is in the graph)."
        ) from None
    n_new = check_int(n_new, "n_new", low=0, allow_none=True)
    targets = (
        None
        if target_class is None
        else sorted(set(check_class_indices(target_class, "target_class", num_classes)))
    )
    return {
        "num_classes": num_classes,
        "k_neighbors": k_neighbors,
        "n_new": n_new,
        "target_class": targets,
    }


def check_noise(*, num_classes: Any, std: Any, classes: Any) -> dict[str, Any]:
    """Parameters of ``gaussian_noise``."""
    num_classes = check_num_classes(num_classes)
    return {
        "num_classes": num_classes,
        "std": check_scalar(std, "std", low=0.0, low_open=True),
        "classes": (
            None
            if classes is None
            else check_class_indices(classes, "classes", num_classes)
        ),
    }
