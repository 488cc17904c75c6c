"""Lifetime, churn with a longer lifetime, and the customer base by the growth formula."""

from __future__ import annotations

import pytest

from portalroi.businesscase.customers import churn_with_extension, customer_base, customer_view
from portalroi.businesscase.inputs import Company


def test_churn_when_lifetime_grows_12_months() -> None:
    # 25 % churn = 4-year lifetime; 5 years -> 20 %. 50 % churn = 2 years; 3 years -> 1/3.
    assert float(churn_with_extension(0.25, 12)) == pytest.approx(0.2)
    assert float(churn_with_extension(0.5, 12)) == pytest.approx(1 / 3)


def test_customer_base_growth_formula_by_hand() -> None:
    # 100 + 20 - 25 = 95; 95 + 20 - 23.75 = 91.25; 91.25 + 20 - 22.8125 = 88.4375
    assert customer_base(100, 20, 0.25, 3).tolist() == pytest.approx([100, 95, 91.25, 88.4375])


def test_customer_view_lost_customer_cost() -> None:
    company = Company(
        annual_revenue=1_000_000,
        customers=100,
        annual_churn=0.25,
        new_customers_per_year=20,
        sales_marketing_cost=100_000,
        gross_margin_new=0.3,
        gross_margin_existing=0.4,
    )
    view = customer_view(company, 12, 2)
    assert view.lifetime_years == pytest.approx(4.0)
    assert view.lifetime_years_with_portal == pytest.approx(5.0)
    assert view.cost_to_acquire_customer == pytest.approx(5_000.0)
    # CAC 5,000 + revenue per customer 10,000 × (0.4 - 0.3) = 6,000.
    assert view.lost_customer_cost == pytest.approx(6_000.0)
    # With portal: 100 + 20 - 20 = 100 each year; without: 95, 91.25.
    assert view.customers_kept == pytest.approx([0.0, 5.0, 8.75])


def test_churn_line_values_customers_kept_at_margin(base: dict[str, object]) -> None:
    from portalroi.businesscase import evaluate, parse_inputs

    base["benefits"] = {"churn": {"lifetime_extension_months": 12}}
    line = evaluate(parse_inputs(base)).line("churn")
    # Margin per customer 12,000 × 0.4 = 4,800; kept 0, 5, 8.75, 11.5625 at year ends.
    assert line.yearly_value == pytest.approx([12_000.0, 33_000.0, 48_750.0])
