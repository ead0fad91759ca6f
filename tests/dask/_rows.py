"""The small three-class data set the Dask sampler tests share, and its Dask form."""

from __future__ import annotations

import dask.array as da
import numpy as np

ROW_CHUNKS = (40, 25, 60, 35)  # uneven on purpose
N_ROWS = sum(ROW_CHUNKS)


def three_classes(
    seed: int = 0, n: int = N_ROWS, grid_size: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows of 2 features, classes 0/1/2 at 60/30/10%, shifted by class; with
    ``grid_size``, integer points on a ``grid_size`` x ``grid_size`` grid instead
    (many equal distances: ties)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    if grid_size is not None:
        return rng.integers(0, grid_size, (n, 2)).astype(float), y
    return rng.normal(size=(n, 2)) + 0.8 * y[:, None], y


def as_dask(
    X: np.ndarray, y: np.ndarray, chunks=ROW_CHUNKS, w: np.ndarray | None = None
) -> tuple:
    """``X``, ``y`` (and ``w``) as Dask arrays with the row chunks ``chunks``."""
    rows = (tuple(chunks),)
    out = [
        da.from_array(X, chunks=(*rows, *X.shape[1:])),
        da.from_array(y, chunks=rows),
    ]
    if w is not None:
        out.append(da.from_array(w, chunks=rows))
    return tuple(out)
