"""Shared API schemas: the paginated list envelope and pagination parameters.

Lists answer ``{"data": [...], "count": N}`` where ``count`` is the total before pagination.

Examples
--------
>>> Page[int](data=[1, 2], count=5).model_dump()
{'data': [1, 2], 'count': 5}
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from portalroi.api.errors import ApiError
from portalroi.settings import get_settings

__all__ = ["Page", "PageParams", "Pagination"]

T = TypeVar("T")


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
