"""Liveness and data status (rows per table, in the caller's scope)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from portalroi.api.deps import ScopedSource
from portalroi.schema import TABLE_NAMES

__all__ = ["router"]

router = APIRouter(tags=["status"])


class Live(BaseModel):
    """The server answers."""

    status: str


class TableRows(BaseModel):
    """Rows of one canonical table visible to the caller."""

    table: str
    rows: int


class StatusPublic(BaseModel):
    """Rows per canonical table."""

    data: list[TableRows]
    count: int


@router.get("/live")
def live() -> Live:
    """Liveness probe (no sign-in needed)."""
    return Live(status="ok")


@router.get("/status")
def status(source: ScopedSource) -> StatusPublic:
    """Rows of each canonical table that the caller may see."""
    rows = [
        TableRows(table=name, rows=int(source.table(name).count().execute()))
        for name in TABLE_NAMES
    ]
    return StatusPublic(data=rows, count=len(rows))
