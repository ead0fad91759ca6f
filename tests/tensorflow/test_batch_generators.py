"""imbalanced-learn's balanced batch generators: ``balancekit.keras`` and
``balancekit.tensorflow.balanced_batch_generator``.

Oracle: imbalanced-learn 0.14's ``imblearn.keras`` / ``imblearn.tensorflow`` given the
same sampler object and ``random_state`` (same batches, array for array). Then
properties: balanced counts, determinism, device placement (``backend`` fixture),
sparse and pandas inputs, ``sample_weight``, clear errors, a Keras model training.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import torch  # before tensorflow in one process

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
imblearn_keras = pytest.importorskip("imblearn.keras")

import imblearn.tensorflow as imblearn_tf  # noqa: E402
from imblearn.over_sampling import SMOTE as ImbSMOTE  # noqa: E402
from imblearn.under_sampling import NearMiss as ImbNearMiss  # noqa: E402
from imblearn.under_sampling import RandomUnderSampler as ImbRUS  # noqa: E402
from scipy import sparse  # noqa: E402

from balancekit.keras import (  # noqa: E402
    BalancedBatchGenerator,
    balanced_batch_generator,
)
from balancekit.over_sampling import SMOTE, RandomOverSampler  # noqa: E402
from balancekit.tensorflow import (  # noqa: E402
    balanced_batch_generator as tf_balanced_batch_generator,
)
from balancekit.under_sampling import (  # noqa: E402
    NearMiss,
    RandomUnderSampler,
    TomekLinks,
)

RNG = np.random.default_rng(0)
N = 230
X = RNG.normal(size=(N, 3)).astype(np.float32)
Y = np.repeat([0, 1, 2], [150, 55, 25])
WEIGHTS = RNG.random(N)


def _batches_of_sequence(sequence) -> list[tuple]:
    return [sequence[i] for i in range(len(sequence))]


def _batches_of_generator(generator, steps: int) -> list[tuple]:
    return [next(generator) for _ in range(steps)]


def _assert_same_batches(ours: list[tuple], theirs: list[tuple]) -> None:
    assert len(ours) == len(theirs)
    for our_batch, their_batch in zip(ours, theirs, strict=True):
        assert len(our_batch) == len(their_batch)
        for a, b in zip(our_batch, their_batch, strict=True):
            assert type(a) is type(b)
            if sparse.issparse(b):
                a, b = a.toarray(), b.toarray()
            if isinstance(b, pd.DataFrame | pd.Series):
                assert a.equals(b)
                assert (a.index == b.index).all()
            else:
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ------------------------------------------------------------ the imblearn oracle


@pytest.mark.parametrize("random_state", [0, 42, "RandomState"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sequence_equals_imblearn_with_its_sampler(random_state, weighted):
    sampler = ImbRUS(random_state=3)
    weights = WEIGHTS if weighted else None
    states = (
        (np.random.RandomState(7), np.random.RandomState(7))
        if random_state == "RandomState"
        else (random_state, random_state)
    )
    ours = BalancedBatchGenerator(
        X,
        Y,
        sample_weight=weights,
        sampler=sampler,
        batch_size=16,
        random_state=states[0],
    )
    theirs = imblearn_keras.BalancedBatchGenerator(
        X,
        Y,
        sample_weight=weights,
        sampler=sampler,
        batch_size=16,
        random_state=states[1],
    )
    assert len(ours) == len(theirs) == 75 // 16
    np.testing.assert_array_equal(ours.indices_, theirs.indices_)
    _assert_same_batches(_batches_of_sequence(ours), _batches_of_sequence(theirs))
    assert not hasattr(sampler, "sample_indices_")  # the given sampler is cloned


@pytest.mark.parametrize("module", ["keras", "tensorflow"])
def test_generator_equals_imblearn_with_its_sampler(module):
    ours_function = (
        balanced_batch_generator if module == "keras" else tf_balanced_batch_generator
    )
    theirs_module = imblearn_keras if module == "keras" else imblearn_tf
    theirs_function = theirs_module.balanced_batch_generator
    sampler = ImbRUS(sampling_strategy={0: 40, 1: 30, 2: 25}, random_state=1)
    ours, our_steps = ours_function(
        X, Y, sample_weight=WEIGHTS, sampler=sampler, batch_size=20, random_state=5
    )
    theirs, their_steps = theirs_function(
        X, Y, sample_weight=WEIGHTS, sampler=sampler, batch_size=20, random_state=5
    )
    assert our_steps == their_steps == 95 // 20
    # two passes: the endless generator also yields the last, shorter batch
    _assert_same_batches(
        _batches_of_generator(ours, 2 * 5 + 1), _batches_of_generator(theirs, 11)
    )


def test_balancekit_sampler_in_both_gives_imblearns_batches():
    """imbalanced-learn's generator calls fit_resample(X, y); ours reads y alone
    (fit_resample_indices) for a label-only sampler: the same rows."""
    for sampler in (
        RandomUnderSampler(random_state=4),
        RandomOverSampler(random_state=4),
    ):
        ours = BalancedBatchGenerator(X, Y, sampler=sampler, random_state=9)
        theirs = imblearn_keras.BalancedBatchGenerator(
            X, Y, sampler=sampler, random_state=9
        )
        _assert_same_batches(_batches_of_sequence(ours), _batches_of_sequence(theirs))


def test_nearmiss_drop_in():
    """balancekit's NearMiss where imbalanced-learn's was: the same batches."""
    ours = BalancedBatchGenerator(
        X, Y, sampler=NearMiss(), batch_size=10, random_state=1
    )
    theirs = imblearn_keras.BalancedBatchGenerator(
        X, Y, sampler=ImbNearMiss(), batch_size=10, random_state=1
    )
    _assert_same_batches(_batches_of_sequence(ours), _batches_of_sequence(theirs))


@pytest.mark.parametrize("keep_sparse", [False, True])
def test_sparse_equals_imblearn(keep_sparse):
    X_sparse = sparse.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    kwargs = {"sampler": ImbRUS(random_state=0), "batch_size": 8, "random_state": 2}
    ours = BalancedBatchGenerator(X_sparse, Y, keep_sparse=keep_sparse, **kwargs)
    theirs = imblearn_keras.BalancedBatchGenerator(
        X_sparse, Y, keep_sparse=keep_sparse, **kwargs
    )
    batches = _batches_of_sequence(ours)
    assert sparse.issparse(batches[0][0]) is keep_sparse
    _assert_same_batches(batches, _batches_of_sequence(theirs))
    stream, _ = tf_balanced_batch_generator(
        X_sparse, Y, keep_sparse=keep_sparse, **kwargs
    )
    assert sparse.issparse(next(stream)[0]) is keep_sparse


def test_pandas_equals_imblearn():
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(N) * 2)
    target = pd.Series(Y, index=frame.index, name="y")
    kwargs = {"sampler": ImbRUS(random_state=0), "batch_size": 8, "random_state": 2}
    ours = BalancedBatchGenerator(frame, target, **kwargs)
    theirs = imblearn_keras.BalancedBatchGenerator(frame, target, **kwargs)
    _assert_same_batches(_batches_of_sequence(ours), _batches_of_sequence(theirs))


# ---------------------------------------------------------------------- properties


def test_default_sampler_balances_and_is_deterministic():
    first = BalancedBatchGenerator(X, Y, batch_size=5, random_state=0)
    again = BalancedBatchGenerator(X, Y, batch_size=5, random_state=0)
    other = BalancedBatchGenerator(X, Y, batch_size=5, random_state=1)
    assert type(first.sampler_).__name__ == "RandomUnderSampler"
    assert type(first.sampler_).__module__.startswith("balancekit")
    assert np.bincount(Y[first.indices_]).tolist() == [25, 25, 25]
    np.testing.assert_array_equal(first.indices_, again.indices_)
    assert not np.array_equal(first.indices_, other.indices_)
    assert len(first) == 15
    labels = np.concatenate([first[i][1] for i in range(len(first))])
    assert np.bincount(labels).tolist() == [25, 25, 25]
    stream, steps = balanced_batch_generator(X, Y, batch_size=5, random_state=0)
    _assert_same_batches(
        _batches_of_generator(stream, steps), _batches_of_sequence(first)
    )


def test_sample_weight_is_batched_along():
    sequence = BalancedBatchGenerator(X, Y, sample_weight=WEIGHTS, random_state=3)
    X_batch, y_batch, w_batch = sequence[1]
    rows = sequence.indices_[32:64]
    np.testing.assert_array_equal(X_batch, X[rows])
    np.testing.assert_array_equal(y_batch, Y[rows])
    np.testing.assert_array_equal(w_batch, WEIGHTS[rows])


def test_feature_index_sampler_rows_are_its_rows():
    sampler = TomekLinks()
    sequence = BalancedBatchGenerator(
        X, Y, sampler=sampler, batch_size=7, random_state=0
    )
    _, y_res = TomekLinks().fit_resample(X, Y)
    assert sorted(sequence.indices_.tolist()) == sorted(
        sequence.sampler_.sample_indices_.tolist()
    )
    assert np.bincount(Y[sequence.indices_]).tolist() == np.bincount(y_res).tolist()


def test_one_hot_targets():
    one_hot = keras.utils.to_categorical(Y, 3)
    sequence = BalancedBatchGenerator(
        X, one_hot, sampler=RandomUnderSampler(random_state=0), random_state=0
    )
    assert sequence[0][1].shape == (32, 3)
    assert one_hot[sequence.indices_].sum(axis=0).tolist() == [25.0, 25.0, 25.0]


def test_indexing_and_pickle():
    sequence = BalancedBatchGenerator(X, Y, batch_size=10, random_state=0)
    np.testing.assert_array_equal(sequence[-1][0], sequence[len(sequence) - 1][0])
    with pytest.raises(IndexError, match="out of range"):
        sequence[len(sequence)]
    restored = pickle.loads(pickle.dumps(sequence))
    _assert_same_batches(_batches_of_sequence(restored), _batches_of_sequence(sequence))


def test_on_backend(backend):
    """Device data: the sampler, the shuffle's indices and the batches stay there;
    one seed gives the NumPy batches."""
    expected = BalancedBatchGenerator(
        X,
        Y,
        sample_weight=WEIGHTS,
        sampler=RandomUnderSampler(random_state=0),
        batch_size=16,
        random_state=4,
    )
    ours = BalancedBatchGenerator(
        backend.asarray(X),
        backend.asarray(Y),
        sample_weight=backend.asarray(WEIGHTS),
        sampler=RandomUnderSampler(random_state=0),
        batch_size=16,
        random_state=4,
    )
    assert len(ours) == len(expected)
    if backend.name != "numpy":
        assert backend.device_of(ours.indices_) == backend.device
    for index in range(len(ours)):
        for got, want in zip(ours[index], expected[index], strict=True):
            if backend.name != "numpy":
                assert backend.device_of(got) == backend.device
            np.testing.assert_array_equal(backend.to_numpy(got), want)
    stream, _ = balanced_batch_generator(
        backend.asarray(X),
        backend.asarray(Y),
        sampler=RandomUnderSampler(random_state=0),
        batch_size=16,
        random_state=4,
    )
    X_batch, _ = next(stream)
    np.testing.assert_array_equal(backend.to_numpy(X_batch), expected[0][0])


def test_tensorflow_tensors_stay_tensors():
    X_tf, Y_tf, W_tf = tf.constant(X), tf.constant(Y), tf.constant(WEIGHTS)
    kwargs = {"sampler": ImbRUS(random_state=0), "batch_size": 16, "random_state": 6}
    stream, steps = tf_balanced_batch_generator(
        X_tf, Y_tf, sample_weight=W_tf, **kwargs
    )
    reference, reference_steps = imblearn_tf.balanced_batch_generator(
        X, Y, sample_weight=WEIGHTS, **kwargs
    )
    assert steps == reference_steps
    for _ in range(steps):
        batch, want = next(stream), next(reference)
        assert all(isinstance(part, tf.Tensor) for part in batch)
        for got, expected in zip(batch, want, strict=True):
            np.testing.assert_array_equal(got.numpy(), expected)
    sequence = BalancedBatchGenerator(X_tf, Y_tf, **kwargs)
    assert isinstance(sequence[0][0], tf.Tensor)


# ------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "sampler", [SMOTE(), ImbSMOTE()], ids=["balancekit", "imblearn"]
)
def test_generating_samplers_are_refused_as_imblearn(sampler):
    with pytest.raises(
        ValueError, match="needs to have an attribute 'sample_indices_'"
    ):
        imblearn_keras.BalancedBatchGenerator(X, Y, sampler=sampler)
    with pytest.raises(
        ValueError,
        match=r"needs to have an attribute 'sample_indices_'.*SMOTE generates",
    ):
        BalancedBatchGenerator(X, Y, sampler=sampler)
    with pytest.raises(ValueError, match="sample_indices_"):
        tf_balanced_batch_generator(X, Y, sampler=sampler)


class _DuckSampler:
    """A sampler without scikit-learn tags and without sample_indices_."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit_resample(self, X, y):
        return X, y


def test_duck_sampler_without_indices():
    with pytest.raises(ValueError, match="_DuckSampler has none after fit_resample"):
        BalancedBatchGenerator(X, Y, sampler=_DuckSampler())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"keep_sparse": "no"}, TypeError, "keep_sparse"),
        ({"random_state": -1}, ValueError, "random_state"),
        ({"random_state": "seed"}, TypeError, "random_state"),
        ({"sampler": "RandomUnderSampler"}, TypeError, "`sampler` must be a sampler"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        BalancedBatchGenerator(X, Y, **kwargs)
    with pytest.raises(error, match=match):
        tf_balanced_batch_generator(X, Y, **kwargs)


def test_mixed_devices_are_refused():
    with pytest.raises(TypeError, match="different array libraries"):
        BalancedBatchGenerator(
            torch.as_tensor(X), torch.as_tensor(Y), sample_weight=WEIGHTS
        )


# ------------------------------------------------------------------------ training


def _model() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_keras_trains_one_epoch_on_the_sequence():
    sequence = BalancedBatchGenerator(
        X, Y, sample_weight=WEIGHTS, sampler=NearMiss(), batch_size=10, random_state=0
    )
    history = _model().fit(sequence, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_keras_trains_one_epoch_on_the_generator():
    stream, steps = tf_balanced_batch_generator(X, Y, batch_size=10, random_state=0)
    history = _model().fit(stream, steps_per_epoch=steps, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# ------------------------------------------ imbalanced-learn's own generator tests

_SWAP_CONFTEST = """
import torch  # noqa: F401  (before tensorflow)
import imblearn.keras
import imblearn.tensorflow

import balancekit.keras
import balancekit.tensorflow

imblearn.keras.BalancedBatchGenerator = balancekit.keras.BalancedBatchGenerator
imblearn.keras.balanced_batch_generator = balancekit.keras.balanced_batch_generator
imblearn.tensorflow.balanced_batch_generator = (
    balancekit.tensorflow.balanced_batch_generator
)
"""


def test_imblearns_own_generator_tests_with_balancekit_swapped_in(tmp_path):
    """Their tests (in a subprocess: one disables eager execution) all pass."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(imblearn_keras.__file__).parent.parent
    for package in ("keras", "tensorflow"):
        source = root / package / "tests" / "test_generator.py"
        (tmp_path / f"test_{package}_generator.py").write_text(source.read_text())
    (tmp_path / "conftest.py").write_text(_SWAP_CONFTEST)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout
    assert "failed" not in run.stdout


def test_only_the_adapter_imports_keras():
    import subprocess
    import sys

    code = (
        "import sys\nimport balancekit, balancekit.metrics\n"
        "print('keras' in sys.modules, 'tensorflow' in sys.modules)\n"
        "import balancekit.keras\nprint('keras' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert run.stdout.split() == ["False", "False", "True"]


def test_imblearns_documented_examples_run_with_the_import_changed():
    import doctest

    import imblearn.keras._generator as documented

    swap = {
        "from imblearn.keras import": "from balancekit.keras import",
        "from imblearn.under_sampling import": "from balancekit.under_sampling import",
    }
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for name in ("BalancedBatchGenerator", "balanced_batch_generator"):
        text = getattr(documented, name).__doc__
        for theirs, ours in swap.items():
            text = text.replace(theirs, ours)
        assert "from balancekit.keras import" in text
        result = runner.run(parser.get_doctest(text, {}, name, None, 0))
        assert result.attempted > 10
        assert result.failed == 0, name
