"""The health pages: accounts at risk (score, band, trend, reasons, model risk) and one account.

The figures come from :func:`portalroi.services.health.compute_health`; this module only picks
the accounts a user may see, sorts and formats them.

Examples
--------
>>> _signal("logins", 3.0, "en")
'logins = 3.00'
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pandas as pd

from portalroi.errors import NotFoundError
from portalroi.health import account_summary, breakdown
from portalroi.health.score import score_text
from portalroi.reports.i18n import format_number, format_percent
from portalroi.services.health import HealthData, sort_health
from portalroi.store import Store
from portalroi.web.charts import bar_spec
from portalroi.web.i18n_strings import STRINGS, t
from portalroi.web.model import Chart, Kpi, PageData, Table
from portalroi.web.summary_text import summary_text

__all__ = ["account_page", "health_page"]


def _signal(feature: str, value: Any, lang: str) -> str:
    if isinstance(value, str):
        return f"{feature} = {value}"
    shown = "–" if value is None or pd.isna(value) else format_number(float(value), lang, 2)
    return f"{feature} = {shown}"


def _frame(data: HealthData, visible: set[str]) -> pd.DataFrame:
    frame = data.scores[data.scores.index.isin(visible)].copy()
    frame.index.name = "account_id"
    if data.risk is not None:
        frame = frame.join(data.risk[["risk"]])
    return frame.join(data.accounts[["name", "segment"]])


def health_page(data: HealthData, visible: set[str], lang: str, sort: str) -> PageData:
    """Headlines, score by band, and the table of accounts (sortable, worst first by default)."""
    frame = sort_health(_frame(data, visible), sort)
    page = PageData()
    scored = frame[frame["band"] != "unknown"]
    at_risk = int((frame["band"] == "at_risk").sum())
    page.kpis.append(Kpi(t("accounts_scored", lang), format_number(len(scored), lang, 0)))
    page.kpis.append(
        Kpi(t("accounts_at_risk", lang), format_number(at_risk, lang, 0), good=at_risk == 0)
    )
    if len(scored):
        page.kpis.append(
            Kpi(t("mean_score", lang), format_number(float(scored["score"].mean()), lang, 1))
        )
    if "risk" in frame and frame["risk"].notna().any():
        page.kpis.append(
            Kpi(
                t("expected_churners", lang),
                format_number(float(frame["risk"].sum()), lang, 1),
                detail=t("expected_churners_detail", lang),
            )
        )
    bands = ["at_risk", "neutral", "healthy", "unknown"]
    counts = pd.DataFrame(
        {
            "band": bands,
            "label": [t(f"band_{b}", lang) for b in bands],
            "accounts": [int((frame["band"] == b).sum()) for b in bands],
        }
    )
    spec = bar_spec(
        counts, x="label", y="accounts", title=t("accounts_by_band", lang), x_title="", y_title=""
    )
    spec["encoding"]["x"]["axis"] = {"labelAngle": 0}
    spec["encoding"]["color"] = {
        "field": "label",
        "type": "nominal",
        "legend": None,
        "scale": {
            "domain": list(counts["label"]),
            "range": ["#C62828", "#F9A825", "#2E7D32", "#9E9E9E"],
        },
    }
    page.charts.append(Chart("bands", spec, counts))
    reasons = data.reasons.groupby("account_id")
    top: dict[Any, pd.DataFrame] = {k: g.sort_values("rank") for k, g in reasons}
    rows: list[list[str]] = []
    links: list[str | None] = []
    has_risk = "risk" in frame
    for account_id, r in frame.iterrows():
        why = top.get(account_id)
        text = (
            "; ".join(_signal(str(x.feature), x.value, lang) for x in why.itertuples())
            if why is not None
            else ""
        )
        row = [
            str(account_id),
            str(r["name"] or ""),
            str(r["segment"] or ""),
            "–" if pd.isna(r["score"]) else score_text(float(r["score"])),
            t(f"band_{r['band']}", lang),
            t(f"trend_{r['trend']}", lang)
            + ("" if pd.isna(r["change"]) else f" ({format_number(float(r['change']), lang, 0)})"),
        ]
        if has_risk:
            row.append("–" if pd.isna(r["risk"]) else format_percent(float(r["risk"]), lang, 0))
        row.append(text)
        rows.append(row)
        links.append(f"/accounts/{quote(str(account_id), safe='')}")
    columns = [
        t("account", lang),
        t("name", lang),
        t("segment", lang),
        t("score", lang),
        t("band", lang),
        t("trend_col", lang),
    ]
    sorts: list[str | None] = ["?sort=account", None, None, "?sort=score", None, "?sort=change"]
    if has_risk:
        columns.append(t("churn_risk", lang))
        sorts.append("?sort=risk")
    columns.append(t("reasons", lang))
    sorts.append(None)
    page.tables.append(
        Table("accounts", t("accounts_table", lang), columns, rows, links=links, sort_links=sorts)
    )
    page.notes.append(t("health_note", lang).format(date=f"{data.as_of:%Y-%m-%d}"))
    return page


def account_page(store: Store, data: HealthData, account_id: str, lang: str) -> PageData:
    """One account: score, band, trend, risk; breakdown by component and signal; reasons; summary.

    Raises :class:`~portalroi.errors.NotFoundError` when the account is not scored (not a
    customer at the as-of date); callers check the user's scope first.
    """
    if account_id not in data.scores.index:
        raise NotFoundError(f"account {account_id!r} is not a customer on {data.as_of:%Y-%m-%d}")
    s: dict[Any, Any] = data.scores.loc[account_id].to_dict()
    page = PageData()
    page.kpis.append(
        Kpi(
            t("score", lang),
            "–" if pd.isna(s["score"]) else score_text(float(s["score"])),
            detail=t(f"band_{s['band']}", lang),
            good=None if s["band"] in ("neutral", "unknown") else bool(s["band"] == "healthy"),
        )
    )
    change: float | None = None if pd.isna(s["change"]) else float(s["change"])
    page.kpis.append(
        Kpi(
            t("trend_col", lang),
            t(f"trend_{s['trend']}", lang),
            trend=None
            if change is None
            else f"{'+' if change >= 0 else '−'}{format_number(abs(change), lang, 1)}",
            good=None if change is None or s["trend"] == "flat" else change > 0,
        )
    )
    risk_d: dict[str, Any] | None = None
    if data.risk is not None and account_id in data.risk.index:
        r: dict[Any, Any] = data.risk.loc[account_id].to_dict()
        risk_d = {"risk": float(r["risk"]), "reasons": r["reasons"]}
        page.kpis.append(Kpi(t("churn_risk", lang), format_percent(float(r["risk"]), lang, 1)))
    parts = breakdown(data.features.loc[[account_id]])
    comp = (
        parts.assign(wp=parts["weight"] * parts["points"].fillna(0.0))
        .groupby("component", sort=False)[["wp", "weight"]]
        .sum()
    )
    comp_frame = pd.DataFrame(
        {
            "component": [_component(c, lang) for c in comp.index],
            "score": [float(s[c]) if not pd.isna(s[c]) else None for c in comp.index],
            "weight": comp["weight"].to_numpy(),
            "points_in_score": comp["wp"].to_numpy(),
        }
    )
    page.charts.append(
        Chart(
            "components",
            bar_spec(
                comp_frame,
                x="component",
                y="score",
                title=t("score_by_component", lang),
                x_title="",
                y_title="0–100",
                horizontal=True,
            ),
            comp_frame,
        )
    )
    signals = parts.drop(columns="account_id")
    signals["component"] = [_component(c, lang) for c in signals["component"]]
    lost = bar_spec(
        signals.sort_values("lost_points", ascending=False),
        x="feature",
        y="lost_points",
        title=t("points_lost_by_signal", lang),
        x_title="",
        y_title=t("points", lang),
        color="component",
        horizontal=True,
    )
    lost["encoding"]["color"]["legend"] = {"columns": 2}  # fits a phone-size screen
    page.charts.append(Chart("lost_points", lost, signals))
    page.tables.append(
        Table(
            "breakdown",
            t("score_breakdown", lang),
            [
                t(k, lang)
                for k in ("component", "signal", "value", "points", "weight", "points_lost")
            ],
            [
                [
                    str(x["component"]),
                    str(x["feature"]),
                    _num(x["value"], lang, 2),
                    _num(x["points"], lang, 0),
                    _num(x["weight"], lang, 3),
                    _num(x["lost_points"], lang, 1),
                ]
                for x in signals.to_dict("records")
            ],
        )
    )
    why = data.reasons[data.reasons["account_id"] == account_id].sort_values("rank")
    reason_rows = [
        [
            t("health_score", lang),
            _signal(str(x["feature"]), x["value"], lang),
            _num(x["lost_points"], lang, 1),
        ]
        for x in why.to_dict("records")
    ]
    if risk_d is not None:
        reason_rows.extend(
            [
                t("churn_model", lang),
                _signal(str(x["feature"]), x["value"], lang),
                format_number(float(x["contribution"]), lang, 2),
            ]
            for x in risk_d["reasons"]
        )
    page.tables.append(
        Table(
            "reasons",
            t("reasons", lang),
            [t("source", lang), t("signal", lang), t("weight_in_result", lang)],
            reason_rows,
        )
    )
    health: dict[str, Any] = {
        "score": float(s["score"]),
        "band": str(s["band"]),
        "trend": str(s["trend"]),
    }
    start = data.as_of - timedelta(days=90)
    summary = account_summary(store, account_id, start, data.as_of, health, risk_d)
    facts = summary.facts
    page.tables.append(
        Table(
            "activity",
            t("activity_summary", lang),
            ["", t("value", lang)],
            [
                [t(k, lang), "–" if facts.get(k) is None else _fact(facts[k], k, lang)]
                for k in (
                    "events",
                    "events_change",
                    "tickets",
                    "escalations",
                    "open_tickets",
                    "csat",
                    "nps",
                )
            ],
        )
    )
    # An LLM rewording (when configured) is English; Swedish pages get the data-built text.
    page.notes.append(
        summary.text
        if summary.source == "llm" and lang == "en"
        else summary_text(summary.facts, lang)
    )
    return page


def _component(name: Any, lang: str) -> str:
    key = f"component_{name}"
    return t(key, lang) if key in STRINGS else str(name)


def _num(value: Any, lang: str, decimals: int) -> str:
    return "–" if value is None or pd.isna(value) else format_number(float(value), lang, decimals)


def _fact(value: Any, key: str, lang: str) -> str:
    if key == "events_change":
        return format_percent(float(value), lang, 0)
    if isinstance(value, int):
        return format_number(value, lang, 0)
    return format_number(float(value), lang, 1)
