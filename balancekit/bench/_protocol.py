"""One run of the protocol: tune on the training part, refit, score on the test part.

The pipeline is ``[imputer] -> [scaler] -> [sampler] -> model`` in
``imblearn.pipeline.Pipeline``: the imputer and the scaler are fitted on training rows
only, and samplers run when the pipeline is fitted, never when it predicts, so
validation and test rows are never resampled. Tuning is a cross-validated search on
the training part only; the test part is used once, by the refitted pipeline.
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
from balancekit.bench._strategies import Strategy

__all__ = ["IMPUTE_MODES", "TUNE_MODES", "RunOutcome", "build_pipeline", "run_once"]

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


def build_pipeline(
    model: Model, strategy: Strategy, seed: int, impute: str | None = None
) -> Pipeline:
    """``[imputer] -> [scaler] -> [sampler] -> model`` for one strategy, seeded with
    ``seed``. The imputer (``SimpleImputer(strategy=impute)``) is a pipeline step, so
    it is fitted on the training rows (or training folds) only.

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
    """
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

    Exceptions propagate: the caller records them as a failed run.
    """
    X_train, y_train, X_test, y_test = split
    pipeline = build_pipeline(model, strategy, seed, impute)
    outcome = RunOutcome()
    if tune is not None:
        start = time.perf_counter()
        outcome.params = tune_parameters(
            pipeline,
            strategy,
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
    outcome.scores = score_run(y_test, full, minority)
    outcome.test_scores = full[:, minority]
    return outcome
