"""compute_class_weight / compute_sample_weight on Dask: equal to the NumPy path,
class weights on the host, sample weights lazy with y's partitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from balancekit.weighting import compute_class_weight, compute_sample_weight

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

METHODS = ["balanced", "inverse", "inverse_sqrt", "effective_number", {0: 2.0, 3: 0.5}]
NORMALIZE = [None, "classes", "samples"]


def _labels(seed: int = 0, n: int = 997):
    rng = np.random.default_rng(seed)
    return rng.choice([0, 1, 3, 7], size=n, p=[0.6, 0.25, 0.1, 0.05]), rng.random(n)


def _as(kind: str, values: np.ndarray):
    if kind == "array":
        return da.from_array(values, chunks=150)
    return dd.from_pandas(pd.Series(values, name="v"), npartitions=5)


@pytest.mark.parametrize("kind", ["array", "series"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("normalize", NORMALIZE)
def test_class_weight_equals_numpy(synchronous, kind, method, normalize):
    y, w = _labels()
    for weights in (None, w):
        expected = compute_class_weight(
            y, method, normalize=normalize, sample_weight=weights
        )
        got = compute_class_weight(
            _as(kind, y),
            method,
            normalize=normalize,
            sample_weight=None if weights is None else _as(kind, weights),
        )
        assert isinstance(got, np.ndarray)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_class_weight_classes_and_absent(synchronous):
    y, _ = _labels(1)
    yd = _as("array", y)
    classes = [7, 3, 1, 0, 9]
    got = compute_class_weight(yd, classes=classes, absent="zero")
    expected = compute_class_weight(y, classes=classes, absent="zero")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match=r"Classes \[9\] have no samples"):
        compute_class_weight(yd, classes=classes)
    with pytest.raises(ValueError, match="must include every label"):
        compute_class_weight(yd, classes=[0, 1])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("normalize", NORMALIZE)
def test_sample_weight_is_lazy_and_equals_numpy(synchronous, method, normalize):
    y, _ = _labels(2)
    yd = _as("array", y)
    got = compute_sample_weight(yd, method, normalize=normalize)
    assert isinstance(got, da.Array)
    assert got.chunks == yd.chunks
    (layer,) = [k for k in got.dask.layers if k not in yd.dask.layers]
    assert len(got.dask.layers[layer]) == yd.npartitions  # one task per partition
    expected = compute_sample_weight(y, method, normalize=normalize)
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-12, atol=0)


def test_sample_weight_series_keeps_index_and_partitions(synchronous):
    y, _ = _labels(3)
    series = pd.Series(y, index=np.arange(len(y)) * 3 + 11, name="target")
    ys = dd.from_pandas(series, npartitions=4)
    got = compute_sample_weight(ys)
    assert isinstance(got, dd.Series)
    assert got.npartitions == ys.npartitions
    assert got.divisions == ys.divisions
    expected = pd.Series(compute_sample_weight(y), index=series.index, name="target")
    pd.testing.assert_series_equal(got.compute(), expected, rtol=1e-12)


@pytest.mark.parametrize("as_dask", [False, True])
def test_sample_weight_from_a_subsample(synchronous, as_dask):
    y, _ = _labels(4)
    indices = np.random.default_rng(0).integers(0, len(y), 40)
    subsample = da.from_array(indices, chunks=15) if as_dask else indices
    got = compute_sample_weight(_as("array", y), indices=subsample)
    expected = compute_sample_weight(y, indices=indices)
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-12, atol=0)


def test_weights_on_a_cluster_equal_numpy(client):
    y, w = _labels(5, n=5000)
    yd, wd = _as("array", y), _as("array", w)
    np.testing.assert_allclose(
        compute_class_weight(yd, sample_weight=wd),
        compute_class_weight(y, sample_weight=w),
        rtol=1e-12,
        atol=0,
    )
    np.testing.assert_allclose(
        compute_sample_weight(yd, "effective_number").compute(),
        compute_sample_weight(y, "effective_number"),
        rtol=1e-12,
        atol=0,
    )


def test_whole_float_labels(synchronous):
    y = np.array([0.0, 2.0, 2.0, 5.0, 5.0, 5.0])
    got = compute_sample_weight(da.from_array(y, chunks=4)).compute()
    np.testing.assert_allclose(got, compute_sample_weight(y), rtol=1e-12, atol=0)


def _multi_output(seed: int = 6, n: int = 613) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack(
        [
            rng.choice([0, 1], size=n, p=[0.8, 0.2]),
            rng.choice([2, 5, 9], size=n, p=[0.5, 0.3, 0.2]),
            rng.choice([0, 1, 2], size=n),
        ],
        axis=1,
    )


@pytest.mark.parametrize(
    "method",
    [
        "balanced",
        "inverse_sqrt",
        [{0: 1.0, 1: 3.0}, {2: 1.0, 5: 2.0, 9: 4.0}, "balanced"],
    ],
)
@pytest.mark.parametrize("normalize", [None, "samples"])
def test_multi_output_sample_weight_equals_numpy(synchronous, method, normalize):
    y = _multi_output()
    expected = compute_sample_weight(y, method, normalize=normalize)
    yd = da.from_array(y, chunks=(200, 2))  # columns split across blocks too
    got = compute_sample_weight(yd, method, normalize=normalize)
    assert got.ndim == 1
    assert got.chunks == ((200, 200, 200, 13),)
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-12, atol=0)
    frame = dd.from_pandas(pd.DataFrame(y, columns=["a", "b", "c"]), npartitions=4)
    series = compute_sample_weight(frame, method, normalize=normalize)
    assert isinstance(series, dd.Series)
    assert series.npartitions == frame.npartitions
    computed = series.compute()
    pd.testing.assert_index_equal(computed.index, frame.index.compute())
    np.testing.assert_allclose(computed.to_numpy(), expected, rtol=1e-12, atol=0)


def test_multi_output_counts_in_one_compute(synchronous, monkeypatch):
    """The outputs' class counts are one call to the scheduler, not one per column."""
    calls = []
    compute = dask.compute

    def counting(*args, **kwargs):
        calls.append(len(args))
        return compute(*args, **kwargs)

    monkeypatch.setattr("balancekit.dask._counts.dask.compute", counting)
    compute_sample_weight(da.from_array(_multi_output(), chunks=(100, 3)))
    assert len(calls) == 1
    assert calls[0] == 3 * 7


def test_multi_output_subsample_and_bad_methods(synchronous):
    y = _multi_output(7)
    indices = np.random.default_rng(1).integers(0, len(y), 80)
    yd = da.from_array(y, chunks=(150, 3))
    np.testing.assert_allclose(
        compute_sample_weight(yd, indices=indices).compute(),
        compute_sample_weight(y, indices=indices),
        rtol=1e-12,
        atol=0,
    )
    with pytest.raises(ValueError, match="one entry per output of `y` \\(3\\)"):
        compute_sample_weight(yd, [{0: 1.0}])
    with pytest.raises(ValueError, match="one dict per output"):
        compute_sample_weight(yd, {0: 1.0})
    frame = dd.from_pandas(pd.DataFrame(y, columns=["a", "b", "c"]), npartitions=2)
    with pytest.raises(TypeError, match="`indices` with a Dask Series or DataFrame"):
        compute_sample_weight(frame, indices=indices)
