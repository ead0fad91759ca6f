"""The Keras callback in a real ``model.fit``: values in History equal to
scikit-learn, arrays and tf.data give the same record, the collapse warning, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import sklearn.metrics as skm  # noqa: E402

from balancekit.diagnostics._training_monitor import (  # noqa: E402
    MinorityMonitor,
    TrainingCollapseWarning,
)
from balancekit.tensorflow._monitor_callback import (  # noqa: E402
    MinorityMonitorCallback,
)

N_CLASSES = 3


def _data(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(N_CLASSES, size=n, p=[0.7, 0.2, 0.1])
    x = (rng.normal(size=(n, 4)) + 1.5 * np.eye(N_CLASSES, 4)[y]).astype("float32")
    return x, y


def _model(bias=None, activation="softmax"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(N_CLASSES, activation=activation)]
    )
    if bias is not None:
        kernel, _ = model.layers[0].get_weights()
        model.layers[0].set_weights([np.zeros_like(kernel), np.asarray(bias, "f4")])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=activation is None)
    model.compile(keras.optimizers.SGD(0.1), loss)
    return model


def test_fit_puts_the_values_in_history_equal_to_scikit_learn():
    x, y = _data(300, 0)
    x_val, y_val = _data(120, 1)
    monitor = MinorityMonitor(N_CLASSES)
    callback = MinorityMonitorCallback(monitor, (x_val, y_val), batch_size=50)
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingCollapseWarning)  # a healthy model
        history = model.fit(
            x, y, epochs=3, batch_size=32, verbose=0, callbacks=[callback]
        )
    assert len(monitor.history_) == 3
    for c in range(N_CLASSES):
        for key in ("recall", "precision", "average_precision", "prediction_share"):
            logged = history.history[f"val_{key}_class{c}"]
            assert logged == [r[key][c] for r in monitor.history_]
    assert "loss" in history.history  # Keras' own entries are still there
    # the last epoch's values are those of the final model's predictions
    proba = model.predict(x_val, verbose=0)
    pred = proba.argmax(axis=1)
    last = monitor.history_[-1]
    kw = {"average": None, "zero_division": 0}
    assert last["recall"] == pytest.approx(skm.recall_score(y_val, pred, **kw).tolist())
    assert last["precision"] == pytest.approx(
        skm.precision_score(y_val, pred, **kw).tolist()
    )
    for c in range(N_CLASSES):
        assert last["average_precision"][c] == pytest.approx(
            skm.average_precision_score(y_val == c, proba[:, c]), abs=5e-3
        )
    assert history.history["val_balanced_accuracy"][-1] == pytest.approx(
        skm.balanced_accuracy_score(y_val, pred)
    )


@pytest.mark.parametrize("labels", ["column", "one_hot", "float"])
def test_arrays_and_datasets_give_the_same_record(labels):
    x_val, y_val = _data(100, 2)
    model = _model(activation=None)  # logits
    shaped = {
        "column": y_val.reshape(-1, 1),
        "one_hot": np.eye(N_CLASSES, dtype="float32")[y_val],
        "float": y_val.astype("float32"),
    }[labels]
    dataset = tf.data.Dataset.from_tensor_slices((x_val, shaped)).batch(16)
    records = []
    for data in ((x_val, y_val), (x_val, shaped), dataset):
        callback = MinorityMonitorCallback(
            MinorityMonitor(N_CLASSES, from_logits=True), data, prefix="v/"
        )
        callback.set_model(model)
        logs = {"loss": 1.0}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingCollapseWarning)
            callback.on_epoch_end(0, logs)
        assert logs["loss"] == 1.0
        assert logs["v/recall_class0"] == callback.monitor.history_[0]["recall"][0]
        records.append(callback.monitor.history_[0])
    assert records[0]["support"] == np.bincount(y_val).tolist()
    for record in records[1:]:
        for key in ("support", "recall", "precision", "prediction_share"):
            assert record[key] == records[0][key]
        assert record["average_precision"] == pytest.approx(
            records[0]["average_precision"], abs=1e-6
        )


def test_collapsed_model_warns_during_fit():
    x, y = _data(200, 3)
    model = _model(bias=[10.0, 0.0, 0.0])
    model.optimizer.learning_rate.assign(0.0)  # it never learns
    callback = MinorityMonitorCallback(MinorityMonitor(N_CLASSES), (x, y))
    with pytest.warns(TrainingCollapseWarning, match="predicts class 0 for 100.0%"):
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert history.history["val_recall_class1"] == [0.0, 0.0]
    assert history.history["val_prediction_share_class0"] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        ("x", {}, TypeError, "tuple \\(x, y\\) or a tf.data.Dataset"),
        ((np.zeros((3, 4)), np.zeros(2)), {}, ValueError, "3 inputs but 2 labels"),
        ((np.zeros((2, 4)), np.array([0.5, 1])), {}, ValueError, "whole class"),
        ((np.zeros((2, 4)), np.array(["a", "b"])), {}, TypeError, "integer class"),
        ((np.zeros((2, 4)), np.zeros((2, 2, 2))), {}, ValueError, "shape"),
        ((np.zeros((2, 4)), np.zeros(2)), {"batch_size": 0}, ValueError, "batch"),
        ((np.zeros((2, 4)), np.zeros(2)), {"prefix": 1}, TypeError, "`prefix`"),
    ],
)
def test_errors(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        MinorityMonitorCallback(MinorityMonitor(N_CLASSES), data, **kwargs)
    with pytest.raises(TypeError, match="`monitor` must be"):
        MinorityMonitorCallback("monitor", (np.zeros((2, 4)), np.zeros(2)))
