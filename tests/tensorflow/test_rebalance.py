"""rebalance and balanced_dataset: target frequencies, nothing lost, element_spec kept,
seeds and epochs, MirroredStrategy training, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chisquare

tf = pytest.importorskip("tensorflow")

from balancekit import (  # noqa: E402
    SMOTE,
    RandomOverSampler,
    RandomUnderSampler,
    TomekLinks,
    epoch_class_counts,
)
from balancekit.tensorflow import (  # noqa: E402
    balanced_dataset,
    count_classes,
    rebalance,
)

COUNTS = {0: 700, 1: 200, 2: 80, 3: 20}


def _stream(counts=COUNTS, seed=0):
    y = np.repeat(list(counts), list(counts.values()))
    y = np.random.default_rng(seed).permutation(y)
    return tf.data.Dataset.from_tensor_slices((np.arange(y.shape[0]), y)), y


def _drain(dataset):
    ids, labels = [], []
    for element_id, label in dataset:
        ids.append(int(element_id))
        labels.append(int(label))
    return np.array(ids), np.array(labels)


@pytest.mark.parametrize(
    ("strategy", "mode"),
    [
        ("auto", "over"),
        ("auto", "under"),
        ("not majority", "over"),
        ({1: 300, 3: 300}, "over"),
        ("balanced", "over"),
        ("sqrt", "over"),
        ({0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}, "over"),
    ],
)
def test_counts_are_exact_and_frequencies_match(strategy, mode):
    dataset, _ = _stream()
    rebalanced = dataset.apply(rebalance(sampling_strategy=strategy, mode=mode, seed=1))
    targets = epoch_class_counts(strategy, COUNTS, mode=mode)
    _, labels = _drain(rebalanced)
    observed = np.bincount(labels, minlength=4)
    assert observed.tolist() == targets.tolist()
    assert int(rebalanced.cardinality()) == int(targets.sum())


def test_long_draw_chi_square_with_a_distribution():
    # The stream: classes in a 70/20/8/2 ratio, 100,000 elements; target 1/4 each.
    counts = {c: n * 100 for c, n in COUNTS.items()}
    dataset, _ = _stream(counts, seed=3)
    _, labels = _drain(dataset.apply(rebalance(sampling_strategy="balanced", seed=2)))
    observed = np.bincount(labels)
    assert chisquare(observed, [labels.shape[0] / 4] * 4).pvalue > 0.001


def test_over_sampling_keeps_every_element_and_repeats_evenly():
    dataset, y = _stream()
    ids, labels = _drain(dataset.apply(rebalance(seed=0)))
    for cls, n in COUNTS.items():
        of_class = ids[labels == cls]
        copies = np.bincount(of_class, minlength=y.shape[0])[y == cls]
        ratio = 700 / n
        assert copies.min() == np.floor(ratio)  # every element, nothing lost
        assert copies.max() <= np.ceil(ratio)


def test_under_sampling_keeps_distinct_elements():
    dataset, y = _stream()
    ids, labels = _drain(dataset.apply(rebalance(mode="under", seed=0)))
    assert np.unique(ids).shape[0] == ids.shape[0] == 80
    np.testing.assert_array_equal(y[ids], labels)


def test_element_spec_seed_and_epochs():
    dataset = tf.data.Dataset.from_tensor_slices(
        ({"pixels": np.zeros((1000, 2, 2), np.float32)}, np.repeat([0, 1], [900, 100]))
    )
    rebalanced = dataset.apply(rebalance(seed=5))
    assert rebalanced.element_spec == dataset.element_spec
    first = [int(y) for _, y in rebalanced.take(50)]
    ids = tf.data.Dataset.from_tensor_slices(
        (np.arange(1000), np.repeat([0, 1], [900, 100]))
    )
    one = ids.apply(rebalance(seed=5))
    epoch_a, _ = _drain(one)
    epoch_b, _ = _drain(one)
    assert not np.array_equal(epoch_a, epoch_b)  # a new epoch, a new order
    again, _ = _drain(ids.apply(rebalance(seed=5)))
    np.testing.assert_array_equal(again, epoch_a)  # same seed, same stream
    other, _ = _drain(ids.apply(rebalance(seed=6)))
    assert not np.array_equal(other, epoch_a)
    assert len(first) == 50


def test_label_fn_and_given_counts():
    dataset = tf.data.Dataset.from_tensor_slices(
        {"x": np.arange(100.0), "label": np.repeat([0, 1], [90, 10])}
    )
    assert count_classes(dataset, lambda d: d["label"]) == {0: 90, 1: 10}
    rebalanced = dataset.apply(
        rebalance(lambda d: d["label"], class_counts={0: 90, 1: 10}, seed=0)
    )
    labels = [int(d["label"]) for d in rebalanced]
    assert np.bincount(labels).tolist() == [90, 90]
    one_hot = tf.data.Dataset.from_tensor_slices(
        (np.zeros((100, 1)), np.eye(2)[np.repeat([0, 1], [90, 10])])
    )
    argmaxed = one_hot.apply(rebalance(lambda x, y: tf.argmax(y), seed=0))
    assert sum(1 for _ in argmaxed) == 180


def test_mirrored_strategy_training_raises_minority_recall():
    script = Path(__file__).with_name("_mirrored_training.py")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    recall = json.loads(done.stdout.strip().splitlines()[-1])
    assert recall["rebalanced"] > recall["plain"] + 0.3


def test_bad_input():
    dataset, _ = _stream()
    with pytest.raises(ValueError, match="unbatched"):
        dataset.batch(8).apply(rebalance(seed=0))
    with pytest.raises(ValueError, match="scalar"):
        dataset.apply(rebalance(lambda x, y: tf.stack([y, y]), seed=0))
    with pytest.raises(TypeError, match="integer"):
        dataset.apply(rebalance(lambda x, y: tf.cast(y, tf.float32), seed=0))
    unknown = dataset.apply(rebalance(class_counts={0: 700, 1: 200, 2: 80}, seed=0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="class_counts"):
        _drain(unknown)
    with pytest.raises(ValueError, match="infinite"):
        dataset.repeat().apply(rebalance(seed=0))
    with pytest.raises(ValueError, match="`class_counts`"):
        rebalance(class_counts={0: 0, 1: 5})
    with pytest.raises(ValueError, match="`mode`"):
        rebalance(mode="sideways")
    with pytest.raises(ValueError, match="`seed`"):
        rebalance(seed=-1)
    with pytest.raises(ValueError, match="label_fn"):
        tf.data.Dataset.range(5).apply(rebalance())


# balanced_dataset --------------------------------------------------------------


def _arrays(n_majority=90, n_minority=10):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_majority + n_minority, 3)).astype(np.float32)
    return X, np.repeat([0, 1], [n_majority, n_minority])


def _collect(dataset):
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in dataset], strict=True)
    return np.concatenate(xs), np.concatenate(ys)


@pytest.mark.parametrize("sampler", [RandomUnderSampler(), RandomOverSampler()])
def test_label_only_samplers_redraw_every_epoch(sampler):
    X, y = _arrays()
    dataset = balanced_dataset(X, tf.constant(y), sampler, batch_size=16, seed=0)
    x1, y1 = _collect(dataset)
    x2, y2 = _collect(dataset)
    expected = 20 if isinstance(sampler, RandomUnderSampler) else 180
    assert y1.shape[0] == y2.shape[0] == expected
    assert int(dataset.cardinality()) == -(-expected // 16)  # known: whole batches
    assert np.bincount(y1).tolist() == [expected // 2] * 2
    assert not np.array_equal(x1, x2)
    # Rows are rows of X, with their own labels.
    rows = {tuple(row): label for row, label in zip(X, y, strict=True)}
    assert all(rows[tuple(row)] == label for row, label in zip(x1, y1, strict=True))
    x3, _ = _collect(balanced_dataset(X, y, sampler, batch_size=16, seed=0))
    np.testing.assert_array_equal(x3, x1)


def test_feature_and_generating_samplers():
    X, y = _arrays()
    X[:2] = X[90:92]  # two Tomek links across the classes
    tomek = balanced_dataset(X, y, TomekLinks(), batch_size=32, seed=0)
    _, y_tomek = _collect(tomek)
    reference = TomekLinks().fit_resample(X, y)[1]
    assert np.bincount(y_tomek).tolist() == np.bincount(reference).tolist()
    smote = balanced_dataset(X, y, SMOTE(random_state=0), batch_size=32, seed=0)
    x_smote, y_smote = _collect(smote)
    assert np.bincount(y_smote).tolist() == [90, 90]
    assert x_smote.dtype == np.float32


def test_balanced_dataset_bad_input():
    X, y = _arrays()
    with pytest.raises(ValueError, match="same number of rows"):
        balanced_dataset(X[:5], y, RandomUnderSampler(), batch_size=4)
    with pytest.raises(ValueError, match="`batch_size`"):
        balanced_dataset(X, y, RandomUnderSampler(), batch_size=0)
    with pytest.raises(TypeError, match="`sampler`"):
        balanced_dataset(X, y, object(), batch_size=4)
    with pytest.raises(ValueError, match="1-D"):
        balanced_dataset(X, y[:, None], RandomUnderSampler(), batch_size=4)
