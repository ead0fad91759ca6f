"""The ``balancekit`` command: the demo runs on real data and reports every sampler."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from balancekit.cli import main
from balancekit.demo import load_imbalanced_breast_cancer


def test_demo_prints_counts_for_numpy_and_torch(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "classes before: malignant 40, benign 357" in out
    assert "numpy float64 on cpu -> numpy float64 on cpu" in out
    assert "torch float32 on cpu -> torch float32 on cpu" in out
    assert (
        out.count("malignant 357, benign 357") == 4
    )  # two over-samplers x two libraries
    assert out.count("malignant 40, benign 40") == 4


def test_demo_data_is_the_imbalanced_breast_cancer_set():
    X, y, _ = load_imbalanced_breast_cancer()
    assert X.shape == (397, 30)
    assert np.bincount(y).tolist() == [40, 357]
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)


def test_console_script_version():
    out = subprocess.run(
        [sys.executable, "-m", "balancekit.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("balancekit ")
