"""Over-samplers: add rows to the classes that have too few."""

from balancekit.over_sampling._adasyn import ADASYN
from balancekit.over_sampling._borderline_smote import BorderlineSMOTE
from balancekit.over_sampling._kmeans_smote import KMeansSMOTE
from balancekit.over_sampling._polynomial_fit_smote import PolynomialFitSMOTE
from balancekit.over_sampling._prowsyn import ProWSyn
from balancekit.over_sampling._random_over_sampler import RandomOverSampler
from balancekit.over_sampling._smote import SMOTE
from balancekit.over_sampling._smote_ipf import SMOTEIPF
from balancekit.over_sampling._smoten import SMOTEN
from balancekit.over_sampling._smotenc import SMOTENC
from balancekit.over_sampling._svm_smote import SVMSMOTE

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEIPF",
    "SMOTEN",
    "SMOTENC",
    "SVMSMOTE",
    "BorderlineSMOTE",
    "KMeansSMOTE",
    "PolynomialFitSMOTE",
    "ProWSyn",
    "RandomOverSampler",
]
