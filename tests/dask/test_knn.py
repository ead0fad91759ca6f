"""Distributed exact kNN (balancekit.dask._knn): the in-memory search's answer, ties
included, whatever the partitioning and the scheduler."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balancekit._neighbors import NearestNeighbors

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

from dask.delayed import Delayed  # noqa: E402

from balancekit.dask._collections import dask_rows  # noqa: E402
from balancekit.dask._knn import (  # noqa: E402
    fit_rows,
    kneighbors_on_dask,
    plan_query_blocks,
)


def _in_memory(X, query, k):
    distances, indices = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(query)
    return distances, indices


def _fit(X, y, chunks):
    Xd = da.from_array(X, chunks=(tuple(chunks), X.shape[1]))
    labels = dask_rows(da.from_array(y, chunks=(tuple(chunks),)), "y", "labels")
    return fit_rows(Xd, labels)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(0, 25), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 6
    ),
    seed=st.integers(0, 2**16),
    k=st.integers(1, 5),
    grid=st.booleans(),
)
def test_property_same_neighbours_as_in_memory(synchronous, chunks, seed, k, grid):
    rng = np.random.default_rng(seed)
    n = sum(chunks)
    # an integer grid makes many equal distances: ties must go to the lower index
    X = rng.integers(0, 3, (n, 2)).astype(float) if grid else rng.normal(size=(n, 3))
    y = rng.integers(0, 3, n)
    query = X[rng.choice(n, 7)] + (0.0 if grid else rng.normal(size=(7, 3)))
    k = min(k, n)
    distances, indices = _in_memory(X, query, k)
    found = kneighbors_on_dask(_fit(X, y, chunks), query, k, compute=True)
    np.testing.assert_array_equal(found.indices, indices)
    np.testing.assert_array_equal(np.sqrt(found.squared_distances), distances)
    np.testing.assert_array_equal(found.labels, y[indices])
    assert found.indices.dtype == np.int64


def test_exclude_self_is_the_in_memory_convention_with_duplicates(synchronous):
    # rows 1 and 4 are equal: queried from row 4, row 1 comes first and is the one
    # dropped, so row 4 is its own nearest "other" row (as in memory)
    X = np.array([[0.0], [2.0], [5.0], [9.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1, 0, 1])
    expected = NearestNeighbors(n_neighbors=3).fit(X).kneighbors(X)[1][:, 1:]
    found = kneighbors_on_dask(
        _fit(X, y, (2, 3, 1)), X, 2, exclude_self=True, compute=True
    )
    np.testing.assert_array_equal(found.indices, expected)
    assert found.indices[4].tolist() == [4, 5]
    np.testing.assert_array_equal(found.labels, y[expected])


def test_query_forms_and_many_partitions(synchronous):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    query = X[:20]
    fit = fit_rows(da.from_array(X, chunks=(15, 2)))  # 20 partitions: a merge tree
    assert fit.X.value.chunks[1] == (4,)  # rows made whole
    expected = _in_memory(X, query, 3)[1]
    lazy = kneighbors_on_dask(fit, query, 3)
    assert isinstance(lazy.indices, Delayed)
    assert lazy.labels.compute() is None  # no labels given
    layers = lazy.indices.dask.layers
    (layer,) = [v for k, v in layers.items() if k.startswith("balancekit-kneigh")]
    assert sum(1 for key in layer if key[0].endswith("-local")) == 20
    for form in (
        query,
        dask.delayed(lambda rows: rows[:20])(X),  # rows made on a worker
        da.from_array(query, chunks=(7, 2)),
        pd.DataFrame(query),
    ):
        found = kneighbors_on_dask(fit, form, 3, compute=True)
        np.testing.assert_array_equal(found.indices, expected)
        assert found.squared_distances.dtype == np.float32  # X's dtype


def test_dataframes_count_their_partitions(synchronous):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.integers(0, 4, (60, 2)), columns=["a", "b"])
    ddf = dd.from_pandas(frame, npartitions=4)
    fit = fit_rows(ddf)
    assert fit.n_rows == 60
    values = frame.to_numpy(dtype=float)
    found = kneighbors_on_dask(fit, values[:9], 4, exclude_self=True, compute=True)
    expected = NearestNeighbors(n_neighbors=5).fit(values).kneighbors(values[:9])[1]
    np.testing.assert_array_equal(found.indices, expected[:, 1:])


def test_cluster_answers_as_synchronous(client):
    rng = np.random.default_rng(5)
    X = rng.integers(0, 5, (200, 2)).astype(float)
    y = rng.integers(0, 2, 200)
    fit = _fit(X, y, (50, 70, 80))
    query = dask.delayed(np.asarray)(X[::3])
    on_cluster = kneighbors_on_dask(fit, query, 4, exclude_self=True, compute=True)
    with dask.config.set(scheduler="synchronous"):
        local = kneighbors_on_dask(fit, query, 4, exclude_self=True, compute=True)
    for a, b in zip(on_cluster, local, strict=True):
        np.testing.assert_array_equal(a, b)
    expected = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X[::3])[1][:, 1:]
    np.testing.assert_array_equal(on_cluster.indices, expected)


def test_bad_input(synchronous):
    X = da.from_array(np.arange(10.0).reshape(5, 2), chunks=(2, 2))
    fit = fit_rows(X)
    with pytest.raises(ValueError, match=r"at least 6 rows in `X`, which has 5"):
        kneighbors_on_dask(fit, np.zeros((1, 2)), 5, exclude_self=True)
    with pytest.raises(ValueError, match=r"`k` must be at least 1"):
        kneighbors_on_dask(fit, np.zeros((1, 2)), 0)
    with pytest.raises(ValueError, match=r"query rows have 3 features but"):
        kneighbors_on_dask(fit, np.zeros((1, 3)), 1, compute=True)
    with pytest.raises(ValueError, match=r"`X` contains NaN or infinity"):
        kneighbors_on_dask(
            fit_rows(da.from_array(np.array([[0.0], [np.nan]]), chunks=1)),
            np.zeros((1, 1)),
            1,
            compute=True,
        )
    with pytest.raises(ValueError, match=r"one block per row partition"):
        fit_rows(dask_rows(X.rechunk((2, 1)), "X", "features"))
    with pytest.raises(ValueError, match=r"unknown chunk sizes"):
        fit_rows(X[X[:, 0] > 2])
    with pytest.raises(ValueError, match=r"`lengths` must give the rows of each"):
        fit_rows(X, lengths=[5])


@given(
    sizes=st.lists(st.integers(0, 30), max_size=6),
    n_features=st.integers(1, 4),
    budget_rows=st.integers(1, 40),
)
def test_property_query_blocks_cover_every_row_once(sizes, n_features, budget_rows):
    blocks = plan_query_blocks(sizes, n_features, budget=8 * n_features * budget_rows)
    pieces = [piece for block in blocks for piece in block]
    covered = [(p, r) for p, first, stop in pieces for r in range(first, stop)]
    assert covered == [(p, r) for p, size in enumerate(sizes) for r in range(size)]
    assert all(0 < sum(s - f for _, f, s in b) <= budget_rows for b in blocks)
    assert all(sum(s - f for _, f, s in b) == budget_rows for b in blocks[:-1])
