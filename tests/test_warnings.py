"""Warnings name the user's line, whichever route (NumPy, CPU-tensor dispatch, native
torch) the call took."""

import warnings

import numpy as np
import pytest

from balancekit._array_api import native_dispatch
from balancekit.metrics import precision_score, roc_auc_score

torch = pytest.importorskip("torch")


def _warning_file(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "the call should warn"
    return {w.filename for w in caught}


@pytest.mark.parametrize("route", ["numpy", "torch-cpu", "torch-native"])
@pytest.mark.parametrize(
    "call",
    [
        lambda a: precision_score(a([0, 0, 1]), a([0, 0, 0]), zero_division="warn"),
        lambda a: roc_auc_score(a([1, 1, 1]), a([0.2, 0.4, 0.9])),
    ],
    ids=["undefined-precision", "one-class-auc"],
)
def test_metric_warnings_point_at_the_caller(route, call):
    if route == "numpy":
        files = _warning_file(lambda: call(np.asarray))
    elif route == "torch-cpu":
        files = _warning_file(lambda: call(torch.tensor))
    else:
        with native_dispatch():
            files = _warning_file(lambda: call(torch.tensor))
    assert files == {__file__}
