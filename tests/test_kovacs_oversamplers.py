"""PolynomialFitSMOTE, ProWSyn and SMOTEIPF: oracles, references, every backend.

Oracles: smote-variants 1.0.1 where its output is deterministic (star and bus
topologies when the rows asked for fill the segments evenly; ProWSyn's proximity
levels). Elsewhere, slow references written here from the papers' pseudo-code
(NumPy's ``polyfit`` for the curve, scikit-learn's kNN for the levels, a plain loop
for the Iterative-Partitioning Filter), plus geometric properties of the new rows.
"""

from __future__ import annotations

import logging
import pickle
from collections import Counter

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE as ImbSMOTE
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors
from sklearn.tree import DecisionTreeClassifier

from balancekit.bench._strategies import resolve_strategies
from balancekit.over_sampling import SMOTE, SMOTEIPF, PolynomialFitSMOTE, ProWSyn
from balancekit.over_sampling._polynomial_fit_smote import (
    equally_spaced_steps,
    pair_of,
    spread_over_segments,
)
from balancekit.over_sampling._prowsyn import level_shares
from balancekit.over_sampling._smote_ipf import iterative_partitioning_filter

sv = pytest.importorskip("smote_variants")
logging.getLogger("smote_variants").setLevel(logging.ERROR)

INT32_MAX = np.iinfo(np.int32).max


def make_data(n_per_class=(80, 20), n_features=3, seed=0, shift=1.0, dtype=None):
    """Gaussian classes shifted by their label, rows in class order."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    X = rng.normal(size=(y.size, n_features)) + shift * y[:, None]
    return (X if dtype is None else X.astype(dtype)), y


SAMPLERS = {
    "star": lambda **kw: PolynomialFitSMOTE(topology="star", **kw),
    "bus": lambda **kw: PolynomialFitSMOTE(topology="bus", **kw),
    "mesh": lambda **kw: PolynomialFitSMOTE(topology="mesh", **kw),
    "poly_2": lambda **kw: PolynomialFitSMOTE(topology="poly_2", **kw),
    "prowsyn": lambda **kw: ProWSyn(**kw),
    "smote_ipf": lambda **kw: SMOTEIPF(**kw),
}
OVER_SAMPLERS = [name for name in SAMPLERS if name != "smote_ipf"]


@pytest.fixture(params=list(SAMPLERS))
def name(request):
    return request.param


# --- PolynomialFitSMOTE: smote-variants and geometric oracles -------------------------


@pytest.mark.parametrize(
    ("topology", "n_majority"),
    # smote-variants puts round(n_new / n_min) points on each segment: equal to the
    # rows asked for when they fill the segments evenly (20 rows: 20 star segments,
    # 19 bus segments).
    [("star", 80), ("star", 120), ("bus", 77), ("bus", 96)],
)
def test_star_and_bus_equal_smote_variants(topology, n_majority):
    X, y = make_data((n_majority, 20), n_features=4, seed=3)
    expected_X, expected_y = getattr(sv, f"polynom_fit_SMOTE_{topology}")(
        random_state=0
    ).sample(X, y)
    X_res, y_res = PolynomialFitSMOTE(topology=topology, random_state=5).fit_resample(
        X, y
    )
    np.testing.assert_allclose(X_res, expected_X, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(y_res, expected_y)


def _class_rows(X, y, cls):
    return X[y == cls]


def test_star_rows_are_equally_spaced_towards_the_centre_with_a_remainder():
    X, y = make_data((75, 20))  # 55 new rows on 20 segments: 2 or 3 points each
    sampler = PolynomialFitSMOTE(topology="star", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [75, 75]
    centre = _class_rows(X, y, 1).mean(axis=0)
    parents = np.asarray(sampler.synthetic_parents_)
    per_parent = Counter(parents.tolist())
    assert sorted(per_parent.values()) == [2] * 5 + [3] * 15
    assert set(per_parent) == set(np.flatnonzero(y == 1).tolist())
    assert (np.asarray(sampler.synthetic_partners_) == -1).all()
    new = X_res[len(y) :]
    for parent, count in per_parent.items():
        rows = new[parents == parent]
        steps = np.arange(1, count + 1)[:, None] / (count + 1)
        np.testing.assert_allclose(rows, X[parent] + steps * (centre - X[parent]))


def test_bus_rows_lie_between_consecutive_class_rows():
    X, y = make_data((70, 20))
    sampler = PolynomialFitSMOTE(topology="bus", random_state=1)
    X_res, _ = sampler.fit_resample(X, y)
    members = np.flatnonzero(y == 1)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    rank = {row: i for i, row in enumerate(members)}
    assert all(rank[b] == rank[a] + 1 for a, b in zip(parents, partners, strict=True))
    steps = np.asarray(sampler.synthetic_steps_)
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[len(y) :], expected)
    assert sorted(Counter(parents.tolist()).values()) == [2] * 7 + [3] * 12


def test_mesh_takes_midpoints_of_distinct_pairs_while_pairs_suffice():
    X, y = make_data((80, 20))  # 60 new rows, 190 pairs
    sampler = PolynomialFitSMOTE(topology="mesh", random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    pairs = {(min(a, b), max(a, b)) for a, b in zip(parents, partners, strict=True)}
    assert len(pairs) == 60
    assert all(a != b for a, b in pairs)
    assert set(parents) | set(partners) <= set(np.flatnonzero(y == 1))
    np.testing.assert_array_equal(np.asarray(sampler.synthetic_steps_), 0.5)
    np.testing.assert_allclose(X_res[len(y) :], (X[parents] + X[partners]) / 2)


def test_mesh_spreads_points_over_every_pair_when_rows_outnumber_pairs():
    X, y = make_data((30, 5))  # 25 new rows, 10 pairs: 2 or 3 points on each
    sampler = PolynomialFitSMOTE(topology="mesh", random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    pairs = Counter(zip(parents.tolist(), partners.tolist(), strict=True))
    assert len(pairs) == 10
    assert sorted(pairs.values()) == [2] * 5 + [3] * 5
    steps = np.asarray(sampler.synthetic_steps_)
    for (a, b), count in pairs.items():
        mask = (parents == a) & (partners == b)
        np.testing.assert_allclose(steps[mask], np.arange(1, count + 1) / (count + 1))
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[len(y) :], expected)


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_poly_rows_lie_on_numpy_polyfit_curve(degree):
    X, y = make_data((70, 25), n_features=3, seed=4)
    sampler = PolynomialFitSMOTE(topology=f"poly_{degree}", random_state=7)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [70, 70]
    # Reference (Gazzah & Amara): class rows ordered by mean value, one polynomial
    # per feature in the rank, the curve evaluated at the recorded positions.
    rows = _class_rows(X, y, 1)
    ordered = rows[np.argsort(rows.mean(axis=1), kind="stable")]
    positions = np.asarray(sampler.synthetic_steps_)
    assert ((positions >= 0) & (positions <= 24)).all()
    # The positions are the sampler's only draws: uniform on [0, n - 1].
    np.testing.assert_allclose(
        positions, np.random.default_rng(7).uniform(0, 24, size=45)
    )
    ranks = np.arange(len(ordered))
    expected = np.column_stack(
        [
            np.polyval(np.polyfit(ranks, ordered[:, j], degree), positions)
            for j in range(3)
        ]
    )
    np.testing.assert_allclose(X_res[len(y) :], expected, rtol=1e-9, atol=1e-9)
    assert (np.asarray(sampler.synthetic_parents_) == -1).all()


def test_poly_1_of_collinear_rows_stays_on_their_line():
    t = np.linspace(0, 1, 12)
    line = np.column_stack([t, 2 * t + 1])
    X = np.r_[np.random.default_rng(0).normal(size=(40, 2)) + 5, line]
    y = np.r_[np.zeros(40, dtype=int), np.ones(12, dtype=int)]
    X_res, _ = PolynomialFitSMOTE(topology="poly_1", random_state=0).fit_resample(X, y)
    new = X_res[52:]
    np.testing.assert_allclose(new[:, 1], 2 * new[:, 0] + 1, atol=1e-12)
    assert (new[:, 0] >= -1e-12).all()
    assert (new[:, 0] <= 1 + 1e-12).all()


def test_segment_helpers_against_brute_force():
    ids = np.arange(5000)
    i, j = pair_of(ids)
    brute = [(a, b) for a in range(200) for b in range(a)][:5000]
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == brute
    big = np.array([10**10 + 7, 4 * 10**9])
    i, j = pair_of(big)
    assert ((i * (i - 1) // 2 + j) == big).all()
    assert ((j >= 0) & (j < i)).all()
    rng = np.random.default_rng(0)
    segments, counts = spread_over_segments(7, 17, rng)
    assert segments.tolist() == list(range(7))
    assert counts.sum() == 17
    assert sorted(counts.tolist()) == [2, 2, 2, 2, 3, 3, 3]
    segments, counts = spread_over_segments(10**9, 5, rng)
    assert len(set(segments.tolist())) == 5
    assert (counts == 1).all()
    np.testing.assert_allclose(
        equally_spaced_steps(np.array([1, 3])), [0.5, 0.25, 0.5, 0.75]
    )


# --- ProWSyn: smote-variants' levels and references -------------------------------


def smote_variants_levels(X, y, n_neighbors, rounds):
    """smote-variants' proximity partitions (its L is our number of peeling rounds)."""
    oracle = sv.ProWSyn(n_neighbors=n_neighbors, L=rounds)
    oracle.class_label_statistics(y)
    partitions, _ = oracle.determine_clusters_proximity_levels(X, y)
    return [sorted(p.tolist()) for p in partitions]


@pytest.mark.parametrize(
    ("n_per_class", "n_neighbors", "n_levels", "shift", "seed"),
    [
        ((80, 20), 5, 5, 2.0, 0),
        ((150, 40), 3, 4, 1.0, 1),
        ((60, 30), 7, 3, 0.5, 2),
        ((200, 25), 1, 6, 2.5, 3),
    ],
)
def test_prowsyn_levels_equal_smote_variants(
    n_per_class, n_neighbors, n_levels, shift, seed
):
    X, y = make_data(n_per_class, n_features=4, seed=seed, shift=shift)
    sampler = ProWSyn(n_neighbors=n_neighbors, n_levels=n_levels, random_state=0)
    sampler.fit_resample(X, y)
    ours = [sorted(np.asarray(rows).tolist()) for rows in sampler.proximity_levels_[1]]
    # smote-variants peels L times and leaves the rest at level L again; the paper
    # peels L - 1 times and puts the rest at level L: the same partition.
    assert ours == smote_variants_levels(X, y, n_neighbors, n_levels - 1)


def reference_levels(X, y, cls, n_neighbors, n_levels):
    """The paper's steps 2-4 with scikit-learn's kNN, against every other class."""
    remaining = np.flatnonzero(y == cls)
    others = X[y != cls]
    levels = []
    for _ in range(n_levels - 1):
        if remaining.size == 0:
            break
        k = min(n_neighbors, remaining.size)
        nn = SklearnNearestNeighbors(n_neighbors=k).fit(X[remaining])
        claimed = np.unique(nn.kneighbors(others, return_distance=False))
        levels.append(remaining[claimed].tolist())
        remaining = np.delete(remaining, claimed)
    if remaining.size:
        levels.append(remaining.tolist())
    return levels


def test_prowsyn_multiclass_levels_counts_and_pairs():
    X, y = make_data((150, 60, 25), n_features=3, seed=5, shift=1.5)
    sampler = ProWSyn(random_state=0, theta=0.5)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [150, 150, 150]
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    for cls in (1, 2):
        levels = [np.asarray(r).tolist() for r in sampler.proximity_levels_[cls]]
        assert levels == reference_levels(X, y, cls, 5, 5)
        weights = np.exp(-0.5 * np.arange(len(levels)))
        counts = sampler.level_counts_[cls]
        assert sum(counts) == 150 - np.sum(y == cls)
        assert (
            np.abs(np.array(counts) - weights / weights.sum() * sum(counts)).max() < 1
        )
        level_of = {row: i for i, rows in enumerate(levels) for row in rows}
        mine = np.isin(parents, np.flatnonzero(y == cls))
        got = np.bincount([level_of[p] for p in parents[mine]], minlength=len(levels))
        assert got.tolist() == counts
        for a, b in zip(parents[mine], partners[mine], strict=True):
            assert level_of[a] == level_of[b]
            assert a != b or len(levels[level_of[a]]) == 1
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[len(y) :], expected)
    assert ((steps >= 0) & (steps < 1)).all()


def test_level_shares_follow_the_exponential_weights():
    # 63.64, 23.41, 8.61, 3.17, 1.17: floors sum to 98, the two largest remainders
    # (0.64, 0.61) get one more.
    assert level_shares(5, 100, 1.0).tolist() == [64, 23, 9, 3, 1]
    assert level_shares(3, 9, 0.0).tolist() == [3, 3, 3]
    assert level_shares(1, 7, 2.0).tolist() == [7]
    assert level_shares(4, 1, 10.0).tolist() == [1, 0, 0, 0]


# --- SMOTEIPF: the filter against a reference loop ------------------------------------


def reference_ipf(X, y, n_folds, k, p, voting, classifier, rng):
    """Sáez et al.'s IPF loop, written from the paper; one partition seed per round."""
    n_original = len(y)
    alive = np.ones(n_original, dtype=bool)
    quiet_rounds, rounds = 0, 0
    while quiet_rounds < k:
        index = np.flatnonzero(alive)
        Xc, yc = X[index], y[index]
        n_parts = min(n_folds, min(Counter(yc.tolist()).values()))
        if n_parts < 2 or len(set(yc.tolist())) < 2:
            break
        folds = StratifiedKFold(
            n_parts, shuffle=True, random_state=int(rng.integers(INT32_MAX))
        )
        votes = np.zeros(len(index))
        for _, part in folds.split(Xc, yc):
            model = clone(classifier).fit(Xc[part], yc[part])
            votes += model.predict(Xc) != yc
        threshold = n_parts if voting == "consensus" else n_parts // 2 + 1
        noisy = votes >= threshold
        alive[index[noisy]] = False
        rounds += 1
        quiet_rounds = quiet_rounds + 1 if noisy.sum() < p * n_original else 0
    return np.flatnonzero(alive), rounds


@pytest.mark.parametrize(
    ("voting", "n_folds", "k", "p", "n_per_class"),
    [
        ("majority", 9, 3, 0.01, (80, 20)),
        ("consensus", 9, 3, 0.01, (80, 20)),
        ("majority", 5, 2, 0.05, (100, 30, 15)),
    ],
)
def test_smote_ipf_equals_smote_then_reference_filter(
    voting, n_folds, k, p, n_per_class
):
    X, y = make_data(n_per_class, n_features=3, seed=6, shift=1.2)
    sampler = SMOTEIPF(random_state=11, voting=voting, n_folds=n_folds, k=k, p=p)
    X_res, y_res = sampler.fit_resample(X, y)
    # Same draws: SMOTE from the seeded generator, then the tree seed, then one
    # partition seed per round.
    rng = np.random.default_rng(11)
    X_smote, y_smote = SMOTE(random_state=rng).fit_resample(X, y)
    tree = DecisionTreeClassifier(random_state=int(rng.integers(INT32_MAX)))
    kept, rounds = reference_ipf(X_smote, y_smote, n_folds, k, p, voting, tree, rng)
    np.testing.assert_array_equal(np.asarray(sampler.kept_indices_), kept)
    np.testing.assert_array_equal(X_res, X_smote[kept])
    np.testing.assert_array_equal(y_res, y_smote[kept])
    assert sampler.n_iterations_ == rounds >= k
    # SMOTE's part is SMOTE's (imbalanced-learn's counts).
    _, y_imb = ImbSMOTE(random_state=0).fit_resample(X, y)
    assert Counter(y_smote.tolist()) == Counter(y_imb.tolist())


def test_filter_consensus_removes_a_subset_of_majority_in_one_round():
    X, y = make_data((80, 40), seed=8, shift=0.8)
    tree = DecisionTreeClassifier(random_state=0)
    kwargs = {"n_folds": 9, "k": 1, "p": 1.0, "classifier": tree}
    kept_major, rounds = iterative_partitioning_filter(
        X, y, voting="majority", rng=np.random.default_rng(0), **kwargs
    )
    kept_consensus, _ = iterative_partitioning_filter(
        X, y, voting="consensus", rng=np.random.default_rng(0), **kwargs
    )
    assert rounds == 1
    assert set(kept_major) <= set(kept_consensus)
    assert len(kept_major) < len(y)


def test_smote_ipf_accepts_a_classifier_and_keeps_weights():
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_data((80, 20), seed=2)
    weights = np.random.default_rng(0).uniform(1, 2, size=len(y))
    sampler = SMOTEIPF(random_state=0, classifier=KNeighborsClassifier(3))
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    _, _, w_smote = SMOTE(random_state=np.random.default_rng(0)).fit_resample(
        X, y, sample_weight=weights
    )
    np.testing.assert_array_equal(w_res, w_smote[np.asarray(sampler.kept_indices_)])
    assert len(y_res) == len(X_res) == len(w_res)


# --- every sampler: counts, backends, seeds, pickling, inputs -------------------------


@pytest.mark.parametrize(
    "strategy", ["auto", {1: 50, 2: 40}, "minority", "not majority"]
)
def test_counts_equal_imblearn_smote(name, strategy):
    X, y = make_data((120, 35, 20), seed=1, shift=1.5)
    sampler = SAMPLERS[name](random_state=0, sampling_strategy=strategy)
    X_res, y_res = sampler.fit_resample(X, y)
    peer = ImbSMOTE(random_state=0, sampling_strategy=strategy)
    _, y_imb = peer.fit_resample(X, y)
    expected = Counter(y_imb.tolist())
    got = Counter(y_res.tolist())
    np.testing.assert_array_equal(X_res[: len(y)] if name != "smote_ipf" else X, X)
    assert dict(sampler.sampling_strategy_) == dict(peer.sampling_strategy_)
    if name == "smote_ipf":  # the filter removes rows of any class
        assert all(got[c] <= expected[c] for c in expected)
        assert sum(got.values()) < sum(expected.values())
    else:
        assert got == expected
        assert len(X_res) == len(y_res)


def test_backend_output_matches_numpy(name, backend):
    X, y = make_data((70, 25, 12), n_features=4, seed=2, dtype=np.float32)
    weights = np.random.default_rng(1).uniform(size=len(y)).astype(np.float32)
    expected = SAMPLERS[name](random_state=0).fit_resample(X, y, sample_weight=weights)
    sampler = SAMPLERS[name](random_state=0)
    X_b, y_b, w_b = (backend.asarray(a) for a in (X, y, weights))
    result = sampler.fit_resample(X_b, y_b, sample_weight=w_b)
    for got, want in zip(result, expected, strict=True):
        assert backend.device_of(got) == backend.device
        assert type(got) is type(X_b)
        got = backend.to_numpy(got)
        assert got.dtype == want.dtype
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    attributes = (
        ("kept_indices_",)
        if name == "smote_ipf"
        else ("synthetic_parents_", "synthetic_partners_", "synthetic_steps_")
    )
    for attribute in attributes:
        assert backend.device_of(getattr(sampler, attribute)) == backend.device


def test_same_seed_same_rows_other_seed_other_rows(name):
    X, y = make_data((75, 20), seed=3)
    first = SAMPLERS[name](random_state=3).fit_resample(X, y)[0]
    again = SAMPLERS[name](random_state=3).fit_resample(X, y)[0]
    other = SAMPLERS[name](random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert first.shape != other.shape or not np.array_equal(first, other)


def test_inputs_are_not_modified_and_pickles(name, backend):
    X, y = make_data((60, 18), seed=4, dtype=np.float32)
    weights = np.linspace(0.5, 1.5, len(y))
    X_b, y_b, w_b = (backend.asarray(a) for a in (X, y, weights))
    sampler = SAMPLERS[name](random_state=0)
    pickle.loads(pickle.dumps(sampler))
    result = sampler.fit_resample(X_b, y_b, sample_weight=w_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)
    np.testing.assert_array_equal(backend.to_numpy(w_b), weights)
    restored = pickle.loads(pickle.dumps(sampler))
    assert restored.get_params() == sampler.get_params()
    again = restored.fit_resample(X_b, y_b, sample_weight=w_b)
    np.testing.assert_array_equal(
        backend.to_numpy(again[0]), backend.to_numpy(result[0])
    )


@pytest.mark.parametrize("name", OVER_SAMPLERS)
def test_weights_of_new_rows(name):
    X, y = make_data((70, 20), seed=5)
    weights = np.random.default_rng(2).uniform(1, 2, size=len(y))
    sampler = SAMPLERS[name](random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    np.testing.assert_array_equal(w_res[: len(y)], weights)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    class_mean = weights[y == 1].mean()
    if name == "poly_2":
        np.testing.assert_allclose(w_res[len(y) :], class_mean)
        return
    end = weights[partners] if name != "star" else class_mean
    expected = weights[parents] + steps * (end - weights[parents])
    np.testing.assert_allclose(w_res[len(y) :], expected)


def test_images_keep_their_shape(name, backend):
    X, y = make_data((50, 15), n_features=6, seed=6, dtype=np.float32)
    flat_result = SAMPLERS[name](random_state=0).fit_resample(X, y)
    X_res, _y_res = SAMPLERS[name](random_state=0).fit_resample(
        backend.asarray(X.reshape(-1, 1, 2, 3)), backend.asarray(y)
    )
    assert tuple(X_res.shape) == (len(flat_result[1]), 1, 2, 3)
    np.testing.assert_allclose(
        backend.to_numpy(X_res).reshape(-1, 6), flat_result[0], rtol=1e-5, atol=1e-5
    )


def test_sparse_and_pandas_give_the_dense_rows(name):
    import pandas as pd
    import scipy.sparse as sp

    X, y = make_data((60, 20), seed=7)
    dense_X, _dense_y = SAMPLERS[name](random_state=0).fit_resample(X, y)
    sparse_X, _ = SAMPLERS[name](random_state=0).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(sparse_X)
    np.testing.assert_allclose(sparse_X.toarray(), dense_X, rtol=1e-9, atol=1e-12)
    frame_X, frame_y = SAMPLERS[name](random_state=0).fit_resample(
        pd.DataFrame(X, columns=list("abc")), pd.Series(y, name="t")
    )
    assert list(frame_X.columns) == list("abc")
    assert frame_y.name == "t"
    np.testing.assert_allclose(frame_X.to_numpy(), dense_X)


# --- parameters and bench ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: PolynomialFitSMOTE(topology="ring"), ValueError, "`topology`"),
        (lambda: PolynomialFitSMOTE(topology="poly_0"), ValueError, "degree >= 1"),
        (lambda: PolynomialFitSMOTE(topology=2), TypeError, "`topology` must be a str"),
        (lambda: PolynomialFitSMOTE(topology="poly_5"), ValueError, "at least 6"),
        (lambda: ProWSyn(n_neighbors=0), ValueError, "`n_neighbors` must be >= 1"),
        (lambda: ProWSyn(n_levels=1.5), TypeError, "`n_levels` must be an int"),
        (lambda: ProWSyn(theta=-1), ValueError, "`theta`"),
        (lambda: SMOTEIPF(n_folds=1), ValueError, "`n_folds` must be >= 2"),
        (lambda: SMOTEIPF(k=0), ValueError, "`k` must be >= 1"),
        (lambda: SMOTEIPF(p=0), ValueError, "`p`"),
        (lambda: SMOTEIPF(voting="all"), ValueError, "`voting`"),
        (lambda: SMOTEIPF(classifier=DecisionTreeClassifier), TypeError, "instance"),
        (lambda: SMOTEIPF(classifier="tree"), TypeError, "`classifier`"),
        (lambda: SMOTEIPF(k_neighbors=10), ValueError, "`k_neighbors`=10"),
    ],
)
def test_errors_name_the_parameter(make, error, match):
    X, y = make_data((40, 5), seed=0)
    sampler = make()  # __init__ only stores
    with pytest.raises(error, match=match):
        sampler.fit_resample(X, y)


def test_bus_and_mesh_need_two_rows():
    X = np.r_[np.random.default_rng(0).normal(size=(10, 2)), [[5.0, 5.0]]]
    y = np.r_[np.zeros(10, dtype=int), [1]]
    for topology in ("bus", "mesh"):
        with pytest.raises(ValueError, match="at least 2 samples in class 1"):
            PolynomialFitSMOTE(topology=topology).fit_resample(X, y)
    X_res, _ = PolynomialFitSMOTE(topology="star").fit_resample(X, y)
    np.testing.assert_allclose(X_res[11:], 5.0)  # one row is its own centre


def test_bench_knows_the_three():
    strategies = resolve_strategies(["PolynomialFitSMOTE", "ProWSyn", "SMOTEIPF"])
    X, y = make_data((100, 20), seed=9)  # below the smallest searched ratio, 0.25
    for strategy in strategies:
        assert strategy.kind == "sampler"
        sampler = strategy.sampler(0)
        assert sampler.random_state == 0
        for key, values in strategy.search_space.items():
            param = key.removeprefix("sampler__")
            assert param in sampler.get_params()
            for value in values:  # every candidate is a valid setting
                clone(sampler).set_params(**{param: value}).fit_resample(X, y)
