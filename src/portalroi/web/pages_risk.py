"""The prediction-accuracy page: how well stored risk scores predicted churn, month by month.

Figures come from :func:`portalroi.health.accuracy.accuracy_by_month` on the signed-in user's
accounts only (an organisation's user sees its own accounts' scores, with the small-sample
warnings that brings). Charts: ROC AUC and top-decile precision per score month for the model
and the health score, and the calibration by decile of all closed months together.

Examples
--------
>>> sorted(r.path for r in router.routes)
['/health/accuracy', '/health/accuracy/csv/{chart_id}']
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from portalroi.api.analytics import scope_accounts
from portalroi.api.deps import StoreDep
from portalroi.health.accuracy import AccuracyReport, MonthAccuracy, accuracy_by_month
from portalroi.health.expansion import expansion_accounts
from portalroi.reports.i18n import format_number, format_percent
from portalroi.web.charts import line_spec
from portalroi.web.expansion_text import expansion_kind, expansion_reason
from portalroi.web.i18n_strings import t
from portalroi.web.model import Chart, Kpi, PageData, Table
from portalroi.web.render import LANG_COOKIE, page_principal, pick_language, render

__all__ = ["EXPANSION_ROWS", "accuracy_page", "expansion_table", "router"]

#: Accounts listed in the health page's expansion table (most signals first).
EXPANSION_ROWS = 25

router = APIRouter(include_in_schema=False)

Q = Annotated[str | None, Query(max_length=40)]


def _num(value: float | None, lang: str, decimals: int = 2) -> str:
    return "–" if value is None else format_number(value, lang, decimals)


def _pair(m: MonthAccuracy, field: str, lang: str) -> str:
    model = None if m.model is None else getattr(m.model, field)
    return f"{_num(model, lang)} / {_num(getattr(m.health_score, field), lang)}"


def _series(report: AccuracyReport, lang: str) -> pd.DataFrame:
    rows = []
    for m in report.months:
        for scorer, acc in (
            (t("risk_model", lang), m.model),
            (t("risk_score", lang), m.health_score),
        ):
            if acc is None:
                continue
            rows.append(
                {
                    "month": m.month,
                    "scorer": scorer,
                    "roc_auc": acc.roc_auc,
                    "top_decile_precision": acc.top_decile_precision,
                    "n": m.n,
                    "churned": m.churned,
                }
            )
    return pd.DataFrame(
        rows, columns=["month", "scorer", "roc_auc", "top_decile_precision", "n", "churned"]
    )


def _calibration(report: AccuracyReport, lang: str) -> pd.DataFrame:
    cols = ["decile", "series", "rate", "n"]
    overall = report.overall
    if overall is None or overall.model is None:
        return pd.DataFrame(columns=cols)
    cal = overall.model.calibration
    rows = [
        {"decile": int(r["decile"]), "series": t(key, lang), "rate": float(r[key[5:]]), "n": r["n"]}
        for r in cal.to_dict("records")
        for key in ("risk_predicted", "risk_observed")
    ]
    return pd.DataFrame(rows, columns=cols)


def accuracy_page(report: AccuracyReport, lang: str, scoped: bool) -> PageData:
    """Headlines, the two charts, the table by month and the warnings.

    Examples
    --------
    >>> from datetime import datetime
    >>> accuracy_page(AccuracyReport(datetime(2024, 1, 1), [], None), "en", False).notes[0][:8]
    'No store'
    """
    data = PageData()
    if not report.months:
        data.notes.append(t("risk_no_scores", lang))
        return data
    last, overall = report.months[-1], report.overall
    data.kpis.append(Kpi(t("risk_months", lang), str(len(report.months))))
    data.kpis.append(
        Kpi(
            t("risk_last_auc", lang),
            _pair(last, "roc_auc", lang),
            detail=f"{last.month}: {t('risk_model', lang)} / {t('risk_score', lang)}",
        )
    )
    if overall is not None and overall.model is not None:
        data.kpis.append(
            Kpi(
                t("risk_ece", lang),
                _num(overall.model.ece, lang, 3),
                detail=f"{format_percent(overall.model.mean_predicted, lang, 1)} "
                f"{t('risk_predicted', lang).lower()}, "
                f"{format_percent(overall.churned / overall.n, lang, 1)} "
                f"{t('risk_observed', lang).lower()}",
            )
        )
    series = _series(report, lang)
    data.charts.append(
        Chart(
            "auc",
            line_spec(series, x="month", y="roc_auc", color="scorer", temporal=False,
                      title=t("risk_auc_chart", lang), x_title="", y_title="ROC AUC"),
            series,
        )
    )  # fmt: skip
    data.charts.append(
        Chart(
            "precision",
            line_spec(series, x="month", y="top_decile_precision", color="scorer",
                      temporal=False, title=t("risk_precision_chart", lang), x_title="",
                      y_title=t("risk_churn_rate", lang), y_format=".0%"),
            series,
        )
    )  # fmt: skip
    cal = _calibration(report, lang)
    data.charts.append(
        Chart(
            "calibration",
            line_spec(cal, x="decile", y="rate", color="series", temporal=False,
                      title=t("risk_calibration_chart", lang), x_title=t("risk_decile", lang),
                      y_title=t("risk_churn_rate", lang), y_format=".0%"),
            cal,
        )
    )  # fmt: skip
    months = [*report.months, *([overall] if overall is not None else [])]
    data.tables.append(
        Table(
            "accuracy",
            t("risk_table", lang),
            [
                t("risk_month", lang), "n", t("risk_churned", lang), "ROC AUC", "AP",
                "Brier", "ECE", t("risk_top10", lang), t("risk_at_risk_precision", lang),
            ],
            [
                [
                    m.month if m.month != "all" else t("risk_all", lang),
                    str(m.n),
                    str(m.churned),
                    _pair(m, "roc_auc", lang),
                    _pair(m, "average_precision", lang),
                    _num(None if m.model is None else m.model.brier, lang, 3),
                    _num(None if m.model is None else m.model.ece, lang, 3),
                    _pair(m, "top_decile_precision", lang),
                    _num(m.at_risk_precision, lang),
                ]
                for m in months
            ],
        )
    )  # fmt: skip
    data.notes.append(t("risk_pairs_note", lang))
    small = [m.month for m in report.months if any(w.startswith("small") for w in m.warnings)]
    if small:
        data.notes.append(t("risk_small_note", lang).format(months=", ".join(small)))
    if scoped:
        data.notes.append(t("risk_scoped_note", lang))
    return data


def expansion_table(signals: pd.DataFrame, visible: Collection[str], lang: str) -> Table:
    """The health page's list of expansion opportunities among the ``visible`` accounts.

    ``signals`` is :func:`portalroi.health.expansion.expansion_signals` computed over the
    ``visible`` accounts (or the whole store); rows of other accounts are left out.

    Examples
    --------
    >>> s = pd.DataFrame({"account_id": ["A", "B"], "segment": ["smb", "smb"],
    ...                   "signal": ["seats", "orders"], "kind": ["upsell", "upsell"],
    ...                   "reason": ["seats full", "orders up"]})
    >>> expansion_table(s, {"B"}, "en").rows
    [['B', 'smb', 'upsell', 'orders up']]
    """
    own = signals[signals["account_id"].isin(set(visible))]
    if "figures" in own.columns:  # reasons in the page's language, from the same figures
        own = own.assign(reason=[expansion_reason(r, lang) for r in own.to_dict("records")])
    accounts = expansion_accounts(own).head(EXPANSION_ROWS)
    rows = [
        [
            str(r["account_id"]),
            str(r["segment"]),
            ", ".join(expansion_kind(k, lang) for k in r["kinds"]),
            "; ".join(r["reasons"]),
        ]
        for r in accounts.to_dict("records")
    ]
    return Table(
        "expansion",
        t("risk_expansion", lang),
        [
            "ID",
            t("segment", lang),
            t("risk_expansion_kind", lang),
            t("risk_expansion_reasons", lang),
        ],
        rows,
        links=[f"/accounts/{quote(r[0], safe='')}" for r in rows],
    )


def _data(request: Request, store: StoreDep, lang: str) -> tuple[PageData, bool] | None:
    principal = page_principal(request)
    if principal is None:
        return None
    accounts = None if principal.scope is None else scope_accounts(store, principal.scope)
    report = accuracy_by_month(store, accounts=accounts)
    return accuracy_page(report, lang, principal.scope is not None), principal.scope is not None


def _language(request: Request, lang: str | None) -> str:
    return pick_language(
        lang, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )


@router.get("/health/accuracy")
def accuracy(request: Request, store: StoreDep, lang: Q = None) -> Response:
    """Accuracy of the stored risk scores per month: charts, table and warnings."""
    principal = page_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    language = _language(request, lang)
    built = _data(request, store, language)
    assert built is not None
    return render(
        request,
        "risk_accuracy.html.j2",
        language,
        title=t("risk_accuracy", language),
        page=built[0],
        principal=principal,
    )


@router.get("/health/accuracy/csv/{chart_id}")
def accuracy_csv(request: Request, store: StoreDep, chart_id: str, lang: Q = None) -> Response:
    """The data of one chart of the accuracy page as CSV."""
    built = _data(request, store, _language(request, lang))
    if built is None:
        return RedirectResponse("/login", status_code=303)
    chart = built[0].chart(chart_id)
    if chart is None:
        return Response(f"no chart {chart_id!r}", status_code=404, media_type="text/plain")
    return Response(
        chart.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="accuracy-{chart_id}.csv"'},
    )
