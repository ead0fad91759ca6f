"""Host transfers of the counted confusion matrix: ``count`` reads the label counts
and the number predicted right (``Counts.n_right``) in one transfer, so the dtype
rule of the 1-D precision/recall/F path (``as_sklearn_dtypes``) needs none."""

from __future__ import annotations

import sys
import traceback
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import balancekit.metrics  # noqa: F401  (every metric module loaded before patching)
from balancekit._array_api import to_host
from balancekit.metrics import multilabel_confusion_matrix
from balancekit.metrics._counts import count
from balancekit.metrics._multilabel_confusion import as_sklearn_dtypes

Y_TRUE = np.array([0, 1, 2, 2, 1, 0, 3])
Y_PRED = np.array([0, 2, 2, 1, 1, 3, 3])


@pytest.fixture
def transfers(monkeypatch) -> list[list[str]]:
    """Every ``to_host`` call of balancekit from now on, as the names of the
    functions on the stack (innermost last)."""
    calls: list[list[str]] = []

    def counting(x, xp):
        calls.append([frame.name for frame in traceback.extract_stack()[:-1]])
        return to_host(x, xp)

    for name, module in list(sys.modules.items()):
        if name.startswith("balancekit") and getattr(module, "to_host", None) is (
            to_host
        ):
            monkeypatch.setattr(module, "to_host", counting)
    return calls


def test_the_counting_patch_sees_transfers(transfers):
    count(Y_TRUE, Y_PRED)
    assert transfers, "the patch must reach the counting module"


def test_as_sklearn_dtypes_makes_no_transfer(backend, transfers):
    counts = count(backend.asarray(Y_TRUE), backend.asarray(Y_PRED))
    transfers.clear()
    vectors = counts.per_class([0, 3])
    result = as_sklearn_dtypes(counts, vectors, False)
    assert [stack[-3:] for stack in transfers] == []
    assert result is vectors  # samples predicted right: integer counts kept


def test_count_transfers_of_dense_labels(backend, transfers):
    counts = count(backend.asarray(Y_TRUE), backend.asarray(Y_PRED))
    assert len(transfers) == 2  # the label range, then the counts and diagonal
    assert counts.n_right == 4
    transfers.clear()
    weights = backend.asarray(np.arange(1.0, 8.0))
    count(backend.asarray(Y_TRUE), backend.asarray(Y_PRED), weights)
    assert len(transfers) == 3  # and the total weight with the weight right


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"], ids=str)
def test_unweighted_prfs_transfers_only_to_count_and_divide(
    backend, transfers, average
):
    """Precision/recall/F of 1-D labels: ``count`` transfers twice and the rest of
    the call only in the final divisions (their zero-division checks)."""
    from balancekit.metrics import precision_recall_fscore_support

    y_true, y_pred = backend.asarray(Y_TRUE), backend.asarray(Y_PRED)
    result = precision_recall_fscore_support(y_true, y_pred, average=average)
    in_count = [stack for stack in transfers if "count" in stack]
    elsewhere = [stack for stack in transfers if "count" not in stack]
    assert len(in_count) == 2
    assert all("prf_from_sums" in stack for stack in elsewhere), [
        stack[-3:] for stack in elsewhere
    ]
    expected = skm.precision_recall_fscore_support(Y_TRUE, Y_PRED, average=average)
    for ours, theirs in zip(result[:3], expected[:3], strict=True):
        np.testing.assert_allclose(backend.to_numpy(ours), theirs, rtol=1e-12)


def _trace(counts) -> float:
    return float(np.trace(to_host(counts.matrix, counts.xp)))


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 1, 1, 2], [0, 1, 2, 2]),  # small integers: counted by value
        ([3, 300, 300, 7], [3, 7, 300, 7]),  # large values: indexed by bisection
        ([-1, 5, 5], [5, 5, -1]),  # negative values: sorted
        (["a", "b", "c", "b"], ["b", "b", "c", "a"]),  # strings: sorted
        ([True, False, True], [True, True, False]),  # booleans
        ([0, 1, 1], [1, 0, 0]),  # nothing right
    ],
)
@pytest.mark.parametrize("weights", [None, [0.5, 2.0, 1.25], [2, 0, 3]])
def test_n_right_is_the_trace(y_true, y_pred, weights):
    if weights is not None:
        weights = np.resize(np.asarray(weights), len(y_true))
    counts = count(np.asarray(y_true), np.asarray(y_pred), weights)
    assert counts.n_right == _trace(counts)
    expected_type = float if weights is not None and weights.dtype.kind == "f" else int
    assert type(counts.n_right) is expected_type


def test_n_right_on_device1():
    """The transfer reads the diagonal of a matrix on a device without host
    conversion (array-api-strict's device1)."""
    import array_api_strict

    device = array_api_strict.Device("device1")
    y_true = array_api_strict.asarray(Y_TRUE, device=device)
    y_pred = array_api_strict.asarray(Y_PRED, device=device)
    assert count(y_true, y_pred).n_right == 4
    weights = array_api_strict.asarray(np.arange(1.0, 8.0), device=device)
    assert count(y_true, y_pred, weights).n_right == 1.0 + 5.0 + 7.0 + 3.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "labels"),
    [
        ([0, 1, 1], [0, 0, 0], [1]),  # the chosen label has no tp, another has
        ([0, 1, 1], [0, 0, 0], [1, 2]),  # and an absent label
        ([0, 1, 1], [1, 0, 0], [0]),  # no sample right: floats
        ([0, 1, 1], [1, 0, 0], None),
        (["a", "b"], ["a", "a"], ["b"]),
        ([5, 300, 300], [5, 5, 5], [300]),
    ],
)
def test_dtype_quirk_follows_every_present_label(y_true, y_pred, labels):
    """scikit-learn gives floats only when no sample at all is predicted right,
    whatever ``labels`` selects: balancekit sums tp over the present labels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = multilabel_confusion_matrix(y_true, y_pred, labels=labels)
        theirs = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype.kind == theirs.dtype.kind


def test_dask_counts_carry_the_number_right():
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")

    y_true = da.from_array(Y_TRUE, chunks=3)
    y_pred = da.from_array(Y_PRED, chunks=3)
    with dask.config.set(scheduler="synchronous"):
        assert count(y_true, y_pred).n_right == 4
        weights = da.from_array(np.arange(1.0, 8.0), chunks=3)
        assert count(y_true, y_pred, weights).n_right == 16.0
