"""Realised ROI of the caller's accounts, optionally against a saved business case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from portalroi.api.analytics import json_ready, scoped_roi
from portalroi.api.appstate.accounts import Principal
from portalroi.api.appstate.models import BusinessCase
from portalroi.api.deps import CurrentPrincipal, DbSession, ResultCacheDep, StoreDep
from portalroi.api.scope import visible_to
from portalroi.businesscase import BusinessCaseInputs, parse_inputs
from portalroi.errors import NotFoundError

__all__ = ["PlanId", "RoiPublic", "plan_inputs", "router"]

router = APIRouter(prefix="/roi", tags=["roi"])

#: ``plan``: id of a saved business case of the caller's tenant (and organisation).
PlanId = Annotated[
    int | None,
    Query(ge=1, le=2**31 - 1, description="Id of a saved business case to compare against."),
]


class RoiPublic(BaseModel):
    """:meth:`portalroi.roi.analysis.RoiReport.to_dict` of the caller's accounts.

    ``lines``: money lines (benefit, interval, formula, counted or not); ``realised``: ROI,
    benefits and costs to date, run-rate, payback, NPV and monthly flows; ``facts``: the
    figures measured in the store they rest on; ``plan_rows``: plan vs actual when ``plan`` is
    given.
    """

    currency: str
    as_of: str
    lines: list[dict[str, Any]]
    skipped: dict[str, str]
    realised: dict[str, Any]
    cash_freed: dict[str, Any] | None
    clv: dict[str, Any] | None
    adoption_share: float | None
    effects: dict[str, dict[str, Any]]
    facts: dict[str, Any]
    assumptions: list[str]
    plan_rows: list[dict[str, Any]] | None
    plan_name: str | None
    notes: list[str]


def plan_inputs(s: Any, principal: Principal, plan: int | None) -> BusinessCaseInputs | None:
    """The inputs of saved business case ``plan`` (404 unless the caller may see it).

    Examples
    --------
    >>> from portalroi.api.appstate.accounts import Principal
    >>> plan_inputs(None, Principal(1, "a@b.c", "viewer", 1, "default", None, None, "token"), None)
    """
    if plan is None:
        return None
    case = s.get(BusinessCase, plan)
    if case is None or not visible_to(principal, case.tenant_id, case.org_id):
        raise NotFoundError(f"no business case {plan}")
    return parse_inputs(case.inputs, origin=f"business case {case.id}")


@router.get("")
def roi_get(
    principal: CurrentPrincipal,
    store: StoreDep,
    s: DbSession,
    cache: ResultCacheDep,
    plan: PlanId = None,
) -> RoiPublic:
    """Realised ROI to date (422 when the data cannot support the effects it rests on)."""
    report = scoped_roi(store, principal.scope, cache, plan_inputs(s, principal, plan))
    return RoiPublic(**json_ready(report.to_dict()))
