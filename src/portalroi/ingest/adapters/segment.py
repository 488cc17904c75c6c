"""Segment track events (JSON Lines, one message per line) -> events.

=============  =====================================================================
canonical      Segment message
=============  =====================================================================
event_id       messageId
ts             timestamp (else originalTimestamp, sentAt, receivedAt)
user_id        userId, else anonymousId
account_id     context.groupId, else properties.account_id / accountId / groupId
session_id     properties.session_id, else context.sessionId
event_type     ``event`` through :data:`EVENT_NAMES` (``page``/``screen`` calls -> page_view);
               a name already equal to a canonical type (any case, spaces or dashes) is
               kept; unknown names -> ``feature_use`` with ``feature`` = the name
feature        properties.feature (or the event name, for unknown names)
device         context.device.type: mobile/ios/android/phone -> mobile; tablet/ipad -> tablet;
               desktop/web/computer -> desktop
query          properties.query
result_count   properties.result_count / results_count / results
article_id     properties.article_id
object_id      properties.ticket_id / order_id / invoice_id / object_id
amount         properties.revenue / total / amount / value
properties     the message's ``properties`` object plus its remaining fields (event, type,
               context, anonymousId, sentAt, ...)
=============  =====================================================================

Event names not in the table can be mapped with a YAML mapping given with the adapter:
``values: {event_type: {"Quote Requested": order_placed}}``.
"""

from __future__ import annotations

from dataclasses import replace

from portalroi.ingest.adapters._base import Adapter, overlay
from portalroi.ingest.mapping import Mapping
from portalroi.schema import EVENT_TYPES

__all__ = ["EVENT_NAMES", "SEGMENT"]

#: Segment spec event names (and common variants) -> canonical event_type.
EVENT_NAMES: dict[str, str] = {
    "signed in": "login",
    "logged in": "login",
    "user signed in": "login",
    "signed out": "logout",
    "logged out": "logout",
    "page viewed": "page_view",
    "screen viewed": "page_view",
    "products searched": "search",
    "searched": "search",
    "search performed": "search",
    "help center searched": "search",
    "search result clicked": "search_click",
    "product clicked": "search_click",
    "article viewed": "article_view",
    "help article viewed": "article_view",
    "ticket created": "ticket_created",
    "support ticket created": "ticket_created",
    "ticket viewed": "ticket_viewed",
    "ticket updated": "ticket_updated",
    "ticket commented": "ticket_updated",
    "self service resolved": "self_service_resolved",
    "issue resolved": "self_service_resolved",
    "order completed": "order_placed",
    "order placed": "order_placed",
    "order tracked": "order_tracked",
    "order status viewed": "order_tracked",
    "invoice viewed": "invoice_view",
    "invoice downloaded": "invoice_download",
    "payment completed": "payment",
    "invoice paid": "payment",
    "payment info entered": "payment_method_change",
    "payment method updated": "payment_method_change",
    "subscription changed": "subscription_change",
    "subscription updated": "subscription_change",
    "plan changed": "subscription_change",
    "settings updated": "settings_change",
    "user invited": "user_invite",
    "invite sent": "user_invite",
    "report exported": "report_export",
}


def _j(path: str) -> str:
    return f"(_json->>'$.{path}')"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _event_type(names: dict[str, str]) -> str:
    norm = f"lower(trim({_j('event')}))"
    snake = f"regexp_replace({norm}, '[^a-z0-9]+', '_', 'g')"
    whens = " ".join(f"WHEN {_q(k.lower())} THEN {_q(v)}" for k, v in names.items())
    canonical = ", ".join(_q(t) for t in EVENT_TYPES)
    return (
        f"CASE WHEN lower({_j('type')}) IN ('page', 'screen') THEN 'page_view' "
        f"WHEN {_j('event')} IS NULL THEN NULL "
        f"WHEN {snake} IN ({canonical}) THEN {snake} "
        f"ELSE CASE {norm} {whens} ELSE 'feature_use' END END"
    )


def build(columns: tuple[str, ...], user: Mapping | None = None) -> Mapping:
    """The mapping for Segment track events (see the module docstring)."""
    names = dict(EVENT_NAMES)
    if user is not None and "event_type" in user.values:
        names.update({k.lower(): v for k, v in user.values["event_type"].items()})
        user = replace(user, values={k: v for k, v in user.values.items() if k != "event_type"})
    event_type = _event_type(names)
    device = f"lower(trim({_j('context.device.type')}))"
    drop = ", ".join(f"'{k}', NULL" for k in ("properties", "messageId", "timestamp", "userId"))
    base = Mapping(
        table="events",
        exprs={
            "event_id": _j("messageId"),
            "ts": f"coalesce({_j('timestamp')}, {_j('originalTimestamp')}, {_j('sentAt')}, "
            f"{_j('receivedAt')})",
            "user_id": f"coalesce({_j('userId')}, {_j('anonymousId')})",
            "account_id": f"coalesce({_j('context.groupId')}, {_j('properties.account_id')}, "
            f"{_j('properties.accountId')}, {_j('properties.groupId')})",
            "session_id": f"coalesce({_j('properties.session_id')}, {_j('context.sessionId')})",
            "event_type": event_type,
            "feature": f"CASE WHEN ({event_type}) = 'feature_use' AND {_j('properties.feature')} "
            f"IS NULL THEN {_j('event')} ELSE {_j('properties.feature')} END",
            "device": f"CASE WHEN {device} IN ('mobile', 'ios', 'android', 'phone') THEN 'mobile' "
            f"WHEN {device} IN ('tablet', 'ipad') THEN 'tablet' "
            f"WHEN {device} IN ('desktop', 'web', 'computer', 'browser') THEN 'desktop' END",
            "query": _j("properties.query"),
            "result_count": f"coalesce({_j('properties.result_count')}, "
            f"{_j('properties.results_count')}, {_j('properties.results')})",
            "article_id": _j("properties.article_id"),
            "object_id": f"coalesce({_j('properties.ticket_id')}, {_j('properties.order_id')}, "
            f"{_j('properties.invoice_id')}, {_j('properties.object_id')})",
            "amount": f"coalesce({_j('properties.revenue')}, {_j('properties.total')}, "
            f"{_j('properties.amount')}, {_j('properties.value')})",
        },
        properties_expr=(
            "json_merge_patch(CASE WHEN json_type(_json->'properties') = 'OBJECT' "
            "THEN _json->'properties' ELSE '{}'::JSON END, "
            f"json_merge_patch(_json, json_object({drop})))"
        ),
    )
    return overlay(base, user)


SEGMENT = Adapter(
    name="segment",
    table="events",
    description="Segment track/page events, JSON Lines (one message per line).",
    reader=lambda path: "jsonl",
    build=build,
)
