"""Properties of the multilabel samplers: no invented combination, MeanIR, MLSMOTE's
segments and label rule, weights, determinism, untouched input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancekit.diagnostics import multilabel_imbalance
from balancekit.multilabel import (
    MLROS,
    MLRUS,
    MLSMOTE,
    LabelPowersetRandomOverSampler,
    LabelPowersetRandomUnderSampler,
)
from tests.multilabel import _reference as ref
from tests.multilabel.test_reference import data_args, make_data

SETTINGS = settings(max_examples=30, deadline=None)
ROW_SAMPLERS = [
    MLROS,
    MLRUS,
    LabelPowersetRandomOverSampler,
    LabelPowersetRandomUnderSampler,
]
OVER = (MLROS, LabelPowersetRandomOverSampler)


def single_label_data(seed: int, n: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row holds exactly one label (skewed frequencies)."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(q, size=n, p=rng.dirichlet(np.full(q, 0.5)))
    Y = np.zeros((n, q), dtype=np.int64)
    Y[np.arange(n), labels] = 1
    return rng.normal(size=(n, 2)), Y


@SETTINGS
@given(
    **data_args,
    cls=st.sampled_from(ROW_SAMPLERS),
    P=st.sampled_from([0.1, 0.5, 1.0]),
    state=st.integers(0, 99),
)
def test_rows_and_combinations_come_from_the_input(seed, n, q, cls, P, state):
    X, Y = make_data(seed, n, q)
    w = np.random.default_rng(seed).random(n)
    sampler = cls(sampling_strategy=P, random_state=state)
    X_res, Y_res, w_res = sampler.fit_resample(X, Y, sample_weight=w)
    indices = np.asarray(sampler.sample_indices_)
    np.testing.assert_array_equal(X_res, X[indices])
    np.testing.assert_array_equal(Y_res, Y[indices])
    np.testing.assert_array_equal(w_res, w[indices])  # weights travel with rows
    assert {tuple(row) for row in Y_res} <= {tuple(row) for row in Y}
    if cls in OVER:  # originals first, in order
        np.testing.assert_array_equal(indices[:n], np.arange(n))
        assert len(indices) - n <= int(P * n + 1e-9)
    else:  # kept rows in input order, each once
        assert np.all(np.diff(indices) > 0)
        assert n - len(indices) <= int(P * n + 1e-9)


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(3, 40),
    q=st.integers(2, 6),
    cls=st.sampled_from(OVER),
    strategy=st.one_of(
        st.sampled_from([0.1, 0.25, 1.0]), st.floats(1, 3).map(lambda t: {"mean_ir": t})
    ),
)
def test_over_samplers_never_raise_mean_ir_on_single_label_rows(
    seed, n, q, cls, strategy
):
    """With one label per row a clone raises only its own label's count, and never
    past the most frequent label's: no IRLbl rises, so MeanIR cannot."""
    X, Y = single_label_data(seed, n, q)
    if isinstance(strategy, dict) and cls is LabelPowersetRandomOverSampler:
        strategy = 0.5
    sampler = cls(sampling_strategy=strategy, random_state=seed % 1000)
    _, Y_res = sampler.fit_resample(X, Y)
    before = ref.mean_ir(Y.sum(axis=0))
    after = ref.mean_ir(Y_res.sum(axis=0))
    assert after <= before + 1e-12
    assert sampler.mean_ir_ == pytest.approx(before, rel=1e-12)
    assert sampler.mean_ir_resampled_ == pytest.approx(after, rel=1e-12)


def test_mean_ir_can_rise_mlros_counterexample():
    """Documented: a clone of a minority row also counts its other labels."""
    Y = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0], [0, 0, 1]])
    sampler = MLROS(sampling_strategy=1.0, random_state=0)
    _, Y_res = sampler.fit_resample(np.zeros((4, 1)), Y)
    assert Y_res[4:].tolist() == [[1, 1, 0], [1, 1, 0]]
    assert sampler.mean_ir_ == pytest.approx(4 / 3)
    assert sampler.mean_ir_resampled_ == pytest.approx(13 / 9)


def test_mean_ir_can_rise_mlrus_counterexample():
    """Documented: the bag's label keeps losing rows until IRLbl >= MeanIR."""
    Y = np.array([[1, 0]] * 11 + [[0, 1]] * 10)
    sampler = MLRUS(sampling_strategy=1.0, random_state=0)
    _, Y_res = sampler.fit_resample(np.zeros((21, 1)), Y)
    assert Y_res.sum(axis=0).tolist() == [9, 10]
    assert sampler.mean_ir_resampled_ > sampler.mean_ir_


@SETTINGS
@given(**data_args, P=st.sampled_from([0.1, 0.5, 1.0]), state=st.integers(0, 99))
def test_mlrus_deletes_only_unprotected_majority_rows(seed, n, q, P, state):
    X, Y = make_data(seed, n, q)
    sampler = MLRUS(sampling_strategy=P, random_state=state)
    sampler.fit_resample(X, Y)
    gone = np.setdiff1d(np.arange(n), np.asarray(sampler.sample_indices_))
    counts = Y.sum(axis=0)
    ratios, mean = ref.irlbl(counts), ref.mean_ir(counts)
    minority = (counts > 0) & (ratios > mean)
    majority = (counts > 0) & (ratios < mean)
    assert not Y[gone][:, minority].any()
    assert Y[gone][:, majority].any(axis=1).all()


def test_bag_leaves_exactly_at_the_threshold():
    """IRLbl <= MeanIR ends an MLROS bag (equality included); IRLbl >= MeanIR an
    MLRUS bag."""
    X = np.zeros((8, 1))
    Y = np.array([[1, 0]] * 6 + [[1, 1], [0, 1]])  # IRLbl (1, 3.5), MeanIR 2.25
    _, Y_res = MLROS(sampling_strategy=1.0, random_state=0).fit_resample(X, Y)
    assert Y_res.sum(axis=0).tolist() == [9, 4]  # 9 / 4 = 2.25: the bag leaves
    Y = np.array([[1, 0]] * 5 + [[0, 1]] * 2)  # IRLbl (1, 2.5), MeanIR 1.75
    _, Y_res = MLRUS(sampling_strategy=1.0, random_state=0).fit_resample(X[:7], Y)
    # Label 0 is the most frequent (IRLbl 1) down to 2 rows; at 1 row its IRLbl is
    # 2 / 1 >= 1.75 and the bag leaves.
    assert Y_res.sum(axis=0).tolist() == [1, 2]


@pytest.mark.parametrize("cls", [MLROS, MLRUS])
def test_mean_ir_target_is_reached(cls):
    X, Y = make_data(11, 200, 5)
    start = multilabel_imbalance(Y).mean_ir
    target = 1 + (start - 1) * 0.8
    sampler = cls(sampling_strategy={"mean_ir": target}, random_state=0)
    _, Y_res = sampler.fit_resample(X, Y)
    assert multilabel_imbalance(Y_res).mean_ir <= target < start
    assert sampler.mean_ir_resampled_ == pytest.approx(
        multilabel_imbalance(Y_res).mean_ir, rel=1e-12
    )


@SETTINGS
@given(
    **data_args,
    k=st.integers(1, 5),
    combination=st.sampled_from(["ranking", "intersection", "union"]),
)
def test_mlsmote_rows_lie_on_segments_and_labels_follow_neighbours(
    seed, n, q, k, combination
):
    X, Y = make_data(seed, n, q)
    w = np.random.default_rng(seed).random(n)
    sampler = MLSMOTE(k_neighbors=k, label_combination=combination, random_state=1)
    X_res, Y_res, w_res = sampler.fit_resample(X, Y, sample_weight=w)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    assert len(X_res) == n + len(parents)
    assert np.all((steps >= 0) & (steps < 1))
    np.testing.assert_allclose(
        X_res[n:], X[parents] + steps[:, None] * (X[partners] - X[parents]), rtol=1e-12
    )
    np.testing.assert_array_equal(w_res[n:], w[parents])  # the seed's weight
    # Which minority label each synthetic row was made for: groups in label order.
    labels = np.concatenate(
        [
            np.full(int(Y[:, i].sum()), i)
            for i in sampler.minority_labels_
            if Y[:, i].sum() >= 2
        ]
        or [np.empty(0, int)]
    )
    for row, (s, r, label) in enumerate(zip(parents, partners, labels, strict=True)):
        members = np.flatnonzero(Y[:, label])
        kk = min(k, len(members) - 1)
        distances = ((X[members] - X[s]) ** 2).sum(axis=1)
        nearest = members[np.argsort(distances, kind="stable")[1 : kk + 1]]
        assert Y[s, label]
        assert r in nearest
        held = Y[s] + Y[nearest].sum(axis=0)
        rule = {
            "ranking": 2 * held > kk + 1,
            "intersection": held == kk + 1,
            "union": held > 0,
        }[combination]
        np.testing.assert_array_equal(Y_res[n + row], rule.astype(Y.dtype))
        assert Y_res[n + row, label] == 1


@pytest.mark.parametrize("cls", [*ROW_SAMPLERS, MLSMOTE])
def test_same_seed_same_rows_and_input_untouched(cls):
    X, Y = make_data(5, 60, 4)
    w = np.linspace(0.5, 2.0, 60)
    copies = X.copy(), Y.copy(), w.copy()
    first = cls(random_state=3).fit_resample(X, Y, sample_weight=w)
    second = cls(random_state=3).fit_resample(X, Y, sample_weight=w)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    for original, copy in zip((X, Y, w), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    # A Generator advances: two calls draw different rows.
    sampler = cls(random_state=np.random.default_rng(0))
    a, b = sampler.fit_resample(X, Y)[0], sampler.fit_resample(X, Y)[0]
    assert not (a.shape == b.shape and np.array_equal(a, b))


@pytest.mark.parametrize("dtype", [bool, np.int8, np.float32, np.float64])
@pytest.mark.parametrize("cls", [*ROW_SAMPLERS, MLSMOTE])
def test_label_dtype_kept(cls, dtype):
    X, Y = make_data(2, 50, 3)
    _, Y_res = cls(random_state=0).fit_resample(X.astype(np.float32), Y.astype(dtype))
    assert Y_res.dtype == np.dtype(dtype)


def test_a_label_without_rows_is_ignored():
    X, Y = make_data(4, 50, 3)
    Y = np.concatenate([Y, np.zeros((50, 1), dtype=Y.dtype)], axis=1)
    for cls in (*ROW_SAMPLERS, MLSMOTE):
        sampler = cls(random_state=0)
        _, Y_res = sampler.fit_resample(X, Y)
        assert Y_res[:, 3].sum() == 0
        assert np.isinf(sampler.irlbl_[3])
        assert 3 not in sampler.minority_labels_


def test_many_labels_combinations_beyond_one_code():
    """More than 62 labels: combinations are ranked block by block, in the same
    lexicographic order."""
    rng = np.random.default_rng(0)
    Y = (rng.random((40, 130)) < 0.3).astype(np.int64)
    Y[:10] = Y[0]  # one frequent combination
    sampler = LabelPowersetRandomOverSampler(sampling_strategy=0.5, random_state=0)
    _, _Y_res = sampler.fit_resample(rng.normal(size=(40, 2)), Y)
    expected = ref.lp(Y, np.random.default_rng(0), 0.5, True)
    assert np.asarray(sampler.sample_indices_).tolist() == expected


@SETTINGS
@given(
    **data_args,
    over=st.booleans(),
    target=st.floats(1, 3),
    state=st.integers(0, 99),
)
def test_label_powerset_mean_ir_target_stops_at_target_or_mean(
    seed, n, q, over, target, state
):
    """Round-robin one row at a time: stop once MeanIR <= t, else when every
    combination below (above) the mean has reached ceil(mean)."""
    X, Y = make_data(seed, n, q)
    cls = LabelPowersetRandomOverSampler if over else LabelPowersetRandomUnderSampler
    sampler = cls(sampling_strategy={"mean_ir": target}, random_state=state)
    _, Y_res = sampler.fit_resample(X, Y)
    keys, groups = ref._groups(Y)
    before = np.array([len(g) for g in groups])
    after = np.array([sum(tuple(row) == key for row in Y_res.tolist()) for key in keys])
    top = -(-n // len(keys))
    mean = n / len(keys)
    moved = before < mean if over else before > mean
    assert np.all(after[~moved] == before[~moved])  # others untouched
    if over:
        assert np.all((after >= before) & (after <= np.maximum(before, top)))
    else:
        assert np.all((after <= before) & (after >= np.minimum(before, top)))
    reached = np.all(after[moved] == top)
    assert reached or ref.mean_ir(Y_res.sum(axis=0)) <= target + 1e-12
    if ref.mean_ir(Y.sum(axis=0)) <= target:
        assert len(Y_res) == n  # nothing to do


def test_every_sampler_reports_the_output_mean_ir():
    """``mean_ir_resampled_`` is the MeanIR of what ``fit_resample`` returned."""
    import warnings

    from sklearn.exceptions import UndefinedMetricWarning

    from balancekit import multilabel

    rng = np.random.default_rng(3)
    y = (rng.random((300, 5)) < [0.5, 0.3, 0.1, 0.05, 0.03]).astype(np.int64)
    X = rng.normal(size=(300, 4))
    for name in multilabel.__all__:
        sampler = getattr(multilabel, name)(random_state=0)
        _, y_res = sampler.fit_resample(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            expected = multilabel_imbalance(y_res).mean_ir
        assert sampler.mean_ir_resampled_ == pytest.approx(expected, rel=1e-12), name
