"""check_split: planted leakage and split problems are found with their exact counts."""

from __future__ import annotations

import json

import array_api_strict
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE as ImblearnSMOTE
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from balancekit import SMOTE, RandomOverSampler, SMOTETomek
from balancekit.diagnostics._findings import SEVERITIES
from balancekit.diagnostics._segments import segment_matches
from balancekit.diagnostics._split import SplitReport, check_split

RNG = np.random.default_rng(0)


def _codes(report: SplitReport) -> dict[str, str]:
    return {f.code: f.severity for f in report.findings}


def _finding(report: SplitReport, code: str):
    (found,) = [f for f in report.findings if f.code == code]
    return found


def _leaky_split():
    """60 training rows; 12 test rows of which 5 copy training rows (2 relabelled),
    3 are near copies and 4 are new."""
    rng = np.random.default_rng(1)
    X_train = rng.normal(size=(60, 4))
    y_train = np.repeat([0, 1, 2], 20)
    copies = np.array([3, 17, 25, 41, 58])
    near_of = np.array([5, 30, 50])
    X_test = np.concatenate(
        [
            rng.normal(size=(2, 4)) + 6,
            X_train[copies],
            X_train[near_of] + 1e-4,
            rng.normal(size=(2, 4)) - 6,
        ]
    )
    y_test = np.concatenate([[0, 1], y_train[copies], y_train[near_of], [2, 2]]).astype(
        np.int64
    )
    y_test[[2, 3]] = (y_test[[2, 3]] + 1) % 3  # two copies carry another label
    return X_train, y_train, X_test, y_test


def _as(backend, *arrays):
    return [backend.asarray(a) for a in arrays]


def test_duplicates_and_near_duplicates_are_counted_exactly(backend):
    X_train, y_train, X_test, y_test = _leaky_split()
    report = check_split(*_as(backend, X_train, y_train, X_test, y_test))
    assert backend.to_numpy(report.duplicate_rows).tolist() == [2, 3, 4, 5, 6]
    assert report.n_duplicates_same_label == 3
    assert report.n_duplicates_other_label == 2
    assert backend.to_numpy(report.near_duplicate_rows).tolist() == [7, 8, 9]
    assert report.near_duplicates_expected == 0.0
    duplicates = _finding(report, "duplicate_rows")
    assert (duplicates.severity, duplicates.count) == ("error", 5)
    assert duplicates.message == (
        "5 test rows duplicate a training row (3 with the same label, 2 with another)"
    )
    assert "drop_duplicates" in duplicates.suggestion
    assert _finding(report, "near_duplicate_rows").severity == "warning"
    distances = backend.to_numpy(report.nearest_train_distance)
    np.testing.assert_allclose(distances[[7, 8, 9]], 2e-4, rtol=1e-6)
    assert (distances[2:7] == 0).all()
    assert (distances[[0, 1, 10, 11]] > 1).all()
    for name in ("duplicate_rows", "near_duplicate_rows", "nearest_train_distance"):
        assert backend.device_of(getattr(report, name)) == backend.device


def test_results_on_every_backend_equal_numpy(backend):
    X_train, y_train, X_test, y_test = _leaky_split()
    X_test = np.concatenate([X_test, [0.25 * X_train[0] + 0.75 * X_train[1]]])
    y_test = np.append(y_test, 0)
    expected = check_split(X_train, y_train, X_test, y_test).to_dict()
    got = check_split(*_as(backend, X_train, y_train, X_test, y_test)).to_dict()
    distances = (
        got.pop("nearest_train_distance"),
        expected.pop("nearest_train_distance"),
    )
    np.testing.assert_allclose(*distances, rtol=1e-12)
    for key in ("distance_scale", "near_duplicate_threshold", "segment_steps"):
        np.testing.assert_allclose(got.pop(key), expected.pop(key), rtol=1e-12)
    for finding in got["findings"] + expected["findings"]:
        finding["details"].pop("threshold", None)
        finding["message"] = finding["message"].split(" within ")[0]
    assert got == expected
    assert expected["segment_rows"] == [12]
    assert expected["segment_endpoints"] == [[1, 0]]  # the nearer end first


def _smote_then_split(sampler, n_samples=300, random_state=3):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        weights=[0.85, 0.15],
        random_state=random_state,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    rows = np.arange(len(X_res))
    train_rows, test_rows = train_test_split(
        rows, test_size=0.3, stratify=y_res, random_state=random_state
    )
    return X, X_res, y_res, train_rows, test_rows


def _brute_force_segments(X_train, y_train, X_test, y_test, rtol):
    """Every test row against every pair of same-class training rows."""
    scale_j = X_train.std(axis=0)
    flagged = []
    for i, (q, c) in enumerate(zip(X_test, y_test, strict=True)):
        members = X_train[y_train == c]
        first, second = np.triu_indices(len(members), 1)
        a, b = members[first], members[second]
        u, v = q - a, b - a
        scale = np.abs(a) + np.abs(b) + np.abs(q) + scale_j
        w = 1 / scale**2
        den = (w * v * v).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (w * u * v).sum(axis=1) / den
            residual = (np.abs(u - t[:, None] * v) / scale).max(axis=1)
        if ((den > 0) & (t > 0) & (t < 1) & (residual <= rtol)).any():
            flagged.append(i)
    return flagged


def test_segment_detector_finds_balancekit_smote_rows_made_before_the_split():
    smote = SMOTE(random_state=0)
    X, X_res, y_res, train_rows, test_rows = _smote_then_split(smote)
    n = len(X)
    in_train = np.isin(np.arange(len(X_res)), train_rows)
    parents, partners = smote.synthetic_parents_, smote.synthetic_partners_
    synthetic = [i for i, r in enumerate(test_rows) if r >= n]
    both_parents_in_train = [
        i
        for i in synthetic
        if in_train[parents[test_rows[i] - n]] and in_train[partners[test_rows[i] - n]]
    ]
    report = check_split(
        X_res[train_rows], y_res[train_rows], X_res[test_rows], y_res[test_rows]
    )
    found = report.segment_rows.tolist()
    # Every synthetic test row whose two parents are in train is found; the others
    # found lie between a training parent and a synthetic sibling in train; no real
    # row is flagged.
    assert set(both_parents_in_train) <= set(found) <= set(synthetic)
    assert (len(synthetic), len(both_parents_in_train), len(found)) == (55, 15, 24)
    oracle = _brute_force_segments(
        X_res[train_rows],
        y_res[train_rows],
        X_res[test_rows],
        y_res[test_rows],
        report.segment_tol,
    )
    assert found == oracle
    # The endpoints and steps rebuild the rows.
    a, b = X_res[train_rows][report.segment_endpoints.T]
    t = report.segment_steps[:, None]
    np.testing.assert_allclose(a + t * (b - a), X_res[test_rows][found], atol=1e-12)
    segment = _finding(report, "segment_rows")
    assert segment.severity == "error"
    assert segment.count == 24
    assert "imblearn.pipeline.Pipeline" in segment.suggestion


def test_segment_detector_finds_imblearn_smote_rows_without_provenance():
    X, X_res, y_res, train_rows, test_rows = _smote_then_split(
        ImblearnSMOTE(random_state=0)
    )
    synthetic = [i for i, r in enumerate(test_rows) if r >= len(X)]
    report = check_split(
        X_res[train_rows], y_res[train_rows], X_res[test_rows], y_res[test_rows]
    )
    found = report.segment_rows.tolist()
    assert set(found) <= set(synthetic)
    oracle = _brute_force_segments(
        X_res[train_rows],
        y_res[train_rows],
        X_res[test_rows],
        y_res[test_rows],
        report.segment_tol,
    )
    assert found == oracle
    assert (len(synthetic), len(found)) == (55, 26)


def test_provenance_finds_exactly_the_synthetic_test_rows(backend):
    X, y = make_classification(
        n_samples=200, n_features=5, weights=[0.8, 0.2], random_state=5
    )
    X_b, y_b = _as(backend, X, y)
    smote = SMOTE(random_state=0)
    X_res, y_res = smote.fit_resample(X_b, y_b)
    n_res = int(X_res.shape[0])
    _, test_rows = train_test_split(np.arange(n_res), test_size=0.25, random_state=0)
    test_rows = np.sort(test_rows)
    train_rows = np.setdiff1d(np.arange(n_res), test_rows)
    take = lambda a, rows: backend.asarray(backend.to_numpy(a)[rows])  # noqa: E731
    report = check_split(
        take(X_res, train_rows),
        take(y_res, train_rows),
        take(X_res, test_rows),
        take(y_res, test_rows),
        sampler=smote,
        X_fit=X_b,
    )
    expected = np.flatnonzero(test_rows >= len(X)).tolist()
    assert backend.to_numpy(report.synthetic_rows).tolist() == expected
    assert len(expected) == 28
    finding = _finding(report, "synthetic_test_rows")
    assert (finding.severity, finding.count) == ("error", 28)
    assert finding.message == "28 test rows are synthetic rows of the sampler"


def test_provenance_of_a_combined_sampler_and_float32_torch():
    X, y = make_classification(
        n_samples=200, n_features=5, weights=[0.8, 0.2], random_state=5
    )
    X32 = torch.as_tensor(X, dtype=torch.float32)
    sampler = SMOTETomek(random_state=0)
    X_res, y_res = sampler.fit_resample(X32, torch.as_tensor(y))
    n_res = X_res.shape[0]
    test_rows = torch.arange(0, n_res, 4)
    train_mask = torch.ones(n_res, dtype=torch.bool)
    train_mask[test_rows] = False
    X_test = X_res[test_rows]
    report = check_split(
        X_res[train_mask], y_res[train_mask], X_test, y_res[test_rows],
        sampler=sampler, X_fit=X32,
    )  # fmt: skip
    smote_rows = sampler.smote_.fit_resample(X32, torch.as_tensor(y))[0]
    is_synthetic = [
        bool((smote_rows[len(X) :] == row).all(dim=1).any()) for row in X_test
    ]
    assert report.synthetic_rows.tolist() == np.flatnonzero(is_synthetic).tolist()
    assert report.segment_tol == pytest.approx(1000 * np.finfo(np.float32).eps)
    # float32 rows made before the split are still on their segments.
    assert set(report.segment_rows.tolist()) <= set(report.synthetic_rows.tolist())
    assert len(report.segment_rows) > 0


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3),
    direction=st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3),
    t=st.floats(1e-3, 1 - 1e-3),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_interpolated_rows_pass_and_displaced_rows_fail(a, direction, t, dtype):
    a = np.asarray(a, dtype=dtype)
    b = (a + np.asarray(direction, dtype=dtype)).astype(dtype)
    if np.abs(b - a).max() < 1e-2 * (np.abs(a).max() + 1):
        return  # endpoints equal up to rounding: no segment to speak of
    q = (a + dtype(t) * (b - a)).astype(dtype)
    # A unit normal of the segment. The decoy row sits on the side opposite the
    # displaced row, so no segment through it can reach the displaced row either.
    v = (b - a).astype(np.float64)
    normal = np.cross(v, [1.0, 0, 0]) if abs(v[0]) < abs(v[1]) + abs(v[2]) else None
    if normal is None:
        normal = np.cross(v, [0, 1.0, 0])
    normal /= np.linalg.norm(normal)
    fit = np.stack([a, b, a - 0.5 * np.linalg.norm(v) * normal]).astype(dtype)
    scale = np.ones(3, dtype=dtype)
    rtol = 1000 * np.finfo(dtype).eps
    import array_api_compat.numpy as xp

    cand = np.array([[0, 1]])
    ok, first, second, _ = segment_matches(fit, q[None], cand, scale, rtol, xp, "cpu")
    assert ok.tolist() == [True]
    assert {int(first[0]), int(second[0])} == {0, 1}
    # Moved off the line by 1% of the segment, perpendicular: not on the segment,
    # provided 1% of the segment exceeds the tolerance (rtol times the coordinates'
    # size, per coordinate): a short segment far from the origin is within it.
    size = np.abs(np.stack([a, b, q])).max()
    if 0.01 * np.linalg.norm(v) <= 2 * rtol * (3 * size + 1):
        return
    normal *= 0.01 * np.linalg.norm(v)
    off = (q + normal).astype(dtype)
    ok, *_ = segment_matches(fit, off[None], cand, scale, rtol, xp, "cpu")
    assert ok.tolist() == [False]


def test_missing_classes_are_errors_with_counts(backend):
    X, y = RNG.normal(size=(40, 3)), np.repeat([0, 1, 2, 3], 10)
    train, test = np.arange(0, 40, 2), np.arange(1, 40, 2)
    test = test[y[test] != 2]  # class 2 only in train
    train = train[y[train] != 3]  # class 3 only in test
    report = check_split(*_as(backend, X[train], y[train], X[test], y[test]))
    assert report.missing_in_test == [2]
    assert report.missing_in_train == [3]
    missing_test = _finding(report, "missing_class_in_test")
    assert (missing_test.severity, missing_test.count) == ("error", 5)
    assert (
        missing_test.message
        == "class 2 is missing from the test split (5 training rows)"
    )
    assert "stratify=y" in missing_test.suggestion
    assert _finding(report, "missing_class_in_train").count == 5
    assert report.train_counts == [5, 5, 5, 0]
    assert report.test_counts == [5, 5, 0, 5]


def test_class_distribution_shift_is_a_warning(backend):
    X = RNG.normal(size=(700, 3))
    y_train, y_test = np.r_[[0] * 450, [1] * 50], np.r_[[0] * 120, [1] * 80]
    report = check_split(*_as(backend, X[:500], y_train, X[500:], y_test))
    assert report.total_variation == pytest.approx(0.4 - 0.1)
    assert report.chi2_p_value < 1e-19
    shift = _finding(report, "class_distribution_shift")
    assert shift.severity == "warning"
    assert shift.details["shares_train_test"] == {"0": [0.9, 0.6], "1": [0.1, 0.4]}
    # The same shares with few rows are not significant: no finding.
    small = check_split(X[:10], [0] * 9 + [1], X[10:20], [0] * 6 + [1] * 4)
    assert "class_distribution_shift" not in _codes(small)
    assert small.chi2_p_value > 0.01


def test_clean_stratified_split_has_nothing_above_info():
    X, y = make_classification(
        n_samples=1500, n_features=10, weights=[0.9, 0.1], random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    report = check_split(X_train, y_train, X_test, y_test)
    assert report.severity in (None, "info")
    assert len(report.duplicate_rows) == len(report.segment_rows) == 0
    assert report.total_variation < 0.01


def test_nan_rows_are_left_out_and_reported():
    X_train, y_train, X_test, y_test = _leaky_split()
    X_train, X_test = X_train.copy(), X_test.copy()
    X_train[[0, 1], 2] = np.nan
    X_test[0, 0] = np.inf
    X_test[3, 1] = np.nan  # a duplicate row, now not compared
    before = (X_train.copy(), X_test.copy())
    report = check_split(X_train, y_train, X_test, y_test)
    assert (report.n_nonfinite_train, report.n_nonfinite_test) == (2, 2)
    assert report.duplicate_rows.tolist() == [2, 4, 5, 6]
    assert np.isnan(report.nearest_train_distance[[0, 3]]).all()
    finding = _finding(report, "nonfinite_rows")
    assert finding.severity == "warning"
    assert finding.count == 4
    np.testing.assert_array_equal(X_train, before[0])  # inputs untouched
    np.testing.assert_array_equal(X_test, before[1])


def test_report_serialises_and_prints():
    X_train, y_train, X_test, y_test = _leaky_split()
    report = check_split(X_train, y_train.astype(str), X_test, y_test.astype(str))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["classes"] == ["0", "1", "2"]
    assert data["duplicate_rows"] == [2, 3, 4, 5, 6]
    assert data["severity"] == "error"
    text = str(report)
    assert text.startswith("Split check: 60 training rows, 12 test rows, 4 features")
    assert "[error] 5 test rows duplicate a training row" in text
    assert SEVERITIES[-1] == data["findings"][0]["severity"]


def test_random_oversampling_before_the_split_shows_as_duplicates():
    X, y = make_classification(n_samples=200, weights=[0.9, 0.1], random_state=1)
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    X_train, X_test, y_train, y_test = train_test_split(
        X_res, y_res, test_size=0.3, random_state=0
    )
    report = check_split(X_train, y_train, X_test, y_test)
    dup_test = {i for i, row in enumerate(X_test) if (X_train == row).all(1).any()}
    assert report.duplicate_rows.tolist() == sorted(dup_test)
    assert len(dup_test) > 20
    assert report.n_duplicates_other_label == 0


def test_single_feature_skips_the_segment_check():
    X = np.arange(20.0)[:, None]
    report = check_split(X[::2], [0, 1] * 5, X[1::2], [0, 1] * 5)
    assert _codes(report)["segment_check_skipped"] == "info"
    assert len(report.segment_rows) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X_test": np.zeros((3, 5))}, ValueError, "different feature shapes"),
        ({"y_test": [0, 1]}, ValueError, "`X_test` and `y_test` have different"),
        ({"X_train": np.zeros(10)}, ValueError, "`X_train` must have shape"),
        ({"X_test": np.zeros((0, 4))}, ValueError, "`X_test` is empty"),
        ({"X_train": sp.csr_matrix(np.ones((10, 4)))}, TypeError, "sparse"),
        ({"X_train": np.full((10, 4), "a")}, TypeError, "`X_train` has dtype"),
        ({"y_test": ["a", "b", "c"]}, TypeError, "cannot be compared"),
        ({"X_test": torch.zeros(3, 4)}, TypeError, "different array libraries"),
        ({"near_duplicate_tol": 2.0}, ValueError, "`near_duplicate_tol` must be in"),
        ({"segment_tol": 0.0}, ValueError, "`segment_tol` must be > 0"),
        ({"n_neighbors": 1}, ValueError, "`n_neighbors` must be >= 2"),
        ({"n_neighbors": 2.5}, TypeError, "`n_neighbors` must be an int"),
        ({"shift_alpha": 0.0}, ValueError, "`shift_alpha` must be in"),
        ({"sampler": SMOTE()}, ValueError, "`sampler` was given without `X_fit`"),
        ({"X_fit": np.zeros((3, 4))}, ValueError, "`X_fit` was given without"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, error, match):
    args = {
        "X_train": np.zeros((10, 4)),
        "y_train": np.repeat([0, 1], 5),
        "X_test": np.ones((3, 4)),
        "y_test": [0, 1, 1],
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        check_split(**args)


def test_bad_samplers_are_explained():
    X, y = make_classification(n_samples=60, weights=[0.8, 0.2], random_state=0)
    split = (X[:40], y[:40], X[40:], y[40:])
    with pytest.raises(ValueError, match="has not resampled yet"):
        check_split(*split, sampler=SMOTE(), X_fit=X)
    over = RandomOverSampler(random_state=0)
    over.fit_resample(X, y)
    with pytest.raises(TypeError, match="duplicate rows"):
        check_split(*split, sampler=over, X_fit=X)
    smote = SMOTE(random_state=0)
    smote.fit_resample(X, y)
    with pytest.raises(ValueError, match="`X_fit` has 30 rows"):
        check_split(*split, sampler=smote, X_fit=X[:30])
    with pytest.raises(ValueError, match="`X_fit` has 5 features"):
        check_split(*split, sampler=smote, X_fit=X[:, :5])


def test_mixed_devices_are_refused():
    cpu = array_api_strict.Device("CPU_DEVICE")
    other = array_api_strict.Device("device1")
    X = array_api_strict.asarray(np.zeros((4, 2)), device=cpu)
    y = array_api_strict.asarray(np.array([0, 1, 0, 1]), device=cpu)
    X_other = array_api_strict.asarray(np.ones((2, 2)), device=other)
    y_other = array_api_strict.asarray(np.array([0, 1]), device=other)
    with pytest.raises(ValueError, match="`X_test` is on device"):
        check_split(X, y, X_other, y_other)
