"""String class labels on Dask (NumPy strings, object and pandas string columns): the
samplers, weights and counts give the in-memory results; labels of mixed types or
missing labels are refused by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import balancekit as bk

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

N = 300
CHUNKS = (70, 70, 90, 70)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array(["cat", "dog", "eel"]), size=N, p=[0.6, 0.3, 0.1])
    return rng.normal(size=(N, 2)) + (y == "eel")[:, None], y


def _inputs(kind, X, y):
    if kind == "array":
        return da.from_array(X, chunks=(CHUNKS, 2)), da.from_array(y, chunks=CHUNKS)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y})
    if kind == "string":
        frame["y"] = frame["y"].astype("string")
    else:  # object column: Dask would convert it to strings itself
        frame["y"] = frame["y"].astype(object)
    with dask.config.set({"dataframe.convert-string": kind == "string"}):
        table = dd.from_pandas(frame, npartitions=4)
    return table[["a", "b"]], table["y"]


SAMPLERS = [
    bk.RandomUnderSampler(random_state=0),
    bk.RandomOverSampler(random_state=0, sampling_strategy={"eel": 90}),
    bk.SMOTE(random_state=0),
    bk.BorderlineSMOTE(random_state=0),
    bk.TomekLinks(),
    bk.EditedNearestNeighbours(sampling_strategy=["cat", "dog"]),
    bk.NeighbourhoodCleaningRule(),
    bk.RepeatedEditedNearestNeighbours(),
    bk.NearMiss(version=2),
    bk.OneSidedSelection(random_state=0),
    bk.CondensedNearestNeighbour(random_state=0),
    bk.SVMSMOTE(random_state=0),
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("kind", ["array", "string", "object"])
def test_samplers_take_string_labels(synchronous, sampler, kind):
    X, y = _data()
    Xd, yd = _inputs(kind, X, y)
    on_dask, in_memory = clone(sampler), clone(sampler)
    X_res, y_res = on_dask.fit_resample(Xd, yd)
    X_mem, y_mem = in_memory.fit_resample(X, y)
    assert dict(on_dask.sampling_strategy_) == dict(in_memory.sampling_strategy_)
    assert all(isinstance(c, str) for c in on_dask.sampling_strategy_)
    X_out, y_out = dask.compute(X_res, y_res)
    if kind != "array":
        assert isinstance(y_out, pd.Series)
        assert str(y_out.dtype) == ("string" if kind == "string" else "object")
    X_out, y_out = np.asarray(X_out), np.asarray(y_out).astype(str)
    assert sorted(y_out.tolist()) == sorted(y_mem.tolist())
    if hasattr(in_memory, "sample_indices_"):
        kept = np.sort(np.asarray(on_dask.sample_indices_.compute()))
        if isinstance(sampler, bk.RandomUnderSampler | bk.RandomOverSampler):
            assert sorted(y[kept].tolist()) == sorted(y_out.tolist())  # rows of y
        else:  # the cleaning samplers keep the in-memory rows
            np.testing.assert_array_equal(kept, np.sort(in_memory.sample_indices_))
    else:  # the SMOTE family: the in-memory rows, originals then new rows
        np.testing.assert_array_equal(X_out, X_mem)
        np.testing.assert_array_equal(y_out, y_mem)


def test_weights_and_counts_take_string_labels(client):
    X, y = _data(1)
    _, yd = _inputs("string", X, y)
    assert bk.class_counts(yd) == bk.class_counts(y)
    np.testing.assert_allclose(
        bk.compute_class_weight(yd), bk.compute_class_weight(y), rtol=1e-12
    )
    np.testing.assert_allclose(
        bk.compute_sample_weight(yd).compute().to_numpy(),
        bk.compute_sample_weight(y),
        rtol=1e-12,
    )


def test_mixed_and_missing_labels_are_refused(synchronous):
    X, _ = _data()
    Xd = da.from_array(X[:10], chunks=(5, 2))
    mixed = da.from_array(np.array(["a", 1] * 5, dtype=object), chunks=5)
    with pytest.raises(TypeError, match=r"`y` mixes label types \(int, str\)"):
        bk.RandomUnderSampler().fit_resample(Xd, mixed)
    labels = pd.Series(pd.array(["a", None, "b", "b"] * 5, dtype="string"))
    missing = dd.from_pandas(labels, npartitions=2)
    with pytest.raises(ValueError, match=r"`y` contains \d missing labels"):
        bk.class_counts(missing)
    numbers = da.from_array(np.array([1, 2, 3.0] * 5, dtype=object), chunks=5)
    assert bk.class_counts(numbers) == {1: 5, 2: 5, 3: 5}


def test_an_empty_partition_does_not_turn_number_labels_into_strings(synchronous):
    numbers = np.array([1, 2, 2, 1, 2], dtype=object)
    labels = da.from_array(numbers, chunks=((0, 2, 3),))
    assert bk.class_counts(labels) == {1: 2, 2: 3}
    words = da.from_array(np.array(["b", "a", "a"], dtype=object), chunks=((0, 3),))
    assert bk.class_counts(words) == {"a": 2, "b": 1}
