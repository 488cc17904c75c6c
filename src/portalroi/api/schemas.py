"""Shared API schemas: the paginated list envelope and pagination parameters.

Lists answer ``{"data": [...], "count": N}`` where ``count`` is the total before pagination.

Examples
--------
>>> Page[int](data=[1, 2], count=5).model_dump()
{'data': [1, 2], 'count': 5}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator, BaseModel

from portalroi.api.errors import ApiError
from portalroi.settings import get_settings

__all__ = ["ObjectId", "Page", "PageParams", "Pagination", "UtcDatetime"]

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


#: Id of an app-state object in a URL (bounded so the database never sees an overflowing int).
ObjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: A time in UTC. Stored times are naive UTC; answers carry the zone (RFC 3339 ``...Z``).
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class Page(BaseModel, Generic[T]):
    """A page of a list: the rows and the total count."""

    data: list[T]
    count: int


class PageParams(BaseModel):
    """``limit`` (1 to the setting ``api_page_max``) and ``offset`` (0 or more)."""

    limit: int
    offset: int


def _page(
    limit: Annotated[int, Query(ge=1, le=100_000, description="Rows per page.")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")] = 0,
) -> PageParams:
    most = get_settings().api_page_max
    if limit > most:
        raise ApiError(422, f"limit must be at most {most} (setting api_page_max); got {limit}")
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(_page)]
