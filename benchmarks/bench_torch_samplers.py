"""One epoch of DataLoader indices: balancekit's BalancedSampler against PyTorch's
WeightedRandomSampler.

Run from the repository root (``make bench`` runs every benchmark)::

    .venv/bin/python benchmarks/bench_torch_samplers.py [--quick] [--json PATH]

Data: 10,000,000 labels of 10 classes (one at 50%, one at 1%, the rest equal). Both
samplers draw one epoch of 10,000,000 indices with replacement towards balanced
classes (WeightedRandomSampler with inverse-frequency weights, the usual recipe) and
the epoch is consumed as a DataLoader consumes it: ``list(sampler)``. Protocol:
``benchmarks/_functions.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from _functions import compare, print_and_save
from _harness import RESULTS
from torch.utils.data import WeightedRandomSampler

from balancekit.torch import BalancedSampler


def _labels(n_samples: int, seed: int = 0) -> np.ndarray:
    shares = np.array([0.5] + [0.49 / 8] * 8 + [0.01])
    return np.random.default_rng(seed).choice(10, size=n_samples, p=shares)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1/10 of the labels")
    parser.add_argument("--json", type=Path, default=RESULTS / "torch_samplers.json")
    args = parser.parse_args(argv)
    n = args.n_samples // (10 if args.quick else 1)
    y = _labels(n)
    weights = torch.as_tensor(1.0 / np.bincount(y)[y])
    balanced = BalancedSampler(y, "balanced", num_samples=n, seed=0)
    weighted = WeightedRandomSampler(
        weights, num_samples=n, generator=torch.Generator().manual_seed(0)
    )
    epochs = iter(range(10**9))

    def balancekit_epoch() -> list[int]:
        balanced.set_epoch(next(epochs))
        return list(balanced)

    timings = compare(
        {
            "WeightedRandomSampler": lambda: list(weighted),
            "balancekit BalancedSampler": balancekit_epoch,
        },
        args.repeats,
    )
    drawn = np.asarray(balancekit_epoch())
    shares = np.bincount(y[drawn], minlength=10) / n
    print(
        f"one epoch of {n:,} indices, 10 classes; balancekit class shares: "
        f"{np.round(shares, 3).tolist()}"
    )
    print_and_save(
        "BalancedSampler vs WeightedRandomSampler",
        timings,
        "WeightedRandomSampler",
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
