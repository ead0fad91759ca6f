"""BalancedSampler and BalancedBatchSampler: target frequencies, epochs, shards, resume,
DataLoader use, label sources and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

torch = pytest.importorskip("torch")
from torch.utils.data import (  # noqa: E402
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    WeightedRandomSampler,
)

from balancekit import ProgressiveSchedule, epoch_class_counts  # noqa: E402
from balancekit.torch import BalancedBatchSampler, BalancedSampler  # noqa: E402

COUNTS = [700, 200, 80, 20]


def _labels(counts=COUNTS, seed=0):
    y = np.repeat(np.arange(len(counts)), counts)
    return np.random.default_rng(seed).permutation(y)


def _frequencies(sampler, y):
    return np.bincount(y[np.fromiter(sampler, dtype=np.int64)], minlength=4)


@pytest.mark.parametrize(
    ("strategy", "target"),
    [
        ("balanced", [0.25] * 4),
        ("sqrt", np.sqrt(COUNTS) / np.sqrt(COUNTS).sum()),
        ({0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}, [0.1, 0.2, 0.3, 0.4]),
        ("auto", [0.25] * 4),
        ("not majority", [700 / 2800] * 4),
        (ProgressiveSchedule(n_epochs=2), np.sqrt(COUNTS) / np.sqrt(COUNTS).sum()),
    ],
)
@pytest.mark.parametrize("replacement", [True, False])
def test_frequencies_match_target_chi_square(strategy, target, replacement):
    y = _labels()
    sampler = BalancedSampler(
        y, strategy, num_samples=100_000, replacement=replacement, seed=1
    )
    sampler.set_epoch(1)  # the progressive schedule is halfway: sqrt
    observed = _frequencies(sampler, y)
    expected = np.asarray(target, dtype=float) * 100_000
    assert observed.sum() == 100_000
    assert chisquare(observed, expected).pvalue > 0.001


def test_default_epoch_sizes():
    y = _labels()
    assert len(BalancedSampler(y)) == 4 * 700  # "auto", over: all to the majority
    assert len(BalancedSampler(y, mode="under")) == 4 * 20
    assert len(BalancedSampler(y, "balanced")) == sum(COUNTS)
    under = BalancedSampler(y, mode="under", replacement=False)
    assert np.bincount(y[list(under)]).tolist() == [20] * 4
    assert len(set(under)) == 80  # a fresh subset without repeats


@pytest.mark.parametrize("strategy", ["balanced", "auto"])
def test_without_replacement_cycles_each_class(strategy):
    y = _labels()
    sampler = BalancedSampler(y, strategy, replacement=False, seed=3)
    drawn = np.fromiter(sampler, dtype=np.int64)
    for cls, n_members in enumerate(COUNTS):
        of_class = drawn[y[drawn] == cls]
        for start in range(0, of_class.shape[0], n_members):
            block = of_class[start : start + n_members]
            assert np.unique(block).shape[0] == block.shape[0]
        if of_class.shape[0] >= n_members:
            assert set(of_class[:n_members]) == set(np.flatnonzero(y == cls))


def test_epochs_and_seeds():
    y = _labels()
    sampler = BalancedSampler(y, seed=5)
    sampler.set_epoch(3)
    first = list(sampler)
    assert list(sampler) == first  # same (seed, epoch), same draw
    again = BalancedSampler(y, seed=5)
    again.set_epoch(3)
    assert list(again) == first
    sampler.set_epoch(4)
    assert list(sampler) != first
    other = BalancedSampler(y, seed=6)
    other.set_epoch(3)
    assert list(other) != first


def test_shuffle_false_yields_sorted_draw():
    y = _labels()
    sampler = BalancedSampler(y, "balanced", shuffle=False, seed=0)
    drawn = list(sampler)
    assert drawn == sorted(drawn)
    assert np.bincount(y[drawn]).tolist() == [250] * 4


@pytest.mark.parametrize("num_replicas", [2, 3, 7])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shards_partition_the_epoch(num_replicas, drop_last):
    y = _labels()
    kwargs = {"num_samples": 1001, "seed": 2, "drop_last": drop_last}
    whole = BalancedSampler(y, "balanced", **kwargs)
    whole.set_epoch(2)
    draw = whole.epoch_draw().tolist()
    shards = []
    for rank in range(num_replicas):
        sampler = BalancedSampler(
            y, "balanced", num_replicas=num_replicas, rank=rank, **kwargs
        )
        sampler.set_epoch(2)
        shards.append(list(sampler))
        assert len(shards[-1]) == len(sampler)
    assert len({len(s) for s in shards}) == 1
    per_rank = len(shards[0])
    # Interleaved positions of the (padded or truncated) epoch draw.
    padded = (draw * 2)[: per_rank * num_replicas]
    for rank, got in enumerate(shards):
        assert got == padded[rank::num_replicas]
    union = sorted(i for got in shards for i in got)
    assert union == sorted(padded)
    if drop_last:
        assert per_rank == 1001 // num_replicas
    else:
        assert per_rank == -(-1001 // num_replicas)
        assert set(union) == set(draw)


def test_state_dict_resumes_mid_epoch():
    y = _labels()
    sampler = BalancedSampler(y, "balanced", seed=9)
    sampler.set_epoch(2)
    iterator = iter(sampler)
    head = [next(iterator) for _ in range(333)]
    state = sampler.state_dict()
    position = {key: state[key] for key in ("seed", "epoch", "yielded")}
    assert position == {"seed": 9, "epoch": 2, "yielded": 333}
    assert state["sampler"] == "BalancedSampler"
    assert all(type(value) in (int, str) for value in state.values())
    rest = list(iterator)
    resumed = BalancedSampler(y, "balanced", seed=9)
    resumed.load_state_dict(state)
    assert resumed.epoch == 2
    assert list(resumed) == rest
    assert list(resumed) == head + rest  # the resume point is used once
    with pytest.raises(ValueError, match="seed"):
        BalancedSampler(y, "balanced", seed=1).load_state_dict(state)
    with pytest.raises(ValueError, match="lacks"):
        resumed.load_state_dict({"epoch": 1})


def test_torchdata_stateful_dataloader_resume():
    stateful = pytest.importorskip("torchdata.stateful_dataloader")
    y = _labels()
    dataset = TensorDataset(torch.arange(len(y)), torch.as_tensor(y))

    def loader():
        sampler = BalancedSampler(y, "balanced", seed=4)
        sampler.set_epoch(1)
        return stateful.StatefulDataLoader(dataset, batch_size=64, sampler=sampler)

    full = [batch[0].tolist() for batch in loader()]
    first = loader()
    iterator = iter(first)
    for _ in range(5):
        next(iterator)
    state = first.state_dict()
    # The loader saved the sampler's own state (no fast-forward replay).
    saved = state["_sampler_iter_state"]["sampler_state"]
    assert saved == loader().sampler.state_dict() | {"epoch": 1, "yielded": 5 * 64}
    second = loader()
    second.load_state_dict(state)
    assert [batch[0].tolist() for batch in second] == full[5:]


def test_dataloader_with_workers_runs_an_epoch():
    y = _labels()
    dataset = TensorDataset(torch.randn(len(y), 3), torch.as_tensor(y))
    sampler = BalancedSampler(dataset, "balanced", seed=0)
    loader = DataLoader(dataset, batch_size=100, sampler=sampler, num_workers=2)
    seen = torch.cat([labels for _, labels in loader])
    assert seen.shape[0] == len(sampler) == sum(COUNTS)
    assert torch.bincount(seen).tolist() == [250] * 4


def test_labels_on_every_fixture_device(backend):
    y = _labels()
    sampler = BalancedSampler(backend.asarray(y), "balanced", seed=0)
    reference = BalancedSampler(y, "balanced", seed=0)
    assert list(sampler) == list(reference)
    assert sampler.classes == (0, 1, 2, 3)


class _Targets(Dataset):
    def __init__(self, y):
        self.targets = list(y)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        raise AssertionError("the sampler must not load samples")


def test_labels_from_datasets():
    y = _labels()
    expected = list(BalancedSampler(y, "balanced", seed=0))
    assert list(BalancedSampler(_Targets(y), "balanced", seed=0)) == expected
    tensors = TensorDataset(torch.zeros(len(y), 2), torch.as_tensor(y))
    assert list(BalancedSampler(tensors, "balanced", seed=0)) == expected
    by_fn = BalancedSampler(
        _Targets(y), "balanced", seed=0, labels_fn=lambda ds: ds.targets
    )
    assert list(by_fn) == expected
    subset = Subset(_Targets(y), list(range(0, len(y), 2)))
    sub_sampler = BalancedSampler(subset, "balanced", seed=0)
    assert sub_sampler.class_counts == dict(
        zip(*np.unique(y[::2], return_counts=True), strict=True)
    )
    assert max(sub_sampler) < len(subset)


def test_string_labels():
    y = np.array(["cat"] * 30 + ["dog"] * 10)
    sampler = BalancedSampler(y, "balanced", seed=0)
    assert sampler.classes == ("cat", "dog")
    assert np.unique(y[list(sampler)], return_counts=True)[1].tolist() == [20, 20]


def test_more_than_2_to_the_24_labels():
    n = 2**25
    y = np.zeros(n, dtype=np.int8)
    y[::1000] = 1
    sampler = BalancedSampler(y, "balanced", num_samples=10_000, seed=0)
    drawn = np.fromiter(sampler, dtype=np.int64)
    assert drawn.max() < n
    assert np.bincount(y[drawn]).tolist() == [5000, 5000]
    weights = torch.ones(n, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="2\\^24"):
        list(WeightedRandomSampler(weights, num_samples=10))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 40), min_size=2, max_size=6),
    st.sampled_from(["balanced", "sqrt", "auto", "not minority"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_counts_follow_epoch_class_counts(counts, strategy, replacement, seed):
    y = _labels(counts, seed=seed % 1000)
    sampler = BalancedSampler(y, strategy, replacement=replacement, seed=seed)
    expected = epoch_class_counts(strategy, dict(enumerate(counts)))
    drawn = np.fromiter(sampler, dtype=np.int64)
    assert np.bincount(y[drawn], minlength=len(counts)).tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([],), {}, ValueError, "empty"),
        (([0.5, 1.5, 2.0],), {}, ValueError, "continuous"),
        ((_labels(),), {"num_replicas": 2, "rank": 2}, ValueError, "`rank`"),
        ((_labels(),), {"num_samples": 0}, ValueError, "`num_samples`"),
        ((_labels(),), {"num_samples": 2.5}, TypeError, "`num_samples`"),
        ((_labels(), {7: 1.0}), {}, ValueError, "no samples"),
        ((_labels(), {0: 5, 7: 9}), {}, ValueError, "7"),
        ((_labels(),), {"seed": -1}, ValueError, "`seed`"),
        ((_labels(),), {"replacement": "yes"}, TypeError, "`replacement`"),
        ((_labels(),), {"mode": "sideways"}, ValueError, "`mode`"),
        ((object(),), {}, TypeError, "`labels`"),
        ((Dataset(),), {}, TypeError, "labels_fn"),
    ],
)
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        BalancedSampler(*args, **kwargs)


def test_bad_epoch():
    sampler = BalancedSampler(_labels())
    with pytest.raises(ValueError, match="`epoch`"):
        sampler.set_epoch(-1)


# BalancedBatchSampler ------------------------------------------------------------


@pytest.mark.parametrize("replacement", [False, True])
def test_batches_hold_equal_counts_of_distinct_classes(replacement):
    y = _labels()
    sampler = BalancedBatchSampler(y, 3, 5, replacement=replacement, seed=0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == sum(COUNTS) // 15
    for batch in batches:
        classes, counts = np.unique(y[batch], return_counts=True)
        assert classes.shape[0] == 3
        assert counts.tolist() == [5, 5, 5]
    if not replacement:
        drawn = np.concatenate(batches)
        for cls, n_members in enumerate(COUNTS):
            of_class = drawn[y[drawn] == cls][:n_members]
            assert np.unique(of_class).shape[0] == of_class.shape[0]


def test_batch_classes_are_uniform():
    y = _labels()
    sampler = BalancedBatchSampler(y, 2, 2, num_batches=20_000, seed=1)
    drawn = np.concatenate(list(sampler))
    observed = np.bincount(y[drawn], minlength=4)
    assert chisquare(observed, [observed.sum() / 4] * 4).pvalue > 0.001


def test_batch_sampler_epochs_shards_and_resume():
    y = _labels()
    sampler = BalancedBatchSampler(y, 2, 4, seed=3, num_batches=11)
    sampler.set_epoch(1)
    whole = sampler.epoch_draw().tolist()
    shards = []
    for rank in range(3):
        part = BalancedBatchSampler(
            y, 2, 4, seed=3, num_batches=11, num_replicas=3, rank=rank
        )
        part.set_epoch(1)
        shards.append(list(part))
    assert [len(s) for s in shards] == [4, 4, 4]
    padded = (whole * 2)[:12]
    for rank in range(3):
        assert shards[rank] == padded[rank::3]
    iterator = iter(sampler)
    next(iterator)
    state = sampler.state_dict()
    rest = list(iterator)
    again = BalancedBatchSampler(y, 2, 4, seed=3, num_batches=11)
    again.load_state_dict(state)
    assert list(again) == rest
    loader = DataLoader(
        TensorDataset(torch.as_tensor(y)), batch_sampler=again, num_workers=0
    )
    assert sum(batch[0].shape[0] for batch in loader) == 11 * 8


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((_labels(), 5, 2), {}, ValueError, "`n_classes_per_batch`"),
        ((_labels(), 2, 0), {}, ValueError, "`n_samples_per_class`"),
        ((_labels(), 2, 25), {}, ValueError, "replacement=True"),
        ((_labels(), 2, 2), {"num_batches": 0}, ValueError, "`num_batches`"),
    ],
)
def test_batch_sampler_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        BalancedBatchSampler(*args, **kwargs)


def test_callable_and_float_strategies():
    y = np.repeat([0, 1, 2], [50, 20, 5])

    def strategy(labels):
        counts = np.bincount(labels)
        return {1: int(counts[1]) * 2, 2: 30}

    sampler = BalancedSampler(y, strategy, seed=0)
    assert sampler.epoch_counts() == {0: 50, 1: 40, 2: 30}
    drawn = np.fromiter(sampler, dtype=np.int64)
    assert np.bincount(y[drawn]).tolist() == [50, 40, 30]
    binary = BalancedSampler(np.repeat([0, 1], [50, 5]), 0.5, seed=0)
    assert binary.epoch_counts() == {0: 50, 1: 25}
