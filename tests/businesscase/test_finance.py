"""NPV, IRR and payback against numpy-financial and hand-worked cases."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portalroi.businesscase.finance import (
    irr_analysis,
    irr_annual,
    irr_monthly,
    monthly_rate,
    npv,
    payback_month,
)

money = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=60), st.floats(min_value=0.0, max_value=0.5))
@settings(max_examples=150, deadline=None)
def test_npv_matches_numpy_financial(flows: list[float], rate: float) -> None:
    arr = np.array(flows)
    expected = npf.npv(monthly_rate(rate), arr)
    assert npv(rate, arr) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@given(st.lists(money, min_size=1, max_size=60))
def test_npv_at_zero_is_the_plain_sum(flows: list[float]) -> None:
    assert npv(0.0, np.array(flows)) == pytest.approx(sum(flows), rel=1e-12, abs=1e-6)


@pytest.mark.slow
@given(
    st.floats(min_value=100.0, max_value=1e6),
    st.lists(
        st.floats(min_value=0.0, max_value=1e5, allow_subnormal=False), min_size=2, max_size=48
    ),
)
@settings(max_examples=80, deadline=None)
def test_irr_matches_numpy_financial_on_conventional_flows(
    invest: float, returns: list[float]
) -> None:
    flows = np.array([-invest, *returns])
    with warnings.catch_warnings():
        # numpy-financial's polynomial root finder warns on ill-conditioned inputs; the oracle
        # then returns nan and the example is skipped by assume() below.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            monthly = npf.irr(flows)
        except np.linalg.LinAlgError:
            monthly = np.nan
    ours = irr_annual(flows)
    if sum(returns) == 0.0:
        assert ours is None
        return
    assume(np.isfinite(monthly))
    # The documented search range: monthly IRR between -99 % and +1000 %. A root within rounding
    # of either end is on the boundary, where "no IRR" is as right as the root (Hypothesis found
    # invest 100, returns [0, 12100, 0, 1.2e-38]: the root is 10.0 plus 1e-45).
    assume(np.isfinite(monthly) and -0.99 + 1e-9 < monthly < 10.0 - 1e-9)
    # The oracle's root must be one: on ill-conditioned flows its polynomial roots can be far
    # off (Hypothesis found invest 100, returns [0, 22119, 1, 3, 1.2e-28]: numpy-financial gave
    # -29.8 % a month, where NPV is far from zero; the only root is +1,387 %, outside the
    # documented range, so "no IRR" is right).
    assume(abs(npf.npv(monthly, flows)) <= 1e-6 * float(np.abs(flows).sum()))
    assert ours is not None
    ours_m = irr_monthly(flows)
    assert ours_m is not None
    assert ours == pytest.approx((1 + ours_m) ** 12 - 1, rel=1e-12)
    if ours_m != pytest.approx(monthly, rel=1e-7, abs=1e-9):
        # numpy-financial's polynomial roots lose digits on long runs of zero flows; where the
        # two differ, ours must leave the smaller NPV residual.
        assert abs(npf.npv(ours_m, flows)) <= abs(npf.npv(monthly, flows))


def test_irr_none_when_the_only_root_is_past_the_range() -> None:
    # -100 + 22,119 / (1 + r)^2 + 1 / (1 + r)^3 + 3 / (1 + r)^4 = 0 at r = 13.87 a month
    # (+1,387 %), past the +1,000 % bound; numpy-financial's roots give -29.8 % here, which is
    # not a root (NPV there is far from zero).
    flows = np.array([-100.0, 0.0, 22_119.0, 1.0, 3.0, 1.2274300124636202e-28])
    assert npf.npv(13.872484930639562, flows[:-1]) == pytest.approx(0.0, abs=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        oracle = npf.irr(flows)
    assert abs(npf.npv(oracle, flows)) > 1_000.0
    result = irr_analysis(flows)
    assert (result.monthly, result.annual, result.status) == (None, None, "none")


def test_irr_none_without_sign_change() -> None:
    assert irr_annual(np.array([100.0, 5.0])) is None
    assert irr_annual(np.array([-100.0, -5.0])) is None


def test_irr_hand_case() -> None:
    # -100 now, +110 in twelve months: exactly 10 % a year.
    flows = np.zeros(13)
    flows[0], flows[12] = -100.0, 110.0
    assert irr_annual(flows) == pytest.approx(0.10, rel=1e-12)


def test_payback_month_hand_cases() -> None:
    assert int(payback_month(np.array([-100.0, 30.0, 30.0, 40.0]))) == 3
    assert int(payback_month(np.array([-100.0, 30.0, 30.0, 39.0]))) == -1
    assert int(payback_month(np.array([0.0, 5.0]))) == 1
    rows = payback_month(np.array([[-10.0, 5.0, 5.0], [-10.0, 20.0, 0.0]]))
    assert rows.tolist() == [2, 1]


def test_payback_when_cumulative_net_is_zero_on_paper() -> None:
    # -500, then 2,000 / 12 a month: the cumulative net of month 3 is 0 by hand
    # (-500 + 3 x 166.67), -5.7e-14 in floating point; the spreadsheet says month 3.
    flows = np.array([-500.0] + [2000.0 / 12] * 4)
    assert np.cumsum(flows)[3] < 0  # the floating-point zero this test is about
    assert int(payback_month(flows)) == 3
    # the tolerance is relative: a shortfall of one cent in 666.67 of flows is not zero
    flows[3] -= 0.01
    assert int(payback_month(flows)) == 4


def test_engine_payback_month_on_an_exact_zero(base: dict[str, Any]) -> None:
    from portalroi.businesscase import evaluate, parse_inputs

    base["benefits"] = {"consolidation": {"annual_saving": 2000}}
    base["costs"] = {"implementation": {"amount": 500, "basis": "one_off"}}
    result = evaluate(parse_inputs(base))
    # full adoption from month 1: 2,000 / 12 a month repays 500 in exactly 3 months
    assert result.payback_month == 3


def test_irr_not_unique_when_npv_has_two_roots() -> None:
    # -100, +230, -132: NPV = -100 + 230 x - 132 x^2 with x = 1 / (1 + r) is zero at
    # x = 240 / 264 and 220 / 264, i.e. r = 10 % and 20 % a month (by hand).
    flows = np.array([-100.0, 230.0, -132.0])
    got = irr_analysis(flows)
    assert got.status == "not unique"
    assert got.sign_changes == 2
    assert got.roots == pytest.approx((0.10, 0.20), abs=1e-12)
    for root in got.roots:
        assert npf.npv(root, flows) == pytest.approx(0.0, abs=1e-9)
    assert "not unique" in got.note
    assert irr_monthly(flows) is None  # was 10 %, the root nearest zero
    assert irr_annual(flows) is None


def test_engine_reports_a_non_unique_irr(base: dict[str, Any]) -> None:
    from portalroi.businesscase import evaluate, parse_inputs

    # Adoption rises to month 6 and falls back to zero by month 24; the licence runs on:
    # net flows -, +, - and two IRRs.
    base["adoption"] = {"points": [[0, 0], [6, 1], [18, 1], [24, 0]]}
    base["benefits"] = {"consolidation": {"annual_saving": 120_000}}
    base["costs"] = {
        "implementation": {"amount": 10_000, "basis": "one_off"},
        "licence": {"amount": 3_000, "basis": "monthly"},
    }
    result = evaluate(parse_inputs(base))
    assert result.irr is None
    assert result.irr_status == "not unique"
    net = np.array(result.monthly_net)
    roots = irr_analysis(net).roots
    assert len(roots) == 2
    for root in roots:  # both are IRRs by numpy-financial's NPV
        assert npf.npv(root, net) == pytest.approx(0.0, abs=1e-6)
    annual = [(1 + r) ** 12 - 1 for r in roots]
    assert annual == pytest.approx([-0.4905000964693583, 18.5318711025116], rel=1e-9)
    assert "-49.05% and 1,853.19% a year" in result.irr_note
    assert any("IRR not unique" in c for c in result.conventions)  # shown in the report


def test_unique_irr_has_no_note() -> None:
    got = irr_analysis(np.array([-100.0, 0.0, 121.0]))
    assert (got.status, got.note, got.sign_changes) == ("unique", "", 1)
    assert got.monthly == pytest.approx(0.1, abs=1e-12)
    none = irr_analysis(np.array([-100.0, -5.0]))
    assert (none.status, none.monthly) == ("none", None)
    assert "never change sign" in none.note
