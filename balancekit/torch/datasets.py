"""A Dataset serving the output of a core sampler (SMOTE, ...) run on tensors."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import torch
from sklearn.base import clone
from torch.utils.data import Dataset, TensorDataset

from balancekit._params import check_bool, check_int

__all__ = ["ResampledDataset"]

_NAMES = ("X", "y", "sample_weight")


def _tensors(dataset_or_tensors: Any) -> tuple[torch.Tensor, ...]:
    if isinstance(dataset_or_tensors, TensorDataset):
        tensors = tuple(dataset_or_tensors.tensors)
    elif isinstance(dataset_or_tensors, tuple | list):
        tensors = tuple(dataset_or_tensors)
    else:
        raise TypeError(
            "`dataset_or_tensors` must be a TensorDataset or a tuple (X, y) or "
            f"(X, y, sample_weight) of tensors; got {type(dataset_or_tensors).__name__}"
            ". For another dataset, build the tensors first (e.g. stack its features)."
        )
    if len(tensors) not in (2, 3) or not all(
        isinstance(t, torch.Tensor) for t in tensors
    ):
        raise TypeError(
            "`dataset_or_tensors` must hold 2 or 3 tensors (X, y[, sample_weight]); "
            f"got {[type(t).__name__ for t in tensors]}."
        )
    on_meta = [name for name, t in zip(_NAMES, tensors, strict=False) if t.is_meta]
    if on_meta:
        raise ValueError(
            f"`dataset_or_tensors` has {' and '.join(on_meta)} on the meta device, "
            "which holds shapes but no values, so nothing can be resampled; pass "
            "materialised tensors (e.g. on 'cpu' or 'cuda')."
        )
    return tensors


class ResampledDataset(Dataset):
    """Resample tensors with a balancekit sampler and serve the result as a Dataset.

    The sampler (e.g. :class:`balancekit.SMOTE` or
    :class:`balancekit.RandomUnderSampler`) runs on the tensors' own device; the
    resampled tensors stay there. With ``redraw=True``, :meth:`set_epoch` resamples
    from the original tensors with a random state derived from ``(random_state,
    epoch)``, so every epoch sees fresh synthetic rows, reproducibly.

    Parameters
    ----------
    dataset_or_tensors : TensorDataset or tuple of tensors
        ``(X, y)`` or ``(X, y, sample_weight)`` on one device; X may have any
        trailing shape.
    sampler : balancekit sampler
        Anything with ``fit_resample(X, y[, sample_weight=])`` and the
        scikit-learn ``get_params`` / ``set_params`` (every balancekit sampler).
    redraw : bool, default=False
        Resample again at each :meth:`set_epoch`.

    Attributes
    ----------
    tensors : tuple of tensors
        The resampled ``(X, y[, sample_weight])``.

    Examples
    --------
    >>> import torch
    >>> from balancekit import SMOTE
    >>> from balancekit.torch import ResampledDataset
    >>> X = torch.randn(60, 4)
    >>> y = torch.tensor([0] * 50 + [1] * 10)
    >>> dataset = ResampledDataset((X, y), SMOTE(random_state=0))
    >>> len(dataset), torch.bincount(dataset.tensors[1]).tolist()
    (100, [50, 50])
    >>> x0, y0 = dataset[0]
    >>> tuple(x0.shape), int(y0)
    ((4,), 0)
    """

    def __init__(
        self, dataset_or_tensors: Any, sampler: Any, *, redraw: bool = False
    ) -> None:
        self._original = _tensors(dataset_or_tensors)
        if not callable(getattr(sampler, "fit_resample", None)):
            raise TypeError(
                "`sampler` must have a `fit_resample` method (a balancekit or "
                f"imbalanced-learn sampler); got {type(sampler).__name__}."
            )
        self.sampler = sampler
        self.redraw = check_bool(redraw, "redraw")
        self.epoch = 0
        self.tensors = self._resample(sampler)

    def _resample(self, sampler: Any) -> tuple[torch.Tensor, ...]:
        X, y, *weight = self._original
        if weight:
            return tuple(sampler.fit_resample(X, y, sample_weight=weight[0]))
        return tuple(sampler.fit_resample(X, y))

    def set_epoch(self, epoch: int) -> None:
        """Resample for ``epoch`` when ``redraw`` is on (else only record it)."""
        self.epoch = check_int(epoch, "epoch", low=0)
        if not self.redraw:
            return
        base = self.sampler.get_params().get("random_state")
        if base is not None and not isinstance(base, Integral):
            raise TypeError(
                "`redraw=True` derives each epoch's seed from the sampler's "
                "`random_state`, which must then be None or an int; got "
                f"{type(base).__name__}."
            )
        entropy = [int(base), self.epoch] if base is not None else None
        seed = int(np.random.default_rng(entropy).integers(2**31 - 1))
        self.tensors = self._resample(clone(self.sampler).set_params(random_state=seed))

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)
