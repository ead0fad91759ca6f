"""``inspect`` computes the typology on standardised features, flags identifier-like
columns and leaves them out, so its advice agrees with its projection plot.

The repro of issue 15: on a fraud-like table with an ID column and an amount in
currency units, the unscaled typology called the fraud class "rare or outlier" and
advised against cleaning samplers, while the (standardised) projection showed it
well apart."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors
from sklearn.preprocessing import StandardScaler

from balancekit.diagnostics import inspect
from balancekit.diagnostics._typology import CATEGORIES

PAPER_K5 = {5: 0, 4: 0, 3: 1, 2: 1, 1: 2, 0: 3}


def _counts(X: np.ndarray, y: np.ndarray, k: int = 5) -> np.ndarray:
    """Per class, rows per category from scikit-learn's kNN on ``X`` as given."""
    _, neighbours = SklearnNearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    n_same = (y[neighbours[:, 1:]] == y[:, None]).sum(axis=1)
    counts = np.zeros((np.unique(y).size, 4), dtype=int)
    for cls in np.unique(y):
        for n in n_same[y == cls]:
            counts[cls, PAPER_K5[int(n)]] += 1
    return counts


def _fraud_like(n_samples: int = 2000, seed: int = 0):
    """Row id, four standardised-scale features that separate the fraud, and an
    amount in currency units (heavy-tailed, uninformative)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_samples) < 0.04).astype(int)
    signal = rng.normal(size=(n_samples, 4))
    signal[y == 1] += np.array([3.0, -3.0, 2.5, 0.0])
    amount = rng.lognormal(mean=4.0, sigma=1.2, size=n_samples)
    ids = np.arange(n_samples, dtype=np.float64)
    X = np.column_stack([ids, signal, amount])
    names = ["id", "v1", "v2", "v3", "v4", "amount"]
    return X, y, names


def test_fraud_repro_typology_on_standardised_features_without_the_id():
    X, y, names = _fraud_like()
    # The old computation (unscaled, id included) is the contradiction of the issue:
    # neighbours are the adjacent rows, so most fraud rows look rare or outliers.
    old = _counts(X, y)[1] / (y == 1).sum()
    assert old[2] + old[3] > 0.5
    assert old[0] < 0.2
    report = inspect(X, y, feature_names=names)
    assert report.identifier_features == {
        "id": "unique per row and increasing or decreasing with the row order"
    }
    assert report.identifiers_excluded
    assert report.typology_features == names[1:]
    # The typology is scikit-learn's on the standardised features without the id.
    expected = _counts(StandardScaler().fit_transform(X[:, 1:]), y)
    assert report.typology_counts == expected.tolist()
    shares = report.typology_shares[1]
    assert shares["safe"] > 0.6
    codes = {f.code: f for f in report.findings}
    assert "rare_outlier_class" not in codes
    assert "borderline_class" not in codes
    flagged = codes["identifier_columns"]
    assert flagged.severity == "warning"
    assert flagged.count == 1
    assert "id (unique per row" in flagged.message
    assert "left out of the scale, duplicate and neighbourhood checks" in (
        flagged.message
    )
    assert "drop it from the model's features" in flagged.suggestion
    # The id no longer drives the scale disparity either.
    scale = codes["scale_disparity"]
    assert "amount" in scale.message
    assert "id" not in scale.details.values()
    assert "standardised features" in scale.suggestion
    text = str(report)
    assert "on 5 standardised features" in text.splitlines()[0]


def test_the_projection_plot_shows_the_features_the_typology_used():
    X, y, names = _fraud_like(n_samples=600, seed=1)
    report = inspect(X, y, feature_names=names)
    projection = report.projection
    assert projection is not None
    assert projection.categories is not None
    scaled = StandardScaler().fit_transform(X[:, 1:])
    centred = scaled - scaled.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ components[:2].T
    # Principal axes are defined up to sign.
    signs = np.sign((projection.coordinates * expected).sum(axis=0))
    np.testing.assert_allclose(projection.coordinates * signs, expected, atol=1e-8)
    # Each point's marker is its typology category: the same counts.
    per_class = np.zeros((2, 4), dtype=int)
    np.add.at(per_class, (projection.class_codes, projection.categories), 1)
    assert per_class.tolist() == report.typology_counts


def test_typology_is_unchanged_by_the_units_of_a_feature():
    X, y, names = _fraud_like(n_samples=800, seed=2)
    before = inspect(X, y, feature_names=names)
    rescaled = X.copy()
    rescaled[:, 2] *= 1000.0  # v2 in other units
    rescaled[:, 5] /= 1000.0  # amount in thousands
    after = inspect(rescaled, y, feature_names=names)
    assert after.typology_counts == before.typology_counts
    codes = lambda report: [  # noqa: E731
        f.code for f in report.findings if f.code != "scale_disparity"
    ]
    assert codes(after) == codes(before)


def test_identifier_rule_spares_genuine_features():
    rng = np.random.default_rng(3)
    n = 300
    y = np.repeat([0, 1], [270, 30])
    columns = {
        "height": rng.normal(170, 10, n),  # unique per row, not monotone
        "age": rng.integers(18, 90, n).astype(float),  # integers, repeated
        "paid": rng.permutation(n).astype(float),  # unique integers, not an id name
        "customer_id": rng.permutation(n).astype(float) + 10_000,  # id name
        "CustomerID": rng.permutation(n).astype(float),  # camelCase id
        "Unnamed: 0": rng.permutation(n).astype(float),  # pandas index in a CSV
        "uuid_code": rng.permutation(n) + 0.5,  # not integer-valued: spared
        "timestamp": np.cumsum(rng.exponential(1.0, n)),  # sorted: row order
    }
    X = np.column_stack(list(columns.values()))
    report = inspect(X, y, feature_names=list(columns))
    assert sorted(report.identifier_features) == [
        "CustomerID",
        "Unnamed: 0",
        "customer_id",
        "timestamp",
    ]
    assert report.typology_features == ["height", "age", "paid", "uuid_code"]


def test_identifier_rule_needs_enough_rows_and_never_empties_the_checks():
    # Few rows: a monotone column is likely by chance, so nothing is flagged.
    small = inspect(np.array([[0.0], [1.0], [2.0]]), np.array([0, 1, 1]))
    assert small.identifier_features == {}
    # A single monotone column is flagged but still checked (it is all there is).
    index = np.arange(300)
    X = (index + 0.001 * index**1.5)[:, None]
    report = inspect(X, (index // 3) % 2)
    assert list(report.identifier_features) == ["x0"]
    assert not report.identifiers_excluded
    assert report.typology_features == ["x0"]
    finding = next(f for f in report.findings if f.code == "identifier_columns")
    assert "kept in the checks" in finding.message


def test_duplicates_hidden_behind_an_id_are_found():
    X, y, names = _fraud_like(n_samples=400, seed=4)
    X[350:360, 1:] = X[10:20, 1:]  # the same records under new ids
    y[350:360] = y[10:20]
    report = inspect(X, y, feature_names=names)
    assert report.n_duplicate_rows == 10


def test_nan_advice_names_impute_inside_the_pipeline():
    X, y, names = _fraud_like(n_samples=300, seed=5)
    X[:7, 3] = np.nan
    finding = next(
        f for f in inspect(X, y, feature_names=names).findings if f.code == "nan_values"
    )
    assert "--impute median" in finding.suggestion
    assert "impute='median'" in finding.suggestion
    assert "Never impute the whole file" in finding.suggestion


def test_standardised_typology_and_identifiers_on_every_backend(backend):
    X, y, names = _fraud_like(n_samples=500, seed=6)
    expected = inspect(X, y, feature_names=names)
    X_backend, y_backend = backend.asarray(X), backend.asarray(y)
    report = inspect(X_backend, y_backend, feature_names=names)
    assert report.identifier_features == expected.identifier_features
    assert report.typology_features == expected.typology_features
    got, want = np.array(report.typology_counts), np.array(expected.typology_counts)
    assert (got.sum(axis=1) == want.sum(axis=1)).all()
    assert np.abs(got - want).sum() <= 2  # float32 devices may break a near-tie
    assert backend.device_of(X_backend) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(X_backend), X)


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_names_are_the_report_keys(category):
    X, y, names = _fraud_like(n_samples=200, seed=7)
    assert category in inspect(X, y, feature_names=names).typology_shares[1]
