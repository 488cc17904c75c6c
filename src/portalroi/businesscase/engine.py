"""Evaluate a business case: cash flows, ROI, payback, NPV, IRR, B/C ratio, per-line breakdown."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from portalroi.businesscase.customers import CustomerView, customer_view
from portalroi.businesscase.defaults import DEFAULTS
from portalroi.businesscase.finance import irr_analysis, npv, payback_month
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.businesscase.model import BENEFIT_IDS, DSO_DAYS, line_flows, parameters

__all__ = ["CONVENTIONS", "BusinessCaseResult", "LineResult", "dso_cash_freed", "evaluate"]

#: How the numbers are computed; printed with every result.
CONVENTIONS: tuple[str, ...] = (
    "Cash flows are monthly, at month ends; month 0 holds one-off costs before go-live.",
    "Discounting: annual real rate r applied as (1 + r) ** (-month / 12) (EC CBA guide 2014).",
    "ROI = (total benefits - total costs) / total costs, undiscounted over the horizon.",
    "Benefit/cost ratio = present value of benefits / present value of costs.",
    "Payback month = first month >= 1 whose cumulative net cash flow is >= 0 (zero up to "
    "floating-point error: 1e-9 of the sum of the absolute monthly net flows).",
    "IRR = monthly internal rate of return compounded to a year: (1 + irr_m) ** 12 - 1; none "
    "is reported when no monthly rate between -99 % and +1,000 % makes NPV zero, or when "
    "several do (the IRR is then not unique).",
    "Benefits grow with adoption: yearly value / 12 × adoption share × (1 - risk adjustment).",
    "Running costs are paid in full from month 1; TEI risk adjustment raises costs.",
)


def dso_cash_freed(monthly_billing: float, days: float, convention: str) -> float:
    """Cash freed by ``days`` less DSO: daily billing × days, daily billing per convention.

    ``"365-day year"``: monthly × 12 / 365; ``"30-day month"``: monthly / 30.

    Examples
    --------
    >>> round(dso_cash_freed(50_000, 5, "365-day year"), 2)
    8219.18
    >>> round(dso_cash_freed(50_000, 5, "30-day month"), 2)
    8333.33
    """
    periods, per = DSO_DAYS[convention]
    return monthly_billing * periods / per * days


@dataclass(frozen=True)
class LineResult:
    """One benefit or cost line: its yearly value at full adoption, totals and source."""

    id: str
    kind: str
    yearly_value: list[float]
    total: float
    present_value: float
    risk_adjustment: float
    source: str


@dataclass(frozen=True)
class BusinessCaseResult:
    """Everything :func:`evaluate` computes. Money is in ``currency``; rates are fractions.

    ``irr`` is ``None`` when there is no IRR or it is not unique; ``irr_status`` says which
    (``"unique"``, ``"none"``, ``"not unique"``) and ``irr_note`` why, in words (with every
    root when there are several; ``""`` when unique).
    """

    name: str
    currency: str
    language: str
    scenario: str
    discount_rate: float
    horizon_years: int
    months: list[int]
    monthly_benefits: list[float]
    monthly_costs: list[float]
    monthly_net: list[float]
    cumulative_net: list[float]
    yearly_benefits: list[float]
    yearly_costs: list[float]
    yearly_net: list[float]
    total_benefits: float
    total_costs: float
    net_benefit: float
    roi: float | None
    npv: float
    pv_benefits: float
    pv_costs: float
    benefit_cost_ratio: float | None
    irr: float | None
    irr_status: str
    irr_note: str
    payback_month: int | None
    lines: list[LineResult]
    customers: CustomerView
    dso_cash_freed: float | None
    conventions: list[str]

    def line(self, line_id: str) -> LineResult:
        """The line with this id."""
        return next(x for x in self.lines if x.id == line_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


def _yearly(monthly: np.ndarray[Any, Any], years: int) -> list[float]:
    """Year 0 = month 0; year y = months 12(y-1)+1 .. 12y."""
    return [float(monthly[0])] + [float(x) for x in monthly[1:].reshape(years, 12).sum(axis=1)]


def _source(inputs: BusinessCaseInputs, line_id: str, kind: str) -> str:
    """The line's source, plus the benchmark source of each figure that took its default.

    A figure the user entered is never credited to a benchmark: a cost line's default amount
    brings its source with it (``CostLines`` fills it in, and blanks it when an amount is
    given), and a benefit line cites ``DEFAULTS`` only for fields left out of the inputs.
    """
    if line_id.startswith("process."):
        name = line_id.removeprefix("process.")
        return next(p.source for p in inputs.processes if p.name == name)
    if kind == "cost":
        return str(getattr(inputs.costs, line_id).source)
    line = getattr(inputs.benefits, line_id)
    defaulted = [
        src
        for key, (_, src) in DEFAULTS.items()
        if key.startswith(f"{line_id}.") and _took_default(line, key.removeprefix(f"{line_id}."))
    ]
    return "; ".join([str(line.source)] * bool(line.source) + defaulted)


def _took_default(line: Any, field: str) -> bool:
    """Whether ``field`` of a benefit line took its ``DEFAULTS`` value (it was not entered)."""
    if field in line.model_fields_set:
        return False
    if field == "cost_per_ticket":  # the default $10 is used only without a support cost either
        return line.support_cost_per_year is None
    return True


def evaluate(inputs: BusinessCaseInputs, scenario: str = "likely") -> BusinessCaseResult:
    """Run the business case at the ``low``, ``likely`` or ``high`` value of every figure.

    ``low`` is the conservative scenario (low benefits, *high* costs), ``high`` the optimistic
    one (high benefits, low costs).

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> r = evaluate(example_inputs())
    >>> r.payback_month is not None and r.npv > 0
    True
    """
    if scenario not in ("low", "likely", "high"):
        raise ValueError(f"scenario must be low, likely or high, got {scenario!r}")
    params = parameters(inputs)
    opposite = {"low": "high", "likely": "likely", "high": "low"}
    values = {
        key: r.value(scenario if key.startswith("benefits.") else opposite[scenario])
        for key, r in params.items()
    }
    flows = line_flows(inputs, values)
    months = inputs.months
    benefits = flows.total_benefits()[0] + np.zeros(months + 1)
    costs = flows.total_costs()[0] + np.zeros(months + 1)
    net = benefits - costs
    total_b, total_c = float(benefits.sum()), float(costs.sum())
    pv_b, pv_c = float(npv(inputs.discount_rate, benefits)), float(npv(inputs.discount_rate, costs))
    payback = int(payback_month(net))
    lines = []
    for kind, group in (("benefit", flows.benefits), ("cost", flows.costs)):
        for line_id, flow in group.items():
            row = flow[0]
            yearly = (
                [float(x) for x in flows.yearly_value[line_id][0]]
                if kind == "benefit"
                else _yearly(row, inputs.horizon_years)
            )
            line = getattr(inputs.benefits if kind == "benefit" else inputs.costs, line_id, None)
            risk = float(getattr(line, "risk_adjustment", 0.0)) if line is not None else 0.0
            if line_id.startswith("process."):
                name = line_id.removeprefix("process.")
                risk = next(p.risk_adjustment for p in inputs.processes if p.name == name)
            lines.append(
                LineResult(
                    id=line_id,
                    kind=kind,
                    yearly_value=yearly,
                    total=float(row.sum()),
                    present_value=float(npv(inputs.discount_rate, row)),
                    risk_adjustment=risk,
                    source=_source(inputs, line_id, kind),
                )
            )
    lines.sort(key=lambda x: (x.kind != "benefit", _order(x.id)))
    churn = inputs.benefits.churn
    extension = churn.lifetime_extension_months.value(scenario) if churn else 12.0
    dso = inputs.benefits.dso
    cash = None
    if dso is not None:
        billing = (
            values["benefits.dso.monthly_billing"]
            if dso.monthly_billing is not None
            else inputs.company.annual_revenue / 12
        )
        cash = dso_cash_freed(billing, values["benefits.dso.days_reduced"], dso.day_convention)
    irr = irr_analysis(net)
    conventions = list(CONVENTIONS)
    if irr.note:
        conventions.append(irr.note[0].upper() + irr.note[1:] + ".")
    if dso is not None:
        conventions.append(
            f"DSO: cash freed = daily billing × days less; daily billing uses the "
            f"{dso.day_convention} convention; valued per year at the cost of capital."
        )
    return BusinessCaseResult(
        name=inputs.name,
        currency=inputs.currency,
        language=inputs.language,
        scenario=scenario,
        discount_rate=inputs.discount_rate,
        horizon_years=inputs.horizon_years,
        months=list(range(months + 1)),
        monthly_benefits=benefits.tolist(),
        monthly_costs=costs.tolist(),
        monthly_net=net.tolist(),
        cumulative_net=np.cumsum(net).tolist(),
        yearly_benefits=_yearly(benefits, inputs.horizon_years),
        yearly_costs=_yearly(costs, inputs.horizon_years),
        yearly_net=_yearly(net, inputs.horizon_years),
        total_benefits=total_b,
        total_costs=total_c,
        net_benefit=total_b - total_c,
        roi=(total_b - total_c) / total_c if total_c > 0 else None,
        npv=pv_b - pv_c,
        pv_benefits=pv_b,
        pv_costs=pv_c,
        benefit_cost_ratio=pv_b / pv_c if pv_c > 0 else None,
        irr=irr.annual,
        irr_status=irr.status,
        irr_note=irr.note,
        payback_month=payback if payback >= 0 else None,
        lines=lines,
        customers=customer_view(inputs.company, extension, inputs.horizon_years),
        dso_cash_freed=cash,
        conventions=conventions,
    )


def _order(line_id: str) -> int:
    ids = (*BENEFIT_IDS, "licence", "implementation", "management", "hosting", "content")
    return ids.index(line_id) if line_id in ids else len(ids)
