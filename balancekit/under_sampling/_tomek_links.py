"""Tomek links: drop the pairs of rows of two classes that are each other's nearest.

Every link joins two classes, so at most one of its ends lies in the largest class.
The nearest neighbour is searched only from the rows outside the largest class, then
from those of their neighbours that fall inside it: two small queries instead of one
per row, with the same links as a search from every row.

This module also holds ``FeatureCleaningSampler``, the base of the cleaning samplers
that read the features (Tomek links and the edited-nearest-neighbours family).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

import array_api_extra as xpx
import numpy as np

from balancekit._array_api import take_rows
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels
from balancekit._neighbors import NearestNeighbors
from balancekit._params import check_n_jobs
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.base import BaseCleaningSampler, BaseFeatureIndexSampler

__all__ = ["FeatureCleaningSampler", "TomekLinks", "class_mask", "tomek_link_ends"]


class FeatureCleaningSampler(BaseFeatureIndexSampler, BaseCleaningSampler):
    """Base of the cleaning samplers whose rule reads the features. Not for direct use.

    Subclasses implement ``_kept_indices(flat, labels, xp, device, rng)``.
    """

    def _check_n_jobs(self) -> None:
        check_n_jobs(getattr(self, "n_jobs", None))


def class_mask(y: Array, classes: Iterable[Any], xp: ModuleType, device: Device) -> Any:
    """Boolean mask of the labels ``y`` that are one of ``classes``."""
    mask = xp.zeros(y.shape, dtype=xp.bool, device=device)
    for cls in classes:
        mask = mask | (y == cls)
    return mask


def _nearest_other(nn: Any, flat: Array, rows: Array, xp: ModuleType) -> Any:
    """Nearest fitted row of each row in ``rows``, itself excluded (tie-free data)."""
    neighbours = nn.kneighbors(take_rows(flat, rows, xp), return_distance=False)
    # A copy: the column is strided, and searchsorted wants contiguous values.
    return xp.astype(neighbours[:, 1], rows.dtype, copy=True)


def tomek_link_ends(flat: Array, y: Array, largest: Any, xp: ModuleType) -> Any:
    """Both ends of every Tomek link, as row indices (a row may appear twice).

    Rows ``a`` and ``b`` form a link when their classes differ and each is the other's
    nearest neighbour. The search runs from the rows outside class ``largest``, then
    from their neighbours inside it.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> X = np.array([[0.0], [1.0], [1.5], [5.0], [6.0]])
    >>> y = np.array([0, 0, 1, 0, 0])
    >>> sorted(tomek_link_ends(X, y, 0, xp).tolist())
    [1, 2]
    """
    nn = NearestNeighbors(n_neighbors=2).fit(flat)
    # A link always has an end outside the largest class, which usually holds most
    # rows: searching from the other rows only is enough and much cheaper.
    outside = xp.nonzero(y != largest)[0]
    partner = _nearest_other(nn, flat, outside, xp)
    partner_y = xp.take(y, partner, axis=0)
    partner_in_largest = partner_y == largest
    # Links inside the other classes: the partner's own partner is already known.
    # `outside` is sorted (nonzero gives ascending indices); a partner missing from
    # it lands on a wrong slot or past the end (clipped) and fails the equality.
    position = xp.searchsorted(outside, partner)
    position = xp.clip(position, max=int(outside.shape[0]) - 1)
    inner = (
        ~partner_in_largest
        & (partner_y != xp.take(y, outside, axis=0))
        & (xp.take(partner, position, axis=0) == outside)
    )
    # Links that cross into the largest class: search from those partners.
    crossing = xp.nonzero(partner_in_largest)[0]
    ends_in_largest = xp.take(partner, crossing, axis=0)
    ends_outside = xp.take(outside, crossing, axis=0)
    if int(crossing.shape[0]) > 0:
        back = _nearest_other(nn, flat, ends_in_largest, xp)
        mutual = xp.nonzero(back == ends_outside)[0]
    else:
        mutual = crossing
    return xp.concat(
        [
            xp.take(outside, xp.nonzero(inner)[0], axis=0),
            xp.take(ends_outside, mutual, axis=0),
            xp.take(ends_in_largest, mutual, axis=0),
        ]
    )


@dask_entry_point
class TomekLinks(FeatureCleaningSampler):
    """Remove the Tomek links: rows of two classes that are each other's nearest.

    A drop-in for ``imblearn.under_sampling.TomekLinks`` that also runs on PyTorch,
    CuPy, JAX and array-api-strict arrays on their own device. Only the ends of the
    links that belong to a class targeted by ``sampling_strategy`` are removed (one
    against the rest for more than two classes). Rather than a neighbour search from
    every row, the search runs from the rows outside the largest class and from their
    neighbours inside it, which finds every link.

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes. As
        in imbalanced-learn, a dict is refused, and so is a callable (it must return
        a dict).
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; the neighbour search uses
        its library's own threads.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The targeted classes (their values are placeholders, as in imbalanced-learn).
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, in increasing order, on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    Dask arrays, DataFrames and Series (all arguments Dask, with the same row
    partitions) give lazy results of the same types, with the rows the in-memory
    search removes: exact nearest neighbours are found where the rows live, from the
    rows outside the largest class (or of the targeted classes) and then from their
    partners, ``(n_query + n_partners) x n_samples`` distances in all (see
    ``balancekit.dask._cleaning``). The searches run on the call; output partition
    ``i`` holds the kept rows of input partition ``i`` and ``sample_indices_`` is a
    lazy Dask array.

    Distances are Euclidean on the flattened features. On data with equal distances
    the nearest neighbour is not unique and the links found may differ from
    imbalanced-learn's, which picks the second hit of a search that counts the row
    itself.

    References
    ----------
    I. Tomek, "Two modifications of CNN", IEEE Transactions on Systems, Man, and
    Cybernetics, vol. 6, pp. 769-772, 1976.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import TomekLinks
    >>> X = np.array([[0.0], [1.0], [1.5], [5.0], [6.0], [9.0]])
    >>> y = np.array([0, 0, 1, 0, 0, 1])
    >>> tomek = TomekLinks()
    >>> X_res, y_res = tomek.fit_resample(X, y)
    >>> tomek.sample_indices_.tolist()
    [0, 2, 3, 4, 5]
    >>> X_res.ravel().tolist()
    [0.0, 1.5, 5.0, 6.0, 9.0]
    """

    def __init__(self, *, sampling_strategy: Any = "auto", n_jobs: Any = None) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        self._check_n_jobs()

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._cleaning import tomek_links

        result = tomek_links(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        largest = labels.classes[int(np.argmax(labels.counts))]
        ends = tomek_link_ends(flat, labels.y, largest, xp)
        n_samples = int(labels.y.shape[0])
        rows = xp.arange(n_samples, dtype=ends.dtype, device=device)
        # Only the ends in the targeted classes are removed.
        removed = xpx.isin(rows, ends, xp=xp) & class_mask(
            labels.y, self.sampling_strategy_, xp, device
        )
        return xp.nonzero(~removed)[0]
