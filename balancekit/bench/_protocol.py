"""One run of the protocol: tune on the training part, refit, score on the test part.

The pipeline is ``[imputer] -> [scaler] -> [sampler] -> model`` in
``imblearn.pipeline.Pipeline``: the imputer and the scaler are fitted on training rows
only, and samplers run when the pipeline is fitted, never when it predicts, so
validation and test rows are never resampled. Tuning is a cross-validated search on
the training part only; the test part is used once, by the refitted pipeline.

A decision strategy wraps its base's whole pipeline in a decision estimator
(:mod:`balancekit.decisions`), which is fitted on the training part only: its own
cross-validation (a tuned threshold, a temperature) splits the training rows. Its
labels are the wrapper's ``predict`` (the tuned rule), its probabilities the
wrapper's ``predict_proba``.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator
from sklearn.impute import SimpleImputer
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.preprocessing import StandardScaler

from balancekit.bench._models import ClassWeighted, Model
from balancekit.bench._scores import pr_auc, score_run
from balancekit.bench._strategies import Strategy, decision_chain

__all__ = [
    "IMPUTE_MODES",
    "TUNE_MODES",
    "ClassCounter",
    "RunOutcome",
    "build_pipeline",
    "run_once",
]

TUNE_MODES = (None, "random", "grid")
#: ``impute=`` values: None refuses missing values; the others are the
#: ``SimpleImputer(strategy=...)`` placed first in the pipeline.
IMPUTE_MODES = (None, "median", "most_frequent")


@dataclass
class RunOutcome:
    """What one (model, strategy, seed) run produced."""

    scores: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    resampled_counts: dict[int, int] = field(default_factory=dict)
    fit_time_s: float = math.nan
    tune_time_s: float = 0.0
    test_scores: np.ndarray | None = None


class ClassCounter(BaseEstimator):
    """A pipeline step that passes its rows on unchanged and counts their classes.

    Placed right before the model, inside a decision strategy's pipeline: a sampler
    step for ``imblearn.pipeline.Pipeline`` (it runs when the pipeline is fitted,
    never when it predicts), so ``counts_`` are the classes the model was fitted on
    in the last fit of *this* pipeline (a wrapper's cross-validation fits clones).

    Examples
    --------
    >>> counter = ClassCounter()
    >>> X, y = np.zeros((4, 1)), np.array([0, 1, 1, 1])
    >>> Xt, yt = counter.fit_resample(X, y)
    >>> Xt is X, counter.counts_
    (True, {0: 1, 1: 3})
    """

    def fit(self, X: Any, y: Any) -> ClassCounter:
        """Count the classes of ``y`` (``X`` is not used)."""
        values, counts = np.unique(np.asarray(y), return_counts=True)
        self.counts_ = {
            int(v): int(c) for v, c in zip(values.tolist(), counts, strict=True)
        }
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Count the classes of ``y`` and return ``X`` and ``y`` unchanged."""
        self.fit(X, y)
        return X, y


def _training_pipeline(
    model: Model, strategy: Strategy, seed: int, impute: str | None
) -> Pipeline:
    steps: list[tuple[str, Any]] = []
    if impute is not None:
        steps.append(("impute", SimpleImputer(strategy=impute)))
    if model.scale:
        steps.append(("scale", StandardScaler()))
    if strategy.kind == "sampler":
        assert strategy.sampler is not None
        steps.append(("sampler", strategy.sampler(seed)))
    estimator = model.build(seed)
    if strategy.kind == "training":
        estimator.set_params(**strategy.model_params)
    elif strategy.kind == "weights":
        assert strategy.weight_method is not None
        estimator = ClassWeighted(estimator, strategy.weight_method)
    steps.append(("model", estimator))
    return Pipeline(steps)


def _wrap(pipeline: Pipeline, strategy: Strategy, seed: int) -> Any:
    """``pipeline`` (the base's, with a :class:`ClassCounter` added before the model)
    wrapped in the decisions of ``strategy``, innermost first."""
    _, decisions = decision_chain(strategy)
    steps = list(pipeline.steps)
    steps.insert(len(steps) - 1, ("count", ClassCounter()))
    estimator: Any = Pipeline(steps)
    for decision in decisions:
        estimator = decision(estimator, seed)
    return estimator


def build_pipeline(
    model: Model, strategy: Strategy, seed: int, impute: str | None = None
) -> Any:
    """``[imputer] -> [scaler] -> [sampler] -> model`` for one strategy, seeded with
    ``seed``. The imputer (``SimpleImputer(strategy=impute)``) is a pipeline step, so
    it is fitted on the training rows (or training folds) only. A decision strategy
    gives its base's pipeline (with a :class:`ClassCounter` before the model) inside
    its decision wrappers.

    Examples
    --------
    >>> from balancekit.bench._models import resolve_models
    >>> from balancekit.bench._strategies import resolve_strategies
    >>> [lr] = resolve_models(["logistic_regression"])
    >>> [smote] = resolve_strategies(["SMOTE"])
    >>> [name for name, _ in build_pipeline(lr, smote, seed=0).steps]
    ['scale', 'sampler', 'model']
    >>> [name for name, _ in build_pipeline(lr, smote, 0, impute="median").steps]
    ['impute', 'scale', 'sampler', 'model']
    >>> [tuned] = resolve_strategies(["SMOTE + prior corr. + tuned F1"])
    >>> wrapped = build_pipeline(lr, tuned, seed=0)
    >>> type(wrapped).__name__, type(wrapped.estimator).__name__
    ('TunedDecision', 'PriorCorrected')
    >>> [name for name, _ in wrapped.estimator.estimator.steps]
    ['scale', 'sampler', 'count', 'model']
    """
    base, decisions = decision_chain(strategy)
    pipeline = _training_pipeline(model, base, seed, impute)
    return _wrap(pipeline, strategy, seed) if decisions else pipeline


def pr_auc_scorer(estimator: Any, X: Any, y: Any, *, minority: int) -> float:
    """Cross-validation score: :func:`pr_auc` of the run's minority class."""
    proba = estimator.predict_proba(X)
    if not np.array_equal(estimator.classes_, np.arange(proba.shape[1])):
        raise RuntimeError(
            "a class is missing from a training fold (the fold is too small for "
            "this strategy); lower `cv`"
        )
    return pr_auc(np.asarray(y), proba, minority)


def _search(
    pipeline: Pipeline,
    space: Mapping[str, Any],
    tune: str,
    n_iter: int,
    cv: int,
    seed: int,
    minority: int,
) -> Any:
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    grid = {key: list(values) for key, values in space.items()}
    common = {
        "scoring": partial(pr_auc_scorer, minority=minority),
        "cv": folds,
        "error_score": np.nan,
    }
    if tune == "grid" or n_iter >= len(ParameterGrid(grid)):
        return GridSearchCV(pipeline, grid, refit=False, **common)
    return RandomizedSearchCV(
        pipeline, grid, n_iter=n_iter, random_state=seed, refit=False, **common
    )


def tune_parameters(
    pipeline: Pipeline,
    strategy: Strategy,
    X_train: np.ndarray,
    y_train: np.ndarray,
    *,
    tune: str,
    n_iter: int,
    cv: int,
    seed: int,
    minority: int,
) -> dict[str, Any]:
    """The best parameters of ``strategy.search_space`` by stratified K-fold CV on the
    training part (an empty dict when the strategy declares no space)."""
    if not strategy.search_space:
        return {}
    search = _search(pipeline, strategy.search_space, tune, n_iter, cv, seed, minority)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X_train, y_train)
    means = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    if np.isnan(means).all():
        reasons = [str(w.message).strip().splitlines()[-1] for w in caught]
        raise RuntimeError(
            "every candidate failed in cross-validation"
            + (f": {reasons[-1]}" if reasons else "")
        )
    best = int(np.nanargmax(means))
    return dict(search.cv_results_["params"][best])


def _fit_steps(
    pipeline: Pipeline, X: np.ndarray, y: np.ndarray
) -> tuple[dict[int, int], float]:
    """Fit the pipeline's steps in order; returns the class counts the model saw."""
    start = time.perf_counter()
    Xt, yt = X, y
    for _, step in pipeline.steps[:-1]:
        if hasattr(step, "fit_resample"):
            Xt, yt = step.fit_resample(Xt, yt)
        else:
            Xt = step.fit_transform(Xt, yt)
    pipeline.steps[-1][1].fit(Xt, yt)
    elapsed = time.perf_counter() - start
    values, counts = np.unique(np.asarray(yt), return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}, elapsed


def _fitted_pipeline(estimator: Any) -> Pipeline:
    """The fitted pipeline inside (nested) decision wrappers: ``estimator_`` down."""
    current = estimator
    while not isinstance(current, Pipeline):
        inner = getattr(current, "estimator_", None)
        if inner is None:
            raise RuntimeError(
                f"{type(current).__name__} keeps no fitted `estimator_`; the bench "
                "cannot read the class counts its model was fitted on"
            )
        current = inner
    return current


def _fit_wrapped(
    estimator: Any, X: np.ndarray, y: np.ndarray
) -> tuple[dict[int, int], float]:
    """Fit a decision strategy's wrapper; the counts its final model was fitted on."""
    start = time.perf_counter()
    estimator.fit(X, y)
    elapsed = time.perf_counter() - start
    counter = _fitted_pipeline(estimator).named_steps["count"]
    return dict(counter.counts_), elapsed


def _decide(
    estimator: Any,
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    minority: int,
) -> tuple[dict[int, int], float, np.ndarray, np.ndarray, np.ndarray]:
    """Fit a decision wrapper on the training part and predict the test part:
    the counts its model saw, the fit time, the test labels, probabilities and
    their classes.

    On binary data every ``TunedDecision`` of the chain decides for the minority
    (``pos_label=minority``), whatever its code.
    """
    from balancekit.decisions import TunedDecision

    X_train, y_train, X_test, _ = split
    if np.unique(y_train).size == 2:
        current = estimator
        while current is not None:
            if isinstance(current, TunedDecision):
                current.set_params(pos_label=minority)
            current = getattr(current, "estimator", None)
    counts, elapsed = _fit_wrapped(estimator, X_train, y_train)
    pred = np.asarray(estimator.predict(X_test))
    proba = np.asarray(estimator.predict_proba(X_test), dtype=np.float64)
    return counts, elapsed, pred, proba, np.asarray(estimator.classes_)


def run_once(
    model: Model,
    strategy: Strategy,
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    seed: int,
    minority: int,
    tune: str | None = None,
    n_iter: int = 8,
    cv: int = 3,
    impute: str | None = None,
) -> RunOutcome:
    """Tune (optionally) on the training part, refit there, score on the test part.

    A decision strategy is tuned on its base's pipeline and search space (scored by
    PR-AUC, which a binary prior correction or temperature does not change), then
    the chosen parameters are set inside its wrapper, which is fitted on the whole
    training part; ``fit_time_s`` includes the wrapper's own cross-validation. On
    binary data its decision is for the minority class (see :func:`_decide`).

    Exceptions propagate: the caller records them as a failed run.
    """
    X_train, y_train, X_test, y_test = split
    base, decisions = decision_chain(strategy)
    pipeline = _training_pipeline(model, base, seed, impute)
    outcome = RunOutcome()
    if tune is not None:
        start = time.perf_counter()
        outcome.params = tune_parameters(
            pipeline,
            base,
            X_train,
            y_train,
            tune=tune,
            n_iter=n_iter,
            cv=cv,
            seed=seed,
            minority=minority,
        )
        outcome.tune_time_s = time.perf_counter() - start
        pipeline.set_params(**outcome.params)
    pred = None
    if decisions:
        (outcome.resampled_counts, outcome.fit_time_s, pred, proba, classes) = _decide(
            _wrap(pipeline, strategy, seed), split, minority
        )
    else:
        outcome.resampled_counts, outcome.fit_time_s = _fit_steps(
            pipeline, X_train, y_train
        )
        proba = np.asarray(pipeline.predict_proba(X_test), dtype=np.float64)
        classes = np.asarray(pipeline.classes_)
    if proba.shape[1] != classes.size or not np.isfinite(proba).all():
        raise RuntimeError(
            "the model returned invalid probabilities (non-finite or wrong shape)"
        )
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    full = np.zeros((proba.shape[0], n_classes))
    full[:, classes.astype(np.int64)] = proba  # a class the sampler removed gets 0
    outcome.scores = score_run(y_test, full, minority, pred=pred)
    outcome.test_scores = full[:, minority]
    return outcome
