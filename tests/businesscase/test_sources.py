"""Line sources: a benchmark is cited only for the figures that took its default."""

from __future__ import annotations

from typing import Any

from portalroi.businesscase import evaluate, parse_inputs
from portalroi.businesscase.defaults import DEFAULTS


def _src(key: str) -> str:
    return DEFAULTS[key][1]


def test_entered_figures_are_not_credited_to_benchmarks(base: dict[str, Any]) -> None:
    base["benefits"] = {
        # cost per ticket entered (12, not the benchmark's 10); deflection share left out
        "deflection": {"tickets_per_month": 500, "cost_per_ticket": 12},
        "agent_time": {
            "tickets_per_month": 10,
            "minutes_saved_per_ticket": 1,
            "agent_hourly_cost": 1,
        },
        "consolidation": {"annual_saving": 9_000},
        "admin_hours": {"hours_per_week": 10},
    }
    base["costs"] = {
        "licence": {"amount": 900, "basis": "monthly"},  # entered, no source
        "implementation": {},  # the benchmark default, with its source
    }
    result = evaluate(parse_inputs(base))
    deflection = result.line("deflection").source
    assert deflection == _src("deflection.deflection_share")
    assert _src("deflection.cost_per_ticket") not in deflection
    assert result.line("consolidation").source == ""
    assert result.line("admin_hours").source == _src("admin_hours.hourly_rate")
    assert result.line("licence").source == ""
    assert result.line("implementation").source == _src("implementation.amount")


def test_support_cost_means_no_default_cost_per_ticket(base: dict[str, Any]) -> None:
    base["benefits"] = {
        "deflection": {
            "tickets_per_month": 500,
            "support_cost_per_year": 60_000,
            "deflection_share": 0.3,
            "source": "helpdesk",
        }
    }
    result = evaluate(parse_inputs(base))
    # every figure entered: only the user's source
    assert result.line("deflection").source == "helpdesk"
    base["benefits"]["deflection"].pop("deflection_share")
    result = evaluate(parse_inputs(base))
    # the user's source, then the benchmark of the figure that took the default
    assert result.line("deflection").source == "helpdesk; " + _src("deflection.deflection_share")
