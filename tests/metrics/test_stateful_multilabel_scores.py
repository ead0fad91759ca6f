"""The streaming multilabel ROC AUC and average precision: with every score on the
grid, updates over batches equal the functional metrics on the concatenation (values
to 1e-12, result types, warnings) on every backend (array-api-strict's device1
included, state and results there), and scikit-learn; off the grid, the binned scores
are those of the scores rounded down to the grid; merge, state_dict and pickling
round trips; bad input gets a clear error."""

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
    StreamingMultilabelConfusionMatrix,
    StreamingMultilabelScores,
    StreamingScores,
)

AVERAGES = [None, "micro", "macro", "weighted"]
N_BINS = 20

RNG = np.random.default_rng(19)
N, L = 150, 5
# label 3 is never positive, label 4 always: both warn (per label) as the functional
Y_TRUE = (RNG.random((N, L)) < [0.5, 0.3, 0.1, 0.0, 1.1]).astype(np.int64)
Y_SCORE = (
    np.round((0.5 * Y_TRUE + 0.5 * RNG.random((N, L))) * N_BINS) / N_BINS
)  # on the grid k / N_BINS, with many ties
FLOAT_WEIGHTS = RNG.random(N) * 2
FLOAT_WEIGHTS[::11] = 0.0
INT_WEIGHTS = RNG.integers(0, 4, size=N)
BATCHES = [slice(0, 60), slice(60, 61), slice(61, 120), slice(120, N)]


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


def _weights(kind):
    return {"none": None, "float": FLOAT_WEIGHTS, "int": INT_WEIGHTS}[kind]


def _fill(metric, backend, y_true, y_score, weights, batches=BATCHES):
    for part in batches:
        w = None if weights is None else backend.asarray(weights[part])
        metric.update(backend.asarray(y_true[part]), backend.asarray(y_score[part]), w)
    return metric


def _record(function, *args, **kwargs):
    """The result and the warnings (category, text) it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [(w.category, str(w.message)) for w in caught]


def _assert_same(ours, reference, backend, name):
    ours = list(ours) if isinstance(ours, tuple) else [ours]
    reference = list(reference) if isinstance(reference, tuple) else [reference]
    assert len(ours) == len(reference), name
    for a, b in zip(ours, reference, strict=True):
        if backend.name != "numpy":
            assert backend.device_of(a) == backend.device, name
        else:
            assert type(a) is type(b), name  # numpy.float64 or 0-d array, as given
        got = backend.to_numpy(a)
        assert got.dtype == np.asarray(b).dtype, name
        assert got.shape == np.shape(b), name
        np.testing.assert_allclose(
            got, b, rtol=1e-12, atol=1e-15, equal_nan=True, err_msg=str(name)
        )


def _score_calls():
    calls = []
    for average in AVERAGES:
        calls += [
            ("roc_auc_score", {"average": average}),
            ("roc_auc_score", {"average": average, "max_fpr": 0.5}),
            ("average_precision_score", {"average": average}),
        ]
    return calls


def _columns(labels):
    return list(range(L)) if labels is None else labels


def _check_every_score(metric, backend, y_true, y_score, weights, labels):
    columns = _columns(labels)
    true, score = y_true[:, columns], y_score[:, columns]
    for name, kwargs in _score_calls():
        ours, our_warnings = _record(getattr(metric, name), **kwargs)
        reference, expected = _record(
            getattr(bm, name), true, score, sample_weight=weights, **kwargs
        )
        _assert_same(ours, reference, backend, (name, kwargs))
        assert our_warnings == expected, (name, kwargs)
    for column in columns:
        for name in ("roc_curve", "precision_recall_curve"):
            for drop in (False, True):
                kwargs = {"drop_intermediate": drop}
                ours, our_warnings = _record(getattr(metric, name), column, **kwargs)
                reference, expected = _record(
                    getattr(bm, name),
                    y_true[:, column],
                    y_score[:, column],
                    sample_weight=weights,
                    **kwargs,
                )
                _assert_same(ours, reference, backend, (name, column, drop))
                assert our_warnings == expected, (name, column)


# ----------------------------------------------------------------- every backend


@pytest.mark.parametrize("weights", ["none", "float", "int"])
@pytest.mark.parametrize("labels", [None, [4, 0, 3]], ids=["all", "subset"])
def test_batches_equal_functional(backend, weights, labels):
    sample_weight = _weights(weights)
    metric = _fill(
        StreamingMultilabelScores(L, n_bins=N_BINS, labels=labels),
        backend,
        Y_TRUE,
        Y_SCORE,
        sample_weight,
    )
    if backend.name != "numpy":  # the state stays on the batches' device
        assert backend.device_of(metric._counts) == backend.device
        if sample_weight is not None:
            assert backend.device_of(metric._weights) == backend.device
    _check_every_score(metric, backend, Y_TRUE, Y_SCORE, sample_weight, labels)
    both, _ = _record(metric.compute, average="weighted")
    assert list(both) == ["roc_auc", "average_precision"]


def test_against_sklearn_directly():
    # scikit-learn raises for a label with one class: score the three others
    y_true, y_score = Y_TRUE[:, :3], Y_SCORE[:, :3]
    for weights in (None, FLOAT_WEIGHTS):
        metric = _fill(
            StreamingMultilabelScores(3, n_bins=N_BINS),
            _NUMPY,
            y_true,
            y_score,
            weights,
        )
        kw = {"sample_weight": weights}
        for average in AVERAGES:
            np.testing.assert_allclose(
                metric.roc_auc_score(average=average),
                skm.roc_auc_score(y_true, y_score, average=average, **kw),
                rtol=1e-12,
            )
            np.testing.assert_allclose(
                metric.roc_auc_score(average=average, max_fpr=0.25),
                skm.roc_auc_score(y_true, y_score, average=average, max_fpr=0.25, **kw),
                rtol=1e-12,
            )
            np.testing.assert_allclose(
                metric.average_precision_score(average=average),
                skm.average_precision_score(y_true, y_score, average=average, **kw),
                rtol=1e-12,
            )
        for column in range(3):
            for ours, theirs in zip(
                metric.roc_curve(column),
                skm.roc_curve(y_true[:, column], y_score[:, column], **kw),
                strict=True,
            ):
                np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_float32_scores_and_bool_indicators(backend):
    # float32 grid values bin like their float64 counterparts: the ranking, hence
    # every score, is that of the functional metric on the float32 scores
    y_true, y_score = Y_TRUE.astype(np.bool_), Y_SCORE.astype(np.float32)
    metric = _fill(
        StreamingMultilabelScores(L, n_bins=N_BINS), backend, y_true, y_score, None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in AVERAGES:
            ours = metric.roc_auc_score(average=average)
            reference = bm.roc_auc_score(y_true, y_score, average=average)
            np.testing.assert_allclose(
                backend.to_numpy(ours), reference, rtol=1e-12, equal_nan=True
            )


def test_custom_thresholds(backend):
    edges = np.array([-3.0, -0.5, 0.0, 0.25, 1.5, 10.0])
    y_score = RNG.choice(edges, size=(N, L))
    metric = _fill(
        StreamingMultilabelScores(L, thresholds=edges),
        backend,
        Y_TRUE,
        y_score,
        FLOAT_WEIGHTS,
    )
    _check_every_score(metric, backend, Y_TRUE, y_score, FLOAT_WEIGHTS, None)


def test_scores_off_the_grid_are_those_of_the_grid():
    """Off the grid a score counts as the lower edge of its bin; the AUC error per
    label is within roc_auc_error_bound."""
    y_score = RNG.random((N, L))
    metric = _fill(
        StreamingMultilabelScores(L, n_bins=10), _NUMPY, Y_TRUE, y_score, None
    )
    floored = np.floor(y_score * 10) / 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in AVERAGES:
            np.testing.assert_allclose(
                metric.roc_auc_score(average=average),
                bm.roc_auc_score(Y_TRUE, floored, average=average),
                rtol=1e-12,
            )
            np.testing.assert_allclose(
                metric.average_precision_score(average=average),
                bm.average_precision_score(Y_TRUE, floored, average=average),
                rtol=1e-12,
            )
        exact = bm.roc_auc_score(Y_TRUE, y_score, average=None)
        binned = metric.roc_auc_score(average=None)
    bound = metric.roc_auc_error_bound()
    assert np.array_equal(np.isnan(bound), np.isnan(exact))
    defined = ~np.isnan(exact)
    assert np.all(np.abs(binned - exact)[defined] <= bound[defined] + 1e-12)
    assert np.all(bound[defined] > 0)
    # the bound of each label is StreamingScores' bound on that column
    for column in np.flatnonzero(defined):
        single = StreamingScores(10).update(Y_TRUE[:, column], y_score[:, column])
        assert bound[column] == pytest.approx(float(single.roc_auc_error_bound()))


@pytest.mark.parametrize("column", [0, 3])
def test_one_scored_column(column):
    """One scored column: the per-label score is the functional metric's score of
    that column, and every average is that score (the weighted average 0 for a
    column without positives, as the functional metric's weighted average)."""
    metric = _fill(
        StreamingMultilabelScores(L, n_bins=N_BINS, labels=[column]),
        _NUMPY,
        Y_TRUE,
        Y_SCORE,
        FLOAT_WEIGHTS,
    )
    kw = {"sample_weight": FLOAT_WEIGHTS}
    for name in ("roc_auc_score", "average_precision_score"):
        per_label, _ = _record(getattr(bm, name), Y_TRUE, Y_SCORE, average=None, **kw)
        expected, _ = _record(getattr(metric, name), average=None)
        np.testing.assert_allclose(expected, per_label[[column]], equal_nan=True)
        single, expected_warnings = _record(
            getattr(bm, name), Y_TRUE[:, column], Y_SCORE[:, column], **kw
        )
        for average in ("micro", "macro"):
            ours, our_warnings = _record(getattr(metric, name), average=average)
            np.testing.assert_allclose(ours, single, rtol=1e-12, equal_nan=True)
            assert our_warnings == expected_warnings
        weighted, _ = _record(getattr(metric, name), average="weighted")
        assert weighted == (0.0 if column == 3 else pytest.approx(float(single)))


def test_update_does_not_modify_its_input():
    y_true, y_score, weights = Y_TRUE.copy(), Y_SCORE.copy(), FLOAT_WEIGHTS.copy()
    StreamingMultilabelScores(L, n_bins=N_BINS, labels=[2, 0]).update(
        y_true, y_score, weights
    )
    np.testing.assert_array_equal(y_true, Y_TRUE)
    np.testing.assert_array_equal(y_score, Y_SCORE)
    np.testing.assert_array_equal(weights, FLOAT_WEIGHTS)


# ----------------------------------------------------------------- properties


@st.composite
def _streams(draw):
    n_labels = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    n = sum(sizes)
    cells = n * n_labels
    bits = st.lists(st.booleans(), min_size=cells, max_size=cells)
    y_true = np.array(draw(bits), dtype=np.int64).reshape(n, n_labels)
    if draw(st.booleans()):
        edges = None
        grid = np.arange(5) / 4  # n_bins=4: many ties
    else:
        edges = np.array([-2.0, -0.5, 0.0, 0.25, 3.0])
        grid = edges
    picks = st.lists(st.integers(0, len(grid) - 1), min_size=cells, max_size=cells)
    y_score = grid[np.array(draw(picks))].reshape(n, n_labels)
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
        # one scored column is a binary target for the functional metrics: tested
        # on its own below
        st.none() | st.lists(st.integers(0, n_labels - 1), min_size=2, unique=True)
    )
    return y_true, y_score, sizes, weights, edges, labels


def _concatenated_weights(sizes, weights):
    if all(w is None for w in weights):
        return None
    return np.concatenate(
        [np.ones(s) if w is None else w for s, w in zip(sizes, weights, strict=True)]
    )


def _stream_metric(y_true, y_score, sizes, weights, edges, labels):
    n_labels = y_true.shape[1]
    metric = StreamingMultilabelScores(
        n_labels, n_bins=4, thresholds=edges, labels=labels
    )
    start = 0
    for size, w in zip(sizes, weights, strict=True):
        metric.update(y_true[start : start + size], y_score[start : start + size], w)
        start += size
    return metric


@settings(max_examples=40, deadline=None)
@given(
    stream=_streams(),
    average=st.sampled_from(AVERAGES),
    call=st.sampled_from(
        [
            ("roc_auc_score", {}),
            ("roc_auc_score", {"max_fpr": 0.4}),
            ("average_precision_score", {}),
        ]
    ),
)
def test_random_streams_equal_functional(stream, average, call):
    y_true, y_score, sizes, weights, _, labels = stream
    metric = _stream_metric(*stream)
    sample_weight = _concatenated_weights(sizes, weights)
    columns = list(range(y_true.shape[1])) if labels is None else labels
    name, kwargs = call
    kwargs = {**kwargs, "average": average}
    try:
        reference, expected = _record(
            getattr(bm, name),
            y_true[:, columns],
            y_score[:, columns],
            sample_weight=sample_weight,
            **kwargs,
        )
    except ValueError as error:  # every weight 0: refused alike
        with pytest.raises(ValueError, match=re.escape(str(error))):
            getattr(metric, name)(**kwargs)
        return
    ours, our_warnings = _record(getattr(metric, name), **kwargs)
    _assert_same(ours, reference, _NUMPY, (name, kwargs))
    assert our_warnings == expected, (name, kwargs)


@settings(max_examples=15, deadline=None)
@given(stream=_streams(), split=st.integers(0, 4))
def test_merge_and_state_dict_equal_one_stream(stream, split):
    y_true, y_score, sizes, weights, edges, labels = stream
    n_labels = y_true.shape[1]
    whole = _stream_metric(*stream)
    parts = [
        StreamingMultilabelScores(n_labels, n_bins=4, thresholds=edges, labels=labels)
        for _ in range(2)
    ]
    start = 0
    for k, (size, w) in enumerate(zip(sizes, weights, strict=True)):
        batch = (y_true[start : start + size], y_score[start : start + size], w)
        parts[int(k >= split)].update(*batch)
        start += size
    merged = parts[0].merge(parts[1])
    restored = StreamingMultilabelScores(
        n_labels, n_bins=4, thresholds=edges, labels=labels
    )
    restored.load_state_dict(pickle.loads(pickle.dumps(merged.state_dict())))
    for metric in (merged, restored, pickle.loads(pickle.dumps(merged))):
        np.testing.assert_array_equal(metric._counts, whole._counts)
        assert (metric._weights is None) == (whole._weights is None)
        if whole._weights is not None:
            np.testing.assert_allclose(metric._weights, whole._weights, rtol=1e-12)
        assert metric._integer_weights == whole._integer_weights


# ----------------------------------------------------------------- life cycle


def test_merge_reset_state_dict_and_pickle(backend):
    half = N // 2
    first = _fill(
        StreamingMultilabelScores(L, n_bins=N_BINS),
        backend,
        Y_TRUE,
        Y_SCORE,
        FLOAT_WEIGHTS,
        [slice(0, half)],
    )
    second = _fill(
        StreamingMultilabelScores(L, n_bins=N_BINS),
        backend,
        Y_TRUE,
        Y_SCORE,
        None,
        [slice(half, N)],
    )
    assert first.merge(second) is first
    # batches without weights count 1 per sample
    weights = np.concatenate([FLOAT_WEIGHTS[:half], np.ones(N - half)])
    _check_every_score(first, backend, Y_TRUE, Y_SCORE, weights, None)

    restored = StreamingMultilabelScores(L, n_bins=N_BINS)
    restored.load_state_dict(first.state_dict())
    revived = pickle.loads(pickle.dumps(first))
    partial = _record(first.roc_auc_score, average=None, max_fpr=0.5)[0]
    expected = backend.to_numpy(partial)
    for metric in (restored, revived):
        ours = _record(metric.roc_auc_score, average=None, max_fpr=0.5)[0]
        if backend.name != "numpy":
            assert backend.device_of(ours) == backend.device
            assert backend.device_of(metric.histogram()) == backend.device
        np.testing.assert_array_equal(backend.to_numpy(ours), expected)
        assert _record(metric.average_precision_score, average="macro")[1]
    assert first.reset() is first
    assert first.is_empty
    with pytest.raises(ValueError, match="has no samples"):
        first.roc_auc_score()
    first.merge(StreamingMultilabelScores(L, n_bins=N_BINS))  # empty: a no-op
    assert first.is_empty
    first.merge(second)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(
            backend.to_numpy(first.roc_auc_score(average=None)),
            bm.roc_auc_score(Y_TRUE[half:], Y_SCORE[half:], average=None),
            rtol=1e-12,
        )


def test_unfitted_pickles_and_restores_empty():
    metric = StreamingMultilabelScores(3, thresholds=[0.0, 0.5, 1.0], labels=[1, 0])
    revived = pickle.loads(pickle.dumps(metric))
    assert revived.is_empty
    assert (revived.n_labels, revived.labels) == (3, [1, 0])
    np.testing.assert_array_equal(revived.thresholds, [0.0, 0.5, 1.0])
    assert revived._fingerprint() == metric._fingerprint()
    state = metric.state_dict()
    fitted = StreamingMultilabelScores(
        3, thresholds=[0.0, 0.5, 1.0], labels=[1, 0]
    ).update([[1, 0, 1]], [[1.0, 0.5, 0.0]])
    fitted.load_state_dict(state)
    assert fitted.is_empty


def test_torch_state_saves_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    metric = StreamingMultilabelScores(L, n_bins=N_BINS).update(
        torch.as_tensor(Y_TRUE),
        torch.as_tensor(Y_SCORE),
        torch.as_tensor(INT_WEIGHTS),
    )
    assert isinstance(metric.histogram(), torch.Tensor)
    torch.save(metric.state_dict(), tmp_path / "state.pt")
    restored = StreamingMultilabelScores(L, n_bins=N_BINS)
    restored.load_state_dict(torch.load(tmp_path / "state.pt", weights_only=True))
    assert torch.equal(restored.histogram(), metric.histogram())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.testing.assert_close(
            restored.roc_auc_score(average=None),
            metric.roc_auc_score(average=None),
            rtol=0,
            atol=0,
            equal_nan=True,
        )


# ----------------------------------------------------------------- errors


def test_construction_errors():
    with pytest.raises(TypeError, match="`n_labels` must be an int"):
        StreamingMultilabelScores(2.0)
    with pytest.raises(TypeError, match="`n_labels` must be an int"):
        StreamingMultilabelScores(True)
    with pytest.raises(ValueError, match="use StreamingScores on that column"):
        StreamingMultilabelScores(1)
    with pytest.raises(ValueError, match="`thresholds` must be finite and strictly"):
        StreamingMultilabelScores(3, thresholds=[0.0, 0.5, 0.5, 1.0])
    with pytest.raises(ValueError, match="`thresholds` must be a 1-D array"):
        StreamingMultilabelScores(3, thresholds=[0.5])
    with pytest.raises((TypeError, ValueError), match="`n_bins`"):
        StreamingMultilabelScores(3, n_bins=0)
    with pytest.raises(ValueError, match="`labels` must not repeat"):
        StreamingMultilabelScores(3, labels=[1, 1])
    with pytest.raises(ValueError, match="must be in \\[0, n labels\\)"):
        StreamingMultilabelScores(3, labels=[3])
    with pytest.raises(ValueError, match="`labels` must be column indices"):
        StreamingMultilabelScores(3, labels=["a"])
    with pytest.raises(ValueError, match="at least one label"):
        StreamingMultilabelScores(3, labels=[])


def test_update_errors_leave_the_state_unchanged():
    import array_api_strict
    import torch

    metric = StreamingMultilabelScores(3, n_bins=4)
    y = np.array([[1, 0, 1], [0, 1, 0]])
    s = np.array([[0.5, 0.25, 1.0], [0.0, 0.75, 0.5]])
    with pytest.raises(ValueError, match="`y_true` has 2 label columns"):
        metric.update(y[:, :2], s[:, :2])
    with pytest.raises(ValueError, match="`y_true` must hold only 0 and 1"):
        metric.update(y * 2, s)
    with pytest.raises(ValueError, match="`y_true` must be a multilabel indicator"):
        metric.update(np.array([0, 1]), s)
    with pytest.raises(ValueError, match="`y_score` must have the shape of the"):
        metric.update(y, s[:1])
    with pytest.raises(ValueError, match="`y_score` must have the shape of the"):
        metric.update(y, s[:, :2])
    with pytest.raises(TypeError, match="`y_score` must hold real numbers"):
        metric.update(y, np.array([["a", "b", "c"], ["a", "b", "c"]]))
    with pytest.raises(ValueError, match=r"outside \[0.0, 1.0\]"):
        metric.update(y, s + 0.5)
    with pytest.raises(ValueError, match="`y_score`"):
        metric.update(y, np.where(s == 1.0, np.nan, s))
    with pytest.raises(ValueError, match="`y_true` is empty"):
        metric.update(y[:0], s[:0])
    with pytest.raises(ValueError, match="`sample_weight`"):
        metric.update(y, s, sample_weight=[1.0])
    with pytest.raises(ValueError, match="`sample_weight`"):
        metric.update(y, s, sample_weight=[1.0, -1.0])
    assert metric.is_empty
    metric.update(torch.as_tensor(y), torch.as_tensor(s))
    with pytest.raises(ValueError, match="`y_score` is not where the metric"):
        metric.update(y, s)
    device1 = array_api_strict.Device("device1")
    on_device1 = StreamingMultilabelScores(3, n_bins=4).update(
        array_api_strict.asarray(y, device=device1),
        array_api_strict.asarray(s, device=device1),
    )
    with pytest.raises(ValueError, match="`y_score` is not where the metric"):
        on_device1.update(array_api_strict.asarray(y), array_api_strict.asarray(s))
    with pytest.raises(ValueError, match="`other` is not where the metric"):
        on_device1.merge(StreamingMultilabelScores(3, n_bins=4).update(y, s))
    np.testing.assert_array_equal(
        metric.histogram().numpy(),
        StreamingMultilabelScores(3, n_bins=4).update(y, s).histogram(),
    )


def test_dask_batches_are_refused_with_the_way_out():
    da = pytest.importorskip("dask.array")
    metric = StreamingMultilabelScores(2)
    y = da.from_array(np.array([[1, 0], [0, 1]]))
    with pytest.raises(NotImplementedError, match="compute\\(\\) `y_true`"):
        metric.update(y, y.astype(float))
    assert metric.is_empty


def test_score_errors():
    metric = StreamingMultilabelScores(3, n_bins=4, labels=[2, 0])
    y = np.array([[1, 0, 1], [0, 1, 1]])
    s = np.array([[0.5, 0.25, 1.0], [0.0, 0.75, 0.5]])
    metric.update(y, s, sample_weight=[0, 0])
    with pytest.raises(ValueError, match="`sample_weight` is zero for every sample"):
        metric.roc_auc_score()  # every weight so far is 0, as the functional says
    with pytest.raises(ValueError, match="`sample_weight` is zero for every sample"):
        bm.roc_auc_score(y, s, sample_weight=[0, 0])
    metric.update(y, s)
    for method in (metric.roc_auc_score, metric.average_precision_score):
        with pytest.raises(ValueError, match="average='samples' scores each sample"):
            method(average="samples")
        with pytest.raises(ValueError, match="`average` must be one of"):
            method(average="binary")
    with pytest.raises(ValueError, match="functional metric"):
        metric.compute(average="samples")
    with pytest.raises(ValueError, match="`max_fpr` must be in"):
        metric.roc_auc_score(max_fpr=0.0)
    with pytest.raises(ValueError, match=r"one of \[2, 0\]; got 1"):
        metric.roc_curve(1)
    with pytest.raises(ValueError, match="index of a scored column"):
        metric.precision_recall_curve(2.0)
    with pytest.raises(ValueError, match="index of a scored column"):
        metric.precision_recall_curve(True)


def test_merge_and_load_refuse_other_configurations():
    y, s = [[1, 0, 1]], [[1.0, 0.5, 0.0]]
    metric = StreamingMultilabelScores(3).update(y, s)
    for other in (
        StreamingMultilabelScores(3, labels=[0, 1]),
        StreamingMultilabelScores(4),
        StreamingMultilabelScores(3, n_bins=10),
        StreamingMultilabelScores(3, thresholds=[0.0, 0.5, 1.0]),
    ):
        with pytest.raises(ValueError, match="different configuration"):
            metric.merge(other)
        with pytest.raises(ValueError, match="with other arguments"):
            other.load_state_dict(metric.state_dict())
    with pytest.raises(TypeError, match="`other` must be a StreamingMultilabelScores"):
        metric.merge(StreamingScores())
    with pytest.raises(
        ValueError, match="was saved from a StreamingMultilabelConfusion"
    ):
        metric.load_state_dict(
            StreamingMultilabelConfusionMatrix(3).update(y, y).state_dict()
        )
    state = metric.state_dict()
    state["counts"] = state["counts"][:-1]
    with pytest.raises(ValueError, match=r"`state_dict\['counts'\]` has shape"):
        StreamingMultilabelScores(3).load_state_dict(state)
