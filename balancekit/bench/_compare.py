"""``compare``: every (model, strategy) pair on one data set, repeated over seeds."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from balancekit._validation import check_int, check_scalar
from balancekit.bench._models import Model, missing_requirement, resolve_models
from balancekit.bench._protocol import TUNE_MODES, run_once
from balancekit.bench._scores import METRICS
from balancekit.bench._strategies import Strategy, resolve_strategies

__all__ = ["COLUMNS", "Comparison", "compare", "protocol_text", "run_comparison"]

#: Columns of the tidy table, one row per (data set, model, strategy, seed).
COLUMNS = (
    "dataset",
    "model",
    "strategy",
    "kind",
    "seed",
    "status",
    "reason",
    *METRICS,
    "fit_time_s",
    "tune_time_s",
    "n_train",
    "n_test",
    "train_counts",
    "resampled_counts",
    "params",
)


@dataclass
class Comparison:
    """Runs of one or more :func:`run_comparison` calls, with what the report needs.

    ``records`` is the tidy table as dicts; ``curves`` maps (dataset, model, strategy)
    to the first seed's test labels and minority-class scores (binary data only);
    ``notes`` lists models that were skipped.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict
    )
    notes: list[str] = field(default_factory=list)
    protocol: dict[str, Any] = field(default_factory=dict)

    def extend(self, other: Comparison) -> None:
        self.records.extend(other.records)
        self.curves.update(other.curves)
        self.notes.extend(n for n in other.notes if n not in self.notes)
        self.protocol = self.protocol or other.protocol

    def table(self) -> Any:
        """The tidy table: a pandas DataFrame when pandas is installed, else records."""
        return as_table(self.records, self.protocol)


def as_table(records: list[dict[str, Any]], protocol: dict[str, Any]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        return records
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame.attrs["protocol"] = protocol
    return frame


def protocol_text(protocol: dict[str, Any]) -> str:
    """The protocol in words, as the report states it.

    Examples
    --------
    >>> print(protocol_text({"test_size": 0.25, "seeds": [0, 1], "tune": None,
    ...                      "cv": 3, "n_iter": 8}))  # doctest: +ELLIPSIS
    Each seed draws a stratified 25% test split that no choice ever sees; ...
    """
    seeds = protocol["seeds"]
    lines = [
        f"Each seed draws a stratified {protocol['test_size']:.0%} test split that no "
        "choice ever sees; the scaler, the sampler and the model are fitted on the "
        "training part only (imblearn Pipeline: samplers resample at fit time, never "
        "validation or test rows), and the test part is scored once.",
    ]
    if protocol["tune"] is None:
        lines.append("No tuning: every strategy runs with its default parameters.")
    else:
        lines.append(
            f"Tuning: {protocol['tune']} search (at most {protocol['n_iter']} "
            f"candidates) over each strategy's declared space, by stratified "
            f"{protocol['cv']}-fold cross-validation on the training part, scored by "
            "PR-AUC; the best candidate is refitted on the whole training part."
        )
    lines.append(
        f"Figures are the mean and standard deviation over {len(seeds)} seeds "
        f"({', '.join(map(str, seeds))}); a seed sets the split, the sampler and the "
        "model. Class counts are those the model was fitted on (after resampling)."
    )
    return " ".join(lines)


def _check_inputs(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise ValueError(
            f"`X` must be a 2-D numeric array; got shape {X.shape} and dtype "
            f"{X.dtype}. Encode text columns first (or use balancekit.bench."
            "load_file)."
        )
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise ValueError(
            "`X` has NaN or infinite values; impute or drop them first "
            "(`balancekit inspect` lists where they are)."
        )
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"`y` must be 1-D with one label per row of `X` ({X.shape[0]}); got "
            f"shape {y.shape}."
        )
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if classes.size < 2:
        raise ValueError(f"`y` must have at least 2 classes; got {classes.tolist()}.")
    if counts.min() < 2:
        raise ValueError(
            f"every class needs at least 2 rows for a stratified split; class "
            f"{classes[np.argmin(counts)]!r} has {counts.min()}."
        )
    return X, codes.astype(np.int64), [str(c) for c in classes]


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    if isinstance(seeds, bool):
        raise TypeError(f"`seeds` must be an int or a list of ints; got {seeds!r}.")
    if isinstance(seeds, (int, np.integer)):
        return list(range(check_int(seeds, "seeds")))
    values = [int(s) for s in seeds]
    if not values or len(set(values)) != len(values):
        raise ValueError(f"`seeds` must be distinct ints; got {seeds!r}.")
    return values


def _progress(total: int, enabled: bool | None, label: str) -> Any:
    if enabled is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    disable = None if enabled is None else False  # None: only on a terminal
    return tqdm(total=total, desc=label, unit="run", file=sys.stderr, disable=disable)


def _counts_json(counts: dict[int, int], names: list[str]) -> str:
    return json.dumps({names[c]: n for c, n in sorted(counts.items())})


def run_comparison(
    X: Any,
    y: Any,
    *,
    strategies: Iterable[str | Strategy] | None = None,
    models: Iterable[str | Model] | None = None,
    dataset: str = "data",
    seeds: int | Sequence[int] = 3,
    test_size: float = 0.25,
    tune: str | None = None,
    n_iter: int = 8,
    cv: int = 3,
    progress: bool | None = False,
    on_run: Callable[[dict[str, Any]], None] | None = None,
) -> Comparison:
    """:func:`compare`, returning the records with the curves and notes."""
    X, y, names = _check_inputs(X, y)
    strategy_list = resolve_strategies(strategies)
    model_list = resolve_models(models)
    seed_list = _seeds(seeds)
    if tune not in TUNE_MODES:
        raise ValueError(f"`tune` must be one of {TUNE_MODES}; got {tune!r}.")
    test_size = check_scalar(
        test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
    )
    n_iter = check_int(n_iter, "n_iter")
    cv = check_int(cv, "cv", low=2)
    result = Comparison()
    result.protocol = {
        "test_size": float(test_size),
        "seeds": seed_list,
        "tune": tune,
        "n_iter": n_iter,
        "cv": cv,
    }
    runnable = []
    for model in model_list:
        reason = missing_requirement(model)
        if reason is None:
            runnable.append(model)
        else:
            result.notes.append(reason)
    pairs = [
        (m, s) for m in runnable for s in strategy_list if s.applies_to(m.framework)
    ]
    minority = int(np.argmin(np.bincount(y)))
    bar = _progress(len(pairs) * len(seed_list), progress, dataset)
    for seed in seed_list:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed
        )
        split = (X_train, y_train, X_test, y_test)
        for model, strategy in pairs:
            record = _run_record(
                model,
                strategy,
                split,
                seed,
                minority,
                names,
                dataset,
                tune,
                n_iter,
                cv,
                result,
            )
            result.records.append(record)
            if on_run is not None:
                on_run(record)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return result


def _run_record(
    model: Model,
    strategy: Strategy,
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    seed: int,
    minority: int,
    names: list[str],
    dataset: str,
    tune: str | None,
    n_iter: int,
    cv: int,
    result: Comparison,
) -> dict[str, Any]:
    _, y_train, _, y_test = split
    record: dict[str, Any] = dict.fromkeys(COLUMNS)
    train_counts = dict(enumerate(np.bincount(y_train, minlength=len(names)).tolist()))
    record.update(
        dataset=dataset,
        model=model.name,
        strategy=strategy.name,
        kind=strategy.kind,
        seed=seed,
        n_train=int(y_train.size),
        n_test=int(y_test.size),
        train_counts=_counts_json(train_counts, names),
    )
    try:
        outcome = run_once(
            model,
            strategy,
            split,
            seed=seed,
            minority=minority,
            tune=tune,
            n_iter=n_iter,
            cv=cv,
        )
    except Exception as error:  # a failing strategy is a result, not a crash
        text = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {text[0] if text else ''}"
        record.update(status="failed", reason=reason)
        for metric in METRICS:
            record[metric] = float("nan")
        return record
    record.update(
        status="ok",
        reason="",
        fit_time_s=outcome.fit_time_s,
        tune_time_s=outcome.tune_time_s,
        resampled_counts=_counts_json(outcome.resampled_counts, names),
        params=json.dumps(outcome.params, default=str, sort_keys=True),
        **outcome.scores,
    )
    key = (dataset, model.name, strategy.name)
    if len(names) == 2 and key not in result.curves and outcome.test_scores is not None:
        result.curves[key] = (
            (y_test == minority).astype(np.int64),
            outcome.test_scores,
        )
    return record


def compare(
    X: Any,
    y: Any,
    *,
    strategies: Iterable[str | Strategy] | None = None,
    models: Iterable[str | Model] | None = None,
    dataset: str = "data",
    seeds: int | Sequence[int] = 3,
    test_size: float = 0.25,
    tune: str | None = None,
    n_iter: int = 8,
    cv: int = 3,
    progress: bool | None = False,
) -> Any:
    """Compare imbalance strategies on ``(X, y)`` with an honest protocol.

    For each seed: a stratified test split is held out; for each model and each
    strategy that applies to it, the pipeline ``scaler -> sampler -> model`` (or the
    model with class weights, or a neural model's loss, sampler or augmentation) is
    optionally tuned by stratified K-fold cross-validation on the training part,
    refitted there, and scored once on the test part. A strategy that fails (for
    instance ``k_neighbors`` larger than a class) is a row with ``status="failed"``
    and its reason; the run goes on.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features without NaN.
    y : array-like of shape (n_samples,)
        Labels (any type); the smallest class is the "minority" of the minority
        recall and precision, and the positive class of PR-AUC with two classes.
    strategies : list of str or Strategy, default=None
        Names from :func:`default_strategies` or your own :class:`Strategy`; None for
        all of them.
    models : list of str or Model, default=None
        Names from :func:`default_models` or your own :class:`Model`; None for
        logistic regression and histogram gradient boosting.
    dataset : str, default="data"
        The data set's name in the table.
    seeds : int or list of int, default=3
        ``n`` means seeds ``0 .. n-1``; each draws its own split.
    test_size : float, default=0.25
        Share of rows held out for testing.
    tune : {None, "random", "grid"}, default=None
        Search each strategy's declared space by stratified ``cv``-fold
        cross-validation on the training part, scored by PR-AUC.
    n_iter : int, default=8
        Candidates of the random search.
    cv : int, default=3
        Folds of the search.
    progress : bool or None, default=False
        Show a progress bar (tqdm) on stderr; None shows it on a terminal only.

    Returns
    -------
    pandas.DataFrame or list of dict
        The tidy table, one row per (model, strategy, seed) with the columns of
        :data:`COLUMNS`; a DataFrame (``.attrs["protocol"]`` holds the protocol) when
        pandas is installed, else a list of dicts.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> table = compare(X, y, strategies=["none", "SMOTE"],
    ...                 models=["logistic_regression"], seeds=2)
    >>> table[["strategy", "seed", "status"]].values.tolist()
    [['none', 0, 'ok'], ['SMOTE', 0, 'ok'], ['none', 1, 'ok'], ['SMOTE', 1, 'ok']]
    >>> table.loc[1, "resampled_counts"]
    '{"0": 202, "1": 202}'
    """
    return run_comparison(
        X,
        y,
        strategies=strategies,
        models=models,
        dataset=dataset,
        seeds=seeds,
        test_size=test_size,
        tune=tune,
        n_iter=n_iter,
        cv=cv,
        progress=progress,
    ).table()
