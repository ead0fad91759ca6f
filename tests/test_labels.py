"""Class counting on every backend, through both paths (bincount and unique)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancekit import class_counts


@pytest.mark.parametrize(
    "labels",
    [
        [3, 1, 1, 0, 3, 3],  # small non-negative: bincount path
        [-2, 7, 7, -2, -2],  # negative: unique path
        [0, 70_000, 70_000],  # beyond the bincount bound: unique path
        [True, False, True],
        [2.0, 0.0, 2.0],  # whole-number floats
    ],
)
def test_counts_on_every_backend(backend, labels):
    y = np.array(labels)
    counts = class_counts(backend.asarray(y))
    assert counts == dict(sorted(Counter(y.tolist()).items()))
    assert all(type(n) is int for n in counts.values())


def test_counts_of_pandas_and_strings():
    pd = pytest.importorskip("pandas")
    assert class_counts(pd.Series(["b", "a", "b"], name="t")) == {"a": 1, "b": 2}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-5, 70_000), min_size=1, max_size=200))
def test_counts_match_counter(values):
    assert class_counts(np.array(values)) == dict(sorted(Counter(values).items()))
