"""Strangers' files: every malformed input is one clear line and exit code 2.

Both commands read through ``balancekit._io.read_table``; nothing is unpickled, sizes
are checked before reading, and numpy's ``allow_pickle`` advice never shows.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from balancekit._io import read_table
from balancekit.cli import main

pd = pytest.importorskip("pandas")


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _cases(tmp):
    """name -> (file, target, a phrase of the message)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.repeat([0, 1], [20, 10])
    cases = {
        "0-d target": (_npz(tmp / "zero_d.npz", X=X, y=np.array(1)), "y", "1-D"),
        "2-D target": (
            _npz(tmp / "two_d.npz", X=X, y=np.zeros((30, 2))),
            "y",
            "1-D",
        ),
        "missing target key": (_npz(tmp / "nokey.npz", X=X, y=y), "label", "holds"),
        "object npz": (
            _npz(tmp / "objects.npz", X=X, y=np.array([{"a": 1}] * 30, dtype=object)),
            "y",
            "Python objects",
        ),
        "empty npz": (tmp / "empty.npz", "y", "empty"),
        "empty csv": (tmp / "empty.csv", "y", "empty"),
        "random npz": (tmp / "random.npz", "y", "not a NumPy .npz"),
        "random parquet": (tmp / "random.parquet", "y", "not a readable Parquet"),
        "random csv": (tmp / "random.csv", "y", "UTF-8"),
        "ragged csv": (tmp / "ragged.csv", "y", "regular CSV"),
        "no such column": (tmp / "fine.csv", "nope", "is not a column"),
        "broken zip member": (tmp / "broken.npz", "y", "not a valid .npz"),
    }
    rng_bytes = np.random.default_rng(1).bytes(4096)
    for name in ("empty.npz", "empty.csv"):
        (tmp / name).write_bytes(b"")
    for name in ("random.npz", "random.parquet", "random.csv"):
        (tmp / name).write_bytes(b"\xff\xfe" + rng_bytes)
    (tmp / "ragged.csv").write_text("a,b,y\n1,2,0\n1,2,3,4\n5,6,1\n")
    (tmp / "fine.csv").write_text("a,y\n1,0\n2,1\n")
    with zipfile.ZipFile(tmp / "broken.npz", "w") as archive:
        archive.writestr("y.npy", b"\x93NUMPY\x01\x00garbage")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return cases
    table = pa.table(
        {
            "a": [1.0, 2.0, 3.0],
            "tags": [[1, 2], [3], []],
            "y": [0, 1, 0],
        }
    )
    pq.write_table(table, tmp / "nested.parquet")
    cases["nested parquet list"] = (tmp / "nested.parquet", "y", "nested")
    struct = pa.table({"a": [{"x": 1}, {"x": 2}], "y": [0, 1]})
    pq.write_table(struct, tmp / "struct.parquet")
    cases["nested parquet struct"] = (tmp / "struct.parquet", "y", "nested")
    return cases


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return _cases(tmp_path_factory.mktemp("strangers"))


CASE_NAMES = [
    "0-d target",
    "2-D target",
    "missing target key",
    "object npz",
    "empty npz",
    "empty csv",
    "random npz",
    "random parquet",
    "random csv",
    "ragged csv",
    "no such column",
    "broken zip member",
    "nested parquet list",
    "nested parquet struct",
]


def _one_clear_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "allow_pickle" not in err
    return lines[0]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_inspect_refuses_with_one_line(cases, name, capsys):
    if name not in cases:
        pytest.skip("pyarrow is not installed")
    path, target, phrase = cases[name]
    assert main(["inspect", str(path), "--target", target]) == 2
    captured = capsys.readouterr()
    line = _one_clear_line(captured.err)
    assert line.startswith("balancekit inspect: error:")
    assert phrase in line
    assert "allow_pickle" not in captured.out


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bench_refuses_with_one_line(cases, name, capsys, tmp_path):
    if name not in cases:
        pytest.skip("pyarrow is not installed")
    path, target, phrase = cases[name]
    argv = ["bench", "--data", str(path), "--target", target]
    assert main([*argv, "--out", str(tmp_path / "out"), "--no-plots"]) == 2
    line = _one_clear_line(capsys.readouterr().err)
    assert line.startswith("balancekit bench: error:")
    assert phrase in line


def test_npz_sizes_are_checked_before_reading(tmp_path, capsys):
    # 2,000 x 1,000 zeros: 16 MB in memory, a few kB compressed (a small zip bomb).
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=np.zeros((2_000, 1_000)), y=np.zeros(2_000))
    assert path.stat().st_size < 100_000
    with pytest.raises(ValueError, match=r"would expand to 15\.3 MiB"):
        read_table(path, "y", max_bytes=1_000_000)
    args = ["inspect", str(path), "--target", "y", "--max-bytes", "1000000"]
    assert main(args) == 2
    assert "--max-bytes" in _one_clear_line(capsys.readouterr().err)


def test_npz_header_is_read_without_loading(tmp_path, monkeypatch):
    path = _npz(tmp_path / "ok.npz", X=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))

    def no_load(*args, **kwargs):
        raise AssertionError("np.load must not run for an oversized file")

    monkeypatch.setattr(np, "load", no_load)
    with pytest.raises(ValueError, match="over the limit"):
        read_table(path, "y", max_bytes=10)


def test_parquet_sizes_are_checked_from_metadata(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"a": np.arange(1_000.0), "y": np.arange(1_000) % 2})
    path = tmp_path / "big.parquet"
    frame.to_parquet(path)
    with pytest.raises(ValueError, match="1,000 rows x 2 columns"):
        read_table(path, "y", max_bytes=1_000)
    assert read_table(path, "y").X.shape == (1_000, 1)


def test_object_npz_is_never_unpickled(tmp_path, monkeypatch):
    import pickle

    path = _npz(
        tmp_path / "objects.npz",
        X=np.zeros((2, 1)),
        y=np.array([None, 1], dtype=object),
    )

    def no_pickle(*args, **kwargs):
        raise AssertionError("nothing may be unpickled")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    with pytest.raises(ValueError, match="refused") as caught:
        read_table(path, "y")
    assert "allow_pickle" not in str(caught.value)


def test_per_feature_npz_still_reads(tmp_path):
    path = _npz(
        tmp_path / "columns.npz",
        a=np.arange(4.0),
        b=np.array(["x", "y", "x", "y"]),
        y=np.array([0, 1, 0, 1]),
    )
    table = read_table(path, "y")
    assert table.feature_names == ["a", "b"]
    assert table.X.shape == (4, 2)


def test_control_characters_in_column_names_are_not_echoed(tmp_path, capsys):
    path = tmp_path / "ansi.csv"
    path.write_text("\x1b[2Ja,y\n1,0\n2,1\n")
    assert main(["inspect", str(path), "--target", "missing"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "[2Ja" not in err
