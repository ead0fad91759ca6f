"""``compare``: every (model, strategy) pair on one data set, repeated over seeds.

:func:`run_comparisons` checks the inputs, lays out the tasks (data set x seed x
model x strategy) and hands them to worker processes (``_worker``); the records
gather in a :class:`~balancekit.bench._comparison.Comparison`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from balancekit._output import terminal_text
from balancekit._params import check_choice, check_int, check_scalar
from balancekit.bench._comparison import (
    COLUMNS,
    Comparison,
    RunKey,
    protocol_text,
    run_key,
)
from balancekit.bench._models import (
    Model,
    default_models,
    missing_requirement,
    resolve_models,
)
from balancekit.bench._protocol import IMPUTE_MODES, TUNE_MODES
from balancekit.bench._runner import run_tasks
from balancekit.bench._strategies import (
    Strategy,
    default_strategies,
    resolve_strategies,
)
from balancekit.bench._worker import clear_state, crossing, do_task, init_state

__all__ = [
    "COLUMNS",
    "Comparison",
    "compare",
    "protocol_text",
    "run_comparison",
    "run_comparisons",
    "run_key",
]


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


Prepared = tuple[str, np.ndarray, np.ndarray, list[str], int]


def _prepare(datasets: Sequence[tuple[str, Any, Any]], impute: str | None) -> list:
    """``[(name, X, codes, class names, minority code)]``, checked, names unique."""
    prepared: list[Prepared] = []
    for name, X, y in datasets:
        X, codes, names = _check_inputs(X, y, impute)
        minority = int(np.argmin(np.bincount(codes)))
        prepared.append((str(name), X, codes, names, minority))
    if len({p[0] for p in prepared}) != len(prepared):
        raise ValueError(
            f"data set names must be unique; got {[p[0] for p in prepared]}."
        )
    return prepared


def _runnable(model_list: list[Model], notes: list[str]) -> list[Model]:
    """The models whose requirements are installed; a note for each other one."""
    runnable = []
    for model in model_list:
        reason = missing_requirement(model)
        if reason is None:
            runnable.append(model)
        elif reason not in notes:
            notes.append(reason)
    return runnable


class _Collector:
    """Takes each finished run from the workers into ``result``, as it comes."""

    def __init__(
        self,
        result: Comparison,
        on_run: Callable[[dict[str, Any]], None] | None,
        bar: Any,
    ) -> None:
        self.result = result
        self.on_run = on_run
        self.bar = bar
        # warning message -> strategies that raised it, so each is noted once
        self.warned: dict[str, list[str]] = {}

    def __call__(self, output: tuple[Any, ...]) -> None:
        _, record, curve, messages = output
        for message in messages:
            where = self.warned.setdefault(message, [])
            if record["strategy"] not in where:
                where.append(record["strategy"])
        self.result.records.append(record)
        if curve is not None:
            self.result.curves[run_key(record)] = curve
        if self.on_run is not None:
            self.on_run(record)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        """Close the progress bar and note the warnings (also after an interrupt)."""
        if self.bar is not None:
            self.bar.close()
        for message, where in self.warned.items():
            shown = ", ".join(where[:4]) + (" and others" if len(where) > 4 else "")
            note = f"warning from {shown}: {message}"
            if note not in self.result.notes:
                self.result.notes.append(note)


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
    check_choice(tune, "tune", TUNE_MODES)
    check_choice(impute, "impute", IMPUTE_MODES)
    settings = {
        "test_size": check_scalar(
            test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
        ),
        "tune": tune,
        "n_iter": check_int(n_iter, "n_iter"),
        "cv": check_int(cv, "cv", low=2),
        "impute": impute,
    }
    n_jobs = check_int(n_jobs, "n_jobs")
    prepared = _prepare(datasets, impute)
    result = Comparison() if result is None else result
    result.protocol = result.protocol or {
        "test_size": float(settings["test_size"]),
        "seeds": seed_list,
        "tune": tune,
        "n_iter": settings["n_iter"],
        "cv": settings["cv"],
        "impute": impute,
    }
    runnable = _runnable(model_list, result.notes)
    pairs = [
        (model_list.index(m), strategy_list.index(s))
        for m in runnable
        for s in strategy_list
        if s.applies_to(m.framework)
    ]
    # Every run gets its place in the single-process order, done or not, so the
    # table can be sorted back into it whatever order the workers finish in.
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
    # Defaults travel by name (workers rebuild them); the user's own must pickle.
    model_specs = crossing(
        model_list, {m.name: m for m in default_models()}, "models", n_jobs
    )
    strategy_specs = crossing(
        strategy_list, {s.name: s for s in default_strategies()}, "strategies", n_jobs
    )
    label = prepared[0][0] if len(prepared) == 1 else "bench"
    collect = _Collector(result, on_run, _progress(len(tasks), progress, label))
    try:
        run_tasks(
            do_task,
            tasks,
            initializer=init_state,
            initargs=(prepared, model_specs, strategy_specs, settings),
            n_jobs=n_jobs,
            on_result=collect,
            modules=tuple(
                dict.fromkeys(m.framework for m in runnable if m.framework == "torch")
            ),
        )
    finally:
        clear_state()
        collect.close()
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
    >>> from balancekit.bench import compare
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
