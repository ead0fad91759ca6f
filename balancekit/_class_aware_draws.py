"""Class-aware draws for multilabel data (Shen, Lin and Huang 2016): pick a label,
then a row that has it.

Pure NumPy on the host and a pure function of the random generator, so the torch
sampler and the tf.data transformation draw the same index sequence from the same
``(seed, epoch)``. The indicator is read one label column at a time into a CSR-like
list of rows per label (``order``/``starts``): memory is O(n_samples + positives),
never a dense float copy of the ``(n_samples, n_labels)`` indicator.

An epoch of ``n`` draws:

1. Picks per label: ``n * p_c`` rounded down or up (systematic sampling with one
   uniform offset per epoch), so the epoch holds the distribution ``p`` exactly up
   to rounding, each label's expected picks being exactly ``n * p_c``.
2. Rows per label: uniform with replacement among the label's rows, or, without,
   running through random permutations of them one after another (the paper's
   per-label shuffled lists, restarted each epoch).
3. Order: all draws shuffled together (without replacement only which label comes
   at each position is shuffled, so each label's permutations stay in order).

Rows with no label are never drawn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from balancekit._params import check_choice

__all__ = [
    "LABEL_DISTRIBUTIONS",
    "ClassAwareDraw",
    "LabelRows",
    "class_aware_draw",
    "label_probabilities",
    "label_rows",
]

#: Named label distributions: ``p_c`` proportional to 1, ``sqrt(n_c)`` or ``n_c``.
LABEL_DISTRIBUTIONS = ("uniform", "sqrt", "natural")
_PROBABILITY_TOLERANCE = 1e-6
# Above this many full passes over a label's rows, draw the passes as one argsort of
# a (passes, n_rows) random matrix instead of one permutation per pass.
_LOOPED_PASSES = 16
_SHOWN = 10
_BLOCK_ELEMENTS = 1 << 21


@dataclass(frozen=True)
class LabelRows:
    """The rows of each label of an ``(n_samples, n_labels)`` 0/1 indicator.

    Attributes
    ----------
    n_samples : int
        Rows of the indicator.
    order : numpy.ndarray of int64, shape (n_positives,)
        Row indices grouped by label, increasing within a label: label ``c``'s rows
        are ``order[starts[c]:starts[c + 1]]``.
    starts : numpy.ndarray of int64, shape (n_labels + 1,)
        Where each label's rows begin in ``order`` (CSR ``indptr``).
    n_unlabelled : int
        Rows with no label (never drawn).
    """

    n_samples: int
    order: np.ndarray
    starts: np.ndarray
    n_unlabelled: int

    @property
    def n_labels(self) -> int:
        """Columns of the indicator."""
        return int(self.starts.shape[0] - 1)

    @property
    def counts(self) -> np.ndarray:
        """Rows of each label, int64 of shape ``(n_labels,)``."""
        return np.diff(self.starts)

    def digest(self) -> str:
        """A digest of the shape and of every label's rows (equal indicators only).

        Examples
        --------
        >>> first = label_rows(np.array([[1, 0], [0, 1]]))
        >>> second = label_rows(np.array([[0, 1], [1, 0]]))
        >>> first.digest() == second.digest()
        False
        """
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{self.n_samples}x{self.n_labels}\n".encode())
        digest.update(self.starts.astype("<i8").tobytes())
        digest.update(self.order.astype("<i8").tobytes())
        return digest.hexdigest()


def label_rows(indicator: Any, name: str = "labels") -> LabelRows:
    """Check a host ``(n_samples, n_labels)`` 0/1 indicator and list each label's rows.

    Parameters
    ----------
    indicator : array-like of shape (n_samples, n_labels)
        0/1 integers, booleans or floats; never modified.
    name : str, default="labels"
        The parameter named in error messages.

    Returns
    -------
    LabelRows

    Raises
    ------
    ValueError
        If it is not 2-D, is empty or holds values other than 0 and 1.
    TypeError
        If its values are not numbers or booleans.

    Examples
    --------
    >>> rows = label_rows([[1, 0, 1], [0, 0, 1], [0, 0, 0]])
    >>> rows.counts.tolist(), rows.order.tolist(), rows.n_unlabelled
    ([1, 0, 2], [0, 0, 1], 1)
    """
    y = np.asarray(indicator)
    if y.ndim != 2:
        hint = (
            " For one class label per sample use `balancekit.torch.BalancedSampler`."
            if y.ndim == 1
            else ""
        )
        raise ValueError(
            f"`{name}` must be a multilabel indicator of shape (n_samples, "
            f"n_labels), one 0/1 column per label; got shape {tuple(y.shape)}.{hint}"
        )
    if y.dtype.kind not in "biuf":
        raise TypeError(
            f"`{name}` must hold 0/1 numbers or booleans; got dtype {y.dtype}. "
            "Binarize label sets first, e.g. with "
            "`sklearn.preprocessing.MultiLabelBinarizer`."
        )
    n_samples, n_labels = y.shape
    if n_samples == 0 or n_labels == 0:
        raise ValueError(
            f"`{name}` must have at least one row and one label column; got shape "
            f"{tuple(y.shape)}."
        )
    # Blocks of rows small enough to stay in cache, read row-major (a strided walk
    # down each column would be several times slower) and grouped by label.
    block_rows = max(1, _BLOCK_ELEMENTS // n_labels)
    label_type = np.uint16 if n_labels <= 1 << 16 else np.int64
    labelled = np.zeros(n_samples, dtype=bool)
    pieces: list[list[np.ndarray]] = [[] for _ in range(n_labels)]
    for first in range(0, n_samples, block_rows):
        block = y[first : first + block_rows]
        positive = block if y.dtype.kind == "b" else block != 0
        if y.dtype.kind != "b":
            bad = positive & (block != 1)
            if bad.any():
                row, label = (int(v) for v in np.argwhere(bad)[0])
                raise ValueError(
                    f"`{name}` must be a 0/1 indicator; row {first + row}, label "
                    f"{label} holds {block[row, label]!s}. Threshold scores first "
                    "(e.g. `labels >= 0.5`)."
                )
        flat = np.flatnonzero(positive)
        label_of = (flat % n_labels).astype(label_type)
        by_label = np.argsort(label_of, kind="stable")  # radix; rows stay in order
        row_of = flat[by_label] // n_labels + first
        labelled[row_of] = True
        ends = np.cumsum(np.bincount(label_of, minlength=n_labels))
        for label, rows in enumerate(np.split(row_of, ends[:-1])):
            pieces[label].append(rows)
    parts = [np.concatenate(rows) for rows in pieces]
    counts = np.array([part.shape[0] for part in parts], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    order = np.concatenate(parts).astype(np.int64, copy=False)
    n_unlabelled = int(n_samples - np.count_nonzero(labelled))
    return LabelRows(n_samples, order, starts, n_unlabelled)


def _listed(labels: np.ndarray) -> str:
    shown = labels[:_SHOWN].tolist()
    more = f" and {labels.shape[0] - _SHOWN} more" if labels.shape[0] > _SHOWN else ""
    return f"{shown}{more}"


def _weights(distribution: Any, counts: np.ndarray, name: str) -> np.ndarray:
    n_labels = counts.shape[0]
    if isinstance(distribution, str):
        check_choice(distribution, name, LABEL_DISTRIBUTIONS)
        if distribution == "uniform":
            return np.ones(n_labels)
        if distribution == "sqrt":
            return np.sqrt(counts.astype(np.float64))
        return counts.astype(np.float64)
    if not isinstance(distribution, Sequence | np.ndarray) or isinstance(
        distribution, bytes
    ):
        raise TypeError(
            f"`{name}` must be one of {', '.join(map(repr, LABEL_DISTRIBUTIONS))} or "
            f"a sequence of {n_labels} probabilities; got "
            f"{type(distribution).__name__}."
        )
    try:
        weights = np.array(distribution, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be a sequence of {n_labels} probabilities (numbers); got "
            f"{distribution!r}."
        ) from None
    if weights.shape != (n_labels,):
        raise ValueError(
            f"`{name}` must hold one probability per label, {n_labels}; got shape "
            f"{weights.shape}."
        )
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0)):
        raise ValueError(
            f"`{name}` must hold finite probabilities >= 0; got {weights.tolist()}."
        )
    if abs(weights.sum() - 1.0) > _PROBABILITY_TOLERANCE:
        raise ValueError(
            f"`{name}` probabilities must sum to 1; got a sum of "
            f"{weights.sum():.6g}. Divide them by their sum."
        )
    return weights


def label_probabilities(
    distribution: Any, counts: np.ndarray, name: str = "label_distribution"
) -> np.ndarray:
    """The probability of picking each label.

    Parameters
    ----------
    distribution : {"uniform", "sqrt", "natural"} or sequence of float
        ``p_c`` proportional to 1, to ``sqrt(n_c)`` or to ``n_c`` (``n_c`` the rows
        with label ``c``), or the probabilities themselves (summing to 1).
    counts : numpy.ndarray of shape (n_labels,)
        Rows of each label.
    name : str, default="label_distribution"
        The parameter named in error messages.

    Returns
    -------
    numpy.ndarray of float64, shape (n_labels,)
        Summing to 1.

    Raises
    ------
    ValueError
        If it gives weight to a label with no row (naming the labels), or for a bad
        distribution.

    Examples
    --------
    >>> label_probabilities("sqrt", np.array([1, 4, 0])).round(4).tolist()
    [0.3333, 0.6667, 0.0]
    >>> label_probabilities("uniform", np.array([3, 0]))
    Traceback (most recent call last):
    ...
    ValueError: `label_distribution`='uniform' gives weight to labels [1], which...
    """
    counts = np.asarray(counts, dtype=np.int64)
    weights = _weights(distribution, counts, name)
    empty = np.flatnonzero((weights > 0) & (counts == 0))
    if empty.shape[0]:
        shown = (
            repr(distribution) if isinstance(distribution, str) else "(the sequence)"
        )
        raise ValueError(
            f"`{name}`={shown} gives weight to labels {_listed(empty)}, which no "
            "row has, so they cannot be drawn. Drop those label columns, pass "
            f'`{name}="sqrt"` or `"natural"` (which give them no weight), or a '
            "sequence of probabilities with 0 for them."
        )
    total = weights.sum()
    if total <= 0:
        raise ValueError(
            f"`{name}` gives no weight to any label that has rows; give at least one "
            "such label a positive probability."
        )
    return weights / total


def _epoch_picks(
    rng: np.random.Generator, probabilities: np.ndarray, n_draws: int
) -> np.ndarray:
    """Picks per label: ``n_draws * p_c`` rounded down or up, summing to
    ``n_draws`` (systematic sampling: one uniform offset for all labels)."""
    cumulative = np.cumsum(probabilities) * n_draws
    cumulative[-1] = n_draws
    edges = np.floor(np.concatenate(([0.0], cumulative)) + rng.random())
    edges[0], edges[-1] = 0, n_draws
    # Rounding can only break monotonicity by a sliver; clamp to keep counts >= 0.
    edges = np.maximum.accumulate(edges.astype(np.int64))
    return np.diff(edges)


def _positions(
    rng: np.random.Generator, n_rows: int, n_draws: int, replacement: bool
) -> np.ndarray:
    """``n_draws`` positions in ``[0, n_rows)``: i.i.d. uniform with replacement;
    without, random permutations one after another."""
    if replacement:
        return rng.integers(0, n_rows, size=n_draws)
    passes, rest = divmod(n_draws, n_rows)
    if passes > _LOOPED_PASSES:
        full = np.argsort(rng.random((passes, n_rows)), axis=1).ravel()
    else:
        full = np.concatenate(
            [rng.permutation(n_rows) for _ in range(passes)] or [np.empty(0, np.int64)]
        )
    partial = rng.choice(n_rows, size=rest, replace=False)
    return np.concatenate([full, partial]).astype(np.int64, copy=False)


class ClassAwareDraw(NamedTuple):
    """One epoch's draw: the row indices and the label each was picked for."""

    indices: np.ndarray
    labels: np.ndarray


def class_aware_draw(
    rows: LabelRows,
    probabilities: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
    *,
    replacement: bool = True,
    shuffle: bool = True,
) -> ClassAwareDraw:
    """Draw ``n_draws`` rows: a label by ``probabilities``, then a row that has it.

    Parameters
    ----------
    rows : LabelRows
        From :func:`label_rows`.
    probabilities : numpy.ndarray of shape (n_labels,)
        From :func:`label_probabilities` (no weight on a label without rows).
    n_draws : int
        Draws in the epoch.
    rng : numpy.random.Generator
        The epoch's generator, ``np.random.default_rng([seed, epoch])`` in the
        samplers: the draw is a pure function of it.
    replacement : bool, default=True
        Rows of a label drawn uniformly with replacement; without, the label's rows
        are run through in a random order before any repeats.
    shuffle : bool, default=True
        Random order; ``False`` sorts the draws by row index.

    Returns
    -------
    ClassAwareDraw
        ``indices`` (int64) and ``labels`` (int64, the picked label of each).

    Examples
    --------
    >>> rows = label_rows([[1, 0], [1, 0], [1, 1], [0, 0]])
    >>> p = label_probabilities("uniform", rows.counts)
    >>> draw = class_aware_draw(rows, p, 6, np.random.default_rng(0))
    >>> np.bincount(draw.labels).tolist()
    [3, 3]
    >>> sorted(set(draw.indices.tolist()) - {0, 1, 2})
    []
    """
    counts = rows.counts
    picks = _epoch_picks(rng, probabilities, n_draws)
    parts = [
        rows.order[start + _positions(rng, int(n_rows), int(m), replacement)]
        for start, n_rows, m in zip(
            rows.starts[:-1].tolist(), counts.tolist(), picks.tolist(), strict=True
        )
        if m
    ]
    drawn = np.concatenate(parts) if parts else np.empty(0, np.int64)
    labels = np.repeat(np.arange(counts.shape[0], dtype=np.int64), picks)
    if not shuffle:
        order = np.argsort(drawn, kind="stable")
        return ClassAwareDraw(drawn[order], labels[order])
    if replacement:
        permutation = rng.permutation(n_draws)
        return ClassAwareDraw(drawn[permutation], labels[permutation])
    # Keep each label's passes in order and shuffle only which label comes where.
    rng.shuffle(labels)
    out = np.empty_like(drawn)
    out[np.argsort(labels, kind="stable")] = drawn
    return ClassAwareDraw(out, labels)
