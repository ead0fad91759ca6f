"""Same rows on every backend when distances tie (issue 14, item 3).

Integer and heavily rounded features make many equal distances; the tie rule (the
lower index wins, on every backend) must give every sampler the same output on NumPy,
PyTorch and array-api-strict (on a fake device that refuses host conversion).
"""

from __future__ import annotations

import numpy as np
import pytest

import balancekit as bk

SAMPLERS = {
    "ENN": lambda: bk.EditedNearestNeighbours(),
    "ENN-mode": lambda: bk.EditedNearestNeighbours(kind_sel="mode"),
    "RENN": lambda: bk.RepeatedEditedNearestNeighbours(),
    "AllKNN": lambda: bk.AllKNN(),
    "NCR": lambda: bk.NeighbourhoodCleaningRule(),
    "TomekLinks": lambda: bk.TomekLinks(),
    "OSS": lambda: bk.OneSidedSelection(random_state=0),
    "CNN": lambda: bk.CondensedNearestNeighbour(random_state=0),
    "NearMiss-1": lambda: bk.NearMiss(version=1),
    "NearMiss-2": lambda: bk.NearMiss(version=2),
    "NearMiss-3": lambda: bk.NearMiss(version=3),
    "SMOTE": lambda: bk.SMOTE(random_state=0),
    "BorderlineSMOTE-1": lambda: bk.BorderlineSMOTE(random_state=0),
    "BorderlineSMOTE-2": lambda: bk.BorderlineSMOTE(
        random_state=0, kind="borderline-2"
    ),
    "ADASYN": lambda: bk.ADASYN(random_state=0),
    "SMOTEENN": lambda: bk.SMOTEENN(random_state=0),
    "SMOTETomek": lambda: bk.SMOTETomek(random_state=0),
    "RandomOverSampler": lambda: bk.RandomOverSampler(random_state=0),
    "RandomUnderSampler": lambda: bk.RandomUnderSampler(random_state=0),
}


def _tied_data(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    if kind == "repro":  # the report's repro, padded so every sampler can run
        X = np.array([[2.0], [2.0], [0.0], [1.0]] * 8)
        y = np.array([1, 0, 1, 1] * 8)
        return X, y
    if kind == "integer":
        X = rng.integers(0, 3, size=(120, 2)).astype(np.float64)
    else:  # rounded to one decimal
        X = np.round(rng.normal(size=(120, 3)), 1)
    # Mostly class 0 on the left, mixed on the right: border rows to clean.
    y = ((X[:, 0] > np.median(X[:, 0])) & (rng.random(120) < 0.5)).astype(np.int64)
    return X, y


@pytest.mark.parametrize("data", ["repro", "integer", "rounded"])
@pytest.mark.parametrize("name", list(SAMPLERS))
def test_same_rows_on_every_backend(name, data, backend):
    X, y = _tied_data(data)
    expected = SAMPLERS[name]().fit_resample(X, y)
    outputs = SAMPLERS[name]().fit_resample(backend.asarray(X), backend.asarray(y))
    for out, want in zip(outputs, expected, strict=True):
        assert backend.device_of(out) == backend.device
        np.testing.assert_allclose(backend.to_numpy(out), want, rtol=1e-12, atol=0)


def test_enn_repro_keeps_the_same_row_on_numpy_and_torch():
    import torch

    X, y = np.array([[2.0], [2.0], [0.0], [1.0]]), np.array([1, 0, 1, 1])
    on_numpy = bk.EditedNearestNeighbours().fit_resample(X, y)
    on_torch = bk.EditedNearestNeighbours().fit_resample(
        torch.from_numpy(X), torch.from_numpy(y)
    )
    np.testing.assert_array_equal(on_numpy[1], [0])
    np.testing.assert_array_equal(on_torch[1].numpy(), on_numpy[1])
    np.testing.assert_array_equal(on_torch[0].numpy(), on_numpy[0])


def _near_tie_pairs(n_pairs: int, n_features: int = 32) -> np.ndarray:
    """Rows (query, p1, p2) where p2 is p1 with two coordinates' offsets from the
    query swapped: the same squared differences in another order, so the two float32
    distances are equal or one rounding apart depending on the order of the sum."""
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(n_pairs):
        q = rng.normal(size=n_features).astype(np.float32)
        p1 = rng.normal(size=n_features).astype(np.float32)
        p2 = p1.copy()
        i, j = rng.choice(n_features, 2, replace=False)
        p2[i], p2[j] = q[i] + (q[j] - p1[j]), q[j] + (q[i] - p1[i])
        rows.append((q, p1, p2))
    return np.asarray(rows)


def test_near_ties_rank_the_same_on_every_backend(backend):
    # Library-ordered sums (np.sum, torch.sum) rank about one pair in ten
    # differently on NumPy and on PyTorch's own kernels; the fixed-order sum none.
    from balancekit._neighbors import NearestNeighbors

    triples = _near_tie_pairs(200)
    expected, got = [], []
    for q, p1, p2 in triples:
        fit = np.stack([p1, p2])
        nn = NearestNeighbors(n_neighbors=1).fit(fit)
        expected.append(int(nn.kneighbors(q[None, :], return_distance=False)[0, 0]))
        nn_b = NearestNeighbors(n_neighbors=1).fit(backend.asarray(fit))
        found = nn_b.kneighbors(backend.asarray(q[None, :]), return_distance=False)
        got.append(int(backend.to_numpy(found)[0, 0]))
    assert got == expected


def test_library_sums_do_disagree_on_those_pairs():
    # The premise of the test above: without a fixed order the libraries differ.
    import torch

    triples = _near_tie_pairs(200)
    squared = (triples[:, 1:, :] - triples[:, :1, :]) ** 2
    by_numpy = np.argmin(np.sum(squared, axis=2), axis=1)
    by_torch = torch.argmin(torch.sum(torch.from_numpy(squared), dim=2), dim=1)
    assert np.count_nonzero(by_numpy != by_torch.numpy()) > 0
