"""Tests of the multilabel Keras losses: equal to the torch ones (1e-6), config
round trip, pickling, a tiny fit and errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import balancekit.torch.losses as torch_losses  # noqa: E402
from balancekit.tensorflow import losses as tf_losses  # noqa: E402

COUNTS = [120.0, 40.0, 9.0, 3.0]
N_SAMPLES = 200
IGNORE = -1
TORCH_REDUCTION = {"sum_over_batch_size": "mean", "sum": "sum", "none": "none"}
SHAPES = {"flat": (16,), "image": (3, 5)}  # leading shape; 4 labels last

CASES = [
    ("asl-default", "AsymmetricLoss", {}),
    (
        "asl-pos",
        "AsymmetricLoss",
        {"gamma_pos": 1.0, "gamma_neg": 2.5, "clip": 0.2, "eps": 1e-3},
    ),
    (
        "db-focal",
        "DistributionBalancedLoss",
        {"class_counts": COUNTS, "n_samples": 200},
    ),
    (
        "db-plain",
        "DistributionBalancedLoss",
        {
            "class_counts": COUNTS,
            "n_samples": 200,
            "gamma": 0.0,
            "mu": 0.3,
            "neg_scale": 2.0,
        },
    ),
    (
        "cb-sigmoid",
        "ClassBalancedLoss",
        {"class_counts": COUNTS, "beta": 0.99, "loss": "sigmoid", "multilabel": True},
    ),
    (
        "cb-focal",
        "ClassBalancedLoss",
        {
            "class_counts": COUNTS,
            "beta": 0.99,
            "loss": "focal",
            "gamma": 1.5,
            "multilabel": True,
        },
    ),
]


def _inputs(shape, seed=0, scale=3.0, ignore=False):
    """Float32 ``(y_true, y_pred)``, labels last; row 0 without positives."""
    rng = np.random.default_rng(seed)
    lead = SHAPES[shape]
    y_pred = (rng.standard_normal((*lead, 4)) * scale).astype(np.float32)
    y_true = (rng.random((*lead, 4)) < 0.3).astype(np.float32)
    y_true.reshape(-1, 4)[0] = 0.0
    if ignore:
        y_true[rng.random(y_true.shape) < 0.25] = IGNORE
    return y_true, y_pred


@pytest.mark.parametrize("ignore", [False, True], ids=["all", "ignore"])
@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize(("name", "cls", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, cls, kwargs, shape, ignore):
    for seed in range(3):
        y_true, y_pred = _inputs(shape, seed=seed, ignore=ignore)
        for reduction, torch_reduction in TORCH_REDUCTION.items():
            keras_loss = getattr(tf_losses, cls)(
                **kwargs, reduction=reduction, ignore_class=IGNORE if ignore else None
            )
            torch_loss = getattr(torch_losses, cls)(
                **kwargs, reduction=torch_reduction, ignore_index=IGNORE
            )
            actual = keras_loss(y_true, y_pred).numpy()
            expected = torch_loss(torch.from_numpy(y_pred), torch.from_numpy(y_true))
            assert actual.dtype == np.float32
            np.testing.assert_allclose(
                actual, expected.numpy(), rtol=1e-6, atol=1e-6, err_msg=reduction
            )


def _all_losses():
    return [
        tf_losses.AsymmetricLoss(gamma_pos=1.0, gamma_neg=3.0, clip=0.1),
        tf_losses.DistributionBalancedLoss(COUNTS, N_SAMPLES, mu=0.3, kappa=0.1),
        tf_losses.ClassBalancedLoss(COUNTS, 0.99, loss="focal", multilabel=True),
    ]


def test_from_probabilities():
    y_true, y_pred = _inputs("flat", scale=1.0)
    for loss in _all_losses():
        prob = type(loss).from_config({**loss.get_config(), "from_logits": False})
        np.testing.assert_allclose(
            prob(y_true, tf.sigmoid(y_pred)), loss(y_true, y_pred), rtol=1e-5
        )


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda loss: loss.name)
def test_gradients_finite_for_huge_logits(loss):
    y_true, y_pred = _inputs("flat", scale=1e4)
    logits = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        value = loss(y_true, logits)
    grad = tape.gradient(value, logits)
    assert np.isfinite(value.numpy())
    assert np.all(np.isfinite(grad.numpy()))


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda loss: loss.name)
def test_config_round_trip_and_pickle(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    restored = keras.losses.deserialize(
        keras.losses.serialize(loss), custom_objects={type(loss).__name__: type(loss)}
    )
    assert restored.get_config() == config
    unpickled = pickle.loads(pickle.dumps(loss))
    assert unpickled.get_config() == config
    y_true, y_pred = _inputs("flat")
    expected = loss(y_true, y_pred)
    np.testing.assert_array_equal(restored(y_true, y_pred), expected)
    np.testing.assert_array_equal(unpickled(y_true, y_pred), expected)


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda loss: loss.name)
def test_model_fit(loss):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    y = (rng.random((32, 4)) < 0.3).astype(np.int64)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4)])
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.all(np.isfinite(history.history["loss"]))


def test_sample_weight_and_all_ignored():
    y_true, y_pred = _inputs("flat")
    sample_weight = np.linspace(0.5, 2.0, y_true.shape[0]).astype(np.float32)
    per = tf_losses.AsymmetricLoss(reduction="none")(y_true, y_pred).numpy()
    total = tf_losses.AsymmetricLoss(reduction="sum")(
        y_true, y_pred, sample_weight=sample_weight
    )
    np.testing.assert_allclose(total, np.sum(per * sample_weight[:, None]), rtol=1e-6)
    ignored = np.full_like(y_true, IGNORE)
    loss = tf_losses.DistributionBalancedLoss(COUNTS, N_SAMPLES, ignore_class=IGNORE)
    assert float(loss(ignored, y_pred)) == 0.0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: tf_losses.AsymmetricLoss(gamma_neg=-1), ValueError, "`gamma_neg`"),
        (lambda: tf_losses.AsymmetricLoss(clip=1.5), ValueError, "`clip`"),
        (lambda: tf_losses.AsymmetricLoss(eps=0), ValueError, "`eps`"),
        (lambda: tf_losses.AsymmetricLoss(from_logits=1), TypeError, "`from_logits`"),
        (
            lambda: tf_losses.DistributionBalancedLoss(COUNTS, 100),
            ValueError,
            "`n_samples` must exceed",
        ),
        (
            lambda: tf_losses.DistributionBalancedLoss(COUNTS, N_SAMPLES, mu="a"),
            TypeError,
            "`mu`",
        ),
        (
            lambda: tf_losses.ClassBalancedLoss(COUNTS, multilabel=True),
            ValueError,
            "`multilabel=True` needs",
        ),
        (
            lambda: tf_losses.AsymmetricLoss()(
                np.zeros((2, 3)), np.zeros((2, 4), "f4")
            ),
            ValueError,
            "`y_true` must be 0/1 label indicators",
        ),
        (
            lambda: tf_losses.AsymmetricLoss()(
                np.array([[0.0, 3.0]]), np.zeros((1, 2), "f4")
            ),
            ValueError,
            r"values in \[0, 1\]",
        ),
        (
            lambda: tf_losses.DistributionBalancedLoss(COUNTS, N_SAMPLES)(
                np.zeros((2, 3)), np.zeros((2, 3), "f4")
            ),
            ValueError,
            "`class_counts` has 4 entries",
        ),
        (
            lambda: tf_losses.ClassBalancedLoss(
                COUNTS, loss="sigmoid", multilabel=True
            )(np.zeros((2, 3)), np.zeros((2, 3), "f4")),
            ValueError,
            "`class_counts` has 4 entries",
        ),
    ],
)
def test_errors_name_the_parameter(make, error, match):
    with pytest.raises(error, match=match):
        make()
