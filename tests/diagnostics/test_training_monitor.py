"""MinorityMonitor: per-class values against scikit-learn, the collapse and
falling-recall warnings, parameter errors and pickling."""

from __future__ import annotations

import math
import pickle
import warnings

import array_api_strict
import numpy as np
import pytest
import sklearn.metrics as skm
import torch

from balancekit.diagnostics._training_monitor import (
    MinorityMonitor,
    TrainingCollapseWarning,
)

N_CLASSES = 3


def _data(n=600, seed=0, grid=True):
    """Imbalanced labels and noisy probabilities (rounded to the 1000-bin grid)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(N_CLASSES, size=n, p=[0.75, 0.2, 0.05])
    logits = rng.normal(size=(n, N_CLASSES)) + 1.5 * np.eye(N_CLASSES)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if grid:
        proba = np.round(proba * 1000) / 1000
    return y, proba, logits


def _feed(monitor, y, scores, convert=np.asarray, n_batches=4):
    for part in np.array_split(np.arange(y.shape[0]), n_batches):
        monitor.update(convert(y[part]), convert(scores[part]))
    return monitor


def _expected(y, proba, pred):
    labels = list(range(N_CLASSES))
    kw = {"labels": labels, "average": None, "zero_division": 0.0}
    return {
        "recall": skm.recall_score(y, pred, **kw).tolist(),
        "precision": skm.precision_score(y, pred, **kw).tolist(),
        "average_precision": [
            skm.average_precision_score(y == c, proba[:, c]) for c in labels
        ],
        "prediction_share": (np.bincount(pred, minlength=N_CLASSES) / len(y)).tolist(),
        "support": np.bincount(y, minlength=N_CLASSES).tolist(),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
    }


def _check(record, expected, rel=1e-12, ap_abs=0.0):
    for key in ("recall", "precision", "prediction_share"):
        assert record[key] == pytest.approx(expected[key], rel=rel), key
    assert record["support"] == expected["support"]
    assert record["balanced_accuracy"] == pytest.approx(
        expected["balanced_accuracy"], rel=rel
    )
    assert record["average_precision"] == pytest.approx(
        expected["average_precision"], rel=rel, abs=ap_abs
    )


@pytest.mark.parametrize(
    "convert",
    [np.asarray, torch.as_tensor],
    ids=["numpy", "torch"],
)
def test_values_equal_scikit_learn_on_the_grid(convert):
    y, proba, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a healthy model: no warning at all
        record = _feed(MinorityMonitor(N_CLASSES), y, proba, convert).end_epoch()
    _check(record, _expected(y, proba, np.argmax(proba, axis=1)))
    assert record["n_samples"] == len(y)
    assert record["minority"] == 2
    assert record["collapsed_to"] is None
    assert record["warnings"] == []
    assert all(
        type(v) is float for key in ("recall", "average_precision") for v in record[key]
    )


def test_continuous_scores_within_the_binning():
    y, proba, _ = _data(seed=1, grid=False)
    record = _feed(MinorityMonitor(N_CLASSES), y, proba).end_epoch()
    expected = _expected(y, proba, np.argmax(proba, axis=1))
    # labels are exact; the PR-AUC is that of the scores floored to the grid ...
    floored = np.floor(proba * 1000) / 1000
    _check(record, {**expected, **_expected(y, floored, np.argmax(proba, axis=1))})
    _check(record, expected, ap_abs=5e-3)  # ... close to the exact one
    # and the binning does count: a coarse grid moves the values
    coarse = _feed(MinorityMonitor(N_CLASSES, n_bins=4), y, proba).end_epoch()
    diff = np.abs(np.array(coarse["average_precision"]) - expected["average_precision"])
    assert diff.max() > 1e-2


def test_logits_give_the_softmax_record():
    y, _, logits = _data(seed=2)
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    from_logits = _feed(MinorityMonitor(N_CLASSES, from_logits=True), y, logits)
    from_proba = _feed(MinorityMonitor(N_CLASSES), y, proba)
    a, b = from_logits.end_epoch(), from_proba.end_epoch()
    for key in ("recall", "precision", "average_precision", "prediction_share"):
        assert a[key] == pytest.approx(b[key], rel=1e-9), key


@pytest.mark.parametrize("threshold", [None, 0.3])
def test_binary_scores_and_threshold(threshold):
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.1).astype(np.int64)
    p1 = np.round(np.clip(0.25 * y + rng.random(400) * 0.6, 0, 1), 3)
    cut = 0.5 if threshold is None else threshold
    pred = (p1 >= cut).astype(np.int64)
    one_d = MinorityMonitor(2, threshold=threshold)
    record = _feed(one_d, y, p1).end_epoch()
    kw = {"average": None, "labels": [0, 1], "zero_division": 0.0}
    assert record["recall"] == pytest.approx(skm.recall_score(y, pred, **kw).tolist())
    assert record["precision"] == pytest.approx(
        skm.precision_score(y, pred, **kw).tolist()
    )
    assert record["average_precision"][1] == pytest.approx(
        skm.average_precision_score(y, p1), rel=1e-12
    )
    # two columns give the same record as the 1-D scores
    two = np.stack([1 - p1, p1], axis=1)
    again = _feed(MinorityMonitor(2, threshold=threshold), y, two).end_epoch()
    assert again["recall"] == record["recall"]
    assert again["average_precision"] == pytest.approx(record["average_precision"])


def test_logit_binary_scores_use_a_sigmoid():
    y = np.array([0, 0, 1, 1, 0])
    logit = np.array([-2.0, 0.5, 1.0, -0.5, -3.0])
    record = MinorityMonitor(2, from_logits=True).update(y, logit).end_epoch()
    pred = (logit >= 0).astype(int)
    assert record["recall"] == skm.recall_score(y, pred, average=None).tolist()


def test_collapse_warns_with_numbers_and_advice():
    y, _, _ = _data(seed=4)
    majority = np.tile([0.8, 0.15, 0.05], (len(y), 1))
    monitor = MinorityMonitor(N_CLASSES)
    with pytest.warns(TrainingCollapseWarning) as caught:
        record = _feed(monitor, y, majority).end_epoch()
    message = str(caught[0].message)
    assert "predicts class 0 for 100.0%" in message
    assert f"of the {len(y)} validation samples" in message
    assert "class 2: 0.000" in message
    assert "BalancedSampler" in message
    assert "threshold" in message
    assert record["collapsed_to"] == 0
    assert record["recall"] == [1.0, 0.0, 0.0]
    assert record["precision"][1:] == [0.0, 0.0]
    assert record["warnings"] == [message]


def test_collapse_share_is_the_boundary():
    y = np.array([0] * 90 + [1] * 10)
    pred = np.array([0] * 95 + [1] * 5)  # 95% of predictions are class 0
    scores = np.eye(2)[pred]
    for share, warns in ((0.95, True), (0.96, False)):
        monitor = MinorityMonitor(2, collapse_share=share)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record = monitor.update(y, scores).end_epoch()
        assert (record["collapsed_to"] == 0) is warns
        assert len(caught) == int(warns)


def test_no_collapse_without_another_class():
    y = np.zeros(20, dtype=np.int64)
    monitor = MinorityMonitor(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = monitor.update(y, np.full(20, 0.1)).end_epoch()
    assert record["collapsed_to"] is None
    assert math.isnan(record["average_precision"][1])  # absent class
    assert record["recall"][1] == 0.0  # zero_division


def test_emit_warnings_false_keeps_the_messages():
    monitor = MinorityMonitor(2).update([0, 0, 1], [0.1, 0.2, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = monitor.end_epoch(emit_warnings=False)
    assert len(record["warnings"]) == 1


def _epoch_scores(n_minority_right):
    """20 majority samples all right; of 10 minority samples, the first k right."""
    y = np.array([0] * 20 + [1] * 10)
    pred = np.array([0] * 20 + [1] * n_minority_right + [0] * (10 - n_minority_right))
    return y, np.where(pred == 1, 0.9, 0.1)


def _run(monitor, rights):
    counts = []
    for right in rights:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            monitor.update(*_epoch_scores(right)).end_epoch()
        counts.append(
            sum(issubclass(w.category, TrainingCollapseWarning) for w in caught)
        )
    return counts


def test_falling_minority_recall_warns_after_patience_falls():
    monitor = MinorityMonitor(2)
    assert _run(monitor, [9, 8, 7, 6]) == [0, 0, 0, 1]
    assert [r["minority_recall_falls"] for r in monitor.history_] == [0, 1, 2, 3]
    message = monitor.history_[-1]["warnings"][0]
    assert "minority class 1" in message
    assert "0.900 -> 0.800 -> 0.700 -> 0.600" in message
    assert "val_recall_class1" in message
    # the count starts again after the warning
    assert _run(monitor, [5, 4, 3]) == [0, 0, 1]


def test_a_rise_or_a_plateau_resets_the_count():
    monitor = MinorityMonitor(2, patience=2)
    assert _run(monitor, [9, 8, 8, 7, 9, 8, 7]) == [0, 0, 0, 0, 0, 0, 1]


def test_given_minority_is_followed():
    # class 0 is the smaller class here, but class 1 is asked for
    monitor = MinorityMonitor(2, minority=1, patience=1)
    y = np.array([0] * 5 + [1] * 10)
    first = np.where(np.arange(15) < 5, 0.1, 0.9)
    second = first.copy()
    second[-1] = 0.1  # one class-1 sample lost
    _run_pair = []
    for scores in (first, second):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record = monitor.update(y, scores).end_epoch()
        _run_pair.append(len(caught))
    assert record["minority"] == 1
    assert _run_pair == [0, 1]
    assert MinorityMonitor(2).update(y, first).end_epoch()["minority"] == 0


def test_scalars_names_and_values():
    monitor = MinorityMonitor(N_CLASSES)
    y, proba, _ = _data(seed=5)
    record = _feed(monitor, y, proba).end_epoch()
    values = monitor.scalars(prefix="valid/")
    assert len(values) == 4 * N_CLASSES + 1
    assert values["valid/recall_class2"] == record["recall"][2]
    assert values["valid/average_precision_class0"] == record["average_precision"][0]
    assert values["valid/balanced_accuracy"] == record["balanced_accuracy"]
    assert monitor.scalars(record) == monitor.scalars()


def test_epochs_do_not_mix():
    y, proba, _ = _data(seed=6)
    monitor = MinorityMonitor(N_CLASSES)
    _feed(monitor, y, np.tile([0.1, 0.1, 0.8], (len(y), 1)))
    with pytest.warns(TrainingCollapseWarning):
        monitor.end_epoch()
    second = _feed(monitor, y, proba).end_epoch()
    _check(second, _expected(y, proba, np.argmax(proba, axis=1)))
    assert [r["epoch"] for r in monitor.history_] == [0, 1]


def test_torch_state_stays_torch_and_input_is_untouched():
    y, proba, _ = _data(seed=7)
    ty, tp = torch.as_tensor(y), torch.as_tensor(proba, dtype=torch.float32)
    before = tp.clone()
    monitor = MinorityMonitor(N_CLASSES)
    monitor.update(ty, tp)
    assert isinstance(monitor.confusion.compute(), torch.Tensor)
    assert isinstance(monitor.scores.histogram(), torch.Tensor)
    record = monitor.end_epoch()
    assert torch.equal(tp, before)
    pred = np.argmax(tp.numpy(), axis=1)
    assert record["recall"] == pytest.approx(
        skm.recall_score(y, pred, average=None).tolist()
    )


def test_device_resident_array_api_input():
    """array-api-strict's device1 refuses cross-device work: the metrics run there."""
    device = array_api_strict.Device("device1")
    y, proba, _ = _data(n=120, seed=8)
    monitor = MinorityMonitor(N_CLASSES)
    monitor.update(
        array_api_strict.asarray(y, device=device),
        array_api_strict.asarray(proba, device=device),
    )
    assert monitor.confusion.compute().device == device
    record = monitor.end_epoch()
    _check(record, _expected(y, proba, np.argmax(proba, axis=1)))


@pytest.mark.parametrize("fitted", [False, True])
def test_pickle_round_trip(fitted):
    y, proba, _ = _data(seed=9)
    monitor = MinorityMonitor(N_CLASSES, patience=2, minority=2)
    if fitted:
        _feed(monitor, y, proba).end_epoch()
        monitor.update(y[:100], proba[:100])  # mid-epoch state too
    copy = pickle.loads(pickle.dumps(monitor))
    assert copy.history_ == monitor.history_
    assert (copy.patience, copy.minority) == (2, 2)
    for each in (monitor, copy):
        each.update(y[100:], proba[100:])
    assert copy.end_epoch() == monitor.end_epoch()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_classes": 1}, ValueError, "`n_classes` must be >= 2"),
        ({"n_classes": 2.0}, TypeError, "`n_classes` must be an int"),
        ({"n_classes": 3, "threshold": 0.3}, ValueError, "binary problems"),
        ({"n_classes": 2, "threshold": 1.0}, ValueError, "`threshold` must be in"),
        ({"n_classes": 2, "minority": 2}, ValueError, "`minority` must be <= 1"),
        ({"n_classes": 2, "collapse_share": 0.5}, ValueError, "`collapse_share`"),
        ({"n_classes": 2, "patience": 0}, ValueError, "`patience` must be >= 1"),
        ({"n_classes": 2, "zero_division": "warn"}, TypeError, "`zero_division`"),
        ({"n_classes": 2, "zero_division": 2.0}, ValueError, "`zero_division`"),
        ({"n_classes": 2, "from_logits": 1}, TypeError, "`from_logits`"),
        ({"n_classes": 2, "n_bins": 0}, ValueError, "`n_bins`"),
    ],
)
def test_parameter_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        MinorityMonitor(**kwargs)


@pytest.mark.parametrize(
    ("y", "scores", "error", "match"),
    [
        ([0, 1], [[0.5, 0.5, 0.0]] * 2, ValueError, r"shape \(n_samples, 2\)"),
        ([0, 1], [[0.5, 0.5]] * 3, ValueError, "length|inconsistent|samples"),
        ([0, 1], [[0.5, math.nan], [0.5, 0.5]], ValueError, "NaN or infinite"),
        ([0, 1], [1.5, 0.2], ValueError, r"outside \[0, 1\].*from_logits"),
        ([0, 2], [0.5, 0.2], ValueError, r"class indices in \[0, 1\].*0 to 2"),
        ([-1, 0], [0.5, 0.2], ValueError, "from -1 to 0"),
        ([0.5, 1], [0.5, 0.2], ValueError, "y_true"),
        ([0, 1], [0, 1], TypeError, "`scores` must hold floats"),
    ],
)
def test_update_errors(y, scores, error, match):
    monitor = MinorityMonitor(2)
    with pytest.raises(error, match=match):
        monitor.update(np.asarray(y), np.asarray(scores))


def test_mixed_libraries_and_empty_epoch():
    monitor = MinorityMonitor(2)
    with pytest.raises(TypeError, match="different array libraries"):
        monitor.update(np.array([0, 1]), torch.tensor([0.1, 0.9]))
    with pytest.raises(ValueError, match="No validation batch"):
        monitor.end_epoch()
    with pytest.raises(ValueError, match="No record yet"):
        monitor.scalars()


def test_absent_classes_raise_no_metric_warnings():
    """A class missing from the labels but predicted: NaN PR-AUC, zero_division
    recall, and no UndefinedMetric / 'classes not in y_true' warnings."""
    y = np.array([0, 0, 0, 2, 2])
    scores = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.2, 0.7, 0.1],
            [0.6, 0.3, 0.1],
            [0.1, 0.1, 0.8],
            [0.1, 0.8, 0.1],
        ]
    )
    monitor = MinorityMonitor(N_CLASSES, zero_division=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record = monitor.update(y, scores).end_epoch()
    assert math.isnan(record["recall"][1])
    assert record["precision"][1] == 0.0  # predicted twice, never right
    assert math.isnan(record["average_precision"][1])
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        expected = skm.balanced_accuracy_score(y, scores.argmax(axis=1))
    assert record["balanced_accuracy"] == pytest.approx(expected)
    assert record["minority"] == 2


@pytest.mark.parametrize("convert", [np.asarray, torch.as_tensor], ids=["np", "torch"])
def test_bool_labels_are_classes_0_and_1(convert):
    y = np.array([False, True, True, False])
    scores = np.array([0.1, 0.7, 0.2, 0.6])
    record = MinorityMonitor(2).update(convert(y), convert(scores)).end_epoch()
    pred = scores >= 0.5
    assert record["recall"] == skm.recall_score(y, pred, average=None).tolist()
    assert record["support"] == [2, 2]
