"""FunctionSampler: a user's resampling function behind the sampler interface.

imbalanced-learn's ``FunctionSampler``: ``fit_resample`` calls ``func(X, y,
**kw_args)`` and returns what it returns, so any function slots into an
``imblearn.pipeline.Pipeline``. With ``validate=True`` the inputs are checked first (and
host containers given back as they came); with ``validate=False`` the function gets the
caller's arrays untouched, whatever their library or device.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.utils import check_array

from balancekit._array_api import is_numpy_namespace, is_pandas, is_sparse
from balancekit._dask_route import gathered_on_dask, has_dask
from balancekit._features import numeric_features
from balancekit._params import check_bool
from balancekit._typing import Array
from balancekit._validation import Validated
from balancekit.base import BaseSampler

__all__ = ["FunctionSampler"]


def _identity(X: Array, y: Array, sample_weight: Array = None) -> tuple:
    return (X, y) if sample_weight is None else (X, y, sample_weight)


@gathered_on_dask
class FunctionSampler(BaseSampler):
    """Construct a sampler from a function: ``func(X, y, **kw_args)``.

    A drop-in for ``imblearn.FunctionSampler``. With ``validate=True`` the function
    receives what imbalanced-learn gives it for host data (NumPy arrays, or SciPy
    sparse matrices, of finite numbers; pandas and lists are converted and the results
    converted back), and, for PyTorch, CuPy, JAX or array-api-strict input, the
    caller's arrays themselves after the same checks, on their own device. With
    ``validate=False`` it receives the caller's ``X`` and ``y`` as given.

    Parameters
    ----------
    func : callable, default=None
        ``func(X, y, **kw_args) -> (X_resampled, y_resampled)``; ``None`` is the
        identity (weights included). With ``sample_weight`` passed to
        ``fit_resample``, it is called as ``func(X, y, sample_weight=...,
        **kw_args)`` and must return three values.
    accept_sparse : bool, default=True
        Whether ``validate=True`` accepts a SciPy sparse ``X``.
    kw_args : dict, default=None
        Keyword arguments for ``func``.
    validate : bool, default=True
        Whether to check (and, for host containers, convert) ``X`` and ``y`` before
        calling ``func``.

    Attributes
    ----------
    sampling_strategy_ : str
        ``"auto"``: the function decides what to sample (imbalanced-learn's
        ``"bypass"`` sampling type).
    n_features_in_ : int
        Size of the second axis of ``X`` (with ``validate=True``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame ``X`` (with ``validate=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit import FunctionSampler
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> def keep_first(X, y, n):
    ...     return X[:n], y[:n]
    >>> X_res, y_res = FunctionSampler(
    ...     func=keep_first, kw_args={"n": 3}
    ... ).fit_resample(X, y)
    >>> X_res.shape, y_res.tolist()
    ((3, 2), [0, 0, 0])
    """

    _sampling_type = "bypass"
    # The function gets the caller's arrays (tensors stay tensors).
    _tensor_route = False

    def __init__(
        self,
        *,
        func: Callable[..., Any] | None = None,
        accept_sparse: bool = True,
        kw_args: dict | None = None,
        validate: bool = True,
    ) -> None:
        super().__init__()
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    def _check_own_params(self) -> None:
        if self.func is not None and not callable(self.func):
            raise TypeError(
                "`func` must be a callable func(X, y, **kw_args) returning (X, y), or "
                f"None for the identity; got {type(self.func).__name__}."
            )
        check_bool(self.accept_sparse, "accept_sparse")
        check_bool(self.validate, "validate")
        if self.kw_args is not None and not isinstance(self.kw_args, dict):
            raise TypeError(
                "`kw_args` must be a dict of keyword arguments for `func`, or None; "
                f"got {type(self.kw_args).__name__}."
            )

    def fit(self, X: Array, y: Array) -> FunctionSampler:
        """Check the inputs (with ``validate=True``); use ``fit_resample`` to sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features, ...)
            Features.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
        """
        if has_dask((X, y)):
            self._fit_dask(X, y)
            return self
        self._check_own_params()
        if self.validate:
            self._checked_inputs(self._validate(X, y))
        else:
            self.sampling_strategy_ = self.sampling_strategy
        return self

    def fit_resample(self, X: Array, y: Array, *, sample_weight: Array = None) -> tuple:
        """Call ``func`` on the (checked) data and return its result.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features, ...)
            Features, in any supported library (never modified).
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels; one-hot rows reach ``func`` as positions and come back
            one-hot (with ``validate=True``).
        sample_weight : array-like of shape (n_samples,), optional
            Passed to ``func`` as ``sample_weight=``; ``func`` then returns three
            values.

        Returns
        -------
        X_resampled, y_resampled[, sample_weight_resampled]
            ``func``'s result; with ``validate=True``, pandas, list and one-hot inputs
            get their containers back.
        """
        if has_dask((X, y, sample_weight)):
            return self._fit_resample_dask(X, y, sample_weight)
        self._check_own_params()
        if not self.validate:
            self.sampling_strategy_ = self.sampling_strategy
            return self._call(X, y, sample_weight)
        data = self._validate(X, y, sample_weight)
        X_in, y_in, w_in = self._checked_inputs(data)
        output = self._call(X_in, y_in, w_in)
        return self._restore(output, data, X, y)

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        # Not reached: fit_resample above calls the function itself.
        X_in, y_in, w_in = self._checked_inputs(data)
        return self._call(X_in, y_in, w_in)

    def _call(self, X: Array, y: Array, sample_weight: Array) -> tuple:
        func = _identity if self.func is None else self.func
        kw_args = dict(self.kw_args or {})
        if sample_weight is not None:
            kw_args["sample_weight"] = sample_weight
        output = func(X, y, **kw_args)
        expected = 2 if sample_weight is None else 3
        if not isinstance(output, tuple | list) or len(output) != expected:
            got = len(output) if isinstance(output, tuple | list) else "not a tuple"
            raise ValueError(
                f"`func` must return {expected} values (X_resampled, y_resampled"
                f"{', sample_weight_resampled' if expected == 3 else ''}); got {got}."
            )
        return tuple(output)

    def _checked_inputs(self, data: Validated) -> tuple:
        """What ``func`` receives with ``validate=True``, after imblearn's checks."""
        if is_numpy_namespace(data.xp):
            # Host data: exactly what imbalanced-learn hands its function (finite
            # numbers, NumPy or SciPy sparse, labels 1-D).
            X = check_array(
                data.X,
                accept_sparse=self.accept_sparse,
                dtype="numeric",
                allow_nd=True,
            )
            y = np.asarray(data.labels.y)
            w = data.sample_weight
            if w is not None:
                w = w.to_numpy() if is_pandas(w) else np.asarray(w)
            return X, y, w
        # Other libraries: the caller's arrays on their device, checked in place.
        numeric_features(
            data.X,
            data.xp,
            data.device,
            why="FunctionSampler(validate=True) needs "
            "numbers; pass validate=False to hand other data to `func`.",
        )
        return data.X, data.labels.y, data.sample_weight

    def _restore(self, output: tuple, data: Validated, X: Array, y: Array) -> tuple:
        """Give ``func``'s result the caller's containers back (imblearn's rule)."""
        X_out, y_out, *rest = output
        y_given = np.asarray(y) if isinstance(y, list | tuple) else y
        if getattr(y_given, "ndim", 1) == 2 and int(y_given.shape[1]) > 1:
            y_out = _one_hot(y_out, int(y_given.shape[1]), y_given.dtype, data)
        if is_pandas(X) and getattr(X, "ndim", 0) == 2:
            X_out = _as_frame(X_out, X)
            if is_pandas(y):
                y_out = _as_pandas_target(y_out, y, X_out.index)
        elif is_pandas(y):
            y_out = _as_pandas_target(y_out, y, None)
        if data.X_is_list and not is_sparse(X_out):
            X_out = np.asarray(X_out).tolist()
        if data.y_is_list:
            y_out = np.asarray(y_out).tolist()
        return (X_out, y_out, *rest)


def _one_hot(positions: Array, n_columns: int, dtype: Any, data: Validated) -> Any:
    """One-hot rows of ``n_columns`` from class positions, in the labels' library."""
    xp, device = data.xp, data.device
    if is_numpy_namespace(xp):
        positions = np.asarray(positions)
        return (positions[:, None] == np.arange(n_columns)[None, :]).astype(dtype)
    columns = xp.arange(n_columns, device=device)
    rows = xp.astype(positions, columns.dtype)
    return xp.astype(rows[:, None] == columns[None, :], dtype)


def _as_frame(values: Any, frame: Any) -> Any:
    """``values`` as a DataFrame with ``frame``'s columns (and dtypes if possible)."""
    import pandas as pd

    if is_pandas(values):
        return values
    if is_sparse(values):
        rebuilt = pd.DataFrame.sparse.from_spmatrix(values, columns=frame.columns)
    else:
        rebuilt = pd.DataFrame(values, columns=frame.columns)
    try:
        return rebuilt.astype(frame.dtypes.to_dict())
    except (TypeError, ValueError):
        return rebuilt


def _as_pandas_target(values: Any, target: Any, index: Any) -> Any:
    """``values`` in the container of the pandas ``target`` (Series or DataFrame)."""
    import pandas as pd

    if is_pandas(values):
        result = values
    elif target.ndim == 1:
        result = pd.Series(np.asarray(values), name=target.name)
        with contextlib.suppress(TypeError, ValueError):
            result = result.astype(target.dtype)
    else:
        result = pd.DataFrame(np.asarray(values), columns=target.columns)
    if index is not None and len(index) == len(result):
        # The rows' index is lost when resampling; align y on X's (as imblearn does).
        result.index = index
    return result
