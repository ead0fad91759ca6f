"""class_counts, check_sampling_strategy, as_keras_class_weight and make_imbalance on
Dask labels: the in-memory results, from one pass of per-partition counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import balancekit as bk
from balancekit.datasets import make_imbalance
from balancekit.weighting import as_keras_class_weight

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


def _labels(seed=0, n=503):
    return np.random.default_rng(seed).choice([0, 2, 5], size=n, p=[0.7, 0.2, 0.1])


def _as(kind, y):
    if kind == "array":
        return da.from_array(y, chunks=(100,))
    return dd.from_pandas(pd.Series(y, name="label"), npartitions=4)


@pytest.mark.parametrize("kind", ["array", "series"])
def test_class_counts_and_strategies_equal_numpy(synchronous, kind):
    y = _labels()
    yd = _as(kind, y)
    assert bk.class_counts(yd) == bk.class_counts(y)
    cases = [
        ("auto", "over-sampling"),
        ("not majority", "under-sampling"),
        ("all", "clean-sampling"),
        ({0: 50, 2: 30}, "under-sampling"),
        ([0, 5], "clean-sampling"),
    ]
    for strategy, kind_of in cases:
        assert dict(bk.check_sampling_strategy(strategy, yd, kind_of)) == dict(
            bk.check_sampling_strategy(strategy, y, kind_of)
        )


def test_a_callable_strategy_gets_the_dask_labels(synchronous):
    y = _labels(1)
    seen = []

    def strategy(labels, factor):
        seen.append(type(labels).__module__.split(".")[0])
        return {5: int(factor * np.sum(y == 5))}

    got = bk.check_sampling_strategy(
        strategy, _as("array", y), "over-sampling", factor=2
    )
    expected = bk.check_sampling_strategy(strategy, y, "over-sampling", factor=2)
    assert dict(got) == dict(expected) == {5: int(np.sum(y == 5))}  # to add
    assert seen == ["dask", "numpy"]


def test_keras_class_weight_equals_numpy(synchronous):
    y = _labels(2)
    for kwargs in ({}, {"normalize": "classes"}, {"classes": [0, 2, 5, 7]}):
        options = dict(kwargs)
        if "classes" in options:
            options["absent"] = "zero"
        assert as_keras_class_weight(_as("series", y), **options) == pytest.approx(
            as_keras_class_weight(y, **options), rel=1e-12
        )
    with pytest.raises(TypeError, match="keyed by class index"):
        as_keras_class_weight(_as("array", y.astype(float) + 0.0), classes=[0.5, 1.0])


def test_make_imbalance_on_a_cluster(client):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(2000, 3)), np.repeat([0, 1, 2], [800, 700, 500])
    Xd, yd = da.from_array(X, chunks=(500, 3)), da.from_array(y, chunks=500)
    X_res, y_res = make_imbalance(
        Xd, yd, sampling_strategy={0: 100, 1: 50, 2: 10}, random_state=0
    )
    assert isinstance(X_res, da.Array)
    assert not np.isnan(X_res.shape[0])
    X_out, y_out = dask.compute(X_res, y_res)
    assert np.bincount(y_out).tolist() == [100, 50, 10]
    rows = {tuple(r) for r in X}
    assert all(tuple(r) in rows for r in X_out)


def test_functions_without_a_route_name_themselves(synchronous):
    from balancekit.augmentation import gaussian_noise

    X = da.from_array(np.zeros((4, 2)), chunks=2)
    y = da.from_array(np.array([0, 1, 0, 1]), chunks=2)
    with pytest.raises(TypeError, match=r"gaussian_noise\(\) does not run on Dask"):
        gaussian_noise(X, y, num_classes=2, random_state=0)


def test_keras_class_weight_counts_in_one_pass(synchronous, monkeypatch):
    calls = []
    compute = dask.compute

    def counting(*args, **kwargs):
        calls.append(len(args))
        return compute(*args, **kwargs)

    monkeypatch.setattr("balancekit.dask._counts.dask.compute", counting)
    as_keras_class_weight(_as("array", _labels(4)))
    assert calls == [6]  # one compute of the 6 partitions' counts
