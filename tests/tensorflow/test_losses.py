"""Tests of balancekit.tensorflow.losses: agreement with the torch losses and
with Keras' own losses, gradients, fit, config and errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import balancekit.torch.losses as torch_losses  # noqa: E402
from balancekit.tensorflow import losses as tf_losses  # noqa: E402

COUNTS = [50, 20, 5]
ALPHA = [0.2, 0.3, 0.5]
IGNORE = -1
TORCH_REDUCTION = {"sum_over_batch_size": "mean", "sum": "sum", "none": "none"}
SHAPES = {"flat": (12,), "image": (2, 3, 4)}  # leading shape; C = 3 last

# (id, class name, keyword arguments shared by both sides, target kinds)
SPARSE_SOFT = ("sparse", "sparse_ignore", "onehot")
CASES = [
    ("focal-g0", "FocalLoss", {"gamma": 0.0}, SPARSE_SOFT),
    (
        "focal-g2-alpha-ls",
        "FocalLoss",
        {"gamma": 2.0, "alpha": ALPHA, "label_smoothing": 0.1},
        SPARSE_SOFT,
    ),
    (
        "focal-sigmoid",
        "FocalLoss",
        {"activation": "sigmoid", "alpha": 0.25, "label_smoothing": 0.1},
        ("binary", "binary_ignore"),
    ),
    (
        "cb-softmax",
        "ClassBalancedLoss",
        {"class_counts": COUNTS, "beta": 0.99},
        SPARSE_SOFT,
    ),
    (
        "cb-focal",
        "ClassBalancedLoss",
        {"class_counts": COUNTS, "beta": 0.99, "loss": "focal"},
        ("sparse_ignore",),
    ),
    (
        "cb-sigmoid",
        "ClassBalancedLoss",
        {"class_counts": COUNTS, "beta": 0.99, "loss": "sigmoid"},
        ("sparse", "sparse_ignore"),
    ),
    ("la", "LogitAdjustedLoss", {"class_counts": COUNTS, "tau": 1.5}, SPARSE_SOFT),
    (
        "bs",
        "BalancedSoftmaxLoss",
        {"class_counts": COUNTS},
        ("sparse_ignore", "onehot"),
    ),
    (
        "ldam",
        "LDAMLoss",
        {"class_counts": COUNTS, "s": 5.0, "weight": [1.0, 2.0, 3.0]},
        ("sparse", "sparse_ignore"),
    ),
]
PARAMS = [
    pytest.param(cls, kwargs, kind, shape, id=f"{name}-{kind}-{shape}")
    for name, cls, kwargs, kinds in CASES
    for kind in kinds
    for shape in SHAPES
]


def _inputs(kind, shape, seed=0, n_classes=3, scale=2.0):
    """Keras-layout ``(y_true, y_pred)`` NumPy arrays, class axis last."""
    rng = np.random.default_rng(seed)
    lead = SHAPES[shape]
    y_pred = (rng.standard_normal((*lead, n_classes)) * scale).astype(np.float32)
    if kind.startswith("binary"):
        y_true = rng.integers(0, 2, (*lead, n_classes)).astype(np.float32)
        if kind == "binary_ignore":
            y_true[rng.random(y_true.shape) < 0.3] = IGNORE
        return y_true, y_pred
    labels = rng.integers(0, n_classes, lead)
    if kind == "sparse_ignore":
        labels[rng.random(lead) < 0.3] = IGNORE
        labels.reshape(-1)[0] = 0  # at least one position counts
    if kind == "onehot":
        return np.eye(n_classes, dtype=np.float32)[labels], y_pred
    return labels.astype(np.int64), y_pred


def _to_torch(array, class_axis):
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    return tensor.movedim(-1, 1) if class_axis else tensor


def _pair(cls, kwargs, kind, reduction):
    """The Keras loss and its torch twin for ``kind`` targets."""
    ignore = kind.endswith("ignore")
    keras_loss = getattr(tf_losses, cls)(
        **kwargs, reduction=reduction, ignore_class=IGNORE if ignore else None
    )
    torch_loss = getattr(torch_losses, cls)(
        **kwargs,
        reduction=TORCH_REDUCTION[reduction],
        ignore_index=IGNORE if ignore else -100,
    )
    return keras_loss, torch_loss


@pytest.mark.parametrize(("cls", "kwargs", "kind", "shape"), PARAMS)
def test_matches_torch(cls, kwargs, kind, shape):
    y_true, y_pred = _inputs(kind, shape)
    sparse = kind.startswith("sparse")
    t_true = _to_torch(y_true, class_axis=not sparse)
    t_pred = _to_torch(y_pred, class_axis=True)
    for reduction in TORCH_REDUCTION:
        keras_loss, torch_loss = _pair(cls, kwargs, kind, reduction)
        actual = keras_loss(y_true, y_pred).numpy()
        expected = torch_loss(t_pred, t_true)
        if expected.ndim == t_pred.ndim:  # elementwise sigmoid: class axis last
            expected = expected.movedim(1, -1)
        assert actual.dtype == np.float32
        np.testing.assert_allclose(
            actual, expected.numpy(), rtol=1e-5, atol=1e-5, err_msg=reduction
        )


@pytest.mark.parametrize("reduction", list(TORCH_REDUCTION))
def test_gamma0_is_keras_cross_entropy(reduction):
    y_true, y_pred = _inputs("sparse_ignore", "image")
    focal = tf_losses.FocalLoss(0.0, reduction=reduction, ignore_class=IGNORE)
    sparse_ce = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=IGNORE, reduction=reduction
    )
    np.testing.assert_allclose(
        focal(y_true, y_pred), sparse_ce(y_true, y_pred), rtol=1e-5, atol=1e-6
    )
    onehot, _ = _inputs("onehot", "image")
    focal = tf_losses.FocalLoss(0.0, label_smoothing=0.1, reduction=reduction)
    ce = keras.losses.CategoricalCrossentropy(
        from_logits=True, label_smoothing=0.1, reduction=reduction
    )
    np.testing.assert_allclose(
        focal(onehot, y_pred), ce(onehot, y_pred), rtol=1e-5, atol=1e-6
    )


def test_keras_categorical_focal():
    """Same definition (per-class alpha, smoothing); Keras' mean divides by the
    number of positions, ours (torch's) by sum(alpha[y]) for sparse labels."""
    y_true, y_pred = _inputs("sparse", "flat")
    onehot = np.eye(3, dtype=np.float32)[y_true]
    n_samples = y_true.shape[0]
    for reduction in TORCH_REDUCTION:
        theirs = keras.losses.CategoricalFocalCrossentropy(
            alpha=ALPHA,
            gamma=2.0,
            from_logits=True,
            label_smoothing=0.1,
            reduction=reduction,
        )(onehot, y_pred)
        kwargs = {"label_smoothing": 0.1, "reduction": reduction}
        ours = tf_losses.FocalLoss(2.0, ALPHA, **kwargs)
        np.testing.assert_allclose(ours(onehot, y_pred), theirs, rtol=1e-5, atol=1e-6)
        sparse = ours(y_true, y_pred)
        if reduction == "sum_over_batch_size":
            sparse = sparse * np.take(ALPHA, y_true).sum() / n_samples
        np.testing.assert_allclose(sparse, theirs, rtol=1e-5, atol=1e-6)


def test_keras_binary_focal():
    """Same elementwise definition; Keras' per-sample loss is the mean over the
    last axis, so its "none"/"sum" are ours averaged over that axis."""
    y_true, y_pred = _inputs("binary", "image")
    n_classes = y_pred.shape[-1]
    for reduction in TORCH_REDUCTION:
        theirs = keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True,
            alpha=0.3,
            gamma=2.0,
            from_logits=True,
            label_smoothing=0.1,
            reduction=reduction,
        )(y_true, y_pred)
        ours = tf_losses.FocalLoss(
            2.0,
            0.3,
            activation="sigmoid",
            label_smoothing=0.1,
            reduction=reduction,
        )(y_true, y_pred)
        if reduction == "none":
            ours = tf.reduce_mean(ours, axis=-1)
        elif reduction == "sum":
            ours = ours / n_classes
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_from_probabilities():
    y_true, y_pred = _inputs("sparse", "flat", scale=1.0)
    probs = tf.nn.softmax(y_pred)
    for loss in (
        tf_losses.FocalLoss(2.0, ALPHA),
        tf_losses.LogitAdjustedLoss(COUNTS),
        tf_losses.LDAMLoss(COUNTS, s=2.0),
    ):
        prob_loss = type(loss).from_config({**loss.get_config(), "from_logits": False})
        np.testing.assert_allclose(
            prob_loss(y_true, probs), loss(y_true, y_pred), rtol=1e-5
        )
    binary, _ = _inputs("binary", "flat")
    sig = tf_losses.FocalLoss(activation="sigmoid", alpha=0.25)
    sig_p = tf_losses.FocalLoss(activation="sigmoid", alpha=0.25, from_logits=False)
    np.testing.assert_allclose(
        sig_p(binary, tf.sigmoid(y_pred)), sig(binary, y_pred), rtol=1e-5
    )


def _all_losses():
    return [
        tf_losses.FocalLoss(gamma=2.0, alpha=ALPHA),
        tf_losses.FocalLoss(gamma=0.5, activation="sigmoid", alpha=0.25),
        tf_losses.ClassBalancedLoss(COUNTS, beta=0.99, loss="focal", gamma=0.5),
        tf_losses.ClassBalancedLoss(COUNTS, beta=0.99, loss="sigmoid"),
        tf_losses.LogitAdjustedLoss(COUNTS, tau=1.5),
        tf_losses.BalancedSoftmaxLoss(COUNTS),
        tf_losses.LDAMLoss(COUNTS, weight=[1.0, 2.0, 3.0]),
    ]


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda loss: loss.name)
def test_gradients_finite_for_huge_logits(loss):
    binary = loss.name == "focal_loss" and getattr(loss, "activation", "") == "sigmoid"
    y_true, y_pred = _inputs("binary" if binary else "sparse", "flat", scale=1e4)
    logits = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        value = loss(y_true, logits)
    grad = tape.gradient(value, logits)
    assert np.isfinite(value.numpy())
    assert np.all(np.isfinite(grad.numpy()))


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda loss: loss.name)
def test_config_round_trip(loss):
    config = loss.get_config()
    clone = type(loss).from_config(config)
    assert clone.get_config() == config
    restored = keras.losses.deserialize(
        keras.losses.serialize(loss), custom_objects={type(loss).__name__: type(loss)}
    )
    assert restored.get_config() == config
    binary = getattr(loss, "activation", "softmax") == "sigmoid"
    y_true, y_pred = _inputs("binary" if binary else "sparse", "flat")
    np.testing.assert_array_equal(restored(y_true, y_pred), loss(y_true, y_pred))


@pytest.mark.parametrize(
    "loss",
    [
        tf_losses.FocalLoss(alpha=ALPHA),
        tf_losses.ClassBalancedLoss(COUNTS, loss="sigmoid"),
        tf_losses.LDAMLoss(COUNTS),
    ],
    ids=lambda loss: loss.name,
)
def test_model_fit(loss):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 2
    assert np.all(np.isfinite(history.history["loss"]))


def test_sample_weight_and_all_ignored():
    y_true, y_pred = _inputs("sparse", "flat")
    sample_weight = np.linspace(0.5, 2.0, y_true.shape[0]).astype(np.float32)
    loss = tf_losses.FocalLoss(alpha=ALPHA, reduction="sum")
    per = tf_losses.FocalLoss(alpha=ALPHA, reduction="none")(y_true, y_pred)
    np.testing.assert_allclose(
        loss(y_true, y_pred, sample_weight=sample_weight),
        np.sum(per.numpy() * sample_weight),
        rtol=1e-6,
    )
    ignored = np.full_like(y_true, IGNORE)
    assert float(tf_losses.LDAMLoss(COUNTS, ignore_class=IGNORE)(ignored, y_pred)) == 0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: tf_losses.FocalLoss(gamma=-1.0), ValueError, "`gamma`"),
        (lambda: tf_losses.FocalLoss(alpha=0.5), TypeError, "`alpha`"),
        (lambda: tf_losses.FocalLoss(activation="x"), ValueError, "`activation`"),
        (lambda: tf_losses.FocalLoss(label_smoothing=2), ValueError, "label_smooth"),
        (lambda: tf_losses.FocalLoss(reduction="mean_x"), ValueError, "`reduction`"),
        (lambda: tf_losses.FocalLoss(ignore_class=1.5), TypeError, "`ignore_class`"),
        (lambda: tf_losses.FocalLoss(from_logits=1), TypeError, "`from_logits`"),
        (lambda: tf_losses.ClassBalancedLoss([3, 0]), ValueError, "`class_counts`"),
        (lambda: tf_losses.ClassBalancedLoss(COUNTS, 1.0), ValueError, "`beta`"),
        (lambda: tf_losses.ClassBalancedLoss(COUNTS, loss="x"), ValueError, "`loss`"),
        (lambda: tf_losses.LogitAdjustedLoss(COUNTS, tau="1"), TypeError, "`tau`"),
        (lambda: tf_losses.LDAMLoss(COUNTS, s=0.0), ValueError, "`s`"),
        (lambda: tf_losses.LDAMLoss(COUNTS, weight=[1.0]), ValueError, "`weight`"),
        (
            lambda: tf_losses.FocalLoss()(np.array([0, 5]), np.zeros((2, 3), "f4")),
            ValueError,
            "`y_true` class labels",
        ),
        (
            lambda: tf_losses.LDAMLoss(COUNTS)(np.zeros((2, 3)), np.zeros((2, 3))),
            ValueError,
            "`y_true` must be integer labels",
        ),
        (
            lambda: tf_losses.BalancedSoftmaxLoss([1, 2])([0], np.zeros((1, 3))),
            ValueError,
            "`class_counts` has 2 entries",
        ),
    ],
)
def test_errors_name_the_parameter(make, error, match):
    with pytest.raises(error, match=match):
        make()
