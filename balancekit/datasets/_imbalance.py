"""``make_imbalance``: turn a data set into an imbalanced one, on its own device.

imbalanced-learn's ``imblearn.datasets.make_imbalance``: the classes named by
``sampling_strategy`` are randomly under-sampled (without replacement) to the given
counts by balancekit's ``RandomUnderSampler``, so the rows are chosen on the labels'
device and taken from ``X`` there. ``fetch_datasets`` (imbalanced-learn's download of
the Zenodo benchmark collection) is not implemented: it needs the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit._params import check_bool
from balancekit._random import RandomStateLike
from balancekit._typing import Array
from balancekit.under_sampling import RandomUnderSampler
from balancekit.utils import check_sampling_strategy, class_counts

__all__ = ["make_imbalance"]


@dask_entry_point  # its steps route Dask labels: counts, strategy, RUS
def make_imbalance(
    X: Array,
    y: Array,
    *,
    sampling_strategy: Mapping | Callable[..., Mapping] | None = None,
    random_state: RandomStateLike = None,
    verbose: bool = False,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Turn a data set into an imbalanced data set with given class counts.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features, ...)
        Features: NumPy, pandas, a list, SciPy sparse, or an array of PyTorch, CuPy,
        JAX or array-api-strict on any device. Never modified.
    y : array-like of shape (n_samples,)
        Class labels, in the same library and on the same device as ``X``.
    sampling_strategy : dict or callable
        ``{class: n_samples}``, the number of samples to keep per class (each at most
        the class's count; classes not named are kept whole), or a callable
        ``f(y, **kwargs) -> dict``. Required: imbalanced-learn's default ``None`` gives
        no counts to reach, so it is refused with a clear message.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draw; the same int gives the same rows on every array library.
    verbose : bool, default=False
        Print the class counts before and after.
    **kwargs
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    X_resampled, y_resampled
        The kept rows, in the input's containers, library and device.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.datasets import make_imbalance
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(150, 4)), np.repeat([0, 1, 2], 50)
    >>> X_res, y_res = make_imbalance(
    ...     X, y, sampling_strategy={0: 10, 1: 20, 2: 30}, random_state=0
    ... )
    >>> np.bincount(y_res).tolist()
    [10, 20, 30]
    """
    check_bool(verbose, "verbose")
    if not (isinstance(sampling_strategy, Mapping) or callable(sampling_strategy)):
        raise ValueError(
            "`sampling_strategy` must be a dict {class: n_samples to keep} or a "
            "callable f(y, **kwargs) returning one; got "
            f"{type(sampling_strategy).__name__}. For example "
            "make_imbalance(X, y, sampling_strategy={0: 25, 1: 50})."
        )
    # Resolved once here (kwargs go to a callable), as imbalanced-learn does; the
    # sampler then gets the plain dict.
    targets = dict(
        check_sampling_strategy(sampling_strategy, y, "under-sampling", **kwargs)
    )
    if verbose:
        print(f"The original target distribution in the dataset is: {class_counts(y)}")
    sampler = RandomUnderSampler(
        sampling_strategy=targets, replacement=False, random_state=random_state
    )
    X_resampled, y_resampled = sampler.fit_resample(X, y)
    if verbose:
        print(f"Make the dataset imbalanced: {class_counts(y_resampled)}")
    return X_resampled, y_resampled
