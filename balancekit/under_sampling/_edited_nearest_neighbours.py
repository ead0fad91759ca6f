"""Edited nearest neighbours and its repeated forms (RENN, AllKNN).

A row of a targeted class is removed when its neighbours disagree with its class: all
of them must share it (``kind_sel="all"``) or the most common class among them must be
it (``kind_sel="mode"``, ties going to the smallest class). Only the rows of the
targeted classes are searched from, against every row. RENN repeats the editing until
it stops changing; AllKNN repeats it with 1, 2, ... up to ``n_neighbors`` neighbours.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import class_indices, index_dtype, take_rows
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels, check_labels
from balancekit._neighbors import (
    NearestNeighbors,
    check_neighbors_object,
    kneighbors_of,
    n_neighbors_of,
)
from balancekit._params import check_bool, check_choice, check_int
from balancekit._sampling_strategy import resolve_sampling_strategy
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.under_sampling._tomek_links import FeatureCleaningSampler

__all__ = [
    "AllKNN",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "edited_indices",
]

SELECTION_KINDS = ("all", "mode")


def _agrees(
    neighbour_labels: Array,
    cls: Any,
    classes: tuple,
    kind_sel: str,
    xp: ModuleType,
    device: Device,
) -> Any:
    """Whether the neighbours of each row of class ``cls`` vouch for that class."""
    if kind_sel == "all":
        return xp.all(neighbour_labels == cls, axis=1)
    # The mode, ties to the smallest class: a strictly larger count takes over.
    n_rows, count_dtype = int(neighbour_labels.shape[0]), index_dtype(xp, device)
    best = xp.zeros(n_rows, dtype=count_dtype, device=device)
    own_is_mode = xp.zeros(n_rows, dtype=xp.bool, device=device)
    for other in classes:
        count = xp.count_nonzero(neighbour_labels == other, axis=1)
        count = xp.astype(count, count_dtype, copy=False)
        larger = count > best
        best = xp.where(larger, count, best)
        own_is_mode = larger if other == cls else own_is_mode & ~larger
    return own_is_mode


def _check_enough_rows(estimator: Any, n_rows: int) -> None:
    if isinstance(estimator, NearestNeighbors) and estimator.n_neighbors > n_rows:
        k = estimator.n_neighbors - 1
        raise ValueError(
            f"`n_neighbors`={k} needs at least {k + 1} samples (each row's "
            f"neighbours exclude the row itself); got {n_rows}. Lower `n_neighbors`."
        )


def edited_indices(
    flat: Array,
    labels: Labels,
    targets: Mapping,
    estimator: Any,
    kind_sel: str,
    xp: ModuleType,
    device: Device,
) -> Any:
    """Rows kept by one editing pass, grouped by class in sorted class order.

    Rows of the classes in ``targets`` are kept when their neighbours among all rows
    (``estimator``'s first hit, the row itself, left out) agree with their class; rows
    of other classes are all kept. Within a class, rows keep their order.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> from balancekit._labels import check_labels
    >>> X = np.array([[0.0], [1.0], [2.0], [6.4], [5.0], [6.0], [7.0], [8.0]])
    >>> labels = check_labels(np.array([0, 0, 0, 0, 1, 1, 1, 1]), xp)
    >>> nn = NearestNeighbors(n_neighbors=3)
    >>> edited_indices(X, labels, {0: 4}, nn, "all", xp, "cpu").tolist()
    [0, 1, 2, 4, 5, 6, 7]
    """
    _check_enough_rows(estimator, int(labels.y.shape[0]))
    # One fit on every row; only the targeted classes are queried, the rows of the
    # other classes are kept without a search.
    estimator.fit(flat)
    parts = []
    for cls in labels.classes:
        members = class_indices(labels.y, cls, xp)
        if cls in targets:
            query = take_rows(flat, members, xp)
            found = kneighbors_of(estimator, query, "n_neighbors", xp, device)
            # Column 0 is the row itself (queried on the fitted rows).
            neighbours = found[:, 1:]
            neighbour_labels = xp.reshape(
                xp.take(labels.y, xp.reshape(neighbours, (-1,)), axis=0),
                neighbours.shape,
            )
            keep = _agrees(neighbour_labels, cls, labels.classes, kind_sel, xp, device)
            members = xp.take(members, xp.nonzero(keep)[0], axis=0)
        parts.append(xp.astype(members, index_dtype(xp, device), copy=False))
    return xp.concat(parts)


def _first_seen_minority(labels: Labels, xp: ModuleType) -> Any:
    """The smallest class; among tied ones, the one met first in ``y``.

    This is the class imbalanced-learn's stopping rules measure against (it counts
    with ``collections.Counter``); one host scalar per tied class.
    """
    n_minority = min(labels.counts)
    pairs = zip(labels.classes, labels.counts, strict=True)
    tied = [cls for cls, n in pairs if n == n_minority]
    if len(tied) == 1:
        return tied[0]
    first = {c: int(class_indices(labels.y, c, xp)[0]) for c in tied}
    return min(tied, key=first.__getitem__)


def _shrank_below_minority(counts: Mapping, original: Mapping, minority: Any) -> bool:
    """Whether a class other than the original minority fell below its count."""
    return any(n < original[minority] for c, n in counts.items() if c != minority)


class _EditingSampler(FeatureCleaningSampler):
    """What ENN, RENN and AllKNN share: ``n_neighbors``, ``kind_sel``, checks."""

    def _neighbours(self) -> Any:
        """A fresh neighbours object; an int ``k`` asks for ``k + 1`` (the row too)."""
        return check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1
        )

    def _check_params(self, data: Validated) -> None:
        self._neighbours()
        check_choice(self.kind_sel, "kind_sel", SELECTION_KINDS)
        self._check_n_jobs()

    def _edit_round(
        self,
        flat: Array,
        labels: Labels,
        estimator: Any,
        xp: ModuleType,
        device: Device,
    ) -> Any:
        """One editing pass, the strategy resolved on the remaining labels."""
        targets = resolve_sampling_strategy(
            self.sampling_strategy, labels.class_counts, "clean-sampling", y=labels.y
        )
        return edited_indices(
            flat, labels, targets, estimator, self.kind_sel, xp, device
        )


@dask_entry_point
class EditedNearestNeighbours(_EditingSampler):
    """Remove the rows whose nearest neighbours disagree with their class.

    A drop-in for ``imblearn.under_sampling.EditedNearestNeighbours`` that also runs
    on PyTorch, CuPy, JAX and array-api-strict arrays on their own device. Only the
    rows of the targeted classes are searched from (against every row).

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes. As
        in imbalanced-learn, a dict is refused, and so is a callable (it must return
        a dict).
    n_neighbors : int or object, default=3
        The number of neighbours examined, or an object with ``fit`` and
        ``kneighbors`` (scikit-learn, FAISS or cuML style) whose ``kneighbors``
        returns the row itself first: pass a 4-neighbour object to examine 3.
    kind_sel : {"all", "mode"}, default="all"
        ``"all"``: a row stays only if all its neighbours share its class. ``"mode"``:
        it stays if its class is the most common among them (ties go to the smallest
        class). ``"all"`` removes more.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; the neighbour search uses
        its library's own threads.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The targeted classes (their values are placeholders, as in imbalanced-learn).
    nn_ : object
        The neighbours object used.
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, grouped by class in sorted class order, on the input's
        device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    Dask arrays, DataFrames and Series (all arguments Dask, with the same row
    partitions, ``n_neighbors`` an int) give lazy results of the same types, with the
    rows the in-memory sampler removes. Every row of the targeted classes needs its
    exact neighbours: blocks of them are searched against every partition,
    O(n_targeted x n_samples) distances, O(n_samples^2 / workers) time when a large
    class is targeted (see ``balancekit.dask._cleaning``). The searches run on the
    call; output partition ``i`` holds the kept rows of input partition ``i`` in
    input order (not grouped by class) and ``sample_indices_`` is a lazy Dask array.

    References
    ----------
    D. Wilson, "Asymptotic properties of nearest neighbor rules using edited data",
    IEEE Transactions on Systems, Man, and Cybernetics, vol. 2 (3), pp. 408-421, 1972.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import EditedNearestNeighbours
    >>> X = np.array([[0.0], [1.0], [2.0], [2.2], [3.0], [4.0], [5.0]])
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1])
    >>> enn = EditedNearestNeighbours(n_neighbors=2)
    >>> X_res, y_res = enn.fit_resample(X, y)
    >>> enn.sample_indices_.tolist()
    [0, 1, 2, 4, 5, 6]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: Any = 3,
        kind_sel: str = "all",
        n_jobs: Any = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._cleaning import edited_nearest_neighbours

        result = edited_nearest_neighbours(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        self.nn_ = self._neighbours()
        return edited_indices(
            flat, labels, self.sampling_strategy_, self.nn_, self.kind_sel, xp, device
        )


class _RepeatedEditing(_EditingSampler):
    """The loop of RENN and AllKNN: edit the remaining rows until a rule stops it."""

    def _enn(self, n_neighbors: Any) -> EditedNearestNeighbours:
        return EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy,
            n_neighbors=n_neighbors,
            kind_sel=self.kind_sel,
            n_jobs=self.n_jobs,
        )

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._repeated_editing import repeated_editing

        result = repeated_editing(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    @abstractmethod
    def _rounds(self, nn: Any) -> Iterator[Any]:
        """The neighbours object of each round, in order."""

    @abstractmethod
    def _stops(
        self, converged: bool, counts: Mapping, original: Mapping, minority: Any
    ) -> bool:
        """Whether to stop after a round that left ``counts`` rows per class."""

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        self.nn_ = self._neighbours()
        self.enn_ = self._enn(self.nn_)
        original = labels.class_counts
        minority = _first_seen_minority(labels, xp)
        kept, current, subset = None, labels, flat
        n_rounds = 0
        for estimator in self._rounds(self.nn_):
            n_rounds += 1
            local = self._edit_round(subset, current, estimator, xp, device)
            converged = local.shape[0] == current.y.shape[0]
            # `local` indexes the rows left after the previous rounds: compose the two
            # to keep indices into the original X.
            kept = local if kept is None else xp.take(kept, local, axis=0)
            # The strategy and the stopping rule read the rows left, as in
            # imbalanced-learn.
            current = check_labels(xp.take(labels.y, kept, axis=0), xp)
            if self._stops(converged, current.class_counts, original, minority):
                break
            subset = take_rows(flat, kept, xp)
        self.n_iter_ = n_rounds
        if kept is None:
            n_samples = int(labels.y.shape[0])
            kept = xp.arange(n_samples, dtype=index_dtype(xp, device), device=device)
        return kept


@dask_entry_point
class RepeatedEditedNearestNeighbours(_RepeatedEditing):
    """Repeat edited nearest neighbours until it stops removing rows.

    A drop-in for ``imblearn.under_sampling.RepeatedEditedNearestNeighbours`` that
    also runs on PyTorch, CuPy, JAX and array-api-strict arrays on their own device.
    Each round edits the remaining rows, with ``sampling_strategy`` resolved on them.
    It stops after ``max_iter`` rounds, when a round removes nothing, when a class
    other than the minority falls below the original minority count, or when a class
    disappears.

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes. As
        in imbalanced-learn, a dict is refused, and so is a callable (it must return
        a dict).
    n_neighbors : int or object, default=3
        The number of neighbours examined, or an object with ``fit`` and
        ``kneighbors`` whose ``kneighbors`` returns the row itself first.
    max_iter : int, default=100
        The most editing rounds.
    kind_sel : {"all", "mode"}, default="all"
        ``"all"``: a row stays only if all its neighbours share its class. ``"mode"``:
        it stays if its class is the most common among them.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; the neighbour search uses
        its library's own threads.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The targeted classes of the first round.
    nn_ : object
        The neighbours object built from ``n_neighbors``.
    enn_ : EditedNearestNeighbours
        An editing sampler with this one's parameters.
    n_iter_ : int
        The number of rounds run.
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, in the order of the output rows, on the input's
        device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    When the first round removes nothing, imbalanced-learn 0.14 applies that round's
    reordering twice to ``sample_indices_``, which then no longer matches the rows it
    returns; here ``sample_indices_`` always indexes the returned rows.

    References
    ----------
    I. Tomek, "An experiment with the edited nearest-neighbor rule", IEEE Transactions
    on Systems, Man, and Cybernetics, vol. 6 (6), pp. 448-452, 1976.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import RepeatedEditedNearestNeighbours
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.5 * y[:, None]
    >>> renn = RepeatedEditedNearestNeighbours()
    >>> X_res, y_res = renn.fit_resample(X, y)
    >>> bool(renn.n_iter_ >= 1), np.bincount(y_res)[1].item()
    (True, 20)
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: Any = 3,
        max_iter: int = 100,
        kind_sel: str = "all",
        n_jobs: Any = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.max_iter = max_iter
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_int(self.max_iter, "max_iter")

    def _rounds(self, nn: Any) -> Iterator[Any]:
        for _ in range(int(self.max_iter)):
            yield self._neighbours()

    def _stops(
        self, converged: bool, counts: Mapping, original: Mapping, minority: Any
    ) -> bool:
        return (
            converged
            or _shrank_below_minority(counts, original, minority)
            or len(counts) < len(original)
        )


@dask_entry_point
class AllKNN(_RepeatedEditing):
    """Edit with 1, 2, ... up to ``n_neighbors`` neighbours, one round each.

    A drop-in for ``imblearn.under_sampling.AllKNN`` that also runs on PyTorch, CuPy,
    JAX and array-api-strict arrays on their own device. Each round edits the rows
    the previous rounds kept, with ``sampling_strategy`` resolved on them. It stops
    early when a class other than the minority falls below the original minority
    count (unless ``allow_minority``) or when a class disappears.

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes. As
        in imbalanced-learn, a dict is refused, and so is a callable (it must return
        a dict).
    n_neighbors : int or object, default=3
        The largest neighbourhood examined, or an object with ``fit``,
        ``kneighbors`` and an ``n_neighbors`` parameter (the largest neighbourhood
        plus one, the row itself); each round uses a copy with ``n_neighbors`` set.
    kind_sel : {"all", "mode"}, default="all"
        ``"all"``: a row stays only if all its neighbours share its class. ``"mode"``:
        it stays if its class is the most common among them.
    allow_minority : bool, default=False
        Keep going when a class falls below the original minority count.
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; the neighbour search uses
        its library's own threads.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The targeted classes of the first round.
    nn_ : object
        The neighbours object built from ``n_neighbors``.
    enn_ : EditedNearestNeighbours
        An editing sampler with the last round's parameters.
    n_iter_ : int
        The number of rounds run (imbalanced-learn's AllKNN does not record it).
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, in the order of the output rows, on the input's
        device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    References
    ----------
    I. Tomek, "An experiment with the edited nearest-neighbor rule", IEEE Transactions
    on Systems, Man, and Cybernetics, vol. 6 (6), pp. 448-452, 1976.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import AllKNN
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.5 * y[:, None]
    >>> X_res, y_res = AllKNN().fit_resample(X, y)
    >>> np.bincount(y_res)[1].item()
    20
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: Any = 3,
        kind_sel: str = "all",
        allow_minority: bool = False,
        n_jobs: Any = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_bool(self.allow_minority, "allow_minority")
        if n_neighbors_of(self._neighbours()) is None:
            raise TypeError(
                "`n_neighbors` as an object must have an integer `n_neighbors` "
                "parameter for AllKNN, which sets it to 2, 3, ... in turn."
            )

    def _rounds(self, nn: Any) -> Iterator[Any]:
        largest = n_neighbors_of(nn) or 0
        # Counts include the row itself: 2 is one true neighbour, imbalanced-learn's
        # first AllKNN round.
        for n_neighbors in range(2, largest + 1):
            estimator = self._neighbours()
            if hasattr(estimator, "set_params"):
                estimator.set_params(n_neighbors=n_neighbors)
            else:
                estimator.n_neighbors = n_neighbors
            self.enn_ = self._enn(n_neighbors - 1)
            yield estimator

    def _stops(
        self, converged: bool, counts: Mapping, original: Mapping, minority: Any
    ) -> bool:
        shrank = _shrank_below_minority(counts, original, minority)
        return (shrank and not self.allow_minority) or len(counts) < len(original)
