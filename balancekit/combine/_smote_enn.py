"""SMOTE then edited nearest neighbours."""

from __future__ import annotations

from typing import Any

from balancekit._dask_route import dask_entry_point
from balancekit._random import RandomStateLike
from balancekit.combine._smote_tomek import SMOTEThenClean
from balancekit.under_sampling._edited_nearest_neighbours import (
    EditedNearestNeighbours,
)

__all__ = ["SMOTEENN"]


@dask_entry_point
class SMOTEENN(SMOTEThenClean):
    """Over-sample with SMOTE, then clean with edited nearest neighbours.

    ``fit_resample`` runs ``SMOTE`` and then ``EditedNearestNeighbours`` on its
    output, both balancekit's, so the whole runs on the input's device for NumPy,
    PyTorch, CuPy, JAX and array-api-strict arrays. A drop-in for
    ``imblearn.combine.SMOTEENN``.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What SMOTE reaches when ``smote`` is None (see ``SMOTE``): ``"auto"`` grows
        every class but the majority to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of SMOTE's draws when ``smote`` is None.
    smote : sampler or None, default=None
        The over-sampler, cloned: ``SMOTE`` or another over-sampler with
        ``fit_resample``. ``None`` builds ``SMOTE(sampling_strategy=
        sampling_strategy, random_state=random_state)``.
    enn : sampler or None, default=None
        The cleaner, cloned: ``EditedNearestNeighbours`` or another cleaning
        sampler with ``fit_resample``. ``None`` builds ``EditedNearestNeighbours(
        sampling_strategy="all", n_jobs=n_jobs)``: every class is edited, with 3
        neighbours and ``kind_sel="all"``.
    n_jobs : int or None, default=None
        Passed to the default ``EditedNearestNeighbours`` (accepted for
        compatibility with imbalanced-learn).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples SMOTE added (imbalanced-learn stores the
        ``sampling_strategy`` parameter itself).
    smote_ : sampler
        The fitted over-sampler.
    enn_ : sampler
        The fitted cleaner; its ``sample_indices_`` index SMOTE's output.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    With ``sample_weight``, SMOTE gives each new row its parents' weights
    interpolated with the same step, and the cleaning keeps the weights of the rows
    it keeps. ``smote`` and ``enn`` may be any sampler of the right kind, where
    imbalanced-learn accepts only its ``SMOTE`` and ``EditedNearestNeighbours``.

    References
    ----------
    G. Batista, R. C. Prati, M. C. Monard, "A study of the behavior of several
    methods for balancing machine learning training data", ACM SIGKDD Explorations
    Newsletter 6 (1), pp. 20-29, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.combine import SMOTEENN
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.0 * y[:, None]
    >>> sampler = SMOTEENN(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> dict(sampler.sampling_strategy_)
    {1: 60}

    SMOTE grows class 1 to 80 rows; ENN then removes the rows of either class whose
    3 nearest neighbours are not all of their class:

    >>> bool((np.bincount(y_res) < 80).all())
    True
    """

    _cleaner_name = "enn"
    _cleaner_example = "EditedNearestNeighbours"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        smote: Any = None,
        enn: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            smote=smote,
            n_jobs=n_jobs,
        )
        self.enn = enn

    def _default_cleaner(self) -> EditedNearestNeighbours:
        return EditedNearestNeighbours(sampling_strategy="all", n_jobs=self.n_jobs)
