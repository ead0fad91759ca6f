"""RandomUnderSampler / RandomOverSampler on Dask: exact counts, the rows, lazy
results, scheduler independence and the distribution of the per-partition split."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler as ImbOver
from imblearn.under_sampling import RandomUnderSampler as ImbUnder

from balancekit import RandomOverSampler, RandomUnderSampler

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

ROW_CHUNKS = (40, 25, 60, 35)  # uneven on purpose


def _data(seed: int = 0, n: int = sum(ROW_CHUNKS)):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    X = np.column_stack([np.arange(n, dtype=float), rng.normal(size=(n, 2))])
    return X, y


def _dask(X, y, chunks=ROW_CHUNKS):
    return da.from_array(X, chunks=(chunks, 2)), da.from_array(y, chunks=(chunks,))


SAMPLERS = [
    (RandomUnderSampler, ImbUnder, {}),
    (RandomUnderSampler, ImbUnder, {"replacement": True}),
    (RandomUnderSampler, ImbUnder, {"sampling_strategy": {0: 30, 1: 20}}),
    (RandomOverSampler, ImbOver, {}),
    (RandomOverSampler, ImbOver, {"sampling_strategy": "minority"}),
]


@pytest.mark.parametrize(("cls", "oracle", "params"), SAMPLERS)
def test_exact_counts_and_rows(synchronous, cls, oracle, params):
    X, y = _data()
    Xd, yd = _dask(X, y)
    sampler = cls(random_state=0, **params)
    X_res, y_res = sampler.fit_resample(Xd, yd)
    imb = oracle(random_state=0, **params)
    _, y_imb = imb.fit_resample(X, y)
    assert dict(sampler.sampling_strategy_) == dict(imb.sampling_strategy_)
    assert sampler.n_features_in_ == 3
    assert isinstance(X_res, da.Array)
    assert isinstance(y_res, da.Array)
    assert isinstance(sampler.sample_indices_, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0] == sampler.sample_indices_.chunks[0]
    assert not np.isnan(X_res.shape[0])  # chunks known without computing
    X_out, y_out, idx = dask.compute(X_res, y_res, sampler.sample_indices_)
    assert Counter(y_out.tolist()) == Counter(y_imb.tolist())  # exact targets
    np.testing.assert_array_equal(X_out, X[idx])
    np.testing.assert_array_equal(y_out, y[idx])
    np.testing.assert_array_equal(X_out[:, 0], idx)  # column 0 is the row id
    bounds = np.cumsum((0, *ROW_CHUNKS))
    out_bounds = np.cumsum((0, *X_res.chunks[0]))
    for i in range(len(ROW_CHUNKS)):  # output partition i: rows of partition i
        part = idx[out_bounds[i] : out_bounds[i + 1]]
        assert ((part >= bounds[i]) & (part < bounds[i + 1])).all()
        if cls is RandomOverSampler:  # originals first, in order
            originals = np.arange(bounds[i], bounds[i + 1])
            np.testing.assert_array_equal(part[: len(originals)], originals)
    if cls is RandomUnderSampler:
        assert (np.diff(idx) >= 0).all()  # kept rows in input order
        if not params.get("replacement"):
            assert len(np.unique(idx)) == len(idx)
        kept_whole = [c for c in (0, 1, 2) if c not in sampler.sampling_strategy_]
        for c in kept_whole:
            assert Counter(y_out.tolist())[c] == int((y == c).sum())
    else:
        originals = np.concatenate(
            [idx[out_bounds[i] : out_bounds[i] + n] for i, n in enumerate(ROW_CHUNKS)]
        )
        np.testing.assert_array_equal(originals, np.arange(len(y)))


def test_frames_keep_types_columns_and_a_fresh_range_index(synchronous):
    X, y = _data(1)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "s": [f"r{i}" for i in y]})
    frame["target"], frame["w"] = y, np.linspace(0.5, 1.5, len(y))
    ddf = dd.from_pandas(frame, npartitions=4)
    computed = ddf.compute()
    for sampler in (RandomUnderSampler(random_state=3), RandomOverSampler()):
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["a", "b", "s"]], ddf["target"], sample_weight=ddf["w"]
        )
        assert isinstance(X_res, dd.DataFrame)
        assert isinstance(y_res, dd.Series)
        assert isinstance(w_res, dd.Series)
        assert list(sampler.feature_names_in_) == ["a", "b", "s"]
        idx = sampler.sample_indices_.compute()
        expected = computed.iloc[idx].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.compute(), expected[["a", "b", "s"]])
        pd.testing.assert_series_equal(y_res.compute(), expected["target"])
        pd.testing.assert_series_equal(w_res.compute(), expected["w"])
        assert X_res.known_divisions
        assert X_res.divisions[-1] == len(idx) - 1


def test_sample_weight_and_shrinkage_on_arrays(synchronous):
    rng = np.random.default_rng(5)
    n = 3000
    y = (rng.random(n) < 0.25).astype(np.int64)
    X = rng.normal(size=(n, 3)) * np.array([1.0, 10.0, 100.0])
    w = rng.random(n)
    Xd, yd = da.from_array(X, chunks=(400, 1)), da.from_array(y, chunks=400)
    wd = da.from_array(w, chunks=400)
    sampler = RandomOverSampler(random_state=0, shrinkage=0.7)
    X_res, y_res, w_res = sampler.fit_resample(Xd, yd, sample_weight=wd)
    X_out, y_out, w_out, idx = dask.compute(
        X_res, y_res, w_res, sampler.sample_indices_
    )
    np.testing.assert_array_equal(y_out, y[idx])
    np.testing.assert_array_equal(w_out, w[idx])
    noise = X_out - X[idx]
    new = np.any(noise != 0, axis=1)
    assert new.sum() == sampler.sampling_strategy_[1]  # only new rows move
    bandwidth = (4 / (5 * n)) ** (1 / 7)
    expected = 0.7 * bandwidth * X[y == 1].std(axis=0)
    np.testing.assert_allclose(noise[new].std(axis=0), expected, rtol=0.1)


def test_nothing_runs_until_compute_and_one_task_per_partition(synchronous):
    X, y = _data(2)
    touched: list[int] = []

    def watch(block):
        touched.append(len(block))
        return block

    Xd, yd = _dask(X, y)
    Xd = Xd.map_blocks(watch, meta=np.empty((0, 0)))
    sampler = RandomUnderSampler(random_state=0)
    X_res, _y_res = sampler.fit_resample(Xd, yd)
    assert touched == []  # X was never computed: only y's counts were
    layers = X_res.dask.layers
    (x_layer,) = [k for k in layers if k.startswith("balancekit-random-under-X")]
    (draws,) = [k for k in layers if k.startswith("balancekit-random-under-pos")]
    assert len(layers[draws]) == len(ROW_CHUNKS)  # one draw task per partition
    assert len(layers[x_layer]) == Xd.npartitions  # one task per block of X
    X_res.compute()
    assert sorted(touched) == sorted(ROW_CHUNKS * 2)  # each block once (2 columns)


def _resample_on_current_scheduler(X, y):
    results = []
    for sampler in (
        RandomUnderSampler(random_state=7),
        RandomOverSampler(random_state=7, shrinkage=0.5),
    ):
        X_res, y_res = sampler.fit_resample(*_dask(X, y))
        results.extend(dask.compute(X_res, y_res, sampler.sample_indices_))
    return results


def test_same_result_on_a_cluster_and_synchronously(client):
    X, y = _data(4)
    assert dask.base.get_scheduler() == client.get  # tasks go to 2 worker processes
    on_cluster = _resample_on_current_scheduler(X, y)
    with dask.config.set(scheduler="synchronous"):
        local = _resample_on_current_scheduler(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit


def test_per_partition_split_has_the_in_memory_distribution(synchronous):
    # class 0 (70 rows: 10, 20, 40 per partition) is under-sampled to 30 rows;
    # class 1 is not targeted and kept whole (5, 5, 20 rows)
    y = np.array([0] * 10 + [1] * 5 + [0] * 20 + [1] * 5 + [0] * 40 + [1] * 20)
    yd = da.from_array(y, chunks=((15, 25, 60),))
    Xd = da.zeros((len(y), 1), chunks=(yd.chunks[0], 1))
    share = np.array([10, 20, 40]) / 70
    for replacement, variance in (
        (False, 30 * share * (1 - share) * (70 - 30) / 69),  # hypergeometric
        (True, 30 * share * (1 - share)),  # multinomial
    ):
        kept = []
        for seed in range(300):
            sampler = RandomUnderSampler(
                sampling_strategy={0: 30}, random_state=seed, replacement=replacement
            )
            _, y_res = sampler.fit_resample(Xd, yd)
            kept.append(np.asarray(y_res.chunks[0]) - np.array([5, 5, 20]))
        kept_arr = np.asarray(kept)
        np.testing.assert_array_equal(kept_arr.sum(axis=1), 30)  # exact target
        error = np.abs(kept_arr.mean(axis=0) - 30 * share)
        assert (error <= 5 * np.sqrt(variance / 300)).all(), error
        np.testing.assert_allclose(kept_arr.var(axis=0), variance, rtol=0.25)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(2, 30), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
    over=st.booleans(),
)
def test_property_counts_and_rows(synchronous, chunks, seed, over):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    y = rng.integers(0, 3, size=n)
    y[:2] = [0, 1]  # two classes at least
    X = np.arange(n, dtype=float)[:, None]
    sampler = (RandomOverSampler if over else RandomUnderSampler)(random_state=seed)
    Xd, yd = (
        da.from_array(X, chunks=(tuple(chunks), 1)),
        da.from_array(y, chunks=(tuple(chunks),)),
    )
    X_res, y_res = sampler.fit_resample(Xd, yd)
    X_out, y_out = dask.compute(X_res, y_res)
    idx = X_out[:, 0].astype(int)
    np.testing.assert_array_equal(y_out, y[idx])
    counts = Counter(y.tolist())
    target = max(counts.values()) if over else min(counts.values())
    assert set(Counter(y_out.tolist()).values()) == {target}
    if over:
        assert Counter(idx.tolist()).keys() == set(range(n))  # every row kept


def test_images_keep_their_shape_and_float32(synchronous):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(120, 2, 3)).astype(np.float32)
    y = (rng.random(120) < 0.3).astype(np.int64)
    Xd = da.from_array(X, chunks=(40, 1, 3))
    sampler = RandomOverSampler(random_state=0, shrinkage=1.0)
    X_res, _ = sampler.fit_resample(Xd, da.from_array(y, chunks=40))
    assert X_res.dtype == np.float32
    assert X_res.chunks[1:] == ((2,), (3,))  # a row's features in one block
    out = X_res.compute()
    assert out.dtype == np.float32
    assert out.shape == (len(sampler.sample_indices_.compute()), 2, 3)


def test_empty_output_partitions_leave_divisions_unknown(synchronous):
    frame = pd.DataFrame({"a": np.arange(12.0), "y": [0] * 6 + [0, 1] * 3})
    ddf = dd.from_pandas(frame, npartitions=2)  # partition 0: class 0 only
    sampler = RandomUnderSampler(sampling_strategy={0: 0}, random_state=0)
    X_res, y_res = sampler.fit_resample(ddf[["a"]], ddf["y"])
    assert not X_res.known_divisions
    out = X_res.compute()
    pd.testing.assert_index_equal(out.index, pd.RangeIndex(3))
    np.testing.assert_array_equal(out["a"], [7.0, 9.0, 11.0])
    assert y_res.compute().tolist() == [1, 1, 1]


@pytest.mark.parametrize(("cls", "oracle", "params"), SAMPLERS)
@pytest.mark.parametrize("kind", ["array", "series"])
def test_fit_resample_indices_equal_those_of_fit_resample(
    synchronous, cls, oracle, params, kind
):
    """From the labels alone: lazy global indices with known chunks, the same rows
    as ``fit_resample(X, y)``'s ``sample_indices_`` under the same seed."""
    X, y = _data(3)
    Xd, yd = _dask(X, y)
    if kind == "series":
        frame = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "y": y}), npartitions=4)
        Xd, yd = frame[["a"]], frame["y"]
    by_rows = cls(random_state=7, **params)
    by_rows.fit_resample(Xd, yd)
    sampler = cls(random_state=7, **params)
    indices = sampler.fit_resample_indices(yd)
    assert isinstance(indices, da.Array)
    assert indices is sampler.sample_indices_
    assert indices.chunks == by_rows.sample_indices_.chunks
    assert not np.isnan(indices.shape[0])
    got, expected = dask.compute(indices, by_rows.sample_indices_)
    np.testing.assert_array_equal(got, expected)
    assert dict(sampler.sampling_strategy_) == dict(by_rows.sampling_strategy_)
    counts = Counter(y[got].tolist())
    imb = oracle(random_state=0, **params)
    _, y_imb = imb.fit_resample(X, y)
    assert counts == Counter(y_imb.tolist())


def test_fit_resample_indices_on_a_cluster_and_bad_input(client):
    X, y = _data(4, n=4000)
    yd = da.from_array(y, chunks=1000)
    indices = RandomUnderSampler(random_state=0).fit_resample_indices(yd)
    assert np.bincount(y[indices.compute()]).tolist() == [np.bincount(y).min()] * 3
    with pytest.raises(TypeError, match="`replacement` must be True or False"):
        RandomUnderSampler(replacement="yes").fit_resample_indices(yd)
    with pytest.raises(ValueError, match="1-D class labels"):
        RandomOverSampler().fit_resample_indices(da.from_array(X, chunks=1000))
    with pytest.raises(ValueError, match="continuous"):
        RandomOverSampler().fit_resample_indices(yd + 0.5)
