"""Put it together: causal effects + measured figures -> money lines, realised ROI, plan vs actual.

:func:`build_roi` is pure (an :class:`~portalroi.impact.ImpactReport`, :class:`Facts` and
:class:`Assumptions` in, a :class:`RoiReport` out); :func:`roi_from_store` measures the facts
and estimates the effects first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from portalroi.businesscase.defaults import EC_GUIDE
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.errors import DataError
from portalroi.impact.report import ImpactReport
from portalroi.roi.facts import Facts, measure_facts
from portalroi.roi.lifetime import ClvEstimate, retained_account_clv
from portalroi.roi.money import (
    Interval,
    MoneyLine,
    agent_time_value,
    churn_value,
    deflection_value,
    dso_value,
    order_value,
)
from portalroi.roi.plan_vs_actual import Actuals, PlanRow, plan_vs_actual
from portalroi.roi.realised import RealisedRoi, realised_roi
from portalroi.store import Store

__all__ = ["Assumptions", "RoiReport", "build_roi", "roi_from_store"]


@dataclass(frozen=True)
class Assumptions:
    """Figures the data cannot give.

    ``discount_rate``: annual, for NPV and CLV (default 4 %, the EC guide's reference rate);
    ``cost_of_capital``: values the cash freed by lower DSO (default: the discount rate);
    ``gross_margin``: values retained accounts (CLV) and extra orders; without it those two
    lines are not valued.
    """

    discount_rate: float = 0.04
    cost_of_capital: float | None = None
    gross_margin: float | None = None
    day_convention: str = "365-day year"

    @classmethod
    def from_plan(cls, plan: BusinessCaseInputs, gross_margin: float | None = None) -> Assumptions:
        """Take the discount rate, cost of capital, margin and day convention from a plan.

        Examples
        --------
        >>> from portalroi.businesscase import example_inputs
        >>> Assumptions.from_plan(example_inputs()).cost_of_capital
        0.08
        """
        dso = plan.benefits.dso
        coc = dso.cost_of_capital.likely if dso and dso.cost_of_capital else None
        return cls(
            discount_rate=plan.discount_rate,
            cost_of_capital=coc,
            gross_margin=gross_margin
            if gross_margin is not None
            else plan.company.gross_margin_existing,
            day_convention=dso.day_convention if dso else "365-day year",
        )

    @property
    def capital_rate(self) -> float:
        """The cost of capital in use."""
        return self.discount_rate if self.cost_of_capital is None else self.cost_of_capital

    def notes(self) -> list[str]:
        """The assumptions in words."""
        return [
            f"Discount rate {self.discount_rate:.1%} per year (NPV, CLV); default source: "
            f"{EC_GUIDE}.",
            f"Cost of capital {self.capital_rate:.1%} per year values the cash freed by lower DSO"
            + (" (the discount rate)." if self.cost_of_capital is None else "."),
            f"DSO day convention: {self.day_convention} (daily billing = monthly × 12 / 365)."
            if self.day_convention == "365-day year"
            else "DSO day convention: 30-day month (daily billing = monthly / 30).",
            f"Gross margin {self.gross_margin:.0%} on retained accounts and extra orders."
            if self.gross_margin is not None
            else "No gross margin given: churn and order lines are not valued.",
        ]


@dataclass(frozen=True)
class RoiReport:
    """Money lines, realised ROI, plan vs actual, and everything they rest on."""

    currency: str
    as_of: str
    lines: list[MoneyLine]
    skipped: dict[str, str]
    realised: RealisedRoi
    cash_freed: Interval | None
    clv: ClvEstimate | None
    adoption_share: float
    effects: dict[str, dict[str, Any]]
    facts: dict[str, Any]
    assumptions: list[str]
    plan_rows: list[PlanRow] | None = None
    plan_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (what ``portalroi roi --json`` prints)."""
        out = asdict(self)
        out["realised"]["biggest_line"] = (
            self.realised.biggest_line.id if self.realised.biggest_line else None
        )
        out["clv"] = None if self.clv is None else self.clv.to_dict()
        return out


def _deflection_share(impact: ImpactReport) -> float | None:
    return None if impact.deflection is None else impact.deflection.share


def _lifetime_extension(hr: float, monthly_churn: float | None) -> float | None:
    """Months the expected lifetime (1 / monthly churn) grows when churn is ``h`` not ``h/HR``."""
    if monthly_churn is None or monthly_churn <= 0 or hr <= 0:
        return None
    return 1.0 / monthly_churn - 1.0 / (monthly_churn / hr)


def build_roi(
    impact: ImpactReport,
    facts: Facts,
    assumptions: Assumptions | None = None,
    plan: BusinessCaseInputs | None = None,
) -> RoiReport:
    """Value each effect, compute the realised ROI and (with a plan) plan vs actual."""
    a = assumptions or (Assumptions.from_plan(plan) if plan else Assumptions())
    lines: list[MoneyLine] = []
    skipped: dict[str, str] = {}
    fx = impact.effects
    clv: ClvEstimate | None = None
    if "tickets" in fx and facts.cost_per_ticket is not None:
        lines.append(
            deflection_value(
                fx["tickets"], facts.cost_per_ticket, facts.sources.get("cost_per_ticket", "")
            )
        )
        if facts.handle_minutes is not None and facts.hourly_cost is not None:
            lines.append(agent_time_value(fx["tickets"], facts.handle_minutes, facts.hourly_cost))
    else:
        skipped["deflection"] = impact.skipped.get("tickets", "no ticket effect or ticket cost")
    if "days_to_pay" in fx and facts.billing_per_live_account_month is not None:
        lines.append(
            dso_value(
                fx["days_to_pay"],
                facts.billing_per_live_account_month,
                a.capital_rate,
                a.day_convention,
            )
        )
    else:
        skipped["dso"] = impact.skipped.get("days_to_pay", "no payment effect or billing")
    if "churn" not in fx or facts.live_churn_rate is None:
        skipped["churn"] = impact.skipped.get("churn", "no churn effect")
    elif a.gross_margin is None or facts.margin_base_per_account_month is None:
        skipped["churn"] = "no gross margin (give --margin or --plan)"
    else:
        try:
            clv = retained_account_clv(
                facts.tenure_months,
                facts.churned,
                facts.margin_base_per_account_month * a.gross_margin,
                a.discount_rate,
            )
            lines.append(
                churn_value(
                    fx["churn"], facts.live_churn_rate, clv.clv, clv.source, clv.margin_per_month
                )
            )
        except DataError as exc:
            skipped["churn"] = f"CLV not available: {exc}"
    if "order_value" not in fx:
        skipped["orders"] = impact.skipped.get("order_value", "no order effect")
    elif a.gross_margin is None:
        skipped["orders"] = "no gross margin (give --margin or --plan)"
    else:
        lines.append(order_value(fx["order_value"], a.gross_margin))
    realised = realised_roi(
        facts.months, facts.monthly_costs, facts.live_account_months, lines, a.discount_rate
    )
    dso_line = next((x for x in lines if x.id == "dso"), None)
    cash = (
        Interval(
            dso_line.details["cash_freed_per_live_account"],
            dso_line.details["cash_freed_per_live_account_low"],
            dso_line.details["cash_freed_per_live_account_high"],
        ).scale(facts.live_account_months[-1])
        if dso_line
        else None
    )
    rows = None
    if plan is not None:
        # no account live yet by the data's last month: 0 months since launch (month 0 only)
        launch = next(
            (i for i, x in enumerate(facts.live_account_months) if x > 0), len(facts.months)
        )
        agent = next((x for x in lines if x.id == "agent_time"), None)
        order_uplift = None
        if "order_value" in fx and facts.order_value_per_live_account_month:
            base = facts.order_value_per_live_account_month - fx["order_value"].estimate
            order_uplift = fx["order_value"].estimate / base if base > 0 else None
        actual = Actuals(
            months_since_launch=len(facts.months) - launch,
            adoption_share=facts.adoption_share,
            deflection_share=_deflection_share(impact),
            cost_per_ticket=facts.cost_per_ticket,
            tickets_per_month=facts.tickets_per_month,
            agent_hours_per_month=None
            if agent is None
            else agent.quantity.estimate * facts.active_accounts[-1],
            days_reduced=-fx["days_to_pay"].estimate if "days_to_pay" in fx else None,
            lifetime_extension_months=_lifetime_extension(
                fx["churn"].estimate, facts.live_churn_rate
            )
            if "churn" in fx
            else None,
            order_uplift=order_uplift,
            costs_by_category=facts.costs_by_category,
        )
        rows = plan_vs_actual(plan, realised, actual)
    return RoiReport(
        currency=facts.currency,
        as_of=facts.months[-1],
        lines=lines,
        skipped=skipped,
        realised=realised,
        cash_freed=cash,
        clv=clv,
        adoption_share=facts.adoption_share,
        effects={
            k: {
                "estimate": e.estimate,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "unit": e.unit,
                "method": e.method,
            }
            for k, e in fx.items()
        },
        facts=facts.to_dict(),
        assumptions=a.notes(),
        plan_rows=rows,
        plan_name=plan.name if plan else None,
        notes=list(impact.notes),
    )


def roi_from_store(
    store: Store,
    plan: BusinessCaseInputs | None = None,
    assumptions: Assumptions | None = None,
    impact: ImpactReport | None = None,
) -> RoiReport:
    """Estimate the effects (unless given), measure the facts and build the ROI report."""
    from portalroi.impact.analysis import estimate_effects

    report = impact if impact is not None else estimate_effects(store)
    last = report.period[1] if report.period[1] else None
    return build_roi(report, measure_facts(store, last), assumptions, plan)
