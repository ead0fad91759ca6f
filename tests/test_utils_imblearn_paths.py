"""balancekit.utils under imbalanced-learn's names: imblearn.utils as the oracle."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from imblearn import utils as imb_utils
from sklearn.neighbors import NearestNeighbors as SklearnNearestNeighbors

from balancekit import utils


def parameters(f):
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(f).parameters.values()
    ]


@pytest.mark.parametrize(
    "name", ["check_neighbors_object", "check_sampling_strategy", "check_target_type"]
)
def test_imblearn_names_exist_with_imblearns_parameters(name):
    assert name in utils.__all__
    ours, theirs = (
        parameters(getattr(utils, name)),
        parameters(getattr(imb_utils, name)),
    )
    # check_target_type has one balancekit extra at the end: `classes`.
    assert ours[: len(theirs)] == theirs
    assert [p[0] for p in ours[len(theirs) :]] in ([], ["classes"])


# --- check_sampling_strategy --------------------------------------------------------

Y = np.repeat([0, 1, 2], [50, 30, 10])


@pytest.mark.parametrize(
    ("strategy", "sampling_type"),
    [
        ("auto", "over-sampling"),
        ("minority", "over-sampling"),
        ("not majority", "over-sampling"),
        ("all", "under-sampling"),
        ("majority", "under-sampling"),
        ("not minority", "clean-sampling"),
        ({1: 40, 2: 45}, "over-sampling"),
        ({0: 20, 1: 10}, "under-sampling"),
        ([0, 1], "clean-sampling"),
        (lambda y: {0: 12}, "under-sampling"),
        ("auto", "bypass"),
    ],
)
def test_check_sampling_strategy_equals_imblearns(strategy, sampling_type):
    ours = utils.check_sampling_strategy(strategy, Y, sampling_type)
    theirs = imb_utils.check_sampling_strategy(strategy, Y, sampling_type)
    assert dict(ours) == dict(theirs) if isinstance(theirs, dict) else ours == theirs
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)


def test_check_sampling_strategy_float_and_kwargs():
    y = np.repeat([0, 1], [80, 20])
    for sampling_type in ("over-sampling", "under-sampling"):
        assert dict(utils.check_sampling_strategy(0.5, y, sampling_type)) == dict(
            imb_utils.check_sampling_strategy(0.5, y, sampling_type)
        )

    def half(y, factor):
        return {0: int(np.sum(y == 0) * factor)}

    assert dict(
        utils.check_sampling_strategy(half, y, "under-sampling", factor=0.5)
    ) == dict(imb_utils.check_sampling_strategy(half, y, "under-sampling", factor=0.5))
    with pytest.raises(ValueError, match="float only when `y` has two classes"):
        utils.check_sampling_strategy(0.5, Y, "over-sampling")


def test_check_sampling_strategy_on_every_backend(backend):
    ours = utils.check_sampling_strategy("auto", backend.asarray(Y), "over-sampling")
    assert dict(ours) == dict(
        imb_utils.check_sampling_strategy("auto", Y, "over-sampling")
    )


# --- check_neighbors_object -----------------------------------------------------------


@pytest.mark.parametrize("additional", [0, 1, 3])
def test_check_neighbors_object_int(additional):
    ours = utils.check_neighbors_object(
        "k_neighbors", 5, additional_neighbor=additional
    )
    theirs = imb_utils.check_neighbors_object("k_neighbors", 5, additional)
    assert ours.n_neighbors == theirs.n_neighbors == 5 + additional
    X = np.random.default_rng(0).normal(size=(40, 3))
    np.testing.assert_array_equal(
        ours.fit(X).kneighbors(X, return_distance=False),
        theirs.fit(X).kneighbors(X, return_distance=False),
    )


def test_check_neighbors_object_clones_objects():
    user = SklearnNearestNeighbors(n_neighbors=4)
    ours = utils.check_neighbors_object("m_neighbors", user, additional_neighbor=1)
    theirs = imb_utils.check_neighbors_object("m_neighbors", user, 1)
    assert ours is not user
    assert ours.get_params() == theirs.get_params()


def test_check_neighbors_object_errors_name_the_parameter():
    with pytest.raises(TypeError, match="`m_neighbors` must be an int"):
        utils.check_neighbors_object("m_neighbors", "ten")
    with pytest.raises(ValueError, match="m_neighbors"):
        utils.check_neighbors_object("m_neighbors", 0)
    # imbalanced-learn clones anything that is not an int: scikit-learn's clone error.
    with pytest.raises(TypeError, match="Cannot clone"):
        imb_utils.check_neighbors_object("m_neighbors", "ten")


# --- check_target_type ----------------------------------------------------------------


TARGETS = {
    "binary": np.array([0, 1, 1, 0]),
    "multiclass": np.array([2, 0, 1, 1]),
    "strings": np.array(["a", "b", "a", "c"]),
    "column": np.array([[0], [2], [1], [1]]),
    "one-hot": np.eye(3, dtype=int)[[2, 0, 1, 1]],
    "one-hot-float": np.eye(3)[[0, 0, 1, 2]],
    "list": [0, 1, 1],
    "series": pd.Series([3, 1, 3]),
}


@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("indicate", [False, True])
def test_check_target_type_equals_imblearns(name, indicate):
    y = TARGETS[name]
    ours = utils.check_target_type(y, indicate_one_vs_all=indicate)
    theirs = imb_utils.check_target_type(y, indicate_one_vs_all=indicate)
    if indicate:
        assert ours[1] == theirs[1]
        ours, theirs = ours[0], theirs[0]
    assert isinstance(ours, np.ndarray)
    np.testing.assert_array_equal(ours, theirs)


def test_check_target_type_refuses_multilabel_like_imblearn():
    y = np.array([[1, 1, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        imb_utils.check_target_type(y)
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        utils.check_target_type(y)
    with pytest.raises(ValueError, match="1-D class labels"):
        utils.check_target_type(np.array([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="1-D class labels"):
        utils.check_target_type(np.zeros((2, 2, 2)))


def test_check_target_type_classes_extra():
    y = np.eye(3, dtype=int)[[2, 0, 1]]
    decoded = utils.check_target_type(y, classes=["low", "mid", "high"])
    assert decoded.tolist() == ["high", "low", "mid"]
    with pytest.raises(ValueError, match="one label per one-hot column"):
        utils.check_target_type(y, classes=["low", "mid"])
    # classes does not touch a 1-D target.
    assert utils.check_target_type([0, 1], classes=["a", "b"]).tolist() == [0, 1]


def test_check_target_type_on_every_backend(backend):
    y = backend.asarray(np.eye(3, dtype=np.int64)[[2, 0, 1, 1]])
    decoded, one_vs_all = utils.check_target_type(y, indicate_one_vs_all=True)
    assert one_vs_all
    assert backend.device_of(decoded) == backend.device
    assert backend.to_numpy(decoded).tolist() == [2, 0, 1, 1]
    with_classes = utils.check_target_type(y, classes=[10, 20, 30])
    assert backend.device_of(with_classes) == backend.device
    assert backend.to_numpy(with_classes).tolist() == [30, 10, 20, 20]
    column = utils.check_target_type(backend.asarray(np.array([[1], [0]])))
    assert tuple(column.shape) == (2,)
