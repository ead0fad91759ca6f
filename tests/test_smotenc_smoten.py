"""SMOTENC and SMOTEN: imblearn's rules as oracles, containers, errors, conformance.

SMOTENC's oracle rebuilds imbalanced-learn's encoded space (continuous columns next to
the one-hot columns times median_std / sqrt(2)), finds neighbours there with
scikit-learn, and checks, without reading the sampler's recipe, that every new row's
continuous part lies on a segment from a row to one of those neighbours and that its
categories are the most frequent among that row's neighbours. The same checker accepts
imblearn's own output, so it encodes imblearn's rule. SMOTEN's oracle computes
distances with imblearn's ValueDifferenceMetric.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.over_sampling import SMOTEN as ImbSMOTEN
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from balancekit.over_sampling._smoten import SMOTEN
from balancekit.over_sampling._smotenc import SMOTENC

K = 5
CONTINUOUS = [0, 2, 3]
CATEGORICAL = [1, 4]


def make_mixed(n_per_class=(120, 30, 12), seed=0):
    """Float X: continuous columns 0, 2, 3 and categorical columns 1 (4 levels), 4."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    X = rng.normal(size=(y.size, 5)) + y[:, None]
    X[:, 1] = rng.integers(0, 4, size=y.size)
    X[:, 4] = (y + rng.integers(0, 3, size=y.size)) % 5 + 10
    return X, y


def make_frame(n_per_class=(120, 30, 12), seed=0):
    """The same data as a DataFrame with categorical, string and int columns."""
    X, y = make_mixed(n_per_class, seed)
    frame = pd.DataFrame(
        {
            "x0": X[:, 0],
            "colour": pd.Categorical(
                np.array(["red", "green", "blue", "grey"])[X[:, 1].astype(int)]
            ),
            "x2": X[:, 2].astype(np.float32),
            "count": np.round(10 * X[:, 3]).astype(np.int64),
            "shop": np.array(["a", "b", "c", "d", "e"])[X[:, 4].astype(int) - 10],
        }
    )
    return frame, y


def make_categorical(n_per_class=(100, 30, 12), seed=0, n_levels=(3, 4, 2)):
    """All-categorical string X whose value frequencies depend on the class."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(len(n_per_class)), n_per_class))
    letters = np.array(list("ABCDEFGH"))
    columns = [
        letters[(y + rng.integers(0, levels, y.size)) % levels] for levels in n_levels
    ]
    return np.column_stack(columns).astype(object), y


# --- oracles -------------------------------------------------------------------------


def imblearn_space(X, y, cls, continuous=CONTINUOUS, categorical=CATEGORICAL):
    """imblearn's encoded rows of ``cls``: continuous, then one-hot * median_std/sqrt2.

    Returns the class's rows, their encoded points, the class's one-hot codes and
    the median of the continuous columns' (population) standard deviations.
    """
    members = np.flatnonzero(y == cls)
    X_cont = np.asarray(X[:, continuous], dtype=np.float64)[members]
    median_std = float(np.median(X_cont.std(axis=0)))
    one_hot = OneHotEncoder(sparse_output=False).fit(X[:, categorical])
    encoded = one_hot.transform(X[members][:, categorical])
    points = np.hstack([X_cont, encoded * median_std / np.sqrt(2)])
    return members, points, X[members][:, categorical], median_std


def sklearn_neighbours(points, k=K):
    nn = SklearnNearestNeighbors(n_neighbors=k + 1).fit(points)
    return nn.kneighbors(points, return_distance=False)[:, 1:]


def most_frequent_sets(values):
    """Per column of ``values`` (k, n_cat), the set of its most frequent entries."""
    sets = []
    for column in values.T:
        counts = Counter(column.tolist())
        top = max(counts.values())
        sets.append({value for value, n in counts.items() if n == top})
    return sets


def assert_smotenc_rows(X, y, X_res, y_res, k=K):
    """Each new row: continuous on a segment row -> same-class kNN (imblearn's space);
    categories among the most frequent of that row's k neighbours.

    Returns, per new row, the set of rows it may have grown from (a segment between
    mutual neighbours can be walked from either end)."""
    n = len(y)
    new_cont = np.asarray(X_res[n:][:, CONTINUOUS], dtype=np.float64)
    new_cat = X_res[n:][:, CATEGORICAL]
    found: list[set] = [set() for _ in range(len(new_cont))]
    for cls in np.unique(y_res[n:]):
        members, points, cat_values, _ = imblearn_space(X, y, cls)
        neighbours = sklearn_neighbours(points, k)
        X_cont = np.asarray(X[members][:, CONTINUOUS], dtype=np.float64)
        starts = np.repeat(X_cont, k, axis=0)
        direction = X_cont[neighbours.ravel()] - starts
        for row in np.flatnonzero(y_res[n:] == cls):
            offset = new_cont[row] - starts
            t = (offset * direction).sum(axis=1) / (direction**2).sum(axis=1)
            residual = np.abs(offset - t[:, None] * direction).max(axis=1)
            on_segment = (residual < 1e-9) & (t >= -1e-12) & (t <= 1 + 1e-12)
            for segment in np.flatnonzero(on_segment):
                parent = segment // k
                allowed = most_frequent_sets(cat_values[neighbours[parent]])
                if all(v in s for v, s in zip(new_cat[row], allowed, strict=True)):
                    found[row].add(int(members[parent]))
    n_bad = sum(not parents for parents in found)
    assert n_bad == 0, f"{n_bad} new rows break imblearn's rule"
    return found


def smoten_oracle(X, y, cls, k=K):
    """imblearn's VDM between the rows of ``cls``; per row the most common values of
    itself and its k nearest others (equal distances: earlier rows first), the first
    sorted value on ties. Returns the class's rows and those per-row modes."""
    encoder = OrdinalEncoder(dtype=np.int32).fit(X)
    codes = encoder.transform(X)
    vdm = ValueDifferenceMetric(n_categories=[len(c) for c in encoder.categories_])
    vdm.fit(codes, y)
    members = np.flatnonzero(y == cls)
    distances = vdm.pairwise(codes[members])
    np.fill_diagonal(distances, -1.0)
    order = np.argsort(distances, axis=1, kind="stable")[:, : k + 1]
    modes = np.empty((members.size, X.shape[1]), dtype=np.int32)
    for i, hood in enumerate(order):
        for j in range(X.shape[1]):
            counts = Counter(codes[members[hood], j].tolist())
            top = max(counts.values())
            modes[i, j] = min(c for c, n in counts.items() if n == top)
    return members, encoder.inverse_transform(modes), distances


# --- SMOTENC: imblearn's rules -------------------------------------------------------


@pytest.mark.parametrize(
    "strategy", ["auto", "all", "not majority", {1: 80, 2: 50}, "float"]
)
def test_smotenc_counts_equal_imblearn(strategy):
    X, y = make_mixed()
    if strategy == "float":
        X, y, strategy = X[y < 2], y[y < 2], 0.6
    ours = SMOTENC(CATEGORICAL, random_state=0, sampling_strategy=strategy)
    peer = ImbSMOTENC(CATEGORICAL, random_state=0, sampling_strategy=strategy)
    _, y_ours = ours.fit_resample(X, y)
    _, y_peer = peer.fit_resample(X, y)
    assert np.bincount(y_ours).tolist() == np.bincount(y_peer).tolist()


def test_smotenc_rows_follow_imblearns_rule_and_the_recipe():
    X, y = make_mixed()
    sampler = SMOTENC(CATEGORICAL, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(y)
    np.testing.assert_array_equal(X_res[:n], X)
    candidates = assert_smotenc_rows(X, y, X_res, y_res)
    parents = np.asarray(sampler.synthetic_parents_)
    assert all(p in c for p, c in zip(parents, candidates, strict=True))
    np.testing.assert_array_equal(y_res[n:], y[parents])
    p, q, s = (
        sampler.synthetic_parents_,
        sampler.synthetic_partners_,
        sampler.synthetic_steps_,
    )
    expected = X[p][:, CONTINUOUS] + s[:, None] * (X[q] - X[p])[:, CONTINUOUS]
    np.testing.assert_allclose(X_res[n:][:, CONTINUOUS], expected, rtol=0, atol=1e-12)


def test_the_oracle_accepts_imblearns_own_rows():
    X, y = make_mixed()
    X_res, y_res = ImbSMOTENC(CATEGORICAL, random_state=0).fit_resample(X, y)
    assert_smotenc_rows(X, y, X_res, y_res)


def test_median_std_equals_imblearn():
    X, y = make_mixed()
    ours = SMOTENC(CATEGORICAL, random_state=0).fit(X, y)
    ours.fit_resample(X, y)
    peer = ImbSMOTENC(CATEGORICAL, random_state=0)
    peer.fit_resample(X, y)
    assert set(ours.median_std_) == set(peer.median_std_) == {1, 2}
    for cls, value in peer.median_std_.items():
        assert ours.median_std_[cls] == pytest.approx(value, rel=1e-12)
        assert imblearn_space(X, y, cls)[3] == pytest.approx(value, rel=1e-12)
    np.testing.assert_array_equal(ours.categorical_features_, CATEGORICAL)
    np.testing.assert_array_equal(ours.continuous_features_, CONTINUOUS)
    assert ours.categorical_features_.dtype == np.int64
    assert ours.n_features_ == 5


def test_smotenc_ties_are_broken_uniformly_at_random():
    # Class 1 has 5 rows, k=4: each row's neighbours are the 4 others. Row 4 ("c")
    # sees a, a, b, b: a tie; rows 0, 1 see b twice (b wins); rows 2, 3 see a twice.
    rng = np.random.default_rng(0)
    X = np.empty((405, 2), dtype=object)
    X[:, 0] = rng.normal(size=405)
    X[:400, 1] = "z"
    X[400:, 1] = ["a", "a", "b", "b", "c"]
    y = np.array([0] * 400 + [1] * 5)
    sampler = SMOTENC([1], k_neighbors=4, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res[405:, 1]
    parent = np.asarray(sampler.synthetic_parents_) - 400
    assert set(new[parent < 2]) == {"b"}
    assert set(new[(parent == 2) | (parent == 3)]) == {"a"}
    tied = new[parent == 4]
    assert set(tied) == {"a", "b"}
    assert 0.3 < np.mean(tied == "a") < 0.7


# --- SMOTEN: the value difference metric ---------------------------------------------


@pytest.mark.parametrize("strategy", ["auto", "all", {1: 70, 2: 40}, "float"])
def test_smoten_counts_equal_imblearn(strategy):
    X, y = make_categorical()
    if strategy == "float":
        X, y, strategy = X[y < 2], y[y < 2], 0.5
    ours = SMOTEN(random_state=0, sampling_strategy=strategy).fit_resample(X, y)[1]
    peer = ImbSMOTEN(random_state=0, sampling_strategy=strategy).fit_resample(X, y)[1]
    assert np.bincount(ours).tolist() == np.bincount(peer).tolist()


def test_smoten_rows_are_the_modes_of_vdm_neighbourhoods():
    X, y = make_categorical()
    sampler = SMOTEN(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(y)
    np.testing.assert_array_equal(X_res[:n], X)
    parents = np.asarray(sampler.synthetic_parents_)
    np.testing.assert_array_equal(y_res[n:], y[parents])
    for cls in (1, 2):
        members, modes, _ = smoten_oracle(X, y, cls)
        mine = y_res[n:] == cls
        position = np.searchsorted(members, parents[mine])
        np.testing.assert_array_equal(X_res[n:][mine], modes[position])


def test_smoten_matches_imblearn_when_neighbourhoods_are_unique():
    # No other row at distance 0 and no tie between the k-th and (k+1)-th nearest:
    # imblearn's neighbourhoods (itself and k others) equal ours, so its rows are
    # among our per-row modes.
    rng = np.random.default_rng(3)
    y = np.array([0] * 200 + [1] * 40)
    X = rng.integers(0, 6, size=(240, 5)).astype(str).astype(object)
    _, modes, distances = smoten_oracle(X, y, 1)
    ranked = np.sort(distances, axis=1)  # itself first, at -1
    assert (ranked[:, 1] > 0).all()
    assert (ranked[:, K + 1] - ranked[:, K] > 1e-12).all()
    allowed = {tuple(row) for row in modes}
    X_peer, _ = ImbSMOTEN(random_state=0).fit_resample(X, y)
    X_ours, _ = SMOTEN(random_state=0).fit_resample(X, y)
    assert {tuple(row) for row in X_peer[240:]} <= allowed
    assert {tuple(row) for row in X_ours[240:]} <= allowed


def test_smoten_user_neighbours_object_gets_precomputed_distances():
    X, y = make_categorical()
    nn = SklearnNearestNeighbors(n_neighbors=K + 1)
    sampler = SMOTEN(random_state=0, k_neighbors=nn)
    X_res, _ = sampler.fit_resample(X, y)
    parents = np.asarray(sampler.synthetic_parents_)
    codes = OrdinalEncoder().fit(X).transform(X).astype(int)
    for cls in (1, 2):
        members, _, distances = smoten_oracle(X, y, cls)
        np.fill_diagonal(distances, 0.0)
        hoods = SklearnNearestNeighbors(n_neighbors=K + 1, metric="precomputed")
        hoods = hoods.fit(distances).kneighbors(distances, return_distance=False)
        mine = y[parents] == cls
        new_codes = OrdinalEncoder().fit(X).transform(X_res[len(y) :][mine])
        for row, parent in zip(new_codes, parents[mine], strict=True):
            hood = codes[members[hoods[np.searchsorted(members, parent)]]]
            for j, value in enumerate(row):
                counts = Counter(hood[:, j].tolist())
                top = max(counts.values())
                assert value == min(c for c, n in counts.items() if n == top)


# --- categorical_features forms, containers, dtypes -----------------------------------


def test_every_form_of_categorical_features_gives_the_same_rows():
    frame, y = make_frame()
    positions = [1, 4]
    mask = np.zeros(5, dtype=bool)
    mask[positions] = True
    forms = [positions, [-4, -1], mask, ["colour", "shop"], np.array(positions)]
    results = [
        SMOTENC(form, random_state=0).fit_resample(frame, y)[0] for form in forms
    ]
    for result in results[1:]:
        pd.testing.assert_frame_equal(result, results[0])


def test_auto_finds_pandas_categorical_columns():
    frame, y = make_frame()
    frame = frame.assign(shop=frame["shop"].astype("category"))
    sampler = SMOTENC("auto", random_state=0)
    X_res, _ = sampler.fit_resample(frame, y)
    np.testing.assert_array_equal(sampler.categorical_features_, [1, 4])
    np.testing.assert_array_equal(sampler.continuous_features_, [0, 2, 3])
    explicit = SMOTENC([1, 4], random_state=0).fit_resample(frame, y)[0]
    pd.testing.assert_frame_equal(X_res, explicit)


def test_pandas_in_pandas_out_with_the_column_dtypes():
    frame, y = make_frame()
    X_res, y_res = SMOTENC(["colour", "shop"], random_state=0).fit_resample(
        frame, pd.Series(y, name="label")
    )
    assert isinstance(X_res, pd.DataFrame)
    assert list(X_res.columns) == list(frame.columns)
    assert X_res.dtypes.to_dict() == frame.dtypes.to_dict()
    assert list(X_res["colour"].cat.categories) == list(frame["colour"].cat.categories)
    assert set(X_res["shop"]) == set(frame["shop"])
    assert isinstance(X_res.index, pd.RangeIndex)
    assert y_res.name == "label"
    pd.testing.assert_frame_equal(X_res.iloc[: len(y)], frame)
    X_sm, _ = SMOTEN(random_state=0).fit_resample(frame[["colour", "shop"]], y)
    assert X_sm.dtypes.to_dict() == frame[["colour", "shop"]].dtypes.to_dict()


def test_pandas_and_numpy_give_the_same_values():
    frame, y = make_frame()
    from_frame = SMOTENC([1, 4], random_state=0).fit_resample(frame, y)[0]
    X = frame.to_numpy(dtype=object)
    from_array = SMOTENC([1, 4], random_state=0).fit_resample(X, y)[0]
    assert from_array.dtype == object
    np.testing.assert_array_equal(from_array[:, [1, 4]], from_frame.iloc[:, [1, 4]])
    np.testing.assert_allclose(
        from_array[:, [0, 2]].astype(float),
        from_frame.iloc[:, [0, 2]].to_numpy(float),
        rtol=1e-6,  # x2 is float32 in the frame
    )


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64)],
)
def test_numpy_result_dtype(dtype, expected):
    X, y = make_mixed()
    X_res, _ = SMOTENC(CATEGORICAL, random_state=0).fit_resample(X.astype(dtype), y)
    assert X_res.dtype == expected


def test_text_categories_in_an_object_array():
    X, y = make_mixed()
    X = X.astype(object)
    X[:, 4] = np.array(list("vwxyz"))[X[:, 4].astype(int) - 10]
    X_res, _ = SMOTENC(CATEGORICAL, random_state=0).fit_resample(X, y)
    assert X_res.dtype == object
    assert set(X_res[:, 4]) == set(X[:, 4])
    assert all(isinstance(v, float) for v in X_res[len(y) :, 0])


def test_nan_is_a_category_in_categorical_columns():
    X, y = make_mixed()
    X = X.astype(object)
    X[::7, 4] = np.nan
    sampler = SMOTENC(CATEGORICAL, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert any(isinstance(v, float) and np.isnan(v) for v in X_res[:, 4])
    assert np.isnan(sampler.categorical_encoder_.categories_[1][-1])


# --- weights, determinism, inputs ----------------------------------------------------


def test_smotenc_weights_are_interpolated_and_smoten_weights_copied():
    X, y = make_mixed()
    w = np.linspace(0.5, 2.0, y.size)
    sampler = SMOTENC(CATEGORICAL, random_state=0)
    _, _, w_res = sampler.fit_resample(X, y, sample_weight=w)
    p, q, s = (
        sampler.synthetic_parents_,
        sampler.synthetic_partners_,
        sampler.synthetic_steps_,
    )
    np.testing.assert_allclose(w_res, np.concatenate([w, w[p] + s * (w[q] - w[p])]))
    Xc, yc = make_categorical()
    wc = np.linspace(0.5, 2.0, yc.size)
    smoten = SMOTEN(random_state=0)
    _, _, wc_res = smoten.fit_resample(Xc, yc, sample_weight=wc)
    np.testing.assert_array_equal(
        wc_res, np.concatenate([wc, wc[smoten.synthetic_parents_]])
    )


@pytest.mark.parametrize("name", ["smotenc", "smoten"])
def test_determinism(name):
    if name == "smotenc":
        X, y = make_frame()

        def run(seed):
            return SMOTENC([1, 4], random_state=seed).fit_resample(X, y)[0].to_numpy()

    else:
        X, y = make_categorical()

        def run(seed):
            return SMOTEN(random_state=seed).fit_resample(X, y)[0]

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_inputs_are_not_modified():
    frame, y = make_frame()
    frame_copy, y_copy = frame.copy(), y.copy()
    SMOTENC([1, 4], random_state=0).fit_resample(frame, y)
    pd.testing.assert_frame_equal(frame, frame_copy)
    X = frame.to_numpy(dtype=object)
    X_copy = X.copy()
    SMOTENC([1, 4], random_state=0).fit_resample(X, y)
    SMOTEN(random_state=0).fit_resample(X[:, [1, 4]], y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


# --- errors --------------------------------------------------------------------------


class WrongShape:
    """A neighbours object whose kneighbors returns too few columns."""

    n_neighbors = 6
    metric = "minkowski"

    def fit(self, X):
        return self

    def kneighbors(self, X, return_distance=False):
        return np.zeros((X.shape[0], 2), dtype=np.int64)

    def get_params(self, deep=True):
        return {"metric": self.metric}

    def set_params(self, **params):
        return self


@pytest.mark.parametrize(
    ("kwargs", "change", "error", "match"),
    [
        ({"categorical_features": [1, 7]}, None, ValueError, r"indices \[7\] out of"),
        ({"categorical_features": [-6]}, None, ValueError, r"indices \[-6\] out of"),
        ({"categorical_features": [True, False]}, None, ValueError, "mask must have"),
        ({"categorical_features": ["colour", "size"]}, "frame", ValueError, "'size'"),
        ({"categorical_features": ["colour"]}, None, ValueError, "names needs `X`"),
        ({"categorical_features": "auto"}, None, ValueError, "needs `X` to be a pan"),
        ({"categorical_features": "all"}, None, ValueError, "must be 'auto' or"),
        ({"categorical_features": 1}, None, TypeError, "must be 'auto' or an arr"),
        ({"categorical_features": [1.5]}, None, TypeError, "integer column indices"),
        ({"categorical_features": [1, 1]}, None, ValueError, "more than once"),
        ({"categorical_features": []}, None, ValueError, "selects no column"),
        ({"categorical_features": "auto"}, "no-category", ValueError, "no column"),
        ({"categorical_features": [0, 1, 2, 3, 4]}, None, ValueError, "every column"),
        ({"k_neighbors": 12}, None, ValueError, r"`k_neighbors`=12 needs at least 13"),
        ({"k_neighbors": WrongShape()}, None, ValueError, "returned 2 neighbours"),
        ({}, "nan", ValueError, r"NaN or infinity in continuous column\(s\) \[3\]"),
        ({}, "text", TypeError, "continuous columns of `X`"),
        ({"categorical_features": [1]}, "frame", TypeError, r"\['shop'\] of `X`"),
        ({"categorical_encoder": "onehot"}, None, TypeError, "`categorical_encoder`"),
        (
            {"categorical_encoder": OneHotEncoder(drop="first")},
            None,
            ValueError,
            "`categorical_encoder` must one-hot encode",
        ),
        ({}, "torch", TypeError, "SMOTENC works on NumPy arrays and pandas"),
        ({}, "strict", TypeError, "use SMOTE"),
        ({}, "3d", ValueError, "`X` must be 2-D"),
    ],
)
def test_smotenc_errors(kwargs, change, error, match):
    X, y = make_mixed()
    if change == "frame" or change == "no-category":
        X = make_frame()[0]
        if change == "no-category":
            X = X.drop(columns=["colour"])
    elif change == "nan":
        X[5, 3] = np.nan
    elif change == "text":
        X = X.astype(object)
        X[2, 0] = "seven"
    elif change == "torch":
        import torch

        X, y = torch.as_tensor(X), torch.as_tensor(y)
    elif change == "strict":
        import array_api_strict

        X, y = array_api_strict.asarray(X), array_api_strict.asarray(y)
    elif change == "3d":
        X = X[:, :, None]
    params = {"categorical_features": CATEGORICAL, **kwargs}
    with pytest.raises(error, match=match):
        SMOTENC(**params).fit_resample(X, y)


@pytest.mark.parametrize(
    ("kwargs", "change", "error", "match"),
    [
        ({"k_neighbors": 12}, None, ValueError, r"`k_neighbors`=12 needs at least 13"),
        ({"k_neighbors": WrongShape()}, None, ValueError, "returned 2 neighbours"),
        ({"k_neighbors": "5"}, None, TypeError, "`k_neighbors` must be an int or"),
        ({"categorical_encoder": 3}, None, TypeError, "`categorical_encoder` must be"),
        ({}, "nan", ValueError, "`X` contains NaN, None or infinity"),
        ({}, "none", ValueError, "`X` contains NaN, None or infinity"),
        ({}, "torch", TypeError, "SMOTEN works on NumPy arrays and pandas"),
    ],
)
def test_smoten_errors(kwargs, change, error, match):
    X, y = make_categorical()
    if change == "nan":
        X = np.where(X == "A", 1.0, 0.0)
        X[4, 0] = np.nan
    elif change == "none":
        X[4, 1] = None
    elif change == "torch":
        import torch

        X, y = torch.zeros(X.shape), torch.as_tensor(y)
    with pytest.raises(error, match=match):
        SMOTEN(**kwargs).fit_resample(X, y)


def test_smoten_neighbours_object_without_metric_is_refused():
    class NoMetric(WrongShape):
        def get_params(self, deep=True):
            return {}

    X, y = make_categorical()
    with pytest.raises(TypeError, match="accepting 'precomputed'"):
        SMOTEN(k_neighbors=NoMetric()).fit_resample(X, y)
