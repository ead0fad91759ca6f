"""``inspect`` finds each planted problem with its exact count, stays quiet on clean
data, runs where the data live and never touches its input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification

from balancekit.diagnostics import (
    DataReport,
    Finding,
    _data_checks,
    _inspect,
    _typology,
    inspect,
)

N_SAMPLES = 600


def _clean() -> tuple[np.ndarray, np.ndarray]:
    """Well separated, similar scales, mildly imbalanced (4:1)."""
    X, y = make_classification(
        n_samples=N_SAMPLES,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_clusters_per_class=1,
        weights=[0.8],
        flip_y=0,
        class_sep=3.0,
        random_state=0,
    )
    return X, y


def _not_info(report: DataReport) -> dict[str, Finding]:
    return {f.code: f for f in report.findings if f.severity != "info"}


def test_clean_data_has_nothing_above_info():
    X, y = _clean()
    report = inspect(X, y)
    assert report.worst_severity == "info"
    assert report.n_duplicate_rows == report.n_conflicting_rows == 0
    assert report.constant_features == report.near_constant_features == []
    assert report.scale_ratio < 10
    assert report.class_counts == np.bincount(y).tolist() == [481, 119]
    assert report.imbalance_ratios == [1.0, 481 / 119]
    assert [f.code for f in report.findings] == ["class_counts"]


def _duplicates(X, y):
    X, y = X.copy(), y.copy()
    X[[10, 11, 12, 13, 14, 15, 16]] = X[[100, 101, 102, 103, 104, 105, 106]]
    y[[10, 11, 12, 13, 14, 15, 16]] = y[[100, 101, 102, 103, 104, 105, 106]]
    return X, y


def _conflicts(X, y):
    X, y = X.copy(), y.copy()
    # Row 300 appears three times, two of them relabelled; rows 301, 302 twice.
    X[[20, 21, 22, 23]] = X[[300, 300, 301, 302]]
    y[[20, 21, 22, 23]] = 1 - y[[300, 300, 301, 302]]
    return X, y


def _nan_inf(X, y):
    X = X.copy()
    X[[3, 30, 40, 41], 1] = np.nan
    X[50, 2] = np.inf
    X[51, 4] = -np.inf
    X[3, 5] = np.nan  # row 3 twice non-finite: still one row
    return X, y


def _constant(X, y):
    return np.column_stack([X, np.full(len(X), 3.5)]), y


def _scaled(X, y):
    X = X.copy()
    X[:, 3] *= 1e-4  # shrinking keeps the neighbourhoods (and the typology) intact
    return X, y


def _tiny_class(X, y):
    y = y.copy()
    y[[5, 6, 7, 8]] = 2
    return X, y


PLANTED = {
    "duplicates": (_duplicates, {"duplicate_rows": 7}),
    "conflicts": (_conflicts, {"duplicate_rows": 4, "conflicting_labels": 7}),
    "nan_inf": (_nan_inf, {"nan_values": 5, "inf_values": 2}),
    "constant": (_constant, {"constant_features": 1}),
    "scaled": (_scaled, {"scale_disparity": None}),
    # Four random rows relabelled: a tiny class of outliers, rightly flagged too.
    "tiny_class": (_tiny_class, {"tiny_class": 4, "rare_outlier_class": None}),
}


@pytest.mark.parametrize("name", PLANTED)
def test_each_planted_problem_is_found_with_its_count(name):
    plant, expected = PLANTED[name]
    report = inspect(*plant(*_clean()))
    found = _not_info(report)
    assert {code: found[code].count for code in found} == expected


def test_planted_counts_in_the_report():
    X, y = _clean()
    for plant in (_duplicates, _conflicts, _nan_inf, _constant, _scaled, _tiny_class):
        X, y = plant(X, y)
    report = inspect(X, y)
    assert report.n_duplicate_rows == 7 + 4
    assert report.n_duplicate_groups == 7 + 3
    assert report.n_conflicting_groups == 3
    assert report.n_conflicting_rows == 7
    assert report.conflict_examples == [[20, 21, 300], [22, 301], [23, 302]]
    assert report.nan_counts == [0, 4, 0, 0, 0, 1, 0]
    assert report.inf_counts == [0, 0, 1, 0, 1, 0, 0]
    assert report.n_nonfinite_rows == 6
    assert report.constant_features == ["x6"]
    assert 1e3 < report.scale_ratio < 1e5
    tiny = _not_info(report)["tiny_class"]
    assert tiny.message == "class 2 has 4 samples"
    assert "SMOTE needs k_neighbors <= 3" in tiny.suggestion
    scale = _not_info(report)["scale_disparity"]
    assert "standardise before kNN samplers (SMOTE" in scale.suggestion
    assert "x3" in scale.message
    # Rows with NaN/inf are left out of the typology, and that is said.
    assert sum(map(sum, report.typology_counts)) == len(y) - 6
    assert (
        "6 rows holding NaN or inf were left out"
        in _not_info(report)["nan_values"].message
    )


def test_near_constant_column_is_info():
    X, y = _clean()
    column = np.zeros(len(X))
    column[:4] = 1.0  # 596 / 600 = 99.3% zeros
    report = inspect(np.column_stack([X, column]), y)
    assert report.near_constant_features == ["x6"]
    assert report.dominant_shares[6] == pytest.approx(596 / 600)
    assert report.worst_severity == "info"


def test_column_statistics_match_numpy():
    X, y = _nan_inf(*_clean())
    report = inspect(X, y)
    masked = np.where(np.isfinite(X), X, np.nan)
    np.testing.assert_allclose(report.feature_std, np.nanstd(masked, axis=0))
    q75, q25 = np.nanpercentile(masked, [75, 25], axis=0)
    np.testing.assert_allclose(report.feature_iqr, q75 - q25)


def test_overlapping_minority_gets_difficulty_advice():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (400, 2)), rng.normal(0.6, 1, (100, 2))])
    y = np.repeat([0, 1], [400, 100])
    found = _not_info(inspect(X, y))
    # 55% of class 1 is rare or outlier (31% rare, 24% outlier): SMOTE would
    # interpolate across class 0, so the advice is plain over-sampling or weights.
    assert set(found) & {"borderline_class", "rare_outlier_class"} == {
        "rare_outlier_class"
    }
    suggestion = found["rare_outlier_class"].suggestion
    assert "RandomOverSampler" in suggestion
    assert "compute_class_weight" in suggestion


def test_borderline_class_advice():
    # Blocks of three points per class alternate along a line (spacing growing, so
    # no ties): every point has exactly 2 same-class points among its 5 neighbours.
    index = np.arange(300)
    X = (index + 0.001 * index**1.5)[:, None]
    y = (index // 3) % 2
    report = inspect(X, y)
    assert report.typology_counts == [[0, 150, 0, 0], [0, 150, 0, 0]]
    messages = [f.message for f in report.findings if f.code == "borderline_class"]
    assert [m[:30] for m in messages] == [
        "100% of class 0 is borderline ",
        "100% of class 1 is borderline ",
    ]
    assert (
        "try SMOTEENN or BorderlineSMOTE"
        in _not_info(report)["borderline_class"].suggestion
    )


def test_string_labels_and_pandas():
    pd = pytest.importorskip("pandas")
    X, y = _clean()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    labels = np.where(y == 1, "fraud", "ok")
    report = inspect(frame, labels)
    assert report.classes == ["fraud", "ok"]
    assert report.feature_names == list(frame.columns)
    json.dumps(report.to_dict())


def test_input_is_not_modified():
    X, y = _nan_inf(*_duplicates(*_clean()))
    X_before, y_before = X.copy(), y.copy()
    inspect(X, y, max_samples=100)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_to_dict_is_plain_json_and_str_renders():
    X, y = _nan_inf(*_constant(*_clean()))
    report = inspect(X, y)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["nan_counts"] == report.nan_counts
    assert data["feature_std"][6] == 0.0
    assert data["typology_shares"]["1"]["safe"] == report.typology_shares[1]["safe"]
    assert [f["code"] for f in data["findings"]] == [f.code for f in report.findings]
    text = str(report)
    assert text.splitlines()[0].startswith("Data report: 600 samples x 7 features")
    assert "borderline" in text
    assert "[error] 5 NaN values" in text


def test_all_nan_column_and_too_few_rows():
    X = np.array([[np.nan, 1.0], [np.nan, 2.0], [np.nan, 3.0]])
    report = inspect(X, np.array([0, 1, 1]))
    assert report.nan_counts == [3, 0]
    assert report.constant_features == ["x0"]
    assert report.typology_counts is None
    assert "typology_skipped" in {f.code for f in report.findings}
    json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_neighbors": 0}, ValueError, "`n_neighbors` must be >= 1"),
        ({"n_neighbors": 2.5}, TypeError, "`n_neighbors` must be an int"),
        ({"max_samples": 0}, ValueError, "`max_samples` must be >= 1"),
        ({"feature_names": ["a"]}, ValueError, "`feature_names` must name each"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        inspect(*_clean(), **kwargs)


def test_bad_inputs():
    X, y = _clean()
    with pytest.raises(ValueError, match="`X` must be 2-D"):
        inspect(X[:, 0], y)
    with pytest.raises(ValueError, match="`X` has 600 rows but `y` has 599"):
        inspect(X, y[:-1])
    with pytest.raises(TypeError, match="numeric features"):
        inspect(X.astype(str), y)
    with pytest.raises(ValueError, match="no feature columns"):
        inspect(np.empty((3, 0)), np.array([0, 1, 1]))
    scipy_sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="sparse"):
        inspect(scipy_sparse.csr_matrix(X), y)


def _planted_all():
    X, y = _clean()
    for plant in (_conflicts, _nan_inf, _constant, _scaled):
        X, y = plant(X, y)
    return X, y


TYPOLOGY_KEYS = {"typology_counts", "typology_shares", "findings", "worst_severity"}


def test_backends_agree_with_numpy_and_stay_small_on_host(backend, monkeypatch):
    """Every transfer to the host is a summary (<= n_features, classes x 4, or the
    capped projection sample), never O(n_samples); results equal NumPy's."""
    X, y = _planted_all()
    expected = inspect(X, y).to_dict()
    sizes = []

    def recording(to_host):
        def wrapper(x, xp):
            sizes.append(int(np.prod(getattr(x, "shape", ()))))
            return to_host(x, xp)

        return wrapper

    monkeypatch.setattr(_inspect, "PROJECTION_SAMPLES", 40)
    for module in (_inspect, _data_checks, _typology):
        monkeypatch.setattr(module, "to_host", recording(module.to_host))
    X_backend, y_backend = backend.asarray(X), backend.asarray(y)
    report = inspect(X_backend, y_backend)
    assert max(sizes) <= 40 * X.shape[1] < len(X) / 2
    got = report.to_dict()
    for key, value in expected.items():
        if key in TYPOLOGY_KEYS:
            continue
        if key in ("feature_std", "feature_iqr", "scale_ratio", "dominant_shares"):
            np.testing.assert_allclose(got[key], value, rtol=1e-12)
        else:
            assert got[key] == value, key
    # Ties among the planted duplicates may pick different equidistant neighbours;
    # everything else of the typology agrees.
    got_counts, expected_counts = (
        np.array(d["typology_counts"]) for d in (got, expected)
    )
    assert (got_counts.sum(axis=1) == expected_counts.sum(axis=1)).all()
    assert np.abs(got_counts - expected_counts).sum() <= 2 * 4
    # The input is untouched and still on its device.
    assert backend.device_of(X_backend) == backend.device
    np.testing.assert_array_equal(backend.to_numpy(X_backend), X)


def test_float32_torch_input():
    torch = pytest.importorskip("torch")
    X, y = _duplicates(*_clean())
    report = inspect(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y))
    assert report.n_duplicate_rows == 7
    assert report.worst_severity == "warning"


def test_import_loads_no_framework_and_no_matplotlib():
    code = (
        "import sys, balancekit.diagnostics\nheavy = [m for m in ('torch', "
        "'tensorflow', 'matplotlib') if m in sys.modules]\nprint(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_plots(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from balancekit.diagnostics.plots import plot_difficulty, plot_projection

    report = inspect(*_tiny_class(*_clean()))
    written = report.plot(tmp_path / "all.png")
    assert written == [tmp_path / "all.png"]
    assert written[0].read_bytes()[:4] == b"\x89PNG"
    figure = Figure()
    axes = figure.add_subplot()
    assert plot_projection(report, ax=axes) is figure
    # Three classes, four markers: every class and category in the legend.
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["0", "1", "2", "safe", "borderline", "rare", "outlier"]
    tiny = inspect(np.array([[0.0], [1.0]]), np.array([0, 1]))
    with pytest.raises(ValueError, match="no neighbourhood typology"):
        plot_difficulty(tiny)
    with pytest.raises(TypeError, match="`report` must be a DataReport"):
        plot_difficulty({"classes": []})
