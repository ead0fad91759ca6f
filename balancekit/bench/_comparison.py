"""The result of a comparison: the tidy table's columns, the :class:`Comparison` that
holds its records, curves and notes, and the protocol in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from balancekit.bench._scores import METRICS

__all__ = [
    "COLUMNS",
    "Comparison",
    "RunKey",
    "as_table",
    "protocol_text",
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
    >>> from balancekit.bench import protocol_text
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
