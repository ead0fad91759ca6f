"""Tests of balancekit.tensorflow.weights.with_sample_weights: equality with Keras'
class_weight where Keras is right, per-position weights where it is not (sequences,
segmentation, several outputs), the counting pass, and errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from balancekit.tensorflow.weights import with_sample_weights  # noqa: E402
from balancekit.weighting import (  # noqa: E402
    as_keras_class_weight,
    compute_class_weight,
    compute_sample_weight,
)

InvalidArgumentError = tf.errors.InvalidArgumentError


def _labels(shape, counts_per_class, seed=0):
    """Integer labels of ``shape`` with the given class counts, shuffled."""
    y = np.repeat(np.arange(len(counts_per_class)), counts_per_class)
    assert y.size == np.prod(shape)
    return np.random.default_rng(seed).permutation(y).reshape(shape)


def _features(n, trailing=(4,), seed=1):
    return np.random.default_rng(seed).normal(size=(n, *trailing)).astype(np.float32)


def _weights(dataset):
    """The weights of every element, concatenated (batched) or stacked."""
    parts = [element[2] for element in dataset]
    if isinstance(parts[0], dict):
        return {
            k: np.concatenate([np.atleast_1d(p[k]) for p in parts]) for k in parts[0]
        }
    if isinstance(parts[0], tuple):
        return tuple(
            np.concatenate([np.atleast_1d(p[i]) for p in parts])
            for i in range(len(parts[0]))
        )
    return np.concatenate([np.atleast_1d(p.numpy()) for p in parts])


def _twin_models(build):
    """Two models with the same initial weights (seeded)."""
    keras.utils.set_random_seed(0)
    first = build()
    second = build()
    second.set_weights(first.get_weights())
    return first, second


def _dense_classifier(n_features, n_classes, input_shape=None):
    def build():
        model = keras.Sequential(
            [keras.Input(input_shape or (n_features,)), keras.layers.Dense(n_classes)]
        )
        model.compile(
            optimizer=keras.optimizers.SGD(0.1),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        return model

    return build


# --------------------------------------------------------------------------------------
# Equality with Keras' class_weight for (N,) labels, where Keras is right.


def test_keras_class_weight_gives_the_same_fit():
    y = _labels((96,), [60, 28, 8])
    x = _features(96)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    keras_model, our_model = _twin_models(_dense_classifier(4, 3))
    keras_cw = as_keras_class_weight(y)

    keras_history = keras_model.fit(
        ds, class_weight=keras_cw, epochs=2, verbose=0, shuffle=False
    )
    weighted = ds.apply(with_sample_weights("balanced"))
    our_history = our_model.fit(weighted, epochs=2, verbose=0, shuffle=False)

    np.testing.assert_allclose(
        our_history.history["loss"], keras_history.history["loss"], rtol=1e-6
    )
    for ours, theirs in zip(
        our_model.get_weights(), keras_model.get_weights(), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    # The weights are Keras' dict values, in float32, label by label.
    expected = np.float32([keras_cw[int(c)] for c in y])
    np.testing.assert_array_equal(_weights(weighted), expected)


def test_keras_sum_over_batch_size_divides_by_the_batch_size():
    y = _labels((32,), [24, 8])
    x = _features(32)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    _, labels, w = next(iter(ds.apply(with_sample_weights({0: 1.0, 1: 5.0}))))
    logits = tf.constant(_features(32, (2,), seed=3))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    per_row = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="none"
    )(labels, logits).numpy()
    expected = (w.numpy() * per_row).sum() / 32  # not / w.sum()
    np.testing.assert_allclose(
        float(loss(labels, logits, sample_weight=w)), expected, rtol=1e-6
    )
    assert not np.isclose(expected, (w.numpy() * per_row).sum() / w.numpy().sum())


# --------------------------------------------------------------------------------------
# Sequence (N, T) and segmentation (N, H, W) labels.


def test_sequence_labels_get_per_timestep_weights_keras_class_weight_does_not():
    n, t, n_classes = 48, 3, 4
    y = _labels((n, t), [80, 36, 20, 8])
    x = _features(n, (t, 5))
    cw = {0: 1.0, 1: 2.0, 2: 3.0, 3: 8.0}
    table = np.float32([cw[c] for c in range(n_classes)])
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    w = _weights(ds.batch(16).apply(with_sample_weights(cw)))
    assert w.shape == (n, t)
    np.testing.assert_array_equal(w, table[y])

    build = _dense_classifier(5, n_classes, input_shape=(t, 5))
    # Keras argmaxes the labels over T: one weight per row, of the wrong class,
    # then a shape error (per-row weights against (16, 3) losses) ...
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes"):
        build().fit(ds.batch(16), class_weight=cw, verbose=0, shuffle=False)
    # ... or, when the batch happens to have T rows, silently wrong weights: the
    # same fit as with the weights table[argmax(y over T)].
    keras_model, our_model = _twin_models(build)
    _, row_model = _twin_models(build)
    theirs = keras_model.fit(
        ds.batch(t), class_weight=cw, epochs=1, verbose=0, shuffle=False
    )
    rows = tf.data.Dataset.from_tensor_slices((x, y, table[y.argmax(axis=1)]))
    by_row = row_model.fit(rows.batch(t), epochs=1, verbose=0, shuffle=False)
    weighted = ds.batch(t).apply(with_sample_weights(cw))
    ours = our_model.fit(weighted, epochs=1, verbose=0, shuffle=False).history["loss"][
        0
    ]
    np.testing.assert_allclose(
        theirs.history["loss"], by_row.history["loss"], rtol=1e-6
    )
    assert np.isfinite(ours)
    assert not np.isclose(theirs.history["loss"][0], ours, rtol=1e-3)
    # T > C: the argmax over T indexes past Keras' weight table.
    y_long = _labels((8, 5), [20, 20])
    long = tf.data.Dataset.from_tensor_slices((_features(8, (5, 3)), y_long)).batch(8)
    build_long = _dense_classifier(3, 2, input_shape=(5, 3))
    with pytest.raises(InvalidArgumentError, match="not in"):
        build_long().fit(long, class_weight={0: 1.0, 1: 2.0}, verbose=0, shuffle=False)
    history = (
        build_long()
        .fit(long.apply(with_sample_weights()), verbose=0, shuffle=False)
        .history
    )
    assert np.isfinite(history["loss"][0])


def test_segmentation_weights_are_per_pixel_balanced():
    y = _labels((6, 4, 5), [80, 30, 10]).astype(np.uint8)
    ds = tf.data.Dataset.from_tensor_slices((_features(6, (4, 5, 1)), y)).batch(4)
    w = _weights(ds.apply(with_sample_weights("balanced")))
    assert w.shape == (6, 4, 5)
    expected = compute_sample_weight(y.ravel().astype(np.int64)).reshape(y.shape)
    np.testing.assert_array_equal(w, expected.astype(np.float32))
    assert w[y == 2][0] == np.float32(120 / (3 * 10))


def test_one_hot_labels_use_the_argmax():
    y = _labels((40,), [30, 6, 4])
    one_hot = np.eye(3, dtype=np.float32)[y]
    ds = tf.data.Dataset.from_tensor_slices((_features(40), one_hot)).batch(16)
    w = _weights(ds.apply(with_sample_weights("inverse", num_classes=3)))
    np.testing.assert_array_equal(w, np.float32(1 / np.array([30, 6, 4]))[y])
    # The class axis gives the number of classes (a dict only bounds it).
    w_dict = _weights(ds.apply(with_sample_weights({0: 1.0, 2: 4.0}, one_hot=True)))
    np.testing.assert_array_equal(w_dict, np.float32([1.0, 1.0, 4.0])[y])
    # Float class indices are read as indices once the classes are known.
    as_float = tf.data.Dataset.from_tensor_slices((_features(40), y.astype("float32")))
    w_float = _weights(as_float.apply(with_sample_weights("inverse", num_classes=3)))
    np.testing.assert_array_equal(w_float, w)
    # A one-hot (N, C) with C == T is told apart by one_hot=False.
    y_seq = _labels((10, 3), [10, 10, 10])
    seq = tf.data.Dataset.from_tensor_slices((_features(10), y_seq.astype("float32")))
    w_seq = _weights(
        seq.batch(5).apply(with_sample_weights([1.0, 2.0, 3.0], one_hot=False))
    )
    np.testing.assert_array_equal(w_seq, y_seq + 1.0)


# --------------------------------------------------------------------------------------
# Several outputs.


def _two_head_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(
        inputs,
        {
            "a": keras.layers.Dense(3, name="a")(hidden),
            "b": keras.layers.Dense(2, name="b")(hidden),
        },
    )
    model.compile(
        optimizer="sgd",
        loss={
            "a": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "b": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        },
    )
    return model


def test_multi_output_dict_weights_per_output_and_fit():
    y_a = _labels((48,), [30, 12, 6])
    y_b = _labels((48,), [40, 8], seed=2)
    ds = tf.data.Dataset.from_tensor_slices(
        (_features(48), {"a": y_a, "b": y_b})
    ).batch(16)
    weighted = ds.apply(with_sample_weights({"a": "balanced", "b": {0: 1.0, 1: 4.0}}))
    assert set(weighted.element_spec[2]) == {"a", "b"}
    w = _weights(weighted)
    np.testing.assert_array_equal(w["a"], np.float32(compute_sample_weight(y_a)))
    np.testing.assert_array_equal(w["b"], np.float32([1.0, 4.0])[y_b])
    keras.utils.set_random_seed(0)
    history = (
        _two_head_model().fit(weighted, epochs=1, verbose=0, shuffle=False).history
    )
    assert np.isfinite(history["loss"][0])
    # Keras' own class_weight refuses this model.
    with pytest.raises(ValueError, match="single output"):
        _two_head_model().fit(
            ds, class_weight={0: 1.0, 1: 2.0}, verbose=0, shuffle=False
        )


def test_multi_output_tuple_with_shared_and_per_output_parameters():
    y_a = _labels((20,), [15, 5])
    y_b = _labels((20, 2), [30, 10])
    ds = tf.data.Dataset.from_tensor_slices((_features(20), (y_a, y_b))).batch(8)
    shared = _weights(ds.apply(with_sample_weights("inverse")))
    np.testing.assert_array_equal(shared[0], np.float32(1 / np.array([15, 5]))[y_a])
    np.testing.assert_array_equal(shared[1], np.float32(1 / np.array([30, 10]))[y_b])
    per_output = _weights(
        ds.apply(
            with_sample_weights(["balanced", [1.0, 3.0]], class_counts=[[10, 10], None])
        )
    )
    np.testing.assert_array_equal(per_output[0], np.ones(20, np.float32))
    np.testing.assert_array_equal(per_output[1], np.float32([1.0, 3.0])[y_b])


# --------------------------------------------------------------------------------------
# Counts, batching, structure.


@pytest.mark.parametrize(
    ("method", "normalize"),
    [
        ("balanced", None),
        ("inverse", "classes"),
        ("inverse_sqrt", "samples"),
        ("effective_number", None),
        ({0: 2.0, 2: 0.5}, "samples"),
    ],
)
def test_given_and_counted_class_counts_agree_with_compute_class_weight(
    method, normalize
):
    y = _labels((120,), [70, 35, 15])
    ds = tf.data.Dataset.from_tensor_slices((_features(120), y)).batch(32)
    kwargs = {"beta": 0.9, "normalize": normalize}
    counted = _weights(ds.apply(with_sample_weights(method, **kwargs)))
    given = _weights(
        ds.apply(with_sample_weights(method, class_counts=[70, 35, 15], **kwargs))
    )
    np.testing.assert_array_equal(counted, given)
    table = compute_class_weight(y, method, **kwargs)
    np.testing.assert_array_equal(counted, table.astype(np.float32)[y])


def test_counting_is_one_pass_and_batched_equals_unbatched():
    reads = []

    def note(x, y):
        tf.py_function(lambda: reads.append(1) or 0, [], tf.int32)
        return x, y

    y = _labels((30, 2), [40, 20])
    unbatched = tf.data.Dataset.from_tensor_slices((_features(30), y)).map(note)
    weighted = unbatched.apply(with_sample_weights("balanced"))
    assert len(reads) == 30  # the counting pass
    assert weighted.element_spec[2] == tf.TensorSpec((2,), tf.float32)
    by_element = _weights(weighted.batch(7))
    by_batch = _weights(unbatched.batch(7).apply(with_sample_weights("balanced")))
    assert by_batch.shape == (30, 2)
    np.testing.assert_array_equal(by_element, by_batch)


def test_element_spec_gains_the_weights_and_existing_weights_multiply():
    y = _labels((12, 3), [18, 18])
    x = _features(12)
    row_weight = np.arange(12, dtype=np.float64)
    ds = tf.data.Dataset.from_tensor_slices((x, y, row_weight)).batch(4)
    weighted = ds.apply(with_sample_weights([1.0, 5.0], dtype="float64"))
    assert weighted.element_spec[:2] == ds.element_spec[:2]
    assert weighted.element_spec[2] == tf.TensorSpec((None, 3), tf.float64)
    np.testing.assert_array_equal(
        _weights(weighted), row_weight[:, None] * np.array([1.0, 5.0])[y]
    )


def test_label_fn_picks_the_labels_and_the_weights_follow_them():
    y = _labels((16,), [12, 4])
    ds = tf.data.Dataset.from_tensor_slices(
        (_features(16), {"cls": y, "aux": np.zeros(16, np.float32)})
    ).batch(8)
    weighted = ds.apply(with_sample_weights("balanced", label_fn=lambda x, y: y["cls"]))
    assert isinstance(weighted.element_spec[2], tf.TensorSpec)
    np.testing.assert_array_equal(
        _weights(weighted), np.float32(compute_sample_weight(y))
    )
    # Unbatched elements: label_fn sees one element at a time, also when counting.
    unbatched = ds.unbatch().apply(
        with_sample_weights("balanced", label_fn=lambda x, y: y["cls"])
    )
    np.testing.assert_array_equal(_weights(unbatched), _weights(weighted))


def test_absent_classes_raise_or_get_zero():
    y = _labels((10,), [6, 4])
    ds = tf.data.Dataset.from_tensor_slices((_features(10), y))
    with pytest.raises(ValueError, match=r"Classes \[2\] have no labels"):
        ds.apply(with_sample_weights("balanced", num_classes=3))
    w = _weights(
        ds.apply(with_sample_weights("balanced", num_classes=3, absent="zero"))
    )
    expected = compute_class_weight(y, classes=[0, 1, 2], absent="zero")[y]
    np.testing.assert_array_equal(w, np.float32(expected))


# --------------------------------------------------------------------------------------
# Errors.


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"class_weight": "focal"}, ValueError, "`class_weight` must be one of"),
        ({"class_weight": {0: 1.0, 1: -2.0}}, ValueError, "`class_weight` must hold"),
        ({"class_weight": {0: np.nan}}, ValueError, "`class_weight` must hold"),
        ({"class_weight": {"a": {0: -1.0}}}, ValueError, r"`class_weight\['a'\]`"),
        ({"class_weight": {0.5: 1.0}}, TypeError, "keyed by class indices"),
        ({"class_weight": 2.0}, TypeError, "`class_weight` must be a method"),
        ({"class_counts": [3, -1]}, ValueError, "`class_counts` must hold"),
        ({"class_counts": [[1, 2], 3]}, TypeError, "not a mix"),
        ({"num_classes": 1}, ValueError, "`num_classes` must be >= 2"),
        ({"one_hot": "yes"}, TypeError, "`one_hot` must be None or a bool"),
        ({"normalize": "rows"}, ValueError, "`normalize`"),
        ({"beta": 1.0}, ValueError, "`beta`"),
        ({"label_fn": 3}, TypeError, "`label_fn` must be None or callable"),
        ({"dtype": "int32"}, TypeError, "`dtype` must be a floating"),
    ],
)
def test_bad_parameters_raise_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        with_sample_weights(**kwargs)


def _dataset(y=(0, 1, 1, 0), x_shape=(4, 2)):
    return tf.data.Dataset.from_tensor_slices((np.zeros(x_shape, np.float32), list(y)))


@pytest.mark.parametrize(
    ("transform", "match"),
    [
        (with_sample_weights([1.0, 2.0], class_counts=[1, 2, 3]), "disagree"),
        (with_sample_weights([1.0, 2.0], num_classes=3), "disagree"),
        (with_sample_weights({0: 1.0, 5: 2.0}, num_classes=3), r"classes \[5\]"),
        (with_sample_weights({"a": "balanced"}), "labels are a single tensor"),
    ],
)
def test_inconsistent_class_numbers_raise_when_applied(transform, match):
    with pytest.raises(ValueError, match=match):
        _dataset().apply(transform)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"class_weight": {"a": "balanced", "c": "inverse"}}, "outputs"),
        ({"class_weight": ["balanced", "inverse", "inverse"]}, "one entry per"),
        ({"num_classes": (2,)}, "`num_classes` is given per output"),
        ({"class_counts": {"a": [5, 5], "b": [1, 1, 1]}}, "disagree"),
    ],
)
def test_per_output_parameters_must_fit_the_outputs(kwargs, match):
    ds = tf.data.Dataset.from_tensor_slices(
        (np.zeros((4, 1)), {"a": [0, 1, 1, 0], "b": [1, 0, 0, 1]})
    )
    with pytest.raises(ValueError, match=match):
        ds.apply(with_sample_weights(**{"class_weight": [1.0, 2.0], **kwargs}))


def test_one_hot_class_axis_must_match_the_classes():
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 1)), np.eye(3)[[0, 1, 2, 0]]))
    with pytest.raises(ValueError, match="has 3 classes"):
        ds.apply(with_sample_weights("balanced", one_hot=True, class_counts=[2, 2]))
    with pytest.raises(ValueError, match="num_classes= or one_hot="):
        ds.apply(with_sample_weights({0: 1.0, 1: 2.0}))  # a dict only bounds C
    with pytest.raises(ValueError, match=r"classes \[3\]"):
        ds.apply(with_sample_weights({3: 1.0}, one_hot=True))


def test_class_counts_of_the_wrong_length_raise():
    with pytest.raises(ValueError, match=r"class_counts.*its length"):
        _dataset().apply(with_sample_weights(class_counts=[1, 2, 3], num_classes=2))


@pytest.mark.parametrize(
    ("y", "match"),
    [
        ((0, 3, 1, 0), r"`y` must hold class indices in \[0, 2\)"),
        ((0, -1, 1, 0), r"`y` must hold class indices.*negative"),
    ],
)
def test_labels_out_of_range_fail_naming_y(y, match):
    ds = _dataset(y).batch(2).apply(with_sample_weights(class_counts=[5, 5]))
    with pytest.raises(InvalidArgumentError, match=match):
        list(ds)
    with pytest.raises(InvalidArgumentError, match="`y` must hold class indices"):
        _dataset(y).apply(with_sample_weights("balanced", num_classes=2))


def test_infinite_dataset_needs_class_counts():
    ds = _dataset().repeat()
    with pytest.raises(ValueError, match=r"infinite.*class_counts="):
        ds.apply(with_sample_weights("balanced"))
    weighted = ds.apply(with_sample_weights("balanced", class_counts=[2, 2]))
    assert [float(e[2]) for e in weighted.take(3)] == [1.0, 1.0, 1.0]


def test_float_labels_need_the_number_of_classes():
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2)), np.eye(2)[[0, 1, 1, 0]]))
    with pytest.raises(ValueError, match="num_classes= or one_hot="):
        ds.apply(with_sample_weights("balanced"))
    soft = tf.data.Dataset.from_tensor_slices((np.zeros((2, 1)), [0.2, 0.7]))
    with pytest.raises(InvalidArgumentError, match="not whole numbers"):
        list(soft.apply(with_sample_weights([1.0, 2.0])))


@pytest.mark.parametrize(
    ("label_fn", "match"),
    [
        (lambda x, y: y["missing"], "`label_fn` failed"),
        (lambda x, y: tf.strings.as_string(y), "integer, bool or float labels"),
        (lambda x, y: {"a": {"b": y}}, "`label_fn` results must be a dense tensor"),
        (lambda x, y: tf.RaggedTensor.from_row_lengths(y, [1, 3]), "dense tensor"),
    ],
)
def test_bad_label_fn_results_raise_naming_label_fn(label_fn, match):
    ds = _dataset().batch(4)
    with pytest.raises((TypeError, ValueError), match=match):
        ds.apply(with_sample_weights([1.0, 1.0], label_fn=label_fn))


@pytest.mark.parametrize(
    "dataset",
    [
        tf.data.Dataset.from_tensor_slices({"x": [[0.0]], "y": [0]}),
        tf.data.Dataset.from_tensor_slices([0, 1]),
    ],
)
def test_elements_must_be_keras_tuples(dataset):
    with pytest.raises(TypeError, match=r"\(x, y\) or \(x, y, sample_weight\)"):
        dataset.apply(with_sample_weights([1.0, 1.0]))


def test_the_transformation_pickles_and_weighs_alike():
    transformation = with_sample_weights("balanced", class_counts=[3, 1])
    restored = pickle.loads(pickle.dumps(transformation))
    ds = _dataset((0, 0, 0, 1)).batch(2)
    weights = [w.numpy().tolist() for _, _, w in ds.apply(restored)]
    assert weights == [w.numpy().tolist() for _, _, w in ds.apply(transformation)]
    np.testing.assert_allclose(np.concatenate(weights), [2 / 3, 2 / 3, 2 / 3, 2.0])
