"""Plan from data: a business-case inputs file pre-filled from the loaded store.

Current ticket volume and cost per ticket, churn, billing, customer counts and (when the
``costs`` table has them) the portal's cost lines are measured in the store; each value carries
a YAML comment and the line's ``source`` naming the metric or table and the period. Figures
the data cannot give (revenue margins, sales and marketing cost) are marked ``ASSUMPTION`` and
must be replaced. The text validates with :func:`portalroi.businesscase.load_inputs`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from portalroi.businesscase.inputs import BusinessCaseInputs, parse_inputs
from portalroi.businesscase.model import COST_IDS
from portalroi.errors import DataError
from portalroi.roi.facts import Facts, measure_facts
from portalroi.store import Store

__all__ = ["PrefilledInputs", "prefill_from_facts", "prefill_inputs"]


@dataclass(frozen=True)
class PrefilledInputs:
    """The commented YAML text and the validated inputs it parses to."""

    text: str
    inputs: BusinessCaseInputs


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def prefill_from_facts(
    facts: Facts, name: str = "Customer portal business case"
) -> PrefilledInputs:
    """Write the inputs YAML from measured :class:`Facts` (pure; see :func:`prefill_inputs`)."""
    s = facts.sources
    period = f"{facts.recent[0]} to {facts.recent[1]}"
    if facts.customers <= 0:
        raise DataError(f"no active accounts at the end of {facts.recent[1]}: cannot pre-fill")
    churn = facts.annual_churn if facts.annual_churn else None
    lines = [
        "# portalroi business case, pre-filled from the store (`portalroi roi --prefill`).",
        f"# Measured values cite their metric / table and period ({period}).",
        "# Lines marked ASSUMPTION are not in the data: replace them with your own figures.",
        f"name: {name}",
        f"currency: {facts.currency}",
        "discount_rate: 0.04   # EC CBA guide (2014) reference financial rate",
        "company:",
        f"  annual_revenue: {_n(facts.billing_per_month * 12)}   # {s['billing_per_month']} × 12",
        f"  customers: {facts.customers}   # {s['customers']}",
        f"  annual_churn: {round(churn, 4) if churn else 0.01}   # "
        + (s["annual_churn"] if churn else "ASSUMPTION: no churn in the period; 1 % floor"),
        f"  new_customers_per_year: {facts.new_customers_per_year}   "
        f"# {s['new_customers_per_year']}",
        "  sales_marketing_cost: 0   # ASSUMPTION: not in the data; enter yours",
        "  gross_margin_new: 0.3   # ASSUMPTION: not in the data; enter yours",
        "  gross_margin_existing: 0.4   # ASSUMPTION: not in the data; enter yours",
        "benefits:",
    ]
    if facts.tickets_per_month > 0:
        lines += [
            "  deflection:",
            f"    tickets_per_month: {_n(facts.tickets_per_month)}   # {s['tickets_per_month']}",
        ]
        source = [s["tickets_per_month"]]
        if facts.cost_per_ticket is not None:
            lines.append(
                f"    cost_per_ticket: {_n(facts.cost_per_ticket)}   # {s['cost_per_ticket']}"
            )
            source.append(s["cost_per_ticket"])
        lines.append(f"    source: {_q('; '.join(source))}")
    if facts.billing_per_month > 0:
        lines += [
            "  dso:",
            f"    monthly_billing: {_n(facts.billing_per_month)}   # {s['billing_per_month']}",
            "    day_convention: 365-day year",
            f"    source: {_q(s['billing_per_month'])}",
        ]
    lines += [
        "  churn:",
        f"    source: {_q(s['annual_churn'])}",
        "costs:",
    ]
    for category, spent in facts.costs_by_category.items():
        if category not in COST_IDS:
            continue
        if category == "implementation":
            amount, basis = spent, "one_off"
            where = f"all {_n(spent)} to {facts.months[-1]}"
        else:
            spent_recent = facts.recent_costs_by_category.get(category, 0.0)
            months = facts.recent_cost_months.get(category, 12)
            amount, basis = spent_recent * 12 / months, "annual"
            where = (
                f"{period}"
                if months == 12
                else f"{_n(spent_recent)} over the last {months} months (it began then) × 12 / "
                f"{months}"
            )
        lines.append(
            f"  {category}: {{amount: {_n(amount)}, basis: {basis}, "
            f"source: 'costs table, category {category}, {where}'}}"
        )
    if not facts.costs_by_category:
        lines += ["  licence: {}   # published default", "  implementation: {}", "  management: {}"]
    text = "\n".join(lines) + "\n"
    return PrefilledInputs(text, parse_inputs(yaml.safe_load(text), origin="pre-filled inputs"))


def prefill_inputs(store: Store, name: str = "Customer portal business case") -> PrefilledInputs:
    """Pre-fill a business-case inputs file from the store's data.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> try:
    ...     prefill_inputs(Store(":memory:"))
    ... except DataError as exc:
    ...     print(str(exc)[:20])
    no accounts with a p
    """
    return prefill_from_facts(measure_facts(store), name)
