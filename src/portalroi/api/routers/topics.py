"""Ticket topics of the caller's tickets: groups, knowledge gaps, zero-result searches, savings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from portalroi.api.analytics import json_ready, scoped_topics
from portalroi.api.deps import ResultCacheDep, SettingsDep, StoreDep, TenantScope
from portalroi.api.frames import records
from portalroi.services.topics import TOP_GROUPS

__all__ = ["TopicsPublic", "router"]

router = APIRouter(prefix="/topics", tags=["topics"])


class TopicGroup(BaseModel):
    """A group of similar tickets and the knowledge-base article that answers it (if any)."""

    topic: int
    name: str
    terms: list[str]
    n: int
    tickets_per_month: float | None
    share_volume: float | None
    cost: float | None
    share_cost: float | None
    article_id: str | None
    similarity: float | None
    knowledge_gap: bool


class ZeroResultSearch(BaseModel):
    """A portal search that found nothing, with how often it (and its variants) was asked."""

    example: str
    searches: int
    variants: int
    topic: int | None
    topic_name: str | None


class Deflection(BaseModel):
    """What answering the largest groups in the portal would save (benchmark deflection share)."""

    top_groups: int
    tickets_per_month: float
    deflected_per_month: float
    yearly_saving: float
    share_source: str
    groups: list[dict[str, Any]]


class TopicsPublic(BaseModel):
    """Topic groups (largest first), zero-result searches and the deflection simulation."""

    groups: list[TopicGroup]
    zero_results: list[ZeroResultSearch]
    deflection: Deflection


@router.get("")
def topics_get(
    store: StoreDep, scope: TenantScope, cache: ResultCacheDep, settings: SettingsDep
) -> TopicsPublic:
    """Ticket topics of the caller's accounts (the knowledge base is the vendor's), grouped
    by the setting ``topics_backend``."""
    report, sim = scoped_topics(store, scope, cache, settings.topics_backend)
    groups = [
        TopicGroup(**{**row, "terms": [str(x) for x in row["terms"] or []]})
        for row in json_ready(report.groups.to_dict("records"))
    ]
    zero = [
        ZeroResultSearch(**{k: row[k] for k in ZeroResultSearch.model_fields})
        for row in json_ready(report.zero_results.to_dict("records"))
    ]
    return TopicsPublic(
        groups=groups,
        zero_results=zero,
        deflection=Deflection(
            top_groups=TOP_GROUPS,
            tickets_per_month=float(sim.tickets_per_month),
            deflected_per_month=float(sim.deflected_per_month),
            yearly_saving=float(sim.yearly_saving),
            share_source=sim.share_source,
            groups=records(sim.table),
        ),
    )
