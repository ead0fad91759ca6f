"""with_sample_weights on multilabel labels: each element's weight is the product of
its labels' class weights, exactly compute_sample_weight for the label matrix (and
scikit-learn's compute_sample_weight for "balanced" and dicts)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402
from sklearn.utils.class_weight import (  # noqa: E402
    compute_sample_weight as sk_sample_weight,
)

from balancekit.tensorflow.weights import with_sample_weights  # noqa: E402
from balancekit.weighting import METHODS, compute_sample_weight  # noqa: E402

RNG = np.random.default_rng(4)
N, Q = 60, 4
Y = (RNG.random((N, Q)) < [0.5, 0.2, 0.1, 0.35]).astype(np.int32)
X = RNG.normal(size=(N, 3)).astype(np.float32)


def _dataset(Y=Y, batch=None, x=None):
    x = np.zeros((len(Y), 3), np.float32) if x is None else x
    ds = tf.data.Dataset.from_tensor_slices((x, Y))
    return ds if batch is None else ds.batch(batch)


def _weights(dataset):
    return np.concatenate([np.atleast_1d(e[2].numpy()) for e in dataset])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("normalize", [None, "classes", "samples"])
@pytest.mark.parametrize("batch", [None, 7], ids=["unbatched", "batched"])
def test_equals_compute_sample_weight(method, normalize, batch):
    transformation = with_sample_weights(
        method, multilabel=True, normalize=normalize, beta=0.9, dtype="float64"
    )
    result = _weights(_dataset(batch=batch).apply(transformation))
    expected = compute_sample_weight(Y, method, normalize=normalize, beta=0.9)
    assert result.dtype == np.float64
    assert result.shape == (N,)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=0)


def test_balanced_equals_scikit_learn():
    result = _weights(
        _dataset(batch=16).apply(with_sample_weights(multilabel=True, dtype="float64"))
    )
    np.testing.assert_allclose(result, sk_sample_weight("balanced", Y), rtol=1e-12)


def test_float32_default():
    result = _weights(_dataset(batch=16).apply(with_sample_weights(multilabel=True)))
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, sk_sample_weight("balanced", Y), rtol=1e-6)


@settings(max_examples=15, deadline=None)
@given(
    Y=arrays(
        np.int8,
        st.tuples(st.integers(1, 12), st.integers(1, 4)),
        elements=st.integers(0, 1),
    ),
)
def test_property_scikit_learn_any_indicator(Y):
    """Constant labels (all 0 or all 1) included: scikit-learn gives them weight 1."""
    result = _weights(
        _dataset(Y, batch=5).apply(
            with_sample_weights(multilabel=True, dtype="float64")
        )
    )
    np.testing.assert_allclose(result, sk_sample_weight("balanced", Y), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.float32])
def test_label_dtypes(dtype):
    result = _weights(
        _dataset(Y.astype(dtype), batch=9).apply(
            with_sample_weights(multilabel=True, dtype="float64")
        )
    )
    np.testing.assert_allclose(result, sk_sample_weight("balanced", Y), rtol=1e-12)


@pytest.mark.parametrize("given_weights", [{0: 0.5, 1: 3.0}, [0.5, 3.0], {1: 3.0}])
def test_given_weights_for_every_label(given_weights):
    as_dict = (
        dict(enumerate(given_weights))
        if isinstance(given_weights, list)
        else given_weights
    )
    result = _weights(
        _dataset(batch=8).apply(
            with_sample_weights(given_weights, multilabel=True, dtype="float64")
        )
    )
    np.testing.assert_allclose(result, sk_sample_weight([as_dict] * Q, Y), rtol=1e-12)
    np.testing.assert_allclose(
        result, compute_sample_weight(Y, [as_dict] * Q), rtol=1e-12
    )


def test_given_counts_equal_counted_and_allow_infinite_datasets():
    counts = np.stack([N - Y.sum(axis=0), Y.sum(axis=0)], axis=1)
    transformation = with_sample_weights(
        multilabel=True, class_counts=counts, dtype="float64"
    )
    repeated = _dataset(batch=N).repeat().apply(transformation)
    first = next(iter(repeated))[2].numpy()
    np.testing.assert_allclose(first, sk_sample_weight("balanced", Y), rtol=1e-12)
    as_tensor = with_sample_weights(
        multilabel=True, class_counts=tf.constant(counts), dtype="float64"
    )
    np.testing.assert_allclose(
        _weights(_dataset(batch=N).apply(as_tensor)), first, rtol=1e-12
    )


def test_existing_sample_weights_multiply():
    w0 = RNG.random(N).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices((X, Y, w0)).batch(10)
    result = _weights(ds.apply(with_sample_weights(multilabel=True)))
    np.testing.assert_allclose(result, w0 * sk_sample_weight("balanced", Y), rtol=1e-6)


def test_multilabel_beside_a_class_output():
    y_class = RNG.integers(0, 3, size=N)
    ds = tf.data.Dataset.from_tensor_slices((X, {"tags": Y, "kind": y_class})).batch(16)
    transformation = with_sample_weights(
        "balanced", multilabel={"tags": True, "kind": False}, dtype="float64"
    )
    parts = [e[2] for e in ds.apply(transformation)]
    tags = np.concatenate([p["tags"].numpy() for p in parts])
    kind = np.concatenate([p["kind"].numpy() for p in parts])
    np.testing.assert_allclose(tags, sk_sample_weight("balanced", Y), rtol=1e-12)
    np.testing.assert_allclose(kind, sk_sample_weight("balanced", y_class), rtol=1e-12)


def test_label_fn_picks_multilabel_labels():
    ds = tf.data.Dataset.from_tensor_slices((X, {"tags": Y})).batch(16)
    transformation = with_sample_weights(
        multilabel=True, label_fn=lambda x, y: y["tags"], dtype="float64"
    )
    np.testing.assert_allclose(
        _weights(ds.apply(transformation)), sk_sample_weight("balanced", Y), rtol=1e-12
    )


def test_keras_loss_equals_explicit_sample_weight():
    """Keras weighs each element's loss by the dataset's weight, as by sample_weight."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(Q, activation="sigmoid")]
    )
    model.compile(loss="binary_crossentropy")
    weighted = _dataset(x=X, batch=N).apply(with_sample_weights(multilabel=True))
    via_dataset = model.evaluate(weighted, verbose=0)
    explicit = model.evaluate(
        X,
        Y.astype(np.float32),
        sample_weight=sk_sample_weight("balanced", Y).astype(np.float32),
        batch_size=N,
        verbose=0,
    )
    assert via_dataset == pytest.approx(explicit, rel=1e-6)
    unweighted = model.evaluate(X, Y.astype(np.float32), batch_size=N, verbose=0)
    assert via_dataset != pytest.approx(unweighted, rel=1e-3)


def test_the_transformation_pickles():
    transformation = with_sample_weights(multilabel=True, dtype="float64")
    restored = pickle.loads(pickle.dumps(transformation))
    ds = _dataset(batch=16)
    np.testing.assert_array_equal(
        _weights(ds.apply(restored)), _weights(ds.apply(transformation))
    )


def test_values_other_than_zero_one_fail_naming_y():
    bad = Y.copy()
    bad[3, 1] = 2
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"`y` must hold only 0"):
        _weights(
            _dataset(bad, batch=N).apply(
                with_sample_weights([1.0, 2.0], multilabel=True)
            )
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"one_hot": True}, ValueError, "exclude each other"),
        ({"num_classes": 3}, ValueError, r"`num_classes` must be None or 2"),
        ({"class_weight": {2: 1.0}}, ValueError, r"classes \[2\].*0 and 1"),
        ({"class_weight": [1.0, 2.0, 3.0]}, ValueError, "0 and 1"),
        ({"class_counts": np.ones((Q + 1, 2))}, ValueError, r"shape \(n_labels, 2\)"),
        ({"class_counts": [3.0, 1.0]}, ValueError, r"shape \(n_labels, 2\)"),
    ],
)
def test_bad_multilabel_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        _dataset(batch=8).apply(with_sample_weights(multilabel=True, **kwargs))


def test_two_dimensional_counts_need_multilabel():
    with pytest.raises(ValueError, match="pass multilabel=True"):
        _dataset(batch=8).apply(with_sample_weights(class_counts=np.ones((Q, 2))))


@pytest.mark.parametrize("value", ["yes", None, 1])
def test_multilabel_must_be_a_bool(value):
    with pytest.raises(TypeError, match="`multilabel` must be a bool"):
        with_sample_weights(multilabel=value)


def test_counts_of_wrong_width_refused():
    with pytest.raises(ValueError, match=r"shape \(n_labels, 2\); got shape \(4, 3\)"):
        with_sample_weights(multilabel=True, class_counts=np.ones((4, 3)))


def test_unknown_label_axis_refused():
    ds = tf.data.Dataset.from_generator(
        lambda: iter([(np.zeros(3, np.float32), Y[0])]),
        output_signature=(
            tf.TensorSpec((3,), tf.float32),
            tf.TensorSpec((None,), tf.int32),
        ),
    )
    with pytest.raises(ValueError, match="needs a known last axis"):
        ds.apply(with_sample_weights(multilabel=True))


def test_compute_pos_weight_in_weighted_cross_entropy():
    """compute_pos_weight's weights plug into tf.nn.weighted_cross_entropy_with_logits
    and weigh each label's positives by n_neg / n_pos."""
    from balancekit.weighting import compute_pos_weight

    pos_weight = compute_pos_weight(Y)
    logits = RNG.normal(size=(N, Q))
    loss = tf.nn.weighted_cross_entropy_with_logits(
        labels=tf.constant(Y, tf.float64),
        logits=tf.constant(logits),
        pos_weight=tf.constant(pos_weight),
    ).numpy()
    p = 1 / (1 + np.exp(-logits))
    manual = -(pos_weight * Y * np.log(p) + (1 - Y) * np.log(1 - p))
    np.testing.assert_allclose(loss, manual, rtol=1e-10)
    positives = Y.sum(axis=0)
    np.testing.assert_allclose(pos_weight * positives, N - positives, rtol=1e-12)
