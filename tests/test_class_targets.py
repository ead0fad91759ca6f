"""Per-epoch class targets: imbalanced-learn's forms match its samplers, distributions
and the progressive schedule match their definitions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler

from balancekit import ProgressiveSchedule, epoch_class_counts
from balancekit._class_targets import largest_remainder

COUNTS = {0: 60, 1: 25, 2: 10, 3: 5}
IMBLEARN_FORMS = [
    "auto",
    "minority",
    "not minority",
    "not majority",
    "all",
    {1: 40, 3: 30},
]


def _labels(counts):
    return np.repeat(list(counts), list(counts.values()))


@pytest.mark.parametrize("strategy", [*IMBLEARN_FORMS, "majority"])
@pytest.mark.parametrize("mode", ["over", "under"])
def test_imblearn_forms_give_imblearn_counts(strategy, mode):
    refused = {"over": "majority", "under": "minority"}[mode]
    if strategy == refused:  # imbalanced-learn refuses these too
        with pytest.raises(ValueError, match=refused):
            epoch_class_counts(strategy, COUNTS, mode=mode)
        return
    if mode == "under" and isinstance(strategy, dict):
        strategy = {1: 5, 3: 2}
    y = _labels(COUNTS)
    peer = RandomOverSampler if mode == "over" else RandomUnderSampler
    _, y_peer = peer(sampling_strategy=strategy, random_state=0).fit_resample(
        y.reshape(-1, 1), y
    )
    expected = Counter(y_peer.tolist())
    ours = epoch_class_counts(strategy, COUNTS, mode=mode)
    assert ours.tolist() == [expected[c] for c in COUNTS]


def test_float_ratio_binary():
    counts = {0: 90, 1: 10}
    assert epoch_class_counts(0.5, counts).tolist() == [90, 45]
    assert epoch_class_counts(0.5, counts, mode="under").tolist() == [20, 10]


def test_distributions():
    n = sum(COUNTS.values())
    assert epoch_class_counts("balanced", COUNTS).tolist() == [25] * 4
    sqrt = np.sqrt(list(COUNTS.values()))
    assert (
        epoch_class_counts("sqrt", COUNTS).tolist()
        == largest_remainder(sqrt / sqrt.sum(), n).tolist()
    )
    dist = {0: 0.25, 2: 0.75}
    assert epoch_class_counts(dist, COUNTS, num_samples=8).tolist() == [2, 0, 6, 0]


def test_num_samples_scales_imblearn_forms():
    counts = epoch_class_counts("auto", COUNTS, num_samples=1000)
    assert counts.tolist() == [250] * 4


@pytest.mark.parametrize("epoch", [0, 1, 2, 5])
def test_progressive_schedule(epoch):
    schedule = ProgressiveSchedule(n_epochs=4, start_epoch=1)
    q = {0: 1.0, 1: 1.0, 2: 0.75, 5: 0.0}[epoch]
    weights = np.array(list(COUNTS.values()), dtype=float) ** q
    expected = largest_remainder(weights / weights.sum(), 100)
    got = epoch_class_counts(schedule, COUNTS, epoch=epoch)
    assert got.tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8).filter(lambda p: sum(p) > 0),
    st.integers(0, 10_000),
)
def test_largest_remainder_sums_and_is_close(p, total):
    probabilities = np.array(p) / sum(p)
    counts = largest_remainder(probabilities, total)
    assert counts.sum() == total
    assert np.all(np.abs(counts - probabilities * total) < 1)


@pytest.mark.parametrize(
    ("strategy", "kwargs", "error", "match"),
    [
        ({9: 1.0}, {}, ValueError, "no samples"),
        ({0: 0.5, 1: 0.4}, {}, ValueError, "sum to 1"),
        ({0: -0.5, 1: 1.5}, {}, ValueError, ">= 0"),
        ({0: "a"}, {}, TypeError, "ints"),
        ("sideways", {}, ValueError, "sampling_strategy"),
        ("auto", {"mode": "both"}, ValueError, "`mode`"),
    ],
)
def test_bad_strategies(strategy, kwargs, error, match):
    with pytest.raises(error, match=match):
        epoch_class_counts(strategy, COUNTS, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n_epochs": 0}, ValueError),
        ({"n_epochs": 1.5}, TypeError),
        ({"n_epochs": 2, "start_epoch": -1}, ValueError),
    ],
)
def test_bad_schedule(kwargs, error):
    with pytest.raises(error):
        ProgressiveSchedule(**kwargs)
