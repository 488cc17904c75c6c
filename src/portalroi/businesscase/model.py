"""The vectorised core: uncertain figures in, monthly cash flows per line out.

Every uncertain figure has a key (its YAML path, e.g. ``benefits.deflection.cost_per_ticket``).
:func:`parameters` lists them with their ranges (defaults filled in); :func:`line_flows` takes one
value per key, each a scalar or an array of draws, and returns the monthly flows of every line
for every draw at once, so the engine, scenarios, Monte Carlo, tornado and switching values all
share one calculation.

Conventions: month 0 holds one-off costs (before go-live); benefits and running costs fall in
months 1..M. A benefit line's yearly value is its value at full adoption; each month earns
``yearly value / 12 × adoption share of that month × (1 - risk adjustment)``. Running costs are
paid in full from month 1 (they do not wait for adoption) and raised by their risk adjustment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from portalroi.businesscase.customers import churn_with_extension, customer_base
from portalroi.businesscase.defaults import DEFAULTS
from portalroi.businesscase.inputs import BusinessCaseInputs, CostLine
from portalroi.businesscase.process import process_saving
from portalroi.businesscase.ranges import Amount, Range

__all__ = [
    "BENEFIT_IDS",
    "COST_IDS",
    "DSO_DAYS",
    "Flows",
    "adoption_curve",
    "line_flows",
    "parameters",
]

Array = NDArray[np.float64]
Values = Mapping[str, Array | float]

BENEFIT_IDS = (
    "deflection",
    "agent_time",
    "admin_hours",
    "dso",
    "clv",
    "churn",
    "consolidation",
    "orders",
)
COST_IDS = ("licence", "implementation", "management", "hosting", "content")
#: Days per period for the DSO day conventions: daily billing = billing per period / days.
DSO_DAYS = {"365-day year": (12.0, 365.0), "30-day month": (1.0, 30.0)}


def parameters(inputs: BusinessCaseInputs) -> dict[str, Range]:
    """Every uncertain figure of the case by YAML path, defaults filled in.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> params = parameters(example_inputs())
    >>> params["benefits.deflection.deflection_share"].likely
    0.25
    """
    out: dict[str, Range] = {}
    for line_id in BENEFIT_IDS:
        line = getattr(inputs.benefits, line_id)
        if line is None:
            continue
        for field, value in line:
            if isinstance(value, Range):
                out[f"benefits.{line_id}.{field}"] = value
        if (
            line_id == "deflection"
            and line.cost_per_ticket is None
            and line.support_cost_per_year is None
        ):
            (low, likely, high), _ = DEFAULTS["deflection.cost_per_ticket"]
            out["benefits.deflection.cost_per_ticket"] = Amount(low=low, likely=likely, high=high)
    for line_id in COST_IDS:
        cost = getattr(inputs.costs, line_id)
        if cost is not None:
            out[f"costs.{line_id}.amount"] = cost.amount
    return out


def adoption_curve(inputs: BusinessCaseInputs) -> Array:
    """Adoption share for months 0..M, linear between the ramp's points, flat after the last.

    Before the first point the share is held at the first point's value (``np.interp``), not
    zero: points ``[[3, 0.5], [12, 1]]`` give 0.5 in months 1-3. Month 0 (before go-live) is
    always 0.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> adoption_curve(example_inputs())[[0, 3, 12, 36]].round(3).tolist()
    [0.0, 0.6, 1.0, 1.0]
    """
    months = np.arange(inputs.months + 1, dtype=np.float64)
    xs = [m for m, _ in inputs.adoption.points]
    ys = [s for _, s in inputs.adoption.points]
    curve = np.interp(months, xs, ys)
    curve[0] = 0.0
    return np.asarray(curve, dtype=np.float64)


@dataclass(frozen=True)
class Flows:
    """Monthly flows (last axis = months 0..M; leading axis = draws) and yearly line values."""

    benefits: dict[str, Array]
    costs: dict[str, Array]
    yearly_value: dict[str, Array]

    def total_benefits(self) -> Array:
        """Sum of benefit lines per draw and month."""
        return _sum(self.benefits)

    def total_costs(self) -> Array:
        """Sum of cost lines per draw and month."""
        return _sum(self.costs)


def _sum(lines: dict[str, Array]) -> Array:
    return np.asarray(sum(lines.values(), start=np.zeros((1, 1))), dtype=np.float64)


def _col(x: Array | float) -> Array:
    """A value or a vector of draws as a column, to broadcast against months."""
    return np.asarray(x, dtype=np.float64).reshape(-1, 1)


def _per_year(x: Array, years: int) -> Array:
    """A yearly value (scalar, or one per draw) repeated over the years: (draws, years)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    col = x.reshape(-1, 1)
    return np.asarray(np.broadcast_to(col, (col.shape[0], years)))


def _yearly_lines(inputs: BusinessCaseInputs, v: Callable[[str], Array]) -> dict[str, Array]:
    """Yearly value of each benefit line at full adoption, shape (draws, years)."""
    c = inputs.company
    b = inputs.benefits
    years = inputs.horizon_years
    revenue_per_customer = c.annual_revenue / c.customers
    out: dict[str, Array] = {}
    if (d := b.deflection) is not None:
        tickets = v("benefits.deflection.tickets_per_month")
        if d.cost_per_ticket is None and d.support_cost_per_year is not None:
            cost = v("benefits.deflection.support_cost_per_year") / (tickets * 12.0)
        else:
            cost = v("benefits.deflection.cost_per_ticket")
        out["deflection"] = tickets * v("benefits.deflection.deflection_share") * cost * 12.0
    if b.agent_time is not None:
        out["agent_time"] = (
            v("benefits.agent_time.tickets_per_month")
            * v("benefits.agent_time.minutes_saved_per_ticket")
            / 60.0
            * v("benefits.agent_time.agent_hourly_cost")
            * 12.0
        )
    if b.admin_hours is not None:
        out["admin_hours"] = (
            v("benefits.admin_hours.hours_per_week") * v("benefits.admin_hours.hourly_rate") * 52.0
        )
    if (dso := b.dso) is not None:
        billing = (
            v("benefits.dso.monthly_billing")
            if dso.monthly_billing is not None
            else c.annual_revenue / 12
        )
        periods, days = DSO_DAYS[dso.day_convention]
        cash = billing * periods / days * v("benefits.dso.days_reduced")
        rate = (
            v("benefits.dso.cost_of_capital")
            if dso.cost_of_capital is not None
            else inputs.discount_rate
        )
        out["dso"] = cash * rate
    if (clv := b.clv) is not None:
        customers = v("benefits.clv.customers") if clv.customers is not None else c.customers
        value = (
            v("benefits.clv.annual_value_per_customer")
            if clv.annual_value_per_customer is not None
            else revenue_per_customer
        )
        margin = v("benefits.clv.margin") if clv.margin is not None else c.gross_margin_existing
        out["clv"] = customers * value * v("benefits.clv.uplift") * margin
    if (churn := b.churn) is not None:
        new_churn = churn_with_extension(
            c.annual_churn, v("benefits.churn.lifetime_extension_months")
        )
        kept = customer_base(c.customers, c.new_customers_per_year, new_churn, years) - (
            customer_base(c.customers, c.new_customers_per_year, c.annual_churn, years)
        )
        value = (
            v("benefits.churn.value_per_customer")
            if churn.value_per_customer is not None
            else revenue_per_customer * c.gross_margin_existing
        )
        # Customers kept on average during year y: mean of the gap at its start and end.
        out["churn"] = _col(value) * (kept[..., :-1] + kept[..., 1:]) / 2.0
    if b.consolidation is not None:
        out["consolidation"] = v("benefits.consolidation.annual_saving")
    if (o := b.orders) is not None:
        margin = v("benefits.orders.margin") if o.margin is not None else c.gross_margin_existing
        out["orders"] = (
            v("benefits.orders.orders_per_year")
            * v("benefits.orders.average_order_value")
            * v("benefits.orders.uplift")
            * margin
        )
    for process in inputs.processes:
        out[f"process.{process.name}"] = np.asarray(process_saving(process))
    return {k: _per_year(x, years) for k, x in out.items()}


def _risk(inputs: BusinessCaseInputs, line_id: str) -> float:
    if line_id.startswith("process."):
        name = line_id.removeprefix("process.")
        return next(p.risk_adjustment for p in inputs.processes if p.name == name)
    line = getattr(inputs.benefits, line_id)
    return float(line.risk_adjustment)


def _cost_flow(cost: CostLine, amount: Array, months: int) -> Array:
    amount = _col(amount) * (1.0 + cost.risk_adjustment)
    flow = np.zeros((amount.shape[0], months + 1))
    if cost.basis == "one_off":
        flow[:, 0] = amount[:, 0]
    else:
        flow[:, 1:] = amount / (1.0 if cost.basis == "monthly" else 12.0)
    return flow


def line_flows(inputs: BusinessCaseInputs, values: Values | None = None) -> Flows:
    """Monthly flows of every line; ``values`` overrides figures by key (scalars or draws).

    Figures not in ``values`` take their likely value.

    Examples
    --------
    >>> from portalroi.businesscase.example import example_inputs
    >>> flows = line_flows(example_inputs())
    >>> flows.costs["implementation"][0, 0]
    np.float64(25000.0)
    """
    params = parameters(inputs)
    values = dict(values or {})

    def v(key: str) -> Array:
        return np.asarray(values[key] if key in values else params[key].likely, dtype=np.float64)

    months = inputs.months
    adoption = adoption_curve(inputs)
    year_of_month = np.maximum(np.arange(months + 1) - 1, 0) // 12
    benefits: dict[str, Array] = {}
    yearly = _yearly_lines(inputs, v)
    for line_id, per_year in yearly.items():
        monthly = per_year[:, year_of_month] / 12.0 * adoption * (1.0 - _risk(inputs, line_id))
        benefits[line_id] = monthly
    costs = {
        line_id: _cost_flow(cost, v(f"costs.{line_id}.amount"), months)
        for line_id in COST_IDS
        if (cost := getattr(inputs.costs, line_id)) is not None
    }
    return Flows(benefits=benefits, costs=costs, yearly_value=yearly)
