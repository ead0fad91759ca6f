"""Compare imbalance strategies on real data with an honest protocol.

:func:`compare` runs every (model, strategy) pair on one data set over several seeds and
returns a tidy table; ``balancekit bench`` does it on the shipped real data sets (or
your file) and writes a report with average ranks and a Friedman test. Neither imports
torch, TensorFlow or matplotlib until a torch or Keras model runs or a plot is drawn.
"""

from typing import TYPE_CHECKING

from balancekit._lazy import lazy_attributes

if TYPE_CHECKING:
    from balancekit.bench._compare import compare
    from balancekit.bench._comparison import COLUMNS, protocol_text
    from balancekit.bench._models import Model, default_models
    from balancekit.bench._multilabel_compare import compare_multilabel
    from balancekit.bench._multilabel_strategies import (
        MultilabelStrategy,
        default_multilabel_strategies,
    )
    from balancekit.bench._recommend import Recommendation, recommend
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
        MultilabelDataset,
        list_datasets,
        list_multilabel_datasets,
        load_dataset,
        load_file,
        load_multilabel_dataset,
        make_multilabel_synthetic,
        make_synthetic,
    )

# Loaded on first use: importing the package stays fast (balancekit._lazy).
__getattr__, __dir__ = lazy_attributes(
    __name__,
    globals(),
    {
        "COLUMNS": "balancekit.bench._comparison",
        "compare": "balancekit.bench._compare",
        "protocol_text": "balancekit.bench._comparison",
        "Model": "balancekit.bench._models",
        "default_models": "balancekit.bench._models",
        "compare_multilabel": "balancekit.bench._multilabel_compare",
        "MultilabelStrategy": "balancekit.bench._multilabel_strategies",
        "default_multilabel_strategies": "balancekit.bench._multilabel_strategies",
        "METRICS": "balancekit.bench._scores",
        "score_run": "balancekit.bench._scores",
        "FriedmanResult": "balancekit.bench._stats",
        "average_ranks": "balancekit.bench._stats",
        "critical_difference": "balancekit.bench._stats",
        "friedman_test": "balancekit.bench._stats",
        "Recommendation": "balancekit.bench._recommend",
        "recommend": "balancekit.bench._recommend",
        "Strategy": "balancekit.bench._strategies",
        "default_strategies": "balancekit.bench._strategies",
        "rank_table": "balancekit.bench._summary",
        "summarize": "balancekit.bench._summary",
        "Dataset": "balancekit.bench.datasets",
        "list_datasets": "balancekit.bench.datasets",
        "load_dataset": "balancekit.bench.datasets",
        "load_file": "balancekit.bench.datasets",
        "make_synthetic": "balancekit.bench.datasets",
        "MultilabelDataset": "balancekit.bench.datasets",
        "list_multilabel_datasets": "balancekit.bench.datasets",
        "load_multilabel_dataset": "balancekit.bench.datasets",
        "make_multilabel_synthetic": "balancekit.bench.datasets",
    },
)

__all__ = [
    "COLUMNS",
    "METRICS",
    "Dataset",
    "FriedmanResult",
    "Model",
    "MultilabelDataset",
    "MultilabelStrategy",
    "Recommendation",
    "Strategy",
    "average_ranks",
    "compare",
    "compare_multilabel",
    "critical_difference",
    "default_models",
    "default_multilabel_strategies",
    "default_strategies",
    "friedman_test",
    "list_datasets",
    "list_multilabel_datasets",
    "load_dataset",
    "load_file",
    "load_multilabel_dataset",
    "make_multilabel_synthetic",
    "make_synthetic",
    "protocol_text",
    "rank_table",
    "recommend",
    "score_run",
    "summarize",
]
