"""``PriorCorrected``: a classifier's probabilities moved back to the real prior.

Resampling or class weights train a model under a prior that is not the data's; its
probabilities are then too high for the minority class (Brier and log-loss rise,
van den Goorbergh et al. 2022). The wrapper reads the prior the model was really
trained under at ``fit`` (the class totals where the final step is fitted: after the
samplers, times ``sample_weight`` and the model's class weights) and corrects
``predict_proba`` by Bayes' rule to the data's prior (or any other).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from balancekit._params import check_scalar
from balancekit.decisions._fit_record import check_readable, fit_recording_counts
from balancekit.decisions._meta import DecisionMetaEstimator
from balancekit.decisions._prior import check_prior, correct_prior

__all__ = ["PriorCorrected"]


class PriorCorrected(DecisionMetaEstimator):
    """Correct a resampled or re-weighted classifier's probabilities to the real prior.

    ``fit`` fits a clone of ``estimator`` and records two class priors: the data's
    (the class shares of ``y``) and the one the model was trained under, read where
    the last step of the pipeline is fitted: the labels that reach it (after every
    sampler), weighted by the ``sample_weight`` routed to it and by its class
    weights (a fitted ``class_weight_`` array aligned with ``classes_``, else its
    ``class_weight`` parameter). ``predict_proba`` is
    :func:`~balancekit.decisions.correct_prior` of the model's probabilities from
    the training prior to ``target_prior``; ``predict`` is its most probable class.
    In binary problems the correction is monotone, so ranking metrics (ROC-AUC,
    PR-AUC) do not change; the probabilities (Brier, log-loss) and the default
    decision do.

    Parameters
    ----------
    estimator : classifier or pipeline
        Anything with ``fit`` and ``predict_proba``: a classifier, or a
        scikit-learn / imbalanced-learn ``Pipeline`` (samplers included) whose last
        step is one.
    target_prior : None, "uniform" or array-like of shape (n_classes,), default=None
        The prior to correct to: None for the class shares of the ``y`` given to
        ``fit`` (the data the model will meet, if it is like the training data);
        ``"uniform"`` for equal priors (post-hoc logit adjustment for balanced
        error, Menon et al. 2021); or probabilities / counts per class, in the
        order of ``classes_`` (e.g. from
        :func:`~balancekit.decisions.estimate_prior` on unlabelled data).
    train_prior : None or array-like of shape (n_classes,), default=None
        The prior the model was trained under, when it cannot be read from the fit:
        a loss with its own class weights inside a network, a balanced ensemble or
        a search as the final step (these two are refused without it). None reads
        it.
    tau : float, default=1.0
        The strength of the correction (>= 0): 1 is Bayes' rule, 0 changes nothing.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone (a pipeline stays a pipeline, with its fitted steps).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    data_prior_ : ndarray of shape (n_classes,)
        The class shares of the ``y`` given to ``fit``.
    train_prior_ : ndarray of shape (n_classes,)
        The prior the model was trained under.
    target_prior_ : ndarray of shape (n_classes,)
        The prior the probabilities are corrected to.
    fitted_class_totals_ : ndarray of shape (n_classes,)
        The weighted class totals where the model was fitted (None when
        ``train_prior`` was given).

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from balancekit import RandomOverSampler
    >>> from balancekit.decisions import PriorCorrected
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 2))
    >>> y = (X[:, 0] + rng.normal(size=1000) > 2.2).astype(int)
    >>> pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    >>> model = PriorCorrected(pipe).fit(X, y)
    >>> model.data_prior_.tolist(), model.train_prior_.tolist()
    ([0.947, 0.053], [0.5, 0.5])
    >>> resampled = pipe.fit(X, y).predict_proba(X)[:, 1].mean()
    >>> corrected = model.predict_proba(X)[:, 1].mean()
    >>> round(float(resampled), 3), round(float(corrected), 3)  # y's share: 0.053
    (0.307, 0.054)
    """

    def __init__(
        self,
        estimator: Any,
        *,
        target_prior: Any = None,
        train_prior: Any = None,
        tau: float = 1.0,
    ) -> None:
        self.estimator = estimator
        self.target_prior = target_prior
        self.train_prior = train_prior
        self.tau = tau

    def fit(self, X: Any, y: Any, **fit_params: Any) -> PriorCorrected:
        """Fit the estimator and record the training and target priors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to ``estimator.fit`` (``model__sample_weight=...`` for a
            pipeline).

        Returns
        -------
        PriorCorrected
            The fitted wrapper.
        """
        check_scalar(self.tau, "tau", low=0)
        y, indices = self._encode(y)
        n_classes = self.classes_.size
        self.data_prior_ = np.bincount(indices, minlength=n_classes) / indices.size
        self.target_prior_ = self._resolve_target(n_classes)
        train = (
            None
            if self.train_prior is None
            else check_prior(self.train_prior, "train_prior", n_classes)
        )
        fitted, model, counts = fit_recording_counts(
            clone(self.estimator), X, y, fit_params
        )
        self.estimator_ = fitted
        self._check_inner_classes()
        if train is None:
            check_readable(model)
            totals = counts.effective_counts(model, self.classes_)
            if np.any(totals <= 0):
                missing = self.classes_[totals <= 0].tolist()
                raise ValueError(
                    f"The model was fitted with no weight on the classes {missing} "
                    "(a sampler removed them, or their `sample_weight` is 0): "
                    "their training prior is 0 and cannot be corrected."
                )
            self.fitted_class_totals_: np.ndarray | None = totals
            train = totals / totals.sum()
        else:
            self.fitted_class_totals_ = None
        self.train_prior_ = train
        return self

    def _resolve_target(self, n_classes: int) -> np.ndarray:
        if self.target_prior is None:
            return self.data_prior_.copy()
        if isinstance(self.target_prior, str):
            if self.target_prior != "uniform":
                raise ValueError(
                    "`target_prior` must be None (the data's prior), 'uniform' or "
                    f"one value per class; got {self.target_prior!r}."
                )
            return np.full(n_classes, 1.0 / n_classes)
        return check_prior(self.target_prior, "target_prior", n_classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        """The estimator's probabilities corrected to ``target_prior_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Corrected probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "estimator_")
        # The model's dtype is kept: float32 rows sum to 1 within float32 round-off.
        proba = np.asarray(self.estimator_.predict_proba(X))
        return correct_prior(proba, self.train_prior_, self.target_prior_, tau=self.tau)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class under the corrected probabilities.

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
