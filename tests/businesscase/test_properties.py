"""Hypothesis properties of the engine on generated business cases."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bc_cases import BASE
from portalroi.businesscase import evaluate, parse_inputs

amount = st.floats(min_value=0.0, max_value=1e5, allow_nan=False)


def _case(saving: float, licence: float, implementation: float, tickets: float) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["adoption"] = {"points": [[0, 0.0], [3, 0.6], [12, 1.0]]}
    data["benefits"] = {
        "consolidation": {"annual_saving": saving},
        "deflection": {"tickets_per_month": tickets, "cost_per_ticket": 8},
    }
    data["costs"] = {
        "licence": {"amount": licence, "basis": "monthly"},
        "implementation": {"amount": implementation, "basis": "one_off"},
    }
    return data


@pytest.mark.slow
@given(amount, st.floats(1.0, 1e4), st.floats(1.0, 1e5), amount, st.floats(0.0, 1e5))
@settings(max_examples=60, deadline=None)
def test_more_savings_never_delays_payback(
    saving: float, licence: float, implementation: float, tickets: float, extra: float
) -> None:
    before = evaluate(parse_inputs(_case(saving, licence, implementation, tickets)))
    after = evaluate(parse_inputs(_case(saving + extra, licence, implementation, tickets)))
    if before.payback_month is not None:
        assert after.payback_month is not None
        assert after.payback_month <= before.payback_month


@given(st.floats(1.0, 1e4), st.floats(0.0, 1e5))
@settings(max_examples=30, deadline=None)
def test_zero_benefits_give_roi_minus_100_percent(licence: float, implementation: float) -> None:
    result = evaluate(parse_inputs(_case(0.0, licence, implementation, 0.0)))
    assert result.roi == pytest.approx(-1.0)
    assert result.payback_month is None
    assert result.irr is None


@given(amount, st.floats(1.0, 1e4), st.floats(1.0, 1e5), amount, st.floats(0.01, 1000.0))
@settings(max_examples=40, deadline=None)
def test_scaling_all_money_leaves_roi_unchanged(
    saving: float, licence: float, implementation: float, tickets: float, k: float
) -> None:
    data = _case(saving, licence, implementation, tickets)
    scaled = _case(saving * k, licence * k, implementation * k, tickets)
    scaled["benefits"]["deflection"]["cost_per_ticket"] = 8 * k
    a, b = evaluate(parse_inputs(data)), evaluate(parse_inputs(scaled))
    assert a.roi is not None
    assert b.roi is not None
    assert b.roi == pytest.approx(a.roi, rel=1e-9, abs=1e-12)
    assert b.npv == pytest.approx(a.npv * k, rel=1e-9, abs=1e-6)
    assert b.payback_month == a.payback_month


@given(amount, st.floats(1.0, 1e4), st.floats(1.0, 1e5), amount)
@settings(max_examples=40, deadline=None)
def test_npv_at_zero_rate_is_net_benefit_and_totals_add_up(
    saving: float, licence: float, implementation: float, tickets: float
) -> None:
    data = _case(saving, licence, implementation, tickets)
    data["discount_rate"] = 0.0
    r = evaluate(parse_inputs(data))
    assert r.npv == pytest.approx(r.net_benefit, rel=1e-9, abs=1e-6)
    assert r.total_benefits == pytest.approx(sum(x.total for x in r.lines if x.kind == "benefit"))
    assert r.total_costs == pytest.approx(sum(x.total for x in r.lines if x.kind == "cost"))
    assert sum(r.yearly_net) == pytest.approx(r.net_benefit, rel=1e-9, abs=1e-6)
    assert r.cumulative_net[-1] == pytest.approx(r.net_benefit, rel=1e-9, abs=1e-6)
