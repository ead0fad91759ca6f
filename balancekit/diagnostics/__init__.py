"""Diagnostics: what in the data (or the split) hides the minority class.

:func:`inspect` checks one data set (class counts, missing and infinite values,
constant and badly scaled features, duplicates, conflicting labels and each class's
neighbourhood difficulty); :func:`check_split` checks a train/test split. Both return
reports whose ``findings`` say what was found and what to do. ``balancekit inspect
FILE --target COLUMN`` runs them from the command line. While a model trains,
:class:`MinorityMonitor` tracks per-class recall, precision and PR-AUC on a
validation set every epoch and warns (:class:`TrainingCollapseWarning`) when the
model collapses to one class or the minority recall keeps falling; the PyTorch,
Lightning and Keras adapters drive it.
"""

from typing import TYPE_CHECKING

from balancekit._lazy import lazy_attributes

if TYPE_CHECKING:
    from balancekit.diagnostics._findings import SEVERITIES, Finding
    from balancekit.diagnostics._inspect import inspect
    from balancekit.diagnostics._multilabel import (
        MultilabelImbalance,
        multilabel_imbalance,
    )
    from balancekit.diagnostics._report import DataReport
    from balancekit.diagnostics._split import SplitReport, check_split
    from balancekit.diagnostics._training_monitor import (
        MinorityMonitor,
        TrainingCollapseWarning,
    )

# Loaded on first use: importing the package stays fast (balancekit._lazy).
__getattr__, __dir__ = lazy_attributes(
    __name__,
    globals(),
    {
        "SEVERITIES": "balancekit.diagnostics._findings",
        "Finding": "balancekit.diagnostics._findings",
        "inspect": "balancekit.diagnostics._inspect",
        "MultilabelImbalance": "balancekit.diagnostics._multilabel",
        "multilabel_imbalance": "balancekit.diagnostics._multilabel",
        "DataReport": "balancekit.diagnostics._report",
        "SplitReport": "balancekit.diagnostics._split",
        "check_split": "balancekit.diagnostics._split",
        "MinorityMonitor": "balancekit.diagnostics._training_monitor",
        "TrainingCollapseWarning": "balancekit.diagnostics._training_monitor",
    },
)

__all__ = [
    "SEVERITIES",
    "DataReport",
    "Finding",
    "MinorityMonitor",
    "MultilabelImbalance",
    "SplitReport",
    "TrainingCollapseWarning",
    "check_split",
    "inspect",
    "multilabel_imbalance",
]
