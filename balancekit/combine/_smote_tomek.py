"""SMOTE then Tomek links; also the base of the SMOTE-then-clean samplers.

The two steps are balancekit's own samplers, run one after the other through their
public ``fit_resample``: the data stays in its library and on its device, and the
weights of the synthetic rows (interpolated by SMOTE) follow the rows the cleaning
keeps.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from balancekit._dask_route import dask_entry_point
from balancekit._params import check_n_jobs
from balancekit._random import RandomStateLike
from balancekit._typing import Array
from balancekit._validation import Validated
from balancekit.base import BaseNumericFit, BaseSampler
from balancekit.over_sampling._smote import SMOTE
from balancekit.under_sampling._tomek_links import TomekLinks

__all__ = ["SMOTETomek"]


def check_step(name: str, step: Any, sampling_type: str, example: str) -> None:
    """``step`` must be None or a sampler of ``sampling_type`` with fit_resample."""
    if step is None:
        return
    if isinstance(step, type):
        raise TypeError(
            f"`{name}` must be a sampler instance, not a class; got the class "
            f"{step.__name__}. Pass `{step.__name__}()`."
        )
    has_fit_resample = callable(getattr(step, "fit_resample", None))
    if not has_fit_resample or getattr(step, "_sampling_type", None) != sampling_type:
        kind = "an over-sampler" if sampling_type == "over-sampling" else "a cleaner"
        raise TypeError(
            f"`{name}` must be None or {kind} with `fit_resample` (a sampler whose "
            f"_sampling_type is {sampling_type!r}, such as {example}); got "
            f"{type(step).__name__}."
        )


def resample_with(sampler: Any, X: Array, y: Array, sample_weight: Array) -> tuple:
    """``sampler.fit_resample`` as a triple (the weights None when not given)."""
    if sample_weight is None:
        X_res, y_res = sampler.fit_resample(X, y)
        return X_res, y_res, None
    return sampler.fit_resample(X, y, sample_weight=sample_weight)


class SMOTEThenClean(BaseNumericFit, BaseSampler):
    """Over-sample with SMOTE, then clean the result. Not for direct use.

    Subclasses name the cleaning step's parameter (``_cleaner_name``; the fitted
    copy is stored under that name plus ``_``) and build its default.
    """

    _sampling_type = "over-sampling"
    _cleaner_name: ClassVar[str]
    _cleaner_example: ClassVar[str]

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        smote: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.n_jobs = n_jobs

    @abstractmethod
    def _default_cleaner(self) -> Any:
        """The cleaning sampler used when none is given."""

    def _check_params(self, data: Validated) -> None:
        check_n_jobs(self.n_jobs)
        check_step("smote", self.smote, "over-sampling", "SMOTE")
        name = self._cleaner_name
        check_step(name, getattr(self, name), "clean-sampling", self._cleaner_example)

    def _smote(self) -> Any:
        if self.smote is not None:
            return clone(self.smote)
        return SMOTE(
            sampling_strategy=self.sampling_strategy, random_state=self.random_state
        )

    def _cleaner(self) -> Any:
        given = getattr(self, self._cleaner_name)
        return self._default_cleaner() if given is None else clone(given)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        self.smote_ = self._smote()
        cleaner = self._cleaner()
        setattr(self, f"{self._cleaner_name}_", cleaner)
        over = resample_with(self.smote_, data.X, data.y, data.sample_weight)
        # What the first step resolved (an over-sampler without it: the outer one).
        self.sampling_strategy_ = getattr(
            self.smote_, "sampling_strategy_", self.sampling_strategy_
        )
        return resample_with(cleaner, *over)

    def _fit_resample_dask(self, X: Any, y: Any, sample_weight: Any) -> tuple:
        from balancekit.dask._combine import smote_then_clean

        return smote_then_clean(self, X, y, sample_weight)

    def _fit_dask(self, X: Any, y: Any) -> None:
        from balancekit.dask._combine import smote_then_clean_fit

        smote_then_clean_fit(self, X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


@dask_entry_point
class SMOTETomek(SMOTEThenClean):
    """Over-sample with SMOTE, then remove the Tomek links.

    ``fit_resample`` runs ``SMOTE`` and then ``TomekLinks`` on its output, both
    balancekit's, so the whole runs on the input's device for NumPy, PyTorch, CuPy,
    JAX and array-api-strict arrays. A drop-in for ``imblearn.combine.SMOTETomek``.

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
    tomek : sampler or None, default=None
        The cleaner, cloned: ``TomekLinks`` or another cleaning sampler with
        ``fit_resample``. ``None`` builds ``TomekLinks(sampling_strategy="all",
        n_jobs=n_jobs)``: both ends of every link go.
    n_jobs : int or None, default=None
        Passed to the default ``TomekLinks`` (accepted for compatibility with
        imbalanced-learn).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples SMOTE added (imbalanced-learn stores the
        ``sampling_strategy`` parameter itself).
    smote_ : sampler
        The fitted over-sampler.
    tomek_ : sampler
        The fitted cleaner; its ``sample_indices_`` index SMOTE's output.
    n_features_in_ : int
        Size of the second axis of ``X``.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``.

    Notes
    -----
    With ``sample_weight``, SMOTE gives each new row its parents' weights
    interpolated with the same step, and the cleaning keeps the weights of the rows
    it keeps. ``smote`` and ``tomek`` may be any sampler of the right kind, where
    imbalanced-learn accepts only its ``SMOTE`` and ``TomekLinks``.

    References
    ----------
    G. Batista, B. Bazzan, M. Monard, "Balancing Training Data for Automated
    Annotation of Keywords: a Case Study", in WOB, pp. 10-18, 2003.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.combine import SMOTETomek
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.0 * y[:, None]
    >>> sampler = SMOTETomek(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> dict(sampler.sampling_strategy_)
    {1: 60}

    SMOTE grows class 1 to 80 rows; the Tomek links then take a few rows of both
    classes:

    >>> bool((np.bincount(y_res) <= 80).all() and len(y_res) < 160)
    True
    """

    _cleaner_name = "tomek"
    _cleaner_example = "TomekLinks"

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: RandomStateLike = None,
        smote: Any = None,
        tomek: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            smote=smote,
            n_jobs=n_jobs,
        )
        self.tomek = tomek

    def _default_cleaner(self) -> TomekLinks:
        return TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)
