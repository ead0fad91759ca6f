"""Dask input reaches a Dask implementation or a clear refusal, never a kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import balancekit as bk
from balancekit._dask_route import DASK_ENTRY_POINTS, is_dask_collection

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.r_[np.zeros(50, dtype=np.int64), np.ones(10, dtype=np.int64)]
    return X, y


def test_dask_collections_are_recognised_without_computing():
    X, y = _data()
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abc")), npartitions=2)
    assert is_dask_collection(da.from_array(X, chunks=20))
    assert is_dask_collection(frame)
    assert is_dask_collection(frame["a"])
    for other in (X, pd.DataFrame(X), list(y), None, 3.0):
        assert not is_dask_collection(other)


@pytest.mark.parametrize(
    "sampler", [bk.SMOTE(), bk.NearMiss(), bk.TomekLinks()], ids=type
)
def test_samplers_without_a_dask_route_refuse_clearly(sampler):
    X, y = _data()
    with pytest.raises(TypeError, match=r"`X` is a Dask collection .* does not run on"):
        sampler.fit_resample(da.from_array(X, chunks=20), y)
    with pytest.raises(TypeError, match=f"{type(sampler).__name__} does not run"):
        sampler.fit_resample(X, da.from_array(y, chunks=20))


def test_the_refusal_names_the_entry_points_that_take_dask():
    X, y = _data()
    with pytest.raises(TypeError) as error:
        bk.SMOTE().fit_resample(da.from_array(X, chunks=20), da.from_array(y, 20))
    for name in DASK_ENTRY_POINTS:
        assert name in str(error.value)
    assert "compute()" in str(error.value)


def test_fit_takes_the_dask_route_and_resolves_the_strategy(synchronous):
    X, y = _data()
    sampler = bk.RandomUnderSampler(random_state=0)
    assert sampler.fit(da.from_array(X, chunks=20), da.from_array(y, 20)) is sampler
    assert dict(sampler.sampling_strategy_) == {0: 10}
    with pytest.raises(TypeError, match="SMOTE does not run on Dask"):
        bk.SMOTE().fit(da.from_array(X, chunks=20), da.from_array(y, 20))


def test_fit_resample_indices_refuses_dask_labels_clearly():
    _, y = _data()
    with pytest.raises(TypeError, match="fit_resample_indices does not run on Dask"):
        bk.RandomUnderSampler().fit_resample_indices(da.from_array(y, 20))


def test_the_refusal_lists_every_family_of_entry_points():
    X, y = _data()
    with pytest.raises(TypeError) as error:
        bk.SMOTE().fit_resample(da.from_array(X, chunks=20), y)
    for name in ("RandomUnderSampler", "compute_sample_weight", "f1_score"):
        assert name in str(error.value)
