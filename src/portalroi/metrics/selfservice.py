"""Self-service and search formulas: search volume and quality, help-centre use, deflection.

Sequences (search then click, search then ticket, article then ticket) are runners in
:mod:`portalroi.metrics.runners`; the registry sets their event types and windows.
"""

from __future__ import annotations

from typing import Any

import ibis

from portalroi.metrics._expr import ratio
from portalroi.metrics._from_rollups import event_counts
from portalroi.metrics._query import Query
from portalroi.metrics.rollups import user_days

__all__ = [
    "HELP_CENTRE_EVENTS",
    "TICKET_WINDOW_DAYS",
    "article_views",
    "deflection_rate",
    "search_volume",
    "self_service_resolution_rate",
    "self_service_score",
    "ticket_after_portal_rate",
    "zero_result_rate",
]

#: Events that count as using the help centre (Zendesk's self-service score numerator).
HELP_CENTRE_EVENTS: tuple[str, ...] = ("search", "article_view")
#: Days after portal activity in which a ticket counts as "still opened a ticket".
TICKET_WINDOW_DAYS = 7


def _count_events(q: Query, event_type: str) -> Any:
    dt = event_counts(q, [event_type])
    if dt is not None:
        out = dt.group_by([q.period(dt.day).name("month")]).aggregate(
            events=dt.n_events.sum().cast("int64")
        )
        return out.mutate(value=out.events)
    ev = q.events()
    ev = ev.filter(ev.event_type == event_type)
    out = ev.group_by([*q.keys, q.period(ev.ts).name("month")]).aggregate(events=ev.count())
    return out.mutate(value=out.events)


def search_volume(q: Query) -> Any:
    """Searches per month."""
    return _count_events(q, "search")


def article_views(q: Query) -> Any:
    """Knowledge-base article views per month."""
    return _count_events(q, "article_view")


def zero_result_rate(q: Query) -> Any:
    """Share of searches (with a known result count) that returned nothing, per month."""
    ev = q.events()
    ev = ev.filter((ev.event_type == "search") & ev.result_count.notnull())
    out = ev.group_by([*q.keys, q.period(ev.ts).name("month")]).aggregate(
        searches=ev.count(), zero=(ev.result_count == 0).sum().cast("int64")
    )
    return out.mutate(value=ratio(out.zero, out.searches))


def self_service_resolution_rate(q: Query) -> Any:
    """Self-resolved / (self-resolved + tickets opened in the portal), counting events, per month."""
    dt = event_counts(q, ["self_service_resolved", "ticket_created"])
    if dt is not None:
        solved = ibis.ifelse(dt.event_type == "self_service_resolved", dt.n_events, 0)
        out = dt.group_by([q.period(dt.day).name("month")]).aggregate(
            self_resolved=solved.sum().cast("int64"), requests=dt.n_events.sum().cast("int64")
        )
        return out.mutate(value=ratio(out.self_resolved, out.requests))
    ev = q.events()
    ev = ev.filter(ev.event_type.isin(["self_service_resolved", "ticket_created"]))
    out = ev.group_by([*q.keys, q.period(ev.ts).name("month")]).aggregate(
        self_resolved=(ev.event_type == "self_service_resolved").sum().cast("int64"),
        requests=ev.count(),
    )
    return out.mutate(value=ratio(out.self_resolved, out.requests))


def _assisted_tickets(q: Query) -> Any:
    t = q.table("tickets", "created_at")
    t = t.filter(t.channel != "self_service")
    return t.group_by([*q.keys, q.period(t.created_at).name("month")]).aggregate(tickets=t.count())


def deflection_rate(q: Query) -> Any:
    """Self-resolved in the portal / (self-resolved + assisted tickets from every channel)."""
    ev = q.events()
    ev = ev.filter(ev.event_type == "self_service_resolved")
    solved = ev.group_by([*q.keys, q.period(ev.ts).name("month")]).aggregate(
        self_resolved=ev.count()
    )
    tickets = _assisted_tickets(q)
    keys = [*q.keys, "month"]
    j = solved.outer_join(tickets, keys)
    j = j.select(
        **{k: ibis.coalesce(j[k], j[f"{k}_right"]) for k in keys},
        self_resolved=j.self_resolved.fill_null(0),
        tickets=j.tickets.fill_null(0),
    )
    return j.mutate(value=ratio(j.self_resolved, j.self_resolved + j.tickets))


def self_service_score(q: Query) -> Any:
    """Zendesk self-service score: help-centre users / users who opened tickets, per month."""
    ev = q.events()
    ev = ev.filter(ev.event_type.isin(list(HELP_CENTRE_EVENTS)))
    help_users = ev.group_by([*q.keys, q.period(ev.ts).name("month")]).aggregate(
        help_users=ev.user_id.nunique()
    )
    t = q.table("tickets", "created_at")
    t = t.filter(t.user_id.notnull())
    ticket_users = t.group_by([*q.keys, q.period(t.created_at).name("month")]).aggregate(
        ticket_users=t.user_id.nunique()
    )
    keys = [*q.keys, "month"]
    j = help_users.outer_join(ticket_users, keys)
    j = j.select(
        **{k: ibis.coalesce(j[k], j[f"{k}_right"]) for k in keys},
        help_users=j.help_users.fill_null(0),
        ticket_users=j.ticket_users.fill_null(0),
    )
    return j.mutate(value=ratio(j.help_users, j.ticket_users))


def ticket_after_portal_rate(q: Query) -> Any:
    """Share of users active in the portal in a month who opened a ticket (any channel) within
    7 days after one of their active days (same day included)."""
    ud = user_days(q)
    t = q.raw("tickets")
    t = t.filter(t.user_id.notnull()).select(uid=t.user_id, tday=t.created_at.cast("date"))
    pairs = ud.join(
        t,
        [
            ud.user_id == t.uid,
            t.tday >= ud.day,
            t.tday < ud.day + ibis.interval(days=TICKET_WINDOW_DAYS),
        ],
    )
    hit = pairs.select(*q.keys, "user_id", month=q.period(pairs.day)).distinct().mutate(hit=1)
    base = ud.select(*q.keys, "user_id", month=q.period(ud.day)).distinct()
    j = base.left_join(hit, [*q.keys, "user_id", "month"])
    j = j.select(*[base[k] for k in q.keys], base.user_id, base.month, hit=j.hit.fill_null(0))
    out = j.group_by([*q.keys, "month"]).aggregate(
        users=j.count(), with_ticket=j.hit.sum().cast("int64")
    )
    return out.mutate(value=ratio(out.with_ticket, out.users))
