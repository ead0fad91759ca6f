"""SMOTETomek and SMOTEENN on Dask: the SMOTE route then the cleaning route, equal to
the in-memory combined sampler with the same random_state (SMOTETomek row for row,
SMOTEENN the same rows in input order), lazy, only counts on the client, the budget,
bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE as ImbSMOTE
from sklearn.base import clone

from balancekit import ADASYN, BorderlineSMOTE, NearMiss
from balancekit.combine import SMOTEENN, SMOTETomek
from balancekit.under_sampling import (
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from tests.dask._rows import N_ROWS, ROW_CHUNKS, as_dask, three_classes  # noqa: E402

ONE_ROW_HEAVY = (1, 1, 1, 2, 1, 1, 150, 1, 1, 1)
N = N_ROWS


def _data(seed=0, n=N_ROWS, grid=False):
    return three_classes(seed, n, grid_size=8 if grid else None)


_dask = as_dask


def _cleaner(sampler):
    return getattr(sampler, f"{sampler._cleaner_name}_")


def _check_like_memory(sampler, X, y, w=None, chunks=ROW_CHUNKS):
    """Fit on Dask and in memory (same seed); compare; return both samplers."""
    memory = clone(sampler)
    kwargs = {} if w is None else {"sample_weight": w}
    expected = memory.fit_resample(X, y, **kwargs)
    inputs = _dask(X, y, chunks, w)
    if w is None:
        result = sampler.fit_resample(*inputs)
    else:
        result = sampler.fit_resample(*inputs[:2], sample_weight=inputs[2])
    assert len(result) == len(expected)
    assert all(isinstance(r, da.Array) for r in result)
    out_chunks = result[0].chunks[0]
    assert all(r.chunks[0] == out_chunks for r in result)
    assert not any(np.isnan(out_chunks))  # known without computing
    assert sum(out_chunks) == len(expected[1])
    computed = dask.compute(*result)
    kept = _cleaner(sampler).sample_indices_
    assert isinstance(kept, da.Array)
    kept = kept.compute()
    # the cleaner's rows index the over-sampler's output, in input order on Dask
    np.testing.assert_array_equal(kept, np.sort(_cleaner(memory).sample_indices_))
    over = memory.smote_.fit_resample(X, y, **kwargs)  # the in-memory SMOTE output
    for got, want, smote_out in zip(computed, expected, over, strict=True):
        assert got.dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got, np.asarray(smote_out)[kept])  # bit equal
    assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
    assert sampler.n_features_in_ == memory.n_features_in_
    assert type(sampler.smote_) is type(memory.smote_)
    np.testing.assert_array_equal(
        sampler.smote_.synthetic_parents_.compute(), memory.smote_.synthetic_parents_
    )
    return sampler, memory, computed, expected


SAMPLERS = [
    SMOTETomek(random_state=0),
    SMOTEENN(random_state=0),
    SMOTEENN(
        random_state=3,
        sampling_strategy="minority",
        enn=EditedNearestNeighbours(n_neighbors=2, kind_sel="mode"),
    ),
    SMOTETomek(smote=BorderlineSMOTE(random_state=1), random_state=5),
    SMOTEENN(smote=ADASYN(random_state=2), enn=RepeatedEditedNearestNeighbours()),
]


CASES = [
    *(
        (sampler, grid, chunks)
        for sampler in SAMPLERS[:2]
        for grid in (False, True)
        for chunks in (ROW_CHUNKS, ONE_ROW_HEAVY)
    ),
    *(
        (sampler, grid, chunks)
        for sampler in SAMPLERS[2:]
        for grid, chunks in ((False, ROW_CHUNKS), (True, ONE_ROW_HEAVY))
    ),
]


@pytest.mark.parametrize(
    ("sampler", "grid", "chunks"),
    CASES,
    ids=[f"{s!r}-{'grid' if g else 'normal'}-{len(c)}" for s, g, c in CASES],
)
def test_same_rows_as_in_memory(synchronous, sampler, grid, chunks):
    X, y = _data(1, grid=grid)
    sampler, _, computed, expected = _check_like_memory(
        clone(sampler), X, y, chunks=chunks
    )
    if isinstance(sampler, SMOTETomek):  # Tomek keeps rows in order: row for row
        for got, want in zip(computed, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    else:  # ENN groups its rows by class in memory: the same rows, another order
        order = np.lexsort((np.arange(len(expected[1])), expected[1]))
        got_order = np.lexsort((np.arange(len(computed[1])), computed[1]))
        np.testing.assert_array_equal(computed[0][got_order], expected[0][order])
        np.testing.assert_array_equal(computed[1][got_order], expected[1])
    assert len(expected[1]) < N + sum(sampler.sampling_strategy_.values())


def test_sample_weight_float32_and_images(synchronous):
    X, y = _data(2)
    w = np.random.default_rng(2).uniform(size=N)
    for sampler in (SMOTETomek(random_state=0), SMOTEENN(random_state=0)):
        _check_like_memory(clone(sampler), X, y, w)
        _check_like_memory(clone(sampler), X.astype(np.float32), y, w, ONE_ROW_HEAVY)
    images = X.reshape(N, 2, 1).repeat(2, axis=2)
    _check_like_memory(SMOTEENN(random_state=4), images, y)


def test_dataframes_and_inputs_untouched(synchronous):
    X, y = _data(3)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "t": y})
    frame["w"] = np.linspace(0.5, 1.5, N)
    frame.index = frame.index * 7
    before = frame.copy()
    ddf = dd.from_pandas(frame, npartitions=3)
    for sampler in (SMOTETomek(random_state=0), SMOTEENN(random_state=0)):
        result = sampler.fit_resample(ddf[["a", "b"]], ddf["t"], sample_weight=ddf["w"])
        memory = clone(sampler)
        expected = memory.fit_resample(
            frame[["a", "b"]], frame["t"], sample_weight=frame["w"]
        )
        assert isinstance(result[0], dd.DataFrame)
        assert isinstance(result[1], dd.Series)
        assert result[0].known_divisions
        assert list(sampler.feature_names_in_) == ["a", "b"]
        X_res, y_res, w_res = dask.compute(*result)
        kept = np.sort(np.asarray(_cleaner(memory).sample_indices_))
        np.testing.assert_array_equal(_cleaner(sampler).sample_indices_.compute(), kept)
        over = memory.smote_.fit_resample(
            frame[["a", "b"]], frame["t"], sample_weight=frame["w"]
        )
        want = [v.iloc[kept].reset_index(drop=True) for v in over[:2]]
        pd.testing.assert_frame_equal(X_res, want[0])
        pd.testing.assert_series_equal(y_res, want[1])
        np.testing.assert_array_equal(w_res.to_numpy(), np.asarray(over[2])[kept])
        assert len(X_res) == len(expected[0])
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(ddf.compute(), before)


def test_client_gets_counts_only(synchronous, monkeypatch):
    X, y = _data(4)
    received: list = []
    compute = dask.compute

    def recording(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.extend(values)
        return values

    monkeypatch.setattr(dask, "compute", recording)
    for sampler in (SMOTETomek(random_state=0), SMOTEENN(random_state=0)):
        X_res, _ = sampler.fit_resample(*_dask(X, y))
        assert isinstance(X_res, da.Array)
    monkeypatch.undo()
    assert received
    n_partitions = len(ROW_CHUNKS) + 2  # the originals' and the new rows'
    for value in received:
        for array in value if isinstance(value, tuple) else (value,):
            assert np.size(array) <= 3 * n_partitions


def _combined(X, y):
    sampler = SMOTEENN(random_state=7)
    X_res, y_res = sampler.fit_resample(*_dask(X, y))
    return dask.compute(X_res, y_res, sampler.enn_.sample_indices_)


def test_same_result_on_a_cluster_and_synchronously(client):
    X, y = _data(5)
    assert dask.base.get_scheduler() == client.get
    on_cluster = _combined(X, y)
    with dask.config.set(scheduler="synchronous"):
        local = _combined(X, y)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)
    memory = SMOTEENN(random_state=7)
    memory.fit_resample(X, y)
    np.testing.assert_array_equal(on_cluster[2], np.sort(memory.enn_.sample_indices_))


def test_budget_errors_name_the_step(synchronous):
    X, y = _data(6)
    for sampler in (SMOTEENN(random_state=0), SMOTETomek(random_state=0)):
        small = dask.config.set({"balancekit.max-gather-bytes": 1000})
        with small, pytest.raises(ValueError, match="budget") as error:
            sampler.fit_resample(*_dask(X, y))
        assert "max-gather-bytes" in str(error.value)
        notes = " ".join(getattr(error.value, "__notes__", []))
        assert f"over-sampling step of {type(sampler).__name__}" in notes


def test_fit_sets_the_in_memory_attributes_and_pickles(synchronous):
    X, y = _data(8)
    for sampler in (SMOTEENN(sampling_strategy="minority"), SMOTETomek()):
        assert sampler.fit(*_dask(X, y)) is sampler
        memory = clone(sampler).fit(X, y)
        assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
        assert sampler.n_features_in_ == memory.n_features_in_ == 2
        fitted = {k for k in vars(sampler) if k.endswith("_")}
        assert fitted == {k for k in vars(memory) if k.endswith("_")}  # no smote_
        sampler.random_state = 0
        X_res, _ = sampler.fit_resample(*_dask(X, y))
        loaded = pickle.loads(pickle.dumps(sampler))
        np.testing.assert_array_equal(
            _cleaner(loaded).sample_indices_.compute(),
            _cleaner(sampler).sample_indices_.compute(),
        )
        np.testing.assert_array_equal(
            pickle.loads(pickle.dumps(X_res)).compute(), X_res
        )


def test_bad_input(synchronous):
    X, y = _data(9)
    Xd, yd = _dask(X, y)
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a"):
        SMOTEENN().fit_resample(Xd, y)
    with pytest.raises(TypeError, match=r"`smote` must be a balancekit sampler"):
        SMOTEENN(smote=ImbSMOTE()).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match=r"`tomek` must be None or a cleaner"):
        SMOTETomek(tomek=NearMiss()).fit_resample(Xd, yd)
    enn = EditedNearestNeighbours(n_neighbors=NearestNeighborsLike())
    with pytest.raises(TypeError, match=r"`n_neighbors` must be an int on Dask"):
        SMOTEENN(enn=enn).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match=r"rechunk"):
        SMOTETomek().fit_resample(Xd, yd.rechunk(100))
    with pytest.raises(TypeError, match=r"interpolates"):
        SMOTEENN().fit(Xd.astype(str), yd)
    with pytest.raises(TypeError, match=r"`n_jobs`"):
        SMOTEENN(n_jobs="many").fit_resample(Xd, yd)
    assert np.array_equal(X, _data(9)[0])  # inputs untouched


class NearestNeighborsLike:
    """A user neighbours object (not accepted on Dask)."""

    n_neighbors = 4

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        raise AssertionError("not called")
