"""The models ``balancekit bench`` trains: scikit-learn, a torch MLP, a Keras MLP."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from balancekit.weighting import compute_sample_weight

__all__ = [
    "ClassWeighted",
    "Model",
    "default_models",
    "missing_requirement",
    "resolve_models",
]


@dataclass(frozen=True)
class Model:
    """A classifier the harness trains under each strategy.

    Parameters
    ----------
    name : str
        The model's name in the table.
    build : callable
        ``seed -> classifier`` with scikit-learn's ``fit(X, y, sample_weight=None)``
        and ``predict_proba``.
    framework : {"scikit-learn", "torch", "keras"}
        Decides which strategies apply (losses and the torch sampler need a neural
        model).
    requires : tuple of str
        Modules that must be importable; when one is missing the model is skipped
        with a message.
    scale : bool
        Standardise the features (fitted on training rows) before the sampler and the
        model. Samplers measure distances, so keep it on unless the data is scaled.

    Examples
    --------
    >>> from balancekit.bench import Model
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> tree = Model("tree", lambda seed: DecisionTreeClassifier(random_state=seed))
    >>> tree.build(0).random_state, missing_requirement(tree)
    (0, None)
    """

    name: str
    build: Callable[[int], Any]
    framework: str = "scikit-learn"
    requires: tuple[str, ...] = ()
    scale: bool = True
    description: str = ""


def missing_requirement(model: Model) -> str | None:
    """Why ``model`` cannot run here (a missing module), or None when it can."""
    for module in model.requires:
        if importlib.util.find_spec(module) is None:
            extra = {"torch": "torch", "tensorflow": "tensorflow"}.get(module, module)
            return (
                f"{model.name} skipped: {module} is not installed "
                f"(pip install balancekit[{extra}])"
            )
    return None


def _torch_mlp(seed: int) -> Any:
    from balancekit.bench._torch_mlp import TorchMLPClassifier

    return TorchMLPClassifier(random_state=seed)


def _keras_mlp(seed: int) -> Any:
    from balancekit.bench._keras_mlp import KerasMLPClassifier

    return KerasMLPClassifier(random_state=seed)


def _logistic_regression(seed: int) -> Any:
    return LogisticRegression(max_iter=2000)


def _hist_gradient_boosting(seed: int) -> Any:
    return HistGradientBoostingClassifier(random_state=seed)


def default_models() -> list[Model]:
    """Logistic regression, histogram gradient boosting, a torch and a Keras MLP.

    Examples
    --------
    >>> from balancekit.bench import default_models
    >>> [m.name for m in default_models()]
    ['logistic_regression', 'hist_gradient_boosting', 'torch_mlp', 'keras_mlp']
    """
    return [
        Model(
            "logistic_regression",
            _logistic_regression,
            description="scikit-learn LogisticRegression (L2, C=1)",
        ),
        Model(
            "hist_gradient_boosting",
            _hist_gradient_boosting,
            description="scikit-learn HistGradientBoostingClassifier (defaults)",
        ),
        Model(
            "torch_mlp",
            _torch_mlp,
            framework="torch",
            requires=("torch",),
            description="PyTorch MLP (balancekit.bench TorchMLPClassifier)",
        ),
        Model(
            "keras_mlp",
            _keras_mlp,
            framework="keras",
            requires=("tensorflow",),
            description="Keras MLP (balancekit.bench KerasMLPClassifier)",
        ),
    ]


def resolve_models(models: Iterable[str | Model] | None) -> list[Model]:
    """Model objects for names (``None``: logistic regression and gradient boosting).

    Examples
    --------
    >>> [m.framework for m in resolve_models(["logistic_regression", "torch_mlp"])]
    ['scikit-learn', 'torch']
    """
    known = {m.name: m for m in default_models()}
    if models is None:
        return [known["logistic_regression"], known["hist_gradient_boosting"]]
    if isinstance(models, (str, Model)):
        models = [models]
    resolved = []
    for item in models:
        if isinstance(item, Model):
            resolved.append(item)
        elif isinstance(item, str) and item in known:
            resolved.append(known[item])
        else:
            raise ValueError(
                f"`models` has {item!r}, which is neither a Model nor one of the "
                f"known names: {sorted(known)}."
            )
    names = [m.name for m in resolved]
    if len(set(names)) != len(names) or not names:
        raise ValueError(f"`models` must be a non-empty list of unique models: {names}")
    return resolved


class ClassWeighted(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` with class weights computed from the labels it is fitted on.

    Inside cross-validation each training fold gets the weights of its own labels, so
    nothing is computed from validation or test rows. The weights are normalised to a
    mean of 1 (``normalize="samples"``), so that only their ratios differ between
    methods: a model's regularisation strength (logistic regression's ``C``) then
    means the same under every method.

    Parameters
    ----------
    estimator : classifier
        Anything with ``fit(X, y, sample_weight=...)`` and ``predict_proba``.
    method : str
        A :func:`balancekit.compute_sample_weight` method.
    beta : float
        The effective-number method's ``beta``.

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    class_weight_ : ndarray of shape (n_classes,)
        The weight of each class of ``classes_`` (every row of a class gets its
        class's weight), so that :class:`balancekit.decisions.PriorCorrected` reads
        the prior the model was trained under.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [0.1], [0.2], [1.0]]); y = np.array([0, 0, 0, 1])
    >>> model = ClassWeighted(LogisticRegression(), "balanced").fit(X, y)
    >>> model.classes_.tolist(), model.predict_proba(X).shape
    ([0, 1], (4, 2))
    >>> model.class_weight_.round(3).tolist()  # n / (C n_c), mean 1 over the rows
    [0.667, 2.0]
    """

    def __init__(
        self, estimator: Any, method: str = "balanced", beta: float = 0.999
    ) -> None:
        self.estimator = estimator
        self.method = method
        self.beta = beta

    def fit(self, X: Any, y: Any) -> ClassWeighted:
        weights = compute_sample_weight(
            y, self.method, beta=self.beta, normalize="samples"
        )
        self.estimator_ = clone(self.estimator).fit(X, y, sample_weight=weights)
        self.classes_ = self.estimator_.classes_
        labels = np.asarray(y).reshape(-1)
        rows = np.asarray(weights, dtype=np.float64).reshape(-1)
        # Weights are per class: any row of a class gives its class's weight.
        self.class_weight_ = np.array(
            [rows[np.flatnonzero(labels == c)[0]] for c in self.classes_]
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.estimator_.predict(X)
