"""The multilabel data sets of the bench: one real set shipped with balancekit and a
documented synthetic generator.

``solar-flare`` is UCI's Solar Flare made multilabel (which flare classes occur in
the next 24 hours, 3 labels), read from a gzip CSV file in
``balancekit/bench/data/multilabel/`` (no network; see ``balancekit/bench/data/
README.md`` for its origin, licence and conversion). ``synthetic-multilabel`` is
:func:`make_multilabel_synthetic` with its defaults (seed 0): 10 labels whose
prevalences fall geometrically from 30% to 1%.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from balancekit._params import check_choice, check_int, check_scalar
from balancekit._random import check_random_state

__all__ = [
    "SYNTHETIC",
    "MultilabelDataset",
    "list_multilabel_datasets",
    "load_multilabel_dataset",
    "make_multilabel_synthetic",
]


@dataclass(frozen=True, eq=False)
class MultilabelDataset:
    """A multilabel data set: features and an ``(n_samples, n_labels)`` indicator.

    Built with these fields as keyword (or positional) arguments.

    Attributes
    ----------
    name : str
        Short identifier (what :func:`load_multilabel_dataset` takes).
    X : numpy.ndarray of shape (n_samples, n_features), float64
        Features, finite.
    Y : numpy.ndarray of shape (n_samples, n_labels), int64
        0/1 label indicator.
    label_names : list of str
        One name per column of ``Y``.
    source : str
        Where the data come from.
    licence : str
        The licence of the data.
    description : str
        What the task is.
    feature_names : list of str, default=[]
        One name per column of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.bench import MultilabelDataset
    >>> data = MultilabelDataset(
    ...     name="toy", X=np.zeros((3, 2)), Y=np.array([[1, 0], [1, 1], [0, 0]]),
    ...     label_names=["a", "b"], source="hand-made", licence="CC0",
    ...     description="A toy set.",
    ... )
    >>> data.n_samples, data.n_labels, data.label_counts.tolist()
    (3, 2, [2, 1])
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    label_names: list[str]
    source: str
    licence: str
    description: str
    feature_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        X, Y = self.X, self.Y
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype != np.float64:
            raise TypeError("`X` must be a 2-D float64 numpy array.")
        if not np.isfinite(X).all():
            raise ValueError("`X` must be finite (no NaN or infinite values).")
        if not isinstance(Y, np.ndarray) or Y.ndim != 2 or Y.dtype.kind not in "iu":
            raise TypeError("`Y` must be a 2-D integer numpy array (a 0/1 indicator).")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(
                f"`X` has {X.shape[0]} rows but `Y` has {Y.shape[0]}; they must match."
            )
        if Y.size and not np.isin(Y, (0, 1)).all():
            raise ValueError("`Y` must hold only 0 and 1.")
        if len(self.label_names) != Y.shape[1]:
            raise ValueError(
                f"`label_names` must name the {Y.shape[1]} columns of `Y`; got "
                f"{len(self.label_names)} names."
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
    def n_labels(self) -> int:
        """Number of labels (columns of ``Y``)."""
        return int(self.Y.shape[1])

    @property
    def label_counts(self) -> np.ndarray:
        """Rows having each label, shape ``(n_labels,)``."""
        return self.Y.sum(axis=0)

    @property
    def mean_ir(self) -> float:
        """MeanIR (Charte et al.): the mean over labels with a row of
        ``max(count) / count``."""
        counts = self.label_counts
        counts = counts[counts > 0]
        return float(np.mean(counts.max() / counts)) if counts.size else float("nan")

    def __repr__(self) -> str:
        return (
            f"MultilabelDataset(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, n_labels={self.n_labels}, "
            f"mean_ir={self.mean_ir:.2f})"
        )


@dataclass(frozen=True)
class _Spec:
    n_samples: int
    n_labels: int
    source: str
    licence: str
    description: str


_SPECS = {
    "solar-flare": _Spec(
        1066,
        3,
        "file from river 0.26.1 (BSD-3-Clause, the river developers); original: UCI "
        "Solar Flare (flare.data2), Gary Bradshaw",
        "CC BY 4.0 (UCI Machine Learning Repository)",
        "Sunspot groups (Zurich class, spot size and distribution one-hot coded, "
        "activity and history codes); labels: at least one C-, M- or X-class flare "
        "in the following 24 hours.",
    ),
}

#: The generated set offered next to the shipped ones (fixed seed).
SYNTHETIC = "synthetic-multilabel"


def make_multilabel_synthetic(
    n_samples: int = 2000,
    n_features: int = 20,
    n_labels: int = 10,
    *,
    max_prevalence: float = 0.3,
    min_prevalence: float = 0.01,
    noise: float = 1.0,
    random_state: Any = 0,
) -> MultilabelDataset:
    """A multilabel problem whose label prevalences fall geometrically.

    The features are standard normal; the first half (at least one) are
    informative. Label ``l`` has the score ``X_inf @ w_l + 0.7 * X_inf @ w_0 +
    noise * e_l`` (``w_l``, ``w_0`` and ``e_l`` standard normal; the shared ``w_0``
    correlates the labels) and is positive on the rows whose score is among the
    ``round(p_l * n_samples)`` largest, with ``p_l`` falling geometrically from
    ``max_prevalence`` (label 0) to ``min_prevalence`` (the last label). The counts
    are thus exact and MeanIR is known in advance. (scikit-learn's
    ``make_multilabel_classification`` draws its label priors at random, with no
    way to ask for a skew.)

    Parameters
    ----------
    n_samples : int, default=2000
        Rows.
    n_features : int, default=20
        Feature columns.
    n_labels : int, default=10
        Labels, at least 2.
    max_prevalence : float, default=0.3
        Share of rows having the most frequent label, in (0, 1).
    min_prevalence : float, default=0.01
        Share of rows having the rarest label, in (0, ``max_prevalence``].
    noise : float, default=1.0
        Standard deviation of the score noise, >= 0 (larger: harder).
    random_state : None, int or numpy.random.Generator, default=0
        Seed of every draw.

    Returns
    -------
    MultilabelDataset
        Named ``"synthetic-multilabel"``.

    Examples
    --------
    >>> from balancekit.bench import make_multilabel_synthetic
    >>> data = make_multilabel_synthetic(1000, 6, 4, min_prevalence=0.03)
    >>> data.label_counts.tolist(), round(data.mean_ir, 2)
    ([300, 139, 65, 30], 4.44)
    """
    n_samples = check_int(n_samples, "n_samples", low=10)
    n_features = check_int(n_features, "n_features")
    n_labels = check_int(n_labels, "n_labels", low=2)
    high = check_scalar(
        max_prevalence, "max_prevalence", low=0.0, high=1.0, low_open=True,
        high_open=True,
    )  # fmt: skip
    low = check_scalar(
        min_prevalence, "min_prevalence", low=0.0, high=high, low_open=True
    )
    noise = check_scalar(noise, "noise", low=0.0)
    rng = check_random_state(random_state)
    X = rng.normal(size=(n_samples, n_features))
    informative = X[:, : max(1, n_features // 2)]
    weights = rng.normal(size=(informative.shape[1], n_labels))
    shared = informative @ rng.normal(size=informative.shape[1])
    scores = informative @ weights + 0.7 * shared[:, None]
    scores += noise * rng.normal(size=scores.shape)
    prevalence = high * (low / high) ** (np.arange(n_labels) / (n_labels - 1))
    counts = np.maximum(np.rint(prevalence * n_samples).astype(np.int64), 2)
    Y = np.zeros((n_samples, n_labels), dtype=np.int64)
    for label, count in enumerate(counts):
        Y[np.argsort(-scores[:, label], kind="stable")[:count], label] = 1
    return MultilabelDataset(
        name=SYNTHETIC,
        X=X,
        Y=Y,
        label_names=[f"label_{i}" for i in range(n_labels)],
        source="synthetic: balancekit.bench.make_multilabel_synthetic("
        f"{n_samples}, {n_features}, {n_labels}, max_prevalence={high}, "
        f"min_prevalence={low}, noise={noise})",
        licence="generated (no licence needed)",
        description="Gaussian features, labels thresholded from correlated linear "
        "scores; prevalences fall geometrically from the first label to the last.",
        feature_names=[f"x{i}" for i in range(n_features)],
    )


def list_multilabel_datasets() -> list[str]:
    """Names of the real multilabel data sets shipped with balancekit.

    Returns
    -------
    list of str
        Names accepted by :func:`load_multilabel_dataset`: the shipped real sets,
        smallest first, then ``"synthetic-multilabel"``.

    Examples
    --------
    >>> from balancekit.bench import list_multilabel_datasets
    >>> list_multilabel_datasets()
    ['solar-flare', 'synthetic-multilabel']
    """
    shipped = sorted(_SPECS, key=lambda name: (_SPECS[name].n_samples, name))
    return [*shipped, SYNTHETIC]


def load_multilabel_dataset(name: str) -> MultilabelDataset:
    """Load a multilabel data set of the bench (shipped, or the synthetic one).

    Parameters
    ----------
    name : str
        One of :func:`list_multilabel_datasets`.

    Returns
    -------
    MultilabelDataset
        Fresh copies of the cached arrays: change them freely.
        ``"synthetic-multilabel"`` is :func:`make_multilabel_synthetic` with its
        defaults.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> from balancekit.bench import load_multilabel_dataset
    >>> data = load_multilabel_dataset("solar-flare")
    >>> data.X.shape, data.Y.shape
    ((1066, 23), (1066, 3))
    >>> data.label_names, data.label_counts.tolist()
    (['c_class_flare', 'm_class_flare', 'x_class_flare'], [182, 36, 5])
    """
    check_choice(name, "name", list_multilabel_datasets())
    if name == SYNTHETIC:
        return make_multilabel_synthetic()
    spec = _SPECS[name]
    X, Y, feature_names, label_names = _load_arrays(name)
    return MultilabelDataset(
        name=name,
        X=X.copy(),
        Y=Y.copy(),
        label_names=list(label_names),
        source=spec.source,
        licence=spec.licence,
        description=spec.description,
        feature_names=list(feature_names),
    )


@functools.cache
def _load_arrays(
    name: str,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Read once; the cached arrays are read-only (callers get copies)."""
    n_labels = _SPECS[name].n_labels
    resource = resources.files("balancekit.bench").joinpath(
        "data", "multilabel", f"{name}.csv.gz"
    )
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
        header = text.readline().strip().split(",")
        table = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    X = np.ascontiguousarray(table[:, :-n_labels])
    Y = np.ascontiguousarray(table[:, -n_labels:]).astype(np.int64)
    X.flags.writeable = False
    Y.flags.writeable = False
    return X, Y, tuple(header[:-n_labels]), tuple(header[-n_labels:])


# Pickles and reprs name the public path, which stays if this module moves.
MultilabelDataset.__module__ = "balancekit.bench.datasets"
