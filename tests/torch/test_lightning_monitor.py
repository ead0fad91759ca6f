"""The Lightning callback in real ``Trainer.fit`` runs: values logged and equal to
scikit-learn, the collapse warning, and DDP (2 gloo processes) with BalancedSampler
in the training loader."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import types
import warnings
from collections import Counter

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pl = pytest.importorskip("lightning.pytorch")
import sklearn.metrics as skm  # noqa: E402
from lightning.pytorch.utilities.warnings import PossibleUserWarning  # noqa: E402

from balancekit.diagnostics._training_monitor import (  # noqa: E402
    MinorityMonitor,
    TrainingCollapseWarning,
)
from balancekit.torch import BalancedSampler  # noqa: E402
from balancekit.torch.lightning import MinorityMonitorCallback  # noqa: E402
from tests.torch._lightning_ddp_worker import (  # noqa: E402
    EPOCH_SIZE,
    N_CLASSES,
    SEED,
    IndexedModel,
    Recorder,
    train_labels,
)

QUIET = {
    "logger": False,
    "enable_checkpointing": False,
    "enable_progress_bar": False,
    "enable_model_summary": False,
    "accelerator": "cpu",
}


def _fit(model, callbacks, **kwargs):
    trainer = pl.Trainer(max_epochs=2, callbacks=callbacks, **QUIET, **kwargs)
    with warnings.catch_warnings():
        # Lightning's own advice (few workers, small batches...), not ours
        warnings.filterwarnings("ignore", category=PossibleUserWarning)
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        trainer.fit(model)
    return trainer


def _replayed(outputs):
    """The record a single monitor gives on the concatenated validation outputs."""
    scores = np.concatenate([s for s, _ in outputs])
    y = np.concatenate([t for _, t in outputs])
    monitor = MinorityMonitor(N_CLASSES, from_logits=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingCollapseWarning)
        return monitor.update(y, scores).end_epoch(), scores, y


def _values(record):
    """The record's metric values (not the epoch's place in the history)."""
    skip = ("epoch", "minority_recall_falls", "warnings")
    return {key: value for key, value in record.items() if key not in skip}


def test_fit_logs_per_class_values_equal_to_scikit_learn(tmp_path):
    callback = MinorityMonitorCallback(MinorityMonitor(N_CLASSES, from_logits=True))
    recorder = Recorder(str(tmp_path), callback)
    model = IndexedModel()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingCollapseWarning)  # healthy model
        trainer = _fit(model, [callback, recorder])
    history = callback.monitor.history_
    assert len(history) == 2  # the sanity check (2 batches) is not an epoch
    assert [r["n_samples"] for r in history] == [64, 64]
    for epoch, record in enumerate(history):
        replay, scores, y = _replayed(model.val_outputs[epoch])
        assert _values(record) == _values(replay)
        pred = scores.argmax(axis=1)
        assert record["recall"] == pytest.approx(
            skm.recall_score(y, pred, average=None).tolist(), rel=1e-12
        )
        assert record["precision"] == pytest.approx(
            skm.precision_score(y, pred, average=None, zero_division=0).tolist(),
            rel=1e-12,
        )
        # logged each epoch, under the documented names
        expected = callback.monitor.scalars(record)
        assert recorder.logged[epoch] == pytest.approx(expected, rel=1e-6)
    assert "val_average_precision_class2" in trainer.callback_metrics


def test_collapsed_model_warns_during_fit():
    callback = MinorityMonitorCallback(MinorityMonitor(N_CLASSES, from_logits=True))
    model = IndexedModel(lr=0.0)  # never learns
    with torch.no_grad():
        model.net.bias.copy_(torch.tensor([20.0, 0.0, 0.0]))
    with pytest.warns(TrainingCollapseWarning, match="predicts class 0 for 100.0%"):
        trainer = _fit(model, [callback])
    assert [r["collapsed_to"] for r in callback.monitor.history_] == [0, 0]
    assert float(trainer.callback_metrics["val_recall_class1"]) == 0.0
    assert float(trainer.callback_metrics["val_prediction_share_class0"]) == 1.0


def _fake_trainer(sanity=False):
    return types.SimpleNamespace(sanity_checking=sanity)


def test_scores_and_labels_from_outputs_or_batch():
    callback = MinorityMonitorCallback(
        MinorityMonitor(2), scores_key="p", target_key="y"
    )
    scores = torch.tensor([0.2, 0.9])
    hook = callback.on_validation_batch_end
    hook(_fake_trainer(), None, {"p": scores}, (None, torch.tensor([0, 1])), 0)
    hook(_fake_trainer(), None, {"p": scores, "y": torch.tensor([1, 1])}, None, 1)
    hook(_fake_trainer(), None, scores, {"y": torch.tensor([0, 0])}, 2)
    hook(_fake_trainer(sanity=True), None, scores, (None, torch.tensor([1, 1])), 3)
    hook(_fake_trainer(), None, scores, (None, torch.tensor([1, 1])), 4, 1)
    # true 0,1 | 1,1 | 0,0 against predictions 0,1 each time; the sanity batch and
    # the other loader's batch are ignored
    assert callback.monitor.confusion.compute().tolist() == [[2, 1], [1, 2]]


@pytest.mark.parametrize(
    ("outputs", "batch", "error", "match"),
    [
        (None, (None, torch.tensor([0])), TypeError, "return the batch's scores"),
        ({"loss": 1.0}, None, ValueError, "without the key 'scores'"),
        (torch.tensor([0.3]), torch.tensor([[1.0]]), ValueError, "cannot find"),
    ],
)
def test_clear_errors_for_what_validation_step_returns(outputs, batch, error, match):
    callback = MinorityMonitorCallback(MinorityMonitor(2))
    with pytest.raises(error, match=match):
        callback.on_validation_batch_end(_fake_trainer(), None, outputs, batch, 0)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"monitor": "m"}, TypeError),
        ({"scores_key": 1}, TypeError),
        ({"dataloader_idx": -1}, ValueError),
        ({"dataloader_idx": True}, TypeError),
        ({"prog_bar": 1}, TypeError),
    ],
)
def test_parameter_errors(kwargs, error):
    kwargs = {"monitor": MinorityMonitor(2), **kwargs}
    with pytest.raises(error):
        MinorityMonitorCallback(**kwargs)


def test_state_dict_restores_the_history():
    first = MinorityMonitorCallback(MinorityMonitor(2))
    first.monitor.update([0, 1], [0.3, 0.7]).end_epoch()
    state = pickle.loads(pickle.dumps(first.state_dict()))
    second = MinorityMonitorCallback(MinorityMonitor(2))
    second.load_state_dict(state)
    assert second.monitor.history_ == first.monitor.history_


def test_importing_balancekit_torch_does_not_import_lightning():
    code = (
        "import sys, balancekit.torch, balancekit.diagnostics; "
        "assert 'lightning' not in sys.modules and "
        "'lightning.pytorch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd())


# ---------------------------------------------------------------------- DDP


def _ddp_fit(out_dir, use_distributed_sampler):
    callback = MinorityMonitorCallback(MinorityMonitor(N_CLASSES, from_logits=True))
    model = IndexedModel(
        loaders="both" if use_distributed_sampler else "own",
        # without Lightning's sampler injection the validation set is sharded by
        # the model itself
        shard_validation=not use_distributed_sampler,
    )
    _fit(
        model,
        [callback, Recorder(str(out_dir), callback)],
        strategy="ddp_spawn",
        devices=2,
        use_distributed_sampler=use_distributed_sampler,
    )
    results = []
    for rank in range(2):
        with open(out_dir / f"rank-{rank}.pkl", "rb") as file:
            results.append(pickle.load(file))
    return results


def _draw(epoch, **kwargs):
    sampler = BalancedSampler(
        train_labels(), "balanced", num_samples=EPOCH_SIZE, seed=SEED, **kwargs
    )
    sampler.set_epoch(epoch)
    return sampler


def _check_same_records(results):
    assert all(r["world_size"] == 2 for r in results)
    first, second = results
    assert first["logged"] == second["logged"]  # both ranks log the same values
    assert first["history"] == second["history"]
    for epoch, record in enumerate(first["history"]):
        # the reduced record is the record of both ranks' outputs together
        outputs = first["val_outputs"][epoch] + second["val_outputs"][epoch]
        replay, _, _ = _replayed(outputs)
        assert record["n_samples"] == 64  # each sample once: no double counting
        assert _values(record) == _values(replay)
        expected = MinorityMonitor(N_CLASSES).scalars(record)
        assert first["logged"][epoch] == pytest.approx(expected, rel=1e-6)


def _check_balanced_disjoint_shards(per_rank, epoch):
    """The ranks' indices are disjoint shards of the whole balanced draw."""
    whole = _draw(epoch, num_replicas=1, rank=0).epoch_draw()
    assert sorted(per_rank[0] + per_rank[1]) == sorted(whole.tolist())
    counts = np.bincount(train_labels()[whole], minlength=N_CLASSES)
    assert counts.tolist() == [EPOCH_SIZE // N_CLASSES] * N_CLASSES


@pytest.mark.slow
def test_ddp_with_the_sampler_sharding_itself(tmp_path):
    """use_distributed_sampler=False: BalancedSampler keeps its own shards, and
    Lightning still calls set_epoch."""
    results = _ddp_fit(tmp_path, use_distributed_sampler=False)
    _check_same_records(results)
    assert [r["samplers"]["own"] for r in results] == ["BalancedSampler"] * 2
    for epoch in (0, 1):
        per_rank = [r["seen"]["own"][epoch] for r in results]
        for rank, seen in enumerate(per_rank):
            expected = list(_draw(epoch, num_replicas=2, rank=rank))
            assert seen == expected
        _check_balanced_disjoint_shards(per_rank, epoch)
    assert results[0]["seen"]["own"][0] != results[0]["seen"]["own"][1]


@pytest.mark.slow
def test_ddp_when_lightning_wraps_the_sampler(tmp_path):
    """use_distributed_sampler=True (the default) wraps every sampler in a
    DistributedSamplerWrapper: one built with the process group's defaults is
    sharded twice (half of each epoch's draw is lost), one built with
    num_replicas=1 is sharded correctly."""
    results = _ddp_fit(tmp_path, use_distributed_sampler=True)
    _check_same_records(results)
    for r in results:
        assert r["samplers"] == {
            "own": "DistributedSamplerWrapper",
            "single": "DistributedSamplerWrapper",
        }
    for epoch in (0, 1):
        own = [r["seen"]["own"][epoch] for r in results]
        for rank, seen in enumerate(own):
            shard = list(_draw(epoch, num_replicas=2, rank=rank))
            assert len(seen) == len(shard) // 2  # what goes wrong
            assert not Counter(seen) - Counter(shard)
        single = [r["seen"]["single"][epoch] for r in results]
        assert [len(s) for s in single] == [EPOCH_SIZE // 2] * 2
        _check_balanced_disjoint_shards(single, epoch)
    # each epoch's shards make up that epoch's draw, and the draws differ:
    # set_epoch reached the wrapped sampler
    assert sorted(_draw(0).epoch_draw()) != sorted(_draw(1).epoch_draw())


@pytest.mark.parametrize("shards", [2, 1])
def test_warns_when_lightning_shards_a_sharded_sampler_again(shards):
    """The wrapper Lightning puts around a sampler that already shards itself
    drops most of the draw (test_ddp_when_lightning_wraps_the_sampler): the
    callback says so at the start of training, and stays quiet otherwise."""
    from lightning.fabric.utilities.distributed import DistributedSamplerWrapper

    labels = train_labels()
    sampler = BalancedSampler(labels, seed=SEED, num_replicas=shards, rank=0)
    wrapped = DistributedSamplerWrapper(sampler, num_replicas=2, rank=0)
    loader = torch.utils.data.DataLoader(range(len(labels)), sampler=wrapped)
    trainer = types.SimpleNamespace(train_dataloader=[loader])
    callback = MinorityMonitorCallback(MinorityMonitor(N_CLASSES))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        callback.on_train_start(trainer, None)
    messages = [str(w.message) for w in caught]
    if shards == 1:
        assert messages == []
    else:
        assert len(messages) == 1
        assert "use_distributed_sampler=False" in messages[0]
        assert "shards itself over 2 ranks" in messages[0]
