"""A commented example inputs file (it validates; ``portalroi business-case --example``)."""

from __future__ import annotations

import yaml

from portalroi.businesscase.inputs import BusinessCaseInputs, parse_inputs

__all__ = ["example_inputs", "example_inputs_yaml"]

_EXAMPLE = """\
# portalroi business case: inputs. Every money figure is in `currency` per the period named.
# A figure is one number, or {low: .., likely: .., high: ..} when you are unsure (Monte Carlo,
# tornado and scenarios use the range). Leave a benefit or cost line out to not count it;
# a line written with fewer fields takes the published defaults listed in docs/business-case.md.
name: Customer portal business case (example company)
currency: USD            # USD, EUR or SEK
language: en             # en or sv (report language)
horizon_years: 3         # monthly cash flows over this many years
discount_rate: 0.04      # real financial discount rate, EC CBA guide (2014) reference value

# Steps 1-3 of the six-step method: the company's current figures.
company:
  annual_revenue: 10000000
  customers: 200
  annual_churn: 0.27             # 27 %: professional-services average (seed 004 [6]); use yours
  new_customers_per_year: 60
  sales_marketing_cost: 900000   # per year; cost to acquire = this / new customers
  gross_margin_new: 0.30
  gross_margin_existing: 0.40

# Share of customers using the portal: linear between [month, share] points.
adoption:
  points: [[0, 0.0], [3, 0.6], [12, 1.0]]   # 60 % in three months (seed 004 [6])

benefits:
  deflection:                    # tickets/month x deflection share x cost per ticket x 12
    tickets_per_month: {low: 800, likely: 1000, high: 1200}
    deflection_share: {low: 0.15, likely: 0.25, high: 0.35}
    cost_per_ticket: {low: 6, likely: 10, high: 12}
    source: helpdesk export 2024; deflection 25 % (seed 004 [6]); $6-$12 phone tickets [5]
    risk_adjustment: 0.10        # Forrester TEI style: count 90 % of this benefit
  admin_hours:                   # hours/week x hourly rate x 52
    hours_per_week: {low: 2, likely: 3, high: 5}
    hourly_rate: 60
    source: account-management time study; 3 h at $60 (seed 004 [6])
  dso:                           # cash freed = daily billing x days, valued at cost of capital
    monthly_billing: 50000
    days_reduced: {low: 3, likely: 5, high: 7}
    cost_of_capital: 0.08
    day_convention: 365-day year # or: 30-day month
    source: finance; 5 days less DSO (seed 004 [6])
  churn:                         # customers kept because the average lifetime grows
    lifetime_extension_months: {low: 3, likely: 6, high: 12}
    source: own estimate; 12 months in the six-step method (seed 000)
    risk_adjustment: 0.20
  consolidation:
    annual_saving: {low: 2400, likely: 3000, high: 3600}
    source: tools retired; $2,400-$3,600 (seed 004 [6])

# Old vs new way of doing a task; the yearly saving becomes a benefit line.
processes:
  - name: order_status
    source: call-centre log sample
    old:
      - {name: phone call, minutes: 12, per_year: 2400, hourly_rate: 45}
      - {name: look-up in ERP, minutes: 5, per_year: 2400, hourly_rate: 45}
    new:
      - {name: portal self-service check, minutes: 0, per_year: 2400, hourly_rate: 45}
      - {name: exceptions by e-mail, minutes: 10, per_year: 240, hourly_rate: 45}

costs:
  licence: {amount: {low: 200, likely: 350, high: 500}, basis: monthly}
  implementation: {amount: {low: 20000, likely: 25000, high: 35000}, basis: one_off}
  management: {amount: {low: 2250, likely: 6000, high: 9000}, basis: annual}
  hosting: {amount: 1200, basis: annual, source: vendor quote}
  content: {amount: {low: 3000, likely: 5000, high: 8000}, basis: annual, source: 0.1 FTE writer}
"""


def example_inputs_yaml() -> str:
    """The commented example inputs file as text.

    Examples
    --------
    >>> "discount_rate: 0.04" in example_inputs_yaml()
    True
    """
    return _EXAMPLE


def example_inputs() -> BusinessCaseInputs:
    """The example inputs, parsed and validated.

    Examples
    --------
    >>> example_inputs().company.annual_churn
    0.27
    """
    return parse_inputs(yaml.safe_load(_EXAMPLE), origin="example inputs")
