"""balancekit.tensorflow.metrics: tf.Tensor in, tf.Tensor out, the core's values."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import balancekit.metrics as core  # noqa: E402
from balancekit.tensorflow import metrics  # noqa: E402

RNG = np.random.default_rng(0)
Y_TRUE = RNG.choice(3, size=200, p=[0.7, 0.2, 0.1])
Y_PRED = np.where(RNG.random(200) < 0.7, Y_TRUE, RNG.choice(3, size=200))
BINARY = (Y_TRUE == 2).astype(np.int64)
SCORES = np.clip(BINARY * 0.4 + RNG.random(200) * 0.6, 0, 1)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("f1_score", {"average": "macro"}),
        ("geometric_mean_score", {"average": "multiclass"}),
        ("balanced_accuracy_score", {}),
        ("matthews_corrcoef", {}),
        ("confusion_matrix", {}),
        ("precision_recall_fscore_support", {"average": None}),
    ],
)
def test_label_metrics_match_the_core(name, kwargs):
    got = getattr(metrics, name)(tf.constant(Y_TRUE), tf.constant(Y_PRED), **kwargs)
    expected = getattr(core, name)(Y_TRUE, Y_PRED, **kwargs)
    got, expected = (got, expected) if isinstance(got, tuple) else ((got,), (expected,))
    for g, e in zip(got, expected, strict=True):
        if e is None:
            assert g is None
            continue
        assert isinstance(g, tf.Tensor)
        np.testing.assert_array_equal(g.numpy(), np.asarray(e))


def test_score_metrics_and_threshold():
    y, s = tf.constant(BINARY), tf.constant(SCORES)
    auc = metrics.roc_auc_score(y, s)
    assert isinstance(auc, tf.Tensor)
    assert float(auc) == pytest.approx(float(core.roc_auc_score(BINARY, SCORES)))
    for got, expected in zip(
        metrics.roc_curve(y, s), core.roc_curve(BINARY, SCORES), strict=True
    ):
        np.testing.assert_array_equal(got.numpy(), expected)
    best = metrics.best_threshold(y, s, metric="f1")
    assert isinstance(best.threshold, tf.Tensor)
    reference = core.best_threshold(BINARY, SCORES, metric="f1")
    assert float(best.score) == float(reference.score)


def test_report_and_errors():
    report = metrics.classification_report(
        tf.constant(Y_TRUE), tf.constant(Y_PRED), output_dict=True
    )
    assert report == core.classification_report(Y_TRUE, Y_PRED, output_dict=True)
    with pytest.raises(ValueError, match="y_"):
        metrics.f1_score(tf.constant([0, 1]), tf.constant([0, 1, 1]))
