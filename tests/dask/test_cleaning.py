"""TomekLinks and EditedNearestNeighbours on Dask: the in-memory sampler's removed
rows (ties included), lazy outputs, scheduler independence, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import TomekLinks as ImbTomek
from sklearn.base import clone

from balancekit.under_sampling import (
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
    TomekLinks,
)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from tests.dask._rows import N_ROWS, ROW_CHUNKS, as_dask, three_classes  # noqa: E402


def _data(seed=0, n=N_ROWS, grid=False):
    return three_classes(seed, n, grid_size=20 if grid else None)


_dask = as_dask


def _in_memory_kept(sampler, X, y):
    in_memory = clone(sampler)
    in_memory.fit_resample(X, y)
    return np.sort(np.asarray(in_memory.sample_indices_))


SAMPLERS = [
    TomekLinks(),
    TomekLinks(sampling_strategy="all"),
    TomekLinks(sampling_strategy=[2]),  # the largest class not targeted
    EditedNearestNeighbours(),
    EditedNearestNeighbours(n_neighbors=2, kind_sel="mode", sampling_strategy="all"),
    EditedNearestNeighbours(n_neighbors=1, sampling_strategy="majority"),
    NeighbourhoodCleaningRule(),
    NeighbourhoodCleaningRule(
        sampling_strategy="all",
        threshold_cleaning=0.1,
        edited_nearest_neighbours=EditedNearestNeighbours(n_neighbors=2),
    ),
]


@pytest.mark.parametrize("grid", [False, True])
@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_same_rows_as_in_memory(synchronous, sampler, grid):
    X, y = _data(1, grid=grid)
    X_res, y_res = sampler.fit_resample(*_dask(X, y))
    expected = _in_memory_kept(sampler, X, y)
    assert isinstance(X_res, da.Array)
    assert isinstance(sampler.sample_indices_, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0] == sampler.sample_indices_.chunks[0]
    assert sum(X_res.chunks[0]) == len(expected)  # known without computing
    X_out, y_out, idx = dask.compute(X_res, y_res, sampler.sample_indices_)
    np.testing.assert_array_equal(idx, expected)  # in input order
    np.testing.assert_array_equal(X_out, X[idx])
    np.testing.assert_array_equal(y_out, y[idx])
    assert len(expected) < len(y)  # the data has rows to remove
    bounds = np.cumsum((0, *ROW_CHUNKS))
    out_bounds = np.cumsum((0, *X_res.chunks[0]))
    for i in range(len(ROW_CHUNKS)):  # output partition i: rows of partition i
        part = idx[out_bounds[i] : out_bounds[i + 1]]
        assert ((part >= bounds[i]) & (part < bounds[i + 1])).all()


def test_tomek_links_match_imbalanced_learn_on_distinct_distances(synchronous):
    X, y = _data(2)
    sampler = TomekLinks()
    sampler.fit_resample(*_dask(X, y))
    imb = ImbTomek()
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(
        sampler.sample_indices_.compute(), np.sort(imb.sample_indices_)
    )
    assert dict(sampler.sampling_strategy_) == dict(imb.sampling_strategy_)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(1, 30), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 8
    ),
    seed=st.integers(0, 2**16),
    k=st.integers(1, 3),
    strategy=st.sampled_from(["auto", "all", "not majority"]),
)
def test_property_same_rows_as_in_memory(synchronous, chunks, seed, k, strategy):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    X = rng.integers(0, 5, (n, 2)).astype(float)
    y = rng.integers(0, 3, n)
    y[:3] = [0, 1, 2]
    for sampler in (
        TomekLinks(sampling_strategy=strategy),
        EditedNearestNeighbours(sampling_strategy=strategy, n_neighbors=k),
        NeighbourhoodCleaningRule(sampling_strategy=strategy, n_neighbors=k),
    ):
        expected = _in_memory_kept(sampler, X, y)
        sampler.fit_resample(*_dask(X, y, chunks))
        np.testing.assert_array_equal(sampler.sample_indices_.compute(), expected)


def test_frames_weights_and_a_fresh_range_index(synchronous):
    X, y = _data(3)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "target": y})
    frame["w"] = np.linspace(0.5, 1.5, len(y))
    frame.index = frame.index * 10  # the output index is fresh
    ddf = dd.from_pandas(frame, npartitions=4)
    for sampler in (
        TomekLinks(),
        EditedNearestNeighbours(kind_sel="mode"),
        NeighbourhoodCleaningRule(),
    ):
        X_res, y_res, w_res = sampler.fit_resample(
            ddf[["a", "b"]], ddf["target"], sample_weight=ddf["w"]
        )
        assert isinstance(X_res, dd.DataFrame)
        assert isinstance(y_res, dd.Series)
        assert list(sampler.feature_names_in_) == ["a", "b"]
        idx = sampler.sample_indices_.compute()
        np.testing.assert_array_equal(idx, _in_memory_kept(sampler, X, y))
        expected = frame.iloc[idx].reset_index(drop=True)
        pd.testing.assert_frame_equal(X_res.compute(), expected[["a", "b"]])
        pd.testing.assert_series_equal(y_res.compute(), expected["target"])
        pd.testing.assert_series_equal(w_res.compute(), expected["w"])
        assert X_res.known_divisions


def test_images_and_integer_features(synchronous):
    rng = np.random.default_rng(4)
    X = rng.integers(0, 3, (90, 2, 2))  # 3-D integer rows: flattened, float64
    y = (rng.random(90) < 0.3).astype(np.int64)
    Xd = da.from_array(X, chunks=(30, 1, 2))
    sampler = EditedNearestNeighbours()
    X_res, _ = sampler.fit_resample(Xd, da.from_array(y, chunks=30))
    expected = _in_memory_kept(sampler, X, y)
    out = X_res.compute()
    assert out.dtype == X.dtype
    np.testing.assert_array_equal(out, X[expected])


def test_partitioning_does_not_change_the_rows(synchronous):
    X, y = _data(5, grid=True)
    results = []
    for chunks in ((160,), (80, 80), (40,) * 4, (20,) * 8):  # 1 to 4 per worker
        for sampler in (TomekLinks(), EditedNearestNeighbours()):
            sampler.fit_resample(*_dask(X, y, chunks))
            results.append(sampler.sample_indices_.compute())
    for i in range(2, len(results)):
        np.testing.assert_array_equal(results[i], results[i % 2])


def _clean_on_current_scheduler(X, y, persisted=None):
    results = []
    for sampler in (
        TomekLinks(sampling_strategy="all"),
        EditedNearestNeighbours(),
        NeighbourhoodCleaningRule(),
    ):
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

    X, y = _data(6, grid=True)
    assert dask.base.get_scheduler() == client.get
    persisted: list = []
    on_cluster = _clean_on_current_scheduler(X, y, persisted)
    for values in persisted:  # computed on the workers, kept there: futures
        assert values
        assert all(isinstance(v, Future) for v in values)
    with dask.config.set(scheduler="synchronous"):
        local = _clean_on_current_scheduler(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)


def test_client_gets_per_partition_numbers_only(synchronous, monkeypatch):
    # every value computed for the client during fit_resample is a count per
    # partition (or per partition and class), never rows or indices
    X, y = _data(7)
    received: list = []
    compute = dask.compute

    def recording(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.extend(values)
        return values

    monkeypatch.setattr(dask, "compute", recording)
    for sampler in (TomekLinks(), EditedNearestNeighbours()):
        X_res, _ = sampler.fit_resample(*_dask(X, y))
        assert isinstance(X_res, da.Array)
    n_partitions = len(ROW_CHUNKS)
    assert len(received) >= 4  # counts, then the searches' per-partition sizes
    for value in received:
        for array in value if isinstance(value, tuple) else (value,):
            assert np.size(array) <= 3 * n_partitions
    monkeypatch.undo()
    layers = X_res.dask.layers
    (take,) = [
        k
        for k in layers
        if isinstance(k, str) and k.startswith("balancekit-editednearestneighbours-X")
    ]
    assert len(layers[take]) == n_partitions  # one filter task per partition


def test_bad_input(synchronous):
    X, y = _data(8)
    Xd, yd = _dask(X, y)
    with pytest.raises(ValueError, match=r"`X` has unknown chunk sizes"):
        TomekLinks().fit_resample(Xd[yd >= 0], yd)
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a Dask"):
        EditedNearestNeighbours().fit_resample(Xd, y)
    with pytest.raises(TypeError, match=r"`X` has non-numeric dtype.*TomekLinks"):
        TomekLinks().fit_resample(Xd.astype(str), yd)
    with pytest.raises(ValueError, match=r"different row chunks.*rechunk"):
        TomekLinks().fit_resample(Xd, yd.rechunk(((30, 35, 60, 35),)))
    with pytest.raises(TypeError, match=r"`n_neighbors` must be an int on Dask"):
        EditedNearestNeighbours(n_neighbors=NearestNeighborsLike()).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`edited_nearest_neighbours` must be None"):
        NeighbourhoodCleaningRule(edited_nearest_neighbours=TomekLinks()).fit_resample(
            Xd, yd
        )
    with pytest.raises(ValueError, match=r"`threshold_cleaning`"):
        NeighbourhoodCleaningRule(threshold_cleaning=0).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match=r"`kind_sel`"):
        EditedNearestNeighbours(kind_sel="some").fit_resample(Xd, yd)
    small = _dask(X[:3], y[:3], (2, 1))
    with pytest.raises(ValueError, match=r"`n_neighbors`=3 needs at least 4"):
        EditedNearestNeighbours().fit_resample(*small)
    X_nan = X.copy()
    X_nan[70, 1] = np.nan
    with pytest.raises(ValueError, match=r"`X` contains NaN or infinity"):
        TomekLinks().fit_resample(*_dask(X_nan, y))


class NearestNeighborsLike:
    """A user neighbours object (not accepted on Dask)."""

    n_neighbors = 4

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        raise AssertionError("not called")


def test_neighbourhood_cleaning_rule_ties_in_the_minority(synchronous):
    # classes 1 and 2 are both the smallest: the minority is the one seen first in
    # y (class 2 here, in the second partition), as in memory
    rng = np.random.default_rng(9)
    y = np.zeros(120, dtype=np.int64)
    y[[50, 60, 70, 80, 90, 100]] = 2
    y[[55, 65, 75, 85, 95, 105]] = 1
    X = rng.integers(0, 6, (120, 2)).astype(float)
    sampler = NeighbourhoodCleaningRule(n_neighbors=4, threshold_cleaning=0.1)
    sampler.fit_resample(*_dask(X, y, (40, 40, 40)))
    in_memory = NeighbourhoodCleaningRule(n_neighbors=4, threshold_cleaning=0.1)
    in_memory.fit_resample(X, y)
    np.testing.assert_array_equal(
        sampler.sample_indices_.compute(), np.sort(in_memory.sample_indices_)
    )
    assert sampler.classes_to_clean_ == list(in_memory.classes_to_clean_)
    assert dict(sampler.edited_nearest_neighbours_.sampling_strategy_) == dict(
        in_memory.edited_nearest_neighbours_.sampling_strategy_
    )
