"""The streaming multilabel confusion matrix: updates over batches equal the
functional metrics on the concatenation (values to 1e-12, dtypes, warnings), on every
backend (array-api-strict's device1 included, state and results there); merge,
state_dict and pickling round trips; bad input gets a clear error."""

from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import balancekit.metrics as bm
from balancekit.metrics import (
    MULTILABEL_STREAMING_METRICS,
    StreamingConfusionMatrix,
    StreamingMultilabelConfusionMatrix,
)

AVERAGES = [None, "micro", "macro", "weighted", "samples"]
ZERO_DIVISIONS = ["warn", 0.0, 1.0, np.nan]

RNG = np.random.default_rng(19)
N, L = 180, 5
Y_TRUE = (RNG.random((N, L)) < [0.5, 0.3, 0.1, 0.02, 0.0]).astype(np.int64)
Y_PRED = np.where(RNG.random((N, L)) < 0.75, Y_TRUE, 1 - Y_TRUE)
Y_PRED[:, 4] = 0  # a label never true nor predicted: every ratio ill-defined
Y_PRED[:7] = 0  # rows with no predicted label
Y_TRUE[3:9] = 0  # rows with no true label (3..6 empty in both)
FLOAT_WEIGHTS = RNG.random(N) * 2
FLOAT_WEIGHTS[::11] = 0.0
INT_WEIGHTS = RNG.integers(0, 4, size=N)
BATCHES = [slice(0, 60), slice(60, 61), slice(61, 150), slice(150, N)]


def _weights(kind):
    return {"none": None, "float": FLOAT_WEIGHTS, "int": INT_WEIGHTS}[kind]


def _fill(metric, backend, y_true, y_pred, weights, batches=BATCHES):
    for part in batches:
        w = None if weights is None else backend.asarray(weights[part])
        metric.update(backend.asarray(y_true[part]), backend.asarray(y_pred[part]), w)
    return metric


def _calls(labels):
    """(name, kwargs) of every score, each average and zero_division."""
    calls = [("multilabel_confusion_matrix", {}), ("hamming_loss", {})]
    for average in AVERAGES:
        for zero_division in ZERO_DIVISIONS:
            kw = {"average": average, "zero_division": zero_division}
            calls += [
                ("precision_recall_fscore_support", kw),
                ("precision_score", kw),
                ("recall_score", kw),
                ("f1_score", kw),
                ("fbeta_score", {**kw, "beta": 0.5}),
                ("jaccard_score", kw),
            ]
    for zero_division in ZERO_DIVISIONS:
        kw = {"zero_division": zero_division, "output_dict": True}
        calls += [("classification_report", kw)]
    calls += [("classification_report", {"digits": 4})]
    if labels is not None:  # the metric's own labels are accepted at score time
        calls = [
            (name, kw if name == "hamming_loss" else {**kw, "labels": labels})
            for name, kw in calls
        ]
    return calls


def _record(function, *args, **kwargs):
    """The result and the warnings (category, text) it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [(w.category, str(w.message)) for w in caught]


def _flatten(result):
    if isinstance(result, tuple):
        return list(result)
    return [result]


def _assert_same(ours, reference, backend, name):
    if isinstance(reference, str):  # the text report: float supports to round-off
        ours_words, words = ours.split(), reference.split()
        assert len(ours_words) == len(words), name
        for a, b in zip(ours_words, words, strict=True):
            if a != b:
                assert float(a) == pytest.approx(float(b), rel=1e-12), name
        return
    if isinstance(reference, dict):
        assert list(ours) == list(reference), name
        for key, value in reference.items():
            assert list(ours[key]) == list(value), name
            for column, v in value.items():
                assert type(ours[key][column]) is type(v), (name, key, column)
                np.testing.assert_allclose(
                    ours[key][column], v, rtol=1e-12, atol=1e-15, err_msg=name
                )
        return
    ours, reference = _flatten(ours), _flatten(reference)
    assert len(ours) == len(reference), name
    for a, b in zip(ours, reference, strict=True):
        if b is None:
            assert a is None, name
            continue
        if backend.name != "numpy":
            assert backend.device_of(a) == backend.device, name
        elif np.ndim(b) == 0:
            assert type(a) is type(b), name  # numpy.float64, as the functional gives
        got = backend.to_numpy(a)
        assert got.dtype == np.asarray(b).dtype, name
        np.testing.assert_allclose(got, b, rtol=1e-12, atol=1e-15, err_msg=name)


def _functional(name, y_true, y_pred, weights, kwargs):
    kwargs = dict(kwargs)
    if name == "hamming_loss":
        kwargs.pop("labels", None)
    return getattr(bm, name)(y_true, y_pred, sample_weight=weights, **kwargs)


def _check_every_score(metric, backend, y_true, y_pred, weights, labels):
    for name, kwargs in _calls(labels):
        ours, our_warnings = _record(metric.score, name, **kwargs)
        reference, expected_warnings = _record(
            _functional, name, y_true, y_pred, weights, kwargs
        )
        _assert_same(ours, reference, backend, (name, kwargs))
        assert our_warnings == expected_warnings, (name, kwargs)


# ----------------------------------------------------------------- every backend


@pytest.mark.parametrize("weights", ["none", "float", "int"])
@pytest.mark.parametrize("labels", [None, [3, 0, 2]], ids=["all", "subset"])
def test_batches_equal_functional(backend, weights, labels):
    sample_weight = _weights(weights)
    metric = _fill(
        StreamingMultilabelConfusionMatrix(L, labels=labels),
        backend,
        Y_TRUE,
        Y_PRED,
        sample_weight,
    )
    matrices = metric.compute()
    expected = bm.multilabel_confusion_matrix(
        Y_TRUE, Y_PRED, sample_weight=sample_weight, labels=labels
    )
    _assert_same(matrices, expected, backend, "compute")
    if backend.name != "numpy":  # the state stays on the batches' device
        assert backend.device_of(metric._counts) == backend.device
    _check_every_score(metric, backend, Y_TRUE, Y_PRED, sample_weight, labels)


def test_against_sklearn_directly():
    metric = _fill(
        StreamingMultilabelConfusionMatrix(L), _NUMPY, Y_TRUE, Y_PRED, FLOAT_WEIGHTS
    )
    w = {"sample_weight": FLOAT_WEIGHTS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in AVERAGES:
            ours = metric.precision_recall_fscore_support(average=average)
            theirs = skm.precision_recall_fscore_support(
                Y_TRUE, Y_PRED, average=average, **w
            )
            for a, b in zip(ours, theirs, strict=True):
                np.testing.assert_allclose(
                    np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12
                )
            np.testing.assert_allclose(
                metric.jaccard_score(average=average),
                skm.jaccard_score(Y_TRUE, Y_PRED, average=average, **w),
                rtol=1e-12,
            )
        np.testing.assert_allclose(
            metric.hamming_loss(), skm.hamming_loss(Y_TRUE, Y_PRED, **w), rtol=1e-12
        )
        np.testing.assert_allclose(
            metric.compute(), skm.multilabel_confusion_matrix(Y_TRUE, Y_PRED, **w)
        )


class _Numpy:
    name = "numpy"
    device = "cpu"

    @staticmethod
    def asarray(a):
        return a

    @staticmethod
    def to_numpy(a):
        return np.asarray(a)


_NUMPY = _Numpy()


# ----------------------------------------------------------------- properties


@st.composite
def _streams(draw):
    n_labels = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    n = sum(sizes)
    bits = st.lists(st.booleans(), min_size=n * n_labels, max_size=n * n_labels)
    y_true = np.array(draw(bits), dtype=np.int64).reshape(n, n_labels)
    y_pred = np.array(draw(bits), dtype=np.int64).reshape(n, n_labels)
    kinds = draw(
        st.lists(
            st.sampled_from(["none", "float", "int"]),
            min_size=len(sizes),
            max_size=len(sizes),
        )
    )
    weights = [
        None
        if kind == "none"
        else np.array(
            draw(
                st.lists(
                    st.sampled_from([0.0, 0.5, 1.25, 3.0])
                    if kind == "float"
                    else st.integers(0, 3),
                    min_size=size,
                    max_size=size,
                )
            ),
            dtype=np.float64 if kind == "float" else np.int64,
        )
        for kind, size in zip(kinds, sizes, strict=True)
    ]
    labels = draw(
        st.none() | st.lists(st.integers(0, n_labels - 1), min_size=1, unique=True)
    )
    return y_true, y_pred, sizes, weights, labels


def _concatenated_weights(sizes, weights):
    if all(w is None for w in weights):
        return None
    return np.concatenate(
        [np.ones(s) if w is None else w for s, w in zip(sizes, weights, strict=True)]
    )


@settings(max_examples=40, deadline=None)
@given(
    stream=_streams(),
    average=st.sampled_from(AVERAGES),
    zero_division=st.sampled_from(ZERO_DIVISIONS),
    dtype=st.sampled_from([np.int64, np.int8, np.bool_, np.float32]),
)
def test_random_streams_equal_functional(stream, average, zero_division, dtype):
    y_true, y_pred, sizes, weights, labels = stream
    y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
    n_labels = y_true.shape[1]
    metric = StreamingMultilabelConfusionMatrix(n_labels, labels=labels)
    start = 0
    for size, w in zip(sizes, weights, strict=True):
        metric.update(y_true[start : start + size], y_pred[start : start + size], w)
        start += size
    sample_weight = _concatenated_weights(sizes, weights)
    kw = {"average": average, "zero_division": zero_division, "labels": labels}
    calls = [
        ("precision_recall_fscore_support", kw),
        ("fbeta_score", {**kw, "beta": 2.0}),
        ("jaccard_score", kw),
        ("multilabel_confusion_matrix", {"labels": labels}),
        ("hamming_loss", {}),
        ("classification_report", {"zero_division": zero_division, "labels": labels}),
    ]
    for name, kwargs in calls:
        try:
            reference, expected_warnings = _record(
                _functional, name, y_true, y_pred, sample_weight, kwargs
            )
        except ValueError as error:  # every weight 0: refused alike
            refused = str(error)
        else:
            refused = None
        if refused is not None:
            with pytest.raises(ValueError, match=re.escape(refused)):
                metric.score(name, **kwargs)
            continue
        ours, our_warnings = _record(metric.score, name, **kwargs)
        _assert_same(ours, reference, _NUMPY, (name, kwargs))
        assert our_warnings == expected_warnings, (name, kwargs)


@settings(max_examples=15, deadline=None)
@given(stream=_streams(), split=st.integers(0, 4))
def test_merge_and_state_dict_equal_one_stream(stream, split):
    y_true, y_pred, sizes, weights, labels = stream
    n_labels = y_true.shape[1]
    whole = StreamingMultilabelConfusionMatrix(n_labels, labels=labels)
    parts = [
        StreamingMultilabelConfusionMatrix(n_labels, labels=labels) for _ in range(2)
    ]
    start = 0
    for k, (size, w) in enumerate(zip(sizes, weights, strict=True)):
        batch = (y_true[start : start + size], y_pred[start : start + size], w)
        whole.update(*batch)
        parts[int(k >= split)].update(*batch)
        start += size
    merged = parts[0].merge(parts[1])
    restored = StreamingMultilabelConfusionMatrix(n_labels, labels=labels)
    restored.load_state_dict(pickle.loads(pickle.dumps(merged.state_dict())))
    for metric in (merged, restored, pickle.loads(pickle.dumps(merged))):
        np.testing.assert_allclose(metric._counts, whole._counts)
        assert (metric._weights is None) == (whole._weights is None)
        if whole._weights is not None:
            np.testing.assert_allclose(metric._weights, whole._weights, rtol=1e-12)
        assert metric._integer_weights == whole._integer_weights


# ----------------------------------------------------------------- life cycle


def test_merge_reset_state_dict_and_pickle(backend):
    half = N // 2
    first = _fill(
        StreamingMultilabelConfusionMatrix(L),
        backend,
        Y_TRUE,
        Y_PRED,
        FLOAT_WEIGHTS,
        [slice(0, half)],
    )
    second = _fill(
        StreamingMultilabelConfusionMatrix(L),
        backend,
        Y_TRUE,
        Y_PRED,
        None,
        [slice(half, N)],
    )
    assert first.merge(second) is first
    # batches without weights count 1 per sample
    weights = np.concatenate([FLOAT_WEIGHTS[:half], np.ones(N - half)])
    _check_every_score(first, backend, Y_TRUE, Y_PRED, weights, None)

    restored = StreamingMultilabelConfusionMatrix(L)
    restored.load_state_dict(first.state_dict())
    revived = pickle.loads(pickle.dumps(first))
    for metric in (restored, revived):
        _assert_same(
            metric.compute(), backend.to_numpy(first.compute()), backend, "restored"
        )
        ours = metric.f1_score(average="samples", zero_division=0.0)
        if backend.name != "numpy":
            assert backend.device_of(ours) == backend.device
        assert backend.to_numpy(ours) == backend.to_numpy(
            first.f1_score(average="samples", zero_division=0.0)
        )
    assert first.reset() is first
    assert first.is_empty
    with pytest.raises(ValueError, match="has no samples"):
        first.compute()
    first.merge(StreamingMultilabelConfusionMatrix(L))  # merging an empty one: no-op
    assert first.is_empty
    first.merge(second)
    _assert_same(
        first.compute(),
        bm.multilabel_confusion_matrix(Y_TRUE[half:], Y_PRED[half:]),
        backend,
        "after reset",
    )


def test_unfitted_pickles_and_restores_empty():
    metric = StreamingMultilabelConfusionMatrix(3, labels=[1, 0])
    revived = pickle.loads(pickle.dumps(metric))
    assert revived.is_empty
    assert (revived.n_labels, revived.labels) == (3, [1, 0])
    state = metric.state_dict()
    fitted = StreamingMultilabelConfusionMatrix(3, labels=[1, 0]).update(
        [[1, 0, 1]], [[1, 1, 0]]
    )
    fitted.load_state_dict(state)
    assert fitted.is_empty


def test_torch_state_saves_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    metric = StreamingMultilabelConfusionMatrix(L).update(
        torch.as_tensor(Y_TRUE), torch.as_tensor(Y_PRED), torch.as_tensor(INT_WEIGHTS)
    )
    torch.save(metric.state_dict(), tmp_path / "state.pt")
    restored = StreamingMultilabelConfusionMatrix(L)
    restored.load_state_dict(torch.load(tmp_path / "state.pt", weights_only=True))
    assert torch.equal(restored.compute(), metric.compute())
    assert restored.report(zero_division=0.0) == metric.report(zero_division=0.0)


# ----------------------------------------------------------------- large label sets


def test_many_labels_refuse_only_the_samples_averages():
    n_labels = 256
    rng = np.random.default_rng(0)
    y_true = (rng.random((40, n_labels)) < 0.1).astype(np.int8)
    y_pred = (rng.random((40, n_labels)) < 0.1).astype(np.int8)
    metric = StreamingMultilabelConfusionMatrix(n_labels)
    assert metric._shape == (3 * n_labels + 1,)
    metric.update(y_true[:25], y_pred[:25]).update(y_true[25:], y_pred[25:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in ("micro", "macro", "weighted", None):
            np.testing.assert_allclose(
                metric.f1_score(average=average),
                bm.f1_score(y_true, y_pred, average=average),
                rtol=1e-12,
            )
        with pytest.raises(ValueError, match=r"257\*\*3 > 2\*\*24 cells"):
            metric.f1_score(average="samples")
        with pytest.raises(ValueError, match="at most 255 `labels`"):
            metric.report()
    # 255 scored columns keep the histogram
    kept = StreamingMultilabelConfusionMatrix(n_labels, labels=list(range(255)))
    assert kept._shape == (3 * n_labels + 1 + 256**3,)


# ----------------------------------------------------------------- errors


def test_construction_errors():
    with pytest.raises(TypeError, match="`n_labels` must be an int"):
        StreamingMultilabelConfusionMatrix(2.0)
    with pytest.raises(TypeError, match="`n_labels` must be an int"):
        StreamingMultilabelConfusionMatrix(True)
    with pytest.raises(ValueError, match="`n_labels` must be >= 2"):
        StreamingMultilabelConfusionMatrix(1)
    with pytest.raises(ValueError, match="`labels` must not repeat"):
        StreamingMultilabelConfusionMatrix(3, labels=[1, 1])
    with pytest.raises(ValueError, match="must be in \\[0, n labels\\)"):
        StreamingMultilabelConfusionMatrix(3, labels=[3])
    with pytest.raises(ValueError, match="`labels` must be column indices"):
        StreamingMultilabelConfusionMatrix(3, labels=["a"])
    with pytest.raises(ValueError, match="at least one label"):
        StreamingMultilabelConfusionMatrix(3, labels=[])


def test_update_errors_leave_the_state_unchanged():
    import array_api_strict
    import torch

    metric = StreamingMultilabelConfusionMatrix(3)
    good = np.array([[1, 0, 1], [0, 1, 0]])
    with pytest.raises(ValueError, match="`y_true` has 2 label columns"):
        metric.update(good[:, :2], good[:, :2])
    with pytest.raises(ValueError, match="`y_pred` must hold only 0 and 1"):
        metric.update(good, good * 2)
    with pytest.raises(ValueError, match="`y_true` must be a multilabel indicator"):
        metric.update(np.array([0, 1]), good)
    with pytest.raises(ValueError, match="different numbers of labels"):
        metric.update(good, good[:, :2])
    with pytest.raises(ValueError, match="`y_true` is empty"):
        metric.update(good[:0], good[:0])
    with pytest.raises(ValueError, match="`sample_weight` must have shape"):
        metric.update(good, good, sample_weight=[1.0])
    with pytest.raises(TypeError, match="`y_true` must be a multilabel indicator of"):
        metric.update(np.array([["a", "b", "c"]]), good[:1])
    assert metric.is_empty
    metric.update(torch.as_tensor(good), torch.as_tensor(good))
    with pytest.raises(ValueError, match="`y_true` is not where the metric"):
        metric.update(good, good)
    device1 = array_api_strict.Device("device1")
    on_device1 = StreamingMultilabelConfusionMatrix(3).update(
        array_api_strict.asarray(good, device=device1),
        array_api_strict.asarray(good, device=device1),
    )
    with pytest.raises(ValueError, match="`y_true` is not where the metric"):
        on_device1.update(
            array_api_strict.asarray(good), array_api_strict.asarray(good)
        )
    with pytest.raises(ValueError, match="`other` is not where the metric"):
        on_device1.merge(StreamingMultilabelConfusionMatrix(3).update(good, good))
    np.testing.assert_array_equal(
        metric.compute().numpy(), bm.multilabel_confusion_matrix(good, good)
    )


def test_score_errors():
    metric = StreamingMultilabelConfusionMatrix(3, labels=[2, 0])
    y = np.array([[1, 0, 1], [0, 1, 1]])
    metric.update(y, y, sample_weight=[0, 0])
    with pytest.raises(ValueError, match="at least one non-zero number"):
        metric.compute()  # every weight so far is 0, as the functional metric says
    metric.update(y, y)
    with pytest.raises(ValueError, match="`metric` must be one of"):
        metric.score("roc_auc_score")
    with pytest.raises(ValueError, match="`metric` must be one of"):
        metric.score("confusion_matrix")
    with pytest.raises(TypeError, match="`sample_weight` is not a score"):
        metric.score("f1_score", sample_weight=[1, 1])
    with pytest.raises(ValueError, match=r"`labels` is fixed when the metric is built"):
        metric.f1_score(labels=[0, 2], average="macro")
    with pytest.raises(ValueError, match=r"labels=\[1\]\)"):
        metric.jaccard_score(labels=[1], average="macro")
    with pytest.raises(ValueError, match="average='binary'"):
        metric.f1_score()
    with pytest.raises(ValueError, match="`average` must be one of"):
        metric.precision_score(average="mean")
    with pytest.raises(ValueError, match="`zero_division` must be"):
        metric.recall_score(average="micro", zero_division=2)
    with pytest.raises(ValueError, match="`beta` must be >= 0"):
        metric.fbeta_score(beta=-1.0, average="micro")
    with pytest.raises(ValueError, match="samplewise=True gives one matrix per sample"):
        metric.multilabel_confusion_matrix(samplewise=True)
    with pytest.raises(TypeError, match="`samplewise` must be True or False"):
        metric.multilabel_confusion_matrix(samplewise="yes")
    with pytest.raises(TypeError, match="unexpected keyword argument 'normalize'"):
        metric.score("hamming_loss", normalize=True)
    with pytest.raises(TypeError, match="`digits` must be an int"):
        metric.report(digits=1.5)
    with pytest.warns(UserWarning, match="Note that pos_label"):
        metric.f1_score(average="macro", pos_label=0)
    # the method names and the names score() takes agree
    for name in MULTILABEL_STREAMING_METRICS:
        assert callable(getattr(metric, name))


def test_merge_and_load_refuse_other_configurations():
    metric = StreamingMultilabelConfusionMatrix(3).update([[1, 0, 1]], [[1, 1, 0]])
    with pytest.raises(ValueError, match="different configuration"):
        metric.merge(StreamingMultilabelConfusionMatrix(3, labels=[0, 1]))
    with pytest.raises(ValueError, match="different configuration"):
        metric.merge(StreamingMultilabelConfusionMatrix(4))
    with pytest.raises(TypeError, match="`other` must be a StreamingMultilabel"):
        metric.merge(StreamingConfusionMatrix([0, 1]))
    with pytest.raises(ValueError, match="with other arguments"):
        StreamingMultilabelConfusionMatrix(4).load_state_dict(metric.state_dict())
    with pytest.raises(ValueError, match="was saved from a StreamingConfusionMatrix"):
        metric.load_state_dict(
            StreamingConfusionMatrix([0, 1]).update([0], [1]).state_dict()
        )
    state = metric.state_dict()
    state["counts"] = state["counts"][:-1]
    with pytest.raises(ValueError, match=r"`state_dict\['counts'\]` has shape"):
        StreamingMultilabelConfusionMatrix(3).load_state_dict(state)


@pytest.mark.parametrize("weight_dtype", [np.float64, np.int64])
def test_a_row_of_weight_zero_warns_as_in_the_functional_metric(weight_dtype):
    # every row has the same (tp, true, pred): the zero-weight one shares its cell
    y = np.ones((3, 3), dtype=np.int64)
    weights = np.array([1, 0, 2], dtype=weight_dtype)
    metric = StreamingMultilabelConfusionMatrix(3).update(y[:2], y[:2], weights[:2])
    metric.update(y[2:], y[2:], weights[2:])
    for name in ("precision_score", "recall_score", "f1_score", "jaccard_score"):
        kwargs = {"average": "samples"}
        ours, our_warnings = _record(metric.score, name, **kwargs)
        reference, expected = _record(
            getattr(bm, name), y, y, sample_weight=weights, **kwargs
        )
        assert expected, name  # the weight-0 row is ill-defined (0 / 0)
        assert our_warnings == expected, name
        assert ours == reference == 1.0, name
    # unweighted, nothing is ill-defined
    plain = StreamingMultilabelConfusionMatrix(3).update(y, y)
    assert _record(plain.f1_score, average="samples")[1] == []


@pytest.mark.parametrize("dtype", [np.bool_, np.float32, np.int8])
def test_indicator_dtypes(backend, dtype):
    y_true, y_pred = Y_TRUE.astype(dtype), Y_PRED.astype(dtype)
    metric = _fill(
        StreamingMultilabelConfusionMatrix(L, labels=[1, 4]),
        backend,
        y_true,
        y_pred,
        FLOAT_WEIGHTS,
    )
    kw = {"sample_weight": FLOAT_WEIGHTS, "labels": [1, 4]}
    _assert_same(
        metric.compute(),
        bm.multilabel_confusion_matrix(y_true, y_pred, **kw),
        backend,
        "compute",
    )
    for average in ("samples", "macro"):
        ours, our_warnings = _record(metric.jaccard_score, average=average)
        reference, expected = _record(
            bm.jaccard_score, y_true, y_pred, average=average, **kw
        )
        _assert_same(ours, reference, backend, average)
        assert our_warnings == expected


def test_report_target_names_as_the_functional_report():
    labels = [3, 0, 2]
    metric = _fill(
        StreamingMultilabelConfusionMatrix(L, labels=labels),
        _NUMPY,
        Y_TRUE,
        Y_PRED,
        INT_WEIGHTS,
    )
    kw = {"labels": labels, "sample_weight": INT_WEIGHTS, "zero_division": 1.0}
    for names in (["d", "a", "c"], ["d", "a"]):  # too few: a warning, fewer rows
        ours, our_warnings = _record(
            metric.classification_report, target_names=names, zero_division=1.0
        )
        reference, expected = _record(
            bm.classification_report, Y_TRUE, Y_PRED, target_names=names, **kw
        )
        assert ours == reference  # integer weights: the same text, to the digit
        assert our_warnings == expected
    everything = _fill(
        StreamingMultilabelConfusionMatrix(L), _NUMPY, Y_TRUE, Y_PRED, None
    )
    with pytest.raises(ValueError, match="does not match size of target_names"):
        everything.report(target_names=["a"])
