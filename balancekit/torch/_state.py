"""Sampler states that can only resume the draw they were saved from.

A sampler's state is a flat dict of ints and strings (``torch.save``, ``json`` and
torchdata's ``StatefulDataLoader`` take it as it is): where the epoch stopped
(``seed``, ``epoch``, ``yielded``) and a fingerprint of everything that decides the
draw. Each setting is kept as a short canonical text (the labels as a digest of their
class codes), so a refused state names the settings that differ, and the
``fingerprint`` digest of them all catches an edited or truncated state.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from balancekit._class_targets import ProgressiveSchedule
from balancekit._params import check_int
from balancekit.torch._labels import EncodedLabels

__all__ = [
    "STATE_FORMAT",
    "checked_position",
    "describe",
    "labels_digest",
    "make_state",
]

# Bump when the canonical texts below change: a state of another format is refused
# instead of being compared setting by setting.
STATE_FORMAT = 2
_POSITION_KEYS = ("seed", "epoch", "yielded")
_LONG_TEXT = 120


def _short(text: str) -> str:
    """``text`` itself, or a digest of it when it is too long to show."""
    if len(text) <= _LONG_TEXT:
        return text
    return "digest " + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | str):
        return repr(value)
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return repr(float(value))
    if isinstance(value, ProgressiveSchedule):
        return (
            f"ProgressiveSchedule(n_epochs={value.n_epochs}, "
            f"start_epoch={value.start_epoch})"
        )
    if isinstance(value, Mapping):
        items = sorted(f"{_text(k)}: {_text(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if callable(value):
        name = getattr(value, "__qualname__", type(value).__qualname__)
        return f"callable {getattr(value, '__module__', '?')}.{name}"
    # Never repr(): it may hold a memory address, different in every process.
    return f"a {type(value).__qualname__}"


def describe(value: Any) -> str:
    """A canonical text of a setting, the same in every process and session.

    Examples
    --------
    >>> describe({1: 0.5, 0: 0.5}), describe(None), describe(np.int64(3))
    ('{0: 0.5, 1: 0.5}', 'None', '3')
    """
    return _short(_text(value))


def labels_digest(labels: EncodedLabels) -> str:
    """A digest of the classes and of every sample's class, in dataset order.

    Examples
    --------
    >>> from balancekit.torch._labels import encode_labels
    >>> first, second = encode_labels([0, 1, 1]), encode_labels([1, 0, 1])
    >>> labels_digest(first) == labels_digest(second)
    False
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_text(list(labels.classes)).encode())
    digest.update(labels.counts.astype("<i8").tobytes())
    codes = labels.codes()
    digest.update(codes.astype(codes.dtype.newbyteorder("<")).tobytes())
    return digest.hexdigest()


def _fingerprint(kind: str, seed: int, settings: Mapping[str, str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for key, value in [
        ("sampler", kind),
        ("seed", str(seed)),
        *sorted(settings.items()),
    ]:
        digest.update(f"{key}={value}\n".encode())
    return digest.hexdigest()


def make_state(
    kind: str, settings: Mapping[str, str], *, seed: int, epoch: int, yielded: int
) -> dict[str, int | str]:
    """The state to save: the position in the epoch, the settings and their digest."""
    return {
        "sampler": kind,
        "format": STATE_FORMAT,
        "seed": seed,
        "epoch": epoch,
        "yielded": yielded,
        **settings,
        "fingerprint": _fingerprint(kind, seed, settings),
    }


def _check_text(state: Mapping[str, Any], key: str) -> str:
    value = state[key]
    if not isinstance(value, str):
        raise TypeError(
            f"`state_dict[{key!r}]` must be a str; got {type(value).__name__}. Pass "
            "what `state_dict()` returned."
        )
    return value


def _check_fingerprint(
    state: Mapping[str, Any],
    *,
    kind: str,
    seed: int,
    settings: Mapping[str, str],
) -> None:
    saved_kind = _check_text(state, "sampler") if "sampler" in state else None
    if saved_kind is not None and saved_kind != kind:
        raise ValueError(
            f"`state_dict` was saved by a {saved_kind}, so it cannot resume this "
            f"{kind}: their draws differ. Load it into a {saved_kind} built with the "
            "same settings."
        )
    missing = [
        key
        for key in ("sampler", "format", *settings, "fingerprint")
        if key not in state
    ]
    if missing:
        raise ValueError(
            f"`state_dict` has a fingerprint but lacks {missing}; it was edited or "
            "truncated. Pass what `state_dict()` returned."
        )
    saved_format = state["format"]
    if saved_format != STATE_FORMAT:
        raise ValueError(
            f"`state_dict` is in state format {saved_format!r}, this balancekit reads "
            f"format {STATE_FORMAT}; resume with the balancekit version that saved it, "
            "or start the epoch afresh with `set_epoch()`."
        )
    saved = {key: _check_text(state, key) for key in settings}
    if _fingerprint(saved_kind or kind, state["seed"], saved) != _check_text(
        state, "fingerprint"
    ):
        raise ValueError(
            "`state_dict`'s settings do not match its fingerprint; it was edited or "
            "corrupted. Pass what `state_dict()` returned."
        )
    differ = [
        f"{key} (saved {saved[key]}; this sampler {settings[key]})"
        for key in settings
        if saved[key] != settings[key]
    ]
    if differ:
        raise ValueError(
            f"`state_dict` was saved by a {kind} with other settings, so resuming "
            f"would repeat and skip indices: {'; '.join(differ)}. Build the sampler "
            "exactly "
            "as it was when saved (the same labels in the same order, strategy, "
            "sizes, and num_replicas/rank: every rank loads the state it saved), or "
            "start the epoch afresh with `set_epoch()` instead of `load_state_dict()`."
        )


def checked_position(
    state_dict: Any,
    *,
    kind: str,
    seed: int,
    settings: Callable[[], Mapping[str, str]],
) -> tuple[int, int]:
    """``(epoch, yielded)`` of a saved state, once it is known to come from a sampler
    that draws exactly what this one draws (else a ``ValueError`` naming what
    differs).

    A state without a fingerprint (saved before fingerprints existed) is accepted
    with a ``UserWarning``: its settings cannot be checked.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            "`state_dict` must be the dict that `state_dict()` returned; got "
            f"{type(state_dict).__name__}."
        )
    missing = [key for key in _POSITION_KEYS if key not in state_dict]
    if missing:
        raise ValueError(
            f"`state_dict` lacks {missing}; pass what `state_dict()` returned."
        )
    saved_seed, epoch, yielded = (
        check_int(state_dict[key], f"state_dict[{key!r}]", low=0)
        for key in _POSITION_KEYS
    )
    if saved_seed != seed:
        raise ValueError(
            f"`state_dict` was saved with seed={saved_seed} but this sampler has "
            f"seed={seed}; build the sampler with the same seed."
        )
    if "fingerprint" in state_dict or "sampler" in state_dict:
        _check_fingerprint(state_dict, kind=kind, seed=seed, settings=settings())
    else:
        warnings.warn(
            "`state_dict` has no fingerprint (it was saved by an earlier balancekit), "
            "so whether this sampler was built with the same labels and settings "
            "cannot be checked; it is loaded assuming it was. A state saved now is "
            "checked.",
            UserWarning,
            stacklevel=3,
        )
    return epoch, yielded
