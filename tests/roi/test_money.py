"""Money valuation: hand-written cases with the answers written out."""

from __future__ import annotations

import pytest

from portalroi.impact.results import EffectEstimate
from portalroi.roi.money import (
    Interval,
    agent_time_value,
    churn_value,
    deflection_value,
    dso_value,
    order_value,
)


def _effect(estimate: float, low: float, high: float) -> EffectEstimate:
    return EffectEstimate("ATT", estimate, 0.1, low, high, 10, 10, "hand", ())


def test_deflection_is_deflected_tickets_times_cost_per_ticket() -> None:
    # 1.5 fewer tickets per live account-month at $12 -> $18; interval 0.5..2.5 -> $6..$30.
    line = deflection_value(_effect(-1.5, -2.5, -0.5), 12.0)
    assert line.value == Interval(18.0, 6.0, 30.0)
    assert line.quantity == Interval(1.5, 0.5, 2.5)
    assert "12.00" in line.formula
    assert line.counted


def test_agent_time_is_hours_times_rate_and_not_counted() -> None:
    # 2 deflected tickets × 15 minutes = 0.5 h at $40 = $20.
    line = agent_time_value(_effect(-2.0, -3.0, -1.0), 15.0, 40.0)
    assert line.value == Interval(20.0, 10.0, 30.0)
    assert line.quantity == Interval(0.5, 0.25, 0.75)
    assert not line.counted


def test_dso_cash_freed_365_day_convention() -> None:
    # Billing 3,650 per account-month -> 3,650 × 12 / 365 = 120 a day; 5 days -> 600 freed;
    # at 10 % a year -> 60 a year -> 5 per account-month.
    line = dso_value(_effect(-5.0, -6.0, -4.0), 3_650.0, 0.10)
    assert line.details["daily_billing_per_live_account"] == pytest.approx(120.0)
    assert line.details["cash_freed_per_live_account"] == pytest.approx(600.0)
    assert line.value.estimate == pytest.approx(5.0)
    assert (line.value.low, line.value.high) == pytest.approx((4.0, 6.0))
    assert "365-day year" in line.formula


def test_dso_30_day_month_convention() -> None:
    line = dso_value(_effect(-3.0, -4.0, -2.0), 3_000.0, 0.12, "30-day month")
    # 100 a day × 3 days = 300 freed; × 12 % / 12 = 3 per account-month.
    assert line.value.estimate == pytest.approx(3.0)


def test_churn_retained_accounts_times_clv() -> None:
    # Live churn 2 % a month with HR 0.8 -> counterfactual 2.5 %: 0.5 % retained per
    # account-month, × CLV 10,000 = 50. HR 0.5 -> 2 %: 200; HR 1.25 -> -0.4 %: -40.
    line = churn_value(_effect(0.8, 0.5, 1.25), 0.02, 10_000.0)
    assert line.value.estimate == pytest.approx(50.0)
    assert line.value.low == pytest.approx(-40.0)
    assert line.value.high == pytest.approx(200.0)


def test_order_uplift_times_margin() -> None:
    line = order_value(_effect(1_000.0, -200.0, 2_000.0), 0.25)
    assert line.value == Interval(250.0, -50.0, 500.0)


def test_zero_effect_is_worth_nothing() -> None:
    assert deflection_value(_effect(0.0, -1.0, 1.0), 20.0).value.estimate == 0.0
    assert churn_value(_effect(1.0, 0.5, 2.0), 0.01, 5_000.0).value.estimate == 0.0
