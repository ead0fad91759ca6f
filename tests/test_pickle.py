"""Every public object, fitted or not, on every backend, survives pickle (issue 14).

The classes are discovered from the ``__all__`` of every public module, so a new
public class fails ``test_every_public_class_has_a_case`` until it gets a case here.
Each case builds the object, uses it (fit, update, iterate), pickles it before and
after, and checks that the loaded object gives the same results as the original.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pickle
import pkgutil
import warnings
from collections.abc import Callable
from typing import Any

import joblib
import numpy as np
import pytest
import torch  # before tensorflow (DESIGN.md)

import balancekit as bk
from balancekit import metrics as bm

NUMPY_RNG = np.random.default_rng(0)
X = NUMPY_RNG.normal(size=(120, 4))
Y = (NUMPY_RNG.random(120) < 0.25).astype(np.int64)
Y[:3] = 1  # enough minority rows for k = 5 neighbours everywhere
# a multilabel indicator: two labels of 30 % and 10 % (and a common one)
Y_MULTI = np.stack(
    [Y, (NUMPY_RNG.random(120) < 0.1).astype(np.int64), np.ones(120, np.int64)], 1
)
Y_MULTI[:6, 1] = 1
Y_MULTI[6:9, 2] = 0


def _round_trip(obj: Any) -> Any:
    return pickle.loads(pickle.dumps(obj))


def _public_classes() -> set[str]:
    names = ["balancekit"] + [
        module.name
        for module in pkgutil.walk_packages(bk.__path__, "balancekit.")
        if not any(part.startswith("_") for part in module.name.split("."))
    ]
    found: dict[type, str] = {}  # each class under its shortest public path
    for name in names:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            public = inspect.isclass(obj) and obj.__module__.startswith("balancekit")
            if public and not obj.__name__.startswith("Base"):  # abstract bases
                path = f"{module.__name__}.{attr}"
                if obj not in found or len(path) < len(found[obj]):
                    found[obj] = path
    return set(found.values())


# --------------------------------------------------------------------- samplers

SAMPLER_NAMES = [
    name
    for name in bk.__all__
    if inspect.isclass(getattr(bk, name)) and hasattr(getattr(bk, name), "fit_resample")
]


def _sampler(name: str) -> Any:
    cls = getattr(bk, name)
    params = {}
    if "random_state" in inspect.signature(cls).parameters:
        params["random_state"] = 0
    if name == "SMOTENC":
        params["categorical_features"] = [0]
    if name == "KMeansSMOTE":  # imblearn finds no cluster to fill on this data either
        params["cluster_balance_threshold"] = 0.1
    return cls(**params)


def _sampler_data(name: str, backend: Any) -> tuple[Any, Any]:
    if name in ("SMOTENC", "SMOTEN"):  # NumPy only: categorical columns
        categories = NUMPY_RNG.integers(0, 3, size=(120, 1)).astype(np.float64)
        data = X if name == "SMOTENC" else np.round(X)
        return np.hstack([categories, data[:, 1:]]), Y
    return backend.asarray(X), backend.asarray(Y)


@pytest.mark.parametrize("name", SAMPLER_NAMES)
def test_samplers_pickle_fitted_and_give_the_same_rows(name, backend):
    if name in ("SMOTENC", "SMOTEN") and backend.name != "numpy":
        pytest.skip("categorical samplers take NumPy and pandas input")
    Xb, yb = _sampler_data(name, backend)
    sampler = _sampler(name)
    _round_trip(sampler)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        first = sampler.fit_resample(Xb, yb)
        for dump in (_round_trip, _joblib_round_trip):
            loaded = dump(sampler)
            assert loaded.get_params().keys() == sampler.get_params().keys()
            again = loaded.fit_resample(Xb, yb)
            for a, b in zip(first, again, strict=True):
                np.testing.assert_array_equal(backend.to_numpy(a), backend.to_numpy(b))


def _joblib_round_trip(obj: Any) -> Any:
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@pytest.mark.parametrize(
    "sampler",
    [bk.EditedNearestNeighbours(), bk.NearMiss(), bk.SMOTEENN(random_state=0)],
    ids=["ENN", "NearMiss", "SMOTEENN"],
)
def test_fitted_pipeline_and_grid_search_save(sampler):
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    pipeline = Pipeline([("sampler", sampler), ("model", LogisticRegression())])
    search = GridSearchCV(pipeline, {"model__C": [0.1, 1.0]}, cv=2).fit(X, Y)
    for fitted in (pipeline.fit(X, Y), search):
        loaded = _joblib_round_trip(fitted)
        np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))


# --------------------------------------------------------------- streaming metrics


def _streaming(backend: Any) -> list[tuple[Any, Callable[[Any], Any]]]:
    y_true = backend.asarray(Y)
    y_pred = backend.asarray((X[:, 0] > 0).astype(np.int64))
    score = backend.asarray(1 / (1 + np.exp(-X[:, 0])))
    weights = backend.asarray(np.linspace(0.5, 2.0, 120))
    confusion = bm.StreamingConfusionMatrix([0, 1]).update(y_true, y_pred, weights)
    scores = bm.StreamingScores(50).update(y_true, score)
    return [
        (confusion, lambda m: m.f1_score(average="macro")),
        (confusion, lambda m: m.compute()),
        (scores, lambda m: m.compute_average_precision()),
        (scores, lambda m: m.histogram()),
    ]


def test_streaming_metrics_pickle_and_restore_state(backend):
    for metric, result in _streaming(backend):
        expected = backend.to_numpy(result(metric))
        loaded = _round_trip(metric)
        np.testing.assert_array_equal(backend.to_numpy(result(loaded)), expected)
        restored = type(metric)(**_config(metric))
        restored.load_state_dict(metric.state_dict())
        np.testing.assert_array_equal(backend.to_numpy(result(restored)), expected)
        assert backend.device_of(result(restored)) == backend.device
        _round_trip(type(metric)(**_config(metric)))  # empty


def _config(metric: Any) -> dict[str, Any]:
    if isinstance(metric, bm.StreamingConfusionMatrix):
        return {"labels": metric.labels}
    return {"thresholds": metric.thresholds, "pos_label": metric.pos_label}


def test_streaming_metrics_torch_save_weights_only():
    metric = bm.StreamingConfusionMatrix([0, 1, 2]).update(
        torch.tensor([0, 1, 2, 2]), torch.tensor([0, 2, 2, 1])
    )
    buffer = io.BytesIO()
    torch.save(metric.state_dict(), buffer)
    buffer.seek(0)
    restored = bm.StreamingConfusionMatrix([0, 1, 2])
    restored.load_state_dict(torch.load(buffer, weights_only=True))
    assert torch.equal(restored.compute(), metric.compute())
    assert float(restored.f1_score(average="macro")) == float(
        metric.f1_score(average="macro")
    )
    buffer = io.BytesIO()
    torch.save(metric, buffer)  # the whole object, after update
    buffer.seek(0)
    assert torch.equal(
        torch.load(buffer, weights_only=False).compute(), metric.compute()
    )


def test_load_state_dict_refuses_another_configuration():
    state = bm.StreamingConfusionMatrix([0, 1]).update([0, 1], [1, 1]).state_dict()
    with pytest.raises(ValueError, match="other arguments"):
        bm.StreamingConfusionMatrix([0, 1, 2]).load_state_dict(state)
    with pytest.raises(ValueError, match="saved from a StreamingConfusionMatrix"):
        bm.StreamingScores().load_state_dict(state)
    with pytest.raises(ValueError, match="lacks"):
        bm.StreamingConfusionMatrix([0, 1]).load_state_dict({"counts": None})
    with pytest.raises(TypeError, match="must be the dict"):
        bm.StreamingConfusionMatrix([0, 1]).load_state_dict([1, 2])
    bad = dict(state, counts=np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"has shape \(3, 3\)"):
        bm.StreamingConfusionMatrix([0, 1]).load_state_dict(bad)
    empty = bm.StreamingConfusionMatrix([0, 1])
    empty.load_state_dict(bm.StreamingConfusionMatrix([0, 1]).state_dict())
    assert empty.is_empty


# ---------------------------------------------------------- the other public classes


def _torch_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    import balancekit.torch as bt

    logits = torch.from_numpy(X[:, :2].astype(np.float32))
    target = torch.from_numpy(Y)
    counts = np.bincount(Y)

    def loss(cls: Any, *args: Any) -> Any:
        return lambda: (cls(*args), lambda m: m(logits, target))

    def sampler(cls: Any, *args: Any, **kwargs: Any) -> Any:
        def make() -> tuple[Any, Callable[[Any], Any]]:
            made = cls(Y, *args, seed=3, **kwargs)
            iterator = iter(made)
            next(iterator)  # mid-epoch: the state counts what was handed out
            return made, lambda m: m.epoch_draw(2)

        return make

    multi_logits = torch.from_numpy(X[:, :3].astype(np.float32))
    multi_target = torch.from_numpy(Y_MULTI.astype(np.float32))
    multi_counts = Y_MULTI.sum(axis=0)

    def multilabel_loss(cls: Any, *args: Any) -> Any:
        return lambda: (cls(*args), lambda m: m(multi_logits, multi_target))

    def multilabel_sampler() -> tuple[Any, Callable[[Any], Any]]:
        made = bt.MultilabelBalancedSampler(Y_MULTI, "sqrt", seed=3)
        next(iter(made))
        return made, lambda m: m.epoch_draw(2)

    def dataset() -> tuple[Any, Callable[[Any], Any]]:
        made = bt.ResampledDataset(
            (torch.from_numpy(X), torch.from_numpy(Y)),
            bk.RandomOverSampler(random_state=0),
        )
        return made, lambda d: torch.stack([d[i][0] for i in range(len(d))])

    def augment() -> tuple[Any, Callable[[Any], Any]]:
        made = bt.BatchAugment(bk.mixup, num_classes=2, random_state=0)
        batch = [(torch.from_numpy(X[i]), int(Y[i])) for i in range(8)]
        return made, lambda a: a(batch)[0]

    return {
        "balancekit.torch.FocalLoss": loss(bt.FocalLoss),
        "balancekit.torch.ClassBalancedLoss": loss(bt.ClassBalancedLoss, counts),
        "balancekit.torch.LDAMLoss": loss(bt.LDAMLoss, counts),
        "balancekit.torch.LogitAdjustedLoss": loss(bt.LogitAdjustedLoss, counts),
        "balancekit.torch.BalancedSoftmaxLoss": loss(bt.BalancedSoftmaxLoss, counts),
        "balancekit.torch.BalancedSampler": sampler(bt.BalancedSampler),
        "balancekit.torch.BalancedBatchSampler": sampler(bt.BalancedBatchSampler, 2, 4),
        "balancekit.torch.ResampledDataset": dataset,
        "balancekit.torch.BatchAugment": augment,
        "balancekit.torch.AsymmetricLoss": multilabel_loss(bt.AsymmetricLoss),
        "balancekit.torch.DistributionBalancedLoss": multilabel_loss(
            bt.DistributionBalancedLoss, multi_counts, len(Y_MULTI)
        ),
        "balancekit.torch.MultilabelBalancedSampler": multilabel_sampler,
    }


def _tensorflow_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    import tensorflow as tf

    import balancekit.tensorflow as btf
    from balancekit.keras import BalancedBatchGenerator

    logits = tf.constant(X[:, :2].astype(np.float32))
    target = tf.constant(Y)
    counts = np.bincount(Y)

    def loss(cls: Any, *args: Any) -> Any:
        return lambda: (cls(*args), lambda m: m(target, logits).numpy())

    multi_logits = tf.constant(X[:, :3].astype(np.float32))
    multi_target = tf.constant(Y_MULTI.astype(np.float32))

    def multilabel_loss(cls: Any, *args: Any) -> Any:
        return lambda: (cls(*args), lambda m: m(multi_target, multi_logits).numpy())

    return {
        "balancekit.tensorflow.FocalLoss": loss(btf.FocalLoss),
        "balancekit.tensorflow.ClassBalancedLoss": loss(btf.ClassBalancedLoss, counts),
        "balancekit.tensorflow.LDAMLoss": loss(btf.LDAMLoss, counts),
        "balancekit.tensorflow.LogitAdjustedLoss": loss(btf.LogitAdjustedLoss, counts),
        "balancekit.tensorflow.BalancedSoftmaxLoss": loss(
            btf.BalancedSoftmaxLoss, counts
        ),
        "balancekit.tensorflow.AsymmetricLoss": multilabel_loss(btf.AsymmetricLoss),
        "balancekit.tensorflow.DistributionBalancedLoss": multilabel_loss(
            btf.DistributionBalancedLoss, Y_MULTI.sum(axis=0), len(Y_MULTI)
        ),
        "balancekit.keras.BalancedBatchGenerator": lambda: (
            BalancedBatchGenerator(X, Y, batch_size=8, random_state=0),
            lambda g: [g[i][0] for i in range(len(g))],
        ),
    }


def _report_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from balancekit import bench, decisions, diagnostics

    def report() -> tuple[Any, Callable[[Any], Any]]:
        made = diagnostics.inspect(X, Y)
        return made, lambda r: r.to_dict() if hasattr(r, "to_dict") else repr(r)

    def split() -> tuple[Any, Callable[[Any], Any]]:
        made = diagnostics.check_split(X[:80], Y[:80], X[80:], Y[80:])
        return made, lambda r: [f.code for f in r.findings]

    def first(items: Any) -> Any:
        return lambda: (items()[0], lambda o: o.name)

    return {
        "balancekit.decisions.PriorEstimate": lambda: (
            decisions.estimate_prior(
                np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), [0.5, 0.5]
            ),
            lambda e: (np.asarray(e.prior).tolist(), e.method, e.n_iter),
        ),
        "balancekit.decisions.ClassOffsets": lambda: (
            decisions.tune_class_offsets(
                np.array([0, 1, 2, 1, 0, 2]),
                np.array(
                    [
                        [0.6, 0.3, 0.1],
                        [0.5, 0.4, 0.1],
                        [0.2, 0.3, 0.5],
                        [0.3, 0.6, 0.1],
                        [0.7, 0.2, 0.1],
                        [0.4, 0.2, 0.4],
                    ]
                ),
            ),
            lambda o: np.asarray(o.offsets).tolist(),
        ),
        "balancekit.diagnostics.DataReport": report,
        "balancekit.diagnostics.SplitReport": split,
        "balancekit.diagnostics.Finding": lambda: (
            diagnostics.Finding("code", "warning", "message"),
            repr,
        ),
        "balancekit.diagnostics.MultilabelImbalance": lambda: (
            diagnostics.multilabel_imbalance(
                np.array([[1, 1, 0], [1, 0, 1], [0, 0, 1]])
            ),
            lambda m: (m.to_dict(), np.asarray(m.scumble_ins).tolist()),
        ),
        "balancekit.bench.Dataset": lambda: (
            bench.load_dataset("haberman"),
            lambda d: d.X,
        ),
        "balancekit.bench.MultilabelDataset": lambda: (
            bench.load_multilabel_dataset("solar-flare"),
            lambda d: d.Y,
        ),
        "balancekit.bench.MultilabelStrategy": first(
            bench.default_multilabel_strategies
        ),
        "balancekit.bench.Model": first(bench.default_models),
        "balancekit.bench.Strategy": first(bench.default_strategies),
        "balancekit.bench.Recommendation": lambda: (
            bench.recommend(
                [
                    {
                        "dataset": "d",
                        "model": "m",
                        "strategy": "none",
                        "pr_auc_mean": 0.5,
                        "n_ok": 3,
                    },
                ]
            )[0],
            lambda r: r.sentence,
        ),
        "balancekit.bench.FriedmanResult": lambda: (
            bench.friedman_test(NUMPY_RNG.random((4, 3))),
            lambda r: r.statistic,
        ),
        "balancekit.metrics.ThresholdResult": lambda: (
            bm.ThresholdResult(0.5, 0.8),
            repr,
        ),
        "balancekit.ProgressiveSchedule": lambda: (
            bk.ProgressiveSchedule(10),
            lambda s: bk.epoch_class_counts(s, {0: 90, 1: 10}, epoch=3),
        ),
    }


def _model_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from balancekit import ensemble
    from balancekit.model_selection import InstanceHardnessCV

    def fitted(cls: Any, **params: Any) -> Any:
        def make() -> tuple[Any, Callable[[Any], Any]]:
            made = cls(n_estimators=3, random_state=0, **params).fit(X, Y)
            return made, lambda m: m.predict_proba(X)

        return make

    def splitter() -> tuple[Any, Callable[[Any], Any]]:
        made = InstanceHardnessCV(LogisticRegression(), n_splits=3)
        return made, lambda s: cross_val_score(LogisticRegression(), X, Y, cv=s)

    return {
        "balancekit.ensemble.BalancedBaggingClassifier": fitted(
            ensemble.BalancedBaggingClassifier
        ),
        "balancekit.ensemble.BalancedRandomForestClassifier": fitted(
            ensemble.BalancedRandomForestClassifier
        ),
        "balancekit.ensemble.EasyEnsembleClassifier": fitted(
            ensemble.EasyEnsembleClassifier
        ),
        "balancekit.ensemble.RUSBoostClassifier": fitted(ensemble.RUSBoostClassifier),
        "balancekit.model_selection.InstanceHardnessCV": splitter,
        **_decision_models(),
    }


def _decision_models() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    from balancekit import decisions

    def wrapped(cls: Any, **params: Any) -> Any:
        def make() -> tuple[Any, Callable[[Any], Any]]:
            pipe = make_pipeline(
                bk.RandomOverSampler(random_state=0), LogisticRegression()
            )
            made = cls(pipe, **params).fit(X, Y)
            return made, lambda m: (m.predict(X), m.predict_proba(X))

        return make

    def rule() -> tuple[Any, Callable[[Any], Any]]:
        scores = NUMPY_RNG.random(Y.size)
        made = decisions.tune_threshold(Y, scores, constraint=("recall", 0.5))
        return made, lambda r: r.predict(scores)

    return {
        "balancekit.decisions.PriorCorrected": wrapped(decisions.PriorCorrected),
        "balancekit.decisions.TunedDecision": wrapped(
            decisions.TunedDecision, cv=3, random_state=0
        ),
        "balancekit.decisions.TemperatureScaled": wrapped(
            decisions.TemperatureScaled, cv=3, random_state=0
        ),
        "balancekit.decisions.DecisionRule": rule,
    }


def _cluster_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from balancekit import cluster

    def fitted(cls: Any, **params: Any) -> Any:
        def make() -> tuple[Any, Callable[[Any], Any]]:
            made = cls(n_clusters=3, random_state=0, **params).fit(X)
            return made, lambda m: (m.predict(X), m.cluster_centers_, m.labels_)

        return make

    return {
        "balancekit.cluster.KMeans": fitted(cluster.KMeans),
        "balancekit.cluster.MiniBatchKMeans": fitted(
            cluster.MiniBatchKMeans, batch_size=32
        ),
    }


COVERED_ELSEWHERE = {f"balancekit.{name}" for name in SAMPLER_NAMES} | {
    "balancekit.metrics.StreamingConfusionMatrix",
    "balancekit.metrics.StreamingScores",
}


def _multilabel_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from balancekit import multilabel

    def fitted(cls: Any, **params: Any) -> Any:
        def make() -> tuple[Any, Callable[[Any], Any]]:
            made = cls(random_state=0, **params)
            made.fit_resample(X, Y_MULTI)
            return made, lambda m: m.fit_resample(X, Y_MULTI)

        return make

    def streaming() -> tuple[Any, Callable[[Any], Any]]:
        made = bm.StreamingMultilabelConfusionMatrix(3)
        made.update(Y_MULTI[:60], Y_MULTI[60:])
        return made, lambda m: (m.compute(), m.f1_score(average="samples"))

    def streaming_scores() -> tuple[Any, Callable[[Any], Any]]:
        made = bm.StreamingMultilabelScores(3, n_bins=10, labels=[1, 0])
        made.update(Y_MULTI, np.round(NUMPY_RNG.random(Y_MULTI.shape), 1))
        return made, lambda m: (m.roc_auc_score(average=None), m.histogram())

    return {
        **{
            f"balancekit.multilabel.{name}": fitted(getattr(multilabel, name))
            for name in multilabel.__all__
        },
        "balancekit.metrics.StreamingMultilabelConfusionMatrix": streaming,
        "balancekit.metrics.StreamingMultilabelScores": streaming_scores,
    }


def _other_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    return {
        **_multilabel_objects(),
        **_torch_objects(),
        **_tensorflow_objects(),
        **_report_objects(),
        **_model_objects(),
        **_cluster_objects(),
        **_monitor_objects(),
    }


def _monitor_objects() -> dict[str, Callable[[], tuple[Any, Callable[[Any], Any]]]]:
    from balancekit.diagnostics import MinorityMonitor, TrainingCollapseWarning

    def monitor() -> MinorityMonitor:
        made = MinorityMonitor(3)
        made.update(np.array([0, 1, 2]), np.eye(3) * 0.7 + 0.1)
        made.end_epoch()
        made.update(np.array([0, 1]), np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]))
        return made

    def history(m: Any) -> Any:
        return m.history_, m.end_epoch()

    def lightning_callback() -> tuple[Any, Callable[[Any], Any]]:
        from balancekit.torch.lightning import MinorityMonitorCallback

        made = MinorityMonitorCallback(monitor(), prefix="v_")
        return made, lambda c: (c.prefix, *history(c.monitor))

    def keras_callback() -> tuple[Any, Callable[[Any], Any]]:
        from balancekit.tensorflow import MinorityMonitorCallback

        made = MinorityMonitorCallback(monitor(), (X[:, :3], Y), batch_size=16)
        return made, lambda c: (c.batch_size, *history(c.monitor))

    return {
        "balancekit.diagnostics.MinorityMonitor": lambda: (monitor(), history),
        "balancekit.diagnostics.TrainingCollapseWarning": lambda: (
            TrainingCollapseWarning("collapsed to class 0"),
            lambda w: (type(w), str(w)),
        ),
        "balancekit.torch.lightning.MinorityMonitorCallback": lightning_callback,
        "balancekit.tensorflow.MinorityMonitorCallback": keras_callback,
    }


def test_every_public_class_has_a_case():
    discovered = _public_classes()
    covered = COVERED_ELSEWHERE | set(_other_objects())
    assert discovered - covered == set(), "give these classes a pickle case"


def _same(a: Any, b: Any) -> None:
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    elif isinstance(a, np.ndarray) or hasattr(a, "__array__"):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    else:
        assert a == b


@pytest.mark.parametrize("name", sorted(_other_objects()))
def test_other_public_objects_pickle(name):
    obj, result = _other_objects()[name]()
    loaded = _round_trip(obj)
    expected, got = result(obj), result(loaded)
    if isinstance(expected, tuple | list) and not isinstance(expected, str):
        for a, b in zip(expected, got, strict=True):
            _same(a, b)
    else:
        _same(expected, got)
