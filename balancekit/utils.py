"""Public helpers shared by samplers and adapters."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import get_namespace_and_device, is_numpy_namespace
from balancekit._dask_route import dask_route
from balancekit._label_messages import shape_message
from balancekit._labels import as_label_array, check_labels, is_zero_one
from balancekit._neighbors import check_neighbors_object as _neighbors_object
from balancekit._sampling_strategy import (
    SAMPLING_TYPES,
    STRATEGY_NAMES,
    SamplingType,
    resolve_sampling_strategy,
)
from balancekit._typing import Array

__all__ = [
    "SAMPLING_TYPES",
    "STRATEGY_NAMES",
    "check_neighbors_object",
    "check_sampling_strategy",
    "check_target_type",
    "class_counts",
    "resolve_sampling_strategy",
]


@dask_route("_label_utils")
def class_counts(y: Array) -> dict:
    """Count the samples of each class, on the labels' own device.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Class labels: NumPy, PyTorch (any device), CuPy, JAX, array-api-strict,
        pandas or a list; or Dask (numeric labels, counted in one pass).

    Returns
    -------
    dict
        ``{class: count}`` sorted by class, with Python scalars as keys and values.

    Examples
    --------
    >>> class_counts(["b", "a", "b"])
    {'a': 1, 'b': 2}
    """
    xp, _ = get_namespace_and_device(y=y)
    return check_labels(y, xp).class_counts


@dask_route("_label_utils")
def check_sampling_strategy(
    sampling_strategy: Any, y: Array, sampling_type: SamplingType, **kwargs: Any
):
    """Resolve ``sampling_strategy`` for the labels ``y`` as imbalanced-learn does.

    The same signature and result as ``imblearn.utils.check_sampling_strategy``, for
    labels in any supported array library; only the class counts leave the device.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        Any form imbalanced-learn accepts; see ``resolve_sampling_strategy``.
    y : array_like of shape (n_samples,)
        Class labels in any supported array library, or Dask (numeric labels).
    sampling_type : str
        ``"over-sampling"``, ``"under-sampling"``, ``"clean-sampling"``,
        ``"ensemble"`` or ``"bypass"``.
    **kwargs
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    OrderedDict
        Class to number of samples, sorted by class: samples to add for over-sampling,
        to keep for under-sampling.

    Examples
    --------
    >>> dict(check_sampling_strategy("auto", [0, 0, 0, 1], "over-sampling"))
    {1: 2}
    """
    xp, _ = get_namespace_and_device(y=y)
    labels = check_labels(y, xp)
    return resolve_sampling_strategy(
        sampling_strategy, labels.class_counts, sampling_type, y=labels.y, **kwargs
    )


def check_neighbors_object(
    nn_name: str, nn_object: Any, additional_neighbor: int = 0
) -> Any:
    """A fresh neighbours object from a ``k_neighbors``-style parameter.

    imbalanced-learn's ``imblearn.utils.check_neighbors_object``: an int ``k`` gives a
    nearest-neighbours searcher of ``k + additional_neighbor`` neighbours, and an
    object with ``fit`` and ``kneighbors`` (scikit-learn's ``NearestNeighbors``, a
    FAISS or cuML wrapper) is cloned.

    Parameters
    ----------
    nn_name : str
        The parameter's name, used in error messages.
    nn_object : int or object
        Number of neighbours (>= 1), or an object with ``fit`` and ``kneighbors``.
    additional_neighbor : int, default=0
        Added to an int ``nn_object``; samplers ask for 1 more because a row queried
        on the rows it was fitted on comes back as its own nearest neighbour.

    Returns
    -------
    object
        For an int, ``balancekit``'s exact chunked ``NearestNeighbors`` (the same
        answers as scikit-learn's brute force, computed on the data's own device and
        library); otherwise a clone of ``nn_object``.

    Raises
    ------
    TypeError
        When ``nn_object`` is neither an int nor an object with ``fit`` and
        ``kneighbors`` (imbalanced-learn's clone fails with a ``TypeError`` there too,
        in scikit-learn's words).
    ValueError
        When an int ``nn_object`` is below 1.

    Examples
    --------
    >>> from balancekit.utils import check_neighbors_object
    >>> check_neighbors_object("k_neighbors", 5, additional_neighbor=1).n_neighbors
    6
    """
    return _neighbors_object(
        nn_name, nn_object, additional_neighbor=additional_neighbor
    )


def check_target_type(
    y: Array, indicate_one_vs_all: bool = False, classes: Any = None
) -> Any:
    """Check a target for the samplers and decode one-vs-all (one-hot) rows.

    imbalanced-learn's ``imblearn.utils.check_target_type``: a one-hot (multilabel
    indicator) target becomes the ``argmax`` of each row, a column becomes 1-D, and a
    row with more than one 1 (a true multilabel target) is refused. It runs in the
    labels' own library and on their device.

    Parameters
    ----------
    y : array_like of shape (n_samples,), (n_samples, 1) or (n_samples, n_classes)
        Targets: NumPy, pandas, a list, or an array of any supported library.
    indicate_one_vs_all : bool, default=False
        Also return whether ``y`` was one-hot encoded.
    classes : array_like of shape (n_classes,), default=None
        A balancekit extra (imbalanced-learn 0.14 has no such parameter): the labels
        of the one-hot columns. When given, decoded rows hold ``classes[argmax]``
        instead of the column position. Ignored for a 1-D target.

    Returns
    -------
    y : array of shape (n_samples,)
        In ``y``'s library and on its device (lists and pandas give NumPy).
    is_one_vs_all : bool
        Only with ``indicate_one_vs_all=True``.

    Raises
    ------
    ValueError
        For more than one 1 in a one-hot row, a 2-D target that is not 0/1 valued, a
        target of more than 2 dimensions, or ``classes`` of the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.utils import check_target_type
    >>> check_target_type(np.array([[0, 1], [1, 0], [0, 1]])).tolist()
    [1, 0, 1]
    >>> y, one_vs_all = check_target_type([[0, 1], [1, 0]], indicate_one_vs_all=True)
    >>> y.tolist(), one_vs_all
    ([1, 0], True)
    >>> check_target_type([[0, 1], [1, 0]], classes=["cat", "dog"]).tolist()
    ['dog', 'cat']
    """
    xp, device = get_namespace_and_device(y=y)
    y = as_label_array(y, xp)
    ndim = len(tuple(y.shape))
    one_vs_all = False
    if ndim == 2 and int(y.shape[1]) > 1:
        if not is_zero_one(y, xp):
            # Not an indicator matrix: a multiclass/continuous multi-output target.
            raise ValueError(shape_message("y", tuple(y.shape)))
        ones_per_row = xp.sum(xp.astype(y != 0, xp.int32), axis=1)
        if bool(xp.any(ones_per_row > 1)):
            raise ValueError(
                "Imbalanced-learn currently supports binary, multiclass and "
                "binarized encoded multiclass targets. Multilabel and multioutput "
                "targets are not supported: `y` has a row with more than one 1. Pass "
                "one label per sample."
            )
        one_vs_all = True
        n_columns = int(y.shape[1])
        # imbalanced-learn's rule: the argmax of each row (an all-zero row gives 0).
        y = xp.argmax(xp.astype(y, xp.int32), axis=1)
        if classes is not None:
            y = _decode_positions(y, classes, n_columns, xp, device)
    elif ndim == 2:
        y = xp.reshape(y, (-1,))
    elif ndim != 1:
        raise ValueError(shape_message("y", tuple(y.shape)))
    return (y, one_vs_all) if indicate_one_vs_all else y


def _decode_positions(
    positions: Array, classes: Any, n_columns: int, xp: Any, device: Any
) -> Any:
    """``classes[positions]``: column positions of one-hot rows to their labels."""
    if is_numpy_namespace(xp):
        labels = np.asarray(classes)
    else:
        labels = xp.asarray(classes, device=device)
    if labels.ndim != 1 or int(labels.shape[0]) != n_columns:
        raise ValueError(
            f"`classes` must hold one label per one-hot column of `y` ({n_columns}); "
            f"got shape {tuple(labels.shape)}."
        )
    return xp.take(labels, positions, axis=0)
