"""SMOTE-IPF: SMOTE, then the Iterative-Partitioning Filter removes noisy rows.

SMOTE runs on the input's device. The filter is an ensemble of scikit-learn
classifiers (decision trees by default), so it runs on the host with NumPy: the
over-sampled features are copied to the host once, the filter decides which rows
stay, and those rows are taken on the device.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

from balancekit._array_api import (
    estimator_input,
    move_indices,
    take_rows,
    to_host,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._features import numeric_features
from balancekit._labels import check_labels
from balancekit._neighbors import check_neighbors_object
from balancekit._params import check_choice, check_int, check_scalar
from balancekit._validation import Validated
from balancekit.base import BaseNumericFit, BaseSampler
from balancekit.over_sampling._smote import SMOTE

__all__ = ["SMOTEIPF", "iterative_partitioning_filter"]

_VOTING = ("majority", "consensus")


@gathered_on_dask
class SMOTEIPF(BaseNumericFit, BaseSampler):
    """SMOTE followed by the Iterative-Partitioning Filter (Sáez et al., 2015).

    Ranked among the best over-samplers by Kovács (2019, 85 SMOTE variants on 104
    data sets). SMOTE first grows the targeted classes; the filter then removes the
    rows, original or synthetic and of any class, that an ensemble of classifiers
    finds noisy, which cleans the class borders SMOTE may have blurred:

    1. Split the current rows into ``n_folds`` stratified random parts and fit one
       ``classifier`` on each part.
    2. A row is noisy when more than half (``voting="majority"``) or all
       (``voting="consensus"``) of the classifiers misclassify it; noisy rows are
       removed.
    3. Repeat until, for ``k`` consecutive rounds, fewer than ``p`` times the size
       of SMOTE's output were removed.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What SMOTE reaches, as for ``SMOTE``: ``"auto"`` grows every class but the
        majority to the majority count. The filter then removes rows of any class,
        so the final counts are lower.
    random_state : int, Generator, RandomState or None, default=None
        Seed of SMOTE's draws, of the partitions and of the default trees.
    k_neighbors : int or object, default=5
        SMOTE's number of same-class neighbours, or a neighbours object.
    n_folds : int, default=9
        Number of parts (and classifiers) per round; lowered to the size of the
        smallest class when that is smaller. At least 2.
    k : int, default=3
        Number of consecutive quiet rounds that stop the filter. At least 1.
    p : float, default=0.01
        A round is quiet when it removes fewer than ``p`` times the number of rows
        SMOTE returned. In (0, 1].
    voting : {"majority", "consensus"}, default="majority"
        How many of the classifiers must misclassify a row to call it noisy.
    classifier : estimator or None, default=None
        A scikit-learn classifier, cloned for each part. ``None`` uses
        ``DecisionTreeClassifier`` (CART; the paper used C4.5) seeded from
        ``random_state``.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples SMOTE added (before filtering).
    smote_ : SMOTE
        The fitted SMOTE step.
    kept_indices_ : array
        Rows of SMOTE's output that the filter kept, on the input's device.
    n_iterations_ : int
        Number of filtering rounds run.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    Where each step runs: SMOTE (neighbours and interpolation) on the input's
    device; the filter's classifiers on the host with NumPy (the over-sampled
    features are copied there once, as a float array or SciPy sparse matrix); the
    final selection on the device. smote-variants trains each classifier on all
    parts but one; the paper (after Khoshgoftaar and Rebours' IPF) trains it on one
    part, as here, and measures ``p`` against the original size. With
    ``sample_weight``, SMOTE interpolates the weights and the filter keeps those of
    the rows it keeps (the classifiers are fitted without weights).

    References
    ----------
    J. A. Sáez, J. Luengo, J. Stefanowski and F. Herrera, "SMOTE-IPF: Addressing the
    noisy and borderline examples problem in imbalanced classification by a
    re-sampling method with filtering", Information Sciences 291, 2015, pp. 184-203.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.over_sampling import SMOTEIPF
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.5 * y[:, None]
    >>> sampler = SMOTEIPF(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> dict(sampler.sampling_strategy_)
    {1: 60}
    >>> bool(len(y_res) < 160), int(sampler.kept_indices_.shape[0]) == len(y_res)
    (True, True)
    """

    _sampling_type = "over-sampling"

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("kept_indices_",)

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 5,
        n_folds: int = 9,
        k: int = 3,
        p: float = 0.01,
        voting: str = "majority",
        classifier: Any = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_folds = n_folds
        self.k = k
        self.p = p
        self.voting = voting
        self.classifier = classifier

    def _check_params(self, data: Validated) -> None:
        check_neighbors_object("k_neighbors", self.k_neighbors, additional_neighbor=1)
        check_int(self.n_folds, "n_folds", low=2)
        check_int(self.k, "k", low=1)
        check_scalar(self.p, "p", low=0.0, high=1.0, low_open=True)
        check_choice(self.voting, "voting", _VOTING)
        check_classifier(self.classifier)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        # SMOTE draws from the same generator first, then the filter: one seed
        # fixes both.
        self.smote_ = SMOTE(
            sampling_strategy=self.sampling_strategy,
            random_state=rng,
            k_neighbors=self.k_neighbors,
        )
        if data.sample_weight is None:
            X_over, y_over = self.smote_.fit_resample(data.X, data.y)
            w_over = None
        else:
            X_over, y_over, w_over = self.smote_.fit_resample(
                data.X, data.y, sample_weight=data.sample_weight
            )
        self.sampling_strategy_ = self.smote_.sampling_strategy_
        if self.classifier is None:
            classifier = DecisionTreeClassifier(
                random_state=int(rng.integers(np.iinfo(np.int32).max))
            )
        else:
            classifier = self.classifier
        # The filter's classifiers are scikit-learn's: its one host copy of the
        # over-sampled rows (dense or SciPy sparse) and labels.
        flat = numeric_features(X_over, xp, device).flat
        X_host = estimator_input(flat, xp)
        y_host = to_host(check_labels(y_over, xp).y, xp)
        kept, self.n_iterations_ = iterative_partitioning_filter(
            X_host,
            y_host,
            n_folds=int(self.n_folds),
            k=int(self.k),
            p=float(self.p),
            voting=self.voting,
            classifier=classifier,
            rng=rng,
        )
        kept_indices = move_indices(kept, xp, device)
        self.kept_indices_ = kept_indices
        X_res = take_rows(X_over, kept_indices, xp)
        y_res = take_rows(y_over, kept_indices, xp)
        w_res = None if w_over is None else take_rows(w_over, kept_indices, xp)
        return X_res, y_res, w_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def check_classifier(classifier: Any) -> None:
    """``classifier`` must be None or an unfitted estimator with fit and predict."""
    if classifier is None:
        return
    if isinstance(classifier, type):
        raise TypeError(
            "`classifier` must be a classifier instance, not a class; got the class "
            f"{classifier.__name__}. Pass `{classifier.__name__}()`."
        )
    if not (callable(getattr(classifier, "fit", None))) or not callable(
        getattr(classifier, "predict", None)
    ):
        raise TypeError(
            "`classifier` must be None or a scikit-learn classifier with `fit` and "
            f"`predict` (e.g. DecisionTreeClassifier()); got "
            f"{type(classifier).__name__}."
        )


def iterative_partitioning_filter(
    X: Any,
    y: np.ndarray,
    *,
    n_folds: int,
    k: int,
    p: float,
    voting: str,
    classifier: Any,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """The IPF of Khoshgoftaar and Rebours (2007), as SMOTE-IPF uses it; host only.

    Returns the kept row positions (sorted, int64) and the number of rounds. Each
    round draws the seed of its stratified partition from ``rng``; ``classifier`` is
    cloned for each part, trained on that part and asked to predict every current
    row.
    """
    n_original = int(y.shape[0])
    kept = np.arange(n_original, dtype=np.int64)
    quiet = 0
    rounds = 0
    while quiet < k:
        X_now, y_now = X[kept], y[kept]
        _, class_sizes = np.unique(y_now, return_counts=True)
        n_parts = min(n_folds, int(class_sizes.min()))
        if n_parts < 2 or class_sizes.shape[0] < 2:
            break  # too few rows left to partition: nothing more to filter
        seed = int(rng.integers(np.iinfo(np.int32).max))
        splitter = StratifiedKFold(n_splits=n_parts, shuffle=True, random_state=seed)
        wrong = np.zeros(kept.shape[0], dtype=np.int64)
        # StratifiedKFold's test folds are the n disjoint parts: train on the part.
        for _, part in splitter.split(np.zeros((kept.shape[0], 1)), y_now):
            model = clone(classifier).fit(X_now[part], y_now[part])
            wrong += np.asarray(model.predict(X_now)) != y_now
        noisy = 2 * wrong > n_parts if voting == "majority" else wrong == n_parts
        kept = kept[~noisy]
        rounds += 1
        quiet = quiet + 1 if int(noisy.sum()) < p * n_original else 0
    return kept, rounds
