"""OneSidedSelection on Dask: the in-memory sampler's kept rows (seeds from the same
draw, ties included), lazy outputs, a real cluster, what reaches the client, bad
input."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier

from balancekit.under_sampling import OneSidedSelection

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from tests.dask._rows import N_ROWS, ROW_CHUNKS, as_dask, three_classes  # noqa: E402

ONE_ROW_HEAVY = (1, 1, 1, 2, 155)


def _data(seed=0, n=N_ROWS, grid=False):
    return three_classes(seed, n, grid_size=6 if grid else None)


_dask = as_dask


def _in_memory(sampler, X, y, **kwargs):
    in_memory = clone(sampler)
    in_memory.fit_resample(X, y, **kwargs)
    return in_memory, np.sort(np.asarray(in_memory.sample_indices_))


CASES = [  # (sampler, grid data, row chunks)
    (OneSidedSelection(random_state=0), False, ROW_CHUNKS),
    (OneSidedSelection(random_state=0), True, ONE_ROW_HEAVY),
    (OneSidedSelection(random_state=1, n_neighbors=3, n_seeds_S=4), True, ROW_CHUNKS),
    (
        OneSidedSelection(random_state=2, sampling_strategy="all", n_seeds_S=2),
        False,
        ONE_ROW_HEAVY,
    ),
    (OneSidedSelection(random_state=3, sampling_strategy=[0]), True, ROW_CHUNKS),
    (
        OneSidedSelection(random_state=4, n_neighbors=KNeighborsClassifier(2)),
        False,
        ROW_CHUNKS,
    ),
]


@pytest.mark.parametrize(("sampler", "grid", "chunks"), CASES, ids=repr)
def test_same_rows_as_in_memory(synchronous, sampler, grid, chunks):
    X, y = _data(1, grid=grid)
    X_res, y_res = sampler.fit_resample(*_dask(X, y, chunks))
    in_memory, expected = _in_memory(sampler, X, y)
    assert isinstance(X_res, da.Array)
    assert isinstance(sampler.sample_indices_, da.Array)
    assert X_res.chunks[0] == y_res.chunks[0] == sampler.sample_indices_.chunks[0]
    assert sum(X_res.chunks[0]) == len(expected)  # known without computing
    X_out, y_out, idx = dask.compute(X_res, y_res, sampler.sample_indices_)
    np.testing.assert_array_equal(idx, expected)  # the same rows, in input order
    np.testing.assert_array_equal(X_out, X[idx])
    np.testing.assert_array_equal(y_out, y[idx])
    assert len(expected) < len(y)
    assert dict(sampler.sampling_strategy_) == dict(in_memory.sampling_strategy_)
    assert len(sampler.estimators_) == len(in_memory.estimators_)
    bounds = np.cumsum((0, *chunks))
    out_bounds = np.cumsum((0, *X_res.chunks[0]))
    for i in range(len(chunks)):  # output partition i: rows of partition i
        part = idx[out_bounds[i] : out_bounds[i + 1]]
        assert ((part >= bounds[i]) & (part < bounds[i + 1])).all()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(1, 25), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 12
    ),
    seed=st.integers(0, 2**16),
    k=st.integers(1, 3),
    n_seeds=st.integers(1, 3),
    strategy=st.sampled_from(["auto", "all", "majority", "not majority"]),
)
def test_property_same_rows_as_in_memory(
    synchronous, chunks, seed, k, n_seeds, strategy
):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    X = rng.integers(0, 4, (n, 2)).astype(float)  # ties everywhere
    y = rng.integers(0, 3, n)
    y[:9] = [0, 1, 2] * 3  # each class has at least 3 rows
    sampler = OneSidedSelection(
        sampling_strategy=strategy, random_state=seed, n_neighbors=k, n_seeds_S=n_seeds
    )
    _, expected = _in_memory(sampler, X, y)
    sampler.fit_resample(*_dask(X, y, chunks))
    np.testing.assert_array_equal(sampler.sample_indices_.compute(), expected)


def test_frames_weights_and_a_fresh_range_index(synchronous):
    X, y = _data(3)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "target": y})
    frame["w"] = np.linspace(0.5, 1.5, len(y))
    frame.index = frame.index * 10  # the output index is fresh
    ddf = dd.from_pandas(frame, npartitions=4)
    sampler = OneSidedSelection(random_state=5, n_seeds_S=3)
    X_res, y_res, w_res = sampler.fit_resample(
        ddf[["a", "b"]], ddf["target"], sample_weight=ddf["w"]
    )
    assert isinstance(X_res, dd.DataFrame)
    assert isinstance(y_res, dd.Series)
    assert list(sampler.feature_names_in_) == ["a", "b"]
    idx = sampler.sample_indices_.compute()
    _, expected = _in_memory(
        sampler, frame[["a", "b"]], frame["target"], sample_weight=frame["w"]
    )
    np.testing.assert_array_equal(idx, expected)
    rows = frame.iloc[idx].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res.compute(), rows[["a", "b"]])
    pd.testing.assert_series_equal(y_res.compute(), rows["target"])
    pd.testing.assert_series_equal(w_res.compute(), rows["w"])


def test_the_seeds_do_not_depend_on_the_partitioning(synchronous):
    X, y = _data(4, grid=True)
    results = []
    for chunks in ((160,), (80, 80), (40,) * 4, (1, 9, 150)):
        sampler = OneSidedSelection(random_state=6, n_seeds_S=5)
        sampler.fit_resample(*_dask(X, y, chunks))
        results.append(sampler.sample_indices_.compute())
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])


def test_generator_random_state_advances_as_in_memory(synchronous):
    X, y = _data(5)
    on_dask = OneSidedSelection(random_state=np.random.default_rng(7))
    in_memory = OneSidedSelection(random_state=np.random.default_rng(7))
    for _ in range(2):  # the second call draws other seeds, alike
        on_dask.fit_resample(*_dask(X, y))
        in_memory.fit_resample(X, y)
        np.testing.assert_array_equal(
            on_dask.sample_indices_.compute(), np.sort(in_memory.sample_indices_)
        )


def test_fit_sets_the_in_memory_attributes_inputs_unmodified_and_pickles(
    synchronous,
):
    X, y = _data(6)
    X_copy, y_copy = X.copy(), y.copy()
    Xd, yd = _dask(X, y)
    sampler = OneSidedSelection(random_state=8)
    assert sampler.fit(Xd, yd) is sampler
    in_memory = OneSidedSelection(random_state=8).fit(X, y)
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


def _oss_on_current_scheduler(X, y):
    sampler = OneSidedSelection(random_state=9, sampling_strategy="all", n_neighbors=3)
    X_res, y_res = sampler.fit_resample(*_dask(X, y, (30, 20, 30)))
    return dask.compute(X_res, y_res, sampler.sample_indices_)


def test_same_result_on_a_cluster_and_synchronously(client):
    X, y = _data(7, n=80, grid=True)
    assert dask.base.get_scheduler() == client.get
    on_cluster = _oss_on_current_scheduler(X, y)
    with dask.config.set(scheduler="synchronous"):
        local = _oss_on_current_scheduler(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)
    _, expected = _in_memory(
        OneSidedSelection(random_state=9, sampling_strategy="all", n_neighbors=3), X, y
    )
    np.testing.assert_array_equal(on_cluster[2], expected)


def test_client_gets_small_counts_only(synchronous, monkeypatch):
    X, y = _data(8)
    received: list = []
    compute = dask.compute

    def recording(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.extend(values)
        return values

    monkeypatch.setattr(dask, "compute", recording)
    X_res, _ = OneSidedSelection(random_state=0).fit_resample(*_dask(X, y))
    assert isinstance(X_res, da.Array)
    monkeypatch.undo()
    n_partitions, n_classes = len(ROW_CHUNKS), 3
    assert len(received) >= 4  # counts, kept counts, the Tomek step's numbers
    for value in received:
        for array in value if isinstance(value, tuple) else (value,):
            # at most a number per (partition, class), and per cleaned class
            assert np.size(array) <= (n_classes + 1) * n_partitions


def test_budget(synchronous):
    X, y = _data(9)
    n_gathered = int(np.sum(y == 2)) + 2  # the minority and one seed per class
    with (
        dask.config.set({"balancekit.max-gather-bytes": 16 * n_gathered - 1}),
        pytest.raises(ValueError, match="budget") as error,
    ):
        OneSidedSelection().fit_resample(*_dask(X, y))
    message = str(error.value)
    assert "OneSidedSelection on Dask gathers the minority class and the seeds" in (
        message
    )
    assert "RandomUnderSampler" in message
    assert "compute_sample_weight" in message
    with dask.config.set({"balancekit.max-gather-bytes": 16 * n_gathered}):
        OneSidedSelection().fit_resample(*_dask(X, y))


def test_bad_input(synchronous):
    X, y = _data(10)
    Xd, yd = _dask(X, y)
    with pytest.raises(ValueError, match=r"`n_seeds_S`=200 is larger than class"):
        OneSidedSelection(n_seeds_S=200).fit_resample(Xd, yd)
    n_minority = int(np.sum(y == 2))
    with pytest.raises(ValueError, match=r"`n_neighbors`=.* is larger than the"):
        OneSidedSelection(n_neighbors=n_minority + 2).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`n_neighbors` must be an int or an object"):
        OneSidedSelection(n_neighbors="1").fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a Dask"):
        OneSidedSelection().fit_resample(Xd, y)
    with pytest.raises(TypeError, match=r"`X` has non-numeric dtype.*OneSided"):
        OneSidedSelection().fit_resample(Xd.astype(str), yd)
    with pytest.raises(ValueError, match=r"different row chunks.*rechunk"):
        OneSidedSelection().fit_resample(Xd, yd.rechunk(((30, 35, 60, 35),)))
    with pytest.raises(ValueError, match=r"`sampling_strategy`"):
        OneSidedSelection(sampling_strategy={0: 3}).fit_resample(Xd, yd)
