"""FunctionSampler: imbalanced-learn's FunctionSampler as the oracle, every backend."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn import FunctionSampler as ImbFunctionSampler
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression

import balancekit
from balancekit import FunctionSampler
from balancekit.under_sampling import RandomUnderSampler


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [30, 12, 8])
    X = rng.normal(size=(y.size, 3))
    return X, y


def keep_every_other(X, y, start=0):
    return X[start::2], y[start::2]


def parameters(cls):
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()
    ]


def test_signature_and_public_path_match_imblearn():
    assert parameters(FunctionSampler) == parameters(ImbFunctionSampler)
    assert balancekit.FunctionSampler is FunctionSampler
    assert "FunctionSampler" in balancekit.__all__


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize(
    ("func", "kw_args"), [(None, None), (keep_every_other, {"start": 1})]
)
def test_same_output_as_imblearn_on_host_containers(validate, func, kw_args):
    X, y = make_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    series = pd.Series(y, name="target")
    for X_in, y_in in [(X, y), (X.tolist(), y.tolist()), (frame, series)]:
        if func is not None and isinstance(X_in, list) and not validate:
            continue  # a list cannot be sliced with a step by the function
        if func is not None and isinstance(X_in, pd.DataFrame) and not validate:
            continue  # DataFrame[::2] slices rows too, but keep the cases simple
        ours = FunctionSampler(func=func, kw_args=kw_args, validate=validate)
        theirs = ImbFunctionSampler(func=func, kw_args=kw_args, validate=validate)
        got = ours.fit_resample(X_in, y_in)
        want = theirs.fit_resample(X_in, y_in)
        for a, b in zip(got, want, strict=True):
            assert type(a) is type(b)
            if isinstance(a, pd.DataFrame | pd.Series):
                pd.testing.assert_frame_equal(
                    pd.DataFrame(a), pd.DataFrame(b)
                ) if isinstance(a, pd.DataFrame) else pd.testing.assert_series_equal(
                    a, b
                )
            else:
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert ours.sampling_strategy_ == theirs.sampling_strategy_


def test_validate_gives_the_function_what_imblearn_gives_it():
    X, y = make_data()
    seen = {}

    def record(X, y):
        seen["types"] = (type(X), type(y))
        return X, y

    frame = pd.DataFrame(X)
    FunctionSampler(func=record).fit_resample(frame, pd.Series(y))
    ours = seen["types"]
    ImbFunctionSampler(func=record).fit_resample(frame, pd.Series(y))
    assert ours == seen["types"] == (np.ndarray, np.ndarray)
    one_hot = np.eye(3, dtype=int)[y]
    _, y_res = FunctionSampler(func=keep_every_other).fit_resample(X, one_hot)
    _, y_peer = ImbFunctionSampler(func=keep_every_other).fit_resample(X, one_hot)
    np.testing.assert_array_equal(y_res, y_peer)
    assert y_res.shape == (25, 3)


def test_validate_refuses_what_imblearn_refuses():
    X, y = make_data()
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    for sampler in (FunctionSampler(), ImbFunctionSampler()):
        with pytest.raises(ValueError, match="NaN"):
            sampler.fit_resample(X_nan, y)
        with pytest.raises(ValueError, match=r"Unknown label type|continuous"):
            sampler.fit_resample(X, np.linspace(0, 1, len(y)))
    for sampler in (
        FunctionSampler(accept_sparse=False),
        ImbFunctionSampler(accept_sparse=False),
    ):
        with pytest.raises(TypeError, match=r"[Ss]parse"):
            sampler.fit_resample(sp.csr_matrix(X), y)
    X_sp, _ = FunctionSampler().fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sp)
    # validate=False hands anything over, NaN included.
    X_out, _ = FunctionSampler(validate=False).fit_resample(X_nan, y)
    assert X_out is X_nan


def test_validate_false_hands_the_callers_arrays_as_given(backend):
    X, y = make_data()
    X_b, y_b = backend.asarray(X.astype(np.float32)), backend.asarray(y)
    seen = {}

    def first_rows(X, y):
        seen["args"] = (X, y)
        return X[:10, ...], y[:10]

    X_res, y_res = FunctionSampler(func=first_rows, validate=False).fit_resample(
        X_b, y_b
    )
    assert seen["args"][0] is X_b
    assert seen["args"][1] is y_b
    assert type(X_res) is type(X_b)
    assert backend.device_of(X_res) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(y_res), y[:10])


def test_validate_true_runs_in_the_callers_library(backend):
    X, y = make_data()
    X_b, y_b = backend.asarray(X.astype(np.float32)), backend.asarray(y)
    sampler = FunctionSampler(
        func=lambda X, y: RandomUnderSampler(random_state=0).fit_resample(X, y)
    )
    X_res, y_res = sampler.fit_resample(X_b, y_b)
    assert type(X_res) is type(X_b)
    assert backend.device_of(X_res) == backend.device
    assert backend.device_of(y_res) == backend.device
    assert np.bincount(backend.to_numpy(y_res)).tolist() == [8, 8, 8]
    assert sampler.n_features_in_ == 3
    X_nan = X.astype(np.float32)
    X_nan[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FunctionSampler().fit_resample(backend.asarray(X_nan), y_b)


def test_sample_weight_is_passed_to_the_function():
    X, y = make_data()
    weights = np.linspace(1, 2, len(y))

    def drop_first(X, y, sample_weight):
        return X[1:], y[1:], sample_weight[1:]

    _X_res, _y_res, w_res = FunctionSampler(func=drop_first).fit_resample(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(w_res, weights[1:])
    identity = FunctionSampler().fit_resample(X, y, sample_weight=weights)
    np.testing.assert_array_equal(identity[2], weights)
    with pytest.raises(ValueError, match="`func` must return 3 values"):
        FunctionSampler(func=lambda X, y, sample_weight: (X, y)).fit_resample(
            X, y, sample_weight=weights
        )


def test_in_an_imblearn_pipeline():
    X, y = make_data()
    model = make_pipeline(
        FunctionSampler(func=keep_every_other), LogisticRegression()
    ).fit(X, y)
    peer = make_pipeline(
        ImbFunctionSampler(func=keep_every_other), LogisticRegression()
    ).fit(X, y)
    np.testing.assert_allclose(model.predict_proba(X), peer.predict_proba(X))


def test_fit_checks_and_sets_the_strategy():
    X, y = make_data()
    sampler = FunctionSampler().fit(X, y)
    assert sampler.sampling_strategy_ == "auto"
    assert sampler.n_features_in_ == 3
    assert FunctionSampler(validate=False).fit(X, y).sampling_strategy_ == "auto"


def test_pickles_fitted_or_not():
    X, y = make_data()
    sampler = FunctionSampler(func=keep_every_other, kw_args={"start": 1})
    restored = pickle.loads(pickle.dumps(sampler))
    assert restored.get_params() == sampler.get_params()
    sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(restored.fit_resample(X, y)[0], X[1::2])


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"func": 3}, TypeError, "`func` must be a callable"),
        ({"accept_sparse": "yes"}, TypeError, "accept_sparse"),
        ({"validate": 1}, TypeError, "validate"),
        ({"kw_args": [1]}, TypeError, "`kw_args` must be a dict"),
    ],
)
def test_bad_parameters_are_named(params, error, match):
    X, y = make_data()
    with pytest.raises(error, match=match):
        FunctionSampler(**params).fit_resample(X, y)


def test_function_returning_one_value_is_a_clear_error():
    X, y = make_data()
    with pytest.raises(ValueError, match="`func` must return 2 values"):
        FunctionSampler(func=lambda X, y: X).fit_resample(X, y)
