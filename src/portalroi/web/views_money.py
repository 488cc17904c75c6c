"""The money on the dashboard: ROI headline, payback and plan vs actual (overview), and the
financial-impact page with the causal effects and their confidence intervals.

Everything comes from :func:`portalroi.roi.build_roi` over an
:class:`~portalroi.impact.ImpactReport` and measured :class:`~portalroi.roi.Facts`; nothing is
recomputed here.

Examples
--------
>>> from portalroi.roi import Interval
>>> interval_text(Interval(0.5, 0.25, 0.75), "ratio", "en", "USD")
'25.0% – 75.0%'
"""

from __future__ import annotations

import pandas as pd

from portalroi.impact.report import ImpactReport
from portalroi.reports.i18n import format_currency, format_number
from portalroi.reports.plan_text import cause_text, line_name
from portalroi.roi import Interval, RoiReport
from portalroi.web.charts import interval_spec, line_spec
from portalroi.web.i18n_strings import t
from portalroi.web.model import Chart, Kpi, PageData, Table, fmt_value

__all__ = ["impact_page", "interval_text", "plan_table", "roi_kpis", "roi_overview_charts"]


def interval_text(iv: Interval, unit: str, lang: str, currency: str) -> str:
    """``low – high`` of an interval, formatted for ``unit``."""
    return f"{fmt_value(iv.low, unit, lang, currency)} – {fmt_value(iv.high, unit, lang, currency)}"


def _money(value: float, lang: str, currency: str) -> str:
    if currency in ("USD", "EUR", "SEK"):
        return format_currency(value, currency, lang, 0)
    return f"{format_number(value, lang, 0)} {currency}"


def roi_kpis(report: RoiReport, lang: str) -> list[Kpi]:
    """ROI to date (with interval), payback, benefits and costs to date, NPV."""
    r, cur = report.realised, report.currency
    out: list[Kpi] = []
    if r.roi is not None:
        out.append(
            Kpi(
                t("roi_to_date", lang),
                fmt_value(r.roi.estimate, "ratio", lang),
                # the totals put every effect at its interval's end at once: a range, not a
                # 95 % interval (portalroi.roi.realised)
                detail=f"{t('range', lang)}: {interval_text(r.roi, 'ratio', lang, cur)}",
                good=r.roi.estimate > 0,
            )
        )
    if r.earned is not None and r.earned.roi is not None:
        e = r.earned.roi
        out.append(
            Kpi(
                t("roi_earned", lang),
                fmt_value(e.estimate, "ratio", lang),
                detail=f"{t('roi_earned_note', lang)}; {t('range', lang)}: "
                f"{interval_text(e, 'ratio', lang, cur)}",
                good=e.estimate > 0,
            )
        )
    if r.payback_reached and r.payback_month:
        payback = f"{t('payback_reached', lang)} {r.payback_month}"
    elif r.expected_payback_month:
        payback = f"{t('payback_expected', lang)} {r.expected_payback_month}"
    else:
        payback = t("not_in_sight", lang)
    out.append(Kpi(t("payback", lang), payback, good=r.payback_reached))
    out.append(
        Kpi(
            t("benefits_to_date", lang),
            _money(r.benefits_to_date.estimate, lang, cur),
            detail=f"{t('range', lang)}: "
            f"{_money(r.benefits_to_date.low, lang, cur)} – "
            f"{_money(r.benefits_to_date.high, lang, cur)}",
        )
    )
    out.append(Kpi(t("costs_to_date", lang), _money(r.costs_to_date, lang, cur)))
    out.append(
        Kpi(
            t("npv", lang),
            _money(r.npv.estimate, lang, cur),
            detail=f"{t('range', lang)}: {_money(r.npv.low, lang, cur)} – "
            f"{_money(r.npv.high, lang, cur)}",
        )
    )
    return out


def roi_overview_charts(report: RoiReport, lang: str) -> list[Chart]:
    """Benefits (with interval) and costs by month, and the cumulative net benefit."""
    r = report.realised
    monthly = pd.DataFrame(
        {
            "month": r.months,
            "benefits": r.monthly_benefits,
            "benefits_low": r.monthly_benefits_low,
            "benefits_high": r.monthly_benefits_high,
            "costs": r.monthly_costs,
        }
    )
    long = monthly.melt(id_vars="month", value_vars=["benefits", "costs"], var_name="series")
    long["series"] = long["series"].map(
        {"benefits": t("benefits", lang), "costs": t("costs", lang)}
    )
    spec = line_spec(
        long,
        x="month",
        y="value",
        color="series",
        title=t("benefits_by_month", lang),
        x_title=t("month", lang),
        y_title=report.currency,
        temporal=False,
    )
    band = {
        "data": {"values": monthly[["month", "benefits_low", "benefits_high"]].to_dict("records")},
        "mark": {"type": "area", "opacity": 0.2, "color": "#2E7D32"},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "sort": None},
            "y": {"field": "benefits_low", "type": "quantitative"},
            "y2": {"field": "benefits_high"},
        },
    }
    spec["encoding"]["color"]["scale"] = {
        "domain": [t("benefits", lang), t("costs", lang)],
        "range": ["#2E7D32", "#C62828"],
    }
    line = {k: spec.pop(k) for k in ("mark", "encoding")}
    spec["layer"] = [band, line]
    cum = pd.DataFrame({"month": r.months, "value": r.cumulative_net})
    return [
        Chart("benefits_costs", spec, monthly),
        Chart(
            "cumulative_net",
            line_spec(
                cum,
                x="month",
                y="value",
                title=t("cumulative_net", lang),
                x_title=t("month", lang),
                y_title=report.currency,
                temporal=False,
            ),
            cum,
        ),
    ]


def plan_table(report: RoiReport, lang: str) -> Table | None:
    """Plan vs actual by line (when the report was built against a plan)."""
    if not report.plan_rows:
        return None
    cur = report.currency
    rows = []
    for p in report.plan_rows:
        actual = p.actual_to_date
        rows.append(
            [
                line_name(p.id, lang),
                "–" if p.plan_to_date is None else _money(p.plan_to_date, lang, cur),
                "–" if actual is None else _money(actual.estimate, lang, cur),
                "–" if p.variance_share is None else fmt_value(p.variance_share, "ratio", lang),
                cause_text(p.cause, lang),
            ]
        )
    cols = [t("line", lang), "Plan", t("value", lang), "±", t("reason", lang)]
    return Table("plan_vs_actual", t("plan_vs_actual", lang), cols, rows)


def impact_page(impact: ImpactReport, report: RoiReport, lang: str) -> PageData:
    """Causal effects with confidence intervals, and each money line with its interval."""
    page = PageData(kpis=roi_kpis(report, lang))
    effects = pd.DataFrame(
        [
            {
                "outcome": name,
                "estimate": e.estimate,
                "low": e.ci_low,
                "high": e.ci_high,
                "unit": e.unit,
                "method": e.method,
                "n_treated": e.n_treated,
                "n_control": e.n_control,
            }
            for name, e in impact.effects.items()
        ]
    )
    level = f"{impact.level:.0%}"
    for row in effects.to_dict("records") if not effects.empty else []:
        one = pd.DataFrame([row])
        page.charts.append(
            Chart(
                f"effect_{row['outcome']}",
                interval_spec(
                    one,
                    label="outcome",
                    estimate="estimate",
                    low="low",
                    high="high",
                    title=f"{row['outcome']} ({row['unit']}), {level}",
                    x_title=str(row["unit"]),
                ),
                one,
            )
        )
    lines = pd.DataFrame(
        [
            {
                "line": x.label if lang == "en" else line_name(x.id, lang),
                "estimate": x.to_date.estimate,
                "low": x.to_date.low,
                "high": x.to_date.high,
                "counted": x.counted,
            }
            for x in report.realised.lines
        ]
    )
    page.charts.append(
        Chart(
            "money_lines",
            interval_spec(
                lines,
                label="line",
                estimate="estimate",
                low="low",
                high="high",
                title=t("money_lines", lang),
                x_title=report.currency,
            ),
            lines,
        )
    )
    page.tables.append(
        Table(
            "effects",
            t("effects", lang),
            [
                t("outcome", lang),
                t("estimate", lang),
                t("low", lang),
                t("high", lang),
                t("method", lang),
            ],
            [
                [
                    str(r["outcome"]),
                    format_number(r["estimate"], lang, 2),
                    format_number(r["low"], lang, 2),
                    format_number(r["high"], lang, 2),
                    str(r["method"]),
                ]
                for r in (effects.to_dict("records") if not effects.empty else [])
            ],
        )
    )
    page.notes.extend(impact.notes)
    page.notes.extend(f"{k}: {v}" for k, v in impact.skipped.items())
    return page
