"""make_imbalance: imbalanced-learn's make_imbalance as the oracle, every backend."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from imblearn.datasets import make_imbalance as imb_make_imbalance

from balancekit.datasets import make_imbalance


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], 50)
    return rng.normal(size=(150, 4)), y


def ratio(y, multiplier):
    return {
        cls: int(count * multiplier[cls]) for cls, count in enumerate(np.bincount(y))
    }


def test_signature_matches_imblearn():
    def parameters(f):
        return [
            (p.name, p.kind, p.default)
            for p in inspect.signature(f).parameters.values()
        ]

    assert parameters(make_imbalance) == parameters(imb_make_imbalance)


@pytest.mark.parametrize(
    ("strategy", "kwargs"),
    [
        ({0: 10, 1: 20, 2: 30}, {}),
        ({1: 5}, {}),
        (ratio, {"multiplier": {0: 0.5, 1: 0.7, 2: 0.95}}),
    ],
)
def test_counts_equal_imblearns_and_rows_are_input_rows(strategy, kwargs):
    X, y = make_data()
    X_res, y_res = make_imbalance(
        X, y, sampling_strategy=strategy, random_state=0, **kwargs
    )
    _X_peer, y_peer = imb_make_imbalance(
        X, y, sampling_strategy=strategy, random_state=0, **kwargs
    )
    assert np.bincount(y_res).tolist() == np.bincount(y_peer).tolist()
    # Every output row is an input row of the same class, none repeated.
    rows = {tuple(row): label for row, label in zip(X, y, strict=True)}
    assert [rows[tuple(row)] for row in X_res] == y_res.tolist()
    assert len({tuple(row) for row in X_res}) == len(X_res)


def test_same_seed_same_rows():
    X, y = make_data()
    strategy = {0: 10, 1: 20}
    first = make_imbalance(X, y, sampling_strategy=strategy, random_state=3)[0]
    again = make_imbalance(X, y, sampling_strategy=strategy, random_state=3)[0]
    other = make_imbalance(X, y, sampling_strategy=strategy, random_state=4)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_runs_on_every_backend_device(backend):
    X, y = make_data()
    X = X.astype(np.float32)
    expected = make_imbalance(X, y, sampling_strategy={0: 7, 2: 9}, random_state=0)
    X_b, y_b = backend.asarray(X), backend.asarray(y)
    X_res, y_res = make_imbalance(
        X_b, y_b, sampling_strategy={0: 7, 2: 9}, random_state=0
    )
    for got, want in zip((X_res, y_res), expected, strict=True):
        assert type(got) is type(X_b)
        assert backend.device_of(got) == backend.device
        np.testing.assert_array_equal(backend.to_numpy(got), want)
    np.testing.assert_array_equal(backend.to_numpy(X_b), X)


def test_pandas_in_pandas_out_and_verbose(capsys):
    X, y = make_data()
    frame = pd.DataFrame(X, columns=list("abcd"))
    X_res, y_res = make_imbalance(
        frame,
        pd.Series(y, name="t"),
        sampling_strategy={0: 5},
        random_state=0,
        verbose=True,
    )
    assert list(X_res.columns) == list("abcd")
    assert y_res.name == "t"
    out = capsys.readouterr().out
    assert "original target distribution" in out
    assert "{0: 5, 1: 50, 2: 50}" in out


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, "`sampling_strategy` must be a dict"),
        ({"sampling_strategy": 0.5}, ValueError, "`sampling_strategy` must be a dict"),
        ({"sampling_strategy": {0: 80}}, ValueError, "sampl"),
        ({"sampling_strategy": {0: 5}, "verbose": "yes"}, TypeError, "verbose"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    X, y = make_data()
    with pytest.raises(error, match=match):
        make_imbalance(X, y, **kwargs)
