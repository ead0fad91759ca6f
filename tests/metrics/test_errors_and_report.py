"""Bad input gets a clear error naming the parameter; the report renders every row;
inputs are never modified."""

from __future__ import annotations

import array_api_strict
import numpy as np
import pytest
import torch
from sklearn.exceptions import UndefinedMetricWarning

import balancekit.metrics as bm

Y = np.array([0, 1, 1, 2, 2, 2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_pred": np.array([0, 1])}, "inconsistent numbers of samples"),
        (
            {"y_true": np.array([], dtype=int), "y_pred": np.array([], dtype=int)},
            "`y_true` is empty",
        ),
        (  # precision: an indicator with 1-D labels; sensitivity: 1-D labels only
            {"y_true": np.zeros((6, 2), dtype=int)},
            "`y_true` must be 1-D|can't handle a mix of multilabel-indicator and 1-D",
        ),
        ({"y_pred": np.full(6, 0.5)}, "continuous"),
        ({"average": "samples"}, "`average` must be one of|Samplewise metrics"),
        ({"average": "mean"}, "`average` must be one of"),
        ({"zero_division": 2}, "`zero_division` must be"),
        ({"zero_division": "nan"}, "`zero_division` must be"),
        ({"labels": []}, "`labels` should contain at least one label"),
        ({"labels": [1, 1]}, "`labels` must not repeat"),
        ({"average": "binary"}, "Target is multiclass but average='binary'"),
        ({"sample_weight": np.ones(5)}, "`sample_weight` must have shape"),
        ({"sample_weight": -np.ones(6)}, "`sample_weight` contains negative"),
        ({"sample_weight": np.zeros(6)}, "at least one non-zero"),
        ({"y_pred": np.array(["a"] * 6)}, "Mix of label input types"),
    ],
)
@pytest.mark.parametrize(
    "function",
    [bm.precision_recall_fscore_support, bm.sensitivity_specificity_support],
)
def test_bad_input_raises_a_clear_value_error(function, kwargs, match):
    arguments = {"y_true": Y, "y_pred": Y, "average": "macro", **kwargs}
    with pytest.raises(ValueError, match=match):
        function(**arguments)


def test_binary_errors_match_sklearn():
    with pytest.raises(ValueError, match="pos_label=1 is not a valid label"):
        bm.f1_score([2, 3], [2, 3])
    with pytest.raises(ValueError, match="At least one label specified"):
        bm.confusion_matrix(Y, Y, labels=[7, 8])
    with pytest.raises(ValueError, match="must be present in `y1`"):
        bm.cohen_kappa_score(Y, Y, labels=[7])
    with pytest.raises(ValueError, match="`normalize` must be one of"):
        bm.confusion_matrix(Y, Y, normalize="rows")
    with pytest.raises(ValueError, match="`beta` must be >= 0"):
        bm.fbeta_score(Y, Y, beta=-1.0, average="macro")
    with pytest.raises(ValueError, match="`correction` must be >= 0"):
        bm.geometric_mean_score(Y, Y, correction=-0.1)
    with pytest.raises(ValueError, match="`metric` must be a callable"):
        bm.index_balanced_accuracy(Y, Y, metric="roc_auc_score")
    with pytest.raises(TypeError, match=r"`metric` .* takes scores"):
        bm.index_balanced_accuracy(Y, Y, metric=lambda y_true, y_score: 0.0)
    on_device1 = array_api_strict.asarray(Y, device=array_api_strict.Device("device1"))
    with pytest.raises(TypeError, match="different array libraries"):
        bm.f1_score(on_device1, Y, average="macro")  # labels off the host: refused
    with pytest.raises(TypeError, match="`y_true` has complex dtype"):
        bm.f1_score(torch.tensor(Y, dtype=torch.complex64), torch.tensor(Y))


def test_pos_label_is_ignored_with_a_warning_when_not_binary():
    with pytest.warns(UserWarning, match="pos_label .* is ignored"):
        bm.f1_score(Y, Y, average="macro", pos_label=2)


def test_zero_division_warns_as_sklearn():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        assert bm.precision_score([0, 1], [0, 0]) == 0.0
    assert bm.precision_score([0, 1], [0, 0], zero_division=1.0) == 1.0
    assert np.isnan(bm.precision_score([0, 1], [0, 0], zero_division=np.nan))
    with pytest.warns(UndefinedMetricWarning, match="Specificity is ill-defined"):
        bm.specificity_score([1, 1], [1, 1])


def test_inputs_are_not_modified():
    y_true, y_pred = Y.copy(), Y[::-1].copy()
    weights = np.linspace(0.5, 1.5, 6)
    copies = [y_true.copy(), y_pred.copy(), weights.copy()]
    bm.classification_report(y_true, y_pred, sample_weight=weights)
    bm.f1_score(y_true, y_pred, sample_weight=weights, average=None)
    for array, copy in zip([y_true, y_pred, weights], copies, strict=True):
        np.testing.assert_array_equal(array, copy)


def test_report_text_has_every_class_and_average_row():
    y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig", "cat"])
    y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog", "cat"])
    text = bm.classification_report_imbalanced(y_true, y_pred, digits=3)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].split() == ["pre", "rec", "spe", "f1", "geo", "iba", "sup"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"cat", "dog", "pig", "avg"}
    assert rows["cat"].split()[-1] == "3"
    assert lines[-1].startswith("avg / total")
    assert lines[-1].split()[-1] == "7"
    assert len({len(line) for line in lines}) == 1  # aligned columns
    report = bm.classification_report_imbalanced(y_true, y_pred, output_dict=True)
    assert f"{report['cat']['rec']:.3f}" in rows["cat"]
    named = bm.classification_report_imbalanced(
        y_true, y_pred, labels=["pig", "cat"], target_names=["P", "C"]
    )
    assert [line.split()[0] for line in named.splitlines()[2:4]] == ["P", "C"]
    with pytest.raises(ValueError, match="`target_names` must name each"):
        bm.classification_report_imbalanced(y_true, y_pred, target_names=["a"])
    with pytest.raises(ValueError, match="`digits` must be an int >= 0"):
        bm.classification_report_imbalanced(y_true, y_pred, digits=-1)


def test_mixed_host_containers_are_accepted_like_scikit_learn():
    from sklearn.metrics import f1_score as sk_f1

    y_true, y_pred = np.array([0, 1, 1, 0, 2]), np.array([0, 1, 0, 0, 2])
    expected = sk_f1(y_true, y_pred, average="macro")
    on_numpy = bm.f1_score(torch.tensor(y_true), y_pred, average="macro")
    assert isinstance(on_numpy, np.ndarray | np.generic | float)  # where y_pred is
    on_torch = bm.f1_score(list(y_true), torch.tensor(y_pred), average="macro")
    assert isinstance(on_torch, torch.Tensor)
    assert float(on_numpy) == pytest.approx(expected)
    assert float(on_torch) == pytest.approx(expected)
    weights = np.linspace(0.5, 2.0, 5)
    weighted = bm.f1_score(
        y_true, torch.tensor(y_pred), average="macro", sample_weight=weights
    )
    assert float(weighted) == pytest.approx(
        sk_f1(y_true, y_pred, average="macro", sample_weight=weights)
    )
    metric = bm.StreamingConfusionMatrix([0, 1, 2])
    metric.update(torch.tensor(y_true), y_pred)
    np.testing.assert_array_equal(
        metric.compute(), bm.confusion_matrix(y_true, y_pred, labels=[0, 1, 2])
    )
    with pytest.raises(TypeError, match="pass `y_pred` as NumPy too"):
        bm.f1_score(["a", "b"], torch.tensor([0, 1]))


def test_bfloat16_weights_on_the_host_follow_numpy_predictions():
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])
    weights = torch.tensor([1.0, 2.0, 1.0, 0.5], dtype=torch.bfloat16)
    got = bm.recall_score(y_true, y_pred, sample_weight=weights)
    assert float(got) == pytest.approx(2.0 / 3.0)
