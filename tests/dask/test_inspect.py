"""``inspect`` on Dask and ``balancekit inspect`` on a Parquet folder or glob.

Oracle: the in-memory ``inspect`` on the computed data. Exact fields must be equal
(floats to round-off); the typology is equal when the sample holds every finite row.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balancekit.cli import main
from balancekit.diagnostics import inspect
from balancekit.diagnostics._typology import stratified_quotas

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
inspect_module = pytest.importorskip("balancekit.dask._inspect")

# Fields computed from all rows, exactly (floats: to round-off).
EXACT = [
    "n_samples",
    "n_features",
    "feature_names",
    "classes",
    "class_counts",
    "imbalance_ratios",
    "nan_counts",
    "inf_counts",
    "n_nonfinite_rows",
    "constant_features",
    "near_constant_features",
    "dominant_shares",
    "feature_std",
    "feature_iqr",
    "scale_ratio",
    "n_duplicate_rows",
    "n_duplicate_groups",
    "n_conflicting_rows",
    "n_conflicting_groups",
    "conflict_examples",
    "identifier_features",
    "identifiers_excluded",
    "typology_features",
]
TYPOLOGY = ["n_neighbors", "typology_counts", "typology_sampled"]


def _close(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
    return a == b


def assert_same(dask_report, memory_report, fields=EXACT + TYPOLOGY):
    got, want = dask_report.to_dict(), memory_report.to_dict()
    for field in fields:
        assert _close(got[field], want[field]), (field, got[field], want[field])


def messy_data(n=300, seed=0):
    """NaN, inf, duplicates (some conflicting, across partitions), a constant, a
    near-constant, a wide and two identifier-like columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 7))
    X[:, 1] *= 1000.0
    X[:, 2] = 4.0  # constant
    X[:, 3] = np.where(np.arange(n) == 7, 1.0, 0.0)  # near-constant
    X[:, 4] = np.arange(n) + 100.0  # monotone: identifier
    X[:, 5] = rng.permutation(n)  # integer, distinct, named customer_id
    X[5, 0], X[9, 6], X[11, 6] = np.nan, np.inf, -np.inf
    y = rng.choice([0, 1, 2], size=n, p=[0.7, 0.2, 0.1])
    for a, b in [(10, 250), (30, 31), (30, 140), (60, 200)]:
        X[b, [0, 1, 2, 3, 6]] = X[a, [0, 1, 2, 3, 6]]
    y[[10, 250]] = [0, 1]  # a conflict spanning partitions
    names = ["f", "wide", "const", "near", "row", "customer_id", "g"]
    return X, y, names


@pytest.mark.parametrize("layout", ["array", "uneven", "frame"])
def test_report_equals_in_memory_on_cluster(client, layout):
    X, y, names = messy_data()
    memory = inspect(X, y, feature_names=names)
    if layout == "frame":
        frame = dd.from_pandas(pd.DataFrame(X, columns=names).assign(t=y), 4)
        report = inspect(frame[names], frame["t"])
    else:
        chunks = 80 if layout == "array" else (7, 150, 1, 0, 142)
        X_dask = da.from_array(X, chunks=(chunks, 3))
        report = inspect(X_dask, da.from_array(y, chunks=chunks), feature_names=names)
    assert_same(report, memory)
    assert set(report.identifier_features) == {"row", "customer_id"}
    assert report.n_conflicting_groups >= 1
    assert [10, 250] in report.conflict_examples
    assert "dask_estimates" not in [f.code for f in report.findings]
    assert [f.code for f in report.findings] == [f.code for f in memory.findings]


def test_same_report_on_any_scheduler_and_layout(client):
    """A sampled typology depends on random_state and the partitioning only."""
    X, y, _ = messy_data(n=600, seed=3)
    X_dask, y_dask = da.from_array(X, chunks=(100, 7)), da.from_array(y, chunks=100)
    on_cluster = inspect(X_dask, y_dask, max_samples=90, random_state=5).to_dict()
    with dask.config.set(scheduler="synchronous"):
        synchronous = inspect(X_dask, y_dask, max_samples=90, random_state=5)
    assert on_cluster == synchronous.to_dict()
    with dask.config.set(scheduler="synchronous"):
        other = inspect(
            da.from_array(X, chunks=(50, 7)),
            da.from_array(y, chunks=50),
            max_samples=90,
        )
    assert_same(other, synchronous, EXACT)


def test_sampled_typology_is_stratified_and_stated(synchronous, monkeypatch):
    """Past ALL_ROWS_PAIRS the neighbours are searched within the sample."""
    monkeypatch.setattr(inspect_module, "ALL_ROWS_PAIRS", 0)
    X, y, _ = messy_data(n=600, seed=1)
    report = inspect(
        da.from_array(X, chunks=(90, 7)), da.from_array(y, 90), max_samples=60
    )
    assert report.typology_sampled
    finite = np.isfinite(X).all(axis=1)
    quotas = stratified_quotas(np.bincount(y[finite]), 60)
    assert np.sum(report.typology_counts, axis=1).tolist() == quotas.tolist()
    estimates = [f for f in report.findings if f.code == "dask_estimates"]
    assert estimates
    assert estimates[0].details["fields"] == [
        "typology_counts",
        "projection",
    ]
    assert_same(report, inspect(X, y), EXACT)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    n=st.integers(2, 60),
    n_features=st.integers(1, 3),
    chunk=st.integers(1, 25),
    seed=st.integers(0, 2**16),
)
def test_exact_fields_property(n, n_features, chunk, seed):
    """Few distinct values: many duplicates, conflicts, ties and constants."""
    rng = np.random.default_rng(seed)
    X = rng.choice(
        [0.0, -0.0, 1.0, 2.5, np.nan, np.inf],
        size=(n, n_features),
        p=[0.3, 0.1, 0.3, 0.2, 0.05, 0.05],
    )
    y = rng.integers(0, 3, n)
    with dask.config.set(scheduler="synchronous"):
        report = inspect(
            da.from_array(X, chunks=(chunk, n_features)), da.from_array(y, chunk)
        )
    assert_same(report, inspect(X, y), EXACT)


def test_hash_collisions_are_confirmed_by_comparing_rows(synchronous, monkeypatch):
    X, y, names = messy_data()
    want = inspect(X, y, feature_names=names)

    def one_hash(frame, **_):  # every row collides
        return pd.Series(np.zeros(len(frame), dtype=np.uint64))

    monkeypatch.setattr(pd.util, "hash_pandas_object", one_hash)
    got = inspect(
        da.from_array(X, chunks=(64, 7)), da.from_array(y, 64), feature_names=names
    )
    assert_same(got, want, EXACT)


def test_sketch_estimates_and_exact_dominance(synchronous, monkeypatch):
    """Partitions larger than their sketch: the IQR is estimated (and said to be),
    a dominant value's share stays exact."""
    monkeypatch.setattr(inspect_module, "_SKETCH_POINTS", 64)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4000, 2))
    X[:, 1] = np.where(rng.random(4000) < 0.995, 3.0, rng.normal(size=4000))
    y = rng.integers(0, 2, 4000)
    got = inspect(da.from_array(X, chunks=(500, 2)), da.from_array(y, 500))
    want = inspect(X, y)
    assert got.near_constant_features == want.near_constant_features == ["x1"]
    assert got.dominant_shares[1] == want.dominant_shares[1]
    assert got.feature_iqr[0] == pytest.approx(want.feature_iqr[0], rel=0.1)
    fields = next(f for f in got.findings if f.code == "dask_estimates").details
    assert "feature_iqr" in fields["fields"]
    assert_same(got, want, ["class_counts", "feature_std", "scale_ratio"])


def test_text_labels_of_a_dataframe(client):
    X, _, _ = messy_data()
    y = np.where(np.arange(300) % 7 == 0, "rare", "common")
    frame = dd.from_pandas(pd.DataFrame(X[:, :2], columns=["a", "b"]).assign(t=y), 3)
    got = inspect(frame[["a", "b"]], frame["t"])
    assert_same(got, inspect(X[:, :2], y, feature_names=["a", "b"]))
    assert got.classes == ["common", "rare"]


def test_client_receives_no_rows_beyond_the_sample(synchronous, monkeypatch):
    """What reaches the client does not grow with the rows (4x rows here)."""
    received = []
    compute = dask.compute

    def measured(*args, **kwargs):
        results = compute(*args, **kwargs)
        received.append(len(pickle.dumps(results)))
        return results

    monkeypatch.setattr(dask, "compute", measured)
    monkeypatch.setattr(inspect_module, "_SKETCH_POINTS", 1024)
    sizes = []
    for n in (8_000, 32_000):
        received.clear()
        rng = np.random.default_rng(0)
        X = da.from_array(rng.normal(size=(n, 8)), chunks=(n // 4, 8))
        y = da.from_array(rng.integers(0, 2, n), chunks=n // 4)
        report = inspect(X, y, max_samples=200)
        assert report.n_samples == n
        sizes.append(sum(received))
    assert sizes[1] < 1.1 * sizes[0] + 10_000
    assert sizes[1] < 32_000 * 8 * 8 / 10


def test_bad_input(synchronous, monkeypatch):
    X, y, _ = messy_data()
    X, y = X[:40], y[:40]
    X_dask, y_dask = da.from_array(X, chunks=(10, 7)), da.from_array(y, 10)
    with pytest.raises(TypeError, match=r"`y` is a numpy.ndarray but `X` is a Dask"):
        inspect(X_dask, y)
    with pytest.raises(ValueError, match=r"`X` has unknown chunk sizes"):
        inspect(X_dask[y_dask >= 0], y_dask)
    with pytest.raises(ValueError, match=r"rechunk"):
        inspect(X_dask, da.from_array(y, 20))
    with pytest.raises(TypeError, match=r"`X` has dtype object"):
        inspect(da.from_array(X.astype(object), chunks=(10, 7)), y_dask)
    frame = dd.from_pandas(pd.DataFrame({"a": X[:, 0], "s": ["u"] * 40}), 2)
    with pytest.raises(TypeError, match=r"`X` has non-numeric dtype"):
        inspect(frame, dd.from_pandas(pd.Series(y), 2))
    with pytest.raises(ValueError, match=r"`max_samples`"):
        inspect(X_dask, y_dask, max_samples=0)
    monkeypatch.setattr(inspect_module, "SAMPLE_BYTES", 1000)
    with pytest.raises(ValueError, match=r"`max_samples` = 20 rows of 7 features"):
        inspect(X_dask, y_dask, max_samples=20)
    tiny = inspect(X_dask, y_dask, max_samples=2)  # fewer rows than neighbours
    assert np.sum(tiny.typology_counts) == 2
    labels = pd.Series(["a"] * 39 + [None])
    with pytest.raises(ValueError, match=r"`y` contains 1 missing labels"):
        inspect(dd.from_pandas(pd.DataFrame(X), 2), dd.from_pandas(labels, 2))


# ------------------------------------------------------------------------ the CLI


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["inspect", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def parquet_folder(tmp_path):
    X, y, names = messy_data(n=450, seed=4)
    frame = pd.DataFrame(X, columns=names)
    frame["label"] = np.array(["neg", "pos", "mid"])[y]
    frame.loc[17, "label"] = None
    frame["note"] = "text"
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, 450, 100)):
        frame.iloc[start : start + 100].to_parquet(folder / f"part-{i}.parquet")
    whole = tmp_path / "whole.parquet"
    frame.drop(columns="note").to_parquet(whole)
    return folder, whole


def test_cli_parquet_folder_and_glob(synchronous, parquet_folder):
    folder, whole = parquet_folder
    code, out, err = _cli(whole, "--target", "label", "--json")
    assert code == 0, err
    want = json.loads(out)
    for path in (folder, f"{folder}/part-*.parquet"):
        code, out, err = _cli(path, "--target", "label", "--json")
        assert code == 0, err
        got = json.loads(out)
        assert got["target_rows_without_label"] == 1
        assert got["non_numeric_columns_left_out"] == ["note"]
        for field in EXACT + TYPOLOGY:
            assert _close(got["data"][field], want["data"][field]), field
        codes = [
            f["code"]
            for f in got["data"]["findings"]
            if f["details"].get("columns") != ["note"]
        ]
        assert codes == [f["code"] for f in want["data"]["findings"]]


def test_cli_parquet_folder_bad_input(synchronous, parquet_folder, tmp_path):
    folder, _ = parquet_folder
    code, _, err = _cli(tmp_path / "none-*.parquet", "--target", "label")
    assert code == 2
    assert "matches no file" in err
    code, _, err = _cli(folder, "--target", "nope")
    assert code == 2
    assert "'nope' is not a column" in err
    code, _, err = _cli(folder, "--target", "label", "--test", folder)
    assert code == 2
    assert "--test is not supported" in err
    (tmp_path / "empty").mkdir()
    code, _, err = _cli(tmp_path / "empty", "--target", "label")
    assert code == 2
    assert "holds no .parquet file" in err
    assert "Traceback" not in err


def test_sampled_typology_searches_all_rows(client, monkeypatch):
    """Each sampled row's category is the in-memory one over all finite rows."""
    import array_api_compat.numpy as xp

    from balancekit.diagnostics._inspect import _standardised
    from balancekit.diagnostics._typology import neighbourhood_typology

    seen = {}
    search = inspect_module._typology_among_all_rows

    def recorded(*args):
        seen["positions"] = args[5][2]
        seen["typology"] = search(*args)
        return seen["typology"]

    monkeypatch.setattr(inspect_module, "_typology_among_all_rows", recorded)
    X, y, names = messy_data(n=500, seed=6)
    report = inspect(
        da.from_array(X, chunks=(120, 7)),
        da.from_array(y, 120),
        max_samples=80,
        feature_names=names,
    )
    assert report.typology_sampled
    assert "dask_estimates" not in [f.code for f in report.findings]
    finite = np.isfinite(X).all(axis=1)
    keep = [j for j, name in enumerate(names) if name not in ("row", "customer_id")]
    scaled, _ = _standardised(X[finite], keep, xp, "cpu")
    codes = y[finite]
    full = neighbourhood_typology(
        scaled, codes, np.bincount(codes), 5, None, np.random.default_rng(0), xp, "cpu"
    )
    want = full.categories[seen["positions"]]
    assert seen["typology"].categories.tolist() == want.tolist()
    counts = np.zeros((3, 4), dtype=int)
    np.add.at(counts, (codes[seen["positions"]], want), 1)
    assert report.typology_counts == counts.tolist()


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    n=st.integers(40, 400),
    share=st.floats(0.3, 1.0),
    chunk=st.integers(10, 120),
    seed=st.integers(0, 2**16),
)
def test_dominant_share_exact_with_coarse_sketches(n, share, chunk, seed):
    """Sketches of 32 values per partition: a value covering more than half of a
    column is still counted exactly (so near-constant columns are exact)."""
    from unittest import mock

    rng = np.random.default_rng(seed)
    X = np.where(rng.random((n, 2)) < share, 7.0, rng.integers(0, 5, (n, 2)))
    X[rng.permutation(n)[: n // 3], 1] = 7.0  # a run of the value in some chunks
    y = rng.integers(0, 2, n)
    with (
        mock.patch.object(inspect_module, "_SKETCH_POINTS", 1),
        dask.config.set(scheduler="synchronous"),
    ):
        got = inspect(da.from_array(X, chunks=(chunk, 2)), da.from_array(y, chunk))
    want = inspect(X, y)
    for got_share, want_share in zip(
        got.dominant_shares, want.dominant_shares, strict=True
    ):
        if want_share > 0.5:
            assert got_share == want_share
    assert got.near_constant_features == want.near_constant_features
    assert got.constant_features == want.constant_features


def test_multilabel_y_is_refused_with_the_way_out():
    """A multilabel indicator is inspected in memory: Dask input says so."""
    X = da.from_array(np.zeros((8, 2)), chunks=4)
    Y = da.from_array(np.eye(8, 3, dtype=np.int64), chunks=4)
    with pytest.raises(NotImplementedError, match="compute it first"):
        inspect(X, Y)
    with pytest.raises(NotImplementedError, match="compute it first"):
        inspect(X, Y[:, 0], multilabel=True)
