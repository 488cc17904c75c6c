"""The churn row's cause in Swedish: the earned basis and the bases-differ note."""

from __future__ import annotations

from portalroi.businesscase import example_inputs
from portalroi.reports.plan_text import cause_text
from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.plan_vs_actual import Actuals, plan_vs_actual
from portalroi.roi.realised import realised_roi


def _churn_cause(margin: float | None) -> str:
    details = {"live_churn_rate": 0.5, "clv": 1000.0}
    if margin is not None:
        details["margin_per_month"] = margin
    line = MoneyLine(
        "churn", "c", Interval(100.0, 0.0, 200.0), Interval(0.1, 0.0, 0.2), "", "", details=details
    )
    r = realised_roi(["2024-01", "2024-02", "2024-03"], [100.0, 0, 0], [10.0] * 3, [line], 0.0)
    rows = {x.id: x for x in plan_vs_actual(example_inputs(), r, Actuals(2, 0.3))}
    return cause_text(rows["churn"].cause, "sv").replace("\u00a0", " ")


def test_earned_basis_cause_in_swedish() -> None:
    # 1 account kept a month at CLV 1,000 over 3 months: 3,000 booked at lifetime value
    assert _churn_cause(50.0).endswith(
        "utfall = marginal som kvarhållna konton tjänat hittills, som planen räknar "
        "(till livstidsvärde, framtida marginal inräknad: 3 000)"
    )


def test_bases_differ_cause_in_swedish() -> None:
    cause = _churn_cause(None)
    assert cause.endswith("planen den marginal behållna kunder tjänar månad för månad")
    assert "olika grunder: utfallet bokför" in cause
    assert "bases differ" not in cause
