"""``inspect``: what in a data set may hide the minority class from a model."""

from __future__ import annotations

import dataclasses
import warnings
from types import ModuleType
from typing import Any

import array_api_extra as xpx
import numpy as np

from balancekit._array_api import (
    bincount,
    get_namespace_and_device,
    index_dtype,
    is_numpy_namespace,
    is_pandas,
    is_sparse,
    move_indices,
    to_host,
    widest_float_dtype,
)
from balancekit._dask_route import dask_route
from balancekit._indicator import check_indicator
from balancekit._labels import check_labels, is_zero_one
from balancekit._params import check_int
from balancekit._random import RandomStateLike, check_random_state
from balancekit._typing import Array, Device
from balancekit.diagnostics._advice import advise
from balancekit.diagnostics._data_checks import (
    ColumnSummary,
    DuplicateSummary,
    column_summary,
    duplicate_summary,
    identifier_columns,
)
from balancekit.diagnostics._multilabel import MultilabelImbalance, multilabel_imbalance
from balancekit.diagnostics._report import DataReport, Projection
from balancekit.diagnostics._typology import (
    Typology,
    neighbourhood_typology,
    stratified_quotas,
)

__all__ = ["inspect"]

#: Rows drawn to the host for the 2-D projection plot.
PROJECTION_SAMPLES = 5_000


def _host_features(X: Array) -> tuple[Any, list[str] | None]:
    """NumPy features from pandas, lists and NumPy arrays; other arrays untouched."""
    if is_sparse(X):
        raise TypeError(
            "`X` is a SciPy sparse matrix; `inspect` needs dense features. Pass "
            "`X.toarray()` (or a subsample of it)."
        )
    if is_pandas(X):
        frame = X.to_frame() if X.ndim == 1 else X
        text = [str(c) for c in frame.columns if frame[c].dtype.kind not in "biuf"]
        if text:
            raise TypeError(
                f"`X` has non-numeric columns {text}; encode them first (e.g. "
                "sklearn OrdinalEncoder), or use `balancekit inspect FILE`, which "
                "codes and reports them."
            )
        names = [str(c) for c in frame.columns]
        return frame.to_numpy(dtype=np.float64, na_value=np.nan), names
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    if isinstance(X, np.ndarray) and X.dtype.kind not in "biuf":
        raise TypeError(
            f"`X` has dtype {X.dtype}; `inspect` needs numeric features. Encode "
            "text and categories as numbers first."
        )
    return X, None


def _check_features(X: Array, xp: ModuleType, device: Device) -> Any:
    if X.ndim < 2:
        raise ValueError(
            f"`X` must be 2-D (n_samples, n_features); got shape {tuple(X.shape)}. "
            "Use X.reshape(-1, 1) for a single feature."
        )
    if X.ndim > 2:
        X = xp.reshape(X, (X.shape[0], -1))
    if X.shape[0] == 0:
        raise ValueError("`X` is empty; at least one sample is needed.")
    if X.shape[1] == 0:
        raise ValueError("`X` has no feature columns; at least one is needed.")
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, xpx.default_dtype(xp, device=device))
    return X


def _class_codes(y: Array, classes: tuple, xp: ModuleType, device: Device) -> Any:
    """Position of each label in the sorted ``classes``, on the labels' device."""
    if is_numpy_namespace(xp):
        return np.unique(np.asarray(y), return_inverse=True)[1].reshape(-1)
    if xp.isdtype(y.dtype, "bool"):
        y = xp.astype(y, xp.int32)
    sorted_classes = xp.asarray(list(classes), dtype=y.dtype, device=device)
    return xp.searchsorted(sorted_classes, y)


def _multilabel_target(y: Any, multilabel: bool | None) -> tuple[Any, Any] | None:
    """``(indicator, label names or None)`` when ``y`` is to be read as multilabel.

    ``multilabel=None`` decides by the data: a 2-D ``y`` with at least two columns,
    numeric, holding only 0 and 1, and not one-hot (some row has no label or several;
    one-hot rows stay class labels, as before). ``True`` insists, ``False`` never.
    """
    if multilabel is False:
        return None
    names = None
    if is_pandas(y) and y.ndim == 2:
        names = [str(c) for c in y.columns]
        y = y.to_numpy()
    elif isinstance(y, list | tuple):
        try:
            y = np.asarray(y)
        except ValueError:
            return None  # ragged rows: the label checks below say what is wrong
    shape = tuple(getattr(y, "shape", ()))
    if len(shape) != 2 or shape[1] < 2:
        if multilabel:
            raise ValueError(
                "`multilabel=True` needs `y` as a 0/1 indicator of shape (n_samples, "
                f"n_labels) with at least 2 label columns; got shape {shape}."
            )
        return None
    if multilabel is None:
        xp, _ = get_namespace_and_device(y=y)
        if isinstance(y, np.ndarray) and y.dtype.kind not in "biuf":
            return None
        if not xp.isdtype(y.dtype, ("bool", "integral", "real floating")):
            return None
        if not is_zero_one(y, xp):
            return None
        per_row = xp.sum(xp.astype(y != 0, xp.int32), axis=1)
        if bool(xp.all(per_row == 1)):
            return None  # one-hot rows: one class per sample
    return y, names


def _label_set_codes(Y: Array, xp: ModuleType, device: Device) -> Any:
    """A number per row, equal for equal label sets: the rows of the 0/1 indicator
    projected on fixed random weights (unequal sets collide with probability ~0),
    so the duplicate check finds identical rows with different label sets."""
    weights = np.random.default_rng(20190).uniform(1.0, 2.0, size=int(Y.shape[1]))
    dtype = widest_float_dtype(xp, device)
    return xp.matmul(
        xp.astype(Y, dtype), xp.asarray(weights, dtype=dtype, device=device)
    )


def _feature_names(names: Any, given: list[str] | None, n_features: int) -> list[str]:
    if names is None:
        return given or [f"x{j}" for j in range(n_features)]
    names = [str(name) for name in names]
    if len(names) != n_features:
        raise ValueError(
            f"`feature_names` must name each of the {n_features} columns of `X`; "
            f"got {len(names)} names."
        )
    return names


def _projection(
    X: Array,
    codes: Array,
    typology: Typology | None,
    class_counts: np.ndarray,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
) -> Projection | None:
    """PCA (host eigen/SVD) of at most ``PROJECTION_SAMPLES`` rows of the features
    the typology used (already standardised: only centred here)."""
    if typology is not None:
        rows, categories = typology.rows, typology.categories
        counts = typology.counts.sum(axis=1)
    else:
        rows = xp.arange(X.shape[0], dtype=index_dtype(xp, device), device=device)
        categories, counts = None, class_counts
    n_rows = int(rows.shape[0])
    if n_rows < 2:
        return None
    if n_rows > PROJECTION_SAMPLES:
        evaluated_codes = xp.take(codes, rows)
        chosen = []
        for cls, quota in enumerate(stratified_quotas(counts, PROJECTION_SAMPLES)):
            if quota:
                members = xp.nonzero(evaluated_codes == cls)[0]
                picks = np.sort(rng.choice(int(counts[cls]), int(quota), replace=False))
                chosen.append(xp.take(members, move_indices(picks, xp, device)))
        pick = xp.sort(xp.concat(chosen))
        rows = xp.take(rows, pick)
        categories = None if categories is None else xp.take(categories, pick)
    points = np.asarray(to_host(xp.take(X, rows, axis=0), xp), dtype=np.float64)
    host_codes = np.asarray(to_host(xp.take(codes, rows), xp), dtype=np.int64)
    host_categories = (
        None
        if categories is None
        else np.asarray(to_host(categories, xp), dtype=np.int64)
    )
    spread = points.std(axis=0)
    points = (points - points.mean(axis=0))[:, spread > 0]
    if points.shape[1] == 0:
        coordinates = np.zeros((points.shape[0], 2))
        ratio: tuple[float, ...] = (0.0, 0.0)
    else:
        if points.shape[1] <= points.shape[0]:
            # Eigenvectors of the small d x d scatter matrix: the principal axes.
            variance, axes = np.linalg.eigh(points.T @ points)
            variance, axes = variance[::-1], axes[:, ::-1]
        else:
            _, singular, rows_t = np.linalg.svd(points, full_matrices=False)
            variance, axes = singular**2, rows_t.T
        coordinates = points @ axes[:, :2]
        if coordinates.shape[1] < 2:
            coordinates = np.column_stack([coordinates, np.zeros(points.shape[0])])
        variance = np.clip(variance, 0.0, None)
        ratio = tuple(float(v) for v in (variance / variance.sum())[:2])
    return Projection(coordinates, host_codes, host_categories, ratio)


def _standardised(
    X: Array, keep: list[int], xp: ModuleType, device: Device
) -> tuple[Any, list[int]]:
    """Columns ``keep`` of ``X`` (finite rows) z-scored with their mean and population
    standard deviation (as StandardScaler), on ``X``'s device; constant columns are
    dropped. Returns the matrix and the columns it holds."""
    if keep:
        index = xp.asarray(keep, dtype=index_dtype(xp, device), device=device)
        X = xp.take(X, index, axis=1)
        mean = xp.mean(X, axis=0)
        std = xp.std(X, axis=0)
        spread = np.asarray(to_host(std, xp), dtype=np.float64)
        usable = [j for j in range(len(keep)) if spread[j] > 0.0]
    else:
        usable = []
    if not usable:  # nothing varies: every row is the same point
        return xp.zeros((X.shape[0], 1), dtype=X.dtype, device=device), []
    if len(usable) < len(keep):
        index = xp.asarray(usable, dtype=index_dtype(xp, device), device=device)
        X, mean, std = (
            xp.take(X, index, axis=1),
            xp.take(mean, index),
            xp.take(std, index),
        )
    return (X - mean[None, :]) / std[None, :], [keep[j] for j in usable]


@dask_route("_inspect")
def inspect(
    X: Array,
    y: Array,
    *,
    n_neighbors: int = 5,
    max_samples: int | None = None,
    feature_names: Any = None,
    random_state: RandomStateLike = 0,
    multilabel: bool | None = None,
) -> DataReport:
    """Check a data set for what hides the minority class from a model.

    Computes class counts and imbalance ratios, NaN and inf values per column,
    constant and near-constant columns, the spread of the feature scales, exact
    duplicate rows and identical rows with different labels, and each class's
    difficulty in Napierala & Stefanowski's neighbourhood typology (safe, borderline,
    rare, outlier), then turns them into findings with next steps.

    The heavy work (the kNN, the duplicate search, the counts and spreads) runs in
    ``X``'s namespace and on its device; only per-class and per-column summaries, and
    at most 5,000 rows for the projection plot, come to the host.

    Rules:

    * *constant*: at most one distinct finite value; *near-constant*: one value covers
      >= 99% of the finite values, or the standard deviation is below 1e-6 of the mean
      absolute value;
    * *scale disparity*: largest over smallest standard deviation of the other columns;
      a warning from 100 (kNN samplers then see mostly the widest feature);
    * *duplicates*: exact equality of all features (rows holding NaN or inf take no
      part); *conflicting labels*: a group of identical rows with more than one label;
    * *identifier-like columns*: every value finite and distinct (unique per row), at
      least 20 rows, and strictly monotone in row order, or integer-valued with an
      identifier's name (a word id, idx, index, uuid, guid, key, or pandas'
      ``Unnamed: 0``). A warning; they are left out of the scale ratio, the
      duplicate check, the typology and the projection (unless they are the only
      columns);
    * *typology*: of each row's ``n_neighbors`` nearest neighbours (itself excluded,
      Euclidean distance on **standardised** features: each column minus its mean,
      over its standard deviation, as ``StandardScaler`` gives; identifier-like and
      constant columns left out), the share of its own class: > 0.7 safe, > 0.3
      borderline, > 0 rare, 0 outlier (for k = 5: 5-4, 3-2, 1, 0). So the result does
      not depend on the units of a column, and it describes what a kNN sampler sees
      after a scaler. Rows holding NaN or inf are left out. Fewer than half of a
      (non-majority) class safe is a warning. The projection plot is the PCA of the
      same standardised features.

    Multilabel ``y`` (a 0/1 indicator of shape (n_samples, n_labels)): the feature
    checks are the same, conflicting labels are identical rows with different label
    sets, and the class checks become Charte et al.'s measures
    (:func:`multilabel_imbalance`: IRLbl, MeanIR, CVIR, SCUMBLE, cardinality,
    density) with these rules:

    * *imbalanced labels*: MeanIR > 1.5 and CVIR > 0.2, the criterion of Charte et
      al. (Neurocomputing 163, 2015): a warning;
    * *high concurrence*: SCUMBLE > 0.1 (Charte et al., Neurocomputing 326, 2019):
      minority labels mostly occur beside majority ones, so resampling copies or
      synthesises the majority labels with them: a warning;
    * *minority labels* (when imbalanced): IRLbl above MeanIR (Charte et al.'s
      definition): info;
    * *tiny labels*: 1 to 5 positive samples (MLSMOTE's ``k=5`` needs 6): a warning;
      *labels never positive*, and *labels positive in every sample*: a warning;
      *samples without any label*: info.

    The neighbourhood typology and the projection are computed for class labels
    only.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Numeric features: NumPy, PyTorch, CuPy, array-api-strict arrays, pandas
        DataFrames or lists; Dask arrays and DataFrames (with Dask ``y``) are
        inspected partition by partition, computed on the call. Extra dimensions
        are flattened. NaN and inf are allowed (they are findings).
    y : array of shape (n_samples,) or (n_samples, n_labels)
        Class labels (integers in any namespace; strings for NumPy input), or a
        multilabel 0/1 indicator (a DataFrame's columns name the labels).
    n_neighbors : int, default=5
        ``k`` of the neighbourhood typology.
    max_samples : int, default=None
        Compute the typology for a stratified subsample of this many rows (classes
        smaller than their even share are kept whole); neighbours are still searched
        among all rows, so each evaluated row's category is exact. ``None``: every
        row, an exact all-pairs search (minutes for a million rows). On Dask,
        ``None`` means 50,000 and the neighbours are searched by a distributed
        search, or within the subsample when that would be too costly
        (``balancekit.dask._inspect``).
    feature_names : list of str, default=None
        Column names for the report; default the DataFrame's columns or ``x0``,
        ``x1``, ...
    random_state : int, numpy.random.Generator or None, default=0
        Draws the typology subsample and the rows of the projection plot.
    multilabel : bool or None, default=None
        Whether ``y`` is a multilabel indicator. None: a 2-D 0/1 ``y`` with at least
        two columns is, unless every row holds exactly one 1 (one-hot rows are class
        labels). True: read ``y`` as an indicator (one-hot rows too). False: class
        labels only.

    Returns
    -------
    DataReport
        Every computed quantity and the findings.

    Raises
    ------
    ValueError
        For empty or non-2-D ``X``, mismatched lengths, invalid labels (missing ones
        included) or parameters.
    TypeError
        For non-numeric or sparse ``X``, or unsupported array types.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.diagnostics import inspect
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> X[:5, 2] = np.nan
    >>> y = np.array(["neg"] * 180 + ["pos"] * 20)
    >>> report = inspect(X, y)
    >>> report.nan_counts
    [0, 0, 5]
    >>> [f.code for f in report.findings if f.severity != "info"]
    ['nan_values', 'rare_outlier_class']
    """
    n_neighbors = check_int(n_neighbors, "n_neighbors", low=1)
    if max_samples is not None:
        max_samples = check_int(max_samples, "max_samples", low=1)
    rng = check_random_state(random_state)
    if multilabel is not None and not isinstance(multilabel, bool):
        raise TypeError(
            "`multilabel` must be None, True or False; got "
            f"{type(multilabel).__name__}."
        )
    X, names_from_frame = _host_features(X)
    target = _multilabel_target(y, multilabel)
    measures: MultilabelImbalance | None = None
    if target is None:
        xp, device = get_namespace_and_device(X=X, y=y)
        labels = check_labels(y, xp)
        n_labelled = int(labels.y.shape[0])
    else:
        xp, device = get_namespace_and_device(X=X, y=target[0])
        Y = check_indicator(target[0], xp, "y")
        if not bool(xp.any(Y)):
            raise ValueError(
                "`y` (a multilabel indicator) has no positive entry: no label occurs. "
                "Check that the indicator is not all zeros."
            )
        with warnings.catch_warnings():
            # a label without positives is a finding of the report
            warnings.simplefilter("ignore")
            measures = multilabel_imbalance(Y, label_names=target[1])
        n_labelled = int(Y.shape[0])
    if int(X.shape[0]) != n_labelled:
        raise ValueError(
            f"`X` has {X.shape[0]} rows but `y` has {n_labelled} labels; pass "
            "one label per row."
        )
    X = _check_features(X, xp, device)
    n_samples, n_features = int(X.shape[0]), int(X.shape[1])
    names = _feature_names(feature_names, names_from_frame, n_features)
    if measures is not None:
        codes = _label_set_codes(Y, xp, device)
    else:
        n_classes = len(labels.classes)
        codes = xp.astype(
            _class_codes(labels.y, labels.classes, xp, device), index_dtype(xp, device)
        )

    finite = xp.isfinite(X)
    columns = column_summary(X, finite, xp, device)
    finite_rows = xp.all(finite, axis=1)
    del finite
    n_finite_rows = int(xp.sum(xp.astype(finite_rows, index_dtype(xp, device))))
    if n_finite_rows < n_samples:
        rows = xp.nonzero(finite_rows)[0]
        X_finite, codes_finite = xp.take(X, rows, axis=0), xp.take(codes, rows)
    else:
        rows = xp.arange(n_samples, dtype=index_dtype(xp, device), device=device)
        X_finite, codes_finite = X, codes
    identifiers = identifier_columns(columns, names, n_samples)
    keep = [j for j, name in enumerate(names) if name not in identifiers]
    if not keep:  # identifiers are all there is: check them rather than nothing
        identifiers_kept, keep = True, list(range(n_features))
    else:
        identifiers_kept = False
    X_checked = X_finite
    if len(keep) < n_features:
        index = xp.asarray(keep, dtype=index_dtype(xp, device), device=device)
        X_checked = xp.take(X_finite, index, axis=1)
    duplicates = duplicate_summary(X_checked, codes_finite, rows, xp, device)
    del X_checked
    if measures is not None:
        return assemble_report(
            n_samples=n_samples,
            names=names,
            classes=list(measures.labels),
            class_counts=measures.label_counts.tolist(),
            columns=columns,
            n_finite_rows=n_finite_rows,
            duplicates=duplicates,
            n_neighbors=n_neighbors,
            typology=None,
            typology_sampled=False,
            identifiers=identifiers,
            identifiers_kept=identifiers_kept,
            typology_features=[],
            projection=None,
            multilabel=measures,
        )
    finite_counts = np.asarray(
        to_host(bincount(codes_finite, n_classes, None, xp), xp), dtype=np.int64
    )
    # The typology and the projection see the same standardised features (as a
    # StandardScaler before a sampler would give), identifiers left out.
    X_scaled, scaled_columns = (
        _standardised(X_finite, keep, xp, device) if n_finite_rows else (X_finite, [])
    )
    typology = None
    if n_finite_rows > n_neighbors:
        typology = neighbourhood_typology(
            X_scaled,
            codes_finite,
            finite_counts,
            n_neighbors,
            max_samples,
            rng,
            xp,
            device,
        )
    projection = _projection(
        X_scaled, codes_finite, typology, finite_counts, rng, xp, device
    )
    del X_scaled

    return assemble_report(
        n_samples=n_samples,
        names=names,
        classes=list(labels.classes),
        class_counts=list(labels.counts),
        columns=columns,
        n_finite_rows=n_finite_rows,
        duplicates=duplicates,
        n_neighbors=n_neighbors,
        typology=typology,
        typology_sampled=False if typology is None else typology.sampled,
        identifiers=identifiers,
        identifiers_kept=identifiers_kept,
        typology_features=[names[j] for j in scaled_columns],
        projection=projection,
    )


def assemble_report(
    *,
    n_samples: int,
    names: list[str],
    classes: list,
    class_counts: list[int],
    columns: ColumnSummary,
    n_finite_rows: int,
    duplicates: DuplicateSummary,
    n_neighbors: int,
    typology: Any,
    typology_sampled: bool,
    identifiers: dict,
    identifiers_kept: bool,
    typology_features: list[str],
    projection: Projection | None,
    extra_findings: tuple = (),
    multilabel: MultilabelImbalance | None = None,
) -> DataReport:
    """The report of ``inspect`` from its measured parts, with the advice.

    Shared by the in-memory and the Dask ``inspect``: the scale ratio (over the
    usable columns: not constant, not an identifier, finite spread) and the report's
    fields are derived here once. ``extra_findings`` follow the advice. With
    ``multilabel`` (the measures of a multilabel ``y``), the imbalance ratios are
    its IRLbl.
    """
    not_identifier = np.array([name not in identifiers for name in names])
    usable = ~columns.constant & ~columns.near_constant & not_identifier
    usable &= np.isfinite(columns.std)
    scale_ratio = None
    if usable.sum() >= 2:
        stds = columns.std[usable]
        scale_ratio = float(stds.max() / stds.min())
    largest = max(class_counts)
    ratios = (
        [largest / n for n in class_counts]
        if multilabel is None
        else multilabel.irlbl.tolist()
    )
    report = DataReport(
        n_samples=n_samples,
        n_features=len(names),
        feature_names=names,
        classes=classes,
        class_counts=class_counts,
        imbalance_ratios=ratios,
        nan_counts=columns.nan_counts.tolist(),
        inf_counts=(columns.posinf_counts + columns.neginf_counts).tolist(),
        n_nonfinite_rows=n_samples - n_finite_rows,
        constant_features=[
            n for n, c in zip(names, columns.constant, strict=True) if c
        ],
        near_constant_features=[
            n for n, c in zip(names, columns.near_constant, strict=True) if c
        ],
        dominant_shares=columns.dominant_share.tolist(),
        feature_std=columns.std.tolist(),
        feature_iqr=columns.iqr.tolist(),
        scale_ratio=scale_ratio,
        n_duplicate_rows=duplicates.n_duplicate_rows,
        n_duplicate_groups=duplicates.n_duplicate_groups,
        n_conflicting_rows=duplicates.n_conflicting_rows,
        n_conflicting_groups=duplicates.n_conflicting_groups,
        conflict_examples=duplicates.conflict_examples,
        n_neighbors=n_neighbors,
        typology_counts=None if typology is None else typology.counts.tolist(),
        typology_sampled=typology_sampled,
        identifier_features=dict(identifiers),
        identifiers_excluded=bool(identifiers) and not identifiers_kept,
        typology_features=typology_features,
        projection=projection,
        multilabel=multilabel,
    )
    return dataclasses.replace(report, findings=advise(report) + list(extra_findings))
