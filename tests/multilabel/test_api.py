"""The multilabel samplers across array libraries and devices, and their API:
errors, pickling, scikit-learn parameters, imbalanced-learn's Pipeline."""

from __future__ import annotations

import pickle

import array_api_strict
import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier

from balancekit.multilabel import (
    MLROS,
    MLRUS,
    MLSMOTE,
    LabelPowersetRandomOverSampler,
    LabelPowersetRandomUnderSampler,
)
from tests.conftest import STRICT_DEVICE1
from tests.multilabel.test_reference import make_data

SAMPLERS = [
    MLROS,
    MLRUS,
    MLSMOTE,
    LabelPowersetRandomOverSampler,
    LabelPowersetRandomUnderSampler,
]
STRATEGIES = [0.25, {"mean_ir": 1.5}, "auto"]


def _cases():
    for cls in SAMPLERS:
        if cls is MLSMOTE:
            yield cls, {"label_combination": "ranking"}
            yield cls, {"label_combination": "union", "k_neighbors": 2}
            continue
        for strategy in STRATEGIES:
            if strategy == "auto" and cls in (MLROS, MLRUS):
                continue
            yield cls, {"sampling_strategy": strategy}


CASES = list(_cases())
CASE_IDS = [f"{cls.__name__}-{params}" for cls, params in CASES]


@pytest.mark.parametrize(("cls", "params"), CASES, ids=CASE_IDS)
def test_same_rows_on_every_backend_and_device(backend, cls, params):
    X, Y = make_data(7, 80, 5)
    w = np.linspace(0.1, 1.0, 80)
    expected = cls(random_state=0, **params).fit_resample(X, Y, sample_weight=w)
    Xb, Yb, wb = (backend.asarray(a) for a in (X, Y, w))
    sampler = cls(random_state=0, **params)
    result = sampler.fit_resample(Xb, Yb, sample_weight=wb)
    for got, want, given in zip(result, expected, (Xb, Yb, wb), strict=True):
        assert type(got) is type(given)
        assert backend.device_of(got) == backend.device
        assert got.dtype == given.dtype
        np.testing.assert_allclose(backend.to_numpy(got), want, rtol=1e-12, atol=0)
    attribute = "synthetic_parents_" if cls is MLSMOTE else "sample_indices_"
    indices = getattr(sampler, attribute)
    assert type(indices) is type(Xb)
    assert backend.device_of(indices) == backend.device


def test_strict_device1_input_is_never_copied_to_the_host():
    """array-api-strict's device1 refuses host conversion: only O(n_combinations)
    numbers cross (through the sanctioned to_host), the output stays on device1."""
    X, Y = make_data(8, 50, 4)
    Xd = array_api_strict.asarray(X, device=STRICT_DEVICE1)
    Yd = array_api_strict.asarray(Y, device=STRICT_DEVICE1)
    for cls in SAMPLERS:
        X_res, Y_res = cls(random_state=0).fit_resample(Xd, Yd)
        assert X_res.device == STRICT_DEVICE1
        assert Y_res.device == STRICT_DEVICE1
    with pytest.raises(ValueError, match=r"on device"):
        MLROS().fit_resample(Xd, array_api_strict.asarray(Y))


def test_torch_cpu_outputs_are_tensors():
    X, Y = make_data(9, 40, 3)
    X_res, Y_res, w_res = MLSMOTE(random_state=0).fit_resample(
        torch.as_tensor(X),
        torch.as_tensor(Y, dtype=torch.bool),
        sample_weight=torch.ones(40),
    )
    assert isinstance(X_res, torch.Tensor)
    assert Y_res.dtype == torch.bool
    assert w_res.dtype == torch.float32


@pytest.mark.parametrize("cls", SAMPLERS)
def test_pickles_fitted_and_not(cls):
    X, Y = make_data(1, 30, 3)
    sampler = cls(random_state=0)
    assert pickle.loads(pickle.dumps(sampler)).get_params() == sampler.get_params()
    expected = sampler.fit_resample(X, Y)
    restored = pickle.loads(pickle.dumps(sampler))
    np.testing.assert_array_equal(restored.irlbl_, sampler.irlbl_)
    for a, b in zip(restored.fit_resample(X, Y), expected, strict=True):
        np.testing.assert_array_equal(a, b)
    strict_X = array_api_strict.asarray(X, device=STRICT_DEVICE1)
    strict_Y = array_api_strict.asarray(Y, device=STRICT_DEVICE1)
    sampler.fit_resample(strict_X, strict_Y)
    pickle.loads(pickle.dumps(sampler))


@pytest.mark.parametrize("cls", SAMPLERS)
def test_fit_measures_without_resampling_and_params_clone(cls):
    X, Y = make_data(2, 30, 3)
    sampler = cls(random_state=4).fit(X, Y)
    assert sampler.n_features_in_ == 3
    assert sampler.n_labels_ == 3
    assert not hasattr(sampler, "sample_indices_")
    assert not hasattr(sampler, "synthetic_parents_")
    cloned = clone(sampler)
    assert cloned.get_params() == sampler.get_params()
    assert not hasattr(cloned, "irlbl_")
    assert cls().set_params(random_state=1).random_state == 1
    tags = sampler.__sklearn_tags__()
    assert tags.target_tags.multi_output
    assert tags.target_tags.required


@pytest.mark.parametrize("cls", SAMPLERS)
def test_works_in_imblearn_pipeline(cls):
    X, Y = make_data(3, 60, 3)
    pipe = Pipeline([("sample", cls(random_state=0)), ("knn", KNeighborsClassifier(3))])
    pipe.fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
    fitted = pipe.named_steps["sample"]
    assert fitted.n_labels_ == 3


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("cls", SAMPLERS)
def test_one_dimensional_y_points_to_single_label_samplers(cls):
    with pytest.raises(ValueError, match=r"`y` is 1-D.*RandomOverSampler"):
        cls().fit_resample(np.zeros((4, 2)), np.array([0, 1, 0, 1]))


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (np.array([[0, 2], [1, 0]]), ValueError, r"only 0 and 1.*e\.g\. 2"),
        (np.array([[0.0, np.nan], [1, 0]]), ValueError, "only 0 and 1"),
        (np.array([["a", "b"], ["b", "a"]]), TypeError, "MultiLabelBinarizer"),
        (
            np.zeros((2, 2, 2)),
            ValueError,
            r"indicator of shape \(n_samples, n_labels\)",
        ),
        (np.zeros((2, 0)), ValueError, "empty"),
        (np.zeros((2, 2)), ValueError, "no positive entry"),
        (np.ones((3, 2)), ValueError, "`X` has 2 rows but `y` has 3"),
        (None, ValueError, "`y` is None"),
    ],
)
def test_bad_y(y, error, match):
    with pytest.raises(error, match=match):
        MLROS().fit_resample(np.zeros((2, 2)), y)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.zeros(2), ValueError, "`X` must be 2-D"),
        (np.array([["a"], ["b"]]), TypeError, "`X` must hold real numbers"),
        (np.zeros((2, 0)), ValueError, "0 features"),
    ],
)
def test_bad_X(X, error, match):
    with pytest.raises(error, match=match):
        MLROS().fit_resample(X, np.array([[1, 0], [0, 1]]))


def test_mlsmote_refuses_non_finite_X():
    X = np.array([[0.0], [np.nan], [1.0]])
    y = np.array([[1, 0], [1, 1], [1, 1]])
    with pytest.raises(ValueError, match="NaN or infinity"):
        MLSMOTE().fit_resample(X, y)
    with pytest.raises(ValueError, match="NaN or infinity"):
        MLSMOTE().fit(X, y)
    MLROS().fit(X, y)  # rows are copied, never measured: NaN is fine


def test_bad_sample_weight():
    X, Y = make_data(0, 10, 2)
    with pytest.raises(ValueError, match=r"`sample_weight` must have shape \(10,\)"):
        MLROS().fit_resample(X, Y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="negative"):
        MLROS().fit_resample(X, Y, sample_weight=-np.ones(10))


@pytest.mark.parametrize(
    ("cls", "strategy", "error", "match"),
    [
        (MLROS, 0.0, ValueError, r"must be in \(0, 1\]"),
        (MLROS, 1.5, ValueError, r"must be in \(0, 1\]"),
        (MLRUS, True, TypeError, "must be a float P"),
        (MLROS, "auto", ValueError, "not a name"),
        (MLRUS, {"meanir": 2}, ValueError, "must be {'mean_ir': t}"),
        (MLROS, {"mean_ir": 0.5}, ValueError, ">= 1"),
        (MLROS, {"mean_ir": float("inf")}, ValueError, ">= 1"),
        (LabelPowersetRandomOverSampler, "majority", ValueError, "must be one of"),
        (LabelPowersetRandomUnderSampler, "minority", ValueError, "must be one of"),
        (LabelPowersetRandomUnderSampler, [1], TypeError, "one of 'auto'"),
    ],
)
def test_bad_sampling_strategy(cls, strategy, error, match):
    X, Y = make_data(0, 10, 2)
    with pytest.raises(error, match=match):
        cls(sampling_strategy=strategy).fit_resample(X, Y)
    with pytest.raises(error, match=match):
        cls(sampling_strategy=strategy).fit(X, Y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"k_neighbors": 0}, ValueError, "`k_neighbors` must be >= 1"),
        ({"k_neighbors": 2.5}, TypeError, "`k_neighbors` must be an int"),
        ({"label_combination": "rank"}, ValueError, "Did you mean 'ranking'"),
    ],
)
def test_bad_mlsmote_params(params, error, match):
    X, Y = make_data(0, 10, 2)
    with pytest.raises(error, match=match):
        MLSMOTE(**params).fit_resample(X, Y)


def test_mlsmote_small_bags_use_fewer_neighbours_and_single_rows_none():
    X = np.arange(10.0).reshape(5, 2)
    Y = np.array([[1, 0, 0, 1]] * 2 + [[1, 1, 0, 1]] * 2 + [[1, 0, 1, 1]])
    # IRLbl (1, 2.5, 5, 1), MeanIR 2.375: labels 1 and 2 are minority labels
    sampler = MLSMOTE(k_neighbors=5, random_state=0)
    _X_res, Y_res = sampler.fit_resample(X, Y)
    # label 1 has 2 rows (1 neighbour each); label 2 a single row: nothing to make
    assert sorted(sampler.minority_labels_.tolist()) == [1, 2]
    assert np.asarray(sampler.synthetic_parents_).tolist() == [2, 3]
    assert np.asarray(sampler.synthetic_partners_).tolist() == [3, 2]
    np.testing.assert_array_equal(Y_res[5:], [[1, 1, 0, 1], [1, 1, 0, 1]])


def test_pandas_and_lists_are_read_as_numpy():
    import pandas as pd

    X, Y = make_data(6, 20, 3)
    expected = MLROS(random_state=0).fit_resample(X, Y)
    got = MLROS(random_state=0).fit_resample(pd.DataFrame(X), Y.tolist())
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)
