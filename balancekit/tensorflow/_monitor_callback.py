"""A Keras callback that watches the minority class during ``model.fit``.

At the end of every epoch :class:`MinorityMonitorCallback` scores its validation
data with the model, feeds :class:`~balancekit.diagnostics.MinorityMonitor`, writes
the per-class values into the epoch's ``logs`` (so ``History``, ``CSVLogger``,
``EarlyStopping`` and the other callbacks see them) and warns with a
:class:`~balancekit.diagnostics.TrainingCollapseWarning` when the model collapses to
one class or the minority recall keeps falling.

TensorFlow is not array-API compliant: each batch's predictions and labels cross to
the core as NumPy arrays (``Tensor.numpy()``, O(batch) values on the host; the
predictions of a validation set are small next to the model), where the monitor
counts them.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from balancekit.diagnostics._training_monitor import MinorityMonitor

__all__ = ["MinorityMonitorCallback"]


def _labels(y: Any) -> np.ndarray:
    """Class indices as a 1-D int64 array: sparse labels of shape (n,) or (n, 1),
    or one-hot rows (their argmax)."""
    values = np.asarray(y.numpy() if isinstance(y, tf.Tensor) else y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    elif values.ndim == 2:
        values = np.argmax(values, axis=1)
    if values.ndim != 1:
        raise ValueError(
            "The validation labels must be class indices of shape (n,) or (n, 1), or "
            f"one-hot rows; got shape {values.shape}."
        )
    if values.dtype.kind == "f":
        if not np.all(values == np.round(values)):
            raise ValueError(
                "The validation labels must be whole class indices; got non-integer "
                "floats."
            )
    elif values.dtype.kind not in "biu":
        raise TypeError(
            "The validation labels must be integer class indices; got dtype "
            f"{values.dtype}."
        )
    return values.astype(np.int64)


class MinorityMonitorCallback(keras.callbacks.Callback):
    """Per-class recall, precision and PR-AUC of validation data after each epoch,
    written into Keras' ``logs``, with a warning when the model collapses.

    Parameters
    ----------
    monitor : MinorityMonitor
        The monitor (number of classes, probabilities or logits, warning rules);
        its ``history_`` keeps every epoch's record. Keras models usually end in
        a softmax (probabilities); for logits build it with ``from_logits=True``.
    validation_data : tuple (x, y) or tf.data.Dataset
        Arrays ``(x, y)`` (scored with ``model.predict`` in batches of
        ``batch_size``), or a dataset of ``(x, y)`` batches (scored batch by batch
        with ``model(x, training=False)``). ``y`` holds class indices, of shape
        (n,) or (n, 1), or one-hot rows.
    batch_size : int, default=256
        The batch size of ``model.predict`` for array data.
    prefix : str, default="val_"
        The prefix of the names in ``logs`` (``val_recall_class1``...).

    Attributes
    ----------
    monitor : MinorityMonitor
        The monitor given.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from balancekit.diagnostics import MinorityMonitor
    >>> from balancekit.tensorflow import MinorityMonitorCallback
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(64, 4)).astype("float32")
    >>> y = np.array([0] * 56 + [1] * 8)
    >>> model = keras.Sequential([keras.Input((4,)),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> model.compile("sgd", "sparse_categorical_crossentropy")
    >>> callback = MinorityMonitorCallback(MinorityMonitor(2), (x, y))
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     history = model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    >>> len(history.history["val_recall_class1"])
    2
    """

    def __init__(
        self,
        monitor: MinorityMonitor,
        validation_data: Any,
        *,
        batch_size: int = 256,
        prefix: str = "val_",
    ) -> None:
        super().__init__()
        if not isinstance(monitor, MinorityMonitor):
            raise TypeError(
                "`monitor` must be a balancekit.diagnostics.MinorityMonitor; got "
                f"{type(monitor).__name__}."
            )
        if isinstance(validation_data, tf.data.Dataset):
            self._dataset: tf.data.Dataset | None = validation_data
            self._arrays: tuple[Any, np.ndarray] | None = None
        elif isinstance(validation_data, tuple | list) and len(validation_data) == 2:
            x, y = validation_data
            labels = _labels(y)
            n_inputs = len(x) if not isinstance(x, dict) else None
            if n_inputs is not None and n_inputs != labels.shape[0]:
                raise ValueError(
                    f"`validation_data` has {n_inputs} inputs but "
                    f"{labels.shape[0]} labels."
                )
            self._dataset, self._arrays = None, (x, labels)
        else:
            raise TypeError(
                "`validation_data` must be a tuple (x, y) or a tf.data.Dataset of "
                f"(x, y) batches; got {type(validation_data).__name__}."
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(
                f"`batch_size` must be an int; got {type(batch_size).__name__}."
            )
        if batch_size < 1:
            raise ValueError(f"`batch_size` must be >= 1; got {batch_size}.")
        if not isinstance(prefix, str):
            raise TypeError(f"`prefix` must be a str; got {type(prefix).__name__}.")
        self.monitor = monitor
        self.batch_size = batch_size
        self.prefix = prefix

    def _score(self) -> None:
        self.monitor.reset()
        if self._arrays is not None:
            x, labels = self._arrays
            scores = self.model.predict(x, batch_size=self.batch_size, verbose=0)
            self.monitor.update(labels, np.asarray(scores))
            return
        assert self._dataset is not None
        for batch in self._dataset:
            if not isinstance(batch, tuple | list) or len(batch) < 2:
                raise ValueError(
                    "`validation_data` as a dataset must yield (x, y) batches; got "
                    f"{type(batch).__name__}."
                )
            x, y = batch[0], batch[1]
            scores = self.model(x, training=False)
            self.monitor.update(
                _labels(y), np.asarray(keras.ops.convert_to_numpy(scores))
            )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Score the validation data, end the monitor's epoch and add its values to
        ``logs``."""
        self._score()
        self.monitor.end_epoch()
        if logs is not None:
            logs.update(self.monitor.scalars(prefix=self.prefix))
