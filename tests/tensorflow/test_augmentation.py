"""Tests of balancekit.tensorflow.augmentation: oracles by the identity trick,
SMOTE geometry and allocation, noise statistics, tf.data pipelines, Keras fit and
errors."""

from __future__ import annotations

import pickle
from functools import partial

import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import NearestNeighbors

torch = pytest.importorskip("torch")  # torch before tensorflow (DESIGN.md)
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from balancekit.augmentation._smote_batch import (  # noqa: E402
    _allocate,
    _target_classes,
)
from balancekit.tensorflow.augmentation import (  # noqa: E402
    augment_batches,
    balanced_mixup,
    gaussian_noise,
    mixup,
    remix,
    smote_batch,
)

N_CLASSES = 3
FUNCTIONS = {
    "mixup": partial(mixup, alpha=0.4),
    "remix": partial(remix, alpha=0.4, kappa=2.0),
    "balanced_mixup": partial(balanced_mixup, alpha=0.4),
    "smote_batch": partial(smote_batch, k_neighbors=2),
    "gaussian_noise": partial(gaussian_noise, std=0.5),
}
InvalidArgumentError = tf.errors.InvalidArgumentError


def _labels(n_per_class, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    return y[rng.permutation(y.shape[0])]


def _batch(n_per_class=(10, 4, 2), trailing=(3,), dtype=np.float32, seed=0):
    y = _labels(n_per_class, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(y.shape[0], *trailing)).astype(dtype)
    return x, y


def _run(fn, x, y, seed=(1, 2), **kwargs):
    kwargs.setdefault("num_classes", N_CLASSES)
    x_new, y_soft = fn(tf.constant(x), tf.constant(y), seed=list(seed), **kwargs)
    return x_new.numpy(), y_soft.numpy()


def _decode_identity(x_new):
    """From ``x_new`` of an identity batch: the weight on self and the partner.

    Row i is ``w_i e_i + (1 - w_i) e_p``; the partner is the off-diagonal non-zero
    entry, or i itself when there is none.
    """
    n = x_new.shape[0]
    self_weight = np.diag(x_new).copy()
    off = x_new - np.diag(self_weight)
    partners = np.where(np.any(off != 0, axis=1), np.argmax(off, axis=1), np.arange(n))
    assert np.all(np.count_nonzero(off, axis=1) <= 1)
    other = off[np.arange(n), partners]
    mixed = partners != np.arange(n)
    np.testing.assert_allclose(self_weight[mixed] + other[mixed], 1.0, atol=1e-12)
    return self_weight, partners


# ---------------------------------------------------------------------------
# Oracles (identity trick)


@pytest.mark.parametrize("seed", [(0, 1), (5, 9), (123, 4)])
def test_mixup_oracle(seed):
    y = _labels((10, 4, 2), seed=seed[0])
    x = np.eye(y.shape[0])
    x_new, y_soft = _run(mixup, x, y, seed=seed, alpha=1.0)
    lam, partners = _decode_identity(x_new)
    assert sorted(partners.tolist()) == list(range(y.shape[0]))  # a permutation
    hot = np.eye(N_CLASSES)[y]
    expected = lam[:, None] * hot + (1 - lam[:, None]) * hot[partners]
    np.testing.assert_allclose(y_soft, expected, atol=1e-12)
    assert y_soft.dtype == np.float64


def test_mixup_lambda_is_beta_alpha_alpha():
    y = _labels((150, 50))
    x = np.eye(y.shape[0])
    lam = []
    for s in range(4):
        x_new, _ = _run(mixup, x, y, seed=(s, 0), alpha=0.4)
        weight, partners = _decode_identity(x_new)
        lam.append(weight[partners != np.arange(y.shape[0])])  # self hides lam
    lam = np.concatenate(lam)
    assert stats.kstest(lam, stats.beta(0.4, 0.4).cdf).pvalue > 1e-3
    assert stats.kstest(lam, stats.beta(1.0, 1.0).cdf).pvalue < 1e-3


def _remix_expected(lam, partners, labels, counts, kappa, tau):
    ratio = counts[labels] / counts[labels[partners]]
    to_j = (ratio >= kappa) & (lam < tau)
    to_i = (ratio <= 1 / kappa) & ((1 - lam) < tau)
    return np.where(to_j, 0.0, np.where(to_i, 1.0, lam)), to_j, to_i


@pytest.mark.parametrize(
    ("kappa", "tau", "class_counts"),
    [
        (3.0, 0.5, None),
        (4.0, 0.5, None),  # ratio 12 / 3 == kappa: the boundary is included
        (2.0, 0.3, None),
        (8.0, 0.7, [5.0, 40.0, 1.0]),  # ratio 40 / 5 == kappa
        (1.5, 0.5, [5.0, 40.0, 1.0]),
    ],
)
def test_remix_oracle(kappa, tau, class_counts):
    branches = np.zeros(3, dtype=int)
    for s in range(6):
        y = _labels((12, 3, 1), seed=s)
        x = np.eye(y.shape[0])
        x_new, y_soft = _run(
            remix,
            x,
            y,
            seed=(s, 3),
            alpha=1.0,
            kappa=kappa,
            tau=tau,
            class_counts=class_counts,
        )
        lam, partners = _decode_identity(x_new)
        counts = (
            np.bincount(y, minlength=N_CLASSES).astype(float)
            if class_counts is None
            else np.asarray(class_counts)
        )
        lam_y, to_j, to_i = _remix_expected(lam, partners, y, counts, kappa, tau)
        hot = np.eye(N_CLASSES)[y]
        expected = lam_y[:, None] * hot + (1 - lam_y[:, None]) * hot[partners]
        np.testing.assert_allclose(y_soft, expected, atol=1e-12)
        branches += [to_j.sum(), to_i.sum(), (~to_j & ~to_i).sum()]
    assert np.all(branches > 0)  # every branch of the rule was exercised


def test_remix_soft_labels_use_argmax():
    y = _labels((12, 3, 1))
    soft = np.eye(N_CLASSES)[y]
    x = np.eye(y.shape[0], dtype=np.float32)
    out_int = _run(remix, x, y, kappa=2.0, alpha=1.0)
    out_soft = _run(remix, x, soft.astype(np.float32), kappa=2.0, alpha=1.0)
    np.testing.assert_array_equal(out_int[0], out_soft[0])
    np.testing.assert_array_equal(out_int[1], out_soft[1])


def test_balanced_mixup_oracle_and_balance():
    labels = _labels((12, 3, 1))  # class 3 absent (num_classes=4)
    x = np.eye(labels.shape[0])
    hot = np.eye(4)[labels]
    partner_classes, members_of_0, lam_all = [], [], []
    for s in range(60):
        x_new, y_soft = _run(
            balanced_mixup, x, labels, seed=(s, 7), num_classes=4, alpha=0.5
        )
        weight, partners = _decode_identity(x_new)
        expected = weight[:, None] * hot + (1 - weight[:, None]) * hot[partners]
        np.testing.assert_allclose(y_soft, expected, atol=1e-12)
        partner_classes.append(labels[partners])
        members_of_0.append(partners[labels[partners] == 0])
        mixed = partners != np.arange(16)  # a self-partner hides lam
        lam_all.append(1 - weight[mixed])
    freq = np.bincount(np.concatenate(partner_classes), minlength=4) / (60 * 16)
    np.testing.assert_allclose(freq[:3], 1 / 3, atol=0.05)
    assert freq[3] == 0
    # Uniform within a class: the 12 members of class 0.
    hits = np.bincount(np.concatenate(members_of_0), minlength=16)[labels == 0]
    assert stats.chisquare(hits).pvalue > 1e-3
    lam = np.concatenate(lam_all)
    assert stats.kstest(lam, stats.beta(0.5, 1.0).cdf).pvalue > 1e-3
    assert stats.kstest(lam, stats.beta(0.5, 0.5).cdf).pvalue < 1e-3


# ---------------------------------------------------------------------------
# smote_batch


def _class_counts(y_soft):
    return np.rint(y_soft.sum(axis=0)).astype(int).tolist()


def _assert_on_segments(x, y, x_syn, y_syn, k):
    """Each synthetic row lies on a segment parent -> one of the parent's k_eff
    nearest same-class neighbours (sklearn on the batch), and is no copy of a
    member when its class has two or more."""
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    syn = x_syn.reshape(x_syn.shape[0], -1).astype(np.float64)
    for row, cls in zip(syn, y_syn, strict=True):
        members = flat[y == cls]
        k_eff = min(k, members.shape[0] - 1)
        if k_eff == 0:
            np.testing.assert_array_equal(row, members[0])
            continue
        assert np.min(np.linalg.norm(members - row, axis=1)) > 1e-6
        nn = NearestNeighbors(n_neighbors=k_eff + 1).fit(members)
        neighbours = nn.kneighbors(members, return_distance=False)[:, 1:]
        best = np.inf
        for a, row_neighbours in zip(members, neighbours, strict=True):
            for b in members[row_neighbours]:
                d = b - a
                t = np.clip(np.dot(row - a, d) / np.dot(d, d), 0.0, 1.0)
                best = min(best, np.linalg.norm(row - a - t * d))
        assert best < 1e-5


@pytest.mark.parametrize(("k", "trailing"), [(1, (3,)), (3, (2, 2)), (5, (4,))])
def test_smote_rows_on_segments_and_balanced(k, trailing):
    x, y = _batch((12, 6, 3), trailing=trailing, seed=k)
    x_new, y_soft = _run(smote_batch, x, y, seed=(k, 1), k_neighbors=k)
    assert _class_counts(y_soft) == [12, 12, 12]
    n = x.shape[0]
    np.testing.assert_array_equal(x_new[:n], x)
    np.testing.assert_array_equal(y_soft[:n], np.eye(N_CLASSES)[y])
    y_syn = np.argmax(y_soft[n:], axis=1)
    assert np.all(y_soft[n:].max(axis=1) == 1)
    _assert_on_segments(x, y, x_new[n:], y_syn, k)


def test_smote_wrong_neighbours_would_fail():
    # The segment check can fail: rows interpolated to a far member are rejected.
    x, y = _batch((12, 6, 3), seed=3)
    members = x[y == 1]
    far = np.argmax(np.linalg.norm(members - members[0], axis=1))
    bad = members[0] + 0.5 * (members[far] - members[0])
    with pytest.raises(AssertionError):
        _assert_on_segments(x, y, bad[None, :], np.array([1]), 1)


@pytest.mark.parametrize(
    ("n_per_class", "n_new", "target_class"),
    [
        ((10, 4, 2), 5, None),
        ((10, 4, 2), 7, None),
        ((10, 4, 2), 0, None),
        ((10, 4, 2), 23, [1, 2]),
        ((5, 5, 2), 3, [0, 1]),  # no deficit among the targets: equal split
        ((10, 4, 2), 4, [0]),
        ((9, 2, 6), None, 2),
        ((9, 2, 6), None, [0, 2]),
        ((7, 7, 7), None, None),  # balanced: nothing added
        ((10, 4, 0), None, None),  # an absent class is no target
        ((10, 4, 0), 5, None),
    ],
)
def test_smote_allocation_matches_core(n_per_class, n_new, target_class):
    x, y = _batch(n_per_class)
    x_new, y_soft = _run(
        smote_batch, x, y, k_neighbors=2, n_new=n_new, target_class=target_class
    )
    counts = np.bincount(y, minlength=N_CLASSES)
    targets = _target_classes(target_class, counts)
    per_class = np.zeros(N_CLASSES, dtype=int)
    per_class[targets] = _allocate(n_new, targets, counts)
    expected = (counts + per_class).tolist()
    assert _class_counts(y_soft) == expected
    assert x_new.shape[0] == sum(expected)
    if n_new is not None:
        assert x_new.shape[0] == x.shape[0] + n_new
    # Synthetic rows come by class, in class order.
    y_syn = np.argmax(y_soft[x.shape[0] :], axis=1)
    assert np.all(np.diff(y_syn) >= 0)


def test_smote_small_classes_use_the_neighbours_they_have():
    x, y = _batch((10, 3, 1), trailing=(4,), seed=2)
    x_new, y_soft = _run(smote_batch, x, y, k_neighbors=5)
    n = x.shape[0]
    y_syn = np.argmax(y_soft[n:], axis=1)
    assert _class_counts(y_soft) == [10, 10, 10]
    _assert_on_segments(x, y, x_new[n:], y_syn, 5)
    single = x[y == 2][0]
    copies = x_new[n:][y_syn == 2]
    assert copies.shape[0] == 9
    np.testing.assert_array_equal(copies, np.broadcast_to(single, copies.shape))


def test_smote_soft_labels_kept():
    x, y = _batch((6, 2, 2))
    soft = np.eye(N_CLASSES, dtype=np.float32)[y] * 0.8 + 0.2 / N_CLASSES
    x_new, y_soft = _run(smote_batch, x, soft, k_neighbors=1)
    np.testing.assert_allclose(y_soft[: x.shape[0]], soft)
    assert x_new.shape[0] == 18


# ---------------------------------------------------------------------------
# gaussian_noise


def test_gaussian_noise_default_classes():
    x, y = _batch((10, 4, 2), trailing=(3, 4))
    x_new, y_soft = _run(gaussian_noise, x, y, std=0.3)
    keep = y == 0
    np.testing.assert_array_equal(x_new[keep], x[keep])
    assert np.all(x_new[~keep] != x[~keep])
    np.testing.assert_array_equal(y_soft, np.eye(N_CLASSES)[y])


def test_gaussian_noise_explicit_classes_and_ties():
    x, y = _batch((4, 6, 6))
    x_new, _ = _run(gaussian_noise, x, y, classes=[0, 2])
    np.testing.assert_array_equal(x_new[y == 1], x[y == 1])
    assert np.all(x_new[y != 1] != x[y != 1])
    x_new, _ = _run(gaussian_noise, x, y)  # tie 6 == 6: class 1 (smaller) kept
    np.testing.assert_array_equal(x_new[y == 1], x[y == 1])
    assert np.all(x_new[y != 1] != x[y != 1])


@pytest.mark.parametrize("std", [0.05, 0.5, 2.0])
def test_gaussian_noise_scale(std):
    rng = np.random.default_rng(0)
    y = _labels((1000, 1500, 500))
    x = rng.normal(size=(y.shape[0], 4)) * np.array([0.1, 1.0, 10.0, 100.0])
    x_new, _ = _run(gaussian_noise, x, y, std=std, seed=(3, 3))
    chosen = y != 1
    z = (x_new - x)[chosen] / x.std(axis=0)
    np.testing.assert_allclose(z.std(axis=0), std, rtol=0.05)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=0.1 * std)


# ---------------------------------------------------------------------------
# Contract: shapes, dtypes, label kinds, seeds, graph mode


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trailing", [(5,), (3, 4)])
@pytest.mark.parametrize("y_kind", ["int32", "int64", "onehot"])
def test_contract(name, dtype, trailing, y_kind):
    x, y = _batch((10, 4, 2), trailing=trailing, dtype=dtype)
    y_in = np.eye(N_CLASSES, dtype=dtype)[y] if y_kind == "onehot" else y.astype(y_kind)
    x_new, y_soft = _run(FUNCTIONS[name], x, y_in)
    n_out = 30 if name == "smote_batch" else 16
    assert x_new.shape == (n_out, *trailing)
    assert y_soft.shape == (n_out, N_CLASSES)
    assert x_new.dtype == dtype
    assert y_soft.dtype == dtype
    assert np.all(np.isfinite(x_new))
    np.testing.assert_allclose(y_soft.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all(y_soft >= 0)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_seed_determinism(name):
    x, y = _batch((10, 4, 2))
    fn = FUNCTIONS[name]
    first = _run(fn, x, y, seed=(4, 2))
    again = _run(fn, x, y, seed=(4, 2))
    other = _run(fn, x, y, seed=(4, 3))
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    as_int64 = fn(
        tf.constant(x),
        tf.constant(y),
        num_classes=N_CLASSES,
        seed=tf.constant([4, 2], tf.int64),
    )
    np.testing.assert_array_equal(as_int64[0].numpy(), first[0])


@pytest.mark.parametrize("name", FUNCTIONS)
def test_graph_mode_matches_eager(name):
    x, y = _batch((10, 4, 2), trailing=(3, 4))
    fn = FUNCTIONS[name]

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, 4], tf.float32),
            tf.TensorSpec([None], tf.int64),
            tf.TensorSpec([2], tf.int32),
        ]
    )
    def graph(x, y, seed):
        return fn(x, y, num_classes=N_CLASSES, seed=seed)

    out = graph(tf.constant(x), tf.constant(y), tf.constant([1, 2]))
    eager = _run(fn, x, y)
    np.testing.assert_allclose(out[0].numpy(), eager[0], rtol=1e-6)
    np.testing.assert_allclose(out[1].numpy(), eager[1], rtol=1e-6)


# ---------------------------------------------------------------------------
# augment_batches


def _pipeline(fn=mixup, seed=0, n_per_class=(40, 12, 4), trailing=(3,), **kwargs):
    x, y = _batch(n_per_class, trailing=trailing)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    return ds.apply(augment_batches(fn, num_classes=N_CLASSES, seed=seed, **kwargs))


def _epoch(ds):
    return [(a.numpy(), b.numpy()) for a, b in ds]


def _same(epoch_a, epoch_b):
    return all(
        np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        for a, b in zip(epoch_a, epoch_b, strict=True)
    )


def test_augment_batches_pipeline():
    ds = _pipeline(alpha=0.4)
    assert ds.element_spec == (
        tf.TensorSpec([None, 3], tf.float32),
        tf.TensorSpec([None, N_CLASSES], tf.float32),
    )
    first, second = _epoch(ds), _epoch(ds)
    assert [a.shape[0] for a, _ in first] == [16, 16, 16, 8]
    assert not _same(first, second)  # fresh draws each iteration
    fresh = _pipeline(alpha=0.4)
    assert _same(first, _epoch(fresh))  # same seed, same sequence
    assert _same(second, _epoch(fresh))
    assert not _same(first, _epoch(_pipeline(seed=1, alpha=0.4)))
    assert not _same(_epoch(_pipeline(seed=None)), _epoch(_pipeline(seed=None)))


def test_augment_batches_transformation_pickles():
    transformation = augment_batches(mixup, num_classes=N_CLASSES, seed=0, alpha=0.4)
    restored = pickle.loads(pickle.dumps(transformation))
    x, y = _batch((40, 12, 4))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    assert _same(_epoch(ds.apply(restored)), _epoch(ds.apply(transformation)))


@pytest.mark.parametrize("name", FUNCTIONS)
def test_augment_batches_every_function(name):
    fn = FUNCTIONS[name]
    ds = _pipeline(fn.func, trailing=(3, 4), **fn.keywords)
    x_spec, y_spec = ds.element_spec
    assert x_spec.shape.as_list() == [None, 3, 4]
    assert y_spec.shape.as_list() == [None, N_CLASSES]
    for x_new, y_soft in ds:
        assert x_new.shape[0] == y_soft.shape[0]
        np.testing.assert_allclose(tf.reduce_sum(y_soft, axis=1).numpy(), 1.0, 1e-6)
    if name == "smote_batch":
        sizes = [int(y.shape[0]) for _, y in ds]
        assert sum(sizes) > 56


@pytest.mark.parametrize("fn", [mixup, smote_batch])
def test_augment_batches_in_keras_fit(fn):
    x, y = _batch((40, 12, 4), trailing=(4,))
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    ds = ds.apply(augment_batches(fn, num_classes=N_CLASSES, seed=0))
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(N_CLASSES, activation="softmax")]
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    history = model.fit(ds, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])


# ---------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"),
    [
        ("mixup", {"num_classes": 1}, ValueError, "num_classes"),
        ("mixup", {"num_classes": 3.0}, TypeError, "num_classes"),
        ("mixup", {"alpha": 0.0}, ValueError, "alpha"),
        ("balanced_mixup", {"alpha": -1}, ValueError, "alpha"),
        ("remix", {"kappa": 0.5}, ValueError, "kappa"),
        ("remix", {"tau": 1.5}, ValueError, "tau"),
        ("remix", {"class_counts": [1, 2]}, ValueError, "class_counts"),
        ("remix", {"class_counts": [1, 0, 2]}, ValueError, "class_counts"),
        ("remix", {"class_counts": "abc"}, TypeError, "class_counts"),
        ("gaussian_noise", {"std": 0.0}, ValueError, "std"),
        ("gaussian_noise", {"classes": [3]}, ValueError, "classes"),
        ("smote_batch", {"target_class": 3}, ValueError, "target_class"),
        ("smote_batch", {"target_class": "a"}, TypeError, "target_class"),
        ("smote_batch", {"k_neighbors": 0}, ValueError, "k_neighbors"),
        ("smote_batch", {"k_neighbors": NearestNeighbors()}, TypeError, "k_neighbors"),
        ("smote_batch", {"n_new": -1}, ValueError, "n_new"),
        ("smote_batch", {"n_new": 2.0}, TypeError, "n_new"),
    ],
)
def test_bad_parameters(name, kwargs, error, match):
    x, y = _batch()
    fn = getattr(FUNCTIONS[name], "func", FUNCTIONS[name])
    call = {"num_classes": N_CLASSES, **kwargs}
    with pytest.raises(error, match=match):
        fn(tf.constant(x), tf.constant(y), seed=[1, 2], **call)
    with pytest.raises(error, match=match):  # eagerly, before any dataset
        augment_batches(fn, **call)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize(
    ("seed", "error"),
    [([1, 2, 3], ValueError), ([[1, 2]], ValueError), ([1.0, 2.0], TypeError)],
)
def test_bad_seed(name, seed, error):
    x, y = _batch()
    with pytest.raises(error, match="seed"):
        FUNCTIONS[name](tf.constant(x), tf.constant(y), num_classes=3, seed=seed)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_bad_x_and_y(name):
    fn = FUNCTIONS[name]
    x, y = _batch()
    with pytest.raises(TypeError, match="`x`"):
        fn(tf.constant(x.astype(np.int32)), tf.constant(y), num_classes=3, seed=[1, 2])
    with pytest.raises(TypeError, match="`y`"):
        fn(x, y.astype(np.float32), num_classes=3, seed=[1, 2])
    with pytest.raises(ValueError, match="`y`"):
        fn(x, np.eye(4, dtype=np.float32)[y], num_classes=3, seed=[1, 2])
    with pytest.raises(ValueError, match="same length"):
        fn(x, y[:-1], num_classes=3, seed=[1, 2])
    for bad in (3, -1):
        y_bad = y.copy()
        y_bad[0] = bad
        with pytest.raises(InvalidArgumentError, match="`y`"):
            fn(x, y_bad, num_classes=3, seed=[1, 2])


def test_bad_labels_in_pipeline():
    x, y = _batch()
    y[3] = 7
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    ds = ds.apply(augment_batches(mixup, num_classes=N_CLASSES, seed=0))
    with pytest.raises(InvalidArgumentError, match="`y`"):
        _epoch(ds)


def test_bad_soft_labels():
    x, y = _batch()
    soft = np.eye(N_CLASSES, dtype=np.float32)[y] * 0.5
    with pytest.raises(InvalidArgumentError, match="sum to 1"):
        mixup(x, soft, num_classes=N_CLASSES, seed=[1, 2])


def test_smote_data_dependent_errors():
    x, y = _batch((6, 4, 0))
    with pytest.raises(InvalidArgumentError, match="target_class"):
        smote_batch(x, y, num_classes=N_CLASSES, target_class=2, seed=[1, 2])
    x, y = _batch((5, 5, 5))
    with pytest.raises(InvalidArgumentError, match="n_new"):
        smote_batch(x, y, num_classes=N_CLASSES, n_new=3, seed=[1, 2])


def test_augment_batches_bad_arguments():
    with pytest.raises(TypeError, match="`fn`"):
        augment_batches("mixup", num_classes=3)
    with pytest.raises(TypeError, match="`fn`"):
        augment_batches(mixup, num_classes=3, kappa=2.0)  # not a mixup parameter
    with pytest.raises(TypeError, match="`seed`"):
        augment_batches(mixup, num_classes=3, seed="0")
    with pytest.raises(ValueError, match="num_classes"):
        augment_batches(mixup, num_classes=1)


@pytest.mark.parametrize(
    ("dataset", "error"),
    [
        ([1, 2], TypeError),
        (tf.data.Dataset.range(4).batch(2), TypeError),
        (tf.data.Dataset.from_tensor_slices({"x": [[1.0]], "y": [0]}), TypeError),
        (tf.data.Dataset.from_tensor_slices(([[1.0]], [0], [0])).batch(1), TypeError),
        (tf.data.Dataset.from_tensor_slices(([[1.0]], [0])), ValueError),
    ],
    ids=["list", "single", "dict", "triple", "unbatched"],
)
def test_augment_batches_bad_dataset(dataset, error):
    transform = augment_batches(mixup, num_classes=N_CLASSES)
    with pytest.raises(error, match="`dataset`"):
        transform(dataset)
