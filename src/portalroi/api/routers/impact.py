"""The portal's causal effects on the caller's accounts (what ``portalroi impact --json`` prints)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from portalroi.api.analytics import json_ready, scoped_impact
from portalroi.api.deps import ResultCacheDep, StoreDep, TenantScope

__all__ = ["ImpactPublic", "router"]

router = APIRouter(prefix="/impact", tags=["impact"])


class Period(BaseModel):
    """First and last month analysed (``YYYY-MM``)."""

    first_month: str | None
    last_month: str | None


class ImpactPublic(BaseModel):
    """:meth:`portalroi.impact.report.ImpactReport.to_dict` of the caller's accounts.

    ``effects`` maps an outcome (tickets, churn, days_to_pay, csat, nps, order_value) to its
    estimate, interval, method and event study; ``baselines`` the pre-launch level of each;
    ``skipped`` the outcomes that could not be estimated and why.
    """

    period: Period
    as_of: str | None
    level: float
    control_group: str
    effects: dict[str, dict[str, Any]]
    deflection: dict[str, Any] | None
    baselines: dict[str, dict[str, Any]]
    skipped: dict[str, str]
    notes: list[str]


@router.get("")
def impact_get(store: StoreDep, scope: TenantScope, cache: ResultCacheDep) -> ImpactPublic:
    """Effects of the portal on the caller's accounts (422 when the data cannot support them)."""
    impact, _ = scoped_impact(store, scope, cache)
    return ImpactPublic(**json_ready(impact.to_dict()))
