"""A benchmark cost taken with another basis keeps its money: it is converted, not relabelled."""

from __future__ import annotations

import pytest

from bc_cases import BASE
from portalroi.businesscase import evaluate, parse_inputs
from portalroi.errors import InputsError

COMPANY = BASE["company"]


def _costs(costs: dict[str, object]) -> float:
    return evaluate(parse_inputs({"company": COMPANY, "costs": costs})).total_costs


def test_a_monthly_benchmark_paid_yearly_costs_twelve_months_a_year() -> None:
    # the licence benchmark is 350 a month (likely): 4,200 a year, 12,600 over three years
    monthly = parse_inputs({"company": COMPANY, "costs": {"licence": {}}}).costs.licence
    assert monthly is not None
    assert monthly.basis == "monthly"
    assert monthly.amount.likely == 350
    yearly = parse_inputs({"company": COMPANY, "costs": {"licence": {"basis": "annual"}}})
    assert yearly.costs.licence is not None
    assert yearly.costs.licence.amount.likely == 350 * 12  # was 350 a year
    assert _costs({"licence": {"basis": "annual"}}) == pytest.approx(_costs({"licence": {}}))


def test_a_yearly_benchmark_paid_monthly_is_a_twelfth_a_month() -> None:
    line = parse_inputs({"company": COMPANY, "costs": {"management": {"basis": "monthly"}}})
    assert line.costs.management is not None
    assert line.costs.management.amount.likely == pytest.approx(2250 / 12)


def test_a_recurring_benchmark_paid_once_needs_an_amount() -> None:
    with pytest.raises(InputsError, match="licence: the benchmark amount is monthly"):
        parse_inputs({"company": COMPANY, "costs": {"licence": {"basis": "one_off"}}})
