"""imbalanced-learn's metric names: ``classification_report_imbalanced``,
``macro_averaged_mean_absolute_error`` and ``make_index_balanced_accuracy``.

Oracle: imbalanced-learn 0.14 (text character for character, dict keys and values to
1e-12, the MAE equal); its deliberate differences (its issue #1180 with weights,
float support without any right prediction, zero support) are tested as differences.
Device placement runs on the ``backend`` fixture.
"""

from __future__ import annotations

import importlib.util
import inspect
import warnings

import imblearn.metrics as im
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import metrics as skm

import balancekit.metrics as bm

NEW_NAMES = (
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
    "make_index_balanced_accuracy",
)


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _random_case(seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """Labels with at least one right prediction and one true sample per label."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 60)), int(rng.integers(2, 6))
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, k + 1, n))
    y_pred[0] = y_true[0]
    kwargs: dict = {}
    if seed % 3 == 1:
        labels = rng.permutation(np.unique(y_true))[: int(rng.integers(1, k + 1))]
        kwargs["labels"] = labels.tolist() + ([9] if seed % 2 else [])  # 9: absent
    if seed % 4 == 2:
        kwargs["digits"] = int(rng.integers(0, 7))
    if seed % 5 == 3:
        kwargs["zero_division"] = int(rng.integers(0, 2))
    if seed % 7 == 4:
        kwargs["alpha"] = float(rng.random())
    return y_true, y_pred, kwargs


# --------------------------------------------------------------------- signatures


@pytest.mark.parametrize("name", NEW_NAMES)
def test_signature_is_imblearns(name):
    ours = inspect.signature(getattr(bm, name)).parameters.values()
    theirs = inspect.signature(getattr(im, name)).parameters.values()
    assert [(p.name, p.kind, p.default) for p in ours] == [
        (p.name, p.kind, p.default) for p in theirs
    ]
    assert name in bm.__all__


# ------------------------------------------------------------------------- report


@pytest.mark.parametrize("seed", range(60))
def test_report_text_equals_imblearn(seed):
    y_true, y_pred, kwargs = _random_case(seed)
    expected = _quiet(im.classification_report_imbalanced, y_true, y_pred, **kwargs)
    result = _quiet(bm.classification_report_imbalanced, y_true, y_pred, **kwargs)
    assert result == expected


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_report_dict_equals_imblearn(seed):
    y_true, y_pred, kwargs = _random_case(seed)
    kwargs["output_dict"] = True
    expected = _quiet(im.classification_report_imbalanced, y_true, y_pred, **kwargs)
    result = _quiet(bm.classification_report_imbalanced, y_true, y_pred, **kwargs)
    assert list(result) == list(expected)
    for key, value in expected.items():
        if isinstance(value, dict):
            assert list(result[key]) == list(value)
            for column, number in value.items():
                assert_allclose(result[key][column], number, rtol=1e-12, atol=1e-12)
        else:
            assert_allclose(result[key], value, rtol=1e-12, atol=1e-12)


def test_report_string_labels_and_target_names_equal_imblearn():
    y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig", "dog"])
    y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "pig", "dog"])
    for kwargs in (
        {},
        {"target_names": ["a long name for cats", "dog", "pig"]},
        {"labels": ["pig", "cat"], "target_names": ["P", "C"], "digits": 4},
    ):
        expected = _quiet(im.classification_report_imbalanced, y_true, y_pred, **kwargs)
        assert (
            _quiet(bm.classification_report_imbalanced, y_true, y_pred, **kwargs)
            == expected
        )


def test_report_weighted_support_is_a_float_as_in_imblearn():
    y_true, y_pred = np.array([0, 1, 1, 2, 2]), np.array([0, 1, 2, 2, 2])
    weights = np.array([1, 2, 1, 1, 3])  # integers: still a float sum in imblearn
    ours = bm.classification_report_imbalanced(y_true, y_pred, sample_weight=weights)
    theirs = im.classification_report_imbalanced(y_true, y_pred, sample_weight=weights)
    sup = [line.split()[-1] for line in ours.splitlines()[2:5]]
    assert sup == [line.split()[-1] for line in theirs.splitlines()[2:5]]
    assert sup == ["1.0", "3.0", "4.0"]
    assert ours.splitlines()[-1].split()[-1] == "8.0"
    # scikit-learn's report under its own name: its columns, the float sums too
    report = bm.classification_report(y_true, y_pred, sample_weight=weights)
    assert report.splitlines()[0].split() == [
        "precision",
        "recall",
        "f1-score",
        "support",
    ]
    assert report.splitlines()[-1].split()[-1] == "8.0"


@pytest.mark.parametrize("seed", range(10))
def test_report_weighted_follows_the_definition_not_imblearn_1180(seed):
    """pre/rec/f1/sup equal imbalanced-learn's; spe uses the weighted true
    negatives (scikit-learn's multilabel confusion matrix), imbalanced-learn's
    issue #1180."""
    y_true, y_pred, _ = _random_case(seed)
    weights = np.random.default_rng(seed).random(y_true.shape[0]) + 0.1
    ours = _quiet(
        bm.classification_report_imbalanced,
        y_true,
        y_pred,
        sample_weight=weights,
        output_dict=True,
    )
    theirs = _quiet(
        im.classification_report_imbalanced,
        y_true,
        y_pred,
        sample_weight=weights,
        output_dict=True,
    )
    labels = np.unique(np.concatenate([y_true, y_pred]))
    mcm = skm.multilabel_confusion_matrix(
        y_true, y_pred, labels=labels, sample_weight=weights
    )
    tn, fp = mcm[:, 0, 0], mcm[:, 0, 1]
    for i, label in enumerate(labels):
        row, expected = ours[f"{label}"], theirs[f"{label}"]
        for column in ("pre", "rec", "f1", "sup"):
            assert_allclose(row[column], expected[column], rtol=1e-12, atol=1e-12)
        assert_allclose(row["spe"], tn[i] / (tn[i] + fp[i]), rtol=1e-12)
        assert_allclose(row["geo"], np.sqrt(row["rec"] * row["spe"]), rtol=1e-12)


def test_report_without_any_right_prediction_keeps_integer_support():
    """scikit-learn's confusion matrix turns float when no prediction is right, so
    imbalanced-learn writes ``2.0``; the counts are integers here."""
    y_true, y_pred = np.array([0, 0, 1, 1, 1]), np.array([1, 1, 0, 0, 0])
    theirs = _quiet(im.classification_report_imbalanced, y_true, y_pred)
    ours = _quiet(bm.classification_report_imbalanced, y_true, y_pred)
    assert "2.0" in theirs
    assert [t.removesuffix(".0") for t in theirs.split()] == ours.split()
    assert ours.splitlines()[-1].split()[-1] == "5"


def test_report_without_true_samples_averages_plainly():
    """imbalanced-learn divides by a zero total support (ZeroDivisionError)."""
    y_true, y_pred = np.zeros(6, dtype=int), np.array([0, 0, 1, 1, 1, 0])
    with pytest.raises(ZeroDivisionError):
        _quiet(im.classification_report_imbalanced, y_true, y_pred, labels=[1])
    report = _quiet(
        bm.classification_report_imbalanced,
        y_true,
        y_pred,
        labels=[1],
        output_dict=True,
    )
    assert report["total_support"] == 0
    assert report["avg_spe"] == report["1"]["spe"] == 0.5


def test_each_report_has_its_owners_keys():
    """issue 19: scikit-learn's name gives scikit-learn's report, imbalanced-learn's
    name imbalanced-learn's."""
    y_true, y_pred, kwargs = _random_case(5)
    sk = _quiet(bm.classification_report, y_true, y_pred, output_dict=True, **kwargs)
    im_report = _quiet(
        bm.classification_report_imbalanced, y_true, y_pred, output_dict=True, **kwargs
    )
    assert {"macro avg", "weighted avg"} <= set(sk)
    assert {"avg_pre", "avg_iba", "total_support"} <= set(im_report)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"digits": -1}, ValueError, "`digits` must be an int >= 0; got -1"),
        ({"digits": 2.5}, TypeError, "`digits` must be an int"),
        ({"output_dict": "yes"}, TypeError, "output_dict"),
        ({"alpha": "high"}, TypeError, "alpha"),
        ({"zero_division": 2}, ValueError, "`zero_division` must be"),
        ({"target_names": ["a"]}, ValueError, "`target_names` must name each of the"),
        ({"sample_weight": [1.0, 2.0]}, ValueError, "sample_weight"),
    ],
)
def test_report_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        bm.classification_report_imbalanced([0, 1, 1], [0, 1, 0], **kwargs)


def test_report_on_backend(backend):
    y_true, y_pred, _ = _random_case(4)
    # quarters: their sums (written in full in the text) are exact in any order
    weights = np.random.default_rng(0).integers(1, 9, y_true.shape[0]) / 4
    for extra in ({}, {"sample_weight": weights}):
        expected = _quiet(bm.classification_report_imbalanced, y_true, y_pred, **extra)
        if extra:
            extra = {"sample_weight": backend.asarray(weights)}
        result = _quiet(
            bm.classification_report_imbalanced,
            backend.asarray(y_true),
            backend.asarray(y_pred),
            **extra,
        )
        assert result == expected


# --------------------------------------------------------------------------- MAE


MAE_CASES = [
    ([1, 1, 1, 2, 2, 2], [1, 2, 1, 2, 1, 2]),
    ([1, 1, 1, 1, 1, 2], [1, 2, 1, 2, 1, 2]),
    ([1, 1, 1, 2, 2, 2, 3, 3, 3], [1, 3, 1, 2, 1, 1, 2, 3, 3]),
    ([0, 0, 5, 5, 9], [9, 0, 5, 0, 9]),
    ([True, False, True], [True, True, True]),
    ([1.0, 2.0, 4.0, 4.0], [2.0, 2.0, 1.0, 4.0]),
]


@pytest.mark.parametrize(("y_true", "y_pred"), MAE_CASES)
def test_mae_equals_imblearn(y_true, y_pred):
    assert bm.macro_averaged_mean_absolute_error(
        y_true, y_pred
    ) == im.macro_averaged_mean_absolute_error(y_true, y_pred)
    weights = np.linspace(0.5, 2.0, len(y_true))
    assert_allclose(
        bm.macro_averaged_mean_absolute_error(y_true, y_pred, sample_weight=weights),
        im.macro_averaged_mean_absolute_error(y_true, y_pred, sample_weight=weights),
        rtol=1e-12,
    )


@pytest.mark.parametrize("seed", range(20))
def test_mae_equals_imblearn_random(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 500))
    y_true = rng.integers(0, 7, n)
    y_pred = np.clip(y_true + rng.integers(-2, 3, n), 0, 6)
    y_pred[np.isin(y_pred, np.setdiff1d(y_pred, y_true))] = y_true[0]
    weights = rng.random(n) + 0.01
    result = bm.macro_averaged_mean_absolute_error(y_true, y_pred)
    assert isinstance(result, np.float64)
    assert result == im.macro_averaged_mean_absolute_error(y_true, y_pred)
    assert_allclose(
        bm.macro_averaged_mean_absolute_error(y_true, y_pred, sample_weight=weights),
        im.macro_averaged_mean_absolute_error(y_true, y_pred, sample_weight=weights),
        rtol=1e-12,
    )


def test_mae_leaves_out_labels_without_true_weight():
    """imbalanced-learn raises for a label only predicted, or only weighing 0."""
    y_true, y_pred = [1, 1, 2, 2], [1, 3, 2, 2]
    with pytest.raises(ValueError, match="0 sample"):
        im.macro_averaged_mean_absolute_error(y_true, y_pred)
    assert bm.macro_averaged_mean_absolute_error(y_true, y_pred) == (1.0 + 0.0) / 2
    weights = [1, 1, 0, 0]
    with pytest.raises(ValueError, match="non-zero"):
        im.macro_averaged_mean_absolute_error(
            [1, 1, 2, 2], [1, 2, 2, 1], sample_weight=weights
        )
    assert (
        bm.macro_averaged_mean_absolute_error(
            [1, 1, 2, 2], [1, 2, 2, 1], sample_weight=weights
        )
        == 0.5
    )


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "error", "match"),
    [
        (["a", "b"], ["a", "a"], {}, TypeError, "numeric \\(ordinal\\) labels"),
        ([1, 2], [1, 2, 3], {}, ValueError, "length|samples"),
        ([1.5, 2.0], [1.0, 2.0], {}, ValueError, "continuous|whole"),
        ([1, 2], [1, 2], {"sample_weight": [0, 0]}, ValueError, "non-zero"),
        ([1, 2], [1, 2], {"sample_weight": [-1, 1]}, ValueError, "sample_weight"),
    ],
)
def test_mae_bad_inputs(y_true, y_pred, kwargs, error, match):
    with pytest.raises(error, match=match):
        bm.macro_averaged_mean_absolute_error(y_true, y_pred, **kwargs)


def test_mae_on_backend(backend):
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 5, 200)
    y_pred = np.clip(y_true + rng.integers(-1, 2, 200), 0, 4)
    weights = rng.random(200)
    for extra in ({}, {"sample_weight": weights}):
        expected = bm.macro_averaged_mean_absolute_error(y_true, y_pred, **extra)
        if extra:
            extra = {"sample_weight": backend.asarray(weights)}
        result = bm.macro_averaged_mean_absolute_error(
            backend.asarray(y_true), backend.asarray(y_pred), **extra
        )
        assert getattr(result, "shape", ()) == ()
        if backend.name != "numpy":
            assert backend.device_of(result) == backend.device
        assert_allclose(float(backend.to_numpy(result)), expected, rtol=1e-6)


# ------------------------------------------------------------------ IBA decorator


def _binary():
    rng = np.random.default_rng(7)
    y_true = (rng.random(120) < 0.3).astype(int)
    y_pred = np.where(rng.random(120) < 0.75, y_true, 1 - y_true)
    return y_true, y_pred


def _multiclass():
    rng = np.random.default_rng(8)
    y_true = rng.choice([0, 1, 2], 150, p=[0.6, 0.3, 0.1])
    y_pred = np.where(rng.random(150) < 0.7, y_true, rng.integers(0, 3, 150))
    return y_true, y_pred


IBA_CASES = [
    (skm.accuracy_score, {}, _binary),
    (skm.jaccard_score, {}, _binary),
    (skm.precision_score, {}, _binary),
    (skm.recall_score, {"pos_label": 0}, _binary),
    (skm.balanced_accuracy_score, {}, _binary),  # no `average`: per class
    (skm.f1_score, {"average": None}, _multiclass),
    (skm.f1_score, {"average": "macro", "labels": [0, 2]}, _multiclass),
    (skm.precision_score, {"average": "weighted"}, _multiclass),
    (skm.recall_score, {"average": "micro"}, _multiclass),
]

# the same names in both libraries (their macro G-mean differs: imblearn #1096)
OWN_IBA_CASES = [
    ("sensitivity_score", {}, _binary),
    ("specificity_score", {"average": None}, _multiclass),
    ("geometric_mean_score", {}, _binary),
    ("geometric_mean_score", {"average": None}, _multiclass),
    ("geometric_mean_score", {"average": "binary", "pos_label": 0}, _binary),
]


@pytest.mark.parametrize(("alpha", "squared"), [(0.1, True), (0.5, False)])
@pytest.mark.parametrize(
    ("metric", "kwargs", "data"),
    IBA_CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(IBA_CASES)],
)
def test_iba_decorator_on_sklearn_metrics_equals_imblearn(
    metric, kwargs, data, alpha, squared
):
    y_true, y_pred = data()
    ours = bm.make_index_balanced_accuracy(alpha=alpha, squared=squared)(metric)
    theirs = im.make_index_balanced_accuracy(alpha=alpha, squared=squared)(metric)
    expected = _quiet(theirs, y_true, y_pred, **kwargs)
    assert_allclose(_quiet(ours, y_true, y_pred, **kwargs), expected, rtol=1e-12)
    assert ours.__name__ == metric.__name__
    assert inspect.signature(ours) == inspect.signature(metric)


@pytest.mark.parametrize(
    ("name", "kwargs", "data"),
    OWN_IBA_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(OWN_IBA_CASES)],
)
def test_iba_decorator_on_own_metrics_equals_imblearn(name, kwargs, data):
    y_true, y_pred = data()
    ours = bm.make_index_balanced_accuracy(alpha=0.3)(getattr(bm, name))
    theirs = im.make_index_balanced_accuracy(alpha=0.3)(getattr(im, name))
    expected = _quiet(theirs, y_true, y_pred, **kwargs)
    assert_allclose(_quiet(ours, y_true, y_pred, **kwargs), expected, rtol=1e-12)
    # and the functional form agrees wherever the metric has `average`
    functional = _quiet(
        bm.index_balanced_accuracy, y_true, y_pred, metric=name, alpha=0.3, **kwargs
    )
    assert_allclose(functional, expected, rtol=1e-12)


def test_iba_decorator_keyword_labels_and_sample_weight():
    y_true, y_pred = _multiclass()
    weights = np.linspace(1, 2, y_true.shape[0])
    ours = bm.make_index_balanced_accuracy()(bm.recall_score)
    theirs = im.make_index_balanced_accuracy()(skm.recall_score)
    kwargs = {"average": "macro", "labels": [2, 0]}
    assert_allclose(
        ours(y_true=y_true, y_pred=y_pred, **kwargs),
        theirs(y_true=y_true, y_pred=y_pred, **kwargs),
        rtol=1e-12,
    )
    # with weights: recall's part equal, the specificity follows the definition
    weighted = ours(y_true, y_pred, average=None, sample_weight=weights)
    sensitivity, specificity, _ = bm.sensitivity_specificity_support(
        y_true, y_pred, average=None, sample_weight=weights
    )
    recall = skm.recall_score(y_true, y_pred, average=None, sample_weight=weights)
    assert_allclose(
        weighted, (1 + 0.1 * (sensitivity - specificity)) * recall**2, rtol=1e-12
    )


@pytest.mark.parametrize(
    "metric",
    [
        skm.average_precision_score,
        skm.brier_score_loss,
        skm.cohen_kappa_score,
        skm.roc_auc_score,
        bm.roc_auc_score,
        bm.cohen_kappa_score,
    ],
)
def test_iba_decorator_refuses_score_metrics_when_called(metric):
    decorated = bm.make_index_balanced_accuracy(alpha=0.5)(metric)  # no error yet
    with pytest.raises(TypeError, match="metric of predicted labels"):
        decorated([0, 1, 1], [0, 1, 0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"alpha": "big"}, TypeError, "alpha"),
        ({"squared": "yes"}, TypeError, "squared"),
    ],
)
def test_iba_decorator_bad_parameters(kwargs, error, match):
    decorated = bm.make_index_balanced_accuracy(**kwargs)(bm.f1_score)
    with pytest.raises(error, match=match):
        decorated([0, 1, 1], [0, 1, 0])


def test_iba_decorator_bad_metric_arguments():
    decorated = bm.make_index_balanced_accuracy()(bm.f1_score)
    with pytest.raises(TypeError, match="do not fit the metric 'f1_score'"):
        decorated([0, 1, 1], [0, 1, 0], bogus=1)


def test_iba_decorator_on_backend(backend):
    y_true, y_pred = _multiclass()
    decorated = bm.make_index_balanced_accuracy(alpha=0.2)(bm.geometric_mean_score)
    expected = decorated(y_true, y_pred, average=None)
    result = decorated(backend.asarray(y_true), backend.asarray(y_pred), average=None)
    if backend.name != "numpy":
        assert backend.device_of(result) == backend.device
    assert_allclose(backend.to_numpy(result), expected, rtol=1e-6)


# -------------------------------------------------------------------- TensorFlow


@pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="needs tensorflow"
)
def test_tensorflow_wrappers_of_the_new_names():
    import torch  # noqa: F401  (torch before tensorflow in one process)

    tf = pytest.importorskip("tensorflow")
    tf_metrics = pytest.importorskip("balancekit.tensorflow.metrics")
    y_true, y_pred = _multiclass()
    t_true, t_pred = tf.constant(y_true), tf.constant(y_pred)
    mae = tf_metrics.macro_averaged_mean_absolute_error(t_true, t_pred)
    assert isinstance(mae, tf.Tensor)
    assert float(mae) == bm.macro_averaged_mean_absolute_error(y_true, y_pred)
    assert tf_metrics.classification_report_imbalanced(
        t_true, t_pred
    ) == bm.classification_report_imbalanced(y_true, y_pred)
    iba = tf_metrics.make_index_balanced_accuracy(alpha=0.2)(bm.f1_score)(
        t_true, t_pred, average=None
    )
    assert isinstance(iba, tf.Tensor)
    assert_allclose(
        iba.numpy(),
        bm.make_index_balanced_accuracy(alpha=0.2)(bm.f1_score)(
            y_true, y_pred, average=None
        ),
    )


# ------------------------------------------- imbalanced-learn's own metric tests

# Failures of imbalanced-learn's test_classification.py with balancekit's functions
# swapped in, each a documented, deliberate difference of balancekit.metrics
# (module documentation of balancekit.metrics._imbalanced).
KNOWN_FAILURES = {
    # average="binary" with pos_label in neither y_true nor y_pred: scikit-learn's
    # rule (specificity tn / tn = 1), imbalanced-learn returns 0.0
    "test_sensitivity_specificity_f_binary_single_class[y_pred1-0.0-0.0]",
    # macro / weighted G-mean: the mean of per-class G-means (imbalanced-learn #1096)
    "test_geometric_mean_average[y_true0-y_pred0-macro-0.471]",
    "test_geometric_mean_average[y_true2-y_pred2-weighted-0.471]",
    "test_geometric_mean_sample_weight[y_true2-y_pred2-sample_weight2-weighted-0.333]",
    "test_geometric_mean_score_prediction[macro-0.67]",
    "test_geometric_mean_score_prediction[weighted-0.64]",
}

_SWAP_CONFTEST = """
import imblearn.metrics as target

import balancekit.metrics as bm

SWAPPED = [name for name in target.__all__ if hasattr(bm, name)]
for name in SWAPPED:
    setattr(target, name, getattr(bm, name))
"""


def test_imblearns_own_metric_tests_with_balancekit_swapped_in(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    source = Path(im.__file__).parent / "tests" / "test_classification.py"
    (tmp_path / "test_classification.py").write_text(source.read_text())
    (tmp_path / "conftest.py").write_text(_SWAP_CONFTEST)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
            "test_classification.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    failed = {
        line.split("::", 1)[1].split(" ")[0]
        for line in run.stdout.splitlines()
        if line.startswith("FAILED ")
    }
    assert failed <= KNOWN_FAILURES, run.stdout[-3000:]
    passed = int(run.stdout.rsplit(" passed", 1)[0].rsplit(" ", 1)[-1])
    assert passed >= 40, run.stdout[-3000:]
    # every test of the three new names passes
    assert not any(
        key in name
        for name in failed
        for key in ("classification_report", "iba", "macro_averaged")
    )


def _run_imblearn_examples(module, names, swap) -> list[tuple[str, int, int]]:
    """Run imbalanced-learn's docstring examples of ``names`` with the imports
    swapped; NumPy prints as in imbalanced-learn's doctests (legacy 1.25)."""
    import doctest

    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    results = []
    options = np.get_printoptions()
    np.set_printoptions(legacy="1.25")
    try:
        for name in names:
            text = getattr(module, name).__doc__
            for theirs, ours in swap.items():
                text = text.replace(theirs, ours)
            test = parser.get_doctest(text, {}, name, None, 0)
            result = _quiet(runner.run, test)
            results.append((name, result.failed, result.attempted))
    finally:
        np.set_printoptions(**options)
    return results


def test_imblearns_documented_examples_run_with_the_import_changed():
    import imblearn.metrics._classification as documented

    results = _run_imblearn_examples(
        documented,
        NEW_NAMES,
        {"from imblearn.metrics import": "from balancekit.metrics import"},
    )
    assert all(attempted > 0 and failed == 0 for _, failed, attempted in results), (
        results
    )
