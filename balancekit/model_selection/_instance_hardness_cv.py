"""InstanceHardnessCV: folds that share the hardest samples out evenly.

A row is hard when a classifier that never saw it gives the positive class an unusual
probability for its label. Folds made blind to hardness can gather the hard rows in one
fold, whose score then drops; this splitter ranks the rows of each class by their
cross-validated positive-class probability and deals them out to the folds in turn,
so every fold gets its share of easy and hard rows of both classes (imbalanced-learn's
``InstanceHardnessCV``).

Where it runs: the classifier is a scikit-learn estimator, so ``split`` works on the
host (features of PyTorch, CuPy, JAX or array-api-strict are copied there once) and
yields NumPy index arrays, as every scikit-learn splitter does.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, cross_val_predict
from sklearn.utils.multiclass import type_of_target

from balancekit._array_api import get_namespace_and_device, is_numpy_namespace, to_host
from balancekit._params import check_int
from balancekit._typing import Array
from balancekit.under_sampling._instance_hardness_threshold import (
    check_estimator_has_proba,
)

__all__ = ["InstanceHardnessCV"]


class InstanceHardnessCV(BaseCrossValidator):
    """Cross-validation splitter that spreads the hardest samples over the folds.

    The instance hardness is each row's probability of the positive class from a
    ``cross_val_predict`` of ``estimator`` (stratified, ``n_splits`` folds, not
    shuffled). Rows are sorted by label, then by that probability, and dealt to the
    folds in turn (row ``i`` of the order goes to fold ``i % n_splits``); each split
    tests one fold and trains on the others. A drop-in for
    ``imblearn.model_selection.InstanceHardnessCV``: the same estimator gives the same
    folds. Binary targets only.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn classifier with ``predict_proba``; cloned before fitting.
    n_splits : int, default=5
        Number of folds, at least 2.
    pos_label : int, float, bool or str, default=None
        The class whose probability measures hardness; ``None`` takes the second of
        the sorted classes (``estimator.classes_[1]``).

    Notes
    -----
    The whole computation is scikit-learn's and runs on the host: non-NumPy ``X``
    and ``y`` are copied there once, and the splits are NumPy index arrays. The folds
    are deterministic (no shuffle), so there is no ``random_state``; a ``groups``
    argument is ignored with a warning.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from balancekit.model_selection import InstanceHardnessCV
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 3)) + y[:, None]
    >>> cv = InstanceHardnessCV(LogisticRegression(), n_splits=4)
    >>> [int(np.bincount(y[test])[1]) for _, test in cv.split(X, y)]
    [5, 5, 5, 5]
    >>> cross_val_score(LogisticRegression(), X, y, cv=cv).shape
    (4,)
    """

    def __init__(
        self, estimator: Any, *, n_splits: int = 5, pos_label: Any = None
    ) -> None:
        self.estimator = estimator
        self.n_splits = n_splits
        self.pos_label = pos_label

    def split(
        self, X: Array, y: Array, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Generate the indices of the training and test rows of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, in any supported array library.
        y : array-like of shape (n_samples,)
            Binary class labels, in the same library as ``X``.
        groups : object
            Ignored (with a warning); present for compatibility.

        Yields
        ------
        train : ndarray of shape (n_train,)
            Indices of the training rows.
        test : ndarray of shape (n_test,)
            Indices of the test rows.
        """
        if groups is not None:
            warnings.warn(
                f"The groups parameter is ignored by {type(self).__name__}",
                UserWarning,
                stacklevel=2,
            )
        n_splits = check_int(self.n_splits, "n_splits", low=2)
        if self.estimator is None:
            raise TypeError(
                "`estimator` must be a scikit-learn classifier with `predict_proba`; "
                "got None."
            )
        check_estimator_has_proba(self.estimator)
        X_host, y_host = _host_arrays(X, y)
        if type_of_target(y_host) != "binary":
            raise ValueError(
                "InstanceHardnessCV only supports binary classification: `y` must "
                f"hold two classes; got a {type_of_target(y_host)!r} target."
            )
        column = _positive_column(np.unique(y_host), self.pos_label)
        probabilities = cross_val_predict(
            clone(self.estimator), X_host, y_host, cv=n_splits, method="predict_proba"
        )
        # Sorted by label first, then by hardness; dealing that order out round-robin
        # gives every fold the same share of each class's easy and hard rows.
        order = np.lexsort((probabilities[:, column], y_host))
        folds = np.empty(order.shape[0], dtype=np.intp)
        folds[order] = np.arange(order.shape[0]) % n_splits
        for fold in range(n_splits):
            yield np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)

    def _iter_test_indices(
        self, X: Any = None, y: Any = None, groups: Any = None
    ) -> Iterator[np.ndarray]:
        for _, test in self.split(X, y, groups):
            yield test

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of splits, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for compatibility.

        Returns
        -------
        int
        """
        return int(self.n_splits)


def _host_arrays(X: Array, y: Array) -> tuple[Any, np.ndarray]:
    """``X`` and ``y`` for scikit-learn: host containers as given, others copied."""
    xp, _ = get_namespace_and_device(X=X, y=y)
    if is_numpy_namespace(xp):
        y_host = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
        return X, y_host.reshape(-1) if y_host.ndim == 2 else y_host
    return to_host(X, xp), to_host(y, xp)


def _positive_column(classes: np.ndarray, pos_label: Any) -> int:
    """Column of ``pos_label`` among the sorted ``classes`` (1 when None)."""
    if pos_label is None:
        return 1
    matches = np.flatnonzero(classes == pos_label)
    if matches.shape[0] == 0:
        raise ValueError(
            f"`pos_label`={pos_label!r} is not a class of `y`; the classes are "
            f"{classes.tolist()}. Pass one of them, or None for the second."
        )
    return int(matches[0])
