"""Support formulas over the ``tickets`` table, per month of ``created_at``.

Durations are in hours, reported as the median (``value``) with the mean and the number of
tickets measured. Rates count only tickets where the field is known (NULL is "not recorded",
not "no").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portalroi.metrics._expr import hours_between, ratio
from portalroi.metrics._query import Query

__all__ = ["csat", "duration", "flag_rate", "ticket_cost", "ticket_volume"]


def _tickets(q: Query) -> Any:
    t = q.table("tickets", "created_at")
    return t.mutate(month=q.period(t.created_at))


def ticket_volume(q: Query) -> Any:
    """Tickets opened per month and channel."""
    t = _tickets(q)
    out = t.group_by([*q.keys, "month", "channel"]).aggregate(tickets=t.count())
    return out.mutate(value=out.tickets)


def ticket_cost(q: Query) -> Any:
    """Cost per ticket: total ``tickets.cost`` / tickets with a cost, per month."""
    t = _tickets(q)
    t = t.filter(t.cost.notnull())
    out = t.group_by([*q.keys, "month"]).aggregate(tickets=t.count(), total_cost=t.cost.sum())
    return out.mutate(value=ratio(out.total_cost, out.tickets))


def duration(start: str, end: str) -> Callable[[Query], Any]:
    """Formula for hours from ``start`` to ``end``: median, mean and count per month."""

    def formula(q: Query) -> Any:
        t = _tickets(q)
        t = t.filter(t[start].notnull() & t[end].notnull())
        t = t.mutate(hours=hours_between(t[end], t[start]))
        return t.group_by([*q.keys, "month"]).aggregate(
            tickets=t.count(), value=t.hours.median(), mean=t.hours.mean()
        )

    formula.__doc__ = f"Hours from {start} to {end}: median (value), mean, tickets per month."
    return formula


def flag_rate(
    condition: Callable[[Any], Any], known: Callable[[Any], Any], doc: str
) -> Callable[[Query], Any]:
    """Formula for the share of tickets where ``condition`` holds among those where ``known``."""

    def formula(q: Query) -> Any:
        t = _tickets(q)
        t = t.filter(known(t))
        out = t.group_by([*q.keys, "month"]).aggregate(
            tickets=t.count(), hits=condition(t).sum().cast("int64")
        )
        return out.mutate(value=ratio(out.hits, out.tickets))

    formula.__doc__ = doc
    return formula


def csat(q: Query) -> Any:
    """CSAT: share of rated tickets scored 4 or 5 (``value``), mean score, and response rate
    (resolved tickets with a rating / resolved tickets, so at most 1: a ticket closed without a
    resolution may carry a rating but was never asked after one), per month."""
    t = _tickets(q)
    out = t.group_by([*q.keys, "month"]).aggregate(
        resolved=t.resolved_at.notnull().sum().cast("int64"),
        rated=t.csat.notnull().sum().cast("int64"),
        rated_resolved=(t.csat.notnull() & t.resolved_at.notnull()).sum().cast("int64"),
        satisfied=(t.csat >= 4).fill_null(False).sum().cast("int64"),
        mean_score=t.csat.mean(),
    )
    return out.mutate(
        value=ratio(out.satisfied, out.rated),
        response_rate=ratio(out.rated_resolved, out.resolved),
    )
