"""Alert rules (admins create and delete, everyone reads their own) and the history of firings.

Rules and events live in the analytics store (:mod:`portalroi.alerts.tables`). A caller whose
scope is a set of organisations sees only those organisations' rules, and only the events of
those rules (about its accounts); vendor-wide rules (``org_id`` null) and their events, even
about the caller's accounts, are seen only by callers whose scope is every account. A rule's
``org_id`` must be an organisation of the creator's workspace: a default-workspace admin (whose
scope is every account) may not give a rule to an organisation of another workspace, whose
users would then see and could delete it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from portalroi.alerts import add_rule, events_frame, get_rule, list_rules, remove_rule
from portalroi.alerts.rules import AlertRule
from portalroi.api.appstate.accounts import Principal
from portalroi.api.appstate.models import Organisation
from portalroi.api.deps import AdminPrincipal, CurrentPrincipal, DbSession, StoreDep
from portalroi.api.errors import ApiError
from portalroi.api.frames import records
from portalroi.api.schemas import Page, Pagination, UtcDatetime

__all__ = ["router"]

router = APIRouter(prefix="/alerts", tags=["alerts"])

RuleId = Annotated[str, Query(max_length=64)]


class RulePublic(BaseModel):
    """An alert rule (the webhook secret shown as ``***``)."""

    rule_id: str
    name: str
    kind: str
    org_id: str | None
    created_at: UtcDatetime
    rule: dict[str, Any]


class DeliveryPublic(BaseModel):
    """One channel of one firing."""

    channel: str
    target: str
    status: str
    attempts: int
    error: str | None = None
    delivered_at: UtcDatetime | None = None


class EventPublic(BaseModel):
    """One firing of a rule."""

    event_id: str
    rule_id: str
    rule_name: str
    kind: str
    org_id: str | None
    account_id: str | None
    subject: str | None
    reason: str
    details: dict[str, Any]
    value: float | None
    threshold: float | None
    window_start: UtcDatetime | None
    window_end: UtcDatetime | None
    as_of: UtcDatetime
    fired_at: UtcDatetime
    deliveries: list[DeliveryPublic]


def _public(stored: Any) -> RulePublic:
    spec = stored.public()
    return RulePublic(
        rule_id=stored.rule_id,
        name=stored.rule.name,
        kind=stored.rule.kind,
        org_id=stored.rule.org_id,
        created_at=stored.created_at,
        rule={k: v for k, v in spec.items() if k not in ("rule_id", "created_at")},
    )


def _rule_org(principal: Principal, org_id: str | None, s: OrmSession) -> str | None:
    """The organisation a new rule watches: the caller's own, or one of its workspace.

    A caller whose scope is every account (the default workspace) may name any organisation
    except one registered to another workspace (403, as for a workspace's admin naming an
    organisation outside it).
    """
    if principal.org_id is not None:
        if org_id not in (None, principal.org_id):
            raise ApiError(403, f"you may not create rules for organisation {org_id!r}")
        return principal.org_id
    if principal.scope is None:
        if org_id is not None:
            owner = s.scalar(select(Organisation.tenant_id).where(Organisation.org_id == org_id))
            if owner is not None and owner != principal.tenant_id:
                raise ApiError(403, f"organisation {org_id!r} is not in your workspace")
        return org_id
    if org_id is None:
        if len(principal.scope) == 1:
            return next(iter(principal.scope))
        raise ApiError(422, "org_id is required: your workspace covers several organisations")
    if org_id not in principal.scope:
        raise ApiError(403, f"organisation {org_id!r} is not in your workspace")
    return org_id


@router.get("/rules")
def rules_list(principal: CurrentPrincipal, store: StoreDep, page: Pagination) -> Page[RulePublic]:
    """Alert rules the caller may see, oldest first."""
    rules = list_rules(store, principal.scope)
    shown = rules[page.offset : page.offset + page.limit]
    return Page[RulePublic](data=[_public(r) for r in shown], count=len(rules))


@router.post("/rules", status_code=201)
def rule_create(
    body: Annotated[AlertRule, Body()],
    principal: AdminPrincipal,
    store: StoreDep,
    s: DbSession,
) -> RulePublic:
    """Add an alert rule (admins); an organisation's admin adds rules for it only, and no admin
    for an organisation of another workspace (403)."""
    rule = body.model_copy(update={"org_id": _rule_org(principal, body.org_id, s)})
    rule_id = add_rule(store, rule)
    return _public(get_rule(store, rule_id))


@router.get("/rules/{rule_id}")
def rule_get(rule_id: str, principal: CurrentPrincipal, store: StoreDep) -> RulePublic:
    """One rule (404 when it does not exist or is not the caller's)."""
    return _public(get_rule(store, rule_id, principal.scope))


@router.delete("/rules/{rule_id}", status_code=204)
def rule_delete(rule_id: str, principal: AdminPrincipal, store: StoreDep) -> None:
    """Delete a rule (admins); its history stays."""
    remove_rule(store, rule_id, principal.scope)


@router.get("/events")
def events_list(
    principal: CurrentPrincipal,
    store: StoreDep,
    page: Pagination,
    rule_id: RuleId | None = None,
    account_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[EventPublic]:
    """Fired alerts the caller may see, newest first, with each channel's delivery status.

    A caller limited to some organisations sees only the firings of those organisations' rules
    (the rules ``GET /rules`` shows it), not those of vendor-wide rules about its accounts.
    """
    frame, total = events_frame(
        store, principal.scope, rule_id, account_id, page.limit, page.offset
    )
    return Page[EventPublic](data=[EventPublic(**r) for r in records(frame)], count=total)
