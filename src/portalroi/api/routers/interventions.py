"""Interventions on the caller's accounts: list, record, and whether each kind worked.

Scoping: a caller sees and records interventions only on accounts of its scope; another
organisation's account answers 404 exactly like one that does not exist. Effects are computed
on a copy of the store cut down to the caller's accounts (treated *and* control accounts come
from the caller's own data) and cached per scope and data version.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from portalroi.api.analytics import json_ready, scope_accounts
from portalroi.api.deps import AnalystPrincipal, ResultCacheDep, StoreDep, TenantScope
from portalroi.api.schemas import Page, Pagination
from portalroi.api.scope import account_ids_in_scope
from portalroi.errors import NotFoundError
from portalroi.interventions import (
    KINDS,
    OUTCOMES,
    EffectsReport,
    intervention_effects,
    list_interventions,
    record_intervention,
)
from portalroi.roi.facts import subset_store
from portalroi.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/interventions", tags=["interventions"])

# DuckDB allows one writer transaction at a time per table; recordings queue here.
_write_lock = threading.Lock()


class InterventionCreate(BaseModel):
    """An intervention to record."""

    account_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(description=f"One of {', '.join(KINDS)}.")
    occurred_at: datetime = Field(description="When it was done (UTC); not in the future.")
    owner: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=5000)
    alert_id: str | None = Field(None, max_length=200, description="Alert that prompted it.")
    reason: str | None = Field(None, max_length=1000, description="Risk or reason behind it.")


class InterventionPublic(BaseModel):
    """A recorded intervention."""

    intervention_id: str
    account_id: str
    kind: str
    occurred_at: datetime
    owner: str | None = None
    note: str | None = None
    alert_id: str | None = None
    reason: str | None = None


class EffectPublic(BaseModel):
    """One kind's estimated effect on its outcome (``effect`` is ``None`` when impossible)."""

    kind: str
    outcome: str
    label: str
    unit: str
    higher_is_better: bool
    weeks: int
    interventions: int
    episodes: int
    eligible: int
    matched: int
    treated_accounts: int
    control_accounts: int
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    relative_effect: float | None
    naive_change: float | None
    naive_ci_low: float | None
    naive_ci_high: float | None
    control_change: float | None
    treated_before: float | None
    treated_after: float | None
    method: str
    warnings: list[str]


class EffectsPublic(BaseModel):
    """Effects of each kind of intervention in the caller's scope."""

    data_end: str | None
    weeks: int
    controls_per_episode: int
    caliper: float
    seed: int
    effects: list[EffectPublic]


def _rows(frame: Any) -> list[InterventionPublic]:
    records = json_ready(frame.astype(object).where(frame.notna(), None).to_dict("records"))
    return [InterventionPublic(**r) for r in records]


def _version(store: Store) -> tuple[Any, ...]:
    row = store.con.execute("SELECT count(*), max(finished_at) FROM _loads").fetchone()
    return tuple(row) if row else ()


@router.get("")
def interventions_list(
    store: StoreDep,
    scope: TenantScope,
    page: Pagination,
    account_id: Annotated[str | None, Query(description="Only this account's.")] = None,
    kind: Annotated[str | None, Query(description="Only this kind.")] = None,
) -> Page[InterventionPublic]:
    """Interventions on the caller's accounts, newest first."""
    visible = scope_accounts(store, scope) if scope is not None else None
    if account_id is not None and visible is not None and account_id not in visible:
        raise NotFoundError(f"no account {account_id!r}")
    frame = list_interventions(store, account_id, accounts=visible, kind=kind)
    part = frame.iloc[page.offset : page.offset + page.limit]
    return Page[InterventionPublic](data=_rows(part), count=len(frame))


@router.post("", status_code=201)
def interventions_create(
    body: InterventionCreate, principal: AnalystPrincipal, store: StoreDep, cache: ResultCacheDep
) -> InterventionPublic:
    """Record an intervention on one of the caller's accounts (analyst or admin)."""
    if not account_ids_in_scope(store, principal.scope, [body.account_id]):
        raise NotFoundError(f"no account {body.account_id!r}")
    with _write_lock:
        iid = record_intervention(
            store,
            account_id=body.account_id,
            kind=body.kind,
            occurred_at=body.occurred_at,
            owner=body.owner,
            note=body.note,
            alert_id=body.alert_id,
            reason=body.reason,
            source=f"api:{principal.tenant}:{principal.email}",
        )
    cache.clear()
    frame = list_interventions(store, body.account_id)
    return _rows(frame[frame["intervention_id"] == iid])[0]


def _effects(store: Store, scope: frozenset[str] | None, **kw: Any) -> EffectsReport:
    if scope is None:
        return intervention_effects(store, **kw)
    with subset_store(store, scope_accounts(store, scope)) as own:
        return intervention_effects(own, **kw)


@router.get("/effects")
def interventions_effects(
    store: StoreDep,
    scope: TenantScope,
    cache: ResultCacheDep,
    kind: Annotated[str | None, Query(description=f"One of {', '.join(KINDS)}.")] = None,
    outcome: Annotated[str | None, Query(description=f"One of {', '.join(OUTCOMES)}.")] = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="Weeks before and after.")] = 13,
) -> EffectsPublic:
    """Did it work? Each kind's effect against matched accounts without an intervention."""
    key = ("api", "interventions", scope, kind, outcome, weeks, _version(store))
    report = cache.get_or_compute(
        key, lambda: _effects(store, scope, kind=kind, outcome=outcome, weeks=weeks)
    )
    return EffectsPublic(**json_ready(report.as_dict()))
