"""Realised ROI: small hand-computed cases, numpy-financial NPV, Hypothesis properties."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalroi.businesscase.finance import monthly_rate
from portalroi.errors import DataError
from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.realised import add_months, realised_roi
from roi_cases import churn_roi

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]


def _line(value: float, low: float, high: float, counted: bool = True, id_: str = "x") -> MoneyLine:
    return MoneyLine(id_, id_, Interval(value, low, high), Interval(1, 1, 1), "u", "f", counted)


def test_hand_written_case() -> None:
    # Costs 1,000 then 100 a month; 10 live accounts from February, each worth 40 a month.
    r = realised_roi(MONTHS, [1000, 100, 100, 100], [0, 10, 10, 10], [_line(40, 20, 60)], 0.0)
    assert r.benefits_to_date == Interval(1200.0, 600.0, 1800.0)
    assert r.costs_to_date == 1300.0
    assert r.roi is not None
    assert r.roi.estimate == pytest.approx(-100 / 1300)
    assert (r.roi.low, r.roi.high) == pytest.approx((-700 / 1300, 500 / 1300))
    # Run-rate: last 3 months 1,200 benefits -> 4,800 a year; costs 300 -> 1,200.
    assert r.run_rate_benefits.estimate == pytest.approx(4800.0)
    assert r.run_rate_costs == pytest.approx(1200.0)
    # Cumulative net: -1000, -700, -400, -100 -> not reached; run-rate net 300 a month ->
    # ceil(100 / 300) = 1 month after April.
    assert r.cumulative_net == [-1000.0, -700.0, -400.0, -100.0]
    assert not r.payback_reached
    assert r.expected_payback_month == "2024-05"


def test_payback_reached_month() -> None:
    r = realised_roi(MONTHS, [500, 0, 0, 0], [0, 10, 10, 10], [_line(30, 30, 30)], 0.0)
    # cumulative: -500, -200, 100 -> reached in March.
    assert r.payback_reached
    assert r.payback_month == "2024-03"
    assert r.expected_payback_month is None


def test_no_payback_when_run_rate_net_is_negative() -> None:
    r = realised_roi(MONTHS, [500, 100, 100, 100], [0, 1, 1, 1], [_line(10, 10, 10)], 0.0)
    assert not r.payback_reached
    assert r.expected_payback_month is None


def test_uncounted_line_is_shown_not_added() -> None:
    lines = [_line(10, 10, 10, id_="a"), _line(99, 99, 99, counted=False, id_="b")]
    r = realised_roi(MONTHS, [100, 0, 0, 0], [1, 1, 1, 1], lines, 0.0)
    assert r.benefits_to_date.estimate == 40.0
    assert r.lines[1].to_date.estimate == 4 * 99
    assert r.biggest_line is not None
    assert r.biggest_line.id == "a"


def test_npv_matches_numpy_financial() -> None:
    costs = [20_000.0, 500.0, 500.0, 500.0, 500.0, 500.0]
    live = [0.0, 5.0, 8.0, 12.0, 12.0, 13.0]
    months = [add_months("2023-11", k) for k in range(6)]
    r = realised_roi(months, costs, live, [_line(300, 100, 500)], 0.07)
    flows = np.array(live) * 300 - np.array(costs)
    # numpy-financial discounts the first flow by (1 + rate) ** 0, as the report does.
    assert r.npv.estimate == pytest.approx(npf.npv(monthly_rate(0.07), flows), rel=1e-12)
    low = np.array(live) * 100 - np.array(costs)
    assert r.npv.low == pytest.approx(npf.npv(monthly_rate(0.07), low), rel=1e-12)


def test_mismatched_series_are_refused() -> None:
    with pytest.raises(DataError, match="one cost and one exposure per month"):
        realised_roi(MONTHS, [1.0], [1.0, 1.0, 1.0, 1.0], [], 0.04)


def test_add_months_crosses_years() -> None:
    assert add_months("2023-12", 1) == "2024-01"
    assert add_months("2024-01", -1) == "2023-12"


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.floats(0, 1e5), min_size=1, max_size=24),
    value=st.floats(0, 1e4),
    extra=st.floats(0.01, 1e3),
)
def test_properties(costs: list[float], value: float, extra: float) -> None:
    n = len(costs)
    months = [add_months("2022-01", k) for k in range(n)]
    live = [float(k) for k in range(n)]
    base = realised_roi(months, costs, live, [_line(value, value, value)], 0.0)
    more = realised_roi(months, costs, live, [_line(value + extra, value, value + extra)], 0.0)
    # NPV at 0 % is the plain sum of the net flows.
    assert base.npv.estimate == pytest.approx(sum(value * x for x in live) - sum(costs), abs=1e-6)
    if sum(costs) > 0:
        zero = realised_roi(months, costs, live, [_line(0.0, 0.0, 0.0)], 0.0)
        assert zero.roi is not None
        assert zero.roi.estimate == pytest.approx(-1.0)
    # Payback never gets later when benefits rise.
    if base.payback_reached:
        assert more.payback_reached
        assert more.payback_month is not None
        assert more.payback_month <= str(base.payback_month)


def test_payback_on_a_cumulative_net_of_exactly_zero() -> None:
    # 500 in January, then one live account worth 2,000 / 12 a month: the cumulative net is
    # -500, -333.33, -166.67, 0 (by hand; -5.7e-14 in floating point) -> reached in April.
    months = [*MONTHS, "2024-05"]
    r = realised_roi(
        months, [500, 0, 0, 0, 0], [0, 1, 1, 1, 1], [_line(2000 / 12, 2000 / 12, 2000 / 12)], 0.0
    )
    assert r.payback_reached
    assert r.payback_month == "2024-04"


def test_payback_not_reached_when_later_costs_push_the_net_below_zero() -> None:
    # Costs 100 in January and 500 in April; one live account worth 60 a month from January.
    # Cumulative net: -40, 20, 80, -360 (by hand): February broke even, but April's costs put
    # the net 360 below zero, so payback is not reached; run-rate net per month over the last
    # three months = 60 - 500 / 3 < 0 -> no expected month.
    r = realised_roi(MONTHS, [100, 0, 0, 500], [1, 1, 1, 1], [_line(60, 50, 70)], 0.0)
    assert r.cumulative_net == [-40.0, 20.0, 80.0, -360.0]
    assert not r.payback_reached
    assert r.payback_month is None
    assert r.expected_payback_month is None


def test_payback_month_is_the_one_from_which_the_net_stays_positive() -> None:
    # Costs 100, 0, 200, 0 and 120 of benefits a month: cumulative net 20, 140, 60, 180 -> the
    # net never dips below zero after January: January. With costs 100, 0, 300, 0 the net is
    # 20, 140, -40, 80: March dipped below, so payback is April.
    r = realised_roi(MONTHS, [100, 0, 200, 0], [1, 1, 1, 1], [_line(120, 120, 120)], 0.0)
    assert (r.payback_reached, r.payback_month) == (True, "2024-01")
    r = realised_roi(MONTHS, [100, 0, 300, 0], [1, 1, 1, 1], [_line(120, 120, 120)], 0.0)
    assert r.cumulative_net == [20.0, 140.0, -40.0, 80.0]
    assert (r.payback_reached, r.payback_month) == (True, "2024-04")


def test_no_payback_month_without_costs() -> None:
    # No costs recorded: ROI is undefined and there is nothing to pay back; the run-rate
    # formula would otherwise name a month before the last one (here January).
    r = realised_roi(MONTHS, [0, 0, 0, 0], [1, 5, 10, 10], [_line(10, 5, 15)], 0.0)
    assert r.roi is None
    assert not r.payback_reached
    assert r.payback_month is None
    assert r.expected_payback_month is None


def test_earned_churn_flows_by_hand() -> None:
    # 2 accounts kept in month 0, 1 in month 2; each earns 10 a month from the next month and
    # a quarter of the kept leave each month: stock 0, 2, 1.5, 1.5 x 0.75 + 1 = 2.125
    from portalroi.roi.realised import earned_churn_flows

    out = earned_churn_flows(np.array([2.0, 0.0, 1.0, 0.0]), 0.25, 10.0)
    assert out.tolist() == [0.0, 20.0, 15.0, 21.25]


def test_churn_on_the_earned_basis_by_hand() -> None:
    # 10 live accounts a month, 0.1 [0, 0.2] kept per live account-month (1 [0, 2] a month),
    # CLV 1,000, margin 50 a month, half the kept leave each month; costs 100 in January.
    r = churn_roi()
    # at lifetime value: 1 kept a month x 1,000 = 3,000 [0, 6,000]; paid back in January
    assert r.benefits_to_date == Interval(3000.0, 0.0, 6000.0)
    assert (r.payback_reached, r.payback_month) == (True, "2024-01")
    e = r.earned
    assert e is not None
    # earned: stock 0, 1, 1.5 -> margin 0 + 50 + 75 = 125; low 0; high (0 + 100 + 150) = 250
    assert e.churn_to_date == Interval(125.0, 0.0, 250.0)
    assert e.benefits_to_date == Interval(125.0, 0.0, 250.0)
    assert e.net_to_date == Interval(25.0, -100.0, 150.0)
    assert e.roi == Interval(0.25, -1.0, 1.5)
    # cumulative net -100, -50, +25: paid back in March on this basis
    assert (e.payback_reached, e.payback_month) == (True, "2024-03")


def test_earned_basis_keeps_the_other_lines() -> None:
    r = churn_roi(50.0, _line(40, 20, 60))
    assert r.earned is not None
    # the other line: 10 x 40 x 3 = 1,200 [600, 1,800], added to the earned churn
    assert r.earned.benefits_to_date == Interval(1325.0, 600.0, 2050.0)
    # without the margin per month (a hand-made line) there is no earned basis
    assert churn_roi(None).earned is None


def test_plan_row_for_churn_compares_the_earned_margin() -> None:
    from portalroi.businesscase import example_inputs
    from portalroi.roi.plan_vs_actual import Actuals, plan_vs_actual

    r = churn_roi()
    row = {x.id: x for x in plan_vs_actual(example_inputs(), r, Actuals(2, 0.3))}["churn"]
    assert row.actual_to_date == Interval(125.0, 0.0, 250.0)
    assert row.plan_to_date is not None
    assert row.variance == pytest.approx(125.0 - row.plan_to_date)
    assert "actual = margin retained accounts earned to date" in row.cause
    assert "(at lifetime value, future margin included: 3,000)" in row.cause
    assert "bases differ" not in row.cause
