"""`import balancekit` stays light: no framework and no plotting library."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_frameworks():
    code = (
        "import sys, balancekit\nheavy = [m for m in ('torch', 'tensorflow', "
        "'matplotlib', 'keras', 'jax') if m in sys.modules]\nprint(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
