"""Compare imbalance strategies on real data with an honest protocol.

:func:`compare` runs every (model, strategy) pair on one data set over several seeds and
returns a tidy table; ``balancekit bench`` does it on the shipped real data sets (or
your file) and writes a report with average ranks and a Friedman test. Neither imports
torch, TensorFlow or matplotlib until a torch or Keras model runs or a plot is drawn.
"""

from balancekit.bench._compare import COLUMNS, compare, protocol_text
from balancekit.bench._models import Model, default_models
from balancekit.bench._scores import METRICS, score_run
from balancekit.bench._stats import (
    FriedmanResult,
    average_ranks,
    critical_difference,
    friedman_test,
)
from balancekit.bench._strategies import Strategy, default_strategies
from balancekit.bench._summary import rank_table, summarize
from balancekit.bench.datasets import (
    Dataset,
    list_datasets,
    load_dataset,
    load_file,
    make_synthetic,
)

__all__ = [
    "COLUMNS",
    "METRICS",
    "Dataset",
    "FriedmanResult",
    "Model",
    "Strategy",
    "average_ranks",
    "compare",
    "critical_difference",
    "default_models",
    "default_strategies",
    "friedman_test",
    "list_datasets",
    "load_dataset",
    "load_file",
    "make_synthetic",
    "protocol_text",
    "rank_table",
    "score_run",
    "summarize",
]
