"""Customer accounts the caller may see, and one account with its activity counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from portalroi.api.deps import ScopedSource
from portalroi.api.frames import records
from portalroi.api.schemas import Page, Pagination, UtcDatetime
from portalroi.errors import NotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/accounts", tags=["accounts"])

_FIELDS = (
    "account_id",
    "name",
    "segment",
    "tier",
    "org_id",
    "created_at",
    "acv",
    "currency",
    "portal_live_at",
    "churned_at",
)


class AccountPublic(BaseModel):
    """A customer account."""

    account_id: str
    name: str | None = None
    segment: str | None = None
    tier: str | None = None
    org_id: str | None = None
    created_at: UtcDatetime | None = None
    acv: float | None = None
    currency: str | None = None
    portal_live_at: UtcDatetime | None = None
    churned_at: UtcDatetime | None = None


class AccountDetail(AccountPublic):
    """An account with how much it has used the portal and the helpdesk."""

    events: int
    tickets: int
    users: int
    last_event_at: UtcDatetime | None


def _rows(expr: Any) -> list[dict[str, Any]]:
    return records(expr.select(*_FIELDS).execute())


@router.get("")
def accounts_list(
    source: ScopedSource,
    page: Pagination,
    segment: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AccountPublic]:
    """Accounts in the caller's scope, by ``account_id``."""
    acc = source.table("accounts")
    if segment is not None:
        acc = acc.filter(acc.segment == segment)
    total = int(acc.count().execute())
    rows = _rows(acc.order_by("account_id").limit(page.limit, offset=page.offset))
    return Page[AccountPublic](data=[AccountPublic(**r) for r in rows], count=total)


@router.get("/{account_id}")
def account_get(account_id: str, source: ScopedSource) -> AccountDetail:
    """One account (404 when it does not exist or is outside the caller's scope)."""
    acc = source.table("accounts")
    rows = _rows(acc.filter(acc.account_id == account_id))
    if not rows:
        raise NotFoundError(f"no account {account_id!r}")
    ev = source.table("events")
    ev = ev.filter(ev.account_id == account_id)
    tk = source.table("tickets")
    us = source.table("users")
    stats = ev.aggregate(n=ev.count(), last=ev.ts.max()).execute().iloc[0]
    last = stats["last"]
    return AccountDetail(
        **rows[0],
        events=int(stats["n"]),
        tickets=int(tk.filter(tk.account_id == account_id).count().execute()),
        users=int(us.filter(us.account_id == account_id).count().execute()),
        last_event_at=None if last is None or str(last) == "NaT" else last,
    )
