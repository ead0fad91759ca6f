"""The demo behind ``balancekit demo``: every sampler on a real imbalanced data set.

It loads scikit-learn's bundled breast-cancer data (569 tumours, 30 features), makes it
imbalanced by keeping 40 of the 212 malignant cases, and prints the class counts before
and after each sampler, on NumPy arrays and, when PyTorch is installed, on torch
tensors.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from balancekit import RandomOverSampler, RandomUnderSampler, __version__, class_counts
from balancekit._typing import Array

__all__ = ["load_imbalanced_breast_cancer", "run_demo"]


def load_imbalanced_breast_cancer(
    n_malignant: int = 40, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Breast-cancer data with the malignant class cut down to ``n_malignant`` rows.

    Returns ``X`` (float64, standardised), integer ``y`` (0 malignant, 1 benign) and the
    class names.

    Examples
    --------
    >>> X, y, names = load_imbalanced_breast_cancer()
    >>> X.shape, np.bincount(y).tolist(), names
    ((397, 30), [40, 357], ['malignant', 'benign'])
    """
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    cut = RandomUnderSampler(
        sampling_strategy={0: n_malignant}, random_state=random_state
    )
    X, y = cut.fit_resample(data.data, data.target)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y, [str(name) for name in data.target_names]


def _describe(array: Array) -> str:
    kind = type(array).__module__.split(".")[0]
    device = getattr(array, "device", "cpu")
    dtype = str(array.dtype).replace("torch.", "")
    return f"{kind} {dtype} on {device}"


def _counts_text(y: Array, names: list[str]) -> str:
    return ", ".join(f"{names[int(c)]} {n}" for c, n in class_counts(y).items())


def _samplers() -> list[tuple[str, Callable[[], Any]]]:
    return [
        ("RandomOverSampler()", lambda: RandomOverSampler(random_state=0)),
        (
            "RandomOverSampler(shrinkage=0.5)",
            lambda: RandomOverSampler(random_state=0, shrinkage=0.5),
        ),
        (
            "RandomOverSampler(sampling_strategy=0.5)",
            lambda: RandomOverSampler(random_state=0, sampling_strategy=0.5),
        ),
        ("RandomUnderSampler()", lambda: RandomUnderSampler(random_state=0)),
        (
            "RandomUnderSampler(replacement=True)",
            lambda: RandomUnderSampler(random_state=0, replacement=True),
        ),
    ]


def _inputs(X: np.ndarray, y: np.ndarray) -> list[tuple[Any, Any]]:
    inputs: list[tuple[Any, Any]] = [(X, y)]
    if importlib.util.find_spec("torch") is not None:
        import torch

        inputs.append((torch.from_numpy(X).float(), torch.from_numpy(y)))
    return inputs


def run_demo(print_fn: Callable[[str], None] = print) -> None:
    """Print class counts before and after each sampler on NumPy and torch input."""
    X, y, names = load_imbalanced_breast_cancer()
    print_fn(f"balancekit {__version__} demo")
    print_fn(
        "data: scikit-learn breast cancer, malignant class cut to 40 rows: "
        f"{X.shape[0]} samples x {X.shape[1]} features"
    )
    print_fn(f"classes before: {_counts_text(y, names)}")
    if importlib.util.find_spec("torch") is None:
        print_fn(
            "(PyTorch is not installed: showing NumPy only; pip install "
            "balancekit[torch])"
        )
    header = (
        f"{'sampler':<42} {'input -> output':<46} {'rows':>5}  {'ms':>6}  classes after"
    )
    print_fn("")
    print_fn(header)
    print_fn("-" * len(header))
    for X_in, y_in in _inputs(X, y):
        for label, make in _samplers():
            start = time.perf_counter()
            X_out, y_out = make().fit_resample(X_in, y_in)
            elapsed_ms = 1000 * (time.perf_counter() - start)
            io = f"{_describe(X_in)} -> {_describe(X_out)}"
            print_fn(
                f"{label:<42} {io:<46} {X_out.shape[0]:>5}  {elapsed_ms:>6.1f}  "
                f"{_counts_text(y_out, names)}"
            )
    print_fn("")
    print_fn(
        "Same seed, same rows on every library: the draws are made once on the host "
        "and moved to the data's device."
    )
