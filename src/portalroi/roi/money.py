"""Money valuation of causal effects: each benefit line priced per live account-month.

Every function takes an :class:`~portalroi.impact.EffectEstimate` (the portal's causal effect
with its confidence interval) and figures measured in the data, and returns a
:class:`MoneyLine`: the value one *live account-month* earns, with the interval carried
through from the effect's interval, and the formula written out with its numbers. Each value
is monotone in the effect, so the interval ends are the formula at the effect's interval ends.
The interval reflects the uncertainty of the causal effect only (cost per ticket, billing and
CLV are treated as known).

Line ids are the business case's (:mod:`portalroi.businesscase`): ``deflection``,
``agent_time``, ``dso``, ``churn``, ``orders``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from portalroi.businesscase.model import DSO_DAYS
from portalroi.impact.results import EffectEstimate

__all__ = [
    "Interval",
    "MoneyLine",
    "agent_time_value",
    "churn_value",
    "deflection_value",
    "dso_value",
    "order_value",
]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a (sorted) interval.

    Examples
    --------
    >>> Interval.through(lambda x: -2 * x, 1.0, 0.5, 1.5)
    Interval(estimate=-2.0, low=-3.0, high=-1.0)
    """

    estimate: float
    low: float
    high: float

    @classmethod
    def through(
        cls, f: Callable[[float], float], estimate: float, low: float, high: float
    ) -> Interval:
        """Map a monotone function over an estimate and its interval ends (then sort the ends)."""
        a, b = f(low), f(high)
        return cls(f(estimate), min(a, b), max(a, b))

    def scale(self, factor: float) -> Interval:
        """Multiply by a known factor (the ends are re-sorted for a negative factor).

        Examples
        --------
        >>> Interval(1.0, 0.5, 2.0).scale(-1.0)
        Interval(estimate=-1.0, low=-2.0, high=-0.5)
        """
        return Interval.through(lambda x: x * factor, self.estimate, self.low, self.high)

    def __add__(self, other: Interval) -> Interval:
        return Interval(
            self.estimate + other.estimate, self.low + other.low, self.high + other.high
        )


@dataclass(frozen=True)
class MoneyLine:
    """One benefit line's value per live account-month.

    Attributes
    ----------
    id : the business-case line id.
    label : plain-language name.
    value : money per live account-month (currency of the data), with interval.
    quantity : the physical effect per live account-month (tickets, hours, accounts, ...).
    quantity_unit : unit of ``quantity``.
    formula : the calculation with its numbers.
    counted : False when the line is a part of another line and not added to the totals.
    note : why a line is not counted, or other caveats.
    details : the inputs used, by name.
    """

    id: str
    label: str
    value: Interval
    quantity: Interval
    quantity_unit: str
    formula: str
    counted: bool = True
    note: str = ""
    details: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def _through(effect: EffectEstimate, f: Callable[[float], float]) -> Interval:
    return Interval.through(f, effect.estimate, effect.ci_low, effect.ci_high)


def _ci(effect: EffectEstimate, digits: int = 3) -> str:
    return f"{effect.estimate:.{digits}f} [{effect.ci_low:.{digits}f}, {effect.ci_high:.{digits}f}]"


def deflection_value(
    tickets_effect: EffectEstimate, cost_per_ticket: float, cost_source: str = ""
) -> MoneyLine:
    """Deflected tickets × cost per ticket, per live account-month.

    ``tickets_effect`` is the ATT on tickets per account-month (negative when the portal
    removes tickets); deflected tickets = -ATT.

    Examples
    --------
    >>> e = EffectEstimate("ATT", -0.8, 0.1, -1.0, -0.6, 30, 20, "did", ())
    >>> line = deflection_value(e, 20.0)
    >>> line.value
    Interval(estimate=16.0, low=12.0, high=20.0)
    """
    return MoneyLine(
        id="deflection",
        label="Deflected tickets",
        value=_through(tickets_effect, lambda x: -x * cost_per_ticket),
        quantity=_through(tickets_effect, lambda x: -x),
        quantity_unit="tickets per live account-month",
        formula=(
            f"deflected tickets per live account-month (-ATT, {_ci(tickets_effect)}) "
            f"× cost per ticket {cost_per_ticket:.2f} (total support cost / tickets"
            + (f", {cost_source}" if cost_source else "")
            + ")"
        ),
        details={"cost_per_ticket": cost_per_ticket, "att": tickets_effect.estimate},
    )


def agent_time_value(
    tickets_effect: EffectEstimate, handle_minutes: float, hourly_cost: float
) -> MoneyLine:
    """Agent time saved: handle minutes × deflected tickets / 60 × hourly cost.

    The handling time of a deflected ticket is part of its cost per ticket, so this line is
    shown (hours freed) but not added to the totals again (``counted=False``).

    Examples
    --------
    >>> e = EffectEstimate("ATT", -0.6, 0.1, -0.8, -0.4, 30, 20, "did", ())
    >>> agent_time_value(e, 20.0, 60.0).value
    Interval(estimate=12.0, low=8.0, high=16.0)
    """
    return MoneyLine(
        id="agent_time",
        label="Agent time saved",
        value=_through(tickets_effect, lambda x: -x * handle_minutes / 60.0 * hourly_cost),
        quantity=_through(tickets_effect, lambda x: -x * handle_minutes / 60.0),
        quantity_unit="agent hours per live account-month",
        formula=(
            f"handle minutes {handle_minutes:.1f} × deflected tickets per live account-month "
            f"({_ci(tickets_effect)} × -1) / 60 × hourly cost {hourly_cost:.2f}"
        ),
        counted=False,
        note="part of the deflection line (cost per ticket includes handling time); "
        "not added again",
        details={"handle_minutes": handle_minutes, "hourly_cost": hourly_cost},
    )


def dso_value(
    days_effect: EffectEstimate,
    billing_per_account_month: float,
    cost_of_capital: float,
    convention: str = "365-day year",
) -> MoneyLine:
    """Cash freed by lower DSO, valued per year at the cost of capital, per live account-month.

    Daily billing per live account = billing per account-month × 12 / 365 (``"365-day
    year"``) or / 30 (``"30-day month"``); cash freed = daily billing × days less (-ATT on days
    to pay); its value per year = cash freed × cost of capital, i.e. / 12 per account-month.

    Examples
    --------
    >>> e = EffectEstimate("ATT", -5.0, 1.0, -7.0, -3.0, 30, 20, "did", ())
    >>> line = dso_value(e, 36_500.0, 0.12)
    >>> round(line.details["cash_freed_per_live_account"], 6), round(line.value.estimate, 6)
    (6000.0, 60.0)
    """
    periods, days = DSO_DAYS[convention]
    daily = billing_per_account_month * periods / days

    def value(x: float) -> float:
        return -x * daily * cost_of_capital / 12.0

    return MoneyLine(
        id="dso",
        label="Cash freed by lower DSO",
        value=_through(days_effect, value),
        quantity=_through(days_effect, lambda x: -x),
        quantity_unit="days less to pay",
        formula=(
            f"daily billing per live account {daily:.2f} (billing per account-month "
            f"{billing_per_account_month:.2f} on the {convention} convention) × days less "
            f"(-ATT, {_ci(days_effect, 2)} × -1) = cash freed; × cost of capital "
            f"{cost_of_capital:.1%} per year / 12"
        ),
        details={
            "daily_billing_per_live_account": daily,
            "cash_freed_per_live_account": -days_effect.estimate * daily,
            "cash_freed_per_live_account_low": min(
                -days_effect.ci_low * daily, -days_effect.ci_high * daily
            ),
            "cash_freed_per_live_account_high": max(
                -days_effect.ci_low * daily, -days_effect.ci_high * daily
            ),
            "cost_of_capital": cost_of_capital,
        },
    )


def churn_value(
    hazard_ratio: EffectEstimate,
    live_churn_rate: float,
    clv: float,
    clv_source: str = "",
    margin_per_month: float | None = None,
) -> MoneyLine:
    """Accounts retained × customer lifetime value, per live account-month.

    With the observed monthly churn rate of live accounts ``h`` and the hazard ratio ``HR``
    (live vs not), the counterfactual rate is ``h / HR``, so retained accounts per live
    account-month = ``h × (1 / HR - 1)``; each is worth its CLV. ``margin_per_month`` (the
    margin a retained account earns a month, kept in ``details``) lets
    :func:`~portalroi.roi.realised.realised_roi` also count only the margin earned to date.

    Examples
    --------
    >>> e = EffectEstimate("HR", 0.5, 0.2, 0.25, 1.0, 30, 20, "hazard", ())
    >>> churn_value(e, 0.01, 1000.0).value
    Interval(estimate=10.0, low=0.0, high=30.0)
    """

    def retained(hr: float) -> float:
        return live_churn_rate * (1.0 / hr - 1.0)

    return MoneyLine(
        id="churn",
        label="Churn reduction",
        value=_through(hazard_ratio, lambda hr: retained(hr) * clv),
        quantity=_through(hazard_ratio, retained),
        quantity_unit="accounts retained per live account-month",
        formula=(
            f"retained accounts per live account-month = churn rate of live accounts "
            f"{live_churn_rate:.4f} × (1 / hazard ratio {_ci(hazard_ratio)} - 1) × CLV "
            f"{clv:.2f}" + (f" ({clv_source})" if clv_source else "")
        ),
        details={"live_churn_rate": live_churn_rate, "clv": clv}
        | ({} if margin_per_month is None else {"margin_per_month": margin_per_month}),
    )


def order_value(order_effect: EffectEstimate, margin: float) -> MoneyLine:
    """Order uplift × margin, per live account-month (ATT on order value per account-month).

    Examples
    --------
    >>> e = EffectEstimate("ATT", 500.0, 100.0, 300.0, 700.0, 30, 20, "did", ())
    >>> order_value(e, 0.3).value
    Interval(estimate=150.0, low=90.0, high=210.0)
    """
    return MoneyLine(
        id="orders",
        label="Order uplift",
        value=_through(order_effect, lambda x: x * margin),
        quantity=_through(order_effect, lambda x: x),
        quantity_unit="order value per live account-month",
        formula=(
            f"order value uplift per live account-month (ATT, {_ci(order_effect, 2)}) "
            f"× gross margin {margin:.1%}"
        ),
        details={"margin": margin},
    )
