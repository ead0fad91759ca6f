"""Bad Dask input: each fault gets a clear error naming the parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balancekit import SMOTE, RandomOverSampler, RandomUnderSampler
from balancekit._dask_route import DASK_ENTRY_POINTS
from balancekit.weighting import compute_class_weight, compute_sample_weight

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

Y = np.array([0, 1, 0, 0, 1, 0, 0, 0, 1, 0])


def _X(chunks=5):
    return da.from_array(np.arange(20.0).reshape(10, 2), chunks=(chunks, 2))


def _y(values=Y, chunks=5):
    return da.from_array(values, chunks=chunks)


def test_unknown_chunk_sizes(synchronous):
    y = _y()
    unknown = y[y >= 0]  # boolean indexing: NaN chunks
    with pytest.raises(ValueError, match=r"`y` has unknown chunk sizes.*compute_chunk"):
        RandomUnderSampler().fit_resample(_X(), unknown)
    with pytest.raises(ValueError, match=r"`X` has unknown chunk sizes"):
        RandomOverSampler().fit_resample(_X()[y >= 0], y)
    with pytest.raises(ValueError, match=r"lengths=True"):
        compute_sample_weight(unknown)


@pytest.mark.parametrize("sampler", [RandomUnderSampler(), RandomOverSampler()])
def test_mixed_dask_and_in_memory(synchronous, sampler):
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a Dask"):
        sampler.fit_resample(_X(), Y)
    with pytest.raises(TypeError, match=r"`X` is a pandas.*DataFrame but `y` is"):
        sampler.fit_resample(pd.DataFrame(np.zeros((10, 2))), _y())
    with pytest.raises(TypeError, match=r"`sample_weight` is a numpy.ndarray"):
        sampler.fit_resample(_X(), _y(), sample_weight=np.ones(10))
    with pytest.raises(TypeError, match=r"`sample_weight` is a numpy.ndarray"):
        compute_class_weight(_y(), sample_weight=np.ones(10))


def test_object_dtypes(synchronous):
    labels = _y(Y.astype(object))
    with pytest.raises(TypeError, match=r"`y` has dtype object; class labels"):
        RandomUnderSampler().fit_resample(_X(), labels)
    with pytest.raises(TypeError, match=r"`y` has dtype object"):
        compute_class_weight(labels)
    X_objects = da.from_array(np.zeros((10, 2), dtype=object), chunks=(5, 2))
    with pytest.raises(TypeError, match=r"`X` has dtype object"):
        RandomOverSampler().fit_resample(X_objects, _y())
    weights = da.from_array(np.ones(10, dtype=object), chunks=5)
    with pytest.raises(TypeError, match=r"`sample_weight` has dtype object"):
        RandomOverSampler().fit_resample(_X(), _y(), sample_weight=weights)
    strings = dd.from_pandas(pd.Series(["a", "b"] * 5), npartitions=2)
    with pytest.raises(TypeError, match=r"encode string labels"):
        compute_sample_weight(strings)
    frame = dd.from_pandas(pd.DataFrame({"a": range(10), "s": ["x"] * 10}), 2)
    target = dd.from_pandas(pd.Series(Y), npartitions=2)
    with pytest.raises(TypeError, match=r"`X` has non-numeric.*`shrinkage`"):
        RandomOverSampler(shrinkage=1.0).fit_resample(frame, target)


def test_misaligned_partitions(synchronous):
    with pytest.raises(ValueError, match=r"different row chunks.*y.rechunk"):
        RandomUnderSampler().fit_resample(_X(5), _y(chunks=(4, 6)))
    with pytest.raises(ValueError, match=r"2 row partitions but `y` has 4"):
        RandomUnderSampler().fit_resample(_X(5), _y(chunks=3))
    frame = dd.from_pandas(pd.DataFrame({"a": range(10)}), npartitions=2)
    other = dd.from_pandas(pd.Series(Y, index=np.arange(10) * 2), npartitions=2)
    with pytest.raises(ValueError, match=r"different divisions"):
        RandomUnderSampler().fit_resample(frame, other)
    # a DataFrame and an array with the same number of partitions but other
    # lengths: found when the partitions are computed
    target = _y(chunks=(4, 6))
    X_res, _ = RandomUnderSampler(random_state=0).fit_resample(frame, target)
    with pytest.raises(ValueError, match=r"Partition [01] of `X` has 5 rows but"):
        X_res.compute()


def test_label_shapes_and_values(synchronous):
    one_hot = da.from_array(np.eye(2, dtype=int)[Y], chunks=(5, 2))
    with pytest.raises(ValueError, match=r"argmax\(axis=1\)"):
        RandomUnderSampler().fit_resample(_X(), one_hot)
    column = da.from_array(Y[:, None], chunks=(5, 1))
    _, y_res = RandomUnderSampler(random_state=0).fit_resample(_X(), column)
    assert y_res.ndim == 1  # a column is read as one label per row
    with pytest.raises(ValueError, match=r"NaN or infinity"):
        RandomUnderSampler().fit_resample(_X(), _y(np.where(Y == 1, np.nan, 0.0)))
    with pytest.raises(ValueError, match=r"continuous"):
        RandomUnderSampler().fit_resample(_X(), _y(Y + 0.5))
    with pytest.raises(ValueError, match=r"at least 2 classes"):
        RandomOverSampler().fit_resample(_X(), _y(np.zeros(10, dtype=int)))
    with pytest.raises(ValueError, match=r"must be 2-D or more"):
        RandomOverSampler().fit_resample(_y(), _y())
    negative = da.from_array(-np.ones(10), chunks=5)
    with pytest.raises(ValueError, match=r"`sample_weight` contains negative"):
        compute_class_weight(_y(), sample_weight=negative)


def test_parameters_are_checked_as_in_memory(synchronous):
    with pytest.raises(ValueError, match=r"`sampling_strategy` as a float"):
        RandomUnderSampler(sampling_strategy=1.5).fit_resample(_X(), _y())
    with pytest.raises(ValueError, match=r"`shrinkage` must be a number >= 0"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(_X(), _y())
    with pytest.raises(ValueError, match=r"`method`"):
        compute_sample_weight(_y(), "balancd")


def test_samplers_without_a_dask_route_name_those_with_one(synchronous):
    assert {"RandomUnderSampler", "RandomOverSampler"} <= DASK_ENTRY_POINTS
    assert {"compute_class_weight", "compute_sample_weight"} <= DASK_ENTRY_POINTS
    with pytest.raises(TypeError, match=r"SMOTE does not run on Dask.*RandomOver"):
        SMOTE().fit_resample(_X(), _y())
