"""``compare``: every (model, strategy) pair on one data set, repeated over seeds."""

from __future__ import annotations

import json
import pickle
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from balancekit._output import terminal_text
from balancekit._validation import check_int, check_scalar
from balancekit.bench._models import (
    Model,
    default_models,
    missing_requirement,
    resolve_models,
)
from balancekit.bench._protocol import IMPUTE_MODES, TUNE_MODES, run_once
from balancekit.bench._runner import run_tasks
from balancekit.bench._scores import METRICS
from balancekit.bench._strategies import (
    Strategy,
    default_strategies,
    resolve_strategies,
)

__all__ = [
    "COLUMNS",
    "Comparison",
    "compare",
    "protocol_text",
    "run_comparison",
    "run_comparisons",
    "run_key",
]

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

    ``records`` is the tidy table as dicts; ``curves`` maps (dataset, model, strategy,
    seed) to that run's test labels (1 for the minority class) and minority-class
    scores (binary data only); ``notes`` lists models that were skipped.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[tuple[str, str, str, int], tuple[np.ndarray, np.ndarray]] = field(
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
    impute = protocol.get("impute")
    fitted = "the scaler, the sampler and the model are"
    if impute is not None:
        fitted = (
            f"the imputer (SimpleImputer, {impute} of each column), the scaler, the "
            "sampler and the model are"
        )
    lines = [
        f"Each seed draws a stratified {protocol['test_size']:.0%} test split that no "
        f"choice ever sees; {fitted} fitted on the "
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


def _check_inputs(
    X: Any, y: Any, impute: str | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise ValueError(
            f"`X` must be a 2-D numeric array; got shape {X.shape} and dtype "
            f"{X.dtype}. Encode text columns first (or use balancekit.bench."
            "load_file)."
        )
    X = X.astype(np.float64)
    if np.isinf(X).any():
        raise ValueError(
            "`X` has infinite values; replace or drop them first (`balancekit "
            "inspect` lists where they are)."
        )
    if impute is None and np.isnan(X).any():
        raise ValueError(
            "`X` has NaN (missing) values; pass impute='median' or "
            "impute='most_frequent' (`--impute` on the command line) to impute them "
            "inside the pipeline, fitted on the training rows only. Imputing the "
            "whole data first would leak test rows into the training statistics "
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
    if enabled is False or total == 0:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    disable = None if enabled is None else False  # None: only on a terminal
    return tqdm(
        total=total,
        desc=terminal_text(label),
        unit="run",
        file=sys.stderr,
        disable=disable,
        dynamic_ncols=True,
    )


def _counts_json(counts: dict[int, int], names: list[str]) -> str:
    return json.dumps({names[c]: n for c, n in sorted(counts.items())})


#: (dataset, model, strategy, seed): what identifies one run.
RunKey = tuple[str, str, str, int]


def run_key(record: dict[str, Any]) -> RunKey:
    """The (dataset, model, strategy, seed) of a record of the tidy table.

    Examples
    --------
    >>> run_key({"dataset": "d", "model": "m", "strategy": "s", "seed": "2"})
    ('d', 'm', 's', 2)
    """
    return (
        str(record["dataset"]),
        str(record["model"]),
        str(record["strategy"]),
        int(record["seed"]),
    )


def _crossing(items: list[Any], known: dict[str, Any], what: str, n_jobs: int) -> list:
    """What to send to a worker for each model/strategy: its name when it is a
    default one (workers rebuild it), else the object, which must pickle."""
    specs: list[Any] = []
    for item in items:
        if known.get(item.name) == item:
            specs.append(item.name)
            continue
        if n_jobs > 1:
            try:
                pickle.dumps(item)
            except Exception as error:
                if _same_but_callables(item, known.get(item.name)):
                    specs.append(item.name)
                    continue
                raise ValueError(
                    f"`{what}` {item.name!r} cannot be sent to worker processes (it "
                    f"does not pickle: {str(error).splitlines()[0]}); build it from "
                    "module-level functions (no lambda or closure), or use n_jobs=1."
                ) from None
        specs.append(item)
    return specs


def _same_but_callables(item: Any, default: Any) -> bool:
    if default is None or type(item) is not type(default):
        return False
    for name in item.__dataclass_fields__:
        mine, theirs = getattr(item, name), getattr(default, name)
        if callable(mine) and callable(theirs):
            continue
        if mine != theirs:
            return False
    return True


#: What a worker holds: the data sets, the models and strategies, the settings.
_STATE: dict[str, Any] = {}


def _init_state(
    datasets: list[tuple[str, np.ndarray, np.ndarray, list[str], int]],
    model_specs: list[Any],
    strategy_specs: list[Any],
    settings: dict[str, Any],
) -> None:
    _STATE.clear()
    _STATE.update(
        datasets=datasets,
        models=resolve_models(model_specs),
        strategies=resolve_strategies(strategy_specs),
        settings=settings,
        split=None,
    )


def _do_task(task: tuple[int, int, int, int]) -> tuple[Any, ...]:
    """One run in a worker: (task, record, curve or None, warning lines).

    Warnings are caught and returned (the parent reports each once), so workers
    never print to the terminal."""
    d, seed, m, s = task
    name, X, y, names, minority = _STATE["datasets"][d]
    settings = _STATE["settings"]
    cached = _STATE["split"]
    if cached is None or cached[0] != (d, seed):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=settings["test_size"], stratify=y, random_state=seed
        )
        cached = ((d, seed), (X_train, y_train, X_test, y_test))
        _STATE["split"] = cached
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record, curve = _run_record(
            _STATE["models"][m],
            _STATE["strategies"][s],
            cached[1],
            seed,
            minority,
            names,
            name,
            settings["tune"],
            settings["n_iter"],
            settings["cv"],
            settings["impute"],
        )
    lines = [str(w.message).strip().splitlines() for w in caught]
    messages = sorted(
        {
            f"{w.category.__name__}: {text[0].rstrip('.')}"
            for w, text in zip(caught, lines, strict=True)
            if text
        }
    )
    return task, record, curve, messages


def run_comparisons(
    datasets: Sequence[tuple[str, Any, Any]],
    *,
    strategies: Iterable[str | Strategy] | None = None,
    models: Iterable[str | Model] | None = None,
    seeds: int | Sequence[int] = 3,
    test_size: float = 0.25,
    tune: str | None = None,
    n_iter: int = 8,
    cv: int = 3,
    progress: bool | None = False,
    on_run: Callable[[dict[str, Any]], None] | None = None,
    n_jobs: int = 1,
    done: Iterable[dict[str, Any]] = (),
    result: Comparison | None = None,
    impute: str | None = None,
) -> Comparison:
    """Every run of :func:`compare` on several ``(name, X, y)`` data sets, in
    ``n_jobs`` worker processes (one thread per fit).

    ``done`` holds records of an earlier, interrupted run: their runs are skipped and
    they join the result. Records fill ``result`` (when given) as runs finish, so an
    interrupt keeps them; in the end (also on an interrupt) they are sorted as a
    single process would have produced them, so the table does not depend on
    ``n_jobs``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(200, weights=[0.9], random_state=0)
    >>> result = run_comparisons([("a", X, y)], strategies=["none"],
    ...                          models=["logistic_regression"], seeds=2)
    >>> [(r["dataset"], r["seed"], r["status"]) for r in result.records]
    [('a', 0, 'ok'), ('a', 1, 'ok')]
    """
    strategy_list = resolve_strategies(strategies)
    model_list = resolve_models(models)
    seed_list = _seeds(seeds)
    if tune not in TUNE_MODES:
        raise ValueError(f"`tune` must be one of {TUNE_MODES}; got {tune!r}.")
    if impute not in IMPUTE_MODES:
        raise ValueError(f"`impute` must be one of {IMPUTE_MODES}; got {impute!r}.")
    test_size = check_scalar(
        test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
    )
    n_iter = check_int(n_iter, "n_iter")
    cv = check_int(cv, "cv", low=2)
    n_jobs = check_int(n_jobs, "n_jobs")
    prepared = []
    for name, X, y in datasets:
        X, codes, names = _check_inputs(X, y, impute)
        minority = int(np.argmin(np.bincount(codes)))
        prepared.append((str(name), X, codes, names, minority))
    if len({p[0] for p in prepared}) != len(prepared):
        raise ValueError(
            f"data set names must be unique; got {[p[0] for p in prepared]}."
        )
    result = Comparison() if result is None else result
    result.protocol = result.protocol or {
        "test_size": float(test_size),
        "seeds": seed_list,
        "tune": tune,
        "n_iter": n_iter,
        "cv": cv,
        "impute": impute,
    }
    runnable = []
    for model in model_list:
        reason = missing_requirement(model)
        if reason is None:
            runnable.append(model)
        elif reason not in result.notes:
            result.notes.append(reason)
    pairs = [
        (model_list.index(m), strategy_list.index(s))
        for m in runnable
        for s in strategy_list
        if s.applies_to(m.framework)
    ]
    order: dict[RunKey, int] = {}
    tasks = []
    finished = {run_key(r): r for r in done}
    for d, dataset in enumerate(prepared):
        for seed in seed_list:
            for m, s in pairs:
                key = (dataset[0], model_list[m].name, strategy_list[s].name, seed)
                order[key] = len(order)
                if key in finished:
                    result.records.append(finished[key])
                else:
                    tasks.append((d, seed, m, s))

    warned: dict[str, list[str]] = {}

    def collect(output: tuple[Any, ...]) -> None:
        _, record, curve, messages = output
        for message in messages:
            where = warned.setdefault(message, [])
            if record["strategy"] not in where:
                where.append(record["strategy"])
        result.records.append(record)
        if curve is not None:
            result.curves[run_key(record)] = curve
        if on_run is not None:
            on_run(record)
        if bar is not None:
            bar.update(1)

    settings = {
        "test_size": test_size,
        "tune": tune,
        "n_iter": n_iter,
        "cv": cv,
        "impute": impute,
    }
    model_specs = _crossing(
        model_list, {m.name: m for m in default_models()}, "models", n_jobs
    )
    strategy_specs = _crossing(
        strategy_list, {s.name: s for s in default_strategies()}, "strategies", n_jobs
    )
    label = prepared[0][0] if len(prepared) == 1 else "bench"
    bar = _progress(len(tasks), progress, label)
    try:
        run_tasks(
            _do_task,
            tasks,
            initializer=_init_state,
            initargs=(prepared, model_specs, strategy_specs, settings),
            n_jobs=n_jobs,
            on_result=collect,
            modules=tuple(
                dict.fromkeys(m.framework for m in runnable if m.framework == "torch")
            ),
        )
    finally:
        _STATE.clear()
        if bar is not None:
            bar.close()
        for message, where in warned.items():
            shown = ", ".join(where[:4]) + (" and others" if len(where) > 4 else "")
            note = f"warning from {shown}: {message}"
            if note not in result.notes:
                result.notes.append(note)
        result.records.sort(key=lambda r: order.get(run_key(r), len(order)))
    return result


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
    n_jobs: int = 1,
    impute: str | None = None,
) -> Comparison:
    """:func:`compare`, returning the records with the curves and notes."""
    return run_comparisons(
        [(dataset, X, y)],
        strategies=strategies,
        models=models,
        seeds=seeds,
        test_size=test_size,
        tune=tune,
        n_iter=n_iter,
        cv=cv,
        progress=progress,
        on_run=on_run,
        n_jobs=n_jobs,
        impute=impute,
    )


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
    impute: str | None = None,
) -> tuple[dict[str, Any], tuple[np.ndarray, np.ndarray] | None]:
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
            impute=impute,
        )
    except Exception as error:  # a failing strategy is a result, not a crash
        text = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {text[0] if text else ''}"
        record.update(status="failed", reason=reason)
        for metric in METRICS:
            record[metric] = float("nan")
        return record, None
    record.update(
        status="ok",
        reason="",
        fit_time_s=outcome.fit_time_s,
        tune_time_s=outcome.tune_time_s,
        resampled_counts=_counts_json(outcome.resampled_counts, names),
        params=json.dumps(outcome.params, default=str, sort_keys=True),
        **outcome.scores,
    )
    curve = None
    if len(names) == 2 and outcome.test_scores is not None:
        curve = ((y_test == minority).astype(np.int64), outcome.test_scores)
    return record, curve


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
    n_jobs: int = 1,
    impute: str | None = None,
) -> Any:
    """Compare imbalance strategies on ``(X, y)`` with an honest protocol.

    For each seed: a stratified test split is held out; for each model and each
    strategy that applies to it, the pipeline ``[imputer] -> scaler -> sampler ->
    model`` (or the
    model with class weights, or a neural model's loss, sampler or augmentation) is
    optionally tuned by stratified K-fold cross-validation on the training part,
    refitted there, and scored once on the test part. A strategy that fails (for
    instance ``k_neighbors`` larger than a class) is a row with ``status="failed"``
    and its reason; the run goes on.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features, finite; NaN (missing) only with ``impute``.
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
    n_jobs : int, default=1
        Worker processes; every fit uses one thread. The table is the same whatever
        ``n_jobs``. Your own models and strategies must pickle to cross to workers
        (build them from module-level functions, no lambda). As with any
        multiprocessing, a script calling ``compare(..., n_jobs=2)`` needs the
        ``if __name__ == "__main__":`` guard.
    impute : {None, "median", "most_frequent"}, default=None
        Fill missing values (NaN) with ``sklearn.impute.SimpleImputer(strategy=
        impute)`` as the first pipeline step, so it is fitted on the training part
        (and on the training folds when tuning) only: the test rows never inform
        the filled values. None refuses NaN with a message naming this option.

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

    Missing values are imputed inside the pipeline:

    >>> X[::10, 0] = float("nan")
    >>> table = compare(X, y, strategies=["SMOTE"], models=["logistic_regression"],
    ...                 seeds=1, impute="median")
    >>> table["status"].tolist(), table.attrs["protocol"]["impute"]
    (['ok'], 'median')
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
        n_jobs=n_jobs,
        impute=impute,
    ).table()
