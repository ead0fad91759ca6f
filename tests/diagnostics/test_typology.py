"""The neighbourhood typology equals a direct scikit-learn computation, on every
backend; its cut points follow Napierala & Stefanowski; subsamples are exact."""

from __future__ import annotations

import array_api_compat.numpy as np_xp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors
from sklearn.preprocessing import StandardScaler

from balancekit.diagnostics import inspect
from balancekit.diagnostics._typology import (
    CATEGORIES,
    categorise,
    neighbourhood_typology,
    stratified_quotas,
)

# The paper's table for k = 5: same-class neighbours -> type.
PAPER_K5 = {
    5: "safe",
    4: "safe",
    3: "borderline",
    2: "borderline",
    1: "rare",
    0: "outlier",
}


def _data(n_samples: int = 400, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n_samples,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1],
        flip_y=0.05,
        class_sep=0.8,
        random_state=seed,
    )
    return X, y


def _sklearn_counts(X: np.ndarray, y: np.ndarray, k: int = 5) -> np.ndarray:
    """Per class, rows safe / borderline / rare / outlier by the paper's k=5 table,
    on standardised features (as ``inspect`` computes it)."""
    X = StandardScaler().fit_transform(X)
    _, neighbours = SklearnNearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    assert (neighbours[:, 0] == np.arange(len(X))).all()  # no ties: self first
    n_same = (y[neighbours[:, 1:]] == y[:, None]).sum(axis=1)
    classes = np.unique(y)
    counts = np.zeros((classes.size, 4), dtype=int)
    for row, cls in enumerate(classes):
        for n in n_same[y == cls]:
            counts[row, CATEGORIES.index(PAPER_K5[int(n)])] += 1
    return counts


def test_typology_equals_sklearn_computation():
    X, y = _data()
    report = inspect(X, y)
    expected = _sklearn_counts(X, y)
    assert report.typology_counts == expected.tolist()
    shares = expected / expected.sum(axis=1, keepdims=True)
    for row, cls in enumerate(report.classes):
        got = [report.typology_shares[cls][c] for c in CATEGORIES]
        np.testing.assert_allclose(got, shares[row], rtol=0, atol=1e-15)
    # The data set is mixed: every category occurs.
    assert (expected.sum(axis=0) > 0).all()


def test_typology_same_on_every_backend(backend):
    X, y = _data(n_samples=300, seed=5)
    expected = _sklearn_counts(X, y)
    report = inspect(backend.asarray(X), backend.asarray(y))
    assert report.typology_counts == expected.tolist()


@pytest.mark.parametrize(
    ("k", "table"),
    [
        (5, [3, 2, 1, 1, 0, 0]),  # 0..5 same: outlier, rare, borderline x2, safe x2
        (7, [3, 2, 2, 1, 1, 0, 0, 0]),  # 7-5 safe, 4-3 borderline, 2-1 rare, 0
        (1, [3, 0]),
    ],
)
def test_cut_points(k, table):
    n_same = np_xp.asarray(np.arange(k + 1))
    assert categorise(n_same, k, np_xp).tolist() == table


def test_duplicates_remove_self_wherever_it_appears():
    # Three identical points of class 0 and two of class 1 far away: each row's
    # k=2 neighbours (itself excluded) are its identical copies / nearest points.
    X = np.array([[0.0], [0.0], [0.0], [10.0], [10.1]])
    y = np.array([0, 0, 0, 1, 1])
    report = inspect(X, y, n_neighbors=2)
    # Class 0: each row has 2 same-class copies -> safe; class 1: 1 of 2 -> borderline.
    assert report.typology_counts == [[3, 0, 0, 0], [0, 2, 0, 0]]


def test_subsample_categories_equal_full_computation():
    X, y = _data(n_samples=500, seed=7)
    counts = np.bincount(y)
    rng = np.random.default_rng(0)
    full = neighbourhood_typology(X, y, counts, 5, None, rng, np_xp, "cpu")
    part = neighbourhood_typology(X, y, counts, 5, 200, rng, np_xp, "cpu")
    assert part.sampled
    assert not full.sampled
    assert part.rows.shape[0] == 200
    np.testing.assert_array_equal(part.categories, full.categories[part.rows])
    # The smallest class (fewer rows than its even share) is kept whole.
    assert part.counts.sum(axis=1)[2] == counts[2]


def test_inspect_reports_subsample():
    X, y = _data(n_samples=500, seed=7)
    report = inspect(X, y, max_samples=120)
    assert report.typology_sampled
    assert sum(map(sum, report.typology_counts)) == 120
    assert "typology_subsample" in {f.code for f in report.findings}


@given(
    counts=st.lists(st.integers(0, 500), min_size=1, max_size=6),
    budget=st.integers(1, 1500),
)
def test_stratified_quotas_fill_the_budget(counts, budget):
    counts = np.array(counts)
    quotas = stratified_quotas(counts, budget)
    assert (quotas >= 0).all()
    assert (quotas <= counts).all()
    assert quotas.sum() == min(budget, counts.sum())
    # Even share: a class below its quota is kept whole; others differ by <= 1.
    partial = quotas < counts
    if partial.sum() > 1:
        assert quotas[partial].max() - quotas[partial].min() <= 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_samples=st.integers(8, 60),
    n_classes=st.integers(2, 4),
    k=st.integers(1, 6),
)
def test_shares_sum_to_one_per_class(seed, n_samples, n_classes, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 3))
    y = np.arange(n_samples) % n_classes
    report = inspect(X, y, n_neighbors=k)
    assert [sum(row) for row in report.typology_counts] == report.class_counts
    for shares in report.typology_shares.values():
        assert sum(shares.values()) == pytest.approx(1.0)
