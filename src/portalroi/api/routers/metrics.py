"""Metrics: the registry and computed values, on the caller's accounts only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from portalroi.api.deps import CurrentPrincipal, ResultCacheDep, ScopedSource, TenantScope
from portalroi.api.frames import records
from portalroi.api.schemas import Page, Pagination
from portalroi.metrics import compute, get_metric, list_metrics
from portalroi.metrics.registry import CATEGORIES, Metric

__all__ = ["router"]

router = APIRouter(prefix="/metrics", tags=["metrics"])


class MetricPublic(BaseModel):
    """A metric's declaration."""

    name: str
    category: str
    definition: str
    unit: str
    grain: str
    good: str
    dims: list[str]


class MetricValues(BaseModel):
    """A computed metric: its rows (key columns, ``value`` and supporting columns)."""

    metric: str
    unit: str
    by: str | None
    columns: list[str]
    data: list[dict[str, Any]]
    count: int


def _public(m: Metric) -> MetricPublic:
    return MetricPublic(
        name=m.name,
        category=m.category,
        definition=m.definition,
        unit=m.unit,
        grain=m.grain,
        good=str(m.good),
        dims=list(m.dims),
    )


@router.get("")
def metrics_list(
    _: CurrentPrincipal,
    page: Pagination,
    category: Annotated[str | None, Query(description=f"One of {', '.join(CATEGORIES)}.")] = None,
) -> Page[MetricPublic]:
    """The registered metrics (optionally of one category)."""
    rows = [_public(m) for m in list_metrics(category)]
    return Page[MetricPublic](data=rows[page.offset : page.offset + page.limit], count=len(rows))


@router.get("/{name}")
def metric_get(name: str, _: CurrentPrincipal) -> MetricPublic:
    """One metric's declaration (404 if unknown)."""
    return _public(get_metric(name))


@router.get("/{name}/values")
def metric_values(
    name: str,
    scope: TenantScope,
    source: ScopedSource,
    cache: ResultCacheDep,
    page: Pagination,
    by: Annotated[
        Literal["account", "segment", "role", "device"] | None, Query(description="Split.")
    ] = None,
    start: Annotated[date | None, Query(description="First day (inclusive).")] = None,
    end: Annotated[date | None, Query(description="Last day (inclusive).")] = None,
    grain: Annotated[Literal["month", "all"], Query()] = "month",
) -> MetricValues:
    """Compute a metric over the caller's accounts (cached briefly; ingestion clears it)."""
    metric = get_metric(name)
    key = ("metric", scope, name, by, start, end, grain)
    rows = cache.get_or_compute(
        key, lambda: records(compute(source, name, by=by, start=start, end=end, grain=grain))
    )
    columns = list(rows[0]) if rows else []
    return MetricValues(
        metric=name,
        unit=metric.unit,
        by=by,
        columns=columns,
        data=rows[page.offset : page.offset + page.limit],
        count=len(rows),
    )
