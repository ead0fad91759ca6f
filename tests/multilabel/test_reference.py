"""The samplers against slow references from the papers' pseudo-code: same seed,
same rows (exact), on random indicators found by hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancekit.multilabel import (
    MLROS,
    MLRUS,
    MLSMOTE,
    LabelPowersetRandomOverSampler,
    LabelPowersetRandomUnderSampler,
)
from balancekit.over_sampling import RandomOverSampler
from balancekit.under_sampling import RandomUnderSampler
from tests.multilabel import _reference as ref

SETTINGS = settings(max_examples=40, deadline=None)


def make_data(seed: int, n: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Features (distinct floats) and a skewed indicator with at least one 1."""
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.03, 0.9, size=q)
    Y = (rng.random((n, q)) < probs).astype(np.int64)
    if not Y.any():
        Y[0, 0] = 1
    return rng.normal(size=(n, 3)), Y


data_args = {
    "seed": st.integers(0, 2**32 - 1),
    "n": st.integers(2, 30),
    "q": st.integers(1, 6),
}
fractions = st.sampled_from([0.05, 0.1, 0.25, 0.5, 1.0])
strategy_args = st.one_of(
    fractions.map(lambda p: (p, None)),
    st.floats(1.0, 4.0).map(lambda t: (None, t)),
)


def _strategy(P, target):
    return P if P is not None else {"mean_ir": target}


@SETTINGS
@given(**data_args, strategy=strategy_args, state=st.integers(0, 1000))
def test_mlros_matches_reference(seed, n, q, strategy, state):
    X, Y = make_data(seed, n, q)
    sampler = MLROS(sampling_strategy=_strategy(*strategy), random_state=state)
    X_res, Y_res = sampler.fit_resample(X, Y)
    expected = ref.mlros(Y, np.random.default_rng(state), *strategy)
    assert sampler.sample_indices_.tolist() == expected
    np.testing.assert_array_equal(X_res, X[expected])
    np.testing.assert_array_equal(Y_res, Y[expected])
    assert sampler.mean_ir_resampled_ == pytest.approx(
        ref.mean_ir(Y_res.sum(axis=0)), rel=1e-12
    )


@SETTINGS
@given(**data_args, strategy=strategy_args, state=st.integers(0, 1000))
def test_mlrus_matches_reference(seed, n, q, strategy, state):
    X, Y = make_data(seed, n, q)
    sampler = MLRUS(sampling_strategy=_strategy(*strategy), random_state=state)
    X_res, Y_res = sampler.fit_resample(X, Y)
    expected = ref.mlrus(Y, np.random.default_rng(state), *strategy)
    assert sampler.sample_indices_.tolist() == expected
    np.testing.assert_array_equal(X_res, X[expected])
    np.testing.assert_array_equal(Y_res, Y[expected])
    assert sampler.mean_ir_resampled_ == pytest.approx(
        ref.mean_ir(Y_res.sum(axis=0)), rel=1e-12
    )


@SETTINGS
@given(**data_args, P=fractions, state=st.integers(0, 1000), over=st.booleans())
def test_label_powerset_matches_reference(seed, n, q, P, state, over):
    X, Y = make_data(seed, n, q)
    cls = LabelPowersetRandomOverSampler if over else LabelPowersetRandomUnderSampler
    sampler = cls(sampling_strategy=P, random_state=state)
    X_res, Y_res = sampler.fit_resample(X, Y)
    expected = ref.lp(Y, np.random.default_rng(state), P, over)
    assert sampler.sample_indices_.tolist() == expected
    np.testing.assert_array_equal(X_res, X[expected])
    np.testing.assert_array_equal(Y_res, Y[expected])


@pytest.mark.parametrize("over", [True, False])
@pytest.mark.parametrize(
    "name", ["auto", "not majority", "not minority", "all", "minority", "majority"]
)
def test_label_powerset_names_are_imblearn_strategies_on_combinations(over, name):
    if name == ("majority" if over else "minority"):
        pytest.skip("not a strategy of this direction")
    X, Y = make_data(3, 40, 3)
    _keys, groups = ref._groups(Y)
    codes = np.empty(len(Y), dtype=np.int64)
    for c, rows in enumerate(groups):
        codes[rows] = c
    cls = LabelPowersetRandomOverSampler if over else LabelPowersetRandomUnderSampler
    single = RandomOverSampler if over else RandomUnderSampler
    sampler = cls(sampling_strategy=name, random_state=0)
    _X_res, Y_res = sampler.fit_resample(X, Y)
    expected = single(
        sampling_strategy=name, random_state=np.random.default_rng(0)
    ).fit_resample_indices(codes)
    if not over:
        expected = np.sort(expected)
    np.testing.assert_array_equal(sampler.sample_indices_, expected)
    np.testing.assert_array_equal(Y_res, Y[expected])


@SETTINGS
@given(
    **data_args,
    k=st.integers(1, 6),
    combination=st.sampled_from(["ranking", "intersection", "union"]),
    state=st.integers(0, 1000),
)
def test_mlsmote_matches_reference(seed, n, q, k, combination, state):
    X, Y = make_data(seed, n, q)
    sampler = MLSMOTE(k_neighbors=k, label_combination=combination, random_state=state)
    X_res, Y_res = sampler.fit_resample(X, Y)
    new_X, new_Y, seeds = ref.mlsmote(
        X, Y, np.random.default_rng(state), k, combination
    )
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(Y_res[:n], Y)
    assert X_res.shape == (n + len(seeds), X.shape[1])
    np.testing.assert_allclose(X_res[n:], new_X, rtol=1e-12, atol=1e-12)
    if seeds:
        np.testing.assert_array_equal(Y_res[n:], new_Y.astype(Y.dtype))
    assert sampler.synthetic_parents_.tolist() == [int(s) for s in seeds]
