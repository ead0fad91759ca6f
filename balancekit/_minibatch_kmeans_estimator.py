"""balancekit's mini-batch k-means estimator: scikit-learn's ``MiniBatchKMeans`` API
on the data's device.

The kernel lives in ``balancekit._minibatch_kmeans``; this class holds the
parameters, validates them and keeps the fitted arrays, so that ``KMeansSMOTE``
treats it like any clustering estimator.
"""

from __future__ import annotations

from typing import Any

from balancekit._kmeans_estimator import DeviceKMeansBase
from balancekit._minibatch_kmeans import MiniBatchResult, minibatch_kmeans
from balancekit._params import check_bool, check_int, check_scalar
from balancekit._typing import Array, Namespace

__all__ = ["MiniBatchKMeans"]


class MiniBatchKMeans(DeviceKMeansBase):
    """Mini-batch k-means on the data's own device (scikit-learn's algorithm).

    The parameters, defaults and fitted attributes of
    :class:`sklearn.cluster.MiniBatchKMeans` for NumPy, PyTorch (any device), CuPy,
    JAX and array-api-strict arrays: seeding, mini-batch steps and the final
    assignment run where ``X`` lives, and only the batch inertia of each step comes
    back to the host (for the early stopping). The batch indices are drawn on the
    host from a NumPy ``Generator``, so one seed gives the same clusters on every
    array library. ``KMeansSMOTE`` uses it by default, as imbalanced-learn uses
    scikit-learn's.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features), \
default="k-means++"
        Greedy k-means++ or distinct random rows, both on a random subsample of
        ``init_size`` rows, or the initial centres.
    max_iter : int, default=100
        Passes over the data at most: ``max_iter * n_samples // batch_size`` steps.
    batch_size : int, default=1024
        Rows per step, drawn with replacement.
    verbose : int, default=0
        Accepted for compatibility with scikit-learn and ignored (nothing is
        printed).
    compute_labels : bool, default=True
        Compute ``labels_`` and the exact ``inertia_`` of every row at the end.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws (subsamples, seeding, batches), made on the host: the same
        int gives the same clusters on every array library.
    tol : float, default=0.0
        Stop when the centres move (squared, summed) at most ``tol`` times the mean
        variance of the features in a step; 0 disables the rule.
    max_no_improvement : int or None, default=10
        Stop after this many steps without a new minimum of the smoothed batch
        inertia; None disables the rule.
    init_size : int or None, default=None
        Rows of the seeding subsample; None: ``3 * batch_size`` (at least
        ``3 * n_clusters``), capped at the number of rows.
    n_init : "auto" or int, default="auto"
        Seedings tried, the lowest inertia on a validation subsample kept;
        ``"auto"`` is 3 for ``"random"`` and 1 otherwise (scikit-learn's rule).
    reassignment_ratio : float, default=0.01
        Centres whose row count is below this share of the largest count are moved
        onto random rows of the batch; 0 disables the reassignment.

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
        The centres, in ``X``'s namespace, dtype and device.
    labels_ : array of shape (n_samples,)
        Nearest centre of each training row (ties to the lower index); only with
        ``compute_labels=True``.
    inertia_ : float
        Sum of squared distances of the rows to their centre (with
        ``compute_labels=False``: the smoothed batch inertia scaled to all rows).
    n_iter_ : int
        Passes over the data made (rounded up).
    n_steps_ : int
        Mini-batch steps made.
    n_features_in_ : int
        Number of features of ``X`` (flattened).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(size=(500, 2)), rng.normal(size=(500, 2)) + 9])
    >>> km = MiniBatchKMeans(n_clusters=2, batch_size=100, random_state=0).fit(X)
    >>> np.round(sorted(km.cluster_centers_.tolist())).astype(int).tolist()
    [[0, 0], [9, 9]]
    >>> bool(km.labels_[0] != km.labels_[-1])
    True
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: Any = "auto",
        reassignment_ratio: float = 0.01,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio

    def _checked_params(self) -> dict[str, Any]:
        """The kernel's keyword arguments, each checked (named in the error)."""
        n_init = self.n_init
        if isinstance(n_init, str):
            if n_init != "auto":
                raise ValueError(f"`n_init` must be 'auto' or an int; got {n_init!r}.")
        else:
            n_init = check_int(n_init, "n_init", low=1)
        return {
            "max_iter": check_int(self.max_iter, "max_iter", low=1),
            "batch_size": check_int(self.batch_size, "batch_size", low=1),
            "compute_labels": check_bool(self.compute_labels, "compute_labels"),
            "tol": check_scalar(self.tol, "tol", low=0),
            "max_no_improvement": check_int(
                self.max_no_improvement, "max_no_improvement", low=0, allow_none=True
            ),
            "init_size": check_int(self.init_size, "init_size", low=1, allow_none=True),
            "n_init": n_init,
            "reassignment_ratio": check_scalar(
                self.reassignment_ratio, "reassignment_ratio", low=0
            ),
        }

    def _cluster(
        self,
        flat: Array,
        n_clusters: int,
        rng: Any,
        xp: Namespace,
        device: Any,
        params: dict[str, Any],
    ) -> MiniBatchResult:
        result = minibatch_kmeans(
            flat, n_clusters, rng=rng, xp=xp, device=device, init=self.init, **params
        )
        self.n_steps_ = result.n_steps
        return result
