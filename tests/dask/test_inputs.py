"""Bad Dask input: each fault gets a clear error naming the parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balancekit import RandomOverSampler, RandomUnderSampler
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
    mixed = _y(np.array(["a", 1] * 5, dtype=object))
    with pytest.raises(TypeError, match=r"`y` mixes label types \(int, str\)"):
        RandomUnderSampler().fit_resample(_X(), mixed)
    with pytest.raises(TypeError, match=r"`y` mixes label types"):
        compute_class_weight(mixed)
    X_objects = da.from_array(np.zeros((10, 2), dtype=object), chunks=(5, 2))
    with pytest.raises(TypeError, match=r"`X` has dtype object"):
        RandomOverSampler().fit_resample(X_objects, _y())
    weights = da.from_array(np.ones(10, dtype=object), chunks=5)
    with pytest.raises(TypeError, match=r"`sample_weight` has dtype object"):
        RandomOverSampler().fit_resample(_X(), _y(), sample_weight=weights)
    complex_labels = _y(Y.astype(complex))
    with pytest.raises(TypeError, match=r"`y` has dtype complex128; class labels"):
        compute_sample_weight(complex_labels)
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


# ------------------------------------------------ _collections options (metrics)


def test_any_labels_take_what_the_metrics_take(synchronous):
    from balancekit.dask._collections import dask_rows

    for values in (np.array(["a", "b"] * 5), np.array(["a", 1] * 5, dtype=object)):
        rows = dask_rows(_y(values), "y_true", "any_labels")
        assert rows.lengths == (5, 5)
    text = dd.from_pandas(pd.Series(["a", "b"] * 5, dtype="string"), npartitions=2)
    assert dask_rows(text, "y_true", "any_labels").n_partitions == 2
    with pytest.raises(TypeError, match=r"`y_true` has complex dtype complex128"):
        dask_rows(_y(Y.astype(complex)), "y_true", "any_labels")
    dates = _y(np.arange(10).astype("datetime64[D]"))
    with pytest.raises(TypeError, match=r"`y_true` has dtype datetime64\[D\]; class"):
        dask_rows(dates, "y_true", "any_labels")
    with pytest.raises(TypeError, match=r"`y_score` has dtype <U1; scores must be"):
        dask_rows(_y(np.array(["a"] * 10)), "y_score", "scores")
    with pytest.raises(ValueError, match=r"1-D scores .*`y_score\[:, 0\]`\)\.$"):
        dask_rows(_X(), "y_score", "scores")
    # the samplers' labels: numbers or strings (checked value by value in tasks)
    assert dask_rows(_y(np.array(["a", "b"] * 5)), "y", "labels").lengths == (5, 5)
    with pytest.raises(TypeError, match=r"`y` has dtype datetime64\[D\]; class"):
        dask_rows(dates, "y", "labels")


def test_unknown_lengths_and_total_lengths(synchronous):
    from balancekit.dask._collections import (
        check_aligned,
        check_lengths,
        dask_rows,
    )

    y = _y()
    unknown = y[y >= 0]
    with pytest.raises(ValueError, match=r"`y` has unknown chunk sizes"):
        dask_rows(unknown, "y", "any_labels")
    rows = dask_rows(unknown, "y", "any_labels", unknown_lengths=True)
    assert rows.lengths is None
    assert rows.n_partitions == 2
    check_aligned([rows, dask_rows(y, "w", "weights")])  # partitions only
    short = dask_rows(_y(Y[:8], chunks=4), "y_pred", "any_labels")
    with pytest.raises(ValueError, match=r"`y` has 10 labels but `y_pred` has 8"):
        check_lengths([dask_rows(y, "y", "any_labels"), short])
    check_lengths([rows, short])  # unknown: checked by the tasks


def test_reduce_tree_and_block_keys(synchronous):
    from dask.delayed import Delayed

    from balancekit.dask._collections import (
        block_key,
        dask_rows,
        graph_of,
        reduce_tree,
    )

    rows = dask_rows(da.arange(20, chunks=1), "y", "labels")
    graph = graph_of(rows, None)
    keys = [block_key(rows, i) for i in range(rows.n_partitions)]
    assert block_key(None, 0) is None
    root = reduce_tree(graph, "sum-tree", lambda *parts: sum(parts), keys)
    tree = [k for k in graph if isinstance(k, tuple) and k[0] == "sum-tree"]
    assert len(tree) == 4  # 8 + 8 + 4, then 1
    assert root == ("sum-tree", 1, 0)
    assert Delayed(root, graph).compute() == sum(range(20))
    single: dict = {"x": 5}
    assert reduce_tree(single, "one", lambda *p: p, ["x"], split_every=2) == (
        "one",
        0,
        0,
    )
