"""The metric registry: every metric declared once, as data.

A :class:`Metric` names its runner ``kind`` (see :data:`~portalroi.metrics.runners.RUNNERS`)
and the runner's ``params``; for ``aggregate`` metrics the single param is the Ibis formula.

Examples
--------
>>> METRICS["mau"].unit
'users'
>>> METRICS["zero_result_rate"].good
'down'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from portalroi.metrics import adoption, commerce, selfservice, support
from portalroi.metrics._query import DIMENSIONS

__all__ = ["CATEGORIES", "METRICS", "Metric"]

Good = Literal["up", "down", "neutral"]

CATEGORIES: tuple[str, ...] = ("adoption", "self-service", "support", "commerce")

_ALL = DIMENSIONS
_EVENT_DIMS = DIMENSIONS
_TICKET_DIMS: tuple[str, ...] = ("account", "segment", "role")
_ACCOUNT_ONLY: tuple[str, ...] = ("account",)
_NO_DEVICE: tuple[str, ...] = ("account", "segment", "role")


@dataclass(frozen=True)
class Metric:
    """One metric's declaration.

    Parameters
    ----------
    name
        Identifier used by ``portalroi metrics compute NAME``.
    category
        One of :data:`CATEGORIES`.
    definition
        One-line definition shown in ``list`` and the docs.
    unit
        What ``value`` measures (users, ratio, hours, ...).
    grain
        Time grain and row of the result (day, month, cohort x offset, account).
    good
        Direction that is good news: ``up``, ``down`` or ``neutral``.
    kind
        Runner kind, a key of :data:`~portalroi.metrics.runners.RUNNERS`.
    params
        Keyword arguments for the runner (``formula`` for aggregates).
    dims
        The ``--by`` splits the metric supports.
    """

    name: str
    category: str
    definition: str
    unit: str
    grain: str
    good: Good
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    dims: tuple[str, ...] = _ALL


def _agg(formula: Any) -> dict[str, Any]:
    return {"formula": formula}


def _resolved(t: Any) -> Any:
    return t.resolved_at.notnull()


_DECLARED: tuple[Metric, ...] = (
    # -- adoption ----------------------------------------------------------------------------
    Metric(
        "dau",
        "adoption",
        "Distinct users with any event on the day.",
        "users",
        "day",
        "up",
        "rolling",
        {"value": "dau"},
        _EVENT_DIMS,
    ),
    Metric(
        "wau",
        "adoption",
        "Distinct users active in the 7 days ending on the day.",
        "users",
        "day",
        "up",
        "rolling",
        {"value": "wau"},
        _EVENT_DIMS,
    ),
    Metric(
        "mau",
        "adoption",
        "Distinct users active in the 30 days ending on the day.",
        "users",
        "day",
        "up",
        "rolling",
        {"value": "mau"},
        _EVENT_DIMS,
    ),
    Metric(
        "stickiness",
        "adoption",
        "DAU / MAU (30-day) on each day.",
        "ratio",
        "day",
        "up",
        "rolling",
        {"value": "stickiness"},
        _EVENT_DIMS,
    ),
    Metric(
        "active_days_histogram",
        "adoption",
        "Users active on exactly N distinct days of the month (value) and on at least N.",
        "users",
        "month x active days",
        "neutral",
        "histogram",
        {},
        _EVENT_DIMS,
    ),
    Metric(
        "login_frequency",
        "adoption",
        "Logins per user who logged in, per month.",
        "logins per user",
        "month",
        "up",
        "aggregate",
        _agg(adoption.login_frequency),
    ),
    Metric(
        "mobile_share",
        "adoption",
        "Share of logins made from a mobile device.",
        "ratio",
        "month",
        "neutral",
        "aggregate",
        _agg(adoption.mobile_share),
    ),
    Metric(
        "feature_utilisation",
        "adoption",
        "Users who used a feature / users active that month, per feature.",
        "ratio",
        "month x feature",
        "up",
        "aggregate",
        _agg(adoption.feature_utilisation),
    ),
    Metric(
        "sessions",
        "adoption",
        "Sessions started in the month.",
        "sessions",
        "month",
        "up",
        "aggregate",
        _agg(adoption.sessions),
    ),
    Metric(
        "session_length",
        "adoption",
        "Minutes from a session's first to last event: median (value) and mean.",
        "minutes",
        "month",
        "neutral",
        "aggregate",
        _agg(adoption.session_length),
    ),
    Metric(
        "session_frequency",
        "adoption",
        "Sessions per user with a session, per month.",
        "sessions per user",
        "month",
        "up",
        "aggregate",
        _agg(adoption.session_frequency),
    ),
    Metric(
        "activation_rate",
        "adoption",
        "Share of an account's users active within 90 days of go-live; reached_60pct: "
        "at least 60 % of them active on 3+ days in that window.",
        "ratio",
        "account",
        "up",
        "aggregate",
        _agg(adoption.activation),
        _ACCOUNT_ONLY,
    ),
    Metric(
        "time_to_go_live",
        "adoption",
        "Days from becoming a customer to portal go-live.",
        "days",
        "account",
        "down",
        "aggregate",
        _agg(adoption.time_to_go_live),
        _ACCOUNT_ONLY,
    ),
    Metric(
        "retention_cohorts",
        "adoption",
        "Share of each first-active-month cohort active again `offset` months later (every "
        "offset up to the last active month, 0 where nobody came back; with `--from`, the "
        "cohorts that begin in its month or later).",
        "ratio",
        "cohort month x offset",
        "up",
        "cohort",
        {},
        _EVENT_DIMS,
    ),
    Metric(
        "retention_month_1",
        "adoption",
        "Month-1 retention of each cohort: the trend of one retention interval.",
        "ratio",
        "cohort month",
        "up",
        "cohort_trend",
        {"offset": 1},
        _EVENT_DIMS,
    ),
    Metric(
        "meaningful_actions",
        "adoption",
        "Actions other than login, logout and page views per active user, per month.",
        "actions per user",
        "month",
        "up",
        "aggregate",
        _agg(adoption.meaningful_actions),
    ),
    # -- self-service and search -------------------------------------------------------------
    Metric(
        "search_volume",
        "self-service",
        "Searches per month.",
        "searches",
        "month",
        "neutral",
        "aggregate",
        _agg(selfservice.search_volume),
    ),
    Metric(
        "zero_result_rate",
        "self-service",
        "Share of searches with a known result count that returned nothing.",
        "ratio",
        "month",
        "down",
        "aggregate",
        _agg(selfservice.zero_result_rate),
    ),
    Metric(
        "search_ctr",
        "self-service",
        "Share of sessions with a search where a result is clicked after the search.",
        "ratio",
        "month",
        "up",
        "session_funnel",
        {"first": ("search",), "then": ("search_click",)},
        _EVENT_DIMS,
    ),
    Metric(
        "search_to_ticket",
        "self-service",
        "Share of sessions with a search where a ticket is opened after the search.",
        "ratio",
        "month",
        "down",
        "session_funnel",
        {"first": ("search",), "then": ("ticket_created",)},
        _EVENT_DIMS,
    ),
    Metric(
        "ticket_after_self_help",
        "self-service",
        "Share of sessions with a search or article view where a ticket is opened later.",
        "ratio",
        "month",
        "down",
        "session_funnel",
        {"first": ("search", "article_view"), "then": ("ticket_created",)},
        _EVENT_DIMS,
    ),
    Metric(
        "article_views",
        "self-service",
        "Knowledge-base article views per month.",
        "views",
        "month",
        "up",
        "aggregate",
        _agg(selfservice.article_views),
    ),
    Metric(
        "article_then_ticket",
        "self-service",
        "Share of users who viewed an article and opened a ticket within 7 days after it.",
        "ratio",
        "month",
        "down",
        "user_funnel",
        {"first": ("article_view",), "then": ("ticket_created",), "hours": 168.0},
        _EVENT_DIMS,
    ),
    Metric(
        "self_service_resolution_rate",
        "self-service",
        "Self-resolved / (self-resolved + tickets opened), portal events.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(selfservice.self_service_resolution_rate),
    ),
    Metric(
        "deflection_rate",
        "self-service",
        "Self-resolved in the portal / (self-resolved + assisted tickets of every channel).",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(selfservice.deflection_rate),
        _NO_DEVICE,
    ),
    Metric(
        "self_service_score",
        "self-service",
        "Zendesk self-service score: help-centre users / users who opened tickets.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(selfservice.self_service_score),
        _NO_DEVICE,
    ),
    Metric(
        "ticket_after_portal_rate",
        "self-service",
        "Share of active portal users who opened a ticket within 7 days of being active.",
        "ratio",
        "month",
        "down",
        "aggregate",
        _agg(selfservice.ticket_after_portal_rate),
        _NO_DEVICE,
    ),
    # -- support -----------------------------------------------------------------------------
    Metric(
        "ticket_volume",
        "support",
        "Tickets opened per month and channel.",
        "tickets",
        "month x channel",
        "down",
        "aggregate",
        _agg(support.ticket_volume),
        _TICKET_DIMS,
    ),
    Metric(
        "cost_per_ticket",
        "support",
        "Total ticket cost / tickets with a cost.",
        "currency per ticket",
        "month",
        "down",
        "aggregate",
        _agg(support.ticket_cost),
        _TICKET_DIMS,
    ),
    Metric(
        "first_reply_time",
        "support",
        "Hours from opening to first agent reply.",
        "hours",
        "month",
        "down",
        "aggregate",
        _agg(support.duration("created_at", "first_reply_at")),
        _TICKET_DIMS,
    ),
    Metric(
        "first_resolution_time",
        "support",
        "Hours from opening to first resolution (lead time).",
        "hours",
        "month",
        "down",
        "aggregate",
        _agg(support.duration("created_at", "resolved_at")),
        _TICKET_DIMS,
    ),
    Metric(
        "full_resolution_time",
        "support",
        "Hours from opening to closing.",
        "hours",
        "month",
        "down",
        "aggregate",
        _agg(support.duration("created_at", "closed_at")),
        _TICKET_DIMS,
    ),
    Metric(
        "cycle_time",
        "support",
        "Hours from first agent reply to resolution.",
        "hours",
        "month",
        "down",
        "aggregate",
        _agg(support.duration("first_reply_at", "resolved_at")),
        _TICKET_DIMS,
    ),
    Metric(
        "one_touch_rate",
        "support",
        "Share of resolved tickets (replies recorded) solved with exactly one agent reply.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.agent_replies == 1,
                lambda t: _resolved(t) & t.agent_replies.notnull(),
                "Share of resolved tickets with exactly one agent reply.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "first_contact_resolution_rate",
        "support",
        "Share of resolved tickets never reopened and never reassigned.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: (t.reopens == 0) & (t.reassignments == 0),
                lambda t: _resolved(t) & t.reopens.notnull() & t.reassignments.notnull(),
                "Share of resolved tickets with no reopen and no reassignment.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "reopen_rate",
        "support",
        "Share of tickets reopened at least once.",
        "ratio",
        "month",
        "down",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.reopens > 0,
                lambda t: t.reopens.notnull(),
                "Share of tickets with reopens > 0.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "escalation_rate",
        "support",
        "Share of tickets escalated.",
        "ratio",
        "month",
        "down",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.escalated,
                lambda t: t.escalated.notnull(),
                "Share of tickets with escalated = true.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "automated_resolution_rate",
        "support",
        "Share of resolved tickets resolved by automation.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.automated,
                lambda t: _resolved(t) & t.automated.notnull(),
                "Share of resolved tickets with automated = true.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "sla_met_rate",
        "support",
        "Share of tickets that met their resolution SLA.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.sla_met,
                lambda t: t.sla_met.notnull(),
                "Share of tickets with sla_met = true.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "knowledge_use_rate",
        "support",
        "Share of tickets resolved with a knowledge-base article.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(
            support.flag_rate(
                lambda t: t.knowledge_used,
                lambda t: t.knowledge_used.notnull(),
                "Share of tickets with knowledge_used = true.",
            )
        ),
        _TICKET_DIMS,
    ),
    Metric(
        "csat",
        "support",
        "Share of rated tickets scored 4-5 (value), mean score and response rate "
        "(resolved tickets rated / resolved tickets).",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(support.csat),
        _TICKET_DIMS,
    ),
    # -- orders and billing ------------------------------------------------------------------
    Metric(
        "order_conversion",
        "commerce",
        "Share of active portal users who placed an order that month.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(commerce.order_conversion),
    ),
    Metric(
        "average_order_value",
        "commerce",
        "Mean order amount (all channels).",
        "currency",
        "month",
        "up",
        "aggregate",
        _agg(commerce.average_order_value),
        _TICKET_DIMS,
    ),
    Metric(
        "portal_order_share",
        "commerce",
        "Share of orders placed through the portal.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(commerce.portal_order_share),
        _TICKET_DIMS,
    ),
    Metric(
        "invoices_paid_via_portal",
        "commerce",
        "Share of paid invoices paid through the portal; delivered_share too.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(commerce.invoice_portal_share),
        ("account", "segment"),
    ),
    Metric(
        "invoices_viewed",
        "commerce",
        "Share of invoices issued that were viewed or downloaded in the portal.",
        "ratio",
        "month",
        "up",
        "aggregate",
        _agg(commerce.invoices_viewed),
        ("account", "segment"),
    ),
    Metric(
        "days_to_pay",
        "commerce",
        "Days from issue to payment of paid invoices (mean).",
        "days",
        "month",
        "down",
        "aggregate",
        _agg(commerce.days_to_pay),
        ("account", "segment"),
    ),
)

#: Every metric by name, in declaration order.
METRICS: dict[str, Metric] = {m.name: m for m in _DECLARED}
