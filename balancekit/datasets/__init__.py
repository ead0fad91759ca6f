"""Data set helpers, as ``imblearn.datasets``: ``make_imbalance``.

imbalanced-learn's ``fetch_datasets`` (a download of the Zenodo benchmark collection)
is not provided: balancekit's core makes no network access. The benchmark sets that
``balancekit bench`` uses ship with it (``balancekit.bench.datasets``).
"""

from balancekit.datasets._imbalance import make_imbalance

__all__ = ["make_imbalance"]
