"""Labels for the samplers: from a list, array, tensor or dataset, encoded on the host.

A DataLoader consumes Python ints, so the samplers draw on the host: the labels are
copied there once, at construction (O(n) small integers; features never move).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from balancekit._array_api import get_namespace_and_device, is_pandas
from balancekit._labels import check_labels

__all__ = ["EncodedLabels", "encode_labels", "host_labels"]


@dataclass(frozen=True)
class EncodedLabels:
    """Labels as class codes 0..C-1, with the classes and the positions of each.

    Attributes
    ----------
    classes : tuple
        The sorted distinct labels as Python scalars.
    counts : numpy.ndarray of int64, shape (C,)
        Samples of each class.
    order : numpy.ndarray of int64, shape (n,)
        Sample positions grouped by class (stable): class ``c`` occupies
        ``order[starts[c]:starts[c] + counts[c]]``.
    starts : numpy.ndarray of int64, shape (C,)
        Where each class begins in ``order``.
    """

    classes: tuple
    counts: np.ndarray
    order: np.ndarray
    starts: np.ndarray

    @property
    def class_counts(self) -> dict:
        """``{class: count}`` in sorted class order."""
        return dict(zip(self.classes, self.counts.tolist(), strict=True))

    def codes(self) -> np.ndarray:
        """Class code of every sample, in dataset order (the smallest unsigned
        integer type that holds them)."""
        dtype = np.min_scalar_type(max(len(self.classes) - 1, 0))
        codes = np.empty(self.order.shape[0], dtype=dtype)
        for cls, (start, count) in enumerate(
            zip(self.starts.tolist(), self.counts.tolist(), strict=True)
        ):
            codes[self.order[start : start + count]] = cls
        return codes


def _from_dataset(dataset: Any) -> Any:
    """The labels a dataset carries, without loading any sample."""
    if isinstance(dataset, Subset):
        parent = _from_dataset(dataset.dataset)
        return np.asarray(host_labels(parent))[np.asarray(dataset.indices)]
    unusable = []
    for attribute in ("targets", "labels"):
        if not hasattr(dataset, attribute):
            continue
        value = getattr(dataset, attribute)
        if value is None:
            unusable.append(f"its `{attribute}` attribute is None")
        elif callable(value):
            unusable.append(f"its `{attribute}` attribute is a method")
        else:
            return value
    if isinstance(dataset, TensorDataset):
        return dataset.tensors[-1]
    why = " and ".join(unusable) or "it has no `targets` or `labels` attribute"
    raise TypeError(
        f"`labels` is a {type(dataset).__name__} dataset, but {why}; pass the labels "
        "themselves (one class label per item, e.g. `BalancedSampler(labels)`), set "
        "the attribute to them, or pass `labels_fn=` a function that returns them "
        "from the dataset (e.g. `labels_fn=lambda ds: ds.df['label']`)."
    )


def _tensor_on_host(labels: torch.Tensor) -> np.ndarray:
    """A NumPy copy of a dense tensor of labels, with a clear error for tensors that
    hold no values or have no NumPy form."""
    if labels.is_meta:
        raise ValueError(
            "`labels` is a tensor on the meta device, which has a shape but no values; "
            "pass the real labels (a meta tensor must be materialised first, e.g. "
            "loaded from a checkpoint, before a sampler can read its classes)."
        )
    if labels.layout != torch.strided:
        raise TypeError(
            f"`labels` is a tensor with layout {labels.layout}; pass dense labels "
            "(e.g. `labels.to_dense()`)."
        )
    if labels.is_quantized or labels.is_nested:
        kind = "quantized" if labels.is_quantized else "nested"
        raise TypeError(
            f"`labels` is a {kind} tensor; pass a plain tensor of class labels."
        )
    labels = labels.detach().to("cpu")
    if labels.dtype in (torch.bfloat16, torch.float16):
        labels = labels.to(torch.float32)  # exact; NumPy has no bfloat16
    try:
        return labels.numpy()
    except (TypeError, RuntimeError) as exc:
        raise TypeError(
            f"`labels` has dtype {labels.dtype}, which has no NumPy form ({exc}); "
            "pass integer class labels (e.g. `labels.long()`)."
        ) from None


def host_labels(labels: Any) -> np.ndarray:
    """A NumPy copy (or view) of 1-D labels from any array library or a sequence."""
    if isinstance(labels, torch.Tensor):
        return _tensor_on_host(labels)
    if is_pandas(labels):
        return labels.to_numpy()
    if isinstance(labels, np.ndarray | list | tuple | range):
        try:
            return np.asarray(labels)
        except ValueError as exc:
            raise ValueError(
                f"`labels` could not be read as an array ({exc}); pass one class "
                "label per sample, shape (n_samples,)."
            ) from None
    if array_api_compat.is_array_api_obj(labels):
        xp, _ = get_namespace_and_device(labels=labels)
        if array_api_compat.is_array_api_strict_namespace(xp):
            import array_api_strict

            labels = labels.to_device(array_api_strict.Device("CPU_DEVICE"))
        elif array_api_compat.is_cupy_array(labels):
            return labels.get()
        return np.asarray(labels)
    raise TypeError(
        "`labels` must be a sequence, an array or tensor of class labels, or a "
        f"dataset with `targets`/`labels`; got {type(labels).__name__}."
    )


def _check_one_hot(y: np.ndarray) -> None:
    """Refuse 2-D labels other than a column or one-hot rows, naming ``labels``."""
    if y.ndim != 2 or y.shape[1] <= 1 or y.shape[0] == 0:
        return
    if y.dtype.kind in "biuf":
        binary = np.isin(y, (0, 1)).all()
        if binary and (np.count_nonzero(y, axis=1) == 1).all():
            return
    raise ValueError(
        f"`labels` has shape {tuple(y.shape)} and its rows are not one-hot (exactly "
        "one 1 per row): multilabel and multi-output targets are not supported. Pass "
        "one class label per sample, shape (n_samples,)."
    )


def _codes(y: np.ndarray, classes: tuple) -> np.ndarray:
    """Class codes 0..C-1 of ``y`` in the smallest unsigned integer type."""
    dtype = np.min_scalar_type(max(len(classes) - 1, 0))
    if y.dtype.kind in "biu" and int(classes[0]) >= 0 and int(classes[-1]) < 1 << 24:
        lookup = np.zeros(int(classes[-1]) + 1, dtype=dtype)
        lookup[np.asarray(classes, dtype=np.int64)] = np.arange(len(classes))
        return lookup[y]
    return np.searchsorted(np.asarray(classes), y).astype(dtype)


def encode_labels(
    labels: Any, labels_fn: Callable[[Any], Any] | None = None
) -> EncodedLabels:
    """Validate the labels (or pull them from a dataset) and group samples by class.

    Examples
    --------
    >>> encoded = encode_labels([2, 0, 2, 2])
    >>> encoded.class_counts, encoded.order.tolist()
    ({0: 1, 2: 3}, [1, 0, 2, 3])
    """
    if labels_fn is not None:
        if not callable(labels_fn):
            raise TypeError(
                f"`labels_fn` must be callable; got {type(labels_fn).__name__}."
            )
        labels = labels_fn(labels)
        if labels is None:
            raise TypeError(
                "`labels_fn` returned None; it must return the labels (one class "
                "label per item of the dataset)."
            )
    elif isinstance(labels, Dataset) and not isinstance(labels, torch.Tensor):
        labels = _from_dataset(labels)
    y = host_labels(labels)
    _check_one_hot(y)
    import array_api_compat.numpy as np_xp

    checked = check_labels(y, np_xp, name="labels")
    y = np.asarray(checked.y)
    if y.dtype.kind == "b":
        y = y.astype(np.int64)
    codes = _codes(y, checked.classes)
    order = np.argsort(codes, kind="stable").astype(np.int64, copy=False)
    counts = np.asarray(checked.counts, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return EncodedLabels(checked.classes, counts, order, starts)
