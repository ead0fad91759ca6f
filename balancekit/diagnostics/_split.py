"""``check_split``: what a train/test split leaks or hides about the minority class.

A test set that shares rows with the training set (exact or near copies, or SMOTE
samples interpolated between training rows because resampling ran before the split)
flatters every score; a class missing from a split or a shifted class distribution makes
the minority's scores meaningless. The heavy work (kNN, comparisons) runs on the data's
namespace and device; only counts, a few example rows and the class table reach the
host.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency

from balancekit._array_api import get_namespace_and_device, is_sparse, to_host
from balancekit._features import numeric_features
from balancekit._labels import check_labels
from balancekit._params import check_int, check_scalar
from balancekit._typing import Array, Device
from balancekit._validation import check_X
from balancekit.diagnostics._findings import Finding, render_findings, worst_severity
from balancekit.diagnostics._segments import compare_rows, synthetic_rows

__all__ = ["SplitReport", "check_split"]

_EXAMPLES = 10  # row indices quoted in a finding's details
_ARRAY_FIELDS = (
    "duplicate_rows",
    "near_duplicate_rows",
    "segment_rows",
    "segment_endpoints",
    "segment_steps",
    "synthetic_rows",
    "nearest_train_distance",
)


@dataclass(frozen=True)
class SplitReport:
    """What :func:`check_split` found. Row arrays live on the input's device.

    Attributes
    ----------
    n_train, n_test, n_features : int
        Rows of each split and (flattened) features.
    classes : list
        Every class of either split, sorted.
    train_counts, test_counts : list of int
        Rows of each class (aligned with ``classes``) in each split.
    missing_in_test, missing_in_train : list
        Classes with training rows but no test rows, and the other way round.
    total_variation : float
        Half the sum of the absolute differences of the class shares (0: same
        distribution, 1: disjoint classes).
    chi2_statistic, chi2_p_value : float
        Pearson's chi-square test of the 2 x n_classes count table (no continuity
        correction); ``nan`` with a single class.
    n_nonfinite_train, n_nonfinite_test : int
        Rows holding NaN or infinity, left out of the row comparisons.
    duplicate_rows : array of int
        Test rows identical to a training row (positions in ``X_test``).
    n_duplicates_same_label, n_duplicates_other_label : int
        Duplicated test rows whose identical training rows do / do not include one with
        the same label.
    nearest_train_distance : array of float, shape (n_test,)
        Euclidean distance from each test row to its nearest training row (``nan`` for
        rows left out).
    distance_scale : float or None
        Median distance from a training row to its nearest distinct training row.
    near_duplicate_threshold : float or None
        ``near_duplicate_tol * distance_scale``.
    near_duplicate_rows : array of int
        Test rows closer than the threshold to a training row, but not identical.
    near_duplicates_expected : float
        How many such rows chance alone would give: the share of training rows that
        close to another training row, times the test rows compared.
    segment_rows : array of int
        Test rows lying on a segment between two training rows of their class.
    segment_endpoints : array of int, shape (n_segment_rows, 2)
        The two training rows (positions in ``X_train``) of each segment.
    segment_steps : array of float
        ``t`` with ``x_test = a + t (b - a)``.
    segment_tol : float
        The relative tolerance used for the segment test.
    synthetic_rows : array of int or None
        Test rows equal to a synthetic row rebuilt from ``sampler``'s provenance (None
        without ``sampler``).
    findings : list of Finding
        What to act on, with severity and suggestion.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> report = check_split(X[:4], [0, 0, 1, 1], X[4:], [0, 1])
    >>> report.severity is None, report.to_dict()["train_counts"]
    (True, [2, 2])
    """

    n_train: int
    n_test: int
    n_features: int
    classes: list
    train_counts: list[int]
    test_counts: list[int]
    missing_in_test: list
    missing_in_train: list
    total_variation: float
    chi2_statistic: float
    chi2_p_value: float
    n_nonfinite_train: int
    n_nonfinite_test: int
    duplicate_rows: Any
    n_duplicates_same_label: int
    n_duplicates_other_label: int
    nearest_train_distance: Any
    distance_scale: float | None
    near_duplicate_threshold: float | None
    near_duplicate_rows: Any
    near_duplicates_expected: float
    segment_rows: Any
    segment_endpoints: Any
    segment_steps: Any
    segment_tol: float
    synthetic_rows: Any
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> str | None:
        """The most serious severity among the findings (None when there are none)."""
        return worst_severity(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Every quantity as plain Python (JSON-serialisable); arrays become lists."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "findings":
                value = [finding.to_dict() for finding in value]
            elif name in _ARRAY_FIELDS and value is not None:
                value = _host_list(value)
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            out[name] = value
        out["severity"] = self.severity
        return out

    def __str__(self) -> str:
        width = max([5, *(len(str(c)) for c in self.classes)])
        lines = [
            f"Split check: {self.n_train} training rows, {self.n_test} test rows, "
            f"{self.n_features} features",
            f"  {'class':<{width}}  {'train':>7}  {'test':>7}  {'train %':>7}  "
            f"{'test %':>7}",
        ]
        n_train, n_test = max(sum(self.train_counts), 1), max(sum(self.test_counts), 1)
        for cls, a, b in zip(
            self.classes, self.train_counts, self.test_counts, strict=True
        ):
            lines.append(
                f"  {cls!s:<{width}}  {a:>7}  {b:>7}  {100 * a / n_train:>7.1f}  "
                f"{100 * b / n_test:>7.1f}"
            )
        lines.append(f"  total variation distance {self.total_variation:.3f}")
        lines.append("")
        lines.append(render_findings(self.findings))
        return "\n".join(lines)


def _host_list(array: Array) -> list:
    import array_api_compat

    return to_host(array, array_api_compat.array_namespace(array)).tolist()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _features(X: Array, xp: ModuleType, device: Device, name: str) -> Any:
    """Validated 2-D float features of one split (never modified)."""
    if X is None:
        raise TypeError(f"`{name}` is None; pass the features of that split.")
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    X = check_X(X, xp, name=name)
    if is_sparse(X):
        raise TypeError(
            f"`{name}` is a SciPy sparse matrix; check_split compares dense rows. Pass "
            f"`{name}.toarray()` (or a sample of it if it does not fit in memory)."
        )
    why = "check_split compares rows by distance and needs numbers."
    return numeric_features(X, xp, device, name=name, finite=False, why=why).flat


def _examples(indices: Array) -> list:
    return _host_list(indices[: min(_EXAMPLES, int(indices.shape[0]))])


def check_split(
    X_train: Array,
    y_train: Array,
    X_test: Array,
    y_test: Array,
    *,
    near_duplicate_tol: float = 0.01,
    segment_tol: float | None = None,
    n_neighbors: int = 10,
    shift_alpha: float = 0.01,
    shift_tvd: float = 0.01,
    sampler: Any = None,
    X_fit: Array = None,
) -> SplitReport:
    """Check a train/test split for leakage and for what hides the minority class.

    Rows are compared with the Euclidean distance on the features as given (flattened);
    standardise the features first if their units differ wildly. Rows with NaN or
    infinity are left out of the row comparisons (a finding says how many).

    - **Duplicates**: test rows identical to a training row (``error``).
    - **Near duplicates**: test rows closer to a training row than
      ``near_duplicate_tol`` times the median distance between a training row and its
      nearest distinct training row (``warning`` when more than twice as many as the
      training set's own rate predicts, else ``info``).
    - **Segments**: test rows lying on the segment between two training rows of their
      own class, ``x = a + t (b - a)`` with ``0 < t < 1``, as every SMOTE sample does
      (``error``). One end ``a`` is searched among the test row's ``n_neighbors``
      nearest training rows of its class, the other end among all training rows of
      the class (the two best aligned with ``x - a`` beyond ``x``); the test allows a
      per-feature relative error ``segment_tol`` (see
      :func:`balancekit.diagnostics._segments.segment_matches`). A row neither of whose
      ends is among its ``n_neighbors`` nearest is missed: raise ``n_neighbors`` to
      search wider. Exact duplicates are not searched; at least 2 features are needed.
    - **Synthetic rows** (with ``sampler`` and ``X_fit``): the sampler's synthetic rows
      are rebuilt exactly from its recorded provenance and test rows equal to one are
      counted (``error``).
    - **Classes** missing from a split (``error``) and a **class-distribution shift**:
      ``warning`` when Pearson's chi-square test of the class counts gives p <
      ``shift_alpha`` *and* the total variation distance is at least ``shift_tvd``.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features, ...)
        Training features: a NumPy, PyTorch, CuPy, JAX or array-api-strict array, a
        pandas DataFrame or a list. Never modified.
    y_train : array-like of shape (n_samples,)
        Class labels of the training split.
    X_test : array-like of shape (n_samples, n_features, ...)
        Test features, from the same library and on the same device as ``X_train``.
        Never modified.
    y_test : array-like of shape (n_samples,)
        Class labels of the test split.
    near_duplicate_tol : float, default=0.01
        Near-duplicate distance as a fraction of the training set's median
        nearest-neighbour distance, in [0, 1]; 0 turns the check off.
    segment_tol : float, optional
        Relative tolerance of the segment test, in (0, 0.1]. Default: ``1000 * eps``
        of the features' float type (2.2e-13 for float64, 1.2e-4 for float32).
    n_neighbors : int, default=10
        Nearest training rows of a test row searched for duplicates and segment
        endpoints (>= 2).
    shift_alpha : float, default=0.01
        Significance level of the chi-square test, in (0, 1).
    shift_tvd : float, default=0.01
        Smallest total variation distance reported as a shift, in [0, 1].
    sampler : fitted sampler, optional
        A balancekit SMOTE-family sampler (SMOTE, BorderlineSMOTE, ADASYN, or
        SMOTETomek / SMOTEENN, whose ``smote_`` is used) after ``fit_resample``.
    X_fit : array-like, optional
        The ``X`` that ``sampler.fit_resample`` was given; required with ``sampler``.

    Returns
    -------
    SplitReport

    Raises
    ------
    ValueError
        Mismatched lengths or feature shapes, empty splits, arrays on different
        devices, out-of-range parameters, ``sampler`` without ``X_fit`` (or the other
        way round) or a ``sampler`` fitted on another ``X_fit``.
    TypeError
        Non-numeric or sparse features, arrays from different libraries, label types
        that cannot be compared, a ``sampler`` that records no provenance.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0], [4.0, 0.0]])
    >>> y = np.array([0, 1, 0, 1, 0])
    >>> report = check_split(X, y, np.array([[1.0, 1.0], [9.0, 9.0]]), [1, 0])
    >>> report.duplicate_rows.tolist()
    [0]
    >>> print(report.findings[0].message)
    1 test row duplicates a training row (1 with the same label, 0 with another)
    """
    near_duplicate_tol = check_scalar(
        near_duplicate_tol, "near_duplicate_tol", low=0, high=1
    )
    shift_alpha = check_scalar(
        shift_alpha, "shift_alpha", low=0, high=1, low_open=True, high_open=True
    )
    shift_tvd = check_scalar(shift_tvd, "shift_tvd", low=0, high=1)
    n_neighbors = check_int(n_neighbors, "n_neighbors", low=2)
    if (sampler is None) != (X_fit is None):
        given, missing = ("sampler", "X_fit") if X_fit is None else ("X_fit", "sampler")
        raise ValueError(
            f"`{given}` was given without `{missing}`: rebuilding synthetic rows needs "
            "both the fitted sampler and the X passed to its fit_resample "
            "(`check_split(..., sampler=smote, X_fit=X)`)."
        )
    xp, device = get_namespace_and_device(
        X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test, X_fit=X_fit
    )
    train = _features(X_train, xp, device, "X_train")
    test = _features(X_test, xp, device, "X_test")
    if tuple(X_train.shape[1:]) != tuple(X_test.shape[1:]):
        raise ValueError(
            "`X_train` and `X_test` have different feature shapes: "
            f"{tuple(X_train.shape[1:])} and {tuple(X_test.shape[1:])}. Both splits "
            "must come from one table with the same columns in the same order."
        )
    labels_train = check_labels(y_train, xp, name="y_train")
    labels_test = check_labels(y_test, xp, name="y_test")
    splits = (("train", train, labels_train), ("test", test, labels_test))
    for name, X, labels in splits:
        if int(labels.y.shape[0]) != int(X.shape[0]):
            raise ValueError(
                f"`X_{name}` and `y_{name}` have different lengths: {int(X.shape[0])} "
                f"rows and {int(labels.y.shape[0])} labels. Pass one label per row."
            )
    dtype = xp.result_type(train.dtype, test.dtype)
    train = xp.astype(train, dtype, copy=False)
    test = xp.astype(test, dtype, copy=False)
    if segment_tol is None:
        segment_tol = 1000 * float(xp.finfo(dtype).eps)
    segment_tol = check_scalar(segment_tol, "segment_tol", low=0, high=0.1)
    if segment_tol == 0:
        raise ValueError("`segment_tol` must be > 0; got 0.")

    table = _class_table(labels_train, labels_test)
    rows = compare_rows(
        train,
        labels_train.y,
        test,
        labels_test.y,
        n_neighbors=n_neighbors,
        near_duplicate_tol=near_duplicate_tol,
        segment_tol=segment_tol,
        xp=xp,
        device=device,
    )
    synthetic = None
    if sampler is not None:
        synthetic = synthetic_rows(
            sampler, X_fit, test, rows["finite_test"], n_neighbors, xp, device
        )
    fields = {**table, **{k: v for k, v in rows.items() if k != "finite_test"}}
    fields.update(
        n_train=int(train.shape[0]),
        n_test=int(test.shape[0]),
        n_features=int(train.shape[1]),
        segment_tol=segment_tol,
        synthetic_rows=synthetic,
    )
    fields["findings"] = _findings(fields, shift_alpha, shift_tvd, bool(rows["seg_ok"]))
    del fields["seg_ok"]
    return SplitReport(**fields)


def _class_table(labels_train: Any, labels_test: Any) -> dict[str, Any]:
    """Class counts of both splits, the missing classes and the shift statistics."""
    try:
        classes = sorted(set(labels_train.classes) | set(labels_test.classes))
    except TypeError:
        raise TypeError(
            "`y_train` and `y_test` hold labels of types that cannot be compared (e.g. "
            f"{type(labels_train.classes[0]).__name__} and "
            f"{type(labels_test.classes[0]).__name__}); encode both splits the same "
            "way."
        ) from None
    train_counts = [labels_train.class_counts.get(c, 0) for c in classes]
    test_counts = [labels_test.class_counts.get(c, 0) for c in classes]
    p = np.asarray(train_counts) / sum(train_counts)
    q = np.asarray(test_counts) / sum(test_counts)
    statistic, p_value = math.nan, math.nan
    if len(classes) > 1:
        result = chi2_contingency([train_counts, test_counts], correction=False)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return {
        "classes": classes,
        "train_counts": train_counts,
        "test_counts": test_counts,
        "missing_in_test": [
            c for c, n in zip(classes, test_counts, strict=True) if not n
        ],
        "missing_in_train": [
            c for c, n in zip(classes, train_counts, strict=True) if not n
        ],
        "total_variation": float(0.5 * np.abs(p - q).sum()),
        "chi2_statistic": statistic,
        "chi2_p_value": p_value,
    }


def _findings(
    report: dict[str, Any], shift_alpha: float, shift_tvd: float, seg_ok: bool
) -> list[Finding]:
    """The findings of one check, with exact counts and what to do."""
    findings: list[Finding] = []
    n_bad_train, n_bad_test = report["n_nonfinite_train"], report["n_nonfinite_test"]
    if n_bad_train or n_bad_test:
        findings.append(
            Finding(
                "nonfinite_rows",
                "warning",
                f"{_plural(n_bad_train, 'training row')} and "
                f"{_plural(n_bad_test, 'test row')} hold NaN or infinity; they were "
                "left out of the duplicate, near-duplicate and segment checks",
                "impute or drop them before training (balancekit's kNN samplers "
                "reject them); see `balancekit.diagnostics.inspect`",
                count=n_bad_train + n_bad_test,
                details={"train": n_bad_train, "test": n_bad_test},
            )
        )
    findings += _class_findings(report, shift_alpha, shift_tvd)
    findings += _row_findings(report)
    if not seg_ok:
        findings.append(
            Finding(
                "segment_check_skipped",
                "info",
                "with a single feature every row lies between two others; the "
                "segment (SMOTE-before-split) check was skipped",
            )
        )
    return findings


def _class_findings(
    report: dict[str, Any], shift_alpha: float, shift_tvd: float
) -> list[Finding]:
    findings = []
    counts = dict(zip(report["classes"], report["train_counts"], strict=True))
    test_counts = dict(zip(report["classes"], report["test_counts"], strict=True))
    for cls in report["missing_in_test"]:
        findings.append(
            Finding(
                "missing_class_in_test",
                "error",
                f"class {cls!r} is missing from the test split "
                f"({_plural(counts[cls], 'training row')})",
                "its recall cannot be measured: split with "
                "train_test_split(..., stratify=y) or StratifiedKFold",
                count=counts[cls],
                details={"class": cls},
            )
        )
    for cls in report["missing_in_train"]:
        findings.append(
            Finding(
                "missing_class_in_train",
                "error",
                f"class {cls!r} is missing from the training split "
                f"({_plural(test_counts[cls], 'test row')})",
                "the model can never predict it: split with "
                "train_test_split(..., stratify=y) or StratifiedKFold",
                count=test_counts[cls],
                details={"class": cls},
            )
        )
    p_value, tvd = report["chi2_p_value"], report["total_variation"]
    if math.isfinite(p_value) and p_value < shift_alpha and tvd >= shift_tvd:
        n_train, n_test = sum(report["train_counts"]), sum(report["test_counts"])
        shares = {
            str(cls): [round(a / n_train, 4), round(b / n_test, 4)]
            for cls, a, b in zip(
                report["classes"],
                report["train_counts"],
                report["test_counts"],
                strict=True,
            )
        }
        findings.append(
            Finding(
                "class_distribution_shift",
                "warning",
                f"the class distributions of the splits differ (total variation "
                f"{tvd:.3f}, chi-square p = {p_value:.2g})",
                "test scores will not reflect the real class ratio: split with "
                "train_test_split(..., stratify=y) and never resample the test split "
                "(a training split resampled on purpose differs: check the split "
                "before resampling)",
                details={"shares_train_test": shares, "p_value": p_value, "tvd": tvd},
            )
        )
    return findings


def _row_findings(report: dict[str, Any]) -> list[Finding]:
    findings = []
    duplicates = report["duplicate_rows"]
    n_dup = int(duplicates.shape[0])
    if n_dup:
        same, other = (
            report["n_duplicates_same_label"],
            report["n_duplicates_other_label"],
        )
        verb = "duplicates" if n_dup == 1 else "duplicate"
        findings.append(
            Finding(
                "duplicate_rows",
                "error",
                f"{_plural(n_dup, 'test row')} {verb} a training row ({same} with the "
                f"same label, {other} with another)",
                "deduplicate before splitting (drop_duplicates) or split by group "
                "(GroupShuffleSplit); oversample (RandomOverSampler) only the "
                "training split",
                count=n_dup,
                details={
                    "same_label": same,
                    "other_label": other,
                    "example_rows": _examples(duplicates),
                },
            )
        )
    near = report["near_duplicate_rows"]
    n_near = int(near.shape[0])
    if n_near:
        expected = report["near_duplicates_expected"]
        threshold = report["near_duplicate_threshold"]
        severity = "warning" if n_near > 2 * expected else "info"
        findings.append(
            Finding(
                "near_duplicate_rows",
                severity,
                f"{_plural(n_near, 'test row')} {'lies' if n_near == 1 else 'lie'} "
                f"within {threshold:.3g} of a "
                f"training row (chance alone: about {expected:.1f})",
                "near copies (rounded, re-encoded or jittered rows) leak like "
                "duplicates: deduplicate or split by group before resampling",
                count=n_near,
                details={
                    "threshold": threshold,
                    "expected_by_chance": expected,
                    "example_rows": _examples(near),
                },
            )
        )
    segments = report["segment_rows"]
    n_seg = int(segments.shape[0])
    if n_seg:
        verb = "lies" if n_seg == 1 else "lie"
        findings.append(
            Finding(
                "segment_rows",
                "error",
                f"{_plural(n_seg, 'test row')} {verb} on segments between training "
                "rows of their class",
                "they look like SMOTE samples made before splitting: resample only the "
                "training part, e.g. inside imblearn.pipeline.Pipeline",
                count=n_seg,
                details={"example_rows": _examples(segments)},
            )
        )
    synthetic = report["synthetic_rows"]
    if synthetic is not None and int(synthetic.shape[0]):
        n_syn = int(synthetic.shape[0])
        verb = "is" if n_syn == 1 else "are"
        findings.append(
            Finding(
                "synthetic_test_rows",
                "error",
                f"{_plural(n_syn, 'test row')} {verb} synthetic rows of the sampler",
                "the sampler ran before the split: split first, then fit_resample the "
                "training part only (imblearn.pipeline.Pipeline does it in CV)",
                count=n_syn,
                details={"example_rows": _examples(synthetic)},
            )
        )
    return findings
