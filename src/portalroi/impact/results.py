"""Typed results of the causal-effect estimators.

Every estimator in :mod:`portalroi.impact` returns an :class:`EffectEstimate`: the estimand in
words, the point estimate with its standard error and 95 % interval, how many treated and
comparison units it used, the method, the assumptions it rests on, and (for difference-in-
differences) the pre-trend p-value and the event-study table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = ["EffectEstimate", "EventTimeEffect", "event_study_frame"]


@dataclass(frozen=True)
class EventTimeEffect:
    """The effect ``event_time`` periods after adoption (negative: before; ``-1`` is the base).

    Examples
    --------
    >>> EventTimeEffect(0, -1.2, 0.3, -1.79, -0.61, 40).estimate
    -1.2
    """

    event_time: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int


@dataclass(frozen=True)
class EffectEstimate:
    """One causal-effect estimate with its uncertainty and the assumptions behind it.

    ``estimate`` is in the outcome's unit (tickets per account-month, days) or, for hazard
    models, a ratio (then ``se`` is the standard error of its logarithm and the interval is
    the exponentiated log-scale interval).

    Examples
    --------
    >>> e = EffectEstimate("ATT", -1.0, 0.25, -1.49, -0.51, 30, 70, "did", ("no anticipation",))
    >>> e.to_dict()["ci_high"]
    -0.51
    """

    estimand: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    method: str
    assumptions: tuple[str, ...]
    pretrend_pvalue: float | None = None
    event_study: tuple[EventTimeEffect, ...] = field(default_factory=tuple)
    unit: str = ""
    details: dict[str, float] = field(default_factory=dict)

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies inside the confidence interval.

        Examples
        --------
        >>> EffectEstimate("ATT", 0.0, 1.0, -1.96, 1.96, 1, 1, "m", ()).covers(1.0)
        True
        """
        return self.ci_low <= value <= self.ci_high

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (the event study as a list of rows).

        Examples
        --------
        >>> EffectEstimate("ATT", 1.0, 0.5, 0.02, 1.98, 3, 4, "m", ("a",)).to_dict()["assumptions"]
        ['a']
        """
        out = asdict(self)
        out["assumptions"] = list(self.assumptions)
        out["event_study"] = [asdict(row) for row in self.event_study]
        return out


def event_study_frame(estimate: EffectEstimate) -> pd.DataFrame:
    """The event-study table of ``estimate`` as a data frame, one row per event time.

    Examples
    --------
    >>> row = EventTimeEffect(0, -1.0, 0.2, -1.39, -0.61, 10)
    >>> e = EffectEstimate("ATT", -1.0, 0.2, -1.39, -0.61, 10, 5, "m", (), event_study=(row,))
    >>> list(event_study_frame(e)["event_time"])
    [0]
    """
    columns = ["event_time", "estimate", "se", "ci_low", "ci_high", "n_treated"]
    return pd.DataFrame([asdict(r) for r in estimate.event_study], columns=columns)
