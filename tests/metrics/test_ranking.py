"""Score-based metrics: scikit-learn's results, every backend, clear errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as sk
from sklearn.exceptions import UndefinedMetricWarning

from balancekit.metrics._ranking import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from balancekit.metrics._ranking_brier import brier_score_loss
from tests.conftest import STRICT_DEVICE1

RTOL = 1e-12
CURVES = {"precision_recall_curve": precision_recall_curve, "roc_curve": roc_curve}


def random_case(seed, *, n_max=80, weights=False):
    """Binary labels, scores with ties (rounded) or constant, optional 0-weights."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, n_max))
    y = rng.integers(0, 2, n)
    if seed % 7 == 0:
        score = np.full(n, 0.25)
    else:
        score = np.round(rng.random(n) + 0.3 * y, int(rng.integers(1, 4)))
    w = None
    if weights:
        w = rng.random(n) * 3
        w[rng.random(n) < 0.2] = 0.0
        w[int(rng.integers(n))] = 1.0  # at least one sample counts
    return y, score, w


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=0)
    else:
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("name", sorted(CURVES))
@pytest.mark.parametrize("drop_intermediate", [False, True])
@pytest.mark.parametrize("weights", [False, True])
def test_curves_equal_sklearn(name, drop_intermediate, weights):
    for seed in range(40):
        y, score, w = random_case(seed, weights=weights)
        kwargs = {"sample_weight": w, "drop_intermediate": drop_intermediate}
        ours = quiet(CURVES[name], y, score, **kwargs)
        assert_same(ours, quiet(getattr(sk, name), y, score, **kwargs))


@pytest.mark.parametrize("weights", [False, True])
def test_scores_equal_sklearn(weights):
    for seed in range(60):
        y, score, w = random_case(seed, weights=weights)
        for ours, theirs in [
            (average_precision_score, sk.average_precision_score),
            (roc_auc_score, sk.roc_auc_score),
        ]:
            assert_same(
                quiet(ours, y, score, sample_weight=w),
                quiet(theirs, y, score, sample_weight=w),
            )


def test_scores_on_larger_data_with_ties_equal_sklearn():
    rng = np.random.default_rng(3)
    for share in (0.01, 0.3, 0.9):  # both branches of the AUC's smaller-class search
        y = (rng.random(20_000) < share).astype(np.int64)
        score = np.round(rng.normal(y * 0.8, 1.0), 2)
        assert_same(
            average_precision_score(y, score), sk.average_precision_score(y, score)
        )
        assert_same(roc_auc_score(y, score), sk.roc_auc_score(y, score))


@pytest.mark.parametrize("max_fpr", [0.05, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("weights", [False, True])
def test_partial_auc_equals_sklearn(max_fpr, weights):
    compared = 0
    for seed in range(1, 30):
        y, score, w = random_case(seed, weights=weights)
        try:
            theirs = quiet(sk.roc_auc_score, y, score, sample_weight=w, max_fpr=max_fpr)
        except ValueError:  # scikit-learn fails on curves with < 2 points
            continue
        ours = quiet(roc_auc_score, y, score, sample_weight=w, max_fpr=max_fpr)
        assert_same(ours, theirs)
        compared += 1
    assert compared > 10


@pytest.mark.parametrize(
    ("labels", "pos_label"),
    [
        ((-1, 1), None),
        ((0, 1), 0),
        ((2, 5), 5),
        ((2, 5), 2),
        ((False, True), None),
        ((0.0, 1.0), 1),
        (("ham", "spam"), "spam"),
        (("ham", "spam"), "ham"),
    ],
)
def test_pos_label_variants_equal_sklearn(labels, pos_label):
    rng = np.random.default_rng(7)
    y = np.array(labels)[rng.integers(0, 2, 50)]
    score = np.round(rng.random(50), 1)
    for name, fn in CURVES.items():
        assert_same(
            fn(y, score, pos_label=pos_label),
            getattr(sk, name)(y, score, pos_label=pos_label),
        )
    ap_label = 1 if pos_label is None else pos_label
    assert_same(
        average_precision_score(y, score, pos_label=ap_label),
        sk.average_precision_score(y, score, pos_label=ap_label),
    )
    assert_same(roc_auc_score(y, score), sk.roc_auc_score(y, score))
    proba = np.clip(score, 0, 1)
    assert_same(
        brier_score_loss(y, proba, pos_label=pos_label),
        sk.brier_score_loss(y, proba, pos_label=pos_label),
    )


def test_lists_float32_and_integer_scores():
    y = [0, 1, 1, 0, 1]
    assert_same(roc_curve(y, [3, 1, 2, 2, 5]), sk.roc_curve(y, [3, 1, 2, 2, 5]))
    score32 = np.array([0.3, 0.1, 0.2, 0.2, 0.5], dtype=np.float32)
    ours = precision_recall_curve(y, score32)
    assert ours[2].dtype == np.float32
    assert_same(ours, sk.precision_recall_curve(y, score32))
    assert roc_curve(y, score32)[2].dtype == np.float64
    assert_same(roc_auc_score(y, score32), sk.roc_auc_score(y, score32))


def test_multiclass_pos_label_curves_score_one_class_against_the_rest():
    rng = np.random.default_rng(1)
    y, score = rng.integers(0, 4, 60), rng.random(60)
    for name, fn in CURVES.items():
        assert_same(fn(y, score, pos_label=2), getattr(sk, name)(y, score, pos_label=2))


def multiclass_case(seed, n_classes=4, n=120):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    logits = np.round(rng.normal(size=(n, n_classes)) + np.eye(n_classes)[y], 1)
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    w = rng.random(n) * (rng.random(n) > 0.1)
    return y, proba, w


@pytest.mark.parametrize("average", ["macro", "weighted", None])
@pytest.mark.parametrize("weights", [False, True])
def test_multiclass_ovr_equals_sklearn(average, weights):
    for seed in range(8):
        y, proba, w = multiclass_case(seed, n_classes=3 + seed % 3)
        w = w if weights else None
        kwargs = {"average": average, "sample_weight": w}
        assert_same(
            roc_auc_score(y, proba, multi_class="ovr", **kwargs),
            sk.roc_auc_score(y, proba, multi_class="ovr", **kwargs),
        )
        assert_same(
            average_precision_score(y, proba, **kwargs),
            sk.average_precision_score(y, proba, **kwargs),
        )


def test_multiclass_string_labels_and_labels_argument():
    y, proba, _ = multiclass_case(4, n_classes=3)
    names = np.array(["ant", "bee", "cat"])[y]
    assert_same(
        roc_auc_score(names, proba, multi_class="ovr", average="weighted"),
        sk.roc_auc_score(names, proba, multi_class="ovr", average="weighted"),
    )
    padded = np.concatenate([proba, np.zeros((proba.shape[0], 1))], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = roc_auc_score(y, padded, multi_class="ovr", labels=[0, 1, 2, 3])
        theirs = sk.roc_auc_score(y, padded, multi_class="ovr", labels=[0, 1, 2, 3])
    assert np.isnan(ours)
    assert np.isnan(theirs)


@pytest.mark.parametrize("scale_by_half", ["auto", True, False])
def test_brier_equals_sklearn(scale_by_half):
    for seed in range(20):
        y, score, w = random_case(seed, weights=seed % 2 == 1)
        proba = np.clip(score, 0, 1)
        kwargs = {"sample_weight": w, "scale_by_half": scale_by_half}
        assert_same(
            brier_score_loss(y, proba, **kwargs),
            sk.brier_score_loss(y, proba, **kwargs),
        )
        y3, proba3, w3 = multiclass_case(seed)
        assert_same(
            brier_score_loss(y3, proba3, sample_weight=w3, scale_by_half=scale_by_half),
            sk.brier_score_loss(
                y3, proba3, sample_weight=w3, scale_by_half=scale_by_half
            ),
        )


def test_brier_greater_label_is_positive_for_other_numeric_labels():
    y, proba = np.array([2, 7, 7, 2]), np.array([0.1, 0.8, 0.6, 0.3])
    assert_same(brier_score_loss(y, proba), sk.brier_score_loss(y, proba))


def test_single_class_warnings_and_values_match_sklearn():
    score = np.array([0.1, 0.4, 0.3])
    for y in ([0, 0, 0], [1, 1, 1]):
        with pytest.warns(UndefinedMetricWarning, match="Only one class"):
            assert np.isnan(roc_auc_score(y, score))
        with pytest.warns(UndefinedMetricWarning, match="should be meaningless"):
            ours = roc_curve(y, score)
        assert_same(ours, quiet(sk.roc_curve, y, score))
    with pytest.warns(UserWarning, match="No positive class"):
        assert_same(
            precision_recall_curve([0, 0, 0], score),
            quiet(sk.precision_recall_curve, [0, 0, 0], score),
        )
    with pytest.warns(UserWarning, match="No positive class"):
        assert float(average_precision_score([0, 0, 0], score)) == 0.0
    assert float(average_precision_score([1, 1, 1], score)) == 1.0


def test_inputs_are_not_modified():
    y, score, w = random_case(3, weights=True)
    copies = y.copy(), score.copy(), w.copy()
    for fn in (*CURVES.values(), average_precision_score, roc_auc_score):
        fn(y, score, sample_weight=w)
    brier_score_loss(y, np.clip(score, 0, 1), sample_weight=w)
    for before, after in zip(copies, (y, score, w), strict=True):
        np.testing.assert_array_equal(before, after)


# ---------------------------------------------------------------- every backend


def _backend_case():
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 200)
    score = np.round(rng.random(200) * 0.7 + 0.3 * y, 2)
    w = rng.random(200) * (rng.random(200) > 0.2)
    return y, score, w


def _check_on(backend, ours, expected):
    outs = ours if isinstance(ours, tuple) else (ours,)
    wants = expected if isinstance(expected, tuple) else (expected,)
    for out, want in zip(outs, wants, strict=True):
        assert backend.device_of(out) == backend.device
        np.testing.assert_allclose(backend.to_numpy(out), want, rtol=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "fn",
    [
        precision_recall_curve,
        roc_curve,
        average_precision_score,
        roc_auc_score,
        brier_score_loss,
    ],
    ids=lambda f: f.__name__,
)
def test_every_backend_keeps_the_device(backend, fn, weighted):
    y, score, w = _backend_case()
    w = w if weighted else None
    expected = fn(y, score, sample_weight=w)
    put = backend.asarray
    ours = fn(put(y), put(score), sample_weight=None if w is None else put(w))
    _check_on(backend, ours, expected)


def test_every_backend_multiclass_and_partial_auc(backend):
    y, proba, w = multiclass_case(5)
    put = backend.asarray
    for average in ("macro", "weighted", None):
        _check_on(
            backend,
            roc_auc_score(put(y), put(proba), multi_class="ovr", average=average),
            roc_auc_score(y, proba, multi_class="ovr", average=average),
        )
        _check_on(
            backend,
            average_precision_score(
                put(y), put(proba), sample_weight=put(w), average=average
            ),
            average_precision_score(y, proba, sample_weight=w, average=average),
        )
    _check_on(
        backend,
        brier_score_loss(put(y), put(proba), sample_weight=put(w)),
        brier_score_loss(y, proba, sample_weight=w),
    )
    yb, score, _ = _backend_case()
    _check_on(
        backend,
        roc_auc_score(put(yb), put(score), max_fpr=0.2),
        roc_auc_score(yb, score, max_fpr=0.2),
    )


def test_torch_bool_labels_and_float32_scores():
    torch = pytest.importorskip("torch")
    y, score, _ = _backend_case()
    y_t = torch.as_tensor(y.astype(bool))
    s_t = torch.as_tensor(score, dtype=torch.float32)
    auc = roc_auc_score(y_t, s_t)
    assert auc.dtype == torch.float64
    np.testing.assert_allclose(
        float(auc), sk.roc_auc_score(y, score.astype(np.float32)), rtol=RTOL
    )


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("y_true", "y_score", "kwargs", "match"),
    [
        ([0, 1, 1], [0.1, 0.2], {}, "`y_true` and `y_score` have different lengths"),
        ([], [], {}, "`y_true` is empty"),
        ([0, 1], [0.1, np.nan], {}, "`y_score` contains NaN"),
        ([0, 1], [0.1, np.inf], {}, "`y_score` contains NaN or infinity"),
        ([0, 2, 2], [0.1, 0.2, 0.3], {}, "`pos_label` is not specified"),
        (["a", "b"], [0.1, 0.2], {}, "`pos_label` is not specified"),
        ([0, 1, 1], [0.1, 0.2, 0.3], {"pos_label": 3}, "`pos_label`=3 is not a valid"),
        ([0, 1, 2], [0.1, 0.2, 0.3], {}, "more than two values"),
        ([0, 1, 2], [0.1, 0.2, 0.3], {"pos_label": 7}, "does not occur"),
        ([0.5, 1.0], [0.1, 0.2], {}, "continuous"),
        ([0, 1], [[0.1, 0.9], [0.2, 0.8]], {}, r"`y_score` must have shape"),
        ([0, 1], [0.1, 0.2], {"sample_weight": [1.0, -1.0]}, "negative"),
        ([0, 1], [0.1, 0.2], {"sample_weight": [1.0]}, "`sample_weight` must have"),
    ],
)
@pytest.mark.parametrize("fn", list(CURVES.values()), ids=list(CURVES))
def test_curve_errors_name_the_parameter(fn, y_true, y_score, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(y_true, y_score, **kwargs)


def test_score_errors_name_the_parameter():
    y, score = [0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3]
    with pytest.raises(ValueError, match="`y_proba` must hold probabilities in"):
        brier_score_loss(y, [0.1, 1.2, 0.5, 0.3])
    with pytest.raises(ValueError, match="`y_proba` must hold probabilities in"):
        brier_score_loss(y, [-0.1, 0.2, 0.5, 0.3])
    with pytest.raises(ValueError, match="`y_proba` contains NaN"):
        brier_score_loss(y, [np.nan, 0.2, 0.5, 0.3])
    with pytest.raises(ValueError, match="`y_true` and `y_proba` have different"):
        brier_score_loss(y, [0.2, 0.5, 0.3])
    with pytest.raises(ValueError, match="`pos_label` is not specified"):
        brier_score_loss(["a", "b", "b", "a"], score)
    with pytest.raises(ValueError, match="`pos_label`=1 is not a valid label"):
        average_precision_score(["a", "b", "b", "a"], score)
    with pytest.raises(ValueError, match="`average` must be one of"):
        roc_auc_score(y, score, average="samples")
    with pytest.raises(ValueError, match="`max_fpr` must be in"):
        roc_auc_score(y, score, max_fpr=0)
    with pytest.raises(ValueError, match="`multi_class` must be one of"):
        roc_auc_score(y, score, multi_class="ovx")
    y3, proba, _ = multiclass_case(0, n_classes=3)
    with pytest.raises(ValueError, match="pass `multi_class='ovr'`"):
        roc_auc_score(y3, proba)
    with pytest.raises(ValueError, match="summing to 1"):
        roc_auc_score(y3, proba * 2, multi_class="ovr")
    with pytest.raises(ValueError, match="`y_score` needs shape"):
        roc_auc_score(y3, proba[:, 0], multi_class="ovr")
    with pytest.raises(ValueError, match="`labels` names 2 classes"):
        roc_auc_score(y3, proba, multi_class="ovr", labels=[0, 1])
    with pytest.raises(ValueError, match="`labels` must be sorted"):
        roc_auc_score(y3, proba, multi_class="ovr", labels=[2, 1, 0])
    with pytest.raises(ValueError, match="`pos_label` is fixed to 1"):
        average_precision_score(y3, proba, pos_label=2)
    with pytest.raises(TypeError, match="`y_score` must hold real numbers"):
        roc_auc_score(y, np.array(["a", "b", "c", "d"]))


def test_host_labels_follow_the_scores_and_other_devices_are_refused(backend):
    """scikit-learn accepts mixed containers: labels (or scores) in host memory are
    moved to where the scores live; arrays on another device are refused."""
    if backend.name == "numpy":
        pytest.skip("needs a second library")
    y, score, _ = _backend_case()
    expected = roc_auc_score(y, score)
    if backend.device == STRICT_DEVICE1:
        with pytest.raises((TypeError, ValueError), match="`y_true` and `y_score`"):
            roc_auc_score(backend.asarray(y), score)
    else:
        on_host = roc_auc_score(backend.asarray(y), score)  # computed with NumPy
        assert isinstance(on_host, np.ndarray | np.generic | float)
        assert float(on_host) == pytest.approx(float(expected), abs=1e-12)
    on_device = roc_auc_score(y, backend.asarray(score))  # host labels move
    assert backend.device_of(on_device) == backend.device
    assert float(backend.to_numpy(on_device)) == pytest.approx(float(expected))
