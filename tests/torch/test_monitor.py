"""monitor_epoch: evaluation mode and no gradients, values equal to scikit-learn,
the collapse warning, errors, and the reduction over 2 gloo ranks."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import sklearn.metrics as skm  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from torch.utils.data import (  # noqa: E402
    DataLoader,
    DistributedSampler,
    TensorDataset,
)

from balancekit.diagnostics._training_monitor import (  # noqa: E402
    MinorityMonitor,
    TrainingCollapseWarning,
)
from balancekit.torch._monitor import finish_epoch, monitor_epoch  # noqa: E402

N_CLASSES = 3


def validation_set():
    """64 samples (a multiple of 2 ranks: no padding of the shards)."""
    y = np.repeat(np.arange(N_CLASSES), [44, 14, 6])
    rng = np.random.default_rng(1)
    x = rng.normal(size=(y.shape[0], 4)) + np.eye(N_CLASSES, 4)[y]
    return TensorDataset(torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y))


class Probe(torch.nn.Module):
    """A linear model with dropout that records the mode and grad state it ran in."""

    def __init__(self, bias=None):
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, N_CLASSES)
        self.drop = torch.nn.Dropout(0.5)
        if bias is not None:
            with torch.no_grad():
                self.net.bias.copy_(torch.tensor(bias))
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.net(self.drop(x))


def _loader():
    return DataLoader(validation_set(), batch_size=16)


def test_runs_in_eval_mode_without_gradients_and_restores_the_mode():
    model = Probe()
    monitor = MinorityMonitor(N_CLASSES, from_logits=True)
    record = monitor_epoch(model, _loader(), monitor)
    assert model.calls == [(False, False)] * 4
    assert model.training  # back to training mode
    x, y = validation_set().tensors
    with torch.no_grad():
        logits = model.eval().net(x).numpy()  # dropout off: the same scores
    pred = logits.argmax(axis=1)
    y = y.numpy()
    assert record["recall"] == pytest.approx(
        skm.recall_score(y, pred, average=None).tolist(), rel=1e-12
    )
    assert record["precision"] == pytest.approx(
        skm.precision_score(y, pred, average=None, zero_division=0).tolist(),
        rel=1e-12,
    )
    proba = torch.softmax(torch.as_tensor(logits), dim=1).numpy()
    for c in range(N_CLASSES):
        assert record["average_precision"][c] == pytest.approx(
            skm.average_precision_score(y == c, proba[:, c]), abs=5e-3
        )
    assert record["support"] == np.bincount(y).tolist()
    assert monitor.history_ == [record]
    # a model in evaluation mode stays in it
    monitor_epoch(model, _loader(), monitor)
    assert not model.training


def test_collapsed_model_warns():
    model = Probe(bias=[0.0, 30.0, 0.0])
    monitor = MinorityMonitor(N_CLASSES, from_logits=True)
    with pytest.warns(TrainingCollapseWarning, match="predicts class 1 for 100.0%"):
        record = monitor_epoch(model, _loader(), monitor)
    assert record["collapsed_to"] == 1


def test_output_fn_and_device():
    class TupleModel(Probe):
        def forward(self, x):
            return super().forward(x), "extra"

    monitor = MinorityMonitor(N_CLASSES, from_logits=True)
    with pytest.raises(TypeError, match="Pass `output_fn`"):
        monitor_epoch(TupleModel(), _loader(), monitor)
    first = monitor_epoch(
        TupleModel(), _loader(), monitor, output_fn=lambda out: out[0], device="cpu"
    )
    second = monitor_epoch(Probe(), _loader(), MinorityMonitor(3, from_logits=True))
    assert first["recall"] == second["recall"]
    assert len(monitor.history_) == 1  # the failed call left no record


def test_model_without_parameters_and_probabilities():
    softmax = torch.nn.Softmax(dim=1)
    x = torch.tensor([[3.0, 0.0, 0.0], [0.0, 0.0, 3.0], [0.0, 3.0, 0.0]])
    loader = [(x, torch.tensor([0, 2, 2]))]
    record = monitor_epoch(softmax, loader, MinorityMonitor(3))
    assert record["recall"] == [1.0, 0.0, 0.5]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("model", [], MinorityMonitor(2)), TypeError, "`model` must be"),
        ((torch.nn.Identity(), [], "m"), TypeError, "`monitor` must be"),
        (
            (torch.nn.Identity(), [(torch.zeros(1, 2),)], MinorityMonitor(2)),
            TypeError,
            r"\(inputs, targets\) pair; got tuple of length 1",
        ),
        ((torch.nn.Identity(), [], MinorityMonitor(2)), ValueError, "No validation"),
    ],
)
def test_errors(args, error, match):
    with pytest.raises(error, match=match):
        monitor_epoch(*args)


def test_finish_epoch_checks_its_argument():
    with pytest.raises(TypeError, match="`monitor` must be"):
        finish_epoch(object())


def _run(rank, world_size, store, out_dir):
    """One gloo rank: score its shard of the validation set with monitor_epoch."""
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        torch.manual_seed(0)  # the same model on every rank
        model = torch.nn.Linear(4, N_CLASSES)
        dataset = validation_set()
        sampler = DistributedSampler(dataset, shuffle=False)
        loader = DataLoader(dataset, batch_size=16, sampler=sampler)
        monitor = MinorityMonitor(N_CLASSES, from_logits=True)
        record = monitor_epoch(model, loader, monitor)
        with open(f"{out_dir}/monitor-{rank}.pkl", "wb") as file:
            pickle.dump(record, file)
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_gloo_ranks_get_the_record_of_the_whole_set(tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    mp.spawn(
        _run,
        args=(2, str(tmp_path / "store"), str(tmp_path)),
        nprocs=2,
        join=True,
    )
    records = []
    for rank in range(2):
        with open(tmp_path / f"monitor-{rank}.pkl", "rb") as file:
            records.append(pickle.load(file))
    torch.manual_seed(0)
    model = torch.nn.Linear(4, N_CLASSES)  # the ranks' model
    x, y = validation_set().tensors
    with torch.no_grad():
        scores = model(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingCollapseWarning)
        whole = MinorityMonitor(N_CLASSES, from_logits=True).update(y, scores)
        expected = whole.end_epoch()
    assert records[0] == records[1] == expected
    assert expected["n_samples"] == 64
