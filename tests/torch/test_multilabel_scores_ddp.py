"""Real multi-process reduction of the streaming multilabel scores: 2 gloo ranks each
update them with half of the data; after ``all_reduce_`` every rank scores all the
data, as the functional metrics (and scikit-learn) do on the whole of it."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import sklearn.metrics as skm  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402

import balancekit.metrics as bm  # noqa: E402
from balancekit.metrics import (  # noqa: E402
    StreamingMultilabelScores,
)
from balancekit.torch import all_reduce_  # noqa: E402
from tests.torch._multilabel_scores_ddp_worker import (  # noqa: E402
    AVERAGES,
    LABELS,
    N_LABELS,
    data,
    reduce_metrics,
)


def _run(rank, world_size, store, out_dir):
    reduce_metrics(rank, world_size, store, out_dir)


def _expected(y_true, y_score, weight):
    kw = {"sample_weight": weight}
    expected = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for average in AVERAGES:
            expected[f"auc-{average}"] = bm.roc_auc_score(
                y_true, y_score, average=average, **kw
            )
            expected[f"ap-{average}"] = bm.average_precision_score(
                y_true, y_score, average=average, **kw
            )
            # scikit-learn agrees (every label here has both classes)
            np.testing.assert_allclose(
                expected[f"auc-{average}"],
                skm.roc_auc_score(y_true, y_score, average=average, **kw),
                rtol=1e-12,
            )
        expected["auc-partial"] = bm.roc_auc_score(
            y_true, y_score, average="macro", max_fpr=0.3, **kw
        )
    return expected


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
        "numpy": _expected(d["y_true"][:, LABELS], d["y_score"][:, LABELS], weight),
        "torch": _expected(d["y_true"], d["y_score"], None),
        "idle": _expected(d["y_true"], d["y_score"], None),
    }
    for rank in range(world_size):
        with open(tmp_path / f"multilabel-scores-{rank}.pkl", "rb") as file:
            got = pickle.load(file)
        for kind, values in expected.items():
            assert list(got[kind]) == list(values), kind
            for key, value in values.items():
                np.testing.assert_allclose(
                    got[kind][key], value, rtol=1e-12, err_msg=f"{kind} {key}"
                )


def test_without_process_group_is_a_no_op_and_checks_its_argument():
    metric = StreamingMultilabelScores(N_LABELS).update(
        [[0, 1, 1, 0], [1, 0, 1, 1]], [[0.5, 0.25, 1.0, 0.0], [0.75, 0.5, 0.0, 1.0]]
    )
    before = metric.histogram().copy()
    assert all_reduce_(metric) is metric
    np.testing.assert_array_equal(metric.histogram(), before)
    with pytest.raises(TypeError, match="StreamingMultilabelScores; got object"):
        all_reduce_(object())
