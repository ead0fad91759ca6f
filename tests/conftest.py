"""Shared fixtures: the namespace x device matrix every core test runs on."""

from __future__ import annotations

import os

# scikit-learn's array-API estimator checks need this before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# torch before tensorflow when both share a process (see DESIGN.md).
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import array_api_strict
import numpy as np
import pytest
import torch

from balancekit._array_api import native_dispatch

STRICT_CPU = array_api_strict.Device("CPU_DEVICE")
STRICT_DEVICE1 = array_api_strict.Device("device1")


@dataclass(frozen=True)
class Backend:
    """One array library on one device, with the conversions tests need."""

    name: str
    asarray: Callable[[np.ndarray], Any]
    to_numpy: Callable[[Any], np.ndarray]
    device: Any
    device_of: Callable[[Any], Any]

    def __repr__(self) -> str:
        return self.name


def _strict(device) -> Backend:
    return Backend(
        name=f"array_api_strict-{device}",
        asarray=lambda a: array_api_strict.asarray(a, device=device),
        to_numpy=lambda x: np.asarray(x.to_device(STRICT_CPU)),
        device=device,
        device_of=lambda x: x.device,
    )


def _torch(device: str) -> Backend:
    return Backend(
        name=f"torch-{device}",
        asarray=lambda a: torch.as_tensor(a, device=device),
        to_numpy=lambda x: x.detach().cpu().numpy(),
        device=torch.device(device),
        device_of=lambda x: x.device,
    )


def _cupy() -> Backend:
    import cupy

    return Backend(
        name="cupy",
        asarray=cupy.asarray,
        to_numpy=cupy.asnumpy,
        device=cupy.cuda.Device(0),
        device_of=lambda x: x.device,
    )


NUMPY = Backend(
    name="numpy",
    asarray=lambda a: a,
    to_numpy=np.asarray,
    device="cpu",
    device_of=lambda x: "cpu",
)

_CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


def _has_cupy() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


BACKEND_PARAMS = [
    pytest.param(NUMPY, id="numpy"),
    pytest.param(_strict(STRICT_CPU), id="strict-cpu"),
    pytest.param(_strict(STRICT_DEVICE1), id="strict-device1"),
    pytest.param(_torch("cpu"), id="torch-cpu"),
    # CPU tensors run the NumPy kernels (balancekit._array_api.numpy_for_cpu_tensors);
    # this one keeps them on PyTorch's kernels, the path CUDA tensors take.
    pytest.param("torch-cpu-native", id="torch-cpu-native"),
    pytest.param("torch-cuda", id="torch-cuda", marks=[pytest.mark.gpu, _CUDA]),
    pytest.param(
        "cupy",
        id="cupy",
        marks=[
            pytest.mark.gpu,
            pytest.mark.skipif(not _has_cupy(), reason="no CuPy with a GPU"),
        ],
    ),
]


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request) -> Iterator[Backend]:
    """Every array library x device the core supports (GPU ones skip without a GPU)."""
    if request.param == "torch-cuda":
        yield _torch("cuda")
    elif request.param == "cupy":
        yield _cupy()
    elif request.param == "torch-cpu-native":
        with native_dispatch():
            yield _torch("cpu")
    else:
        yield request.param
