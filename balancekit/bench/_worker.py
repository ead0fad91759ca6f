"""What runs in a worker process of a comparison: the state a worker is given once
(data sets, models, strategies, settings), one run per task, and which models and
strategies can be sent to workers by name."""

from __future__ import annotations

import json
import pickle
import warnings
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from balancekit.bench._comparison import COLUMNS
from balancekit.bench._models import Model, resolve_models
from balancekit.bench._protocol import run_once
from balancekit.bench._scores import METRICS
from balancekit.bench._strategies import Strategy, resolve_strategies

__all__ = ["clear_state", "crossing", "do_task", "init_state"]


def _counts_json(counts: dict[int, int], names: list[str]) -> str:
    return json.dumps({names[c]: n for c, n in sorted(counts.items())})


def crossing(items: list[Any], known: dict[str, Any], what: str, n_jobs: int) -> list:
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


def init_state(
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


def clear_state() -> None:
    """Forget the worker state (the in-process run clears it when done)."""
    _STATE.clear()


def do_task(task: tuple[int, int, int, int]) -> tuple[Any, ...]:
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
