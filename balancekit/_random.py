"""Randomness: drawn on the host by a NumPy Generator, moved to the device once.

One seed gives the same draws whatever the array library, so NumPy and PyTorch results
agree bit for bit; the cost is O(n_draws) scalars crossing to the device once.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["RandomStateLike", "check_random_state"]

RandomStateLike = int | np.integer | np.random.Generator | np.random.RandomState | None


def check_random_state(
    random_state: RandomStateLike, *, name: str = "random_state"
) -> np.random.Generator:
    """Turn a ``random_state`` parameter into a ``numpy.random.Generator``.

    ``None`` gives fresh OS entropy; an int seeds a new generator (same int, same
    draws); a ``Generator`` is used as it is (its state advances); a legacy
    ``RandomState`` seeds a new generator from one draw of its own, so it too advances
    from call to call.

    Examples
    --------
    >>> first = check_random_state(0).integers(10, size=3)
    >>> bool((first == check_random_state(0).integers(10, size=3)).all())
    True
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"`{name}` as an int must be >= 0; got {random_state}.")
        return np.random.default_rng(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        f"`{name}` must be None, a non-negative int, a numpy.random.Generator or a "
        f"numpy.random.RandomState; got {type(random_state).__name__}."
    )
