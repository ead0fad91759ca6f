"""Imbalance measures of a multilabel indicator (Charte, Rivera, del Jesus, Herrera).

For a 0/1 indicator ``Y`` of shape (n_samples, q) with label counts ``c_l``:

- label cardinality ``sum(Y) / n_samples`` (mean labels per sample) and label
  density ``cardinality / q``;
- ``IRLbl(l) = max_l' c_l' / c_l``: 1 for the most frequent label, large for rare
  ones; ``MeanIR`` is its mean over the labels and ``CVIR = sigma / MeanIR`` with
  ``sigma = sqrt(sum_l (IRLbl(l) - MeanIR)^2 / (q - 1))`` (F. Charte et al.,
  "Addressing imbalance in multilabel classification: Measures and random resampling
  algorithms", Neurocomputing 163, 2015);
- ``SCUMBLE_ins(i) = 1 - (prod_{l in Y_i} IRLbl(l))^(1/|Y_i|) / mean_{l in Y_i}
  IRLbl(l)``, the Atkinson index of the ratios of sample ``i``'s labels: 0 when they
  are equally frequent, near 1 when a very rare label sits beside a frequent one.
  ``SCUMBLE = (1/n_samples) sum_i SCUMBLE_ins(i)`` and, per label, ``SCUMBLE(l)`` is
  the mean of ``SCUMBLE_ins`` over the samples having ``l`` (F. Charte et al.,
  "Dealing with difficult minority labels in imbalanced multilabel data sets",
  Neurocomputing 326, 2019: REMEDIAL).

Conventions where the formulas are undefined:

- A sample without labels has ``SCUMBLE_ins = 0`` (no labels, no concurrence; a
  sample with one label gets 0 from the formula itself) and counts in the
  ``1/n_samples`` of ``SCUMBLE``, as in the published mean over all of ``D``
  (``1/|D| sum_i``). ``n_unlabelled`` says how many there were:
  ``scumble * n_samples / (n_samples - n_unlabelled)`` is the mean over labelled
  samples only.
- A label with no positive sample has ``IRLbl = inf`` and ``SCUMBLE(l) = nan``; it is
  left out of ``MeanIR`` and ``CVIR`` (which would otherwise be inf and nan), and an
  ``UndefinedMetricWarning`` names it. An indicator without any positive entry is
  refused.
- ``CVIR`` is nan when fewer than two labels have positive samples (``q - 1 = 0``).

Worked example (three samples, labels a, b, c)::

    Y = [[1, 1, 0],      counts a=3, b=1, c=2; max = 3
         [1, 0, 1],      IRLbl = (3/3, 3/1, 3/2) = (1, 3, 1.5)
         [1, 0, 1]]      MeanIR = 5.5/3 = 1.8333..., sigma = sqrt((0.8333^2 + 1.1667^2
                         + 0.3333^2)/2) = 1.0408..., CVIR = 0.5677...
    SCUMBLE_ins(0) = 1 - sqrt(1 * 3) / 2     = 0.1339746...
    SCUMBLE_ins(1) = 1 - sqrt(1 * 1.5) / 1.25 = 0.0202041...  (sample 2 alike)
    SCUMBLE = (0.1339746 + 2 * 0.0202041) / 3 = 0.0581276...
    SCUMBLE(a) = the same mean, SCUMBLE(b) = 0.1339746, SCUMBLE(c) = 0.0202041
    cardinality = 6/3 = 2, density = 2/3

Per-label values and scalars are O(q) numbers brought to the host; the per-sample
``SCUMBLE_ins`` stays an array of the input's namespace, on its device.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from balancekit._array_api import (
    cpu_tensor_view,
    get_namespace_and_device,
    index_dtype,
    restore_tensors,
    to_host,
    widest_float_dtype,
)
from balancekit._indicator import check_indicator, host_array
from balancekit._json import plain
from balancekit._labels import python_scalar
from balancekit._typing import Array, Device, Namespace
from balancekit._warnings import user_stacklevel

__all__ = ["MultilabelImbalance", "multilabel_imbalance"]

# Entries of Y processed at once (rows x labels): bounds the float temporaries and
# keeps each block in cache (NumPy's vector-matrix product is ~10x slower on blocks
# of 2**21 entries than on blocks of 2**18).
_CHUNK_ENTRIES = 1 << 18


@dataclass(frozen=True, eq=False)
class MultilabelImbalance:
    """Charte et al.'s imbalance measures of a multilabel indicator.

    Attributes
    ----------
    labels : tuple
        The label names (``label_names``, or the column positions 0 ... q - 1).
    n_samples : int
        Rows of the indicator.
    n_unlabelled : int
        Rows without any label.
    cardinality : float
        Mean number of labels per sample.
    density : float
        ``cardinality / n_labels``.
    mean_ir : float
        Mean of ``irlbl`` over the labels with positive samples.
    cvir : float
        Coefficient of variation of ``irlbl`` (same labels; sample deviation with
        ``q - 1``); nan with fewer than two such labels.
    scumble : float
        Mean of ``scumble_ins`` over all samples (unlabelled ones count as 0).
    label_counts : numpy.ndarray of shape (n_labels,)
        Positive samples of each label (int64).
    irlbl : numpy.ndarray of shape (n_labels,)
        Imbalance ratio per label; inf for a label without positive samples.
    scumble_label : numpy.ndarray of shape (n_labels,)
        Mean ``scumble_ins`` of the samples having each label; nan without any.
    scumble_ins : array of shape (n_samples,)
        Per-sample SCUMBLE, in the input's namespace and on its device (float64
        where the device has it).
    """

    labels: tuple
    n_samples: int
    n_unlabelled: int
    cardinality: float
    density: float
    mean_ir: float
    cvir: float
    scumble: float
    label_counts: np.ndarray
    irlbl: np.ndarray
    scumble_label: np.ndarray
    scumble_ins: Any = field(repr=False)

    @property
    def n_labels(self) -> int:
        """Columns of the indicator."""
        return len(self.labels)

    def to_dict(self) -> dict[str, Any]:
        """The measures as plain, strictly JSON-serialisable Python values.

        Per-label values are keyed by the label name (as a string); inf and nan
        become None. ``scumble_ins`` (O(n_samples), on the input's device) is left
        out.
        """
        per_label = {
            str(name): {
                "count": int(self.label_counts[j]),
                "irlbl": float(self.irlbl[j]),
                "scumble": float(self.scumble_label[j]),
            }
            for j, name in enumerate(self.labels)
        }
        return plain(
            {
                "n_samples": self.n_samples,
                "n_labels": self.n_labels,
                "n_unlabelled": self.n_unlabelled,
                "cardinality": self.cardinality,
                "density": self.density,
                "mean_ir": self.mean_ir,
                "cvir": self.cvir,
                "scumble": self.scumble,
                "labels": per_label,
            }
        )

    def __str__(self) -> str:
        names = [str(name) for name in self.labels]
        width = max([5, *(len(name) for name in names)])
        lines = [
            f"Multilabel imbalance: {self.n_samples} samples, {self.n_labels} labels"
            f" ({self.n_unlabelled} without any label)",
            f"cardinality {self.cardinality:.4g}  density {self.density:.4g}  "
            f"MeanIR {self.mean_ir:.4g}  CVIR {self.cvir:.4g}  "
            f"SCUMBLE {self.scumble:.4g}",
            f"{'label':<{width}}  {'count':>9}  {'IRLbl':>9}  {'SCUMBLE':>9}",
        ]
        for j, name in enumerate(names):
            lines.append(
                f"{name:<{width}}  {int(self.label_counts[j]):>9}  "
                f"{self.irlbl[j]:>9.4g}  {self.scumble_label[j]:>9.4g}"
            )
        return "\n".join(lines)


def multilabel_imbalance(
    Y: Any, *, label_names: Sequence[Any] | None = None
) -> MultilabelImbalance:
    """Label cardinality and density, IRLbl, MeanIR, CVIR and SCUMBLE of ``Y``.

    The measures of Charte et al. (Neurocomputing 2015 and 2019); see the module
    docstring for the formulas and the conventions where they are undefined.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_labels)
        Multilabel indicator holding only 0 and 1 (bool, integer or float dtype),
        from any supported array library, on any device.
    label_names : sequence of length n_labels, optional
        Names of the columns (e.g. ``MultiLabelBinarizer().classes_``); by default
        the column positions.

    Returns
    -------
    MultilabelImbalance
        Scalars as Python floats, per-label values as NumPy arrays, and the
        per-sample ``scumble_ins`` in ``Y``'s namespace, on ``Y``'s device.

    Raises
    ------
    TypeError
        If ``Y`` is sparse or its dtype is not bool, integer or real floating.
    ValueError
        If ``Y`` is not 2-D, is empty, holds a value other than 0 and 1 (NaN
        included) or no 1 at all, or ``label_names`` has the wrong length or
        repeats a name.

    Warns
    -----
    sklearn.exceptions.UndefinedMetricWarning
        When a label has no positive sample (its IRLbl is inf).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import multilabel_imbalance
    >>> Y = np.array([[1, 1, 0], [1, 0, 1], [1, 0, 1]])
    >>> m = multilabel_imbalance(Y, label_names=["a", "b", "c"])
    >>> m.irlbl.tolist(), round(m.mean_ir, 4), round(m.cvir, 4)
    ([1.0, 3.0, 1.5], 1.8333, 0.5677)
    >>> round(m.scumble, 6), m.cardinality
    (0.058128, 2.0)
    >>> print(m)
    Multilabel imbalance: 3 samples, 3 labels (0 without any label)
    cardinality 2  density 0.6667  MeanIR 1.833  CVIR 0.5677  SCUMBLE 0.05813
    label      count      IRLbl    SCUMBLE
    a              3          1    0.05813
    b              1          3      0.134
    c              2        1.5     0.0202
    """
    view = cpu_tensor_view(Y)
    if view is not None:
        # A CPU tensor runs the NumPy kernels on a view of its memory (5-10x faster
        # than PyTorch's CPU kernels here); the per-sample values become a tensor.
        result = multilabel_imbalance(view, label_names=label_names)
        return replace(result, scumble_ins=restore_tensors(result.scumble_ins))
    xp, device = get_namespace_and_device(Y=Y)
    Y = _check_indicator(Y, xp)
    n_samples, n_labels = (int(size) for size in Y.shape)
    names = _check_label_names(label_names, n_labels)
    counts, n_unlabelled = _label_counts(Y, xp, device)
    irlbl, present = _irlbl(counts, names)
    mean_ir, cvir = _mean_and_cv(irlbl[present])
    scumble_ins, label_sums = _scumble(Y, irlbl, xp, device)
    scumble = float(to_host(xp.sum(scumble_ins), xp)) / n_samples
    with np.errstate(invalid="ignore", divide="ignore"):
        scumble_label = np.where(present, label_sums / np.maximum(counts, 1), np.nan)
    for values in (counts, irlbl, scumble_label):
        values.setflags(write=False)
    cardinality = float(counts.sum()) / n_samples
    return MultilabelImbalance(
        labels=names,
        n_samples=n_samples,
        n_unlabelled=n_unlabelled,
        cardinality=cardinality,
        density=cardinality / n_labels,
        mean_ir=mean_ir,
        cvir=cvir,
        scumble=scumble,
        label_counts=counts,
        irlbl=irlbl,
        scumble_label=scumble_label,
        scumble_ins=scumble_ins,
    )


def _check_indicator(Y: Any, xp: Namespace) -> Array:
    """``Y`` read as an array (lists, pandas) and checked as a 0/1 indicator."""
    return check_indicator(host_array(Y, "Y"), xp, "Y")


def _check_label_names(label_names: Sequence[Any] | None, n_labels: int) -> tuple:
    if label_names is None:
        return tuple(range(n_labels))
    if isinstance(label_names, str):
        raise TypeError(
            "`label_names` must be a sequence of names, one per column of `Y`; got a "
            "string."
        )
    names = tuple(python_scalar(name) for name in label_names)
    if len(names) != n_labels:
        raise ValueError(
            f"`label_names` has {len(names)} name(s) but `Y` has {n_labels} label "
            "column(s); give one name per column."
        )
    if len({str(name) for name in names}) != n_labels:
        raise ValueError("`label_names` repeats a name; give each column its own.")
    return names


def _row_chunks(n_samples: int, n_labels: int) -> list[slice]:
    """Row slices of at most ``_CHUNK_ENTRIES`` entries (stops within bounds)."""
    step = max(1, _CHUNK_ENTRIES // n_labels)
    return [
        slice(start, min(start + step, n_samples))
        for start in range(0, n_samples, step)
    ]


def _label_counts(Y: Array, xp: Namespace, device: Device) -> tuple[np.ndarray, int]:
    """Host int64 positives per label, and the number of rows without a label."""
    n_samples, n_labels = (int(size) for size in Y.shape)
    int_dtype = index_dtype(xp, device)
    counts = xp.zeros((n_labels,), dtype=int_dtype, device=device)
    n_unlabelled = xp.zeros((), dtype=int_dtype, device=device)
    for rows in _row_chunks(n_samples, n_labels):
        block = xp.astype(Y[rows, :], int_dtype)
        counts = counts + xp.sum(block, axis=0)
        per_row = xp.sum(block, axis=1)
        n_unlabelled = n_unlabelled + xp.sum(xp.astype(per_row == 0, int_dtype))
    host_counts = np.asarray(to_host(counts, xp), dtype=np.int64)
    return host_counts, int(to_host(n_unlabelled, xp))


def _irlbl(counts: np.ndarray, names: tuple) -> tuple[np.ndarray, np.ndarray]:
    """IRLbl per label (inf without positives) and the mask of labels with some."""
    present = counts > 0
    if not present.any():
        raise ValueError(
            "`Y` has no positive entry: no label occurs, so no imbalance ratio is "
            "defined. Check that the indicator is not all zeros."
        )
    top = float(counts.max())
    with np.errstate(divide="ignore"):
        irlbl = top / counts.astype(np.float64)
    if not present.all():
        missing = [str(name) for name, ok in zip(names, present, strict=True) if not ok]
        shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
        warnings.warn(
            f"{len(missing)} label(s) of `Y` have no positive sample ({shown}): their "
            "IRLbl is inf and their SCUMBLE nan, and they are left out of MeanIR and "
            "CVIR.",
            UndefinedMetricWarning,
            stacklevel=user_stacklevel(),
        )
    return irlbl, present


def _mean_and_cv(ratios: np.ndarray) -> tuple[float, float]:
    """MeanIR and CVIR (deviation with ``q - 1``, as Charte et al. define it)."""
    mean_ir = float(np.mean(ratios))
    if ratios.size < 2:
        return mean_ir, math.nan
    sigma = math.sqrt(float(np.sum((ratios - mean_ir) ** 2)) / (ratios.size - 1))
    return mean_ir, sigma / mean_ir


def _scumble(
    Y: Array, irlbl: np.ndarray, xp: Namespace, device: Device
) -> tuple[Array, np.ndarray]:
    """Per-sample SCUMBLE on the device, and its host sum over each label's rows.

    The geometric mean is ``exp(mean log IRLbl)``: a product of many large ratios
    would overflow. Labels without positives never occur in a row; their (inf)
    ratio is replaced by 1 so that ``0 * log`` stays 0.
    """
    n_samples, n_labels = (int(size) for size in Y.shape)
    dtype = widest_float_dtype(xp, device)
    finite = np.where(np.isfinite(irlbl), irlbl, 1.0)
    # One product per block gives each row's label count, sum of log ratios and sum
    # of ratios.
    weights = np.stack([np.ones_like(finite), np.log(finite), finite], axis=1)
    weights_device = xp.asarray(weights, dtype=dtype, device=device)
    label_sums = xp.zeros((n_labels,), dtype=dtype, device=device)
    pieces = []
    for rows in _row_chunks(n_samples, n_labels):
        block = xp.astype(Y[rows, :], dtype)
        sums = xp.matmul(block, weights_device)
        k = sums[:, 0]
        several = k > 1
        ones = xp.ones_like(k)
        divisor = xp.where(several, k, ones)
        geometric = xp.exp(sums[:, 1] / divisor)
        arithmetic = xp.where(several, sums[:, 2] / divisor, ones)
        atkinson = 1 - geometric / arithmetic
        # AM >= GM: a negative value is round-off; 0 or 1 label: no concurrence.
        ins = xp.where(several & (atkinson > 0), atkinson, xp.zeros_like(atkinson))
        label_sums = label_sums + xp.matmul(ins, block)
        pieces.append(ins)
    scumble_ins = pieces[0] if len(pieces) == 1 else xp.concat(pieces)
    return scumble_ins, np.asarray(to_host(label_sums, xp), dtype=np.float64)
