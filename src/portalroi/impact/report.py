"""The impact report: one causal-effect estimate per outcome, the baselines, and the period.

:class:`ImpactReport` is what :func:`portalroi.impact.estimate_effects` returns and what the money
layer (:mod:`portalroi.roi`) prices. Its ``effects`` are keyed by outcome name
(:data:`OUTCOMES`); an outcome the data cannot support is absent from ``effects`` and named in
``skipped`` with the reason.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from portalroi.impact.plot import event_study_spec
from portalroi.impact.results import EffectEstimate

__all__ = ["OUTCOMES", "AccountBaseline", "Baseline", "Deflection", "ImpactReport", "json_safe"]

#: Outcome keys of :attr:`ImpactReport.effects` and :attr:`ImpactReport.baselines`.
OUTCOMES: tuple[str, ...] = ("tickets", "churn", "days_to_pay", "csat", "nps", "order_value")


def _effect_dict(name: str, est: EffectEstimate) -> dict[str, Any]:
    out = est.to_dict()
    out["event_study_chart"] = (
        event_study_spec(est, title=f"{name}: effect by months since go-live")
        if est.event_study
        else None
    )
    return out


@dataclass(frozen=True)
class AccountBaseline:
    """One account's pre-go-live level and trend of an outcome.

    Examples
    --------
    >>> AccountBaseline("A00001", 3.5, -0.1, 12).level
    3.5
    """

    account_id: str
    level: float
    trend_per_month: float | None
    n_months: int


@dataclass(frozen=True)
class Baseline:
    """Pre-launch level and trend of one outcome, from account-months before each go-live.

    ``level`` is the mean per account-month over every account-month before that account's
    go-live (for accounts that never went live: before the portal's launch, the first go-live
    in the data). ``trend_per_month`` is the within-account slope per month over the same
    account-months (account fixed effects, so accounts going live and leaving the pre-period
    do not masquerade as a trend), with a standard error clustered by account. For churn the
    level is the monthly churn rate and the trend is the slope of the monthly churn rate.

    Examples
    --------
    >>> b = Baseline("tickets", "tickets per account-month", 4.2, 0.03, 0.01, 50, 600,
    ...              "2022-01", "2022-12")
    >>> b.to_dict()["level"]
    4.2
    """

    outcome: str
    unit: str
    level: float
    trend_per_month: float | None
    trend_se: float | None
    n_accounts: int
    n_account_months: int
    first_month: str
    last_month: str
    per_account: tuple[AccountBaseline, ...] = ()

    def to_dict(self, per_account: bool = True) -> dict[str, Any]:
        """A JSON-ready dictionary (``per_account=False`` leaves the per-account rows out).

        Examples
        --------
        >>> Baseline("nps", "NPS points", 20.0, None, None, 3, 9, "2022-01", "2022-03").to_dict(
        ...     per_account=False)["trend_per_month"] is None
        True
        """
        out = asdict(self)
        out["per_account"] = [asdict(a) for a in self.per_account] if per_account else []
        return out


@dataclass(frozen=True)
class Deflection:
    """Ticket deflection derived from the ticket-volume effect (ATT, in tickets per account-month).

    ``share`` = deflected / counterfactual tickets of treated account-months, where the
    counterfactual is observed minus ATT; ``tickets_deflected`` = -ATT × treated account-months
    (positive when the portal removes tickets), with the ATT's interval scaled the same way.

    Examples
    --------
    >>> d = Deflection(0.8, 0.5, 1.1, 3.2, 0.2, 400, 320.0, 200.0, 440.0)
    >>> d.to_dict()["tickets_deflected"]
    320.0
    """

    per_account_month: float
    per_account_month_low: float
    per_account_month_high: float
    counterfactual_per_account_month: float
    share: float
    treated_account_months: int
    tickets_deflected: float
    tickets_deflected_low: float
    tickets_deflected_high: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class ImpactReport:
    """Causal effect of the portal on each outcome, with baselines and the period analysed.

    Attributes
    ----------
    effects : one :class:`EffectEstimate` per outcome in :data:`OUTCOMES` that could be
        estimated (``tickets``: tickets per account-month; ``churn``: hazard ratio;
        ``days_to_pay``: days; ``csat``: 1-5 points; ``nps``: NPS points; ``order_value``:
        order value per account-month).
    baselines : pre-launch :class:`Baseline` per outcome.
    period : first and last month analysed, ``("YYYY-MM", "YYYY-MM")``.
    level : confidence level of every interval.
    control_group : ``"not_yet_treated"`` or ``"never_treated"``.
    deflection : tickets deflected, derived from ``effects["tickets"]`` (None without it).
    skipped : outcome -> why it was not estimated.
    notes : plain-language remarks (e.g. a fallback to the time-series counterfactual).
    as_of : the cut-off date, if one was given.

    Examples
    --------
    >>> r = ImpactReport({}, {}, ("2022-01", "2024-12"), 0.95, "not_yet_treated")
    >>> r.to_dict()["period"]
    {'first_month': '2022-01', 'last_month': '2024-12'}
    """

    effects: dict[str, EffectEstimate]
    baselines: dict[str, Baseline]
    period: tuple[str, str]
    level: float
    control_group: str
    deflection: Deflection | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    as_of: str | None = None

    def to_dict(self, per_account: bool = True) -> dict[str, Any]:
        """The full report as a JSON-ready dictionary.

        Each effect also carries ``event_study_chart``: a Vega-Lite v5 spec of its event
        study (None for estimates without one, e.g. the churn hazard ratio).

        Examples
        --------
        >>> ImpactReport({}, {}, ("2022-01", "2022-12"), 0.9, "never_treated").to_dict()["level"]
        0.9
        """
        return {
            "period": {"first_month": self.period[0], "last_month": self.period[1]},
            "as_of": self.as_of,
            "level": self.level,
            "control_group": self.control_group,
            "effects": {k: _effect_dict(k, v) for k, v in self.effects.items()},
            "deflection": None if self.deflection is None else self.deflection.to_dict(),
            "baselines": {k: v.to_dict(per_account) for k, v in self.baselines.items()},
            "skipped": dict(self.skipped),
            "notes": list(self.notes),
        }


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (an unbounded interval end such as a rate ratio's
    ``inf``, a NaN share) as ``None``, so that the JSON the CLI prints is valid JSON and reads
    like the HTTP API's (``Infinity`` and ``NaN`` are not JSON).

    Examples
    --------
    >>> json_safe({"ci": [0.3, float("inf")], "share": float("nan"), "n": 3})
    {'ci': [0.3, None], 'share': None, 'n': 3}
    """
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
