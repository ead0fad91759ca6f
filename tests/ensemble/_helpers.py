"""Shared data, oracles and the equivalence test of the ensemble tests."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

SEEDS = range(20)


def make_data(weights=(0.75, 0.25), n_samples=300, n_classes=2, seed=0):
    """A small imbalanced classification set (float64 X, int y)."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=1,
        n_classes=n_classes,
        weights=list(weights),
        random_state=seed,
    )
    return X, y


@dataclass(frozen=True)
class Split:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _split(name, X, y) -> Split:
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    return Split(name, X_train, y_train, X_test, y_test)


def benchmark_splits() -> list[Split]:
    """Three imbalanced problems for the accuracy comparisons over seeds."""
    binary = make_classification(
        n_samples=1200, n_features=10, n_informative=5, weights=[0.9], random_state=1
    )
    rare = make_classification(
        n_samples=1600,
        n_features=8,
        n_informative=4,
        weights=[0.95],
        flip_y=0.02,
        class_sep=0.8,
        random_state=2,
    )
    multiclass = make_classification(
        n_samples=1500,
        n_features=10,
        n_informative=6,
        n_classes=3,
        weights=[0.75, 0.18, 0.07],
        random_state=3,
    )
    return [
        _split("binary 1:9", *binary),
        _split("binary 1:19, noisy", *rare),
        _split("3 classes 75/18/7", *multiclass),
    ]


def balanced_accuracies(
    make: Callable[[int], object], split: Split, seeds: Iterable[int] = SEEDS
) -> np.ndarray:
    """Held-out balanced accuracy of ``make(seed).fit(train)`` for every seed."""
    return np.array(
        [
            balanced_accuracy_score(
                split.y_test,
                make(seed).fit(split.X_train, split.y_train).predict(split.X_test),
            )
            for seed in seeds
        ]
    )


@dataclass(frozen=True)
class Equivalence:
    """Two one-sided paired t-tests (TOST) on per-seed score differences."""

    mean_difference: float
    low: float
    high: float
    margin: float

    @property
    def equivalent(self) -> bool:
        return -self.margin < self.low and self.high < self.margin

    def __str__(self) -> str:
        return (
            f"mean difference {self.mean_difference:+.4f}, 90% CI [{self.low:+.4f}, "
            f"{self.high:+.4f}], margin {self.margin}"
        )


def equivalence(ours: np.ndarray, peer: np.ndarray, margin: float) -> Equivalence:
    """TOST at 5%: equivalent when the 90% CI of the mean paired difference lies
    within ``(-margin, margin)``."""
    difference = np.asarray(ours) - np.asarray(peer)
    n = difference.size
    mean = float(difference.mean())
    half = float(stats.t.ppf(0.95, n - 1) * difference.std(ddof=1) / math.sqrt(n))
    return Equivalence(mean, mean - half, mean + half, margin)


def keep_every_row(y) -> dict:
    """A sampling_strategy that keeps each class whole (under-sampling to its size)."""
    classes, counts = np.unique(np.asarray(y), return_counts=True)
    return {cls.item(): int(n) for cls, n in zip(classes, counts, strict=True)}


def host_inputs(backend, X, y):
    """``X`` and ``y`` in the backend's library and device."""
    return backend.asarray(X), backend.asarray(y)
