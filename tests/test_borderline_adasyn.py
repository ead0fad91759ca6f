"""BorderlineSMOTE and ADASYN: scikit-learn kNN and imblearn as oracles, every backend.

The oracles recompute, with scikit-learn's NearestNeighbors and imbalanced-learn's
rules, which rows are in danger (BorderlineSMOTE) and how many rows each parent gets
(ADASYN); the geometric checks find every new row on a segment from such a parent to
one of its scikit-learn neighbours without reading the samplers' recipe.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import ADASYN as ImbADASYN
from imblearn.over_sampling import BorderlineSMOTE as ImbBorderlineSMOTE
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

from balancekit.over_sampling._adasyn import ADASYN
from balancekit.over_sampling._borderline_smote import BorderlineSMOTE

SAMPLERS = {
    "borderline-1": lambda **kw: BorderlineSMOTE(**{"kind": "borderline-1", **kw}),
    "borderline-2": lambda **kw: BorderlineSMOTE(**{"kind": "borderline-2", **kw}),
    "adasyn": lambda **kw: ADASYN(**kw),
}
PEERS = {
    "borderline-1": lambda **kw: ImbBorderlineSMOTE(kind="borderline-1", **kw),
    "borderline-2": lambda **kw: ImbBorderlineSMOTE(kind="borderline-2", **kw),
    "adasyn": lambda **kw: ImbADASYN(**kw),
}
K = 5  # k_neighbors / n_neighbors default
M = 10  # m_neighbors default


def make_data(n_per_class=(120, 30, 12), n_features=4, seed=0, dtype=np.float64):
    """Overlapping Gaussian classes, so every class has rows on its border."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = (rng.normal(size=(y.size, n_features)) + y[:, None]).astype(dtype)
    return X, y


@pytest.fixture(params=list(SAMPLERS))
def name(request):
    return request.param


# --- oracles: scikit-learn's kNN and imbalanced-learn's rules ------------------------


def sklearn_neighbours(fit_X, query_X, k):
    """The k nearest rows of ``fit_X`` per query row, the first (itself) dropped."""
    nn = SklearnNearestNeighbors(n_neighbors=k + 1).fit(fit_X)
    return nn.kneighbors(query_X, return_distance=False)[:, 1:]


def imblearn_danger_rows(X, y, cls, m=M):
    """Rows of ``cls`` with m/2 <= (neighbours of other classes) < m, among all rows."""
    members = np.flatnonzero(y == cls)
    n_other = (y[sklearn_neighbours(X, X[members], m)] != cls).sum(axis=1)
    return members[(n_other >= m / 2) & (n_other < m)]


def imblearn_adasyn_rows_per_member(X, y, cls, n_new, k=K):
    """imbalanced-learn's allocation: rint(n_new * r_i / sum(r)), r_i = other/k."""
    members = np.flatnonzero(y == cls)
    ratio = (y[sklearn_neighbours(X, X[members], k)] != cls).sum(axis=1) / k
    ratio /= ratio.sum()
    return members, np.rint(ratio * n_new).astype(int)


def segments(X, y, name, cls):
    """Every segment a new row of ``cls`` may lie on: parent to (part of) partner."""
    members = np.flatnonzero(y == cls)
    parents = members if name == "adasyn" else imblearn_danger_rows(X, y, cls)
    if name == "borderline-2":
        partners = sklearn_neighbours(X, X[parents], K)
    else:
        position = np.searchsorted(members, parents)
        same_class = sklearn_neighbours(X[members], X[members], K)
        partners = members[same_class[position]]
    reach = np.where(y[partners] == cls, 1.0, 0.5)  # borderline-2: half way at most
    starts = np.repeat(X[parents], K, axis=0)
    ends = starts + reach.reshape(-1, 1) * (X[partners.ravel()] - starts)
    return starts, ends


def distance_to_nearest_segment(points, starts, ends):
    """For each point, its Euclidean distance to the closest of the segments."""
    direction = ends - starts
    length2 = np.maximum((direction**2).sum(axis=1), 1e-300)
    offset = points[:, None, :] - starts[None, :, :]
    t = np.clip((offset * direction).sum(axis=2) / length2, 0.0, 1.0)
    closest = starts[None, :, :] + t[:, :, None] * direction[None, :, :]
    return np.sqrt(((points[:, None, :] - closest) ** 2).sum(axis=2)).min(axis=1)


def assert_valid_recipe(X, y, sampler, name):
    """Parents, partners and steps follow the rules, checked with scikit-learn's kNN."""
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    assert ((steps >= 0) & (steps < 1)).all()
    if name == "borderline-2":
        neighbours = sklearn_neighbours(X, X[parents], K)
        other = y[partners] != y[parents]
        assert other.any()
        assert (steps[other] < 0.5).all()
    else:
        np.testing.assert_array_equal(y[partners], y[parents])
        neighbours = np.empty((parents.size, K), dtype=int)
        for cls in np.unique(y[parents]):
            members = np.flatnonzero(y == cls)
            mine = y[parents] == cls
            position = np.searchsorted(members, parents[mine])
            same_class = sklearn_neighbours(X[members], X[members], K)
            neighbours[mine] = members[same_class[position]]
    assert (neighbours == partners[:, None]).any(axis=1).all()
    return parents, partners, steps


# --- geometry and the recipe ---------------------------------------------------------


def test_new_rows_lie_on_neighbour_segments(name):
    X, y = make_data()
    sampler = SAMPLERS[name](random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    parents, partners, steps = assert_valid_recipe(X, y, sampler, name)
    n = len(y)
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(y_res[:n], y)
    np.testing.assert_array_equal(y_res[n:], y[parents])
    expected = X[parents] + steps[:, None] * (X[partners] - X[parents])
    np.testing.assert_allclose(X_res[n:], expected, rtol=0, atol=1e-12)
    # Geometry alone, no recipe: each new row is on a segment from an allowed parent.
    for cls in np.unique(y_res[n:]):
        new_rows = X_res[n:][y_res[n:] == cls]
        starts, ends = segments(X, y, name, cls)
        assert distance_to_nearest_segment(new_rows, starts, ends).max() < 1e-9


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
@pytest.mark.parametrize(
    "strategy", ["auto", "not majority", {1: 300, 2: 200}, "float"]
)
def test_borderline_parents_are_exactly_the_rows_in_danger(kind, strategy):
    X, y = make_data(n_per_class=(300, 40, 25))
    if strategy == "float":
        X, y, strategy = X[y < 2], y[y < 2], 0.9
    sampler = BorderlineSMOTE(random_state=0, kind=kind, sampling_strategy=strategy)
    sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    peer = ImbBorderlineSMOTE(random_state=0, kind=kind, sampling_strategy=strategy)
    peer.fit_resample(X, y)
    for cls in np.unique(y[parents]):
        danger = imblearn_danger_rows(X, y, cls)
        assert 0 < danger.size < (y == cls).sum()
        np.testing.assert_array_equal(np.unique(parents[y[parents] == cls]), danger)
        np.testing.assert_array_equal(sampler.in_danger_indices[cls], danger)
        np.testing.assert_array_equal(peer.in_danger_indices[cls], danger)


@pytest.mark.parametrize(
    "strategy",
    ["auto", "all", "minority", "not minority", "not majority", "dict", "float"],
)
def test_counts_equal_imblearn(name, strategy):
    X, y = make_data()
    if strategy == "float":
        X, y, strategy = X[y < 2], y[y < 2], 0.6
    elif strategy == "dict":
        strategy = {1: 90, 2: 40}
    _, y_res = SAMPLERS[name](random_state=0, sampling_strategy=strategy).fit_resample(
        X, y
    )
    _, y_peer = PEERS[name](random_state=0, sampling_strategy=strategy).fit_resample(
        X, y
    )
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()


@pytest.mark.parametrize(
    ("n_per_class", "strategy"),
    [
        ((120, 30, 12), "auto"),
        ((120, 30, 12), {1: 77, 2: 40}),
        ((200, 35), 0.55),
        ((90, 60, 45, 21), "not majority"),
    ],
)
def test_adasyn_rows_per_parent_follow_imblearns_density_rule(n_per_class, strategy):
    X, y = make_data(n_per_class=n_per_class, seed=1)
    sampler = ADASYN(random_state=0, sampling_strategy=strategy)
    _, y_res = sampler.fit_resample(X, y)
    per_row = np.bincount(np.asarray(sampler.synthetic_parents_), minlength=len(y))
    for cls, n_new in sampler.sampling_strategy_.items():
        members, expected = imblearn_adasyn_rows_per_member(X, y, cls, n_new)
        np.testing.assert_array_equal(per_row[members], expected)
    assert per_row[len(y) :].sum() == 0
    peer = ImbADASYN(random_state=0, sampling_strategy=strategy)
    _, y_peer = peer.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()


def test_adasyn_rounds_shares_half_to_even_like_imblearn(backend):
    """10 equally hard rows share 25 new rows: 2.5 each, rounded to 2 (imblearn: 20)."""
    rng = np.random.default_rng(0)
    centres = 100.0 * np.arange(10)[:, None] * np.ones((1, 3))
    crowds = centres[:, None, :] + rng.uniform(-1, 1, size=(10, 20, 3))
    X = np.r_[crowds.reshape(-1, 3), centres]
    y = np.r_[np.zeros(200, dtype=int), np.ones(10, dtype=int)]
    _, y_peer = ImbADASYN(random_state=0, sampling_strategy={1: 35}).fit_resample(X, y)
    sampler = ADASYN(random_state=0, sampling_strategy={1: 35})
    _, y_res = sampler.fit_resample(backend.asarray(X), backend.asarray(y))
    per_row = np.bincount(backend.to_numpy(sampler.synthetic_parents_))
    assert per_row[200:].tolist() == [2] * 10
    assert np.bincount(backend.to_numpy(y_res)).tolist() == np.bincount(y_peer).tolist()


# --- backends, seeds, inputs ---------------------------------------------------------


def test_backend_output_matches_numpy(name, backend):
    X, y = make_data(dtype=np.float32)
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
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    for attribute in ("synthetic_parents_", "synthetic_partners_", "synthetic_steps_"):
        assert backend.device_of(getattr(sampler, attribute)) == backend.device


def test_same_seed_same_rows_other_seed_other_rows(name):
    X, y = make_data()
    first = SAMPLERS[name](random_state=3).fit_resample(X, y)[0]
    again = SAMPLERS[name](random_state=3).fit_resample(X, y)[0]
    other = SAMPLERS[name](random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    generator = np.random.default_rng(0)
    sampler = SAMPLERS[name](random_state=generator)
    assert not np.array_equal(sampler.fit_resample(X, y)[0], first)
    assert not np.array_equal(
        sampler.fit_resample(X, y)[0], sampler.fit_resample(X, y)[0]
    )


def test_inputs_are_not_modified(name, backend):
    X, y = make_data(dtype=np.float32)
    weights = np.linspace(0.5, 1.5, len(y))
    X_b, y_b, w_b = (backend.asarray(a) for a in (X, y, weights))
    SAMPLERS[name](random_state=0).fit_resample(X_b, y_b, sample_weight=w_b)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)
    np.testing.assert_array_equal(backend.to_numpy(y_b), y)
    np.testing.assert_array_equal(backend.to_numpy(w_b), weights)


def test_images_keep_their_shape_and_use_flat_distances(name, backend):
    X, y = make_data(n_features=6, dtype=np.float32)
    images = X.reshape(-1, 1, 2, 3)
    flat_result = SAMPLERS[name](random_state=0).fit_resample(X, y)
    X_res, y_res = SAMPLERS[name](random_state=0).fit_resample(
        backend.asarray(images), backend.asarray(y)
    )
    assert tuple(X_res.shape) == (len(flat_result[1]), 1, 2, 3)
    np.testing.assert_allclose(
        backend.to_numpy(X_res).reshape(-1, 6), flat_result[0], rtol=1e-6, atol=1e-6
    )
    np.testing.assert_array_equal(backend.to_numpy(y_res), flat_result[1])


def test_weights_are_interpolated_with_the_rows_steps(name):
    X, y = make_data()
    weights = np.random.default_rng(2).uniform(1, 2, size=len(y))
    sampler = SAMPLERS[name](random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=weights)
    parents = np.asarray(sampler.synthetic_parents_)
    partners = np.asarray(sampler.synthetic_partners_)
    steps = np.asarray(sampler.synthetic_steps_)
    expected = weights[parents] + steps * (weights[partners] - weights[parents])
    np.testing.assert_allclose(w_res[len(y) :], expected)
    np.testing.assert_array_equal(w_res[: len(y)], weights)


def test_containers_and_labels(name):
    X, y = make_data()
    expected, y_expected = SAMPLERS[name](random_state=0).fit_resample(X, y)
    frame = pd.DataFrame(X, columns=list("abcd"))
    X_res, y_res = SAMPLERS[name](random_state=0).fit_resample(
        frame, pd.Series(y, name="target")
    )
    assert list(X_res.columns) == list("abcd")
    assert y_res.name == "target"
    np.testing.assert_allclose(X_res.to_numpy(), expected)
    X_res, _ = SAMPLERS[name](random_state=0).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_res)
    assert X_res.format == "csr"
    np.testing.assert_allclose(X_res.toarray(), expected)
    names = np.array(["cat", "dog", "eel"])
    _, y_res = SAMPLERS[name](random_state=0).fit_resample(X, names[y])
    np.testing.assert_array_equal(y_res, names[y_expected])


def test_user_neighbours_objects_give_the_same_rows(name):
    X, y = make_data()
    expected = SAMPLERS[name](random_state=0).fit_resample(X, y)[0]
    objects = {
        "adasyn": {"n_neighbors": SklearnNearestNeighbors(n_neighbors=K + 1)},
        "borderline": {
            "k_neighbors": SklearnNearestNeighbors(n_neighbors=K + 1),
            "m_neighbors": SklearnNearestNeighbors(n_neighbors=M + 1),
        },
    }
    kwargs = objects["adasyn" if name == "adasyn" else "borderline"]
    result = SAMPLERS[name](random_state=0, **kwargs).fit_resample(X, y)[0]
    np.testing.assert_array_equal(result, expected)


def test_a_class_without_rows_in_danger_is_skipped_with_a_warning():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(50, 2)), rng.normal(size=(12, 2)) + 20]
    y = np.r_[np.zeros(50, dtype=int), np.ones(12, dtype=int)]
    sampler = BorderlineSMOTE(random_state=0)
    with pytest.warns(UserWarning, match="no sample of class 1 in danger"):
        X_res, y_res = sampler.fit_resample(X, y)
    _, y_peer = ImbBorderlineSMOTE(random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist() == [50, 12]
    assert sampler.in_danger_indices == {}
    np.testing.assert_array_equal(X_res, X)


# --- errors --------------------------------------------------------------------------


class WrongShapeNeighbours:
    """A neighbours object whose kneighbors answer has one row too few."""

    n_neighbors = 6

    def fit(self, X, y=None):
        return self

    def kneighbors(self, X, return_distance=True):
        return np.zeros((X.shape[0] - 1, self.n_neighbors), dtype=int)


X_ERR, Y_ERR = make_data()
X_NAN = X_ERR.copy()
X_NAN[3, 1] = np.nan
FAR = np.r_[X_ERR[Y_ERR == 0], X_ERR[Y_ERR == 1] + 50.0]
FAR_Y = np.r_[Y_ERR[Y_ERR == 0], Y_ERR[Y_ERR == 1]]
ERRORS = {
    "k above the class": (
        "borderline-1",
        X_ERR,
        {"k_neighbors": 12},
        ValueError,
        "`k_neighbors`=12 needs at least 13 samples in class 2, which has 12",
    ),
    "n_neighbors above the class": (
        "adasyn",
        X_ERR,
        {"n_neighbors": 15},
        ValueError,
        "`n_neighbors`=15 needs at least 16 samples in class 2, which has 12",
    ),
    "m above all rows": (
        "borderline-1",
        X_ERR,
        {"m_neighbors": 162},
        ValueError,
        "`m_neighbors`=162 needs at least 163 samples in X, which has 162",
    ),
    "k above all rows": (
        "borderline-2",
        X_ERR,
        {"k_neighbors": 500},
        ValueError,
        "`k_neighbors`=500 needs at least 501 samples in X",
    ),
    "NaN in X": ("borderline-1", X_NAN, {}, ValueError, "`X` contains NaN"),
    "NaN in X (adasyn)": ("adasyn", X_NAN, {}, ValueError, "`X` contains NaN"),
    "bad kind": ("borderline-1", X_ERR, {"kind": "borderline-3"}, ValueError, "`kind`"),
    "m of zero": ("borderline-2", X_ERR, {"m_neighbors": 0}, ValueError, "`m_neighb"),
    "k of a bad type": (
        "borderline-1",
        X_ERR,
        {"k_neighbors": "5"},
        TypeError,
        "`k_neighbors` must be an int or an object",
    ),
    "n_neighbors of a bad type": (
        "adasyn",
        X_ERR,
        {"n_neighbors": 2.5},
        TypeError,
        "`n_neighbors` must be an int",
    ),
    "wrong kneighbors shape (k)": (
        "borderline-1",
        X_ERR,
        {"k_neighbors": WrongShapeNeighbours()},
        ValueError,
        r"`k_neighbors` object's kneighbors returned shape \(\d+, 6\)",
    ),
    "wrong kneighbors shape (m)": (
        "borderline-2",
        X_ERR,
        {"m_neighbors": WrongShapeNeighbours()},
        ValueError,
        r"`m_neighbors` object's kneighbors returned shape",
    ),
    "wrong kneighbors shape (n)": (
        "adasyn",
        X_ERR,
        {"n_neighbors": WrongShapeNeighbours()},
        ValueError,
        r"`n_neighbors` object's kneighbors returned shape",
    ),
    "no neighbour of another class": (
        "adasyn",
        FAR,
        {},
        RuntimeError,
        "none of its rows has a neighbour of another class",
    ),
    "every share rounds to zero": (
        "adasyn",
        X_ERR,
        {"sampling_strategy": {2: 13}},
        ValueError,
        "would add no sample to class 2",
    ),
}


@pytest.mark.parametrize(
    ("name", "X", "kwargs", "error", "match"), ERRORS.values(), ids=ERRORS.keys()
)
def test_errors_name_the_parameter(name, X, kwargs, error, match):
    y = FAR_Y if X is FAR else Y_ERR
    X_before = X.copy()
    with pytest.raises(error, match=match):
        SAMPLERS[name](random_state=0, **kwargs).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)


def test_imblearn_errors_alike_where_balancekit_raises():
    """The same data make imbalanced-learn raise the same kind of error."""
    with pytest.raises(RuntimeError):
        ImbADASYN(random_state=0).fit_resample(FAR, FAR_Y)
    with pytest.raises(ValueError, match="No samples will be generated"):
        ImbADASYN(random_state=0, sampling_strategy={2: 13}).fit_resample(X_ERR, Y_ERR)
