"""Keras adapter: imbalanced-learn's balanced batch generators for ``model.fit``.

``BalancedBatchGenerator`` (a Keras 3 ``keras.utils.PyDataset``) and
``balanced_batch_generator`` (a Python generator and its steps per epoch), with
imbalanced-learn's signatures and batches. Works with any Keras 3 backend.
Importing it imports keras (``import balancekit`` does not).
"""

import keras  # noqa: F401  (the adapter imports its framework when imported)

from balancekit.keras._batches import balanced_batch_generator
from balancekit.keras._generator import BalancedBatchGenerator

__all__ = ["BalancedBatchGenerator", "balanced_batch_generator"]
