"""Findings: what a diagnostic found, how serious it is and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from balancekit._params import check_choice

__all__ = ["SEVERITIES", "Finding", "render_findings", "worst_severity"]

#: Severities from mildest to most serious. "info" is context, never a problem.
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One thing a diagnostic found.

    Parameters
    ----------
    code : str
        Stable identifier (``"duplicate_rows"``, ``"nan_values"``, ...), for programs.
    severity : {"info", "warning", "error"}
        ``"error"``: the data as given will mislead any model (leakage, conflicting
        labels, NaN); ``"warning"``: likely to hurt the minority class; ``"info"``:
        context.
    message : str
        What was found, with its exact count (``"31 test rows duplicate training
        rows"``).
    suggestion : str
        A concrete next step tied to the library (``"standardise before kNN
        samplers"``); empty when there is nothing to do.
    count : int or None
        The number of rows, columns or classes concerned, when one number says it.
    details : dict
        Machine-readable specifics (row indices, column names, per-class shares).

    Examples
    --------
    >>> f = Finding("constant_features", "warning", "1 constant feature: [3]",
    ...             "drop it", count=1, details={"columns": [3]})
    >>> f.to_dict()["severity"]
    'warning'
    """

    code: str
    severity: str
    message: str
    suggestion: str = ""
    count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice(self.severity, "severity", SEVERITIES)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (JSON-serialisable when ``details`` is)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "count": self.count,
            "details": dict(self.details),
        }


def worst_severity(findings: list[Finding]) -> str | None:
    """The most serious severity among ``findings`` (None when there are none).

    Examples
    --------
    >>> worst_severity([Finding("a", "info", "x"), Finding("b", "warning", "y")])
    'warning'
    """
    if not findings:
        return None
    return max((f.severity for f in findings), key=SEVERITIES.index)


def render_findings(findings: list[Finding]) -> str:
    """Findings as terminal text, most serious first, one block per finding.

    Examples
    --------
    >>> print(render_findings([Finding("nan_values", "error", "3 NaN values",
    ...                                "impute them")]))
    [error] 3 NaN values
            -> impute them
    """
    if not findings:
        return "no findings"
    ordered = sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
    lines = []
    for finding in ordered:
        tag = f"[{finding.severity}]"
        lines.append(f"{tag} {finding.message}")
        if finding.suggestion:
            lines.append(" " * (len(tag) + 1) + f"-> {finding.suggestion}")
    return "\n".join(lines)
