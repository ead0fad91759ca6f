"""scikit-learn's and imbalanced-learn's conformance suites on every sampler."""

from __future__ import annotations

from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from balancekit import SMOTE, RandomOverSampler, RandomUnderSampler

SAMPLERS = [
    RandomOverSampler(random_state=0),
    RandomOverSampler(random_state=0, shrinkage=0.5),
    RandomUnderSampler(random_state=0),
    RandomUnderSampler(random_state=0, replacement=True),
    SMOTE(random_state=0),
]


@sklearn_parametrize_with_checks(SAMPLERS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@imblearn_parametrize_with_checks(SAMPLERS)
def test_imblearn_compatible(estimator, check):
    check(estimator)
