"""Risk history: stored risk scores, their accuracy per month, and expansion signals.

Every route reads only the caller's accounts: the stored scores and the signals are filtered to
:func:`~portalroi.api.analytics.scope_accounts`, and the accuracy of an organisation's user is
computed on its own accounts' scores only (with the small-sample warnings that brings).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query
from pydantic import BaseModel

from portalroi.api.analytics import scope_accounts
from portalroi.api.deps import StoreDep, TenantScope
from portalroi.api.schemas import Page, Pagination
from portalroi.errors import NotFoundError
from portalroi.health.accuracy import accuracy_by_month
from portalroi.health.expansion import expansion_signals
from portalroi.health.history import scores
from portalroi.health.model_store import default_as_of

__all__ = ["router"]

router = APIRouter(prefix="/risk", tags=["risk"])


class StoredScore(BaseModel):
    """One stored score: churn risk (probability within the horizon), health score and band."""

    score_date: date
    account_id: str
    risk: float | None
    health_score: float | None
    band: str
    model_version: str
    horizon_days: int


class ExpansionSignal(BaseModel):
    """One expansion signal of an account, with its reason in words and the figures."""

    account_id: str
    segment: str | None
    signal: str
    kind: str
    value: float
    threshold: float
    reason: str
    figures: dict[str, Any]


class ExpansionPage(Page[ExpansionSignal]):
    """Signals of the caller's accounts as of a date."""

    as_of: date


def _num(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


@router.get("/scores")
def risk_scores(
    store: StoreDep,
    scope: TenantScope,
    page: Pagination,
    account_id: Annotated[str | None, Query(description="One account's history.")] = None,
    score_date: Annotated[date | None, Query(description="One score date.")] = None,
) -> Page[StoredScore]:
    """Stored risk scores of the caller's accounts, newest date first (404 for other accounts)."""
    visible = scope_accounts(store, scope)
    if account_id is not None and account_id not in set(visible):
        raise NotFoundError(f"no account {account_id!r}")
    frame = scores(store, account_id, score_date, accounts=None if scope is None else visible)
    part = frame.iloc[page.offset : page.offset + page.limit]
    rows = [
        StoredScore(
            score_date=pd.Timestamp(r["score_date"]).date(),
            account_id=str(r["account_id"]),
            risk=_num(r["risk"]),
            health_score=_num(r["health_score"]),
            band=str(r["band"]),
            model_version=str(r["model_version"]),
            horizon_days=int(r["horizon_days"]),
        )
        for r in part.to_dict("records")
    ]
    return Page[StoredScore](data=rows, count=len(frame))


@router.get("/accuracy")
def risk_accuracy(
    store: StoreDep,
    scope: TenantScope,
    known_until: Annotated[
        date | None, Query(description="Outcomes known by this date (default: after the data).")
    ] = None,
) -> dict[str, Any]:
    """Accuracy per score month of the caller's stored scores (see docs/risk-history.md).

    Months hold ``model`` and ``health_score`` figures (ROC AUC, average precision, Brier,
    calibration by decile with its ECE, top-decile precision), the at-risk band's precision,
    and warnings (small samples, one outcome only).
    """
    accounts = None if scope is None else scope_accounts(store, scope)
    report = accuracy_by_month(store, accounts=accounts, known_until=known_until)
    out = report.as_dict()
    out["scoped"] = scope is not None
    return out


@router.get("/expansion")
def risk_expansion(
    store: StoreDep,
    scope: TenantScope,
    page: Pagination,
    as_of: Annotated[
        date | None, Query(description="As-of date (default: the day after the last data).")
    ] = None,
) -> ExpansionPage:
    """Expansion (upsell / cross-sell) signals of the caller's accounts, each with its reason."""
    at = as_of if as_of is not None else default_as_of(store).date()
    accounts = None if scope is None else scope_accounts(store, scope)
    frame = expansion_signals(store, at, accounts=accounts)
    part = frame.iloc[page.offset : page.offset + page.limit]
    rows = [
        ExpansionSignal(
            account_id=str(r["account_id"]),
            segment=None if r["segment"] is None else str(r["segment"]),
            signal=str(r["signal"]),
            kind=str(r["kind"]),
            value=float(r["value"]),
            threshold=float(r["threshold"]),
            reason=str(r["reason"]),
            figures=r["figures"],
        )
        for r in part.to_dict("records")
    ]
    return ExpansionPage(data=rows, count=len(frame), as_of=at)
