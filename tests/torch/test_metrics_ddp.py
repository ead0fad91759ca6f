"""Real multi-process reduction: 2 gloo ranks each update stateful metrics with half
of the data; after ``all_reduce_`` every rank computes the metric of all the data."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import sklearn.metrics as skm  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402

import balancekit.metrics as bm  # noqa: E402
from balancekit.metrics import StreamingConfusionMatrix  # noqa: E402
from balancekit.torch.metrics import all_reduce_  # noqa: E402
from tests.torch._metrics_ddp_worker import LABELS, data, reduce_metrics  # noqa: E402


def _run(rank, world_size, store, out_dir):
    reduce_metrics(rank, world_size, store, out_dir)


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
    expected_matrix = bm.confusion_matrix(
        d["y_true"], d["y_pred"], labels=LABELS, sample_weight=weight
    )
    expected_report = bm.classification_report(
        d["y_true"], d["y_pred"], sample_weight=weight, output_dict=True
    )
    plain = bm.confusion_matrix(d["y_true"], d["y_pred"], labels=LABELS)
    for rank in range(world_size):
        with open(tmp_path / f"metrics-{rank}.pkl", "rb") as file:
            got = pickle.load(file)
        np.testing.assert_allclose(got["numpy_matrix"], expected_matrix, rtol=1e-12)
        assert isinstance(got["numpy_matrix"], np.ndarray)
        assert got["numpy_f1"] == pytest.approx(
            bm.f1_score(
                d["y_true"], d["y_pred"], average="macro", sample_weight=weight
            ),
            rel=1e-12,
        )
        report = got["numpy_report"]
        assert report.keys() == expected_report.keys()
        for key, value in expected_report.items():
            if isinstance(value, dict):
                assert report[key] == pytest.approx(value, rel=1e-12, abs=1e-15)
            else:
                assert report[key] == pytest.approx(value, rel=1e-12)
        np.testing.assert_array_equal(got["torch_matrix"], plain)
        assert got["torch_mcc"] == pytest.approx(
            skm.matthews_corrcoef(d["y_true"], d["y_pred"]), rel=1e-12
        )
        np.testing.assert_array_equal(got["idle_matrix"], plain)
        assert got["idle_kappa"] == pytest.approx(
            skm.cohen_kappa_score(d["y_true"], d["y_pred"]), rel=1e-12
        )
        # scores on the grid of the 100 bins: exact
        kw = {"sample_weight": d["weight"]}
        assert got["scores"]["roc_auc"] == pytest.approx(
            skm.roc_auc_score(d["binary"], d["score"], **kw), rel=1e-12
        )
        assert got["scores"]["average_precision"] == pytest.approx(
            skm.average_precision_score(d["binary"], d["score"], **kw), rel=1e-12
        )


def test_without_process_group_is_a_no_op_and_checks_its_argument():
    metric = StreamingConfusionMatrix([0, 1]).update([0, 1], [1, 1])
    before = metric.compute()
    assert all_reduce_(metric) is metric
    np.testing.assert_array_equal(metric.compute(), before)
    with pytest.raises(TypeError, match="`metric` must be a StreamingConfusionMatrix"):
        all_reduce_(object())
