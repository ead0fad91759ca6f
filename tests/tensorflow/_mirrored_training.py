"""Run in a subprocess by test_rebalance (two logical CPUs must be set up before
TensorFlow starts): train a Keras model under MirroredStrategy on a plain and on a
rebalanced dataset; print the minority recall of each as JSON."""

from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    CPU, [tf.config.LogicalDeviceConfiguration()] * 2
)

from balancekit.tensorflow import rebalance  # noqa: E402


def minority_recall(X: np.ndarray, y: np.ndarray, apply_rebalance: bool) -> float:
    tf.keras.utils.set_random_seed(0)
    dataset = tf.data.Dataset.from_tensor_slices((X, y))
    if apply_rebalance:
        dataset = dataset.apply(rebalance(seed=0)).shuffle(8000, seed=0)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(2)])
        model.compile(
            optimizer=tf.keras.optimizers.SGD(0.1),
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
    model.fit(dataset.batch(64), epochs=2, verbose=0)
    predicted = np.argmax(model.predict(X, verbose=0), axis=1)
    return float(np.mean(predicted[y == 1] == 1))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    labels = (rng.random(4000) < 0.05).astype(np.int64)
    features = rng.normal(size=(4000, 2)).astype(np.float32) + labels[:, None] * 1.2
    print(
        json.dumps(
            {
                "plain": minority_recall(features, labels, False),
                "rebalanced": minority_recall(features, labels, True),
            }
        )
    )
