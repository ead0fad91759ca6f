"""The samplers whose rule is global, on Dask (``balancekit.dask._one_worker``): the
rows gathered on one worker give the in-memory sampler's result on the computed data
(same seed), lazy outputs with known chunks, fitted attributes as in memory (per-row
ones lazy), the budget, the task names, what reaches the client, bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier

from balancekit import FunctionSampler
from balancekit.over_sampling import (
    SMOTEIPF,
    SMOTEN,
    SVMSMOTE,
    KMeansSMOTE,
    PolynomialFitSMOTE,
    ProWSyn,
)
from balancekit.under_sampling import (
    ClusterCentroids,
    CondensedNearestNeighbour,
    InstanceHardnessThreshold,
)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

ROW_CHUNKS = (40, 25, 60, 35)
N = sum(ROW_CHUNKS)
INDEX_SAMPLERS = (CondensedNearestNeighbour, InstanceHardnessThreshold)


def _forest():
    return RandomForestClassifier(n_estimators=8, random_state=0)


CASES = [
    (SVMSMOTE, {}),
    (KMeansSMOTE, {"cluster_balance_threshold": 0.0}),
    (ProWSyn, {"n_levels": 3}),
    (PolynomialFitSMOTE, {"topology": "star"}),
    (PolynomialFitSMOTE, {"topology": "bus", "sampling_strategy": "minority"}),
    (PolynomialFitSMOTE, {"topology": "poly_2"}),
    (SMOTEIPF, {"n_folds": 3}),
    (CondensedNearestNeighbour, {}),
    (CondensedNearestNeighbour, {"n_neighbors": 3, "sampling_strategy": "all"}),
    (InstanceHardnessThreshold, {"estimator": _forest(), "cv": 3}),
    (ClusterCentroids, {}),
    (ClusterCentroids, {"voting": "hard"}),
]
IDS = [
    "svm",
    "kmeans",
    "prowsyn",
    "star",
    "bus",
    "poly",
    "ipf",
    "cnn",
    "cnn-3",
    "iht",
    "cc",
    "cc-hard",
]


def _data(seed=0, n=N):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    y[:6] = [0, 1, 2, 2, 1, 2]  # every class has 2 rows or more
    X = rng.normal(size=(n, 2)) + 1.0 * y[:, None]
    w = rng.uniform(0.5, 2.0, size=n)
    return X, y, w


def _arrays(X, y, w=None, chunks=ROW_CHUNKS):
    out = [da.from_array(X, chunks=(chunks, X.shape[1])), da.from_array(y, chunks)]
    if w is not None:
        out.append(da.from_array(w, chunks))
    return out


def _frames(X, y, w=None, npartitions=4):
    table = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    table["label"], table["weight"] = y, 1.0 if w is None else w
    frame = dd.from_pandas(table, npartitions=npartitions)
    out = [frame[list(table.columns[: X.shape[1]])], frame["label"]]
    if w is not None:
        out.append(frame["weight"])
    return out


def _values(value):
    return value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value)


def _same(lazy, expected):
    """A lazy fitted attribute (arrays, dicts and lists of them) equals memory's."""
    if isinstance(expected, dict):
        assert list(lazy) == list(expected)
        for key in expected:
            _same(lazy[key], expected[key])
    elif isinstance(expected, list):
        assert len(lazy) == len(expected)
        for got, want in zip(lazy, expected, strict=True):
            _same(got, want)
    else:
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(lazy.compute(), np.asarray(expected))


def _check(cls, params, inputs):
    """fit_resample on Dask and on the computed data; compare; the Dask sampler."""
    sampler = cls(random_state=0, **params)
    kwargs = {"sample_weight": inputs[2]} if len(inputs) == 3 else {}
    result = sampler.fit_resample(inputs[0], inputs[1], **kwargs)
    computed = dask.compute(*inputs)
    memory = cls(random_state=0, **params)
    mem_kwargs = {"sample_weight": computed[2]} if len(inputs) == 3 else {}
    expected = memory.fit_resample(computed[0], computed[1], **mem_kwargs)
    assert len(result) == len(inputs)
    for out, given_input in zip(result, inputs, strict=True):
        assert type(out).__name__ == type(given_input).__name__  # the input's type
        if isinstance(out, da.Array):
            assert not any(np.isnan(out.chunks[0]))  # known without computing
            assert out.chunks[0] == result[0].chunks[0]
        else:
            assert out.known_divisions
    got = dask.compute(*result)
    if cls in INDEX_SAMPLERS:
        kept = np.sort(_values(memory.sample_indices_))
        index = sampler.sample_indices_.compute()
        np.testing.assert_array_equal(index, kept)  # the same rows, in input order
        for out, source in zip(got, computed, strict=True):
            np.testing.assert_array_equal(_values(out), _values(source)[kept])
        return sampler, memory
    for out, want in zip(got, expected, strict=True):
        assert _values(out).dtype == _values(want).dtype
        np.testing.assert_array_equal(_values(out), _values(want))  # bit for bit
    if isinstance(got[0], pd.DataFrame):
        assert got[0].index.equals(pd.RangeIndex(len(got[0])))
    assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
    return sampler, memory


def _row_attributes(cls):
    from balancekit.dask._one_worker import SPECS

    return SPECS[cls.__name__].row_attributes


def _attribute(obj, path):
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


@pytest.mark.parametrize(("cls", "params"), CASES, ids=IDS)
def test_arrays_equal_the_in_memory_sampler(synchronous, cls, params):
    X, y, _ = _data(1)
    sampler, memory = _check(cls, params, _arrays(X, y))
    if cls not in INDEX_SAMPLERS and cls not in (SMOTEIPF, ClusterCentroids):
        chunks = sampler.synthetic_steps_.chunks[0]
        assert len(chunks) == 1
        out_chunks = sampler.fit_resample(*_arrays(X, y))[0].chunks[0]
        assert out_chunks[: len(ROW_CHUNKS)] == ROW_CHUNKS  # originals first
        assert max(out_chunks[len(ROW_CHUNKS) :]) <= max(ROW_CHUNKS)
    for path in _row_attributes(cls):
        if path == "sample_indices_":
            continue  # compared as a set by _check
        _same(_attribute(sampler, path), _attribute(memory, path))


@pytest.mark.parametrize(("cls", "params"), CASES, ids=IDS)
def test_frames_and_weights(synchronous, cls, params):
    X, y, w = _data(2)
    _check(cls, params, _frames(X, y, w))


@pytest.mark.parametrize(("cls", "params"), CASES[::3], ids=IDS[::3])
def test_array_weights_and_one_row_partitions(synchronous, cls, params):
    X, y, w = _data(3)
    chunks = (1, 1, 70, 1, 40, 1, 46)
    _check(cls, params, _arrays(X, y, w, chunks))


def test_smoten_tables_and_text_arrays(synchronous):
    rng = np.random.default_rng(4)
    _, y, w = _data(4)
    text = np.array(["A", "B", "C"])[rng.integers(0, 3, (N, 2))]
    text[y == 1, 0] = "B"
    _check(SMOTEN, {}, _arrays(text, y, w))
    table = pd.DataFrame(text, columns=["u", "v"]).astype("category")
    frame = dd.from_pandas(table.assign(label=y), npartitions=3)
    sampler, memory = _check(SMOTEN, {}, [frame[["u", "v"]], frame["label"]])
    _same(sampler.synthetic_parents_, memory.synthetic_parents_)
    assert sampler.categorical_encoder_.categories_[0].tolist() == ["A", "B", "C"]


def _every_other(X, y, sample_weight=None):
    if sample_weight is None:
        return X[::2], y[::2]
    return X[::2], y[::2], sample_weight[::2]


def _warns(X, y):
    warnings.warn("the function says so", UserWarning, stacklevel=2)
    return X, y


@pytest.mark.parametrize("validate", [True, False])
def test_function_sampler(synchronous, validate):
    X, y, w = _data(5)
    for inputs in (_arrays(X, y, w), _frames(X, y, w), _arrays(X, y)):
        sampler = FunctionSampler(func=_every_other, validate=validate)
        weights = inputs[2] if len(inputs) == 3 else None
        result = sampler.fit_resample(*inputs[:2], sample_weight=weights)
        computed = dask.compute(*inputs)
        memory = FunctionSampler(func=_every_other, validate=validate)
        expected = memory.fit_resample(
            *computed[:2], sample_weight=computed[2] if len(inputs) == 3 else None
        )
        if isinstance(result[0], da.Array):  # pieces no longer than a partition
            assert result[0].chunks[0] == result[1].chunks[0] == (60, 20)
        for out, want in zip(dask.compute(*result), expected, strict=True):
            np.testing.assert_array_equal(_values(out), _values(want))
        assert sampler.sampling_strategy_ == "auto"
        assert hasattr(sampler, "n_features_in_") == validate
    with pytest.warns(UserWarning, match="the function says so"):
        FunctionSampler(func=_warns).fit_resample(*_arrays(X, y))


@pytest.mark.filterwarnings("ignore:SVMSMOTE found no support vector")
@pytest.mark.parametrize(
    "sampler",
    [
        SVMSMOTE(random_state=0),
        CondensedNearestNeighbour(random_state=0),
        ClusterCentroids(random_state=0),
        FunctionSampler(func=_every_other),
    ],
    ids=lambda s: type(s).__name__,
)
def test_local_cluster_equals_synchronous(client, sampler):
    X, y, w = _data(6)
    inputs = _frames(X, y, w) if type(sampler) is SVMSMOTE else _arrays(X, y, w)
    result = dask.compute(*sampler.fit_resample(*inputs[:2], sample_weight=inputs[2]))
    with dask.config.set(scheduler="synchronous"):
        again = type(sampler)(**sampler.get_params())
        same = dask.compute(*again.fit_resample(*inputs[:2], sample_weight=inputs[2]))
    for got, want in zip(result, same, strict=True):
        np.testing.assert_array_equal(_values(got), _values(want))
    if type(sampler) is CondensedNearestNeighbour:
        memory = CondensedNearestNeighbour(random_state=0)
        memory.fit_resample(X, y)
        np.testing.assert_array_equal(
            sampler.sample_indices_.compute(), np.sort(memory.sample_indices_)
        )
    assert pickle.loads(pickle.dumps(sampler)).sampling_strategy_ is not None


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    chunks=st.lists(st.integers(1, 25), min_size=1, max_size=5).filter(
        lambda c: sum(c) >= 20
    ),
    seed=st.integers(0, 2**16),
    case=st.sampled_from(
        [
            (PolynomialFitSMOTE, {"topology": "bus"}),
            (PolynomialFitSMOTE, {"topology": "mesh"}),
            (ProWSyn, {"n_levels": 2}),
            (CondensedNearestNeighbour, {"sampling_strategy": "all"}),
            (ClusterCentroids, {"voting": "hard"}),
        ]
    ),
)
def test_property_any_partitioning_equals_memory(synchronous, chunks, seed, case):
    X, y, w = _data(seed, sum(chunks))
    X = np.round(X)  # ties in the distances
    _check(*case, _arrays(X, y, w, tuple(chunks)))


def test_fit_sets_the_in_memory_attributes(synchronous):
    X, y, _ = _data(7)
    for cls, params in [*CASES, (SMOTEN, {})]:
        sampler = cls(**params).fit(*_arrays(X, y))
        memory = cls(**params).fit(X, y)
        assert set(vars(sampler)) == set(vars(memory))
        assert dict(sampler.sampling_strategy_) == dict(memory.sampling_strategy_)
    for validate in (True, False):
        sampler = FunctionSampler(validate=validate).fit(*_arrays(X, y))
        memory = FunctionSampler(validate=validate).fit(X, y)
        assert set(vars(sampler)) == set(vars(memory))


def test_generator_random_state_and_pickling(synchronous):
    X, y, _ = _data(8)
    generator = np.random.default_rng(5)
    sampler = ProWSyn(random_state=generator)
    X_res, _ = sampler.fit_resample(*_arrays(X, y))
    X_mem, _ = ProWSyn(random_state=np.random.default_rng(5)).fit_resample(X, y)
    np.testing.assert_array_equal(X_res.compute(), X_mem)
    advanced = np.random.default_rng(5)
    advanced.random()  # copied for the worker, then advanced by one draw
    assert generator.random() == advanced.random()
    loaded = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(
        loaded.synthetic_parents_.compute(), sampler.synthetic_parents_.compute()
    )
    Xd, yd = _arrays(X, y)
    before = Xd.compute()
    SVMSMOTE(random_state=0).fit_resample(Xd, yd)
    np.testing.assert_array_equal(Xd.compute(), before)  # the inputs unmodified
    np.testing.assert_array_equal(before, X)


def test_budget(synchronous):
    X, y, _ = _data(9)
    tiny = dask.config.set({"balancekit.max-gather-bytes": 1000})
    with tiny, pytest.raises(ValueError, match="budget") as error:
        CondensedNearestNeighbour().fit_resample(*_arrays(X, y))
    message = str(error.value)
    for words in (
        "every row",
        "RandomUnderSampler",
        "RandomOverSampler",
        "SMOTE",
        "TomekLinks",
        "EditedNearestNeighbours",
        "compute_sample_weight",
        "max-gather-bytes",
    ):
        assert words in message
    # PolynomialFitSMOTE gathers its minority only: it fits where ProWSyn does not
    n_min = int((y == 2).sum())
    n_new = int((y == 0).sum()) - n_min
    budget = (n_min + n_new) * 24  # two float64 features and an int64 label
    minority = {"sampling_strategy": "minority", "random_state": 0}
    with dask.config.set({"balancekit.max-gather-bytes": budget}):
        PolynomialFitSMOTE(**minority).fit_resample(*_arrays(X, y))
        with pytest.raises(ValueError, match="every row"):
            ProWSyn(**minority).fit_resample(*_arrays(X, y))


def test_task_names_say_what_runs(synchronous):
    from dask.callbacks import Callback

    X, y, _ = _data(10)
    ran: list = []

    class Record(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            ran.append(str(key[0] if isinstance(key, tuple) else key))

    with Record():
        X_res, _ = SVMSMOTE(random_state=0).fit_resample(*_arrays(X, y))
    for step in ("gather-select", "gather", "run", "summary"):
        assert any(k.startswith(f"balancekit-svmsmote-{step}-") for k in ran), step
    assert all(k.startswith(("balancekit-", "array-")) for k in ran)
    assert any(k.startswith("balancekit-svmsmote-X") for k in X_res.dask.layers)


def test_client_gets_small_values_only(synchronous, monkeypatch):
    compute = dask.compute
    received: list = []

    def measured(*args, **kwargs):
        values = compute(*args, **kwargs)
        received.append(len(pickle.dumps(values)))
        return values

    monkeypatch.setattr(dask, "compute", measured)
    for cls, params in [
        (InstanceHardnessThreshold, {"estimator": _forest(), "cv": 3}),
        (PolynomialFitSMOTE, {}),
        (ProWSyn, {}),
    ]:
        sizes = []
        for n in (N, 4 * N):
            received.clear()
            X, y, _ = _data(11, n)
            chunks = tuple(c * n // N for c in ROW_CHUNKS)
            cls(random_state=0, **params).fit_resample(*_arrays(X, y, None, chunks))
            sizes.append(sum(received))
        # ~8 bytes a row would add 3600 bytes; the numbers per partition do not grow
        assert sizes[1] - sizes[0] < 600, (cls.__name__, sizes)


def test_bad_input_and_errors_of_the_run(synchronous):
    X, y, _ = _data(12)
    Xd, yd = _arrays(X, y)
    with pytest.raises(TypeError, match="`y` is a numpy"):
        SVMSMOTE().fit_resample(Xd, y)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        ProWSyn().fit_resample(Xd[yd >= 0], yd[yd >= 0])
    text = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "s": ["t"] * N}), 3)
    with pytest.raises(TypeError, match="ClusterCentroids computes on the values"):
        ClusterCentroids().fit_resample(text, dd.from_pandas(pd.Series(y), 3))
    with pytest.raises(ValueError, match="`out_step`"):
        SVMSMOTE(out_step=2.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="needs at least 41 samples"):
        PolynomialFitSMOTE(topology="poly_40").fit_resample(Xd, yd)
    with pytest.raises(ValueError, match="`cv`"):
        InstanceHardnessThreshold(cv=1).fit_resample(Xd, yd)
    with pytest.raises(RuntimeError, match="No clusters found"):
        KMeansSMOTE(cluster_balance_threshold=1.0).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match="must return 2 values"):
        FunctionSampler(func=lambda X, y: (X,)).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match="`func` must be a callable"):
        FunctionSampler(func=3).fit(Xd, yd)


def test_neighbours_holding_rows_come_back_configured_not_fitted(synchronous):
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    X, y, _ = _data(5)
    for cls, params, name in (
        (CondensedNearestNeighbour, {"random_state": 0}, "estimators_"),
        (KMeansSMOTE, {"cluster_balance_threshold": 0.0, "random_state": 0}, "nn_k_"),
    ):
        on_dask = cls(**params)
        on_dask.fit_resample(*_arrays(X, y))
        in_memory = cls(**params)
        in_memory.fit_resample(X, y)
        got, expected = getattr(on_dask, name), getattr(in_memory, name)
        pairs = (
            zip(got, expected, strict=True)
            if name == "estimators_"
            else [(got, expected)]
        )
        for lazy, fitted in pairs:
            assert lazy.get_params() == fitted.get_params()
            check_is_fitted(fitted)
            with pytest.raises(NotFittedError):
                check_is_fitted(lazy)  # its fitted state would be rows of X
