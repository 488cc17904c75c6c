"""Saved business cases: create, read, update, delete, evaluate, Excel download, HTML report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.accounts import Principal
from portalroi.api.appstate.models import BusinessCase
from portalroi.api.deps import AnalystPrincipal, CurrentPrincipal, DbSession
from portalroi.api.errors import ApiError
from portalroi.api.listing import tenant_page
from portalroi.api.schemas import ObjectId, Page, Pagination, UtcDatetime
from portalroi.api.scope import visible_to
from portalroi.businesscase import evaluate, example_inputs, parse_inputs, render_html, write_excel
from portalroi.businesscase.inputs import BusinessCaseInputs
from portalroi.errors import NotFoundError

__all__ = ["owned_org", "router"]

router = APIRouter(prefix="/business-cases", tags=["business cases"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BusinessCaseCreate(BaseModel):
    """A new business case; ``inputs`` default to the worked example."""

    name: str = Field(min_length=1, max_length=200)
    inputs: dict[str, Any] | None = Field(
        None, description="Business-case inputs (the YAML file's content as JSON)."
    )
    org_id: str | None = Field(
        None, max_length=200, description="Organisation it belongs to (vendor-level users)."
    )


class BusinessCaseUpdate(BaseModel):
    """Fields to change."""

    name: str | None = Field(None, min_length=1, max_length=200)
    inputs: dict[str, Any] | None = None


class BusinessCasePublic(BaseModel):
    """A saved business case."""

    id: int
    name: str
    org_id: str | None
    inputs: dict[str, Any]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Evaluation(BaseModel):
    """Headline results of one scenario (money in ``currency``; rates as fractions)."""

    id: int
    scenario: str
    currency: str
    roi: float | None
    npv: float
    irr: float | None
    #: ``unique``, ``none`` (the flows never change sign) or ``not unique`` (NPV has several
    #: roots; ``irr`` is then null and ``irr_note`` lists them).
    irr_status: str
    irr_note: str
    payback_month: int | None
    benefit_cost_ratio: float | None
    total_benefits: float
    total_costs: float
    yearly_benefits: list[float]
    yearly_costs: list[float]
    yearly_net: list[float]


def owned_org(principal: Principal, org_id: str | None) -> str | None:
    """The organisation a new object belongs to: the caller's own, or one in its scope."""
    if principal.org_id is not None:
        if org_id not in (None, principal.org_id):
            raise ApiError(403, f"you may not create objects for organisation {org_id!r}")
        return principal.org_id
    if org_id is not None and principal.scope is not None and org_id not in principal.scope:
        raise ApiError(403, f"organisation {org_id!r} is not in your workspace")
    return org_id


def _get(s: OrmSession, principal: Principal, case_id: ObjectId) -> BusinessCase:
    case = s.get(BusinessCase, case_id)
    if case is None or not visible_to(principal, case.tenant_id, case.org_id):
        raise NotFoundError(f"no business case {case_id}")
    return case


def _inputs(case: BusinessCase) -> BusinessCaseInputs:
    return parse_inputs(case.inputs, origin=f"business case {case.id}")


def _validated(data: dict[str, Any] | None) -> dict[str, Any]:
    model = example_inputs() if data is None else parse_inputs(data, origin="inputs")
    out: dict[str, Any] = model.model_dump(mode="json")
    return out


def _name_free(
    s: OrmSession, tenant_id: int, org_id: str | None, name: str, case_id: ObjectId | None = None
) -> None:
    """409 when the case's organisation (or, for ``org_id`` None, the tenant's vendor-wide
    cases) already has a case of this name.

    Names are unique where they are seen: an organisation's users see only its cases, so a name
    another organisation of the workspace uses is free (the 409 would otherwise tell them it
    exists). A vendor-level user sees every organisation's cases; they carry their ``org_id``.
    """
    same_org = BusinessCase.org_id.is_(None) if org_id is None else BusinessCase.org_id == org_id
    clash = s.scalar(
        select(BusinessCase).where(
            BusinessCase.tenant_id == tenant_id, same_org, BusinessCase.name == name
        )
    )
    if clash is not None and clash.id != case_id:
        where = "vendor-wide" if org_id is None else f"of organisation {org_id!r}"
        raise ApiError(409, f"a {where} business case named {name!r} already exists")


@router.get("")
def cases_list(
    principal: CurrentPrincipal, s: DbSession, page: Pagination
) -> Page[BusinessCasePublic]:
    """Business cases the caller may see."""
    return tenant_page(s, principal, BusinessCase, BusinessCasePublic, page)


@router.post("", status_code=201)
def case_create(
    body: BusinessCaseCreate, principal: AnalystPrincipal, s: DbSession
) -> BusinessCasePublic:
    """Save a business case (inputs are validated; every problem is listed).

    409 when the case's organisation already has a case of that name (names are unique per
    organisation, as cases are seen; vendor-wide cases per workspace).
    """
    org_id = owned_org(principal, body.org_id)
    _name_free(s, principal.tenant_id, org_id, body.name)
    case = BusinessCase(
        tenant_id=principal.tenant_id,
        org_id=org_id,
        name=body.name,
        inputs=_validated(body.inputs),
        created_by=principal.user_id,
    )
    s.add(case)
    s.flush()
    return BusinessCasePublic.model_validate(case, from_attributes=True)


@router.get("/{case_id}")
def case_get(case_id: ObjectId, principal: CurrentPrincipal, s: DbSession) -> BusinessCasePublic:
    """One business case."""
    return BusinessCasePublic.model_validate(_get(s, principal, case_id), from_attributes=True)


@router.put("/{case_id}")
def case_update(
    case_id: ObjectId, body: BusinessCaseUpdate, principal: AnalystPrincipal, s: DbSession
) -> BusinessCasePublic:
    """Change a business case's name or inputs."""
    case = _get(s, principal, case_id)
    if body.name is not None:
        _name_free(s, principal.tenant_id, case.org_id, body.name, case.id)
        case.name = body.name
    if body.inputs is not None:
        case.inputs = _validated(body.inputs)
    s.flush()
    return BusinessCasePublic.model_validate(case, from_attributes=True)


@router.delete("/{case_id}", status_code=204)
def case_delete(case_id: ObjectId, principal: AnalystPrincipal, s: DbSession) -> None:
    """Delete a business case."""
    s.delete(_get(s, principal, case_id))


@router.get("/{case_id}/evaluate")
def case_evaluate(
    case_id: ObjectId,
    principal: CurrentPrincipal,
    s: DbSession,
    scenario: Annotated[Literal["low", "likely", "high"], Query()] = "likely",
) -> Evaluation:
    """Evaluate the business case in one scenario."""
    case = _get(s, principal, case_id)
    r = evaluate(_inputs(case), scenario)
    return Evaluation(
        id=case.id,
        scenario=r.scenario,
        currency=r.currency,
        roi=r.roi,
        npv=r.npv,
        irr=r.irr,
        irr_status=r.irr_status,
        irr_note=r.irr_note,
        payback_month=r.payback_month,
        benefit_cost_ratio=r.benefit_cost_ratio,
        total_benefits=r.total_benefits,
        total_costs=r.total_costs,
        yearly_benefits=r.yearly_benefits,
        yearly_costs=r.yearly_costs,
        yearly_net=r.yearly_net,
    )


@router.get(
    "/{case_id}/excel",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Workbook with live formulas"}},
)
def case_excel(case_id: ObjectId, principal: CurrentPrincipal, s: DbSession) -> Response:
    """The business case as an Excel workbook whose formulas are live."""
    case = _get(s, principal, case_id)
    with tempfile.TemporaryDirectory() as d:
        path = write_excel(_inputs(case), Path(d) / "business-case.xlsx")
        content = path.read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="business-case-{case.id}.xlsx"'},
    )


@router.get("/{case_id}/report", response_class=HTMLResponse)
def case_report(
    case_id: ObjectId,
    principal: CurrentPrincipal,
    s: DbSession,
    lang: Annotated[Literal["en", "sv"], Query()] = "en",
    draws: Annotated[int, Query(ge=0, le=20_000, description="Monte Carlo draws.")] = 2_000,
) -> HTMLResponse:
    """The business-case report as a standalone HTML page."""
    case = _get(s, principal, case_id)
    return HTMLResponse(render_html(_inputs(case), lang=lang, draws=draws))
