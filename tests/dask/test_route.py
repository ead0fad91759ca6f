"""Dask input reaches a Dask implementation or a clear refusal, never a kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import balancekit as bk
from balancekit._dask_route import DASK_ENTRY_POINTS, is_dask_collection

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.r_[np.zeros(50, dtype=np.int64), np.ones(10, dtype=np.int64)]
    return X, y


def test_dask_collections_are_recognised_without_computing():
    X, y = _data()
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abc")), npartitions=2)
    assert is_dask_collection(da.from_array(X, chunks=20))
    assert is_dask_collection(frame)
    assert is_dask_collection(frame["a"])
    for other in (X, pd.DataFrame(X), list(y), None, 3.0):
        assert not is_dask_collection(other)


SAMPLER_NAMES = [
    name
    for name in dir(bk)
    if isinstance(getattr(bk, name), type)
    and issubclass(getattr(bk, name), bk.base.BaseSampler)
]


def test_every_public_sampler_is_a_dask_entry_point():
    import balancekit._dask_route as route

    route._register_entry_points()
    assert len(SAMPLER_NAMES) >= 25
    assert set(SAMPLER_NAMES) <= DASK_ENTRY_POINTS


def _noise():
    from balancekit.augmentation import gaussian_noise

    X, y = _data()
    gaussian_noise(da.from_array(X, chunks=20), y, num_classes=2, random_state=0)


def test_functions_without_a_dask_route_refuse_clearly():
    with pytest.raises(TypeError) as error:
        _noise()
    message = str(error.value)
    assert message.startswith("`x` is a Dask collection (Array), but gaussian_noise()")
    for name in DASK_ENTRY_POINTS:  # every entry point that does, by name
        assert name in message
    for name in ("RandomUnderSampler", "compute_sample_weight", "f1_score", "SMOTE"):
        assert name in message
    assert "compute()" in message


def test_the_ensembles_refuse_dask_with_their_reason():
    from balancekit import ensemble

    X, y = _data()
    for name in ("BalancedRandomForestClassifier", "EasyEnsembleClassifier"):
        with pytest.raises(TypeError, match=f"{name} fits scikit-learn estimators"):
            getattr(ensemble, name)().fit(
                da.from_array(X, chunks=20), da.from_array(y, 20)
            )


def test_fit_takes_the_dask_route_and_resolves_the_strategy(synchronous):
    X, y = _data()
    sampler = bk.RandomUnderSampler(random_state=0)
    assert sampler.fit(da.from_array(X, chunks=20), da.from_array(y, 20)) is sampler
    assert dict(sampler.sampling_strategy_) == {0: 10}


def test_a_parquet_frame_and_its_label_column_keep_one_partitioning(
    tmp_path, synchronous
):
    # Optimised alone, df["label"] is read in fused partitions (few columns), so
    # it used to get fewer partitions than df and the pair was refused.
    X, y = _data()
    frame = pd.DataFrame(X, columns=list("abc")).assign(label=y)
    dd.from_pandas(frame, npartitions=3).to_parquet(tmp_path, write_index=False)
    table = dd.read_parquet(tmp_path)
    X_res, y_res = bk.RandomUnderSampler(random_state=0).fit_resample(
        table, table["label"]
    )
    computed = X_res.compute()
    assert list(computed.columns) == ["a", "b", "c", "label"]
    assert computed["label"].value_counts().to_dict() == {0: 10, 1: 10}
    np.testing.assert_array_equal(computed["label"].to_numpy(), y_res.compute())


@pytest.mark.parametrize("name", ["SMOTE", "BorderlineSMOTE", "ADASYN", "SMOTENC"])
def test_fit_of_the_smote_family_resolves_the_strategy_on_dask(name, synchronous):
    X, y = _data()
    params = {"categorical_features": [0]} if name == "SMOTENC" else {}
    X_dask = da.from_array(np.round(X, 0) if name == "SMOTENC" else X, chunks=20)
    sampler = getattr(bk, name)(**params)
    assert sampler.fit(X_dask, da.from_array(y, 20)) is sampler
    assert dict(sampler.sampling_strategy_) == {1: 40}


def _params(name):
    """Parameters that let every sampler fit the small data set."""
    params = {"categorical_features": [0]} if name == "SMOTENC" else {}
    if name in ("KMeansSMOTE",):
        params["cluster_balance_threshold"] = 0.0
    return params


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_fit_on_dask_sets_what_fit_sets_in_memory_without_resampling(name, synchronous):
    from dask.callbacks import Callback

    X, y = _data()
    if name in ("SMOTENC", "SMOTEN"):
        X = np.round(X)
    ran: list[str] = []

    class Tasks(Callback):
        def _pretask(self, key, dask, state):
            ran.append(str(key[0] if isinstance(key, tuple) else key))

    sampler = getattr(bk, name)(**_params(name))
    in_memory = getattr(bk, name)(**_params(name)).fit(X, y)
    with Tasks():
        assert sampler.fit(da.from_array(X, chunks=20), da.from_array(y, 20)) is sampler
    assert sampler.sampling_strategy_ == in_memory.sampling_strategy_
    assert getattr(sampler, "n_features_in_", None) == getattr(
        in_memory, "n_features_in_", None
    )
    assert not hasattr(sampler, "sample_indices_")
    # one pass over y: the class counts (and the arrays' own blocks), nothing else
    work = {key.rsplit("-", 1)[0] for key in ran if key.startswith("balancekit")}
    assert work == {"balancekit-class-counts"}, work
