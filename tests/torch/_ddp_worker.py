"""Run in spawned processes by test_samplers_ddp: one rank of a gloo process group."""

from __future__ import annotations

import numpy as np
import torch.distributed as dist

from balancekit.torch import BalancedBatchSampler, BalancedSampler


def draw_shards(rank: int, world_size: int, store: str, out_dir: str) -> None:
    """Build the samplers with defaults from the process group; save this rank's
    epoch-2 shard of each."""
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        y = np.repeat(np.arange(3), [500, 120, 31])
        sampler = BalancedSampler(y, "balanced", num_samples=1001, seed=7)
        batches = BalancedBatchSampler(y, 2, 3, num_batches=10, seed=7)
        for each in (sampler, batches):
            assert each.num_replicas == world_size
            assert each.rank == rank
            each.set_epoch(2)
        np.save(f"{out_dir}/indices-{rank}.npy", np.array(list(sampler)))
        np.save(f"{out_dir}/batches-{rank}.npy", np.array(list(batches)))
        dist.barrier()
    finally:
        dist.destroy_process_group()
