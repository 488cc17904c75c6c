"""Scenarios, Monte Carlo, tornado and switching values."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from portalroi.businesscase import (
    evaluate,
    example_inputs,
    parse_inputs,
    scenarios,
    simulate_uncertainty,
    switching_values,
    tornado,
)
from portalroi.businesscase.ranges import Amount
from portalroi.businesscase.uncertainty import pert_draws


def test_pert_draws_match_the_pert_mean_and_bounds() -> None:
    r = Amount(low=2, likely=10, high=15)
    x = pert_draws(r, 200_000, np.random.default_rng(3))
    assert x.min() >= 2
    assert x.max() <= 15
    # PERT mean = (low + 4 likely + high) / 6 = 57 / 6.
    assert x.mean() == pytest.approx(57 / 6, rel=2e-3)


def test_monte_carlo_reproducible_with_seed() -> None:
    inputs = example_inputs()
    a = simulate_uncertainty(inputs, draws=5_000, seed=42)
    b = simulate_uncertainty(inputs, draws=5_000, seed=42)
    c = simulate_uncertainty(inputs, draws=5_000, seed=43)
    assert a.summary() == b.summary()
    np.testing.assert_array_equal(a.npv, b.npv)
    assert a.npv_p50 != c.npv_p50


def test_monte_carlo_converges_p50_within_one_percent() -> None:
    inputs = example_inputs()
    small = simulate_uncertainty(inputs, draws=10_000, seed=1)
    large = simulate_uncertainty(inputs, draws=100_000, seed=2)
    assert small.npv_p50 == pytest.approx(large.npv_p50, rel=0.01)
    assert small.roi_p50 == pytest.approx(large.roi_p50, rel=0.01)


def test_monte_carlo_degenerate_ranges_equal_the_engine() -> None:
    # With every range collapsed to its likely value each draw is the deterministic case.
    data: dict[str, Any] = copy.deepcopy(parse_inputs_from_example())
    for line in data["benefits"].values():
        for key, value in list(line.items()):
            if isinstance(value, dict) and "likely" in value:
                line[key] = value["likely"]
    for cost in data["costs"].values():
        if isinstance(cost["amount"], dict):
            cost["amount"] = cost["amount"]["likely"]
    inputs = parse_inputs(data)
    mc = simulate_uncertainty(inputs, draws=100, seed=0)
    result = evaluate(inputs)
    assert mc.npv_p10 == pytest.approx(result.npv, rel=1e-12)
    assert mc.roi_p90 == pytest.approx(result.roi, rel=1e-12)
    assert mc.prob_roi_positive == 1.0


def parse_inputs_from_example() -> dict[str, Any]:
    import yaml

    from portalroi.businesscase import example_inputs_yaml

    data = yaml.safe_load(example_inputs_yaml())
    assert isinstance(data, dict)
    return data


def test_scenarios_order_and_conservative_uses_high_costs() -> None:
    s = scenarios(example_inputs())
    assert s["conservative"].npv < s["expected"].npv < s["optimistic"].npv
    # Conservative: implementation at its high value (35,000), optimistic at its low (20,000).
    assert s["conservative"].line("implementation").total == pytest.approx(35_000)
    assert s["optimistic"].line("implementation").total == pytest.approx(20_000)


def test_tornado_bar_equals_engine_with_that_one_figure_changed() -> None:
    data = parse_inputs_from_example()
    bars = tornado(parse_inputs(data))
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    bar = next(b for b in bars if b.key == "costs.implementation.amount")
    changed = copy.deepcopy(data)
    changed["costs"]["implementation"]["amount"] = {"low": 35_000, "likely": 35_000, "high": 35_000}
    assert bar.npv_at_high == pytest.approx(evaluate(parse_inputs(changed)).npv, rel=1e-12)
    # A one-off cost at month 0 is not discounted: the bar is exactly 15,000 wide.
    assert bar.swing == pytest.approx(15_000.0, rel=1e-12)


def test_switching_value_turns_npv_to_zero() -> None:
    data = parse_inputs_from_example()
    found = {s.key: s for s in switching_values(parse_inputs(data))}
    sv = found["costs.implementation.amount"]
    assert sv.value is not None
    # One-off at month 0: NPV falls one-for-one, so the switch is likely + NPV.
    assert sv.value == pytest.approx(25_000 + evaluate(parse_inputs(data)).npv, rel=1e-9)
    changed = copy.deepcopy(data)
    changed["costs"]["licence"]["amount"] = found["costs.licence.amount"].value
    assert evaluate(parse_inputs(changed)).npv == pytest.approx(0.0, abs=1e-3)
    # A benefit share cannot make NPV negative within [0, 1] here: no switching value.
    assert found["benefits.deflection.deflection_share"].value is None


def test_monte_carlo_roi_is_undefined_without_costs(base: dict[str, Any]) -> None:
    # No cost line: ROI = net / costs is undefined in every draw, while every NPV is positive.
    base["benefits"] = {
        "consolidation": {"annual_saving": {"low": 1000, "likely": 2000, "high": 4000}}
    }
    case = parse_inputs(base)
    assert evaluate(case).roi is None
    mc = simulate_uncertainty(case, draws=500, seed=1)
    assert (mc.roi_p10, mc.roi_p50, mc.roi_p90) == (None, None, None)
    assert mc.prob_roi_positive is None  # was 0.0: the share of NaN draws above zero
    assert mc.roi_draws == 0
    assert mc.npv_p10 is not None
    assert mc.npv_p10 > 0
    assert bool(np.all(mc.npv > 0))
    # with costs, every draw has a ROI
    base["costs"] = {"licence": {"amount": 10, "basis": "monthly"}}
    mc = simulate_uncertainty(parse_inputs(base), draws=500, seed=1)
    assert mc.roi_draws == 500
    assert mc.prob_roi_positive == pytest.approx(float(np.mean(mc.roi > 0)))
