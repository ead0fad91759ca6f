"""MLSMOTE: synthetic rows for the minority labels (Charte et al. 2015)."""

from __future__ import annotations

from typing import Any

import numpy as np

from balancekit._array_api import index_dtype, move_indices, to_host
from balancekit._features import numeric_features
from balancekit._neighbors import NearestNeighbors
from balancekit._params import check_choice, check_int
from balancekit._random import RandomStateLike
from balancekit._typing import Array, Device, Namespace
from balancekit.multilabel._bags import mean_ir
from balancekit.multilabel._base import BaseMultilabelSampler
from balancekit.multilabel._indicator import Combinations, MultilabelData
from balancekit.over_sampling._smote_base import interpolate

__all__ = ["MLSMOTE"]

_COMBINATIONS = ("ranking", "intersection", "union")


class MLSMOTE(BaseMultilabelSampler):
    """Multilabel SMOTE (Charte, Rivera, del Jesus, Herrera 2015).

    For each minority label ``i`` (``IRLbl_i > MeanIR``, measured once on the input),
    every row ``s`` having label ``i`` seeds one synthetic row: among the
    ``k_neighbors`` nearest rows (Euclidean) that also have label ``i``, a
    neighbour ``r`` is drawn uniformly, and the new features are
    ``s + gap * (r - s)`` with ``gap ~ U(0, 1)`` (one gap per row, as SMOTE: the new
    row lies on the segment). Its labels combine ``s`` and its ``k`` neighbours by
    ``label_combination``. F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera,
    "MLSMOTE: Approaching imbalanced multilabel learning through synthetic instance
    generation", Knowledge-Based Systems 89 (2015).

    Parameters
    ----------
    k_neighbors : int, default=5
        Neighbours searched within each minority label's rows; a label with
        ``m <= k_neighbors`` rows uses ``m - 1``, and a label with a single row
        generates nothing (there is no neighbour to interpolate with).
    label_combination : {"ranking", "intersection", "union"}, default="ranking"
        Labels of a synthetic row, counted over ``s`` and its ``k`` neighbours:
        ``"ranking"`` (the paper's) keeps a label held by more than half of these
        ``k + 1`` rows, ``"intersection"`` one held by all of them, ``"union"`` one
        held by any. Label ``i`` is always kept (every row counted has it).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the neighbour choices and gaps, drawn on the host: the same int gives
        the same rows on every array library and device.

    Attributes
    ----------
    synthetic_parents_ : array of shape (n_new,)
        Seed row ``s`` of every synthetic row, on the input's device.
    synthetic_partners_ : array of shape (n_new,)
        Neighbour ``r`` each synthetic row was interpolated towards.
    synthetic_steps_ : array of shape (n_new,)
        The gaps.
    irlbl_ : numpy.ndarray of shape (n_labels,)
        IRLbl of each input label (inf for a label without rows, never resampled).
    mean_ir_ : float
        MeanIR of the input.
    mean_ir_resampled_ : float
        MeanIR of the output (not guaranteed lower: a synthetic row also adds the
        other labels its neighbours share).
    minority_labels_ : numpy.ndarray
        Positions of the minority labels, in the order their rows were generated.
    n_features_in_ : int
        Number of features.
    n_labels_ : int
        Number of labels.

    Notes
    -----
    Output rows: the originals in input order, then the synthetic rows grouped by
    minority label (in label order), each group in input order of its seeds. Each
    synthetic row carries its seed's ``sample_weight``. Features come back as
    floats (integer ``X`` becomes the namespace's default float, as in SMOTE); the
    labels keep ``y``'s dtype. The paper draws one gap per feature; one gap per row
    keeps each new row on the segment between two real rows, as SMOTE does.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.multilabel import MLSMOTE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 3))
    >>> y = np.zeros((20, 3), dtype=int)
    >>> y[:, 0] = 1
    >>> y[:4, 1] = 1
    >>> y[:6, 2] = 1
    >>> sampler = MLSMOTE(k_neighbors=3, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, sampler.minority_labels_.tolist()
    ((30, 3), [1, 2])
    >>> y_res.sum(axis=0).tolist()
    [30, 13, 16]
    """

    _reads_features = True

    def __init__(
        self,
        *,
        k_neighbors: int = 5,
        label_combination: str = "ranking",
        random_state: RandomStateLike = None,
    ) -> None:
        self.k_neighbors = k_neighbors
        self.label_combination = label_combination
        self.random_state = random_state

    def _check_params(self, data: MultilabelData) -> None:
        check_int(self.k_neighbors, "k_neighbors", low=1)
        check_choice(self.label_combination, "label_combination", _COMBINATIONS)

    def _resample(
        self, data: MultilabelData, combos: Combinations, rng: np.random.Generator
    ) -> tuple[Any, Any, Any]:
        xp, device = data.xp, data.device
        features = numeric_features(data.X, xp, device)
        values = features.values
        y_int = xp.astype(data.y, index_dtype(xp, device))
        k = check_int(self.k_neighbors, "k_neighbors", low=1)
        parents, partners, steps, labels = [], [], [], []
        for label in self.minority_labels_.tolist():
            made = _label_rows(
                values, y_int, label, k, self.label_combination, rng, xp, device
            )
            if made is not None:
                parents.append(made[0])
                partners.append(made[1])
                steps.append(made[2])
                labels.append(made[3])
        if parents:
            parent = xp.concat(parents)
            partner = xp.concat(partners)
            step = xp.asarray(np.concatenate(steps), dtype=values.dtype, device=device)
            new_labels = xp.astype(xp.concat(labels, axis=0), data.y.dtype)
        else:
            parent = partner = move_indices(np.empty(0, np.int64), xp, device)
            step = xp.asarray(np.empty(0), dtype=values.dtype, device=device)
            new_labels = data.y[:0, :]
        self.synthetic_parents_ = parent
        self.synthetic_partners_ = partner
        self.synthetic_steps_ = step
        X_new = interpolate(values, parent, partner, step, xp)
        X_res = xp.concat([values, X_new], axis=0)
        y_res = xp.concat([data.y, new_labels], axis=0)
        label_counts = to_host(xp.sum(xp.astype(y_res != 0, y_int.dtype), axis=0), xp)
        self.mean_ir_resampled_ = mean_ir(np.asarray(label_counts))
        w_res = None
        if data.sample_weight is not None:
            w = data.sample_weight
            w_res = xp.concat([w, xp.take(w, parent, axis=0)])
        return X_res, y_res, w_res


def _label_rows(
    values: Array,
    y_int: Array,
    label: int,
    k: int,
    combination: str,
    rng: np.random.Generator,
    xp: Namespace,
    device: Device,
) -> tuple[Array, Array, np.ndarray, Array] | None:
    """Seeds, partners, gaps (host) and label rows of one minority label's rows."""
    members = xp.nonzero(y_int[:, label] != 0)[0]
    n_members = int(members.shape[0])
    if n_members < 2:
        return None
    k = min(k, n_members - 1)
    points = xp.take(values, members, axis=0)
    search = NearestNeighbors(n_neighbors=k + 1).fit(points)
    # Queried on its own rows, each row comes first (or a duplicate of lower index,
    # which changes no value): dropped.
    neighbours = search.kneighbors(points, return_distance=False)[:, 1:]
    choice = rng.integers(0, k, size=n_members)
    gaps = rng.random(n_members)
    flat = xp.reshape(neighbours, (-1,))
    picks = move_indices(np.arange(n_members) * k + choice, xp, device)
    partner_local = xp.take(flat, picks, axis=0)
    partners = xp.take(members, partner_local, axis=0)
    neighbour_rows = xp.take(members, flat, axis=0)
    n_labels = int(y_int.shape[1])
    held = xp.sum(
        xp.reshape(xp.take(y_int, neighbour_rows, axis=0), (n_members, k, n_labels)),
        axis=1,
    ) + xp.take(y_int, members, axis=0)
    if combination == "ranking":
        new = 2 * held > k + 1
    elif combination == "intersection":
        new = held == k + 1
    else:
        new = held > 0
    return members, partners, gaps, new
