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
    "sampler",
    [bk.NearMiss(), bk.ClusterCentroids(), bk.OneSidedSelection()],
    ids=lambda sampler: type(sampler).__name__,
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
        bk.NearMiss().fit_resample(da.from_array(X, chunks=20), da.from_array(y, 20))
    for name in DASK_ENTRY_POINTS:
        assert name in str(error.value)
    assert "compute()" in str(error.value)


def test_fit_takes_the_dask_route_and_resolves_the_strategy(synchronous):
    X, y = _data()
    sampler = bk.RandomUnderSampler(random_state=0)
    assert sampler.fit(da.from_array(X, chunks=20), da.from_array(y, 20)) is sampler
    assert dict(sampler.sampling_strategy_) == {0: 10}
    with pytest.raises(TypeError, match="NearMiss does not run on Dask"):
        bk.NearMiss().fit(da.from_array(X, chunks=20), da.from_array(y, 20))


def test_the_refusal_lists_every_family_of_entry_points():
    X, y = _data()
    with pytest.raises(TypeError) as error:
        bk.NearMiss().fit_resample(da.from_array(X, chunks=20), y)
    for name in ("RandomUnderSampler", "compute_sample_weight", "f1_score"):
        assert name in str(error.value)


def test_a_parquet_frame_and_its_label_column_keep_one_partitioning(
    tmp_path, synchronous
):
    # Optimised alone, df["label"] is read in fused partitions (few columns), so
    # it used to get fewer partitions than df and the pair was refused.
    X, y = _data()
    frame = pd.DataFrame(X, columns=list("abc")).assign(label=y)
    dd.from_pandas(frame, npartitions=3).to_parquet(tmp_path, write_index=False)
    table = dd.read_parquet(tmp_path)
    X_res, y_res = bk.RandomUnderSampler(random_state=0).fit_resample(
        table, table["label"]
    )
    computed = X_res.compute()
    assert list(computed.columns) == ["a", "b", "c", "label"]
    assert computed["label"].value_counts().to_dict() == {0: 10, 1: 10}
    np.testing.assert_array_equal(computed["label"].to_numpy(), y_res.compute())


@pytest.mark.parametrize("name", ["SMOTE", "BorderlineSMOTE", "ADASYN", "SMOTENC"])
def test_fit_of_the_smote_family_resolves_the_strategy_on_dask(name, synchronous):
    X, y = _data()
    params = {"categorical_features": [0]} if name == "SMOTENC" else {}
    X_dask = da.from_array(np.round(X, 0) if name == "SMOTENC" else X, chunks=20)
    sampler = getattr(bk, name)(**params)
    assert sampler.fit(X_dask, da.from_array(y, 20)) is sampler
    assert dict(sampler.sampling_strategy_) == {1: 40}


@pytest.mark.parametrize("name", ["SVMSMOTE", "KMeansSMOTE", "PolynomialFitSMOTE"])
def test_fit_of_other_smote_variants_refuses_dask_naming_them(name):
    X, y = _data()
    with pytest.raises(TypeError, match=f"{name} does not run on Dask"):
        getattr(bk, name)().fit(da.from_array(X, chunks=20), da.from_array(y, 20))
