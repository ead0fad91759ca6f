"""A small PyTorch MLP with scikit-learn's classifier API, for the strategy comparison.

:class:`TorchMLPClassifier` trains a ReLU multilayer perceptron with Adam and plugs
balancekit's PyTorch strategies in through its parameters: an imbalance-aware loss, a
class-balanced sampler or a batch augmentation. It is a plain scikit-learn estimator
(``get_params``, ``set_params``, ``clone``), so it sits at the end of an
``imblearn.pipeline.Pipeline`` and inside the model-selection tools.

Imports torch: the comparison harness loads this module only when asked for the model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted

from balancekit._params import check_choice, check_int, check_scalar
from balancekit._random import check_random_state
from balancekit.augmentation import (
    balanced_mixup,
    gaussian_noise,
    mixup,
    remix,
    smote_batch,
)
from balancekit.bench._mlp_common import (
    LOSSES,
    check_hidden_layer_sizes,
)
from balancekit.torch import (
    BalancedSampler,
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)

__all__ = ["TorchMLPClassifier"]

SAMPLERS = (None, "balanced")
AUGMENTS = (None, "mixup", "remix", "balanced_mixup", "smote_batch", "gaussian_noise")

# Largest number of same-class neighbours smote_batch interpolates between.
_SMOTE_K = 5


def _criterion(loss: str, class_counts: np.ndarray) -> torch.nn.Module:
    """The per-sample (``reduction="none"``) loss named ``loss``, with its defaults."""
    if loss == "cross_entropy":
        return torch.nn.CrossEntropyLoss(reduction="none")
    if loss == "focal":
        return FocalLoss(reduction="none")
    if loss == "class_balanced":
        return ClassBalancedLoss(class_counts, reduction="none")
    if loss == "logit_adjusted":
        return LogitAdjustedLoss(class_counts, reduction="none")
    if loss == "balanced_softmax":
        return BalancedSoftmaxLoss(class_counts, reduction="none")
    return LDAMLoss(class_counts, reduction="none")


@contextmanager
def _one_cpu_thread(device: torch.device) -> Iterator[None]:
    """Run torch's CPU ops on one thread inside the block, then restore the setting.

    Batches of a small MLP are far too small to gain from intra-op threads, and on a
    loaded machine (parallel fits, other jobs) the threads' synchronisation makes
    training 10-100x slower. ``torch.set_num_threads`` is process-wide: this is the
    one global setting the classifier touches, and only for the duration of ``fit``.
    """
    previous = torch.get_num_threads()
    if device.type != "cpu" or previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _one_hot(y: torch.Tensor, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    return F.one_hot(y, n_classes).to(dtype)


def _smote_in_batch(
    x: torch.Tensor, y: torch.Tensor, *, num_classes: int, random_state: Any
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`smote_batch` on the classes with at least two rows in the batch.

    Every class with 2 or more rows but fewer than the batch's largest class is
    brought up to it, interpolating between ``k = min(5, m - 1)`` same-class
    neighbours, ``m`` the smallest such class's rows. Classes with a single row in
    the batch are left as they are.
    """
    counts = torch.bincount(y, minlength=num_classes).cpu().numpy()
    largest = int(counts.max())
    targets = [c for c in range(num_classes) if 2 <= counts[c] < largest]
    if not targets:
        return x, _one_hot(y, num_classes, x.dtype)
    k_neighbors = min(_SMOTE_K, int(counts[targets].min()) - 1)
    return smote_batch(
        x,
        y,
        num_classes=num_classes,
        k_neighbors=k_neighbors,
        target_class=targets,
        random_state=random_state,
    )


def _augmentation(
    augment: str, class_counts: np.ndarray
) -> Callable[..., tuple[Any, Any]]:
    """The batch transform ``fn(x, y, num_classes=, random_state=)`` for ``augment``."""
    if augment == "remix":
        # Remix's thresholds read the training set's class counts, not the batch's.
        def remix_counts(x: Any, y: Any, **kwargs: Any) -> tuple[Any, Any]:
            return remix(x, y, class_counts=class_counts.tolist(), **kwargs)

        return remix_counts
    functions: dict[str, Callable[..., tuple[Any, Any]]] = {
        "mixup": mixup,
        "balanced_mixup": balanced_mixup,
        "smote_batch": _smote_in_batch,
        "gaussian_noise": gaussian_noise,
    }
    return functions[augment]


def _build_network(
    sizes: list[int], rng: np.random.Generator, device: torch.device, dtype: Any
) -> torch.nn.Sequential:
    """Linear layers of ``sizes`` with ReLU between them, initialised from ``rng``.

    Weights and biases are ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (torch's default
    ``Linear`` initialisation) drawn on the host; ``skip_init`` keeps torch's global
    generator untouched.
    """
    layers: list[torch.nn.Module] = []
    for position, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, fan_in, fan_out, device=device, dtype=dtype
        )
        bound = 1.0 / math.sqrt(fan_in)
        draws = rng.uniform(-bound, bound, size=fan_out * (fan_in + 1))
        values = torch.as_tensor(draws, dtype=dtype, device=device)
        with torch.no_grad():
            linear.weight.copy_(values[: fan_out * fan_in].reshape(fan_out, fan_in))
            linear.bias.copy_(values[fan_out * fan_in :])
        layers.append(linear)
        if position < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class TorchMLPClassifier(ClassifierMixin, BaseEstimator):
    """A ReLU multilayer perceptron trained with Adam, with balancekit's strategies.

    The network maps the features through ``hidden_layer_sizes`` ReLU layers to one
    logit per class. Each epoch visits the training rows in batches of
    ``batch_size``: a fresh random order, or with ``sampler="balanced"`` a
    class-balanced draw of as many rows (:class:`balancekit.torch.BalancedSampler`,
    with replacement). A batch may then be augmented (``augment``), and its loss is

    ``sum_i s_i * loss_i / sum_i s_i * a_i``

    with ``loss_i`` the per-sample loss (class weight included), ``s_i`` the row's
    ``sample_weight`` (1 without) and ``a_i`` the loss's class weight of the row's
    class (``"class_balanced"``; 1 for the other losses): torch's weighted
    ``reduction="mean"`` with the sample weights multiplying both the loss and the
    weights of the mean (the convention of balancekit's Keras losses, so
    :class:`~balancekit.bench._keras_mlp.KerasMLPClassifier` matches). Without
    ``sample_weight`` it is the loss's own ``"mean"``; scaling every weight by the
    same factor changes nothing.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Width of each hidden layer; ``()`` gives a linear softmax model.
    epochs : int, default=30
        Passes over the training set (of ``len(X)`` rows each).
    batch_size : int, default=64
        Rows per training batch (the last batch of an epoch may be smaller).
    learning_rate : float, default=1e-3
        Adam's learning rate, > 0.
    weight_decay : float, default=0.0
        Adam's (L2) weight decay, >= 0.
    loss : str, default="cross_entropy"
        ``"cross_entropy"``; ``"focal"`` (:class:`balancekit.torch.FocalLoss`,
        ``gamma=2``); ``"class_balanced"``, ``"logit_adjusted"``,
        ``"balanced_softmax"`` or ``"ldam"`` (the balancekit.torch losses of those
        names, built from the training labels' class counts with their defaults).
    sampler : {None, "balanced"}, default=None
        ``None``: every row once per epoch in a random order. ``"balanced"``: each
        epoch draws ``len(X)`` rows with equal class counts.
    augment : str or None, default=None
        Batch augmentation: ``"mixup"``, ``"remix"`` (with the training set's class
        counts), ``"balanced_mixup"``, ``"smote_batch"`` (brings every class with at
        least two rows in the batch up to the batch's largest class, with
        ``k_neighbors`` up to 5, fewer for classes of few rows) or
        ``"gaussian_noise"`` (on every class but the batch's largest),
        from :mod:`balancekit.augmentation` with their defaults. The soft targets
        train a soft-target cross-entropy, so ``augment`` needs
        ``loss="cross_entropy"``. A mixed row keeps the weight of the row it was
        mixed from; a SMOTE row gets the mean weight of its class in the batch.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seed of the initial weights, the epochs' orders, the sampler and the
        augmentation draws (all drawn on the host by NumPy: the same seed gives the
        same initial weights and draws on every device). No global random state is
        read or changed.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.
    class_counts_ : ndarray of shape (n_classes,)
        Training rows per class.
    network_ : torch.nn.Sequential
        The trained network (on the device of ``X`` in ``fit``).
    loss_curve_ : list of float
        Mean training loss of each epoch.

    Notes
    -----
    On the CPU, ``fit`` trains on one thread (``torch.set_num_threads(1)``, restored
    on exit: the only process-wide setting it touches): the batches are too small to
    gain from more, and on a loaded machine thread synchronisation slows training
    down by 10-100x.

    ``X`` may be a NumPy array (trained in float32 on the CPU) or a floating torch
    tensor (trained in its dtype on its device); labels and weights are read on the
    host. ``predict_proba`` returns NumPy float64 whatever the input. Probabilities
    are the softmax of the network's logits, without the training-only adjustments
    of the logit-adjusted and balanced-softmax losses (their point: the raw logits
    estimate the balanced posterior) and, for ``"ldam"``, times its scale ``s``
    (the logits its cross-entropy was trained on, without the margins).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from balancekit.bench._torch_mlp import TorchMLPClassifier
    >>> X, y = make_classification(200, 5, weights=[0.9, 0.1], random_state=0)
    >>> model = TorchMLPClassifier(epochs=5, loss="focal", random_state=0)
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
        weight_decay: float = 0.0,
        loss: str = "cross_entropy",
        sampler: str | None = None,
        augment: str | None = None,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss = loss
        self.sampler = sampler
        self.augment = augment
        self.random_state = random_state

    def _check_params(self) -> dict[str, Any]:
        params = {
            "hidden_layer_sizes": check_hidden_layer_sizes(self.hidden_layer_sizes),
            "epochs": check_int(self.epochs, "epochs"),
            "batch_size": check_int(self.batch_size, "batch_size"),
            "learning_rate": check_scalar(
                self.learning_rate, "learning_rate", low=0.0, low_open=True
            ),
            "weight_decay": check_scalar(self.weight_decay, "weight_decay", low=0.0),
            "loss": check_choice(self.loss, "loss", LOSSES),
            "sampler": check_choice(self.sampler, "sampler", SAMPLERS),
            "augment": check_choice(self.augment, "augment", AUGMENTS),
        }
        if params["augment"] is not None and params["loss"] != "cross_entropy":
            raise ValueError(
                f"`augment={self.augment!r}` trains on soft (mixed) targets with a "
                "soft-target cross-entropy, so it needs `loss='cross_entropy'`; got "
                f"`loss={self.loss!r}`. Compare augmentations and losses separately."
            )
        return params

    def _features(self, X: Any, *, reset: bool) -> torch.Tensor:
        """``X`` as a 2-D floating tensor: torch input kept, NumPy as float32."""
        if isinstance(X, torch.Tensor):
            if X.ndim != 2 or not X.is_floating_point():
                raise ValueError(
                    "`X` as a torch tensor must be 2-D floating point; got "
                    f"{X.dtype} of shape {tuple(X.shape)}."
                )
            if X.shape[0] == 0 or not bool(torch.isfinite(X).all()):
                raise ValueError("`X` must be non-empty with finite values only.")
            tensor = X.detach()
        else:
            array = check_array(X, dtype=np.float32)
            tensor = torch.from_numpy(array)
        n_features = int(tensor.shape[1])
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"`X` has {n_features} features, but {type(self).__name__} was "
                f"fitted with {self.n_features_in_}."
            )
        return tensor

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TorchMLPClassifier:
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Training features.
        y : array-like of shape (n_samples,)
            Class labels of any sortable type (at least two classes).
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each row in the loss (see the class docstring).

        Returns
        -------
        self : TorchMLPClassifier
        """
        params = self._check_params()
        X_t = self._features(X, reset=True)
        device, dtype = X_t.device, X_t.dtype
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1 or y.shape[0] != X_t.shape[0]:
            raise ValueError(
                f"`y` must have shape ({X_t.shape[0]},), one label per row of X; got "
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
        weights = self._sample_weight(sample_weight, codes.shape[0], device, dtype)
        y_t = torch.as_tensor(codes.astype(np.int64), device=device)

        rng = check_random_state(self.random_state)
        init_rng, order_rng, augment_rng = rng.spawn(3)
        sizes = [self.n_features_in_, *params["hidden_layer_sizes"], n_classes]
        network = _build_network(sizes, init_rng, device, dtype)
        criterion = _criterion(params["loss"], self.class_counts_.astype(np.float64))
        criterion = criterion.to(device)
        mean_weight = (
            criterion.weight.to(dtype)
            if isinstance(criterion, ClassBalancedLoss)
            else None
        )
        augment = (
            None
            if params["augment"] is None
            else _augmentation(params["augment"], self.class_counts_)
        )
        sampler = (
            None
            if params["sampler"] is None
            else BalancedSampler(codes, "balanced", seed=int(order_rng.integers(2**62)))
        )
        optimizer = torch.optim.Adam(
            network.parameters(),
            lr=params["learning_rate"],
            weight_decay=params["weight_decay"],
        )
        n_samples, batch_size = int(X_t.shape[0]), params["batch_size"]
        self.loss_curve_: list[float] = []
        with _one_cpu_thread(device):
            network.train()
            for epoch in range(params["epochs"]):
                order = (
                    order_rng.permutation(n_samples)
                    if sampler is None
                    else sampler.epoch_draw(epoch)
                )
                order_t = torch.as_tensor(order, device=device)
                total = torch.zeros((), dtype=dtype, device=device)
                n_batches = 0
                for start in range(0, int(order.shape[0]), batch_size):
                    index = order_t[start : start + batch_size]
                    batch_loss = self._batch_loss(
                        network,
                        criterion,
                        mean_weight,
                        augment,
                        augment_rng,
                        X_t.index_select(0, index),
                        y_t.index_select(0, index),
                        None if weights is None else weights.index_select(0, index),
                        n_classes,
                    )
                    optimizer.zero_grad(set_to_none=True)
                    batch_loss.backward()
                    optimizer.step()
                    total += batch_loss.detach()
                    n_batches += 1
                self.loss_curve_.append(float(total) / n_batches)
        network.eval()
        self.network_ = network
        self.logit_scale_ = float(getattr(criterion, "s", 1.0))
        return self

    @staticmethod
    def _sample_weight(
        sample_weight: Any, n_samples: int, device: torch.device, dtype: Any
    ) -> torch.Tensor | None:
        if sample_weight is None:
            return None
        if isinstance(sample_weight, torch.Tensor):
            sample_weight = sample_weight.detach().cpu().numpy()
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
        return torch.as_tensor(weights, dtype=dtype, device=device)

    @staticmethod
    def _batch_loss(
        network: torch.nn.Module,
        criterion: torch.nn.Module,
        mean_weight: torch.Tensor | None,
        augment: Callable[..., tuple[Any, Any]] | None,
        augment_rng: np.random.Generator,
        x: torch.Tensor,
        y: torch.Tensor,
        weights: torch.Tensor | None,
        n_classes: int,
    ) -> torch.Tensor:
        """Weighted mean loss of one batch (augmented first if asked).

        ``mean_weight``: the loss's class weights, which torch's mean divides by.
        """
        mean_weights = weights
        if augment is None:
            per_sample = criterion(network(x), y)
            if mean_weight is not None:
                class_weight = mean_weight.index_select(0, y)
                mean_weights = (
                    class_weight if weights is None else weights * class_weight
                )
        else:
            x_new, y_soft = augment(
                x, y, num_classes=n_classes, random_state=augment_rng
            )
            if weights is not None and x_new.shape[0] > x.shape[0]:
                # Appended (SMOTE) rows: the mean weight of their class in the batch.
                class_weight = torch.bincount(
                    y, weights=weights, minlength=n_classes
                ) / torch.bincount(y, minlength=n_classes).clamp_min(1)
                new_classes = y_soft[x.shape[0] :].argmax(dim=1)
                extra = class_weight.index_select(0, new_classes).to(weights.dtype)
                weights = mean_weights = torch.cat([weights, extra])
            log_p = F.log_softmax(network(x_new), dim=1)
            per_sample = -(y_soft * log_p).sum(dim=1)
        if mean_weights is None:
            return per_sample.mean()
        total = per_sample.sum() if weights is None else (weights * per_sample).sum()
        tiny = torch.finfo(mean_weights.dtype).tiny
        return total / mean_weights.sum().clamp_min(tiny)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Features to predict for.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Each row sums to 1.
        """
        check_is_fitted(self, "network_")
        X_t = self._features(X, reset=False)
        parameter = next(self.network_.parameters())
        X_t = X_t.to(device=parameter.device, dtype=parameter.dtype)
        with torch.no_grad():
            logits = self.network_(X_t).cpu().double() * self.logit_scale_
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Features to predict for.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
