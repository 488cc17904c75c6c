"""Plan vs actual against the example business case; pre-filled inputs validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalroi.businesscase import example_inputs, load_inputs
from portalroi.roi.facts import Facts
from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.plan_vs_actual import Actuals, plan_vs_actual
from portalroi.roi.prefill import prefill_from_facts
from portalroi.roi.realised import realised_roi


def _realised() -> object:
    line = MoneyLine("deflection", "d", Interval(20.0, 10.0, 30.0), Interval(1, 1, 1), "u", "f")
    dso = MoneyLine("dso", "dso", Interval(5.0, 4.0, 6.0), Interval(1, 1, 1), "u", "f")
    return realised_roi(
        ["2024-01", "2024-02", "2024-03"],
        [25_000.0, 500.0, 500.0],
        [0.0, 10.0, 20.0],
        [line, dso],
        0.04,
    )


def test_rows_carry_plan_actual_variance_and_cause() -> None:
    plan = example_inputs()
    r = _realised()
    actual = Actuals(
        months_since_launch=2,
        adoption_share=0.5,
        deflection_share=0.18,
        cost_per_ticket=10.0,
        tickets_per_month=1000.0,
        days_reduced=5.2,
        costs_by_category={"implementation": 25_000.0, "licence": 1_000.0},
    )
    rows = {row.id: row for row in plan_vs_actual(plan, r, actual)}  # type: ignore[arg-type]
    d = rows["deflection"]
    # Plan, month 1 and 2 of the example: 1000 × 25 % × $10 × 12 / 12 × adoption × 0.9 with
    # adoption 0.2 and 0.4 (linear to 60 % at month 3) -> 2250 × (0.2 + 0.4) = 1350.
    assert d.plan_to_date == pytest.approx(1350.0)
    assert d.actual_to_date == Interval(600.0, 300.0, 900.0)
    assert d.variance == pytest.approx(-750.0)
    assert d.cause.startswith("deflection share 18 % vs planned 25 %")
    assert "cost per ticket" not in d.cause  # on plan
    # Plan adoption at month 2 is 40 %, actual 50 %: not slower, not named.
    assert "adoption" not in d.cause
    assert rows["dso"].cause.startswith("on plan")  # 5.2 vs 5 days is within 10 %
    assert rows["admin_hours"].actual_to_date is None
    assert rows["admin_hours"].cause == "not measured from the data"
    # Licence: $350 a month, paid in months 1 and 2 (month 0 holds one-off costs only).
    assert rows["licence"].plan_to_date == pytest.approx(700.0)
    assert rows["licence"].cause == "spent 1,000 vs planned 700"
    assert rows["implementation"].variance == pytest.approx(0.0)


def test_slower_adoption_is_named() -> None:
    actual = Actuals(months_since_launch=12, adoption_share=0.62, deflection_share=0.25)
    rows = plan_vs_actual(example_inputs(), _realised(), actual)  # type: ignore[arg-type]
    assert "adoption slower: 62 % of accounts live vs 100 % planned" in rows[0].cause


def _facts(**over: object) -> Facts:
    base: dict[str, object] = {
        "currency": "EUR",
        "months": ["2024-01", "2024-02"],
        "live_account_months": [1.0, 2.0],
        "active_accounts": [10.0, 10.0],
        "monthly_costs": [100.0, 100.0],
        "costs_by_category": {"licence": 200.0, "implementation": 5000.0},
        "recent_costs_by_category": {"licence": 200.0},
        "tickets_per_month": 250.0,
        "cost_per_ticket": 14.5,
        "handle_minutes": 12.0,
        "hourly_cost": 50.0,
        "billing_per_month": 80_000.0,
        "billing_per_live_account_month": 8_000.0,
        "live_churn_rate": 0.01,
        "annual_churn": 0.12,
        "order_value_per_live_account_month": None,
        "margin_base_per_account_month": 700.0,
        "tenure_months": [3.0, 5.0],
        "churned": [True, False],
        "customers": 10,
        "new_customers_per_year": 3,
        "recent": ("2023-03", "2024-02"),
        "sources": {
            k: f"src {k}"
            for k in (
                "tickets_per_month",
                "cost_per_ticket",
                "billing_per_month",
                "annual_churn",
                "customers",
                "new_customers_per_year",
            )
        },
    }
    base.update(over)
    return Facts(**base)  # type: ignore[arg-type]


def test_prefill_writes_measured_values_with_sources(tmp_path: Path) -> None:
    made = prefill_from_facts(_facts())
    path = tmp_path / "case.yaml"
    path.write_text(made.text)
    inputs = load_inputs(path)
    assert inputs.currency == "EUR"
    assert inputs.company.customers == 10
    assert inputs.company.annual_revenue == pytest.approx(960_000.0)
    assert inputs.company.annual_churn == pytest.approx(0.12)
    d = inputs.benefits.deflection
    assert d is not None
    assert d.cost_per_ticket is not None
    assert (d.tickets_per_month.likely, d.cost_per_ticket.likely) == (250.0, 14.5)
    assert "src cost_per_ticket" in d.source
    assert inputs.costs.licence is not None
    assert inputs.costs.licence.amount.likely == 200.0
    assert inputs.costs.implementation is not None
    assert inputs.costs.implementation.basis == "one_off"
    assert "# src customers" in made.text
    assert "ASSUMPTION" in made.text


def test_agent_time_row_says_the_plan_counts_it() -> None:
    # The plan adds agent_time to its totals; the realised ROI shows it without adding it.
    from portalroi.businesscase import parse_inputs

    data = example_inputs().model_dump(mode="json")
    data["benefits"]["agent_time"] = {
        "tickets_per_month": 1000,
        "minutes_saved_per_ticket": 2,
        "agent_hourly_cost": 40,
    }
    plan = parse_inputs(data)
    agent = MoneyLine(
        "agent_time", "a", Interval(3.0, 2.0, 4.0), Interval(1, 1, 1), "u", "f", counted=False
    )
    r = realised_roi(["2024-01", "2024-02"], [100.0, 50.0], [0.0, 10.0], [agent], 0.04)
    assert r.benefits_to_date.estimate == 0.0  # not added on the realised side
    rows = {row.id: row for row in plan_vs_actual(plan, r, Actuals(1, 0.3))}
    row = rows["agent_time"]
    # the plan's month 1: 1000 x 2 / 60 x 40 x 12 / 12 x adoption 0.2 = 266.67, counted there
    assert row.plan_to_date == pytest.approx(1000 * 2 / 60 * 40 * 0.2)
    assert row.cause.endswith(
        "(shown, not added to the realised totals; the plan counts it in its totals)"
    )


def test_churn_row_says_the_bases_differ() -> None:
    # The example plan has a churn line (kept customers' margin, month by month); the realised
    # churn line books each retained account's lifetime value when it is retained, so the row's
    # variance is mostly that difference and its cause says so.
    plan = example_inputs()
    assert plan.benefits.churn is not None
    churn = MoneyLine("churn", "c", Interval(800.0, -500.0, 3000.0), Interval(1, 1, 1), "u", "f")
    r = realised_roi(["2024-01", "2024-02"], [100.0, 50.0], [0.0, 10.0], [churn], 0.04)
    rows = {row.id: row for row in plan_vs_actual(plan, r, Actuals(1, 0.3))}
    row = rows["churn"]
    assert row.actual_to_date == Interval(8000.0, -5000.0, 30000.0)
    assert row.plan_to_date is not None
    assert row.plan_to_date > 0
    assert "bases differ" in row.cause
    assert "lifetime value (CLV)" in row.cause
    assert "month by month" in row.cause
    # lines on the same basis carry no such note
    assert "bases differ" not in rows["deflection"].cause
