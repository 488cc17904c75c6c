"""The dashboard's headline money figures equal the CLI / Python API's and the PDF report's."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from portalroi.impact.analysis import estimate_effects
from portalroi.reports.i18n import format_currency, format_number, format_percent
from portalroi.reports.leadership import leadership_html
from portalroi.roi import roi_from_store
from portalroi.store import Store

KPI = re.compile(r'kpi-label">([^<]+)</div>\s*<div class="kpi-value">([^<]+)<')


def _kpis(page: str) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v) for k, v in KPI.findall(page)}


def test_overview_and_impact_equal_the_api_and_the_report(
    client: TestClient, demo_db: Path
) -> None:
    with Store(demo_db, read_only=True) as store:
        impact = estimate_effects(store)
        report = roi_from_store(store, impact=impact)
    r, cur = report.realised, report.currency
    assert r.roi is not None

    def money(v: float) -> str:
        return format_currency(v, cur, "en")

    for lang in ("en", "sv"):
        got = _kpis(client.get("/", params={"lang": lang}).text)
        pdf = leadership_html(report, {}, lang)
        keys = (
            ("Benefits to date", "Costs to date", "Net present value", "Realised ROI to date")
            if lang == "en"
            else (
                "Nyttor hittills",
                "Kostnader hittills",
                "Nettonuvärde",
                "Realiserad ROI hittills",
            )
        )
        want = [
            format_currency(r.benefits_to_date.estimate, cur, lang),
            format_currency(r.costs_to_date, cur, lang),
            format_currency(r.npv.estimate, cur, lang),
        ]
        assert [got[k] for k in keys[:3]] == want
        assert got[keys[3]] == format_percent(r.roi.estimate, lang, 1)
        for value in want:  # the same figures, written the same way, in the PDF report
            assert value in pdf
        assert format_percent(r.roi.estimate, lang) in pdf
    assert money(r.costs_to_date) == "$608,000"  # the simulator's tiny company's portal costs
    page = html.unescape(client.get("/impact", params={"lang": "en"}).text)
    for name, e in impact.effects.items():
        row = f"<td>{name}</td><td>{format_number(e.estimate, 'en', 2)}</td>"
        assert row in page
