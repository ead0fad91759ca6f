"""RepeatedEditedNearestNeighbours and AllKNN on Dask: the in-memory sampler's kept
rows (ties included, several layouts), its stopping rounds, lazy outputs built on
persisted rounds, only counts on the client, bad input."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

from balancekit.under_sampling import AllKNN, RepeatedEditedNearestNeighbours

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from tests.dask._rows import N_ROWS, ROW_CHUNKS, as_dask, three_classes  # noqa: E402

ONE_ROW_HEAVY = (1, 1, 1, 2, 1, 1, 150, 1, 1, 1)


def _data(seed=0, n=N_ROWS, grid=False):
    return three_classes(seed, n, grid_size=6 if grid else None)


_dask = as_dask


def _in_memory(sampler, X, y):
    memory = clone(sampler)
    memory.fit_resample(X, y)
    return memory, np.sort(np.asarray(memory.sample_indices_))


SAMPLERS = [
    RepeatedEditedNearestNeighbours(),
    RepeatedEditedNearestNeighbours(
        n_neighbors=2, kind_sel="mode", sampling_strategy="all"
    ),
    RepeatedEditedNearestNeighbours(max_iter=2, sampling_strategy="majority"),
    RepeatedEditedNearestNeighbours(n_neighbors=1, sampling_strategy="not majority"),
    AllKNN(),
    AllKNN(n_neighbors=4, allow_minority=True),
    AllKNN(kind_sel="mode", sampling_strategy="all"),
]


@pytest.mark.parametrize("chunks", [ROW_CHUNKS, ONE_ROW_HEAVY], ids=["even", "ones"])
@pytest.mark.parametrize("grid", [False, True], ids=["normal", "grid"])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_same_rows_and_rounds_as_in_memory(synchronous, sampler, grid, chunks):
    X, y = _data(1, grid=grid)
    w = np.linspace(0.5, 1.5, N_ROWS)
    Xd, yd, wd = _dask(X, y, chunks, w)
    sampler = clone(sampler)
    X_res, y_res, w_res = sampler.fit_resample(Xd, yd, sample_weight=wd)
    memory, expected = _in_memory(sampler, X, y)
    assert sampler.n_iter_ == memory.n_iter_
    assert repr(sampler.enn_) == repr(memory.enn_)
    assert repr(sampler.nn_) == repr(memory.nn_)
    assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
    assert all(isinstance(v, da.Array) for v in (X_res, y_res, w_res))
    assert isinstance(sampler.sample_indices_, da.Array)
    out_chunks = X_res.chunks[0]
    assert y_res.chunks[0] == w_res.chunks[0] == sampler.sample_indices_.chunks[0]
    assert out_chunks == y_res.chunks[0]
    assert sum(out_chunks) == len(expected)  # known without computing
    X_out, y_out, w_out, idx = dask.compute(
        X_res, y_res, w_res, sampler.sample_indices_
    )
    np.testing.assert_array_equal(idx, expected)  # the same rows, in input order
    np.testing.assert_array_equal(X_out, X[idx])
    np.testing.assert_array_equal(y_out, y[idx])
    np.testing.assert_array_equal(w_out, w[idx])
    assert len(expected) < N_ROWS  # the data has rows to remove
    bounds, out_bounds = np.cumsum((0, *chunks)), np.cumsum((0, *out_chunks))
    for i in range(len(chunks)):  # output partition i: rows of input partition i
        part = idx[out_bounds[i] : out_bounds[i + 1]]
        assert ((part >= bounds[i]) & (part < bounds[i + 1])).all()


def test_several_rounds_are_tested():
    # the parameter sets above stop for each of the in-memory reasons
    X, y = _data(1, grid=True)
    rounds = {repr(s): _in_memory(s, X, y)[0].n_iter_ for s in SAMPLERS}
    assert max(rounds.values()) >= 3
    assert rounds[repr(SAMPLERS[2])] == 2  # max_iter reached


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(1, 30), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 10
    ),
    seed=st.integers(0, 2**16),
    k=st.integers(1, 4),
    strategy=st.sampled_from(["auto", "all", "not majority", "majority"]),
    kind_sel=st.sampled_from(["all", "mode"]),
    max_iter=st.integers(1, 5),
    allow_minority=st.booleans(),
)
def test_property_same_rows_as_in_memory(
    synchronous, chunks, seed, k, strategy, kind_sel, max_iter, allow_minority
):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    X = rng.integers(0, 4, (n, 2)).astype(float)
    y = rng.integers(0, 3, n)
    y[:3] = [0, 1, 2]
    common = {"n_neighbors": k, "sampling_strategy": strategy, "kind_sel": kind_sel}
    for sampler in (
        RepeatedEditedNearestNeighbours(max_iter=max_iter, **common),
        AllKNN(allow_minority=allow_minority, **common),
    ):
        try:
            memory, expected = _in_memory(sampler, X, y)
        except ValueError as error:  # too few rows left for k neighbours
            with pytest.raises(ValueError, match=re.escape(str(error))):
                sampler.fit_resample(*_dask(X, y, chunks))
            continue
        sampler.fit_resample(*_dask(X, y, chunks))
        np.testing.assert_array_equal(sampler.sample_indices_.compute(), expected)
        assert sampler.n_iter_ == memory.n_iter_


def test_frames_weights_and_inputs_untouched(synchronous):
    X, y = _data(3, grid=True)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "target": y})
    frame["w"] = np.linspace(0.5, 1.5, len(y))
    frame.index = frame.index * 10  # the output index is fresh
    before = frame.copy()
    ddf = dd.from_pandas(frame, npartitions=4)
    for sampler in (RepeatedEditedNearestNeighbours(kind_sel="mode"), AllKNN()):
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["a", "b"]], ddf["target"], sample_weight=ddf["w"]
        )
        assert isinstance(X_res, dd.DataFrame)
        assert isinstance(y_res, dd.Series)
        assert X_res.known_divisions
        assert list(sampler.feature_names_in_) == ["a", "b"]
        idx = sampler.sample_indices_.compute()
        memory, expected_idx = _in_memory(sampler, frame[["a", "b"]], frame["target"])
        np.testing.assert_array_equal(idx, expected_idx)
        assert sampler.n_iter_ == memory.n_iter_
        expected = frame.iloc[idx].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.compute(), expected[["a", "b"]])
        pd.testing.assert_series_equal(y_res.compute(), expected["target"])
        pd.testing.assert_series_equal(w_res.compute(), expected["w"])
    pd.testing.assert_frame_equal(ddf.compute(), before)
    pd.testing.assert_frame_equal(frame, before)


def test_images_and_integer_features(synchronous):
    rng = np.random.default_rng(4)
    X = rng.integers(0, 3, (90, 2, 2))  # 3-D integer rows: flattened, float64
    y = (rng.random(90) < 0.3).astype(np.int64)
    original = X.copy()
    sampler = AllKNN(n_neighbors=2)
    X_res, _ = sampler.fit_resample(
        da.from_array(X, chunks=(30, 1, 2)), da.from_array(y, chunks=30)
    )
    _, expected = _in_memory(sampler, X, y)
    out = X_res.compute()
    assert out.dtype == X.dtype
    np.testing.assert_array_equal(out, X[expected])
    np.testing.assert_array_equal(X, original)


def _graph_size(collection) -> int:
    return len(dict(collection.__dask_graph__()))


def test_the_graph_does_not_grow_with_the_rounds(synchronous):
    X, y = _data(7)
    sizes = {}
    for max_iter in (1, 6):
        sampler = RepeatedEditedNearestNeighbours(
            max_iter=max_iter, sampling_strategy="majority"
        )
        X_res, _ = sampler.fit_resample(*_dask(X, y))
        sizes[sampler.n_iter_] = (
            _graph_size(X_res),
            _graph_size(sampler.sample_indices_),
        )
    assert len(sizes) == 2
    assert max(sizes) >= 3  # several rounds
    assert sizes[1] == sizes[max(sizes)]  # the same graph whatever the rounds


def test_client_gets_per_partition_and_class_counts_only(synchronous, monkeypatch):
    X, y = _data(7)
    received: list = []
    compute = dask.compute

    def recording(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.extend(values)
        return values

    monkeypatch.setattr(dask, "compute", recording)
    sampler = RepeatedEditedNearestNeighbours(sampling_strategy="majority")
    X_res, _ = sampler.fit_resample(*_dask(X, y))
    monkeypatch.undo()
    assert sampler.n_iter_ >= 3
    assert isinstance(X_res, da.Array)
    # the class counts, per round the kept rows per (partition, class), then the
    # output's partition sizes
    assert len(received) >= len(ROW_CHUNKS) + sampler.n_iter_
    n_classes, n_partitions = 3, len(ROW_CHUNKS)
    for value in received:
        for array in value if isinstance(value, tuple) else (value,):
            assert np.size(array) <= n_classes * n_partitions


def _renn_on_current_scheduler(X, y):
    sampler = AllKNN(n_neighbors=4, allow_minority=True)
    X_res, y_res = sampler.fit_resample(*_dask(X, y))
    graph = dict(sampler.sample_indices_.dask)
    persisted = [v for k, v in graph.items() if "removed" in str(k)]
    return dask.compute(X_res, y_res, sampler.sample_indices_), persisted, sampler


def test_same_result_on_a_cluster_and_synchronously(client):
    from distributed import Future

    X, y = _data(6, grid=True)
    assert dask.base.get_scheduler() == client.get
    on_cluster, persisted, sampler = _renn_on_current_scheduler(X, y)
    assert persisted
    assert all(isinstance(v, Future) for v in persisted)  # kept on the workers
    with dask.config.set(scheduler="synchronous"):
        local, _, _ = _renn_on_current_scheduler(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)
    memory, expected = _in_memory(sampler, X, y)
    np.testing.assert_array_equal(on_cluster[2], expected)
    assert sampler.n_iter_ == memory.n_iter_


def test_fit_sets_the_in_memory_attributes_and_pickles(synchronous):
    X, y = _data(8)
    for sampler in (RepeatedEditedNearestNeighbours(), AllKNN()):
        assert sampler.fit(*_dask(X, y)) is sampler
        memory = clone(sampler).fit(X, y)
        assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
        assert sampler.n_features_in_ == memory.n_features_in_ == 2
        sampler.fit_resample(*_dask(X, y))
        loaded = pickle.loads(pickle.dumps(sampler))
        np.testing.assert_array_equal(
            loaded.sample_indices_.compute(), sampler.sample_indices_.compute()
        )
        assert loaded.n_iter_ == sampler.n_iter_


class NeighboursObject:
    """A user neighbours object (not accepted on Dask)."""

    n_neighbors = 4

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        raise AssertionError("not called")


def test_bad_input(synchronous):
    X, y = _data(9)
    Xd, yd = _dask(X, y)
    for cls in (RepeatedEditedNearestNeighbours, AllKNN):
        with pytest.raises(TypeError, match=r"`n_neighbors` must be an int on Dask"):
            cls(n_neighbors=NeighboursObject()).fit_resample(Xd, yd)
        with pytest.raises(TypeError, match=r"`n_neighbors` must be an int on Dask"):
            cls(n_neighbors=NearestNeighbors(n_neighbors=4)).fit_resample(Xd, yd)
        with pytest.raises(ValueError, match=r"`kind_sel`"):
            cls(kind_sel="some").fit_resample(Xd, yd)
        with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a"):
            cls().fit_resample(Xd, y)
        with pytest.raises(ValueError, match=r"different row chunks.*rechunk"):
            cls().fit_resample(Xd, yd.rechunk(((30, 35, 60, 35),)))
        with pytest.raises(ValueError, match=r"cannot be a dict"):
            cls(sampling_strategy={0: 10}).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match=r"`n_neighbors`=3 needs at least 4"):
        RepeatedEditedNearestNeighbours().fit_resample(*_dask(X[:3], y[:3], (2, 1)))
    with pytest.raises(ValueError, match=r"`max_iter` must"):
        RepeatedEditedNearestNeighbours(max_iter=0).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`allow_minority` must be True"):
        AllKNN(allow_minority="yes").fit_resample(Xd, yd)
    X_nan = X.copy()
    X_nan[70, 1] = np.nan
    with pytest.raises(ValueError, match=r"`X` contains NaN or infinity"):
        RepeatedEditedNearestNeighbours().fit_resample(*_dask(X_nan, y))
    # a round that leaves no row: the in-memory error
    rng = np.random.default_rng(0)
    X_small, y_small = rng.integers(0, 4, (10, 2)).astype(float), rng.integers(0, 3, 10)
    y_small[:3] = [0, 1, 2]
    emptied = RepeatedEditedNearestNeighbours(sampling_strategy="all", n_neighbors=2)
    with pytest.raises(ValueError, match=r"`y` is empty"):
        clone(emptied).fit_resample(X_small, y_small)
    with pytest.raises(ValueError, match=r"`y` is empty"):
        emptied.fit_resample(*_dask(X_small, y_small, (1, 9)))
    assert np.array_equal(X, _data(9)[0])  # inputs untouched
