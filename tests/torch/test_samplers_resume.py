"""Resume cannot go wrong: a sampler state only loads into a sampler that draws the
same epoch, its values are checked, it survives torch.save, json and pickle, and a
StatefulDataLoader with workers resumes exactly."""

from __future__ import annotations

import io
import json
import pickle
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from balancekit import ProgressiveSchedule  # noqa: E402
from balancekit.torch import BalancedBatchSampler, BalancedSampler  # noqa: E402

# The reporter's repro: 90 items, three classes of 30.
Y90 = np.random.default_rng(0).permutation(np.repeat([0, 1, 2], 30))
BASE = {"sampling_strategy": "balanced", "replacement": False, "seed": 0}


def _interrupted(sampler, n_items):
    """Iterate ``n_items`` of the epoch, then save the state (as a checkpoint would)."""
    iterator = iter(sampler)
    head = [next(iterator) for _ in range(n_items)]
    return head, sampler.state_dict()


def test_resume_with_the_same_settings_yields_every_index_once():
    head, state = _interrupted(BalancedSampler(Y90, **BASE), 45)
    resumed = BalancedSampler(Y90, **BASE)
    resumed.load_state_dict(state)
    rest = list(resumed)
    assert sorted(head + rest) == list(range(90))


def test_resume_with_other_settings_is_refused():
    head, state = _interrupted(BalancedSampler(Y90, **BASE), 45)
    other = BalancedSampler(Y90, **{**BASE, "replacement": True})
    # What resuming used to do: the other sampler's rest of the epoch, which
    # repeats some of the 45 items already seen and skips others.
    spliced = head + other.epoch_draw()[45:].tolist()
    assert len(set(spliced)) < 90
    with pytest.raises(ValueError, match=r"replacement \(saved False; this sampler"):
        other.load_state_dict(state)
    assert other._resume_at == 0  # nothing was loaded
    assert list(other) == other.epoch_draw().tolist()


class _GrowClassZero:
    """A callable strategy whose text is the same whatever its target."""

    def __init__(self, target):
        self.target = target

    def __call__(self, labels):
        return {0: self.target}


# field -> (settings of the saving sampler, settings of the loading one)
SAMPLER_CHANGES = {
    "labels": ({}, {"labels": Y90[::-1].copy()}),
    "class_counts": ({}, {"labels": np.repeat([0, 1, 2], [40, 30, 20])}),
    "sampling_strategy": ({}, {"sampling_strategy": "sqrt"}),
    "mode": ({}, {"mode": "under"}),
    "num_samples": ({}, {"num_samples": 60}),
    "epoch_counts": (
        {"sampling_strategy": _GrowClassZero(40), "replacement": True},
        {"sampling_strategy": _GrowClassZero(50), "replacement": True},
    ),
    "replacement": ({}, {"replacement": True}),
    "shuffle": ({}, {"shuffle": False}),
    "num_replicas": ({"num_replicas": 2, "rank": 0}, {"num_replicas": 3, "rank": 0}),
    "rank": ({"num_replicas": 2, "rank": 0}, {"num_replicas": 2, "rank": 1}),
    "drop_last": (
        {"num_replicas": 4, "rank": 0},
        {"num_replicas": 4, "rank": 0, "drop_last": True},
    ),
}


@pytest.mark.parametrize("field", list(SAMPLER_CHANGES))
def test_each_differing_setting_of_balanced_sampler_is_named(field):
    saved_with, loaded_with = SAMPLER_CHANGES[field]
    saving = {"labels": Y90, **BASE, **saved_with}
    _, state = _interrupted(BalancedSampler(**saving), 10)
    loading = BalancedSampler(**{**saving, **loaded_with})
    with pytest.raises(ValueError, match=rf"\b{field} \(saved ") as error:
        loading.load_state_dict(state)
    assert "repeat and skip" in str(error.value)
    # The settings that did not change are not blamed.
    named = set(re.findall(r"(\w+) \(saved ", str(error.value)))
    assert named <= {field, "epoch_counts", "class_counts", "labels"}
    BalancedSampler(**saving).load_state_dict(state)  # the same settings load


def test_another_seed_is_refused():
    _, state = _interrupted(BalancedSampler(Y90, **BASE), 10)
    with pytest.raises(ValueError, match="seed=0 but this sampler has seed=1"):
        BalancedSampler(Y90, **{**BASE, "seed": 1}).load_state_dict(state)


BATCH_BASE = {"n_classes_per_batch": 2, "n_samples_per_class": 3, "seed": 0}
BATCH_CHANGES = {
    "labels": ({}, {"labels": Y90[::-1].copy()}),
    "n_classes_per_batch": ({}, {"n_classes_per_batch": 3}),
    "n_samples_per_class": ({}, {"n_samples_per_class": 2}),
    "num_batches": ({}, {"num_batches": 40}),
    "replacement": ({}, {"replacement": True}),
    "num_replicas": ({"num_replicas": 2, "rank": 0}, {"num_replicas": 3, "rank": 0}),
    "rank": ({"num_replicas": 2, "rank": 0}, {"num_replicas": 2, "rank": 1}),
    "drop_last": (
        {"num_replicas": 4, "rank": 0},
        {"num_replicas": 4, "rank": 0, "drop_last": True},
    ),
}


@pytest.mark.parametrize("field", list(BATCH_CHANGES))
def test_each_differing_setting_of_balanced_batch_sampler_is_named(field):
    saved_with, loaded_with = BATCH_CHANGES[field]
    saving = {"labels": Y90, **BATCH_BASE, **saved_with}
    _, state = _interrupted(BalancedBatchSampler(**saving), 2)
    loading = BalancedBatchSampler(**{**saving, **loaded_with})
    with pytest.raises(ValueError, match=rf"\b{field} \(saved "):
        loading.load_state_dict(state)
    BalancedBatchSampler(**saving).load_state_dict(state)


def test_state_of_the_other_sampler_class_is_refused():
    _, batch_state = _interrupted(BalancedBatchSampler(Y90, 2, 3, seed=0), 2)
    with pytest.raises(ValueError, match="saved by a BalancedBatchSampler"):
        BalancedSampler(Y90, **BASE).load_state_dict(batch_state)
    _, state = _interrupted(BalancedSampler(Y90, **BASE), 2)
    with pytest.raises(ValueError, match="saved by a BalancedSampler"):
        BalancedBatchSampler(Y90, 2, 3, seed=0).load_state_dict(state)


def _state():
    return _interrupted(BalancedSampler(Y90, **BASE), 10)[1]


@pytest.mark.parametrize(
    ("edit", "error", "match"),
    [
        ({"yielded": -1}, ValueError, r"`state_dict\['yielded'\]` must be >= 0"),
        ({"yielded": 91}, ValueError, r"at most this rank's 90 items of epoch 0"),
        ({"yielded": "10"}, TypeError, r"`state_dict\['yielded'\]` must be an int"),
        ({"yielded": 10.0}, TypeError, r"`state_dict\['yielded'\]`"),
        ({"yielded": True}, TypeError, r"`state_dict\['yielded'\]`"),
        ({"epoch": -2}, ValueError, r"`state_dict\['epoch'\]` must be >= 0"),
        ({"seed": None}, TypeError, r"`state_dict\['seed'\]`"),
        ({"fingerprint": "0" * 32}, ValueError, "do not match its fingerprint"),
        ({"fingerprint": 7}, TypeError, r"`state_dict\['fingerprint'\]` must be a str"),
        ({"rank": "1"}, ValueError, "do not match its fingerprint"),
        ({"rank": 0}, TypeError, r"`state_dict\['rank'\]` must be a str"),
        ({"format": 3}, ValueError, "state format 3"),
        (
            {"sampler": "DistributedSampler"},
            ValueError,
            "saved by a DistributedSampler",
        ),
    ],
)
def test_state_values_are_checked(edit, error, match):
    sampler = BalancedSampler(Y90, **BASE)
    with pytest.raises(error, match=match):
        sampler.load_state_dict({**_state(), **edit})
    assert sampler._resume_at == 0


@pytest.mark.parametrize("key", ["labels", "fingerprint", "format", "epoch"])
def test_state_missing_a_key_is_refused(key):
    state = _state()
    del state[key]
    with pytest.raises(ValueError, match=f"lacks .*'{key}'"):
        BalancedSampler(Y90, **BASE).load_state_dict(state)


def test_state_that_is_not_a_dict_is_refused():
    with pytest.raises(TypeError, match="`state_dict` must be the dict"):
        BalancedSampler(Y90, **BASE).load_state_dict([("epoch", 0)])


def test_state_at_the_end_of_the_epoch_resumes_to_nothing():
    sampler = BalancedSampler(Y90, **BASE)
    list(sampler)
    state = sampler.state_dict()
    assert state["yielded"] == 90
    resumed = BalancedSampler(Y90, **BASE)
    resumed.load_state_dict(state)
    assert list(resumed) == []
    assert len(list(resumed)) == 90  # the resume point is used once


def test_state_without_fingerprint_loads_with_a_warning():
    """States saved before fingerprints existed: loaded, with a warning that their
    settings cannot be checked (their position still is)."""
    sampler = BalancedSampler(Y90, **BASE)
    sampler.set_epoch(3)
    rest = sampler.epoch_draw()[40:].tolist()
    old = {"seed": 0, "epoch": 3, "yielded": 40}
    resumed = BalancedSampler(Y90, **BASE)
    with pytest.warns(UserWarning, match="no fingerprint"):
        resumed.load_state_dict(old)
    assert list(resumed) == rest
    with (
        pytest.warns(UserWarning, match="no fingerprint"),
        pytest.raises(ValueError, match="at most"),
    ):
        resumed.load_state_dict({**old, "yielded": 91})


def test_progressive_schedule_checks_the_position_against_the_saved_epoch():
    labels = np.repeat([0, 1], [80, 10])
    sampler = BalancedSampler(labels, ProgressiveSchedule(n_epochs=2), mode="under")
    sampler.set_epoch(5)
    head, state = _interrupted(sampler, 30)
    assert state["epoch_counts"] == "per epoch"
    resumed = BalancedSampler(labels, ProgressiveSchedule(n_epochs=2), mode="under")
    resumed.load_state_dict(state)
    assert resumed.epoch == 5
    assert head + list(resumed) == sampler.epoch_draw(5).tolist()
    with pytest.raises(ValueError, match="sampling_strategy"):
        BalancedSampler(labels, ProgressiveSchedule(n_epochs=3)).load_state_dict(state)


def test_set_epoch_to_another_epoch_drops_the_resume_point():
    _, state = _interrupted(BalancedSampler(Y90, **BASE), 30)
    resumed = BalancedSampler(Y90, **BASE)
    resumed.load_state_dict(state)
    resumed.set_epoch(0)  # the saved epoch: the resume point stays
    assert len(list(resumed)) == 60
    resumed.load_state_dict(state)
    resumed.set_epoch(1)  # another epoch starts at its beginning
    assert resumed.state_dict()["yielded"] == 0
    assert list(resumed) == resumed.epoch_draw(1).tolist()


def test_state_dict_after_set_epoch_does_not_count_the_old_iteration():
    sampler = BalancedSampler(Y90, **BASE)
    _interrupted(sampler, 30)
    sampler.set_epoch(1)
    assert sampler.state_dict()["yielded"] == 0


MAKERS = {
    "BalancedSampler": lambda: BalancedSampler(Y90, **BASE),
    "BalancedBatchSampler": lambda: BalancedBatchSampler(Y90, 2, 3, seed=0),
}


@pytest.mark.parametrize("make", list(MAKERS.values()), ids=list(MAKERS))
def test_state_survives_torch_save_and_json(make):
    sampler = make()
    full = list(sampler)
    _, state = _interrupted(sampler, 4)
    assert all(type(value) in (int, str) for value in state.values())
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    from_torch = torch.load(buffer, weights_only=True)
    for loaded in (from_torch, json.loads(json.dumps(state))):
        fresh = make()
        fresh.load_state_dict(loaded)
        assert list(fresh) == full[4:]


@pytest.mark.parametrize("make", list(MAKERS.values()), ids=list(MAKERS))
def test_samplers_pickle_fresh_iterated_and_after_load(make):
    sampler = make()
    full = list(sampler)
    copy = pickle.loads(pickle.dumps(sampler))  # fresh
    assert list(copy) == full
    _, state = _interrupted(sampler, 5)
    copy = pickle.loads(pickle.dumps(sampler))  # mid-iteration
    assert copy.state_dict() == state
    assert list(copy._iterator) == full[5:]
    loaded = make()
    loaded.load_state_dict(state)
    copy = pickle.loads(pickle.dumps(loaded))  # after load_state_dict
    assert copy.state_dict() == state
    assert list(copy) == full[5:]


def test_state_dict_consumed_makes_a_plain_dataloader_with_workers_exact():
    """A plain DataLoader with workers fetches ahead, so the sampler's own count runs
    ahead of the loop; `consumed=` tells it what the loop has used."""
    dataset = TensorDataset(torch.arange(90))

    def loader():
        sampler = BalancedSampler(Y90, **BASE)
        return sampler, DataLoader(
            dataset, batch_size=10, sampler=sampler, num_workers=2
        )

    sampler, first = loader()
    batches = iter(first)
    head = [next(batches)[0] for _ in range(3)]
    assert sampler.state_dict()["yielded"] > 30  # prefetched, not consumed
    state = sampler.state_dict(consumed=3 * 10)
    del batches
    resumed, second = loader()
    resumed.load_state_dict(state)
    seen = torch.cat(head + [batch[0] for batch in second]).tolist()
    assert sorted(seen) == list(range(90))


def test_state_dict_consumed_is_checked():
    sampler = BalancedSampler(Y90, **BASE)
    _interrupted(sampler, 20)
    with pytest.raises(ValueError, match="`consumed` must be at most the 20 items"):
        sampler.state_dict(consumed=21)
    with pytest.raises(ValueError, match="`consumed` must be >= 0"):
        sampler.state_dict(consumed=-1)
    assert sampler.state_dict(consumed=20) == sampler.state_dict()


@pytest.mark.parametrize("batches", [False, True])
def test_stateful_dataloader_with_workers_resumes_exactly(batches):
    """Interrupted and resumed through StatefulDataLoader(num_workers=2): every index
    of the epoch exactly once, in the uninterrupted run's order."""
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    labels = np.repeat([0, 1], [50, 50])
    dataset = TensorDataset(torch.arange(100))

    def loader():
        if batches:
            sampler = BalancedBatchSampler(labels, 2, 5, seed=4)
            kwargs = {"batch_sampler": sampler}
        else:
            sampler = BalancedSampler(labels, "balanced", replacement=False, seed=4)
            kwargs = {"sampler": sampler, "batch_size": 10}
        sampler.set_epoch(1)
        return stateful.StatefulDataLoader(dataset, num_workers=2, **kwargs)

    full = [batch[0].tolist() for batch in loader()]
    assert sorted(i for batch in full for i in batch) == list(range(100))
    first = loader()
    iterator = iter(first)
    head = [next(iterator)[0].tolist() for _ in range(3)]
    state = first.state_dict()
    del iterator
    second = loader()
    second.load_state_dict(state)
    rest = [batch[0].tolist() for batch in second]
    assert head + rest == full
    assert sorted(i for batch in head + rest for i in batch) == list(range(100))


def test_state_dict_in_a_worker_process_warns(monkeypatch):
    """The only run-ahead case the sampler can see: a worker's copy of it is never
    iterated, so its state says nothing about the epoch."""
    from balancekit.torch import _epoch

    monkeypatch.setattr(_epoch, "get_worker_info", lambda: object())
    with pytest.warns(UserWarning, match="DataLoader worker process"):
        BalancedSampler(Y90, **BASE).state_dict()
