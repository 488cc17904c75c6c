"""Plan vs actual: the business case's lines (same ids) set beside what the data shows.

The plan to date is the business case's monthly flow (:func:`portalroi.businesscase.model.
line_flows`, likely values) summed over the months since launch (month 0 = the one-off costs,
months 1..k after the first go-live; capped at the horizon); the actual to date is the realised
value (:mod:`portalroi.roi.realised`). The cause compares each line's drivers (the figures the
plan multiplies) with the measured ones and names those more than 10 % off, plus adoption
when fewer accounts are live than the plan's ramp expects. A cost row's cause also says how the
plan's figure is made (``plan: 350 a month for 24 months since the first go-live``, ``plan:
25,000 one-off, before the first go-live``), so a plan of another size reads as a different
rate, not as a period cut short.

The ``churn`` line is compared on the plan's basis: the business case counts the margin its
kept customers earn month by month, so the actual is the margin retained accounts earned to
date (:class:`~portalroi.roi.realised.EarnedBasis`), not the realised line's lifetime value
(CLV) booked when each account is retained; the cause quotes that value beside it. (Without
the margin per month, as for a hand-made realised ROI, the row compares the lifetime value and
its cause says the bases differ.)

A line the realised ROI shows but does not add (``agent_time``: the handling time of deflected
tickets, already inside their cost per ticket) is still compared with the plan's line of the
same id, which the business case *does* add to its totals and which measures minutes saved per
ticket on all tickets; its cause says so. The bases differ: read that row as an indication.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from portalroi.businesscase.inputs import BusinessCaseInputs, CostLine
from portalroi.businesscase.model import COST_IDS, adoption_curve, line_flows, parameters
from portalroi.roi.money import Interval
from portalroi.roi.realised import RealisedRoi

__all__ = ["Actuals", "PlanRow", "plan_vs_actual"]

#: Relative gap between a measured and a planned driver that is named as a cause.
TOLERANCE = 0.10


@dataclass(frozen=True)
class Actuals:
    """Measured drivers of the benefit lines (None where the data cannot say).

    ``months_since_launch`` counts the first go-live month as month 1.
    """

    months_since_launch: int
    adoption_share: float
    deflection_share: float | None = None
    cost_per_ticket: float | None = None
    tickets_per_month: float | None = None
    agent_hours_per_month: float | None = None
    days_reduced: float | None = None
    lifetime_extension_months: float | None = None
    order_uplift: float | None = None
    costs_by_category: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan-vs-actual table."""

    id: str
    kind: str
    plan_to_date: float | None
    actual_to_date: Interval | None
    variance: float | None
    variance_share: float | None
    cause: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _compare(
    name: str, actual: float | None, plan: float | None, fmt: Callable[[float], str]
) -> str | None:
    if actual is None or plan is None:
        return None
    if plan == 0 and actual == 0:
        return None
    if plan != 0 and abs(actual - plan) / abs(plan) <= TOLERANCE:
        return None
    return f"{name} {fmt(actual)} vs planned {fmt(plan)}"


def _drivers(plan: BusinessCaseInputs, actual: Actuals) -> dict[str, list[str | None]]:
    p = parameters(plan)

    def likely(key: str) -> float | None:
        return p[key].likely if key in p else None

    b = plan.benefits
    out: dict[str, list[str | None]] = {}
    if b.deflection is not None:
        planned_cpt = likely("benefits.deflection.cost_per_ticket")
        tickets = likely("benefits.deflection.tickets_per_month")
        if planned_cpt is None and tickets:
            support = likely("benefits.deflection.support_cost_per_year")
            planned_cpt = support / (tickets * 12) if support is not None else None
        out["deflection"] = [
            _compare(
                "deflection share",
                actual.deflection_share,
                likely("benefits.deflection.deflection_share"),
                _pct,
            ),
            _compare("cost per ticket", actual.cost_per_ticket, planned_cpt, lambda x: f"{x:,.2f}"),
            _compare("tickets per month", actual.tickets_per_month, tickets, lambda x: f"{x:,.0f}"),
        ]
    if b.agent_time is not None:
        planned_hours = (
            b.agent_time.tickets_per_month.likely
            * b.agent_time.minutes_saved_per_ticket.likely
            / 60.0
        )
        out["agent_time"] = [
            _compare(
                "agent hours saved per month at full adoption",
                actual.agent_hours_per_month,
                planned_hours,
                lambda x: f"{x:,.0f}",
            )
        ]
    if b.dso is not None:
        out["dso"] = [
            _compare(
                "days less to pay",
                actual.days_reduced,
                likely("benefits.dso.days_reduced"),
                lambda x: f"{x:.1f}",
            )
        ]
    if b.churn is not None:
        out["churn"] = [
            _compare(
                "customer lifetime extended by (months)",
                actual.lifetime_extension_months,
                likely("benefits.churn.lifetime_extension_months"),
                lambda x: f"{x:.1f}",
            )
        ]
    if b.orders is not None:
        out["orders"] = [
            _compare("order uplift", actual.order_uplift, likely("benefits.orders.uplift"), _pct)
        ]
    return out


def plan_vs_actual(
    plan: BusinessCaseInputs, realised: RealisedRoi, actual: Actuals
) -> list[PlanRow]:
    """Line by line (business-case ids): plan to date, actual to date, variance and its cause.

    Examples
    --------
    >>> from portalroi.businesscase import example_inputs
    >>> from portalroi.roi.money import MoneyLine
    >>> from portalroi.roi.realised import realised_roi
    >>> line = MoneyLine("deflection", "d", Interval(20.0, 10.0, 30.0), Interval(1, 1, 1), "", "")
    >>> r = realised_roi(["2024-01", "2024-02"], [100.0, 50.0], [0.0, 10.0], [line], 0.04)
    >>> rows = plan_vs_actual(example_inputs(), r, Actuals(1, 0.3, deflection_share=0.18))
    >>> rows[0].id, rows[0].cause.split(";")[0]
    ('deflection', 'deflection share 18 % vs planned 25 %')
    """
    flows = line_flows(plan)
    k = min(max(actual.months_since_launch, 0), plan.months)
    planned_adoption = float(adoption_curve(plan)[k])
    adoption_note = (
        f"adoption slower: {_pct(actual.adoption_share)} of accounts live vs "
        f"{_pct(planned_adoption)} planned"
        if actual.adoption_share < planned_adoption - 0.05
        else None
    )
    drivers = _drivers(plan, actual)
    realised_lines = {x.id: x for x in realised.lines}
    rows: list[PlanRow] = []
    ids = list(dict.fromkeys([*flows.benefits, *(x.id for x in realised.lines)]))
    for line_id in ids:
        planned = (
            float(np.sum(flows.benefits[line_id][0, : k + 1]))
            if line_id in flows.benefits
            else None
        )
        got = realised_lines[line_id].to_date if line_id in realised_lines else None
        booked = got
        if line_id == "churn" and realised.earned is not None:
            got = realised.earned.churn_to_date  # the plan's basis: margin earned so far
        causes = [c for c in drivers.get(line_id, []) if c]
        if planned is not None and got is not None and adoption_note:
            causes.append(adoption_note)
        if got is None:
            cause = "not measured from the data"
        elif planned is None:
            cause = "not in the plan"
        else:
            cause = "; ".join(causes) or "on plan (drivers within 10 %)"
        if planned is not None and actual.months_since_launch > k:
            # the plan stops at its horizon while the data go on: say so, or a plan to date
            # of 12 months set beside 24 months of actuals reads as a shortfall of the plan
            cause += (
                f"; plan to date ends at its {k}-month horizon, the data cover "
                f"{actual.months_since_launch} months since the first go-live"
            )
        if line_id == "churn" and got is not None and booked is not got and booked is not None:
            # a part of its own (no "; " inside), so the report's translation of the other
            # parts still applies
            cause += (
                "; actual = margin retained accounts earned to date, as the plan counts it "
                f"(at lifetime value, future margin included: {booked.estimate:,.0f})"
            )
        elif line_id == "churn" and planned is not None and got is not None:
            # the realised line books each retained account's whole (discounted) lifetime
            # margin when it is retained; the business case adds the margin of the customers
            # it keeps month by month, so most of a large variance can be this difference
            cause += (
                "; bases differ: the actual books each retained account's lifetime value "
                "(CLV), future margin included, when it is retained, the plan the margin kept "
                "customers earn month by month"
            )
        if got is not None and not realised_lines[line_id].counted:
            # e.g. agent_time: the plan adds it to its totals, the realised ROI does not (the
            # handling time of a deflected ticket is inside its cost per ticket)
            cause += (
                " (shown, not added to the realised totals; the plan counts it in its totals)"
                if planned is not None
                else " (shown, not added to the totals)"
            )
        rows.append(_row(line_id, "benefit", planned, got, cause))
    for line_id in COST_IDS:
        planned = (
            float(np.sum(flows.costs[line_id][0, : k + 1])) if line_id in flows.costs else None
        )
        spent = actual.costs_by_category.get(line_id)
        if planned is None and spent is None:
            continue
        got_cost = None if spent is None else Interval(spent, spent, spent)
        cause = (
            "not in the plan"
            if planned is None
            else "no cost recorded"
            if spent is None
            else _compare("spent", spent, planned, lambda x: f"{x:,.0f}") or "on plan (within 10 %)"
        )
        cost_line = getattr(plan.costs, line_id)
        if planned is not None and cost_line is not None:
            cause += "; " + _cost_basis(cost_line, k, actual.months_since_launch)
        rows.append(_row(line_id, "cost", planned, got_cost, cause))
    # a category the business case has no line for (``other``) is still shown, so the cost rows
    # add up to the costs to date
    for category in sorted(set(actual.costs_by_category) - set(COST_IDS)):
        spent = actual.costs_by_category[category]
        rows.append(_row(category, "cost", None, Interval(spent, spent, spent), "not in the plan"))
    return rows


def _amount(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _cost_basis(cost: CostLine, k: int, months_since_launch: int) -> str:
    """How the plan's figure to date is made, so a reader sees the rate and the months it
    covers (a plan for another company reads far off the data while its period is right):
    ``plan: 350 a month for 24 months since the first go-live``."""
    amount = _amount(cost.amount.likely)
    risk = f" + {cost.risk_adjustment * 100:g} % risk" if cost.risk_adjustment else ""
    if cost.basis == "one_off":
        return f"plan: {amount} one-off{risk}, before the first go-live"
    per = "a month" if cost.basis == "monthly" else "a year"
    capped = (
        f" (the plan's horizon, the data cover {months_since_launch})"
        if months_since_launch > k
        else ""
    )
    return f"plan: {amount} {per}{risk} for {k} months since the first go-live{capped}"


def _row(
    line_id: str, kind: str, planned: float | None, got: Interval | None, cause: str
) -> PlanRow:
    variance = None if planned is None or got is None else got.estimate - planned
    share = None if variance is None or not planned else variance / abs(planned)
    return PlanRow(line_id, kind, planned, got, variance, share, cause)
