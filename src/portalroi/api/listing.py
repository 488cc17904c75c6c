"""One page of a tenant's app-state rows: the list routes of saved objects share it.

A principal sees the rows of its own tenant; an organisation's user only those of its
organisation. Business cases and report schedules are both listed this way, so the tenant rule
for lists lives in one place.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.accounts import Principal
from portalroi.api.schemas import Page, PageParams

__all__ = ["tenant_page"]

P = TypeVar("P", bound=BaseModel)


def tenant_page(
    s: OrmSession, principal: Principal, model: Any, public: type[P], page: PageParams
) -> Page[P]:
    """The ``page`` of ``model`` rows ``principal`` may see, as ``public`` objects, by id.

    ``model`` is an app-state table with ``id``, ``tenant_id`` and ``org_id`` columns.
    """
    q = select(model).where(model.tenant_id == principal.tenant_id)
    if principal.org_id is not None:
        q = q.where(model.org_id == principal.org_id)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(model.id).limit(page.limit).offset(page.offset)).all()
    data = [public.model_validate(r, from_attributes=True) for r in rows]
    return Page[public](data=data, count=int(total))  # type: ignore[valid-type]
