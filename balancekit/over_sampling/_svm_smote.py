"""SVM-SMOTE: synthetic rows grown from the support vectors of an SVM.

Nguyen, Cooper and Kamei (2011): the support vectors of a class trace the decision
border. Support vectors whose ``m_neighbors`` nearest rows are all of other classes are
noise and dropped; the others are *in danger* (at least half of those neighbours from
other classes), where new rows are interpolated towards same-class neighbours, or
*safe*, where new rows are extrapolated away from them (step in ``(-out_step, 0]``) to
push the class border outwards.

Where it runs: the SVM is scikit-learn's ``SVC`` (or the user's estimator), fitted on
the host on a host copy of the features (none for NumPy and CPU tensors); only its
support vector indices (O(n_support) integers) cross back to the device. The noise,
danger and safe tests, the k-nearest-neighbour searches and the interpolation run on the
input's device, with the draws (O(n_new) numbers) made on the host.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone
from sklearn.svm import SVC

from balancekit._array_api import (
    class_indices,
    estimator_input,
    move_indices,
    take_rows,
    to_host,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._neighbors import check_neighbors_object
from balancekit._params import check_scalar
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit._warnings import user_stacklevel
from balancekit.over_sampling._smote_base import (
    BaseSMOTE,
    SyntheticRows,
    count_other_class,
    fit_neighbours,
    neighbours_excluding_self,
)

__all__ = ["SVMSMOTE"]


@gathered_on_dask
class SVMSMOTE(BaseSMOTE):
    """SVM-SMOTE (Nguyen et al., 2011): SMOTE from the support vectors of an SVM.

    An SVM (``SVC``) is fitted on all rows; the support vectors of the class to grow
    are its parents. A support vector whose ``m_neighbors`` nearest rows (over every
    class) are all of other classes is noise and is not used. Of the others, those in
    danger (at least half of the ``m_neighbors`` from other classes) get new rows
    interpolated towards one of their ``k_neighbors`` nearest same-class rows; the safe
    ones get new rows extrapolated away from such a neighbour, by up to ``out_step``
    times the distance. A Beta(10, 10) draw per class splits the rows to make between
    the two branches. A drop-in for ``imblearn.over_sampling.SVMSMOTE`` that also runs
    on PyTorch, CuPy, JAX and array-api-strict arrays on their own device.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the majority
        to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws, and ``random_state`` of the default ``SVC``. The same int
        gives the same rows on every array library.
    k_neighbors : int or object, default=5
        Number of same-class neighbours to interpolate towards (or extrapolate away
        from), or an object with ``fit`` and ``kneighbors`` whose ``kneighbors``
        returns the row itself first.
    m_neighbors : int or object, default=10
        Number of neighbours, over every class, that decide whether a support vector
        is noise, in danger or safe, or such an object.
    svm_estimator : estimator object, default=None
        An SVM that exposes ``support_`` once fitted (it is cloned, then fitted on
        every row); ``None`` gives ``SVC(gamma="scale", random_state=random_state)``.
    out_step : float, default=0.5
        Largest step of the extrapolation from safe support vectors, in [0, 1].

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples asked for.
    svm_estimator_ : estimator object
        The fitted SVM (fitted once on every row, on the host).
    danger_indices_, safe_indices_ : dict
        Class to the indices of its support vectors in danger / safe (noise removed),
        on the input's device.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        The recipe of the new rows (row ``i`` is ``X[parents[i]] + steps[i] *
        (X[partners[i]] - X[parents[i]])``; steps are in [0, 1) for rows from support
        vectors in danger and in (-out_step, 0] for rows from safe ones), on the
        input's device.
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    As in imbalanced-learn, when a class has no support vector in danger (or none
    safe), only the other branch's share of the rows is made, so that class gets
    fewer rows than ``sampling_strategy_`` asks; a warning says so. If every support
    vector of a class is noise, a ``ValueError`` is raised.

    The SVM runs on the host: features of another library are copied there once
    (flattened to 2-D) with the labels, and only the support vector indices move
    back. New rows take their parent's label; with ``sample_weight``, a new row gets
    its parents' weights interpolated with the same step.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.over_sampling import SVMSMOTE
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X = rng.normal(size=(100, 2)) + 1.5 * y[:, None]
    >>> sampler = SVMSMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [80, 80]
    >>> support = sampler.svm_estimator_.support_
    >>> bool(np.isin(sampler.synthetic_parents_, support).all())
    True
    """

    danger_indices_: dict
    safe_indices_: dict

    # Turned back into tensors after the NumPy route (BaseSampler._fitted_arrays).
    _fitted_arrays: ClassVar[tuple[str, ...]] = ("danger_indices_", "safe_indices_")

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        k_neighbors: Any = 5,
        m_neighbors: Any = 10,
        svm_estimator: Any = None,
        out_step: float = 0.5,
    ) -> None:
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            k_neighbors=k_neighbors,
        )
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _check_params(self, data: Validated) -> None:
        super()._check_params(data)
        check_neighbors_object("m_neighbors", self.m_neighbors, additional_neighbor=1)
        check_scalar(self.out_step, "out_step", low=0.0, high=1.0)
        if self.svm_estimator is not None and not hasattr(self.svm_estimator, "fit"):
            raise TypeError(
                "`svm_estimator` must be a scikit-learn SVM (an estimator with `fit` "
                "exposing `support_`, e.g. sklearn.svm.SVC()), or None for "
                f"SVC(gamma='scale'); got {type(self.svm_estimator).__name__}."
            )

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        flat, y = features.flat, data.labels.y
        recipe = SyntheticRows()
        self.danger_indices_ = {}
        self.safe_indices_ = {}
        support: np.ndarray | None = None
        y_host: np.ndarray | None = None
        m_estimator = None
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            if support is None:  # the SVM and the m-NN are fitted once, on every row
                y_host = to_host(y, xp)
                support = self._fit_svm(flat, y_host, xp, rng)
                m_estimator = fit_neighbours("m_neighbors", self.m_neighbors, flat)
            assert y_host is not None
            # Host -> device: this class's support vector indices, O(n_support).
            vectors = move_indices(support[y_host[support] == cls], xp, device)
            danger, safe = _danger_and_safe(
                m_estimator, flat, y, vectors, cls, xp, device
            )
            self.danger_indices_[cls], self.safe_indices_[cls] = danger, safe
            self._grow_class(
                flat, y, cls, int(n_new), danger, safe, recipe, rng, xp, device
            )
        return self._generate(data, features, recipe)

    def _fit_svm(
        self, flat: Array, y_host: np.ndarray, xp: ModuleType, rng: np.random.Generator
    ) -> np.ndarray:
        """Fit the SVM on a host copy of the features; its support vector indices."""
        if self.svm_estimator is None:
            self.svm_estimator_ = SVC(
                gamma="scale", random_state=_svc_seed(self.random_state, rng)
            )
        else:
            self.svm_estimator_ = clone(self.svm_estimator)
        # The SVM is scikit-learn's: the features cross to the host once (no copy for
        # NumPy or SciPy sparse; CPU tensors arrive here as NumPy views).
        X_host = estimator_input(flat, xp)
        self.svm_estimator_.fit(X_host, y_host)
        support = getattr(self.svm_estimator_, "support_", None)
        if support is None:
            raise RuntimeError(
                "`svm_estimator` must expose a `support_` fitted attribute (the "
                "indices of the support vectors): use a support vector machine such "
                f"as sklearn.svm.SVC; got {type(self.svm_estimator_).__name__}."
            )
        return np.asarray(support, dtype=np.int64)

    def _grow_class(
        self,
        flat: Array,
        y: Array,
        cls: Any,
        n_new: int,
        danger: Array,
        safe: Array,
        recipe: SyntheticRows,
        rng: np.random.Generator,
        xp: ModuleType,
        device: Device,
    ) -> None:
        """Add the recipe of class ``cls``'s new rows: danger first, then safe."""
        members = class_indices(y, cls, xp)
        points = take_rows(flat, members, xp)
        k_estimator = fit_neighbours("k_neighbors", self.k_neighbors, points, cls)
        # imbalanced-learn's split: a Beta(10, 10) share (about half) of the rows
        # comes from the support vectors in danger, the rest from the safe ones.
        n_danger = int(rng.beta(10, 10) * (n_new + 1))
        n_safe = n_new - n_danger
        n_made = 0
        # Interpolation (step in [0, 1)) inside the border; extrapolation (step in
        # (-out_step, 0]) away from the same-class neighbour, outside the border.
        for parents, n_rows, scale in (
            (danger, n_danger, 1.0),
            (safe, n_safe, -float(self.out_step)),
        ):
            if int(parents.shape[0]) == 0 or n_rows == 0:
                continue
            query = take_rows(flat, parents, xp)
            neighbours = neighbours_excluding_self(
                k_estimator, query, "k_neighbors", xp, device
            )
            pair_parents, partners = self._draw_pairs(
                neighbours, parents, n_rows, rng, xp, device, partner_rows=members
            )
            recipe.add(pair_parents, partners, scale * rng.uniform(size=n_rows))
            n_made += n_rows
        if n_made < n_new:
            _warn_one_branch(cls, n_made, n_new, int(danger.shape[0]) == 0)


def _danger_and_safe(
    estimator: Any,
    flat: Array,
    y: Array,
    vectors: Array,
    cls: Any,
    xp: ModuleType,
    device: Device,
) -> tuple[Any, Any]:
    """The support vectors of ``cls`` in danger and safe; noise removed.

    Among each vector's m nearest rows (``estimator``, fitted on every row): all of
    another class is noise, at least half is danger, fewer is safe.
    """
    neighbours = neighbours_excluding_self(
        estimator, take_rows(flat, vectors, xp), "m_neighbors", xp, device
    )
    m = int(neighbours.shape[1])
    n_other = count_other_class(neighbours, y, cls, xp)
    noise = n_other == m
    if bool(xp.all(noise)):
        raise ValueError(
            f"All support vectors of class {cls!r} are noise (every one of their "
            "`m_neighbors` nearest neighbours is of another class), so SVMSMOTE "
            "has nothing to grow from. SVM-SMOTE is not adapted to this data set: try "
            "another SMOTE variant, a larger `m_neighbors` or another `svm_estimator`."
        )
    danger = (2 * n_other >= m) & ~noise
    safe = 2 * n_other < m
    return (
        xp.take(vectors, xp.nonzero(danger)[0], axis=0),
        xp.take(vectors, xp.nonzero(safe)[0], axis=0),
    )


def _svc_seed(random_state: Any, rng: np.random.Generator) -> Any:
    """The default SVC's ``random_state``: the user's, or an int from a Generator."""
    if isinstance(random_state, np.random.Generator):
        return int(rng.integers(np.iinfo(np.int32).max))
    return random_state


def _warn_one_branch(cls: Any, n_made: int, n_new: int, no_danger: bool) -> None:
    """Say that class ``cls`` gets fewer rows: one branch had no support vector."""
    branch = "in danger" if no_danger else "safe"
    warnings.warn(
        f"SVMSMOTE found no support vector of class {cls!r} {branch}, so it made only "
        f"the other branch's share: {n_made} of the {n_new} rows asked for, as "
        "imbalanced-learn does. Try another `svm_estimator`, `m_neighbors`, or SMOTE.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
