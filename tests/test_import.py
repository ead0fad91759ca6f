"""`import balancekit` stays light: no framework and no plotting library."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_frameworks():
    code = (
        "import sys, balancekit\nheavy = [m for m in ('torch', 'tensorflow', "
        "'matplotlib', 'keras', 'jax', 'dask', 'distributed') if m in sys.modules]"
        "\nprint(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def _loaded_after(code: str) -> list[str]:
    probe = code + (
        "\nheavy = ('sklearn', 'imblearn', 'scipy', 'pandas')"
        "\nprint(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return [name for name in out.stdout.strip().split(",") if name]


def test_names_load_on_first_use():
    assert _loaded_after("import sys, balancekit") == []
    assert "sklearn" in _loaded_after("import sys\nfrom balancekit import SMOTE")
    import balancekit

    assert set(balancekit.__all__) <= set(dir(balancekit))
    assert balancekit.SMOTE.__name__ == "SMOTE"


def test_a_bad_out_folder_is_answered_before_anything_heavy_loads(tmp_path):
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder")
    for command in ("bench --quick", "inspect data.csv --target y"):
        code = (
            "import sys\nfrom balancekit.cli import main\n"
            f"assert main({command.split()!r} + ['--out', {str(a_file)!r}]) == 2"
        )
        assert _loaded_after(code) == [], command
