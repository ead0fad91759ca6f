"""Every metric on every backend: the result stays on the input's device and equals
the NumPy result (array-api-strict's device1 refuses host conversion and mixing)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import balancekit.metrics as bm

RNG = np.random.default_rng(12)
N = 300
Y_TRUE = RNG.choice([0, 1, 2, 5], size=N, p=[0.6, 0.25, 0.1, 0.05])
Y_PRED = np.where(RNG.random(N) < 0.7, Y_TRUE, RNG.choice([0, 1, 2, 5, 7], size=N))
WEIGHTS = RNG.random(N) * 2

CALLS = [
    ("confusion_matrix", {}),
    ("confusion_matrix", {"labels": [5, 0, 9], "normalize": "true"}),
    ("precision_recall_fscore_support", {"average": None}),
    ("precision_score", {"average": "macro", "zero_division": np.nan}),
    ("recall_score", {"average": "micro"}),
    ("f1_score", {"average": "weighted", "labels": [0, 2, 9]}),
    ("fbeta_score", {"average": None, "beta": 2.0}),
    ("balanced_accuracy_score", {"adjusted": True}),
    ("matthews_corrcoef", {}),
    ("cohen_kappa_score", {"weights": "quadratic"}),
    ("sensitivity_specificity_support", {"average": None}),
    ("sensitivity_score", {"average": "macro"}),
    ("specificity_score", {"average": "weighted"}),
    ("geometric_mean_score", {}),
    ("geometric_mean_score", {"average": "macro", "labels": [1, 2, 7]}),
    ("index_balanced_accuracy", {"average": None}),
]


def _flatten(result):
    if isinstance(result, tuple):
        return [r for r in result if r is not None]
    return [result]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    ("name", "kwargs"), CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)]
)
def test_metric_on_backend(backend, name, kwargs, weighted):
    function = getattr(bm, name)
    extra = {"sample_weight": WEIGHTS} if weighted else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _flatten(function(Y_TRUE, Y_PRED, **kwargs, **extra))
        if weighted:
            extra = {"sample_weight": backend.asarray(WEIGHTS)}
        result = _flatten(
            function(
                backend.asarray(Y_TRUE), backend.asarray(Y_PRED), **kwargs, **extra
            )
        )
    assert len(result) == len(expected)
    for ours, reference in zip(result, expected, strict=True):
        if backend.name != "numpy":
            assert backend.device_of(ours) == backend.device
            assert type(ours) is type(backend.asarray(np.zeros(1)))
        np.testing.assert_allclose(
            backend.to_numpy(ours), np.asarray(reference), rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize("labels", [[-3, 4, 70000], [0.0, 1.0, 2.0]])
def test_general_labels_on_backend(backend, labels):
    """Negative, large and float labels take the sort path on every backend."""
    values = np.asarray(labels)
    y_true, y_pred = values[Y_TRUE % 3], values[Y_PRED % 3]
    expected = bm.confusion_matrix(y_true, y_pred, sample_weight=WEIGHTS)
    result = bm.confusion_matrix(
        backend.asarray(y_true),
        backend.asarray(y_pred),
        sample_weight=backend.asarray(WEIGHTS),
    )
    np.testing.assert_allclose(backend.to_numpy(result), expected, rtol=1e-12)
    report = bm.classification_report(
        backend.asarray(y_true), backend.asarray(y_pred), output_dict=True
    )
    assert report == bm.classification_report(y_true, y_pred, output_dict=True)


def test_report_on_backend(backend):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = bm.classification_report(Y_TRUE, Y_PRED, output_dict=True)
        result = bm.classification_report(
            backend.asarray(Y_TRUE), backend.asarray(Y_PRED), output_dict=True
        )
    assert result.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, dict):
            for column, score in value.items():
                assert result[key][column] == pytest.approx(score, rel=1e-12)
        else:
            assert result[key] == pytest.approx(value, rel=1e-12)


def test_bool_and_small_int_dtypes(backend):
    y_true = (Y_TRUE > 0).astype(np.int8)
    y_pred = (Y_PRED > 0).astype(np.int8)
    expected = bm.f1_score(y_true.astype(np.int64), y_pred.astype(np.int64))
    result = bm.f1_score(backend.asarray(y_true), backend.asarray(y_pred))
    assert float(backend.to_numpy(result)) == pytest.approx(float(expected), rel=1e-12)
    result = bm.f1_score(
        backend.asarray(y_true.astype(bool)),
        backend.asarray(y_pred.astype(bool)),
    )
    assert float(backend.to_numpy(result)) == pytest.approx(float(expected), rel=1e-12)
