"""``sampling_strategy`` resolution in imbalanced-learn's semantics, from counts alone.

Pure Python on O(n_classes) numbers: the same resolution serves NumPy ``fit_resample``,
the PyTorch samplers and the tf.data transforms, wherever the labels live.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from numbers import Integral, Real
from typing import Any, Literal

__all__ = [
    "SAMPLING_TYPES",
    "STRATEGY_NAMES",
    "SamplingType",
    "resolve_sampling_strategy",
]

SamplingType = Literal[
    "over-sampling", "under-sampling", "clean-sampling", "ensemble", "bypass"
]
SAMPLING_TYPES: tuple[str, ...] = (
    "over-sampling",
    "under-sampling",
    "clean-sampling",
    "ensemble",
    "bypass",
)
STRATEGY_NAMES: tuple[str, ...] = (
    "auto",
    "minority",
    "majority",
    "not minority",
    "not majority",
    "all",
)


def unknown_name_message(value: str, names: tuple[str, ...]) -> str:
    """The error for a ``sampling_strategy`` name that is none of ``names``.

    Examples
    --------
    >>> message = unknown_name_message("balancd", ("auto", "balanced", "sqrt"))
    >>> message.endswith("'balanced', 'sqrt'; got 'balancd'. Did you mean 'balanced'?")
    True
    """
    import difflib

    listed = ", ".join(repr(name) for name in names)
    message = f"`sampling_strategy` as a string must be one of {listed}; got {value!r}."
    close = difflib.get_close_matches(value.lower(), names, n=1)
    return message + (f" Did you mean {close[0]!r}?" if close else "")


def _majority(counts: Mapping[Hashable, int]) -> Hashable:
    # Ties go to the first class in sorted order, as imbalanced-learn's max() over
    # np.unique.
    return max(counts, key=counts.__getitem__)


def _minority(counts: Mapping[Hashable, int]) -> Hashable:
    return min(counts, key=counts.__getitem__)


def _targets_for(
    classes: list[Hashable], counts: Mapping[Hashable, int], sampling_type: str
):
    """Per-class values for the classes a string strategy selects."""
    if sampling_type == "over-sampling":
        n_majority = max(counts.values())
        return {c: n_majority - counts[c] for c in classes}
    n_minority = min(counts.values())
    return dict.fromkeys(classes, n_minority)


def _from_name(name: str, counts: Mapping[Hashable, int], sampling_type: str) -> dict:
    over = sampling_type == "over-sampling"
    if name == "auto":
        name = "not majority" if over else "not minority"
    if name == "majority" and over:
        raise ValueError(
            "`sampling_strategy='majority'` cannot be used with an over-sampler: it "
            "would add samples to the class that already has the most. Use 'not "
            "majority', 'minority' or 'auto'."
        )
    if name == "minority" and not over:
        raise ValueError(
            "`sampling_strategy='minority'` cannot be used with an under-sampler or a "
            "cleaning sampler: it would remove samples from the smallest class. Use "
            "'majority', 'not minority' or 'auto'."
        )
    majority, minority = _majority(counts), _minority(counts)
    selected = {
        "minority": [minority],
        "majority": [majority],
        "not minority": [c for c in counts if c != minority],
        "not majority": [c for c in counts if c != majority],
        "all": list(counts),
    }[name]
    return _targets_for(selected, counts, sampling_type)


def _check_known_classes(requested, counts: Mapping[Hashable, int]) -> None:
    unknown = [c for c in requested if c not in counts]
    if unknown:
        raise ValueError(
            f"`sampling_strategy` names class(es) {unknown} that are not present in "
            f"`y`; the classes in `y` are {list(counts)}."
        )


def _from_dict(
    targets: Mapping[Hashable, Any], counts: Mapping[Hashable, int], sampling_type: str
) -> dict:
    _check_known_classes(targets, counts)
    for cls, n in targets.items():
        if isinstance(n, bool) or not isinstance(n, Integral):
            raise TypeError(
                "`sampling_strategy` as a dict maps each class to a whole number of "
                f"samples; got {n!r} ({type(n).__name__}) for class {cls!r}."
            )
    negative = {c: int(n) for c, n in targets.items() if n < 0}
    if negative:
        raise ValueError(
            "`sampling_strategy` as a dict must ask for a number of samples >= 0 per "
            f"class; got negative counts {negative}."
        )
    if sampling_type == "clean-sampling":
        raise ValueError(
            "`sampling_strategy` cannot be a dict for a cleaning sampler: cleaning "
            "removes what its rule finds, not a chosen number. Pass a list of the "
            "classes to clean."
        )
    resolved = {}
    for cls, n in targets.items():
        n, have = int(n), counts[cls]
        if sampling_type == "over-sampling":
            if n < have:
                raise ValueError(
                    "An over-sampler can only add samples: `sampling_strategy` asks "
                    f"for {n} samples of class {cls!r}, which has {have}. Ask for at "
                    f"least {have}, or use an under-sampler."
                )
            resolved[cls] = n - have
        else:
            if n > have:
                raise ValueError(
                    "An under-sampler can only remove samples: `sampling_strategy` "
                    f"asks for {n} samples of class {cls!r}, which has {have}. Ask for "
                    f"at most {have}, or use an over-sampler."
                )
            resolved[cls] = n
    return resolved


def _from_list(
    classes: list, counts: Mapping[Hashable, int], sampling_type: str
) -> dict:
    if sampling_type != "clean-sampling":
        raise ValueError(
            "`sampling_strategy` can be a list (of classes to clean) only for "
            "cleaning samplers. For this sampler pass a dict {class: n_samples}, a "
            "float or a strategy name."
        )
    _check_known_classes(classes, counts)
    n_minority = min(counts.values())
    return dict.fromkeys(classes, n_minority)


def _from_float(
    ratio: float, counts: Mapping[Hashable, int], sampling_type: str
) -> dict:
    if not 0 < ratio <= 1:
        raise ValueError(
            f"`sampling_strategy` as a float must be in (0, 1]; got {ratio}. It is the "
            "wanted ratio n_minority / n_majority after resampling."
        )
    if len(counts) != 2:
        raise ValueError(
            "`sampling_strategy` can be a float only when `y` has two classes; `y` "
            f"has {len(counts)} ({list(counts)}). For multi-class targets pass a dict "
            "{class: n_samples}."
        )
    if sampling_type == "over-sampling":
        majority = _majority(counts)
        n_majority = counts[majority]
        resolved = {
            c: int(n_majority * ratio - n) for c, n in counts.items() if c != majority
        }
        if any(n <= 0 for n in resolved.values()):
            raise ValueError(
                f"`sampling_strategy={ratio}` asks for no more minority samples than "
                "there are already, so an over-sampler would have nothing to add. "
                "Increase the ratio."
            )
        return resolved
    if sampling_type == "under-sampling":
        minority = _minority(counts)
        n_minority = counts[minority]
        resolved = {c: int(n_minority / ratio) for c in counts if c != minority}
        if any(n > counts[c] for c, n in resolved.items()):
            raise ValueError(
                f"`sampling_strategy={ratio}` asks for more majority samples than "
                "there are, so an under-sampler would have to add samples. Increase "
                "the ratio."
            )
        return resolved
    raise ValueError(
        "`sampling_strategy` cannot be a float for a cleaning sampler: cleaning "
        "removes what its rule finds. Pass a list of the classes to clean or a "
        "strategy name."
    )


def resolve_sampling_strategy(
    sampling_strategy: float | str | dict | list | Callable[..., dict],
    class_counts: Mapping[Hashable, int],
    sampling_type: SamplingType,
    *,
    y: Any = None,
    **kwargs: Any,
) -> Any:
    """Resolve ``sampling_strategy`` to per-class numbers, from the class counts alone.

    The result is what ``imblearn.utils.check_sampling_strategy`` returns for the
    same input: an ``OrderedDict`` sorted by class whose values are the number of
    samples to **generate** for over-sampling, the number of samples to **keep** for
    under-sampling and the minority count (a placeholder) for cleaning. For
    ``"ensemble"`` and ``"bypass"`` the strategy is returned unchanged.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        ``"auto"``, ``"minority"``, ``"majority"``, ``"not minority"``, ``"not
        majority"`` or ``"all"``; a float in (0, 1] (binary targets: the ratio
        minority/majority wanted after resampling); a dict ``{class:
        n_samples_after}``; a list of classes (cleaning samplers); or a callable ``f(y,
        **kwargs) -> dict``.
    class_counts : mapping
        ``{class: count}`` for every class present in ``y``.
    sampling_type : str
        The kind of sampler asking: ``"over-sampling"``, ``"under-sampling"``,
        ``"clean-sampling"``, ``"ensemble"`` or ``"bypass"``.
    y : array_like or None
        The labels, needed only when ``sampling_strategy`` is a callable.
    **kwargs
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    OrderedDict
        Class to number of samples, sorted by class.

    Examples
    --------
    >>> dict(resolve_sampling_strategy("auto", {0: 90, 1: 10}, "over-sampling"))
    {1: 80}
    >>> dict(resolve_sampling_strategy(0.5, {0: 90, 1: 10}, "under-sampling"))
    {0: 20}
    """
    if sampling_type not in SAMPLING_TYPES:
        raise ValueError(
            f"`sampling_type` must be one of {SAMPLING_TYPES}; got {sampling_type!r}."
        )
    counts = {cls: int(n) for cls, n in sorted(class_counts.items())}
    if len(counts) < 2:
        raise ValueError(
            f"`y` needs at least 2 classes to resample; got {len(counts)} class "
            f"({list(counts)}). Check the labels, or that the split kept every class."
        )
    if sampling_type in ("ensemble", "bypass"):
        return sampling_strategy
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in STRATEGY_NAMES:
            raise ValueError(unknown_name_message(sampling_strategy, STRATEGY_NAMES))
        resolved = _from_name(sampling_strategy, counts, sampling_type)
    elif isinstance(sampling_strategy, Mapping):
        resolved = _from_dict(sampling_strategy, counts, sampling_type)
    elif isinstance(sampling_strategy, list):
        resolved = _from_list(sampling_strategy, counts, sampling_type)
    elif isinstance(sampling_strategy, Real) and not isinstance(
        sampling_strategy, bool
    ):
        resolved = _from_float(float(sampling_strategy), counts, sampling_type)
    elif callable(sampling_strategy):
        targets = sampling_strategy(y, **kwargs)
        if not isinstance(targets, Mapping):
            raise TypeError(
                "`sampling_strategy` as a callable must return a dict "
                "{class: n_samples}; it returned "
                f"{type(targets).__name__}."
            )
        resolved = _from_dict(targets, counts, sampling_type)
    else:
        raise TypeError(
            "`sampling_strategy` must be a float, a str, a dict, a list or a "
            f"callable; got {type(sampling_strategy).__name__}."
        )
    return OrderedDict(sorted(resolved.items()))
