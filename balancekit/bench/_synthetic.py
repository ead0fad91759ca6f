"""Synthetic imbalanced problems: scikit-learn's ``make_classification`` with exact
class sizes."""

from __future__ import annotations

import math

import numpy as np

from balancekit._params import check_int, check_scalar
from balancekit._random import RandomStateLike, check_random_state
from balancekit.bench._dataset import Dataset

__all__ = ["make_synthetic"]


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
    >>> from balancekit.bench import make_synthetic
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
