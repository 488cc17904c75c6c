"""The acceptance's worked examples (seed 004's benchmark arithmetic), answers written literally."""

from __future__ import annotations

from typing import Any

import pytest

from portalroi.businesscase import dso_cash_freed, evaluate, parse_inputs


def _line_year1(base: dict[str, Any], benefits: dict[str, Any], line: str) -> float:
    base["benefits"] = benefits
    return evaluate(parse_inputs(base)).line(line).yearly_value[0]


def test_deflection_1000_tickets_10_dollars_25_percent_is_30000(base: dict[str, Any]) -> None:
    value = _line_year1(
        base,
        {
            "deflection": {
                "tickets_per_month": 1000,
                "cost_per_ticket": 10,
                "deflection_share": 0.25,
            }
        },
        "deflection",
    )
    assert value == pytest.approx(30_000.0, rel=1e-12)


def test_deflection_defaults_are_the_benchmark(base: dict[str, Any]) -> None:
    # Only the ticket volume given: 25 % deflection and $10 per ticket are the defaults.
    assert _line_year1(base, {"deflection": {"tickets_per_month": 1000}}, "deflection") == (
        pytest.approx(30_000.0, rel=1e-12)
    )


def test_cost_per_ticket_derived_from_support_cost(base: dict[str, Any]) -> None:
    # $120,000 a year over 12,000 tickets is $10 a ticket.
    benefits = {"deflection": {"tickets_per_month": 1000, "support_cost_per_year": 120_000}}
    assert _line_year1(base, benefits, "deflection") == pytest.approx(30_000.0, rel=1e-12)


def test_three_hours_a_week_at_60_is_9360(base: dict[str, Any]) -> None:
    value = _line_year1(
        base, {"admin_hours": {"hours_per_week": 3, "hourly_rate": 60}}, "admin_hours"
    )
    assert value == pytest.approx(9_360.0, rel=1e-12)
    assert _line_year1(base, {"admin_hours": {}}, "admin_hours") == pytest.approx(9_360.0)


def test_dso_five_days_on_50000_monthly_billing() -> None:
    assert dso_cash_freed(50_000, 5, "365-day year") == pytest.approx(8_219.178082, rel=1e-9)
    assert dso_cash_freed(50_000, 5, "30-day month") == pytest.approx(8_333.333333, rel=1e-9)


@pytest.mark.parametrize(
    ("convention", "cash"), [("365-day year", 8_219.178082), ("30-day month", 8_333.333333)]
)
def test_dso_line_values_cash_at_cost_of_capital(
    base: dict[str, Any], convention: str, cash: float
) -> None:
    benefits = {
        "dso": {
            "monthly_billing": 50_000,
            "days_reduced": 5,
            "cost_of_capital": 0.08,
            "day_convention": convention,
        }
    }
    base["benefits"] = benefits
    result = evaluate(parse_inputs(base))
    assert result.dso_cash_freed == pytest.approx(cash, rel=1e-9)
    assert result.line("dso").yearly_value[0] == pytest.approx(cash * 0.08, rel=1e-9)
    assert any(convention in c for c in result.conventions)


def test_process_map_saving(base: dict[str, Any]) -> None:
    # Old: 400 calls × 15 min at $48/h = $4,800; new: 400 × 3 min at $48/h + $0.50 = $1,160.
    base["processes"] = [
        {
            "name": "status",
            "old": [{"name": "call", "minutes": 15, "per_year": 400, "hourly_rate": 48}],
            "new": [
                {
                    "name": "portal",
                    "minutes": 3,
                    "per_year": 400,
                    "hourly_rate": 48,
                    "other_cost": 0.5,
                }
            ],
        }
    ]
    result = evaluate(parse_inputs(base))
    assert result.line("process.status").yearly_value[0] == pytest.approx(3_640.0, rel=1e-12)
    # Full adoption from month 1, three years: 3 × 3,640.
    assert result.line("process.status").total == pytest.approx(10_920.0, rel=1e-12)


def test_tei_risk_adjustment_cuts_benefit_and_raises_cost(base: dict[str, Any]) -> None:
    base["benefits"] = {"consolidation": {"annual_saving": 1200, "risk_adjustment": 0.25}}
    base["costs"] = {"hosting": {"amount": 100, "basis": "monthly", "risk_adjustment": 0.1}}
    result = evaluate(parse_inputs(base))
    assert result.line("consolidation").total == pytest.approx(3 * 900.0)
    assert result.line("hosting").total == pytest.approx(36 * 110.0)
