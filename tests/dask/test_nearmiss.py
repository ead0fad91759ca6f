"""NearMiss on Dask: the in-memory sampler's kept rows (all versions, ties included),
lazy outputs, a real cluster, what reaches the client, bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

from balancekit.under_sampling import NearMiss

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from tests.dask._rows import N_ROWS, ROW_CHUNKS, as_dask, three_classes  # noqa: E402

ONE_ROW_HEAVY = (1, 1, 1, 2, 155)


def _data(seed=0, n=N_ROWS, grid=False):
    return three_classes(seed, n, grid_size=5 if grid else None)


_dask = as_dask


def _in_memory(sampler, X, y, **kwargs):
    in_memory = clone(sampler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        in_memory.fit_resample(X, y, **kwargs)
    return in_memory, np.sort(np.asarray(in_memory.sample_indices_)), caught


SAMPLERS = [
    NearMiss(),
    NearMiss(version=2, n_neighbors=2),
    NearMiss(version=3, n_neighbors=2, n_neighbors_ver3=4),
    NearMiss(version=1, n_neighbors=SklearnNearestNeighbors(n_neighbors=2)),
    NearMiss(version=2, n_neighbors=SklearnNearestNeighbors(n_neighbors=3)),
    NearMiss(version=3, n_neighbors=SklearnNearestNeighbors(n_neighbors=1)),
    NearMiss(sampling_strategy={0: 30, 1: 20}),
]


@pytest.mark.parametrize("chunks", [ROW_CHUNKS, ONE_ROW_HEAVY], ids=["even", "ones"])
@pytest.mark.parametrize("grid", [False, True], ids=["normal", "grid"])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=repr)
def test_same_rows_as_in_memory(synchronous, sampler, grid, chunks):
    X, y = _data(1, grid=grid)
    X_res, y_res = sampler.fit_resample(*_dask(X, y, chunks))
    _, expected, _ = _in_memory(sampler, X, y)
    assert isinstance(X_res, da.Array)
    assert isinstance(sampler.sample_indices_, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0] == sampler.sample_indices_.chunks[0]
    assert sum(X_res.chunks[0]) == len(expected)  # known without computing
    X_out, y_out, idx = dask.compute(X_res, y_res, sampler.sample_indices_)
    np.testing.assert_array_equal(idx, expected)  # the same rows, in input order
    np.testing.assert_array_equal(X_out, X[idx])
    np.testing.assert_array_equal(y_out, y[idx])
    assert len(expected) < len(y)
    bounds = np.cumsum((0, *chunks))
    out_bounds = np.cumsum((0, *X_res.chunks[0]))
    for i in range(len(chunks)):  # output partition i: rows of partition i
        part = idx[out_bounds[i] : out_bounds[i + 1]]
        assert ((part >= bounds[i]) & (part < bounds[i + 1])).all()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(1, 25), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 12
    ),
    seed=st.integers(0, 2**16),
    version=st.sampled_from([1, 2, 3]),
    k=st.integers(1, 3),
    k3=st.integers(1, 4),
    strategy=st.sampled_from(["auto", "all", "majority", "not minority"]),
)
def test_property_same_rows_as_in_memory(
    synchronous, chunks, seed, version, k, k3, strategy
):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    X = rng.integers(0, 4, (n, 2)).astype(float)  # ties everywhere
    y = rng.integers(0, 3, n)
    y[:9] = [0, 1, 2] * 3  # each class has at least 3 rows
    sampler = NearMiss(
        sampling_strategy=strategy, version=version, n_neighbors=k, n_neighbors_ver3=k3
    )
    _, expected, caught = _in_memory(sampler, X, y)
    with warnings.catch_warnings(record=True) as on_dask:
        warnings.simplefilter("always")
        sampler.fit_resample(*_dask(X, y, chunks))
    np.testing.assert_array_equal(sampler.sample_indices_.compute(), expected)
    assert [str(w.message) for w in on_dask] == [str(w.message) for w in caught]


def test_frames_weights_and_a_fresh_range_index(synchronous):
    X, y = _data(3)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "target": y})
    frame["w"] = np.linspace(0.5, 1.5, len(y))
    frame.index = frame.index * 10  # the output index is fresh
    ddf = dd.from_pandas(frame, npartitions=4)
    for version in (1, 2, 3):
        sampler = NearMiss(version=version)
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["a", "b"]], ddf["target"], sample_weight=ddf["w"]
        )
        assert isinstance(X_res, dd.DataFrame)
        assert isinstance(y_res, dd.Series)
        assert list(sampler.feature_names_in_) == ["a", "b"]
        idx = sampler.sample_indices_.compute()
        _, expected, _ = _in_memory(
            sampler, frame[["a", "b"]], frame["target"], sample_weight=frame["w"]
        )
        np.testing.assert_array_equal(idx, expected)
        rows = frame.iloc[idx].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.compute(), rows[["a", "b"]])
        pd.testing.assert_series_equal(y_res.compute(), rows["target"])
        pd.testing.assert_series_equal(w_res.compute(), rows["w"])
        assert X_res.known_divisions


def test_images_and_integer_features(synchronous):
    rng = np.random.default_rng(4)
    X = rng.integers(0, 3, (90, 2, 2))  # 3-D integer rows: flattened, float64
    y = (rng.random(90) < 0.3).astype(np.int64)
    sampler = NearMiss(version=3)
    X_res, _ = sampler.fit_resample(
        da.from_array(X, chunks=(30, 1, 2)), da.from_array(y, chunks=30)
    )
    _, expected, _ = _in_memory(sampler, X, y)
    out = X_res.compute()
    assert out.dtype == X.dtype
    np.testing.assert_array_equal(out, X[expected])


def test_the_minority_among_tied_classes_is_the_first_seen(synchronous):
    # classes 1 and 2 are both the smallest; class 2 comes first in y
    rng = np.random.default_rng(5)
    y = np.zeros(120, dtype=np.int64)
    y[[50, 60, 70, 80, 90, 100]] = 2
    y[[55, 65, 75, 85, 95, 105]] = 1
    X = rng.normal(size=(120, 2))
    for version in (1, 2, 3):
        sampler = NearMiss(version=version, sampling_strategy="all")
        _, expected, caught = _in_memory(sampler, X, y)
        with warnings.catch_warnings(record=True) as on_dask:
            warnings.simplefilter("always")
            sampler.fit_resample(*_dask(X, y, (40, 40, 40)))
        np.testing.assert_array_equal(sampler.sample_indices_.compute(), expected)
        assert [str(w.message) for w in on_dask] == [str(w.message) for w in caught]


def test_fit_sets_the_in_memory_attributes_inputs_unmodified_and_pickles(
    synchronous,
):
    X, y = _data(6)
    X_copy, y_copy = X.copy(), y.copy()
    Xd, yd = _dask(X, y)
    sampler = NearMiss(version=3)
    assert sampler.fit(Xd, yd) is sampler
    in_memory = NearMiss(version=3).fit(X, y)
    fitted = [name for name in vars(in_memory) if name.endswith("_")]
    assert fitted  # what fit sets in memory, Dask's fit sets alike
    for name in fitted:
        assert getattr(sampler, name) == getattr(in_memory, name), name
    # fit resolves the strategy without resampling, as in memory: no search ran
    assert not hasattr(sampler, "sample_indices_")
    assert not hasattr(in_memory, "sample_indices_")
    np.testing.assert_array_equal(Xd.compute(), X_copy)
    np.testing.assert_array_equal(yd.compute(), y_copy)
    np.testing.assert_array_equal(X, X_copy)
    restored = pickle.loads(pickle.dumps(sampler))
    assert restored.sampling_strategy_ == sampler.sampling_strategy_


def _near_miss_on_current_scheduler(X, y, persisted=None):
    results = []
    for version in (1, 2, 3):
        sampler = NearMiss(version=version)
        X_res, y_res = sampler.fit_resample(*_dask(X, y))
        if persisted is not None:  # the removed rows' indices, as held by the graph
            graph = dict(sampler.sample_indices_.dask)
            persisted.append(
                [
                    v
                    for k, v in graph.items()
                    if "balancekit" in str(k) and not isinstance(v, tuple)
                ]
            )
        results.extend(dask.compute(X_res, y_res, sampler.sample_indices_))
    return results


def test_same_result_on_a_cluster_and_synchronously(client):
    from distributed import Future

    X, y = _data(7, grid=True)
    assert dask.base.get_scheduler() == client.get
    persisted: list = []
    on_cluster = _near_miss_on_current_scheduler(X, y, persisted)
    for values in persisted:  # computed on the workers, kept there: futures
        assert values
        assert all(isinstance(v, Future) for v in values)
    with dask.config.set(scheduler="synchronous"):
        local = _near_miss_on_current_scheduler(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)


def test_client_gets_small_counts_only(synchronous, monkeypatch):
    X, y = _data(8)
    received: list = []
    compute = dask.compute

    def recording(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.extend(values)
        return values

    monkeypatch.setattr(dask, "compute", recording)
    for version in (1, 2, 3):
        X_res, _ = NearMiss(version=version).fit_resample(*_dask(X, y))
        assert isinstance(X_res, da.Array)
    monkeypatch.undo()
    n_partitions = len(ROW_CHUNKS)
    assert len(received) >= 3
    for value in received:
        for array in value if isinstance(value, tuple) else (value,):
            assert np.size(array) <= 3 * n_partitions
    layers = X_res.dask.layers
    (take,) = [
        k
        for k in layers
        if isinstance(k, str) and k.startswith("balancekit-nearmiss-X")
    ]
    assert len(layers[take]) == n_partitions  # one filter task per partition


def test_budget(synchronous):
    X, y = _data(9)
    n_minority = int(np.sum(y == 2))
    with (
        dask.config.set({"balancekit.max-gather-bytes": 16 * n_minority - 1}),
        pytest.raises(ValueError, match="budget") as error,
    ):
        NearMiss().fit_resample(*_dask(X, y))
    message = str(error.value)
    assert "NearMiss on Dask gathers the minority class" in message
    assert "RandomUnderSampler" in message
    assert "compute_sample_weight" in message
    assert "RandomOverSampler" not in message
    with dask.config.set({"balancekit.max-gather-bytes": 16 * n_minority}):
        NearMiss().fit_resample(*_dask(X, y))  # two float64 features fit


class NearestNeighborsLike:
    """A user neighbours object (not accepted for NearMiss-3's search on Dask)."""

    n_neighbors = 2

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        raise AssertionError("not called")


def test_bad_input(synchronous):
    X, y = _data(10)
    Xd, yd = _dask(X, y)
    with pytest.raises(ValueError, match=r"`version` must be 1, 2 or 3"):
        NearMiss(version=4).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`n_neighbors_ver3` must be an int on Dask"):
        NearMiss(version=3, n_neighbors_ver3=NearestNeighborsLike()).fit_resample(
            Xd, yd
        )
    with pytest.raises(TypeError, match=r"`n_neighbors` must be an int or an object"):
        NearMiss(n_neighbors="3").fit_resample(Xd, yd)
    n_minority = int(np.sum(y == 2))
    with pytest.raises(ValueError, match=rf"`n_neighbors`={n_minority + 1} is larger"):
        NearMiss(n_neighbors=n_minority + 1).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match=r"`n_neighbors_ver3`=200 is larger"):
        NearMiss(version=3, n_neighbors_ver3=200).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a Dask"):
        NearMiss().fit_resample(Xd, y)
    with pytest.raises(TypeError, match=r"`X` has non-numeric dtype.*NearMiss"):
        NearMiss().fit_resample(Xd.astype(str), yd)
    with pytest.raises(ValueError, match=r"`X` has unknown chunk sizes"):
        NearMiss().fit_resample(Xd[yd >= 0], yd)
    with pytest.raises(ValueError, match=r"different row chunks.*rechunk"):
        NearMiss().fit_resample(Xd, yd.rechunk(((30, 35, 60, 35),)))
    X_nan = X.copy()
    X_nan[70, 1] = np.nan
    with pytest.raises(ValueError, match=r"`X` contains NaN or infinity"):
        NearMiss().fit_resample(*_dask(X_nan, y))
