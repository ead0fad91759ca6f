"""Run in spawned processes by test_multilabel_sampler_ddp: one rank of a gloo
process group."""

from __future__ import annotations

import numpy as np
import torch.distributed as dist

from balancekit.torch.samplers import MultilabelBalancedSampler


def indicator() -> np.ndarray:
    """600 rows, 5 labels of very different sizes, some rows with several."""
    rng = np.random.default_rng(0)
    y = (rng.random((600, 5)) < [0.6, 0.2, 0.05, 0.01, 0.003]).astype(np.int8)
    y[:2, 4] = 1
    return y


def draw_shards(rank: int, world_size: int, store: str, out_dir: str) -> None:
    """Build the sampler with defaults from the process group; save this rank's
    epoch-2 shard with and without replacement."""
    dist.init_process_group(
        "gloo", init_method=f"file://{store}", rank=rank, world_size=world_size
    )
    try:
        y = indicator()
        for replacement in (True, False):
            sampler = MultilabelBalancedSampler(
                y, "sqrt", num_samples=1001, replacement=replacement, seed=7
            )
            assert sampler.num_replicas == world_size
            assert sampler.rank == rank
            sampler.set_epoch(2)
            np.save(
                f"{out_dir}/indices-{replacement}-{rank}.npy", np.array(list(sampler))
            )
        dist.barrier()
    finally:
        dist.destroy_process_group()
