"""Stateful metrics: updates over batches equal the functional metric over the
concatenation (every backend, array-api-strict's device1 included), merge of two
halves equals the whole, reset forgets, bad input gets a clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import balancekit.metrics as bm
from balancekit.metrics import StreamingConfusionMatrix, StreamingScores

RNG = np.random.default_rng(3)
N = 240
Y_TRUE = RNG.choice([0, 1, 2, 5], size=N, p=[0.6, 0.25, 0.1, 0.05])
Y_PRED = np.where(RNG.random(N) < 0.7, Y_TRUE, RNG.choice([0, 1, 2, 5, 7], size=N))
FLOAT_WEIGHTS = RNG.random(N) * 2
INT_WEIGHTS = RNG.integers(0, 4, size=N)
LABELS = [5, 0, 1, 2, 7, 9]  # unsorted, 9 never occurs
BATCHES = [slice(0, 70), slice(70, 71), slice(71, 200), slice(200, N)]

CALLS = [
    ("precision_recall_fscore_support", {"average": None}),
    ("precision_score", {"average": "macro", "zero_division": np.nan}),
    ("recall_score", {"average": "micro"}),
    ("f1_score", {"average": "weighted", "labels": [0, 2, 9]}),
    ("fbeta_score", {"average": None, "beta": 2.0}),
    ("balanced_accuracy_score", {"adjusted": True}),
    ("matthews_corrcoef", {}),
    ("cohen_kappa_score", {"weights": "quadratic"}),
    ("sensitivity_specificity_support", {"average": None}),
    ("specificity_score", {"average": "weighted"}),
    ("geometric_mean_score", {}),
    ("geometric_mean_score", {"average": "macro", "labels": [1, 2, 7]}),
    ("index_balanced_accuracy", {"average": None}),
    ("confusion_matrix", {"normalize": "true"}),
]


def _flatten(result):
    if isinstance(result, tuple):
        return [r for r in result if r is not None]
    return [result]


def _weights(kind):
    return {"none": None, "float": FLOAT_WEIGHTS, "int": INT_WEIGHTS}[kind]


def _fill(metric, backend, y_true, y_pred, weights, batches=BATCHES):
    for part in batches:
        w = None if weights is None else backend.asarray(weights[part])
        metric.update(backend.asarray(y_true[part]), backend.asarray(y_pred[part]), w)
    return metric


@pytest.mark.parametrize("weights", ["none", "float", "int"])
def test_confusion_matrix_batches_equal_functional(backend, weights):
    sample_weight = _weights(weights)
    metric = _fill(
        StreamingConfusionMatrix(LABELS), backend, Y_TRUE, Y_PRED, sample_weight
    )
    matrix = metric.compute()
    expected = bm.confusion_matrix(
        Y_TRUE, Y_PRED, labels=LABELS, sample_weight=sample_weight
    )
    if backend.name != "numpy":
        assert backend.device_of(matrix) == backend.device
    result = backend.to_numpy(matrix)
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result, expected, rtol=1e-12)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, kwargs in CALLS:
            ours = _flatten(metric.score(name, **kwargs))
            reference = _flatten(
                getattr(bm, name)(Y_TRUE, Y_PRED, sample_weight=sample_weight, **kwargs)
            )
            assert len(ours) == len(reference), name
            for a, b in zip(ours, reference, strict=True):
                if backend.name != "numpy":
                    assert backend.device_of(a) == backend.device, name
                np.testing.assert_allclose(
                    backend.to_numpy(a), b, rtol=1e-12, atol=1e-15, err_msg=name
                )
        reports = [
            (
                metric.report_imbalanced(alpha=0.2),
                bm.classification_report_imbalanced(
                    Y_TRUE,
                    Y_PRED,
                    sample_weight=sample_weight,
                    alpha=0.2,
                    output_dict=True,
                ),
            ),
            (
                metric.report(),
                bm.classification_report(
                    Y_TRUE, Y_PRED, sample_weight=sample_weight, output_dict=True
                ),
            ),
        ]
    for report, expected_report in reports:
        assert report.keys() == expected_report.keys()
        for key, value in expected_report.items():
            if isinstance(value, dict):
                assert report[key].keys() == value.keys()
                for column, v in value.items():
                    if column != "sup":  # the stream's support: a sum of weights
                        assert type(report[key][column]) is type(v)
                    assert report[key][column] == pytest.approx(v, rel=1e-12, abs=1e-15)
            else:
                assert report[key] == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_dedicated_methods_equal_functional():
    metric = StreamingConfusionMatrix(LABELS)
    _fill(metric, _NUMPY, Y_TRUE, Y_PRED, FLOAT_WEIGHTS)
    w = {"sample_weight": FLOAT_WEIGHTS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [
            (
                metric.f1_score(average="macro"),
                bm.f1_score(Y_TRUE, Y_PRED, average="macro", **w),
            ),
            (
                metric.precision_score(average="weighted"),
                bm.precision_score(Y_TRUE, Y_PRED, average="weighted", **w),
            ),
            (
                metric.recall_score(average=None),
                bm.recall_score(Y_TRUE, Y_PRED, average=None, **w),
            ),
            (
                metric.fbeta_score(beta=0.5, average="micro"),
                bm.fbeta_score(Y_TRUE, Y_PRED, beta=0.5, average="micro", **w),
            ),
            (
                metric.balanced_accuracy_score(),
                bm.balanced_accuracy_score(Y_TRUE, Y_PRED, **w),
            ),
            (
                metric.geometric_mean_score(),
                bm.geometric_mean_score(Y_TRUE, Y_PRED, **w),
            ),
            (metric.matthews_corrcoef(), bm.matthews_corrcoef(Y_TRUE, Y_PRED, **w)),
            (metric.cohen_kappa_score(), bm.cohen_kappa_score(Y_TRUE, Y_PRED, **w)),
            (
                metric.sensitivity_score(average="macro"),
                bm.sensitivity_score(Y_TRUE, Y_PRED, average="macro", **w),
            ),
            (
                metric.specificity_score(average="macro"),
                bm.specificity_score(Y_TRUE, Y_PRED, average="macro", **w),
            ),
            (
                metric.index_balanced_accuracy(),
                bm.index_balanced_accuracy(Y_TRUE, Y_PRED, **w),
            ),
        ]
        prfs = metric.precision_recall_fscore_support()
        expected_prfs = bm.precision_recall_fscore_support(Y_TRUE, Y_PRED, **w)
    for ours, reference in [*pairs, *zip(prfs, expected_prfs, strict=True)]:
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-15)
    # against scikit-learn directly
    np.testing.assert_allclose(
        metric.matthews_corrcoef(),
        skm.matthews_corrcoef(Y_TRUE, Y_PRED, sample_weight=FLOAT_WEIGHTS),
        rtol=1e-12,
    )


class _Numpy:
    name = "numpy"

    @staticmethod
    def asarray(a):
        return a


_NUMPY = _Numpy()


def test_string_and_bool_labels():
    names = np.array(["cat", "dog", "pig"])
    y_true, y_pred = names[Y_TRUE % 3], names[Y_PRED % 3]
    metric = _fill(
        StreamingConfusionMatrix(["pig", "cat", "dog"]), _NUMPY, y_true, y_pred, None
    )
    np.testing.assert_array_equal(
        metric.compute(),
        bm.confusion_matrix(y_true, y_pred, labels=["pig", "cat", "dog"]),
    )
    assert metric.report() == bm.classification_report(y_true, y_pred, output_dict=True)
    y_true, y_pred = Y_TRUE % 2 == 1, Y_PRED % 2 == 1
    metric = _fill(
        StreamingConfusionMatrix([False, True]), _NUMPY, y_true, y_pred, None
    )
    assert metric.report() == bm.classification_report(y_true, y_pred, output_dict=True)
    assert metric.f1_score() == bm.f1_score(y_true, y_pred)


def test_merge_reset_and_single_label_stream(backend):
    half = N // 2
    whole = _fill(
        StreamingConfusionMatrix(LABELS), backend, Y_TRUE, Y_PRED, FLOAT_WEIGHTS
    )
    first = _fill(
        StreamingConfusionMatrix(LABELS),
        backend,
        Y_TRUE,
        Y_PRED,
        FLOAT_WEIGHTS,
        [slice(0, half)],
    )
    second = _fill(
        StreamingConfusionMatrix(LABELS),
        backend,
        Y_TRUE,
        Y_PRED,
        None,
        [slice(half, N)],
    )
    assert first.merge(second) is first
    # batches without weights count 1 per sample
    weights = np.concatenate([FLOAT_WEIGHTS[:half], np.ones(N - half)])
    expected = bm.confusion_matrix(Y_TRUE, Y_PRED, labels=LABELS, sample_weight=weights)
    np.testing.assert_allclose(backend.to_numpy(first.compute()), expected, rtol=1e-12)
    assert not whole.is_empty
    assert whole.reset() is whole
    assert whole.is_empty
    with pytest.raises(ValueError, match="has no samples"):
        whole.compute()
    whole.merge(StreamingConfusionMatrix(LABELS))  # merging an empty one: no-op
    assert whole.is_empty
    whole.merge(second)
    np.testing.assert_array_equal(
        backend.to_numpy(whole.compute()),
        bm.confusion_matrix(Y_TRUE[half:], Y_PRED[half:], labels=LABELS),
    )
    _fill(whole.reset(), backend, Y_TRUE, Y_PRED, None, [slice(0, 10)])
    np.testing.assert_array_equal(
        backend.to_numpy(whole.compute()),
        bm.confusion_matrix(Y_TRUE[:10], Y_PRED[:10], labels=LABELS),
    )


def test_outside_label_errors(backend):
    metric = StreamingConfusionMatrix([0, 1, 2])
    with pytest.raises(ValueError, match=r"`y_pred` contains the label 5"):
        metric.update(
            backend.asarray(np.array([0, 1])), backend.asarray(np.array([5, 1]))
        )
    general = StreamingConfusionMatrix([-1, 3, 10])
    with pytest.raises(ValueError, match=r"`y_true` contains the label 4"):
        general.update(
            backend.asarray(np.array([3, 4])), backend.asarray(np.array([3, 3]))
        )
    assert metric.is_empty
    assert general.is_empty
    general.update(
        backend.asarray(np.array([3, -1])), backend.asarray(np.array([10.0, 3.0]))
    )
    np.testing.assert_array_equal(
        backend.to_numpy(general.compute()), [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    )


def test_confusion_errors():
    import array_api_strict
    import torch

    with pytest.raises(ValueError, match="`labels` is required"):
        StreamingConfusionMatrix(None)
    with pytest.raises(ValueError, match="`labels` must not repeat"):
        StreamingConfusionMatrix([1, 1])
    metric = StreamingConfusionMatrix([0, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        metric.update([0, 1], [0])
    with pytest.raises(ValueError, match="`sample_weight` must have shape"):
        metric.update([0, 1], [0, 1], sample_weight=[1.0])
    with pytest.raises(ValueError, match="Mix of label input types"):
        metric.update(["a", "b"], ["a", "b"])
    with pytest.raises(ValueError, match="`y_true` must be 1-D"):
        metric.update(np.zeros((2, 2), dtype=int), [0, 1])
    metric.update(torch.tensor([0, 1]), torch.tensor([1, 1]))
    with pytest.raises(ValueError, match="`y_true` is not where the metric"):
        metric.update(np.array([0, 1]), np.array([0, 1]))
    other = StreamingConfusionMatrix([0, 1]).update([0], [0])
    with pytest.raises(ValueError, match="`other` is not where the metric"):
        metric.merge(other)
    with pytest.raises(ValueError, match="different configuration"):
        metric.merge(StreamingConfusionMatrix([1, 0]))
    with pytest.raises(TypeError, match="`other` must be a StreamingConfusionMatrix"):
        metric.merge(StreamingScores())
    with pytest.raises(ValueError, match="`metric` must be one of"):
        metric.score("roc_auc_score")
    with pytest.raises(TypeError, match="`sample_weight` is not a score"):
        metric.score("f1_score", sample_weight=[1, 1])
    strict = StreamingConfusionMatrix(["a", "b"])
    with pytest.raises(ValueError, match="only NumPy input"):
        strict.update(array_api_strict.asarray([0]), array_api_strict.asarray([0]))


# ----------------------------------------------------------------- score histograms

SCORES = RNG.random(N)
BINARY = (RNG.random(N) < 0.3 + 0.5 * SCORES).astype(int)


def _fill_scores(metric, backend, y_true, y_score, weights, batches=BATCHES):
    for part in batches:
        w = None if weights is None else backend.asarray(weights[part])
        metric.update(backend.asarray(y_true[part]), backend.asarray(y_score[part]), w)
    return metric


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_scores_on_the_grid_equal_sklearn(backend, weighted):
    n_bins = 50
    y_score = np.round(SCORES * n_bins) / n_bins  # exactly the default thresholds
    weights = FLOAT_WEIGHTS if weighted else None
    metric = _fill_scores(StreamingScores(n_bins), backend, BINARY, y_score, weights)
    kw = {"sample_weight": weights}
    result = metric.compute()
    if backend.name != "numpy":
        assert backend.device_of(result["roc_auc"]) == backend.device
    np.testing.assert_allclose(
        backend.to_numpy(result["roc_auc"]),
        skm.roc_auc_score(BINARY, y_score, **kw),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        backend.to_numpy(result["average_precision"]),
        skm.average_precision_score(BINARY, y_score, **kw),
        rtol=1e-12,
    )
    curves = metric.curves()
    for ours, reference in [
        (curves["roc"], skm.roc_curve(BINARY, y_score, **kw)),
        (curves["precision_recall"], skm.precision_recall_curve(BINARY, y_score, **kw)),
    ]:
        for a, b in zip(ours, reference, strict=True):
            np.testing.assert_allclose(backend.to_numpy(a), b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        backend.to_numpy(metric.roc_auc_error_bound()),
        _tie_mass(BINARY, y_score, weights),
        rtol=1e-12,
    )


def _tie_mass(y, s, w):
    w = np.ones(len(y)) if w is None else w
    values, inverse = np.unique(s, return_inverse=True)
    pos = np.bincount(inverse, w * (y == 1), len(values))
    neg = np.bincount(inverse, w * (y == 0), len(values))
    return (pos * neg).sum() / (2 * pos.sum() * neg.sum())


@pytest.mark.parametrize("n_bins", [100, 1000])
def test_continuous_scores_within_the_documented_tolerance(n_bins):
    metric = _fill_scores(
        StreamingScores(n_bins), _NUMPY, BINARY, SCORES, FLOAT_WEIGHTS
    )
    exact_auc = skm.roc_auc_score(BINARY, SCORES, sample_weight=FLOAT_WEIGHTS)
    exact_ap = skm.average_precision_score(BINARY, SCORES, sample_weight=FLOAT_WEIGHTS)
    bound = float(metric.roc_auc_error_bound())
    assert abs(float(metric.compute_roc_auc()) - exact_auc) <= bound + 1e-15
    assert bound <= 10 / n_bins
    tolerance = {100: 1e-2, 1000: 1e-3}[n_bins]
    assert abs(float(metric.compute_average_precision()) - exact_ap) <= tolerance
    # the curve points are exact points of the exact curve
    fpr, tpr, thresholds = metric.roc_curve(drop_intermediate=False)
    for f, t, threshold in zip(fpr[1:], tpr[1:], thresholds[1:], strict=True):
        predicted = threshold <= SCORES
        w_pos = FLOAT_WEIGHTS * (BINARY == 1)
        w_neg = FLOAT_WEIGHTS * (BINARY == 0)
        assert t == pytest.approx(w_pos[predicted].sum() / w_pos.sum(), rel=1e-12)
        assert f == pytest.approx(w_neg[predicted].sum() / w_neg.sum(), rel=1e-12)


def test_scores_custom_thresholds_merge_reset(backend):
    thresholds = [-3.0, -1.0, 0.0, 0.5, 2.0]
    y_score = np.array(thresholds)[RNG.integers(0, 5, size=N)]
    half = N // 2
    a = _fill_scores(
        StreamingScores(thresholds=thresholds),
        backend,
        BINARY,
        y_score,
        None,
        [slice(0, half)],
    )
    b = _fill_scores(
        StreamingScores(thresholds=thresholds),
        backend,
        BINARY,
        y_score,
        None,
        [slice(half, N)],
    )
    a.merge(b)
    np.testing.assert_allclose(
        backend.to_numpy(a.compute_roc_auc()),
        skm.roc_auc_score(BINARY, y_score),
        rtol=1e-12,
    )
    histogram = backend.to_numpy(a.histogram())
    assert histogram.dtype == np.int64
    assert histogram.sum() == N
    a.reset()
    assert a.is_empty
    with pytest.raises(ValueError, match="has no samples"):
        a.compute()
    with pytest.warns(Warning, match="Only one class"):
        _fill_scores(
            a, backend, np.ones(3, dtype=int), y_score, None, [slice(0, 3)]
        ).compute_roc_auc()


def test_scores_pos_label_and_bool():
    labels = np.where(BINARY == 1, "yes", "no")
    metric = _fill_scores(
        StreamingScores(pos_label="yes"), _NUMPY, labels, SCORES, None
    )
    ours = metric.compute_roc_auc()
    expected = _fill_scores(StreamingScores(), _NUMPY, BINARY, SCORES, None)
    assert float(ours) == float(expected.compute_roc_auc())
    metric = _fill_scores(
        StreamingScores(pos_label=True), _NUMPY, BINARY == 1, SCORES, None
    )
    assert float(metric.compute_roc_auc()) == float(ours)


def test_scores_errors():
    with pytest.raises(ValueError, match="`n_bins` must be >= 1"):
        StreamingScores(0)
    with pytest.raises(TypeError, match="`n_bins` must be an int"):
        StreamingScores(10.0)
    with pytest.raises(ValueError, match="`thresholds` must be finite and strictly"):
        StreamingScores(thresholds=[0.0, 0.5, 0.5])
    with pytest.raises(ValueError, match="`thresholds` must be a 1-D array"):
        StreamingScores(thresholds=[0.0])
    metric = StreamingScores()
    with pytest.raises(ValueError, match=r"`y_score` has values outside \[0.0, 1.0\]"):
        metric.update([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="`y_true` takes more than two values"):
        metric.update([0, 1, 2], [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="`pos_label`=1 is not a valid label"):
        metric.update(["a", "b"], [0.5, 0.5])
    with pytest.raises(ValueError, match="`y_score` contains NaN"):
        metric.update([0, 1], [0.5, np.nan])
    with pytest.raises(ValueError, match="different lengths"):
        metric.update([0, 1], [0.5])
    assert metric.is_empty
    with pytest.raises(ValueError, match="different configuration"):
        metric.merge(StreamingScores(10))
