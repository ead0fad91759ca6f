"""The strategies ``balancekit bench`` compares on multilabel data.

A strategy changes one thing about training the multilabel torch MLP: nothing
(``none``), the training rows (a multilabel resampler, applied to the scaled training
part only), the loss (per-label ``pos_weight``, asymmetric or distribution-balanced
loss) or the epoch sampler (class-aware sampling).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from balancekit._params import check_choice

__all__ = [
    "MultilabelStrategy",
    "default_multilabel_strategies",
    "resolve_multilabel_strategies",
]


@dataclass(frozen=True)
class MultilabelStrategy:
    """One way of handling multilabel imbalance.

    Built with these fields as keyword (or positional) arguments.

    Attributes
    ----------
    name : str
        The strategy's name in the table.
    kind : {"none", "sampler", "training"}
        ``"sampler"``: ``sampler(seed)`` builds a resampler with ``fit_resample(X,
        Y)``, applied to the scaled training part. ``"training"``: ``model_params``
        are set on the multilabel MLP (its loss or epoch sampler).
    sampler : callable or None
        ``seed -> resampler``; for ``kind="sampler"``.
    model_params : dict
        Parameters of :class:`~balancekit.bench._multilabel_mlp.TorchMultilabelMLP`.
    description : str
        One line for the report.

    Examples
    --------
    >>> from balancekit.bench import default_multilabel_strategies
    >>> [s.name for s in default_multilabel_strategies()][:3]
    ['none', 'pos_weight', 'MLROS']
    """

    name: str
    kind: str
    sampler: Callable[[int], Any] | None = None
    model_params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", ("none", "sampler", "training"))
        if (self.kind == "sampler") != (self.sampler is not None):
            raise ValueError(
                f"MultilabelStrategy {self.name!r}: `sampler` is required for "
                "kind='sampler' and only allowed there."
            )
        if self.kind == "training" and not self.model_params:
            raise ValueError(
                f"MultilabelStrategy {self.name!r}: kind='training' needs "
                "`model_params`."
            )


def _mlros(seed: int) -> Any:
    from balancekit.multilabel import MLROS

    return MLROS(random_state=seed)


def _mlrus(seed: int) -> Any:
    from balancekit.multilabel import MLRUS

    return MLRUS(random_state=seed)


def _mlsmote(seed: int) -> Any:
    from balancekit.multilabel import MLSMOTE

    return MLSMOTE(random_state=seed)


def default_multilabel_strategies() -> list[MultilabelStrategy]:
    """Every multilabel strategy the bench knows, baseline first.

    Returns
    -------
    list of MultilabelStrategy
        none, pos_weight, MLROS, MLRUS, MLSMOTE, class-aware sampler, ASL and the
        distribution-balanced loss.

    Examples
    --------
    >>> len(default_multilabel_strategies())
    8
    """
    return [
        MultilabelStrategy("none", "none", description="BCE, every row once"),
        MultilabelStrategy(
            "pos_weight",
            "training",
            model_params={"loss": "pos_weight"},
            description="BCEWithLogitsLoss with compute_pos_weight (n_neg / n_pos)",
        ),
        MultilabelStrategy(
            "MLROS",
            "sampler",
            sampler=_mlros,
            description="MLROS: clone rows of minority labels (+25% rows)",
        ),
        MultilabelStrategy(
            "MLRUS",
            "sampler",
            sampler=_mlrus,
            description="MLRUS: delete rows of majority labels (-25% rows at most)",
        ),
        MultilabelStrategy(
            "MLSMOTE",
            "sampler",
            sampler=_mlsmote,
            description="MLSMOTE: synthetic rows for minority labels (k=5, ranking)",
        ),
        MultilabelStrategy(
            "class-aware sampler",
            "training",
            model_params={"sampler": "class_aware"},
            description="MultilabelBalancedSampler: a label uniformly, then a row",
        ),
        MultilabelStrategy(
            "loss=asymmetric",
            "training",
            model_params={"loss": "asymmetric"},
            description="AsymmetricLoss (gamma_neg=4, gamma_pos=0, clip=0.05)",
        ),
        MultilabelStrategy(
            "loss=distribution_balanced",
            "training",
            model_params={"loss": "distribution_balanced"},
            description="DistributionBalancedLoss (re-balanced weights, NTR, focal)",
        ),
    ]


def resolve_multilabel_strategies(
    names: Iterable[str] | None,
) -> list[MultilabelStrategy]:
    """Strategy objects for names (``None``: all of them).

    Parameters
    ----------
    names : iterable of str or None
        Names from :func:`default_multilabel_strategies`.

    Returns
    -------
    list of MultilabelStrategy
        In the order given.

    Raises
    ------
    ValueError
        For an unknown or repeated name, or an empty list.

    Examples
    --------
    >>> [s.kind for s in resolve_multilabel_strategies(["none", "MLSMOTE"])]
    ['none', 'sampler']
    """
    known = {s.name: s for s in default_multilabel_strategies()}
    if names is None:
        return list(known.values())
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"multilabel strategies {unknown} are unknown; choose from {list(known)}."
        )
    if len(set(names)) != len(names) or not names:
        raise ValueError(
            f"strategies must be a non-empty list of unique names: {names}"
        )
    return [known[n] for n in names]


# Pickles and reprs name the public path, which stays if this module moves.
MultilabelStrategy.__module__ = "balancekit.bench"
