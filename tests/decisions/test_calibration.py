"""Calibration measures: scikit-learn's calibration curve to 1e-12, ECE and classwise
ECE against slow references written from their definitions (and torchmetrics), the
same results on every backend and device, clear errors; the reliability diagram."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve as sk_calibration_curve

from balancekit.decisions._calibration import (
    calibration_curve,
    classwise_calibration_error,
    expected_calibration_error,
)

# ------------------------------------------------------------------- references


def _reference_edges(conf: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    return np.percentile(conf, np.linspace(0, 1, n_bins + 1) * 100)


def _reference_error(conf, hit, weight, n_bins, strategy, norm):
    """The binned calibration error from its definition, one sample at a time.

    Bin m holds the confidences in (e[m], e[m+1]] (bin 0 also e[0]); the error is
    sum_m W_m / W |acc_m - conf_m| (l1), its root-mean-square version (l2) or the
    largest gap of a non-empty bin (max).
    """
    edges = _reference_edges(conf, n_bins, strategy)
    sums = [[0.0, 0.0, 0.0] for _ in range(n_bins)]
    for c, h, w in zip(conf.tolist(), hit.tolist(), weight.tolist(), strict=True):
        m = 0
        while m < n_bins - 1 and c > edges[m + 1]:
            m += 1
        sums[m][0] += w * c
        sums[m][1] += w * float(h)
        sums[m][2] += w
    total = sum(s[2] for s in sums)
    gaps = [(abs(s[1] / s[2] - s[0] / s[2]), s[2] / total) for s in sums if s[2] > 0]
    if norm == "l1":
        return sum(share * gap for gap, share in gaps)
    if norm == "l2":
        return np.sqrt(sum(share * gap**2 for gap, share in gaps))
    return max(gap for gap, _ in gaps)


def _reference_ece(y, proba, weight, n_bins, strategy, norm):
    """Guo et al.: positive-class probability (1-D) or top-label confidence (2-D)."""
    if proba.ndim == 1:
        return _reference_error(proba, y == 1, weight, n_bins, strategy, norm)
    top = proba.argmax(axis=1)
    return _reference_error(proba.max(axis=1), top == y, weight, n_bins, strategy, norm)


def _reference_classwise(y, proba, weight, n_bins, strategy, norm):
    """Kull et al. 2019: the mean over classes of the one-vs-rest errors."""
    if proba.ndim == 1:
        proba = np.column_stack([1 - proba, proba])
    errors = [
        _reference_error(proba[:, k], y == k, weight, n_bins, strategy, norm)
        for k in range(proba.shape[1])
    ]
    return float(np.mean(errors))


def _multiclass(rng: np.random.Generator, n: int, k: int):
    logits = rng.normal(scale=2.0, size=(n, k))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(k, p=p) for p in proba])
    # a miscalibrated model: sharper than the truth
    sharp = np.exp(2 * logits) / np.exp(2 * logits).sum(axis=1, keepdims=True)
    return y, sharp


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(1)
    proba = rng.random(500)
    y = (rng.random(500) < proba**2).astype(np.int64)
    weight = rng.integers(1, 4, 500).astype(np.float64)
    return y, proba, weight


# ------------------------------------------------------------ calibration curve


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 2, 5, 10, 37])
def test_calibration_curve_equals_sklearn(binary, strategy, n_bins):
    y, proba, _ = binary
    expected = sk_calibration_curve(y, proba, n_bins=n_bins, strategy=strategy)
    got = calibration_curve(y, proba, n_bins=n_bins, strategy=strategy)
    assert len(got) == 2
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    n_bins=st.integers(1, 12),
    strategy=st.sampled_from(["uniform", "quantile"]),
    decimals=st.sampled_from([1, 2, 17]),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_calibration_curve_equals_sklearn_with_ties_and_edges(
    seed, n, n_bins, strategy, decimals, dtype
):
    # rounded probabilities put many samples exactly on (uniform) bin edges and
    # make the quantile edges repeat
    rng = np.random.default_rng(seed)
    proba = np.round(rng.random(n), decimals).astype(dtype)
    y = rng.integers(0, 2, n)
    y[0] = 1
    expected = sk_calibration_curve(y, proba, n_bins=n_bins, strategy=strategy)
    got = calibration_curve(y, proba, n_bins=n_bins, strategy=strategy)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12)


def test_calibration_curve_pos_label_and_counts():
    y = np.array(["b", "a", "a", "b", "b", "a"])
    proba = np.array([0.9, 0.1, 0.6, 0.7, 0.2, 0.3])
    expected = sk_calibration_curve(y, proba, n_bins=3, pos_label="b")
    prob_true, prob_pred, counts = calibration_curve(
        y, proba, n_bins=3, pos_label="b", return_counts=True
    )
    np.testing.assert_allclose(prob_true, expected[0], atol=1e-12)
    np.testing.assert_allclose(prob_pred, expected[1], atol=1e-12)
    assert counts.tolist() == [3.0, 1.0, 2.0]


def test_integer_weights_equal_repeated_samples(binary):
    y, proba, weight = binary
    repeats = weight.astype(int)
    for strategy in ("uniform",):  # quantile edges ignore the weights by design
        expected = calibration_curve(
            np.repeat(y, repeats), np.repeat(proba, repeats), return_counts=True
        )
        got = calibration_curve(
            y, proba, sample_weight=weight, strategy=strategy, return_counts=True
        )
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    ece = expected_calibration_error(y, proba, sample_weight=weight)
    repeated = expected_calibration_error(
        np.repeat(y, repeats), np.repeat(proba, repeats)
    )
    assert float(ece) == pytest.approx(float(repeated), abs=1e-12)


def test_value_on_an_edge_falls_in_the_lower_bin():
    # (0, 0.5] and (0.5, 1]: 0.5 joins 0.2 (Guo et al.; scikit-learn)
    prob_true, prob_pred, counts = calibration_curve(
        np.array([0, 1, 1]), np.array([0.2, 0.5, 0.9]), n_bins=2, return_counts=True
    )
    assert prob_true.tolist() == [0.5, 1.0]
    assert counts.tolist() == [2.0, 1.0]
    assert prob_pred.tolist() == pytest.approx([0.35, 0.9], abs=1e-15)


# -------------------------------------------------------------------------- ECE


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("weighted", [False, True])
def test_ece_binary_equals_reference(binary, norm, strategy, weighted):
    y, proba, weight = binary
    w = weight if weighted else None
    reference_w = weight if weighted else np.ones_like(proba)
    for n_bins in (1, 7, 15):
        expected = _reference_ece(y, proba, reference_w, n_bins, strategy, norm)
        got = expected_calibration_error(
            y, proba, n_bins=n_bins, strategy=strategy, norm=norm, sample_weight=w
        )
        assert float(got) == pytest.approx(expected, abs=1e-12)
        expected = _reference_classwise(y, proba, reference_w, n_bins, strategy, norm)
        got = classwise_calibration_error(
            y, proba, n_bins=n_bins, strategy=strategy, norm=norm, sample_weight=w
        )
        assert float(got) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_ece_multiclass_equals_reference(norm, strategy):
    rng = np.random.default_rng(2)
    y, proba = _multiclass(rng, 400, 4)
    weight = rng.random(400)
    for w in (None, weight):
        reference_w = np.ones(400) if w is None else w
        expected = _reference_ece(y, proba, reference_w, 10, strategy, norm)
        got = expected_calibration_error(
            y, proba, n_bins=10, strategy=strategy, norm=norm, sample_weight=w
        )
        assert float(got) == pytest.approx(expected, abs=1e-12)
        expected = _reference_classwise(y, proba, reference_w, 10, strategy, norm)
        got = classwise_calibration_error(
            y, proba, n_bins=10, strategy=strategy, norm=norm, sample_weight=w
        )
        assert float(got) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    k=st.integers(2, 5),
    n_bins=st.integers(1, 8),
    norm=st.sampled_from(["l1", "l2", "max"]),
    decimals=st.sampled_from([1, 17]),
)
def test_ece_multiclass_matches_reference_on_small_inputs(
    seed, n, k, n_bins, norm, decimals
):
    rng = np.random.default_rng(seed)
    proba = np.round(rng.dirichlet(np.ones(k), n), decimals)
    y = rng.integers(0, k, n)
    ones = np.ones(n)
    got = expected_calibration_error(y, proba, n_bins=n_bins, norm=norm)
    assert float(got) == pytest.approx(
        _reference_ece(y, proba, ones, n_bins, "uniform", norm), abs=1e-12
    )
    got = classwise_calibration_error(y, proba, n_bins=n_bins, norm=norm)
    assert float(got) == pytest.approx(
        _reference_classwise(y, proba, ones, n_bins, "uniform", norm), abs=1e-12
    )


def test_ece_of_calibrated_probabilities_is_noise():
    # y ~ Bernoulli(p): each of the 10 bins holds ~20k samples, so its gap is noise
    # of sd <= sqrt(0.25 / 20000) = 0.0035; the weighted mean stays below 0.01.
    rng = np.random.default_rng(3)
    proba = rng.random(200_000)
    y = (rng.random(200_000) < proba).astype(int)
    assert float(expected_calibration_error(y, proba, n_bins=10)) < 0.01
    # a sharpened model (p -> p**3 on the positive side) is far from calibrated
    assert float(expected_calibration_error(y, proba**3, n_bins=10)) > 0.1


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_ece_agrees_with_torchmetrics(norm):
    # torchmetrics bins are closed on the left, [e_m, e_m+1), ours (and scikit-
    # learn's) on the right, (e_m, e_m+1]; continuous random probabilities never
    # sit on an edge, so the two agree. torchmetrics computes in float32: 1e-6.
    tm = pytest.importorskip("torchmetrics.functional.classification")
    rng = np.random.default_rng(4)
    proba = rng.random(3000)
    y = (rng.random(3000) < proba**1.5).astype(np.int64)
    expected = tm.binary_calibration_error(
        torch.as_tensor(proba, dtype=torch.float32),
        torch.as_tensor(y),
        n_bins=15,
        norm=norm,
    )
    got = expected_calibration_error(y, proba, n_bins=15, norm=norm)
    assert float(got) == pytest.approx(float(expected), abs=1e-6)
    ym, pm = _multiclass(rng, 3000, 5)
    expected = tm.multiclass_calibration_error(
        torch.as_tensor(pm, dtype=torch.float32),
        torch.as_tensor(ym),
        num_classes=5,
        n_bins=15,
        norm=norm,
    )
    got = expected_calibration_error(ym, pm, n_bins=15, norm=norm)
    assert float(got) == pytest.approx(float(expected), abs=1e-6)


# ------------------------------------------------------------------- backends


def test_backends_agree_and_stay_on_device(backend):
    rng = np.random.default_rng(5)
    y, proba = _multiclass(rng, 300, 3)
    weight = rng.random(300)
    yb = (rng.random(300) < proba[:, 1]).astype(np.int64)
    for strategy in ("uniform", "quantile"):
        expected = calibration_curve(
            yb, proba[:, 1], n_bins=8, strategy=strategy, return_counts=True
        )
        got = calibration_curve(
            backend.asarray(yb),
            backend.asarray(proba[:, 1]),
            n_bins=8,
            strategy=strategy,
            return_counts=True,
        )
        for g, e in zip(got, expected, strict=True):
            assert backend.device_of(g) == backend.device
            np.testing.assert_allclose(backend.to_numpy(g), e, rtol=1e-12, atol=1e-12)
        for function in (expected_calibration_error, classwise_calibration_error):
            for args in ((y, proba), (yb, proba[:, 1])):
                expected_value = function(
                    *args, strategy=strategy, sample_weight=weight
                )
                got_value = function(
                    *(backend.asarray(a) for a in args),
                    strategy=strategy,
                    sample_weight=backend.asarray(weight),
                )
                assert backend.device_of(got_value) == backend.device
                assert got_value.shape == ()
                assert float(backend.to_numpy(got_value)) == pytest.approx(
                    float(expected_value), abs=1e-12
                )


def test_inputs_are_not_modified(binary):
    y, proba, weight = binary
    copies = [a.copy() for a in (y, proba, weight)]
    calibration_curve(y, proba, sample_weight=weight, strategy="quantile")
    expected_calibration_error(y, proba, sample_weight=weight, strategy="quantile")
    classwise_calibration_error(y, proba, sample_weight=weight)
    for a, c in zip((y, proba, weight), copies, strict=True):
        np.testing.assert_array_equal(a, c)


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_bins": 0}, ValueError, "`n_bins` must be >= 1"),
        ({"n_bins": 2.5}, TypeError, "`n_bins` must be an int"),
        ({"strategy": "quantiles"}, ValueError, "Did you mean 'quantile'"),
        ({"norm": "L1"}, ValueError, "`norm` must be one of"),
        ({"sample_weight": np.zeros(4)}, ValueError, "sums to zero"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    y, proba = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.6, 0.3])
    with pytest.raises(error, match=match):
        expected_calibration_error(y, proba, **kwargs)


def test_bad_inputs():
    y, proba = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.6, 0.3])
    with pytest.raises(ValueError, match=r"in \[0, 1\].*softmax"):
        calibration_curve(y, proba * 2)
    with pytest.raises(ValueError, match="must be binary"):
        expected_calibration_error(np.array([0, 1, 2, 0]), proba)
    with pytest.raises(ValueError, match="`y_proba` must be 1-D"):
        calibration_curve(y, np.column_stack([1 - proba, proba]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 1\]"):
        expected_calibration_error(
            np.array([0, 1, 2, 0]), np.column_stack([1 - proba, proba])
        )
    with pytest.raises(TypeError, match="integer class indices"):
        classwise_calibration_error(
            np.array(["a", "b", "a", "b"]), np.column_stack([1 - proba, proba])
        )
    with pytest.raises(ValueError, match="pos_label"):
        calibration_curve(np.array(["a", "b", "a", "b"]), proba)
    with pytest.raises(ValueError, match="NaN"):
        expected_calibration_error(y, np.array([0.1, np.nan, 0.6, 0.3]))
    with pytest.raises(ValueError, match="y_true"):
        expected_calibration_error(y[:3], proba)
    with pytest.raises(TypeError, match="return_counts"):
        calibration_curve(y, proba, return_counts="yes")


# ---------------------------------------------------------------------- plots


def test_reliability_diagram_draws_the_curve(binary, tmp_path):
    pytest.importorskip("matplotlib")
    from balancekit.decisions.plots import plot_reliability_diagram

    y, proba, _ = binary
    path = tmp_path / "reliability"
    ax = plot_reliability_diagram(
        y, proba, n_bins=5, label="raw", path=str(path), dpi=40
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    prob_true, prob_pred = calibration_curve(y, proba, n_bins=5)
    line = ax.get_lines()[1]
    np.testing.assert_allclose(line.get_xdata(), prob_pred, atol=1e-12)
    np.testing.assert_allclose(line.get_ydata(), prob_true, atol=1e-12)
    ece = float(expected_calibration_error(y, proba, n_bins=5))
    assert ax.get_legend().get_texts()[1].get_text() == f"raw (ECE {ece:.3g})"
    # a second model on the same axes; multiclass top-label from tensors
    ym, pm = _multiclass(np.random.default_rng(6), 200, 3)
    same = plot_reliability_diagram(
        torch.as_tensor(ym), torch.as_tensor(pm), ax=ax, show_counts=False, title="t"
    )
    assert same is ax
    assert len(ax.get_lines()) == 4
    assert ax.get_title() == "t"


def test_reliability_diagram_refuses_bad_input():
    pytest.importorskip("matplotlib")
    from balancekit.decisions.plots import plot_reliability_diagram

    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        plot_reliability_diagram(np.array([0, 1]), np.array([-1.0, 2.0]))
    with pytest.raises(TypeError, match="`ax` must be a matplotlib Axes"):
        plot_reliability_diagram(np.array([0, 1]), np.array([0.2, 0.7]), ax="axes")


def test_importing_the_modules_loads_no_plotting_or_framework():
    code = (
        "import sys\n"
        "import balancekit.decisions._calibration, balancekit.decisions._temperature\n"
        "import balancekit.decisions.plots\n"
        "for name in ('matplotlib', 'torch', 'tensorflow'):\n"
        "    assert name not in sys.modules, name\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"},
    )
