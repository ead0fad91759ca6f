"""Confusion-matrix metrics and reports on Dask equal the NumPy path (issue 18 item 5).

Oracles: the same balancekit function on the computed NumPy data (values to 1e-12,
the same warnings and errors), and scikit-learn / imbalanced-learn where their names
are kept. The Dask path must count in one pass, send only the cells table to the
client, and not depend on the chunking or the scheduler.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
import dask  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn.metrics as skm  # noqa: E402
from dask.callbacks import Callback  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from balancekit import metrics  # noqa: E402
from balancekit._dask_route import DASK_ENTRY_POINTS  # noqa: E402
from balancekit.dask._metrics import cells_on_dask, count_on_dask  # noqa: E402

ROUTED = (
    "balanced_accuracy_score",
    "classification_report",
    "classification_report_imbalanced",
    "cohen_kappa_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "index_balanced_accuracy",
    "macro_averaged_mean_absolute_error",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
)


def _data(seed: int, n: int = 300, n_true: int = 3, n_pred: int = 4) -> tuple:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_true, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_pred, n))
    return y_true, y_pred, rng.random(n), rng.integers(0, 4, n)


def _chunks(n: int, seed: int) -> tuple[int, ...]:
    """A random row chunking of ``n`` (some chunks may be empty)."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, n + 1, rng.integers(0, 6)))
    return tuple(int(c) for c in np.diff(np.concatenate([[0], cuts, [n]])))


def _dask(values: Any, chunks: tuple[int, ...] | None) -> Any:
    if values is None:
        return None
    return da.from_array(np.asarray(values), chunks=(chunks,))


def _outcome(call: Callable[[], Any]) -> tuple[Any, list, Any]:
    """(result, warnings as (category, text), error as (type, text))."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = call(), None
        except (TypeError, ValueError) as exc:
            result, error = None, (type(exc), str(exc))
    return result, sorted((w.category.__name__, str(w.message)) for w in caught), error


def _assert_same(dask_result: Any, numpy_result: Any) -> None:
    if isinstance(numpy_result, tuple):
        assert isinstance(dask_result, tuple)
        assert len(dask_result) == len(numpy_result)
        for a, b in zip(dask_result, numpy_result, strict=True):
            _assert_same(a, b)
    elif isinstance(numpy_result, dict):
        assert list(dask_result) == list(numpy_result)
        for key, value in numpy_result.items():
            _assert_same(dask_result[key], value)
    elif isinstance(numpy_result, str):  # a report: its numbers to 1e-12
        got, expected = dask_result.split(), numpy_result.split()
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            try:
                np.testing.assert_allclose(float(a), float(b), rtol=1e-12)
            except ValueError:
                assert a == b
    elif numpy_result is None:
        assert dask_result is None
    else:
        assert type(dask_result) is type(numpy_result)
        assert np.asarray(dask_result).dtype == np.asarray(numpy_result).dtype
        np.testing.assert_allclose(dask_result, numpy_result, rtol=1e-12, atol=0)


def _compare(name: str, y_true: Any, y_pred: Any, weights: Any, chunks: Any, /, **kw):
    function = getattr(metrics, name)
    kw = dict(kw)
    if weights is not None:
        kw["sample_weight"] = weights
    expected = _outcome(lambda: function(y_true, y_pred, **kw))
    if weights is not None:
        kw["sample_weight"] = _dask(weights, chunks)
    got = _outcome(lambda: function(_dask(y_true, chunks), _dask(y_pred, chunks), **kw))
    assert got[1] == expected[1], name  # the same warnings
    assert got[2] == expected[2], name  # the same error
    _assert_same(got[0], expected[0])
    return got[0]


# --------------------------------------------------------------- parameter grids

_PRF = ("precision_recall_fscore_support", "f1_score", "precision_score")
_AVERAGES = (None, "binary", "micro", "macro", "weighted")


@pytest.mark.parametrize("name", [*_PRF, "recall_score", "sensitivity_score"])
@pytest.mark.parametrize("average", _AVERAGES)
@pytest.mark.parametrize("zero_division", ["warn", 1.0, np.nan])
@pytest.mark.parametrize("weights", [None, "float", "int"])
def test_set_wise_metrics_equal_numpy(
    synchronous, name, average, zero_division, weights
):
    y_true, y_pred, w_float, w_int = _data(len(name) + len(str(average)))
    sample_weight = {None: None, "float": w_float, "int": w_int}[weights]
    for labels in (None, [2, 0, 7]):
        _compare(
            name,
            y_true,
            y_pred,
            sample_weight,
            _chunks(300, 1),
            average=average,
            zero_division=zero_division,
            labels=labels,
        )
    binary_true, binary_pred = y_true % 2, y_pred % 2  # pos_label 1 and 0
    for pos_label in (0, 1, 5):
        _compare(
            name,
            binary_true,
            binary_pred,
            sample_weight,
            _chunks(300, 2),
            average=average,
            zero_division=zero_division,
            pos_label=pos_label,
        )


@pytest.mark.parametrize("weights", [None, "float", "int"])
def test_matrix_metrics_equal_numpy(synchronous, weights):
    y_true, y_pred, w_float, w_int = _data(7)
    sample_weight = {None: None, "float": w_float, "int": w_int}[weights]
    chunks = _chunks(300, 3)
    for normalize in (None, "true", "pred", "all"):
        for labels in (None, [3, 1], [9, 8]):
            _compare(
                "confusion_matrix",
                y_true,
                y_pred,
                sample_weight,
                chunks,
                normalize=normalize,
                labels=labels,
            )
    for adjusted in (False, True):
        _compare(
            "balanced_accuracy_score",
            y_true,
            y_pred,
            sample_weight,
            chunks,
            adjusted=adjusted,
        )
    _compare("matthews_corrcoef", y_true, y_pred, sample_weight, chunks)
    for kappa_weights in (None, "linear", "quadratic"):
        _compare(
            "cohen_kappa_score",
            y_true,
            y_pred,
            sample_weight,
            chunks,
            weights=kappa_weights,
            labels=[0, 1, 3],
        )
    _compare(
        "macro_averaged_mean_absolute_error", y_true, y_pred, sample_weight, chunks
    )
    for average in ("binary", "micro", "macro", "weighted", None):
        _compare(
            "geometric_mean_score",
            y_true % 2,
            y_pred % 2,
            sample_weight,
            chunks,
            average=average,
        )
        _compare(
            "sensitivity_specificity_support",
            y_true,
            y_pred,
            sample_weight,
            chunks,
            average=None if average == "binary" else average,
        )
    _compare("specificity_score", y_true % 2, y_pred % 2, sample_weight, chunks)
    _compare(
        "index_balanced_accuracy",
        y_true,
        y_pred,
        sample_weight,
        chunks,
        average="macro",
    )
    _compare(
        "fbeta_score",
        y_true,
        y_pred,
        sample_weight,
        chunks,
        beta=0.5,
        average="weighted",
    )


@pytest.mark.parametrize(
    "name", ["classification_report", "classification_report_imbalanced"]
)
@pytest.mark.parametrize("weights", [None, "float", "int"])
def test_reports_equal_numpy(synchronous, name, weights):
    y_true, y_pred, w_float, w_int = _data(11)
    sample_weight = {None: None, "float": w_float, "int": w_int}[weights]
    names = np.array(["ant", "bee", "cat", "dog"])
    text_true, text_pred = names[y_true], names[y_pred]
    chunks = _chunks(300, 4)
    for output_dict in (False, True):
        _compare(
            name,
            text_true,
            text_pred,
            sample_weight,
            chunks,
            output_dict=output_dict,
            digits=4,
        )
        _compare(
            name,
            y_true,
            y_pred,
            sample_weight,
            chunks,
            labels=[3, 0, 5],
            target_names=["c", "a", "x"],
            output_dict=output_dict,
        )


def test_labels_of_every_kind_equal_numpy(synchronous):
    y_true, y_pred, w_float, _ = _data(5)
    cases = [
        (y_true.astype(bool), y_pred.astype(bool)),  # bool labels stay bool
        (y_true.astype(np.int8) - 1, y_pred.astype(np.int8) - 1),  # negatives
        (y_true * 100_000, y_pred * 100_000),  # large values: the sorted path
        (y_true.astype(float), y_pred.astype(float)),  # whole floats
        (np.array(["a", "b", "c"])[y_true], np.array(["a", "b", "c", "d"])[y_pred]),
        (
            np.array(["a", "b", "c"], dtype=object)[y_true],
            np.array(["a", "b", "c", "d"], dtype=object)[y_pred],
        ),
        (y_true, y_pred.astype(float)),
    ]
    for true, pred in cases:
        for weights in (None, w_float):
            _compare(
                "classification_report",
                true,
                pred,
                weights,
                _chunks(300, 6),
                output_dict=True,
            )
            _compare("confusion_matrix", true, pred, weights, _chunks(300, 7))


def test_scikit_learn_and_imbalanced_learn_oracles(client):
    from imblearn.metrics import sensitivity_specificity_support as imblearn_sss

    y_true, y_pred, w_float, _ = _data(13, n=2000)
    d_true, d_pred = (
        da.from_array(y_true, chunks=256),
        da.from_array(y_pred, chunks=256),
    )
    d_weights = da.from_array(w_float, chunks=256)
    np.testing.assert_allclose(
        metrics.f1_score(d_true, d_pred, average="macro", sample_weight=d_weights),
        skm.f1_score(y_true, y_pred, average="macro", sample_weight=w_float),
        rtol=1e-12,
    )
    np.testing.assert_array_equal(
        metrics.confusion_matrix(d_true, d_pred), skm.confusion_matrix(y_true, y_pred)
    )
    np.testing.assert_allclose(
        metrics.cohen_kappa_score(d_true, d_pred, weights="quadratic"),
        skm.cohen_kappa_score(y_true, y_pred, weights="quadratic"),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        metrics.sensitivity_specificity_support(d_true, d_pred)[:2],
        imblearn_sss(y_true, y_pred)[:2],
        rtol=1e-12,
    )


# --------------------------------------------------------------- property tests


@settings(max_examples=40, deadline=None)
@given(
    labels=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=60
    ),
    chunk_seed=st.integers(0, 10_000),
    weighted=st.booleans(),
    text=st.booleans(),
)
def test_any_chunking_gives_the_numpy_result(labels, chunk_seed, weighted, text):
    y_true = np.array([t for t, _ in labels])
    y_pred = np.array([p for _, p in labels])
    if text:
        y_true, y_pred = (
            np.char.add("c", y_true.astype(str)),
            np.char.add("c", y_pred.astype(str)),
        )
    weights = np.linspace(0.5, 2.0, len(labels)) if weighted else None
    chunks = _chunks(len(labels), chunk_seed)
    with dask.config.set(scheduler="synchronous"):
        _compare("confusion_matrix", y_true, y_pred, weights, chunks)
        _compare(
            "precision_recall_fscore_support",
            y_true,
            y_pred,
            weights,
            chunks,
            zero_division=0.0,
        )
        _compare(
            "classification_report_imbalanced",
            y_true,
            y_pred,
            weights,
            chunks,
            output_dict=True,
            zero_division=1.0,
        )
        _compare("matthews_corrcoef", y_true, y_pred, weights, chunks)


def test_layouts_and_schedulers_give_identical_results(client):
    y_true, y_pred, _, w_int = _data(17, n=4000)
    results = []
    for n_chunks in (2, 4, 8):  # 1, 2 and 4 partitions per worker
        chunks = _chunks(4000, 0) if n_chunks == 8 else 4000 // n_chunks
        d = [da.from_array(a, chunks=chunks) for a in (y_true, y_pred, w_int)]
        results.append(metrics.classification_report(d[0], d[1], sample_weight=d[2]))
        with dask.config.set(scheduler="synchronous"):
            results.append(
                metrics.classification_report(d[0], d[1], sample_weight=d[2])
            )
    assert all(r == results[0] for r in results)
    assert results[0] == metrics.classification_report(
        y_true, y_pred, sample_weight=w_int
    )


# --------------------------------------------------------------- Dask behaviour


def test_dataframe_columns_with_strings(client):
    y_true, y_pred, w_float, _ = _data(19, n=1000)
    names = np.array(["neg", "pos", "mid", "odd"])
    frame = pd.DataFrame(
        {"y": names[y_true], "pred": names[y_pred], "w": w_float}
    ).astype({"y": "string", "pred": "string"})
    ddf = dd.from_pandas(frame, npartitions=5)
    got = metrics.classification_report(ddf["y"], ddf["pred"], sample_weight=ddf["w"])
    _assert_same(
        got,
        metrics.classification_report(
            frame["y"], frame["pred"], sample_weight=frame["w"]
        ),
    )
    binary = ddf["y"] == "pos", ddf["pred"] == "pos"
    np.testing.assert_allclose(
        metrics.f1_score(*binary, pos_label=True, sample_weight=ddf["w"]),
        skm.f1_score(
            frame["y"] == "pos", frame["pred"] == "pos", sample_weight=w_float
        ),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        metrics.geometric_mean_score(ddf["y"], ddf["pred"], average="weighted"),
        metrics.geometric_mean_score(frame["y"], frame["pred"], average="weighted"),
        rtol=1e-12,
    )


def test_one_pass_and_only_the_cells_reach_the_client(synchronous):
    y_true, y_pred, w_float, _ = _data(23, n=5000, n_true=5, n_pred=5)
    reads: dict[str, int] = {}

    def tapped(values: np.ndarray, name: str) -> Any:
        def tap(block: np.ndarray) -> np.ndarray:
            reads[name] = reads.get(name, 0) + 1
            return block

        source = da.from_array(values, chunks=250)  # 20 partitions
        return source.map_blocks(tap, dtype=values.dtype, meta=values[:0])

    d_true, d_pred = tapped(y_true, "y_true"), tapped(y_pred, "y_pred")
    d_weights = tapped(w_float, "sample_weight")
    executed: list = []

    class Record(Callback):
        def _pretask(self, key, dsk, state):
            executed.append(key)

    with Record():
        report = metrics.classification_report(d_true, d_pred, sample_weight=d_weights)
    _assert_same(
        report, metrics.classification_report(y_true, y_pred, sample_weight=w_float)
    )
    # one pass: each partition of each input computed once
    assert reads == {"y_true": 20, "y_pred": 20, "sample_weight": 20}
    names = [k[0] if isinstance(k, tuple) else k for k in executed]
    assert sum(n.startswith("balancekit-confusion-cells") for n in names) == 20
    # the root of the reduction is all the client gets: at most n_labels**2 cells
    (cells,) = dask.compute(cells_on_dask(d_true, d_pred, d_weights))
    assert len(cells.counts) <= 25
    assert int(cells.counts.sum()) == 5000
    counts = count_on_dask(d_true, d_pred)
    assert counts.true_counts.tolist() == np.bincount(y_true).tolist()
    assert counts.pred_counts.tolist() == np.bincount(y_pred).tolist()


def test_tasks_run_on_the_workers(client):
    y_true, y_pred, _, _ = _data(29, n=2000)
    d_true = da.from_array(y_true, chunks=100)
    d_pred = da.from_array(y_pred, chunks=100)
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        value = metrics.balanced_accuracy_score(d_true, d_pred)
    assert value == metrics.balanced_accuracy_score(y_true, y_pred)
    names = [t["key"] for t in stream.data]
    cells = [k for k in names if "balancekit-confusion-cells" in str(k)]
    merges = [k for k in names if "balancekit-confusion-merge" in str(k)]
    assert len(cells) == 20
    assert len(merges) == 4
    assert {t["worker"] for t in stream.data} <= set(client.scheduler_info()["workers"])


def test_unknown_chunk_sizes_are_matched_per_partition(synchronous):
    y_true, y_pred, *_ = _data(31)
    d_true, d_pred = da.from_array(y_true, chunks=64), da.from_array(y_pred, chunks=64)
    mask = d_true != 1
    keep = y_true != 1
    assert np.isnan(d_true[mask].chunks[0][0])
    np.testing.assert_allclose(
        metrics.f1_score(d_true[mask], d_pred[mask], average="macro"),
        metrics.f1_score(y_true[keep], y_pred[keep], average="macro"),
        rtol=1e-12,
    )
    with pytest.raises(
        ValueError,
        match=r"Partition 4 of `y_pred` has 29 rows but partition 4 of `y_true` has 27",
    ):
        metrics.f1_score(d_true[mask], d_pred[d_pred != 1], average="macro")


# --------------------------------------------------------------- bad input


def test_bad_input_is_named(synchronous):
    y_true, y_pred, *_ = _data(37)
    d_true, d_pred = (
        da.from_array(y_true, chunks=100),
        da.from_array(y_pred, chunks=100),
    )
    with pytest.raises(
        TypeError, match=r"`y_pred` is a numpy.ndarray but `y_true` is a Dask"
    ):
        metrics.f1_score(d_true, y_pred)
    with pytest.raises(
        TypeError, match=r"`sample_weight` is a list but `y_true` is a Dask"
    ):
        metrics.confusion_matrix(d_true, d_pred, sample_weight=[1.0] * 300)
    with pytest.raises(ValueError, match=r"3 row partitions but `y_pred` has 4.*"):
        metrics.f1_score(d_true, d_pred.rechunk(75), average="macro")
    with pytest.raises(ValueError, match=r"different row chunks .* rechunk it like"):
        metrics.f1_score(d_true, _dask(y_pred, (50, 150, 100)), average="macro")
    with pytest.raises(ValueError, match="different lengths"):
        metrics.f1_score(d_true, d_pred[:200], average="macro")
    with pytest.raises(ValueError, match="`y_true`"):
        metrics.f1_score(da.stack([d_true, d_true], axis=1), d_pred, average="macro")
    with pytest.raises(TypeError, match="complex"):
        metrics.f1_score(d_true.astype(complex), d_pred, average="macro")
    with pytest.raises(
        TypeError, match="`sample_weight` has dtype <U21; sample weights must be real"
    ):
        metrics.f1_score(d_true, d_pred, sample_weight=d_true.astype(str))
    with pytest.raises(ValueError, match="negative"):
        metrics.f1_score(d_true, d_pred, sample_weight=-da.ones(300, chunks=100))
    with pytest.raises(ValueError, match="at least one non-zero"):
        metrics.f1_score(
            d_true, d_pred, sample_weight=da.zeros(300, chunks=100), average="macro"
        )
    with pytest.raises(ValueError, match="`y_true` is empty"):
        metrics.f1_score(d_true[:0], d_pred[:0])
    frame = dd.from_pandas(pd.DataFrame({"a": y_true, "b": y_pred}), npartitions=2)
    with pytest.raises(ValueError, match="2 columns"):
        metrics.f1_score(frame, frame["a"])
    with pytest.raises(ValueError, match="Mix of label input types"):
        metrics.f1_score(d_true.astype(str), d_pred, average="macro")
    with pytest.raises(ValueError, match="continuous"):
        metrics.f1_score(d_true + 0.5, d_pred, average="macro")


def test_routes_are_registered_and_import_stays_light():
    assert set(ROUTED) <= DASK_ENTRY_POINTS
    code = "import sys, balancekit.metrics\nprint('dask' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------- ranking metrics


def _scored(seed: int, n: int, decimals: int) -> tuple:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    y_score = np.round(rng.random(n) + 0.4 * y_true, decimals)  # ties when rounded
    return y_true, y_score, rng.random(n)


@pytest.mark.parametrize("decimals", [1, 3, 12])
@pytest.mark.parametrize("weighted", [False, True])
def test_roc_auc_and_average_precision_equal_numpy(synchronous, decimals, weighted):
    y_true, y_score, weights = _scored(decimals, 2000, decimals)
    w = weights if weighted else None
    for seed in (1, 2):
        chunks = _chunks(2000, seed)
        _compare("roc_auc_score", y_true, y_score, w, chunks)
        _compare("average_precision_score", y_true, y_score, w, chunks)
        labels = np.array(["no", "yes"])[y_true]
        _compare("average_precision_score", labels, y_score, w, chunks, pos_label="no")
        _compare("roc_auc_score", labels, y_score.astype(np.float32), w, chunks)
    np.testing.assert_allclose(
        metrics.roc_auc_score(_dask(y_true, (2000,)), _dask(y_score, (2000,))),
        skm.roc_auc_score(y_true, y_score),
        rtol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(st.tuples(st.booleans(), st.integers(0, 6)), min_size=1, max_size=50),
    chunk_seed=st.integers(0, 10_000),
    weighted=st.booleans(),
)
def test_ranking_any_chunking_gives_the_numpy_result(rows, chunk_seed, weighted):
    y_true = np.array([t for t, _ in rows])
    y_score = np.array([s for _, s in rows]) / 4  # integer-like: many ties
    weights = np.linspace(0.25, 3.0, len(rows)) if weighted else None
    chunks = _chunks(len(rows), chunk_seed)
    with dask.config.set(scheduler="synchronous"):
        _compare("roc_auc_score", y_true, y_score, weights, chunks)
        _compare("average_precision_score", y_true, y_score, weights, chunks)


def test_ranking_runs_on_the_cluster_by_ranges(client):
    from distributed import get_task_stream

    y_true, y_score, weights = _scored(41, 20_000, 6)
    d = [da.from_array(a, chunks=1000) for a in (y_true, y_score, weights)]
    with get_task_stream(client) as stream:
        auc = metrics.roc_auc_score(d[0], d[1], sample_weight=d[2])
    np.testing.assert_allclose(
        auc, skm.roc_auc_score(y_true, y_score, sample_weight=weights), rtol=1e-12
    )
    keys = [str(t["key"]) for t in stream.data]
    assert sum("balancekit-score-runs" in k for k in keys) == 20
    assert sum("balancekit-score-range-" in k for k in keys) == 20
    np.testing.assert_allclose(
        metrics.average_precision_score(d[0], d[1]),
        skm.average_precision_score(y_true, y_score),
        rtol=1e-12,
    )


def test_ranking_edge_cases_and_refusals(synchronous):
    y_true, y_score, _ = _scored(43, 300, 2)
    chunks = _chunks(300, 5)
    _compare("roc_auc_score", np.zeros(300, dtype=int), y_score, None, chunks)
    _compare("average_precision_score", np.zeros(300, dtype=int), y_score, None, chunks)
    _compare("average_precision_score", y_true + 3, y_score, None, chunks)  # no 1
    _compare("average_precision_score", y_true, y_score, None, chunks, pos_label=7)
    multiclass = y_true + (y_score > 0.5)
    _compare("roc_auc_score", multiclass, y_score, None, chunks)  # multi_class
    _compare("roc_auc_score", multiclass, y_score, None, chunks, multi_class="ovr")
    _compare("average_precision_score", multiclass, y_score, None, chunks)
    d_true, d_score = _dask(y_true, chunks), _dask(y_score, chunks)
    with pytest.raises(ValueError, match="`max_fpr` must be in"):
        metrics.roc_auc_score(d_true, d_score, max_fpr=1.5)
    two = np.stack([1 - y_score, y_score], axis=1)
    for name in ("roc_auc_score", "average_precision_score", "roc_curve"):
        expected = _outcome(lambda name=name: getattr(metrics, name)(y_true, two))
        got = _outcome(
            lambda name=name: getattr(metrics, name)(
                d_true, da.from_array(two, chunks=(chunks, 1))
            )
        )
        assert got[2] == expected[2]  # binary labels, two columns: the same error
    with pytest.raises(ValueError, match="NaN or infinity"):
        metrics.roc_auc_score(d_true, d_score / (d_score - d_score))
    with pytest.raises(TypeError, match=r"`y_score` is a numpy\.ndarray but"):
        metrics.average_precision_score(d_true, y_score)


def _weights_of(kind: str | None, n: int, seed: int) -> Any:
    """None, dyadic weights (sums exact in any order, so the curves' collinearity
    tests are decided alike), or real weights (sums to round-off)."""
    rng = np.random.default_rng(seed)
    if kind is None:
        return None
    if kind == "dyadic":
        return rng.integers(0, 9, n) / 4  # zeros too: dropped thresholds
    return rng.random(n)


_CURVE_LABELS = {
    "01": (lambda y: y, {}),
    "pm1": (lambda y: 2 * y - 1, {}),
    "bool": (lambda y: y.astype(bool), {}),
    "text": (lambda y: np.array(["no", "yes"])[y], {"pos_label": "no"}),
    "text-no-pos": (lambda y: np.array(["no", "yes"])[y], {}),  # the same error
    "multiclass": (lambda y: y + (np.arange(y.shape[0]) % 3 == 0), {"pos_label": 1}),
}


def _compare_ovr(name: str, y_true: Any, y_score: Any, weights: Any, chunks: Any, **kw):
    function = getattr(metrics, name)
    expected = _outcome(lambda: function(y_true, y_score, sample_weight=weights, **kw))
    d_w = None if weights is None else _dask(weights, chunks)
    d_score = da.from_array(y_score, chunks=(chunks, 2))  # the columns chunked too
    got = _outcome(
        lambda: function(_dask(y_true, chunks), d_score, sample_weight=d_w, **kw)
    )
    assert got[1:] == expected[1:], name
    _assert_same(got[0], expected[0])


@pytest.mark.parametrize("weights", [None, "real"])
@pytest.mark.parametrize("average", ["macro", "weighted", None])
def test_one_vs_rest_equals_numpy(synchronous, weights, average):
    rng = np.random.default_rng(89)
    y_true = rng.integers(0, 4, 800)
    proba = np.round(rng.dirichlet(np.ones(4), 800), 2)
    proba[:, 3] = 1 - proba[:, :3].sum(axis=1)  # rows sum to 1, ties in columns
    w = _weights_of(weights, 800, 89)
    chunks = _chunks(800, 10)
    kw = {"average": average}
    _compare_ovr("roc_auc_score", y_true, proba, w, chunks, multi_class="ovr", **kw)
    _compare_ovr("average_precision_score", y_true, proba, w, chunks, **kw)
    names = np.array(["a", "b", "c", "d"])
    _compare_ovr("average_precision_score", names[y_true], proba, w, chunks, **kw)
    three = np.where(y_true == 3, 0, y_true)  # a column with no positive sample
    _compare_ovr(
        "roc_auc_score",
        three,
        proba,
        w,
        chunks,
        multi_class="ovr",
        labels=[0, 1, 2, 5],
        **kw,
    )
    _compare_ovr("average_precision_score", three, proba, w, chunks, **kw)
    _compare_ovr("roc_auc_score", three, proba, w, chunks, multi_class="ovr")
    _compare_ovr("roc_auc_score", y_true, proba * 2, w, chunks, multi_class="ovr")
    _compare_ovr("average_precision_score", y_true, proba, w, chunks, pos_label=2)
    _compare_ovr("roc_auc_score", y_true, proba, w, chunks, max_fpr=0.5)


def test_one_vs_rest_equals_scikit_learn(client):
    rng = np.random.default_rng(97)
    y_true = rng.integers(0, 3, 3000)
    proba = rng.dirichlet(np.ones(3), 3000)
    weights = rng.random(3000)
    d = [da.from_array(a, chunks=400) for a in (y_true, proba, weights)]
    for average in ("macro", "weighted"):
        np.testing.assert_allclose(
            metrics.roc_auc_score(
                d[0], d[1], multi_class="ovr", average=average, sample_weight=d[2]
            ),
            skm.roc_auc_score(
                y_true,
                proba,
                multi_class="ovr",
                average=average,
                sample_weight=weights,
            ),
            rtol=1e-12,
        )
    np.testing.assert_allclose(
        metrics.average_precision_score(d[0], d[1], average=None),
        skm.average_precision_score(np.eye(3)[y_true], proba, average=None),
        rtol=1e-12,
    )


@pytest.mark.parametrize("decimals", [1, 3, 12])
@pytest.mark.parametrize("weights", [None, "dyadic", "real"])
@pytest.mark.parametrize("labels", sorted(_CURVE_LABELS))
def test_curves_equal_numpy(synchronous, decimals, weights, labels):
    y_true, y_score, _ = _scored(decimals, 1500, decimals)
    encode, kw = _CURVE_LABELS[labels]
    w = _weights_of(weights, 1500, decimals)
    chunks = _chunks(1500, decimals + len(labels))
    for drop in (False, True):
        if weights == "real" and drop:
            continue  # collinearity of float sums: decided at round-off
        for name in ("roc_curve", "precision_recall_curve"):
            kw_drop = {**kw, "drop_intermediate": drop}
            _compare(name, encode(y_true), y_score, w, chunks, **kw_drop)
    _compare("roc_curve", encode(y_true), y_score.astype(np.float32), w, chunks, **kw)


@pytest.mark.parametrize("weights", [None, "dyadic"])
def test_best_threshold_equals_numpy(synchronous, weights):
    y_true, y_score, _ = _scored(61, 1200, 2)
    w = _weights_of(weights, 1200, 61)
    chunks = _chunks(1200, 8)
    constraints = [None, ("recall", 0.8), ("specificity", 0.95), ("precision", 2.0)]
    for metric in metrics.THRESHOLD_METRICS:
        for constraint in constraints:
            _compare(
                "best_threshold",
                y_true,
                y_score,
                w,
                chunks,
                metric=metric,
                constraint=constraint,
                beta=0.5,
            )
    labels = np.array(["neg", "pos"])[y_true]
    _compare("best_threshold", labels, y_score, w, chunks, pos_label="neg")
    _compare("best_threshold", labels, y_score, w, chunks)  # needs pos_label
    _compare("best_threshold", np.ones(1200, dtype=int), y_score, w, chunks)
    _compare("best_threshold", y_true, y_score, w, chunks, metric="f2")
    _compare("best_threshold", y_true, y_score, w, chunks, constraint=("recall",))


@pytest.mark.parametrize("weights", [None, "real"])
def test_brier_score_loss_equals_numpy(synchronous, weights):
    rng = np.random.default_rng(67)
    y_true, proba = rng.integers(0, 2, 900), rng.random(900)
    w = _weights_of(weights, 900, 67)
    chunks = _chunks(900, 9)
    names = np.array(["ham", "spam"])
    for scale in ("auto", True, False):
        _compare("brier_score_loss", y_true, proba, w, chunks, scale_by_half=scale)
        _compare("brier_score_loss", names[y_true], proba, w, chunks, pos_label="ham")
    _compare("brier_score_loss", names[y_true], proba, w, chunks)  # needs pos_label
    _compare("brier_score_loss", y_true + 5, proba, w, chunks)  # the greater label
    _compare("brier_score_loss", y_true, proba * 2, w, chunks)  # not in [0, 1]
    _compare("brier_score_loss", y_true + (proba > 0.9), proba, w, chunks)  # 3 classes
    _compare("brier_score_loss", y_true, proba, w, chunks, scale_by_half="x")
    y3 = rng.integers(0, 3, 900)
    proba3 = rng.dirichlet(np.ones(4), 900)[:, :3]  # rows do not sum to 1: warns
    d_true, d_proba = _dask(y3, chunks), da.from_array(proba3, chunks=(chunks, 1))
    d_w = None if w is None else _dask(w, chunks)
    for labels in (None, [0, 1, 2], [0, 1, 7], [0, 1]):
        expected = _outcome(
            lambda labels=labels: metrics.brier_score_loss(
                y3, proba3, sample_weight=w, labels=labels
            )
        )
        got = _outcome(
            lambda labels=labels: metrics.brier_score_loss(
                d_true, d_proba, sample_weight=d_w, labels=labels
            )
        )
        assert got[1:] == expected[1:]
        _assert_same(got[0], expected[0])
    zero = da.zeros(900, chunks=(chunks,))
    with pytest.raises(ValueError, match="`sample_weight` sums to zero"):
        metrics.brier_score_loss(
            _dask(y_true, chunks), _dask(proba, chunks), sample_weight=zero
        )


def test_curves_and_brier_equal_scikit_learn(client):
    y_true, y_score, weights = _scored(71, 5000, 3)
    y_score = y_score / 1.4
    d = [da.from_array(a, chunks=512) for a in (y_true, y_score, weights)]
    for got, expected in [
        (
            metrics.roc_curve(d[0], d[1], sample_weight=d[2]),
            skm.roc_curve(y_true, y_score, sample_weight=weights),
        ),
        (
            metrics.roc_curve(d[0], d[1], drop_intermediate=False),
            skm.roc_curve(y_true, y_score, drop_intermediate=False),
        ),
        (
            metrics.precision_recall_curve(d[0], d[1], sample_weight=d[2]),
            skm.precision_recall_curve(y_true, y_score, sample_weight=weights),
        ),
    ]:
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(
        metrics.brier_score_loss(d[0], d[1], sample_weight=d[2]),
        skm.brier_score_loss(y_true, y_score, sample_weight=weights),
        rtol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(st.tuples(st.booleans(), st.integers(0, 6)), min_size=1, max_size=50),
    chunk_seed=st.integers(0, 10_000),
    weighted=st.booleans(),
    metric=st.sampled_from(["f1", "mcc", "youden", "precision"]),
)
def test_curves_any_chunking_give_the_numpy_result(rows, chunk_seed, weighted, metric):
    y_true = np.array([t for t, _ in rows]).astype(int)
    y_score = np.array([s for _, s in rows]) / 4  # many ties
    weights = (np.arange(len(rows)) % 5) / 2 if weighted else None  # zeros too
    chunks = _chunks(len(rows), chunk_seed)
    with dask.config.set(scheduler="synchronous"):
        for name in ("roc_curve", "precision_recall_curve"):
            for drop in (False, True):
                _compare(name, y_true, y_score, weights, chunks, drop_intermediate=drop)
        _compare("best_threshold", y_true, y_score, weights, chunks, metric=metric)


def test_curves_run_by_ranges_and_gather_only_the_curve(client):
    from distributed import get_task_stream

    y_true, y_score, weights = _scored(73, 20_000, 3)  # ~1400 distinct scores
    d = [da.from_array(a, chunks=1000) for a in (y_true, y_score, weights)]
    with get_task_stream(client) as stream:
        fpr, _, thresholds = metrics.roc_curve(d[0], d[1], drop_intermediate=False)
        best = metrics.best_threshold(d[0], d[1], metric="youden", sample_weight=d[2])
    assert thresholds.shape[0] == np.unique(y_score).shape[0] + 1
    np.testing.assert_allclose(
        fpr, skm.roc_curve(y_true, y_score, drop_intermediate=False)[0], rtol=1e-12
    )
    _assert_same(
        best,
        metrics.best_threshold(y_true, y_score, metric="youden", sample_weight=weights),
    )
    keys = [str(t["key"]) for t in stream.data]
    # per call: one runs task per partition, one range and one scoring task per
    # range (20 partitions: 20 ranges); the client gets the curve or one best
    assert sum("balancekit-score-runs" in k for k in keys) == 40
    assert sum("balancekit-score-points" in k for k in keys) == 20
    assert sum("balancekit-score-best" in k for k in keys) == 20
    assert sum("balancekit-score-curve" in k for k in keys) == 1
    assert sum("balancekit-score-pick" in k for k in keys) == 1


def test_curves_read_the_scores_once(synchronous):
    y_true, y_score, _ = _scored(79, 4000, 2)
    reads: dict[str, int] = {}

    def tapped(values: np.ndarray, name: str) -> Any:
        def tap(block: np.ndarray) -> np.ndarray:
            reads[name] = reads.get(name, 0) + 1
            return block

        source = da.from_array(values, chunks=400)  # 10 partitions
        return source.map_blocks(tap, dtype=values.dtype, meta=values[:0])

    curve = metrics.precision_recall_curve(
        tapped(y_true, "y_true"), tapped(y_score, "y_score")
    )
    _assert_same(curve, metrics.precision_recall_curve(y_true, y_score))
    # the labels' counting pass, then the range graph: the scores once
    assert reads == {"y_true": 20, "y_score": 10}


def test_score_metrics_of_dataframes_and_unknown_chunks(synchronous):
    rng = np.random.default_rng(101)
    y_true, proba = rng.integers(0, 3, 600), rng.dirichlet(np.ones(3), 600)
    frame = pd.DataFrame(proba, columns=["p0", "p1", "p2"]).assign(y=y_true)
    ddf = dd.from_pandas(frame, npartitions=4)
    columns = ["p0", "p1", "p2"]
    for name, kw in [
        ("roc_auc_score", {"multi_class": "ovr", "average": None}),
        ("average_precision_score", {"average": "weighted"}),
        ("brier_score_loss", {}),
    ]:
        function = getattr(metrics, name)
        _assert_same(
            function(ddf["y"], ddf[columns], **kw), function(y_true, proba, **kw)
        )
    keep = y_true != 2
    d_true = da.from_array(y_true, chunks=100)
    d_score = da.from_array(proba[:, 1], chunks=100)
    mask = d_true != 2
    assert np.isnan(d_true[mask].chunks[0][0])
    for name in ("roc_curve", "precision_recall_curve", "best_threshold"):
        _assert_same(
            getattr(metrics, name)(d_true[mask], d_score[mask]),
            getattr(metrics, name)(y_true[keep], proba[keep, 1]),
        )
    _assert_same(
        metrics.roc_curve(ddf["y"], ddf["p1"], pos_label=1),
        metrics.roc_curve(y_true, proba[:, 1], pos_label=1),
    )


def test_curve_refusals_and_bad_input(synchronous):
    y_true, y_score, _ = _scored(83, 100, 2)
    d_true, d_score = _dask(y_true, (50, 50)), _dask(y_score, (50, 50))
    with pytest.raises(TypeError, match=r"`y_score` is a numpy.ndarray but"):
        metrics.roc_curve(d_true, y_score)
    with pytest.raises(TypeError, match=r"`y_true` is a numpy.ndarray but `y_proba`"):
        metrics.brier_score_loss(y_true, d_score)
    with pytest.raises(ValueError, match=r"shape \(n_samples,\) for binary"):
        metrics.precision_recall_curve(d_true, da.stack([d_score] * 3, axis=1))
    with pytest.raises(ValueError, match=r"shape \(n_samples,\); got shape \(100, 3"):
        metrics.best_threshold(d_true, da.stack([d_score] * 3, axis=1))
    with pytest.raises(TypeError, match="`y_score` has dtype <U32; scores must be"):
        metrics.best_threshold(d_true, d_score.astype(str))
    with pytest.raises(ValueError, match="NaN or infinity"):
        metrics.roc_curve(d_true, d_score / (d_score - d_score))
    with pytest.raises(ValueError, match=r"`sample_weight` is zero for every sample"):
        metrics.roc_curve(d_true, d_score, sample_weight=da.zeros(100, chunks=50))
    with pytest.raises(ValueError, match="different lengths"):
        metrics.best_threshold(d_true, d_score[:60])
    assert {
        "roc_curve",
        "precision_recall_curve",
        "best_threshold",
        "brier_score_loss",
    } <= DASK_ENTRY_POINTS


# --------------------------------------------------------------- streaming metrics


def test_streaming_confusion_matrix_updates_from_dask(client):
    y_true, y_pred, w_float, _ = _data(53, n=3000)
    parts = [da.from_array(a[1000:], chunks=300) for a in (y_true, y_pred, w_float)]
    labels = [3, 0, 1, 2, 9]
    metric = metrics.StreamingConfusionMatrix(labels)
    metric.update(y_true[:1000], y_pred[:1000], w_float[:1000])  # NumPy, then Dask
    metric.update(*parts)
    expected = metrics.StreamingConfusionMatrix(labels).update(y_true, y_pred, w_float)
    np.testing.assert_allclose(metric.compute(), expected.compute(), rtol=1e-12)
    _assert_same(metric.report(output_dict=True), expected.report(output_dict=True))
    unweighted = metrics.StreamingConfusionMatrix(labels).update(*parts[:2])
    np.testing.assert_array_equal(
        unweighted.compute(),
        metrics.confusion_matrix(y_true[1000:], y_pred[1000:], labels=labels),
    )
    with pytest.raises(ValueError, match="not in `labels`"):
        metrics.StreamingConfusionMatrix([0, 1]).update(*parts[:2])


def test_streaming_scores_merge_partitions(client):
    y_true, y_score, weights = _scored(59, 4000, 2)
    y_score = y_score / 1.4  # within [0, 1]
    d = [da.from_array(a, chunks=500) for a in (y_true, y_score, weights)]
    metric = metrics.StreamingScores(n_bins=200).update(d[0], d[1], d[2])
    expected = metrics.StreamingScores(n_bins=200).update(y_true, y_score, weights)
    np.testing.assert_allclose(metric.histogram(), expected.histogram(), rtol=1e-12)
    np.testing.assert_allclose(
        metric.compute_roc_auc(), expected.compute_roc_auc(), rtol=1e-12
    )
    assert (
        abs(
            metric.compute_roc_auc()
            - skm.roc_auc_score(y_true, y_score, sample_weight=weights)
        )
        <= metric.roc_auc_error_bound() + 1e-12
    )
    with dask.config.set(scheduler="synchronous"):
        series = dd.from_pandas(pd.Series(y_true), npartitions=3)
        frame_scores = dd.from_pandas(pd.Series(y_score), npartitions=3)
        from_frames = metrics.StreamingScores(n_bins=200).update(series, frame_scores)
    np.testing.assert_array_equal(
        from_frames.histogram(),
        metrics.StreamingScores(n_bins=200).update(y_true, y_score).histogram(),
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    max_fpr=st.sampled_from([0.01, 0.1, 0.25, 0.5, 0.8, 1.0, 1]),
    tied=st.booleans(),
    weighted=st.booleans(),
)
def test_partial_auc_equals_numpy(seed, max_fpr, tied, weighted):
    """The McClish-standardised partial AUC, cut inside a run of tied scores or
    between runs, equals the NumPy path's to 1e-12."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    y_true = rng.integers(0, 2, n)
    y_score = rng.random(n) + 0.3 * y_true
    if tied:
        y_score = np.round(y_score * 4) / 4  # few distinct scores, long runs
    weights = rng.random(n) * 3 if weighted else None
    with dask.config.set(scheduler="synchronous"):
        _compare(
            "roc_auc_score", y_true, y_score, weights, _chunks(n, seed), max_fpr=max_fpr
        )


def test_partial_auc_on_a_cluster(client):
    rng = np.random.default_rng(3)
    y_true = (rng.random(20_000) < 0.05).astype(int)
    y_score = rng.normal(size=20_000) + y_true
    got = metrics.roc_auc_score(
        _dask(y_true, (5000,) * 4), _dask(y_score, (5000,) * 4), max_fpr=0.1
    )
    expected = metrics.roc_auc_score(y_true, y_score, max_fpr=0.1)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    oracle = skm.roc_auc_score(y_true, y_score, max_fpr=0.1)
    np.testing.assert_allclose(got, oracle, rtol=1e-12, atol=0)
