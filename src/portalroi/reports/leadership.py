"""The leadership report: adoption, support, financial impact (with intervals) and realised ROI.

Two to three A4 pages of HTML or PDF (WeasyPrint), in English or Swedish, plus an Excel
workbook with the same figures. Every number comes from a :class:`~portalroi.roi.RoiReport`
(what ``portalroi roi --json`` prints) and the monthly ticket volume, so the report and the JSON
agree by construction; a test checks it on the rendered PDF's text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portalroi.reports import charts, i18n
from portalroi.reports.freshness import Freshness, stale_warnings
from portalroi.reports.plan_text import cause_text, kind_text, line_name
from portalroi.reports.render import html_to_pdf, render_template
from portalroi.reports.xlsx import close_workbook
from portalroi.roi.analysis import RoiReport

__all__ = [
    "ReportScope",
    "leadership_html",
    "write_leadership_excel",
    "write_leadership_html",
    "write_leadership_pdf",
]


@dataclass(frozen=True)
class ReportScope:
    """The customer organisations a report covers, its accounts and its share of the portal's
    costs (live account-months of its accounts over those of every account)."""

    orgs: tuple[str, ...]
    accounts: int
    cost_share: float


_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Customer portal: realised value", "sv": "Kundportalen: realiserat värde"},
    "as_of": {"en": "Data to", "sv": "Data till och med"},
    "roi": {"en": "Realised ROI", "sv": "Realiserad ROI"},
    "roi_earned": {
        "en": "ROI with retained accounts' margin earned to date (not lifetime value)",
        "sv": "ROI med kvarhållna kontons marginal hittills (inte livstidsvärde)",
    },
    "benefits_to_date": {"en": "Benefits to date", "sv": "Nyttor hittills"},
    "costs_to_date": {"en": "Costs to date", "sv": "Kostnader hittills"},
    "payback": {"en": "Payback", "sv": "Återbetalning"},
    "reached": {"en": "reached", "sv": "nådd"},
    "expected": {"en": "expected", "sv": "väntas"},
    "not_in_sight": {"en": "not in sight", "sv": "inte i sikte"},
    "npv": {"en": "NPV", "sv": "Nettonuvärde"},
    "run_rate": {"en": "Run-rate benefits / year", "sv": "Nyttor per år (takt)"},
    "adoption": {"en": "Accounts live", "sv": "Konton i portalen"},
    "cash_freed": {"en": "Cash freed (lower DSO)", "sv": "Frigjort kapital (lägre DSO)"},
    "adoption_chart": {"en": "Adoption: accounts live", "sv": "Användning: konton i portalen"},
    "support_chart": {"en": "Support: tickets per month", "sv": "Support: ärenden per månad"},
    "cumulative_chart": {
        # every effect at its 95 % interval's end at once: a cautious range, not a 95 % band
        "en": "Cumulative net benefit (range: effects at their 95 % ends)",
        "sv": "Ackumulerad nettonytta (intervall: effekterna vid sina 95 %-gränser)",
    },
    "monthly_chart": {"en": "Benefits and costs per month", "sv": "Nyttor och kostnader per månad"},
    "impact": {"en": "Financial impact by line", "sv": "Ekonomisk effekt per post"},
    "line": {"en": "Line", "sv": "Post"},
    "to_date": {"en": "To date", "sv": "Hittills"},
    "interval": {"en": "95 % interval", "sv": "95 % intervall"},
    "per_year": {"en": "Run-rate / year", "sv": "Takt / år"},
    "formula": {"en": "Formula", "sv": "Formel"},
    "not_added": {"en": "shown, not added", "sv": "visas, räknas inte"},
    "not_valued": {"en": "Not valued", "sv": "Ej värderat"},
    "effects": {"en": "Causal effects of the portal", "sv": "Portalens orsakseffekter"},
    "outcome": {"en": "Outcome", "sv": "Utfall"},
    "estimate": {"en": "Estimate", "sv": "Skattning"},
    "method": {"en": "Method", "sv": "Metod"},
    "plan": {"en": "Plan vs actual", "sv": "Plan mot utfall"},
    "plan_to_date": {"en": "Plan to date", "sv": "Plan hittills"},
    "actual": {"en": "Actual", "sv": "Utfall"},
    "variance": {"en": "Variance", "sv": "Avvikelse"},
    "cause": {"en": "Cause", "sv": "Orsak"},
    "assumptions": {"en": "Assumptions and conventions", "sv": "Antaganden och konventioner"},
    "tickets": {"en": "Tickets", "sv": "Ärenden"},
    "accounts": {"en": "Accounts", "sv": "Konton"},
    "live": {"en": "Live", "sv": "I portalen"},
    "active": {"en": "Customers", "sv": "Kunder"},
    "benefits": {"en": "Benefits", "sv": "Nyttor"},
    "costs": {"en": "Costs", "sv": "Kostnader"},
    "month": {"en": "Month", "sv": "Månad"},
    "generated": {"en": "Generated", "sv": "Skapad"},
    "newest_record": {"en": "Newest record", "sv": "Nyaste posten"},
    "scope": {
        "en": "Organisation {orgs}: {accounts} accounts. The portal's costs are vendor-wide; "
        "this report carries {share} of them, its share of all live account-months.",
        "sv": "Organisation {orgs}: {accounts} konton. Portalens kostnader gäller hela "
        "leverantören; rapporten bär {share} av dem, dess andel av alla månader med konton i "
        "portalen.",
    },
    "last_load": {"en": "last load", "sv": "senaste inläsning"},
    "stale": {
        "en": "Stale data: the figures do not reach the date of this report",
        "sv": "Inaktuella data: siffrorna når inte fram till rapportens datum",
    },
}


def _t(key: str, lang: str) -> str:
    i18n.text("summary", lang)  # validates the language
    return _TEXT[key][lang]


def _scope_text(scope: ReportScope | None, lang: str) -> str | None:
    if scope is None:
        return None
    return _t("scope", lang).format(
        orgs=", ".join(scope.orgs),
        accounts=i18n.format_number(scope.accounts, lang),
        share=i18n.format_percent(scope.cost_share, lang, 1),
    )


def _when(at: dt.datetime | None) -> str:
    return "–" if at is None else f"{at:%Y-%m-%d %H:%M}"


def _month_rows(months: Sequence[str], series: dict[str, Sequence[float]]) -> list[dict[str, Any]]:
    return [
        {"month": f"{m}-01", "series": name, "value": float(v)}
        for name, values in series.items()
        for m, v in zip(months, values, strict=True)
    ]


def _line_spec(
    months: Sequence[str], series: dict[str, Sequence[float]], title: str, y_title: str, lang: str
) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": 300,
        "height": 150,
        "background": "white",
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}, "legend": {"orient": "bottom"}},
        "data": {"values": _month_rows(months, series)},
        "mark": {"type": "line", "point": False},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "title": _t("month", lang)},
            "y": {"field": "value", "type": "quantitative", "title": y_title},
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": list(series), "range": ["#1F3A5F", "#2E7D32", "#C62828"]},
            },
        },
    }


def _band_spec(report: RoiReport, lang: str) -> dict[str, Any]:
    r = report.realised
    rows = []
    cum = {"e": 0.0, "lo": 0.0, "hi": 0.0}
    for m, c, b, lo, hi in zip(
        r.months,
        r.monthly_costs,
        r.monthly_benefits,
        r.monthly_benefits_low,
        r.monthly_benefits_high,
        strict=True,
    ):
        cum = {"e": cum["e"] + b - c, "lo": cum["lo"] + lo - c, "hi": cum["hi"] + hi - c}
        rows.append({"month": f"{m}-01", **cum})
    x = {"field": "month", "type": "temporal", "title": _t("month", lang)}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _t("cumulative_chart", lang),
        "width": 300,
        "height": 150,
        "background": "white",
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "area", "color": "#C9D6E8"},
                "encoding": {
                    "x": x,
                    "y": {"field": "lo", "type": "quantitative", "title": report.currency},
                    "y2": {"field": "hi"},
                },
            },
            {
                "mark": {"type": "line", "color": "#1F3A5F"},
                "encoding": {"x": x, "y": {"field": "e", "type": "quantitative"}},
            },
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#777777"},
                "encoding": {"y": {"field": "zero", "type": "quantitative"}},
            },
        ],
    }


def leadership_html(
    report: RoiReport,
    tickets_per_month: dict[str, float],
    lang: str = "en",
    today: dt.date | None = None,
    freshness: Freshness | None = None,
    scope: ReportScope | None = None,
) -> str:
    """The report as one standalone HTML page (charts inline as SVG).

    With ``scope`` (an organisation's report) the header names the organisation and the share
    of the portal's costs it carries.

    ``tickets_per_month`` maps ``YYYY-MM`` to tickets opened (metric ``ticket_volume``).
    ``today`` is the report's date (default: today). With ``freshness``, the header names the
    newest record and the last load, and a stale report (see
    :func:`~portalroi.reports.freshness.stale_warnings`) opens with a warning saying why.
    """
    today = today or dt.date.today()
    facts = report.facts
    months = facts["months"]
    adoption = _line_spec(
        months,
        {
            _t("live", lang): facts["live_account_months"],
            _t("active", lang): facts["active_accounts"],
        },
        _t("adoption_chart", lang),
        _t("accounts", lang),
        lang,
    )
    ticket_months = sorted(tickets_per_month)
    support = _line_spec(
        ticket_months,
        {_t("tickets", lang): [tickets_per_month[m] for m in ticket_months]},
        _t("support_chart", lang),
        _t("tickets", lang),
        lang,
    )
    r = report.realised
    monthly = _line_spec(
        r.months,
        {_t("benefits", lang): r.monthly_benefits, _t("costs", lang): r.monthly_costs},
        _t("monthly_chart", lang),
        report.currency,
        lang,
    )
    monthly["encoding"]["color"]["scale"]["range"] = ["#2E7D32", "#C62828"]
    return render_template(
        "leadership.html.j2",
        lang=lang,
        title=_t("title", lang),
        tx={k: v[lang] for k, v in _TEXT.items()},
        r=report,
        rr=r,
        formulas={x.id: x.formula for x in report.lines},
        today=today,
        fresh=freshness,
        scope_text=_scope_text(scope, lang),
        line_name=line_name,
        cause_text=cause_text,
        kind_text=kind_text,
        stale=[] if freshness is None else stale_warnings(freshness, today, lang),
        charts={
            "adoption": charts.render_svg(adoption, lang),
            "support": charts.render_svg(support, lang),
            "cumulative": charts.render_svg(_band_spec(report, lang), lang),
            "monthly": charts.render_svg(monthly, lang),
        },
    )


def write_leadership_html(
    report: RoiReport,
    tickets: dict[str, float],
    path: str | Path,
    lang: str = "en",
    *,
    today: dt.date | None = None,
    freshness: Freshness | None = None,
    scope: ReportScope | None = None,
) -> Path:
    """Write the HTML report (``today``, ``freshness`` and ``scope`` as in
    :func:`leadership_html`)."""
    path = Path(path)
    path.write_text(
        leadership_html(report, tickets, lang, today, freshness, scope), encoding="utf-8"
    )
    return path


def write_leadership_pdf(
    report: RoiReport,
    tickets: dict[str, float],
    path: str | Path,
    lang: str = "en",
    *,
    today: dt.date | None = None,
    freshness: Freshness | None = None,
    scope: ReportScope | None = None,
) -> Path:
    """Write the PDF report (WeasyPrint; ``today``, ``freshness`` and ``scope`` as in
    :func:`leadership_html`)."""
    return html_to_pdf(leadership_html(report, tickets, lang, today, freshness, scope), path)


def write_leadership_excel(
    report: RoiReport,
    path: str | Path,
    *,
    today: dt.date | None = None,
    freshness: Freshness | None = None,
    scope: ReportScope | None = None,
) -> Path:
    """Write the figures as an Excel workbook: summary, lines, monthly flows, plan vs actual.

    With ``scope`` the summary names the organisation(s) and the cost share carried.

    The monthly sheet's cumulative net is a live formula. With ``freshness`` the summary also
    gives the newest record, the last load, the report date and, for a stale report, why.
    """
    import xlsxwriter

    path = Path(path)
    r = report.realised
    # text from the data or the user (names, sources, ids) is never run as a formula; the
    # live formulas are written with write_formula
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0.0%"})
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 16)
    ws.write_row(0, 0, ["Figure", "Estimate", "Low (95 %)", "High (95 %)"], bold)
    rows: list[tuple[str, Any, Any, Any, Any]] = [
        (
            "Benefits to date",
            r.benefits_to_date.estimate,
            r.benefits_to_date.low,
            r.benefits_to_date.high,
            money,
        ),
        ("Costs to date", r.costs_to_date, r.costs_to_date, r.costs_to_date, money),
        ("Net to date", r.net_to_date.estimate, r.net_to_date.low, r.net_to_date.high, money),
        (
            "Run-rate benefits / year",
            r.run_rate_benefits.estimate,
            r.run_rate_benefits.low,
            r.run_rate_benefits.high,
            money,
        ),
        ("Run-rate costs / year", r.run_rate_costs, r.run_rate_costs, r.run_rate_costs, money),
        (f"NPV at {r.discount_rate:.1%}", r.npv.estimate, r.npv.low, r.npv.high, money),
    ]
    if r.roi is not None:
        rows.append(("Realised ROI", r.roi.estimate, r.roi.low, r.roi.high, pct))
    if r.earned is not None:
        # retained accounts counted by the margin earned to date, as the business case counts
        # them, instead of their lifetime value (docs/roi.md)
        e = r.earned
        rows.append(
            (
                "Churn, margin earned to date",
                e.churn_to_date.estimate,
                e.churn_to_date.low,
                e.churn_to_date.high,
                money,
            )
        )
        rows.append(
            (
                "Benefits to date, churn at margin earned",
                e.benefits_to_date.estimate,
                e.benefits_to_date.low,
                e.benefits_to_date.high,
                money,
            )
        )
        if e.roi is not None:
            rows.append(
                ("Realised ROI, churn at margin earned", e.roi.estimate, e.roi.low, e.roi.high, pct)
            )
    for i, (name, e, lo, hi, fmt) in enumerate(rows, start=1):
        ws.write(i, 0, name)
        ws.write_row(i, 1, [e, lo, hi], fmt)
    n = len(rows) + 1
    ws.write(n, 0, "Payback")
    ws.write(
        n,
        1,
        r.payback_month
        or (f"expected {r.expected_payback_month}" if r.expected_payback_month else "not in sight"),
    )
    ws.write(n + 1, 0, "Currency")
    ws.write(n + 1, 1, report.currency)
    ws.write(n + 2, 0, "Data to")
    ws.write(n + 2, 1, report.as_of)
    extra: list[tuple[str, Any]] = []
    if scope is not None:
        extra += [
            ("Organisation", ", ".join(scope.orgs)),
            ("Accounts", scope.accounts),
            ("Share of portal costs", scope.cost_share),
        ]
    if freshness is not None:
        day = today or dt.date.today()
        extra += [
            ("Newest record (UTC)", _when(freshness.newest_record)),
            ("Last load (UTC)", _when(freshness.last_load)),
            ("Report date", day.isoformat()),
        ]
        extra += [("Stale data", why) for why in stale_warnings(freshness, day)]
    for i, (name, value) in enumerate(extra, start=n + 3):
        ws.write(i, 0, name)
        ws.write(i, 1, value, pct if name == "Share of portal costs" else None)
    lines = wb.add_worksheet("Lines")
    lines.write_row(
        0,
        0,
        [
            "Line",
            "Counted",
            "To date",
            "Low",
            "High",
            "Run-rate / year",
            "Low",
            "High",
            "Formula (per live account-month)",
        ],
        bold,
    )
    formulas = {x.id: x.formula for x in report.lines}
    for i, line in enumerate(r.lines, start=1):
        lines.write(i, 0, line.id)
        lines.write(i, 1, "yes" if line.counted else "no")
        lines.write_row(
            i,
            2,
            [
                line.to_date.estimate,
                line.to_date.low,
                line.to_date.high,
                line.run_rate.estimate,
                line.run_rate.low,
                line.run_rate.high,
            ],
            money,
        )
        lines.write(i, 8, formulas[line.id])
    monthly = wb.add_worksheet("Monthly")
    monthly.write_row(
        0,
        0,
        [
            "Month",
            "Live accounts",
            "Benefits",
            "Benefits low",
            "Benefits high",
            "Costs",
            "Cumulative net",
        ],
        bold,
    )
    live = report.facts["live_account_months"]
    for i, m in enumerate(r.months, start=1):
        monthly.write(i, 0, m)
        monthly.write(i, 1, live[i - 1])
        monthly.write_row(
            i,
            2,
            [
                r.monthly_benefits[i - 1],
                r.monthly_benefits_low[i - 1],
                r.monthly_benefits_high[i - 1],
                r.monthly_costs[i - 1],
            ],
            money,
        )
        prev = f"+G{i}" if i > 1 else ""
        monthly.write_formula(i, 6, f"=C{i + 1}-F{i + 1}{prev}", money, r.cumulative_net[i - 1])
    if report.plan_rows:
        plan = wb.add_worksheet("Plan vs actual")
        plan.write_row(
            0, 0, ["Line", "Kind", "Plan to date", "Actual to date", "Variance", "Cause"], bold
        )
        for i, row in enumerate(report.plan_rows, start=1):
            plan.write(i, 0, row.id)
            plan.write(i, 1, row.kind)
            if row.plan_to_date is not None:
                plan.write(i, 2, row.plan_to_date, money)
            if row.actual_to_date is not None:
                plan.write(i, 3, row.actual_to_date.estimate, money)
            if row.variance is not None:
                plan.write(i, 4, row.variance, money)
            plan.write(i, 5, row.cause)
    close_workbook(wb, path)
    return path
