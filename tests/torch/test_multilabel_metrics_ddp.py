"""Real multi-process reduction of the streaming multilabel confusion matrix: 2 gloo
ranks each update it with half of the data; after ``all_reduce_`` every rank scores
all the data, as the functional metrics do on the whole of it."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.multiprocessing as mp  # noqa: E402

import balancekit.metrics as bm  # noqa: E402
from balancekit.metrics import (  # noqa: E402
    StreamingMultilabelConfusionMatrix,
)
from balancekit.torch import all_reduce_  # noqa: E402
from tests.torch._multilabel_metrics_ddp_worker import (  # noqa: E402
    LABELS,
    data,
    reduce_metrics,
)


def _run(rank, world_size, store, out_dir):
    reduce_metrics(rank, world_size, store, out_dir)


def _expected(y_true, y_pred, weight, labels):
    kw = {"sample_weight": weight, "labels": labels}
    return {
        "matrices": bm.multilabel_confusion_matrix(y_true, y_pred, **kw),
        "f1_samples": bm.f1_score(
            y_true, y_pred, average="samples", zero_division=0.0, **kw
        ),
        "jaccard_macro": bm.jaccard_score(y_true, y_pred, average="macro", **kw),
        "hamming": bm.hamming_loss(y_true, y_pred, sample_weight=weight),
        "report": bm.classification_report(
            y_true, y_pred, output_dict=True, zero_division=0.0, **kw
        ),
    }


def _assert_equal(got, expected):
    np.testing.assert_allclose(got["matrices"], expected["matrices"], rtol=1e-12)
    assert got["matrices"].dtype == expected["matrices"].dtype
    for key in ("f1_samples", "jaccard_macro", "hamming"):
        assert got[key] == pytest.approx(float(expected[key]), rel=1e-12), key
    report, expected_report = got["report"], expected["report"]
    assert list(report) == list(expected_report)
    for key, value in expected_report.items():
        assert report[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


@pytest.mark.slow
def test_gloo_ranks_reduce_to_the_whole_data(tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    world_size = 2
    mp.spawn(
        _run,
        args=(world_size, str(tmp_path / "store"), str(tmp_path)),
        nprocs=world_size,
        join=True,
    )
    d = data()
    # rank 0 (every other sample from 0) was weighted, rank 1 was not
    weight = np.ones(d["y_true"].shape[0])
    weight[0::2] = d["weight"][0::2]
    expected = {
        "numpy": _expected(d["y_true"], d["y_pred"], weight, LABELS),
        "torch": _expected(d["y_true"], d["y_pred"], None, None),
        "idle": _expected(d["y_true"], d["y_pred"], None, None),
    }
    for rank in range(world_size):
        with open(tmp_path / f"multilabel-metrics-{rank}.pkl", "rb") as file:
            got = pickle.load(file)
        for kind, values in expected.items():
            _assert_equal(got[kind], values)


def test_without_process_group_is_a_no_op():
    metric = StreamingMultilabelConfusionMatrix(2).update([[0, 1]], [[1, 1]])
    before = metric.compute()
    assert all_reduce_(metric) is metric
    np.testing.assert_array_equal(metric.compute(), before)
