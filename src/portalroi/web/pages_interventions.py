"""The interventions page ("did it work?") and the form that records one from an account page.

``GET /interventions`` shows each kind's estimated effect on its outcome (with its interval,
the naive before/after change and every warning) and the most recent interventions, all on the
caller's accounts only. ``POST /interventions/record`` records one (analyst or admin; the form
must come from this site: its ``Origin`` or ``Referer`` must be this server) and goes back to
the account page. :func:`account_interventions` gives the account page its list and form.

Examples
--------
>>> sorted(r.path for r in router.routes)
['/interventions', '/interventions/record']
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from portalroi.api.appstate.accounts import Principal
from portalroi.api.deps import StoreDep
from portalroi.api.frames import records
from portalroi.api.scope import account_ids_in_scope
from portalroi.errors import PortalRoiError, ValidationError
from portalroi.interventions import (
    KINDS,
    EffectsReport,
    intervention_effects,
    list_interventions,
    record_intervention,
)
from portalroi.roi.facts import subset_store
from portalroi.store import Store
from portalroi.web.i18n_strings import t
from portalroi.web.render import LANG_COOKIE, cached, page_principal, pick_language, render

__all__ = ["RECENT", "account_interventions", "router"]

router = APIRouter(include_in_schema=False)

#: Interventions listed on the page (newest first).
RECENT = 100


def _lang(request: Request, lang: str | None) -> str:
    return pick_language(
        lang, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", "")
    )


def _version(store: Store) -> tuple[Any, ...]:
    row = store.con.execute("SELECT count(*), max(finished_at) FROM _loads").fetchone()
    return tuple(row) if row else ()


def _visible(store: Store, scope: frozenset[str] | None) -> list[str] | None:
    if scope is None:
        return None
    acc = store.con.execute("SELECT account_id, org_id FROM accounts").fetchall()
    return sorted(str(a) for a, org in acc if org in scope)


def _effects(store: Store, scope: frozenset[str] | None) -> EffectsReport:
    ids = _visible(store, scope)
    if ids is None:
        return intervention_effects(store)
    with subset_store(store, ids) as own:
        return intervention_effects(own)


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _effect_rows(report: EffectsReport, lang: str) -> list[dict[str, Any]]:
    rows = []
    for e in report.effects:
        est = e.estimate
        rows.append(
            {
                "kind": e.kind,
                "outcome": f"{e.label} ({e.unit})",
                "matched": f"{e.matched} / {e.interventions}",
                "controls": e.control_accounts,
                "effect": t("iv_no_estimate", lang) if est is None else _num(est.effect),
                "interval": "–"
                if est is None
                else f"{_num(est.ci_low)} {t('to', lang).lower()} {_num(est.ci_high)}",
                "relative": "–"
                if est is None or est.relative_effect is None
                else f"{est.relative_effect:+.0%}",
                "naive": "–" if est is None else _num(est.naive_change),
                "warnings": list(e.warnings),
            }
        )
    return rows


def _list_rows(frame: Any) -> list[dict[str, Any]]:
    out = []
    for r in records(frame):
        account = str(r["account_id"])
        out.append(
            {
                "id": r["intervention_id"],
                "account": account,
                "link": f"/accounts/{quote(account, safe='')}",
                "kind": r["kind"],
                "at": str(r["occurred_at"])[:16].replace("T", " "),
                "owner": r["owner"] or "",
                "reason": r["reason"] or "",
                "note": r["note"] or "",
                "alert": r["alert_id"] or "",
            }
        )
    return out


@router.get("/interventions")
def interventions_page(
    request: Request, store: StoreDep, lang: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """Did it work? Each kind's effect, and the latest interventions on the user's accounts."""
    principal = page_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    language = _lang(request, lang)
    error = None
    effects: list[dict[str, Any]] = []
    method = ""
    try:
        report = cached(
            request,
            ("interventions", principal.scope, _version(store)),
            lambda: _effects(store, principal.scope),
        )
        effects = _effect_rows(report, language)
        method = report.effects[0].method if report.effects else ""
    except PortalRoiError as exc:
        error = str(exc)
    frame = list_interventions(store, accounts=_visible(store, principal.scope))
    return render(
        request,
        "interventions.html.j2",
        language,
        title=t("interventions", language),
        principal=principal,
        effects=effects,
        method=method,
        items=_list_rows(frame.head(RECENT)),
        total=len(frame),
        error=error,
    )


def _same_origin(request: Request) -> bool:
    """The form was posted from a page of this server (``Origin``, else ``Referer``)."""
    here = (request.url.scheme, request.url.netloc)
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value:
            parts = urlsplit(value)
            return (parts.scheme, parts.netloc) == here
    return False


def account_interventions(store: Store, principal: Principal, account_id: str) -> dict[str, Any]:
    """Template context for the account page: its interventions and whether the user may add.

    Examples
    --------
    >>> from portalroi.api.appstate.accounts import Principal
    >>> p = Principal(1, "a@b.c", "viewer", 1, "t", None, None, "token")
    >>> ctx = account_interventions(Store(":memory:"), p, "A1")
    >>> ctx["account_interventions"], ctx["can_record"]
    ([], False)
    """
    frame = list_interventions(store, account_id)
    return {
        "account_interventions": _list_rows(frame),
        "can_record": principal.can("analyst"),
        "iv_kinds": KINDS,
        "iv_account": account_id,
    }


@router.post("/interventions/record")
def record(
    request: Request,
    store: StoreDep,
    account_id: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    occurred_at: Annotated[str, Form(max_length=40)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    alert_id: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Record an intervention from the account page's form, then show the account again."""
    # the fields are checked after sign-in, so an anonymous post goes to the sign-in page
    principal = page_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    language = _lang(request, lang)

    def refuse(status: int, message: str) -> Response:
        return render(
            request,
            "interventions.html.j2",
            language,
            status,
            title=t("interventions", language),
            principal=principal,
            effects=[],
            method="",
            items=[],
            total=0,
            error=message,
            back=f"/accounts/{quote(account_id, safe='')}",
        )

    if not _same_origin(request):
        return refuse(403, t("iv_cross_site", language))
    if not principal.can("analyst"):
        return refuse(403, t("iv_not_allowed", language))
    if not (account_id and kind and occurred_at):
        return refuse(400, t("iv_missing", language))
    if not account_ids_in_scope(store, principal.scope, [account_id]):
        return refuse(404, t("not_found", language))
    try:
        record_intervention(
            store,
            account_id=account_id,
            kind=kind,
            occurred_at=occurred_at,
            owner=owner or principal.email,
            note=note or None,
            reason=reason or None,
            alert_id=alert_id or None,
            source=f"web:{principal.tenant}:{principal.email}",
        )
    except ValidationError as exc:
        return refuse(400, str(exc))
    return RedirectResponse(f"/accounts/{quote(account_id, safe='')}", status_code=303)
