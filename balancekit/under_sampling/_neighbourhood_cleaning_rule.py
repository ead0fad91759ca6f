"""Neighbourhood cleaning rule (Laurikkala, 2001): ENN, then the minority's neighbours.

Two groups of rows are removed. A1: the rows edited nearest neighbours (``kind_sel=
"mode"`` by default) removes. A2: the nearest neighbours of the minority rows that a
k-NN vote misclassifies, when they belong to a cleaned class large enough against
the minority (``threshold_cleaning``). Only the minority rows are searched from for A2.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat
import array_api_extra as xpx
import numpy as np
from sklearn.base import clone

from balancekit._array_api import (
    class_indices,
    index_dtype,
    is_numpy_namespace,
    take_rows,
)
from balancekit._dask_route import dask_entry_point
from balancekit._labels import Labels
from balancekit._neighbors import check_neighbors_object, kneighbors_of
from balancekit._params import check_scalar
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.under_sampling._edited_nearest_neighbours import (
    EditedNearestNeighbours,
    _agrees,
)
from balancekit.under_sampling._nearmiss import minority_class
from balancekit.under_sampling._tomek_links import FeatureCleaningSampler, class_mask

__all__ = ["NeighbourhoodCleaningRule", "outvoted_neighbours"]


@dask_entry_point
class NeighbourhoodCleaningRule(FeatureCleaningSampler):
    """Remove what ENN removes and the neighbours of misclassified minority rows.

    First, edited nearest neighbours (by default with ``kind_sel="mode"`` and this
    sampler's ``sampling_strategy`` and ``n_neighbors``) marks rows for removal.
    Then each minority row is classified by a vote of its ``n_neighbors`` nearest
    rows, itself included; when the vote is wrong, its ``n_neighbors`` nearest other
    rows are removed if their class is cleaned and has more than ``threshold_cleaning``
    times the minority count. A drop-in for
    ``imblearn.under_sampling.NeighbourhoodCleaningRule`` (0.14 rule) that also runs on
    PyTorch, CuPy, JAX and array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : str or list, default="auto"
        The classes to clean: ``"auto"`` (= ``"not minority"``), ``"majority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, or a list of classes.
    edited_nearest_neighbours : object or None, default=None
        The sampler of the first step, cloned: an object with ``fit_resample`` that
        sets ``sample_indices_`` (``EditedNearestNeighbours`` or another cleaning
        sampler). ``None`` builds ``EditedNearestNeighbours(sampling_strategy=
        sampling_strategy, n_neighbors=n_neighbors, kind_sel="mode")``.
    n_neighbors : int or object, default=3
        The number of neighbours of the vote and of the second step, or an object
        with ``fit`` and ``kneighbors`` (scikit-learn, FAISS or cuML style) whose
        ``kneighbors`` returns the row itself first: pass a 4-neighbour object to
        examine 3.
    threshold_cleaning : float, default=0.5
        A cleaned class gives up the neighbours of misclassified minority rows only
        when its count is larger than ``threshold_cleaning`` times the minority
        count. Any number > 0 (values above 1 spare classes of up to that many times
        the minority).
    n_jobs : int or None, default=None
        Accepted for compatibility with imbalanced-learn; passed to the default
        ``EditedNearestNeighbours``. The built-in search uses its library's threads.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        The cleaned classes (with placeholder values, as imbalanced-learn).
    edited_nearest_neighbours_ : object
        The fitted sampler of the first step.
    nn_ : object
        The neighbours object of the second step, fitted on ``X``; its
        ``kneighbors`` returns ``n_neighbors + 1`` rows, the row itself first.
    classes_to_clean_ : list
        The classes that give up the neighbours of misclassified minority rows, in
        sorted order.
    sample_indices_ : array of shape (n_resampled,)
        Rows of the input kept, in increasing order, on the input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    The vote is the mode of the ``n_neighbors`` nearest rows of a minority row, the
    row itself first (what ``KNeighborsClassifier.predict`` gives for a training
    row); ties go to the smallest class. The minority class is the smallest one
    (ties: the first to appear in ``y``, as imbalanced-learn).

    imbalanced-learn's ``nn_`` is a ``KNeighborsClassifier`` with ``n_neighbors``
    neighbours and its ``classes_to_clean_`` lists the classes in the order they
    first appear in ``y``. A ``KNeighborsClassifier`` as ``n_neighbors`` counts as
    a neighbours object here (the row itself among its neighbours), as it does for
    ``EditedNearestNeighbours``.

    Dask arrays, DataFrames and Series (all arguments Dask, with the same row
    partitions, ``n_neighbors`` an int and ``edited_nearest_neighbours`` None or an
    ``EditedNearestNeighbours``) give lazy results of the same types, with the rows
    the in-memory sampler removes. The editing step searches from every row of the
    targeted classes (O(n_targeted x n_samples) distances, O(n_samples^2 / workers)
    time for a large class), the second step from the minority rows only (see
    ``balancekit.dask._cleaning``). The searches run on the call; output partition
    ``i`` holds the kept rows of input partition ``i`` and ``sample_indices_`` is a
    lazy Dask array.

    References
    ----------
    J. Laurikkala, "Improving identification of difficult small classes by balancing
    class distribution", Springer Berlin Heidelberg, 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.under_sampling import NeighbourhoodCleaningRule
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.1], [5.0], [9.0], [9.5]])
    >>> y = np.array([0, 0, 0, 0, 1, 0, 1, 1])
    >>> ncr = NeighbourhoodCleaningRule(n_neighbors=2)
    >>> X_res, y_res = ncr.fit_resample(X, y)

    Row 4, a minority row among class 0, is outvoted: its two nearest rows (3 and 5)
    go.

    >>> ncr.sample_indices_.tolist()
    [0, 1, 2, 4, 6, 7]
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        edited_nearest_neighbours: Any = None,
        n_neighbors: Any = 3,
        threshold_cleaning: float = 0.5,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.n_jobs = n_jobs

    def _check_params(self, data: Validated) -> None:
        self._neighbours()
        self._check_n_jobs()
        check_scalar(
            self.threshold_cleaning, "threshold_cleaning", low=0, low_open=True
        )
        editor = self.edited_nearest_neighbours
        if editor is not None and not callable(getattr(editor, "fit_resample", None)):
            raise TypeError(
                "`edited_nearest_neighbours` must be None or a sampler with "
                "`fit_resample` that sets `sample_indices_` (e.g. "
                f"EditedNearestNeighbours); got {type(editor).__name__}."
            )

    def _neighbours(self) -> Any:
        """A fresh neighbours object; an int ``k`` asks for ``k + 1`` (the row too)."""
        return check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1
        )

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._cleaning import neighbourhood_cleaning_rule

        result = neighbourhood_cleaning_rule(self, X, y, sample_weight)
        return result if sample_weight is not None else result[:2]

    def _editor(self) -> Any:
        """A fresh sampler for the first step."""
        if self.edited_nearest_neighbours is not None:
            return clone(self.edited_nearest_neighbours)
        return EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy,
            n_neighbors=self.n_neighbors,
            kind_sel="mode",
            n_jobs=self.n_jobs,
        )

    def _kept_indices(
        self,
        flat: Array,
        labels: Labels,
        xp: ModuleType,
        device: Device,
        rng: np.random.Generator,
    ) -> Any:
        self.edited_nearest_neighbours_ = self._editor()
        edited = _edited_rows(self.edited_nearest_neighbours_, flat, labels.y, xp)
        edited = xp.astype(edited, index_dtype(xp, device), copy=False)
        minority = minority_class(labels, xp)
        self.classes_to_clean_ = self._classes_to_clean(labels, minority)
        neighbourhoods = self._misclassified_neighbourhoods(
            flat, labels, minority, xp, device
        )
        # Sorted and unique: the rows kept by the first step, less the second's.
        return xpx.setdiff1d(edited, neighbourhoods, xp=xp)

    def _classes_to_clean(self, labels: Labels, minority: Any) -> list:
        """The cleaned classes larger than ``threshold_cleaning`` x the minority."""
        smallest = labels.class_counts[minority] * self.threshold_cleaning
        return [
            cls
            for cls, n in zip(labels.classes, labels.counts, strict=True)
            if cls in self.sampling_strategy_ and n > smallest
        ]

    def _misclassified_neighbourhoods(
        self, flat: Array, labels: Labels, minority: Any, xp: ModuleType, device: Device
    ) -> Any:
        """Rows of ``classes_to_clean_`` near a minority row the vote gets wrong."""
        self.nn_ = self._neighbours()
        self.nn_.fit(flat)
        members = class_indices(labels.y, minority, xp)
        query = take_rows(flat, members, xp)
        found = kneighbors_of(self.nn_, query, "n_neighbors", xp, device)
        neighbours = outvoted_neighbours(found, labels, minority, xp, device)
        in_cleaned = class_mask(
            xp.take(labels.y, neighbours, axis=0), self.classes_to_clean_, xp, device
        )
        neighbours = xp.take(neighbours, xp.nonzero(in_cleaned)[0], axis=0)
        return xp.astype(neighbours, index_dtype(xp, device), copy=False)


def outvoted_neighbours(
    found: Any, labels: Labels, minority: Any, xp: ModuleType, device: Device
) -> Any:
    """The neighbours of the minority rows that their neighbourhood outvotes.

    Row ``i`` of ``found`` holds the k + 1 nearest rows of a minority row, the row
    itself first. The vote is the mode of the first k labels (ties to the smallest
    class); when it is not the minority, the k rows after the first are returned
    (flattened, duplicates possible).

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> from balancekit._labels import check_labels
    >>> labels = check_labels(np.array([0, 0, 0, 1, 1]), xp)
    >>> found = np.array([[3, 0, 1], [4, 3, 2]])
    >>> outvoted_neighbours(found, labels, 1, xp, "cpu").tolist()
    [0, 1]
    """
    if int(found.shape[1]) < 2:
        raise ValueError(
            "The `n_neighbors` object must return at least 2 neighbours per row: "
            "the row itself and one or more neighbours."
        )
    k = int(found.shape[1]) - 1
    found_labels = xp.reshape(
        xp.take(labels.y, xp.reshape(found, (-1,)), axis=0), found.shape
    )
    # The first k labels include the row itself, as imbalanced-learn's
    # KNeighborsClassifier predicting on its own training rows does: kept for
    # the same rows.
    votes = found_labels[:, :k]
    outvoted = ~_agrees(votes, minority, labels.classes, "mode", xp, device)
    outvoted_rows = xp.take(found, xp.nonzero(outvoted)[0], axis=0)
    return xp.reshape(outvoted_rows[:, 1:], (-1,))


def _edited_rows(editor: Any, flat: Array, y: Array, xp: ModuleType) -> Any:
    """The rows the first step keeps, as an integer array of namespace ``xp``."""
    editor.fit_resample(flat, y)
    kept = getattr(editor, "sample_indices_", None)
    if kept is None:
        raise TypeError(
            "`edited_nearest_neighbours` must set `sample_indices_` in fit_resample; "
            f"{type(editor).__name__} did not."
        )
    if is_numpy_namespace(xp):
        same_library = isinstance(kept, np.ndarray)
    else:
        same_library = (
            array_api_compat.is_array_api_obj(kept)
            and array_api_compat.array_namespace(kept) is xp
        )
    if not same_library:
        raise TypeError(
            "`edited_nearest_neighbours` returned `sample_indices_` of type "
            f"{type(kept).__name__}, not an array of the input's library; use a "
            "balancekit sampler for this input."
        )
    return kept
