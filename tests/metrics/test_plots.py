"""The metric plots: render headless to PNG, show the metric functions' values, accept
tensors, and refuse bad input naming the parameter."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
torch = pytest.importorskip("torch")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from balancekit.metrics import (  # noqa: E402
    average_precision_score,
    confusion_matrix,
    roc_auc_score,
)
from balancekit.metrics.plots import (  # noqa: E402
    plot_class_distribution,
    plot_confusion_matrix,
    plot_precision_recall,
    plot_roc,
)

DPI = 50


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=400, p=[0.8, 0.15, 0.05])
    logits = rng.normal(size=(400, 3))
    logits[np.arange(400), y] += 1.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba, proba.argmax(axis=1)


def _legend(figure):
    return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]


def _check_png(path, figure):
    image = imread(path)
    width, height = figure.get_size_inches() * DPI
    assert image.shape[:2] == (round(height), round(width))
    rgb = image[..., :3]
    # Not blank: a real share of the pixels is drawn, in several colours.
    assert (rgb.min(axis=-1) < 0.9).mean() > 0.02
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 10


@pytest.mark.parametrize("kind", ["confusion", "pr", "roc", "distribution"])
def test_each_plot_renders_a_png_without_a_display(kind, data, tmp_path):
    y, proba, y_pred = data
    path = tmp_path / f"{kind}.png"
    if kind == "confusion":
        figure = plot_confusion_matrix(y, y_pred, path=path, dpi=DPI)
    elif kind == "pr":
        figure = plot_precision_recall(y, proba, path=path, dpi=DPI)
    elif kind == "roc":
        figure = plot_roc(y == 2, proba[:, 2], path=path, dpi=DPI)
    else:
        after = np.repeat([0, 1, 2], 320)
        figure = plot_class_distribution(
            {"before": y, "after": after}, path=path, dpi=DPI
        )
    assert isinstance(figure, Figure)
    _check_png(path, figure)


def test_path_without_suffix_is_saved_as_png(data, tmp_path):
    y, _, y_pred = data
    path = tmp_path / "confusion"
    plot_confusion_matrix(y, y_pred, path=str(path), dpi=DPI)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_use_neither_pyplot_nor_the_global_backend():
    code = (
        "import sys\n"
        "import balancekit, balancekit.metrics, balancekit.metrics.plots\n"
        "assert 'matplotlib' not in sys.modules, 'imported matplotlib'\n"
        "import matplotlib\n"
        "backend = matplotlib.rcParams._get_backend_or_none()\n"
        "from balancekit.metrics.plots import plot_roc\n"
        "plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], path=sys.argv[1])\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'imported pyplot'\n"
        "assert matplotlib.rcParams._get_backend_or_none() == backend\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, "/dev/null"],
        check=True,
        capture_output=True,
        env={
            name: value
            for name, value in os.environ.items()
            if name not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")
        },
    )


def test_confusion_matrix_cells_are_the_metric(data):
    y, _, y_pred = data
    expected = confusion_matrix(y, y_pred)
    texts = [t.get_text() for t in plot_confusion_matrix(y, y_pred).axes[0].texts]
    assert texts == [str(v) for v in expected.ravel()]
    for normalize in ("true", "pred", "all"):
        expected = confusion_matrix(y, y_pred, normalize=normalize)
        figure = plot_confusion_matrix(y, y_pred, normalize=normalize)
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert texts == [f"{v:.2f}" for v in expected.ravel()]


def test_confusion_matrix_labels_and_display_labels():
    figure = plot_confusion_matrix(
        ["cat", "dog", "dog"],
        ["cat", "cat", "dog"],
        labels=["dog", "cat"],
        display_labels=["Dog", "Cat"],
        colorbar=False,
    )
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["Dog", "Cat"]
    assert [t.get_text() for t in axes.texts] == ["1", "1", "0", "1"]
    assert len(figure.axes) == 1  # no colour bar


def test_binary_precision_recall_legend_is_the_average_precision(data):
    y, proba, _ = data
    y_binary = (y == 2).astype(int)
    ap = float(average_precision_score(y_binary, proba[:, 2]))
    figure = plot_precision_recall(y_binary, proba[:, 2], name="model", digits=4)
    assert _legend(figure) == [
        f"model (AP = {ap:.4f})",
        f"chance = {y_binary.mean():.4f}",
    ]


def test_one_vs_rest_legends_are_the_per_class_metrics(data):
    y, proba, _ = data
    ap = average_precision_score(y, proba, average=None)
    auc = roc_auc_score(y, proba, multi_class="ovr", average=None)
    names = ["common", "middle", "rare"]
    pr = plot_precision_recall(y, proba, display_labels=names)
    roc = plot_roc(y, proba, display_labels=names)
    assert _legend(pr) == [
        f"{n} (AP = {v:.3f})" for n, v in zip(names, ap, strict=True)
    ]
    assert _legend(roc) == [
        *(f"{n} (AUC = {v:.3f})" for n, v in zip(names, auc, strict=True)),
        "chance (AUC = 0.5)",
    ]


def test_pos_label_picks_the_positive_class():
    y = np.array(["a", "a", "b", "b"])
    score = np.array([0.1, 0.4, 0.35, 0.8])
    auc = float(roc_auc_score(y == "a", -score))
    figure = plot_roc(y, -score, pos_label="a", chance=False)
    assert _legend(figure) == [f"AUC = {auc:.3f}"]


def test_torch_tensors_give_the_numpy_figures(data):
    y, proba, y_pred = data
    y_t, proba_t, pred_t = (torch.as_tensor(a) for a in (y, proba, y_pred))
    for plot, args, args_t in [
        (plot_precision_recall, (y, proba), (y_t, proba_t)),
        (plot_roc, (y, proba), (y_t, proba_t)),
        (plot_precision_recall, (y == 1, proba[:, 1]), (y_t == 1, proba_t[:, 1])),
        (plot_roc, (y == 1, proba[:, 1]), (y_t == 1, proba_t[:, 1])),
    ]:
        assert _legend(plot(*args_t)) == _legend(plot(*args))
        line, line_t = plot(*args).axes[0].lines[0], plot(*args_t).axes[0].lines[0]
        np.testing.assert_allclose(line_t.get_xydata(), line.get_xydata())
    texts = [t.get_text() for t in plot_confusion_matrix(y, y_pred).axes[0].texts]
    texts_t = [t.get_text() for t in plot_confusion_matrix(y_t, pred_t).axes[0].texts]
    assert texts_t == texts
    figure = plot_class_distribution({"np": y, "torch": y_t})
    counts = [t.get_text() for t in figure.axes[0].texts]
    assert counts[:3] == counts[3:] == [str(n) for n in np.bincount(y)]


def test_class_distribution_grouped_bars_and_labels():
    figure = plot_class_distribution(
        {"before": [0, 0, 0, 1], "after": [0, 1, 2]},
        labels=[2, 1, 0],
        display_labels=["two", "one", "zero"],
        log=True,
    )
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.texts] == ["0", "1", "3", "1", "1", "1"]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["two", "one", "zero"]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["before", "after"]
    assert axes.get_yscale() == "log"
    single = plot_class_distribution(np.array(["b", "a", "b"])).axes[0]
    assert [t.get_text() for t in single.texts] == ["1", "2"]
    assert single.get_legend() is None


def test_drawing_into_a_given_axes(data):
    y, proba, _ = data
    figure = Figure()
    left, _ = figure.subplots(1, 2)
    y_binary = (y == 2).astype(int)
    assert plot_roc(y_binary, proba[:, 2], name="a", ax=left) is figure
    plot_roc(y_binary, proba[:, 1], name="b", ax=left, chance=False)
    assert [t.get_text()[:1] for t in left.get_legend().get_texts()] == list("acb")
    sub = figure.subfigures(1, 1).subplots()
    assert plot_class_distribution(y, ax=sub) is figure


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="`y_true` has 3 labels but `y_pred` has 2"):
        plot_confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="`y_true` and `y_score` have different"):
        plot_precision_recall([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="`y_true` and `y_score` have different"):
        plot_roc(np.array([0, 1, 2]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="`normalize` must be one of"):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="`display_labels` must name each of the 2"):
        plot_confusion_matrix([0, 1], [0, 1], display_labels=["a"])
    with pytest.raises(ValueError, match="`y_score` has 2 columns"):
        plot_roc([0, 1, 2], np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match="`labels` names 3 classes"):
        plot_precision_recall([0, 1], np.full((2, 2), 0.5), labels=[0, 1, 2])
    with pytest.raises(ValueError, match="`pos_label` applies to 1-D"):
        plot_roc([0, 1], np.full((2, 2), 0.5), pos_label=1)
    with pytest.raises(ValueError, match="`labels` and `display_labels` name the"):
        plot_roc([0, 1], [0.2, 0.6], labels=[0, 1])
    with pytest.raises(ValueError, match="`y_score` must have shape"):
        plot_precision_recall([0, 1], np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="`digits` must be an int >= 0"):
        plot_roc([0, 1], [0.2, 0.6], digits=-1)
    with pytest.raises(ValueError, match="`y` is an empty dict"):
        plot_class_distribution({})
    with pytest.raises(ValueError, match=r"`y\['after'\]` is empty"):
        plot_class_distribution({"before": [0, 1], "after": []})
    with pytest.raises(TypeError, match="`ax` must be a matplotlib Axes"):
        plot_class_distribution([0, 1], ax="left")
    with pytest.raises(TypeError, match="`path` must be a file path"):
        plot_class_distribution([0, 1], path=3)
