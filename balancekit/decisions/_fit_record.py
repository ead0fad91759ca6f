"""Which class prior a model was really trained under: recorded at its ``fit``.

A pipeline's sampler changes the rows the model sees, ``sample_weight`` routed to the
model and the model's own class weights change how much each row counts. The
training prior is the share of the total weight each class holds *where the model is
fitted*, so :func:`fit_recording_counts` wraps the last step of the pipeline (or the
estimator itself) for the duration of one ``fit``, records the labels and the sample
weights it receives, and puts the fitted model back: the pipeline returned is the
ordinary fitted pipeline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.class_weight import compute_class_weight

__all__ = ["FittedCounts", "check_readable", "fit_recording_counts"]


class _FitRecorder(BaseEstimator):
    """Stands in for the final step during one fit: records ``y`` and weights."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> Any:
        self.y_seen_ = np.asarray(y).reshape(-1)
        self.weights_seen_ = (
            None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        )
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        self.estimator.fit(X, y, **fit_params)
        return self


class FittedCounts:
    """The labels and weights the final model was fitted on, and their class totals."""

    def __init__(self, y_seen: np.ndarray, weights: np.ndarray | None) -> None:
        self.y_seen = y_seen
        self.weights = weights

    def effective_counts(self, model: Any, classes: np.ndarray) -> np.ndarray:
        """Per class (in ``classes`` order): the total weight of its fitted rows,
        ``sample_weight`` times the model's class weight.

        The class weight is the fitted ``class_weight_`` attribute (an array aligned
        with ``model.classes_``, as :class:`sklearn.svm.SVC`) when the model has one,
        else its ``class_weight`` parameter (None, a dict or ``"balanced"``, resolved
        as scikit-learn does: from the unweighted labels it was fitted on).
        """
        rows = np.ones(self.y_seen.shape[0]) if self.weights is None else self.weights
        if rows.shape != self.y_seen.shape:
            raise ValueError(
                "The `sample_weight` given to the model has "
                f"{rows.shape[0]} values for {self.y_seen.shape[0]} rows."
            )
        per_class = _class_weights(model, classes, self.y_seen)
        position = np.searchsorted(classes, self.y_seen)
        position = np.clip(position, 0, classes.size - 1)
        known = classes[position] == self.y_seen
        totals = np.bincount(
            position[known], weights=rows[known], minlength=classes.size
        )
        return totals * per_class


def check_readable(model: Any) -> None:
    """Refuse a final model that changes the prior inside its own ``fit``, where the
    recorder cannot see: a search (its best pipeline may resample) or a balanced
    ensemble (a ``sampling_strategy`` of its own)."""
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    if hasattr(model, "best_estimator_") or "sampling_strategy" in params:
        raise ValueError(
            f"The final model, {type(model).__name__}, may resample inside its own "
            "fit (a search over a pipeline, or a balanced ensemble), so the prior it "
            "was trained under cannot be read from the rows it receives. Pass "
            "`train_prior`, or put PriorCorrected inside the search."
        )


def _class_weights(model: Any, classes: np.ndarray, y_seen: np.ndarray) -> np.ndarray:
    """The model's weight of each class (1 without class weights)."""
    fitted = getattr(model, "class_weight_", None)
    if fitted is not None:
        values = np.asarray(fitted, dtype=float).reshape(-1)
        if values.shape != classes.shape:
            raise ValueError(
                f"The model's `class_weight_` has {values.size} values for "
                f"{classes.size} classes; it must be aligned with `classes_`."
            )
        return values
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    class_weight = params.get("class_weight")
    if class_weight is None:
        return np.ones(classes.size)
    if isinstance(class_weight, str) and class_weight.startswith("balanced"):
        present = np.isin(classes, y_seen)
        weights = np.ones(classes.size)
        weights[present] = compute_class_weight(
            "balanced", classes=classes[present], y=y_seen
        )
        return weights
    if isinstance(class_weight, dict):
        return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    raise TypeError(
        "The model's `class_weight` must be None, 'balanced' or a dict to read the "
        f"training prior from it; got {class_weight!r}. Pass `train_prior` instead."
    )


def _final_step(estimator: Any) -> tuple[Any, int | None]:
    """The model at the end of a (nested) pipeline, and its step index."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        return steps[-1][1], len(steps) - 1
    return estimator, None


def fit_recording_counts(
    estimator: Any, X: Any, y: Any, fit_params: dict[str, Any]
) -> tuple[Any, Any, FittedCounts]:
    """Fit ``estimator`` (already a clone) and record what its final model saw.

    Returns the fitted estimator, its final model and the :class:`FittedCounts`.
    Pipelines nested as the last step are followed to their own last step.
    """
    chain = [estimator]
    model, index = _final_step(estimator)
    while index is not None and getattr(model, "steps", None):
        chain.append(model)
        model, index = _final_step(model)
    recorder = _FitRecorder(model)
    owner = chain[-1]
    if owner is model:  # not a pipeline: the recorder fits the estimator itself
        recorder.fit(X, y, **fit_params)
        fitted = model
    else:
        name = owner.steps[-1][0]
        owner.steps[-1] = (name, recorder)
        try:
            estimator.fit(X, y, **fit_params)
        finally:
            owner.steps[-1] = (name, model)
        fitted = estimator
    if not hasattr(recorder, "y_seen_"):
        raise RuntimeError(
            f"{type(estimator).__name__}.fit did not fit its final step; cannot read "
            "the training prior. Pass `train_prior`."
        )
    return fitted, model, FittedCounts(recorder.y_seen_, recorder.weights_seen_)
