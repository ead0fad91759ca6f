"""Figures of balancekit.bench.plots: their contents and the PNG files."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure

from balancekit.bench._stats import nonsignificant_groups
from balancekit.bench.plots import (
    plot_critical_difference,
    plot_metric_by_strategy,
    plot_pr_curves,
)
from balancekit.metrics import average_precision_score

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = ["none", "SMOTE", "ADASYN", "class weights", "RandomUnder"]


def _is_png(path) -> bool:
    return path.read_bytes()[:8] == PNG_MAGIC


# --------------------------------------------------------------------- score bars


def test_bars_sorted_best_first_with_error_bars():
    means = [0.61, 0.70, 0.66, 0.64, 0.58]
    stds = [0.02, 0.03, 0.01, 0.02, 0.05]
    figure = plot_metric_by_strategy(NAMES, means, stds, metric="G-mean")
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels == ["SMOTE", "ADASYN", "class weights", "none", "RandomUnder"]
    assert len(axes.patches) == 5
    widths = sorted(round(p.get_width(), 6) for p in axes.patches)
    assert widths == sorted(means)
    assert axes.get_xlabel() == "G-mean"
    texts = [text.get_text() for text in axes.texts]
    assert texts[0] == "0.700 ± 0.030"
    assert len(texts) == 5
    (error_bars,) = axes.collections  # one horizontal segment per strategy
    half_widths = [abs(seg[1][0] - seg[0][0]) / 2 for seg in error_bars.get_segments()]
    np.testing.assert_allclose(sorted(half_widths), sorted(stds))


def test_bars_lower_is_better_failed_and_no_stds():
    figure = plot_metric_by_strategy(
        ["a", "b", "c"],
        [0.2, np.nan, 0.1],
        metric="Brier score",
        higher_is_better=False,
        title="loss",
    )
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["c", "a", "b"]
    assert [t.get_text() for t in axes.texts] == ["0.100", "0.200", "failed"]
    assert axes.get_title() == "loss"


def test_bars_on_given_axes_and_png(tmp_path):
    figure = Figure()
    axes = figure.add_subplot()
    path = tmp_path / "bars.png"
    returned = plot_metric_by_strategy(
        ["a", "b"], [0.5, 0.6], [0.1, 0.1], metric="F1", ax=axes, path=path
    )
    assert returned is figure
    assert len(axes.patches) == 2
    assert _is_png(path)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((["a", "b"], [0.5]), {}, ValueError, "`means`"),
        ((["a", "b"], [0.5, 0.6], [0.1]), {}, ValueError, "`stds`"),
        ((["a", "b"], [0.5, 0.6], [0.1, -0.1]), {}, ValueError, "`stds`"),
        ((["a", "b"], [0.5, np.inf]), {}, ValueError, "`means`"),
        (("ab", [0.5, 0.6]), {}, TypeError, "`names`"),
        ((["a", "b"], [0.5, 0.6]), {"ax": "axes"}, TypeError, "`ax`"),
        ((["a", "b"], [0.5, 0.6]), {"path": 3}, TypeError, "`path`"),
    ],
)
def test_bars_reject_bad_input(args, kwargs, error, match):
    kwargs.setdefault("metric", "F1")
    with pytest.raises(error, match=match):
        plot_metric_by_strategy(*args, **kwargs)


# ------------------------------------------------------ critical-difference diagram


def _lines(axes, gid):
    return [line for line in axes.lines if line.get_gid() == gid]


def test_cd_diagram_contents(tmp_path):
    ranks = [3.9, 1.6, 2.2, 2.7, 4.6]
    path = tmp_path / "cd.png"
    figure = plot_critical_difference(NAMES, ranks, 1.3, path=path, title="AP")
    assert _is_png(path)
    axes = figure.axes[0]
    assert len(_lines(axes, "strategy")) == 5
    groups = nonsignificant_groups(ranks, 1.3)
    assert len(_lines(axes, "group")) == len(groups) == 3
    assert _lines(axes, "cd")
    texts = [text.get_text() for text in axes.texts]
    for name, rank in zip(NAMES, ranks, strict=True):
        assert f"{name} ({rank:.2f})" in texts
    assert "CD = 1.30" in texts
    assert [str(tick) for tick in range(1, 6)] == [t for t in texts if t.isdigit()]
    assert axes.get_title() == "AP"
    # The better half hangs left of the axis, the rest right.
    left = [t for t in axes.texts if t.get_ha() == "right"]
    assert sorted(t.get_text().split(" (")[0] for t in left) == [
        "ADASYN",
        "SMOTE",
        "class weights",
    ]
    # Each group bar spans its members' ranks.
    for line, group in zip(_lines(axes, "group"), groups, strict=True):
        xs = line.get_xdata()
        members = np.asarray(ranks)[list(group)]
        assert min(xs) < members.min()
        assert max(xs) > members.max()


def test_cd_diagram_no_groups_when_all_differ():
    figure = plot_critical_difference(["a", "b", "c"], [1.0, 2.0, 3.0], 0.5)
    axes = figure.axes[0]
    assert _lines(axes, "group") == []
    assert len(_lines(axes, "strategy")) == 3


def test_cd_diagram_on_given_axes():
    figure = Figure()
    axes = figure.add_subplot()
    assert plot_critical_difference(["a", "b"], [1.2, 1.8], 1.0, ax=axes) is figure
    assert len(_lines(axes, "group")) == 1


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((["a"], [1.0], 1.0), "at least 2"),
        ((["a", "b"], [1.0], 1.0), "`average_ranks`"),
        ((["a", "b"], [1.0, np.nan], 1.0), "`average_ranks`"),
        ((["a", "b"], [1.0, 2.0], 0.0), "`critical_difference`"),
    ],
)
def test_cd_diagram_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        plot_critical_difference(*args)


# ------------------------------------------------------------------------ PR curves


def test_pr_curves_one_line_per_strategy_with_ap(tmp_path):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 80)
    scores = {
        "none": rng.random(80),
        "SMOTE": y_true * 0.5 + rng.random(80),
        "weights": y_true * 0.2 + rng.random(80),
    }
    path = tmp_path / "pr.png"
    figure = plot_pr_curves(y_true, scores, path=path, title="test set")
    assert _is_png(path)
    axes = figure.axes[0]
    assert len(axes.lines) == 4  # three curves and the chance level
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    for name, score in scores.items():
        ap = float(average_precision_score(y_true, score))
        assert f"{name} (AP = {ap:.3f})" in legend
    assert legend[-1] == f"chance = {y_true.mean():.3f}"
    assert axes.get_xlabel() == "Recall"
    assert axes.get_ylabel() == "Precision"
    assert axes.get_title() == "test set"


def test_pr_curves_string_labels_without_chance():
    y_true = np.array(["no", "yes", "no", "yes", "no"])
    scores = {"model": np.array([0.1, 0.8, 0.3, 0.4, 0.5])}
    figure = plot_pr_curves(y_true, scores, pos_label="yes", chance=False)
    axes = figure.axes[0]
    assert len(axes.lines) == 1
    assert [t.get_text() for t in axes.get_legend().get_texts()] == [
        "model (AP = 0.833)"
    ]


def test_pr_curves_reject_bad_scores():
    with pytest.raises(TypeError, match="`scores`"):
        plot_pr_curves([0, 1], [0.1, 0.9])
    with pytest.raises(ValueError, match="`scores`"):
        plot_pr_curves([0, 1], {})
