"""The topics page: ticket groups (key terms, share of volume and cost, matched article or gap),
zero-result searches, and what answering the top groups would save.

The report and the simulation come from :func:`portalroi.services.topics.compute_topics` over the
tickets and searches the user may see; this module formats them.

Examples
--------
>>> gap_text(True, None, "en"), gap_text(False, "KB-7", "en")
('GAP', 'KB-7')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from portalroi.analytics import TopicReport
from portalroi.analytics.deflection_sim import DeflectionSimulation
from portalroi.reports.i18n import format_number, format_percent
from portalroi.services.topics import TOP_GROUPS
from portalroi.web.charts import bar_spec
from portalroi.web.i18n_strings import t
from portalroi.web.model import Chart, Kpi, PageData, Table, fmt_value

__all__ = ["gap_text", "topics_page"]


def gap_text(gap: Any, article_id: Any, lang: str) -> str:
    """``GAP`` (``LUCKA``) when no article answers the group, else the article id."""
    if bool(gap) or article_id is None or pd.isna(article_id):
        return t("gap", lang)
    return str(article_id)


def topics_page(
    report: TopicReport, sim: DeflectionSimulation, lang: str, currency: str
) -> PageData:
    """Headlines, share of volume and cost by group, and the three tables."""
    g = report.groups
    page = PageData()
    gaps = g[g["knowledge_gap"].astype(bool)]
    page.kpis.append(Kpi(t("topic_groups", lang), format_number(len(g), lang, 0)))
    page.kpis.append(
        Kpi(
            t("gap_share", lang),
            format_percent(float(gaps["share_volume"].sum()), lang, 0),
            detail=f"{format_number(len(gaps), lang, 0)} {t('groups_without_article', lang)}",
        )
    )
    page.kpis.append(
        Kpi(
            t("zero_result_searches", lang),
            format_number(int(report.zero_results["searches"].sum()), lang, 0)
            if len(report.zero_results)
            else "0",
        )
    )
    page.kpis.append(
        Kpi(
            t("yearly_saving_top", lang).format(n=TOP_GROUPS),
            fmt_value(sim.yearly_saving, "currency", lang, currency),
            detail=f"{format_number(sim.deflected_per_month, lang, 1)} "
            f"{t('tickets_per_month_deflected', lang)}",
        )
    )
    shares = g.head(12)[["name", "share_volume", "share_cost"]]
    long = shares.melt(id_vars="name", var_name="measure", value_name="share")
    long["measure"] = long["measure"].map(
        {"share_volume": t("share_volume", lang), "share_cost": t("share_cost", lang)}
    )
    spec = bar_spec(
        long,
        x="name",
        y="share",
        title=t("share_by_group", lang),
        x_title="",
        y_title="",
        y_format="%",
        horizontal=True,
    )
    spec["encoding"]["yOffset"] = {"field": "measure"}
    # One legend entry per line, so it fits a phone-size screen.
    spec["encoding"]["color"] = {
        "field": "measure",
        "type": "nominal",
        "legend": {"direction": "vertical"},
    }
    spec["height"] = max(160, 34 * len(shares))
    page.charts.append(Chart("shares", spec, shares.reset_index(drop=True)))
    page.tables.append(
        Table(
            "groups",
            t("topic_groups", lang),
            [
                t("group", lang),
                t("key_terms", lang),
                t("tickets", lang),
                t("share_volume", lang),
                t("share_cost", lang),
                t("article", lang),
            ],
            [
                [
                    str(r["name"]),
                    ", ".join(r["terms"])
                    if isinstance(r["terms"], list | tuple)
                    else str(r["terms"]),
                    format_number(int(r["n"]), lang, 0),
                    format_percent(float(r["share_volume"]), lang, 1),
                    "–"
                    if pd.isna(r["share_cost"])
                    else format_percent(float(r["share_cost"]), lang, 1),
                    gap_text(r["knowledge_gap"], r["article_id"], lang),
                ]
                for r in g.to_dict("records")
            ],
        )
    )
    z = report.zero_results.head(30)
    page.tables.append(
        Table(
            "zero_results",
            t("zero_result_searches", lang),
            [t("search", lang), t("searches", lang), t("variants", lang), t("group", lang)],
            [
                [
                    str(r["example"]),
                    format_number(int(r["searches"]), lang, 0),
                    format_number(int(r["variants"]), lang, 0),
                    "–"
                    if r["topic_name"] is None or pd.isna(r["topic_name"])
                    else str(r["topic_name"]),
                ]
                for r in z.to_dict("records")
            ],
        )
    )
    s = sim.table
    page.tables.append(
        Table(
            "deflection",
            t("deflection_simulation", lang).format(n=TOP_GROUPS),
            [
                "#",
                t("group", lang),
                t("tickets_per_month", lang),
                t("deflectable_share", lang),
                t("deflected_per_month", lang),
                t("cost_per_ticket", lang),
                t("yearly_saving", lang),
            ],
            [
                [
                    str(int(r["rank"])),
                    str(r["name"]),
                    format_number(float(r["tickets_per_month"]), lang, 1),
                    format_percent(float(r["deflectable_share"]), lang, 0),
                    format_number(float(r["deflected_per_month"]), lang, 1),
                    fmt_value(float(r["cost_per_ticket"]), "currency", lang, currency),
                    fmt_value(float(r["yearly_saving"]), "currency", lang, currency),
                ]
                for r in s.to_dict("records")
            ],
        )
    )
    page.notes.append(sim.share_source)
    return page
