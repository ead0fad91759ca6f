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


@pytest.mark.slow
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
    # A label that `class_counts` lacks: found when the held classes are read...
    with pytest.raises(ValueError, match="class_counts"):
        dataset.apply(rebalance(class_counts={0: 700, 1: 200, 2: 80}, seed=0))
    # ... or, when nothing is held (block mode), while iterating.
    with pytest.warns(UserWarning, match="max_cached_bytes"):
        unknown = dataset.apply(
            rebalance(class_counts={0: 700, 1: 200, 2: 80}, seed=0, max_cached_bytes=0)
        )
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
    with pytest.raises(ValueError, match="`max_cached_bytes`"):
        rebalance(max_cached_bytes=-1)
    with pytest.raises(ValueError, match="`block_size`"):
        rebalance(block_size=0)


# mixing: batches like an independent draw (issue 14) ---------------------------

BATCH = 256


def _repro(sort_by_class=False):
    """The issue's repro: 20,000 rows, 5% positives, ids as features."""
    y = (np.random.default_rng(14).random(20_000) < 0.05).astype(np.int64)
    if sort_by_class:
        y = np.sort(y)
    return tf.data.Dataset.from_tensor_slices((np.arange(y.shape[0]), y)), y


def _epoch_ids(dataset):
    return np.concatenate([ids.numpy() for ids, _ in dataset.batch(4096)])


def _mixing(ids, is_minority, batch=BATCH):
    """Distinct minority rows per full batch, mean span (in batches) of a minority
    row's copies, and the share of minority rows seen in the first half-epoch."""
    batch_of = np.arange(ids.shape[0]) // batch
    full = batch_of < ids.shape[0] // batch
    rows, batches = ids[is_minority & full], batch_of[is_minority & full]
    pairs = np.unique(np.stack([batches, rows]), axis=1)
    distinct = np.bincount(pairs[0]).mean()
    rows, batches = ids[is_minority], batch_of[is_minority]
    first = np.full(ids.max() + 1, np.iinfo(np.int64).max)
    last = np.full(ids.max() + 1, -1)
    np.minimum.at(first, rows, batches)
    np.maximum.at(last, rows, batches)
    present = last >= 0
    span = float(np.mean(last[present] - first[present]))
    half = ids[: ids.shape[0] // 2][is_minority[: ids.shape[0] // 2]]
    coverage = np.unique(half).shape[0] / np.unique(rows).shape[0]
    return distinct, span, coverage


def _independent_distinct(n_rows, share, batch=BATCH):
    """Expected distinct minority rows in a batch of independent draws."""
    return n_rows * (1 - (1 - share / n_rows) ** batch)


@pytest.mark.parametrize("sort_by_class", [False, True])
def test_batches_mix_like_an_independent_draw(sort_by_class):
    dataset, y = _repro(sort_by_class)
    ids = _epoch_ids(dataset.apply(rebalance(seed=0)))
    labels = y[ids]
    n_minority = int(y.sum())
    assert np.bincount(labels).tolist() == [int((y == 0).sum())] * 2  # exact
    distinct, span, coverage = _mixing(ids, labels == 1)
    expected = _independent_distinct(n_minority, 0.5)
    assert abs(distinct - expected) <= 0.1 * expected  # old code: ~49 of ~120
    assert coverage >= 0.95  # old code: about half
    # Spread: the same minority slots, filled uniformly at random.
    shuffled = ids.copy()
    shuffled[labels == 1] = np.random.default_rng(0).permutation(ids[labels == 1])
    _, uniform_span, _ = _mixing(shuffled, labels == 1)
    assert span >= 0.9 * uniform_span  # old code: ~7 of ~134 batches
    # The class mix of each batch: about binomial(256, 1/2), even for a sorted source.
    per_batch = np.bincount(np.arange(ids.shape[0]) // BATCH, weights=labels)[:-1]
    assert abs(per_batch.mean() - BATCH / 2) < 3
    assert per_batch.std() < 2 * np.sqrt(BATCH / 4)
    assert np.abs(per_batch - BATCH / 2).max() < 48


def test_class_sorted_source_with_several_classes_mixes_every_class():
    counts = {c: n * 10 for c, n in COUNTS.items()}
    y = np.repeat(list(counts), list(counts.values()))  # sorted by class
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(y.shape[0]), y))
    for strategy, mode in [("balanced", "over"), ("auto", "under"), ("sqrt", "over")]:
        rebalanced = dataset.apply(
            rebalance(sampling_strategy=strategy, mode=mode, seed=3)
        )
        ids = _epoch_ids(rebalanced)
        targets = epoch_class_counts(strategy, counts, mode=mode)
        assert np.bincount(y[ids], minlength=4).tolist() == targets.tolist()
        first_half = np.bincount(y[ids[: ids.shape[0] // 2]], minlength=4)
        share = targets / targets.sum()
        # Every class is spread over the epoch, not in class runs: its share of the
        # first half is binomial around its share of the epoch (4 standard errors;
        # class runs are off by 0.25 and more). The draw depends on TensorFlow's
        # global seed too, which other tests set.
        n_half = int(first_half.sum())
        tolerance = 4 * np.sqrt(share * (1 - share) / n_half)
        assert np.all(np.abs(first_half / n_half - share) <= tolerance), strategy


def test_block_mode_fallback_warns_and_keeps_counts():
    dataset, y = _repro()
    with pytest.warns(UserWarning, match="block mode"):
        block = dataset.apply(rebalance(seed=0, max_cached_bytes=0))
    ids = _epoch_ids(block)
    assert np.bincount(y[ids]).tolist() == [int((y == 0).sum())] * 2
    distinct, _, _ = _mixing(ids, y[ids] == 1)
    # The documented limit of the block mode: repeats stay within blocks.
    assert distinct < 0.8 * _independent_distinct(int(y.sum()), 0.5)


def test_classes_above_the_budget_are_streamed_with_a_warning():
    dataset, y = _stream()
    # ids and labels: 16 bytes a row; classes 3 and 2 fit in 3,000 bytes, 1 does not.
    with pytest.warns(UserWarning, match=r"classes \[0, 1\].*streamed"):
        rebalanced = dataset.apply(
            rebalance(mode="under", seed=0, max_cached_bytes=3_000)
        )
    ids, labels = _drain(rebalanced)
    assert np.bincount(labels).tolist() == [20] * 4
    np.testing.assert_array_equal(y[ids], labels)


def test_each_epoch_draws_new_copies_and_positions_same_seed_same_stream():
    dataset, y = _repro()
    rebalanced = dataset.apply(rebalance(seed=7))
    first, second = _epoch_ids(rebalanced), _epoch_ids(rebalanced)
    assert not np.array_equal(first, second)
    assert not np.array_equal(y[first], y[second])  # new positions too
    again = dataset.apply(rebalance(seed=7))
    np.testing.assert_array_equal(_epoch_ids(again), first)
    np.testing.assert_array_equal(_epoch_ids(again), second)


def test_declared_counts_that_disagree_with_the_stream():
    y = np.repeat([0, 1], [90, 10])
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(100), y))
    with pytest.raises(ValueError, match="class_counts") as error:
        dataset.apply(rebalance(class_counts={0: 50, 1: 50}, seed=0))
    assert "declared {0: 50, 1: 50}" in str(error.value)
    assert "seen {0: 90, 1: 10}" in str(error.value)
    # In block mode nothing is read when applied: the epoch fails naming them.
    with pytest.warns(UserWarning, match="block mode"):
        short = dataset.apply(
            rebalance(class_counts={0: 95, 1: 10}, max_cached_bytes=0)
        )
    with pytest.raises(tf.errors.InvalidArgumentError, match="class_counts"):
        _drain(short)
    with pytest.warns(UserWarning, match="block mode"):
        longer = dataset.apply(
            rebalance(class_counts={0: 50, 1: 10}, seed=0, max_cached_bytes=0)
        )
    with pytest.raises(tf.errors.InvalidArgumentError, match="declared"):
        _drain(longer)


def test_huge_labels_allocate_no_table():
    import tracemalloc

    y = np.repeat(np.array([3, 2**40], dtype=np.int64), [30, 10])
    dataset = tf.data.Dataset.from_tensor_slices((np.arange(40), y))
    tracemalloc.start()
    try:
        counts = count_classes(dataset)  # old code: np.bincount to 2**40 + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counts == {3: 30, 2**40: 10}
    assert peak < 64 * 2**20
    _, labels = _drain(dataset.apply(rebalance(seed=0)))
    assert np.unique(labels, return_counts=True)[1].tolist() == [30, 30]
    with pytest.raises(ValueError, match="`class_counts`"):
        rebalance(class_counts={2**64: 3})


def test_label_messages_point_the_right_way():
    x = np.zeros((6, 2), np.float32)
    y = np.array([0, 1, 0, 1, 0, 0])
    floats = tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32)))
    with pytest.raises(TypeError, match=r"tf\.cast\(y, tf\.int64\)") as error:
        floats.apply(rebalance())
    assert "StringLookup" not in str(error.value)
    strings = tf.data.Dataset.from_tensor_slices((x, y.astype(str)))
    with pytest.raises(TypeError, match="StringLookup"):
        strings.apply(rebalance())
    column = tf.data.Dataset.from_tensor_slices((x, y[:, None]))
    with pytest.raises(ValueError, match=r"y\[0\]") as error:
        column.apply(rebalance())
    assert "(1,)" in str(error.value)
    assert ".batch()" not in str(error.value)
    with pytest.raises(ValueError, match="unbatched") as error:
        tf.data.Dataset.from_tensor_slices((x, y)).batch(2).apply(rebalance())
    assert "squeeze" not in str(error.value).lower()
    one_hot = tf.data.Dataset.from_tensor_slices((x, np.eye(2, dtype=np.int64)[y]))
    with pytest.raises(ValueError, match="argmax"):
        one_hot.apply(rebalance())
    ragged = tf.data.Dataset.from_tensor_slices(
        (x, tf.ragged.constant([[0], [1, 1], [0], [1], [0], [0]]))
    )
    with pytest.raises(ValueError, match="RaggedTensor"):  # not a TensorFlow error
        ragged.apply(rebalance())


def test_components_that_cannot_be_gathered_in_blocks():
    y = np.array([0, 1, 0, 0])
    sparse = tf.data.Dataset.from_tensor_slices(
        ({"ids": tf.sparse.from_dense(np.eye(4)), "dense": np.eye(4)}, y)
    )
    with pytest.raises(ValueError, match=r"component `0/ids`.*SparseTensor"):
        sparse.apply(rebalance())
    variable = tf.data.Dataset.from_generator(
        lambda: ((np.zeros(n), n % 2) for n in range(1, 5)),
        output_signature=(
            tf.TensorSpec([None], tf.float64),
            tf.TensorSpec([], tf.int64),
        ),
    )
    with pytest.raises(ValueError, match=r"component `0`.*variable shape"):
        variable.apply(rebalance(class_counts={0: 2, 1: 2}))


def test_ragged_components_are_rebalanced():
    rows = tf.ragged.constant([[1.0], [2.0, 2.0], [3.0], [4.0, 4.0, 4.0]] * 5)
    y = np.array([0, 0, 0, 1] * 5)
    dataset = tf.data.Dataset.from_tensor_slices((rows, y))
    rebalanced = dataset.apply(rebalance(seed=0))
    assert rebalanced.element_spec == dataset.element_spec
    out = [(r.numpy().tolist(), int(label)) for r, label in rebalanced]
    assert np.bincount([label for _, label in out]).tolist() == [15, 15]
    assert all(r == [4.0] * 3 for r, label in out if label == 1)


def test_the_transformation_pickles():
    import pickle

    dataset, _ = _stream()
    transform = rebalance(seed=4, class_counts=COUNTS)
    restored = pickle.loads(pickle.dumps(transform))
    np.testing.assert_array_equal(
        _drain(dataset.apply(restored))[0], _drain(dataset.apply(transform))[0]
    )


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


def test_smote_on_integer_features_returns_floats():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 50, size=(100, 3)).astype(np.int32)
    y = np.repeat([0, 1], [90, 10])
    dataset = balanced_dataset(X, y, SMOTE(random_state=0), batch_size=32, seed=0)
    assert dataset.element_spec[0].dtype == tf.float64
    x_out, y_out = _collect(dataset)
    X_ref, _ = SMOTE(random_state=0).fit_resample(X, y)
    assert x_out.dtype == X_ref.dtype == np.float64
    assert not np.all(x_out == np.round(x_out))  # old code: truncated to int32
    synthetic = {tuple(row) for row in X_ref[100:]}
    assert synthetic <= {tuple(row) for row in x_out}
    assert np.bincount(y_out).tolist() == [90, 90]


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
