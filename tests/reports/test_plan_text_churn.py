"""The churn row's cause in Swedish: the earned basis and the bases-differ note."""

from __future__ import annotations

from portalroi.businesscase import example_inputs
from portalroi.reports.plan_text import cause_text
from portalroi.roi.plan_vs_actual import Actuals, plan_vs_actual
from roi_cases import churn_roi


def _churn_cause(margin: float | None) -> str:
    rows = {x.id: x for x in plan_vs_actual(example_inputs(), churn_roi(margin), Actuals(2, 0.3))}
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
