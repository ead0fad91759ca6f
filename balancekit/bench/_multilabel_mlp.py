"""A small PyTorch MLP for multilabel data, with balancekit's multilabel strategies.

:class:`TorchMultilabelMLP` is the multilabel head of the bench's torch MLP: the same
ReLU network, initialisation and Adam training as
:class:`~balancekit.bench._torch_mlp.TorchMLPClassifier`, with one logit per label
and a sigmoid. Its loss and epoch sampler are where the multilabel training
strategies plug in. Imports torch: the bench loads it only for multilabel runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted

from balancekit._params import check_choice, check_int, check_scalar
from balancekit._random import check_random_state
from balancekit.bench._mlp_common import check_hidden_layer_sizes
from balancekit.bench._torch_mlp import _build_network, _one_cpu_thread
from balancekit.torch import (
    AsymmetricLoss,
    DistributionBalancedLoss,
    MultilabelBalancedSampler,
)
from balancekit.weighting import compute_pos_weight

__all__ = ["MULTILABEL_LOSSES", "MULTILABEL_SAMPLERS", "TorchMultilabelMLP"]

#: ``loss=`` values: plain BCE, BCE with per-label ``pos_weight``, ASL, DB loss.
MULTILABEL_LOSSES = ("bce", "pos_weight", "asymmetric", "distribution_balanced")
#: ``sampler=`` values: every row once per epoch, or class-aware sampling.
MULTILABEL_SAMPLERS = (None, "class_aware")


def _criterion(loss: str, Y: np.ndarray) -> torch.nn.Module:
    """The mean loss named ``loss``, built from the training indicator ``Y``."""
    if loss == "bce":
        return torch.nn.BCEWithLogitsLoss()
    if loss == "pos_weight":
        weight = compute_pos_weight(Y, on_missing="one")
        return torch.nn.BCEWithLogitsLoss(
            pos_weight=torch.as_tensor(weight, dtype=torch.float32)
        )
    if loss == "asymmetric":
        return AsymmetricLoss()
    counts = Y.sum(axis=0)
    if (counts == 0).any() or (counts == Y.shape[0]).any():
        raise ValueError(
            "loss='distribution_balanced' needs every label positive in some but "
            f"not all training rows; labels {np.flatnonzero(counts == 0).tolist()} "
            "have no positive row."
        )
    return DistributionBalancedLoss(counts.astype(np.float64), float(Y.shape[0]))


class TorchMultilabelMLP(BaseEstimator):
    """A ReLU multilayer perceptron with a sigmoid output per label.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Width of each hidden layer.
    epochs : int, default=30
        Passes over the training set (of ``len(X)`` rows each).
    batch_size : int, default=64
        Rows per training batch.
    learning_rate : float, default=1e-3
        Adam's learning rate, > 0.
    loss : {"bce", "pos_weight", "asymmetric", "distribution_balanced"}, default="bce"
        ``"bce"``: ``torch.nn.BCEWithLogitsLoss``; ``"pos_weight"``: the same with
        :func:`balancekit.weighting.compute_pos_weight` of the training labels
        (``n_neg / n_pos`` per label; 1 for a label without positives);
        ``"asymmetric"``: :class:`balancekit.torch.AsymmetricLoss` (defaults);
        ``"distribution_balanced"``: :class:`balancekit.torch.DistributionBalancedLoss`
        built from the training label counts (defaults).
    sampler : {None, "class_aware"}, default=None
        ``None``: every row once per epoch in a random order; ``"class_aware"``:
        :class:`balancekit.torch.MultilabelBalancedSampler` (a label picked uniformly,
        then a row having it; ``len(X)`` draws per epoch).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the initial weights, the epochs' orders and the sampler.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_labels_ : int
        Number of labels.
    network_ : torch.nn.Sequential
        The trained network.
    loss_curve_ : list of float
        Mean training loss of each epoch.

    Notes
    -----
    Probabilities are the sigmoid of the network's outputs. The distribution-balanced
    loss trains the shifted logits ``x - nu`` (its class bias); prediction uses the
    network's outputs ``x`` as they are, as the authors' code does.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 4))
    >>> Y = (X[:, :3] > 0.8).astype(int)
    >>> model = TorchMultilabelMLP(epochs=3, loss="asymmetric", random_state=0)
    >>> model.fit(X, Y).predict_proba(X[:2]).shape
    (2, 3)
    """

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] = (64,),
        epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        loss: str = "bce",
        sampler: str | None = None,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.loss = loss
        self.sampler = sampler
        self.random_state = random_state

    def fit(self, X: Any, Y: Any) -> TorchMultilabelMLP:
        """Train the network on features ``X`` and the 0/1 indicator ``Y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features.
        Y : array-like of shape (n_samples, n_labels)
            0/1 label indicator.

        Returns
        -------
        self : TorchMultilabelMLP
        """
        sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        epochs = check_int(self.epochs, "epochs")
        batch_size = check_int(self.batch_size, "batch_size")
        learning_rate = check_scalar(
            self.learning_rate, "learning_rate", low=0.0, low_open=True
        )
        loss = check_choice(self.loss, "loss", MULTILABEL_LOSSES)
        sampler_name = check_choice(self.sampler, "sampler", MULTILABEL_SAMPLERS)
        X_np = check_array(X, dtype=np.float32)
        Y_np = np.asarray(Y)
        if Y_np.ndim != 2 or Y_np.shape[0] != X_np.shape[0]:
            raise ValueError(
                f"`Y` must have shape ({X_np.shape[0]}, n_labels), one row per row of "
                f"X; got shape {Y_np.shape}."
            )
        if not np.isin(Y_np, (0, 1)).all():
            raise ValueError("`Y` must be a 0/1 label indicator.")
        Y_np = Y_np.astype(np.int64)
        self.n_features_in_ = int(X_np.shape[1])
        self.n_labels_ = int(Y_np.shape[1])
        rng = check_random_state(self.random_state)
        init_rng, order_rng = rng.spawn(2)
        device = torch.device("cpu")
        network = _build_network(
            [self.n_features_in_, *sizes, self.n_labels_],
            init_rng,
            device,
            torch.float32,
        )
        criterion = _criterion(loss, Y_np)
        sampler = (
            None
            if sampler_name is None
            else MultilabelBalancedSampler(
                Y_np, seed=int(order_rng.integers(2**62)), num_replicas=1, rank=0
            )
        )
        X_t = torch.from_numpy(X_np)
        Y_t = torch.from_numpy(Y_np.astype(np.float32))
        optimizer = torch.optim.Adam(network.parameters(), lr=learning_rate)
        n_samples = int(X_t.shape[0])
        self.loss_curve_: list[float] = []
        with _one_cpu_thread(device):
            network.train()
            for epoch in range(epochs):
                order = (
                    order_rng.permutation(n_samples)
                    if sampler is None
                    else sampler.epoch_draw(epoch)
                )
                order_t = torch.as_tensor(order)
                total, n_batches = 0.0, 0
                for start in range(0, int(order.shape[0]), batch_size):
                    index = order_t[start : start + batch_size]
                    batch_loss = criterion(
                        network(X_t.index_select(0, index)), Y_t.index_select(0, index)
                    )
                    optimizer.zero_grad(set_to_none=True)
                    batch_loss.backward()
                    optimizer.step()
                    total += float(batch_loss.detach())
                    n_batches += 1
                self.loss_curve_.append(total / max(n_batches, 1))
        network.eval()
        self.network_ = network
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each label, float64 of shape (n_samples, n_labels).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features to predict for.

        Returns
        -------
        numpy.ndarray
            ``sigmoid`` of the network's outputs.
        """
        check_is_fitted(self, "network_")
        X_np = check_array(X, dtype=np.float32)
        if X_np.shape[1] != self.n_features_in_:
            raise ValueError(
                f"`X` has {X_np.shape[1]} features, but the model was fitted with "
                f"{self.n_features_in_}."
            )
        with torch.no_grad():
            logits = self.network_(torch.from_numpy(X_np)).double()
        return torch.sigmoid(logits).numpy()

    def predict(self, X: Any, threshold: float = 0.5) -> np.ndarray:
        """The 0/1 indicator ``predict_proba(X) >= threshold``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features to predict for.
        threshold : float, default=0.5
            Decision threshold of every label.

        Returns
        -------
        numpy.ndarray of int64
            Shape (n_samples, n_labels).
        """
        return (self.predict_proba(X) >= threshold).astype(np.int64)
