"""The scikit-learn compatible torch and Keras MLPs of the strategy comparison."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import StandardScaler

import balancekit

TORCH_OPTIONS = [
    {"loss": "cross_entropy"},
    {"loss": "focal"},
    {"loss": "class_balanced"},
    {"loss": "logit_adjusted"},
    {"loss": "balanced_softmax"},
    {"loss": "ldam"},
    {"sampler": "balanced"},
    {"augment": "mixup"},
    {"augment": "remix"},
    {"augment": "balanced_mixup"},
    {"augment": "smote_batch"},
    {"augment": "gaussian_noise"},
    {"sampler": "balanced", "augment": "smote_batch"},
]
KERAS_LOSSES = [
    "cross_entropy",
    "focal",
    "class_balanced",
    "logit_adjusted",
    "balanced_softmax",
    "ldam",
]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """600 x 8, 90/10 imbalanced, well separated."""
    return make_classification(
        n_samples=600,
        n_features=8,
        n_informative=4,
        weights=[0.9, 0.1],
        class_sep=2.0,
        random_state=0,
    )


@pytest.fixture(scope="module")
def data3() -> tuple[np.ndarray, np.ndarray]:
    """Three classes, 70/20/10."""
    return make_classification(
        n_samples=450,
        n_features=6,
        n_informative=4,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1],
        class_sep=2.0,
        random_state=1,
    )


@pytest.fixture(scope="module")
def torch_mlp() -> type:
    pytest.importorskip("torch")
    from balancekit.bench._torch_mlp import TorchMLPClassifier

    return TorchMLPClassifier


@pytest.fixture(scope="module")
def keras_mlp() -> type:
    pytest.importorskip("tensorflow")
    from balancekit.bench._keras_mlp import KerasMLPClassifier

    return KerasMLPClassifier


def assert_valid_proba(proba: np.ndarray, n_samples: int, n_classes: int) -> None:
    assert isinstance(proba, np.ndarray)
    assert proba.dtype == np.float64
    assert proba.shape == (n_samples, n_classes)
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)


# --------------------------------------------------------------------------- torch


@pytest.mark.parametrize("options", TORCH_OPTIONS, ids=str)
def test_torch_options_fit_predict_and_learn(torch_mlp, data, options):
    X, y = data
    model = torch_mlp(epochs=10, learning_rate=1e-2, random_state=0, **options)
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert_valid_proba(proba, X.shape[0], 2)
    assert model.classes_.tolist() == [0, 1]
    assert model.n_features_in_ == X.shape[1]
    assert len(model.loss_curve_) == 10
    assert np.all(np.isfinite(model.loss_curve_))
    predictions = model.predict(X)
    np.testing.assert_array_equal(predictions, model.classes_[proba.argmax(axis=1)])
    assert balanced_accuracy_score(y, predictions) > 0.85


@pytest.mark.parametrize(
    "options",
    [{}, {"sampler": "balanced"}, {"augment": "mixup"}, {"augment": "smote_batch"}],
    ids=str,
)
def test_torch_same_seed_same_probabilities(torch_mlp, data, options):
    X, y = data
    first = torch_mlp(epochs=3, random_state=7, **options).fit(X, y).predict_proba(X)
    again = torch_mlp(epochs=3, random_state=7, **options).fit(X, y).predict_proba(X)
    other = torch_mlp(epochs=3, random_state=8, **options).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_torch_leaves_global_random_state_alone(torch_mlp, data):
    import torch

    X, y = data
    torch_state = torch.get_rng_state()
    n_threads = torch.get_num_threads()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    python_state = random.getstate()
    torch_mlp(epochs=2, sampler="balanced", augment="mixup", random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert torch.get_num_threads() == n_threads
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert random.getstate() == python_state


@pytest.mark.parametrize(
    "options",
    [{}, {"loss": "class_balanced"}, {"loss": "focal"}, {"augment": "smote_batch"}],
    ids=str,
)
def test_torch_sample_weight(torch_mlp, data, options):
    X, y = data
    make = lambda: torch_mlp(epochs=4, random_state=0, **options)  # noqa: E731
    plain = make().fit(X, y).predict_proba(X)
    doubled = make().fit(X, y, sample_weight=np.full(len(y), 2.0)).predict_proba(X)
    # The batch loss is a weighted mean: a common factor cancels (up to round-off).
    np.testing.assert_allclose(doubled, plain, atol=1e-5)
    minority = np.where(y == 1, 9.0, 1.0)
    weighted = make().fit(X, y, sample_weight=minority).predict_proba(X)
    assert not np.allclose(weighted, plain, atol=1e-3)
    # Up-weighting the minority class moves probability towards it.
    assert weighted[:, 1].mean() > plain[:, 1].mean()


def test_torch_zero_weight_rows_are_ignored(torch_mlp, data):
    X, y = data
    keep = np.arange(len(y)) % 3 != 0
    weights = keep.astype(float)
    model = torch_mlp(epochs=3, random_state=0)
    with_zeros = model.fit(X, y, sample_weight=weights).predict_proba(X)
    assert_valid_proba(with_zeros, len(y), 2)
    plain = clone(model).fit(X, y).predict_proba(X)
    assert not np.allclose(with_zeros, plain)


def test_torch_multiclass(torch_mlp, data3):
    X, y = data3
    for options in ({}, {"loss": "ldam"}, {"augment": "remix"}):
        model = torch_mlp(epochs=10, learning_rate=1e-2, random_state=0, **options)
        model.fit(X, y)
        proba = model.predict_proba(X)
        assert_valid_proba(proba, X.shape[0], 3)
        assert balanced_accuracy_score(y, model.predict(X)) > 0.7


def test_torch_string_labels(torch_mlp, data):
    X, y = data
    labels = np.array(["common", "rare"])[y]
    model = torch_mlp(epochs=5, loss="logit_adjusted", random_state=0)
    model.fit(X, labels.tolist())
    assert model.classes_.tolist() == ["common", "rare"]
    predictions = model.predict(X)
    assert set(predictions) <= {"common", "rare"}
    numeric = clone(model).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), numeric.predict_proba(X))


def test_torch_tensor_input_matches_numpy(torch_mlp, data):
    import torch

    X, y = data
    X32 = X.astype(np.float32)
    from_numpy = torch_mlp(epochs=3, random_state=0).fit(X32, y)
    from_tensor = torch_mlp(epochs=3, random_state=0)
    from_tensor.fit(torch.from_numpy(X32), torch.from_numpy(y))
    np.testing.assert_array_equal(
        from_numpy.predict_proba(X32),
        from_tensor.predict_proba(torch.from_numpy(X32)),
    )


def test_torch_linear_model_and_deeper_network(torch_mlp, data):
    X, y = data
    for sizes in ((), (16, 8), 12):
        model = torch_mlp(hidden_layer_sizes=sizes, epochs=5, random_state=0)
        assert_valid_proba(model.fit(X, y).predict_proba(X), len(y), 2)


BAD_PARAMS = [
    ({"hidden_layer_sizes": (0,)}, ValueError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (8, -1)}, ValueError, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "64"}, TypeError, "hidden_layer_sizes"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 2.5}, TypeError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate"),
    ({"random_state": -1}, ValueError, "random_state"),
    ({"random_state": "seed"}, TypeError, "random_state"),
    ({"loss": "hinge"}, ValueError, "loss"),
]
TORCH_ONLY_BAD_PARAMS = [
    ({"weight_decay": -1.0}, ValueError, "weight_decay"),
    ({"sampler": "over"}, ValueError, "sampler"),
    ({"augment": "cutmix"}, ValueError, "augment"),
    ({"augment": "mixup", "loss": "focal"}, ValueError, "loss='cross_entropy'"),
]


@pytest.mark.parametrize(
    ("params", "error", "match"), BAD_PARAMS + TORCH_ONLY_BAD_PARAMS, ids=str
)
def test_torch_bad_params(torch_mlp, data, params, error, match):
    X, y = data
    model = torch_mlp(**{"epochs": 1, **params})
    assert model.get_params()[next(iter(params))] == params[next(iter(params))]
    with pytest.raises(error, match=match.replace("(", r"\(")):
        model.fit(X, y)


def test_torch_bad_inputs(torch_mlp, data):
    X, y = data
    model = torch_mlp(epochs=1, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        model.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="y"):
        model.fit(X, y[:-1])
    model.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :3])


def test_torch_clone_params_and_pickle(torch_mlp, data):
    X, y = data
    model = torch_mlp(hidden_layer_sizes=(8,), epochs=2, loss="focal", random_state=3)
    params = model.get_params()
    assert params == {
        "augment": None,
        "batch_size": 64,
        "epochs": 2,
        "hidden_layer_sizes": (8,),
        "learning_rate": 1e-3,
        "loss": "focal",
        "random_state": 3,
        "sampler": None,
        "weight_decay": 0.0,
    }
    assert clone(model).get_params() == params
    model.set_params(loss="ldam", sampler="balanced")
    assert model.loss == "ldam"
    assert model.sampler == "balanced"
    model.fit(X, y)
    assert not hasattr(clone(model), "network_")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))


def test_torch_in_imblearn_pipeline_and_model_selection(torch_mlp, data):
    X, y = data
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("sample", balancekit.SMOTE(random_state=0)),
            ("model", torch_mlp(epochs=5, random_state=0)),
        ]
    )
    scores = cross_val_score(pipeline, X, y, cv=3, scoring="balanced_accuracy")
    assert scores.shape == (3,)
    assert scores.min() > 0.7
    search = GridSearchCV(
        pipeline,
        {"model__loss": ["cross_entropy", "balanced_softmax"]},
        cv=2,
        scoring="balanced_accuracy",
    )
    search.fit(X, y)
    assert search.best_params_["model__loss"] in ("cross_entropy", "balanced_softmax")
    fitted = Pipeline(
        [
            ("scale", StandardScaler()),
            ("model", torch_mlp(epochs=3, random_state=0)),
        ]
    ).fit(X, y, model__sample_weight=np.where(y == 1, 5.0, 1.0))
    assert_valid_proba(fitted.predict_proba(X), len(y), 2)


# --------------------------------------------------------------------------- keras


@pytest.mark.parametrize("loss", KERAS_LOSSES)
def test_keras_losses_fit_predict_and_learn(keras_mlp, data, loss):
    X, y = data
    model = keras_mlp(epochs=8, learning_rate=1e-2, loss=loss, random_state=0)
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert_valid_proba(proba, X.shape[0], 2)
    assert model.classes_.tolist() == [0, 1]
    assert model.n_features_in_ == X.shape[1]
    predictions = model.predict(X)
    np.testing.assert_array_equal(predictions, model.classes_[proba.argmax(axis=1)])
    assert balanced_accuracy_score(y, predictions) > 0.85


def test_keras_seed_decides_and_global_seeds_do_not(keras_mlp, data):
    import tensorflow as tf

    X, y = data
    tf.random.set_seed(1)
    first = keras_mlp(epochs=3, random_state=7).fit(X, y).predict_proba(X)
    tf.random.set_seed(2)
    random.seed(5)
    again = keras_mlp(epochs=3, random_state=7).fit(X, y).predict_proba(X)
    other = keras_mlp(epochs=3, random_state=8).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_keras_leaves_python_and_numpy_random_state_alone(keras_mlp, data):
    X, y = data
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    python_state = random.getstate()
    keras_mlp(epochs=1, random_state=0).fit(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert random.getstate() == python_state


@pytest.mark.parametrize("loss", ["class_balanced"])
def test_keras_sample_weight(keras_mlp, data, loss):
    X, y = data
    make = lambda: keras_mlp(epochs=3, loss=loss, random_state=0)  # noqa: E731
    plain = make().fit(X, y).predict_proba(X)
    doubled = make().fit(X, y, sample_weight=np.full(len(y), 2.0)).predict_proba(X)
    np.testing.assert_allclose(doubled, plain, atol=1e-5)
    minority = np.where(y == 1, 9.0, 1.0)
    weighted = make().fit(X, y, sample_weight=minority).predict_proba(X)
    assert not np.allclose(weighted, plain, atol=1e-3)
    assert weighted[:, 1].mean() > plain[:, 1].mean()


@pytest.mark.parametrize("loss", ["cross_entropy", "class_balanced", "ldam"])
def test_keras_and_torch_train_the_same_model(torch_mlp, keras_mlp, data, loss):
    """Same seed: same initial weights, same batches, same loss, Adam with the
    same epsilon, so the two frameworks agree up to float32 round-off."""
    X, y = data
    weights = np.where(y == 1, 3.0, 1.0)
    keras_proba = (
        keras_mlp(epochs=3, loss=loss, random_state=0)
        .fit(X, y, sample_weight=weights)
        .predict_proba(X)
    )
    torch_proba = (
        torch_mlp(epochs=3, loss=loss, random_state=0)
        .fit(X, y, sample_weight=weights)
        .predict_proba(X)
    )
    np.testing.assert_allclose(keras_proba, torch_proba, atol=1e-3)


def test_keras_multiclass_and_string_labels(keras_mlp, data3):
    X, y = data3
    labels = np.array(["a", "b", "c"])[y]
    model = keras_mlp(
        epochs=8, learning_rate=1e-2, loss="balanced_softmax", random_state=0
    )
    model.fit(X, labels)
    assert model.classes_.tolist() == ["a", "b", "c"]
    assert_valid_proba(model.predict_proba(X), X.shape[0], 3)
    assert balanced_accuracy_score(labels, model.predict(X)) > 0.7


@pytest.mark.parametrize(("params", "error", "match"), BAD_PARAMS, ids=str)
def test_keras_bad_params(keras_mlp, data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        keras_mlp(**{"epochs": 1, **params}).fit(X, y)


def test_keras_bad_inputs(keras_mlp, data):
    X, y = data
    model = keras_mlp(epochs=1, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict_proba(X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        model.fit(X, np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=np.ones(len(y) + 1))


def test_keras_clone_pickle_pipeline_and_cross_val(keras_mlp, data):
    X, y = data
    model = keras_mlp(
        hidden_layer_sizes=(8,),
        epochs=4,
        learning_rate=1e-2,
        loss="focal",
        random_state=1,
    )
    params = model.get_params()
    assert params == {
        "batch_size": 64,
        "epochs": 4,
        "hidden_layer_sizes": (8,),
        "learning_rate": 1e-2,
        "loss": "focal",
        "random_state": 1,
    }
    assert clone(model).get_params() == params
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("sample", balancekit.SMOTE(random_state=0)),
            ("model", model),
        ]
    )
    scores = cross_val_score(pipeline, X, y, cv=2, scoring="balanced_accuracy")
    assert scores.shape == (2,)
    assert scores.min() > 0.7
