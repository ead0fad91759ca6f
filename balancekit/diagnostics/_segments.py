"""Row-matching kernels of ``check_split``, on the data's namespace and device.

Three questions about the rows of one split against the rows of another, each answered
with the core exact kNN (:class:`balancekit._neighbors.NearestNeighbors`) and chunked
array operations, never an n x n matrix:

- which training rows are nearest each test row, at which exact distance, and which of
  them are identical (:func:`nearest_rows`);
- how far apart neighbouring training rows typically are (:func:`neighbour_scale`);
- whether a test row lies on the segment between two training rows, as every row made
  by SMOTE-style interpolation does (:func:`segment_matches`);
- which test rows are synthetic rows of a fitted sampler, rebuilt from its recorded
  provenance (:func:`synthetic_rows`).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import get_namespace_and_device, move_indices, to_host
from balancekit._features import numeric_features
from balancekit._neighbors import NearestNeighbors, memory_budget
from balancekit._typing import Array, Device
from balancekit._validation import check_X
from balancekit.over_sampling._smote_base import BaseSMOTE, interpolate

__all__ = [
    "compare_rows",
    "expand",
    "nearest_rows",
    "neighbour_scale",
    "segment_matches",
    "synthetic_rows",
]

# At most this many training rows are queried to estimate the neighbour-distance scale.
SCALE_QUERIES = 1000


def _chunk_rows(n_rows: int, per_row_bytes: int, xp: ModuleType, device: Device) -> int:
    """Rows per chunk so that one chunk's temporaries fit the memory budget."""
    budget = min(memory_budget(xp, device), 1 << 28)
    return max(1, min(n_rows, budget // max(per_row_bytes, 1)))


def nearest_rows(
    fit: Array, query: Array, k: int, xp: ModuleType, device: Device
) -> tuple[Any, Any, Any]:
    """The ``k`` rows of ``fit`` nearest each row of ``query``, nearest first.

    Returns ``(indices, distances, equal)``, each of shape (n_query, k): positions into
    ``fit``, exact Euclidean distances (recomputed from differences, so an identical row
    is at distance 0 exactly) and whether the row is identical to the query row.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> fit = xp.asarray([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    >>> query = xp.asarray([[1.0, 0.0], [4.0, 4.0]])
    >>> idx, dist, equal = nearest_rows(fit, query, 2, xp, "cpu")
    >>> idx.tolist(), equal[:, 0].tolist()
    ([[1, 0], [2, 1]], [True, False])
    """
    estimator = NearestNeighbors(n_neighbors=k).fit(fit)
    candidates = estimator.kneighbors(query, return_distance=False)
    n_query, n_features = int(query.shape[0]), int(fit.shape[1])
    chunk = _chunk_rows(n_query, 3 * k * n_features * 8, xp, device)
    indices, distances, equal = [], [], []
    for start in range(0, n_query, chunk):
        block = query[start : start + chunk, ...]
        cand = candidates[start : start + chunk, ...]
        rows = xp.take(fit, xp.reshape(cand, (-1,)), axis=0)
        rows = xp.reshape(rows, (int(block.shape[0]), k, n_features))
        diff = rows - block[:, None, :]
        dist = xp.sqrt(xp.sum(diff * diff, axis=2))
        same = xp.all(rows == block[:, None, :], axis=2)
        order = xp.argsort(dist, axis=1, stable=True)
        indices.append(xp.take_along_axis(cand, order, axis=1))
        distances.append(xp.take_along_axis(dist, order, axis=1))
        equal.append(xp.take_along_axis(same, order, axis=1))
    return (
        xp.concat(indices, axis=0),
        xp.concat(distances, axis=0),
        xp.concat(equal, axis=0),
    )


def neighbour_scale(
    train: Any, k: int, xp: ModuleType, device: Device
) -> tuple[float | None, Any]:
    """The median distance from a training row to its nearest *distinct* training row.

    At most :data:`SCALE_QUERIES` evenly spaced training rows are queried (against all
    training rows). Identical rows (distance 0) are skipped, so duplicates in the
    training set do not shrink the scale to 0. Returns the median (None when no queried
    row has a distinct neighbour among its ``k`` nearest) and, on the device, each
    queried row's distance to its nearest distinct row (``inf`` when none).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> train = xp.asarray([[0.0], [1.0], [3.0], [3.0], [7.0]])
    >>> scale, nearest = neighbour_scale(train, 3, xp, "cpu")
    >>> scale, nearest.tolist()
    (2.0, [1.0, 1.0, 2.0, 2.0, 4.0])
    """
    n_train = int(train.shape[0])
    step = max(1, math.ceil(n_train / SCALE_QUERIES))
    sample = move_indices(np.arange(0, n_train, step), xp, device)
    query = xp.take(train, sample, axis=0)
    _, dist, _ = nearest_rows(train, query, min(k, n_train), xp, device)
    inf = xp.asarray(math.inf, dtype=dist.dtype, device=device)
    nearest = xp.min(xp.where(dist > 0, dist, inf), axis=1)
    found = xp.take(nearest, xp.nonzero(xp.isfinite(nearest))[0], axis=0)
    n_found = int(found.shape[0])
    if n_found == 0:
        return None, nearest
    ordered = xp.sort(found)
    middle = ordered[(n_found - 1) // 2 : n_found // 2 + 1]
    return float(xp.mean(middle)), nearest


def _far_ends(fit: Array, fit_sq: Array, near: Array, u: Array, xp: ModuleType) -> Any:
    """For each pair (``near`` row a, ``u = q - a``), the 2 rows b of ``fit`` beyond
    ``q`` (``(b - a).u > |u|^2``) whose direction from a is closest to ``u``.

    One matrix product per argument, shape (n_fit, n_pairs): the cosines are only a
    ranking; the exact test comes after.
    """
    proj = fit @ u.T - xp.sum(near * u, axis=1)[None, :]
    dist_sq = fit_sq[:, None] - 2 * (fit @ near.T) + xp.sum(near * near, axis=1)
    usable = (proj > xp.sum(u * u, axis=1)[None, :]) & (dist_sq > 0)
    score = xp.where(usable, proj * proj / xp.where(usable, dist_sq, 1.0), -1.0)
    best = xp.argmax(score, axis=0)
    rows = xp.arange(int(fit.shape[0]), device=best.device)[:, None]
    second = xp.argmax(xp.where(rows == best[None, :], -2.0, score), axis=0)
    return best, second


def segment_matches(
    fit: Array,
    query: Array,
    candidates: Array,
    feature_scale: Any,
    rtol: float,
    xp: ModuleType,
    device: Device,
) -> tuple[Any, Any, Any, Any]:
    """Which query rows lie on a segment between two rows of ``fit``.

    A query row ``q`` lies on the segment from ``a`` to ``b`` when some ``0 < t < 1``
    gives, for every feature ``j``::

        |q_j - a_j - t (b_j - a_j)| <= rtol * (|a_j| + |b_j| + |q_j| + feature_scale_j)

    ``t`` is the least-squares fit with the same per-feature weights, so a row made as
    ``a + t (b - a)`` passes whatever the features' units, up to rounding.

    The near end ``a`` is searched among the query row's ``candidates`` (row ``i``:
    positions into ``fit``, e.g. its nearest rows); the far end ``b`` among *all* rows
    of ``fit``: for each ``a``, the two rows beyond ``q`` best aligned with ``q - a``
    are tested. So a segment is found when one of its ends is a candidate, however
    far the other end is.

    Returns ``(on_segment, first, second, steps)`` of shape (n_query,): whether a pair
    was found, the pair's positions into ``fit`` and ``t`` (meaningful where
    ``on_segment``).

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> fit = xp.asarray([[0.0, 0.0], [2.0, 4.0], [9.0, 1.0]])
    >>> query = xp.asarray([[0.5, 1.0], [3.0, 3.0]])
    >>> candidates = xp.asarray([[0, 1], [0, 1]])
    >>> ok, a, b, t = segment_matches(
    ...     fit, query, candidates, xp.ones(2), 1e-12, xp, "cpu"
    ... )
    >>> ok.tolist(), a.tolist()[0], b.tolist()[0], t.tolist()[0]
    ([True, False], 0, 1, 0.25)
    """
    n_query, k = int(candidates.shape[0]), int(candidates.shape[1])
    n_fit, n_features = int(fit.shape[0]), int(fit.shape[1])
    fit_sq = xp.sum(fit * fit, axis=1)
    per_row = 4 * k * n_fit * 8 + 16 * k * n_features * 8
    chunk = _chunk_rows(n_query, per_row, xp, device)
    results: list[list[Any]] = [[], [], [], []]
    for start in range(0, n_query, chunk):
        block = query[start : start + chunk, ...]
        near = candidates[start : start + chunk, ...]
        m = int(block.shape[0])
        near_flat = xp.reshape(near, (-1,))
        a = xp.take(fit, near_flat, axis=0)
        u = xp.reshape(
            block[:, None, :] - xp.reshape(a, (m, k, n_features)), (-1, n_features)
        )
        best, second = _far_ends(fit, fit_sq, a, u, xp)
        first_pos = xp.concat([near, near], axis=1)
        second_pos = xp.concat(
            [xp.reshape(best, (m, k)), xp.reshape(second, (m, k))], axis=1
        )
        shape = (m, 2 * k, n_features)
        a = xp.reshape(xp.take(fit, xp.reshape(first_pos, (-1,)), axis=0), shape)
        b = xp.reshape(xp.take(fit, xp.reshape(second_pos, (-1,)), axis=0), shape)
        q = block[:, None, :]
        u = q - a
        v = b - a
        scale = xp.abs(a) + xp.abs(b) + xp.abs(q) + feature_scale
        weight = 1 / (scale * scale)
        denominator = xp.sum(weight * v * v, axis=2)
        valid = denominator > 0
        t = xp.sum(weight * u * v, axis=2) / xp.where(valid, denominator, 1.0)
        residual = xp.max(xp.abs(u - t[:, :, None] * v) / scale, axis=2)
        ok = valid & (t > 0) & (t < 1) & (residual <= rtol)
        pair = xp.argmax(xp.astype(ok, xp.int8), axis=1)[:, None]
        results[0].append(xp.any(ok, axis=1))
        results[1].append(xp.take_along_axis(first_pos, pair, axis=1)[:, 0])
        results[2].append(xp.take_along_axis(second_pos, pair, axis=1)[:, 0])
        results[3].append(xp.take_along_axis(t, pair, axis=1)[:, 0])
    on_segment, first, second, steps = (xp.concat(parts) for parts in results)
    return on_segment, first, second, steps


def expand(values: Array, mask: Array, fill: Any, xp: ModuleType) -> Any:
    """Spread ``values`` (one per True of ``mask``) over the mask, ``fill`` elsewhere.

    A gather, not a scatter: namespaces without integer-index assignment work too.

    Examples
    --------
    >>> import array_api_compat.numpy as xp
    >>> expand(xp.asarray([1.0, 2.0]), xp.asarray([True, False, True]), -1.0, xp)
    array([ 1., -1.,  2.])
    """
    if int(values.shape[0]) == 0:
        return xp.full(mask.shape, fill, dtype=values.dtype, device=mask.device)
    position = xp.cumulative_sum(xp.astype(mask, xp.int64)) - 1
    position = xp.clip(position, min=0)
    return xp.where(mask, xp.take(values, position, axis=0), fill)


def _row_indices(mask: Array, xp: ModuleType) -> Any:
    return xp.nonzero(mask)[0]


def _count(mask: Array, xp: ModuleType) -> int:
    return int(xp.count_nonzero(mask))


_PROVENANCE = ("synthetic_parents_", "synthetic_partners_", "synthetic_steps_")


def _provenance_source(sampler: Any) -> Any:
    """The fitted SMOTE-family sampler whose provenance rebuilds the synthetic rows."""
    source = getattr(sampler, "smote_", sampler)  # SMOTETomek, SMOTEENN
    name = type(source).__name__
    if hasattr(source, "categorical_features_") or name in ("SMOTEN", "SMOTENC"):
        raise TypeError(
            f"`sampler` is a {name}, whose categorical values are voted, not "
            "interpolated, so its rows cannot be rebuilt from the provenance. Leave "
            "`sampler` out: the segment check still compares the rows."
        )
    if all(hasattr(source, attr) for attr in _PROVENANCE):
        return source
    if isinstance(source, BaseSMOTE):
        raise ValueError(
            f"`sampler` ({name}) has not resampled yet: it has no "
            "`synthetic_parents_`. Pass it after `fit_resample(X_fit, y)`."
        )
    raise TypeError(
        f"`sampler` must be a fitted balancekit SMOTE-family sampler (SMOTE, "
        "BorderlineSMOTE, ADASYN, SMOTETomek, SMOTEENN) that records "
        f"{', '.join(_PROVENANCE)}; got {name}. Samplers that copy rows "
        "(RandomOverSampler) need no provenance: their copies are reported as "
        "duplicate rows."
    )


def synthetic_rows(
    sampler: Any,
    X_fit: Array,
    test: Any,
    finite_test: Array,
    n_neighbors: int,
    xp: ModuleType,
    device: Device,
) -> Any:
    """Positions of the test rows equal to a synthetic row of ``sampler``.

    The synthetic rows are rebuilt exactly as the sampler made them,
    ``X_fit[parents] + steps * (X_fit[partners] - X_fit[parents])`` in ``X_fit``'s
    float type, then cast to the test rows' type and compared for equality. Only the
    finite test rows (``finite_test``) are compared.

    Examples
    --------
    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> from balancekit import SMOTE
    >>> X = np.array([[0.0, 0], [1, 1], [2, 0], [3, 1], [9, 9], [8, 9], [9, 8]])
    >>> smote = SMOTE(k_neighbors=2, random_state=0)
    >>> X_res, y_res = smote.fit_resample(X, [0, 0, 0, 0, 1, 1, 1])
    >>> test = X_res[[0, 7]]
    >>> synthetic_rows(smote, X, test, xp.ones(2, dtype=bool), 5, xp, "cpu").tolist()
    [1]
    """
    source = _provenance_source(sampler)
    parents, partners, steps = (getattr(source, attr) for attr in _PROVENANCE)
    get_namespace_and_device(X_fit=X_fit, synthetic_parents_=parents)
    if isinstance(X_fit, list | tuple):
        X_fit = np.asarray(X_fit)
    X_fit = check_X(X_fit, xp, name="X_fit")
    n_fit = int(X_fit.shape[0])
    expected = getattr(source, "n_features_in_", None)
    if expected is not None and int(X_fit.shape[1]) != int(expected):
        raise ValueError(
            f"`X_fit` has {int(X_fit.shape[1])} features but `sampler` was fitted on "
            f"{expected}. Pass the X that was given to `sampler.fit_resample`."
        )
    values = numeric_features(
        X_fit, xp, device, name="X_fit", why="synthetic rows are rebuilt from numbers."
    ).values
    if math.prod(values.shape[1:]) != int(test.shape[1]):
        raise ValueError(
            f"`X_fit` rows have {math.prod(values.shape[1:])} values but the test rows "
            f"have {int(test.shape[1])}; `X_fit` must have the features of the splits."
        )
    n_new = int(parents.shape[0])
    empty = xp.nonzero(finite_test)[0][:0]
    if n_new == 0:
        return empty
    highest = max(int(xp.max(parents)), int(xp.max(partners)))
    if highest >= n_fit:
        raise ValueError(
            f"`sampler` refers to row {highest} of the X it was fitted on, but "
            f"`X_fit` has {n_fit} rows. Pass the X that was given to "
            "`sampler.fit_resample`."
        )
    steps = xp.astype(steps, values.dtype, copy=False)
    made = interpolate(values, parents, partners, steps, xp)
    made = xp.astype(xp.reshape(made, (n_new, -1)), test.dtype, copy=False)
    test_rows = xp.nonzero(finite_test)[0]
    if int(test_rows.shape[0]) == 0:
        return empty
    query = xp.take(test, test_rows, axis=0)
    _, _, equal = nearest_rows(made, query, min(n_neighbors, n_new), xp, device)
    return xp.take(test_rows, xp.nonzero(xp.any(equal, axis=1))[0], axis=0)


def compare_rows(
    train: Any,
    y_train: Array,
    test: Any,
    y_test: Array,
    *,
    n_neighbors: int,
    near_duplicate_tol: float,
    segment_tol: float,
    xp: ModuleType,
    device: Device,
) -> dict[str, Any]:
    """Duplicates, near duplicates and segment rows of the finite rows, on device.

    Returns the row fields of ``SplitReport`` (and ``finite_test``, the test rows
    compared, and ``seg_ok``, whether the segment check applies).
    """
    finite_train = xp.all(xp.isfinite(train), axis=1)
    finite_test = xp.all(xp.isfinite(test), axis=1)
    train_rows = _row_indices(finite_train, xp)
    test_rows = _row_indices(finite_test, xp)
    train_f = xp.take(train, train_rows, axis=0)
    test_f = xp.take(test, test_rows, axis=0)
    y_train_f = xp.take(y_train, train_rows, axis=0)
    y_test_f = xp.take(y_test, test_rows, axis=0)
    n_train_f, n_test_f = int(train_f.shape[0]), int(test_f.shape[0])
    empty = test_rows[:0]
    out: dict[str, Any] = {
        "finite_test": finite_test,
        "n_nonfinite_train": int(train.shape[0]) - n_train_f,
        "n_nonfinite_test": int(test.shape[0]) - n_test_f,
        "duplicate_rows": empty,
        "n_duplicates_same_label": 0,
        "n_duplicates_other_label": 0,
        "nearest_train_distance": xp.full(
            (int(test.shape[0]),), math.nan, dtype=train.dtype, device=device
        ),
        "distance_scale": None,
        "near_duplicate_threshold": None,
        "near_duplicate_rows": empty,
        "near_duplicates_expected": 0.0,
        "segment_rows": empty,
        "segment_endpoints": xp.reshape(empty, (0, 2)),
        "segment_steps": xp.zeros((0,), dtype=train.dtype, device=device),
        "seg_ok": int(train.shape[1]) >= 2,
    }
    if n_train_f == 0 or n_test_f == 0:
        return out
    k = min(n_neighbors, n_train_f)
    idx, dist, equal = nearest_rows(train_f, test_f, k, xp, device)
    same_label = xp.take(y_train_f, xp.reshape(idx, (-1,)), axis=0)
    same_label = xp.reshape(same_label, tuple(idx.shape)) == y_test_f[:, None]
    duplicate = xp.any(equal, axis=1)
    agrees = xp.any(equal & same_label, axis=1)
    out["duplicate_rows"] = xp.take(test_rows, _row_indices(duplicate, xp), axis=0)
    out["n_duplicates_same_label"] = _count(duplicate & agrees, xp)
    out["n_duplicates_other_label"] = _count(duplicate & ~agrees, xp)
    nearest = dist[:, 0]
    out["nearest_train_distance"] = expand(nearest, finite_test, math.nan, xp)

    scale, train_nearest = neighbour_scale(train_f, k + 1, xp, device)
    out["distance_scale"] = scale
    if scale is not None and near_duplicate_tol > 0:
        threshold = near_duplicate_tol * scale
        near = (nearest > 0) & (nearest <= threshold)
        out["near_duplicate_threshold"] = threshold
        out["near_duplicate_rows"] = xp.take(test_rows, _row_indices(near, xp), axis=0)
        chance = _count(train_nearest <= threshold, xp) / int(train_nearest.shape[0])
        out["near_duplicates_expected"] = chance * _count(~duplicate, xp)

    if out["seg_ok"]:
        out.update(
            _segments(
                train_f, y_train_f, test_f, y_test_f, ~duplicate, n_neighbors,
                segment_tol, xp, device, train_rows, test_rows,
            )
        )  # fmt: skip
    return out


def _segments(
    train: Any,
    y_train: Array,
    test: Any,
    y_test: Array,
    searched: Any,
    n_neighbors: int,
    segment_tol: float,
    xp: ModuleType,
    device: Device,
    train_rows: Array,
    test_rows: Array,
) -> dict[str, Any]:
    """Test rows on a segment between two training rows of their class, per class."""
    std = xp.std(train, axis=0)
    feature_scale = xp.where(std > 0, std, 1.0)
    test_classes = to_host(xp.unique_values(y_test), xp).tolist()
    found: list[list[Any]] = [[], [], [], []]
    for cls in test_classes:
        members = _row_indices(y_train == cls, xp)
        queries = _row_indices((y_test == cls) & searched, xp)
        if int(members.shape[0]) < 2 or int(queries.shape[0]) == 0:
            continue
        points = xp.take(train, members, axis=0)
        query = xp.take(test, queries, axis=0)
        k = min(n_neighbors, int(members.shape[0]))
        candidates, _, _ = nearest_rows(points, query, k, xp, device)
        ok, first, second, steps = segment_matches(
            points, query, candidates, feature_scale, segment_tol, xp, device
        )
        hit = _row_indices(ok, xp)
        found[0].append(xp.take(queries, hit, axis=0))
        for slot, ends in ((1, first), (2, second)):
            found[slot].append(xp.take(members, xp.take(ends, hit, axis=0), axis=0))
        found[3].append(xp.take(steps, hit, axis=0))
    if not found[0]:
        return {}
    local, first, second, steps = (xp.concat(parts) for parts in found)
    order = xp.argsort(local, stable=True)
    first = xp.take(train_rows, xp.take(first, order, axis=0), axis=0)
    second = xp.take(train_rows, xp.take(second, order, axis=0), axis=0)
    return {
        "segment_rows": xp.take(test_rows, xp.take(local, order, axis=0), axis=0),
        "segment_endpoints": xp.stack([first, second], axis=1),
        "segment_steps": xp.take(steps, order, axis=0),
    }
