"""The dashboard's routes: login, the pages, CSV of every chart, the business-case Excel file.

Routes are thin: they check the session, read the filters, get the page data (cached per user
scope, filters, language and data version) and render a template.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from portalroi.api.appstate.accounts import Principal, authenticate, create_session, end_session
from portalroi.api.deps import SESSION_COOKIE, StoreDep
from portalroi.api.scope import account_ids_in_scope, scoped_source
from portalroi.businesscase import BusinessCaseInputs, evaluate, write_excel
from portalroi.errors import ConfigError, InputsError, NotFoundError, PortalRoiError
from portalroi.health.expansion import expansion_signals
from portalroi.impact.analysis import estimate_effects
from portalroi.metrics import snapshot
from portalroi.reports.freshness import data_freshness, stale_warnings
from portalroi.roi import Assumptions, build_roi, measure_facts
from portalroi.services.health import HEALTH_SORTS, compute_health
from portalroi.services.roi import scoped_effects
from portalroi.services.topics import compute_topics
from portalroi.services.versions import data_version
from portalroi.store import Store
from portalroi.web.bizcase import (
    CURRENCIES,
    FIELDS,
    bc_charts,
    bc_kpis,
    form_defaults,
    inputs_from_form,
)
from portalroi.web.filters import Filters
from portalroi.web.i18n_strings import t
from portalroi.web.model import Chart, Metrics, PageData
from portalroi.web.pages_interventions import account_interventions
from portalroi.web.pages_risk import expansion_table
from portalroi.web.render import (
    HERE,
    LANG_COOKIE,
    cached,
    page_principal,
    pick_language,
    render,
)
from portalroi.web.status import status_page
from portalroi.web.views_health import account_page, health_page
from portalroi.web.views_metrics import adoption_page, metric_kpis, support_page
from portalroi.web.views_money import impact_page, plan_table, roi_kpis, roi_overview_charts
from portalroi.web.views_topics import topics_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_STATIC = (HERE / "static").resolve()
Q = Annotated[str | None, Query(max_length=40)]


def _lang(request: Request, lang: str | None) -> str:
    return pick_language(
        lang, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _currency(store: Store) -> str:
    row = store.con.execute(
        "SELECT coalesce((SELECT any_value(currency) FROM costs), (SELECT any_value(currency) FROM invoices))"
    ).fetchone()
    return str(row[0]) if row and row[0] else "USD"


def _plans(request: Request) -> dict[int, BusinessCaseInputs]:
    if not hasattr(request.app.state, "web_plans"):
        request.app.state.web_plans = {}
    plans: dict[int, BusinessCaseInputs] = request.app.state.web_plans
    return plans


def _visible(store: Store, scope: frozenset[str] | None) -> list[str]:
    acc = scoped_source(store, scope).table("accounts")
    return sorted(str(a) for a in acc.account_id.to_list())


def _roi(request: Request, store: Store, principal: Principal) -> tuple[Any, Any, str]:
    """(impact, ROI report, note); (None, None, why) when the effects cannot be estimated.

    An organisation-scoped user gets the ROI of their own accounts (see
    :mod:`portalroi.services.roi`), everyone else the workspace's.
    """
    version = data_version(store)

    def effects() -> tuple[Any, Any, float | None]:
        if principal.scope is None:
            impact = estimate_effects(store)
            return impact, measure_facts(store, impact.period[1] or None), None
        return scoped_effects(store, _visible(store, principal.scope))

    try:
        impact, facts, share = cached(request, ("effects", principal.scope, version), effects)
    except (PortalRoiError, ValueError) as exc:
        return None, None, str(exc)
    note = "" if share is None else f"{share:.{1 if share >= 0.01 else 3}%}"
    plan = _plans(request).get(principal.user_id)
    assumptions = Assumptions.from_plan(plan) if plan is not None else None
    report = cached(
        request,
        ("roi", principal.scope, version, _plan_key(plan)),
        lambda: build_roi(impact, facts, assumptions, plan),
    )
    return impact, report, note


def _freshness(
    request: Request, store: Store, principal: Principal, data: PageData, lang: str
) -> None:
    """Say what the figures reach (newest record, last load) and warn when that is stale."""
    fresh = cached(
        request,
        ("freshness", principal.scope, data_version(store)),
        lambda: data_freshness(
            store, accounts=None if principal.scope is None else _visible(store, principal.scope)
        ),
    )
    if fresh.newest_record is None:
        return
    when = "–" if fresh.last_load is None else f"{fresh.last_load:%Y-%m-%d %H:%M}"
    data.notes.append(
        t("data_freshness", lang).format(
            as_of=f"{fresh.newest_record:%Y-%m}",
            newest=f"{fresh.newest_record:%Y-%m-%d}",
            loaded=when,
        )
    )
    today = datetime.now(UTC).date()
    data.warnings.extend(
        t("stale_data", lang).format(why=why) for why in stale_warnings(fresh, today, lang)
    )


def _plan_key(plan: BusinessCaseInputs | None) -> str | None:
    return None if plan is None else hashlib.sha256(plan.model_dump_json().encode()).hexdigest()


def _roi_notes(roi: tuple[Any, Any, str], scoped: bool, lang: str) -> list[str]:
    if roi[1] is None:
        return [t("roi_unavailable", lang).format(reason=roi[2])] if scoped else [roi[2]]
    return [t("roi_own_note", lang).format(share=roi[2])] if scoped else [t("roi_scope_note", lang)]


def _page_data(
    request: Request,
    store: Store,
    principal: Principal,
    page: str,
    filters: Filters,
    lang: str,
    sort: str = "",
) -> PageData:
    source = filters.apply(scoped_source(store, principal.scope))
    plan = _plans(request).get(principal.user_id)
    scoped = principal.scope is not None

    def memo(k: tuple[Any, ...], run: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        # Frames are shared by every page and language of the same scope, filters and data.
        return cached(request, ("metric", principal.scope, filters, version, *k), run)

    m = Metrics(source, filters, memo)

    def build() -> PageData:
        if page == "adoption":
            return adoption_page(m, lang)
        if page == "support":
            return support_page(m, lang, _currency(store))
        if page == "overview":
            data = PageData()
            roi = _roi(request, store, principal)
            if roi[1] is not None:
                data.kpis.extend(roi_kpis(roi[1], lang))
                data.charts.extend(roi_overview_charts(roi[1], lang))
                table = plan_table(roi[1], lang)
                if table is not None:
                    data.tables.append(table)
            data.notes.extend(_roi_notes(roi, scoped, lang))
            data.kpis.extend(metric_kpis(m, lang, _currency(store)))
            _freshness(request, store, principal, data, lang)
            return data
        if page == "impact":
            roi = _roi(request, store, principal)
            data = PageData() if roi[1] is None else impact_page(roi[0], roi[1], lang)
            data.notes.extend(_roi_notes(roi, scoped, lang))
            return data
        if page == "health":
            try:
                health = cached(request, ("health", version), lambda: compute_health(store))
            except PortalRoiError as exc:
                return PageData(notes=[t("no_health", lang).format(reason=exc)])
            visible = set(_visible(store, principal.scope))
            data = health_page(health, visible, lang, sort)
            # Expansion opportunities next to the accounts at risk (same as-of date), computed
            # over the visible accounts only (segment growth and feature peers included).
            own = None if principal.scope is None else sorted(visible)
            signals = cached(
                request,
                ("expansion", principal.scope, version),
                lambda: expansion_signals(store, health.as_of, accounts=own),
            )
            data.tables.append(expansion_table(signals, visible, lang))
            return data
        if page == "topics":
            backend = request.app.state.settings.topics_backend
            try:
                report, sim = cached(
                    request,
                    ("topics", principal.scope, version, backend),
                    lambda: compute_topics(store, scoped_source(store, principal.scope), backend),
                )
            except PortalRoiError as exc:
                return PageData(notes=[t("no_topics", lang).format(reason=exc)])
            return topics_page(report, sim, lang, _currency(store))
        raise NotFoundError(f"no page {page!r}")

    # A page's figures and the data version they are cached under come from one state of the
    # store (a load committing while it renders cannot make two of them disagree), which also
    # checks the rollups' freshness once for the page.
    with snapshot(store):
        version = data_version(store)
        key = (page, principal.scope, filters, lang, version, _plan_key(plan), sort)
        return cached(request, key, build)


def _show(
    request: Request,
    store: Store,
    page: str,
    title_key: str,
    start: Q,
    end: Q,
    segment: Q,
    lang: Q,
    sort: str = "",
) -> Response:
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    language = _lang(request, lang)
    try:
        filters = Filters.parse(start, end, segment)
    except ConfigError as exc:
        return render(
            request,
            "page.html.j2",
            language,
            400,
            title=t(title_key, language),
            page=PageData(),
            filters=Filters(),
            error=str(exc),
            principal=principal,
            page_name=page,
        )
    data = _page_data(request, store, principal, page, filters, language, sort)
    return render(
        request,
        "page.html.j2",
        language,
        title=t(title_key, language),
        page=data,
        filters=filters,
        error=None,
        principal=principal,
        page_name=page,
    )


@router.get("/login")
def login_page(request: Request, lang: Q = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html.j2", _lang(request, lang), error=None)


@router.post("/login")
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    lang: Q = None,
) -> Response:
    """Check the credentials, set the session cookie and go to the overview."""
    appdb = request.app.state.appdb
    with appdb.session() as s:
        principal = authenticate(s, email, password)
        if principal is None:
            language = _lang(request, lang)
            return render(
                request, "login.html.j2", language, 401, error=t("login_failed", language)
            )
        secret = create_session(s, principal, request.app.state.settings.session_hours)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(request.app.state.settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/logout")
def logout(request: Request) -> Response:
    """End the session and go back to the sign-in form."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with request.app.state.appdb.session() as s:
            end_session(s, cookie)
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def overview(
    request: Request,
    store: StoreDep,
    start: Q = None,
    end: Q = None,
    segment: Q = None,
    lang: Q = None,
) -> Response:
    """ROI headline, payback, plan vs actual and the metric headlines with trends."""
    return _show(request, store, "overview", "overview", start, end, segment, lang)


@router.get("/adoption")
def adoption(
    request: Request,
    store: StoreDep,
    start: Q = None,
    end: Q = None,
    segment: Q = None,
    lang: Q = None,
) -> Response:
    """DAU/WAU/MAU, stickiness, feature use, activation, cohorts, by role and device."""
    return _show(request, store, "adoption", "adoption", start, end, segment, lang)


@router.get("/support")
def support(
    request: Request,
    store: StoreDep,
    start: Q = None,
    end: Q = None,
    segment: Q = None,
    lang: Q = None,
) -> Response:
    """Deflection, ticket-after-portal, cost per ticket, resolution times."""
    return _show(request, store, "support", "support", start, end, segment, lang)


@router.get("/impact")
def impact(request: Request, store: StoreDep, lang: Q = None) -> Response:
    """Causal effects and money lines with confidence intervals."""
    return _show(request, store, "impact", "impact", None, None, None, lang)


@router.get("/health")
def health(request: Request, store: StoreDep, sort: Q = None, lang: Q = None) -> Response:
    """Accounts by health score with band, trend, churn risk and reasons (sortable)."""
    key = sort if sort in HEALTH_SORTS else "score"
    return _show(request, store, "health", "health", None, None, None, lang, key)


@router.get("/accounts/{account_id}")
def account(request: Request, store: StoreDep, account_id: str, lang: Q = None) -> Response:
    """One account: score breakdown, risk reasons and its activity summary (404 outside scope)."""
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    language = _lang(request, lang)
    data, status, error = _account_data(request, store, principal, account_id[:200], language)
    # the account's interventions (and the form) whenever the account is the user's
    ident = account_id[:200]
    mine = account_ids_in_scope(store, principal.scope, [ident])
    extra = account_interventions(store, principal, ident) if mine else {}
    return render(
        request,
        "page.html.j2",
        language,
        status,
        title=t("account_title", language).format(id=account_id[:200]),
        page=data,
        filters=None,
        error=error,
        principal=principal,
        page_name="account",
        csv_query=f"account={quote(account_id[:200], safe='')}",
        **extra,
    )


def _account_data(
    request: Request, store: Store, principal: Principal, account_id: str, lang: str
) -> tuple[PageData, int, str | None]:
    """(page, status, error) of one account; 404 when it is not in the user's scope."""
    missing = (PageData(), 404, t("not_found", lang))
    if not account_ids_in_scope(store, principal.scope, [account_id]):
        return missing
    try:
        with snapshot(store):  # the version and the figures from one state of the store
            version = data_version(store)
            health_data = cached(request, ("health", version), lambda: compute_health(store))
            data = cached(
                request,
                ("account", account_id, lang, version),
                lambda: account_page(store, health_data, account_id, lang),
            )
    except NotFoundError:
        return missing
    except PortalRoiError as exc:
        return PageData(), 200, t("no_health", lang).format(reason=exc)
    return data, 200, None


@router.get("/topics")
def topics(request: Request, store: StoreDep, lang: Q = None) -> Response:
    """Ticket groups, knowledge gaps, zero-result searches and the deflection simulation."""
    return _show(request, store, "topics", "topics", None, None, None, lang)


@router.get("/csv/{page}/{chart_id}")
def chart_csv(
    request: Request,
    store: StoreDep,
    page: str,
    chart_id: str,
    start: Q = None,
    end: Q = None,
    segment: Q = None,
    lang: Q = None,
    account: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The data of one chart as CSV (the same filters as the page; ``account`` for one account)."""
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    if page not in ("overview", "adoption", "support", "impact", "health", "topics", "account"):
        return Response("unknown page", status_code=404, media_type="text/plain")
    try:
        filters = Filters.parse(start, end, segment)
    except ConfigError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    language = _lang(request, lang)
    if page == "account":
        data, status, _ = _account_data(request, store, principal, (account or "")[:200], language)
        if status != 200:
            return Response("not found", status_code=404, media_type="text/plain")
    else:
        data = _page_data(request, store, principal, page, filters, language)
    chart: Chart | None = data.chart(chart_id)
    if chart is None:
        return Response(
            f"no chart {chart_id!r} on page {page!r}", status_code=404, media_type="text/plain"
        )
    name = f"{page}-{chart_id}.csv"
    return Response(
        chart.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _bc_form(request: Request) -> dict[str, str]:
    return {k: v[:40] for k, v in request.query_params.items() if k in FIELDS or k == "currency"}


@router.get("/business-case")
def business_case(request: Request, lang: Q = None) -> Response:
    """The business-case editor: inputs form, results, charts and the Excel download."""
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    language = _lang(request, lang)
    form = _bc_form(request)
    values = {k: f"{v:.0f}" if v.is_integer() else str(v) for k, v in form_defaults().items()}
    values |= form
    issues: list[str] = []
    result = None
    try:
        inputs = inputs_from_form(form)
        result = evaluate(inputs)
        _plans(request)[principal.user_id] = inputs
    except InputsError as exc:
        issues = [str(i) for i in exc.issues]
    query = request.url.query
    return render(
        request,
        "business_case.html.j2",
        language,
        200 if result else 400,
        title=t("business_case_editor", language),
        principal=principal,
        fields=list(FIELDS),
        values=values,
        currencies=CURRENCIES,
        currency=form.get("currency", "USD"),
        issues=issues,
        kpis=bc_kpis(result, language) if result else [],
        charts=bc_charts(result, language) if result else {},
        excel_url="/business-case.xlsx" + (f"?{query}" if query else ""),
    )


@router.get("/business-case.xlsx")
def business_case_excel(request: Request) -> Response:
    """The business case of the form's inputs as an Excel workbook with live formulas."""
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    try:
        inputs = inputs_from_form(_bc_form(request))
    except InputsError as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_excel(inputs, Path(tmp) / "business-case.xlsx")
        body = path.read_bytes()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="business-case.xlsx"'},
    )


@router.get("/data")
def data_status(request: Request, store: StoreDep, lang: Q = None) -> Response:
    """Tables, loads and quarantined rows."""
    principal = page_principal(request)
    if principal is None:
        return _to_login()
    language = _lang(request, lang)
    data = status_page(store, principal.scope, language)
    return render(
        request,
        "page.html.j2",
        language,
        title=t("data_status", language),
        page=data,
        filters=None,
        error=None,
        principal=principal,
        page_name="data",
    )


@router.get("/static/{path:path}")
def static(path: str) -> Response:
    """CSS, the dashboard script and the vendored Vega libraries (no CDN)."""
    target = (_STATIC / path).resolve()
    if not target.is_relative_to(_STATIC) or not target.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})
