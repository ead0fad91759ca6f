"""Seeded random inputs and comparison helpers shared by the metrics tests."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

RTOL = 1e-12


@dataclass
class Case:
    y_true: np.ndarray
    y_pred: np.ndarray
    sample_weight: np.ndarray | None
    labels: list | None

    def kwargs(self, *, labels: bool = True, weights: bool = True) -> dict:
        out: dict[str, Any] = {}
        if labels and self.labels is not None:
            out["labels"] = self.labels
        if weights and self.sample_weight is not None:
            out["sample_weight"] = self.sample_weight
        return out


def random_cases(seed: int, n_cases: int, *, strings: bool = False) -> Iterator[Case]:
    """Imbalanced labels with gaps, absent and single classes, weights and subsets."""
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        n_classes = int(rng.integers(1, 6))
        pool = np.sort(rng.choice(12, size=n_classes + 1, replace=False))
        if strings:
            pool = np.array([f"c{v:02d}" for v in pool])
        present = pool[:n_classes]
        probabilities = rng.dirichlet(np.full(n_classes, 0.7))
        n_samples = int(rng.integers(1, 40))
        y_true = rng.choice(present, size=n_samples, p=probabilities)
        correct = rng.random(n_samples) < rng.random()
        y_pred = np.where(correct, y_true, rng.choice(pool, size=n_samples))
        sample_weight = None
        kind = rng.integers(3)
        if kind == 1:
            sample_weight = rng.random(n_samples) * 3
        elif kind == 2:
            sample_weight = rng.integers(0, 4, size=n_samples)
        labels = None
        if rng.random() < 0.4:
            n_labels = int(rng.integers(1, pool.shape[0] + 1))
            labels = rng.permutation(pool)[:n_labels].tolist()
        yield Case(y_true, y_pred, sample_weight, labels)


def call(function: Callable, *args: Any, **kwargs: Any) -> tuple[Any, Any, set]:
    """(result, exception type, UndefinedMetricWarning messages) of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = function(*args, **kwargs), None
        except ValueError as exc:
            result, error = None, type(exc)
    messages = {
        str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)
    }
    return result, error, messages


def assert_same(ours: Any, theirs: Any, rtol: float = RTOL) -> None:
    """Equal values (NaN == NaN), tuples element-wise, None == None."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_same(a, b, rtol)
        return
    if theirs is None:
        assert ours is None
        return
    ours_arr, theirs_arr = np.asarray(ours), np.asarray(theirs)
    assert ours_arr.shape == theirs_arr.shape, (ours_arr, theirs_arr)
    np.testing.assert_allclose(
        ours_arr.astype(float), theirs_arr.astype(float), rtol=rtol, atol=1e-15
    )


def same_outcome(ours: tuple, theirs: tuple, *, messages: bool = True) -> None:
    """Both raise, or both give the same values (and the same warnings)."""
    (value, error, warned), (ref_value, ref_error, ref_warned) = ours, theirs
    assert error == ref_error, (error, ref_error)
    if ref_error is None:
        assert_same(value, ref_value)
        if messages:
            assert warned == ref_warned
        else:
            assert bool(warned) == bool(ref_warned)


def isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
