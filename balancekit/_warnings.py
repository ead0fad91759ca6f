"""Warnings that point at the user's line, however deep inside balancekit they start.

A fixed ``stacklevel`` is right for one call path only: the CPU-tensor dispatch
(``_array_api.numpy_for_cpu_tensors``) adds a frame in front of the public functions,
and kernels are reached from several entry points. ``user_stacklevel`` counts the
frames up to the first one outside the package instead, as pandas'
``find_stack_level`` does (Python 3.12's ``skip_file_prefixes`` is not available on
3.11).
"""

from __future__ import annotations

import inspect
import os

__all__ = ["user_stacklevel"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that names the caller of balancekit.

    Called where the warning is raised: level 1 is that frame, and every frame in
    the package's files is skipped (tests and doctests are outside it).

    Examples
    --------
    >>> import warnings
    >>> def f():
    ...     warnings.warn("careful", UserWarning, stacklevel=user_stacklevel())
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f()
    >>> caught[0].filename.endswith("_warnings.py")
    False
    """
    frame = inspect.currentframe()
    # Start at the caller of this function: warnings.warn's level 1.
    frame = None if frame is None else frame.f_back
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level
