"""Ensembles whose members each fit a balanced resample (imbalanced-learn's four).

The members are scikit-learn estimators, fitted on the host in NumPy; the resampling
inside uses balancekit's samplers (``RandomUnderSampler`` by default), and ``fit``
carries ``sample_weight`` through them.
"""

from balancekit.ensemble._bagging import BalancedBaggingClassifier
from balancekit.ensemble._easy_ensemble import EasyEnsembleClassifier
from balancekit.ensemble._forest import BalancedRandomForestClassifier
from balancekit.ensemble._weight_boosting import RUSBoostClassifier

__all__ = [
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassifier",
    "RUSBoostClassifier",
]
