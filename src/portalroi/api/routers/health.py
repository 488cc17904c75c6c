"""Account health: score, band, trend, reasons and churn risk of the caller's accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel

from portalroi.api.analytics import json_ready, scope_accounts, scoped_health
from portalroi.api.deps import ResultCacheDep, StoreDep, TenantScope
from portalroi.api.schemas import Page, Pagination
from portalroi.errors import NotFoundError
from portalroi.health import account_summary, breakdown
from portalroi.services.health import HEALTH_SORTS, HealthData, sort_health

__all__ = ["router"]

router = APIRouter(prefix="/health", tags=["health"])

#: Components of the score, in the order of :func:`portalroi.health.health_scores`' columns.
COMPONENTS = ("engagement", "adoption", "support", "sentiment", "billing")


class Reason(BaseModel):
    """A signal that cost the account points (largest first)."""

    component: str
    feature: str
    value: float | None
    points: float | None
    lost_points: float | None


class RiskReason(BaseModel):
    """A signal that raised the churn model's risk (its contribution in log-odds)."""

    feature: str
    value: float | str | None
    contribution: float | None


class Risk(BaseModel):
    """Churn probability from the fitted model, with its largest drivers."""

    risk: float | None
    reasons: list[RiskReason]


class AccountHealth(BaseModel):
    """An account's health as of the day after the data's last activity."""

    account_id: str
    name: str | None
    segment: str | None
    score: float | None
    band: str
    trend: str
    change: float | None
    risk: float | None
    reasons: list[Reason]


class HealthPage(Page[AccountHealth]):
    """Accounts in scope, with the as-of date of the scores."""

    as_of: str


class Signal(BaseModel):
    """One signal of the score: its value, the points it earned and the points it lost."""

    component: str
    feature: str
    value: float | None
    points: float | None
    weight: float
    lost_points: float | None


class AccountHealthDetail(AccountHealth):
    """An account's health: component scores, every signal, model risk and activity summary."""

    as_of: str
    components: dict[str, float | None]
    breakdown: list[Signal]
    churn: Risk | None
    summary: str
    activity: dict[str, Any]


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _reasons(data: HealthData, account_id: str) -> list[Reason]:
    why = data.reasons[data.reasons["account_id"] == account_id].sort_values("rank")
    return [
        Reason(
            component=str(x["component"]),
            feature=str(x["feature"]),
            value=_num(x["value"]),
            points=_num(x["points"]),
            lost_points=_num(x["lost_points"]),
        )
        for x in why.to_dict("records")
    ]


def _account(data: HealthData, account_id: str, row: dict[Any, Any]) -> AccountHealth:
    info = data.accounts.loc[account_id] if account_id in data.accounts.index else None
    risk = None
    if data.risk is not None and account_id in data.risk.index:
        risk = _num(data.risk.loc[account_id, "risk"])
    return AccountHealth(
        account_id=account_id,
        name=None if info is None else _text(info["name"]),
        segment=None if info is None else _text(info["segment"]),
        score=_num(row["score"]),
        band=str(row["band"]),
        trend=str(row["trend"]),
        change=_num(row["change"]),
        risk=risk,
        reasons=_reasons(data, account_id),
    )


@router.get("")
def health_list(
    store: StoreDep,
    scope: TenantScope,
    cache: ResultCacheDep,
    page: Pagination,
    sort: Annotated[
        Literal["score", "risk", "change", "account"],
        Query(description="Order: score (worst first), risk (highest first), change, account."),
    ] = "score",
) -> HealthPage:
    """Health of the caller's accounts that were customers at the as-of date."""
    data = scoped_health(store, cache)
    visible = set(scope_accounts(store, scope))
    frame = data.scores[data.scores.index.isin(visible)].copy()
    frame.index.name = "account_id"
    if data.risk is not None:
        frame = frame.join(data.risk[["risk"]])
    if HEALTH_SORTS[sort][0] == "risk" and "risk" not in frame.columns:
        sort = "score"
    frame = sort_health(frame, sort)
    part = frame.iloc[page.offset : page.offset + page.limit]
    rows = [
        _account(data, str(k), r) for k, r in zip(part.index, part.to_dict("records"), strict=True)
    ]
    return HealthPage(data=rows, count=len(frame), as_of=f"{data.as_of:%Y-%m-%d}")


@router.get("/{account_id}")
def health_get(
    account_id: str, store: StoreDep, scope: TenantScope, cache: ResultCacheDep
) -> AccountHealthDetail:
    """One account's health with its breakdown (404 outside the caller's scope)."""
    if account_id not in scope_accounts(store, scope):
        raise NotFoundError(f"no account {account_id!r}")
    data = scoped_health(store, cache)
    if account_id not in data.scores.index:
        raise NotFoundError(f"account {account_id!r} is not a customer on {data.as_of:%Y-%m-%d}")
    row: dict[Any, Any] = data.scores.loc[account_id].to_dict()
    base = _account(data, account_id, row)
    churn: Risk | None = None
    risk_d: dict[str, Any] | None = None
    if data.risk is not None and account_id in data.risk.index:
        r: dict[Any, Any] = data.risk.loc[account_id].to_dict()
        risk_d = {"risk": float(r["risk"]), "reasons": r["reasons"]}
        churn = Risk(
            risk=_num(r["risk"]),
            reasons=[RiskReason(**json_ready(x)) for x in r["reasons"]],
        )
    parts = breakdown(data.features.loc[[account_id]])
    signals = [
        Signal(
            component=str(x["component"]),
            feature=str(x["feature"]),
            value=_num(x["value"]),
            points=_num(x["points"]),
            weight=float(x["weight"]),
            lost_points=_num(x["lost_points"]),
        )
        for x in parts.to_dict("records")
    ]
    health = {"score": base.score, "band": base.band, "trend": base.trend}
    summary = account_summary(
        store, account_id, data.as_of - timedelta(days=90), data.as_of, health, risk_d
    )
    return AccountHealthDetail(
        **base.model_dump(),
        as_of=f"{data.as_of:%Y-%m-%d}",
        components={c: _num(row.get(c)) for c in COMPONENTS},
        breakdown=signals,
        churn=churn,
        summary=summary.text,
        activity=json_ready(summary.facts),
    )
