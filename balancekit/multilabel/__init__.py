"""Multilabel resampling: MLROS, MLRUS, MLSMOTE and label-powerset random samplers.

``y`` is an (n_samples, n_labels) 0/1 indicator. The samplers keep balancekit's
``fit_resample(X, y, *, sample_weight=None)`` protocol, run in the input's namespace
and on its device, and fit in ``imblearn.pipeline.Pipeline``. The papers' forms of
``sampling_strategy`` are accepted: a share P of the rows to resample, or a target
``{"mean_ir": t}``.
"""

from typing import TYPE_CHECKING

from balancekit._lazy import lazy_attributes

if TYPE_CHECKING:
    from balancekit.multilabel._label_powerset import (
        LabelPowersetRandomOverSampler,
        LabelPowersetRandomUnderSampler,
    )
    from balancekit.multilabel._mlros import MLROS
    from balancekit.multilabel._mlrus import MLRUS
    from balancekit.multilabel._mlsmote import MLSMOTE

# Loaded on first use: importing the package stays fast (balancekit._lazy).
__getattr__, __dir__ = lazy_attributes(
    __name__,
    globals(),
    {
        "MLROS": "balancekit.multilabel._mlros",
        "MLRUS": "balancekit.multilabel._mlrus",
        "MLSMOTE": "balancekit.multilabel._mlsmote",
        "LabelPowersetRandomOverSampler": "balancekit.multilabel._label_powerset",
        "LabelPowersetRandomUnderSampler": "balancekit.multilabel._label_powerset",
    },
)

__all__ = [
    "MLROS",
    "MLRUS",
    "MLSMOTE",
    "LabelPowersetRandomOverSampler",
    "LabelPowersetRandomUnderSampler",
]
