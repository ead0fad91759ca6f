"""SMOTE, SMOTENC, BorderlineSMOTE and ADASYN on Dask: the new rows equal the
in-memory sampler's on the computed data (same seed), exact counts, originals first
and untouched, lazy results with known chunks, synchronous == LocalCluster, the
memory budget and bad input."""

from __future__ import annotations

import itertools
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from balancekit import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

ROW_CHUNKS = (80, 70, 90, 60)  # uneven on purpose
N = sum(ROW_CHUNKS)


def _data(seed: int = 0, n: int = N, n_features: int = 3):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    X = rng.normal(size=(n, n_features)) + 0.7 * y[:, None]
    return X, y


def _dask(X, y, chunks=ROW_CHUNKS, w=None):
    Xd = da.from_array(X, chunks=(chunks, *X.shape[1:]))
    out = [Xd, da.from_array(y, chunks=(chunks,))]
    if w is not None:
        out.append(da.from_array(w, chunks=(chunks,)))
    return out


def _categorical(X, y):
    """A SMOTENC table: two continuous columns and integer category codes."""
    codes = (np.abs(X[:, 2]) * 2).astype(np.int64) % 3 + y
    return np.column_stack([X[:, :2], codes])


SAMPLERS = [
    (SMOTE, {}),
    (SMOTE, {"sampling_strategy": "minority", "k_neighbors": 3}),
    (SMOTENC, {"categorical_features": [2]}),
    (BorderlineSMOTE, {}),
    (BorderlineSMOTE, {"kind": "borderline-2", "m_neighbors": 6, "k_neighbors": 8}),
    (ADASYN, {}),
]
IDS = ["smote", "smote-minority", "smotenc", "border-1", "border-2", "adasyn"]


def _check_like_memory(sampler_cls, params, X, y, w=None, chunks=ROW_CHUNKS):
    """Fit on Dask and in memory; compare everything; return the Dask sampler."""
    sampler = sampler_cls(random_state=0, **params)
    kwargs = {} if w is None else {"sample_weight": _dask(X, y, chunks, w)[2]}
    result = sampler.fit_resample(*_dask(X, y, chunks), **kwargs)
    memory = sampler_cls(random_state=0, **params)
    expected = memory.fit_resample(X, y, **({} if w is None else {"sample_weight": w}))
    assert all(isinstance(r, da.Array) for r in result)
    chunks_out = result[0].chunks[0]
    assert all(r.chunks[0] == chunks_out for r in result)
    assert not any(np.isnan(chunks_out))  # known without computing
    assert chunks_out[: len(chunks)] == chunks  # originals keep their partitions
    assert max(chunks_out[len(chunks) :], default=0) <= max(chunks)
    computed = dask.compute(*result)
    for got, want in zip(computed, expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)  # bit for bit, the same new rows
    np.testing.assert_array_equal(computed[0][:N], X)  # originals first, untouched
    assert Counter(computed[1].tolist()) == Counter(expected[1].tolist())
    assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
    for part in ("parents", "partners", "steps"):
        lazy = getattr(sampler, f"synthetic_{part}_")
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(
            lazy.compute(), getattr(memory, f"synthetic_{part}_")
        )
    return sampler, memory


@pytest.mark.parametrize(("cls", "params"), SAMPLERS, ids=IDS)
def test_new_rows_equal_the_in_memory_sampler(synchronous, cls, params):
    X, y = _data()
    if cls is SMOTENC:
        X = _categorical(X, y)
    sampler, memory = _check_like_memory(cls, params, X, y)
    if cls is BorderlineSMOTE:
        assert set(sampler.in_danger_indices) == set(memory.in_danger_indices)
        for c, lazy in sampler.in_danger_indices.items():
            assert isinstance(lazy, da.Array)
            np.testing.assert_array_equal(lazy.compute(), memory.in_danger_indices[c])
    if cls is SMOTENC:
        np.testing.assert_array_equal(sampler.categorical_features_, [2])
        np.testing.assert_array_equal(sampler.continuous_features_, [0, 1])
        assert set(sampler.median_std_) == set(memory.median_std_)
        for c, lazy in sampler.median_std_.items():
            assert isinstance(lazy, da.Array)
            assert lazy.shape == ()
            assert float(lazy.compute()) == memory.median_std_[c]


@pytest.mark.parametrize(("cls", "params"), [SAMPLERS[0], SAMPLERS[2], SAMPLERS[5]])
def test_sample_weight_float32_and_images(synchronous, cls, params):
    X, y = _data(1)
    w = np.random.default_rng(1).uniform(size=N)
    if cls is SMOTENC:
        X = _categorical(X, y)
    _check_like_memory(cls, params, X, y, w)
    if cls is SMOTE:  # float32 stays float32; images keep their shape
        _check_like_memory(cls, params, X.astype(np.float32), y)
        _check_like_memory(cls, params, X.reshape(N, 3, 1).repeat(2, axis=2), y)


def test_integer_features_become_floats_as_in_memory(synchronous):
    X, y = _data(2)
    _check_like_memory(SMOTE, {}, np.round(X * 10).astype(np.int32), y)


def test_dataframes(synchronous):
    rng = np.random.default_rng(3)
    y = rng.choice(2, size=N, p=[0.8, 0.2])
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=N) + y,
            "b": rng.integers(0, 5, size=N),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], size=N)),
        }
    )
    w = pd.Series(rng.uniform(size=N), name="w")
    ddf, dy, dw = (dd.from_pandas(v, npartitions=3) for v in (frame, pd.Series(y), w))
    for cls, params, columns in [
        (SMOTENC, {"categorical_features": "auto"}, ["a", "b", "c"]),
        (BorderlineSMOTE, {}, ["a", "b"]),
    ]:
        result = cls(random_state=0, **params).fit_resample(
            ddf[columns], dy, sample_weight=dw
        )
        expected = cls(random_state=0, **params).fit_resample(
            frame[columns], pd.Series(y), sample_weight=w
        )
        assert isinstance(result[0], dd.DataFrame)
        assert isinstance(result[1], dd.Series)
        assert result[0].known_divisions
        X_res, y_res, w_res = dask.compute(*result)
        pd.testing.assert_frame_equal(X_res, expected[0])
        np.testing.assert_array_equal(y_res.to_numpy(), np.asarray(expected[1]))
        np.testing.assert_array_equal(w_res.to_numpy(), np.asarray(expected[2]))
        assert list(X_res.index) == list(range(len(X_res)))


def _balancekit_arrays(collection) -> list[np.ndarray]:
    """NumPy arrays held in the tasks balancekit added to a graph."""
    found = []

    def walk(value):
        if isinstance(value, np.ndarray):
            found.append(value)
        elif isinstance(value, tuple | list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif hasattr(value, "args"):  # dask Task objects
            walk(list(value.args))

    graph = collection.__dask_graph__()
    for key, task in dict(graph).items():
        name = key[0] if isinstance(key, tuple) else key
        if str(name).startswith("balancekit-"):
            walk(task)
    return found


def test_fit_resample_computes_only_the_class_counts(synchronous):
    from dask.callbacks import Callback

    X, y = _data(4)
    ran: list = []

    class Record(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            ran.append(key[0] if isinstance(key, tuple) else key)

    with Record():
        X_res, _ = SMOTENC(categorical_features=[2]).fit_resample(*_dask(X, y))
    assert ran
    assert {str(k).split("-")[0] for k in ran} <= {"array", "balancekit"}
    assert all("class-counts" in str(k) for k in ran if str(k).startswith("bal"))
    assert isinstance(X_res, da.Array)


@pytest.mark.parametrize("cls", [SMOTE, ADASYN])
def test_local_cluster_equals_synchronous(client, cls):
    X, y = _data(4)
    Xd, yd = _dask(X, y)
    X_res, y_res = cls(random_state=7).fit_resample(Xd, yd)
    # Nothing gathered on the client: the graph's own tasks hold no data, only
    # O(n_partitions) offsets and small plans.
    assert all(a.size <= 4 * len(ROW_CHUNKS) for a in _balancekit_arrays(X_res))
    on_cluster = dask.compute(X_res, y_res)
    with dask.config.set(scheduler="synchronous"):
        X_sync, y_sync = cls(random_state=7).fit_resample(Xd, yd)
        local = dask.compute(X_sync, y_sync)
    X_mem, y_mem = cls(random_state=7).fit_resample(X, y)
    for got, sync, want in zip(on_cluster, local, (X_mem, y_mem), strict=True):
        np.testing.assert_array_equal(got, sync)
        np.testing.assert_array_equal(got, want)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    cuts=st.lists(st.integers(1, N - 1), min_size=0, max_size=5, unique=True),
)
def test_new_rows_do_not_depend_on_the_partitioning(seed, cuts):
    X, y = _data(seed % 7)
    bounds = [0, *sorted(cuts), N]
    chunks = tuple(b - a for a, b in itertools.pairwise(bounds))
    with dask.config.set(scheduler="synchronous"):
        X_res, _ = SMOTE(random_state=seed).fit_resample(*_dask(X, y, chunks))
        X_out = X_res.compute()
    X_mem, _ = SMOTE(random_state=seed).fit_resample(X, y)
    np.testing.assert_array_equal(X_out, X_mem)


def test_generator_random_state(synchronous):
    X, y = _data(5)
    gen, twin = np.random.default_rng(11), np.random.default_rng(11)
    X_res, _ = SMOTE(random_state=gen).fit_resample(*_dask(X, y))
    X_mem, _ = SMOTE(random_state=twin).fit_resample(X, y)
    np.testing.assert_array_equal(X_res.compute(), X_mem)
    np.testing.assert_array_equal(X_res.compute(), X_mem)  # recomputing: same rows
    assert gen.bit_generator.state != np.random.default_rng(11).bit_generator.state


def test_nothing_to_grow_gives_the_originals(synchronous):
    X, y = _data(6)
    counts = np.bincount(y)
    strategy = {1: int(counts[1]), 2: int(counts[2])}  # already there
    sampler = SMOTE(sampling_strategy=strategy, random_state=0)
    X_res, _ = sampler.fit_resample(*_dask(X, y))
    assert X_res.chunks[0] == ROW_CHUNKS
    np.testing.assert_array_equal(X_res.compute(), X)
    assert sampler.synthetic_parents_.shape == (0,)


def test_budget(synchronous):
    X, y = _data(7)
    small = dask.config.set({"balancekit.max-gather-bytes": 1000})
    with small, pytest.raises(ValueError, match="budget") as error:
        SMOTE(random_state=0).fit_resample(*_dask(X, y))
    message = str(error.value)
    for words in ("RandomOverSampler", "compute_sample_weight", "max-gather-bytes"):
        assert words in message
    # The neighbours of the minority are counted on the worker, once known: the
    # minority and its new rows fit, with its neighbours of other classes not.
    sampler = BorderlineSMOTE(random_state=0, sampling_strategy="minority")
    n_min = int((y == 2).sum())
    n_new = int((y == 0).sum()) - n_min
    budget = (2 * n_min + n_new) * 32  # 3 float64 features and an int64 label
    enough = dask.config.set({"balancekit.max-gather-bytes": budget})
    with enough, pytest.raises(ValueError, match="their neighbours"):
        sampler.fit_resample(*_dask(X, y))
    zero = dask.config.set({"balancekit.max-gather-bytes": "0 B"})
    with zero, pytest.raises(ValueError, match="positive"):
        SMOTE().fit_resample(*_dask(X, y))


def test_bad_input(synchronous):
    X, y = _data(8)
    Xd, yd = _dask(X, y)
    with pytest.raises(TypeError, match="Dask collection"):
        SMOTE().fit_resample(Xd, y)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        SMOTE().fit_resample(Xd[yd >= 0], yd[yd >= 0])
    with pytest.raises(ValueError, match="rechunk"):
        SMOTE().fit_resample(Xd, yd.rechunk(100))
    with pytest.raises(TypeError, match="object"):
        SMOTE().fit_resample(Xd.astype(object), yd)
    frame = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "s": ["t"] * N}), 3)
    with pytest.raises(TypeError, match="interpolates"):
        SMOTE().fit_resample(frame, dd.from_pandas(pd.Series(y), 3))
    with pytest.raises(ValueError, match="k_neighbors`=50 needs at least 51"):
        SMOTE(k_neighbors=50).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match="must be an int on Dask"):
        BorderlineSMOTE(m_neighbors=NearestNeighbors(n_neighbors=11)).fit_resample(
            Xd, yd
        )
    with pytest.raises(ValueError, match="kind"):
        BorderlineSMOTE(kind="borderline-3").fit_resample(Xd, yd)
    with pytest.raises(ValueError, match="SMOTEN"):
        SMOTENC(categorical_features=[0, 1, 2]).fit_resample(Xd, yd)
    assert np.array_equal(X, _data(8)[0])  # inputs untouched


def test_errors_and_warnings_of_the_generation_reach_the_client(synchronous):
    rng = np.random.default_rng(9)
    y = np.array([0] * 150 + [1] * 30)
    X = rng.normal(size=(180, 2)) + 100 * y[:, None]  # classes far apart
    Xd, yd = _dask(X, y, (60, 60, 60))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_res, _ = BorderlineSMOTE(random_state=0).fit_resample(Xd, yd)
    assert any("in danger" in str(w.message) for w in caught)
    assert X_res.chunks[0] == (60, 60, 60)  # no new rows, known before computing
    with pytest.raises(RuntimeError, match="ADASYN"):
        ADASYN(random_state=0).fit_resample(Xd, yd)
