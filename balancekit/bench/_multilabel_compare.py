"""The multilabel bench: every strategy on multilabel data sets, over seeds.

Protocol, per seed: an iterative-stratified test split (every label gets its share
of positives in both parts) that no choice sees; a ``StandardScaler`` fitted on the
training part; the strategy's resampler applied to the scaled training part only;
the multilabel torch MLP fitted there and scored once on the test part at the 0.5
threshold. Runs go to worker processes as the single-label bench's do
(``_runner``), one thread each; records gather in a
:class:`~balancekit.bench._comparison.Comparison`.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from balancekit._params import check_int, check_scalar
from balancekit.bench._compare import _Collector, _progress, _seeds
from balancekit.bench._comparison import Comparison, RunKey, run_key
from balancekit.bench._multilabel_scores import (
    MULTILABEL_METRICS,
    minority_labels,
    score_multilabel,
)
from balancekit.bench._multilabel_split import iterative_train_test_split
from balancekit.bench._multilabel_strategies import (
    MultilabelStrategy,
    resolve_multilabel_strategies,
)
from balancekit.bench._runner import run_tasks

__all__ = [
    "MODEL_NAME",
    "MULTILABEL_COLUMNS",
    "compare_multilabel",
    "run_multilabel_comparisons",
]

#: The model of every multilabel run (the torch MLP with a sigmoid head).
MODEL_NAME = "torch_mlp"

#: Columns of the multilabel table, one row per (data set, strategy, seed).
MULTILABEL_COLUMNS = (
    "dataset",
    "model",
    "strategy",
    "kind",
    "seed",
    "status",
    "reason",
    *MULTILABEL_METRICS,
    "fit_time_s",
    "n_train",
    "n_test",
    "n_fitted",
    "mean_ir_train",
    "mean_ir_fitted",
    "minority_labels",
)


def _mean_ir(Y: np.ndarray) -> float:
    counts = Y.sum(axis=0).astype(np.float64)
    counts = counts[counts > 0]
    return float(np.mean(counts.max() / counts)) if counts.size else float("nan")


def _check_dataset(name: Any, X: Any, Y: Any) -> tuple[str, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y)
    if X.ndim != 2 or not np.isfinite(X).all():
        raise ValueError(f"{name}: `X` must be a 2-D array of finite numbers.")
    if Y.ndim != 2 or Y.shape[0] != X.shape[0] or not np.isin(Y, (0, 1)).all():
        raise ValueError(
            f"{name}: `Y` must be a 0/1 indicator of shape ({X.shape[0]}, n_labels); "
            f"got shape {Y.shape}."
        )
    if (Y.sum(axis=0) < 2).any():
        raise ValueError(
            f"{name}: every label needs at least 2 positive rows for a stratified "
            f"split; labels {np.flatnonzero(Y.sum(axis=0) < 2).tolist()} have fewer."
        )
    return str(name), X, Y.astype(np.int64)


#: What a worker holds: data sets, strategies, settings, the last split.
_STATE: dict[str, Any] = {}


def init_state(
    datasets: list[tuple[str, np.ndarray, np.ndarray, list[str]]],
    strategy_names: list[str],
    settings: dict[str, Any],
) -> None:
    _STATE.clear()
    _STATE.update(
        datasets=datasets,
        strategies=resolve_multilabel_strategies(strategy_names),
        settings=settings,
        split=None,
    )


def _split(d: int, seed: int) -> tuple[np.ndarray, ...]:
    cached = _STATE["split"]
    if cached is None or cached[0] != (d, seed):
        _, X, Y, _ = _STATE["datasets"][d]
        train, test = iterative_train_test_split(
            Y, _STATE["settings"]["test_size"], random_state=seed
        )
        cached = ((d, seed), (X[train], Y[train], X[test], Y[test]))
        _STATE["split"] = cached
    return cached[1]


def run_multilabel_once(
    strategy: MultilabelStrategy,
    split: tuple[np.ndarray, ...],
    *,
    seed: int,
    epochs: int,
) -> dict[str, Any]:
    """Scale, resample (training part only), fit and score one run.

    Returns the metric values and the fitted rows' size and MeanIR; exceptions
    propagate (the caller records a failed run).
    """
    from balancekit.bench._multilabel_mlp import TorchMultilabelMLP

    X_train, Y_train, X_test, Y_test = split
    start = time.perf_counter()
    scaler = StandardScaler().fit(X_train)
    X_fit, Y_fit = scaler.transform(X_train), Y_train
    if strategy.sampler is not None:
        X_fit, Y_fit = strategy.sampler(seed).fit_resample(X_fit, Y_fit)
        X_fit, Y_fit = np.asarray(X_fit), np.asarray(Y_fit)
    model = TorchMultilabelMLP(epochs=epochs, random_state=seed)
    model.set_params(**strategy.model_params)
    model.fit(X_fit, Y_fit)
    fit_time = time.perf_counter() - start
    scores = model.predict_proba(scaler.transform(X_test))
    if scores.shape != Y_test.shape or not np.isfinite(scores).all():
        raise RuntimeError("the model returned invalid probabilities")
    return {
        **score_multilabel(Y_test, scores, minority_labels(Y_train)),
        "fit_time_s": fit_time,
        "n_fitted": int(Y_fit.shape[0]),
        "mean_ir_fitted": _mean_ir(Y_fit),
    }


def do_task(task: tuple[int, int, int]) -> tuple[Any, ...]:
    """One run in a worker: (task, record, None, warning lines)."""
    d, seed, s = task
    name, _, _, label_names = _STATE["datasets"][d]
    strategy = _STATE["strategies"][s]
    split = _split(d, seed)
    _, Y_train, _, Y_test = split
    record: dict[str, Any] = dict.fromkeys(MULTILABEL_COLUMNS)
    record.update(
        dataset=name,
        model=MODEL_NAME,
        strategy=strategy.name,
        kind=strategy.kind,
        seed=seed,
        n_train=int(Y_train.shape[0]),
        n_test=int(Y_test.shape[0]),
        mean_ir_train=_mean_ir(Y_train),
        minority_labels=json.dumps(
            [label_names[i] for i in minority_labels(Y_train).tolist()]
        ),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            values = run_multilabel_once(
                strategy, split, seed=seed, epochs=_STATE["settings"]["epochs"]
            )
        except Exception as error:  # a failing strategy is a result, not a crash
            text = str(error).strip().splitlines()
            record.update(
                status="failed",
                reason=f"{type(error).__name__}: {text[0] if text else ''}",
                **dict.fromkeys(MULTILABEL_METRICS, float("nan")),
            )
        else:
            record.update(status="ok", reason="", **values)
    messages = sorted(
        {
            f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}"
            for w in caught
            if str(w.message).strip()
        }
    )
    return task, record, None, messages


def run_multilabel_comparisons(
    datasets: Sequence[tuple[str, Any, Any, Sequence[str]]],
    *,
    strategies: Iterable[str] | None = None,
    seeds: int | Sequence[int] = 3,
    test_size: float = 0.25,
    epochs: int = 30,
    n_jobs: int = 1,
    progress: bool | None = False,
    on_run: Callable[[dict[str, Any]], None] | None = None,
    done: Iterable[dict[str, Any]] = (),
    result: Comparison | None = None,
) -> Comparison:
    """Every multilabel strategy on ``(name, X, Y, label_names)`` data sets.

    ``done`` holds records of an interrupted run (skipped, joined to the result);
    records fill ``result`` as runs finish and end sorted in the single-process
    order, whatever ``n_jobs``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 3))
    >>> Y = (X + rng.normal(size=(80, 3)) > 1.0).astype(int)
    >>> result = run_multilabel_comparisons(
    ...     [("toy", X, Y, ["a", "b", "c"])], strategies=["none", "MLROS"], seeds=1,
    ...     epochs=2)
    >>> [(r["strategy"], r["status"], r["n_fitted"]) for r in result.records]
    [('none', 'ok', 60), ('MLROS', 'ok', 65)]
    """
    strategy_list = resolve_multilabel_strategies(strategies)
    seed_list = _seeds(seeds)
    settings = {
        "test_size": check_scalar(
            test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
        ),
        "epochs": check_int(epochs, "epochs"),
    }
    n_jobs = check_int(n_jobs, "n_jobs")
    prepared = []
    for name, X, Y, label_names in datasets:
        name, X, Y = _check_dataset(name, X, Y)
        if len(label_names) != Y.shape[1]:
            raise ValueError(
                f"{name}: `label_names` must name the {Y.shape[1]} labels."
            )
        prepared.append((name, X, Y, [str(n) for n in label_names]))
    if len({p[0] for p in prepared}) != len(prepared):
        raise ValueError(
            f"data set names must be unique; got {[p[0] for p in prepared]}."
        )
    result = Comparison() if result is None else result
    result.protocol = result.protocol or {
        "mode": "multilabel",
        "test_size": float(settings["test_size"]),
        "seeds": seed_list,
        "split": "iterative stratification (Sechidis et al. 2011)",
        "threshold": 0.5,
        "model": MODEL_NAME,
        "epochs": settings["epochs"],
    }
    order: dict[RunKey, int] = {}
    tasks = []
    finished = {run_key(r): r for r in done}
    for d, dataset in enumerate(prepared):
        for seed in seed_list:
            for s, strategy in enumerate(strategy_list):
                key = (dataset[0], MODEL_NAME, strategy.name, seed)
                order[key] = len(order)
                if key in finished:
                    result.records.append(finished[key])
                else:
                    tasks.append((d, seed, s))
    label = prepared[0][0] if len(prepared) == 1 else "bench"
    collect = _Collector(result, on_run, _progress(len(tasks), progress, label))
    try:
        run_tasks(
            do_task,
            tasks,
            initializer=init_state,
            initargs=(prepared, [s.name for s in strategy_list], settings),
            n_jobs=n_jobs,
            on_result=collect,
            modules=("torch",),
        )
    finally:
        _STATE.clear()
        collect.close()
        result.records.sort(key=lambda r: order.get(run_key(r), len(order)))
    return result


def compare_multilabel(
    X: Any,
    Y: Any,
    *,
    label_names: Sequence[str] | None = None,
    strategies: Iterable[str] | None = None,
    dataset: str = "data",
    seeds: int | Sequence[int] = 3,
    test_size: float = 0.25,
    epochs: int = 30,
    n_jobs: int = 1,
) -> Any:
    """Compare multilabel imbalance strategies on ``(X, Y)``; the tidy table.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features, finite.
    Y : array-like of shape (n_samples, n_labels)
        0/1 label indicator; every label needs at least 2 positive rows.
    label_names : sequence of str, optional
        Names of the labels (default: their positions).
    strategies : list of str, optional
        Names from :func:`default_multilabel_strategies` (default: all eight).
    dataset : str, default="data"
        The data set's name in the table.
    seeds : int or list of int, default=3
        ``n`` means seeds ``0 .. n-1``; each draws its own split.
    test_size : float, default=0.25
        Share of rows held out for testing (iterative stratification).
    epochs : int, default=30
        Training epochs of the MLP.
    n_jobs : int, default=1
        Worker processes, one thread each; the table does not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per (strategy, seed), columns :data:`MULTILABEL_COLUMNS`.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.bench import compare_multilabel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 3))
    >>> Y = (X + rng.normal(size=(80, 3)) > 1.0).astype(int)
    >>> table = compare_multilabel(X, Y, strategies=["none", "pos_weight"], seeds=1,
    ...                            epochs=2)
    >>> table[["strategy", "status"]].values.tolist()
    [['none', 'ok'], ['pos_weight', 'ok']]
    """
    import pandas as pd

    Y_arr = np.asarray(Y)
    names = (
        [str(i) for i in range(Y_arr.shape[1] if Y_arr.ndim == 2 else 0)]
        if label_names is None
        else list(label_names)
    )
    result = run_multilabel_comparisons(
        [(dataset, X, Y_arr, names)],
        strategies=strategies,
        seeds=seeds,
        test_size=test_size,
        epochs=epochs,
        n_jobs=n_jobs,
    )
    frame = pd.DataFrame.from_records(result.records, columns=list(MULTILABEL_COLUMNS))
    frame.attrs["protocol"] = result.protocol
    return frame
