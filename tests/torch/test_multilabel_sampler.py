"""MultilabelBalancedSampler: class-aware draws (a label, then a row that has it),
their distribution, determinism, inputs, errors, resume and pickling."""

from __future__ import annotations

import io
import json
import pickle
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
import torch.multiprocessing as mp  # noqa: E402
from torch.utils.data import (  # noqa: E402
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
)

from balancekit._class_aware_draws import (  # noqa: E402
    class_aware_draw,
    label_probabilities,
    label_rows,
)
from balancekit.torch.samplers import (  # noqa: E402
    BalancedSampler,
    MultilabelBalancedSampler,
)
from tests.torch._multilabel_ddp_worker import draw_shards, indicator  # noqa: E402

# 40 rows, 4 labels of 30, 12, 5 and 2 rows; rows 36..39 have no label.
Y = np.zeros((40, 4), dtype=np.int64)
Y[:30, 0] = 1
Y[20:32, 1] = 1
Y[31:36, 2] = 1
Y[[3, 33], 3] = 1


def _indicator(rng, n_rows, n_labels, density):
    y = (rng.random((n_rows, n_labels)) < density).astype(np.int8)
    y[rng.integers(0, n_rows, n_labels), np.arange(n_labels)] = 1  # no empty label
    return y


def _expected_picks(distribution, counts):
    counts = counts.astype(np.float64)
    if distribution == "uniform":
        weights = np.ones_like(counts)
    elif distribution == "sqrt":
        weights = np.sqrt(counts)
    elif distribution == "natural":
        weights = counts
    else:
        weights = np.asarray(distribution, dtype=np.float64)
    return weights / weights.sum()


# --- the draw plan -------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_rows=st.integers(1, 30),
    n_labels=st.integers(1, 6),
    density=st.floats(0.05, 0.9),
    n_draws=st.integers(1, 200),
    distribution=st.sampled_from(["uniform", "sqrt", "natural"]),
    replacement=st.booleans(),
    shuffle=st.booleans(),
)
def test_every_drawn_row_has_the_picked_label(
    seed, n_rows, n_labels, density, n_draws, distribution, replacement, shuffle
):
    rng = np.random.default_rng(seed)
    y = _indicator(rng, n_rows, n_labels, density)
    rows = label_rows(y)
    p = label_probabilities(distribution, rows.counts)
    draw = class_aware_draw(
        rows, p, n_draws, rng, replacement=replacement, shuffle=shuffle
    )
    assert draw.indices.shape == draw.labels.shape == (n_draws,)
    assert draw.indices.dtype == np.int64
    assert (y[draw.indices, draw.labels] == 1).all()
    # Each label is picked n * p rounded down or up.
    picks = np.bincount(draw.labels, minlength=n_labels)
    assert picks.sum() == n_draws
    assert (np.abs(picks - n_draws * p) < 1 + 1e-9).all()
    if not shuffle:
        assert (np.diff(draw.indices) >= 0).all()
    if not replacement:
        # Within a label, no row repeats before all its rows were drawn.
        for label in range(n_labels):
            mine = draw.indices[draw.labels == label]
            times = np.bincount(mine, minlength=n_rows)[y[:, label] == 1]
            assert times.max() - times.min() <= 1


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_rows=st.integers(1, 40),
    n_labels=st.integers(1, 7),
    block_elements=st.integers(1, 64),
    dtype=st.sampled_from([np.bool_, np.uint8, np.int64, np.float32]),
)
def test_label_rows_in_blocks_match_a_column_walk(
    seed, n_rows, n_labels, block_elements, dtype
):
    import balancekit._class_aware_draws as draws

    y = (np.random.default_rng(seed).random((n_rows, n_labels)) < 0.3).astype(dtype)
    original = draws._BLOCK_ELEMENTS
    draws._BLOCK_ELEMENTS = block_elements  # many blocks, some of one row
    try:
        rows = label_rows(y)
    finally:
        draws._BLOCK_ELEMENTS = original
    expected = [np.flatnonzero(y[:, label]) for label in range(n_labels)]
    assert rows.counts.tolist() == [part.shape[0] for part in expected]
    for label, part in enumerate(expected):
        got = rows.order[rows.starts[label] : rows.starts[label + 1]]
        np.testing.assert_array_equal(got, part)
    assert rows.n_unlabelled == int((~y.astype(bool).any(axis=1)).sum())
    assert rows.order.dtype == np.int64


@pytest.mark.parametrize(
    "distribution", ["uniform", "sqrt", "natural", [0.1, 0.2, 0.3, 0.0, 0.4]]
)
@pytest.mark.parametrize("replacement", [True, False])
def test_the_drawn_rows_follow_the_distribution(distribution, replacement):
    # Each row has exactly one label, so a yielded row tells the picked label; rows
    # within a label are uniform (counts within 5 binomial sd of their mean).
    counts = np.array([1000, 300, 60, 7, 3])
    y = np.zeros((counts.sum(), 5), dtype=bool)
    y[np.arange(counts.sum()), np.repeat(np.arange(5), counts)] = True
    n = 200_000
    sampler = MultilabelBalancedSampler(
        y, distribution, num_samples=n, seed=3, replacement=replacement
    )
    drawn = np.array(list(sampler))
    picked = y[drawn].argmax(axis=1)
    p = _expected_picks(distribution, counts)
    np.testing.assert_allclose(sampler.label_probabilities, p, rtol=0, atol=1e-15)
    per_label = np.bincount(picked, minlength=5)
    sd = np.sqrt(n * p * (1 - p))
    assert (np.abs(per_label - n * p) <= 5 * sd + 1).all(), (per_label, n * p)
    per_row = np.bincount(drawn, minlength=y.shape[0])
    for label, size in enumerate(counts):
        times = per_row[y[:, label]]
        mean = n * p[label] / size
        if replacement:
            row_sd = np.sqrt(mean * (1 - 1 / size))
            assert (np.abs(times - mean) <= 5 * row_sd + 1).all()
        else:
            assert times.max() - times.min() <= 1


def test_sampler_draw_is_the_shared_draw_plan():
    sampler = MultilabelBalancedSampler(Y, "sqrt", num_samples=77, seed=11)
    sampler.set_epoch(4)
    rows = label_rows(Y)
    plan = class_aware_draw(
        rows,
        label_probabilities("sqrt", rows.counts),
        77,
        np.random.default_rng([11, 4]),
    )
    np.testing.assert_array_equal(sampler.epoch_draw(), plan.indices)
    assert list(sampler) == plan.indices.tolist()


def test_rows_without_a_label_are_never_drawn():
    sampler = MultilabelBalancedSampler(Y, num_samples=5000, seed=0)
    drawn = np.array(list(sampler))
    assert sampler.n_unlabelled == 4
    assert not np.isin(drawn, np.arange(36, 40)).any()
    assert set(drawn.tolist()) == set(range(36))


def test_attributes():
    sampler = MultilabelBalancedSampler(Y, [0.4, 0.3, 0.2, 0.1])
    assert sampler.n_labels == 4
    assert sampler.label_counts.tolist() == [30, 12, 5, 2]
    assert len(sampler) == 40
    np.testing.assert_allclose(sampler.label_probabilities, [0.4, 0.3, 0.2, 0.1])
    sampler.label_probabilities[:] = 0  # a copy
    assert sampler.label_probabilities.sum() == pytest.approx(1.0)


# --- determinism and epochs ----------------------------------------------------


def test_draw_is_a_function_of_seed_and_epoch():
    first = MultilabelBalancedSampler(Y, seed=5, num_samples=200)
    second = MultilabelBalancedSampler(Y, seed=5, num_samples=200)
    assert list(first) == list(second)
    first.set_epoch(1)
    second.set_epoch(1)
    epoch1 = list(first)
    assert epoch1 == list(second)
    first.set_epoch(0)
    assert list(first) != epoch1
    other_seed = MultilabelBalancedSampler(Y, seed=6, num_samples=200)
    assert list(other_seed) != list(first)


@pytest.mark.parametrize("replacement", [True, False])
def test_shuffle_false_yields_sorted_indices(replacement):
    sampler = MultilabelBalancedSampler(
        Y, num_samples=100, shuffle=False, replacement=replacement, seed=1
    )
    drawn = list(sampler)
    assert drawn == sorted(drawn)


@pytest.mark.parametrize(
    ("num_replicas", "drop_last", "length"),
    [(1, False, 101), (2, False, 51), (2, True, 50), (3, False, 34), (3, True, 33)],
)
def test_shards_split_one_epoch(num_replicas, drop_last, length):
    whole = MultilabelBalancedSampler(Y, num_samples=101, seed=2).epoch_draw()
    shards = []
    for rank in range(num_replicas):
        sampler = MultilabelBalancedSampler(
            Y,
            num_samples=101,
            seed=2,
            num_replicas=num_replicas,
            rank=rank,
            drop_last=drop_last,
        )
        assert len(sampler) == length
        shards.append(list(sampler))
    total = length * num_replicas
    padded = np.concatenate([whole, whole])[:total]
    for rank, shard in enumerate(shards):
        assert shard == padded[rank:total:num_replicas].tolist()


def test_dataloader_yields_rows_with_labels():
    x = torch.arange(40.0)[:, None]
    dataset = TensorDataset(x, torch.as_tensor(Y, dtype=torch.float32))
    sampler = MultilabelBalancedSampler(dataset, seed=0, num_samples=400)
    loader = DataLoader(dataset, batch_size=50, sampler=sampler)
    labels = torch.cat([batch_y for _, batch_y in loader])
    assert labels.shape == (400, 4)
    assert bool((labels.sum(1) > 0).all())
    # Uniform over labels: each label is picked 100 times, and label 3 (2 rows)
    # appears on at least those 100 rows instead of 2 / 40 of them.
    assert int(labels[:, 3].sum()) >= 100


# --- inputs --------------------------------------------------------------------


class _Targets(Dataset):
    def __init__(self, targets):
        self.targets = targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return index


@pytest.mark.parametrize(
    "make",
    [
        lambda: Y.astype(bool),
        lambda: Y.astype(np.float32),
        lambda: Y.tolist(),
        lambda: torch.as_tensor(Y),
        lambda: torch.as_tensor(Y, dtype=torch.bfloat16),
        lambda: TensorDataset(torch.zeros(40, 2), torch.as_tensor(Y)),
        lambda: _Targets(Y),
    ],
    ids=["bool", "float32", "list", "tensor", "bfloat16", "TensorDataset", "targets"],
)
def test_inputs_give_the_same_draw(make):
    reference = MultilabelBalancedSampler(Y, seed=4).epoch_draw()
    np.testing.assert_array_equal(
        MultilabelBalancedSampler(make(), seed=4).epoch_draw(), reference
    )


def test_strict_device1_labels_are_read_once_on_the_host():
    import array_api_strict

    from tests.conftest import STRICT_DEVICE1

    y = array_api_strict.asarray(Y, device=STRICT_DEVICE1)
    reference = MultilabelBalancedSampler(Y, seed=4).epoch_draw()
    np.testing.assert_array_equal(
        MultilabelBalancedSampler(y, seed=4).epoch_draw(), reference
    )


def test_subset_and_labels_fn():
    dataset = TensorDataset(torch.zeros(40, 2), torch.as_tensor(Y))
    subset = Subset(dataset, list(range(10, 40)))
    sampler = MultilabelBalancedSampler(subset, "sqrt", seed=0)
    assert sampler.label_counts.tolist() == [20, 12, 5, 1]
    by_fn = MultilabelBalancedSampler(
        {"y": Y}, seed=0, labels_fn=lambda data: data["y"]
    )
    np.testing.assert_array_equal(
        by_fn.epoch_draw(), MultilabelBalancedSampler(Y, seed=0).epoch_draw()
    )


def test_the_labels_are_not_modified():
    y = Y.astype(np.float64)
    tensor = torch.as_tensor(Y)
    before, tensor_before = y.copy(), tensor.clone()
    list(MultilabelBalancedSampler(y, seed=0))
    list(MultilabelBalancedSampler(tensor, seed=0, replacement=False))
    np.testing.assert_array_equal(y, before)
    assert torch.equal(tensor, tensor_before)


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"labels": np.array([0, 1, 1])},
            ValueError,
            r"`labels` must be a multilabel indicator of shape \(n_samples, n_labels\)"
            r".*got shape \(3,\).*BalancedSampler",
        ),
        (
            {"labels": np.array([[0, 2], [1, 0]])},
            ValueError,
            r"0/1 indicator; row 0, label 1 holds 2",
        ),
        (
            {"labels": np.array([[0.0, np.nan], [1.0, 0.0]])},
            ValueError,
            r"row 0, label 1 holds nan.*Threshold",
        ),
        (
            {"labels": np.array([["a", "b"]])},
            TypeError,
            r"0/1 numbers or booleans; got dtype <U1.*MultiLabelBinarizer",
        ),
        ({"labels": np.zeros((0, 3))}, ValueError, r"at least one row"),
        (
            {"labels": np.array([[1, 0, 0], [1, 0, 0]])},
            ValueError,
            r"`label_distribution`='uniform' gives weight to labels \[1, 2\], which "
            r"no row has.*Drop those label columns",
        ),
        (
            {"labels": Y, "label_distribution": "balanced"},
            ValueError,
            r"`label_distribution` must be one of 'uniform', 'sqrt', 'natural'",
        ),
        (
            {"labels": Y, "label_distribution": [0.5, 0.5]},
            ValueError,
            r"one probability per label, 4; got shape \(2,\)",
        ),
        (
            {"labels": Y, "label_distribution": [0.5, 0.5, 0.5, 0.5]},
            ValueError,
            r"must sum to 1; got a sum of 2",
        ),
        (
            {"labels": Y, "label_distribution": [1.5, -0.5, 0.0, 0.0]},
            ValueError,
            r"finite probabilities >= 0",
        ),
        (
            {"labels": Y, "label_distribution": {0: 1.0}},
            TypeError,
            r"`label_distribution` must be one of .* or a sequence of 4",
        ),
        ({"labels": Y, "num_samples": 0}, ValueError, r"`num_samples` must be >= 1"),
        ({"labels": Y, "replacement": 1}, TypeError, r"`replacement`"),
        ({"labels": Y, "seed": -1}, ValueError, r"`seed` must be >= 0"),
        ({"labels": Y, "num_replicas": 2, "rank": 2}, ValueError, r"`rank` must be"),
        ({"labels": Y, "labels_fn": 3}, TypeError, r"`labels_fn` must be callable"),
        (
            {"labels": Y, "labels_fn": lambda data: None},
            TypeError,
            r"`labels_fn` returned None",
        ),
        (
            {"labels": Y, "num_samples": 2**31 + 1},
            ValueError,
            r"more than the limit of 2,147,483,648",
        ),
    ],
)
def test_bad_input_is_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        MultilabelBalancedSampler(**kwargs)


def test_a_label_without_rows_is_fine_when_it_gets_no_weight():
    y = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]])
    for distribution in ("sqrt", "natural", [0.5, 0.0, 0.5]):
        sampler = MultilabelBalancedSampler(y, distribution, seed=0, num_samples=30)
        assert sampler.label_probabilities[1] == 0.0
        assert set(sampler) == {0, 1, 2}


# --- resume and pickling -------------------------------------------------------

BASE = {"labels": Y, "label_distribution": "sqrt", "seed": 0, "num_samples": 60}


def _interrupted(sampler, n_items):
    iterator = iter(sampler)
    head = [next(iterator) for _ in range(n_items)]
    return head, sampler.state_dict()


@pytest.mark.parametrize("replacement", [True, False])
def test_resume_continues_the_epoch(replacement):
    sampler = MultilabelBalancedSampler(**BASE, replacement=replacement)
    sampler.set_epoch(3)
    head, state = _interrupted(sampler, 25)
    assert state["sampler"] == "MultilabelBalancedSampler"
    assert (state["epoch"], state["yielded"]) == (3, 25)
    for saved in (
        state,
        json.loads(json.dumps(state)),
        pickle.loads(pickle.dumps(state)),
    ):
        resumed = MultilabelBalancedSampler(**BASE, replacement=replacement)
        resumed.load_state_dict(saved)
        assert head + list(resumed) == sampler.epoch_draw(3).tolist()
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    resumed = MultilabelBalancedSampler(**BASE, replacement=replacement)
    resumed.load_state_dict(torch.load(buffer))
    assert len(list(resumed)) == 35


CHANGES = {
    "labels": {"labels": Y[::-1].copy()},
    "label_counts": {"labels": np.concatenate([Y[:, :3], Y[:, :1]], axis=1)},
    "label_distribution": {"label_distribution": "natural"},
    "label_probabilities": {
        "labels": Y,
        "label_distribution": [0.4, 0.3, 0.2, 0.1],
    },
    "num_samples": {"num_samples": 61},
    "replacement": {"replacement": False},
    "shuffle": {"shuffle": False},
    "num_replicas": {"num_replicas": 2},
    "drop_last": {"drop_last": True, "num_replicas": 1},
}


@pytest.mark.parametrize("field", list(CHANGES))
def test_each_differing_setting_is_named(field):
    saving = dict(BASE)
    if field == "label_probabilities":
        saving["label_distribution"] = [0.1, 0.2, 0.3, 0.4]
    _, state = _interrupted(MultilabelBalancedSampler(**saving), 10)
    loading = MultilabelBalancedSampler(**{**saving, **CHANGES[field]})
    with pytest.raises(ValueError, match=rf"\b{field} \(saved ") as error:
        loading.load_state_dict(state)
    assert "repeat and skip" in str(error.value)
    named = set(re.findall(r"(\w+) \(saved ", str(error.value)))
    assert field in named
    MultilabelBalancedSampler(**saving).load_state_dict(state)


def test_states_of_other_samplers_are_refused():
    _, state = _interrupted(MultilabelBalancedSampler(**BASE), 5)
    single = BalancedSampler(np.repeat([0, 1], 20), "balanced", seed=0)
    with pytest.raises(ValueError, match="saved by a MultilabelBalancedSampler"):
        single.load_state_dict(state)
    _, single_state = _interrupted(single, 5)
    with pytest.raises(ValueError, match="saved by a BalancedSampler"):
        MultilabelBalancedSampler(**BASE).load_state_dict(single_state)
    with pytest.raises(ValueError, match="seed=0 but this sampler has seed=1"):
        MultilabelBalancedSampler(**{**BASE, "seed": 1}).load_state_dict(state)


@pytest.mark.parametrize("replacement", [True, False])
def test_sampler_pickles_fresh_and_mid_epoch(replacement):
    sampler = MultilabelBalancedSampler(**BASE, replacement=replacement)
    sampler.set_epoch(2)
    copy = pickle.loads(pickle.dumps(sampler))
    assert list(copy) == list(sampler)
    assert copy.state_dict() == sampler.state_dict()
    iterator = iter(sampler)
    head = [next(iterator) for _ in range(7)]
    restored = pickle.loads(pickle.dumps(sampler))
    assert restored.state_dict() == sampler.state_dict()  # mid-epoch position kept
    np.testing.assert_array_equal(restored.epoch_draw(), sampler.epoch_draw())
    resumed = MultilabelBalancedSampler(**BASE, replacement=replacement)
    resumed.load_state_dict(restored.state_dict())
    assert head + list(resumed) == sampler.epoch_draw().tolist()


# --- real DDP: 2 and 3 gloo ranks ------------------------------------------------


def _run(rank, world_size, store, out_dir):
    draw_shards(rank, world_size, store, out_dir)


@pytest.mark.slow
@pytest.mark.parametrize("world_size", [2, 3])
def test_gloo_ranks_share_one_multilabel_epoch_draw(world_size, tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    mp.spawn(
        _run,
        args=(world_size, str(tmp_path / "store"), str(tmp_path)),
        nprocs=world_size,
        join=True,
    )
    y = indicator()
    per_rank = -(-1001 // world_size)
    for replacement in (True, False):
        whole = MultilabelBalancedSampler(
            y, "sqrt", num_samples=1001, replacement=replacement, seed=7
        )
        draw = whole.epoch_draw(2)
        shards = [
            np.load(tmp_path / f"indices-{replacement}-{r}.npy")
            for r in range(world_size)
        ]
        assert all(shard.shape == (per_rank,) for shard in shards)
        padded = np.concatenate([draw, draw])[: per_rank * world_size]
        # The ranks take disjoint positions of one draw; together they are the
        # whole epoch plus DistributedSampler's padding from its start.
        for rank, shard in enumerate(shards):
            np.testing.assert_array_equal(shard, padded[rank::world_size])
        positions = np.concatenate(
            [
                np.arange(rank, per_rank * world_size, world_size)
                for rank in range(world_size)
            ]
        )
        assert np.unique(positions).shape[0] == per_rank * world_size
        np.testing.assert_array_equal(np.sort(np.concatenate(shards)), np.sort(padded))
        assert (y[np.concatenate(shards)].sum(axis=1) > 0).all()
