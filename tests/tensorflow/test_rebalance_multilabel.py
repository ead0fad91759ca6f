"""rebalance with multilabel labels: class-aware draws, the same index sequence as
MultilabelBalancedSampler on a seed, the stream's label coverage, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")

from balancekit.tensorflow import rebalance  # noqa: E402
from balancekit.torch.samplers import MultilabelBalancedSampler  # noqa: E402

RNG = np.random.default_rng(0)
# 300 elements, 5 labels from common to rare, some elements with none.
Y = (RNG.random((300, 5)) < [0.5, 0.2, 0.05, 0.02, 0.01]).astype(np.float32)
Y[0, 4] = 1


def _ids(dataset):
    return np.array([int(element[0]) for element in dataset])


def _stream(y=Y):
    return tf.data.Dataset.from_tensor_slices((np.arange(y.shape[0]), y))


@pytest.mark.parametrize(
    "settings",
    [
        {"label_distribution": "uniform"},
        {"label_distribution": "sqrt", "replacement": False},
        {"label_distribution": "natural", "num_samples": 517},
        {"label_distribution": [0.1, 0.2, 0.3, 0.2, 0.2], "replacement": False},
    ],
)
def test_iterations_follow_the_torch_samplers_epochs(settings):
    rebalanced = _stream().apply(rebalance(seed=3, **settings))
    sampler = MultilabelBalancedSampler(Y, seed=3, **settings)
    assert int(rebalanced.cardinality()) == len(sampler)
    for epoch in range(3):
        np.testing.assert_array_equal(_ids(rebalanced), sampler.epoch_draw(epoch))


def test_repeat_counts_each_repetition_as_an_epoch():
    rebalanced = _stream().apply(rebalance(label_distribution="sqrt", seed=1))
    sampler = MultilabelBalancedSampler(Y, "sqrt", seed=1)
    expected = np.concatenate([sampler.epoch_draw(0), sampler.epoch_draw(1)])
    np.testing.assert_array_equal(_ids(rebalanced.repeat(2)), expected)


def test_the_elements_come_whole_with_their_labels():
    rebalanced = _stream().apply(rebalance(label_distribution="uniform", seed=0))
    assert rebalanced.element_spec == _stream().element_spec
    for index, labels in rebalanced.take(50):
        np.testing.assert_array_equal(labels.numpy(), Y[int(index)])


def test_label_coverage_of_the_stream():
    # One label per element: the picks are the elements' labels, n * p_c rounded
    # down or up per label; elements with no label never come.
    counts = np.array([400, 80, 15, 5])
    y = np.zeros((counts.sum() + 10, 4), dtype=np.int64)
    y[np.arange(counts.sum()), np.repeat(np.arange(4), counts)] = 1
    for distribution in ("uniform", "sqrt", "natural"):
        rebalanced = _stream(y).apply(
            rebalance(label_distribution=distribution, num_samples=2001, seed=0)
        )
        ids = _ids(rebalanced)
        assert ids.shape == (2001,)
        assert (y[ids].sum(axis=1) == 1).all()
        weights = {
            "uniform": np.ones(4),
            "sqrt": np.sqrt(counts),
            "natural": counts.astype(float),
        }[distribution]
        expected = 2001 * weights / weights.sum()
        picked = y[ids].sum(axis=0)
        assert (np.abs(picked - expected) < 1 + 1e-9).all(), (picked, expected)


def test_label_fn_dict_and_bool_labels():
    dataset = tf.data.Dataset.from_tensor_slices(
        {"id": np.arange(300), "tags": Y.astype(bool)}
    )
    rebalanced = dataset.apply(
        rebalance(lambda d: d["tags"], label_distribution="sqrt", seed=2)
    )
    ids = np.array([int(d["id"]) for d in rebalanced])
    expected = MultilabelBalancedSampler(Y, "sqrt", seed=2).epoch_draw(0)
    np.testing.assert_array_equal(ids, expected)


def test_transformation_pickles():
    transform = rebalance(label_distribution="sqrt", replacement=False, seed=4)
    restored = pickle.loads(pickle.dumps(transform))
    np.testing.assert_array_equal(
        _ids(_stream().apply(restored)), _ids(_stream().apply(transform))
    )


# --- errors --------------------------------------------------------------------


def test_scalar_labels_with_label_distribution_are_refused():
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(4), [0, 1, 0, 1]))
    with pytest.raises(ValueError, match=r"returned a scalar.*label_distribution=None"):
        dataset.apply(rebalance(label_distribution="uniform"))


def test_multilabel_vectors_without_label_distribution_point_to_it():
    with pytest.raises(ValueError, match="argmax") as error:
        _stream(Y.astype(np.int64)).apply(rebalance())
    assert "`label_distribution=`" in str(error.value)


def test_batched_stream_is_refused():
    with pytest.raises(ValueError, match=r"looks batched.*before `\.batch\(\)`"):
        _stream().batch(4).apply(rebalance(label_distribution="uniform"))


def test_values_other_than_0_and_1_name_the_element():
    y = Y.copy()
    y[123, 2] = 0.7
    with pytest.raises(ValueError, match=r"element 123, label 2 holds 0\.7"):
        _stream(y).apply(rebalance(label_distribution="uniform"))


def test_a_label_no_element_has_is_refused_under_uniform():
    y = Y.copy()
    y[:, 3] = 0
    with pytest.raises(ValueError, match=r"gives weight to labels \[3\]"):
        _stream(y).apply(rebalance(label_distribution="uniform"))
    # "sqrt" gives it no weight.
    ids = _ids(_stream(y).apply(rebalance(label_distribution="sqrt", seed=0)))
    assert (y[ids].sum(axis=1) > 0).all()


def test_string_labels_are_refused():
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(2), [["a", "b"]] * 2))
    with pytest.raises(TypeError, match="multi_hot"):
        dataset.apply(rebalance(label_distribution="uniform"))


def test_variable_length_labels_are_refused():
    dataset = tf.data.Dataset.from_generator(
        lambda: ((n, np.ones(3)) for n in range(4)),
        output_signature=(
            tf.TensorSpec([], tf.int64),
            tf.TensorSpec([None], tf.float64),
        ),
    )
    with pytest.raises(ValueError, match=r"fixed length n_labels.*ensure_shape"):
        dataset.apply(rebalance(label_distribution="uniform"))


def test_over_the_memory_budget_is_refused():
    with pytest.raises(ValueError, match=r"max_cached_bytes=1000.*row index"):
        _stream().apply(rebalance(label_distribution="uniform", max_cached_bytes=1000))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"label_distribution": "uniform", "sampling_strategy": "balanced"},
            ValueError,
            r"cannot be combined with `sampling_strategy`",
        ),
        (
            {"label_distribution": "uniform", "class_counts": {0: 3}},
            ValueError,
            r"cannot be combined with `class_counts`",
        ),
        (
            {"label_distribution": "balanced"},
            ValueError,
            r"`label_distribution` must be one of 'uniform', 'sqrt', 'natural'",
        ),
        ({"replacement": False}, ValueError, r"`replacement` applies to multilabel"),
        ({"num_samples": 10}, ValueError, r"`num_samples` applies to multilabel"),
        (
            {"label_distribution": "uniform", "num_samples": 0},
            ValueError,
            r"`num_samples` must be >= 1",
        ),
        (
            {"label_distribution": "uniform", "replacement": "yes"},
            TypeError,
            r"`replacement`",
        ),
    ],
)
def test_bad_settings_are_refused_at_once(kwargs, error, match):
    with pytest.raises(error, match=match):
        rebalance(**kwargs)


def test_a_distribution_of_the_wrong_length_is_refused_when_applied():
    transform = rebalance(label_distribution=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"one probability per label, 5"):
        _stream().apply(transform)


def test_a_stream_without_any_label_is_refused():
    with pytest.raises(ValueError, match="none of the 300 elements has a label"):
        _stream(np.zeros_like(Y)).apply(rebalance(label_distribution="sqrt"))


def test_no_seed_draws_a_fresh_stream_per_application():
    first = _ids(_stream().apply(rebalance(label_distribution="uniform")))
    second = _ids(_stream().apply(rebalance(label_distribution="uniform")))
    assert first.shape == second.shape == (300,)
    assert not np.array_equal(first, second)
