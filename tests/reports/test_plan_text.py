"""Plan vs actual in Swedish: line names and causes translated, numbers written the Swedish way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portalroi.businesscase import example_inputs
from portalroi.impact.analysis import estimate_effects
from portalroi.reports.leadership import leadership_html
from portalroi.reports.plan_text import cause_text, kind_text, line_name
from portalroi.roi import roi_from_store
from portalroi.roi.money import Interval, MoneyLine
from portalroi.roi.plan_vs_actual import Actuals, plan_vs_actual
from portalroi.roi.realised import realised_roi
from portalroi.store import Store
from portalroi.web.views_money import impact_page, plan_table

#: English words of the ROI layer's causes; none may be left in a Swedish cause.
ENGLISH = re.compile(r"vs planned|adoption|not measured|not in the plan|on plan|shown|spent|cost")


def _sv(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_generated_causes_in_swedish() -> None:
    lines = [
        MoneyLine("deflection", "d", Interval(20.0, 10.0, 30.0), Interval(1, 1, 1), "", ""),
        MoneyLine(
            "agent_time", "a", Interval(5.0, 1.0, 9.0), Interval(1, 1, 1), "", "", counted=False
        ),
        MoneyLine("dso", "x", Interval(5.0, 1.0, 9.0), Interval(1, 1, 1), "", ""),
    ]
    realised = realised_roi(["2024-01", "2024-02"], [100.0, 50.0], [0.0, 10.0], lines, 0.04)
    actual = Actuals(
        3,
        0.3,
        deflection_share=0.18,
        cost_per_ticket=1234.5,
        tickets_per_month=1177.0,
        days_reduced=-2.5,
        costs_by_category={"licence": 2100.0, "implementation": 25000.0},
    )
    rows = plan_vs_actual(example_inputs(), realised, actual)
    got = {r.id: _sv(cause_text(r.cause, "sv")) for r in rows}
    assert got["deflection"] == (
        "andel avledda ärenden 18 % mot planerat 25 %; kostnad per ärende 1 234,50 mot "
        "planerat 10,00; ärenden per månad 1 177 mot planerat 1 000; långsammare införande: "
        "30 % av kontona i portalen mot planerat 60 %"
    )
    assert got["dso"] == (
        "färre dagar till betalning −2,5 mot planerat 5,0; långsammare införande: 30 % av "
        "kontona i portalen mot planerat 60 %"
    )
    assert got["admin_hours"] == "mäts inte i data"
    assert got["agent_time"] == "finns inte i planen (visas, räknas inte i summorna)"
    assert got["licence"] == (
        "förbrukat 2 100 mot planerat 1 050; plan: 350 per månad i 3 månader sedan första "
        "driftstarten"
    )
    assert got["implementation"] == (
        "enligt plan (inom 10 %); plan: 25 000 engångskostnad, före första driftstarten"
    )
    assert got["management"] == (
        "ingen kostnad registrerad; plan: 6 000 per år i 3 månader sedan första driftstarten"
    )
    for text in got.values():
        assert not ENGLISH.search(text), text
    # English is left as the ROI layer wrote it.
    assert [cause_text(r.cause, "en") for r in rows] == [r.cause for r in rows]


def test_cost_plan_basis_in_swedish() -> None:
    assert _sv(
        cause_text(
            "spent 18,000 vs planned 13,860; plan: 350 a month + 10 % risk for 36 months since "
            "the first go-live (the plan's horizon, the data cover 40)",
            "sv",
        )
    ) == (
        "förbrukat 18 000 mot planerat 13 860; plan: 350 per månad + 10 % riskpåslag i 36 "
        "månader sedan första driftstarten (planens horisont, data täcker 40)"
    )
    assert (
        _sv(
            cause_text(
                "on plan (within 10 %); plan: 99.50 a year for 2 months since the first go-live",
                "sv",
            )
        )
        == "enligt plan (inom 10 %); plan: 99,50 per år i 2 månader sedan första driftstarten"
    )
    assert _sv(
        cause_text(
            "no cost recorded; plan: 25,000 one-off + 12.5 % risk, before the first go-live", "sv"
        )
    ) == (
        "ingen kostnad registrerad; plan: 25 000 engångskostnad + 12,5 % riskpåslag, före "
        "första driftstarten"
    )


def test_plan_horizon_note_in_swedish() -> None:
    assert _sv(
        cause_text(
            "deflection share 18 % vs planned 25 %; plan to date ends at its 12-month horizon, "
            "the data cover 24 months since the first go-live",
            "sv",
        )
    ) == (
        "andel avledda ärenden 18 % mot planerat 25 %; planen hittills slutar vid dess horisont "
        "på 12 månader, data täcker 24 månader sedan första driftstarten"
    )


def test_other_causes_names_and_kinds() -> None:
    assert cause_text("on plan (drivers within 10 %)", "sv") == (
        "enligt plan (drivande faktorer inom 10 %)"
    )
    assert _sv(
        cause_text(
            "agent hours saved per month at full adoption 12 vs planned 40 (shown, not added to "
            "the realised totals; the plan counts it in its totals)",
            "sv",
        )
    ) == (
        "sparade handläggartimmar per månad vid full användning 12 mot planerat 40 (visas, "
        "räknas inte i de realiserade summorna; planen räknar med den i sina summor)"
    )
    assert _sv(cause_text("order uplift 3 % vs planned 5 %", "sv")) == (
        "ökning av orderförsäljning 3 % mot planerat 5 %"
    )
    # A phrase the module does not know is kept, not dropped.
    assert cause_text("something new", "sv") == "something new"
    assert line_name("licence", "sv") == "Licens (licence)"
    assert line_name("licence", "en") == "licence"
    assert kind_text("benefit", "sv") == "nytta"
    with pytest.raises(Exception, match="language"):
        cause_text("x", "de")


@pytest.mark.slow
def test_swedish_report_and_dashboard_translate_the_plan(tiny_demo_db: Path) -> None:
    with Store(tiny_demo_db, read_only=True) as store:
        impact = estimate_effects(store)
        report = roi_from_store(store, plan=example_inputs(), impact=impact)
    assert report.plan_rows
    causes = [r.cause for r in report.plan_rows]
    assert any("vs planned" in c for c in causes)  # there is something to translate
    html = _sv(leadership_html(report, {}, "sv"))
    for row in report.plan_rows:
        assert _sv(cause_text(row.cause, "sv")) in html
        assert line_name(row.id, "sv") in html
    assert "vs planned" not in html
    assert "Avledda ärenden (deflection)" in html
    english = leadership_html(report, {}, "en")
    assert all(c in english for c in causes)
    table = plan_table(report, "sv")
    assert table is not None
    assert [r[0] for r in table.rows] == [line_name(r.id, "sv") for r in report.plan_rows]
    assert [_sv(r[4]) for r in table.rows] == [
        _sv(cause_text(r.cause, "sv")) for r in report.plan_rows
    ]
    assert not any("vs planned" in r[4] for r in table.rows)
    money = impact_page(impact, report, "sv").charts[-1].frame
    assert money["line"].iloc[0] == "Avledda ärenden (deflection)"
