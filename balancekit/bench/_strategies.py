"""The imbalance strategies ``balancekit bench`` compares, and their search spaces.

A strategy changes one thing about training: nothing (``none``), the rows (a sampler,
placed after scaling in an ``imblearn.pipeline.Pipeline``, so it only ever sees training
rows), the weight of each row (class weights, computed from the labels the model is
fitted on), or the neural model's training loop (a loss, the torch
``BalancedSampler``, batch augmentation). A *decision* strategy keeps a base strategy's
training and changes what is done with its probabilities: it wraps the base's whole
pipeline in a :mod:`balancekit.decisions` estimator (a threshold tuned by
cross-validation, prior correction, temperature scaling), so every fit of the wrapper,
its inner cross-validation included, sees training rows only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from balancekit._params import check_choice
from balancekit.bench._decision_wrappers import (
    PriorCorrection,
    TemperatureScaling,
    ThresholdTuning,
)
from balancekit.combine import SMOTEENN, SMOTETomek
from balancekit.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEIPF,
    BorderlineSMOTE,
    PolynomialFitSMOTE,
    ProWSyn,
    RandomOverSampler,
)
from balancekit.under_sampling import (
    AllKNN,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)
from balancekit.weighting import METHODS

__all__ = [
    "KINDS",
    "QUICK_STRATEGIES",
    "Strategy",
    "decision_chain",
    "default_strategies",
    "resolve_strategies",
]

KINDS = ("none", "weights", "sampler", "training", "decision")
_RATIOS = [0.25, 0.5, 0.75, 1.0]


@dataclass(frozen=True)
class Strategy:
    """One way of handling the imbalance, as the harness applies it.

    Parameters
    ----------
    name : str
        The strategy's name in the table.
    kind : {"none", "weights", "sampler", "training", "decision"}
        ``"sampler"``: ``sampler(seed)`` builds a sampler placed between the scaler
        and the model. ``"weights"``: each training row gets
        ``compute_sample_weight(weight_method, y)``, passed to the model's ``fit``.
        ``"training"``: ``model_params`` are set on a neural model (loss, torch
        sampler, augmentation). ``"decision"``: ``decision(estimator, seed)`` wraps
        the whole pipeline of the ``base`` strategy (imputer, scaler, sampler,
        model) in a decision estimator; its ``predict`` gives the table's labels.
    sampler : callable or None
        ``seed -> sampler`` with ``fit_resample``; for ``kind="sampler"``.
    weight_method : str or None
        A :data:`balancekit.weighting.METHODS` name; for ``kind="weights"``.
    model_params : dict
        Parameters set on the model (``kind="training"``).
    frameworks : tuple of str or None
        The model frameworks it applies to (``"scikit-learn"``, ``"torch"``,
        ``"keras"``); None for every model. A decision strategy also applies only
        where its base does.
    search_space : dict
        Hyper-parameters searched with ``tune=``, as pipeline parameter names
        (``"sampler__k_neighbors"``, ``"model__loss_gamma"``) mapped to candidate lists.
        A decision strategy declares none: its base's space is searched on the base
        pipeline and the chosen parameters are set inside the wrapper.
    description : str
        One line for the report.
    base : str, Strategy or None
        For ``kind="decision"``: the strategy whose pipeline is wrapped, by default
        name or as an object; it may itself be a decision strategy.
    decision : callable or None
        For ``kind="decision"``: ``(estimator, seed) -> estimator`` with ``fit``,
        ``predict``, ``predict_proba`` and ``classes_``, e.g. ``lambda est, seed:
        TunedDecision(est, metric="f1", random_state=seed)``.

    Examples
    --------
    >>> from balancekit import SMOTE
    >>> s = Strategy("SMOTE(k=3)", "sampler", sampler=lambda seed: SMOTE(
    ...     k_neighbors=3, random_state=seed))
    >>> s.applies_to("torch"), type(s.sampler(0)).__name__
    (True, 'SMOTE')
    >>> wrapped = Strategy("SMOTE(k=3) + mine", "decision", base=s,
    ...                    decision=lambda estimator, seed: estimator)
    >>> base, decisions = decision_chain(wrapped)
    >>> base.name, len(decisions)
    ('SMOTE(k=3)', 1)
    """

    name: str
    kind: str
    sampler: Callable[[int], Any] | None = None
    weight_method: str | None = None
    model_params: Mapping[str, Any] = field(default_factory=dict)
    frameworks: tuple[str, ...] | None = None
    search_space: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    description: str = ""
    base: str | Strategy | None = None
    decision: Callable[[Any, int], Any] | None = None

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", KINDS)
        if (self.kind == "sampler") != (self.sampler is not None):
            raise ValueError(
                f"Strategy {self.name!r}: `sampler` is required for kind='sampler' "
                "and only allowed there."
            )
        if self.kind == "weights" and self.weight_method not in METHODS:
            raise ValueError(
                f"Strategy {self.name!r}: `weight_method` must be one of {METHODS}; "
                f"got {self.weight_method!r}."
            )
        if self.kind == "training" and not self.model_params:
            raise ValueError(
                f"Strategy {self.name!r}: kind='training' needs `model_params`."
            )
        self._check_decision()
        for key in self.search_space:
            if not key.startswith(("sampler__", "model__")):
                raise ValueError(
                    f"Strategy {self.name!r}: search-space key {key!r} must start "
                    "with 'sampler__' or 'model__'."
                )

    def _check_decision(self) -> None:
        is_decision = self.kind == "decision"
        if not is_decision:
            if self.base is not None or self.decision is not None:
                raise ValueError(
                    f"Strategy {self.name!r}: `base` and `decision` are only allowed "
                    "for kind='decision'."
                )
            return
        if not isinstance(self.base, (str, Strategy)):
            raise TypeError(
                f"Strategy {self.name!r}: kind='decision' needs `base`, a strategy "
                f"name or a Strategy; got {type(self.base).__name__}."
            )
        if not callable(self.decision):
            raise TypeError(
                f"Strategy {self.name!r}: kind='decision' needs `decision`, a "
                "callable (estimator, seed) -> estimator; got "
                f"{type(self.decision).__name__}."
            )
        if self.weight_method is not None or self.model_params or self.search_space:
            raise ValueError(
                f"Strategy {self.name!r}: a decision strategy takes its training "
                "(weights, model parameters, search space) from its `base`; give "
                "none of its own."
            )

    def applies_to(self, framework: str) -> bool:
        """Whether this strategy can be used with a model of ``framework``."""
        if self.frameworks is not None and framework not in self.frameworks:
            return False
        if self.kind == "decision":
            return decision_chain(self)[0].applies_to(framework)
        return True


def decision_chain(
    strategy: Strategy,
) -> tuple[Strategy, list[Callable[[Any, int], Any]]]:
    """The training strategy under ``strategy`` and its decisions, innermost first.

    A strategy that is not a decision is its own base, with no decision. A base
    given by name is looked up among :func:`default_strategies`.

    Raises
    ------
    ValueError
        For a base name that is not a default strategy, or a chain that loops.

    Examples
    --------
    >>> [tuned] = resolve_strategies(["SMOTE + prior corr. + tuned F1"])
    >>> base, decisions = decision_chain(tuned)
    >>> base.name, [type(d).__name__ for d in decisions]
    ('SMOTE', ['PriorCorrection', 'ThresholdTuning'])
    """
    decisions: list[Callable[[Any, int], Any]] = []
    seen = [strategy.name]
    current = strategy
    while current.kind == "decision":
        assert current.decision is not None
        decisions.append(current.decision)
        base = current.base
        if isinstance(base, str):
            known = _known_strategies()
            if base not in known:
                raise ValueError(
                    f"Strategy {current.name!r}: `base` {base!r} is not a known "
                    f"strategy name: {sorted(known)}."
                )
            base = known[base]
        assert isinstance(base, Strategy)
        if base.name in seen:
            raise ValueError(
                f"Strategy {strategy.name!r}: the chain of `base` strategies loops "
                f"({' -> '.join([*seen, base.name])})."
            )
        seen.append(base.name)
        current = base
    return current, decisions[::-1]


@functools.lru_cache(maxsize=1)
def _known_strategies() -> dict[str, Strategy]:
    return {s.name: s for s in default_strategies()}


def _sampler(name: str, cls: Any, space: dict, description: str, **fixed: Any) -> Any:
    seeded = "random_state" in cls().get_params()

    def build(seed: int) -> Any:
        return cls(random_state=seed, **fixed) if seeded else cls(**fixed)

    return Strategy(
        name, "sampler", sampler=build, search_space=space, description=description
    )


def _samplers() -> list[Strategy]:
    ratio = {"sampler__sampling_strategy": _RATIOS}
    k = {"sampler__k_neighbors": [3, 5, 7]}
    return [
        _sampler(
            "RandomOverSampler",
            RandomOverSampler,
            {**ratio, "sampler__shrinkage": [None, 0.5, 1.0]},
            "duplicate minority rows (shrinkage: smoothed bootstrap)",
        ),
        _sampler(
            "SMOTE", SMOTE, {**ratio, **k}, "interpolate between minority neighbours"
        ),
        _sampler(
            "BorderlineSMOTE",
            BorderlineSMOTE,
            {**k, "sampler__kind": ["borderline-1", "borderline-2"]},
            "SMOTE from minority rows near the class border only",
        ),
        _sampler(
            "ADASYN",
            ADASYN,
            {"sampler__n_neighbors": [3, 5, 7]},
            "more synthetic rows where the minority is harder",
        ),
        # The three over-samplers Kovács (2019) ranks above SMOTE.
        _sampler(
            "PolynomialFitSMOTE",
            PolynomialFitSMOTE,
            {
                **ratio,
                "sampler__topology": ["star", "bus", "mesh", "poly_1", "poly_2"],
            },
            "new rows on a star, bus, mesh or polynomial curve through the minority",
        ),
        _sampler(
            "ProWSyn",
            ProWSyn,
            {
                **ratio,
                "sampler__n_neighbors": [3, 5, 7],
                "sampler__n_levels": [3, 5, 7],
                "sampler__theta": [0.1, 1.0, 2.0],
            },
            "more synthetic rows in the minority levels nearest the border",
        ),
        _sampler(
            "SMOTEIPF",
            SMOTEIPF,
            {**k, "sampler__voting": ["majority", "consensus"]},
            "SMOTE, then an iterative decision-tree ensemble filter removes noise",
        ),
        _sampler(
            "RandomUnderSampler",
            RandomUnderSampler,
            ratio,
            "drop majority rows at random",
        ),
        _sampler(
            "NearMiss",
            NearMiss,
            {"sampler__version": [1, 2, 3]},
            "keep the majority rows closest to the minority",
        ),
        _sampler("TomekLinks", TomekLinks, {}, "remove majority rows of Tomek links"),
        _sampler(
            "EditedNearestNeighbours",
            EditedNearestNeighbours,
            {"sampler__n_neighbors": [3, 5], "sampler__kind_sel": ["all", "mode"]},
            "remove majority rows their neighbours disagree with",
        ),
        _sampler(
            "RepeatedEditedNearestNeighbours",
            RepeatedEditedNearestNeighbours,
            {},
            "ENN repeated until nothing changes",
        ),
        _sampler("AllKNN", AllKNN, {}, "ENN with k = 1 ... n_neighbors"),
        _sampler(
            "CondensedNearestNeighbour",
            CondensedNearestNeighbour,
            {},
            "keep the majority rows a 1-NN rule needs",
        ),
        _sampler(
            "OneSidedSelection",
            OneSidedSelection,
            {},
            "condensed nearest neighbour, then Tomek links",
        ),
        _sampler(
            "NeighbourhoodCleaningRule",
            NeighbourhoodCleaningRule,
            {},
            "ENN plus cleaning around the minority",
        ),
        _sampler(
            "SMOTEENN",
            SMOTEENN,
            {"sampler__sampling_strategy": _RATIOS},
            "SMOTE, then edited nearest neighbours",
        ),
        _sampler(
            "SMOTETomek",
            SMOTETomek,
            {"sampler__sampling_strategy": _RATIOS},
            "SMOTE, then Tomek links",
        ),
    ]


def _weights() -> list[Strategy]:
    # "inverse" is "balanced" up to a factor, which the mean-1 normalisation of
    # ClassWeighted removes: it would repeat the "balanced" rows.
    texts = {
        "balanced": "weights n / (C n_c), scikit-learn's 'balanced'",
        "inverse_sqrt": "weights proportional to 1 / sqrt(n_c): a milder re-weighting",
        "effective_number": "weights (1 - beta) / (1 - beta^n_c) (Cui et al. 2019)",
    }
    spaces = {"effective_number": {"model__beta": [0.9, 0.99, 0.999, 0.9999]}}
    return [
        Strategy(
            f"class_weight={method}",
            "weights",
            weight_method=method,
            search_space=spaces.get(method, {}),
            description=f"{text}, mean 1",
        )
        for method, text in texts.items()
    ]


def _training() -> list[Strategy]:
    neural = ("torch", "keras")
    strategies = [
        Strategy(
            "torch BalancedSampler",
            "training",
            model_params={"sampler": "balanced"},
            frameworks=("torch",),
            description="balancekit.torch.BalancedSampler: class-balanced batches",
        )
    ]
    losses = {
        "focal": "focal loss (gamma=2)",
        "class_balanced": "class-balanced loss (effective number, beta=0.999)",
        "logit_adjusted": "logit-adjusted loss (tau=1)",
        "balanced_softmax": "balanced softmax loss",
        "ldam": "LDAM loss (label-distribution-aware margins)",
    }
    for loss, text in losses.items():
        strategies.append(
            Strategy(
                f"loss={loss}",
                "training",
                model_params={"loss": loss},
                frameworks=neural,
                description=text,
            )
        )
    for augment in (
        "mixup",
        "remix",
        "balanced_mixup",
        "smote_batch",
        "gaussian_noise",
    ):
        strategies.append(
            Strategy(
                f"augment={augment}",
                "training",
                model_params={"augment": augment},
                frameworks=("torch",),
                description=f"balancekit.augmentation.{augment} on every batch",
            )
        )
    return strategies


def _decisions() -> list[Strategy]:
    neural = ("torch", "keras")
    tuned_f1 = ThresholdTuning(None)  # F1 of the minority; macro F1 if C > 2
    return [
        Strategy(
            "none + tuned F1",
            "decision",
            base="none",
            decision=tuned_f1,
            description="the threshold of best F1 (per-class offsets of best macro F1 "
            "if C > 2), tuned by 5-fold CV on the training part",
        ),
        Strategy(
            "none + tuned at recall 0.9",
            "decision",
            base="none",
            decision=ThresholdTuning("precision", ("recall", 0.9)),
            description="the threshold of best precision with minority recall >= "
            "0.9, tuned by 5-fold CV (binary data only)",
        ),
        Strategy(
            "SMOTE + prior corr.",
            "decision",
            base="SMOTE",
            decision=PriorCorrection(),
            description="SMOTE, probabilities Bayes-corrected back to the data's prior",
        ),
        Strategy(
            "class_weight=balanced + prior corr.",
            "decision",
            base="class_weight=balanced",
            decision=PriorCorrection(),
            description="balanced class weights, probabilities Bayes-corrected back "
            "to the data's prior",
        ),
        Strategy(
            "SMOTE + prior corr. + tuned F1",
            "decision",
            base="SMOTE + prior corr.",
            decision=tuned_f1,
            description="SMOTE, prior correction, then the threshold of best F1 "
            "(5-fold CV)",
        ),
        Strategy(
            "none + logit adj.",
            "decision",
            base="none",
            decision=PriorCorrection("uniform"),
            frameworks=neural,
            description="post-hoc logit adjustment: probabilities moved to a uniform "
            "prior (tau=1)",
        ),
        Strategy(
            "none + temperature",
            "decision",
            base="none",
            decision=TemperatureScaling(),
            frameworks=neural,
            description="temperature scaling fitted on out-of-fold probabilities "
            "(5-fold CV)",
        ),
    ]


def default_strategies() -> list[Strategy]:
    """Every strategy the harness knows: none, class weights, samplers, decisions,
    training.

    Examples
    --------
    >>> from balancekit.bench import default_strategies
    >>> names = [s.name for s in default_strategies()]
    >>> names[:3], "SMOTE" in names, "loss=focal" in names
    (['none', 'class_weight=balanced', 'class_weight=inverse_sqrt'], True, True)
    """
    baseline = Strategy("none", "none", description="the model as it is")
    return [baseline, *_weights(), *_samplers(), *_decisions(), *_training()]


#: The strategies of ``balancekit bench --quick``: the decision strategies that cost
#: one fit (prior correction, logit adjustment) and one tuned threshold (six fits).
QUICK_STRATEGIES = (
    "none",
    "class_weight=balanced",
    "RandomOverSampler",
    "SMOTE",
    "RandomUnderSampler",
    "TomekLinks",
    "SMOTEENN",
    "none + tuned F1",
    "SMOTE + prior corr.",
    "class_weight=balanced + prior corr.",
    "none + logit adj.",
)


def resolve_strategies(strategies: Iterable[str | Strategy] | None) -> list[Strategy]:
    """Strategy objects for names (``None``: every default strategy).

    Examples
    --------
    >>> [s.kind for s in resolve_strategies(["none", "SMOTE"])]
    ['none', 'sampler']
    """
    known = {s.name: s for s in default_strategies()}
    if strategies is None:
        return list(known.values())
    if isinstance(strategies, (str, Strategy)):
        strategies = [strategies]
    resolved = []
    for item in strategies:
        if isinstance(item, Strategy):
            resolved.append(item)
        elif isinstance(item, str) and item in known:
            resolved.append(known[item])
        else:
            raise ValueError(
                f"`strategies` has {item!r}, which is neither a Strategy nor one of "
                f"the known names: {sorted(known)}."
            )
    names = [s.name for s in resolved]
    if len(set(names)) != len(names):
        raise ValueError(f"`strategies` names must be unique; got {names}.")
    for strategy in resolved:
        decision_chain(strategy)  # a base that is unknown or loops is refused here
    if not resolved:
        raise ValueError("`strategies` is empty; give at least one strategy.")
    return resolved
