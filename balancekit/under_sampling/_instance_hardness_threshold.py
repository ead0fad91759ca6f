"""InstanceHardnessThreshold: drop the rows a classifier finds hardest to classify.

Smith, Martinez and Giraud-Carrier (2014) call a row *hard* when a classifier trained
without it gives its true class a low probability. Each class to under-sample keeps its
rows whose cross-validated probability of their own class is at or above the class's
percentile threshold (imbalanced-learn's rule, so ties at the threshold are all kept and
a class may keep a few more rows than asked).

Where it runs: the classifier is a scikit-learn estimator, so the features cross to the
host once (a copy for PyTorch, CuPy, JAX or array-api-strict arrays; nothing for NumPy
and CPU tensors) and the probabilities are computed there; the kept indices cross back
once and the rows are taken from ``X`` on its own device.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils import check_random_state as sklearn_random_state

from balancekit._array_api import (
    estimator_input,
    move_indices,
    to_host,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._labels import Labels
from balancekit._params import check_int, check_n_jobs
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import Validated
from balancekit.base import BaseFeatureIndexSampler, BaseUnderSampler

__all__ = ["InstanceHardnessThreshold"]


@gathered_on_dask
class InstanceHardnessThreshold(BaseFeatureIndexSampler, BaseUnderSampler):
    """Under-sample by removing the rows a classifier finds hardest to classify.

    Cross-validated probabilities (scikit-learn's ``cross_val_predict`` over a shuffled
    ``StratifiedKFold`` of ``cv`` folds) give each row the probability of its own
    class; each class to under-sample keeps the rows at or above the percentile
    ``100 * (1 - n_keep / n_class)`` of those probabilities. A drop-in for
    ``imblearn.under_sampling.InstanceHardnessThreshold``: for the same estimator,
    ``cv`` and integer ``random_state`` it keeps exactly the same rows.

    Parameters
    ----------
    estimator : estimator object, default=None
        A scikit-learn classifier with ``predict_proba``. ``None`` gives
        ``RandomForestClassifier(n_estimators=100, random_state=random_state,
        n_jobs=n_jobs)``. A given estimator is cloned and its ``random_state``
        parameters are drawn from ``random_state``, as imbalanced-learn does.
    sampling_strategy : float, str, dict or callable, default="auto"
        The number of rows to keep per class; ``"auto"`` reduces every class but the
        minority to the minority's count.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the folds' shuffle and of the estimator.
    cv : int, default=5
        Number of stratified folds for the probabilities (at least 2).
    n_jobs : int, default=None
        Parallel jobs of ``cross_val_predict`` (and of the default forest).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of rows asked for.
    estimator_ : estimator object
        The (unfitted) clone of the classifier the folds fitted.
    sample_indices_ : array of shape (n_kept,)
        Indices of the kept rows, class by class in sorted class order, on the input's
        device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    The estimator is scikit-learn's and runs on the host: features of another library
    are copied to the host once (flattened to 2-D when ``X`` has more dimensions), the
    labels too, and the kept indices (O(n_kept)) move back to the input's device in
    one transfer. A ``RandomState`` passed as ``random_state`` advances by one extra
    draw before the folds are made (balancekit's generator seeding), so only integer
    seeds reproduce imbalanced-learn's rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from balancekit.under_sampling import InstanceHardnessThreshold
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 60 + [1] * 20)
    >>> X = rng.normal(size=(80, 2)) + 1.5 * y[:, None]
    >>> sampler = InstanceHardnessThreshold(
    ...     estimator=LogisticRegression(), random_state=0
    ... )
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [20, 20]
    """

    def __init__(
        self,
        *,
        estimator: Any = None,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        cv: int = 5,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.cv = cv
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        check_estimator_has_proba(self.estimator)
        if isinstance(self.cv, bool) or not isinstance(self.cv, Integral):
            raise TypeError(
                "`cv` must be an int, the number of stratified folds (>= 2); got "
                f"{type(self.cv).__name__}. Cross-validation splitters are not "
                "accepted (imbalanced-learn always makes a shuffled StratifiedKFold)."
            )
        check_int(self.cv, "cv", low=2)
        check_n_jobs(self.n_jobs)

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: Namespace,
        device: Device,
        rng: np.random.Generator,
    ) -> Array:
        random_state = legacy_random_state(self.random_state, rng)
        self.estimator_ = self._make_estimator(random_state)
        # The estimator is scikit-learn's: features and labels cross to the host once.
        X_host = estimator_input(flat, xp)
        y_host = to_host(labels.y, xp)
        folds = StratifiedKFold(
            n_splits=self.cv, shuffle=True, random_state=random_state
        )
        probabilities = cross_val_predict(
            self.estimator_,
            X_host,
            y_host,
            cv=folds,
            n_jobs=self.n_jobs,
            method="predict_proba",
        )
        kept = select_easy_rows(
            probabilities, y_host, labels.classes, self.sampling_strategy_
        )
        return move_indices(kept, xp, device)

    def _make_estimator(self, random_state: np.random.RandomState) -> Any:
        """The classifier, as imbalanced-learn builds it."""
        if self.estimator is None:
            return RandomForestClassifier(
                n_estimators=100,
                random_state=_forest_seed(self.random_state, random_state),
                n_jobs=self.n_jobs,
            )
        estimator = clone(self.estimator)
        set_random_states(estimator, random_state)
        return estimator


def select_easy_rows(
    probabilities: np.ndarray, y: np.ndarray, classes: tuple, sampling_strategy: dict
) -> np.ndarray:
    """Rows kept: per class, those whose own-class probability reaches the threshold.

    ``probabilities`` has one column per sorted class (``classes``); a class in
    ``sampling_strategy`` keeps the rows at or above the percentile ``100 * (1 -
    n_keep / n_class)`` of its rows' probabilities (all rows at the threshold are
    kept); other classes are kept whole. Indices come class by class, ascending.
    """
    # Column of each row's own class (imbalanced-learn indexes the column by the label
    # value itself, which is only right for labels 0..n_classes-1).
    own_column = np.searchsorted(np.asarray(classes, dtype=y.dtype), y)
    own = probabilities[np.arange(y.shape[0]), own_column]
    kept = []
    for position, cls in enumerate(classes):
        members = np.flatnonzero(own_column == position)
        if cls in sampling_strategy:
            scores = own[members]
            quantile = (1.0 - sampling_strategy[cls] / members.shape[0]) * 100.0
            members = members[scores >= np.percentile(scores, quantile)]
        kept.append(members)
    return np.concatenate(kept)


def check_estimator_has_proba(estimator: Any) -> None:
    """``estimator`` is None or a scikit-learn classifier with ``predict_proba``."""
    if estimator is None:
        return
    has_methods = hasattr(estimator, "fit") and hasattr(estimator, "predict_proba")
    # Test the methods first: is_classifier raises on objects without tags.
    if not (has_methods and is_classifier(estimator)):
        raise TypeError(
            "`estimator` must be a scikit-learn classifier with `predict_proba` (e.g. "
            "RandomForestClassifier() or LogisticRegression()), or None for a random "
            f"forest; got {type(estimator).__name__}."
        )


def legacy_random_state(
    random_state: Any, rng: np.random.Generator
) -> np.random.RandomState:
    """The ``RandomState`` scikit-learn's folds and estimators take.

    An int, None or ``RandomState`` goes through scikit-learn's own
    ``check_random_state`` (so integer seeds give imbalanced-learn's draws); a NumPy
    ``Generator`` seeds a ``RandomState`` with one draw of its own.
    """
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(int(rng.integers(np.iinfo(np.int32).max)))
    return sklearn_random_state(random_state)


def _forest_seed(random_state: Any, legacy: np.random.RandomState) -> Any:
    """The default forest's ``random_state``: the user's, or the legacy state."""
    if isinstance(random_state, np.random.Generator):
        return legacy
    return random_state


def set_random_states(estimator: Any, random_state: np.random.RandomState) -> None:
    """Give every ``random_state`` parameter of ``estimator`` a fresh int seed.

    Parameters are visited in sorted name order and seeded from ``random_state``,
    the convention of scikit-learn's ensembles (and imbalanced-learn), so one seed
    gives the same estimator as theirs.
    """
    seeds = {
        key: random_state.randint(np.iinfo(np.int32).max)
        for key in sorted(estimator.get_params(deep=True))
        if key == "random_state" or key.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)
