"""Metric inputs read from the DuckDB rollups instead of the events (same values, far fewer rows).

Each function returns ``None`` when the rollup cannot answer the query (another engine, stale
rollups, a split the rollup does not keep, or a date range that cuts a month), and the caller
then computes from the events. The tests compare both paths on every metric that has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portalroi.metrics import _rollup_sql as sql
from portalroi.metrics._query import Query
from portalroi.metrics.rollups import rollup_table

__all__ = [
    "activation_inputs",
    "cohort_counts",
    "daily_active",
    "event_counts",
    "feature_inputs",
    "help_funnel",
]


def _whole(q: Query) -> bool:
    """Unsplit and over the whole history: what the monthly result tables hold."""
    return q.by is None and q.start is None and q.end is None


def daily_active(q: Query) -> Any | None:
    """``day, dau, wau, mau`` for every calendar day of the query, or ``None``.

    The table covers the first to the last active day; a range reaching outside it (days
    with zero activity before or after) is left to the events path.
    """
    if q.by is not None:
        return None
    daily = rollup_table(q, sql.DAILY)
    if daily is None:
        return None
    bounds = daily.aggregate(lo=daily.day.min(), hi=daily.day.max()).execute()
    lo, hi = bounds["lo"].iloc[0], bounds["hi"].iloc[0]
    if lo is None or lo != lo:  # no activity at all: NULL / NaT
        return None
    if (q.start is not None and q.start < lo.date()) or (q.end is not None and q.end > hi.date()):
        return None
    if q.start is not None:
        daily = daily.filter(daily.day >= q.start)
    if q.end is not None:
        daily = daily.filter(daily.day <= q.end)
    return daily.select("day", "dau", "wau", "mau")


def event_counts(q: Query, event_types: Sequence[str]) -> Any | None:
    """Events of the given types per (day, event type) in the query's range, or ``None``."""
    if q.by is not None:
        return None
    dt = rollup_table(q, sql.DAY_TYPE)
    if dt is None:
        return None
    dt = dt.filter(dt.event_type.isin(list(event_types)))
    if q.start is not None:
        dt = dt.filter(dt.day >= q.start)
    if q.end is not None:
        dt = dt.filter(dt.day <= q.end)
    return dt


def feature_inputs(q: Query) -> tuple[Any, Any] | None:
    """``(used, active)``: users per (month, feature) and active users per month, or ``None``."""
    if not _whole(q):
        return None
    if q.grain == "month":
        used = rollup_table(q, sql.FEATURE_MONTH)
        active = rollup_table(q, sql.MONTH_ACTIVE)
        if used is None or active is None:
            return None
        return used.select("month", "feature", "users"), active.select("month", "active_users")
    fu = rollup_table(q, sql.FEATURE_USER)
    um = rollup_table(q, sql.USER_MONTH)
    if fu is None or um is None:
        return None
    used = fu.group_by([q.period(fu.month).name("month"), "feature"]).aggregate(
        users=fu.user_id.nunique()
    )
    active = um.group_by(q.period(um.month).name("month")).aggregate(
        active_users=um.user_id.nunique()
    )
    return used, active


def cohort_counts(q: Query) -> Any | None:
    """``cohort, offset, users`` over the whole history, or ``None``."""
    if not _whole(q):
        return None
    cohort = rollup_table(q, sql.COHORT)
    return None if cohort is None else cohort.select("cohort", "offset", "users")


def help_funnel(q: Query, first: Sequence[str], then: Sequence[str]) -> Any | None:
    """``month, sessions, converted`` of a funnel from searches (and article views) to a
    ticket, or ``None`` for other funnels and queries the rollup does not keep."""
    kinds = {frozenset({"search"}): "search", frozenset({"search", "article_view"}): "help"}
    kind = kinds.get(frozenset(first))
    if q.by is not None or q.start is not None or q.end is not None:
        return None
    if kind is None or tuple(then) != ("ticket_created",):
        return None
    hm = rollup_table(q, sql.HELP_MONTH)
    if hm is None:
        return None
    hm = hm.filter(hm.kind == kind)
    return hm.group_by(q.period(hm.month).name("month")).aggregate(
        sessions=hm.sessions.sum().cast("int64"), converted=hm.converted.sum().cast("int64")
    )


def activation_inputs(q: Query) -> tuple[Any, Any] | None:
    """``(first, account_users)`` of the activation formula, or ``None``.

    ``first``: account_id, first_day; ``account_users``: one row per (account_id, user_id)
    seen in the events, with ``window_days``, the user's active days in the account's window.
    """
    first = rollup_table(q, sql.ACCOUNT_FIRST)
    au = rollup_table(q, sql.ACCOUNT_USER)
    if first is None or au is None:
        return None
    return first, au.select("account_id", "user_id", "window_days")
