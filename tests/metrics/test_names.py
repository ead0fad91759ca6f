"""The metric names have one source (``balancekit.metrics._names``): every list of
them agrees with it."""

from __future__ import annotations

import importlib.util

import pytest

import balancekit.metrics as bm
from balancekit.metrics import _names


def test_exports_are_the_named_functions():
    functions = {name for name in bm.__all__ if name[0].islower()}
    assert functions == set(_names.FUNCTION_NAMES)
    assert all(callable(getattr(bm, name)) for name in _names.FUNCTION_NAMES)


def test_streaming_and_iba_names_come_from_the_table():
    assert tuple(bm.LABEL_METRICS) == _names.LABEL_METRIC_NAMES
    assert bm.IBA_METRICS is _names.IBA_METRICS
    assert set(_names.IBA_METRICS) <= set(_names.LABEL_METRIC_NAMES)
    for name, function in bm.LABEL_METRICS.items():
        assert function is getattr(bm, name)
        assert callable(getattr(bm.StreamingConfusionMatrix, name, None)) or name in (
            "classification_report",
            "confusion_matrix",
            "sensitivity_specificity_support",
        )


@pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="needs tensorflow"
)
def test_tensorflow_wrappers_cover_every_metric():
    import torch  # noqa: F401  (torch before tensorflow in one process)

    tf_metrics = pytest.importorskip("balancekit.tensorflow.metrics")
    assert set(tf_metrics.__all__) == set(_names.FUNCTION_NAMES)
