"""Polynomial-fit SMOTE: new rows on a fixed geometry drawn through a class's rows.

Gazzah & Amara (2008) grow a class along one of four *topologies* instead of SMOTE's
random neighbour segments: segments from every row to the class centre (``"star"``),
segments between consecutive rows (``"bus"``), segments between pairs of rows
(``"mesh"``), or a polynomial curve of degree ``d`` fitted through the rows
(``"poly_d"``). Segments get equally spaced points; only the choice of which segments
get one point more (and the pairs and curve positions) is random.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import numpy as np

from balancekit._array_api import (
    class_indices,
    is_pandas,
    is_sparse,
    move_indices,
    take_rows,
)
from balancekit._dask_route import gathered_on_dask
from balancekit._features import NumericFeatures, concat_rows
from balancekit._typing import Array, Device
from balancekit._validation import Validated
from balancekit.over_sampling._smote_base import BaseSMOTE, interpolate

__all__ = ["PolynomialFitSMOTE", "parse_topology"]

_POLY = re.compile(r"poly_([0-9]+)\Z")


def parse_topology(topology: Any) -> tuple[str, int]:
    """``topology`` as ``(kind, degree)``; the degree is 0 unless ``kind == "poly"``.

    Examples
    --------
    >>> parse_topology("star"), parse_topology("poly_3")
    (('star', 0), ('poly', 3))
    """
    if not isinstance(topology, str):
        raise TypeError(
            "`topology` must be a str: 'star', 'bus', 'mesh' or 'poly_<degree>' "
            f"(e.g. 'poly_2'); got {type(topology).__name__}."
        )
    if topology in ("star", "bus", "mesh"):
        return topology, 0
    match = _POLY.match(topology)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(
            "`topology` must be 'star', 'bus', 'mesh' or 'poly_<degree>' with an "
            f"integer degree >= 1 (e.g. 'poly_2'); got {topology!r}."
        )
    return "poly", int(match.group(1))


@gathered_on_dask
class PolynomialFitSMOTE(BaseSMOTE):
    """Polynomial-fit SMOTE (Gazzah & Amara, 2008): rows along a class's topology.

    Ranked among the best over-samplers by Kovács (2019, 85 SMOTE variants on 104
    data sets). Instead of interpolating towards random neighbours, each targeted
    class is grown along a geometry drawn through its rows:

    - ``"star"``: segments from every row to the class mean; each segment gets
      ``n_new / n_rows`` equally spaced points (at ``j / (k + 1)``, ``j = 1..k``).
    - ``"bus"``: segments between consecutive rows of the class (in row order),
      equally spaced points as for the star.
    - ``"mesh"``: segments between pairs of rows. While there are more pairs than
      rows to add, random distinct pairs get their midpoint; otherwise every pair
      gets equally spaced points.
    - ``"poly_<d>"`` (e.g. ``"poly_2"``): the rows, ordered by their mean feature
      value, are fitted feature by feature with a polynomial of degree ``d`` in their
      rank; new rows are the curve at uniform random positions between the first
      and the last rank.

    When ``n_new`` is not a multiple of the number of segments, randomly chosen
    segments get one point more, so each class gets exactly the rows asked for. Runs
    on the input's device for NumPy, PyTorch, CuPy, JAX and array-api-strict arrays.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        What to reach, as for ``SMOTE``: ``"auto"`` grows every class but the
        majority to the majority count.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the draws. The same int gives the same rows on every array library.
    topology : {"star", "bus", "mesh"} or "poly_<degree>", default="star"
        The geometry (see above). The polynomial degree is part of the string, as
        in smote-variants (``polynom_fit_SMOTE_poly`` with ``order=2`` is
        ``topology="poly_2"``), so one parameter names the whole method.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Class to number of samples added.
    synthetic_parents_, synthetic_partners_, synthetic_steps_ : arrays
        For the segment topologies, the recipe of the new rows on the input's
        device: row ``i`` lies at ``steps[i]`` from ``X[parents[i]]`` towards
        ``X[partners[i]]``; a partner of ``-1`` stands for the class mean (star).
        For ``"poly_<d>"``, ``parents`` and ``partners`` are ``-1`` and ``steps``
        holds the curve positions (ranks, in ``[0, n_rows - 1]``).
    n_features_in_ : int
        Size of the second axis of ``X``.

    Notes
    -----
    Multiclass targets follow imbalanced-learn: each targeted class is grown on its
    own rows. ``"bus"`` depends on the row order (as in the paper and
    smote-variants); ``"poly_<d>"`` needs more than ``d`` rows per class. The
    polynomial is fitted by least squares (QR) on ranks scaled to [-1, 1], on the
    device; every new row of one draw lies on the fitted curve (smote-variants
    draws a separate position per feature). With ``sample_weight``, a new row gets
    its segment's end weights interpolated with the same step (the centre of the
    star weighs the class mean weight); curve rows get the class mean weight.

    References
    ----------
    S. Gazzah and N. E. B. Amara, "New Oversampling Approaches Based on Polynomial
    Fitting for Imbalanced Data Sets", 8th IAPR Workshop on Document Analysis
    Systems, 2008, pp. 677-684.

    Examples
    --------
    >>> import numpy as np
    >>> from balancekit.over_sampling import PolynomialFitSMOTE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> X_res, y_res = PolynomialFitSMOTE(topology="star").fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [50, 50]
    >>> centre = X[y == 1].mean(axis=0)
    >>> steps = np.c_[[1, 2, 3, 4]] / 5  # 4 points on each row's segment
    >>> bool(np.allclose(X_res[60:64], X[50] + steps * (centre - X[50])))
    True
    """

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        random_state: Any = None,
        topology: str = "star",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.topology = topology

    def _check_params(self, data: Validated) -> None:
        kind, degree = parse_topology(self.topology)
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            n_rows = int(data.labels.class_counts[cls])
            needed = {"star": 1, "bus": 2, "mesh": 2, "poly": degree + 1}[kind]
            if n_rows < needed:
                raise ValueError(
                    f"`topology`={self.topology!r} needs at least {needed} samples in "
                    f"class {cls!r}, which has {n_rows}. Choose another topology "
                    "(or a lower degree) or gather more samples of that class."
                )

    def _fit_resample(self, data: Validated, rng: np.random.Generator) -> tuple:
        xp, device = data.xp, data.device
        features = self._features(data)
        kind, degree = parse_topology(self.topology)
        w = None
        if data.sample_weight is not None:
            w = data.sample_weight
            w = xp.astype(w.to_numpy() if is_pandas(w) else w, features.values.dtype)
        batches: list[tuple] = []
        for cls, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            members = class_indices(data.labels.y, cls, xp)
            if kind == "poly":
                batch = _curve_rows(
                    features, members, degree, int(n_new), rng, xp, device, w
                )
            else:
                batch = _segment_rows(
                    features, members, kind, int(n_new), rng, xp, device, w
                )
            batches.append(batch)
        return self._assemble(data, features, batches, w)

    def _assemble(
        self, data: Validated, features: NumericFeatures, batches: list, w: Any
    ) -> tuple[Any, Any, Any]:
        """Append the new rows, their labels (from a row of their class), weights."""
        xp, device = data.xp, data.device
        values = features.values
        if not batches:
            empty = move_indices(np.empty(0, dtype=np.int64), xp, device)
            steps = xp.asarray(np.empty(0), dtype=values.dtype, device=device)
            no_weights = None if w is None else w[:0]
            batches = [
                (take_rows(values, empty, xp), empty, empty, steps, None, no_weights)
            ]
        X_new = _concat_values([b[0] for b in batches], xp)
        parents = xp.concat([b[1] for b in batches])
        partners = xp.concat([b[2] for b in batches])
        steps = xp.concat([b[3] for b in batches])
        # A curve row has no parent; its label is its class's, read from a class row.
        label_rows = xp.concat([b[4] if b[4] is not None else b[1] for b in batches])
        X_res = features.to_container(concat_rows(values, X_new, xp))
        y_res = concat_rows(data.y, take_rows(data.y, label_rows, xp), xp)
        w_res = None
        if w is not None:
            w_res = xp.concat([w, *[b[5] for b in batches]])
        self.synthetic_parents_ = parents
        self.synthetic_partners_ = partners
        self.synthetic_steps_ = steps
        return X_res, y_res, w_res


def _concat_values(pieces: list, xp: ModuleType) -> Any:
    if is_sparse(pieces[0]):
        import scipy.sparse as sp

        return sp.vstack(pieces).asformat(pieces[0].format)
    return xp.concat(pieces)


def spread_over_segments(
    n_segments: int, n_new: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Which segments get points and how many: ``(segment ids, counts)``, host.

    Every segment gets ``n_new // n_segments`` points and ``n_new % n_segments``
    distinct random segments one more; segments with no point are left out, so the
    cost is O(n_new) even when there are far more segments (mesh pairs).
    """
    base, extra = divmod(n_new, n_segments)
    chosen = np.sort(rng.choice(n_segments, size=extra, replace=False))
    if base == 0:
        return chosen.astype(np.int64), np.ones(extra, dtype=np.int64)
    counts = np.full(n_segments, base, dtype=np.int64)
    counts[chosen] += 1
    return np.arange(n_segments, dtype=np.int64), counts


def equally_spaced_steps(counts: np.ndarray) -> np.ndarray:
    """For a segment with ``k`` points, the steps ``1/(k+1), ..., k/(k+1)``."""
    k = np.repeat(counts, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    j = np.arange(int(counts.sum())) - starts + 1
    return j / (k + 1.0)


def pair_of(pair_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unordered pair number ``p`` to ``(i, j)`` with ``j < i``, host integers.

    Pairs are numbered ``(1, 0), (2, 0), (2, 1), (3, 0), ...``: ``p = i (i - 1) / 2 +
    j``. The float square root is corrected by one step either way.
    """
    i = ((1 + np.sqrt(1 + 8 * pair_ids.astype(np.float64))) // 2).astype(np.int64)
    i -= (i * (i - 1) // 2) > pair_ids
    i += ((i + 1) * i // 2) <= pair_ids
    return i, pair_ids - i * (i - 1) // 2


def _segment_rows(
    features: NumericFeatures,
    members: Array,
    kind: str,
    n_new: int,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
    w: Any,
) -> tuple:
    """New rows of one class on star, bus or mesh segments, recipe and weights."""
    values = features.values
    n_rows = int(members.shape[0])
    if kind == "star":
        segments, counts = spread_over_segments(n_rows, n_new, rng)
        ends_a, ends_b = segments, np.full_like(segments, n_rows)  # n_rows: centre
    elif kind == "bus":
        segments, counts = spread_over_segments(n_rows - 1, n_new, rng)
        ends_a, ends_b = segments, segments + 1
    else:
        n_pairs = n_rows * (n_rows - 1) // 2
        segments, counts = spread_over_segments(n_pairs, n_new, rng)
        ends_b, ends_a = pair_of(segments)  # parent j < partner i
    steps_host = equally_spaced_steps(counts)
    local_a = move_indices(np.repeat(ends_a, counts), xp, device)
    local_b = move_indices(np.repeat(ends_b, counts), xp, device)
    points = take_rows(values, members, xp)
    if kind == "star":
        # The centre joins the class rows as one more point, so the star is plain
        # interpolation from each row towards it.
        points = _with_centre(points, xp)
    steps = xp.asarray(steps_host, dtype=values.dtype, device=device)
    X_new = interpolate(points, local_a, local_b, steps, xp)
    w_new = None
    if w is not None:
        class_w = xp.take(w, members, axis=0)
        if kind == "star":
            class_w = xp.concat([class_w, xp.mean(class_w, keepdims=True)])
        w_new = interpolate(class_w, local_a, local_b, steps, xp)
    parents = xp.take(members, local_a, axis=0)
    if kind == "star":
        partners = xp.full_like(parents, -1)
    else:
        partners = xp.take(members, local_b, axis=0)
    return X_new, parents, partners, steps, None, w_new


def _with_centre(points: Array, xp: ModuleType) -> Any:
    """``points`` with their mean appended as a last row."""
    if is_sparse(points):
        import scipy.sparse as sp

        centre = sp.csr_matrix(np.asarray(points.mean(axis=0)))
        return sp.vstack([points, centre]).asformat(points.format)
    centre = xp.mean(points, axis=0, keepdims=True)
    return xp.concat([points, centre])


def _curve_rows(
    features: NumericFeatures,
    members: Array,
    degree: int,
    n_new: int,
    rng: np.random.Generator,
    xp: ModuleType,
    device: Device,
    w: Any,
) -> tuple:
    """New rows of one class on its fitted polynomial curve, and their weights."""
    values, flat = features.values, features.flat
    sparse = is_sparse(flat)
    points = take_rows(flat, members, xp)
    cxp: Any = xp
    if sparse:  # the curve is dense: fit it on the class rows as a NumPy array
        points = np.asarray(points.toarray())
        cxp = _numpy_namespace()
    n_rows = int(points.shape[0])
    # Order the rows along the curve by their mean value (a stable sort: the lower
    # index first among equal means), as smote-variants does.
    order = cxp.argsort(cxp.mean(points, axis=1), stable=True)
    ordered = cxp.take(points, order, axis=0)
    positions = rng.uniform(0.0, n_rows - 1.0, size=n_new)
    dtype = points.dtype
    ranks = cxp.arange(n_rows, dtype=dtype, device=device)
    where = cxp.asarray(positions, dtype=dtype, device=device)
    coefficients = _fit_polynomial(_scaled(ranks, n_rows), ordered, degree, cxp)
    curve = _vandermonde(_scaled(where, n_rows), degree, cxp) @ coefficients
    if sparse:
        import scipy.sparse as sp

        X_new = sp.csr_matrix(curve).asformat(values.format)
    else:
        X_new = xp.reshape(curve, (n_new, *tuple(values.shape[1:])))
    none = move_indices(np.full(n_new, -1, dtype=np.int64), xp, device)
    label_rows = move_indices(np.zeros(n_new, dtype=np.int64), xp, device)
    label_rows = xp.take(members, label_rows, axis=0)
    steps = xp.asarray(positions, dtype=values.dtype, device=device)
    w_new = None
    if w is not None:  # a curve row weighs its class's mean weight
        mean = xp.mean(xp.take(w, members, axis=0), keepdims=True)
        w_new = xp.broadcast_to(mean, (n_new,)) * xp.ones_like(steps)
    return X_new, none, none, steps, label_rows, w_new


def _numpy_namespace() -> Any:
    import array_api_compat.numpy as np_xp

    return np_xp


def _scaled(ranks: Array, n_rows: int) -> Any:
    """Ranks 0..n-1 mapped to [-1, 1]: a well-conditioned Vandermonde matrix."""
    return ranks * (2.0 / (n_rows - 1)) - 1.0


def _vandermonde(u: Array, degree: int, xp: ModuleType) -> Any:
    columns = [xp.ones_like(u)]
    for _ in range(degree):
        columns.append(columns[-1] * u)
    return xp.stack(columns, axis=1)


def _fit_polynomial(u: Array, targets: Array, degree: int, xp: ModuleType) -> Any:
    """Least-squares coefficients, shape (degree + 1, n_features), by QR."""
    q, r = xp.linalg.qr(_vandermonde(u, degree, xp))
    return xp.linalg.solve(r, xp.matrix_transpose(q) @ targets)
