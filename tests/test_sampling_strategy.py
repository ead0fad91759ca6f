"""`sampling_strategy` resolution against imbalanced-learn's, errors included."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy as imblearn_check

from balancekit import check_sampling_strategy
from balancekit.utils import SAMPLING_TYPES, resolve_sampling_strategy

COUNT_SETS = {
    "binary": {0: 90, 1: 10},
    "binary-minority-first": {0: 10, 1: 90},
    "binary-tie": {0: 50, 1: 50},
    "three-class": {0: 101, 1: 303, 2: 596},
    "three-class-ties": {0: 10, 1: 10, 2: 30},
    "strings": {"a": 5, "b": 20, "c": 20},
}


def _over_under_dicts(counts):
    classes = list(counts)
    low, high = classes[0], classes[-1]
    return [
        {low: counts[low] + 7},  # more than present: fine for over, too many for under
        {high: max(counts[high] - 3, 0)},  # fewer: fine for under, too few for over
        {c: max(counts.values()) for c in classes},
        {low: counts[low]},
        {low: -1},
        {"zzz" if isinstance(low, str) else 99: 5},
    ]


def _callables(counts):
    classes = list(counts)
    return [
        lambda y: {classes[0]: int(np.sum(y == classes[0])) + 4},
        lambda y: {classes[-1]: 1},
    ]


def _strategies(counts):
    classes = list(counts)
    names = ["auto", "minority", "majority", "not minority", "not majority", "all"]
    floats = [0.5, 1.0, 0.05, 0.999, 1.5, 0.0, -0.1, 1]
    lists = [[classes[0]], classes[:2], ["zzz" if isinstance(classes[0], str) else 99]]
    return [
        *names,
        "bogus",
        *floats,
        *_over_under_dicts(counts),
        *lists,
        *_callables(counts),
    ]


def _labels(counts):
    y = np.repeat(np.array(list(counts)), list(counts.values()))
    return np.random.default_rng(0).permutation(y)


CASES = [
    pytest.param(counts, strategy, sampling_type, id=f"{name}-{i}-{sampling_type}")
    for name, counts in COUNT_SETS.items()
    for i, strategy in enumerate(_strategies(counts))
    for sampling_type in SAMPLING_TYPES
]


def _outcome(func):
    try:
        return "ok", func()
    except ValueError as exc:
        return "ValueError", str(exc)


@pytest.mark.parametrize(("counts", "strategy", "sampling_type"), CASES)
def test_matches_imblearn_on_every_form(counts, strategy, sampling_type):
    y = _labels(counts)
    expected = _outcome(lambda: imblearn_check(strategy, y, sampling_type))
    got = _outcome(
        lambda: resolve_sampling_strategy(strategy, counts, sampling_type, y=y)
    )
    assert got[0] == expected[0], (got, expected)
    if expected[0] == "ok":
        assert got[1] == expected[1]
        if isinstance(expected[1], dict):
            assert list(got[1]) == list(expected[1])  # same (sorted) order


def test_table_covers_every_outcome():
    # The table above must exercise both results and errors for every sampling type.
    outcomes = set()
    for param in CASES:
        counts, strategy, sampling_type = param.values
        status, _ = _outcome(
            lambda c=counts, s=strategy, t=sampling_type: resolve_sampling_strategy(
                s, c, t, y=_labels(c)
            )
        )
        outcomes.add((sampling_type, status))
    assert outcomes == set(itertools.product(SAMPLING_TYPES, ["ok", "ValueError"])) - {
        ("ensemble", "ValueError"),
        ("bypass", "ValueError"),
    }


@pytest.mark.parametrize("sampling_type", ["over-sampling", "under-sampling"])
def test_single_class_is_rejected_naming_the_class_count(sampling_type):
    with pytest.raises(ValueError, match="at least 2 classes"):
        resolve_sampling_strategy("auto", {3: 10}, sampling_type)


def test_error_messages_name_the_parameter():
    with pytest.raises(
        ValueError, match=r"`sampling_strategy` as a float must be in \(0, 1\]"
    ):
        resolve_sampling_strategy(1.5, {0: 9, 1: 1}, "over-sampling")
    with pytest.raises(ValueError, match="float only when `y` has two classes"):
        resolve_sampling_strategy(0.5, {0: 9, 1: 1, 2: 3}, "over-sampling")
    with pytest.raises(ValueError, match="asks for 5 samples of class 0, which has 9"):
        resolve_sampling_strategy({0: 5}, {0: 9, 1: 1}, "over-sampling")
    with pytest.raises(ValueError, match="negative counts"):
        resolve_sampling_strategy({0: -5}, {0: 9, 1: 1}, "under-sampling")
    with pytest.raises(ValueError, match="must be one of"):
        resolve_sampling_strategy("balanced", {0: 9, 1: 1}, "over-sampling")


@pytest.mark.parametrize("bad", [True, None, {1, 2}, (0, 1)])
def test_unsupported_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="sampling_strategy"):
        resolve_sampling_strategy(bad, {0: 9, 1: 1}, "over-sampling")


def test_dict_values_must_be_whole_numbers():
    with pytest.raises(TypeError, match="whole number"):
        resolve_sampling_strategy({1: 2.5}, {0: 9, 1: 1}, "over-sampling")


def test_public_check_on_tensor_labels_matches_numpy():
    y = _labels({0: 90, 1: 10, 2: 30})
    expected = imblearn_check("not minority", y, "under-sampling")
    assert (
        check_sampling_strategy("not minority", torch.as_tensor(y), "under-sampling")
        == expected
    )


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 400), min_size=2, max_size=5),
    data=st.data(),
)
def test_random_dicts_match_imblearn(counts, data):
    class_counts = dict(enumerate(counts))
    sampling_type = data.draw(st.sampled_from(["over-sampling", "under-sampling"]))
    targeted = data.draw(
        st.lists(st.sampled_from(list(class_counts)), min_size=1, unique=True)
    )
    strategy = {c: data.draw(st.integers(0, 2 * class_counts[c] + 1)) for c in targeted}
    y = _labels(class_counts)
    expected = _outcome(lambda: imblearn_check(strategy, y, sampling_type))
    got = _outcome(
        lambda: resolve_sampling_strategy(strategy, class_counts, sampling_type)
    )
    assert got[0] == expected[0]
    if got[0] == "ok":
        assert got[1] == expected[1]


@settings(max_examples=60, deadline=None)
@given(
    n_minority=st.integers(1, 500),
    n_majority=st.integers(1, 500),
    ratio=st.floats(0.001, 1.0),
    sampling_type=st.sampled_from(["over-sampling", "under-sampling"]),
)
def test_random_float_ratios_match_imblearn(
    n_minority, n_majority, ratio, sampling_type
):
    class_counts = {0: n_majority, 1: n_minority}
    y = _labels(class_counts)
    expected = _outcome(lambda: imblearn_check(ratio, y, sampling_type))
    got = _outcome(
        lambda: resolve_sampling_strategy(ratio, class_counts, sampling_type)
    )
    assert got == expected if got[0] == "ok" else got[0] == expected[0]


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("balancd", "balanced"),
        ("Balanced", "balanced"),
        ("sqr", "sqrt"),
        ("atuo", "auto"),
    ],
)
def test_a_strategy_name_typo_lists_every_name_and_suggests_one(typo, suggestion):
    from balancekit import epoch_class_counts

    with pytest.raises(ValueError, match="must be one of") as error:
        epoch_class_counts(typo, {0: 90, 1: 10})
    for name in ("'balanced'", "'sqrt'", "'auto'", "'not minority'"):
        assert name in str(error.value)
    assert f"Did you mean {suggestion!r}?" in str(error.value)


def test_a_sampler_strategy_typo_suggests_the_name():
    from balancekit import RandomOverSampler

    X, y = np.zeros((10, 1)), np.array([0] * 8 + [1] * 2)
    with pytest.raises(ValueError, match="Did you mean 'not minority'"):
        RandomOverSampler(sampling_strategy="not_minority").fit_resample(X, y)
