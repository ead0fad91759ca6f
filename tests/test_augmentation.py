"""balancekit.augmentation: contract on every backend, conventions, oracles, errors."""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors

from balancekit.augmentation import (
    balanced_mixup,
    gaussian_noise,
    mixup,
    remix,
    smote_batch,
)
from balancekit.torch import BatchAugment

N_CLASSES = 3
SEED = 7

FUNCTIONS = {
    "mixup": partial(mixup, alpha=0.4),
    "remix": partial(remix, alpha=0.4, kappa=2.0),
    "balanced_mixup": partial(balanced_mixup, alpha=0.4),
    "smote_batch": partial(smote_batch, k_neighbors=2),
    "gaussian_noise": partial(gaussian_noise, std=0.5),
}


def _batch(n_per_class=(24, 10, 6), trailing=(3, 2), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    y = y[rng.permutation(y.shape[0])]
    x = rng.normal(size=(y.shape[0], *trailing)).astype(dtype)
    return x, y


@pytest.mark.parametrize("name", FUNCTIONS)
def test_contract_on_every_backend(backend, name):
    x, y = _batch()
    x_new, y_soft = FUNCTIONS[name](
        backend.asarray(x), backend.asarray(y), num_classes=N_CLASSES, random_state=0
    )
    n_out = 3 * 24 if name == "smote_batch" else x.shape[0]
    assert tuple(x_new.shape) == (n_out, *x.shape[1:])
    assert tuple(y_soft.shape) == (n_out, N_CLASSES)
    assert backend.device_of(x_new) == backend.device
    assert backend.device_of(y_soft) == backend.device
    assert type(x_new) is type(backend.asarray(x))
    x_np, y_np = backend.to_numpy(x_new), backend.to_numpy(y_soft)
    assert x_np.dtype == np.float32
    assert y_np.dtype == np.float32
    np.testing.assert_allclose(y_np.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(y_np >= 0)
    assert np.all(np.isfinite(x_np))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_seed_reproducible_and_soft_labels(backend, name):
    x, y = _batch()
    fn = partial(FUNCTIONS[name], num_classes=N_CLASSES)
    xb, yb = backend.asarray(x), backend.asarray(y)
    first = backend.to_numpy(fn(xb, yb, random_state=SEED)[0])
    again = backend.to_numpy(fn(xb, yb, random_state=SEED)[0])
    other = backend.to_numpy(fn(xb, yb, random_state=SEED + 1)[0])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    one_hot = backend.asarray(np.eye(N_CLASSES, dtype=np.float32)[y])
    from_soft = backend.to_numpy(fn(xb, one_hot, random_state=SEED)[0])
    np.testing.assert_array_equal(first, from_soft)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_numpy_equals_torch(name):
    x, y = _batch(dtype=np.float64)
    fn = partial(FUNCTIONS[name], num_classes=N_CLASSES, random_state=SEED)
    x_np, y_np = fn(x, y)
    x_t, y_t = fn(torch.as_tensor(x), torch.as_tensor(y))
    np.testing.assert_allclose(x_t.numpy(), x_np, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y_t.numpy(), y_np, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", [mixup, remix])
def test_mixup_and_remix_mix_features_with_the_drawn_partner(fn):
    x, y = _batch(dtype=np.float64)
    x_new, _ = fn(x, y, num_classes=N_CLASSES, alpha=0.5, random_state=SEED)
    rng = np.random.default_rng(SEED)
    lam = rng.beta(0.5, 0.5, size=x.shape[0])
    perm = rng.permutation(x.shape[0])
    lam_x = lam[:, None, None]
    np.testing.assert_allclose(x_new, lam_x * x + (1 - lam_x) * x[perm], atol=1e-12)


def test_mixup_labels_follow_lambda():
    x, y = _batch(dtype=np.float64)
    _, y_soft = mixup(x, y, num_classes=N_CLASSES, alpha=0.5, random_state=SEED)
    rng = np.random.default_rng(SEED)
    lam = rng.beta(0.5, 0.5, size=x.shape[0])[:, None]
    perm = rng.permutation(x.shape[0])
    eye = np.eye(N_CLASSES)
    np.testing.assert_allclose(y_soft, lam * eye[y] + (1 - lam) * eye[y[perm]])


def _remix_expected(y, lam, perm, counts, kappa, tau):
    ratio = counts[y] / counts[y[perm]]
    lam_y = np.where(
        (ratio >= kappa) & (lam < tau),
        0.0,
        np.where((ratio <= 1 / kappa) & (1 - lam < tau), 1.0, lam),
    )
    eye = np.eye(counts.shape[0])
    return lam_y[:, None] * eye[y] + (1 - lam_y[:, None]) * eye[y[perm]]


@pytest.mark.parametrize("use_class_counts", [False, True])
def test_remix_label_goes_to_the_minority_class(use_class_counts):
    x, y = _batch(n_per_class=(900, 100), trailing=(2,), dtype=np.float64)
    counts = np.array([900.0, 100.0]) if not use_class_counts else np.array([5, 1.0])
    extra = {"class_counts": [5, 1]} if use_class_counts else {}
    _, y_soft = remix(
        x, y, num_classes=2, alpha=1.0, kappa=2.0, tau=0.5, random_state=SEED, **extra
    )
    rng = np.random.default_rng(SEED)
    lam = rng.beta(1.0, 1.0, size=x.shape[0])
    perm = rng.permutation(x.shape[0])
    np.testing.assert_allclose(
        y_soft, _remix_expected(y, lam, perm, counts, 2.0, 0.5), atol=1e-12
    )
    # Monte-Carlo view: of the cross-class pairs, those whose minority sample weighs
    # more than 1 - tau = 0.5 (half of them, lam ~ U(0, 1)) get the minority label.
    cross = y != y[perm]
    fully_minority = np.isclose(y_soft[:, 1], 1.0)
    share = fully_minority[cross].mean()
    assert 0.4 < share < 0.6
    assert not np.any(fully_minority & ~cross & (y == 0))


def test_balanced_mixup_partners_are_class_balanced_on_segments():
    x, y = _batch(n_per_class=(2700, 250, 50), trailing=(2,), dtype=np.float64)
    x_new, y_soft = balanced_mixup(x, y, num_classes=3, alpha=0.3, random_state=SEED)
    lam = np.random.default_rng(SEED).beta(0.3, 1.0, size=x.shape[0])[:, None]
    eye = np.eye(3)
    partner_part = y_soft - (1 - lam) * eye[y]  # = lam * one_hot(partner class)
    keep = lam[:, 0] > 1e-3
    np.testing.assert_allclose(partner_part.sum(axis=1), lam[:, 0], atol=1e-12)
    partner_class = np.argmax(partner_part, axis=1)[keep]
    shares = np.bincount(partner_class, minlength=3) / partner_class.shape[0]
    np.testing.assert_allclose(shares, 1 / 3, atol=0.05)
    # x_new = (1 - lam) x + lam x_partner, with x_partner a row of the partner class.
    x_partner = (x_new - (1 - lam) * x)[keep] / lam[keep]
    distances = np.linalg.norm(x_partner[:, None, :] - x[None, :, :], axis=2)
    nearest = np.argmin(distances, axis=1)
    assert np.all(distances[np.arange(nearest.shape[0]), nearest] < 1e-6)
    np.testing.assert_array_equal(y[nearest], partner_class)


def _on_same_class_segment(x_row, members, k):
    """Whether x_row lies on a segment from a member to one of its k neighbours."""
    neighbours = SkNearestNeighbors(n_neighbors=k + 1).fit(members)
    _, index = neighbours.kneighbors(members)
    for parent, row in enumerate(index):
        for partner in row[1:]:
            a, b = members[parent], members[partner]
            direction = b - a
            t = float(np.dot(x_row - a, direction) / np.dot(direction, direction))
            if -1e-9 <= t <= 1 + 1e-9 and np.allclose(a + t * direction, x_row):
                return True
    return False


def test_smote_batch_balances_and_interpolates_same_class_neighbours():
    x, y = _batch(n_per_class=(20, 8, 5), trailing=(2, 2), dtype=np.float64)
    x_new, y_soft = smote_batch(x, y, num_classes=3, k_neighbors=3, random_state=0)
    np.testing.assert_array_equal(x_new[: x.shape[0]], x)
    np.testing.assert_array_equal(y_soft.sum(axis=0), [20, 20, 20])
    flat, flat_new = x.reshape(x.shape[0], -1), x_new.reshape(x_new.shape[0], -1)
    new_classes = np.argmax(y_soft[x.shape[0] :], axis=1)
    for row, cls in zip(flat_new[x.shape[0] :], new_classes, strict=True):
        assert _on_same_class_segment(row, flat[y == cls], k=3)


def test_smote_batch_n_new_and_target_class(backend):
    x, y = _batch(n_per_class=(20, 8, 5), trailing=(2,))
    fn = partial(smote_batch, num_classes=3, k_neighbors=2, random_state=0)
    _, y_soft = fn(backend.asarray(x), backend.asarray(y), n_new=7)
    counts = backend.to_numpy(y_soft).sum(axis=0)
    np.testing.assert_array_equal(counts, [20, 8 + 3, 5 + 4])  # deficits 12 : 15
    _, y_soft = fn(backend.asarray(x), backend.asarray(y), target_class=2)
    np.testing.assert_array_equal(backend.to_numpy(y_soft).sum(axis=0), [20, 8, 20])


def test_gaussian_noise_changes_only_the_chosen_classes(backend):
    x, y = _batch()
    xb, yb = backend.asarray(x), backend.asarray(y)
    x_new = backend.to_numpy(gaussian_noise(xb, yb, num_classes=3, random_state=0)[0])
    assert np.array_equal(x_new[y == 0], x[y == 0])  # the most frequent class
    assert np.all(np.any((x_new != x).reshape(x.shape[0], -1), axis=1)[y != 0])
    x_new = backend.to_numpy(
        gaussian_noise(xb, yb, num_classes=3, classes=[2], random_state=0)[0]
    )
    assert np.array_equal(x_new[y != 2], x[y != 2])
    assert not np.array_equal(x_new[y == 2], x[y == 2])


def test_gaussian_noise_scale():
    x, y = _batch(n_per_class=(10, 4000), trailing=(2,), dtype=np.float64)
    x = x * np.array([1.0, 10.0])
    x_new, _ = gaussian_noise(x, y, num_classes=2, std=0.2, classes=1, random_state=0)
    noise_std = (x_new - x)[y == 1].std(axis=0)
    np.testing.assert_allclose(noise_std, 0.2 * x.std(axis=0), rtol=0.1)


def test_batch_augment_as_collate_fn():
    x, y = _batch(trailing=(4,))
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    augment = BatchAugment(mixup, num_classes=3, alpha=0.4, random_state=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=8, collate_fn=augment)
    batches = list(loader)
    assert len(batches) == 5
    x_new, y_soft = batches[0]
    assert x_new.shape == (8, 4)
    assert y_soft.shape == (8, 3)
    torch.testing.assert_close(y_soft.sum(dim=1), torch.ones(8))
    stacked = augment((torch.as_tensor(x), torch.as_tensor(y)))
    assert stacked[0].shape == x.shape


def test_old_batch_augment_path_warns_and_gives_the_torch_class():
    import balancekit.augmentation as augmentation

    with pytest.warns(FutureWarning, match="balancekit.torch.BatchAugment"):
        old = augmentation.BatchAugment
    assert old is BatchAugment
    assert "BatchAugment" not in augmentation.__all__


def test_import_does_not_load_torch():
    code = "import sys, balancekit.augmentation\nprint('torch' in sys.modules)\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_classes": 1}, ValueError, "`num_classes`"),
        ({"num_classes": 2.0}, TypeError, "`num_classes`"),
        ({"y": np.array([0, 1, 3, 0])}, ValueError, r"`y` labels must lie"),
        ({"y": np.array([0, -1, 1, 0])}, ValueError, r"`y` labels must lie"),
        ({"y": np.array([0, 1, 1])}, ValueError, "same length"),
        ({"y": np.array([0.0, 1.0, 1.0, 0.0])}, TypeError, "`y`"),
        ({"y": np.full((4, 3), 0.5)}, ValueError, "sum to 1"),
        ({"y": np.array([[1.5, -0.5, 0]] * 4)}, ValueError, r"\[0, 1\]"),
        ({"y": np.eye(2)[[0, 1, 1, 0]]}, ValueError, "num_classes=3 columns"),
        ({"x": np.arange(4)}, TypeError, "`x`"),
        ({"alpha": 0.0}, ValueError, "`alpha`"),
        ({"alpha": -1.0}, ValueError, "`alpha`"),
    ],
)
@pytest.mark.parametrize("fn", [mixup, remix, balanced_mixup])
def test_errors_name_the_parameter(fn, kwargs, error, match):
    arguments = {"x": np.zeros((4, 2)), "y": np.array([0, 1, 2, 0]), "num_classes": 3}
    arguments.update(kwargs)
    x, y = arguments.pop("x"), arguments.pop("y")
    with pytest.raises(error, match=match):
        fn(x, y, **arguments)


@pytest.mark.parametrize(
    ("fn", "kwargs", "error", "match"),
    [
        (remix, {"kappa": 0.5}, ValueError, "`kappa`"),
        (remix, {"tau": 1.5}, ValueError, "`tau`"),
        (remix, {"class_counts": [1, 2]}, ValueError, "`class_counts`"),
        (remix, {"class_counts": [1, 0, 2]}, ValueError, "`class_counts`"),
        (gaussian_noise, {"std": 0}, ValueError, "`std`"),
        (gaussian_noise, {"classes": [5]}, ValueError, "`classes`"),
        (smote_batch, {"k_neighbors": 5}, ValueError, "`k_neighbors`"),
        (smote_batch, {"n_new": -1}, ValueError, "`n_new`"),
        (smote_batch, {"target_class": 7}, ValueError, "`target_class`"),
    ],
)
def test_specific_errors(fn, kwargs, error, match):
    x, y = _batch(n_per_class=(6, 3, 3), trailing=(2,))
    with pytest.raises(error, match=match):
        fn(x, y, num_classes=3, **kwargs)


def test_mixed_devices_are_refused():
    import array_api_strict

    x = array_api_strict.asarray(
        np.zeros((4, 2)), device=array_api_strict.Device("device1")
    )
    y = array_api_strict.asarray(np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="device"):
        mixup(x, y, num_classes=2)
