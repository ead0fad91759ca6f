"""ResampledDataset: a core sampler's output served as a Dataset, redrawn per epoch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from balancekit import SMOTE, RandomUnderSampler  # noqa: E402
from balancekit.torch import ResampledDataset  # noqa: E402


def _data(n_majority=60, n_minority=12, shape=(4,)):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n_majority + n_minority, *shape, generator=g)
    y = torch.tensor([0] * n_majority + [1] * n_minority)
    return X, y


def test_smote_result_served_and_inputs_untouched():
    X, y = _data()
    X_before = X.clone()
    dataset = ResampledDataset(TensorDataset(X, y), SMOTE(random_state=0))
    X_ref, y_ref = SMOTE(random_state=0).fit_resample(X, y)
    assert len(dataset) == 120
    torch.testing.assert_close(dataset.tensors[0], X_ref)
    assert torch.equal(dataset.tensors[1], y_ref)
    x5, y5 = dataset[5]
    assert int(y5) == int(y_ref[5])
    torch.testing.assert_close(x5, X_ref[5])
    assert torch.equal(X, X_before)
    batches = list(DataLoader(dataset, batch_size=32, shuffle=True))
    assert sum(int(b[1].sum()) for b in batches) == 60


def test_images_and_sample_weight():
    X, y = _data(shape=(2, 3, 3))
    w = torch.linspace(0.5, 1.5, X.shape[0], dtype=torch.float64)
    dataset = ResampledDataset((X, y, w), SMOTE(random_state=1))
    X_res, y_res, w_res = dataset.tensors
    assert y_res.shape == (120,)
    assert X_res.shape == (120, 2, 3, 3)
    assert w_res.shape == (120,)
    assert len(dataset[0]) == 3


def test_redraw_per_epoch_is_fresh_and_reproducible():
    X, y = _data()
    dataset = ResampledDataset((X, y), SMOTE(random_state=3), redraw=True)
    dataset.set_epoch(1)
    epoch1 = dataset.tensors[0].clone()
    dataset.set_epoch(2)
    assert not torch.equal(dataset.tensors[0][72:], epoch1[72:])
    again = ResampledDataset((X, y), SMOTE(random_state=3), redraw=True)
    again.set_epoch(1)
    assert torch.equal(again.tensors[0], epoch1)
    # The originals are kept: only synthetic rows change.
    assert torch.equal(dataset.tensors[0][:72], X)


def test_under_sampler_and_no_redraw():
    X, y = _data()
    dataset = ResampledDataset((X, y), RandomUnderSampler(random_state=0))
    before = dataset.tensors[0].clone()
    dataset.set_epoch(3)
    assert torch.equal(dataset.tensors[0], before)
    assert torch.bincount(dataset.tensors[1]).tolist() == [12, 12]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((3, 2)), SMOTE()), {}, TypeError, "dataset_or_tensors"),
        (((torch.zeros(3, 2),), SMOTE()), {}, TypeError, "2 or 3 tensors"),
        ((_data(), object()), {}, TypeError, "fit_resample"),
        ((_data(), SMOTE()), {"redraw": 1}, TypeError, "redraw"),
    ],
)
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ResampledDataset(*args, **kwargs)


def test_redraw_needs_an_int_random_state():
    dataset = ResampledDataset(
        _data(), SMOTE(random_state=np.random.RandomState(0)), redraw=True
    )
    with pytest.raises(TypeError, match="random_state"):
        dataset.set_epoch(1)
    with pytest.raises(ValueError, match="epoch"):
        dataset.set_epoch(-2)
