"""The leadership report (PDF, Excel, HTML) of the caller's accounts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from portalroi.api.analytics import Scope, scope_accounts, scoped_cost_share, scoped_roi
from portalroi.api.cache import ResultCache
from portalroi.api.deps import CurrentPrincipal, DbSession, ResultCacheDep, StoreDep
from portalroi.api.routers.roi import PlanId, plan_inputs
from portalroi.api.scope import scoped_source
from portalroi.metrics import snapshot
from portalroi.reports.freshness import Freshness, data_freshness
from portalroi.reports.leadership import (
    ReportScope,
    leadership_html,
    write_leadership_excel,
    write_leadership_pdf,
)
from portalroi.services.leadership import tickets_by_month
from portalroi.store import Store

__all__ = ["MEDIA", "router"]

router = APIRouter(prefix="/reports", tags=["reports"])

#: Media type of each format.
MEDIA: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@router.get(
    "/leadership.{fmt}",
    response_class=Response,
    responses={
        200: {
            "content": {m.split(";")[0]: {} for m in MEDIA.values()},
            "description": "The report file",
        }
    },
)
def leadership_report(
    fmt: Literal["pdf", "xlsx", "html"],
    principal: CurrentPrincipal,
    store: StoreDep,
    s: DbSession,
    cache: ResultCacheDep,
    plan: PlanId = None,
    lang: Annotated[Literal["en", "sv"], Query()] = "en",
) -> Response:
    """Adoption, support, financial impact and realised ROI of the caller's accounts.

    As the CLI's and the scheduled reports: the header says where the data end (newest record,
    last load, a stale-data warning) and, for an organisation, whose accounts they are and the
    share of the vendor-wide portal costs they carry.
    """
    inputs = plan_inputs(s, principal, plan)
    with snapshot(store):  # the ROI figures and the ticket series from one state of the data
        report = scoped_roi(store, principal.scope, cache, inputs)
        tickets = tickets_by_month(scoped_source(store, principal.scope))
        fresh, covered = _freshness_and_scope(store, principal.scope, cache)
    if fmt == "html":
        html = leadership_html(report, tickets, lang, freshness=fresh, scope=covered)
        return Response(html, media_type=MEDIA["html"])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"leadership.{fmt}"
        if fmt == "pdf":
            write_leadership_pdf(report, tickets, path, lang, freshness=fresh, scope=covered)
        else:
            write_leadership_excel(report, path, freshness=fresh, scope=covered)
        content = path.read_bytes()
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="leadership.{fmt}"'},
    )


def _freshness_and_scope(
    store: Store, scope: Scope, cache: ResultCache
) -> tuple[Freshness, ReportScope | None]:
    """Where the scope's data end and, for an organisation, its accounts and cost share."""
    if scope is None:
        return data_freshness(store), None
    accounts = scope_accounts(store, scope)
    share = scoped_cost_share(store, scope, cache)
    covered = ReportScope(tuple(sorted(scope)), len(accounts), share)
    return data_freshness(store, accounts=accounts), covered
