"""Adoption, support and self-service pages, and the metric headlines of the overview.

Every number comes from :func:`portalroi.metrics.compute`; this module only picks metrics,
shapes their frames for charts and writes the headlines.

Examples
--------
>>> from portalroi.store import Store
>>> from portalroi.web.filters import Filters
>>> from portalroi.web.model import Metrics
>>> page = adoption_page(Metrics(Store(":memory:"), Filters()), "en")
>>> [c.id for c in page.charts][:2]
['active_users', 'stickiness']
"""

from __future__ import annotations

import pandas as pd

from portalroi.web.charts import bar_spec, heatmap_spec, line_spec
from portalroi.web.i18n_strings import STRINGS, t
from portalroi.web.model import Chart, Kpi, Metrics, PageData, kpi_from_series

__all__ = ["adoption_page", "metric_kpis", "month_end", "support_page"]


def month_end(df: pd.DataFrame, column: str = "value") -> list[float]:
    """The value on the last day of each month of a daily frame (``day`` column).

    Examples
    --------
    >>> df = pd.DataFrame({"day": pd.to_datetime(["2024-01-30", "2024-01-31", "2024-02-01"]),
    ...                    "value": [1.0, 2.0, 3.0]})
    >>> month_end(df)
    [2.0, 3.0]
    """
    if df.empty:
        return []
    days = pd.to_datetime(df["day"])
    last = df.assign(_m=days.dt.to_period("M")).groupby("_m")[column].last()
    return [float(v) for v in last]


def _monthly(df: pd.DataFrame) -> list[float]:
    return [] if df.empty else [float(v) for v in df["value"]]


def _month_text(df: pd.DataFrame) -> pd.DataFrame:
    if "month" in df.columns and not df.empty:
        df = df.assign(month=pd.to_datetime(df["month"]).dt.strftime("%Y-%m"))
    return df


def metric_kpis(m: Metrics, lang: str, currency: str) -> list[Kpi]:
    """The few metric headlines of the overview, each with its month-on-month trend."""
    mau = m("mau")
    sticky = m("stickiness")
    defl = m("deflection_rate")
    cpt = m("cost_per_ticket")
    return [
        kpi_from_series(t("mau", lang), month_end(mau), "users", lang),
        kpi_from_series(t("stickiness", lang), month_end(sticky), "ratio", lang),
        kpi_from_series(t("deflection_rate", lang), _monthly(defl), "ratio", lang),
        kpi_from_series(
            t("cost_per_ticket", lang),
            _monthly(cpt),
            "currency per ticket",
            lang,
            higher_is_better=False,
            currency=currency,
        ),
    ]


def adoption_page(m: Metrics, lang: str) -> PageData:
    """DAU/WAU/MAU, stickiness, feature use, activation, cohorts, and MAU by role and device."""
    page = PageData()
    active = m("dau")
    long = (
        active.drop(columns="value").melt(
            id_vars="day", value_vars=["dau", "wau", "mau"], var_name="series"
        )
        if not active.empty
        else pd.DataFrame(columns=["day", "series", "value"])
    )
    page.kpis = [
        kpi_from_series("DAU", month_end(active, "dau"), "users", lang),
        kpi_from_series("WAU", month_end(active, "wau"), "users", lang),
        kpi_from_series("MAU", month_end(active, "mau"), "users", lang),
    ]
    x_day = t("day", lang)
    page.charts.append(
        Chart(
            "active_users",
            line_spec(
                long,
                x="day",
                y="value",
                color="series",
                title=t("active_users", lang),
                x_title=x_day,
                y_title=t("users", lang),
            ),
            long,
        )
    )
    sticky = m("stickiness")[["day", "value"]]
    page.kpis.append(kpi_from_series(t("stickiness", lang), month_end(sticky), "ratio", lang))
    page.charts.append(
        Chart(
            "stickiness",
            line_spec(
                sticky,
                x="day",
                y="value",
                title=t("stickiness", lang),
                x_title=x_day,
                y_title=t("share", lang),
                y_format=".0%",
            ),
            sticky,
        )
    )
    feat = m("feature_utilisation")
    if not feat.empty:
        last = feat["month"].max()
        feat = _month_text(feat[feat["month"] == last]).sort_values("value", ascending=False)
    page.charts.append(
        Chart(
            "feature_use",
            bar_spec(
                feat,
                x="feature",
                y="value",
                title=t("feature_use", lang),
                x_title="",
                y_title=t("share", lang),
                y_format=".0%",
                horizontal=True,
            ),
            feat,
        )
    )
    act = m("activation_rate")
    if not act.empty:
        page.kpis.append(
            Kpi(
                t("activation", lang),
                kpi_from_series("", [act["value"].mean()], "ratio", lang).value,
            )
        )
    cohorts = m("retention_cohorts")
    cohorts = _month_text(cohorts.rename(columns={"cohort": "month"})).rename(
        columns={"month": "cohort"}
    )
    page.charts.append(
        Chart(
            "cohorts",
            heatmap_spec(
                cohorts,
                x="offset",
                y="cohort",
                value="value",
                title=t("cohorts", lang),
                x_title=t("months_since", lang),
                y_title=t("cohort", lang),
            ),
            cohorts,
        )
    )
    for by, key in (("role", "by_role"), ("device", "by_device")):
        df = m("mau", by)
        df = df[["day", by, "value"]] if not df.empty else df
        page.charts.append(
            Chart(
                key,
                line_spec(
                    df,
                    x="day",
                    y="value",
                    color=by,
                    title=t(key, lang),
                    x_title=x_day,
                    y_title=t("users", lang),
                ),
                df,
            )
        )
    return page


def support_page(m: Metrics, lang: str, currency: str = "USD") -> PageData:
    """Deflection, ticket-after-portal, cost per ticket, resolution times, tickets by channel."""
    page = PageData()
    x_month = t("month", lang)
    defl = _month_text(m("deflection_rate"))
    after = _month_text(m("ticket_after_portal_rate"))
    cpt = _month_text(m("cost_per_ticket"))
    page.kpis = [
        kpi_from_series(t("deflection_rate", lang), _monthly(defl), "ratio", lang),
        kpi_from_series(
            t("ticket_after_portal", lang), _monthly(after), "ratio", lang, higher_is_better=False
        ),
        kpi_from_series(
            t("cost_per_ticket", lang),
            _monthly(cpt),
            "currency per ticket",
            lang,
            higher_is_better=False,
            currency=currency,
        ),
    ]
    for chart_id, df, fmt in (
        ("deflection_rate", defl, ".0%"),
        ("ticket_after_portal", after, ".0%"),
        ("cost_per_ticket", cpt, None),
    ):
        title = t(chart_id, lang)
        y_title = t("share", lang) if fmt else currency
        page.charts.append(
            Chart(
                chart_id,
                line_spec(
                    df,
                    x="month",
                    y="value",
                    title=title,
                    x_title=x_month,
                    y_title=y_title,
                    y_format=fmt,
                    temporal=False,
                ),
                df,
            )
        )
    frames = []
    for name in ("first_reply_time", "first_resolution_time", "full_resolution_time"):
        df = _month_text(m(name))
        if not df.empty:
            frames.append(df[["month", "value"]].assign(series=t(f"series_{name}", lang)))
    res = pd.concat(frames) if frames else pd.DataFrame(columns=["month", "value", "series"])
    full = res[res["series"] == t("series_full_resolution_time", lang)]["value"].tolist()
    page.kpis.append(
        kpi_from_series(t("resolution_time", lang), full, "hours", lang, higher_is_better=False)
    )
    page.charts.append(
        Chart(
            "resolution_time",
            line_spec(
                res,
                x="month",
                y="value",
                color="series",
                title=t("resolution_time", lang),
                x_title=x_month,
                y_title=t("hours", lang),
                temporal=False,
            ),
            res,
        )
    )
    vol = _month_text(m("ticket_volume"))
    vol = vol[["month", "channel", "value"]] if not vol.empty else vol
    if not vol.empty:
        vol = vol.assign(channel=[_channel(c, lang) for c in vol["channel"]])
    page.charts.append(
        Chart(
            "tickets_by_channel",
            bar_spec(
                vol,
                x="month",
                y="value",
                color="channel",
                title=t("tickets_by_channel", lang),
                x_title=x_month,
                y_title=t("tickets", lang),
            ),
            vol,
        )
    )
    return page


def _channel(name: object, lang: str) -> str:
    key = f"channel_{name}"
    return t(key, lang) if key in STRINGS else str(name)
