"""CPU tensors through the NumPy kernels: same results as PyTorch's, zero copy.

``balancekit._array_api.numpy_for_cpu_tensors`` (and ``BaseSampler.fit_resample``)
view plain CPU tensors as NumPy, run the NumPy kernels and hand tensors back. Each
test compares that route with the native PyTorch kernels (``native_dispatch``) on the
same input: values, dtype, type, fitted attributes, errors; and checks what must keep
the native path (autograd, array-api-strict devices, mixed libraries).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import array_api_strict
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import balancekit.augmentation as augmentation
import balancekit.combine as combine
import balancekit.metrics as metrics
import balancekit.over_sampling as over_sampling
import balancekit.under_sampling as under_sampling
import balancekit.weighting as weighting
from balancekit import RandomUnderSampler
from balancekit._array_api import (
    cpu_tensor_view,
    native_dispatch,
    numpy_for_cpu_tensors,
    restore_tensors,
)

SAMPLERS = sorted(
    {
        getattr(module, name)
        for module in (over_sampling, under_sampling, combine)
        for name in module.__all__
        if hasattr(getattr(module, name), "fit_resample")
    },
    key=lambda cls: cls.__name__,
)
ROW_ATTRIBUTES = ("sample_indices_", "synthetic_parents_", "synthetic_partners_")


def _sampler(cls: type) -> Any:
    params: dict[str, Any] = {}
    if cls.__name__ == "SMOTENC":
        params["categorical_features"] = [0]
    if "random_state" in inspect.signature(cls).parameters:
        params["random_state"] = 0
    return cls(**params)


def assert_same(native: Any, routed: Any, path: str = "result") -> None:
    """Equal structure, types, dtypes and values.

    Floats agree to round-off: where a kernel computes a statistic (the class std of
    ``gaussian_noise``), NumPy and PyTorch sum in different orders (DESIGN.md).
    """
    assert type(native) is type(routed), f"{path}: {type(native)} vs {type(routed)}"
    if isinstance(native, torch.Tensor):
        assert native.dtype == routed.dtype, f"{path}: dtype"
        assert native.shape == routed.shape, f"{path}: shape"
        assert native.device == routed.device, f"{path}: device"
        if native.dtype.is_floating_point:
            atol = 1e-6 if native.dtype == torch.float32 else 1e-12
            torch.testing.assert_close(routed, native, rtol=1e-6, atol=atol)
        else:
            assert torch.equal(native, routed), f"{path}: values"
    elif isinstance(native, tuple | list):
        assert len(native) == len(routed), f"{path}: length"
        for i, (a, b) in enumerate(zip(native, routed, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(native, dict):
        assert list(native) == list(routed), f"{path}: keys"
        for key in native:
            assert_same(native[key], routed[key], f"{path}[{key!r}]")
    elif isinstance(native, float):
        assert native == pytest.approx(routed, rel=1e-12, nan_ok=True), path
    else:
        assert native == routed, f"{path}: {native!r} vs {routed!r}"


def assert_same_fitted_arrays(native: Any, routed: Any) -> None:
    """The arrays a fitted object lists in ``_fitted_arrays`` agree on both routes.

    Tensors come back as tensors on the NumPy route (dicts of them too), and a
    listed estimator of balancekit's own (the k-means) is compared the same way.
    """
    for name in getattr(type(native), "_fitted_arrays", ()):
        if not hasattr(native, name):
            continue
        a, b = getattr(native, name), getattr(routed, name)
        if hasattr(type(a), "_fitted_arrays"):
            assert_same_fitted_arrays(a, b)
        else:
            assert_same(a, b, name)


def both_routes(call: Callable[[], Any]) -> tuple[Any, Any]:
    """``call()`` on PyTorch's kernels, then through the NumPy route."""
    with native_dispatch():
        native = call()
    return native, call()


def _error_of(call: Callable[[], Any]) -> tuple[type, str] | None:
    try:
        call()
    except Exception as exc:
        return type(exc), str(exc)
    return None


def _data(dtype: torch.dtype, n: int = 240, seed: int = 0) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    if dtype.is_floating_point:
        X = torch.from_numpy(rng.standard_normal((n, 3))).to(dtype)
    else:
        X = torch.from_numpy(rng.integers(0, 6, (n, 3))).to(dtype)
    y = (rng.random(n) < 0.25).astype(np.int64) + (rng.random(n) < 0.35)
    return X, torch.from_numpy(y)


# ------------------------------------------------------------------ the mechanism


def test_cpu_tensor_view_shares_memory_both_ways():
    tensor = torch.arange(6.0)
    view = cpu_tensor_view(tensor)
    assert isinstance(view, np.ndarray)
    view[0] = 42.0
    assert tensor[0].item() == 42.0
    back = restore_tensors(view)
    assert isinstance(back, torch.Tensor)
    assert back.data_ptr() == tensor.data_ptr()


@pytest.mark.parametrize(
    "value",
    [
        torch.zeros(3, requires_grad=True),
        torch.zeros(3, dtype=torch.bfloat16),
        torch.zeros(3, dtype=torch.complex64).conj(),
        torch.nn.Parameter(torch.zeros(3)),
        np.zeros(3),
        [0, 1],
        array_api_strict.asarray([0.0, 1.0]),
        array_api_strict.asarray([0.0], device=array_api_strict.Device("device1")),
    ],
    ids=["grad", "bfloat16", "conj", "parameter", "numpy", "list", "strict", "dev1"],
)
def test_what_keeps_the_native_path(value):
    assert cpu_tensor_view(value) is None


def test_native_dispatch_turns_the_route_off_and_restores_it():
    with native_dispatch():
        assert cpu_tensor_view(torch.zeros(2)) is None
    assert cpu_tensor_view(torch.zeros(2)) is not None


def test_restore_walks_containers_and_keeps_named_tuples():
    result = metrics.best_threshold(
        np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3])
    )
    restored = restore_tensors(result)
    assert type(restored) is type(result)
    assert isinstance(restored.threshold, torch.Tensor)
    nested = restore_tensors({"a": (np.float64(1.5), [np.arange(2)]), "b": "text"})
    assert isinstance(nested["a"][0], torch.Tensor)
    assert nested["a"][0].ndim == 0
    assert isinstance(nested["a"][1][0], torch.Tensor)
    assert nested["b"] == "text"


def test_decorated_function_keeps_name_doc_and_signature():
    def scale(x: Any, factor: float = 2.0) -> Any:
        """Doc."""
        return x * factor

    routed = numpy_for_cpu_tensors("x")(scale)
    assert routed.__name__ == "scale"
    assert routed.__doc__ == "Doc."
    assert inspect.signature(routed) == inspect.signature(scale)
    out = routed(torch.arange(3.0), factor=3.0)
    assert isinstance(out, torch.Tensor)
    assert out.tolist() == [0.0, 3.0, 6.0]


# ------------------------------------------------------------------ samplers


@pytest.mark.parametrize("weighted", [False, True], ids=["", "weighted"])
@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.int64], ids=["f32", "f64", "i64"]
)
@pytest.mark.parametrize("cls", SAMPLERS, ids=lambda cls: cls.__name__)
def test_samplers_same_results_on_both_routes(cls, dtype, weighted):
    X, y = _data(dtype)
    weights = torch.rand(X.shape[0], dtype=torch.float64) if weighted else None
    X_before, y_before = X.clone(), y.clone()
    kwargs = {} if weights is None else {"sample_weight": weights}
    samplers = []

    def call() -> Any:
        sampler = _sampler(cls)
        samplers.append(sampler)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _error_of(lambda: sampler.fit_resample(X, y, **kwargs)) or (
                sampler.fit_resample(X, y, **kwargs)
            )

    native, routed = both_routes(call)
    assert_same(native, routed)
    for name in ROW_ATTRIBUTES:
        if hasattr(samplers[0], name):
            assert_same(getattr(samplers[0], name), getattr(samplers[1], name), name)
    if not isinstance(native[0], type):  # fitted (not an error's half-fitted state)
        assert_same_fitted_arrays(*samplers)
    assert samplers[0].sampling_strategy_ == samplers[1].sampling_strategy_
    assert torch.equal(X, X_before)
    assert torch.equal(y, y_before)


@pytest.mark.parametrize("cls", SAMPLERS, ids=lambda cls: cls.__name__)
def test_fit_same_on_both_routes(cls):
    X, y = _data(torch.float32)

    def call() -> Any:
        sampler = _sampler(cls)
        error = _error_of(lambda: sampler.fit(X, y))
        if error is not None:
            return error
        return sampler.sampling_strategy_, sampler.n_features_in_

    native, routed = both_routes(call)
    assert native == routed


def test_fit_resample_indices_same_on_both_routes():
    _, y = _data(torch.int64)
    native, routed = both_routes(
        lambda: RandomUnderSampler(random_state=3).fit_resample_indices(y)
    )
    assert_same(native, routed)


def test_routed_outputs_are_fresh_tensors():
    X, y = _data(torch.float32)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert isinstance(X_res, torch.Tensor)
    assert X_res.device == X.device
    # Rows are gathered into new memory, as PyTorch's take does.
    assert not np.shares_memory(X_res.numpy(), X.numpy())
    assert not np.shares_memory(y_res.numpy(), y.numpy())


@pytest.mark.parametrize(
    ("make", "X_fn", "y_fn"),
    [
        (lambda: over_sampling.SMOTE(), lambda X: X.clone().fill_(np.nan), None),
        (lambda: over_sampling.SMOTE(k_neighbors=500), None, None),
        (lambda: RandomUnderSampler(), None, lambda y: y[None, :]),
        (lambda: RandomUnderSampler(), None, lambda y: torch.zeros_like(y)),
        (lambda: under_sampling.TomekLinks(), lambda X: X[:10], None),
        (lambda: over_sampling.SMOTEN(), None, None),
    ],
    ids=["nan", "k-too-large", "2d-labels", "one-class", "length", "smoten"],
)
def test_sampler_errors_unchanged(make, X_fn, y_fn):
    X, y = _data(torch.float32)
    X = X if X_fn is None else X_fn(X)
    y = y if y_fn is None else y_fn(y)
    native, routed = both_routes(lambda: _error_of(lambda: make().fit_resample(X, y)))
    assert native is not None
    assert native == routed


def test_requires_grad_keeps_the_native_path_and_autograd():
    X, y = _data(torch.float32)
    X.requires_grad_(True)
    x_new, _ = augmentation.mixup(X, y, num_classes=3, random_state=0)
    assert x_new.requires_grad  # computed by torch: gradients flow back to X
    x_new.sum().backward()
    assert X.grad is not None


def test_strict_devices_keep_the_native_path():
    device = array_api_strict.Device("device1")
    X = array_api_strict.asarray(np.arange(20.0).reshape(10, 2), device=device)
    y = array_api_strict.asarray(np.array([0] * 7 + [1] * 3), device=device)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    assert X_res.device == device
    assert y_res.device == device


def test_mixed_libraries_keep_the_native_path():
    y_true = np.array([0, 1, 1, 0, 1])
    y_pred = torch.tensor([0, 1, 0, 0, 1])
    native, routed = both_routes(lambda: metrics.f1_score(y_true, y_pred))
    assert_same(native, routed)


# ------------------------------------------------------------------ functions

_RNG = np.random.default_rng(5)
_N = 400
_Y3 = torch.from_numpy(_RNG.integers(0, 3, _N))
_P3 = torch.from_numpy(
    np.where(_RNG.random(_N) < 0.7, _Y3.numpy(), _RNG.integers(0, 3, _N))
)
_YB = torch.from_numpy((_RNG.random(_N) < 0.2).astype(np.int64))
_S64 = torch.from_numpy(_RNG.random(_N) + 0.3 * _YB.numpy())
_W = torch.from_numpy(_RNG.random(_N))
_PROBA = torch.softmax(torch.from_numpy(_RNG.standard_normal((_N, 3))), 1)
_X = torch.from_numpy(_RNG.standard_normal((_N, 4)))

LABEL_METRICS = [
    "balanced_accuracy_score",
    "classification_report",
    "cohen_kappa_score",
    "confusion_matrix",
    "f1_score",
    "geometric_mean_score",
    "index_balanced_accuracy",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]
CALLS: dict[str, Callable[[], Any]] = {}
for _name in LABEL_METRICS:
    _fn = getattr(metrics, _name)
    CALLS[_name] = lambda fn=_fn: fn(_Y3, _P3)
    CALLS[_name + "-weighted"] = lambda fn=_fn: fn(_Y3, _P3, sample_weight=_W)
CALLS["classification_report-dict"] = lambda: metrics.classification_report(
    _Y3, _P3, output_dict=True
)
CALLS["f1_score-none"] = lambda: metrics.f1_score(_Y3, _P3, average=None)
CALLS["fbeta_score"] = lambda: metrics.fbeta_score(_Y3, _P3, beta=2.0)
CALLS["confusion_matrix-normalized"] = lambda: metrics.confusion_matrix(
    _Y3, _P3, normalize="true"
)
for _name in ("average_precision_score", "roc_auc_score", "precision_recall_curve"):
    for _dtype in (torch.float32, torch.float64):
        _fn = getattr(metrics, _name)
        CALLS[f"{_name}-{_dtype}"] = lambda fn=_fn, d=_dtype: fn(_YB, _S64.to(d))
        CALLS[f"{_name}-{_dtype}-weighted"] = lambda fn=_fn, d=_dtype: fn(
            _YB, _S64.to(d), sample_weight=_W
        )
CALLS["roc_curve"] = lambda: metrics.roc_curve(_YB, _S64)
CALLS["roc_auc_score-ovr"] = lambda: metrics.roc_auc_score(
    _Y3, _PROBA, multi_class="ovr"
)
CALLS["best_threshold"] = lambda: metrics.best_threshold(_YB, _S64)
CALLS["brier_score_loss"] = lambda: metrics.brier_score_loss(_YB, _S64.clamp(0, 1))
for _method in ("balanced", "inverse", "sqrt", "effective_number"):
    CALLS[f"compute_class_weight-{_method}"] = lambda m=_method: (
        weighting.compute_class_weight(_Y3, method=m)
    )
    CALLS[f"compute_sample_weight-{_method}"] = lambda m=_method: (
        weighting.compute_sample_weight(_Y3, method=m)
    )
for _name in ("mixup", "remix", "balanced_mixup", "gaussian_noise", "smote_batch"):
    for _dtype in (torch.float32, torch.float64, torch.int64):
        _fn = getattr(augmentation, _name)
        CALLS[f"{_name}-{_dtype}"] = lambda fn=_fn, d=_dtype: fn(
            _X.to(d), _Y3, num_classes=3, random_state=0
        )


@pytest.mark.parametrize("name", sorted(CALLS))
def test_functions_same_results_on_both_routes(name):
    inputs = [t.clone() for t in (_Y3, _P3, _YB, _S64, _W, _X)]
    native, routed = both_routes(lambda: _error_of(CALLS[name]) or CALLS[name]())
    assert_same(native, routed)
    for before, after in zip(inputs, (_Y3, _P3, _YB, _S64, _W, _X), strict=True):
        assert torch.equal(before, after)  # inputs never modified


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda: metrics.f1_score(_Y3.float(), _P3), "float labels"),
        (lambda: metrics.f1_score(_Y3[:5], _P3), "lengths"),
        (lambda: metrics.roc_auc_score(_YB, _S64[:5]), "score length"),
        (lambda: metrics.f1_score(_Y3, _P3, average="marco"), "average"),
        (lambda: weighting.compute_class_weight(_Y3, method="nope"), "method"),
        (lambda: augmentation.mixup(_X, _Y3 + 5, num_classes=3), "labels range"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_function_errors_unchanged(call, what):
    native, routed = both_routes(lambda: _error_of(call))
    assert native is not None, what
    assert native == routed


@settings(max_examples=25, deadline=None)
@given(
    labels=st.lists(st.integers(0, 3), min_size=2, max_size=60),
    seed=st.integers(0, 2**16),
)
def test_property_label_metric_and_sampler_routes_agree(labels, seed):
    y = torch.tensor(labels, dtype=torch.int64)
    rng = np.random.default_rng(seed)
    y_pred = torch.from_numpy(rng.integers(0, 4, len(labels)))
    X = torch.from_numpy(rng.standard_normal((len(labels), 2)))
    native, routed = both_routes(
        lambda: (
            metrics.balanced_accuracy_score(y, y_pred),
            metrics.f1_score(y, y_pred, average="macro", zero_division=0),
        )
    )
    assert_same(native, routed)
    if len(set(labels)) > 1:
        native, routed = both_routes(
            lambda: RandomUnderSampler(random_state=seed).fit_resample(X, y)
        )
        assert_same(native, routed)


def test_a_wrong_call_is_answered_by_the_function_unchained():
    # A call the signature cannot bind is answered by the function itself, and its
    # TypeError is not chained to the wrapper's binding failure ("During handling of
    # the above exception, another exception occurred" would point users inside
    # balancekit instead of at their call).
    with pytest.raises(TypeError) as caught:
        metrics.f1_score(torch.tensor([0, 1]), torch.tensor([0, 1]), not_a_parameter=1)
    assert caught.value.__context__ is None
    assert "not_a_parameter" in str(caught.value)


def test_a_tensor_outside_the_deciding_arguments_must_be_routable_too():
    # A tensor that cannot be viewed (it requires grad) among the other arguments
    # sends the call down the native path: NumPy kernels never see a tensor.
    seen: list[str] = []

    @numpy_for_cpu_tensors("x")
    def kind(x: Any, other: Any) -> Any:
        seen.append(type(x).__module__.split(".")[0] + "/" + type(other).__module__)
        return x

    kind(torch.zeros(2), torch.zeros(2, requires_grad=True))
    kind(torch.zeros(2), torch.zeros(2))
    assert seen[0].startswith("torch/")
    assert seen[1] == "numpy/numpy"
