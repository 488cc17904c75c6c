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
    assert rows["licence"].cause == (
        "spent 1,000 vs planned 700; plan: 350 a month for 2 months since the first go-live"
    )
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


def test_plan_to_date_over_24_months_by_hand() -> None:
    # The example plan over 24 months since the first go-live (the default demo: first go-live
    # 2023-01, data to 2024-12), every line worked out by hand. Adoption (0 -> 60 % at month 3,
    # -> 100 % at month 12) summed over months 1..24: 0.2 + 0.4 + 0.6 = 1.2 (1-3),
    # 8 × 0.6 + 0.4 × (1 + ... + 8) / 9 = 6.4 (4-11), 13 × 1.0 (12-24) -> 20.6; 8.6 of it in
    # year 1 (months 1-12), 12 in year 2.
    plan = example_inputs()
    r = realised_roi(["2024-01"], [0.0], [1.0], [], 0.04)
    actual = Actuals(
        months_since_launch=24,
        adoption_share=1.0,
        costs_by_category={
            "licence": 192_000.0,
            "implementation": 240_000.0,
            "management": 120_000.0,
            "hosting": 36_000.0,
            "content": 20_000.0,
        },
    )
    rows = {row.id: row for row in plan_vs_actual(plan, r, actual)}
    planned = {k: row.plan_to_date for k, row in rows.items()}
    # deflection 1000 tickets × 25 % × $10 × (1 - 10 % risk) = 2,250 a month at full adoption
    assert planned["deflection"] == pytest.approx(46_350.0)
    assert planned["admin_hours"] == pytest.approx(16_068.0)  # 3 h × $60 × 52 / 12 = 780
    # dso 50,000 × 12 / 365 × 5 days × 8 % / 12 = 54.79 a month
    assert planned["dso"] == pytest.approx(50_000 * 12 / 365 * 5 * 0.08 / 12 * 20.6)
    assert planned["consolidation"] == pytest.approx(5_150.0)  # 3,000 / 12 = 250
    # process: (2400 × 12 + 2400 × 5 - 240 × 10) min / 60 × $45 = 28,800 a year
    assert planned["process.order_status"] == pytest.approx(49_440.0)
    # churn: lifetime 1/0.27 + 0.5 y -> churn 0.237885; base 200 + 60 - churn × base per year:
    # kept 0, 6.4229, 11.5106 at the ends of years 0-2; value 10M / 200 × 40 % = 20,000;
    # year 1 20,000 × 3.2115 = 64,229.07, year 2 20,000 × 8.9667 = 179,334.93; × (1 - 20 %)
    assert planned["churn"] == pytest.approx(
        (64_229.07488986766 / 12 * 8.6 + 179_334.93372663917 / 12 * 12) * 0.8
    )
    assert planned["churn"] == pytest.approx(180_292.62, abs=0.01)
    # costs: running costs from month 1, one-offs in month 0
    assert planned["licence"] == pytest.approx(8_400.0)  # 350 × 24
    assert planned["implementation"] == pytest.approx(25_000.0)
    assert planned["management"] == pytest.approx(12_000.0)  # 6,000 × 2
    assert planned["hosting"] == pytest.approx(2_400.0)
    assert planned["content"] == pytest.approx(10_000.0)
    # the cause gives the plan's rate and period, so a plan of another size reads as such
    assert rows["licence"].cause == (
        "spent 192,000 vs planned 8,400; plan: 350 a month for 24 months since the first go-live"
    )
    assert rows["implementation"].cause == (
        "spent 240,000 vs planned 25,000; plan: 25,000 one-off, before the first go-live"
    )
    assert rows["management"].cause == (
        "spent 120,000 vs planned 12,000; plan: 6,000 a year for 24 months since the first go-live"
    )


def test_cost_basis_names_risk_and_the_horizon_cap() -> None:
    from portalroi.businesscase import parse_inputs

    data = example_inputs().model_dump(mode="json")
    data["costs"]["licence"]["risk_adjustment"] = 0.1
    data["costs"]["hosting"]["amount"] = {"low": 99.5, "likely": 99.5, "high": 99.5}
    plan = parse_inputs(data)
    r = realised_roi(["2024-01"], [0.0], [1.0], [], 0.04)
    actual = Actuals(40, 1.0, costs_by_category={"licence": 18_000.0, "hosting": 300.0})
    rows = {row.id: row for row in plan_vs_actual(plan, r, actual)}
    # 40 months since go-live, the plan's horizon is 36: 350 × 1.1 × 36 = 13,860
    assert rows["licence"].plan_to_date == pytest.approx(13_860.0)
    assert rows["licence"].cause == (
        "spent 18,000 vs planned 13,860; plan: 350 a month + 10 % risk for 36 months since "
        "the first go-live (the plan's horizon, the data cover 40)"
    )
    assert rows["hosting"].plan_to_date == pytest.approx(99.5 * 3)
    assert rows["hosting"].cause == (
        "on plan (within 10 %); plan: 99.50 a year for 36 months since the first go-live "
        "(the plan's horizon, the data cover 40)"
    )
    # a cost the plan has but the data do not record still says how the plan is made
    assert rows["management"].cause == (
        "no cost recorded; plan: 6,000 a year for 36 months since the first go-live "
        "(the plan's horizon, the data cover 40)"
    )


@pytest.fixture(scope="module")
def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from portalroi.cli.demo import run_demo

    root = tmp_path_factory.mktemp("plan")
    db = root / "s.duckdb"
    run_demo(size="tiny", seed=5, out_dir=root / "out", db=db)
    return db


def test_plan_months_count_from_the_first_go_live_on_a_store(
    tiny_demo: Path, tmp_path: Path
) -> None:
    # The tiny demo's costs begin in 2022-07 (implementation), six months before the first
    # go-live (2023-01); the data reach 2024-12. The plan to date counts 24 months (2023-01 to
    # 2024-12, the first go-live month as month 1), not 30 from the first cost.
    import shutil

    from portalroi.roi import roi_from_store
    from portalroi.store import Store

    db = tmp_path / "s.duckdb"
    shutil.copy(tiny_demo, db)
    store = Store(db)
    first_live, first_cost = store.con.execute(
        "SELECT (SELECT min(portal_live_at) FROM accounts), (SELECT min(date) FROM costs)"
    ).fetchone() or (None, None)
    assert (f"{first_live:%Y-%m}", f"{first_cost:%Y-%m}") == ("2023-01", "2022-07")
    report = roi_from_store(store, plan=example_inputs())
    assert report.as_of == "2024-12"
    assert report.plan_rows is not None
    rows = {row.id: row for row in report.plan_rows}
    assert rows["licence"].plan_to_date == pytest.approx(350.0 * 24)
    assert rows["licence"].actual_to_date == Interval(192_000.0, 192_000.0, 192_000.0)
    assert rows["licence"].cause == (
        "spent 192,000 vs planned 8,400; plan: 350 a month for 24 months since the first go-live"
    )
    assert rows["implementation"].plan_to_date == pytest.approx(25_000.0)
    assert rows["hosting"].plan_to_date == pytest.approx(1_200.0 * 2)


def test_cost_category_without_a_plan_line_is_shown() -> None:
    # The costs table's category 'other' has no business-case line; its spend is still a row
    # (not in the plan), so the cost rows add up to the costs to date.
    r = realised_roi(["2024-01"], [0.0], [1.0], [], 0.04)
    spent = {"licence": 700.0, "other": 50_000.0}
    rows = plan_vs_actual(example_inputs(), r, Actuals(2, 1.0, costs_by_category=spent))
    costs = [row for row in rows if row.kind == "cost"]
    assert [row.id for row in costs] == [
        "licence",
        "implementation",
        "management",
        "hosting",
        "content",
        "other",
    ]
    other = costs[-1]
    assert (other.plan_to_date, other.variance, other.cause) == (None, None, "not in the plan")
    assert other.actual_to_date == Interval(50_000.0, 50_000.0, 50_000.0)
    assert sum(row.actual_to_date.estimate for row in costs if row.actual_to_date) == 50_700.0


def test_plan_with_no_account_live_yet_is_month_zero(tiny_demo: Path, tmp_path: Path) -> None:
    # Go-live dates after the data's last month (a store loaded before launch): the plan to
    # date is month 0 (the one-off costs), not a StopIteration traceback.
    import shutil

    from portalroi.roi import roi_from_store
    from portalroi.store import Store

    db = tmp_path / "s.duckdb"
    shutil.copy(tiny_demo, db)
    store = Store(db)
    store.con.execute(
        "UPDATE accounts SET portal_live_at = TIMESTAMP '2025-03-01' "
        "WHERE portal_live_at IS NOT NULL"
    )
    report = roi_from_store(store, plan=example_inputs())
    assert report.plan_rows is not None
    rows = {row.id: row for row in report.plan_rows}
    assert rows["implementation"].plan_to_date == pytest.approx(25_000.0)
    assert rows["licence"].plan_to_date == pytest.approx(0.0)
    assert rows["licence"].cause == (
        "spent 192,000 vs planned 0; plan: 350 a month for 0 months since the first go-live"
    )
    assert rows["deflection"].plan_to_date == pytest.approx(0.0)


def test_benefit_rows_say_the_plan_stops_at_its_horizon() -> None:
    # A one-year plan against 24 months of data: the plan to date is its 12 months. Deflection
    # at full adoption: 1000 × 25 % × $10 × 0.9 = 2,250 a month; adoption over months 1-12
    # sums to 8.6 (0.2, 0.4, 0.6, then 0.6 + 0.4 × j / 9 for j = 1..8, then 1.0) -> 19,350.
    from portalroi.businesscase import parse_inputs

    data = example_inputs().model_dump(mode="json")
    data["horizon_years"] = 1
    plan = parse_inputs(data)
    line = MoneyLine("deflection", "d", Interval(20.0, 10.0, 30.0), Interval(1, 1, 1), "u", "f")
    r = realised_roi(["2024-01"], [0.0], [1.0], [line], 0.04)
    actual = Actuals(24, 1.0, deflection_share=0.18)
    rows = {row.id: row for row in plan_vs_actual(plan, r, actual)}
    note = (
        "plan to date ends at its 12-month horizon, the data cover 24 months since the first "
        "go-live"
    )
    assert rows["deflection"].plan_to_date == pytest.approx(19_350.0)
    assert rows["deflection"].cause == f"deflection share 18 % vs planned 25 %; {note}"
    assert rows["admin_hours"].cause == f"not measured from the data; {note}"
    # within the horizon there is no such note
    within = {row.id: row for row in plan_vs_actual(plan, r, Actuals(12, 1.0, 0.18))}
    assert within["deflection"].plan_to_date == pytest.approx(19_350.0)
    assert within["deflection"].cause == "deflection share 18 % vs planned 25 %"
