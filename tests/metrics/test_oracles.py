"""balancekit.metrics equals scikit-learn and imbalanced-learn on random inputs.

Seeded loops over imbalanced labels with gaps, absent and single classes, float and
integer sample weights, `labels` subsets and reorderings, every average and every
zero_division; values at rtol 1e-12, the same UndefinedMetricWarnings, the same
ValueErrors. The documented differences from imbalanced-learn (#1096, #1180) are
tested against their definitions instead.
"""

from __future__ import annotations

import math

import imblearn.metrics as im
import numpy as np
import pytest
from sklearn import metrics as sm

import balancekit.metrics as bm
from tests.metrics._cases import assert_same, call, random_cases, same_outcome

AVERAGES = [None, "binary", "micro", "macro", "weighted"]
ZERO_DIVISION = ["warn", 0.0, 1.0, np.nan]
N_CASES = 60


@pytest.mark.parametrize("strings", [False, True], ids=["ints", "strings"])
@pytest.mark.parametrize("average", AVERAGES)
def test_precision_recall_fscore_equal_sklearn(average, strings):
    for i, case in enumerate(random_cases(1, N_CASES, strings=strings)):
        kwargs = case.kwargs()
        zero_division = ZERO_DIVISION[i % 4]
        pos_label = case.y_true[0] if (strings and i % 2) else 1
        for name, extra in [
            ("precision_score", {}),
            ("recall_score", {}),
            ("f1_score", {}),
            ("fbeta_score", {"beta": [0.5, 2.0, 0.0, math.inf][i % 4]}),
            ("precision_recall_fscore_support", {"beta": 1.5}),
        ]:
            args = (case.y_true, case.y_pred)
            options = {
                **kwargs,
                **extra,
                "average": average,
                "zero_division": zero_division,
                "pos_label": pos_label,
            }
            same_outcome(
                call(getattr(bm, name), *args, **options),
                call(getattr(sm, name), *args, **options),
            )


def test_confusion_matrix_equals_sklearn():
    for i, case in enumerate(random_cases(2, 3 * N_CASES)):
        normalize = [None, "true", "pred", "all"][i % 4]
        args, kwargs = (case.y_true, case.y_pred), case.kwargs()
        ours = call(bm.confusion_matrix, *args, normalize=normalize, **kwargs)
        theirs = call(sm.confusion_matrix, *args, normalize=normalize, **kwargs)
        same_outcome(ours, theirs)
        if theirs[1] is None:
            assert ours[0].dtype == theirs[0].dtype


def test_confusion_matrix_strings_equal_sklearn():
    for case in random_cases(3, N_CASES, strings=True):
        args, kwargs = (case.y_true, case.y_pred), case.kwargs()
        same_outcome(
            call(bm.confusion_matrix, *args, **kwargs),
            call(sm.confusion_matrix, *args, **kwargs),
        )


@pytest.mark.parametrize("strings", [False, True], ids=["ints", "strings"])
def test_other_sklearn_metrics_equal(strings):
    for i, case in enumerate(random_cases(4, 2 * N_CASES, strings=strings)):
        args = (case.y_true, case.y_pred)
        weights = case.kwargs(labels=False)
        adjusted = bool(i % 2)
        same_outcome(
            call(bm.balanced_accuracy_score, *args, adjusted=adjusted, **weights),
            call(sm.balanced_accuracy_score, *args, adjusted=adjusted, **weights),
        )
        same_outcome(
            call(bm.matthews_corrcoef, *args, **weights),
            call(sm.matthews_corrcoef, *args, **weights),
        )
        kappa_weights = [None, "linear", "quadratic"][i % 3]
        same_outcome(
            call(bm.cohen_kappa_score, *args, weights=kappa_weights, **case.kwargs()),
            call(sm.cohen_kappa_score, *args, weights=kappa_weights, **case.kwargs()),
            messages=False,  # scikit-learn's text has a typo ("the the")
        )


def _imblearn_sss(y_true, y_pred, **kwargs):
    return im.sensitivity_specificity_support(y_true, y_pred, **kwargs)


def _binary_without_pos_label(case, average, pos_label=1):
    """imblearn returns (0, 0) here; balancekit follows scikit-learn (documented)."""
    present = set(case.y_true.tolist()) | set(case.y_pred.tolist())
    return average == "binary" and len(present) < 2 and pos_label not in present


@pytest.mark.parametrize("average", AVERAGES)
def test_sensitivity_specificity_equal_imblearn_without_weights(average):
    for case in random_cases(5, 2 * N_CASES):
        if _binary_without_pos_label(case, average):
            continue
        args, kwargs = (case.y_true, case.y_pred), case.kwargs(weights=False)
        for name in ("sensitivity_score", "specificity_score"):
            same_outcome(
                call(getattr(bm, name), *args, average=average, **kwargs),
                call(getattr(im, name), *args, average=average, **kwargs),
            )
        same_outcome(
            call(bm.sensitivity_specificity_support, *args, average=average, **kwargs),
            call(_imblearn_sss, *args, average=average, **kwargs),
        )


def _mcm_reference(y_true, y_pred, labels, sample_weight):
    """Per-class (sensitivity, specificity, support) by their definitions."""
    sensitivity, specificity, support = [], [], []
    for label in labels:
        positive, predicted = y_true == label, y_pred == label
        tp = sample_weight[positive & predicted].sum()
        negatives = sample_weight[~positive].sum()
        tn = sample_weight[~positive & ~predicted].sum()
        support.append(sample_weight[positive].sum())
        sensitivity.append(tp / support[-1] if support[-1] else 0.0)
        specificity.append(tn / negatives if negatives else 0.0)
    return np.array(sensitivity), np.array(specificity), np.array(support)


def test_weighted_specificity_follows_definition_not_imblearn_1180():
    """With sample_weight, tn = total weight - tp - fp - fn (imblearn #1180)."""
    y_true, y_pred = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    ours = bm.specificity_score(y_true, y_pred, average=None, sample_weight=weights)
    theirs = im.specificity_score(y_true, y_pred, average=None, sample_weight=weights)
    np.testing.assert_allclose(ours, [1.0, 1.0 / 3.0], rtol=1e-12)
    assert theirs[1] > 1  # imblearn's impossible value: the difference is real
    for case in random_cases(6, 2 * N_CASES):
        if case.sample_weight is None:
            continue
        labels = case.labels or sorted(set(case.y_true) | set(case.y_pred))
        sen, spe, sup = bm.sensitivity_specificity_support(
            case.y_true,
            case.y_pred,
            labels=labels,
            sample_weight=case.sample_weight,
            zero_division=0.0,
        )
        assert_same(
            (sen, spe, sup),
            _mcm_reference(case.y_true, case.y_pred, labels, case.sample_weight),
        )


def test_binary_without_pos_label_follows_sklearn_not_imblearn():
    """imblearn returns specificity 0.0 when no sample is pos_label; tn/tn is 1."""
    y = np.array([0, 0, 0])
    with pytest.warns(bm_warning()):
        assert bm.sensitivity_score(y, y) == 0.0
    assert bm.specificity_score(y, y) == 1.0
    assert im.specificity_score(y, y) == 0.0
    assert bm.geometric_mean_score(y, y, average="binary") == 0.0


def bm_warning():
    from sklearn.exceptions import UndefinedMetricWarning

    return UndefinedMetricWarning


@pytest.mark.parametrize("average", [None, "binary", "micro", "multiclass"])
def test_geometric_mean_equals_imblearn(average):
    for i, case in enumerate(random_cases(7, 2 * N_CASES)):
        if _binary_without_pos_label(case, average):
            continue
        args, kwargs = (case.y_true, case.y_pred), case.kwargs(weights=False)
        correction = [0.0, 0.001, 0.5][i % 3]
        same_outcome(
            call(
                bm.geometric_mean_score,
                *args,
                average=average,
                correction=correction,
                **kwargs,
            ),
            call(
                im.geometric_mean_score,
                *args,
                average=average,
                correction=correction,
                **kwargs,
            ),
        )


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_geometric_mean_average_is_mean_of_per_class_gmeans_issue_1096(average):
    """Documented exception: imblearn averages sen and spe first (#1096)."""
    y_true, y_pred = [0, 0, 1, 0, 1, 1], [0, 0, 0, 0, 0, 1]
    per_class = im.geometric_mean_score(y_true, y_pred, average=None)
    ours = bm.geometric_mean_score(y_true, y_pred, average=average)
    weights = None if average == "macro" else np.bincount(y_true)
    assert ours == pytest.approx(np.average(per_class, weights=weights), rel=1e-12)
    buggy = im.geometric_mean_score(y_true, y_pred, average=average)
    assert abs(buggy - ours) > 0.05  # imblearn: 0.667, the definition: 0.577
    for case in random_cases(8, 2 * N_CASES):
        args, kwargs = (case.y_true, case.y_pred), case.kwargs(weights=False)
        ours, error, _ = call(bm.geometric_mean_score, *args, average=average, **kwargs)
        per_class, ref_error, _ = call(
            im.geometric_mean_score, *args, average=None, **kwargs
        )
        assert error == ref_error
        if error is not None:
            continue
        labels = kwargs.get("labels", sorted(set(case.y_true) | set(case.y_pred)))
        support = np.array([np.sum(case.y_true == label) for label in labels])
        if average == "weighted" and support.sum() == 0:
            expected = 0.0
        else:
            weights = None if average == "macro" else support
            expected = np.average(per_class, weights=weights)
        assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("metric", "average"),
    [
        ("geometric_mean_score", "multiclass"),
        ("geometric_mean_score", None),
        ("geometric_mean_score", "micro"),
        ("sensitivity_score", "macro"),
        ("specificity_score", "weighted"),
        ("precision_score", None),
        ("f1_score", "macro"),
    ],
)
def test_index_balanced_accuracy_equals_imblearn(metric, average):
    for i, case in enumerate(random_cases(9, N_CASES)):
        alpha, squared = [0.1, 0.5][i % 2], bool(i % 3)
        args, kwargs = (case.y_true, case.y_pred), case.kwargs(weights=False)
        theirs = im.make_index_balanced_accuracy(alpha=alpha, squared=squared)(
            getattr(im if hasattr(im, metric) else sm, metric)
        )
        same_outcome(
            call(
                bm.index_balanced_accuracy,
                *args,
                metric=metric,
                alpha=alpha,
                squared=squared,
                average=average,
                **kwargs,
            ),
            call(theirs, *args, average=average, **kwargs),
            messages=False,
        )


def test_index_balanced_accuracy_of_a_callable():
    y_true, y_pred = np.array([0, 1, 1, 0, 2, 2]), np.array([0, 1, 0, 0, 2, 1])
    theirs = im.make_index_balanced_accuracy(alpha=0.2)(sm.accuracy_score)
    ours = bm.index_balanced_accuracy(
        y_true[:4], y_pred[:4], metric=sm.accuracy_score, alpha=0.2
    )
    assert ours == pytest.approx(theirs(y_true[:4], y_pred[:4]), rel=1e-12)


@pytest.mark.parametrize("zero_division", ["warn", 0, 1])
def test_report_dict_equals_imblearn(zero_division):
    for case in random_cases(10, 2 * N_CASES):
        kwargs = case.kwargs(weights=False)
        ours = call(
            bm.classification_report_imbalanced,
            case.y_true,
            case.y_pred,
            output_dict=True,
            zero_division=zero_division,
            **kwargs,
        )
        try:
            theirs = call(
                im.classification_report_imbalanced,
                case.y_true,
                case.y_pred,
                output_dict=True,
                zero_division=zero_division,
                **kwargs,
            )
        except ZeroDivisionError:  # imblearn: no label of `labels` in y_true
            continue
        assert ours[1] == theirs[1]
        if theirs[1] is not None:
            continue
        assert list(ours[0]) == list(theirs[0])
        for key, value in theirs[0].items():
            if isinstance(value, dict):
                assert list(ours[0][key]) == list(value)
                for column, score in value.items():
                    assert_same(ours[0][key][column], score)
            else:
                assert_same(ours[0][key], value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # imblearn's sqrt of spe < 0
def test_report_with_weights_matches_imblearn_where_it_is_right():
    """pre/rec/f1/sup equal imblearn with weights; spe/geo/iba follow #1180's fix."""
    for case in random_cases(11, N_CASES):
        if case.sample_weight is None:
            continue
        kwargs = case.kwargs()
        try:
            theirs = im.classification_report_imbalanced(
                case.y_true, case.y_pred, output_dict=True, zero_division=0, **kwargs
            )
        except (ZeroDivisionError, ValueError):
            continue
        ours = bm.classification_report_imbalanced(
            case.y_true, case.y_pred, output_dict=True, zero_division=0, **kwargs
        )
        labels = case.labels or sorted(set(case.y_true) | set(case.y_pred))
        sen, spe, _ = _mcm_reference(
            case.y_true, case.y_pred, labels, case.sample_weight
        )
        for i, label in enumerate(labels):
            for column in ("pre", "rec", "f1", "sup"):
                assert_same(ours[str(label)][column], theirs[str(label)][column])
            assert_same(ours[str(label)]["spe"], spe[i])
            assert_same(ours[str(label)]["geo"], np.sqrt(sen[i] * spe[i]))
