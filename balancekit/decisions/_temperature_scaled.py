"""``TemperatureScaled``: a classifier whose probabilities are tempered by one scalar.

Temperature scaling (Guo et al. 2017) divides the log-probabilities by ``T`` and
renormalises; ``T`` minimises the log-loss of out-of-fold probabilities of the
training rows, so it is fitted on rows the scoring model never saw, and the
classifier is then fitted on all of them. One parameter cannot change the order of
the classes for a sample, so the decision and every ranking metric stay as they
were; only the confidence moves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from balancekit.decisions._meta import OutOfFoldMetaEstimator
from balancekit.decisions._prior import _softmax
from balancekit.decisions._temperature import fit_temperature

__all__ = ["TemperatureScaled"]

# A probability of 0 counts as machine epsilon, as scikit-learn's log_loss clips it.
_LOG_FLOOR = float(np.log(np.finfo(np.float64).eps))


def _log_proba(proba: Any) -> np.ndarray:
    """Finite log-probabilities (below machine epsilon: its log)."""
    values = np.asarray(proba, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(values), _LOG_FLOOR)


class TemperatureScaled(OutOfFoldMetaEstimator):
    """Temper a classifier's probabilities with a temperature fitted out of fold.

    ``fit`` collects out-of-fold ``predict_proba`` of the training rows (stratified
    K-fold; samplers inside a pipeline resample training folds only), fits the
    temperature ``T`` that minimises their log-loss
    (:func:`~balancekit.decisions.fit_temperature`), then fits ``estimator`` on
    all rows. ``predict_proba`` is ``softmax(log p / T)``: ``T > 1`` softens an
    over-confident model, ``T < 1`` sharpens an under-confident one. ``predict``
    is unchanged (the most probable class).

    Parameters
    ----------
    estimator : classifier or pipeline
        Anything with ``fit`` and ``predict_proba``.
    cv : int or cross-validation splitter, default=5
        An int gives ``StratifiedKFold(cv, shuffle=True,
        random_state=random_state)``.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds of an int ``cv``.

    Attributes
    ----------
    estimator_ : estimator
        The estimator fitted on all training rows.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    temperature_ : float
        The fitted temperature.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from balancekit.decisions import TemperatureScaled
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(600, 1))
    >>> X = x + 0.3 * rng.normal(size=(600, 5))  # 5 noisy copies of one feature
    >>> y = x[:, 0] + rng.normal(size=600) > 1
    >>> model = TemperatureScaled(GaussianNB(), random_state=0).fit(X, y)
    >>> model.temperature_ > 2  # naive Bayes counts the copies as evidence: too sure
    True
    """

    def __init__(
        self, estimator: Any, *, cv: Any = 5, random_state: Any = None
    ) -> None:
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any, **fit_params: Any) -> TemperatureScaled:
        """Fit the temperature on out-of-fold probabilities, then the estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to every ``estimator.fit``.

        Returns
        -------
        TemperatureScaled
            The fitted wrapper.
        """
        y, indices = self._encode(y)
        proba = self._out_of_fold(X, y, indices, "predict_proba", fit_params)
        self.temperature_ = fit_temperature(_log_proba(proba), indices)
        self._fit_estimator(X, y, fit_params)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """``softmax(log p / T)`` of the estimator's probabilities ``p``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Tempered probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "estimator_")
        log_p = _log_proba(self.estimator_.predict_proba(X))
        return _softmax(log_p / self.temperature_, np)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (the temperature does not change it).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Class labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
