"""A small Keras MLP with scikit-learn's classifier API, for the strategy comparison.

:class:`KerasMLPClassifier` trains a ReLU multilayer perceptron with Adam through
``keras.Model.fit`` and takes balancekit's Keras losses by name. It is a plain
scikit-learn estimator (``get_params``, ``set_params``, ``clone``), so it sits at the
end of an ``imblearn.pipeline.Pipeline`` and inside the model-selection tools.

Imports tensorflow and keras (TensorFlow backend): the comparison harness loads this
module only when asked for the model.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted

from balancekit._params import check_choice, check_int, check_scalar
from balancekit._random import check_random_state
from balancekit.bench._mlp_common import (
    LOSSES,
    check_hidden_layer_sizes,
)
from balancekit.tensorflow.losses import (
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)

__all__ = ["KerasMLPClassifier"]

# Rows per forward pass in predict_proba.
_PREDICT_CHUNK = 65536


def _keras_loss(loss: str, class_counts: np.ndarray) -> keras.losses.Loss:
    """The balancekit Keras loss named ``loss`` on logits, with its defaults.

    Plain cross-entropy is :class:`FocalLoss` with ``gamma=0``, so every loss takes
    sample weights the same way (a weighted mean dividing by their sum).
    """
    if loss == "cross_entropy":
        return FocalLoss(gamma=0.0, name="cross_entropy")
    if loss == "focal":
        return FocalLoss()
    if loss == "class_balanced":
        return ClassBalancedLoss(class_counts)
    if loss == "logit_adjusted":
        return LogitAdjustedLoss(class_counts)
    if loss == "balanced_softmax":
        return BalancedSoftmaxLoss(class_counts)
    return LDAMLoss(class_counts)


def _initial_weights(sizes: list[int], rng: np.random.Generator) -> list[np.ndarray]:
    """Kernels and biases ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` drawn from ``rng``.

    torch's default ``Linear`` initialisation, drawn in the same order as
    :class:`~balancekit.bench._torch_mlp.TorchMLPClassifier` draws it, so one seed
    starts both networks from the same weights.
    """
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / math.sqrt(fan_in)
        draws = rng.uniform(-bound, bound, size=fan_out * (fan_in + 1))
        draws = draws.astype(np.float32)
        kernel = draws[: fan_out * fan_in].reshape(fan_out, fan_in).T
        weights += [np.ascontiguousarray(kernel), draws[fan_out * fan_in :]]
    return weights


def _build_model(sizes: list[int]) -> keras.Sequential:
    """Dense ReLU layers of ``sizes`` ending in linear logits.

    Zero initialisers: Keras' random ones draw an unseeded layer's seed from Python's
    global ``random``; the real weights are set from NumPy draws afterwards.
    """
    layers: list[Any] = [keras.Input(shape=(sizes[0],))]
    for position, width in enumerate(sizes[1:]):
        last = position == len(sizes) - 2
        layers.append(
            keras.layers.Dense(
                width,
                activation=None if last else "relu",
                kernel_initializer="zeros",
                bias_initializer="zeros",
            )
        )
    return keras.Sequential(layers)


class KerasMLPClassifier(ClassifierMixin, BaseEstimator):
    """A ReLU multilayer perceptron trained with Keras and Adam.

    The network maps the features through ``hidden_layer_sizes`` ReLU ``Dense``
    layers to one logit per class and is trained by ``keras.Model.fit`` (verbose=0)
    on a ``tf.data`` pipeline: each epoch visits every row once, in batches of
    ``batch_size``, in an order drawn by NumPy from ``random_state``. The loss of a
    batch is the balancekit loss's mean with ``sample_weight`` multiplying both the
    per-sample losses and the weights of the mean:
    ``sum_i s_i * loss_i / sum_i s_i * a_i`` (``a_i`` the class weight of
    ``"class_balanced"``, else 1), as in
    :class:`~balancekit.bench._torch_mlp.TorchMLPClassifier`.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Width of each hidden layer; ``()`` gives a linear softmax model.
    epochs : int, default=30
        Passes over the training set.
    batch_size : int, default=64
        Rows per training batch (the last batch of an epoch may be smaller).
    learning_rate : float, default=1e-3
        Adam's learning rate, > 0.
    loss : str, default="cross_entropy"
        Every loss of :mod:`balancekit.tensorflow.losses`, on logits, with its
        defaults: ``"cross_entropy"`` (:class:`~balancekit.tensorflow.FocalLoss`
        with ``gamma=0``), ``"focal"`` (``gamma=2``), and, built from the training
        labels' class counts, ``"class_balanced"``, ``"logit_adjusted"``,
        ``"balanced_softmax"`` and ``"ldam"``.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seed of the initial weights and of the epochs' orders (drawn by NumPy).
        Neither TensorFlow's nor Keras' global seed is read or set; the same seed
        gives the same probabilities (TensorFlow's CPU kernels are deterministic for
        a given thread setting).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.
    class_counts_ : ndarray of shape (n_classes,)
        Training rows per class.
    layer_sizes_ : list of int
        Widths of the input, hidden and output layers.
    model_ : keras.Sequential
        The trained network (outputs logits). Pickling keeps its weights and
        rebuilds it uncompiled (enough to predict).

    Notes
    -----
    All epochs run as one Keras epoch over a dataset concatenating the epochs'
    orders, so no batch straddles two epochs and no Keras-side shuffling (which
    draws from TensorFlow's global seed) happens. Keras' layer-name counters are
    global (each model gets fresh layer names). Probabilities are the softmax of
    the logits (times ``s`` for ``"ldam"``), as for the torch model; NumPy float64.

    With the same ``random_state`` the torch model starts from the same weights,
    sees the same batches and uses the same Adam (``epsilon=1e-8``, torch's
    default), so the two frameworks train the same model up to float32 round-off.
    TensorFlow's thread pools are process-wide and left as configured.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.bench._keras_mlp import KerasMLPClassifier
    >>> X, y = make_classification(200, 5, weights=[0.9, 0.1], random_state=0)
    >>> model = KerasMLPClassifier(epochs=3, loss="focal", random_state=0)
    >>> model.fit(X, y).predict_proba(X[:3]).shape
    (3, 2)
    >>> model.classes_.tolist()
    [0, 1]
    """

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] = (64,),
        epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        loss: str = "cross_entropy",
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.loss = loss
        self.random_state = random_state

    def _check_params(self) -> dict[str, Any]:
        check_choice(self.loss, "loss", LOSSES)
        return {
            "hidden_layer_sizes": check_hidden_layer_sizes(self.hidden_layer_sizes),
            "epochs": check_int(self.epochs, "epochs"),
            "batch_size": check_int(self.batch_size, "batch_size"),
            "learning_rate": check_scalar(
                self.learning_rate, "learning_rate", low=0.0, low_open=True
            ),
            "loss": self.loss,
        }

    def _features(self, X: Any, *, reset: bool) -> np.ndarray:
        array = check_array(X, dtype=np.float32)
        n_features = int(array.shape[1])
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"`X` has {n_features} features, but {type(self).__name__} was "
                f"fitted with {self.n_features_in_}."
            )
        return array

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> KerasMLPClassifier:
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Class labels of any sortable type (at least two classes).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each row, passed to Keras' ``fit`` (see the class
            docstring for how the loss uses it).

        Returns
        -------
        self : KerasMLPClassifier
        """
        params = self._check_params()
        features = self._features(X, reset=True)
        n_samples = int(features.shape[0])
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1 or y.shape[0] != n_samples:
            raise ValueError(
                f"`y` must have shape ({n_samples},), one label per row of X; got "
                f"shape {y.shape}."
            )
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        n_classes = int(self.classes_.shape[0])
        if n_classes < 2:
            raise ValueError(
                f"`y` must hold at least 2 classes; got only {self.classes_.tolist()}."
            )
        self.class_counts_ = np.bincount(codes, minlength=n_classes)
        weights = self._sample_weight(sample_weight, n_samples)

        rng = check_random_state(self.random_state)
        init_rng, order_rng, _ = rng.spawn(3)
        sizes = [self.n_features_in_, *params["hidden_layer_sizes"], n_classes]
        self.layer_sizes_ = sizes
        model = _build_model(sizes)
        model.set_weights(_initial_weights(sizes, init_rng))
        loss = _keras_loss(params["loss"], self.class_counts_.astype(np.float64))
        model.compile(
            optimizer=keras.optimizers.Adam(
                learning_rate=params["learning_rate"], epsilon=1e-8
            ),
            loss=loss,
            jit_compile=False,
        )
        orders = np.stack(
            [order_rng.permutation(n_samples) for _ in range(params["epochs"])]
        )
        arrays: tuple[Any, ...] = (features, codes.astype(np.int32))
        if weights is not None:
            arrays += (weights,)
        tensors = tuple(tf.constant(array) for array in arrays)
        batch_size = params["batch_size"]

        def epoch(order: tf.Tensor) -> tf.data.Dataset:
            rows = tuple(tf.gather(tensor, order) for tensor in tensors)
            return tf.data.Dataset.from_tensor_slices(rows).batch(batch_size)

        n_batches = params["epochs"] * -(-n_samples // batch_size)
        dataset = (
            tf.data.Dataset.from_tensor_slices(orders)
            .flat_map(epoch)
            .apply(tf.data.experimental.assert_cardinality(n_batches))
            .prefetch(tf.data.AUTOTUNE)
        )
        model.fit(dataset, epochs=1, shuffle=False, verbose=0)
        self.model_ = model
        self.logit_scale_ = float(getattr(loss, "s", 1.0))
        return self

    def __getstate__(self) -> dict[str, Any]:
        # The compiled model holds balancekit's losses, which Keras' pickling cannot
        # deserialise (they are not registered Keras objects): keep the weights only.
        state: dict[str, Any] = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["_model_weights"] = model.get_weights()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        weights = state.pop("_model_weights", None)
        super().__setstate__(state)
        if weights is not None:
            self.model_ = _build_model(self.layer_sizes_)
            self.model_.set_weights(weights)

    @staticmethod
    def _sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
        if sample_weight is None:
            return None
        weights = np.asarray(sample_weight)
        if weights.dtype.kind not in "biuf":
            raise TypeError(
                f"`sample_weight` must hold real numbers; got dtype {weights.dtype}."
            )
        if weights.shape != (n_samples,):
            raise ValueError(
                f"`sample_weight` must have shape ({n_samples},), one weight per row; "
                f"got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("`sample_weight` must be finite and >= 0.")
        if not np.any(weights > 0):
            raise ValueError("`sample_weight` must have at least one positive weight.")
        return weights.astype(np.float32)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features to predict for.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Each row sums to 1.
        """
        check_is_fitted(self, "model_")
        features = self._features(X, reset=False)
        logits = np.concatenate(
            [
                np.asarray(self.model_(features[start : start + _PREDICT_CHUNK]))
                for start in range(0, features.shape[0], _PREDICT_CHUNK)
            ]
        ).astype(np.float64)
        logits *= self.logit_scale_
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features to predict for.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
