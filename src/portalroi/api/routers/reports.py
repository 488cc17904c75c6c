"""Report schedules: which report goes to whom, how often (admins manage, everyone reads)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.accounts import Principal
from portalroi.api.appstate.models import BusinessCase, ReportSchedule, utcnow
from portalroi.api.deps import AdminPrincipal, CurrentPrincipal, DbSession
from portalroi.api.listing import tenant_page
from portalroi.api.routers.business_cases import owned_org
from portalroi.api.schemas import ObjectId, Page, Pagination, UtcDatetime
from portalroi.api.scope import visible_to
from portalroi.errors import NotFoundError
from portalroi.reports.mail import ONE_LINE
from portalroi.reports.schedule import next_send

__all__ = ["router"]

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]

router = APIRouter(prefix="/report-schedules", tags=["reports"])


class ScheduleCreate(BaseModel):
    """A new schedule."""

    name: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    kind: Literal["pdf", "excel", "both"] = Field(
        "pdf", description="Attach the PDF report, the Excel workbook, or both."
    )
    frequency: Literal["weekly", "monthly", "quarterly"] = "monthly"
    day: int | None = Field(
        None,
        ge=0,
        le=28,
        description="Send day (UTC): weekday 0-6 (0 = Monday) for weekly, day of month 1-28 "
        "otherwise; default Monday / the 1st.",
    )
    recipients: list[Email] = Field(min_length=1, max_length=100)
    business_case_id: int | None = Field(None, ge=1, le=2**31 - 1)
    org_id: str | None = Field(None, max_length=200)


class SchedulePublic(BaseModel):
    """A report schedule."""

    id: int
    name: str
    kind: str
    frequency: str
    recipients: list[str]
    business_case_id: int | None
    org_id: str | None
    created_at: UtcDatetime
    day: int | None = None
    next_run_at: UtcDatetime | None = None
    last_run_at: UtcDatetime | None = None
    last_status: str | None = None
    last_error: str | None = None


def _get(s: OrmSession, principal: Principal, schedule_id: ObjectId) -> ReportSchedule:
    row = s.get(ReportSchedule, schedule_id)
    if row is None or not visible_to(principal, row.tenant_id, row.org_id):
        raise NotFoundError(f"no report schedule {schedule_id}")
    return row


@router.get("")
def schedules_list(
    principal: CurrentPrincipal, s: DbSession, page: Pagination
) -> Page[SchedulePublic]:
    """Schedules the caller may see."""
    return tenant_page(s, principal, ReportSchedule, SchedulePublic, page)


@router.post("", status_code=201)
def schedule_create(
    body: ScheduleCreate, principal: AdminPrincipal, s: DbSession
) -> SchedulePublic:
    """Schedule a report (admins)."""
    org_id = owned_org(principal, body.org_id)
    next_send(body.frequency, body.day, utcnow())  # refuses a day outside the frequency's range
    if body.business_case_id is not None:
        case = s.get(BusinessCase, body.business_case_id)
        if case is None or not visible_to(principal, case.tenant_id, case.org_id):
            raise NotFoundError(f"no business case {body.business_case_id}")
    row = ReportSchedule(
        tenant_id=principal.tenant_id,
        org_id=org_id,
        name=body.name,
        kind=body.kind,
        frequency=body.frequency,
        recipients=[str(r) for r in body.recipients],
        business_case_id=body.business_case_id,
        day=body.day,
    )
    s.add(row)
    s.flush()
    return SchedulePublic.model_validate(row, from_attributes=True)


@router.get("/{schedule_id}")
def schedule_get(
    schedule_id: ObjectId, principal: CurrentPrincipal, s: DbSession
) -> SchedulePublic:
    """One schedule."""
    return SchedulePublic.model_validate(_get(s, principal, schedule_id), from_attributes=True)


@router.delete("/{schedule_id}", status_code=204)
def schedule_delete(schedule_id: ObjectId, principal: AdminPrincipal, s: DbSession) -> None:
    """Delete a schedule (admins)."""
    s.delete(_get(s, principal, schedule_id))
