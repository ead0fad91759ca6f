"""Real multi-process DDP: 2 and 3 gloo ranks each take a disjoint, equally long shard
of the same epoch draw."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.multiprocessing as mp  # noqa: E402

from balancekit.torch import BalancedBatchSampler, BalancedSampler  # noqa: E402
from tests.torch._ddp_worker import draw_shards  # noqa: E402


def _run(rank, world_size, store, out_dir):
    draw_shards(rank, world_size, store, out_dir)


@pytest.mark.slow
@pytest.mark.parametrize("world_size", [2, 3])
def test_gloo_ranks_share_one_epoch_draw(world_size, tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not available")
    mp.spawn(
        _run,
        args=(world_size, str(tmp_path / "store"), str(tmp_path)),
        nprocs=world_size,
        join=True,
    )
    y = np.repeat(np.arange(3), [500, 120, 31])
    whole = BalancedSampler(y, "balanced", num_samples=1001, seed=7)
    whole.set_epoch(2)
    draw = whole.epoch_draw()
    shards = [np.load(tmp_path / f"indices-{r}.npy") for r in range(world_size)]
    per_rank = -(-1001 // world_size)
    assert all(shard.shape == (per_rank,) for shard in shards)
    padded = np.concatenate([draw, draw])[: per_rank * world_size]
    # Positions of the epoch draw are split without overlap; the union is the draw
    # plus DistributedSampler's padding from its start.
    for rank, shard in enumerate(shards):
        np.testing.assert_array_equal(shard, padded[rank::world_size])
    union = np.sort(np.concatenate(shards))
    np.testing.assert_array_equal(union, np.sort(padded))

    batches = BalancedBatchSampler(y, 2, 3, num_batches=10, seed=7)
    batches.set_epoch(2)
    all_batches = batches.epoch_draw()
    per_rank = -(-10 // world_size)
    padded = np.concatenate([all_batches, all_batches])[: per_rank * world_size]
    for rank in range(world_size):
        got = np.load(tmp_path / f"batches-{rank}.npy")
        np.testing.assert_array_equal(got, padded[rank::world_size])
