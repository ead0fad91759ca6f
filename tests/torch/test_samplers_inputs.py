"""Epoch sizes are checked before anything is drawn, and unusual labels reach users
as ValueError/TypeError naming `labels` (or the parameter at fault), not as raw torch
or NumPy errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import Dataset, Subset  # noqa: E402

from balancekit import SMOTE  # noqa: E402
from balancekit.torch import (  # noqa: E402
    BalancedBatchSampler,
    BalancedSampler,
    ResampledDataset,
    _epoch,
)

Y = np.repeat([0, 1, 2], [50, 30, 20])


# Sizes -------------------------------------------------------------------------
# Each of these used to be accepted at construction and to allocate until memory ran
# out at the first iteration; now the constructor refuses them before any draw.


def test_num_batches_beyond_the_limit_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"`num_batches`=1000000000000000 ") as error:
        BalancedBatchSampler(Y, 2, 4, num_batches=10**15)
    message = str(error.value)
    assert "batches of 8" in message
    assert "8,000,000,000,000,000 indices" in message
    assert "2,147,483,648 (2**31)" in message
    assert "Pass fewer `num_batches`" in message


def test_huge_batches_by_default_num_batches_are_refused():
    with pytest.raises(ValueError, match="n_samples_per_class=10000000000"):
        BalancedBatchSampler(Y, 2, 10**10, replacement=True)


def test_num_samples_beyond_the_limit_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"`num_samples`=1000000000000 makes"):
        BalancedSampler(Y, "balanced", num_samples=10**12)
    with pytest.raises(ValueError, match=r"`num_samples`=10{20}"):
        BalancedSampler(Y, "auto", num_samples=10**20)


def test_a_strategy_asking_for_too_many_is_refused():
    with pytest.raises(ValueError, match=r"`sampling_strategy`=\{0: 10{12}"):
        BalancedSampler(Y, {0: 10**12, 1: 30, 2: 20})


def test_the_limit_is_exact(monkeypatch):
    monkeypatch.setattr(_epoch, "memory_bound", lambda: None)
    BalancedSampler(Y, "balanced", num_samples=2**31)  # drawn only when iterated
    with pytest.raises(ValueError, match="2,147,483,649 indices"):
        BalancedSampler(Y, "balanced", num_samples=2**31 + 1)
    BalancedBatchSampler(Y, 2, 4, num_batches=2**28)
    with pytest.raises(ValueError, match="num_batches"):
        BalancedBatchSampler(Y, 2, 4, num_batches=2**28 + 1)


def test_an_epoch_that_does_not_fit_in_memory_is_refused(monkeypatch):
    monkeypatch.setattr(_epoch, "memory_bound", lambda: 2**20)
    with pytest.raises(ValueError, match=r"needs about 0\.0 GiB, more than this"):
        BalancedSampler(Y, "balanced", num_samples=100_000)
    with pytest.raises(ValueError, match="`num_batches`=10000 "):
        BalancedBatchSampler(Y, 2, 4, num_batches=10_000)
    assert len(BalancedSampler(Y, "balanced", num_samples=1_000)) == 1_000


def test_more_than_65536_classes_are_shuffled_without_wrapping():
    """The class sequence of a draw without replacement held class codes as uint16,
    so classes 65536.. shared the codes of classes 0..: with one item per class, item
    2k then always came before item 2k + 1 (for the 4464 classes past 65536)."""
    sampler = BalancedSampler(np.arange(70_000), replacement=False, seed=0)
    position = np.argsort(sampler.epoch_draw())
    in_order = position[0:8928:2] < position[1:8928:2]
    assert 0.4 < in_order.mean() < 0.6  # 1.0 when the codes wrapped


# Labels ---------------------------------------------------------------------------


class _Targets(Dataset):
    def __init__(self, targets, labels=None):
        self.targets = targets
        if labels is not None:
            self.labels = labels

    def __len__(self):
        return 3

    def __getitem__(self, index):
        raise AssertionError("the sampler must not load samples")


def test_targets_none_says_the_attribute_is_none():
    with pytest.raises(TypeError, match="its `targets` attribute is None") as error:
        BalancedSampler(_Targets(None))
    assert "labels_fn=" in str(error.value)
    assert "pass the labels" in str(error.value)
    with pytest.raises(TypeError, match="`targets` attribute is None"):
        BalancedSampler(Subset(_Targets(None), [0, 1]))
    # A None `targets` with `labels` set reads `labels`.
    sampler = BalancedSampler(_Targets(None, labels=[0, 1, 1]))
    assert sampler.class_counts == {0: 1, 1: 2}


def test_meta_device_labels_are_refused_clearly():
    with pytest.raises(ValueError, match="`labels` is a tensor on the meta device"):
        BalancedSampler(torch.empty(10, device="meta"))
    with pytest.raises(ValueError, match="meta device"):
        BalancedSampler(_Targets(torch.empty(10, device="meta", dtype=torch.long)))
    with pytest.raises(ValueError, match="meta device"):
        BalancedBatchSampler(torch.empty(10, device="meta"), 2, 2)


def test_meta_device_tensors_in_resampled_dataset_are_refused_clearly():
    X = torch.empty(10, 2, device="meta")
    y = torch.empty(10, dtype=torch.long, device="meta")
    with pytest.raises(ValueError, match="has X and y on the meta device"):
        ResampledDataset((X, y), SMOTE())
    with pytest.raises(ValueError, match="has y on the meta device"):
        ResampledDataset((torch.randn(10, 2), y), SMOTE())


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        (torch.tensor([1 + 0j, 0j]), TypeError, "`labels` has complex dtype"),
        (torch.tensor([0.5, 1.0]), ValueError, "`labels` holds continuous"),
        (torch.tensor([0.0, float("nan")]), ValueError, "`labels` contains NaN"),
        (
            torch.tensor([[0, 1, 1], [1, 0, 0]]),
            ValueError,
            r"`labels` has shape \(2, 3\)",
        ),
        (torch.zeros(3, 2), ValueError, r"`labels` has shape \(3, 2\).*not one-hot"),
        (np.array([["a", "b"]]), ValueError, r"`labels` has shape \(1, 2\)"),
        (torch.zeros(2, 2, 2), ValueError, r"`labels` must be 1-D"),
        (torch.tensor(1), ValueError, "`labels` must be 1-D"),
        (torch.tensor([]), ValueError, "`labels` is empty"),
        (
            torch.tensor([0, 1]).to_sparse(),
            TypeError,
            "`labels` is a tensor with layout",
        ),
        ([[0, 1], [2]], ValueError, "`labels` could not be read as an array"),
        (object(), TypeError, "`labels` must be"),
    ],
)
def test_unusual_labels_get_clear_errors(labels, error, match):
    with pytest.raises(error, match=match):
        BalancedSampler(labels)


def test_one_hot_and_half_precision_labels_still_work():
    y = torch.tensor([0, 1, 1, 2])
    expected = list(BalancedSampler(y, seed=0))
    one_hot = torch.nn.functional.one_hot(y)
    assert list(BalancedSampler(one_hot, seed=0)) == expected
    for dtype in (torch.bfloat16, torch.float16):
        assert list(BalancedSampler(y.to(dtype), seed=0)) == expected


def test_labels_fn_returning_none_is_named():
    with pytest.raises(TypeError, match="`labels_fn` returned None"):
        BalancedSampler(_Targets([0, 1, 1]), labels_fn=lambda dataset: None)
