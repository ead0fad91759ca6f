"""The :class:`Dataset` record every loader of :mod:`balancekit.bench.datasets`
returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Dataset"]


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
    >>> from balancekit.bench import Dataset
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


# Pickles and reprs name the public path, which stays if this module moves.
Dataset.__module__ = "balancekit.bench.datasets"
