"""scikit-learn's and imbalanced-learn's conformance suites on every sampler (and
scikit-learn's on the device clustering estimators of ``balancekit.cluster``).

The samplers are discovered, not listed (as imbalanced-learn's ``tests/test_common.py``
does): every public class of ``balancekit.over_sampling``, ``under_sampling`` and
``combine`` (and of ``balancekit.__all__``) that subclasses imbalanced-learn's
``BaseSampler``. A new sampler is therefore checked as soon as it is exported, and
``test_every_sampler_is_discovered`` fails if one is defined but not exported. The
suites run here only (the samplers' own test files test behaviour); ``INIT_PARAMS``
holds the parameter sets worth checking beyond the defaults.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys

import pytest
from imblearn.base import BaseSampler as ImblearnBaseSampler
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

import balancekit
from balancekit.cluster import KMeans as DeviceKMeans
from balancekit.cluster import MiniBatchKMeans

SAMPLER_PACKAGES = (
    "balancekit.over_sampling",
    "balancekit.under_sampling",
    "balancekit.combine",
)

# Constructor arguments for the checks' small data sets (imbalanced-learn's
# INIT_PARAMS); a sampler missing here is built with its defaults. A list gives one
# instance per parameter set. These suites used to live in each sampler's test file;
# they all run here now, over the discovered list.
INIT_PARAMS: dict[str, list[dict]] = {
    "RandomOverSampler": [{"random_state": 0}, {"random_state": 0, "shrinkage": 0.5}],
    "RandomUnderSampler": [
        {"random_state": 0},
        {"random_state": 0, "replacement": True},
    ],
    "SMOTE": [{"random_state": 0}],
    "ADASYN": [{"random_state": 0}],
    "BorderlineSMOTE": [
        {"random_state": 0},
        {"random_state": 0, "kind": "borderline-2"},
    ],
    "SMOTEN": [{"random_state": 0}],
    # imblearn builds SMOTENC with categorical_features=[0] (and then skips it). Here
    # column 1 is categorical: scikit-learn's check_estimators_nan_inf puts NaN/inf
    # in column 0, and NaN is a valid category (OneHotEncoder), not an error.
    "SMOTENC": [{"categorical_features": [1], "random_state": 0}],
    "EditedNearestNeighbours": [
        {},
        {"kind_sel": "mode", "n_neighbors": NearestNeighbors()},
    ],
    "AllKNN": [{"allow_minority": True}],
    "CondensedNearestNeighbour": [{"random_state": 0}],
    "OneSidedSelection": [{"random_state": 0}],
    # With the default n_neighbors_ver3=3, NearMiss-3 finds fewer candidates than
    # check_samplers_fit_resample asks for (imblearn marks that check xfail for it);
    # 15 give enough, and no check data set has a class smaller than 15.
    "NearMiss": [{}, {"version": 2}, {"version": 3, "n_neighbors_ver3": 15}],
    "SMOTEENN": [{"random_state": 0}],
    "SMOTETomek": [{"random_state": 0}],
    # The checks compare two runs (dense vs sparse, pandas, lists, one-vs-all), so
    # the draws need a seed (imblearn's own suite seeds these two with 42).
    "SVMSMOTE": [{"random_state": 0}],
    "PolynomialFitSMOTE": [
        {"random_state": 0},
        {"random_state": 0, "topology": "mesh"},
        {"random_state": 0, "topology": "poly_2"},
    ],
    "ProWSyn": [{"random_state": 0}],
    "SMOTEIPF": [{"random_state": 0}],
    # Seeded for the same reason; "soft" voting because imblearn's sparse check fails
    # "auto" (hard on sparse, soft on dense: two different answers by design).
    "ClusterCentroids": [
        {"random_state": 0, "voting": "soft"},
        {
            "random_state": 0,
            "voting": "soft",
            "estimator": KMeans(random_state=0, n_init=1),
        },
    ],
    # The checks' 30 uniform random rows leave no cluster with half its rows in the
    # minority unless the seed is lucky: a lower threshold and two clusters.
    "KMeansSMOTE": [
        {"random_state": 0, "kmeans_estimator": 2, "cluster_balance_threshold": 0.1}
    ],
    "InstanceHardnessThreshold": [{"random_state": 0}],
}


def _is_sampler(obj: object) -> bool:
    return (
        inspect.isclass(obj)
        and issubclass(obj, ImblearnBaseSampler)
        and not inspect.isabstract(obj)
        and obj.__module__.startswith("balancekit.")
    )


def discover_samplers() -> dict[str, type]:
    """Every sampler class exported by the sampler packages and by ``balancekit``."""
    found: dict[str, type] = {}
    for package in SAMPLER_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if _is_sampler(obj):
                found[name] = obj
    for name in balancekit.__all__:
        obj = getattr(balancekit, name)
        if _is_sampler(obj):
            found[name] = obj
    return dict(sorted(found.items()))


def _defined_samplers() -> set[type]:
    """Every concrete sampler class defined in the sampler packages' modules."""
    defined: set[type] = set()
    for package in SAMPLER_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__, prefix=f"{package}."):
            submodule = importlib.import_module(info.name)
            for _, obj in inspect.getmembers(submodule, _is_sampler):
                if obj.__module__ == info.name and not obj.__name__.startswith("_"):
                    defined.add(obj)
    return defined


def _all_subclasses(cls: type) -> set[type]:
    subclasses = set(cls.__subclasses__())
    for sub in list(subclasses):
        subclasses |= _all_subclasses(sub)
    return subclasses


def _importable(cls: type) -> bool:
    """``cls`` is a public name of the module that defines it (not a test's class)."""
    module = sys.modules.get(cls.__module__)
    return (
        not cls.__name__.startswith("_") and getattr(module, cls.__name__, None) is cls
    )


def _instances() -> list:
    instances = []
    for name, cls in discover_samplers().items():
        for params in INIT_PARAMS.get(name, [{}]):
            instances.append(cls(**params))
    return instances


SAMPLERS = _instances()


def test_every_sampler_is_discovered():
    discovered = set(discover_samplers().values())
    # Defined in a sampler module but exported nowhere: the suites would miss it.
    missing = {cls.__name__ for cls in _defined_samplers() - discovered}
    assert not missing, f"samplers not exported in their package's __all__: {missing}"
    # Any other balancekit subclass of imblearn's BaseSampler that is public and
    # concrete (for example one defined outside the sampler packages).
    reachable = {
        cls
        for cls in _all_subclasses(ImblearnBaseSampler)
        if _is_sampler(cls) and _importable(cls)
    }
    stray = {cls.__name__ for cls in reachable - discovered}
    assert not stray, f"samplers outside the discovered list: {stray}"
    assert set(INIT_PARAMS) <= {cls.__name__ for cls in discovered}


def test_discovery_sees_a_new_sampler(monkeypatch):
    # A sampler added to a package's __all__ joins the suites with no test edit.
    from balancekit import over_sampling
    from balancekit.over_sampling import RandomOverSampler

    class NewSampler(RandomOverSampler):
        pass

    NewSampler.__module__ = "balancekit.over_sampling._new"
    monkeypatch.setattr(over_sampling, "NewSampler", NewSampler, raising=False)
    monkeypatch.setattr(
        over_sampling, "__all__", [*over_sampling.__all__, "NewSampler"]
    )
    assert discover_samplers()["NewSampler"] is NewSampler


# SMOTEN and SMOTENC warn that they densify sparse input.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
@sklearn_parametrize_with_checks(SAMPLERS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
@imblearn_parametrize_with_checks(SAMPLERS)
def test_imblearn_compatible(estimator, check):
    check(estimator)


# balancekit.cluster's estimators are not samplers: scikit-learn's suite only.
CLUSTERERS = [
    DeviceKMeans(n_clusters=3, random_state=0),
    MiniBatchKMeans(n_clusters=3, random_state=0),
]


@sklearn_parametrize_with_checks(CLUSTERERS)
def test_sklearn_compatible_clusterers(estimator, check):
    check(estimator)
