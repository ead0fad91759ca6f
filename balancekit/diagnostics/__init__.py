"""Diagnostics: what in the data (or the split) hides the minority class.

:func:`inspect` checks one data set (class counts, missing and infinite values,
constant and badly scaled features, duplicates, conflicting labels and each class's
neighbourhood difficulty); :func:`check_split` checks a train/test split. Both return
reports whose ``findings`` say what was found and what to do. ``balancekit inspect
FILE --target COLUMN`` runs them from the command line.
"""

from balancekit.diagnostics._findings import SEVERITIES, Finding
from balancekit.diagnostics._inspect import inspect
from balancekit.diagnostics._report import DataReport
from balancekit.diagnostics._split import SplitReport, check_split

__all__ = [
    "SEVERITIES",
    "DataReport",
    "Finding",
    "SplitReport",
    "check_split",
    "inspect",
]
