"""Validated multilabel input and its label combinations, computed on the device.

Every row of the 0/1 indicator ``y`` is one *label combination* (its label set).
Combinations are numbered in lexicographic order of their 0/1 rows (column 0 most
significant, 0 before 1), so the numbering depends on the data alone, never on the
array library. Only the (n_combinations x n_labels) table of combinations and their
counts come to the host; the per-row combination ids and the rows sorted by
combination stay on the input's device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from balancekit._array_api import (
    bincount,
    get_namespace_and_device,
    index_dtype,
    is_numpy_namespace,
    move_indices,
    to_host,
)
from balancekit._indicator import check_indicator, host_array
from balancekit._typing import Array, Device, Namespace
from balancekit._validation import check_sample_weight

__all__ = ["Combinations", "MultilabelData", "check_multilabel_data", "combinations"]

# Columns packed into one int64 code: weights 2**61 ... 2**0 sum below 2**62.
_BITS_PER_CODE = 62

_SINGLE_LABEL_HINT = (
    "For 1-D class labels use the single-label samplers (RandomOverSampler, "
    "RandomUnderSampler, SMOTE); for lists of label sets use "
    "sklearn.preprocessing.MultiLabelBinarizer."
)


@dataclass(frozen=True)
class MultilabelData:
    """The validated inputs of one call: arrays of namespace ``xp`` on ``device``."""

    X: Array
    y: Array
    sample_weight: Array
    xp: Namespace
    device: Device

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_labels(self) -> int:
        return int(self.y.shape[1])


@dataclass(frozen=True)
class Combinations:
    """The distinct label combinations of ``y``.

    ``table`` (host bool, (n_combinations, n_labels)) and ``counts`` (host int64)
    describe them; ``codes`` (device, (n_samples,)) is each row's combination id and
    ``order`` (device) the rows sorted by (combination id, row index); ``starts``
    (host) is where each combination's rows begin in ``order``.
    """

    table: np.ndarray
    counts: np.ndarray
    codes: Array
    order: Array

    @property
    def starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.counts)[:-1]]).astype(np.int64)

    @property
    def label_counts(self) -> np.ndarray:
        """Rows having each label (host int64)."""
        return self.counts @ self.table.astype(np.int64)

    def rows(
        self,
        combination_ids: np.ndarray,
        occurrences: np.ndarray,
        xp: Namespace,
        device: Device,
    ) -> Array:
        """Row indices (on ``device``) of the given occurrences of combinations."""
        positions = self.starts[np.asarray(combination_ids, dtype=np.int64)] + (
            np.asarray(occurrences, dtype=np.int64)
        )
        return xp.take(self.order, move_indices(positions, xp, device), axis=0)


def _check_y(y: Array, xp: Namespace) -> Array:
    """``y`` checked as a 0/1 indicator (the shared check), returned unchanged."""
    shape = tuple(int(size) for size in getattr(y, "shape", ()))
    if len(shape) == 1:
        raise ValueError(
            f"`y` is 1-D (shape {shape}); the multilabel samplers need a 2-D 0/1 "
            f"indicator of shape (n_samples, n_labels). {_SINGLE_LABEL_HINT}"
        )
    return check_indicator(y, xp, "y", as_bool=False)


def _check_X(X: Array, xp: Namespace) -> Array:
    shape = tuple(int(size) for size in X.shape)
    if len(shape) != 2:
        raise ValueError(
            f"`X` must be 2-D, shape (n_samples, n_features); got shape {shape}. "
            "Reshape a single feature with `X.reshape(-1, 1)`."
        )
    if shape[1] == 0:
        raise ValueError(f"`X` has 0 features (shape={shape}); at least 1 is needed.")
    numeric = (
        X.dtype.kind in "biuf"
        if is_numpy_namespace(xp)
        else xp.isdtype(X.dtype, ("bool", "integral", "real floating"))
    )
    if not numeric:
        raise TypeError(
            f"`X` must hold real numbers; got dtype {X.dtype}. Encode the features "
            "numerically first."
        )
    return X


def check_multilabel_data(X: Array, y: Array, sample_weight: Array) -> MultilabelData:
    """Validate ``X`` (numeric 2-D), ``y`` (0/1 indicator) and ``sample_weight``.

    Nothing is copied to the host and nothing the caller passed is modified.

    Examples
    --------
    >>> import numpy as np
    >>> data = check_multilabel_data(np.zeros((2, 3)), [[1, 0], [0, 1]], None)
    >>> data.n_samples, data.n_labels
    (2, 2)
    """
    if y is None:
        raise ValueError(
            "`y` is None: the multilabel samplers need the 0/1 label indicator, shape "
            "(n_samples, n_labels)."
        )
    if X is None:
        raise ValueError(
            "`X` is None: pass the features, shape (n_samples, n_features)."
        )
    X, y = host_array(X, "X"), host_array(y, "y")
    if sample_weight is not None:
        sample_weight = host_array(sample_weight, "sample_weight")
    xp, device = get_namespace_and_device(X=X, y=y, sample_weight=sample_weight)
    y = _check_y(y, xp)
    X = _check_X(X, xp)
    if int(X.shape[0]) != int(y.shape[0]):
        raise ValueError(
            f"`X` has {int(X.shape[0])} rows but `y` has {int(y.shape[0])}; give one "
            "label row per sample."
        )
    sample_weight = check_sample_weight(sample_weight, int(y.shape[0]), xp)
    return MultilabelData(X=X, y=y, sample_weight=sample_weight, xp=xp, device=device)


def _codes_of_block(block: Array, xp: Namespace, device: Device) -> Array:
    """One int64 code per row of at most 62 0/1 columns, column 0 most significant."""
    width = int(block.shape[1])
    weights = xp.asarray(
        [1 << (width - 1 - j) for j in range(width)], dtype=xp.int64, device=device
    )
    return xp.sum(xp.astype(block, xp.int64) * weights, axis=1)


def combinations(y: Array, xp: Namespace, device: Device) -> Combinations:
    """The label combinations of the indicator ``y`` (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> combos = combinations(np.array([[1, 0], [0, 1], [1, 0]]), xp, "cpu")
    >>> combos.table.astype(int).tolist(), combos.counts.tolist()
    ([[0, 1], [1, 0]], [1, 2])
    >>> combos.codes.tolist(), combos.order.tolist()
    ([1, 0, 1], [1, 0, 2])
    """
    n_labels = int(y.shape[1])
    codes = None
    for start in range(0, n_labels, _BITS_PER_CODE):
        stop = min(start + _BITS_PER_CODE, n_labels)
        block_codes = _codes_of_block(y[:, start:stop], xp, device)
        if codes is None:
            codes = block_codes
        else:
            # Dense ranks of both parts (each < n_samples) combine without overflow;
            # the earlier columns stay the more significant.
            _, low = xp.unique_inverse(block_codes)
            n_low = int(to_host(xp.max(low), xp)) + 1
            codes = codes * n_low + xp.astype(low, xp.int64)
        _, codes = xp.unique_inverse(codes)
    assert codes is not None
    codes = xp.astype(xp.reshape(codes, (-1,)), index_dtype(xp, device))
    n_combinations = int(to_host(xp.max(codes), xp)) + 1
    counts = np.asarray(
        to_host(bincount(codes, n_combinations, None, xp), xp), dtype=np.int64
    )
    order = xp.argsort(codes, stable=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    first_rows = xp.take(order, move_indices(starts, xp, device), axis=0)
    table = to_host(xp.take(y, first_rows, axis=0), xp) != 0
    return Combinations(table=table, counts=counts, codes=codes, order=order)
